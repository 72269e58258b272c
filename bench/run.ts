/**
 * `npm run bench [-- --sizes 1000000,10000000 --engine duckdb]`: generates synthetic systems of
 * about the given numbers of events, imports them into a fresh store and computes every clinician
 * metric, printing throughput (events/s) and peak memory (RSS). Each size runs in its own process
 * so that its peak memory is its own. Record results in bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchSystem } from './system.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000000,10000000' },
    engine: { type: 'string', default: 'duckdb' },
    child: { type: 'string' },
    out: { type: 'string', default: 'bench/out' },
  },
});

interface Result {
  target: number;
  events: number;
  generate_s: number;
  import_s: number;
  import_events_per_s: number;
  metrics_s: number;
  metrics_events_per_s: number;
  metrics_by_week_s: number;
  group_s: number;
  peak_rss_mb: number;
  bytes_per_event: number;
}

async function child(target: number): Promise<void> {
  const { openStore } = await import('../src/store/openStore.ts');
  const { importCsv } = await import('../src/ingest/importCsv.ts');
  const { Pseudonymizer } = await import('../src/ingest/pseudonymize.ts');
  const { clinicianMetrics, groupMetrics, parseRequest } =
    await import('../src/metrics/computeMetrics.ts');
  const { DEFAULT_OPTIONS } = await import('../src/model/options.ts');
  let t = performance.now();
  const { dir, gen } = await benchSystem(values.out, target);
  const generateS = (performance.now() - t) / 1000;
  const dbPath = join(dir, 'bench.duckdb');
  for (const f of [dbPath, `${dbPath}.wal`]) rmSync(f, { force: true });
  const store = await openStore(
    values.engine === 'postgres' ? { databaseUrl: process.env['DATABASE_URL'] } : { db: dbPath },
  );
  if (values.engine === 'postgres')
    for (const tb of ['events', 'schedule', 'orders', 'clinicians', 'imports', 'import_rejects'])
      await store.run(`DELETE FROM ${tb}`);
  const p = Pseudonymizer.load(join(dir, 'key'));
  const rejectsDir = join(dir, 'rejects');
  for (const table of ['clinicians', 'schedule', 'orders'] as const)
    await importCsv(store, { table, file: gen.files[table], pseudonymizer: p, rejectsDir });
  t = performance.now();
  const rep = await importCsv(store, {
    table: 'events',
    file: gen.files.events,
    pseudonymizer: p,
    rejectsDir,
  });
  const importS = (performance.now() - t) / 1000;
  const req = parseRequest({
    from: gen.from,
    to: gen.to,
    period: 'all',
    options: { ...DEFAULT_OPTIONS, timezone: gen.timezone },
  });
  t = performance.now();
  const rows = await clinicianMetrics(store, req);
  const metricsS = (performance.now() - t) / 1000;
  t = performance.now();
  await clinicianMetrics(store, { ...req, period: 'week' });
  const weekS = (performance.now() - t) / 1000;
  t = performance.now();
  await groupMetrics(store, req, 'department', 5);
  const groupS = (performance.now() - t) / 1000;
  const bytes =
    values.engine === 'postgres'
      ? Number(
          (await store.all<{ b: number }>(`SELECT pg_total_relation_size('events') AS b`))[0]?.b ??
            0,
        )
      : 0;
  await store.close();
  const bytesPerEvent =
    (values.engine === 'postgres' ? bytes : statSync(dbPath).size) / rep.rows_stored;
  if (rows.length !== gen.counts.clinicians)
    throw new Error(`expected ${gen.counts.clinicians} clinician rows, got ${rows.length}`);
  const r: Result = {
    target,
    events: rep.rows_stored,
    generate_s: generateS,
    import_s: importS,
    import_events_per_s: rep.rows_stored / importS,
    metrics_s: metricsS,
    metrics_events_per_s: rep.rows_stored / metricsS,
    metrics_by_week_s: weekS,
    group_s: groupS,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    bytes_per_event: bytesPerEvent,
  };
  process.stdout.write(JSON.stringify(r) + '\n');
}

if (values.child) {
  await child(Number(values.child));
} else {
  const sizes = values.sizes.split(',').map(Number);
  // PostgreSQL: DATABASE_URL, else a temporary server of our own (tuned like a small dedicated box).
  let temp: { stop(): void } | null = null;
  if (values.engine === 'postgres' && !process.env['DATABASE_URL']) {
    const { startTempPostgres } = await import('../src/testing/tempPostgres.ts');
    const pg = await startTempPostgres([
      'shared_buffers=2GB',
      'work_mem=256MB',
      'max_parallel_workers_per_gather=2',
      'max_wal_size=4GB',
    ]);
    process.env['DATABASE_URL'] = pg.url;
    temp = pg;
  }
  console.log(
    `Uptake bench — engine ${values.engine}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${new Date().toISOString()}`,
  );
  console.log(
    '| events | import s | import events/s | metrics s (all) | metrics events/s | by week s | by department s | peak RSS MB | bytes/event |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of sizes) {
    const out = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/run.ts',
        '--child',
        String(size),
        '--engine',
        values.engine,
        '--out',
        values.out,
      ],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 1 << 24,
      },
    );
    if (out.status !== 0) {
      console.error(`size ${size} failed`);
      process.exitCode = 1;
      continue;
    }
    const r = JSON.parse(out.stdout.trim().split('\n').pop()!) as Result;
    const f = (x: number) => x.toFixed(2);
    const k = (x: number) => Math.round(x).toLocaleString('en-US');
    console.log(
      `| ${k(r.events)} | ${f(r.import_s)} | ${k(r.import_events_per_s)} | ${f(r.metrics_s)} | ${k(r.metrics_events_per_s)} | ${f(r.metrics_by_week_s)} | ${f(r.group_s)} | ${k(r.peak_rss_mb)} | ${k(r.bytes_per_event)} |`,
    );
  }
  temp?.stop();
}
