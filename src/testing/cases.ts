/**
 * Hand-computed metric cases for `docs/metrics.md`, as DATA.
 *
 * Every `expect` value below was worked out on paper from the spec (the arithmetic is in the
 * comment next to it), never by running an implementation. The same cases are run against the
 * reference implementation (`reference.ts`) and are meant to be run against the SQL engine on
 * DuckDB and PostgreSQL. An `expect` entry lists the fields that case is about; each case lists
 * EVERY row the computation must return (no more, no fewer).
 *
 * Conventions: durations are written in minutes and turned into hours with `min(n)` = n / 60.
 * Unless a case says otherwise the options are the defaults of §2 (UTC, timeout 300 s, drop,
 * forward, split, no excluded channels, merge gap 60 min, wow = schedule) and the period is `all`.
 * Event ids order the same way in every collation (the tie-break of §3 must not depend on one).
 *
 * Calendar used: 2026-03-02 Mon, 03-05 Thu, 03-06 Fri, 03-07 Sat, 03-08 Sun (US spring forward),
 * 03-09 Mon, 03-10 Tue; 2026-10-31 Sat, 11-01 Sun (US fall back), 11-02 Mon; 2026-01-15 Thu,
 * 01-31 Sat, 02-01 Sun, 02-03 Tue.
 * America/New_York: EST = UTC−5 until 2026-03-08 02:00 local (07:00Z), then EDT = UTC−4 until
 * 2026-11-01 02:00 EDT (06:00Z), then EST. Europe/Berlin in Jan–Mar 2026 (before 03-29): UTC+1.
 *
 * SPEC AMBIGUITIES — what these cases (and the reference) chose:
 *  1. Credited intervals are built from ALL of the user's events, also those outside [from, to);
 *     only the intersection with the period (split) or the credited event's time (start) decides
 *     what lands in the range. An interval 23:58 → 00:01 across `from` puts 1 min in the range.
 *     (case "range edges").
 *  2. "A user gets a row once the user has any event …": events are counted after
 *     exclude_channels ("removed before anything else"), so a user whose only events are on an
 *     excluded channel gets no row (case "excluded channels").
 *  3. A schedule row is "in the range" when [start, end) overlaps [from, to) (start < to and
 *     end > from), or when a zero-length row starts in the range. Any kind and any status counts
 *     (a cancelled appointment alone still gives the user a row). A row ending exactly at `from`
 *     does not count.
 *  4. "If the user has any session rows" means any in the whole data set, not only in the range:
 *     a user with a session row last month and only appointments this month has 0 scheduled hours
 *     this month (case "explicit sessions win", u3).
 *  5. `status` is ignored on session rows (it is defined for appointments only).
 *  6. A no-show appointment is part of derived sessions and of `appointments` (only cancelled and
 *     entered-in-error are excluded there) but not of visit time — the spec read literally.
 *  7. With attribution = start and direction = backward, the credited event's time is the END of
 *     the interval (outside the half-open interval itself); the whole interval goes to the period
 *     and sets containing that instant.
 *  8. Local wall-clock times that do not exist (spring forward) map to the first instant after the
 *     gap (the transition instant); ambiguous ones (fall back) to the earlier instant. So local day
 *     D is exactly the instants whose local date is D (23 h / 25 h on DST days), and a window
 *     boundary such as 07:00 is the first instant whose local reading is ≥ 07:00.
 *  9. Events at one instant are ordered by `seq` (those without one after those with one), then
 *     by event_id compared by code unit (binary / COLLATE "C"); a PostgreSQL engine must not use
 *     a linguistic collation for it.
 * 10. A "local day with no session time" is a day where (sessions ∩ that day) has zero length.
 * 11. An event without `category` counts as `other` (normally the import has filled it in).
 * 12. `patients` counts distinct non-empty `patient_id`s; `entered_by` = "" is "not set".
 * 13. `period_start` / `period_end` are local dates `YYYY-MM-DD`; with period = all they are
 *     `from` and `to`. Rows are sorted by user_id in code-unit order.
 * 14. A clinician's own `timezone` (roster) is not used: `options.timezone` applies to everyone.
 * 15. Instants are handled to the millisecond (finer fractions are truncated).
 * 16. schedule30 widens each session by 30 min on both sides, then takes the union.
 * 17. A pair of events with identical timestamps credits a zero-length interval; it still counts
 *     as that pair, so the tie-break (seq, then event_id) decides which event credits the
 *     following gap.
 */
import type { Category, EventRow, OrderRow, ScheduleRow } from '../model/canonical.ts';
import type { ClinicianMetricRow } from '../model/metricRow.ts';
import {
  DEFAULT_OPTIONS,
  type MetricOptions,
  type MetricRequest,
  type Period,
} from '../model/options.ts';
import type { Dataset } from './reference.ts';

export interface MetricCase {
  name: string;
  data: Dataset;
  req: MetricRequest;
  expect: Array<Partial<ClinicianMetricRow> & { user_id: string; period_start: string }>;
}

type Expected = MetricCase['expect'][number];

// ---------------------------------------------------------------------------------------------
// Small builders (plain data in, plain data out)
// ---------------------------------------------------------------------------------------------

/** minutes → decimal hours */
const min = (minutes: number): number => minutes / 60;

function req(
  from: string,
  to: string,
  period: Period,
  options: Partial<MetricOptions> = {},
): MetricRequest {
  return { from, to, period, options: { ...DEFAULT_OPTIONS, exclude_channels: [], ...options } };
}

function ev(
  user_id: string,
  event_id: string,
  occurred_at: string,
  category: Category,
  more: Partial<EventRow> = {},
): EventRow {
  return { event_id, occurred_at, user_id, action: `act_${category}`, category, ...more };
}

function session(user_id: string, start: string, end: string): ScheduleRow {
  return { user_id, kind: 'session', start, end };
}

function appt(
  user_id: string,
  start: string,
  end: string,
  more: Partial<ScheduleRow> = {},
): ScheduleRow {
  return { user_id, kind: 'appointment', start, end, ...more };
}

function order(
  user_id: string,
  order_id: string,
  signed_at: string,
  more: Partial<OrderRow> = {},
): OrderRow {
  return { order_id, user_id, signed_at, ...more };
}

function row(
  user_id: string,
  period_start: string,
  period_end: string,
  fields: Partial<ClinicianMetricRow>,
): Expected {
  return { user_id, period_start, period_end, ...fields };
}

/** Nothing scheduled: every per-8-hour ratio has a 0 denominator. */
const NO_SCHEDULE = {
  scheduled_hours: 0,
  ehr_time8: null,
  wow8: null,
  note_time8: null,
  pres_time8: null,
  ib_time8: null,
} as const;

/** No appointments at all: no visits, no per-appointment ratio, no undivided attention. */
const NO_APPOINTMENTS = {
  appointments: 0,
  visit_ehr_hours: 0,
  undivided_attention: null,
  ehr_minutes_per_appointment: null,
} as const;

const NO_ORDERS = { teamwork_orders: null } as const;

/** All six categories at 0 (override the ones that are not). */
const NO_CATEGORIES = {
  notes_hours: 0,
  orders_hours: 0,
  prescriptions_hours: 0,
  inbox_hours: 0,
  chart_review_hours: 0,
  other_hours: 0,
} as const;

/** A row with no activity at all (a piece of the range where the user did nothing). */
const EMPTY = {
  ehr_hours: 0,
  ...NO_CATEGORIES,
  ...NO_SCHEDULE,
  ...NO_APPOINTMENTS,
  ...NO_ORDERS,
  wow_hours: 0,
  after_hours_hours: 0,
  unscheduled_day_hours: 0,
  events: 0,
  active_days: 0,
  patients: 0,
} as const;

// ---------------------------------------------------------------------------------------------
// 1. Timeout: a gap of exactly the timeout, and one second over; drop/cap × forward/backward
// ---------------------------------------------------------------------------------------------
// UTC, Monday 2026-03-02, no schedule, no orders. Events of u1:
//   e1 10:00:00 notes, e2 10:05:00 orders (gap 300 s = timeout: continuous),
//   e3 10:10:01 inbox (gap 301 s > timeout), e4 10:11:01 chart_review (gap 60 s).
// No sessions ⇒ wow (schedule) = everything, unscheduled = everything; all of it is Monday
// 10:00–10:12, inside the pajama window ⇒ after_hours 0.

const timeoutEvents: EventRow[] = [
  ev('u1', 'e1', '2026-03-02T10:00:00Z', 'notes'),
  ev('u1', 'e2', '2026-03-02T10:05:00Z', 'orders'),
  ev('u1', 'e3', '2026-03-02T10:10:01Z', 'inbox'),
  ev('u1', 'e4', '2026-03-02T10:11:01Z', 'chart_review'),
];

function timeoutRow(minutes: number, cats: Partial<ClinicianMetricRow>): Expected {
  return row('u1', '2026-03-02', '2026-03-03', {
    ehr_hours: min(minutes),
    ...NO_CATEGORIES,
    ...cats,
    ...NO_SCHEDULE,
    ...NO_APPOINTMENTS,
    ...NO_ORDERS,
    wow_hours: min(minutes),
    after_hours_hours: 0,
    unscheduled_day_hours: min(minutes),
    events: 4,
    active_days: 1,
    patients: 0,
  });
}

