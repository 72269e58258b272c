/**
 * The champion rule of program.md §4 on a hand-built roster, on every engine. The per-clinician
 * rows of the window are given as a table (the metric SQL that makes them is tested in
 * src/metrics); the percentiles, the 40-hour edge, ties and the tool habit are worked out here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import { loadDataset } from '../testing/loadDataset.ts';
import type { Store } from '../store/Store.ts';
import { cte, sql } from '../store/cte.ts';
import type { EventRow } from '../model/canonical.ts';
import { parseTool, saveTool } from '../analysis/tools.ts';
import { championCandidates, championReason, championWindow } from './champions.ts';

/**
 * Cardiology (six with ≥ 40 h; k7 has 39.99 h and is not looked at):
 *
 * | user | h     | EHR-Time8 | after-hours h → per 8 h | appts → per h |
 * | k1   | 40    | 1         | 1  → 0.2                | 120 → 3.0     |
 * | k2   | 80    | 2         | 4  → 0.4                | 200 → 2.5     |
 * | k3   | 80    | 3         | 8  → 0.8                | 160 → 2.0     |
 * | k4   | 80    | 3         | 2  → 0.2                | 280 → 3.5     |
 * | k5   | 80    | 5         | 1  → 0.1                | 320 → 4.0     |
 * | k6   | 100   | 6         | 20 → 1.6                | 100 → 1.0     |
 *
 * 40th percentile (percentile_cont, position 0.4 × 5 = 2, the third smallest): EHR-Time8 of
 * 1, 2, 3, 3, 5, 6 → 3 (k3 and k4 tie at it: both meet it); after-hours per 8 h of
 * 0.1, 0.2, 0.2, 0.4, 0.8, 1.6 → 0.2 (k1 and k4 at it). Median appointments per hour of
 * 1, 2, 2.5, 3, 3.5, 4 → 2.75. All three: k1 and k4.
 * The tool `scribe` is live for department A (k1, k4) since 2026-03-01; habitual = ≥ 2 uses a
 * week in 3 of the 4 weeks before 2026-03-30: k4 uses it twice in weeks 03-09, 03-16, 03-23
 * (3 weeks), k1 twice in week 03-23 only (1 week) → k1 is not suggested.
 * Dermatology has one clinician, d1: a lone clinician is every percentile of their specialty.
 * x1 has no specialty: not looked at.
 */
const ROWS: [string, number, number, number, number][] = [
  ['k1', 40, 1, 1, 120],
  ['k2', 80, 2, 4, 200],
  ['k3', 80, 3, 8, 160],
  ['k4', 80, 3, 2, 280],
  ['k5', 80, 5, 1, 320],
  ['k6', 100, 6, 20, 100],
  ['k7', 39.99, 0.1, 0, 400],
  ['d1', 50, 4, 0, 50],
  ['x1', 60, 1, 0, 300],
];

function rowsCte(double: string) {
  const values = ROWS.map(
    ([u, h, e, a, n]) =>
      `('${u}', CAST(${h} AS ${double}), CAST(${e} AS ${double}), CAST(${a} AS ${double}), CAST(${n} AS BIGINT))`,
  ).join(', ');
  return cte(
    'clinician_rows',
    sql`SELECT * FROM (VALUES ${values}) AS t(user_id, scheduled_hours, ehr_time8, after_hours_hours, appointments)`,
  );
}

const use = (id: string, user: string, day: string): EventRow => ({
  event_id: id,
  occurred_at: `${day}T10:00:00-05:00`,
  user_id: user,
  action: 'scribe_start',
  category: 'notes',
});

