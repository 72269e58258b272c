/**
 * Single sign-on against a real (small, in-process) OpenID provider and SMART authorization
 * server: discovery, PKCE, state and nonce, RS256-signed ID tokens from a JWKS. The provider
 * checks the PKCE verifier itself, so a flow that skipped it would fail here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadDataset } from '../metrics/loadDataset.ts';
import { engines } from '../store/testEngines.ts';
import { buildServer } from './buildServer.ts';
import { ssoConfigFromEnv, practitionerId, type SsoConfig } from './sso.ts';
import { testSystem, TEST_DIR, type TestSystem } from './testSystem.ts';

afterAll(() => rmSync(TEST_DIR, { recursive: true, force: true }));

/** The provider: what the next sign-in says about the user, and what it saw. */
interface Idp {
  base: string;
  next: { sub: string; claims: Record<string, unknown>; nonce?: string };
  seen: Record<string, string>[];
  close(): Promise<void>;
}

async function startIdp(): Promise<Idp> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, Record<string, string>>();
  const idp: Idp = {
    base: '',
    next: { sub: 'nobody', claims: {} },
    seen: [],
    close: () => new Promise((r) => server.close(() => r())),
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
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
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
        void sign(
          privateKey,
          { sub: idp.next.sub, nonce: idp.next.nonce ?? q['nonce'], ...idp.next.claims },
          q['client_id']!,
        ).then((id_token) =>
          json(200, { access_token: 'at', token_type: 'Bearer', expires_in: 300, id_token }),
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

const cookieOf = (r: LightMyRequestResponse, name: string): string | undefined => {
  const all = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
  const c = all.find((x) => x.startsWith(`${name}=`));
  const v = c?.split(';')[0]?.slice(name.length + 1);
  return v ? v : undefined;
};

/** Follow a whole browser sign-on: our redirect out, the provider, our callback. */
async function signOn(
  app: FastifyInstance,
  start: string,
): Promise<{ location: string; session?: string | undefined }> {
  const out = await app.inject({ method: 'GET', url: start });
  expect(out.statusCode).toBe(302);
  const pending = cookieOf(out, 'uptake_sso');
  const to = String(out.headers.location);
  if (!pending) return { location: to };
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

describe('SSO configuration from the environment', () => {
  it('is off without settings and names what is missing', () => {
    expect(ssoConfigFromEnv({})).toBeNull();
    expect(() => ssoConfigFromEnv({ UPTAKE_OIDC_ISSUER: 'https://idp.example.org' })).toThrow(
      /UPTAKE_PUBLIC_URL/,
    );
    expect(() =>
      ssoConfigFromEnv({
        UPTAKE_PUBLIC_URL: 'https://uptake.example.org',
        UPTAKE_OIDC_ISSUER: 'https://idp.example.org',
      }),
    ).toThrow(/UPTAKE_OIDC_CLIENT_ID/);
    expect(() =>
      ssoConfigFromEnv({ UPTAKE_PUBLIC_URL: 'https://u.example', UPTAKE_SMART_CLIENT_ID: 'x' }),
    ).toThrow(/UPTAKE_SMART_ISSUERS/);
    expect(() => ssoConfigFromEnv({ UPTAKE_PUBLIC_URL: 'not a url' })).toThrow(/UPTAKE_PUBLIC_URL/);
    const c = ssoConfigFromEnv({
      UPTAKE_PUBLIC_URL: 'https://uptake.example.org/',
      UPTAKE_SMART_CLIENT_ID: 'uptake',
      UPTAKE_SMART_ISSUERS: 'https://ehr.example.org/fhir/, https://ehr2.example.org/R4',
    })!;
    expect(c.publicUrl).toBe('https://uptake.example.org');
    expect(c.smart!.issuers).toEqual([
      'https://ehr.example.org/fhir',
      'https://ehr2.example.org/R4',
    ]);
    expect(c.oidc).toBeUndefined();
  });

  it('reads the practitioner of a SMART fhirUser', () => {
    expect(practitionerId('Practitioner/u0042')).toBe('u0042');
    expect(practitionerId('https://ehr.example.org/fhir/Practitioner/abc-1')).toBe('abc-1');
    expect(practitionerId('Patient/1')).toBeNull();
    expect(practitionerId('RelatedPerson/Practitioner')).toBeNull();
    expect(practitionerId(undefined)).toBeNull();
  });
});

describe.each(engines())('single sign-on on $name', (engine) => {
  let idp: Idp;
  let sys: TestSystem;
  let app: FastifyInstance;
  const publicUrl = 'http://uptake.test';

  beforeAll(async () => {
    idp = await startIdp();
    const sso: SsoConfig = {
      publicUrl,
      allowHttp: true,
      oidc: {
        issuer: idp.base,
        clientId: 'uptake-web',
        usernameClaim: 'preferred_username',
        label: 'Example Health',
      },
      smart: { clientId: 'uptake-smart', issuers: [`${idp.base}/fhir`] },
    };
    sys = await testSystem(engine, {
      sso,
      load: (store) =>
        loadDataset(store, {
          clinicians: [
            { user_id: 'u1', role: 'physician', name: 'Ana One', department: 'A' },
            { user_id: 'u2', role: 'physician', name: 'Bo Two', department: 'A' },
            // No department: no demo account is linked to u5.
            { user_id: 'u5', role: 'physician', name: 'Cy Five' },
          ],
          events: [
            {
              event_id: 'e1',
              occurred_at: '2026-03-02T10:00:00Z',
              user_id: 'u1',
              action: 'note_edit',
              category: 'notes',
            },
          ],
          schedule: [
            {
              user_id: 'u1',
              kind: 'session',
              start: '2026-03-02T09:00:00Z',
              end: '2026-03-02T12:00:00Z',
            },
          ],
        }),
    });
    app = sys.app;
  }, 120_000);
  afterAll(async () => {
    await sys?.close();
    await idp?.close();
  });

  it('says which methods are offered', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/sso' });
    expect(r.json()).toEqual({
      oidc: { label: 'Example Health', login: '/api/sso/oidc/login' },
      smart: { launch: '/api/sso/smart/launch' },
    });
    const plain = await buildServer(sys.store, { webDir: null });
    try {
      expect((await plain.inject({ method: 'GET', url: '/api/sso' })).json()).toEqual({
        oidc: null,
        smart: null,
      });
      const r2 = await plain.inject({ method: 'GET', url: '/api/sso/oidc/login' });
      expect(decodeURIComponent(String(r2.headers.location))).toMatch(/not set up/);
    } finally {
      await plain.close();
    }
    // A provider that cannot be reached: the sign-in page says which.
    const down = await buildServer(sys.store, {
      webDir: null,
      sso: {
        publicUrl,
        allowHttp: true,
        oidc: {
          issuer: 'http://127.0.0.1:9',
          clientId: 'x',
          usernameClaim: 'preferred_username',
          label: 'Down',
        },
      },
    });
    try {
      const r3 = await down.inject({ method: 'GET', url: '/api/sso/oidc/login' });
      expect(decodeURIComponent(String(r3.headers.location))).toMatch(
        /could not reach the identity provider http:\/\/127\.0\.0\.1:9/,
      );
    } finally {
      await down.close();
    }
  });

  it('signs in an existing account through OpenID Connect, with PKCE, state and nonce', async () => {
    idp.next = { sub: 'idp-123', claims: { preferred_username: 'Admin' } };
    const r = await signOn(app, '/api/sso/oidc/login');
    expect(r.location).toBe('/');
    expect(r.session).toBeDefined();
    const seen = idp.seen.at(-1)!;
    expect(seen).toMatchObject({
      client_id: 'uptake-web',
      redirect_uri: `${publicUrl}/api/sso/oidc/callback`,
      code_challenge_method: 'S256',
      response_type: 'code',
    });
    expect(seen['state']!.length).toBeGreaterThan(20);
    expect(seen['nonce']!.length).toBeGreaterThan(20);
    const me = await app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { cookie: `uptake_session=${r.session}` },
    });
    expect(me.json()).toMatchObject({ username: 'admin', role: 'admin' });
    const [log] = await sys.store.all<{ detail: string }>(
      `SELECT detail FROM access_log WHERE action = 'login' AND outcome = 'success' AND username = 'admin' ORDER BY id DESC LIMIT 1`,
    );
    expect(log!.detail).toBe('OpenID Connect');
  });

  it('refuses a person without an account, a replayed or foreign callback and a wrong nonce', async () => {
    idp.next = { sub: 'idp-9', claims: { preferred_username: 'stranger' } };
    const none = await signOn(app, '/api/sso/oidc/login');
    expect(none.session).toBeUndefined();
    expect(decodeURIComponent(none.location)).toMatch(/stranger has no Uptake account/);

    idp.next = { sub: 'idp-123', claims: { preferred_username: 'admin' }, nonce: 'x'.repeat(43) };
    const nonce = await signOn(app, '/api/sso/oidc/login');
    expect(nonce.session).toBeUndefined();
    expect(decodeURIComponent(nonce.location)).toMatch(/^\/#\/\?sso_error=sign-in failed/);

    // A callback without the browser's pending cookie (another browser, or a forged link).
    const cb = await app.inject({
      method: 'GET',
      url: '/api/sso/oidc/callback?code=abc&state=def',
    });
    expect(cb.statusCode).toBe(302);
    expect(cookieOf(cb, 'uptake_session')).toBeUndefined();
    expect(decodeURIComponent(String(cb.headers.location))).toMatch(/did not start here/);

    // The right cookie with another state.
    idp.next = { sub: 'idp-123', claims: { preferred_username: 'admin' } };
    const out = await app.inject({ method: 'GET', url: '/api/sso/oidc/login' });
    const back = new URL(
      (await fetch(String(out.headers.location), { redirect: 'manual' })).headers.get('location')!,
    );
    back.searchParams.set('state', 'tampered-state-value-0123456789');
    const bad = await app.inject({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      headers: { cookie: `uptake_sso=${cookieOf(out, 'uptake_sso')}` },
    });
    expect(cookieOf(bad, 'uptake_session')).toBeUndefined();
    expect(decodeURIComponent(String(bad.headers.location))).toMatch(/sso_error=/);
  });

  it('opens a roster clinician’s own report from a SMART EHR launch, creating their account once', async () => {
    idp.next = { sub: 'prac-5', claims: { fhirUser: `${idp.base}/fhir/Practitioner/u5` } };
    const launch = `/api/sso/smart/launch?iss=${encodeURIComponent(`${idp.base}/fhir`)}&launch=ctx-42`;
    const r = await signOn(app, launch);
    expect(r.location).toBe('/#/me');
    expect(idp.seen.at(-1)).toMatchObject({
      client_id: 'uptake-smart',
      launch: 'ctx-42',
      aud: `${idp.base}/fhir`,
      scope: 'launch openid fhirUser',
    });
    const me = await app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { cookie: `uptake_session=${r.session}` },
    });
    expect(me.json()).toMatchObject({ username: 'ehr.u5', role: 'clinician', clinician_id: 'u5' });
    const again = await signOn(app, launch);
    expect(again.session).toBeDefined();
    const users = await sys.store.all<{ n: number }>(
      `SELECT count(*) AS n FROM users WHERE clinician_id = 'u5'`,
    );
    expect(Number(users[0]!.n)).toBe(1);
  });

  it('refuses a launch from a FHIR server not on the list, and a practitioner not in the roster', async () => {
    const foreign = await app.inject({
      method: 'GET',
      url: `/api/sso/smart/launch?iss=${encodeURIComponent('https://evil.example/fhir')}&launch=x`,
    });
    expect(cookieOf(foreign, 'uptake_sso')).toBeUndefined();
    expect(decodeURIComponent(String(foreign.headers.location))).toMatch(
      /not a FHIR server allowed to launch Uptake/,
    );
    idp.next = { sub: 'prac-9', claims: { fhirUser: 'Practitioner/u9' } };
    const r = await signOn(
      app,
      `/api/sso/smart/launch?iss=${encodeURIComponent(`${idp.base}/fhir`)}&launch=ctx`,
    );
    expect(r.session).toBeUndefined();
    expect(decodeURIComponent(r.location)).toMatch(/practitioner u9 is not in Uptake's roster/);
    idp.next = { sub: 'pat-1', claims: { fhirUser: 'Patient/p1' } };
    const p = await signOn(
      app,
      `/api/sso/smart/launch?iss=${encodeURIComponent(`${idp.base}/fhir`)}&launch=ctx`,
    );
    expect(p.session).toBeUndefined();
    expect(decodeURIComponent(p.location)).toMatch(/Uptake reports are for clinicians/);
  });
});
