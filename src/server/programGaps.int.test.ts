/**
 * The gaps issue #13 left in the program's API, on both engines, on the hand-made organisation of
 * `programFixture.ts`: `/api/me` lists the groups the user belongs to (the groups they may propose
 * a goal for); the SMTP settings keep a password that is used and never sent back (nor written
 * to the access log or listed by `uptake settings`), and a test e-mail goes through them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import type { Me } from './contract.ts';
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
});
