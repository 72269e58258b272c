/**
 * The storage engines that the shared test suites run against. Each suite calls `engines()` and
 * runs its cases once per engine, against a real, fresh database: DuckDB in memory, and a new
 * database on the PostgreSQL server that `pgTestServer.ts` starts for the test run.
 */
import { inject } from 'vitest';
import type { Store } from '../store/Store.ts';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { PostgresStore } from '../store/postgresStore.ts';
import { pgQuery } from './pgAdmin.ts';

export interface TestEngine {
  name: 'duckdb' | 'postgres';
  /** A fresh, empty, migrated store. */
  open(): Promise<Store>;
}

let counter = 0;

/** Create an empty database on the test server and return its URL. */
export async function freshPgDatabase(adminUrl: string): Promise<string> {
  const name = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  await pgQuery(adminUrl, `CREATE DATABASE ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export function engines(): TestEngine[] {
  const list: TestEngine[] = [{ name: 'duckdb', open: () => DuckDBStore.open(':memory:') }];
  const url = inject('pgUrl');
  if (url)
    list.push({
      name: 'postgres',
      open: async () => PostgresStore.open(await freshPgDatabase(url)),
    });
  return list;
}
