/**
 * Each security rule of the server, attacked through the API, on both engines: passwords,
 * sessions and cookies, CSRF, login rate limiting, the four roles, a clinician reading another
 * clinician's numbers, a leader reading a group outside their groups or below the suppression
 * threshold, identified reports, the access log (and its FHIR export), security headers, and
 * validation at the edge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { engines } from '../testing/testEngines.ts';
import { auditBundleSchema } from './schemas.ts';
import {
  call,
  login,
  testSystem,
  removeTestDir,
  type Session,
  type TestSystem,
} from '../testing/testSystem.ts';

afterAll(removeTestDir);

const enc = encodeURIComponent;

describe.each(engines())('security rules on $name', (engine) => {
  let sys: TestSystem;
  let clockOffset = 0;
  let admin: Session;
  let leader: Session;
  let champion: Session;
  let clin: Session;
  let clin2: Session;

  beforeAll(async () => {
    sys = await testSystem(engine, { now: () => new Date(Date.now() + clockOffset) });
    admin = await login(sys.app, sys.account('admin'));
    leader = await login(sys.app, sys.account('leader'));
    champion = await login(sys.app, sys.account('champion'));
    clin = await login(sys.app, sys.account('clinician', 0));
    clin2 = await login(sys.app, sys.account('clinician', 1));
  }, 600_000);
  afterAll(async () => sys?.close());

  it('stores a memory-hard salted hash, never the password', async () => {
    const rows = await sys.store.all<{ username: string; password_hash: string }>(
      `SELECT username, password_hash FROM users`,
    );
    expect(rows.length).toBe(sys.accounts.length);
    for (const r of rows) {
      expect(r.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
      const pw = sys.accounts.find((a) => a.username === r.username)!.password;
      expect(r.password_hash).not.toContain(pw);
    }
    expect(new Set(rows.map((r) => r.password_hash.split('$')[4])).size).toBe(rows.length);
  });

  it('answers a wrong password and an unknown user alike (401, same body)', async () => {
    const a = sys.account('clinician');
    const wrong = await sys.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username: a.username, password: 'not-the-password' },
      remoteAddress: '10.0.0.1',
    });
    const unknown = await sys.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username: 'nobody-here', password: 'not-the-password' },
      remoteAddress: '10.0.0.1',
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.body).toBe(unknown.body);
    expect(wrong.json()).toEqual({
      error: { code: 'UNAUTHENTICATED', message: 'wrong user name or password' },
    });
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('sets an HttpOnly, SameSite=Strict session cookie, Secure behind https', async () => {
    const r = await sys.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username: sys.account('admin').username, password: sys.account('admin').password },
    });
    const c = String(r.headers['set-cookie']);
    expect(c).toMatch(/^uptake_session=[\w-]{43};/);
    expect(c).toContain('HttpOnly');
    expect(c).toContain('SameSite=Strict');
    expect(c).toContain('Path=/');
    expect(c).not.toContain('Secure');
    const { buildServer } = await import('./buildServer.ts');
    const proxied = await buildServer(sys.store, { webDir: null, trustProxy: true });
    try {
      const r2 = await proxied.inject({
        method: 'POST',
        url: '/api/login',
        headers: { 'x-forwarded-proto': 'https' },
        payload: {
          username: sys.account('admin').username,
          password: sys.account('admin').password,
        },
      });
      expect(String(r2.headers['set-cookie'])).toContain('Secure');
    } finally {
      await proxied.close();
    }
  });

  it('keeps only a hash of the session token; forged and hashed tokens are refused', async () => {
    const token = admin.cookie.split('=')[1]!;
    const rows = await sys.store.all<{ token_hash: string }>(`SELECT token_hash FROM sessions`);
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    const { tokenHash } = await import('./auth.ts');
    const hashed = tokenHash(token);
    expect(rows.some((r) => r.token_hash === hashed)).toBe(true);
    for (const forged of [hashed, 'A'.repeat(43), `${token}x`, "' OR 1=1 --"]) {
      const r = await sys.app.inject({
        method: 'GET',
        url: '/api/me',
        headers: { cookie: `uptake_session=${enc(forged)}` },
      });
      expect(r.statusCode, forged).toBe(401);
    }
    expect((await call(sys.app, null, 'GET', '/api/org')).statusCode).toBe(401);
  });

  it('ends a session at logout and at expiry', async () => {
    const s = await login(sys.app, sys.account('admin'));
    expect((await call(sys.app, s, 'GET', '/api/me')).statusCode).toBe(200);
    const out = await call(sys.app, s, 'POST', '/api/logout');
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/uptake_session=;/);
    expect((await call(sys.app, s, 'GET', '/api/me')).statusCode).toBe(401);

    const t = await login(sys.app, sys.account('admin'));
    clockOffset = 13 * 3600_000;
    try {
      expect((await call(sys.app, t, 'GET', '/api/me')).statusCode).toBe(401);
    } finally {
      clockOffset = 0;
    }
    expect((await call(sys.app, t, 'GET', '/api/me')).statusCode).toBe(200);
  });

  it('refuses state changes without the session’s CSRF token', async () => {
    const other = await login(sys.app, sys.account('admin'));
    const attempts = [
      { method: 'PUT' as const, url: '/api/settings', payload: { suppression_threshold: 2 } },
      {
        method: 'POST' as const,
        url: '/api/users',
        payload: { username: 'mallory', password: 'correct horse battery', role: 'admin' },
      },
      { method: 'DELETE' as const, url: `/api/users/${sys.account('leader').username}` },
      { method: 'POST' as const, url: '/api/imports?table=events', payload: 'event_id\n' },
    ];
    for (const a of attempts) {
      for (const csrf of [false, '', 'wrong-token', other.csrf] as const) {
        const r = await call(sys.app, admin, a.method, a.url, {
          payload: a.payload,
          csrf,
          ...(a.url.startsWith('/api/imports') ? { headers: { 'content-type': 'text/csv' } } : {}),
        });
        expect(r.statusCode, `${a.method} ${a.url} csrf=${String(csrf)}`).toBe(403);
        expect(r.json().error.code).toBe('FORBIDDEN');
      }
    }
    // Nothing changed.
    const settings = await call(sys.app, admin, 'GET', '/api/settings');
    expect(settings.json().suppression_threshold).toBe(5);
    const users = (await call(sys.app, admin, 'GET', '/api/users')).json() as {
      username: string;
    }[];
    expect(users.map((u) => u.username)).not.toContain('mallory');
    expect(users.map((u) => u.username)).toContain(sys.account('leader').username);
    // With the token it works.
    const ok = await call(sys.app, admin, 'PUT', '/api/settings', {
      payload: { suppression_threshold: 5 },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('locks sign-in after 5 failures per user name and address for 15 minutes', async () => {
    const a = sys.account('clinician', 1);
    const ip = '10.9.9.9';
    for (let i = 0; i < 5; i++) {
      const r = await sys.app.inject({
        method: 'POST',
        url: '/api/login',
        payload: { username: a.username, password: `guess-${i}` },
        remoteAddress: ip,
      });
      expect(r.statusCode).toBe(401);
    }
    const locked = await sys.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username: a.username.toUpperCase(), password: a.password },
      remoteAddress: ip,
    });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    // Another address, or another user from this address, is not locked out.
    await login(sys.app, a, '10.9.9.10');
    await login(sys.app, sys.account('clinician', 0), ip);
    // After the window the right password works again.
    clockOffset = 16 * 60_000;
    try {
      await login(sys.app, a, ip);
    } finally {
      clockOffset = 0;
    }
  });

  it('gives each role only its pages', async () => {
    const g = `/api/groups/department/${enc(sys.account('leader').groups[0]!.value)}`;
    const matrix: [Session, string, number][] = [
      [clin, '/api/org', 403],
      [clin, g, 403],
      [clin, '/api/imports', 403],
      [clin, '/api/imports/1', 403],
      [clin, '/api/settings', 403],
      [clin, '/api/users', 403],
      [clin, '/api/access-log', 403],
      [clin, '/api/access-log/fhir', 403],
      [clin, '/api/me/report', 200],
      [champion, '/api/org', 403],
      [champion, '/api/imports', 403],
      [champion, '/api/users', 403],
      [champion, `/api/groups/department/${enc(sys.account('champion').groups[0]!.value)}`, 200],
      [leader, '/api/org', 200],
      [leader, g, 200],
      [leader, '/api/imports', 403],
      [leader, '/api/settings', 403],
      [leader, '/api/access-log', 403],
      [leader, '/api/me/report', 403],
      [admin, '/api/org', 200],
      [admin, '/api/access-log', 200],
    ];
    for (const [s, url, status] of matrix) {
      const r = await call(sys.app, s, 'GET', url);
      expect(r.statusCode, `${s.username} ${url}: ${r.body.slice(0, 200)}`).toBe(status);
    }
    // A leader cannot create accounts or change settings, even with a valid CSRF token.
    const r = await call(sys.app, leader, 'POST', '/api/users', {
      payload: { username: 'eve', password: 'correct horse battery', role: 'admin' },
    });
    expect(r.statusCode).toBe(403);
    expect(
      (await call(sys.app, clin, 'PUT', '/api/settings', { payload: { identified_reports: true } }))
        .statusCode,
    ).toBe(403);
  });

  it('never shows a clinician another clinician’s numbers', async () => {
    const me = sys.account('clinician', 0);
    const other = sys.account('clinician', 1);
    const own = await call(sys.app, clin, 'GET', '/api/me/report');
    expect(own.statusCode).toBe(200);
    expect(own.json().me.user_id).toBe(me.clinician_id);
    expect(own.json().weekly.every((r: { user_id: string }) => r.user_id === me.clinician_id)).toBe(
      true,
    );
    expect(
      (await call(sys.app, clin, 'GET', `/api/me/report?user_id=${me.clinician_id}`)).statusCode,
    ).toBe(200);
    for (const url of [
      `/api/me/report?user_id=${other.clinician_id}`,
      `/api/me/report?user_id=${enc(` ${other.clinician_id}`)}`,
      `/api/me/report?user_id=${other.clinician_id}&user_id=${me.clinician_id}`,
      `/api/me/report?user_id=${enc("u0001' OR '1'='1")}`,
    ]) {
      const r = await call(sys.app, clin, 'GET', url);
      expect([400, 403], url).toContain(r.statusCode);
      expect(r.body).not.toContain('"ehr_hours"');
    }
    // The other clinician's own report never leaks into mine, and a champion is a clinician too.
    const theirs = await call(sys.app, clin2, 'GET', '/api/me/report');
    expect(theirs.json().me.user_id).toBe(other.clinician_id);
    const champ = await call(sys.app, champion, 'GET', `/api/me/report?user_id=${me.clinician_id}`);
    expect(champ.statusCode).toBe(403);
    // An administrator may open it for support, and that is logged.
    const support = await call(
      sys.app,
      admin,
      'GET',
      `/api/me/report?user_id=${other.clinician_id}`,
    );
    expect(support.statusCode).toBe(200);
    const log = (await call(sys.app, admin, 'GET', '/api/access-log?limit=50')).json() as {
      username: string;
      resource: string;
      outcome: string;
      detail: string | null;
    }[];
    expect(log).toContainEqual(
      expect.objectContaining({
        username: me.username,
        resource: `report/${other.clinician_id}`,
        outcome: 'denied',
      }),
    );
    expect(
      log.find((e) => e.username === 'admin' && e.resource === `report/${other.clinician_id}`)
        ?.detail,
    ).toContain('support');
  });

  it('keeps a leader to their own groups', async () => {
    const mine = sys.account('leader').groups.map((g) => g.value);
    const roster = await sys.store.all<{ department: string; specialty: string; role: string }>(
      `SELECT DISTINCT department, specialty, role FROM clinicians`,
    );
    const others = [...new Set(roster.map((r) => r.department))].filter((d) => !mine.includes(d));
    expect(others.length).toBeGreaterThan(2);
    for (const d of others) {
      const r = await call(sys.app, leader, 'GET', `/api/groups/department/${enc(d)}`);
      expect(r.statusCode, d).toBe(403);
    }
    for (const url of [
      `/api/groups/department/${enc(mine[0]!.toLowerCase())}`,
      `/api/groups/department/${enc(`${mine[0]} `)}`,
      `/api/groups/specialty/${enc(roster[0]!.specialty)}`,
      `/api/groups/role/${enc(roster[0]!.role)}`,
      `/api/groups/org/organisation`,
      `/api/groups/department/${enc(`${mine[0]}' OR '1'='1`)}`,
      `/api/groups/department/..%2F..%2Fimports`,
    ]) {
      const r = await call(sys.app, leader, 'GET', url);
      expect([400, 403], url).toContain(r.statusCode);
      expect(r.body).not.toContain('distribution');
    }
    // The organisation page carries only the leader's departments.
    const org = (await call(sys.app, leader, 'GET', '/api/org')).json() as {
      departments: { group: string }[];
      weekly_by_department: { group: string }[];
      changes: { group: string }[];
    };
    for (const rows of [org.departments, org.weekly_by_department, org.changes]) {
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(mine).toContain(row.group);
    }
    // The meta lists only the leader's groups.
    const meta = (await call(sys.app, leader, 'GET', '/api/meta')).json();
    expect(meta.departments.sort()).toEqual([...mine].sort());
    expect(meta.specialties).toEqual([]);
  });

  it('shows no numbers of a group below the suppression threshold to anyone but an admin', async () => {
    const [small, big] = sys.account('leader').groups.map((g) => g.value) as [string, string];
    const sizes = await sys.store.all<{ department: string; n: number }>(
      `SELECT department, count(*) AS n FROM clinicians GROUP BY department`,
    );
    const nSmall = Number(sizes.find((r) => r.department === small)!.n);
    const nBig = Number(sizes.find((r) => r.department === big)!.n);
    expect(nSmall).toBeLessThan(nBig);
    const set = await call(sys.app, admin, 'PUT', '/api/settings', {
      payload: { suppression_threshold: nSmall + 1 },
    });
    expect(set.statusCode).toBe(200);
    try {
      const g = await call(sys.app, leader, 'GET', `/api/groups/department/${enc(small)}`);
      expect(g.statusCode).toBe(200);
      const body = g.json();
      expect(body.suppressed).toBe(true);
      expect(body.n).toBeNull();
      expect(body.clinicians).toBeUndefined();
      for (const v of Object.values(body.distribution)) expect(v).toEqual([]);
      for (const row of body.weekly) {
        expect(row.suppressed).toBe(true);
        expect(row.n).toBeNull();
        expect(row.ehr_time8_median).toBeNull();
      }
      const visible = (
        await call(sys.app, leader, 'GET', `/api/groups/department/${enc(big)}`)
      ).json();
      expect(visible.suppressed).toBe(false);
      expect(visible.distribution.ehr_time8.length).toBe(visible.n);

      const org = (await call(sys.app, leader, 'GET', '/api/org')).json();
      const row = org.departments.find((r: { group: string }) => r.group === small);
      expect(row).toMatchObject({
        suppressed: true,
        n: null,
        clinicians: null,
        ehr_time8_median: null,
      });
      for (const c of org.changes.filter((c: { group: string }) => c.group === small))
        expect(c).toMatchObject({
          first_half_median: null,
          second_half_median: null,
          change: null,
        });
      // The same group for an administrator: flagged, with numbers.
      const adm = (
        await call(sys.app, admin, 'GET', `/api/groups/department/${enc(small)}`)
      ).json();
      expect(adm.suppressed).toBe(true);
      expect(adm.n).toBe(nSmall);
      expect(adm.distribution.ehr_time8.length).toBe(nSmall);
      // A clinician's peers: never a group below the threshold.
      const rep = (await call(sys.app, clin, 'GET', '/api/me/report')).json();
      expect(rep.peers.n === null || rep.peers.n >= nSmall + 1).toBe(true);
    } finally {
      await call(sys.app, admin, 'PUT', '/api/settings', { payload: { suppression_threshold: 5 } });
    }
  });

  it('identifies clinicians only to admins with identified reports on', async () => {
    const dept = sys.account('leader').groups[1]!.value;
    const url = `/api/groups/department/${enc(dept)}`;
    const ids = (await sys.store.all<{ user_id: string }>(`SELECT user_id FROM clinicians`)).map(
      (r) => r.user_id,
    );
    const noIds = (body: string) => {
      for (const id of ids) expect(body).not.toContain(`"${id}"`);
    };
    expect((await call(sys.app, admin, 'GET', url)).json().clinicians).toBeUndefined();
    await call(sys.app, admin, 'PUT', '/api/settings', { payload: { identified_reports: true } });
    try {
      expect((await call(sys.app, admin, 'GET', '/api/me')).json().identified_reports).toBe(true);
      const adm = (await call(sys.app, admin, 'GET', url)).json();
      expect(adm.clinicians.length).toBe(adm.n);
      expect(adm.clinicians[0]).toHaveProperty('name');
      const lead = await call(sys.app, leader, 'GET', url);
      expect(lead.json().clinicians).toBeUndefined();
      noIds(lead.body);
      noIds((await call(sys.app, leader, 'GET', '/api/org')).body);
      const champ = sys.account('champion').groups[0]!.value;
      noIds((await call(sys.app, champion, 'GET', `/api/groups/department/${enc(champ)}`)).body);
    } finally {
      await call(sys.app, admin, 'PUT', '/api/settings', {
        payload: { identified_reports: false },
      });
    }
  });

  it('writes every data view (and every refusal) to the access log, exportable as FHIR', async () => {
    const s = await login(sys.app, sys.account('leader'));
    const dept = enc(sys.account('leader').groups[0]!.value);
    await call(sys.app, s, 'GET', '/api/org');
    await call(sys.app, s, 'GET', `/api/groups/department/${dept}`);
    await call(sys.app, s, 'GET', '/api/imports');
    const c = await login(sys.app, sys.account('clinician'));
    await call(sys.app, c, 'GET', '/api/me/report');
    const log = (await call(sys.app, admin, 'GET', '/api/access-log?limit=20')).json() as {
      username: string;
      action: string;
      resource: string;
      outcome: string;
      at: string;
    }[];
    const leaderName = sys.account('leader').username;
    const has = (username: string, action: string, resource: string, outcome: string) =>
      expect(log).toContainEqual(expect.objectContaining({ username, action, resource, outcome }));
    has(leaderName, 'login', 'session', 'success');
    has(leaderName, 'view', 'org', 'success');
    has(
      leaderName,
      'view',
      `group/department/${sys.account('leader').groups[0]!.value}`,
      'success',
    );
    has(leaderName, 'view', '/api/imports', 'denied');
    has(
      sys.account('clinician').username,
      'view',
      `report/${sys.account('clinician').clinician_id}`,
      'success',
    );
    expect(log[0]!.at >= log[log.length - 1]!.at).toBe(true);

    const fhir = await call(sys.app, admin, 'GET', '/api/access-log/fhir?limit=20');
    expect(fhir.statusCode).toBe(200);
    const bundle = auditBundleSchema.parse(fhir.json());
    expect(bundle.entry.length).toBe(20);
    for (const { resource } of bundle.entry) {
      expect(resource.agent[0]!.requestor).toBe(true);
      expect(resource.recorded).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(resource.source.observer.display).toBe('Uptake');
    }
    expect(bundle.entry.some((e) => e.resource.outcome === '4')).toBe(true);
    expect(new Set(bundle.entry.map((e) => e.fullUrl)).size).toBe(20);
  });

  it('ends the sessions of a deleted user at once', async () => {
    const created = await call(sys.app, admin, 'POST', '/api/users', {
      payload: {
        username: 'temp.leader',
        password: 'a long enough password',
        role: 'leader',
        groups: [{ by: 'department', value: sys.account('leader').groups[0]!.value }],
      },
    });
    expect(created.statusCode).toBe(201);
    const s = await login(sys.app, { username: 'temp.leader', password: 'a long enough password' });
    expect((await call(sys.app, s, 'GET', '/api/org')).statusCode).toBe(200);
    expect((await call(sys.app, admin, 'DELETE', '/api/users/temp.leader')).statusCode).toBe(204);
    expect((await call(sys.app, s, 'GET', '/api/org')).statusCode).toBe(401);
    expect((await call(sys.app, admin, 'DELETE', '/api/users/admin')).statusCode).toBe(409);
  });

  it('sets security headers', async () => {
    for (const url of ['/api/me', '/', '/some/page']) {
      const r = await call(sys.app, admin, 'GET', url);
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['strict-transport-security']).toContain('max-age=');
      expect(r.headers['x-powered-by']).toBeUndefined();
    }
    expect((await call(sys.app, admin, 'GET', '/api/org')).headers['cache-control']).toBe(
      'no-store',
    );
  });

  it('validates every input at the edge, with the closed set of errors', async () => {
    const bad: [Session, 'GET' | 'POST' | 'PUT', string, unknown, number][] = [
      [admin, 'GET', '/api/org?from=2026-02-30', undefined, 400],
      [admin, 'GET', '/api/org?from=2026-01-10&to=2026-01-05', undefined, 400],
      [admin, 'GET', "/api/org?from=2026-01-05'%3B%20DROP%20TABLE%20users%3B--", undefined, 400],
      [admin, 'GET', '/api/org?from=2000-01-01&to=2026-01-01', undefined, 400],
      [admin, 'GET', '/api/access-log?limit=abc', undefined, 400],
      [admin, 'GET', '/api/access-log?limit=100000', undefined, 400],
      [admin, 'GET', '/api/imports/abc', undefined, 400],
      [admin, 'GET', '/api/imports/999999', undefined, 404],
      [admin, 'GET', '/api/groups/ward/x', undefined, 400],
      [admin, 'GET', '/api/groups/department/no%20such%20department', undefined, 404],
      [admin, 'PUT', '/api/settings', { suppression_threshold: 0 }, 400],
      [admin, 'PUT', '/api/settings', { timezone: 'Mars/Olympus' }, 400],
      [admin, 'PUT', '/api/settings', { identified_reports: 'yes' }, 400],
      [admin, 'PUT', '/api/settings', { is_admin: true }, 400],
      [admin, 'PUT', '/api/settings', { metric_options: { wow: 'never' } }, 400],
      [
        admin,
        'POST',
        '/api/users',
        { username: 'Robert"); DROP TABLE users;--', password: 'x'.repeat(12), role: 'admin' },
        400,
      ],
      [admin, 'POST', '/api/users', { username: 'x', password: 'short', role: 'admin' }, 400],
      [
        admin,
        'POST',
        '/api/users',
        { username: 'x', password: 'x'.repeat(12), role: 'superuser' },
        400,
      ],
      [
        admin,
        'POST',
        '/api/users',
        { username: 'x', password: 'x'.repeat(12), role: 'clinician' },
        400,
      ],
      [
        admin,
        'POST',
        '/api/users',
        { username: 'x', password: 'x'.repeat(12), role: 'clinician', clinician_id: 'nobody' },
        400,
      ],
      [
        admin,
        'POST',
        '/api/users',
        { username: 'admin', password: 'x'.repeat(12), role: 'admin' },
        409,
      ],
      [admin, 'POST', '/api/imports?table=patients', 'a,b\n', 400],
    ];
    for (const [s, method, url, payload, status] of bad) {
      const r = await call(sys.app, s, method, url, {
        payload: typeof payload === 'string' ? payload : payload,
        ...(typeof payload === 'string' ? { headers: { 'content-type': 'text/csv' } } : {}),
      });
      expect(r.statusCode, `${method} ${url} ${JSON.stringify(payload)}: ${r.body}`).toBe(status);
      const body = r.json();
      expect(Object.keys(body)).toEqual(['error']);
      expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
      expect(body.error.message).not.toMatch(/at .*\.ts:\d+|stack|SELECT|syntax/i);
    }
    // Not JSON, or JSON where a file was expected.
    const notJson = await sys.app.inject({
      method: 'PUT',
      url: '/api/settings',
      headers: {
        cookie: admin.cookie,
        'x-csrf-token': admin.csrf,
        'content-type': 'application/json',
      },
      payload: '{"suppression_threshold": ',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.code).toBe('INVALID_INPUT');
    const form = await sys.app.inject({
      method: 'PUT',
      url: '/api/settings',
      headers: {
        cookie: admin.cookie,
        'x-csrf-token': admin.csrf,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: 'suppression_threshold=1',
    });
    expect(form.statusCode).toBe(400);
    const users = await sys.store.all(`SELECT username FROM users`);
    expect(users.length).toBe(sys.accounts.length);
  });
});
