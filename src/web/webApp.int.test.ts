/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The web app in a real browser: the app is built with Vite, the real server (`buildServer`) serves
 * it over a generated and imported health system with the demo accounts, and Debian's Chromium
 * (driven by playwright-core) signs in as each role. Each page is checked for its numbers (against
 * the API), its charts, what the role must not see, keyboard use, axe-core (no serious or critical
 * violations), patient identifiers (none) and the Content Security Policy (no violation); a
 * screenshot of each page goes to test-output/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import axe from 'axe-core';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { parseTool, saveTool } from '../analysis/tools.ts';
import { buildEvaluationFixture } from '../analysis/evaluationFixture.ts';
import { setSetting } from '../store/settings.ts';
import { call, login, testSystem, TEST_DIR, type TestSystem } from '../server/testSystem.ts';
import type { DemoAccount } from '../server/demoAccounts.ts';
import { SSO_FAILURES } from '../model/ssoFailures.ts';

const CHROMIUM = process.env['UPTAKE_CHROMIUM'] ?? '/usr/bin/chromium';
const SHOTS = 'test-output/screenshots';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Raw patient, encounter and appointment identifiers of the generator look like these. */
const RAW_ID = /\b[pac]\d{6,8}\b/;

let sys: TestSystem;
let base = '';
let browser: Browser;
let webOut = '';
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not at ${CHROMIUM}: install it (apt-get install -y chromium) or set UPTAKE_CHROMIUM`,
    );
  mkdirSync(join(ROOT, SHOTS), { recursive: true });
  webOut = mkdtempSync(join(tmpdir(), 'uptake-web-'));
  const [, b] = await Promise.all([
    build({
      root: join(ROOT, 'web'),
      configFile: join(ROOT, 'web/vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: webOut, emptyOutDir: true },
    }),
    chromium.launch({
      executablePath: CHROMIUM,
      // Playwright gives every launch a fresh, temporary --user-data-dir of its own.
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }),
  ]);
  browser = b;
  sys = await testSystem(
    { name: 'duckdb', open: () => DuckDBStore.open(':memory:') },
    { webDir: webOut, warmCache: true },
  );
  base = await sys.app.listen({ port: 0, host: '127.0.0.1' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await sys?.close();
  if (webOut) rmSync(webOut, { recursive: true, force: true });
  rmSync(TEST_DIR, { recursive: true, force: true });
});

/** A fresh browser context signed in as `a`, with console errors and CSP violations recorded. */
async function signIn(a: DemoAccount, checkLogin = false, at = base): Promise<Page> {
  const ctx = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    reducedMotion: 'reduce',
  });
  const page = await ctx.newPage();
  page.on('console', (m) => {
    // A 401 before signing in and the 403s the tests provoke are expected answers, not faults.
    if (m.type() === 'error' && !/status of 40[13]/.test(m.text()))
      problems.push(`${a.username}: console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${a.username}: page error: ${e.message}`));
  await page.goto(`${at}/`);
  if (checkLogin) {
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.locator('main').innerText()).not.toMatch(/session has ended/);
    await page.screenshot({ path: join(ROOT, SHOTS, 'sign-in.png') });
    await checkPage(page, 'sign-in');
  }
  await page.getByLabel('User name').fill(a.username);
  await page.getByLabel('Password').fill(a.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

/** Open `#/route`, wait for its data and charts, check it, and save a screenshot. */
async function open(page: Page, route: string, shot: string, at = base): Promise<void> {
  await page.goto(`${at}/#/${route}`);
  await settle(page);
  await page.screenshot({ path: join(ROOT, SHOTS, `${shot}.png`), fullPage: true });
  await checkPage(page, shot);
}

async function settle(page: Page): Promise<void> {
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('.loading'), null, { timeout: 60_000 });
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-chart]')].every((el) => el.querySelector('svg')),
  );
}

/** axe-core in the page (WCAG 2.1 A/AA and best practice), raw identifiers, landmarks. */
async function checkPage(page: Page, name: string): Promise<void> {
  // Every text and attribute of the page, but not chart geometry (path data is all numbers).
  const text = await page.evaluate(() => {
    const parts = [document.title, document.body.innerText];
    for (const el of document.querySelectorAll('*'))
      for (const at of el.attributes)
        if (!['d', 'points', 'transform', 'viewBox'].includes(at.name)) parts.push(at.value);
    return parts.join('\n');
  });
  expect(RAW_ID.exec(text)?.[0], `${name}: a raw patient/encounter/appointment identifier`).toBe(
    undefined,
  );
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const w = window as unknown as { axe: typeof axe };
    const r = await w.axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      },
    });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(violations, `${name}: axe`).toEqual([]);
  expect(await page.locator('main').count()).toBe(1);
}

