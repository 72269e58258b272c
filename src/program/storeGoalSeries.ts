/**
 * A goal group's weekly values (`docs/program.md` §Goals, "a week's value") read straight from a
 * store, for callers without the server's report cache (the command line):
 * - a per-clinician metric: the weekly clinician rows the go-live evaluation reads
 *   (`weeklyClinicianRows`: `clinicianMetrics` by ISO week, kept in `metric_cache`), reduced per
 *   week to the median across the group's clinicians with scheduled hours (`percentile_cont(0.5)`,
 *   metrics.md §7), `n` those clinicians;
 * - an adoption share: the tool's weekly adoption rows (`adoptionWeekly`, the adoption page's
 *   SQL), the group's active (or habitual) users over its eligible clinicians, `n` the eligible;
 * - a survey score: the score of the group's responses of each week, weeks with fewer responses
 *   than the suppression threshold left without a value (`surveyWeeklyScores`).
 *
 * The server reads the same weekly rows from its report cache (`src/server/goalSeries.ts`) and
 * reduces them with the same `weeklyMedians` and `weeklyShares`; both feed the rules of this
 * folder (`goalBaseline`, `goalProgress`).
 */
import { adoptionWeekly, type AdoptionWeekRow } from '../analysis/adoption.ts';
import { weeklyClinicianRows } from '../analysis/metricCache.ts';
import { getTool } from '../analysis/tools.ts';
import { weekStarts } from '../analysis/weeks.ts';
import { UptakeError } from '../errors/UptakeError.ts';
import {
  GOAL_SHARE_METRICS,
  isSurveyMetric,
  type GoalGroupBy,
  type GoalMetric,
  type WeeklyValue,
} from '../model/goal.ts';
import { metricOptionsSchema, type MetricOptions } from '../model/options.ts';
import type { Store } from '../store/Store.ts';
import { surveyWeeklyScores } from './surveyWeeklyScores.ts';

/** What a series is of (a stored goal or a proposal). */
export interface GoalSeriesOf {
  metric: GoalMetric;
  tool: string | null;
  /** The survey of a survey score (null or absent otherwise). */
  survey?: string | null | undefined;
  /** The goal's metric options (JSON text as stored, or the proposal's object). */
  metric_options?: string | Record<string, unknown> | undefined;
  group_by: GoalGroupBy;
  group_value: string;
}

const isShare = (m: GoalMetric): m is (typeof GOAL_SHARE_METRICS)[number] =>
  (GOAL_SHARE_METRICS as readonly string[]).includes(m);

/** The organisation's options with the goal's own laid over them (the time zone stays). */
export function goalMetricOptions(
  org: MetricOptions,
  own: GoalSeriesOf['metric_options'],
): MetricOptions {
  let parsed: unknown = own ?? {};
  if (typeof own === 'string') {
    try {
      parsed = JSON.parse(own);
    } catch {
      parsed = {};
    }
  }
  const r = metricOptionsSchema.omit({ timezone: true }).partial().safeParse(parsed);
  const out: MetricOptions = { ...org };
  if (r.success)
    for (const [k, v] of Object.entries(r.data))
      if (v !== undefined) Object.assign(out, { [k]: v });
  return out;
}

/** percentile_cont(0.5) of `xs` (null when empty). */
function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) / 2;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** A week's value of the group and the clinicians (or eligible clinicians) behind it. */
export type WeekCell = { value: number | null; n: number };

/**
 * §1 a week's value of a per-clinician metric: per ISO week (`period_start`), the median of
 * `metric` across the weekly rows of the clinicians `inGroup` keeps that have scheduled hours,
 * `n` those clinicians (a clinician without a value that week counts in `n`, not in the median).
 */
