/**
 * Surveys as FHIR R4 `Questionnaire` and responses as `QuestionnaireResponse` (§3), both ways.
 * Checked against the R4 types of `@types/fhir` at compile time (a type-only import).
 *
 * Mapping:
 * - `Questionnaire.identifier` (system `urn:uptake:survey`) is the survey id; `code` (system
 *   `urn:uptake:survey-instrument`) the instrument; `status` draft / active / retired for
 *   draft / open / closed; the subject NPS asks about and the anonymous flag are extensions.
 * - Items: `likert5` and `scale0_10` are `integer` items with the `minValue` / `maxValue`
 *   extensions of HL7 (1–5, 0–10); `single_choice` is `choice` with `answerOption.valueString`;
 *   `free_text` is `text`.
 * - A response: `authored` (an anonymous survey's: its day), `item[].answer[].valueInteger` or
 *   `valueString`; the account of a named survey's respondent as `source.identifier` (system
 *   `urn:uptake:account`); an anonymous response names nobody. Its groups (department, specialty,
 *   role) travel as extensions so scores per group survive a round trip.
 * - Imported responses are stored under a keyed hash of their `id` (`external_key`), so importing
 *   the same resources again stores nothing twice; each resource that cannot be taken is returned
 *   with its position and the reason, and the others are stored.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type {
  Extension,
  Questionnaire,
  QuestionnaireItem,
  QuestionnaireResponse,
  QuestionnaireResponseItem,
} from 'fhir/r4.js';
import { invalid } from '../errors/UptakeError.ts';
import type { SqlValue, Store } from '../store/Store.ts';
import {
  SURVEY_INSTRUMENTS,
  type SurveyCreate,
  type SurveyInstrument,
  type SurveyItem,
  type SurveyRow,
  type SurveyState,
} from '../model/survey.ts';
import type { ProgramActor } from './actor.ts';
import { answerReason, createSurvey, surveyItems, surveyOrThrow } from './surveyStore.ts';
import { isoFromUs, placeholders } from './rows.ts';

const BATCH = 500;
const DAY_MS = 86_400_000;

export const SURVEY_SYSTEM = 'urn:uptake:survey';
export const INSTRUMENT_SYSTEM = 'urn:uptake:survey-instrument';
export const ACCOUNT_SYSTEM = 'urn:uptake:account';
const EXT = {
  subject: 'urn:uptake:survey-subject',
  anonymous: 'urn:uptake:survey-anonymous',
  group: (k: string) => `urn:uptake:respondent-${k}`,
  min: 'http://hl7.org/fhir/StructureDefinition/minValue',
  max: 'http://hl7.org/fhir/StructureDefinition/maxValue',
};
const STATUS: Record<SurveyState, Questionnaire['status']> = {
  draft: 'draft',
  open: 'active',
  closed: 'retired',
};
const GROUP_KEYS = ['department', 'specialty', 'role'] as const;

const ext = z
  .object({
    url: z.string(),
    valueString: z.string().optional(),
    valueInteger: z.number().int().optional(),
    valueBoolean: z.boolean().optional(),
  })
  .passthrough();
/** The parts of a Questionnaire the importer reads: a malformed one is refused naming the field. */
const questionnaireShape = z
  .object({
    resourceType: z.literal('Questionnaire'),
    title: z.string().optional(),
    name: z.string().optional(),
    code: z
      .array(z.object({ system: z.string().optional(), code: z.string().optional() }).passthrough())
      .optional(),
    extension: z.array(ext).optional(),
    item: z
      .array(
        z
          .object({
            linkId: z.string(),
            type: z.string(),
            text: z.string().optional(),
            extension: z.array(ext).optional(),
            answerOption: z
              .array(
                z
                  .object({
                    valueString: z.string().optional(),
                    valueCoding: z
                      .object({ display: z.string().optional() })
                      .passthrough()
                      .optional(),
                  })
                  .passthrough(),
              )
              .optional(),
          })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();
/** The parts of a QuestionnaireResponse the importer reads: one that fails is rejected alone. */
const responseShape = z
  .object({
    resourceType: z.literal('QuestionnaireResponse'),
    id: z.string().optional(),
    authored: z.string().optional(),
    extension: z.array(ext).optional(),
    item: z
      .array(
        z
          .object({
            linkId: z.string(),
            answer: z
              .array(
                z
                  .object({
                    valueInteger: z.number().int().optional(),
                    valueString: z.string().optional(),
                    valueCoding: z
                      .object({ display: z.string().optional() })
                      .passthrough()
                      .optional(),
                  })
                  .passthrough(),
              )
              .optional(),
          })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();

/** Where the shape of a resource first fails, as `field: message`. */
function shapeIssue(e: z.ZodError): string {
  const i = e.issues[0];
  return `${i?.path.join('.') || 'resource'}: ${i?.message ?? 'invalid'}`;
}

/** A survey and its items as a FHIR R4 Questionnaire. */
export function surveyToQuestionnaire(s: SurveyRow, items: readonly SurveyItem[]): Questionnaire {
  const extension: Extension[] = [{ url: EXT.anonymous, valueBoolean: s.anonymous }];
  if (s.subject !== null) extension.push({ url: EXT.subject, valueString: s.subject });
  return {
    resourceType: 'Questionnaire',
    id: s.id,
    identifier: [{ system: SURVEY_SYSTEM, value: s.id }],
    title: s.title,
    status: STATUS[s.state],
    date: s.created_at,
    code: [{ system: INSTRUMENT_SYSTEM, code: s.instrument }],
    extension,
    item: items.map(itemToFhir),
  };
}

function itemToFhir(i: SurveyItem): QuestionnaireItem {
  switch (i.type) {
    case 'likert5':
    case 'scale0_10':
      return {
        linkId: i.link_id,
        text: i.text,
        type: 'integer',
        extension: [
          { url: EXT.min, valueInteger: i.type === 'likert5' ? 1 : 0 },
          { url: EXT.max, valueInteger: i.type === 'likert5' ? 5 : 10 },
        ],
      };
    case 'single_choice':
      return {
        linkId: i.link_id,
        text: i.text,
        type: 'choice',
        answerOption: i.choices!.map((c) => ({ valueString: c })),
      };
    case 'free_text':
      return { linkId: i.link_id, text: i.text, type: 'text' };
  }
}

function itemFromFhir(q: QuestionnaireItem, at: string): SurveyItem {
  const ext = (url: string) => q.extension?.find((e) => e.url === url)?.valueInteger;
  if (q.type === 'integer') {
    const lo = ext(EXT.min);
    const hi = ext(EXT.max);
    if (lo === 1 && hi === 5)
      return { link_id: q.linkId, type: 'likert5', text: q.text ?? q.linkId };
    if (lo === 0 && hi === 10)
      return { link_id: q.linkId, type: 'scale0_10', text: q.text ?? q.linkId };
    throw invalid(
      `${at}: an integer item needs the minValue/maxValue extensions 1–5 (likert5) or 0–10 (scale0_10)`,
    );
  }
  if (q.type === 'choice') {
    const choices = (q.answerOption ?? []).map((o) => o.valueString ?? o.valueCoding?.display);
    if (choices.some((c) => c === undefined))
      throw invalid(`${at}: a choice item needs answerOption.valueString (or valueCoding.display)`);
    return {
      link_id: q.linkId,
      type: 'single_choice',
      text: q.text ?? q.linkId,
      choices: choices as string[],
    };
  }
  if (q.type === 'text' || q.type === 'string')
    return { link_id: q.linkId, type: 'free_text', text: q.text ?? q.linkId };
  throw invalid(
    `${at}: item type ${q.type} is not one Uptake asks (integer, choice, text, string)`,
  );
}

/**
 * Create a survey (a draft) from a Questionnaire. A shipped instrument (its `code`) brings its own
 * items; any other Questionnaire is a custom survey of its items.
 */
export async function importQuestionnaire(
  db: Store,
  actor: ProgramActor,
  q: Questionnaire,
  o: { now?: Date } = {},
): Promise<SurveyRow> {
  if (q.resourceType !== 'Questionnaire') throw invalid('resourceType: not a Questionnaire');
  // Resources come from files and other systems: their shape is checked before it is read.
  const shape = questionnaireShape.safeParse(q);
  if (!shape.success) throw invalid(shapeIssue(shape.error));
  const code = q.code?.find((c) => c.system === INSTRUMENT_SYSTEM)?.code;
  const instrument: SurveyInstrument =
    code && (SURVEY_INSTRUMENTS as readonly string[]).includes(code)
      ? (code as SurveyInstrument)
      : 'custom';
  const subject = q.extension?.find((e) => e.url === EXT.subject)?.valueString;
  const input: SurveyCreate = {
    title: q.title ?? q.name ?? 'Imported questionnaire',
    instrument,
    anonymous: q.extension?.find((e) => e.url === EXT.anonymous)?.valueBoolean ?? true,
    ...(subject !== undefined ? { subject } : {}),
    ...(instrument === 'custom'
      ? { items: (q.item ?? []).map((it, i) => itemFromFhir(it, `item[${i}]`)) }
      : {}),
  };
  return createSurvey(db, actor, input, o);
}

/** The stored answers and groups of a survey's responses as QuestionnaireResponses. */
export async function surveyResponsesToFhir(
  db: Store,
  surveyId: string,
): Promise<QuestionnaireResponse[]> {
  const s = await surveyOrThrow(db, surveyId);
  const responses = await db.all<Record<string, unknown>>(
    `SELECT id, ${db.dialect.epochUs('submitted_at')} AS at, respondent, department, specialty, role
     FROM survey_responses WHERE survey_id = $1 ORDER BY id`,
    [surveyId],
  );
  const answers = await db.all<{
    response_id: string;
    link_id: string;
    value_number: number | null;
    value_text: string | null;
  }>(
    `SELECT x.response_id, x.link_id, x.value_number, x.value_text
     FROM survey_answers x JOIN survey_responses r ON r.id = x.response_id
     LEFT JOIN survey_items i ON i.survey_id = r.survey_id AND i.link_id = x.link_id
     WHERE r.survey_id = $1 ORDER BY x.response_id, i.position`,
    [surveyId],
  );
  const byResponse = new Map<string, QuestionnaireResponseItem[]>();
  for (const a of answers) {
    const list = byResponse.get(a.response_id) ?? [];
    list.push({
      linkId: a.link_id,
      answer: [
        a.value_number !== null
          ? { valueInteger: Number(a.value_number) }
          : { valueString: a.value_text ?? '' },
      ],
    });
    byResponse.set(a.response_id, list);
  }
  return responses.map((r) => {
    const extension: Extension[] = GROUP_KEYS.filter((k) => r[k] !== null).map((k) => ({
      url: EXT.group(k),
      valueString: String(r[k]),
    }));
    const id = String(r.id);
    return {
      resourceType: 'QuestionnaireResponse',
      id,
      questionnaire: `Questionnaire/${s.id}`,
      status: 'completed',
      authored: isoFromUs(r.at)!,
      ...(r.respondent !== null && !s.anonymous
        ? { source: { identifier: { system: ACCOUNT_SYSTEM, value: String(r.respondent) } } }
        : {}),
      ...(extension.length ? { extension } : {}),
      item: byResponse.get(id) ?? [],
    };
  });
}

/** What an import of QuestionnaireResponses did. */
export interface FhirResponseImport {
  stored: number;
  /** Already stored by an earlier import (same `id`). */
  duplicate: number;
  /** Resources not taken: their position in the list and why (never a value). */
  rejected: { index: number; reason: string }[];
}

/**
 * Store QuestionnaireResponses as responses of survey `surveyId` (source `fhir`): each needs an
 * `id` (its identity for re-imports), `authored`, and answers to items of the survey of their
 * type. A named survey's respondent account is not taken from another system's resources (it
 * could name anyone); the groups are. Anonymous surveys' responses keep only their day.
 */
export async function importQuestionnaireResponses(
  db: Store,
  surveyId: string,
  resources: readonly QuestionnaireResponse[],
  o: { key: Uint8Array },
): Promise<FhirResponseImport> {
  const s = await surveyOrThrow(db, surveyId);
  const items = new Map((await surveyItems(db, surveyId)).map((i) => [i.link_id, i]));
  const out: FhirResponseImport = { stored: 0, duplicate: 0, rejected: [] };
  // Checked and keyed in memory (the resources are parsed already); stored in batches: one query
  // for the keys already stored and one INSERT per table per batch, never a statement per resource.
  const good = new Map<string, QuestionnaireResponse>();
  for (const [index, r] of resources.entries()) {
    const reason = responseReason(r, items);
    if (reason) out.rejected.push({ index, reason });
    else {
      const key = externalKey(o.key, surveyId, r.id!);
      if (good.has(key)) out.duplicate++;
      else good.set(key, r);
    }
  }
  const group = (r: QuestionnaireResponse, k: string) =>
    r.extension?.find((e) => e.url === EXT.group(k))?.valueString ?? null;
  await db.transaction(async (tx) => {
    const keys = [...good.keys()];
    for (let b = 0; b < keys.length; b += BATCH) {
      const batch = keys.slice(b, b + BATCH);
      const stored = new Set(
        (
          await tx.all<{ external_key: string }>(
            `SELECT external_key FROM survey_responses WHERE survey_id = $1 AND external_key IN (${placeholders(batch.length, 2)})`,
            [surveyId, ...batch],
          )
        ).map((x) => x.external_key),
      );
      const fresh = batch.filter((k) => !stored.has(k));
      out.duplicate += batch.length - fresh.length;
      if (!fresh.length) continue;
      const rows: SqlValue[][] = fresh.map((k) => {
        const r = good.get(k)!;
        const t = Date.parse(r.authored!);
        // an anonymous survey keeps the day only
        const at = s.anonymous ? Math.floor(t / DAY_MS) * DAY_MS : t;
        return [
          `f-${k.slice(0, 24)}`,
          new Date(at).toISOString(),
          group(r, 'department'),
          group(r, 'specialty'),
          group(r, 'role'),
          k,
        ];
      });
      await tx.run(
        `INSERT INTO survey_responses (id, survey_id, submitted_at, respondent, department, specialty, role, source, external_key, import_id)
         VALUES ${rows.map((_, j) => `($${6 * j + 2}, $1, CAST($${6 * j + 3} AS TIMESTAMPTZ), NULL, $${6 * j + 4}, $${6 * j + 5}, $${6 * j + 6}, 'fhir', $${6 * j + 7}, NULL)`).join(', ')}`,
        [surveyId, ...rows.flat()],
      );
      const answers: SqlValue[][] = fresh.flatMap((k) =>
        (good.get(k)!.item ?? []).map((it) => {
          const a = it.answer![0]!;
          return a.valueInteger !== undefined
            ? [`f-${k.slice(0, 24)}`, it.linkId, a.valueInteger, null]
            : [
                `f-${k.slice(0, 24)}`,
                it.linkId,
                null,
                a.valueString ?? a.valueCoding?.display ?? null,
              ];
        }),
      );
      for (let c = 0; c < answers.length; c += BATCH) {
        const chunk = answers.slice(c, c + BATCH);
        await tx.run(
          `INSERT INTO survey_answers (response_id, link_id, value_number, value_text)
           VALUES ${chunk.map((_, j) => `($${4 * j + 1}, $${4 * j + 2}, $${4 * j + 3}, $${4 * j + 4})`).join(', ')}`,
          chunk.flat(),
        );
      }
      out.stored += fresh.length;
    }
  });
  return out;
}

/** The keyed hash an imported response is stored under (its source id is never stored). */
export function externalKey(key: Uint8Array, surveyId: string, id: string): string {
  if (key.length < 32) throw new RangeError('externalKey: the key must have at least 32 bytes');
  return createHmac('sha256', key)
    .update(`uptake-survey-response\u0000${surveyId}\u0000${id}`)
    .digest('hex');
}

function responseReason(r: QuestionnaireResponse, items: Map<string, SurveyItem>): string | null {
  if (r.resourceType !== 'QuestionnaireResponse')
    return 'resourceType: not a QuestionnaireResponse';
  const shape = responseShape.safeParse(r);
  if (!shape.success) return shapeIssue(shape.error);
  if (!r.id) return 'id: missing; each response needs its id so a re-import stores nothing twice';
  if (!r.authored || Number.isNaN(Date.parse(r.authored)))
    return 'authored: missing or not an instant; give when the response was written';
  const seen = new Set<string>();
  for (const [i, it] of (r.item ?? []).entries()) {
    const item = items.get(it.linkId);
    if (!item) return `item[${i}].linkId: the survey has no such item`;
    if (seen.has(it.linkId)) return `item[${i}].linkId: answered twice`;
    seen.add(it.linkId);
    const a = it.answer?.[0];
    if (!a || (it.answer?.length ?? 0) > 1) return `item[${i}].answer: give exactly one answer`;
    const v = a.valueInteger ?? a.valueString ?? a.valueCoding?.display;
    if (v === undefined) return `item[${i}].answer: valueInteger or valueString expected`;
    const why = answerReason(item, v);
    if (why) return `item[${i}] (${it.linkId}) ${why}`;
  }
  return null;
}
