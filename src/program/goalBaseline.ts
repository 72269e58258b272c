import { addDays, mondayOnOrBefore } from '../analysis/weeks.ts';
import type { WeeklyValue } from '../model/goal.ts';
import { meanInterval, type MeanInterval } from './meanInterval.ts';

/** A goal's baseline: the mean of the weekly values before the proposal, its interval and noise. */
export interface GoalBaseline extends MeanInterval {
  /** The standard deviation of the weekly values (§1: `noise`). */
  noise: number;
  /** The baseline weeks: Mondays of the first and of the last. */
  weeks: { first: string; last: string };
  /** The weekly values that entered it, oldest first (the "before" side of the final Welch test). */
  values: number[];
}

/** The values of the whole weeks [from, to) (Mondays), oldest first; weeks without a value skipped. */
export function valuesOfWeeks(series: readonly WeeklyValue[], from: string, to: string): number[] {
  const seen = new Set<string>();
  const rows: WeeklyValue[] = [];
  for (const w of series) {
    if (seen.has(w.week_start))
      throw new RangeError(`weekly series: week ${w.week_start} appears twice`);
    seen.add(w.week_start);
    if (w.week_start >= from && w.week_start < to && w.value !== null && Number.isFinite(w.value))
      rows.push(w);
  }
  return rows.sort((a, b) => (a.week_start < b.week_start ? -1 : 1)).map((w) => w.value as number);
}

/**
 * §1 Baseline: the mean of the weekly values over the `baselineWeeks` whole ISO weeks before the
 * goal was proposed (on local date `proposedOn`: the week that holds it is not whole before it),
 * with a 95% t-interval; `noise` = their standard deviation. Weeks without a value are left out;
 * null with fewer than two values.
 *
 * `series` is the group's weekly values (`WeeklyValue`); the store feeds it from the weekly
 * clinician metrics of the group (the median across clinicians with scheduled hours, as the
 * go-live evaluation's series) or the tool's weekly adoption share.
 */
export function goalBaseline(
  series: readonly WeeklyValue[],
  proposedOn: string,
  baselineWeeks: number,
): GoalBaseline | null {
  const end = mondayOnOrBefore(proposedOn);
  const first = addDays(end, -7 * baselineWeeks);
  const values = valuesOfWeeks(series, first, end);
  const m = meanInterval(values);
  if (!m) return null;
  return { ...m, noise: m.sd, weeks: { first, last: addDays(end, -7) }, values };
}
