import { createHmac } from 'node:crypto';

/**
 * The stored key of one person's vote on one goal: HMAC-SHA-256 under a secret kept outside the
 * database (the caller derives it from Uptake's key file, as patient pseudonyms are), over the
 * goal and the account. It lets the server find a voter's own vote (to change it, to show it to
 * them, to refuse a second one) while the table holds no account name: without the key a copy of
 * the database cannot tell who voted how, and the goal id in the MAC makes one person's votes on
 * different goals unlinkable to each other.
 */
export function goalVoterToken(key: Uint8Array, goalId: string, username: string): string {
  if (key.length < 32) throw new RangeError('goalVoterToken: the key must have at least 32 bytes');
  return createHmac('sha256', key)
    .update(`uptake-goal-vote\u0000${goalId}\u0000${username}`)
    .digest('hex');
}
