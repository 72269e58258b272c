/**
 * The estimators against values worked out by hand (the arithmetic is in the comments), textbook
 * t quantiles, exact recovery on noiseless series, and every insufficient-data path.
 */
import { describe, expect, it } from 'vitest';
import {
  bartlett,
  combination,
  defaultLag,
  estimate,
  neweyWest,
  ols,
  ratio,
  tQuantile,
} from './regression.ts';
import { interruptedTimeSeries, type ItsOptions, type WeekValue } from './its.ts';
import { differenceInDifferences, type GroupSeries } from './did.ts';

const close = (a: number, b: number, tol = 1e-9) =>
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

/** y = 1, 3, 2, 5, 4 on x = 1 … 5 with an intercept. */
const X5 = [1, 2, 3, 4, 5].map((x) => [1, x]);
const Y5 = [1, 3, 2, 5, 4];

describe('OLS', () => {
  it('matches the hand-worked coefficients and residuals', () => {
    // x̄ = 3, ȳ = 3; Sxy = (−2)(−2) + (−1)(0) + 0(−1) + 1(2) + 2(1) = 8; Sxx = 10
    // slope = 8/10 = 0.8; intercept = 3 − 0.8·3 = 0.6; fitted 1.4, 2.2, 3.0, 3.8, 4.6
    const f = ols(X5, Y5)!;
    close(f.beta[0]!, 0.6);
    close(f.beta[1]!, 0.8);
    [-0.4, 0.8, -1.0, 1.2, -0.6].forEach((e, i) => close(f.residuals[i]!, e));
    // (X'X)⁻¹ = [[5, 15], [15, 55]]⁻¹ = (1/50)[[55, −15], [−15, 5]]
    close(f.xtxInv[0]![0]!, 1.1);
    close(f.xtxInv[0]![1]!, -0.3);
    close(f.xtxInv[1]![1]!, 0.1);
  });

  it('refuses a design without full column rank', () => {
    expect(
      ols(
        [
          [1, 2],
          [1, 2],
          [1, 2],
        ],
        [1, 2, 3],
      ),
    ).toBeNull();
    expect(ols([[1, 1]], [1])).toBeNull();
  });
});

describe('Newey–West', () => {
  it('matches the hand-worked covariance with lag 1', () => {
    // e = −0.4, 0.8, −1.0, 1.2, −0.6; x_t = (1, t).
    // Ω0 = Σ e² x x' = [[3.6, 12.0], [12.0, 43.76]]
    // lag-1 products p_t = e_t e_{t−1}: −0.32, −0.8, −1.2, −0.72 (t = 2 … 5), Σp = −3.04
    // Ω1 + Ω1' = [[2Σp, Σp(2t−1)], [Σp(2t−1), 2Σp·t(t−1)]] = [[−6.08, −19.84], [−19.84, −68.48]]
    // S = Ω0 + ½(Ω1 + Ω1') = [[0.56, 2.08], [2.08, 9.52]]
    // V = (X'X)⁻¹ S (X'X)⁻¹ = [[0.1616, −0.0544], [−0.0544, 0.0208]]
    const f = ols(X5, Y5)!;
    const V = neweyWest(X5, f, [1, 2, 3, 4, 5], 1, false);
    close(V[0]![0]!, 0.1616);
    close(V[0]![1]!, -0.0544);
    close(V[1]![0]!, -0.0544);
    close(V[1]![1]!, 0.0208);
    // With the n/(n − k) = 5/3 correction: se(slope) = √(0.0208 · 5/3) = 0.186189…
    const Va = neweyWest(X5, f, [1, 2, 3, 4, 5], 1, true);
    close(Math.sqrt(Va[1]![1]!), Math.sqrt((0.0208 * 5) / 3));
    close(Math.sqrt(Va[1]![1]!), 0.18618986725025255, 1e-12);
  });

  it('is White’s heteroskedasticity-robust covariance at lag 0', () => {
    // V = (X'X)⁻¹ Ω0 (X'X)⁻¹ with Ω0 above: [[0.3744, −0.1008], [−0.1008, 0.0416]]
    const f = ols(X5, Y5)!;
    const V = neweyWest(X5, f, [1, 2, 3, 4, 5], 0, false);
    close(V[0]![0]!, 0.3744);
    close(V[0]![1]!, -0.1008);
    close(V[1]![1]!, 0.0416);
  });

  it('gives the Bartlett long-run variance of a mean (intercept-only model), lag 2', () => {
    // y = 2, 4, 3, 6, 5, 7: mean 4.5, e = −2.5, −0.5, −1.5, 1.5, 0.5, 2.5
    // γ0 = Σe² = 17.5; γ1 = Σ e_t e_{t−1} = 1.75; γ2 = Σ e_t e_{t−2} = 6.0
    // S = γ0 + 2(2/3)γ1 + 2(1/3)γ2 = 17.5 + 2.3333… + 4 = 23.8333…; Var(mean) = S / n² = 0.662037…
    const X = Array.from({ length: 6 }, () => [1]);
    const f = ols(X, [2, 4, 3, 6, 5, 7])!;
    close(f.beta[0]!, 4.5);
    const V = neweyWest(X, f, [0, 1, 2, 3, 4, 5], 2, false);
    close(V[0]![0]!, 143 / 6 / 36);
  });

  it('measures lags in weeks, so a missing week breaks adjacency', () => {
    // Times 0, 1, 3: with lag 1 only the pair (0, 1) is adjacent.
    const X = [[1], [1], [1]];
    const f = ols(X, [1, 2, 6])!; // mean 3, e = −2, −1, 3
    const V = neweyWest(X, f, [0, 1, 3], 1, false);
    // S = 4 + 1 + 9 + 2 · ½ · (−2)(−1) = 16; Var = 16 / 9
    close(V[0]![0]!, 16 / 9);
  });

  it('uses Bartlett weights and the Newey–West (1994) lag rule', () => {
    expect(bartlett(0, 2)).toBe(1);
    close(bartlett(1, 2), 2 / 3);
    expect(bartlett(3, 2)).toBe(0);
    // ⌊4 (n/100)^{2/9}⌋: n = 20 → ⌊2.80⌋ = 2; n = 100 → 4; n = 8 → ⌊2.28⌋ = 2
    expect(defaultLag(20)).toBe(2);
    expect(defaultLag(100)).toBe(4);
    expect(defaultLag(8)).toBe(2);
  });
});

