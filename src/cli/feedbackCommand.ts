/** `uptake feedback list|show|export`: definitions; the work is `feedbackRun.ts`. */
import { Option, type Command } from 'commander';
import { formatOption, storeOptions } from './options.ts';
import type { FeedbackExportFlags, FeedbackListFlags, FeedbackShowFlags } from './feedbackRun.ts';

export function registerFeedback(program: Command): void {
  const feedback = program
    .command('feedback')
    .description('feedback to IT: the triage board, one item’s history and clocks, the export');
  storeOptions(
    feedback
      .command('list', { isDefault: true })
      .description('items, newest first (at most 1000: uptake feedback export writes them all)')
      .option(
        '--state <states>',
        'only these states (new, triaged, planned, in_progress, waiting, done, declined, duplicate, reopened; commas)',
      )
      .option('--kind <kinds>', 'only these kinds (problem, idea, question, praise; commas)')
      .option('--unit <department>', 'only the items of this unit (the author’s department)')
      .addOption(formatOption()),
  ).action(async (flags: FeedbackListFlags) => {
    const { listFeedbackCli } = await import('./feedbackRun.ts');
    await listFeedbackCli(flags);
  });
  storeOptions(
    feedback
      .command('show')
      .description('one item with its whole history and both clocks in business hours')
      .argument('<id>', 'the item’s id (uptake feedback list)')
      .addOption(
        new Option('--format <format>', 'output format')
          .choices(['table', 'json'])
          .default('table'),
      ),
  ).action(async (id: string, flags: FeedbackShowFlags) => {
    const { showFeedbackCli } = await import('./feedbackRun.ts');
    await showFeedbackCli(id, flags);
  });
  storeOptions(
    feedback
      .command('export')
      .description(
        'every item with its state, clocks and vote counts (never who voted); CSV with a header',
      )
      .addOption(
        new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json'),
      )
      .option('--out <file>', 'write to this file (default: standard output)'),
  ).action(async (flags: FeedbackExportFlags) => {
    const { exportFeedbackCli } = await import('./feedbackRun.ts');
    await exportFeedbackCli(flags);
  });
}
