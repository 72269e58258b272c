/**
 * Help requests: a clinician asks the peer champions of their unit for help with one area of their
 * EHR work (inbox, notes, orders, …); a champion of the unit answers and closes the request, and
 * the clinician sees the answer on their own report. A champion sees only the requests of
 * clinicians in their groups (department, specialty or role, from the roster), and with them the
 * asker's name — the clinician chose to ask — but never any of the asker's numbers.
 *
 * A request goes to the nearest coverage (`helpRoute`): the champions of the asker's department,
 * else of their specialty, else of their role, else the IT / informatics team (the `it` accounts
 * and the administrators). The asker is told where before sending; each recipient gets
 * a notification (an unread marker, counted on the Help requests page's navigation item) until
 * they have seen the request.
 */
import { randomBytes } from 'node:crypto';
import { UptakeError } from '../errors/UptakeError.ts';
import type { Sql, Store } from '../store/Store.ts';
import type { ProgramRole } from './actor.ts';
import type {
  HelpList,
  HelpRequest,
  HelpRoute,
  HelpStatus,
  HelpTier,
  HelpTopic,
} from '../model/help.ts';

export { HELP_TOPICS } from '../model/help.ts';
export type { HelpRequest, HelpRoute, HelpStatus, HelpTier, HelpTopic } from '../model/help.ts';

/** Open requests a clinician may have at once: enough for real needs, not a flood. */
export const MAX_OPEN_PER_CLINICIAN = 5;

/** Who is asking: an account, its role, its roster clinician and the groups it champions. */
export interface HelpActor {
  username: string;
  role: ProgramRole;
  clinician_id: string | null;
  groups: readonly { by: 'department' | 'specialty' | 'role'; value: string }[];
}

const COLUMNS = `h.id, h.username, h.user_id, c.name, c.department, c.specialty, h.topic, h.message,
  h.status, h.answer, h.answered_by, h.routed_to,
  CAST(h.created_at AS VARCHAR) AS created_at, CAST(h.answered_at AS VARCHAR) AS answered_at,
  CAST(h.closed_at AS VARCHAR) AS closed_at`;

type RawRow = Omit<HelpRequest, 'created_at' | 'answered_at' | 'closed_at' | 'routed_to'> & {
  created_at: string;
  answered_at: string | null;
  closed_at: string | null;
  routed_to: string | null;
};

