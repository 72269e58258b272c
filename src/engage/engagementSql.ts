/**
 * The engagement measures of `shared/spec/engagement.md` §2 as one chain of named CTEs
 * (`src/store/cte.ts`), written once for DuckDB and PostgreSQL: one CTE of items per block of
 * figures (a patient seen, a release of a visit, a patient message, a result, a follow-up), each
 * item tagged with its clinician and period piece, then one GROUP BY that sums numerators and
 * denominators and pools medians per clinician or group. Nothing loops over rows in JavaScript.
 *
 * Local dates: an instant's local date is `CAST(t AT TIME ZONE tz AS DATE)` (the engine's own
 * time-zone rules). Business time: a small calendar (`cal`), one row per local date from the
 * range's first date to the last date any reply or deadline needs, with that day's local 08:00
 * and 17:00 as instants (so a DST day's business window moves with its wall clock), whether it is
 * a business day (Monday–Friday, not a holiday), the running count of business days and the
 * business microseconds before it. The business time before an instant is then one equi-join on
 * its local date, and business hours between two instants a difference of two such values.
 */
import type { Dialect } from '../store/dialect.ts';
import { applySql, cte, joinSql, param, sql, type Cte, type SqlFragment } from '../store/cte.ts';
import { BUSINESS_DAY, BUSINESS_WEEKDAYS } from '../model/businessTime.ts';
import { PATIENT_ACTIONS } from '../model/patientSide.ts';
import type { EngagementBy, EngagementRequest } from '../model/engagement.ts';

const HOUR_US = 3_600_000_000;
const DAY_HOURS = 24;

/** The range's local midnights as microseconds since the epoch (text of a BIGINT). */
export interface EngagementBounds {
  fromUs: string;
  toUs: string;
}

/** Actions that view, download or transmit (`vdt_share`, §2): every `view_*`, download, transmit. */
const VDT_ACTIONS = PATIENT_ACTIONS.filter(
  (a) => a.startsWith('view_') || a === 'download' || a === 'transmit',
);
const list = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ');

/** The statement that computes `EngagementBounds` of a request, with the engine's zone rules. */
export function engagementBoundsQuery(d: Dialect, req: EngagementRequest): SqlFragment {
  const tz = param('tz', req.timezone);
  const us = (x: SqlFragment) => applySql((e) => `CAST(${d.epochUs(e)} AS VARCHAR)`, x);
  const midnight = (date: SqlFragment) =>
    sql`CAST(CAST(${date} AS DATE) AS TIMESTAMP) AT TIME ZONE CAST(${tz} AS VARCHAR)`;
  return sql`SELECT ${us(midnight(sql`${param('from', req.from)}`))} AS "fromUs",
    ${us(midnight(sql`${param('to', req.to)}`))} AS "toUs"`;
}

/** The CTEs that statements read: `rows` (one per clinician or group and piece). */
export interface EngagementChain {
  rows: Cte;
}

/**
 * The chain of §2 for `req`, grouped by `req.by`. `bounds` are the range's instants
 * (`engagementBoundsQuery`), bound as parameters so that the scans are filtered directly.
 */
