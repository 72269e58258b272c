/**
 * Any date range (issue 10, item 1): a range reaching far past the data — 1900 to 2100, or the
 * whole of years 0001–9999 — gives, on every engine, exactly the rows of the same data over its
 * own range (spec §6: a user with any data in the range gets a row for every period piece).
 *
 * The fixture's numbers are worked out by hand (America/New_York, 2026-03-03 is a Tuesday in
 * EST = UTC−5; defaults of §2: timeout 300 s, drop, forward, split, wow = schedule).
 *
 * u1, 2026-03-03 local: events 09:00 notes (p1), 09:02 inbox (p1), 09:05 orders (p2), 09:20 notes,
 *   21:00 chart_review, 21:04 chart_review. Credited: 09:00–09:02 notes 2 min, 09:02–09:05 inbox
 *   3 min, 09:05→09:20 is 15 min > 5 min (dropped), 09:20→21:00 dropped, 21:00–21:04 chart_review
 *   4 min; the last event credits nothing. ehr = 9 min.
 *   Session 08:00–12:00 → scheduled 4 h; appointment 09:00–09:30 fulfilled → 1 appointment, visit
 *   0.5 h, of which 09:00–09:05 = 5 min is EHR time. Order signed 09:05 entered by ma1.
 *   wow (schedule) = the 4 min at 21:00; after hours (pajama, a Tuesday after 17:30) = 4 min.
 * u2: one order on 2026-03-04 10:00 local, no entered_by: a row of zeros and nulls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import { clinicianMetrics, groupMetrics, parseRequest } from './computeMetrics.ts';
import { loadDataset } from '../testing/loadDataset.ts';
import type { Dataset } from '../testing/reference.ts';
import { DEFAULT_OPTIONS, type Period } from '../model/options.ts';
import type { ClinicianMetricRow } from '../model/metricRow.ts';

const data: Dataset = {
  events: [
    ['e1', '2026-03-03T09:00:00-05:00', 'notes', 'p1'],
    ['e2', '2026-03-03T09:02:00-05:00', 'inbox', 'p1'],
    ['e3', '2026-03-03T09:05:00-05:00', 'orders', 'p2'],
    ['e4', '2026-03-03T09:20:00-05:00', 'notes', undefined],
    ['e5', '2026-03-03T21:00:00-05:00', 'chart_review', undefined],
    ['e6', '2026-03-03T21:04:00-05:00', 'chart_review', undefined],
  ].map(([event_id, occurred_at, category, patient_id]) => ({
    event_id: event_id as string,
    occurred_at: occurred_at as string,
    user_id: 'u1',
    action: `act_${category}`,
    category: category as 'notes',
    ...(patient_id ? { patient_id } : {}),
  })),
  schedule: [
    {
      user_id: 'u1',
      kind: 'session',
      start: '2026-03-03T08:00:00-05:00',
      end: '2026-03-03T12:00:00-05:00',
    },
    {
      user_id: 'u1',
      kind: 'appointment',
      start: '2026-03-03T09:00:00-05:00',
      end: '2026-03-03T09:30:00-05:00',
      status: 'fulfilled',
    },
  ],
  orders: [
    { order_id: 'o1', user_id: 'u1', signed_at: '2026-03-03T09:05:00-05:00', entered_by: 'ma1' },
    { order_id: 'o2', user_id: 'u2', signed_at: '2026-03-04T10:00:00-05:00' },
  ],
};

const min = (m: number) => m / 60;

/** Every field of both users' rows over a range that holds all the data (hand-computed). */
const EXPECTED: Record<string, Partial<ClinicianMetricRow>> = {
  u1: {
    ehr_hours: min(9),
    notes_hours: min(2),
    orders_hours: 0,
    prescriptions_hours: 0,
    inbox_hours: min(3),
    chart_review_hours: min(4),
    other_hours: 0,
    scheduled_hours: 4,
    appointments: 1,
    wow_hours: min(4),
    after_hours_hours: min(4),
    unscheduled_day_hours: 0,
    visit_ehr_hours: min(5),
    ehr_time8: (min(9) * 8) / 4, // 0.3
    wow8: (min(4) * 8) / 4,
    note_time8: (min(2) * 8) / 4,
    pres_time8: 0,
    ib_time8: (min(3) * 8) / 4,
    teamwork_orders: 1,
    undivided_attention: 1 - min(5) / 0.5, // 5/6
    ehr_minutes_per_appointment: 9,
    events: 6,
    active_days: 1,
    patients: 2,
  },
  u2: {
    ehr_hours: 0,
    scheduled_hours: 0,
    appointments: 0,
    wow_hours: 0,
    visit_ehr_hours: 0,
    ehr_time8: null,
    wow8: null,
    teamwork_orders: 0,
    undivided_attention: null,
    ehr_minutes_per_appointment: null,
    events: 0,
    active_days: 0,
    patients: 0,
  },
};

