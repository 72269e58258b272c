/**
 * The per-clinician metric SQL of `docs/metrics.md`, written once for both engines, as a chain of
 * named CTEs (`src/store/cte.ts`): each is a value — its name, its SQL, the named parameters it
 * binds and the CTEs it reads — composed below in the order of the definitions, each citing the
 * section of `docs/metrics.md` it computes. Callers run a chain with `runChain`.
 *
 * How it works, linear in events, with one sort (each user's events in time order):
 * 1. Each user's events (after `exclude_channels`) get the time of the previous and next event,
 *    and so their credited interval [s, e) (§3) and credited event time.
 * 2. Time is cut into 15-minute UTC buckets. Every clock boundary of §5 and every local midnight
 *    falls on a bucket edge (all UTC offsets are whole quarter hours), so a small `buckets` table
 *    gives, for each bucket, its local day and whether it is inside each clock window — computed
 *    with the engine's own time-zone rules, DST included. It covers the data's extent within the
 *    range only (`rangeExtent`), and so do the local days: a century-long range over three months
 *    of data costs what the three months cost; only the list of period pieces spans the range.
 * 3. `split`: every credited interval is cut at bucket edges into pieces (a 5-minute interval
 *    makes at most two); each piece then lies in one local day and inside or outside each clock
 *    window. The per-user sets of §4 (sessions, visit time, sessions ± 30 min) are made disjoint
 *    (gaps-and-islands) and cut into bucket pieces too; an equi-join on (user, bucket) gives the
 *    exact overlap of each credited piece with each set. `start`: the whole interval is placed at
 *    its credited event's time, and membership is that instant's.
 * 4. Sums per (user, local day), then per period piece. Times are integer microseconds, so every
 *    sum is exact; hours are computed at the very end.
 */
import type { Dialect } from '../store/dialect.ts';
import type { Sql } from '../store/Store.ts';
import {
  applySql,
  cte,
  joinSql,
  param,
  query,
  sql,
  type Cte,
  type SqlFragment,
  type SqlPiece,
} from '../store/cte.ts';
import { pieceCount, type MetricRequest, type WowWindow } from '../model/options.ts';
import { CATEGORIES } from '../model/canonical.ts';

/** Category codes used inside the SQL: a category's index in `CATEGORIES` (`other` is last). */
export const CATEGORY_CODES = CATEGORIES;

/** Bucket width: 15 minutes in microseconds. */
export const BUCKET_US = 900_000_000;

