/**
 * Removing a wrong import (issue 11, item 10), on every engine: exactly the rows the import stored
 * and that are still there go, per table, with its rejected lines and its rejects file; the
 * removal is an entry of its own, so the data version the report caches key on changes and an
 * import id is never used twice. Also through the real CLI (`uptake imports remove ID [--yes]`).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UptakeError } from '../errors/UptakeError.ts';
import type { Store } from '../store/Store.ts';
import { engines, freshPgDatabase } from '../testing/testEngines.ts';
import { importCsv } from './importCsv.ts';
import { Pseudonymizer } from './pseudonymize.ts';
import { describeRemoval, previewRemoval, removeImport } from './removeImport.ts';

const TABLES = [
  'events',
  'clinicians',
  'clinician_identifiers',
  'schedule',
  'orders',
  'import_rejects',
  'imports',
];

async function counts(store: Store): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const [r] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM ${t}`);
    out[t] = Number(r?.n);
  }
  return out;
}

/** The data version as the report cache reads it (src/server/cache.ts). */
async function dataVersion(store: Store): Promise<string> {
  const [r] = await store.all<{ v: number | null; n: number; f: number }>(
    `SELECT max(import_id) AS v, count(*) AS n, count(finished_at) AS f FROM imports`,
  );
  return `${r?.v ?? 0}:${r?.n ?? 0}:${r?.f ?? 0}`;
}

const ev = (id: string, t: string, user = 'u1') => `${id},2026-03-02T${t}:00Z,${user},x,notes`;
const EVENTS_HEAD = 'event_id,occurred_at,user_id,action,category\n';

