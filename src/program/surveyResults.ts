/**
 * A survey's scores per group (§3), computed where the responses are: one SQL statement scores
 * every response (SUS, the NPS answer, net satisfaction; `surveyScoreSql.ts`, which a survey
 * goal's weekly values share) and sums them per group — counts, means and sample standard
 * deviations — so no response is read into JavaScript; the intervals are then
 * taken from those sums (`surveyScores.ts`). The response rate and its denominator stand beside
 * every score. Groups with fewer respondents than the organisation's suppression threshold show
 * no score, no response count and no rate to anyone — administrators included, unlike the
 * metrics' reports — and the complementary rule of `src/metrics/suppress.ts` hides the next
 * smallest groups so that no hidden group can be worked out from the organisation's figures.
 * Every group that is shown also carries its items' figures (`surveyItemResults.ts`: means with
 * t-intervals, answer counts, choice shares with Wilson intervals, free-text counts); the texts of
 * free-text answers appear only in the whole survey's result, and only when the caller asks for
 * them (the survey's owners: administrators and IT).
 */
import { invalid } from '../errors/UptakeError.ts';
import type { Store } from '../store/Store.ts';
import { ORG_GROUP_VALUE } from '../model/goal.ts';
import type { SurveyInstrument, SurveyRow } from '../model/survey.ts';
import { suppressCells, type SuppressionReason } from '../metrics/suppress.ts';
import { surveyItems, surveyOrThrow } from './surveyStore.ts';
import {
  surveyFreeTexts,
  surveyItemResults,
  surveyItemSums,
  type SurveyItemResult,
} from './surveyItemResults.ts';
import {
  readScoreSums,
  scoreOfSums,
  scoreSumsSelect,
  scoredResponsesCtes,
  type ScoreSums,
} from './surveyScoreSql.ts';
import {
  npsDifference,
  responseRate,
  susBand,
  welchFromMoments,
  type NpsScore,
  type SurveyDifference,
  type SurveyMean,
  type SusBand,
} from './surveyScores.ts';

/** How results are cut: by the respondents' department, specialty or role, or not at all. */
export const SURVEY_RESULT_BYS = ['department', 'specialty', 'role', 'org'] as const;
export type SurveyResultBy = (typeof SURVEY_RESULT_BYS)[number];

/** The group value of respondents whose roster row has none. */
export const NO_GROUP = '(none)';

/** One group's result. Every figure is null when the group is suppressed. */
export interface SurveyGroupResult {
  group: string;
  /** People of the group invited (the rate's denominator). */
  invited: number;
  responses: number | null;
  /** responses / invited (null without invitations, e.g. imported responses only). */
  response_rate: number | null;
  suppressed: SuppressionReason | null;
  /** SUS surveys: the mean of the scored responses with its t-interval and adjective band. */
  sus: (SurveyMean & { band: SusBand }) | null;
  /** NPS surveys. */
  nps: NpsScore | null;
  /** Net-satisfaction surveys: 100 × the mean respondent net, with its t-interval. */
  net: SurveyMean | null;
  /** Every item's figures in the survey's order (`surveyItemResults.ts`); null when suppressed. */
  items: SurveyItemResult[] | null;
}

export interface SurveyResults {
  survey: SurveyRow;
  by: SurveyResultBy;
  threshold: number;
  groups: SurveyGroupResult[];
  /** The whole survey (itself suppressed below the threshold). */
  total: SurveyGroupResult;
}

/** The sums the SQL returns per group. */
interface GroupSums extends ScoreSums {
  grp: string;
}

/** A response's group as SQL over `survey_responses r`. */
function groupOf(by: SurveyResultBy): string {
  // `by` is one of a closed set, so it may name a column
  return by === 'org' ? `'${ORG_GROUP_VALUE}'` : `coalesce(r.${by}, '${NO_GROUP}')`;
}

/** The SQL that scores each response of survey `$1` and sums the scores per group. */
function groupSumsSql(d: Store['dialect'], by: SurveyResultBy): string {
  return `
    WITH ${scoredResponsesCtes(d, { keys: { grp: groupOf(by) }, where: 'r.survey_id = $1' })}
    SELECT grp, ${scoreSumsSelect(d)}
    FROM scored GROUP BY grp ORDER BY grp`;
}

function scoresOf(instrument: SurveyInstrument, g: GroupSums | undefined) {
  const scores = scoreOfSums(instrument, g);
  return { ...scores, sus: scores.sus ? { ...scores.sus, band: susBand(scores.sus.mean) } : null };
}

/**
 * The results of survey `surveyId` cut by `by`, with `threshold` the organisation's
 * `suppression_threshold` (applied to everyone, administrators included: §3). `freeTexts`: put
 * the free-text answers on the whole survey's items (only for the survey's owners, administrators
 * and IT; never per group, never when the whole survey is suppressed).
 */
