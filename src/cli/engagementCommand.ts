/** `uptake engagement`: its definition; the work is `engagementRun.ts`, loaded when it runs. */
import { Option, type Command } from 'commander';
import { ENGAGEMENT_BYS, ENGAGEMENT_PERIODS } from '../model/constants.ts';
import { formatOption, storeOptions } from './options.ts';
import type { EngagementFlags } from './engagementRun.ts';

export function registerEngagement(program: Command): void {
  storeOptions(
    program
      .command('engagement')
      .description(
        'patient engagement per clinician or group (docs/engagement.md): patients seen, portal use, timely access, replies, result views, follow-ups',
      )
      .requiredOption('--from <date>', 'first local date, YYYY-MM-DD')
      .requiredOption('--to <date>', 'local date after the last one (exclusive), YYYY-MM-DD')
      .addOption(
        new Option('--by <group>', 'one row per clinician, or pooled figures per group')
          .choices(ENGAGEMENT_BYS)
          .default('clinician'),
      )
      .addOption(
        new Option('--period <period>', 'cut the range into pieces')
          .choices(ENGAGEMENT_PERIODS)
          .default('all'),
      )
      .addOption(formatOption()),
  ).action(async (flags: EngagementFlags) => {
    const { runEngagement } = await import('./engagementRun.ts');
    await runEngagement(flags);
  });
}
