/**
 * The day table (`metricDays.ts`) gives exactly the rows of the metric SQL over events
 * (`clinicianMetrics`), on every engine: for the hand-computed cases (which also pins the
 * hand-computed values), for random data around both DST changes with random options, periods
 * all/week/month/day and ranges starting mid-week (and the group medians of §7 over them) — and
 * after incremental refreshes, which must
 * recompute only what an import can change yet agree with a computation from scratch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Category, ScheduleRow } from '../model/canonical.ts';
import type { ClinicianMetricRow } from '../model/metricRow.ts';
import { DEFAULT_OPTIONS, type MetricOptions, type Period } from '../model/options.ts';
import type { Store } from '../store/Store.ts';
import { engines } from '../testing/testEngines.ts';
import { openWorker, type Worker } from '../store/worker.ts';
import { METRIC_CASES } from '../testing/cases.ts';
import { clinicianMetrics, groupMetrics, parseRequest } from './computeMetrics.ts';
import { loadDataset, type DatasetRows } from '../testing/loadDataset.ts';
import {
  dayClinicianMetrics,
  dayExcludedEvents,
  dayFingerprint,
  dayGroupMetrics,
  readDayState,
  refreshDays,
} from './metricDays.ts';

const TABLES = [
  'events',
  'schedule',
  'orders',
  'clinicians',
  'imports',
  'metric_days',
  'metric_day_patients',
  'metric_day_sets',
  'metric_import_extents',
];

async function reset(store: Store): Promise<void> {
  for (const t of TABLES) await store.run(`DELETE FROM ${t}`);
}

/** Store `rows` as import `id` of `table` (as an importer would: rows and the imports row). */
async function asImport(
  store: Store,
  id: number,
  table: 'events' | 'schedule' | 'orders',
  rows: Omit<DatasetRows, 'events'> & { events?: DatasetRows['events'] },
): Promise<void> {
  await loadDataset(store, { events: [], ...rows });
  await store.run(`UPDATE ${table} SET import_id = $1 WHERE import_id IS NULL`, [id]);
  await store.run(
    `INSERT INTO imports (import_id, table_name, format, file, started_at, finished_at)
     VALUES ($1, $2, 'csv', $3, CAST($4 AS TIMESTAMPTZ), CAST($4 AS TIMESTAMPTZ))`,
    [id, table, `${table}-${id}.csv`, new Date(Date.UTC(2026, 5, 1, 0, id)).toISOString()],
  );
}

async function removeImport(store: Store, id: number): Promise<void> {
  for (const t of ['events', 'schedule', 'orders'])
    await store.run(`DELETE FROM ${t} WHERE import_id = $1`, [id]);
  await store.run(`DELETE FROM imports WHERE import_id = $1`, [id]);
}

/** The day table's rows of (from, to, period), and the event SQL's: equal, field for field. */
async function agree(
  store: Store,
  from: string,
  to: string,
  period: Period,
  options: MetricOptions,
): Promise<ClinicianMetricRow[]> {
  const req = parseRequest({ from, to, period, options });
  const want = await clinicianMetrics(store, req);
  const got = await dayClinicianMetrics(store, req);
  expect(got, `${from}..${to} ${period} ${JSON.stringify(options)}`).toEqual(want);
  return want;
}

function close(actual: unknown, expected: unknown, where: string): void {
  if (typeof expected === 'number' && typeof actual === 'number')
    expect(Math.abs(actual - expected), where).toBeLessThanOrEqual(
      1e-9 * Math.max(1, Math.abs(expected)),
    );
  else expect(actual, where).toEqual(expected);
}

const CATS: Category[] = ['notes', 'orders', 'prescriptions', 'inbox', 'chart_review', 'other'];
const iso = (ms: number) => new Date(ms).toISOString();
/** Fridays before the New York spring-forward (03-08) and fall-back (11-01) days. */
const BASES = ['2026-03-06', '2026-10-30'] as const;
const DAYS = 6;

const optionsArb: fc.Arbitrary<MetricOptions> = fc.record({
  timezone: fc.constant('America/New_York'),
  timeout_seconds: fc.constantFrom(60, 300, 7200),
  over_timeout: fc.constantFrom('drop', 'cap') as fc.Arbitrary<'drop' | 'cap'>,
  direction: fc.constantFrom('forward', 'backward') as fc.Arbitrary<'forward' | 'backward'>,
  attribution: fc.constantFrom('split', 'start') as fc.Arbitrary<'split' | 'start'>,
  exclude_channels: fc.constantFrom([], ['mobile']) as fc.Arbitrary<('mobile' | 'desktop')[]>,
  session_merge_gap_minutes: fc.constantFrom(0, 60),
  wow: fc.constantFrom(
    'schedule',
    'schedule30',
    'outside7to7',
    'pajama',
    'after18to06',
  ) as fc.Arbitrary<MetricOptions['wow']>,
});

