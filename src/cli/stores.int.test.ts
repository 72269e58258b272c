/**
 * Wrong stores (issue 10, item 12), through the real CLI: a `--db` that names a CSV, Parquet or
 * empty file, or a folder, is refused with one line naming the path and what to do (DuckDB itself
 * would open a CSV or Parquet file as a view and "store" an import into nothing); a command that
 * only reads never creates a store, so a mistyped path is a user error, not an empty report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'uptake.js');

function uptake(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd,
    env: { ...process.env, UPTAKE_DB: '', DATABASE_URL: '', UPTAKE_DEBUG: '', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** True when `file` starts like a DuckDB database: 'DUCK' after the 8-byte header checksum. */
function isDuckDB(file: string): boolean {
  return readFileSync(file).subarray(8, 12).toString('latin1') === 'DUCK';
}

const EVENTS =
  'event_id,occurred_at,user_id,action,category\n' +
  'a,2026-03-02T09:00:00Z,u1,x,inbox\nb,2026-03-02T09:04:00Z,u1,x,notes\n';

describe('uptake and the --db it is given', () => {
  let dir: string;
  let csv: string;
  let parquet: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'uptake-stores-'));
    csv = join(dir, 'events.csv');
    writeFileSync(csv, EVENTS);
    // A real store, and a Parquet file written from it by `uptake export`.
    const store = join(dir, 'real.duckdb');
    expect(uptake(['import', 'events', csv, '--db', store]).status).toBe(0);
    parquet = join(dir, 'events.parquet');
    expect(uptake(['export', 'events', '--out', parquet, '--db', store]).status).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a CSV file as the store, leaving it as it was', () => {
    const target = join(dir, 'copy.csv');
    writeFileSync(target, EVENTS);
    const r = uptake(['import', 'events', csv, '--db', target]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `uptake: --db ${target} is not an Uptake store: it is a text file (CSV, JSON or similar), not a DuckDB database; give --db the store's .duckdb file (a new file name creates one) and pass data files to uptake import\n`,
    );
    expect(readFileSync(target, 'utf8')).toBe(EVENTS);
    expect(existsSync(`${target}.key`)).toBe(false);
    expect(existsSync(`${target}.wal`)).toBe(false);
  });

  it('refuses a Parquet file, an empty file and a folder, naming each', () => {
    const before = readFileSync(parquet);
    const p = uptake(['import', 'events', csv, '--db', parquet]);
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(
      /^uptake: --db \S+events\.parquet is not an Uptake store: it is a Parquet file/,
    );
    expect(readFileSync(parquet).equals(before)).toBe(true);

    const empty = join(dir, 'empty.duckdb');
    writeFileSync(empty, '');
    const e = uptake(['metrics', '--from', '2026-03-02', '--to', '2026-03-03', '--db', empty]);
    expect(e.status).toBe(1);
    expect(e.stderr).toMatch(
      /^uptake: --db \S+empty\.duckdb is not an Uptake store: it is an empty file/,
    );

    const folder = join(dir, 'folder');
    mkdirSync(folder);
    const f = uptake(['settings', '--db', folder]);
    expect(f.status).toBe(1);
    expect(f.stderr).toMatch(/^uptake: --db \S+folder is a folder, not an Uptake store/);
    for (const x of [p, e, f]) expect(x.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  const readOnly: [string, string[]][] = [
    ['metrics', ['metrics', '--from', '2026-03-02', '--to', '2026-03-03']],
    ['imports list', ['imports']],
    ['imports show', ['imports', 'show', '1']],
    ['export', ['export', 'events', '--out', 'OUT']],
    ['adoption', ['adoption', '--tool', 'scribe']],
    ['evaluate', ['evaluate', '--tool', 'scribe', '--metric', 'ib_time8']],
    ['settings without a value', ['settings']],
    ['users list', ['users', 'list']],
    ['users remove', ['users', 'remove', 'someone']],
    ['tool list', ['tool', 'list']],
    ['tool show', ['tool', 'show', 'scribe']],
    ['golive list', ['golive', 'list']],
  ];
  for (const [name, args] of readOnly)
    it(`${name} never creates a store: a missing --db is a user error`, () => {
      const typo = join(dir, `typo-${name.replaceAll(' ', '-')}.duckdb`);
      const out = join(dir, `out-${name.replaceAll(' ', '-')}.csv`);
      const r = uptake([...args.map((a) => (a === 'OUT' ? out : a)), '--db', typo]);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toBe(
        `uptake: --db ${typo}: no Uptake store there (no such file), and this command only reads one; check the path, or create the store by importing into it: uptake import <table> FILE --db ${typo}\n`,
      );
      expect(existsSync(typo)).toBe(false);
      expect(existsSync(out)).toBe(false);
    });

  it('names the default store and UPTAKE_DB as such', () => {
    const cwd = join(dir, 'cwd');
    mkdirSync(cwd);
    const r = uptake(['metrics', '--from', '2026-03-02', '--to', '2026-03-03'], {}, cwd);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^uptake: \.\/uptake\.duckdb \(the default store; name another with --db or UPTAKE_DB\): no Uptake store there/,
    );
    expect(existsSync(join(cwd, 'uptake.duckdb'))).toBe(false);
    const e = uptake(['imports'], { UPTAKE_DB: join(cwd, 'nope.duckdb') });
    expect(e.status).toBe(1);
    expect(e.stderr).toMatch(/^uptake: UPTAKE_DB=\S+nope\.duckdb: no Uptake store there/);
  });

  it('commands that write create a new store where asked: import, settings KEY VALUE, users add', () => {
    for (const [name, args] of [
      ['import', ['import', 'events', csv]],
      ['settings', ['settings', 'timezone', 'America/New_York']],
      ['users', ['users', 'add', 'ada', '--role', 'admin']],
    ] as const) {
      const db = join(dir, `new-${name}.duckdb`);
      const r = uptake([...args, '--db', db]);
      expect(r.status, r.stderr).toBe(0);
      expect(isDuckDB(db)).toBe(true);
      // …and once it exists, the commands that read open it.
      expect(uptake(['settings', '--db', db]).status).toBe(0);
    }
  }, 240_000);

  it('a real store still answers every reading command', () => {
    const db = join(dir, 'real.duckdb');
    const m = uptake(['metrics', '--from', '2026-03-02', '--to', '2026-03-03', '--db', db]);
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout).toMatch(/u1/);
    expect(uptake(['imports', 'show', '1', '--db', db]).status).toBe(0);
  });
});
