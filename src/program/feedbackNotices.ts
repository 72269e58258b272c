import type { FeedbackItemRow, NoticeKind, NoticeRow } from '../model/feedback.ts';
import type { ProgramActor } from './actor.ts';
import { mayReadFeedback } from './feedbackAccess.ts';
import type { PlannedEvent } from './feedbackTransitions.ts';

/** Who hears of a change: usernames and the kind of notice each gets. */
export interface NoticePlan {
  username: string;
  kind: NoticeKind;
}

/**
 * §2 Loop: who is told of the events of one change (`events`, as planned) made by `actor`.
 * A change of state reaches the author, every voter and every subscriber; a close also asks the
 * author "did this help?" (`feedback_rate`). A public note without a change of state reaches the
 * author when someone else wrote it, and the assignee when the author did. Nobody is told of
 * their own change; everyone is told once per kind.
 */
export function noticeAudience(
  item: Pick<FeedbackItemRow, 'author' | 'assignee'>,
  people: { voters: readonly string[]; subscribers: readonly string[] },
  events: readonly PlannedEvent[],
  actor: string,
): NoticePlan[] {
  const out = new Map<string, NoticePlan>();
  const add = (username: string | null, kind: NoticeKind) => {
    if (username && username !== actor) out.set(`${kind}\u0000${username}`, { username, kind });
  };
  const state = events.find((e) => e.kind === 'state');
  if (state) {
    for (const u of [item.author, ...people.voters, ...people.subscribers])
      add(u, 'feedback_state');
    if (
      state.to_state === 'done' ||
      state.to_state === 'declined' ||
      state.to_state === 'duplicate'
    )
      add(item.author, 'feedback_rate');
  } else if (events.some((e) => e.kind === 'note' && e.public)) {
    add(actor === item.author ? item.assignee : item.author, 'feedback_note');
  }
  return [...out.values()];
}

/** A notice as its reader sees it. */
export interface NoticeView {
  id: string;
  kind: NoticeKind;
  ref: string;
  created_at: string;
  read: boolean;
  /** The item's state now. */
  state: FeedbackItemRow['state'] | null;
  /** The item's text, only when the reader may read the item; otherwise null. */
  text: string | null;
  /** One line that never quotes an item the reader may not read. */
  summary: string;
}

const STATE_WORDS: Record<FeedbackItemRow['state'], string> = {
  new: 'is new',
  triaged: 'was triaged',
  planned: 'is planned',
  in_progress: 'is in progress',
  waiting: 'is waiting for the author',
  done: 'is done',
  declined: 'was declined',
  duplicate: 'was merged into another item',
  reopened: 'was reopened',
};

/**
 * Render a feedback notice for its reader. Notices hold no text: the text is read here, from the
 * item, only when `mayReadFeedback` — so a voter of a `unit` duplicate later merged into a
 * `private` original hears that "an item you follow is done" without reading the original.
 */
export function noticeView(
  n: NoticeRow,
  item: Pick<FeedbackItemRow, 'author' | 'visibility' | 'unit' | 'state' | 'text' | 'kind'> | null,
  reader: ProgramActor,
): NoticeView {
  const readable = item !== null && mayReadFeedback(reader, item);
  const what = !item
    ? 'an item'
    : reader.username === item.author
      ? `your ${item.kind}`
      : readable
        ? `a ${item.kind} you follow`
        : 'an item you supported';
  const summary =
    n.kind === 'feedback_rate'
      ? `Did this help? IT closed ${what}.`
      : n.kind === 'feedback_note'
        ? `New answer on ${what}.`
        : n.kind === 'goal_decided'
          ? 'The vote on your goal was settled.'
          : `${what[0]!.toUpperCase()}${what.slice(1)} ${item ? STATE_WORDS[item.state] : 'changed'}.`;
  return {
    id: n.id,
    kind: n.kind,
    ref: n.ref,
    created_at: n.created_at,
    read: n.read_at !== null,
    state: item?.state ?? null,
    text: readable ? item.text : null,
    summary,
  };
}
