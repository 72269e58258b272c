/**
 * Single sign-on: OpenID Connect (the organisation's identity provider) and SMART on FHIR EHR
 * launch (a clinician opens their report from inside the EHR). Both are the authorization-code
 * flow with PKCE, state and nonce, done by `openid-client` (the protocol, the token exchange and
 * the ID token's signature, issuer, audience, expiry and nonce checks); Uptake decides only who
 * the person is in Uptake:
 *
 * - OIDC: the claim `usernameClaim` (default `preferred_username`) names a local account, which an
 *   administrator created with its role and groups. No account, no entry: SSO authenticates,
 *   Uptake's own accounts authorize.
 * - SMART: the ID token's `fhirUser` (`Practitioner/<id>`, relative or absolute) names a roster
 *   clinician (`rosterClinician`: the roster key itself, else an identity of the roster in
 *   `clinician_identifiers`, else the identifiers of the Practitioner read from the EHR's FHIR
 *   server with the launch's access token). The account linked to that clinician signs in; a
 *   roster clinician without one gets a clinician account (own report only) on first launch, since
 *   the EHR has already vouched for them. Only the FHIR servers listed in `issuers` may launch.
 *
 * EHRs show SMART apps inside a frame: `frameAncestorsFromEnv` reads the origins allowed to frame
 * Uptake, and `partitionedCookies` says when Uptake's cookies must be CHIPS cookies to survive
 * there (see the server README).
 *
 * Configuration comes from the environment (`ssoConfigFromEnv`), validated with zod.
 */
import * as oidc from 'openid-client';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { UptakeError, type ErrorCode } from '../errors/UptakeError.ts';
import type { SsoFailure } from '../model/ssoFailures.ts';
import type { Sql, SqlValue } from '../store/Store.ts';
import { practitionerIdentities, type ClinicianIdentifier } from '../model/clinicianIdentifiers.ts';

/** The sign-in page's code of errors thrown with `ssoError` (others are classed by their code). */
const failureOf = new WeakMap<Error, SsoFailure>();

/** An error of a sign-on that also names the fixed message the sign-in page shows for it. */
export function ssoError(code: ErrorCode, failure: SsoFailure, message: string): UptakeError {
  const e = new UptakeError(code, message);
  failureOf.set(e, failure);
  return e;
}

/** The sign-in page's code for any error of a sign-on (never the error's own words). */
export function ssoFailure(e: unknown): SsoFailure {
  if (!(e instanceof Error)) return 'failed';
  const tagged = failureOf.get(e);
  if (tagged) return tagged;
  if (!(e instanceof UptakeError)) return 'failed';
  const byCode: Partial<Record<ErrorCode, SsoFailure>> = {
    NOT_FOUND: 'not_configured',
    FORBIDDEN: 'not_allowed',
    UNAUTHENTICATED: 'restart',
    UNAVAILABLE: 'unavailable',
    INVALID_INPUT: 'bad_launch',
  };
  return byCode[e.code] ?? 'failed';
}

export interface SsoConfig {
  /** Uptake's base URL as browsers reach it (redirect URIs are built from it). */
  publicUrl: string;
  oidc?: {
    issuer: string;
    clientId: string;
    clientSecret?: string | undefined;
    usernameClaim: string;
    /** The button's words: "Sign in with <label>". */
    label: string;
  };
  smart?: {
    clientId: string;
    clientSecret?: string | undefined;
    /** FHIR base URLs allowed to launch Uptake (exact match, no trailing slash). */
    issuers: string[];
    /**
     * Ask the EHR for the scopes that write a follow-up in the launch's patient context
     * (`FOLLOWUP_SCOPES`; UPTAKE_SMART_FOLLOWUPS=true): follow-ups written in such a launch go to
     * the launching EHR as Communication, CarePlan and Task.
     */
    followups?: boolean;
  };
  /** Allow http:// identity providers (a local test IdP only; never in production). */
  allowHttp?: boolean;
}

