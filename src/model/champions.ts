/**
 * Champions and training targets (program.md §4, docs/program.md §4): the shapes of a suggested
 * champion with its evidence, of an invitation, of a department's coverage and of a training
 * target, written once with zod. The rules live in `src/program/champions.ts`,
 * `src/program/championInvitations.ts` and `src/program/trainingTargets.ts`; the API names these
 * schemas (`src/server/championSchemas.ts`).
 */
import { z } from 'zod';

/** The thresholds of §4's champion rule, as values (the docs and the API's evidence cite them). */
export const CHAMPION_RULE = {
  /** Scheduled hours over the window, at least. */
  min_scheduled_hours: 40,
  /** Whole ISO weeks of the window, ending before the current week. */
  weeks: 8,
  /** EHR-Time8 and after-hours hours per 8 scheduled hours: at or below this quantile of the specialty. */
  burden_quantile: 0.4,
  /** Appointments per scheduled hour: at or above this quantile (the median) of the specialty. */
  appointments_quantile: 0.5,
  /** Habitual use of a live tool: weeks of the last 4 with the tool's weekly uses (adoption.ts). */
  habitual_weeks: 3,
} as const;

/** Coverage rule of §4: fewer champions than 1 per this many clinicians is `uncovered`. */
export const CLINICIANS_PER_CHAMPION = 15;

/** One tool live for a clinician, and whether they use it habitually (the last 4 weeks). */
export const toolHabitSchema = z.object({
  tool: z.string(),
  go_live: z.string(),
  habitual_weeks: z.number(),
  habitual: z.boolean(),
});
export type ToolHabit = z.infer<typeof toolHabitSchema>;

const figure = (what: string) =>
  z
    .object({ value: z.number().nullable(), cutoff: z.number().nullable(), meets: z.boolean() })
    .describe(what);

/** A clinician who meets (or, with `meets_all` false, is measured by) the champion rule. */
export const championCandidateSchema = z.object({
  user_id: z.string(),
  name: z.string().nullable(),
  department: z.string().nullable(),
  specialty: z.string(),
  /** Clinicians of the specialty with ≥ 40 scheduled hours: the population of the cut-offs. */
  specialty_n: z.number(),
  scheduled_hours: z.number(),
  ehr_time8: figure('EHR-Time8; cutoff: the specialty’s 40th percentile'),
  after_hours8: figure('after-hours hours per 8 scheduled hours; cutoff: the 40th percentile'),
  appointments_per_hour: figure('appointments per scheduled hour; cutoff: the specialty median'),
  tools: z.array(toolHabitSchema),
  meets_all: z.boolean(),
  /** Where an invitation stands: none yet, or its state. */
  invitation: z.enum(['none', 'invited', 'accepted', 'declined']),
  /** The account linked to the clinician (null: none, so no invitation can reach them). */
  username: z.string().nullable(),
});
export type ChampionCandidate = z.infer<typeof championCandidateSchema>;

export const championSuggestionsSchema = z.object({
  from: z.string(),
  to: z.string(),
  rule: z.object({
    min_scheduled_hours: z.number(),
    weeks: z.number(),
    burden_quantile: z.number(),
    appointments_quantile: z.number(),
    habitual_weeks: z.number(),
  }),
  /** Clinicians with ≥ 40 scheduled hours and a specialty: those the rule looked at. */
  considered: z.number(),
  suggestions: z.array(championCandidateSchema),
});
export type ChampionSuggestions = z.infer<typeof championSuggestionsSchema>;

export const INVITATION_STATES = ['invited', 'accepted', 'declined'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];

/** An invitation to become a champion of a department (migration 14's `champion_invitations`). */
export const invitationSchema = z.object({
  id: z.string(),
  user_id: z.string(),
  department: z.string(),
  invited_by: z.string(),
  invited_at: z.string(),
  state: z.enum(INVITATION_STATES),
  decided_at: z.string().nullable(),
  /** Why they were suggested, as the administrator saw it (text). */
  reason: z.string(),
});
export type Invitation = z.infer<typeof invitationSchema>;

/** A department's champions (§4 coverage) and their activity. */
export const coverageRowSchema = z.object({
  department: z.string(),
  clinicians: z.number(),
  champions: z.array(z.string()),
  per_10: z.number(),
  uncovered: z.boolean(),
  /** Why, in words (never a colour alone). */
  status: z.string(),
  open_requests: z.number(),
});
export type CoverageRow = z.infer<typeof coverageRowSchema>;

export const championActivitySchema = z.object({
  username: z.string(),
  answered: z.number(),
  median_business_hours_to_first_answer: z.number().nullable(),
});
export type ChampionActivity = z.infer<typeof championActivitySchema>;

export const coverageReportSchema = z.object({
  departments: z.array(coverageRowSchema),
  activity: z.array(championActivitySchema),
});
export type CoverageReport = z.infer<typeof coverageReportSchema>;

/** Training targets of §4: above the specialty's 75th percentile in 4 of the last 6 weeks. */
export const TRAINING_RULE = { weeks: 6, weeks_above: 4, quantile: 0.75 } as const;

/** One week of a clinician's metric against their specialty's 75th percentile. */
export const targetWeekSchema = z.object({
  week_start: z.string(),
  value: z.number().nullable(),
  p75: z.number().nullable(),
  above: z.boolean(),
});

/** A metric persistently high for the clinician, and the course that addresses it. */
export const trainingTargetSchema = z.object({
  metric: z.string(),
  metric_label: z.string(),
  tool: z.string(),
  course: z.string(),
  weeks_above: z.number(),
  weeks: z.array(targetWeekSchema),
  why: z.string(),
});
export type TrainingTarget = z.infer<typeof trainingTargetSchema>;

export const trainingTargetsSchema = z.object({
  from: z.string(),
  to: z.string(),
  targets: z.array(trainingTargetSchema),
});
export type TrainingTargets = z.infer<typeof trainingTargetsSchema>;

/** Counts per unit (department) and course: never names. */
export const trainingCountsSchema = z.object({
  from: z.string(),
  to: z.string(),
  rows: z.array(
    z.object({
      department: z.string(),
      course: z.string(),
      metric: z.string(),
      clinicians: z.number(),
    }),
  ),
});
export type TrainingCounts = z.infer<typeof trainingCountsSchema>;

const estimateSchema = z.object({
  estimate: z.number(),
  se: z.number(),
  ci95: z.tuple([z.number(), z.number()]),
  p_value: z.number(),
});

/** The training effect of a course on its targeted metric (difference in differences). */
export const trainingEffectSchema = z.object({
  course: z.string(),
  tool: z.string().nullable(),
  metric: z.string().nullable(),
  metric_label: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  trained: z.number(),
  controls: z.number(),
  /** The week (Monday) of the cohort estimated: the week most of them completed the course. */
  cohort_week: z.string().nullable(),
  effect: estimateSchema.nullable(),
  pre_trend_difference: estimateSchema.nullable(),
  assumptions: z.array(z.string()),
  insufficient_data: z.object({ reason: z.string() }).nullable(),
});
export type TrainingEffect = z.infer<typeof trainingEffectSchema>;
