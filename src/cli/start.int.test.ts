/**
 * What `uptake` loads to start (issue #12 item 5): help comes from the commands' light
 * definitions, so it loads commander and a few small modules of ours, never zod, an engine, the
 * server or the modules that do a command's work. The modules are recorded by a loader hook that
 * names every module Node loads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'uptake.js');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'uptake-start-'));
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `export async function load(url, context, next) {
       const r = await next(url, context);
       process.stderr.write('LOADED ' + url + '\\n');
       return r;
     }\n`,
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the compiled CLI; its output and the modules it loaded, relative to the checkout. */
function start(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', join(dir, 'register.mjs'), BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, UPTAKE_FROM_SOURCE: '', UPTAKE_DB: '', DATABASE_URL: '' },
  });
  const loaded = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('LOADED file://'))
    .map((l) => decodeURIComponent(new URL(l.slice('LOADED '.length)).pathname))
    .map((p) => p.replace(/^.*\/node_modules\//, 'node_modules/').replace(`${ROOT}/`, ''));
  return { status: r.status, stdout: r.stdout, loaded };
}

/** Modules whose loading at start would make every command slow. */
const HEAVY = [
  /^node_modules\/zod\//,
  /^node_modules\/@duckdb\//,
  /^node_modules\/pg/,
  /^node_modules\/fastify/,
  /^node_modules\/cli-progress\//,
  /^node_modules\/(jstat|ml-matrix)\//,
  /^dist\/(ingest|metrics|analysis|server|admin|synth|export|program)\//,
  /^dist\/store\/(?!faults\.js)/,
  /^dist\/cli\/\w+Run\.js$/,
  /^dist\/model\/(?!constants\.js)/,
];

describe('uptake starts light', () => {
  it.each([
    ['--help', ['--help'], 'Commands:'],
    ['import --help', ['import', '--help'], '"epic-access-log"'],
    ['users add --help', ['users', 'add', '--help'], '"champion"'],
    ['metrics --help', ['metrics', '--help'], '"after18to06"'],
    ['settings --help', ['settings', '--help'], 'earliest_instant'],
    ['goals propose --help', ['goals', 'propose', '--help'], '"decrease"'],
    ['feedback export --help', ['feedback', 'export', '--help'], '"csv"'],
  ])('%s loads commander and the definitions only', (_name, args, shown) => {
    const r = start(args);
    expect(r.status).toBe(0);
    // The choices and defaults come from the model's constants.
    expect(r.stdout).toContain(shown);
    // The hook saw the start (else the test below would pass for nothing).
    expect(r.loaded).toContain('dist/cli/main.js');
    expect(r.loaded.some((p) => p.startsWith('node_modules/commander/'))).toBe(true);
    expect(r.loaded.filter((p) => HEAVY.some((h) => h.test(p)))).toEqual([]);
  });

  it('a command that runs loads its work (and zod) only then', () => {
    const r = start(['users', 'list', '--db', join(dir, 'none.duckdb')]);
    // No store there: a user error, after the run module was loaded.
    expect(r.status).toBe(1);
    expect(r.loaded).toContain('dist/cli/usersRun.js');
    expect(r.loaded).toContain('dist/admin/accounts.js');
    expect(r.loaded.some((p) => p.startsWith('node_modules/zod/'))).toBe(true);
  });
});
