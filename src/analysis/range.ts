/**
 * Default ranges, from where the data are dense. One stray row (a year 1900 typo, a clock set to
 * 2200) must not move a default: the reports' default is the last 12 complete weeks of the dense
 * data, adoption's and evaluation's the complete weeks from the first to the last dense week.
 *
 * Definitions (weeks are ISO weeks, Monday to Sunday, in the organisation's time zone):
 * - a week's *count* is the number of its events; the *typical week* is the median count over the
 *   weeks that have events;
 * - a week is *dense* when its count is at least `DENSE_SHARE` (a quarter) of the typical week's;
 * - the *dense extent* runs from the first to the last local day holding an event of a dense week;
 * - a week is *complete* when the dense extent covers all of it and it has ended (today is after
 *   its Sunday): a partial first or last week of data and the current week are left out.
 * A few rows far from the bulk make weeks of a handful of events, never dense, so they move no
 * default; a week of holidays (half the usual events) still is dense.
 */
import { invalid } from '../errors/UptakeError.ts';
import { FIRST_DATE, LAST_DATE } from '../model/options.ts';
import type { Store } from '../store/Store.ts';
import { addDays, daysBetween, isLocalDate, mondayOnOrBefore, wholeWeeks } from './weeks.ts';

/**
 * The most weeks one adoption or evaluation covers: its series, models and answers hold a value
 * per group and week, however few of the weeks hold data.
 */
export const MAX_WEEKS = 1044;

/** A week is dense when it holds at least this share of the median week's events. */
export const DENSE_SHARE = 0.25;

/** Complete weeks in the reports' default range (fewer when the data hold fewer). */
export const DEFAULT_WEEKS = 12;

/** Where the events are dense (see the module's definitions). */
export interface DenseExtent {
  /** The first local day holding an event of a dense week. */
  from: string;
  /** The day after the last local day holding an event of a dense week (`to` is exclusive). */
  to: string;
  /** Weeks with events, and how many of them are dense. */
  weeks: number;
  dense_weeks: number;
  /** The median count of events over the weeks with events. */
  median_weekly_events: number;
}

/** A range of local days, `to` exclusive. */
export interface DayRange {
  from: string;
  to: string;
}

/** Quarter hours in microseconds: the buckets events are counted in before finding their day. */
const QUARTER_US = 900_000_000;

/**
 * The dense extent of the events in `timezone` (null without events), in SQL: events are counted
 * per quarter hour of UTC (integer arithmetic, one pass), and only the quarter hours are given
 * their local day — every offset in use since the 1970s is a whole number of quarter hours, so a
 * quarter hour lies in one local day; the few that straddle a local midnight (offsets such as
 * New York's −4:56:02 before 1883) have their events dated one by one. Then per week, the
 * median, and the dense weeks.
 */
export async function denseExtent(store: Store, timezone: string): Promise<DenseExtent | null> {
  const d = store.dialect;
  const us = (e: string) => d.epochUs(e);
  // Floor division (a quarter hour before 1970 starts before its instant, not after).
  const quarter = (e: string) =>
    d.intDiv(
      `${us(e)} - ((${us(e)} % ${QUARTER_US}) + ${QUARTER_US}) % ${QUARTER_US}`,
      String(QUARTER_US),
    );
  const local = (e: string) => `CAST(${e} AT TIME ZONE CAST($1 AS VARCHAR) AS DATE)`;
  const [r] = await store.all<{
    lo: string | null;
    hi: string | null;
    dense: number;
    weeks: number | null;
    med: number | null;
  }>(
    `WITH quarters AS (
       SELECT ${quarter('occurred_at')} AS q, count(*) AS n FROM events GROUP BY 1),
     dated AS (
       SELECT q, n, ${local(d.fromEpochUs(`q * ${QUARTER_US}`))} AS d0,
              ${local(d.fromEpochUs(`q * ${QUARTER_US} + ${QUARTER_US - 1}`))} AS d1
       FROM quarters),
     days AS (
       SELECT d0 AS day, n FROM dated WHERE d0 = d1
       UNION ALL
       SELECT ${local('e.occurred_at')} AS day, 1 AS n
       FROM events e JOIN dated s ON s.q = ${quarter('e.occurred_at')}
       WHERE s.d0 <> s.d1),
     weeks AS (
       SELECT CAST(date_trunc('week', CAST(day AS TIMESTAMP)) AS DATE) AS week,
              CAST(sum(n) AS ${d.double}) AS n, min(day) AS lo, max(day) AS hi
       FROM days GROUP BY 1),
     typical AS (
       SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY n) AS med, count(*) AS weeks FROM weeks)
     SELECT CAST(min(w.lo) AS VARCHAR) AS lo, CAST(max(w.hi) AS VARCHAR) AS hi,
            count(*) AS dense, min(t.weeks) AS weeks, min(t.med) AS med
     FROM weeks w CROSS JOIN typical t
     WHERE w.n >= ${DENSE_SHARE} * t.med`,
    [timezone],
  );
  if (!r?.lo || !r.hi) return null;
  return {
    from: String(r.lo).slice(0, 10),
    to: addDays(String(r.hi).slice(0, 10), 1),
    weeks: Number(r.weeks),
    dense_weeks: Number(r.dense),
    median_weekly_events: Number(r.med),
  };
}

