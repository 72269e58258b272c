/**
 * `uptake surveys …`'s work (definitions in `surveysCommand.ts`): the surveys of
 * `docs/program.md` §Surveys through the functions of `src/program` — the same scores, intervals
 * and suppression as the API (`/api/surveys`). The command line runs with the store owner's rights
 * (an administrator's view; a Questionnaire imported is created by `cli:<os user>`); every view and
 * import is written to the access log. The secret of anonymous invitations and of imported
 * responses' ids is derived from the key file, as the server derives it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Bundle, Questionnaire, QuestionnaireResponse } from 'fhir/r4.js';
import { readSettings } from '../admin/orgSettings.ts';
import { keyFile, rejectsDir } from '../admin/paths.ts';
import { UptakeError } from '../errors/UptakeError.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import type { ImportReport } from '../ingest/loadStaged.ts';
import type { SurveyRow } from '../model/survey.ts';
import { importSurveyResponsesCsv } from '../program/surveyCsv.ts';
import {
  importQuestionnaire,
  importQuestionnaireResponses,
  surveyResponsesToFhir,
  surveyToQuestionnaire,
} from '../program/surveyFhir.ts';
import {
  surveyComparison,
  surveyResults,
  type SurveyGroupComparison,
  type SurveyGroupResult,
  type SurveyResultBy,
} from '../program/surveyResults.ts';
import { listSurveys, surveyItems, surveyOrThrow, surveyTargets } from '../program/surveyStore.ts';
import type { Store } from '../store/Store.ts';
import type { SurveyItemResult } from '../program/surveyItemResults.ts';
import { renderCsv, renderReport, renderTable, type OutputFormat } from './format.ts';
import { describeImport } from './importRun.ts';
import type { StoreFlags } from './options.ts';
import { CliLog, ownerActor } from './programContext.ts';
import { withStore } from './withStore.ts';

export type SurveysListFlags = StoreFlags & { format: OutputFormat };
export type SurveysShowFlags = StoreFlags & { format: 'table' | 'json' | 'fhir' };
export type SurveysResultsFlags = StoreFlags & {
  by: SurveyResultBy;
  before?: string;
  format: OutputFormat;
};
export type SurveysImportFlags = StoreFlags & { survey?: string; format?: 'csv' | 'fhir' };
export type SurveysExportFlags = StoreFlags & { output?: string };

/** The secret of anonymous invitations and imported ids (≥ 32 bytes), as the server's. */
function surveyKey(store: Store): Buffer {
  return Pseudonymizer.load(keyFile(store)).derivedKey('survey-invitees');
}

/** Invitations and responses per survey, in one query. */
async function counts(store: Store) {
  const rows = await store.all<{ id: string; invited: number; responses: number }>(
    `SELECT s.id,
       (SELECT count(*) FROM survey_invitations i WHERE i.survey_id = s.id) AS invited,
       (SELECT count(*) FROM survey_responses r WHERE r.survey_id = s.id) AS responses
     FROM surveys s`,
  );
  return new Map(
    rows.map((r) => [r.id, { invited: Number(r.invited), responses: Number(r.responses) }]),
  );
}

function target(s: SurveyRow): string {
  const groups = surveyTargets(s).map((g) => `${g.by}:${g.value}`);
  if (s.golive_tool)
    groups.push(
      `${s.phase}-go-live of ${s.golive_tool} (${s.golive_by === 'org' ? 'org' : `${s.golive_by}:${s.golive_value}`})`,
    );
  return groups.length ? groups.join(', ') : 'organisation';
}

const LIST_FIELDS = [
  'id',
  'created_at',
  'title',
  'instrument',
  'state',
  'anonymous',
  'target',
  'invited',
  'responses',
  'opened_at',
  'closed_at',
] as const;
const TABLE_FIELDS = [
  'id',
  'state',
  'instrument',
  'anonymous',
  'invited',
  'responses',
  'target',
  'title',
] as const;

/** `uptake surveys list`. */
export async function listSurveysCli(flags: SurveysListFlags): Promise<void> {
  const now = new Date();
  const rows = await withStore(flags, (store) =>
    new CliLog(store, null, now).run(
      'view',
      'surveys',
      async () => {
        const c = await counts(store);
        return (await listSurveys(store)).map((s) => ({
          ...s,
          target: target(s),
          ...(c.get(s.id) ?? { invited: 0, responses: 0 }),
        }));
      },
      (r) => `${r.length} surveys`,
    ),
  );
  const fields = flags.format === 'table' ? TABLE_FIELDS : LIST_FIELDS;
  process.stdout.write(renderReport(flags.format, { as_of: now.toISOString() }, rows, fields));
}

