/**
 * Reference implementation of the per-clinician metrics of `docs/metrics.md`.
 *
 * This is a TEST ORACLE, not the production engine: it is written to be read against the spec line
 * by line, row by row, with no cleverness and no concern for speed. Everything is integer
 * milliseconds until the very end, where durations become decimal hours (ms / 3_600_000).
 *
 * Vocabulary used below:
 * - an "instant" is UTC milliseconds since the epoch;
 * - a "wall" time is the local wall-clock reading of `options.timezone`, written as milliseconds
 *   since the epoch as if that reading were UTC (so `wall / DAY` floors to a local day number);
 * - a "day" is a local calendar date as an integer number of days since 1970-01-01;
 * - a "span" is a half-open instant interval [start, end); a "set" is a sorted list of disjoint
 *   non-empty spans.
 *
 * Choices where the spec is silent are listed at the top of `cases.ts`.
 */
import type {
  Category,
  ClinicianRow,
  EventRow,
  OrderRow,
  ScheduleRow,
} from '../model/canonical.ts';
import type { ClinicianMetricRow } from '../model/metricRow.ts';
import type { MetricOptions, MetricRequest, Period } from '../model/options.ts';

export interface Dataset {
  events: EventRow[];
  clinicians?: ClinicianRow[];
  schedule?: ScheduleRow[];
  orders?: OrderRow[];
}

const SECOND = 1_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Instants
// ---------------------------------------------------------------------------------------------

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2})(?::?(\d{2}))?)$/;

/** An ISO 8601 instant with `Z` or an offset, to UTC ms (fractions below 1 ms are truncated). */
export function parseInstant(text: string): number {
  const m = INSTANT.exec(text);
  if (!m) throw new Error(`not an ISO 8601 instant with an offset: ${text}`);
  const [, y, mo, d, h, mi, s, frac, sign, oh, om] = m;
  const ms = frac === undefined ? 0 : Number(frac.padEnd(3, '0').slice(0, 3));
  const wall = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s ?? 0),
    ms,
  );
  const offsetMinutes = sign === undefined ? 0 : Number(oh) * 60 + Number(om ?? 0);
  return wall - (sign === '-' ? -1 : 1) * offsetMinutes * MINUTE;
}

// ---------------------------------------------------------------------------------------------
// Time zones (Intl only)
// ---------------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The local wall-clock reading of instant `t` in `tz`, as "ms since the epoch as if UTC". */
function wallOf(tz: string, t: number): number {
  const whole = Math.floor(t / SECOND) * SECOND;
  const part: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(whole))) {
    if (p.type !== 'literal') part[p.type] = Number(p.value);
  }
  const wall = Date.UTC(
    part['year'] ?? NaN,
    (part['month'] ?? NaN) - 1,
    part['day'] ?? NaN,
    part['hour'] ?? NaN,
    part['minute'] ?? NaN,
    part['second'] ?? NaN,
  );
  if (Number.isNaN(wall)) throw new Error(`cannot read the wall clock of ${tz}`);
  return wall + (t - whole);
}

/** UTC offset of `tz` at instant `t`, in ms (local = UTC + offset). */
function offsetAt(tz: string, t: number): number {
  return wallOf(tz, t) - t;
}

const wallCache = new Map<string, number>();

/**
 * The instant at which the wall clock of `tz` reads `wall`.
 * - Ambiguous (the hour repeated when clocks go back): the earlier instant.
 * - Nonexistent (inside the hour skipped when clocks go forward): the first instant after the gap,
 *   i.e. the instant of the transition itself (02:30 on a US spring-forward day → 03:00 EDT).
 * Equivalently: the first instant whose wall-clock reading is ≥ `wall` (for the day boundaries
 * this makes local day D = exactly the instants whose local date is D).
 */