/** One formatter per time zone: building one costs about a millisecond, and pages ask often. */
const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** Today's local date in `timezone`. */
export function localToday(timezone: string, now: Date = new Date()): string {
  let f = dayFormatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormatters.set(timezone, f);
  }
  return f.format(now);
}

/**
 * The complete weeks of the dense extent (Mondays, `to` exclusive), null when it holds none.
 * Weeks not yet over on `today` are left out, unless that leaves none (data dated in the future
 * are still analysed).
 */
export function completeWeeks(extent: DenseExtent, today: string): DayRange | null {
  const all = wholeWeeks(extent.from, extent.to);
  if (daysBetween(all.from, all.to) <= 0) return null;
  const ended = mondayOnOrBefore(today);
  if (daysBetween(ended, all.to) > 0 && daysBetween(all.from, ended) > 0)
    return { from: all.from, to: ended };
  return all;
}

/**
 * The reports' default range: the last `DEFAULT_WEEKS` complete weeks of the dense extent; the
 * dense days themselves when they hold no complete week; today without events.
 */
export function defaultReportRange(extent: DenseExtent | null, today: string): DayRange {
  if (!extent) return { from: today, to: addDays(today, 1) };
  const w = completeWeeks(extent, today) ?? { from: extent.from, to: extent.to };
  const earliest = addDays(w.to, -7 * DEFAULT_WEEKS);
  return { from: daysBetween(w.from, earliest) > 0 ? earliest : w.from, to: w.to };
}

/**
 * Adoption's and evaluation's default weeks: the complete weeks of the dense extent, the last
 * `MAX_WEEKS` of them at most; null when there are none.
 */
export function defaultAnalysisWeeks(extent: DenseExtent, today: string): DayRange | null {
  const w = completeWeeks(extent, today);
  if (!w) return null;
  const earliest = addDays(w.to, -7 * MAX_WEEKS);
  return { from: daysBetween(w.from, earliest) > 0 ? earliest : w.from, to: w.to };
}

/**
 * The whole weeks of `from`–`to`, refused when they are none or more than `MAX_WEEKS`. A bound
 * not given comes from the complete weeks of the dense extent (the last `MAX_WEEKS` of them).
 * `extent` may be given when the caller holds it (the server computes it once per import).
 */
export async function resolveWeeks(
  store: Store,
  timezone: string,
  from: string | undefined,
  to: string | undefined,
  extent?: () => Promise<DenseExtent | null>,
): Promise<{ from: string; to: string }> {
  for (const [flag, v] of [
    ['--from', from],
    ['--to', to],
  ] as const)
    if (v !== undefined && !isLocalDate(v))
      throw invalid(`${flag} ${v} is not a date YYYY-MM-DD from ${FIRST_DATE} to ${LAST_DATE}`);
  let f = from;
  let t = to;
  if (f === undefined || t === undefined) {
    const e = await (extent ? extent() : denseExtent(store, timezone));
    if (!e) throw invalid('there are no events yet; import some with uptake import events FILE');
    const w = defaultAnalysisWeeks(e, localToday(timezone));
    if (!w)
      throw invalid(
        `the events (dense from ${e.from} to ${addDays(e.to, -1)}) hold no whole week (Monday to Sunday); adoption and evaluation count whole weeks`,
      );
    f ??= w.from;
    t ??= w.to;
  }
  const w = wholeWeeks(f, t);
  // Compared as days, not as text: the Monday after 9999-12-27 is written +010000-01-03.
  const weeks = daysBetween(w.from, w.to) / 7;
  if (weeks > MAX_WEEKS)
    throw invalid(
      `${f} to ${t} holds ${weeks} whole weeks; adoption and evaluation take at most ${MAX_WEEKS} (20 years): choose a later from or an earlier to`,
    );
  if (weeks <= 0)
    throw invalid(
      `${f} to ${t} holds no whole week (Monday to Sunday); adoption and evaluation count whole weeks`,
    );
  return w;
}
