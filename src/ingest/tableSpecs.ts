/**
 * How each canonical table is validated and stored. Validation is SQL over the raw text columns
 * (run by DuckDB in the staging area): `reason` is the first problem found in a row, naming the
 * field and what to do; a row with a reason is rejected, every other row is stored.
 *
 * A reason never quotes a value from the file: any field may hold a patient identifier when a
 * file's columns are swapped or misplaced, and reasons are stored and served (`import_rejects`,
 * `GET /api/imports/:id`). It names the field, describes the value by its shape (`valueShape`:
 * its length and kinds of characters) and says what is expected; the verbatim row is only in the
 * owner-only rejects file.
 */
import {
  APPOINTMENT_STATUSES,
  CATEGORIES,
  CHANNELS,
  MESSAGE_DIRECTIONS,
  ORDER_TYPES,
  PATIENT_ACTIONS,
  PATIENT_ACTORS,
  RELEASE_KINDS,
  SCHEDULE_KINDS,
  VISIT_TYPES,
  type ImportTable,
} from '../model/canonical.ts';
import type { StagedColumn } from '../store/Store.ts';
import type { IdentifierType } from './pseudonymize.ts';

/** A SQL list literal of our own closed vocabularies (never user text). */
const list = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ');
const words = (xs: readonly string[]) => xs.join(', ');

/** SQL: a regex that an instant with an explicit offset or Z matches. */
// The offset must follow a time of day, so a bare date such as 2015-01-15 is not read as "-15".
const OFFSET_RE = `'[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$'`;

/**
 * SQL: true when text `c`, which ends in an offset or Z, has an offset that exists: −14:00 to
 * +14:00, minutes below 60 (DuckDB's cast would take +99:00 and shift the instant by it).
 */
export const offsetInRangeSql = (c: string) =>
  `regexp_matches(${c}, '(Z|z|[+-](0[0-9]|1[0-3])(:?[0-5][0-9])?|[+-]14(:?00)?)$')`;

/** The reason for an offset outside −14:00 … +14:00 (`f` names the field). */
export const offsetReason = (f: string) =>
  `${f} has a UTC offset outside -14:00 to +14:00; write the offset the system meant, such as -05:00, or Z`;

/**
 * SQL: a description of text value `c` that never quotes it — its length and the kinds of
 * characters in it, e.g. `(the value has 8 characters: letters, digits, other)`.
 */
export function valueShape(c: string): string {
  return `'(the value has ' || length(${c}) || ' character' || CASE WHEN length(${c}) = 1 THEN '' ELSE 's' END || ': ' ||
    array_to_string(list_filter([
      CASE WHEN regexp_matches(${c}, '[[:alpha:]]') THEN 'letters' END,
      CASE WHEN regexp_matches(${c}, '[0-9]') THEN 'digits' END,
      CASE WHEN regexp_matches(${c}, '[[:space:]]') THEN 'spaces' END,
      CASE WHEN regexp_matches(${c}, '[^[:alpha:]0-9[:space:]]') THEN 'other characters' END], x -> x IS NOT NULL), ', ') || ')'`;
}

/**
 * SQL for an instant column `c` given as text: with an offset it is exact (NULL when the offset
 * is outside ±14:00); without one it is local time of the source time zone `$tz` (a bound
 * parameter), or NULL when no zone was named.
 */
export function instantSql(c: string, tzParam: string, local?: LocalInstant): string {
  const general = `CASE WHEN regexp_matches(${c}, ${OFFSET_RE}) THEN CASE WHEN ${offsetInRangeSql(c)} THEN TRY_CAST(replace(${c}, 'z', 'Z') AS TIMESTAMPTZ) END
    WHEN ${tzParam} IS NULL THEN NULL
    ELSE ${local ? `(${local.earlierUtc}) AT TIME ZONE 'UTC'` : `TRY_CAST(${c} AS TIMESTAMP) AT TIME ZONE ${tzParam}`} END`;
  // DuckDB evaluates a CASE branch only for the rows that reach it, so `general` runs only for
  // the rows the fast path's shapes do not take; where the fast path's cast fails, `general`
  // would fail too.
  return commonInstantSql(c, general);
}

/** A digit, and `YYYY-MM-DDTHH:MM:SS` in digits, as GLOB patterns. */
const D = '[0-9]';
const DATE_TIME_GLOB = `${D}${D}${D}${D}-${D}${D}-${D}${D}T${D}${D}:${D}${D}:${D}${D}`;

