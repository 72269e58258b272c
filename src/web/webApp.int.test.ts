/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The web app in a real browser: the app is built with Vite, the real server (`buildServer`) serves
 * it over a generated and imported health system with the demo accounts, and Debian's Chromium
 * (driven by playwright-core) signs in as each role. Each page is checked for its numbers (against
 * the API), its charts, what the role must not see, keyboard use, axe-core (no serious or critical
 * violations), patient identifiers (none) and the Content Security Policy (no violation); a
 * screenshot of each page goes to test-output/screenshots/. Also: a new date range never shows the
 * old range's numbers while it loads, and the URL drives the date fields (Back, Forward); go-lives
 * are marked on every trend chart, whose axes start at zero; no page scrolls sideways on a 390 px
 * phone; tables and charts download as CSV and PNG; My report prints; times carry the
 * organisation's zone; the built files go out compressed and cached.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { parseTool, parseToolsFile, saveTool } from '../analysis/tools.ts';
import { buildEvaluationFixture } from '../testing/evaluationFixture.ts';
import { setSetting } from '../store/settings.ts';
import { call, login, testSystem, removeTestDir, type TestSystem } from '../testing/testSystem.ts';
import type { DemoAccount } from '../admin/demoAccounts.ts';
import { SSO_FAILURES } from '../model/ssoFailures.ts';
import {
  buildWebApp,
  checkPage as checkPageShared,
  launchChromium,
  settle,
} from '../testing/browserTesting.ts';

const SHOTS = 'test-output/screenshots';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let sys: TestSystem;
/** While set, the server's day table waits before taking an import in (to see the pages meanwhile). */
let hold: Promise<void> | null = null;
let base = '';
let browser: Browser;
let webOut = '';
const problems: string[] = [];

