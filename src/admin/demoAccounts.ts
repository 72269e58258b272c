/**
 * The demo accounts of `uptake demo`: one per role, on real clinicians of the synthetic roster.
 * Passwords are generated at random the first time and kept, with the accounts, in a file beside
 * the demo store (owner-only), so that every start can print them.
 */
import { answerHelpRequest, createHelpRequest } from '../program/helpRequests.ts';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Store } from '../store/Store.ts';
import type { GroupRef, Role } from '../model/accounts.ts';
import { accountsOf } from './accounts.ts';

export interface DemoAccount {
  username: string;
  password: string;
  role: Role;
  clinician_id: string | null;
  groups: GroupRef[];
  /** What the account shows, for the start-up message. */
  about: string;
}

export interface RosterRow {
  user_id: string;
  name: string | null;
  department: string | null;
  specialty: string | null;
}

/** The demo's IT / clinical-informatics account (role `it`): triages the feedback to IT. */
const IT_ACCOUNT: Omit<DemoAccount, 'password'> = {
  username: 'it',
  role: 'it',
  clinician_id: null,
  groups: [],
  about:
    'IT / informatics: triage board, IT dashboard, the organisation’s aggregates (no clinician’s own numbers)',
};

/** A user name from the roster name (`tobias.underwood`), unique among `taken` (which it extends). */
export function usernameOf(r: RosterRow, taken: Set<string>): string {
  const base =
    (r.name ?? '')
      .normalize('NFKD')
      .replace(/[^\w\s.-]/g, '')
      .trim()
      .toLowerCase()
      .replace(/\s+/g, '.')
      .replace(/[^a-z0-9._-]/g, '') || r.user_id.toLowerCase();
  let name = base.slice(0, 60);
  for (let i = 2; taken.has(name); i++) name = `${base.slice(0, 58)}${i}`;
  taken.add(name);
  return name;
}

/**
 * Create the demo accounts unless `file` lists accounts that all still exist; return them.
 * `preferred` departments (e.g. the go-live ones) go to the leader when the roster has them.
 */
export async function ensureDemoAccounts(
  store: Store,
  file: string,
  preferred: readonly string[] = [],
): Promise<DemoAccount[]> {
  const accounts = accountsOf(store);
  if (existsSync(file)) {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as DemoAccount[];
      const present = await Promise.all(saved.map((a) => accounts.get(a.username)));
      if (saved.length && present.every((u, i) => u && u.role === saved[i]!.role)) {
        // A demo made before the `it` role existed gets its IT account on this start.
        if (saved.some((a) => a.role === 'it') || (await accounts.get(IT_ACCOUNT.username)))
          return saved;
        const it = { ...IT_ACCOUNT, password: randomBytes(12).toString('base64url') };
        await accounts.upsert(it);
        const out = [...saved, it];
        writeAccounts(file, out);
        return out;
      }
    } catch {
      // Unreadable: make new ones.
    }
  }
  const roster = await store.all<RosterRow>(
    `SELECT user_id, name, department, specialty FROM clinicians WHERE department IS NOT NULL ORDER BY user_id`,
  );
  const departments = [...new Set(roster.map((r) => r.department!))];
  const bySize = [...departments].sort(
    (a, b) =>
      roster.filter((r) => r.department === b).length -
      roster.filter((r) => r.department === a).length,
  );
  const leaderDepts = [
    ...preferred.filter((d) => departments.includes(d)),
    ...bySize.filter((d) => !preferred.includes(d)),
  ].slice(0, 2);
  const championDept = bySize.find((d) => !leaderDepts.includes(d)) ?? leaderDepts[0];
  const inDept = (d: string | undefined) => roster.filter((r) => r.department === d);
  const taken = new Set(['admin', 'leader', 'champion', IT_ACCOUNT.username]);
  const pw = () => randomBytes(12).toString('base64url');
  const out: DemoAccount[] = [
    {
      username: 'admin',
      password: pw(),
      role: 'admin',
      clinician_id: null,
      groups: [],
      about: 'everything: organisation, every group, data, settings, users, access log',
    },
  ];
  out.push({ ...IT_ACCOUNT, password: pw() });
  if (leaderDepts.length)
    out.push({
      username: 'leader',
      password: pw(),
      role: 'leader',
      clinician_id: null,
      groups: leaderDepts.map((value) => ({ by: 'department', value })),
      about: `organisation page and the groups ${leaderDepts.join(' and ')}`,
    });
  const champ = inDept(championDept)[1] ?? inDept(championDept)[0];
  if (championDept)
    out.push({
      username: 'champion',
      password: pw(),
      role: 'champion',
      clinician_id: champ?.user_id ?? null,
      groups: [{ by: 'department', value: championDept }],
      about:
        `the group ${championDept}` +
        (champ ? ` and their own report (${champ.name ?? champ.user_id}, ${champ.user_id})` : ''),
    });
  const c1 = inDept(leaderDepts[0])[0];
  const c2 =
    inDept(championDept).find((r) => r.user_id !== champ?.user_id) ?? roster.find((r) => r !== c1);
  for (const c of [c1, c2]) {
    if (!c) continue;
    out.push({
      username: usernameOf(c, taken),
      password: pw(),
      role: 'clinician',
      clinician_id: c.user_id,
      groups: [],
      about: `own report only (${c.name ?? c.user_id}, ${c.user_id}, ${c.specialty ?? ''}, ${c.department ?? ''})`,
    });
  }
  for (const a of out) await accounts.upsert(a);
  writeAccounts(file, out);
  return out;
}

