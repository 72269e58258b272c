/**
 * Follow-ups a physician writes for a visit (engagement.md §3): written from one of the author's
 * recent visits, delivered to the EHR's FHIR server when one is configured (`deliver`) and always
 * by a signed, expiring link to Uptake's patient page, and tracked through `patient_events`
 * (`view_followup`, `acknowledge_followup` with the follow-up's `resource_id`) — whether the portal's
 * audit log or Uptake's page recorded them.
 *
 * Each follow-up also writes a `releases` row (kind `followup`, the visit's appointment as
 * `encounter_id`), so the §2 measures count it like an imported one; a patient's question writes a
 * `messages` row to the author, and the author's answer one back (`in_reply_to` the question), so
 * reply times count them too. Every id that names a patient's record is a pseudonym (`pseudonym`).
 *
 * The tables are local to the coordinator on Citus, the patient-side tables distributed: nothing
 * here joins the two (status is read by `resource_id` and merged here).
 */
import { randomBytes } from 'node:crypto';
import { UptakeError } from '../errors/UptakeError.ts';
import {
  BUILTIN_TEMPLATES,
  FOLLOWUP_LIMITS,
  followupItemSchema,
  type Followup,
  type FollowupDraft,
  type FollowupItem,
  type FollowupQuestion,
  type FollowupTemplate,
  type FollowupTemplateDraft,
  type PatientFollowup,
  type Visit,
} from '../model/followup.ts';
import { readingGrade } from '../model/readingGrade.ts';
import type { PatientAction } from '../model/patientSide.ts';
import { fromDb, isoFromUs } from '../program/rows.ts';
import type { Sql, Store } from '../store/Store.ts';
import { followupLinkPath, followupLinkToken } from './followupLink.ts';

/** What a follow-up's FHIR delivery needs from Uptake, and what it answers. */
export interface FhirWrite {
  appointmentId: string;
  patientPseudonym: string;
  title: string;
  text: string;
  items: FollowupItem[];
  sentAt: string;
  author: { id: string; name: string | null };
}

/** What writing and reading follow-ups needs besides the store. */
export interface FollowupDeps {
  /** Uptake's keyed pseudonyms (`Pseudonymizer.pseudonym`). */
  pseudonym(type: 'patient' | 'resource' | 'message', raw: string): string;
  /** The secret of patient links (≥ 32 bytes). */
  linkKey: Uint8Array;
  /** How many days a new link stays valid. */
  linkDays: number;
  /**
   * Write the follow-up to the FHIR server (null: none configured): the Communication's
   * reference (`Communication/<id>`), as the portal's audit log will name what the patient read.
   */
  deliver: ((f: FhirWrite) => Promise<{ communication: string }>) | null;
}

const ARRAY_ITEMS = followupItemSchema.array();

interface Row {
  id: string;
  author: string;
  written_by: string;
  appointment_id: string;
  visit_start: string;
  visit_type: string;
  patient_id: string;
  resource_id: string;
  written_at: string;
  title: string;
  text: string;
  items: string;
  template: string | null;
  reading_grade: number | null;
  delivered_at: string | null;
  fhir_state: 'off' | 'delivered' | 'failed';
  fhir_detail: string | null;
  link_expires_at: string;
}

const INSTANTS = new Set(['visit_start', 'written_at', 'delivered_at', 'link_expires_at']);

function columns(db: Pick<Store, 'dialect'>): string {
  const d = db.dialect;
  return [
    'id',
    'author',
    'written_by',
    'appointment_id',
    `${d.epochUs('visit_start')} AS visit_start`,
    'visit_type',
    'patient_id',
    'resource_id',
    `${d.epochUs('written_at')} AS written_at`,
    'title',
    'text',
    'items',
    'template',
    'reading_grade',
    `${d.epochUs('delivered_at')} AS delivered_at`,
    'fhir_state',
    'fhir_detail',
    `${d.epochUs('link_expires_at')} AS link_expires_at`,
  ].join(', ');
}

