/**
 * Feedback to IT in the store (tables `feedback_items`, `feedback_events`, `feedback_votes`,
 * `feedback_subscriptions`, `notices`; migration 12): send, read and list what the actor may
 * read, change with history, merge as duplicate, "me too", subscribe, "did this help?", the
 * unit's "You asked, we did" and the figures' rows. The rules are the pure functions beside this
 * file; these functions apply them for the actor, so the API and the CLI give the same answers.
 *
 * An item the actor may not read is NOT_FOUND, never FORBIDDEN: ids cannot be probed. Every
 * change appends events (nothing is overwritten) and is refused as CONFLICT when another change
 * of the same item was stored meanwhile (`last_seq` is the item's version).
 */
import { UptakeError } from '../errors/UptakeError.ts';
import type { Sql, Store } from '../store/Store.ts';
import {
  feedbackEventRowSchema,
  feedbackItemRowSchema,
  type NoticeRow,
  type FeedbackChange,
  type FeedbackEventRow,
  type FeedbackInput,
  type FeedbackItemRow,
  type FeedbackRating,
  type FeedbackState,
} from '../model/feedback.ts';
import type { BusinessCalendar, SlaTargets } from '../model/businessTime.ts';
import { isTriager, type ProgramActor } from './actor.ts';
import { mayReadFeedback, mayVoteFeedback, unitOf } from './feedbackAccess.ts';
import { mergeAsDuplicate, type ItemWithPeople } from './feedbackMerge.ts';
import { noticeAudience } from './feedbackNotices.ts';
import {
  planFeedbackChange,
  planFeedbackRating,
  type PlannedChange,
  type PlannedEvent,
} from './feedbackTransitions.ts';
import { feedbackFigureRow, feedbackFigures, type UnitFigures } from './feedbackFigures.ts';
import { feedbackClocks, type FeedbackClocks } from './feedbackClocks.ts';
import { noticeView, type NoticeView } from './feedbackNotices.ts';
import { insertNotices } from './notices.ts';
import { fromDb, insertSql, newId, placeholders, selectList } from './rows.ts';

const COLUMNS = Object.keys(feedbackItemRowSchema.shape);
const TYPES = { instants: new Set(['created_at', 'updated_at']) };
const EVENT_COLUMNS = Object.keys(feedbackEventRowSchema.shape);
const EVENT_TYPES = { instants: new Set(['occurred_at']), booleans: new Set(['public']) };

/** An item as a reader sees it: the row, its "me too" count, and the reader's own links to it. */
export interface FeedbackView extends FeedbackItemRow {
  votes: number;
  voted: boolean;
  subscribed: boolean;
}

const parseItem = (r: Record<string, unknown>) => feedbackItemRowSchema.parse(fromDb(r, TYPES));
const parseEvent = (r: Record<string, unknown>) =>
  feedbackEventRowSchema.parse(fromDb(r, EVENT_TYPES));

async function readItem(db: Store, id: string): Promise<FeedbackItemRow | null> {
  const [r] = await db.all<Record<string, unknown>>(
    `SELECT ${selectList(db.dialect, COLUMNS, TYPES)} FROM feedback_items WHERE id = $1`,
    [id],
  );
  return r ? parseItem(r) : null;
}

/** The item if `actor` may read it; otherwise NOT_FOUND, as for an id that does not exist. */
async function readable(db: Store, actor: ProgramActor, id: string): Promise<FeedbackItemRow> {
  const item = await readItem(db, id);
  if (!item || !mayReadFeedback(actor, item))
    throw new UptakeError('NOT_FOUND', `feedback item ${id}: none that you may read`);
  return item;
}

async function people(db: Sql, id: string): Promise<{ voters: string[]; subscribers: string[] }> {
  const v = await db.all<{ username: string }>(
    `SELECT username FROM feedback_votes WHERE item_id = $1 ORDER BY username`,
    [id],
  );
  const s = await db.all<{ username: string }>(
    `SELECT username FROM feedback_subscriptions WHERE item_id = $1 ORDER BY username`,
    [id],
  );
  return { voters: v.map((r) => r.username), subscribers: s.map((r) => r.username) };
}

