/**
 * The synthetic audit log as an Epic Clarity access-log export (`docs/formats.md`):
 * `ACCESS_LOG` joined with `ACCESS_LOG_METRIC`, one CSV row per canonical event.
 *
 * | column | value |
 * |---|---|
 * | `ACCESS_INSTANT` | the event's instant as an Epic instant: **whole seconds since 1840-12-31 00:00:00 UTC** (Unix seconds + {@link EPIC_EPOCH_OFFSET}), fractional seconds dropped |
 * | `PROCESS_ID` | one number per (user, local day, workstation): roster position × 10⁷ + Epic day number (days since 1840-12-31, local date) × 10 + a digit of the workstation id |
 * | `ACCESS_TIME` | local wall-clock time of the source time zone (`gen.timezone`), `YYYY-MM-DD HH:MM:SS` (Clarity's style), no offset, with the canonical fractional seconds when there are some: the local part of the canonical `occurred_at`, which `generate()` writes in `gen.timezone` with the instant's offset |
 * | `USER_ID` | `user_id` |
 * | `WORKSTATION_ID` | `workstation_id`; `HAIKU` (or the canonical `CANTO`) for every `mobile` event, so the importer's rule gives `channel = mobile` back |
 * | `METRIC_ID`, `METRIC_NAME` | the action's Epic metric (`EPIC_METRICS` of `actionMaps.ts`); `epic-action-map.csv` maps the id to the canonical category |
 * | `PAT_ID`, `CSN` | `patient_id`, `encounter_id` |
 *
 * **ACCESS_INSTANT is UTC-based.** Epic instants count seconds from 1840-12-31 00:00:00; whether a
 * given Clarity extract counts them in UTC or in the server's local time is a property of the
 * site's extract. This writer counts in UTC, so an importer reading these files must take
 * `ACCESS_INSTANT` as UTC-based seconds (instant = 1840-12-31T00:00:00Z + ACCESS_INSTANT s) when it
 * uses it to settle the repeated fall-back hour; `ACCESS_TIME` (local, `--source-tz`) is the time
 * of record.
 *
 * Row order: the canonical file's (local day, then user, then time), not one global time order.
 * A global `ORDER BY` instant costs a sort that spills to disk above ~3 million events and drops the
 * throughput below 300k events/s, and nothing in the import depends on it. Within one user the rows
 * are in time order, and events of one user at the same second keep their canonical order (which
 * the importer's "row ordinal among exact duplicates" follows): each user's rows are in log order,
 * so the importer's `seq` (the line) orders a user's same-instant events as the log did — the only
 * order `seq` is compared in (metrics.md §3).
 *
 * Channels `web` and `api` have no Epic form (the generator writes only `desktop` and `mobile`):
 * they would come back as `desktop`. A `desktop` event on a HAIKU/CANTO workstation would come back
 * as `mobile` (the generator writes none).
 */
import { EPIC_METRICS } from './actionMaps.ts';
import { quoteLiteral } from '../../store/quote.ts';
import type { Sql } from '../../store/Store.ts';
import { canonicalCsv, copyCsv } from './sql.ts';

/** Seconds from 1840-12-31T00:00:00Z (Epic's instant zero) to 1970-01-01T00:00:00Z. */
export const EPIC_EPOCH_OFFSET = 4_070_908_800;

/** Columns of the access-log CSV, in order. */
export const EPIC_COLUMNS = [
  'ACCESS_INSTANT',
  'PROCESS_ID',
  'ACCESS_TIME',
  'USER_ID',
  'WORKSTATION_ID',
  'METRIC_ID',
  'METRIC_NAME',
  'PAT_ID',
  'CSN',
] as const;

/** Workstation ids of Epic's phone and tablet apps (formats.md §2: they set channel = mobile). */
export const EPIC_MOBILE_WORKSTATIONS = ['HAIKU', 'CANTO'] as const;

