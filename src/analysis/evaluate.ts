/**
 * Go-live evaluation: for a tool's go-lives, the effect on a weekly metric per group, by an
 * interrupted time series (`stats/its.ts`) and a difference-in-differences against groups not yet
 * live (`stats/did.ts`). Metric values come from the metrics engine (`clinicianMetrics` by week,
 * summarised per group and week by the median or mean across the group's clinicians) or from
 * adoption (`adoptionWeekly`). The population is the tool's eligible clinicians; a "cell" is a
 * group (department, specialty, role, organisation) and, inside it, the clinicians sharing one
 * go-live date.
 */
import type { MetricOptions } from '../model/options.ts';
import type { ClinicianMetricRow } from '../model/metricRow.ts';
import {
  ADOPTION_METRICS,
  ENGINE_METRICS,
  type AdoptionMetric,
} from '../model/evaluationMetrics.ts';
import { parseRequest } from '../metrics/computeMetrics.ts';
import { invalid } from '../errors/UptakeError.ts';
import type { Store } from '../store/Store.ts';
import { VERSION } from '../version.ts';
import {
  adoptionCtes,
  adoptionWeekly,
  runAdoption,
  type AdoptionBy,
  type AdoptionWeekRow,
} from './adoption.ts';
import { sql } from '../store/cte.ts';
import { weeklyClinicianRows } from './metricCache.ts';
import type { ToolDefinition } from './tools.ts';
import { daysBetween, isoWeekOfYear, mondayOnOrBefore, weekStarts } from './weeks.ts';
import type { Estimate } from './stats/regression.ts';
import { interruptedTimeSeries, type ItsEstimates } from './stats/its.ts';
import { differenceInDifferences, type GroupSeries } from './stats/did.ts';

// The closed set of evaluable metrics lives in the model (the API contract names it too).
export {
  ADOPTION_METRICS,
  ENGINE_METRICS,
  type AdoptionMetric,
} from '../model/evaluationMetrics.ts';

const LABELS: Record<string, string> = {
  ehr_time8: 'EHR-Time8 (EHR hours per 8 scheduled hours)',
  wow8: 'WOW8 (work outside work per 8 scheduled hours)',
  note_time8: 'Note-Time8 (note hours per 8 scheduled hours)',
  pres_time8: 'Pres-Time8 (prescription hours per 8 scheduled hours)',
  ib_time8: 'IB-Time8 (inbox hours per 8 scheduled hours)',
  teamwork_orders: 'teamwork for orders (share of orders entered by team members)',
  undivided_attention: 'undivided attention (share of visit time without EHR use)',
  ehr_minutes_per_appointment: 'EHR minutes per appointment',
};

export function metricLabel(m: string): string {
  return LABELS[m] ?? (ADOPTION_METRICS as Record<string, string>)[m] ?? m.replaceAll('_', ' ');
}

export function checkMetric(m: string): void {
  if ((ENGINE_METRICS as readonly string[]).includes(m) || Object.hasOwn(ADOPTION_METRICS, m))
    return;
  throw invalid(
    `--metric ${m} is not a metric; use one of ${[...ENGINE_METRICS, ...Object.keys(ADOPTION_METRICS)].join(', ')}`,
  );
}

export interface EvaluateRequest {
  tool: ToolDefinition;
  metrics: string[];
  by: AdoptionBy;
  /** Whole weeks (Mondays), `to` exclusive. */
  from: string;
  to: string;
  metricOptions: MetricOptions;
  transitionWeeks: number;
  minPre: number;
  minPost: number;
  lag: number | 'auto';
  seasonality: 'none' | 'fourier';
  summary: 'median' | 'mean';
  methods: readonly ('its' | 'did')[];
  cache: boolean;
  habitualUses?: number | undefined;
  /** The go-lives are the definition's, not the stored ones (`AdoptionRequest`). */
  goLivesFromDefinition?: boolean | undefined;
  /**
   * Where the weekly clinician rows of [from, to) with `metricOptions` come from when the caller
   * already holds them (the server's report cache); otherwise the metrics engine or `metric_cache`.
   */
  weeklyRows?: (() => Promise<readonly ClinicianMetricRow[]>) | undefined;
}

