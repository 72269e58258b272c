/**
 * Accounts of the web app and API, as stored: create, read, change, delete and check a password.
 * The HTTP routes (`src/server/routes/adminRoutes.ts`, sign-in and sign-on) and `uptake users`
 * call these functions; neither writes the SQL itself. Sessions (cookies, CSRF tokens) are the
 * server's (`src/server/auth.ts`), which listens to `onChange` to forget what it kept of a changed
 * account; a new role or password, and a deleted account, end the account's stored sessions here,
 * so that the rule holds however the change is made (web app or command line).
 *
 * Passwords are hashed with scrypt (memory-hard: N = 2^15, r = 8, p = 1, i.e. 32 MiB per hash) and
 * a random salt per user; the hash string carries its parameters so they can be raised later.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';
import { UptakeError } from '../errors/UptakeError.ts';
import { groupRefSchema, ROLES, type GroupRef, type Role, type User } from '../model/accounts.ts';
import type { Sql, Store } from '../store/Store.ts';

export type { User };

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32 };

function scryptAsync(
  password: string,
  salt: Buffer,
  keylen: number,
  o: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, keylen, o, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash` (salt and hash base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keylen } = SCRYPT;
  const key = await scryptAsync(password, salt, keylen, { N, r, p, maxmem: 256 * N * r });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** True when `password` matches `stored`; constant-time in the comparison. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64url');
  const want = Buffer.from(parts[5]!, 'base64url');
  if (!(N > 1 && r > 0 && p > 0 && want.length >= 16)) return false;
  const got = await scryptAsync(password, salt, want.length, { N, r, p, maxmem: 256 * N * r });
  return timingSafeEqual(got, want);
}

/** A hash that matches no password, verified for unknown users so that timing does not tell. */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(18).toString('base64url'));
  return dummyHash;
}

/** The columns of `users` an account is read from (see `toUser`). */
export interface UserRow {
  username: string;
  role: string;
  clinician_id: string | null;
  groups_json: string;
  created_us: number;
}

/**
 * The select list that reads a `UserRow` from the table `users` aliased `alias` (for a query
 * that joins it, such as the server's session lookup); `epochUs` is the store's dialect's.
 */
export function userColumns(epochUs: (e: string) => string, alias = 'users'): string {
  return `${alias}.username, ${alias}.role, ${alias}.clinician_id, ${alias}.groups_json, ${epochUs(`${alias}.created_at`)} AS created_us`;
}

const groupsSchema = z.array(groupRefSchema);

/** An account from its stored row; a role or groups edited by hand into nonsense read safely. */
export function toUser(r: UserRow): User {
  const role = (ROLES as readonly string[]).includes(r.role) ? (r.role as Role) : 'clinician';
  const groups = groupsSchema.safeParse(JSON.parse(r.groups_json || '[]'));
  return {
    username: r.username,
    role,
    clinician_id: r.clinician_id,
    groups: groups.success ? groups.data : [],
    created_at: new Date(Number(r.created_us) / 1000).toISOString(),
  };
}

/** True when `clinicianId` is a `user_id` of the roster. */
export async function inRoster(db: Sql, clinicianId: string): Promise<boolean> {
  const [c] = await db.all(`SELECT 1 AS x FROM clinicians WHERE user_id = $1`, [clinicianId]);
  return !!c;
}

/**
 * Whether an account may become a champion by accepting an invitation: a clinician or a champion
 * only (an administrator, leader or `it` account would lose its role); CONFLICT otherwise.
 */
export function mayBecomeChampion(u: Pick<User, 'username' | 'role'>): void {
  if (u.role !== 'clinician' && u.role !== 'champion')
    throw new UptakeError(
      'CONFLICT',
      `account ${u.username} has the ${u.role} role, which accepting would replace; ask an administrator to give it the champion role instead`,
    );
}

/** The accounts of one store. */
export class Accounts {
  private readonly listeners: ((username: string) => void)[] = [];