export async function surveyResults(
  db: Store,
  surveyId: string,
  o: { by: SurveyResultBy; threshold: number; freeTexts?: boolean },
): Promise<SurveyResults> {
  const survey = await surveyOrThrow(db, surveyId);
  const items = await surveyItems(db, surveyId);
  const read = async (by: SurveyResultBy) => {
    const sums = (
      await db.all<Record<string, unknown>>(groupSumsSql(db.dialect, by), [surveyId])
    ).map((r): GroupSums => ({ grp: String(r.grp), ...readScoreSums(r) }));
    const grp = by === 'org' ? `'${ORG_GROUP_VALUE}'` : `coalesce(${by}, '${NO_GROUP}')`;
    const invited = await db.all<{ grp: string; n: number }>(
      `SELECT ${grp} AS grp, count(*) AS n FROM survey_invitations WHERE survey_id = $1 GROUP BY 1`,
      [surveyId],
    );
    const itemSums = await surveyItemSums(db, surveyId, groupOf(by));
    return { sums, invited, itemSums };
  };
  const rows = (
    data: Awaited<ReturnType<typeof read>>,
    texts?: Map<string, string[]>,
  ): SurveyGroupResult[] => {
    const sums = new Map(data.sums.map((g) => [g.grp, g]));
    const invited = new Map(data.invited.map((g) => [String(g.grp), Number(g.n)]));
    const keys = [...new Set([...sums.keys(), ...invited.keys()])].sort();
    const hidden = suppressCells(
      keys.map((k) => ({ key: k, n: sums.get(k)?.responses ?? 0 })),
      o.threshold,
    );
    return keys.map((k) => {
      const g = sums.get(k);
      const inv = invited.get(k) ?? 0;
      const reason = hidden.get(k) ?? null;
      if (reason)
        return {
          group: k,
          invited: inv,
          responses: null,
          response_rate: null,
          suppressed: reason,
          sus: null,
          nps: null,
          net: null,
          items: null,
        };
      const responses = g?.responses ?? 0;
      return {
        group: k,
        invited: inv,
        responses,
        response_rate: responseRate(responses, inv),
        suppressed: null,
        ...scoresOf(survey.instrument, g),
        items: surveyItemResults(items, data.itemSums.get(k), texts),
      };
    });
  };
  const org = await read('org');
  // The texts are read only when they will be shown: the whole survey is not suppressed.
  const shown = rows(org)[0];
  const texts =
    o.freeTexts && shown && !shown.suppressed ? await surveyFreeTexts(db, surveyId) : undefined;
  const total = rows(org, texts)[0] ?? {
    group: ORG_GROUP_VALUE,
    invited: 0,
    responses: null,
    response_rate: null,
    suppressed: 'small' as const,
    sus: null,
    nps: null,
    net: null,
    items: null,
  };
  return {
    survey,
    by: o.by,
    threshold: o.threshold,
    groups: o.by === 'org' ? [total] : rows(await read(o.by)),
    total,
  };
}

/** One group before and after. */
export interface SurveyGroupComparison {
  group: string;
  before: SurveyGroupResult | null;
  after: SurveyGroupResult | null;
  /** after − before; null when either side is suppressed or has too few scores. */
  difference: SurveyDifference | null;
}

/**
 * Before/after of §3 (e.g. a go-live's `pre` and `post` surveys of one instrument): per group,
 * SUS and net as a difference of means with Welch's interval, NPS as the difference of the points
 * with the interval of the adjusted estimates. A group suppressed on either side shows no
 * difference.
 */
export async function surveyComparison(
  db: Store,
  beforeId: string,
  afterId: string,
  o: { by: SurveyResultBy; threshold: number },
): Promise<{
  before: SurveyResults;
  after: SurveyResults;
  groups: SurveyGroupComparison[];
  total: SurveyGroupComparison;
}> {
  const before = await surveyResults(db, beforeId, o);
  const after = await surveyResults(db, afterId, o);
  const inst = before.survey.instrument;
  if (inst !== after.survey.instrument || inst === 'custom')
    throw invalid(
      `surveys ${beforeId} (${inst}) and ${afterId} (${after.survey.instrument}): before/after compares two SUS, NPS or net-satisfaction surveys of the same instrument`,
    );
  const diff = (b: SurveyGroupResult | null, a: SurveyGroupResult | null) => {
    if (!b || !a || b.suppressed || a.suppressed) return null;
    if (inst === 'nps') return b.nps && a.nps ? npsDifference(b.nps, a.nps) : null;
    const mb = inst === 'sus' ? b.sus : b.net;
    const ma = inst === 'sus' ? a.sus : a.net;
    return mb && ma ? welchFromMoments(mb, ma) : null;
  };
  const bMap = new Map(before.groups.map((g) => [g.group, g]));
  const aMap = new Map(after.groups.map((g) => [g.group, g]));
  const keys = [...new Set([...bMap.keys(), ...aMap.keys()])].sort();
  return {
    before,
    after,
    groups: keys.map((k) => {
      const b = bMap.get(k) ?? null;
      const a = aMap.get(k) ?? null;
      return { group: k, before: b, after: a, difference: diff(b, a) };
    }),
    total: {
      group: ORG_GROUP_VALUE,
      before: before.total,
      after: after.total,
      difference: diff(before.total, after.total),
    },
  };
}