async function rowsWhere(db: Store, where: string, params: string[]): Promise<Row[]> {
  const rows = await db.all<Record<string, unknown>>(
    `SELECT ${columns(db)} FROM followups WHERE ${where} ORDER BY written_at DESC, id DESC`,
    params,
  );
  return rows.map((r) => fromDb(r, { instants: INSTANTS }) as unknown as Row);
}

/** The first instant of each action on each of `resourceIds` (of their own patients). */
async function firstActions(
  db: Store,
  rows: readonly Row[],
): Promise<Map<string, Partial<Record<PatientAction, string>>>> {
  const out = new Map<string, Partial<Record<PatientAction, string>>>();
  if (rows.length === 0) return out;
  // Chunks keep the parameter list short; events of the same resource id for another patient (ids
  // of two sources colliding) are left out.
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const found = await db.all<{
      resource_id: string;
      patient_id: string;
      action: PatientAction;
      first: unknown;
    }>(
      `SELECT resource_id, patient_id, action, ${db.dialect.epochUs('min(occurred_at)')} AS first
       FROM patient_events
       WHERE action IN ('view_followup', 'acknowledge_followup')
         AND resource_id IN (${chunk.map((_, j) => `$${j + 1}`).join(', ')})
       GROUP BY resource_id, patient_id, action`,
      chunk.map((r) => r.resource_id),
    );
    const patientOf = new Map(chunk.map((r) => [r.resource_id, r.patient_id]));
    for (const f of found) {
      if (patientOf.get(f.resource_id) !== f.patient_id) continue;
      const m = out.get(f.resource_id) ?? {};
      m[f.action] = isoFromUs(f.first)!;
      out.set(f.resource_id, m);
    }
  }
  return out;
}

async function questionsOf(
  db: Store,
  ids: readonly string[],
): Promise<Map<string, FollowupQuestion[]>> {
  const out = new Map<string, FollowupQuestion[]>();
  if (ids.length === 0) return out;
  const d = db.dialect;
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await db.all<Record<string, unknown>>(
      `SELECT id, followup_id, ${d.epochUs('asked_at')} AS asked_at, text, answer,
         ${d.epochUs('answered_at')} AS answered_at
       FROM followup_questions WHERE followup_id IN (${chunk.map((_, j) => `$${j + 1}`).join(', ')})
       ORDER BY asked_at, id`,
      chunk,
    );
    for (const r of rows) {
      const q = fromDb(r, { instants: new Set(['asked_at', 'answered_at']) });
      const list = out.get(String(q['followup_id'])) ?? [];
      list.push({
        id: String(q['id']),
        asked_at: String(q['asked_at']),
        text: String(q['text']),
        answer: (q['answer'] as string | null) ?? null,
        answered_at: (q['answered_at'] as string | null) ?? null,
      });
      out.set(String(q['followup_id']), list);
    }
  }
  return out;
}

/** Rows as their author sees them: with the chain's instants, questions and live link. */
async function asFollowups(
  db: Store,
  deps: Pick<FollowupDeps, 'linkKey'>,
  rows: Row[],
  now: Date,
): Promise<Followup[]> {
  const [acts, questions] = await Promise.all([
    firstActions(db, rows),
    questionsOf(
      db,
      rows.map((r) => r.id),
    ),
  ]);
  return rows.map((r) => {
    const a = acts.get(r.resource_id) ?? {};
    const read = a.view_followup ?? null;
    // Acknowledging implies reading (a portal may log only the acknowledgement).
    const ack = a.acknowledge_followup ?? null;
    const readAt = read && ack ? (read < ack ? read : ack) : (read ?? ack);
    const expires = new Date(r.link_expires_at);
    return {
      id: r.id,
      author: r.author,
      appointment_id: r.appointment_id,
      visit_start: r.visit_start,
      visit_type: r.visit_type,
      title: r.title,
      text: r.text,
      items: ARRAY_ITEMS.parse(JSON.parse(r.items)),
      template: r.template,
      reading_grade: r.reading_grade === null ? null : Number(r.reading_grade),
      written_at: r.written_at,
      // A patient who opened it had it delivered, whatever the FHIR write said.
      delivered_at: r.delivered_at ?? readAt,
      read_at: readAt,
      acknowledged_at: ack,
      fhir: { state: r.fhir_state, detail: r.fhir_detail },
      link:
        expires.getTime() > now.getTime()
          ? followupLinkPath(followupLinkToken(deps.linkKey, r.id, expires))
          : null,
      link_expires_at: r.link_expires_at,
      questions: questions.get(r.id) ?? [],
    };
  });
}

