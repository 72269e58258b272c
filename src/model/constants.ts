/**
 * The model's closed sets and defaults as plain values, without zod. The zod schemas of the other
 * model modules (and the importers, the exporter and the settings) are built from these; the
 * command line's definitions read them too, so that `uptake --help` starts without loading zod
 * or any importer (issue #12 item 5).
 *
 * Only values live here. Types come from them (`(typeof X)[number]`) or from the schemas.
 */

/** Where an event was recorded (`docs/metrics.md`, canonical events). */
export const CHANNELS = ['desktop', 'mobile', 'web', 'api'] as const;

/** The four canonical tables, as named on the CLI (`uptake import <table>`). */
export const TABLES = ['events', 'clinicians', 'schedule', 'orders'] as const;

/**
 * The patient side of engagement (`shared/spec/engagement.md` §1, issue #15): what patients do in
 * a portal or patient app, their portal accounts, secure messages and what was released to them.
 * Import tables, but not among `TABLES`: the clinician metrics never read them, and a system
 * without a portal has none.
 */
export const PATIENT_TABLES = [
  'patient_events',
  'patient_accounts',
  'messages',
  'releases',
] as const;

/** The tables `uptake import` and the web app's upload fill (training has its own command). */
export const FILE_IMPORT_TABLES = [...TABLES, ...PATIENT_TABLES] as const;

/** Every table an import can fill: the canonical tables, training records and the patient side. */
export const IMPORT_TABLES = [...TABLES, 'training', ...PATIENT_TABLES] as const;

/** What a patient (or a proxy) did in a portal or patient app (`patient_events.action`). */
export const PATIENT_ACTIONS = [
  'login',
  'view_result',
  'view_note',
  'view_visit_summary',
  'view_followup',
  'acknowledge_followup',
  'download',
  'transmit',
  'message_sent',
  'message_read',
  'other',
] as const;

/** Who acted in a patient event: the patient, or a proxy (a parent, a carer). */
export const PATIENT_ACTORS = ['patient', 'proxy'] as const;

/** Which way a secure message went. */
export const MESSAGE_DIRECTIONS = ['to_clinician', 'to_patient'] as const;

/** What was made available to a patient. */
export const RELEASE_KINDS = ['result', 'note', 'visit_summary', 'followup'] as const;

/** An ISO 8601 instant that carries its offset (`Z` or `±hh:mm`): naive local times are refused. */
export const INSTANT_WITH_OFFSET =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/;

/** The forms a file of a canonical table may come in (`docs/formats.md`). */
export const IMPORT_FORMATS = ['csv', 'epic-access-log', 'fhir', 'parquet'] as const;

/** The forms training records may come in: canonical CSV or xAPI statements. */
export const TRAINING_FORMATS = ['csv', 'xapi'] as const;

/** The forms a canonical table is exported in. */
export const EXPORT_FORMATS = ['parquet', 'csv', 'json'] as const;

/** What "outside work" means for WOW (`docs/metrics.md` §2). */
export const WOW_WINDOWS = [
  'schedule',
  'schedule30',
  'outside7to7',
  'pajama',
  'after18to06',
] as const;

/** How a range is cut into pieces. */
export const PERIODS = ['all', 'day', 'week', 'month'] as const;

/** One row per clinician, or a distribution per group. */
export const GROUP_BYS = ['clinician', 'department', 'specialty', 'role', 'org'] as const;

/** Periods of the engagement measures (engagement.md §2): the range, ISO weeks or months. */
export const ENGAGEMENT_PERIODS = ['all', 'week', 'month'] as const;
/** Engagement figures per clinician, or pooled per group. */
export const ENGAGEMENT_BYS = ['clinician', 'department', 'specialty', 'role', 'org'] as const;

/** A gap longer than the timeout credits nothing (drop) or the timeout (cap). */
export const OVER_TIMEOUT_RULES = ['drop', 'cap'] as const;
/** A gap is credited to the earlier (forward) or later (backward) event. */
export const DIRECTIONS = ['forward', 'backward'] as const;
/** Intervals are split exactly at boundaries, or counted where their event stands. */
export const ATTRIBUTIONS = ['split', 'start'] as const;

