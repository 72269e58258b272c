import { Command } from 'commander';
import { invalid } from '../errors/UptakeError.ts';
import { storeOptions } from './main.ts';
import { withNewOrExistingStore, withStore, type StoreFlags } from './withStore.ts';
import { checkSetting, setSetting, SETTINGS } from '../store/settings.ts';

export function registerSettings(program: Command): void {
  storeOptions(
    program
      .command('settings')
      .description(`show or change organisation settings (${Object.keys(SETTINGS).join(', ')})`)
      .argument('[key]', 'setting to change')
      .argument('[value]', 'new value'),
  ).action(async (key: string | undefined, value: string | undefined, flags: StoreFlags) => {
    await (key ? withNewOrExistingStore : withStore)(flags, async (store) => {
      if (key) {
        if (!(key in SETTINGS))
          throw invalid(`unknown setting ${key}; one of ${Object.keys(SETTINGS).join(', ')}`);
        if (value === undefined) throw invalid(`give a value for ${key}`);
        checkSetting(key as keyof typeof SETTINGS, value);
        await setSetting(store, key as keyof typeof SETTINGS, value);
      }
      const rows = await store.all<{ key: string; value: string }>(
        `SELECT key, value FROM settings ORDER BY key`,
      );
      const shown = Object.entries(SETTINGS).map(
        ([k, d]) =>
          `${k} = ${rows.find((r) => r.key === k)?.value ?? `${d.default} (default)`}  — ${d.about}`,
      );
      process.stdout.write(shown.join('\n') + '\n');
    });
  });
}
