/**
 * The zod schemas of every request and response of the HTTP API. Requests are validated with
 * them at the edge; responses are passed through them before they are sent (so a field that is
 * not in the contract can never leave the server); the OpenAPI description is generated from them.
 */
import { followupSettingSchema } from '../model/followup.ts';
import { z } from 'zod';
import { localDate, metricOptionsSchema, PERIODS, WOW_WINDOWS } from '../model/options.ts';
import { CHANNELS, FILE_IMPORT_TABLES, IMPORT_TABLES } from '../model/canonical.ts';
import { CLINICIAN_FIELDS, PER8_METRICS, type ClinicianMetricRow } from '../model/metricRow.ts';
import { ERROR_CODES } from '../errors/UptakeError.ts';
import { HELP_TIERS, HELP_TOPICS, type HelpTopic } from '../model/help.ts';
import { businessCalendarSchema, slaTargetsSchema } from '../model/businessTime.ts';
import { GOAL_GROUP_BYS, goalRulesSettingSchema } from '../model/goal.ts';
import { smtpSettingSchema } from '../model/feedback.ts';
import {
  ADOPTION_METRICS,
  ENGINE_METRICS,
  TARGET_DIRECTIONS,
  TARGET_METRICS,
} from '../model/evaluationMetrics.ts';
import { ANALYSIS_BYS } from '../model/constants.ts';
import {
  GROUP_KINDS,
  groupRefSchema as groupRef,
  ROLES,
  userCreate as userCreateSchema,
  userSchema as user,
  userUpdate as userUpdateSchema,
  usernameSchema,
  type GroupKind,
  type GroupRef,
  type Role,
  type User,
  type UserCreate,
  type UserUpdate,
} from '../model/accounts.ts';
import {
  accessLogRowSchema as accessLogRow,
  auditBundleSchema as auditBundle,
  auditEventSchema as auditEvent,
} from '../model/accessLog.ts';

/** Named schemas: they become `components.schemas` of the OpenAPI description. */
export const registry = z.registry<{ id: string; description?: string }>();
function named<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  registry.add(schema, description ? { id, description } : { id });
  return schema;
}

export { GROUP_KINDS, ROLES };
export type { GroupKind, GroupRef, Role, User, UserCreate, UserUpdate };

/** Dates of a range: the one definition of the model (years 0001–9999). */
export { localDate };

const num = z.number();
const numOrNull = z.number().nullable();

export const errorSchema = named(
  'Error',
  z.object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES]),
      message: z.string(),
    }),
  }),
  'Every error: a code of the closed set and a message that says what to fix.',
);

// Accounts: defined in the model (the CLI checks its input with them too), named here.
export const groupRefSchema = named('GroupRef', groupRef);

/** A group as reports name it: one of the kinds above, or the whole organisation. */
const reportGroupSchema = z.object({
  by: z.enum([...GROUP_KINDS, 'org']),
  value: z.string(),
});

export const meSchema = named(
  'Me',
  z.object({
    username: z.string(),
    role: z.enum(ROLES),
    clinician_id: z.string().nullable(),
    groups: z.array(groupRefSchema),
    /**
     * Every group the user belongs to (§1): their roster clinician's department, specialty and
     * role, the groups a leader or champion serves, and the organisation — the groups they may
     * propose a goal for (administrators: any group).
     */
    member_of: z.array(z.object({ by: z.enum(GOAL_GROUP_BYS), value: z.string() })),
    csrf: z.string(),
    identified_reports: z.boolean(),
  }),
  'The signed-in user. `csrf` goes in the x-csrf-token header of every POST, PUT and DELETE.',
);
export type Me = z.infer<typeof meSchema>;

export const loginBody = named(
  'Login',
  z.object({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(1024),
  }),
);
export const loginResponse = named('LoginResult', z.object({ user: meSchema }));

/** The single sign-on methods a server offers (`GET /api/sso`), for the sign-in page. */
export const ssoInfoSchema = z.object({
  oidc: z.object({ label: z.string(), login: z.string() }).nullable(),
  smart: z.object({ launch: z.string() }).nullable(),
});

