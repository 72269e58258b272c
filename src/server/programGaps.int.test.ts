/**
 * The gaps issue #13 left in the program's API, on both engines, on the hand-made organisation of
 * `programFixture.ts`: `/api/me` lists the groups the user belongs to (the groups they may propose
 * a goal for); the SMTP settings keep a password that is used and never sent back (nor written
 * to the access log or listed by `uptake settings`), and a test e-mail goes through them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import type { FeedbackDetail, FeedbackList, Me } from './contract.ts';
import {
  cardiologyGoal,
  programSystem,
  smtpSink,
  until,
  type ProgramSystem,
} from '../testing/programFixture.ts';
import { storedSettings } from '../admin/orgSettings.ts';
import { call, removeTestDir } from '../testing/testSystem.ts';

afterAll(() => removeTestDir());
describe.each(engines())('the program’s gaps on $name', (engine) => {
  let p: ProgramSystem;
  const get = <T>(who: string, url: string) =>
    call(p.sys.app, p.as[who]!, 'GET', url).then((r) => {
      expect(r.statusCode, `${who} GET ${url}: ${r.body}`).toBe(200);
      return r.json() as T;
    });
  const send = (who: string, method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    call(p.sys.app, p.as[who]!, method, url, payload === undefined ? {} : { payload });

  beforeAll(async () => {
    p = await programSystem(engine);
  }, 600_000);
  afterAll(async () => p?.sys.close());

  it('/api/me lists every group the user belongs to, and each takes a goal', async () => {
    const org = { by: 'org', value: 'organisation' };
    // A clinician: their roster clinician's department, specialty and role, and the organisation.
    expect((await get<Me>('c1', '/api/me')).member_of).toEqual([
      { by: 'department', value: 'Cardiology' },
      { by: 'specialty', value: 'Cardiology' },
      { by: 'role', value: 'physician' },
      org,
    ]);
    expect((await get<Me>('tiny1', '/api/me')).member_of).toEqual([
      { by: 'department', value: 'Tiny' },
      { by: 'specialty', value: 'Nursing' },
      { by: 'role', value: 'nurse' },
      org,
    ]);
    // A leader without a clinician: the groups they serve, and the organisation.
    expect((await get<Me>('lead', '/api/me')).member_of).toEqual([
      { by: 'department', value: 'Cardiology' },
      org,
    ]);
    // IT belongs to no group (it proposes no goals); an administrator may choose any group.
    expect((await get<Me>('itstaff', '/api/me')).member_of).toEqual([]);
    // The sign-in answer says the same.
    const login = await p.sys.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username: 'c2', password: 'a long test password' },
    });
    expect(login.statusCode, login.body).toBe(200);
    expect((login.json() as { user: Me }).user.member_of).toContainEqual({
      by: 'role',
      value: 'physician',
    });
    // The API takes a goal for each of them: here the role, which the form did not offer.
    const r = await send(
      'c1',
      'POST',
      '/api/goals',
      cardiologyGoal(3, { group_by: 'role', group_value: 'physician' }),
    );
    expect(r.statusCode, r.body).toBe(201);
    // And refuses one for a group the clinician does not belong to.
    const no = await send(
      'c1',
      'POST',
      '/api/goals',
      cardiologyGoal(3, { group_by: 'specialty', group_value: 'Nursing' }),
    );
    expect(no.statusCode, no.body).toBe(403);
  });

  it('SMTP settings: the password is write-only, used to sign in, never sent back or logged', async () => {
    const SECRET = 'sm7p-pass-do-not-leak';
    const sink = await smtpSink({ auth: { user: 'uptake-mailer', password: SECRET } });
    try {
      const smtp = {
        host: '127.0.0.1',
        port: sink.port,
        secure: false,
        from: 'uptake@hospital.test',
        domain: 'hospital.test',
        user: 'uptake-mailer',
      };
      const put = await send('admin', 'PUT', '/api/settings', {
        smtp: { ...smtp, password: SECRET },
      });
      expect(put.statusCode, put.body).toBe(200);
      expect(put.body).not.toContain(SECRET);
      const shown = { ...smtp, password_set: true };
      expect((put.json() as { smtp: unknown }).smtp).toEqual(shown);
      const got = await call(p.sys.app, p.as['admin']!, 'GET', '/api/settings');
      expect(got.body).not.toContain(SECRET);
      expect((got.json() as { smtp: unknown }).smtp).toEqual(shown);
      // Another field changed without the password: it is kept.
      const again = await send('admin', 'PUT', '/api/settings', {
        smtp: { ...smtp, from: 'it@hospital.test' },
      });
      expect(again.statusCode, again.body).toBe(200);
      expect((again.json() as { smtp: unknown }).smtp).toEqual({
        ...shown,
        from: 'it@hospital.test',
      });
      // The CLI's list (`uptake settings`) and the access log never show it.
      expect(JSON.stringify(await storedSettings(p.sys.store))).not.toContain(SECRET);
      const log = await call(p.sys.app, p.as['admin']!, 'GET', '/api/access-log?limit=50');
      expect(log.statusCode).toBe(200);
      expect(log.body).not.toContain(SECRET);
      expect(log.body).toContain('uptake-mailer');

      // A test e-mail signs in with it and reaches the administrator.
      const test = await send('admin', 'POST', '/api/settings/smtp/test');
      expect(test.statusCode, test.body).toBe(200);
      expect(test.json()).toEqual({ to: 'admin@hospital.test' });
      const mail = await until(() => sink.mails[0], 'the test e-mail');
      expect(mail.to).toEqual(['admin@hospital.test']);
      expect(mail.data).toMatch(/Subject: Uptake: a test e-mail/);
      expect(sink.logins).toContainEqual({ user: 'uptake-mailer', password: SECRET });
      // Only administrators send one.
      expect((await send('itstaff', 'POST', '/api/settings/smtp/test')).statusCode).toBe(403);

      // A wrong password: the test says why, with the server's answer, and no 500.
      const wrong = await send('admin', 'PUT', '/api/settings', {
        smtp: { ...smtp, password: 'not-it' },
      });
      expect(wrong.statusCode, wrong.body).toBe(200);
      const failed = await send('admin', 'POST', '/api/settings/smtp/test');
      expect(failed.statusCode, failed.body).toBe(503);
      expect(failed.body).toMatch(/SMTP/);
      expect(failed.body).not.toContain('not-it');

      // `password: null` removes it.
      const cleared = await send('admin', 'PUT', '/api/settings', {
        smtp: { ...smtp, password: null },
      });
      expect((cleared.json() as { smtp: unknown }).smtp).toEqual({ ...shown, password_set: false });
      // Without SMTP there is nothing to test.
      await send('admin', 'PUT', '/api/settings', { smtp: null });
      expect((await send('admin', 'POST', '/api/settings/smtp/test')).statusCode).toBe(409);
    } finally {
      await sink.close();
    }
  });

  it('the board lists each item’s clocks against its priority’s targets: running, paused, met, late', async () => {
    // Business hours 08–17 UTC, no holidays here. Default targets: urgent 4 h / 9 h, high 9 h /
    // 45 h, normal 18 h / 180 h.
    const at = (iso: string) => (p.clock.now = new Date(iso));
    const create = async (who: string, text: string) => {
      const r = await send(who, 'POST', '/api/feedback', { kind: 'problem', text });
      expect(r.statusCode, r.body).toBe(201);
      return (r.json() as { id: string }).id;
    };
    const change = async (id: string, body: Record<string, unknown>) => {
      const r = await send('itstaff', 'POST', `/api/feedback/${id}/change`, body);
      expect(r.statusCode, r.body).toBe(200);
    };
    // Friday 30 January 16:00: C (urgent, no answer yet) and E (urgent, answered on Monday).
    at('2026-01-30T16:00:00Z');
    const c = await create('c3', 'The printer queue drops my orders.');
    const e = await create('c5', 'The results tab freezes.');
    at('2026-01-30T16:30:00Z');
    await change(c, { to: 'triaged', priority: 'urgent' });
    await change(e, { to: 'triaged', priority: 'urgent' });
    // Monday 2 February 09:00: A (urgent: answered at 10, waiting from 11), B (untouched),
    // D (high: answered at 09:30, done at 12:00).
    at('2026-02-02T09:00:00Z');
    const a = await create('c1', 'Dictation stops after a minute.');
    const b = await create('c2', 'An idea for the discharge summary.');
    const d = await create('c4', 'The in-basket filter resets.');
    at('2026-02-02T09:30:00Z');
    await change(d, { to: 'triaged', priority: 'high', note: 'Looking at it.' });
    at('2026-02-02T10:00:00Z');
    await change(a, { to: 'triaged', priority: 'urgent', note: 'Which microphone do you use?' });
    at('2026-02-02T11:00:00Z');
    await change(a, { to: 'waiting', note: 'Please send the model of your microphone.' });
    at('2026-02-02T12:00:00Z');
    await change(d, { to: 'done', note: 'Fixed: the filter is kept.' });
    at('2026-02-02T14:00:00Z');
    await change(e, { note: 'A fix is on its way.' });
    at('2026-02-02T15:00:00Z');

    const board = await get<FeedbackList>('itstaff', '/api/feedback?limit=1000');
    const clocks = (id: string) => board.items.find((i) => i.id === id)!.clocks;
    // A: answered after 1 h of 4 (met); resolution 09–11 = 2 h of 9, paused while waiting.
    expect(clocks(a)).toEqual({
      first_response: { hours: 1, target_hours: 4, stopped: true, status: 'met' },
      resolution: { hours: 2, target_hours: 9, stopped: false, status: 'paused' },
    });
    // B: 09–15 = 6 h of normal's 18 and 180, running.
    expect(clocks(b)).toEqual({
      first_response: { hours: 6, target_hours: 18, stopped: false, status: 'running' },
      resolution: { hours: 6, target_hours: 180, stopped: false, status: 'running' },
    });
    // C: Friday 16–17 (1 h) and Monday 08–15 (7 h) = 8 h: past the 4 h of urgent, still
    // running (late); resolution 8 h of 9, running.
    expect(clocks(c)).toEqual({
      first_response: { hours: 8, target_hours: 4, stopped: false, status: 'late' },
      resolution: { hours: 8, target_hours: 9, stopped: false, status: 'running' },
    });
    // D: answered after 0.5 h of 9, done after 3 h of 45: both met.
    expect(clocks(d)).toEqual({
      first_response: { hours: 0.5, target_hours: 9, stopped: true, status: 'met' },
      resolution: { hours: 3, target_hours: 45, stopped: true, status: 'met' },
    });
    // E: answered Monday 14:00: Friday 1 h + Monday 08–14 6 h = 7 h, after the 4 h: late.
    expect(clocks(e)).toEqual({
      first_response: { hours: 7, target_hours: 4, stopped: true, status: 'late' },
      resolution: { hours: 8, target_hours: 9, stopped: false, status: 'running' },
    });
    // The item's own page says the same.
    for (const id of [a, b, c, d, e]) {
      const one = await get<FeedbackDetail>('itstaff', `/api/feedback/${id}`);
      expect(one.clocks.first_response).toMatchObject(clocks(id)!.first_response);
      expect(one.clocks.resolution).toMatchObject(clocks(id)!.resolution!);
    }
    // The author's own list carries them too.
    const mine = await get<FeedbackList>('c1', '/api/feedback?scope=mine');
    expect(mine.items.find((i) => i.id === a)!.clocks).toEqual(clocks(a));
  });
});
