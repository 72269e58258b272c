/**
 * Imports through the API (issue 11, items 9 and 10): an administrator removes a wrong upload
 * (`DELETE /api/imports/:id`, CSRF-checked and access-logged like every admin write) and exactly
 * its rows go, on every engine, and the report cache sees the change; and on PostgreSQL an upload
 * made while a CLI import is inside its transaction succeeds with an import id of its own.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines, freshPgDatabase } from '../testing/testEngines.ts';
import { pgSession } from '../testing/pgAdmin.ts';
import { PostgresStore } from '../store/postgresStore.ts';
import type { Store } from '../store/Store.ts';
import {
  call,
  login,
  testSystem,
  removeTestDir,
  type Session,
  type TestSystem,
} from '../testing/testSystem.ts';

afterAll(removeTestDir);

async function counts(store: Store): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['events', 'clinicians', 'schedule', 'orders', 'import_rejects', 'imports']) {
    const [r] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM ${t}`);
    out[t] = Number(r?.n);
  }
  return out;
}

describe.each(engines())('removing an import through the API on $name', (engine) => {
  let sys: TestSystem;
  let admin: Session;
  let leader: Session;
  let id = 0;

  beforeAll(async () => {
    sys = await testSystem(engine);
    admin = await login(sys.app, sys.account('admin'));
    leader = await login(sys.app, sys.account('leader'));
  }, 600_000);
  afterAll(async () => sys?.close());

  const meta = async () =>
    (
      (await call(sys.app, admin, 'GET', '/api/meta')).json() as {
        data_range: { table: string; source: string }[];
      }
    ).data_range;

  /** The clinician's own figures once the day table has taken in every import. */
  const mine = async (uid: string) => {
    for (let i = 0; ; i++) {
      const r = await call(sys.app, admin, 'GET', `/api/me/report?user_id=${uid}`);
      expect(r.statusCode, r.body).toBe(200);
      const b = r.json() as { me: unknown; weekly: unknown; freshness: { updating: boolean } };
      if (!b.freshness.updating) return { me: b.me, weekly: b.weekly };
      if (i > 300) throw new Error('the report stayed updating');
      await new Promise((res) => setTimeout(res, 100));
    }
  };

  it('uploads a wrong file, then removes exactly its rows; the reports see the change', async () => {
    const uid = sys.account('clinician').clinician_id!;
    const figures = await mine(uid);
    const csv =
      'event_id,occurred_at,user_id,action,category,source\n' +
      Array.from(
        { length: 7 },
        (_, i) => `wrong-${i},2026-01-14T10:0${i}:00-05:00,${uid},note_edit,notes,wrongsystem`,
      ).join('\n') +
      '\nwrong-bad,yesterday,u,x,notes,wrongsystem\n';
    const up = await sys.app.inject({
      method: 'POST',
      url: '/api/imports?table=events&filename=wrong.csv',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(up.statusCode, up.body).toBe(200);
    const report = up.json() as { import_id: number; rows_stored: number; rows_rejected: number };
    expect([report.rows_stored, report.rows_rejected]).toEqual([7, 1]);
    id = report.import_id;
    expect((await meta()).some((r) => r.source === 'wrongsystem')).toBe(true);
    // The wrong rows count in the clinician's figures (six minutes of notes)…
    expect(await mine(uid)).not.toEqual(figures);
    const before = await counts(sys.store);

    const preview = await call(sys.app, admin, 'GET', `/api/imports/${id}/removal`);
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toMatchObject({ rows: { events: 7 }, rejects: 1, removed: false });
    expect(await counts(sys.store)).toEqual(before);

    // Admin only, and with the session's CSRF token.
    expect((await call(sys.app, leader, 'DELETE', `/api/imports/${id}`)).statusCode).toBe(403);
    expect(
      (await call(sys.app, admin, 'DELETE', `/api/imports/${id}`, { csrf: false })).statusCode,
    ).toBe(403);
    expect(await counts(sys.store)).toEqual(before);

    const del = await call(sys.app, admin, 'DELETE', `/api/imports/${id}`);
    expect(del.statusCode, del.body).toBe(200);
    expect(del.json()).toMatchObject({
      import_id: id,
      table: 'events',
      file: 'wrong.csv',
      rows: { events: 7 },
      rejects: 1,
      removal_id: id + 1,
      removed: true,
    });
    expect(await counts(sys.store)).toEqual({
      ...before,
      events: before['events']! - 7,
      import_rejects: before['import_rejects']! - 1,
      imports: before['imports']! + 1,
    });
    expect(
      await sys.store.all(`SELECT count(*) AS n FROM events WHERE source = 'wrongsystem'`),
    ).toEqual([{ n: 0 }]);
    // The cached report facts were dropped: the wrong source is gone from the data range.
    expect((await meta()).some((r) => r.source === 'wrongsystem')).toBe(false);
    // …and no longer once removed: the day table recomputed the days the import reached.
    expect(await mine(uid)).toEqual(figures);

    const list = (await call(sys.app, admin, 'GET', '/api/imports')).json() as {
      import_id: number;
      format: string;
      removed_by: number | null;
    }[];
    expect(list.filter((r) => r.import_id >= id)).toEqual([
      expect.objectContaining({ import_id: id, format: 'csv', removed_by: id + 1 }),
      expect.objectContaining({ import_id: id + 1, format: 'removal', removed_by: null }),
    ]);
    const entry = await call(sys.app, admin, 'GET', `/api/imports/${id + 1}`);
    expect(entry.statusCode, entry.body).toBe(200);
    expect(entry.json()).toMatchObject({
      report: { format: 'removal', notes: { removed_import: id, events_removed: 7 } },
    });

    const logged = await sys.store.all<{ action: string; outcome: string; username: string }>(
      `SELECT action, outcome, username FROM access_log WHERE resource = $1 ORDER BY logged_at`,
      [`imports/${id}`],
    );
    expect(logged).toContainEqual({ action: 'delete', outcome: 'success', username: 'admin' });
  });

  it('answers 409 for an import removed already or a removal entry, 404 for none', async () => {
    const before = await counts(sys.store);
    for (const [target, status] of [
      [id, 409],
      [id + 1, 409],
      [99_999, 404],
    ] as const) {
      const r = await call(sys.app, admin, 'DELETE', `/api/imports/${target}`);
      expect(r.statusCode, r.body).toBe(status);
    }
    expect(await counts(sys.store)).toEqual(before);
  });
});

