/**
 * Help requests through the API, on both engines: a clinician asks, the champion of their
 * department (and only that champion, or an administrator) sees and answers, the clinician sees
 * the answer. Each rule is tried from the wrong side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { HelpList, HelpRequest } from '../model/help.ts';
import { MAX_OPEN_PER_CLINICIAN } from '../program/helpRequests.ts';
import { engines } from '../testing/testEngines.ts';
import { ensureDemoHelpRequests } from '../admin/demoAccounts.ts';
import {
  call,
  login,
  testSystem,
  removeTestDir,
  type Session,
  type TestSystem,
} from '../testing/testSystem.ts';

afterAll(removeTestDir);

describe.each(engines())('help requests on $name', (engine) => {
  let sys: TestSystem;
  let admin: Session;
  let leader: Session;
  let champion: Session;
  let inUnit: Session; // a clinician of the champion's department
  let elsewhere: Session; // a clinician of another department
  let inUnitId: string;

  beforeAll(async () => {
    sys = await testSystem(engine);
    admin = await login(sys.app, sys.account('admin'));
    leader = await login(sys.app, sys.account('leader'));
    champion = await login(sys.app, sys.account('champion'));
    elsewhere = await login(sys.app, sys.account('clinician', 0));
    inUnit = await login(sys.app, sys.account('clinician', 1));
    inUnitId = sys.account('clinician', 1).clinician_id!;
  }, 600_000);
  afterAll(async () => sys?.close());

  const ask = (s: Session, payload: unknown) =>
    call(sys.app, s, 'POST', '/api/me/help-requests', { payload });

  it('seeds the demo’s two requests once: one answered after 4 hours, one open', async () => {
    await ensureDemoHelpRequests(sys.store, sys.accounts);
    await ensureDemoHelpRequests(sys.store, sys.accounts);
    const champ = (await call(sys.app, champion, 'GET', '/api/help-requests')).json() as HelpList;
    expect(champ.summary).toEqual({ open: 1, answered: 1, closed: 0, median_hours_to_answer: 4 });
    expect(champ.requests.every((r) => r.user_id === inUnitId)).toBe(true);
    const mine = (await call(sys.app, inUnit, 'GET', '/api/me/help-requests')).json() as HelpList;
    expect(mine.requests).toHaveLength(2);
  });

  it('lists the topics a clinician can ask about', async () => {
    const r = await call(sys.app, inUnit, 'GET', '/api/help-topics');
    expect(r.statusCode).toBe(200);
    expect((r.json() as { topic: string }[]).map((t) => t.topic)).toContain('inbox');
  });

  it('goes from the clinician to their champion and back, and nowhere else', async () => {
    const created = await ask(inUnit, {
      topic: 'inbox',
      message: '  How do I set up a pool for refill requests?  ',
    });
    expect(created.statusCode, created.body).toBe(201);
    const req = created.json() as HelpRequest;
    expect(req).toMatchObject({
      user_id: inUnitId,
      topic: 'inbox',
      message: 'How do I set up a pool for refill requests?',
      status: 'open',
      answer: null,
    });
    expect(Date.parse(req.created_at)).toBeGreaterThan(Date.now() - 60_000);

    // The champion of the department sees it, with the asker's name and unit.
    const champ = (await call(sys.app, champion, 'GET', '/api/help-requests')).json() as HelpList;
    const seen = champ.requests.find((x) => x.id === req.id)!;
    expect(seen.department).toBe(sys.account('champion').groups[0]!.value);
    expect(seen.name).toBeTruthy();
    // The other clinician sees none of it, and cannot close it by its id.
    const theirs = (await call(sys.app, elsewhere, 'GET', '/api/me/help-requests')).json();
    expect((theirs as HelpList).requests.map((x) => x.id)).not.toContain(req.id);
    expect(
      (await call(sys.app, elsewhere, 'POST', `/api/me/help-requests/${req.id}/close`)).statusCode,
    ).toBe(404);
    // A clinician and a leader cannot list or answer others' requests.
    for (const s of [inUnit, elsewhere, leader]) {
      expect((await call(sys.app, s, 'GET', '/api/help-requests')).statusCode).toBe(403);
      expect(
        (
          await call(sys.app, s, 'POST', `/api/help-requests/${req.id}/answer`, {
            payload: { answer: 'x' },
          })
        ).statusCode,
      ).toBe(403);
    }
    // Without the CSRF token nothing is created.
    expect(
      (
        await call(sys.app, inUnit, 'POST', '/api/me/help-requests', {
          payload: { topic: 'notes', message: 'x' },
          csrf: false,
        })
      ).statusCode,
    ).toBe(403);

    // The champion answers; the clinician sees the answer and who gave it.
    const answered = await call(sys.app, champion, 'POST', `/api/help-requests/${req.id}/answer`, {
      payload: { answer: 'Ask your practice manager for a refill pool; I can show you Tuesday.' },
    });
    expect(answered.statusCode, answered.body).toBe(200);
    expect(answered.json()).toMatchObject({ status: 'answered', answered_by: 'champion' });
    const mine = (await call(sys.app, inUnit, 'GET', '/api/me/help-requests')).json() as HelpList;
    const back = mine.requests.find((x) => x.id === req.id)!;
    expect(back.answer).toMatch(/refill pool/);
    expect(back.status).toBe('answered');
    expect(mine.summary.answered).toBeGreaterThanOrEqual(1);
    expect(mine.summary.median_hours_to_answer).toBeGreaterThanOrEqual(0);

    // The clinician closes it; a closed request takes no more answers.
    const closed = await call(sys.app, inUnit, 'POST', `/api/me/help-requests/${req.id}/close`);
    expect(closed.json()).toMatchObject({ status: 'closed' });
    const again = await call(sys.app, champion, 'POST', `/api/help-requests/${req.id}/answer`, {
      payload: { answer: 'One more thing' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('CONFLICT');

    // Every step is in the access log.
    const log = await sys.store.all<{ resource: string; action: string }>(
      `SELECT resource, action FROM access_log WHERE resource = $1`,
      [`help-requests/${req.id}`],
    );
    expect(log.map((l) => l.action).sort()).toEqual(['create', 'update', 'update']);
  });

  it('keeps a champion to their own groups: another unit’s request is not found', async () => {
    const other = (
      await ask(elsewhere, { topic: 'notes', message: 'Note templates for follow-ups?' })
    ).json() as HelpRequest;
    const champ = (await call(sys.app, champion, 'GET', '/api/help-requests')).json() as HelpList;
    expect(champ.requests.map((x) => x.id)).not.toContain(other.id);
    const r = await call(sys.app, champion, 'POST', `/api/help-requests/${other.id}/answer`, {
      payload: { answer: 'probing' },
    });
    expect(r.statusCode).toBe(404);
    // An administrator sees and may answer every request.
    const all = (await call(sys.app, admin, 'GET', '/api/help-requests')).json() as HelpList;
    expect(all.requests.map((x) => x.id)).toContain(other.id);
    const a = await call(sys.app, admin, 'POST', `/api/help-requests/${other.id}/answer`, {
      payload: { answer: 'See the note template library.', close: true },
    });
    expect(a.json()).toMatchObject({ status: 'closed', answered_by: 'admin' });
  });

  it('shows administrators the champion coverage per department, and nobody else', async () => {
    const r = await call(sys.app, admin, 'GET', '/api/help-coverage');
    expect(r.statusCode).toBe(200);
    const rows = r.json() as {
      department: string;
      clinicians: number;
      champions: string[];
      open_requests: number;
    }[];
    const unit = sys.account('champion').groups[0]!.value;
    const mine = rows.find((x) => x.department === unit)!;
    expect(mine.champions).toEqual(['champion']);
    const [open] = await sys.store.all<{ n: number }>(
      `SELECT count(*) AS n FROM help_requests h JOIN clinicians c ON c.user_id = h.user_id
       WHERE h.status = 'open' AND c.department = $1`,
      [unit],
    );
    expect(mine.open_requests).toBe(Number(open!.n));
    expect(rows.filter((x) => x.department !== unit).every((x) => !x.champions.length)).toBe(true);
    const [n] = await sys.store.all<{ n: number }>(
      `SELECT count(*) AS n FROM clinicians WHERE department IS NOT NULL`,
    );
    expect(rows.reduce((t, x) => t + x.clinicians, 0)).toBe(Number(n!.n));
    for (const s of [champion, leader, inUnit])
      expect((await call(sys.app, s, 'GET', '/api/help-coverage')).statusCode).toBe(403);
  });

  it('validates what is asked and limits the open requests', async () => {
    expect((await ask(inUnit, { topic: 'inbox', message: '   ' })).statusCode).toBe(400);
    expect((await ask(inUnit, { topic: 'weather', message: 'hi' })).statusCode).toBe(400);
    expect((await ask(inUnit, { topic: 'inbox', message: 'x'.repeat(1001) })).statusCode).toBe(400);
    expect(
      (await call(sys.app, champion, 'POST', '/api/help-requests/nope/answer', { payload: {} }))
        .statusCode,
    ).toBe(400);
    const open = ((await call(sys.app, inUnit, 'GET', '/api/me/help-requests')).json() as HelpList)
      .summary.open;
    for (let i = open; i < MAX_OPEN_PER_CLINICIAN; i++)
      expect((await ask(inUnit, { topic: 'other', message: `question ${i}` })).statusCode).toBe(
        201,
      );
    const over = await ask(inUnit, { topic: 'other', message: 'one too many' });
    expect(over.statusCode).toBe(409);
    expect(over.json().error.message).toMatch(/close one/);
    // An account without a roster clinician cannot ask.
    expect((await ask(admin, { topic: 'other', message: 'hi' })).statusCode).toBe(403);
  });
});
