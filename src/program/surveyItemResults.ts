/**
 * Per-item results of a survey (`docs/program.md` §Surveys, "Items"): for every item of every
 * survey — custom and shipped alike — how many answered it and, by type, the mean of a 1–5 or 0–10
 * item with its t-interval and the count of each answer, each choice's share with its Wilson
 * interval, or the number of free-text answers. The sums are taken in SQL, one row per group ×
 * item × answer value (never one per response); JavaScript only puts the intervals on them with
 * the formulas the scores already use (`meanFromMoments`, `wilsonInterval`). Suppression is the
 * caller's (`surveyResults.ts`): a suppressed group gets no items at all.
 */
import type { Store } from '../store/Store.ts';
import type { SurveyItem, SurveyItemType } from '../model/survey.ts';
import { meanFromMoments, type SurveyMean } from './surveyScores.ts';
import { wilsonInterval } from './wilson.ts';

/** How many gave one answer value of a 1–5 or 0–10 item. */
export interface SurveyValueCount {
  value: number;
  count: number;
}

/** One choice of a `single_choice` item: its count and share of those who answered, with Wilson's 95% interval. */
export interface SurveyChoiceShare {
  choice: string;
  count: number;
  /** count / answered; null when nobody answered the item. */
  share: number | null;
  ci95: [number, number] | null;
}

/** One item's figures in one group. Fields that do not fit the item's type are null. */
export interface SurveyItemResult {
  link_id: string;
  type: SurveyItemType;
  text: string;
  /** Respondents of the group who answered the item. */
  answered: number;
  /** `likert5`, `scale0_10`: the mean answer with its 95% t-interval (null when none answered). */
  mean: SurveyMean | null;
  /** `likert5`, `scale0_10`: the count of every value of the scale, zeros included, in order. */
  distribution: SurveyValueCount[] | null;
  /** `single_choice`: every choice in the item's order, zeros included. */
  choices: SurveyChoiceShare[] | null;
  /**
   * `free_text`: the answers, alphabetically — only in the whole survey's result, for the survey's
   * owners (administrators and IT), and only when that result is not suppressed; null otherwise.
   */
  texts: string[] | null;
}

/** The sums of one group × item: the moments and the count per answer value or choice. */
export interface ItemSums {
  answered: number;
  mean: number | null;
  sd: number | null;
  values: Map<number, number>;
  choices: Map<string, number>;
}

/**
 * The SQL summing survey `$1`'s answers per group (`grp`, an SQL expression over the response
 * `r`) × item × answer: the moments repeat on each value row of their item, so one statement
 * gives both. Free-text answers are counted but their texts are not read here.
 */
