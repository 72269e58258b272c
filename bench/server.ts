/**
 * `node --import tsx bench/server.ts [--size 10000000] [--requests 50]`: the web server on a
 * generated system of about `size` events (DuckDB). Generates and imports it once (kept in
 * bench/out/size-N), then:
 * - cold start: `uptake serve` started 3 times as a new process, timed until it answers HTTP;
 * - the first organisation request (the cache is computed: two metric runs over all events);
 * - p50/p95 of `requests` sequential requests each of the organisation page (admin), a group
 *   page (leader) and my report (clinician), over HTTP on the running server.
 * `--db FILE` uses a store of that system imported already (the 100 M-event store of `npm run
 * bench` takes minutes to import again).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchSystem, importSystem } from './system.ts';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '10000000' },
    requests: { type: 'string', default: '50' },
    port: { type: 'string', default: '18765' },
    out: { type: 'string', default: 'bench/out' },
    /** An existing store of the system of `--size` (e.g. the bench's `bench.duckdb`): no import. */
    db: { type: 'string' },
  },
});
const target = Number(values.size);
const N = Number(values.requests);
const port = Number(values.port);
const base = `http://127.0.0.1:${port}`;

async function prepare(): Promise<{
  db: string;
  accounts: {
    username: string;
    password: string;
    role: string;
    groups: { by: string; value: string }[];
  }[];
}> {
  const { DuckDBStore } = await import('../src/store/duckdbStore.ts');
  const { ensureDemoAccounts } = await import('../src/admin/demoAccounts.ts');
  const { setSetting } = await import('../src/store/settings.ts');
  const { dir, gen } = await benchSystem(values.out, target);
  const db = values.db ?? join(dir, 'server.duckdb');
  const fresh = !existsSync(db);
  const store = await DuckDBStore.open(db);
  try {
    if (fresh) {
      const secs = await importSystem(store, dir, gen);
      console.log(`imported ${gen.counts.events} events in ${secs.toFixed(1)} s`);
    } else await setSetting(store, 'timezone', gen.timezone);
    const accounts = await ensureDemoAccounts(
      store,
      join(dir, 'accounts.json'),
      gen.goLive.departments,
    );
    const [ev] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM events`);
    console.log(`store ${db}: ${ev?.n} events, ${gen.counts.clinicians} clinicians`);
    return { db, accounts };
  } finally {
    await store.close();
  }
}

function startServe(db: string): ChildProcess {
  return spawn(process.execPath, ['bin/uptake.js', 'serve', '--db', db, '--port', String(port)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function untilUp(t0: number): Promise<number> {
  for (;;) {
    try {
      const r = await fetch(`${base}/api/me`);
      if (r.status === 401) return performance.now() - t0;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
    if (performance.now() - t0 > 60_000) throw new Error('server did not start within 60 s');
  }
}

async function stop(p: ChildProcess): Promise<void> {
  const done = new Promise((r) => p.once('exit', r));
  p.kill('SIGINT');
  await done;
}

async function login(a: { username: string; password: string }): Promise<string> {
  const r = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: a.username, password: a.password }),
  });
  if (r.status !== 200) throw new Error(`login ${a.username}: ${r.status}`);
  return String(r.headers.get('set-cookie')).split(';')[0]!;
}

async function timed(cookie: string, url: string): Promise<number> {
  const t = performance.now();
  const r = await fetch(`${base}${url}`, { headers: { cookie } });
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
  return performance.now() - t;
}

function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

const { db, accounts } = await prepare();
console.log(
  `Uptake server bench — ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${new Date().toISOString()}`,
);
const starts: number[] = [];
let server: ChildProcess | null = null;
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  server = startServe(db);
  starts.push(await untilUp(t0));
  if (i < 2) await stop(server);
}
console.log(
  `cold start of uptake serve (process start → HTTP answer): ${starts.map((s) => `${(s / 1000).toFixed(2)} s`).join(', ')}`,
);
try {
  const admin = await login(accounts.find((a) => a.role === 'admin')!);
  const leaderAcc = accounts.find((a) => a.role === 'leader')!;
  const leader = await login(leaderAcc);
  const clin = await login(accounts.find((a) => a.role === 'clinician')!);
  const first = await timed(admin, '/api/org');
  console.log(`first /api/org (cache computed, warm-up included): ${(first / 1000).toFixed(2)} s`);
  const pages: [string, string, string][] = [
    ['organisation (admin)', admin, '/api/org'],
    [
      'group (leader)',
      leader,
      `/api/groups/department/${encodeURIComponent(leaderAcc.groups[0]!.value)}`,
    ],
    ['my report (clinician)', clin, '/api/me/report'],
  ];
  const rows: string[] = [];
  for (const [name, cookie, url] of pages) {
    const times: number[] = [];
    for (let i = 0; i < N; i++) times.push(await timed(cookie, url));
    rows.push(
      `| ${name} | ${pct(times, 0.5).toFixed(1)} | ${pct(times, 0.95).toFixed(1)} | ${Math.max(...times).toFixed(1)} |`,
    );
  }
  console.log(`\n| page | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|\n${rows.join('\n')}`);
} finally {
  if (server) await stop(server);
}
