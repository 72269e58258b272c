/** `uptake training import …`: its definition; the work is `trainingRun.ts`. */
import { Option, type Command } from 'commander';
import { TRAINING_FORMATS } from '../model/constants.ts';
import { storeOptions } from './options.ts';
import type { TrainingFlags } from './trainingRun.ts';

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
  ).action(async (files: string[], flags: TrainingFlags) => {
    const { runTrainingImport } = await import('./trainingRun.ts');
    await runTrainingImport(files, flags);
  });
}
