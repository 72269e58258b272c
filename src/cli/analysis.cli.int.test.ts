/** `uptake tool`, `golive`, `training`, `adoption` and `evaluate` as a user runs them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'uptake.js');

function uptake(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, UPTAKE_DB: '', DATABASE_URL: '' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Two departments, 12 Mondays (2026-01-05 … 03-23, UTC) of a 4-hour session and inbox work; A
 * uses the tool from week 10. `extra` lines are appended to the events file.
 */
function writeSystem(dir: string, db: string, extra: string[] = []): void {
  const ev = ['event_id,occurred_at,user_id,action,category'];
  const sc = ['user_id,kind,start,end'];
  let id = 0;
  for (const [u, dept] of [
    ['a1', 'A'],
    ['b1', 'B'],
  ] as const)
    for (let w = 0; w < 12; w++) {
      const day = new Date(Date.parse('2026-01-05T00:00:00Z') + w * 7 * 86_400_000)
        .toISOString()
        .slice(0, 10);
      sc.push(`${u},session,${day}T08:00:00Z,${day}T12:00:00Z`);
      for (let j = 0; j <= 20 + (w % 3); j++)
        ev.push(
          `${++id},${new Date(Date.parse(`${day}T09:00:00Z`) + j * 60_000).toISOString()},${u},inbox_open,inbox`,
        );
      if (dept === 'A' && w >= 9) ev.push(`${++id},${day}T13:00:00Z,${u},scribe_start,notes`);
    }
  ev.push(...extra);
  writeFileSync(join(dir, 'events.csv'), ev.join('\n') + '\n');
  writeFileSync(join(dir, 'schedule.csv'), sc.join('\n') + '\n');
  writeFileSync(
    join(dir, 'clinicians.csv'),
    'user_id,role,department\na1,physician,A\nb1,physician,B\n',
  );
  writeFileSync(
    join(dir, 'training.csv'),
    'user_id,course,completed_at,hours\na1,Scribe basics,2026-03-02T12:00:00Z,1\n',
  );
  for (const t of ['clinicians', 'schedule', 'events'])
    expect(uptake(['import', t, join(dir, `${t}.csv`), '--db', db]).status).toBe(0);
}