describe('t intervals and combinations', () => {
  it('uses textbook t quantiles', () => {
    // Student's t table: t(0.975; 3) = 3.182, t(0.975; 10) = 2.228, t(0.975; 30) = 2.042
    close(tQuantile(0.975, 3), 3.18244630528371, 1e-7);
    close(tQuantile(0.975, 10), 2.228138851986274, 1e-7);
    close(tQuantile(0.975, 30), 2.042272456301238, 1e-7);
    const e = estimate(1, 0.5, 10);
    close(e.ci95[0], 1 - 0.5 * 2.228138851986274, 1e-7);
    close(e.p_value, 0.0733880347707, 1e-6); // 2·(1 − F_t(2; 10))
  });

  it('combines coefficients and takes ratios by the delta method', () => {
    const beta = [2, 1];
    const V = [
      [0.04, 0.01],
      [0.01, 0.09],
    ];
    const c = combination(beta, V, [1, 1]);
    close(c.value, 3);
    close(c.se, Math.sqrt(0.04 + 0.09 + 2 * 0.01));
    // g = β1/β0 = 0.5; ∇g = (a − g b)/B = ([0, 1] − 0.5[1, 0]) / 2 = [−0.25, 0.5]
    // Var = 0.0625·0.04 + 0.25·0.09 + 2(−0.25)(0.5)(0.01) = 0.0025 + 0.0225 − 0.0025 = 0.0225
    const r = ratio(beta, V, [0, 1], [1, 0])!;
    close(r.value, 0.5);
    close(r.se, 0.15);
  });
});

const ITS: ItsOptions = {
  goLiveT: 10,
  transitionWeeks: 0,
  minPre: 8,
  minPost: 4,
  lag: 'auto',
  seasonality: 'none',
};

function line(n: number, f: (t: number) => number): WeekValue[] {
  return Array.from({ length: n }, (_, t) => ({ t, weekOfYear: (t % 52) + 1, value: f(t) }));
}

