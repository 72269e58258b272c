/**
 * Patient engagement in the browser (issue #15, docs/engagement.md): the generated patient side
 * imported beside the clinician tables (with the test system's key, so pseudonyms join); a leader
 * opens Patients and reads the portal gap — the headline equal to the API's figures, the
 * department chart and its table — and a clinician finds "My patients" on My report. Both pages at
 * a desktop's width and a phone's (390 px, nothing wider than the screen), with axe-core.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import {
  checkPage,
  openPage,
  settle,
  signIn,
  startBrowserApp,
  type BrowserApp,
} from '../testing/browserTesting.ts';
import { testDir } from '../testing/testSystem.ts';
import { importCsv } from '../ingest/importCsv.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import type { EngagementRow } from '../model/engagement.ts';
import { pct, PATIENTS_HIDDEN } from '../../web/src/engagement.ts';

let app: BrowserApp;

beforeAll(async () => {
  app = await startBrowserApp();
  const gen = app.sys.gen;
  if (!gen.patient) throw new Error('the generator wrote no patient side');
  // The test system's own key file, so that the patients' pseudonyms are those of the schedule.
  const pseudonymizer = Pseudonymizer.load(join(testDir(), 'key'));
  // Accounts and releases before what refers to them, as `uptake demo` imports them.
  for (const table of ['patient_accounts', 'releases', 'messages', 'patient_events'] as const) {
    const r = await importCsv(app.sys.store, {
      table,
      file: gen.patient.files[table],
      pseudonymizer,
      rejectsDir: join(testDir(), 'rejects-patients'),
    });
    expect(r.rows_stored, table).toBeGreaterThan(0);
  }
}, 300_000);
afterAll(async () => app?.close());

async function apiJson<T>(page: Page, path: string): Promise<T> {
  return page.evaluate(async (p) => {
    const r = await fetch(p);
    if (!r.ok) throw new Error(`${p}: ${r.status}`);
    return (await r.json()) as T;
  }, path);
}

/** The range a page shows without one in its address: the server's default. */
async function defaultRange(page: Page): Promise<string> {
  const m = await apiJson<{ from: string; to: string }>(page, '/api/meta');
  return `from=${m.from}&to=${m.to}`;
}

/** On a phone: nothing wider than the screen, the charts redrawn, and axe-core again. */
async function onPhone(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  await settle(page);
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
    .toBeLessThanOrEqual(390);
  await checkPage(page, `${name} (phone)`);
}

describe('patients in Chromium', () => {
  test('a leader reads the portal gap on Patients, equal to the API', async () => {
    const leader = app.sys.account('leader');
    const page = await signIn(app, leader);
    const nav = await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link')
      .allInnerTexts();
    expect(nav).toContain('Patients');
    await openPage(app, page, 'patients');
    expect(await page.locator('main h1').innerText()).toBe('Patients');
    expect(await page.locator('.page-header .question').innerText()).toBe(
      'Do our patients use what their physicians give them, and where?',
    );
    const range = await defaultRange(page);
    const org = await apiJson<{ rows: EngagementRow[] }>(page, `/api/engagement?${range}&by=org`);
    const o = org.rows[0]!;
    expect(o.suppressed).not.toContain('seen');
    for (const [k, n] of [
      ['activated_share', 'activated'],
      ['active_share', 'active'],
      ['regular_share', 'regular'],
    ] as const) {
      expect(await page.getByTestId(`headline-${k}`).innerText()).toBe(pct(o[k]));
      expect(await page.getByTestId(`headline-${k}-of`).innerText()).toBe(
        `${o[n]!.toLocaleString('en')} of ${o.patients_seen!.toLocaleString('en')} patients seen`,
      );
    }
    // The gap is there: fewer patients used the portal than had an account.
    expect(o.active_share!).toBeLessThan(o.activated_share!);
    expect(await page.getByTestId('portal-headline').innerText()).toMatch(
      /^\d+% of the [\d,]+ patients seen have an activated portal account; \d+% used it; [\d.]+% on two or more days\.$/,
    );

    // The department chart and its table: the leader's own departments, the API's figures.
    const depts = await apiJson<{ rows: EngagementRow[] }>(
      page,
      `/api/engagement?${range}&by=department`,
    );
    expect(depts.rows.map((r) => r.group).sort()).toEqual(leader.groups.map((g) => g.value).sort());
    const fig = page.locator('figure', { hasText: 'Portal accounts and use by department' });
    await fig.locator('svg').first().waitFor();
    await fig.getByRole('button', { name: 'Show data table' }).click();
    const rows = await fig
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent ?? '')),
      );
    expect(rows).toHaveLength(depts.rows.length);
    for (const d of depts.rows) {
      const row = rows.find((r) => r[0]!.startsWith(d.group))!;
      if (d.suppressed.includes('seen')) expect(row[1]).toBe(PATIENTS_HIDDEN);
      else
        expect(row.slice(1)).toEqual([
          d.patients_seen!.toLocaleString('en'),
          `${d.activated!.toLocaleString('en')} (${pct(d.activated_share)})`,
          `${d.active!.toLocaleString('en')} (${pct(d.active_share)})`,
          `${d.regular!.toLocaleString('en')} (${pct(d.regular_share)})`,
        ]);
    }
    // Gap, weekly trend, two reply charts, timely access, result views.
    expect(await page.locator('[data-chart]').count()).toBe(6);
    await checkPage(page, 'patients');
    await onPhone(page, 'patients');
    expect(app.problems).toEqual([]);
    await page.context().close();
  }, 180_000);

  test('a clinician sees "My patients" on My report, beside their peers', async () => {
    const page = await signIn(app, app.sys.account('clinician'));
    await openPage(app, page, 'me');
    const section = page.getByRole('region', { name: 'My patients' });
    await section.getByTestId('my-activated_share').waitFor();
    const range = await defaultRange(page);
    const me = await apiJson<{ mine: EngagementRow[]; peers: EngagementRow[] }>(
      page,
      `/api/me/engagement?${range}`,
    );
    const mine = me.mine[0]!;
    expect(await section.getByTestId('my-activated_share').innerText()).toBe(
      mine.suppressed.includes('seen') ? PATIENTS_HIDDEN : pct(mine.activated_share),
    );
    expect(await section.innerText()).toMatch(/Peers: (\d+%|fewer than 11 patients: not shown)\./);
    // At most one suggestion, or a sentence saying nothing stands out.
    expect(
      (await section.locator('[data-suggestion]').count()) +
        (await section.getByTestId('no-patient-suggestion').count()),
    ).toBe(1);
    await section.getByRole('figure', { name: "My patients beside my peers'" }).waitFor();
    await checkPage(page, 'my report with my patients');
    await onPhone(page, 'my report with my patients');
    expect(app.problems).toEqual([]);
    await page.context().close();
  }, 180_000);
});
