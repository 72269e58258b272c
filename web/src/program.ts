/**
 * The buy-in program's words (`docs/program.md`): goals' states and computed statuses, feedback
 * kinds, states and priorities, and how business hours read. Every record is keyed by the
 * server's closed set (`members`), so a state or status added there is a compile error here until
 * it has its words.
 */
import type {
  FeedbackItem,
  GoalDetail,
  GoalProposalIn,
  GoalSummary,
  Me,
  Notice,
  Settings,
} from './api.ts';
import { members } from './api.ts';
import { dateWords } from './dates.ts';
import { fmt, info, unitText } from './metrics.ts';

export type GoalState = GoalSummary['state'];
export type GoalStatus = NonNullable<GoalSummary['status']>;
export type GoalMetric = GoalProposalIn['metric'];
export type GoalGroupBy = GoalProposalIn['group_by'];
export type Direction = GoalProposalIn['direction'];
export type VoteChoice = NonNullable<GoalDetail['mine']>;
export type FeedbackKind = FeedbackItem['kind'];
export type FeedbackState = FeedbackItem['state'];
export type FeedbackPriority = NonNullable<FeedbackItem['priority']>;
export type Visibility = FeedbackItem['visibility'];
export type NoticeKind = Notice['kind'];
export type SlaTargets = Settings['sla_targets'];

export const GOAL_STATE_LABEL: Record<GoalState, string> = {
  voting: 'Open for votes',
  adopted: 'Adopted',
  not_adopted: 'Not adopted',
  withdrawn: 'Withdrawn',
};
export const GOAL_STATES = members(GOAL_STATE_LABEL);

/** A computed status, in words, and what it means (never set by hand). */
export const GOAL_STATUS: Record<GoalStatus, { label: string; means: string }> = {
  too_early: {
    label: 'Too early to tell',
    means: 'fewer than 4 whole weeks since the goal was adopted',
  },
  on_track: {
    label: 'On track',
    means: 'the straight line through the weeks since adoption reaches the target by its date',
  },
  at_risk: {
    label: 'At risk',
    means: 'the line misses the target, but its 95% prediction interval still includes the target',
  },
  off_track: {
    label: 'Off track',
    means: 'the line misses the target and its 95% prediction interval excludes it',
  },
  achieved: {
    label: 'Achieved',
    means: 'the mean of the last 4 whole weeks has already reached the target',
  },
  met: { label: 'Met', means: 'the 4 weeks before the target date reached the target' },
  not_met: {
    label: 'Not met',
    means: 'the 4 weeks before the target date did not reach the target',
  },
  insufficient_data: {
    label: 'Not enough data',
    means: 'the weeks the rule needs have too few values to compute a status',
  },
};
export const GOAL_STATUSES = members(GOAL_STATUS);

export const VOTE_LABEL: Record<VoteChoice, string> = {
  support: 'Support',
  oppose: 'Oppose',
  abstain: 'Abstain',
};
export const VOTE_CHOICES = members(VOTE_LABEL);

export const DIRECTION_LABEL: Record<Direction, string> = {
  decrease: 'Lower it',
  increase: 'Raise it',
};

export const GOAL_GROUP_LABEL: Record<GoalGroupBy, string> = {
  department: 'Department',
  specialty: 'Specialty',
  role: 'Role',
  org: 'Organisation',
};

/** What an organisation-wide goal names as its group (the server's `ORG_GROUP_VALUE`). */
export const ORG_GROUP_VALUE = 'organisation';

/**
 * The metrics a goal may measure, in the order the form offers them: the per-8-hour metrics and
 * the other per-clinician figures people read on their reports, then a tool's adoption shares.
 */
export const GOAL_METRIC_CHOICES: readonly GoalMetric[] = [
  'ehr_time8',
  'wow8',
  'ib_time8',
  'note_time8',
  'pres_time8',
  'after_hours_hours',
  'undivided_attention',
  'teamwork_orders',
  'ehr_minutes_per_appointment',
  'adoption.active_share',
  'adoption.habitual_share',
];

export const isShareMetric = (m: string): boolean => m.startsWith('adoption.');

/**
 * The survey scores a goal may measure (with the survey it reads), offered only to the roles
 * that read survey results (`mayReadSurveys`): clinicians read none, and the proposal's preview
 * would show them the group's weekly scores.
 */
export const GOAL_SURVEY_CHOICES: readonly GoalMetric[] = [
  'survey.sus',
  'survey.nps',
  'survey.net',
];

export const isSurveyMetric = (m: string): boolean => m.startsWith('survey.');

/** The instrument a survey score reads (`survey.sus` → `sus`). */
export const surveyInstrumentOf = (m: string): string => m.slice('survey.'.length);

/** Who reads survey results and lists surveys (administrators, IT, leaders, champions). */
export function mayReadSurveys(me: Me): boolean {
  return me.role === 'admin' || me.role === 'it' || me.role === 'leader' || me.role === 'champion';
}

/** A goal's group in words: "Department Cardiology", "the whole organisation". */
export function groupWords(g: { group_by: GoalGroupBy; group_value: string }): string {
  return g.group_by === 'org'
    ? 'the whole organisation'
    : `${GOAL_GROUP_LABEL[g.group_by].toLowerCase()} ${g.group_value}`;
}

