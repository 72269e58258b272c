/** Organisation settings kept in the store. */
import type { Sql } from './Store.ts';

export const SETTINGS = {
  timezone: {
    default: 'UTC',
    about: 'the organisation time zone: local days, weeks and clock windows of the metrics',
  },
  suppression_threshold: {
    default: '5',
    about: 'groups with fewer clinicians are shown to non-administrators as suppressed',
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
