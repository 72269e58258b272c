/**
 * Where files that belong with a store's data live: the pseudonym key (outside the database, by
 * design) and the rejects files of imports. Beside the database file when the store has one
 * (`Store.file`: DuckDB), else in the user's configuration folder and the working folder.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Store } from '../store/Store.ts';

/** `$UPTAKE_KEY_FILE`, else `<db>.key` beside a database file, else `~/.config/uptake/pseudonym.key`. */
export function keyFile(store: Pick<Store, 'file'>): string {
  const env = process.env['UPTAKE_KEY_FILE'];
  if (env) return env;
  if (store.file) return `${store.file}.key`;
  const dir = join(homedir(), '.config', 'uptake');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, 'pseudonym.key');
}

/** `$UPTAKE_REJECTS_DIR`, else `<db>.rejects/` beside a database file, else `./uptake-rejects/`. */
export function rejectsDir(store: Pick<Store, 'file'>): string {
  const env = process.env['UPTAKE_REJECTS_DIR'];
  if (env) return env;
  if (store.file) return `${store.file}.rejects`;
  return 'uptake-rejects';
}
