/**
 * `node --import tsx bench/days.ts [--demo DIR] [--port 18791]`: the pages of the web app on the
 * demo system (`uptake demo --no-serve --dir DIR`: 60 clinicians, 168 days, 6.8 M events, DuckDB)
 * with the day table (`src/metrics/metricDays.ts`). Works on a copy of the demo's store
 * (bench/out/days/), never on the demo itself:
 * - before: the metric SQL over events for the default range, period all and by week (what every
 *   new range cost the server before the day table);
 * - the day table's first fill (once per store and options);
 * - `uptake serve` started as a new process (cold: nothing in memory), then the first default
 *   organisation page, the go-live evaluation the page opens on, a new range, my report, a group;
 * - an import through the API (one day of events): how long the next page takes (the previous
 *   figures, marked updating) and how long until the new figures are served.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DemoAccount } from '../src/admin/demoAccounts.ts';

const { values } = parseArgs({
  options: {
    demo: { type: 'string', default: 'demo' },
    port: { type: 'string', default: '18791' },
    out: { type: 'string', default: 'bench/out/days' },
  },
});
const port = Number(values.port);
const base = `http://127.0.0.1:${port}`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Gen {
  timezone: string;
  goLive: { departments: string[]; tool: string };
}

async function prepare(): Promise<{
  db: string;
  gen: Gen;
  accounts: DemoAccount[];
  fillMs: number;
  before: { all: number; week: number };
}> {
  const { DuckDBStore } = await import('../src/store/duckdbStore.ts');
  const { openWorker } = await import('../src/store/worker.ts');
  const { refreshDays } = await import('../src/metrics/metricDays.ts');
  const { clinicianMetrics, parseRequest } = await import('../src/metrics/computeMetrics.ts');
  const { readSettings } = await import('../src/admin/orgSettings.ts');
  const { ensureDemoAccounts } = await import('../src/admin/demoAccounts.ts');
  const src = join(values.demo, 'uptake.duckdb');
  if (!existsSync(src))
    throw new Error(`no demo store at ${src}: run uptake demo --no-serve first`);
  const gen = JSON.parse(readFileSync(join(values.demo, 'generated.json'), 'utf8')) as Gen & {
    from: string;
    to: string;
  };
  mkdirSync(values.out, { recursive: true });
  const db = join(values.out, 'demo.duckdb');
  for (const f of [db, `${db}.wal`]) rmSync(f, { force: true });
  copyFileSync(src, db);
  if (existsSync(`${src}.wal`)) copyFileSync(`${src}.wal`, `${db}.wal`);
  copyFileSync(join(values.demo, 'uptake.duckdb.key'), join(values.out, 'demo.duckdb.key'));
  const store = await DuckDBStore.open(db);
  try {
    const settings = await readSettings(store);
    // Start from no day table at all (a demo made by this version has one already).
    for (const t of [
      'metric_days',
      'metric_day_patients',
      'metric_day_sets',
      'metric_import_extents',
    ])
      await store.run(`DELETE FROM ${t}`);
    const req = parseRequest({
      from: gen.from,
      to: gen.to,
      period: 'all',
      options: settings.options,
    });
    let t = performance.now();
    await clinicianMetrics(store, req);
    const all = performance.now() - t;
    t = performance.now();
    await clinicianMetrics(store, { ...req, period: 'week' });
    const week = performance.now() - t;
    const worker = await openWorker(store);
    t = performance.now();
    await refreshDays(worker, settings.options);
    const fillMs = performance.now() - t;
    await worker.close();
    const accounts = await ensureDemoAccounts(
      store,
      join(values.out, 'accounts.json'),
      gen.goLive.departments,
    );
    await store.run('CHECKPOINT');
    return { db, gen, accounts, fillMs, before: { all, week } };
  } finally {
    await store.close();
  }
}

function startServe(db: string): ChildProcess {
  return spawn(process.execPath, ['bin/uptake.js', 'serve', '--db', db, '--port', String(port)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function untilUp(): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    try {
      const r = await fetch(`${base}/api/me`);
      if (r.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
    if (performance.now() - t0 > 60_000) throw new Error('server did not start within 60 s');
  }
}

async function login(a: {
  username: string;
  password: string;
}): Promise<{ cookie: string; csrf: string }> {
  const r = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: a.username, password: a.password }),
  });
  if (r.status !== 200) throw new Error(`login ${a.username}: ${r.status}`);
  const body = (await r.json()) as { user: { csrf: string } };
  return { cookie: String(r.headers.get('set-cookie')).split(';')[0]!, csrf: body.user.csrf };
}

async function get(
  cookie: string,
  url: string,
): Promise<{ ms: number; body: Record<string, unknown> }> {
  const t = performance.now();
  const r = await fetch(`${base}${url}`, { headers: { cookie } });
  const body = (await r.json()) as Record<string, unknown>;
  if (r.status !== 200) throw new Error(`${url}: ${r.status} ${JSON.stringify(body)}`);
  return { ms: performance.now() - t, body };
}

const { db, gen, accounts, fillMs, before } = await prepare();
console.log(
  `Uptake day-table bench — ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${new Date().toISOString()}`,
);
console.log(
  `before: metric SQL over events, default range: all ${secs(before.all)}, by week ${secs(before.week)}`,
);
console.log(`day table, first fill: ${secs(fillMs)}`);
const t00 = performance.now();
const server = startServe(db);
try {
  await untilUp();
  const upMs = performance.now() - t00;
  const admin = await login(accounts.find((a) => a.role === 'admin')!);
  const rows: [string, number][] = [];
  const org = await get(admin.cookie, '/api/org');
  rows.push(['organisation, default range, first request (cold server)', org.ms]);
  rows.push(['… from `uptake serve` starting to that page answered', performance.now() - t00]);
  console.log(`uptake serve answers HTTP after ${secs(upMs)}`);
  const leaderAcc = accounts.find((a) => a.role === 'leader')!;
  const leader = await login(leaderAcc);
  const clin = await login(accounts.find((a) => a.role === 'clinician')!);
  const meta = (await get(admin.cookie, '/api/meta')).body as { from: string; to: string };
  const tools = (await get(admin.cookie, '/api/tools')).body as unknown as { name: string }[];
  const q = new URLSearchParams({
    tool: tools[0]?.name ?? gen.goLive.tool,
    metric: 'note_time8',
    by: 'department',
    transition: '0',
    from: meta.from,
    to: meta.to,
  });
  rows.push([
    'go-live evaluation, default range',
    (await get(admin.cookie, `/api/golive?${q}`)).ms,
  ]);
  rows.push([
    'adoption, default range (counted from the events, no day table)',
    (
      await get(
        admin.cookie,
        `/api/adoption?${new URLSearchParams({ tool: q.get('tool')!, by: 'department', from: meta.from, to: meta.to }).toString()}`,
      )
    ).ms,
  ]);
  rows.push([
    'go-live evaluation, another metric',
    (await get(admin.cookie, `/api/golive?${q.toString().replace('note_time8', 'ehr_time8')}`)).ms,
  ]);
  rows.push([
    'organisation, a new range (4 weeks)',
    (await get(admin.cookie, '/api/org?from=2026-03-02&to=2026-03-30')).ms,
  ]);
  rows.push([
    'my report, a new range (1 week)',
    (await get(clin.cookie, '/api/me/report?from=2026-04-06&to=2026-04-13')).ms,
  ]);
  rows.push([
    'group (leader), default range',
    (
      await get(
        leader.cookie,
        `/api/groups/department/${encodeURIComponent(leaderAcc.groups[0]!.value)}`,
      )
    ).ms,
  ]);
  rows.push(['organisation, default range (kept)', (await get(admin.cookie, '/api/org')).ms]);

  // One more day of events for every clinician of the demo, through the API.
  const start = Date.parse(`${meta.to}T00:00:00Z`) - 3 * 86_400_000;
  const lines = ['event_id,occurred_at,user_id,action,category,patient_id'];
  const ids = [...new Set(accounts.flatMap((a) => (a.clinician_id ? [a.clinician_id] : [])))];
  for (let i = 0; i < 2000; i++)
    lines.push(
      `bench-${Date.now()}-${i},${new Date(start + 14 * 3_600_000 + i * 7_000).toISOString()},${ids[i % ids.length]},note_edit,notes,bench-${i % 50}`,
    );
  const up = await fetch(`${base}/api/imports?table=events&filename=bench.csv`, {
    method: 'POST',
    headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'text/csv' },
    body: `${lines.join('\n')}\n`,
  });
  if (up.status !== 200) throw new Error(`upload: ${up.status} ${await up.text()}`);
  const t0 = performance.now();
  const during = await get(admin.cookie, '/api/org');
  rows.push([
    `organisation right after an import (updating: ${String((during.body['freshness'] as { updating: boolean }).updating)})`,
    during.ms,
  ]);
  let after = during;
  while ((after.body['freshness'] as { updating: boolean }).updating) {
    await new Promise((r) => setTimeout(r, 100));
    after = await get(admin.cookie, '/api/org');
  }
  rows.push(['… until the new figures are served', performance.now() - t0]);
  console.log(
    `\n| page | s |\n|---|---:|\n${rows.map(([n, ms]) => `| ${n} | ${(ms / 1000).toFixed(2)} |`).join('\n')}`,
  );
} finally {
  const done = new Promise((r) => server.once('exit', r));
  server.kill('SIGINT');
  await done;
}