export const rangeQuery = z.object({
  from: localDate.optional(),
  to: localDate.optional(),
});

export const dataRangeSchema = named(
  'DataRange',
  z.object({
    table: z.string(),
    source: z.string(),
    from: z.string().nullable(),
    to: z.string().nullable(),
  }),
);

export const metaSchema = named(
  'Meta',
  z.object({
    from: localDate,
    to: localDate,
    /** Where the events are dense (`src/analysis/range.ts`); null without events. */
    dense: z.object({ from: localDate, to: localDate }).nullable(),
    /** Adoption's and go-live's default weeks: the complete weeks of the dense extent. */
    analysis: z.object({ from: localDate, to: localDate }).nullable(),
    timezone: z.string(),
    departments: z.array(z.string()),
    specialties: z.array(z.string()),
    roles: z.array(z.string()),
    version: z.string(),
    last_import: z.string().nullable(),
    data_range: z.array(dataRangeSchema),
  }),
  'The default range of the report pages (`from`, `to`: the last 12 complete weeks, Monday to ' +
    'Sunday, of where the events are dense), the dense extent itself (`dense`: from the first to ' +
    'the last day with events of a week holding at least a quarter of the median week’s events), ' +
    'the default weeks of adoption and go-live (`analysis`: the complete weeks of the dense ' +
    'extent), whole local days with `to` exclusive; the tables’ full data range; the groups the ' +
    'caller may open.',
);

export const metricOptionsOut = named(
  'MetricOptions',
  z.object({
    timezone: z.string(),
    timeout_seconds: num,
    over_timeout: z.enum(['drop', 'cap']),
    direction: z.enum(['forward', 'backward']),
    attribution: z.enum(['split', 'start']),
    exclude_channels: z.array(z.enum(CHANNELS)),
    session_merge_gap_minutes: num,
    wow: z.enum(WOW_WINDOWS),
  }),
);

export const reportMetaSchema = named(
  'ReportMeta',
  z.object({
    options: metricOptionsOut,
    from: z.string(),
    to: z.string(),
    period: z.enum(PERIODS),
    by: z.string(),
    suppression_threshold: num,
    data_range: z.array(dataRangeSchema),
    events_excluded_by_channel: num,
    events_unmapped_action: num,
    version: z.string(),
  }),
  'What every report carries (spec §8): options, period, data range per source, counts, version.',
);

const statFields = Object.fromEntries(
  PER8_METRICS.flatMap((m) =>
    (['p25', 'median', 'p75'] as const).map((s) => [`${m}_${s}`, numOrNull]),
  ),
) as Record<`${(typeof PER8_METRICS)[number]}_${'p25' | 'median' | 'p75'}`, typeof numOrNull>;

export const groupMetricRowSchema = named(
  'GroupMetricRow',
  z.object({
    group_by: z.string(),
    group: z.string(),
    period_start: z.string(),
    period_end: z.string(),
    n: numOrNull,
    clinicians: numOrNull,
    suppressed: z.boolean(),
    ...statFields,
  }),
  'Median and quartiles of each per-8-hour metric across a group (spec §7); every number is null ' +
    'in a suppressed row shown to a non-administrator.',
);

/** Nullable ratio fields of a clinician row. */
const RATIO_FIELDS = new Set([
  'ehr_time8',
  'wow8',
  'note_time8',
  'pres_time8',
  'ib_time8',
  'teamwork_orders',
  'undivided_attention',
  'ehr_minutes_per_appointment',
]);
type ClinicianNumber = Exclude<keyof ClinicianMetricRow, 'user_id' | 'period_start' | 'period_end'>;
// Typed field by field (as the model's row), so that clients deriving their types see every field.
const clinicianFields = Object.fromEntries(
  CLINICIAN_FIELDS.filter((f) => f !== 'user_id' && f !== 'period_start' && f !== 'period_end').map(
    (f) => [f, RATIO_FIELDS.has(f) ? numOrNull : num],
  ),
) as {
  [K in ClinicianNumber]: null extends ClinicianMetricRow[K] ? typeof numOrNull : typeof num;
};
export const clinicianRowSchema = named(
  'ClinicianMetricRow',
  z.object({
    user_id: z.string(),
    period_start: z.string(),
    period_end: z.string(),
    ...clinicianFields,
    after_hours8: numOrNull,
  }),
  'Every field of spec §6 for one clinician and period, plus after_hours8 (after-hours hours per 8 ' +
    'scheduled hours).',
);