/**
 * The usual choices of an evaluation (the web app's, and the CLI's defaults): both models, at
 * least 8 weeks before and 4 after go-live, automatic Newey–West lag, no seasonality, group
 * medians, no transition weeks.
 */
export const EVALUATION_DEFAULTS = {
  transitionWeeks: 0,
  minPre: 8,
  minPost: 4,
  lag: 'auto',
  seasonality: 'none',
  summary: 'median',
  methods: ['its', 'did'],
  cache: true,
} as const satisfies Partial<EvaluateRequest>;

export interface ModelResult {
  model: string;
  assumptions: string[];
  n_pre: number;
  n_post: number;
  n_transition_excluded: number;
  lag?: number;
  estimates?: Record<string, Estimate | null>;
  controls?: string[];
  interpretation?: string;
  insufficient_data?: { reason: string };
  /**
   * ITS only: the fitted segmented line at each modelled week and, after go-live, the projection
   * of the pre-go-live trend (the counterfactual), for a before/after plot.
   */
  fitted?: { week_start: string; fitted: number; projected: number | null }[];
}

export interface EvaluationRow {
  metric: string;
  group: string;
  /** `live group`, `wave` (the live groups of one date pooled) or `control` (not live). */
  kind: 'live group' | 'wave' | 'control';
  go_live: string | null;
  clinicians: number;
  its?: ModelResult;
  did?: ModelResult;
  note?: string;
}

export interface SeriesRow {
  metric: string;
  group: string;
  go_live: string | null;
  week_start: string;
  value: number;
  /** Clinicians behind the value (engine metrics) or eligible clinicians (adoption). */
  n: number;
}

export interface EvaluationReport {
  options: Record<string, unknown>;
  results: EvaluationRow[];
  series: SeriesRow[];
}

interface Cell {
  key: string;
  label: string;
  group: string;
  goLive: string | null;
  goLiveT: number | null;
  clinicians: number;
}

function summarise(values: number[], how: 'median' | 'mean'): number {
  if (how === 'mean') return values.reduce((s, v) => s + v, 0) / values.length;
  // Linear interpolation between order statistics, as percentile_cont(0.5) (metrics.md §7).
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * 0.5;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}

const f2 = (x: number) => {
  const a = Math.abs(x);
  return a >= 100
    ? x.toFixed(0)
    : a >= 10
      ? x.toFixed(1)
      : a >= 0.1
        ? x.toFixed(2)
        : x.toPrecision(2);
};
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

function change(e: Estimate, unit = ''): string {
  const dir = e.estimate < 0 ? 'lower' : 'higher';
  return `${f2(Math.abs(e.estimate))}${unit} ${dir}`;
}

function ci(e: Estimate): string {
  return `95% CI ${f2(e.ci95[0])} to ${f2(e.ci95[1])}`;
}

function significant(e: Estimate): boolean {
  return e.ci95[0] > 0 || e.ci95[1] < 0;
}

function itsWords(
  metric: string,
  group: string,
  e: ItsEstimates,
  nPost: number,
  transition: number,
): string {
  const m = metricLabel(metric);
  const rel = e.relative_average_effect ? ` (${pct(e.relative_average_effect.estimate)})` : '';
  const head = significant(e.average_effect)
    ? `Over the ${nPost} weeks after go-live${transition ? ` (after a ${transition}-week transition)` : ''}, ${m} in ${group} was on average ${change(e.average_effect)}${rel} than its trend before go-live projected (${ci(e.average_effect)}).`
    : `Over the ${nPost} weeks after go-live${transition ? ` (after a ${transition}-week transition)` : ''}, ${m} in ${group} did not differ clearly from its trend before go-live: on average ${f2(e.average_effect.estimate)} (${ci(e.average_effect)}), consistent with no change.`;
  return `${head} At go-live the level changed by ${f2(e.level_change.estimate)} (${ci(e.level_change)}) and the weekly trend by ${f2(e.slope_change.estimate)} a week (${ci(e.slope_change)}); before go-live it moved ${f2(e.pre_trend.estimate)} a week.`;
}