/** `uptake surveys show ID`. */
export async function showSurveyCli(id: string, flags: SurveysShowFlags): Promise<void> {
  const now = new Date();
  const text = await withStore(flags, (store) =>
    new CliLog(store, null, now).run('view', `surveys/${id}`, async () => {
      const s = await surveyOrThrow(store, id);
      const items = await surveyItems(store, id);
      if (flags.format === 'fhir')
        return JSON.stringify(surveyToQuestionnaire(s, items), null, 2) + '\n';
      const n = (await counts(store)).get(id) ?? { invited: 0, responses: 0 };
      if (flags.format === 'json')
        return (
          JSON.stringify(
            { survey: { ...s, target_groups: surveyTargets(s), ...n }, items },
            null,
            2,
          ) + '\n'
        );
      return (
        [
          `survey ${s.id}: ${s.title}`,
          `  ${s.instrument}${s.subject ? ` about ${s.subject}` : ''}, ${s.anonymous ? 'anonymous (no account kept)' : 'named'}; ${s.state}${s.opened_at ? ` since ${s.opened_at}` : ''}${s.closed_at ? `, closed ${s.closed_at}` : ''}`,
          `  for ${target(s)}; ${n.invited} invited, ${n.responses} responses`,
          '',
          renderTable(
            items.map((i, k) => ({
              '#': k + 1,
              link_id: i.link_id,
              type: i.type,
              text: i.text + (i.choices ? ` [${i.choices.join(' | ')}]` : ''),
            })),
            ['#', 'link_id', 'type', 'text'],
          ),
        ].join('\n') + '\n'
      );
    }),
  );
  process.stdout.write(text);
}

/** A group's score, interval and extras as one flat row. */
function flatResult(g: SurveyGroupResult | null) {
  const score = g?.sus ?? g?.net ?? null;
  return {
    invited: g?.invited ?? null,
    responses: g?.responses ?? null,
    response_rate: g?.response_rate ?? null,
    suppressed: g?.suppressed ?? null,
    score: score?.mean ?? g?.nps?.nps ?? null,
    ci_low: score?.ci95?.[0] ?? g?.nps?.ci95[0] ?? null,
    ci_high: score?.ci95?.[1] ?? g?.nps?.ci95[1] ?? null,
    n: score?.n ?? g?.nps?.n ?? null,
    band: g?.sus?.band ?? null,
    promoters: g?.nps?.promoters ?? null,
    detractors: g?.nps?.detractors ?? null,
  };
}

const RESULT_FIELDS = [
  'group',
  'invited',
  'responses',
  'response_rate',
  'score',
  'ci_low',
  'ci_high',
  'n',
  'band',
  'promoters',
  'detractors',
  'suppressed',
] as const;

function flatComparison(c: SurveyGroupComparison) {
  const b = flatResult(c.before);
  const a = flatResult(c.after);
  return {
    group: c.group,
    before: b.score,
    before_low: b.ci_low,
    before_high: b.ci_high,
    before_n: b.n,
    after: a.score,
    after_low: a.ci_low,
    after_high: a.ci_high,
    after_n: a.n,
    difference: c.difference?.estimate ?? null,
    difference_low: c.difference?.ci95[0] ?? null,
    difference_high: c.difference?.ci95[1] ?? null,
    suppressed: b.suppressed ?? a.suppressed,
  };
}

const COMPARE_FIELDS = [
  'group',
  'before',
  'before_low',
  'before_high',
  'before_n',
  'after',
  'after_low',
  'after_high',
  'after_n',
  'difference',
  'difference_low',
  'difference_high',
  'suppressed',
] as const;

const ITEM_FIELDS = [
  'group',
  'item',
  'type',
  'answered',
  'mean',
  'ci_low',
  'ci_high',
  'counts',
  'choice',
  'count',
  'share',
  'share_low',
  'share_high',
  'suppressed',
] as const;

/**
 * A group's items as flat rows: one per item (answered, the mean and its interval, and for a
 * 1–5 or 0–10 item the count per value as `value:count …`), then one per choice of a
 * single-choice item (count, share, Wilson interval). A suppressed group is one row saying so.
 */
