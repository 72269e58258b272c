import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { UptakeError } from '../errors/UptakeError.ts';
import { join } from 'node:path';
import { writeForm, type SynthFormat } from '../synth/forms/writeForms.ts';
import { generate, type GenerateResult } from '../synth/generate.ts';

function positive(name: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1)
    throw new UptakeError('BAD_INVOCATION', `${name} must be a whole number ≥ 1, not "${v}"`);
  return Number(v);
}

/** Generate with a progress bar on a terminal. */
export async function generateWithProgress(opts: {
  outDir: string;
  clinicians: number;
  days: number;
  seed: number;
  quiet?: boolean;
}): Promise<GenerateResult> {
  const bar =
    process.stderr.isTTY && !opts.quiet
      ? new cliProgress.SingleBar(
          {
            format: 'generating [{bar}] {value}/{total} days',
            stream: process.stderr,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
  bar?.start(opts.days, 0);
  try {
    return await generate({
      outDir: opts.outDir,
      clinicians: opts.clinicians,
      days: opts.days,
      seed: opts.seed,
      ...(bar ? { onProgress: (done: number) => bar.update(done) } : {}),
    });
  } finally {
    bar?.stop();
  }
}

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
    .action(
      async (flags: {
        out: string;
        clinicians: string;
        days: string;
        seed: string;
        format: SynthFormat;
      }) => {
        const r = await generateWithProgress({
          outDir: flags.out,
          clinicians: positive('--clinicians', flags.clinicians),
          days: positive('--days', flags.days),
          seed: Number.isInteger(Number(flags.seed))
            ? Number(flags.seed)
            : positive('--seed', flags.seed),
        });
        process.stdout.write(
          `wrote ${r.counts.events} events, ${r.counts.clinicians} clinicians, ${r.counts.schedule} schedule rows, ${r.counts.orders} orders to ${flags.out}\n` +
            `local dates ${r.from} … ${r.to} (exclusive) in ${r.timezone}; go-live of ${r.goLive.tool} on ${r.goLive.date} in ${r.goLive.departments.join(', ')}\n` +
            `next: uptake import clinicians ${flags.out}/clinicians.csv && uptake import schedule ${flags.out}/schedule.csv && uptake import orders ${flags.out}/orders.csv && uptake import events ${flags.out}/events.csv\n`,
        );
        if (flags.format !== 'csv') {
          const dir = join(flags.out, flags.format);
          const form = await writeForm(r, flags.format, dir);
          const events = form.events.join(' ');
          process.stdout.write(
            `wrote the ${flags.format} form to ${dir}\n` +
              (flags.format === 'fhir'
                ? `import it: uptake import clinicians ${form.clinicians.join(' ')} --format fhir --identifier-system ${form.identifierSystem ?? ''}, then events ${events} --format fhir --action-map ${form.actionMap ?? ''} (and schedule ${form.schedule.join(' ')}, orders ${form.orders.join(' ')}, each with --format fhir --identifier-system ${form.identifierSystem ?? ''})\n`
                : `import it: uptake import events ${events} --format epic-access-log --source-tz ${form.sourceTz ?? r.timezone} --action-map ${form.actionMap ?? ''} (roster, schedule and orders as canonical CSV in ${dir})\n`),
          );
        }
      },
    );
}
