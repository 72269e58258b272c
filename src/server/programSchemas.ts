/**
 * The zod schemas of the buy-in program's API (issue #13; rules in `docs/program.md`): goals,
 * feedback to IT and the notices that close the loop. Requests reuse the model's input schemas
 * (`src/model/goal.ts`, `src/model/feedback.ts`); responses are written here, as the API shows
 * the program's values. Like `schemas.ts`, this module imports only `src/model` (and the shared
 * registry), so the web app's type check never reaches server code.
 */
import { z } from 'zod';
import { localDate } from '../model/options.ts';
import { TARGET_DIRECTIONS } from '../model/evaluationMetrics.ts';
import {
  GOAL_GROUP_BYS,
  GOAL_METRICS,
  GOAL_STATES,
  GOAL_STATUSES,
  VOTE_CHOICES,
  goalCommentRowSchema,
  goalCommentSchema,
  goalProposalSchema,
  goalRowSchema,
  goalRulesSettingSchema,
  goalVoteSchema,
} from '../model/goal.ts';
import {
  FEEDBACK_KINDS,
  FEEDBACK_PRIORITIES,
  FEEDBACK_STATES,
  NOTICE_KINDS,
  feedbackChangeSchema,
  feedbackEventRowSchema,
  feedbackInputSchema,
  feedbackItemRowSchema,
  feedbackRatingSchema,
} from '../model/feedback.ts';
import { slaTargetsSchema } from '../model/businessTime.ts';
import { modelResultSchema, registry } from './schemas.ts';

function named<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  registry.add(schema, description ? { id, description } : { id });
  return schema;
}

const num = z.number();
const numOrNull = z.number().nullable();
const interval = z.tuple([num, num]);
/** Ids of goals, feedback items and notices (`newId`: base-36 time, dash, 8 hex digits). */
const programId = z
  .string()
  .regex(/^[a-z0-9]{1,16}-[0-9a-f]{8}$/, 'an id such as lx2k9a1-0f3c9e2a');

// --- goals ---------------------------------------------------------------------------------------

export const goalIdParams = z.object({ id: programId });

/** One ISO week of a group's metric (`WeeklyValue`); `value` null without data (or suppressed). */
export const weeklyValueSchema = named(
  'WeeklyValue',
  z.object({ week_start: localDate, value: numOrNull, n: num }),
  'One ISO week of a group: the median across its clinicians with scheduled hours (an adoption ' +
    'share: the share), `n` clinicians behind it.',
);

export const voteTallySchema = named(
  'VoteTally',
  z.object({ support: num, oppose: num, abstain: num }),
  'The counts of a vote. Who voted how is stored by nobody’s name and shown to nobody.',
);

export const goalBaselineSchema = named(
  'GoalBaseline',
  z.object({
    mean: num,
    sd: num,
    n: num,
    ci95: interval,
    noise: num,
    weeks: z.object({ first: localDate, last: localDate }),
  }),
  'The mean of the weekly values over the whole weeks before the proposal, its 95% t-interval, ' +
    'and their standard deviation (`noise`).',
);

export const noiseCheckSchema = named(
  'NoiseCheck',
  z.object({ smallest_change: num, within_noise: z.boolean(), direction_ok: z.boolean() }),
  '`within_noise`: |target − baseline| < 1.96 × √2 × noise / 2 (“cannot be told from ' +
    'week-to-week variation”); `direction_ok`: the target lies the goal’s way from the baseline.',
);

export const goalProgressSchema = named(
  'GoalProgress',
  z.object({
    status: z.enum([...GOAL_STATUSES, 'insufficient_data']),
    reason: z.string().nullable(),
    baseline: goalBaselineSchema.nullable(),
    weeks_since_adoption: num,
    current: numOrNull,
    progress: numOrNull,
    projection: z
      .object({
        intercept: num,
        slope: num,
        n: num,
        s: num,
        x: num,
        value: num,
        pi95: interval,
        week_start: localDate,
      })
      .nullable(),
    change: z.object({ estimate: num, se: num, df: num, ci95: interval }).nullable(),
  }),
  'The computed status of an adopted goal (never set by hand), the current value (mean of the ' +
    'last 4 whole weeks), progress toward the target, the straight-line projection to the last ' +
    'whole week before the target date with its 95% prediction interval, and after the target ' +
    'date the change from baseline with its Welch 95% interval.',
);

