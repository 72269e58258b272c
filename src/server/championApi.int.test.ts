/**
 * Champions through the API, on both engines: suggestions for administrators only (the same as
 * the rule over the metric SQL of the events), an invitation that only the invited clinician sees
 * and answers, an acceptance that makes their account a champion of the department (their session
 * kept), coverage per department — each tried from the wrong side too, and in the access log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChampionSuggestions, CoverageReport, Invitation } from '../model/champions.ts';
import { championCandidates, championWindow } from '../program/champions.ts';
import { trainingTargets } from '../program/trainingTargets.ts';
import { parseTool, saveTool } from '../analysis/tools.ts';
import { metricCtes, parseRequest } from '../metrics/computeMetrics.ts';
import { DEFAULT_OPTIONS } from '../model/options.ts';
import { engines } from '../testing/testEngines.ts';
import { join } from 'node:path';
import { generate, type GenerateResult } from '../synth/generate.ts';
import { importCsv } from '../ingest/importCsv.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { TABLES } from '../model/canonical.ts';
import { setSetting } from '../store/settings.ts';
import {
  call,
  login,
  removeTestDir,
  testDir,
  testSystem,
  type Session,
  type TestSystem,
} from '../testing/testSystem.ts';

afterAll(removeTestDir);

let gen: Promise<GenerateResult> | undefined;

describe.each(engines())('champions API on $name', (engine) => {
  let sys: TestSystem;
  let admin: Session;
  let leader: Session;
  let champion: Session;
  let clinician: Session;
  let asOf: string;

  beforeAll(async () => {
    // Seven weeks of data (the training rule looks at 6 whole weeks; the shared files hold 3).
    gen ??= generate({ outDir: join(testDir(), 'data7'), clinicians: 40, days: 49, seed: 11 });
    const g = await gen;
    sys = await testSystem(engine, {
      load: async (store) => {
        const pseudonymizer = Pseudonymizer.load(join(testDir(), 'key7'));
        for (const table of TABLES)
          await importCsv(store, {
            table,
            file: g.files[table],
            pseudonymizer,
            rejectsDir: join(testDir(), `rejects7-${engine.name}`),
          });
        await setSetting(store, 'timezone', g.timezone);
      },
    });
    sys.gen = g;
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
  }, 240_000); // the reference runs the metric SQL over every event: 24 s on PostgreSQL when quiet

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

  it('shows training targets to the clinician alone, and counts per unit to leaders', async () => {
    await saveTool(
      sys.store,
      parseTool({
        name: 'notes-course-test',
        actions: ['no_such_action'],
        courses: ['Note writing basics'],
        target_metric: 'note_time8',
        target_direction: 'decrease',
      }),
    );
    // The same rule over the metric SQL of the events (weekly rows of the 6 weeks).
    const weeks = { from: '2026-01-12', to: '2026-02-23' };
    const chain = (await metricCtes(
      sys.store,
      parseRequest({
        ...weeks,
        period: 'week',
        options: { ...DEFAULT_OPTIONS, timezone: sys.gen.timezone },
      }),
    ))!;
    const all = await trainingTargets(sys.store, chain.clinician_rows);
    expect(all.length).toBeGreaterThan(0);
    for (const t of all) expect(t.weeks_above).toBeGreaterThanOrEqual(4);
    // Accounts linked to a clinician with a target, and to one without.
    const withTarget = all[0]!.user_id;
    for (const [username, clinician_id] of [
      ['has.target', withTarget],
      [
        'no.target',
        (
          await sys.store.all<{ user_id: string }>(
            `SELECT user_id FROM clinicians ORDER BY user_id`,
          )
        )
          .map((r) => r.user_id)
          .find((u) => !all.some((t) => t.user_id === u))!,
      ],
    ])
      expect(
        (
          await call(sys.app, admin, 'POST', '/api/users', {
            payload: {
              username,
              password: 'a long test password',
              role: 'clinician',
              clinician_id,
            },
          })
        ).statusCode,
      ).toBe(201);
    const mine = await login(sys.app, { username: 'has.target', password: 'a long test password' });
    const other = await login(sys.app, { username: 'no.target', password: 'a long test password' });
    const r = await call(sys.app, mine, 'GET', `/api/me/training-targets?as_of=${asOf}`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({
      ...weeks,
      targets: all
        .filter((t) => t.user_id === withTarget)
        .map(({ user_id: _u, department: _d, ...t }) => t),
    });
    expect(r.json().targets[0].course).toBe('Note writing basics');
    // Another clinician never sees it.
    const o = (await call(sys.app, other, 'GET', `/api/me/training-targets?as_of=${asOf}`)).json();
    expect(o.targets).toEqual([]);
    expect(JSON.stringify(o)).not.toContain(withTarget);
    // Counts: not for clinicians; for leaders, counts of their groups only, never a name or id.
    expect(
      (await call(sys.app, clinician, 'GET', `/api/training-targets/counts?as_of=${asOf}`))
        .statusCode,
    ).toBe(403);
    const lead = await call(sys.app, leader, 'GET', `/api/training-targets/counts?as_of=${asOf}`);
    expect(lead.statusCode, lead.body).toBe(200);
    const leaderDepts = sys
      .account('leader')
      .groups.filter((g) => g.by === 'department')
      .map((g) => g.value);
    for (const row of lead.json().rows) {
      expect(Object.keys(row).sort()).toEqual(['clinicians', 'course', 'department', 'metric']);
      expect(leaderDepts).toContain(row.department);
    }
    const adm = (
      await call(sys.app, admin, 'GET', `/api/training-targets/counts?as_of=${asOf}`)
    ).json();
    expect(adm.rows.reduce((n: number, x: { clinicians: number }) => n + x.clinicians, 0)).toBe(
      all.length,
    );
    for (const t of all) expect(JSON.stringify(adm)).not.toContain(t.user_id);

    // The training effect: not for clinicians or champions; an aggregate with its reason.
    const eff = `/api/training/effect?course=${encodeURIComponent('Note writing basics')}`;
    expect((await call(sys.app, clinician, 'GET', eff)).statusCode).toBe(403);
    expect((await call(sys.app, champion, 'GET', eff)).statusCode).toBe(403);
    const e = await call(sys.app, leader, 'GET', eff);
    expect(e.statusCode, e.body).toBe(200);
    expect(e.json()).toMatchObject({
      tool: 'notes-course-test',
      metric: 'note_time8',
      effect: null,
      insufficient_data: {
        reason: 'nobody has completed “Note writing basics” in the training records',
      },
    });
  });
});
