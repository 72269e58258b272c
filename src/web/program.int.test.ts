/**
 * The buy-in program in the browser (issue #13), as each role: a clinician proposes a goal — the
 * form shows the baseline, the group's recent weeks and the "within noise" warning before it is
 * submitted —, another clinician votes from My report, the vote closes (the server's clock is the
 * test's) and the goal shows as adopted with its computed status explained; a clinician tells IT
 * about a problem from the dialog on every page, the `it` role triages and answers it on the
 * board with the clocks against their targets, and the clinician sees the notice under the bell
 * and the "did this help?" question. axe finds no serious violation on any new page; the goals
 * page and the Tell IT dialog do not scroll sideways on a 390 px phone.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { build } from 'vite';
import { chromium, type Page } from 'playwright-core';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { call, login, removeTestDir, testSystem, type Session } from '../testing/testSystem.ts';
import { checkPage, openPage, signIn, type BrowserApp } from '../testing/browserTesting.ts';

const CHROMIUM = process.env['UPTAKE_CHROMIUM'] ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PHONE = { width: 390, height: 844 };
const SHOTS = join(ROOT, 'test-output/screenshots');

/** A full-page screenshot for people to look at (test-output/screenshots/program-NAME.png). */
async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `program-${name}.png`), fullPage });
}

/**
 * The server's clock: the test data are three weeks from Monday 5 January 2026, so "now" starts
 * on the Tuesday after them (the baseline's weeks are those three) and moves past the vote's close.
 */
let now = new Date('2026-01-27T10:00:00Z');

