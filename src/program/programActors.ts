/**
 * `ProgramActor`s from stored accounts, for callers without the server's roster cache (the
 * command line acts on behalf of an account with `--as`): each account with the roster row of its
 * clinician, read in one query. The server builds the same shape from its cached roster
 * (`programActor` of `src/server/routes/programRoutes.ts`).
 */
import type { User } from '../model/accounts.ts';
import type { Sql } from '../store/Store.ts';
import type { ProgramActor } from './actor.ts';
import { placeholders } from './rows.ts';

type RosterRow = { department: string | null; specialty: string | null; role: string | null };

/**
 * The program's view of `users`: role, served groups and the roster row of the linked clinician
 * (null when the account is not linked, or its clinician is not in the roster any more).
 */
export async function programActorsOf(db: Sql, users: readonly User[]): Promise<ProgramActor[]> {
  const ids = [...new Set(users.flatMap((u) => (u.clinician_id ? [u.clinician_id] : [])))];
  const roster = new Map<string, RosterRow>();
  if (ids.length)
    for (const r of await db.all<RosterRow & { user_id: string }>(
      `SELECT user_id, department, specialty, role FROM clinicians
       WHERE user_id IN (${placeholders(ids.length)})`,
      ids,
    ))
      roster.set(r.user_id, { department: r.department, specialty: r.specialty, role: r.role });
  return users.map((u) => ({
    username: u.username,
    role: u.role,
    clinician: (u.clinician_id && roster.get(u.clinician_id)) || null,
    groups: u.groups,
  }));
}

/** True when the roster has a clinician in the group (`org`: any clinician at all). */
export async function groupHasClinicians(
  db: Sql,
  by: 'department' | 'specialty' | 'role' | 'org',
  value: string,
): Promise<boolean> {
  const [r] = await db.all(
    by === 'org'
      ? `SELECT 1 AS x FROM clinicians LIMIT 1`
      : `SELECT 1 AS x FROM clinicians WHERE ${by} = $1 LIMIT 1`,
    by === 'org' ? [] : [value],
  );
  return !!r;
}
