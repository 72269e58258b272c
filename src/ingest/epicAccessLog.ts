/**
 * Epic Clarity access-log import (`docs/formats.md`): a CSV of `ACCESS_LOG` joined with
 * `ACCESS_LOG_METRIC` (ACCESS_INSTANT, PROCESS_ID, ACCESS_TIME, USER_ID, WORKSTATION_ID, METRIC_ID,
 * METRIC_NAME, PAT_ID, CSN), read with DuckDB's reader exactly like the canonical CSV and mapped in
 * SQL to the canonical `events` columns; `loadStaged` does the rest (validation, pseudonyms, one
 * transaction, report).
 *
 * Mapping:
 * - `event_id` = `ACCESS_INSTANT|PROCESS_ID|METRIC_ID`, and `#n` appended for the n-th (n ≥ 2)
 *   of rows that are identical in every column, so a re-import stores nothing twice while truly
 *   repeated rows all count. Rows that share those three values but differ elsewhere cannot both
 *   keep the identity: the later ones are rejected, naming the first line.
 * - `occurred_at` = `ACCESS_TIME`, local wall-clock time of `--source-tz` (`localTime.ts`): a time
 *   the clocks skipped is rejected; a time that occurred twice takes the earlier instant unless
 *   ACCESS_INSTANT says otherwise. Fractional seconds are kept. (An ACCESS_TIME that does carry an
 *   offset or `Z` is taken as written.)
 * - `action` = METRIC_ID; METRIC_NAME is saved as its name (`action_names`) and labels it in the
 *   report's unmapped list. `category` from the action maps: the user's `--action-map`, then the
 *   shipped `maps/epic-actions.csv`; within each, an entry naming the METRIC_ID first, then one
 *   naming the METRIC_NAME (case-insensitive).
 * - `channel` = mobile for Haiku and Canto (WORKSTATION_ID `HAIKU` or `CANTO`, any case, alone or
 *   followed by a separator and more, e.g. `HAIKU-IOS`; not `CANTON-PC01`), else desktop.
 * - `patient_id` = PAT_ID (pseudonymized by `loadStaged`), `encounter_id` = CSN, `source` = epic.
 * - `seq` = the row's line in the export: Clarity writes the log in its own order, and several
 *   actions of one process often share a second; which of them came last decides the category a
 *   following gap is credited to (metrics.md §3). `event_id` stays the identity: the same row
 *   imported again (from this file or another extract) is not stored twice, and keeps the `seq`
 *   of its first import.
 *
 * ACCESS_INSTANT: Epic stores instants as seconds since 1840-12-31 00:00:00 in UTC, and Clarity
 * renders them into local time in ACCESS_TIME; so ACCESS_INSTANT is read as UTC — a number of
 * seconds since 1840-12-31 00:00:00 UTC, or a date-time (with an offset, exact; without one, UTC).
 * It is used only to choose between the two instants of a repeated local time: the candidate it
 * falls within half the clock change of (±30 min for a one-hour change) is taken. When it is
 * missing, unreadable, or near neither candidate — as it would be if an export had rendered it in
 * local time after all — the earlier instant is taken. So a wrong guess about its time zone can
 * only lose the disambiguation, never pick a wrong instant. It is not used otherwise: ACCESS_TIME
 * is the documented time of the access, and extracts differ in how they render ACCESS_INSTANT.
 */
import { fileURLToPath } from 'node:url';
import { invalid } from '../errors/UptakeError.ts';
import { quoteLiteral } from '../store/quote.ts';
import type { Sql, Store } from '../store/Store.ts';
import { loadActionMap } from './actionMap.ts';
import { saveActionNames } from './actionNames.ts';
import { readCsvHeader } from './csvHeader.ts';
import { stageCsv } from './csvRecords.ts';
import { withProgress } from './importCsv.ts';
import { loadStaged, T, type ImportOptions, type ImportReport } from './loadStaged.ts';
import { localTimeSql, offsetsTableSql } from './localTime.ts';
import { describeSniffed, sniffFormat } from './sniff.ts';
import { offsetInRangeSql, offsetReason, valueShape } from './tableSpecs.ts';

/**
 * The map of common Epic METRIC_NAMEs shipped with Uptake (see `maps/README.md`). Resolved from the
 * package root, so that the compiled code in `dist/ingest/` finds the same file as the sources.
 */