export const definitionsSchema = named(
  'Definitions',
  z.record(z.string(), z.string()),
  'One sentence per metric, naming the options used.',
);

export const changeSchema = named(
  'Change',
  z.object({
    group: z.string(),
    metric: z.string(),
    first_half_median: numOrNull,
    second_half_median: numOrNull,
    change: numOrNull,
    direction: z.enum(['improved', 'worsened', 'unchanged']).nullable(),
    n: numOrNull,
    suppressed: z.boolean(),
  }),
);

export const freshnessSchema = named(
  'Freshness',
  z.object({
    as_of: z
      .string()
      .nullable()
      .describe(
        'when the newest import the figures include finished (ISO instant); null without imports',
      ),
    updating: z
      .boolean()
      .describe(
        'true while newer imports (or new metric options) are being included: the figures are from before them',
      ),
    pending: z
      .array(
        z.object({
          import_id: num,
          table: z.string(),
          finished_at: z.string().nullable(),
        }),
      )
      .describe('the imports the figures do not include yet, oldest first'),
  }),
  'How current the figures are: after an import the pages answer at once with the previous ' +
    'figures, marked updating, until the day table includes it.',
);

export const orgReportSchema = named(
  'OrgReport',
  z.object({
    options: reportMetaSchema,
    weekly: z.array(groupMetricRowSchema),
    departments: z.array(groupMetricRowSchema),
    weekly_by_department: z.array(groupMetricRowSchema),
    changes: z.array(changeSchema),
    halves: z
      .object({
        first: z.tuple([z.string(), z.string()]),
        second: z.tuple([z.string(), z.string()]),
      })
      .nullable(),
    freshness: freshnessSchema,
    definitions: definitionsSchema,
  }),
);

export const DISTRIBUTION_METRICS = [
  ...PER8_METRICS,
  'after_hours8',
  'teamwork_orders',
  'undivided_attention',
] as const;
export type DistributionMetric = (typeof DISTRIBUTION_METRICS)[number];

const identifiedClinician = z.object({
  user_id: z.string(),
  name: z.string().nullable(),
  scheduled_hours: num,
  ...(Object.fromEntries(DISTRIBUTION_METRICS.map((m) => [m, numOrNull])) as Record<
    DistributionMetric,
    typeof numOrNull
  >),
});

export const groupParams = z.object({
  by: z.enum(GROUP_KINDS),
  value: z.string().min(1).max(200),
});

export const groupReportSchema = named(
  'GroupReport',
  z.object({
    group: reportGroupSchema,
    suppressed: z.boolean(),
    n: numOrNull,
    distribution: z.record(z.string(), z.array(num)),
    clinicians: z.array(identifiedClinician).optional(),
    weekly: z.array(groupMetricRowSchema),
    org: groupMetricRowSchema.nullable(),
    freshness: freshnessSchema,
    definitions: definitionsSchema,
    options: reportMetaSchema,
  }),
  "A group: its clinicians' values of each metric (sorted, never identified unless identified " +
    'reports are on and the caller is an administrator), its weekly trend and the organisation row.',
);

export const quantilesSchema = named(
  'Quantiles',
  z.object({ p10: numOrNull, p25: numOrNull, median: numOrNull, p75: numOrNull, p90: numOrNull }),
);

export const suggestionSchema = named(
  'Suggestion',
  z.object({
    id: z.string(),
    title: z.string(),
    action: z.string(),
    why: z.string(),
    metric: z.string(),
    value: numOrNull,
    peer_median: numOrNull,
  }),
);

export const myReportQuery = rangeQuery.extend({
  user_id: z
    .string()
    .regex(/^[A-Za-z0-9._:@-]{1,100}$/, 'a clinician user_id')
    .optional(),
});