function itemRows(g: SurveyGroupResult): Record<string, unknown>[] {
  const blank = Object.fromEntries(ITEM_FIELDS.map((f) => [f, null]));
  if (!g.items) return [{ ...blank, group: g.group, suppressed: g.suppressed }];
  return g.items.flatMap((i: SurveyItemResult) => [
    {
      ...blank,
      group: g.group,
      item: i.link_id,
      type: i.type,
      answered: i.answered,
      mean: i.mean?.mean ?? null,
      ci_low: i.mean?.ci95?.[0] ?? null,
      ci_high: i.mean?.ci95?.[1] ?? null,
      counts: i.distribution?.map((d) => `${d.value}:${d.count}`).join(' ') ?? null,
    },
    ...(i.choices ?? []).map((c) => ({
      ...blank,
      group: g.group,
      item: i.link_id,
      type: i.type,
      answered: i.answered,
      choice: c.choice,
      count: c.count,
      share: c.share,
      share_low: c.ci95?.[0] ?? null,
      share_high: c.ci95?.[1] ?? null,
    })),
  ]);
}

/** The whole survey's free-text answers (the store owner's view), per item. */
function freeTexts(total: SurveyGroupResult): { item: string; text: string }[] {
  return (total.items ?? []).flatMap((i) =>
    (i.texts ?? []).map((text) => ({ item: i.link_id, text })),
  );
}

/** `uptake surveys results ID [--before ID]`. */
export async function surveyResultsCli(id: string, flags: SurveysResultsFlags): Promise<void> {
  const now = new Date();
  const text = await withStore(flags, async (store) => {
    const threshold = (await readSettings(store)).suppression_threshold;
    const log = new CliLog(store, null, now);
    if (flags.before !== undefined) {
      const before = flags.before;
      const c = await log.run('view', `surveys/compare`, () =>
        surveyComparison(store, before, id, { by: flags.by, threshold }),
      );
      const options = {
        before: `${before} (${c.before.survey.title})`,
        after: `${id} (${c.after.survey.title})`,
        instrument: c.after.survey.instrument,
        by: flags.by,
        suppression_threshold: threshold,
        interval: '95%; after − before (SUS, net: Welch; NPS: adjusted-Wald SEs)',
      };
      const rows = [...(flags.by === 'org' ? [] : c.groups), c.total].map(flatComparison);
      return renderReport(flags.format, options, rows, COMPARE_FIELDS);
    }
    // The command line is the store owner's (an administrator's) view: free texts included.
    const r = await log.run('view', `surveys/${id}/results`, () =>
      surveyResults(store, id, { by: flags.by, threshold, freeTexts: true }),
    );
    const options = {
      survey: `${id} (${r.survey.title})`,
      instrument: r.survey.instrument,
      by: flags.by,
      suppression_threshold: threshold,
      interval: r.survey.instrument === 'nps' ? '95% adjusted Wald' : '95% t',
    };
    const groups = [...(flags.by === 'org' ? [] : r.groups), r.total];
    const rows = groups.map((g) => ({ group: g.group, ...flatResult(g) }));
    const items = groups.flatMap(itemRows);
    const texts = freeTexts(r.total);
    if (flags.format === 'json')
      return JSON.stringify({ options, rows, items, free_texts: texts }, null, 2) + '\n';
    const report = renderReport(flags.format, options, rows, RESULT_FIELDS);
    // CSV: the items and the free texts follow as further tables, each under a `#` line.
    if (flags.format === 'csv')
      return [
        report,
        '# items\n',
        renderCsv(items, ITEM_FIELDS),
        ...(texts.length ? ['# free_texts\n', renderCsv(texts, ['item', 'text'])] : []),
      ].join('');
    return [
      report,
      '\nitems (counts: answer value:respondents; choices: share with its Wilson 95% interval)\n',
      renderTable(items, ITEM_FIELDS),
      '\n',
      ...(texts.length
        ? [
            '\nfree-text answers of the whole survey (alphabetical)\n',
            ...texts.map((t) => `  ${t.item}: ${t.text.replace(/\s+/g, ' ')}\n`),
          ]
        : []),
    ].join('');
  });
  process.stdout.write(text);
}

/** The resources of a FHIR JSON file: a Bundle's entries, a list, or one resource. */
function resourcesOf(json: unknown, file: string): { resourceType?: unknown }[] {
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
  if (Array.isArray(json)) return json.filter(isObj);
  if (isObj(json) && json['resourceType'] === 'Bundle')
    return ((json as unknown as Bundle).entry ?? []).map((e) => e.resource ?? {});
  if (isObj(json) && typeof json['resourceType'] === 'string') return [json];
  throw new UptakeError(
    'INVALID_INPUT',
    `${file}: not a FHIR resource, list or Bundle (no resourceType); export one with uptake surveys export`,
  );
}

