/**
 * Where a help request goes (issue 11, item 5), through the API on both engines: the champions of
 * the asker's department, else of their specialty, else of their role, else the IT / informatics
 * team (the administrators). The clinician is told where before sending, the request says where
 * it went, and every recipient — and only they — is notified until they have seen it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { HelpList, HelpRequest, HelpRoute } from '../model/help.ts';
import { engines } from '../testing/testEngines.ts';
import {
  call,
  login,
  testSystem,
  removeTestDir,
  type Session,
  type TestSystem,
} from '../testing/testSystem.ts';

afterAll(removeTestDir);

const PASSWORD = 'a-long-test-password';

describe.each(engines())('help request routing on $name', (engine) => {
  let sys: TestSystem;
  let admin: Session;
  let champion: Session;
  let inUnit: Session; // a clinician of the champion's department
  let elsewhere: Session; // a clinician of a department without a champion
  let championName: string;
  let championDept: string;
  let other: { specialty: string; role: string };

  beforeAll(async () => {
    sys = await testSystem(engine);
    admin = await login(sys.app, sys.account('admin'));
    champion = await login(sys.app, sys.account('champion'));
    inUnit = await login(sys.app, sys.account('clinician', 1));
    elsewhere = await login(sys.app, sys.account('clinician', 0));
    const champ = sys.account('champion');
    championDept = champ.groups[0]!.value;
    const [c] = await sys.store.all<{ name: string }>(
      `SELECT name FROM clinicians WHERE user_id = $1`,
      [champ.clinician_id],
    );
    championName = c!.name;
    const [o] = await sys.store.all<{ department: string; specialty: string; role: string }>(
      `SELECT department, specialty, role FROM clinicians WHERE user_id = $1`,
      [sys.account('clinician', 0).clinician_id],
    );
    expect(o!.department).not.toBe(championDept);
    other = o!;
  }, 600_000);
  afterAll(async () => sys?.close());

  const route = async (s: Session) => {
    const r = await call(sys.app, s, 'GET', '/api/me/help-route');
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as HelpRoute;
  };
  const ask = async (s: Session, message: string) => {
    const r = await call(sys.app, s, 'POST', '/api/me/help-requests', {
      payload: { topic: 'notes', message },
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as HelpRequest & { route: HelpRoute };
  };
  const unread = async (s: Session) =>
    ((await call(sys.app, s, 'GET', '/api/notifications')).json() as { help_requests: number })
      .help_requests;
  const list = async (s: Session) =>
    ((await call(sys.app, s, 'GET', '/api/help-requests')).json() as HelpList).requests;

  it('says who gets the question before it is sent, and notifies that champion only', async () => {
    const before = await route(inUnit);
    expect(before).toEqual({ tier: 'department', group: championDept, names: [championName] });
    const [c0, a0] = [await unread(champion), await unread(admin)];
    const r = await ask(inUnit, 'How do I make a smart phrase for my follow-up plan?');
    expect(r.route).toEqual(before);
    expect(r.routed_to).toBe('department');
    expect(await unread(champion)).toBe(c0 + 1);
    expect(await unread(admin)).toBe(a0); // administrators see it, but it was not sent to them
    const seen = (await list(champion)).find((x) => x.id === r.id)!;
    expect(seen).toMatchObject({ unread: true, routed_to: 'department' });
    expect((await list(admin)).find((x) => x.id === r.id)!.unread).toBe(false);

    // Seen: the marker and the count go; the request stays.
    const read = await call(sys.app, champion, 'POST', '/api/help-requests/read', {
      payload: { ids: [r.id] },
    });
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toEqual({ help_requests: c0 });
    expect((await list(champion)).find((x) => x.id === r.id)!.unread).toBe(false);
  });

  it('sends a question from a department without a champion to IT, and notifies the administrators', async () => {
    expect(await route(elsewhere)).toEqual({ tier: 'it', group: null, names: [] });
    const a0 = await unread(admin);
    const c0 = await unread(champion);
    const r = await ask(elsewhere, 'Where do I change my In Basket filters?');
    expect(r.route.tier).toBe('it');
    expect(await unread(admin)).toBe(a0 + 1);
    expect(await unread(champion)).toBe(c0);
    expect((await list(admin)).find((x) => x.id === r.id)).toMatchObject({
      unread: true,
      routed_to: 'it',
    });
    // Answering is seeing: the administrator's marker goes, and the clinician reads the answer.
    const ans = await call(sys.app, admin, 'POST', `/api/help-requests/${r.id}/answer`, {
      payload: { answer: 'Settings → In Basket → Filters; I can show you.', close: false },
    });
    expect(ans.statusCode, ans.body).toBe(200);
    expect(await unread(admin)).toBe(a0);
    const mine = (
      await call(sys.app, elsewhere, 'GET', '/api/me/help-requests')
    ).json() as HelpList;
    expect(mine.requests.find((x) => x.id === r.id)!.answer).toMatch(/Filters/);
  });

  it('goes to the champions of the specialty, else of the role, before IT', async () => {
    const make = async (username: string, group: { by: string; value: string }) => {
      const r = await call(sys.app, admin, 'POST', '/api/users', {
        payload: { username, password: PASSWORD, role: 'champion', groups: [group] },
      });
      expect(r.statusCode, r.body).toBe(201);
      return login(sys.app, { username, password: PASSWORD });
    };
    const byRole = await make('champ.role', { by: 'role', value: other.role });
    expect(await route(elsewhere)).toEqual({
      tier: 'role',
      group: other.role,
      names: ['champ.role'],
    });
    const bySpecialty = await make('champ.spec', { by: 'specialty', value: other.specialty });
    expect(await route(elsewhere)).toEqual({
      tier: 'specialty',
      group: other.specialty,
      names: ['champ.spec'],
    });
    const a0 = await unread(admin);
    const r = await ask(elsewhere, 'Is there an order set for diabetes follow-up?');
    expect(r.route.tier).toBe('specialty');
    expect(await unread(bySpecialty)).toBe(1);
    expect(await unread(byRole)).toBe(0);
    expect(await unread(admin)).toBe(a0);
    // The role's champion may still read and answer it (it is in their groups), unnotified.
    expect((await list(byRole)).find((x) => x.id === r.id)?.unread).toBe(false);
    // A department's champion comes first of all.
    expect((await route(inUnit)).tier).toBe('department');
  });

  it('lets the it role read and answer the requests routed to IT, and only those', async () => {
    const made = await call(sys.app, admin, 'POST', '/api/users', {
      payload: { username: 'it.helper', password: PASSWORD, role: 'it', groups: [] },
    });
    expect(made.statusCode, made.body).toBe(201);
    const it = await login(sys.app, { username: 'it.helper', password: PASSWORD });
    // A clinician of a department the department champion covers: not IT's.
    const toChampion = await ask(inUnit, 'Can you show me the order set for chest pain?');
    expect(toChampion.routed_to).toBe('department');
    // The role and specialty champions of the test above are gone: IT is the route again.
    for (const u of ['champ.role', 'champ.spec'])
      expect((await call(sys.app, admin, 'DELETE', `/api/users/${u}`)).statusCode).toBe(204);
    const before = await route(elsewhere);
    expect(before).toEqual({ tier: 'it', group: null, names: [] });
    expect(await unread(it)).toBe(0);
    const r = await ask(elsewhere, 'How do I share a note with a colleague?');
    expect(r.route).toEqual(before);
    // The it account is notified, lists it, and sees none of the champions' requests.
    expect(await unread(it)).toBe(1);
    const listed = await call(sys.app, it, 'GET', '/api/help-requests');
    expect(listed.statusCode, listed.body).toBe(200);
    const rows = (listed.json() as HelpList).requests;
    expect(rows.every((x) => x.routed_to === 'it')).toBe(true);
    expect(rows.find((x) => x.id === r.id)).toMatchObject({ unread: true, status: 'open' });
    expect(rows.find((x) => x.id === toChampion.id)).toBeUndefined();
    // It answers: the marker goes and the clinician reads the answer.
    const ans = await call(sys.app, it, 'POST', `/api/help-requests/${r.id}/answer`, {
      payload: { answer: 'Share → Colleague; I can show you.', close: true },
    });
    expect(ans.statusCode, ans.body).toBe(200);
    expect(ans.json()).toMatchObject({ status: 'closed', answered_by: 'it.helper' });
    expect(await unread(it)).toBe(0);
    const mine = (
      await call(sys.app, elsewhere, 'GET', '/api/me/help-requests')
    ).json() as HelpList;
    expect(mine.requests.find((x) => x.id === r.id)!.answer).toMatch(/Colleague/);
    // A request routed to a champion is not IT's to answer (404, as any id it may not see).
    const other = await call(sys.app, it, 'POST', `/api/help-requests/${toChampion.id}/answer`, {
      payload: { answer: 'Not mine to answer', close: false },
    });
    expect(other.statusCode).toBe(404);
    const read = await call(sys.app, it, 'POST', '/api/help-requests/read', {
      payload: { ids: [toChampion.id] },
    });
    expect(read.statusCode, read.body).toBe(200);
    // Coverage stays the administrators'.
    expect((await call(sys.app, it, 'GET', '/api/help-coverage')).statusCode).toBe(403);
  });

  it('keeps routes and markers to their owners', async () => {
    // An account that is not a clinician has no route; clinicians cannot mark requests read.
    expect((await call(sys.app, admin, 'GET', '/api/me/help-route')).statusCode).toBe(403);
    const mark = await call(sys.app, inUnit, 'POST', '/api/help-requests/read', {
      payload: { ids: [] },
    });
    expect(mark.statusCode).toBe(403);
    expect(await unread(inUnit)).toBe(0);
    // Another reader's ids change nothing of the caller's, and a bad id is refused at the edge.
    const c0 = await unread(champion);
    const bad = await call(sys.app, champion, 'POST', '/api/help-requests/read', {
      payload: { ids: ['../x'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(await unread(champion)).toBe(c0);
    // Without the CSRF token: refused.
    const noCsrf = await call(sys.app, champion, 'POST', '/api/help-requests/read', {
      payload: { ids: [] },
      csrf: false,
    });
    expect(noCsrf.statusCode).toBe(403);
  });
});
