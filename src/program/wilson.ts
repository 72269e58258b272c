/** A share with its Wilson 95% score interval. */
export interface WilsonShare {
  share: number;
  successes: number;
  n: number;
  ci95: [number, number];
}

/** The 95% normal quantile the program's rules use (as `docs/program.md` writes it: 1.96). */
const Z = 1.96;

/**
 * `successes` of `n` with the Wilson score interval (Wilson 1927; Newcombe, Stat Med
 * 1998;17:857–872, method 3):
 *
 *   (p + z²/2n ± z √(p(1−p)/n + z²/4n²)) / (1 + z²/n),   z = 1.96
 *
 * which stays inside [0, 1] and is not degenerate at 0 or n successes, unlike the Wald interval.
 * Null when n = 0 (no share to tell).
 */
export function wilsonInterval(successes: number, n: number): WilsonShare | null {
  if (!(n > 0)) return null;
  if (!Number.isInteger(successes) || !Number.isInteger(n) || successes < 0 || successes > n)
    throw new RangeError(`wilsonInterval: ${successes} of ${n} is not a count of a count`);
  const p = successes / n;
  const z2 = Z * Z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (Z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return {
    share: p,
    successes,
    n,
    ci95: [Math.max(0, centre - half), Math.min(1, centre + half)],
  };
}
