/**
 * Interrupted time series by segmented regression of weekly values (Wagner, Soumerai, Zhang &
 * Ross-Degnan, "Segmented regression analysis of interrupted time series studies in medication use
 * research", J Clin Pharm Ther 2002;27:299–309):
 *
 *   Y_t = β0 + β1·time_t + β2·after_t + β3·time_after_t [+ Σ_k γ_k sin(2πk·w_t/52.18) + δ_k cos(…)] + e_t
 *
 * time_t is weeks since the first week after go-live and its transition (negative before), after_t
 * is 1 from that week on, time_after_t = after_t × time_t. So β0 is the level the pre-go-live trend
 * projects for that first week, β1 the weekly trend before go-live, β2 the change in level at that
 * week, β3 the change in the weekly trend. The weeks of a transition period (the go-live week and
 * the next ones, as chosen) are left out of the fit. Optional seasonality by week of year w_t uses
 * Fourier terms (K = 2 harmonics), as in Bernal, Cummins & Gasparrini, "Interrupted time series
 * regression for the evaluation of public health interventions: a tutorial", Int J Epidemiol 2017.
 * Standard errors are Newey–West (1987) with Bartlett weights. Because NW standard errors are
 * too small in series of a few dozen weeks, the 95% intervals use critical values from an AR(1)
 * sieve bootstrap of the studentized statistic (`bootstrapCriticalValues`), never below Student's
 * t with n − k degrees of freedom.
 */
import {
  bootstrapCriticalValues,
  calibratedEstimate,
  combination,
  defaultLag,
  neweyWest,
  ols,
  ratio,
  type Estimate,
} from './regression.ts';

export interface WeekValue {
  /** Week index (weeks since an origin; consecutive weeks differ by 1). */
  t: number;
  /** ISO week of year, for seasonal terms. */
  weekOfYear: number;
  value: number;
}

export interface ItsOptions {
  /** Week index of the go-live week (the week that contains the go-live date). */
  goLiveT: number;
  transitionWeeks: number;
  minPre: number;
  minPost: number;
  /** Newey–West lag, or 'auto' for ⌊4(n/100)^{2/9}⌋. */
  lag: number | 'auto';
  seasonality: 'none' | 'fourier';
}

export interface Insufficient {
  insufficient_data: { reason: string };
}

export interface ItsEstimates {
  /** Level the pre-go-live trend projects for the first week after the transition. */
  baseline_level: Estimate;
  /** Weekly change before go-live. */
  pre_trend: Estimate;
  /** Change in level at the first week after the transition. */
  level_change: Estimate;
  /** Change in the weekly trend after go-live. */
  slope_change: Estimate;
  /** Mean over the post-period weeks of observed minus projected: β2 + β3 × mean(time_after). */
  average_effect: Estimate;
  /** average_effect divided by the projected mean over the same weeks (delta method). */
  relative_average_effect: Estimate | null;
}

export interface ItsFit {
  estimates: ItsEstimates;
  lag: number;
  df: number;
  /** Critical value of the average effect's interval (bootstrap-calibrated, ≥ the t quantile). */
  critical_value: number;
  /** Lag-1 autocorrelation used by the bootstrap (bias-corrected). */
  residual_autocorrelation: number;
  /** Projected (counterfactual) mean of the post weeks and the observed mean. */
  projected_post_mean: number;
  observed_post_mean: number;
  /**
   * The model's line at each modelled week (before go-live and after the transition; transition
   * weeks are not modelled): `fitted` is the segmented regression, `projected` (after go-live
   * only) the pre-go-live trend carried on — the counterfactual the effect is measured against.
   */
  fitted: { t: number; fitted: number; projected: number | null }[];
}

export interface ItsResult {
  n_pre: number;
  n_post: number;
  n_transition_excluded: number;
  fit: ItsFit | null;
  insufficient_data?: { reason: string };
}

/** Seasonality needs a full year before go-live to be told apart from the effect. */
export const MIN_PRE_WEEKS_SEASONAL = 52;

const YEAR_WEEKS = 52.1775;

function seasonal(w: number): number[] {
  const out: number[] = [];
  for (let k = 1; k <= 2; k++) {
    out.push(
      Math.sin((2 * Math.PI * k * w) / YEAR_WEEKS),
      Math.cos((2 * Math.PI * k * w) / YEAR_WEEKS),
    );
  }
  return out;
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(4));