export const EPIC_ACTION_MAP = fileURLToPath(
  new URL('../../src/ingest/maps/epic-actions.csv', import.meta.url),
);

/** Columns of the export (lower case: header names are matched case-insensitively). */
export const EPIC_COLUMNS = {
  required: ['access_instant', 'process_id', 'access_time', 'user_id', 'metric_id'],
  optional: ['workstation_id', 'metric_name', 'pat_id', 'csn'],
} as const;

/** SQL: a regex matched by a time of day followed by an offset or Z (`08:15:00-05:00`, `08:15:00.5Z`). */
const OFFSET_RE = `':[0-9]{2}(\\.[0-9]*)? ?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$'`;

/** Staging tables of this format (besides the shared ones of `T`). */
const E = {
  offsets: 'imp_epic_off',
  dupes: 'imp_epic_dup',
  idMap: 'imp_epic_idmap',
  nameMap: 'imp_epic_namemap',
  rows: 'imp_epic',
  names: 'imp_epic_names',
  maps: 'imp_epic_maps',
};

/** Import one Epic Clarity access-log CSV into `events`. */
export async function importEpicAccessLog(
  store: Store,
  opts: ImportOptions & { sourceTz: string },
): Promise<ImportReport> {
  const t0 = Date.now();
  if (!opts.sourceTz?.trim()) {
    throw invalid(
      '--source-tz is required for Epic access logs: ACCESS_TIME has no offset; e.g. --source-tz America/Chicago',
    );
  }

  // The header, before anything is read into the engine.
  const header = await readCsvHeader(opts.file);
  const missing = EPIC_COLUMNS.required.filter((c) => !header.includes(c));
  const upper = (xs: readonly string[]) => xs.map((x) => x.toUpperCase()).join(', ');
  if (missing.length) {
    // say what the file looks like when it is clearly another format (USER_ID alone is not a sign)
    const looks = await sniffFormat(opts.file);
    const other =
      looks !== 'epic-access-log' &&
      looks !== 'csv' &&
      (looks !== 'canonical-csv' || header.includes('event_id') || header.includes('occurred_at'));
    throw invalid(
      `${opts.file}, line 1: missing required column${missing.length > 1 ? 's' : ''} ${upper(missing)} for an Epic access log; ` +
        `the header must name ${upper(EPIC_COLUMNS.required)} (optional: ${upper(EPIC_COLUMNS.optional)})` +
        (other ? `; ${describeSniffed(looks)}` : ''),
    );
  }
  const dup = header.find((c, i) => header.indexOf(c) !== i);
  if (dup)
    throw invalid(`${opts.file}, line 1: column ${dup.toUpperCase()} appears twice; keep one`);
  const known = new Set<string>([...EPIC_COLUMNS.required, ...EPIC_COLUMNS.optional]);
  const unknown = header.filter((c) => c && !known.has(c));

  const st = await store.staging();
  const [zone] = await st.all<{ name: string }>(
    `SELECT name FROM pg_timezone_names() WHERE lower(name) = lower($1) ORDER BY name = $1 DESC LIMIT 1`,
    [opts.sourceTz.trim()],
  );
  if (!zone) {
    throw invalid(
      `--source-tz ${opts.sourceTz}: not an IANA time zone; name the zone of the Epic system's clocks, e.g. America/Chicago`,
    );
  }
  const tz = quoteLiteral(zone.name);
  for (const v of [T.good, T.val]) await st.run(`DROP VIEW IF EXISTS ${v}`);
  for (const t of [...Object.values(T), ...Object.values(E)])
    if (t !== T.good && t !== T.val) await st.run(`DROP TABLE IF EXISTS ${t}`);

  // Action maps: the user's (checked first) and the shipped one, each keyed by id and by name.
  await buildMaps(st, opts.actionMap);

  /** The raw value of export column `c` (an empty field is absent; values are taken as written). */
  const col = (c: string) => {
    const i = header.indexOf(c);
    return i >= 0 ? `nullif(r.c${i}, '')` : 'CAST(NULL AS VARCHAR)';
  };
  const ai = col('access_instant');
  const pid = col('process_id');
  const at = col('access_time');
  const uid = col('user_id');
  const mid = col('metric_id');
  const mname = col('metric_name');
  const ws = col('workstation_id');

  // 1. The file's records, each with its physical line (`csvRecords.ts`, as in importCsv), and
  //    ACCESS_TIME parsed once: `t_exact` (naive UTC) when it carries an offset (within ±14:00),
  //    else `t_local` (ISO, or US M/D/YYYY with a 12- or 24-hour clock).
  const csv = await stageCsv(st, opts.file, header, (work) =>
    withProgress(st, opts.onProgress, work),
  );
  const parsedTime = `coalesce(TRY_CAST(${at} AS TIMESTAMP),
      try_strptime(${at}, ['%m/%d/%Y %I:%M:%S %p', '%m/%d/%Y %I:%M:%S.%f %p', '%m/%d/%Y %I:%M %p', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M:%S.%f', '%m/%d/%Y %H:%M']))`;
  await st.run(
    `CREATE TEMP TABLE ${T.raw} AS
     SELECT * EXCLUDE (has_offset),
       CASE WHEN has_offset AND ${offsetInRangeSql(at)} THEN TRY_CAST(replace(${at}, 'z', 'Z') AS TIMESTAMPTZ) AT TIME ZONE 'UTC' END AS t_exact,
       CASE WHEN NOT has_offset THEN ${parsedTime} END AS t_local, has_offset
     FROM (SELECT *, coalesce(regexp_matches(${at}, ${OFFSET_RE}), false) AS has_offset
           FROM (${csv.select}) r) r`,
  );

  // 2. Rows whose key (ACCESS_INSTANT, PROCESS_ID, METRIC_ID) repeats: each gets its ordinal among
  //    rows identical to it, and the line of the key's first row when its content differs from it.
  //    Only those rows are windowed; a file without repeated keys costs one hash aggregate. A
  //    record that is not CSV of the header's shape takes no part.
  const allCols = header.map((_, i) => `r.c${i}`).join(', ');
  const keyCols = ['access_instant', 'process_id', 'metric_id'].map((c) => `c${header.indexOf(c)}`);
  await st.run(
    `CREATE TEMP TABLE ${E.dupes} AS
     SELECT rid, row_number() OVER (PARTITION BY ${allCols} ORDER BY rid) AS ordinal,
       CASE WHEN min(rid) OVER (PARTITION BY ${allCols}) <> min(rid) OVER (PARTITION BY ${keyCols.map((c) => `r.${c}`).join(', ')})
         THEN min(rid) OVER (PARTITION BY ${keyCols.map((c) => `r.${c}`).join(', ')}) END AS conflict_rid
     FROM (SELECT r.line AS rid, ${allCols} FROM ${T.raw} r
           JOIN (SELECT ${keyCols.join(', ')} FROM ${T.raw} WHERE pre_reason IS NULL GROUP BY ALL HAVING count(*) > 1) k
             ON ${keyCols.map((c) => `k.${c} = r.${c}`).join(' AND ')}
           WHERE r.pre_reason IS NULL) r`,
  );

  // 3. The zone's offsets around each local date of the file (see localTime.ts).
  await st.run(
    offsetsTableSql(E.offsets, `SELECT DISTINCT CAST(t_local AS DATE) AS d FROM ${T.raw}`, tz),
  );
  const local = localTimeSql('p.lt', 'o', tz);
  // ACCESS_INSTANT as a naive UTC timestamp: Epic's seconds since 1840-12-31 00:00:00 UTC, or a
  // date-time (exact with an offset, else read as UTC).
  const instantUtc = (c: string) => `CASE
      WHEN regexp_full_match(${c}, '[0-9]{1,11}(\\.[0-9]{1,6})?')
        THEN TIMESTAMP '1840-12-31 00:00:00' + to_microseconds(CAST(CAST(${c} AS DECIMAL(38, 6)) * 1000000 AS BIGINT))
      WHEN regexp_matches(${c}, ${OFFSET_RE}) THEN TRY_CAST(replace(${c}, 'z', 'Z') AS TIMESTAMPTZ) AT TIME ZONE 'UTC'
      ELSE TRY_CAST(${c} AS TIMESTAMP) END`;
  const fmt = (x: string) => `strftime(${x}, '%Y-%m-%dT%H:%M:%S.%fZ')`;

  // 4. One pass: every canonical column as raw text, the reason a row cannot be mapped, and how
  //    its local time was resolved (tz_case: gap, earlier, instant). From the inside out: the
  //    export's fields (p); joined with the date's offsets, the repeated keys and the maps, giving
  //    the candidate instants and the category; ACCESS_INSTANT read where there are two
  //    candidates; the choice between them; the reasons, event id and occurred_at text.
  await st.run(
    `CREATE TEMP TABLE ${E.rows} AS
     SELECT line, pre_reason, raw_text, has_nul, event_id, occurred_at, user_id, action, category,
       patient_id, encounter_id, channel, workstation_id, metric_name,
       CASE WHEN pre_reason IS NULL THEN tz_case WHEN gap AND pre_reason LIKE '% does not exist in %' THEN 'gap' END AS tz_case
     FROM (
       SELECT q.*,
         CASE
           WHEN pre IS NOT NULL THEN pre
           WHEN ai IS NULL THEN 'ACCESS_INSTANT is empty; with PROCESS_ID and METRIC_ID it identifies the access'
           WHEN pid IS NULL THEN 'PROCESS_ID is empty; with ACCESS_INSTANT and METRIC_ID it identifies the access'
           WHEN mid IS NULL THEN 'METRIC_ID is empty; it is the action and, with ACCESS_INSTANT and PROCESS_ID, identifies the access'
           WHEN user_id IS NULL THEN 'USER_ID is empty; it is required'
           WHEN atime IS NULL THEN 'ACCESS_TIME is empty; it is required'
           WHEN has_offset AND NOT ${offsetInRangeSql('atime')} THEN '${offsetReason('ACCESS_TIME')}'
           WHEN exact IS NULL AND lt IS NULL
             THEN 'ACCESS_TIME is not a date and time such as 2026-03-02 08:15:00 ' || ${valueShape('atime')}
           WHEN gap
             THEN ${quoteLiteral(`ACCESS_TIME is a local time that does not exist in ${zone.name}: the clocks were put forward over it; check that --source-tz is the zone of the Epic system`)}
           WHEN conflict_rid IS NOT NULL
             THEN 'ACCESS_INSTANT, PROCESS_ID and METRIC_ID repeat line ' || conflict_rid
               || ' with different values; an access is identified by these three'
         END AS pre_reason,
         ai || '|' || pid || '|' || mid || CASE WHEN ordinal > 1 THEN '#' || ordinal ELSE '' END AS event_id,
         ${fmt(`coalesce(exact, CASE WHEN choose_later THEN later ELSE earlier END)`)} AS occurred_at,
         CASE WHEN later IS NULL THEN NULL WHEN choose_later IS NULL THEN 'earlier' ELSE 'instant' END AS tz_case
       FROM (
         SELECT q.*,
           -- ACCESS_INSTANT within half the clock change of one candidate: true → later, false → earlier
           CASE WHEN later IS NULL OR inst IS NULL THEN NULL
             WHEN abs(epoch_us(inst) - epoch_us(later)) * 2 < epoch_us(later) - epoch_us(earlier) THEN true
             WHEN abs(epoch_us(inst) - epoch_us(earlier)) * 2 < epoch_us(later) - epoch_us(earlier) THEN false
           END AS choose_later,
           exact IS NULL AND lt IS NOT NULL AND earlier IS NULL AS gap
         FROM (
           SELECT q.*, CASE WHEN later IS NOT NULL THEN ${instantUtc('ai')} END AS inst
           FROM (
             SELECT p.line, p.pre, p.raw_text, p.has_nul, p.has_offset, p.ai, p.pid, p.atime, p.mid, p.exact, p.lt,
               p.uid AS user_id, p.mid AS action, p.pat AS patient_id, p.csn AS encounter_id,
               p.ws AS workstation_id, p.mname AS metric_name,
               ${local.earlierUtc} AS earlier, ${local.laterUtc} AS later,
               d.ordinal, d.conflict_rid,
               CASE WHEN um.category IS NOT NULL AND um.from_user THEN um.category
                 WHEN nm.category IS NOT NULL AND nm.from_user THEN nm.category
                 ELSE coalesce(um.category, nm.category) END AS category,
               CASE WHEN regexp_matches(p.ws, '^(haiku|canto)([^a-z0-9]|$)', 'i') THEN 'mobile' ELSE 'desktop' END AS channel
             FROM (
               SELECT r.line AS rid, r.line, r.pre_reason AS pre, r.raw_text, r.has_nul, r.has_offset,
                 ${ai} AS ai, ${pid} AS pid, ${at} AS atime, ${uid} AS uid, ${mid} AS mid, ${mname} AS mname,
                 ${ws} AS ws, ${col('pat_id')} AS pat, ${col('csn')} AS csn,
                 r.t_exact AS exact, r.t_local AS lt
               FROM ${T.raw} r) p
             LEFT JOIN ${E.offsets} o ON o.d = CAST(p.lt AS DATE)
             LEFT JOIN ${E.dupes} d ON d.rid = p.rid
             LEFT JOIN ${E.idMap} um ON um.action = trim(p.mid)
             LEFT JOIN ${E.nameMap} nm ON nm.name = lower(trim(p.mname))
           ) q
         ) q
       ) q
     ) s`,
  );
  await st.run(`DROP TABLE ${T.raw}`);

  // 5. Counts for the report, and the names of the actions.
  const [counts] = await st.all<{ gap: number; earlier: number; instant: number }>(
    `SELECT count(*) FILTER (WHERE tz_case = 'gap') AS gap,
       count(*) FILTER (WHERE tz_case = 'earlier') AS earlier,
       count(*) FILTER (WHERE tz_case = 'instant') AS instant
     FROM ${E.rows}`,
  );
  await st.run(
    `CREATE TEMP TABLE ${E.names} AS SELECT action, arg_max(metric_name, line) AS name
     FROM ${E.rows} WHERE pre_reason IS NULL AND metric_name IS NOT NULL GROUP BY action`,
  );
  const names = await st.all<{ action: string; name: string }>(
    `SELECT action, name FROM ${E.names} ORDER BY action`,
  );

  return loadStaged(store, st, {
    ...opts,
    table: 'events',
    // categories are already resolved above; an empty map makes every NULL category "unmapped"
    actionMap: undefined,
    format: 'epic-access-log',
    localTimesResolved: true,
    t0,
    sourceSelect: `SELECT line, pre_reason, raw_text, has_nul, event_id, occurred_at,
      user_id, action, category, patient_id, encounter_id, channel, workstation_id, 'epic' AS source,
      CAST(line AS VARCHAR) AS seq
      FROM ${E.rows}`,
    parseErrors: [],
    fieldNames: {
      occurred_at: 'ACCESS_TIME',
      event_id: 'ACCESS_INSTANT, PROCESS_ID or METRIC_ID',
      user_id: 'USER_ID',
      action: 'METRIC_ID',
      patient_id: 'PAT_ID',
      encounter_id: 'CSN',
      workstation_id: 'WORKSTATION_ID',
    },
    lines: csv.lines,
    crLines: csv.crLines,
    unknownColumns: unknown.map((c) => c.toUpperCase()),
    tempTables: [T.raw, ...csv.tables, ...Object.values(E)],
    notes: {
      nonexistent_local_times_rejected: counts?.gap ?? 0,
      ambiguous_local_times_resolved_earlier: counts?.earlier ?? 0,
      ambiguous_local_times_resolved_by_access_instant: counts?.instant ?? 0,
    },
    actionNames: E.names,
    afterStore: (tx) =>
      saveActionNames(
        tx,
        names.map((n) => ({ source: 'epic', action: n.action, name: n.name })),
      ),
  });
}

