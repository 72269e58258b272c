/**
 * Canonical CSV import (`shared/spec/formats.md` §1), with DuckDB's own CSV reader. The file is
 * read once into a staging table of raw text; `loadStaged` does the rest (validation, rejects,
 * de-duplication, pseudonyms, one transaction).
 */
import { CSV_COLUMNS } from '../model/canonical.ts';
import { invalid } from '../errors/UptakeError.ts';
import type { StagingArea, Store } from '../store/Store.ts';
import { readCsvHeader } from './csvHeader.ts';
import { describeSniffed, sniffFormat } from './sniff.ts';
import { loadStaged, T, type ImportOptions, type ImportReport } from './loadStaged.ts';

export type { ImportOptions, ImportReport } from './loadStaged.ts';

/** Import one canonical CSV file into `store`. */
export async function importCsv(store: Store, opts: ImportOptions): Promise<ImportReport> {
  const t0 = Date.now();
  const header = await readCsvHeader(opts.file);
  const { required, optional } = CSV_COLUMNS[opts.table];
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) {
    const looks = await sniffFormat(opts.file);
    throw invalid(
      `${opts.file}, line 1: missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} for ${opts.table}; ` +
        `the header must name ${required.join(', ')} (optional: ${optional.join(', ')})` +
        (looks !== 'canonical-csv' && looks !== 'csv' ? `; ${describeSniffed(looks)}` : ''),
    );
  }
  const dup = header.find((c, i) => header.indexOf(c) !== i);
  if (dup) throw invalid(`${opts.file}, line 1: column ${dup} appears twice; keep one`);
  const known = new Set([...required, ...optional]);
  const unknown = header.filter((c) => c && !known.has(c));

  const st = await store.staging();
  for (const v of [T.good, T.val]) await st.run(`DROP VIEW IF EXISTS ${v}`);
  for (const t of Object.values(T))
    if (t !== T.good && t !== T.val) await st.run(`DROP TABLE IF EXISTS ${t}`);

  // 1. Read the file as text with DuckDB's reader; structural errors go to the CSV rejects table.
  await withProgress(st, opts.onProgress, () =>
    st.run(`CREATE TEMP TABLE ${T.raw} AS SELECT * FROM ${readCsvText(header)}`, [opts.file]),
  );

  // 2. Structural errors, and each good row's line number.
  const { parseErrors, lineSql } = await csvLines(st);
  const proj = [...required, ...optional].map((c) => {
    const i = header.indexOf(c);
    // Values are taken as written (no trimming); an empty field is absent.
    return i >= 0 ? `nullif(c${i}, '') AS "${c}"` : `CAST(NULL AS VARCHAR) AS "${c}"`;
  });
  return loadStaged(store, st, {
    ...opts,
    format: 'csv',
    t0,
    sourceSelect: `SELECT ${lineSql} AS line, CAST(NULL AS VARCHAR) AS pre_reason, CAST(NULL AS VARCHAR) AS raw_text,
      ${proj.join(', ')} FROM ${T.raw}`,
    parseErrors,
    unknownColumns: unknown,
    tempTables: [T.raw, T.rej, T.scan],
  });
}

/**
 * DuckDB's reader of a CSV file (`$1`) with a header row, every column as text named `c0`, `c1`,
 * …; rows it cannot parse go to the CSV rejects tables with their line.
 */
export function readCsvText(header: readonly string[]): string {
  const struct = header.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  return `read_csv($1, header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', columns = {${struct}},
    store_rejects = true, rejects_table = '${T.rej}', rejects_scan = '${T.scan}')`;
}

/**
 * The rows `readCsvText` could not parse (line, reason, verbatim text), and the SQL giving each
 * good row of `T.raw` its line. The reader keeps file order; structural errors shift the count,
 * so a good row k (1-based) is on line k + 1 + (errors i whose line e_i − 2 − i < k).
 */
export async function csvLines(
  st: StagingArea,
): Promise<{ parseErrors: { line: number; reason: string; raw: string }[]; lineSql: string }> {
  const parseErrors = await st.all<{ line: number; reason: string; raw: string }>(
    // DuckDB may report several errors for one line (one per missing column): keep the first.
    `SELECT line, arg_min(error_message, column_idx) AS reason, any_value(csv_line) AS raw
     FROM ${T.rej} GROUP BY line ORDER BY line`,
  );
  const lineSql = parseErrors.length
    ? `rowid + 2 + (SELECT count(*) FROM (SELECT line - 2 - (row_number() OVER (ORDER BY line) - 1) AS thr FROM (SELECT DISTINCT line FROM ${T.rej})) e WHERE e.thr < rowid + 1)`
    : 'rowid + 2';
  return { parseErrors, lineSql };
}

/** Poll the staging engine's progress while `work` runs. */
export async function withProgress<T>(
  st: StagingArea,
  onProgress: ((f: number) => void) | undefined,
  work: () => Promise<T>,
): Promise<T> {
  if (!onProgress) return work();
  const timer = setInterval(() => {
    const p = st.progress();
    if (p !== null) onProgress(p);
  }, 150);
  try {
    const out = await work();
    onProgress(1);
    return out;
  } finally {
    clearInterval(timer);
  }
}
