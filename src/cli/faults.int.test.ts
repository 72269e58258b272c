/**
 * Faults met by the real CLI (issue 11, items 9 and 10): PostgreSQL stopped, or the session
 * ended, during an import's COPY; Ctrl-C, SIGTERM and kill -9 during it; two imports at once; a
 * killed metrics command whose query would run on; a folder given as the file; an orphan
 * rejects file in the way; `imports show` of 130,000 rejects. Each is one clear line and the
 * closed set's exit status, nothing half-stored, no staging file left behind.
 *
 * A PostgreSQL import is held inside its COPY by a statement trigger that sleeps (the COPY's
 * backend then waits in `PgSleep`), so that each fault strikes at a known moment.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgQuery } from '../testing/pgAdmin.ts';
import { freshPgDatabase } from '../testing/testEngines.ts';
import { PostgresStore } from '../store/postgresStore.ts';
import { startTempPostgres } from '../testing/tempPostgres.ts';
import { tempDirPrefix } from '../store/tempFiles.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'uptake.js');
const pgUrl = inject('pgUrl');
const KEY = 'k'.repeat(40);

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The CLI in `cwd` with `TMPDIR` there too (its staging files are then ours to count). */
function env(cwd: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    UPTAKE_DB: '',
    DATABASE_URL: '',
    UPTAKE_DEBUG: '',
    UPTAKE_PSEUDONYM_KEY: KEY,
    TMPDIR: join(cwd, 'tmp'),
    ...extra,
  };
}

function uptake(cwd: string, args: string[], extra: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: env(cwd, extra),
    timeout: 120_000,
    maxBuffer: 1 << 30,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function start(cwd: string, args: string[]): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: env(cwd) });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<Run>((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })),
  );
  return { child, done };
}

async function waitFor<T>(what: string, f: () => Promise<T | null>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== null) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The backends of `db` sleeping in a test trigger or function (pg_sleep). */
const sleepers = (url: string, db: string) =>
  pgQuery<{ pid: number; query: string }>(
    url,
    `SELECT pid, query FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'PgSleep' AND pid <> pg_backend_pid()`,
    [db],
  );

/** Uptake's temporary folders in the CLI's TMPDIR. */
const staging = (cwd: string) =>
  readdirSync(join(cwd, 'tmp')).filter((n) => n.startsWith('uptake-'));

/** One line on stderr, no stack, no Node report of an unhandled event. */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/Unhandled|\n\s+at |node:internal|internal error/);
  return lines[0]!;
}

const EVENTS = (prefix: string, n: number) =>
  'event_id,occurred_at,user_id,action,category\n' +
  Array.from(
    { length: n },
    (_, i) =>
      `${prefix}${i},2026-03-02T${String(8 + (i % 10)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z,u${i % 7},x,notes`,
  ).join('\n') +
  '\n';

/**
 * A fresh migrated database whose COPY into events sleeps `seconds` first (only the first COPY
 * when `once`: a sequence counts them, outside any transaction).
 */
async function slowCopyDb(
  admin: string,
  seconds: number,
  once = false,
): Promise<{ url: string; db: string }> {
  const url = await freshPgDatabase(admin);
  await (await PostgresStore.open(url)).close();
  await pgQuery(url, `CREATE SEQUENCE uptake_test_copies`);
  await pgQuery(
    url,
    `CREATE FUNCTION uptake_test_slow() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF nextval('uptake_test_copies') = 1 OR NOT ${once} THEN PERFORM pg_sleep(${seconds}); END IF;
         RETURN NULL;
       END $$`,
  );
  await pgQuery(
    url,
    `CREATE TRIGGER uptake_test_slow BEFORE INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION uptake_test_slow()`,
  );
  return { url, db: new URL(url).pathname.slice(1) };
}

const count = async (url: string, table: string) =>
  Number((await pgQuery<{ n: string }>(url, `SELECT count(*) AS n FROM ${table}`))[0]!.n);

function workdir(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'uptake-faults-'));
  mkdirSync(join(cwd, 'tmp'));
  writeFileSync(join(cwd, 'e.csv'), EVENTS('e', 50));
  return cwd;
}

