/**
 * The gaps issue #13 left in the program's API, on both engines, on the hand-made organisation of
 * `programFixture.ts`: `/api/me` lists the groups the user belongs to (the groups they may propose
 * a goal for); the SMTP settings keep a password that is used and never sent back (nor written
 * to the access log or listed by `uptake settings`), and a test e-mail goes through them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import type { FeedbackDetail, FeedbackEffect, FeedbackList, GoLiveReport, Me } from './contract.ts';
import { buildEvaluationFixture, inboxMinutes, WEEKS } from '../testing/evaluationFixture.ts';
import { addDays } from '../analysis/weeks.ts';
import {
  cardiologyGoal,
  programSystem,
  smtpSink,
  until,
  type ProgramSystem,
} from '../testing/programFixture.ts';
import { storedSettings } from '../admin/orgSettings.ts';
import {
  call,
  login,
  removeTestDir,
  testSystem,
  type Session,
  type TestSystem,
} from '../testing/testSystem.ts';

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

  it('a unit item’s text is read by its unit’s members, a leader among them; serving is not membership', async () => {
    // A leader whose own clinician is in Cardiology, serving Oncology.
    const made = await send('admin', 'POST', '/api/users', {
      username: 'lead.c6',
      role: 'leader',
      clinician_id: 'C6',
      groups: [{ by: 'department', value: 'Oncology' }],
      password: 'a long test password',
    });
    expect(made.statusCode, made.body).toBe(201);
    p.as['lead.c6'] = await login(p.sys.app, {
      username: 'lead.c6',
      password: 'a long test password',
    });
    const item = async (who: string, visibility: string) => {
      const r = await send(who, 'POST', '/api/feedback', {
        kind: 'idea',
        text: `An idea of ${who}, ${visibility}`,
        visibility,
      });
      expect(r.statusCode, r.body).toBe(201);
      return (r.json() as { id: string }).id;
    };
    const cardiologyUnit = await item('c1', 'unit');
    const cardiologyPrivate = await item('c1', 'private');
    const oncologyUnit = await item('o1', 'unit');
    const reads = async (who: string, id: string) =>
      (await call(p.sys.app, p.as[who]!, 'GET', `/api/feedback/${id}`)).statusCode;
    // The Cardiology leader reads Cardiology's unit item as a member, not its private one, and
    // not the unit item of Oncology, which they serve but do not belong to.
    expect(await reads('lead.c6', cardiologyUnit)).toBe(200);
    expect(await reads('lead.c6', cardiologyPrivate)).toBe(404);
    expect(await reads('lead.c6', oncologyUnit)).toBe(404);
    // A leader without a clinician, serving Cardiology: none of them.
    expect(await reads('lead', cardiologyUnit)).toBe(404);
    expect(await reads('lead', cardiologyPrivate)).toBe(404);
    // IT reads all.
    for (const id of [cardiologyUnit, cardiologyPrivate, oncologyUnit])
      expect(await reads('itstaff', id)).toBe(200);
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
      // Never sent to another server or account than it was typed for: a new host drops it.
      const moved = await send('admin', 'PUT', '/api/settings', {
        smtp: { ...smtp, host: 'localhost', from: 'it@hospital.test' },
      });
      expect((moved.json() as { smtp: unknown }).smtp).toMatchObject({ password_set: false });
      await send('admin', 'PUT', '/api/settings', {
        smtp: { ...smtp, from: 'it@hospital.test', password: SECRET },
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

/**
 * §2's before/after of a done item, on the hand-built system of `evaluationFixture.ts`: four
 * departments of three clinicians, 20 weeks from Monday 5 January 2026, IB-Time8 dropping by
 * exactly 0.2 in A and B from week 10 (16 March) and in C from week 14; D never. An item linked to
 * IB-Time8 and department A is done on 16 March: its ITS is A's series alone (the same as the
 * go-live page's for A), its DiD compares A with B, C and D, none of them live in the item's
 * definition.
 */
