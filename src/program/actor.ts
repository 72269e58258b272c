/**
 * Who acts in the buy-in program: an account, its role, the roster row of its clinician and the
 * groups it serves. The routes build it from the session and the roster; every rule and store
 * function of `src/program` takes it, so a check made here holds for the API and the CLI alike.
 */

import type { GroupRef, Role } from '../model/accounts.ts';

/** The roles of the program are the accounts' (`it` included). */
export type ProgramRole = Role;

/** A department, specialty or role a leader or champion serves. */
export type ServedGroup = GroupRef;

export interface ProgramActor {
  username: string;
  role: ProgramRole;
  /** The roster row of the account's clinician; null when the account is not linked to one. */
  clinician: { department: string | null; specialty: string | null; role: string | null } | null;
  /** The groups a leader or champion serves (empty for other roles). */
  groups: readonly ServedGroup[];
}

/** IT staff and administrators triage feedback and see every item. */
export function isTriager(a: Pick<ProgramActor, 'role'>): boolean {
  return a.role === 'it' || a.role === 'admin';
}