const eventsArb = (n: number) =>
  fc.array(
    fc.record({
      u: fc.integer({ min: 0, max: 2 }),
      sec: fc.integer({ min: 0, max: DAYS * 86400 }),
      cat: fc.integer({ min: 0, max: 5 }),
      mobile: fc.boolean(),
      patient: fc.integer({ min: 0, max: 4 }),
    }),
    { minLength: 1, maxLength: n },
  );
const scheduleArb = fc.array(
  fc.record({
    u: fc.integer({ min: 0, max: 2 }),
    session: fc.boolean(),
    startMin: fc.integer({ min: 0, max: DAYS * 1440 }),
    len: fc.integer({ min: 5, max: 600 }),
    st: fc.constantFrom('booked', 'fulfilled', 'noshow', 'cancelled'),
  }),
  { maxLength: 6 },
);
const ordersArb = fc.array(
  fc.record({
    u: fc.integer({ min: 0, max: 2 }),
    sec: fc.integer({ min: 0, max: DAYS * 86400 }),
    by: fc.constantFrom('', 'self', 'ma1'),
  }),
  { maxLength: 5 },
);

type Ev = { u: number; sec: number; cat: number; mobile: boolean; patient: number };
type Sc = { u: number; session: boolean; startMin: number; len: number; st: string };
type Or = { u: number; sec: number; by: string };

function rows(base: number, tag: string, ev: Ev[], sc: Sc[], or: Or[]) {
  return {
    events: ev.map((e, i) => ({
      event_id: `${tag}${String(i).padStart(3, '0')}`,
      occurred_at: iso(base + e.sec * 1000),
      user_id: `u${e.u}`,
      action: 'a',
      category: CATS[e.cat] as Category,
      channel: e.mobile ? ('mobile' as const) : ('desktop' as const),
      patient_id: `p${e.patient}`,
    })),
    schedule: sc.map((s, i): ScheduleRow => ({
      user_id: `u${s.u}`,
      kind: s.session ? 'session' : 'appointment',
      start: iso(base + s.startMin * 60000),
      end: iso(base + (s.startMin + s.len) * 60000),
      status: s.st as 'booked',
      appointment_id: `${tag}a${i}`,
    })),
    orders: or.map((o, i) => ({
      order_id: `${tag}o${i}`,
      user_id: `u${o.u}`,
      signed_at: iso(base + o.sec * 1000),
      entered_by: o.by === 'self' ? `u${o.u}` : o.by,
    })),
  };
}

const addDays = (date: string, n: number) =>
  iso(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).slice(0, 10);