const url = z.string().url();
const envSchema = z.object({
  UPTAKE_PUBLIC_URL: url.optional(),
  UPTAKE_OIDC_ISSUER: url.optional(),
  UPTAKE_OIDC_CLIENT_ID: z.string().min(1).optional(),
  UPTAKE_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  UPTAKE_OIDC_USERNAME_CLAIM: z.string().min(1).default('preferred_username'),
  UPTAKE_OIDC_LABEL: z.string().min(1).max(60).default('your organisation'),
  UPTAKE_SMART_CLIENT_ID: z.string().min(1).optional(),
  UPTAKE_SMART_CLIENT_SECRET: z.string().min(1).optional(),
  UPTAKE_SMART_FOLLOWUPS: z.enum(['true', 'false']).optional(),
  UPTAKE_SMART_ISSUERS: z.string().optional(),
  UPTAKE_SSO_ALLOW_HTTP: z.enum(['0', '1', 'true', 'false']).optional(),
});

/** The SSO configuration of the environment, or null when neither OIDC nor SMART is set up. */
export function ssoConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SsoConfig | null {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new UptakeError('INVALID_INPUT', `environment ${String(i.path[0])}: ${i.message}`);
  }
  const e = parsed.data;
  const wantsOidc = e.UPTAKE_OIDC_ISSUER || e.UPTAKE_OIDC_CLIENT_ID;
  const wantsSmart = e.UPTAKE_SMART_CLIENT_ID || e.UPTAKE_SMART_ISSUERS;
  if (!wantsOidc && !wantsSmart) return null;
  if (!e.UPTAKE_PUBLIC_URL)
    throw new UptakeError(
      'INVALID_INPUT',
      'environment UPTAKE_PUBLIC_URL: required for single sign-on (the address browsers use for Uptake, e.g. https://uptake.example.org)',
    );
  const cfg: SsoConfig = {
    publicUrl: e.UPTAKE_PUBLIC_URL.replace(/\/+$/, ''),
    allowHttp: e.UPTAKE_SSO_ALLOW_HTTP === '1' || e.UPTAKE_SSO_ALLOW_HTTP === 'true',
  };
  if (wantsOidc) {
    if (!e.UPTAKE_OIDC_ISSUER || !e.UPTAKE_OIDC_CLIENT_ID)
      throw new UptakeError(
        'INVALID_INPUT',
        'environment: OpenID Connect needs both UPTAKE_OIDC_ISSUER and UPTAKE_OIDC_CLIENT_ID',
      );
    cfg.oidc = {
      issuer: e.UPTAKE_OIDC_ISSUER,
      clientId: e.UPTAKE_OIDC_CLIENT_ID,
      clientSecret: e.UPTAKE_OIDC_CLIENT_SECRET,
      usernameClaim: e.UPTAKE_OIDC_USERNAME_CLAIM,
      label: e.UPTAKE_OIDC_LABEL,
    };
  }
  if (wantsSmart) {
    const issuers = (e.UPTAKE_SMART_ISSUERS ?? '')
      .split(',')
      .map((s) => s.trim().replace(/\/+$/, ''))
      .filter(Boolean);
    if (!e.UPTAKE_SMART_CLIENT_ID || !issuers.length)
      throw new UptakeError(
        'INVALID_INPUT',
        'environment: SMART on FHIR launch needs UPTAKE_SMART_CLIENT_ID and UPTAKE_SMART_ISSUERS (the FHIR base URLs allowed to launch Uptake, comma-separated)',
      );
    for (const i of issuers)
      if (!url.safeParse(i).success)
        throw new UptakeError(
          'INVALID_INPUT',
          `environment UPTAKE_SMART_ISSUERS: ${i} is not a URL`,
        );
    cfg.smart = {
      clientId: e.UPTAKE_SMART_CLIENT_ID,
      clientSecret: e.UPTAKE_SMART_CLIENT_SECRET,
      followups: e.UPTAKE_SMART_FOLLOWUPS === 'true',
      issuers,
    };
  }
  return cfg;
}

/**
 * An origin allowed to frame Uptake, as CSP `frame-ancestors` takes it: `https://host[:port]`
 * (also `http://` for a local EHR), optionally with a `*.` wildcard for subdomains. Nothing else
 * (no path, no keyword, no `;`), so a setting cannot widen or break the policy.
 */
