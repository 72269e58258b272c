/**
 * Goals in the store (tables `goals`, `goal_votes`, `goal_comments`; migration 12): propose,
 * list, vote once per person (changeable while the window is open), settle the votes whose
 * window has closed, withdraw, and discuss. The rules are the pure functions beside this file;
 * these functions check who may do what (`ProgramActor`) so the API and the CLI get the same
 * answers.
 *
 * Votes are kept as the keyed hash of (goal, account) (`goalVoterToken`) and deleted when the
 * vote is settled; the goal keeps only the counts. Who voted how is never stored in the clear.
 */
import { UptakeError } from '../errors/UptakeError.ts';
import type { Store } from '../store/Store.ts';
import {
  GOAL_DEFAULTS,
  goalCommentRowSchema,
  goalRowSchema,
  type GoalCommentRow,
  type GoalProposal,
  type GoalRow,
  type GoalRules,
  type GoalState,
  type VoteChoice,
  type VoteTally,
} from '../model/goal.ts';
import type { ProgramActor } from './actor.ts';
import { checkGoalSurvey } from './checkGoalSurvey.ts';
import { adoptionOutcome, votingOpen } from './goalAdoption.ts';
import type { GoalBaseline } from './goalBaseline.ts';
import { noiseCheck } from './goalNoise.ts';
import { goalVoterCount, isGoalVoter, mayProposeGoal } from './goalVoters.ts';
import { goalVoterToken } from './voterToken.ts';
import { localDateOf } from './businessHours.ts';
import { insertNotices } from './notices.ts';
import { fromDb, insertSql, newId, placeholders, selectList } from './rows.ts';

const COLUMNS = Object.keys(goalRowSchema.shape);
const TYPES = {
  instants: new Set(['created_at', 'closes_at', 'decided_at', 'withdrawn_at']),
  dates: new Set(['target_date']),
};
const COMMENT_COLUMNS = Object.keys(goalCommentRowSchema.shape);
const COMMENT_TYPES = { instants: new Set(['created_at']) };

/** A goal as the API shows it: the row, the vote counts so far, and whether it is within noise. */
export interface GoalView extends GoalRow {
  tally: VoteTally;
  /** The target cannot be told from week-to-week variation (null without a baseline). */
  within_noise: boolean | null;
}

function parse(r: Record<string, unknown>): GoalRow {
  return goalRowSchema.parse(fromDb(r, TYPES));
}

/** One goal, or null. */
export async function getGoal(db: Store, id: string): Promise<GoalRow | null> {
  const [r] = await db.all<Record<string, unknown>>(
    `SELECT ${selectList(db.dialect, COLUMNS, TYPES)} FROM goals WHERE id = $1`,
    [id],
  );
  return r ? parse(r) : null;
}

async function goalOrThrow(db: Store, id: string): Promise<GoalRow> {
  const g = await getGoal(db, id);
  if (!g) throw new UptakeError('NOT_FOUND', `goal ${id}: no such goal`);
  return g;
}

/** The counts: live from the votes while voting, as settled afterwards. */
export async function goalTally(db: Store, goal: GoalRow): Promise<VoteTally> {
  if (goal.state !== 'voting' || goal.support !== null)
    return { support: goal.support ?? 0, oppose: goal.oppose ?? 0, abstain: goal.abstain ?? 0 };
  const rows = await db.all<{ choice: VoteChoice; n: number }>(
    `SELECT choice, count(*) AS n FROM goal_votes WHERE goal_id = $1 GROUP BY choice`,
    [goal.id],
  );
  const t: VoteTally = { support: 0, oppose: 0, abstain: 0 };
  for (const r of rows) t[r.choice] = Number(r.n);
  return t;
}

/** The goal with its counts and noise flag. */
export async function viewGoal(db: Store, goal: GoalRow): Promise<GoalView> {
  return {
    ...goal,
    tally: await goalTally(db, goal),
    within_noise:
      goal.baseline === null || goal.noise === null
        ? null
        : noiseCheck({ mean: goal.baseline, noise: goal.noise }, goal.target, goal.direction)
            .within_noise,
  };
}