/**
 * SQL: the instant of text `c` when it has the shape almost every system writes —
 * `YYYY-MM-DDTHH:MM:SS±HH:MM` or `YYYY-MM-DDTHH:MM:SSZ`, in digits, the seconds whole or with 3
 * or 6 decimals — with an offset within ±14:00, else `otherwise` (SQL; NULL by default). Shape
 * and offset are GLOB patterns (in GLOB, `[-+]` is a sign; `[+-]` matches no `-`): a third of the
 * cost of the general path's regular expressions, which it agrees with wherever it applies (the
 * property test of `tableSpecs.int.test.ts` compares the two; it found that DuckDB's cast takes
 * an hour written ` 0`, which the general path does not: hence digits, not `LIKE '_'`).
 */
export function commonInstantSql(c: string, otherwise = 'NULL'): string {
  const offsets = ['[-+]0[0-9]:[0-5][0-9]', '[-+]1[0-3]:[0-5][0-9]', '[-+]14:00', 'Z'];
  // Whole seconds, then milliseconds and microseconds (what the Epic adapter writes).
  const shapes = ['', `.${D.repeat(3)}`, `.${D.repeat(6)}`].flatMap((f) =>
    offsets.map((o) => f + o),
  );
  return `CASE WHEN ${shapes.map((o) => `${c} GLOB '${DATE_TIME_GLOB}${o}'`).join(' OR ')}
    THEN TRY_CAST(${c} AS TIMESTAMPTZ) ELSE ${otherwise} END`;
}

/**
 * A local time's resolution in the source zone (`localTime.ts`): the naive UTC time of the only
 * (or earlier) instant, NULL when the local time does not exist.
 */
export interface LocalInstant {
  earlierUtc: string;
}

/** SQL: true when raw instant text `c` has no offset (so it is a local time of the source zone). */
export const hasNoOffset = (c: string) => `NOT regexp_matches(${c}, ${OFFSET_RE})`;

/** The typed (TIMESTAMPTZ) column computed once from raw instant field `f`. */
export const typed = (f: string) => `"t_${f}"`;

/**
 * SQL: why instant field `f` is unusable (CASE branches over the raw and the typed column). An
 * optional field (`optional`) may be empty; when given it must be an instant like a required one.
 */
function instantReason(f: string, tzParam: string, optional = false): string {
  const c = q(f);
  const given = optional ? `${c} IS NOT NULL AND ` : '';
  return `${optional ? '' : `WHEN ${c} IS NULL THEN '${f} is empty; give an ISO 8601 instant such as 2026-03-02T08:15:00-05:00'`}
    WHEN ${given}${typed(f)} IS NULL AND regexp_matches(${c}, ${OFFSET_RE}) AND NOT ${offsetInRangeSql(c)}
      THEN '${offsetReason(f)}'
    WHEN ${given}${typed(f)} IS NULL AND ${tzParam} IS NULL AND NOT regexp_matches(${c}, ${OFFSET_RE}) AND TRY_CAST(${c} AS TIMESTAMP) IS NOT NULL
      THEN '${f} has no UTC offset; add one (e.g. -05:00 or Z) or name the source time zone with --source-tz'
    WHEN ${given}${typed(f)} IS NULL AND NOT regexp_matches(${c}, ${OFFSET_RE}) AND TRY_CAST(${c} AS TIMESTAMP) IS NOT NULL
      THEN '${f} is a local time that does not exist in ' || ${tzParam} || ': the clocks were put forward over it; add the UTC offset the system meant, or check --source-tz'
    WHEN ${given}${typed(f)} IS NULL THEN '${f} is not a valid ISO 8601 date and time such as 2026-03-02T08:15:00-05:00 ' || ${valueShape(c)}`;
}

/**
 * SQL CASE branches rejecting instants outside the window `[from, to)` of the settings
 * `earliest_instant` and `latest_instant`, stating the window (typed fields `t_<f>`; `named`
 * gives the name the source uses for a field).
 */
export function windowReasons(
  instants: readonly string[],
  w: { from: Date; to: Date },
  named: (f: string) => string = (f) => f,
): string[] {
  const iso = (d: Date) => d.toISOString().replace(/\.000Z$/, 'Z');
  const ts = (d: Date) => `CAST('${iso(d)}' AS TIMESTAMPTZ)`;
  return instants.flatMap((f) => [
    `WHEN ${typed(f)} < ${ts(w.from)} THEN '${named(f)} is before ${iso(w.from)}, the earliest instant accepted (setting earliest_instant); check the date, or change the setting with uptake settings earliest_instant'`,
    `WHEN ${typed(f)} >= ${ts(w.to)} THEN '${named(f)} is at or after ${iso(w.to)}, the end of the instants accepted (setting latest_instant); check the date, or change the setting with uptake settings latest_instant'`,
  ]);
}

