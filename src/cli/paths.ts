/**
 * Where files that belong beside a store live: the pseudonym key (outside the database, by design)
 * and the rejects files of imports.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Store } from '../store/Store.ts';

/** `$UPTAKE_KEY_FILE`, else `<db>.key` beside a DuckDB file, else `~/.config/uptake/pseudonym.key`. */
export function keyFile(store: Store): string {
  const env = process.env['UPTAKE_KEY_FILE'];
  if (env) return env;
  if (store.dialect.name === 'duckdb' && store.location !== ':memory:')
    return `${store.location}.key`;
  const dir = join(homedir(), '.config', 'uptake');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, 'pseudonym.key');
}

/** `$UPTAKE_REJECTS_DIR`, else `<db>.rejects/` beside a DuckDB file, else `./uptake-rejects/`. */
export function rejectsDir(store: Store): string {
  const env = process.env['UPTAKE_REJECTS_DIR'];
  if (env) return env;
  if (store.dialect.name === 'duckdb' && store.location !== ':memory:')
    return `${store.location}.rejects`;
  return 'uptake-rejects';
}