async function view(db: Store, actor: ProgramActor, item: FeedbackItemRow): Promise<FeedbackView> {
  const p = await people(db, item.id);
  return {
    ...item,
    votes: p.voters.length,
    voted: p.voters.includes(actor.username),
    subscribed: p.subscribers.includes(actor.username),
  };
}

/** Append `events` after the item's `last_seq`, moving the item's version on (or CONFLICT). */
async function appendEvents(
  tx: Sql,
  item: Pick<FeedbackItemRow, 'id' | 'last_seq'>,
  events: readonly PlannedEvent[],
  actor: string,
  now: Date,
  set: Partial<FeedbackItemRow> = {},
): Promise<number[]> {
  const cols = Object.keys(set);
  const last = item.last_seq + events.length;
  const changed = await tx.exec(
    `UPDATE feedback_items SET ${[...cols.map((c, i) => `${c} = $${i + 4}`), 'last_seq = $2', 'updated_at = CAST($3 AS TIMESTAMPTZ)'].join(', ')}
     WHERE id = $1 AND last_seq = $${cols.length + 4}`,
    [
      item.id,
      last,
      now.toISOString(),
      ...cols.map((c) => set[c as keyof FeedbackItemRow] as string | null),
      item.last_seq,
    ],
  );
  if (!changed)
    throw new UptakeError(
      'CONFLICT',
      `feedback item ${item.id} was changed meanwhile; reload it and try again`,
    );
  const seqs: number[] = [];
  for (const [i, e] of events.entries()) {
    const seq = item.last_seq + 1 + i;
    const row: FeedbackEventRow = {
      ...e,
      item_id: item.id,
      seq,
      occurred_at: now.toISOString(),
      actor,
    };
    const ins = insertSql('feedback_events', row, EVENT_TYPES);
    await tx.run(ins.sql, ins.params);
    seqs.push(seq);
  }
  return seqs;
}

/**
 * A clinician (any signed-in account) sends feedback (§2). `unit` visibility needs a department
 * (the account's roster clinician's): its members may read it and say "me too". A linked tool or
 * go-live must exist. The text is stored as written; the form warns not to enter patient details.
 */
export async function createFeedback(
  db: Store,
  actor: ProgramActor,
  input: FeedbackInput,
  now = new Date(),
): Promise<FeedbackView> {
  const unit = unitOf(actor);
  if (input.visibility === 'unit' && unit === null)
    throw new UptakeError(
      'INVALID_INPUT',
      'visibility: your account has no department to share with; choose "private"',
    );
  const l = input.links ?? {};
  if (l.tool !== undefined) {
    const [t] = await db.all(`SELECT 1 AS x FROM tools WHERE name = $1`, [l.tool]);
    if (!t) throw new UptakeError('INVALID_INPUT', `links.tool: no tool "${l.tool}"`);
  }
  if (l.golive) {
    const [g] = await db.all(
      `SELECT 1 AS x FROM golives WHERE tool = $1 AND group_by = $2 AND group_value = $3`,
      [l.tool ?? '', l.golive.group_by, l.golive.group_value],
    );
    if (!g)
      throw new UptakeError(
        'INVALID_INPUT',
        `links.golive: ${l.tool} has no go-live for ${l.golive.group_by} "${l.golive.group_value}"`,
      );
  }
  const row: FeedbackItemRow = {
    id: newId(now),
    created_at: now.toISOString(),
    author: actor.username,
    unit,
    kind: input.kind,
    text: input.text,
    visibility: input.visibility,
    state: 'new',
    priority: null,
    assignee: null,
    duplicate_of: null,
    link_tool: l.tool ?? null,
    link_golive_by: l.golive?.group_by ?? null,
    link_golive_value: l.golive?.group_value ?? null,
    link_page: l.page ?? null,
    link_department: l.department ?? null,
    link_metric: l.metric ?? null,
    rating: null,
    updated_at: now.toISOString(),
    last_seq: 0,
  };
  const created: FeedbackEventRow = {
    item_id: row.id,
    seq: 0,
    occurred_at: row.created_at,
    actor: actor.username,
    kind: 'created',
    from_state: null,
    to_state: 'new',
    priority: null,
    assignee: null,
    note: null,
    public: true,
    related: null,
    rating: null,
  };
  await db.transaction(async (tx) => {
    const a = insertSql('feedback_items', row, TYPES);
    await tx.run(a.sql, a.params);
    const b = insertSql('feedback_events', created, EVENT_TYPES);
    await tx.run(b.sql, b.params);
  });
  return view(db, actor, row);
}