/** A goal as listed: the stored goal, its counts, and (adopted goals) its computed status. */
export const goalSummarySchema = named(
  'GoalSummary',
  goalRowSchema.extend({
    tally: voteTallySchema,
    within_noise: z.boolean().nullable(),
    /** The computed status of an adopted goal (null otherwise, or when its group is suppressed). */
    status: z.enum([...GOAL_STATUSES, 'insufficient_data']).nullable(),
    /** The group is smaller than the suppression threshold: no numbers for non-administrators. */
    suppressed: z.boolean(),
  }),
  'A goal with its vote counts (live while voting, as settled afterwards). In a suppressed ' +
    'group the baseline, noise and target-derived numbers are null for non-administrators.',
);

export const goalListQuery = z.object({
  state: z.enum(GOAL_STATES).optional(),
  status: z.enum([...GOAL_STATUSES, 'insufficient_data']).optional(),
  group_by: z.enum(GOAL_GROUP_BYS).optional(),
  group_value: z.string().min(1).max(200).optional(),
});

export const goalListSchema = named(
  'GoalList',
  z.object({
    goals: z.array(goalSummarySchema),
    /** How many of the listed goals are in each state and (adopted) status. */
    by_state: z.partialRecord(z.enum(GOAL_STATES), num),
    by_status: z.partialRecord(z.enum([...GOAL_STATUSES, 'insufficient_data']), num),
  }),
);

/** Where the go-live evaluation of a goal's tool opens (`GET /api/golive`). */
export const goalGoLiveLinkSchema = named(
  'GoalGoLiveLink',
  z.object({
    tool: z.string(),
    metric: z.string(),
    by: z.enum(GOAL_GROUP_BYS),
    group: z.string(),
    /** The go-live's date, when the tool went live for this group. */
    date: localDate.nullable(),
  }),
);

export const goalDetailSchema = named(
  'GoalDetail',
  z.object({
    goal: goalSummarySchema,
    /** The caller may vote (a clinician or champion of the group, while the window is open). */
    may_vote: z.boolean(),
    /** The caller's own vote while voting (null when none, after the close, or not a voter). */
    mine: z.enum(VOTE_CHOICES).nullable(),
    may_withdraw: z.boolean(),
    may_comment: z.boolean(),
    noise: noiseCheckSchema.nullable(),
    /** The group's weekly values from the baseline's first week on (empty when suppressed). */
    series: z.array(weeklyValueSchema),
    /** Adopted goals: progress and status (null otherwise, or when suppressed). */
    progress: goalProgressSchema.nullable(),
    comments: z.array(goalCommentRowSchema),
    golive: goalGoLiveLinkSchema.nullable(),
  }),
  'One goal: counts only (never who voted how), the weekly series, the computed status with its ' +
    'projection, the discussion, and a link to the tool’s go-live evaluation when tied to a tool.',
);

export const goalProposalBody = named('GoalProposal', goalProposalSchema);

export const goalPreviewSchema = named(
  'GoalPreview',
  z.object({
    /** The rules the goal would get (organisation settings). */
    rules: goalRulesSettingSchema,
    /** When the vote would close (now + window). */
    closes_at: z.string(),
    baseline_weeks: num,
    baseline: goalBaselineSchema.nullable(),
    noise: noiseCheckSchema.nullable(),
    /** The group's recent weekly series (the baseline weeks and the week of the proposal). */
    series: z.array(weeklyValueSchema),
    /** Clinicians and champions who may vote (the quorum is min(min_votes, this)). */
    group_size: num,
    suppressed: z.boolean(),
    /** Plain-language warnings the form shows (within noise, wrong direction, no data). */
    warnings: z.array(z.string()),
  }),
  'What the proposal form shows before submitting: the baseline with its interval, the recent ' +
    'weekly series and the “within noise” warning.',
);

