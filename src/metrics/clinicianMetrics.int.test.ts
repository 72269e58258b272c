/**
 * The SQL engine against the hand-computed cases (`cases.ts`) and against the reference oracle
 * on random data, on every storage engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import { METRIC_CASES } from '../testing/cases.ts';
import { clinicianMetrics, groupMetrics, parseRequest } from './computeMetrics.ts';
import { loadDataset } from '../testing/loadDataset.ts';
import { referenceMetrics, type Dataset } from '../testing/reference.ts';
import { CLINICIAN_FIELDS, type ClinicianMetricRow } from '../model/metricRow.ts';
import { DEFAULT_OPTIONS, type MetricRequest } from '../model/options.ts';
import type { Category } from '../model/canonical.ts';

function close(actual: unknown, expected: unknown, where: string): void {
  if (expected === null) {
    expect(actual, where).toBeNull();
  } else if (typeof expected === 'number') {
    expect(typeof actual, where).toBe('number');
    const a = actual as number;
    expect(Math.abs(a - expected), `${where}: ${a} vs ${expected}`).toBeLessThanOrEqual(
      1e-9 * Math.max(1, Math.abs(expected)),
    );
  } else {
    expect(actual, where).toEqual(expected);
  }
}

async function reset(store: Store): Promise<void> {
  for (const t of ['events', 'schedule', 'orders', 'clinicians'])
    await store.run(`DELETE FROM ${t}`);
}

/** Citus plans each statement across three nodes: a random run takes seconds, not milliseconds. */
const slow = (name: string) => (name === 'citus' ? 300_000 : undefined);