/** One item `actor` may read (NOT_FOUND otherwise). */
export async function getFeedback(
  db: Store,
  actor: ProgramActor,
  id: string,
): Promise<FeedbackView> {
  return view(db, actor, await readable(db, actor, id));
}

/** Filters of the triage board (any combination; all optional). */
export interface FeedbackFilter {
  states?: readonly FeedbackState[];
  kinds?: readonly string[];
  unit?: string;
  priority?: string;
  assignee?: string;
  /** Only the actor's own items. */
  mine?: boolean;
  limit?: number;
}

/**
 * The items `actor` may read, newest first: everything for IT and administrators; for others
 * their own and their unit's `unit` items. Each with its "me too" count and the actor's links.
 */
export async function listFeedback(
  db: Store,
  actor: ProgramActor,
  f: FeedbackFilter = {},
): Promise<FeedbackView[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const bind = (v: string | number) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (!isTriager(actor) || f.mine) {
    const me = bind(actor.username);
    const unit = unitOf(actor);
    where.push(
      f.mine || unit === null
        ? `i.author = ${me}`
        : `(i.author = ${me} OR (i.visibility = 'unit' AND i.unit = ${bind(unit)}))`,
    );
  }
  if (f.states?.length) where.push(`i.state IN (${f.states.map(bind).join(', ')})`);
  if (f.kinds?.length) where.push(`i.kind IN (${f.kinds.map(bind).join(', ')})`);
  if (f.unit !== undefined) where.push(`i.unit = ${bind(f.unit)}`);
  if (f.priority !== undefined) where.push(`i.priority = ${bind(f.priority)}`);
  if (f.assignee !== undefined) where.push(`i.assignee = ${bind(f.assignee)}`);
  const limit = bind(Math.max(1, Math.min(f.limit ?? 200, 1000)));
  const me = bind(actor.username);
  const rows = await db.all<Record<string, unknown>>(
    `SELECT ${selectList(db.dialect, COLUMNS, TYPES, 'i')},
       (SELECT count(*) FROM feedback_votes v WHERE v.item_id = i.id) AS votes,
       (SELECT count(*) FROM feedback_votes v WHERE v.item_id = i.id AND v.username = ${me}) AS voted,
       (SELECT count(*) FROM feedback_subscriptions s WHERE s.item_id = i.id AND s.username = ${me}) AS subscribed
     FROM feedback_items i ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY i.created_at DESC, i.id DESC LIMIT ${limit}`,
    params,
  );
  return rows.map(({ votes, voted, subscribed, ...r }) => ({
    ...parseItem(r),
    votes: Number(votes),
    voted: Number(voted) > 0,
    subscribed: Number(subscribed) > 0,
  }));
}

/**
 * An item's history, oldest first. IT and administrators see every event; the author and the
 * unit see the public ones (IT's internal notes are left out, and who is assigned is not shown).
 */
export async function feedbackHistory(
  db: Store,
  actor: ProgramActor,
  id: string,
): Promise<FeedbackEventRow[]> {
  await readable(db, actor, id);
  const rows = await db.all<Record<string, unknown>>(
    `SELECT ${selectList(db.dialect, EVENT_COLUMNS, EVENT_TYPES)} FROM feedback_events
     WHERE item_id = $1 ORDER BY seq`,
    [id],
  );
  const events = rows.map(parseEvent);
  if (isTriager(actor)) return events;
  return events
    .filter((e) => e.public)
    .map((e) => (e.kind === 'assign' ? { ...e, assignee: null } : e));
}