/** A raw text column, quoted (`end` is a keyword). */
const q = (f: string) => `"${f}"`;
const required = (f: string) => `WHEN ${q(f)} IS NULL THEN '${f} is empty; it is required'`;
const oneOf = (f: string, xs: readonly string[]) =>
  `WHEN ${q(f)} IS NOT NULL AND lower(${q(f)}) NOT IN (${list(xs)}) THEN '${f} is not one of ${words(xs)} ' || ${valueShape(q(f))}`;

export interface TableSpec {
  table: ImportTable;
  /** Canonical columns as stored, with their staged types and the SQL that computes them. */
  columns: (StagedColumn & { sql: string })[];
  /** Raw fields holding instants: each is typed once, as `t_<field>`, before validation. */
  instants: string[];
  /** SQL CASE branches (`WHEN … THEN 'reason'`) evaluated in order. */
  reasons: string[];
  /** The columns that identify a row: a re-import of the same key stores nothing. */
  key: string[];
  /** Rows whose key exists are updated (roster) rather than skipped. */
  upsert: boolean;
  /**
   * Identifier columns besides `patient_id` (which is always a patient's pseudonym) that are
   * replaced by a keyed pseudonym of their type: columns of one type (`message_id` and
   * `in_reply_to`) get the same pseudonym for the same text, so they still join.
   */
  pseudonymized?: Readonly<Record<string, IdentifierType>>;
}

/**
 * The source time zone (or NULL) in every validation query: read from a one-row table that the
 * importer fills with a bound parameter (a view cannot take parameters).
 */
export const TZ = '(SELECT tz FROM imp_params)';

