import type { GoalState, VoteTally } from '../model/goal.ts';

/** How a closed vote came out. */
export interface AdoptionOutcome {
  state: Extract<GoalState, 'adopted' | 'not_adopted'>;
  /** Votes needed: min(min_votes, group size). */
  quorum: number;
  /** Votes cast, abstentions included. */
  voted: number;
  /** Why, in words (for the notice and the goal page). */
  reason: string;
}

/**
 * §1 Voting, when the window closes: `adopted` if at least min(`minVotes`, `groupSize`) people
 * voted (abstentions count as voting) and support > oppose (a tie is not adopted); else
 * `not_adopted`. `groupSize` is the number of accounts that could vote at the close (the group's
 * clinicians and champions).
 */
export function adoptionOutcome(
  tally: VoteTally,
  minVotes: number,
  groupSize: number,
): AdoptionOutcome {
  const quorum = Math.min(minVotes, groupSize);
  const voted = tally.support + tally.oppose + tally.abstain;
  if (voted < quorum)
    return {
      state: 'not_adopted',
      quorum,
      voted,
      reason: `${voted} of the ${quorum} votes needed were cast`,
    };
  if (tally.support <= tally.oppose)
    return {
      state: 'not_adopted',
      quorum,
      voted,
      reason: `support (${tally.support}) did not outnumber opposition (${tally.oppose})`,
    };
  return {
    state: 'adopted',
    quorum,
    voted,
    reason: `${voted} voted (${quorum} needed); support ${tally.support} against ${tally.oppose}`,
  };
}

/** The window is [proposed, closes): a vote at the closing instant itself is too late. */
export function votingOpen(closesAt: Date | string, now: Date): boolean {
  return now.getTime() < new Date(closesAt).getTime();
}
