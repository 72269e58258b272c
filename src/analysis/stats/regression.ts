/**
 * Ordinary least squares with Newey–West (HAC) standard errors, and Student-t intervals.
 * Linear algebra from ml-matrix (SVD for the rank, inverse of X'X); the t distribution from jStat.
 * The estimators themselves are written out here, with their formulas.
 */
import { Matrix, SingularValueDecomposition, inverse } from 'ml-matrix';
import jstatPkg from 'jstat';

const { jStat } = jstatPkg;

export interface OlsFit {
  /** β̂ = (X'X)⁻¹ X'y */
  beta: number[];
  /** e = y − Xβ̂ */
  residuals: number[];
  /** (X'X)⁻¹ */
  xtxInv: number[][];
  n: number;
  k: number;
}

/**
 * OLS, β̂ = (X'X)⁻¹X'y (e.g. Greene, Econometric Analysis, 7th ed., eq. 3-6). Returns null when X
 * does not have full column rank (the columns do not separate the effects), judged by its singular
 * values relative to the largest (tolerance 1e-10).
 */
export function ols(X: readonly (readonly number[])[], y: readonly number[]): OlsFit | null {
  const n = X.length;
  const k = X[0]?.length ?? 0;
  if (n === 0 || k === 0 || n < k || y.length !== n) return null;
  const x = new Matrix(X.map((r) => [...r]));
  const svd = new SingularValueDecomposition(x, { autoTranspose: true });
  const sv = svd.diagonal;
  const max = Math.max(...sv);
  if (!(max > 0) || sv.filter((s) => s > max * 1e-10).length < k) return null;
  const xt = x.transpose();
  const xtxInv = inverse(xt.mmul(x));
  const beta = xtxInv.mmul(xt.mmul(Matrix.columnVector([...y]))).to1DArray();
  const residuals = X.map(
    (r, i) => (y[i] as number) - r.reduce((s, v, j) => s + v * (beta[j] as number), 0),
  );
  return { beta, residuals, xtxInv: xtxInv.to2DArray(), n, k };
}

/** Bartlett weight of lag ℓ with truncation lag L: w(ℓ) = 1 − ℓ/(L+1) for ℓ ≤ L, else 0. */
export function bartlett(l: number, lag: number): number {
  return l <= lag ? 1 - l / (lag + 1) : 0;
}

/**
 * Newey & West (1987), "A simple, positive semi-definite, heteroskedasticity and autocorrelation
 * consistent covariance matrix", Econometrica 55(3):703–708:
 *
 *   V̂ = (X'X)⁻¹ Ŝ (X'X)⁻¹,   Ŝ = Σ_t Σ_s w(|τ_t − τ_s|) e_t e_s x_t x_s'
 *
 * with Bartlett weights w (above). Written with the pairs' distance in time τ (weeks), so that a
 * missing week does not make two weeks a fortnight apart count as neighbours; with consecutive
 * times this is the usual Ŝ = Ω₀ + Σ_{ℓ=1..L} w(ℓ)(Ω_ℓ + Ω_ℓ'), Ω_ℓ = Σ_t e_t e_{t−ℓ} x_t x_{t−ℓ}'.
 * `smallSample` multiplies by n/(n−k), the degrees-of-freedom correction of Stata's `newey`.
 */
export function neweyWest(
  X: readonly (readonly number[])[],
  fit: OlsFit,
  times: readonly number[],
  lag: number,
  smallSample = true,
): number[][] {
  const { k, n } = fit;
  const S = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let t = 0; t < n; t++) {
    for (let s = 0; s < n; s++) {
      const w = bartlett(Math.abs((times[t] as number) - (times[s] as number)), lag);
      if (w === 0) continue;
      const ee = w * (fit.residuals[t] as number) * (fit.residuals[s] as number);
      const xt = X[t] as readonly number[];
      const xs = X[s] as readonly number[];
      for (let a = 0; a < k; a++) {
        const row = S[a] as number[];
        for (let b = 0; b < k; b++)
          row[b] = (row[b] as number) + ee * (xt[a] as number) * (xs[b] as number);
      }
    }
  }
  const B = new Matrix(fit.xtxInv);
  const V = B.mmul(new Matrix(S)).mmul(B);
  const scale = smallSample && n > k ? n / (n - k) : 1;
  return V.mul(scale).to2DArray();
}

/** Newey & West (1994) plug-in rule of thumb for the Bartlett kernel: L = ⌊4 (n/100)^{2/9}⌋. */
export function defaultLag(n: number): number {
  return Math.floor(4 * Math.pow(n / 100, 2 / 9));
}

/** Quantile of Student's t with `df` degrees of freedom. */
export function tQuantile(p: number, df: number): number {
  return jStat.studentt.inv(p, df);
}

/** Two-sided p-value of a t statistic. */
export function tPValue(t: number, df: number): number {
  return 2 * (1 - jStat.studentt.cdf(Math.abs(t), df));
}

/** An estimate with its standard error, 95% interval and p-value (t with `df` degrees of freedom). */
export interface Estimate {
  estimate: number;
  se: number;
  ci95: [number, number];
  p_value: number;
}

export function estimate(value: number, se: number, df: number): Estimate {
  const q = tQuantile(0.975, df);
  return {
    estimate: value,
    se,
    ci95: [value - q * se, value + q * se],
    p_value: se > 0 ? tPValue(value / se, df) : value === 0 ? 1 : 0,
  };
}

