/**
 * Sessions of the web app and API, and the failed-login limiter: the HTTP side of accounts (the
 * accounts themselves, passwords included, are `src/admin/accounts.ts`). A session is a random
 * 32-byte token in an HttpOnly cookie; the store keeps only its SHA-256, with an expiry and the
 * session's CSRF token.
 *
 * The server looks a session up on every request, so it keeps the sessions it has seen in memory
 * (`sessionRecheckMs` > 0): a session it ends, or whose user it changes (role, password, groups,
 * deletion: `Accounts.onChange`), is dropped at once; an entry is trusted for at most
 * `sessionRecheckMs` before the store is asked again, which bounds how long a change made by
 * another process (a second server or `uptake users` on the same PostgreSQL database) takes to
 * apply; expiry is checked on every use.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { toUser, userColumns, type Accounts, type User, type UserRow } from '../admin/accounts.ts';
import type { Sql } from '../store/Store.ts';

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

export class Sessions {
  private readonly known = new Map<string, KnownSession>();
  private readonly asking = new Map<string, Promise<KnownSession | null>>();
  /** Bumped by every change that ends or alters sessions: answers asked before it are not kept. */
  private generation = 0;

  /**
   * `sessionRecheckMs`: how long a session read from the store is trusted without asking again
   * (0, the default: every lookup reads the store). Changes of `accounts` drop what is kept of
   * the account's sessions.
   */
  constructor(
    private readonly db: Sql,
    accounts: Accounts,
    private readonly epochUs: (e: string) => string,
    private readonly now: () => Date = () => new Date(),
    private readonly sessionHours = 12,
    private readonly sessionRecheckMs = 0,
  ) {
    accounts.onChange((username) => this.forget(username));
  }

  /** Forget the remembered sessions of `username` (after a change of the account is stored). */
  private forget(username: string): void {
    this.generation++;
    this.asking.clear();
    for (const [k, v] of this.known) if (v.user.username === username) this.known.delete(k);
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
      .all<UserRow & { csrf: string; expires_us: number }>(
        `SELECT s.csrf, ${this.epochUs('s.expires_at')} AS expires_us, ${userColumns(this.epochUs, 'u')}
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
