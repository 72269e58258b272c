import { tQuantile } from '../analysis/stats/regression.ts';

/** A straight line fitted to points and its value at one x, with a 95% prediction interval. */
export interface LinearProjection {
  intercept: number;
  slope: number;
  n: number;
  /** Residual standard deviation, √(Σe² / (n − 2)). */
  s: number;
  /** Where the line is evaluated. */
  x: number;
  value: number;
  /** Where a new observation at x falls with 95% probability, under the line's assumptions. */
  pi95: [number, number];
}

/**
 * Ordinary least squares of y on x, written out (closed form, so a projection exactly on a value
 * is computed exactly), and the 95% prediction interval of a new observation at `x`
 * (e.g. Montgomery, Peck & Vining, Introduction to Linear Regression Analysis, eq. 2.45):
 *
 *   b = Sxy / Sxx,  a = ȳ − b·x̄,  ŷ = a + b·x,
 *   ŷ ± t(0.975, n − 2) · s · √(1 + 1/n + (x − x̄)² / Sxx)
 *
 * Null with fewer than three points or when all x are equal (no line, or no spread left).
 */
export function linearProjection(
  points: readonly { x: number; y: number }[],
  x: number,
): LinearProjection | null {
  const n = points.length;
  if (n < 3) return null;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const sse = points.reduce((s, p) => s + (p.y - (intercept + slope * p.x)) ** 2, 0);
  const s = Math.sqrt(sse / (n - 2));
  const value = intercept + slope * x;
  const half = tQuantile(0.975, n - 2) * s * Math.sqrt(1 + 1 / n + (x - mx) ** 2 / sxx);
  return { intercept, slope, n, s, x, value, pi95: [value - half, value + half] };
}