export function engagementCtes(
  d: Dialect,
  req: EngagementRequest,
  bounds: EngagementBounds,
): EngagementChain {
  const tz = sql`CAST(${param('tz', req.timezone)} AS VARCHAR)`;
  const dFrom = sql`CAST(${param('from', req.from)} AS DATE)`;
  const dTo = sql`CAST(${param('to', req.to)} AS DATE)`;
  const tFrom = applySql(d.fromEpochUs, sql`${param('from_us', bounds.fromUs)}`);
  const tTo = applySql(d.fromEpochUs, sql`${param('to_us', bounds.toUs)}`);
  const local = (t: string) => sql`CAST(${t} AT TIME ZONE ${tz} AS DATE)`;
  const inRange = (t: string) => sql`${t} >= ${tFrom} AND ${t} < ${tTo}`;
  const us = (t: string) => d.epochUs(t);
  const piece = pieceOf(req.period, dFrom, dTo);
  // The local midnight that starts a date (a DATE expression), as an instant.
  const midnight = (date: string) => sql`CAST(${date} AS TIMESTAMP) AT TIME ZONE ${tz}`;

  // §1/§2: visits are the clinician's appointments with status fulfilled or arrived, in the period
  // by the local date they start on.
  const visits = cte(
    'eng_visits',
    sql`SELECT DISTINCT clinician_id, appointment_id, patient_id, vdate, ${piece('vdate')}
    FROM (SELECT s.user_id AS clinician_id, s.appointment_id, s.patient_id, ${local('s.start_at')} AS vdate
          FROM schedule s
          WHERE s.kind = 'appointment' AND s.status IN ('fulfilled', 'arrived') AND ${inRange('s.start_at')}) v`,
  );

  // patients_seen: distinct patients of the clinician's visits of each piece.
  const seen = cte(
    'eng_seen',
    sql`SELECT DISTINCT clinician_id, piece_start, piece_end, patient_id FROM ${visits} WHERE patient_id IS NOT NULL`,
  );

  // The seen patients' actions per piece: local days with any action, and any view/download/transmit.
  const actions = cte(
    'eng_actions',
    sql`SELECT patient_id, piece_start, count(DISTINCT ld) AS days, max(vdt) AS vdt
    FROM (SELECT patient_id, ld, vdt, ${piece('ld')}
          FROM (SELECT e.patient_id, ${local('e.occurred_at')} AS ld,
                       CASE WHEN e.action IN (${list(VDT_ACTIONS)}) THEN 1 ELSE 0 END AS vdt
                FROM patient_events e
                WHERE ${inRange('e.occurred_at')} AND e.patient_id IN (SELECT patient_id FROM ${seen})) x) y
    GROUP BY patient_id, piece_start`,
  );

  // An account active at some time in the piece: activated before its end, not deactivated by its start.
  const accounts = cte(
    'eng_accounts',
    sql`SELECT sp.patient_id, sp.piece_start, 1 AS activated
    FROM (SELECT DISTINCT patient_id, piece_start, piece_end FROM ${seen}) sp
    JOIN patient_accounts a ON a.patient_id = sp.patient_id
    WHERE a.activated_at < ${midnight('sp.piece_end')}
      AND (a.deactivated_at IS NULL OR a.deactivated_at > ${midnight('sp.piece_start')})
    GROUP BY sp.patient_id, sp.piece_start`,
  );

  // Patient messages to a clinician sent in the period (their piece by local date).
  const pmsg = cte(
    'eng_pmsg',
    sql`SELECT message_id, clinician_id, patient_id, sent_at, ${piece('ld')}
    FROM (SELECT m.message_id, m.clinician_id, m.patient_id, m.sent_at, ${local('m.sent_at')} AS ld
          FROM messages m WHERE m.direction = 'to_clinician' AND ${inRange('m.sent_at')}) x`,
  );

  const messaged = cte(
    'eng_messaged',
    sql`SELECT DISTINCT clinician_id, patient_id, piece_start FROM ${pmsg}`,
  );

  const seenItems = cte(
    'eng_seen_items',
    sql`SELECT s.clinician_id, s.piece_start, s.piece_end, s.patient_id,
      coalesce(ac.activated, 0) AS activated,
      CASE WHEN a.days >= 1 THEN 1 ELSE 0 END AS active,
      CASE WHEN a.days >= 2 THEN 1 ELSE 0 END AS regular,
      coalesce(a.vdt, 0) AS vdt,
      CASE WHEN mg.patient_id IS NULL THEN 0 ELSE 1 END AS messaged
    FROM ${seen} s
    LEFT JOIN ${actions} a ON a.patient_id = s.patient_id AND a.piece_start = s.piece_start
    LEFT JOIN ${accounts} ac ON ac.patient_id = s.patient_id AND ac.piece_start = s.piece_start
    LEFT JOIN ${messaged} mg ON mg.clinician_id = s.clinician_id AND mg.patient_id = s.patient_id
      AND mg.piece_start = s.piece_start`,
  );

  // The clinician's replies, at or after the message: by in_reply_to at any time, else the next
  // message to that patient within 7 days (168 hours: exact, whatever the session's zone).
  const outMsg = cte(
    'eng_out',
    sql`SELECT m.message_id, m.clinician_id, m.patient_id, m.sent_at, m.in_reply_to
    FROM messages m WHERE m.direction = 'to_patient' AND m.sent_at >= ${tFrom}`,
  );
  const byReply = cte(
    'eng_by_reply',
    sql`SELECT pm.message_id, min(o.sent_at) AS at FROM ${pmsg} pm
    JOIN ${outMsg} o ON o.in_reply_to = pm.message_id AND o.clinician_id = pm.clinician_id
      AND o.sent_at >= pm.sent_at
    GROUP BY pm.message_id`,
  );
  const byNext = cte(
    'eng_by_next',
    sql`SELECT pm.message_id, min(o.sent_at) AS at FROM ${pmsg} pm
    JOIN ${outMsg} o ON o.patient_id = pm.patient_id AND o.clinician_id = pm.clinician_id
      AND o.sent_at >= pm.sent_at AND o.sent_at <= pm.sent_at + INTERVAL '${7 * DAY_HOURS} hours'
    GROUP BY pm.message_id`,
  );
  const replies = cte(
    'eng_replies',
    sql`SELECT pm.message_id, pm.clinician_id, pm.patient_id, pm.sent_at, pm.piece_start, pm.piece_end,
      coalesce(r.at, n.at) AS reply_at
    FROM ${pmsg} pm LEFT JOIN ${byReply} r ON r.message_id = pm.message_id
    LEFT JOIN ${byNext} n ON n.message_id = pm.message_id`,
  );

  // The calendar's last date: a year past the range (room for the 4th business day after any
  // visit, whatever the holidays), or the last reply's date.
  const span = cte(
    'eng_span',
    sql`SELECT CAST(coalesce(max(last_d), ${dTo} + 366) - ${dFrom} AS INTEGER) AS n_days
    FROM (SELECT ${dTo} + 366 AS last_d
          UNION ALL SELECT ${local('reply_at')} FROM ${replies} WHERE reply_at IS NOT NULL) x`,
  );
  const holidays = req.holidays.filter((h) => h >= req.from);
  const notHoliday = holidays.length
    ? sql` AND x.d NOT IN (${joinSql(
        holidays.map((h, i) => sql`CAST(${param(`hol_${i}`, h)} AS DATE)`),
        ', ',
      )})`
    : sql``;
  // The instant of a local wall-clock hour of day x.d, with that day's own UTC offset.
  const clock = (hour: number) =>
    applySql(
      d.epochUs,
      sql`(CAST(x.d AS TIMESTAMP) + INTERVAL '${hour} hours') AT TIME ZONE ${tz}`,
    );
  const calDays = cte(
    'eng_cal_days',
    sql`SELECT x.d,
      CASE WHEN CAST(extract(isodow FROM x.d) AS INTEGER) IN (${BUSINESS_WEEKDAYS.join(', ')})${notHoliday} THEN 1 ELSE 0 END AS is_biz,
      ${clock(BUSINESS_DAY.start_hour)} AS open_us,
      ${clock(BUSINESS_DAY.end_hour)} AS close_us
    FROM (SELECT ${dFrom} + CAST(g.k AS INTEGER) AS d FROM ${span}, generate_series(0, ${span}.n_days) AS g(k)) x`,
  );
  const cal = cte(
    'eng_cal',
    sql`SELECT d, is_biz, open_us, close_us,
      CAST(sum(is_biz) OVER (ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS BIGINT) AS bd_through,
      CAST(coalesce(sum(is_biz * (close_us - open_us)) OVER (ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS BIGINT) AS before_us
    FROM ${calDays}`,
  );
  // Business microseconds from the calendar's start to instant `t`, `c` its local date's row.
  const businessAt = (c: string, t: string) =>
    `(${c}.before_us + ${c}.is_biz * least(greatest(${us(t)} - ${c}.open_us, 0), ${c}.close_us - ${c}.open_us))`;

  // timely_access_share: releases (note, visit_summary) of the period's visits, available before
  // 24:00 local of the 4th business day after the visit's local date.
  const accessItems = cte(
    'eng_access_items',
    sql`SELECT v.clinician_id, v.piece_start, v.piece_end, r.patient_id,
      CASE WHEN c4.d IS NOT NULL AND ${local('r.available_at')} <= c4.d THEN 1 ELSE 0 END AS timely
    FROM releases r JOIN ${visits} v ON v.appointment_id = r.encounter_id
    JOIN ${cal} c0 ON c0.d = v.vdate
    LEFT JOIN ${cal} c4 ON c4.is_biz = 1 AND c4.bd_through = c0.bd_through + 4
    WHERE r.kind IN ('note', 'visit_summary')`,
  );

  // reply_business_hours, replied_within_1bd_share: business time from message to reply.
  const msgItems = cte(
    'eng_msg_items',
    sql`SELECT clinician_id, piece_start, piece_end, patient_id, answered,
      CAST(bus AS ${d.double}) / ${HOUR_US} AS bh,
      CASE WHEN bus IS NOT NULL AND bus <= ${9 * HOUR_US} THEN 1 ELSE 0 END AS within_1bd
    FROM (SELECT m.clinician_id, m.piece_start, m.piece_end, m.patient_id,
            CASE WHEN m.reply_at IS NULL THEN 0 ELSE 1 END AS answered,
            ${businessAt('cb', 'm.reply_at')} - ${businessAt('ca', 'm.sent_at')} AS bus
          FROM ${replies} m JOIN ${cal} ca ON ca.d = ${local('m.sent_at')}
          LEFT JOIN ${cal} cb ON cb.d = ${local('m.reply_at')}) x`,
  );

  // result_view_hours, results_viewed_7d_share: the first view_result of the resource at or after
  // available_at; one after 30 days is ignored.
  const results = cte(
    'eng_results',
    sql`SELECT resource_id, clinician_id, patient_id, available_at, ${piece('ld')}
    FROM (SELECT r.resource_id, r.clinician_id, r.patient_id, r.available_at, ${local('r.available_at')} AS ld
          FROM releases r WHERE r.kind = 'result' AND r.clinician_id IS NOT NULL AND ${inRange('r.available_at')}) x`,
  );
  const firstAction = (name: string, src: Cte, action: string) =>
    cte(
      name,
      sql`SELECT s.resource_id, min(e.occurred_at) AS at FROM ${src} s
      JOIN patient_events e ON e.resource_id = s.resource_id AND e.action = '${action}'
        AND e.occurred_at >= s.available_at
      GROUP BY s.resource_id`,
    );
  const resViews = firstAction('eng_res_views', results, 'view_result');
  const within = (delayUs: string, days: number) =>
    `CASE WHEN ${delayUs} IS NOT NULL AND ${delayUs} <= ${days * DAY_HOURS * HOUR_US} THEN 1 ELSE 0 END`;
  const resItems = cte(
    'eng_res_items',
    sql`SELECT clinician_id, piece_start, piece_end, patient_id,
      ${within('delay_us', 30)} AS viewed30, ${within('delay_us', 7)} AS viewed7,
      CASE WHEN delay_us <= ${30 * DAY_HOURS * HOUR_US} THEN CAST(delay_us AS ${d.double}) / ${HOUR_US} END AS view_h
    FROM (SELECT r.clinician_id, r.piece_start, r.piece_end, r.patient_id,
            ${us('v.at')} - ${us('r.available_at')} AS delay_us
          FROM ${results} r LEFT JOIN ${resViews} v ON v.resource_id = r.resource_id) x`,
  );

  // Follow-ups: releases of kind followup attached to the clinician's visits of the period; read
  // (first view_followup) within 7 days, acknowledged within 14; the median time to reading over
  // those read within 30 days, as for results.
  const followups = cte(
    'eng_followups',
    sql`SELECT r.resource_id, v.clinician_id, v.piece_start, v.piece_end, r.patient_id, r.available_at
    FROM releases r JOIN ${visits} v ON v.appointment_id = r.encounter_id WHERE r.kind = 'followup'`,
  );
  const fuReads = firstAction('eng_fu_reads', followups, 'view_followup');
  const fuAcks = firstAction('eng_fu_acks', followups, 'acknowledge_followup');
  const fuItems = cte(
    'eng_fu_items',
    sql`SELECT clinician_id, piece_start, piece_end, patient_id,
      ${within('read_us', 7)} AS read7, ${within('ack_us', 14)} AS ack14,
      CASE WHEN read_us <= ${30 * DAY_HOURS * HOUR_US} THEN CAST(read_us AS ${d.double}) / ${HOUR_US} END AS read_h
    FROM (SELECT f.clinician_id, f.piece_start, f.piece_end, f.patient_id,
            ${us('rd.at')} - ${us('f.available_at')} AS read_us,
            ${us('ak.at')} - ${us('f.available_at')} AS ack_us
          FROM ${followups} f LEFT JOIN ${fuReads} rd ON rd.resource_id = f.resource_id
          LEFT JOIN ${fuAcks} ak ON ak.resource_id = f.resource_id) x`,
  );

  const items = cte(
    'eng_items',
    unionItems(d, { seenItems, accessItems, msgItems, resItems, fuItems }),
  );
  return { rows: cte('eng_rows', groupRows(req.by, items)) };
}

