/**
 * A full disk during an import (issue 11, item 10), for real: a small tmpfs holds the DuckDB
 * store, or the rejects folder, or (as a tablespace) PostgreSQL's table files. Each is one line
 * naming the full disk, exit 1, nothing stored, no partial rejects file. Mounting a tmpfs needs
 * root: elsewhere these cases are skipped, and `src/store/faults.test.ts` still checks how each
 * engine's and the file system's "no space left" is recognised.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { pgQuery, pgSession } from '../testing/pgAdmin.ts';
import { freshPgDatabase } from '../testing/testEngines.ts';
import { PostgresStore } from '../store/postgresStore.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'uptake.js');
const pgUrl = inject('pgUrl');

/** Mount a tmpfs of `size` at `dir` (root only); false when this machine does not let us. */
function mountTmpfs(dir: string, size: string, owner?: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    const opts = [`size=${size}`, 'mode=0700'];
    if (owner) {
      const uid = execFileSync('id', ['-u', owner]).toString().trim();
      const gid = execFileSync('id', ['-g', owner]).toString().trim();
      opts.push(`uid=${uid}`, `gid=${gid}`);
    }
    execFileSync('mount', ['-t', 'tmpfs', '-o', opts.join(','), 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    // not mounted
  }
}

const probe = mkdtempSync(join(tmpdir(), 'uptake-tmpfs-probe-'));
const canMount = process.platform === 'linux' && mountTmpfs(probe, '64k');
unmount(probe);
rmSync(probe, { recursive: true, force: true });

function uptake(cwd: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      UPTAKE_DB: '',
      DATABASE_URL: '',
      UPTAKE_DEBUG: '',
      UPTAKE_PSEUDONYM_KEY: 'k'.repeat(40),
      ...env,
    },
    timeout: 180_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/internal error|\n\s+at /);
  return lines[0]!;
}

/** Fill the file system of `dir` to the last byte. */
function fill(dir: string): void {
  try {
    writeFileSync(join(dir, 'filler'), Buffer.alloc(64 << 20));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  }
}

const EVENTS = (n: number, bad = 0) =>
  'event_id,occurred_at,user_id,action,category\n' +
  Array.from(
    { length: n },
    (_, i) =>
      `event-number-${i},${i < bad ? 'not a time' : `2026-03-02T${String(8 + (i % 10)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z`},user-${i % 50},action-${i % 90},notes`,
  ).join('\n') +
  '\n';

describe.skipIf(!canMount)('a full disk during an import (tmpfs)', () => {
  let dir: string;
  const mounts: string[] = [];
  const parents: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'uptake-diskfull-'));
    writeFileSync(join(dir, 'big.csv'), EVENTS(100_000));
    writeFileSync(join(dir, 'bad.csv'), EVENTS(20, 5));
  });
  afterAll(() => {
    for (const m of mounts) unmount(m);
    for (const d of [dir, ...parents]) rmSync(d, { recursive: true, force: true });
  });
  const mount = (name: string, size: string, owner?: string) => {
    // The server's own user must reach a tablespace's folder: a parent it may pass through.
    const parent = owner ? mkdtempSync(join(tmpdir(), 'uptake-diskfull-space-')) : dir;
    if (owner) {
      chmodSync(parent, 0o755);
      parents.push(parent);
    }
    const m = join(parent, name);
    expect(mountTmpfs(m, size, owner)).toBe(true);
    mounts.push(m);
    return m;
  };

  it('the DuckDB store on a full disk: one line naming it, exit 1, nothing stored', async () => {
    const full = mount('store', '2m');
    const r = uptake(dir, ['import', 'events', 'big.csv', '--db', join(full, 's.duckdb')]);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(
      new RegExp(
        `^uptake: big\\.csv: not imported, nothing of it was stored: the disk holding ${full}/s\\.duckdb(\\.wal)? is full \\(no space left on device\\); free space there and import it again$`,
      ),
    );
    const list = uptake(dir, ['imports', 'list', '--json', '--db', join(full, 's.duckdb')]);
    expect(list.stderr).toBe('');
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  for (const engine of pgUrl ? ['duckdb', 'postgres'] : ['duckdb'])
    it(`the rejects folder on a full disk (${engine}): exit 1, nothing stored, no partial rejects file`, async () => {
      const full = mount(`rejects-${engine}`, '256k');
      mkdirSync(join(full, 'rejects'));
      fill(full);
      const url = engine === 'postgres' ? await freshPgDatabase(pgUrl!) : '';
      const store =
        engine === 'postgres' ? ['--database-url', url] : ['--db', join(dir, `${engine}.duckdb`)];
      const r = uptake(dir, ['import', 'events', 'bad.csv', ...store], {
        UPTAKE_REJECTS_DIR: join(full, 'rejects'),
      });
      expect(r.status).toBe(1);
      expect(oneLine(r.stderr)).toBe(
        `uptake: bad.csv: not imported, nothing of it was stored: the disk holding ${join(full, 'rejects', 'import-1-events-bad.csv.rejects.csv')} is full (no space left on device); free space there and import it again`,
      );
      expect(readdirSync(join(full, 'rejects'))).toEqual([]);
      const s =
        engine === 'postgres'
          ? await PostgresStore.open(url)
          : await DuckDBStore.open(join(dir, `${engine}.duckdb`));
      try {
        for (const t of ['events', 'imports', 'import_rejects'])
          expect(await s.all(`SELECT count(*) AS n FROM ${t}`), t).toEqual([{ n: 0 }]);
      } finally {
        await s.close();
      }
      // Room again: the same import goes through.
      rmSync(join(full, 'filler'));
      const again = uptake(dir, ['import', 'events', 'bad.csv', ...store], {
        UPTAKE_REJECTS_DIR: join(full, 'rejects'),
      });
      expect(again.stderr).toBe('');
      expect(again.status).toBe(0);
    });

  it.skipIf(!pgUrl)(
    "PostgreSQL's disk full (a tablespace on a small tmpfs): one line, exit 1, nothing stored",
    async () => {
      const full = mount('pgspace', '1m', 'postgres');
      const url = await freshPgDatabase(pgUrl!);
      await (await PostgresStore.open(url)).close();
      const db = new URL(url).pathname.slice(1);
      const admin = await pgSession(pgUrl!);
      const space = `uptake_full_${process.pid}`;
      try {
        await admin.run(`CREATE TABLESPACE ${space} LOCATION '${full}'`);
        await pgQuery(url, `ALTER TABLE events SET TABLESPACE ${space}`);
        const r = uptake(dir, ['import', 'events', 'big.csv', '--database-url', url]);
        expect(r.status).toBe(1);
        expect(oneLine(r.stderr)).toMatch(
          /^uptake: big\.csv: not imported, nothing of it was stored: the disk of the PostgreSQL server at postgres:\/\/\S+ is full \(could not extend file .*No space left on device.*\); free space on the server \(or ask its administrator to\) and import it again$/,
        );
        const s = await PostgresStore.open(url);
        try {
          for (const t of ['events', 'imports'])
            expect(await s.all(`SELECT count(*) AS n FROM ${t}`), t).toEqual([{ n: 0 }]);
        } finally {
          await s.close();
        }
      } finally {
        await admin.run(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        await admin.run(`DROP TABLESPACE IF EXISTS ${space}`);
        await admin.close();
      }
    },
  );
});