/** Why a FHIR delivery failed, as kept on the follow-up (its author reads it). */
function deliveryFailure(e: unknown): string {
  return (e instanceof UptakeError ? e.message : 'the FHIR server could not be written to').slice(
    0,
    500,
  );
}

/**
 * The author's visits of the last `FOLLOWUP_LIMITS.visit_days` days that have begun (a follow-up
 * comes after a visit), cancelled and no-show ones left out, newest first, with how many
 * follow-ups each has. No patient identifier: the visit is its start and type.
 */
export async function recentVisits(db: Store, clinicianId: string, now: Date): Promise<Visit[]> {
  const d = db.dialect;
  const since = new Date(now.getTime() - FOLLOWUP_LIMITS.visit_days * 86_400_000);
  const rows = await db.all<Record<string, unknown>>(
    `SELECT appointment_id, ${d.epochUs('start_at')} AS start, ${d.epochUs('end_at')} AS "end",
       visit_type, status
     FROM schedule
     WHERE user_id = $1 AND kind = 'appointment' AND patient_id IS NOT NULL
       AND status NOT IN ('cancelled', 'no_show')
       AND start_at >= CAST($2 AS TIMESTAMPTZ) AND start_at <= CAST($3 AS TIMESTAMPTZ)
     ORDER BY start_at DESC, appointment_id LIMIT 500`,
    [clinicianId, since.toISOString(), now.toISOString()],
  );
  const counts = new Map(
    (
      await db.all<{ appointment_id: string; n: number }>(
        `SELECT appointment_id, count(*) AS n FROM followups
         WHERE author = $1 AND visit_start >= CAST($2 AS TIMESTAMPTZ)
         GROUP BY appointment_id`,
        [clinicianId, since.toISOString()],
      )
    ).map((r) => [r.appointment_id, Number(r.n)]),
  );
  return rows.map((r) => {
    const v = fromDb(r, { instants: new Set(['start', 'end']) });
    const id = String(v['appointment_id']);
    return {
      appointment_id: id,
      start: String(v['start']),
      end: String(v['end']),
      visit_type: String(v['visit_type']),
      status: String(v['status']),
      followups: counts.get(id) ?? 0,
    };
  });
}

/**
 * Write a follow-up for one of the author's visits and deliver it. The visit must be the author's
 * (NOT_FOUND otherwise: another clinician's visits cannot be probed) and have a patient. With a
 * FHIR server, the write is tried first; a failure is kept on the follow-up (`fhir.state failed`,
 * its reason) and can be retried (`redeliverFollowup`) while the link works regardless.
 */
