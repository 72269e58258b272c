/**
 * The zod schemas of the follow-up API (issue #15, engagement.md §3): the shapes are the model's
 * (`src/model/followup.ts`), named here for the OpenAPI description; requests and envelopes are
 * written here. Like `engagementSchemas.ts`, this module imports only `src/model` (and the shared
 * registry), so the web app's type check never reaches server code.
 */
import { z } from 'zod';
import { localDate } from '../model/options.ts';
import {
  FOLLOWUP_LIMITS,
  followupDraftSchema,
  followupSchema,
  followupTemplateDraftSchema,
  followupTemplateSchema,
  patientFollowupSchema,
  visitSchema,
} from '../model/followup.ts';
import { registry } from './schemas.ts';

function named<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  registry.add(schema, description ? { id, description } : { id });
  return schema;
}

export const followupOut = named(
  'Followup',
  followupSchema,
  'A follow-up as its author (or an administrator) sees it: the text and action items, the chain written → delivered → read → acknowledged, the FHIR delivery, the patient link while valid, and the patient’s questions.',
);
export const followupsOut = z.array(followupOut);
export const visitsOut = named(
  'FollowupVisits',
  z.object({ days: z.number(), visits: z.array(visitSchema) }),
  'The caller’s visits of the last days that have begun (no patient identifier: start and type), with how many follow-ups each has.',
);
export const followupDraft = named('FollowupDraft', followupDraftSchema);
export const followupIdParams = z
  .object({ id: z.string().regex(/^fu-[0-9a-f]{32}$/, 'a follow-up id') })
  .strict();
export const questionParams = z
  .object({
    id: z.string().regex(/^fu-[0-9a-f]{32}$/, 'a follow-up id'),
    question: z.string().regex(/^fq-[0-9a-f]{24}$/, 'a question id'),
  })
  .strict();
export const answerBody = z
  .object({ text: z.string().trim().min(1, 'the answer is empty').max(FOLLOWUP_LIMITS.question) })
  .strict();
export const templatesOut = z.array(named('FollowupTemplate', followupTemplateSchema));
export const templateDraft = followupTemplateDraftSchema;
export const templateIdParams = z
  .object({ id: z.string().regex(/^ft-[0-9a-f]{16}$/, 'a template id of yours') })
  .strict();
export const followupListQuery = z
  .object({ from: localDate, to: localDate })
  .strict()
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['to'] });

/** The patient's requests carry the link's token in the body, never in a URL a log could keep. */
const token = z.string().min(1).max(200);
export const linkBody = z.object({ token }).strict();
export const questionBody = z
  .object({
    token,
    text: z
      .string()
      .trim()
      .min(1, 'the question is empty')
      .max(
        FOLLOWUP_LIMITS.question,
        `the question is longer than ${FOLLOWUP_LIMITS.question} characters`,
      ),
  })
  .strict();
export const patientFollowupOut = named(
  'PatientFollowup',
  patientFollowupSchema,
  'What the patient sees by link: that one follow-up (title, text, action items, the physician’s name, the visit’s date), whether they acknowledged it, their questions and the answers.',
);
