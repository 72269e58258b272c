/** Training records from CSV and xAPI, with the import guarantees of events, on every engine. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import { Pseudonymizer } from './pseudonymize.ts';
import { importTraining, isoDurationHours, stageStatement } from './importTraining.ts';

const stmt = (user: string, verb: string, course: string, at: string, extra: object = {}) =>
  JSON.stringify({
    actor: { account: { homePage: 'https://lms.example.org', name: user } },
    verb: { id: `http://adlnet.gov/expapi/verbs/${verb}` },
    object: {
      id: `https://lms.example.org/c/${course}`,
      definition: { name: { 'en-US': course } },
    },
    timestamp: at,
    ...extra,
  });

describe('xAPI mapping', () => {
  it('reads ISO 8601 durations as hours', () => {
    expect(isoDurationHours('PT1H30M')).toBe(1.5);
    expect(isoDurationHours('PT5400S')).toBe(1.5);
    expect(isoDurationHours('P1DT2H')).toBe(26);
    expect(isoDurationHours('PT')).toBeNull();
    expect(isoDurationHours('90 minutes')).toBeNull();
  });

  it('takes account.name, else the mbox address, and skips other verbs', () => {
    expect(
      stageStatement(JSON.parse(stmt('u1', 'attempted', 'C', '2026-03-02T10:00:00Z')), 1),
    ).toBeNull();
    const mbox = stageStatement(
      {
        actor: { mbox: 'mailto:u7@example.org' },
        verb: { id: 'x/passed' },
        object: { id: 'urn:c1' },
        stored: '2026-03-02T10:00:00Z',
      },
      3,
    )!;
    expect(mbox.slice(3)).toEqual(['u7@example.org', 'urn:c1', '2026-03-02T10:00:00Z', '']);
  });
});

for (const engine of engines()) {
  describe(`training import (${engine.name})`, () => {
    let store: Store;
    let dir: string;
    let p: Pseudonymizer;
    beforeAll(async () => {
      store = await engine.open();
      dir = mkdtempSync(join(tmpdir(), 'uptake-training-'));
      p = Pseudonymizer.load(join(dir, 'key'));
    });
    afterAll(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const opts = (file: string, format: 'csv' | 'xapi') => ({
      file,
      format,
      pseudonymizer: p,
      rejectsDir: join(dir, 'rejects'),
    });

    it('imports canonical CSV, rejects bad rows with reasons, and is idempotent', async () => {
      const file = join(dir, 'training.csv');
      writeFileSync(
        file,
        'user_id,course,completed_at,hours\n' +
          'u1,Scribe basics,2026-03-02T12:00:00-05:00,1.5\n' +
          'u2,Scribe basics,2026-03-03T12:00:00-05:00,\n' +
          'u3,,2026-03-03T12:00:00-05:00,1\n' +
          'u4,Scribe basics,2026-03-03T12:00:00,1\n' +
          'u5,Scribe basics,2026-03-03T12:00:00Z,lots\n' +
          'u1,Scribe basics,2026-03-02T17:00:00Z,1.5\n',
      );
      const r = await importTraining(store, opts(file, 'csv'));
      expect(r).toMatchObject({
        table: 'training',
        rows_read: 6,
        rows_stored: 2,
        rows_rejected: 3,
        rows_duplicate: 1,
      });
      const rejects = await store.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM import_rejects WHERE import_id = $1 ORDER BY line`,
        [r.import_id],
      );
      expect(rejects.map((x) => x.line)).toEqual([4, 5, 6]);
      expect(rejects[0]!.reason).toMatch(/course is empty/);
      expect(rejects[1]!.reason).toMatch(/has no UTC offset/);
      expect(rejects[2]!.reason).toBe(
        'hours is not a number of hours between 0 and 1000, e.g. 1.5 (the value has 4 characters: letters)',
      );
      expect(readFileSync(r.rejects_file!, 'utf8')).toContain('u5,Scribe basics');
      const again = await importTraining(store, opts(file, 'csv'));
      expect(again).toMatchObject({ rows_stored: 0, rows_duplicate: 3 });
      const rows = await store.all<{ user_id: string; hours: number | null; source: string }>(
        `SELECT user_id, hours, source FROM training ORDER BY user_id`,
      );
      expect(rows).toEqual([
        { user_id: 'u1', hours: 1.5, source: 'csv' },
        { user_id: 'u2', hours: null, source: 'csv' },
      ]);
    });

    it('imports xAPI NDJSON: completed and passed verbs, others skipped, bad lines rejected', async () => {
      const file = join(dir, 'statements.ndjson');
      writeFileSync(
        file,
        [
          stmt('u1', 'completed', 'Scribe basics', '2026-03-02T17:00:00Z', {
            result: { duration: 'PT1H30M' },
          }), // already stored from CSV
          stmt('u6', 'passed', 'Scribe quiz', '2026-03-04T10:00:00-05:00'),
          stmt('u6', 'attempted', 'Scribe quiz', '2026-03-04T09:00:00-05:00'),
          '',
          '{"actor": ',
          JSON.stringify({
            verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
            object: { id: 'urn:x' },
            timestamp: '2026-03-04T10:00:00Z',
          }),
          stmt('u7', 'completed', 'Scribe basics', '2026-03-05T10:00:00Z', {
            result: { duration: 'an hour' },
          }),
        ].join('\n') + '\n',
      );
      const r = await importTraining(store, opts(file, 'xapi'));
      expect(r).toMatchObject({
        format: 'xapi',
        rows_read: 5,
        rows_stored: 1,
        rows_duplicate: 1,
        rows_rejected: 3,
      });
      expect(r.notes).toEqual({ statements_other_verbs: 1 });
      const rejects = await store.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM import_rejects WHERE import_id = $1 ORDER BY line`,
        [r.import_id],
      );
      expect(rejects.map((x) => x.line)).toEqual([5, 6, 7]);
      expect(rejects[0]!.reason).toMatch(/the line is not valid JSON/);
      expect(rejects[1]!.reason).toMatch(/actor has neither account.name nor mbox/);
      expect(rejects[2]!.reason).toMatch(/result.duration "an hour" is not an ISO 8601 duration/);
      const again = await importTraining(store, opts(file, 'xapi'));
      expect(again.rows_stored).toBe(0);
    });

    it('imports an xAPI JSON array and an LRS statements page', async () => {
      const arr = join(dir, 'statements.json');
      writeFileSync(arr, `[${stmt('u8', 'completed', 'Scribe basics', '2026-03-06T10:00:00Z')}]`);
      const ra = await importTraining(store, opts(arr, 'xapi'));
      expect(ra, JSON.stringify(ra)).toMatchObject({ rows_stored: 1 });
      const page = join(dir, 'page.json');
      writeFileSync(
        page,
        `{"statements": [${stmt('u9', 'completed', 'Scribe basics', '2026-03-06T10:00:00Z')}], "more": ""}`,
      );
      expect((await importTraining(store, opts(page, 'xapi'))).rows_stored).toBe(1);
      const notStatement = join(dir, 'hello.json');
      writeFileSync(notStatement, '{"hello": 1}');
      const r = await importTraining(store, opts(notStatement, 'xapi'));
      expect(r).toMatchObject({ rows_stored: 0, rows_rejected: 1 });
      const doc = join(dir, 'doc.json');
      writeFileSync(doc, '{\n  "hello": 1\n}\n');
      await expect(importTraining(store, opts(doc, 'xapi'))).rejects.toThrow(
        /expected xAPI statements/,
      );
      const garbage = join(dir, 'garbage.json');
      writeFileSync(garbage, 'user,course\n');
      await expect(importTraining(store, opts(garbage, 'xapi'))).rejects.toThrow(/neither NDJSON/);
    });
  });
}
