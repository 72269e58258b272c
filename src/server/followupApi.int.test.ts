/**
 * Follow-ups through the API on every engine (engagement.md §3, issue #15): a clinician writes
 * one for their own visit (not another's), the patient opens it by link, reads, acknowledges and
 * asks, the author sees the chain and answers; the text reaches only its author, the patient and
 * administrators (logged); the link is unguessable, opens one follow-up, expires and is
 * rate-limited; the rows it writes (releases, patient events, messages) hold pseudonyms only.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirServer } from '../synth/fhirServer.ts';
import { signOn, startTestIdp, type TestIdp } from '../testing/testIdp.ts';
import { readingGrade } from '../model/readingGrade.ts';
import { engines } from '../testing/testEngines.ts';
import {
  call,
  login,
  removeTestDir,
  testFiles,
  testSystem,
  type Session,
  type TestSystem,
} from '../testing/testSystem.ts';

afterAll(removeTestDir);

const TEXT =
  'We changed your blood pressure pill. Take one each morning. Check your pressure at home. Call us if you feel dizzy.';

describe.each(engines({ citus: true }))('follow-ups API on $name', (engine) => {
  let sys: TestSystem;
  let clin: Session;
  let other: Session;
  let admin: Session;
  let leader: Session;
  let base: Date;
  let clock: Date;
  let visit: { appointment_id: string; start: string };
  let otherVisit: string;
  let followup: { id: string; link: string };
  let idp: TestIdp;

  const patient = (
    path: '' | '/acknowledge' | '/question',
    body: Record<string, unknown>,
    ip = '10.0.0.1',
  ) =>
    sys.app.inject({
      method: 'POST',
      url: `/api/patient/followup${path}`,
      payload: body,
      remoteAddress: ip,
    });
  const tokenOf = (link: string) => link.replace('/#/f/', '');

  beforeAll(async () => {
    const gen = await testFiles();
    base = new Date(`${gen.to}T12:00:00Z`);
    clock = base;
    idp = await startTestIdp();
    sys = await testSystem(engine, {
      now: () => clock,
      sso: {
        publicUrl: 'http://uptake.test',
        allowHttp: true,
        smart: { clientId: 'uptake-smart', issuers: [`${idp.base}/fhir`], followups: true },
      },
    });
    const c0 = sys.account('clinician', 0);
    const c1 = sys.account('clinician', 1);
    clin = await login(sys.app, c0);
    other = await login(sys.app, c1);
    admin = await login(sys.app, sys.account('admin'));
    leader = await login(sys.app, sys.account('leader'));
    const r = await call(sys.app, clin, 'GET', '/api/me/visits');
    expect(r.statusCode).toBe(200);
    const visits = r.json<{ visits: { appointment_id: string; start: string }[] }>().visits;
    expect(visits.length).toBeGreaterThan(0);
    visit = visits[0]!;
    const o = await call(sys.app, other, 'GET', '/api/me/visits');
    otherVisit = o.json<{ visits: { appointment_id: string }[] }>().visits[0]!.appointment_id;
  }, 600_000);
  afterAll(async () => {
    await sys?.close();
    await idp?.close();
  });

  it('lists the clinician’s own visits of the last 30 days without a patient identifier', async () => {
    const r = await call(sys.app, clin, 'GET', '/api/me/visits');
    const body = r.json<{ days: number; visits: Record<string, unknown>[] }>();
    expect(body.days).toBe(30);
    for (const v of body.visits) {
      expect(Object.keys(v).sort()).toEqual(
        ['appointment_id', 'end', 'followups', 'start', 'status', 'visit_type'].sort(),
      );
      const t = Date.parse(String(v['start']));
      expect(t).toBeLessThanOrEqual(base.getTime());
      expect(t).toBeGreaterThanOrEqual(base.getTime() - 30 * 86_400_000);
    }
    const [mine] = await sys.store.all<{ n: number }>(
      `SELECT count(*) AS n FROM schedule WHERE appointment_id = $1 AND user_id = $2`,
      [visit.appointment_id, sys.account('clinician', 0).clinician_id!],
    );
    expect(Number(mine!.n)).toBeGreaterThan(0);
    // An account without a roster clinician has no visits (403, logged).
    expect((await call(sys.app, leader, 'GET', '/api/me/visits')).statusCode).toBe(403);
    expect((await call(sys.app, null, 'GET', '/api/me/visits')).statusCode).toBe(401);
  });

  it('writes a follow-up for the author’s own visit only, with its reading grade and a release', async () => {
    const draft = {
      appointment_id: visit.appointment_id,
      title: 'Your blood pressure',
      text: TEXT,
      items: [
        { kind: 'medicine', text: 'Take the new pill each morning', due: null },
        { kind: 'test', text: 'Book a blood test', due: '2030-01-15' },
      ],
      template: 'builtin:new-medicine',
    };
    // Another clinician's visit cannot be written to, nor probed.
    const foreign = await call(sys.app, clin, 'POST', '/api/me/followups', {
      payload: { ...draft, appointment_id: otherVisit },
    });
    expect(foreign.statusCode).toBe(404);
    expect(
      (await call(sys.app, clin, 'POST', '/api/me/followups', { payload: draft, csrf: false }))
        .statusCode,
    ).toBe(403);
    const bad = await call(sys.app, clin, 'POST', '/api/me/followups', {
      payload: { ...draft, items: [{ kind: 'pill', text: 'x', due: null }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toMatch(/items\.0\.kind/);

    const r = await call(sys.app, clin, 'POST', '/api/me/followups', { payload: draft });
    expect(r.statusCode).toBe(201);
    const f = r.json();
    followup = f;
    expect(f.reading_grade).toBe(readingGrade(TEXT).grade);
    expect(f.fhir).toEqual({ state: 'off', detail: null });
    expect(f.written_at).toBe(base.toISOString());
    expect(f.delivered_at).toBeNull();
    expect(f.read_at).toBeNull();
    expect(f.link).toMatch(/^\/#\/f\/fu-[0-9a-f]{32}\.\d{10}\.[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(f.link_expires_at)).toBe(base.getTime() + 14 * 86_400_000);
    expect(f.items).toEqual(draft.items);

    // The release the §2 measures count: the visit's pseudonymized patient, the visit as encounter.
    // (two reads: on Citus the two tables are distributed by different columns)
    const [rel] = await sys.store.all<Record<string, string>>(
      `SELECT patient_id, kind, encounter_id, clinician_id FROM releases
       WHERE kind = 'followup' AND encounter_id = $1`,
      [visit.appointment_id],
    );
    const [seen] = await sys.store.all<{ patient_id: string }>(
      `SELECT patient_id FROM schedule WHERE appointment_id = $1`,
      [visit.appointment_id],
    );
    rel!['visit_patient'] = seen!.patient_id;
    expect(rel).toBeDefined();
    expect(rel!['patient_id']).toBe(rel!['visit_patient']);
    expect(rel!['patient_id']).toMatch(/^P[0-9a-f]{32}$/);
    expect(rel!['clinician_id']).toBe(sys.account('clinician', 0).clinician_id);

    const visits = (await call(sys.app, clin, 'GET', '/api/me/visits')).json();
    expect(
      visits.visits.find(
        (v: { appointment_id: string }) => v.appointment_id === visit.appointment_id,
      ).followups,
    ).toBe(1);
  });

  it('lets only the author and administrators read the text, and logs the administrator’s read', async () => {
    // (the session of 15 days ago has lapsed: sign in again)
    const later = await login(sys.app, sys.account('clinician', 0));
    const mine = (await call(sys.app, later, 'GET', '/api/me/followups')).json();
    expect(mine.map((f: { id: string }) => f.id)).toContain(followup.id);
    const theirs = (await call(sys.app, other, 'GET', '/api/me/followups')).json();
    expect(theirs.map((f: { id: string }) => f.id)).not.toContain(followup.id);
    // Another clinician cannot retry, answer or otherwise reach it.
    expect(
      (await call(sys.app, other, 'POST', `/api/me/followups/${followup.id}/deliver`)).statusCode,
    ).toBe(404);
    const gen = await testFiles();
    const range = `from=${gen.from}&to=2031-01-01`;
    expect((await call(sys.app, leader, 'GET', `/api/followups?${range}`)).statusCode).toBe(403);
    const all = await call(sys.app, admin, 'GET', `/api/followups?${range}`);
    expect(all.statusCode).toBe(200);
    expect(all.json().find((f: { id: string }) => f.id === followup.id).text).toBe(TEXT);
    const log = await sys.store.all<{ username: string; detail: string }>(
      `SELECT username, detail FROM access_log WHERE resource = 'followups' AND action = 'view'`,
    );
    expect(log.map((l) => l.username)).toContain(sys.account('admin').username);
  });

  it('opens one follow-up by link: read, acknowledged, a question and its answer, all tracked', async () => {
    const token = tokenOf(followup.link);
    clock = new Date(base.getTime() + 3600_000);
    const open = await patient('', { token });
    expect(open.statusCode).toBe(200);
    const view = open.json();
    // That one follow-up and nothing else: no ids, no other follow-up.
    expect(Object.keys(view).sort()).toEqual(
      [
        'acknowledged',
        'clinician',
        'expires_at',
        'items',
        'questions',
        'text',
        'title',
        'visit_date',
      ].sort(),
    );
    expect(view.text).toBe(TEXT);
    expect(view.acknowledged).toBe(false);
    expect(JSON.stringify(view)).not.toMatch(/P[0-9a-f]{32}|fu-|appointment/);

    clock = new Date(base.getTime() + 2 * 3600_000);
    expect((await patient('/acknowledge', { token })).json().acknowledged).toBe(true);
    clock = new Date(base.getTime() + 3 * 3600_000);
    const q = await patient('/question', { token, text: 'Can I take it with food?' });
    expect(q.statusCode).toBe(200);
    expect(q.json().questions).toEqual([
      {
        asked_at: clock.toISOString(),
        text: 'Can I take it with food?',
        answer: null,
        answered_at: null,
      },
    ]);

    const f = (await call(sys.app, clin, 'GET', '/api/me/followups'))
      .json()
      .find((x: { id: string }) => x.id === followup.id);
    expect(f.read_at).toBe(new Date(base.getTime() + 3600_000).toISOString());
    // Delivered by link: the first opening is the delivery when no FHIR server took it.
    expect(f.delivered_at).toBe(f.read_at);
    expect(f.acknowledged_at).toBe(new Date(base.getTime() + 2 * 3600_000).toISOString());
    expect(f.questions).toHaveLength(1);

    clock = new Date(base.getTime() + 5 * 3600_000);
    const ans = await call(
      sys.app,
      clin,
      'POST',
      `/api/me/followups/${followup.id}/questions/${f.questions[0].id}/answer`,
      { payload: { text: 'Yes, with breakfast is best.' } },
    );
    expect(ans.statusCode).toBe(200);
    expect(
      (
        await call(
          sys.app,
          clin,
          'POST',
          `/api/me/followups/${followup.id}/questions/${f.questions[0].id}/answer`,
          { payload: { text: 'again' } },
        )
      ).statusCode,
    ).toBe(409);
    expect((await patient('', { token })).json().questions[0].answer).toBe(
      'Yes, with breakfast is best.',
    );

    // The rows the measures read: events and messages, pseudonymous, of the visit's patient.
    const events = await sys.store.all<{ action: string; patient_id: string; source: string }>(
      `SELECT action, patient_id, source FROM patient_events WHERE encounter_id = $1 AND source = 'uptake' ORDER BY occurred_at`,
      [visit.appointment_id],
    );
    expect(events.map((e) => e.action)).toEqual([
      'view_followup',
      'acknowledge_followup',
      'view_followup',
    ]);
    const msgs = await sys.store.all<{
      direction: string;
      in_reply_to: string | null;
      message_id: string;
    }>(
      `SELECT direction, in_reply_to, message_id FROM messages WHERE encounter_id = $1 ORDER BY sent_at`,
      [visit.appointment_id],
    );
    expect(msgs.map((m) => m.direction)).toEqual(['to_clinician', 'to_patient']);
    expect(msgs[1]!.in_reply_to).toBe(msgs[0]!.message_id);
    expect(msgs[0]!.message_id).toMatch(/^P[0-9a-f]{32}$/);
    const log = await sys.store.all<{ detail: string; username: string | null }>(
      `SELECT detail, username FROM access_log WHERE resource = $1 ORDER BY id`,
      [`followups/${followup.id}`],
    );
    expect(log.map((l) => l.detail)).toEqual(
      expect.arrayContaining([
        'patient link: view',
        'patient link: acknowledge',
        'patient link: question',
      ]),
    );
  });

  it('keeps templates per account, Uptake’s first', async () => {
    const t = {
      name: 'Knee',
      title: 'Your knee',
      text: 'Rest your knee. Use ice.',
      items: [{ kind: 'other', text: 'Ice twice a day' }],
    };
    const r = await call(sys.app, clin, 'POST', '/api/me/followup-templates', { payload: t });
    expect(r.statusCode).toBe(201);
    expect(
      (await call(sys.app, clin, 'POST', '/api/me/followup-templates', { payload: t })).statusCode,
    ).toBe(409);
    const list = (await call(sys.app, clin, 'GET', '/api/me/followup-templates')).json();
    expect(list.map((x: { name: string; builtin: boolean }) => [x.name, x.builtin])).toEqual([
      ['New medicine', true],
      ['Test to book', true],
      ['Return visit', true],
      ['Knee', false],
    ]);
    const theirs = (await call(sys.app, other, 'GET', '/api/me/followup-templates')).json();
    expect(theirs.map((x: { name: string }) => x.name)).not.toContain('Knee');
    const id = r.json().id;
    expect(
      (await call(sys.app, other, 'DELETE', `/api/me/followup-templates/${id}`)).statusCode,
    ).toBe(404);
    expect(
      (await call(sys.app, clin, 'DELETE', `/api/me/followup-templates/${id}`)).statusCode,
    ).toBe(204);
  });
  it('refuses tampered and expired links, and limits requests per address', async () => {
    const token = tokenOf(followup.link);
    const [id, exp, mac] = token.split('.') as [string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    for (const bad of [
      `${id}.${exp}.${flip(mac)}`,
      `${id}.${Number(exp) + 86400}.${mac}`,
      `fu-${'0'.repeat(32)}.${exp}.${mac}`,
      'not-a-token',
    ]) {
      const r = await patient('', { token: bad }, '10.0.0.2');
      expect(r.statusCode, bad).toBe(404);
      expect(r.body).not.toContain(TEXT);
    }
    // A session cookie gives nothing more: the same answer shape, the same one follow-up.
    clock = new Date(base.getTime() + 15 * 86_400_000);
    const expired = await patient('', { token }, '10.0.0.3');
    expect(expired.statusCode).toBe(403);
    expect(expired.json().error.message).toMatch(/expired on \d{4}-\d{2}-\d{2}/);
    expect(expired.body).not.toContain(TEXT);
    // (the session of 15 days ago has lapsed: sign in again)
    const later = await login(sys.app, sys.account('clinician', 0));
    const mine = (await call(sys.app, later, 'GET', '/api/me/followups')).json();
    expect(mine.find((f: { id: string }) => f.id === followup.id).link).toBeNull();
    clock = base;
    const codes: number[] = [];
    for (let i = 0; i < 22; i++)
      codes.push((await patient('', { token: 'x' }, '10.0.0.9')).statusCode);
    expect(codes.slice(0, 20).every((c) => c === 404)).toBe(true);
    expect(codes.slice(20)).toEqual([429, 429]);
    // Another address is not slowed by that one.
    expect((await patient('', { token }, '10.0.0.10')).statusCode).toBe(200);
  });

  it('delivers to the EHR’s FHIR server, keeps a failure to retry, and stores no raw patient reference', async () => {
    clock = base;
    const session = await login(sys.app, sys.account('clinician', 0));
    const adminNow = await login(sys.app, sys.account('admin'));
    // The visit's raw patient, as the EHR holds it (the generated schedule, before import).
    const lines = readFileSync(sys.gen.files.schedule, 'utf8').split('\n');
    const head = lines[0]!.split(',');
    const row = lines
      .map((l) => l.split(','))
      .find((f) => f[head.indexOf('appointment_id')] === visit.appointment_id)!;
    const raw = row[head.indexOf('patient_id')]!;
    const fhir = await startFhirServer({ token: 'secret-token-of-the-ehr' });
    const down = await startFhirServer();
    const downUrl = down.baseUrl;
    await down.close();
    const prevToken = process.env['UPTAKE_FOLLOWUP_FHIR_TOKEN'];
    process.env['UPTAKE_FOLLOWUP_FHIR_TOKEN'] = 'secret-token-of-the-ehr';
    try {
      await fhir.seedVisit({
        appointmentId: visit.appointment_id,
        patientId: raw,
        practitionerId: sys.account('clinician', 0).clinician_id!,
        start: visit.start,
        end: new Date(Date.parse(visit.start) + 20 * 60_000).toISOString(),
      });
      const setFhir = async (url: string) =>
        expect(
          (
            await call(sys.app, adminNow, 'PUT', '/api/settings', {
              payload: { followups: { fhir_base_url: url } },
            })
          ).statusCode,
        ).toBe(200);
      const draft = {
        appointment_id: visit.appointment_id,
        title: 'Your tests',
        text: 'Please book a blood test this week.',
        items: [{ kind: 'test', text: 'Book a blood test', due: '2030-02-01' }],
      };
      // A server that is down: the follow-up is kept, its failure said, its link working.
      await setFhir(downUrl);
      const failed = (
        await call(sys.app, session, 'POST', '/api/me/followups', { payload: draft })
      ).json();
      expect(failed.fhir.state).toBe('failed');
      expect(failed.fhir.detail).toContain(downUrl);
      expect(failed.link).not.toBeNull();
      expect((await patient('', { token: tokenOf(failed.link) }, '10.0.1.1')).statusCode).toBe(200);
      // Retried once the EHR is reachable: delivered, and the follow-up now names the Communication.
      await setFhir(fhir.baseUrl);
      const retried = await call(
        sys.app,
        session,
        'POST',
        `/api/me/followups/${failed.id}/deliver`,
      );
      expect(retried.statusCode).toBe(200);
      expect(retried.json().fhir).toEqual({ state: 'delivered', detail: null });
      expect(retried.json().read_at).not.toBeNull();
      const ok = (
        await call(sys.app, session, 'POST', '/api/me/followups', { payload: draft })
      ).json();
      expect(ok.fhir.state).toBe('delivered');
      expect(ok.delivered_at).toBe(base.toISOString());

      const get = async (path: string) => {
        const r = await fetch(`${fhir.baseUrl}/${path}`, {
          headers: { authorization: 'Bearer secret-token-of-the-ehr' },
        });
        expect(r.status, path).toBe(200);
        return (await r.json()) as {
          entry?: {
            resource: {
              subject?: { reference?: string };
              payload?: { contentString?: string }[];
              restriction?: { period?: { end?: string } };
            };
          }[];
        };
      };
      const comms =
        (await get(`Communication?encounter=Encounter/enc-${visit.appointment_id}`)).entry ?? [];
      expect(comms).toHaveLength(2);
      for (const { resource: c } of comms) {
        expect(c.subject?.reference).toBe(`Patient/${raw}`);
        expect(c.payload?.[0]?.contentString).toBe(draft.text);
      }
      const tasks = (await get(`Task?encounter=Encounter/enc-${visit.appointment_id}`)).entry ?? [];
      expect(tasks.map((t) => t.resource.restriction?.period?.end)).toEqual([
        '2030-02-01',
        '2030-02-01',
      ]);

      // What Uptake keeps: pseudonyms only. The release and the events of the retried follow-up
      // name its Communication, as the portal's audit log will.
      const [rel] = await sys.store.all<{ n: number }>(
        `SELECT count(*) AS n FROM releases WHERE kind = 'followup' AND encounter_id = $1`,
        [visit.appointment_id],
      );
      expect(Number(rel!.n)).toBe(3);
      const [moved] = await sys.store.all<{ n: number }>(
        `SELECT count(*) AS n FROM patient_events e JOIN followups f ON f.resource_id = e.resource_id
         WHERE f.id = $1`,
        [failed.id],
      );
      expect(Number(moved!.n)).toBe(1);
      const cols = await sys.store.all<{ t: string; c: string }>(
        `SELECT table_name AS t, column_name AS c FROM information_schema.columns
         WHERE table_schema IN ('main', 'public')
           AND lower(data_type) IN ('text', 'character varying', 'varchar')`,
      );
      expect(cols.map((c) => c.t)).toEqual(
        expect.arrayContaining(['followups', 'releases', 'messages']),
      );
      for (const { t, c } of cols) {
        const [hit] = await sys.store.all<{ n: number }>(
          `SELECT count(*) AS n FROM "${t}" WHERE "${c}" LIKE $1`,
          [`%${raw}%`],
        );
        expect(Number(hit!.n), `${t}.${c}`).toBe(0);
      }
    } finally {
      if (prevToken === undefined) delete process.env['UPTAKE_FOLLOWUP_FHIR_TOKEN'];
      else process.env['UPTAKE_FOLLOWUP_FHIR_TOKEN'] = prevToken;
      await fhir.close();
    }
  });

  it('writes a follow-up made in a SMART launch to the launching EHR, in the launch’s patient context', async () => {
    clock = base;
    const c0 = sys.account('clinician', 0);
    const lines = readFileSync(sys.gen.files.schedule, 'utf8').split('\n');
    const head = lines[0]!.split(',');
    const rows = lines.slice(1).map((l) => l.split(','));
    const col = (f: string[], name: string) => f[head.indexOf(name)]!;
    const raw = col(
      rows.find((f) => col(f, 'appointment_id') === visit.appointment_id)!,
      'patient_id',
    );
    const ehr = await startFhirServer({ token: 'ehr-internal' });
    idp.fhirUpstream = { baseUrl: ehr.baseUrl, token: 'ehr-internal' };
    try {
      await ehr.seedVisit({
        appointmentId: visit.appointment_id,
        patientId: raw,
        practitionerId: c0.clinician_id!,
        start: visit.start,
        end: new Date(Date.parse(visit.start) + 20 * 60_000).toISOString(),
      });
      // No FHIR server configured: only the launch can deliver.
      const adminNow = await login(sys.app, sys.account('admin'));
      await call(sys.app, adminNow, 'PUT', '/api/settings', {
        payload: { followups: { fhir_base_url: null } },
      });
      idp.next = {
        sub: 'prac',
        claims: { fhirUser: `${idp.base}/fhir/Practitioner/${c0.clinician_id}` },
        context: { patient: raw, encounter: `enc-${visit.appointment_id}` },
      };
      const r = await signOn(
        sys.app,
        `/api/sso/smart/launch?iss=${encodeURIComponent(`${idp.base}/fhir`)}&launch=ctx-7`,
      );
      expect(r.location).toBe('/#/me');
      expect(idp.seen.at(-1)!['scope']).toContain('user/Communication.write');
      const me = await sys.app.inject({
        method: 'GET',
        url: '/api/me',
        headers: { cookie: `uptake_session=${r.session}` },
      });
      expect(me.json().clinician_id).toBe(c0.clinician_id);
      const launched: Session = {
        cookie: `uptake_session=${r.session}`,
        csrf: me.json().csrf,
        username: me.json().username,
      };
      const draft = {
        appointment_id: visit.appointment_id,
        title: 'After today',
        text: 'Rest your back this week.',
        items: [],
      };
      const f = (
        await call(sys.app, launched, 'POST', '/api/me/followups', { payload: draft })
      ).json();
      expect(f.fhir, JSON.stringify(f.fhir)).toEqual({ state: 'delivered', detail: null });
      // Written through the launch's token, as one transaction, without reading the Appointment.
      const writes = idp.upstreamSeen.filter((x) => x.method === 'POST');
      expect(writes).toHaveLength(1);
      // (the launch's access token, which the EHR issued: not the configured server's)
      expect(writes[0]!.authorization).toMatch(/^Bearer [0-9a-f]{32}$/);
      expect(idp.upstreamSeen.some((x) => x.path.includes('Appointment'))).toBe(false);
      const got = await fetch(`${ehr.baseUrl}/Communication?subject=Patient/${raw}`, {
        headers: { authorization: 'Bearer ehr-internal' },
      });
      const bundle = (await got.json()) as {
        entry?: {
          resource: { encounter?: { reference?: string }; payload?: { contentString?: string }[] };
        }[];
      };
      expect(bundle.entry?.map((e) => e.resource.encounter?.reference)).toEqual([
        `Encounter/enc-${visit.appointment_id}`,
      ]);
      // A visit of another patient in the same launch: not written to this patient's EHR context.
      const otherPatient = (await call(sys.app, launched, 'GET', '/api/me/visits'))
        .json()
        .visits.map((v: { appointment_id: string }) => v.appointment_id)
        .find((id: string) => {
          const row = rows.find((x) => col(x, 'appointment_id') === id);
          return row && col(row, 'patient_id') !== raw;
        });
      const refused = (
        await call(sys.app, launched, 'POST', '/api/me/followups', {
          payload: { ...draft, appointment_id: otherPatient },
        })
      ).json();
      expect(refused.fhir.state).toBe('failed');
      expect(refused.fhir.detail).toMatch(/patient/);
      expect(idp.upstreamSeen.filter((x) => x.method === 'POST')).toHaveLength(1);
    } finally {
      idp.fhirUpstream = null;
      await ehr.close();
    }
  });
});
