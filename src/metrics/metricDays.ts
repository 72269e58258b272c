/**
 * The day table: every clinician's metric sums per local day, stored, so that any range's rows
 * (period all, week, month or day) are a set-based sum over the stored days — equal to
 * `clinicianMetrics` — instead of a run over every event of the range.
 *
 * Why it is exact: metrics.md §3–§6 make every time and count of a clinician additive over local
 * days ("credited time ∩ period", appointments starting in the period, …); the metric SQL already
 * sums per (user, local day) in integer microseconds before summing per period piece. Those sums
 * are what `metric_days` keeps (`day_rows` of `clinicianSql.ts`), with a `present` flag (the user
 * has an event, schedule row or order that day: what gives a user rows in a range). The one field
 * that does not add up, the distinct patients, is counted anew over the stored (user, day,
 * patient) rows of the range. A day's sums depend on the options but not on the range asked, as
 * long as the computation sees every event within the timeout of the day — which the metric SQL
 * of any range containing the day does — so days may be computed in chunks and refreshed apart.
 *
 * Keyed by an options fingerprint (`dayFingerprint`: every option but `wow`, since the day rows
 * carry every window's sums). A fingerprint's days are complete once `metric_day_sets` has its
 * row, which also lists the imports they include. `refreshDays` brings them up to date with the
 * imports in one transaction: only the local days an import can change are recomputed — its
 * rows' time extent widened by the timeout, the merge gap and a day each side; with `cap`, also
 * each clinician's neighbouring event, which may gain or lose a next one — and everything when a
 * clinician's first session rows arrive (their sessions stop deriving from appointments) or when
 * what a removed import held is not known. Readers keep reading the previous days meanwhile.
 *
 * Rows inserted by other means than an import are not seen (`refreshDays(…, { full: true })`
 * recomputes everything). Schedule rows are taken to start and end at their stored instants; a
 * zero-length schedule row (which imports refuse) on a local midnight counts for no day.
 */
import { createHash } from 'node:crypto';
import type { ClinicianMetricRow } from '../model/metricRow.ts';
import {
  FIRST_DATE,
  LAST_DATE,
  type MetricOptions,
  type MetricRequest,
  type GroupBy,
  type Period,
} from '../model/options.ts';
import type { Dialect } from '../store/dialect.ts';
import type { Sql, SqlValue, Store } from '../store/Store.ts';
import { joinSql, runChain, selectChain, sql as q, withCtes } from '../store/cte.ts';
import { DAY_COLUMNS, dayTableCtes } from './clinicianSql.ts';
import { groupMetricsOf, metricCtes, parseRequest, type GroupMetricRow } from './computeMetrics.ts';

/** Something that runs SQL and knows its dialect. */
export type DaySql = Sql & { readonly dialect: Dialect };
/** A `DaySql` that can run a transaction (the refresh writes in one; PostgreSQL reads in one). */
export type DayWriter = DaySql & { transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> };

/** Days of one block of the data map (where data is, so where days must be filled). */
export const BLOCK_DAYS = 28;
/**
 * The most days one fill statement covers: each statement has a fixed cost of its own (on the
 * demo a 28-day statement costs a third of a 168-day one), while its memory grows with its days
 * (the engine spills beyond its limit); 16 weeks halved the demo's fill against 4 weeks.
 */
export const FILL_DAYS = 112;
const DAY_MS = 86_400_000;
const BLOCK_US = BLOCK_DAYS * DAY_MS * 1000;
/** The tables whose imports change metrics (the roster does not: groups are joined later). */
export const METRIC_TABLES = ['events', 'schedule', 'orders'] as const;

/**
 * The key of the day rows computed with `options`: a hash of every option that changes a day's
 * sums (all but `wow`; the channel list in a canonical order).
 */
export function dayFingerprint(options: MetricOptions): string {
  return createHash('sha256').update(dayOptionsJson(options)).digest('hex').slice(0, 24);
}

function dayOptionsJson(o: MetricOptions): string {
  return JSON.stringify({
    timezone: o.timezone,
    timeout_seconds: o.timeout_seconds,
    over_timeout: o.over_timeout,
    direction: o.direction,
    attribution: o.attribution,
    exclude_channels: [...new Set(o.exclude_channels)].sort(),
    session_merge_gap_minutes: o.session_merge_gap_minutes,
  });
}

