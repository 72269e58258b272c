/**
 * The shared half of every import, whatever the source format: validation and typing of the
 * canonical text columns in SQL, de-duplication, action-map categories, pseudonyms, and one
 * transaction that stores the good rows, the rejects and the report.
 */
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ImportTable } from '../model/canonical.ts';
import { quoteLiteral } from '../store/quote.ts';
import type { Sql, StagingArea, Store } from '../store/Store.ts';
import type { IdentifierType, Pseudonymizer } from './pseudonymize.ts';
import { hasNoOffset, instantSql, TABLE_SPECS, typed, TZ, windowReasons } from './tableSpecs.ts';
import type { CsvLines } from './csvRecords.ts';
import { instantWindow } from '../store/settings.ts';
import { localTimeSql, offsetsTableSql } from './localTime.ts';
import { loadActionMap } from './actionMap.ts';
import { trackPendingFile } from '../store/tempFiles.ts';

/**
 * The id of a new entry of `imports` (an import, or the removal of one), inside the transaction
 * `tx` that will insert it: one more than the largest so far. Where several processes can write
 * (PostgreSQL: a CLI import beside an upload), the dialect's lock makes this transaction the only
 * one allocating until it ends, so two imports never take the same id (the second waits).
 */
export async function nextImportId(store: Store, tx: Sql): Promise<number> {
  if (store.dialect.lockImports) await tx.run(store.dialect.lockImports);
  const [next] = await tx.all<{ id: number }>(
    `SELECT coalesce(max(import_id), 0) + 1 AS id FROM imports`,
  );
  return Number(next?.id ?? 1);
}

export interface ImportOptions {
  table: ImportTable;
  file: string;
  /**
   * What the report and the imports table call the file, where `file` is a temporary copy (an
   * upload: its own name, never the server's temporary path). Default: `file`.
   */
  label?: string | undefined;
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
  table: ImportTable;
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
  /** The rejects files, one per input file, when an import read several files. */
  rejects_files?: string[];
  time_range: { from: string; to: string } | null;
  seconds: number;
  /** Format-specific counts, e.g. ambiguous local times resolved. */
  notes?: Record<string, number>;
  /**
   * How the physical lines of a CSV file divide (absent for other formats):
   * `total = header + blank + continued + rows_read`, and every row read is stored, updated,
   * already present or rejected: `rows_read = rows_stored + rows_updated + rows_duplicate +
   * rows_rejected`.
   */
  lines?: CsvLines;
}

/** Staging tables of one import (temporary, in the staging DuckDB connection). */
export const T = {
  raw: 'imp_raw',
  rej: 'imp_csv_rej',
  scan: 'imp_csv_scan',
  src: 'imp_src',
  val: 'imp_val',
  good: 'imp_good',
  pmap: 'imp_pmap',
  off: 'imp_local_off',
};

/** What a format adapter hands to the shared half of an import. */
export interface StagedSource extends ImportOptions {
  format: string;
  t0: number;
  /**
   * SQL over the adapter's staging tables giving one row per source record: `line` (or entry
   * position), `pre_reason` (why the record cannot be mapped at all, else NULL), the raw text
   * columns of the canonical table (named as in the canonical CSV), and `raw_text` (the record
   * verbatim for the rejects file, or NULL to re-read the file's line).
   */
  sourceSelect: string;
  /** Records the reader itself could not parse, with line, reason and verbatim text. */
  parseErrors: { line: number; reason: string; raw: string }[];
  /** How the file's physical lines divide (CSV formats), for the report. */
  lines?: CsvLines;
  /** The file's lines end with a lone CR (no LF in it): the rejects file re-reads lines so. */
  crLines?: boolean;
  /**
   * What the source calls a canonical field, for the reasons given here (NUL bytes, the instant
   * window): e.g. Epic's ACCESS_TIME for occurred_at.
   */
  fieldNames?: Partial<Record<string, string>>;
  /**
   * The input files when an import reads several (FHIR): `sourceSelect` then gives each row's
   * `file_no` (0-based), and the rejects are written to one file per input file.
   */
  files?: string[];
  unknownColumns: string[];
  /** Staging tables to drop at the end. */
  tempTables: string[];
  /** Extra counts for the report (e.g. ambiguous local times resolved). */
  notes?: Record<string, number>;
  /** The adapter turned local times into instants itself (Epic): no source-zone resolution here. */
  localTimesResolved?: boolean;
  /**
   * A staging table `(action, name)` of the actions' human names (e.g. Epic's METRIC_NAME): the
   * report lists an unmapped action that has one as `action (name)`.
   */
  actionNames?: string;
  /** Runs inside the import's transaction after the rows are stored (e.g. to save action names). */
  afterStore?: (tx: Sql, importId: number) => Promise<void>;
}

