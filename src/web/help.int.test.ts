/**
 * Help requests in the browser (issue 11, items 5 and 6 b): the ask form says who the question
 * goes to before it is sent — a champion of the clinician's department, or the IT / informatics
 * team where none covers them — and warns against patient details; the recipients see a count on
 * the Help requests navigation item and a "New" marker until they have seen the request.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import {
  checkPage,
  openPage,
  signIn,
  startBrowserApp,
  type BrowserApp,
} from '../testing/browserTesting.ts';

let app: BrowserApp;

beforeAll(async () => {
  app = await startBrowserApp();
}, 300_000);
afterAll(async () => app?.close());

const badge = (page: Page) =>
  page.getByRole('navigation', { name: 'Main' }).getByTestId('help-unread');

/** Ask from My report; returns the words the form said before sending and after. */
async function ask(page: Page, question: string): Promise<{ before: string; after: string }> {
  await openPage(app, page, 'me');
  const route = page.getByTestId('help-route');
  await route.waitFor();
  const before = await route.innerText();
  const box = page.getByLabel('Your question');
  // The warning against patient details is visible and is the box's description.
  const hintId = await box.getAttribute('aria-describedby');
  expect(hintId).toBeTruthy();
  const hint = page.locator(`[id="${hintId}"]`);
  expect(await hint.isVisible()).toBe(true);
  expect(await hint.innerText()).toMatch(/^Do not type patient details/);
  // The Send button is described by where the question goes.
  const send = page.getByRole('button', { name: 'Send' });
  await box.fill(question);
  expect(await send.getAttribute('aria-describedby')).toBe(await route.getAttribute('id'));
  await checkPage(page, 'ask-for-help');
  await send.click();
  const sent = page.getByText(/^Sent to /);
  await sent.waitFor();
  return { before, after: await sent.innerText() };
}

describe('help requests in Chromium', () => {
  test('a clinician without a champion is told the IT team gets it, and the administrators are notified', async () => {
    const admin = await signIn(app, app.sys.account('admin'));
    await openPage(app, admin, 'org');
    expect(await badge(admin).count()).toBe(0);

    const clin = await signIn(app, app.sys.account('clinician', 0));
    const said = await ask(clin, 'Where do I change my In Basket filters?');
    expect(said.before).toBe(
      'Your question goes to: the IT / informatics team — no champion covers your department, specialty or role yet.',
    );
    expect(said.after).toBe('Sent to the IT / informatics team. The answer will appear here.');
    await clin.context().close();

    // The administrator's navigation counts it on the next page …
    await openPage(app, admin, 'groups');
    await badge(admin).waitFor();
    expect(await badge(admin).textContent()).toBe('1 new');
    // A screen reader hears the count with the link's name.
    expect(
      await admin.getByRole('link', { name: 'Help requests 1 new' }).getAttribute('href'),
    ).toMatch(/^#\/help/);
    // … the Help requests page marks it New and says where it went; seen, the count goes.
    await openPage(app, admin, 'help');
    const item = admin.locator('ul.help-list > li', { hasText: 'In Basket filters' });
    await item.getByTestId('help-new').waitFor();
    expect(await item.innerText()).toMatch(/sent to the IT \/ informatics team/);
    await badge(admin).waitFor({ state: 'detached' });
    await checkPage(admin, 'admin-help-new');
    // Reopened later: no longer new.
    await admin.reload();
    await openPage(app, admin, 'help');
    await admin.locator('ul.help-list > li', { hasText: 'In Basket filters' }).waitFor();
    expect(await item.getByTestId('help-new').count()).toBe(0);
    await admin.context().close();
  });

  test('a clinician of a covered department is told their champion’s name; the champion is notified', async () => {
    const champ = app.sys.account('champion');
    const [c] = await app.sys.store.all<{ name: string }>(
      `SELECT name FROM clinicians WHERE user_id = $1`,
      [champ.clinician_id],
    );
    const dept = champ.groups[0]!.value;
    const clin = await signIn(app, app.sys.account('clinician', 1));
    const said = await ask(clin, 'Is there a shorter template for follow-up visits?');
    expect(said.before).toBe(
      `Your question goes to: ${c!.name} (champion of your department, ${dept}).`,
    );
    expect(said.after).toBe(
      `Sent to ${c!.name} (champion of your department, ${dept}). The answer will appear here.`,
    );
    await clin.context().close();

    const page = await signIn(app, champ);
    await badge(page).waitFor();
    expect(await badge(page).textContent()).toBe('1 new');
    await openPage(app, page, 'help');
    const item = page.locator('ul.help-list > li', { hasText: 'shorter template' });
    await item.getByTestId('help-new').waitFor();
    await badge(page).waitFor({ state: 'detached' });
    // The answer box carries the same warning against patient details.
    const answer = item.getByLabel('Your answer');
    const hint = page.locator(`[id="${await answer.getAttribute('aria-describedby')}"]`);
    expect(await hint.innerText()).toMatch(/^Do not type patient details/);
    await checkPage(page, 'champion-help-new');
    await page.context().close();
  });

  test('no console error or page error', () => {
    expect(app.problems).toEqual([]);
  });
});
