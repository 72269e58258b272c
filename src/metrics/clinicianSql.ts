/**
 * The per-clinician metric SQL of `shared/spec/metrics.md` §3–§6, written once for both engines.
 *
 * How it works (one sweep per clinician, linear in events):
 * 1. Each user's events (after `exclude_channels`) are numbered in (occurred_at, event_id) order
 *    and get the time and category of the next event (§3).
 * 2. A merged, time-ordered stream per user holds: the events; "cap" rows where an over-timeout
 *    gap credits exactly `timeout` (§3); and boundary rows that open (+1) or close (−1) each set
 *    of §4–§5 — sessions, sessions ±30 min, visit time, the clock windows of each local day — plus
 *    one row at each local midnight carrying the day number.
 * 3. One window pass over the stream gives, at every row, the state after it: the day, each set's
 *    open count, and the credited category (the latest state-setting row, found with a running max
 *    of `rank × 8 + state`, because PostgreSQL has no `IGNORE NULLS`). Between two consecutive rows
 *    nothing changes, so each segment [t, next t) lies wholly inside or outside every set: this is
 *    `attribution = split`, exact at every boundary. For `attribution = start`, an event row reads
 *    the state at its own time and credits its whole interval there.
 * 4. Segments and event credits are summed per (user, local day), then per period piece.
 * All times are integer microseconds, so sums are exact; hours are computed at the very end.
 */
import type { Dialect } from '../store/dialect.ts';
import type { SqlValue } from '../store/Store.ts';
import type { MetricRequest } from '../model/options.ts';

/** Category codes used inside the sweep; 6 means "no credited time". */
export const CATEGORY_CODES = ['notes', 'orders', 'prescriptions', 'inbox', 'chart_review', 'other'] as const;
const INACTIVE = 6;

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
 * SQL (a list of CTEs, ending in `clinician_rows`) and its bound parameters for the clinician rows
 * of `req`. Callers select from `clinician_rows` (see `computeMetrics.ts`).
 */
