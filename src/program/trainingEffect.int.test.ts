/**
 * The training effect of a course (difference in differences, the training date as the event) on
 * hand-built weekly rows, on every engine, and "insufficient data" with its reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import { loadDataset } from '../testing/loadDataset.ts';
import type { Store } from '../store/Store.ts';
import { cte, sql } from '../store/cte.ts';
import { parseTool, saveTool } from '../analysis/tools.ts';
import { addDays } from '../analysis/weeks.ts';
import { trainingEffect } from './trainingEffect.ts';

/**
 * Twelve weeks from Monday 2026-01-05 (t = 0..11). Cardiology: t1 and t2 complete "Inbox zero" on
 * Monday 2026-03-02 (t = 8); n1 and n2 never do. Inbox-Time8 each week:
 *   controls n1, n2: 5 + 0.1 t;
 *   trained t1, t2:  6 + 0.1 t + e_t − (1 from t = 8), with e_t = +0.1 on even t, −0.1 on odd t.
 * Weekly medians equal these (two equal values). The contrast D_t = (Y_t − Ȳ_pre) − (C_t − C̄_pre)
 * is e_t before (mean 0 over t = 0..7) and e_t − 1 after (mean −1 over t = 8..11): the effect is
 * −1 exactly, and the pre-period trend of the contrast is about 0. x1 (dermatology, never
 * trained, 100 every week) is not comparable: not among the controls (2, not 3).
 */
function weeklyRows(double: string, from: string, to: string) {
  const rows: string[] = [];
  for (let t = 0; t < 12; t++) {
    const w = addDays('2026-01-05', 7 * t);
    if (w < from || w >= to) continue;
    const e = t % 2 === 0 ? 0.1 : -0.1;
    const v = (u: string, x: number) =>
      rows.push(`('${u}', CAST('${w}' AS DATE), CAST(40 AS ${double}), CAST(${x} AS ${double}))`);
    for (const u of ['n1', 'n2']) v(u, 5 + 0.1 * t);
    for (const u of ['t1', 't2']) v(u, 6 + 0.1 * t + e - (t >= 8 ? 1 : 0));
    v('x1', 100);
  }
  return cte(
    'clinician_rows',
    sql`SELECT * FROM (VALUES ${rows.join(', ')}) AS t(user_id, period_start, scheduled_hours, ib_time8)`,
  );
}

for (const engine of engines()) {
  describe(`training effect (${engine.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
      await loadDataset(store, {
        events: [],
        clinicians: [
          ...['t1', 't2', 'n1', 'n2'].map((u) => ({
            user_id: u,
            role: 'physician',
            specialty: 'cardiology',
            department: 'A',
          })),
          { user_id: 'x1', role: 'physician', specialty: 'dermatology', department: 'B' },
        ],
      });
      for (const u of ['t1', 't2'])
        await store.run(
          `INSERT INTO training (user_id, course, completed_at, hours, source) VALUES ($1, 'Inbox zero', CAST('2026-03-02T15:00:00Z' AS TIMESTAMPTZ), 1, 'csv')`,
          [u],
        );
      await store.run(
        `INSERT INTO training (user_id, course, completed_at, hours, source) VALUES ('n1', 'Unmapped course', CAST('2026-03-02T15:00:00Z' AS TIMESTAMPTZ), 1, 'csv')`,
      );
      await saveTool(
        store,
        parseTool({
          name: 'inbox-pools',
          actions: ['pool_*'],
          courses: ['Inbox*'],
          target_metric: 'ib_time8',
          target_direction: 'decrease',
        }),
      );
    });
    afterAll(async () => store.close());

    const run = (course: string, today = '2026-03-31') =>
      trainingEffect(store, course, {
        today,
        timezone: 'America/New_York',
        weekly: async (from, to) => weeklyRows(store.dialect.double, from, to),
      });

    it('estimates the change against clinicians not yet trained, with its interval', async () => {
      const r = await run('Inbox zero');
      expect(r).toMatchObject({
        course: 'Inbox zero',
        tool: 'inbox-pools',
        metric: 'ib_time8',
        cohort_week: '2026-03-02',
        // 12 weeks either side of the course week, cut at the current week.
        from: '2025-12-08',
        to: '2026-03-30',
        trained: 2,
        controls: 2,
        insufficient_data: null,
      });
      expect(r.effect!.estimate).toBeCloseTo(-1, 10);
      expect(r.effect!.ci95[0]).toBeLessThan(-1);
      expect(r.effect!.ci95[1]).toBeGreaterThan(-1);
      expect(r.effect!.ci95[1]).toBeLessThan(0);
      expect(Math.abs(r.pre_trend_difference!.estimate)).toBeLessThan(0.05);
      expect(r.assumptions.some((a) => a.startsWith('Parallel trends'))).toBe(true);
    });

    it('says why when the data do not allow an estimate', async () => {
      // Two weeks after the course only (t = 8, 9): at least 3 are needed.
      const early = await run('Inbox zero', '2026-03-17');
      expect(early.effect).toBeNull();
      expect(early.insufficient_data!.reason).toMatch(
        /^only 2 weeks after the course week with a group not yet trained as a control; at least 3 are needed$/,
      );
      const unmapped = await run('Unmapped course');
      expect(unmapped.insufficient_data!.reason).toContain(
        'no tool names “Unmapped course” among its courses with a target metric',
      );
      expect((await run('Inbox never taken')).insufficient_data!.reason).toBe(
        'nobody has completed “Inbox never taken” in the training records',
      );
    });
  });
}
