/**
 * The gaps issue #13 left in the web app, in Chromium with axe, on the hand-built system of
 * `evaluationFixture.ts` (four departments of three physicians; IB-Time8 drops by 0.2 in A and B
 * from Monday 16 March 2026): the goal form offers every group the clinician belongs to (their
 * role too); the triage board shows each item's clocks in words; the Settings page keeps an SMTP
 * password without ever showing it and sends a test e-mail to a local SMTP sink; a done item
 * linked to IB-Time8 and department A draws the weekly values before and after its done date
 * with both models' estimates.
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
import { buildEvaluationFixture } from '../testing/evaluationFixture.ts';
import { smtpSink, until } from '../testing/programFixture.ts';

const CHROMIUM = process.env['UPTAKE_CHROMIUM'] ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'test-output/screenshots');
const PASSWORD = 'a long test password';
const SMTP_PASSWORD = 'smtp-secret-never-shown';

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `program-${name}.png`), fullPage: true });
}

/** The server's clock: the Wednesday after the fixture's 20 weeks. */
const clock = { now: new Date('2026-05-27T10:00:00Z') };
let app: BrowserApp;
let admin: Session;
let sink: Awaited<ReturnType<typeof smtpSink>>;
const clinician = { username: 'a.one', password: PASSWORD };
const it = { username: 'it.one', password: PASSWORD };
let itemId = '';

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is not at ${CHROMIUM}: install it or set UPTAKE_CHROMIUM`);
  sink = await smtpSink({ auth: { user: 'uptake-mailer', password: SMTP_PASSWORD } });
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
    {
      webDir: webOut,
      load: buildEvaluationFixture,
      now: () => clock.now,
      sessionHours: 24 * 365,
    },
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
      await sink.close();
      rmSync(webOut, { recursive: true, force: true });
      removeTestDir();
    },
  };
  admin = await login(sys.app, sys.account('admin'));
  for (const [a, role, clinician_id] of [
    [clinician, 'clinician', 'a0'],
    [it, 'it', null],
  ] as const) {
    const r = await call(sys.app, admin, 'POST', '/api/users', {
      payload: { ...a, role, clinician_id },
    });
    expect(r.statusCode, r.body).toBe(201);
  }
  // Groups of three clinicians show their numbers here.
  const r = await call(sys.app, admin, 'PUT', '/api/settings', {
    payload: { suppression_threshold: 3 },
  });
  expect(r.statusCode, r.body).toBe(200);
}, 300_000);
afterAll(async () => app?.close());

describe('the program’s gaps in Chromium', () => {
  test('the goal form offers every group the clinician belongs to', async () => {
    const page = await signIn(app, clinician);
    await openPage(app, page, 'goals');
    await page.getByRole('link', { name: 'Propose a goal' }).click();
    await page.getByRole('heading', { level: 1, name: 'Propose a goal' }).waitFor();
    const form = page.getByRole('form', { name: 'Propose a goal' });
    const options = await form.getByLabel('Group').locator('option').allInnerTexts();
    // Department A, the role physician (not offered before), the organisation; nothing else.
    expect(options).toHaveLength(3);
    expect(options.join(' | ')).toMatch(/A/);
    expect(options.join(' | ')).toMatch(/physician/);
    expect(options.join(' | ')).toMatch(/organisation/i);
    await checkPage(page, 'gaps-propose-groups');
    await page.context().close();
  });

  test('the triage board shows each item’s clocks in words against its targets', async () => {
    // Sent on Monday 16 March 09:00, triaged as high with an answer at 10:00, done at 12:00.
    clock.now = new Date('2026-03-16T09:00:00Z');
    const s = await login(app.sys.app, clinician);
    const sent = await call(app.sys.app, s, 'POST', '/api/feedback', {
      payload: {
        kind: 'problem',
        text: 'The in-basket takes me too long every morning.',
        visibility: 'unit',
        links: { department: 'A', metric: 'ib_time8' },
      },
    });
    expect(sent.statusCode, sent.body).toBe(201);
    itemId = (sent.json() as { id: string }).id;
    const other = await call(app.sys.app, s, 'POST', '/api/feedback', {
      payload: { kind: 'question', text: 'Where are the message pools set up?' },
    });
    expect(other.statusCode, other.body).toBe(201);
    const its = await login(app.sys.app, it);
    clock.now = new Date('2026-03-16T10:00:00Z');
    const tri = await call(app.sys.app, its, 'POST', `/api/feedback/${itemId}/change`, {
      payload: { to: 'triaged', priority: 'high', note: 'We are turning on pooling for A.' },
    });
    expect(tri.statusCode, tri.body).toBe(200);
    clock.now = new Date('2026-03-16T12:00:00Z');
    const done = await call(app.sys.app, its, 'POST', `/api/feedback/${itemId}/change`, {
      payload: { to: 'done', note: 'Pooling and delegation are on for department A.' },
    });
    expect(done.statusCode, done.body).toBe(200);
    // Looked at on Tuesday 17 March 10:00.
    clock.now = new Date('2026-03-17T10:00:00Z');
    const page = await signIn(app, it);
    await openPage(app, page, 'triage');
    await page.getByLabel('State').selectOption('all');
    const row = page.locator(`tr[data-feedback="${itemId}"]`);
    await row.waitFor();
    // Answered after 1 h of high's 9 (met); done after 3 h of 45 (met).
    expect(await row.locator('td[data-clock="first_response"]').innerText()).toBe(
      'met 1.0 business hours of 9.0 business hours',
    );
    expect(await row.locator('td[data-clock="resolution"]').innerText()).toBe(
      'met 3.0 business hours of 5.0 business days',
    );
    // The question, untriaged: Monday 09–17 (8 h) and Tuesday 08–10 (2 h) of normal's 18 h.
    const open = page.locator('tr', { hasText: 'message pools' });
    expect(await open.locator('td[data-clock="first_response"]').innerText()).toBe(
      'running 10.0 business hours of 2.0 business days',
    );
    await checkPage(page, 'gaps-triage-clocks');
    await shot(page, 'triage-clocks');
    await page.context().close();
  });

  test('a done item linked to a metric and a group draws its before and after', async () => {
    clock.now = new Date('2026-05-27T10:00:00Z');
    const page = await signIn(app, clinician);
    await openPage(app, page, `feedback/${itemId}`);
    const section = page.locator('section[data-effect-status]');
    await section.waitFor();
    expect(await section.getAttribute('data-effect-status')).toBe('shown');
    await section.locator('[data-chart] svg').first().waitFor();
    expect(await section.locator('figcaption').innerText()).toMatch(
      /IB-Time8.* in department A before and after it was done/,
    );
    // The done date is marked, and both models' estimates are given with their intervals.
    expect(await section.innerText()).toMatch(/2026-03-16/);
    const effects = await section.locator('.effect-text').allInnerTexts();
    expect(effects).toHaveLength(2);
    for (const e of effects) expect(e).toMatch(/95% CI/);
    expect(effects[1]).toMatch(/compared with the other departments/);
    await checkPage(page, 'gaps-feedback-effect');
    await shot(page, 'feedback-effect');
    await page.context().close();
  });

  test('Settings: the SMTP form keeps a password it never shows, and sends a test e-mail', async () => {
    const page = await signIn(app, app.sys.account('admin'));
    await openPage(app, page, 'settings');
    const form = page.getByRole('form', { name: 'E-mail (SMTP)' });
    expect(await form.getByTestId('smtp-password-state').innerText()).toBe('not set');
    await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await form.getByLabel('Port', { exact: true }).fill(String(sink.port));
    await form.getByLabel('From (sender address)').fill('uptake@hospital.test');
    await form.getByLabel('Mail domain of the accounts').fill('hospital.test');
    await form.getByLabel(/^User/).fill('uptake-mailer');
    await form.getByLabel(/^Password/).fill(SMTP_PASSWORD);
    await form.getByRole('button', { name: 'Save SMTP settings' }).click();
    await form.getByText('SMTP settings saved.').waitFor();
    await expect.poll(() => form.getByTestId('smtp-password-state').innerText()).toBe('set');
    // The field is empty again and the page holds the password nowhere.
    expect(await form.getByLabel(/^Password/).inputValue()).toBe('');
    await page.reload();
    await page.locator('main h1').first().waitFor();
    const again = page.getByRole('form', { name: 'E-mail (SMTP)' });
    await again.getByTestId('smtp-password-state').waitFor();
    expect(await again.getByTestId('smtp-password-state').innerText()).toBe('set');
    expect(await page.content()).not.toContain(SMTP_PASSWORD);
    await checkPage(page, 'gaps-settings-smtp');
    await shot(page, 'settings-smtp');
    await again.getByRole('button', { name: 'Send a test e-mail to me' }).click();
    await again.getByText('A test e-mail was sent to admin@hospital.test.').waitFor();
    const mail = await until(() => sink.mails[0], 'the test e-mail');
    expect(mail.to).toEqual(['admin@hospital.test']);
    expect(sink.logins).toContainEqual({ user: 'uptake-mailer', password: SMTP_PASSWORD });
    await page.context().close();
  });

  test('no console error or page error', () => {
    expect(app.problems).toEqual([]);
  });
});