const timeoutCases: MetricCase[] = [
  {
    // forward/drop: [10:00,10:05) → notes 5 min; 301 s dropped; [10:10:01,10:11:01) → inbox 1 min.
    // ehr = 5 + 1 = 6 min = 0.1 h
    name: 'timeout: gap = timeout counts, timeout + 1 s is dropped (forward, drop)',
    data: { events: timeoutEvents },
    req: req('2026-03-02', '2026-03-03', 'all'),
    expect: [timeoutRow(6, { notes_hours: min(5), inbox_hours: min(1) })],
  },
  {
    // forward/cap: notes 5; the 301 s gap credits [10:05,10:10) = 5 min to orders (e2); inbox 1.
    // ehr = 5 + 5 + 1 = 11 min
    name: 'timeout: over-timeout gap capped (forward, cap)',
    data: { events: timeoutEvents },
    req: req('2026-03-02', '2026-03-03', 'all', { over_timeout: 'cap' }),
    expect: [timeoutRow(11, { notes_hours: min(5), orders_hours: min(5), inbox_hours: min(1) })],
  },
  {
    // backward/drop: [10:00,10:05) → e2 orders 5; 301 s dropped; [10:10:01,10:11:01) → e4 chart_review 1.
    // ehr = 6 min
    name: 'timeout: backward credits the later event (backward, drop)',
    data: { events: timeoutEvents },
    req: req('2026-03-02', '2026-03-03', 'all', { direction: 'backward' }),
    expect: [timeoutRow(6, { orders_hours: min(5), chart_review_hours: min(1) })],
  },
  {
    // backward/cap: orders 5; the 301 s gap credits [10:10:01 − 300 s, 10:10:01) = 5 min to e3 inbox;
    // chart_review 1. ehr = 11 min
    name: 'timeout: capped gap ends at the later event (backward, cap)',
    data: { events: timeoutEvents },
    req: req('2026-03-02', '2026-03-03', 'all', { direction: 'backward', over_timeout: 'cap' }),
    expect: [
      timeoutRow(11, { orders_hours: min(5), inbox_hours: min(5), chart_review_hours: min(1) }),
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// 2. split vs start across 17:30 (pajama = after-hours) and 18:00 (after18to06)
// ---------------------------------------------------------------------------------------------
// UTC, Monday 2026-03-02. u1: e1 17:28 notes, e2 17:33 orders (gap 5 min), e3 17:58 inbox
// (gap 25 min: dropped), e4 18:02 other (gap 4 min). Intervals: A = [17:28,17:33), B = [17:58,18:02).
// No sessions: unscheduled = ehr. 4 events, 1 active day.

const eveningEvents: EventRow[] = [
  ev('u1', 'e1', '2026-03-02T17:28:00Z', 'notes'),
  ev('u1', 'e2', '2026-03-02T17:33:00Z', 'orders'),
  ev('u1', 'e3', '2026-03-02T17:58:00Z', 'inbox'),
  ev('u1', 'e4', '2026-03-02T18:02:00Z', 'other'),
];

function eveningRow(f: Partial<ClinicianMetricRow>): Expected {
  return row('u1', '2026-03-02', '2026-03-03', {
    ehr_hours: min(9), // 5 + 4
    unscheduled_day_hours: min(9),
    ...NO_SCHEDULE,
    ...NO_APPOINTMENTS,
    events: 4,
    active_days: 1,
    ...f,
  });
}

const eveningCases: MetricCase[] = [
  {
    // forward split, wow = pajama: A → notes (17:28–17:30 inside, 17:30–17:33 = 3 outside),
    // B → inbox (17:58–18:02 all after 17:30 = 4 outside). after = wow = 3 + 4 = 7
    name: 'split across 17:30 (forward, split, wow pajama)',
    data: { events: eveningEvents },
    req: req('2026-03-02', '2026-03-03', 'all', { wow: 'pajama' }),
    expect: [
      eveningRow({
        notes_hours: min(5),
        inbox_hours: min(4),
        orders_hours: 0,
        other_hours: 0,
        after_hours_hours: min(7),
        wow_hours: min(7),
      }),
    ],
  },
  {
    // forward start, wow = after18to06: A credited at 17:28 (inside pajama, inside 06–18) → 0 and 0;
    // B credited at 17:58 (outside pajama, inside 06–18) → after 4, wow 0.
    name: 'start across 17:30 (forward, start, wow after18to06)',
    data: { events: eveningEvents },
    req: req('2026-03-02', '2026-03-03', 'all', { attribution: 'start', wow: 'after18to06' }),
    expect: [
      eveningRow({
        notes_hours: min(5),
        inbox_hours: min(4),
        after_hours_hours: min(4),
        wow_hours: 0,
      }),
    ],
  },
  {
    // backward split, wow = after18to06: A → orders, B → other. after = 3 + 4 = 7;
    // wow = B ∩ [18:00, …) = 18:00–18:02 = 2
    name: 'split across 17:30 and 18:00 (backward, split, wow after18to06)',
    data: { events: eveningEvents },
    req: req('2026-03-02', '2026-03-03', 'all', { direction: 'backward', wow: 'after18to06' }),
    expect: [
      eveningRow({
        orders_hours: min(5),
        other_hours: min(4),
        notes_hours: 0,
        inbox_hours: 0,
        after_hours_hours: min(7),
        wow_hours: min(2),
      }),
    ],
  },
  {
    // backward start, wow = after18to06: A credited at 17:33 (outside pajama; inside 06–18) → after 5, wow 0;
    // B credited at 18:02 (outside both) → after 4, wow 4. after = 9, wow = 4
    name: 'start across 17:30 credits the later event time (backward, start, wow after18to06)',
    data: { events: eveningEvents },
    req: req('2026-03-02', '2026-03-03', 'all', {
      direction: 'backward',
      attribution: 'start',
      wow: 'after18to06',
    }),
    expect: [
      eveningRow({
        orders_hours: min(5),
        other_hours: min(4),
        after_hours_hours: min(9),
        wow_hours: min(4),
      }),
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// 3. split vs start across a session edge (wow = schedule / schedule30)
// ---------------------------------------------------------------------------------------------
// UTC, Monday 2026-03-02. u1 has one session 09:00–12:00 (3 h). Events: e1 08:58 notes, e2 09:03
// inbox (5 min), e3 11:58 orders (gap 2 h 55: dropped), e4 12:02 notes (4 min).
// A = [08:58,09:03) (2 min before the session, 3 in), B = [11:58,12:02) (2 in, 2 after).
// ehr = 9 min; ehr_time8 = (9/60) × 8 / 3 = 0.4. Everything in Mon 07:00–17:30 ⇒ after 0.
// The day has a session ⇒ unscheduled 0.

const sessionEdgeData: Dataset = {
  events: [
    ev('u1', 'e1', '2026-03-02T08:58:00Z', 'notes'),
    ev('u1', 'e2', '2026-03-02T09:03:00Z', 'inbox'),
    ev('u1', 'e3', '2026-03-02T11:58:00Z', 'orders'),
    ev('u1', 'e4', '2026-03-02T12:02:00Z', 'notes'),
  ],
  schedule: [session('u1', '2026-03-02T09:00:00Z', '2026-03-02T12:00:00Z')],
};

function sessionEdgeRow(f: Partial<ClinicianMetricRow>): Expected {
  return row('u1', '2026-03-02', '2026-03-03', {
    ehr_hours: min(9),
    scheduled_hours: 3,
    ehr_time8: 0.4, // 0.15 × 8 / 3
    pres_time8: 0,
    after_hours_hours: 0,
    unscheduled_day_hours: 0,
    ...NO_APPOINTMENTS,
    ...NO_ORDERS,
    events: 4,
    ...f,
  });
}

const sessionEdgeCases: MetricCase[] = [
  {
    // forward split: A → notes, B → orders. wow = 2 (08:58–09:00) + 2 (12:00–12:02) = 4;
    // wow8 = (4/60)·8/3 = 8/45; note_time8 = (5/60)·8/3 = 2/9; ib_time8 = 0
    name: 'split across a session edge (forward, split, wow schedule)',
    data: sessionEdgeData,
    req: req('2026-03-02', '2026-03-03', 'all'),
    expect: [
      sessionEdgeRow({
        notes_hours: min(5),
        orders_hours: min(4),
        inbox_hours: 0,
        wow_hours: min(4),
        wow8: 8 / 45,
        note_time8: 2 / 9,
        ib_time8: 0,
      }),
    ],
  },
  {
    // forward start: A credited at 08:58 (outside the session) → wow 5; B at 11:58 (inside) → 0.
    // wow8 = (5/60)·8/3 = 2/9
    name: 'start across a session edge (forward, start, wow schedule)',
    data: sessionEdgeData,
    req: req('2026-03-02', '2026-03-03', 'all', { attribution: 'start' }),
    expect: [
      sessionEdgeRow({ notes_hours: min(5), orders_hours: min(4), wow_hours: min(5), wow8: 2 / 9 }),
    ],
  },
  {
    // backward start: A → e2 inbox at 09:03 (inside) → 0; B → e4 notes at 12:02 (session end is
    // exclusive: outside) → 4. wow8 = 8/45; ib_time8 = (5/60)·8/3 = 2/9; note_time8 = (4/60)·8/3 = 8/45
    name: 'start across a session edge, later event (backward, start, wow schedule)',
    data: sessionEdgeData,
    req: req('2026-03-02', '2026-03-03', 'all', { direction: 'backward', attribution: 'start' }),
    expect: [
      sessionEdgeRow({
        inbox_hours: min(5),
        notes_hours: min(4),
        orders_hours: 0,
        wow_hours: min(4),
        wow8: 8 / 45,
        ib_time8: 2 / 9,
        note_time8: 8 / 45,
      }),
    ],
  },
  {
    // forward split, wow = schedule30: the session widens to 08:30–12:30, A and B are inside ⇒ wow 0.
    name: 'session widened by 30 min (forward, split, wow schedule30)',
    data: sessionEdgeData,
    req: req('2026-03-02', '2026-03-03', 'all', { wow: 'schedule30' }),
    expect: [sessionEdgeRow({ wow_hours: 0, wow8: 0, scheduled_hours: 3 })],
  },
];

// ---------------------------------------------------------------------------------------------
// 4. Across midnight with period = day
// ---------------------------------------------------------------------------------------------
// UTC, range Tue 2026-03-03 … Thu 03-05 (two days). u1: e1 Tue 23:57 notes, e2 Wed 00:02 orders.
// One 5-min interval [Tue 23:57, Wed 00:02). No sessions. Tue 23:57–24:00 is after 17:30 and
// Wed 00:00–00:02 before 07:00: all after-hours. One event each day.

const midnightData: Dataset = {
  events: [
    ev('u1', 'e1', '2026-03-03T23:57:00Z', 'notes'),
    ev('u1', 'e2', '2026-03-04T00:02:00Z', 'orders'),
  ],
};

function dayRow(
  day: string,
  next: string,
  minutes: number,
  f: Partial<ClinicianMetricRow>,
): Expected {
  return row('u1', day, next, {
    ehr_hours: min(minutes),
    wow_hours: min(minutes),
    after_hours_hours: min(minutes),
    unscheduled_day_hours: min(minutes),
    ...NO_SCHEDULE,
    ...NO_APPOINTMENTS,
    ...NO_ORDERS,
    events: 1,
    active_days: 1,
    ...f,
  });
}

const midnightCases: MetricCase[] = [
  {
    // split: Tue gets 23:57–24:00 = 3 min, Wed 00:00–00:02 = 2 min, both notes (forward).
    name: 'split across midnight (period day, forward, split)',
    data: midnightData,
    req: req('2026-03-03', '2026-03-05', 'day'),
    expect: [
      dayRow('2026-03-03', '2026-03-04', 3, { notes_hours: min(3), orders_hours: 0 }),
      dayRow('2026-03-04', '2026-03-05', 2, { notes_hours: min(2), orders_hours: 0 }),
    ],
  },
  {
    // forward start: the whole 5 min go to Tue (credited event e1 at Tue 23:57).
    name: 'start across midnight (period day, forward, start)',
    data: midnightData,
    req: req('2026-03-03', '2026-03-05', 'day', { attribution: 'start' }),
    expect: [
      dayRow('2026-03-03', '2026-03-04', 5, { notes_hours: min(5) }),
      dayRow('2026-03-04', '2026-03-05', 0, { notes_hours: 0, orders_hours: 0 }),
    ],
  },
  {
    // backward start: the credited event is e2 at Wed 00:02 ⇒ all 5 min to Wed, as orders.
    name: 'start across midnight credits the later day (period day, backward, start)',
    data: midnightData,
    req: req('2026-03-03', '2026-03-05', 'day', { attribution: 'start', direction: 'backward' }),
    expect: [
      dayRow('2026-03-03', '2026-03-04', 0, { orders_hours: 0, notes_hours: 0 }),
      dayRow('2026-03-04', '2026-03-05', 5, { orders_hours: min(5), notes_hours: 0 }),
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// 5. Edges of the range: intervals across `from`/`to`; who gets a row
// ---------------------------------------------------------------------------------------------
// UTC, range = Tue 2026-03-03 only.
// u1: a Mon 23:58 notes, b Tue 00:01 orders (3 min), c Tue 23:59 inbox (gap ~24 h: dropped),
//     d Wed 00:03 other (4 min). Events in range: b, c.
// u9: a session Mon 22:00 – Tue 02:00, nothing else ⇒ a row; scheduled = Tue 00:00–02:00 = 2 h.
// u7: one order signed Tue 12:00, entered by a nurse ⇒ a row with teamwork 1/1.
// u8: events Mon 12:00 / Mon 12:03 and Wed 12:00, an appointment Mon 23:00–Tue 00:00 (ends exactly
//     at `from`), an order signed Wed 00:00 (= `to`, excluded) ⇒ nothing in range, no row.

const rangeEdgeData: Dataset = {
  events: [
    ev('u1', 'a', '2026-03-02T23:58:00Z', 'notes'),
    ev('u1', 'b', '2026-03-03T00:01:00Z', 'orders'),
    ev('u1', 'c', '2026-03-03T23:59:00Z', 'inbox'),
    ev('u1', 'd', '2026-03-04T00:03:00Z', 'other'),
    ev('u8', 'x1', '2026-03-02T12:00:00Z', 'notes'),
    ev('u8', 'x2', '2026-03-02T12:03:00Z', 'notes'),
    ev('u8', 'x3', '2026-03-04T12:00:00Z', 'notes'),
  ],
  schedule: [
    session('u9', '2026-03-02T22:00:00Z', '2026-03-03T02:00:00Z'),
    appt('u8', '2026-03-02T23:00:00Z', '2026-03-03T00:00:00Z'),
  ],
  orders: [
    order('u7', 'o1', '2026-03-03T12:00:00Z', { entered_by: 'nurse1' }),
    order('u8', 'o2', '2026-03-04T00:00:00Z', { entered_by: 'nurse1' }),
  ],
};

const u7Row = row('u7', '2026-03-03', '2026-03-04', { ...EMPTY, teamwork_orders: 1 });
const u9Row = row('u9', '2026-03-03', '2026-03-04', {
  ...EMPTY,
  scheduled_hours: 2,
  ehr_time8: 0, // 0 × 8 / 2: the denominator is not 0, so 0 and not null
  wow8: 0,
  note_time8: 0,
  pres_time8: 0,
  ib_time8: 0,
});

const rangeEdgeCases: MetricCase[] = [
  {
    // split: [Mon 23:58, Tue 00:01) ∩ Tue = 1 min notes; [Tue 23:59, Wed 00:03) ∩ Tue = 1 min inbox.
    // ehr 2; both minutes are before 07:00 / after 17:30 ⇒ after 2; no sessions ⇒ wow 2, unscheduled 2.
    name: 'range edges: intervals across from/to, rows for schedule-only and order-only users (split)',
    data: rangeEdgeData,
    req: req('2026-03-03', '2026-03-04', 'all'),
    expect: [
      row('u1', '2026-03-03', '2026-03-04', {
        ehr_hours: min(2),
        ...NO_CATEGORIES,
        notes_hours: min(1),
        inbox_hours: min(1),
        wow_hours: min(2),
        after_hours_hours: min(2),
        unscheduled_day_hours: min(2),
        ...NO_SCHEDULE,
        ...NO_APPOINTMENTS,
        ...NO_ORDERS,
        events: 2,
        active_days: 1,
      }),
      u7Row,
      u9Row,
    ],
  },
  {
    // start: the notes interval's credited event is Mon 23:58 (outside) ⇒ 0; the inbox interval is
    // credited at Tue 23:59 (inside) ⇒ the whole 4 min, though 3 of them fall on Wednesday.
    name: 'range edges: start attribution counts by the credited event (forward, start)',
    data: rangeEdgeData,
    req: req('2026-03-03', '2026-03-04', 'all', { attribution: 'start' }),
    expect: [
      row('u1', '2026-03-03', '2026-03-04', {
        ehr_hours: min(4),
        ...NO_CATEGORIES,
        inbox_hours: min(4),
        wow_hours: min(4),
        after_hours_hours: min(4),
        unscheduled_day_hours: min(4),
        ...NO_SCHEDULE,
        events: 2,
      }),
      u7Row,
      u9Row,
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// 6. America/New_York DST days: 23-hour and 25-hour local days
// ---------------------------------------------------------------------------------------------
// Spring forward. Timeout 259 200 s (3 days) so that one interval (47 h here, 49 h in the fall-back
// case) spans three local days.
// u1: e1 Sat 2026-03-07 12:00 EST (17:00Z) notes, e2 Mon 2026-03-09 12:00 EDT (16:00Z) other.
// Interval = 17:00Z Mar 7 → 16:00Z Mar 9 = 47 h, all notes.
//   Sat: 12:00 → 24:00 EST (Mar 8 05:00Z) = 12 h
//   Sun: 05:00Z → Mon 00:00 EDT (Mar 9 04:00Z) = 23 h        (the 23-hour day)
//   Mon: 04:00Z → 16:00Z = 12 h                                12 + 23 + 12 = 47 ✓
// outside7to7 (19:00–07:00): Sat 19:00–24:00 = 5 h;
//   Sun 00:00 EST (05:00Z) → 07:00 EDT (11:00Z) = 6 h, plus 19:00 EDT (23:00Z) → 24:00 (04:00Z) = 5 h ⇒ 11 h
//   (inside 07:00–19:00 = 12 h; 11 + 12 = 23 ✓); Mon 00:00 → 07:00 = 7 h.
// pajama (after-hours): Sat all 12 h, Sun all 23 h, Mon 00:00–07:00 = 7 h.

const springData: Dataset = {
  events: [
    ev('u1', 'e1', '2026-03-07T12:00:00-05:00', 'notes'),
    ev('u1', 'e2', '2026-03-09T12:00:00-04:00', 'other'),
  ],
};

// Fall back. u1: e1 Sat 2026-10-31 12:00 EDT (16:00Z) notes, e2 Mon 2026-11-02 12:00 EST (17:00Z).
// Interval = 16:00Z Oct 31 → 17:00Z Nov 2 = 49 h.
//   Sat: 12:00 → 24:00 EDT (Nov 1 04:00Z) = 12 h
//   Sun: 04:00Z → Mon 00:00 EST (Nov 2 05:00Z) = 25 h        (the 25-hour day)
//   Mon: 05:00Z → 17:00Z = 12 h                                12 + 25 + 12 = 49 ✓
// outside7to7: Sat 5 h; Sun 00:00 EDT (04:00Z) → 07:00 EST (12:00Z) = 8 h plus 19:00 EST (Nov 2
// 00:00Z) → 24:00 EST (05:00Z) = 5 h ⇒ 13 h (inside 12 h; 13 + 12 = 25 ✓); Mon 7 h.
// pajama: Sat 12, Sun 25, Mon 7.

const fallData: Dataset = {
  events: [
    ev('u1', 'e1', '2026-10-31T12:00:00-04:00', 'notes'),
    ev('u1', 'e2', '2026-11-02T12:00:00-05:00', 'other'),
  ],
};

const NY = 'America/New_York';
const LONG = { timezone: NY, timeout_seconds: 259_200, wow: 'outside7to7' } as const;

function longRow(
  start: string,
  end: string,
  hours: number,
  wow: number,
  after: number,
  events: number,
): Expected {
  return row('u1', start, end, {
    ehr_hours: hours,
    ...NO_CATEGORIES,
    notes_hours: hours,
    wow_hours: wow,
    after_hours_hours: after,
    unscheduled_day_hours: hours,
    ...NO_SCHEDULE,
    ...NO_APPOINTMENTS,
    events,
    active_days: events,
  });
}

const dstLengthCases: MetricCase[] = [
  {
    name: 'DST spring forward: the local day 2026-03-08 is 23 h (period day, outside7to7)',
    data: springData,
    req: req('2026-03-07', '2026-03-10', 'day', LONG),
    expect: [
      longRow('2026-03-07', '2026-03-08', 12, 5, 12, 1),
      longRow('2026-03-08', '2026-03-09', 23, 11, 23, 0),
      longRow('2026-03-09', '2026-03-10', 12, 7, 7, 1),
    ],
  },
  {
    // weeks: Sat–Sun (a first week cut at `from`) = 12 + 23 = 35 h, wow 5 + 11 = 16, after 35;
    // Mon = 12 h, wow 7, after 7. active days: Sat only in week 1 (1), Mon in week 2 (1).
    name: 'DST spring forward by ISO week (period week)',
    data: springData,
    req: req('2026-03-07', '2026-03-10', 'week', LONG),
    expect: [
      longRow('2026-03-07', '2026-03-09', 35, 16, 35, 1),
      longRow('2026-03-09', '2026-03-10', 12, 7, 7, 1),
    ],
  },
  {
    // start: the whole 47 h is credited at Sat 12:00 EST: inside 07–19 ⇒ wow 0; Saturday ⇒ after 47.
    name: 'DST spring forward, whole interval at its start (period all, start)',
    data: springData,
    req: req('2026-03-07', '2026-03-10', 'all', { ...LONG, attribution: 'start' }),
    expect: [
      row('u1', '2026-03-07', '2026-03-10', {
        ehr_hours: 47,
        notes_hours: 47,
        wow_hours: 0,
        after_hours_hours: 47,
        unscheduled_day_hours: 47,
        events: 2,
        active_days: 2,
      }),
    ],
  },
  {
    name: 'DST fall back: the local day 2026-11-01 is 25 h (period day, outside7to7)',
    data: fallData,
    req: req('2026-10-31', '2026-11-03', 'day', LONG),
    expect: [
      longRow('2026-10-31', '2026-11-01', 12, 5, 12, 1),
      longRow('2026-11-01', '2026-11-02', 25, 13, 25, 0),
      longRow('2026-11-02', '2026-11-03', 12, 7, 7, 1),
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// 7. America/New_York DST days: window boundaries and the local midnight after them
// ---------------------------------------------------------------------------------------------
// Spring forward, range Sun 2026-03-08 … Tue 03-10 (period day), wow outside7to7.
// u1 has a session Sun 01:00 EST → 04:00 EDT = 06:00Z → 08:00Z = 2 h (only 2 h: 02:00–03:00 is skipped).
// Pairs (first event notes, second inbox; the gaps between pairs are hours long):
//   p1 Sun 01:58 EST (06:58Z) → 03:01 EDT (07:01Z) = 3 min (the wall clock shows 63)
//   p2 Sun 06:58 EDT (10:58Z) → 07:03 EDT (11:03Z) = 5 min
//   p3 Sun 23:58 EDT (Mar 9 03:58Z) → Mon 00:03 EDT (04:03Z) = 5 min (2 Sun + 3 Mon)
//   p4 Mon 06:58 → 07:02 EDT = 4 min
//   p5 Mon 17:28 → 17:33 EDT = 5 min
//   p6 Mon 18:58 → 19:02 EDT = 4 min
// Events: Sun 01:58, 03:01, 06:58, 07:03, 23:58 = 5; Mon 00:03, 06:58, 07:02, 17:28, 17:33,
// 18:58, 19:02 = 7.

function springPairs(): EventRow[] {
  const pairs: Array<[string, string]> = [
    ['2026-03-08T01:58:00-05:00', '2026-03-08T03:01:00-04:00'],
    ['2026-03-08T06:58:00-04:00', '2026-03-08T07:03:00-04:00'],
    ['2026-03-08T23:58:00-04:00', '2026-03-09T00:03:00-04:00'],
    ['2026-03-09T06:58:00-04:00', '2026-03-09T07:02:00-04:00'],
    ['2026-03-09T17:28:00-04:00', '2026-03-09T17:33:00-04:00'],
    ['2026-03-09T18:58:00-04:00', '2026-03-09T19:02:00-04:00'],
  ];
  return pairs.flatMap(([a, b], i) => [
    ev('u1', `p${i + 1}a`, a, 'notes'),
    ev('u1', `p${i + 1}b`, b, 'inbox'),
  ]);
}

const springBoundaryData: Dataset = {
  events: springPairs(),
  schedule: [session('u1', '2026-03-08T01:00:00-05:00', '2026-03-08T04:00:00-04:00')],
};

// Fall back, range Sun 2026-11-01 … Tue 11-03 (period day), wow outside7to7, no schedule.
//   p1 Sun 01:58 EDT (05:58Z) → 01:02 EST (06:02Z) = 4 min (the wall clock goes backwards)
//   p2 Sun 06:58 EST (11:58Z) → 07:03 EST (12:03Z) = 5 min
//   p3 Sun 23:58 EST (Nov 2 04:58Z) → Mon 00:03 EST (05:03Z) = 5 min (2 Sun + 3 Mon)
//   p4 Mon 06:58 → 07:02 EST = 4 min
//   p5 Mon 17:28 → 17:33 EST = 5 min
// Events: Sun 5 (01:58, 01:02, 06:58, 07:03, 23:58), Mon 5.

function fallPairs(): EventRow[] {
  const pairs: Array<[string, string]> = [
    ['2026-11-01T01:58:00-04:00', '2026-11-01T01:02:00-05:00'],
    ['2026-11-01T06:58:00-05:00', '2026-11-01T07:03:00-05:00'],
    ['2026-11-01T23:58:00-05:00', '2026-11-02T00:03:00-05:00'],
    ['2026-11-02T06:58:00-05:00', '2026-11-02T07:02:00-05:00'],
    ['2026-11-02T17:28:00-05:00', '2026-11-02T17:33:00-05:00'],
  ];
  return pairs.flatMap(([a, b], i) => [
    ev('u1', `p${i + 1}a`, a, 'notes'),
    ev('u1', `p${i + 1}b`, b, 'inbox'),
  ]);
}

const BOUNDARY = { timezone: NY, wow: 'outside7to7' } as const;

const dstBoundaryCases: MetricCase[] = [
  {
    // Sun: ehr = 3 + 5 + 2 = 10; outside7to7 = 3 (p1, all before 07:00) + 2 (06:58–07:00) + 2
    // (23:58–24:00) = 7; after = all (Sunday) = 10; scheduled 2 h ⇒ ehr_time8 = (10/60)·8/2 = 2/3,
    // wow8 = (7/60)·8/2 = 7/15, note_time8 = 2/3; the day has a session ⇒ unscheduled 0.
    // Mon: ehr = 3 (00:00–00:03) + 4 + 5 + 4 = 16; outside7to7 = 3 + 2 (06:58–07:00) + 0 + 2
    // (19:00–19:02) = 7; pajama = 3 + 2 + 3 (17:30–17:33) + 4 (18:58–19:02) = 12; no session ⇒
    // scheduled 0 (ratios null), unscheduled 16.
    name: 'DST spring forward: 07:00/17:30/19:00 and midnight boundaries in EDT (period day, split)',
    data: springBoundaryData,
    req: req('2026-03-08', '2026-03-10', 'day', BOUNDARY),
    expect: [
      row('u1', '2026-03-08', '2026-03-09', {
        ehr_hours: min(10),
        notes_hours: min(10),
        inbox_hours: 0,
        wow_hours: min(7),
        after_hours_hours: min(10),
        scheduled_hours: 2,
        ehr_time8: 2 / 3,
        wow8: 7 / 15,
        note_time8: 2 / 3,
        ib_time8: 0,
        pres_time8: 0,
        unscheduled_day_hours: 0,
        ...NO_APPOINTMENTS,
        events: 5,
        active_days: 1,
      }),
      row('u1', '2026-03-09', '2026-03-10', {
        ehr_hours: min(16),
        notes_hours: min(16),
        wow_hours: min(7),
        after_hours_hours: min(12),
        ...NO_SCHEDULE,
        unscheduled_day_hours: min(16),
        events: 7,
        active_days: 1,
      }),
    ],
  },
  {
    // start (forward): each pair counts whole where its first event stands.
    // Sun: p1 (3, at 01:58: outside 7–19) + p2 (5, at 06:58: outside) + p3 (5, at Sun 23:58: outside)
    //   ⇒ ehr 13, wow 13, after 13; ratios (13/60)·8/2 = 13/15; unscheduled 0 (Sunday has a session).
    // Mon: p4 (4, at 06:58: outside 7–19, outside pajama) + p5 (5, at 17:28: inside both)
    //   + p6 (4, at 18:58: inside 7–19, outside pajama) ⇒ ehr 13, wow 4, after 8, unscheduled 13.
    name: 'DST spring forward: boundaries with start attribution (period day, start)',
    data: springBoundaryData,
    req: req('2026-03-08', '2026-03-10', 'day', { ...BOUNDARY, attribution: 'start' }),
    expect: [
      row('u1', '2026-03-08', '2026-03-09', {
        ehr_hours: min(13),
        notes_hours: min(13),
        wow_hours: min(13),
        after_hours_hours: min(13),
        scheduled_hours: 2,
        ehr_time8: 13 / 15,
        wow8: 13 / 15,
        note_time8: 13 / 15,
        unscheduled_day_hours: 0,
        events: 5,
      }),
      row('u1', '2026-03-09', '2026-03-10', {
        ehr_hours: min(13),
        notes_hours: min(13),
        wow_hours: min(4),
        after_hours_hours: min(8),
        ...NO_SCHEDULE,
        unscheduled_day_hours: min(13),
        events: 7,
      }),
    ],
  },
  {
    // Sun: ehr = 4 + 5 + 2 = 11; outside7to7 = 4 (01:xx) + 2 (06:58–07:00 EST) + 2 (23:58–24:00) = 8;
    //   after (Sunday) = 11.
    // Mon: ehr = 3 (00:00–00:03) + 4 + 5 = 12; outside7to7 = 3 + 2 + 0 = 5;
    //   pajama = 3 + 2 + 3 (17:30–17:33) = 8.
    name: 'DST fall back: repeated hour and EST boundaries (period day, split)',
    data: { events: fallPairs() },
    req: req('2026-11-01', '2026-11-03', 'day', BOUNDARY),
    expect: [
      row('u1', '2026-11-01', '2026-11-02', {
        ehr_hours: min(11),
        notes_hours: min(11),
        inbox_hours: 0,
        wow_hours: min(8),
        after_hours_hours: min(11),
        unscheduled_day_hours: min(11),
        ...NO_SCHEDULE,
        events: 5,
        active_days: 1,
      }),
      row('u1', '2026-11-02', '2026-11-03', {
        ehr_hours: min(12),
        notes_hours: min(12),
        wow_hours: min(5),
        after_hours_hours: min(8),
        unscheduled_day_hours: min(12),
        events: 5,
        active_days: 1,
      }),
    ],
  },
  {
    // backward start: each pair counts whole where its SECOND event (inbox) stands.
    // Sun: p1 (4, at 01:02 EST: outside 7–19) + p2 (5, at 07:03: inside 7–19) ⇒ ehr 9, wow 4,
    //   after 9 (Sunday). p3's second event is on Monday.
    // Mon: p3 (5, at 00:03: outside both) + p4 (4, at 07:02: inside both) + p5 (5, at 17:33: inside
    //   7–19, outside pajama) ⇒ ehr 14, wow 5, after 5 + 5 = 10.
    name: 'DST fall back: boundaries with the later event (period day, backward, start)',
    data: { events: fallPairs() },
    req: req('2026-11-01', '2026-11-03', 'day', {
      ...BOUNDARY,
      direction: 'backward',
      attribution: 'start',
    }),
    expect: [
      row('u1', '2026-11-01', '2026-11-02', {
        ehr_hours: min(9),
        inbox_hours: min(9),
        notes_hours: 0,
        wow_hours: min(4),
        after_hours_hours: min(9),
        unscheduled_day_hours: min(9),
        events: 5,
      }),
      row('u1', '2026-11-02', '2026-11-03', {
        ehr_hours: min(14),
        inbox_hours: min(14),
        notes_hours: 0,
        wow_hours: min(5),
        after_hours_hours: min(10),
        unscheduled_day_hours: min(14),
        events: 5,
      }),
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// 8. A weekend day in every window
// ---------------------------------------------------------------------------------------------
// UTC, Saturday 2026-03-07, u1 has a session 09:00–12:00 (3 h). Pairs (notes then inbox, forward):
//   p1 08:26 → 08:31 (5)   p2 08:40 → 08:45 (5)   p3 10:00 → 10:04 (4)
//   p4 12:20 → 12:23 (3)   p5 12:40 → 12:42 (2)   p6 20:00 → 20:01 (1)
// (gaps between pairs ≥ 9 min: dropped). ehr = 20 min, all notes; ehr_time8 = note_time8 =
// (20/60)·8/3 = 8/9. Saturday ⇒ after (pajama) = 20 whatever wow is. The day has a session ⇒
// unscheduled 0. 12 events.
//   schedule   (outside 09–12):   5 + 5 + 0 + 3 + 2 + 1 = 16 ⇒ wow8 = 16·8/180 = 32/45
//   schedule30 (outside 08:30–12:30): 4 (08:26–08:30) + 0 + 0 + 0 + 2 + 1 = 7 ⇒ wow8 = 7·8/180 = 14/45
//   outside7to7 (weekends are ordinary days): only p6 (20:00) = 1 ⇒ wow8 = 8/180 = 2/45
//   pajama / after18to06 (all of Saturday outside): 20 ⇒ wow8 = 8/9

const weekendData: Dataset = {
  events: (
    [
      ['08:26', '08:31'],
      ['08:40', '08:45'],
      ['10:00', '10:04'],
      ['12:20', '12:23'],
      ['12:40', '12:42'],
      ['20:00', '20:01'],
    ] as const
  ).flatMap(([a, b], i) => [
    ev('u1', `w${i + 1}a`, `2026-03-07T${a}:00Z`, 'notes'),
    ev('u1', `w${i + 1}b`, `2026-03-07T${b}:00Z`, 'inbox'),
  ]),
  schedule: [session('u1', '2026-03-07T09:00:00Z', '2026-03-07T12:00:00Z')],
};

const weekendCases: MetricCase[] = (
  [
    ['schedule', 16, 32 / 45],
    ['schedule30', 7, 14 / 45],
    ['outside7to7', 1, 2 / 45],
    ['pajama', 20, 8 / 9],
    ['after18to06', 20, 8 / 9],
  ] as const
).map(([wow, wowMinutes, wow8]) => ({
  name: `weekend day, wow ${wow}`,
  data: weekendData,
  req: req('2026-03-07', '2026-03-08', 'all', { wow }),
  expect: [
    row('u1', '2026-03-07', '2026-03-08', {
      ehr_hours: min(20),
      notes_hours: min(20),
      inbox_hours: 0,
      scheduled_hours: 3,
      ehr_time8: 8 / 9,
      note_time8: 8 / 9,
      wow_hours: min(wowMinutes),
      wow8,
      after_hours_hours: min(20),
      unscheduled_day_hours: 0,
      ...NO_APPOINTMENTS,
      events: 12,
      active_days: 1,
    }),
  ],
}));

// ---------------------------------------------------------------------------------------------
// 9. Sessions derived from appointments; appointment statuses
// ---------------------------------------------------------------------------------------------
// UTC, Monday 2026-03-02. u1 has no session rows. Appointments:
//   A1 09:00–09:30 (no status = booked)   A2 10:30–11:00 arrived     A3 12:01–12:30 fulfilled
//   A4 12:45–13:00 noshow                  A5 14:00–14:30 cancelled   A6 15:00–15:20 entered-in-error
// Merge gap 60: A1; A2 starts 10:30 ≤ 09:30 + 60 ⇒ joins (exactly at the gap) → [09:00, 11:00);
//   A3 starts 12:01 > 11:00 + 60 ⇒ new cluster; A4 12:45 ≤ 12:30 + 60 ⇒ joins → [12:01, 13:00);
//   A5 would have joined (14:00 ≤ 13:00 + 60) but cancelled appointments make no sessions.
//   Sessions = 120 + 59 = 179 min.
// Visit time = A1 + A2 + A3 = 30 + 30 + 29 = 89 min (no-show, cancelled, entered-in-error excluded).
// appointments = A1, A2, A3, A4 = 4.
// Pairs (forward; second events `other`):
//   q1 09:10 notes → 09:14 (4): in session, in visit A1
//   q2 10:00 inbox → 10:05 (5): in session (the merged gap), no visit
//   q3 11:58 orders → 12:03 (5): 11:58–12:01 outside session (3), 12:01–12:03 in session and in A3 (2)
//   q4 12:50 notes → 12:54 (4): in session, no-show ⇒ no visit
//   q5 14:05 other → 14:09 (4): in the cancelled slot: outside session, no visit
// ehr = 22 min: notes 8, inbox 5, orders 5, other 4. All Monday daytime ⇒ after 0; unscheduled 0.
// Patients: q1 (p1, both events), q3 first event (p2) ⇒ 2. Events 10.

const derivedData: Dataset = {
  events: [
    ev('u1', 'q1a', '2026-03-02T09:10:00Z', 'notes', { patient_id: 'p1' }),
    ev('u1', 'q1b', '2026-03-02T09:14:00Z', 'other', { patient_id: 'p1' }),
    ev('u1', 'q2a', '2026-03-02T10:00:00Z', 'inbox'),
    ev('u1', 'q2b', '2026-03-02T10:05:00Z', 'other'),
    ev('u1', 'q3a', '2026-03-02T11:58:00Z', 'orders', { patient_id: 'p2' }),
    ev('u1', 'q3b', '2026-03-02T12:03:00Z', 'other'),
    ev('u1', 'q4a', '2026-03-02T12:50:00Z', 'notes'),
    ev('u1', 'q4b', '2026-03-02T12:54:00Z', 'other'),
    ev('u1', 'q5a', '2026-03-02T14:05:00Z', 'other'),
    ev('u1', 'q5b', '2026-03-02T14:09:00Z', 'other'),
  ],
  schedule: [
    appt('u1', '2026-03-02T09:00:00Z', '2026-03-02T09:30:00Z'),
    appt('u1', '2026-03-02T10:30:00Z', '2026-03-02T11:00:00Z', { status: 'arrived' }),
    appt('u1', '2026-03-02T12:01:00Z', '2026-03-02T12:30:00Z', { status: 'fulfilled' }),
    appt('u1', '2026-03-02T12:45:00Z', '2026-03-02T13:00:00Z', { status: 'noshow' }),
    appt('u1', '2026-03-02T14:00:00Z', '2026-03-02T14:30:00Z', { status: 'cancelled' }),
    appt('u1', '2026-03-02T15:00:00Z', '2026-03-02T15:20:00Z', { status: 'entered-in-error' }),
  ],
};

const derivedCommon = {
  ehr_hours: min(22),
  notes_hours: min(8),
  inbox_hours: min(5),
  orders_hours: min(5),
  other_hours: min(4),
  prescriptions_hours: 0,
  chart_review_hours: 0,
  appointments: 4,
  ehr_minutes_per_appointment: 5.5, // 22 / 4
  after_hours_hours: 0,
  unscheduled_day_hours: 0,
  pres_time8: 0,
  teamwork_orders: null,
  events: 10,
  active_days: 1,
  patients: 2,
} as const;

const derivedCases: MetricCase[] = [
  {
    // wow = 3 (q3 before 12:01) + 4 (q5) = 7; visit_ehr = 4 (q1) + 2 (q3 from 12:01) = 6;
    // undivided = 1 − 6/89 = 83/89; scheduled = 179/60 h; ehr_time8 = 22·8/179 = 176/179;
    // wow8 = 7·8/179 = 56/179; note_time8 = 8·8/179 = 64/179; ib_time8 = 5·8/179 = 40/179.
    name: 'sessions derived from appointments, merge gap met exactly; statuses (split)',
    data: derivedData,
    req: req('2026-03-02', '2026-03-03', 'all'),
    expect: [
      row('u1', '2026-03-02', '2026-03-03', {
        ...derivedCommon,
        scheduled_hours: 179 / 60,
        wow_hours: min(7),
        visit_ehr_hours: min(6),
        undivided_attention: 83 / 89,
        ehr_time8: 176 / 179,
        wow8: 56 / 179,
        note_time8: 64 / 179,
        ib_time8: 40 / 179,
      }),
    ],
  },
  {
    // merge gap 59: A2 starts 10:30 > 09:30 + 59 ⇒ not joined; A3 12:01 > 11:00 + 59 ⇒ not joined;
    // A4 12:45 ≤ 12:30 + 59 ⇒ joined. Sessions [09:00,09:30) + [10:30,11:00) + [12:01,13:00)
    // = 30 + 30 + 59 = 119 min.
    // start: q1 at 09:10 (session, visit) → visit 4; q2 at 10:00 (between sessions now) → wow 5;
    // q3 at 11:58 (outside, no visit) → wow 5; q4 at 12:50 (session, no-show) → 0; q5 at 14:05 → wow 4.
    // wow = 14; visit_ehr = 4; undivided = 1 − 4/89 = 85/89; ehr_time8 = 176/119;
    // wow8 = 14·8/119 = 112/119; note_time8 = 64/119; ib_time8 = 40/119.
    name: 'sessions derived from appointments, merge gap missed by a minute (start)',
    data: derivedData,
    req: req('2026-03-02', '2026-03-03', 'all', {
      session_merge_gap_minutes: 59,
      attribution: 'start',
    }),
    expect: [
      row('u1', '2026-03-02', '2026-03-03', {
        ...derivedCommon,
        scheduled_hours: 119 / 60,
        wow_hours: min(14),
        visit_ehr_hours: min(4),
        undivided_attention: 85 / 89,
        ehr_time8: 176 / 119,
        wow8: 112 / 119,
        note_time8: 64 / 119,
        ib_time8: 40 / 119,
      }),
    ],
  },
  {
    // UTC Monday. u1's only appointments: A 09:00–09:30 noshow, B 10:00–10:30 cancelled,
    // C 11:00–11:30 entered-in-error. Sessions: only A ⇒ [09:00, 09:30) = 0.5 h. Visit time: none.
    // appointments = 1 (A). Pairs: [09:05, 09:10) notes (in session), [10:05, 10:10) notes (outside).
    // ehr 10; wow 5; ehr_time8 = (10/60)·8/0.5 = 8/3; wow8 = (5/60)·8/0.5 = 4/3; note_time8 = 8/3;
    // minutes per appointment = 10 / 1 = 10; visit time 0 ⇒ undivided null; no orders ⇒ teamwork null.
    name: 'only no-show/cancelled/entered-in-error appointments: visit time 0 ⇒ undivided null',
    data: {
      events: [
        ev('u1', 'e1', '2026-03-02T09:05:00Z', 'notes'),
        ev('u1', 'e2', '2026-03-02T09:10:00Z', 'notes'),
        ev('u1', 'e3', '2026-03-02T10:05:00Z', 'notes'),
        ev('u1', 'e4', '2026-03-02T10:10:00Z', 'notes'),
      ],
      schedule: [
        appt('u1', '2026-03-02T09:00:00Z', '2026-03-02T09:30:00Z', { status: 'noshow' }),
        appt('u1', '2026-03-02T10:00:00Z', '2026-03-02T10:30:00Z', { status: 'cancelled' }),
        appt('u1', '2026-03-02T11:00:00Z', '2026-03-02T11:30:00Z', { status: 'entered-in-error' }),
      ],
    },
    req: req('2026-03-02', '2026-03-03', 'all'),
    expect: [
      row('u1', '2026-03-02', '2026-03-03', {
        ehr_hours: min(10),
        notes_hours: min(10),
        scheduled_hours: 0.5,
        appointments: 1,
        wow_hours: min(5),
        visit_ehr_hours: 0,
        unscheduled_day_hours: 0,
        ehr_time8: 8 / 3,
        wow8: 4 / 3,
        note_time8: 8 / 3,
        pres_time8: 0,
        ib_time8: 0,
        undivided_attention: null,
        ehr_minutes_per_appointment: 10,
        teamwork_orders: null,
        events: 4,
      }),
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// 10. Explicit sessions win over appointments
// ---------------------------------------------------------------------------------------------
// UTC, Monday 2026-03-02. Pair X = [09:00 notes, 09:05), pair Y = [13:10 inbox, 13:15).
// u1: session 08:00–10:00 and appointment 13:00–14:00 ⇒ sessions = 08:00–10:00 only (2 h);
//     visit time = 13:00–14:00 (1 h). X inside the session, Y outside it but in the visit.
//     ehr 10; wow 5; visit_ehr 5; undivided = 1 − 5/60 = 11/12; ehr_time8 = (10/60)·8/2 = 2/3;
//     wow8 = note_time8 = ib_time8 = (5/60)·8/2 = 1/3; minutes/appointment = 10/1 = 10.
// u2: the same appointment, no session rows ⇒ session derived = 13:00–14:00 (1 h); only Y.
//     ehr 5; wow 0; visit 5; undivided 11/12; ehr_time8 = ib_time8 = (5/60)·8/1 = 2/3; 5 min/appt.
// u3: a session row on 2026-02-23 (outside the range) and the same appointment: explicit sessions
//     exist, so none are derived ⇒ scheduled 0 in range (ratios null); only Y: ehr 5, wow 5,
//     visit 5, undivided 11/12, unscheduled 5 (no session on Mar 2), 5 min/appt.

const pairX = (u: string): EventRow[] => [
  ev(u, `${u}x1`, '2026-03-02T09:00:00Z', 'notes'),
  ev(u, `${u}x2`, '2026-03-02T09:05:00Z', 'notes'),
];
const pairY = (u: string): EventRow[] => [
  ev(u, `${u}y1`, '2026-03-02T13:10:00Z', 'inbox'),
  ev(u, `${u}y2`, '2026-03-02T13:15:00Z', 'inbox'),
];
const apptY = (u: string): ScheduleRow =>
  appt(u, '2026-03-02T13:00:00Z', '2026-03-02T14:00:00Z', { status: 'booked' });

const explicitCase: MetricCase = {
  name: 'explicit session rows win over appointments (even session rows outside the range)',
  data: {
    events: [...pairX('u1'), ...pairY('u1'), ...pairY('u2'), ...pairY('u3')],
    schedule: [
      session('u1', '2026-03-02T08:00:00Z', '2026-03-02T10:00:00Z'),
      apptY('u1'),
      apptY('u2'),
      session('u3', '2026-02-23T09:00:00Z', '2026-02-23T12:00:00Z'),
      apptY('u3'),
    ],
  },
  req: req('2026-03-02', '2026-03-03', 'all'),
  expect: [
    row('u1', '2026-03-02', '2026-03-03', {
      ehr_hours: min(10),
      notes_hours: min(5),
      inbox_hours: min(5),
      scheduled_hours: 2,
      appointments: 1,
      wow_hours: min(5),
      visit_ehr_hours: min(5),
      unscheduled_day_hours: 0,
      ehr_time8: 2 / 3,
      wow8: 1 / 3,
      note_time8: 1 / 3,
      ib_time8: 1 / 3,
      undivided_attention: 11 / 12,
      ehr_minutes_per_appointment: 10,
      events: 4,
    }),
    row('u2', '2026-03-02', '2026-03-03', {
      ehr_hours: min(5),
      inbox_hours: min(5),
      scheduled_hours: 1,
      appointments: 1,
      wow_hours: 0,
      visit_ehr_hours: min(5),
      unscheduled_day_hours: 0,
      ehr_time8: 2 / 3,
      wow8: 0,
      note_time8: 0,
      ib_time8: 2 / 3,
      undivided_attention: 11 / 12,
      ehr_minutes_per_appointment: 5,
      events: 2,
    }),
    row('u3', '2026-03-02', '2026-03-03', {
      ehr_hours: min(5),
      inbox_hours: min(5),
      ...NO_SCHEDULE,
      appointments: 1,
      wow_hours: min(5),
      visit_ehr_hours: min(5),
      unscheduled_day_hours: min(5),
      undivided_attention: 11 / 12,
      ehr_minutes_per_appointment: 5,
      events: 2,
    }),
  ],
};

// ---------------------------------------------------------------------------------------------
// 11. Teamwork orders
// ---------------------------------------------------------------------------------------------
// UTC, range Monday 2026-03-02. u1 signs o1 (no entered_by), o2 (entered_by ""), o3 (entered by
// u1 herself), o4 (nurse7), o5 (scribe2) on Mar 2, and o6 (nurse7) on Mar 1 (outside the range).
// u1: 2 of 5 ⇒ 0.4. u2: o7 entered by u1 ⇒ 1/1 = 1 (orders are counted under the signer).
// u3: o8 entered by u3 ⇒ 0/1 = 0. No events: ehr 0, no schedule ⇒ ratios null.

const teamworkCase: MetricCase = {
  name: 'teamwork: entered_by missing, empty, equal to the signer, different',
  data: {
    events: [],
    orders: [
      order('u1', 'o1', '2026-03-02T09:00:00Z'),
      order('u1', 'o2', '2026-03-02T09:10:00Z', { entered_by: '' }),
      order('u1', 'o3', '2026-03-02T09:20:00Z', { entered_by: 'u1', order_type: 'medication' }),
      order('u1', 'o4', '2026-03-02T09:30:00Z', { entered_by: 'nurse7' }),
      order('u1', 'o5', '2026-03-02T23:59:59Z', { entered_by: 'scribe2', order_type: 'other' }),
      order('u1', 'o6', '2026-03-01T12:00:00Z', { entered_by: 'nurse7' }),
      order('u2', 'o7', '2026-03-02T10:00:00Z', { entered_by: 'u1' }),
      order('u3', 'o8', '2026-03-02T00:00:00Z', { entered_by: 'u3' }),
    ],
  },
  req: req('2026-03-02', '2026-03-03', 'all'),
  expect: [
    row('u1', '2026-03-02', '2026-03-03', { ...EMPTY, teamwork_orders: 0.4 }),
    row('u2', '2026-03-02', '2026-03-03', { ...EMPTY, teamwork_orders: 1 }),
    row('u3', '2026-03-02', '2026-03-03', { ...EMPTY, teamwork_orders: 0 }),
  ],
};

// ---------------------------------------------------------------------------------------------
// 12. Excluded channels
// ---------------------------------------------------------------------------------------------
// UTC Monday 2026-03-02, exclude_channels = [mobile].
// u1: e1 10:00 desktop notes p1 | e2 10:02 MOBILE inbox p2 | e3 10:04 (no channel = desktop) orders p1
//     e4 10:05 web notes p3 | e5 11:00 desktop other p4 | e6 11:04 MOBILE other p5 | e7 11:08 api other
// After removing mobile: e1, e3, e4, e5, e7.
//   [10:00, 10:04) notes 4 (the mobile inbox event no longer splits it); [10:04, 10:05) orders 1;
//   10:05 → 11:00 dropped; 11:00 → 11:08 = 8 min > 5: dropped (with e6 it would have been 4 + 4).
// ehr 5, notes 4, orders 1, inbox 0; events 5; patients p1, p3, p4 = 3.
// u2: only mobile events ⇒ no row at all.

const channelCase: MetricCase = {
  name: 'excluded channels are removed before anything else',
  data: {
    events: [
      ev('u1', 'e1', '2026-03-02T10:00:00Z', 'notes', { channel: 'desktop', patient_id: 'p1' }),
      ev('u1', 'e2', '2026-03-02T10:02:00Z', 'inbox', { channel: 'mobile', patient_id: 'p2' }),
      ev('u1', 'e3', '2026-03-02T10:04:00Z', 'orders', { patient_id: 'p1' }),
      ev('u1', 'e4', '2026-03-02T10:05:00Z', 'notes', { channel: 'web', patient_id: 'p3' }),
      ev('u1', 'e5', '2026-03-02T11:00:00Z', 'other', { channel: 'desktop', patient_id: 'p4' }),
      ev('u1', 'e6', '2026-03-02T11:04:00Z', 'other', { channel: 'mobile', patient_id: 'p5' }),
      ev('u1', 'e7', '2026-03-02T11:08:00Z', 'other', { channel: 'api' }),
      ev('u2', 'f1', '2026-03-02T10:00:00Z', 'notes', { channel: 'mobile', patient_id: 'p9' }),
      ev('u2', 'f2', '2026-03-02T10:03:00Z', 'notes', { channel: 'mobile' }),
    ],
  },
  req: req('2026-03-02', '2026-03-03', 'all', { exclude_channels: ['mobile'] }),
  expect: [
    row('u1', '2026-03-02', '2026-03-03', {
      ehr_hours: min(5),
      ...NO_CATEGORIES,
      notes_hours: min(4),
      orders_hours: min(1),
      wow_hours: min(5),
      after_hours_hours: 0,
      unscheduled_day_hours: min(5),
      ...NO_SCHEDULE,
      ...NO_APPOINTMENTS,
      ...NO_ORDERS,
      events: 5,
      active_days: 1,
      patients: 3,
    }),
  ],
};

// ---------------------------------------------------------------------------------------------
// 13. Identical timestamps: the event_id tie-break decides the category
// ---------------------------------------------------------------------------------------------
// UTC Monday 2026-03-02 (listed out of order on purpose).
// forward: u1 a1 10:00 notes, a2 10:00 inbox, a3 10:03 other ⇒ order a1, a2, a3:
//   [10:00, 10:00) → notes 0; [10:00, 10:03) → a2 inbox 3.  u2 swaps the categories ⇒ notes 3.
// backward: u3 b1 10:00 notes, b2 10:03 inbox, b3 10:03 orders ⇒ [10:00, 10:03) → b2 inbox 3;
//   [10:03, 10:03) → b3 0.  u4 swaps b2/b3 categories ⇒ orders 3.

const tieEvents: EventRow[] = [
  ev('u1', 'a3', '2026-03-02T10:03:00Z', 'other'),
  ev('u1', 'a2', '2026-03-02T10:00:00Z', 'inbox'),
  ev('u1', 'a1', '2026-03-02T10:00:00Z', 'notes'),
  ev('u2', 'a2', '2026-03-02T10:00:00Z', 'notes'),
  ev('u2', 'a1', '2026-03-02T10:00:00Z', 'inbox'),
  ev('u2', 'a3', '2026-03-02T10:03:00Z', 'other'),
];
const tieBackEvents: EventRow[] = [
  ev('u3', 'b3', '2026-03-02T10:03:00Z', 'orders'),
  ev('u3', 'b2', '2026-03-02T10:03:00Z', 'inbox'),
  ev('u3', 'b1', '2026-03-02T10:00:00Z', 'notes'),
  ev('u4', 'b1', '2026-03-02T10:00:00Z', 'notes'),
  ev('u4', 'b2', '2026-03-02T10:03:00Z', 'orders'),
  ev('u4', 'b3', '2026-03-02T10:03:00Z', 'inbox'),
];

const tieRow = (u: string, cats: Partial<ClinicianMetricRow>): Expected =>
  row(u, '2026-03-02', '2026-03-03', {
    ehr_hours: min(3),
    ...NO_CATEGORIES,
    ...cats,
    wow_hours: min(3),
    events: 3,
  });

const tieCases: MetricCase[] = [
  {
    name: 'identical timestamps: event_id breaks the tie (forward)',
    data: { events: tieEvents },
    req: req('2026-03-02', '2026-03-03', 'all'),
    expect: [tieRow('u1', { inbox_hours: min(3) }), tieRow('u2', { notes_hours: min(3) })],
  },
  {
    name: 'identical timestamps: event_id breaks the tie (backward)',
    data: { events: tieBackEvents },
    req: req('2026-03-02', '2026-03-03', 'all', { direction: 'backward' }),
    expect: [tieRow('u3', { inbox_hours: min(3) }), tieRow('u4', { orders_hours: min(3) })],
  },
];

// ---------------------------------------------------------------------------------------------
// 13b. Identical timestamps: the log's own order (`seq`) decides before event_id (§3)
// ---------------------------------------------------------------------------------------------
// UTC Monday 2026-03-02. Order: (occurred_at, seq with NULL after every seq, event_id).
// forward (the LAST event of an instant credits the gap that follows it):
//   u1: s1 10:00 inbox seq 3, s2 10:00 notes seq 1, s3 10:00 orders seq 2, s4 10:04 other seq 4
//       ⇒ s2, s3, s1, s4: [10:00, 10:00) × 2 → 0; [10:00, 10:04) → s1 inbox 4.
//       (by event_id alone: s1, s2, s3 ⇒ orders 4.)
//   u2 (mixed): t1 10:00 orders no seq, t2 10:00 notes seq 7, t3 10:04 other no seq
//       ⇒ t2, t1, t3: [10:00, 10:04) → t1 orders 4.
//       (NULL first, or event_id alone: t1, t2 ⇒ notes 4.)
//   u3 (seq never beats time): v1 10:00 notes seq 9, v2 10:02 inbox seq 1, v3 10:05 other seq 5
//       ⇒ v1, v2, v3: notes 2, inbox 3.
//   u5 (equal seq: event_id decides): w2 10:00 notes seq 5, w1 10:00 inbox seq 5, w3 10:04 other
//       seq 6 ⇒ w1, w2, w3: [10:00, 10:04) → w2 notes 4.
// backward (the FIRST event of an instant is credited with the gap before it):
//   u4: x1 10:00 other seq 1, x2 10:04 notes seq 3, x3 10:04 inbox seq 2
//       ⇒ x1, x3, x2: [10:00, 10:04) → x3 inbox 4; [10:04, 10:04) → 0.
//       (by event_id alone: x2 first ⇒ notes 4.)
//   u6 (mixed): y1 10:00 other, y2 10:04 orders no seq, y3 10:04 notes seq 1
//       ⇒ y1, y3, y2: [10:00, 10:04) → y3 notes 4.  (event_id alone: y2 ⇒ orders 4.)

const seqEvents: EventRow[] = [
  ev('u1', 's4', '2026-03-02T10:04:00Z', 'other', { seq: 4 }),
  ev('u1', 's1', '2026-03-02T10:00:00Z', 'inbox', { seq: 3 }),
  ev('u1', 's3', '2026-03-02T10:00:00Z', 'orders', { seq: 2 }),
  ev('u1', 's2', '2026-03-02T10:00:00Z', 'notes', { seq: 1 }),
  ev('u2', 't3', '2026-03-02T10:04:00Z', 'other'),
  ev('u2', 't1', '2026-03-02T10:00:00Z', 'orders'),
  ev('u2', 't2', '2026-03-02T10:00:00Z', 'notes', { seq: 7 }),
  ev('u3', 'v3', '2026-03-02T10:05:00Z', 'other', { seq: 5 }),
  ev('u3', 'v2', '2026-03-02T10:02:00Z', 'inbox', { seq: 1 }),
  ev('u3', 'v1', '2026-03-02T10:00:00Z', 'notes', { seq: 9 }),
  ev('u5', 'w3', '2026-03-02T10:04:00Z', 'other', { seq: 6 }),
  ev('u5', 'w2', '2026-03-02T10:00:00Z', 'notes', { seq: 5 }),
  ev('u5', 'w1', '2026-03-02T10:00:00Z', 'inbox', { seq: 5 }),
];
const seqBackEvents: EventRow[] = [
  ev('u4', 'x2', '2026-03-02T10:04:00Z', 'notes', { seq: 3 }),
  ev('u4', 'x3', '2026-03-02T10:04:00Z', 'inbox', { seq: 2 }),
  ev('u4', 'x1', '2026-03-02T10:00:00Z', 'other', { seq: 1 }),
  ev('u6', 'y2', '2026-03-02T10:04:00Z', 'orders'),
  ev('u6', 'y3', '2026-03-02T10:04:00Z', 'notes', { seq: 1 }),
  ev('u6', 'y1', '2026-03-02T10:00:00Z', 'other'),
];

const seqRow = (
  u: string,
  minutes: number,
  events: number,
  cats: Partial<ClinicianMetricRow>,
): Expected =>
  row(u, '2026-03-02', '2026-03-03', {
    ehr_hours: min(minutes),
    ...NO_CATEGORIES,
    ...cats,
    wow_hours: min(minutes),
    events,
  });

const seqCases: MetricCase[] = [
  {
    name: 'identical timestamps: the log order (seq) breaks the tie before event_id (forward)',
    data: { events: seqEvents },
    req: req('2026-03-02', '2026-03-03', 'all'),
    expect: [
      seqRow('u1', 4, 4, { inbox_hours: min(4) }),
      seqRow('u2', 4, 3, { orders_hours: min(4) }),
      seqRow('u3', 5, 3, { notes_hours: min(2), inbox_hours: min(3) }),
      seqRow('u5', 4, 3, { notes_hours: min(4) }),
    ],
  },
  {
    name: 'identical timestamps: the log order (seq) breaks the tie before event_id (backward)',
    data: { events: seqBackEvents },
    req: req('2026-03-02', '2026-03-03', 'all', { direction: 'backward' }),
    expect: [
      seqRow('u4', 4, 3, { inbox_hours: min(4) }),
      seqRow('u6', 4, 3, { notes_hours: min(4) }),
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// 14. Week and month periods
// ---------------------------------------------------------------------------------------------
// Weeks. UTC, range Thu 2026-03-05 … Thu 03-26 ⇒ pieces [03-05, 03-09) (Thu–Sun), [03-09, 03-16),
// [03-16, 03-23), [03-23, 03-26). u1 has a session Tue 03-10 09:00–13:00 (4 h).
//   Sun 03-08 23:58 notes → Mon 03-09 00:03: week 1 gets 2 min, week 2 gets 3 min (notes)
//   Tue 03-10 10:00 inbox → 10:04: week 2, 4 min, inside the session
//   Wed 03-18 10:00 orders → 10:04: week 3, 4 min
// week 1: ehr 2 (notes); wow 2; after 2 (Sunday); unscheduled 2; 1 event; scheduled 0 ⇒ nulls.
// week 2: ehr 3 + 4 = 7 (notes 3, inbox 4); wow 3 (Mon 00:00–00:03); after 3 (Mon before 07:00;
//   Tue 10:00 is inside); unscheduled 3 (Monday has no session, Tuesday has); scheduled 4 ⇒
//   ehr_time8 = 7·8/240 = 7/30, wow8 = note_time8 = 3·8/240 = 1/10, ib_time8 = 4·8/240 = 2/15;
//   events Mon 00:03, Tue 10:00, 10:04 = 3 on 2 days.
// week 3: ehr 4 (orders); wow 4; after 0 (Wednesday 10:00); unscheduled 4; 2 events.
// week 4: nothing, but the row is there.

const weekCase: MetricCase = {
  name: 'ISO weeks: a range starting on a Thursday has a Thursday–Sunday first week',
  data: {
    events: [
      ev('u1', 'e1', '2026-03-08T23:58:00Z', 'notes'),
      ev('u1', 'e2', '2026-03-09T00:03:00Z', 'other'),
      ev('u1', 'e3', '2026-03-10T10:00:00Z', 'inbox'),
      ev('u1', 'e4', '2026-03-10T10:04:00Z', 'other'),
      ev('u1', 'e5', '2026-03-18T10:00:00Z', 'orders'),
      ev('u1', 'e6', '2026-03-18T10:04:00Z', 'other'),
    ],
    schedule: [session('u1', '2026-03-10T09:00:00Z', '2026-03-10T13:00:00Z')],
  },
  req: req('2026-03-05', '2026-03-26', 'week'),
  expect: [
    row('u1', '2026-03-05', '2026-03-09', {
      ehr_hours: min(2),
      ...NO_CATEGORIES,
      notes_hours: min(2),
      wow_hours: min(2),
      after_hours_hours: min(2),
      unscheduled_day_hours: min(2),
      ...NO_SCHEDULE,
      events: 1,
      active_days: 1,
    }),
    row('u1', '2026-03-09', '2026-03-16', {
      ehr_hours: min(7),
      ...NO_CATEGORIES,
      notes_hours: min(3),
      inbox_hours: min(4),
      wow_hours: min(3),
      after_hours_hours: min(3),
      unscheduled_day_hours: min(3),
      scheduled_hours: 4,
      ehr_time8: 7 / 30,
      wow8: 1 / 10,
      note_time8: 1 / 10,
      pres_time8: 0,
      ib_time8: 2 / 15,
      events: 3,
      active_days: 2,
    }),
    row('u1', '2026-03-16', '2026-03-23', {
      ehr_hours: min(4),
      ...NO_CATEGORIES,
      orders_hours: min(4),
      wow_hours: min(4),
      after_hours_hours: 0,
      unscheduled_day_hours: min(4),
      ...NO_SCHEDULE,
      events: 2,
      active_days: 1,
    }),
    row('u1', '2026-03-23', '2026-03-26', { ...EMPTY }),
  ],
};

// Months. Europe/Berlin (UTC+1), range 2026-01-15 … 2026-03-10 ⇒ pieces [01-15, 02-01),
// [02-01, 03-01), [03-01, 03-10). wow = pajama (so wow = after-hours).
//   m1 Jan 14 23:30Z = Thu Jan 15 00:30 local notes → m2 00:34 local: Jan, 4 min, before 07:00
//      (m1 is on Jan 14 in UTC but on Jan 15 locally: inside the range)
//   m3 Jan 31 22:58Z = Sat 23:58 local notes → m4 Jan 31 23:03Z = Sun Feb 1 00:03 local:
//      Jan 2 min, Feb 3 min, weekend
//   m5 Feb 3 06:58Z = Tue 07:58 local inbox → m6 07:03Z = 08:03 local: Feb, 5 min, inside 07:00–17:30
//      (in UTC it would straddle 07:00)
//   m7 Mar 9 22:59Z = Mon 23:59 local orders → m8 Mar 9 23:02Z = Tue Mar 10 00:02 local: 1 min in
//      range (after 17:30); m8 is outside the range
// Jan: ehr 6 (notes), after 6, 3 events (m1, m2, m3) on 2 local days (15th, 31st).
// Feb: ehr 3 (notes) + 5 (inbox) = 8, after 3, 3 events (m4, m5, m6) on 2 days (1st, 3rd).
// Mar: ehr 1 (orders), after 1, 1 event (m7).

const monthCase: MetricCase = {
  name: 'calendar months in Europe/Berlin, cut at from and to',
  data: {
    events: [
      ev('u1', 'm1', '2026-01-14T23:30:00Z', 'notes'),
      ev('u1', 'm2', '2026-01-14T23:34:00Z', 'other'),
      ev('u1', 'm3', '2026-01-31T22:58:00Z', 'notes'),
      ev('u1', 'm4', '2026-01-31T23:03:00Z', 'other'),
      ev('u1', 'm5', '2026-02-03T06:58:00Z', 'inbox'),
      ev('u1', 'm6', '2026-02-03T07:03:00Z', 'other'),
      ev('u1', 'm7', '2026-03-09T22:59:00Z', 'orders'),
      ev('u1', 'm8', '2026-03-09T23:02:00Z', 'other'),
    ],
  },
  req: req('2026-01-15', '2026-03-10', 'month', { timezone: 'Europe/Berlin', wow: 'pajama' }),
  expect: [
    row('u1', '2026-01-15', '2026-02-01', {
      ehr_hours: min(6),
      ...NO_CATEGORIES,
      notes_hours: min(6),
      wow_hours: min(6),
      after_hours_hours: min(6),
      unscheduled_day_hours: min(6),
      ...NO_SCHEDULE,
      events: 3,
      active_days: 2,
    }),
    row('u1', '2026-02-01', '2026-03-01', {
      ehr_hours: min(8),
      ...NO_CATEGORIES,
      notes_hours: min(3),
      inbox_hours: min(5),
      wow_hours: min(3),
      after_hours_hours: min(3),
      unscheduled_day_hours: min(8),
      events: 3,
      active_days: 2,
    }),
    row('u1', '2026-03-01', '2026-03-10', {
      ehr_hours: min(1),
      ...NO_CATEGORIES,
      orders_hours: min(1),
      wow_hours: min(1),
      after_hours_hours: min(1),
      unscheduled_day_hours: min(1),
      events: 1,
      active_days: 1,
    }),
  ],
};

// ---------------------------------------------------------------------------------------------
// 15. Option combinations: cap + backward with a one-hour timeout, split vs start
// ---------------------------------------------------------------------------------------------
// UTC, range Fri 2026-03-06 … Sun 03-08 (period day), timeout 3600 s, cap, backward, wow outside7to7.
// u1: e1 Fri 17:00 notes, e2 Fri 18:50 inbox (gap 110 min > 60 ⇒ capped: [17:50, 18:50) → inbox),
//     e3 Sat 06:30 orders (gap > 60 ⇒ [05:30, 06:30) → orders), e4 Sat 07:10 other (gap 40 ≤ 60 ⇒
//     [06:30, 07:10) → other).
// split: Fri ehr 60 inbox; 17:50–18:50 inside 07–19 ⇒ wow 0; after 17:30 on Friday ⇒ after 60.
//        Sat ehr 100 (orders 60, other 40); outside 7–19 = 60 (05:30–06:30) + 30 (06:30–07:00) = 90;
//        after (Saturday) 100.
// start: Fri: credited at 18:50 (inside 7–19; after 17:30) ⇒ wow 0, after 60.
//        Sat: orders credited at 06:30 (outside) ⇒ 60; other credited at 07:10 (inside) ⇒ 0 ⇒ wow 60;
//        after 100.
// 2 events each day; no sessions ⇒ unscheduled = ehr.

const capBackData: Dataset = {
  events: [
    ev('u1', 'e1', '2026-03-06T17:00:00Z', 'notes'),
    ev('u1', 'e2', '2026-03-06T18:50:00Z', 'inbox'),
    ev('u1', 'e3', '2026-03-07T06:30:00Z', 'orders'),
    ev('u1', 'e4', '2026-03-07T07:10:00Z', 'other'),
  ],
};
const CAP_BACK = {
  timeout_seconds: 3600,
  over_timeout: 'cap',
  direction: 'backward',
  wow: 'outside7to7',
} as const;

function capBackRows(satWow: number): Expected[] {
  return [
    row('u1', '2026-03-06', '2026-03-07', {
      ehr_hours: 1,
      ...NO_CATEGORIES,
      inbox_hours: 1,
      wow_hours: 0,
      after_hours_hours: 1,
      unscheduled_day_hours: 1,
      ...NO_SCHEDULE,
      events: 2,
      active_days: 1,
    }),
    row('u1', '2026-03-07', '2026-03-08', {
      ehr_hours: min(100),
      ...NO_CATEGORIES,
      orders_hours: 1,
      other_hours: min(40),
      wow_hours: min(satWow),
      after_hours_hours: min(100),
      unscheduled_day_hours: min(100),
      ...NO_SCHEDULE,
      events: 2,
      active_days: 1,
    }),
  ];
}

const capBackCases: MetricCase[] = [
  {
    name: 'cap + backward, one-hour timeout (period day, split, outside7to7)',
    data: capBackData,
    req: req('2026-03-06', '2026-03-08', 'day', CAP_BACK),
    expect: capBackRows(90),
  },
  {
    name: 'cap + backward, one-hour timeout (period day, start, outside7to7)',
    data: capBackData,
    req: req('2026-03-06', '2026-03-08', 'day', { ...CAP_BACK, attribution: 'start' }),
    expect: capBackRows(60),
  },
];

// ---------------------------------------------------------------------------------------------

export const METRIC_CASES: MetricCase[] = [
  ...timeoutCases,
  ...eveningCases,
  ...sessionEdgeCases,
  ...midnightCases,
  ...rangeEdgeCases,
  ...dstLengthCases,
  ...dstBoundaryCases,
  ...weekendCases,
  ...derivedCases,
  explicitCase,
  teamworkCase,
  channelCase,
  ...tieCases,
  ...seqCases,
  weekCase,
  monthCase,
  ...capBackCases,
];