/**
 * The defaults of the metric options (`docs/metrics.md` §2; the time zone: the organisation's,
 * else UTC — resolved by the caller). `DEFAULT_OPTIONS` of `options.ts` is this, typed.
 */
export const OPTION_DEFAULTS = {
  timezone: 'UTC',
  timeout_seconds: 300,
  over_timeout: 'drop',
  direction: 'forward',
  attribution: 'split',
  exclude_channels: [],
  session_merge_gap_minutes: 60,
  wow: 'schedule',
} as const;

/** The roles of accounts of the web app and API. */
/**
 * `it`: IT / clinical-informatics staff who triage feedback (issue #13); they see aggregates like
 * a leader of the whole organisation, never an individual clinician's numbers.
 */
export const ROLES = ['admin', 'it', 'leader', 'champion', 'clinician'] as const;

/** The kinds of group a leader or champion sees, and reports are cut by. */
export const GROUP_KINDS = ['department', 'specialty', 'role'] as const;

/** The groups adoption and go-live evaluation are reported by: a kind of group, or everyone. */
export const ANALYSIS_BYS = [...GROUP_KINDS, 'org'] as const;

/** Organisation settings: each key, its default and what it means. */
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
  earliest_instant: {
    default: '1990-01-01',
    about:
      'imports reject instants before this: a date (midnight UTC), an instant with its offset, or an ISO 8601 period before the day of the import (P30Y)',
  },
  holidays: {
    default: '[]',
    about:
      'JSON list of local dates that are not business days for the feedback clocks, e.g. ["2025-12-25"]',
  },
  sla_targets: {
    default: '{}',
    about:
      'JSON of feedback clock targets per priority in business hours, e.g. {"urgent":{"first_response_hours":4,"resolution_hours":9}} (unset priorities keep the defaults)',
  },
  goal_rules: {
    default: '{}',
    about:
      'JSON of the goal rules: voting window_days (14), min_votes (5), default baseline_weeks (8), e.g. {"min_votes":3}',
  },
  smtp: {
    default: 'null',
    about:
      'JSON of the SMTP server notices are also e-mailed through, e.g. {"host":"mail.hospital.org","port":587,"from":"uptake@hospital.org","domain":"hospital.org","user":"uptake","password":"…"} (to <username>@domain; user and password optional, the password never listed; null: no e-mail)',
  },
  survey_min_days: {
    default: '30',
    about:
      'the contact budget of surveys: nobody is invited to a survey within this many days of their last invitation, whatever the survey',
  },
  followups: {
    default: '{}',
    about:
      'JSON of follow-up delivery: fhir_base_url, the FHIR R4 server follow-ups are written to as Communication, CarePlan and Task (null: patient links only; its bearer token in $UPTAKE_FOLLOWUP_FHIR_TOKEN), and link_days, how long a patient link stays valid (14), e.g. {"fhir_base_url":"https://fhir.hospital.org/r4","link_days":14}',
  },
  latest_instant: {
    default: 'P1Y',
    about:
      'imports reject instants at or after this: a date (midnight UTC), an instant with its offset, or an ISO 8601 period after the day of the import (P1Y: a year from today)',
  },
} as const;
export type SettingKey = keyof typeof SETTINGS;

/** What an action item asks the patient to do. */
export const FOLLOWUP_ITEM_KINDS = ['medicine', 'test', 'visit', 'other'] as const;

/**
 * Limits that keep a follow-up short enough to read on a phone (and bound what is stored); here,
 * without zod, so that the web app's bundle can use them (`src/model/followup.ts` re-exports them).
 */
export const FOLLOWUP_LIMITS = {
  title: 120,
  text: 4000,
  items: 10,
  item_text: 300,
  question: 2000,
  templates: 50,
  /** How far back the visits offered for a follow-up go, in days. */
  visit_days: 30,
} as const;
