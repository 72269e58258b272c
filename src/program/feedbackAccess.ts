import type { FeedbackItemRow } from '../model/feedback.ts';
import { isTriager, type ProgramActor } from './actor.ts';
import { isClosed } from './feedbackTransitions.ts';

/** The actor's department: from their roster clinician (their unit). */
export function unitOf(a: ProgramActor): string | null {
  return a.clinician?.department ?? null;
}

/**
 * §2 Who reads an item's text: its author, IT and administrators, and — for a `unit` item — the
 * members of the author's department (the accounts whose roster clinician is in it). Leaders,
 * champions of other units and everyone else do not.
 */
export function mayReadFeedback(
  a: ProgramActor,
  item: Pick<FeedbackItemRow, 'author' | 'visibility' | 'unit'>,
): boolean {
  if (isTriager(a) || a.username === item.author) return true;
  return item.visibility === 'unit' && item.unit !== null && unitOf(a) === item.unit;
}

/** §2 "Me too": a member of the author's department, on an open `unit` item that is not their own. */
export function mayVoteFeedback(
  a: ProgramActor,
  item: Pick<FeedbackItemRow, 'author' | 'visibility' | 'unit' | 'state'>,
): boolean {
  return (
    item.visibility === 'unit' &&
    a.username !== item.author &&
    item.unit !== null &&
    unitOf(a) === item.unit &&
    !isClosed(item.state)
  );
}