export const myReportSchema = named(
  'MyReport',
  z.object({
    me: clinicianRowSchema.nullable(),
    weekly: z.array(clinicianRowSchema),
    peers: z.object({
      group: reportGroupSchema,
      n: numOrNull,
      suppressed: z.boolean(),
      quantiles: z.record(z.string(), quantilesSchema),
    }),
    suggestions: z.array(suggestionSchema).max(3),
    freshness: freshnessSchema,
    definitions: definitionsSchema,
    options: reportMetaSchema,
  }),
  "One clinician's own numbers beside the distribution of their peers, with at most three " +
    'data-driven suggestions.',
);

export const importReportSchema = named(
  'ImportReport',
  z.object({
    import_id: num,
    table: z.string(),
    format: z.string(),
    file: z.string(),
    rows_read: num,
    rows_stored: num,
    rows_updated: num,
    rows_rejected: num,
    rows_duplicate: num,
    unmapped_events: num,
    top_unmapped_actions: z.array(z.object({ action: z.string(), events: num })),
    unknown_columns: z.array(z.string()),
    rejects_file: z.string().nullable(),
    rejects_files: z.array(z.string()).optional(),
    time_range: z.object({ from: z.string(), to: z.string() }).nullable(),
    seconds: num,
    notes: z.record(z.string(), num).optional(),
    // CSV formats: total = header + blank + continued + rows_read
    lines: z.object({ total: num, header: num, blank: num, continued: num }).optional(),
  }),
);

export const importRowSchema = named(
  'ImportRow',
  z.object({
    import_id: num,
    table_name: z.string(),
    format: z.string(),
    file: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    rows_read: num,
    rows_stored: num,
    rows_rejected: num,
    rows_duplicate: num,
    unmapped: num,
    /** The entry that removed this import's rows (`DELETE /api/imports/:id`), else null. */
    removed_by: num.nullable(),
    report: importReportSchema.nullable(),
  }),
);

export const importRemovalSchema = named(
  'ImportRemoval',
  z.object({
    import_id: num,
    table: z.string(),
    file: z.string(),
    rows: z.record(z.string(), num),
    rejects: num,
    rejects_files: z.array(z.string()),
    rejects_files_missing: z.array(z.string()),
    replaced_rows: num,
    removal_id: num.nullable(),
    removed: z.boolean(),
  }),
  'What removing an import removes (`removed: false`: a preview, nothing changed): the rows it ' +
    'stored that are still there, per table, its rejected lines and rejects files, and the ' +
    'entry that records the removal. Roster rows it replaced are not brought back.',
);

export const importIdParams = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1),
});

export const importDetailSchema = named(
  'ImportDetail',
  z.object({
    report: importReportSchema,
    rejects: z.array(z.object({ line: num, reason: z.string() })),
  }),
  "One import's report and its rejected lines with reasons (never the rejected row itself: it " +
    'may hold a raw identifier).',
);

export const exportParams = z.object({ table: z.enum(IMPORT_TABLES) });
export const exportQuery = z.object({
  format: z.enum(['parquet', 'csv', 'json']).default('parquet'),
});

export const uploadQuery = z.object({
  table: z.enum(FILE_IMPORT_TABLES),
  format: z
    .enum(['auto', 'csv', 'epic-access-log', 'fhir', 'parquet'])
    .default('auto')
    .describe(
      'auto: taken from the file (canonical CSV, Epic access-log export, FHIR R4 NDJSON or JSON, Parquet)',
    ),
  filename: z
    .string()
    // Not `.`, `..` or a hidden name: the file is saved under this name in a temporary folder.
    .regex(
      /^(?!\.)[A-Za-z0-9._ -]{1,120}$/,
      'a plain file name (letters, digits, . _ - and spaces, not starting with a dot)',
    )
    .optional(),
  source_tz: z.string().max(64).optional(),
  identifier_system: z
    .string()
    .max(500)
    .optional()
    .describe(
      'FHIR: the identifier system that keys the roster (default http://hl7.org/fhir/sid/us-npi)',
    ),
  default_role: z
    .string()
    .max(200)
    .optional()
    .describe('FHIR clinicians: the role of practitioners that have no PractitionerRole'),
});