export const goalVoteBody = named('GoalVote', goalVoteSchema);
export const goalVoteResultSchema = named(
  'GoalVoteResult',
  z.object({ tally: voteTallySchema, mine: z.enum(VOTE_CHOICES) }),
);
export const goalCommentBody = named('GoalCommentCreate', goalCommentSchema);
export const goalCommentResponse = named('GoalComment', goalCommentRowSchema);

export const myGoalsSchema = named(
  'MyGoals',
  z.object({
    goals: z.array(goalSummarySchema.extend({ mine: z.enum(VOTE_CHOICES).nullable() })),
  }),
  'Goals for your group: the open votes you may cast, newest first, at most three, with your vote.',
);

const coding = z.object({
  system: z.string(),
  code: z.string(),
  display: z.string().optional(),
});
const codeable = z.object({ coding: z.array(coding).optional(), text: z.string().optional() });
const quantity = z.object({ value: num, unit: z.string().optional() });

export const fhirGoalSchema = named(
  'FhirGoal',
  z.object({
    resourceType: z.literal('Goal'),
    id: z.string(),
    identifier: z.array(z.object({ system: z.string(), value: z.string() })),
    lifecycleStatus: z.enum([
      'proposed',
      'planned',
      'accepted',
      'active',
      'on-hold',
      'completed',
      'cancelled',
      'entered-in-error',
      'rejected',
    ]),
    achievementStatus: codeable.optional(),
    description: z.object({ text: z.string() }),
    subject: z.object({
      type: z.enum(['Group', 'Organization']),
      identifier: z.object({ system: z.string(), value: z.string() }).optional(),
      display: z.string(),
    }),
    startDate: localDate,
    target: z
      .array(
        z.object({
          measure: codeable,
          detailRange: z.object({ low: quantity.optional(), high: quantity.optional() }).optional(),
          dueDate: localDate,
        }),
      )
      .min(1),
    statusDate: localDate.optional(),
    statusReason: z.string().optional(),
    expressedBy: z.object({ display: z.string() }),
    note: z.array(z.object({ text: z.string() })).optional(),
  }),
  'A FHIR R4 Goal: the subject is the group (Group, by a logical identifier) or the organisation; ' +
    'the target is the metric with the value to reach (detailRange.high for a decrease, .low for ' +
    'an increase) by the target date.',
);

// --- feedback ------------------------------------------------------------------------------------

export const feedbackIdParams = z.object({ id: programId });

export const feedbackCreateBody = named('FeedbackCreate', feedbackInputSchema);
export const feedbackChangeBody = named(
  'FeedbackChange',
  feedbackChangeSchema.refine((c) => c.to !== 'duplicate' && c.duplicate_of === undefined, {
    path: ['to'],
    message: 'merge a duplicate with POST /api/feedback/:id/merge',
  }),
  'A change by IT (state, priority, assignee, note; `public: false` for an internal note), or ' +
    'a note by the author.',
);
export const feedbackMergeBody = named(
  'FeedbackMerge',
  z.object({
    into: programId,
    note: z.string().trim().min(1, 'say in words why it is a duplicate').max(5_000),
  }),
  'Merge this item into `into` as its duplicate: its votes and subscribers move to the original.',
);
export const feedbackRatingBody = named('FeedbackRating', feedbackRatingSchema);
export const feedbackSubscribeBody = named(
  'FeedbackSubscribe',
  z.object({ on: z.boolean().default(true) }),
);

/**
 * A clock of an item in a list (the triage board, my items): business hours against the target
 * of its priority (normal when none), and where it stands — `running`, `paused` (the item waits
 * for the clinician), `met` (stopped within the target) or `late` (stopped after it, or running
 * past it).
 */
const listClockSchema = z.object({
  hours: num,
  /** The target of the item's priority (normal when none), in business hours. */
  target_hours: num,
  stopped: z.boolean(),
  status: z.enum(['running', 'paused', 'met', 'late']),
});

const clockSchema = listClockSchema.extend({
  stopped_at: z.string().nullable(),
  /** Past its target (stopped after it, or running beyond it). */
  overdue: z.boolean(),
});

export const feedbackListClocksSchema = named(
  'FeedbackListClocks',
  z.object({ first_response: listClockSchema, resolution: listClockSchema.nullable() }),
  'An item’s clocks on a list, in business hours against its priority’s targets.',
);

