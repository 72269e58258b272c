/**
 * Chooses the storage engine: `--database-url` / `DATABASE_URL` selects PostgreSQL, otherwise the
 * DuckDB file of `--db` / `UPTAKE_DB` (default `./uptake.duckdb`).
 */
import type { Store } from './Store.ts';
import { sweepOrphans } from './tempFiles.ts';

export interface StoreChoice {
  db?: string | undefined;
  databaseUrl?: string | undefined;
  /** Distribute the tables for Citus after migrating (PostgreSQL with the citus extension). */
  citus?: boolean | undefined;
}

/** The DuckDB path that `choice` and the environment select. */
export function duckdbPath(choice: StoreChoice = {}): string {
  // An empty UPTAKE_DB is unset (DuckDB would take '' for an in-memory database, lost on exit).
  return choice.db ?? (process.env['UPTAKE_DB'] || './uptake.duckdb');
}

/** How the user named the DuckDB path, for messages. */
function pathLabel(choice: StoreChoice, path: string): string {
  if (choice.db !== undefined) return `--db ${path}`;
  if (process.env['UPTAKE_DB']) return `UPTAKE_DB=${path}`;
  return `${path} (the default store; name another with --db or UPTAKE_DB)`;
}

/**
 * Open the store the options and environment select, migrating it to this version's schema.
 * With `create: false` (commands that only read) a DuckDB file that does not exist is a user
 * error instead of a new empty store; a file that is not a DuckDB database is always refused.
 * (A PostgreSQL database must exist already: a missing one is the connection's error.) First
 * removes the temporary folders of Uptake processes that no longer exist (`sweepOrphans`).
 */
export async function openStore(choice: StoreChoice & { create?: boolean } = {}): Promise<Store> {
  // Staging files of Uptake processes of this machine that were killed (kill -9) before they could
  // remove them (a PostgreSQL import's staging CSV is as large as its file): gone at the next run.
  sweepOrphans();
  const url = choice.databaseUrl ?? (choice.db ? undefined : process.env['DATABASE_URL']);
  if (url) {
    const { PostgresStore } = await import('./postgresStore.ts');
    return PostgresStore.open(url, { citus: choice.citus ?? false });
  }
  const path = duckdbPath(choice);
  // Drivers load when a store opens, not when the CLI starts (`uptake --help` loads neither).
  const { DuckDBStore } = await import('./duckdbStore.ts');
  return DuckDBStore.open(path, { create: choice.create ?? true, label: pathLabel(choice, path) });
}