describe.skipIf(!pgUrl)('PostgreSQL faults during an import, through the CLI', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const cwd = () => {
    const d = workdir();
    dirs.push(d);
    return d;
  };

  it('the session ended during COPY: one line, exit 1, nothing stored, no staging file; a re-import stores every row', async () => {
    const dir = cwd();
    const { url, db } = await slowCopyDb(pgUrl!, 60);
    const run = start(dir, ['import', 'events', 'e.csv', '--database-url', url]);
    const [s] = await waitFor('the COPY', async () =>
      (await sleepers(pgUrl!, db)).length ? await sleepers(pgUrl!, db) : null,
    );
    expect(s!.query).toMatch(/^COPY events/);
    // the staging CSV the COPY streams, and where the staging DuckDB would spill
    expect(
      staging(dir)
        .map((n) => n.split('-')[1])
        .sort(),
    ).toEqual(['copy', 'spill']);
    await pgQuery(pgUrl!, `SELECT pg_terminate_backend($1)`, [s!.pid]);
    const r = await run.done;
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(
      /^uptake: e\.csv: not imported, nothing of it was stored: the connection to PostgreSQL at postgres:\/\/\S+ was lost \(terminating connection due to administrator command\): the server stopped, restarted or ended the session; import it again once PostgreSQL is back$/,
    );
    expect(staging(dir)).toEqual([]);
    expect(await count(url, 'events')).toBe(0);
    expect(await count(url, 'imports')).toBe(0);
    await pgQuery(url, `DROP TRIGGER uptake_test_slow ON events`);
    const again = uptake(dir, ['import', 'events', 'e.csv', '--database-url', url]);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(await count(url, 'events')).toBe(50);
    expect(staging(dir)).toEqual([]);
  });

  it('the server stopped during COPY: one line, exit 1, no staging file', async () => {
    const dir = cwd();
    const server = await startTempPostgres();
    try {
      const { url, db } = await slowCopyDb(server.url, 60);
      const run = start(dir, ['import', 'events', 'e.csv', '--database-url', url]);
      await waitFor('the COPY', async () =>
        (await sleepers(server.url, db)).length ? true : null,
      );
      server.stop();
      const r = await run.done;
      expect(r.status).toBe(1);
      expect(oneLine(r.stderr)).toMatch(
        /^uptake: e\.csv: not imported, nothing of it was stored: the connection to PostgreSQL at \S+ was lost \(.+\): the server stopped, restarted or ended the session; import it again once PostgreSQL is back$/,
      );
      expect(staging(dir)).toEqual([]);
    } finally {
      try {
        server.stop();
      } catch {
        // stopped above
      }
    }
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)
    it(`${signal} during COPY: exit ${code}, the COPY cancelled on the server at once, no staging file`, async () => {
      const dir = cwd();
      const { url, db } = await slowCopyDb(pgUrl!, 60);
      const run = start(dir, ['import', 'events', 'e.csv', '--database-url', url]);
      await waitFor('the COPY', async () => ((await sleepers(pgUrl!, db)).length ? true : null));
      run.child.kill(signal);
      const r = await run.done;
      expect(r.signal).toBeNull();
      expect(r.status).toBe(code);
      expect(oneLine(r.stderr)).toBe(
        `uptake: stopped by ${signal}; what was not committed was not stored (run the command again to finish it)`,
      );
      expect(staging(dir)).toEqual([]);
      // cancelled, not left to sleep its 60 s
      await waitFor(
        'the COPY to end',
        async () => ((await sleepers(pgUrl!, db)).length ? null : true),
        5000,
      );
      expect(await count(url, 'events')).toBe(0);
    });

  it('kill -9 during COPY: the server ends the COPY of the dead client, and the next run removes its staging folder', async () => {
    const dir = cwd();
    const { url, db } = await slowCopyDb(pgUrl!, 60);
    const run = start(dir, ['import', 'events', 'e.csv', '--database-url', url]);
    await waitFor('the COPY', async () => ((await sleepers(pgUrl!, db)).length ? true : null));
    const pid = run.child.pid!;
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    // Nothing could run in the killed process: its staging folders are still there, named by its pid.
    const named = (kind: 'copy' | 'spill') =>
      expect.stringMatching(new RegExp(`^${tempDirPrefix(kind, pid).replaceAll('.', '\\.')}`));
    expect(staging(dir).sort()).toEqual([named('copy'), named('spill')]);
    // The server notices the client is gone (client_connection_check_interval) long before 60 s.
    await waitFor(
      'the COPY to end',
      async () => ((await sleepers(pgUrl!, db)).length ? null : true),
      15_000,
    );
    // A folder of a live process (this one) is left alone; the dead one's goes at the next run.
    const live = join(dir, 'tmp', `${tempDirPrefix('copy')}abcdef`);
    mkdirSync(live);
    const next = uptake(dir, ['imports', '--database-url', url]);
    expect(next.status).toBe(0);
    expect(staging(dir)).toEqual([`${tempDirPrefix('copy')}abcdef`]);
    expect(await count(url, 'events')).toBe(0);
    expect(await count(url, 'imports')).toBe(0);
  });

  it('two CLI imports at once both succeed, with their own import ids', async () => {
    const dir = cwd();
    writeFileSync(join(dir, 'f.csv'), EVENTS('f', 30));
    const { url, db } = await slowCopyDb(pgUrl!, 10, true);
    const a = start(dir, ['import', 'events', 'e.csv', '--database-url', url]);
    // B starts while A is inside its COPY, having taken its import id but not committed it, and
    // reaches its own commit while A still sleeps.
    await waitFor('the first COPY', async () =>
      (await sleepers(pgUrl!, db)).length ? true : null,
    );
    const b = start(dir, ['import', 'events', 'f.csv', '--database-url', url]);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.stderr).toBe('');
    expect(rb.stderr).toBe('');
    expect([ra.status, rb.status]).toEqual([0, 0]);
    const imports = await pgQuery<{ import_id: number; file: string; rows_stored: string }>(
      url,
      `SELECT import_id, file, rows_stored FROM imports ORDER BY import_id`,
    );
    expect(imports.map((i) => [i.import_id, i.file, Number(i.rows_stored)])).toEqual([
      [1, 'e.csv', 50],
      [2, 'f.csv', 30],
    ]);
    expect(await count(url, 'events')).toBe(80);
  });
});