/** TIMESTAMPTZ text of either engine (`2026-01-05 10:00:00+00`) as ISO 8601 in UTC. */
function iso(v: string | null): string | null {
  if (v === null) return null;
  const t = Date.parse(v.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'));
  return Number.isNaN(t) ? v : new Date(t).toISOString();
}

function out(r: RawRow): HelpRequest {
  return {
    ...r,
    created_at: iso(r.created_at)!,
    answered_at: iso(r.answered_at),
    closed_at: iso(r.closed_at),
    routed_to: (TIERS as readonly string[]).includes(r.routed_to ?? '')
      ? (r.routed_to as HelpTier)
      : null,
  };
}

const TIERS: readonly HelpTier[] = ['department', 'specialty', 'role', 'it'];

/** An account as routing needs it (the server's accounts, the demo's). */
export interface HelpAccount {
  username: string;
  role: string;
  clinician_id: string | null;
  groups: readonly { by: string; value: string }[];
}

/** Where a request of roster clinician `clinicianId` goes, with the accounts to notify. */
export async function helpRoute(
  db: Sql,
  accounts: readonly HelpAccount[],
  clinicianId: string,
): Promise<HelpRoute & { recipients: string[] }> {
  const [c] = await db.all<{
    department: string | null;
    specialty: string | null;
    role: string | null;
  }>(`SELECT department, specialty, role FROM clinicians WHERE user_id = $1`, [clinicianId]);
  // Never the asker themselves (a champion asking): they do not answer their own requests.
  const others = accounts.filter((a) => a.clinician_id !== clinicianId);
  for (const tier of ['department', 'specialty', 'role'] as const) {
    const value = c?.[tier];
    if (!value) continue;
    const champions = others.filter(
      (a) => a.role === 'champion' && a.groups.some((g) => g.by === tier && g.value === value),
    );
    if (!champions.length) continue;
    const linked = champions.flatMap((a) => (a.clinician_id ? [a.clinician_id] : []));
    const names = new Map(
      linked.length
        ? (
            await db.all<{ user_id: string; name: string | null }>(
              `SELECT user_id, name FROM clinicians WHERE user_id IN (${linked.map((_, i) => `$${i + 1}`).join(', ')})`,
              linked,
            )
          ).map((r) => [r.user_id, r.name])
        : [],
    );
    return {
      tier,
      group: value,
      names: champions.map((a) => (a.clinician_id && names.get(a.clinician_id)) || a.username),
      recipients: champions.map((a) => a.username),
    };
  }
  return {
    tier: 'it',
    group: null,
    names: [],
    recipients: others.filter((a) => a.role === 'admin' || a.role === 'it').map((a) => a.username),
  };
}

/**
 * SQL condition (on the roster row `c`) for the clinicians a champion serves, with its values
 * bound from `$first` on. Column names come from a fixed list; values are always bound.
 */
function inGroups(groups: HelpActor['groups'], first: number): { sql: string; params: string[] } {
  if (!groups.length) return { sql: 'FALSE', params: [] };
  const col = { department: 'c.department', specialty: 'c.specialty', role: 'c.role' } as const;
  return {
    sql: `(${groups.map((g, i) => `${col[g.by]} = $${first + i}`).join(' OR ')})`,
    params: groups.map((g) => g.value),
  };
}

/**
 * A clinician asks for help: the request is stored with where it went (`helpRoute` over
 * `accounts`) and each recipient is notified. Returns the request and its route.
 */
export async function createHelpRequest(
  db: Store,
  actor: HelpActor,
  req: { topic: HelpTopic; message: string },
  o: { now?: Date; accounts?: readonly HelpAccount[] } = {},
): Promise<HelpRequest & { route: HelpRoute }> {
  const now = o.now ?? new Date();
  if (!actor.clinician_id)
    throw new UptakeError(
      'FORBIDDEN',
      'only an account linked to a roster clinician can ask for help; ask an administrator to link yours',
    );
  const [open] = await db.all<{ n: number }>(
    `SELECT count(*) AS n FROM help_requests WHERE user_id = $1 AND status = 'open'`,
    [actor.clinician_id],
  );
  if (Number(open?.n ?? 0) >= MAX_OPEN_PER_CLINICIAN)
    throw new UptakeError(
      'CONFLICT',
      `you have ${MAX_OPEN_PER_CLINICIAN} open requests; close one that is settled before asking again`,
    );
  const id = `${now.getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
  const { recipients, ...route } = await helpRoute(db, o.accounts ?? [], actor.clinician_id);
  await db.transaction(async (tx) => {
    await tx.run(
      `INSERT INTO help_requests (id, created_at, username, user_id, topic, message, status, routed_to)
       VALUES ($1, CAST($2 AS TIMESTAMPTZ), $3, $4, $5, $6, 'open', $7)`,
      [
        id,
        now.toISOString(),
        actor.username,
        actor.clinician_id,
        req.topic,
        req.message,
        route.tier,
      ],
    );
    for (const username of recipients)
      await tx.run(
        `INSERT INTO notifications (username, kind, ref, created_at)
         VALUES ($1, 'help_request', $2, CAST($3 AS TIMESTAMPTZ))`,
        [username, id, now.toISOString()],
      );
  });
  return { ...(await getHelpRequest(db, id))!, route };
}

/** How many open requests `username` was notified of and has not seen. */
export async function unreadHelpRequests(db: Sql, username: string): Promise<number> {
  const [r] = await db.all<{ n: number }>(
    `SELECT count(*) AS n FROM notifications n JOIN help_requests h ON h.id = n.ref
     WHERE n.username = $1 AND n.kind = 'help_request' AND n.read_at IS NULL AND h.status = 'open'`,
    [username],
  );
  return Number(r?.n ?? 0);
}

/** `username` has seen requests `ids`: their notifications are read. */
export async function markHelpRequestsRead(
  db: Sql,
  username: string,
  ids: readonly string[],
  now = new Date(),
): Promise<void> {
  if (!ids.length) return;
  await db.run(
    `UPDATE notifications SET read_at = CAST($2 AS TIMESTAMPTZ)
     WHERE username = $1 AND kind = 'help_request' AND read_at IS NULL
       AND ref IN (${ids.map((_, i) => `$${i + 3}`).join(', ')})`,
    [username, now.toISOString(), ...ids],
  );
}

async function getHelpRequest(db: Sql, id: string): Promise<HelpRequest | null> {
  const [r] = await db.all<RawRow>(
    `SELECT ${COLUMNS} FROM help_requests h LEFT JOIN clinicians c ON c.user_id = h.user_id
     WHERE h.id = $1`,
    [id],
  );
  return r ? out(r) : null;
}

/** The requests of the actor's own clinician, newest first. */
export async function myHelpRequests(db: Sql, actor: HelpActor): Promise<HelpRequest[]> {
  if (!actor.clinician_id) return [];
  const rows = await db.all<RawRow>(
    `SELECT ${COLUMNS} FROM help_requests h LEFT JOIN clinicians c ON c.user_id = h.user_id
     WHERE h.user_id = $1 ORDER BY h.created_at DESC, h.id`,
    [actor.clinician_id],
  );
  return rows.map(out);
}

/**
 * SQL condition (on the request `h` and the roster row `c`) for the requests `actor` may read and
 * answer, with its values bound from `$first` on: every request for an administrator; those sent
 * to the IT / informatics team for the `it` role (it is notified of them, never of a champion's);
 * for a champion, their groups' clinicians'.
 */
function answerableBy(actor: HelpActor, first: number): { sql: string; params: string[] } {
  if (actor.role === 'admin') return { sql: 'TRUE', params: [] };
  if (actor.role === 'it') return { sql: `h.routed_to = 'it'`, params: [] };
  return inGroups(actor.groups, first);
}

/**
 * The requests a champion may answer (their groups' clinicians), for the `it` role those routed
 * to IT, or, for an administrator, every request; open ones first, then newest first. Never the
 * reader's own requests.
 */
export async function requestsToAnswer(
  db: Sql,
  actor: HelpActor,
  status: HelpStatus | 'all',
): Promise<HelpRequest[]> {
  const where: string[] = [];
  const params: string[] = [];
  if (actor.role !== 'admin') {
    const g = answerableBy(actor, 1);
    where.push(g.sql);
    params.push(...g.params);
    if (actor.clinician_id) {
      params.push(actor.clinician_id);
      where.push(`h.user_id <> $${params.length}`);
    }
  }
  if (status !== 'all') {
    params.push(status);
    where.push(`h.status = $${params.length}`);
  }
  params.push(actor.username);
  const rows = await db.all<RawRow & { unread: boolean | number }>(
    `SELECT ${COLUMNS}, (n.ref IS NOT NULL) AS unread
     FROM help_requests h LEFT JOIN clinicians c ON c.user_id = h.user_id
     LEFT JOIN notifications n ON n.ref = h.id AND n.kind = 'help_request'
       AND n.username = $${params.length} AND n.read_at IS NULL
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY CASE h.status WHEN 'open' THEN 0 WHEN 'answered' THEN 1 ELSE 2 END,
              h.created_at DESC, h.id`,
    params,
  );
  return rows.map((r) => ({ ...out(r), unread: Boolean(r.unread) }));
}

/** A request the actor may answer, or NOT_FOUND (also for one outside their groups: no probing). */
async function answerable(db: Sql, actor: HelpActor, id: string): Promise<HelpRequest> {
  const g = answerableBy(actor, 2);
  const [r] = await db.all<RawRow>(
    `SELECT ${COLUMNS} FROM help_requests h LEFT JOIN clinicians c ON c.user_id = h.user_id
     WHERE h.id = $1 AND ${g.sql}`,
    [id, ...g.params],
  );
  if (!r || (actor.role !== 'admin' && r.user_id === actor.clinician_id))
    throw new UptakeError('NOT_FOUND', `help request ${id}: none that you may answer`);
  return out(r);
}

/** A champion, IT (the requests sent to it) or an administrator answers; `close` also closes it. */
export async function answerHelpRequest(
  db: Sql,
  actor: HelpActor,
  id: string,
  a: { answer: string; close: boolean },
  now = new Date(),
): Promise<HelpRequest> {
  const r = await answerable(db, actor, id);
  if (r.status === 'closed')
    throw new UptakeError('CONFLICT', `help request ${id} is closed; the clinician can ask again`);
  await db.run(
    `UPDATE help_requests SET answer = $2, answered_by = $3,
       answered_at = COALESCE(answered_at, CAST($4 AS TIMESTAMPTZ)), status = CAST($5 AS VARCHAR),
       closed_at = CAST($6 AS TIMESTAMPTZ)
     WHERE id = $1`,
    [
      id,
      a.answer,
      actor.username,
      now.toISOString(),
      a.close ? 'closed' : 'answered',
      a.close ? now.toISOString() : null,
    ],
  );
  await markHelpRequestsRead(db, actor.username, [id], now);
  return (await getHelpRequest(db, id))!;
}

/** The asking clinician closes their own request (settled, or no longer needed). */
export async function closeOwnHelpRequest(
  db: Sql,
  actor: HelpActor,
  id: string,
  now = new Date(),
): Promise<HelpRequest> {
  const r = await getHelpRequest(db, id);
  if (!r || !actor.clinician_id || r.user_id !== actor.clinician_id)
    throw new UptakeError('NOT_FOUND', `help request ${id}: none of yours`);
  if (r.status !== 'closed')
    await db.run(
      `UPDATE help_requests SET status = 'closed', closed_at = CAST($2 AS TIMESTAMPTZ) WHERE id = $1`,
      [id, now.toISOString()],
    );
  return (await getHelpRequest(db, id))!;
}

/** How the loop is doing: open requests, and the time to a first answer of those answered. */
export function helpSummary(rows: readonly HelpRequest[]): HelpList['summary'] {
  const hours = rows
    .filter((r) => r.answered_at)
    .map((r) => (Date.parse(r.answered_at!) - Date.parse(r.created_at)) / 3_600_000)
    .sort((a, b) => a - b);
  const mid = (hours.length - 1) / 2;
  return {
    open: rows.filter((r) => r.status === 'open').length,
    answered: rows.filter((r) => r.status === 'answered').length,
    closed: rows.filter((r) => r.status === 'closed').length,
    median_hours_to_answer: hours.length
      ? (hours[Math.floor(mid)]! + hours[Math.ceil(mid)]!) / 2
      : null,
  };
}

/** One department's champions and its waiting requests. */
export interface CoverageRow {
  department: string;
  clinicians: number;
  /** Champion accounts whose groups include the department (by department, or by a specialty or
   * role that some of its clinicians have). */
  champions: string[];
  open_requests: number;
}

/**
 * Champion coverage per department of the roster: who champions it and how many of its
 * clinicians' requests wait. A champion covers a department when one of their groups is the
 * department, or a specialty or role of one of its clinicians.
 */
export async function championCoverage(
  db: Sql,
  champions: readonly HelpActor[],
): Promise<CoverageRow[]> {
  const roster = await db.all<{
    user_id: string;
    department: string | null;
    specialty: string | null;
    role: string | null;
  }>(`SELECT user_id, department, specialty, role FROM clinicians WHERE department IS NOT NULL`);
  const open = await db.all<{ user_id: string; n: number }>(
    `SELECT user_id, count(*) AS n FROM help_requests WHERE status = 'open' GROUP BY user_id`,
  );
  const openOf = new Map(open.map((r) => [r.user_id, Number(r.n)]));
  const rows = new Map<string, CoverageRow>();
  for (const c of roster) {
    const d = c.department!;
    let row = rows.get(d);
    if (!row)
      rows.set(d, (row = { department: d, clinicians: 0, champions: [], open_requests: 0 }));
    row.clinicians++;
    row.open_requests += openOf.get(c.user_id) ?? 0;
    for (const ch of champions)
      if (
        !row.champions.includes(ch.username) &&
        ch.groups.some(
          (g) =>
            (g.by === 'department' && g.value === d) ||
            (g.by === 'specialty' && g.value === c.specialty) ||
            (g.by === 'role' && g.value === c.role),
        )
      )
        row.champions.push(ch.username);
  }
  return [...rows.values()].sort((a, b) => a.department.localeCompare(b.department));
}
