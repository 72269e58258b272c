/**
 * Feedback to IT (`docs/program.md` §Feedback): a clinician's problem, idea, question or praise,
 * its states and their history, "me too" votes, subscriptions and the notices that close the
 * loop. Row schemas are the stored rows (migration 12) and what the API returns; input schemas
 * are what a clinician or IT sends. Rules live in `src/program/`.
 */
import { z } from 'zod';
import { TARGET_METRICS } from './evaluationMetrics.ts';
import { FEEDBACK_PRIORITIES } from './businessTime.ts';

export { FEEDBACK_PRIORITIES, type FeedbackPriority } from './businessTime.ts';

export const FEEDBACK_KINDS = ['problem', 'idea', 'question', 'praise'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

/** `private`: the author and IT; `unit`: also the author's department, who may vote "me too". */
export const FEEDBACK_VISIBILITIES = ['private', 'unit'] as const;
export type FeedbackVisibility = (typeof FEEDBACK_VISIBILITIES)[number];

export const FEEDBACK_STATES = [
  'new',
  'triaged',
  'planned',
  'in_progress',
  'waiting',
  'done',
  'declined',
  'duplicate',
  'reopened',
] as const;
export type FeedbackState = (typeof FEEDBACK_STATES)[number];

/** States in which IT still owes the clinician something (`waiting`: the clinician owes IT). */
export const OPEN_FEEDBACK_STATES = [
  'new',
  'triaged',
  'planned',
  'in_progress',
  'waiting',
  'reopened',
] as const satisfies readonly FeedbackState[];
export const CLOSED_FEEDBACK_STATES = [
  'done',
  'declined',
  'duplicate',
] as const satisfies readonly FeedbackState[];

export const FEEDBACK_RATINGS = ['helped', 'did_not_help'] as const;
export type FeedbackRating = (typeof FEEDBACK_RATINGS)[number];

/** What an event of an item's history records. */
export const FEEDBACK_EVENT_KINDS = [
  'created',
  'state',
  'note',
  'priority',
  'assign',
  'rating',
  /** On the original: a duplicate was merged into it (`related` = the duplicate). */
  'merged',
] as const;
export type FeedbackEventKind = (typeof FEEDBACK_EVENT_KINDS)[number];

const text = (max: number) => z.string().trim().min(1).max(max);

/** Optional links: a tool, one of its go-lives, a page of Uptake or the EHR, a department, a metric. */
export const feedbackLinksSchema = z
  .object({
    tool: text(200).optional(),
    golive: z
      .object({
        group_by: z.enum(['department', 'specialty', 'role', 'org']),
        group_value: text(200),
      })
      .optional(),
    page: text(500).optional(),
    department: text(200).optional(),
    metric: z.enum(TARGET_METRICS).optional(),
  })
  .refine((l) => !l.golive || l.tool !== undefined, {
    path: ['golive'],
    message: 'a go-live link needs the tool (links.tool) it belongs to',
  });
export type FeedbackLinks = z.infer<typeof feedbackLinksSchema>;

/** What a clinician sends. */
export const feedbackInputSchema = z.object({
  kind: z.enum(FEEDBACK_KINDS),
  text: text(5_000),
  links: feedbackLinksSchema.optional(),
  visibility: z.enum(FEEDBACK_VISIBILITIES).default('private'),
});
export type FeedbackInput = z.infer<typeof feedbackInputSchema>;

/**
 * A change IT (or, for a note, the author) makes: any of a new state, a priority, an assignee, a
 * note. `public: false` makes the note internal (IT only); answers the author must read
 * (`done`, `declined`, `duplicate`) are always public.
 */
export const feedbackChangeSchema = z
  .object({
    to: z.enum(FEEDBACK_STATES).optional(),
    priority: z.enum(FEEDBACK_PRIORITIES).optional(),
    assignee: z.string().min(1).max(200).nullable().optional(),
    note: text(5_000).optional(),
    public: z.boolean().default(true),
    duplicate_of: z.string().min(1).max(100).optional(),
  })
  .refine(
    (c) =>
      c.to !== undefined ||
      c.priority !== undefined ||
      c.assignee !== undefined ||
      c.note !== undefined,
    { message: 'nothing to change: give a state (to), a priority, an assignee or a note' },
  );
export type FeedbackChange = z.infer<typeof feedbackChangeSchema>;

export const feedbackRatingSchema = z.object({ rating: z.enum(FEEDBACK_RATINGS) });

const instant = z.string();

/** A stored item (table `feedback_items`). */
export const feedbackItemRowSchema = z.object({
  id: z.string(),
  created_at: instant,
  author: z.string(),
  /** The author's department when they sent it: who may read a `unit` item, and its unit in figures. */
  unit: z.string().nullable(),
  kind: z.enum(FEEDBACK_KINDS),
  text: z.string(),
  visibility: z.enum(FEEDBACK_VISIBILITIES),
  state: z.enum(FEEDBACK_STATES),
  priority: z.enum(FEEDBACK_PRIORITIES).nullable(),
  assignee: z.string().nullable(),
  duplicate_of: z.string().nullable(),
  link_tool: z.string().nullable(),
  link_golive_by: z.string().nullable(),
  link_golive_value: z.string().nullable(),
  link_page: z.string().nullable(),
  link_department: z.string().nullable(),
  link_metric: z.string().nullable(),
  /**
   * The author's answer to "did this help?" since the item last closed: kept while a `done` item
   * it did not help is reopened, cleared when the item closes again (the author is asked again).
   */
  rating: z.enum(FEEDBACK_RATINGS).nullable(),
  updated_at: instant,
  /** The `seq` of the item's latest event: its version (a change made meanwhile is refused). */
  last_seq: z.number().int().nonnegative(),
});
export type FeedbackItemRow = z.infer<typeof feedbackItemRowSchema>;

/** One event of an item's history (table `feedback_events`); never updated or deleted. */
export const feedbackEventRowSchema = z.object({
  item_id: z.string(),
  /** 0 for `created`, then 1, 2, …: the order of the history (two events may share an instant). */
  seq: z.number().int().nonnegative(),
  occurred_at: instant,
  actor: z.string(),
  kind: z.enum(FEEDBACK_EVENT_KINDS),
  from_state: z.enum(FEEDBACK_STATES).nullable(),
  to_state: z.enum(FEEDBACK_STATES).nullable(),
  priority: z.enum(FEEDBACK_PRIORITIES).nullable(),
  assignee: z.string().nullable(),
  note: z.string().nullable(),
  /** The author may read the note (an answer); false for IT's internal notes. */
  public: z.boolean(),
  /** `duplicate`: the original; `merged`: the duplicate. */
  related: z.string().nullable(),
  rating: z.enum(FEEDBACK_RATINGS).nullable(),
});
export type FeedbackEventRow = z.infer<typeof feedbackEventRowSchema>;

/** A "me too" (table `feedback_votes`): one per person and item (primary key). */
export const feedbackVoteRowSchema = z.object({
  item_id: z.string(),
  username: z.string(),
  created_at: instant,
});

/** Someone who asked to hear of an item's changes (table `feedback_subscriptions`). */
export const feedbackSubscriptionRowSchema = feedbackVoteRowSchema;

export const NOTICE_KINDS = [
  /** An item's state changed (author, voters, subscribers). */
  'feedback_state',
  /**
   * A public note without a change of state: to the author when someone else wrote it, to the
   * assignee when the author did (e.g. their reply while the item waits for them).
   */
  'feedback_note',
  /** "Did this help?" after done, declined or duplicate (author, once per closing). */
  'feedback_rate',
  /** A goal's vote was settled (the proposer). */
  'goal_decided',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/**
 * One account's in-app notice (table `notices`). It holds no text: what it shows is rendered when
 * read, for that reader (`noticeView`), so a notice can never carry an item's text to someone who
 * may not read the item.
 */
export const noticeRowSchema = z.object({
  id: z.string(),
  username: z.string(),
  kind: z.enum(NOTICE_KINDS),
  /** The feedback item or goal. */
  ref: z.string(),
  /** The item's event the notice is about (null for goals). */
  event_seq: z.number().int().nullable(),
  created_at: instant,
  read_at: instant.nullable(),
});
export type NoticeRow = z.infer<typeof noticeRowSchema>;

/**
 * Where notices are also sent as e-mail (the `smtp` setting, set on the Settings page or with
 * `uptake settings`; the server's options may give the same from the environment). A notice goes
 * to `<username>@<domain>` and never carries an item's text, only the one-line summary. The
 * password is write-only: stored (the database's access control guards it, as the settings
 * table's), used to sign in to the SMTP server, and never sent back by the API, written to the
 * access log or listed by `uptake settings` (`password_set` says whether there is one).
 */
export const smtpSettingSchema = z.object({
  host: z.string().trim().min(1).max(255),
  port: z.number().int().min(1).max(65_535),
  /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  from: z.string().trim().min(3).max(320),
  /** The accounts' mail domain: the notice to `ada` goes to `ada@<domain>`. */
  domain: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.-]{1,253}$/, 'a mail domain such as hospital.org'),
  /** The SMTP account to sign in with (none: send without signing in). */
  user: z.string().trim().min(1).max(320).optional(),
  password: z.string().min(1).max(1024).optional(),
});
export type SmtpSetting = z.infer<typeof smtpSettingSchema>;
