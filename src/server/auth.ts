/**
 * Local accounts and sessions. Passwords are hashed with scrypt (memory-hard: N = 2^15, r = 8,
 * p = 1, i.e. 32 MiB per hash) and a random salt per user; the hash string carries its parameters
 * so they can be raised later. A session is a random 32-byte token in an HttpOnly cookie; the
 * store keeps only its SHA-256, with an expiry and the session's CSRF token.
 *
 * The server looks a session up on every request, so it keeps the sessions it has seen in memory
 * (`sessionRecheckMs` > 0): a session it ends, or whose user it changes (role, password, groups,
 * deletion), is dropped at once; an entry is trusted for at most `sessionRecheckMs` before the
 * store is asked again, which bounds how long a change made by another process (a second server
 * or `uptake users` on the same PostgreSQL database) takes to apply; expiry is checked on every
 * use.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Sql } from '../store/Store.ts';
import { UptakeError } from '../errors/UptakeError.ts';
import { groupRefSchema, ROLES, type GroupRef, type Role } from './schemas.ts';
import { z } from 'zod';

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

export interface User {
  username: string;
  role: Role;
  clinician_id: string | null;
  groups: GroupRef[];
  created_at: string;
}

interface UserRow {
  username: string;
  password_hash: string;
  role: string;
  clinician_id: string | null;
  groups_json: string;
  created_us: number;
}

const groupsSchema = z.array(groupRefSchema);

function toUser(r: Omit<UserRow, 'password_hash'>): User {
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

/** A session as the server remembers it (see the top of this file). */
interface KnownSession {
  user: User;
  csrf: string;
  /** When it expires, on `now`'s clock (ms). */
  expiresMs: number;
  /** When the store was asked, on the monotonic clock (ms): the entry is trusted until + recheck. */
  askedAt: number;
}

/** Sessions kept in memory at most (the oldest are forgotten first; they are read again). */
const MAX_KNOWN_SESSIONS = 50_000;

export class Accounts {
  private readonly known = new Map<string, KnownSession>();
  private readonly asking = new Map<string, Promise<KnownSession | null>>();
  /** Bumped by every change that ends or alters sessions: answers asked before it are not kept. */
  private generation = 0;

  /**
   * `sessionRecheckMs`: how long a session read from the store is trusted without asking again
   * (0, the default: every lookup reads the store, as the CLI's short-lived instances do).
   */
  constructor(
    private readonly db: Sql,
    private readonly epochUs: (e: string) => string,
    private readonly now: () => Date = () => new Date(),
    private readonly sessionHours = 12,
    private readonly sessionRecheckMs = 0,
  ) {}

  /** Forget the remembered sessions of `username` (after the change is stored). */
  private forget(username: string): void {
    this.generation++;
    this.asking.clear();
    for (const [k, v] of this.known) if (v.user.username === username) this.known.delete(k);
  }

  private get select(): string {
    return `SELECT username, password_hash, role, clinician_id, groups_json, ${this.epochUs('created_at')} AS created_us FROM users`;
  }

  private async row(username: string): Promise<UserRow | undefined> {
    const [r] = await this.db.all<UserRow>(`${this.select} WHERE username = $1`, [username]);
    return r;
  }

  async get(username: string): Promise<User | null> {
    const r = await this.row(username);
    return r ? toUser(r) : null;
  }

  /** The first account (by name) linked to roster clinician `clinicianId`, if any. */
  async linkedTo(clinicianId: string): Promise<User | null> {
    const [r] = await this.db.all<UserRow>(
      `${this.select} WHERE clinician_id = $1 ORDER BY username LIMIT 1`,
      [clinicianId],
    );
    return r ? toUser(r) : null;
  }

  async list(): Promise<User[]> {
    const rows = await this.db.all<UserRow>(`${this.select} ORDER BY username`);
    return rows.map(toUser);
  }

  async count(): Promise<number> {
    const [r] = await this.db.all<{ n: number }>(`SELECT count(*) AS n FROM users`);
    return Number(r?.n ?? 0);
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
    await this.db.run(
      `INSERT INTO users (username, password_hash, role, clinician_id, groups_json, created_at)
       VALUES ($1, $2, $3, $4, $5, CAST($6 AS TIMESTAMPTZ))`,
      [
        u.username,
        hash,
        u.role,
        u.clinician_id ?? null,
        JSON.stringify(u.groups ?? []),
        this.now().toISOString(),
      ],
    );
    return (await this.get(u.username))!;
  }

