import { ORG_GROUP_VALUE, type GoalGroupBy } from '../model/goal.ts';
import type { ProgramActor } from './actor.ts';

/** A goal's group. */
export interface GoalGroup {
  group_by: GoalGroupBy;
  group_value: string;
}

/**
 * The actor belongs to the group: their roster clinician is in it (department, specialty or
 * role), or, for a leader or champion, it is one of the groups they serve. Everyone with a roster
 * clinician or a served group belongs to the organisation.
 */
export function belongsToGroup(a: ProgramActor, g: GoalGroup): boolean {
  if (g.group_by === 'org') return a.clinician !== null || a.groups.length > 0;
  if (a.clinician && a.clinician[g.group_by] === g.group_value) return true;
  return (
    (a.role === 'leader' || a.role === 'champion') &&
    a.groups.some((s) => s.by === g.group_by && s.value === g.group_value)
  );
}

/** A group as `/api/me` names it. */
export interface MemberGroup {
  by: GoalGroupBy;
  value: string;
}

/**
 * Every group the actor belongs to (`belongsToGroup`), in the order a form lists them: their
 * roster clinician's department, specialty and role, the groups a leader or champion serves, then
 * the organisation. These are the groups they may propose a goal for (administrators: any group).
 */
export function memberGroups(a: ProgramActor): MemberGroup[] {
  const out: MemberGroup[] = [];
  const add = (by: GoalGroupBy, value: string | null): void => {
    if (value !== null && !out.some((g) => g.by === by && g.value === value))
      out.push({ by, value });
  };
  for (const by of ['department', 'specialty', 'role'] as const) add(by, a.clinician?.[by] ?? null);
  if (a.role === 'leader' || a.role === 'champion') for (const g of a.groups) add(g.by, g.value);
  if (belongsToGroup(a, { group_by: 'org', group_value: ORG_GROUP_VALUE }))
    add('org', ORG_GROUP_VALUE);
  return out;
}

/** §1: the group's clinicians and champions vote (leaders, IT and administrators do not). */
export function isGoalVoter(a: ProgramActor, g: GoalGroup): boolean {
  return (a.role === 'clinician' || a.role === 'champion') && belongsToGroup(a, g);
}

/**
 * Who may propose a goal for a group: a clinician, champion or leader of the group; an
 * administrator for any group. (IT staff triage feedback; they do not set clinicians' goals.)
 */
export function mayProposeGoal(a: ProgramActor, g: GoalGroup): boolean {
  if (a.role === 'admin') return true;
  return (
    (a.role === 'clinician' || a.role === 'champion' || a.role === 'leader') && belongsToGroup(a, g)
  );
}

/** The group's size for the quorum: the accounts that may vote on its goals. */
export function goalVoterCount(accounts: readonly ProgramActor[], g: GoalGroup): number {
  return accounts.filter((a) => isGoalVoter(a, g)).length;
}

/**
 * Who reads a goal: IT and administrators every goal; anyone else the goals of the groups they
 * belong to, and their own proposals.
 */
export function mayReadGoal(a: ProgramActor, g: GoalGroup & { proposer: string }): boolean {
  return a.role === 'it' || a.role === 'admin' || belongsToGroup(a, g) || a.username === g.proposer;
}
