/**
 * `node --import tsx bench/load.ts [--engine duckdb|postgres] [--demo /tmp/demo1] [--clients 200]
 * [--seconds 30]`: many concurrent users on the cached pages of `uptake serve` (issue #11 item 8).
 *
 * The server runs as its own process (`uptake serve`) on a copy of a demo system (`uptake demo
 * --no-serve --dir D`; the demo folder itself is never written): the DuckDB file copied, or, for
 * PostgreSQL, the demo's CSV files imported into a throw-away server (`startTempPostgres`, or
 * `$DATABASE_URL` when set: its tables are emptied first). After the cache is warm, each page —
 * organisation (admin), a group (leader), my report (clinician) — is loaded by `clients`
 * concurrent clients for `seconds`, each sending its next request as soon as the last one
 * answered (closed loop, keep-alive, `accept-encoding: gzip, br` like a browser); `sessions`
 * signed-in sessions per page are shared among them. Prints p50/p95/p99/max latency, requests per
 * second, errors, and the load average, as a Markdown table for bench/RESULTS.md.
 *
 * The load generator is node:http (about 40 lines below) rather than autocannon: no dependency,
 * and the same latency definition (request written → last byte read) on both engines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'duckdb' },
    demo: { type: 'string', default: '/tmp/demo1' },
    clients: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
    sessions: { type: 'string', default: '4' },
    port: { type: 'string', default: '18766' },
    pages: { type: 'string', default: 'org,group,me' },
    /** With $DATABASE_URL: keep its data when it has events (a demo imported by an earlier run). */
    reuse: { type: 'boolean', default: false },
    /** Write a CPU profile of the server (node --cpu-prof) into this folder. */
    profile: { type: 'string' },
  },
});
const engine = values.engine === 'postgres' ? 'postgres' : 'duckdb';
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const port = Number(values.port);
const base = `http://127.0.0.1:${port}`;

interface Account {
  username: string;
  password: string;
  role: string;
  groups: { by: string; value: string }[];
}

