/**
 * Run the server until the process is asked to stop (SIGINT / SIGTERM), then close it; the caller
 * closes the store afterwards.
 */
import type { FastifyInstance } from 'fastify';
import { UptakeError } from '../errors/UptakeError.ts';
import type { Store } from '../store/Store.ts';
import { buildServer, type ServerOptions } from './buildServer.ts';
import { frameAncestorsFromEnv, ssoConfigFromEnv } from './sso.ts';
import { smtpConfigFromEnv } from './mailer.ts';
import { createServer } from 'node:net';

/** Refuse a port in use before building anything (the cache warm-up would start a query). */
function assertPortFree(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'EADDRINUSE'
          ? new UptakeError(
              'UNAVAILABLE',
              `port ${port} on ${host} is in use (another uptake serve?); stop it or pass --port`,
            )
          : e,
      );
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

export interface ListenOptions extends ServerOptions {
  port: number;
  host: string;
}

/** Build the server and listen; the URL to open. */
export async function startServer(
  store: Store,
  opts: ListenOptions,
): Promise<{ app: FastifyInstance; url: string }> {
  await assertPortFree(opts.port, opts.host);
  const app = await buildServer(store, {
    logger: { level: process.env['UPTAKE_LOG_LEVEL'] ?? 'warn' },
    warmCache: true,
    sso: ssoConfigFromEnv(),
    frameAncestors: frameAncestorsFromEnv(),
    smtp: smtpConfigFromEnv(),
    ...opts,
  });
  try {
    await app.listen({ port: opts.port, host: opts.host });
  } catch (e) {
    // Closing waits for the cache warm-up's running query; do not let a refused port hang on it.
    await Promise.race([
      app.close().catch(() => undefined),
      new Promise((r) => setTimeout(r, 1000).unref()),
    ]);
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE')
      throw new UptakeError(
        'UNAVAILABLE',
        `port ${opts.port} on ${opts.host} is in use (another uptake serve?); stop it or pass --port`,
        { cause: e },
      );
    if (code === 'EACCES')
      throw new UptakeError(
        'UNAVAILABLE',
        `not allowed to listen on port ${opts.port}; choose one above 1024`,
        {
          cause: e,
        },
      );
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new UptakeError(
        'INVALID_INPUT',
        `--host ${opts.host} is not an address of this machine`,
        {
          cause: e,
        },
      );
    throw e;
  }
  const shown = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host;
  const host = shown.includes(':') ? `[${shown}]` : shown;
  return { app, url: `http://${host}:${opts.port}` };
}

/** Resolves when SIGINT or SIGTERM arrives and the server has closed. */
export function untilStopped(app: FastifyInstance): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.stdout.write('\nStopping …\n');
      void app.close().finally(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Parse a --port value. */
export function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 65535)
    throw new UptakeError('BAD_INVOCATION', `--port ${v} is not a port number (1–65535)`);
  return n;
}
