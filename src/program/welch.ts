import { tQuantile } from '../analysis/stats/regression.ts';

/** A difference of two means with its Welch standard error, degrees of freedom and 95% interval. */
export interface WelchDifference {
  /** mean(after) − mean(before) */
  estimate: number;
  se: number;
  df: number;
  ci95: [number, number];
}

/** One side of a comparison: its count, mean and sample standard deviation (denominator n − 1). */
export interface Moments {
  n: number;
  mean: number;
  sd: number | null;
}

/**
 * mean(after) − mean(before) with Welch's interval (unequal variances):
 * SE = √(s₁²/n₁ + s₂²/n₂), df = SE⁴ / ((s₁²/n₁)²/(n₁−1) + (s₂²/n₂)²/(n₂−1)) (Welch–Satterthwaite),
 * estimate ± t(0.975, df) · SE. Null unless each side has two values. When both sides have no
 * spread the interval is the point itself (df is then taken as n₁ + n₂ − 2).
 */
export function welchDifference(
  before: readonly number[],
  after: readonly number[],
): WelchDifference | null {
  return welchFromMoments(moments(before), moments(after));
}

/** The same from each side's count, mean and standard deviation (as SQL's aggregates give them). */
export function welchFromMoments(before: Moments, after: Moments): WelchDifference | null {
  if (before.n < 2 || after.n < 2 || before.sd === null || after.sd === null) return null;
  const v1 = before.sd ** 2 / before.n;
  const v2 = after.sd ** 2 / after.n;
  const estimate = after.mean - before.mean;
  const se = Math.sqrt(v1 + v2);
  if (se === 0) return { estimate, se, df: before.n + after.n - 2, ci95: [estimate, estimate] };
  const df = (v1 + v2) ** 2 / (v1 ** 2 / (before.n - 1) + v2 ** 2 / (after.n - 1));
  const half = tQuantile(0.975, df) * se;
  return { estimate, se, df, ci95: [estimate - half, estimate + half] };
}

function moments(xs: readonly number[]): Moments {
  const n = xs.length;
  const mean = n ? xs.reduce((s, v) => s + v, 0) / n : NaN;
  const sd = n > 1 ? Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : null;
  return { n, mean, sd };
}
