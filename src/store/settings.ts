/** Organisation settings kept in the store. */
import type { Sql } from './Store.ts';
import { invalid } from '../errors/UptakeError.ts';
import { isTimeZone, metricOptionsSchema } from '../model/options.ts';

export const SETTINGS = {
  timezone: {
    default: 'UTC',
    about: 'the organisation time zone: local days, weeks and clock windows of the metrics',
  },
  suppression_threshold: {
    default: '5',
    about: 'groups with fewer clinicians are shown to non-administrators as suppressed',
  },
  identified_reports: {
    default: 'false',
    about: 'true lets administrators see individual clinicians by name in group reports',
  },
  metric_options: {
    default: '{}',
    about:
      'JSON of the web app\'s default metric options, e.g. {"wow":"pajama","timeout_seconds":300}',
  },
} as const;
export type SettingKey = keyof typeof SETTINGS;

export async function getSetting(db: Sql, key: SettingKey): Promise<string> {
  const [row] = await db.all<{ value: string }>(`SELECT value FROM settings WHERE key = $1`, [key]);
  return row?.value ?? SETTINGS[key].default;
}

export async function setSetting(db: Sql, key: SettingKey, value: string): Promise<void> {
  await db.run(`DELETE FROM settings WHERE key = $1`, [key]);
  await db.run(`INSERT INTO settings (key, value) VALUES ($1, $2)`, [key, value]);
}

/** The metric options a `metric_options` setting may set (the time zone is its own setting). */
export const storedMetricOptionsSchema = metricOptionsSchema.omit({ timezone: true }).partial();

/** Refuse a value that a setting cannot take, naming what would be accepted. */
export function checkSetting(key: SettingKey, value: string): void {
  if (key === 'timezone' && !isTimeZone(value))
    throw invalid(`timezone ${value} is not an IANA time zone such as America/New_York`);
  if (key === 'suppression_threshold' && !/^[1-9]\d*$/.test(value))
    throw invalid(`suppression_threshold must be a whole number ≥ 1`);
  if (key === 'identified_reports' && value !== 'true' && value !== 'false')
    throw invalid(`identified_reports must be true or false`);
  if (key === 'metric_options') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw invalid(`metric_options must be a JSON object such as {"wow":"pajama"}`);
    }
    const r = storedMetricOptionsSchema.strict().safeParse(parsed);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw invalid(
        `metric_options: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`,
      );
    }
  }
}
