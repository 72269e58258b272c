/**
 * Follow-ups a physician writes for a visit (engagement.md §3, issue #15), written once with zod:
 * what the author sends, what the author sees (the text, the action items and the chain written →
 * delivered → read → acknowledged), what the patient sees by link, the author's templates, and the
 * organisation's delivery setting. The rules live in `src/engage/followups.ts`; the API names these
 * schemas (`src/server/followupSchemas.ts`); the table columns are those of migration 17.
 *
 * A follow-up's text is PHI: its author, the patient (by link) and administrators (logged) read
 * it, nobody else. No raw patient identifier is kept: the visit's pseudonymized `patient_id` is.
 */
import { z } from 'zod';
import { localDate } from './options.ts';

import { FOLLOWUP_ITEM_KINDS, FOLLOWUP_LIMITS } from './constants.ts';

export { FOLLOWUP_ITEM_KINDS, FOLLOWUP_LIMITS };
export type FollowupItemKind = (typeof FOLLOWUP_ITEM_KINDS)[number];

/** A follow-up link is valid this many days unless the organisation sets otherwise. */
export const DEFAULT_LINK_DAYS = 14;

const plain = (max: number, what: string) =>
  z.string().trim().min(1, `${what} is empty`).max(max, `${what} is longer than ${max} characters`);

export const followupItemSchema = z
  .object({
    kind: z.enum(FOLLOWUP_ITEM_KINDS),
    text: plain(FOLLOWUP_LIMITS.item_text, 'the item'),
    /** The local date it is due by; null: no date. */
    due: localDate.nullable(),
  })
  .strict();
export type FollowupItem = z.infer<typeof followupItemSchema>;

/** What the author writes (the body of `POST /api/me/followups`). */
export const followupDraftSchema = z
  .object({
    /** The visit, as `schedule.appointment_id`: one of the author's recent visits. */
    appointment_id: z.string().min(1).max(200),
    title: plain(FOLLOWUP_LIMITS.title, 'the title'),
    text: plain(FOLLOWUP_LIMITS.text, 'the text'),
    items: z.array(followupItemSchema).max(FOLLOWUP_LIMITS.items),
    /** The template it started from (its id), if any: counted, not required. */
    template: z.string().max(100).nullable().optional(),
  })
  .strict();
export type FollowupDraft = z.infer<typeof followupDraftSchema>;

/** Where delivery to the FHIR server stands: not configured, delivered, or failed (with why). */
export const FHIR_DELIVERY_STATES = ['off', 'delivered', 'failed'] as const;

/** A question the patient asked from the follow-up's page, and the author's answer. */
export const followupQuestionSchema = z.object({
  id: z.string(),
  asked_at: z.string(),
  text: z.string(),
  answer: z.string().nullable(),
  answered_at: z.string().nullable(),
});
export type FollowupQuestion = z.infer<typeof followupQuestionSchema>;

/** A follow-up as its author (or an administrator) sees it. */
export const followupSchema = z.object({
  id: z.string(),
  author: z.string(),
  appointment_id: z.string(),
  /** The visit as the physician recognises it: its start and type (no patient identifier). */
  visit_start: z.string(),
  visit_type: z.string(),
  title: z.string(),
  text: z.string(),
  items: z.array(followupItemSchema),
  template: z.string().nullable(),
  reading_grade: z.number().nullable(),
  /** The chain of §3: each step's instant, null until it happened. */
  written_at: z.string(),
  delivered_at: z.string().nullable(),
  read_at: z.string().nullable(),
  acknowledged_at: z.string().nullable(),
  fhir: z.object({
    state: z.enum(FHIR_DELIVERY_STATES),
    /** Why delivery failed, in words (null otherwise). */
    detail: z.string().nullable(),
  }),
  /** The patient's page (a path with the signed token) while it is valid; null after. */
  link: z.string().nullable(),
  link_expires_at: z.string(),
  questions: z.array(followupQuestionSchema),
});
export type Followup = z.infer<typeof followupSchema>;

/** One of the author's recent visits, offered for a follow-up. */
export const visitSchema = z.object({
  appointment_id: z.string(),
  start: z.string(),
  end: z.string(),
  visit_type: z.string(),
  status: z.string(),
  /** Follow-ups already written for it. */
  followups: z.number(),
});
export type Visit = z.infer<typeof visitSchema>;

/** A template: the author's own (saved) or one Uptake ships (`builtin`). */
export const followupTemplateSchema = z.object({
  id: z.string(),
  name: z.string(),
  title: z.string(),
  text: z.string(),
  items: z.array(followupItemSchema.extend({ due: z.null() })),
  builtin: z.boolean(),
});
export type FollowupTemplate = z.infer<typeof followupTemplateSchema>;

export const followupTemplateDraftSchema = z
  .object({
    name: plain(80, 'the name'),
    title: plain(FOLLOWUP_LIMITS.title, 'the title'),
    text: plain(FOLLOWUP_LIMITS.text, 'the text'),
    items: z.array(followupItemSchema.omit({ due: true }).strict()).max(FOLLOWUP_LIMITS.items),
  })
  .strict();
export type FollowupTemplateDraft = z.infer<typeof followupTemplateDraftSchema>;

/** What the patient sees by link: that one follow-up and nothing else. */
export const patientFollowupSchema = z.object({
  title: z.string(),
  text: z.string(),
  items: z.array(followupItemSchema),
  /** The physician's name as the roster has it, and the visit's local date. */
  clinician: z.string().nullable(),
  visit_date: z.string(),
  acknowledged: z.boolean(),
  questions: z.array(followupQuestionSchema.omit({ id: true })),
  expires_at: z.string(),
});
export type PatientFollowup = z.infer<typeof patientFollowupSchema>;

/** The organisation's delivery setting (`followups`): a FHIR server and the link's life. */
export const followupSettingSchema = z.object({
  /** The FHIR R4 base URL follow-ups are written to; null: links only. */
  fhir_base_url: z
    .string()
    .regex(/^https?:\/\/[^\s]+[^/\s]$/, 'an http(s) URL without a trailing slash')
    .nullable(),
  /** How many days a patient link stays valid. */
  link_days: z.number().int().min(1).max(90),
});
export type FollowupSetting = z.infer<typeof followupSettingSchema>;

export const DEFAULT_FOLLOWUP_SETTING: FollowupSetting = {
  fhir_base_url: null,
  link_days: DEFAULT_LINK_DAYS,
};

/**
 * The templates Uptake ships, in plain language (grade ≤ 8 by `readingGrade`, which a test
 * checks). The author fills in the blanks and the due dates.
 */
export const BUILTIN_TEMPLATES: readonly FollowupTemplate[] = [
  {
    id: 'builtin:new-medicine',
    name: 'New medicine',
    title: 'Your new medicine',
    text: 'Today we started a new medicine for you. Take it as the label says. Call us if you feel worse or have side effects. Do not stop it on your own.',
    items: [{ kind: 'medicine', text: 'Start the new medicine', due: null }],
    builtin: true,
  },
  {
    id: 'builtin:test',
    name: 'Test to book',
    title: 'A test to book',
    text: 'We would like you to have a test. Please book it soon. We will send you the result and what it means.',
    items: [{ kind: 'test', text: 'Book the test', due: null }],
    builtin: true,
  },
  {
    id: 'builtin:return',
    name: 'Return visit',
    title: 'Please come back to see us',
    text: 'We want to see you again to check how you are doing. Please book a visit.',
    items: [{ kind: 'visit', text: 'Book a return visit', due: null }],
    builtin: true,
  },
];