describe.skipIf(!pgUrl)(
  'a stopped metrics command does not leave its query running (PostgreSQL)',
  () => {
    const dirs: string[] = [];
    afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

    /** A database whose `events` is a view that sleeps 60 s when read. */
    async function slowReadDb(dir: string): Promise<{ url: string; db: string }> {
      const url = await freshPgDatabase(pgUrl!);
      expect(uptake(dir, ['import', 'events', 'e.csv', '--database-url', url]).status).toBe(0);
      await pgQuery(url, `ALTER TABLE events RENAME TO events_data`);
      await pgQuery(
        url,
        `CREATE FUNCTION uptake_test_sleep() RETURNS boolean LANGUAGE plpgsql AS $$
         BEGIN PERFORM pg_sleep(60); RETURN true; END $$`,
      );
      await pgQuery(
        url,
        `CREATE VIEW events AS SELECT * FROM events_data WHERE uptake_test_sleep()`,
      );
      return { url, db: new URL(url).pathname.slice(1) };
    }

    const metrics = (url: string) => [
      'metrics',
      '--from',
      '2026-03-02',
      '--to',
      '2026-03-09',
      '--database-url',
      url,
    ];

    it('Ctrl-C cancels the query on the server and exits 130', async () => {
      const dir = workdir();
      dirs.push(dir);
      const { url, db } = await slowReadDb(dir);
      const run = start(dir, metrics(url));
      await waitFor('the query', async () => ((await sleepers(pgUrl!, db)).length ? true : null));
      run.child.kill('SIGINT');
      const r = await run.done;
      expect(r.status).toBe(130);
      expect(oneLine(r.stderr)).toMatch(/^uptake: stopped by SIGINT;/);
      await waitFor(
        'the query to end',
        async () => ((await sleepers(pgUrl!, db)).length ? null : true),
        5000,
      );
    });

    it('kill -9: the server ends the query of the dead client within seconds', async () => {
      const dir = workdir();
      dirs.push(dir);
      const { url, db } = await slowReadDb(dir);
      const run = start(dir, metrics(url));
      await waitFor('the query', async () => ((await sleepers(pgUrl!, db)).length ? true : null));
      run.child.kill('SIGKILL');
      await run.done;
      await waitFor(
        'the query to end',
        async () => ((await sleepers(pgUrl!, db)).length ? null : true),
        15_000,
      );
    });
  },
);

const ENGINES = pgUrl ? (['duckdb', 'postgres'] as const) : (['duckdb'] as const);