/**
 * Writes `accessLog` from the canonical `events` file; `clinicians` gives each user's roster
 * position (for PROCESS_ID). Returns the number of rows written.
 *
 * One projection of the CSV reader, with no join and no sort: DuckDB then keeps the input's row
 * order (a hash join does not), so the output is deterministic and streams at CSV speed. Lookups
 * go through ENUM types (a dictionary cast) and list indexing instead of joins.
 */
export async function writeEpicAccessLog(
  c: Sql,
  files: { events: string; clinicians: string },
  accessLog: string,
): Promise<number> {
  const roster = await canonicalCsv(files.clinicians, ['user_id'], ['user_id']);
  const users = [
    ...new Set(
      (
        await c.all<{ user_id: string }>(`SELECT user_id FROM ${roster} WHERE user_id IS NOT NULL`)
      ).map((r) => String(r.user_id)),
    ),
  ];
  if (users.length === 0) throw new Error(`${files.clinicians}: no clinicians`);
  const metrics = [...EPIC_METRICS];
  await c.run(`CREATE TYPE f_user AS ENUM (${users.map(quoteLiteral).join(', ')})`);
  await c.run(`CREATE TYPE f_action AS ENUM (${metrics.map(([a]) => quoteLiteral(a)).join(', ')})`);
  const ids = `[${metrics.map(([, m]) => m.id).join(', ')}]`;
  const names = `[${metrics.map(([, m]) => quoteLiteral(m.name)).join(', ')}]`;
  const events = await canonicalCsv(
    files.events,
    [
      'event_id',
      'occurred_at',
      'user_id',
      'action',
      'patient_id',
      'encounter_id',
      'channel',
      'workstation_id',
    ],
    ['event_id', 'occurred_at', 'user_id', 'action'],
  );
  const mobile = EPIC_MOBILE_WORKSTATIONS.map(quoteLiteral).join(', ');
  // occurred_at is the generator's local wall-clock time with that instant's offset in the
  // system's time zone (`YYYY-MM-DDTHH:MM:SS[.fff]±HH:MM`): its first part is ACCESS_TIME as is
  // (the tests check every row against the time zone's rules, DST days included).
  const query = `
    WITH k AS (
      SELECT *,
        coalesce(enum_code(TRY_CAST(user_id AS f_user)) + 1,
          error('user ' || user_id || ' of event ' || event_id || ' is not in the roster')) AS ord,
        coalesce(enum_code(TRY_CAST(action AS f_action)) + 1,
          error('no Epic metric for the action ' || action || ' of event ' || event_id)) AS ai,
        CASE WHEN substr(occurred_at, 11, 1) = 'T' AND substr(occurred_at, length(occurred_at) - 5, 1) IN ('+', '-')
          THEN left(occurred_at, length(occurred_at) - 6)
          ELSE error('occurred_at ' || occurred_at || ' of event ' || event_id || ' is not local time with an offset')
        END AS local_text
      FROM ${events}
    )
    SELECT
      CAST(floor(epoch(CAST(occurred_at AS TIMESTAMPTZ))) AS BIGINT) + ${EPIC_EPOCH_OFFSET} AS ACCESS_INSTANT,
      ord * 10000000
        + (CAST(left(local_text, 10) AS DATE) - DATE '1840-12-31') * 10
        + CASE WHEN workstation_id IS NULL THEN 0
               ELSE (length(workstation_id) * 31 + ascii(right(workstation_id, 1)) * 7 + ascii(right(workstation_id, 2))) % 10
          END AS PROCESS_ID,
      replace(local_text, 'T', ' ') AS ACCESS_TIME,
      user_id AS USER_ID,
      CASE WHEN channel = 'mobile' AND (workstation_id IS NULL OR workstation_id NOT IN (${mobile})) THEN 'HAIKU'
           ELSE workstation_id END AS WORKSTATION_ID,
      ${ids}[ai] AS METRIC_ID,
      ${names}[ai] AS METRIC_NAME,
      patient_id AS PAT_ID,
      encounter_id AS CSN
    FROM k`;
  return copyCsv(c, query, accessLog);
}
