/**
 * How the faults of the machine are recognised (issue 11, items 9 and 10): "no space left" as
 * Node's file system, DuckDB and PostgreSQL each report it, and a lost PostgreSQL connection as
 * pg reports it; each becomes one line of the closed error set (UNAVAILABLE: exit 1, HTTP 503).
 * The real cases are in `src/cli/diskFull.int.test.ts` and `src/cli/faults.int.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diskFull, fileFault, isLostConnection, lostConnection, StoreFault } from './faults.ts';
import { importFault } from '../ingest/importFiles.ts';

const errno = (code: string, path?: string) =>
  Object.assign(new Error(`${code}: something, write`), { code, ...(path ? { path } : {}) });

describe('a full disk', () => {
  it("from Node's file system, naming the file", () => {
    const f = diskFull(errno('ENOSPC', '/data/rejects/import-1.rejects.csv'))!;
    expect(f).toBeInstanceOf(StoreFault);
    expect(f.code).toBe('UNAVAILABLE');
    expect(f.exitCode).toBe(1);
    expect(f.httpStatus).toBe(503);
    expect(f.message).toBe(
      'the disk holding /data/rejects/import-1.rejects.csv is full (no space left on device); free space there and run the command again',
    );
    expect(diskFull(errno('EDQUOT'))!.message).toBe(
      'a disk is full (disk quota exceeded); free space there and run the command again',
    );
  });

  it("from DuckDB's I/O error, naming the file it could not write", () => {
    const duck = new Error(
      'TransactionContext Error: Failed to commit: Could not write file "/mnt/s.duckdb.wal": No space left on device',
    );
    expect(diskFull(duck)!.message).toBe(
      'the disk holding /mnt/s.duckdb.wal is full (no space left on device); free space there and run the command again',
    );
  });

  it("from PostgreSQL's disk_full (53100)", () => {
    const pgErr = Object.assign(
      new Error('could not extend file "base/16384/16390": No space left on device'),
      { code: '53100' },
    );
    expect(diskFull(pgErr, 'postgres://u@db/x')!.message).toBe(
      'the disk of the PostgreSQL server at postgres://u@db/x is full (could not extend file "base/16384/16390": No space left on device); free space on the server (or ask its administrator to) and run the command again',
    );
  });

  it('is not any other error', () => {
    expect(diskFull(new Error('Conversion Error: could not convert'))).toBeNull();
    expect(diskFull(Object.assign(new Error('x'), { code: '23505' }))).toBeNull();
    expect(diskFull('a string')).toBeNull();
  });

  it('a real write error of the file system (EISDIR) is a user error naming the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'uptake-faults-unit-'));
    try {
      const fh = await open(dir, 'r');
      const e = await fh.readFile().catch((x: unknown) => x);
      await fh.close();
      const f = fileFault(Object.assign(e as object, { path: dir }))!;
      expect(f.code).toBe('INVALID_INPUT');
      expect(f.message).toBe(
        `${dir} is a folder, where a file was expected; give a file (or remove the folder)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a lost PostgreSQL connection', () => {
  it('is recognised by its SQLSTATE, socket error or pg message', () => {
    for (const code of ['57P01', '57P02', '57P03', '08006', 'ECONNRESET', 'EPIPE'])
      expect(isLostConnection(Object.assign(new Error('x'), { code })), code).toBe(true);
    expect(isLostConnection(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isLostConnection(Object.assign(new Error('x'), { code: '23505' }))).toBe(false);
  });

  it('says whether anything can have been stored', () => {
    const e = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    expect(lostConnection(e, 'postgres://u@db/x').message).toBe(
      'the connection to PostgreSQL at postgres://u@db/x was lost (terminating connection due to administrator command): the server stopped, restarted or ended the session; nothing unfinished was stored; run the command again once PostgreSQL is back',
    );
    const committing = lostConnection(e, 'postgres://u@db/x', true);
    expect(committing.whileCommitting).toBe(true);
    expect(committing.message).toMatch(
      /ended the session while the work was being committed; whether it was stored is unknown; check, then run the command again$/,
    );
  });

  it('an import says what became of the file', () => {
    const e = lostConnection(new Error('Connection terminated unexpectedly'), 'postgres://h/x');
    expect((importFault(e, 'events.csv') as Error).message).toBe(
      'events.csv: not imported, nothing of it was stored: the connection to PostgreSQL at postgres://h/x was lost (Connection terminated unexpectedly): the server stopped, restarted or ended the session; import it again once PostgreSQL is back',
    );
    const c = lostConnection(
      new Error('Connection terminated unexpectedly'),
      'postgres://h/x',
      true,
    );
    expect((importFault(c, 'events.csv') as Error).message).toBe(
      'events.csv: the connection to PostgreSQL at postgres://h/x was lost (Connection terminated unexpectedly): the server stopped, restarted or ended the session while the work was being committed; so it is unknown whether the import was stored: see uptake imports list, or import the file again (a re-import stores nothing twice)',
    );
    const other = new Error('something else');
    expect(importFault(other, 'events.csv')).toBe(other);
  });
});
