/** `uptake settings [KEY VALUE]`: its definition; the work is `settingsRun.ts`. */
import type { Command } from 'commander';
import { SETTINGS } from '../model/constants.ts';
import { storeOptions, type StoreFlags } from './options.ts';

export function registerSettings(program: Command): void {
  storeOptions(
    program
      .command('settings')
      .description(`show or change organisation settings (${Object.keys(SETTINGS).join(', ')})`)
      .argument('[key]', 'setting to change')
      .argument('[value]', 'new value'),
  ).action(async (key: string | undefined, value: string | undefined, flags: StoreFlags) => {
    const { runSettings } = await import('./settingsRun.ts');
    await runSettings(key, value, flags);
  });
}