describe('interrupted time series (Wagner et al. 2002)', () => {
  it('recovers trend, level change and slope change exactly from a noiseless series', () => {
    // 10 + 0.2 t before week 10; from week 12 (2-week transition): −1.5 in level, +0.1 a week.
    const s = line(20, (t) =>
      t < 10 ? 10 + 0.2 * t : t < 12 ? 99 : 10 + 0.2 * t - 1.5 + 0.1 * (t - 12),
    );
    const r = interruptedTimeSeries(s, { ...ITS, transitionWeeks: 2 });
    expect(r.insufficient_data).toBeUndefined();
    expect(r).toMatchObject({ n_pre: 10, n_post: 8, n_transition_excluded: 2 });
    const e = r.fit!.estimates;
    close(e.pre_trend.estimate, 0.2, 1e-9);
    close(e.baseline_level.estimate, 10 + 0.2 * 12, 1e-9); // the pre-trend projected to week 12
    close(e.level_change.estimate, -1.5, 1e-9);
    close(e.slope_change.estimate, 0.1, 1e-9);
    // average over post weeks k = 0 … 7: −1.5 + 0.1 · 3.5 = −1.15
    close(e.average_effect.estimate, -1.15, 1e-9);
    // projected mean over the post weeks: 12.4 + 0.2 · 3.5 = 13.1
    close(r.fit!.projected_post_mean, 13.1, 1e-9);
    close(e.relative_average_effect!.estimate, -1.15 / 13.1, 1e-9);
    expect(e.level_change.se).toBeLessThan(1e-9);
    // The fitted line: the modelled weeks only (transition weeks 10 and 11 left out); after
    // go-live the projection is the pre-go-live line carried on.
    const fitted = r.fit!.fitted;
    expect(fitted.map((f) => f.t)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 17, 18, 19,
    ]);
    for (const f of fitted) {
      close(f.fitted, s[f.t]!.value, 1e-9);
      if (f.t < 10) expect(f.projected).toBeNull();
      else close(f.projected!, 10 + 0.2 * f.t, 1e-9);
    }
  });

  it('matches a hand-worked level change: one pre and one post mean, no trend change', () => {
    // With pre and post flat and symmetric noise, OLS gives the level change as the difference in
    // the lines' values at the first post week: pre 5, 6, 5, 6, … (trend 0.0238…) — checked against
    // the closed form of the two separate straight-line fits (segmented regression is equivalent
    // to fitting each segment alone).
    const pre = [5, 6, 5, 6, 5, 6, 5, 6];
    const post = [3, 4, 3, 4, 3, 4];
    const s = [...pre, ...post].map((value, t) => ({ t, weekOfYear: t + 1, value }));
    const r = interruptedTimeSeries(s, { ...ITS, goLiveT: 8 });
    // Pre segment: t = 0 … 7, t̄ = 3.5, ȳ = 5.5, Sty = Σ(t − 3.5)(y − 5.5) = 2 (0.5·4 … ) →
    // Σ (t−3.5)(±0.5) = 0.5(−(−3.5) + (−2.5) − (−1.5) + (−0.5) − 0.5 + 1.5 − 2.5 + 3.5) = 0.5·4 = 2,
    // Stt = 42, slope 2/42, value at t = 8: 5.5 + (2/42)(4.5) = 5.714285…
    // Post segment: t = 8 … 13, t̄ = 10.5, ȳ = 3.5, Sty = 0.5(2.5 − 1.5 + 0.5 + 0.5 − 1.5 + 2.5) … = 1.5,
    // Stt = 17.5, slope 1.5/17.5 = 0.0857…, value at t = 8: 3.5 − 0.0857·2.5 = 3.285714…
    // level change = 3.285714 − 5.714286 = −2.428571…; slope change = 0.085714 − 0.047619
    const e = r.fit!.estimates;
    close(e.pre_trend.estimate, 2 / 42, 1e-9);
    close(e.level_change.estimate, 3.5 - (1.5 / 17.5) * 2.5 - (5.5 + (2 / 42) * 4.5), 1e-9);
    close(e.slope_change.estimate, 1.5 / 17.5 - 2 / 42, 1e-9);
  });

  it('reports every insufficient-data reason instead of a number', () => {
    const s = line(20, (t) => 5 + Math.sin(t));
    const few = interruptedTimeSeries(s, { ...ITS, goLiveT: 5 });
    expect(few.fit).toBeNull();
    expect(few.insufficient_data!.reason).toMatch(
      /only 5 weeks with data before go-live; at least 8/,
    );
    const late = interruptedTimeSeries(s, { ...ITS, goLiveT: 18 });
    expect(late.insufficient_data!.reason).toMatch(
      /only 2 weeks with data after go-live; at least 4/,
    );
    const trans = interruptedTimeSeries(s, { ...ITS, goLiveT: 14, transitionWeeks: 3 });
    expect(trans.insufficient_data!.reason).toMatch(/after go-live and its 3-week transition/);
    const flat = interruptedTimeSeries(
      line(20, (t) => (t < 10 ? 0 : t / 10)),
      ITS,
    );
    expect(flat.insufficient_data!.reason).toMatch(
      /did not change before go-live \(every week 0\)/,
    );
    const seas = interruptedTimeSeries(s, { ...ITS, seasonality: 'fourier' });
    expect(seas.insufficient_data!.reason).toMatch(
      /seasonality by week of year needs at least 52 weeks/,
    );
    const gap = interruptedTimeSeries(
      s.filter((p) => p.t % 2 === 0 || p.t < 10),
      { ...ITS, minPost: 1 },
    );
    expect(gap.fit).not.toBeNull();
    const none = interruptedTimeSeries([], ITS);
    expect(none.insufficient_data!.reason).toMatch(/only 0 weeks/);
  });

  it('fits seasonal terms with two years of data', () => {
    const s = line(
      120,
      (t) =>
        10 + 0.01 * t + Math.sin((2 * Math.PI * ((t % 52) + 1)) / 52.1775) + (t >= 100 ? -1 : 0),
    );
    const r = interruptedTimeSeries(s, { ...ITS, goLiveT: 100, seasonality: 'fourier' });
    close(r.fit!.estimates.level_change.estimate, -1, 1e-6);
  });
});

