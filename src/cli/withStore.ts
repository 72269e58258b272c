import type { Store } from '../store/Store.ts';
import { openStore } from '../store/openStore.ts';

export interface StoreFlags {
  db?: string;
  databaseUrl?: string;
}

/** Open the chosen store, run `fn`, and always close it. */
export async function withStore<T>(
  flags: StoreFlags,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore({ db: flags.db, databaseUrl: flags.databaseUrl });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