export const TABLE_SPECS: Record<ImportTable, TableSpec> = {
  events: {
    table: 'events',
    instants: ['occurred_at'],
    columns: [
      { name: 'event_id', type: 'VARCHAR', sql: 'event_id' },
      { name: 'source', type: 'VARCHAR', sql: `coalesce(source, 'csv')` },
      { name: 'occurred_at', type: 'TIMESTAMPTZ', sql: typed('occurred_at') },
      { name: 'user_id', type: 'VARCHAR', sql: 'user_id' },
      { name: 'action', type: 'VARCHAR', sql: 'action' },
      // category NULL here is filled from the action map after validation
      { name: 'category', type: 'VARCHAR', sql: 'lower(category)' },
      { name: 'patient_id', type: 'VARCHAR', sql: 'patient_id' },
      { name: 'encounter_id', type: 'VARCHAR', sql: 'encounter_id' },
      { name: 'channel', type: 'VARCHAR', sql: `coalesce(lower(channel), 'desktop')` },
      { name: 'workstation_id', type: 'VARCHAR', sql: 'workstation_id' },
      // the position in the source's own log: orders same-instant events (metrics.md §3)
      { name: 'seq', type: 'BIGINT', sql: 'TRY_CAST(seq AS BIGINT)' },
    ],
    reasons: [
      required('event_id'),
      instantReason('occurred_at', TZ),
      required('user_id'),
      required('action'),
      oneOf('category', CATEGORIES),
      oneOf('channel', CHANNELS),
      // not quoted: a misplaced column could put a patient identifier here
      `WHEN seq IS NOT NULL AND (NOT regexp_full_match(seq, '[0-9]+') OR TRY_CAST(seq AS BIGINT) IS NULL)
        THEN 'seq is not a whole number of 0 or more (the event''s position in its source log, e.g. 42); correct it or leave it empty'`,
    ],
    key: ['source', 'event_id'],
    upsert: false,
  },
  clinicians: {
    table: 'clinicians',
    instants: [],
    columns: [
      { name: 'user_id', type: 'VARCHAR', sql: 'user_id' },
      { name: 'role', type: 'VARCHAR', sql: 'role' },
      { name: 'name', type: 'VARCHAR', sql: 'name' },
      { name: 'specialty', type: 'VARCHAR', sql: 'specialty' },
      { name: 'department', type: 'VARCHAR', sql: 'department' },
      { name: 'fte', type: 'DOUBLE', sql: 'TRY_CAST(fte AS DOUBLE)' },
      { name: 'timezone', type: 'VARCHAR', sql: 'timezone' },
    ],
    reasons: [
      required('user_id'),
      required('role'),
      `WHEN fte IS NOT NULL AND (TRY_CAST(fte AS DOUBLE) IS NULL OR TRY_CAST(fte AS DOUBLE) <= 0 OR TRY_CAST(fte AS DOUBLE) > 2)
        THEN 'fte is not a number between 0 (exclusive) and 2, e.g. 0.8 ' || ${valueShape('fte')}`,
      `WHEN timezone IS NOT NULL AND timezone NOT IN (SELECT name FROM pg_timezone_names())
        THEN 'timezone is not an IANA time zone such as America/New_York ' || ${valueShape('timezone')}`,
    ],
    key: ['user_id'],
    upsert: true,
  },
  schedule: {
    table: 'schedule',
    instants: ['start', 'end'],
    columns: [
      { name: 'user_id', type: 'VARCHAR', sql: 'user_id' },
      { name: 'kind', type: 'VARCHAR', sql: 'lower(kind)' },
      { name: 'start_at', type: 'TIMESTAMPTZ', sql: typed('start') },
      { name: 'end_at', type: 'TIMESTAMPTZ', sql: typed('end') },
      { name: 'status', type: 'VARCHAR', sql: `coalesce(lower(status), 'booked')` },
      { name: 'visit_type', type: 'VARCHAR', sql: `coalesce(lower(visit_type), 'in-person')` },
      { name: 'patient_id', type: 'VARCHAR', sql: 'patient_id' },
      { name: 'appointment_id', type: 'VARCHAR', sql: `coalesce(appointment_id, '')` },
    ],
    reasons: [
      required('user_id'),
      `WHEN kind IS NULL THEN 'kind is empty; it must be session or appointment'`,
      `WHEN lower(kind) NOT IN (${list(SCHEDULE_KINDS)}) THEN 'kind must be session or appointment ' || ${valueShape('kind')}`,
      instantReason('start', TZ),
      instantReason('end', TZ),
      `WHEN ${typed('end')} <= ${typed('start')} THEN 'end is not after start; an appointment or session ends after it starts'`,
      oneOf('status', APPOINTMENT_STATUSES),
      oneOf('visit_type', VISIT_TYPES),
    ],
    key: ['user_id', 'kind', 'start_at', 'end_at', 'appointment_id'],
    upsert: false,
  },
  orders: {
    table: 'orders',
    instants: ['signed_at'],
    columns: [
      { name: 'order_id', type: 'VARCHAR', sql: 'order_id' },
      { name: 'user_id', type: 'VARCHAR', sql: 'user_id' },
      { name: 'signed_at', type: 'TIMESTAMPTZ', sql: typed('signed_at') },
      { name: 'entered_by', type: 'VARCHAR', sql: 'entered_by' },
      { name: 'order_type', type: 'VARCHAR', sql: `coalesce(lower(order_type), 'other')` },
      { name: 'patient_id', type: 'VARCHAR', sql: 'patient_id' },
    ],
    reasons: [
      required('order_id'),
      required('user_id'),
      instantReason('signed_at', TZ),
      oneOf('order_type', ORDER_TYPES),
    ],
    key: ['order_id'],
    upsert: false,
  },
  // Training completions (issue #5): the same completion imported twice (or from CSV and from
  // xAPI) is one row.
  training: {
    table: 'training',
    instants: ['completed_at'],
    columns: [
      { name: 'user_id', type: 'VARCHAR', sql: 'user_id' },
      { name: 'course', type: 'VARCHAR', sql: 'course' },
      { name: 'completed_at', type: 'TIMESTAMPTZ', sql: typed('completed_at') },
      { name: 'hours', type: 'DOUBLE', sql: 'TRY_CAST(hours AS DOUBLE)' },
      { name: 'source', type: 'VARCHAR', sql: `coalesce(source, 'csv')` },
    ],
    reasons: [
      required('user_id'),
      required('course'),
      instantReason('completed_at', TZ),
      `WHEN hours IS NOT NULL AND (TRY_CAST(hours AS DOUBLE) IS NULL OR TRY_CAST(hours AS DOUBLE) < 0 OR TRY_CAST(hours AS DOUBLE) > 1000)
        THEN 'hours is not a number of hours between 0 and 1000, e.g. 1.5 ' || ${valueShape('hours')}`,
    ],
    key: ['user_id', 'course', 'completed_at'],
    upsert: false,
  },
  // The patient side (engagement.md §1). Patient events are keyed like events, by source and
  // event id (two portals may number their audit logs alike).
  patient_events: {
    table: 'patient_events',
    instants: ['occurred_at'],
    columns: [
      { name: 'event_id', type: 'VARCHAR', sql: 'event_id' },
      { name: 'source', type: 'VARCHAR', sql: `coalesce(source, 'csv')` },
      { name: 'occurred_at', type: 'TIMESTAMPTZ', sql: typed('occurred_at') },
      { name: 'patient_id', type: 'VARCHAR', sql: 'patient_id' },
      { name: 'action', type: 'VARCHAR', sql: 'lower(action)' },
      { name: 'clinician_id', type: 'VARCHAR', sql: 'clinician_id' },
      { name: 'encounter_id', type: 'VARCHAR', sql: 'encounter_id' },
      { name: 'resource_id', type: 'VARCHAR', sql: 'resource_id' },
      { name: 'channel', type: 'VARCHAR', sql: 'channel' },
      { name: 'actor', type: 'VARCHAR', sql: 'lower(actor)' },
    ],
    reasons: [
      required('event_id'),
      instantReason('occurred_at', TZ),
      required('patient_id'),
      required('action'),
      oneOf('action', PATIENT_ACTIONS),
      oneOf('actor', PATIENT_ACTORS),
    ],
    key: ['source', 'event_id'],
    upsert: false,
    pseudonymized: { resource_id: 'resource' },
  },
  // One account per patient: a later extract (with deactivated_at) replaces the row, as a later
  // roster does; the same file again changes nothing.
  patient_accounts: {
    table: 'patient_accounts',
    instants: ['activated_at', 'deactivated_at'],
    columns: [
      { name: 'patient_id', type: 'VARCHAR', sql: 'patient_id' },
      { name: 'activated_at', type: 'TIMESTAMPTZ', sql: typed('activated_at') },
      { name: 'deactivated_at', type: 'TIMESTAMPTZ', sql: typed('deactivated_at') },
    ],
    reasons: [
      required('patient_id'),
      instantReason('activated_at', TZ),
      instantReason('deactivated_at', TZ, true),
      `WHEN ${typed('deactivated_at')} < ${typed('activated_at')} THEN 'deactivated_at is before activated_at; an account is deactivated after it is activated'`,
    ],
    key: ['patient_id'],
    upsert: true,
  },
  messages: {
    table: 'messages',
    instants: ['sent_at'],
    columns: [
      { name: 'message_id', type: 'VARCHAR', sql: 'message_id' },
      { name: 'sent_at', type: 'TIMESTAMPTZ', sql: typed('sent_at') },
      { name: 'patient_id', type: 'VARCHAR', sql: 'patient_id' },
      { name: 'clinician_id', type: 'VARCHAR', sql: 'clinician_id' },
      { name: 'direction', type: 'VARCHAR', sql: 'lower(direction)' },
      { name: 'in_reply_to', type: 'VARCHAR', sql: 'in_reply_to' },
      { name: 'encounter_id', type: 'VARCHAR', sql: 'encounter_id' },
    ],
    reasons: [
      required('message_id'),
      instantReason('sent_at', TZ),
      required('patient_id'),
      required('clinician_id'),
      required('direction'),
      oneOf('direction', MESSAGE_DIRECTIONS),
    ],
    key: ['message_id'],
    upsert: false,
    pseudonymized: { message_id: 'message', in_reply_to: 'message' },
  },
  releases: {
    table: 'releases',
    instants: ['available_at'],
    columns: [
      { name: 'resource_id', type: 'VARCHAR', sql: 'resource_id' },
      { name: 'patient_id', type: 'VARCHAR', sql: 'patient_id' },
      { name: 'kind', type: 'VARCHAR', sql: 'lower(kind)' },
      { name: 'available_at', type: 'TIMESTAMPTZ', sql: typed('available_at') },
      { name: 'clinician_id', type: 'VARCHAR', sql: 'clinician_id' },
      { name: 'encounter_id', type: 'VARCHAR', sql: 'encounter_id' },
    ],
    reasons: [
      required('resource_id'),
      required('patient_id'),
      required('kind'),
      oneOf('kind', RELEASE_KINDS),
      instantReason('available_at', TZ),
    ],
    key: ['resource_id'],
    upsert: false,
    pseudonymized: { resource_id: 'resource' },
  },
};
