/**
 * Vitest global setup: starts a throw-away PostgreSQL server, and a three-node Citus cluster
 * (a coordinator and two workers), for the shared integration suites, and stops them afterwards.
 * `UPTAKE_TEST_ENGINES` chooses (default `duckdb,postgres,citus`; `duckdb` alone runs without a
 * server). Citus runs only where `../shared/citus/install.sh` installed it, and only for the
 * suites that ask for it (`engines({ citus: true })`).
 */
import type { TestProject } from 'vitest/node';
import { citusInstalled, startCitusCluster } from './citusCluster.ts';
import { startTempPostgres } from './tempPostgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string | null;
    /** The Citus cluster's coordinator and worker URLs (JSON), or null. */
    citus: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const wanted = (process.env['UPTAKE_TEST_ENGINES'] ?? 'duckdb,postgres,citus').split(',');
  const stops: (() => void)[] = [];
  project.provide('pgUrl', null);
  project.provide('citus', null);
  if (wanted.includes('postgres')) {
    const pg = await startTempPostgres(['shared_buffers=256MB', 'work_mem=64MB']);
    stops.push(() => pg.stop());
    project.provide('pgUrl', pg.url);
  }
  if (wanted.includes('citus')) {
    if (citusInstalled()) {
      const cluster = await startCitusCluster(2, ['shared_buffers=128MB', 'work_mem=32MB']);
      stops.push(() => cluster.stop());
      project.provide(
        'citus',
        JSON.stringify({ coordinator: cluster.coordinator, workers: cluster.workers }),
      );
    } else if (process.env['UPTAKE_TEST_ENGINES'])
      throw new Error(
        'UPTAKE_TEST_ENGINES names citus, but Citus is not installed: run ../shared/citus/install.sh as root',
      );
  }
  return () => {
    for (const stop of stops.reverse()) stop();
  };
}