const series = (
  label: string,
  goLiveT: number | null,
  f: (t: number) => number,
  weeks = 20,
): GroupSeries => ({
  label,
  goLiveT,
  weight: 1,
  values: new Map(Array.from({ length: weeks }, (_, t) => [t, f(t)])),
});

describe('difference-in-differences with not-yet-live controls', () => {
  const DID = { transitionWeeks: 0, minPre: 8, minPost: 4, lag: 'auto' as const };
  const shock = (t: number) => [0, 1, -1, 2, 0, -2, 1, 0, 1, -1][t % 10]!;

  it('recovers a constant effect exactly when groups share their shocks', () => {
    // Treated: 5 + shock + (−0.8 after week 10); controls: 7 + shock and 3 + shock.
    const t = series('T', 10, (w) => 5 + shock(w) + (w >= 10 ? -0.8 : 0));
    const c1 = series('C1', null, (w) => 7 + shock(w));
    const c2 = series('C2', 15, (w) => 3 + shock(w) + (w >= 15 ? 9 : 0));
    const r = differenceInDifferences([t], [t, c1, c2], DID);
    const f = r.fit!;
    close(f.att.estimate, -0.8, 1e-12);
    expect(f.att.se).toBeLessThan(1e-9);
    // C2 is a control until its own go-live in week 15, then only C1 is.
    expect(f.by_week.find((w) => w.t === 14)!.controls).toBe(2);
    expect(f.by_week.find((w) => w.t === 15)!.controls).toBe(1);
    expect(f.controls).toEqual(['C1', 'C2']);
    close(f.relative_att!.estimate, -0.8 / 5.1, 1e-12); // pre mean 5 + mean shock of weeks 0–9 (0.1)
    close(f.pre_trend_difference!.estimate, 0, 1e-12);
    expect(r).toMatchObject({ n_pre: 10, n_post: 10, n_transition_excluded: 0 });
  });

  it('never uses a group that is already live, or of the same wave, as a control', () => {
    const t = series('T', 10, (w) => 5 + (w >= 10 ? -1 : 0));
    const early = series('E', 6, (w) => 5 + (w >= 6 ? -3 : 0));
    const same = series('S', 10, (w) => 5 + (w >= 10 ? -3 : 0));
    const r = differenceInDifferences([t], [t, early, same], DID);
    expect(r.fit).toBeNull();
    expect(r.insufficient_data!.reason).toMatch(
      /no group that is not yet live is left as a control/,
    );
  });

  it('reports every insufficient-data reason instead of a number', () => {
    const t = series('T', 10, (w) => 5 + Math.sin(w));
    const short = series('C', null, (w) => 5 + Math.cos(w));
    short.values = new Map([...short.values].filter(([w]) => w >= 5));
    expect(differenceInDifferences([t], [short], DID).insufficient_data!.reason).toMatch(
      /fewer than 8 weeks of data before go-live/,
    );
    const soon = series('C', 12, (w) => 5 + Math.cos(w));
    expect(differenceInDifferences([t], [soon], DID).insufficient_data!.reason).toMatch(
      /only 2 weeks after go-live with a group still not live as a control; at least 4/,
    );
    const c = series('C', null, (w) => 5 + Math.cos(w));
    const early = series('T', 5, (w) => 5 + Math.sin(w));
    expect(differenceInDifferences([early], [c], DID).insufficient_data!.reason).toMatch(
      /only 5 weeks with data before go-live; at least 8/,
    );
    const trans = differenceInDifferences([t], [c], { ...DID, transitionWeeks: 7 });
    expect(trans.insufficient_data!.reason).toMatch(/after go-live and its 7-week transition/);
  });

  it('pools a wave of groups with their weights', () => {
    const a = { ...series('A', 10, (w) => 4 + shock(w) + (w >= 10 ? -1 : 0)), weight: 3 };
    const b = { ...series('B', 10, (w) => 6 + shock(w) + (w >= 10 ? -2 : 0)), weight: 1 };
    const c = series('C', null, (w) => 5 + shock(w));
    const r = differenceInDifferences([a, b], [a, b, c], DID);
    close(r.fit!.att.estimate, (3 * -1 + 1 * -2) / 4, 1e-12);
  });
});
