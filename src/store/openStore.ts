/**
 * Chooses the storage engine: `--database-url` / `DATABASE_URL` selects PostgreSQL, otherwise the
 * DuckDB file of `--db` / `UPTAKE_DB` (default `./uptake.duckdb`).
 */
import { DuckDBStore } from './duckdbStore.ts';
import type { Store } from './Store.ts';

export interface StoreChoice {
  db?: string | undefined;
  databaseUrl?: string | undefined;
  /** Distribute the tables for Citus after migrating (PostgreSQL with the citus extension). */
  citus?: boolean | undefined;
}

/** The DuckDB path that `choice` and the environment select. */
export function duckdbPath(choice: StoreChoice = {}): string {
  return choice.db ?? process.env['UPTAKE_DB'] ?? './uptake.duckdb';
}

/** Open the store the options and environment select, migrating it to this version's schema. */
export async function openStore(choice: StoreChoice = {}): Promise<Store> {
  const url = choice.databaseUrl ?? (choice.db ? undefined : process.env['DATABASE_URL']);
  if (url) {
    const { PostgresStore } = await import('./postgresStore.ts');
    return PostgresStore.open(url, { citus: choice.citus ?? false });
  }
  return DuckDBStore.open(duckdbPath(choice));
}