/**
 * The tables `imp_epic_idmap(action, category, from_user)` and `imp_epic_namemap(name, category,
 * from_user)`: every entry of the user's map and of the shipped map, once as an id and once as a
 * lower-case name; where both maps have an entry, the user's is kept.
 */
async function buildMaps(st: Sql, userMap: string | undefined): Promise<void> {
  await st.run(`CREATE TEMP TABLE ${E.maps} (action VARCHAR, category VARCHAR, from_user BOOLEAN)`);
  for (const [file, fromUser] of [
    [EPIC_ACTION_MAP, false],
    [userMap, true],
  ] as const) {
    if (!file) continue;
    const t = await loadActionMap(st, file);
    await st.run(`INSERT INTO ${E.maps} SELECT action, category, ${fromUser} FROM ${t}`);
  }
  await st.run(
    `CREATE TEMP TABLE ${E.idMap} AS SELECT action, arg_max(category, from_user) AS category, bool_or(from_user) AS from_user
     FROM ${E.maps} GROUP BY action`,
  );
  // names that differ only in case: the user's map first, then the greatest action text (any fixed rule)
  await st.run(
    `CREATE TEMP TABLE ${E.nameMap} AS SELECT lower(action) AS name, arg_max(category, (from_user, action)) AS category,
       bool_or(from_user) AS from_user
     FROM ${E.maps} GROUP BY lower(action)`,
  );
  await st.run(`DROP TABLE ${E.maps}`);
}
