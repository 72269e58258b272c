import { UptakeError } from '../errors/UptakeError.ts';
import {
  CLOSED_FEEDBACK_STATES,
  type FeedbackChange,
  type FeedbackEventRow,
  type FeedbackItemRow,
  type FeedbackRating,
  type FeedbackState,
} from '../model/feedback.ts';
import { isTriager, type ProgramActor } from './actor.ts';

/** An event as a rule plans it; the store adds the item, its sequence number, the time and actor. */
export type PlannedEvent = Omit<FeedbackEventRow, 'item_id' | 'seq' | 'occurred_at' | 'actor'>;

/** The fields of an item a change can set. */
export type ItemState = Pick<
  FeedbackItemRow,
  'state' | 'priority' | 'assignee' | 'duplicate_of' | 'rating'
>;

export interface PlannedChange {
  item: ItemState;
  events: PlannedEvent[];
}

export function isClosed(s: FeedbackState): boolean {
  return (CLOSED_FEEDBACK_STATES as readonly string[]).includes(s);
}

/** Rank along new → triaged → planned → in_progress → done/declined; a reopened item starts over. */
const RANK: Partial<Record<FeedbackState, number>> = {
  new: 0,
  reopened: 0,
  triaged: 1,
  planned: 2,
  in_progress: 3,
};
const FORWARD = ['triaged', 'planned', 'in_progress'] as const;

/**
 * The states IT may move an item to from `from` (§2, with the reading in docs/program.md):
 * forward along new → triaged → planned → in_progress (steps may be skipped, never gone back);
 * `done` or `declined` from any open state; `waiting` (for the clinician) from any open state
 * but itself, and back from it to any later step or a close; `duplicate` from any open state.
 * Closed items move no further, except `done` → `reopened`, which only the author's "did not
 * help" makes (`planFeedbackRating`).
 */
export function nextStates(from: FeedbackState): FeedbackState[] {
  if (isClosed(from)) return [];
  const closes: FeedbackState[] = ['done', 'declined', 'duplicate'];
  if (from === 'waiting') return [...FORWARD, ...closes];
  const rank = RANK[from] ?? 0;
  return [...FORWARD.filter((s) => (RANK[s] ?? 0) > rank), 'waiting', ...closes];
}

/** States that need an answer in words the author reads. */
const NEEDS_ANSWER: ReadonlySet<FeedbackState> = new Set(['done', 'declined', 'duplicate']);
/** States in which the item is being worked on, so it must have a priority. */
const NEEDS_PRIORITY: ReadonlySet<FeedbackState> = new Set(['triaged', 'planned', 'in_progress']);

const blank = {
  from_state: null,
  to_state: null,
  priority: null,
  assignee: null,
  note: null,
  public: true,
  related: null,
  rating: null,
} as const;

/**
 * Plan a change of `item` by `actor` (§2): the item's new fields and the events that record it,
 * in order (priority, assignment, then the state change carrying the note, or the note alone).
 * Nothing is overwritten: every change is an event.
 *
 * - Only IT and administrators change state, priority or assignee; the author may add a note
 *   (always public: it is their own words). Others: FORBIDDEN.
 * - `triaged`, `planned` and `in_progress` need a priority (given now or set before).
 * - `done`, `declined` and `duplicate` need a note, and it must be public (an answer).
 * - `duplicate` needs `duplicate_of`, another item; the store checks it exists and merges.
 * - Closed items take notes only.
 */
