/**
 * Canonical CSV import (`docs/formats.md`). The file is staged as records that know
 * their physical lines (`csvRecords.ts`); `loadStaged` does the rest (validation, rejects,
 * de-duplication, pseudonyms, one transaction).
 */
import { CSV_COLUMNS } from '../model/canonical.ts';
import { invalid } from '../errors/UptakeError.ts';
import type { StagingArea, Store } from '../store/Store.ts';
import { readCsvHeader } from './csvHeader.ts';
import { stageCsv } from './csvRecords.ts';
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

  // 1. The file's records, each with its physical line (`csvRecords.ts`).
  const csv = await stageCsv(st, opts.file, header, (work) =>
    withProgress(st, opts.onProgress, work),
  );
  const proj = [...required, ...optional].map((c) => {
    const i = header.indexOf(c);
    // Values are taken as written (no trimming); an empty field is absent.
    return i >= 0 ? `nullif(c${i}, '') AS "${c}"` : `CAST(NULL AS VARCHAR) AS "${c}"`;
  });
  return loadStaged(store, st, {
    ...opts,
    format: 'csv',
    t0,
    sourceSelect: `SELECT line, pre_reason, raw_text, has_nul, ${proj.join(', ')} FROM (${csv.select}) r`,
    parseErrors: [],
    lines: csv.lines,
    crLines: csv.crLines,
    unknownColumns: unknown,
    tempTables: csv.tables,
  });
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
