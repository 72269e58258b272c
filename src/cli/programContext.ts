/**
 * What `uptake goals` and `uptake feedback` share when they run (loaded by their run modules
 * only): who acts, the access log, the vote key, settling due votes, and flag values checked
 * against the model's closed sets.
 *
 * The command line runs with the store owner's rights, like `uptake users`: views are the
 * owner's (every goal and item, as an administrator sees them), and `--as USER` names the account
 * on whose behalf a change is made — the rules of `src/program` then apply to that account exactly
 * as the API applies them to a signed-in user. Every view and change is written to the access log
 * (refusals too), under the `--as` account, else `cli:<os user>`.
 */
import { userInfo } from 'node:os';
import { AccessLog, type AccessAction } from '../admin/accessLog.ts';
import { accountsOf } from '../admin/accounts.ts';
import { keyFile } from '../admin/paths.ts';
import { UptakeError } from '../errors/UptakeError.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import type { ProgramActor } from '../program/actor.ts';
import { settleDueGoals } from '../program/goalStore.ts';
import { programActorsOf } from '../program/programActors.ts';
import type { Store } from '../store/Store.ts';

/** The name the owner's own views are logged under: `cli:<os user>`. */
export function ownerName(): string {
  let name = process.env['USER'] ?? 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry (a container's numeric user): the environment's name.
  }
  return `cli:${name}`;
}

/** The store owner as the program sees them: every goal and item, as an administrator. */
export function ownerActor(): ProgramActor {
  return { username: ownerName(), role: 'admin', clinician: null, groups: [] };
}

/** The account named by `--as`, as the program sees it (INVALID_INPUT when there is none). */
export async function actorAs(store: Store, username: string): Promise<ProgramActor> {
  const user = await accountsOf(store).get(username);
  if (!user)
    throw new UptakeError(
      'INVALID_INPUT',
      `--as ${username}: no such account; see uptake users list (or add it with uptake users add)`,
    );
  const [actor] = await programActorsOf(store, [user]);
  return actor!;
}

/** Every account, as the program sees it (the group sizes of settling). */
export async function everyone(store: Store): Promise<ProgramActor[]> {
  return programActorsOf(store, await accountsOf(store).list());
}

/** Settle the goals whose vote closed by `now` (the API does it before reading goals too). */
export async function settle(store: Store, now: Date): Promise<void> {
  await settleDueGoals(store, await everyone(store), now);
}

/** The secret of vote tokens: derived from the pseudonym key, as the server derives it. */
export function voteKey(store: Store): Buffer {
  return Pseudonymizer.load(keyFile(store)).derivedKey('goal-votes');
}

/** The refusal's outcome in the access log, as the API writes it. */
function failureOf(e: unknown): { outcome: 'denied' | 'failure'; detail: string } {
  const code = e instanceof UptakeError ? e.code : 'INTERNAL';
  return {
    outcome: code === 'FORBIDDEN' || code === 'NOT_FOUND' ? 'denied' : 'failure',
    detail: code,
  };
}

/** Writes a command's views and changes to the access log. */
export class CliLog {
  private readonly log: AccessLog;
  constructor(
    store: Store,
    /** The `--as` account, else null (the owner). */
    private readonly actor: ProgramActor | null,
    now: Date,
  ) {
    this.log = new AccessLog(store, store.dialect.epochUs, () => now);
  }

  private entry(
    action: AccessAction,
    resource: string,
    outcome: 'success' | 'denied' | 'failure',
    detail: string | null,
  ) {
    const via = this.actor ? `cli, run by ${ownerName()}` : 'cli';
    return this.log.write({
      username: this.actor?.username ?? ownerName(),
      role: this.actor?.role ?? null,
      action,
      resource,
      outcome,
      detail: detail ? `${detail} (${via})` : via,
      ip: null,
    });
  }

  /**
   * Run `fn` and log it under `resource`: its detail on success (`detail` of the result), the
   * error's code on a refusal, which is then passed on.
   */
  async run<T>(
    action: AccessAction,
    resource: string,
    fn: () => Promise<T>,
    detail: (r: T) => string | null = () => null,
  ): Promise<T> {
    let r: T;
    try {
      r = await fn();
    } catch (e) {
      const f = failureOf(e);
      await this.entry(action, resource, f.outcome, f.detail);
      throw e;
    }
    await this.entry(action, resource, 'success', detail(r));
    return r;
  }
}

/**
 * `v` split at commas, each one of `allowed` (BAD_INVOCATION naming `flag` and the choices
 * otherwise): the values of a repeatable or comma-separated flag.
 */
export function choicesOf<T extends string>(
  flag: string,
  v: string | undefined,
  allowed: readonly T[],
): T[] | undefined {
  if (v === undefined) return undefined;
  const out: T[] = [];
  for (const s of v.split(',').map((x) => x.trim())) {
    if (!(allowed as readonly string[]).includes(s))
      throw new UptakeError(
        'BAD_INVOCATION',
        `${flag} ${s}: not one of ${allowed.join(', ')}; separate several with commas`,
      );
    out.push(s as T);
  }
  return out;
}