/** Number of local days in [from, to). */
export function dayCount(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Literal list of excluded channels: values come from the closed `CHANNELS` enum, validated by zod. */
function channelFilter(req: MetricRequest, alias: string): string {
  const ex = req.options.exclude_channels;
  return ex.length ? `AND ${alias}.channel NOT IN (${ex.map((c) => `'${c}'`).join(', ')})` : '';
}

/**
 * The body of a CTE that merges the intervals (user_id, s, e) of `src` into disjoint islands: an
 * interval starting at most `gap` after the running island's end joins it (§4's rule; gap 0 is a
 * union).
 */
function islands(src: Cte, gap: SqlPiece): SqlFragment {
  return sql`SELECT user_id, min(s) AS s, max(e) AS e FROM (
    SELECT user_id, s, e, sum(brk) OVER (PARTITION BY user_id ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island
    FROM (
      SELECT user_id, s, e,
        CASE WHEN s <= max(e) OVER (PARTITION BY user_id ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) + ${gap}
             THEN 0 ELSE 1 END AS brk
      FROM ${src}
    ) marked
  ) grouped GROUP BY user_id, island`;
}

/**
 * The instants that bound the metric range, in microseconds since the Unix epoch, as the text of
 * a BIGINT (exact for any year): `from`/`to` are the local midnights of `from` and `to`, `lo`/`hi`
 * the same widened by the timeout. Computed by the engine itself (`rangeBoundsQuery`), with its
 * own time-zone rules.
 */
export interface RangeBounds {
  fromUs: string;
  toUs: string;
  loUs: string;
  hiUs: string;
}

/** The range of `req` and its time zone and timeout (§2, §6), as named parameters. */
function rangeParams(req: MetricRequest) {
  return {
    from: param('from', req.from),
    to: param('to', req.to),
    tz: param('tz', req.options.timezone),
    timeout: param('timeout_s', req.options.timeout_seconds),
  };
}

/** The query of `RangeBounds` of `req`: the local midnights of its dates in its zone. */
export function rangeBoundsQuery(d: Dialect, req: MetricRequest): SqlFragment {
  const r = rangeParams(req);
  const us = (x: SqlFragment) => applySql((e) => `CAST(${d.epochUs(e)} AS VARCHAR)`, x);
  return sql`SELECT ${us(sql`f`)} AS "fromUs", ${us(sql`t`)} AS "toUs",
    ${us(sql`f - CAST(${r.timeout} AS BIGINT) * INTERVAL '1 second'`)} AS "loUs",
    ${us(sql`t + CAST(${r.timeout} AS BIGINT) * INTERVAL '1 second'`)} AS "hiUs"
  FROM (SELECT CAST(CAST(${r.from} AS DATE) AS TIMESTAMP) AT TIME ZONE CAST(${r.tz} AS VARCHAR) AS f,
               CAST(CAST(${r.to} AS DATE) AS TIMESTAMP) AT TIME ZONE CAST(${r.tz} AS VARCHAR) AS t) x`;
}

/**
 * The 15-minute buckets (numbers since the epoch, both ends included) the computation covers:
 * those of the data's extent within the range (`rangeExtent`), never the whole calendar the
 * range spans.
 */
export interface BucketSpan {
  lo: number;
  hi: number;
}

/**
 * How the filters of events, schedule and orders read the range's instants (§6: the period is
 * [from, to) in local time; `lo`/`hi` widen it by the timeout, §3), and what their FROM clause
 * needs for it (`comma`: `, b`; `cross`: ` CROSS JOIN b`).
 */
interface RangeRefs {
  from: SqlFragment;
  to: SqlFragment;
  lo: SqlFragment;
  hi: SqlFragment;
  comma: SqlFragment;
  cross: SqlFragment;
}

/**
 * The range's instants as the filters read them. With `bounds` (`Dialect.materialiseCtes`
 * false: DuckDB), bound as parameters wherever events, schedule and orders are filtered, so that
 * the engine filters the scans directly — a join with a one-row CTE made DuckDB run nested-loop
 * joins over every event (half of the query's time at 10 M events). Without them (PostgreSQL,
 * which stores each CTE as a table and joins a one-row table cheaply), the filters read the
 * one-row CTE `b` of the local midnights of `p`'s dates.
 */
function rangeRefs(d: Dialect, p: Cte, bounds: RangeBounds | undefined): RangeRefs {
  if (!bounds) {
    const b = cte(
      'b',
      sql`SELECT p.*,
    CAST(d_from AS TIMESTAMP) AT TIME ZONE tz AS from_ts,
    CAST(d_to AS TIMESTAMP) AT TIME ZONE tz AS to_ts,
    (CAST(d_from AS TIMESTAMP) AT TIME ZONE tz) - t_sec * INTERVAL '1 second' AS lo_ts,
    (CAST(d_to AS TIMESTAMP) AT TIME ZONE tz) + t_sec * INTERVAL '1 second' AS hi_ts
  FROM ${p}`,
    );
    return {
      from: sql`${b}.from_ts`,
      to: sql`${b}.to_ts`,
      lo: sql`${b}.lo_ts`,
      hi: sql`${b}.hi_ts`,
      comma: sql`, ${b}`,
      cross: sql` CROSS JOIN ${b}`,
    };
  }
  const at = (name: string, us: string) => applySql(d.fromEpochUs, sql`${param(name, us)}`);
  return {
    from: at('from_us', bounds.fromUs),
    to: at('to_us', bounds.toUs),
    lo: at('lo_us', bounds.loUs),
    hi: at('hi_us', bounds.hiUs),
    comma: sql``,
    cross: sql``,
  };
}

/** Floor of a BIGINT over the bucket width, also before 1970 (`intDiv` truncates towards zero). */
function bucketOf(d: Dialect, us: string, q: string): string {
  // Shifted by 10^9 buckets (about 28 500 years) so the dividend is positive for any instant an
  // engine stores in practice, then shifted back: one addition instead of a sign test.
  return `(${d.intDiv(`${us} + ${BigInt(BUCKET_US) * 1_000_000_000n}`, q)} - 1000000000)`;
}

/**
 * The data's extent within the range, as the buckets the metric SQL must cover: the first and
 * last instant of any event within the timeout of the range, any schedule row near it and any
 * order in it, widened by the timeout and a day (credited intervals and `schedule30` reach that
 * far beyond their instants), and never beyond the range's own buckets. A century-long range over
 * three months of data then costs what the three months cost. `null` when the range holds no data.
 */
export async function rangeExtent(
  store: Pick<Sql, 'all'> & { dialect: Dialect },
  req: MetricRequest,
  bounds?: RangeBounds,
): Promise<BucketSpan | null> {
  const d = store.dialect;
  const r = rangeParams(req);
  const p = cte(
    'p',
    sql`SELECT CAST(${r.from} AS DATE) AS d_from, CAST(${r.to} AS DATE) AS d_to, CAST(${r.tz} AS VARCHAR) AS tz,
           CAST(${r.timeout} AS BIGINT) AS t_sec`,
  );
  const R = rangeRefs(d, p, bounds);
  const x = cte(
    'x',
    sql`SELECT min(e.occurred_at) AS lo, max(e.occurred_at) AS hi FROM events e${R.comma}
    WHERE e.occurred_at >= ${R.lo} AND e.occurred_at <= ${R.hi}
    UNION ALL
    SELECT min(s.start_at), max(s.end_at) FROM schedule s${R.comma}
    WHERE s.start_at < ${R.hi} + INTERVAL '3 days' AND s.end_at > ${R.lo} - INTERVAL '3 days'
    UNION ALL
    SELECT min(o.signed_at), max(o.signed_at) FROM orders o${R.comma}
    WHERE o.signed_at >= ${R.from} AND o.signed_at < ${R.to}`,
  );
  // One small query on every engine (nothing here is worth a temporary table).
  const q = query(
    d,
    sql`SELECT CAST(${d.epochUs('min(x.lo)')} AS VARCHAR) AS lo, CAST(${d.epochUs('max(x.hi)')} AS VARCHAR) AS hi
  FROM ${x}`,
  );
  const [row] = await store.all<{ lo: string | null; hi: string | null }>(q.text, q.values);
  if (row?.lo === null || row?.lo === undefined || row.hi === null) return null;
  const range = rangeBuckets(req);
  const margin = (BigInt(req.options.timeout_seconds) + 86_400n) * 1_000_000n;
  const qb = BigInt(BUCKET_US);
  const floorDiv = (a: bigint) => (a >= 0n ? a / qb : -((-a + qb - 1n) / qb));
  const lo = Number(floorDiv(BigInt(row.lo) - margin));
  const hi = Number(floorDiv(BigInt(row.hi) + margin));
  return { lo: Math.max(lo, range.lo), hi: Math.min(hi, range.hi) };
}

/**
 * The buckets of the whole range: the requested days widened by 3 days and the timeout on each
 * side cover any UTC offset (within ±15 h, local mean times included), the day before `from` and
 * every interval that reaches the range.
 */
function rangeBuckets(req: MetricRequest): BucketSpan {
  const marginMs = 3 * 86_400_000 + req.options.timeout_seconds * 1000;
  return {
    lo: Math.floor((Date.parse(`${req.from}T00:00:00Z`) - marginMs) / (BUCKET_US / 1000)),
    hi: Math.ceil((Date.parse(`${req.to}T00:00:00Z`) + marginMs) / (BUCKET_US / 1000)),
  };
}

/**
 * The CTEs a caller reads of a metric chain: `p`, the one-row table of the request (its columns
 * `d_from`, `d_to`, …), and `clinician_rows`, the rows of §6 per clinician and period piece.
 */
export interface MetricChain {
  p: Cte;
  clinician_rows: Cte;
}

/** The chain over events, which also gives the day table's rows (`metricDays.ts`). */
export interface EventChain extends MetricChain {
  /** One row per (user, local day) of the sums that add up over days (`DAY_COLUMNS`). */
  day_rows: Cte;
  /** The distinct (user, local day, patient) of the events. */
  day_patients: Cte;
}

/**
 * The number of pieces `req.period` cuts the range into (§6), a parameter named after the period
 * so that the chains of several periods can be parts of one statement (`dayMetricsByPeriod`).
 */
function piecesParam(req: MetricRequest) {
  return param(`${req.period}_pieces`, pieceCount(req.from, req.to, req.period));
}

/**
 * The chain of the clinician rows of `req` over events, schedule and orders, over the buckets of
 * `span` (`rangeExtent`); with `bounds` the range's instants are bound into the filters (see
 * `rangeRefs`). Callers select from `clinician_rows` (`computeMetrics.ts`) or store `day_rows`
 * and `day_patients` (`metricDays.ts`).
 */
export function clinicianCtes(
  d: Dialect,
  req: MetricRequest,
  span: BucketSpan,
  bounds?: RangeBounds,
): EventChain {
  const o = req.options;
  const cap = o.over_timeout === 'cap';
  const fwd = o.direction === 'forward';
  const split = o.attribution === 'split';
  const ep = d.epochUs;
  const div = (a: string, q: string) => bucketOf(d, a, q);
  const chan = channelFilter(req, 'e');
  // Up to how many buckets one credited interval can touch.
  const maxPieces = Math.ceil((o.timeout_seconds * 1_000_000) / BUCKET_US) + 1;
  // The request's named parameters (§2 options, §6 range) and the buckets it covers.
  const P = {
    ...rangeParams(req),
    mergeGap: param('merge_gap_min', o.session_merge_gap_minutes),
    nDays: param('n_days', dayCount(req.from, req.to)),
    bucketLo: param('bucket_lo', span.lo),
    bucketHi: param('bucket_hi', span.hi),
    pieces: piecesParam(req),
  };

  // §2: the request as a one-row table — its dates, zone, timeout and merge gap in microseconds.
  const p = cte(
    'p',
    sql`SELECT CAST(${P.from} AS DATE) AS d_from, CAST(${P.to} AS DATE) AS d_to, CAST(${P.tz} AS VARCHAR) AS tz,
         CAST(${P.timeout} AS BIGINT) * 1000000 AS t_us, CAST(${P.mergeGap} AS BIGINT) * 60000000 AS gap_us,
         CAST(${P.nDays} AS INTEGER) AS n_days, CAST(${BUCKET_US} AS BIGINT) AS q,
         CAST(${P.timeout} AS BIGINT) AS t_sec, CAST(${P.bucketLo} AS BIGINT) AS b_lo, CAST(${P.bucketHi} AS BIGINT) AS b_hi,
         CAST(${P.pieces} AS INTEGER) AS n_pieces`,
  );
  // §6: the period [from, to) is local time; the filters read its instants.
  const R = rangeRefs(d, p, bounds);

  // §5 and §6: one row per 15-minute UTC bucket of the data's extent, with its local day and
  // whether it lies inside each clock window (07–19, Mon–Fri 07–17:30, Mon–Fri 06–18), DST-exact.
  const buckets = cte(
    'buckets',
    sql`SELECT bk, CAST(CAST(lt AS DATE) - p.d_from AS INTEGER) AS day_no,
    CASE WHEN lm >= 420 AND lm < 1140 THEN 1 ELSE 0 END AS in_o77,
    CASE WHEN dow <= 5 AND lm >= 420 AND lm < 1050 THEN 1 ELSE 0 END AS in_paj,
    CASE WHEN dow <= 5 AND lm >= 360 AND lm < 1080 THEN 1 ELSE 0 END AS in_a18
  FROM (
    SELECT bk, lt, CAST(extract(hour FROM lt) AS INTEGER) * 60 + CAST(extract(minute FROM lt) AS INTEGER) AS lm,
      CAST(extract(isodow FROM lt) AS INTEGER) AS dow
    FROM (
      SELECT g.bk, (TIMESTAMPTZ '1970-01-01 00:00:00+00' + g.bk * INTERVAL '15 minutes') AT TIME ZONE p.tz AS lt
      FROM ${p}, generate_series(p.b_lo, p.b_hi) AS g(bk)
    ) x, ${p}
  ) y, ${p}`,
  );

  // §6: a user has rows once they have any event (after `exclude_channels`), schedule row or
  // order in the range.
  const users = cte(
    'users',
    sql`SELECT DISTINCT e.user_id FROM events e${R.comma} WHERE e.occurred_at >= ${R.from} AND e.occurred_at < ${R.to} ${chan}
  UNION
  SELECT DISTINCT s.user_id FROM schedule s${R.comma} WHERE s.start_at < ${R.to} AND s.end_at > ${R.from}
  UNION
  SELECT DISTINCT o.user_id FROM orders o${R.comma} WHERE o.signed_at >= ${R.from} AND o.signed_at < ${R.to}`,
  );

  // §3: each user's events after `exclude_channels` (§2), within the timeout of the range, in
  // §3's order — at one instant the source log's order (`seq`; events without one after those
  // with one, said explicitly so that both engines agree), then `event_id` by code unit — with
  // the time of the next (forward) or previous (backward) event.
  const catCase = `CASE e.category ${CATEGORY_CODES.map((c, i) => `WHEN '${c}' THEN ${i}`).join(' ')} ELSE 5 END`;
  const ev = cte(
    'ev',
    sql`SELECT e.user_id, ${ep('e.occurred_at')} AS t, ${catCase} AS cat,
    ${fwd ? `lead(${ep('e.occurred_at')}) OVER w AS nt` : `lag(${ep('e.occurred_at')}) OVER w AS pt`}
  FROM events e${R.comma}
  WHERE e.occurred_at >= ${R.lo} AND e.occurred_at <= ${R.hi} ${chan}
  WINDOW w AS (PARTITION BY e.user_id ORDER BY e.occurred_at, e.seq ASC NULLS LAST, ${d.binary('e.event_id')}, ${d.binary('e.source')})`,
  );

  // §3 `cap`: a user's last (forward) or first (backward) event within the window has a
  // neighbour beyond the timeout when the user has an event beyond the window.
  let evx: Cte;
  if (!cap) evx = cte('evx', sql`SELECT * FROM ${ev}`);
  else {
    const beyond = cte(
      'ev_beyond',
      sql`SELECT DISTINCT e.user_id FROM events e${R.comma} WHERE e.occurred_at ${fwd ? sql`> ${R.hi}` : sql`< ${R.lo}`} ${chan}`,
    );
    evx = cte(
      'evx',
      fwd
        ? sql`SELECT ev.*, (ev.nt IS NOT NULL OR x.user_id IS NOT NULL) AS has_next FROM ${ev} LEFT JOIN ${beyond} x ON x.user_id = ev.user_id`
        : sql`SELECT ev.*, (ev.pt IS NOT NULL OR x.user_id IS NOT NULL) AS has_prev FROM ${ev} LEFT JOIN ${beyond} x ON x.user_id = ev.user_id`,
    );
  }

  // §3: the credited interval [s, e) of each event (the event is always the credited one):
  // forward [t, next) within the timeout, else [t, t + timeout) with `cap`, else nothing;
  // backward the mirror image.
  const iv = fwd
    ? {
        s: 't',
        e: `CASE WHEN nt IS NOT NULL AND nt - t <= p.t_us THEN nt WHEN ${cap ? 'has_next' : 'FALSE'} THEN t + p.t_us ELSE t END`,
      }
    : {
        s: `CASE WHEN pt IS NOT NULL AND t - pt <= p.t_us THEN pt WHEN ${cap ? 'has_prev' : 'FALSE'} THEN t - p.t_us ELSE t END`,
        e: 't',
      };
  const credited = cte(
    'credited',
    sql`SELECT user_id, cat, t, s, e FROM (SELECT user_id, cat, t, ${iv.s} AS s, ${iv.e} AS e FROM ${evx}, ${p}) x WHERE e > s`,
  );

  // §4: appointments that are not cancelled or entered in error, and session rows, near the range.
  const appts = cte(
    'appts',
    sql`SELECT s.user_id, ${ep('s.start_at')} AS s, ${ep('s.end_at')} AS e, s.status
  FROM schedule s${R.comma}
  WHERE s.kind = 'appointment' AND s.status NOT IN ('cancelled', 'entered-in-error')
    AND s.start_at < ${R.hi} + INTERVAL '3 days' AND s.end_at > ${R.lo} - INTERVAL '3 days'`,
  );
  const sessionRows = cte(
    'session_rows',
    sql`SELECT s.user_id, ${ep('s.start_at')} AS s, ${ep('s.end_at')} AS e
  FROM schedule s${R.comma}
  WHERE s.kind = 'session' AND s.start_at < ${R.hi} + INTERVAL '3 days' AND s.end_at > ${R.lo} - INTERVAL '3 days'`,
  );
  // §4: a user with any session row (at any time) uses those; otherwise sessions derive from
  // appointments merged with the merge gap.
  const derivedSrc = cte(
    'derived_src',
    sql`SELECT a.user_id, a.s, a.e FROM ${appts} a
  WHERE a.user_id NOT IN (SELECT DISTINCT x.user_id FROM schedule x WHERE x.kind = 'session')`,
  );
  const sessions = cte(
    'sessions',
    sql`${islands(sessionRows, '0')}
  UNION ALL
  ${islands(derivedSrc, sql`(SELECT gap_us FROM ${p})`)}`,
  );
  // §4: visit time, the union of appointments that are not no-shows either.
  const visitSrc = cte(
    'visit_src',
    sql`SELECT user_id, s, e FROM ${appts} WHERE status <> 'noshow'`,
  );
  const visits = cte('visits', islands(visitSrc, '0'));
  // §5 `schedule30`: the sessions widened by 30 minutes on both sides, made disjoint again.
  const sessions30 =
    o.wow === 'schedule30'
      ? cte(
          'sessions30',
          islands(
            cte(
              'widened',
              sql`SELECT user_id, s - 1800000000 AS s, e + 1800000000 AS e FROM ${sessions}`,
            ),
            '0',
          ),
        )
      : null;
  // The disjoint sets, by kind (0 sessions, 1 visit time, 2 sessions ± 30 min), cut at bucket
  // edges; `set_daily` is §4's scheduled time and the visit time per local day.
  const sets = cte(
    'sets',
    sql`SELECT 0 AS kind, user_id, s, e FROM ${sessions}
  UNION ALL SELECT 1, user_id, s, e FROM ${visits}
  ${sessions30 ? sql`UNION ALL SELECT 2, user_id, s, e FROM ${sessions30}` : ''}`,
  );
  const setPieces = cte(
    'set_pieces',
    sql`SELECT x.kind, x.user_id, g.bk, greatest(x.s, g.bk * p.q) AS s, least(x.e, (g.bk + 1) * p.q) AS e
  FROM ${sets} x, ${p}, generate_series(${div('x.s', 'p.q')}, ${div('x.e - 1', 'p.q')}) AS g(bk)
  WHERE x.kind IN ${sessions30 ? '(0, 1, 2)' : '(0, 1)'}`,
  );
  const setDaily = cte(
    'set_daily',
    sql`SELECT sp.user_id, bu.day_no,
    sum(CASE WHEN sp.kind = 0 THEN sp.e - sp.s ELSE 0 END) AS sched_us,
    sum(CASE WHEN sp.kind = 1 THEN sp.e - sp.s ELSE 0 END) AS visit_us
  FROM ${setPieces} sp JOIN ${buckets} bu ON bu.bk = sp.bk
  GROUP BY sp.user_id, bu.day_no`,
  );

  // §3 attribution. `split`: each credited interval cut at bucket edges, and each piece's exact
  // overlap with each set. `start`: each interval whole at its credited event's time, in the
  // sets that contain that instant.
  let pieces: Cte;
  let setOverlaps: Cte;
  if (split) {
    pieces = cte(
      'pieces',
      sql`SELECT c.user_id, c.cat, c.bk0 + k.k AS bk, greatest(c.s, (c.bk0 + k.k) * p.q) AS s, least(c.e, (c.bk0 + k.k + 1) * p.q) AS e
  FROM (SELECT credited.*, ${div('s', 'p.q')} AS bk0, ${div('e - 1', 'p.q')} AS bk1 FROM ${credited}, ${p}) c,
       ${p}, generate_series(0, ${maxPieces - 1}) AS k(k)
  WHERE c.bk0 + k.k <= c.bk1`,
    );
    setOverlaps = cte(
      'set_overlaps',
      sql`SELECT pc.user_id, pc.bk, sp.kind, least(pc.e, sp.e) - greatest(pc.s, sp.s) AS us
  FROM ${pieces} pc JOIN ${setPieces} sp ON sp.user_id = pc.user_id AND sp.bk = pc.bk
  WHERE sp.s < pc.e AND sp.e > pc.s`,
    );
  } else {
    pieces = cte(
      'pieces',
      sql`SELECT credited.user_id, credited.cat, ${div('credited.t', 'p.q')} AS bk, credited.s, credited.e, credited.t
  FROM ${credited}, ${p}`,
    );
    setOverlaps = cte(
      'set_overlaps',
      sql`SELECT pc.user_id, pc.bk, sp.kind, pc.e - pc.s AS us
  FROM ${pieces} pc JOIN ${setPieces} sp ON sp.user_id = pc.user_id AND sp.bk = pc.bk
  WHERE sp.s <= pc.t AND pc.t < sp.e`,
    );
  }

  // §6 per local day: credited time by category (`ehr_hours` and the six), and outside each
  // clock window of §5.
  const pieceDaily = cte(
    'piece_daily',
    sql`SELECT pc.user_id, bu.day_no,
    ${CATEGORY_CODES.map((c, i) => `sum(CASE WHEN pc.cat = ${i} THEN pc.e - pc.s ELSE 0 END) AS ${c}_us`).join(',\n    ')},
    sum(CASE WHEN bu.in_o77 = 0 THEN pc.e - pc.s ELSE 0 END) AS out_o77,
    sum(CASE WHEN bu.in_paj = 0 THEN pc.e - pc.s ELSE 0 END) AS out_paj,
    sum(CASE WHEN bu.in_a18 = 0 THEN pc.e - pc.s ELSE 0 END) AS out_a18
  FROM ${pieces} pc JOIN ${buckets} bu ON bu.bk = pc.bk
  GROUP BY pc.user_id, bu.day_no`,
  );
  // §5 and §6 per local day: credited time inside sessions (`schedule`), inside visit time
  // (`visit_ehr_hours`) and inside sessions ± 30 minutes (`schedule30`).
  const overlapDaily = cte(
    'overlap_daily',
    sql`SELECT ov.user_id, bu.day_no,
    sum(CASE WHEN ov.kind = 0 THEN ov.us ELSE 0 END) AS ov_sess,
    sum(CASE WHEN ov.kind = 1 THEN ov.us ELSE 0 END) AS ov_vis,
    sum(CASE WHEN ov.kind = 2 THEN ov.us ELSE 0 END) AS ov_sess30
  FROM ${setOverlaps} ov JOIN ${buckets} bu ON bu.bk = ov.bk
  GROUP BY ov.user_id, bu.day_no`,
  );

  // §6: the local days of the range that the data's buckets touch (the others hold nothing),
  // each with its period piece.
  const days = cte(
    'days',
    sql`SELECT DISTINCT bu.day_no, p.d_from + bu.day_no AS d
  FROM ${buckets} bu, ${p} WHERE bu.day_no >= 0 AND bu.day_no < p.n_days`,
  );
  const period = periodCtes(p, days, req.period);
  // Bucket → local day and period piece, for counting events, appointments and orders.
  const bucketDays = cte(
    'bucket_days',
    sql`SELECT bu.bk, pd.day_no, pd.d, pd.piece_start FROM ${buckets} bu JOIN ${period.pdays} pd ON pd.day_no = bu.day_no`,
  );
  // Every user's sums per local day of the range, zeros included (§6 `unscheduled_day_hours`
  // needs the days without session time).
  const daily = cte(
    'daily',
    sql`SELECT u.user_id, dd.day_no,
    coalesce(sd.sched_us, 0) AS sched_us, coalesce(sd.visit_us, 0) AS visit_us,
    ${CATEGORY_CODES.map((c) => `coalesce(pd.${c}_us, 0) AS ${c}_us`).join(', ')},
    coalesce(pd.${CATEGORY_CODES.join('_us, 0) + coalesce(pd.')}_us, 0) AS ehr_us,
    coalesce(pd.out_o77, 0) AS out_o77, coalesce(pd.out_paj, 0) AS out_paj, coalesce(pd.out_a18, 0) AS out_a18,
    coalesce(od.ov_sess, 0) AS ov_sess, coalesce(od.ov_vis, 0) AS ov_vis, coalesce(od.ov_sess30, 0) AS ov_sess30
  FROM ${users} u CROSS JOIN ${days} dd
  LEFT JOIN ${setDaily} sd ON sd.user_id = u.user_id AND sd.day_no = dd.day_no
  LEFT JOIN ${pieceDaily} pd ON pd.user_id = u.user_id AND pd.day_no = dd.day_no
  LEFT JOIN ${overlapDaily} od ON od.user_id = u.user_id AND od.day_no = dd.day_no`,
  );

  // §6 `events`, `active_days`, `patients` per period piece.
  const q = String(BUCKET_US);
  const evAgg = cte(
    'ev_agg',
    sql`SELECT e.user_id, pd.piece_start, count(*) AS n_events,
    count(DISTINCT pd.d) AS active_days, count(DISTINCT e.patient_id) AS patients
  FROM events e${R.cross}
  JOIN ${bucketDays} pd ON pd.bk = ${div(ep('e.occurred_at'), q)}
  WHERE e.occurred_at >= ${R.from} AND e.occurred_at < ${R.to} ${chan}
  GROUP BY e.user_id, pd.piece_start`,
  );
  // §6 `appointments`: starting in the piece, not cancelled or entered in error.
  const apptAgg = cte(
    'appt_agg',
    sql`SELECT s.user_id, pd.piece_start, count(*) AS n_appts
  FROM schedule s${R.cross}
  JOIN ${bucketDays} pd ON pd.bk = ${div(ep('s.start_at'), q)}
  WHERE s.kind = 'appointment' AND s.status NOT IN ('cancelled', 'entered-in-error')
    AND s.start_at >= ${R.from} AND s.start_at < ${R.to}
  GROUP BY s.user_id, pd.piece_start`,
  );
  // §6 `teamwork_orders`: orders signed in the piece, and those entered by someone else.
  const orderAgg = cte(
    'order_agg',
    sql`SELECT o.user_id, pd.piece_start, count(*) AS n_orders,
    sum(CASE WHEN o.entered_by IS NOT NULL AND o.entered_by <> '' AND o.entered_by <> o.user_id THEN 1 ELSE 0 END) AS n_team
  FROM orders o${R.cross}
  JOIN ${bucketDays} pd ON pd.bk = ${div(ep('o.signed_at'), q)}
  WHERE o.signed_at >= ${R.from} AND o.signed_at < ${R.to}
  GROUP BY o.user_id, pd.piece_start`,
  );

  const dayTable = dayRowCtes(
    d,
    req,
    { p, buckets, bucketDays, setDaily, pieceDaily, overlapDaily },
    R,
    chan,
  );
  const clinicianRows = tailCtes(d, o.wow, {
    daily,
    pdays: period.pdays,
    users,
    piecesOfPeriod: period.piecesOfPeriod,
    evAgg,
    apptAgg,
    orderAgg,
  });
  return { p, clinician_rows: clinicianRows, ...dayTable };
}

/** The integer columns of a stored day row (`metric_days`), in table order. */
export const DAY_COLUMNS = [
  'present',
  'sched_us',
  'visit_us',
  ...CATEGORY_CODES.map((c) => `${c}_us`),
  'out_o77',
  'out_paj',
  'out_a18',
  'ov_sess',
  'ov_vis',
  'ov_sess30',
  'n_events',
  'n_excluded',
  'n_appts',
  'n_orders',
  'n_team',
] as const;

/**
 * The rows of one (user, local day) that the day table stores (`day_rows`) and the distinct
 * patients of each (`day_patients`): every sum of §6 that is additive over local days, kept in
 * integer microseconds or counts, and `present` — the user has an event (after
 * `exclude_channels`), a schedule row or an order on that day, which is what puts a user in a
 * range's rows (§6). A day row exists where anything is not zero (a `cap` interval may credit a
 * day on which the user has nothing else). Sessions ± 30 minutes are always computed (the caller
 * asks with `wow = schedule30`), so one fill serves every `wow`.
 */
function dayRowCtes(
  d: Dialect,
  req: MetricRequest,
  c: Record<'p' | 'buckets' | 'bucketDays' | 'setDaily' | 'pieceDaily' | 'overlapDaily', Cte>,
  R: RangeRefs,
  chan: string,
): { day_rows: Cte; day_patients: Cte } {
  const ep = d.epochUs;
  const q = String(BUCKET_US);
  const div = (a: string) => bucketOf(d, a, q);
  const zero = (except: Record<string, string>) =>
    DAY_COLUMNS.map((col) => `${except[col] ?? '0'} AS ${col}`).join(', ');
  const cats = Object.fromEntries(CATEGORY_CODES.map((cat) => [`${cat}_us`, `${cat}_us`]));
  const ex = req.options.exclude_channels;
  // §6 "has a schedule row in the range": the local days each schedule row overlaps within the
  // range (any kind and status), from the day of its first to that of its last instant.
  const schedDays = cte(
    'sched_days',
    sql`SELECT DISTINCT x.user_id, CAST(x.day_lo + g.k AS INTEGER) AS day_no FROM (
    SELECT s.user_id, b1.day_no AS day_lo, b2.day_no AS day_hi
    FROM schedule s${R.cross}
    JOIN ${c.buckets} b1 ON b1.bk = ${applySql((x) => div(ep(`greatest(s.start_at, ${x})`)), R.from)}
    JOIN ${c.buckets} b2 ON b2.bk = ${applySql((x) => div(`${ep(`least(s.end_at, ${x})`)} - 1`), R.to)}
    WHERE s.start_at < ${R.to} AND s.end_at > ${R.from}
  ) x, generate_series(0, x.day_hi - x.day_lo) AS g(k)`,
  );
  const parts = [
    sql`SELECT user_id, day_no, ${zero({ sched_us: 'sched_us', visit_us: 'visit_us' })} FROM ${c.setDaily}`,
    sql`SELECT user_id, day_no, ${zero({ ...cats, out_o77: 'out_o77', out_paj: 'out_paj', out_a18: 'out_a18' })} FROM ${c.pieceDaily}`,
    sql`SELECT user_id, day_no, ${zero({ ov_sess: 'ov_sess', ov_vis: 'ov_vis', ov_sess30: 'ov_sess30' })} FROM ${c.overlapDaily}`,
    sql`SELECT e.user_id, pd.day_no, ${zero({ present: '1', n_events: 'count(*)' })}
    FROM events e${R.cross} JOIN ${c.bucketDays} pd ON pd.bk = ${div(ep('e.occurred_at'))}
    WHERE e.occurred_at >= ${R.from} AND e.occurred_at < ${R.to} ${chan}
    GROUP BY e.user_id, pd.day_no`,
    // §8: the events that `exclude_channels` removed.
    ...(ex.length
      ? [
          sql`SELECT e.user_id, pd.day_no, ${zero({ n_excluded: 'count(*)' })}
    FROM events e${R.cross} JOIN ${c.bucketDays} pd ON pd.bk = ${div(ep('e.occurred_at'))}
    WHERE e.occurred_at >= ${R.from} AND e.occurred_at < ${R.to}
      AND e.channel IN (${ex.map((ch) => `'${ch}'`).join(', ')})
    GROUP BY e.user_id, pd.day_no`,
        ]
      : []),
    sql`SELECT s.user_id, pd.day_no, ${zero({ n_appts: 'count(*)' })}
    FROM schedule s${R.cross} JOIN ${c.bucketDays} pd ON pd.bk = ${div(ep('s.start_at'))}
    WHERE s.kind = 'appointment' AND s.status NOT IN ('cancelled', 'entered-in-error')
      AND s.start_at >= ${R.from} AND s.start_at < ${R.to}
    GROUP BY s.user_id, pd.day_no`,
    sql`SELECT o.user_id, pd.day_no, ${zero({
      present: '1',
      n_orders: 'count(*)',
      n_team: `sum(CASE WHEN o.entered_by IS NOT NULL AND o.entered_by <> '' AND o.entered_by <> o.user_id THEN 1 ELSE 0 END)`,
    })}
    FROM orders o${R.cross} JOIN ${c.bucketDays} pd ON pd.bk = ${div(ep('o.signed_at'))}
    WHERE o.signed_at >= ${R.from} AND o.signed_at < ${R.to}
    GROUP BY o.user_id, pd.day_no`,
    sql`SELECT user_id, day_no, ${zero({ present: '1' })} FROM ${schedDays}`,
  ];
  const dayRows = cte(
    'day_rows',
    sql`SELECT user_id, day_no, max(present) AS present,
    ${DAY_COLUMNS.filter((col) => col !== 'present')
      .map((col) => `CAST(sum(${col}) AS BIGINT) AS ${col}`)
      .join(', ')}
  FROM (
    ${joinSql(parts, '\n    UNION ALL\n    ')}
  ) x, ${c.p}
  WHERE x.day_no >= 0 AND x.day_no < p.n_days
  GROUP BY user_id, day_no`,
  );
  const dayPatients = cte(
    'day_patients',
    sql`SELECT DISTINCT e.user_id, pd.day_no, e.patient_id
  FROM events e${R.cross} JOIN ${c.bucketDays} pd ON pd.bk = ${div(ep('e.occurred_at'))}
  WHERE e.occurred_at >= ${R.from} AND e.occurred_at < ${R.to} ${chan} AND e.patient_id IS NOT NULL`,
  );
  return { day_rows: dayRows, day_patients: dayPatients };
}

/** The per-day column whose sum is WOW time, for each `wow` window (§5). */
const WOW_COLUMN: Record<WowWindow, string> = {
  schedule: 'ehr_us - ov_sess',
  schedule30: 'ehr_us - ov_sess30',
  outside7to7: 'out_o77',
  pajama: 'out_paj',
  after18to06: 'out_a18',
};

/**
 * §6's period pieces: the local days' pieces (`pdays`: each day of `days` with its piece's
 * bounds) and every piece of the range (`pieces_of_period`: a user with data in the range gets a
 * row for each). Shared by the chain over events and the chain over the stored day rows
 * (`dayTableCtes`), so both cut periods with the same text.
 */
function periodCtes(
  p: Cte,
  days: Cte,
  period: MetricRequest['period'],
): { pdays: Cte; piecesOfPeriod: Cte } {
  const piece =
    period === 'day'
      ? { start: 'd', end: 'd + 1' }
      : period === 'week'
        ? {
            start: `greatest(d - (CAST(extract(isodow FROM d) AS INTEGER) - 1), p.d_from)`,
            end: `least(d - (CAST(extract(isodow FROM d) AS INTEGER) - 1) + 7, p.d_to)`,
          }
        : period === 'month'
          ? {
              start: `greatest(d - (CAST(extract(day FROM d) AS INTEGER) - 1), p.d_from)`,
              end: `least(CAST(d - (CAST(extract(day FROM d) AS INTEGER) - 1) + INTERVAL '1 month' AS DATE), p.d_to)`,
            }
          : { start: 'p.d_from', end: 'p.d_to' };
  return {
    pdays: cte(
      'pdays',
      sql`SELECT day_no, d, ${piece.start} AS piece_start, ${piece.end} AS piece_end FROM ${days}, ${p}`,
    ),
    piecesOfPeriod: cte('pieces_of_period', periodPieces(p, period)),
  };
}

/**
 * Every piece that `period` cuts [p.d_from, p.d_to) into, generated piece by piece (`p.n_pieces`
 * of them), with the same bounds as the day-by-day expressions of `periodCtes`.
 */
function periodPieces(p: Cte, period: MetricRequest['period']): SqlFragment {
  const series = sql`FROM ${p}, generate_series(0, p.n_pieces - 1) AS g(k)`;
  switch (period) {
    case 'all':
      return sql`SELECT p.d_from AS piece_start, p.d_to AS piece_end FROM ${p}`;
    case 'day':
      return sql`SELECT p.d_from + CAST(g.k AS INTEGER) AS piece_start, p.d_from + CAST(g.k AS INTEGER) + 1 AS piece_end ${series}`;
    case 'week': {
      const monday = `p.d_from - (CAST(extract(isodow FROM p.d_from) AS INTEGER) - 1) + 7 * CAST(g.k AS INTEGER)`;
      return sql`SELECT greatest(${monday}, p.d_from) AS piece_start, least(${monday} + 7, p.d_to) AS piece_end ${series}`;
    }
    case 'month': {
      const first = `p.d_from - (CAST(extract(day FROM p.d_from) AS INTEGER) - 1)`;
      const nth = (k: string) =>
        `CAST(${first} + CAST(${k} AS INTEGER) * INTERVAL '1 month' AS DATE)`;
      return sql`SELECT greatest(${nth('g.k')}, p.d_from) AS piece_start, least(${nth('g.k + 1')}, p.d_to) AS piece_end ${series}`;
    }
  }
}

/**
 * From the per-(user, local day) sums (`daily`) to the rows of §6: sums per period piece, hours,
 * ratios. Shared by both chains, so the stored day rows give the same numbers bit for bit
 * (integer sums, then the same casts and divisions).
 */
function tailCtes(
  d: Dialect,
  wow: WowWindow,
  c: Record<'daily' | 'pdays' | 'users' | 'piecesOfPeriod' | 'evAgg' | 'apptAgg' | 'orderAgg', Cte>,
): Cte {
  const sumUs = CATEGORY_CODES.map((cat) => `${cat}_us`).join(' + ');
  const hours = (x: string) => `CAST(${x} AS ${d.double}) / 3600000000`;
  // §6 per period piece: credited time ∩ period (by category), scheduled and visit time, WOW of
  // the `wow` window (§5), after-hours (always `pajama`), time on days without session time.
  const timeAgg = cte(
    'time_agg',
    sql`SELECT dl.user_id, pd.piece_start,
    sum(sched_us) AS sched_us, sum(visit_us) AS visit_us,
    ${CATEGORY_CODES.map((cat) => `sum(${cat}_us) AS ${cat}_us`).join(', ')},
    sum(${WOW_COLUMN[wow]}) AS wow_us, sum(out_paj) AS ah_us, sum(ov_vis) AS visit_ehr_us,
    sum(CASE WHEN sched_us = 0 THEN ehr_us ELSE 0 END) AS unsched_us
  FROM ${c.daily} dl JOIN ${c.pdays} pd ON pd.day_no = dl.day_no
  GROUP BY dl.user_id, pd.piece_start`,
  );
  // §6: every piece for every user with data in the range, zeros where nothing happened.
  const clinicianUs = cte(
    'clinician_us',
    sql`SELECT u.user_id, pc.piece_start, pc.piece_end,
    coalesce(ta.sched_us, 0) AS sched_us, coalesce(ta.visit_us, 0) AS visit_us,
    ${CATEGORY_CODES.map((cat) => `coalesce(ta.${cat}_us, 0) AS ${cat}_us`).join(', ')},
    coalesce(ta.wow_us, 0) AS wow_us, coalesce(ta.ah_us, 0) AS ah_us,
    coalesce(ta.visit_ehr_us, 0) AS visit_ehr_us, coalesce(ta.unsched_us, 0) AS unsched_us,
    coalesce(ea.n_events, 0) AS n_events, coalesce(ea.active_days, 0) AS active_days,
    coalesce(ea.patients, 0) AS patients, coalesce(aa.n_appts, 0) AS n_appts,
    coalesce(oa.n_orders, 0) AS n_orders, coalesce(oa.n_team, 0) AS n_team
  FROM ${c.users} u CROSS JOIN ${c.piecesOfPeriod} pc
  LEFT JOIN ${timeAgg} ta ON ta.user_id = u.user_id AND ta.piece_start = pc.piece_start
  LEFT JOIN ${c.evAgg} ea ON ea.user_id = u.user_id AND ea.piece_start = pc.piece_start
  LEFT JOIN ${c.apptAgg} aa ON aa.user_id = u.user_id AND aa.piece_start = pc.piece_start
  LEFT JOIN ${c.orderAgg} oa ON oa.user_id = u.user_id AND oa.piece_start = pc.piece_start`,
  );
  // §6: decimal hours, from the exact microseconds at the very end.
  const clinicianH = cte(
    'clinician_h',
    sql`SELECT user_id, piece_start, piece_end,
    ${hours(sumUs)} AS ehr_hours,
    ${CATEGORY_CODES.map((cat) => `${hours(`${cat}_us`)} AS ${cat}_hours`).join(',\n    ')},
    ${hours('sched_us')} AS scheduled_hours,
    ${hours('visit_us')} AS visit_hours,
    ${hours('wow_us')} AS wow_hours,
    ${hours('ah_us')} AS after_hours_hours,
    ${hours('unsched_us')} AS unscheduled_day_hours,
    ${hours('visit_ehr_us')} AS visit_ehr_hours,
    n_events, active_days, patients, n_appts, n_orders, n_team
  FROM ${clinicianUs}`,
  );
  // §6: the fields, each ratio null where its denominator is 0.
  return cte(
    'clinician_rows',
    sql`SELECT user_id, CAST(piece_start AS VARCHAR) AS period_start, CAST(piece_end AS VARCHAR) AS period_end,
    ehr_hours, notes_hours, orders_hours, prescriptions_hours, inbox_hours, chart_review_hours, other_hours,
    scheduled_hours, n_appts AS appointments, wow_hours, after_hours_hours, unscheduled_day_hours, visit_ehr_hours,
    CASE WHEN scheduled_hours > 0 THEN ehr_hours * 8 / scheduled_hours END AS ehr_time8,
    CASE WHEN scheduled_hours > 0 THEN wow_hours * 8 / scheduled_hours END AS wow8,
    CASE WHEN scheduled_hours > 0 THEN notes_hours * 8 / scheduled_hours END AS note_time8,
    CASE WHEN scheduled_hours > 0 THEN prescriptions_hours * 8 / scheduled_hours END AS pres_time8,
    CASE WHEN scheduled_hours > 0 THEN inbox_hours * 8 / scheduled_hours END AS ib_time8,
    CASE WHEN n_orders > 0 THEN CAST(n_team AS ${d.double}) / n_orders END AS teamwork_orders,
    CASE WHEN visit_hours > 0 THEN 1 - visit_ehr_hours / visit_hours END AS undivided_attention,
    CASE WHEN n_appts > 0 THEN ehr_hours * 60 / n_appts END AS ehr_minutes_per_appointment,
    n_events AS events, active_days, patients
  FROM ${clinicianH}`,
  );
}

/**
 * The clinician rows of `req` (any period) from the stored day rows of the options fingerprint
 * `fingerprint` (`metric_days`, `metric_day_patients`): the same final CTEs as `clinicianCtes`
 * (`tailCtes`), so callers select from `clinician_rows` alike. Only the distinct patients are
 * counted anew, from the stored (user, day, patient) rows of the range. Equal to
 * `clinicianCtes`'s rows whenever the day rows of the range are up to date.
 */
export function dayTableCtes(d: Dialect, req: MetricRequest, fingerprint: string): MetricChain {
  const cats = CATEGORY_CODES.map((c) => `${c}_us`);
  const p = cte(
    'p',
    sql`SELECT CAST(${param('from', req.from)} AS DATE) AS d_from, CAST(${param('to', req.to)} AS DATE) AS d_to,
         CAST(${piecesParam(req)} AS INTEGER) AS n_pieces, CAST(${param('fingerprint', fingerprint)} AS VARCHAR) AS fp`,
  );
  // The stored days of the range.
  const stored = cte(
    'stored',
    sql`SELECT m.*, CAST(m.day - p.d_from AS INTEGER) AS day_no
  FROM metric_days m, ${p} WHERE m.fingerprint = p.fp AND m.day >= p.d_from AND m.day < p.d_to`,
  );
  // The local days of the range that hold anything (the others add nothing).
  const days = cte('days', sql`SELECT DISTINCT day_no, day AS d FROM ${stored}`);
  const period = periodCtes(p, days, req.period);
  // §6: a user has rows once present on any day of the range.
  const users = cte('users', sql`SELECT DISTINCT user_id FROM ${stored} WHERE present = 1`);
  const daily = cte(
    'daily',
    sql`SELECT user_id, day_no, sched_us, visit_us, ${cats.join(', ')}, ${cats.join(' + ')} AS ehr_us,
    out_o77, out_paj, out_a18, ov_sess, ov_vis, ov_sess30
  FROM ${stored}`,
  );
  const storedPieces = cte(
    'stored_pieces',
    sql`SELECT st.user_id, pd.piece_start, st.day, st.n_events, st.n_appts, st.n_orders, st.n_team
  FROM ${stored} st JOIN ${period.pdays} pd ON pd.day_no = st.day_no`,
  );
  // §6 `patients` does not add up over days: counted anew over the piece's stored pseudonyms.
  const patAgg = cte(
    'pat_agg',
    sql`SELECT mp.user_id, pd.piece_start, count(DISTINCT mp.patient_id) AS patients
  FROM metric_day_patients mp, ${p}, ${period.pdays} pd
  WHERE mp.fingerprint = p.fp AND mp.day >= p.d_from AND mp.day < p.d_to AND pd.d = mp.day
  GROUP BY mp.user_id, pd.piece_start`,
  );
  const evAgg = cte(
    'ev_agg',
    sql`SELECT x.user_id, x.piece_start, x.n_events, x.active_days, coalesce(pa.patients, 0) AS patients
  FROM (
    SELECT user_id, piece_start, CAST(sum(n_events) AS BIGINT) AS n_events,
      CAST(sum(CASE WHEN n_events > 0 THEN 1 ELSE 0 END) AS BIGINT) AS active_days
    FROM ${storedPieces} GROUP BY user_id, piece_start
  ) x LEFT JOIN ${patAgg} pa ON pa.user_id = x.user_id AND pa.piece_start = x.piece_start`,
  );
  const apptAgg = cte(
    'appt_agg',
    sql`SELECT user_id, piece_start, CAST(sum(n_appts) AS BIGINT) AS n_appts
  FROM ${storedPieces} GROUP BY user_id, piece_start`,
  );
  const orderAgg = cte(
    'order_agg',
    sql`SELECT user_id, piece_start, CAST(sum(n_orders) AS BIGINT) AS n_orders, CAST(sum(n_team) AS BIGINT) AS n_team
  FROM ${storedPieces} GROUP BY user_id, piece_start`,
  );
  const clinicianRows = tailCtes(d, req.options.wow, {
    daily,
    pdays: period.pdays,
    users,
    piecesOfPeriod: period.piecesOfPeriod,
    evAgg,
    apptAgg,
    orderAgg,
  });
  return { p, clinician_rows: clinicianRows };
}
