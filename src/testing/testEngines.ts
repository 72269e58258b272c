/**
 * The storage engines that the shared test suites run against. Each suite calls `engines()` and
 * runs its cases once per engine, against a real, fresh database: DuckDB in memory, a new
 * database on the PostgreSQL server that `pgTestServer.ts` starts for the test run, and — for the
 * suites that ask, `engines({ citus: true })` — a new database on its Citus cluster with Uptake's
 * distributed layout (`uptake migrate --citus`).
 */
import { inject } from 'vitest';
import type { Store } from '../store/Store.ts';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { PostgresStore } from '../store/postgresStore.ts';
import { migrate } from '../store/migrate.ts';
import { freshCitusDatabase, type CitusCluster } from './citusCluster.ts';
import { pgQuery } from './pgAdmin.ts';

export interface TestEngine {
  name: 'duckdb' | 'postgres' | 'citus';
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

/**
 * The engines of this run: DuckDB, PostgreSQL when its server runs, and Citus when its cluster
 * runs and the suite asks (`citus: true`: the suites that cover imports, metrics, analysis,
 * engagement and the API on the distributed layout; the others would only repeat PostgreSQL).
 */
export function engines(opts: { citus?: boolean } = {}): TestEngine[] {
  const only = process.env['UPTAKE_TEST_ENGINES']?.split(',');
  const list: TestEngine[] =
    only && !only.includes('duckdb')
      ? []
      : [{ name: 'duckdb', open: () => DuckDBStore.open(':memory:') }];
  const url = inject('pgUrl');
  if (url)
    list.push({
      name: 'postgres',
      open: async () => PostgresStore.open(await freshPgDatabase(url)),
    });
  // UPTAKE_TEST_CITUS=all puts Citus under every suite (to find what the layout breaks).
  const citus = opts.citus || process.env['UPTAKE_TEST_CITUS'] === 'all' ? inject('citus') : null;
  if (citus) {
    const cluster = JSON.parse(citus) as Omit<CitusCluster, 'stop'>;
    list.push({
      name: 'citus',
      open: async () => {
        const store = await PostgresStore.open(
          await freshCitusDatabase({ ...cluster, stop: () => undefined }),
        );
        await migrate(store, { citus: true });
        return store;
      },
    });
  }
  return list;
}
