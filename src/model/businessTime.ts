/**
 * Business time of the buy-in program (`docs/program.md`): Monday–Friday 08:00–17:00 in the
 * organisation's time zone, minus the dates of the `holidays` setting. The days and hours are
 * fixed by the spec; an administrator changes the time zone and the holidays, and the feedback
 * clocks' targets per priority.
 */
import { z } from 'zod';
import { isTimeZone, localDate } from './options.ts';

/** The business day: 08:00 to 17:00 local, so a business day is 9 business hours. */
export const BUSINESS_DAY = { start_hour: 8, end_hour: 17 } as const;
export const BUSINESS_HOURS_PER_DAY = BUSINESS_DAY.end_hour - BUSINESS_DAY.start_hour;

/** ISO weekdays (1 = Monday … 7 = Sunday) that are business days. */
export const BUSINESS_WEEKDAYS: readonly number[] = [1, 2, 3, 4, 5];

/** The calendar the clocks run on: the organisation's time zone and its holidays. */
export const businessCalendarSchema = z.object({
  timezone: z.string().refine(isTimeZone, 'an IANA time zone such as America/New_York'),
  /** Local dates (`YYYY-MM-DD`) that are not business days. */
  holidays: z.array(localDate).max(5_000),
});
export type BusinessCalendar = z.infer<typeof businessCalendarSchema>;

export const FEEDBACK_PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type FeedbackPriority = (typeof FEEDBACK_PRIORITIES)[number];

const hours = z.number().positive().max(100_000);
const clockTargets = z.object({ first_response_hours: hours, resolution_hours: hours });

/** Each priority's targets, in business hours (a business day is 9 of them). */
export const slaTargetsSchema = z.object({
  urgent: clockTargets,
  high: clockTargets,
  normal: clockTargets,
  low: clockTargets,
});
export type SlaTargets = z.infer<typeof slaTargetsSchema>;

const d = BUSINESS_HOURS_PER_DAY;
/**
 * The spec's defaults: urgent 4 h / 1 business day, high 1 / 5 days, normal 2 / 20 days, low
 * 5 / 60 days (first response / resolution).
 */
export const DEFAULT_SLA_TARGETS: SlaTargets = {
  urgent: { first_response_hours: 4, resolution_hours: 1 * d },
  high: { first_response_hours: 1 * d, resolution_hours: 5 * d },
  normal: { first_response_hours: 2 * d, resolution_hours: 20 * d },
  low: { first_response_hours: 5 * d, resolution_hours: 60 * d },
};
