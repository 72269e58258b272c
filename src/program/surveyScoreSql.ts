/**
 * The one SQL definition of §3's per-response scores and their sums, shared by a survey's results
 * per group (`surveyResults.ts`) and a survey goal's weekly values (`goalSurveySeries.ts`), so the
 * two cannot score a response differently:
 * - `scoredResponsesCtes`: every response of the selection with its SUS score (all ten items
 *   answered), its NPS answer and its net satisfaction (× 100), keyed by the caller's columns;
 * - `scoreSumsSelect`: counts, means and sample standard deviations over those, per key;
 * - `readScoreSums` and `scoreOfSums`: the row as numbers, and the instrument's score from it.
 */
import type { Store } from '../store/Store.ts';
import type { SurveyInstrument } from '../model/survey.ts';
import { meanFromMoments, npsScore, type NpsScore, type SurveyMean } from './surveyScores.ts';

/** The sums `scoreSumsSelect` returns for one key. */
export interface ScoreSums {
  responses: number;
  sus_n: number;
  sus_mean: number | null;
  sus_sd: number | null;
  nps_n: number;
  promoters: number;
  detractors: number;
  net_n: number;
  net_mean: number | null;
  net_sd: number | null;
}

/**
 * The CTEs `a`, `per` and `scored` (to follow `WITH`): `scored` has one row per response of
 * `survey_responses r` passing `where`, with the columns of `keys` (alias → SQL over `r`, which
 * the caller builds from closed sets or bound values) and `sus`, `nps_v`, `net`.
 */
export function scoredResponsesCtes(
  d: Store['dialect'],
  o: { keys: Record<string, string>; where: string },
): string {
  const names = Object.keys(o.keys);
  const keyList = names.map((k) => `${k}, `).join('');
  const keySelect = names.map((k) => `${o.keys[k]} AS ${k}, `).join('');
  const dbl = (e: string) => `CAST(${e} AS ${d.double})`;
  return `
    a AS (
      SELECT r.id, ${keySelect}i.position, i.type, x.value_number AS v
      FROM survey_responses r
      LEFT JOIN survey_answers x ON x.response_id = r.id
      LEFT JOIN survey_items i ON i.survey_id = r.survey_id AND i.link_id = x.link_id
      WHERE ${o.where}),
    per AS (
      SELECT id, ${keyList}
        -- SUS: all ten items answered; item k (position k − 1) gives x − 1 when odd, 5 − x when even
        CASE WHEN count(v) FILTER (WHERE type = 'likert5') = 10
          THEN 2.5 * sum(CASE WHEN position % 2 = 0 THEN v - 1 ELSE 5 - v END) FILTER (WHERE type = 'likert5')
        END AS sus,
        max(v) FILTER (WHERE type = 'scale0_10') AS nps_v,
        -- net: (answers 4–5 − answers 1–2) / items answered
        ${dbl(`count(*) FILTER (WHERE type = 'likert5' AND v >= 4)`)}
          - ${dbl(`count(*) FILTER (WHERE type = 'likert5' AND v <= 2)`)} AS net_diff,
        count(v) FILTER (WHERE type = 'likert5') AS net_items
      FROM a GROUP BY ${keyList}id),
    scored AS (
      SELECT ${keyList}sus, nps_v,
        CASE WHEN net_items > 0 THEN 100 * net_diff / net_items END AS net
      FROM per)`;
}

/** The select list of the sums over `scored`'s rows (to be grouped by the caller's keys). */
export function scoreSumsSelect(d: Store['dialect']): string {
  const dbl = (e: string) => `CAST(${e} AS ${d.double})`;
  return `count(*) AS responses,
      count(sus) AS sus_n, ${dbl('avg(sus)')} AS sus_mean, ${dbl('stddev_samp(sus)')} AS sus_sd,
      count(nps_v) AS nps_n,
      count(*) FILTER (WHERE nps_v >= 9) AS promoters,
      count(*) FILTER (WHERE nps_v <= 6) AS detractors,
      count(net) AS net_n, ${dbl('avg(net)')} AS net_mean, ${dbl('stddev_samp(net)')} AS net_sd`;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** A row of `scoreSumsSelect` as numbers (drivers return counts as bigints or strings). */
export function readScoreSums(r: Record<string, unknown>): ScoreSums {
  return {
    responses: Number(r.responses),
    sus_n: Number(r.sus_n),
    sus_mean: num(r.sus_mean),
    sus_sd: num(r.sus_sd),
    nps_n: Number(r.nps_n),
    promoters: Number(r.promoters),
    detractors: Number(r.detractors),
    net_n: Number(r.net_n),
    net_mean: num(r.net_mean),
    net_sd: num(r.net_sd),
  };
}

/**
 * The instrument's score of `g` (§3): the SUS mean, NPS, or net satisfaction (100 × the mean
 * respondent net), each with its interval; null for a custom survey or without scored responses.
 */
export function scoreOfSums(
  instrument: SurveyInstrument,
  g: ScoreSums | undefined,
): { sus: SurveyMean | null; nps: NpsScore | null; net: SurveyMean | null } {
  const none = { sus: null, nps: null, net: null };
  if (!g) return none;
  if (instrument === 'sus') return { ...none, sus: meanFromMoments(g.sus_n, g.sus_mean, g.sus_sd) };
  if (instrument === 'nps') return { ...none, nps: npsScore(g.nps_n, g.promoters, g.detractors) };
  if (instrument === 'net') return { ...none, net: meanFromMoments(g.net_n, g.net_mean, g.net_sd) };
  return none;
}
