/**
 * `node --import tsx bench/formats.ts [--sizes 1000000,10000000] [--formats epic-access-log,fhir]`:
 * import throughput of the Epic access-log and FHIR AuditEvent NDJSON forms of the synthetic
 * system (written once by the generator's form writers from `npm run bench`'s systems, into
 * bench/out), on DuckDB, with the file size and the peak memory of each import. Each run is its
 * own process, so its peak memory is its own. Record results in bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FormFiles } from '../src/synth/forms/writeForms.ts';
import { benchSystem } from './system.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000000,10000000' },
    formats: { type: 'string', default: 'epic-access-log,fhir' },
    child: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string', default: 'bench/out' },
  },
});

interface Result {
  format: string;
  events: number;
  file_mb: number;
  write_form_s: number;
  import_s: number;
  rows_per_s: number;
  peak_rss_mb: number;
}

async function child(target: number, format: 'epic-access-log' | 'fhir'): Promise<void> {
  const { writeForm } = await import('../src/synth/forms/writeForms.ts');
  const { DuckDBStore } = await import('../src/store/duckdbStore.ts');
  const { importFiles } = await import('../src/ingest/importFiles.ts');
  const { Pseudonymizer } = await import('../src/ingest/pseudonymize.ts');
  const { dir, gen } = await benchSystem(values.out, target);
  const formDir = join(dir, format);
  const formManifest = join(formDir, 'form.json');
  let t = performance.now();
  let form: FormFiles;
  if (existsSync(formManifest)) form = JSON.parse(readFileSync(formManifest, 'utf8')) as FormFiles;
  else {
    form = await writeForm(gen, format, formDir);
    writeFileSync(formManifest, JSON.stringify(form));
  }
  const writeS = (performance.now() - t) / 1000;
  const dbPath = join(dir, `formats-${format}.duckdb`);
  for (const f of [dbPath, `${dbPath}.wal`]) rmSync(f, { force: true });
  const store = await DuckDBStore.open(dbPath);
  const files: string[] = form.events;
  t = performance.now();
  const [rep] = await importFiles(store, {
    table: 'events',
    format,
    files,
    sourceTz: form.sourceTz ?? gen.timezone,
    actionMap: form.actionMap,
    pseudonymizer: Pseudonymizer.load(join(dir, 'key')),
    rejectsDir: join(dir, 'rejects'),
  });
  const importS = (performance.now() - t) / 1000;
  await store.close();
  rmSync(dbPath, { force: true });
  const bytes = files.reduce((s, f) => s + statSync(f).size, 0);
  const r: Result = {
    format,
    events: rep!.rows_stored,
    file_mb: bytes / 2 ** 20,
    write_form_s: writeS,
    import_s: importS,
    rows_per_s: rep!.rows_read / importS,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(r) + '\n');
}

if (values.child) {
  await child(Number(values.child), values.format as 'epic-access-log' | 'fhir');
} else {
  console.log('| format | events | file MB | import s | rows/s | peak RSS MB |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const format of values.formats.split(','))
    for (const size of values.sizes.split(',').map(Number)) {
      const out = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          'bench/formats.ts',
          '--child',
          String(size),
          '--format',
          format,
          '--out',
          values.out,
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
      );
      if (out.status !== 0) {
        console.error(`${format} ${size} failed`);
        process.exitCode = 1;
        continue;
      }
      const r = JSON.parse(out.stdout.trim().split('\n').pop()!) as Result;
      const k = (x: number) => Math.round(x).toLocaleString('en-US');
      console.log(
        `| ${r.format} | ${k(r.events)} | ${k(r.file_mb)} | ${r.import_s.toFixed(2)} | ${k(r.rows_per_s)} | ${k(r.peak_rss_mb)} |`,
      );
    }
}