for (const engine of engines({ citus: true })) {
  describe(`clinician metrics SQL (${engine.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
    });
    afterAll(async () => {
      await store.close();
    });

    for (const c of METRIC_CASES) {
      it(`hand case: ${c.name}`, async () => {
        await reset(store);
        await loadDataset(store, c.data);
        const rows = await clinicianMetrics(store, c.req);
        expect(rows.map((r) => `${r.user_id}@${r.period_start}`)).toEqual(
          c.expect.map((r) => `${r.user_id}@${r.period_start}`),
        );
        c.expect.forEach((exp, i) => {
          const row = rows[i] as unknown as Record<string, unknown>;
          for (const [k, v] of Object.entries(exp))
            close(row[k], v, `${c.name} ${exp.user_id} ${exp.period_start} ${k}`);
        });
      });
    }

    it(
      'agrees with the reference implementation on random data, for every option combination',
      async () => {
        const cats: Category[] = [
          'notes',
          'orders',
          'prescriptions',
          'inbox',
          'chart_review',
          'other',
        ];
        const base = Date.parse('2026-03-06T00:00:00Z'); // Friday before the New York spring-forward day
        const arb = fc.record({
          events: fc.array(
            fc.record({
              u: fc.integer({ min: 0, max: 2 }),
              sec: fc.integer({ min: 0, max: 5 * 86400 }),
              cat: fc.integer({ min: 0, max: 5 }),
              mobile: fc.boolean(),
              // the source log's order (§3): absent, or a small number so that seqs tie too
              seq: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
            }),
            { minLength: 1, maxLength: 60 },
          ),
          sessions: fc.array(
            fc.record({
              u: fc.integer({ min: 0, max: 1 }),
              startMin: fc.integer({ min: 0, max: 5 * 1440 }),
              len: fc.integer({ min: 1, max: 600 }),
            }),
            { maxLength: 4 },
          ),
          appts: fc.array(
            fc.record({
              u: fc.integer({ min: 1, max: 2 }),
              startMin: fc.integer({ min: 0, max: 5 * 1440 }),
              len: fc.integer({ min: 5, max: 60 }),
              st: fc.constantFrom('booked', 'fulfilled', 'noshow', 'cancelled', 'entered-in-error'),
            }),
            { maxLength: 8 },
          ),
          orders: fc.array(
            fc.record({
              u: fc.integer({ min: 0, max: 2 }),
              sec: fc.integer({ min: 0, max: 5 * 86400 }),
              by: fc.constantFrom('', 'self', 'ma1'),
            }),
            { maxLength: 5 },
          ),
          timeout: fc.constantFrom(60, 300, 900, 7200),
          over: fc.constantFrom('drop', 'cap') as fc.Arbitrary<'drop' | 'cap'>,
          dir: fc.constantFrom('forward', 'backward') as fc.Arbitrary<'forward' | 'backward'>,
          attr: fc.constantFrom('split', 'start') as fc.Arbitrary<'split' | 'start'>,
          wow: fc.constantFrom(
            'schedule',
            'schedule30',
            'outside7to7',
            'pajama',
            'after18to06',
          ) as fc.Arbitrary<MetricRequest['options']['wow']>,
          period: fc.constantFrom('all', 'day', 'week') as fc.Arbitrary<MetricRequest['period']>,
          excl: fc.boolean(),
          gap: fc.constantFrom(0, 30, 60),
          // Times on a 10-minute grid: many events of one user at the same instant (ties).
          coarse: fc.boolean(),
        });
        const iso = (ms: number) => new Date(ms).toISOString();
        await fc.assert(
          fc.asyncProperty(arb, async (x) => {
            const data: Dataset = {
              events: x.events.map((e, i) => ({
                event_id: `e${String(i).padStart(3, '0')}`,
                occurred_at: iso(base + (x.coarse ? Math.floor(e.sec / 600) * 600 : e.sec) * 1000),
                user_id: `u${e.u}`,
                action: 'a',
                category: cats[e.cat] as Category,
                channel: e.mobile ? 'mobile' : 'desktop',
                ...(e.seq === undefined ? {} : { seq: e.seq }),
              })),
              schedule: [
                ...x.sessions.map((s) => ({
                  user_id: `u${s.u}`,
                  kind: 'session' as const,
                  start: iso(base + s.startMin * 60000),
                  end: iso(base + (s.startMin + s.len) * 60000),
                })),
                ...x.appts.map((a, i) => ({
                  user_id: `u${a.u}`,
                  kind: 'appointment' as const,
                  start: iso(base + a.startMin * 60000),
                  end: iso(base + (a.startMin + a.len) * 60000),
                  status: a.st as 'booked',
                  appointment_id: `a${i}`,
                })),
              ],
              orders: x.orders.map((o, i) => ({
                order_id: `o${i}`,
                user_id: `u${o.u}`,
                signed_at: iso(base + o.sec * 1000),
                entered_by: o.by === 'self' ? `u${o.u}` : o.by,
              })),
            };
            const req = parseRequest({
              from: '2026-03-06',
              to: '2026-03-10',
              period: x.period,
              options: {
                timezone: 'America/New_York',
                timeout_seconds: x.timeout,
                over_timeout: x.over,
                direction: x.dir,
                attribution: x.attr,
                exclude_channels: x.excl ? ['mobile'] : [],
                session_merge_gap_minutes: x.gap,
                wow: x.wow,
              },
            });
            await reset(store);
            await loadDataset(store, data);
            const got = await clinicianMetrics(store, req);
            const want = referenceMetrics(data, req);
            expect(got.map((r) => `${r.user_id}@${r.period_start}`)).toEqual(
              want.map((r) => `${r.user_id}@${r.period_start}`),
            );
            want.forEach((w, i) => {
              for (const f of CLINICIAN_FIELDS)
                close(
                  (got[i] as ClinicianMetricRow)[f],
                  w[f],
                  `${w.user_id} ${w.period_start} ${f} ${JSON.stringify(req.options)}`,
                );
            });
          }),
          { numRuns: engine.name === 'citus' ? 20 : 60, seed: 20261122 },
        );
      },
      slow(engine.name),
    );

    it(
      'orders the events of one instant like the reference: seq (absent last), then event_id',
      async () => {
        // Few instants a minute apart, many events at each: which event of an instant comes last
        // (forward) or first (backward) decides the category of a credited minute.
        const arb = fc.record({
          events: fc.array(
            fc.record({
              u: fc.integer({ min: 0, max: 1 }),
              minute: fc.integer({ min: 0, max: 2 }),
              cat: fc.constantFrom<Category>('notes', 'orders', 'inbox', 'other'),
              seq: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
              // ids whose code-unit order differs from any natural order ('B' < 'a' < 'b')
              id: fc.constantFrom('a', 'B', 'b', 'a1', 'Z'),
            }),
            { minLength: 2, maxLength: 30 },
          ),
          dir: fc.constantFrom('forward', 'backward') as fc.Arbitrary<'forward' | 'backward'>,
        });
        let decided = 0;
        await fc.assert(
          fc.asyncProperty(arb, async (x) => {
            const events = x.events.map((e, i) => ({
              event_id: `${e.id}${i}`,
              occurred_at: new Date(
                Date.parse('2026-03-02T10:00:00Z') + e.minute * 60000,
              ).toISOString(),
              user_id: `u${e.u}`,
              action: 'a',
              category: e.cat,
              ...(e.seq === undefined ? {} : { seq: e.seq }),
            }));
            const req = parseRequest({
              from: '2026-03-02',
              to: '2026-03-03',
              period: 'all',
              options: { ...DEFAULT_OPTIONS, direction: x.dir },
            });
            await reset(store);
            await loadDataset(store, { events });
            const got = await clinicianMetrics(store, req);
            const want = referenceMetrics({ events }, req);
            const unordered = referenceMetrics(
              { events: events.map(({ seq: _seq, ...e }) => e) },
              req,
            );
            if (JSON.stringify(want) !== JSON.stringify(unordered)) decided++;
            expect(got.length).toBe(want.length);
            want.forEach((w, i) => {
              for (const f of CLINICIAN_FIELDS)
                close((got[i] as ClinicianMetricRow)[f], w[f], `${w.user_id} ${f} ${x.dir}`);
            });
          }),
          { numRuns: 40, seed: 20261207 },
        );
        // the property is about seq: in enough of the runs, seq changed the answer
        expect(decided).toBeGreaterThanOrEqual(10);
      },
      slow(engine.name),
    );

    it('group medians and quartiles interpolate like percentile_cont, with n and suppression', async () => {
      await reset(store);
      // five clinicians, each with an 8-hour session and k hours of credited time (k = 1..5),
      // in two departments: A has 2 (odd/even check), B has 3.
      const events = [];
      const schedule = [];
      const clinicians = [];
      for (let k = 1; k <= 5; k++) {
        const u = `c${k}`;
        clinicians.push({ user_id: u, role: 'physician', department: k <= 2 ? 'A' : 'B' });
        schedule.push({
          user_id: u,
          kind: 'session' as const,
          start: '2026-03-02T08:00:00Z',
          end: '2026-03-02T16:00:00Z',
        });
        // events every 5 minutes for k hours, starting 08:00: credited k hours exactly
        for (let m = 0; m <= k * 60; m += 5) {
          events.push({
            event_id: `${u}-${m}`,
            occurred_at: new Date(Date.parse('2026-03-02T08:00:00Z') + m * 60000).toISOString(),
            user_id: u,
            action: 'a',
            category: 'notes' as const,
          });
        }
      }
      await loadDataset(store, { events, schedule, clinicians });
      const req = parseRequest({
        from: '2026-03-02',
        to: '2026-03-03',
        period: 'all',
        options: {
          timezone: 'UTC',
          timeout_seconds: 300,
          over_timeout: 'drop',
          direction: 'forward',
          attribution: 'split',
          exclude_channels: [],
          session_merge_gap_minutes: 60,
          wow: 'schedule',
        },
      });
      const dept = await groupMetrics(store, req, 'department', 3);
      const a = dept.find((g) => g.group === 'A')!;
      const b = dept.find((g) => g.group === 'B')!;
      // A: ehr_time8 values 1, 2 → median 1.5, p25 1.25, p75 1.75; n = 2 < 3 → suppressed
      expect(a.n).toBe(2);
      expect(a.suppressed).toBe(true);
      close(a.ehr_time8_median, 1.5, 'A median');
      close(a.ehr_time8_p25, 1.25, 'A p25');
      close(a.ehr_time8_p75, 1.75, 'A p75');
      // B: 3, 4, 5 → median 4, p25 3.5, p75 4.5; n = 3 is enough, but B is hidden too: the
      // organisation's n (5) minus B's would give A's (complementary suppression)
      expect(b.n).toBe(3);
      expect(b.suppressed).toBe(true);
      expect((await groupMetrics(store, req, 'department', 2)).map((g) => g.suppressed)).toEqual([
        false,
        false,
      ]);
      close(b.ehr_time8_median, 4, 'B median');
      close(b.ehr_time8_p25, 3.5, 'B p25');
      close(b.ehr_time8_p75, 4.5, 'B p75');
      const org = await groupMetrics(store, req, 'org', 5);
      expect(org).toHaveLength(1);
      expect(org[0]?.n).toBe(5);
      close(org[0]?.ehr_time8_median, 3, 'org median');
      close(org[0]?.ib_time8_median, 0, 'org ib median');
    });
  });
}
