/** `uptake generate`: its definition; the work is `generateRun.ts`, loaded when it runs. */
import { Option, type Command } from 'commander';
import type { GenerateFlags } from './generateRun.ts';

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('write a synthetic health system (seeded, reproducible) as importable files')
    .requiredOption(
      '--out <dir>',
      'folder to write events.csv, clinicians.csv, schedule.csv, orders.csv',
    )
    .option('--clinicians <n>', 'number of clinicians', '60')
    .option('--days <n>', 'number of days', '84')
    .option('--seed <s>', 'random seed', '1')
    .addOption(
      new Option(
        '--format <format>',
        'also write the system as an Epic access log or as FHIR R4 NDJSON (in <out>/<format>/)',
      )
        .choices(['csv', 'epic-access-log', 'fhir'])
        .default('csv'),
    )
    .action(async (flags: GenerateFlags) => {
      const { runGenerate } = await import('./generateRun.ts');
      await runGenerate(flags);
    });
}