function itsAssumptions(
  transition: number,
  lag: number,
  seasonal: boolean,
  summary: string,
): string[] {
  return [
    `The weekly value is the ${summary} across the group's eligible clinicians with a value that week.`,
    `Without the go-live, the group's weekly value would have continued along its straight-line trend from the weeks before go-live${seasonal ? ', plus the same seasonal pattern by week of year' : ''}.`,
    'Nothing else that moves this metric changed at the go-live (another rollout, new schedules, staffing), and the kind of clinicians in the group stayed the same.',
    transition === 0
      ? 'No transition period is left out: the go-live week counts as the first week after go-live.'
      : transition === 1
        ? 'The go-live week is a transition and is left out.'
        : `The go-live week and the ${transition === 2 ? 'week' : `${transition - 1} weeks`} after it are a transition and are left out.`,
    `Weekly values may be correlated with those of up to ${lag} week${lag === 1 ? '' : 's'} before (Newey–West standard errors); intervals are widened for short series (bootstrap-calibrated critical values).`,
    'The effect is for all eligible clinicians of the group, users of the tool or not (intention to treat).',
  ];
}

function didAssumptions(
  controls: string[],
  transition: number,
  lag: number,
  summary: string,
  pre: Estimate | null,
): string[] {
  return [
    `The weekly value is the ${summary} across each group's eligible clinicians with a value that week.`,
    `Without the go-live, the group would have changed like the groups not yet live did (parallel trends)${
      pre
        ? `; before go-live the gap between them moved ${f2(pre.estimate)} a week (${ci(pre)})${significant(pre) ? ' — it was already changing, so read the effect with caution' : ', consistent with parallel trends'}`
        : ''
    }.`,
    `Controls are the groups not yet live in each week (${controls.join(', ')}); a group stops being a control the week it goes live, and no group is compared with one already live.`,
    'Clinicians did not change before their go-live in anticipation, and the go-live did not affect the control groups.',
    transition
      ? `The first ${transition === 1 ? 'week' : `${transition} weeks`} from go-live ${transition === 1 ? 'is a transition and is' : 'are a transition and are'} left out.`
      : 'No transition period is left out.',
    `The weekly gap may be correlated over up to ${lag} week${lag === 1 ? '' : 's'} (Newey–West standard errors, bootstrap-calibrated intervals).`,
    'The effect is for all eligible clinicians of the group, users of the tool or not (intention to treat).',
  ];
}

const ITS_MODEL =
  'Interrupted time series: segmented regression of weekly values on time, a level change and a slope change at go-live (Wagner et al. 2002), Newey–West standard errors (1987)';
const DID_MODEL =
  'Difference-in-differences against groups not yet live, per week (Callaway & Sant’Anna 2021 comparison groups), averaged over the weeks after go-live, Newey–West standard errors';

/** A model's result when the go-live lies outside the weeks analysed. */
function notAnalysed(reason: string) {
  return {
    n_pre: 0,
    n_post: 0,
    n_transition_excluded: 0,
    fit: null,
    insufficient_data: { reason },
  };
}

