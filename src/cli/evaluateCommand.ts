/** `uptake evaluate --metric M --tool NAME`: its definition; the work is `evaluateRun.ts`. */
import { Option, type Command } from 'commander';
import {
  ATTRIBUTIONS,
  CHANNELS,
  DIRECTIONS,
  OPTION_DEFAULTS,
  OVER_TIMEOUT_RULES,
  WOW_WINDOWS,
} from '../model/constants.ts';
import { rangeOptions, storeOptions } from './options.ts';
import type { EvaluateFlags } from './evaluateRun.ts';

export function registerEvaluate(program: Command): void {
  storeOptions(
    rangeOptions(
      program
        .command('evaluate')
        .description(
          'effect of a tool’s go-lives on a weekly metric, per group: interrupted time series and difference-in-differences',
        ),
    )
      .requiredOption(
        '--metric <names>',
        'metric(s), comma-separated: e.g. ib_time8,ehr_time8 or adoption.active_share',
      )
      .option('--transition <weeks>', 'weeks from go-live left out as a transition', '0')
      .option('--min-pre <weeks>', 'weeks with data needed before go-live', '8')
      .option('--min-post <weeks>', 'weeks with data needed after go-live (and transition)', '4')
      .option('--lag <weeks>', 'Newey–West lag in weeks, or auto (⌊4(n/100)^{2/9}⌋)', 'auto')
      .addOption(
        new Option(
          '--seasonality <kind>',
          'week-of-year seasonality (needs 52 weeks before go-live)',
        )
          .choices(['none', 'fourier'])
          .default('none'),
      )
      .addOption(
        new Option('--summary <stat>', 'a group’s weekly value across its clinicians')
          .choices(['median', 'mean'])
          .default('median'),
      )
      .addOption(
        new Option('--method <method>', 'models to fit')
          .choices(['both', 'its', 'did'])
          .default('both'),
      )
      .option('--no-cache', 'recompute the weekly metrics even if an earlier evaluation kept them')
      .option(
        '--timeout <seconds>',
        'metric option timeout_seconds',
        String(OPTION_DEFAULTS.timeout_seconds),
      )
      .addOption(
        new Option('--over-timeout <rule>', 'metric option over_timeout')
          .choices(OVER_TIMEOUT_RULES)
          .default(OPTION_DEFAULTS.over_timeout),
      )
      .addOption(
        new Option('--direction <dir>', 'metric option direction')
          .choices(DIRECTIONS)
          .default(OPTION_DEFAULTS.direction),
      )
      .addOption(
        new Option('--attribution <rule>', 'metric option attribution')
          .choices(ATTRIBUTIONS)
          .default(OPTION_DEFAULTS.attribution),
      )
      .option(
        '--exclude-channels <list>',
        `metric option exclude_channels (${CHANNELS.join(', ')})`,
      )
      .option(
        '--merge-gap <minutes>',
        'metric option session_merge_gap_minutes',
        String(OPTION_DEFAULTS.session_merge_gap_minutes),
      )
      .addOption(
        new Option('--wow <window>', 'metric option wow')
          .choices(WOW_WINDOWS)
          .default(OPTION_DEFAULTS.wow),
      ),
  ).action(async (flags: EvaluateFlags) => {
    const { runEvaluate } = await import('./evaluateRun.ts');
    await runEvaluate(flags);
  });
}
