/**
 * The weekly series of a goal's group (`docs/program.md` §Goals: "a week's value"), fed to the
 * rules of `src/program` (`goalBaseline`, `goalProgress`):
 * - a per-clinician metric: from the report cache's weekly rows (`ReportCache.dataset`, the rows
 *   the organisation and group pages and the go-live evaluation read), the median across the
 *   group's clinicians with scheduled hours each ISO week (`weeklyMedians`, percentile_cont(0.5)
 *   as §7), `n` those clinicians;
 * - an adoption share: the tool's weekly adoption rows (`adoptionWeekly`, the adoption page's
 *   SQL), the group's active (or habitual) users over its eligible clinicians, `n` the eligible
 *   (`weeklyShares`);
 * - a survey score: the score of the group's responses of each week, set-based in SQL, weeks
 *   with fewer responses than the suppression threshold left without a value
 *   (`surveyWeeklyScores`, read from the store: responses are no part of the report cache).
 *
 * The reductions are `src/program/storeGoalSeries.ts`'s, which the command line runs on rows
 * read from the store itself.
 *
 * Ranges are whole ISO weeks. The start is moved back to a 13-week grid so that goals proposed
 * in the same quarter share one cached dataset (and the pages' own), rather than each computing
 * its own range.
 */
import { adoptionWeekly } from '../analysis/adoption.ts';
import { getTool } from '../analysis/tools.ts';
import { addDays, daysBetween, weekStarts } from '../analysis/weeks.ts';
import { UptakeError } from '../errors/UptakeError.ts';
import type { MetricOptions } from '../model/options.ts';
import { goalMetricOptions, weeklyMedians, weeklyShares } from '../program/storeGoalSeries.ts';
import { surveyWeeklyScores } from '../program/surveyWeeklyScores.ts';
import {
  GOAL_SHARE_METRICS,
  isSurveyMetric,
  type GoalGroupBy,
  type GoalMetric,
  type WeeklyValue,
} from '../model/goal.ts';
import { groupOf, type Roster } from './aggregates.ts';
import type { OrgSettings } from '../admin/orgSettings.ts';
import type { Services } from './routing.ts';

/** What a series is of. */
export interface SeriesOf {
  metric: GoalMetric;
  tool: string | null;
  /** The survey of a survey score (null or absent otherwise). */
  survey?: string | null | undefined;
  /** The goal's metric options (JSON text as stored, or the proposal's object). */
  metric_options?: string | Record<string, unknown> | undefined;
  group_by: GoalGroupBy;
  group_value: string;
}

/** The Monday the 13-week grid starts from. */
const GRID_ANCHOR = '2000-01-03';
const GRID_DAYS = 91;
/** The longest range a goal reads (the report pages' limit, in whole weeks). */
const MAX_DAYS = 156 * 7;

const isShare = (m: GoalMetric): m is (typeof GOAL_SHARE_METRICS)[number] =>
  (GOAL_SHARE_METRICS as readonly string[]).includes(m);

/** The organisation's options with the goal's own laid over them (the time zone stays). */
export function goalOptions(settings: OrgSettings, own: SeriesOf['metric_options']): MetricOptions {
  return goalMetricOptions(settings.options, own);
}

/** How many roster clinicians the group has (the organisation: all). */
export function rosterSize(roster: Roster, by: GoalGroupBy, value: string): number {
  let n = 0;
  for (const id of roster.keys()) if (by === 'org' || groupOf(roster, by, id) === value) n++;
  return n;
}

/**
 * The group's weekly values over the whole weeks [from, to) (Mondays), one per week (`value`
 * null and `n` 0 for a week without data), oldest first. `who` is the user whose turn a new
 * computation of the report cache takes.
 */
export async function goalWeeklySeries(
  s: Services,
  settings: OrgSettings,
  g: SeriesOf,
  weeks: { from: string; to: string },
  who: string,
): Promise<WeeklyValue[]> {
  if (weeks.from >= weeks.to) return [];
  let from = weeks.from;
  if (daysBetween(from, weeks.to) > MAX_DAYS) from = addDays(weeks.to, -MAX_DAYS);
  const mondays = weekStarts(from, weeks.to);
  const byWeek = new Map<string, { value: number | null; n: number }>();

  if (isSurveyMetric(g.metric)) {
    if (!g.survey)
      throw new UptakeError('INVALID_INPUT', 'survey: a survey score needs the survey it measures');
    const scores = await surveyWeeklyScores(s.db, {
      survey: g.survey,
      metric: g.metric,
      group_by: g.group_by,
      group_value: g.group_value,
      from,
      to: weeks.to,
      timezone: settings.timezone,
      threshold: settings.suppression_threshold,
    });
    for (const [w, c] of scores) byWeek.set(w, c);
  } else if (isShare(g.metric)) {
    if (!g.tool)
      throw new UptakeError('INVALID_INPUT', 'tool: an adoption share needs the tool it measures');
    const tool = await getTool(s.db, g.tool);
    const rows = await adoptionWeekly(s.db.reader, {
      tool,
      by: g.group_by,
      from,
      to: weeks.to,
      timezone: settings.timezone,
    });
    for (const [w, c] of weeklyShares(rows, g.metric, g.group_value)) byWeek.set(w, c);
  } else {
    // The 13-week grid: the same dataset for every goal of the quarter.
    const since = daysBetween(GRID_ANCHOR, from);
    let start = addDays(GRID_ANCHOR, Math.floor(since / GRID_DAYS) * GRID_DAYS);
    if (daysBetween(start, weeks.to) > MAX_DAYS) start = from;
    await s.cache.check();
    const ds = await s.cache.dataset(start, weeks.to, goalOptions(settings, g.metric_options), who);
    const inGroup = (id: string) =>
      g.group_by === 'org' || groupOf(ds.roster, g.group_by, id) === g.group_value;
    for (const [w, c] of weeklyMedians(ds.weekly, g.metric, inGroup)) byWeek.set(w, c);
  }
  return mondays.map((w) => ({ week_start: w, ...(byWeek.get(w) ?? { value: null, n: 0 }) }));
}
