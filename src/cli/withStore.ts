import type { Store } from '../store/Store.ts';
import { openStore } from '../store/openStore.ts';

export interface StoreFlags {
  db?: string;
  databaseUrl?: string;
}

async function run<T>(
  flags: StoreFlags,
  create: boolean,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore({ db: flags.db, databaseUrl: flags.databaseUrl, create });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * Open the chosen store, which must exist, run `fn`, and always close it. A command that only
 * reads never creates a store: a mistyped `--db` is a user error, not an empty report from a new,
 * empty store.
 */
export function withStore<T>(flags: StoreFlags, fn: (store: Store) => Promise<T>): Promise<T> {
  return run(flags, false, fn);
}

/** `withStore` for commands that write (imports, settings, accounts, tools): a new path creates the store. */
export function withNewOrExistingStore<T>(
  flags: StoreFlags,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  return run(flags, true, fn);
}