/** A metric's value with its unit: "1.25 hours per 8 scheduled hours", "42%". */
export function valueWords(metric: string, v: number | null | undefined): string {
  const u = info(metric).unit === 'share' ? '' : ` ${unitText(metric)}`;
  return `${fmt(metric, v)}${v === null || v === undefined ? '' : u}`;
}

/** "lower EHR-Time8 to 1.20 hours per 8 scheduled hours by 30 Jun 2026". */
export function goalAim(
  g: Pick<GoalSummary, 'metric' | 'direction' | 'target' | 'target_date'>,
): string {
  return `${g.direction === 'decrease' ? 'lower' : 'raise'} ${info(g.metric).label} to ${valueWords(g.metric, g.target)} by ${dateWords(g.target_date)}`;
}

/**
 * The status of a goal as shown beside it: the computed status of an adopted goal, else its
 * stored state.
 */
export function goalBadge(g: GoalSummary): { key: string; label: string } {
  if (g.state === 'adopted' && g.status)
    return { key: g.status, label: GOAL_STATUS[g.status].label };
  return { key: g.state, label: GOAL_STATE_LABEL[g.state] };
}

/** Who may propose a goal (the server checks the group). */
export function mayPropose(me: Me): boolean {
  return (
    me.role === 'admin' || me.role === 'leader' || me.role === 'champion' || me.role === 'clinician'
  );
}

export const KIND_LABEL: Record<FeedbackKind, string> = {
  problem: 'Problem',
  idea: 'Idea',
  question: 'Question',
  praise: 'Praise',
};
export const FEEDBACK_KINDS = members(KIND_LABEL);

export const KIND_HINT: Record<FeedbackKind, string> = {
  problem: 'something does not work, or gets in the way',
  idea: 'something that would make the work easier',
  question: 'how to do something',
  praise: 'something that works well',
};

export const STATE_LABEL: Record<FeedbackState, string> = {
  new: 'New',
  triaged: 'Triaged',
  planned: 'Planned',
  in_progress: 'In progress',
  waiting: 'Waiting for you',
  done: 'Done',
  declined: 'Declined',
  duplicate: 'Duplicate',
  reopened: 'Reopened',
};
export const FEEDBACK_STATES = members(STATE_LABEL);

/** For IT, "waiting" is waiting for the clinician. */
export function stateWords(s: FeedbackState, forIt: boolean): string {
  return s === 'waiting' && forIt ? 'Waiting for the clinician' : STATE_LABEL[s];
}

export const OPEN_STATES: readonly FeedbackState[] = [
  'new',
  'triaged',
  'planned',
  'in_progress',
  'waiting',
  'reopened',
];
export const CLOSED_STATES: readonly FeedbackState[] = ['done', 'declined', 'duplicate'];
export const isClosed = (s: FeedbackState): boolean => CLOSED_STATES.includes(s);

export const PRIORITY_LABEL: Record<FeedbackPriority, string> = {
  urgent: 'Urgent',
  high: 'High',
  normal: 'Normal',
  low: 'Low',
};
export const PRIORITIES = members(PRIORITY_LABEL);

export const VISIBILITY_LABEL: Record<Visibility, string> = {
  private: 'Private: only you and the IT team',
  unit: 'My unit: the clinicians of my department may read it and say “me too”',
};
export const VISIBILITIES = members(VISIBILITY_LABEL);

/** A business day is 9 business hours (08:00–17:00). */
export const BUSINESS_DAY_HOURS = 9;

/** Business hours for people: "40 min", "3.5 business hours", "2.1 business days". */
export function businessHours(h: number | null | undefined): string {
  if (h === null || h === undefined || !Number.isFinite(h)) return '—';
  if (h < 1) return `${Math.round(h * 60)} min`;
  if (h < BUSINESS_DAY_HOURS * 2) return `${h.toFixed(1)} business hours`;
  return `${(h / BUSINESS_DAY_HOURS).toFixed(1)} business days`;
}

/** Whether the author is still owed the "did this help?" answer on `item`. */
export function asksRating(item: FeedbackItem, me: Me): boolean {
  return item.author === me.username && isClosed(item.state) && item.rating === null;
}

export const NOTICE_LABEL: Record<NoticeKind, string> = {
  feedback_state: 'Feedback changed',
  feedback_note: 'New answer',
  feedback_rate: 'Did this help?',
  goal_decided: 'Goal decided',
};

/** Where a notice leads: the feedback item or the goal. */
export function noticeHref(n: Notice): string {
  return n.kind === 'goal_decided'
    ? `#/goals/${encodeURIComponent(n.ref)}`
    : `#/feedback/${encodeURIComponent(n.ref)}`;
}

/** A share with its Wilson interval: "62% (95% CI 41–79%, 8 of 13)". */
export function shareWords(
  s: { share: number; successes: number; n: number; ci95: [number, number] } | null,
): string {
  if (!s) return '—';
  const p = (x: number) => `${Math.round(x * 100)}`;
  return `${p(s.share)}% (95% CI ${p(s.ci95[0])}–${p(s.ci95[1])}%, ${s.successes} of ${s.n})`;
}
