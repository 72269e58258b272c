import {
  CLOSED_FEEDBACK_STATES,
  type FeedbackEventRow,
  type FeedbackItemRow,
  type FeedbackState,
} from '../model/feedback.ts';
import type { BusinessCalendar } from '../model/businessTime.ts';
import { businessMs } from './businessHours.ts';

/** One clock of an item, in business hours. */
export interface FeedbackClock {
  hours: number;
  /** The clock has stopped (answered; done or declined). A running clock counts up to `now`. */
  stopped: boolean;
  stopped_at: string | null;
}

export interface FeedbackClocks {
  first_response: FeedbackClock;
  /** Null for a duplicate: its original carries the resolution. */
  resolution: FeedbackClock | null;
}

/** States in which the clocks count: open, and not waiting for the clinician. */
const COUNTING: ReadonlySet<FeedbackState> = new Set([
  'new',
  'triaged',
  'planned',
  'in_progress',
  'reopened',
]);

type ClockEvent = Pick<
  FeedbackEventRow,
  'seq' | 'occurred_at' | 'actor' | 'kind' | 'to_state' | 'note' | 'public'
>;

/** The first answer the author can read: a public note (alone or with a change) by someone else. */
export function isAnswer(e: ClockEvent, author: string): boolean {
  return e.actor !== author && e.public && e.note !== null && e.note.trim() !== '';
}

/**
 * §2 Clocks, in business time (`businessMs`), from an item's history:
 *
 * - first response: from creation to the first answer the author can read (`isAnswer`: a public
 *   note, or a change of state with one, by someone other than the author);
 * - resolution: from creation to `done` or `declined`.
 *
 * Both count only while the item is in a counting state (new, triaged, planned, in progress,
 * reopened): not while `waiting` for the clinician, and not while closed — so a `done` item that is
 * reopened resumes its resolution clock where it stopped, and the clock stops again at the next
 * close. A duplicate has no resolution. Running clocks count up to `now`.
 */
export function feedbackClocks(
  item: Pick<FeedbackItemRow, 'author' | 'created_at' | 'state'>,
  events: readonly ClockEvent[],
  cal: BusinessCalendar,
  now: Date,
): FeedbackClocks {
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  // The stretches in counting states, as [from, to) instants.
  const stretches: [number, number][] = [];
  let state: FeedbackState = 'new';
  let since = Date.parse(item.created_at);
  let answer: ClockEvent | null = null;
  let lastClose: ClockEvent | null = null;
  for (const e of sorted) {
    if (!answer && isAnswer(e, item.author)) answer = e;
    if (e.kind !== 'state' || !e.to_state) continue;
    const at = Date.parse(e.occurred_at);
    if (COUNTING.has(state)) stretches.push([since, at]);
    state = e.to_state;
    since = at;
    if ((CLOSED_FEEDBACK_STATES as readonly string[]).includes(state)) lastClose = e;
  }
  const end = now.getTime();
  if (COUNTING.has(state)) stretches.push([since, end]);
  const countedUntil = (until: number) =>
    stretches.reduce((s, [a, b]) => s + businessMs(cal, a, Math.min(b, until)), 0) / 3_600_000;

  const firstStop = answer ? Date.parse(answer.occurred_at) : end;
  const resolved = state === 'done' || state === 'declined';
  return {
    first_response: {
      hours: countedUntil(firstStop),
      stopped: answer !== null,
      stopped_at: answer ? new Date(firstStop).toISOString() : null,
    },
    resolution:
      state === 'duplicate'
        ? null
        : {
            hours: countedUntil(end),
            stopped: resolved,
            stopped_at:
              resolved && lastClose
                ? new Date(Date.parse(lastClose.occurred_at)).toISOString()
                : null,
          },
  };
}

/** Where a clock stands against its target, as the board and an item's page say it. */
export const CLOCK_STATUSES = ['running', 'paused', 'met', 'late'] as const;
export type ClockStatus = (typeof CLOCK_STATUSES)[number];

/**
 * A clock against its target (business hours): `met` (stopped within it), `late` (stopped after
 * it, or still running past it), `paused` (running, within it, while the item waits for the
 * clinician), else `running`.
 */
export function clockStatus(
  c: Pick<FeedbackClock, 'hours' | 'stopped'>,
  targetHours: number,
  state: FeedbackState,
): ClockStatus {
  if (c.hours > targetHours) return 'late';
  if (c.stopped) return 'met';
  return state === 'waiting' ? 'paused' : 'running';
}