export async function writeFollowup(
  db: Store,
  deps: FollowupDeps,
  who: { clinicianId: string; username: string; name: string | null },
  draft: FollowupDraft,
  now = new Date(),
): Promise<Followup> {
  const d = db.dialect;
  const [visit] = await db.all<Record<string, unknown>>(
    `SELECT appointment_id, patient_id, ${d.epochUs('start_at')} AS start_at, visit_type, status
     FROM schedule WHERE user_id = $1 AND appointment_id = $2 AND kind = 'appointment'
     ORDER BY start_at DESC LIMIT 1`,
    [who.clinicianId, draft.appointment_id],
  );
  if (!visit)
    throw new UptakeError(
      'NOT_FOUND',
      `body appointment_id: ${draft.appointment_id} is not one of your visits`,
    );
  if (visit['patient_id'] === null)
    throw new UptakeError(
      'INVALID_INPUT',
      `body appointment_id: visit ${draft.appointment_id} has no patient in the schedule; a follow-up needs one`,
    );
  const patient = String(visit['patient_id']);
  const start = isoFromUs(visit['start_at'])!;
  const id = `fu-${randomBytes(16).toString('hex')}`;
  let resource = deps.pseudonym('resource', `Followup/${id}`);
  let fhirState: Row['fhir_state'] = 'off';
  let fhirDetail: string | null = null;
  let deliveredAt: string | null = null;
  if (deps.deliver) {
    try {
      const r = await deps.deliver({
        appointmentId: draft.appointment_id,
        patientPseudonym: patient,
        title: draft.title,
        text: draft.text,
        items: draft.items,
        sentAt: now.toISOString(),
        author: { id: who.clinicianId, name: who.name },
      });
      resource = deps.pseudonym('resource', r.communication);
      fhirState = 'delivered';
      deliveredAt = now.toISOString();
    } catch (e) {
      fhirState = 'failed';
      fhirDetail = deliveryFailure(e);
    }
  }
  const expires = new Date(now.getTime() + deps.linkDays * 86_400_000);
  const grade = readingGrade(draft.text).grade;
  await db.transaction(async (tx) => {
    await tx.run(
      `INSERT INTO followups (id, author, written_by, appointment_id, visit_start, visit_type,
         patient_id, resource_id, written_at, title, text, items, template, reading_grade,
         delivered_at, fhir_state, fhir_detail, link_expires_at)
       VALUES ($1, $2, $3, $4, CAST($5 AS TIMESTAMPTZ), $6, $7, $8, CAST($9 AS TIMESTAMPTZ), $10,
         $11, $12, $13, $14, CAST($15 AS TIMESTAMPTZ), $16, $17, CAST($18 AS TIMESTAMPTZ))`,
      [
        id,
        who.clinicianId,
        who.username,
        draft.appointment_id,
        start,
        String(visit['visit_type']),
        patient,
        resource,
        now.toISOString(),
        draft.title,
        draft.text,
        JSON.stringify(draft.items),
        draft.template ?? null,
        grade,
        deliveredAt,
        fhirState,
        fhirDetail,
        expires.toISOString(),
      ],
    );
    await tx.run(
      `INSERT INTO releases (resource_id, patient_id, kind, available_at, clinician_id, encounter_id, import_id)
       VALUES ($1, $2, 'followup', CAST($3 AS TIMESTAMPTZ), $4, $5, NULL)`,
      [resource, patient, now.toISOString(), who.clinicianId, draft.appointment_id],
    );
  });
  return (await getFollowup(db, deps, id, now))!;
}

/** One follow-up as its author sees it (null: none with that id). */
export async function getFollowup(
  db: Store,
  deps: Pick<FollowupDeps, 'linkKey'>,
  id: string,
  now = new Date(),
): Promise<Followup | null> {
  const rows = await rowsWhere(db, 'id = $1', [id]);
  return (await asFollowups(db, deps, rows, now))[0] ?? null;
}

/** The author's follow-ups, newest first (at most 200). */
export async function myFollowups(
  db: Store,
  deps: Pick<FollowupDeps, 'linkKey'>,
  clinicianId: string,
  now = new Date(),
): Promise<Followup[]> {
  const rows = (await rowsWhere(db, 'author = $1', [clinicianId])).slice(0, 200);
  return asFollowups(db, deps, rows, now);
}

/**
 * Every follow-up written on the local dates `from` (inclusive) to `to` (exclusive) of
 * `timezone`, newest first (2000 at most): for administrators.
 */
