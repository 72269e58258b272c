/**
 * The checks of a goal on a survey score (§1, §3) that need the store or the proposer, made by
 * the store when a goal is proposed and by the API's and the CLI's previews, so all refuse alike.
 */
import { UptakeError } from '../errors/UptakeError.ts';
import { isSurveyMetric, surveyMetricInstrument, type GoalProposal } from '../model/goal.ts';
import type { ProgramActor } from './actor.ts';
import { getSurvey } from './surveyStore.ts';

/**
 * Who reads survey results (the surveys' API: administrators, IT, leaders and champions), and so
 * who may propose a goal on a survey score. Clinicians read no survey results; a proposal's
 * preview shows the group's weekly scores, so letting a clinician propose one would let them read
 * any survey's results for their group.
 */
export function mayReadSurveyResults(a: Pick<ProgramActor, 'role'>): boolean {
  return a.role === 'admin' || a.role === 'it' || a.role === 'leader' || a.role === 'champion';
}

/**
 * For a survey score: the proposer may read survey results (FORBIDDEN otherwise), the survey
 * exists and is of the score's instrument (INVALID_INPUT naming `field`, the proposal's
 * `survey` or the CLI's `--survey`, otherwise). Nothing to check for other metrics.
 */
export async function checkGoalSurvey(
  db: Parameters<typeof getSurvey>[0],
  actor: Pick<ProgramActor, 'role'>,
  p: Pick<GoalProposal, 'metric' | 'survey'>,
  field = 'survey',
): Promise<void> {
  if (!isSurveyMetric(p.metric)) return;
  if (!mayReadSurveyResults(actor))
    throw new UptakeError(
      'FORBIDDEN',
      `metric ${p.metric}: clinicians read no survey results, so they propose no goal on a survey score; ask a champion, a leader or an administrator`,
    );
  if (p.survey === undefined)
    throw new UptakeError('INVALID_INPUT', `${field}: a survey score needs the survey it measures`);
  const s = await getSurvey(db, p.survey);
  if (!s)
    throw new UptakeError(
      'INVALID_INPUT',
      `${field}: no survey "${p.survey}"; see uptake surveys list`,
    );
  const want = surveyMetricInstrument(p.metric);
  if (s.instrument !== want)
    throw new UptakeError(
      'INVALID_INPUT',
      `${field}: survey ${s.id} is a ${s.instrument} survey; ${p.metric} needs a ${want} survey`,
    );
}
