/**
 * The storage engines that the shared test suites run against. Each suite calls `engines()` and
 * runs its cases once per engine, against a real, fresh database.
 */
import type { Store } from './Store.ts';
import { DuckDBStore } from './duckdbStore.ts';

export interface TestEngine {
  name: string;
  /** A fresh, empty, migrated store. */
  open(): Promise<Store>;
}

/** DuckDB in memory always; PostgreSQL once its engine exists (see issue #3). */
export function engines(): TestEngine[] {
  return [{ name: 'duckdb', open: () => DuckDBStore.open(':memory:') }];
}