beforeAll(async () => {
  mkdirSync(join(ROOT, SHOTS), { recursive: true });
  [webOut, browser] = await Promise.all([buildWebApp(), launchChromium()]);
  sys = await testSystem(
    { name: 'duckdb', open: () => DuckDBStore.open(':memory:') },
    { webDir: webOut, warmCache: true, beforeDayRefresh: () => hold ?? Promise.resolve() },
  );
  // The generated tool goes live in some departments halfway through the data.
  const g = sys.gen.goLive;
  await saveTool(
    sys.store,
    parseTool({
      name: g.tool,
      actions: g.actions,
      golives: g.departments.map((d) => ({ group_by: 'department', group: d, date: g.date })),
    }),
  );
  base = await sys.app.listen({ port: 0, host: '127.0.0.1' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await sys?.close();
  if (webOut) rmSync(webOut, { recursive: true, force: true });
  removeTestDir();
});

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

/** A fresh browser context signed in as `a`, with console errors and CSP violations recorded. */
async function signIn(
  a: DemoAccount,
  checkLogin = false,
  at = base,
  viewport = DESKTOP,
): Promise<Page> {
  const ctx = await browser.newContext({
    viewport,
    reducedMotion: 'reduce',
    acceptDownloads: true,
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

/** The shared checks, and one `main` landmark per page. */
async function checkPage(page: Page, name: string): Promise<void> {
  await checkPageShared(page, name);
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

const DAY = 86_400_000;
const addDays = (d: string, n: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
/** The Monday on or before `d`. */
const monday = (d: string) => addDays(d, -((new Date(`${d}T00:00:00Z`).getUTCDay() + 6) % 7));
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const dayWords = (d: string) => `${Number(d.slice(8))} ${MONTHS[Number(d.slice(5, 7)) - 1]}`;
/** First and last day included, as the page writes them: "5 Jan – 25 Jan 2026". */
const words = (first: string, last: string) =>
  first === last
    ? `${dayWords(first)} ${first.slice(0, 4)}`
    : first.slice(0, 4) === last.slice(0, 4)
      ? `${dayWords(first)} – ${dayWords(last)} ${last.slice(0, 4)}`
      : `${dayWords(first)} ${first.slice(0, 4)} – ${dayWords(last)} ${last.slice(0, 4)}`;
/** An instant of the API as "YYYY-MM-DD HH:MM" in zone `tz`. */
const inZone = (iso: string, tz: string) => {
  let t = iso.trim().replace(' ', 'T');
  if (/[+-]\d\d$/.test(t.slice(11))) t += ':00';
  else if (!/[zZ]$|[+-]\d\d:?\d\d$/.test(t.slice(11))) t += 'Z';
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(t));
};

async function deptOf(a: DemoAccount): Promise<string> {
  const [r] = await sys.store.all<{ d: string }>(
    `SELECT department AS d FROM clinicians WHERE user_id = $1`,
    [a.clinician_id],
  );
  return r!.d;
}

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
    expect(await navLinks(page)).toEqual(['My report', 'Goals', 'My feedback']);
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
    // Each metric: a peer plot (unless peers are suppressed) and a weekly trend ("My patients"
    // has its own chart, tested in patients.int.test.ts).
    expect(await page.locator('[data-chart]:not([data-testid="my-patients"] *)').count()).toBe(
      r.peers.suppressed ? 6 : 12,
    );
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
    expect(await navLinks(page)).toEqual([
      'Organisation',
      'Groups',
      'Adoption',
      'Go-live',
      'Patients',
      'Goals',
      'Surveys',
      'My feedback',
    ]);
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
    expect(await navLinks(page)).toEqual([
      'Groups',
      'My report',
      'Goals',
      'Surveys',
      'Help requests',
      'My feedback',
    ]);
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
    // The header's links and controls (Goals, My feedback, Notices, Tell IT, …) come first.
    for (let i = 0; i < 48; i++) {
      await page.keyboard.press('Tab');
      const f = await focused();
      expect(f.outline, `focus visible on ${f.tag} ${f.text}`).toBe(true);
      seen.push(f.text || f.tag);
    }
    for (const want of ['Organisation', 'Groups', 'Sign out', 'Show', 'Last 4 weeks', 'All data'])
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
    const toggle = page
      .locator('figure')
      .first()
      .getByRole('button', { name: /data table$/ });
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
      'Patients',
      'Goals',
      'Surveys',
      'Help requests',
      'My feedback',
      'Triage',
      'IT dashboard',
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
    await page.getByRole('button', { name: 'Import', exact: true }).click();
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

    // The demo's definition (the generator's tools.json) names the metric the tool is meant to
    // move: the page opens on it (issue 11, item 13).
    const [demo] = parseToolsFile(
      JSON.parse(readFileSync(sys.gen.training!.tools, 'utf8')),
      'tools.json',
    );
    expect(demo).toMatchObject({ name: g.tool, target_metric: 'note_time8' });
    await saveTool(sys.store, demo!);
    try {
      await page.reload();
      await settle(page);
      expect(await page.getByLabel('Metric').inputValue()).toBe('note_time8');
      expect(await page.locator('.golive-group .effects').first().innerText()).toMatch(
        /Note-Time8 (fell|rose) by [\d.]+ hours per 8 scheduled hours|Note-Time8 changed by .* consistent with no change|Not enough data for the interrupted time series: \S+/,
      );
    } finally {
      await saveTool(
        sys.store,
        parseTool({
          name: g.tool,
          actions: g.actions,
          golives: g.departments.map((d) => ({ group_by: 'department', group: d, date: g.date })),
        }),
      );
    }
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

  test('a new range: while it loads no old number shows; the URL drives the date fields (Back, Forward)', async () => {
    const page = await signIn(sys.account('admin'));
    await page.goto(`${base}/#/org`);
    await settle(page);
    const { body: meta } = await apiJson<{
      from: string;
      to: string;
      dense: { from: string; to: string };
    }>(page, '/api/meta');
    // The default is the last 12 complete weeks of the dense data: here all three weeks.
    expect(meta).toMatchObject({
      from: sys.gen.from,
      to: sys.gen.to,
      dense: { from: sys.gen.from, to: sys.gen.to },
    });
    const from = page.getByLabel('From', { exact: true });
    const last = page.getByLabel('To (included)');
    // The fields show the URL's range (here the default), `to` as the last day included.
    expect(await from.inputValue()).toBe(meta.from);
    expect(await last.inputValue()).toBe(addDays(meta.to, -1));
    expect(await page.getByTestId('range-words').innerText()).toContain(
      words(meta.from, addDays(meta.to, -1)),
    );
    expect(await page.getByTestId('kpi-ehr_time8').count()).toBe(1);

    // Hold the next organisation answer until the page has been looked at.
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    const asked: string[] = [];
    await page.route('**/api/org?*', async (route) => {
      asked.push(route.request().url());
      await held;
      await route.continue();
    });
    const newFrom = sys.gen.goLive.date;
    await from.fill(newFrom);
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toContain(`from=${newFrom}`);
    // Pending: the new dates are in the URL and the fields, a loading sign shows, and no number
    // (no headline, chart or table) of the old range is left on the page.
    expect(new URL(page.url()).hash).toBe(`#/org?from=${newFrom}&to=${meta.to}`);
    expect(await from.inputValue()).toBe(newFrom);
    expect(await page.getByTestId('range-words').innerText()).toContain(
      words(newFrom, addDays(meta.to, -1)),
    );
    await page.locator('main .loading').waitFor();
    expect(await page.locator('main .kpi, main [data-chart], main table').count()).toBe(0);
    expect(await page.locator('main').innerText()).not.toMatch(/\d\.\d\d/);
    await page.screenshot({ path: join(ROOT, SHOTS, 'admin-organisation-loading.png') });
    release();
    await settle(page);
    await page.unroute('**/api/org?*');
    // The new range's numbers.
    const { body: org } = await apiJson<{ weekly: GroupRow[] }>(
      page,
      `/api/org?from=${newFrom}&to=${meta.to}`,
    );
    const lastWeek = org.weekly.filter((w) => !w.suppressed && (w.n ?? 0) > 0).at(-1);
    expect(org.weekly[0]!.period_start >= newFrom).toBe(true);
    expect(await page.getByTestId('kpi-ehr_time8').innerText()).toBe(
      two(lastWeek?.ehr_time8_median),
    );

    // Back: the previous URL's range, in the fields too; Forward: the new one again.
    await page.goBack();
    await expect.poll(() => from.inputValue()).toBe(meta.from);
    expect(await last.inputValue()).toBe(addDays(meta.to, -1));
    await settle(page);
    await page.goForward();
    await expect.poll(() => from.inputValue()).toBe(newFrom);
    await settle(page);

    // Presets: the last whole weeks (here no more than the data has), since go-live, all data.
    const preset = async (name: string) => {
      await page.getByRole('button', { name, exact: true }).click();
      await settle(page);
      expect(
        await page.getByRole('button', { name, exact: true }).getAttribute('aria-pressed'),
      ).toBe('true');
      const q = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
      return [q.get('from'), q.get('to')];
    };
    const end = monday(meta.to) > meta.from ? monday(meta.to) : meta.to;
    const weeksBack = (n: number) =>
      addDays(end, -7 * n) < meta.from ? meta.from : addDays(end, -7 * n);
    expect(await preset('Last 4 weeks')).toEqual([weeksBack(4), end]);
    expect(await preset('Last 12 weeks')).toEqual([weeksBack(12), end]);
    expect(await preset('Since go-live')).toEqual([sys.gen.goLive.date, meta.to]);
    expect(await from.inputValue()).toBe(sys.gen.goLive.date);
    expect(await preset('All data')).toEqual([meta.dense.from, meta.dense.to]);
    await checkPage(page, 'admin-organisation-presets');
    await page.context().close();
  });

  test('go-lives are marked on every trend chart, and the axes start at zero', async () => {
    const g = sys.gen.goLive;
    const page = await signIn(sys.account('admin'));
    /** The chart of `title`: its SVG text, its accessible name, the numbers among its labels. */
    const chart = async (p: Page, title: string | RegExp) => {
      const c = p.locator('figure', { hasText: title }).first().locator('[data-chart]');
      const texts = await c.locator('svg text').allTextContents();
      return {
        texts,
        label: (await c.getAttribute('aria-label')) ?? '',
        lowest: Math.min(...texts.map(Number).filter((n) => Number.isFinite(n))),
      };
    };

    // Organisation: every weekly trend has the line, its label and the go-live in its table.
    await page.goto(`${base}/#/org`);
    await settle(page);
    for (const t of ['EHR-Time8 — all EHR time', 'Note-Time8 — notes']) {
      const c = await chart(page, t);
      expect(c.texts, t).toContain('go-live');
      expect(c.label).toContain(`Dotted lines mark the go-live of ${g.tool} in`);
      expect(c.lowest, `${t}: the axis starts at 0`).toBe(0);
    }
    const table = await showTable(page, 'EHR-Time8 — all EHR time');
    const goRow = table.find((r) => (r.at(-1) ?? '').includes(g.tool));
    expect(goRow?.at(-1)).toContain(`on ${words(g.date, g.date)}`);
    expect(goRow![0]! <= g.date && g.date < addDays(goRow![0]!, 7)).toBe(true);

    // A live department's page.
    const dept = g.departments[0]!;
    await page.goto(`${base}/#/groups/department/${encodeURIComponent(dept)}`);
    await settle(page);
    const gc = await chart(page, /^Weekly median EHR-Time8 of this group/);
    expect(gc.texts).toContain('go-live');
    expect(gc.lowest).toBe(0);

    // Adoption: weekly active and habitual users.
    await page.goto(`${base}/#/adoption`);
    await settle(page);
    const ac = await chart(page, `Weekly active and habitual users of ${g.tool}`);
    expect(ac.texts).toContain('go-live');
    expect(ac.label).toContain(`Dotted lines mark the go-live of ${g.tool}`);
    expect(ac.lowest).toBe(0);

    // Go-live: the evaluated metric from zero.
    await page.goto(`${base}/#/golive`);
    await settle(page);
    expect((await chart(page, /before and after go-live/)).lowest).toBe(0);
    await page.context().close();

    // My report of a clinician in a live department: the go-live on their weeks' charts.
    const a = sys.account('clinician', 0);
    const mine = await deptOf(a);
    expect(g.departments).toContain(mine);
    const cp = await signIn(a);
    await cp.goto(`${base}/#/me`);
    await settle(cp);
    const spark = await chart(cp, 'EHR-Time8: my weeks');
    expect(spark.texts).toContain('go-live');
    expect(spark.label).toContain(`Dotted lines mark the go-live of ${g.tool} in ${mine} on`);
    expect(spark.lowest).toBe(0);
    await cp.context().close();
  });

  test('phone, 390 px: no page scrolls sideways; My report puts numbers and suggestions first', async () => {
    const sideways = (p: Page) =>
      p.evaluate(() => {
        const w = window.innerWidth;
        const wide = [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > w + 0.5)
          .slice(0, 3)
          .map(
            (el) =>
              `${el.tagName}.${String(el.className)} ${Math.round(el.getBoundingClientRect().right)}`,
          );
        return { scroll: document.scrollingElement!.scrollWidth, width: w, wide };
      });
    const admin = await signIn(sys.account('admin'), false, base, PHONE);
    for (const route of [
      'org',
      'groups',
      'adoption',
      'golive',
      'help',
      'data',
      'data/1',
      'settings',
      'access-log',
    ]) {
      await admin.goto(`${base}/#/${route}`);
      await settle(admin);
      const r = await sideways(admin);
      expect(r.scroll, `${route} at 390 px: ${r.wide.join('; ')}`).toBeLessThanOrEqual(r.width);
    }
    await admin.goto(`${base}/#/org`);
    await settle(admin);
    await admin.screenshot({
      path: join(ROOT, SHOTS, 'phone-admin-organisation.png'),
      fullPage: true,
    });
    await admin.context().close();

    const page = await signIn(sys.account('clinician', 0), false, base, PHONE);
    await page.goto(`${base}/#/me`);
    await settle(page);
    const r = await sideways(page);
    expect(r.scroll, `my report at 390 px: ${r.wide.join('; ')}`).toBeLessThanOrEqual(r.width);
    const top = (sel: string) =>
      page.evaluate(
        (q) => document.querySelector(q)!.getBoundingClientRect().top + window.scrollY,
        sel,
      );
    // My numbers begin on the first screen, the suggestions within the first two, before the
    // charts.
    expect(await top('#my-numbers')).toBeLessThan(PHONE.height);
    expect(await top('#suggestions')).toBeLessThan(2 * PHONE.height);
    expect(await top('#suggestions')).toBeLessThan(await top('#my-detail'));
    await page.screenshot({ path: join(ROOT, SHOTS, 'phone-my-report.png'), fullPage: true });
    await checkPage(page, 'phone-my-report');
    await page.context().close();
  });

  test('downloads: CSV of every table and chart, PNG of a chart, made in the page', async () => {
    const page = await signIn(sys.account('admin'));
    await page.goto(`${base}/#/org`);
    await settle(page);
    const { body: org } = await apiJson<{ weekly: GroupRow[] }>(page, '/api/org');
    const save = async (button: ReturnType<Page['getByRole']>) => {
      const [d] = await Promise.all([page.waitForEvent('download'), button.click()]);
      return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) };
    };
    const fig = page.locator('figure', { hasText: 'EHR-Time8 — all EHR time' }).first();
    const csv = await save(fig.getByRole('button', { name: /^Download CSV/ }));
    expect(csv.name).toBe('uptake-ehr-time8-all-ehr-time.csv');
    const lines = csv.bytes
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('Week starting,Median,25th percentile,75th percentile,n,Go-live');
    expect(lines).toHaveLength(org.weekly.length + 1);
    const w0 = org.weekly[0]!;
    expect(lines[1]!.split(',').slice(0, 2)).toEqual([w0.period_start, two(w0.ehr_time8_median)]);

    const png = await save(fig.getByRole('button', { name: /^Download PNG/ }));
    expect(png.name).toBe('uptake-ehr-time8-all-ehr-time.png');
    expect(png.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const box = (await fig.locator('[data-chart]').boundingBox())!;
    // Twice the size on screen, with a title band of 32 px above the chart.
    expect(Math.abs(png.bytes.readUInt32BE(16) - 2 * box.width)).toBeLessThanOrEqual(2);
    expect(Math.abs(png.bytes.readUInt32BE(20) - 2 * (box.height + 32))).toBeLessThanOrEqual(2);

    // A table that is not a chart's: the access log, with its times in the organisation's zone.
    await page.goto(`${base}/#/access-log`);
    await settle(page);
    const { body: meta } = await apiJson<{ timezone: string }>(page, '/api/meta');
    const log = await save(page.getByRole('button', { name: 'Download CSV: Access log' }));
    const rows = log.bytes
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(rows[0]).toBe(`When (${meta.timezone}),Who,Role,Action,What,Outcome,Detail`);
    expect(rows.length - 1).toBe(await page.locator('main table tbody tr').count());
    // Every table of data on these pages has its download (a table of input fields, such as
    // the clock targets on Settings, is a form: `form-table`).
    for (const route of ['data', 'data/1', 'settings', 'help']) {
      await page.goto(`${base}/#/${route}`);
      await settle(page);
      expect(await page.getByRole('button', { name: /^Download CSV/ }).count(), route).toBe(
        await page.locator('main table:not(.form-table)').count(),
      );
    }
    await page.context().close();
  });

  test('My report prints without the page controls', async () => {
    const page = await signIn(sys.account('clinician', 0));
    await page.goto(`${base}/#/me`);
    await settle(page);
    await page.emulateMedia({ media: 'print' });
    for (const hidden of [
      '.site-header',
      'form.range',
      '.print-button',
      '.chart-actions',
      '#ask-help',
    ])
      expect(await page.locator(hidden).first().isVisible(), hidden).toBe(false);
    for (const shown of [
      '#my-numbers',
      '[data-testid="my-ehr_time8"]',
      '#suggestions',
      '[data-chart] svg',
    ])
      expect(await page.locator(shown).first().isVisible(), shown).toBe(true);
    // The period stands on the paper, in words.
    expect(await page.locator('main .lede').first().innerText()).toMatch(
      /^\d+ \w+ – \d+ \w+ \d{4}\. /,
    );
    await page.pdf({ path: join(ROOT, SHOTS, 'clinician-my-report.pdf'), format: 'A4' });
    await page.context().close();
  });

  test('times everywhere in the organisation’s time zone, named', async () => {
    const page = await signIn(sys.account('admin'));
    await page.goto(`${base}/#/data`);
    await settle(page);
    const { body: meta } = await apiJson<{ timezone: string }>(page, '/api/meta');
    const tz = meta.timezone;
    expect(tz).toBe(sys.gen.timezone);
    expect(await page.getByTestId('freshness').innerText()).toContain(tz);
    const { body: imports } = await apiJson<
      { import_id: number; finished_at: string }[] | { imports: { finished_at: string }[] }
    >(page, '/api/imports');
    const list = Array.isArray(imports) ? imports : imports.imports;
    const head = await page.locator('main table thead th').allInnerTexts();
    const col = head.indexOf(`Finished (${tz})`);
    expect(col).toBeGreaterThan(0);
    const cell = page.locator('main table tbody tr').first().locator('th, td').nth(col);
    expect(await cell.innerText()).toBe(inZone(list[0]!.finished_at, tz));
    await page.goto(`${base}/#/access-log`);
    await settle(page);
    expect(await page.locator('main table thead th').first().innerText()).toBe(`When (${tz})`);
    await page.goto(`${base}/#/help`);
    await settle(page);
    expect(await page.getByTestId('help-summary').innerText()).toContain(`Times in ${tz}.`);
    await page.context().close();
  });

  test('colours: better, worse and "about the same" follow the stated ±5% band', async () => {
    const page = await signIn(sys.account('admin'));
    await page.goto(`${base}/#/org`);
    await settle(page);
    const { body: org } = await apiJson<{ weekly: GroupRow[] }>(page, '/api/org');
    const weeks = org.weekly.filter((w) => !w.suppressed && (w.n ?? 0) > 0);
    const rule = (v: number, base: number) =>
      Math.abs(v - base) <= 0.05 * Math.abs(base) ? 'same' : v < base ? 'better' : 'worse';
    const median = (w: GroupRow, k: string) =>
      (w as unknown as Record<string, number>)[`${k}_median`]!;
    for (const k of ['ehr_time8', 'wow8', 'ib_time8', 'note_time8']) {
      const delta = page.locator(`.kpi[data-metric="${k}"] .delta`);
      expect(await delta.getAttribute('data-delta'), k).toBe(
        rule(median(weeks.at(-1)!, k), median(weeks[0]!, k)),
      );
    }
    // A group beside the organisation: the median of its clinicians against the organisation's.
    const dept = sys.account('leader').groups[0]!.value;
    await page.goto(`${base}/#/groups/department/${encodeURIComponent(dept)}`);
    await settle(page);
    const { body: g } = await apiJson<{
      distribution: Record<string, number[]>;
      org: Record<string, number>;
    }>(page, `/api/groups/department/${encodeURIComponent(dept)}`);
    for (const k of ['ehr_time8', 'wow8', 'ib_time8', 'note_time8']) {
      const v = [...g.distribution[k]!].sort((a, b) => a - b);
      const mid = (v.length - 1) / 2;
      const m = (v[Math.floor(mid)]! + v[Math.ceil(mid)]!) / 2;
      const delta = page.locator(`.kpi[data-metric="${k}"] .delta`);
      expect(await delta.getAttribute('data-delta'), k).toBe(rule(m, g.org[`${k}_median`]!));
    }
    await page.context().close();
  });

  test('the built files go out compressed; hashed assets are cached for a year, index.html revalidated', async () => {
    // index.html (under 1 KB: not worth compressing) is revalidated on every load.
    const index = await sys.app.inject({ url: '/', headers: { 'accept-encoding': 'br, gzip' } });
    expect(index.statusCode).toBe(200);
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['vary']).toMatch(/accept-encoding/i);
    const html = index.body;
    expect(html).toBe(readFileSync(join(webOut, 'index.html'), 'utf8'));
    const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const file = readFileSync(join(webOut, js));
    const br = await sys.app.inject({ url: js, headers: { 'accept-encoding': 'gzip, br' } });
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(brotliDecompressSync(br.rawPayload).equals(file)).toBe(true);
    expect(br.rawPayload.length).toBeLessThan(file.length / 2);
    const gz = await sys.app.inject({ url: js, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).equals(file)).toBe(true);
    const plain = await sys.app.inject({ url: js });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.equals(file)).toBe(true);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    // A route of the app (answered with index.html) is revalidated too.
    const route = await sys.app.inject({ url: '/org', headers: { 'accept-encoding': 'gzip' } });
    expect(route.statusCode).toBe(200);
    expect(route.headers['cache-control']).toBe('no-cache');

    // The API: a large JSON answer is compressed and still never cached; the session's token
    // (in /api/me) is never compressed.
    const s = await login(sys.app, sys.account('admin'));
    const org = await call(sys.app, s, 'GET', '/api/org', {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(org.headers['content-encoding']).toBe('gzip');
    expect(org.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(gunzipSync(org.rawPayload).toString('utf8')) as { weekly: unknown[] };
    expect(body.weekly.length).toBeGreaterThan(0);
    const me = await call(sys.app, s, 'GET', '/api/me', {
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(me.headers['content-encoding']).toBeUndefined();
    expect((me.json() as { csrf: string }).csrf).toBe(s.csrf);
  });

  test('after an upload the pages say their figures are from before it, then show the new ones', async () => {
    const page = await signIn(sys.account('admin'));
    await page.goto(`${base}/#/org`);
    await settle(page);
    expect(await page.getByTestId('updating').count()).toBe(0);
    // Hold the day table's refresh, and upload a few events through the Data page.
    let release!: () => void;
    hold = new Promise<void>((r) => (release = r));
    const uid = sys.account('clinician').clinician_id!;
    const at = Date.parse(`${sys.gen.from}T00:00:00Z`) + 2 * DAY + 15 * 3_600_000;
    const csv = [
      'event_id,occurred_at,user_id,action,category',
      ...Array.from(
        { length: 6 },
        (_, i) => `late-${i},${new Date(at + i * 60_000).toISOString()},${uid},inbox_read,inbox`,
      ),
    ].join('\n');
    await page.goto(`${base}/#/data`);
    await settle(page);
    await page.getByLabel('Table', { exact: true }).selectOption('events');
    await page.getByLabel('File', { exact: true }).setInputFiles({
      name: 'late events.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${csv}\n`),
    });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Imported into events').waitFor({ timeout: 60_000 });
    const imports = (await apiJson<{ import_id: number }[]>(page, '/api/imports')).body;
    const id = Math.max(...imports.map((i) => i.import_id));
    // The organisation page: the previous figures, with a note naming the import.
    await page.goto(`${base}/#/org`);
    await settle(page);
    const note = page.getByTestId('updating');
    await note.waitFor();
    expect(await note.innerText()).toMatch(
      new RegExp(
        `Updating after the import of audit-log events \\(import ${id}, .*\\); the figures below are from before it`,
      ),
    );
    await page.screenshot({ path: join(ROOT, SHOTS, 'updating.png') });
    await checkPage(page, 'updating');
    // Once the import is taken in, the page refreshes by itself and the note goes.
    release();
    hold = null;
    await page.waitForFunction(() => !document.querySelector('[data-testid="updating"]'), null, {
      timeout: 60_000,
    });
    const org = (await apiJson<{ freshness: { updating: boolean } }>(page, '/api/org')).body;
    expect(org.freshness.updating).toBe(false);
    await page.context().close();
  });

  test('no console error, page error or Content-Security-Policy violation', () => {
    expect(problems).toEqual([]);
  });
});