function instantOfWall(tz: string, wall: number): number {
  const key = `${tz}|${wall}`;
  const cached = wallCache.get(key);
  if (cached !== undefined) return cached;

  // Every offset in force within ±16 h of the wall reading (offsets lie within −12 h … +14 h).
  const offsets = new Set<number>();
  for (let k = -16; k <= 16; k++) offsets.add(offsetAt(tz, wall + k * HOUR));

  const valid = [...offsets].map((o) => wall - o).filter((t) => offsetAt(tz, t) === wall - t);
  let result: number;
  if (valid.length > 0) {
    result = Math.min(...valid);
  } else {
    // A gap: the wall clock jumps over `wall` once between lo and hi; find the jump.
    let lo = wall - Math.max(...offsets);
    let hi = wall - Math.min(...offsets);
    if (!(wallOf(tz, lo) < wall && wallOf(tz, hi) > wall)) {
      throw new Error(`cannot place local time ${new Date(wall).toISOString()} in ${tz}`);
    }
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (wallOf(tz, mid) >= wall) hi = mid;
      else lo = mid;
    }
    result = hi;
  }
  wallCache.set(key, result);
  return result;
}

/**
 * The UTC instant (ms) of a local wall-clock time `YYYY-MM-DDTHH:MM[:SS]` in `tz`
 * (ambiguous → earlier instant; nonexistent → the first instant after the gap).
 */
export function localToUtc(tz: string, local: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) throw new Error(`not a local date-time: ${local}`);
  const [, y, mo, d, h, mi, s] = m;
  return instantOfWall(
    tz,
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)),
  );
}

/** Local day number of instant `t`. */
function localDayOf(tz: string, t: number): number {
  return Math.floor(wallOf(tz, t) / DAY);
}

/** The instant at which local day `day` reaches `minutes` past local midnight. */
function atLocal(tz: string, day: number, minutes: number): number {
  return instantOfWall(tz, day * DAY + minutes * MINUTE);
}

/** The first instant of local day `day`. */
function dayStart(tz: string, day: number): number {
  return atLocal(tz, day, 0);
}