/** The accounts file, owner-only (it holds the passwords). */
function writeAccounts(file: string, list: readonly DemoAccount[]): void {
  writeFileSync(file, JSON.stringify(list, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** The accounts as a few lines for the terminal. */
export function describeAccounts(
  list: readonly DemoAccount[],
  /** Lines of other accounts (the invited clinician), aligned with the rest. */
  extra: readonly { label: string; username: string; password: string; about: string }[] = [],
): string {
  const rows = [...list.map((a) => ({ ...a, label: a.role })), ...extra];
  const w = Math.max(...rows.map((a) => a.username.length), 9);
  return rows
    .map((a) => `  ${a.label.padEnd(9)}  ${a.username.padEnd(w)}  ${a.password}   ${a.about}`)
    .join('\n');
}

/**
 * Two help requests on a new demo system, so the champion's page and the clinician's report show
 * the loop: one answered by the champion, one still open. Only when there are none yet.
 */
export async function ensureDemoHelpRequests(
  store: Store,
  accounts: readonly DemoAccount[],
  now = new Date(),
): Promise<void> {
  const [n] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM help_requests`);
  if (Number(n?.n ?? 0) > 0) return;
  const champion = accounts.find((a) => a.role === 'champion');
  const unit = champion?.groups[0]?.value;
  if (!champion || !unit) return;
  const ids = accounts.filter((a) => a.role === 'clinician' && a.clinician_id);
  let asker: DemoAccount | undefined;
  for (const a of ids) {
    const [c] = await store.all(
      `SELECT 1 AS x FROM clinicians WHERE user_id = $1 AND department = $2`,
      [a.clinician_id, unit],
    );
    if (c) asker = a;
  }
  if (!asker) return;
  const actor = { ...asker, groups: [] };
  const hour = 3_600_000;
  const first = await createHelpRequest(
    store,
    actor,
    {
      topic: 'inbox',
      message: 'My In Basket takes most of my evenings. Can results be pooled or filtered for me?',
    },
    { now: new Date(now.getTime() - 50 * hour), accounts },
  );
  await answerHelpRequest(
    store,
    { ...champion, groups: champion.groups },
    first.id,
    {
      answer:
        'Yes: normal results can go to the pool our MAs work, and you can filter FYI messages. I will set it up with you on Thursday after clinic.',
      close: false,
    },
    new Date(now.getTime() - 46 * hour),
  );
  await createHelpRequest(
    store,
    actor,
    { topic: 'notes', message: 'Is there a shorter template for follow-up visits?' },
    { now: new Date(now.getTime() - 5 * hour), accounts },
  );
}