/**
 * `piece_start` and `piece_end` of the period piece holding local date `date` (text of a DATE
 * expression): the range itself, its ISO week or its calendar month, cut to [from, to).
 */
function pieceOf(
  period: EngagementRequest['period'],
  from: SqlFragment,
  to: SqlFragment,
): (date: string) => SqlFragment {
  return (date) => {
    if (period === 'all') return sql`${from} AS piece_start, ${to} AS piece_end`;
    const start =
      period === 'week'
        ? `${date} - (CAST(extract(isodow FROM ${date}) AS INTEGER) - 1)`
        : `${date} - (CAST(extract(day FROM ${date}) AS INTEGER) - 1)`;
    const end = period === 'week' ? `${start} + 7` : `CAST(${start} + INTERVAL '1 month' AS DATE)`;
    return sql`greatest(${start}, ${from}) AS piece_start, least(${end}, ${to}) AS piece_end`;
  };
}

/** The columns of the item table; each block fills its own and leaves the others null. */
const ITEM_COLUMNS = {
  activated: 'INTEGER',
  active: 'INTEGER',
  regular: 'INTEGER',
  vdt: 'INTEGER',
  messaged: 'INTEGER',
  timely: 'INTEGER',
  answered: 'INTEGER',
  within_1bd: 'INTEGER',
  bh: 'DOUBLE',
  viewed30: 'INTEGER',
  viewed7: 'INTEGER',
  view_h: 'DOUBLE',
  read7: 'INTEGER',
  ack14: 'INTEGER',
  read_h: 'DOUBLE',
} as const;