export const settingsSchema = named(
  'Settings',
  z.object({
    timezone: z.string(),
    suppression_threshold: z.number().int().positive(),
    identified_reports: z.boolean(),
    metric_options: metricOptionsSchema.omit({ timezone: true }),
    /** Local dates that are not business days (the feedback clocks). */
    holidays: z.array(localDate),
    /** Feedback clock targets per priority, in business hours. */
    sla_targets: slaTargetsSchema,
    /** Goals: the voting window, the quorum and the default baseline weeks. */
    goal_rules: goalRulesSettingSchema,
    /**
     * Where notices are also e-mailed (null: not configured in the settings). The password is
     * write-only: never sent back, only whether one is set.
     */
    smtp: smtpSettingSchema
      .omit({ password: true })
      .extend({ password_set: z.boolean() })
      .nullable(),
    /** Surveys' contact budget: days between two invitations of one person. */
    survey_min_days: z.number().int().nonnegative(),
    /** Follow-up delivery: the FHIR server (null: patient links only) and the links' life. */
    followups: followupSettingSchema,
  }),
);

export const settingsUpdate = named(
  'SettingsUpdate',
  z
    .object({
      timezone: z.string().max(64).optional(),
      suppression_threshold: z.number().int().min(1).max(1000).optional(),
      identified_reports: z.boolean().optional(),
      metric_options: metricOptionsSchema.omit({ timezone: true }).partial().strict().optional(),
      holidays: businessCalendarSchema.shape.holidays.optional(),
      /** The priorities sent replace theirs; the others keep their targets. */
      sla_targets: slaTargetsSchema.partial().strict().optional(),
      /** The rules sent replace theirs; the others stay. */
      goal_rules: goalRulesSettingSchema.partial().strict().optional(),
      /**
       * Without `password` the stored one is kept (while the host and user stay the same);
       * `password: null` removes it.
       */
      smtp: smtpSettingSchema
        .extend({ password: smtpSettingSchema.shape.password.unwrap().nullable().optional() })
        .strict()
        .nullable()
        .optional(),
      survey_min_days: z.number().int().min(0).max(9999).optional(),
      /** The fields sent replace theirs; the other stays. */
      followups: followupSettingSchema.partial().strict().optional(),
    })
    .strict(),
);

export const userSchema = named('User', user);
export const userCreate = named('UserCreate', userCreateSchema);
export const userUpdate = named(
  'UserUpdate',
  userUpdateSchema,
  'The fields to change; a new role or password ends the account’s sessions.',
);

export const usernameParams = z.object({ username: usernameSchema });

export const accessLogQuery = z.object({
  limit: z.coerce.number().int().min(1).max(10000).default(200),
});

// The access log: defined in the model (`src/admin/accessLog.ts` writes it), named here.
export const accessLogRowSchema = named('AccessLogEntry', accessLogRow);
export const auditEventSchema = named(
  'AuditEvent',
  auditEvent,
  'A FHIR R4 AuditEvent (the fields Uptake fills).',
);
export const auditBundleSchema = named('AuditEventBundle', auditBundle);

// --- analysis: tools, adoption, go-live evaluation ---------------------------------------------

export const toolListSchema = named(
  'ToolList',
  z.array(
    z.object({
      name: z.string(),
      /** The metric the tool is meant to move (the go-live page opens on it), if named. */
      target_metric: z.enum(TARGET_METRICS).nullable(),
      /** Which way it is meant to move it, if said. */
      target_direction: z.enum(TARGET_DIRECTIONS).nullable(),
      golives: z.array(
        z.object({
          group_by: z.enum(ANALYSIS_BYS),
          group: z.string(),
          date: z.string(),
          /** The go-live concerns the caller's own clinician (their department, specialty or role, or everyone). */
          mine: z.boolean(),
        }),
      ),
    }),
  ),
);

const toolName = z.string().min(1).max(64);

export const adoptionQuery = z.object({
  tool: toolName,
  by: z.enum(ANALYSIS_BYS).default('department'),
  from: localDate.optional(),
  to: localDate.optional(),
});