function request(from: string, to: string, period: Period = 'all', timezone = 'America/New_York') {
  return parseRequest({ from, to, period, options: { ...DEFAULT_OPTIONS, timezone } });
}

function expectRow(row: ClinicianMetricRow | undefined, exp: Partial<ClinicianMetricRow>): void {
  expect(row).toBeDefined();
  const r = row as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(exp)) {
    if (typeof v === 'number') {
      expect(typeof r[k], k).toBe('number');
      expect(Math.abs((r[k] as number) - v), `${k}: ${String(r[k])} vs ${v}`).toBeLessThan(1e-9);
    } else expect(r[k], k).toEqual(v);
  }
}

/** The metric fields of a row, without its period bounds. */
function values(r: ClinicianMetricRow): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(r).filter(([k]) => k !== 'period_start' && k !== 'period_end'),
  );
}

for (const engine of engines()) {
  describe(`metrics over any date range (${engine.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
      await loadDataset(store, data);
    });
    afterAll(async () => {
      await store.close();
    });

    it('the data over its own range gives the hand-computed rows', async () => {
      const rows = await clinicianMetrics(store, request('2026-03-02', '2026-03-05'));
      expect(rows.map((r) => `${r.user_id} ${r.period_start} ${r.period_end}`)).toEqual([
        'u1 2026-03-02 2026-03-05',
        'u2 2026-03-02 2026-03-05',
      ]);
      expectRow(rows[0], EXPECTED['u1'] ?? {});
      expectRow(rows[1], EXPECTED['u2'] ?? {});
    });

    for (const [from, to] of [
      ['1900-01-01', '2100-01-01'],
      ['2000-01-01', '2100-01-01'],
      ['1850-06-01', '2026-03-04'], // u2's order is on 03-04: outside, but u2 has none else
      ['0001-01-01', '9999-12-31'],
    ] as const) {
      it(`${from} to ${to} (period all) gives the same rows as the data's own range`, async () => {
        const rows = await clinicianMetrics(store, request(from, to));
        const own = await clinicianMetrics(
          store,
          request('2026-03-02', to < '2026-03-05' ? to : '2026-03-05'),
        );
        expect(rows.map((r) => `${r.user_id} ${r.period_start} ${r.period_end}`)).toEqual(
          own.map((r) => `${r.user_id} ${from} ${to}`),
        );
        expect(rows.map(values)).toEqual(own.map(values));
        expectRow(rows[0], EXPECTED['u1'] ?? {});
      });
    }

    it('1900 to 2100 by month: a row per month for each user, March 2026 as computed by hand', async () => {
      const rows = await clinicianMetrics(store, request('1900-01-01', '2100-01-01', 'month'));
      expect(rows.length).toBe(2 * 200 * 12);
      const u1 = rows.filter((r) => r.user_id === 'u1');
      expect(u1[0]?.period_start).toBe('1900-01-01');
      expect(u1[0]?.period_end).toBe('1900-02-01');
      expect(u1.at(-1)?.period_start).toBe('2099-12-01');
      expect(u1.at(-1)?.period_end).toBe('2100-01-01');
      const march = u1.find((r) => r.period_start === '2026-03-01');
      expect(march?.period_end).toBe('2026-04-01');
      expectRow(march, EXPECTED['u1'] ?? {});
      // every other month is empty: zeros, and null ratios
      const others = u1.filter((r) => r.period_start !== '2026-03-01');
      expect(others.every((r) => r.ehr_hours === 0 && r.events === 0 && r.ehr_time8 === null)).toBe(
        true,
      );
      const u2march = rows.find((r) => r.user_id === 'u2' && r.period_start === '2026-03-01');
      expectRow(u2march, EXPECTED['u2'] ?? {});
    });

    it('1949 to 2100 by week: ISO weeks, the first and last cut at the range', async () => {
      const rows = await clinicianMetrics(store, request('1949-12-29', '2100-01-01', 'week'));
      const u1 = rows.filter((r) => r.user_id === 'u1');
      // 1949-12-29 is a Thursday: a first "week" of Thursday–Sunday; 2100-01-01 is a Friday.
      expect(u1[0]?.period_start).toBe('1949-12-29');
      expect(u1[0]?.period_end).toBe('1950-01-02');
      expect(u1.at(-1)?.period_start).toBe('2099-12-28');
      expect(u1.at(-1)?.period_end).toBe('2100-01-01');
      // 1950-01-02 (a Monday) to 2100-01-01: 150 × 365 + 37 leap days − 1 = 54 786 days, that is
      // 7 826 whole weeks and a Monday–Thursday piece; plus the first piece.
      expect(u1.length).toBe(1 + 7826 + 1);
      expect(rows.length).toBe(2 * u1.length);
      const week = u1.find((r) => r.period_start === '2026-03-02');
      expect(week?.period_end).toBe('2026-03-09');
      expectRow(week, EXPECTED['u1'] ?? {});
    });

    it('group rows over 1900–2100 equal those over the data', async () => {
      const wide = await groupMetrics(store, request('1900-01-01', '2100-01-01'), 'org', 1);
      const own = await groupMetrics(store, request('2026-03-02', '2026-03-05'), 'org', 1);
      const strip = (r: (typeof wide)[number]) => ({ ...r, period_start: '', period_end: '' });
      expect(wide.map(strip)).toEqual(own.map(strip));
      expect(wide[0]?.clinicians).toBe(2);
    });

    it('ranges whose local midnights fall before year 1 in UTC work too (Asia/Tokyo, year 0001)', async () => {
      const rows = await clinicianMetrics(
        store,
        request('0001-01-01', '9999-12-31', 'all', 'Asia/Tokyo'),
      );
      const own = await clinicianMetrics(
        store,
        request('2026-03-01', '2026-03-06', 'all', 'Asia/Tokyo'),
      );
      expect(rows.map(values)).toEqual(own.map(values));
      expect(rows.length).toBe(2);
    });

    it('a range with no data gives no rows', async () => {
      expect(await clinicianMetrics(store, request('1900-01-01', '1901-01-01', 'day'))).toEqual([]);
      expect(await clinicianMetrics(store, request('9999-12-30', '9999-12-31', 'week'))).toEqual(
        [],
      );
    });
  });
}