export function weeklyMedians(
  rows: Iterable<
    { user_id: string; period_start: unknown; scheduled_hours: number } & Partial<
      Record<GoalMetric, unknown>
    >
  >,
  metric: GoalMetric,
  inGroup: (userId: string) => boolean,
): Map<string, WeekCell> {
  const cells = new Map<string, { values: number[]; n: number }>();
  for (const r of rows) {
    if (!(r.scheduled_hours > 0) || !inGroup(r.user_id)) continue;
    const w = String(r.period_start).slice(0, 10);
    const c = cells.get(w) ?? { values: [], n: 0 };
    c.n++;
    const v = r[metric];
    if (typeof v === 'number' && Number.isFinite(v)) c.values.push(v);
    cells.set(w, c);
  }
  const out = new Map<string, WeekCell>();
  for (const [w, c] of cells) out.set(w, { value: median(c.values), n: c.n });
  return out;
}

/**
 * §1 a week's value of an adoption share: per week, the group's active (or habitual) users over
 * its eligible clinicians, summed over the group's go-live cells; `n` the eligible.
 */
export function weeklyShares(
  rows: Iterable<
    Pick<AdoptionWeekRow, 'group' | 'week_start' | 'weekly_active' | 'habitual' | 'eligible'>
  >,
  metric: (typeof GOAL_SHARE_METRICS)[number],
  group: string,
): Map<string, WeekCell> {
  const sums = new Map<string, { users: number; eligible: number }>();
  for (const r of rows) {
    if (r.group !== group) continue;
    const t = sums.get(r.week_start) ?? { users: 0, eligible: 0 };
    t.users += metric === 'adoption.active_share' ? r.weekly_active : r.habitual;
    t.eligible += r.eligible;
    sums.set(r.week_start, t);
  }
  const out = new Map<string, WeekCell>();
  for (const [w, t] of sums)
    out.set(w, { value: t.eligible > 0 ? t.users / t.eligible : null, n: t.eligible });
  return out;
}

/**
 * The group's weekly values over the whole weeks [from, to) (Mondays), one per week (`value`
 * null and `n` 0 for a week without data), oldest first. `org` is the organisation's metric
 * options (its time zone included); `threshold` its `suppression_threshold` (survey scores).
 */
export async function storeGoalSeries(
  store: Store,
  org: MetricOptions,
  g: GoalSeriesOf,
  weeks: { from: string; to: string },
  threshold: number,
): Promise<WeeklyValue[]> {
  if (weeks.from >= weeks.to) return [];
  const mondays = weekStarts(weeks.from, weeks.to);
  let byWeek: Map<string, WeekCell>;
  if (isSurveyMetric(g.metric)) {
    if (!g.survey)
      throw new UptakeError('INVALID_INPUT', 'survey: a survey score needs the survey it measures');
    byWeek = await surveyWeeklyScores(store, {
      survey: g.survey,
      metric: g.metric,
      group_by: g.group_by,
      group_value: g.group_value,
      ...weeks,
      timezone: org.timezone,
      threshold,
    });
  } else if (isShare(g.metric)) {
    if (!g.tool)
      throw new UptakeError('INVALID_INPUT', 'tool: an adoption share needs the tool it measures');
    const rows = await adoptionWeekly(store, {
      tool: await getTool(store, g.tool),
      by: g.group_by,
      from: weeks.from,
      to: weeks.to,
      timezone: org.timezone,
    });
    byWeek = weeklyShares(rows, g.metric, g.group_value);
  } else {
    const members =
      g.group_by === 'org'
        ? null
        : new Set(
            (
              await store.all<{ user_id: string }>(
                `SELECT user_id FROM clinicians WHERE ${g.group_by} = $1`,
                [g.group_value],
              )
            ).map((r) => r.user_id),
          );
    const { rows } = await weeklyClinicianRows(
      store,
      {
        from: weeks.from,
        to: weeks.to,
        period: 'week',
        options: goalMetricOptions(org, g.metric_options),
      },
      { cache: true },
    );
    byWeek = weeklyMedians(rows, g.metric, (id) => !members || members.has(id));
  }
  return mondays.map((w) => ({ week_start: w, ...(byWeek.get(w) ?? { value: null, n: 0 }) }));
}
