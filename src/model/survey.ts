/**
 * Surveys of the buy-in program (`docs/program.md` §3): the shipped instruments (SUS, NPS, net
 * satisfaction) and custom ones, invitations under the contact budget, responses and their
 * answers. The row schemas are the stored rows (migration 13; a test compares them with the DDL on
 * both engines) and what the API returns; the input schemas are what an administrator or a
 * clinician sends. Rules and stores live in `src/program/survey*.ts`.
 */
import { z } from 'zod';
import { GROUP_KINDS } from './constants.ts';

/** `sus`, `nps` and `net` are shipped (`src/program/surveyInstruments.ts`); `custom` is free. */
export const SURVEY_INSTRUMENTS = ['sus', 'nps', 'net', 'custom'] as const;
export type SurveyInstrument = (typeof SURVEY_INSTRUMENTS)[number];

/**
 * Item types: `likert5` (1–5, strongly disagree … strongly agree), `scale0_10` (0–10),
 * `single_choice` (one of the item's choices), `free_text`.
 */
export const SURVEY_ITEM_TYPES = ['likert5', 'scale0_10', 'single_choice', 'free_text'] as const;
export type SurveyItemType = (typeof SURVEY_ITEM_TYPES)[number];

/** `draft` (editable, invisible to clinicians) → `open` (invitations, answers) → `closed`. */
export const SURVEY_STATES = ['draft', 'open', 'closed'] as const;
export type SurveyState = (typeof SURVEY_STATES)[number];

/** A survey around a go-live is taken before (`pre`) or after (`post`) it. */
export const SURVEY_PHASES = ['pre', 'post'] as const;
export type SurveyPhase = (typeof SURVEY_PHASES)[number];

/** `invited` (shown to them), `dismissed` (hidden until invited again), `answered`. */
export const INVITATION_STATES = ['invited', 'dismissed', 'answered'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];

/** Where a response came from. */
export const RESPONSE_SOURCES = ['app', 'fhir', 'csv'] as const;
export type ResponseSource = (typeof RESPONSE_SOURCES)[number];

/** §3 contact budget: after this many dismissals of a survey a person is not asked it again. */
export const MAX_DISMISSALS = 2;

/** An item's id: FHIR `linkId`, and the CSV column of its answers. */
export const linkIdSchema = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/,
    'a linkId of letters, digits, dots, dashes and underscores, beginning with a letter (at most 64)',
  );

const text = (max: number) => z.string().trim().min(1).max(max);

/** One question. `choices` only (and then at least two) for `single_choice`. */
export const surveyItemSchema = z
  .object({
    link_id: linkIdSchema,
    type: z.enum(SURVEY_ITEM_TYPES),
    text: text(1_000),
    choices: z.array(text(200)).min(2).max(50).optional(),
  })
  .refine((i) => (i.type === 'single_choice') === (i.choices !== undefined), {
    path: ['choices'],
    message: 'a single_choice item needs its choices, and only it has choices',
  });
export type SurveyItem = z.infer<typeof surveyItemSchema>;

const groupTarget = z.object({ by: z.enum(GROUP_KINDS), value: text(200) });
export type SurveyGroupTarget = z.infer<typeof groupTarget>;

/** A go-live a survey is taken around (the key of table `golives`) and the phase. */
const goliveTarget = z.object({
  tool: text(200),
  group_by: z.enum([...GROUP_KINDS, 'org']),
  group_value: text(200),
  phase: z.enum(SURVEY_PHASES),
});

/**
 * What an administrator (or `it`) sends to create a survey. A shipped instrument brings its own
 * items (`items` must then be left out); `subject` names what NPS asks about (a tool, or Uptake's
 * programme). No target groups and no go-live: the whole organisation.
 */
export const surveyCreateSchema = z
  .object({
    title: text(200),
    instrument: z.enum(SURVEY_INSTRUMENTS),
    subject: text(200).optional(),
    items: z.array(surveyItemSchema).min(1).max(100).optional(),
    target_groups: z.array(groupTarget).max(100).optional(),
    golive: goliveTarget.optional(),
    anonymous: z.boolean(),
  })
  .refine((s) => (s.instrument === 'custom') === (s.items !== undefined), {
    path: ['items'],
    message: 'a custom survey needs its items; a shipped instrument brings its own',
  })
  .refine((s) => new Set(s.items?.map((i) => i.link_id)).size === (s.items?.length ?? 0), {
    path: ['items'],
    message: 'each item needs a linkId of its own',
  });
