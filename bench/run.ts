/**
 * `npm run bench [-- --sizes 1000000,10000000 --engine duckdb|postgres|citus [--workers 2]]`: generates synthetic systems of
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

const parsed = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000000,10000000' },
    engine: { type: 'string', default: 'duckdb' },
    /** Citus: the workers of the cluster the bench starts (a coordinator and this many). */
    workers: { type: 'string', default: '2' },
    child: { type: 'string' },
    step: { type: 'string', default: 'generate' },
    out: { type: 'string', default: 'bench/out' },
  },
});
const { values } = parsed;
/** PostgreSQL and Citus are both a server behind DATABASE_URL. */
const server = values.engine === 'postgres' || values.engine === 'citus';

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
  /** Peak RSS of each step, each measured in a process of its own. */
  generate_rss_mb: number;
  import_rss_mb: number;
  metrics_rss_mb: number;
  bytes_per_event: number;
}

const rssMb = () => process.resourceUsage().maxRSS / 1024;

/**
 * One step of one size, in a process of its own so that its peak memory is its own: `generate`
 * (the synthetic system, written as files; reused when present), `import` (into a fresh store) or
 * `metrics` (every clinician metric by period all and week, and the department groups).
 */
async function child(target: number, step: string): Promise<void> {
  const { openStore } = await import('../src/store/openStore.ts');
  const { dir, gen } = await (async () => {
    const t = performance.now();
    const r = await benchSystem(values.out, target);
    if (step === 'generate')
      process.stdout.write(
        JSON.stringify({ generate_s: (performance.now() - t) / 1000, generate_rss_mb: rssMb() }) +
          '\n',
      );
    return r;
  })();
  if (step === 'generate') return;
  const dbPath = join(dir, 'bench.duckdb');
  if (step === 'import') {
    const { importCsv } = await import('../src/ingest/importCsv.ts');
    const { Pseudonymizer } = await import('../src/ingest/pseudonymize.ts');
    for (const f of [dbPath, `${dbPath}.wal`]) rmSync(f, { force: true });
    const store = await openStore(
      server ? { databaseUrl: process.env['DATABASE_URL'] } : { db: dbPath },
    );
    if (server)
      for (const tb of ['events', 'schedule', 'orders', 'clinicians', 'imports', 'import_rejects'])
        await store.run(`DELETE FROM ${tb}`);
    const p = Pseudonymizer.load(join(dir, 'key'));
    const rejectsDir = join(dir, 'rejects');
    for (const table of ['clinicians', 'schedule', 'orders'] as const)
      await importCsv(store, { table, file: gen.files[table], pseudonymizer: p, rejectsDir });
    const t = performance.now();
    const rep = await importCsv(store, {
      table: 'events',
      file: gen.files.events,
      pseudonymizer: p,
      rejectsDir,
    });
    const importS = (performance.now() - t) / 1000;
    const bytes = server
      ? Number(
          (
            await store.all<{ b: number }>(
              values.engine === 'citus'
                ? `SELECT citus_total_relation_size('events') AS b`
                : `SELECT pg_total_relation_size('events') AS b`,
            )
          )[0]?.b ?? 0,
        )
      : 0;
    await store.close();
    process.stdout.write(
      JSON.stringify({
        events: rep.rows_stored,
        import_s: importS,
        import_events_per_s: rep.rows_stored / importS,
        import_rss_mb: rssMb(),
        bytes_per_event: (server ? bytes : statSync(dbPath).size) / rep.rows_stored,
      }) + '\n',
    );
    return;
  }
  const { clinicianMetrics, groupMetrics, parseRequest } =
    await import('../src/metrics/computeMetrics.ts');
  const { DEFAULT_OPTIONS } = await import('../src/model/options.ts');
  const store = await openStore(
    server ? { databaseUrl: process.env['DATABASE_URL'] } : { db: dbPath },
  );
  const req = parseRequest({
    from: gen.from,
    to: gen.to,
    period: 'all',
    options: { ...DEFAULT_OPTIONS, timezone: gen.timezone },
  });
  let t = performance.now();
  const rows = await clinicianMetrics(store, req);
  const metricsS = (performance.now() - t) / 1000;
  t = performance.now();
  await clinicianMetrics(store, { ...req, period: 'week' });
  const weekS = (performance.now() - t) / 1000;
  t = performance.now();
  await groupMetrics(store, req, 'department', 5);
  const groupS = (performance.now() - t) / 1000;
  await store.close();
  if (rows.length !== gen.counts.clinicians)
    throw new Error(`expected ${gen.counts.clinicians} clinician rows, got ${rows.length}`);
  process.stdout.write(
    JSON.stringify({
      metrics_s: metricsS,
      metrics_by_week_s: weekS,
      group_s: groupS,
      metrics_rss_mb: rssMb(),
    }) + '\n',
  );
}

if (values.child) {
  await child(Number(values.child), values.step);
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
  // Citus: a coordinator and --workers workers of our own, with Uptake's distributed layout.
  if (values.engine === 'citus' && !process.env['DATABASE_URL']) {
    const { startCitusCluster, freshCitusDatabase } =
      await import('../src/testing/citusCluster.ts');
    const cluster = await startCitusCluster(Number(values.workers), [
      'shared_buffers=1GB',
      'work_mem=128MB',
      'max_wal_size=4GB',
    ]);
    const url = await freshCitusDatabase(cluster);
    const { openStore } = await import('../src/store/openStore.ts');
    const { migrate } = await import('../src/store/migrate.ts');
    const store = await openStore({ databaseUrl: url });
    await migrate(store, { citus: true });
    await store.close();
    process.env['DATABASE_URL'] = url;
    temp = cluster;
  }
  console.log(
    `Uptake bench — engine ${values.engine}${values.engine === 'citus' ? ` (${values.workers} workers)` : ''}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${new Date().toISOString()}`,
  );
  console.log(
    '| events | generate s | generate peak MB | import s | import events/s | import peak MB | metrics s (all) | metrics events/s | by week s | by department s | metrics peak MB | bytes/event |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of sizes) {
    const parts: Partial<Result> = { target: size };
    let failed = false;
    for (const step of ['generate', 'import', 'metrics']) {
      const out = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          'bench/run.ts',
          '--child',
          String(size),
          '--step',
          step,
          '--engine',
          values.engine,
          '--out',
          values.out,
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
      );
      if (out.status !== 0) {
        console.error(`size ${size}, step ${step} failed`);
        process.exitCode = 1;
        failed = true;
        break;
      }
      Object.assign(parts, JSON.parse(out.stdout.trim().split('\n').pop()!));
    }
    if (failed) continue;
    const r = parts as Result;
    r.metrics_events_per_s = r.events / r.metrics_s;
    const f = (x: number) => x.toFixed(2);
    const k = (x: number) => Math.round(x).toLocaleString('en-US');
    console.log(
      `| ${k(r.events)} | ${f(r.generate_s)} | ${k(r.generate_rss_mb)} | ${f(r.import_s)} | ${k(r.import_events_per_s)} | ${k(r.import_rss_mb)} | ${f(r.metrics_s)} | ${k(r.metrics_events_per_s)} | ${f(r.metrics_by_week_s)} | ${f(r.group_s)} | ${k(r.metrics_rss_mb)} | ${k(r.bytes_per_event)} |`,
    );
  }
  temp?.stop();
}
