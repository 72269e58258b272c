/**
 * The evaluation pipeline on the hand-built system of `evaluationFixture.ts`, on every engine:
 * weekly metric values from the metrics engine summarised per group, both models per live group
 * and per wave, the controls, and every insufficient-data path of the pipeline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import { DEFAULT_OPTIONS } from '../model/options.ts';
import { evaluate, EVALUATION_DEFAULTS, type EvaluateRequest } from './evaluate.ts';
import { getTool, parseTool, saveTool } from './tools.ts';
import { buildEvaluationFixture, inboxMinutes, WEEKS } from '../testing/evaluationFixture.ts';
import { addDays } from './weeks.ts';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

for (const engine of engines()) {
  describe(`go-live evaluation (${engine.name})`, () => {
    let store: Store;
    let base: EvaluateRequest;
    beforeAll(async () => {
      store = await engine.open();
      await buildEvaluationFixture(store);
      base = {
        tool: await getTool(store, 'scribe'),
        metrics: ['ib_time8'],
        by: 'department',
        from: '2026-01-05',
        to: addDays('2026-01-05', 7 * WEEKS),
        metricOptions: { ...DEFAULT_OPTIONS, timezone: 'UTC' },
        ...EVALUATION_DEFAULTS,
      };
    }, 120_000);
    afterAll(async () => store.close());

    it('summarises the metrics engine’s weekly values per group (median across clinicians)', async () => {
      const r = await evaluate(store, base);
      const a = r.series.filter((s) => s.group === 'A' && s.metric === 'ib_time8');
      expect(a).toHaveLength(WEEKS);
      for (const w of [0, 9, 10, 19]) {
        const expected = median([0, 1, 2].map((i) => ((inboxMinutes(0, i, w) / 60) * 8) / 4));
        expect(a[w]!.value).toBeCloseTo(expected, 9);
        expect(a[w]!.n).toBe(3);
      }
      expect(r.options['weekly_metrics_from_cache']).toBe(false); // no import: never cached
    });

    it('estimates the drop of 0.2 per live group and per wave, against not-yet-live controls', async () => {
      const r = await evaluate(store, base);
      const rows = new Map(r.results.map((x) => [x.group, x]));
      expect([...rows.keys()]).toEqual(['A', 'B', 'C', 'wave 2026-03-16 (A, B)', 'D']);
      expect(rows.get('B')!.go_live).toBe('2026-03-18');
      for (const g of ['A', 'B']) {
        const row = rows.get(g)!;
        const its = row.its!.estimates!['average_effect']!;
        const did = row.did!.estimates!['att']!;
        expect(its.ci95[0]).toBeLessThan(-0.2 + 1e-9);
        expect(its.ci95[1]).toBeGreaterThan(-0.2 - 1e-9);
        expect(Math.abs(did.estimate + 0.2)).toBeLessThan(0.06);
        expect(did.ci95[0]).toBeLessThanOrEqual(-0.2 + 1e-9);
        expect(did.ci95[1]).toBeGreaterThanOrEqual(-0.2 - 1e-9);
        // C is a control until its own go-live (week 14), D throughout
        expect(row.did!.controls).toEqual(['C', 'D']);
        expect(row.its!.model).toMatch(/Wagner et al. 2002/);
        expect(row.its!.assumptions.join(' ')).toMatch(/trend/);
        expect(row.did!.assumptions.join(' ')).toMatch(/parallel trends/);
        expect(row.its!.interpretation).toMatch(/IB-Time8/);
      }
      // The fitted line: every modelled week of A (no transition: all 20), in the series' weeks;
      // the projection only from go-live (week 10) on.
      const fitted = rows.get('A')!.its!.fitted!;
      expect(fitted.map((f) => f.week_start)).toEqual(
        Array.from({ length: WEEKS }, (_, w) => addDays('2026-01-05', 7 * w)),
      );
      expect(fitted.filter((f) => f.projected !== null)).toHaveLength(WEEKS - 10);
      expect(fitted[10]!.projected! - fitted[10]!.fitted).toBeCloseTo(
        -rows.get('A')!.its!.estimates!['level_change']!.estimate,
        9,
      );
      expect(rows.get('C')!.did!.controls).toEqual(['D']);
      expect(rows.get('wave 2026-03-16 (A, B)')!.clinicians).toBe(6);
      expect(rows.get('D')!.kind).toBe('control');
    });

    it('takes the weekly rows from a caller that holds them, with the same result', async () => {
      const direct = await evaluate(store, base);
      let calls = 0;
      const { weeklyClinicianRows } = await import('./metricCache.ts');
      const { parseRequest } = await import('../metrics/computeMetrics.ts');
      const rows = (
        await weeklyClinicianRows(
          store,
          parseRequest({
            from: base.from,
            to: base.to,
            period: 'week',
            options: base.metricOptions,
          }),
          { cache: false },
        )
      ).rows;
      const viaProvider = await evaluate(store, {
        ...base,
        weeklyRows: () => {
          calls++;
          return Promise.resolve(rows);
        },
      });
      expect(calls).toBe(1);
      expect(viaProvider.results).toEqual(direct.results);
      expect(viaProvider.series).toEqual(direct.series);
    });

    it('says why instead of giving a number when data are insufficient', async () => {
      const r = await evaluate(store, { ...base, minPre: 12 });
      const a = r.results.find((x) => x.group === 'A')!;
      expect(a.its!.insufficient_data!.reason).toMatch(
        /only 10 weeks with data before go-live; at least 12/,
      );
      expect(a.its!.estimates).toBeUndefined();
      expect(a.did!.insufficient_data!.reason).toMatch(/only 10 weeks/);
      expect(a.its!.n_pre).toBe(10);
      // C: after its transition only weeks 17–19 remain; D is its only control
      const c = (await evaluate(store, { ...base, transitionWeeks: 3 })).results.find(
        (x) => x.group === 'C',
      )!;
      expect(c.its!.insufficient_data!.reason).toMatch(
        /only 3 weeks with data after go-live and its 3-week transition; at least 4/,
      );
      // A range that ends before C's go-live
      const early = await evaluate(store, { ...base, to: '2026-04-06' });
      expect(early.results.find((x) => x.group === 'C')!.its!.insufficient_data!.reason).toMatch(
        /after the last week analysed/,
      );
      // A range that starts after A's go-live
      const late = await evaluate(store, { ...base, from: '2026-03-23' });
      expect(late.results.find((x) => x.group === 'A')!.its!.insufficient_data!.reason).toMatch(
        /before the first week analysed/,
      );
      // Adoption of the tool itself: zero every week before go-live
      const ad = await evaluate(store, { ...base, metrics: ['adoption.active_share'] });
      expect(ad.results.find((x) => x.group === 'A')!.its!.insufficient_data!.reason).toMatch(
        /did not change before go-live \(every week 0\)/,
      );
      // Every group live at once: no control left
      await saveTool(
        store,
        parseTool({
          name: 'all-at-once',
          actions: ['scribe_*'],
          golives: [{ group_by: 'org', group: 'x', date: '2026-03-16' }],
        }),
      );
      const all = await evaluate(store, { ...base, tool: await getTool(store, 'all-at-once') });
      expect(all.results[0]!.did!.insufficient_data!.reason).toMatch(
        /no group that is not yet live is left as a control/,
      );
      expect(all.results[0]!.its!.estimates).toBeDefined();
    });
  });
}