export async function allFollowups(
  db: Store,
  deps: Pick<FollowupDeps, 'linkKey'>,
  range: { from: string; to: string; timezone: string },
  now = new Date(),
): Promise<Followup[]> {
  const local = `CAST(written_at AT TIME ZONE $3 AS DATE)`;
  const rows = await rowsWhere(db, `${local} >= CAST($1 AS DATE) AND ${local} < CAST($2 AS DATE)`, [
    range.from,
    range.to,
    range.timezone,
  ]);
  return asFollowups(db, deps, rows.slice(0, 2000), now);
}

/** The author's own follow-up `id`; anyone else's is NOT_FOUND (ids cannot be probed). */
async function ownRow(db: Store, clinicianId: string, id: string): Promise<Row> {
  const [r] = await rowsWhere(db, 'id = $1 AND author = $2', [id, clinicianId]);
  if (!r) throw new UptakeError('NOT_FOUND', `follow-up ${id}: none of yours`);
  return r;
}

/**
 * Try the FHIR write again for a follow-up whose delivery failed. On success the follow-up's
 * `resource_id` becomes the Communication's (in `releases` and in the events Uptake's page
 * recorded for it), so the portal's audit log and Uptake's page name the same thing.
 */
export async function redeliverFollowup(
  db: Store,
  deps: FollowupDeps,
  clinicianId: string,
  id: string,
  now = new Date(),
): Promise<Followup> {
  const r = await ownRow(db, clinicianId, id);
  if (!deps.deliver)
    throw new UptakeError(
      'CONFLICT',
      'no FHIR server is configured (setting followups.fhir_base_url); the link is the delivery',
    );
  if (r.fhir_state === 'delivered')
    throw new UptakeError('CONFLICT', `follow-up ${id} was already delivered`);
  let resource: string;
  try {
    const out = await deps.deliver({
      appointmentId: r.appointment_id,
      patientPseudonym: r.patient_id,
      title: r.title,
      text: r.text,
      items: ARRAY_ITEMS.parse(JSON.parse(r.items)),
      sentAt: now.toISOString(),
      author: { id: r.author, name: null },
    });
    resource = deps.pseudonym('resource', out.communication);
  } catch (e) {
    const detail = deliveryFailure(e);
    await db.run(`UPDATE followups SET fhir_state = 'failed', fhir_detail = $2 WHERE id = $1`, [
      id,
      detail,
    ]);
    throw e;
  }
  await db.transaction(async (tx) => {
    await tx.run(
      `UPDATE followups SET fhir_state = 'delivered', fhir_detail = NULL, resource_id = $2,
         delivered_at = CAST($3 AS TIMESTAMPTZ) WHERE id = $1`,
      [id, resource, now.toISOString()],
    );
    await tx.run(
      `UPDATE releases SET resource_id = $2 WHERE resource_id = $1 AND patient_id = $3 AND kind = 'followup'`,
      [r.resource_id, resource, r.patient_id],
    );
    await tx.run(
      `UPDATE patient_events SET resource_id = $2
       WHERE resource_id = $1 AND patient_id = $3 AND source = 'uptake'`,
      [r.resource_id, resource, r.patient_id],
    );
  });
  return (await getFollowup(db, deps, id, now))!;
}

// --- the patient's side: by link only ------------------------------------------------------------

/** Record one action of the patient on follow-up `r` as a `patient_events` row (source `uptake`). */
async function recordEvent(tx: Sql, r: Row, action: PatientAction, now: Date): Promise<void> {
  await tx.run(
    `INSERT INTO patient_events (event_id, source, occurred_at, patient_id, action, clinician_id,
       encounter_id, resource_id, channel, actor, import_id)
     VALUES ($1, 'uptake', CAST($2 AS TIMESTAMPTZ), $3, $4, $5, $6, $7, 'link', 'patient', NULL)`,
    [
      `uptake-${randomBytes(12).toString('hex')}`,
      now.toISOString(),
      r.patient_id,
      action,
      r.author,
      r.appointment_id,
      r.resource_id,
    ],
  );
}

