/**
 * Champions in the browser (issue #14, program.md §4): an administrator sees the suggested
 * champions with their evidence and the coverage per department on the Help requests page and
 * invites one; the invited clinician sees the invitation privately on My report and accepts it;
 * their account is then a champion of the department. axe finds no serious violation on either
 * page. The server's clock is the day after the test data (three weeks from 5 January 2026).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ChampionSuggestions } from '../model/champions.ts';
import { call, login } from '../testing/testSystem.ts';
import {
  checkPage,
  openPage,
  signIn,
  startBrowserApp,
  type BrowserApp,
} from '../testing/browserTesting.ts';

let app: BrowserApp;
const invitee = { username: 'invitee', password: 'invitee-password-1' };
let pick: ChampionSuggestions['suggestions'][number];

beforeAll(async () => {
  app = await startBrowserApp({ now: () => new Date('2026-01-27T15:00:00Z') });
  const admin = await login(app.sys.app, app.sys.account('admin'));
  const r = await call(app.sys.app, admin, 'GET', '/api/champions/suggestions');
  expect(r.statusCode, r.body).toBe(200);
  const body = r.json() as ChampionSuggestions;
  const linked = new Set(app.sys.accounts.map((a) => a.clinician_id));
  pick = body.suggestions.find((c) => !linked.has(c.user_id) && c.department)!;
  expect(pick).toBeDefined();
  const made = await call(app.sys.app, admin, 'POST', '/api/users', {
    payload: { ...invitee, role: 'clinician', clinician_id: pick.user_id },
  });
  expect(made.statusCode, made.body).toBe(201);
}, 600_000);
afterAll(async () => app?.close());

describe('champion invitation in the browser', () => {
  test('the administrator invites from the evidence; the clinician accepts on My report', async () => {
    const admin = await signIn(app, app.sys.account('admin'));
    await openPage(app, admin, 'help');
    await admin.getByRole('heading', { name: 'Suggested champions' }).waitFor();
    await admin.getByTestId('uncovered-summary').waitFor();
    expect(await admin.getByTestId('uncovered-summary').innerText()).toMatch(
      /^\d+ of \d+ departments are uncovered \(no champion, or fewer than 1 per 15 clinicians\)/,
    );
    const who = pick.name ?? pick.user_id;
    const row = admin.getByRole('row').filter({ has: admin.getByRole('rowheader', { name: who }) });
    // The evidence: the clinician's EHR-Time8 and the specialty's 40th percentile.
    expect(await row.innerText()).toContain(
      `${pick.ehr_time8.value!.toFixed(2)} (40th pct. ${pick.ehr_time8.cutoff!.toFixed(2)})`,
    );
    await checkPage(admin, 'help with champions');
    await admin.getByRole('button', { name: `Invite ${who} to be a champion` }).click();
    await row.getByText('invited').waitFor();

    const page = await signIn(app, invitee);
    await openPage(app, page, 'me');
    await page.getByRole('heading', { name: 'Invitation to be a peer champion' }).waitFor();
    expect(await page.getByText('Why you:').innerText()).toContain(
      `Among ${pick.specialty_n} ${pick.specialty} clinicians`,
    );
    await checkPage(page, 'my report with an invitation');
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByTestId('invitation-answer').waitFor();
    expect(await page.getByTestId('invitation-answer').innerText()).toContain(
      `you are now a peer champion of ${pick.department}`,
    );
    const me = await login(app.sys.app, invitee);
    const who2 = (await call(app.sys.app, me, 'GET', '/api/me')).json();
    expect(who2.user ?? who2).toMatchObject({
      role: 'champion',
      groups: [{ by: 'department', value: pick.department }],
    });
    expect(app.problems).toEqual([]);
  });
});

describe('training targets and the contact budget in the browser', () => {
  test('a leader sees training targets per unit, counts only, on the Organisation page', async () => {
    const leader = await login(app.sys.app, app.sys.account('leader'));
    const r = await call(app.sys.app, leader, 'GET', '/api/training-targets/counts');
    expect(r.statusCode, r.body).toBe(200);
    const { rows } = r.json() as {
      rows: { department: string; course: string; clinicians: number }[];
    };
    const page = await signIn(app, app.sys.account('leader'));
    await openPage(app, page, 'org');
    await page.getByRole('heading', { name: 'Training targets per unit' }).waitFor();
    await page.getByRole('heading', { name: 'Training effect' }).waitFor();
    const table = page.getByRole('table', { name: /Clinicians with a training target/ });
    if (rows.length) {
      await table.waitFor();
      // One header row, then one row per department and course, as the API counts them.
      expect(await table.getByRole('row').count()).toBe(rows.length + 1);
      expect(await table.innerText()).toContain(rows[0]!.course);
    } else {
      await page.getByText('No clinician of your groups has a training target.').waitFor();
    }
    await checkPage(page, 'organisation with training targets');
    expect(app.problems).toEqual([]);
  });

  test('an administrator sets the surveys’ contact budget on the Settings page', async () => {
    const page = await signIn(app, app.sys.account('admin'));
    await openPage(app, page, 'settings');
    const days = page.getByRole('spinbutton', { name: 'Days between invitations' });
    await days.fill('45');
    await page.getByRole('button', { name: 'Save contact budget' }).click();
    await page.getByText('Survey contact budget saved.').waitFor();
    const admin = await login(app.sys.app, app.sys.account('admin'));
    const s = await call(app.sys.app, admin, 'GET', '/api/settings');
    expect(s.json()).toMatchObject({ survey_min_days: 45 });
    await checkPage(page, 'settings with the contact budget');
    expect(app.problems).toEqual([]);
  });
});