/**
 * Propose a goal (§1). The proposer must belong to the group (administrators: any group); the
 * group must have clinicians in the roster, a tool named must exist, a survey score's survey must
 * exist and be of its instrument (and its proposer read survey results), and the target date must
 * fall after the vote closes. `rules` are the organisation's window and quorum (defaults of §1);
 * `baseline` is what the form showed (`goalBaseline` over the group's weekly series), stored as
 * the snapshot voters saw.
 */
export async function proposeGoal(
  db: Store,
  actor: ProgramActor,
  p: GoalProposal,
  o: {
    timezone: string;
    now?: Date;
    rules?: Partial<GoalRules>;
    baseline?: GoalBaseline | null;
  },
): Promise<GoalRow> {
  const now = o.now ?? new Date();
  if (!mayProposeGoal(actor, p))
    throw new UptakeError(
      'FORBIDDEN',
      `you may propose goals only for a group you belong to, not ${p.group_by} "${p.group_value}"`,
    );
  if (p.group_by !== 'org') {
    const [c] = await db.all(`SELECT 1 AS x FROM clinicians WHERE ${p.group_by} = $1 LIMIT 1`, [
      p.group_value,
    ]);
    if (!c)
      throw new UptakeError(
        'INVALID_INPUT',
        `group_value: no clinician of the roster has ${p.group_by} "${p.group_value}"`,
      );
  }
  if (p.tool !== undefined) {
    const [t] = await db.all(`SELECT 1 AS x FROM tools WHERE name = $1`, [p.tool]);
    if (!t)
      throw new UptakeError('INVALID_INPUT', `tool: no tool "${p.tool}"; see uptake tool list`);
  }
  await checkGoalSurvey(db, actor, p);
  const window_days = o.rules?.window_days ?? GOAL_DEFAULTS.window_days;
  const min_votes = o.rules?.min_votes ?? GOAL_DEFAULTS.min_votes;
  const closes = new Date(now.getTime() + window_days * 86_400_000);
  const closesOn = localDateOf(closes.getTime(), o.timezone);
  if (p.target_date <= closesOn)
    throw new UptakeError(
      'INVALID_INPUT',
      `target_date: must be after the vote closes (${closesOn}); give a later date`,
    );
  const b = o.baseline ?? null;
  const row: GoalRow = {
    id: newId(now),
    created_at: now.toISOString(),
    proposer: actor.username,
    title: p.title,
    rationale: p.rationale,
    metric: p.metric,
    tool: p.tool ?? null,
    metric_options: JSON.stringify(p.metric_options ?? {}),
    group_by: p.group_by,
    group_value: p.group_value,
    direction: p.direction,
    target: p.target,
    target_date: p.target_date,
    baseline_weeks: p.baseline_weeks ?? GOAL_DEFAULTS.baseline_weeks,
    window_days,
    min_votes,
    closes_at: closes.toISOString(),
    state: 'voting',
    decided_at: null,
    support: null,
    oppose: null,
    abstain: null,
    group_size: null,
    withdrawn_at: null,
    withdrawn_by: null,
    baseline: b?.mean ?? null,
    baseline_low: b?.ci95[0] ?? null,
    baseline_high: b?.ci95[1] ?? null,
    noise: b?.noise ?? null,
    baseline_n: b?.n ?? null,
    survey: p.survey ?? null,
  };
  const ins = insertSql('goals', row, TYPES);
  await db.run(ins.sql, ins.params);
  return goalOrThrow(db, row.id);
}

