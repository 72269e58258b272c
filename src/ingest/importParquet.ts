/**
 * Parquet import of a canonical table: a file with the columns of the table's canonical CSV
 * (as `uptake export` writes them), of any Parquet types. DuckDB reads it; every value is taken as
 * its text, so the rows go through the same validation, de-duplication and pseudonymization as
 * canonical CSV (`loadStaged`). A rejected row's verbatim form in the rejects file is its JSON.
 */
import { CSV_COLUMNS } from '../model/canonical.ts';
import { invalid } from '../errors/UptakeError.ts';
import { quoteIdent } from '../store/quote.ts';
import type { Store } from '../store/Store.ts';
import { withProgress } from './importCsv.ts';
import { loadStaged, T, type ImportOptions, type ImportReport } from './loadStaged.ts';
import { describeSniffed, sniffFormat } from './sniff.ts';

/** Import one Parquet file into `store`. */
export async function importParquet(store: Store, opts: ImportOptions): Promise<ImportReport> {
  const t0 = Date.now();
  const looks = await sniffFormat(opts.file).catch(() => null);
  if (looks === null) throw invalid(`${opts.file}: no such file`);
  if (looks !== 'parquet')
    throw invalid(`${opts.file}: not a Parquet file; ${describeSniffed(looks)}`);
  const st = await store.staging();
  for (const v of [T.good, T.val]) await st.run(`DROP VIEW IF EXISTS ${v}`);
  await st.run(`DROP TABLE IF EXISTS ${T.raw}`);
  try {
    await withProgress(st, opts.onProgress, () =>
      st.run(`CREATE TEMP TABLE ${T.raw} AS SELECT * FROM read_parquet($1)`, [opts.file]),
    );
  } catch (e) {
    throw invalid(
      `${opts.file}: DuckDB could not read it as Parquet (${String((e as Error).message ?? e).split('\n')[0]})`,
    );
  }
  const header = (
    await st.all<{ column_name: string }>(`SELECT column_name FROM (DESCRIBE ${T.raw})`)
  ).map((r) => r.column_name);
  const { required, optional } = CSV_COLUMNS[opts.table];
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) {
    await st.run(`DROP TABLE IF EXISTS ${T.raw}`);
    throw invalid(
      `${opts.file}: missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} for ${opts.table}; ` +
        `the file must have ${required.join(', ')} (optional: ${optional.join(', ')})`,
    );
  }
  const known = new Set<string>([...required, ...optional]);
  const proj = [...required, ...optional].map((c) =>
    header.includes(c)
      ? `nullif(CAST(r.${quoteIdent(c)} AS VARCHAR), '') AS "${c}"`
      : `CAST(NULL AS VARCHAR) AS "${c}"`,
  );
  return loadStaged(store, st, {
    ...opts,
    format: 'parquet',
    t0,
    // The row number in the file is its "line"; the row as JSON is its verbatim form.
    sourceSelect: `SELECT r.rowid + 1 AS line, CAST(NULL AS VARCHAR) AS pre_reason,
      CAST(to_json(r) AS VARCHAR) AS raw_text, ${proj.join(', ')} FROM ${T.raw} r`,
    parseErrors: [],
    unknownColumns: header.filter((c) => !known.has(c)),
    tempTables: [T.raw],
  });
}