async function linkedRow(db: Store, id: string): Promise<Row> {
  const [r] = await rowsWhere(db, 'id = $1', [id]);
  // A valid MAC for a follow-up that is gone (its author's data removed): same answer as a bad link.
  if (!r)
    throw new UptakeError('NOT_FOUND', 'this link is not valid; check that it was copied whole');
  return r;
}

async function patientView(db: Store, r: Row, timezone: string): Promise<PatientFollowup> {
  const [who] = await db.all<{ name: string | null }>(
    `SELECT name FROM clinicians WHERE user_id = $1`,
    [r.author],
  );
  const acts = (await firstActions(db, [r])).get(r.resource_id) ?? {};
  const questions = (await questionsOf(db, [r.id])).get(r.id) ?? [];
  return {
    title: r.title,
    text: r.text,
    items: ARRAY_ITEMS.parse(JSON.parse(r.items)),
    clinician: who?.name ?? null,
    visit_date: new Intl.DateTimeFormat('en-CA', { timeZone: timezone }).format(
      new Date(r.visit_start),
    ),
    acknowledged: acts.acknowledge_followup !== undefined,
    questions: questions.map(({ id: _id, ...q }) => q),
    expires_at: r.link_expires_at,
  };
}

/**
 * The patient opens the link (`view_followup`) or acknowledges (`acknowledge_followup`; again is
 * harmless: the first counts): the event, and what they see.
 */
export async function patientAction(
  db: Store,
  id: string,
  action: 'view_followup' | 'acknowledge_followup',
  timezone: string,
  now = new Date(),
): Promise<PatientFollowup> {
  const r = await linkedRow(db, id);
  await recordEvent(db, r, action, now);
  return patientView(db, r, timezone);
}

/** At most this many unanswered questions per follow-up: a link is not a chat channel. */
export const OPEN_QUESTIONS_MAX = 3;

/**
 * "I have a question": stored with the follow-up for its author, and a `messages` row from the
 * patient to the author (a pseudonymous message id), so reply times count it.
 */
export async function askQuestion(
  db: Store,
  deps: Pick<FollowupDeps, 'pseudonym'>,
  id: string,
  text: string,
  timezone: string,
  now = new Date(),
): Promise<PatientFollowup> {
  const r = await linkedRow(db, id);
  const [open] = await db.all<{ n: number }>(
    `SELECT count(*) AS n FROM followup_questions WHERE followup_id = $1 AND answer IS NULL`,
    [id],
  );
  if (Number(open?.n ?? 0) >= OPEN_QUESTIONS_MAX)
    throw new UptakeError(
      'CONFLICT',
      `you have ${OPEN_QUESTIONS_MAX} questions waiting for an answer; please call the clinic if it is urgent`,
    );
  const qid = `fq-${randomBytes(12).toString('hex')}`;
  await db.transaction(async (tx) => {
    await tx.run(
      `INSERT INTO followup_questions (id, followup_id, asked_at, text, message_id, answer, answered_at)
       VALUES ($1, $2, CAST($3 AS TIMESTAMPTZ), $4, $5, NULL, NULL)`,
      [qid, id, now.toISOString(), text, deps.pseudonym('message', `uptake-question/${qid}`)],
    );
    await tx.run(
      `INSERT INTO messages (message_id, sent_at, patient_id, clinician_id, direction, in_reply_to, encounter_id, import_id)
       VALUES ($1, CAST($2 AS TIMESTAMPTZ), $3, $4, 'to_clinician', NULL, $5, NULL)`,
      [
        deps.pseudonym('message', `uptake-question/${qid}`),
        now.toISOString(),
        r.patient_id,
        r.author,
        r.appointment_id,
      ],
    );
  });
  return patientView(db, r, timezone);
}