/** Segmented regression of `series` around a go-live; see the file comment. */
export function interruptedTimeSeries(series: readonly WeekValue[], o: ItsOptions): ItsResult {
  const postStart = o.goLiveT + o.transitionWeeks;
  const pre = series.filter((p) => p.t < o.goLiveT);
  const post = series.filter((p) => p.t >= postStart);
  const transition = series.filter((p) => p.t >= o.goLiveT && p.t < postStart);
  const base = { n_pre: pre.length, n_post: post.length, n_transition_excluded: transition.length };
  const no = (reason: string): ItsResult => ({ ...base, fit: null, insufficient_data: { reason } });
  if (pre.length < o.minPre)
    return no(
      `only ${pre.length} week${pre.length === 1 ? '' : 's'} with data before go-live; at least ${o.minPre} are needed to know the trend it would have followed`,
    );
  if (post.length < o.minPost)
    return no(
      `only ${post.length} week${post.length === 1 ? '' : 's'} with data after go-live${o.transitionWeeks ? ` and its ${o.transitionWeeks}-week transition` : ''}; at least ${o.minPost} are needed`,
    );
  const first = pre[0]!.value;
  if (pre.every((p) => p.value === first))
    return no(
      `the value did not change before go-live (every week ${fmt(first)}), so there is no variation to estimate a trend or a change from`,
    );
  if (o.seasonality === 'fourier' && pre.length < MIN_PRE_WEEKS_SEASONAL)
    return no(
      `seasonality by week of year needs at least ${MIN_PRE_WEEKS_SEASONAL} weeks before go-live; there are ${pre.length}`,
    );
  const rows = [...pre, ...post];
  const row = (p: WeekValue) => {
    const time = p.t - postStart;
    const after = p.t >= postStart ? 1 : 0;
    return [
      1,
      time,
      after,
      after * time,
      ...(o.seasonality === 'fourier' ? seasonal(p.weekOfYear) : []),
    ];
  };
  const X = rows.map(row);
  const y = rows.map((p) => p.value);
  const fit = ols(X, y);
  if (!fit)
    return no(
      'the weeks with data do not separate the trend, the level change and the slope change',
    );
  const k = fit.k;
  const n = fit.n;
  if (n - k < 1) return no(`${n} weeks are too few for a model with ${k} parameters`);
  const lag = Math.min(o.lag === 'auto' ? defaultLag(n) : o.lag, n - 1);
  const V = neweyWest(
    X,
    fit,
    rows.map((p) => p.t),
    lag,
    true,
  );
  const df = n - k;
  const unit = (i: number) => X[0]!.map((_, j) => (j === i ? 1 : 0));
  // Mean over the post weeks of the effect (columns 2, 3) and of the projection (columns 0, 1, seasonal).
  const postX = post.map(row);
  const mean = (j: number) => postX.reduce((s, r) => s + (r[j] as number), 0) / postX.length;
  const cEffect = X[0]!.map((_, j) => (j === 2 || j === 3 ? mean(j) : 0));
  const cProjected = X[0]!.map((_, j) => (j === 2 || j === 3 ? 0 : mean(j)));
  const contrasts = [unit(0), unit(1), unit(2), unit(3), cEffect];
  const boot = bootstrapCriticalValues(
    X,
    fit,
    rows.map((p) => p.t),
    lag,
    contrasts,
  );
  const est = (ci: number) => {
    const r = combination(fit.beta, V, contrasts[ci]!);
    return calibratedEstimate(
      r.value,
      r.se,
      boot.critical[ci]!,
      boot.pValue(ci, r.se > 0 ? r.value / r.se : 0),
    );
  };
  const rel = ratio(fit.beta, V, cEffect, cProjected);
  const projectedMean = combination(fit.beta, V, cProjected).value;
  return {
    ...base,
    fit: {
      estimates: {
        baseline_level: est(0),
        pre_trend: est(1),
        level_change: est(2),
        slope_change: est(3),
        average_effect: est(4),
        relative_average_effect:
          rel && projectedMean !== 0
            ? calibratedEstimate(rel.value, rel.se, boot.critical[4]!, est(4).p_value)
            : null,
      },
      lag,
      df,
      critical_value: boot.critical[4]!,
      residual_autocorrelation: boot.rho,
      projected_post_mean: projectedMean,
      observed_post_mean: post.reduce((s, p) => s + p.value, 0) / post.length,
      fitted: rows.map((p) => {
        const r = row(p);
        const f = r.reduce((s, v, j) => s + v * (fit.beta[j] as number), 0);
        const projected =
          p.t >= postStart
            ? f - (fit.beta[2] as number) - (fit.beta[3] as number) * (r[3] as number)
            : null;
        return { t: p.t, fitted: f, projected };
      }),
    },
  };
}