async function withPeople(db: Store, item: FeedbackItemRow): Promise<ItemWithPeople> {
  return { ...item, ...(await people(db, item.id)) };
}

/**
 * IT changes an item (state, priority, assignee, note), or its author adds a note (§2): the
 * events are appended, the item updated, and the author, voters and subscribers notified
 * (`noticeAudience`). `to: "duplicate"` merges: the votes and subscribers move to the original
 * (`mergeAsDuplicate`), which records a `merged` event.
 */
export async function changeFeedback(
  db: Store,
  actor: ProgramActor,
  id: string,
  change: FeedbackChange,
  now = new Date(),
): Promise<FeedbackView> {
  const item = await readable(db, actor, id);
  const plan: PlannedChange = planFeedbackChange(item, change, actor);
  const before = await people(db, id);
  let merge: { original: FeedbackItemRow; voters: string[]; subscribers: string[] } | null = null;
  if (plan.item.state === 'duplicate' && plan.item.duplicate_of) {
    // The chain from the named original to its end (a few items at most).
    const set = new Map<string, ItemWithPeople>([[id, { ...item, ...before }]]);
    let cur: string | null = plan.item.duplicate_of;
    while (cur !== null && !set.has(cur)) {
      const it = await readItem(db, cur);
      if (!it) break;
      set.set(cur, await withPeople(db, it));
      cur = it.state === 'duplicate' ? it.duplicate_of : null;
    }
    const m = mergeAsDuplicate([...set.values()], id, plan.item.duplicate_of);
    plan.item.duplicate_of = m.original;
    for (const e of plan.events) if (e.kind === 'state') e.related = m.original;
    merge = {
      original: (await readItem(db, m.original))!,
      voters: m.moved.voters,
      subscribers: m.moved.subscribers,
    };
  }
  await db.transaction(async (tx) => {
    const seqs = await appendEvents(tx, item, plan.events, actor.username, now, {
      state: plan.item.state,
      priority: plan.item.priority,
      assignee: plan.item.assignee,
      duplicate_of: plan.item.duplicate_of,
      rating: plan.item.rating,
    });
    const stateSeq = seqs[plan.events.findIndex((e) => e.kind === 'state')] ?? seqs.at(-1)!;
    const audience = noticeAudience(item, before, plan.events, actor.username);
    await insertNotices(tx, audience, id, stateSeq, now);
    if (merge) {
      await tx.run(`DELETE FROM feedback_votes WHERE item_id = $1`, [id]);
      await tx.run(`DELETE FROM feedback_subscriptions WHERE item_id = $1`, [id]);
      for (const [table, users] of [
        ['feedback_votes', merge.voters],
        ['feedback_subscriptions', merge.subscribers],
      ] as const)
        for (const u of users)
          await tx.run(
            `INSERT INTO ${table} (item_id, username, created_at)
             VALUES ($1, $2, CAST($3 AS TIMESTAMPTZ)) ON CONFLICT DO NOTHING`,
            [merge.original.id, u, now.toISOString()],
          );
      await appendEvents(
        tx,
        merge.original,
        [
          {
            kind: 'merged',
            from_state: null,
            to_state: null,
            priority: null,
            assignee: null,
            note: null,
            public: false,
            related: id,
            rating: null,
          },
        ],
        actor.username,
        now,
      );
    }
  });
  return getFeedback(db, actor, id);
}

/**
 * The author answers "did this help?" once per close (§2); "did not help" on a `done` item
 * reopens it, and its voters and subscribers hear of it.
 */
