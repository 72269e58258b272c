/**
 * Surveys in the store (tables of migration 13): create, open and close a survey; invite its
 * target group under the contact budget of §3; record a response or a dismissal; the one survey a
 * clinician may answer now. Who may do what is checked here (`ProgramActor`), so the API and the
 * CLI get the same answers. Scores are in `surveyResults.ts`, exchange in `surveyFhir.ts` and
 * `surveyCsv.ts`.
 *
 * Anonymous surveys keep no account anywhere: an invitation's `invitee` is the keyed hash of
 * (survey, account) (`surveyInviteeToken`; the key is kept outside the database, as the goal
 * votes' is), a response keeps the respondent's department, specialty and role at response time
 * and its day, never the account or the instant. The contact budget (`survey_contacts`) keeps
 * when each person was last asked, naming no survey.
 */
import { createHmac } from 'node:crypto';
import { UptakeError, invalid } from '../errors/UptakeError.ts';
import type { Sql, SqlValue, Store } from '../store/Store.ts';
import {
  MAX_DISMISSALS,
  surveyCreateSchema,
  surveyInvitationRowSchema,
  surveyItemRowSchema,
  surveyRowSchema,
  type SurveyAnswers,
  type SurveyCreate,
  type SurveyGroupTarget,
  type SurveyItem,
  type SurveyItemRow,
  type SurveyRow,
} from '../model/survey.ts';
import type { ProgramActor } from './actor.ts';
import { instrumentItems } from './surveyInstruments.ts';
import { fromDb, insertSql, newId, placeholders, selectList } from './rows.ts';

const COLUMNS = Object.keys(surveyRowSchema.shape);
const TYPES = {
  instants: new Set(['created_at', 'opened_at', 'closed_at']),
  booleans: new Set(['anonymous']),
};
const ITEM_COLUMNS = Object.keys(surveyItemRowSchema.shape);
const INVITATION_TYPES = { instants: new Set(['invited_at']) };
const DAY_MS = 86_400_000;

/** Administrators and IT create, open and close surveys (issue #14). */
export function mayManageSurveys(a: Pick<ProgramActor, 'role'>): boolean {
  return a.role === 'admin' || a.role === 'it';
}

function requireManager(a: ProgramActor, what: string): void {
  if (!mayManageSurveys(a))
    throw new UptakeError('FORBIDDEN', `only administrators and IT ${what} surveys`);
}

/**
 * The stored `invitee` of one person's invitation to an anonymous survey: HMAC-SHA-256 under a
 * secret kept outside the database, over the survey and the account. The server can find the
 * person's own invitation (to show it, to refuse a second answer); a copy of the database cannot
 * tell who was invited, and one person's invitations to two surveys cannot be linked.
 */
export function surveyInviteeToken(key: Uint8Array, surveyId: string, username: string): string {
  if (key.length < 32)
    throw new RangeError('surveyInviteeToken: the key must have at least 32 bytes');
  return createHmac('sha256', key)
    .update(`uptake-survey-invitee\u0000${surveyId}\u0000${username}`)
    .digest('hex');
}

/** What an invitation of `survey` stores for `username`. */
function inviteeOf(survey: SurveyRow, username: string, key: Uint8Array | undefined): string {
  if (!survey.anonymous) return username;
  if (!key)
    throw new RangeError(`survey ${survey.id} is anonymous: its invitations need the secret key`);
  return surveyInviteeToken(key, survey.id, username);
}

function parse(r: Record<string, unknown>): SurveyRow {
  return surveyRowSchema.parse(fromDb(r, TYPES));
}

/** One survey, or null. */
export async function getSurvey(db: Store, id: string): Promise<SurveyRow | null> {
  const [r] = await db.all<Record<string, unknown>>(
    `SELECT ${selectList(db.dialect, COLUMNS, TYPES)} FROM surveys WHERE id = $1`,
    [id],
  );
  return r ? parse(r) : null;
}

