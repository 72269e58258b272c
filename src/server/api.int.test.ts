/**
 * The API contract: the OpenAPI description, group figures equal to the metric SQL's, the data
 * range, uploads through the same importer as the CLI (and the cache dropped afterwards), my
 * report's suggestions, settings flowing into reports, the web app's static files, and no patient
 * identifier in any response of any endpoint for any role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupMetrics, parseRequest } from '../metrics/computeMetrics.ts';
import { PER8_METRICS } from '../model/metricRow.ts';
import { DEFAULT_OPTIONS } from '../model/options.ts';
import { restEvent } from '../testing/fhirFixtures.ts';
import { engines } from '../testing/testEngines.ts';
import { buildServer } from './buildServer.ts';
import { DISTRIBUTION_METRICS } from './schemas.ts';
import {
  call,
  login,
  testSystem,
  removeTestDir,
  testDir,
  type Session,
  type TestSystem,
} from '../testing/testSystem.ts';

afterAll(removeTestDir);

const enc = encodeURIComponent;
const PSEUDONYM = /P[0-9a-f]{32}/;
/** Raw patient identifiers of the generator (p + 6 digits) and of the upload below. */
const RAW_PATIENT = /\bp\d{6}\b|MRN-SECRET/;

describe.each(engines({ citus: true }))('API on $name', (engine) => {
  let sys: TestSystem;
  let admin: Session;

  beforeAll(async () => {
    sys = await testSystem(engine);
    admin = await login(sys.app, sys.account('admin'));
  }, 600_000);
  afterAll(async () => sys?.close());

  it('describes itself in OpenAPI 3.1, generated from the schemas', async () => {
    const r = await call(sys.app, null, 'GET', '/api/openapi.json');
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([p, m]) => Object.keys(m).map((k) => `${k.toUpperCase()} ${p}`),
    );
    for (const op of [
      'POST /api/login',
      'POST /api/logout',
      'GET /api/me',
      'GET /api/meta',
      'GET /api/org',
      'GET /api/groups/{by}/{value}',
      'GET /api/me/report',
      'GET /api/imports',
      'GET /api/imports/{id}',
      'POST /api/imports',
      'GET /api/settings',
      'PUT /api/settings',
      'GET /api/users',
      'POST /api/users',
      'DELETE /api/users/{username}',
      'PUT /api/users/{username}',
      'GET /api/export/{table}',
      'GET /api/help-requests',
      'POST /api/me/help-requests',
      'GET /api/help-coverage',
      'GET /api/golive',
      'GET /api/sso',
      'GET /api/sso/smart/launch',
      'GET /api/access-log',
      'GET /api/access-log/fhir',
      'GET /api/openapi.json',
    ])
      expect(ops).toContain(op);
    // Every reference resolves.
    const text = JSON.stringify(doc);
    expect(text).not.toContain('#/$defs/');
    for (const m of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g))
      expect(doc.components.schemas, m[1]).toHaveProperty(m[1]!);
    expect(doc.components.schemas.GroupMetricRow.properties).toHaveProperty('ehr_time8_median');
    expect(doc.paths['/api/org'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      'from',
      'to',
    ]);
    expect(
      doc.paths['/api/settings'].put.parameters.map((p: { name: string }) => p.name),
    ).toContain('x-csrf-token');
  });

  it('gives the default range (here the whole three weeks of data), the dense extent and the groups', async () => {
    const meta = (await call(sys.app, admin, 'GET', '/api/meta')).json();
    expect(meta.from).toBe(sys.gen.from);
    expect(meta.to).toBe(sys.gen.to);
    expect(meta.dense).toEqual({ from: sys.gen.from, to: sys.gen.to });
    expect(meta.analysis).toEqual({ from: sys.gen.from, to: sys.gen.to });
    expect(meta.timezone).toBe(sys.gen.timezone);
    expect(meta.departments).toContain(sys.account('leader').groups[0]!.value);
    expect(meta.last_import).toMatch(/^\d{4}-/);
    const clin = await login(sys.app, sys.account('clinician'));
    const m2 = (await call(sys.app, clin, 'GET', '/api/meta')).json();
    expect(m2.departments).toEqual([]);
  });

  it('computes the organisation and department figures exactly as the metric SQL', async () => {
    const org = (await call(sys.app, admin, 'GET', '/api/org')).json();
    const req = parseRequest({
      from: sys.gen.from,
      to: sys.gen.to,
      period: 'all',
      options: { ...DEFAULT_OPTIONS, timezone: sys.gen.timezone },
    });
    const sqlDept = await groupMetrics(sys.store, req, 'department', 5);
    const sqlWeek = await groupMetrics(sys.store, { ...req, period: 'week' }, 'org', 5);
    const compare = (api: Record<string, unknown>[], sql: Record<string, unknown>[]) => {
      expect(api.length).toBe(sql.length);
      for (const s of sql) {
        const a = api.find(
          (x) => x['group'] === s['group'] && x['period_start'] === s['period_start'],
        )!;
        expect(a, String(s['group'])).toBeDefined();
        expect(a['n']).toBe(s['n']);
        expect(a['clinicians']).toBe(s['clinicians']);
        expect(a['suppressed']).toBe(s['suppressed']);
        for (const m of PER8_METRICS)
          for (const q of ['p25', 'median', 'p75']) {
            const x = a[`${m}_${q}`] as number | null;
            const y = s[`${m}_${q}`] as number | null;
            if (y === null) expect(x).toBeNull();
            else expect(Math.abs(x! - y)).toBeLessThan(1e-9);
          }
      }
    };
    compare(org.departments, sqlDept as unknown as Record<string, unknown>[]);
    compare(org.weekly, sqlWeek as unknown as Record<string, unknown>[]);
    expect(org.options.options.timezone).toBe(sys.gen.timezone);
    expect(org.halves.first[0]).toBe(sys.gen.from);
    expect(org.changes.length).toBe(3 * org.departments.length);
    expect(Object.keys(org.definitions)).toEqual(expect.arrayContaining([...PER8_METRICS]));
    // A group page: the distribution is the department's clinicians' values, sorted.
    const dept = sqlDept.find((d) => !d.suppressed)!;
    const g = (
      await call(sys.app, admin, 'GET', `/api/groups/department/${enc(dept.group)}`)
    ).json();
    expect(g.n).toBe(dept.n);
    const v = g.distribution.ehr_time8 as number[];
    expect(v.length).toBe(dept.n);
    expect([...v].sort((a, b) => a - b)).toEqual(v);
    expect(Math.abs(v[Math.floor(v.length / 2)]! - dept.ehr_time8_median!)).toBeLessThan(
      v.length % 2 ? 1e-9 : Infinity,
    );
    expect(Object.keys(g.distribution).sort()).toEqual([...DISTRIBUTION_METRICS].sort());
    expect(g.org.group).toBe('organisation');
  }, 180_000); // three whole computations of the metric SQL: room for a loaded machine

  it('follows the settings: metric options and the range asked for', async () => {
    const set = await call(sys.app, admin, 'PUT', '/api/settings', {
      payload: { metric_options: { wow: 'pajama', timeout_seconds: 120 } },
    });
    expect(set.statusCode).toBe(200);
    expect(set.json().metric_options).toMatchObject({
      wow: 'pajama',
      timeout_seconds: 120,
      direction: 'forward',
    });
    try {
      const org = (
        await call(sys.app, admin, 'GET', `/api/org?from=${sys.gen.from}&to=2026-01-12`)
      ).json();
      expect(org.options.options).toMatchObject({ wow: 'pajama', timeout_seconds: 120 });
      expect(org.options.from).toBe(sys.gen.from);
      expect(org.options.to).toBe('2026-01-12');
      expect(org.weekly.length).toBe(1);
      expect(org.definitions.wow8).toContain('weekdays before 07:00 or after 17:30');
    } finally {
      await call(sys.app, admin, 'PUT', '/api/settings', {
        payload: { metric_options: { wow: 'schedule', timeout_seconds: 300 } },
      });
    }
  });

  it('imports an uploaded file with the CLI’s importer; rejects carry no raw row; the cache follows', async () => {
    const before = (await call(sys.app, admin, 'GET', '/api/meta')).json();
    const uid = sys.account('clinician').clinician_id!;
    const csv =
      'event_id,occurred_at,user_id,action,category,patient_id\n' +
      `up-1,2026-01-26T10:00:00-05:00,${uid},note_edit,notes,MRN-SECRET-1\n` +
      `up-2,2026-01-26T10:01:00,${uid},note_edit,notes,MRN-SECRET-2\n`;
    const r = await sys.app.inject({
      method: 'POST',
      url: '/api/imports?table=events&filename=extra%20events.csv',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(r.statusCode, r.body).toBe(200);
    const report = r.json();
    expect(report).toMatchObject({
      table: 'events',
      rows_read: 2,
      rows_stored: 1,
      rows_rejected: 1,
    });
    expect(report.file).toMatch(/extra events\.csv$/);
    const detail = await call(sys.app, admin, 'GET', `/api/imports/${report.import_id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().rejects).toEqual([
      { line: 3, reason: expect.stringContaining('no UTC offset') },
    ]);
    expect(detail.body).not.toMatch(RAW_PATIENT);
    const list = (await call(sys.app, admin, 'GET', '/api/imports')).json();
    expect(list.map((i: { import_id: number }) => i.import_id)).toContain(report.import_id);
    const after = (await call(sys.app, admin, 'GET', '/api/meta')).json();
    expect(after.last_import >= before.last_import).toBe(true);
    // The meta follows the import: the new event (15:00 UTC) is the events' last instant…
    const lastEvent = (m: { data_range: { table: string; to: string }[] }) =>
      m.data_range
        .filter((d) => d.table === 'events')
        .map((d) => d.to)
        .sort()
        .at(-1);
    expect(lastEvent(before)).not.toMatch(/^2026-01-26[ T]15:00:00/);
    expect(lastEvent(after)).toMatch(/^2026-01-26[ T]15:00:00/);
    // …and the default range stays the three weeks: one event is no dense week (issue 11).
    expect([before.to, after.to]).toEqual(['2026-01-26', '2026-01-26']);
    expect(after.dense).toEqual({ from: sys.gen.from, to: sys.gen.to });
    // A file that is not the table asked for is refused with the importer's message.
    const wrong = await sys.app.inject({
      method: 'POST',
      url: '/api/imports?table=orders',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.message).toContain('missing required column');
    // Too large.
    const small = await buildServer(sys.store, { webDir: null, maxUploadBytes: 10 });
    try {
      const s = await login(small, sys.account('admin'));
      const big = await small.inject({
        method: 'POST',
        url: '/api/imports?table=events',
        headers: {
          cookie: s.cookie,
          'x-csrf-token': s.csrf,
          'content-type': 'application/octet-stream',
        },
        payload: csv,
      });
      expect(big.statusCode).toBe(413);
      expect(big.json().error.code).toBe('TOO_LARGE');
    } finally {
      await small.close();
    }
  });
  it('changes an account: role, groups, clinician, password; a new role or password ends its sessions', async () => {
    const created = await call(sys.app, admin, 'POST', '/api/users', {
      payload: {
        username: 'temp.lead',
        password: 'first-password-1',
        role: 'leader',
        groups: [{ by: 'department', value: 'Somewhere' }],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const old = await login(sys.app, { username: 'temp.lead', password: 'first-password-1' });
    const put = (who: Session | null, body: unknown, name = 'temp.lead', csrf = true) =>
      call(sys.app, who, 'PUT', `/api/users/${name}`, { payload: body, csrf });

    // Groups only: the session stays.
    const g = await put(admin, { groups: [{ by: 'specialty', value: 'cardiology' }] });
    expect(g.json()).toMatchObject({
      role: 'leader',
      groups: [{ by: 'specialty', value: 'cardiology' }],
    });
    expect((await call(sys.app, old, 'GET', '/api/me')).statusCode).toBe(200);

    // A clinician needs a roster id; with one, the role changes and the old session ends.
    expect((await put(admin, { role: 'clinician' })).statusCode).toBe(400);
    expect((await put(admin, { role: 'clinician', clinician_id: 'nobody-here' })).statusCode).toBe(
      400,
    );
    const uid = sys.account('clinician').clinician_id!;
    const r = await put(admin, { role: 'clinician', clinician_id: uid });
    expect(r.json()).toMatchObject({ role: 'clinician', clinician_id: uid, groups: [] });
    expect((await call(sys.app, old, 'GET', '/api/me')).statusCode).toBe(401);

    // A password reset: the old password no longer works, the new one does.
    expect((await put(admin, { password: 'second-password-2' })).statusCode).toBe(200);
    await expect(
      login(sys.app, { username: 'temp.lead', password: 'first-password-1' }),
    ).rejects.toThrow(/401/);
    const fresh = await login(sys.app, { username: 'temp.lead', password: 'second-password-2' });
    // Nobody but an administrator, and never without the CSRF token.
    expect((await put(fresh, { role: 'admin' })).statusCode).toBe(403);
    expect((await put(admin, { groups: [] }, 'temp.lead', false)).statusCode).toBe(403);
    // Refusals: your own role, an unknown user, an empty change.
    expect((await put(admin, { role: 'leader' }, 'admin')).statusCode).toBe(409);
    expect((await put(admin, { password: 'third-password-3' }, 'no.such.user')).statusCode).toBe(
      404,
    );
    expect((await put(admin, {})).statusCode).toBe(400);
    const log = await sys.store.all<{ detail: string }>(
      `SELECT detail FROM access_log WHERE action = 'update' AND resource = 'users/temp.lead' ORDER BY id`,
    );
    expect(log.map((l) => l.detail)).toEqual([
      'groups',
      'role clinician, clinician_id',
      'password reset',
    ]);
    expect((await call(sys.app, admin, 'DELETE', '/api/users/temp.lead')).statusCode).toBe(204);
  });

  it('lets an administrator download a table as Parquet, CSV or JSON, and nobody else', async () => {
    const pq = await call(sys.app, admin, 'GET', '/api/export/clinicians');
    expect(pq.statusCode).toBe(200);
    expect(pq.headers['content-disposition']).toBe('attachment; filename="clinicians.parquet"');
    expect(pq.rawPayload.subarray(0, 4).toString('latin1')).toBe('PAR1');
    const csv = await call(sys.app, admin, 'GET', '/api/export/schedule?format=csv');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.split('\n')[0]).toBe(
      'user_id,kind,start,end,status,visit_type,patient_id,appointment_id',
    );
    const [n] = await sys.store.all<{ n: number }>(`SELECT count(*) AS n FROM schedule`);
    expect(csv.body.trim().split('\n')).toHaveLength(Number(n!.n) + 1);
    const json = await call(sys.app, admin, 'GET', '/api/export/events?format=json');
    expect(Object.keys(JSON.parse(json.body.split('\n')[0]!))).toContain('occurred_at');
    expect(json.body).not.toMatch(RAW_PATIENT);
    expect((await call(sys.app, admin, 'GET', '/api/export/secrets')).statusCode).toBe(400);
    expect((await call(sys.app, admin, 'GET', '/api/export/events?format=xml')).statusCode).toBe(
      400,
    );
    const leader = await login(sys.app, sys.account('leader'));
    expect((await call(sys.app, leader, 'GET', '/api/export/events')).statusCode).toBe(403);
    const log = await sys.store.all<{ resource: string; detail: string }>(
      `SELECT resource, detail FROM access_log WHERE resource LIKE 'export/%' ORDER BY id`,
    );
    expect(log.map((l) => l.resource)).toEqual([
      'export/clinicians',
      'export/schedule',
      'export/events',
    ]);
    expect(log[1]!.detail).toBe(`${n!.n} rows as csv`);
  });

  it('takes Epic access-log exports, FHIR NDJSON and patient-side uploads, detecting the format from the file', async () => {
    const uid = sys.account('clinician').clinician_id!;
    const upload = (query: string, payload: string, type = 'application/octet-stream') =>
      sys.app.inject({
        method: 'POST',
        url: `/api/imports?${query}`,
        headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': type },
        payload,
      });
    const epic =
      'ACCESS_INSTANT,PROCESS_ID,ACCESS_TIME,USER_ID,METRIC_ID,METRIC_NAME,PAT_ID\n' +
      `5990000001,9001,2026-01-26 11:00:00,${uid},17001,In Basket message viewed,Z-SECRET-9\n` +
      `5990000002,9002,2026-01-26 11:01:00,${uid},17001,In Basket message viewed,Z-SECRET-9\n`;
    // Times without an offset: refused until the source time zone is given.
    const noTz = await upload('table=events&filename=access.csv', epic);
    expect(noTz.statusCode).toBe(400);
    expect(noTz.json().error.message).toMatch(/source time zone is required/);
    const e = await upload('table=events&filename=access.csv&source_tz=America/New_York', epic);
    expect(e.statusCode, e.body).toBe(200);
    expect(e.json()).toMatchObject({ format: 'epic-access-log', rows_stored: 2, rows_rejected: 0 });
    // An Epic export is events only.
    const asOrders = await upload('table=orders&format=epic-access-log&source_tz=UTC', epic);
    expect(asOrders.statusCode).toBe(400);
    expect(asOrders.json().error.message).toMatch(/events only/);

    const ndjson = [
      restEvent({
        id: 'ae-up-1',
        recorded: '2026-01-26T12:00:00-05:00',
        interaction: 'read',
        action: 'R',
        user: { reference: `Practitioner/${uid}` },
        what: 'Observation/o1',
        patient: 'Patient/SECRET-P1',
      }),
    ]
      .map((x) => JSON.stringify(x))
      .join('\n');
    const f = await upload('table=events&filename=audit.ndjson', ndjson, 'application/x-ndjson');
    expect(f.statusCode, f.body).toBe(200);
    expect(f.json().format).toMatch(/fhir/);
    expect(f.json().rows_stored).toBe(1);
    // Asked for canonical CSV, a FHIR file is refused with what it looks like.
    const asCsv = await upload('table=events&format=csv', ndjson);
    expect(asCsv.statusCode).toBe(400);
    expect(asCsv.json().error.message).toMatch(/FHIR/);
    // Not importable at all.
    const junk = await upload('table=events', 'hello\n');
    expect(junk.statusCode).toBe(400);
    expect(junk.json().error.message).toMatch(/not a file Uptake can import/);
    const stored = await sys.store.all<{ n: number }>(
      `SELECT count(*) AS n FROM events WHERE patient_id LIKE '%SECRET%'`,
    );
    expect(Number(stored[0]!.n)).toBe(0);
    // The patient side (no user_id column) is detected as canonical CSV and validated alike.
    const messages =
      'message_id,sent_at,patient_id,clinician_id,direction\n' +
      `MSG-SECRET-1,2026-01-26T10:00:00-05:00,MRN-SECRET-3,${uid},to_clinician\n` +
      `MSG-SECRET-2,2026-01-26T11:00:00-05:00,MRN-SECRET-3,${uid},sideways\n`;
    const m = await upload('table=messages&filename=messages.csv', messages, 'text/csv');
    expect(m.statusCode, m.body).toBe(200);
    expect(m.json()).toMatchObject({ table: 'messages', format: 'csv', rows_stored: 1 });
    expect(m.json().rows_rejected).toBe(1);
    const [msg] = await sys.store.all<{ message_id: string; patient_id: string }>(
      `SELECT message_id, patient_id FROM messages WHERE import_id = $1`,
      [m.json().import_id],
    );
    expect(msg?.message_id).toMatch(PSEUDONYM);
    expect(msg?.patient_id).toMatch(PSEUDONYM);
    const notATable = await upload('table=training', messages, 'text/csv');
    expect(notATable.statusCode).toBe(400);
  });
});

describe('API on duckdb only (heavier)', () => {
  const duck = engines().find((e) => e.name === 'duckdb')!;
  let sys: TestSystem;
  let sessions: Record<string, Session>;

  beforeAll(async () => {
    sys = await testSystem(duck);
    sessions = {};
    for (const a of sys.accounts) sessions[a.username] = await login(sys.app, a);
  }, 600_000);
  afterAll(async () => sys?.close());

  it('gives at most three suggestions, each beyond the peers’ quartile, with why', async () => {
    const admin = sessions['admin']!;
    const ids = (
      await sys.store.all<{ user_id: string }>(`SELECT user_id FROM clinicians ORDER BY 1`)
    ).map((r) => r.user_id);
    let total = 0;
    const seen = new Set<string>();
    for (const id of ids) {
      const rep = (await call(sys.app, admin, 'GET', `/api/me/report?user_id=${id}`)).json();
      expect(rep.me.user_id).toBe(id);
      expect(rep.suggestions.length).toBeLessThanOrEqual(3);
      expect(rep.peers.n).toBeGreaterThanOrEqual(5);
      for (const s of rep.suggestions) {
        total++;
        seen.add(s.id);
        const q = rep.peers.quantiles[s.metric];
        const low = s.metric === 'teamwork_orders' || s.metric === 'undivided_attention';
        if (low) expect(s.value).toBeLessThan(q.p25);
        else expect(s.value).toBeGreaterThan(q.p75);
        expect(s.peer_median).toBe(q.median);
        expect(s.why.length).toBeGreaterThan(30);
        expect(s.action.length).toBeGreaterThan(30);
      }
      expect(rep.weekly.length).toBe(3);
    }
    expect(total).toBeGreaterThan(5);
    expect(seen.size).toBeGreaterThan(2);
  });

  it('sends no patient identifier (raw or pseudonym) in any response, for any role', async () => {
    const admin = sessions['admin']!;
    const meta = (await call(sys.app, admin, 'GET', '/api/meta')).json();
    const ids = (await sys.store.all<{ user_id: string }>(`SELECT user_id FROM clinicians`)).map(
      (r) => r.user_id,
    );
    const pseudonyms = await sys.store.all<{ n: number }>(
      `SELECT count(DISTINCT patient_id) AS n FROM events WHERE patient_id IS NOT NULL`,
    );
    expect(Number(pseudonyms[0]!.n)).toBeGreaterThan(100);
    const urls = [
      '/api/me',
      '/api/meta',
      '/api/org',
      `/api/org?from=${sys.gen.from}&to=2026-01-12`,
      '/api/me/report',
      '/api/imports',
      '/api/imports/1',
      '/api/imports/4',
      '/api/settings',
      '/api/users',
      '/api/access-log?limit=1000',
      '/api/access-log/fhir?limit=1000',
      '/api/openapi.json',
      ...['department', 'specialty', 'role'].flatMap((by) =>
        (
          meta[
            by === 'department' ? 'departments' : by === 'specialty' ? 'specialties' : 'roles'
          ] as string[]
        ).map((v) => `/api/groups/${by}/${enc(v)}`),
      ),
      ...ids.map((id) => `/api/me/report?user_id=${id}`),
    ];
    await call(sys.app, admin, 'PUT', '/api/settings', { payload: { identified_reports: true } });
    let scanned = 0;
    for (const s of Object.values(sessions)) {
      for (const url of urls) {
        const r = await call(sys.app, s, 'GET', url);
        expect(r.statusCode).toBeLessThan(500);
        expect(r.body, `${s.username} ${url}`).not.toMatch(PSEUDONYM);
        expect(r.body, `${s.username} ${url}`).not.toMatch(RAW_PATIENT);
        scanned += r.body.length;
      }
    }
    expect(scanned).toBeGreaterThan(100_000);
  });

  it('serves the web app from its folder, index.html for the app’s own paths', async () => {
    const web = join(testDir(), 'web');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(
      join(web, 'index.html'),
      '<!doctype html><title>app</title><script type="module" src="/assets/a.js"></script>',
    );
    writeFileSync(join(web, 'assets', 'a.js'), 'console.log(1)');
    const app = await buildServer(sys.store, { webDir: web });
    try {
      const index = await app.inject({ method: 'GET', url: '/' });
      expect(index.body).toContain('<title>app</title>');
      expect((await app.inject({ method: 'GET', url: '/groups/department/x' })).body).toContain(
        '<title>app</title>',
      );
      const js = await app.inject({ method: 'GET', url: '/assets/a.js' });
      expect(js.headers['content-type']).toContain('javascript');
      const api = await app.inject({ method: 'GET', url: '/api/nothing' });
      expect(api.statusCode).toBe(404);
      expect(api.json().error.code).toBe('NOT_FOUND');
      expect((await app.inject({ method: 'GET', url: '/../../etc/passwd' })).body).not.toContain(
        'root:',
      );
    } finally {
      await app.close();
    }
    const bare = await buildServer(sys.store, { webDir: join(testDir(), 'missing') });
    try {
      expect((await bare.inject({ method: 'GET', url: '/' })).body).toContain('npm run build:web');
    } finally {
      await bare.close();
    }
  });

  it('keeps serving during an import and loses nothing written meanwhile', async () => {
    const admin = sessions['admin']!;
    const count = async () =>
      Number((await sys.store.all<{ n: number }>(`SELECT count(*) AS n FROM access_log`))[0]!.n);
    const before = await count();
    const uid = sys.account('clinician').clinician_id!;
    const t0 = Date.parse('2026-01-20T13:00:00Z');
    const lines = ['event_id,occurred_at,user_id,action,category'];
    for (let i = 0; i < 30_000; i++)
      lines.push(`cc-${i},${new Date(t0 + i * 1000).toISOString()},${uid},note_edit,notes`);
    const upload = sys.app.inject({
      method: 'POST',
      url: '/api/imports?table=events',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'text/csv' },
      payload: lines.join('\n') + '\n',
    });
    const views = Array.from({ length: 10 }, () => call(sys.app, admin, 'GET', '/api/users'));
    const [u, ...rs] = await Promise.all([upload, ...views]);
    expect(u.statusCode, u.body).toBe(200);
    expect(u.json().rows_stored).toBe(30_000);
    for (const r of rs) expect(r.statusCode).toBe(200);
    expect((await count()) - before).toBe(11);
  });

  it('answers the report pages from the cache after the first request', async () => {
    const admin = sessions['admin']!;
    const leader = sessions[sys.account('leader').username]!;
    const clin = sessions[sys.account('clinician').username]!;
    // The import of the test before is taken in by the day table in the background: time the
    // cached pages once it is done.
    while ((await call(sys.app, admin, 'GET', '/api/org')).json().freshness.updating)
      await new Promise((r) => setTimeout(r, 50));
    const urls: [Session, string][] = [
      [admin, '/api/org'],
      [leader, `/api/groups/department/${enc(sys.account('leader').groups[0]!.value)}`],
      [clin, '/api/me/report'],
    ];
    for (const [s, url] of urls) {
      const t = performance.now();
      for (let i = 0; i < 10; i++)
        expect((await call(sys.app, s, 'GET', url)).statusCode).toBe(200);
      expect((performance.now() - t) / 10, url).toBeLessThan(200);
    }
  });
});