/** The author answers a question on their follow-up; the patient reads it on the same page. */
export async function answerQuestion(
  db: Store,
  deps: Pick<FollowupDeps, 'pseudonym' | 'linkKey'>,
  clinicianId: string,
  followupId: string,
  questionId: string,
  text: string,
  now = new Date(),
): Promise<Followup> {
  const r = await ownRow(db, clinicianId, followupId);
  const [q] = await db.all<{ message_id: string; answer: string | null }>(
    `SELECT message_id, answer FROM followup_questions WHERE id = $1 AND followup_id = $2`,
    [questionId, followupId],
  );
  if (!q)
    throw new UptakeError('NOT_FOUND', `question ${questionId}: not on follow-up ${followupId}`);
  if (q.answer !== null)
    throw new UptakeError('CONFLICT', `question ${questionId} was already answered`);
  await db.transaction(async (tx) => {
    await tx.run(
      `UPDATE followup_questions SET answer = $2, answered_at = CAST($3 AS TIMESTAMPTZ) WHERE id = $1`,
      [questionId, text, now.toISOString()],
    );
    await tx.run(
      `INSERT INTO messages (message_id, sent_at, patient_id, clinician_id, direction, in_reply_to, encounter_id, import_id)
       VALUES ($1, CAST($2 AS TIMESTAMPTZ), $3, $4, 'to_patient', $5, $6, NULL)`,
      [
        deps.pseudonym('message', `uptake-answer/${questionId}`),
        now.toISOString(),
        r.patient_id,
        r.author,
        q.message_id,
        r.appointment_id,
      ],
    );
  });
  return (await getFollowup(db, deps, followupId, now))!;
}

// --- templates -----------------------------------------------------------------------------------

/** Uptake's templates, then the account's own (by name). */
export async function listTemplates(db: Store, owner: string): Promise<FollowupTemplate[]> {
  const rows = await db.all<{
    id: string;
    name: string;
    title: string;
    text: string;
    items: string;
  }>(
    `SELECT id, name, title, text, items FROM followup_templates WHERE owner = $1 ORDER BY name, id`,
    [owner],
  );
  return [
    ...BUILTIN_TEMPLATES,
    ...rows.map((r) => ({
      id: r.id,
      name: r.name,
      title: r.title,
      text: r.text,
      items: (JSON.parse(r.items) as { kind: FollowupItem['kind']; text: string }[]).map((i) => ({
        kind: i.kind,
        text: i.text,
        due: null,
      })),
      builtin: false,
    })),
  ];
}

/** Save a template of the account's own (at most `FOLLOWUP_LIMITS.templates`; names unique). */
export async function saveTemplate(
  db: Store,
  owner: string,
  t: FollowupTemplateDraft,
  now = new Date(),
): Promise<FollowupTemplate> {
  const own = await db.all<{ name: string }>(
    `SELECT name FROM followup_templates WHERE owner = $1`,
    [owner],
  );
  if (own.some((o) => o.name.toLowerCase() === t.name.toLowerCase()))
    throw new UptakeError('CONFLICT', `body name: you already have a template named ${t.name}`);
  if (own.length >= FOLLOWUP_LIMITS.templates)
    throw new UptakeError(
      'CONFLICT',
      `you have ${own.length} templates, the most one may keep; delete one first`,
    );
  const id = `ft-${randomBytes(8).toString('hex')}`;
  await db.run(
    `INSERT INTO followup_templates (id, owner, name, title, text, items, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, CAST($7 AS TIMESTAMPTZ))`,
    [id, owner, t.name, t.title, t.text, JSON.stringify(t.items), now.toISOString()],
  );
  return {
    id,
    name: t.name,
    title: t.title,
    text: t.text,
    items: t.items.map((i) => ({ ...i, due: null })),
    builtin: false,
  };
}

/** Delete one of the account's own templates (Uptake's cannot be; another's is NOT_FOUND). */
export async function deleteTemplate(db: Store, owner: string, id: string): Promise<void> {
  const n = await db.exec(`DELETE FROM followup_templates WHERE id = $1 AND owner = $2`, [
    id,
    owner,
  ]);
  if (n === 0) throw new UptakeError('NOT_FOUND', `template ${id}: none of yours`);
}
