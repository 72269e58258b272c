/**
 * Training targets of program.md §4 on hand-built weekly rows, on every engine: above the
 * specialty's 75th percentile (strictly) in 4 of the last 6 weeks, the course from the tool that
 * is meant to lower the metric, counts per unit without names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import { loadDataset } from '../testing/loadDataset.ts';
import type { Store } from '../store/Store.ts';
import { cte, sql } from '../store/cte.ts';
import { parseTool, saveTool } from '../analysis/tools.ts';
import { countTargets, coursesForMetrics, trainingTargets } from './trainingTargets.ts';

const WEEKS = ['2026-02-16', '2026-02-23', '2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23'];

/**
 * Note-Time8 per week, in each of two specialties (cardiology: u1..u5 in department A;
 * dermatology: d1..d5 in department B, the same numbers):
 *   x1 = 1, x2 = 2, x3 = 3, x4 = 4 every week; x5 = 5 in the first four weeks, 0.5 in the last two.
 * Weeks 1–4: 1, 2, 3, 4, 5 → 75th percentile (position 0.75 × 4 = 3) = 4: x5 is above, x4 is
 * at it (not above). Weeks 5–6: 0.5, 1, 2, 3, 4 → 3: x4 is above.
 * x5: 4 weeks above → a target; x4: 2 → not. u6 has no scheduled hours (value 99): not in the
 * population and not a target. d5 already completed the suggested course: not suggested again.
 */
function weeklyCte(double: string) {
  const rows: string[] = [];
  for (const [i, w] of WEEKS.entries())
    for (const p of ['u', 'd']) {
      for (let k = 1; k <= 5; k++) {
        const v = k === 5 ? (i < 4 ? 5 : 0.5) : k;
        rows.push(
          `('${p}${k}', CAST('${w}' AS DATE), CAST(40 AS ${double}), CAST(${v} AS ${double}))`,
        );
      }
      if (p === 'u')
        rows.push(`('u6', CAST('${w}' AS DATE), CAST(0 AS ${double}), CAST(99 AS ${double}))`);
    }
  return cte(
    'clinician_rows',
    sql`SELECT * FROM (VALUES ${rows.join(', ')}) AS t(user_id, period_start, scheduled_hours, note_time8)`,
  );
}

for (const engine of engines()) {
  describe(`training targets (${engine.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
      await loadDataset(store, {
        events: [],
        clinicians: [
          ...[1, 2, 3, 4, 5, 6].map((k) => ({
            user_id: `u${k}`,
            role: 'physician',
            specialty: 'cardiology',
            department: 'A',
          })),
          ...[1, 2, 3, 4, 5].map((k) => ({
            user_id: `d${k}`,
            role: 'physician',
            specialty: 'dermatology',
            department: 'B',
          })),
        ],
      });
      const tr = (u: string, course: string) =>
        store.run(
          `INSERT INTO training (user_id, course, completed_at, hours, source) VALUES ($1, $2, CAST('2026-01-10T15:00:00Z' AS TIMESTAMPTZ), 1, 'csv')`,
          [u, course],
        );
      await tr('u1', 'Ambient notes: getting started');
      await tr('u2', 'Ambient notes: getting started');
      await tr('d5', 'Ambient notes: getting started');
      await tr('u3', 'Ambient notes: advanced tips');
      await tr('u4', 'Inbox zero');
      await saveTool(
        store,
        parseTool({
          name: 'ambient',
          actions: ['ambient_*'],
          courses: ['Ambient notes*'],
          target_metric: 'note_time8',
          target_direction: 'decrease',
        }),
      );
      // A tool meant to raise its metric gives no target (high is good there).
      await saveTool(
        store,
        parseTool({
          name: 'teamwork',
          actions: ['delegate_*'],
          courses: ['Inbox*'],
          target_metric: 'teamwork_orders',
          target_direction: 'increase',
        }),
      );
    });
    afterAll(async () => store.close());

    it('maps a course to a metric through the tool meant to lower it, the most completed first', async () => {
      expect(await coursesForMetrics(store)).toEqual([
        {
          tool: 'ambient',
          metric: 'note_time8',
          // 3 completions against 1 of "advanced tips".
          course: 'Ambient notes: getting started',
          patterns: ['Ambient notes%'],
          eligible: { roles: [], departments: [], specialties: [] },
        },
      ]);
    });

    it('suggests the course to a clinician above the 75th percentile in 4 of 6 weeks', async () => {
      const all = await trainingTargets(store, weeklyCte(store.dialect.double));
      expect(all.map((t) => t.user_id)).toEqual(['u5']);
      const [u5] = all;
      expect(u5).toMatchObject({
        department: 'A',
        metric: 'note_time8',
        tool: 'ambient',
        course: 'Ambient notes: getting started',
        weeks_above: 4,
      });
      expect(u5!.weeks).toEqual(
        WEEKS.map((w, i) => ({
          week_start: w,
          value: i < 4 ? 5 : 0.5,
          p75: i < 4 ? 4 : 3,
          above: i < 4,
        })),
      );
      expect(u5!.why).toContain('above your specialty’s 75th percentile in 4 of the last 6 weeks');
      // Only one's own: another clinician's query returns nothing of u5.
      expect(
        await trainingTargets(store, weeklyCte(store.dialect.double), { userId: 'u4' }),
      ).toEqual([]);
      expect(
        (await trainingTargets(store, weeklyCte(store.dialect.double), { userId: 'u5' })).map(
          (t) => t.user_id,
        ),
      ).toEqual(['u5']);
      expect(countTargets(all)).toEqual([
        {
          department: 'A',
          course: 'Ambient notes: getting started',
          metric: 'note_time8',
          clinicians: 1,
        },
      ]);
    });

    it('offers a course only to the clinicians its tool is for', async () => {
      // The same tool, for department B only: u5 (department A) is no longer offered its course,
      // though B's clinicians do not change A's percentiles (d5 is still excluded: trained).
      await saveTool(
        store,
        parseTool({
          name: 'ambient',
          actions: ['ambient_*'],
          courses: ['Ambient notes*'],
          target_metric: 'note_time8',
          target_direction: 'decrease',
          eligible: { departments: ['B'] },
        }),
      );
      expect(await trainingTargets(store, weeklyCte(store.dialect.double))).toEqual([]);
    });
  });
}