/** A store of the demo system for the server, and the demo accounts on it. */
async function prepare(
  dir: string,
): Promise<{ storeArgs: string[]; accounts: Account[]; cleanup: () => void }> {
  const { ensureDemoAccounts } = await import('../src/admin/demoAccounts.ts');
  const gen = JSON.parse(readFileSync(join(values.demo, 'generated.json'), 'utf8')) as {
    files: Record<'clinicians' | 'schedule' | 'orders' | 'events', string>;
    timezone: string;
    goLive: { departments: string[] };
  };
  if (engine === 'duckdb') {
    const { DuckDBStore } = await import('../src/store/duckdbStore.ts');
    const db = join(dir, 'uptake.duckdb');
    cpSync(join(values.demo, 'uptake.duckdb'), db);
    const store = await DuckDBStore.open(db);
    try {
      const accounts = await ensureDemoAccounts(
        store,
        join(dir, 'accounts.json'),
        gen.goLive.departments,
      );
      return { storeArgs: ['--db', db], accounts, cleanup: () => undefined };
    } finally {
      await store.close();
    }
  }
  const { PostgresStore } = await import('../src/store/postgresStore.ts');
  const { importSystem } = await import('./system.ts');
  let url = process.env['DATABASE_URL'];
  let stop = () => undefined as void;
  if (!url) {
    const { startTempPostgres } = await import('../src/testing/tempPostgres.ts');
    const pg = await startTempPostgres(['shared_buffers=1GB', 'work_mem=128MB']);
    url = pg.url;
    stop = () => pg.stop();
  }
  const store = await PostgresStore.open(url);
  try {
    const [ev] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM events`);
    if (values.reuse && process.env['DATABASE_URL'] && Number(ev?.n)) {
      console.log(`reusing ${ev?.n} events in $DATABASE_URL`);
      const accounts = await ensureDemoAccounts(
        store,
        join(dir, 'accounts.json'),
        gen.goLive.departments,
      );
      return { storeArgs: ['--database-url', url], accounts, cleanup: stop };
    }
    for (const t of ['events', 'schedule', 'orders', 'clinicians', 'import_rejects', 'imports'])
      await store.run(`DELETE FROM ${t}`);
    const secs = await importSystem(store, dir, gen);
    console.log(`imported the demo into PostgreSQL in ${secs.toFixed(0)} s`);
    const accounts = await ensureDemoAccounts(
      store,
      join(dir, 'accounts.json'),
      gen.goLive.departments,
    );
    return { storeArgs: ['--database-url', url], accounts, cleanup: stop };
  } finally {
    await store.close();
  }
}

async function untilUp(server: ChildProcess): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    if (server.exitCode !== null) throw new Error(`uptake serve exited (${server.exitCode})`);
    try {
      if ((await fetch(`${base}/api/me`)).status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
    if (performance.now() - t0 > 120_000) throw new Error('server did not start within 120 s');
  }
}

async function login(a: Account): Promise<string> {
  const r = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: a.username, password: a.password }),
  });
  if (r.status !== 200) throw new Error(`login ${a.username}: ${r.status}`);
  return String(r.headers.get('set-cookie')).split(';')[0]!;
}

interface Result {
  latencies: number[];
  errors: number;
  seconds: number;
}

/** `n` closed-loop clients on `path` for `s` seconds; latency of each 200 answer in ms. */
async function hammer(path: string, cookies: string[], n: number, s: number): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: n });
  const latencies: number[] = [];
  let errors = 0;
  const one = (cookie: string) =>
    new Promise<number>((resolve) => {
      const t = performance.now();
      const req = http.get(
        `${base}${path}`,
        { agent, headers: { cookie, 'accept-encoding': 'gzip, br' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - t : -1));
          res.on('error', () => resolve(-1));
        },
      );
      req.on('error', () => resolve(-1));
    });
  const t0 = performance.now();
  const end = t0 + s * 1000;
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      while (performance.now() < end) {
        const ms = await one(cookies[i % cookies.length]!);
        if (ms < 0) errors++;
        else latencies.push(ms);
      }
    }),
  );
  const took = (performance.now() - t0) / 1000;
  agent.destroy();
  return { latencies, errors, seconds: took };
}

/** CPU time (user + system) the server process has used so far, in ms (Linux; NaN elsewhere). */
function cpuMs(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

function pct(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

const dir = mkdtempSync(join(tmpdir(), 'uptake-load-'));
let server: ChildProcess | null = null;
let cleanup = () => undefined as void;
try {
  const prepared = await prepare(dir);
  cleanup = prepared.cleanup;
  server = spawn(
    process.execPath,
    [
      ...(values.profile ? ['--cpu-prof', '--cpu-prof-dir', values.profile] : []),
      'bin/uptake.js',
      'serve',
      ...prepared.storeArgs,
      '--port',
      String(port),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await untilUp(server);
  const acc = (role: string) => prepared.accounts.find((a) => a.role === role)!;
  const group = acc('leader').groups[0]!;
  const pages: Record<string, [string, Account, string]> = {
    org: ['organisation (admin)', acc('admin'), '/api/org'],
    group: [
      'group (leader)',
      acc('leader'),
      `/api/groups/${group.by}/${encodeURIComponent(group.value)}`,
    ],
    me: ['my report (clinician)', acc('clinician'), '/api/me/report'],
  };
  const t0 = performance.now();
  const first = await login(acc('admin'));
  // The first organisation page computes the cache (minutes on a loaded machine): no timeout.
  const warm = await new Promise<number>((resolve, reject) =>
    http
      .get(`${base}/api/org`, { headers: { cookie: first } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject),
  );
  if (warm !== 200) throw new Error(`/api/org: ${warm}`);
  console.log(`cache warm after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(
    `Uptake load bench — ${engine}, ${clients} clients × ${seconds} s per page, ${values.sessions} sessions per page; ` +
      `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ` +
      `${new Date().toISOString()}, load average before ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
  );
  const rows: string[] = [];
  for (const key of values.pages.split(',')) {
    const [name, account, path] = pages[key]!;
    const cookies: string[] = [];
    for (let i = 0; i < Number(values.sessions); i++) cookies.push(await login(account));
    await hammer(path, cookies, clients, Number(values.warmup));
    const cpu0 = cpuMs(server.pid);
    const r = await hammer(path, cookies, clients, seconds);
    const cpu = (cpuMs(server.pid) - cpu0) / (r.latencies.length + r.errors);
    const s = r.latencies.sort((a, b) => a - b);
    const f = (x: number) => x.toFixed(0);
    rows.push(
      `| ${name} | ${f(pct(s, 0.5))} | ${f(pct(s, 0.95))} | ${f(pct(s, 0.99))} | ${f(s[s.length - 1] ?? NaN)} | ${(s.length / r.seconds).toFixed(0)} | ${r.errors} | ${cpu.toFixed(1)} | ${loadavg()[0]!.toFixed(2)} |`,
    );
    console.log(rows[rows.length - 1]);
  }
  console.log(
    `\n| page | p50 ms | p95 ms | p99 ms | max ms | req/s | errors | server CPU ms/req | load avg (1 min) after |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n${rows.join('\n')}`,
  );
} finally {
  if (server && server.exitCode === null) {
    const done = new Promise((r) => server!.once('exit', r));
    server.kill('SIGINT');
    await done;
  }
  cleanup();
  rmSync(dir, { recursive: true, force: true });
}