const ANCESTOR =
  /^https?:\/\/(\*\.)?([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/;

/**
 * The origins allowed to show Uptake inside a frame (an EHR embedding the SMART app), from
 * `UPTAKE_FRAME_ANCESTORS` (comma- or space-separated); none (`'none'`, the default) forbids
 * framing altogether.
 */
export function frameAncestorsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = (env['UPTAKE_FRAME_ANCESTORS'] ?? '').trim();
  if (!raw || raw === "'none'" || raw === 'none') return [];
  const list = raw
    .split(/[\s,]+/)
    .map((o) => o.replace(/\/+$/, ''))
    .filter(Boolean);
  for (const o of list)
    if (!ANCESTOR.test(o))
      throw new UptakeError(
        'INVALID_INPUT',
        `environment UPTAKE_FRAME_ANCESTORS: ${o.slice(0, 100)} is not an origin; list the EHR origins allowed to frame Uptake, e.g. https://ehr.example.org (scheme and host, no path), or leave it unset to forbid framing`,
      );
  return [...new Set(list)];
}

/** A host name browsers treat as a secure context even over http (localhost, loopback). */
function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return (
    h === 'localhost' || h.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(h) || h === '[::1]'
  );
}

/**
 * Whether the cookies of this request must be partitioned (CHIPS: `Partitioned; Secure;
 * SameSite=None`) so that Uptake works inside an EHR's frame: framing is configured and the
 * browser will keep a `Secure` cookie here (https, or a loopback host, which Chromium and Firefox
 * treat as secure). Otherwise the cookies stay first-party (SameSite Strict/Lax); a framed launch
 * then finds its cookie missing and the sign-in page offers a new window instead.
 */
export function partitionedCookies(
  req: { protocol: string; hostname: string },
  frameAncestors: readonly string[],
  publicUrl?: string,
): boolean {
  if (!frameAncestors.length) return false;
  return req.protocol === 'https' || !!publicUrl?.startsWith('https:') || isLoopback(req.hostname);
}

/** What the browser keeps (HttpOnly cookie) between the redirect out and the callback. */
export interface PendingLogin {
  kind: 'oidc' | 'smart';
  state: string;
  nonce: string;
  verifier: string;
  /** SMART: the FHIR server that launched. */
  iss?: string | undefined;
  /** Milliseconds since the epoch after which the callback is refused. */
  expires: number;
}

const pendingSchema = z.object({
  kind: z.enum(['oidc', 'smart']),
  state: z.string().min(16),
  nonce: z.string().min(16),
  verifier: z.string().min(43),
  iss: z.string().optional(),
  expires: z.number(),
});

export function encodePending(p: PendingLogin): string {
  return Buffer.from(JSON.stringify(p)).toString('base64url');
}

