/**
 * The scores of §3 as pure functions over plain values: a response's SUS score and net
 * satisfaction, and a group's scores from the counts and moments the store's SQL computes over
 * its responses (so no response is read into JavaScript). Each formula is written out where it is
 * used; `surveyScores.test.ts` checks them on sheets computed by hand.
 */
import { tQuantile } from '../analysis/stats/regression.ts';
import { welchFromMoments } from './welch.ts';

/** The 95% normal quantile of §3 (as `docs/program.md` writes it). */
const Z = 1.96;

/**
 * SUS score of one response (Brooke 1996): 2.5 × (Σ over odd items of (x − 1) + Σ over even items
 * of (5 − x)), 0–100. `answers[k]` is item k + 1 (1–5). Null when any of the ten is missing: a
 * partial sheet has no score (§3).
 */
export function susScore(answers: readonly (number | null | undefined)[]): number | null {
  if (answers.length !== 10) return null;
  let sum = 0;
  for (let k = 0; k < 10; k++) {
    const x = answers[k];
    if (x === null || x === undefined || !Number.isInteger(x) || x < 1 || x > 5) return null;
    // item k + 1 is odd when k is even
    sum += k % 2 === 0 ? x - 1 : 5 - x;
  }
  return 2.5 * sum;
}

/**
 * One respondent's net satisfaction (§3): (answers of 4–5 − answers of 1–2) / items answered, in
 * [−1, 1]; null when they answered none.
 */
export function netOfRespondent(answers: readonly (number | null | undefined)[]): number | null {
  const given = answers.filter((x): x is number => typeof x === 'number');
  if (!given.length) return null;
  const agree = given.filter((x) => x >= 4).length;
  const disagree = given.filter((x) => x <= 2).length;
  return (agree - disagree) / given.length;
}

/** A mean with its 95% t-interval (null with fewer than two values: no spread to tell). */
export interface SurveyMean {
  n: number;
  mean: number;
  sd: number | null;
  ci95: [number, number] | null;
}

/**
 * A group's mean from its count, mean and sample standard deviation (denominator n − 1), with the
 * 95% Student-t interval mean ± t(0.975, n − 1) · sd / √n. Null when n = 0.
 */
export function meanFromMoments(
  n: number,
  mean: number | null,
  sd: number | null,
): SurveyMean | null {
  if (!(n > 0) || mean === null) return null;
  if (n < 2 || sd === null) return { n, mean, sd: null, ci95: null };
  const half = tQuantile(0.975, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, sd, ci95: [mean - half, mean + half] };
}

/**
 * The adjective bands of SUS means, from Bangor, Kortum & Miller, "Determining what individual
 * SUS scores mean: adding an adjective rating scale", *Journal of Usability Studies* 4(3):114–123,
 * 2009, Table 3: the mean SUS score of the products rated with each adjective was worst imaginable
 * 12.5, awful 20.3, poor 35.7, OK 50.9, good 71.4, excellent 85.5, best imaginable 90.9. A score
 * takes the adjective whose mean is nearest, so each boundary is the midpoint of two adjacent
 * means (below the boundary: the lower band).
 */
export const SUS_BANDS = [
  { band: 'worst imaginable', below: 16.4 },
  { band: 'awful', below: 28 },
  { band: 'poor', below: 43.3 },
  { band: 'OK', below: 61.15 },
  { band: 'good', below: 78.45 },
  { band: 'excellent', below: 88.2 },
  { band: 'best imaginable', below: Infinity },
] as const;
export type SusBand = (typeof SUS_BANDS)[number]['band'];

/** The adjective band of a SUS score or mean (Bangor, Kortum & Miller 2009; see `SUS_BANDS`). */
export function susBand(score: number): SusBand {
  return SUS_BANDS.find((b) => score < b.below)!.band;
}

/** A group's NPS: the unadjusted point and the adjusted-Wald interval of §3. */
export interface NpsScore {
  n: number;
  promoters: number;
  detractors: number;
  /** 100 × (P − D) / n, unadjusted (§3: the reported point). */
  nps: number;
  /** 100 × (p′ − d′), the centre of the interval. */
  adjusted: number;
  /** SE of p′ − d′ (a proportion; × 100 for NPS points). */
  se: number;
  /** 100 × ((p′ − d′) ± 1.96 SE), clipped to [−100, 100]. */
  ci95: [number, number];
}

/**
 * NPS with the adjusted-Wald interval (§3; B. Rocks, "Interval estimation for the 'Net
 * Promoter Score'", The American Statistician 70(4):365–372, 2016, after Agresti & Coull 1998): n′ = n + 3, p′ = (P + ¾)/n′,
 * d′ = (D + ¾)/n′, SE = √((p′ + d′ − (p′ − d′)²)/n′), interval 100 × ((p′ − d′) ± 1.96 SE)
 * clipped to ±100. Null when n = 0.
 */
export function npsScore(n: number, promoters: number, detractors: number): NpsScore | null {
  if (!(n > 0)) return null;
  if (promoters < 0 || detractors < 0 || promoters + detractors > n)
    throw new RangeError(`npsScore: ${promoters} promoters and ${detractors} detractors of ${n}`);
  const n1 = n + 3;
  const p = (promoters + 0.75) / n1;
  const d = (detractors + 0.75) / n1;
  const se = Math.sqrt((p + d - (p - d) ** 2) / n1);
  const clip = (x: number) => Math.max(-100, Math.min(100, x));
  return {
    n,
    promoters,
    detractors,
    nps: (100 * (promoters - detractors)) / n,
    adjusted: 100 * (p - d),
    se,
    ci95: [clip(100 * (p - d - Z * se)), clip(100 * (p - d + Z * se))],
  };
}

/** A before/after difference (after − before) with its 95% interval. */
export interface SurveyDifference {
  estimate: number;
  se: number;
  /** Welch–Satterthwaite degrees of freedom; null for NPS (a normal interval). */
  df: number | null;
  ci95: [number, number];
}

/**
 * Difference of two means (after − before) with Welch's interval, from each side's moments
 * (`welch.ts`: SE = √(s₁²/n₁ + s₂²/n₂), df by Welch–Satterthwaite, estimate ± t(0.975, df) · SE).
 * Null unless each side has two values.
 */
export { welchFromMoments };

/**
 * NPS after − before (§3): the reported difference is of the unadjusted points; its interval is
 * 100 × ((adjusted after − adjusted before) ± 1.96 √(SE₁² + SE₂²)) of the adjusted-Wald
 * estimates, clipped to ±200 (the range of a difference of two NPS).
 */
export function npsDifference(before: NpsScore, after: NpsScore): SurveyDifference {
  const se = Math.sqrt(before.se ** 2 + after.se ** 2);
  const centre = after.adjusted - before.adjusted;
  const clip = (x: number) => Math.max(-200, Math.min(200, x));
  return {
    estimate: after.nps - before.nps,
    se: 100 * se,
    df: null,
    ci95: [clip(centre - 100 * Z * se), clip(centre + 100 * Z * se)],
  };
}

/** Response rate: responses / people invited (null when nobody was invited). */
export function responseRate(responses: number, invited: number): number | null {
  return invited > 0 ? responses / invited : null;
}
