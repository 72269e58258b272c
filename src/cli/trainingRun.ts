/** `uptake training import`'s work (its definition is `trainingCommand.ts`). */
import { keyFile, rejectsDir } from '../admin/paths.ts';
import { isTimeZone } from '../model/options.ts';
import { invalid } from '../errors/UptakeError.ts';
import { importTraining, type TrainingFormat } from '../ingest/importTraining.ts';
import type { ImportReport } from '../ingest/loadStaged.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { describeImport } from './importRun.ts';
import type { StoreFlags } from './options.ts';
import { withNewOrExistingStore } from './withStore.ts';

export type TrainingFlags = StoreFlags & {
  format: TrainingFormat;
  sourceTz?: string;
  json?: boolean;
};

/** Import training completions from `files`, one report per file. */
export async function runTrainingImport(files: string[], flags: TrainingFlags): Promise<void> {
  if (flags.sourceTz && !isTimeZone(flags.sourceTz))
    throw invalid(`--source-tz ${flags.sourceTz} is not an IANA time zone such as America/Chicago`);
  await withNewOrExistingStore(flags, async (store) => {
    const pseudonymizer = Pseudonymizer.load(keyFile(store));
    const reports: ImportReport[] = [];
    for (const file of files) {
      const r = await importTraining(store, {
        format: flags.format,
        file,
        sourceTz: flags.sourceTz,
        pseudonymizer,
        rejectsDir: rejectsDir(store),
      });
      reports.push(r);
      if (!flags.json) {
        const skipped = r.notes?.['statements_other_verbs'];
        process.stdout.write(
          describeImport(r) +
            (skipped
              ? `\n  ${skipped} statements with other verbs than completed/passed skipped`
              : '') +
            '\n',
        );
      }
    }
    if (flags.json) process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
  });
}
