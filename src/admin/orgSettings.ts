/**
 * Organisation settings as stored: the typed object the server reads on every request
 * (`readSettings`), what `uptake settings` lists, and changes checked and written together. The
 * keys, defaults and meanings are the model's (`SETTINGS`, `src/model/constants.ts`); checking
 * one value and the window of instants an import accepts are `src/store/settings.ts`.
 */
import { DEFAULT_OPTIONS, type MetricOptions } from '../model/options.ts';
import {
  DEFAULT_SLA_TARGETS,
  businessCalendarSchema,
  slaTargetsSchema,
  type SlaTargets,
} from '../model/businessTime.ts';
import { smtpSettingSchema, type SmtpSetting } from '../model/feedback.ts';
import { GOAL_DEFAULTS, goalRulesSettingSchema, type GoalRulesSetting } from '../model/goal.ts';
import {
  DEFAULT_FOLLOWUP_SETTING,
  followupSettingSchema,
  type FollowupSetting,
} from '../model/followup.ts';
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
  /** Local dates that are not business days (feedback clocks). */
  holidays: string[];
  /** Feedback clock targets per priority (the spec's defaults where unset). */
  sla_targets: SlaTargets;
  /** Goal voting window, quorum and default baseline weeks (§1 defaults where unset). */
  goal_rules: GoalRulesSetting;
  /** Where notices are also e-mailed; null: not configured here. */
  smtp: SmtpSetting | null;
  /** The contact budget of surveys in days (§3; default 30). */
  survey_min_days: number;
  /** Follow-up delivery: the FHIR server (null: links only) and the links' life in days. */
  followups: FollowupSetting;
}

/** The entries of `o` that are set (a partial setting laid over its defaults). */
function defined<T extends object>(o: { [K in keyof T]?: T[K] | undefined }): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A JSON setting parsed with its model schema; `fallback` when unset, not JSON or invalid. */
function jsonSetting<T>(text: string, parse: (v: unknown) => T | undefined, fallback: T): T {
  try {
    return parse(JSON.parse(text)) ?? fallback;
  } catch {
    return fallback;
  }
}

/** The values stored, by key, as they are (the SMTP password included). */
async function rawSettings(db: Sql): Promise<Partial<Record<SettingKey, string>>> {
  const rows = await db.all<{ key: string; value: string }>(
    `SELECT key, value FROM settings ORDER BY key`,
  );
  const out: Partial<Record<SettingKey, string>> = {};
  for (const r of rows) if (r.key in SETTINGS) out[r.key as SettingKey] = r.value;
  return out;
}

/**
 * The values stored, by key, for a person to read (`uptake settings` lists them; a key never set
 * is absent: its default applies). The SMTP password is write-only: shown as `"password":"(set)"`.
 */
export async function storedSettings(db: Sql): Promise<Partial<Record<SettingKey, string>>> {
  const out = await rawSettings(db);
  const smtp = out.smtp;
  if (smtp !== undefined) {
    try {
      const v: unknown = JSON.parse(smtp);
      if (v && typeof v === 'object' && 'password' in v)
        out.smtp = JSON.stringify({ ...v, password: '(set)' });
    } catch {
      // Not JSON: read as no SMTP (`readSettings`), shown as stored.
    }
  }
  return out;
}

/** The settings as one typed object; a stored value that is not valid reads as its default. */
export async function readSettings(db: Sql): Promise<OrgSettings> {
  const stored = await rawSettings(db);
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
  const sla = jsonSetting(
    get('sla_targets'),
    (v) => slaTargetsSchema.partial().safeParse(v).data,
    {},
  );
  const rules = jsonSetting(
    get('goal_rules'),
    (v) => goalRulesSettingSchema.partial().safeParse(v).data,
    {},
  );
  return {
    timezone,
    holidays: jsonSetting(
      get('holidays'),
      (v) => businessCalendarSchema.shape.holidays.safeParse(v).data,
      [],
    ),
    sla_targets: { ...DEFAULT_SLA_TARGETS, ...defined<SlaTargets>(sla) },
    smtp: jsonSetting(get('smtp'), (v) => smtpSettingSchema.safeParse(v).data ?? null, null),
    goal_rules: { ...GOAL_DEFAULTS, ...defined<GoalRulesSetting>(rules) },
    suppression_threshold: Number.isInteger(threshold) && threshold >= 1 ? threshold : 5,
    identified_reports: get('identified_reports') === 'true',
    options,
    followups: {
      ...DEFAULT_FOLLOWUP_SETTING,
      ...defined<FollowupSetting>(
        jsonSetting(get('followups'), (v) => followupSettingSchema.partial().safeParse(v).data, {}),
      ),
    },
    survey_min_days: /^\d+$/.test(get('survey_min_days'))
      ? Number(get('survey_min_days'))
      : Number(SETTINGS.survey_min_days.default),
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
