/**
 * The zod schemas of the engagement API (issue #15, engagement.md §2): the row is the model's
 * (`src/model/engagement.ts`), named here for the OpenAPI description; requests and envelopes are
 * written here. Like `championSchemas.ts`, this module imports only `src/model` (and the shared
 * registry), so the web app's type check never reaches server code.
 */
import { z } from 'zod';
import { localDate } from '../model/options.ts';
import { ENGAGEMENT_PERIODS, engagementRowSchema } from '../model/engagement.ts';
import { ANALYSIS_BYS } from '../model/constants.ts';
import { registry } from './schemas.ts';

function named<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  registry.add(schema, description ? { id, description } : { id });
  return schema;
}

const range = {
  /** First local date (organisation time zone). */
  from: localDate,
  /** The local date after the last one. */
  to: localDate,
  period: z.enum(ENGAGEMENT_PERIODS).default('all'),
};

export const engagementQuery = z
  .object({ ...range, by: z.enum(ANALYSIS_BYS).default('department') })
  .strict()
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['to'] });

export const myEngagementQuery = z
  .object(range)
  .strict()
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['to'] });

export const engagementRowOut = named(
  'EngagementRow',
  engagementRowSchema,
  'One clinician’s or group’s engagement figures in one period piece (engagement.md §2): each share beside its numerator and denominator, the distinct patients behind each denominator, and the blocks hidden by the small-cell rule (`suppressed`; their fields are null for everyone but administrators).',
);

const engagementOptions = z.object({
  from: z.string(),
  to: z.string(),
  period: z.enum(ENGAGEMENT_PERIODS),
  timezone: z.string(),
  holidays: z.array(z.string()),
  /** Blocks whose denominator counts fewer distinct patients are suppressed. */
  small_cell_patients: z.number().int(),
  /** True when the caller sees suppressed blocks as null (everyone but administrators). */
  redacted: z.boolean(),
});

export const engagementReportOut = named(
  'EngagementReport',
  z.object({
    options: engagementOptions.extend({ by: z.enum(ANALYSIS_BYS) }),
    rows: z.array(engagementRowOut),
  }),
  'Pooled engagement figures per group and period: sums of numerators and denominators, medians over the group’s messages and results.',
);

export const myEngagementOut = named(
  'MyEngagement',
  z.object({
    options: engagementOptions,
    clinician_id: z.string(),
    /** The peers: the clinician's specialty (`(not in roster)` without one). */
    peer_group: z.object({ by: z.literal('specialty'), group: z.string() }),
    mine: z.array(engagementRowOut),
    peers: z.array(engagementRowOut),
  }),
  'The signed-in clinician’s own engagement figures per period, beside the pooled figures of their specialty.',
);