describe.each(engines())('a done item’s before and after on $name', (engine) => {
  let sys: TestSystem;
  const as: Record<string, Session> = {};
  const clock = { now: new Date('2026-02-02T10:00:00Z') };
  const get = <T>(who: string, url: string) =>
    call(sys.app, as[who]!, 'GET', url).then((r) => {
      expect(r.statusCode, `${who} GET ${url}: ${r.body}`).toBe(200);
      return r.json() as T;
    });
  const send = (who: string, method: 'POST' | 'PUT', url: string, payload?: unknown) =>
    call(sys.app, as[who]!, method, url, payload === undefined ? {} : { payload });

  beforeAll(async () => {
    sys = await testSystem(engine, {
      load: buildEvaluationFixture,
      now: () => clock.now,
      sessionHours: 24 * 365,
    });
    as['admin'] = await login(sys.app, sys.account('admin'));
    for (const [username, role, clinician_id] of [
      ['a.one', 'clinician', 'a0'],
      ['b.one', 'clinician', 'b0'],
      ['it.one', 'it', null],
    ] as const) {
      const r = await send('admin', 'POST', '/api/users', {
        username,
        role,
        clinician_id,
        password: 'a long test password',
      });
      expect(r.statusCode, r.body).toBe(201);
      as[username] = await login(sys.app, { username, password: 'a long test password' });
    }
    // Groups of three clinicians show their numbers here.
    const r = await send('admin', 'PUT', '/api/settings', { suppression_threshold: 3 });
    expect(r.statusCode, r.body).toBe(200);
  }, 600_000);
  afterAll(async () => sys?.close());

  it('shows the metric’s weekly values and both models with the done date as the go-live', async () => {
    const sent = await send('a.one', 'POST', '/api/feedback', {
      kind: 'problem',
      text: 'The in-basket takes me too long.',
      visibility: 'unit',
      links: { department: 'A', metric: 'ib_time8' },
    });
    expect(sent.statusCode, sent.body).toBe(201);
    const id = (sent.json() as { id: string }).id;
    const effect = (who: string) => get<FeedbackEffect>(who, `/api/feedback/${id}/effect`);
    expect(await effect('a.one')).toMatchObject({
      status: 'not_applicable',
      reason: expect.stringMatching(/not done/) as string,
    });
    // Done on Monday 16 March (week 10), looked at after the 20 weeks.
    expect(
      (
        await send('it.one', 'POST', `/api/feedback/${id}/change`, {
          to: 'triaged',
          priority: 'normal',
        })
      ).statusCode,
    ).toBe(200);
    clock.now = new Date('2026-03-16T10:00:00Z');
    const done = await send('it.one', 'POST', `/api/feedback/${id}/change`, {
      to: 'done',
      note: 'Pooling and delegation are on for the unit.',
    });
    expect(done.statusCode, done.body).toBe(200);
    clock.now = new Date('2026-05-27T10:00:00Z');

    const e = await effect('a.one');
    expect(e).toMatchObject({
      status: 'shown',
      reason: null,
      metric: 'ib_time8',
      group_by: 'department',
      group_value: 'A',
      done_date: '2026-03-16',
      weeks: { from: '2026-01-05', to: '2026-05-18' },
    });
    // The weeks of the go-live page's default: the complete dense weeks, the last (a Monday
    // alone) left out. The weekly values: the median of A's three clinicians, IB-Time8 =
    // minutes / 60 × 8 / 4.
    expect(e.series).toHaveLength(WEEKS - 1);
    e.series.forEach((x, w) => {
      expect(x.week_start).toBe(addDays('2026-01-05', 7 * w));
      const values = [0, 1, 2].map((i) => inboxMinutes(0, i, w) / 30).sort((a, b) => a - b);
      expect(x.value).toBeCloseTo(values[1]!, 9);
      expect(x.n).toBe(3);
    });
    // ITS: ten weeks before and nine after; the interval holds the true drop of 0.2.
    const its = e.its!;
    expect(its).toMatchObject({ n_pre: 10, n_post: 9 });
    const avg = its.estimates!['average_effect']!;
    expect(avg.ci95[0]).toBeLessThan(-0.2);
    expect(avg.ci95[1]).toBeGreaterThan(-0.2);
    expect(its.interpretation).toMatch(/IB-Time8/);
    // The same series and go-live as A on the go-live page of the tool that did it: the same fit.
    const page = await get<GoLiveReport>(
      'admin',
      '/api/golive?tool=scribe&metric=ib_time8&by=department',
    );
    const a = page.results.find((r) => r.group === 'A')!;
    for (const k of ['average_effect', 'level_change', 'slope_change'])
      expect(its.estimates![k]!.estimate).toBeCloseTo(a.its!.estimates![k]!.estimate, 9);
    // DiD against B, C and D, none live in the item's definition: the gap to their mean moves by
    // −0.2 + 0.2/3 in weeks 10–13 (B dropped too) and by −0.2 + 0.4/3 in weeks 14–18 (C too):
    // on average over the nine weeks (4 × −0.4/3 + 5 × −0.2/3) / 9 = −2.6/27.
    const did = e.did!.estimates!['att']!;
    expect(did.estimate).toBeCloseTo(-2.6 / 27, 6);
    expect(e.did!.controls).toBeUndefined();
    const forAdmin = await get<FeedbackEffect>('admin', `/api/feedback/${id}/effect`);
    expect(forAdmin.did!.controls).toEqual(['B', 'C', 'D']);
    const forIt = await get<FeedbackEffect>('it.one', `/api/feedback/${id}/effect`);
    expect(forIt.its!.estimates).toEqual(its.estimates);

    // A reader outside the group, on an item of their own linked to A: not its numbers.
    const other = await send('b.one', 'POST', '/api/feedback', {
      kind: 'idea',
      text: 'A should try our inbox rules.',
      links: { department: 'A', metric: 'ib_time8' },
    });
    const otherId = (other.json() as { id: string }).id;
    await send('it.one', 'POST', `/api/feedback/${otherId}/change`, { to: 'triaged' });
    await send('it.one', 'POST', `/api/feedback/${otherId}/change`, {
      to: 'done',
      note: 'Passed on.',
    });
    expect(await get<FeedbackEffect>('b.one', `/api/feedback/${otherId}/effect`)).toMatchObject({
      status: 'hidden',
      series: [],
      its: null,
    });
    // Nor may B read A's unit item: 404, as for the item itself.
    expect(
      (await call(sys.app, as['b.one']!, 'GET', `/api/feedback/${id}/effect`)).statusCode,
    ).toBe(404);
    // A group below the suppression threshold shows no numbers but to administrators.
    await send('admin', 'PUT', '/api/settings', { suppression_threshold: 4 });
    expect(await effect('a.one')).toMatchObject({ status: 'hidden', its: null });
    expect((await get<FeedbackEffect>('admin', `/api/feedback/${id}/effect`)).status).toBe('shown');
    await send('admin', 'PUT', '/api/settings', { suppression_threshold: 3 });
    // Without a metric: nothing to evaluate.
    const plain = await send('a.one', 'POST', '/api/feedback', { kind: 'praise', text: 'Thanks!' });
    expect(
      await get<FeedbackEffect>(
        'a.one',
        `/api/feedback/${(plain.json() as { id: string }).id}/effect`,
      ),
    ).toMatchObject({ status: 'not_applicable', reason: 'the item names no metric' });
  });
});
