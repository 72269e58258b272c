/**
 * A connection of its own for a long job that writes in the background (the day table's refresh,
 * `src/metrics/metricDays.ts`): its transaction must neither wait for the statements of the
 * store's own connection nor take them in, and the readers keep reading the committed rows
 * meanwhile. DuckDB: a new connection to the same database, with its own BEGIN and COMMIT (DuckDB
 * lets connections of one process write different rows concurrently). PostgreSQL: the store
 * itself, whose every transaction has a pooled connection of its own.
 */
import type { Dialect } from './dialect.ts';
import { DuckDBStore } from './duckdbStore.ts';
import type { Sql, Store } from './Store.ts';

export interface Worker extends Sql {
  readonly dialect: Dialect;
  /** Run `fn` in one transaction of this connection: everything or nothing is stored. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Stop the statement under way (DuckDB; a no-op where the engine cannot be told). */
  interrupt(): void;
  /** Close the connection (never the store). */
  close(): Promise<void>;
}

/** A worker connection to `store` (the raw store, not a wrapper that serialises its statements). */
export async function openWorker(store: Store): Promise<Worker> {
  if (!(store instanceof DuckDBStore)) {
    return {
      dialect: store.dialect,
      all: (sql, params) => store.all(sql, params),
      run: (sql, params) => store.run(sql, params),
      exec: (sql, params) => store.exec(sql, params),
      transaction: (fn) => store.transaction(fn),
      interrupt: () => undefined,
      close: async () => undefined,
    };
  }
  const conn = await store.connect();
  let depth = 0;
  const worker: Worker = {
    dialect: store.dialect,
    all: (sql, params) => conn.all(sql, params),
    run: (sql, params) => conn.run(sql, params),
    exec: (sql, params) => conn.exec(sql, params),
    async transaction(fn) {
      if (depth > 0) return fn(conn);
      depth++;
      await conn.run('BEGIN TRANSACTION');
      try {
        const out = await fn(conn);
        await conn.run('COMMIT');
        return out;
      } catch (e) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        depth--;
      }
    },
    interrupt: () => conn.interrupt(),
    close: async () => conn.close(),
  };
  return worker;
}
