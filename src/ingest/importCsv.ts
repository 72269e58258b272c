/**
 * Canonical CSV import (`shared/spec/formats.md` §1), with DuckDB's own CSV reader.
 *
 * The file is read once into a staging table of raw text, validated in SQL (each bad row gets a
 * reason naming the field), de-duplicated, pseudonymized, and stored in one transaction: good
 * rows are kept, bad rows are written verbatim to a rejects file with their line and reason, and
 * a re-import stores nothing twice.
 */
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { CSV_COLUMNS, type TableName } from '../model/canonical.ts';
import { invalid } from '../errors/UptakeError.ts';
import type { StagingArea, Store } from '../store/Store.ts';
import { readCsvHeader } from './csvHeader.ts';
import type { Pseudonymizer } from './pseudonymize.ts';
import { instantSql, TABLE_SPECS, typed, TZ } from './tableSpecs.ts';
import { loadActionMap } from './actionMap.ts';

export interface ImportOptions {
  table: TableName;
  file: string;
  /** IANA zone for times without an offset; without it such rows are rejected. */
  sourceTz?: string | undefined;
  /** A CSV `action,category[,name]` that fills `category` where the file leaves it empty. */
  actionMap?: string | undefined;
  pseudonymizer: Pseudonymizer;
  /** Folder for the rejects files (created when needed). */
  rejectsDir: string;
  onProgress?: ((fraction: number) => void) | undefined;
}

export interface ImportReport {
  import_id: number;
  table: TableName;
  format: string;
  file: string;
  rows_read: number;
  rows_stored: number;
  rows_updated: number;
  rows_rejected: number;
  rows_duplicate: number;
  unmapped_events: number;
  top_unmapped_actions: { action: string; events: number }[];
  unknown_columns: string[];
  rejects_file: string | null;
  time_range: { from: string; to: string } | null;
  seconds: number;
}

/** Staging tables of one import (temporary, in the staging DuckDB connection). */
const T = {
  raw: 'imp_raw',
  rej: 'imp_csv_rej',
  scan: 'imp_csv_scan',
  src: 'imp_src',
  val: 'imp_val',
  good: 'imp_good',
  pmap: 'imp_pmap',
};

