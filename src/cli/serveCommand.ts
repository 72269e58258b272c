import { Command } from 'commander';
import { storeOptions } from './main.ts';
import type { StoreFlags } from './withStore.ts';

interface ServeFlags extends StoreFlags {
  port: string;
  host: string;
  trustProxy?: boolean;
}

export function registerServe(program: Command): void {
  storeOptions(
    program
      .command('serve')
      .description('serve the web app and the JSON API on a store (DuckDB file or PostgreSQL)')
      .option('--port <port>', 'TCP port', '8080')
      .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
      .option(
        '--trust-proxy',
        'behind a reverse proxy: trust X-Forwarded-For/-Proto (https makes session cookies Secure)',
      ),
  ).action(async (flags: ServeFlags) => {
    // The server and the drivers load when the command runs, not when the CLI starts.
    const { parsePort, startServer, untilStopped } = await import('../server/serve.ts');
    const { openStore } = await import('../store/openStore.ts');
    const port = parsePort(flags.port);
    const store = await openStore({ db: flags.db, databaseUrl: flags.databaseUrl });
    try {
      const { app, url } = await startServer(store, {
        port,
        host: flags.host,
        trustProxy: flags.trustProxy ?? false,
      });
      const [users] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM users`);
      // One write: whoever waits for the first line (a script, a test) sees the hint with it.
      process.stdout.write(
        `Uptake is serving ${store.location} on ${url}  (Ctrl-C stops it)\n` +
          (users?.n
            ? ''
            : 'No accounts yet: create an administrator with  npx uptake users add admin --role admin\n'),
      );
      await untilStopped(app);
    } finally {
      await store.close();
    }
  });
}
