import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  APPOINTMENT_STATUSES,
  CATEGORIES,
  CHANNELS,
  type Category,
  type EventRow,
  type OrderRow,
  type ScheduleRow,
} from '../model/canonical.ts';
import type { ClinicianMetricRow } from '../model/metricRow.ts';
import { DEFAULT_OPTIONS, WOW_WINDOWS, type MetricOptions, type Period } from '../model/options.ts';
import { METRIC_CASES } from './cases.ts';
import { type Dataset, localToUtc, referenceMetrics } from './reference.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Equal to 1e-9 (relative above 1, absolute below); null only equals null. */
function close(actual: unknown, expected: unknown): boolean {
  if (expected === null || actual === null) return actual === expected;
  if (typeof expected === 'number' && typeof actual === 'number') {
    return Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
  }
  return actual === expected;
}

const key = (r: { user_id: string; period_start: string }): string =>
  `${r.user_id} @ ${r.period_start}`;

const HOUR_FIELDS = [
  'ehr_hours',
  'notes_hours',
  'orders_hours',
  'prescriptions_hours',
  'inbox_hours',
  'chart_review_hours',
  'other_hours',
  'wow_hours',
  'after_hours_hours',
  'unscheduled_day_hours',
  'visit_ehr_hours',
] as const;
const CATEGORY_FIELDS = [
  'notes_hours',
  'orders_hours',
  'prescriptions_hours',
  'inbox_hours',
  'chart_review_hours',
  'other_hours',
] as const;
const ADDITIVE_FIELDS = [...HOUR_FIELDS, 'scheduled_hours', 'appointments', 'events'] as const;

// -----------------------------------------------------------------------------------------------
// The hand-computed cases
// -----------------------------------------------------------------------------------------------

