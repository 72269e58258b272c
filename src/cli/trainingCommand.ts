/** `uptake training import …`: training records from canonical CSV or xAPI statements. */
import { Command, Option } from 'commander';
import { isTimeZone } from '../model/options.ts';
import { invalid } from '../errors/UptakeError.ts';
import { importTraining, TRAINING_FORMATS, type TrainingFormat } from '../ingest/importTraining.ts';
import type { ImportReport } from '../ingest/loadStaged.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { describeImport } from './importCommand.ts';
import { storeOptions } from './main.ts';
import { keyFile, rejectsDir } from './paths.ts';
import { withNewOrExistingStore, type StoreFlags } from './withStore.ts';

export function registerTraining(program: Command): void {
  const training = program.command('training').description('training records (course completions)');
  storeOptions(
    training
      .command('import')
      .description(
        'import training completions: CSV user_id,course,completed_at[,hours,source] or xAPI statements (JSON or NDJSON; completed/passed verbs)',
      )
      .argument('<files...>', 'files to import')
      .addOption(
        new Option('--format <format>', 'file format').choices(TRAINING_FORMATS).default('csv'),
      )
      .option('--source-tz <tz>', 'IANA time zone of times written without an offset')
      .option('--json', 'print the import reports as JSON'),
  ).action(
    async (
      files: string[],
      flags: StoreFlags & { format: TrainingFormat; sourceTz?: string; json?: boolean },
    ) => {
      if (flags.sourceTz && !isTimeZone(flags.sourceTz))
        throw invalid(
          `--source-tz ${flags.sourceTz} is not an IANA time zone such as America/Chicago`,
        );
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
    },
  );
}
