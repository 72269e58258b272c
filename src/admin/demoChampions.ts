/**
 * The demo's champions and training (issue #14, "Demo and tests"): from the demo's own data, on
 * its clock, the suggested champions of program.md §4 — the first invited and accepted (their
 * account becomes a champion of their department), the second invited and waiting — so the Help
 * page shows suggestions in every state, coverage with uncovered departments, and the training
 * targets that the data give (the demo's tool names its courses and the metric it is meant to
 * lower). Nothing is made twice: a store that holds invitations is left as it is.
 */
import { randomBytes } from 'node:crypto';
import { parseRequest } from '../metrics/computeMetrics.ts';
import { dayFingerprint } from '../metrics/metricDays.ts';
import { dayTableCtes } from '../metrics/clinicianSql.ts';
import type { MetricOptions } from '../model/options.ts';
import { TRAINING_RULE } from '../model/champions.ts';
import { championCandidates, championReason, championWindow } from '../program/champions.ts';
import { answerInvitation, inviteChampion } from '../program/championInvitations.ts';
import { coverageReport } from '../program/championCoverage.ts';
import { trainingTargets } from '../program/trainingTargets.ts';
import { addDays, mondayOnOrBefore } from '../analysis/weeks.ts';
import type { Store } from '../store/Store.ts';
import { accountsOf } from './accounts.ts';
import { usernameOf, type DemoAccount } from './demoAccounts.ts';

export interface DemoChampionsSummary {
  suggested: number;
  accepted: string | null;
  invited: string | null;
  uncovered: string[];
  training_targets: number;
}

/**
 * The account of the demo's waiting invitation, with a new password on every start (printed by
 * `uptake demo`), so that a visitor can sign in as the invited clinician and accept it on My
 * report. Null once it was answered.
 */
export async function demoInvitee(
  store: Store,
): Promise<{ username: string; password: string; department: string } | null> {
  const [inv] = await store.all<{ user_id: string; department: string }>(
    `SELECT user_id, department FROM champion_invitations WHERE state = 'invited' ORDER BY invited_at LIMIT 1`,
  );
  if (!inv) return null;
  const accounts = accountsOf(store);
  const account = await accounts.linkedTo(inv.user_id);
  if (!account || account.role !== 'clinician') return null;
  const password = randomBytes(12).toString('base64url');
  await accounts.update(account.username, { password });
  return { username: account.username, password, department: inv.department };
}

/**
 * Seed the demo's champions once (see the file's comment). `today` is the demo's local date
 * (its clock); the day table of `options` must be filled (as `uptake demo` does before serving).
 */
export async function ensureDemoChampions(
  store: Store,
  demo: readonly DemoAccount[],
  o: { today: string; timezone: string; options: MetricOptions; now: Date },
): Promise<DemoChampionsSummary | null> {
  const [any] = await store.all(`SELECT 1 AS x FROM champion_invitations LIMIT 1`);
  if (any) return null;
  const fp = dayFingerprint(o.options);
  const { from, to } = championWindow(o.today);
  const rows = dayTableCtes(
    store.dialect,
    parseRequest({ from, to, period: 'all', options: o.options }),
    fp,
  ).clinician_rows;
  const { candidates } = await championCandidates(store, rows, { to, timezone: o.timezone });
  const accounts = accountsOf(store);
  const demoLinked = new Set(demo.map((a) => a.clinician_id));
  // Suggested clinicians other than the demo's own accounts, with a department to champion.
  const picks = candidates.filter((c) => c.meets_all && c.department && !demoLinked.has(c.user_id));
  const taken = new Set((await accounts.list()).map((a) => a.username));
  const names: (string | null)[] = [];
  for (const [i, c] of picks.slice(0, 2).entries()) {
    let account = await accounts.linkedTo(c.user_id);
    if (account && account.role !== 'clinician' && account.role !== 'champion') continue;
    if (!account) {
      const username = usernameOf({ ...c, specialty: c.specialty }, taken);
      // Nobody signs in as them unless an administrator sets a password.
      account = await accounts.create({
        username,
        password: randomBytes(18).toString('base64url'),
        role: 'clinician',
        clinician_id: c.user_id,
      });
    }
    const admin = demo.find((a) => a.role === 'admin')?.username ?? 'admin';
    const inv = await inviteChampion(
      store,
      { user_id: c.user_id, invited_by: admin, reason: championReason(c) },
      new Date(o.now.getTime() - (3 - i) * 86_400_000),
    );
    if (i === 0) {
      await answerInvitation(
        store,
        c.user_id,
        inv.id,
        'accept',
        new Date(o.now.getTime() - 86_400_000),
      );
      await accounts.grantChampion(account.username, inv.department);
    }
    names.push(account.username);
  }
  const champions = (await accounts.list()).filter((u) => u.role === 'champion');
  const cov = await coverageReport(store, champions, { timezone: o.timezone, holidays: [] });
  const tTo = mondayOnOrBefore(o.today);
  const weekly = dayTableCtes(
    store.dialect,
    parseRequest({
      from: addDays(tTo, -7 * TRAINING_RULE.weeks),
      to: tTo,
      period: 'week',
      options: o.options,
    }),
    fp,
  ).clinician_rows;
  const targets = await trainingTargets(store, weekly);
  return {
    suggested: candidates.filter((c) => c.meets_all).length,
    accepted: names[0] ?? null,
    invited: names[1] ?? null,
    uncovered: cov.departments.filter((d) => d.uncovered).map((d) => d.department),
    training_targets: targets.length,
  };
}
