/**
 * Goals of the buy-in program (`docs/program.md` §Goals): a group's clinicians propose a target
 * for a metric, vote on it, and Uptake tracks it with a computed status. The row schemas are the
 * stored rows (migrations 12 and 16) and what the API returns; the input schemas are what a proposer or
 * voter sends. Rules live in `src/program/`.
 */
import { z } from 'zod';
import { localDate, metricOptionsSchema } from './options.ts';
import { CLINICIAN_METRICS } from './metricRow.ts';
import { TARGET_DIRECTIONS } from './evaluationMetrics.ts';
import type { SurveyInstrument } from './survey.ts';

/** A goal is set for a department, specialty, role or the whole organisation. */
export const GOAL_GROUP_BYS = ['department', 'specialty', 'role', 'org'] as const;
export type GoalGroupBy = (typeof GOAL_GROUP_BYS)[number];
/** The `group_value` of an organisation-wide goal (as go-lives write it). */
export const ORG_GROUP_VALUE = 'organisation';

/** Adoption shares of a tool a goal may target (the tool is then required). */
export const GOAL_SHARE_METRICS = ['adoption.active_share', 'adoption.habitual_share'] as const;
/**
 * Survey scores a goal may target (§1, §3; the survey is then required and must be of the
 * score's instrument): the SUS mean (0–100), NPS (−100..100), net satisfaction (100 × the mean
 * respondent net, −100..100).
 */
export const GOAL_SURVEY_METRICS = ['survey.sus', 'survey.nps', 'survey.net'] as const;
export type GoalSurveyMetric = (typeof GOAL_SURVEY_METRICS)[number];
/** What a goal may measure: a per-clinician metric, a tool's adoption share or a survey score. */
export const GOAL_METRICS = [
  ...CLINICIAN_METRICS,
  ...GOAL_SHARE_METRICS,
  ...GOAL_SURVEY_METRICS,
] as const;
export type GoalMetric = (typeof GOAL_METRICS)[number];

/** Whether `m` is a survey score (`survey.sus`, `survey.nps`, `survey.net`). */
export function isSurveyMetric(m: string): m is GoalSurveyMetric {
  return (GOAL_SURVEY_METRICS as readonly string[]).includes(m);
}

/** The instrument whose survey a survey score reads (`survey.sus` → `sus`). */
export function surveyMetricInstrument(m: GoalSurveyMetric): Exclude<SurveyInstrument, 'custom'> {
  return m === 'survey.sus' ? 'sus' : m === 'survey.nps' ? 'nps' : 'net';
}

/**
 * Stored states: `voting` until the window closes, then `adopted` or `not_adopted`; the proposer
 * or an administrator may withdraw a goal that is voting or adopted.
 */
export const GOAL_STATES = ['voting', 'adopted', 'not_adopted', 'withdrawn'] as const;
export type GoalState = (typeof GOAL_STATES)[number];

/** Computed status of an adopted goal, never set by hand. */
export const GOAL_STATUSES = [
  'too_early',
  'on_track',
  'at_risk',
  'off_track',
  'achieved',
  'met',
  'not_met',
] as const;
export type GoalStatus = (typeof GOAL_STATUSES)[number];

export const VOTE_CHOICES = ['support', 'oppose', 'abstain'] as const;
export type VoteChoice = (typeof VOTE_CHOICES)[number];

/** Defaults of §1 (the window and quorum are organisation rules, not the proposer's choice). */
export const GOAL_DEFAULTS = { baseline_weeks: 8, window_days: 14, min_votes: 5 } as const;

/**
 * The organisation's voting rules. Not part of a proposal: a proposer who could set
 * `min_votes: 1` would adopt their own goal alone.
 */
export const goalRulesSchema = z.object({
  window_days: z.number().int().min(1).max(90),
  min_votes: z.number().int().min(1).max(10_000),
});
export type GoalRules = z.infer<typeof goalRulesSchema>;

/**
 * The `goal_rules` setting: the voting rules and the baseline weeks a proposal gets when it
 * names none (§1 defaults: 14 days, 5 votes, 8 weeks).
 */
export const goalRulesSettingSchema = goalRulesSchema.extend({
  baseline_weeks: z.number().int().min(2).max(52),
});
export type GoalRulesSetting = z.infer<typeof goalRulesSettingSchema>;

const text = (max: number) => z.string().trim().min(1).max(max);