const pgUrl = inject('pgUrl');
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'uptake.js');

describe.skipIf(!pgUrl)(
  'an upload while a CLI import is inside its transaction (PostgreSQL)',
  () => {
    let sys: TestSystem;
    let admin: Session;
    let url = '';
    let dir = '';
    beforeAll(async () => {
      url = await freshPgDatabase(pgUrl!);
      sys = await testSystem(
        { name: 'postgres', open: () => PostgresStore.open(url) },
        { empty: true },
      );
      admin = await login(sys.app, sys.account('admin'));
      dir = mkdtempSync(join(tmpdir(), 'uptake-upload-cli-'));
      // The first COPY into events (the CLI's) sleeps 8 s, holding its import id uncommitted.
      const c = await pgSession(url);
      await c.run(`CREATE SEQUENCE uptake_test_copies`);
      await c.run(`CREATE FUNCTION uptake_test_slow() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN IF nextval('uptake_test_copies') = 1 THEN PERFORM pg_sleep(8); END IF; RETURN NULL; END $$`);
      await c.run(
        `CREATE TRIGGER uptake_test_slow BEFORE INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION uptake_test_slow()`,
      );
      await c.close();
    }, 600_000);
    afterAll(async () => {
      await sys?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('both succeed, each with its own import id', async () => {
      const head = 'event_id,occurred_at,user_id,action,category\n';
      writeFileSync(
        join(dir, 'cli.csv'),
        head +
          Array.from({ length: 4 }, (_, i) => `c${i},2026-03-02T09:0${i}:00Z,u1,x,notes`).join(
            '\n',
          ) +
          '\n',
      );
      const child = spawn(
        process.execPath,
        [BIN, 'import', 'events', 'cli.csv', '--database-url', url],
        {
          cwd: dir,
          env: {
            ...process.env,
            UPTAKE_PSEUDONYM_KEY: 'k'.repeat(40),
            DATABASE_URL: '',
            UPTAKE_DB: '',
          },
        },
      );
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const exited = new Promise<number | null>((r) => child.on('close', r));
      // Wait until the CLI's COPY sleeps inside its transaction.
      const probe = await pgSession(pgUrl!);
      try {
        for (let i = 0; ; i++) {
          const rows = await probe.all(
            `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'PgSleep'`,
            [new URL(url).pathname.slice(1)],
          );
          if (rows.length) break;
          if (i > 600) throw new Error('the CLI import never reached its COPY');
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await probe.close();
      }
      const up = await sys.app.inject({
        method: 'POST',
        url: '/api/imports?table=events&filename=upload.csv',
        headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'text/csv' },
        payload: head + 'u0,2026-03-02T10:00:00Z,u2,x,notes\nu1,2026-03-02T10:01:00Z,u2,x,notes\n',
      });
      expect(up.statusCode, up.body).toBe(200);
      expect(await exited).toBe(0);
      expect(stderr).toBe('');
      expect(
        await sys.store.all(`SELECT import_id, file, rows_stored FROM imports ORDER BY import_id`),
      ).toEqual([
        { import_id: 1, file: 'cli.csv', rows_stored: 4 },
        { import_id: 2, file: 'upload.csv', rows_stored: 2 },
      ]);
      expect(await sys.store.all(`SELECT count(*) AS n FROM events`)).toEqual([{ n: 6 }]);
    });
  },
);
