/**
 * A goal as a FHIR R4 `Goal` resource (issue #13): the subject is the group — a `Group` named by
 * a logical identifier, as Uptake's departments, specialties and roles are no FHIR resources — or
 * the organisation (`Organization`); the target is the metric (`measure`) with the value to
 * reach by the target date: `detailRange.high` for a decrease, `.low` for an increase, so the
 * direction travels with the number. The lifecycle follows the vote (proposed while voting,
 * active once adopted, completed after the target date, rejected or cancelled) and the computed
 * status is the achievement status (HL7 goal-achievement codes). The object is checked against
 * the R4 `Goal` type of `@types/fhir` at compile time and against the API's schema when sent.
 */
import type { Goal } from 'fhir/r4.js';
import {
  isSurveyMetric,
  type GoalRow,
  type GoalStatus,
  type GoalSurveyMetric,
} from '../model/goal.ts';
import { localDateOf } from './businessHours.ts';

export const UPTAKE_GOAL_SYSTEM = 'urn:uptake:goal';
export const UPTAKE_METRIC_SYSTEM = 'urn:uptake:metric';
export const UPTAKE_GROUP_SYSTEM = 'urn:uptake:group';
const ACHIEVEMENT_SYSTEM = 'http://terminology.hl7.org/CodeSystem/goal-achievement';

/** The HL7 goal-achievement code of each computed status. */
const ACHIEVEMENT: Record<GoalStatus, { code: string; display: string }> = {
  too_early: { code: 'in-progress', display: 'In Progress' },
  on_track: { code: 'improving', display: 'Improving' },
  at_risk: { code: 'in-progress', display: 'In Progress' },
  off_track: { code: 'no-progress', display: 'No Progress' },
  achieved: { code: 'achieved', display: 'Achieved' },
  met: { code: 'achieved', display: 'Achieved' },
  not_met: { code: 'not-achieved', display: 'Not Achieved' },
};

/** Lifecycle of the stored state; an adopted goal past its target date is `completed`. */
function lifecycle(goal: GoalRow, today: string) {
  switch (goal.state) {
    case 'voting':
      return 'proposed' as const;
    case 'not_adopted':
      return 'rejected' as const;
    case 'withdrawn':
      return 'cancelled' as const;
    case 'adopted':
      return today > goal.target_date ? ('completed' as const) : ('active' as const);
  }
}

/** What a survey score measures, in words (spec §3). */
const SURVEY_SCORE: Record<GoalSurveyMetric, string> = {
  'survey.sus': 'SUS score (mean, 0–100)',
  'survey.nps': 'Net Promoter Score (−100 to 100)',
  'survey.net': 'net satisfaction (100 × mean respondent net, −100 to 100)',
};

/**
 * The measure's display and text: the metric, with its tool (`ib_time8 of Epic`) or, for a
 * survey score, what it is and of which survey (the survey is no FHIR resource Uptake exports
 * here, so its id is named in the text; its Questionnaire carries the same id as identifier).
 */
function measureOf(goal: GoalRow): { display: string | null; text: string } {
  if (isSurveyMetric(goal.metric)) {
    const what = `${SURVEY_SCORE[goal.metric]} of survey ${goal.survey ?? '?'}`;
    return { display: what, text: `${goal.metric}: ${what}` };
  }
  return {
    display: goal.tool ? `${goal.metric} of ${goal.tool}` : null,
    text: `${goal.metric}${goal.tool ? ` (${goal.tool})` : ''}`,
  };
}

/**
 * The FHIR R4 Goal of `goal`, with its computed `status` when adopted (null otherwise or when not
 * computable). Dates are local dates of the organisation's `timezone`; `today` decides whether an
 * adopted goal is completed.
 */
export function goalToFhir(
  goal: GoalRow,
  status: GoalStatus | 'insufficient_data' | null,
  timezone: string,
  today: string,
) {
  const subject =
    goal.group_by === 'org'
      ? { type: 'Organization' as const, display: goal.group_value }
      : {
          type: 'Group' as const,
          identifier: {
            system: `${UPTAKE_GROUP_SYSTEM}:${goal.group_by}`,
            value: goal.group_value,
          },
          display: `${goal.group_by} ${goal.group_value}`,
        };
  const value = { value: goal.target };
  const measure = measureOf(goal);
  const computed = status && status !== 'insufficient_data' ? status : null;
  const statusDate = goal.withdrawn_at ?? goal.decided_at;
  return {
    resourceType: 'Goal' as const,
    id: goal.id,
    identifier: [{ system: UPTAKE_GOAL_SYSTEM, value: goal.id }],
    lifecycleStatus: lifecycle(goal, today),
    ...(computed
      ? {
          achievementStatus: {
            coding: [{ system: ACHIEVEMENT_SYSTEM, ...ACHIEVEMENT[computed] }],
            text: computed,
          },
        }
      : {}),
    description: { text: goal.title },
    subject,
    startDate: localDateOf(Date.parse(goal.created_at), timezone),
    target: [
      {
        measure: {
          coding: [
            {
              system: UPTAKE_METRIC_SYSTEM,
              code: goal.metric,
              ...(measure.display ? { display: measure.display } : {}),
            },
          ],
          text: `${goal.direction} ${measure.text}`,
        },
        detailRange: goal.direction === 'decrease' ? { high: value } : { low: value },
        dueDate: goal.target_date,
      },
    ],
    ...(statusDate ? { statusDate: localDateOf(Date.parse(statusDate), timezone) } : {}),
    ...(goal.state === 'adopted' || goal.state === 'not_adopted'
      ? {
          statusReason:
            `vote: ${goal.support ?? 0} support, ${goal.oppose ?? 0} oppose, ` +
            `${goal.abstain ?? 0} abstain of ${goal.group_size ?? 0} who could vote` +
            (status ? `; status ${status}` : ''),
        }
      : goal.state === 'withdrawn'
        ? { statusReason: 'withdrawn' }
        : {}),
    expressedBy: { display: goal.proposer },
    note: [{ text: goal.rationale }],
  } satisfies Goal;
}