/** One survey, or NOT_FOUND naming it. */
export async function surveyOrThrow(db: Store, id: string): Promise<SurveyRow> {
  const s = await getSurvey(db, id);
  if (!s)
    throw new UptakeError('NOT_FOUND', `survey ${id}: no such survey; see uptake surveys list`);
  return s;
}

/** Every survey, newest first. */
export async function listSurveys(db: Store): Promise<SurveyRow[]> {
  const rows = await db.all<Record<string, unknown>>(
    `SELECT ${selectList(db.dialect, COLUMNS, TYPES)} FROM surveys ORDER BY created_at DESC, id DESC`,
  );
  return rows.map(parse);
}

/** A survey's items in order, as the model's items. */
export async function surveyItems(db: Sql, surveyId: string): Promise<SurveyItem[]> {
  const rows = await db.all<SurveyItemRow>(
    `SELECT ${ITEM_COLUMNS.join(', ')} FROM survey_items WHERE survey_id = $1 ORDER BY position`,
    [surveyId],
  );
  return rows.map((r) => ({
    link_id: r.link_id,
    type: r.type,
    text: r.text,
    ...(r.choices !== null ? { choices: JSON.parse(r.choices) as string[] } : {}),
  }));
}

/** The groups a survey targets (its `target_groups` column). */
export function surveyTargets(s: SurveyRow): SurveyGroupTarget[] {
  return JSON.parse(s.target_groups) as SurveyGroupTarget[];
}

/**
 * Create a survey as a draft (administrators and IT). A shipped instrument brings its items; a
 * go-live named must exist. `id` may be given (an imported FHIR Questionnaire keeps its own).
 */
export async function createSurvey(
  db: Store,
  actor: ProgramActor,
  input: SurveyCreate,
  o: { now?: Date; id?: string } = {},
): Promise<SurveyRow> {
  requireManager(actor, 'create');
  const p = surveyCreateSchema.safeParse(input);
  if (!p.success) {
    const issue = p.error.issues[0];
    throw invalid(`survey: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`);
  }
  const s = p.data;
  const now = o.now ?? new Date();
  if (s.golive) {
    // `org`: around the tool's go-live across its groups (a roll-out to several departments),
    // which needs at least one go-live of the tool; the target groups then say who is asked.
    const whole = s.golive.group_by === 'org';
    const [g] = await db.all(
      whole
        ? `SELECT 1 AS x FROM golives WHERE tool = $1`
        : `SELECT 1 AS x FROM golives WHERE tool = $1 AND group_by = $2 AND group_value = $3`,
      whole ? [s.golive.tool] : [s.golive.tool, s.golive.group_by, s.golive.group_value],
    );
    if (!g)
      throw invalid(
        whole
          ? `golive: ${s.golive.tool} has no go-live; see uptake tool list`
          : `golive: no go-live of ${s.golive.tool} for ${s.golive.group_by} "${s.golive.group_value}"; see uptake tool list`,
      );
  }
  const items = instrumentItems(s.instrument, s.subject ?? null) ?? s.items!;
  const row: SurveyRow = {
    id: o.id ?? newId(now),
    created_at: now.toISOString(),
    created_by: actor.username,
    title: s.title,
    instrument: s.instrument,
    subject: s.subject ?? null,
    target_groups: JSON.stringify(s.target_groups ?? []),
    golive_tool: s.golive?.tool ?? null,
    golive_by: s.golive?.group_by ?? null,
    golive_value: s.golive?.group_value ?? null,
    phase: s.golive?.phase ?? null,
    anonymous: s.anonymous,
    state: 'draft',
    opened_at: null,
    closed_at: null,
  };
  await db.transaction(async (tx) => {
    if (o.id) {
      const [dup] = await tx.all(`SELECT 1 AS x FROM surveys WHERE id = $1`, [o.id]);
      if (dup) throw new UptakeError('CONFLICT', `survey ${o.id} exists already`);
    }
    const ins = insertSql('surveys', row, TYPES);
    await tx.run(ins.sql, ins.params);
    for (const [position, it] of items.entries()) {
      const i = insertSql(
        'survey_items',
        {
          survey_id: row.id,
          position,
          link_id: it.link_id,
          type: it.type,
          text: it.text,
          choices: it.choices ? JSON.stringify(it.choices) : null,
        },
        { instants: new Set() },
      );
      await tx.run(i.sql, i.params);
    }
  });
  return row;
}

