/**
 * The gaps issue #13 left in the program's API, on both engines, on the hand-made organisation of
 * `programFixture.ts`: `/api/me` lists the groups the user belongs to (the groups they may propose
 * a goal for).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import type { Me } from './contract.ts';
import { cardiologyGoal, programSystem, type ProgramSystem } from '../testing/programFixture.ts';
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
});
