/**
 * Champions through the API, on both engines: suggestions for administrators only (the same as
 * the rule over the metric SQL of the events), an invitation that only the invited clinician sees
 * and answers, an acceptance that makes their account a champion of the department (their session
 * kept), coverage per department — each tried from the wrong side too, and in the access log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChampionSuggestions, CoverageReport, Invitation } from '../model/champions.ts';
import { championCandidates, championWindow } from '../program/champions.ts';
import { metricCtes, parseRequest } from '../metrics/computeMetrics.ts';
import { DEFAULT_OPTIONS } from '../model/options.ts';
import { engines } from '../testing/testEngines.ts';
import {
  call,
  login,
  removeTestDir,
  testSystem,
  type Session,
  type TestSystem,
} from '../testing/testSystem.ts';

afterAll(removeTestDir);

describe.each(engines())('champions API on $name', (engine) => {
  let sys: TestSystem;
  let admin: Session;
  let leader: Session;
  let champion: Session;
  let clinician: Session;
  let asOf: string;

  beforeAll(async () => {
    sys = await testSystem(engine);
    admin = await login(sys.app, sys.account('admin'));
    leader = await login(sys.app, sys.account('leader'));
    champion = await login(sys.app, sys.account('champion'));
    clinician = await login(sys.app, sys.account('clinician', 0));
    asOf = sys.gen.to;
  }, 600_000);
  afterAll(async () => sys?.close());

  const suggestions = async (s: Session) =>
    call(sys.app, s, 'GET', `/api/champions/suggestions?as_of=${asOf}`);

  it('suggests to administrators only, as the rule over the events’ metric SQL says', async () => {
    for (const s of [leader, champion, clinician])
      expect((await suggestions(s)).statusCode).toBe(403);
    const r = await suggestions(admin);
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json() as ChampionSuggestions;
    expect({ from: body.from, to: body.to }).toEqual(championWindow(asOf));
    // The server sums the day table; the same rule over the metric SQL of the events agrees.
    const chain = (await metricCtes(
      sys.store,
      parseRequest({
        from: body.from,
        to: body.to,
        period: 'all',
        options: { ...DEFAULT_OPTIONS, timezone: sys.gen.timezone },
      }),
    ))!;
    const direct = await championCandidates(sys.store, chain.clinician_rows, {
      to: body.to,
      timezone: sys.gen.timezone,
    });
    expect(body.considered).toBe(direct.considered);
    expect(body.considered).toBeGreaterThan(10);
    const want = direct.candidates.filter((c) => c.meets_all);
    expect(body.suggestions.map((c) => c.user_id)).toEqual(want.map((c) => c.user_id));
    expect(body.suggestions.length).toBeGreaterThan(0);
    for (const c of body.suggestions) {
      expect(c.scheduled_hours).toBeGreaterThanOrEqual(40);
      expect(c.ehr_time8.value!).toBeLessThanOrEqual(c.ehr_time8.cutoff! + 1e-9);
      expect(c.after_hours8.value!).toBeLessThanOrEqual(c.after_hours8.cutoff! + 1e-9);
      expect(c.appointments_per_hour.value!).toBeGreaterThanOrEqual(
        c.appointments_per_hour.cutoff! - 1e-9,
      );
      expect(c.invitation).toBe('none');
    }
  });

  it('invites a suggested clinician, who alone sees and accepts it and becomes a champion', async () => {
    const body = (await suggestions(admin)).json() as ChampionSuggestions;
    const linkedIds = new Set(sys.accounts.map((a) => a.clinician_id));
    const pick = body.suggestions.find((c) => !linkedIds.has(c.user_id) && c.department)!;
    const invite = (s: Session, user_id: string) =>
      call(sys.app, s, 'POST', '/api/champions/invitations', { payload: { user_id, as_of: asOf } });
    expect((await invite(leader, pick.user_id)).statusCode).toBe(403);
    // No account to see it yet: refused, saying what to do.
    const none = await invite(admin, pick.user_id);
    expect(none.statusCode).toBe(409);
    expect(none.body).toContain('no account');
    // Someone the rule does not suggest: refused.
    const notSuggested = body.suggestions.length ? 'no-such-clinician' : '';
    expect((await invite(admin, notSuggested)).statusCode).toBeGreaterThanOrEqual(400);
    const made = await call(sys.app, admin, 'POST', '/api/users', {
      payload: {
        username: 'suggested',
        password: 'a long test password',
        role: 'clinician',
        clinician_id: pick.user_id,
      },
    });
    expect(made.statusCode, made.body).toBe(201);
    const created = await invite(admin, pick.user_id);
    expect(created.statusCode, created.body).toBe(201);
    const inv = created.json() as Invitation;
    expect(inv).toMatchObject({
      user_id: pick.user_id,
      department: pick.department,
      state: 'invited',
      invited_by: sys.account('admin').username,
    });
    expect(inv.reason).toContain(`Among ${pick.specialty_n} ${pick.specialty} clinicians`);
    expect((await invite(admin, pick.user_id)).statusCode).toBe(409);

    // Nobody else sees it or can answer it.
    for (const s of [clinician, champion, leader, admin])
      expect((await call(sys.app, s, 'GET', '/api/me/champion-invitations')).json()).toEqual([]);
    const steal = await call(sys.app, clinician, 'POST', `/api/me/champion-invitations/${inv.id}`, {
      payload: { answer: 'accept' },
    });
    expect(steal.statusCode).toBe(404);

    const me = await login(sys.app, { username: 'suggested', password: 'a long test password' });
    const mine = (await call(sys.app, me, 'GET', '/api/me/champion-invitations')).json();
    expect(mine).toEqual([inv]);
    const accepted = await call(sys.app, me, 'POST', `/api/me/champion-invitations/${inv.id}`, {
      payload: { answer: 'accept' },
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ state: 'accepted' });
    // The same session now holds the champion role for the department.
    const who = (await call(sys.app, me, 'GET', '/api/me')).json();
    expect(who.user ?? who).toMatchObject({
      role: 'champion',
      groups: [{ by: 'department', value: pick.department }],
    });
    const again = await call(sys.app, me, 'POST', `/api/me/champion-invitations/${inv.id}`, {
      payload: { answer: 'decline' },
    });
    expect(again.statusCode).toBe(409);
    const after = (await suggestions(admin)).json() as ChampionSuggestions;
    expect(after.suggestions.find((c) => c.user_id === pick.user_id)?.invitation).toBe('accepted');

    // Coverage: administrators (and it) only; the new champion covers their department.
    expect((await call(sys.app, clinician, 'GET', '/api/champions/coverage')).statusCode).toBe(403);
    expect((await call(sys.app, leader, 'GET', '/api/champions/coverage')).statusCode).toBe(403);
    const cov = (
      await call(sys.app, admin, 'GET', '/api/champions/coverage')
    ).json() as CoverageReport;
    const dept = cov.departments.find((d) => d.department === pick.department)!;
    expect(dept.champions).toContain('suggested');
    expect(dept.per_10).toBeCloseTo((dept.champions.length * 10) / dept.clinicians, 12);
    expect(dept.uncovered).toBe(dept.champions.length * 15 < dept.clinicians);
    expect(cov.activity.map((a) => a.username)).toContain('suggested');

    const log = (await call(sys.app, admin, 'GET', '/api/access-log?limit=200')).json() as {
      resource: string;
      detail: string | null;
    }[];
    const about = log.filter((e) => e.resource === `champion-invitations/${inv.id}`);
    expect(about.map((e) => e.detail).sort()).toEqual(
      [`${pick.user_id}, ${pick.department}`, 'accepted'].sort(),
    );
  });
});
