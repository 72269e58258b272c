/**
 * Follow-ups in the browser (engagement.md §3): a clinician opens My report, picks a recent visit,
 * starts from a template, edits the text (the reading grade follows), adds an action item with a
 * due date and sends; the follow-up shows "written" and not yet "read". Its link, opened in a
 * browser context that never signed in, shows that one follow-up and nothing else (no navigation,
 * only the patient routes called, the token in no request's address); the patient acknowledges
 * and asks a question; the clinician, after a reload, sees read and acknowledged and answers; the
 * patient's page shows the answer. A tampered link says it is not valid, an expired one that it
 * has expired. axe-core on both pages
 * at a desktop's width and a phone's (390 px, nothing wider than the screen).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import {
  checkPage,
  openPage,
  signIn,
  startBrowserApp,
  type BrowserApp,
} from '../testing/browserTesting.ts';
import { testFiles } from '../testing/testSystem.ts';

let app: BrowserApp;
let clock: Date;

beforeAll(async () => {
  // Recent visits are those of the 30 days before the server's clock: the day after the data.
  const gen = await testFiles();
  clock = new Date(`${gen.to}T12:00:00Z`);
  app = await startBrowserApp({ now: () => clock });
}, 300_000);
afterAll(async () => app?.close());

/** At a phone's width: nothing wider than the screen, and axe-core again; then back to desktop. */
async function onPhone(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
    .toBeLessThanOrEqual(390);
  await checkPage(page, `${name} (phone)`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** A context that never signed in, recording every request and any page error. */
async function patientContext(): Promise<{
  ctx: BrowserContext;
  page: Page;
  requests: { url: string; type: string }[];
  errors: string[];
}> {
  const ctx = await app.browser.newContext({
    viewport: { width: 390, height: 844 },
    reducedMotion: 'reduce',
  });
  const page = await ctx.newPage();
  const requests: { url: string; type: string }[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push({ url: r.url(), type: r.resourceType() }));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[34]/.test(m.text())) errors.push(m.text());
  });
  return { ctx, page, requests, errors };
}