async function apiJson<T>(page: Page, path: string): Promise<{ status: number; body: T }> {
  return page.evaluate(async (p) => {
    const r = await fetch(p);
    return { status: r.status, body: (await r.json()) as T };
  }, path);
}

async function navLinks(page: Page): Promise<string[]> {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
}

async function showTable(page: Page, figureTitle: string): Promise<string[][]> {
  const fig = page.locator('figure', { hasText: figureTitle }).first();
  await fig.getByRole('button', { name: 'Show data table' }).click();
  return fig
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent ?? '')),
    );
}

const two = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(2));

interface GroupRow {
  group: string;
  period_start: string;
  n: number | null;
  suppressed: boolean;
  ehr_time8_median: number | null;
}

describe('web app in Chromium', () => {
  test('clinician: only their own report, with their numbers beside their peers', async () => {
    const a = sys.account('clinician', 0);
    const other = sys.account('clinician', 1);
    const page = await signIn(a, true);
    expect(await navLinks(page)).toEqual(['My report']);
    // Signed in: focus is on the page's heading.
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await open(page, 'me', 'clinician-my-report');
    expect(await page.locator('main h1').innerText()).toBe('My report');

    const { body: r } = await apiJson<{
      me: Record<string, number | null>;
      suggestions: unknown[];
      peers: { suppressed: boolean };
    }>(page, '/api/me/report');
    for (const m of ['ehr_time8', 'wow8', 'ib_time8', 'note_time8', 'after_hours8'])
      expect(await page.getByTestId(`my-${m}`).innerText(), m).toBe(two(r.me[m]));
    const ua = r.me['undivided_attention'];
    expect(await page.getByTestId('my-undivided_attention').innerText()).toBe(
      ua === null || ua === undefined ? '—' : `${(ua * 100).toFixed(0)}%`,
    );
    // Each metric: a peer plot (unless peers are suppressed) and a weekly trend.
    expect(await page.locator('[data-chart]').count()).toBe(r.peers.suppressed ? 6 : 12);
    expect(await page.locator('.suggestions > li').count()).toBe(Math.min(3, r.suggestions.length));
    expect(await page.locator('.about').innerText()).toMatch(/Computed with: time zone /);
    // Nobody else's identity is on the page.
    expect(await page.content()).not.toContain(other.clinician_id!);

    // Forbidden: the organisation, groups, another clinician's report — in the app and the API.
    await page.goto(`${base}/#/org`);
    await expect.poll(() => page.locator('main h1').innerText()).toBe('Not available');
    expect(await page.locator('.kpi, [data-chart]').count()).toBe(0);
    expect((await apiJson(page, '/api/org')).status).toBe(403);
    expect((await apiJson(page, '/api/groups/department/x')).status).toBe(403);
    expect((await apiJson(page, `/api/me/report?user_id=${other.clinician_id}`)).status).toBe(403);
    expect((await apiJson(page, '/api/access-log')).status).toBe(403);
    await page.context().close();
  });

  test('leader: the organisation page shows only their departments; other groups are refused', async () => {
    const a = sys.account('leader');
    const mine = a.groups.map((g) => g.value).sort();
    const page = await signIn(a);
    expect(await navLinks(page)).toEqual(['Organisation', 'Groups', 'Adoption', 'Go-live']);
    await open(page, 'org', 'leader-organisation');
    expect(await page.locator('main h1').innerText()).toBe('Organisation');

    const { body: org } = await apiJson<{ weekly: GroupRow[]; departments: GroupRow[] }>(
      page,
      '/api/org',
    );
    const last = org.weekly.filter((w) => !w.suppressed && (w.n ?? 0) > 0).at(-1);
    expect(await page.getByTestId('kpi-ehr_time8').innerText()).toBe(two(last?.ehr_time8_median));
    // 5 weekly trends, clinicians per week, departments, department × week, changes.
    expect(await page.locator('[data-chart]').count()).toBe(9);
    const depts = await showTable(page, 'by department, ');
    expect(depts.map((r) => r[0]!.replace(/ — suppressed.*/, '')).sort()).toEqual(mine);
    for (const d of org.departments.filter((x) => !x.suppressed))
      expect(depts.find((r) => r[0] === d.group)?.[2]).toBe(two(d.ehr_time8_median));

    await open(page, `groups/department/${encodeURIComponent(mine[0]!)}`, 'leader-group');
    const { body: g } = await apiJson<{ n: number | null; suppressed: boolean }>(
      page,
      `/api/groups/department/${encodeURIComponent(mine[0]!)}`,
    );
    if (!g.suppressed) expect(await page.getByTestId('group-n').innerText()).toBe(String(g.n));
    const options = await page.getByLabel('Group').locator('option').allInnerTexts();
    expect(options.sort()).toEqual(mine);

    // A department that is not theirs: refused, no numbers.
    const others = (
      await sys.store.all<{ d: string }>(
        `SELECT DISTINCT department AS d FROM clinicians WHERE department IS NOT NULL ORDER BY 1`,
      )
    )
      .map((r) => r.d)
      .filter((d) => !mine.includes(d));
    await page.goto(`${base}/#/groups/department/${encodeURIComponent(others[0]!)}`);
    await page.locator('[data-error-status="403"]').waitFor();
    expect(await page.locator('.kpi, [data-chart]').count()).toBe(0);
    await page.goto(`${base}/#/settings`);
    await expect.poll(() => page.locator('main h1').innerText()).toBe('Not available');
    expect((await apiJson(page, '/api/settings')).status).toBe(403);
    await page.context().close();
  });

  test('suppressed groups show "suppressed (fewer than N clinicians)" and no number', async () => {
    const a = sys.account('leader');
    const dept = a.groups[0]!.value;
    const admin = await login(sys.app, sys.account('admin'));
    const g0 = (
      await call(sys.app, admin, 'GET', `/api/groups/department/${encodeURIComponent(dept)}`)
    ).json() as { n: number };
    const threshold = g0.n + 1;
    const put = (t: number) =>
      call(sys.app, admin, 'PUT', '/api/settings', { payload: { suppression_threshold: t } });
    expect((await put(threshold)).statusCode).toBe(200);
    try {
      const page = await signIn(a);
      await open(page, `groups/department/${encodeURIComponent(dept)}`, 'leader-group-suppressed');
      expect(await page.locator('main').innerText()).toContain(
        `suppressed (fewer than ${threshold} clinicians, or would reveal such a group)`,
      );
      expect(await page.locator('.kpi, [data-chart], [data-testid="group-n"]').count()).toBe(0);
      await open(page, 'org', 'leader-organisation-suppressed');
      const rows = await showTable(page, 'by department, ');
      const row = rows.find((r) => r[0]!.startsWith(dept));
      expect(row?.[1]).toBe(
        `suppressed (fewer than ${threshold} clinicians, or would reveal such a group)`,
      );
      expect(row?.slice(2).join('')).toBe('');
      await page.context().close();
    } finally {
      expect((await put(5)).statusCode).toBe(200);
    }
  });

  test('champion: their group and their own report, nothing else', async () => {
    const a = sys.account('champion');
    const page = await signIn(a);
    expect(await navLinks(page)).toEqual(['Groups', 'My report', 'Help requests']);
    await open(page, '', 'champion-group');
    expect(await page.locator('main h1').innerText()).toBe(a.groups[0]!.value);
    await open(page, 'me', 'champion-my-report');
    expect((await apiJson(page, '/api/org')).status).toBe(403);

    // A clinician of the champion's unit asks for help from their report …
    const asker = sys.account('clinician', 1);
    const cp = await signIn(asker);
    await open(cp, 'me', 'clinician-ask-help');
    await cp.getByLabel('Topic', { exact: true }).selectOption('notes');
    await cp.getByLabel('Your question').fill('Is there a shorter template for follow-up visits?');
    await cp.getByRole('button', { name: 'Send' }).click();
    await cp.getByText(/^Sent to .+ \(champion of your department, /).waitFor();
    await cp.getByText('Waiting for an answer').first().waitFor();
    // … the champion sees it (with the asker's name, never their numbers) and answers …
    await open(page, 'help', 'champion-help-requests');
    expect(await page.locator('main h1').innerText()).toBe('Help requests');
    const item = page.locator('ul.help-list > li', { hasText: 'shorter template' });
    expect(await item.locator('h2').innerText()).toContain(asker.about.match(/\(([^,]+),/)![1]!);
    expect(await page.getByTestId('help-summary').innerText()).toMatch(/^1 waiting for an answer/);
    await item.getByLabel('Your answer').fill('Use the SOAP follow-up template; I can show you.');
    await item.getByRole('button', { name: 'Answer', exact: true }).click();
    await page.getByText('Use the SOAP follow-up template').waitFor();
    await checkPage(page, 'champion-help-answered');
    // … and the clinician reads the answer on their report.
    await cp.reload(); // the same #/me: reload for the new data
    await settle(cp);
    await cp.getByText('Use the SOAP follow-up template').waitFor();
    expect(await cp.locator('[data-help="answered"]').count()).toBe(1);
    await cp.context().close();

    // The session ends elsewhere (here: signed out through the API): the next page asks to sign in.
    await page.evaluate(async () => {
      const me = (await (await fetch('/api/me')).json()) as { csrf: string };
      await fetch('/api/logout', { method: 'POST', headers: { 'x-csrf-token': me.csrf } });
    });
    await page.goto(`${base}/#/groups`);
    await page.getByText('Your session has ended. Please sign in again.').waitFor();
    expect(await page.locator('.kpi, [data-chart]').count()).toBe(0);
    await page.context().close();
  });

  test('keyboard: skip link, navigation and controls reachable by Tab, focus always visible', async () => {
    const page = await signIn(sys.account('leader'));
    await page.goto(`${base}/#/org`);
    await settle(page);
    // Start sequential focus navigation at the top of the document, as on a fresh load.
    const fromTop = () =>
      page.evaluate(() => {
        document.body.tabIndex = -1;
        document.body.focus();
        document.body.removeAttribute('tabindex');
      });
    await fromTop();
    const focused = async () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const cs = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        return {
          tag: el.tagName,
          text: (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 40),
          id: el.id,
          // A date input's calendar button takes focus inside the input; its ring (styled by
          // ::-webkit-calendar-picker-indicator:focus-visible) cannot be read from outside.
          outline:
            (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) ||
            (el instanceof HTMLInputElement && el.type === 'date' && !el.matches(':focus')),
          visible: r.width > 0 && r.height > 0 && r.top >= 0,
        };
      });
    await page.keyboard.press('Tab');
    const skip = await focused();
    expect(skip.text).toBe('Skip to main content');
    expect(skip.visible && skip.outline).toBe(true);
    const seen: string[] = [];
    for (let i = 0; i < 16; i++) {
      await page.keyboard.press('Tab');
      const f = await focused();
      expect(f.outline, `focus visible on ${f.tag} ${f.text}`).toBe(true);
      seen.push(f.text || f.tag);
    }
    for (const want of ['Organisation', 'Groups', 'Sign out', 'Show'])
      expect(seen, `Tab reaches ${want}`).toContain(want);
    expect(seen.some((s) => s.startsWith('Show data table'))).toBe(true);

    // The skip link moves focus into the main content.
    await fromTop();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect((await focused()).id).toBe('main');

    // A nav link by keyboard: the new page's heading takes focus.
    const groups = page.getByRole('link', { name: 'Groups' });
    await groups.focus();
    await page.keyboard.press('Enter');
    await settle(page);
    await expect.poll(async () => (await focused()).tag).toBe('H1');

    // A data table opens from the keyboard.
    const toggle = page.locator('figure').first().getByRole('button');
    expect(await toggle.innerText()).toBe('Show data table');
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator('figure').first().locator('table tbody tr').count()).toBeGreaterThan(
      0,
    );
    await page.context().close();
  });

  test('admin: every page, with data, settings, users, access log and an upload', async () => {
    // A refused request, for the access log to show.
    const c = await login(sys.app, sys.account('clinician'));
    expect((await call(sys.app, c, 'GET', '/api/org')).statusCode).toBe(403);
    const page = await signIn(sys.account('admin'));
    expect(await navLinks(page)).toEqual([
      'Organisation',
      'Groups',
      'Adoption',
      'Go-live',
      'Help requests',
      'Data',
      'Settings',
      'Access log',
    ]);
    await open(page, 'help', 'admin-help-requests');
    await page.getByTestId('coverage-summary').waitFor();
    expect(await page.getByTestId('coverage-summary').innerText()).toMatch(
      /^1 of \d+ departments have a champion; without one: /,
    );
    await open(page, 'org', 'admin-organisation');
    const { body: org } = await apiJson<{ departments: GroupRow[] }>(page, '/api/org');
    const depts = await showTable(page, 'by department, ');
    expect(depts.length).toBe(org.departments.length);
    // An administrator sees every number, suppressed groups marked as such.
    for (const d of org.departments)
      expect(depts.find((r) => r[0]!.startsWith(d.group))?.[2]).toBe(two(d.ehr_time8_median));

    await open(page, 'groups', 'admin-group');
    expect(await page.locator('[data-chart]').count()).toBe(2);

    await open(page, 'data', 'admin-data');
    const imports = await page.locator('table tbody tr').count();
    expect(imports).toBe(4);
    await open(page, 'data/1', 'admin-import');
    expect(await page.locator('main').innerText()).toContain('Rejected rows');

    await open(page, 'settings', 'admin-settings');
    expect(await page.getByLabel('Suppression threshold').inputValue()).toBe('5');
    const users = await page.locator('table tbody th').allInnerTexts();
    for (const acc of sys.accounts) expect(users).toContain(acc.username);
    // Change an account: the form opens with its role and group; a new password is shown once
    // and works.
    await page.getByRole('button', { name: 'Edit champion' }).click();
    await page.getByRole('heading', { name: 'Change champion' }).waitFor();
    expect(await page.getByLabel('Role', { exact: true }).inputValue()).toBe('champion');
    expect(await page.getByLabel('Group', { exact: true }).inputValue()).toBe(
      sys.account('champion').groups[0]!.value,
    );
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Add a user' }).waitFor();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'New password for champion' }).click();
    const said = await page.getByText(/^New password for champion: /).innerText();
    const fresh = /: (\S+) —/.exec(said)![1]!;
    await login(sys.app, { username: 'champion', password: fresh });
    await checkPage(page, 'admin-settings-users');

    await open(page, 'access-log', 'admin-access-log');
    const log = await page.locator('main table').innerText();
    expect(log).toMatch(/\brefused\b/);

    // The download link follows the choices; the browser's session fetches the file.
    await page.goto(`${base}/#/data`);
    await settle(page);
    await page.getByLabel('Table to download').selectOption('orders');
    await page.getByLabel('File format').selectOption('csv');
    const link = page.getByRole('link', { name: 'Download orders.csv' });
    expect(await link.getAttribute('href')).toBe('/api/export/orders?format=csv');
    const head = await page.evaluate(
      async () => (await (await fetch('/api/export/orders?format=csv')).text()).split('\n')[0],
    );
    expect(head).toBe('order_id,user_id,signed_at,entered_by,order_type,patient_id');

    // Upload a small roster file through the page: the import's report appears.
    await page.goto(`${base}/#/data`);
    await settle(page);
    const roster = readFileSync(sys.gen.files.clinicians, 'utf8')
      .split('\n')
      .slice(0, 3)
      .join('\n');
    await page.getByLabel('Table', { exact: true }).selectOption('clinicians');
    await page.getByLabel('File', { exact: true }).setInputFiles({
      name: 'roster part.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${roster}\nu9999,,Nobody,,,,\n`),
    });
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByText('Imported into clinicians').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator('table tbody tr').count()).toBe(5);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();
    expect((await apiJson(page, '/api/me')).status).toBe(401);
    await page.context().close();
  });

  test('admin: adoption and go-live pages, with a chart and the effect (or why there is none)', async () => {
    const g = sys.gen.goLive;
    await saveTool(
      sys.store,
      parseTool({
        name: g.tool,
        actions: g.actions,
        golives: g.departments.map((d) => ({ group_by: 'department', group: d, date: g.date })),
      }),
    );
    const page = await signIn(sys.account('admin'));
    await open(page, 'adoption', 'admin-adoption');
    expect(await page.locator('main h1').innerText()).toBe('Adoption');
    expect(await page.getByLabel('Tool').inputValue()).toBe(g.tool);
    expect(await page.locator('[data-chart] svg').count()).toBeGreaterThan(0);
    const funnel = await showTable(page, 'Adoption funnel');
    expect(funnel.length).toBeGreaterThan(0);
    expect(await page.locator('.stage-list dt').allInnerTexts()).toEqual([
      'Eligible',
      'Trained',
      'First use',
      'Weekly active',
      'Habitual',
    ]);

    await open(page, 'golive', 'admin-golive');
    expect(await page.locator('main h1').innerText()).toBe('Go-live');
    expect(await page.getByLabel('Metric').inputValue()).toBe('ehr_time8');
    const groups = page.locator('.golive-group');
    expect(await groups.count()).toBeGreaterThan(0);
    expect(await page.locator('.golive-group [data-chart] svg').count()).toBeGreaterThan(0);
    const effects = await page.locator('.golive-group .effects').first().innerText();
    expect(effects).toMatch(
      /EHR-Time8 (fell|rose) by [\d.]+ hours per 8 scheduled hours \(95% CI [-\d.]+ to [-\d.]+\) after go-live|EHR-Time8 changed by .* consistent with no change|Not enough data for the interrupted time series: \S+/,
    );
    expect(await page.locator('section[aria-labelledby="assumptions"] li').count()).toBeGreaterThan(
      0,
    );
    await page.context().close();
  });

  test('admin: the go-live page draws the fitted time series and states the known effect', async () => {
    // The hand-built system of evaluationFixture.ts: IB-Time8 drops by 0.2 at go-live in A and B.
    const fx = await testSystem(
      { name: 'duckdb', open: () => DuckDBStore.open(':memory:') },
      {
        webDir: webOut,
        load: async (store) => {
          await buildEvaluationFixture(store);
          await setSetting(store, 'timezone', 'UTC');
        },
      },
    );
    try {
      const at = await fx.app.listen({ port: 0, host: '127.0.0.1' });
      const page = await signIn(fx.account('admin'), false, at);
      await page.goto(`${at}/#/golive`);
      await settle(page);
      await page.getByLabel('Metric').selectOption('ib_time8');
      await page.getByText('IB-Time8 in A before and after go-live').first().waitFor();
      await settle(page);
      await page.screenshot({
        path: join(ROOT, SHOTS, 'admin-golive-fitted.png'),
        fullPage: true,
      });
      await checkPage(page, 'admin-golive-fitted');
      const a = page.locator('.golive-group', {
        has: page.getByRole('heading', { name: /^A, live/ }),
      });
      expect(await a.locator('.effects').innerText()).toMatch(
        /IB-Time8 fell by 0\.\d+ hours per 8 scheduled hours \(95% CI [\d.]+ to [\d.]+\) after go-live\./,
      );
      expect(await a.locator('figure').innerText()).toMatch(
        /Solid lines: the interrupted time series/,
      );
      // A and B went live in the same week: their pooled estimate is shown too.
      const wave = page.locator('[data-wave]');
      expect(await wave.count()).toBe(1);
      expect(await wave.innerText()).toMatch(/wave 2026-03-16 \(A, B\), 6 clinicians/);
      expect(await wave.innerText()).toMatch(/IB-Time8 fell by 0\.\d+ hours per 8 scheduled hours/);
      // The legend names the three model lines (ECharts draws legend text into the SVG).
      const svgText = await a.locator('[data-chart] svg').first().textContent();
      expect(svgText).toContain('Fitted trend before go-live');
      expect(svgText).toContain('Expected without go-live');
      const table = await showTable(page, 'IB-Time8 in A before and after go-live');
      expect(table).toHaveLength(19); // the data end on Monday 2026-05-18: 19 whole weeks
      // Weeks before go-live have a fitted value and no projection; weeks after have both.
      expect(table[0]![3]).toBe('before');
      expect(table[0]![5]).toBe('–');
      expect(table[15]![3]).toBe('after');
      expect(Number(table[15]![5]) - Number(table[15]![4])).toBeGreaterThan(0.1);
      await page.context().close();
    } finally {
      await fx.close();
    }
  });

  test('sign-in page: says why a single sign-on failed in fixed words only; no SSO button where none is set up', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${base}/#/?sso_error=no_account`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toBe(
      `Single sign-on did not work. ${SSO_FAILURES.no_account}`,
    );
    // Text of a crafted link is never shown: only the generic fixed message.
    const bait = 'Your account is locked. Call +1 555 0100 with your password';
    await page.goto(`${base}/#/?sso_error=${encodeURIComponent(bait)}`);
    await page.reload();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toBe(
      `Single sign-on did not work. ${SSO_FAILURES.failed}`,
    );
    expect(await page.locator('body').innerText()).not.toContain('555');
    expect(await page.getByRole('link', { name: /^Sign in with/ }).count()).toBe(0);
    await checkPage(page, 'sign-in-sso-error');
    await ctx.close();
  });

  test('no console error, page error or Content-Security-Policy violation', () => {
    expect(problems).toEqual([]);
  });
});