for (const engine of engines()) {
  describe(`the day table (${engine.name})`, () => {
    let store: Store;
    let worker: Worker;
    beforeAll(async () => {
      store = await engine.open();
      worker = await openWorker(store);
    });
    afterAll(async () => {
      await worker.close();
      await store.close();
    });

    it('gives the hand-computed cases exactly as the metric SQL does', async () => {
      let compared = 0;
      for (const c of METRIC_CASES) {
        await reset(store);
        await loadDataset(store, c.data);
        await refreshDays(worker, c.req.options, { full: true });
        const req = parseRequest(c.req);
        const got = await dayClinicianMetrics(store, req);
        expect(got, c.name).toEqual(await clinicianMetrics(store, req));
        expect(
          got.map((r) => `${r.user_id}@${r.period_start}`),
          c.name,
        ).toEqual(c.expect.map((r) => `${r.user_id}@${r.period_start}`));
        c.expect.forEach((exp, i) => {
          for (const [k, v] of Object.entries(exp))
            close((got[i] as unknown as Record<string, unknown>)[k], v, `${c.name} ${k}`);
        });
        compared += got.length;
      }
      expect(compared).toBeGreaterThan(METRIC_CASES.length);
    }, 300_000);

    it('agrees with the metric SQL on random data across DST, for random options, periods and ranges', async () => {
      let rowsSeen = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...BASES),
          eventsArb(40),
          scheduleArb,
          ordersArb,
          optionsArb,
          async (baseDate, ev, sc, or, options) => {
            await reset(store);
            const data = rows(Date.parse(`${baseDate}T12:00:00Z`), 'e', ev, sc, or);
            await loadDataset(store, data);
            // Three days per statement: the data and the DST day straddle statements.
            await refreshDays(worker, options, { full: true, chunkDays: 3 });
            const first = addDays(baseDate, -1);
            const last = addDays(baseDate, DAYS + 2);
            for (const period of ['all', 'day'] as const)
              rowsSeen += (await agree(store, first, last, period, options)).length;
            // From a Sunday (mid-ISO-week: the DST day), by week and by month.
            await agree(store, addDays(baseDate, 2), last, 'week', options);
            await agree(store, addDays(baseDate, 2), last, 'month', options);
            const req = parseRequest({ from: first, to: last, period: 'all', options });
            expect(await dayGroupMetrics(store, { ...req, period: 'week' }, 'org', 1)).toEqual(
              await groupMetrics(store, { ...req, period: 'week' }, 'org', 1),
            );
            const [ex] = await store.all<{ n: number }>(
              `SELECT count(*) AS n FROM events WHERE channel IN ('mobile')`,
            );
            expect(await dayExcludedEvents(store, req)).toBe(
              options.exclude_channels.length ? Number(ex?.n) : 0,
            );
          },
        ),
        { numRuns: engine.name === 'duckdb' ? 14 : 7, seed: 20261207 },
      );
      expect(rowsSeen).toBeGreaterThan(0);
    }, 300_000);

    it('refreshes only what an import changes, and agrees with a computation from scratch', async () => {
      let partial = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...BASES),
          eventsArb(30),
          scheduleArb,
          ordersArb,
          optionsArb,
          fc.oneof(
            fc.record({ kind: fc.constant('events' as const), ev: eventsArb(10) }),
            fc.record({ kind: fc.constant('schedule' as const), sc: scheduleArb }),
            fc.record({ kind: fc.constant('orders' as const), or: ordersArb }),
            fc.record({
              kind: fc.constant('remove' as const),
              id: fc.integer({ min: 1, max: 3 }),
            }),
          ),
          async (baseDate, ev, sc, or, options, change) => {
            await reset(store);
            const base = Date.parse(`${baseDate}T12:00:00Z`);
            const data = rows(base, 'b', ev, sc, or);
            await asImport(store, 1, 'events', { events: data.events });
            await asImport(store, 2, 'schedule', { schedule: data.schedule });
            await asImport(store, 3, 'orders', { orders: data.orders });
            const first = await refreshDays(worker, options);
            expect(first.full).toBe(true);
            // A later import lands a few days on (another source of events, say).
            const later = base + 3 * 86_400_000;
            if (change.kind === 'events')
              await asImport(store, 4, 'events', {
                events: rows(later, 'n', change.ev, [], []).events,
              });
            else if (change.kind === 'schedule')
              await asImport(store, 4, 'schedule', {
                schedule: rows(later, 'n', [], change.sc, []).schedule,
              });
            else if (change.kind === 'orders')
              await asImport(store, 4, 'orders', {
                orders: rows(later, 'n', [], [], change.or).orders,
              });
            else await removeImport(store, change.id);
            const r = await refreshDays(worker, options);
            expect(r.changed).toBe(true);
            if (!r.full) partial++;
            // Events, orders and appointments alone never need every day (cap needs the
            // clinicians' neighbouring events only).
            if (change.kind === 'events' || change.kind === 'orders') expect(r.full).toBe(false);
            const again = await refreshDays(worker, options);
            expect(again.changed).toBe(false);
            const state = await readDayState(store, dayFingerprint(options));
            expect(state?.imports).toEqual(r.state.imports);
            const from = addDays(baseDate, -1);
            const to = addDays(baseDate, DAYS + 6);
            await agree(store, from, to, 'day', options);
            await agree(store, addDays(baseDate, 2), to, 'week', options);
          },
        ),
        { numRuns: engine.name === 'duckdb' ? 16 : 8, seed: 20261208 },
      );
      expect(partial).toBeGreaterThan(0);
    }, 300_000);

    it('with cap, a clinician’s last event far before a new import gains its capped interval', async () => {
      // u1's only event: Mon 2026-03-02 10:00 (EST); forward + cap credits nothing (no next).
      // A new import puts u1's next event 20 days later: the 10:00 event now has a next one
      // beyond the timeout and credits [10:00, 10:05) — a day far from the import's own days.
      await reset(store);
      const options: MetricOptions = {
        ...DEFAULT_OPTIONS,
        timezone: 'America/New_York',
        over_timeout: 'cap',
      };
      const ev = (id: string, at: string) => ({
        event_id: id,
        occurred_at: at,
        user_id: 'u1',
        action: 'a',
        category: 'notes' as const,
      });
      await asImport(store, 1, 'events', { events: [ev('a', '2026-03-02T10:00:00-05:00')] });
      await refreshDays(worker, options);
      const before = await agree(store, '2026-03-02', '2026-03-03', 'all', options);
      expect(before[0]?.ehr_hours).toBe(0);
      await asImport(store, 2, 'events', { events: [ev('b', '2026-03-22T10:00:00-04:00')] });
      const r = await refreshDays(worker, options);
      expect(r.full).toBe(false);
      const after = await agree(store, '2026-03-02', '2026-03-03', 'all', options);
      expect(after[0]?.ehr_hours).toBe(5 / 60);
      // Removing the later import takes the credit back (everything is recomputed: with cap,
      // the neighbours of removed events are not known).
      await removeImport(store, 2);
      const back = await refreshDays(worker, options);
      expect(back.full).toBe(true);
      expect((await agree(store, '2026-03-02', '2026-03-03', 'all', options))[0]?.ehr_hours).toBe(
        0,
      );
    });

    it('refreshes the local day before an import’s first event, which its interval reaches', async () => {
      // u1 works until 23:58 on Tue 2026-03-03 (EST). Forward: an import adds 00:01 on Wed, so
      // the 23:58 event now credits [23:58, 00:01): 2 minutes on Tue, 1 on Wed. Backward: an
      // import adds 23:58 before an event at 00:01, which credits the same 3 minutes. Tuesday is
      // outside the import's own local day (and its UTC day, 2026-03-04 04:58Z, too).
      for (const direction of ['forward', 'backward'] as const) {
        await reset(store);
        const options: MetricOptions = {
          ...DEFAULT_OPTIONS,
          timezone: 'America/New_York',
          direction,
        };
        const ev = (id: string, at: string) => ({
          event_id: id,
          occurred_at: at,
          user_id: 'u1',
          action: 'a',
          category: 'inbox' as const,
        });
        const [late, early] =
          direction === 'forward'
            ? ['2026-03-04T00:01:00-05:00', '2026-03-03T23:58:00-05:00']
            : ['2026-03-03T23:58:00-05:00', '2026-03-04T00:01:00-05:00'];
        await asImport(store, 1, 'events', {
          events: [ev('a', '2026-03-03T09:00:00-05:00'), ev('b', early)],
        });
        await refreshDays(worker, options);
        await asImport(store, 2, 'events', { events: [ev('c', late)] });
        expect((await refreshDays(worker, options)).full).toBe(false);
        const days = await agree(store, '2026-03-03', '2026-03-05', 'day', options);
        expect(
          days.map((r) => Math.round(r.inbox_hours * 60 * 1e6) / 1e6),
          direction,
        ).toEqual([2, 1]);
      }
    });

    it('recomputes every day when a clinician’s first session rows arrive', async () => {
      // u1 has appointments only: sessions derive from them (09:00–10:00 with 10:30–11:00,
      // 30 minutes apart, merge into one 2-hour session). A first session row, on another day,
      // makes u1's sessions those rows on every day: 2026-03-03 has none any more.
      await reset(store);
      const options: MetricOptions = { ...DEFAULT_OPTIONS, timezone: 'America/New_York' };
      await asImport(store, 1, 'schedule', {
        schedule: [
          {
            user_id: 'u1',
            kind: 'appointment',
            start: '2026-03-03T09:00:00-05:00',
            end: '2026-03-03T10:00:00-05:00',
            appointment_id: 'a1',
          },
          {
            user_id: 'u1',
            kind: 'appointment',
            start: '2026-03-03T10:30:00-05:00',
            end: '2026-03-03T11:00:00-05:00',
            appointment_id: 'a2',
          },
        ],
      });
      await refreshDays(worker, options);
      expect(
        (await agree(store, '2026-03-03', '2026-03-04', 'all', options))[0]?.scheduled_hours,
      ).toBe(2);
      await asImport(store, 2, 'schedule', {
        schedule: [
          {
            user_id: 'u1',
            kind: 'session',
            start: '2026-03-20T08:00:00-04:00',
            end: '2026-03-20T12:00:00-04:00',
          },
        ],
      });
      const r = await refreshDays(worker, options);
      expect(r.full).toBe(true);
      expect(
        (await agree(store, '2026-03-03', '2026-03-04', 'all', options))[0]?.scheduled_hours,
      ).toBe(0);
      expect(
        (await agree(store, '2026-03-01', '2026-03-31', 'all', options))[0]?.scheduled_hours,
      ).toBe(4);
    });

    it('costs what the data costs: a stray row years away fills its own days only', async () => {
      await reset(store);
      const options: MetricOptions = { ...DEFAULT_OPTIONS, timezone: 'America/New_York' };
      const ev = (id: string, at: string) => ({
        event_id: id,
        occurred_at: at,
        user_id: 'u1',
        action: 'a',
        category: 'notes' as const,
      });
      await asImport(store, 1, 'events', {
        events: [
          ev('a', '2024-06-01T10:00:00Z'),
          ev('b', '2026-03-02T10:00:00Z'),
          ev('c', '2026-03-02T10:04:00Z'),
          ev('d', '2027-06-01T10:00:00Z'),
        ],
      });
      const r = await refreshDays(worker, options);
      // Three blocks of 28 days and their margins, not the three years between.
      expect(r.days).toBeLessThan(3 * 40);
      await agree(store, '2024-05-01', '2027-07-01', 'all', options);
      await agree(store, '2026-02-23', '2026-03-09', 'week', options);
    });
  });
}
