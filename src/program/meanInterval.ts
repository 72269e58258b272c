import { tQuantile } from '../analysis/stats/regression.ts';

/** A mean with its sample standard deviation and 95% Student-t interval. */
export interface MeanInterval {
  mean: number;
  /** Sample standard deviation (denominator n − 1). */
  sd: number;
  n: number;
  ci95: [number, number];
}

/**
 * The mean of `values` with its 95% t-interval, mean ± t(0.975, n − 1) · sd / √n, and the sample
 * standard deviation. Null with fewer than two values (no spread, no interval).
 */
export function meanInterval(values: readonly number[]): MeanInterval | null {
  const n = values.length;
  if (n < 2) return null;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  const sd = Math.sqrt(ss / (n - 1));
  const half = tQuantile(0.975, n - 1) * (sd / Math.sqrt(n));
  return { mean, sd, n, ci95: [mean - half, mean + half] };
}
