/** The organisation settings the server reads on every request, as one typed object. */
import { DEFAULT_OPTIONS, type MetricOptions } from '../model/options.ts';
import type { Sql } from '../store/Store.ts';
import { SETTINGS, storedMetricOptionsSchema, type SettingKey } from '../store/settings.ts';

export interface OrgSettings {
  timezone: string;
  suppression_threshold: number;
  identified_reports: boolean;
  /** Every metric option, the organisation's time zone included. */
  options: MetricOptions;
}

export async function readSettings(db: Sql): Promise<OrgSettings> {
  const rows = await db.all<{ key: string; value: string }>(`SELECT key, value FROM settings`);
  const get = (k: SettingKey) => rows.find((r) => r.key === k)?.value ?? SETTINGS[k].default;
  let stored: Record<string, unknown> = {};
  try {
    const r = storedMetricOptionsSchema.safeParse(JSON.parse(get('metric_options')));
    if (r.success) stored = r.data;
  } catch {
    // A hand-edited value that is not JSON: the defaults apply.
  }
  const threshold = Number(get('suppression_threshold'));
  const timezone = get('timezone');
  const options: MetricOptions = { ...DEFAULT_OPTIONS };
  for (const [k, v] of Object.entries(stored))
    if (v !== undefined) Object.assign(options, { [k]: v });
  options.timezone = timezone;
  return {
    timezone,
    suppression_threshold: Number.isInteger(threshold) && threshold >= 1 ? threshold : 5,
    identified_reports: get('identified_reports') === 'true',
    options,
  };
}
