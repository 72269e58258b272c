/**
 * The one entry for every format: one rejects file per input file, named after it; an import
 * whose every row was rejected is a user error (exit 1) naming the file and what to do; the
 * window of accepted instants is an organisation setting.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import { UptakeError } from '../errors/UptakeError.ts';
import { checkSetting, setSetting } from '../store/settings.ts';
import { importFiles } from './importFiles.ts';
import { loadStaged } from './loadStaged.ts';
import { CSV_COLUMNS } from '../model/canonical.ts';
import { Pseudonymizer } from './pseudonymize.ts';

const HEADER = 'event_id,occurred_at,user_id,action';

for (const engine of engines()) {
  describe(`importFiles (${engine.name})`, () => {
    let dir: string;
    let store: Store;
    const file = (name: string, rows: string[]) => {
      const f = join(dir, name);
      writeFileSync(f, [HEADER, ...rows].join('\n') + '\n');
      return f;
    };
    const run = (files: string[]) =>
      importFiles(store, {
        table: 'events',
        format: 'auto',
        files,
        pseudonymizer: Pseudonymizer.load(join(dir, 'key')),
        rejectsDir: join(dir, 'rejects'),
      });

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'uptake-files-'));
      store = await engine.open();
    });
    afterEach(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('writes one rejects file per input file, named after it', async () => {
      const a = file('a.csv', ['a1,2026-03-02T10:00:00Z,u1,x', 'a2,nope,u1,x']);
      const b = file('b.csv', ['b1,2026-03-02T10:00:00Z,,x', 'b2,2026-03-02T10:00:00Z,u1,x']);
      const [ra, rb] = await run([a, b]);
      expect(ra?.rejects_file).toMatch(/a\.csv\.rejects\.csv$/);
      expect(rb?.rejects_file).toMatch(/b\.csv\.rejects\.csv$/);
      expect(ra?.rejects_file).not.toBe(rb?.rejects_file);
      expect(basename(ra!.rejects_file!)).toContain(`import-${ra!.import_id}-`);
    });

    it('an import whose every row is rejected is a user error naming the file; the rejects are kept', async () => {
      const good = file('good.csv', ['g1,2026-03-02T10:00:00Z,u1,x']);
      const bad = file('bad.csv', ['b1,yesterday,u1,x', 'b2,2026-03-02T10:00:00Z,,x']);
      const reports: number[] = [];
      const err = await importFiles(store, {
        table: 'events',
        format: 'csv',
        files: [good, bad],
        pseudonymizer: Pseudonymizer.load(join(dir, 'key')),
        rejectsDir: join(dir, 'rejects'),
        onReport: (r) => reports.push(r.import_id),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UptakeError);
      expect((err as UptakeError).exitCode).toBe(1);
      const msg = (err as UptakeError).message;
      expect(msg).toContain(bad);
      expect(msg).toMatch(/every row \(2\) was rejected/);
      expect(msg).toMatch(/line 2: occurred_at/);
      expect(msg).toMatch(/uptake imports show 2/);
      expect(msg).not.toContain(good);
      // both imports are recorded: the good rows stored, the bad file's rejects kept
      expect(reports).toEqual([1, 2]);
      const rej = await store.all<{ line: number }>(
        `SELECT line FROM import_rejects WHERE import_id = 2 ORDER BY line`,
      );
      expect(rej.map((r) => r.line)).toEqual([2, 3]);
      const [n] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM events`);
      expect(Number(n?.n)).toBe(1);
    });

    it('an import of several files writes one rejects file per file, each with its own rows', async () => {
      // a format adapter that reads two files into one import (as FHIR does) gives each row its
      // file's number; rows without their own text are re-read from their own file
      const a = file('one.ndjson', ['x', 'y']);
      const b = file('two.ndjson', ['z']);
      const st = await store.staging();
      await st.run(
        `CREATE OR REPLACE TEMP TABLE two_files AS SELECT * FROM (VALUES
           (0, 2, NULL, 'a1', '2026-03-02T10:00:00Z', 'u1', 'x'),
           (0, 3, NULL, 'a2', 'never', 'u1', 'x'),
           (1, 2, 'its own text', 'b1', '2026-03-02T10:00:00Z', NULL, 'x'))
         t(file_no, line, raw_text, event_id, occurred_at, user_id, action)`,
      );
      const r = await loadStaged(store, st, {
        table: 'events',
        file: `${a}, ${b}`,
        files: [a, b],
        format: 'test',
        t0: Date.now(),
        pseudonymizer: Pseudonymizer.load(join(dir, 'key')),
        rejectsDir: join(dir, 'rejects'),
        sourceSelect: `SELECT file_no, line, CAST(NULL AS VARCHAR) AS pre_reason, raw_text, event_id, occurred_at,
          user_id, action, ${CSV_COLUMNS.events.optional.map((c) => `CAST(NULL AS VARCHAR) AS ${c}`).join(', ')}
          FROM two_files`,
        parseErrors: [],
        unknownColumns: [],
        tempTables: ['two_files'],
      });
      expect(r).toMatchObject({ rows_read: 3, rows_stored: 1, rows_rejected: 2 });
      expect(r.rejects_files).toHaveLength(2);
      expect(r.rejects_file).toBe(r.rejects_files![0]);
      expect(r.rejects_files![0]).toMatch(/one\.ndjson\.rejects\.csv$/);
      expect(r.rejects_files![1]).toMatch(/two\.ndjson\.rejects\.csv$/);
      expect(readFileSync(r.rejects_files![0]!, 'utf8')).toBe(
        'line,reason,row\n3,"occurred_at is not a valid ISO 8601 date and time such as 2026-03-02T08:15:00-05:00 (the value has 5 characters: letters)","y"\n',
      );
      expect(readFileSync(r.rejects_files![1]!, 'utf8')).toBe(
        'line,reason,row\n2,"user_id is empty; it is required","its own text"\n',
      );
    });

    it('a header alone is not an error', async () => {
      const [r] = await run([file('empty.csv', [])]);
      expect(r).toMatchObject({ rows_read: 0, rows_rejected: 0 });
    });

    it('takes the window of accepted instants from the settings, and states it', async () => {
      const f = file('w.csv', [
        'w1,2019-12-31T23:59:59Z,u1,x',
        'w2,2020-01-01T00:00:00Z,u1,x',
        'w3,2026-06-30T23:59:59Z,u1,x',
        'w4,2026-07-01T00:00:00+00:00,u1,x',
      ]);
      await setSetting(store, 'earliest_instant', '2020-01-01');
      await setSetting(store, 'latest_instant', '2026-07-01T00:00:00Z');
      const [r] = await run([f]);
      expect(r).toMatchObject({ rows_stored: 2, rows_rejected: 2 });
      const rej = await store.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM import_rejects ORDER BY line`,
      );
      expect(rej).toEqual([
        {
          line: 2,
          reason: expect.stringMatching(
            /^occurred_at is before 2020-01-01T00:00:00Z, the earliest instant accepted \(setting earliest_instant\)/,
          ),
        },
        {
          line: 5,
          reason: expect.stringMatching(
            /^occurred_at is at or after 2026-07-01T00:00:00Z, the end of the instants accepted \(setting latest_instant\)/,
          ),
        },
      ]);
      // a window relative to the time of the import
      await setSetting(store, 'earliest_instant', 'P10Y');
      await setSetting(store, 'latest_instant', 'P1D'); // midnight UTC after today
      const g = file('rel.csv', [
        `r1,${new Date(Date.now() - 3600_000).toISOString()},u1,x`,
        `r2,${new Date(Date.now() + 3 * 86400_000).toISOString()},u1,x`,
        `r3,${new Date(Date.now() - 11 * 365 * 86400_000).toISOString()},u1,x`,
      ]);
      const [rg] = await run([g]);
      expect(rg).toMatchObject({ rows_stored: 1, rows_rejected: 2 });
      // a window that is empty is refused before anything is stored
      await setSetting(store, 'earliest_instant', '2030-01-01');
      await setSetting(store, 'latest_instant', '2029-01-01');
      await expect(run([f])).rejects.toThrow(/earliest_instant .* is not before latest_instant/);
      expect(existsSync(join(dir, 'rejects'))).toBe(true);
    });
  });
}

describe('instant window settings', () => {
  it('accepts dates, instants with an offset and ISO 8601 periods, and nothing else', () => {
    for (const v of [
      '1990-01-01',
      '2026-07-01T00:00:00Z',
      '2026-07-01T00:00:00-05:00',
      'P1Y',
      'P18M',
      'P30D',
      'P0D',
    ])
      expect(() => checkSetting('latest_instant', v), v).not.toThrow();
    for (const v of ['yesterday', '2026-13-01', '2026-07-01T00:00:00', 'P', '1Y', '-P1Y', ''])
      expect(() => checkSetting('earliest_instant', v), v).toThrow(/earliest_instant must be/);
  });
});
