/**
 * The zod schemas of the champions and training API (issue #14, program.md §4): the shapes are
 * the model's (`src/model/champions.ts`), named here for the OpenAPI description; requests are
 * written here. Like `programSchemas.ts`, this module imports only `src/model` (and the shared
 * registry), so the web app's type check never reaches server code.
 */
import { z } from 'zod';
import { localDate } from '../model/options.ts';
import {
  championSuggestionsSchema,
  coverageReportSchema,
  invitationSchema,
  trainingCountsSchema,
  trainingEffectSchema,
  trainingTargetsSchema,
} from '../model/champions.ts';
import { registry } from './schemas.ts';

function named<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  registry.add(schema, description ? { id, description } : { id });
  return schema;
}

export const championSuggestionsQuery = z
  .object({
    /** The day whose 8 preceding whole weeks are the window (default: today, organisation time). */
    as_of: localDate.optional(),
  })
  .strict();

export const championSuggestionsOut = named(
  'ChampionSuggestions',
  championSuggestionsSchema,
  'Clinicians who meet the champion rule of program.md §4, each with the evidence: every figure and the specialty’s cut-off.',
);

export const invitationCreate = z
  .object({
    // The roster id, as accounts link to it (`src/model/accounts.ts`).
    user_id: z.string().regex(/^[A-Za-z0-9._:@-]{1,100}$/, 'a roster clinician id'),
    as_of: localDate.optional(),
  })
  .strict();

export const invitationOut = named(
  'ChampionInvitation',
  invitationSchema,
  'An invitation to champion a department; only the invited clinician sees and answers it.',
);
export const invitationsOut = z.array(invitationOut);
export const invitationIdParams = z.object({ id: z.string().min(1).max(100) }).strict();
export const invitationAnswer = z.object({ answer: z.enum(['accept', 'decline']) }).strict();

export const coverageReportOut = named(
  'ChampionCoverageReport',
  coverageReportSchema,
  'Per department: champions per 10 clinicians and `uncovered` (none, or fewer than 1 per 15), with the reason in words; per champion: help requests answered and the median business hours to a first answer.',
);

export const trainingTargetsQuery = championSuggestionsQuery;
export const trainingTargetsOut = named(
  'TrainingTargets',
  trainingTargetsSchema,
  'My metrics persistently above my specialty’s 75th percentile (4 of the last 6 weeks) and the course that addresses each, with why. Mine only.',
);
export const trainingCountsOut = named(
  'TrainingTargetCounts',
  trainingCountsSchema,
  'How many clinicians of each unit have a training target, per course: counts only, never names.',
);
export const trainingEffectQuery = z
  .object({
    // A course name as in the training records; no control characters (a NUL cannot be stored).
    course: z
      .string()
      .min(1)
      .max(200)
      // eslint-disable-next-line no-control-regex
      .regex(/^[^\u0000-\u001f\u007f]+$/, 'a course name without control characters'),
  })
  .strict();
export const trainingEffectOut = named(
  'TrainingEffect',
  trainingEffectSchema,
  'The change in the targeted metric of clinicians who took a course against comparable clinicians who had not yet (difference in differences, the training date as the event), with its interval and assumptions, or why there is not enough data.',
);