/** Goals, newest first, optionally of one group and in some states. */
export async function listGoals(
  db: Store,
  f: { group_by?: string; group_value?: string; states?: readonly GoalState[] } = {},
): Promise<GoalRow[]> {
  const where: string[] = [];
  const params: string[] = [];
  if (f.group_by !== undefined) {
    params.push(f.group_by);
    where.push(`group_by = $${params.length}`);
  }
  if (f.group_value !== undefined) {
    params.push(f.group_value);
    where.push(`group_value = $${params.length}`);
  }
  if (f.states?.length) {
    where.push(`state IN (${placeholders(f.states.length, params.length + 1)})`);
    params.push(...f.states);
  }
  const rows = await db.all<Record<string, unknown>>(
    `SELECT ${selectList(db.dialect, COLUMNS, TYPES)} FROM goals
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC`,
    params,
  );
  return rows.map(parse);
}

/**
 * Cast or change `actor`'s vote (§1) while the window is open. One vote per person and goal: the
 * primary key (goal, keyed hash of the account) holds it, so a second vote replaces the first.
 * Only the group's clinicians and champions vote (FORBIDDEN otherwise); a closed or withdrawn
 * goal takes no vote (CONFLICT). `key` is the secret of `goalVoterToken`. Returns the counts.
 */
export async function castGoalVote(
  db: Store,
  key: Uint8Array,
  actor: ProgramActor,
  id: string,
  choice: VoteChoice,
  now = new Date(),
): Promise<VoteTally> {
  const goal = await goalOrThrow(db, id);
  if (goal.state !== 'voting' || !votingOpen(goal.closes_at, now))
    throw new UptakeError(
      'CONFLICT',
      goal.state === 'withdrawn'
        ? `goal ${id} was withdrawn`
        : `the vote on goal ${id} closed at ${goal.closes_at}`,
    );
  if (!isGoalVoter(actor, goal))
    throw new UptakeError(
      'FORBIDDEN',
      `only the clinicians and champions of ${goal.group_by} "${goal.group_value}" vote on this goal`,
    );
  await db.run(
    `INSERT INTO goal_votes (goal_id, voter, choice) VALUES ($1, $2, $3)
     ON CONFLICT (goal_id, voter) DO UPDATE SET choice = EXCLUDED.choice`,
    [id, goalVoterToken(key, id, actor.username), choice],
  );
  return goalTally(db, goal);
}

/** `username`'s own vote on a goal that is still voting (null when none, or after the close). */
export async function myGoalVote(
  db: Store,
  key: Uint8Array,
  id: string,
  username: string,
): Promise<VoteChoice | null> {
  const [r] = await db.all<{ choice: VoteChoice }>(
    `SELECT choice FROM goal_votes WHERE goal_id = $1 AND voter = $2`,
    [id, goalVoterToken(key, id, username)],
  );
  return r?.choice ?? null;
}

/**
 * Settle every vote whose window has closed by `now` (§1): `adopted` or `not_adopted` by
 * `adoptionOutcome`, with the group's size counted over `accounts` (every account of the web app,
 * with its roster row) at settling; the counts are kept on the goal, the votes deleted, and the
 * proposer notified. `decided_at` is the closing instant, whenever this runs; run it before
 * reading goals (it is cheap when nothing is due). Returns the goals settled.
 */
export async function settleDueGoals(
  db: Store,
  accounts: readonly ProgramActor[],
  now = new Date(),
): Promise<GoalRow[]> {
  const due = await db.all<{ id: string }>(
    `SELECT id FROM goals WHERE state = 'voting' AND closes_at <= CAST($1 AS TIMESTAMPTZ)`,
    [now.toISOString()],
  );
  const settled: GoalRow[] = [];
  for (const { id } of due) {
    const goal = await goalOrThrow(db, id);
    const tally = await goalTally(db, goal);
    const size = goalVoterCount(accounts, goal);
    const outcome = adoptionOutcome(tally, goal.min_votes, size);
    await db.transaction(async (tx) => {
      // Guarded by the state: a concurrent settler changes nothing the second time.
      const n = await tx.exec(
        `UPDATE goals SET state = $2, decided_at = closes_at, support = $3, oppose = $4,
           abstain = $5, group_size = $6 WHERE id = $1 AND state = 'voting'`,
        [id, outcome.state, tally.support, tally.oppose, tally.abstain, size],
      );
      if (!n) return;
      await tx.run(`DELETE FROM goal_votes WHERE goal_id = $1`, [id]);
      await insertNotices(tx, [{ username: goal.proposer, kind: 'goal_decided' }], id, null, now);
    });
    settled.push(await goalOrThrow(db, id));
  }
  return settled;
}