/** Open a draft (invitations may then be sent and answers given). */
export async function openSurvey(
  db: Store,
  actor: ProgramActor,
  id: string,
  o: { now?: Date } = {},
): Promise<SurveyRow> {
  requireManager(actor, 'open');
  const s = await surveyOrThrow(db, id);
  if (s.state !== 'draft')
    throw new UptakeError('CONFLICT', `survey ${id} is ${s.state}; only a draft can be opened`);
  await db.run(
    `UPDATE surveys SET state = 'open', opened_at = CAST($2 AS TIMESTAMPTZ) WHERE id = $1`,
    [id, (o.now ?? new Date()).toISOString()],
  );
  return surveyOrThrow(db, id);
}

/** Close an open survey: no more invitations or answers; results stay. */
export async function closeSurvey(
  db: Store,
  actor: ProgramActor,
  id: string,
  o: { now?: Date } = {},
): Promise<SurveyRow> {
  requireManager(actor, 'close');
  const s = await surveyOrThrow(db, id);
  if (s.state !== 'open')
    throw new UptakeError(
      'CONFLICT',
      `survey ${id} is ${s.state}; only an open survey can be closed`,
    );
  await db.run(
    `UPDATE surveys SET state = 'closed', closed_at = CAST($2 AS TIMESTAMPTZ) WHERE id = $1`,
    [id, (o.now ?? new Date()).toISOString()],
  );
  return surveyOrThrow(db, id);
}

/** The SQL condition (over roster alias `c`) of a survey's target population, with its params. */
function targetCondition(s: SurveyRow, first: number): { sql: string; params: SqlValue[] } {
  const params: SqlValue[] = [];
  const parts: string[] = [];
  const groups = surveyTargets(s);
  if (groups.length) {
    // kinds are the model's closed set (department, specialty, role): safe to name as columns
    parts.push(
      `(${groups
        .map((g) => {
          params.push(g.value);
          return `c.${g.by} = $${first + params.length - 1}`;
        })
        .join(' OR ')})`,
    );
  }
  if (s.golive_by && s.golive_by !== 'org') {
    params.push(s.golive_value);
    parts.push(`c.${s.golive_by} = $${first + params.length - 1}`);
  }
  return { sql: parts.length ? parts.join(' AND ') : 'TRUE', params };
}

/** What an invitation round did. */
export interface InvitationRound {
  /** People asked for the first time. */
  invited: number;
  /** People asked again after dismissing it once. */
  reinvited: number;
  /** Target people not asked because of the contact budget (asked within `survey_min_days`). */
  within_budget: number;
  /** Target people never asked again: they dismissed it twice. */
  dismissed_twice: number;
}

/**
 * Invite the survey's target population (clinician and champion accounts linked to a roster
 * clinician of its groups — both the target groups and the go-live's group when it names both —,
 * else the whole organisation) under the contact budget of §3: nobody invited to any survey less
 * than `minDays` days ago (`survey_min_days`; at exactly `minDays` days they may be asked again);
 * nobody who has answered it, has it waiting, or dismissed it twice. Someone who dismissed it
 * once is asked again. The work is over accounts, not events: one query for the candidates and
 * their last contact, one for the survey's invitations.
 */