/** c'β and its standard error √(c'Vc). */
export function combination(
  beta: readonly number[],
  V: readonly (readonly number[])[],
  c: readonly number[],
): { value: number; se: number } {
  let value = 0;
  let v = 0;
  for (let a = 0; a < c.length; a++) {
    value += (c[a] as number) * (beta[a] as number);
    for (let b = 0; b < c.length; b++)
      v += (c[a] as number) * (V[a]?.[b] as number) * (c[b] as number);
  }
  return { value, se: Math.sqrt(Math.max(0, v)) };
}

/**
 * The ratio (a'β)/(b'β) with a delta-method standard error (e.g. Greene, 7th ed., Theorem D.22):
 * g = A/B, ∇g = (a − g·b)/B, Var(g) = ∇g' V ∇g.
 */
export function ratio(
  beta: readonly number[],
  V: readonly (readonly number[])[],
  a: readonly number[],
  b: readonly number[],
): { value: number; se: number } | null {
  const A = combination(beta, V, a).value;
  const B = combination(beta, V, b).value;
  if (B === 0) return null;
  const g = A / B;
  const grad = a.map((ai, i) => (ai - g * (b[i] as number)) / B);
  return { value: g, se: combination(beta, V, grad).se };
}

/** Lag-1 autocorrelation of residuals ordered by time (pairs one week apart only). */
export function residualAutocorrelation(
  residuals: readonly number[],
  times: readonly number[],
): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < residuals.length; i++) {
    den += (residuals[i] as number) ** 2;
    if (i > 0 && (times[i] as number) - (times[i - 1] as number) === 1)
      num += (residuals[i] as number) * (residuals[i - 1] as number);
  }
  return den > 0 ? num / den : 0;
}

/**
 * Critical values for Newey–West t statistics in short series. NW standard errors are too small
 * when there are few weeks (the residual autocovariances are biased towards zero), so a nominal
 * t quantile gives intervals that cover less than 95%. The 97.5% quantile of |t| is found instead
 * by a parametric AR(1) sieve bootstrap of the studentized statistic (Bühlmann, "Sieve bootstrap
 * for time series", Bernoulli 1997;3:123–148): errors u_t = ρ u_{t−1} + ε_t with the residuals'
 * lag-1 autocorrelation ρ, bias-corrected by (1 + 3ρ)/n (Kendall 1954) and kept in [0, 0.9];
 * for each draw the same OLS and NW standard error give t* = c'(β* − β)/se*. Deterministic (a
 * fixed seed). Returns one critical value per contrast, never below the t quantile.
 */
export function bootstrapCriticalValues(
  X: readonly (readonly number[])[],
  fit: OlsFit,
  times: readonly number[],
  lag: number,
  contrasts: readonly (readonly number[])[],
  draws = 999,
): { critical: number[]; rho: number; pValue: (contrast: number, t: number) => number } {
  const n = fit.n;
  const raw = residualAutocorrelation(fit.residuals, times);
  const rho = Math.min(0.9, Math.max(0, raw + (1 + 3 * raw) / n));
  const tq = tQuantile(0.975, n - fit.k);
  const stats = contrasts.map(() => new Float64Array(draws));
  // A small xorshift PRNG and Box–Muller: the same data always give the same critical values.
  let s = 0x9e3779b9;
  const uniform = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const B = new Matrix(fit.xtxInv);
  const Xt = new Matrix(X.map((r) => [...r])).transpose();
  const H = B.mmul(Xt); // β* − β = (X'X)⁻¹X'u
  for (let d = 0; d < draws; d++) {
    const u = new Array<number>(n);
    let prev = 0;
    for (let i = 0; i < n; i++) {
      const gap = i === 0 ? Infinity : (times[i] as number) - (times[i - 1] as number);
      const phi = gap === Infinity ? 0 : Math.pow(rho, gap);
      // Stationary start, and the right variance after a gap of several weeks.
      const sd = i === 0 ? 1 : Math.sqrt(1 - phi * phi);
      prev = phi * prev + sd * normal();
      u[i] = prev;
    }
    const delta = H.mmul(Matrix.columnVector(u)).to1DArray();
    const resid = u.map(
      (ui, i) =>
        ui - (X[i] as readonly number[]).reduce((acc, x, j) => acc + x * (delta[j] as number), 0),
    );
    const V = neweyWest(X, { ...fit, beta: delta, residuals: resid }, times, lag, true);
    contrasts.forEach((c, ci) => {
      const r = combination(delta, V, c);
      (stats[ci] as Float64Array)[d] = r.se > 0 ? Math.abs(r.value / r.se) : 0;
    });
  }
  const sorted = stats.map((arr) => Float64Array.from(arr).sort());
  return {
    critical: sorted.map((a) => Math.max(tq, a[Math.ceil(0.95 * draws) - 1] as number)),
    rho,
    // Bootstrap p-value of |t|: (1 + #{|t*| ≥ |t|}) / (draws + 1), never below the t test's.
    pValue: (ci: number, t: number) => {
      const a = sorted[ci] as Float64Array;
      let lo = 0;
      let hi = a.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((a[mid] as number) < Math.abs(t)) lo = mid + 1;
        else hi = mid;
      }
      return Math.max(tPValue(t, n - fit.k), (1 + a.length - lo) / (a.length + 1));
    },
  };
}

/** An estimate whose interval uses the critical value `crit` and whose p-value is given. */
export function calibratedEstimate(value: number, se: number, crit: number, p: number): Estimate {
  return { estimate: value, se, ci95: [value - crit * se, value + crit * se], p_value: p };
}