/** Import one canonical CSV file into `store`. */
export async function importCsv(store: Store, opts: ImportOptions): Promise<ImportReport> {
  const t0 = Date.now();
  const spec = TABLE_SPECS[opts.table];
  const header = await readCsvHeader(opts.file);
  const { required, optional } = CSV_COLUMNS[opts.table];
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) {
    throw invalid(
      `${opts.file}, line 1: missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} for ${opts.table}; ` +
        `the header must name ${required.join(', ')} (optional: ${optional.join(', ')})`,
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
  const struct = header.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  await withProgress(st, opts.onProgress, () =>
    st.run(
      `CREATE TEMP TABLE ${T.raw} AS SELECT * FROM read_csv($1, header = true, auto_detect = false,
         delim = ',', quote = '"', escape = '"', columns = {${struct}},
         store_rejects = true, rejects_table = '${T.rej}', rejects_scan = '${T.scan}')`,
      [opts.file],
    ),
  );

  // 2. Line numbers: the reader keeps file order; structural errors shift the count, so a good
  //    row k (1-based) is on line k + 1 + (errors i whose line e_i − 2 − i < k).
  const parseErrors = await st.all<{ line: number; reason: string; raw: string }>(
    // DuckDB may report several errors for one line (one per missing column): keep the first.
    `SELECT line, arg_min(error_message, column_idx) AS reason, any_value(csv_line) AS raw
     FROM ${T.rej} GROUP BY line ORDER BY line`,
  );
  const lineSql = parseErrors.length
    ? `rowid + 2 + (SELECT count(*) FROM (SELECT line - 2 - (row_number() OVER (ORDER BY line) - 1) AS thr FROM (SELECT DISTINCT line FROM ${T.rej})) e WHERE e.thr < rowid + 1)`
    : 'rowid + 2';
  const proj = [...required, ...optional].map((c) => {
    const i = header.indexOf(c);
    // Values are taken as written (no trimming); an empty field is absent.
    return i >= 0 ? `nullif(c${i}, '') AS "${c}"` : `CAST(NULL AS VARCHAR) AS "${c}"`;
  });

  // 3. Validate and type every row in SQL (one pass over the raw rows).
  const validate = `CREATE TEMP VIEW ${T.val} AS SELECT line, CASE ${spec.reasons.join('\n')} ELSE NULL END AS reason,
       ${spec.columns.map((c) => `${c.sql} AS ${c.name}`).join(', ')}
     FROM (SELECT src.*${spec.instants.map((f) => `, ${instantSql(`src."${f}"`, TZ)} AS ${typed(f)}`).join('')}
           FROM (SELECT ${lineSql} AS line, ${proj.join(', ')} FROM ${T.raw}) src) typed_src`;
  await st.run(`CREATE OR REPLACE TEMP TABLE imp_params AS SELECT CAST($1 AS VARCHAR) AS tz`, [
    opts.sourceTz ?? null,
  ]);
  await st.run(validate);

  // 4. One pass over the validated rows: how many were read and rejected, whether the file has
  //    duplicate keys, how many events lack a category, and the time range of the good rows.
  const keyExpr = spec.key.map((k) => `CAST(${k} AS VARCHAR)`).join(` || chr(31) || `);
  const timeCol = spec.columns.find((c) => c.type === 'TIMESTAMPTZ')?.name;
  const valid = 'FILTER (WHERE reason IS NULL)';
  const hasPatient = spec.columns.some((c) => c.name === 'patient_id');
  const [stats] = await st.all<{
    read: number;
    rejected: number;
    valid: number;
    keys: number;
    uncategorized: number;
    lo: string | null;
    hi: string | null;
    patients: string | null;
  }>(
    `SELECT count(*) AS read, count(reason) AS rejected, count(*) ${valid} AS valid,
       count(DISTINCT ${keyExpr}) ${valid} AS keys,
       ${opts.table === 'events' ? `count(*) FILTER (WHERE reason IS NULL AND category IS NULL)` : '0'} AS uncategorized,
       ${timeCol ? `strftime(min(${timeCol}) ${valid} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')` : 'NULL'} AS lo,
       ${timeCol ? `strftime(max(${timeCol}) ${valid} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')` : 'NULL'} AS hi,
       ${hasPatient ? `to_json(list(DISTINCT patient_id) FILTER (WHERE reason IS NULL AND patient_id IS NOT NULL))` : 'NULL'} AS patients
     FROM ${T.val}`,
  );
  const read = stats?.read ?? 0;
  const good = stats?.keys ?? 0;
  const rowsRead = read + parseErrors.length;
  const inFileDuplicates = (stats?.valid ?? 0) - good;

  // 5. The rows to store, as a view computed once while storing: the first occurrence of each key
  //    within the file (the last one for the roster; the de-duplicating window only runs when the
  //    file has duplicate keys), categories from the action map ('other' when unmapped), and
  //    pseudonyms instead of patient identifiers.
  const dedup = inFileDuplicates
    ? `SELECT * EXCLUDE (reason) FROM ${T.val} WHERE reason IS NULL
       QUALIFY row_number() OVER (PARTITION BY ${spec.key.join(', ')} ORDER BY line ${spec.upsert ? 'DESC' : 'ASC'}) = 1`
    : `SELECT * EXCLUDE (reason) FROM ${T.val} WHERE reason IS NULL`;
  if (hasPatient)
    await pseudonymMap(st, opts.pseudonymizer, JSON.parse(stats?.patients ?? '[]') as string[]);
  const replace = [
    hasPatient ? 'pm.pid AS patient_id' : null,
    opts.table === 'events' ? `coalesce(g.category, m.category, 'other') AS category` : null,
  ].filter(Boolean);
  const mapTable = opts.table === 'events' ? await loadActionMap(st, opts.actionMap) : null;
  await st.run(
    `CREATE TEMP VIEW ${T.good} AS SELECT g.* ${replace.length ? `REPLACE (${replace.join(', ')})` : ''}
       ${mapTable ? ', (g.category IS NULL AND m.category IS NULL) AS unmapped' : ''}
     FROM (${dedup}) g
     ${hasPatient ? `LEFT JOIN ${T.pmap} pm ON pm.raw = g.patient_id` : ''}
     ${mapTable ? `LEFT JOIN ${mapTable} m ON m.action = g.action` : ''}`,
  );

  // 6. Events whose action the map does not know, most frequent first, so the user knows what
  //    to map next (only looked for when some events came without a category).
  const topUnmapped =
    mapTable && stats?.uncategorized
      ? await st.all<{ action: string; events: number }>(
          `SELECT action, count(*) AS events FROM ${T.good} WHERE unmapped GROUP BY action ORDER BY events DESC, action`,
        )
      : [];
  const unmapped = topUnmapped.reduce((n, a) => n + a.events, 0);
  topUnmapped.splice(20);
  const range = stats;
  const rejectLines = stats?.rejected
    ? await st.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM ${T.val} WHERE reason IS NOT NULL ORDER BY line`,
      )
    : [];

  // 7. Store everything in one transaction.
  const result = await store.transaction(async (tx) => {
    const [next] = await tx.all<{ id: number }>(
      `SELECT coalesce(max(import_id), 0) + 1 AS id FROM imports`,
    );
    const importId = next?.id ?? 1;
    const up = await store.upload(tx, T.good, spec.columns);
    const cols = spec.columns.map((c) => c.name);
    const match = spec.key.map((k) => `t.${k} = s.${k}`).join(' AND ');
    let updated = 0;
    if (spec.upsert) {
      const changed = cols
        .filter((c) => !spec.key.includes(c))
        .map((c) => `t.${c} IS DISTINCT FROM s.${c}`)
        .join(' OR ');
      updated = await tx.exec(
        `DELETE FROM ${spec.table} t WHERE EXISTS (SELECT 1 FROM ${up} s WHERE ${match} AND (${changed}))`,
      );
    }
    const stored = await tx.exec(
      `INSERT INTO ${spec.table} (${cols.join(', ')}, import_id)
       SELECT ${cols.map((c) => `s.${c}`).join(', ')}, $1 FROM ${up} s
       WHERE NOT EXISTS (SELECT 1 FROM ${spec.table} t WHERE ${match})`,
      [importId],
    );
    const rejected = parseErrors.length + rejectLines.length;
    const report: ImportReport = {
      import_id: importId,
      table: opts.table,
      format: 'csv',
      file: opts.file,
      rows_read: rowsRead,
      rows_stored: stored - updated,
      rows_updated: updated,
      rows_rejected: rejected,
      rows_duplicate: inFileDuplicates + (good - stored),
      unmapped_events: unmapped,
      top_unmapped_actions: topUnmapped,
      unknown_columns: unknown,
      rejects_file: null,
      time_range: range?.lo && range.hi ? { from: range.lo, to: range.hi } : null,
      seconds: 0,
    };
    const allRejects = [
      ...parseErrors.map((r) => ({
        line: r.line,
        reason: `the line is not valid CSV: ${r.reason}`,
      })),
      ...rejectLines,
    ].sort((a, b) => a.line - b.line);
    for (let i = 0; i < allRejects.length; i += 500) {
      const chunk = allRejects.slice(i, i + 500);
      await tx.run(
        `INSERT INTO import_rejects (import_id, line, reason) VALUES ${chunk.map((_, j) => `($1, $${2 * j + 2}, $${2 * j + 3})`).join(', ')}`,
        [importId, ...chunk.flatMap((r) => [r.line, r.reason])],
      );
    }
    if (allRejects.length) {
      report.rejects_file = await writeRejectsFile(opts, importId, allRejects, parseErrors);
    }
    report.seconds = (Date.now() - t0) / 1000;
    await tx.run(
      `INSERT INTO imports (import_id, table_name, format, file, started_at, finished_at, rows_read, rows_stored,
         rows_rejected, rows_duplicate, unmapped, report)
       VALUES ($1, $2, 'csv', $3, CAST($4 AS TIMESTAMPTZ), CAST($5 AS TIMESTAMPTZ), $6, $7, $8, $9, $10, $11)`,
      [
        importId,
        opts.table,
        opts.file,
        new Date(t0).toISOString(),
        new Date().toISOString(),
        report.rows_read,
        report.rows_stored,
        report.rows_rejected,
        report.rows_duplicate,
        report.unmapped_events,
        JSON.stringify(report),
      ],
    );
    return report;
  });
  await st.run(`DROP VIEW IF EXISTS ${T.good}`);
  await st.run(`DROP VIEW IF EXISTS ${T.val}`);
  for (const t of [T.raw, T.pmap, 'imp_amap', 'imp_params'])
    await st.run(`DROP TABLE IF EXISTS ${t}`);
  return result;
}

/** Poll the staging engine's progress while `work` runs. */
async function withProgress<T>(
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

/**
 * The table `imp_pmap(raw, pid)` of pseudonyms for the distinct patient identifiers of the valid
 * rows: each distinct value is hashed once, whatever the number of rows that carry it.
 */
async function pseudonymMap(st: StagingArea, p: Pseudonymizer, distinct: string[]): Promise<void> {
  await st.run(`CREATE TEMP TABLE ${T.pmap} (raw VARCHAR, pid VARCHAR)`);
  await st.appendText(
    T.pmap,
    distinct.map((v) => [v, p.pseudonym('patient', v)]),
  );
}

/**
 * Write the rejected rows, verbatim, with line and reason, to `<rejectsDir>/import-<id>.csv`
 * (owner-only: rejected rows may carry raw identifiers, which is why they stay out of the store).
 */
async function writeRejectsFile(
  opts: ImportOptions,
  importId: number,
  rejects: { line: number; reason: string }[],
  parseErrors: { line: number; raw: string }[],
): Promise<string> {
  const raw = new Map<number, string>(
    parseErrors.map((e) => [e.line, e.raw.replace(/\r?\n$/, '')]),
  );
  const wanted = new Set(rejects.filter((r) => !raw.has(r.line)).map((r) => r.line));
  if (wanted.size) {
    let n = 0;
    const rl = createInterface({ input: createReadStream(opts.file), crlfDelay: Infinity });
    for await (const line of rl) {
      n++;
      if (wanted.has(n)) {
        raw.set(n, line);
        wanted.delete(n);
        if (!wanted.size) break;
      }
    }
    rl.close();
  }
  await mkdir(opts.rejectsDir, { recursive: true, mode: 0o700 });
  const path = join(
    opts.rejectsDir,
    `import-${importId}-${opts.table}-${basename(opts.file)}.rejects.csv`,
  );
  const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const body =
    [
      'line,reason,row',
      ...rejects.map((r) => `${r.line},${q(r.reason)},${q(raw.get(r.line) ?? '')}`),
    ].join('\n') + '\n';
  await writeFile(path, body, { mode: 0o600 });
  return path;
}
