/**
 * Difference-in-differences with staggered go-lives, using only groups that are not yet live as
 * controls, in the spirit of Callaway & Sant'Anna, "Difference-in-differences with multiple time
 * periods", J Econometrics 2021;225(2):200–230 (group-time effects ATT(g,t) against the
 * not-yet-treated), on weekly group values:
 *
 * For a treated group (or a wave of groups) live from week g, with pre-period weeks P = {t < g}:
 *
 *   D_t = (Y_t − Ȳ_P) − mean_{c ∈ C_t} (Y_{c,t} − Ȳ_{c,P})
 *
 * where C_t are the groups whose go-live is after both g and t (or that never go live): a group that
 * is already live is never a control, so a treated group is never compared with an earlier or
 * same-wave one, and a later wave stops being a control the week it goes live. Ȳ_P is each
 * group's mean over the pre-period weeks. D_t is the group-time effect ATT(g,t) for a post week t
 * (a placebo, ideally 0, for a pre week). The effect is
 *
 *   ATT = mean_{t ∈ post} D_t − mean_{t ∈ P} D_t
 *
 * estimated as the coefficient of `post` in the regression D_t = α + θ·post_t + u_t, with Newey–West
 * (1987) standard errors over weeks, which allow for autocorrelation of the weekly contrast (this is
 * the comparative interrupted time series of Linden, Stata J 2015, without trend terms), and a
 * critical value from the AR(1) sieve bootstrap of `regression.ts` (short series). The
 * weeks of the transition period are left out. The parallel-trends assumption is checked by the
 * slope of D_t over the pre-period weeks (ideally 0).
 */
import {
  bootstrapCriticalValues,
  calibratedEstimate,
  defaultLag,
  estimate,
  neweyWest,
  ols,
  type Estimate,
} from './regression.ts';

export interface GroupSeries {
  /** Week index → value. */
  values: ReadonlyMap<number, number>;
  /** Week index of go-live; null when never live in the data. */
  goLiveT: number | null;
  /** Weight when several treated groups are pooled (e.g. the number of clinicians). */
  weight: number;
  label: string;
}

export interface DidOptions {
  transitionWeeks: number;
  minPre: number;
  minPost: number;
  lag: number | 'auto';
}

export interface DidFit {
  att: Estimate;
  /** att relative to the treated groups' pre-period mean (taken as fixed). */
  relative_att: Estimate | null;
  /** Slope of the contrast over pre-period weeks: 0 if trends were parallel before go-live. */
  pre_trend_difference: Estimate | null;
  lag: number;
  df: number;
  /** Critical value of the interval (bootstrap-calibrated, ≥ the t quantile). */
  critical_value: number;
  residual_autocorrelation: number;
  controls: string[];
  treated_pre_mean: number;
  /** The weekly contrast D_t (a point value per week, no interval). */
  by_week: { t: number; contrast: number; controls: number; phase: 'pre' | 'post' }[];
}

