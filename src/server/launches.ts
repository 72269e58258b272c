/**
 * The SMART launch behind a session (engagement.md §3: a follow-up written in a launch goes to the
 * launching EHR, in the launch's patient and encounter context). Kept in this process's memory
 * only, never in the database: it holds the EHR's access token and the raw patient id, which no
 * store may hold. It lives as long as the access token (or the session, if shorter); a restart
 * forgets it, and follow-ups then go to the configured FHIR server, as without a launch.
 */
export interface LaunchContext {
  /** The launching FHIR server (its base URL, as allowed by UPTAKE_SMART_ISSUERS). */
  iss: string;
  accessToken: string;
  /** The launch's Patient and Encounter resource ids, when the EHR gave them. */
  patient?: string;
  encounter?: string;
  /** Epoch milliseconds when the access token expires. */
  expires: number;
}

/** At most this many launches are remembered; the oldest is forgotten first. */
const MAX_LAUNCHES = 10_000;

export class LaunchContexts {
  private readonly byToken = new Map<string, LaunchContext>();
  constructor(private readonly now: () => Date) {}

  /** Remember the launch of the session `token`, for the `expiresInS` of its access token. */
  set(token: string, ctx: Omit<LaunchContext, 'expires'>, expiresInS: number): void {
    this.byToken.delete(token);
    this.byToken.set(token, { ...ctx, expires: this.now().getTime() + expiresInS * 1000 });
    while (this.byToken.size > MAX_LAUNCHES) {
      const oldest = this.byToken.keys().next().value;
      if (oldest === undefined) break;
      this.byToken.delete(oldest);
    }
  }

  /** The launch of the session `token` while its access token is valid. */
  get(token: string): LaunchContext | null {
    const c = this.byToken.get(token);
    if (!c) return null;
    if (c.expires <= this.now().getTime()) {
      this.byToken.delete(token);
      return null;
    }
    return c;
  }

  /** Forget the launch of a session that ended. */
  delete(token: string): void {
    this.byToken.delete(token);
  }
}
