/** `uptake adoption --tool NAME`: its definition; the work is `adoptionRun.ts`. */
import { Option, type Command } from 'commander';
import { rangeOptions, storeOptions } from './options.ts';
import type { AdoptionFlags } from './adoptionRun.ts';

const VIEWS = ['funnel', 'weekly', 'retention'] as const satisfies readonly AdoptionFlags['view'][];

export function registerAdoption(program: Command): void {
  storeOptions(
    rangeOptions(
      program
        .command('adoption')
        .description(
          'adoption of a tool per group: eligible → trained → first use → weekly active → habitual',
        ),
    )
      .option('--habitual <n>', 'uses a week that make a habit (default: the tool’s, else 5)')
      .addOption(
        new Option('--view <view>', 'what to print as a table or CSV (JSON has all)')
          .choices(VIEWS)
          .default('funnel'),
      ),
  ).action(async (flags: AdoptionFlags) => {
    const { runAdoption } = await import('./adoptionRun.ts');
    await runAdoption(flags);
  });
}