/** Run the evaluation. */
export async function evaluate(store: Store, req: EvaluateRequest): Promise<EvaluationReport> {
  for (const m of req.metrics) checkMetric(m);
  const weeks = weekStarts(req.from, req.to);
  const index = new Map(weeks.map((w, i) => [w, i]));
  const weekT = (date: string) => Math.floor(daysBetween(req.from, mondayOnOrBefore(date)) / 7);

  // 1. The eligible clinicians, each with a group and a go-live date (set-based SQL).
  const { a_roster } = adoptionCtes({
    tool: req.tool,
    by: req.by,
    from: req.from,
    to: req.to,
    timezone: req.metricOptions.timezone,
    goLivesFromDefinition: req.goLivesFromDefinition,
  });
  const [rosterRows = []] = await runAdoption(store, [
    sql`SELECT user_id, grp, CAST(go_live AS VARCHAR) AS go_live FROM ${a_roster} ORDER BY user_id`,
  ]);
  const cellOf = new Map<string, string>();
  const cells = new Map<string, Cell>();
  for (const r of rosterRows) {
    const group = String(r['grp']);
    const goLive = r['go_live'] === null ? null : String(r['go_live']).slice(0, 10);
    const key = `${group}\u001f${goLive ?? ''}`;
    cellOf.set(String(r['user_id']), key);
    const c = cells.get(key);
    if (c) c.clinicians++;
    else
      cells.set(key, {
        key,
        label: group,
        group,
        goLive,
        goLiveT: goLive ? weekT(goLive) : null,
        clinicians: 1,
      });
  }
  // A group whose clinicians went live on different dates is split into one cell per date.
  const perGroup = new Map<string, number>();
  for (const c of cells.values()) perGroup.set(c.group, (perGroup.get(c.group) ?? 0) + 1);
  for (const c of cells.values())
    if ((perGroup.get(c.group) ?? 0) > 1)
      c.label = `${c.group} (${c.goLive ? `live ${c.goLive}` : 'not live'})`;

  // 2. Weekly values per cell and metric.
  const values = new Map<string, Map<string, Map<number, { value: number; n: number }>>>();
  const put = (metric: string, cell: string, t: number, value: number, n: number) => {
    let byCell = values.get(metric);
    if (!byCell)
      values.set(metric, (byCell = new Map<string, Map<number, { value: number; n: number }>>()));
    let series = byCell.get(cell);
    if (!series) byCell.set(cell, (series = new Map<number, { value: number; n: number }>()));
    series.set(t, { value, n });
  };
  const engine = req.metrics.filter((m) => !(m in ADOPTION_METRICS));
  let cached = false;
  if (engine.length) {
    const mreq = parseRequest({
      from: req.from,
      to: req.to,
      period: 'week',
      options: req.metricOptions,
    });
    const got = req.weeklyRows
      ? { rows: await req.weeklyRows(), cached: true }
      : await weeklyClinicianRows(store, mreq, { cache: req.cache });
    cached = got.cached;
    const acc = new Map<string, number[]>();
    for (const row of got.rows) {
      const cell = cellOf.get(row.user_id);
      const t = index.get(String(row.period_start).slice(0, 10));
      if (cell === undefined || t === undefined) continue;
      for (const m of engine) {
        const v = row[m as keyof ClinicianMetricRow];
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        const k = `${m}\u001f${cell}\u001f${t}`;
        const list = acc.get(k);
        if (list) list.push(v);
        else acc.set(k, [v]);
      }
    }
    for (const [k, list] of acc) {
      const [m, group, goLive, t] = k.split('\u001f') as [string, string, string, string];
      put(m, `${group}\u001f${goLive}`, Number(t), summarise(list, req.summary), list.length);
    }
  }
  const adoptionMetrics = req.metrics.filter((m) => m in ADOPTION_METRICS) as AdoptionMetric[];
  if (adoptionMetrics.length) {
    const rows: AdoptionWeekRow[] = await adoptionWeekly(store, {
      tool: req.tool,
      by: req.by,
      from: req.from,
      to: req.to,
      timezone: req.metricOptions.timezone,
      habitualUses: req.habitualUses,
      goLivesFromDefinition: req.goLivesFromDefinition,
    });
    for (const r of rows) {
      const t = index.get(r.week_start);
      if (t === undefined || !r.eligible) continue;
      const cell = `${r.group}\u001f${r.go_live ?? ''}`;
      for (const m of adoptionMetrics) {
        const v =
          m === 'adoption.active_share'
            ? r.weekly_active / r.eligible
            : m === 'adoption.habitual_share'
              ? r.habitual / r.eligible
              : m === 'adoption.uses_per_clinician'
                ? r.uses / r.eligible
                : r.use_days
                  ? r.uses / r.use_days
                  : null;
        if (v !== null) put(m, cell, t, v, r.eligible);
      }
    }
  }

  // 3. Models per live cell, per wave, and the controls.
  const results: EvaluationRow[] = [];
  const series: SeriesRow[] = [];
  const sortedCells = [...cells.values()].sort(
    (a, b) =>
      (a.goLive ?? '9999').localeCompare(b.goLive ?? '9999') || a.label.localeCompare(b.label),
  );
  const T = weeks.length;
  const lagOf = (m: ModelResult) => m.lag ?? 0;
  for (const metric of req.metrics) {
    const byCell =
      values.get(metric) ?? new Map<string, Map<number, { value: number; n: number }>>();
    const seriesOf = (c: Cell): GroupSeries => ({
      label: c.label,
      goLiveT: c.goLiveT !== null && c.goLiveT < T ? c.goLiveT : null,
      weight: c.clinicians,
      values: new Map([...(byCell.get(c.key) ?? [])].map(([t, v]) => [t, v.value])),
    });
    const all = sortedCells.map(seriesOf);
    for (const c of sortedCells)
      for (const [t, v] of [
        ...(byCell.get(c.key) ?? new Map<number, { value: number; n: number }>()),
      ].sort((a, b) => a[0] - b[0]))
        series.push({
          metric,
          group: c.label,
          go_live: c.goLive,
          week_start: weeks[t]!,
          value: v.value,
          n: v.n,
        });

    const evaluateCells = (
      treated: Cell[],
      label: string,
      kind: 'live group' | 'wave',
    ): EvaluationRow => {
      const first = treated[0]!;
      const row: EvaluationRow = {
        metric,
        group: label,
        kind,
        go_live: first.goLive,
        clinicians: treated.reduce((s, c) => s + c.clinicians, 0),
      };
      const g = first.goLiveT!;
      const outside =
        g < 0
          ? `the go-live (${first.goLive}) is before the first week analysed (${req.from}); choose an earlier --from`
          : g >= T
            ? `the go-live (${first.goLive}) is after the last week analysed (the week before ${req.to})`
            : null;
      const ts = treated.map(seriesOf);
      if (req.methods.includes('its')) {
        // The treated series: the clinician-weighted mean of the cells' weekly values.
        const pooled = new Map<number, number>();
        for (let t = 0; t < T; t++) {
          let w = 0;
          let s = 0;
          for (const x of ts) {
            const v = x.values.get(t);
            if (v === undefined) continue;
            w += x.weight;
            s += x.weight * v;
          }
          if (w) pooled.set(t, s / w);
        }
        const r = outside
          ? notAnalysed(outside)
          : interruptedTimeSeries(
              [...pooled]
                .sort((a, b) => a[0] - b[0])
                .map(([t, value]) => ({ t, weekOfYear: isoWeekOfYear(weeks[t]!), value })),
              {
                goLiveT: g,
                transitionWeeks: req.transitionWeeks,
                minPre: req.minPre,
                minPost: req.minPost,
                lag: req.lag,
                seasonality: req.seasonality,
              },
            );
        const m: ModelResult = {
          model:
            ITS_MODEL +
            (req.seasonality === 'fourier'
              ? ', with week-of-year seasonality (Fourier terms)'
              : ''),
          assumptions: [],
          n_pre: r.n_pre,
          n_post: r.n_post,
          n_transition_excluded: r.n_transition_excluded,
        };
        if (r.fit) {
          m.lag = r.fit.lag;
          m.estimates = { ...r.fit.estimates };
          m.fitted = r.fit.fitted.map((f) => ({
            week_start: weeks[f.t]!,
            fitted: f.fitted,
            projected: f.projected,
          }));
          m.interpretation = itsWords(
            metric,
            label,
            r.fit.estimates,
            r.n_post,
            req.transitionWeeks,
          );
        } else m.insufficient_data = r.insufficient_data ?? { reason: 'no data' };
        m.assumptions = itsAssumptions(
          req.transitionWeeks,
          lagOf(m),
          req.seasonality === 'fourier',
          req.summary,
        );
        row.its = m;
      }
      if (req.methods.includes('did')) {
        const r = outside
          ? notAnalysed(outside)
          : differenceInDifferences(ts, all, {
              transitionWeeks: req.transitionWeeks,
              minPre: req.minPre,
              minPost: req.minPost,
              lag: req.lag,
            });
        const m: ModelResult = {
          model: DID_MODEL,
          assumptions: [],
          n_pre: r.n_pre,
          n_post: r.n_post,
          n_transition_excluded: r.n_transition_excluded,
        };
        if (r.fit) {
          m.lag = r.fit.lag;
          m.controls = r.fit.controls;
          m.estimates = {
            att: r.fit.att,
            relative_att: r.fit.relative_att,
            pre_trend_difference: r.fit.pre_trend_difference,
          };
          const e = r.fit.att;
          const rel = r.fit.relative_att
            ? ` (${pct(r.fit.relative_att.estimate)} of its level before go-live)`
            : '';
          m.interpretation = significant(e)
            ? `Compared with groups not yet live, ${metricLabel(metric)} in ${label} was on average ${change(e)}${rel} after go-live (${ci(e)}), over ${r.n_post} weeks.`
            : `Compared with groups not yet live, ${metricLabel(metric)} in ${label} did not change clearly after go-live: ${f2(e.estimate)} (${ci(e)}), consistent with no change.`;
        } else m.insufficient_data = r.insufficient_data ?? { reason: 'no data' };
        m.assumptions = didAssumptions(
          m.controls ?? [],
          req.transitionWeeks,
          lagOf(m),
          req.summary,
          r.fit?.pre_trend_difference ?? null,
        );
        row.did = m;
      }
      return row;
    };

    const live = sortedCells.filter((c) => c.goLive !== null);
    for (const c of live) results.push(evaluateCells([c], c.label, 'live group'));
    // A wave: the groups that go live in the same week.
    const waves = new Map<number, Cell[]>();
    for (const c of live) waves.set(c.goLiveT!, [...(waves.get(c.goLiveT!) ?? []), c]);
    for (const [t, list] of waves)
      if (list.length > 1)
        results.push(
          evaluateCells(
            list,
            `wave ${t >= 0 && t < T ? weeks[t] : mondayOnOrBefore(list[0]!.goLive!)} (${list.map((c) => c.label).join(', ')})`,
            'wave',
          ),
        );
    for (const c of sortedCells.filter((x) => x.goLive === null))
      results.push({
        metric,
        group: c.label,
        kind: 'control',
        go_live: null,
        clinicians: c.clinicians,
        note: 'not live: a control group for the groups that went live',
      });
  }
  return {
    options: {
      tool: req.tool.name,
      metrics: req.metrics,
      by: req.by,
      from: req.from,
      to: req.to,
      timezone: req.metricOptions.timezone,
      summary: req.summary,
      transition_weeks: req.transitionWeeks,
      min_pre_weeks: req.minPre,
      min_post_weeks: req.minPost,
      lag: req.lag,
      seasonality: req.seasonality,
      methods: req.methods,
      metric_options: req.metricOptions,
      weekly_metrics_from_cache: cached,
      version: VERSION,
    },
    results,
    series,
  };
}
