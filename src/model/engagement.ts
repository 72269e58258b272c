/**
 * The engagement measures of `shared/spec/engagement.md` §2 (issue #15), as zod schemas: the
 * request (a range of local dates, a period, a grouping) and one row of figures of a clinician or
 * a group in one period piece, numerators and denominators beside every share and the distinct
 * patients behind each denominator (what the small-cell rule counts). `docs/engagement.md` defines
 * each figure in the project's words.
 */
import { z } from 'zod';
import { localDate } from './options.ts';
import { ENGAGEMENT_BYS, ENGAGEMENT_PERIODS } from './constants.ts';

export { ENGAGEMENT_BYS, ENGAGEMENT_PERIODS };
export type EngagementPeriod = (typeof ENGAGEMENT_PERIODS)[number];
export type EngagementBy = (typeof ENGAGEMENT_BYS)[number];

/**
 * The CMS small-cell rule of §2: a figure whose denominator counts fewer than 11 distinct patients
 * is shown to administrators only. Fixed by the spec (not the clinician threshold of the metric
 * groups, a setting).
 */
export const PATIENT_CELL_MIN = 11;

/**
 * The blocks of figures that share a denominator, each suppressed as a whole: patients seen (and
 * the shares of them), releases of visits (timely access), patient messages, results, follow-ups.
 */
export const ENGAGEMENT_BLOCKS = ['seen', 'access', 'messages', 'results', 'followups'] as const;
export type EngagementBlock = (typeof ENGAGEMENT_BLOCKS)[number];

export const engagementRequestSchema = z
  .object({
    from: localDate,
    to: localDate,
    period: z.enum(ENGAGEMENT_PERIODS).default('all'),
    by: z.enum(ENGAGEMENT_BYS).default('org'),
    timezone: z.string(),
    /** Local dates that are not business days (the `holidays` setting). */
    holidays: z.array(localDate).default([]),
  })
  .refine((r) => r.from < r.to, { message: 'from must be before to', path: ['to'] });
export type EngagementRequest = z.infer<typeof engagementRequestSchema>;

const count = z.number().int().nonnegative().nullable();
const num = z.number().nullable();

/** One clinician's or group's figures in one period piece (§2). Null: empty or suppressed. */
export const engagementRowSchema = z.object({
  group_by: z.enum(ENGAGEMENT_BYS),
  /** The clinician's id, or the group (`(not in roster)`, `organisation`). */
  group: z.string(),
  period_start: z.string(),
  period_end: z.string(),
  // Patients seen and the shares of them (denominator: patients_seen).
  patients_seen: count,
  activated: count,
  activated_share: num,
  active: count,
  active_share: num,
  regular: count,
  regular_share: num,
  vdt: count,
  vdt_share: num,
  messaged: count,
  patient_message_share: num,
  seen_patients: count,
  // Timely access: releases (note, visit_summary) of visits in the period.
  releases: count,
  releases_timely: count,
  timely_access_share: num,
  release_patients: count,
  // Patient messages sent in the period.
  patient_messages: count,
  messages_answered: count,
  messages_unanswered: count,
  messages_within_1bd: count,
  reply_business_hours: num,
  replied_within_1bd_share: num,
  message_patients: count,
  // Results that became available in the period.
  results: count,
  results_viewed_30d: count,
  results_viewed_7d: count,
  result_view_hours: num,
  results_viewed_7d_share: num,
  result_patients: count,
  // Follow-ups (releases of kind followup) of visits in the period.
  followups_written: count,
  followups_read_7d: count,
  followup_read_share: num,
  followup_read_hours: num,
  followups_ack_14d: count,
  followup_ack_share: num,
  followup_patients: count,
  /** The blocks whose figures are hidden from non-administrators (the small-cell rule). */
  suppressed: z.array(z.enum(ENGAGEMENT_BLOCKS)),
});
export type EngagementRow = z.infer<typeof engagementRowSchema>;

/** The fields of each block that are hidden when it is suppressed. */
export const BLOCK_FIELDS: Record<EngagementBlock, readonly (keyof EngagementRow)[]> = {
  seen: [
    'patients_seen',
    'activated',
    'activated_share',
    'active',
    'active_share',
    'regular',
    'regular_share',
    'vdt',
    'vdt_share',
    'messaged',
    'patient_message_share',
    'seen_patients',
  ],
  access: ['releases', 'releases_timely', 'timely_access_share', 'release_patients'],
  messages: [
    'patient_messages',
    'messages_answered',
    'messages_unanswered',
    'messages_within_1bd',
    'reply_business_hours',
    'replied_within_1bd_share',
    'message_patients',
  ],
  results: [
    'results',
    'results_viewed_30d',
    'results_viewed_7d',
    'result_view_hours',
    'results_viewed_7d_share',
    'result_patients',
  ],
  followups: [
    'followups_written',
    'followups_read_7d',
    'followup_read_share',
    'followup_read_hours',
    'followups_ack_14d',
    'followup_ack_share',
    'followup_patients',
  ],
};

/** The distinct-patient count of each block: what the small-cell rule compares with 11. */
export const BLOCK_PATIENTS: Record<EngagementBlock, keyof EngagementRow> = {
  seen: 'seen_patients',
  access: 'release_patients',
  messages: 'message_patients',
  results: 'result_patients',
  followups: 'followup_patients',
};

/** Every field of a row, in order: the columns of CSV and JSON reports. */
export const ENGAGEMENT_FIELDS = Object.keys(engagementRowSchema.shape) as (keyof EngagementRow)[];
