/**
 * `uptake serve`'s work (its definition is `serveCommand.ts`): the server through its one entry,
 * `src/server/index.ts`.
 */
import { accountsOf } from '../admin/accounts.ts';
import { parsePort, startServer, untilStopped } from '../server/index.ts';
import { openStore } from '../store/openStore.ts';
import type { StoreFlags } from './options.ts';

export interface ServeFlags extends StoreFlags {
  port: string;
  host: string;
  trustProxy?: boolean;
}

/** Serve the chosen store until SIGINT or SIGTERM. */
export async function runServe(flags: ServeFlags): Promise<void> {
  const port = parsePort(flags.port);
  const store = await openStore({ db: flags.db, databaseUrl: flags.databaseUrl });
  try {
    const { app, url } = await startServer(store, {
      port,
      host: flags.host,
      trustProxy: flags.trustProxy ?? false,
    });
    const users = await accountsOf(store).count();
    // One write: whoever waits for the first line (a script, a test) sees the hint with it.
    process.stdout.write(
      `Uptake is serving ${store.location} on ${url}  (Ctrl-C stops it)\n` +
        (users
          ? ''
          : 'No accounts yet: create an administrator with  npx uptake users add admin --role admin\n'),
    );
    await untilStopped(app);
  } finally {
    await store.close();
  }
}
