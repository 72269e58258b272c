import { addDays, daysBetween, mondayOnOrBefore } from '../analysis/weeks.ts';
import type { TargetDirection } from '../model/evaluationMetrics.ts';
import type { GoalStatus, WeeklyValue } from '../model/goal.ts';
import { goalBaseline, valuesOfWeeks, type GoalBaseline } from './goalBaseline.ts';
import { linearProjection, type LinearProjection } from './linearProjection.ts';
import { welchDifference, type WelchDifference } from './welch.ts';

/** Weeks of the "current" value and of the final judgement (§1). */
export const CURRENT_WEEKS = 4;

/** What the status of an adopted goal is computed from. Dates are local (organisation time zone). */
export interface TrackedGoal {
  direction: TargetDirection;
  target: number;
  target_date: string;
  baseline_weeks: number;
  /** The local date of the proposal (the baseline is the whole weeks before it). */
  proposed_on: string;
  /** The local date of adoption (the close of the vote). */
  adopted_on: string;
}

export interface GoalProgress {
  /** The status of §1, or `insufficient_data` when the weeks needed have no values (`reason`). */
  status: GoalStatus | 'insufficient_data';
  reason: string | null;
  baseline: GoalBaseline | null;
  /** Whole weeks since adoption, as of the date asked. */
  weeks_since_adoption: number;
  /**
   * The mean of the last 4 whole weeks (after the target date: of the 4 weeks before it); null
   * when too early or without values.
   */
  current: number | null;
  /** (current − baseline) / (target − baseline); null when unknown or target = baseline. */
  progress: number | null;
  /** The line through the weekly values since adoption, at the last whole week before the target date. */
  projection: (LinearProjection & { week_start: string }) | null;
  /** After the target date: the 4 final weeks against the baseline weeks (Welch). */
  change: WelchDifference | null;
}

/** The value has reached the target, the goal's way (equality reaches it). */
export function reaches(value: number, target: number, direction: TargetDirection): boolean {
  return direction === 'decrease' ? value <= target : value >= target;
}

const mean = (xs: readonly number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;

/**
 * §1 Progress and status of an adopted goal, as of local date `asOf`, from the group's weekly
 * values (`series`: one row per ISO week, any span; the baseline weeks, the weeks since adoption
 * and the final weeks are picked from it).
 *
 * Weeks, everywhere: a week is "before date D" when it ended before D began (its Monday is
 * before D's Monday), and "since adoption" when it began after the adoption day (the week that
 * holds the adoption day counts for neither side). As of `asOf`, the whole weeks are those before
 * `asOf`.
 *
 * - After the target date (`asOf` > `target_date`): `met` when the mean of the 4 whole weeks
 *   before the target date has reached the target, else `not_met`; with the change from baseline
 *   and its Welch interval on weekly values.
 * - Otherwise `too_early` with fewer than 4 whole weeks since adoption; else `current` = the mean
 *   of the last 4 whole weeks and: `achieved` when current has reached the target; else a least
 *   squares line through the weekly values since adoption (x in weeks) is projected to the last
 *   whole week before the target date with a 95% prediction interval: `on_track` when the
 *   projection reaches the target (exactly on it counts), `at_risk` when it does not but the
 *   interval includes the target (bounds included), `off_track` when the interval excludes it.
 *
 * Weeks without a value are left out of every mean and fit; `insufficient_data` (with `reason`)
 * when a baseline needs two values and has fewer, the current or final weeks have none, or the
 * fit has fewer than three weeks with a value.
 */
export function goalProgress(
  goal: TrackedGoal,
  series: readonly WeeklyValue[],
  asOf: string,
): GoalProgress {
  const baseline = goalBaseline(series, goal.proposed_on, goal.baseline_weeks);
  const firstWeek = addDays(mondayOnOrBefore(goal.adopted_on), 7);
  const wholeEnd = mondayOnOrBefore(asOf);
  const weeks_since_adoption = Math.max(0, daysBetween(firstWeek, wholeEnd) / 7);
  const base: GoalProgress = {
    status: 'insufficient_data',
    reason: null,
    baseline,
    weeks_since_adoption,
    current: null,
    progress: null,
    projection: null,
    change: null,
  };
  const progressOf = (current: number) =>
    baseline && goal.target !== baseline.mean
      ? (current - baseline.mean) / (goal.target - baseline.mean)
      : null;
  const insufficient = (reason: string): GoalProgress => ({ ...base, reason });

  if (asOf > goal.target_date) {
    const end = mondayOnOrBefore(goal.target_date);
    const finals = valuesOfWeeks(series, addDays(end, -7 * CURRENT_WEEKS), end);
    if (!finals.length)
      return insufficient(`no weekly value in the ${CURRENT_WEEKS} weeks before the target date`);
    const current = mean(finals);
    return {
      ...base,
      status: reaches(current, goal.target, goal.direction) ? 'met' : 'not_met',
      current,
      progress: progressOf(current),
      change: baseline ? welchDifference(baseline.values, finals) : null,
    };
  }
  if (weeks_since_adoption < CURRENT_WEEKS) return { ...base, status: 'too_early' };
  if (!baseline)
    return insufficient(
      `fewer than two weekly values in the ${goal.baseline_weeks} weeks before the proposal`,
    );
  const lastFour = valuesOfWeeks(series, addDays(wholeEnd, -7 * CURRENT_WEEKS), wholeEnd);
  if (!lastFour.length) return insufficient(`no weekly value in the last ${CURRENT_WEEKS} weeks`);
  const current = mean(lastFour);
  const withCurrent = { ...base, current, progress: progressOf(current) };
  if (reaches(current, goal.target, goal.direction)) return { ...withCurrent, status: 'achieved' };

  const points = series
    .filter(
      (w) =>
        w.week_start >= firstWeek &&
        w.week_start < wholeEnd &&
        w.value !== null &&
        Number.isFinite(w.value),
    )
    .map((w) => ({ x: daysBetween(firstWeek, w.week_start) / 7, y: w.value as number }));
  const targetWeek = addDays(mondayOnOrBefore(goal.target_date), -7);
  const fit = linearProjection(points, daysBetween(firstWeek, targetWeek) / 7);
  if (!fit) return { ...withCurrent, reason: 'fewer than three weekly values since adoption' };
  const projection = { ...fit, week_start: targetWeek };
  const [lo, hi] = fit.pi95;
  const status: GoalStatus = reaches(fit.value, goal.target, goal.direction)
    ? 'on_track'
    : lo <= goal.target && goal.target <= hi
      ? 'at_risk'
      : 'off_track';
  return { ...withCurrent, status, projection };
}
