/**
 * A small, real OpenID provider and SMART authorization server for the sign-on tests (server and
 * browser): discovery, PKCE, RS256-signed ID tokens from a JWKS, and a FHIR endpoint that serves
 * Practitioners only to the access token it issued. It approves every authorization request at
 * once (no login page) and checks the PKCE verifier itself, so a flow that skipped it would fail.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

/** The provider: what the next sign-in says about the user, and what it saw. */
export interface TestIdp {
  /** `http://127.0.0.1:<port>`; the SMART FHIR base is `<base>/fhir`. */
  base: string;
  /**
   * The next sign-in: the ID token's subject and claims, a nonce to put instead of the one asked
   * for (to test the check), and the access token to issue (default: a fresh random one).
   */
  next: {
    sub: string;
    claims: Record<string, unknown>;
    nonce?: string;
    accessToken?: string;
    /** The SMART launch context the token response carries (resource ids). */
    context?: { patient?: string; encounter?: string };
  };
  /**
   * A real FHIR server behind this EHR's FHIR base (`<base>/fhir`): every request there other than
   * a Practitioner read is passed on to it, with its own token, when it carries a token this
   * provider issued (401 otherwise) — so a launch's access token is what opens it.
   */
  fhirUpstream: { baseUrl: string; token?: string } | null;
  /** FHIR requests passed on upstream: method, path and the Authorization header received. */
  upstreamSeen: { method: string; path: string; authorization: string | undefined }[];
  /** Authorization requests, as received. */
  seen: Record<string, string>[];
  /** Practitioners of the FHIR endpoint, by resource id (`GET <base>/fhir/Practitioner/<id>`). */
  practitioners: Map<string, Record<string, unknown>>;
  /** FHIR reads: path, the Authorization header and the answer's status. */
  fhirSeen: { path: string; authorization: string | undefined; status: number }[];
  close(): Promise<void>;
}