/** What a proposer sends. */
export const goalProposalSchema = z
  .object({
    metric: z.enum(GOAL_METRICS),
    /** The tool of an adoption share; for a per-clinician metric, the tool whose go-live it follows. */
    tool: text(200).optional(),
    /** The survey (id) of a survey score; only a survey score names one. */
    survey: text(200).optional(),
    /** Metric options other than the time zone (the organisation's); empty for the defaults. */
    metric_options: metricOptionsSchema.omit({ timezone: true }).partial().optional(),
    group_by: z.enum(GOAL_GROUP_BYS),
    group_value: text(200),
    direction: z.enum(TARGET_DIRECTIONS),
    target: z.number().finite(),
    target_date: localDate,
    baseline_weeks: z.number().int().min(2).max(52).optional(),
    title: text(200),
    rationale: text(4_000),
  })
  .refine((p) => !p.metric.startsWith('adoption.') || p.tool !== undefined, {
    path: ['tool'],
    message: 'an adoption share needs the tool it measures',
  })
  .refine((p) => !isSurveyMetric(p.metric) || p.survey !== undefined, {
    path: ['survey'],
    message: 'a survey score needs the survey (its id) it measures; see uptake surveys list',
  })
  .refine((p) => isSurveyMetric(p.metric) || p.survey === undefined, {
    path: ['survey'],
    message: 'only a survey score (survey.sus, survey.nps, survey.net) names a survey',
  })
  .refine((p) => p.group_by !== 'org' || p.group_value === ORG_GROUP_VALUE, {
    path: ['group_value'],
    message: `an organisation-wide goal has group_value "${ORG_GROUP_VALUE}"`,
  });
export type GoalProposal = z.infer<typeof goalProposalSchema>;

const instant = z.string();
const count = z.number().int().nonnegative();

/** A stored goal (table `goals`). */
export const goalRowSchema = z.object({
  id: z.string(),
  created_at: instant,
  proposer: z.string(),
  title: z.string(),
  rationale: z.string(),
  metric: z.enum(GOAL_METRICS),
  tool: z.string().nullable(),
  /** JSON of the metric options (stored as text). */
  metric_options: z.string(),
  group_by: z.enum(GOAL_GROUP_BYS),
  group_value: z.string(),
  direction: z.enum(TARGET_DIRECTIONS),
  target: z.number(),
  target_date: localDate,
  baseline_weeks: z.number().int(),
  window_days: z.number().int(),
  min_votes: z.number().int(),
  /** The voting window is [created_at, closes_at). */
  closes_at: instant,
  state: z.enum(GOAL_STATES),
  /** When the vote was settled: `closes_at`, whenever the settling ran. */
  decided_at: instant.nullable(),
  /** The counts at close (null while voting: the live counts come from the votes). */
  support: count.nullable(),
  oppose: count.nullable(),
  abstain: count.nullable(),
  /** Accounts that could vote, at close; the quorum is min(min_votes, group_size). */
  group_size: count.nullable(),
  withdrawn_at: instant.nullable(),
  withdrawn_by: z.string().nullable(),
  /** The baseline as shown to voters (the proposal's snapshot; null without two weeks of data). */
  baseline: z.number().nullable(),
  baseline_low: z.number().nullable(),
  baseline_high: z.number().nullable(),
  noise: z.number().nullable(),
  baseline_n: count.nullable(),
  /** The survey of a survey score; null otherwise (added by migration 16, hence last). */
  survey: z.string().nullable(),
});
export type GoalRow = z.infer<typeof goalRowSchema>;

/** One vote (table `goal_votes`): `voter` is a keyed hash, never the account. */
export const goalVoteRowSchema = z.object({
  goal_id: z.string(),
  voter: z.string(),
  choice: z.enum(VOTE_CHOICES),
});

export const goalVoteSchema = z.object({ choice: z.enum(VOTE_CHOICES) });

/** A comment of the discussion (table `goal_comments`). */
export const goalCommentRowSchema = z.object({
  id: z.string(),
  goal_id: z.string(),
  created_at: instant,
  author: z.string(),
  text: z.string(),
});
export type GoalCommentRow = z.infer<typeof goalCommentRowSchema>;
export const goalCommentSchema = z.object({ text: text(4_000) });

/** The counts of a vote. */
export interface VoteTally {
  support: number;
  oppose: number;
  abstain: number;
}

/**
 * One ISO week of a group's metric (§1): the median across its clinicians with scheduled hours
 * (an adoption share: the share; a survey score: the score of the week's responses), `null` when
 * no clinician had a value (a survey: fewer responses than the suppression threshold); `n`
 * clinicians (eligible clinicians; responses) behind it.
 * The shape of the go-live evaluation's series rows (`src/analysis/evaluate.ts`).
 */
export interface WeeklyValue {
  /** Monday of the ISO week, `YYYY-MM-DD` (organisation time zone). */
  week_start: string;
  value: number | null;
  n: number;
}