/** What the day rows of one fingerprint include. */
export interface DayState {
  fingerprint: string;
  /** The imports (of events, schedule and orders) the days include. */
  imports: number[];
  /** When the newest of those imports finished (ISO instant); null without imports. */
  asOf: string | null;
  refreshedAt: string;
  /** Counts the refreshes that changed the days. */
  generation: number;
}

/** The state of `fingerprint`'s day rows; null until they were computed once. */
export async function readDayState(sql: DaySql, fingerprint: string): Promise<DayState | null> {
  const d = sql.dialect;
  const [r] = await sql.all<{
    imports: string;
    as_of: number | string | null;
    refreshed_at: number | string;
    generation: number;
  }>(
    `SELECT imports, ${d.epochUs('as_of')} AS as_of, ${d.epochUs('refreshed_at')} AS refreshed_at, generation
     FROM metric_day_sets WHERE fingerprint = $1`,
    [fingerprint],
  );
  if (!r) return null;
  const iso = (us: number | string) => new Date(Number(us) / 1000).toISOString();
  return {
    fingerprint,
    imports: (JSON.parse(r.imports) as number[]).map(Number),
    asOf: r.as_of === null ? null : iso(r.as_of),
    refreshedAt: iso(r.refreshed_at),
    generation: Number(r.generation),
  };
}

/** One finished import of a table that changes metrics. */
export interface MetricImport {
  import_id: number;
  table_name: (typeof METRIC_TABLES)[number];
  /** ISO instant. */
  finished_at: string | null;
}

/** The imports of events, schedule and orders, oldest first. */
export async function metricImports(sql: DaySql): Promise<MetricImport[]> {
  const rows = await sql.all<{
    import_id: number;
    table_name: MetricImport['table_name'];
    t: number | string | null;
  }>(
    `SELECT import_id, table_name, ${sql.dialect.epochUs('finished_at')} AS t FROM imports
     WHERE table_name IN (${METRIC_TABLES.map((t) => `'${t}'`).join(', ')})
       -- A removed import's rows are gone (\`uptake imports remove\`): it counts as removed here, so
       -- the days it reached are recomputed; the removal entry itself stores no rows.
       AND removed_by IS NULL AND format <> 'removal'
     ORDER BY import_id`,
  );
  return rows.map((r) => ({
    import_id: Number(r.import_id),
    table_name: r.table_name,
    finished_at: r.t === null ? null : new Date(Number(r.t) / 1000).toISOString(),
  }));
}