describe.each(engines())('removing an import on $name', (engine) => {
  let store: Store;
  let dir: string;
  const files: Record<string, string> = {};
  const imp = (table: 'events' | 'clinicians' | 'schedule', name: string) =>
    importCsv(store, {
      table,
      file: files[name]!,
      pseudonymizer: new Pseudonymizer(Buffer.alloc(32, 1)),
      rejectsDir: join(dir, 'rejects'),
    });

  beforeAll(async () => {
    store = await engine.open();
    dir = mkdtempSync(join(tmpdir(), 'uptake-remove-'));
    const write = (name: string, text: string) => {
      files[name] = join(dir, name);
      writeFileSync(files[name]!, text);
    };
    write(
      'roster.csv',
      'user_id,role,department\nu1,physician,North\nu2,physician,North\nu3,nurse,South\n',
    );
    // 10 good events, 2 rejected
    write(
      'e1.csv',
      EVENTS_HEAD +
        [
          ...Array.from({ length: 10 }, (_, i) => ev(`a${i}`, `09:${String(i).padStart(2, '0')}`)),
          'bad1,not a time,u1,x,notes',
          'bad2,also not,u1,x,notes',
        ].join('\n') +
        '\n',
    );
    // 3 events already stored by e1, 5 new
    write(
      'e2.csv',
      EVENTS_HEAD +
        [
          ev('a0', '09:00'),
          ev('a1', '09:01'),
          ev('a2', '09:02'),
          ...Array.from({ length: 5 }, (_, i) => ev(`b${i}`, `10:0${i}`, 'u2')),
        ].join('\n') +
        '\n',
    );
    write(
      'schedule.csv',
      'user_id,kind,start,end\nu1,session,2026-03-02T08:00:00Z,2026-03-02T12:00:00Z\nu2,session,2026-03-02T08:00:00Z,2026-03-02T12:00:00Z\n',
    );
    // u1 changes department (updated), u4 is new
    write('roster2.csv', 'user_id,role,department\nu1,physician,East\nu4,physician,East\n');
    expect((await imp('clinicians', 'roster.csv')).import_id).toBe(1);
    const r2 = await imp('events', 'e1.csv');
    expect([r2.import_id, r2.rows_stored, r2.rows_rejected]).toEqual([2, 10, 2]);
    const r3 = await imp('events', 'e2.csv');
    expect([r3.import_id, r3.rows_stored, r3.rows_duplicate]).toEqual([3, 5, 3]);
    expect((await imp('schedule', 'schedule.csv')).import_id).toBe(4);
    const r5 = await imp('clinicians', 'roster2.csv');
    expect([r5.import_id, r5.rows_stored, r5.rows_updated]).toEqual([5, 1, 1]);
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a preview counts what would go and changes nothing', async () => {
    const before = await counts(store);
    const p = await previewRemoval(store, 2);
    expect(p).toEqual({
      import_id: 2,
      table: 'events',
      file: files['e1.csv'],
      rows: { events: 10 },
      rejects: 2,
      rejects_files: [join(dir, 'rejects', 'import-2-events-e1.csv.rejects.csv')],
      rejects_files_missing: [],
      replaced_rows: 0,
      removal_id: null,
    });
    expect(await counts(store)).toEqual(before);
    expect(describeRemoval(p, true)).toBe(
      `import 2 (events, ${files['e1.csv']}) would be removed: 10 events rows, 2 rejected lines\n` +
        `  rejects file ${join(dir, 'rejects', 'import-2-events-e1.csv.rejects.csv')} would be deleted\n` +
        'nothing was removed; run again with --yes to remove it',
    );
  });

  it('removes exactly the rows the import stored, its rejected lines and its rejects file', async () => {
    const before = await counts(store);
    expect(before).toEqual({
      events: 15,
      clinicians: 4,
      clinician_identifiers: 0,
      schedule: 2,
      orders: 0,
      import_rejects: 2,
      imports: 5,
    });
    const version = await dataVersion(store);
    expect(version).toBe('5:5:5');
    const s = await removeImport(store, 2);
    expect(s).toMatchObject({ import_id: 2, rows: { events: 10 }, rejects: 2, removal_id: 6 });
    expect(await counts(store)).toEqual({ ...before, events: 5, import_rejects: 0, imports: 6 });
    // The events left are import 3's own (its 3 "already present" rows went with import 2).
    expect(await store.all(`SELECT event_id, import_id FROM events ORDER BY event_id`)).toEqual(
      Array.from({ length: 5 }, (_, i) => ({ event_id: `b${i}`, import_id: 3 })),
    );
    expect(existsSync(join(dir, 'rejects', 'import-2-events-e1.csv.rejects.csv'))).toBe(false);
    const entries = await store.all<{
      import_id: number;
      format: string;
      removed_by: number | null;
      file: string;
    }>(
      `SELECT import_id, format, removed_by, file FROM imports WHERE import_id IN (2, 6) ORDER BY import_id`,
    );
    expect(entries).toEqual([
      { import_id: 2, format: 'csv', removed_by: 6, file: files['e1.csv'] },
      {
        import_id: 6,
        format: 'removal',
        removed_by: null,
        file: `removal of import 2 (${files['e1.csv']})`,
      },
    ]);
    // The report caches' key changes; it only ever grows.
    expect(await dataVersion(store)).toBe('6:6:6');
  });

  it('refuses an import removed already, a removal entry and a missing import, changing nothing', async () => {
    const before = await counts(store);
    for (const [id, code, message] of [
      [2, 'CONFLICT', 'import 2 was removed already (entry 6); nothing is left to remove'],
      [6, 'CONFLICT', /^entry 6 records the removal of an import and stored no rows/],
      [99, 'NOT_FOUND', 'no import 99; see uptake imports list'],
    ] as const) {
      const e = await removeImport(store, id).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UptakeError);
      expect((e as UptakeError).code).toBe(code);
      expect((e as UptakeError).message).toMatch(message);
      await expect(previewRemoval(store, id)).rejects.toThrow(message);
    }
    expect(await counts(store)).toEqual(before);
  });

  it('a roster import: its rows go, and the rows it replaced are said not to come back', async () => {
    const s = await removeImport(store, 5);
    expect(s).toMatchObject({
      rows: { clinicians: 2, clinician_identifiers: 0 },
      replaced_rows: 1,
      removal_id: 7,
    });
    expect(await store.all(`SELECT user_id FROM clinicians ORDER BY user_id`)).toEqual([
      { user_id: 'u2' },
      { user_id: 'u3' },
    ]);
    expect(describeRemoval(s, false)).toContain(
      '1 of its roster rows replaced earlier versions, which removing does not bring back',
    );
  });

  it('the next import takes a new id, and re-importing the removed file brings its rows back', async () => {
    const r = await imp('events', 'e1.csv');
    expect([r.import_id, r.rows_stored, r.rows_duplicate, r.rows_rejected]).toEqual([8, 10, 0, 2]);
    expect((await counts(store)).events).toBe(15);
  });
});