/**
 * The shared half of every import: validate and type the canonical text columns in SQL, de-duplicate,
 * map categories, pseudonymize, and store in one transaction with rejects and a report.
 */
export async function loadStaged(
  store: Store,
  st: StagingArea,
  src: StagedSource,
): Promise<ImportReport> {
  const opts = src;
  const t0 = src.t0;
  const spec = TABLE_SPECS[opts.table];
  const parseErrors = src.parseErrors;
  const unknown = src.unknownColumns;

  // 3. Validate and type every row in SQL (one pass over the raw rows).
  const window = await instantWindow(store);
  await st.run(`CREATE OR REPLACE TEMP TABLE imp_params AS SELECT CAST($1 AS VARCHAR) AS tz`, [
    opts.sourceTz ?? null,
  ]);
  // A NUL byte cannot be stored by PostgreSQL: a row holding one is rejected on every engine.
  let textColumns = (
    await st.all<{ column_name: string }>(
      `SELECT column_name FROM (DESCRIBE SELECT * FROM (${src.sourceSelect}) x)`,
    )
  ).map((c) => c.column_name);
  // A source that knows which records hold a NUL byte (`has_nul`, e.g. from the line it read)
  // spares the other records a search of every field.
  const nulHint = textColumns.includes('has_nul') ? 'has_nul AND ' : '';
  textColumns = textColumns.filter(
    (c) => !['line', 'pre_reason', 'raw_text', 'file_no', 'has_nul'].includes(c),
  );
  const fileNo = src.files && src.files.length > 1 ? 'file_no' : 'CAST(0 AS BIGINT)';
  const named = (c: string) => src.fieldNames?.[c] ?? c;
  const nulReasons = textColumns.map(
    (c) =>
      `WHEN ${nulHint}contains("${c}", chr(0)) THEN '${named(c)} holds a NUL byte (character 0), which cannot be stored; remove it'`,
  );
  //    Times without an offset are local times of the source zone, resolved exactly
  //    (`localTime.ts`): a time the clocks skipped is rejected, a repeated one takes the earlier
  //    instant and is counted. The offsets of the dates concerned come from one pass over them.
  const local = opts.sourceTz && spec.instants.length && !src.localTimesResolved;
  const zone = local ? quoteLiteral(opts.sourceTz!) : '';
  const offJoin = (f: string, i: number) =>
    `LEFT JOIN ${T.off} o${i} ON o${i}.d = CAST(TRY_CAST(src."${f}" AS TIMESTAMP) AS DATE)`;
  const joins = local ? spec.instants.map(offJoin).join(' ') : '';
  let ambiguous = 0;
  if (local) {
    const dates = spec.instants
      .map(
        (f) =>
          `SELECT CAST(TRY_CAST("${f}" AS TIMESTAMP) AS DATE) AS d FROM (${src.sourceSelect}) x WHERE ${hasNoOffset(`"${f}"`)}`,
      )
      .join(' UNION ');
    await st.run(offsetsTableSql(T.off, dates, zone));
    const [changes] = await st.all<{ n: number }>(
      `SELECT count(*) AS n FROM ${T.off} WHERE NOT simple`,
    );
    if (changes?.n) {
      const later = spec.instants
        .map(
          (f, i) =>
            `(${hasNoOffset(`src."${f}"`)} AND ${localTimeSql(`TRY_CAST(src."${f}" AS TIMESTAMP)`, `o${i}`, zone).laterUtc} IS NOT NULL)`,
        )
        .join(' OR ');
      const [amb] = await st.all<{ n: number }>(
        `SELECT count(*) AS n FROM (${src.sourceSelect}) src ${joins} WHERE src.pre_reason IS NULL AND (${later})`,
      );
      ambiguous = Number(amb?.n ?? 0);
    }
  }
  const instant = (f: string, i: number) =>
    instantSql(
      `src."${f}"`,
      TZ,
      local
        ? {
            earlierUtc: localTimeSql(`TRY_CAST(src."${f}" AS TIMESTAMP)`, `o${i}`, zone).earlierUtc,
          }
        : undefined,
    );
  const reasons = [...nulReasons, ...spec.reasons, ...windowReasons(spec.instants, window, named)];
  const validate = (
    reason: string,
  ) => `CREATE OR REPLACE TEMP VIEW ${T.val} AS SELECT ${fileNo} AS file_no, line, raw_text, ${reason} AS reason,
       ${spec.columns.map((c) => `${c.sql} AS ${c.name}`).join(', ')}
     FROM (SELECT src.*${spec.instants.map((f, i) => `, ${instant(f, i)} AS ${typed(f)}`).join('')}
           FROM (${src.sourceSelect}) src ${joins}) typed_src`;
  await st.run(
    validate(
      `CASE WHEN pre_reason IS NOT NULL THEN pre_reason ${reasons.join('\n')} ELSE NULL END`,
    ),
  );

  // 4. One pass over the validated rows: how many were read and rejected, whether the file has
  //    duplicate keys, how many events lack a category, and the time range of the good rows.
  // Distinct keys are counted by their hashes first (cheaper than the keys): as many hashes as
  // valid rows proves there are no duplicates; fewer (duplicates, or a collision) and the keys
  // themselves are counted.
  const keyTuple = `row(${spec.key.join(', ')})`;
  const timeCol = spec.columns.find((c) => c.type === 'TIMESTAMPTZ')?.name;
  const valid = 'FILTER (WHERE reason IS NULL)';
  const hasPatient = spec.columns.some((c) => c.name === 'patient_id');
  const bySource = spec.key.includes('source');
  const [stats] = await st.all<{
    read: number;
    rejected: number;
    valid: number;
    keys: number;
    uncategorized: number;
    lo: string | null;
    hi: string | null;
    patients: string | null;
    sources: string | null;
  }>(
    `SELECT count(*) AS read, count(reason) AS rejected, count(*) ${valid} AS valid,
       count(DISTINCT hash(${spec.key.join(', ')})) ${valid} AS keys,
       ${opts.table === 'events' ? `count(*) FILTER (WHERE reason IS NULL AND category IS NULL)` : '0'} AS uncategorized,
       ${timeCol ? `strftime(min(${timeCol}) ${valid} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')` : 'NULL'} AS lo,
       ${timeCol ? `strftime(max(${timeCol}) ${valid} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')` : 'NULL'} AS hi,
       ${hasPatient ? `to_json(list(DISTINCT patient_id) FILTER (WHERE reason IS NULL AND patient_id IS NOT NULL))` : 'NULL'} AS patients,
       ${bySource ? `to_json(list(DISTINCT source) ${valid})` : 'NULL'} AS sources
     FROM ${T.val}`,
  );
  const read = stats?.read ?? 0;
  // Every row valid (the usual case): the passes that store them need not judge them again —
  // the reasons are most of a row's cost, and the same SQL over the same rows gives the same.
  if (!stats?.rejected) await st.run(validate('CAST(NULL AS VARCHAR)'));
  let good = Number(stats?.keys ?? 0);
  if (good !== Number(stats?.valid ?? 0)) {
    const [k] = await st.all<{ n: number }>(
      `SELECT count(DISTINCT ${keyTuple}) ${valid} AS n FROM ${T.val}`,
    );
    good = Number(k?.n ?? 0);
  }
  const rowsRead = read + parseErrors.length;
  const inFileDuplicates = (stats?.valid ?? 0) - good;

  // 5. The rows to store, as a view computed once while storing: the first occurrence of each key
  //    within the file (the last one for the roster; the de-duplicating window only runs when the
  //    file has duplicate keys), categories from the action map ('other' when unmapped), and
  //    pseudonyms instead of patient identifiers.
  const dedup = inFileDuplicates
    ? `SELECT * EXCLUDE (file_no, reason, raw_text) FROM ${T.val} WHERE reason IS NULL
       QUALIFY row_number() OVER (PARTITION BY ${spec.key.join(', ')} ORDER BY line ${spec.upsert ? 'DESC' : 'ASC'}) = 1`
    : `SELECT * EXCLUDE (file_no, reason, raw_text) FROM ${T.val} WHERE reason IS NULL`;
  if (hasPatient)
    await pseudonymMap(st, opts.pseudonymizer, JSON.parse(stats?.patients ?? '[]') as string[]);
  // Other identifier columns (the patient side's resource and message ids): one map each.
  const idColumns = Object.entries(spec.pseudonymized ?? {});
  for (const [i, [column, type]] of idColumns.entries())
    await identifierMap(st, opts.pseudonymizer, type, idMapTable(i), column);
  // The built-in action map is only joined when some events came without a category (a map
  // the user names is always read, so that a wrong one is always reported).
  const mapTable =
    opts.table === 'events' && (stats?.uncategorized || opts.actionMap)
      ? await loadActionMap(st, opts.actionMap)
      : null;
  const replace = [
    hasPatient ? 'pm.pid AS patient_id' : null,
    ...idColumns.map(([column], i) => `x${i}.pid AS ${column}`),
    mapTable ? `coalesce(g.category, m.category, 'other') AS category` : null,
  ].filter(Boolean);
  await st.run(
    `CREATE TEMP VIEW ${T.good} AS SELECT g.* ${replace.length ? `REPLACE (${replace.join(', ')})` : ''}
       ${mapTable ? ', (g.category IS NULL AND m.category IS NULL) AS unmapped' : ''}
     FROM (${dedup}) g
     ${hasPatient ? `LEFT JOIN ${T.pmap} pm ON pm.raw = g.patient_id` : ''}
     ${idColumns.map(([column], i) => `LEFT JOIN ${idMapTable(i)} x${i} ON x${i}.raw = g.${column}`).join('\n')}
     ${mapTable ? `LEFT JOIN ${mapTable} m ON m.action = g.action` : ''}`,
  );

  // 6. Events whose action the map does not know, most frequent first, so the user knows what
  //    to map next (only looked for when some events came without a category).
  const topUnmapped =
    mapTable && stats?.uncategorized
      ? await st.all<{ action: string; events: number }>(
          src.actionNames
            ? `SELECT coalesce(u.action || ' (' || n.name || ')', u.action) AS action, u.events
               FROM (SELECT action, count(*) AS events FROM ${T.good} WHERE unmapped GROUP BY action) u
               LEFT JOIN ${src.actionNames} n ON n.action = u.action ORDER BY u.events DESC, u.action`
            : `SELECT action, count(*) AS events FROM ${T.good} WHERE unmapped GROUP BY action ORDER BY events DESC, action`,
        )
      : [];
  const unmapped = topUnmapped.reduce((n, a) => n + a.events, 0);
  topUnmapped.splice(20);
  const range = stats;
  // The rejects, kept in the staging area (never all in memory): the reader's parse errors and
  //    the rows with a reason, numbered in the order of the rejects files (file, line).
  await st.run(
    `CREATE OR REPLACE TEMP TABLE ${REJ}_pe (file_no VARCHAR, line VARCHAR, reason VARCHAR, raw_text VARCHAR)`,
  );
  if (parseErrors.length)
    await st.appendText(
      `${REJ}_pe`,
      parseErrors.map((e) => [
        '0',
        String(e.line),
        `the line is not valid ${src.format === 'fhir' ? 'JSON' : 'CSV'}: ${e.reason}`,
        e.raw.replace(/\r?\n$/, ''),
      ]),
    );
  await st.run(
    `CREATE OR REPLACE TEMP TABLE ${REJ} AS
     SELECT row_number() OVER (ORDER BY file_no, line) AS k, * FROM (
       SELECT CAST(file_no AS BIGINT) AS file_no, CAST(line AS BIGINT) AS line, reason, raw_text FROM ${REJ}_pe
       ${stats?.rejected ? `UNION ALL SELECT file_no, line, reason, raw_text FROM ${T.val} WHERE reason IS NOT NULL` : ''})`,
  );
  const rejected = parseErrors.length + Number(stats?.rejected ?? 0);

  /** True when no stored row can share a key with a row of the file. */
  const cannotCollide = async (tx: Sql): Promise<boolean> => {
    if (spec.upsert) return false;
    if (bySource) {
      const sources = JSON.parse(stats?.sources ?? '[]') as string[];
      if (sources.length > 100) return false;
      if (!sources.length) return true;
      const [hit] = await tx.all(
        `SELECT 1 AS x FROM ${spec.table} WHERE source IN (${sources.map((_, i) => `$${i + 1}`).join(', ')}) LIMIT 1`,
        sources,
      );
      return !hit;
    }
    const [hit] = await tx.all(`SELECT 1 AS x FROM ${spec.table} LIMIT 1`);
    return !hit;
  };

  /** The report, the rejects file and the import's row, once the rows are stored. */
  const finish = async (
    tx: Sql,
    importId: number,
    stored: number,
    updated: number,
  ): Promise<ImportReport> => {
    const report: ImportReport = {
      import_id: importId,
      table: opts.table,
      format: src.format,
      file: opts.label ?? opts.file,
      rows_read: rowsRead,
      ...(src.notes || ambiguous
        ? {
            notes: {
              ...src.notes,
              ...(ambiguous ? { ambiguous_local_times_resolved_earlier: ambiguous } : {}),
            },
          }
        : {}),
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
      ...(src.lines ? { lines: src.lines } : {}),
    };
    if (rejected) {
      const up = await store.upload(tx, REJ, [
        { name: 'line', type: 'BIGINT' },
        { name: 'reason', type: 'VARCHAR' },
      ]);
      await tx.run(
        `INSERT INTO import_rejects (import_id, line, reason) SELECT $1, line, reason FROM ${up}`,
        [importId],
      );
      const paths = await writeRejectsFiles(
        st,
        opts,
        importId,
        src.files && src.files.length > 1 ? src.files : [opts.file],
        src.crLines ? '\r' : '\n',
        pending,
      );
      report.rejects_file = paths[0] ?? null;
      if (paths.length > 1) report.rejects_files = paths;
    }
    if (src.afterStore) await src.afterStore(tx, importId);
    report.seconds = (Date.now() - t0) / 1000;
    await tx.run(
      `INSERT INTO imports (import_id, table_name, format, file, started_at, finished_at, rows_read, rows_stored,
       rows_rejected, rows_duplicate, unmapped, report)
     VALUES ($1, $2, $12, $3, CAST($4 AS TIMESTAMPTZ), CAST($5 AS TIMESTAMPTZ), $6, $7, $8, $9, $10, $11)`,
      [
        importId,
        opts.table,
        opts.label ?? opts.file,
        new Date(t0).toISOString(),
        new Date().toISOString(),
        report.rows_read,
        report.rows_stored,
        report.rows_rejected,
        report.rows_duplicate,
        report.unmapped_events,
        JSON.stringify(report),
        src.format,
      ],
    );
    return report;
  };

  // 7. Store everything in one transaction. The rejects files it writes belong to it: removed when
  //    it fails (or the process is stopped before it commits), kept when it commits.
  const pending: PendingFile[] = [];
  const result = await store
    .transaction(async (tx) => {
      const importId = await nextImportId(store, tx);
      // No stored row can share a key with the file's rows (a new source of events, or an empty
      // table): append them as they are — on PostgreSQL without a temporary copy and an anti-join.
      if (await cannotCollide(tx)) {
        const stored = await store.appendStaged(tx, T.good, spec.columns, spec.table, importId);
        return finish(tx, importId, stored, 0);
      }
      const up = await store.upload(tx, T.good, spec.columns);
      const cols = spec.columns.map((c) => c.name);
      const match = spec.key.map((k) => `t.${k} = s.${k}`).join(' AND ');
      const keys = spec.key.map((k) => `s.${k}`).join(', ');
      const tuple = spec.key.length === 1 ? spec.key[0]! : `(${spec.key.join(', ')})`;
      // First the keys of the file that are stored already, by one join of the staged rows with
      // the table (and, for a keyed table, whether a stored row differs); then the writes read
      // only the staged rows and that list. No statement writes a table while a correlated
      // subquery reads it beside a temporary table: a distributed table (Citus) cannot run that,
      // and every engine runs the join and the anti-join as hash joins.
      const met = 'up_met';
      const changed = spec.upsert
        ? cols
            .filter((c) => !spec.key.includes(c))
            .map((c) => `t.${c} IS DISTINCT FROM s.${c}`)
            .join(' OR ')
        : 'false';
      await tx.run(store.dialect.dropTempTable(met));
      await tx.run(
        store.dialect.createTempTable(
          met,
          `SELECT ${keys}, bool_or(${changed}) AS changed FROM ${up} s JOIN ${spec.table} t ON ${match} GROUP BY ${keys}`,
        ),
      );
      let updated = 0;
      if (spec.upsert)
        updated = await tx.exec(
          `DELETE FROM ${spec.table} WHERE ${tuple} IN (SELECT ${spec.key.join(', ')} FROM ${met} WHERE changed)`,
        );
      const stored = await tx.exec(
        `INSERT INTO ${spec.table} (${cols.join(', ')}, import_id)
       SELECT ${cols.map((c) => `s.${c}`).join(', ')}, $1 FROM ${up} s
       LEFT JOIN (SELECT ${spec.key.join(', ')} FROM ${met} WHERE NOT changed) t ON ${match}
       WHERE t.${spec.key[0]} IS NULL`,
        [importId],
      );
      await tx.run(store.dialect.dropTempTable(met));
      return finish(tx, importId, stored, updated);
    })
    .catch(async (e: unknown) => {
      // (Unless the connection was lost while committing: then the import may have been stored,
      // and its rejects file is kept for it.)
      const unknownOutcome = (e as { whileCommitting?: boolean }).whileCommitting === true;
      for (const f of pending) {
        if (!unknownOutcome) await rm(f.path, { force: true }).catch(() => undefined);
        f.settle();
      }
      throw e;
    });
  for (const f of pending) f.settle();
  await st.run(`DROP VIEW IF EXISTS ${T.good}`);
  await st.run(`DROP VIEW IF EXISTS ${T.val}`);
  const idMaps = idColumns.flatMap((_, i) => [idMapTable(i), `${idMapTable(i)}_raw`]);
  for (const t of [
    ...src.tempTables,
    T.pmap,
    T.off,
    'imp_amap',
    'imp_params',
    REJ,
    `${REJ}_pe`,
    ...idMaps,
  ])
    await st.run(`DROP TABLE IF EXISTS ${t}`);
  return result;
}

/** The staging table `(raw, pid)` of the pseudonyms of the `i`-th other identifier column. */
const idMapTable = (i: number) => `imp_idmap${i}`;

/**
 * The table `table(raw, pid)` of pseudonyms of type `type` for the distinct values of `column`
 * in the valid rows. Unlike patients, these ids can be as many as the rows (one per message), so
 * the distinct values stay in the staging area and are hashed page by page, never all in memory.
 */
async function identifierMap(
  st: StagingArea,
  p: Pseudonymizer,
  type: IdentifierType,
  table: string,
  column: string,
): Promise<void> {
  await st.run(
    `CREATE OR REPLACE TEMP TABLE ${table}_raw AS SELECT row_number() OVER (ORDER BY raw) AS k, raw
     FROM (SELECT DISTINCT "${column}" AS raw FROM ${T.val} WHERE reason IS NULL AND "${column}" IS NOT NULL)`,
  );
  await st.run(`CREATE OR REPLACE TEMP TABLE ${table} (raw VARCHAR, pid VARCHAR)`);
  for (let last = 0; ;) {
    const page = await st.all<{ k: number; raw: string }>(
      `SELECT k, raw FROM ${table}_raw WHERE k > $1 ORDER BY k LIMIT 50000`,
      [last],
    );
    if (!page.length) break;
    await st.appendText(
      table,
      page.map((r) => [r.raw, p.pseudonym(type, r.raw)]),
    );
    last = Number(page[page.length - 1]!.k);
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
 * The staging table of an import's rejects: `(k, file_no, line, reason, raw_text)` (`k` numbers
 * them in file and line order). Other importers of the same guarantees (survey responses) fill it
 * and call `writeRejectsFiles`.
 */
export const REJ = 'imp_rej';

/**
 * Reads the physical lines of a file in order, streamed: lines end with `\n` (a CR before it is
 * part of the line end) or, in a file without LF, with `\r`; a BOM before the first line is not
 * part of it. `get(n)` returns line n (n never smaller than the last asked), or null past the end.
 */
class LineSeeker {
  private n = 1;
  private buf = Buffer.alloc(0);
  private pos = 0;
  private eof = false;
  private last: [number, string | null] = [0, null];
  private readonly end: number;
  private constructor(
    private readonly fh: FileHandle,
    private readonly lineEnd: '\n' | '\r',
  ) {
    this.end = lineEnd.charCodeAt(0);
  }
  static async open(file: string, lineEnd: '\n' | '\r'): Promise<LineSeeker> {
    return new LineSeeker(await open(file, 'r'), lineEnd);
  }
  private async fill(): Promise<boolean> {
    if (this.eof) return false;
    // a new buffer each time: parts of a line may still point into the last one
    const buf = Buffer.alloc(1 << 20);
    const { bytesRead } = await this.fh.read(buf, 0, buf.length, null);
    if (!bytesRead) this.eof = true;
    this.buf = buf.subarray(0, bytesRead);
    this.pos = 0;
    return bytesRead > 0;
  }
  async get(target: number): Promise<string | null> {
    if (target === this.last[0]) return this.last[1];
    const text = await this.read(target);
    this.last = [target, text];
    return text;
  }
  private async read(target: number): Promise<string | null> {
    while (this.n < target) {
      if (this.pos >= this.buf.length && !(await this.fill())) return null;
      const i = this.buf.indexOf(this.end, this.pos);
      if (i < 0) this.pos = this.buf.length;
      else {
        this.n++;
        this.pos = i + 1;
      }
    }
    const parts: Buffer[] = [];
    for (;;) {
      if (this.pos >= this.buf.length && !(await this.fill())) break;
      const i = this.buf.indexOf(this.end, this.pos);
      if (i >= 0) {
        parts.push(this.buf.subarray(this.pos, i));
        this.pos = i + 1;
        break;
      }
      parts.push(this.buf.subarray(this.pos));
      this.pos = this.buf.length;
    }
    if (!parts.length && this.eof) return null;
    this.n++;
    let text = Buffer.concat(parts).toString('utf8');
    if (target === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (this.lineEnd === '\n' && text.endsWith('\r')) text = text.slice(0, -1);
    return text;
  }
  close(): Promise<void> {
    return this.fh.close();
  }
}

/** A rejects file written inside an import's transaction, and how to stop tracking it. */
export interface PendingFile {
  path: string;
  settle: () => void;
}

/**
 * Create a new rejects file `<dir>/<base>.rejects.csv` (owner-only) without ever replacing a file
 * that is there already — one left by an import that was killed before it committed (whose id a
 * later import then takes), or one of another store sharing the folder (PostgreSQL stores share
 * `./uptake-rejects`): the new file is then `<base>.2.rejects.csv`, `.3.`, … Nothing is lost.
 */
async function createRejectsFile(
  dir: string,
  base: string,
): Promise<{ path: string; out: FileHandle }> {
  for (let n = 1; ; n++) {
    const path = join(dir, n === 1 ? `${base}.rejects.csv` : `${base}.${n}.rejects.csv`);
    try {
      return { path, out: await open(path, 'wx', 0o600) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 1000) throw e;
    }
  }
}

/**
 * Write the rejected rows, verbatim, with line and reason, to
 * `<rejectsDir>/import-<id>-<table>-<file name>.rejects.csv` (never over an existing file: see
 * `createRejectsFile`), one file per input file that had rejects (owner-only: rejected rows may
 * carry raw identifiers, which is why they stay out of the store). Streamed from the staging
 * table of rejects; a row without its own verbatim text is re-read from its file by its line.
 * Each file is added to `pending` as soon as it exists (its import has not committed yet).
 * Returns the paths written.
 */
export async function writeRejectsFiles(
  st: StagingArea,
  opts: Pick<ImportOptions, 'rejectsDir' | 'file'> & { table: string },
  importId: number,
  files: string[],
  lineEnd: '\n' | '\r',
  pending: PendingFile[],
): Promise<string[]> {
  await mkdir(opts.rejectsDir, { recursive: true, mode: 0o700 });
  const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const paths: string[] = [];
  const fileNos = await st.all<{ file_no: number }>(
    `SELECT DISTINCT file_no FROM ${REJ} ORDER BY file_no`,
  );
  for (const { file_no } of fileNos) {
    const file = files[Number(file_no)] ?? opts.file;
    const { path, out } = await createRejectsFile(
      opts.rejectsDir,
      `import-${importId}-${opts.table}-${basename(file)}`,
    );
    pending.push({ path, settle: trackPendingFile(path) });
    const seeker = await LineSeeker.open(file, lineEnd).catch(() => null);
    // A write's error does not name its file (a full disk must say which one is full).
    const put = (text: string) =>
      out.write(text).catch((e: NodeJS.ErrnoException) => {
        e.path ??= path;
        throw e;
      });
    try {
      await put('line,reason,row\n');
      for (let last = 0; ;) {
        const page = await st.all<{
          k: number;
          line: number;
          reason: string;
          raw_text: string | null;
        }>(
          `SELECT k, line, reason, raw_text FROM ${REJ} WHERE file_no = $1 AND k > $2 ORDER BY k LIMIT 10000`,
          [file_no, last],
        );
        if (!page.length) break;
        let body = '';
        for (const r of page) {
          const raw = r.raw_text ?? (await seeker?.get(Number(r.line))) ?? '';
          body += `${r.line},${q(r.reason)},${q(raw.replace(/\r?\n$/, ''))}\n`;
        }
        await put(body);
        last = Number(page[page.length - 1]!.k);
      }
    } finally {
      await seeker?.close();
      await out.close();
    }
    paths.push(path);
  }
  return paths;
}
