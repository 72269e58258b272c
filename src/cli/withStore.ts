/**
 * Running a command on a store: open it, stop cleanly on SIGINT/SIGTERM, always close it. Run
 * modules use it; definitions never load it (it loads the store).
 */
import { constants } from 'node:os';
import type { Store } from '../store/Store.ts';
import { openStore } from '../store/openStore.ts';
import { removeTrackedSync } from '../store/tempFiles.ts';
import type { StoreFlags } from './options.ts';

/** How long a stopped command waits for its store to cancel what it runs before it exits anyway. */
const STOP_GRACE_MS = 3000;

/**
 * While a command runs on `store`, SIGINT (Ctrl-C) and SIGTERM stop it cleanly instead of killing
 * the process where it stands: the store cancels the statements it runs (on PostgreSQL a query or
 * COPY would otherwise run on for nobody), the temporary files of the work under way are removed
 * (a PostgreSQL import's staging CSV is as large as its file; a rejects file of an import that did
 * not commit), one line says so, and the process exits with 128 + the signal's number (130, 143),
 * as a shell reports a command stopped by it. What was not committed is not stored.
 */
function stopOnSignals(store: Store): { off: () => void; stopping: () => boolean } {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    const code = 128 + (constants.signals[signal] ?? 15);
    process.stderr.write(
      `uptake: stopped by ${signal}; what was not committed was not stored (run the command again to finish it)\n`,
    );
    const exit = () => {
      removeTrackedSync();
      process.exit(code);
    };
    setTimeout(exit, STOP_GRACE_MS);
    void Promise.resolve()
      .then(() => store.interrupt?.())
      .catch(() => undefined)
      .finally(exit);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    off: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
    stopping: () => stopping,
  };
}

async function run<T>(
  flags: StoreFlags,
  create: boolean,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore({ db: flags.db, databaseUrl: flags.databaseUrl, create });
  const signals = stopOnSignals(store);
  try {
    return await fn(store);
  } catch (e) {
    // Stopped by a signal: the work fails because it was cancelled, which is no news to report;
    // the signal's handler says what happened and exits.
    if (signals.stopping()) await new Promise(() => undefined);
    throw e;
  } finally {
    signals.off();
    await store.close();
  }
}

/**
 * Open the chosen store, which must exist, run `fn`, and always close it. A command that only
 * reads never creates a store: a mistyped `--db` is a user error, not an empty report from a new,
 * empty store. SIGINT and SIGTERM meanwhile cancel the store's work and exit 130 / 143.
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
