/**
 * Organisation settings as stored: the typed object the server reads on every request
 * (`readSettings`), what `uptake settings` lists, and changes checked and written together. The
 * keys, defaults and meanings are the model's (`SETTINGS`, `src/model/constants.ts`); checking
 * one value and the window of instants an import accepts are `src/store/settings.ts`.
 */
import { DEFAULT_OPTIONS, type MetricOptions } from '../model/options.ts';
import type { Sql, Store } from '../store/Store.ts';
import {
  checkSetting,
  setSetting,
  SETTINGS,
  storedMetricOptionsSchema,
  type SettingKey,
} from '../store/settings.ts';

export interface OrgSettings {
  timezone: string;
  suppression_threshold: number;
  identified_reports: boolean;
  /** Every metric option, the organisation's time zone included. */
  options: MetricOptions;
}

/** The values stored, by key (a key never set is absent: its default applies). */
export async function storedSettings(db: Sql): Promise<Partial<Record<SettingKey, string>>> {
  const rows = await db.all<{ key: string; value: string }>(
    `SELECT key, value FROM settings ORDER BY key`,
  );
  const out: Partial<Record<SettingKey, string>> = {};
  for (const r of rows) if (r.key in SETTINGS) out[r.key as SettingKey] = r.value;
  return out;
}

/** The settings as one typed object; a stored value that is not valid reads as its default. */
export async function readSettings(db: Sql): Promise<OrgSettings> {
  const stored = await storedSettings(db);
  const get = (k: SettingKey) => stored[k] ?? SETTINGS[k].default;
  let metric: Record<string, unknown> = {};
  try {
    const r = storedMetricOptionsSchema.safeParse(JSON.parse(get('metric_options')));
    if (r.success) metric = r.data;
  } catch {
    // A hand-edited value that is not JSON: the defaults apply.
  }
  const threshold = Number(get('suppression_threshold'));
  const timezone = get('timezone');
  const options: MetricOptions = { ...DEFAULT_OPTIONS };
  for (const [k, v] of Object.entries(metric))
    if (v !== undefined) Object.assign(options, { [k]: v });
  options.timezone = timezone;
  return {
    timezone,
    suppression_threshold: Number.isInteger(threshold) && threshold >= 1 ? threshold : 5,
    identified_reports: get('identified_reports') === 'true',
    options,
  };
}

/**
 * Check every value (refusing with what would be accepted) and then store them all in one
 * transaction: a change of several settings is stored whole or not at all.
 */
export async function changeSettings(
  db: Pick<Store, 'transaction'>,
  writes: readonly (readonly [SettingKey, string])[],
): Promise<void> {
  for (const [k, v] of writes) checkSetting(k, v);
  await db.transaction(async (tx) => {
    for (const [k, v] of writes) await setSetting(tx, k, v);
  });
}