/** What one refresh did. */
export interface RefreshResult {
  fingerprint: string;
  /** False when the days already included every import. */
  changed: boolean;
  /** Every day was recomputed (a first fill, or a change whose reach is not known). */
  full: boolean;
  /** Local days recomputed. */
  days: number;
  added: number[];
  removed: number[];
  state: DayState;
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date. */
function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

const MIN_DAY = dayNumber(FIRST_DATE);
const MAX_DAY = dayNumber(LAST_DATE);

/** The `YYYY-MM-DD` date of day number `n`, within the dates a range may name. */
function dateOf(n: number): string {
  return new Date(Math.min(MAX_DAY, Math.max(MIN_DAY, n)) * DAY_MS).toISOString().slice(0, 10);
}

/** Half-open ranges of day numbers, sorted and merged where they touch. */
type DayRanges = [number, number][];

function mergeRanges(ranges: DayRanges): DayRanges {
  const sorted = ranges
    .map(([a, b]): [number, number] => [Math.max(MIN_DAY, a), Math.min(MAX_DAY, b)])
    .filter(([a, b]) => a < b)
    .sort((x, y) => x[0] - y[0]);
  const out: DayRanges = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

function intersect(a: DayRanges, b: DayRanges): DayRanges {
  const out: DayRanges = [];
  for (const [a0, a1] of a)
    for (const [b0, b1] of b) {
      const lo = Math.max(a0, b0);
      const hi = Math.min(a1, b1);
      if (lo < hi) out.push([lo, hi]);
    }
  return mergeRanges(out);
}

/**
 * How many days around an instant its rows can change, in local days: the timeout (a credited
 * interval), the merge gap (derived sessions), 30 minutes (sessions ± 30 min), a day for the
 * local offset and a day to spare.
 */
function reachDays(o: MetricOptions): number {
  return Math.ceil((o.timeout_seconds + o.session_merge_gap_minutes * 60 + 1800) / 86_400) + 2;
}

/** The UTC date (text) of an instant column, in SQL both engines read alike. */
const utcDate = (x: string) => `CAST(CAST(${x} AT TIME ZONE 'UTC' AS DATE) AS VARCHAR)`;

/**
 * The days that hold data within `within` (or anywhere), widened by `reach`: the 28-day blocks
 * (UTC) that any event, order or schedule row touches, so that a stray row years away from the
 * rest costs one block, not the years between.
 */
async function dataDays(
  tx: Sql,
  d: Dialect,
  within: DayRanges | null,
  reach: number,
): Promise<DayRanges> {
  const blk = (x: string) =>
    `CAST(floor(CAST(${d.epochUs(x)} AS ${d.double}) / ${BLOCK_US}) AS BIGINT)`;
  const blocks = new Set<number>();
  const windows: ([string, string] | null)[] = within
    ? within.map(([a, b]) => [dateOf(a - reach), dateOf(b + reach)])
    : [null];
  for (const w of windows) {
    const where = (lo: string, hi: string) =>
      w ? `WHERE ${hi} >= CAST($1 AS TIMESTAMPTZ) AND ${lo} < CAST($2 AS TIMESTAMPTZ)` : '';
    const rows = await tx.all<{ b: number }>(
      `SELECT DISTINCT b FROM (
         SELECT ${blk('occurred_at')} AS b FROM events ${where('occurred_at', 'occurred_at')}
         UNION ALL SELECT ${blk('signed_at')} FROM orders ${where('signed_at', 'signed_at')}
         UNION ALL SELECT g.b FROM (SELECT start_at, end_at FROM schedule ${where('start_at', 'end_at')}) s,
           generate_series(${blk('s.start_at')}, ${blk('s.end_at')}) AS g(b)
       ) x`,
      w ?? [],
    );
    for (const r of rows) blocks.add(Number(r.b));
  }
  const ranges = mergeRanges(
    [...blocks].map((b): [number, number] => [
      b * BLOCK_DAYS - reach,
      (b + 1) * BLOCK_DAYS + reach,
    ]),
  );
  return within ? intersect(ranges, within) : ranges;
}

/** Record the time extent of each of `added`'s rows (what a later removal must refresh). */
async function recordExtents(tx: Sql, added: MetricImport[]): Promise<void> {
  const ids = (t: MetricImport['table_name']) =>
    added
      .filter((a) => a.table_name === t)
      .map((a) => String(Math.trunc(a.import_id)))
      .join(', ');
  const [ev, sc, or] = [ids('events'), ids('schedule'), ids('orders')];
  const parts = [
    ev
      ? `SELECT import_id, 'events' AS table_name, min(occurred_at) AS lo, max(occurred_at) AS hi FROM events WHERE import_id IN (${ev}) GROUP BY import_id`
      : null,
    sc
      ? `SELECT import_id, 'schedule', min(start_at), max(end_at) FROM schedule WHERE import_id IN (${sc}) GROUP BY import_id`
      : null,
    or
      ? `SELECT import_id, 'orders', min(signed_at), max(signed_at) FROM orders WHERE import_id IN (${or}) GROUP BY import_id`
      : null,
  ].filter((x): x is string => x !== null);
  if (!parts.length) return;
  await tx.run(
    `INSERT INTO metric_import_extents (import_id, table_name, lo, hi)
     SELECT * FROM (${parts.join(' UNION ALL ')}) x ON CONFLICT DO NOTHING`,
  );
}

/**
 * The days `added` and `removed` imports can change (null: every day). The extents of `added`
 * must be recorded (`recordExtents`).
 */
async function dirtyDays(
  tx: Sql,
  d: Dialect,
  o: MetricOptions,
  added: MetricImport[],
  removed: number[],
): Promise<DayRanges | null> {
  const reach = reachDays(o);
  const ranges: DayRanges = [];
  const ids = (list: number[]) => list.map((i) => String(Math.trunc(i))).join(', ');
  const cap = o.over_timeout === 'cap';
  const chan = o.exclude_channels.length
    ? `AND e.channel NOT IN (${o.exclude_channels.map((c) => `'${c}'`).join(', ')})`
    : '';
  if (added.length) {
    const sc = added.filter((a) => a.table_name === 'schedule').map((a) => a.import_id);
    const ev = added.filter((a) => a.table_name === 'events').map((a) => a.import_id);
    // A clinician's first session rows: their sessions no longer derive from appointments, on
    // every day.
    if (sc.length) {
      const [first] = await tx.all(
        `SELECT 1 AS x FROM schedule s WHERE s.import_id IN (${ids(sc)}) AND s.kind = 'session'
           AND NOT EXISTS (SELECT 1 FROM schedule y WHERE y.user_id = s.user_id AND y.kind = 'session'
                           AND y.import_id NOT IN (${ids(sc)}))
         LIMIT 1`,
      );
      if (first) return null;
    }
    // With `cap`, a clinician's last event before the new ones (forward) or first after them
    // (backward) may gain a neighbour beyond the timeout, and with it a capped interval.
    if (cap && ev.length) {
      const fwd = o.direction === 'forward';
      const rows = await tx.all<{ day: string }>(
        `WITH nu AS (
           SELECT e.user_id, min(e.occurred_at) AS lo, max(e.occurred_at) AS hi FROM events e
           WHERE e.import_id IN (${ids(ev)}) ${chan} GROUP BY e.user_id
         )
         SELECT DISTINCT ${utcDate('x.t')} AS day FROM (
           SELECT e.user_id, ${fwd ? 'max' : 'min'}(e.occurred_at) AS t
           FROM events e JOIN nu ON nu.user_id = e.user_id
           WHERE e.occurred_at ${fwd ? '< nu.lo' : '> nu.hi'} ${chan}
           GROUP BY e.user_id
         ) x`,
      );
      for (const r of rows) ranges.push([dayNumber(r.day) - reach, dayNumber(r.day) + reach + 1]);
    }
  }
  if (removed.length) {
    const known = await tx.all<{ import_id: number; table_name: string }>(
      `SELECT import_id, table_name FROM metric_import_extents WHERE import_id IN (${ids(removed)})`,
    );
    // Unknown reach, a schedule (whose sessions may have been a clinician's only ones) or, with
    // `cap`, events (whose neighbours are gone): everything.
    if (
      known.length < removed.length ||
      known.some((k) => k.table_name === 'schedule' || (cap && k.table_name === 'events'))
    )
      return null;
  }
  const all = [...added.map((a) => a.import_id), ...removed];
  if (all.length) {
    const ext = await tx.all<{ lo: string | null; hi: string | null }>(
      `SELECT ${utcDate('lo')} AS lo, ${utcDate('hi')} AS hi FROM metric_import_extents
       WHERE import_id IN (${ids(all)})`,
    );
    for (const e of ext)
      if (e.lo !== null && e.hi !== null)
        ranges.push([dayNumber(e.lo) - reach, dayNumber(e.hi) + reach + 1]);
  }
  return mergeRanges(ranges);
}

/** Compute and insert the day rows of `fingerprint` for the days of `ranges` (already deleted). */
async function fillDays(
  tx: Sql,
  d: Dialect,
  options: MetricOptions,
  fingerprint: string,
  ranges: DayRanges,
  chunk = FILL_DAYS,
): Promise<number> {
  if (!/^[0-9a-f]+$/.test(fingerprint)) throw new Error(`not a fingerprint: ${fingerprint}`);
  const cols = DAY_COLUMNS.join(', ');
  let days = 0;
  for (const [a, b] of ranges) {
    for (let lo = a; lo < b; lo += chunk) {
      const hi = Math.min(b, lo + chunk);
      // Sessions ± 30 minutes are always computed: one fill serves every `wow`.
      const req = parseRequest({
        from: dateOf(lo),
        to: dateOf(hi),
        period: 'day',
        options: { ...options, wow: 'schedule30' },
      });
      days += hi - lo;
      const chain = await metricCtes({ all: (s, p) => tx.all(s, p), dialect: d }, req);
      if (!chain) continue;
      await runChain({ dialect: d, inTransaction: tx }, [
        {
          into: `INSERT INTO metric_days (fingerprint, user_id, day, ${cols})`,
          select: q`SELECT '${fingerprint}', r.user_id, p.d_from + r.day_no, ${DAY_COLUMNS.map((c) => `r.${c}`).join(', ')} FROM ${chain.day_rows} r, ${chain.p}`,
        },
        {
          into: `INSERT INTO metric_day_patients (fingerprint, user_id, day, patient_id)`,
          select: q`SELECT '${fingerprint}', x.user_id, p.d_from + x.day_no, x.patient_id FROM ${chain.day_patients} x, ${chain.p}`,
        },
      ]);
    }
  }
  return days;
}

/**
 * Bring the day rows of `options` up to date with the imports, in one transaction of `writer`
 * (a connection of its own on the server: `src/store/worker.ts`): the first time every day with
 * data, later only the days that imports added or removed since can change (see the file's
 * comment). Concurrent refreshes of one fingerprint take turns on its `metric_day_sets` row.
 * `full` recomputes every day.
 */
export async function refreshDays(
  writer: DayWriter,
  options: MetricOptions,
  opts: {
    full?: boolean;
    now?: Date;
    /** Days per fill statement (tests: small, so that the data straddles statements). */
    chunkDays?: number;
  } = {},
): Promise<RefreshResult> {
  const d = writer.dialect;
  const fp = dayFingerprint(options);
  const now = (opts.now ?? new Date()).toISOString();
  return writer.transaction(async (tx) => {
    const sql: DaySql = {
      dialect: d,
      all: (s, p) => tx.all(s, p),
      run: (s, p) => tx.run(s, p),
      exec: (s, p) => tx.exec(s, p),
    };
    // Take this fingerprint's row first: a concurrent refresh of it waits (PostgreSQL) or fails
    // and retries later (DuckDB's conflict), and never fills the same days twice.
    const locked = await tx.exec(
      `UPDATE metric_day_sets SET generation = generation WHERE fingerprint = $1`,
      [fp],
    );
    if (!locked)
      await tx.run(
        `INSERT INTO metric_day_sets (fingerprint, options, imports, as_of, refreshed_at, generation)
         VALUES ($1, $2, '[]', NULL, CAST($3 AS TIMESTAMPTZ), 0)`,
        [fp, dayOptionsJson(options), now],
      );
    const before = locked ? await readDayState(sql, fp) : null;
    const imports = await metricImports(sql);
    const have = new Set(before?.imports ?? []);
    const current = new Set(imports.map((i) => i.import_id));
    const added = imports.filter((i) => !have.has(i.import_id));
    const removed = [...have].filter((i) => !current.has(i));
    if (before && !opts.full && !added.length && !removed.length)
      return {
        fingerprint: fp,
        changed: false,
        full: false,
        days: 0,
        added: [],
        removed: [],
        state: before,
      };
    await recordExtents(tx, added);
    const dirty = !before || opts.full ? null : await dirtyDays(tx, d, options, added, removed);
    const where = (i: number) =>
      `fingerprint = $1 AND day >= CAST($${i} AS DATE) AND day < CAST($${i + 1} AS DATE)`;
    if (dirty === null) {
      await tx.run(`DELETE FROM metric_days WHERE fingerprint = $1`, [fp]);
      await tx.run(`DELETE FROM metric_day_patients WHERE fingerprint = $1`, [fp]);
    } else {
      for (const [a, b] of dirty) {
        const p: SqlValue[] = [fp, dateOf(a), dateOf(b)];
        await tx.run(`DELETE FROM metric_days WHERE ${where(2)}`, p);
        await tx.run(`DELETE FROM metric_day_patients WHERE ${where(2)}`, p);
      }
    }
    const fill = await dataDays(tx, d, dirty, reachDays(options));
    const days = await fillDays(tx, d, options, fp, fill, opts.chunkDays);
    const asOf = imports.reduce<string | null>(
      (m, i) => (i.finished_at && (!m || i.finished_at > m) ? i.finished_at : m),
      null,
    );
    const generation = (before?.generation ?? 0) + 1;
    await tx.run(
      `UPDATE metric_day_sets SET imports = $2, as_of = CAST($3 AS TIMESTAMPTZ),
         refreshed_at = CAST($4 AS TIMESTAMPTZ), generation = $5 WHERE fingerprint = $1`,
      [fp, JSON.stringify([...current].sort((x, y) => x - y)), asOf, now, generation],
    );
    const state: DayState = {
      fingerprint: fp,
      imports: [...current].sort((x, y) => x - y),
      asOf,
      refreshedAt: now,
      generation,
    };
    return {
      fingerprint: fp,
      changed: true,
      full: dirty === null,
      days,
      added: added.map((a) => a.import_id),
      removed,
      state,
    };
  });
}

/** Remove the day rows of every fingerprint but `keep` (after a change of options). */
export async function dropOtherDays(writer: DayWriter, keep: string): Promise<void> {
  await writer.transaction(async (tx) => {
    for (const t of ['metric_days', 'metric_day_patients', 'metric_day_sets'])
      await tx.run(`DELETE FROM ${t} WHERE fingerprint <> $1`, [keep]);
  });
}

/**
 * Per-clinician rows of §6 for `req`, summed from the stored days of its options — equal to
 * `clinicianMetrics(req)` when the days are up to date (`refreshDays`). Sorted by user and period.
 */
export async function dayClinicianMetrics(
  sql: DayWriter,
  req: MetricRequest,
): Promise<ClinicianMetricRow[]> {
  return (await dayMetricsByPeriod(sql, req, [req.period]))[req.period] ?? [];
}

/**
 * `dayClinicianMetrics` of `req` cut by each of `periods`, in one statement (one turn of the
 * engine: the report pages want the whole range and its weeks together).
 */
export async function dayMetricsByPeriod(
  sql: DayWriter,
  req: MetricRequest,
  periods: readonly Period[],
): Promise<Partial<Record<Period, ClinicianMetricRow[]>>> {
  const fp = dayFingerprint(req.options);
  const out: Partial<Record<Period, ClinicianMetricRow[]>> = {};
  const rowsOf = (period: Period) =>
    dayTableCtes(sql.dialect, { ...req, period }, fp).clinician_rows;
  if (sql.dialect.materialiseCtes) {
    // Each CTE of a chain becomes a temporary table with statistics (`runChain`), whose names
    // one statement cannot hold twice: one chain per period.
    for (const period of periods)
      out[period] = await selectChain<ClinicianMetricRow>(
        sql,
        q`SELECT * FROM ${rowsOf(period)} ORDER BY user_id, period_start`,
      );
    return out;
  }
  // The chain is one query: every period's, each with its own CTE names, in one statement.
  const parts = periods.map((period, i) => {
    const rows = rowsOf(period);
    return q`SELECT * FROM (${withCtes(q`SELECT ${i} AS k_, ${rows}.* FROM ${rows}`)}) q${i}`;
  });
  const rows = await selectChain<ClinicianMetricRow & { k_: number }>(
    sql,
    q`${joinSql(parts, '\nUNION ALL\n')}\nORDER BY k_, user_id, period_start`,
  );
  periods.forEach((p) => (out[p] = []));
  for (const r of rows) {
    const { k_, ...row } = r;
    out[periods[Number(k_)]!]!.push(row);
  }
  return out;
}

/** Group rows of §7 for `req` from the stored days (equal to `groupMetrics` when up to date). */
export async function dayGroupMetrics(
  store: Store,
  req: MetricRequest,
  by: Exclude<GroupBy, 'clinician'>,
  threshold: number,
): Promise<GroupMetricRow[]> {
  return groupMetricsOf(
    store,
    dayTableCtes(store.dialect, req, dayFingerprint(req.options)),
    by,
    threshold,
  );
}

/** Events of the range on excluded channels (§8), from the stored days. */
export async function dayExcludedEvents(sql: DaySql, req: MetricRequest): Promise<number> {
  const [r] = await sql.all<{ n: number | string | null }>(
    `SELECT sum(n_excluded) AS n FROM metric_days
     WHERE fingerprint = $1 AND day >= CAST($2 AS DATE) AND day < CAST($3 AS DATE)`,
    [dayFingerprint(req.options), req.from, req.to],
  );
  return Number(r?.n ?? 0);
}