function itemSumsSql(d: Store['dialect'], grp: string): string {
  const dbl = (e: string) => `CAST(${e} AS ${d.double})`;
  return `
    WITH a AS (
      SELECT ${grp} AS grp, x.link_id, x.value_number AS v,
        CASE WHEN i.type = 'single_choice' THEN x.value_text END AS choice
      FROM survey_responses r
      JOIN survey_answers x ON x.response_id = r.id
      JOIN survey_items i ON i.survey_id = r.survey_id AND i.link_id = x.link_id
      WHERE r.survey_id = $1),
    m AS (
      SELECT grp, link_id, count(*) AS answered,
        ${dbl('avg(v)')} AS mean, ${dbl('stddev_samp(v)')} AS sd
      FROM a GROUP BY grp, link_id),
    c AS (
      SELECT grp, link_id, v, choice, count(*) AS n
      FROM a WHERE v IS NOT NULL OR choice IS NOT NULL
      GROUP BY grp, link_id, v, choice)
    SELECT m.grp, m.link_id, m.answered, m.mean, m.sd, ${dbl('c.v')} AS v, c.choice, c.n
    FROM m LEFT JOIN c ON c.grp = m.grp AND c.link_id = m.link_id`;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * The item sums of survey `surveyId` per group, keyed by group and then by linkId. `grp` is the
 * group's SQL expression over `survey_responses r` (the same one the scores group by).
 */
export async function surveyItemSums(
  db: Store,
  surveyId: string,
  grp: string,
): Promise<Map<string, Map<string, ItemSums>>> {
  const rows = await db.all<Record<string, unknown>>(itemSumsSql(db.dialect, grp), [surveyId]);
  const out = new Map<string, Map<string, ItemSums>>();
  for (const r of rows) {
    const g = String(r.grp);
    const byItem = out.get(g) ?? new Map<string, ItemSums>();
    out.set(g, byItem);
    const id = String(r.link_id);
    let s = byItem.get(id);
    if (!s) {
      s = {
        answered: Number(r.answered),
        mean: num(r.mean),
        sd: num(r.sd),
        values: new Map(),
        choices: new Map(),
      };
      byItem.set(id, s);
    }
    const n = Number(r.n);
    if (r.choice !== null && r.choice !== undefined) s.choices.set(String(r.choice), n);
    else if (r.v !== null && r.v !== undefined) s.values.set(Number(r.v), n);
  }
  return out;
}

/** Alphabetical, the same on both engines (their collations differ), ties in code-unit order. */
const collator = new Intl.Collator('en', { sensitivity: 'variant' });
const alphabetical = (a: string, b: string) =>
  collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

/**
 * The free-text answers of survey `surveyId` per linkId, alphabetically: the order tells nothing
 * of who answered when. Only for the whole survey's result shown to its owners (the caller
 * decides).
 */
export async function surveyFreeTexts(db: Store, surveyId: string): Promise<Map<string, string[]>> {
  const rows = await db.all<{ link_id: string; t: string }>(
    `SELECT x.link_id, x.value_text AS t
     FROM survey_answers x
     JOIN survey_responses r ON r.id = x.response_id
     JOIN survey_items i ON i.survey_id = r.survey_id AND i.link_id = x.link_id
     WHERE r.survey_id = $1 AND i.type = 'free_text' AND x.value_text IS NOT NULL`,
    [surveyId],
  );
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.link_id, [...(out.get(r.link_id) ?? []), String(r.t)]);
  for (const list of out.values()) list.sort(alphabetical);
  return out;
}

/** The values of a scale item, in order. */
function scaleOf(type: SurveyItemType): number[] {
  if (type === 'likert5') return [1, 2, 3, 4, 5];
  return Array.from({ length: 11 }, (_, k) => k);
}

/**
 * One group's item results from its sums (`sums` undefined: nobody of the group answered any
 * item), in the survey's item order. `texts` gives the free-text answers to put on (the whole
 * survey's result for its owners only); without it `texts` stays null.
 */
export function surveyItemResults(
  items: readonly SurveyItem[],
  sums: Map<string, ItemSums> | undefined,
  texts?: Map<string, string[]>,
): SurveyItemResult[] {
  return items.map((item) => {
    const s = sums?.get(item.link_id);
    const answered = s?.answered ?? 0;
    const scale = item.type === 'likert5' || item.type === 'scale0_10';
    return {
      link_id: item.link_id,
      type: item.type,
      text: item.text,
      answered,
      mean: scale ? meanFromMoments(answered, s?.mean ?? null, s?.sd ?? null) : null,
      distribution: scale
        ? scaleOf(item.type).map((value) => ({ value, count: s?.values.get(value) ?? 0 }))
        : null,
      choices:
        item.type === 'single_choice'
          ? (item.choices ?? []).map((choice) => {
              const count = s?.choices.get(choice) ?? 0;
              const w = wilsonInterval(count, answered);
              return { choice, count, share: w?.share ?? null, ci95: w?.ci95 ?? null };
            })
          : null,
      texts: item.type === 'free_text' && texts ? (texts.get(item.link_id) ?? []) : null,
    };
  });
}
