/**
 * Date ranges through the real CLI (issue 10, item 1): "all of it" (2000 to 2100) answers like
 * the data's own range, and a range the engines cannot hold, or one cut into too many pieces, is a
 * user error (status 1, one line naming the field) — never an internal error (status 3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'uptake.js');

function uptake(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, UPTAKE_DB: '', DATABASE_URL: '', UPTAKE_DEBUG: '' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('uptake metrics over any range', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'uptake-range-'));
    db = join(dir, 'u.duckdb');
    // u1: 09:00 inbox, 09:04 notes, 09:06 notes → 4 min inbox + 2 min notes; session 08:00–12:00.
    writeFileSync(
      join(dir, 'events.csv'),
      'event_id,occurred_at,user_id,action,category\n' +
        'a,2026-03-02T09:00:00Z,u1,x,inbox\nb,2026-03-02T09:04:00Z,u1,x,notes\nc,2026-03-02T09:06:00Z,u1,x,notes\n',
    );
    writeFileSync(
      join(dir, 'schedule.csv'),
      'user_id,kind,start,end\nu1,session,2026-03-02T08:00:00Z,2026-03-02T12:00:00Z\n',
    );
    for (const t of ['events', 'schedule'])
      expect(uptake(['import', t, join(dir, `${t}.csv`), '--db', db]).status).toBe(0);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const metrics = (from: string, to: string, ...more: string[]) =>
    uptake(['metrics', '--db', db, '--from', from, '--to', to, '--format', 'json', ...more]);

  it('2000-01-01 to 2100-01-01 gives the rows of the data, as computed by hand', () => {
    const r = metrics('2000-01-01', '2100-01-01');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rows = (JSON.parse(r.stdout) as { rows: Record<string, unknown>[] }).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      user_id: 'u1',
      period_start: '2000-01-01',
      period_end: '2100-01-01',
      scheduled_hours: 4,
      events: 3,
    });
    expect(rows[0]?.['ehr_hours']).toBeCloseTo(6 / 60, 12);
    expect(rows[0]?.['inbox_hours']).toBeCloseTo(4 / 60, 12);
    expect(rows[0]?.['ehr_time8']).toBeCloseTo(((6 / 60) * 8) / 4, 12);
  });

  it('0001-01-01 to 9999-12-31 works too', () => {
    const r = metrics('0001-01-01', '9999-12-31');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).rows[0].ehr_hours).toBeCloseTo(6 / 60, 12);
  });

  for (const [what, args, message] of [
    [
      'year 0000',
      ['0000-01-01', '2026-01-01'],
      'uptake: from: a real calendar date from 0001-01-01 to 9999-12-31\n',
    ],
    ['a five-digit year', ['2026-01-01', '10000-01-01'], 'uptake: to: a local date YYYY-MM-DD\n'],
    [
      'too many pieces',
      ['0001-01-01', '9999-12-31', '--period', 'week'],
      'uptake: period: week cuts 0001-01-01 to 9999-12-31 into 521723 pieces, and every clinician gets a row for each; at most 10000 pieces: choose a longer period or a shorter range\n',
    ],
    [
      'a timeout of 70 years',
      ['2026-03-02', '2026-03-03', '--timeout', '2200000000'],
      'uptake: options.timeout_seconds: at most 604800 seconds (a week)\n',
    ],
  ] as const)
    it(`${what}: a user error, status 1`, () => {
      const r = metrics(...(args as unknown as [string, string, ...string[]]));
      expect(r.stderr).toBe(message);
      expect(r.status).toBe(1);
    });

  it('adoption over 0001–9999 is refused with the number of weeks', () => {
    expect(uptake(['tool', 'add', 'scribe', '--action', 'x', '--db', db]).status).toBe(0);
    const r = uptake([
      'adoption',
      '--db',
      db,
      '--tool',
      'scribe',
      '--from',
      '0001-01-01',
      '--to',
      '9999-12-31',
    ]);
    expect(r.stderr).toBe(
      'uptake: 0001-01-01 to 9999-12-31 holds 521722 whole weeks; adoption and evaluation take at most 1044 (20 years): choose a later from or an earlier to\n',
    );
    expect(r.status).toBe(1);
  });
});
