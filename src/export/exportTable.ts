/**
 * Export of a canonical table in the columns of its canonical CSV (`docs/formats.md`),
 * so an export is itself importable: Parquet (typed, compressed), CSV or newline-delimited JSON,
 * written by DuckDB's own writers from either engine. Patient identifiers leave as the pseudonyms
 * stored; instants leave in UTC.
 */
import { invalid } from '../errors/UptakeError.ts';
import { CSV_COLUMNS, IMPORT_TABLES, type ImportTable } from '../model/canonical.ts';
import { TABLE_SPECS } from '../ingest/tableSpecs.ts';
import type { ExportFormat, StagedColumn, Store } from '../store/Store.ts';
import { EXPORT_FORMATS } from '../model/constants.ts';

/** The forms accepted, from the model (`src/model/constants.ts`). */
export { EXPORT_FORMATS };

/** The stored column behind a canonical CSV column. */
const STORED: Record<string, string> = { start: 'start_at', end: 'end_at' };

/** The format of an output file name (`.parquet`, `.csv`, `.json`/`.ndjson`), if it says. */
export function formatOfFile(file: string): ExportFormat | null {
  const m = /\.(parquet|csv|json|ndjson)$/i.exec(file);
  if (!m) return null;
  const ext = m[1]!.toLowerCase();
  return ext === 'ndjson' ? 'json' : (ext as ExportFormat);
}

/** Write `table` to `file`; returns the rows written. */
export async function exportTable(
  store: Store,
  table: ImportTable,
  file: string,
  format: ExportFormat,
): Promise<number> {
  if (!(IMPORT_TABLES as readonly string[]).includes(table))
    throw invalid(`${table} is not a table; use one of ${IMPORT_TABLES.join(', ')}`);
  const spec = TABLE_SPECS[table];
  const { required, optional } = CSV_COLUMNS[table];
  const columns: StagedColumn[] = [];
  const select: string[] = [];
  for (const name of [...required, ...optional]) {
    const stored = STORED[name] ?? name;
    const col = spec.columns.find((c) => c.name === stored);
    if (!col) continue;
    columns.push({ name, type: col.type });
    select.push(stored === name ? `"${name}"` : `"${stored}" AS "${name}"`);
  }
  const order = spec.key.map((k) => `"${k}"`).join(', ');
  return store.exportQuery(
    `SELECT ${select.join(', ')} FROM ${table} ORDER BY ${order}`,
    columns,
    file,
    format,
  );
}
