/**
 * A survey goal's weekly values (`docs/program.md` §Goals, spec §1 "for a survey the score of the
 * responses that week"): per ISO week, the instrument's score of the group's responses submitted
 * that week, scored by the same SQL as the survey's results (`surveyScoreSql.ts`), set-based.
 */
import type { Store } from '../store/Store.ts';
import type { GoalGroupBy, GoalSurveyMetric } from '../model/goal.ts';
import { surveyMetricInstrument } from '../model/goal.ts';
import {
  readScoreSums,
  scoreOfSums,
  scoreSumsSelect,
  scoredResponsesCtes,
} from './surveyScoreSql.ts';
import { surveyOrThrow } from './surveyStore.ts';
import type { WeekCell } from './storeGoalSeries.ts';

/**
 * The weekly scores of survey `o.survey` for a group over the whole weeks [from, to) (Mondays,
 * local dates of `timezone`), keyed by Monday; weeks without responses are absent.
 *
 * - The group is the respondents' department, specialty or role as stored on the response (their
 *   groups when they answered), or every response for the organisation.
 * - A response's week is that of its local day in the organisation's time zone. An anonymous
 *   survey's responses keep only their day (midnight UTC, `surveyStore.ts`), which is read as
 *   that day itself: converting midnight UTC to a zone west of UTC would move every response to
 *   the day before, and a Monday's to the previous week.
 * - A week with fewer responses than `threshold` (the organisation's `suppression_threshold`) has
 *   no value and `n` 0, exactly as a week without responses: §3 suppresses thin groups' scores for
 *   everyone, and a goal's series must not show them one week at a time (nor, by its `n`, how
 *   many answered).
 * - Otherwise `value` is the SUS mean, the NPS (unadjusted) or the net satisfaction (100 × the
 *   mean respondent net) of the week's responses — null when none of them has a score (e.g. SUS
 *   sheets all incomplete) — and `n` the responses.
 *
 * NOT_FOUND when the survey does not exist.
 */
export async function surveyWeeklyScores(
  db: Store,
  o: {
    survey: string;
    metric: GoalSurveyMetric;
    group_by: GoalGroupBy;
    group_value: string;
    from: string;
    to: string;
    timezone: string;
    threshold: number;
  },
): Promise<Map<string, WeekCell>> {
  const survey = await surveyOrThrow(db, o.survey);
  const instrument = surveyMetricInstrument(o.metric);
  const day = `CAST(r.submitted_at AT TIME ZONE CAST($2 AS VARCHAR) AS DATE)`;
  const params: string[] = [o.survey, survey.anonymous ? 'UTC' : o.timezone, o.from, o.to];
  let where = `r.survey_id = $1 AND ${day} >= CAST($3 AS DATE) AND ${day} < CAST($4 AS DATE)`;
  if (o.group_by !== 'org') {
    params.push(o.group_value);
    // `group_by` is one of a closed set, so it may name a column
    where += ` AND r.${o.group_by} = $5`;
  }
  const week = `CAST(date_trunc('week', CAST(${day} AS TIMESTAMP)) AS DATE)`;
  const rows = await db.all<Record<string, unknown>>(
    `WITH ${scoredResponsesCtes(db.dialect, { keys: { wk: week }, where })}
     SELECT CAST(wk AS VARCHAR) AS week_start, ${scoreSumsSelect(db.dialect)}
     FROM scored GROUP BY wk ORDER BY wk`,
    params,
  );
  const out = new Map<string, WeekCell>();
  for (const r of rows) {
    const sums = readScoreSums(r);
    if (sums.responses < o.threshold) continue;
    const s = scoreOfSums(instrument, sums);
    const value = s.sus?.mean ?? s.nps?.nps ?? s.net?.mean ?? null;
    out.set(String(r.week_start).slice(0, 10), { value, n: sums.responses });
  }
  return out;
}