export function planFeedbackChange(
  item: Pick<FeedbackItemRow, 'id' | 'author'> & ItemState,
  change: FeedbackChange,
  actor: ProgramActor,
): PlannedChange {
  const triager = isTriager(actor);
  const isAuthor = actor.username === item.author;
  if (!triager) {
    if (!isAuthor) throw new UptakeError('FORBIDDEN', 'only IT staff change feedback items');
    if (change.to !== undefined || change.priority !== undefined || change.assignee !== undefined)
      throw new UptakeError(
        'FORBIDDEN',
        'only IT staff change the state, priority or assignee; you can add a note',
      );
    if (change.public === false)
      throw new UptakeError('INVALID_INPUT', 'public: your note is always visible to IT and you');
  }
  if (change.duplicate_of !== undefined && change.to !== 'duplicate')
    throw new UptakeError('INVALID_INPUT', 'duplicate_of: only with to = "duplicate"');

  const next: ItemState = { ...item };
  const events: PlannedEvent[] = [];
  const closed = isClosed(item.state);

  if (change.priority !== undefined && change.priority !== item.priority) {
    if (closed)
      throw new UptakeError(
        'CONFLICT',
        `item ${item.id} is ${item.state}; its priority is settled`,
      );
    next.priority = change.priority;
    events.push({ ...blank, kind: 'priority', priority: change.priority });
  }
  if (change.assignee !== undefined && change.assignee !== item.assignee) {
    if (closed)
      throw new UptakeError('CONFLICT', `item ${item.id} is ${item.state}; it needs no assignee`);
    next.assignee = change.assignee;
    events.push({ ...blank, kind: 'assign', assignee: change.assignee });
  }
  const note = change.note ?? null;
  const pub = change.public !== false;
  if (change.to !== undefined) {
    const to = change.to;
    if (to === item.state) throw new UptakeError('CONFLICT', `item ${item.id} is already ${to}`);
    const allowed = nextStates(item.state);
    if (!allowed.includes(to))
      throw new UptakeError(
        'CONFLICT',
        to === 'reopened'
          ? `item ${item.id}: only its author reopens a done item, by saying it did not help`
          : `item ${item.id} is ${item.state}; it can go to ${allowed.join(', ') || 'no other state'}, not ${to}`,
      );
    if (NEEDS_PRIORITY.has(to) && next.priority === null)
      throw new UptakeError('INVALID_INPUT', `priority: an item that is ${to} needs one`);
    if (NEEDS_ANSWER.has(to)) {
      if (note === null)
        throw new UptakeError(
          'INVALID_INPUT',
          `note: ${to} needs an answer in words for the author`,
        );
      if (!pub)
        throw new UptakeError(
          'INVALID_INPUT',
          `public: the answer that makes an item ${to} is for the author and cannot be internal`,
        );
    }
    let related: string | null = null;
    if (to === 'duplicate') {
      if (change.duplicate_of === undefined)
        throw new UptakeError('INVALID_INPUT', 'duplicate_of: name the item this one duplicates');
      if (change.duplicate_of === item.id)
        throw new UptakeError('INVALID_INPUT', 'duplicate_of: an item cannot duplicate itself');
      related = change.duplicate_of;
      next.duplicate_of = related;
    }
    // A new close asks "did this help?" afresh.
    if (isClosed(to)) next.rating = null;
    next.state = to;
    events.push({
      ...blank,
      kind: 'state',
      from_state: item.state,
      to_state: to,
      note,
      public: pub,
      related,
    });
  } else if (note !== null) {
    events.push({ ...blank, kind: 'note', note, public: pub });
  }
  if (!events.length)
    throw new UptakeError('CONFLICT', `item ${item.id}: nothing changes (it already is so)`);
  return { item: next, events };
}

/**
 * The author answers "did this help?" (§2): once per close of a `done`, `declined` or `duplicate`
 * item. "Did not help" on a `done` item reopens it (a state event by the author).
 */
export function planFeedbackRating(
  item: Pick<FeedbackItemRow, 'id' | 'author'> & ItemState,
  rating: FeedbackRating,
  actor: ProgramActor,
): PlannedChange {
  if (actor.username !== item.author)
    throw new UptakeError('FORBIDDEN', 'only the author says whether it helped');
  if (!isClosed(item.state))
    throw new UptakeError(
      'CONFLICT',
      `item ${item.id} is ${item.state}; it is asked once it is done, declined or a duplicate`,
    );
  if (item.rating !== null)
    throw new UptakeError(
      'CONFLICT',
      `item ${item.id}: you already answered (${item.rating}) since it closed`,
    );
  const events: PlannedEvent[] = [{ ...blank, kind: 'rating', rating }];
  const next: ItemState = { ...item, rating };
  if (rating === 'did_not_help' && item.state === 'done') {
    next.state = 'reopened';
    events.push({ ...blank, kind: 'state', from_state: 'done', to_state: 'reopened' });
  }
  return { item: next, events };
}
