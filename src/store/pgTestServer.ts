/**
 * Vitest global setup: starts a throw-away PostgreSQL server (initdb + pg_ctl into a temporary
 * folder, on a free loopback port) for the shared integration suites, and stops it afterwards.
 * Set UPTAKE_TEST_ENGINES=duckdb to run without PostgreSQL (the default needs it).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string | null;
  }
}

function findBin(name: string): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(':')) if (dir && existsSync(join(dir, name))) return join(dir, name);
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    for (const v of readdirSync(base).sort().reverse()) if (existsSync(join(base, v, 'bin', name))) return join(base, v, 'bin', name);
  }
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export default async function setup(project: TestProject): Promise<() => void> {
  if ((process.env['UPTAKE_TEST_ENGINES'] ?? 'duckdb,postgres').split(',').indexOf('postgres') < 0) {
    project.provide('pgUrl', null);
    return () => undefined;
  }
  const initdb = findBin('initdb');
  const pgCtl = findBin('pg_ctl');
  if (!initdb || !pgCtl) {
    throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL 15 (apt-get install -y postgresql) or set UPTAKE_TEST_ENGINES=duckdb');
  }
  const dir = mkdtempSync(join(tmpdir(), 'uptake-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  // initdb refuses to run as root: run the server as the postgres system user then.
  const asRoot = process.getuid?.() === 0;
  const run = (bin: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : bin, asRoot ? ['-u', 'postgres', '--', bin, ...args] : args, { stdio: 'pipe' });
  if (asRoot) {
    const [uid, gid] = execFileSync('id', ['-u', 'postgres']).toString().trim().split(' ').map(Number);
    chownSync(dir, uid ?? 0, Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) || gid || 0);
    chmodSync(dir, 0o700);
  }
  run(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-instructions']);
  run(pgCtl, [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=256MB -c work_mem=64MB`,
    'start',
  ]);
  project.provide('pgUrl', `postgres://postgres@127.0.0.1:${port}/postgres`);
  return () => {
    try {
      run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
