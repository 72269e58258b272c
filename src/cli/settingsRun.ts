/** `uptake settings`'s work (its definition is `settingsCommand.ts`), on `src/admin/orgSettings.ts`. */
import { changeSettings, storedSettings } from '../admin/orgSettings.ts';
import { invalid } from '../errors/UptakeError.ts';
import { SETTINGS, type SettingKey } from '../model/constants.ts';
import type { StoreFlags } from './options.ts';
import { withNewOrExistingStore, withStore } from './withStore.ts';

/** Change setting `key` to `value` when given, then list every setting. */
export async function runSettings(
  key: string | undefined,
  value: string | undefined,
  flags: StoreFlags,
): Promise<void> {
  await (key ? withNewOrExistingStore : withStore)(flags, async (store) => {
    if (key) {
      if (!(key in SETTINGS))
        throw invalid(`unknown setting ${key}; one of ${Object.keys(SETTINGS).join(', ')}`);
      if (value === undefined) throw invalid(`give a value for ${key}`);
      await changeSettings(store, [[key as SettingKey, value]]);
    }
    const stored = await storedSettings(store);
    const shown = Object.entries(SETTINGS).map(
      ([k, d]) => `${k} = ${stored[k as SettingKey] ?? `${d.default} (default)`}  — ${d.about}`,
    );
    process.stdout.write(shown.join('\n') + '\n');
  });
}
