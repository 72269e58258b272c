/**
 * Local calendar dates (`YYYY-MM-DD`, in the organisation's time zone) as the API takes them, and
 * how people read them. A range is `[from, to)`: the API's `to` is the day after the last day
 * included; people read the last day included ("2 Mar – 29 Mar 2026").
 */

const DAY_MS = 86_400_000;

const ms = (date: string): number => Date.parse(`${date}T00:00:00Z`);

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  return new Date(ms(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The Monday of the week holding `date` (weeks are ISO weeks, as the server's). */
export function mondayOnOrBefore(date: string): string {
  const weekday = (new Date(ms(date)).getUTCDay() + 6) % 7;
  return addDays(date, -weekday);
}

/** Whole days in `[from, to)`. */
export function daysBetween(from: string, to: string): number {
  return Math.round((ms(to) - ms(from)) / DAY_MS);
}

const dayMonth = (d: string): string =>
  new Date(ms(d)).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** "2 Mar 2026". */
export function dateWords(d: string): string {
  return new Date(ms(d)).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/**
 * `[from, to)` in words, the last day included: "2 Mar – 29 Mar 2026", "28 Dec 2025 – 3 Jan 2026",
 * "2 Mar 2026" for one day.
 */
export function rangeWords(from: string, to: string): string {
  const last = addDays(to, -1);
  if (last <= from) return dateWords(from);
  return from.slice(0, 4) === last.slice(0, 4)
    ? `${dayMonth(from)} – ${dateWords(last)}`
    : `${dateWords(from)} – ${dateWords(last)}`;
}

export interface DateRange {
  from: string;
  to: string;
}

export interface Preset {
  key: string;
  label: string;
  range: DateRange;
}

/**
 * The quick choices of a date picker, within the data's `[from, to)` (the server's dense extent):
 * the last 4 and 12 whole weeks (Monday to Sunday, ending with the last whole week of data), since
 * go-live (when the page has one), and all data. A preset the data are too short for starts at the
 * data's first day.
 */
export function presets(data: DateRange, goLive: string | null): Preset[] {
  const end = mondayOnOrBefore(data.to) > data.from ? mondayOnOrBefore(data.to) : data.to;
  const weeks = (n: number): DateRange => {
    const from = addDays(end, -7 * n);
    return { from: from < data.from ? data.from : from, to: end };
  };
  const out: Preset[] = [
    { key: 'last4', label: 'Last 4 weeks', range: weeks(4) },
    { key: 'last12', label: 'Last 12 weeks', range: weeks(12) },
  ];
  if (goLive && goLive >= data.from && goLive < data.to)
    out.push({ key: 'golive', label: 'Since go-live', range: { from: goLive, to: data.to } });
  out.push({ key: 'all', label: 'All data', range: { from: data.from, to: data.to } });
  return out;
}

/**
 * An instant from the API (ISO 8601, or SQL text in UTC such as `2026-03-02 14:05:00+00`) as a
 * local date and time of `tz`: "2026-03-02 09:05" (with `seconds`, "09:05:12"). The zone's name goes beside it, once, where the
 * times are shown (a column heading, a sentence).
 */
export function zoned(s: string | null | undefined, tz: string, seconds = false): string {
  if (!s) return '';
  const d = instant(s);
  if (!d) return s;
  const p = partsIn(d, tz, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' as const } : {}),
  });
  return `${p['year']}-${p['month']}-${p['day']} ${p['hour']}:${p['minute']}${seconds ? `:${p['second']}` : ''}`;
}

/** The parts of `d` in `tz` (24-hour clock, British order) named by type: `p['hour']`. */
function partsIn(d: Date, tz: string, o: Intl.DateTimeFormatOptions): Record<string, string> {
  return Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: tz, ...o, hourCycle: 'h23' })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  );
}

/** An instant from the API (ISO 8601, or SQL text in UTC), or null when it is not one. */
function instant(s: string): Date | null {
  let t = s.trim().replace(' ', 'T');
  const time = t.slice(11);
  if (/[+-]\d\d$/.test(time)) t += ':00';
  else if (time && !/[zZ]$|[+-]\d\d:?\d\d$/.test(time)) t += 'Z';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * An instant as people say it, in `tz`: "Mon 19 Jan 2026, 09:30" — a visit as a physician
 * recognises it (the zone named once where such times are shown).
 */
export function zonedWords(s: string | null | undefined, tz: string): string {
  if (!s) return '';
  const d = instant(s);
  if (!d) return s;
  const p = partsIn(d, tz, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  return `${p['weekday']} ${p['day']} ${p['month']} ${p['year']}, ${p['hour']}:${p['minute']}`;
}
