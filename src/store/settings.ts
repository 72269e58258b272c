/** Organisation settings kept in the store: reading, writing and checking one setting. */
import { z } from 'zod';
import type { Sql } from './Store.ts';
import { invalid } from '../errors/UptakeError.ts';
import { isTimeZone, metricOptionsSchema } from '../model/options.ts';
import { businessCalendarSchema, slaTargetsSchema } from '../model/businessTime.ts';
import { goalRulesSettingSchema } from '../model/goal.ts';
import { smtpSettingSchema } from '../model/feedback.ts';
import { followupSettingSchema } from '../model/followup.ts';

import { SETTINGS, type SettingKey } from '../model/constants.ts';

/** The keys, defaults and meanings live in the model (`src/model/constants.ts`). */
export { SETTINGS, type SettingKey };

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

/**
 * A bound of the window of instants an import accepts: a date (`2020-01-01`, midnight UTC), an
 * instant with its offset, or an ISO 8601 period of years, months, weeks and days (`P1Y`,
 * `P18M`, `P0D`) counted from the start of the day (UTC) of the import — back for the earliest
 * bound, forward for the latest.
 */
export const instantBoundSchema = z.union([
  z.iso.date(),
  z.iso.datetime({ offset: true }),
  z.string().regex(/^P(?=\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?$/),
]);

/** The instant a bound names, given the direction a period counts (−1 back, +1 forward). */
export function resolveInstantBound(value: string, sign: 1 | -1, now = new Date()): Date {
  const period = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(value);
  if (!period) return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  const [y, m, w, d] = period.slice(1).map((x) => sign * Number(x ?? 0)) as [
    number,
    number,
    number,
    number,
  ];
  const t = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  t.setUTCFullYear(t.getUTCFullYear() + y, t.getUTCMonth() + m, t.getUTCDate() + 7 * w + d);
  return t;
}

/**
 * The window `[from, to)` of instants an import accepts, from the settings `earliest_instant`
 * and `latest_instant`; refuses a window that holds no instant.
 */
export async function instantWindow(db: Sql, now = new Date()): Promise<{ from: Date; to: Date }> {
  const lo = await getSetting(db, 'earliest_instant');
  const hi = await getSetting(db, 'latest_instant');
  for (const [k, v] of [
    ['earliest_instant', lo],
    ['latest_instant', hi],
  ] as const)
    if (!instantBoundSchema.safeParse(v).success)
      throw invalid(`setting ${k} ${v} is not ${BOUND_FORMS}; fix it with uptake settings ${k}`);
  const from = resolveInstantBound(lo, -1, now);
  const to = resolveInstantBound(hi, 1, now);
  if (!(from < to))
    throw invalid(
      `setting earliest_instant (${from.toISOString()}) is not before latest_instant (${to.toISOString()}), so no instant could be imported; change one with uptake settings`,
    );
  return { from, to };
}

const BOUND_FORMS =
  'a date (2020-01-01), an instant with its offset (2020-01-01T00:00:00Z) or an ISO 8601 period (P1Y, P18M, P30D)';

/** Refuse a value that a setting cannot take, naming what would be accepted. */
export function checkSetting(key: SettingKey, value: string): void {
  if (key === 'timezone' && !isTimeZone(value))
    throw invalid(`timezone ${value} is not an IANA time zone such as America/New_York`);
  if (key === 'suppression_threshold' && !/^[1-9]\d*$/.test(value))
    throw invalid(`suppression_threshold must be a whole number ≥ 1`);
  if (key === 'survey_min_days' && !/^(0|[1-9]\d{0,3})$/.test(value))
    throw invalid(`survey_min_days must be a whole number of days from 0 to 9999`);
  if (key === 'identified_reports' && value !== 'true' && value !== 'false')
    throw invalid(`identified_reports must be true or false`);
  if (
    (key === 'earliest_instant' || key === 'latest_instant') &&
    !instantBoundSchema.safeParse(value).success
  )
    throw invalid(`${key} must be ${BOUND_FORMS}`);
  if (
    key === 'holidays' ||
    key === 'sla_targets' ||
    key === 'goal_rules' ||
    key === 'smtp' ||
    key === 'followups'
  ) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw invalid(`${key} must be JSON (${SETTINGS[key].about})`);
    }
    const schema =
      key === 'holidays'
        ? businessCalendarSchema.shape.holidays
        : key === 'sla_targets'
          ? slaTargetsSchema.partial().strict()
          : key === 'smtp'
            ? smtpSettingSchema.strict().nullable()
            : key === 'followups'
              ? followupSettingSchema.partial().strict()
              : goalRulesSettingSchema.partial().strict();
    const r = schema.safeParse(parsed);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw invalid(`${key}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`);
    }
  }
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