  constructor(
    private readonly db: Sql,
    private readonly epochUs: (e: string) => string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Call `fn` with the user name after each stored change of an account that alters or ends its
   * sessions (role, groups, roster clinician, password, replacement, deletion).
   */
  onChange(fn: (username: string) => void): void {
    this.listeners.push(fn);
  }

  private changed(username: string): void {
    for (const fn of this.listeners) fn(username);
  }

  private async row(username: string): Promise<(UserRow & { password_hash: string }) | undefined> {
    const [r] = await this.db.all<UserRow & { password_hash: string }>(
      `SELECT ${userColumns(this.epochUs)}, users.password_hash FROM users WHERE username = $1`,
      [username],
    );
    return r;
  }

  async get(username: string): Promise<User | null> {
    const r = await this.row(username);
    return r ? toUser(r) : null;
  }

  /** The first account (by name) linked to roster clinician `clinicianId`, if any. */
  async linkedTo(clinicianId: string): Promise<User | null> {
    const [r] = await this.db.all<UserRow>(
      `SELECT ${userColumns(this.epochUs)} FROM users WHERE clinician_id = $1 ORDER BY username LIMIT 1`,
      [clinicianId],
    );
    return r ? toUser(r) : null;
  }

  async list(): Promise<User[]> {
    const rows = await this.db.all<UserRow>(
      `SELECT ${userColumns(this.epochUs)} FROM users ORDER BY username`,
    );
    return rows.map(toUser);
  }

  async count(): Promise<number> {
    const [r] = await this.db.all<{ n: number }>(`SELECT count(*) AS n FROM users`);
    return Number(r?.n ?? 0);
  }

  private async insert(
    u: { username: string; role: Role; clinician_id: string | null; groups: GroupRef[] },
    hash: string,
  ): Promise<void> {
    await this.db.run(
      `INSERT INTO users (username, password_hash, role, clinician_id, groups_json, created_at)
       VALUES ($1, $2, $3, $4, $5, CAST($6 AS TIMESTAMPTZ))`,
      [
        u.username,
        hash,
        u.role,
        u.clinician_id,
        JSON.stringify(u.groups),
        this.now().toISOString(),
      ],
    );
  }

  /** Create a user; CONFLICT when the name is taken. */
  async create(u: {
    username: string;
    password: string;
    role: Role;
    clinician_id?: string | null | undefined;
    groups?: GroupRef[] | undefined;
  }): Promise<User> {
    const hash = await hashPassword(u.password);
    if (await this.row(u.username))
      throw new UptakeError('CONFLICT', `user ${u.username} exists; choose another name`);
    await this.insert({ ...u, clinician_id: u.clinician_id ?? null, groups: u.groups ?? [] }, hash);
    return (await this.get(u.username))!;
  }

  /** Create or replace a user (demo accounts), password included; ends its sessions. */
  async upsert(u: {
    username: string;
    password: string;
    role: Role;
    clinician_id: string | null;
    groups: GroupRef[];
  }): Promise<void> {
    const hash = await hashPassword(u.password);
    await this.db.run(`DELETE FROM sessions WHERE username = $1`, [u.username]);
    await this.db.run(`DELETE FROM users WHERE username = $1`, [u.username]);
    await this.insert(u, hash);
    this.changed(u.username);
  }

  /**
   * Change an account: role, groups, roster clinician, password (only the fields given). A new
   * role or password ends the account's sessions, so a removed right cannot outlive the change.
   */
  async update(
    username: string,
    u: {
      role?: Role | undefined;
      clinician_id?: string | null | undefined;
      groups?: GroupRef[] | undefined;
      password?: string | undefined;
    },
  ): Promise<User> {
    const before = await this.get(username);
    if (!before) throw new UptakeError('NOT_FOUND', `no user ${username}`);
    const role = u.role ?? before.role;
    const clinician = u.clinician_id !== undefined ? u.clinician_id : before.clinician_id;
    const groups =
      role === 'leader' || role === 'champion' ? (u.groups ?? before.groups) : ([] as GroupRef[]);
    if (role === 'clinician' && !clinician)
      throw new UptakeError(
        'INVALID_INPUT',
        'body clinician_id: a clinician account needs the clinician_id of the roster',
      );
    if ((role === 'leader' || role === 'champion') && !groups.length)
      throw new UptakeError(
        'INVALID_INPUT',
        'body groups: a leader or champion needs at least one group ({by, value})',
      );
    await this.db.run(
      `UPDATE users SET role = $2, clinician_id = $3, groups_json = $4 WHERE username = $1`,
      [username, role, clinician, JSON.stringify(groups)],
    );
    if (u.password !== undefined)
      await this.db.run(`UPDATE users SET password_hash = $2 WHERE username = $1`, [
        username,
        await hashPassword(u.password),
      ]);
    if (u.password !== undefined || role !== before.role)
      await this.db.run(`DELETE FROM sessions WHERE username = $1`, [username]);
    // Kept sessions carry the user's groups and roster clinician: they are read again.
    this.changed(username);
    return (await this.get(username))!;
  }

  /**
   * A clinician accepted a champion invitation (src/program/championInvitations.ts): their
   * account becomes a champion of `department` (a champion gains the department among their
   * groups). Only a clinician or champion account can: any other role would lose what it has
   * (CONFLICT, checked before the acceptance is recorded with `mayBecomeChampion`). Sessions are
   * kept — a right is added, none removed — and re-read with the new role and groups.
   */
  async grantChampion(username: string, department: string): Promise<User> {
    const before = await this.get(username);
    if (!before) throw new UptakeError('NOT_FOUND', `no user ${username}`);
    mayBecomeChampion(before);
    const groups = before.role === 'champion' ? before.groups : [];
    if (!groups.some((g) => g.by === 'department' && g.value === department))
      groups.push({ by: 'department', value: department });
    await this.db.run(`UPDATE users SET role = 'champion', groups_json = $2 WHERE username = $1`, [
      username,
      JSON.stringify(groups),
    ]);
    this.changed(username);
    return (await this.get(username))!;
  }

  /** Delete a user and their sessions; false when there was none. */
  async delete(username: string): Promise<boolean> {
    await this.db.run(`DELETE FROM sessions WHERE username = $1`, [username]);
    const n = await this.db.exec(`DELETE FROM users WHERE username = $1`, [username]);
    this.changed(username);
    return n > 0;
  }

  /** The user when the password is right, else null (the same work for unknown users). */
  async authenticate(username: string, password: string): Promise<User | null> {
    const r = await this.row(username);
    const ok = await verifyPassword(password, r?.password_hash ?? (await dummyPasswordHash()));
    return ok && r ? toUser(r) : null;
  }
}

/** The accounts of `store` (a command's short-lived view: nothing listens to its changes). */
export function accountsOf(store: Sql & Pick<Store, 'dialect'>): Accounts {
  return new Accounts(store, (e) => store.dialect.epochUs(e));
}
