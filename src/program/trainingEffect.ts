/**
 * The effect of a course on the metric it targets (program.md §4, issue #14): the change in the
 * metric of clinicians who took the course against comparable clinicians who had not yet taken
 * it, by the go-live evaluation's difference in differences (`src/analysis/stats/did.ts`) with
 * the training date as the event — or "insufficient data" and why.
 *
 * - The metric: the target metric of the tool whose courses name the course (a tool's
 *   `courses` and `target_metric`, as for training targets).
 * - Cohorts: the clinicians who first completed the course in the same ISO week (organisation
 *   time zone). The estimate is for the largest cohort (the earliest of equals); the controls are
 *   the clinicians of the same specialties who had not yet taken it — later cohorts until their
 *   week, and those who never did (Callaway & Sant'Anna's not-yet-treated controls).
 * - Each cohort's weekly value is the median of its clinicians' weekly metric (clinicians with
 *   scheduled hours that week), as the go-live evaluation summarises a group.
 */
import { differenceInDifferences, type GroupSeries } from '../analysis/stats/did.ts';
import { metricLabel } from '../analysis/evaluate.ts';
import { getTool, globToLike, listToolNames } from '../analysis/tools.ts';
import { addDays, mondayOnOrBefore, weekStarts } from '../analysis/weeks.ts';
import type { TrainingEffect } from '../model/champions.ts';
import { CLINICIAN_METRICS } from '../model/metricRow.ts';
import { cte, param, runChain, sql, type Cte } from '../store/cte.ts';
import type { Store } from '../store/Store.ts';

/** Weeks before and after the cohort's week that the estimate looks at, and needs. */
export const TRAINING_EFFECT = {
  weeks_before: 12,
  weeks_after: 12,
  min_pre: 4,
  min_post: 3,
} as const;

const ASSUMPTIONS = [
  'Parallel trends: without the course, the trained cohort’s metric would have moved like that of the clinicians of the same specialties who had not taken it yet (checked by the pre-period trend of the difference, ideally 0).',
  'No anticipation: the metric did not change in the weeks before the course because of it.',
  'Who takes a course is not driven by a change in the metric that would have happened anyway (clinicians choosing training when their workload changes would bias the estimate).',
  'Each cohort’s weekly value is the median across its clinicians with scheduled hours that week; weeks are ISO weeks of the organisation’s time zone.',
  `At least ${TRAINING_EFFECT.min_pre} weeks before and ${TRAINING_EFFECT.min_post} after the course with a control, within ${TRAINING_EFFECT.weeks_before} weeks either side; the interval is 95%, with Newey–West standard errors and a bootstrap-calibrated critical value (as the go-live evaluation).`,
];

/** The tool and metric a course addresses (the first tool with a target metric whose courses match). */
async function metricOfCourse(
  store: Store,
  course: string,
): Promise<{ tool: string; metric: (typeof CLINICIAN_METRICS)[number] } | null> {
  for (const name of await listToolNames(store)) {
    const t = await getTool(store, name);
    if (!t.target_metric || !(CLINICIAN_METRICS as readonly string[]).includes(t.target_metric))
      continue;
    for (const p of t.courses) {
      const [hit] = await store.all(
        `SELECT 1 AS x WHERE CAST($1 AS VARCHAR) LIKE CAST($2 AS VARCHAR) ESCAPE '\\'`,
        [course, globToLike(p)],
      );
      if (hit) return { tool: name, metric: t.target_metric };
    }
  }
  return null;
}

/**
 * The effect of `course`. `weekly(from, to)` gives the per-clinician rows by week of a range (the
 * day table's on the server, the metric SQL over events elsewhere); `today` bounds the range.
 */