/** Start the provider on a free port of 127.0.0.1. */
export async function startTestIdp(): Promise<TestIdp> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, Record<string, string>>();
  /** Access tokens issued (and not expired: they live as long as the provider). */
  const issued = new Set<string>();
  const idp: TestIdp = {
    base: '',
    next: { sub: 'nobody', claims: {} },
    seen: [],
    practitioners: new Map(),
    fhirSeen: [],
    fhirUpstream: null,
    upstreamSeen: [],
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
  const sign = (key: CryptoKey, claims: Record<string, unknown>, aud: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(idp.base)
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', idp.base);
    const json = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(JSON.stringify(body));
    };
    const meta = {
      issuer: idp.base,
      authorization_endpoint: `${idp.base}/authorize`,
      token_endpoint: `${idp.base}/token`,
      jwks_uri: `${idp.base}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
    };
    if (u.pathname === '/.well-known/openid-configuration') return json(200, meta);
    if (u.pathname === '/fhir/.well-known/smart-configuration')
      return json(200, { ...meta, capabilities: ['launch-ehr', 'sso-openid-connect'] });
    if (u.pathname === '/jwks') return json(200, { keys: [jwk] });
    const fhir = /^\/fhir\/Practitioner\/([^/]+)$/.exec(u.pathname);
    if (fhir && req.method === 'GET') {
      const authorization = req.headers.authorization;
      const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
      const p = idp.practitioners.get(decodeURIComponent(fhir[1]!));
      const status = !token || !issued.has(token) ? 401 : p ? 200 : 404;
      idp.fhirSeen.push({ path: u.pathname, authorization, status });
      const outcome = (code: string) => ({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code }],
      });
      return json(
        status,
        status === 200 ? p : outcome(status === 401 ? 'login' : 'not-found'),
        'application/fhir+json',
      );
    }
    const up = idp.fhirUpstream;
    if (up && u.pathname.startsWith('/fhir/') && !u.pathname.startsWith('/fhir/.well-known')) {
      const authorization = req.headers.authorization;
      idp.upstreamSeen.push({ method: req.method ?? 'GET', path: u.pathname, authorization });
      const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
      if (!token || !issued.has(token))
        return json(
          401,
          { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] },
          'application/fhir+json',
        );
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        void fetch(`${up.baseUrl}${u.pathname.slice('/fhir'.length)}${u.search}`, {
          method: req.method ?? 'GET',
          headers: {
            'content-type': req.headers['content-type'] ?? 'application/fhir+json',
            accept: 'application/fhir+json',
            ...(up.token ? { authorization: `Bearer ${up.token}` } : {}),
          },
          ...(body.length ? { body } : {}),
        })
          .then(async (r) => {
            res.writeHead(r.status, {
              'content-type': r.headers.get('content-type') ?? 'application/fhir+json',
            });
            res.end(Buffer.from(await r.arrayBuffer()));
          })
          .catch(() => json(502, { error: 'upstream' }));
      });
      return;
    }
    if (u.pathname === '/authorize') {
      const q = Object.fromEntries(u.searchParams);
      idp.seen.push(q);
      const code = randomBytes(12).toString('hex');
      codes.set(code, q);
      const back = new URL(q['redirect_uri']!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q['state'] ?? '');
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (u.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const f = new URLSearchParams(body);
        const q = codes.get(f.get('code') ?? '');
        codes.delete(f.get('code') ?? '');
        const challenge = createHash('sha256')
          .update(f.get('code_verifier') ?? '')
          .digest('base64url');
        if (
          !q ||
          q['redirect_uri'] !== f.get('redirect_uri') ||
          q['client_id'] !== f.get('client_id') ||
          q['code_challenge'] !== challenge
        )
          return json(400, { error: 'invalid_grant' });
        const accessToken = randomBytes(16).toString('hex');
        issued.add(accessToken);
        void sign(
          privateKey,
          { sub: idp.next.sub, nonce: idp.next.nonce ?? q['nonce'], ...idp.next.claims },
          q['client_id'],
        ).then((id_token) =>
          json(200, {
            // A token other than the one issued, when a test asks for it (a wrong token).
            access_token: idp.next.accessToken ?? accessToken,
            token_type: 'Bearer',
            expires_in: 300,
            id_token,
            ...(idp.next.context ?? {}),
          }),
        );
      });
      return;
    }
    json(404, { error: 'not found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  idp.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return idp;
}

/** The value of cookie `name` that the response sets. */
export const cookieOf = (r: LightMyRequestResponse, name: string): string | undefined => {
  const all = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
  const c = all.find((x) => x.startsWith(`${name}=`));
  const v = c?.split(';')[0]?.slice(name.length + 1);
  return v ? v : undefined;
};

/**
 * Follow a whole browser sign-on: our redirect out (for a SMART launch, through its second step
 * `continue`, with the cookie the first step set), the provider, our callback.
 */
export async function signOn(
  app: FastifyInstance,
  start: string,
): Promise<{ location: string; session?: string | undefined }> {
  let out = await app.inject({ method: 'GET', url: start });
  expect(out.statusCode).toBe(302);
  const pending = cookieOf(out, 'uptake_sso');
  if (!pending) return { location: String(out.headers.location) };
  if (String(out.headers.location).startsWith('/api/sso/smart/continue?')) {
    out = await app.inject({
      method: 'GET',
      url: String(out.headers.location),
      headers: { cookie: `uptake_sso=${pending}` },
    });
    expect(out.statusCode).toBe(302);
  }
  const to = String(out.headers.location);
  if (!/^https?:/.test(to)) return { location: to };
  const idpAnswer = await fetch(to, { redirect: 'manual' });
  const back = new URL(idpAnswer.headers.get('location')!);
  const cb = await app.inject({
    method: 'GET',
    url: `${back.pathname}${back.search}`,
    headers: { cookie: `uptake_sso=${pending}` },
  });
  expect(cb.statusCode).toBe(302);
  return { location: String(cb.headers.location), session: cookieOf(cb, 'uptake_session') };
}
