/**
 * Seeded simulations: the reported 95% intervals cover the known effects in most runs, and a null
 * effect is declared significant in few (about 5% is the nominal rate). Weekly panels of 26 weeks
 * with AR(1) noise (ρ = 0.3), shocks shared by all groups, a common trend and staggered waves.
 */
import { describe, expect, it } from 'vitest';
import { simulatePanel, type SimGroup } from '../../testing/simulate.ts';
import { interruptedTimeSeries } from './its.ts';
import { differenceInDifferences } from './did.ts';

const GROUPS: SimGroup[] = [
  { label: 'A', goLiveT: 12, level: 5 },
  { label: 'B', goLiveT: 12, level: 6 },
  { label: 'C', goLiveT: 18, level: 5.5 },
  { label: 'D', goLiveT: null, level: 4.5 },
  { label: 'E', goLiveT: null, level: 5 },
];
const SEEDS = 150;
const inside = (ci: [number, number], v: number) => ci[0] <= v && v <= ci[1];

function run(effectLevel: number, effectSlope: number) {
  const out = {
    level: 0,
    slope: 0,
    average: 0,
    itsSignificant: 0,
    att: 0,
    didSignificant: 0,
    attWave2: 0,
  };
  for (let seed = 1; seed <= SEEDS; seed++) {
    const panel = simulatePanel({
      weeks: 26,
      groups: GROUPS,
      trend: 0.01,
      effectLevel,
      effectSlope,
      transitionWeeks: 2,
      transitionBump: 0.5,
      sd: 0.25,
      rho: 0.3,
      commonSd: 0.15,
      seed,
    });
    const its = interruptedTimeSeries(
      [...panel[0]!].map(([t, value]) => ({ t, weekOfYear: t + 1, value })),
      { goLiveT: 12, transitionWeeks: 2, minPre: 8, minPost: 4, lag: 'auto', seasonality: 'none' },
    ).fit!.estimates;
    // post weeks k = 0 … 11 after the transition: mean k = 5.5
    if (inside(its.level_change.ci95, effectLevel)) out.level++;
    if (inside(its.slope_change.ci95, effectSlope)) out.slope++;
    if (inside(its.average_effect.ci95, effectLevel + effectSlope * 5.5)) out.average++;
    if (its.average_effect.p_value < 0.05) out.itsSignificant++;
    const series = GROUPS.map((g, i) => ({ ...g, weight: 1, values: panel[i]! }));
    const opts = { transitionWeeks: 2, minPre: 8, minPost: 4, lag: 'auto' as const };
    const wave1 = differenceInDifferences(series.slice(0, 2), series, opts).fit!;
    const ks = wave1.by_week.filter((w) => w.phase === 'post').map((w) => w.t - 14);
    const truth = effectLevel + (effectSlope * ks.reduce((s, k) => s + k, 0)) / ks.length;
    if (inside(wave1.att.ci95, truth)) out.att++;
    if (wave1.att.p_value < 0.05) out.didSignificant++;
    // Wave 2 (C, live at 18) has only the never-live groups as controls, and 6 post weeks.
    const wave2 = differenceInDifferences([series[2]!], series, { ...opts, minPost: 4 }).fit!;
    expect(wave2.controls).toEqual(['D', 'E']);
    const k2 = wave2.by_week.filter((w) => w.phase === 'post').map((w) => w.t - 20);
    if (
      inside(
        wave2.att.ci95,
        effectLevel + (effectSlope * k2.reduce((s, k) => s + k, 0)) / k2.length,
      )
    )
      out.attWave2++;
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v / SEEDS]));
}

describe('intervals on seeded simulations', () => {
  it('cover a known level drop and recovery slope', () => {
    const r = run(-0.6, 0.03);
    console.log('known effect', JSON.stringify(r));
    expect(r['level']).toBeGreaterThanOrEqual(0.88);
    expect(r['slope']).toBeGreaterThanOrEqual(0.88);
    expect(r['average']).toBeGreaterThanOrEqual(0.88);
    expect(r['att']).toBeGreaterThanOrEqual(0.88);
    expect(r['attWave2']).toBeGreaterThanOrEqual(0.85);
    // the effect is large against the noise: found in most runs
    expect(r['didSignificant']).toBeGreaterThanOrEqual(0.7);
  });

  it('do not declare a null effect significant in most runs', () => {
    const r = run(0, 0);
    console.log('null effect', JSON.stringify(r));
    expect(r['itsSignificant']).toBeLessThanOrEqual(0.1);
    expect(r['didSignificant']).toBeLessThanOrEqual(0.1);
    expect(r['average']).toBeGreaterThanOrEqual(0.88);
    expect(r['att']).toBeGreaterThanOrEqual(0.88);
  });
});