/** The same events, schedule and orders 67 years earlier: 1959-03-03 is a Tuesday in EST too. */
const data1959: Dataset = JSON.parse(JSON.stringify(data).replaceAll('2026-03-0', '1959-03-0'));

for (const engine of engines()) {
  describe(`metrics of data before 1970 (${engine.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
      await loadDataset(store, data1959);
    });
    afterAll(async () => {
      await store.close();
    });

    // Instants before the epoch are negative: their 15-minute bucket is the floor of the division,
    // not the integer division's truncation towards zero.
    for (const [from, to] of [
      ['1959-03-02', '1959-03-05'],
      ['1900-01-01', '2100-01-01'],
    ] as const)
      it(`${from} to ${to} gives the hand-computed rows`, async () => {
        const rows = await clinicianMetrics(store, request(from, to));
        expect(rows.map((r) => r.user_id)).toEqual(['u1', 'u2']);
        expectRow(rows[0], EXPECTED['u1'] ?? {});
        expectRow(rows[1], EXPECTED['u2'] ?? {});
      });
  });
}

describe('range validation', () => {
  it('refuses year 0000, which no engine stores, naming the field', () => {
    expect(() => request('0000-01-01', '2026-01-01')).toThrow(/from: .*0001-01-01/);
    expect(() => request('0000-01-01', '2026-01-01')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => request('2026-01-01', '10000-01-01')).toThrow(/to: /);
  });

  it('refuses more than 10 000 period pieces, saying how many and what to do', () => {
    expect(() => request('1899-12-28', '2100-01-01', 'week')).toThrow(
      /period: week cuts 1899-12-28 to 2100-01-01 into 10437 pieces.*at most 10000.*longer period or a shorter range/,
    );
    expect(() => request('0001-01-01', '9999-12-31', 'day')).toThrow(/into 3652058 pieces/);
    expect(() => request('0001-01-01', '9999-12-31', 'month')).toThrow(/into 119988 pieces/);
    expect(request('0001-01-01', '9999-12-31', 'all').period).toBe('all');
    expect(request('1200-01-01', '2000-01-01', 'month').period).toBe('month'); // 9600 months
  });

  it('refuses a timeout longer than a week', () => {
    const at = (timeout_seconds: number) =>
      parseRequest({
        from: '2026-01-01',
        to: '2026-02-01',
        period: 'all',
        options: { ...DEFAULT_OPTIONS, timeout_seconds },
      });
    expect(at(604_800).options.timeout_seconds).toBe(604_800);
    expect(() => at(604_801)).toThrow(/timeout_seconds/);
    expect(() => at(2 ** 31)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