export async function inviteToSurvey(
  db: Store,
  actor: ProgramActor,
  surveyId: string,
  o: { minDays: number; key?: Uint8Array; now?: Date },
): Promise<InvitationRound> {
  requireManager(actor, 'invite to');
  const now = o.now ?? new Date();
  const s = await surveyOrThrow(db, surveyId);
  return db.transaction(async (tx) => {
    if (s.state !== 'open')
      throw new UptakeError(
        'CONFLICT',
        `survey ${surveyId} is ${s.state}; open it before inviting`,
      );
    const cond = targetCondition(s, 1);
    const candidates = await tx.all<{
      username: string;
      department: string | null;
      specialty: string | null;
      role: string | null;
      last_us: number | null;
    }>(
      `SELECT u.username, c.department, c.specialty, c.role,
         ${db.dialect.epochUs('k.last_invited_at')} AS last_us
       FROM users u JOIN clinicians c ON c.user_id = u.clinician_id
       LEFT JOIN survey_contacts k ON k.username = u.username
       WHERE u.role IN ('clinician', 'champion') AND ${cond.sql}
       ORDER BY u.username`,
      cond.params,
    );
    const existing = new Map(
      (
        await tx.all<{ invitee: string; state: string; dismissed: number }>(
          `SELECT invitee, state, dismissed FROM survey_invitations WHERE survey_id = $1`,
          [surveyId],
        )
      ).map((r) => [r.invitee, r]),
    );
    const round: InvitationRound = {
      invited: 0,
      reinvited: 0,
      within_budget: 0,
      dismissed_twice: 0,
    };
    const fresh: SqlValue[][] = [];
    const again: string[] = [];
    const contacted: string[] = [];
    const earliest = now.getTime() - o.minDays * DAY_MS;
    for (const c of candidates) {
      const invitee = inviteeOf(s, c.username, o.key);
      const inv = existing.get(invitee);
      if (inv && (inv.state === 'answered' || inv.state === 'invited')) continue;
      if (inv && Number(inv.dismissed) >= MAX_DISMISSALS) {
        round.dismissed_twice++;
        continue;
      }
      if (c.last_us !== null && Number(c.last_us) / 1000 > earliest) {
        round.within_budget++;
        continue;
      }
      contacted.push(c.username);
      if (inv) {
        again.push(invitee);
        round.reinvited++;
      } else {
        fresh.push([surveyId, invitee, now.toISOString(), c.department, c.specialty, c.role]);
        round.invited++;
      }
    }
    for (let i = 0; i < fresh.length; i += 200) {
      const batch = fresh.slice(i, i + 200);
      await tx.run(
        `INSERT INTO survey_invitations (survey_id, invitee, invited_at, state, dismissed, department, specialty, role)
         VALUES ${batch.map((_, j) => `($${6 * j + 1}, $${6 * j + 2}, CAST($${6 * j + 3} AS TIMESTAMPTZ), 'invited', 0, $${6 * j + 4}, $${6 * j + 5}, $${6 * j + 6})`).join(', ')}`,
        batch.flat(),
      );
    }
    for (let i = 0; i < again.length; i += 200) {
      const batch = again.slice(i, i + 200);
      await tx.run(
        `UPDATE survey_invitations SET state = 'invited', invited_at = CAST($2 AS TIMESTAMPTZ)
         WHERE survey_id = $1 AND invitee IN (${placeholders(batch.length, 3)})`,
        [surveyId, now.toISOString(), ...batch],
      );
    }
    for (let i = 0; i < contacted.length; i += 200) {
      const batch = contacted.slice(i, i + 200);
      await tx.run(
        `DELETE FROM survey_contacts WHERE username IN (${placeholders(batch.length)})`,
        batch,
      );
      await tx.run(
        `INSERT INTO survey_contacts (username, last_invited_at)
         VALUES ${batch.map((_, j) => `($${j + 2}, CAST($1 AS TIMESTAMPTZ))`).join(', ')}`,
        [now.toISOString(), ...batch],
      );
    }
    return round;
  });
}

/** A survey waiting for a clinician, with its items. */
export interface SurveyToAnswer {
  survey: SurveyRow;
  items: SurveyItem[];
  invited_at: string;
}

/**
 * The one survey the actor may answer now (§3: one at a time): of the open surveys whose
 * invitation waits for them (not answered, not dismissed), the one they were invited to first.
 * Null when none.
 */
