import { tQuantile } from '../analysis/stats/regression.ts';

/** A difference of two means with its Welch standard error, degrees of freedom and 95% interval. */
export interface WelchDifference {
  /** mean(after) − mean(before) */
  estimate: number;
  se: number;
  df: number;
  ci95: [number, number];
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
  const n1 = before.length;
  const n2 = after.length;
  if (n1 < 2 || n2 < 2) return null;
  const m1 = before.reduce((s, v) => s + v, 0) / n1;
  const m2 = after.reduce((s, v) => s + v, 0) / n2;
  const v1 = before.reduce((s, v) => s + (v - m1) ** 2, 0) / (n1 - 1) / n1;
  const v2 = after.reduce((s, v) => s + (v - m2) ** 2, 0) / (n2 - 1) / n2;
  const estimate = m2 - m1;
  const se = Math.sqrt(v1 + v2);
  if (se === 0) return { estimate, se, df: n1 + n2 - 2, ci95: [estimate, estimate] };
  const df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1));
  const half = tQuantile(0.975, df) * se;
  return { estimate, se, df, ci95: [estimate - half, estimate + half] };
}