const pgUrl = inject('pgUrl');
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'uptake.js');

describe.each(pgUrl ? ['duckdb', 'postgres'] : ['duckdb'])(
  'uptake imports remove (%s)',
  (engine) => {
    let dir: string;
    let store: string[];
    const uptake = (args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, ...args, ...store], {
        cwd: dir,
        encoding: 'utf8',
        env: {
          ...process.env,
          UPTAKE_DB: '',
          DATABASE_URL: '',
          UPTAKE_PSEUDONYM_KEY: 'k'.repeat(40),
        },
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'uptake-remove-cli-'));
      store =
        engine === 'postgres'
          ? ['--database-url', await freshPgDatabase(pgUrl!)]
          : ['--db', 's.duckdb'];
      writeFileSync(
        join(dir, 'e.csv'),
        EVENTS_HEAD + [ev('a', '09:00'), ev('b', '09:01'), 'c,bad,u1,x,notes'].join('\n') + '\n',
      );
      expect(uptake(['import', 'events', 'e.csv']).status).toBe(0);
    }, 60_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('without --yes says what would go and removes nothing; with --yes removes it', () => {
      const rejects = join(
        engine === 'postgres' ? 'uptake-rejects' : 's.duckdb.rejects',
        'import-1-events-e.csv.rejects.csv',
      );
      const preview = uptake(['imports', 'remove', '1']);
      expect(preview.stderr).toBe('');
      expect(preview.status).toBe(0);
      expect(preview.stdout).toBe(
        'import 1 (events, e.csv) would be removed: 2 events rows, 1 rejected line\n' +
          `  rejects file ${rejects} would be deleted\n` +
          'nothing was removed; run again with --yes to remove it\n',
      );
      expect(existsSync(join(dir, rejects))).toBe(true);
      const done = uptake(['imports', 'remove', '1', '--yes', '--json']);
      expect(done.stderr).toBe('');
      expect(done.status).toBe(0);
      expect(JSON.parse(done.stdout)).toEqual({
        import_id: 1,
        table: 'events',
        file: 'e.csv',
        rows: { events: 2 },
        rejects: 1,
        rejects_files: [rejects],
        rejects_files_missing: [],
        replaced_rows: 0,
        removal_id: 2,
        removed: true,
      });
      expect(existsSync(join(dir, rejects))).toBe(false);
      const list = JSON.parse(uptake(['imports', 'list', '--json']).stdout) as Record<
        string,
        unknown
      >[];
      expect(
        list.map((i) => [i['import_id'], i['format'], i['rows_stored'], i['removed_by']]),
      ).toEqual([
        [1, 'csv', 2, 2],
        [2, 'removal', 0, null],
      ]);
      const again = uptake(['imports', 'remove', '1', '--yes']);
      expect(again.status).toBe(1);
      expect(again.stderr).toBe(
        'uptake: import 1 was removed already (entry 2); nothing is left to remove\n',
      );
      const bad = uptake(['imports', 'remove', 'x']);
      expect(bad.status).toBe(2);
    });
  },
);
