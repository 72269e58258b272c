/**
 * Browser test helpers: the web app built once into a temporary folder, served by a test system
 * on DuckDB, and Chromium (Playwright) to use it; sign-in and an accessibility check (axe-core,
 * WCAG 2.1 A/AA, serious and critical findings) with no raw patient identifier on the page.
 * The same checks as `webApp.int.test.ts`, for browser suites of their own.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { build } from 'vite';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import axe from 'axe-core';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { testSystem, removeTestDir, type TestSystem } from './testSystem.ts';
import type { DemoAccount } from '../admin/demoAccounts.ts';
import type { ServerOptions } from '../server/buildServer.ts';

const CHROMIUM = process.env['UPTAKE_CHROMIUM'] ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Raw patient, encounter and appointment identifiers of the generator look like these. */
const RAW_ID = /\b[pac]\d{6,8}\b/;

export interface BrowserApp {
  sys: TestSystem;
  base: string;
  browser: Browser;
  /** Console errors, page errors and CSP violations seen so far (expected answers excepted). */
  problems: string[];
  close(): Promise<void>;
}

/** Chromium is where the suite expects it, or the test says how to install it. */
function needChromium(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not at ${CHROMIUM}: install it (apt-get install -y chromium) or set UPTAKE_CHROMIUM`,
    );
}

/** Build the web app into a new temporary folder and return the folder (remove it when done). */
export async function buildWebApp(): Promise<string> {
  const webOut = mkdtempSync(join(tmpdir(), 'uptake-web-'));
  await build({
    root: join(ROOT, 'web'),
    configFile: join(ROOT, 'web/vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: webOut, emptyOutDir: true },
  });
  return webOut;
}

/**
 * Debian's Chromium, headless, through playwright-core (which gives every launch a fresh,
 * temporary `--user-data-dir`); `extraArgs` for a test's own switches (e.g. host rules).
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  needChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/** Build the web app, start a test system serving it (with `opts`, e.g. the server's clock) and launch Chromium. */
export async function startBrowserApp(opts: ServerOptions = {}): Promise<BrowserApp> {
  needChromium();
  const [webOut, browser] = await Promise.all([buildWebApp(), launchChromium()]);
  const sys = await testSystem(
    { name: 'duckdb', open: () => DuckDBStore.open(':memory:') },
    { ...opts, webDir: webOut },
  );
  const base = await sys.app.listen({ port: 0, host: '127.0.0.1' });
  return {
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
}

/** A fresh browser context signed in as `a`, with console errors and page errors recorded. */
export async function signIn(
  app: BrowserApp,
  a: { username: string; password: string },
): Promise<Page> {
  const ctx = await app.browser.newContext({
    viewport: { width: 1280, height: 900 },
    reducedMotion: 'reduce',
  });
  const page = await ctx.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[13]/.test(m.text()))
      app.problems.push(`${a.username}: console: ${m.text()}`);
  });
  page.on('pageerror', (e) => app.problems.push(`${a.username}: page error: ${e.message}`));
  await page.goto(`${app.base}/`);
  await page.getByLabel('User name').fill(a.username);
  await page.getByLabel('Password').fill(a.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

/** Open `#/route` and wait until its data and charts are there. */
export async function openPage(app: BrowserApp, page: Page, route: string): Promise<void> {
  await page.goto(`${app.base}/#/${route}`);
  await settle(page);
}

/** Wait until the page's heading, data (no loading state left) and charts are there. */
export async function settle(page: Page): Promise<void> {
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('.loading'), null, { timeout: 60_000 });
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-chart]')].every((el) => el.querySelector('svg')),
  );
}

/**
 * Serious and critical axe-core findings in a page or frame: WCAG 2.1 A/AA, and best practice
 * unless `bestPractice` is false (a page framed by another site's document).
 */
export async function axeViolations(f: Page | Frame, bestPractice = true): Promise<string[]> {
  await f.evaluate(axe.source);
  const values = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
  if (bestPractice) values.push('best-practice');
  return f.evaluate(async (tags) => {
    const w = window as unknown as { axe: typeof axe };
    const r = await w.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, values);
}

/** axe-core in the page and no raw patient, encounter or appointment identifier on it. */
export async function checkPage(page: Page, name: string): Promise<void> {
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
  expect(await axeViolations(page), `${name}: axe`).toEqual([]);
}

export type { DemoAccount };