export interface DidResult {
  n_pre: number;
  n_post: number;
  n_transition_excluded: number;
  fit: DidFit | null;
  insufficient_data?: { reason: string };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/**
 * The effect of going live on `treated` (groups of one wave, pooled with their weights) against the
 * not-yet-live groups among `candidates`.
 */
export function differenceInDifferences(
  treated: readonly GroupSeries[],
  candidates: readonly GroupSeries[],
  o: DidOptions,
): DidResult {
  const g = treated[0]?.goLiveT;
  if (g === null || g === undefined) throw new Error('treated groups need a go-live week');
  const postStart = g + o.transitionWeeks;
  const no = (reason: string, n_pre = 0, n_post = 0, n_tr = 0): DidResult => ({
    n_pre,
    n_post,
    n_transition_excluded: n_tr,
    fit: null,
    insufficient_data: { reason },
  });
  // Controls: go live after this wave (or never), with at least minPre weeks before g.
  const later = candidates.filter((c) => c.goLiveT === null || c.goLiveT > g);
  if (!later.length)
    return no(
      'every other eligible group went live at the same time or earlier, so no group that is not yet live is left as a control',
    );
  const preMean = (s: GroupSeries) => {
    const v = [...s.values].filter(([t]) => t < g).map(([, x]) => x);
    return v.length >= o.minPre ? mean(v) : null;
  };
  const tBases = treated.map((s) => preMean(s));
  if (tBases.some((b) => b === null)) {
    const n = Math.min(...treated.map((s) => [...s.values.keys()].filter((t) => t < g).length));
    return no(
      `only ${n} week${n === 1 ? '' : 's'} with data before go-live; at least ${o.minPre} are needed`,
      n,
    );
  }
  const controls = later
    .map((c) => ({ c, base: preMean(c) }))
    .filter((x): x is { c: GroupSeries; base: number } => x.base !== null);
  if (!controls.length)
    return no(
      `the groups not yet live (${later.map((c) => c.label).join(', ')}) have fewer than ${o.minPre} weeks of data before go-live`,
    );
  const weeks = [...new Set(treated.flatMap((s) => [...s.values.keys()]))].sort((a, b) => a - b);
  const byWeek: DidFit['by_week'] = [];
  let transitionCount = 0;
  for (const t of weeks) {
    if (t >= g && t < postStart) {
      transitionCount++;
      continue;
    }
    // The treated side: weighted mean of the treated groups' deviations from their pre-period means.
    let tw = 0;
    let tv = 0;
    treated.forEach((s, i) => {
      const v = s.values.get(t);
      if (v === undefined) return;
      tw += s.weight;
      tv += s.weight * (v - (tBases[i] as number));
    });
    if (tw === 0) continue;
    const cs = controls.filter(({ c }) => (c.goLiveT === null || c.goLiveT > t) && c.values.has(t));
    if (!cs.length) continue;
    const cv = mean(cs.map(({ c, base }) => (c.values.get(t) as number) - base));
    byWeek.push({ t, contrast: tv / tw - cv, controls: cs.length, phase: t < g ? 'pre' : 'post' });
  }
  const nPre = byWeek.filter((w) => w.phase === 'pre').length;
  const nPost = byWeek.filter((w) => w.phase === 'post').length;
  if (nPre < o.minPre)
    return no(
      `only ${nPre} week${nPre === 1 ? '' : 's'} before go-live with data for both the group and a control; at least ${o.minPre} are needed`,
      nPre,
      nPost,
      transitionCount,
    );
  if (nPost < o.minPost)
    return no(
      `only ${nPost} week${nPost === 1 ? '' : 's'} after go-live${o.transitionWeeks ? ` and its ${o.transitionWeeks}-week transition` : ''} with a group still not live as a control; at least ${o.minPost} are needed`,
      nPre,
      nPost,
      transitionCount,
    );
  const X = byWeek.map((w) => [1, w.phase === 'post' ? 1 : 0]);
  const y = byWeek.map((w) => w.contrast);
  const times = byWeek.map((w) => w.t);
  const fit = ols(X, y);
  if (!fit)
    return no(
      'the weeks with data do not separate before and after go-live',
      nPre,
      nPost,
      transitionCount,
    );
  const lag = Math.min(o.lag === 'auto' ? defaultLag(fit.n) : o.lag, fit.n - 1);
  const V = neweyWest(X, fit, times, lag, true);
  const df = fit.n - fit.k;
  const boot = bootstrapCriticalValues(X, fit, times, lag, [[0, 1]]);
  const seAtt = Math.sqrt(V[1]![1]!);
  const tAtt = seAtt > 0 ? (fit.beta[1] as number) / seAtt : 0;
  const att = calibratedEstimate(
    fit.beta[1] as number,
    seAtt,
    boot.critical[0]!,
    boot.pValue(0, tAtt),
  );
  // Pre-trend difference: slope of the contrast over the pre-period weeks.
  const preW = byWeek.filter((w) => w.phase === 'pre');
  let preTrend: Estimate | null = null;
  if (preW.length >= 3) {
    const Xp = preW.map((w) => [1, w.t - g]);
    const fp = ols(
      Xp,
      preW.map((w) => w.contrast),
    );
    if (fp) {
      const lp = Math.min(o.lag === 'auto' ? defaultLag(fp.n) : o.lag, fp.n - 1);
      const Vp = neweyWest(
        Xp,
        fp,
        preW.map((w) => w.t),
        lp,
        true,
      );
      preTrend = estimate(fp.beta[1] as number, Math.sqrt(Vp[1]![1]!), fp.n - fp.k);
    }
  }
  const wsum = treated.reduce((s, x) => s + x.weight, 0);
  const treatedPreMean =
    treated.reduce((s, x, i) => s + x.weight * (tBases[i] as number), 0) / wsum;
  const relative =
    treatedPreMean !== 0
      ? calibratedEstimate(
          att.estimate / treatedPreMean,
          att.se / Math.abs(treatedPreMean),
          boot.critical[0]!,
          att.p_value,
        )
      : null;
  return {
    n_pre: nPre,
    n_post: nPost,
    n_transition_excluded: transitionCount,
    fit: {
      att,
      relative_att: relative,
      pre_trend_difference: preTrend,
      lag,
      df,
      critical_value: boot.critical[0]!,
      residual_autocorrelation: boot.rho,
      controls: controls.map(({ c }) => c.label),
      treated_pre_mean: treatedPreMean,
      by_week: byWeek,
    },
  };
}