export async function rateFeedback(
  db: Store,
  actor: ProgramActor,
  id: string,
  rating: FeedbackRating,
  now = new Date(),
): Promise<FeedbackView> {
  const item = await readable(db, actor, id);
  const plan = planFeedbackRating(item, rating, actor);
  const p = await people(db, id);
  await db.transaction(async (tx) => {
    const seqs = await appendEvents(tx, item, plan.events, actor.username, now, {
      state: plan.item.state,
      rating: plan.item.rating,
    });
    const audience = noticeAudience(item, p, plan.events, actor.username);
    await insertNotices(tx, audience, id, seqs.at(-1)!, now);
  });
  return getFeedback(db, actor, id);
}

/**
 * "Me too" (§2): once per person and item — the primary key (item, username) refuses a second
 * (CONFLICT). Only members of the author's unit, on an open `unit` item not their own.
 */
export async function voteFeedback(
  db: Store,
  actor: ProgramActor,
  id: string,
  now = new Date(),
): Promise<FeedbackView> {
  const item = await readable(db, actor, id);
  if (!mayVoteFeedback(actor, item))
    throw new UptakeError(
      'FORBIDDEN',
      'only the author’s unit says "me too", on an open item shared with the unit, never on their own',
    );
  const added = await db.exec(
    `INSERT INTO feedback_votes (item_id, username, created_at)
     VALUES ($1, $2, CAST($3 AS TIMESTAMPTZ)) ON CONFLICT DO NOTHING`,
    [id, actor.username, now.toISOString()],
  );
  if (!added) throw new UptakeError('CONFLICT', `you already said "me too" on item ${id}`);
  return getFeedback(db, actor, id);
}

/** Take back one's "me too". */
export async function unvoteFeedback(
  db: Store,
  actor: ProgramActor,
  id: string,
): Promise<FeedbackView> {
  await readable(db, actor, id);
  await db.run(`DELETE FROM feedback_votes WHERE item_id = $1 AND username = $2`, [
    id,
    actor.username,
  ]);
  return getFeedback(db, actor, id);
}

/** Follow (or stop following) an item one may read: its changes of state reach the subscriber. */
export async function subscribeFeedback(
  db: Store,
  actor: ProgramActor,
  id: string,
  on: boolean,
  now = new Date(),
): Promise<FeedbackView> {
  await readable(db, actor, id);
  if (on)
    await db.run(
      `INSERT INTO feedback_subscriptions (item_id, username, created_at)
       VALUES ($1, $2, CAST($3 AS TIMESTAMPTZ)) ON CONFLICT DO NOTHING`,
      [id, actor.username, now.toISOString()],
    );
  else
    await db.run(`DELETE FROM feedback_subscriptions WHERE item_id = $1 AND username = $2`, [
      id,
      actor.username,
    ]);
  return getFeedback(db, actor, id);
}

/** One entry of a unit's "You asked, we did". */
export interface DoneEntry {
  id: string;
  kind: FeedbackItemRow['kind'];
  text: string;
  /** IT's answer when it was done. */
  answer: string | null;
  done_at: string;
  votes: number;
}

/**
 * §2 "You asked, we did" of one unit: its `done` items shared with the unit, newest done first,
 * with IT's answer; the unit's private items that are done are counted, never shown.
 */
export async function youAskedWeDid(
  db: Store,
  unit: string,
  limit = 20,
): Promise<{ items: DoneEntry[]; private_done: number }> {
  const d = db.dialect;
  const rows = await db.all<{
    id: string;
    kind: FeedbackItemRow['kind'];
    text: string;
    note: string | null;
    done_us: number;
    votes: number;
  }>(
    `SELECT i.id, i.kind, i.text, e.note, ${d.epochUs('e.occurred_at')} AS done_us,
       (SELECT count(*) FROM feedback_votes v WHERE v.item_id = i.id) AS votes
     FROM feedback_items i JOIN feedback_events e
       ON e.item_id = i.id AND e.kind = 'state' AND e.to_state = 'done'
     WHERE i.unit = $1 AND i.visibility = 'unit' AND i.state = 'done'
       AND e.seq = (SELECT max(seq) FROM feedback_events x
                    WHERE x.item_id = i.id AND x.kind = 'state' AND x.to_state = 'done')
     ORDER BY e.occurred_at DESC, i.id LIMIT $2`,
    [unit, Math.max(1, Math.min(limit, 200))],
  );
  const [p] = await db.all<{ n: number }>(
    `SELECT count(*) AS n FROM feedback_items WHERE unit = $1 AND visibility = 'private' AND state = 'done'`,
    [unit],
  );
  return {
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      text: r.text,
      answer: r.note,
      done_at: new Date(Math.round(Number(r.done_us) / 1000)).toISOString(),
      votes: Number(r.votes),
    })),
    private_done: Number(p?.n ?? 0),
  };
}

