/**
 * Surveys in the browser (issue #14): an administrator opens a SUS survey of the whole
 * organisation; the demo clinician finds it on My report and answers all ten statements with the
 * keyboard alone (Tab to a statement, arrow keys to choose), well within a minute; the
 * administrator then sees the result on the Surveys page — SUS 75 (odd statements "Agree", even
 * ones "Disagree": 2.5 × (5 × 3 + 5 × 3)), band "good" — with its chart, and the Items section with
 * each statement's mean. axe-core on each page.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  checkPage,
  openPage,
  signIn,
  startBrowserApp,
  type BrowserApp,
} from '../testing/browserTesting.ts';
import { call, login } from '../testing/testSystem.ts';
import { parseTool, saveTool } from '../analysis/tools.ts';

let app: BrowserApp;
let survey = '';

beforeAll(async () => {
  app = await startBrowserApp();
  const admin = await login(app.sys.app, app.sys.account('admin'));
  // One respondent: a threshold of 1 lets the test read the result (5 would suppress it).
  const t = await call(app.sys.app, admin, 'PUT', '/api/settings', {
    payload: { suppression_threshold: 1 },
  });
  expect(t.statusCode, t.body).toBe(200);
  const c = await call(app.sys.app, admin, 'POST', '/api/surveys', {
    payload: { title: 'How usable is the EHR?', instrument: 'sus', anonymous: true },
  });
  expect(c.statusCode, c.body).toBe(201);
  survey = c.json().id;
  const o = await call(app.sys.app, admin, 'POST', `/api/surveys/${survey}/open`);
  expect(o.statusCode, o.body).toBe(200);
}, 300_000);
afterAll(async () => app?.close());

describe('surveys in Chromium', () => {
  test('a clinician answers the SUS with the keyboard; the administrator sees the result', async () => {
    const clin = await signIn(app, app.sys.account('clinician', 0));
    await openPage(app, clin, 'me');
    const card = clin.getByRole('region', { name: /Survey: How usable is the EHR\?/ });
    await card.waitFor();
    // Folded: the report stays on top; the questions appear on "Answer now".
    expect(await card.getByRole('group').count()).toBe(0);
    await checkPage(clin, 'survey-card');
    const started = Date.now();
    // Keyboard only: Enter on "Answer now" puts the focus on the first choice of statement 1;
    // then per statement: Space picks "1 Strongly disagree", arrows move on, Tab goes to the next.
    await card.getByRole('button', { name: 'Answer now' }).focus();
    await clin.keyboard.press('Enter');
    const groups = card.getByRole('group');
    await groups.first().waitFor();
    expect(await groups.count()).toBe(10);
    await expect
      .poll(() => clin.evaluate(() => document.activeElement?.getAttribute('type')))
      .toBe('radio');
    await checkPage(clin, 'survey-card open');
    for (let k = 0; k < 10; k++) {
      await clin.keyboard.press('Space');
      const steps = k % 2 === 0 ? 3 : 1; // "4 Agree" or "2 Disagree"
      for (let s = 0; s < steps; s++) await clin.keyboard.press('ArrowRight');
      await clin.keyboard.press('Tab');
    }
    for (let k = 0; k < 10; k++)
      expect(
        await groups
          .nth(k)
          .getByRole('radio', { name: k % 2 === 0 ? '4 Agree' : '2 Disagree' })
          .isChecked(),
      ).toBe(true);
    // The Tab after the last statement reached the Send button.
    await expect
      .poll(() => clin.evaluate(() => document.activeElement?.textContent ?? ''))
      .toBe('Send answers');
    await clin.keyboard.press('Enter');
    await clin.getByText('Thank you — your answers are in.').waitFor();
    expect(Date.now() - started).toBeLessThan(60_000);
    await clin.context().close();

    const admin = await signIn(app, app.sys.account('admin'));
    await openPage(app, admin, 'surveys');
    await admin.getByRole('link', { name: 'How usable is the EHR?' }).click();
    await admin.getByRole('heading', { name: 'Survey: How usable is the EHR?' }).waitFor();
    await admin.waitForFunction(() => !document.querySelector('.loading'));
    // Per department the one respondent's group is hidden (the other has none: complementary
    // suppression); the organisation's figure is shown.
    expect(await admin.locator('main').innerText()).toMatch(/Primary Care\s+\d+\s+not shown/);
    await admin.getByLabel('Per', { exact: true }).selectOption('org');
    const figure = admin.locator('figure', { hasText: 'SUS score per organisation' });
    await figure.locator('svg').first().waitFor();
    await figure.getByRole('button', { name: /table/i }).click();
    const text = await figure.innerText();
    expect(text).toMatch(/organisation\s+75\b/);
    expect(text).toMatch(/good; 1 of \d+ invited/);
    // The Items section: statement 1 answered "4 Agree" by the one respondent → mean 4.00
    const items = admin.getByRole('region', { name: 'Items' });
    await items.getByRole('figure', { name: /Mean answer per item/ }).waitFor();
    expect(await items.innerText()).toMatch(/organisation\s+1\s+4\.00/);
    await checkPage(admin, 'survey-results');
    expect(app.problems).toEqual([]);
  }, 180_000);

  test('the Go-live page shows the NPS before and after the go-live, with its interval', async () => {
    const admin = await login(app.sys.app, app.sys.account('admin'));
    const tool = 'survey-tool';
    await saveTool(app.sys.store, {
      ...parseTool({ name: tool, actions: ['NOTHING_MATCHES'] }),
      golives: [
        { group_by: 'department', group: app.sys.gen.goLive.departments[0]!, date: '2026-01-12' },
      ],
    });
    const ids: Record<string, string> = {};
    for (const [phase, answers] of [
      ['pre', [10, 0, 0]],
      ['post', [10, 10, 0]],
    ] as const) {
      const c = await call(app.sys.app, admin, 'POST', '/api/surveys', {
        payload: {
          title: `NPS ${phase}`,
          instrument: 'nps',
          subject: tool,
          golive: { tool, group_by: 'org', group_value: 'organisation', phase },
          anonymous: true,
        },
      });
      expect(c.statusCode, c.body).toBe(201);
      ids[phase] = c.json().id;
      const csv = `id,nps\n${answers.map((a, i) => `${phase}${i},${a}`).join('\n')}\n`;
      const up = await call(
        app.sys.app,
        admin,
        'POST',
        `/api/surveys/${ids[phase]}/responses/csv`,
        {
          payload: csv,
          headers: { 'content-type': 'text/csv' },
        },
      );
      expect(up.statusCode, up.body).toBe(200);
    }
    // Before: 1 promoter, 2 detractors of 3 → NPS −33.3; after: 2 and 1 → +33.3; change +66.7.
    const cmp = await call(
      app.sys.app,
      admin,
      'GET',
      `/api/surveys/compare?before=${ids['pre']}&after=${ids['post']}&by=org`,
    );
    expect(cmp.json().total.difference.estimate).toBeCloseTo(200 / 3, 6);

    const page = await signIn(app, app.sys.account('leader'));
    await openPage(app, page, 'golive');
    const section = page.getByRole('region', { name: 'Satisfaction before and after' });
    await section.getByRole('figure').first().waitFor();
    expect(await section.innerText()).toMatch(
      /NPS, all respondents: \+66\.7 after the go-live \(95% interval [-+][\d.]+ to [-+][\d.]+\): not distinguishable from no change\./,
    );
    await section.getByRole('link', { name: 'NPS pre' }).waitFor();
    await checkPage(page, 'golive with surveys');
    expect(app.problems).toEqual([]);
  }, 180_000);
});
