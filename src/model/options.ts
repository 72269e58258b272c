/**
 * Metric options (`shared/spec/metrics.md` §2) and the request for one metrics computation.
 * Every report states the options it was computed with, so they are one plain object.
 */
import { z } from 'zod';
import { CHANNELS } from './canonical.ts';

export const WOW_WINDOWS = [
  'schedule',
  'schedule30',
  'outside7to7',
  'pajama',
  'after18to06',
] as const;
export type WowWindow = (typeof WOW_WINDOWS)[number];
export const PERIODS = ['all', 'day', 'week', 'month'] as const;
export type Period = (typeof PERIODS)[number];
export const GROUP_BYS = ['clinician', 'department', 'specialty', 'role', 'org'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a local date YYYY-MM-DD')
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
      new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    'a real calendar date',
  );

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
  // At most a day: a longer gap is no longer continuous work, and the range's instants are widened
  // by the timeout on both sides.
  timeout_seconds: z.number().int().positive().max(86_400, 'at most 86400 seconds (a day)'),
  over_timeout: z.enum(['drop', 'cap']),
  direction: z.enum(['forward', 'backward']),
  attribution: z.enum(['split', 'start']),
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
export const DEFAULT_OPTIONS: MetricOptions = {
  timezone: 'UTC',
  timeout_seconds: 300,
  over_timeout: 'drop',
  direction: 'forward',
  attribution: 'split',
  exclude_channels: [],
  session_merge_gap_minutes: 60,
  wow: 'schedule',
};

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
  });
export type MetricRequest = z.infer<typeof metricRequestSchema>;
