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
 *   clinician (`clinicians.user_id`). The account linked to that clinician signs in; a roster
 *   clinician without one gets a clinician account (own report only) on first launch, since the
 *   EHR has already vouched for them. Only the FHIR servers listed in `issuers` may launch.
 *
 * Configuration comes from the environment (`ssoConfigFromEnv`), validated with zod.
 */
import * as oidc from 'openid-client';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { UptakeError } from '../errors/UptakeError.ts';

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
      issuers,
    };
  }
  return cfg;
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

  /** Where to send the browser, and what it must keep until it comes back. */
  async start(
    kind: 'oidc' | 'smart',
    launch?: { iss: string; launch: string },
  ): Promise<{ location: string; pending: PendingLogin }> {
    let config: oidc.Configuration;
    let extra: Record<string, string> = {};
    let iss: string | undefined;
    if (kind === 'oidc') {
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
      const s = this.cfg.smart;
      if (!s) throw new UptakeError('NOT_FOUND', 'SMART on FHIR launch is not set up here');
      if (!launch) throw new UptakeError('INVALID_INPUT', 'query: iss and launch are required');
      iss = launch.iss.replace(/\/+$/, '');
      if (!s.issuers.includes(iss))
        throw new UptakeError(
          'FORBIDDEN',
          `query iss: ${iss} is not a FHIR server allowed to launch Uptake (UPTAKE_SMART_ISSUERS)`,
        );
      config = await this.smartConfiguration(iss);
      extra = { scope: 'launch openid fhirUser', launch: launch.launch, aud: iss };
    }
    const verifier = oidc.randomPKCECodeVerifier();
    const pending: PendingLogin = {
      kind,
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier,
      iss,
      expires: this.now().getTime() + 10 * 60_000,
    };
    const location = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri(kind),
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      ...extra,
    });
    return { location: location.href, pending };
  }

  /**
   * Check the callback (`query` as received) against what the browser kept, exchange the code and
   * return the ID token's claims.
   */
  async finish(
    kind: 'oidc' | 'smart',
    pending: PendingLogin | null,
    query: string,
  ): Promise<Record<string, unknown>> {
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
      throw new UptakeError(
        'UNAUTHENTICATED',
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
        ...claims,
        ...(kind === 'smart' && tokens['fhirUser'] ? { fhirUser: tokens['fhirUser'] } : {}),
      };
    } catch (e) {
      if (e instanceof UptakeError) throw e;
      throw new UptakeError(
        'UNAUTHENTICATED',
        `sign-in failed: ${(e as Error).message ?? String(e)}`.slice(0, 300),
        { cause: e },
      );
    }
  }
}

/** The roster id of a SMART `fhirUser` (`Practitioner/123`, or an absolute URL ending so). */
export function practitionerId(fhirUser: unknown): string | null {
  if (typeof fhirUser !== 'string') return null;
  const m = /(?:^|\/)Practitioner\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(fhirUser);
  return m ? m[1]! : null;
}

/** A password nobody knows, for accounts that only sign in through the EHR. */
export function unusablePassword(): string {
  return randomBytes(32).toString('base64url');
}
