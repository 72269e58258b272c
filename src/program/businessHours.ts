import { addDays, dayClock, localInstant, offsetMinutesAt } from '../synth/tz.ts';
import { BUSINESS_DAY, BUSINESS_WEEKDAYS, type BusinessCalendar } from '../model/businessTime.ts';

/** The local date (`YYYY-MM-DD`) of instant `ms` in `timezone`. */
export function localDateOf(ms: number, timezone: string): string {
  return new Date(ms + offsetMinutesAt(timezone, ms) * 60_000).toISOString().slice(0, 10);
}

/** [start, end) instants of the business hours of one local date, whatever its UTC offset. */
const windows = new Map<string, readonly [number, number]>();
function businessWindow(timezone: string, date: string): readonly [number, number] {
  const key = `${timezone}\u0000${date}`;
  let w = windows.get(key);
  if (!w) {
    // Built from the day's own clock, so a DST change on any day moves 08:00 and 17:00 with it.
    const clock = dayClock(timezone, date);
    w = [
      localInstant(clock, BUSINESS_DAY.start_hour * 3600),
      localInstant(clock, BUSINESS_DAY.end_hour * 3600),
    ];
    if (windows.size > 200_000) windows.clear();
    windows.set(key, w);
  }
  return w;
}

const holidaySets = new WeakMap<readonly string[], ReadonlySet<string>>();
function holidaySet(cal: BusinessCalendar): ReadonlySet<string> {
  let s = holidaySets.get(cal.holidays);
  if (!s) holidaySets.set(cal.holidays, (s = new Set(cal.holidays)));
  return s;
}

/** ISO weekday, 1 = Monday … 7 = Sunday, of a local date. */
function isoWeekday(date: string): number {
  return ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
}

/** The local date is a business day of the calendar (Monday–Friday, not a holiday). */
export function isBusinessDay(cal: BusinessCalendar, date: string): boolean {
  return BUSINESS_WEEKDAYS.includes(isoWeekday(date)) && !holidaySet(cal).has(date);
}

/**
 * Business milliseconds in [from, to): the overlap with 08:00–17:00 local of every business day
 * (Monday–Friday, minus the calendar's holidays) in the calendar's time zone. Each local day's
 * 08:00 and 17:00 are found with that day's own UTC offset, so a day after a DST change still
 * opens at 08:00 on the wall clock. 0 when `to` ≤ `from`.
 */
export function businessMs(cal: BusinessCalendar, from: number, to: number): number {
  if (!(to > from)) return 0;
  const last = localDateOf(to, cal.timezone);
  let total = 0;
  for (let d = localDateOf(from, cal.timezone); d <= last; d = addDays(d, 1)) {
    if (!isBusinessDay(cal, d)) continue;
    const [start, end] = businessWindow(cal.timezone, d);
    total += Math.max(0, Math.min(to, end) - Math.max(from, start));
  }
  return total;
}

/** Business hours in [from, to) (`businessMs` / 3 600 000). */
export function businessHours(cal: BusinessCalendar, from: number, to: number): number {
  return businessMs(cal, from, to) / 3_600_000;
}
