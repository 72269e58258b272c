import type { TargetDirection } from '../model/evaluationMetrics.ts';

/** Whether a proposed target can be told from week-to-week variation (§1), before anyone votes. */
export interface NoiseCheck {
  /** 1.96 × √2 × noise / 2: the smallest change between two 4-week means noise alone would not produce. */
  smallest_change: number;
  /** |target − baseline| < smallest_change: shown as "cannot be told from week-to-week variation". */
  within_noise: boolean;
  /** The target lies the goal's way from the baseline (below it for `decrease`). */
  direction_ok: boolean;
}

/**
 * §1 Within noise. The threshold is the 95% half-width of a difference of two 4-week means of
 * independent weekly values with standard deviation `noise`: 1.96 × √(2 × noise²/4) =
 * 1.96 × √2 × noise / 2. The comparison is strict: a gap exactly at the threshold is not noise.
 * `direction_ok` is not in the spec: a `decrease` goal whose target is at or above the baseline
 * has nothing to decrease, which the form should say as well.
 */
export function noiseCheck(
  baseline: { mean: number; noise: number },
  target: number,
  direction: TargetDirection,
): NoiseCheck {
  const smallest_change = (1.96 * Math.SQRT2 * baseline.noise) / 2;
  const gap = target - baseline.mean;
  return {
    smallest_change,
    within_noise: Math.abs(gap) < smallest_change,
    direction_ok: direction === 'decrease' ? gap < 0 : gap > 0,
  };
}