describe('referenceMetrics: hand-computed cases', () => {
  it('has unique case names', () => {
    const names = METRIC_CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  for (const c of METRIC_CASES) {
    it(c.name, () => {
      const rows = referenceMetrics(c.data, c.req);
      expect(rows.map(key)).toEqual(c.expect.map(key));
      const problems: string[] = [];
      for (const want of c.expect) {
        const got = rows.find((r) => key(r) === key(want));
        if (got === undefined) continue;
        for (const [field, value] of Object.entries(want)) {
          const actual = got[field as keyof ClinicianMetricRow];
          if (!close(actual, value))
            problems.push(
              `${key(want)} ${field}: got ${String(actual)}, expected ${String(value)}`,
            );
        }
      }
      expect(problems).toEqual([]);
    });
  }
});

// -----------------------------------------------------------------------------------------------
// Local time conversion
// -----------------------------------------------------------------------------------------------

describe('localToUtc', () => {
  const iso = (tz: string, local: string): string => new Date(localToUtc(tz, local)).toISOString();
  it('handles the America/New_York DST days', () => {
    expect(iso('America/New_York', '2026-03-08T00:00')).toBe('2026-03-08T05:00:00.000Z');
    expect(iso('America/New_York', '2026-03-08T02:30')).toBe('2026-03-08T07:00:00.000Z'); // nonexistent → after the gap
    expect(iso('America/New_York', '2026-03-08T07:00')).toBe('2026-03-08T11:00:00.000Z');
    expect(iso('America/New_York', '2026-03-09T00:00')).toBe('2026-03-09T04:00:00.000Z');
    expect(iso('America/New_York', '2026-11-01T00:00')).toBe('2026-11-01T04:00:00.000Z');
    expect(iso('America/New_York', '2026-11-01T01:30')).toBe('2026-11-01T05:30:00.000Z'); // ambiguous → earlier
    expect(iso('America/New_York', '2026-11-01T17:30')).toBe('2026-11-01T22:30:00.000Z');
    expect(iso('America/New_York', '2026-11-02T00:00')).toBe('2026-11-02T05:00:00.000Z');
  });
  it('handles zones whose clocks change at midnight or by 30 minutes', () => {
    // Santiago: 2026-09-06 00:00 does not exist (→ 01:00 −03); 2026-04-04 is a 25-hour day.
    expect(iso('America/Santiago', '2026-09-06T00:00')).toBe('2026-09-06T04:00:00.000Z');
    expect(iso('America/Santiago', '2026-04-04T00:00')).toBe('2026-04-04T03:00:00.000Z');
    expect(iso('America/Santiago', '2026-04-05T00:00')).toBe('2026-04-05T04:00:00.000Z');
    // Lord Howe: +10:30 → +11 at 02:00 on 2026-10-04.
    expect(iso('Australia/Lord_Howe', '2026-10-04T02:15')).toBe('2026-10-03T15:30:00.000Z');
    expect(iso('Asia/Kathmandu', '2026-03-02T07:00')).toBe('2026-03-02T01:15:00.000Z');
  });
});

// -----------------------------------------------------------------------------------------------
// Random scenarios
// -----------------------------------------------------------------------------------------------

const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/Berlin',
  'America/Santiago',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
] as const;
/** Range starts close to DST changes of the zones above, to a month end, and to nothing special. */
const STARTS = [
  '2026-03-06',
  '2026-10-30',
  '2026-03-27',
  '2026-10-23',
  '2026-04-03',
  '2026-09-04',
  '2026-10-02',
  '2026-01-29',
];
const RANGE_DAYS = 4;
const USERS = ['u1', 'u2', 'u3'] as const;

interface Scenario {
  data: Dataset;
  from: string;
  to: string;
  options: MetricOptions;
}

const addDays = (date: string, n: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    tz: fc.constantFrom(...ZONES),
    start: fc.constantFrom(...STARTS),
    firstMinute: fc.integer({ min: 0, max: 3 * 1440 }),
    events: fc.array(
      fc.record({
        gap: fc.oneof(
          { weight: 6, arbitrary: fc.integer({ min: 0, max: 4 }) },
          { weight: 2, arbitrary: fc.integer({ min: 0, max: 90 }) },
          { weight: 1, arbitrary: fc.integer({ min: 0, max: 900 }) },
        ),
        user: fc.constantFrom('u1', 'u1', 'u1', 'u2', 'u3'),
        category: fc.constantFrom(...CATEGORIES),
        channel: fc.option(fc.constantFrom(...CHANNELS), { nil: undefined }),
        patient: fc.option(fc.constantFrom('p1', 'p2', 'p3', ''), { nil: undefined }),
      }),
      { minLength: 8, maxLength: 60 },
    ),
    schedule: fc.array(
      fc.record({
        user: fc.constantFrom(...USERS),
        kind: fc.constantFrom('session', 'appointment', 'appointment'),
        near: fc.nat(), // the index of an event the row starts close to
        minute: fc.integer({ min: -90, max: 30 }), // relative to that event
        length: fc.integer({ min: 0, max: 240 }),
        status: fc.option(fc.constantFrom(...APPOINTMENT_STATUSES), { nil: undefined }),
      }),
      { maxLength: 8 },
    ),
    orders: fc.array(
      fc.record({
        user: fc.constantFrom(...USERS),
        near: fc.nat(),
        minute: fc.integer({ min: -1440, max: 1440 }),
        enteredBy: fc.option(fc.constantFrom('', 'u1', 'u2', 'nurse'), { nil: undefined }),
      }),
      { maxLength: 5 },
    ),
    timeout: fc.constantFrom(60, 180, 300, 900, 3600),
    over: fc.constantFrom('drop', 'cap'),
    direction: fc.constantFrom('forward', 'backward'),
    attribution: fc.constantFrom('split', 'start'),
    wow: fc.constantFrom(...WOW_WINDOWS),
    merge: fc.constantFrom(0, 30, 60),
    exclude: fc.subarray([...CHANNELS], { maxLength: 2 }),
  })
  .map((g): Scenario => {
    // minute 0 = 00:00 UTC the day before the range's first date
    const anchor = Date.parse(`${g.start}T00:00:00Z`) - DAY;
    const at = (minute: number): string => new Date(anchor + minute * MINUTE).toISOString();
    let minute = g.firstMinute;
    const minutes = g.events.map((e) => (minute += e.gap));
    const near = (i: number): number => minutes[i % minutes.length] ?? g.firstMinute;
    const events: EventRow[] = g.events.map((e, i) => {
      const minute = near(i);
      return {
        event_id: `e${String(i).padStart(3, '0')}`,
        occurred_at: at(minute),
        user_id: e.user,
        action: 'x',
        category: e.category,
        ...(e.channel === undefined ? {} : { channel: e.channel }),
        ...(e.patient === undefined ? {} : { patient_id: e.patient }),
      };
    });
    const schedule: ScheduleRow[] = g.schedule.map((s) => ({
      user_id: s.user,
      kind: s.kind,
      start: at(near(s.near) + s.minute),
      end: at(near(s.near) + s.minute + s.length),
      ...(s.status === undefined ? {} : { status: s.status }),
    }));
    const orders: OrderRow[] = g.orders.map((o, i) => ({
      order_id: `o${i}`,
      user_id: o.user,
      signed_at: at(near(o.near) + o.minute),
      ...(o.enteredBy === undefined ? {} : { entered_by: o.enteredBy }),
    }));
    return {
      data: { events, schedule, orders },
      from: g.start,
      to: addDays(g.start, RANGE_DAYS),
      options: {
        ...DEFAULT_OPTIONS,
        timezone: g.tz,
        timeout_seconds: g.timeout,
        over_timeout: g.over,
        direction: g.direction,
        attribution: g.attribution,
        wow: g.wow,
        session_merge_gap_minutes: g.merge,
        exclude_channels: g.exclude,
      },
    };
  });

