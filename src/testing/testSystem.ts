/**
 * Test helpers of the server suites: a small generated health system imported into a fresh store
 * of one engine, the demo accounts, the server, and sign-in through the API.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCsv } from '../ingest/importCsv.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { TABLES } from '../model/canonical.ts';
import { setSetting } from '../store/settings.ts';
import type { Store } from '../store/Store.ts';
import type { TestEngine } from './testEngines.ts';
import { generate, type GenerateResult } from '../synth/generate.ts';
import { buildServer, type ServerOptions } from '../server/buildServer.ts';
import { ensureDemoAccounts, type DemoAccount } from '../admin/demoAccounts.ts';

let dir: string | null = null;
let generated: Promise<GenerateResult> | null = null;

/**
 * The test file's temporary folder (generated files, key, rejects, accounts), created on first use
 * rather than on import, so that a file importing these helpers without using them leaves nothing.
 */
export function testDir(): string {
  dir ??= mkdtempSync(join(tmpdir(), 'uptake-server-test-'));
  return dir;
}

/** Delete the test file's temporary folder, if it was made (for the file's `afterAll`). */
export function removeTestDir(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
  generated = null;
}

/** 40 clinicians over three weeks (departments of 4 to 8 clinicians), generated once per file. */
export function testFiles(): Promise<GenerateResult> {
  generated ??= generate({ outDir: join(testDir(), 'data'), clinicians: 40, days: 21, seed: 11 });
  return generated;
}

export interface TestSystem {
  store: Store;
  app: FastifyInstance;
  accounts: DemoAccount[];
  gen: GenerateResult;
  account(role: DemoAccount['role'], n?: number): DemoAccount;
  close(): Promise<void>;
}

let counter = 0;

export async function testSystem(
  engine: TestEngine,
  opts: ServerOptions & {
    empty?: boolean;
    /** Load the store with this instead of the generated files (then `gen` is only a stand-in). */
    load?: (store: Store) => Promise<void>;
  } = {},
): Promise<TestSystem> {
  const gen = await testFiles();
  const store = await engine.open();
  const id = counter++;
  const keyFile = join(testDir(), 'key');
  const rejectsDir = join(testDir(), `rejects-${id}`);
  if (opts.load) await opts.load(store);
  else if (!opts.empty) {
    const pseudonymizer = Pseudonymizer.load(keyFile);
    for (const table of TABLES)
      await importCsv(store, { table, file: gen.files[table], pseudonymizer, rejectsDir });
    await setSetting(store, 'timezone', gen.timezone);
  }
  const accounts = await ensureDemoAccounts(
    store,
    join(testDir(), `accounts-${engine.name}-${id}.json`),
    gen.goLive.departments,
  );
  const serverOpts: ServerOptions & { empty?: boolean; load?: unknown } = { ...opts };
  delete serverOpts.empty;
  delete serverOpts.load;
  const app = await buildServer(store, { webDir: null, keyFile, rejectsDir, ...serverOpts });
  await app.ready();
  return {
    store,
    app,
    accounts,
    gen,
    account(role, n = 0) {
      const a = accounts.filter((x) => x.role === role)[n];
      if (!a) throw new Error(`no ${role} account ${n}`);
      return a;
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}

export interface Session {
  cookie: string;
  csrf: string;
  username: string;
}

/** Sign in through the API; throws unless 200. */
export async function login(
  app: FastifyInstance,
  a: { username: string; password: string },
  remoteAddress = '127.0.0.1',
): Promise<Session> {
  const r = await app.inject({
    method: 'POST',
    url: '/api/login',
    payload: { username: a.username, password: a.password },
    remoteAddress,
  });
  if (r.statusCode !== 200) throw new Error(`login ${a.username}: ${r.statusCode} ${r.body}`);
  const cookie = String(r.headers['set-cookie']).split(';')[0]!;
  return { cookie, csrf: r.json<{ user: { csrf: string } }>().user.csrf, username: a.username };
}

/** A request as the signed-in `s` (with its CSRF token on state changes unless `csrf: false`). */
export function call(
  app: FastifyInstance,
  s: Session | null,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  opts: { payload?: unknown; headers?: Record<string, string>; csrf?: boolean | string } = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (s) headers['cookie'] = s.cookie;
  if (s && method !== 'GET' && opts.csrf !== false)
    headers['x-csrf-token'] = typeof opts.csrf === 'string' ? opts.csrf : s.csrf;
  return app.inject({
    method,
    url,
    headers,
    ...(opts.payload !== undefined ? { payload: opts.payload as string } : {}),
  });
}