export async function surveyForMe(
  db: Store,
  actor: ProgramActor,
  o: { key?: Uint8Array } = {},
): Promise<SurveyToAnswer | null> {
  const open = await db.all<{ id: string; anonymous: unknown }>(
    `SELECT id, anonymous FROM surveys WHERE state = 'open'`,
  );
  if (!open.length) return null;
  // One (survey, invitee) pair per open survey: the invitee is the account or its token.
  const pairs = open.map((s) => [
    s.id,
    s.anonymous ? surveyInviteeToken(keyOf(o.key, s.id), s.id, actor.username) : actor.username,
  ]);
  const [first] = await db.all<{ survey_id: string; at: number }>(
    `SELECT survey_id, ${db.dialect.epochUs('invited_at')} AS at FROM survey_invitations
     WHERE state = 'invited' AND (${pairs.map((_, i) => `(survey_id = $${2 * i + 1} AND invitee = $${2 * i + 2})`).join(' OR ')})
     ORDER BY invited_at, survey_id LIMIT 1`,
    pairs.flat(),
  );
  if (!first) return null;
  return {
    survey: await surveyOrThrow(db, first.survey_id),
    items: await surveyItems(db, first.survey_id),
    invited_at: new Date(Math.round(Number(first.at) / 1000)).toISOString(),
  };
}

function keyOf(key: Uint8Array | undefined, surveyId: string): Uint8Array {
  if (!key)
    throw new RangeError(`survey ${surveyId} is anonymous: its invitations need the secret key`);
  return key;
}

/** The actor's invitation to an open survey, or a user error saying why there is none. */
async function myInvitation(
  tx: Sql,
  s: SurveyRow,
  actor: ProgramActor,
  key: Uint8Array | undefined,
): Promise<string> {
  if (s.state !== 'open')
    throw new UptakeError('CONFLICT', `survey ${s.id} is ${s.state}; it takes no answers now`);
  const invitee = inviteeOf(s, actor.username, key);
  const [inv] = await tx.all<{ state: string }>(
    `SELECT state FROM survey_invitations WHERE survey_id = $1 AND invitee = $2`,
    [s.id, invitee],
  );
  // Not invited and unknown ids answer alike, so ids cannot be probed.
  if (!inv) throw new UptakeError('NOT_FOUND', `survey ${s.id}: no such survey waiting for you`);
  if (inv.state === 'answered')
    throw new UptakeError('CONFLICT', `survey ${s.id}: you have answered it already`);
  return invitee;
}

/**
 * Record the actor's answers to a survey they were invited to (§3). Each answer must be for an
 * item of the survey and of its type (1–5, 0–10, one of the choices, text); items may be left
 * out. A named survey keeps the account; an anonymous one only the respondent's department,
 * specialty and role now, and the day. One response per person: a second is refused.
 */
export async function respondToSurvey(
  db: Store,
  actor: ProgramActor,
  surveyId: string,
  input: SurveyAnswers,
  o: { key?: Uint8Array; now?: Date } = {},
): Promise<{ response_id: string }> {
  const now = o.now ?? new Date();
  const s = await surveyOrThrow(db, surveyId);
  const items = await surveyItems(db, surveyId);
  const answers = checkAnswers(items, input.answers);
  if (!answers.length)
    throw invalid('answers: none given; answer at least one item, or dismiss the survey');
  return db.transaction(async (tx) => {
    const invitee = await myInvitation(tx, s, actor, o.key);
    const id = newId(now);
    const at = s.anonymous ? new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS) : now;
    const r = insertSql(
      'survey_responses',
      {
        id: s.anonymous ? `r-${newId(at)}` : id,
        survey_id: surveyId,
        submitted_at: at.toISOString(),
        respondent: s.anonymous ? null : actor.username,
        department: actor.clinician?.department ?? null,
        specialty: actor.clinician?.specialty ?? null,
        role: actor.clinician?.role ?? null,
        source: 'app',
        external_key: null,
        import_id: null,
      },
      { instants: new Set(['submitted_at']) },
    );
    await tx.run(r.sql, r.params);
    const responseId = r.params[0] as string;
    await insertAnswers(tx, responseId, answers);
    // The invitation keeps no time of answering (the response keeps only its day when anonymous).
    await tx.run(
      `UPDATE survey_invitations SET state = 'answered' WHERE survey_id = $1 AND invitee = $2`,
      [surveyId, invitee],
    );
    return { response_id: responseId };
  });
}

