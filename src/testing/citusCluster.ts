/**
 * A throw-away Citus cluster for the test suites and benchmarks: a coordinator and `workers`
 * workers, each a PostgreSQL 15 server of `tempPostgres.ts` with the citus library preloaded, on
 * free loopback ports. Citus is built and installed by `../shared/citus/install.sh` (the CI runs
 * it); `citusInstalled()` says whether this machine has it.
 *
 * Citus keeps its metadata per database, so a fresh database is made on every node, the
 * extension created in each, and the workers added on the coordinator (`freshCitusDatabase`).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pgQuery } from './pgAdmin.ts';
import { startTempPostgres, type TempPostgres } from './tempPostgres.ts';

/** True when the citus extension is installed into this machine's PostgreSQL. */
export function citusInstalled(): boolean {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return false;
  return readdirSync(base).some((v) => existsSync(join(base, v, 'lib', 'citus.so')));
}

export interface CitusCluster {
  /** Superuser URL of the coordinator's `postgres` database. */
  coordinator: string;
  /** Superuser URLs of the workers' `postgres` databases. */
  workers: string[];
  stop(): void;
}

/** Start a coordinator and `workers` workers; `stop()` shuts them all down and deletes them. */
export async function startCitusCluster(
  workers = 2,
  settings: string[] = [],
): Promise<CitusCluster> {
  const nodes: TempPostgres[] = [];
  try {
    for (let i = 0; i <= workers; i++)
      nodes.push(
        await startTempPostgres([
          'shared_preload_libraries=citus',
          // The suites run two files at once, each with a database of its own on every node.
          'max_connections=300',
          // Four shards per table, not Citus's 32: the suites' data is small, and on a 2-core
          // machine each statement's 32 tasks per table cost more than the rows (the layout,
          // co-location and planning are the same with any count).
          'citus.shard_count=4',
          ...settings,
        ]),
      );
  } catch (e) {
    for (const n of nodes) n.stop();
    throw e;
  }
  return {
    coordinator: nodes[0]!.url,
    workers: nodes.slice(1).map((n) => n.url),
    stop: () => {
      for (const n of nodes) n.stop();
    },
  };
}

/** `url` with another database name. */
function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

let counter = 0;

/**
 * A new, empty database on every node of `cluster`, with the citus extension and the workers
 * registered on the coordinator; the coordinator's URL. The coordinator also holds placements of
 * reference tables (`citus_set_coordinator_host`), as a production coordinator does, so that
 * local tables of the coordinator can join them.
 */
export async function freshCitusDatabase(cluster: CitusCluster): Promise<string> {
  const name = `c_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  for (const url of [cluster.coordinator, ...cluster.workers]) {
    await pgQuery(url, `CREATE DATABASE ${name}`);
    await pgQuery(withDatabase(url, name), `CREATE EXTENSION citus`);
  }
  const db = withDatabase(cluster.coordinator, name);
  const port = (url: string) => Number(new URL(url).port);
  await pgQuery(db, `SELECT citus_set_coordinator_host('127.0.0.1', $1)`, [
    port(cluster.coordinator),
  ]);
  for (const w of cluster.workers)
    await pgQuery(db, `SELECT citus_add_node('127.0.0.1', $1)`, [port(w)]);
  return db;
}
