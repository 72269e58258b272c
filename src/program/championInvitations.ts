/**
 * Champion invitations (program.md §4: "a clinician becomes a champion only by accepting"). An
 * administrator invites a suggested clinician to champion their department; the clinician sees
 * the invitation privately (on My report) and accepts or declines. Only an acceptance makes a
 * champion: the caller then gives the clinician's account the champion role for the department
 * (`Accounts.grantChampion`, src/admin). A declined invitation is final for that department —
 * being asked again and again is not opt-in.
 *
 * Rows live in `champion_invitations` (migration 14); the caller writes the access log.
 */
import { randomBytes } from 'node:crypto';
import { UptakeError } from '../errors/UptakeError.ts';
import type { Invitation, InvitationState } from '../model/champions.ts';
import type { Sql } from '../store/Store.ts';

const COLUMNS = `id, user_id, department, invited_by, CAST(invited_at AS VARCHAR) AS invited_at,
  state, CAST(decided_at AS VARCHAR) AS decided_at, reason`;

/** TIMESTAMPTZ text of either engine as ISO 8601 in UTC. */
function iso(v: string | null): string | null {
  if (v === null) return null;
  const t = Date.parse(v.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'));
  return Number.isNaN(t) ? v : new Date(t).toISOString();
}

function out(r: Invitation): Invitation {
  return { ...r, invited_at: iso(r.invited_at)!, decided_at: iso(r.decided_at) };
}

/**
 * Invite roster clinician `userId` to champion their department. NOT_FOUND for a clinician not in
 * the roster; INVALID_INPUT without a department; CONFLICT when an invitation for the department
 * is waiting, was accepted, or was declined.
 */
export async function inviteChampion(
  db: Sql,
  i: { user_id: string; invited_by: string; reason: string },
  now = new Date(),
): Promise<Invitation> {
  const [c] = await db.all<{ department: string | null }>(
    `SELECT department FROM clinicians WHERE user_id = $1`,
    [i.user_id],
  );
  if (!c) throw new UptakeError('NOT_FOUND', `clinician ${i.user_id}: not in the roster`);
  if (!c.department)
    throw new UptakeError(
      'INVALID_INPUT',
      `body user_id: clinician ${i.user_id} has no department in the roster; import a roster that names it`,
    );
  const [before] = await db.all<Invitation>(
    `SELECT ${COLUMNS} FROM champion_invitations WHERE user_id = $1 AND department = $2
     ORDER BY invited_at DESC LIMIT 1`,
    [i.user_id, c.department],
  );
  if (before)
    throw new UptakeError(
      'CONFLICT',
      before.state === 'invited'
        ? `clinician ${i.user_id} already has an invitation waiting (since ${iso(before.invited_at)})`
        : before.state === 'accepted'
          ? `clinician ${i.user_id} is already a champion of ${c.department}`
          : `clinician ${i.user_id} declined on ${iso(before.decided_at)}; they are not asked again`,
    );
  const id = `ci-${now.getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
  await db.run(
    `INSERT INTO champion_invitations (id, user_id, department, invited_by, invited_at, state, reason)
     VALUES ($1, $2, $3, $4, CAST($5 AS TIMESTAMPTZ), 'invited', $6)`,
    [id, i.user_id, c.department, i.invited_by, now.toISOString(), i.reason],
  );
  return (await getInvitation(db, id))!;
}

async function getInvitation(db: Sql, id: string): Promise<Invitation | null> {
  const [r] = await db.all<Invitation>(
    `SELECT ${COLUMNS} FROM champion_invitations WHERE id = $1`,
    [id],
  );
  return r ? out(r) : null;
}

/** The invitations of roster clinician `userId` (theirs alone), newest first. */
export async function myInvitations(db: Sql, userId: string | null): Promise<Invitation[]> {
  if (!userId) return [];
  const rows = await db.all<Invitation>(
    `SELECT ${COLUMNS} FROM champion_invitations WHERE user_id = $1 ORDER BY invited_at DESC, id`,
    [userId],
  );
  return rows.map(out);
}

/**
 * The clinician answers their invitation `id`. Anyone else's id is NOT_FOUND (ids cannot be
 * probed); an invitation already answered is CONFLICT.
 */
export async function answerInvitation(
  db: Sql,
  userId: string | null,
  id: string,
  answer: 'accept' | 'decline',
  now = new Date(),
): Promise<Invitation> {
  const inv = await getInvitation(db, id);
  if (!inv || !userId || inv.user_id !== userId)
    throw new UptakeError('NOT_FOUND', `invitation ${id}: none of yours`);
  if (inv.state !== 'invited')
    throw new UptakeError('CONFLICT', `invitation ${id} was already ${inv.state}`);
  const state: InvitationState = answer === 'accept' ? 'accepted' : 'declined';
  await db.run(
    `UPDATE champion_invitations SET state = $2, decided_at = CAST($3 AS TIMESTAMPTZ)
     WHERE id = $1 AND state = 'invited'`,
    [id, state, now.toISOString()],
  );
  return (await getInvitation(db, id))!;
}

/** The latest invitation state of each invited clinician (for the suggestions' `invitation`). */
export async function invitationStates(db: Sql): Promise<Map<string, InvitationState>> {
  const rows = await db.all<{ user_id: string; state: InvitationState; invited_at: string }>(
    `SELECT user_id, state, CAST(invited_at AS VARCHAR) AS invited_at FROM champion_invitations
     ORDER BY user_id, invited_at`,
  );
  return new Map(rows.map((r) => [r.user_id, r.state]));
}