const daysSummary = z.object({
  n: numOrNull,
  p25: numOrNull,
  median: numOrNull,
  p75: numOrNull,
});

export const funnelRowSchema = named(
  'FunnelRow',
  z.object({
    group: z.string(),
    go_live: z.string().nullable(),
    eligible: numOrNull,
    live: numOrNull,
    trained: numOrNull,
    first_use: numOrNull,
    weekly_active: numOrNull,
    habitual: numOrNull,
    trained_share: numOrNull,
    first_use_share: numOrNull,
    weekly_active_share: numOrNull,
    habitual_share: numOrNull,
    days_training_to_first_use: daysSummary,
    used_before_training: numOrNull,
    used_untrained: numOrNull,
    days_go_live_to_first_use: daysSummary,
    depth: numOrNull,
    suppressed: z.boolean(),
  }),
  'One group’s funnel; a suppressed group carries no numbers for non-administrators.',
);

export const adoptionReportSchema = named(
  'AdoptionReport',
  z.object({
    options: z.object({
      tool: z.string(),
      by: z.enum(ANALYSIS_BYS),
      from: z.string(),
      to: z.string(),
      as_of_week: z.string().nullable(),
      timezone: z.string(),
      habitual_uses: num,
      definitions: z.record(z.string(), z.string()),
      suppression_threshold: num,
    }),
    funnel: z.array(funnelRowSchema),
    weekly: z.array(
      z.object({
        group: z.string(),
        go_live: z.string().nullable(),
        week_start: z.string(),
        eligible: num,
        live: num,
        trained: numOrNull,
        ever_used: num,
        weekly_active: num,
        habitual: num,
        uses: num,
        use_days: num,
      }),
    ),
    retention: z.array(
      z.object({
        group: z.string(),
        cohort_week: z.string(),
        cohort_size: num,
        weeks_since_first_use: num,
        week_start: z.string(),
        active: num,
        share: num,
      }),
    ),
    outside_eligible: z.object({ users: numOrNull, uses: numOrNull }),
  }),
);

export const goliveQuery = z.object({
  tool: toolName,
  // The closed set at the edge: a name such as `__proto__` never reaches the handler.
  metric: z.enum([
    ...ENGINE_METRICS,
    ...(Object.keys(ADOPTION_METRICS) as (keyof typeof ADOPTION_METRICS)[]),
  ]),
  by: z.enum(ANALYSIS_BYS).default('department'),
  transition: z.coerce.number().int().min(0).max(52).default(0),
  summary: z.enum(['median', 'mean']).default('median'),
  from: localDate.optional(),
  to: localDate.optional(),
});

export const estimateSchema = named(
  'Estimate',
  z.object({ estimate: num, se: num, ci95: z.tuple([num, num]), p_value: num }),
);

export const modelResultSchema = named(
  'ModelResult',
  z.object({
    model: z.string(),
    assumptions: z.array(z.string()),
    n_pre: num,
    n_post: num,
    n_transition_excluded: num,
    lag: num.optional(),
    estimates: z.record(z.string(), estimateSchema.nullable()).optional(),
    controls: z.array(z.string()).optional(),
    interpretation: z.string().optional(),
    insufficient_data: z.object({ reason: z.string() }).optional(),
    fitted: z
      .array(z.object({ week_start: z.string(), fitted: num, projected: numOrNull }))
      .optional()
      .describe(
        'ITS only: the fitted segmented line per modelled week (transition weeks left out) and, ' +
          'after go-live, the pre-go-live trend projected on (the counterfactual)',
      ),
  }),
);