function dayOfDate(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`not a date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY;
}

function dateOfDay(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday (1970-01-01, day 0, was a Thursday). */
function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

// ---------------------------------------------------------------------------------------------
// Sets of instants
// ---------------------------------------------------------------------------------------------

type Span = readonly [number, number];

/** Union of spans as a set: empty spans dropped, sorted, overlapping/touching spans merged. */
function union(spans: readonly Span[]): Span[] {
  const sorted = spans.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Length of [s, e) ∩ set. */
function measureIn(s: number, e: number, set: readonly Span[]): number {
  let total = 0;
  for (const [a, b] of set) total += Math.max(0, Math.min(e, b) - Math.max(s, a));
  return total;
}

function contains(set: readonly Span[], t: number): boolean {
  return set.some(([a, b]) => a <= t && t < b);
}

// ---------------------------------------------------------------------------------------------
// §3 Credited intervals
// ---------------------------------------------------------------------------------------------

interface Ev {
  id: string;
  /** position in the source's own log, when it has one */
  seq: number | undefined;
  t: number;
  category: Category;
  patient: string | undefined;
}

interface Credit {
  /** the credited span [s, e) */
  s: number;
  e: number;
  /** time of the credited event */
  at: number;
  category: Category;
}

/**
 * §3's order: by time; at one instant by `seq` (the source log's order), events without one after
 * those with one; then by event id, compared by code unit.
 */
function compareEvents(a: Ev, b: Ev): number {
  if (a.t !== b.t) return a.t - b.t;
  if (a.seq !== b.seq) {
    if (a.seq === undefined) return 1;
    if (b.seq === undefined) return -1;
    return a.seq - b.seq;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function creditedIntervals(sorted: readonly Ev[], o: MetricOptions): Credit[] {
  const timeout = o.timeout_seconds * SECOND;
  const out: Credit[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const earlier = sorted[i] as Ev;
    const later = sorted[i + 1] as Ev;
    const gap = later.t - earlier.t;
    const credited = o.direction === 'forward' ? earlier : later;
    let s: number;
    let e: number;
    if (gap <= timeout) {
      s = earlier.t;
      e = later.t;
    } else if (o.over_timeout === 'drop') {
      continue;
    } else if (o.direction === 'forward') {
      s = earlier.t;
      e = earlier.t + timeout;
    } else {
      s = later.t - timeout;
      e = later.t;
    }
    out.push({ s, e, at: credited.t, category: credited.category });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// §4 Scheduled time
// ---------------------------------------------------------------------------------------------

interface Slot {
  kind: 'session' | 'appointment';
  s: number;
  e: number;
  status: string;
}

function sessionsOf(slots: readonly Slot[], o: MetricOptions): Span[] {
  const explicit = slots.filter((r) => r.kind === 'session');
  if (explicit.length > 0) return union(explicit.map((r) => [r.s, r.e] as const));

  const appts = slots
    .filter(
      (r) =>
        r.kind === 'appointment' && r.status !== 'cancelled' && r.status !== 'entered-in-error',
    )
    .sort((a, b) => a.s - b.s || a.e - b.e);
  const gap = o.session_merge_gap_minutes * MINUTE;
  const clusters: [number, number][] = [];
  for (const a of appts) {
    const cluster = clusters[clusters.length - 1];
    if (cluster !== undefined && a.s <= cluster[1] + gap) cluster[1] = Math.max(cluster[1], a.e);
    else clusters.push([a.s, a.e]);
  }
  return union(clusters);
}

function visitTimeOf(slots: readonly Slot[]): Span[] {
  return union(
    slots
      .filter(
        (r) =>
          r.kind === 'appointment' &&
          r.status !== 'cancelled' &&
          r.status !== 'entered-in-error' &&
          r.status !== 'noshow',
      )
      .map((r) => [r.s, r.e] as const),
  );
}

// ---------------------------------------------------------------------------------------------
// §5 Windows: the INSIDE-work set of each window, over local days d0 … d1 (outside = complement)
// ---------------------------------------------------------------------------------------------

function clockInside(
  tz: string,
  wow: 'outside7to7' | 'pajama' | 'after18to06',
  d0: number,
  d1: number,
): Span[] {
  const spans: Span[] = [];
  for (let d = d0; d <= d1; d++) {
    const weekday = weekdayOf(d) >= 1 && weekdayOf(d) <= 5;
    if (wow === 'outside7to7') spans.push([atLocal(tz, d, 7 * 60), atLocal(tz, d, 19 * 60)]);
    else if (wow === 'pajama' && weekday)
      spans.push([atLocal(tz, d, 7 * 60), atLocal(tz, d, 17 * 60 + 30)]);
    else if (wow === 'after18to06' && weekday)
      spans.push([atLocal(tz, d, 6 * 60), atLocal(tz, d, 18 * 60)]);
  }
  return union(spans);
}

function insideWork(
  tz: string,
  o: MetricOptions,
  sessions: Span[],
  d0: number,
  d1: number,
): Span[] {
  switch (o.wow) {
    case 'schedule':
      return sessions;
    case 'schedule30':
      return union(sessions.map(([s, e]) => [s - 30 * MINUTE, e + 30 * MINUTE] as const));
    default:
      return clockInside(tz, o.wow, d0, d1);
  }
}

/** Whole local days d0 … d1 that have no session time. */
function unscheduledDays(tz: string, sessions: Span[], d0: number, d1: number): Span[] {
  const spans: Span[] = [];
  for (let d = d0; d <= d1; d++) {
    const s = dayStart(tz, d);
    const e = dayStart(tz, d + 1);
    if (measureIn(s, e, sessions) === 0) spans.push([s, e]);
  }
  return union(spans);
}

// ---------------------------------------------------------------------------------------------
// §6 Periods and rows
// ---------------------------------------------------------------------------------------------

interface Piece {
  fromDay: number;
  toDay: number;
  s: number;
  e: number;
}

/** Cut local days [fromDay, toDay) into pieces: a new piece begins at every boundary day. */
function cutPieces(tz: string, fromDay: number, toDay: number, period: Period): Piece[] {
  const isBoundary = (d: number): boolean =>
    period === 'day' ||
    (period === 'week' && weekdayOf(d) === 1) ||
    (period === 'month' && dateOfDay(d).endsWith('-01'));
  const starts = [fromDay];
  for (let d = fromDay + 1; d < toDay; d++) if (period !== 'all' && isBoundary(d)) starts.push(d);
  return starts.map((a, i) => {
    const b = starts[i + 1] ?? toDay;
    return { fromDay: a, toDay: b, s: dayStart(tz, a), e: dayStart(tz, b) };
  });
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

const toHours = (ms: number): number => ms / HOUR;

interface UserData {
  events: Ev[];
  slots: Slot[];
  orders: { t: number; enteredBy: string | undefined }[];
}

function userRows(
  user: string,
  u: UserData,
  pieces: readonly Piece[],
  o: MetricOptions,
): ClinicianMetricRow[] {
  const tz = o.timezone;
  const events = [...u.events].sort(compareEvents);
  const credits = creditedIntervals(events, o);
  const sessions = sessionsOf(u.slots, o);
  const visits = visitTimeOf(u.slots);

  // Local days covering every credited span, with a day of margin on each side.
  let inside: Span[] = [];
  let pajamaInside: Span[] = [];
  let unscheduled: Span[] = [];
  if (credits.length > 0) {
    const d0 = localDayOf(tz, Math.min(...credits.map((c) => Math.min(c.s, c.at)))) - 1;
    const d1 = localDayOf(tz, Math.max(...credits.map((c) => Math.max(c.e, c.at)))) + 1;
    inside = insideWork(tz, o, sessions, d0, d1);
    pajamaInside = clockInside(tz, 'pajama', d0, d1);
    unscheduled = unscheduledDays(tz, sessions, d0, d1);
  }

  return pieces.map((p) => {
    const cat: Record<Category, number> = {
      notes: 0,
      orders: 0,
      prescriptions: 0,
      inbox: 0,
      chart_review: 0,
      other: 0,
    };
    let ehr = 0;
    let wow = 0;
    let after = 0;
    let unsched = 0;
    let visitEhr = 0;
    for (const c of credits) {
      if (o.attribution === 'split') {
        // the credited span ∩ period, then ∩ each set exactly
        const s = Math.max(c.s, p.s);
        const e = Math.min(c.e, p.e);
        if (e <= s) continue;
        const len = e - s;
        ehr += len;
        cat[c.category] += len;
        wow += len - measureIn(s, e, inside);
        after += len - measureIn(s, e, pajamaInside);
        unsched += measureIn(s, e, unscheduled);
        visitEhr += measureIn(s, e, visits);
      } else {
        // the whole span goes to every set holding the credited event's time
        if (!(p.s <= c.at && c.at < p.e)) continue;
        const len = c.e - c.s;
        ehr += len;
        cat[c.category] += len;
        if (!contains(inside, c.at)) wow += len;
        if (!contains(pajamaInside, c.at)) after += len;
        if (contains(unscheduled, c.at)) unsched += len;
        if (contains(visits, c.at)) visitEhr += len;
      }
    }

    const scheduled = measureIn(p.s, p.e, sessions);
    const visitTime = measureIn(p.s, p.e, visits);
    const appointments = u.slots.filter(
      (r) =>
        r.kind === 'appointment' &&
        r.status !== 'cancelled' &&
        r.status !== 'entered-in-error' &&
        p.s <= r.s &&
        r.s < p.e,
    ).length;
    const orders = u.orders.filter((r) => p.s <= r.t && r.t < p.e);
    const teamwork = orders.filter(
      (r) => r.enteredBy !== undefined && r.enteredBy !== '' && r.enteredBy !== user,
    );
    const inPeriod = events.filter((ev) => p.s <= ev.t && ev.t < p.e);
    const activeDays = new Set(inPeriod.map((ev) => localDayOf(tz, ev.t)));
    const patients = new Set(
      inPeriod.map((ev) => ev.patient).filter((x): x is string => x !== undefined && x !== ''),
    );

    return {
      user_id: user,
      period_start: dateOfDay(p.fromDay),
      period_end: dateOfDay(p.toDay),
      ehr_hours: toHours(ehr),
      notes_hours: toHours(cat.notes),
      orders_hours: toHours(cat.orders),
      prescriptions_hours: toHours(cat.prescriptions),
      inbox_hours: toHours(cat.inbox),
      chart_review_hours: toHours(cat.chart_review),
      other_hours: toHours(cat.other),
      scheduled_hours: toHours(scheduled),
      appointments,
      wow_hours: toHours(wow),
      after_hours_hours: toHours(after),
      unscheduled_day_hours: toHours(unsched),
      visit_ehr_hours: toHours(visitEhr),
      ehr_time8: ratio(ehr * 8, scheduled),
      wow8: ratio(wow * 8, scheduled),
      note_time8: ratio(cat.notes * 8, scheduled),
      pres_time8: ratio(cat.prescriptions * 8, scheduled),
      ib_time8: ratio(cat.inbox * 8, scheduled),
      teamwork_orders: ratio(teamwork.length, orders.length),
      undivided_attention: visitTime === 0 ? null : 1 - visitEhr / visitTime,
      ehr_minutes_per_appointment: ratio(ehr / MINUTE, appointments),
      events: inPeriod.length,
      active_days: activeDays.size,
      patients: patients.size,
    };
  });
}

/**
 * Per-clinician metrics of `docs/metrics.md` for every user active in [from, to),
 * one row per period piece, sorted by user_id (code-unit order), then period_start.
 */
export function referenceMetrics(data: Dataset, req: MetricRequest): ClinicianMetricRow[] {
  const o = req.options;
  const tz = o.timezone;
  const excluded = new Set<string>(o.exclude_channels);
  const fromDay = dayOfDate(req.from);
  const toDay = dayOfDate(req.to);
  const rangeS = dayStart(tz, fromDay);
  const rangeE = dayStart(tz, toDay);
  const pieces = cutPieces(tz, fromDay, toDay, req.period);

  const byUser = new Map<string, UserData>();
  const get = (user: string): UserData => {
    let u = byUser.get(user);
    if (u === undefined) {
      u = { events: [], slots: [], orders: [] };
      byUser.set(user, u);
    }
    return u;
  };
  const active = new Set<string>();
  const inRange = (t: number): boolean => rangeS <= t && t < rangeE;

  // §2 exclude_channels: removed before anything else (a missing channel is `desktop`).
  for (const e of data.events) {
    if (excluded.has(e.channel ?? 'desktop')) continue;
    const t = parseInstant(e.occurred_at);
    get(e.user_id).events.push({
      id: e.event_id,
      seq: e.seq,
      t,
      category: e.category ?? 'other',
      patient: e.patient_id,
    });
    if (inRange(t)) active.add(e.user_id);
  }
  for (const r of data.schedule ?? []) {
    const s = parseInstant(r.start);
    const e = parseInstant(r.end);
    get(r.user_id).slots.push({ kind: r.kind, s, e, status: r.status ?? 'booked' });
    if ((s < rangeE && e > rangeS) || inRange(s)) active.add(r.user_id);
  }
  for (const r of data.orders ?? []) {
    const t = parseInstant(r.signed_at);
    get(r.user_id).orders.push({ t, enteredBy: r.entered_by });
    if (inRange(t)) active.add(r.user_id);
  }

  const rows: ClinicianMetricRow[] = [];
  for (const user of [...active].sort()) {
    rows.push(
      ...userRows(user, byUser.get(user) ?? { events: [], slots: [], orders: [] }, pieces, o),
    );
  }
  return rows; // users in code-unit order, pieces in time order
}
