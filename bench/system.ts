/**
 * The synthetic system of about `target` events that every benchmark uses: generated once into
 * `<out>/size-<target>` (84 days, seed 7) and reused by later runs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