/**
 * §2 Figures per unit of the items created in [from, to) (instants), as of `now`: the items and
 * their histories are read (two queries), each item's clocks computed on the business calendar
 * (`feedbackFigureRow`), and the rows summarised (`feedbackFigures`).
 */
export async function feedbackUnitFigures(
  db: Store,
  cal: BusinessCalendar,
  targets: SlaTargets,
  period: { from: Date; to: Date },
  now = new Date(),
): Promise<UnitFigures[]> {
  const inPeriod = `created_at >= CAST($1 AS TIMESTAMPTZ) AND created_at < CAST($2 AS TIMESTAMPTZ)`;
  const params = [period.from.toISOString(), period.to.toISOString()];
  const items = (
    await db.all<Record<string, unknown>>(
      `SELECT ${selectList(db.dialect, COLUMNS, TYPES)} FROM feedback_items WHERE ${inPeriod}`,
      params,
    )
  ).map(parseItem);
  const events = (
    await db.all<Record<string, unknown>>(
      `SELECT ${selectList(db.dialect, EVENT_COLUMNS, EVENT_TYPES)} FROM feedback_events
       WHERE item_id IN (SELECT id FROM feedback_items WHERE ${inPeriod})`,
      params,
    )
  ).map(parseEvent);
  const byItem = new Map<string, FeedbackEventRow[]>();
  for (const e of events) {
    const l = byItem.get(e.item_id);
    if (l) l.push(e);
    else byItem.set(e.item_id, [e]);
  }
  return feedbackFigures(
    items.map((i) => feedbackFigureRow(i, byItem.get(i.id) ?? [], cal, now)),
    targets,
  );
}

/**
 * The clocks of one item `actor` may read (NOT_FOUND otherwise), from its whole history (IT's
 * internal notes included: they never stop a clock, but the clocks must not depend on who asks).
 */
export async function feedbackItemClocks(
  db: Store,
  actor: ProgramActor,
  id: string,
  cal: BusinessCalendar,
  now = new Date(),
): Promise<FeedbackClocks> {
  const item = await readable(db, actor, id);
  const rows = await db.all<Record<string, unknown>>(
    `SELECT ${selectList(db.dialect, EVENT_COLUMNS, EVENT_TYPES)} FROM feedback_events
     WHERE item_id = $1 ORDER BY seq`,
    [id],
  );
  return feedbackClocks(item, rows.map(parseEvent), cal, now);
}

/**
 * The clocks of many items at once (a list the caller may already read: the board, my items):
 * their histories in one query, each item's clocks computed as `feedbackItemClocks` does.
 */
export async function feedbackListClocks(
  db: Store,
  items: readonly Pick<FeedbackItemRow, 'id' | 'author' | 'created_at' | 'state'>[],
  cal: BusinessCalendar,
  now = new Date(),
): Promise<Map<string, FeedbackClocks>> {
  const out = new Map<string, FeedbackClocks>();
  if (!items.length) return out;
  const rows = await db.all<Record<string, unknown>>(
    `SELECT ${selectList(db.dialect, EVENT_COLUMNS, EVENT_TYPES)} FROM feedback_events
     WHERE item_id IN (${placeholders(items.length)}) ORDER BY item_id, seq`,
    items.map((i) => i.id),
  );
  const byItem = new Map<string, FeedbackEventRow[]>();
  for (const r of rows) {
    const e = parseEvent(r);
    const l = byItem.get(e.item_id);
    if (l) l.push(e);
    else byItem.set(e.item_id, [e]);
  }
  for (const i of items) out.set(i.id, feedbackClocks(i, byItem.get(i.id) ?? [], cal, now));
  return out;
}