/** The proposer or an administrator withdraws a goal that is voting or adopted (§1). */
export async function withdrawGoal(
  db: Store,
  actor: ProgramActor,
  id: string,
  now = new Date(),
): Promise<GoalRow> {
  const goal = await goalOrThrow(db, id);
  if (actor.role !== 'admin' && actor.username !== goal.proposer)
    throw new UptakeError('FORBIDDEN', 'only the proposer or an administrator withdraws a goal');
  if (goal.state !== 'voting' && goal.state !== 'adopted')
    throw new UptakeError('CONFLICT', `goal ${id} is ${goal.state}; there is nothing to withdraw`);
  await db.transaction(async (tx) => {
    await tx.run(
      `UPDATE goals SET state = 'withdrawn', withdrawn_at = CAST($2 AS TIMESTAMPTZ), withdrawn_by = $3
       WHERE id = $1`,
      [id, now.toISOString(), actor.username],
    );
    // A withdrawn vote is never counted: its rows are no longer needed.
    await tx.run(`DELETE FROM goal_votes WHERE goal_id = $1`, [id]);
  });
  return goalOrThrow(db, id);
}

/**
 * Add to a goal's discussion: its group's clinicians and champions, its proposer and
 * administrators, while it is voting or adopted.
 */
export async function addGoalComment(
  db: Store,
  actor: ProgramActor,
  id: string,
  text: string,
  now = new Date(),
): Promise<GoalCommentRow> {
  const goal = await goalOrThrow(db, id);
  if (!isGoalVoter(actor, goal) && actor.username !== goal.proposer && actor.role !== 'admin')
    throw new UptakeError(
      'FORBIDDEN',
      'only the group, the proposer and administrators discuss a goal',
    );
  if (goal.state !== 'voting' && goal.state !== 'adopted')
    throw new UptakeError('CONFLICT', `goal ${id} is ${goal.state}; its discussion is closed`);
  const row: GoalCommentRow = {
    id: newId(now),
    goal_id: id,
    created_at: now.toISOString(),
    author: actor.username,
    text,
  };
  const ins = insertSql('goal_comments', row, COMMENT_TYPES);
  await db.run(ins.sql, ins.params);
  return row;
}

/** A goal's comments, oldest first. */
export async function listGoalComments(db: Store, id: string): Promise<GoalCommentRow[]> {
  const rows = await db.all<Record<string, unknown>>(
    `SELECT ${selectList(db.dialect, COMMENT_COLUMNS, COMMENT_TYPES)} FROM goal_comments
     WHERE goal_id = $1 ORDER BY created_at, id`,
    [id],
  );
  return rows.map((r) => goalCommentRowSchema.parse(fromDb(r, COMMENT_TYPES)));
}

/**
 * "Goals for your group" on My report: the goals `actor` may vote on whose window is open, newest
 * first, at most `limit` (3), each with the counts and the actor's own vote (one-click voting).
 */
export async function goalsToVoteOn(
  db: Store,
  key: Uint8Array,
  actor: ProgramActor,
  now = new Date(),
  limit = 3,
): Promise<(GoalView & { mine: VoteChoice | null })[]> {
  const open = (await listGoals(db, { states: ['voting'] })).filter(
    (g) => votingOpen(g.closes_at, now) && isGoalVoter(actor, g),
  );
  const out: (GoalView & { mine: VoteChoice | null })[] = [];
  for (const g of open.slice(0, limit))
    out.push({ ...(await viewGoal(db, g)), mine: await myGoalVote(db, key, g.id, actor.username) });
  return out;
}