describe.each(ENGINES)('user conditions, one clear line each (%s)', (engine) => {
  let dir: string;
  let store: string[];
  let url = '';
  beforeAll(async () => {
    dir = workdir();
    if (engine === 'postgres') url = await freshPgDatabase(pgUrl!);
    store = engine === 'postgres' ? ['--database-url', url] : ['--db', 's.duckdb'];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rejectsDir = () => join(dir, engine === 'postgres' ? 'uptake-rejects' : 's.duckdb.rejects');

  it('a folder given as the file to import: exit 1, in every format', () => {
    mkdirSync(join(dir, 'folder'), { recursive: true });
    for (const format of ['csv', 'parquet', 'fhir', 'epic-access-log']) {
      const r = uptake(dir, [
        'import',
        'events',
        'folder',
        '--format',
        format,
        '--source-tz',
        'UTC',
        ...store,
      ]);
      expect(r.status, format).toBe(1);
      expect(oneLine(r.stderr)).toBe(
        `uptake: folder: is a folder, not a file; name the files in it (e.g. ${join('folder', '*.csv')})`,
      );
    }
    const t = uptake(dir, ['training', 'import', 'folder', ...store]);
    expect(t.status).toBe(1);
    expect(oneLine(t.stderr)).toMatch(/^uptake: folder: is a folder, not a file;/);
  });

  it('an orphan rejects file where the next import id would write: kept as it was, the new one beside it', () => {
    // As an import killed after writing its rejects file and before committing leaves it; the
    // next import takes the same id. A folder of that name (EISDIR before) is treated alike.
    mkdirSync(rejectsDir(), { recursive: true });
    const orphan = join(rejectsDir(), 'import-1-events-bad.csv.rejects.csv');
    writeFileSync(orphan, 'line,reason,row\n2,"an earlier reason","the orphan row"\n');
    mkdirSync(join(rejectsDir(), 'import-1-events-bad.csv.2.rejects.csv'));
    writeFileSync(
      join(dir, 'bad.csv'),
      'event_id,occurred_at,user_id,action,category\nb1,2026-03-02T09:00:00Z,u1,x,notes\nb2,not a time,u1,x,notes\n',
    );
    const r = uptake(dir, ['import', 'events', 'bad.csv', ...store, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [report] = JSON.parse(r.stdout) as { import_id: number; rejects_file: string }[];
    expect(report!.import_id).toBe(1);
    expect(report!.rejects_file).toBe(
      join(
        engine === 'postgres' ? 'uptake-rejects' : 's.duckdb.rejects',
        'import-1-events-bad.csv.3.rejects.csv',
      ),
    );
    expect(readFileSync(orphan, 'utf8')).toBe(
      'line,reason,row\n2,"an earlier reason","the orphan row"\n',
    );
    const show = uptake(dir, ['imports', 'show', '1', ...store, '--json']);
    expect(show.status).toBe(0);
    expect((JSON.parse(show.stdout) as { rejects: unknown[] }).rejects).toEqual([
      { line: 3, reason: expect.stringMatching(/^occurred_at /), row: 'b2,not a time,u1,x,notes' },
    ]);
  });

  it('imports show of an import with 130,000 rejects: every one, as a table and as JSON', () => {
    const n = 130_000;
    const rows = Array.from({ length: n }, (_, i) => `r${i},bad${i % 10},u1,x,notes`);
    writeFileSync(
      join(dir, 'many.csv'),
      'event_id,occurred_at,user_id,action,category\nok,2026-03-02T09:00:00Z,u1,x,notes\n' +
        rows.join('\n') +
        '\n',
    );
    const imp = uptake(dir, ['import', 'events', 'many.csv', ...store, '--json']);
    expect(imp.stderr).toBe('');
    const [report] = JSON.parse(imp.stdout) as { import_id: number; rows_rejected: number }[];
    expect(report!.rows_rejected).toBe(n);
    const text = uptake(dir, ['imports', 'show', String(report!.import_id), ...store]);
    expect(text.stderr).toBe('');
    expect(text.status).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    const head = lines.findIndex((l) => /^\s*line\s+reason\s+row$/.test(l));
    expect(head).toBeGreaterThan(0);
    expect(lines.length - head - 2).toBe(n);
    expect(lines[head + 2]).toMatch(/^ {5}3 {2}occurred_at .* {2}r0,bad0,u1,x,notes$/);
    expect(lines.at(-1)).toMatch(/^130002 {2}occurred_at .* {2}r129999,bad9,u1,x,notes$/);
    const json = uptake(dir, ['imports', 'show', String(report!.import_id), ...store, '--json']);
    expect(json.status).toBe(0);
    const shown = JSON.parse(json.stdout) as {
      report: { import_id: number };
      rejects: { line: number; reason: string; row: string }[];
    };
    expect(shown.report.import_id).toBe(report!.import_id);
    expect(shown.rejects).toHaveLength(n);
    expect(shown.rejects[n - 1]).toEqual({
      line: n + 2,
      reason: expect.stringMatching(/^occurred_at /),
      row: `r${n - 1},bad9,u1,x,notes`,
    });
  }, 180_000);
});

describe('DuckDB: a store in use by another process', () => {
  it('says so in one line (exit 1) instead of crashing; the other process is unharmed', async () => {
    const dir = workdir();
    try {
      const { DuckDBStore } = await import('../store/duckdbStore.ts');
      const held = await DuckDBStore.open(join(dir, 's.duckdb'));
      try {
        const r = uptake(dir, ['import', 'events', 'e.csv', '--db', 's.duckdb']);
        expect(r.status).toBe(1);
        expect(oneLine(r.stderr)).toBe(
          'uptake: s.duckdb is in use by another Uptake process (DuckDB allows one writer); stop it or use another --db',
        );
        expect(await held.all(`SELECT count(*) AS n FROM imports`)).toEqual([{ n: 0 }]);
      } finally {
        await held.close();
      }
      expect(uptake(dir, ['import', 'events', 'e.csv', '--db', 's.duckdb']).status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