export function clinicianCtes(d: Dialect, req: MetricRequest): { ctes: string; params: SqlValue[] } {
  const o = req.options;
  const cap = o.over_timeout === 'cap';
  const fwd = o.direction === 'forward';
  const split = o.attribution === 'split';
  const ep = d.epochUs;
  const nDays = dayCount(req.from, req.to);
  const chan = channelFilter(req, 'e');
  const params: SqlValue[] = [req.from, req.to, o.timezone, o.timeout_seconds, o.session_merge_gap_minutes, nDays];

  // Which open count means "outside work" for wow (§5).
  const outside: Record<typeof o.wow, string> = {
    schedule: 'sess = 0',
    schedule30: 'sess30 = 0',
    outside7to7: 'o77 = 0',
    pajama: 'paj = 0',
    after18to06: 'a18 = 0',
  };

  const piece =
    req.period === 'day'
      ? { start: 'd', end: 'd + 1' }
      : req.period === 'week'
        ? {
            start: `greatest(d - (CAST(extract(isodow FROM d) AS INTEGER) - 1), p.d_from)`,
            end: `least(d - (CAST(extract(isodow FROM d) AS INTEGER) - 1) + 7, p.d_to)`,
          }
        : req.period === 'month'
          ? {
              start: `greatest(d - (CAST(extract(day FROM d) AS INTEGER) - 1), p.d_from)`,
              end: `least(CAST(d - (CAST(extract(day FROM d) AS INTEGER) - 1) + INTERVAL '1 month' AS DATE), p.d_to)`,
            }
          : { start: 'p.d_from', end: 'p.d_to' };

  // Credited length of an event in `start` mode, and the state an event row sets in `split` mode.
  const credit = fwd
    ? `CASE WHEN nt IS NOT NULL AND nt - t <= p.t_us THEN nt - t WHEN ${cap ? 'has_next' : 'FALSE'} THEN p.t_us ELSE 0 END`
    : `CASE WHEN pt IS NOT NULL AND t - pt <= p.t_us THEN t - pt WHEN ${cap ? 'has_prev' : 'FALSE'} THEN p.t_us ELSE 0 END`;
  const stateAfter = fwd
    ? `CASE WHEN nt IS NOT NULL AND nt - t <= p.t_us THEN cat WHEN ${cap ? 'has_next' : 'FALSE'} THEN cat ELSE ${INACTIVE} END`
    : `CASE WHEN nt IS NOT NULL AND nt - t <= p.t_us THEN ncat ELSE ${INACTIVE} END`;
  // forward cap: [t, t + timeout) then nothing; backward cap: nothing, then [t − timeout, t).
  const capRow = fwd
    ? { when: `has_next AND (nt IS NULL OR nt - t > p.t_us)`, t: 't + p.t_us', rank: '2 * rn + 1', state: `${INACTIVE}` }
    : { when: `has_prev AND (pt IS NULL OR t - pt > p.t_us)`, t: 't - p.t_us', rank: '2 * rn - 1', state: 'cat' };

  const catCase = `CASE e.category ${CATEGORY_CODES.map((c, i) => `WHEN '${c}' THEN ${i}`).join(' ')} ELSE 5 END`;

  // In split mode a segment counts with its length and the state it lies in; in start mode an
  // event row counts with its credited length and the state at its own time.
  const len = split ? 'seg' : 'ev_len';
  const st = split ? `(CASE WHEN code IS NULL THEN ${INACTIVE} ELSE code % 8 END)` : `coalesce(ev_cat, ${INACTIVE})`;
  const active = `${st} < ${INACTIVE}`;

  const ctes = `
p AS (
  SELECT CAST($1 AS DATE) AS d_from, CAST($2 AS DATE) AS d_to, CAST($3 AS VARCHAR) AS tz,
         CAST($4 AS BIGINT) * 1000000 AS t_us, CAST($5 AS BIGINT) * 60000000 AS gap_us,
         CAST($6 AS INTEGER) AS n_days,
         CAST($1 AS DATE) AS d0
),
b AS (
  SELECT p.*,
    CAST(d_from AS TIMESTAMP) AT TIME ZONE tz AS from_ts,
    CAST(d_to AS TIMESTAMP) AT TIME ZONE tz AS to_ts,
    (CAST(d_from AS TIMESTAMP) AT TIME ZONE tz) - CAST($4 AS BIGINT) * INTERVAL '1 second' AS lo_ts,
    (CAST(d_to AS TIMESTAMP) AT TIME ZONE tz) + CAST($4 AS BIGINT) * INTERVAL '1 second' AS hi_ts,
    -- clock rows cover the day before \`from\` through the day \`to\`, so every relevant segment is split
    (CAST(d_from - 1 AS TIMESTAMP) AT TIME ZONE tz) - CAST($4 AS BIGINT) * INTERVAL '1 second' AS clock_lo_ts,
    (CAST(d_to + 1 AS TIMESTAMP) AT TIME ZONE tz) + CAST($4 AS BIGINT) * INTERVAL '1 second' AS clock_hi_ts
  FROM p
),
users AS (
  SELECT DISTINCT e.user_id FROM events e, b WHERE e.occurred_at >= b.from_ts AND e.occurred_at < b.to_ts
  UNION
  SELECT DISTINCT s.user_id FROM schedule s, b WHERE s.start_at < b.to_ts AND s.end_at > b.from_ts
  UNION
  SELECT DISTINCT o.user_id FROM orders o, b WHERE o.signed_at >= b.from_ts AND o.signed_at < b.to_ts
),
ev AS (
  SELECT e.user_id, ${ep('e.occurred_at')} AS t, ${catCase} AS cat,
    row_number() OVER w AS rn, lead(${ep('e.occurred_at')}) OVER w AS nt,
    lead(${catCase}) OVER w AS ncat, lag(${ep('e.occurred_at')}) OVER w AS pt
  FROM events e, b
  WHERE e.occurred_at >= b.lo_ts AND e.occurred_at <= b.hi_ts ${chan}
  WINDOW w AS (PARTITION BY e.user_id ORDER BY e.occurred_at, e.event_id, e.source)
),
${
  cap
    ? `-- users with an event after (before) the window: their last (first) windowed event has a
-- next (previous) event, over the timeout, which \`cap\` credits.
ev_after AS (SELECT DISTINCT e.user_id FROM events e, b WHERE e.occurred_at > b.hi_ts ${chan}),
ev_before AS (SELECT DISTINCT e.user_id FROM events e, b WHERE e.occurred_at < b.lo_ts ${chan}),
evx AS (
  SELECT ev.*, (ev.nt IS NOT NULL OR ea.user_id IS NOT NULL) AS has_next,
         (ev.pt IS NOT NULL OR eb.user_id IS NOT NULL) AS has_prev
  FROM ev LEFT JOIN ev_after ea ON ea.user_id = ev.user_id LEFT JOIN ev_before eb ON eb.user_id = ev.user_id
),`
    : `evx AS (SELECT ev.*, FALSE AS has_next, FALSE AS has_prev FROM ev),`
}
appts AS (
  SELECT s.user_id, ${ep('s.start_at')} AS s, ${ep('s.end_at')} AS e, s.status
  FROM schedule s, b
  WHERE s.kind = 'appointment' AND s.status NOT IN ('cancelled', 'entered-in-error')
    AND s.start_at < b.clock_hi_ts AND s.end_at > b.clock_lo_ts
),
explicit_users AS (SELECT DISTINCT user_id FROM schedule WHERE kind = 'session'),
-- §4: sessions derived from appointments, for users without session rows: an appointment starting
-- at most merge-gap after the running cluster's end joins the cluster.
appt_marked AS (
  SELECT a.user_id, a.s, a.e,
    CASE WHEN a.s <= max(a.e) OVER (PARTITION BY a.user_id ORDER BY a.s, a.e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) + p.gap_us
         THEN 0 ELSE 1 END AS new_cluster
  FROM appts a, p
  WHERE a.user_id NOT IN (SELECT user_id FROM explicit_users)
),
appt_clustered AS (
  SELECT user_id, s, e, sum(new_cluster) OVER (PARTITION BY user_id ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cid
  FROM appt_marked
),
sessions AS (
  SELECT s.user_id, ${ep('s.start_at')} AS s, ${ep('s.end_at')} AS e
  FROM schedule s, b
  WHERE s.kind = 'session' AND s.start_at < b.clock_hi_ts AND s.end_at > b.clock_lo_ts
  UNION ALL
  SELECT user_id, min(s), max(e) FROM appt_clustered GROUP BY user_id, cid
),
visits AS (SELECT user_id, s, e FROM appts WHERE status <> 'noshow'),
days AS (
  SELECT CAST(i AS INTEGER) AS day_no, p.d_from + CAST(i AS INTEGER) AS d FROM p, generate_series(-1, CAST($6 AS INTEGER)) AS g(i)
),
clock AS (
  SELECT day_no, ${ep('CAST(d AS TIMESTAMP) AT TIME ZONE p.tz')} AS t, 0 AS o77, 0 AS paj, 0 AS a18 FROM days, p
  UNION ALL
  SELECT NULL, ${ep(`(CAST(d AS TIMESTAMP) + w.minute * INTERVAL '1 minute') AT TIME ZONE p.tz`)}, w.o77, w.paj, w.a18
  FROM days, p, (VALUES (420, 1, 0, 0), (1140, -1, 0, 0), (420, 0, 1, 0), (1050, 0, -1, 0), (360, 0, 0, 1), (1080, 0, 0, -1))
    AS w(minute, o77, paj, a18)
  WHERE w.o77 <> 0 OR extract(isodow FROM d) <= 5
),
stream AS (
  SELECT user_id, t, 1 AS prio, 2 * rn AS rk, CAST(NULL AS INTEGER) AS day_no,
    0 AS d_sess, 0 AS d_sess30, 0 AS d_vis, 0 AS d_o77, 0 AS d_paj, 0 AS d_a18,
    ${split ? `(2 * rn) * 8 + ${stateAfter}` : 'CAST(NULL AS BIGINT)'} AS code,
    ${split ? '0' : credit} AS ev_len, ${split ? 'CAST(NULL AS INTEGER)' : 'cat'} AS ev_cat
  FROM evx, p
  ${
    split && cap
      ? `UNION ALL
  SELECT user_id, ${capRow.t}, 1, ${capRow.rank}, NULL, 0, 0, 0, 0, 0, 0, (${capRow.rank}) * 8 + ${capRow.state}, 0, NULL
  FROM evx, p WHERE ${capRow.when}`
      : ''
  }
  UNION ALL
  SELECT u.user_id, c.t, 0, 0, c.day_no, 0, 0, 0, c.o77, c.paj, c.a18, NULL, 0, NULL FROM users u, clock c
  UNION ALL
  SELECT user_id, s, 0, 0, NULL, 1, 0, 0, 0, 0, 0, NULL, 0, NULL FROM sessions
  UNION ALL
  SELECT user_id, e, 0, 0, NULL, -1, 0, 0, 0, 0, 0, NULL, 0, NULL FROM sessions
  ${
    o.wow === 'schedule30'
      ? `UNION ALL
  SELECT user_id, s - 1800000000, 0, 0, NULL, 0, 1, 0, 0, 0, 0, NULL, 0, NULL FROM sessions
  UNION ALL
  SELECT user_id, e + 1800000000, 0, 0, NULL, 0, -1, 0, 0, 0, 0, NULL, 0, NULL FROM sessions`
      : ''
  }
  UNION ALL
  SELECT user_id, s, 0, 0, NULL, 0, 0, 1, 0, 0, 0, NULL, 0, NULL FROM visits
  UNION ALL
  SELECT user_id, e, 0, 0, NULL, 0, 0, -1, 0, 0, 0, NULL, 0, NULL FROM visits
),
swept AS (
  SELECT user_id, ev_len, ev_cat,
    coalesce(lead(t) OVER w - t, 0) AS seg,
    max(day_no) OVER wc AS day_no,
    sum(d_sess) OVER wc AS sess,
    ${o.wow === 'schedule30' ? 'sum(d_sess30) OVER wc' : '0'} AS sess30,
    sum(d_vis) OVER wc AS vis,
    ${o.wow === 'outside7to7' ? 'sum(d_o77) OVER wc' : '0'} AS o77,
    sum(d_paj) OVER wc AS paj,
    ${o.wow === 'after18to06' ? 'sum(d_a18) OVER wc' : '0'} AS a18,
    ${split ? 'max(code) OVER wc' : 'CAST(NULL AS BIGINT)'} AS code
  FROM stream
  WINDOW w AS (PARTITION BY user_id ORDER BY t, prio, rk),
         wc AS (PARTITION BY user_id ORDER BY t, prio, rk ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
daily AS (
  SELECT user_id, day_no,
    sum(CASE WHEN sess > 0 THEN seg ELSE 0 END) AS sched_us,
    sum(CASE WHEN vis > 0 THEN seg ELSE 0 END) AS visit_us,
    ${CATEGORY_CODES.map((c, i) => `sum(CASE WHEN ${st} = ${i} THEN ${len} ELSE 0 END) AS ${c}_us`).join(',\n    ')},
    sum(CASE WHEN ${active} AND ${outside[o.wow]} THEN ${len} ELSE 0 END) AS wow_us,
    sum(CASE WHEN ${active} AND paj = 0 THEN ${len} ELSE 0 END) AS ah_us,
    sum(CASE WHEN ${active} AND vis > 0 THEN ${len} ELSE 0 END) AS visit_ehr_us
  FROM swept, p
  WHERE day_no >= 0 AND day_no < p.n_days
  GROUP BY user_id, day_no
),
pdays AS (
  SELECT day_no, d, ${piece.start} AS piece_start, ${piece.end} AS piece_end
  FROM days, p WHERE day_no >= 0 AND day_no < p.n_days
),
pieces AS (SELECT DISTINCT piece_start, piece_end FROM pdays),
time_agg AS (
  SELECT dl.user_id, pd.piece_start,
    sum(sched_us) AS sched_us, sum(visit_us) AS visit_us,
    ${CATEGORY_CODES.map((c) => `sum(${c}_us) AS ${c}_us`).join(', ')},
    sum(wow_us) AS wow_us, sum(ah_us) AS ah_us, sum(visit_ehr_us) AS visit_ehr_us,
    sum(CASE WHEN sched_us = 0 THEN ${CATEGORY_CODES.map((c) => `${c}_us`).join(' + ')} ELSE 0 END) AS unsched_us
  FROM daily dl JOIN pdays pd ON pd.day_no = dl.day_no
  GROUP BY dl.user_id, pd.piece_start
),
ev_agg AS (
  SELECT e.user_id, pd.piece_start, count(*) AS n_events,
    count(DISTINCT pd.d) AS active_days, count(DISTINCT e.patient_id) AS patients
  FROM events e CROSS JOIN b
  JOIN pdays pd ON pd.d = CAST(e.occurred_at AT TIME ZONE b.tz AS DATE)
  WHERE e.occurred_at >= b.from_ts AND e.occurred_at < b.to_ts ${chan}
  GROUP BY e.user_id, pd.piece_start
),
appt_agg AS (
  SELECT s.user_id, pd.piece_start, count(*) AS n_appts
  FROM schedule s CROSS JOIN b
  JOIN pdays pd ON pd.d = CAST(s.start_at AT TIME ZONE b.tz AS DATE)
  WHERE s.kind = 'appointment' AND s.status NOT IN ('cancelled', 'entered-in-error')
    AND s.start_at >= b.from_ts AND s.start_at < b.to_ts
  GROUP BY s.user_id, pd.piece_start
),
order_agg AS (
  SELECT o.user_id, pd.piece_start, count(*) AS n_orders,
    sum(CASE WHEN o.entered_by IS NOT NULL AND o.entered_by <> '' AND o.entered_by <> o.user_id THEN 1 ELSE 0 END) AS n_team
  FROM orders o CROSS JOIN b
  JOIN pdays pd ON pd.d = CAST(o.signed_at AT TIME ZONE b.tz AS DATE)
  WHERE o.signed_at >= b.from_ts AND o.signed_at < b.to_ts
  GROUP BY o.user_id, pd.piece_start
),
clinician_us AS (
  SELECT u.user_id, pc.piece_start, pc.piece_end,
    coalesce(ta.sched_us, 0) AS sched_us, coalesce(ta.visit_us, 0) AS visit_us,
    ${CATEGORY_CODES.map((c) => `coalesce(ta.${c}_us, 0) AS ${c}_us`).join(', ')},
    coalesce(ta.wow_us, 0) AS wow_us, coalesce(ta.ah_us, 0) AS ah_us,
    coalesce(ta.visit_ehr_us, 0) AS visit_ehr_us, coalesce(ta.unsched_us, 0) AS unsched_us,
    coalesce(ea.n_events, 0) AS n_events, coalesce(ea.active_days, 0) AS active_days,
    coalesce(ea.patients, 0) AS patients, coalesce(aa.n_appts, 0) AS n_appts,
    coalesce(oa.n_orders, 0) AS n_orders, coalesce(oa.n_team, 0) AS n_team
  FROM users u CROSS JOIN pieces pc
  LEFT JOIN time_agg ta ON ta.user_id = u.user_id AND ta.piece_start = pc.piece_start
  LEFT JOIN ev_agg ea ON ea.user_id = u.user_id AND ea.piece_start = pc.piece_start
  LEFT JOIN appt_agg aa ON aa.user_id = u.user_id AND aa.piece_start = pc.piece_start
  LEFT JOIN order_agg oa ON oa.user_id = u.user_id AND oa.piece_start = pc.piece_start
),
clinician_h AS (
  SELECT user_id, piece_start, piece_end,
    CAST(${CATEGORY_CODES.map((c) => `${c}_us`).join(' + ')} AS ${d.double}) / 3600000000 AS ehr_hours,
    ${CATEGORY_CODES.map((c) => `CAST(${c}_us AS ${d.double}) / 3600000000 AS ${c}_hours`).join(',\n    ')},
    CAST(sched_us AS ${d.double}) / 3600000000 AS scheduled_hours,
    CAST(visit_us AS ${d.double}) / 3600000000 AS visit_hours,
    CAST(wow_us AS ${d.double}) / 3600000000 AS wow_hours,
    CAST(ah_us AS ${d.double}) / 3600000000 AS after_hours_hours,
    CAST(unsched_us AS ${d.double}) / 3600000000 AS unscheduled_day_hours,
    CAST(visit_ehr_us AS ${d.double}) / 3600000000 AS visit_ehr_hours,
    n_events, active_days, patients, n_appts, n_orders, n_team
  FROM clinician_us
),
clinician_rows AS (
  SELECT user_id, CAST(piece_start AS VARCHAR) AS period_start, CAST(piece_end AS VARCHAR) AS period_end,
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
  FROM clinician_h
)`;
  return { ctes, params };
}
