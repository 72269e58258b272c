/**
 * `npm run bench:e2e [-- --size 4000000 --runs 3]`: from a canonical events CSV on disk to every
 * clinician metric, Uptake's two commands (`uptake import events`, `uptake metrics`, each its own
 * process of the compiled CLI, built first by `prebench:e2e`, as a user runs them) against the engine's floor — DuckDB alone
 * reading the same CSV into a table of a database file and computing one windowed aggregate over
 * it (each clinician's gaps between consecutive events, `LEAD()`), measured side by side in one
 * run, alternating, on the same file. Prints each run and the ratio of the medians.
 *
 * The roster, schedule and orders are imported first and not timed (a store has them before the
 * day's events arrive); the floor is timed from its first statement (no process start, no schema),
 * so the ratio is, if anything, unkind to Uptake.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchSystem } from './system.ts';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '4000000' },
    runs: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench/out' },
    /** Internal: run the floor in this process on `--csv` into `--db`, print its seconds. */
    floor: { type: 'boolean', default: false },
    csv: { type: 'string' },
    db: { type: 'string' },
  },
});

/** The floor: DuckDB reading the CSV into a table, then one windowed aggregate. */
async function floor(csv: string, db: string): Promise<void> {
  // The store's engine, reached as every caller outside src/store reaches it (no driver import).
  const { openStore } = await import('../src/store/openStore.ts');
  const { quoteLiteral } = await import('../src/store/quote.ts');
  const store = await openStore({ db });
  const t = performance.now();
  await store.run(
    `CREATE TABLE floor_events AS SELECT * FROM read_csv(${quoteLiteral(csv)}, header = true)`,
  );
  const read = (performance.now() - t) / 1000;
  const [r] = await store.all<{ n: number; s: number }>(
    `SELECT count(*) AS n, sum(g) AS s FROM (
       SELECT user_id, epoch(lead(occurred_at) OVER (PARTITION BY user_id ORDER BY occurred_at) - occurred_at) AS g
       FROM floor_events) GROUP BY ALL`,
  );
  const total = (performance.now() - t) / 1000;
  await store.close();
  process.stdout.write(JSON.stringify({ read_s: read, total_s: total, rows: r?.n }) + '\n');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function run(args: string[]): { s: number; out: string } {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const s = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed:\n${r.stderr}`);
  return { s, out: r.stdout };
}

if (values.floor) {
  await floor(values.csv!, values.db!);
} else {
  const { dir, gen } = await benchSystem(values.out, Number(values.size));
  const work = resolve(join(dir, 'e2e'));
  mkdirSync(work, { recursive: true });
  const cli = resolve('bin/uptake.js');
  const events = resolve(gen.files.events);
  console.log(
    `Uptake end to end — ${gen.counts.events.toLocaleString('en-US')} events (${events}), ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${new Date().toISOString()}`,
  );
  console.log(
    '| run | uptake import s | uptake metrics s | uptake total s | floor read s | floor total s | ratio |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  const totals: number[] = [];
  const floors: number[] = [];
  for (let i = 1; i <= Number(values.runs); i++) {
    const db = join(work, 'uptake.duckdb');
    const floorDb = join(work, 'floor.duckdb');
    for (const f of [db, `${db}.wal`, floorDb, `${floorDb}.wal`]) rmSync(f, { force: true });
    for (const table of ['clinicians', 'schedule', 'orders'] as const)
      run([cli, 'import', table, resolve(gen.files[table]), '--db', db]);
    run([cli, 'settings', 'timezone', gen.timezone, '--db', db]);
    const imp = run([cli, 'import', 'events', events, '--db', db]);
    const met = run([
      cli,
      'metrics',
      '--from',
      gen.from,
      '--to',
      gen.to,
      '--format',
      'csv',
      '--db',
      db,
    ]);
    // The CSV: a `# options` comment line, the header, one row per clinician.
    const rows =
      met.out
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('#')).length - 1;
    if (rows !== gen.counts.clinicians)
      throw new Error(`expected ${gen.counts.clinicians} clinician rows, got ${rows}`);
    const fl = JSON.parse(
      run(['--import', 'tsx', 'bench/endToEnd.ts', '--floor', '--csv', events, '--db', floorDb])
        .out,
    ) as { read_s: number; total_s: number };
    const total = imp.s + met.s;
    totals.push(total);
    floors.push(fl.total_s);
    console.log(
      `| ${i} | ${imp.s.toFixed(2)} | ${met.s.toFixed(2)} | ${total.toFixed(2)} | ${fl.read_s.toFixed(2)} | ${fl.total_s.toFixed(2)} | ${(total / fl.total_s).toFixed(2)} |`,
    );
  }
  console.log(
    `\nmedian: Uptake ${median(totals).toFixed(2)} s, floor ${median(floors).toFixed(2)} s, ratio ${(median(totals) / median(floors)).toFixed(2)}`,
  );
  rmSync(work, { recursive: true, force: true });
}
