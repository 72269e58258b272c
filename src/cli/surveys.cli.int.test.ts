/**
 * `uptake surveys …` as a user runs it (the real CLI, a store on each engine): an anonymous SUS
 * survey of Cardiology answered by five clinicians on hand-chosen sheets (SUS 50, 75, 100, 75, 50:
 * mean 70, sd √437.5, 95% t-interval 70 ± t(0.975, 4)·sd/√5), its results in table, JSON and CSV,
 * before/after against itself (difference 0, Welch SE √(2·437.5/5), df 8); the FHIR export
 * imported again as a new survey with the same results; a CSV of responses with a bad row
 * rejected by line; errors of the closed set with their exit statuses; the access log.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountsOf } from '../admin/accounts.ts';
import { keyFile } from '../admin/paths.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import type { ProgramActor } from '../program/actor.ts';
import {
  createSurvey,
  inviteToSurvey,
  openSurvey,
  respondToSurvey,
} from '../program/surveyStore.ts';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { PostgresStore } from '../store/postgresStore.ts';
import type { Store } from '../store/Store.ts';
import { loadDataset } from '../testing/loadDataset.ts';
import { freshPgDatabase } from '../testing/testEngines.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'uptake.js');
const pgUrl = inject('pgUrl');
const T4 = 2.7764451051977987;
const T8 = 2.306004135033371;
const SD = Math.sqrt(437.5);

const ADMIN: ProgramActor = { username: 'root', role: 'admin', clinician: null, groups: [] };
const clinician = (username: string): ProgramActor => ({
  username,
  role: 'clinician',
  clinician: { department: 'Cardiology', specialty: 'Cardiology', role: 'physician' },
  groups: [],
});
const sheet = (odd: number, even: number) =>
  Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`sus${i + 1}`, i % 2 ? even : odd]));

const targets: { name: 'duckdb' | 'postgres' }[] = [
  { name: 'duckdb' },
  ...(pgUrl ? [{ name: 'postgres' as const }] : []),
];

describe.each(targets)('uptake surveys on $name', ({ name }) => {
  let dir: string;
  let args: string[];
  let open: () => Promise<Store>;
  let env: Record<string, string>;
  let sus = '';

  function uptake(a: string[]) {
    const r = spawnSync(process.execPath, [BIN, ...a, ...args], {
      encoding: 'utf8',
      env: { ...process.env, UPTAKE_DB: '', DATABASE_URL: '', UPTAKE_DEBUG: '', ...env },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  async function withTestStore<T>(fn: (s: Store) => Promise<T>): Promise<T> {
    const s = await open();
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `uptake-surveys-cli-${name}-`));
    env = { UPTAKE_KEY_FILE: join(dir, 'pseudonym.key') };
    process.env['UPTAKE_KEY_FILE'] = env['UPTAKE_KEY_FILE'];
    if (name === 'duckdb') {
      const file = join(dir, 'u.duckdb');
      args = ['--db', file];
      open = () => DuckDBStore.open(file);
    } else {
      const url = await freshPgDatabase(pgUrl!);
      args = ['--database-url', url];
      open = () => PostgresStore.open(url);
    }
    await withTestStore(async (s) => {
      await loadDataset(s, {
        events: [],
        schedule: [],
        clinicians: [1, 2, 3, 4, 5, 6].map((i) => ({
          user_id: `C${i}`,
          role: 'physician',
          department: 'Cardiology',
          specialty: 'Cardiology',
        })),
      });
      const acc = accountsOf(s);
      for (let i = 1; i <= 6; i++)
        await acc.create({
          username: `c${i}`,
          password: 'a long test password',
          role: 'clinician',
          clinician_id: `C${i}`,
        });
      const key = Pseudonymizer.load(keyFile(s)).derivedKey('survey-invitees');
      const survey = await createSurvey(s, ADMIN, {
        title: 'SUS of the new EHR',
        instrument: 'sus',
        anonymous: true,
        target_groups: [{ by: 'department', value: 'Cardiology' }],
      });
      sus = survey.id;
      await openSurvey(s, ADMIN, sus);
      await inviteToSurvey(s, ADMIN, sus, { minDays: 30, key });
      const sheets: [string, number, number][] = [
        ['c1', 3, 3],
        ['c2', 4, 2],
        ['c3', 5, 1],
        ['c4', 4, 2],
        ['c5', 3, 3],
      ];
      for (const [u, odd, even] of sheets)
        await respondToSurvey(s, clinician(u), sus, { answers: sheet(odd, even) }, { key });
    });
  }, 120_000);

  afterAll(() => {
    delete process.env['UPTAKE_KEY_FILE'];
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists and shows surveys', () => {
    const l = uptake(['surveys', 'list', '--format', 'json']);
    expect(l.status, l.stderr).toBe(0);
    const rows = JSON.parse(l.stdout).rows as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: sus,
      instrument: 'sus',
      state: 'open',
      invited: 6,
      responses: 5,
      target: 'department:Cardiology',
    });
    const t = uptake(['surveys', 'show', sus]);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/anonymous \(no account kept\)/);
    expect(t.stdout).toMatch(/sus10 +likert5/);
    const q = JSON.parse(uptake(['surveys', 'show', sus, '--format', 'fhir']).stdout);
    expect(q.resourceType).toBe('Questionnaire');
    expect(q.item).toHaveLength(10);
  });

  it('prints the results with the t-interval, the band and the response rate', () => {
    const j = uptake(['surveys', 'results', sus, '--format', 'json']);
    expect(j.status, j.stderr).toBe(0);
    const out = JSON.parse(j.stdout);
    expect(out.options).toMatchObject({ by: 'department', suppression_threshold: 5 });
    const [card, total] = out.rows;
    expect(card).toMatchObject({
      group: 'Cardiology',
      invited: 6,
      responses: 5,
      n: 5,
      band: 'good',
      suppressed: null,
    });
    expect(card.response_rate).toBeCloseTo(5 / 6, 12);
    expect(card.score).toBeCloseTo(70, 9);
    expect(card.ci_low).toBeCloseTo(70 - (T4 * SD) / Math.sqrt(5), 6);
    expect(card.ci_high).toBeCloseTo(70 + (T4 * SD) / Math.sqrt(5), 6);
    expect(total.group).toBe('organisation');
    // the items too: statement 1 (odd) answered 3, 4, 5, 4, 3 → mean 3.8, counts per value
    const sus1 = out.items.find(
      (i: { group: string; item: string }) => i.group === 'Cardiology' && i.item === 'sus1',
    );
    expect(sus1).toMatchObject({ answered: 5, counts: '1:0 2:0 3:2 4:2 5:1' });
    expect(sus1.mean).toBeCloseTo(3.8, 10);
    const csv = uptake(['surveys', 'results', sus, '--format', 'csv']).stdout.split('\n');
    expect(csv[1]).toBe(
      'group,invited,responses,response_rate,score,ci_low,ci_high,n,band,promoters,detractors,suppressed',
    );
    expect(csv[2]!.split(',').slice(0, 5)).toEqual(['Cardiology', '6', '5', String(5 / 6), '70']);
    expect(csv[csv.indexOf('# items') + 1]).toBe(
      'group,item,type,answered,mean,ci_low,ci_high,counts,choice,count,share,share_low,share_high,suppressed',
    );
    const table = uptake(['surveys', 'results', sus]);
    expect(table.stdout).toMatch(/Cardiology +6 +5 +0\.83 +70/);
    expect(table.stdout).toMatch(/Cardiology +sus1 +likert5 +5 +3\.80/);
  });

  it('compares before and after with Welch’s interval', () => {
    const j = uptake([
      'surveys',
      'results',
      sus,
      '--before',
      sus,
      '--by',
      'org',
      '--format',
      'json',
    ]);
    expect(j.status, j.stderr).toBe(0);
    const [row] = JSON.parse(j.stdout).rows;
    const se = Math.sqrt((2 * 437.5) / 5);
    expect(row.difference).toBeCloseTo(0, 9);
    expect(row.difference_high).toBeCloseTo(T8 * se, 6);
    expect(row.difference_low).toBeCloseTo(-T8 * se, 6);
  });

  it('exports FHIR and imports it again as a new survey with the same scores', () => {
    const file = join(dir, 'sus.json');
    const e = uptake(['surveys', 'export', sus, '--output', file]);
    expect(e.status, e.stderr).toBe(0);
    const bundle = JSON.parse(readFileSync(file, 'utf8'));
    expect(bundle.entry).toHaveLength(6); // the Questionnaire and five responses
    for (const x of bundle.entry.slice(1)) expect(x.resource.source).toBeUndefined();
    const i = uptake(['surveys', 'import', file]);
    expect(i.status, i.stderr).toBe(0);
    const id = /created survey (\S+)/.exec(i.stdout)![1]!;
    expect(i.stdout).toMatch(/read 5, stored 5, already present 0, rejected 0/);
    const again = uptake(['surveys', 'import', file, '--survey', id]);
    expect(again.stdout).toMatch(/stored 0, already present 5/);
    const r = JSON.parse(uptake(['surveys', 'results', id, '--format', 'json']).stdout);
    expect(r.rows[0]).toMatchObject({
      group: 'Cardiology',
      invited: 0,
      responses: 5,
      response_rate: null,
    });
    expect(r.rows[0].score).toBeCloseTo(70, 9);
  });

  it('imports a CSV of responses: good rows stored, the bad one rejected by line', async () => {
    const nps = await withTestStore((s) =>
      createSurvey(s, ADMIN, {
        title: 'NPS from the vendor tool',
        instrument: 'custom',
        anonymous: true,
        items: [{ link_id: 'nps', type: 'scale0_10', text: 'Recommend?' }],
      }),
    );
    const file = join(dir, 'nps.csv');
    writeFileSync(file, 'id,nps,department\nv1,10,Cardiology\nv2,12,Cardiology\nv3,4,Cardiology\n');
    const r = uptake(['surveys', 'import', file, '--survey', nps.id]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/read 3, stored 2, already present 0, rejected 1/);
    expect(r.stdout).toMatch(/rejected rows, with line and reason/);
    const noSurvey = uptake(['surveys', 'import', file]);
    expect(noSurvey.status).toBe(2);
    expect(noSurvey.stderr).toMatch(/--survey/);
  });

  it('refuses unknown surveys (exit 1), bad flags (exit 2) and bad files (exit 1), never exit 3', () => {
    const u = uptake(['surveys', 'show', 'nope']);
    expect(u.status).toBe(1);
    expect(u.stderr).toMatch(/survey nope: no such survey/);
    expect(uptake(['surveys', 'results', sus, '--by', 'ward']).status).toBe(2);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"resourceType":"Questionnaire","item":"x"}');
    const b = uptake(['surveys', 'import', bad]);
    expect(b.status, b.stderr).toBe(1);
    expect(b.stderr).toMatch(/item/);
    writeFileSync(bad, '{not json');
    expect(uptake(['surveys', 'import', bad]).status).toBe(1);
  });

  it('writes every view and import to the access log', async () => {
    const rows = await withTestStore((s) =>
      s.all<{ action: string; resource: string; outcome: string }>(
        `SELECT action, resource, outcome FROM access_log ORDER BY id`,
      ),
    );
    const has = (action: string, resource: string, outcome = 'success') =>
      rows.some((r) => r.action === action && r.resource === resource && r.outcome === outcome);
    expect(has('view', 'surveys')).toBe(true);
    expect(has('view', `surveys/${sus}/results`)).toBe(true);
    expect(has('view', `surveys/${sus}/fhir`)).toBe(true);
    expect(
      rows.some((r) => r.action === 'upload' && /^surveys\/.+\/responses$/.test(r.resource)),
    ).toBe(true);
    expect(has('create', 'surveys')).toBe(true);
    expect(has('view', 'surveys/nope', 'denied')).toBe(true);
  });
});
