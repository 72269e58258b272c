/**
 * The synthetic system of about `target` events that every benchmark uses: generated once into
 * `<out>/size-<target>` (84 days, seed 7) and reused by later runs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importCsv } from '../src/ingest/importCsv.ts';
import { Pseudonymizer } from '../src/ingest/pseudonymize.ts';
import { setSetting } from '../src/store/settings.ts';
import type { Store } from '../src/store/Store.ts';
import type { GenerateResult } from '../src/synth/generate.ts';

/** Clinicians × 84 days: the generator makes roughly 62k events per clinician. */
export const EVENTS_PER_CLINICIAN = 62_000;

export async function benchSystem(
  out: string,
  target: number,
): Promise<{ dir: string; gen: GenerateResult }> {
  const dir = join(out, `size-${target}`);
  mkdirSync(dir, { recursive: true });
  const manifest = join(dir, 'generated.json');
  if (existsSync(manifest))
    return { dir, gen: JSON.parse(readFileSync(manifest, 'utf8')) as GenerateResult };
  const { generate } = await import('../src/synth/generate.ts');
  const clinicians = Math.max(1, Math.round(target / EVENTS_PER_CLINICIAN));
  const gen = await generate({ outDir: join(dir, 'data'), clinicians, days: 84, seed: 7 });
  writeFileSync(manifest, JSON.stringify(gen));
  return { dir, gen };
}

/**
 * Import a generated system's CSV files into `store` (roster first, events last), with the key and
 * rejects in `dir`, and set its time zone. Resolves to the seconds the imports took.
 */
export async function importSystem(
  store: Store,
  dir: string,
  gen: Pick<GenerateResult, 'files' | 'timezone'>,
): Promise<number> {
  const p = Pseudonymizer.load(join(dir, 'key'));
  const t = performance.now();
  for (const table of ['clinicians', 'schedule', 'orders', 'events'] as const)
    await importCsv(store, {
      table,
      file: gen.files[table],
      pseudonymizer: p,
      rejectsDir: join(dir, 'rejects'),
    });
  await setSetting(store, 'timezone', gen.timezone);
  return (performance.now() - t) / 1000;
}