describe('uptake tool / golive / training / adoption / evaluate', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'uptake-analysis-cli-'));
    db = join(dir, 'u.duckdb');
    writeSystem(dir, db);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defines a tool and its go-live, and refuses bad definitions with exit 1', () => {
    const add = uptake([
      'tool',
      'add',
      'scribe',
      '--action',
      'scribe_*',
      '--course',
      'Scribe*',
      '--db',
      db,
    ]);
    expect(add.stderr).toBe('');
    expect(add.stdout).toMatch(/a use is one event of action scribe_\*/);
    expect(uptake(['tool', 'add', 'scribe', '--action', 'x', '--db', db])).toMatchObject({
      status: 1,
    });
    const none = uptake(['tool', 'add', 'empty', '--db', db]);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/needs at least one action/);
    const go = uptake([
      'golive',
      'add',
      '--tool',
      'scribe',
      '--department',
      'A',
      '--date',
      '2026-03-09',
      '--db',
      db,
    ]);
    expect(go.status).toBe(0);
    expect(
      uptake(['golive', 'add', '--tool', 'scribe', '--date', '2026-03-09', '--db', db]).stderr,
    ).toMatch(/name exactly one group/);
    expect(
      uptake(['golive', 'add', '--tool', 'nope', '--org', '--date', '2026-03-09', '--db', db])
        .stderr,
    ).toMatch(/no tool named nope; known tools: scribe/);
    const list = JSON.parse(uptake(['golive', 'list', '--format', 'json', '--db', db]).stdout);
    expect(list.golives).toEqual([
      { tool: 'scribe', date: '2026-03-09', group_by: 'department', group: 'A', note: '' },
    ]);
    const exported = uptake(['tool', 'export', '--db', db]).stdout;
    writeFileSync(join(dir, 'tools.json'), exported);
    expect(uptake(['tool', 'import', join(dir, 'tools.json'), '--db', db]).status).toBe(0);
  });

  it('names the metric a tool is meant to move; refuses one that is not a metric, naming the flag', () => {
    const show = () =>
      JSON.parse(uptake(['tool', 'show', 'scribe', '--json', '--db', db]).stdout) as {
        target_metric: string | null;
        target_direction: string | null;
      };
    expect(show()).toMatchObject({ target_metric: null, target_direction: null });
    const bad = uptake(['tool', 'update', 'scribe', '--target-metric', 'happiness', '--db', db]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(
      /^uptake: --target-metric happiness is not a per-clinician metric; use one of .*note_time8/,
    );
    const way = uptake(['tool', 'update', 'scribe', '--target-direction', 'decrease', '--db', db]);
    expect(way.status).toBe(1);
    expect(way.stderr).toMatch(/--target-direction needs the metric/);
    const set = uptake([
      'tool',
      'update',
      'scribe',
      '--target-metric',
      'ib_time8',
      '--target-direction',
      'decrease',
      '--db',
      db,
    ]);
    expect(set.stderr).toBe('');
    expect(set.stdout).toMatch(/meant to decrease ib_time8/);
    expect(show()).toMatchObject({ target_metric: 'ib_time8', target_direction: 'decrease' });
    // The tools file carries it: export, then import, then the same.
    const file = join(dir, 'scribe.json');
    writeFileSync(file, uptake(['tool', 'export', 'scribe', '--db', db]).stdout);
    expect(uptake(['tool', 'import', file, '--db', db]).status).toBe(0);
    expect(show()).toMatchObject({ target_metric: 'ib_time8', target_direction: 'decrease' });
    writeFileSync(file, JSON.stringify({ name: 'x', actions: ['a'], target_metric: 'ib_time' }));
    const badFile = uptake(['tool', 'import', file, '--db', db]);
    expect(badFile.status).toBe(1);
    expect(badFile.stderr).toMatch(
      /scribe\.json: tool 1 target_metric: not a per-clinician metric/,
    );
    // none removes it.
    expect(uptake(['tool', 'update', 'scribe', '--target-metric', 'none', '--db', db]).status).toBe(
      0,
    );
    expect(show()).toMatchObject({ target_metric: null, target_direction: null });
  });

  it('imports training records', () => {
    const r = uptake(['training', 'import', join(dir, 'training.csv'), '--db', db]);
    expect(r.stdout).toMatch(/stored 1/);
  });

  it('prints the adoption funnel as a table, JSON and CSV', () => {
    const t = uptake(['adoption', '--tool', 'scribe', '--db', db, '--tz', 'UTC']);
    expect(t.stderr).toBe('');
    expect(t.stdout).toMatch(/Adoption of scribe by department/);
    const j = JSON.parse(
      uptake(['adoption', '--tool', 'scribe', '--db', db, '--tz', 'UTC', '--format', 'json'])
        .stdout,
    );
    expect(j.funnel.find((f: { group: string }) => f.group === 'A')).toMatchObject({
      eligible: 1,
      trained: 1,
      first_use: 1,
      weekly_active: 1,
    });
    const c = uptake([
      'adoption',
      '--tool',
      'scribe',
      '--db',
      db,
      '--tz',
      'UTC',
      '--format',
      'csv',
      '--view',
      'weekly',
    ]).stdout;
    expect(c.split('\n')[1]).toMatch(/^group,go_live,week_start,eligible/);
  });

  it('evaluates, saying why when data are insufficient', () => {
    const r = uptake([
      'evaluate',
      '--tool',
      'scribe',
      '--metric',
      'ib_time8',
      '--db',
      db,
      '--tz',
      'UTC',
      '--format',
      'json',
    ]);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    const a = j.results.find((x: { group: string }) => x.group === 'A');
    // go-live 2026-03-09 is week 9; the last week (03-23) has not ended by the last event, so the
    // range is weeks 0–10: 9 weeks before go-live, 2 after (fewer than 4)
    expect(a.its.insufficient_data.reason).toMatch(
      /only 2 weeks with data after go-live; at least 4/,
    );
    const ok = JSON.parse(
      uptake([
        'evaluate',
        '--tool',
        'scribe',
        '--metric',
        'ib_time8',
        '--min-post',
        '2',
        '--db',
        db,
        '--tz',
        'UTC',
        '--format',
        'json',
      ]).stdout,
    );
    const its = ok.results.find((x: { group: string }) => x.group === 'A').its;
    expect(its.estimates.average_effect.ci95).toHaveLength(2);
    expect(its.model).toMatch(/Wagner/);
    const table = uptake([
      'evaluate',
      '--tool',
      'scribe',
      '--metric',
      'ib_time8',
      '--db',
      db,
      '--tz',
      'UTC',
    ]);
    expect(table.stdout).toMatch(/insufficient data: only 2 weeks/);
    const csv = uptake([
      'evaluate',
      '--tool',
      'scribe',
      '--metric',
      'ib_time8',
      '--min-post',
      '2',
      '--db',
      db,
      '--tz',
      'UTC',
      '--format',
      'csv',
    ]);
    expect(csv.stdout.split('\n')[1]).toMatch(/^metric,group,kind,go_live/);
    const bad = uptake(['evaluate', '--tool', 'scribe', '--metric', 'happiness', '--db', db]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--metric happiness is not a metric/);
  });
});

describe('adoption and evaluate default to the dense weeks (issue 11, item 11)', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'uptake-analysis-dense-'));
    db = join(dir, 'u.duckdb');
    // The window of plausible instants widened, then one stray row in 1900 and one in 2200.
    for (const [k, v] of [
      ['earliest_instant', '1800-01-01'],
      ['latest_instant', '2300-01-01'],
    ] as const)
      expect(uptake(['settings', k, v, '--db', db]).status).toBe(0);
    writeSystem(dir, db, [
      'x1900,1900-06-15T10:00:00Z,a1,inbox_open,inbox',
      'x2200,2200-03-01T10:00:00Z,b1,inbox_open,inbox',
    ]);
    for (const args of [
      ['tool', 'add', 'scribe', '--action', 'scribe_*'],
      ['golive', 'add', '--tool', 'scribe', '--department', 'A', '--date', '2026-03-09'],
    ])
      expect(uptake([...args, '--db', db]).status).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Weeks with events: the 12 Mondays (42 to 47 events each) and the two stray weeks (1 each):
  // sorted 1 1 42 42 42 43 44 44 44 45 46 46 46 47, median 44, dense from 11: not the strays. Dense extent 2026-01-05 to 03-23;
  // the week of 03-23 has not ended by its last event: weeks 01-05 to 03-16, `to` 03-23 — as
  // without the strays. (Before, the default was 1900 to 2200: 15,639 weeks, refused.)
  it('adoption', () => {
    const r = uptake([
      'adoption',
      '--tool',
      'scribe',
      '--db',
      db,
      '--tz',
      'UTC',
      '--format',
      'json',
    ]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).options).toMatchObject({ from: '2026-01-05', to: '2026-03-23' });
  });

  it('evaluate', () => {
    const r = uptake([
      'evaluate',
      '--tool',
      'scribe',
      '--metric',
      'ib_time8',
      '--db',
      db,
      '--tz',
      'UTC',
      '--format',
      'json',
    ]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).options).toMatchObject({ from: '2026-01-05', to: '2026-03-23' });
  });
});
