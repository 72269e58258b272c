import { UptakeError } from '../errors/UptakeError.ts';
import type { FeedbackItemRow } from '../model/feedback.ts';
import { isClosed } from './feedbackTransitions.ts';

/** An item with the people attached to it: its "me too" voters and its subscribers. */
export interface ItemWithPeople extends Pick<
  FeedbackItemRow,
  'id' | 'author' | 'state' | 'duplicate_of'
> {
  voters: readonly string[];
  subscribers: readonly string[];
}

export interface MergeResult {
  /** The original the duplicate now points to (the end of any chain of duplicates). */
  original: string;
  /** The item set after the merge (only the duplicate and the original differ). */
  items: ItemWithPeople[];
  /** Voters and subscribers the original gained. */
  moved: { voters: string[]; subscribers: string[] };
}

/** The item a duplicate chain ends at: follow `duplicate_of` until an item that is no duplicate. */
export function rootOf(items: ReadonlyMap<string, ItemWithPeople>, id: string): string {
  const seen = new Set<string>();
  let cur = id;
  for (;;) {
    const it = items.get(cur);
    if (!it) throw new UptakeError('NOT_FOUND', `feedback item ${cur}: no such item`);
    if (it.state !== 'duplicate' || it.duplicate_of === null) return cur;
    if (seen.has(cur)) return cur; // a corrupt cycle: stop rather than loop
    seen.add(cur);
    cur = it.duplicate_of;
  }
}

const union = (...lists: (readonly string[])[]) => [...new Set(lists.flat())].sort();

/**
 * §2 Merge as duplicate, as a pure function over the item set: item `dupId` becomes a duplicate
 * of `originalId` (or of the item that one is itself a duplicate of), and its votes and
 * subscribers move to the original. The duplicate's author, who asked for the same thing, becomes
 * a voter of the original too. People are counted once; the original's author never votes on
 * their own item. The duplicate keeps no voters or subscribers.
 *
 * Refused: an unknown item (NOT_FOUND); a duplicate that is already closed, or a merge that would
 * make an item a duplicate of itself, directly or through a chain (CONFLICT).
 */
export function mergeAsDuplicate(
  items: readonly ItemWithPeople[],
  dupId: string,
  originalId: string,
): MergeResult {
  const byId = new Map(items.map((i) => [i.id, i]));
  const dup = byId.get(dupId);
  if (!dup) throw new UptakeError('NOT_FOUND', `feedback item ${dupId}: no such item`);
  if (isClosed(dup.state))
    throw new UptakeError('CONFLICT', `item ${dupId} is ${dup.state}; only an open item is merged`);
  const original = rootOf(byId, originalId);
  if (original === dupId)
    throw new UptakeError(
      'CONFLICT',
      `item ${dupId} cannot be a duplicate of ${originalId}: that item is already merged into it`,
    );
  const orig = byId.get(original)!;
  const voters = union(orig.voters, dup.voters, [dup.author]).filter((u) => u !== orig.author);
  const subscribers = union(orig.subscribers, dup.subscribers).filter((u) => u !== orig.author);
  return {
    original,
    moved: {
      voters: voters.filter((u) => !orig.voters.includes(u)),
      subscribers: subscribers.filter((u) => !orig.subscribers.includes(u)),
    },
    items: items.map((i) =>
      i.id === dupId
        ? { ...i, state: 'duplicate', duplicate_of: original, voters: [], subscribers: [] }
        : i.id === original
          ? { ...i, voters, subscribers }
          : i,
    ),
  };
}