/** Hide a waiting survey from the actor; after the second dismissal it is never asked again. */
export async function dismissSurvey(
  db: Store,
  actor: ProgramActor,
  surveyId: string,
  o: { key?: Uint8Array } = {},
): Promise<{ dismissed: number }> {
  const s = await surveyOrThrow(db, surveyId);
  return db.transaction(async (tx) => {
    const invitee = await myInvitation(tx, s, actor, o.key);
    await tx.run(
      `UPDATE survey_invitations SET state = 'dismissed', dismissed = dismissed + 1
       WHERE survey_id = $1 AND invitee = $2 AND state = 'invited'`,
      [surveyId, invitee],
    );
    const [r] = await tx.all<{ dismissed: number }>(
      `SELECT dismissed FROM survey_invitations WHERE survey_id = $1 AND invitee = $2`,
      [surveyId, invitee],
    );
    return { dismissed: Number(r?.dismissed ?? 0) };
  });
}

/** An answer as stored: a number for scales, text for choices and free text. */
export interface CheckedAnswer {
  link_id: string;
  value_number: number | null;
  value_text: string | null;
}

/**
 * The answers checked against the items: a user error names the item and what it takes.
 */
export function checkAnswers(
  items: readonly SurveyItem[],
  answers: Record<string, number | string>,
): CheckedAnswer[] {
  const byId = new Map(items.map((i) => [i.link_id, i]));
  const out: CheckedAnswer[] = [];
  for (const [linkId, v] of Object.entries(answers)) {
    const item = byId.get(linkId);
    if (!item) throw invalid(`answers.${linkId}: the survey has no item ${linkId}`);
    const reason = answerReason(item, v);
    if (reason) throw invalid(`answers.${linkId}: ${reason}`);
    out.push(
      typeof v === 'number'
        ? { link_id: linkId, value_number: v, value_text: null }
        : { link_id: linkId, value_number: null, value_text: v },
    );
  }
  return out;
}

/** Why `v` is no answer to `item` (null when it is one). */
export function answerReason(item: SurveyItem, v: number | string): string | null {
  switch (item.type) {
    case 'likert5':
      return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 5
        ? null
        : 'takes a whole number from 1 (strongly disagree) to 5 (strongly agree)';
    case 'scale0_10':
      return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 10
        ? null
        : 'takes a whole number from 0 to 10';
    case 'single_choice':
      return typeof v === 'string' && item.choices!.includes(v)
        ? null
        : `takes one of its ${item.choices!.length} choices`;
    case 'free_text':
      return typeof v === 'string' && v.trim().length > 0 && v.length <= 4_000
        ? null
        : 'takes text of 1 to 4000 characters';
  }
}

/** Store the answers of one response. */
export async function insertAnswers(
  tx: Sql,
  responseId: string,
  answers: readonly CheckedAnswer[],
): Promise<void> {
  if (!answers.length) return;
  await tx.run(
    `INSERT INTO survey_answers (response_id, link_id, value_number, value_text) VALUES ${answers
      .map((_, j) => `($1, $${3 * j + 2}, $${3 * j + 3}, $${3 * j + 4})`)
      .join(', ')}`,
    [responseId, ...answers.flatMap((a) => [a.link_id, a.value_number, a.value_text])],
  );
}

/** A survey's invitations (an anonymous survey's name no account: `invitee` is the keyed hash). */
export async function surveyInvitations(db: Store, surveyId: string) {
  const rows = await db.all<Record<string, unknown>>(
    `SELECT ${selectList(db.dialect, Object.keys(surveyInvitationRowSchema.shape), INVITATION_TYPES)}
     FROM survey_invitations WHERE survey_id = $1 ORDER BY invitee`,
    [surveyId],
  );
  return rows.map((r) => surveyInvitationRowSchema.parse(fromDb(r, INVITATION_TYPES)));
}
