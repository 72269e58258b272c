/** `uptake metrics`: its definition; the work is `metricsRun.ts`, loaded when it runs. */
import { Option, type Command } from 'commander';
import {
  ATTRIBUTIONS,
  CHANNELS,
  DIRECTIONS,
  GROUP_BYS,
  OPTION_DEFAULTS,
  OVER_TIMEOUT_RULES,
  PERIODS,
  WOW_WINDOWS,
} from '../model/constants.ts';
import { formatOption, storeOptions } from './options.ts';
import type { MetricsFlags } from './metricsRun.ts';

export function registerMetrics(program: Command): void {
  storeOptions(
    program
      .command('metrics')
      .description('clinician EHR-burden metrics (docs/metrics.md), per clinician or group')
      .requiredOption('--from <date>', 'first local date, YYYY-MM-DD')
      .requiredOption('--to <date>', 'local date after the last one (exclusive), YYYY-MM-DD')
      .addOption(
        new Option('--period <period>', 'cut the range into pieces')
          .choices(PERIODS)
          .default('all'),
      )
      .addOption(
        new Option('--by <group>', 'one row per clinician, or median and quartiles per group')
          .choices(GROUP_BYS)
          .default('clinician'),
      )
      .option(
        '--tz <tz>',
        'IANA time zone for days and clock windows (default: the organisation setting, else UTC)',
      )
      .option(
        '--timeout <seconds>',
        'longest gap between events that is still continuous work',
        String(OPTION_DEFAULTS.timeout_seconds),
      )
      .addOption(
        new Option(
          '--over-timeout <rule>',
          'a longer gap credits nothing (drop) or the timeout (cap)',
        )
          .choices(OVER_TIMEOUT_RULES)
          .default(OPTION_DEFAULTS.over_timeout),
      )
      .addOption(
        new Option(
          '--direction <dir>',
          'credit a gap to the earlier (forward) or later (backward) event',
        )
          .choices(DIRECTIONS)
          .default(OPTION_DEFAULTS.direction),
      )
      .addOption(
        new Option(
          '--attribution <rule>',
          'split intervals exactly at boundaries, or count them where their event stands',
        )
          .choices(ATTRIBUTIONS)
          .default(OPTION_DEFAULTS.attribution),
      )
      .option(
        '--exclude-channels <list>',
        `comma-separated channels to leave out (${CHANNELS.join(', ')})`,
      )
      .option(
        '--merge-gap <minutes>',
        'appointments this close form one derived session',
        String(OPTION_DEFAULTS.session_merge_gap_minutes),
      )
      .addOption(
        new Option('--wow <window>', 'what "outside work" means for WOW')
          .choices(WOW_WINDOWS)
          .default(OPTION_DEFAULTS.wow),
      )
      .addOption(formatOption()),
  ).action(async (flags: MetricsFlags) => {
    const { runMetrics } = await import('./metricsRun.ts');
    await runMetrics(flags);
  });
}
