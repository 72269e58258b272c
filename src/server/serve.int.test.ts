/**
 * `uptake serve` as a process: it answers on its port, refuses a port in use with one line, and
 * stops cleanly on SIGINT.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'uptake-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function serve(
  db: string,
  port: number,
): { p: ChildProcess; out: () => string; exit: Promise<number | null> } {
  const p = spawn(
    process.execPath,
    ['bin/uptake.js', 'serve', '--db', db, '--port', String(port)],
    {
      env: { ...process.env, UPTAKE_DB: '', DATABASE_URL: '' },
    },
  );
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
  return { p, out: () => out, exit };
}

async function until(f: () => boolean, what: () => string, ms = 60_000): Promise<void> {
  const t = Date.now();
  while (!f()) {
    if (Date.now() - t > ms) throw new Error(`timed out; output so far: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('uptake serve', () => {
  it('serves a store, refuses a busy port, stops on SIGINT', async () => {
    const port = await freePort();
    const a = serve(join(dir, 'a.duckdb'), port);
    await until(() => a.out().includes('Uptake is serving'), a.out);
    expect(a.out()).toContain(`http://127.0.0.1:${port}`);
    expect(a.out()).toContain('uptake users add admin --role admin');
    const me = await fetch(`http://127.0.0.1:${port}/api/me`);
    expect(me.status).toBe(401);
    expect(await me.json()).toEqual({
      error: { code: 'UNAUTHENTICATED', message: 'sign in first (POST /api/login)' },
    });
    expect((await fetch(`http://127.0.0.1:${port}/api/openapi.json`)).status).toBe(200);

    const b = serve(join(dir, 'b.duckdb'), port);
    const bExit = await b.exit;
    expect(bExit, b.out()).toBe(1);
    expect(b.out()).toMatch(/^uptake: port \d+ on 127\.0\.0\.1 is in use/m);

    a.p.kill('SIGINT');
    expect(await a.exit, a.out()).toBe(0);
  }, 180_000);
});
