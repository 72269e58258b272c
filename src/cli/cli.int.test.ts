/** The `uptake` command as a user runs it: real processes, real files, exit statuses. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLINICIAN_FIELDS } from '../model/metricRow.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'uptake.js');

function uptake(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, UPTAKE_DB: '', DATABASE_URL: '', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('uptake CLI', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'uptake-cli-'));
    db = join(dir, 'u.duckdb');
    writeFileSync(
      join(dir, 'events.csv'),
      'event_id,occurred_at,user_id,action,category\n' +
        'a,2026-03-02T09:00:00-05:00,u1,x,inbox\nb,2026-03-02T09:04:00-05:00,u1,x,notes\nc,2026-03-02T09:06:00-05:00,u1,x,notes\n' +
        'd,2026-03-02T18:00:00-05:00,u1,x,inbox\ne,2026-03-02T18:10:00-05:00,u1,x,inbox\n',
    );
    writeFileSync(
      join(dir, 'schedule.csv'),
      'user_id,kind,start,end\nu1,session,2026-03-02T08:00:00-05:00,2026-03-02T12:00:00-05:00\n',
    );
    writeFileSync(join(dir, 'clinicians.csv'), 'user_id,role,department\nu1,physician,North\n');
    writeFileSync(
      join(dir, 'orders.csv'),
      'order_id,user_id,signed_at,entered_by\no1,u1,2026-03-02T09:05:00-05:00,ma7\no2,u1,2026-03-02T09:06:00-05:00,\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports each table and prints a report', () => {
    for (const t of ['clinicians', 'schedule', 'orders', 'events']) {
      const r = uptake(['import', t, join(dir, `${t}.csv`), '--db', db]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/read \d+, stored \d+/);
    }
  });

  it('prints the metrics JSON contract', () => {
    const r = uptake([
      'metrics',
      '--db',
      db,
      '--from',
      '2026-03-02',
      '--to',
      '2026-03-03',
      '--tz',
      'America/New_York',
      '--format',
      'json',
    ]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      options: Record<string, unknown>;
      rows: Record<string, unknown>[];
    };
    expect(out.options).toMatchObject({
      from: '2026-03-02',
      to: '2026-03-03',
      period: 'all',
      version: expect.any(String),
    });
    expect(out.options['options']).toMatchObject({
      timezone: 'America/New_York',
      timeout_seconds: 300,
      over_timeout: 'drop',
      direction: 'forward',
      attribution: 'split',
      wow: 'schedule',
    });
    expect(out.rows).toHaveLength(1);
    const row = out.rows[0]!;
    expect(Object.keys(row).sort()).toEqual([...CLINICIAN_FIELDS].sort());
    // 09:00–09:04 inbox, 09:04–09:06 notes; 18:00→18:10 is over the timeout: 6 minutes in all
    expect(row['ehr_hours']).toBeCloseTo(0.1, 12);
    expect(row['inbox_hours']).toBeCloseTo(4 / 60, 12);
    expect(row['scheduled_hours']).toBe(4);
    expect(row['ehr_time8']).toBeCloseTo(0.2, 12);
    expect(row['teamwork_orders']).toBe(0.5);
    expect(row['ehr_minutes_per_appointment']).toBeNull();
    expect(row['period_start']).toBe('2026-03-02');
    expect(row['period_end']).toBe('2026-03-03');
  });

  it('prints CSV with its options and groups by department', () => {
    const r = uptake([
      'metrics',
      '--db',
      db,
      '--from',
      '2026-03-02',
      '--to',
      '2026-03-03',
      '--by',
      'department',
      '--format',
      'csv',
    ]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^# options: /);
    expect(lines[1]).toMatch(
      /^group,period_start,period_end,n,clinicians,suppressed,ehr_time8_p25/,
    );
    expect(lines[2]).toMatch(/^North,2026-03-02,2026-03-03,1,1,true,/);
  });

  it('exits 1 with one line naming the file for a user error, never a stack trace', () => {
    const r = uptake(['import', 'events', join(dir, 'missing.csv'), '--db', db]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('missing.csv: no such file');
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'when,who\n1,2\n');
    const r2 = uptake(['import', 'events', bad, '--db', db]);
    expect(r2.status).toBe(1);
    expect(r2.stderr).toMatch(
      /bad\.csv, line 1: missing required columns event_id, occurred_at, user_id, action/,
    );
  });

  it('exits 1 for an invalid date or time zone and 2 for a bad invocation', () => {
    const r = uptake(['metrics', '--db', db, '--from', '2026-02-30', '--to', '2026-03-03']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/from: a real calendar date/);
    const tz = uptake([
      'metrics',
      '--db',
      db,
      '--from',
      '2026-03-01',
      '--to',
      '2026-03-03',
      '--tz',
      'Mars/Base',
    ]);
    expect(tz.status).toBe(1);
    expect(tz.stderr).toMatch(/timezone: an IANA time zone/);
    expect(uptake(['metrics', '--db', db, '--from', '2026-03-01']).status).toBe(2);
    expect(
      uptake([
        'metrics',
        '--db',
        db,
        '--from',
        '2026-03-01',
        '--to',
        '2026-03-02',
        '--wow',
        'never',
      ]).status,
    ).toBe(2);
    expect(uptake(['frobnicate']).status).toBe(2);
    expect(uptake(['import', 'patients', 'x.csv']).status).toBe(2);
    expect(uptake(['--help']).status).toBe(0);
  });

  it('lists imports and shows rejected rows', () => {
    const f = join(dir, 'rej.csv');
    writeFileSync(f, 'event_id,occurred_at,user_id,action\nz1,2026-03-02T09:00:00,u1,x\n');
    // every row rejected: the import is recorded with its rejects, and the exit status is 1
    const r = uptake(['import', 'events', f, '--db', db]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/rejected 1/);
    expect(r.stderr).toContain(`${f}: every row (1) was rejected`);
    const list = uptake(['imports', 'list', '--db', db, '--json']);
    const imports = JSON.parse(list.stdout) as { import_id: number; file: string }[];
    const id = imports.find((i) => i.file === f)!.import_id;
    const show = uptake(['imports', 'show', String(id), '--db', db, '--json']);
    const shown = JSON.parse(show.stdout) as {
      rejects: { line: number; reason: string; row: string }[];
    };
    expect(shown.rejects).toEqual([
      {
        line: 2,
        reason: expect.stringMatching(/has no UTC offset/),
        row: 'z1,2026-03-02T09:00:00,u1,x',
      },
    ]);
    expect(uptake(['imports', 'show', '999', '--db', db]).status).toBe(1);
  });

  it('adds and changes accounts, and exports a table that imports again', () => {
    const add = uptake([
      'users',
      'add',
      'lee',
      '--role',
      'leader',
      '--group',
      'department=North',
      '--db',
      db,
    ]);
    expect(add.status, add.stderr).toBe(0);
    const set = uptake([
      'users',
      'set',
      'lee',
      '--role',
      'clinician',
      '--clinician',
      'u1',
      '--reset-password',
      '--db',
      db,
    ]);
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/^changed lee \(clinician\); new password: \S{16}\n$/);
    const nothing = uptake(['users', 'set', 'lee', '--db', db]);
    expect(nothing.status).toBe(1);
    expect(nothing.stderr).toMatch(/say what to change/);
    const notInRoster = uptake(['users', 'set', 'lee', '--clinician', 'u404', '--db', db]);
    expect(notInRoster.stderr).toMatch(/--clinician u404 is not in the roster/);
    expect(uptake(['users', 'set', 'nobody', '--role', 'admin', '--db', db]).status).toBe(1);

    const out = join(dir, 'events.parquet');
    const ex = uptake(['export', 'events', '--out', out, '--db', db]);
    expect(ex.status, ex.stderr).toBe(0);
    expect(ex.stdout).toBe(`5 events rows → ${out} (parquet)\n`);
    const copy = join(dir, 'copy.duckdb');
    const im = uptake(['import', 'events', out, '--format', 'parquet', '--db', copy]);
    expect(im.stdout).toMatch(/read 5, stored 5/);
    expect(uptake(['export', 'events', '--out', join(dir, 'x.txt'), '--db', db]).status).toBe(2);
    // Ten CLI processes, each transpiling on start (2 s idle): room for a loaded machine.
  }, 240_000);
});
