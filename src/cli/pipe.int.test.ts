/**
 * Output to a pipe whose reader goes away (issue 10, item 6), as in `uptake metrics … | head -2`:
 * the real CLI, its stdout piped into a reader that closes after the first chunk. The command
 * stops quietly — no stack trace, exit status 0 — and a reader that stays gets every byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'uptake.js');
const ENV = { ...process.env, UPTAKE_DB: '', DATABASE_URL: '', UPTAKE_DEBUG: '' };

/** Run the CLI with its stdout read until `keep` bytes arrived, then the pipe closed. */
function runAndClose(
  args: string[],
  keep: number,
): Promise<{ status: number | null; signal: string | null; stderr: string; got: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: ENV });
    let got = 0;
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdout.on('data', (b: Buffer) => {
      got += b.length;
      // Like `head`: read a little, then close the reading end while the writer is still writing.
      if (got >= keep) child.stdout.destroy();
    });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stderr, got }));
  });
}

describe('uptake writing into a closed pipe', () => {
  let dir: string;
  let db: string;
  const lines = 4000;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'uptake-pipe-'));
    db = join(dir, 'u.duckdb');
    // One clinician with events on many days: `--period day` then prints one row per day.
    const ev = ['event_id,occurred_at,user_id,action,category'];
    const sched = ['user_id,kind,start,end'];
    for (let d = 0; d < 600; d++) {
      const day = new Date(Date.UTC(2024, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
      ev.push(
        `e${d}a,${day}T09:00:00Z,u${d % 7},x,inbox`,
        `e${d}b,${day}T09:03:00Z,u${d % 7},x,notes`,
      );
      sched.push(`u${d % 7},session,${day}T08:00:00Z,${day}T12:00:00Z`);
    }
    writeFileSync(join(dir, 'events.csv'), ev.join('\n') + '\n');
    writeFileSync(join(dir, 'schedule.csv'), sched.join('\n') + '\n');
    // An import with thousands of rejected rows: `imports show` prints each with its reason.
    const bad = ['event_id,occurred_at,user_id,action,category'];
    for (let i = 0; i < lines; i++) bad.push(`b${i},not-a-time-${i},u1,x,inbox`);
    writeFileSync(join(dir, 'bad.csv'), bad.join('\n') + '\n');
    for (const [t, f] of [
      ['events', 'events.csv'],
      ['schedule', 'schedule.csv'],
      ['events', 'bad.csv'],
    ] as const) {
      const r = spawnSync(process.execPath, [BIN, 'import', t, join(dir, f), '--db', db], {
        env: ENV,
        encoding: 'utf8',
      });
      // bad.csv: every row rejected, so its import is recorded and exits 1
      expect(r.status, r.stderr).toBe(f === 'bad.csv' ? 1 : 0);
    }
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const metrics = [
    'metrics',
    '--db',
    '',
    '--from',
    '2024-01-01',
    '--to',
    '2025-08-23',
    '--period',
    'day',
    '--format',
    'csv',
  ];

  it('metrics … | head: stops quietly with status 0', async () => {
    const r = await runAndClose(
      metrics.map((a) => a || db),
      200,
    );
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
  }, 60_000);

  it('imports show ID | head: stops quietly with status 0', async () => {
    const r = await runAndClose(['imports', 'show', '3', '--db', db], 200);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  it('a reader that reads everything gets all of it, however slowly it reads', async () => {
    // Every clinician has a row for each of the 600 days: more than a pipe buffer holds.
    const r = await new Promise<{ status: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...metrics.map((a) => a || db)], { env: ENV });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => {
        chunks.push(b);
        // A slow reader: writes wait for it; nothing is cut off.
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), 2);
      });
      child.on('close', (status) => resolve({ status, out: Buffer.concat(chunks).toString() }));
    });
    expect(r.status).toBe(0);
    const rows = r.out.trimEnd().split('\n');
    expect(rows.length).toBe(2 + 7 * 600); // options line, header, 7 clinicians × 600 days
  }, 120_000);
});