export function decodePending(v: string | undefined): PendingLogin | null {
  if (!v) return null;
  try {
    const r = pendingSchema.safeParse(JSON.parse(Buffer.from(v, 'base64url').toString('utf8')));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

const smartConfigSchema = z.object({
  issuer: z.string().url().optional(),
  authorization_endpoint: z.string().url(),
  token_endpoint: z.string().url(),
  jwks_uri: z.string().url().optional(),
});

/** The protocol side of sign-on: building the redirect out and checking the callback. */
export class SingleSignOn {
  private oidcConfig: Promise<oidc.Configuration> | null = null;
  private readonly smartConfigs = new Map<
    string,
    { at: number; config: Promise<oidc.Configuration> }
  >();

  constructor(
    readonly cfg: SsoConfig,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private options(): { execute: ((c: oidc.Configuration) => void)[] } {
    return { execute: this.cfg.allowHttp ? [oidc.allowInsecureRequests] : [] };
  }

  redirectUri(kind: 'oidc' | 'smart'): string {
    return `${this.cfg.publicUrl}/api/sso/${kind}/callback`;
  }

  private oidcConfiguration(): Promise<oidc.Configuration> {
    const o = this.cfg.oidc;
    if (!o) throw new UptakeError('NOT_FOUND', 'OpenID Connect sign-on is not set up here');
    if (!this.oidcConfig) {
      const p = oidc.discovery(
        new URL(o.issuer),
        o.clientId,
        o.clientSecret,
        o.clientSecret ? undefined : oidc.None(),
        this.options(),
      );
      p.catch(() => {
        if (this.oidcConfig === p) this.oidcConfig = null;
      });
      this.oidcConfig = p;
    }
    return this.oidcConfig;
  }

  /** SMART configuration of an allowed FHIR server (cached for an hour). */
  private smartConfiguration(iss: string): Promise<oidc.Configuration> {
    const s = this.cfg.smart;
    if (!s) throw new UptakeError('NOT_FOUND', 'SMART on FHIR launch is not set up here');
    const hit = this.smartConfigs.get(iss);
    if (hit && this.now().getTime() - hit.at < 3_600_000) return hit.config;
    const config = (async () => {
      const res = await fetch(`${iss}/.well-known/smart-configuration`, {
        headers: { accept: 'application/json' },
      });
      if (!res.ok)
        throw new UptakeError(
          'UNAVAILABLE',
          `the FHIR server ${iss} gave no SMART configuration (HTTP ${res.status})`,
        );
      const meta = smartConfigSchema.safeParse(await res.json());
      if (!meta.success)
        throw new UptakeError(
          'UNAVAILABLE',
          `the SMART configuration of ${iss} lacks ${String(meta.error.issues[0]?.path[0])}`,
        );
      const { jwks_uri, ...endpoints } = meta.data;
      const c = new oidc.Configuration(
        { ...endpoints, issuer: meta.data.issuer ?? iss, ...(jwks_uri ? { jwks_uri } : {}) },
        s.clientId,
        s.clientSecret,
        s.clientSecret ? undefined : oidc.None(),
      );
      for (const f of this.options().execute) f(c);
      return c;
    })();
    config.catch(() => this.smartConfigs.delete(iss));
    this.smartConfigs.set(iss, { at: this.now().getTime(), config });
    return config;
  }

  /** What the browser must keep until it comes back (state, nonce, PKCE verifier, 10 minutes). */
  private pending(kind: 'oidc' | 'smart', iss?: string): PendingLogin {
    return {
      kind,
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      iss,
      expires: this.now().getTime() + 10 * 60_000,
    };
  }

  /**
   * SMART, first step: check that `iss` may launch Uptake and make what the browser keeps. The
   * browser is sent to `authorizationUrl` only once it shows that it kept it (see ssoRoutes).
   */
  beginLaunch(launch: { iss: string; launch: string }): PendingLogin {
    const s = this.cfg.smart;
    if (!s) throw new UptakeError('NOT_FOUND', 'SMART on FHIR launch is not set up here');
    const iss = launch.iss.replace(/\/+$/, '');
    if (!s.issuers.includes(iss))
      throw new UptakeError(
        'FORBIDDEN',
        `query iss: ${iss} is not a FHIR server allowed to launch Uptake (UPTAKE_SMART_ISSUERS)`,
      );
    return this.pending('smart', iss);
  }

  /** OpenID Connect: where to send the browser, and what it must keep until it comes back. */
  async start(kind: 'oidc'): Promise<{ location: string; pending: PendingLogin }> {
    const pending = this.pending(kind);
    return { location: await this.authorizationUrl(pending), pending };
  }

  /** The authorization request for `pending` (SMART: with the EHR's `launch` context). */
  async authorizationUrl(pending: PendingLogin, launch?: string): Promise<string> {
    let config: oidc.Configuration;
    let extra: Record<string, string>;
    if (pending.kind === 'oidc') {
      config = await this.oidcConfiguration().catch((e: unknown) => {
        throw e instanceof UptakeError
          ? e
          : new UptakeError(
              'UNAVAILABLE',
              `could not reach the identity provider ${this.cfg.oidc?.issuer ?? ''}: ${(e as Error).message ?? String(e)}`.slice(
                0,
                300,
              ),
              { cause: e },
            );
      });
      extra = { scope: 'openid profile email' };
    } else {
      if (!pending.iss || launch === undefined)
        throw new UptakeError('INVALID_INPUT', 'query: iss and launch are required');
      config = await this.smartConfiguration(pending.iss);
      // Practitioner read: to learn the identifiers of a practitioner Uptake knows by another one.
      // With follow-ups: read the visit's Appointment and write the follow-up's resources.
      const scope = `launch openid fhirUser ${PRACTITIONER_SCOPE}${this.cfg.smart?.followups ? ` ${FOLLOWUP_SCOPES}` : ''}`;
      extra = { scope, launch, aud: pending.iss };
    }
    const location = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri(pending.kind),
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      ...extra,
    });
    return location.href;
  }

  /**
   * Check the callback (`query` as received) against what the browser kept, exchange the code and
   * return the ID token's claims (SMART: with `fhirUser` of the token response) and the access
   * token (SMART: for reading the practitioner from the FHIR server).
   */
  async finish(
    kind: 'oidc' | 'smart',
    pending: PendingLogin | null,
    query: string,
  ): Promise<{
    claims: Record<string, unknown>;
    accessToken: string;
    /** SMART: the launch's context (resource ids) and how long the access token lives. */
    context: { patient?: string; encounter?: string; expiresInS: number };
  }> {
    if (!pending || pending.kind !== kind)
      throw new UptakeError(
        'UNAUTHENTICATED',
        'the sign-in did not start here, or its cookie was lost; start again',
      );
    if (pending.expires < this.now().getTime())
      throw new UptakeError(
        'UNAUTHENTICATED',
        'the sign-in took more than 10 minutes; start again',
      );
    const params = new URLSearchParams(query);
    const err = params.get('error');
    if (err)
      throw ssoError(
        'UNAUTHENTICATED',
        'refused',
        `the identity provider refused: ${err}${params.get('error_description') ? ` (${params.get('error_description')})` : ''}`,
      );
    const config =
      kind === 'oidc'
        ? await this.oidcConfiguration()
        : await this.smartConfiguration(pending.iss ?? '');
    try {
      const tokens = await oidc.authorizationCodeGrant(
        config,
        new URL(`${this.redirectUri(kind)}?${query}`),
        {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        },
      );
      const claims = tokens.claims();
      if (!claims)
        throw new UptakeError('UNAUTHENTICATED', 'the identity provider sent no ID token');
      return {
        claims: {
          ...claims,
          ...(kind === 'smart' && tokens['fhirUser'] ? { fhirUser: tokens['fhirUser'] } : {}),
        },
        accessToken: tokens.access_token,
        context: {
          ...(typeof tokens['patient'] === 'string' ? { patient: tokens['patient'] } : {}),
          ...(typeof tokens['encounter'] === 'string' ? { encounter: tokens['encounter'] } : {}),
          expiresInS: typeof tokens.expires_in === 'number' ? tokens.expires_in : 3600,
        },
      };
    } catch (e) {
      if (e instanceof UptakeError) throw e;
      // The provider's answer did not check out (state, nonce, signature): no reason to retry.
      const failed = new UptakeError(
        'UNAUTHENTICATED',
        `sign-in failed: ${(e as Error).message ?? String(e)}`.slice(0, 300),
        { cause: e },
      );
      failureOf.set(failed, 'failed');
      throw failed;
    }
  }
}

/**
 * The practitioner of a SMART `fhirUser`: `Practitioner/123`, or an absolute URL ending so (then
 * `base` is the FHIR server it names, without a trailing slash).
 */
export function practitionerRef(fhirUser: unknown): { id: string; base: string | null } | null {
  if (typeof fhirUser !== 'string') return null;
  const m = /(?:^|\/)Practitioner\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(fhirUser);
  if (!m) return null;
  const base = fhirUser.slice(0, m.index).replace(/\/+$/, '');
  return { id: m[1]!, base: /^https?:\/\//.test(base) ? base : null };
}

/** The resource id of a SMART `fhirUser`'s practitioner. */
export function practitionerId(fhirUser: unknown): string | null {
  return practitionerRef(fhirUser)?.id ?? null;
}

/**
 * The SMART scopes that let Uptake deliver a follow-up in a launch: read the visit's Appointment
 * and Encounter, write the CarePlan, the Tasks and the Communication (engagement.md §3).
 */
export const FOLLOWUP_SCOPES =
  'user/Appointment.read user/Encounter.read user/CarePlan.write user/Task.write user/Communication.write';

/** The SMART scope that lets Uptake read the launching practitioner (`readPractitionerIdentifiers`). */
export const PRACTITIONER_SCOPE = 'user/Practitioner.read';

/** `clinician_identifiers.system` of a FHIR Practitioner resource id (the roster import's convention). */
const PRACTITIONER_ID_SYSTEM = 'Practitioner';

/**
 * The roster clinician (`clinicians.user_id`) that practitioner `id` is, from what Uptake knows:
 * the roster key itself, else the identity (`Practitioner`, id) that a FHIR roster import
 * recorded. Null when neither names a clinician of the roster.
 */
export async function rosterClinician(db: Sql, id: string): Promise<string | null> {
  const [own] = await db.all<{ user_id: string }>(
    `SELECT user_id FROM clinicians WHERE user_id = $1`,
    [id],
  );
  if (own) return own.user_id;
  return rosterClinicianByIdentifiers(db, [{ system: PRACTITIONER_ID_SYSTEM, value: id }]);
}

/**
 * The roster clinician that a practitioner's identifiers name: through `clinician_identifiers`
 * first (system and value), else as the roster key itself (a roster keyed by, say, NPI without
 * identities). Null when none does; refused when they name different clinicians, since
 * guessing would open one clinician's report to another.
 */
export async function rosterClinicianByIdentifiers(
  db: Sql,
  identifiers: readonly ClinicianIdentifier[],
): Promise<string | null> {
  if (!identifiers.length) return null;
  const params: SqlValue[] = [];
  const pairs = identifiers.map((i) => {
    params.push(i.system, i.value);
    return `(ci.system = $${params.length - 1} AND ci.value = $${params.length})`;
  });
  const viaIdentity = await db.all<{ user_id: string }>(
    `SELECT DISTINCT ci.user_id FROM clinician_identifiers ci
     JOIN clinicians c ON c.user_id = ci.user_id
     WHERE ${pairs.join(' OR ')} ORDER BY ci.user_id`,
    params,
  );
  const values = [...new Set(identifiers.map((i) => i.value))];
  const found = viaIdentity.length
    ? viaIdentity
    : await db.all<{ user_id: string }>(
        `SELECT user_id FROM clinicians WHERE user_id IN (${values.map((_, k) => `$${k + 1}`).join(', ')}) ORDER BY user_id`,
        values,
      );
  if (found.length > 1)
    throw new UptakeError(
      'FORBIDDEN',
      `the practitioner's identifiers name ${found.length} different clinicians of Uptake's roster; ask an administrator to correct the roster`,
    );
  return found[0]?.user_id ?? null;
}

/**
 * Remember that practitioner `id` is roster clinician `userId` (an identity without an import),
 * so the next launch needs no FHIR read. A concurrent launch may have done it first.
 */
export async function rememberPractitioner(db: Sql, id: string, userId: string): Promise<void> {
  await db.run(
    `INSERT INTO clinician_identifiers (system, value, user_id, import_id) VALUES ($1, $2, $3, NULL)
     ON CONFLICT DO NOTHING`,
    [PRACTITIONER_ID_SYSTEM, id, userId],
  );
}

const practitionerSchema = z.object({
  resourceType: z.literal('Practitioner'),
  id: z.string().optional(),
  identifier: z
    .array(
      z
        .object({
          system: z.string().optional(),
          value: z.string().optional(),
          use: z.string().optional(),
          type: z
            .object({
              coding: z
                .array(z.object({ system: z.string().optional(), code: z.string().optional() }))
                .optional(),
            })
            .optional(),
        })
        .passthrough(),
    )
    .optional(),
});

/**
 * The identifiers (system and value) of Practitioner `id` on the FHIR server `iss`, read with
 * the launch's access token; [] when the server does not know it. A refusal (401, 403) or an
 * answer that is not that Practitioner refuses the launch; the read gives up after `timeoutMs`.
 */
export async function readPractitionerIdentifiers(
  iss: string,
  id: string,
  accessToken: string,
  timeoutMs = 5000,
): Promise<ClinicianIdentifier[]> {
  const where = `${iss}/Practitioner/${encodeURIComponent(id)}`;
  let res: Response;
  try {
    res = await fetch(where, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/fhir+json' },
      // The token is for this server only: never follow a redirect elsewhere with it.
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new UptakeError(
      'UNAVAILABLE',
      `could not read Practitioner/${id} from the FHIR server ${iss}: ${(e as Error).message ?? String(e)}`.slice(
        0,
        300,
      ),
      { cause: e },
    );
  }
  if (res.status === 404 || res.status === 410) return [];
  if (res.status === 401 || res.status === 403)
    throw new UptakeError(
      'FORBIDDEN',
      `the FHIR server ${iss} refused to show Practitioner/${id} to Uptake (HTTP ${res.status}); the EHR must grant Uptake read access to Practitioner`,
    );
  if (!res.ok)
    throw new UptakeError(
      'UNAVAILABLE',
      `the FHIR server ${iss} answered HTTP ${res.status} for Practitioner/${id}`,
    );
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  const p = practitionerSchema.safeParse(body);
  if (!p.success || (p.data.id !== undefined && p.data.id !== id))
    throw new UptakeError(
      'UNAVAILABLE',
      `the FHIR server ${iss} did not answer with Practitioner/${id}`,
    );
  // The importer's conventions: business identifiers with a system, neither old nor of a patient
  // type (the resource id itself is the one the launch already looked up).
  return practitionerIdentities({ identifier: p.data.identifier }).slice(0, 20);
}

/** A password nobody knows, for accounts that only sign in through the EHR. */
export function unusablePassword(): string {
  return randomBytes(32).toString('base64url');
}
