/**
 * The README's screenshots, taken from a running demo (`npm start` in another terminal):
 *
 *   node --import tsx docs/screenshots.ts [--url http://127.0.0.1:8080] [--accounts demo/accounts.json]
 *
 * Signs in as the demo accounts with Debian's Chromium and writes docs/screenshots/*.png.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
    accounts: { type: 'string', default: 'demo/accounts.json' },
  },
});
const base = values.url;
const out = fileURLToPath(new URL('./screenshots/', import.meta.url));
const accounts = JSON.parse(readFileSync(values.accounts, 'utf8')) as {
  username: string;
  password: string;
  role: string;
}[];
const account = (role: string) => accounts.find((a) => a.role === role)!;

const browser = await chromium.launch({
  executablePath: process.env['UPTAKE_CHROMIUM'] ?? '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

async function as(role: string): Promise<Page> {
  const ctx = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    reducedMotion: 'reduce', // the charts skip their animation
  });
  const page = await ctx.newPage();
  await page.goto(`${base}/`);
  await page.getByLabel('User name').fill(account(role).username);
  await page.getByLabel('Password').fill(account(role).password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

async function shot(page: Page, route: string, file: string): Promise<void> {
  await page.goto(`${base}/#/${route}`);
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('.loading'), null, {
    timeout: 180_000,
  });
  await page.waitForTimeout(500); // let the charts finish drawing
  await page.screenshot({ path: `${out}${file}`, fullPage: true });
  process.stdout.write(`${out}${file}\n`);
}

try {
  const admin = await as('admin');
  await shot(admin, 'org', 'organisation.png');
  await shot(admin, 'golive', 'go-live.png');
  await shot(await as('clinician'), 'me', 'my-report.png');
  await shot(await as('champion'), 'help', 'help-requests.png');
} finally {
  await browser.close();
}