const run = (
  s: Scenario,
  period: Period,
  options: Partial<MetricOptions> = {},
): ClinicianMetricRow[] =>
  referenceMetrics(s.data, {
    from: s.from,
    to: s.to,
    period,
    options: { ...s.options, ...options },
  });

function sameRows(a: ClinicianMetricRow[], b: ClinicianMetricRow[]): boolean {
  return (
    a.length === b.length &&
    a.every((r, i) => {
      const other = b[i];
      return (
        other !== undefined &&
        Object.entries(r).every(([f, v]) => close(v, other[f as keyof ClinicianMetricRow]))
      );
    })
  );
}

const RUNS = { numRuns: 150 };

describe('referenceMetrics: properties', () => {
  it('the six categories add up to ehr_hours, and every subset is at most ehr_hours', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.constantFrom<Period>('all', 'day', 'week', 'month'),
        (s, period) => {
          for (const r of run(s, period)) {
            const sum = CATEGORY_FIELDS.reduce((acc, f) => acc + r[f], 0);
            if (!close(sum, r.ehr_hours)) return false;
            for (const f of [
              'wow_hours',
              'after_hours_hours',
              'unscheduled_day_hours',
              'visit_ehr_hours',
            ] as const) {
              if (r[f] > r.ehr_hours + 1e-9 || r[f] < 0) return false;
            }
          }
          return true;
        },
      ),
      RUNS,
    );
  });

  it('rows are sorted by user_id, then period_start', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const keys = run(s, 'day').map((r) => [r.user_id, r.period_start] as const);
        return keys.every(([u, p], i) => {
          const prev = keys[i - 1];
          return prev === undefined || prev[0] < u || (prev[0] === u && prev[1] < p);
        });
      }),
      RUNS,
    );
  });

  it('day, week and month pieces add up to the whole range', () => {
    fc.assert(
      fc.property(scenarioArb, fc.constantFrom<Period>('day', 'week', 'month'), (s, period) => {
        const whole = run(s, 'all');
        const pieces = run(s, period);
        for (const w of whole) {
          const mine = pieces.filter((r) => r.user_id === w.user_id);
          if (mine[0]?.period_start !== s.from || mine[mine.length - 1]?.period_end !== s.to)
            return false;
          for (const f of ADDITIVE_FIELDS) {
            if (
              !close(
                mine.reduce((acc, r) => acc + r[f], 0),
                w[f],
              )
            )
              return false;
          }
        }
        return new Set(pieces.map((r) => r.user_id)).size === whole.length;
      }),
      RUNS,
    );
  });

  it('with drop and split, forward and backward give the same ehr_hours', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const fwd = run(s, 'day', {
          over_timeout: 'drop',
          attribution: 'split',
          direction: 'forward',
        });
        const bwd = run(s, 'day', {
          over_timeout: 'drop',
          attribution: 'split',
          direction: 'backward',
        });
        return (
          fwd.length === bwd.length && fwd.every((r, i) => close(r.ehr_hours, bwd[i]?.ehr_hours))
        );
      }),
      RUNS,
    );
  });

  it('with a timeout longer than every gap, cap and drop agree', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const long = 30 * 86_400; // every generated gap is shorter than 30 days
        return sameRows(
          run(s, 'day', { timeout_seconds: long, over_timeout: 'cap' }),
          run(s, 'day', { timeout_seconds: long, over_timeout: 'drop' }),
        );
      }),
      RUNS,
    );
  });

  it('wow = pajama gives wow_hours = after_hours_hours', () => {
    fc.assert(
      fc.property(scenarioArb, (s) =>
        run(s, 'week', { wow: 'pajama' }).every((r) => close(r.wow_hours, r.after_hours_hours)),
      ),
      RUNS,
    );
  });

  it('agrees with a minute-by-minute brute force (period day)', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const got = run(s, 'day');
        const want = bruteForce(s);
        const problems: string[] = [];
        if (got.map(key).join() !== want.map(key).join())
          problems.push(`rows ${got.map(key).join()} ≠ ${want.map(key).join()}`);
        for (const w of want) {
          const g = got.find((r) => key(r) === key(w));
          for (const [f, v] of Object.entries(w)) {
            const actual = g?.[f as keyof ClinicianMetricRow];
            if (!close(actual, v))
              problems.push(`${key(w)} ${f}: ${String(actual)} ≠ brute ${String(v)}`);
          }
        }
        if (problems.length > 0) throw new Error(problems.slice(0, 8).join('\n'));
      }),
      { numRuns: 200 },
    );
  });
});