/** Every block's items in one table (`blk`: s, a, m, r, f), so one GROUP BY gives every figure. */
function unionItems(d: Dialect, c: Record<string, Cte>): SqlFragment {
  const branch = (blk: string, src: Cte, own: readonly (keyof typeof ITEM_COLUMNS)[]) => {
    const cols = Object.entries(ITEM_COLUMNS).map(([name, type]) =>
      (own as readonly string[]).includes(name)
        ? `CAST(${name} AS ${type === 'DOUBLE' ? d.double : type}) AS ${name}`
        : `CAST(NULL AS ${type === 'DOUBLE' ? d.double : type}) AS ${name}`,
    );
    return sql`SELECT '${blk}' AS blk, clinician_id, piece_start, piece_end, patient_id, ${cols.join(', ')} FROM ${src}`;
  };
  return joinSql(
    [
      branch('s', c.seenItems!, ['activated', 'active', 'regular', 'vdt', 'messaged']),
      branch('a', c.accessItems!, ['timely']),
      branch('m', c.msgItems!, ['answered', 'within_1bd', 'bh']),
      branch('r', c.resItems!, ['viewed30', 'viewed7', 'view_h']),
      branch('f', c.fuItems!, ['read7', 'ack14', 'read_h']),
    ],
    '\nUNION ALL ',
  );
}