describe('follow-ups in Chromium', () => {
  test('a clinician writes a follow-up; the patient reads, acknowledges and asks by link', async () => {
    const clinician = app.sys.account('clinician', 0);
    const page = await signIn(app, clinician);
    await openPage(app, page, 'me');
    const section = page.getByRole('region', { name: 'Follow-ups for your patients' });
    const visits = section.getByTestId('visit');
    await visits.first().waitFor();
    // A visit by its local date, time and type, and how many follow-ups it has.
    const first = visits.first();
    expect(await first.locator('.visit-label').innerText()).toMatch(
      /^\w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d · (in-person|video|phone) visit$/,
    );
    expect(await first.innerText()).toContain('no follow-up yet');
    await first.getByRole('button', { name: /^Write follow-up/ }).click();

    const form = section.getByTestId('followup-form');
    await form.waitFor();
    await form.getByLabel('Start from a template').selectOption({ label: 'Test to book' });
    expect(await form.getByLabel('Title').inputValue()).toBe('A test to book');
    const grade = form.getByTestId('reading-grade');
    const plain = await grade.innerText();
    expect(plain).toMatch(
      /^Reading grade \d+\.\d — plain language \(aim for 8 or lower\); [\d.]+ words per sentence\.$/,
    );
    // Long words in a long sentence: the grade goes up and warns.
    const text = form.getByLabel('Text for the patient');
    await text.fill(
      'Subsequent to considerable deliberation regarding your cardiovascular investigations, we recommend undertaking an echocardiographic examination expeditiously, notwithstanding intermittent inconvenience.',
    );
    await expect.poll(() => grade.innerText()).toMatch(/harder than plain language/);
    expect(await grade.getAttribute('class')).toContain('warn');
    // Plain again, in the clinician's own words.
    await text.fill(
      'We would like you to have an ultrasound of your heart, called an echo. Please book it this week, and call us if you feel short of breath or dizzy.',
    );
    await expect.poll(() => grade.innerText()).toMatch(/^Reading grade 3\.6 — plain language/);
    expect(plain).toMatch(/^Reading grade 0\.0 /);

    // The template's item gets a date; one more item, a medicine.
    const items = form.getByTestId('followup-item');
    expect(await items.count()).toBe(1);
    await items.nth(0).getByLabel('Due by').fill('2026-02-06');
    await form.getByRole('button', { name: 'Add an action item' }).click();
    await items.nth(1).getByLabel('Kind').selectOption('medicine');
    await items.nth(1).getByLabel('What to do').fill('Take one aspirin each morning');
    await items.nth(1).getByLabel('Due by').fill('2026-01-27');

    await checkPage(page, 'my report with the follow-up form');
    await onPhone(page, 'my report with the follow-up form');

    await form.getByRole('button', { name: 'Send' }).click();
    await section.getByText(/^Sent “A test to book”/).waitFor();
    expect(await form.count()).toBe(0);
    await expect.poll(() => visits.first().innerText()).toContain('1 follow-up written');
    const card = section.getByTestId('followup').first();
    await card.waitFor();
    expect(await card.getByRole('heading').first().innerText()).toBe('A test to book');
    expect(await card.locator('[data-step=written]').getAttribute('data-done')).toBe('true');
    expect(await card.locator('[data-step=read]').getAttribute('data-done')).toBe('false');
    expect(await card.locator('[data-step=read]').innerText()).toContain('not yet');
    expect(await card.getByTestId('fhir-state').innerText()).toContain('patient link only');
    // The text is folded; the items carry their dates.
    await card.getByText('Text and action items').click();
    expect(await card.locator('.followup-text').innerText()).toContain(
      'Medicine: Take one aspirin each morning — by 27 Jan 2026',
    );
    const url = await card.getByLabel('Patient link').inputValue();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: app.base,
    });
    await card.getByRole('button', { name: 'Copy' }).click();
    await card.getByText('Link copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
    expect(url).toMatch(new RegExp(`^${app.base}/#/f/fu-[0-9a-f]{32}\\.\\d{10}\\.[\\w-]{43}$`));
    const token = url.slice(url.indexOf('#/f/') + 4);
    expect(await card.getByRole('link', { name: /^Open/ }).getAttribute('href')).toBe(url);

    // The patient, never signed in, on a phone.
    const p = await patientContext();
    await p.page.goto(url);
    await p.page.getByRole('heading', { level: 1, name: 'A test to book' }).waitFor();
    const main = await p.page.locator('main').innerText();
    expect(main).toContain('We would like you to have an ultrasound of your heart');
    expect(main).toMatch(/after your visit on \d{1,2} \w{3} 2026/);
    const pItems = await p.page.getByTestId('patient-item').allInnerTexts();
    expect(pItems).toEqual([
      'Test: Book the test By 6 Feb 2026.',
      'Medicine: Take one aspirin each morning By 27 Jan 2026.',
    ]);
    expect(await p.page.getByRole('navigation').count()).toBe(0);
    expect(await p.page.locator('header, footer').count()).toBe(0);
    expect(await p.page.title()).toBe('A test to book — your follow-up');
    await checkPage(p.page, 'patient page (phone)');
    expect(await p.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await p.page.setViewportSize({ width: 1280, height: 900 });
    await checkPage(p.page, 'patient page (desktop)');

    await p.page.getByRole('button', { name: 'I have read this' }).click();
    await p.page.getByText('Thank you — your care team can see you read it.').waitFor();
    await p.page.getByRole('button', { name: 'I have a question' }).click();
    await p.page.getByLabel('Your question').fill('Do I need to fast before the test?');
    await p.page.getByRole('button', { name: 'Send question' }).click();
    await p.page.getByText('Your question was sent.').waitFor();
    expect(await p.page.getByTestId('patient-question').innerText()).toMatch(
      /You asked .*: Do I need to fast before the test\?\s+No answer yet\./,
    );

    // Back to the clinician: read, acknowledged, and the question to answer.
    await page.reload();
    const card2 = page
      .getByRole('region', { name: 'Follow-ups for your patients' })
      .getByTestId('followup')
      .first();
    await card2.waitFor();
    for (const step of ['written', 'read', 'acknowledged'])
      expect(await card2.locator(`[data-step=${step}]`).getAttribute('data-done'), step).toBe(
        'true',
      );
    const q = card2.getByTestId('question');
    expect(await q.innerText()).toContain('Do I need to fast before the test?');
    await q.getByLabel('Your answer').fill('No, you can eat as usual.');
    await q.getByRole('button', { name: 'Send answer' }).click();
    await q.getByText(/^Your answer, .*:/).waitFor();
    expect(await q.innerText()).toContain('No, you can eat as usual.');
    await checkPage(page, 'my report with a follow-up');

    // The patient's page shows the answer.
    await p.page.reload();
    await p.page.getByTestId('patient-question').waitFor();
    expect(await p.page.getByTestId('patient-question').innerText()).toContain(
      'No, you can eat as usual.',
    );
    expect(await p.page.getByTestId('acknowledged').count()).toBe(1);

    // A tampered link: not valid, in plain words.
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    await p.page.goto(`${app.base}/#/f/${tampered}`);
    await p.page.reload();
    await p.page.getByTestId('patient-trouble').waitFor();
    expect(await p.page.getByTestId('patient-trouble').innerText()).toContain(
      'This link is not valid.',
    );
    await checkPage(p.page, 'patient page, not valid');

    // The link expires (14 days by default): the page says so and what to do.
    clock = new Date(clock.getTime() + 15 * 86_400_000);
    await p.page.goto(url);
    await p.page.reload();
    await p.page.getByText('This link has expired.', { exact: false }).waitFor();
    expect(await p.page.getByRole('heading', { level: 1 }).innerText()).toBe(
      'This link has expired',
    );

    // Only the patient routes were called, and the token was in no request's address.
    const apiCalls = p.requests.filter((r) => new URL(r.url).pathname.startsWith('/api/'));
    expect(apiCalls.length).toBeGreaterThan(0);
    for (const r of apiCalls) expect(new URL(r.url).pathname).toMatch(/^\/api\/patient\//);
    for (const r of p.requests) expect(r.url.split('#')[0]).not.toContain(token.slice(0, 20));
    expect(p.errors).toEqual([]);
    expect(app.problems).toEqual([]);
    await p.ctx.close();
    await page.context().close();
  }, 180_000);
});