export const feedbackClocksSchema = named(
  'FeedbackClocks',
  z.object({ first_response: clockSchema, resolution: clockSchema.nullable() }),
  'Business-hour clocks (Mon–Fri 08:00–17:00 local, minus holidays; paused while waiting).',
);

export const feedbackItemSchema = named(
  'FeedbackItem',
  feedbackItemRowSchema.extend({
    votes: num,
    voted: z.boolean(),
    subscribed: z.boolean(),
  }),
  'An item as its reader sees it, with its "me too" count and the reader’s own links to it. ' +
    '`assignee` is null for readers other than IT and administrators.',
);

export const feedbackListQuery = z.object({
  /** `mine`: my items only; `readable` (default): all I may read — the triage board for IT. */
  scope: z.enum(['mine', 'readable']).default('readable'),
  state: z
    .string()
    .max(200)
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(FEEDBACK_STATES)))
    .optional()
    .describe('comma-separated states'),
  kind: z.enum(FEEDBACK_KINDS).optional(),
  priority: z.enum(FEEDBACK_PRIORITIES).optional(),
  assignee: z.string().min(1).max(200).optional(),
  department: z.string().min(1).max(200).optional().describe('the author’s unit'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const feedbackListSchema = named(
  'FeedbackList',
  z.object({
    items: z.array(feedbackItemSchema.extend({ clocks: feedbackListClocksSchema })),
  }),
);

export const feedbackDetailSchema = named(
  'FeedbackDetail',
  z.object({
    item: feedbackItemSchema,
    /** Oldest first; for readers other than IT: the public events, without assignees. */
    history: z.array(feedbackEventRowSchema),
    clocks: feedbackClocksSchema,
    /** What the reader may do now. */
    may: z.object({
      change: z.boolean(),
      vote: z.boolean(),
      rate: z.boolean(),
      note: z.boolean(),
    }),
    /** The states IT may move it to next. */
    next_states: z.array(z.enum(FEEDBACK_STATES)),
  }),
);

export const feedbackEffectSchema = named(
  'FeedbackEffect',
  z.object({
    /**
     * `shown`: the evaluation below; `not_applicable`: the item is not done, or names no metric
     * or no group (`reason` says which); `hidden`: the reader may not see the group's numbers, or
     * the group is smaller than the suppression threshold.
     */
    status: z.enum(['shown', 'not_applicable', 'hidden']),
    reason: z.string().nullable(),
    metric: z.string().nullable(),
    metric_label: z.string().nullable(),
    group_by: z.enum(GOAL_GROUP_BYS).nullable(),
    group_value: z.string().nullable(),
    /** The local date the item was done: the "go-live" of the evaluation. */
    done_date: localDate.nullable(),
    /** The weeks evaluated (Mondays, `to` exclusive): those of the go-live page's default. */
    weeks: z.object({ from: z.string(), to: z.string() }).nullable(),
    /** The group's weekly values (the median across its clinicians with a value that week). */
    series: z.array(z.object({ week_start: z.string(), value: num, n: num })),
    its: modelResultSchema.nullable(),
    did: modelResultSchema.nullable(),
  }),
  'A done item’s metric before and after its done date (§2): the go-live evaluation’s models ' +
    '(interrupted time series; difference in differences against the groups of the same kind), ' +
    'with the done date as the go-live of the item’s group.',
);

export const feedbackFiguresQuery = z.object({
  from: localDate,
  to: localDate,
  department: z.string().min(1).max(200).optional(),
});

const wilsonShare = z.object({ share: num, successes: num, n: num, ci95: interval }).nullable();

export const feedbackFiguresSchema = named(
  'FeedbackFigures',
  z.object({
    /** Items created in [from, to) (local dates, organisation time zone). */
    period: z.object({ from: localDate, to: localDate }),
    targets: slaTargetsSchema,
    units: z.array(
      z.object({
        unit: z.string().nullable(),
        items: num,
        median_first_response_hours: numOrNull,
        median_resolution_hours: numOrNull,
        first_response_within_target: wilsonShare,
        resolution_within_target: wilsonShare,
        closed_with_answer: wilsonShare,
        reopened: wilsonShare,
        helped: wilsonShare,
      }),
    ),
  }),
  'Per unit (the author’s department): items, median business hours to first response and ' +
    'resolution, and shares with their Wilson 95% intervals.',
);

export const feedbackDoneQuery = z.object({
  department: z.string().min(1).max(200).optional().describe('default: my department'),
});

export const feedbackDoneSchema = named(
  'FeedbackDone',
  z.object({
    unit: z.string(),
    items: z.array(
      z.object({
        id: z.string(),
        kind: z.enum(FEEDBACK_KINDS),
        /** The item's text and IT's answer: null for readers outside the unit and IT. */
        text: z.string().nullable(),
        answer: z.string().nullable(),
        done_at: z.string(),
        votes: num,
      }),
    ),
    /** The unit's private items that are done: counted, never shown. */
    private_done: num,
  }),
  '“You asked, we did”: a unit’s done items shared with the unit, newest first.',
);

// --- notices -------------------------------------------------------------------------------------

export const noticeSchema = named(
  'Notice',
  z.object({
    id: z.string(),
    kind: z.enum(NOTICE_KINDS),
    ref: z.string(),
    created_at: z.string(),
    read: z.boolean(),
    state: z.enum(FEEDBACK_STATES).nullable(),
    /** The item's text only when the reader may read the item. */
    text: z.string().nullable(),
    summary: z.string(),
  }),
  'An in-app notice, rendered for its reader: never an item’s text the reader may not read.',
);

export const noticesQuery = z.object({
  unread: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const noticesSchema = named(
  'Notices',
  z.object({ notices: z.array(noticeSchema), unread: num }),
);
export const unreadSchema = named('NoticesUnread', z.object({ unread: num }));
export const noticesReadBody = named(
  'NoticesRead',
  z.union([
    z.object({ ids: z.array(programId).min(1).max(500) }).strict(),
    z.object({ all: z.literal(true) }).strict(),
  ]),
);

// --- settings of the program (parts of `Settings`) -----------------------------------------------

export { goalRulesSettingSchema, slaTargetsSchema };
export const GOAL_METRIC_NAMES = GOAL_METRICS;
export { TARGET_DIRECTIONS };

// --- types the web app uses ----------------------------------------------------------------------

export type WeeklyValueOut = z.infer<typeof weeklyValueSchema>;
export type VoteTallyOut = z.infer<typeof voteTallySchema>;
export type GoalBaselineOut = z.infer<typeof goalBaselineSchema>;
export type NoiseCheckOut = z.infer<typeof noiseCheckSchema>;
export type GoalProgressOut = z.infer<typeof goalProgressSchema>;
export type GoalSummary = z.infer<typeof goalSummarySchema>;
export type GoalList = z.infer<typeof goalListSchema>;
export type GoalDetail = z.infer<typeof goalDetailSchema>;
export type GoalPreview = z.infer<typeof goalPreviewSchema>;
export type GoalProposalIn = z.input<typeof goalProposalBody>;
export type GoalGoLiveLink = z.infer<typeof goalGoLiveLinkSchema>;
export type MyGoals = z.infer<typeof myGoalsSchema>;
export type FhirGoal = z.infer<typeof fhirGoalSchema>;
export type FeedbackItem = z.infer<typeof feedbackItemSchema>;
export type FeedbackList = z.infer<typeof feedbackListSchema>;
export type FeedbackDetail = z.infer<typeof feedbackDetailSchema>;
export type FeedbackClocksOut = z.infer<typeof feedbackClocksSchema>;
export type FeedbackEffect = z.infer<typeof feedbackEffectSchema>;
export type FeedbackFigures = z.infer<typeof feedbackFiguresSchema>;
export type FeedbackDone = z.infer<typeof feedbackDoneSchema>;
export type FeedbackCreate = z.input<typeof feedbackCreateBody>;
export type FeedbackChangeIn = z.input<typeof feedbackChangeBody>;
export type Notice = z.infer<typeof noticeSchema>;
export type Notices = z.infer<typeof noticesSchema>;
