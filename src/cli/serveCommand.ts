/** `uptake serve`: its definition; the work is `serveRun.ts`, which loads the server. */
import type { Command } from 'commander';
import { storeOptions } from './options.ts';
import type { ServeFlags } from './serveRun.ts';

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
    const { runServe } = await import('./serveRun.ts');
    await runServe(flags);
  });
}