/** `uptake surveys import FILE`. */
export async function importSurveyCli(file: string, flags: SurveysImportFlags): Promise<void> {
  const format =
    flags.format ?? (/\.csv$/i.test(file) ? 'csv' : /\.(nd)?json$/i.test(file) ? 'fhir' : null);
  if (!format)
    throw new UptakeError(
      'BAD_INVOCATION',
      `${file}: give --format csv or --format fhir (the name ends neither in .csv nor .json)`,
    );
  if (format === 'csv' && flags.survey === undefined)
    throw new UptakeError(
      'BAD_INVOCATION',
      `--survey: a CSV of responses needs the survey's id (uptake surveys list)`,
    );
  const now = new Date();
  const text = await withStore(flags, async (store) => {
    const log = new CliLog(store, null, now);
    const key = surveyKey(store);
    if (format === 'csv') {
      const surveyId = flags.survey!;
      const r = await log.run(
        'upload',
        `surveys/${surveyId}/responses`,
        async () => {
          await surveyOrThrow(store, surveyId);
          return importSurveyResponsesCsv(store, {
            surveyId,
            file,
            rejectsDir: rejectsDir(store),
            key,
            now,
          });
        },
        (x) => `CSV ${file}: ${x.rows_stored} stored, ${x.rows_rejected} rejected`,
      );
      return describeImport(r as unknown as ImportReport) + '\n';
    }
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      throw new UptakeError(
        'INVALID_INPUT',
        `${file}: ${e instanceof SyntaxError ? `not JSON (${e.message})` : 'cannot be read'}; give a FHIR Questionnaire, QuestionnaireResponses or a Bundle of them`,
      );
    }
    const resources = resourcesOf(json, file);
    const questionnaires = resources.filter((r) => r.resourceType === 'Questionnaire');
    const responses = resources.filter((r) => r.resourceType !== 'Questionnaire');
    if (questionnaires.length > 1)
      throw new UptakeError(
        'INVALID_INPUT',
        `${file}: ${questionnaires.length} Questionnaires; import one at a time`,
      );
    const lines: string[] = [];
    let surveyId = flags.survey;
    if (questionnaires.length && surveyId === undefined) {
      const s = await log.run(
        'create',
        'surveys',
        () => importQuestionnaire(store, ownerActor(), questionnaires[0] as Questionnaire, { now }),
        (x) => `survey ${x.id} from FHIR ${file}`,
      );
      surveyId = s.id;
      lines.push(`${file}: created survey ${s.id} (${s.instrument}, a draft): ${s.title}`);
    }
    if (responses.length) {
      if (surveyId === undefined)
        throw new UptakeError(
          'BAD_INVOCATION',
          `--survey: ${file} has responses but no Questionnaire; name their survey (uptake surveys list)`,
        );
      const sid = surveyId;
      const r = await log.run(
        'upload',
        `surveys/${sid}/responses`,
        async () => {
          await surveyOrThrow(store, sid);
          return importQuestionnaireResponses(store, sid, responses as QuestionnaireResponse[], {
            key,
          });
        },
        (x) =>
          `FHIR ${file}: ${x.stored} stored, ${x.duplicate} duplicate, ${x.rejected.length} rejected`,
      );
      lines.push(
        `${file} → survey ${sid}: read ${responses.length}, stored ${r.stored}, already present ${r.duplicate}, rejected ${r.rejected.length}`,
        ...r.rejected.map((x) => `  resource ${x.index + 1}: ${x.reason}`),
      );
    }
    if (!lines.length) lines.push(`${file}: no Questionnaire and no responses; nothing imported`);
    return lines.join('\n') + '\n';
  });
  process.stdout.write(text);
}

/** `uptake surveys export ID`: a collection Bundle of the Questionnaire and the responses. */
export async function exportSurveyCli(id: string, flags: SurveysExportFlags): Promise<void> {
  const now = new Date();
  const text = await withStore(flags, (store) =>
    new CliLog(store, null, now).run(
      'view',
      `surveys/${id}/fhir`,
      async () => {
        const s = await surveyOrThrow(store, id);
        const q = surveyToQuestionnaire(s, await surveyItems(store, id));
        const rs = await surveyResponsesToFhir(store, id);
        const bundle: Bundle = {
          resourceType: 'Bundle',
          type: 'collection',
          timestamp: now.toISOString(),
          entry: [{ resource: q }, ...rs.map((resource) => ({ resource }))],
        };
        return JSON.stringify(bundle, null, 2) + '\n';
      },
      () => (flags.output ? `to ${flags.output}` : null),
    ),
  );
  if (flags.output) {
    await writeFile(flags.output, text);
    process.stderr.write(`wrote ${flags.output}\n`);
  } else process.stdout.write(text);
}