let app: BrowserApp;
let admin: Session;
/** A second clinician of the proposer's department, with an account of their own. */
const voter = { username: 'voter.two', password: 'voter-two-password-1' };
/** An IT / informatics account. */
const it = { username: 'it.triage', password: 'it-triage-password-1' };

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not at ${CHROMIUM}: install it (apt-get install -y chromium) or set UPTAKE_CHROMIUM`,
    );
  const webOut = mkdtempSync(join(tmpdir(), 'uptake-web-'));
  const [, browser] = await Promise.all([
    build({
      root: join(ROOT, 'web'),
      configFile: join(ROOT, 'web/vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: webOut, emptyOutDir: true },
    }),
    chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    }),
  ]);
  const sys = await testSystem(
    { name: 'duckdb', open: () => DuckDBStore.open(':memory:') },
    { webDir: webOut, now: () => now },
  );
  const base = await sys.app.listen({ port: 0, host: '127.0.0.1' });
  app = {
    sys,
    base,
    browser,
    problems: [],
    async close() {
      await browser.close();
      await sys.close();
      rmSync(webOut, { recursive: true, force: true });
      removeTestDir();
    },
  };
  admin = await login(sys.app, sys.account('admin'));
  // Two votes adopt a goal here (the organisation's rule; the group has two voters).
  const rules = await call(sys.app, admin, 'PUT', '/api/settings', {
    payload: { goal_rules: { min_votes: 2, window_days: 14, baseline_weeks: 8 } },
  });
  expect(rules.statusCode, rules.body).toBe(200);
  // The voter: another clinician of the proposer's department, without an account yet.
  const proposer = sys.account('clinician', 0);
  const taken = new Set(sys.accounts.map((a) => a.clinician_id).filter(Boolean));
  const peers = await sys.store.all<{ user_id: string }>(
    `SELECT user_id FROM clinicians
      WHERE department = (SELECT department FROM clinicians WHERE user_id = $1)
      ORDER BY user_id`,
    [proposer.clinician_id],
  );
  const other = peers.find((p) => !taken.has(p.user_id));
  expect(other, 'a second clinician in the proposer’s department').toBeTruthy();
  for (const [a, role, clinician_id] of [
    [voter, 'clinician', other!.user_id],
    [it, 'it', null],
  ] as const) {
    const r = await call(sys.app, admin, 'POST', '/api/users', {
      payload: { ...a, role, clinician_id, groups: [] },
    });
    expect(r.statusCode, r.body).toBe(201);
  }
}, 300_000);
afterAll(async () => app?.close());

/** A signed-in page at phone width (`signIn` opens desktop ones). */
async function signInPhone(a: { username: string; password: string }): Promise<Page> {
  const ctx = await app.browser.newContext({ viewport: PHONE, reducedMotion: 'reduce' });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => app.problems.push(`${a.username} (phone): ${e.message}`));
  await page.goto(`${app.base}/`);
  await page.getByLabel('User name').fill(a.username);
  await page.getByLabel('Password').fill(a.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

/** How far the page reaches beyond the window's width, and the first elements that do. */
function sideways(page: Page) {
  return page.evaluate(() => {
    const w = window.innerWidth;
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > w + 0.5)
      .slice(0, 3)
      .map((el) => `${el.tagName}.${String(el.className)}`);
    return { scroll: document.scrollingElement!.scrollWidth, width: w, wide };
  });
}

const navLinks = (page: Page) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();

let goalId = '';

describe('goals in Chromium', () => {
  test('a clinician proposes a goal: the preview comes first, with the baseline, the weeks and the noise warning', async () => {
    const page = await signIn(app, app.sys.account('clinician', 0));
    expect(await navLinks(page)).toEqual(['My report', 'Goals', 'My feedback']);
    await openPage(app, page, 'goals');
    await checkPage(page, 'clinician-goals-empty');
    await page.getByRole('link', { name: 'Propose a goal' }).click();
    await page.getByRole('heading', { level: 1, name: 'Propose a goal' }).waitFor();

    // The baseline the server will compute (to type a target equal to it: within the noise).
    const s = await login(app.sys.app, app.sys.account('clinician', 0));
    const form = page.getByRole('form', { name: 'Propose a goal' });
    const group = await form.getByLabel('Group').inputValue();
    const [by, value] = JSON.parse(group) as ['department', string];
    expect(by).toBe('department');
    const draft = {
      metric: 'ehr_time8',
      group_by: by,
      group_value: value,
      direction: 'decrease',
      target: 1,
      target_date: '2026-06-30',
      title: 'Less EHR time per clinic day',
      rationale: 'Templates and team inbox rules should give us back time.',
    };
    const pre = await call(app.sys.app, s, 'POST', '/api/goals/preview', { payload: draft });
    expect(pre.statusCode, pre.body).toBe(200);
    const baseline = (pre.json() as { baseline: { mean: number; n: number } | null }).baseline;
    expect(baseline, 'three weeks of data before the proposal').not.toBeNull();
    expect(baseline!.n).toBe(3);

    await form.getByLabel('Metric').selectOption('ehr_time8');
    await form.getByLabel('Lower it').check();
    await form.getByLabel(/^Target \(/).fill(baseline!.mean.toFixed(3));
    await form.getByLabel('Target date').fill(draft.target_date);
    await form.getByLabel('Title').fill(draft.title);
    await form.getByLabel(/^Rationale/).fill(draft.rationale);
    const propose = page.getByRole('button', { name: 'Propose this goal' });
    expect(await propose.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Check and preview' }).click();
    const preview = page.getByTestId('goal-preview');
    await preview.waitFor();
    // The baseline with its interval, the weeks as a small chart, and the noise warning.
    expect(await preview.getByTestId('preview-baseline').innerText()).toMatch(
      /^Baseline: \d+\.\d\d hours per 8 scheduled hours \(95% CI \d+\.\d\d to \d+\.\d\d\), the mean of 3 weekly values/,
    );
    await preview.locator('[data-chart] svg').waitFor();
    expect(await preview.getByTestId('preview-warning').allInnerTexts()).toContainEqual(
      expect.stringMatching(/week-to-week variation/i),
    );
    expect(await propose.isDisabled()).toBe(false);
    await checkPage(page, 'clinician-goal-preview');
    await shot(page, 'goal-preview');

    // A changed proposal must be previewed again before it can be sent.
    await form.getByLabel(/^Target \(/).fill((baseline!.mean * 0.6).toFixed(2));
    expect(await propose.isDisabled()).toBe(true);
    await page.getByText('The proposal changed since the last preview').waitFor();
    await page.getByRole('button', { name: 'Check and preview' }).click();
    await preview.waitFor();
    await expect.poll(() => propose.isDisabled()).toBe(false);
    await propose.click();
    await page.getByRole('heading', { level: 1, name: draft.title }).waitFor();
    goalId = decodeURIComponent(page.url().split('#/goals/')[1] ?? '');
    expect(goalId).toMatch(/^[a-z0-9]+-[0-9a-f]{8}$/);
    expect(await page.getByTestId('goal-status').innerText()).toBe('Open for votes');
    expect(await page.getByTestId('goal-tally').innerText()).toBe(
      '0 support, 0 oppose, 0 abstain so far.',
    );
    // The proposer votes on the goal's page.
    await page
      .getByRole('group', { name: 'Your vote' })
      .getByRole('button', { name: 'Support' })
      .click();
    await page.getByText('Your vote: support.').waitFor();
    expect(await page.getByTestId('goal-tally').innerText()).toBe(
      '1 support, 0 oppose, 0 abstain so far.',
    );
    await openPage(app, page, `goals/${goalId}`);
    await checkPage(page, 'clinician-goal-voting');
    await page.context().close();
  });

  test('another clinician votes with one click on My report; nobody sees who voted how', async () => {
    const page = await signIn(app, voter);
    await openPage(app, page, 'me');
    const section = page.locator('section', {
      has: page.getByRole('heading', { name: 'Goals for your group' }),
    });
    const item = section.locator(`li[data-goal="${goalId}"]`);
    await item.waitFor();
    await item.getByRole('button', { name: 'Support' }).click();
    await expect
      .poll(() => item.getByRole('button', { name: 'Support' }).getAttribute('aria-pressed'))
      .toBe('true');
    expect(await item.getByRole('status').innerText()).toMatch(
      /^Your vote: support\. So far 2 support, 0 oppose, 0 abstain; closes /,
    );
    await checkPage(page, 'voter-my-report-goals');
    await shot(page, 'my-report-goals');
    // The goal's page shows counts, never names.
    await openPage(app, page, `goals/${goalId}`);
    const votes = page.locator('section', { has: page.getByRole('heading', { name: 'Votes' }) });
    expect(await votes.innerText()).not.toMatch(
      new RegExp(`${app.sys.account('clinician', 0).username}|${voter.username}`),
    );
    await page.context().close();
  });

  test('after the window closes the goal is adopted, with its computed status explained', async () => {
    // The vote closes 14 days after the proposal; the server's clock moves past it.
    now = new Date('2026-02-11T09:00:00Z');
    const page = await signIn(app, app.sys.account('clinician', 0));
    await openPage(app, page, `goals/${goalId}`);
    // Adopted, 0 whole weeks since: too early, said in words; the chart has its parts.
    expect(await page.getByTestId('goal-status').innerText()).toBe('Too early to tell');
    expect(await page.getByTestId('goal-explanation').innerText()).toMatch(
      /^Too early to tell: Only 0 whole weeks since the goal was adopted: the status is computed once there are 4\.$/,
    );
    expect(await page.getByTestId('goal-tally').innerText()).toBe(
      '2 support, 0 oppose, 0 abstain.',
    );
    const chart = page.locator('figure', { hasText: 'weekly EHR-Time8' });
    expect(await chart.locator('[role="img"]').getAttribute('aria-label')).toMatch(
      /Baseline \d+\.\d\d \(95% CI .* Target \d+\.\d\d\./,
    );
    await checkPage(page, 'clinician-goal-adopted');
    await shot(page, 'goal-adopted');
    await openPage(app, page, 'goals');
    const card = page.locator(`li[data-goal="${goalId}"]`);
    expect(await card.getAttribute('data-state')).toBe('adopted');
    expect(await card.locator('.status').innerText()).toBe('Too early to tell');
    await page.context().close();

    // The proposer hears of the decision.
    const again = await signIn(app, app.sys.account('clinician', 0));
    await openPage(app, again, 'notices');
    await again.locator('li[data-notice="goal_decided"]').waitFor();
    await checkPage(again, 'clinician-notices-goal');
    await again.context().close();

    // The organisation page lists it by status.
    const lead = await signIn(app, app.sys.account('admin'));
    await openPage(app, lead, 'org');
    const goals = lead.locator('section', {
      has: lead.getByRole('heading', { name: 'Goals by status' }),
    });
    await goals.locator(`li[data-goal="${goalId}"]`).waitFor();
    expect(await goals.getByTestId('goal-counts').innerText()).toMatch(
      /^Open for votes: 0 · Adopted: 1 · /,
    );
    await lead.context().close();
  });

  test('phone, 390 px: the goals list and a goal do not scroll sideways', async () => {
    const page = await signInPhone(app.sys.account('clinician', 0));
    for (const route of ['goals', `goals/${goalId}`, 'goals/new']) {
      await openPage(app, page, route);
      const r = await sideways(page);
      expect(r.scroll, `${route} at 390 px: ${r.wide.join('; ')}`).toBeLessThanOrEqual(r.width);
    }
    await shot(page, 'phone-goal-new');
    await page.context().close();
  });
});

describe('feedback to IT in Chromium', () => {
  const TEXT = 'The discharge letter template loses its formatting when I paste a list.';

  test('a clinician tells IT from the dialog on any page, the page prefilled as its link', async () => {
    const page = await signIn(app, app.sys.account('clinician', 0));
    await openPage(app, page, 'goals');
    await page.getByRole('button', { name: 'Tell IT' }).click();
    const dialog = page.getByRole('dialog', { name: 'Tell IT' });
    await dialog.waitFor();
    expect(await dialog.getByTestId('tell-it-page').innerText()).toBe('/#/goals');
    // The warning against patient details is the text box's description.
    const box = dialog.getByLabel('In your words');
    const hint = page.locator(`[id="${await box.getAttribute('aria-describedby')}"]`);
    expect(await hint.innerText()).toMatch(/^Do not type patient details/);
    await checkPage(page, 'clinician-tell-it');
    await shot(page, 'tell-it');
    await dialog.getByLabel(/^Problem/).check();
    await box.fill(TEXT);
    await dialog.getByLabel(/^Private/).check();
    await dialog.getByRole('button', { name: 'Send to IT' }).click();
    await dialog.getByTestId('tell-it-sent').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // Focus returns to the control that opened it.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Tell IT');

    await openPage(app, page, 'feedback');
    const row = page.locator('ul.feedback-list > li', { hasText: 'discharge letter' });
    expect(await row.getAttribute('data-state')).toBe('new');
    await checkPage(page, 'clinician-my-feedback');
    await page.context().close();
  });

  test('phone, 390 px: the Tell IT dialog fits', async () => {
    const page = await signInPhone(app.sys.account('clinician', 1));
    await openPage(app, page, 'me');
    await page.getByRole('button', { name: 'Tell IT' }).click();
    const dialog = page.getByRole('dialog', { name: 'Tell IT' });
    await dialog.waitFor();
    const r = await sideways(page);
    expect(r.scroll, `Tell IT at 390 px: ${r.wide.join('; ')}`).toBeLessThanOrEqual(r.width);
    const box = await dialog.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'phone-tell-it', false);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.context().close();
  });

  test('IT triages and answers it on the board; the clocks stand against their targets', async () => {
    now = new Date('2026-02-11T11:30:00Z');
    const page = await signIn(app, it);
    expect(await navLinks(page)).toEqual(
      expect.arrayContaining(['Goals', 'Triage', 'IT dashboard']),
    );
    expect(await navLinks(page)).not.toContain('My report');
    await openPage(app, page, 'triage');
    const row = page.locator('tr', { hasText: 'discharge letter' });
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('new');
    await checkPage(page, 'it-triage-board');
    await shot(page, 'triage-board');
    await row.getByRole('link').click();
    await page.getByRole('heading', { level: 2, name: 'Triage' }).waitFor();
    // The first-response clock runs against the normal target until a priority is set.
    const clocks = page.locator('ul.clocks > li');
    expect(await clocks.first().innerText()).toMatch(
      /^First response: .* of a target of 2\.0 business days — /,
    );
    await checkPage(page, 'it-triage-item');

    const form = page.getByRole('form', { name: 'Triage' });
    await form.getByLabel('Move to').selectOption('triaged');
    await form.getByLabel(/^Priority/).selectOption('high');
    await form.getByRole('button', { name: 'Me' }).click();
    await form.getByLabel('Note or answer').fill('Thank you — we can reproduce it and are on it.');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('feedback-state').innerText()).toBe('Triaged');
    // The public answer stopped the first-response clock, timed against the high target.
    expect(await clocks.first().innerText()).toMatch(
      /^First response: .* of a target of 9\.0 business hours — within its target\.$/,
    );

    await form.getByLabel('Move to').selectOption('done');
    await form
      .getByLabel('Answer to the author (needed)')
      .fill('Fixed: the template now keeps lists as they are pasted.');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('feedback-state').innerText()).toBe('Done');
    // Every change kept, oldest first (the events of one change in the server's order).
    const history = (await page.locator('ol.history > li').allInnerTexts()).map((h) =>
      h.replace(/^\S+ \S+ · /, ''),
    );
    expect(history[0]).toMatch(/: sent$/);
    const at = (re: RegExp) => history.findIndex((h) => re.test(h));
    for (const re of [/^it\.triage: priority high/, /^it\.triage: assigned to it\.triage/])
      expect(at(re), String(re)).toBeGreaterThan(0);
    expect(at(/New → Triaged/)).toBeGreaterThan(0);
    expect(at(/Triaged → Done/)).toBeGreaterThan(at(/New → Triaged/));
    expect(history.join('\n')).toMatch(/Thank you — we can reproduce it[\s\S]*Fixed: the template/);
    await checkPage(page, 'it-triage-done');
    await shot(page, 'triage-item');

    await openPage(app, page, 'it-dashboard?from=2026-01-01&to=2026-03-01');
    const table = page.getByRole('region', { name: /^Table: Feedback figures per unit/ });
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBeGreaterThanOrEqual(1);
    await page.locator('[data-chart] svg').first().waitFor();
    await checkPage(page, 'it-dashboard');
    await shot(page, 'it-dashboard');
    await page.context().close();
  });

  test('the clinician sees the notice under the bell and answers "did this help?" once', async () => {
    const page = await signIn(app, app.sys.account('clinician', 0));
    const badge = page.getByTestId('notices-unread');
    await badge.waitFor();
    expect(Number((await badge.innerText()).replace(/\D/g, ''))).toBeGreaterThanOrEqual(2);
    await page.getByTestId('bell').click();
    await page.getByRole('heading', { level: 1, name: 'Notices' }).waitFor();
    await page.locator('li[data-notice="feedback_rate"]').waitFor();
    expect(await page.locator('li[data-notice="feedback_state"]').count()).toBeGreaterThanOrEqual(
      1,
    );
    await checkPage(page, 'clinician-notices');

    await openPage(app, page, 'feedback');
    const row = page.locator('ul.feedback-list > li', { hasText: 'discharge letter' });
    expect(await row.getAttribute('data-state')).toBe('done');
    const ask = row.getByTestId('did-it-help');
    await ask.waitFor();
    await checkPage(page, 'clinician-did-it-help');
    await shot(page, 'did-it-help');
    await ask.getByRole('button', { name: 'Yes, it helped' }).click();
    await ask.waitFor({ state: 'detached' });
    // Asked once: not again on the item's page.
    await row.getByRole('link').click();
    await page.getByTestId('feedback-state').waitFor();
    expect(await page.getByTestId('did-it-help').count()).toBe(0);
    expect(await page.locator('ol.history').innerText()).toMatch(/said it helped/);
    await checkPage(page, 'clinician-feedback-item');
    // Done, the unit's "You asked, we did" on My report counts it — a private item, never shown.
    await openPage(app, page, 'me');
    const weDid = page.locator('section', {
      has: page.getByRole('heading', { name: /^You asked, we did: / }),
    });
    expect(await weDid.getByTestId('private-done').innerText()).toBe(
      '1 private item of the unit is done (counted, never shown: only their authors and IT read them).',
    );
    expect(await weDid.innerText()).not.toMatch(/discharge letter/);
    await openPage(app, page, 'notices');
    await page.getByRole('button', { name: 'Mark all as read' }).click();
    await badge.waitFor({ state: 'detached' });
    await page.context().close();
  });

  test('a colleague says "me too" on an item shared with the unit; IT merges it as a duplicate', async () => {
    const author = await login(app.sys.app, app.sys.account('clinician', 0));
    const shared = await call(app.sys.app, author, 'POST', '/api/feedback', {
      payload: {
        kind: 'idea',
        text: 'Pool the inbox at night across the unit.',
        visibility: 'unit',
      },
    });
    expect(shared.statusCode, shared.body).toBe(201);
    const sharedId = (shared.json() as { id: string }).id;
    const other = await login(app.sys.app, voter);
    const original = await call(app.sys.app, other, 'POST', '/api/feedback', {
      payload: {
        kind: 'idea',
        text: 'A night inbox pool for the unit, please.',
        visibility: 'private',
      },
    });
    expect(original.statusCode, original.body).toBe(201);
    const originalId = (original.json() as { id: string }).id;

    const page = await signIn(app, voter);
    await openPage(app, page, 'feedback');
    const unit = page.locator('section', {
      has: page.getByRole('heading', { name: 'Shared by my unit' }),
    });
    const row = unit.locator(`li[data-feedback="${sharedId}"]`);
    await row.getByRole('button', { name: 'Me too (0)' }).click();
    const voted = row.getByRole('button', { name: 'Me too (1)' });
    await voted.waitFor();
    expect(await voted.getAttribute('aria-pressed')).toBe('true');
    await checkPage(page, 'voter-unit-feedback');
    await page.context().close();

    const triage = await signIn(app, it);
    await openPage(app, triage, `triage/${sharedId}`);
    const merge = triage.getByRole('form', { name: 'Merge as a duplicate' });
    await merge.getByLabel('Duplicate of').selectOption(originalId);
    await merge.getByLabel(/^Why it is a duplicate/).fill('The same request as an earlier one.');
    await merge.getByRole('button', { name: 'Merge' }).click();
    await expect.poll(() => triage.getByTestId('feedback-state').innerText()).toBe('Duplicate');
    // Its "me too" moved to the original.
    await openPage(app, triage, `triage/${originalId}`);
    expect(await triage.locator('.goal-status-line').innerText()).toMatch(/1 “me too”/);
    await triage.context().close();
  });

  test('Settings: holidays, clock targets and goal rules', async () => {
    const page = await signIn(app, app.sys.account('admin'));
    await openPage(app, page, 'settings');
    const section = page.locator('section', {
      has: page.getByRole('heading', { name: 'Goals, feedback to IT and surveys' }),
    });
    await section.getByLabel('Add a holiday').fill('2026-12-25');
    await section.getByRole('button', { name: 'Add', exact: true }).click();
    await section.getByRole('button', { name: 'Save holidays' }).click();
    await section.getByText('Holidays saved.').waitFor();
    expect(await section.getByLabel('Votes needed').inputValue()).toBe('2');
    await checkPage(page, 'admin-settings-program');
    await shot(page, 'settings');
    // (The session of the test's start has expired on the server's clock since: a new one.)
    const r = await call(
      app.sys.app,
      await login(app.sys.app, app.sys.account('admin')),
      'GET',
      '/api/settings',
    );
    expect((r.json() as { holidays: string[] }).holidays).toContain('2026-12-25');
    await page.context().close();
  });

  test('no console error or page error', () => {
    expect(app.problems).toEqual([]);
  });
});
