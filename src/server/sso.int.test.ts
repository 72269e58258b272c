/**
 * Single sign-on against a real (small, in-process) OpenID provider and SMART authorization
 * server (`testIdp.ts`): discovery, PKCE, state and nonce, RS256-signed ID tokens from a JWKS, and
 * a FHIR endpoint that shows Practitioners only to the access token it issued. The provider checks
 * the PKCE verifier itself, so a flow that skipped it would fail here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadDataset } from '../testing/loadDataset.ts';
import { engines } from '../testing/testEngines.ts';
import { buildServer } from './buildServer.ts';
import {
  frameAncestorsFromEnv,
  partitionedCookies,
  practitionerId,
  practitionerRef,
  ssoConfigFromEnv,
  type SsoConfig,
} from './sso.ts';
import { cookieOf, signOn, startTestIdp, type TestIdp as Idp } from '../testing/testIdp.ts';
import { testSystem, removeTestDir, type TestSystem } from '../testing/testSystem.ts';

afterAll(removeTestDir);

const NPI = 'http://hl7.org/fhir/sid/us-npi';

const setCookieOf = (r: LightMyRequestResponse, name: string): string | undefined =>
  ([] as string[]).concat(r.headers['set-cookie'] ?? []).find((x) => x.startsWith(`${name}=`));

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
    expect(practitionerRef('Practitioner/p1')).toEqual({ id: 'p1', base: null });
    expect(practitionerRef('https://ehr.example.org/fhir/Practitioner/p1/_history/3')).toEqual({
      id: 'p1',
      base: 'https://ehr.example.org/fhir',
    });
  });

  it('reads the origins allowed to frame Uptake, and refuses anything else', () => {
    expect(frameAncestorsFromEnv({})).toEqual([]);
    expect(frameAncestorsFromEnv({ UPTAKE_FRAME_ANCESTORS: "'none'" })).toEqual([]);
    expect(
      frameAncestorsFromEnv({
        UPTAKE_FRAME_ANCESTORS:
          'https://ehr.example.org/, http://127.0.0.1:8080 https://*.hospital.example https://ehr.example.org',
      }),
    ).toEqual(['https://ehr.example.org', 'http://127.0.0.1:8080', 'https://*.hospital.example']);
    for (const bad of [
      '*',
      "'self'",
      'ehr.example.org',
      'https://ehr.example.org/launch',
      'https://ehr.example.org;script-src *',
      'ftp://ehr.example.org',
    ])
      expect(() => frameAncestorsFromEnv({ UPTAKE_FRAME_ANCESTORS: bad }), bad).toThrow(
        /UPTAKE_FRAME_ANCESTORS: .* is not an origin/,
      );
  });

  it('partitions cookies only where framing is allowed and the browser keeps Secure cookies', () => {
    const ehr = ['https://ehr.example.org'];
    const http = (hostname: string) => ({ protocol: 'http', hostname });
    expect(partitionedCookies({ protocol: 'https', hostname: 'uptake.example.org' }, [])).toBe(
      false,
    );
    expect(partitionedCookies({ protocol: 'https', hostname: 'uptake.example.org' }, ehr)).toBe(
      true,
    );
    // Behind a proxy that does not say https: Uptake's public URL does.
    expect(partitionedCookies(http('uptake.example.org'), ehr, 'https://uptake.example.org')).toBe(
      true,
    );
    // Plain http elsewhere than on this machine: a Secure cookie would be dropped.
    expect(partitionedCookies(http('uptake.example.org'), ehr, 'http://uptake.example.org')).toBe(
      false,
    );
    for (const h of ['localhost', 'uptake.localhost', '127.0.0.1', '[::1]'])
      expect(partitionedCookies(http(h), ehr), h).toBe(true);
  });
});

describe.each(engines())('single sign-on on $name', (engine) => {
  let idp: Idp;
  let sys: TestSystem;
  let app: FastifyInstance;
  const publicUrl = 'http://uptake.test';
  let sso: SsoConfig;

  beforeAll(async () => {
    idp = await startTestIdp();
    sso = {
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
      load: async (store) => {
        await loadDataset(store, {
          clinicians: [
            { user_id: 'u1', role: 'physician', name: 'Ana One', department: 'A' },
            { user_id: 'u2', role: 'physician', name: 'Bo Two', department: 'A' },
            // No department: no demo account is linked to u5.
            { user_id: 'u5', role: 'physician', name: 'Cy Five' },
            // A roster imported from the EHR, keyed by NPI (with its identities) …
            { user_id: '1234567893', role: 'physician', name: 'Di Npi' },
            { user_id: '1497758544', role: 'physician', name: 'Ed Npi' },
            // … and one from a CSV keyed by NPI, without identities.
            { user_id: '1003000126', role: 'physician', name: 'Flo Csv' },
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
        });
        // What a FHIR roster import records: each Practitioner's resource id and NPI.
        for (const [system, value, user] of [
          ['Practitioner', 'prac-npi-1', '1234567893'],
          [NPI, '1234567893', '1234567893'],
          [NPI, '1497758544', '1497758544'],
        ])
          await store.run(
            `INSERT INTO clinician_identifiers (system, value, user_id, import_id) VALUES ($1, $2, $3, 1)`,
            [system!, value!, user!],
          );
      },
    });
    app = sys.app;
  }, 120_000);
  afterAll(async () => {
    await sys?.close();
    await idp?.close();
  });

  /**
   * The sign-in page is sent back with a code of the fixed set only (never words that a link
   * could choose), and the reason itself is in the access log for administrators.
   */
  const refused = async (location: string, code: string, reason: RegExp): Promise<void> => {
    expect(location).toBe(`/#/?sso_error=${code}`);
    const [log] = await sys.store.all<{ detail: string }>(
      `SELECT detail FROM access_log WHERE action = 'login' AND outcome = 'failure' ORDER BY id DESC LIMIT 1`,
    );
    expect(log!.detail).toMatch(reason);
  };

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
      await refused(String(r2.headers.location), 'not_configured', /not set up/);
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
      await refused(
        String(r3.headers.location),
        'unavailable',
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
    await refused(none.location, 'no_account', /stranger has no Uptake account/);

    idp.next = { sub: 'idp-123', claims: { preferred_username: 'admin' }, nonce: 'x'.repeat(43) };
    const nonce = await signOn(app, '/api/sso/oidc/login');
    expect(nonce.session).toBeUndefined();
    await refused(nonce.location, 'failed', /^oidc: sign-in failed/);

    // A callback without the browser's pending cookie (another browser, or a forged link).
    const cb = await app.inject({
      method: 'GET',
      url: '/api/sso/oidc/callback?code=abc&state=def',
    });
    expect(cb.statusCode).toBe(302);
    expect(cookieOf(cb, 'uptake_session')).toBeUndefined();
    await refused(String(cb.headers.location), 'restart', /did not start here/);

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
      scope: 'launch openid fhirUser user/Practitioner.read',
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
    await refused(
      String(foreign.headers.location),
      'not_allowed',
      /not a FHIR server allowed to launch Uptake/,
    );
    idp.next = { sub: 'prac-9', claims: { fhirUser: 'Practitioner/u9' } };
    const r = await signOn(
      app,
      `/api/sso/smart/launch?iss=${encodeURIComponent(`${idp.base}/fhir`)}&launch=ctx`,
    );
    expect(r.session).toBeUndefined();
    await refused(r.location, 'not_in_roster', /practitioner u9 is not in Uptake's roster/);
    idp.next = { sub: 'pat-1', claims: { fhirUser: 'Patient/p1' } };
    const p = await signOn(
      app,
      `/api/sso/smart/launch?iss=${encodeURIComponent(`${idp.base}/fhir`)}&launch=ctx`,
    );
    expect(p.session).toBeUndefined();
    await refused(p.location, 'not_a_practitioner', /Uptake reports are for clinicians/);
  });
  const launchUrl = (launch = 'ctx') =>
    `/api/sso/smart/launch?iss=${encodeURIComponent(`${idp.base}/fhir`)}&launch=${launch}`;
  const meOf = async (session: string | undefined) =>
    (
      await app.inject({
        method: 'GET',
        url: '/api/me',
        headers: { cookie: `uptake_session=${session}` },
      })
    ).json() as { username: string; role: string; clinician_id: string };

  it('opens the report of a roster keyed by NPI from a launch by resource id, through the identities', async () => {
    const reads = idp.fhirSeen.length;
    idp.next = { sub: 'prac-npi-1', claims: { fhirUser: 'Practitioner/prac-npi-1' } };
    const r = await signOn(app, launchUrl());
    expect(r.location).toBe('/#/me');
    expect(await meOf(r.session)).toMatchObject({
      username: 'ehr.1234567893',
      role: 'clinician',
      clinician_id: '1234567893',
    });
    // Known locally: the FHIR server was not asked.
    expect(idp.fhirSeen.length).toBe(reads);
  });

  it('reads an unknown practitioner from the FHIR server with the launch’s access token, and remembers it', async () => {
    idp.practitioners.set('prac-remote', {
      resourceType: 'Practitioner',
      id: 'prac-remote',
      identifier: [
        { system: 'http://hospital.example/staff', value: 'S-17' },
        { system: NPI, value: '1497758544' },
      ],
    });
    idp.next = {
      sub: 'prac-remote',
      claims: { fhirUser: `${idp.base}/fhir/Practitioner/prac-remote` },
    };
    const reads = idp.fhirSeen.length;
    const r = await signOn(app, launchUrl());
    expect(r.location).toBe('/#/me');
    expect(await meOf(r.session)).toMatchObject({
      username: 'ehr.1497758544',
      clinician_id: '1497758544',
    });
    expect(idp.fhirSeen.slice(reads)).toEqual([
      {
        path: '/fhir/Practitioner/prac-remote',
        authorization: expect.stringMatching(/^Bearer [0-9a-f]{32}$/) as unknown,
        status: 200,
      },
    ]);
    const remembered = await sys.store.all<{ user_id: string; import_id: number | null }>(
      `SELECT user_id, import_id FROM clinician_identifiers WHERE system = 'Practitioner' AND value = 'prac-remote'`,
    );
    expect(remembered).toEqual([{ user_id: '1497758544', import_id: null }]);
    // The next launch needs no FHIR read, and signs in the same account.
    const again = await signOn(app, launchUrl());
    expect((await meOf(again.session)).username).toBe('ehr.1497758544');
    expect(idp.fhirSeen.length).toBe(reads + 1);

    // A roster keyed by NPI without identities (a CSV roster): the NPI is the roster key.
    idp.practitioners.set('prac-csv', {
      resourceType: 'Practitioner',
      identifier: [{ system: NPI, value: '1003000126' }],
    });
    idp.next = { sub: 'prac-csv', claims: { fhirUser: 'Practitioner/prac-csv' } };
    const csv = await signOn(app, launchUrl());
    expect(await meOf(csv.session)).toMatchObject({ clinician_id: '1003000126' });
  });

  it('refuses the launch when the FHIR server refuses the token, or the practitioner is ambiguous or elsewhere', async () => {
    idp.practitioners.set('prac-locked', {
      resourceType: 'Practitioner',
      identifier: [{ system: NPI, value: '1003000126' }],
    });
    idp.next = {
      sub: 'prac-locked',
      claims: { fhirUser: 'Practitioner/prac-locked' },
      accessToken: 'not-the-token-issued',
    };
    const r = await signOn(app, launchUrl());
    expect(r.session).toBeUndefined();
    await refused(
      r.location,
      'not_allowed',
      /the FHIR server http:\/\/127\.0\.0\.1:\d+\/fhir refused to show Practitioner\/prac-locked to Uptake \(HTTP 401\)/,
    );
    expect(idp.fhirSeen.at(-1)).toEqual({
      path: '/fhir/Practitioner/prac-locked',
      authorization: 'Bearer not-the-token-issued',
      status: 401,
    });
    const none = await sys.store.all(
      `SELECT 1 AS x FROM clinician_identifiers WHERE value = 'prac-locked'`,
    );
    expect(none).toEqual([]);

    // Two identifiers that name two different clinicians: no guess.
    idp.practitioners.set('prac-two', {
      resourceType: 'Practitioner',
      identifier: [
        { system: NPI, value: '1234567893' },
        { system: 'http://hospital.example/staff', value: 'S-2' },
        { system: NPI, value: '1497758544' },
      ],
    });
    idp.next = { sub: 'prac-two', claims: { fhirUser: 'Practitioner/prac-two' } };
    const two = await signOn(app, launchUrl());
    expect(two.session).toBeUndefined();
    await refused(two.location, 'not_allowed', /name 2 different clinicians/);

    // A practitioner of another FHIR server: the launching server is not asked about it.
    idp.practitioners.set('prac-far', {
      resourceType: 'Practitioner',
      identifier: [{ system: NPI, value: '1003000126' }],
    });
    idp.next = {
      sub: 'prac-far',
      claims: { fhirUser: 'https://other.example/fhir/Practitioner/prac-far' },
    };
    const reads = idp.fhirSeen.length;
    const far = await signOn(app, launchUrl());
    expect(far.session).toBeUndefined();
    await refused(far.location, 'not_in_roster', /practitioner prac-far is not in Uptake's roster/);
    expect(idp.fhirSeen.length).toBe(reads);
  });

  it('lets only the configured EHR origins frame Uptake, with partitioned cookies and CSRF intact', async () => {
    // Without the setting: no framing at all.
    const plain = await app.inject({ method: 'GET', url: '/api/sso' });
    expect(String(plain.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(plain.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(
      setCookieOf(await app.inject({ method: 'GET', url: launchUrl() }), 'uptake_sso'),
    ).toMatch(/; SameSite=Lax$/);

    const ehr = 'http://127.0.0.1:8080';
    const framed = await buildServer(sys.store, {
      webDir: null,
      sso,
      frameAncestors: [ehr, 'https://ehr.example.org'],
    });
    try {
      for (const url of ['/api/sso', '/', '/api/me']) {
        const r = await framed.inject({ method: 'GET', url });
        const csp = String(r.headers['content-security-policy']);
        expect(csp).toContain(`frame-ancestors ${ehr} https://ehr.example.org`);
        expect(csp).not.toContain("frame-ancestors 'none'");
        expect(r.headers['x-frame-options']).toBeUndefined();
      }
      // The launch's cookie, and the session's: CHIPS (inject's host is localhost, a secure context).
      const out = await framed.inject({ method: 'GET', url: launchUrl() });
      const pendingSet = setCookieOf(out, 'uptake_sso')!;
      for (const a of ['HttpOnly', 'Secure', 'SameSite=None', 'Partitioned', 'Path=/api/sso'])
        expect(pendingSet.split('; ')).toContain(a);
      idp.next = { sub: 'prac-5', claims: { fhirUser: 'Practitioner/u5' } };
      const signed = await signOn(framed, launchUrl());
      expect(signed.location).toBe('/#/me');
      const admin = sys.account('admin');
      const login = await framed.inject({
        method: 'POST',
        url: '/api/login',
        payload: { username: admin.username, password: admin.password },
      });
      expect(login.statusCode).toBe(200);
      const sessionSet = setCookieOf(login, 'uptake_session')!;
      for (const a of ['HttpOnly', 'Secure', 'SameSite=None', 'Partitioned', 'Path=/'])
        expect(sessionSet.split('; ')).toContain(a);
      // A cookie the browser sends cross-site still needs the session's CSRF token.
      const cookie = sessionSet.split(';')[0]!;
      const csrf = (login.json() as { user: { csrf: string } }).user.csrf;
      const newUser = { username: 'framed.x', password: 'a long enough password', role: 'admin' };
      for (const headers of [{ cookie }, { cookie, 'x-csrf-token': 'x'.repeat(43) }]) {
        const r = await framed.inject({
          method: 'POST',
          url: '/api/users',
          headers,
          payload: newUser,
        });
        expect(r.statusCode).toBe(403);
      }
      const ok = await framed.inject({
        method: 'POST',
        url: '/api/users',
        headers: { cookie, 'x-csrf-token': csrf },
        payload: newUser,
      });
      expect(ok.statusCode).toBe(201);
      // Logging out clears the partitioned cookie (a plain one would not replace it).
      const bye = await framed.inject({ method: 'POST', url: '/api/logout', headers: { cookie } });
      expect(setCookieOf(bye, 'uptake_session')!.split('; ')).toContain('Partitioned');

      // Over plain http on a real host name a Secure cookie would be dropped: first-party cookies.
      const remote = await framed.inject({
        method: 'GET',
        url: launchUrl(),
        headers: { host: 'uptake.example.org' },
      });
      expect(setCookieOf(remote, 'uptake_sso')).toMatch(/; SameSite=Lax$/);

      // The second step of a launch without its cookie (a browser that kept none in the frame):
      // the sign-in page, with the launch to open in a new window; the EHR was not contacted.
      const seen = idp.seen.length;
      const lost = await framed.inject({
        method: 'GET',
        url: String(out.headers.location),
      });
      expect(lost.statusCode).toBe(302);
      expect(String(out.headers.location)).toBe(launchUrl().replace('/launch?', '/continue?'));
      const back = String(lost.headers.location);
      expect(back.startsWith('/#/?sso_window=')).toBe(true);
      expect(decodeURIComponent(back.slice('/#/?sso_window='.length))).toBe(launchUrl());
      expect(idp.seen.length).toBe(seen);
    } finally {
      await framed.close();
    }
  });
});
