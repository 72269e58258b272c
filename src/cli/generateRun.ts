/** `uptake generate`'s work (its definition is `generateCommand.ts`); `demo` generates with it too. */
import cliProgress from 'cli-progress';
import { UptakeError } from '../errors/UptakeError.ts';
import { join } from 'node:path';
import { writeForm, type SynthFormat } from '../synth/forms/writeForms.ts';
import { generate, type GenerateResult } from '../synth/generate.ts';

export interface GenerateFlags {
  out: string;
  clinicians: string;
  days: string;
  seed: string;
  format: SynthFormat;
}

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

/** Write the synthetic system the flags ask for, and its other form if any. */
export async function runGenerate(flags: GenerateFlags): Promise<void> {
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
      `next: uptake import clinicians ${flags.out}/clinicians.csv && uptake import schedule ${flags.out}/schedule.csv && uptake import orders ${flags.out}/orders.csv && uptake import events ${flags.out}/events.csv\n` +
      (r.patient
        ? `patient side: ${r.patient.counts.patient_accounts} portal accounts, ${r.patient.counts.releases} releases, ${r.patient.counts.messages} messages, ${r.patient.counts.patient_events} patient events; import each: uptake import patient_accounts ${r.patient.files.patient_accounts} (then releases, messages, patient_events)\n`
        : ''),
  );
  if (flags.format !== 'csv') {
    const dir = join(flags.out, flags.format);
    const form = await writeForm(r, flags.format, dir);
    const events = form.events.join(' ');
    process.stdout.write(
      `wrote the ${flags.format} form to ${dir}\n` +
        (flags.format === 'fhir'
          ? `import it: uptake import clinicians ${form.clinicians.join(' ')} --format fhir --identifier-system ${form.identifierSystem ?? ''}, then events ${events} --format fhir --action-map ${form.actionMap ?? ''} (and schedule ${form.schedule.join(' ')}, orders ${form.orders.join(' ')}, each with --format fhir --identifier-system ${form.identifierSystem ?? ''})\n` +
            (form.patient
              ? `the patient side: releases ${form.patient.releases.join(' ')}, messages ${form.patient.messages.join(' ')}, patient_events ${form.patient.patient_events.join(' ')} (each with --format fhir --identifier-system ${form.identifierSystem ?? ''}); patient_accounts ${form.patient.patient_accounts.join(' ')} as canonical CSV\n`
              : '')
          : `import it: uptake import events ${events} --format epic-access-log --source-tz ${form.sourceTz ?? r.timezone} --action-map ${form.actionMap ?? ''} (roster, schedule and orders as canonical CSV in ${dir})\n`),
    );
  }
}