/**
 * Notices rendered for their reader (`noticeView`): each feedback notice with its item as it is
 * now (read whether or not the reader may read it: `noticeView` shows the text only when they
 * may), a goal's notice without one.
 */
export async function renderNotices(
  db: Store,
  reader: ProgramActor,
  notices: readonly NoticeRow[],
): Promise<NoticeView[]> {
  const ids = [...new Set(notices.filter((n) => n.kind !== 'goal_decided').map((n) => n.ref))];
  const items = new Map<string, FeedbackItemRow>();
  if (ids.length) {
    const rows = await db.all<Record<string, unknown>>(
      `SELECT ${selectList(db.dialect, COLUMNS, TYPES)} FROM feedback_items
       WHERE id IN (${placeholders(ids.length)})`,
      ids,
    );
    for (const r of rows) {
      const it = parseItem(r);
      items.set(it.id, it);
    }
  }
  return notices.map((n) =>
    noticeView(n, n.kind === 'goal_decided' ? null : (items.get(n.ref) ?? null), reader),
  );
}

/** One item of `feedbackExport`: the row, its counts, and both clocks against their targets. */
export interface FeedbackExportItem extends FeedbackItemRow {
  /** "Me too" votes (a count: who voted is never exported). */
  votes: number;
  subscribers: number;
  /** Events of its history (IT's internal notes included). */
  events: number;
  first_response: FeedbackClocks['first_response'] & { target_hours: number; overdue: boolean };
  resolution:
    (NonNullable<FeedbackClocks['resolution']> & { target_hours: number; overdue: boolean }) | null;
}

/**
 * Every item with its state, counts and clocks as of `now` (business hours on `cal`, against the
 * targets of its priority — `normal` when it has none, as the figures time it): what the store's
 * owner exports (`uptake feedback export`). Three queries whatever the number of items (items
 * with their counts, then every event); votes and subscriptions are counted, never listed.
 */
export async function feedbackExport(
  db: Store,
  cal: BusinessCalendar,
  targets: SlaTargets,
  now = new Date(),
): Promise<FeedbackExportItem[]> {
  const items = await db.all<Record<string, unknown>>(
    `SELECT ${selectList(db.dialect, COLUMNS, TYPES, 'i')},
       (SELECT count(*) FROM feedback_votes v WHERE v.item_id = i.id) AS votes,
       (SELECT count(*) FROM feedback_subscriptions s WHERE s.item_id = i.id) AS subscribers
     FROM feedback_items i ORDER BY i.created_at, i.id`,
  );
  const byItem = new Map<string, FeedbackEventRow[]>();
  for (const r of await db.all<Record<string, unknown>>(
    `SELECT ${selectList(db.dialect, EVENT_COLUMNS, EVENT_TYPES)} FROM feedback_events
     ORDER BY item_id, seq`,
  )) {
    const e = parseEvent(r);
    const l = byItem.get(e.item_id);
    if (l) l.push(e);
    else byItem.set(e.item_id, [e]);
  }
  return items.map(({ votes, subscribers, ...r }) => {
    const item = parseItem(r);
    const events = byItem.get(item.id) ?? [];
    const c = feedbackClocks(item, events, cal, now);
    const t = targets[item.priority ?? 'normal'];
    return {
      ...item,
      votes: Number(votes),
      subscribers: Number(subscribers),
      events: events.length,
      first_response: {
        ...c.first_response,
        target_hours: t.first_response_hours,
        overdue: c.first_response.hours > t.first_response_hours,
      },
      resolution: c.resolution && {
        ...c.resolution,
        target_hours: t.resolution_hours,
        overdue: c.resolution.hours > t.resolution_hours,
      },
    };
  });
}