const GROUP_KEY: Record<EngagementBy, string> = {
  clinician: 'i.clinician_id',
  department: `coalesce(c.department, '(not in roster)')`,
  specialty: `coalesce(c.specialty, '(not in roster)')`,
  role: `coalesce(c.role, '(not in roster)')`,
  org: `'organisation'`,
};

/**
 * Sums of numerators and denominators per group and piece, distinct patients per block (the
 * small-cell rule's count), and medians pooled over the group's messages, results or follow-ups.
 */
function groupRows(by: EngagementBy, items: Cte): SqlFragment {
  const n = (blk: string) => `CAST(sum(CASE WHEN i.blk = '${blk}' THEN 1 ELSE 0 END) AS BIGINT)`;
  const pts = (blk: string) => `count(DISTINCT CASE WHEN i.blk = '${blk}' THEN i.patient_id END)`;
  const s = (col: string) => `CAST(coalesce(sum(i.${col}), 0) AS BIGINT)`;
  const median = (col: string) => `percentile_cont(0.5) WITHIN GROUP (ORDER BY i.${col})`;
  return sql`SELECT ${GROUP_KEY[by]} AS "group", i.piece_start AS period_start, i.piece_end AS period_end,
    ${n('s')} AS patients_seen, ${s('activated')} AS activated, ${s('active')} AS active,
    ${s('regular')} AS regular, ${s('vdt')} AS vdt, ${s('messaged')} AS messaged, ${pts('s')} AS seen_patients,
    ${n('a')} AS releases, ${s('timely')} AS releases_timely, ${pts('a')} AS release_patients,
    ${n('m')} AS patient_messages, ${s('answered')} AS messages_answered,
    ${s('within_1bd')} AS messages_within_1bd, ${median('bh')} AS reply_business_hours,
    ${pts('m')} AS message_patients,
    ${n('r')} AS results, ${s('viewed30')} AS results_viewed_30d, ${s('viewed7')} AS results_viewed_7d,
    ${median('view_h')} AS result_view_hours, ${pts('r')} AS result_patients,
    ${n('f')} AS followups_written, ${s('read7')} AS followups_read_7d, ${s('ack14')} AS followups_ack_14d,
    ${median('read_h')} AS followup_read_hours, ${pts('f')} AS followup_patients
  FROM ${items} i LEFT JOIN clinicians c ON c.user_id = i.clinician_id
  GROUP BY 1, i.piece_start, i.piece_end`;
}