export async function trainingEffect(
  store: Store,
  course: string,
  o: { today: string; timezone: string; weekly: (from: string, to: string) => Promise<Cte | null> },
): Promise<TrainingEffect> {
  const base = {
    course,
    tool: null,
    metric: null,
    metric_label: null,
    from: '',
    to: '',
    trained: 0,
    controls: 0,
    cohort_week: null,
    effect: null,
    pre_trend_difference: null,
    assumptions: ASSUMPTIONS,
  };
  const no = (reason: string, extra: Partial<TrainingEffect> = {}): TrainingEffect => ({
    ...base,
    ...extra,
    insufficient_data: { reason },
  });
  const target = await metricOfCourse(store, course);
  if (!target)
    return no(
      `no tool names “${course}” among its courses with a target metric, so the metric it addresses is not known; add the course and the target metric to the tool (uptake tool import)`,
    );
  const named = {
    tool: target.tool,
    metric: target.metric,
    metric_label: metricLabel(target.metric),
  };
  const tz = param('tz', o.timezone);
  const cohorts = cte(
    'te_cohorts',
    sql`SELECT user_id, CAST(date_trunc('week', CAST(CAST(min(completed_at) AT TIME ZONE ${tz} AS DATE) AS TIMESTAMP)) AS DATE) AS cw
    FROM training WHERE course = ${param('course', course)} GROUP BY user_id`,
  );
  // The largest cohort (the earliest of equals) is the one estimated.
  const [sizes = []] = await runChain(store, [
    sql`SELECT CAST(cw AS VARCHAR) AS cw, count(*) AS n FROM ${cohorts} GROUP BY cw ORDER BY count(*) DESC, cw`,
  ]);
  const top = sizes[0];
  if (!top) return no(`nobody has completed “${course}” in the training records`, named);
  const cohortWeek = String(top['cw']).slice(0, 10);
  const to = [
    addDays(cohortWeek, 7 * TRAINING_EFFECT.weeks_after),
    mondayOnOrBefore(o.today),
  ].sort()[0]!;
  const from = addDays(cohortWeek, -7 * TRAINING_EFFECT.weeks_before);
  const rows = await o.weekly(from, to);
  if (!rows || to <= cohortWeek)
    return no(`no weeks of data after the course week ${cohortWeek} yet`, { ...named, from, to });
  const m = target.metric;
  const specialties = cte(
    'te_specialties',
    sql`SELECT DISTINCT c.specialty FROM ${cohorts} k JOIN clinicians c ON c.user_id = k.user_id
    WHERE k.cw = CAST(${param('cw', cohortWeek)} AS DATE) AND c.specialty IS NOT NULL`,
  );
  const sample = cte(
    'te_sample',
    sql`SELECT r.user_id, CAST(r.period_start AS VARCHAR) AS week_start, r.${m} AS v,
      coalesce(CAST(k.cw AS VARCHAR), 'never') AS cohort
    FROM ${rows} r JOIN clinicians c ON c.user_id = r.user_id
    LEFT JOIN ${cohorts} k ON k.user_id = r.user_id
    WHERE r.scheduled_hours > 0 AND r.${m} IS NOT NULL
      AND c.specialty IN (SELECT specialty FROM ${specialties})`,
  );
  const [weekly = [], counts = []] = await runChain(store, [
    sql`SELECT cohort, week_start, percentile_cont(0.5) WITHIN GROUP (ORDER BY v) AS v
    FROM ${sample} GROUP BY cohort, week_start`,
    sql`SELECT cohort, count(DISTINCT user_id) AS n FROM ${sample} GROUP BY cohort`,
  ]);
  const weeks = weekStarts(from, to);
  const index = new Map(weeks.map((w, i) => [w, i]));
  const series = new Map<string, GroupSeries & { values: Map<number, number> }>();
  const size = new Map(counts.map((r) => [String(r['cohort']).slice(0, 10), Number(r['n'])]));
  for (const r of weekly) {
    const cohort = String(r['cohort']).slice(0, 10);
    const t = index.get(String(r['week_start']).slice(0, 10));
    if (t === undefined) continue;
    let s = series.get(cohort);
    if (!s) {
      const g =
        cohort === 'never' ? null : (index.get(cohort) ?? (cohort < from ? -1 : weeks.length));
      s = { values: new Map(), goLiveT: g, weight: size.get(cohort) ?? 1, label: cohort };
      series.set(cohort, s);
    }
    s.values.set(t, Number(r['v']));
  }
  const treated = series.get(cohortWeek);
  const trained = size.get(cohortWeek) ?? 0;
  const candidates = [...series.values()].filter((s) => s.label !== cohortWeek);
  const controls = candidates.reduce((n, s) => n + (size.get(s.label) ?? 0), 0);
  const out = { ...named, from, to, trained, controls, cohort_week: cohortWeek };
  if (!treated)
    return no(
      `the clinicians trained in the week of ${cohortWeek} have no weeks with scheduled hours in ${from}..${to}`,
      out,
    );
  const did = differenceInDifferences([treated], candidates, {
    transitionWeeks: 0,
    minPre: TRAINING_EFFECT.min_pre,
    minPost: TRAINING_EFFECT.min_post,
    lag: 'auto',
  });
  // The evaluation's reasons speak of a go-live; here the event is the course week.
  if (!did.fit)
    return no(
      (did.insufficient_data?.reason ?? 'the model could not be fitted')
        .replaceAll('go-live', 'the course week')
        .replaceAll('still not live', 'not yet trained')
        .replaceAll('not yet live', 'not yet trained'),
      out,
    );
  return {
    ...base,
    ...out,
    effect: did.fit.att,
    pre_trend_difference: did.fit.pre_trend_difference,
    insufficient_data: null,
  };
}