  /** Create or replace a user (demo accounts), password included. */
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
    this.forget(u.username);
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
    // Kept sessions carry the user's groups and roster clinician: read them again.
    this.forget(username);
    return (await this.get(username))!;
  }

  /** Delete a user and their sessions; false when there was none. */
  async delete(username: string): Promise<boolean> {
    await this.db.run(`DELETE FROM sessions WHERE username = $1`, [username]);
    const n = await this.db.exec(`DELETE FROM users WHERE username = $1`, [username]);
    this.forget(username);
    return n > 0;
  }

  /** The user when the password is right, else null (the same work for unknown users). */
  async authenticate(username: string, password: string): Promise<User | null> {
    const r = await this.row(username);
    const ok = await verifyPassword(password, r?.password_hash ?? (await dummyPasswordHash()));
    return ok && r ? toUser(r) : null;
  }

  /** A new session: the cookie token (only its hash is stored) and its CSRF token. */
  async startSession(username: string): Promise<{ token: string; csrf: string; maxAgeS: number }> {
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const now = this.now();
    const expires = new Date(now.getTime() + this.sessionHours * 3600_000);
    await this.db.run(`DELETE FROM sessions WHERE expires_at <= CAST($1 AS TIMESTAMPTZ)`, [
      now.toISOString(),
    ]);
    await this.db.run(
      `INSERT INTO sessions (token_hash, username, csrf, created_at, expires_at)
       VALUES ($1, $2, $3, CAST($4 AS TIMESTAMPTZ), CAST($5 AS TIMESTAMPTZ))`,
      [tokenHash(token), username, csrf, now.toISOString(), expires.toISOString()],
    );
    return { token, csrf, maxAgeS: this.sessionHours * 3600 };
  }

  /** The session of a cookie token, when it exists and has not expired. */
  async session(token: string): Promise<{ user: User; csrf: string } | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const key = tokenHash(token);
    const hit = this.known.get(key);
    const s =
      hit && performance.now() - hit.askedAt < this.sessionRecheckMs ? hit : await this.ask(key);
    return s && this.now().getTime() < s.expiresMs ? { user: s.user, csrf: s.csrf } : null;
  }

  /** Read a session from the store; concurrent lookups of one token share one query. */
  private ask(key: string): Promise<KnownSession | null> {
    const pending = this.asking.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const askedAt = performance.now();
    const p = this.db
      .all<Omit<UserRow, 'password_hash'> & { csrf: string; expires_us: number }>(
        `SELECT s.csrf, ${this.epochUs('s.expires_at')} AS expires_us, u.username, u.role, u.clinician_id, u.groups_json, ${this.epochUs('u.created_at')} AS created_us
         FROM sessions s JOIN users u ON u.username = s.username
         WHERE s.token_hash = $1 AND s.expires_at > CAST($2 AS TIMESTAMPTZ)`,
        [key, this.now().toISOString()],
      )
      .then(([r]) => {
        const s: KnownSession | null = r
          ? { user: toUser(r), csrf: r.csrf, expiresMs: Number(r.expires_us) / 1000, askedAt }
          : null;
        // An answer read before a change that ends or alters sessions is used once, not kept.
        if (this.sessionRecheckMs > 0 && generation === this.generation) {
          this.known.delete(key);
          if (s) this.remember(key, s);
        }
        return s;
      })
      .finally(() => {
        if (this.asking.get(key) === p) this.asking.delete(key);
      });
    this.asking.set(key, p);
    return p;
  }

  private remember(key: string, s: KnownSession): void {
    if (this.known.size >= MAX_KNOWN_SESSIONS) {
      const t = this.now().getTime();
      for (const [k, v] of this.known) if (v.expiresMs <= t) this.known.delete(k);
      while (this.known.size >= MAX_KNOWN_SESSIONS)
        this.known.delete(this.known.keys().next().value!);
    }
    this.known.set(key, s);
  }

  async endSession(token: string): Promise<void> {
    const key = tokenHash(token);
    await this.db.run(`DELETE FROM sessions WHERE token_hash = $1`, [key]);
    this.generation++;
    this.asking.delete(key);
    this.known.delete(key);
  }
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Constant-time equality of two strings (for CSRF tokens). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Behind an untrusted proxy: how many times `max` failures one socket address may gather. */
export const PROXIED_FACTOR = 20;

/**
 * Failed logins per (user name, client address): after `max` failures within `windowMs`, every
 * attempt is refused (429) until the oldest failure leaves the window, right password or not.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  constructor(
    private readonly max = 5,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = () => Date.now(),
  ) {}
  private key(username: string, ip: string): string {
    return `${username.toLowerCase()}\u0000${ip}`;
  }
  private recent(key: string): number[] {
    const t = this.now();
    const list = (this.failures.get(key) ?? []).filter((x) => t - x < this.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }
  private waitFor(key: string, max: number): number {
    const list = this.recent(key);
    if (list.length < max) return 0;
    return Math.ceil((list[list.length - max]! + this.windowMs - this.now()) / 1000);
  }
  private record(key: string): void {
    const list = this.recent(key);
    list.push(this.now());
    this.failures.set(key, list);
    if (this.failures.size > 100_000) this.failures.delete(this.failures.keys().next().value!);
  }
  /**
   * The keys a failure counts against. `forwarded` is the client address an untrusted proxy
   * names (X-Forwarded-For without `--trust-proxy`): behind a proxy every socket address is the
   * proxy's, so the pair is keyed by socket and forwarded address, lest one user's typos lock the
   * name for the whole organisation. The header is the client's to forge, so the socket address
   * alone still has a ceiling (`PROXIED_FACTOR` × max) that rotating its value cannot pass.
   */
  private keys(username: string, ip: string, forwarded?: string | null): [string, number][] {
    if (!forwarded) return [[this.key(username, ip), this.max]];
    return [
      [this.key(username, `${ip} for ${forwarded}`), this.max],
      [this.key(username, ip), this.max * PROXIED_FACTOR],
    ];
  }
  /** Seconds until another attempt is allowed, or 0 when it is allowed now. */
  blockedFor(username: string, ip: string, forwarded?: string | null): number {
    return Math.max(...this.keys(username, ip, forwarded).map(([k, max]) => this.waitFor(k, max)));
  }
  fail(username: string, ip: string, forwarded?: string | null): void {
    for (const [k] of this.keys(username, ip, forwarded)) this.record(k);
  }
  succeed(username: string, ip: string, forwarded?: string | null): void {
    // The shared ceiling of a proxy is not cleared by one user's success.
    this.failures.delete(this.keys(username, ip, forwarded)[0]![0]);
  }
}