for (const engine of engines()) {
  describe(`suggested champions (${engine.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
      const events: EventRow[] = [];
      let i = 0;
      for (const day of ['2026-03-10', '2026-03-17', '2026-03-24'])
        events.push(use(String(++i), 'k4', day), use(String(++i), 'k4', day));
      events.push(use(String(++i), 'k1', '2026-03-24'), use(String(++i), 'k1', '2026-03-25'));
      await loadDataset(store, {
        events,
        clinicians: [
          ...['k1', 'k4'].map((u) => ({
            user_id: u,
            role: 'physician',
            specialty: 'cardiology',
            department: 'A',
          })),
          ...['k2', 'k3', 'k5', 'k6', 'k7'].map((u) => ({
            user_id: u,
            role: 'physician',
            specialty: 'cardiology',
            department: 'B',
          })),
          { user_id: 'd1', role: 'physician', specialty: 'dermatology', department: 'B' },
          { user_id: 'x1', role: 'physician', department: 'B' },
        ],
      });
      await saveTool(
        store,
        parseTool({
          name: 'scribe',
          actions: ['scribe_*'],
          habitual_uses: 2,
          golives: [{ group_by: 'department', group: 'A', date: '2026-03-01' }],
        }),
      );
    });
    afterAll(async () => store.close());

    it('takes the 8 whole weeks before the current one', () => {
      expect(championWindow('2026-04-01')).toEqual({ from: '2026-02-02', to: '2026-03-30' });
      expect(championWindow('2026-03-30')).toEqual({ from: '2026-02-02', to: '2026-03-30' });
    });

    it('suggests by the specialty’s cut-offs, with the evidence', async () => {
      const r = await championCandidates(store, rowsCte(store.dialect.double), {
        to: '2026-03-30',
        timezone: 'America/New_York',
      });
      // k1..k6 and d1: exactly 40 h counts, 39.99 h and no specialty do not.
      expect(r.considered).toBe(7);
      // Sorted by specialty, then user.
      expect(r.candidates.map((c) => c.user_id)).toEqual([
        'k1',
        'k2',
        'k3',
        'k4',
        'k5',
        'k6',
        'd1',
      ]);
      const by = new Map(r.candidates.map((c) => [c.user_id, c]));
      const k4 = by.get('k4')!;
      expect(k4.specialty_n).toBe(6);
      expect(k4.ehr_time8).toEqual({ value: 3, cutoff: 3, meets: true });
      expect(k4.after_hours8.value).toBeCloseTo(0.2, 12);
      expect(k4.after_hours8.cutoff).toBeCloseTo(0.2, 12);
      expect(k4.after_hours8.meets).toBe(true);
      expect(k4.appointments_per_hour).toEqual({ value: 3.5, cutoff: 2.75, meets: true });
      expect(k4.tools).toEqual([
        { tool: 'scribe', go_live: '2026-03-01', habitual_weeks: 3, habitual: true },
      ]);
      expect(k4.meets_all).toBe(true);
      // k3 ties k4 on EHR-Time8 (meets it) but is above the after-hours cut-off.
      expect(by.get('k3')!.ehr_time8.meets).toBe(true);
      expect(by.get('k3')!.after_hours8.meets).toBe(false);
      // k1 meets the three figures, exactly 40 h, but not the live tool's habit.
      const k1 = by.get('k1')!;
      expect(k1.scheduled_hours).toBe(40);
      expect([k1.ehr_time8.meets, k1.after_hours8.meets, k1.appointments_per_hour.meets]).toEqual([
        true,
        true,
        true,
      ]);
      expect(k1.tools).toEqual([
        { tool: 'scribe', go_live: '2026-03-01', habitual_weeks: 1, habitual: false },
      ]);
      expect(k1.meets_all).toBe(false);
      // k5: lowest after-hours, most appointments, but EHR-Time8 5 > 3.
      expect(by.get('k5')!.ehr_time8.meets).toBe(false);
      expect(by.get('k5')!.meets_all).toBe(false);
      // k2 at 2.5 appointments an hour is below the median 2.75.
      expect(by.get('k2')!.appointments_per_hour.meets).toBe(false);
      // The lone dermatologist is their specialty's every percentile; no tool is live for them.
      expect(by.get('d1')).toMatchObject({ specialty_n: 1, tools: [], meets_all: true });
      expect(r.candidates.filter((c) => c.meets_all).map((c) => c.user_id)).toEqual(['k4', 'd1']);
      expect(championReason(k4)).toBe(
        'Among 6 cardiology clinicians with ≥ 40 scheduled hours (80.0 h): EHR-Time8 3.00 (40th percentile 3.00), ' +
          'after-hours per 8 h 0.20 (40th percentile 0.20), appointments per scheduled hour 3.50 (median 2.75); ' +
          'habitual use of scribe (3 of the last 4 weeks).',
      );
    });
  });
}
