/**
 * Metric options (`docs/metrics.md`) and the request for one metrics computation.
 * Every report states the options it was computed with, so they are one plain object.
 */
import { z } from 'zod';
import {
  ATTRIBUTIONS,
  CHANNELS,
  DIRECTIONS,
  GROUP_BYS,
  OPTION_DEFAULTS,
  OVER_TIMEOUT_RULES,
  PERIODS,
  WOW_WINDOWS,
} from './constants.ts';

export { GROUP_BYS, PERIODS, WOW_WINDOWS };
export type WowWindow = (typeof WOW_WINDOWS)[number];
export type Period = (typeof PERIODS)[number];
export type GroupBy = (typeof GROUP_BYS)[number];

/**
 * The dates a range may name: years 0001 to 9999. Both engines' DATE and TIMESTAMPTZ hold them
 * (and their time-zone shifts); year 0000 has no text form in PostgreSQL, and a fifth digit none
 * in `YYYY-MM-DD`.
 */
export const FIRST_DATE = '0001-01-01';
export const LAST_DATE = '9999-12-31';

/** True for a real calendar date written `YYYY-MM-DD`, from `FIRST_DATE` to `LAST_DATE`. */
export function isLocalDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || s < FIRST_DATE) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().startsWith(s);
}

/** A local date of a range (`isLocalDate`), with a message that says which dates are accepted. */
export const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a local date YYYY-MM-DD')
  .refine(isLocalDate, `a real calendar date from ${FIRST_DATE} to ${LAST_DATE}`);

/** True when `tz` is an IANA time zone name this runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const metricOptionsSchema = z.object({
  timezone: z.string().refine(isTimeZone, 'an IANA time zone such as America/New_York'),
  // At most a week: metrics.md §2 sets no bound, but a longer gap is no continuous work by any
  // reading, the range's instants are widened by the timeout on both sides, and the engines'
  // second intervals overflow at 2^31 s. (The hand-computed cases go up to three days.)
  timeout_seconds: z.number().int().positive().max(604_800, 'at most 604800 seconds (a week)'),
  over_timeout: z.enum(OVER_TIMEOUT_RULES),
  direction: z.enum(DIRECTIONS),
  attribution: z.enum(ATTRIBUTIONS),
  // Excluding every channel leaves no event: every report would be empty.
  exclude_channels: z
    .array(z.enum(CHANNELS))
    .refine(
      (list) => CHANNELS.some((c) => !list.includes(c)),
      `must leave at least one of ${CHANNELS.join(', ')}; excluding every channel leaves no events to report`,
    ),
  session_merge_gap_minutes: z
    .number()
    .int()
    .nonnegative()
    // Beyond a day, a whole clinic week would merge into one session.
    .max(1_440, 'at most 1440 minutes (a day); the default is 60'),
  wow: z.enum(WOW_WINDOWS),
});
export type MetricOptions = z.infer<typeof metricOptionsSchema>;

/** The defaults of §2 (time zone: the organisation's, else UTC — resolved by the caller). */
export const DEFAULT_OPTIONS: MetricOptions = { ...OPTION_DEFAULTS, exclude_channels: [] };

/**
 * The most pieces one request may cut its range into: every clinician with data gets a row for
 * each piece (§6), so this bounds a report's rows per clinician (27 years of days, 190 of weeks,
 * 830 of months; `all` is always one piece).
 */
export const MAX_PERIOD_PIECES = 10_000;

const DAY_MS = 86_400_000;

/** The number of pieces `period` cuts [from, to) into (§6: the first and last cut at the range). */
export function pieceCount(from: string, to: string, period: Period): number {
  const f = Date.parse(`${from}T00:00:00Z`);
  const t = Date.parse(`${to}T00:00:00Z`);
  const days = Math.round((t - f) / DAY_MS);
  if (period === 'all') return 1;
  if (period === 'day') return days;
  if (period === 'week') {
    const sinceMonday = (new Date(f).getUTCDay() + 6) % 7;
    return Math.ceil((days + sinceMonday) / 7);
  }
  const first = new Date(f);
  const last = new Date(t - DAY_MS);
  return (
    (last.getUTCFullYear() - first.getUTCFullYear()) * 12 +
    (last.getUTCMonth() - first.getUTCMonth()) +
    1
  );
}

export const metricRequestSchema = z
  .object({
    from: localDate,
    to: localDate,
    period: z.enum(PERIODS),
    options: metricOptionsSchema,
  })
  .refine((r) => r.from < r.to, {
    message: '`to` must be after `from` (the range is [from, to))',
    path: ['to'],
  })
  .superRefine((r, ctx) => {
    if (r.from >= r.to) return;
    const n = pieceCount(r.from, r.to, r.period);
    if (n > MAX_PERIOD_PIECES)
      ctx.addIssue({
        code: 'custom',
        path: ['period'],
        message: `${r.period} cuts ${r.from} to ${r.to} into ${n} pieces, and every clinician gets a row for each; at most ${MAX_PERIOD_PIECES} pieces: choose a longer period or a shorter range`,
      });
  });
export type MetricRequest = z.infer<typeof metricRequestSchema>;
