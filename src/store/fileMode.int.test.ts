/**
 * The store file and its write-ahead log hold password hashes, pseudonyms and the access log:
 * Uptake creates them owner-only (0600), like the pseudonymisation key, whatever the umask.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBStore, restrictStoreFiles } from './duckdbStore.ts';

const dir = mkdtempSync(join(tmpdir(), 'uptake-mode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mode = (f: string) => statSync(f).mode & 0o777;

describe.skipIf(process.platform === 'win32')('store file modes', () => {
  it('creates the DuckDB file and its .wal readable by the owner only', async () => {
    // A permissive umask, as many systems have (0022 gives 0644 files).
    process.umask(0o022);
    const path = join(dir, 'new.duckdb');
    const store = await DuckDBStore.open(path);
    try {
      await store.run(`CREATE TABLE t (x INTEGER)`);
      await store.run(`INSERT INTO t VALUES (1)`);
      expect(existsSync(`${path}.wal`)).toBe(true);
      expect(mode(path)).toBe(0o600);
      expect(mode(`${path}.wal`)).toBe(0o600);
    } finally {
      await store.close();
    }
    expect(mode(path)).toBe(0o600);
  });

  it('makes an existing store and its log owner-only (a demo made before)', () => {
    const old = join(dir, 'old.duckdb');
    writeFileSync(old, '', { mode: 0o644 });
    writeFileSync(`${old}.wal`, '', { mode: 0o666 });
    restrictStoreFiles(old);
    expect(mode(old)).toBe(0o600);
    expect(mode(`${old}.wal`)).toBe(0o600);
    restrictStoreFiles(join(dir, 'absent.duckdb')); // nothing to do, no error
  });
});
