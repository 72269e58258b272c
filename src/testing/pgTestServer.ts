/**
 * Vitest global setup: starts a throw-away PostgreSQL server for the shared integration suites
 * and stops it afterwards. Set UPTAKE_TEST_ENGINES=duckdb to run without PostgreSQL.
 */
import type { TestProject } from 'vitest/node';
import { startTempPostgres } from './tempPostgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  if (!(process.env['UPTAKE_TEST_ENGINES'] ?? 'duckdb,postgres').split(',').includes('postgres')) {
    project.provide('pgUrl', null);
    return () => undefined;
  }
  const pg = await startTempPostgres(['shared_buffers=256MB', 'work_mem=64MB']);
  project.provide('pgUrl', pg.url);
  return () => pg.stop();
}