export const goliveReportSchema = named(
  'GoLiveReport',
  z.object({
    options: z.object({
      tool: z.string(),
      metric: z.string(),
      metric_label: z.string(),
      by: z.enum(ANALYSIS_BYS),
      from: z.string(),
      to: z.string(),
      timezone: z.string(),
      summary: z.enum(['median', 'mean']),
      transition_weeks: num,
      min_pre_weeks: num,
      min_post_weeks: num,
      suppression_threshold: num,
    }),
    freshness: freshnessSchema,
    results: z.array(
      z.object({
        metric: z.string(),
        group: z.string(),
        kind: z.enum(['live group', 'wave', 'control']),
        go_live: z.string().nullable(),
        clinicians: numOrNull,
        suppressed: z.boolean(),
        its: modelResultSchema.optional(),
        did: modelResultSchema.optional(),
        note: z.string().optional(),
      }),
    ),
    series: z.array(
      z.object({
        metric: z.string(),
        group: z.string(),
        go_live: z.string().nullable(),
        week_start: z.string(),
        value: num,
        n: num,
      }),
    ),
  }),
  'The go-live evaluation of one metric: per group ITS (with its fitted line and the projected ' +
    'counterfactual) and DiD, and the weekly series of each group.',
);

const HELP_TOPIC_KEYS = Object.keys(HELP_TOPICS) as [HelpTopic, ...HelpTopic[]];

export const helpRouteSchema = named(
  'HelpRoute',
  z.object({
    tier: z.enum(HELP_TIERS),
    group: z.string().nullable(),
    names: z.array(z.string()),
  }),
  'Where a question goes: the champions of the asker’s department, else specialty, else role ' +
    '(their names), else the IT / informatics team (tier `it`, no names).',
);

export const helpRequestSchema = named(
  'HelpRequest',
  z.object({
    id: z.string(),
    created_at: z.string(),
    username: z.string(),
    user_id: z.string(),
    name: z.string().nullable(),
    department: z.string().nullable(),
    specialty: z.string().nullable(),
    topic: z.enum(HELP_TOPIC_KEYS),
    message: z.string(),
    status: z.enum(['open', 'answered', 'closed']),
    answer: z.string().nullable(),
    answered_by: z.string().nullable(),
    answered_at: z.string().nullable(),
    closed_at: z.string().nullable(),
    routed_to: z.enum(HELP_TIERS).nullable(),
    unread: z.boolean().optional(),
    route: helpRouteSchema.optional(),
  }),
  'A clinician’s request for help from the champions of their unit, with the answer. `unread`: ' +
    'in a list to answer, not yet seen by the reader; `route`: on creation, where it went.',
);

export const helpReadBody = named(
  'HelpRequestsRead',
  z.object({
    ids: z.array(z.string().regex(/^[a-z0-9]{1,16}-[0-9a-f]{8}$/, 'a help request id')).max(500),
  }),
);

export const notificationsSchema = named(
  'Notifications',
  z.object({ help_requests: num }),
  'Unread notifications of the caller: help requests sent to them, still open, not yet seen.',
);

export const helpTopicsSchema = named(
  'HelpTopics',
  z.array(z.object({ topic: z.enum(HELP_TOPIC_KEYS), label: z.string() })),
);

export const helpCreate = named(
  'HelpRequestCreate',
  z.object({
    topic: z.enum(HELP_TOPIC_KEYS),
    message: z
      .string()
      .trim()
      .min(1, 'say in a sentence what you would like help with')
      .max(1000, 'at most 1000 characters'),
  }),
);

export const helpAnswer = named(
  'HelpRequestAnswer',
  z.object({
    answer: z.string().trim().min(1, 'write the answer').max(2000, 'at most 2000 characters'),
    close: z.boolean().default(false),
  }),
);

export const helpListQuery = z.object({
  status: z.enum(['open', 'answered', 'closed', 'all']).default('all'),
});

export const helpIdParams = z.object({
  id: z.string().regex(/^[a-z0-9]{1,16}-[0-9a-f]{8}$/, 'a help request id'),
});

export const helpListSchema = named(
  'HelpRequests',
  z.object({
    summary: z.object({
      open: num,
      answered: num,
      closed: num,
      median_hours_to_answer: numOrNull,
    }),
    requests: z.array(helpRequestSchema),
  }),
);

export const coverageSchema = named(
  'ChampionCoverage',
  z.array(
    z.object({
      department: z.string(),
      clinicians: num,
      champions: z.array(z.string()),
      open_requests: num,
    }),
  ),
  'Per department of the roster: its clinicians, the champion accounts that cover it, and how many of its requests wait.',
);
