/**
 * Seeded weekly panels with known go-live effects, for checking the estimators: groups going live
 * in waves (or never), each with its own level, a common trend, week shocks shared by all groups
 * (holidays, flu season), AR(1) noise of its own, and for live groups an effect of
 * `level + slope × k` in the k-th week after the transition (k = 0, 1, …), with an optional
 * disturbance during the transition weeks.
 */
import { Rng } from '../synth/prng.ts';

export interface SimGroup {
  label: string;
  /** Week index of go-live, or null (never live). */
  goLiveT: number | null;
  level: number;
}

export interface SimOptions {
  weeks: number;
  groups: SimGroup[];
  trend: number;
  /** Effect at the first week after the transition, and its change per week after that. */
  effectLevel: number;
  effectSlope: number;
  transitionWeeks: number;
  /** Added during the transition weeks (e.g. the go-live dip). */
  transitionBump: number;
  /** Standard deviation of each group's noise, and its lag-1 autocorrelation. */
  sd: number;
  rho: number;
  /** Standard deviation of shocks shared by every group in a week. */
  commonSd: number;
  seed: number;
}

/** Week index → value, per group. */
export function simulatePanel(o: SimOptions): Map<number, number>[] {
  const rng = new Rng(o.seed);
  const common = Array.from({ length: o.weeks }, () => o.commonSd * rng.normal());
  return o.groups.map((g) => {
    const out = new Map<number, number>();
    // Stationary AR(1): start from its marginal distribution.
    let u = (o.sd / Math.sqrt(1 - o.rho * o.rho)) * rng.normal();
    for (let t = 0; t < o.weeks; t++) {
      if (t > 0) u = o.rho * u + o.sd * rng.normal();
      let y = g.level + o.trend * t + (common[t] as number) + u;
      if (g.goLiveT !== null && t >= g.goLiveT) {
        const k = t - g.goLiveT - o.transitionWeeks;
        y += k < 0 ? o.transitionBump : o.effectLevel + o.effectSlope * k;
      }
      out.set(t, y);
    }
    return out;
  });
}