// -----------------------------------------------------------------------------------------------
// Brute force: every generated instant, timeout and window boundary lies on a whole UTC minute,
// so each minute [m, m + 1 min) is wholly inside or outside every set. Walk the minutes, decide
// which event (if any) credits each one, and classify it by reading the local wall clock with
// Intl directly (no use of the reference's conversion helpers).
// -----------------------------------------------------------------------------------------------

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const clockCache = new Map<string, { date: string; weekday: number; minuteOfDay: number }>();

function clock(tz: string, t: number): { date: string; weekday: number; minuteOfDay: number } {
  const k = `${tz}|${t}`;
  const hit = clockCache.get(k);
  if (hit !== undefined) return hit;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(t));
  const p = (type: string): string => parts.find((x) => x.type === type)?.value ?? '';
  const value = {
    date: `${p('year')}-${p('month')}-${p('day')}`,
    weekday: WEEKDAYS.indexOf(p('weekday')),
    minuteOfDay: Number(p('hour')) * 60 + Number(p('minute')),
  };
  clockCache.set(k, value);
  return value;
}

function bruteForce(
  s: Scenario,
): Partial<ClinicianMetricRow>[] & { user_id: string; period_start: string }[] {
  const o = s.options;
  const tz = o.timezone;
  const dates: string[] = [];
  for (let d = s.from; d < s.to; d = addDays(d, 1)) dates.push(d);
  const inRange = (t: number): boolean => {
    const d = clock(tz, t).date;
    return s.from <= d && d < s.to;
  };
  const ms = (x: string): number => Date.parse(x);
  const events = s.data.events.filter((e) => !o.exclude_channels.includes(e.channel ?? 'desktop'));
  const schedule = s.data.schedule ?? [];
  const orders = s.data.orders ?? [];

  const users = new Set<string>();
  for (const e of events) if (inRange(ms(e.occurred_at))) users.add(e.user_id);
  for (const r of schedule) {
    // overlaps [from, to): some minute of the row is in range, or a zero-length row starts in it
    for (let t = ms(r.start); t < Math.max(ms(r.end), ms(r.start) + 1); t += MINUTE)
      if (inRange(t)) users.add(r.user_id);
  }
  for (const r of orders) if (inRange(ms(r.signed_at))) users.add(r.user_id);

  const out: ReturnType<typeof bruteForce> = [];
  for (const user of [...users].sort()) {
    const evs = events
      .filter((e) => e.user_id === user)
      .map((e) => ({
        id: e.event_id,
        t: ms(e.occurred_at),
        c: (e.category ?? 'other') as Category,
        p: e.patient_id,
      }))
      .sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : 1));
    const mine = schedule.filter((r) => r.user_id === user);
    const explicit = mine.filter((r) => r.kind === 'session');
    const appts = mine.filter((r) => r.kind === 'appointment');
    const live = appts.filter((r) => r.status !== 'cancelled' && r.status !== 'entered-in-error');
    let sessions: Array<[number, number]>;
    if (explicit.length > 0) {
      sessions = explicit.map((r) => [ms(r.start), ms(r.end)]);
    } else {
      sessions = [];
      for (const a of [...live].sort((x, y) => ms(x.start) - ms(y.start))) {
        const last = sessions[sessions.length - 1];
        if (last !== undefined && ms(a.start) <= last[1] + o.session_merge_gap_minutes * MINUTE)
          last[1] = Math.max(last[1], ms(a.end));
        else sessions.push([ms(a.start), ms(a.end)]);
      }
    }
    const visits = live
      .filter((r) => r.status !== 'noshow')
      .map((r) => [ms(r.start), ms(r.end)] as const);
    const within = (spans: ReadonlyArray<readonly [number, number]>, t: number, pad = 0): boolean =>
      spans.some(([a, b]) => b > a && a - pad <= t && t < b + pad);

    // session minutes per local date
    const sessionMinutes = new Map<string, number>();
    const sessionMinuteSet = new Set<number>();
    for (const [a, b] of sessions) for (let t = a; t < b; t += MINUTE) sessionMinuteSet.add(t);
    for (const t of sessionMinuteSet) {
      const d = clock(tz, t).date;
      sessionMinutes.set(d, (sessionMinutes.get(d) ?? 0) + 1);
    }
    const visitMinutes = new Map<string, number>();
    const visitMinuteSet = new Set<number>();
    for (const [a, b] of visits) for (let t = a; t < b; t += MINUTE) visitMinuteSet.add(t);
    for (const t of visitMinuteSet) {
      const d = clock(tz, t).date;
      visitMinutes.set(d, (visitMinutes.get(d) ?? 0) + 1);
    }

    const inside = (t: number): boolean => {
      const c = clock(tz, t);
      const weekday = c.weekday >= 1 && c.weekday <= 5;
      switch (o.wow) {
        case 'schedule':
          return within(sessions, t);
        case 'schedule30':
          return within(sessions, t, 30 * MINUTE);
        case 'outside7to7':
          return c.minuteOfDay >= 420 && c.minuteOfDay < 1140;
        case 'pajama':
          return weekday && c.minuteOfDay >= 420 && c.minuteOfDay < 1050;
        case 'after18to06':
          return weekday && c.minuteOfDay >= 360 && c.minuteOfDay < 1080;
      }
    };
    const pajamaInside = (t: number): boolean => {
      const c = clock(tz, t);
      return c.weekday >= 1 && c.weekday <= 5 && c.minuteOfDay >= 420 && c.minuteOfDay < 1050;
    };

    const acc = new Map<string, Record<string, number>>();
    for (const d of dates) {
      acc.set(d, {
        ehr_hours: 0,
        notes_hours: 0,
        orders_hours: 0,
        prescriptions_hours: 0,
        inbox_hours: 0,
        chart_review_hours: 0,
        other_hours: 0,
        wow_hours: 0,
        after_hours_hours: 0,
        unscheduled_day_hours: 0,
        visit_ehr_hours: 0,
      });
    }

    // Which event credits minute m? Let e(i) be the last event (in sort order) at or before m and
    // e(i+1) the next one. forward: e(i), if the gap fits or (cap) m < t(i) + timeout.
    // backward: e(i+1), if the gap fits or (cap) m ≥ t(i+1) − timeout.
    const timeout = o.timeout_seconds * 1000;
    const first = evs[0];
    const last = evs[evs.length - 1];
    if (first !== undefined && last !== undefined) {
      let i = 0;
      for (let m = first.t; m < last.t; m += MINUTE) {
        while ((evs[i + 1]?.t ?? Infinity) <= m) i++;
        const a = evs[i];
        const b = evs[i + 1];
        if (a === undefined || b === undefined) continue;
        const fits = b.t - a.t <= timeout;
        let credited: typeof a | undefined;
        if (o.direction === 'forward')
          credited = fits || (o.over_timeout === 'cap' && m < a.t + timeout) ? a : undefined;
        else credited = fits || (o.over_timeout === 'cap' && m >= b.t - timeout) ? b : undefined;
        if (credited === undefined) continue;
        const where = o.attribution === 'split' ? m : credited.t; // the instant that picks the sets
        const bucket = acc.get(clock(tz, where).date);
        if (bucket === undefined) continue;
        const h = 1 / 60;
        bucket['ehr_hours'] = (bucket['ehr_hours'] ?? 0) + h;
        bucket[`${credited.c}_hours`] = (bucket[`${credited.c}_hours`] ?? 0) + h;
        if (!inside(where)) bucket['wow_hours'] = (bucket['wow_hours'] ?? 0) + h;
        if (!pajamaInside(where))
          bucket['after_hours_hours'] = (bucket['after_hours_hours'] ?? 0) + h;
        if (!sessionMinutes.has(clock(tz, where).date))
          bucket['unscheduled_day_hours'] = (bucket['unscheduled_day_hours'] ?? 0) + h;
        if (within(visits, where)) bucket['visit_ehr_hours'] = (bucket['visit_ehr_hours'] ?? 0) + h;
      }
    }

    for (const d of dates) {
      const scheduled = (sessionMinutes.get(d) ?? 0) / 60;
      const dayEvents = evs.filter((e) => clock(tz, e.t).date === d);
      const myOrders = orders.filter(
        (r) => r.user_id === user && clock(tz, ms(r.signed_at)).date === d,
      );
      const team = myOrders.filter(
        (r) => (r.entered_by ?? '') !== '' && r.entered_by !== user,
      ).length;
      const apptCount = live.filter((r) => clock(tz, ms(r.start)).date === d).length;
      const visitHours = (visitMinutes.get(d) ?? 0) / 60;
      const b = acc.get(d) ?? {};
      const ehr = b['ehr_hours'] ?? 0;
      out.push({
        user_id: user,
        period_start: d,
        period_end: addDays(d, 1),
        ...b,
        scheduled_hours: scheduled,
        appointments: apptCount,
        ehr_time8: scheduled === 0 ? null : (ehr * 8) / scheduled,
        wow8: scheduled === 0 ? null : ((b['wow_hours'] ?? 0) * 8) / scheduled,
        note_time8: scheduled === 0 ? null : ((b['notes_hours'] ?? 0) * 8) / scheduled,
        teamwork_orders: myOrders.length === 0 ? null : team / myOrders.length,
        undivided_attention: visitHours === 0 ? null : 1 - (b['visit_ehr_hours'] ?? 0) / visitHours,
        ehr_minutes_per_appointment: apptCount === 0 ? null : (ehr * 60) / apptCount,
        events: dayEvents.length,
        active_days: dayEvents.length > 0 ? 1 : 0,
        patients: new Set(dayEvents.map((e) => e.p).filter((p) => p !== undefined && p !== ''))
          .size,
      });
    }
  }
  return out;
}
