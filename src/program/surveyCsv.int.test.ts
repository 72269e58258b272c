/**
 * CSV import of survey responses, on both engines: good rows stored, bad rows kept aside with
 * their line and a reason that names the column without quoting the value, the rejects file
 * holding the rows verbatim, duplicates within the file and across imports stored once, and the
 * results of the stored rows computed by hand.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import type { ProgramActor } from './actor.ts';
import { createSurvey } from './surveyStore.ts';
import { importSurveyResponsesCsv } from './surveyCsv.ts';
import { surveyResults } from './surveyResults.ts';

const KEY = Buffer.alloc(32, 5);
const ADMIN: ProgramActor = { username: 'root', role: 'admin', clinician: null, groups: [] };

// Lines: 1 header, 2–5 good, 6 a value off the scale, 7 an empty id, 8 a duplicate of line 2's
// id, 9 an instant without offset, 10 no answer at all, 11 a row of too many fields, 12 good
// with the choice answered.
const CSV = [
  'ID,nps,dept,department,submitted_at,why',
  'r1,10,x,North,2026-03-02T09:30:00Z,',
  'r2,9,x,North,2026-03-02T10:00:00+01:00,"fast, reliable"',
  'r3,3,x,North,,',
  'r4,7,x,South,,',
  'r5,11,x,North,,',
  ',9,x,North,,',
  'r1,0,x,North,,',
  'r6,8,x,North,2026-03-02 09:30:00,',
  'r7,,x,North,,',
  'r8,1,x,North,,,extra',
  'r9,0,x,South,,',
].join('\n');

describe.each(engines())('survey responses from CSV on $name', (engine) => {
  let store: Store;
  let dir: string;
  beforeAll(async () => {
    store = await engine.open();
    dir = mkdtempSync(join(tmpdir(), 'uptake-survey-csv-'));
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the good rows, keeps the bad ones aside with line and reason, once', async () => {
    const s = await createSurvey(store, ADMIN, {
      title: 'NPS from elsewhere',
      instrument: 'custom',
      anonymous: true,
      items: [
        { link_id: 'nps', type: 'scale0_10', text: 'Recommend?' },
        { link_id: 'why', type: 'free_text', text: 'Why?' },
      ],
    });
    const file = join(dir, 'responses.csv');
    writeFileSync(file, CSV + '\n');
    const opts = {
      surveyId: s.id,
      file,
      rejectsDir: join(dir, 'rejects'),
      key: KEY,
      now: new Date('2026-03-05T12:00:00Z'),
    };
    const r = await importSurveyResponsesCsv(store, opts);
    expect(r).toMatchObject({
      items: ['nps', 'why'],
      rows_read: 11,
      rows_stored: 5,
      rows_rejected: 5,
      rows_duplicate: 1,
      unknown_columns: ['dept'],
      // an anonymous survey: the days of the stored rows
      time_range: { from: '2026-03-02T00:00:00Z', to: '2026-03-05T00:00:00Z' },
    });
    // the imports list holds it as any import
    const [entry] = await store.all<{ table_name: string; rows_stored: number }>(
      `SELECT table_name, rows_stored FROM imports WHERE import_id = $1`,
      [r.import_id],
    );
    expect(entry).toMatchObject({ table_name: 'survey_responses' });
    expect(Number(entry!.rows_stored)).toBe(5);
    const rejects = await store.all<{ line: number; reason: string }>(
      `SELECT line, reason FROM import_rejects WHERE import_id = $1 ORDER BY line`,
      [r.import_id],
    );
    expect(rejects.map((x) => Number(x.line))).toEqual([6, 7, 9, 10, 11]);
    expect(rejects[0]!.reason).toBe(
      'nps (the value has 2 characters: digits); give a whole number from 0 to 10 or leave it empty',
    );
    expect(rejects[1]!.reason).toMatch(/^id is empty/);
    expect(rejects[2]!.reason).toMatch(/^submitted_at \(the value has 19 characters/);
    expect(rejects[3]!.reason).toMatch(/^no item is answered/);
    // no reason quotes a value
    for (const x of rejects) expect(x.reason).not.toMatch(/r5|r6|r7|r8|2026-03-02 09:30/);
    const file2 = readFileSync(r.rejects_file!, 'utf8').split('\n');
    expect(file2[0]).toBe('line,reason,row');
    expect(file2[1]).toMatch(/^6,".*","r5,11,x,North,,"$/);

    // the rows: anonymous, so each keeps its day; the ids only as keyed hashes
    const rows = await store.all<{
      department: string;
      us: number;
      external_key: string;
      id: string;
    }>(
      `SELECT department, ${store.dialect.epochUs('submitted_at')} AS us, external_key, id FROM survey_responses ORDER BY us, department`,
    );
    expect(rows.map((x) => [x.department, new Date(Number(x.us) / 1000).toISOString()])).toEqual([
      ['North', '2026-03-02T00:00:00.000Z'],
      ['North', '2026-03-02T00:00:00.000Z'],
      ['North', '2026-03-05T00:00:00.000Z'],
      ['South', '2026-03-05T00:00:00.000Z'],
      ['South', '2026-03-05T00:00:00.000Z'],
    ]);
    for (const x of rows) expect([x.id, x.external_key].join()).not.toMatch(/\br\d\b/);
    const [why] = await store.all<{ value_text: string }>(
      `SELECT value_text FROM survey_answers WHERE link_id = 'why'`,
    );
    expect(why!.value_text).toBe('fast, reliable');

    // again: nothing stored twice
    const again = await importSurveyResponsesCsv(store, opts);
    expect(again).toMatchObject({
      rows_read: 11,
      rows_stored: 0,
      rows_rejected: 5,
      rows_duplicate: 6,
    });
    const [n] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM survey_answers`);
    expect(Number(n!.n)).toBe(6); // 5 nps answers and one why

    // a custom survey: the response count without invitations (no rate to give)
    const res = await surveyResults(store, s.id, { by: 'org', threshold: 1 });
    expect(res.total).toMatchObject({ invited: 0, responses: 5, response_rate: null });
  });

  it('scores imported SUS sheets as sheets answered in the app, a missing item giving no score', async () => {
    const s = await createSurvey(store, ADMIN, {
      title: 'SUS elsewhere',
      instrument: 'sus',
      anonymous: false,
    });
    const head = ['id', ...Array.from({ length: 10 }, (_, k) => `sus${k + 1}`)].join(',');
    const file = join(dir, 'sus.csv');
    // 100; 50; and a sheet with item 7 empty (a response without a score)
    writeFileSync(
      file,
      [head, 'a,5,1,5,1,5,1,5,1,5,1', 'b,3,3,3,3,3,3,3,3,3,3', 'c,3,3,3,3,3,3,,3,3,3', ''].join(
        '\n',
      ),
    );
    const r = await importSurveyResponsesCsv(store, {
      surveyId: s.id,
      file,
      rejectsDir: dir,
      key: KEY,
    });
    expect(r).toMatchObject({ rows_stored: 3, rows_rejected: 0, rejects_file: null });
    const res = await surveyResults(store, s.id, { by: 'org', threshold: 1 });
    expect(res.total.responses).toBe(3);
    // (100 + 50) / 2 = 75, sd = √((25² + 25²) / 1) = 35.355; t(0.975, 1) = 12.7062 → 75 ± 317.65
    expect(res.total.sus).toMatchObject({ n: 2, mean: 75, band: 'good' });
    expect(res.total.sus!.ci95![0]).toBeCloseTo(75 - 12.7062047 * 25, 3);
  });

  it('refuses a file without an id column or without any item column, naming what it needs', async () => {
    const s = await createSurvey(store, ADMIN, {
      title: 'SUS',
      instrument: 'sus',
      anonymous: false,
    });
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'sus1,sus2\n1,2\n');
    await expect(
      importSurveyResponsesCsv(store, { surveyId: s.id, file, rejectsDir: dir, key: KEY }),
    ).rejects.toThrow(
      /bad.csv, line 1: no id column; the header must name id and the items' linkIds \(sus1, sus2/,
    );
    writeFileSync(file, 'id,q1\n1,2\n');
    await expect(
      importSurveyResponsesCsv(store, { surveyId: s.id, file, rejectsDir: dir, key: KEY }),
    ).rejects.toThrow(/no column of an item of survey/);
  });
});
