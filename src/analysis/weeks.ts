/**
 * Local calendar weeks (ISO weeks, Monday first) as `YYYY-MM-DD` dates of their Monday. Adoption and
 * evaluation work on whole weeks, in the organisation's time zone, like `--period week` of metrics.
 */

import { isLocalDate } from '../model/options.ts';

const DAY_MS = 86_400_000;

function ms(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

function iso(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** Dates of a range: the one definition of the model (years 0001–9999). */
export { isLocalDate };

export function addDays(date: string, days: number): string {
  return iso(ms(date) + days * DAY_MS);
}

/** Days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((ms(b) - ms(a)) / DAY_MS);
}

/** 0 = Monday … 6 = Sunday. */
function weekday(date: string): number {
  return (new Date(ms(date)).getUTCDay() + 6) % 7;
}

/** The Monday of the week that contains `date`. */
export function mondayOnOrBefore(date: string): string {
  return addDays(date, -weekday(date));
}

export function mondayOnOrAfter(date: string): string {
  const wd = weekday(date);
  return wd === 0 ? date : addDays(date, 7 - wd);
}

/** Mondays of the whole weeks in [from, to) (both Mondays). */
export function weekStarts(from: string, to: string): string[] {
  const out: string[] = [];
  // By instant, not by text: a date past year 9999 is written +010000-… and sorts before 9999.
  for (let t = ms(from); t < ms(to); t += 7 * DAY_MS) out.push(iso(t));
  return out;
}

/** ISO week-of-year (1–53) of a date, for seasonal terms. */
export function isoWeekOfYear(date: string): number {
  // The ISO week of a date is the week of its Thursday.
  const thursday = addDays(date, 3 - weekday(date));
  const jan1 = `${thursday.slice(0, 4)}-01-01`;
  return Math.floor(daysBetween(jan1, thursday) / 7) + 1;
}

/**
 * Whole weeks of a requested range: `from` moves forward to a Monday and `to` back to one, so no
 * partial week enters a weekly series (a 3-day "week" would look like a drop in any weekly count).
 */
export function wholeWeeks(from: string, to: string): { from: string; to: string } {
  return { from: mondayOnOrAfter(from), to: mondayOnOrBefore(to) };
}