export type SurveyCreate = z.infer<typeof surveyCreateSchema>;

const instant = z.string();
const count = z.number().int().nonnegative();

/** A stored survey (table `surveys`). */
export const surveyRowSchema = z.object({
  id: z.string(),
  created_at: instant,
  created_by: z.string(),
  title: z.string(),
  instrument: z.enum(SURVEY_INSTRUMENTS),
  /** What an NPS question names (a tool, the programme); null otherwise. */
  subject: z.string().nullable(),
  /** JSON list of `{by, value}` groups invited; `[]` with no go-live: the whole organisation. */
  target_groups: z.string(),
  golive_tool: z.string().nullable(),
  golive_by: z.string().nullable(),
  golive_value: z.string().nullable(),
  phase: z.enum(SURVEY_PHASES).nullable(),
  anonymous: z.boolean(),
  state: z.enum(SURVEY_STATES),
  opened_at: instant.nullable(),
  closed_at: instant.nullable(),
});
export type SurveyRow = z.infer<typeof surveyRowSchema>;

/** One item of a survey (table `survey_items`), in `position` order. */
export const surveyItemRowSchema = z.object({
  survey_id: z.string(),
  position: count,
  link_id: z.string(),
  type: z.enum(SURVEY_ITEM_TYPES),
  text: z.string(),
  /** JSON list of the choices of a `single_choice` item; null otherwise. */
  choices: z.string().nullable(),
});
export type SurveyItemRow = z.infer<typeof surveyItemRowSchema>;

/**
 * One person's invitation to one survey (table `survey_invitations`). `invitee` is the username
 * for a named survey and, for an anonymous one, a keyed hash of (survey, username) — so no table
 * of an anonymous survey holds an account. The groups are the invitee's at invitation time, the
 * denominator of the response rate per group.
 */
export const surveyInvitationRowSchema = z.object({
  survey_id: z.string(),
  invitee: z.string(),
  invited_at: instant,
  state: z.enum(INVITATION_STATES),
  dismissed: count,
  department: z.string().nullable(),
  specialty: z.string().nullable(),
  role: z.string().nullable(),
});
export type SurveyInvitationRow = z.infer<typeof surveyInvitationRowSchema>;

/**
 * The contact budget (table `survey_contacts`): when each person was last invited to any survey.
 * It names no survey, so it cannot tell who was asked what.
 */
export const surveyContactRowSchema = z.object({
  username: z.string(),
  last_invited_at: instant,
});

/**
 * One response (table `survey_responses`). `respondent` is the account for a named survey answered
 * in the app, null for an anonymous survey (and for imported responses); the groups are the
 * respondent's at response time. An anonymous response's `submitted_at` is its day (midnight UTC),
 * so its time cannot be matched with a log of who did what when. `external_key` is a keyed hash of
 * the id an imported response had in its source (re-imports store nothing twice), never the id.
 */
export const surveyResponseRowSchema = z.object({
  id: z.string(),
  survey_id: z.string(),
  submitted_at: instant,
  respondent: z.string().nullable(),
  department: z.string().nullable(),
  specialty: z.string().nullable(),
  role: z.string().nullable(),
  source: z.enum(RESPONSE_SOURCES),
  external_key: z.string().nullable(),
  import_id: z.number().int().nullable(),
});
export type SurveyResponseRow = z.infer<typeof surveyResponseRowSchema>;

/**
 * One answer (table `survey_answers`): a number for `likert5` and `scale0_10` items, the text of
 * the choice or of a free-text answer otherwise. An item left unanswered has no row.
 */
export const surveyAnswerRowSchema = z.object({
  response_id: z.string(),
  link_id: z.string(),
  value_number: z.number().nullable(),
  value_text: z.string().nullable(),
});
export type SurveyAnswerRow = z.infer<typeof surveyAnswerRowSchema>;

/** What a clinician sends: the answers by linkId (an item may be left out). */
export const surveyAnswersSchema = z.object({
  answers: z.record(linkIdSchema, z.union([z.number().finite(), z.string().max(4_000)])),
});
export type SurveyAnswers = z.infer<typeof surveyAnswersSchema>;
