/**
 * Removing a wrong import from the Data page (issue 11, item 10), in Chromium: the administrator
 * opens the import, asks to remove it, sees what would go (the rows still stored, its rejected
 * lines), confirms, and the rows are gone from the store; the list marks the import removed and
 * shows the entry that records the removal. Cancelling removes nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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

describe('the Data page removes a wrong import', () => {
  test('preview, cancel, then remove: exactly its rows go', async () => {
    const { sys } = app;
    const admin = await signIn(app, sys.account('admin'));
    // A wrong upload: 3 events of another system, 1 rejected line.
    const uid = sys.account('clinician').clinician_id!;
    const report = await admin.evaluate(
      async (csv: string) => {
        const me = (await (await fetch('/api/me')).json()) as { csrf: string };
        const r = await fetch('/api/imports?table=events&filename=wrong.csv', {
          method: 'POST',
          headers: { 'content-type': 'text/csv', 'x-csrf-token': me.csrf },
          body: csv,
        });
        return (await r.json()) as { import_id: number; rows_stored: number };
      },
      'event_id,occurred_at,user_id,action,category,source\n' +
        [0, 1, 2]
          .map((i) => `w${i},2026-01-26T10:0${i}:00-05:00,${uid},note_edit,notes,wrongsys`)
          .join('\n') +
        '\nw9,never,u,x,notes,wrongsys\n',
    );
    expect(report.rows_stored).toBe(3);
    const id = report.import_id;
    const wrong = async () =>
      Number(
        (
          await sys.store.all<{ n: number }>(
            `SELECT count(*) AS n FROM events WHERE source = 'wrongsys'`,
          )
        )[0]!.n,
      );
    const all = async () =>
      Number((await sys.store.all<{ n: number }>(`SELECT count(*) AS n FROM events`))[0]!.n);
    const before = await all();
    expect(await wrong()).toBe(3);

    await openPage(app, admin, `data/${id}`);
    await admin.getByRole('button', { name: `Remove import #${id}…` }).click();
    const dialog = admin.getByRole('alertdialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain(
      `Remove import #${id}?\n\nThis deletes the 3 events rows it stored, its 1 rejected line and its rejects file.`,
    );
    await checkPage(admin, 'data-remove-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await admin.getByRole('alertdialog').count()).toBe(0);
    expect(await wrong()).toBe(3);

    await admin.getByRole('button', { name: `Remove import #${id}…` }).click();
    await admin.getByRole('button', { name: `Remove import #${id}`, exact: true }).click();
    const status = admin.getByRole('status').filter({ hasText: 'Removed import' });
    await status.waitFor();
    expect(await status.innerText()).toBe(
      `Removed import #${id}: 3 events rows and 1 rejected line (recorded as entry #${id + 1}).`,
    );
    expect(await wrong()).toBe(0);
    expect(await all()).toBe(before - 3);
    // The list marks it removed, with a link to the entry that records the removal.
    const row = admin
      .getByRole('row')
      .filter({ has: admin.getByRole('link', { name: `#${id}`, exact: true }) });
    await row.getByRole('link', { name: `#${id + 1}` }).waitFor();
    // Opened anew (the same address does not remount the page): the import shows as removed.
    await admin.reload();
    await admin.getByText('Removed: its rows are no longer stored').waitFor();
    expect(await admin.getByRole('button', { name: /^Remove import/ }).count()).toBe(0);
    await checkPage(admin, 'data-removed');
    expect(app.problems).toEqual([]);
    await admin.context().close();
  });
});
