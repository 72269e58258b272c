/** `uptake engagement` as a user runs it: options carried in JSON and CSV, groups pooled. */
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

const FILES = {
  clinicians: 'user_id,role,department\nu1,physician,A\nu2,physician,B\n',
  schedule:
    'user_id,kind,start,end,status,patient_id,appointment_id\n' +
    'u1,appointment,2026-03-02T15:00:00Z,2026-03-02T15:20:00Z,fulfilled,P1,A1\n' +
    'u2,appointment,2026-03-03T15:00:00Z,2026-03-03T15:20:00Z,arrived,P2,A2\n',
  // P1 asks u1 on Mon 2 at 10:00 UTC; u1 answers by in_reply_to at 12:30: 2.5 business hours.
  messages:
    'message_id,sent_at,patient_id,clinician_id,direction,in_reply_to\n' +
    'M1,2026-03-02T10:00:00Z,P1,u1,to_clinician,\n' +
    'M2,2026-03-02T12:30:00Z,P1,u1,to_patient,M1\n',
};

describe('uptake engagement', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'uptake-engagement-cli-'));
    db = join(dir, 'u.duckdb');
    for (const [table, text] of Object.entries(FILES)) {
      writeFileSync(join(dir, `${table}.csv`), text);
      expect(uptake(['import', table, join(dir, `${table}.csv`), '--db', db]).status).toBe(0);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints pooled figures with their options as JSON and CSV', () => {
    const args = ['engagement', '--db', db, '--from', '2026-03-02', '--to', '2026-03-09'];
    const j = uptake([...args, '--by', 'org', '--format', 'json']);
    expect(j.stderr).toBe('');
    const out = JSON.parse(j.stdout) as { options: object; rows: Record<string, unknown>[] };
    expect(out.options).toMatchObject({
      from: '2026-03-02',
      to: '2026-03-09',
      by: 'org',
      period: 'all',
      timezone: 'UTC',
      small_cell_patients: 11,
    });
    expect(out.rows).toHaveLength(1);
    expect(out.rows[0]).toMatchObject({
      group: 'organisation',
      patients_seen: 2,
      messaged: 1,
      patient_message_share: 0.5,
      patient_messages: 1,
      reply_business_hours: 2.5,
      replied_within_1bd_share: 1,
      suppressed: ['seen', 'access', 'messages', 'results', 'followups'],
    });
    const c = uptake([...args, '--by', 'department', '--period', 'week', '--format', 'csv']);
    const lines = c.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^# options: \{"from":"2026-03-02".*"by":"department"/);
    expect(lines[1]).toMatch(/^group_by,group,period_start,period_end,patients_seen,/);
    expect(lines.slice(2).map((l) => l.split(',').slice(1, 5).join(','))).toEqual([
      'A,2026-03-02,2026-03-09,1',
      'B,2026-03-02,2026-03-09,1',
    ]);
    expect(uptake([...args, '--by', 'ward']).status).toBe(2);
  });
});
