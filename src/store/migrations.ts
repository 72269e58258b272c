/**
 * Numbered schema migrations. Each runs once, in order, inside a transaction; the applied
 * version is kept in `meta`. Where the engines must differ, a migration takes the dialect.
 */
import type { Dialect } from './dialect.ts';

export interface Migration {
  version: number;
  name: string;
  up(d: Dialect): string[];
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'canonical tables, imports and settings',
    up: (d) => [
      `CREATE TABLE IF NOT EXISTS settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
      `CREATE TABLE imports (
         import_id INTEGER PRIMARY KEY,
         table_name VARCHAR NOT NULL,
         format VARCHAR NOT NULL,
         file VARCHAR NOT NULL,
         started_at TIMESTAMPTZ NOT NULL,
         finished_at TIMESTAMPTZ,
         rows_read BIGINT NOT NULL DEFAULT 0,
         rows_stored BIGINT NOT NULL DEFAULT 0,
         rows_rejected BIGINT NOT NULL DEFAULT 0,
         rows_duplicate BIGINT NOT NULL DEFAULT 0,
         unmapped BIGINT NOT NULL DEFAULT 0,
         report ${d.jsonType})`,
      `CREATE TABLE import_rejects (
         import_id INTEGER NOT NULL,
         line BIGINT NOT NULL,
         reason VARCHAR NOT NULL,
         raw VARCHAR)`,
      // No primary key on events: an index over hundreds of millions of rows costs more memory
      // than it saves; imports skip duplicates with an anti-join on (source, event_id) instead.
      `CREATE TABLE events (
         event_id VARCHAR NOT NULL,
         source VARCHAR NOT NULL,
         occurred_at TIMESTAMPTZ NOT NULL,
         user_id VARCHAR NOT NULL,
         action VARCHAR NOT NULL,
         category VARCHAR NOT NULL,
         patient_id VARCHAR,
         encounter_id VARCHAR,
         channel VARCHAR NOT NULL,
         workstation_id VARCHAR,
         import_id INTEGER)`,
      `CREATE TABLE clinicians (
         user_id VARCHAR PRIMARY KEY,
         role VARCHAR NOT NULL,
         name VARCHAR,
         specialty VARCHAR,
         department VARCHAR,
         fte ${d.double},
         timezone VARCHAR,
         import_id INTEGER)`,
      `CREATE TABLE schedule (
         user_id VARCHAR NOT NULL,
         kind VARCHAR NOT NULL,
         start_at TIMESTAMPTZ NOT NULL,
         end_at TIMESTAMPTZ NOT NULL,
         status VARCHAR NOT NULL,
         visit_type VARCHAR NOT NULL,
         patient_id VARCHAR,
         appointment_id VARCHAR NOT NULL,
         import_id INTEGER)`,
      `CREATE TABLE orders (
         order_id VARCHAR NOT NULL,
         user_id VARCHAR NOT NULL,
         signed_at TIMESTAMPTZ NOT NULL,
         entered_by VARCHAR,
         order_type VARCHAR NOT NULL,
         patient_id VARCHAR,
         import_id INTEGER)`,
    ],
  },
  {
    version: 2,
    name: 'action names (e.g. Epic METRIC_NAME beside METRIC_ID)',
    up: () => [
      `CREATE TABLE action_names (
         source VARCHAR NOT NULL,
         action VARCHAR NOT NULL,
         name VARCHAR NOT NULL,
         PRIMARY KEY (source, action))`,
    ],
  },
  {
    version: 3,
    name: 'tools, go-lives, training records and the weekly metric cache (adoption and evaluation)',
    up: (d) => [
      // A tool (or feature): its name, how many uses a week make a habit, and its rules
      // (`src/analysis/tools.ts`): which actions are uses, who is eligible, which courses train.
      `CREATE TABLE tools (
         name VARCHAR PRIMARY KEY,
         description VARCHAR,
         habitual_uses INTEGER NOT NULL DEFAULT 5,
         created_at TIMESTAMPTZ NOT NULL,
         updated_at TIMESTAMPTZ NOT NULL)`,
      `CREATE TABLE tool_rules (
         tool VARCHAR NOT NULL,
         kind VARCHAR NOT NULL,
         value VARCHAR NOT NULL,
         PRIMARY KEY (tool, kind, value))`,
      // A go-live: a tool goes live for one group (a department, specialty or role, or the whole
      // organisation) on a local date; groups with different dates are waves.
      `CREATE TABLE golives (
         tool VARCHAR NOT NULL,
         group_by VARCHAR NOT NULL,
         group_value VARCHAR NOT NULL,
         go_live_date DATE NOT NULL,
         note VARCHAR,
         PRIMARY KEY (tool, group_by, group_value))`,
      // Training completions (canonical CSV or xAPI statements); one row per (user, course, instant).
      `CREATE TABLE training (
         user_id VARCHAR NOT NULL,
         course VARCHAR NOT NULL,
         completed_at TIMESTAMPTZ NOT NULL,
         hours ${d.double},
         source VARCHAR NOT NULL,
         import_id INTEGER)`,
      // Weekly clinician metric rows kept for evaluations, keyed by their request and the data
      // version (the last import) they were computed from.
      `CREATE TABLE metric_cache (
         cache_key VARCHAR PRIMARY KEY,
         data_version BIGINT NOT NULL,
         created_at TIMESTAMPTZ NOT NULL,
         body ${d.jsonType} NOT NULL)`,
    ],
  },
  {
    version: 4,
    name: 'web app accounts, sessions and the access log',
    up: () => [
      // Local accounts: a memory-hard (scrypt) hash with its own salt and parameters, never the
      // password; `groups` is a JSON list of {by, value} a leader or champion may see.
      `CREATE TABLE users (
         username VARCHAR PRIMARY KEY,
         password_hash VARCHAR NOT NULL,
         role VARCHAR NOT NULL,
         clinician_id VARCHAR,
         groups_json VARCHAR NOT NULL,
         created_at TIMESTAMPTZ NOT NULL)`,
      // Sessions: only the SHA-256 of the cookie's random token is kept, so a copy of the
      // database does not hand out live sessions.
      `CREATE TABLE sessions (
         token_hash VARCHAR PRIMARY KEY,
         username VARCHAR NOT NULL,
         csrf VARCHAR NOT NULL,
         created_at TIMESTAMPTZ NOT NULL,
         expires_at TIMESTAMPTZ NOT NULL)`,
      // Who viewed or changed what, and when (exported as FHIR AuditEvent).
      `CREATE TABLE access_log (
         id VARCHAR PRIMARY KEY,
         logged_at TIMESTAMPTZ NOT NULL,
         username VARCHAR,
         role VARCHAR,
         action VARCHAR NOT NULL,
         resource VARCHAR NOT NULL,
         outcome VARCHAR NOT NULL,
         detail VARCHAR,
         ip VARCHAR)`,
    ],
  },
  {
    version: 5,
    name: 'help requests from clinicians to their unit’s champions',
    up: () => [
      // `user_id` is the asking clinician (roster id), `username` the account that asked.
      `CREATE TABLE help_requests (
         id VARCHAR PRIMARY KEY,
         created_at TIMESTAMPTZ NOT NULL,
         username VARCHAR NOT NULL,
         user_id VARCHAR NOT NULL,
         topic VARCHAR NOT NULL,
         message VARCHAR NOT NULL,
         status VARCHAR NOT NULL,
         answer VARCHAR,
         answered_by VARCHAR,
         answered_at TIMESTAMPTZ,
         closed_at TIMESTAMPTZ)`,
    ],
  },
  {
    version: 6,
    name: 'events keep their position in the source log (seq)',
    // metrics.md §3: same-instant events are ordered by (occurred_at, seq, event_id); `seq` is
    // the position in the source's own log (Epic: the export's line number), NULL when unknown.
    up: () => [`ALTER TABLE events ADD COLUMN seq BIGINT`],
  },
  {
    version: 7,
    name: 'clinician identities: every identifier a source may name a clinician by',
    // A roster clinician (`clinicians.user_id`) can be named by several identifiers: an NPI, a
    // FHIR resource id (`system` = 'Practitioner'), an EHR login. Each (system, value) names
    // exactly one clinician, so FHIR references and SMART `fhirUser` resolve to the roster key.
    up: () => [
      `CREATE TABLE clinician_identifiers (
         system VARCHAR NOT NULL,
         value VARCHAR NOT NULL,
         user_id VARCHAR NOT NULL,
         import_id INTEGER,
         PRIMARY KEY (system, value))`,
    ],
  },
  {
    version: 8,
    name: 'help requests are routed (department, specialty or role champions, else IT) and notify',
    // `routed_to` is the tier a request went to when asked; a notification is one account's
    // unread marker for one request (`kind` leaves room for other notices), read once seen.
    up: () => [
      `ALTER TABLE help_requests ADD COLUMN routed_to VARCHAR`,
      `CREATE TABLE notifications (
         username VARCHAR NOT NULL,
         kind VARCHAR NOT NULL,
         ref VARCHAR NOT NULL,
         created_at TIMESTAMPTZ NOT NULL,
         read_at TIMESTAMPTZ,
         PRIMARY KEY (username, kind, ref))`,
    ],
  },
  {
    version: 9,
    name: 'the day table: per-clinician, per-local-day metric sums that any range adds up',
    // metrics.md §3–§6 make every time and count of a clinician additive over local days; only
    // the distinct patients are not, so their (user, day, patient) rows are kept too. Keyed by
    // the options that change a day's sums (`src/metrics/metricDays.ts`: the fingerprint), filled
    // by the metric SQL itself and refreshed for the days an import can change. No primary keys
    // (as on events): a whole range of days is deleted and refilled at once. Citus distributes
    // both by user_id with the events (`citus.ts`).
    up: (d) => [
      `CREATE TABLE metric_days (
         fingerprint VARCHAR NOT NULL,
         user_id VARCHAR NOT NULL,
         day DATE NOT NULL,
         present INTEGER NOT NULL,
         sched_us BIGINT NOT NULL,
         visit_us BIGINT NOT NULL,
         notes_us BIGINT NOT NULL,
         orders_us BIGINT NOT NULL,
         prescriptions_us BIGINT NOT NULL,
         inbox_us BIGINT NOT NULL,
         chart_review_us BIGINT NOT NULL,
         other_us BIGINT NOT NULL,
         out_o77 BIGINT NOT NULL,
         out_paj BIGINT NOT NULL,
         out_a18 BIGINT NOT NULL,
         ov_sess BIGINT NOT NULL,
         ov_vis BIGINT NOT NULL,
         ov_sess30 BIGINT NOT NULL,
         n_events BIGINT NOT NULL,
         n_excluded BIGINT NOT NULL,
         n_appts BIGINT NOT NULL,
         n_orders BIGINT NOT NULL,
         n_team BIGINT NOT NULL)`,
      `CREATE TABLE metric_day_patients (
         fingerprint VARCHAR NOT NULL,
         user_id VARCHAR NOT NULL,
         day DATE NOT NULL,
         patient_id VARCHAR NOT NULL)`,
      // One row per fingerprint whose days are complete: the options, the imports the days
      // include (a JSON list of import ids), the newest of them, and a counter of refreshes.
      `CREATE TABLE metric_day_sets (
         fingerprint VARCHAR PRIMARY KEY,
         options VARCHAR NOT NULL,
         imports VARCHAR NOT NULL,
         as_of TIMESTAMPTZ,
         refreshed_at TIMESTAMPTZ NOT NULL,
         generation BIGINT NOT NULL)`,
      // The instants each import's rows spanned when the day table took it in: what to refresh
      // when the import is removed later.
      `CREATE TABLE metric_import_extents (
         import_id INTEGER PRIMARY KEY,
         table_name VARCHAR NOT NULL,
         lo TIMESTAMPTZ,
         hi TIMESTAMPTZ)`,
      // PostgreSQL reads a range's days through an index (a scan would read every day of every
      // year); DuckDB skips row groups by their min/max and would keep an index in memory.
      ...(d.name === 'postgres'
        ? [
            `CREATE INDEX metric_days_range ON metric_days (fingerprint, day)`,
            `CREATE INDEX metric_day_patients_range ON metric_day_patients (fingerprint, day)`,
          ]
        : []),
    ],
  },
  {
    version: 10,
    name: 'an import can be removed: the entry that removed it',
    // `removed_by` is the id of the `imports` entry (format 'removal') that removed this import's
    // rows; the removal is an entry of its own, so that every change of the data takes a new,
    // larger import id (the data version of the caches).
    up: () => [`ALTER TABLE imports ADD COLUMN removed_by INTEGER`],
  },
  {
    version: 11,
    name: 'a tool names the metric it is meant to move (and which way)',
    // `src/analysis/tools.ts`: one of the per-clinician metrics evaluations take, and
    // 'decrease' or 'increase'; NULL when the definition names none. The go-live page opens on it.
    up: () => [
      `ALTER TABLE tools ADD COLUMN target_metric VARCHAR`,
      `ALTER TABLE tools ADD COLUMN target_direction VARCHAR`,
    ],
  },
  {
    version: 12,
    name: 'the buy-in program: goals and their votes and comments; feedback, its history, votes, subscriptions; notices',
    // The columns are those of the zod row schemas in src/model/goal.ts and src/model/feedback.ts
    // (a test compares them on both engines); written out here because a migration is history and
    // must not change when a schema does. Small tables of the web app: coordinator-local on Citus.
    up: (d) => [
      `CREATE TABLE goals (
         id VARCHAR PRIMARY KEY,
         created_at TIMESTAMPTZ NOT NULL,
         proposer VARCHAR NOT NULL,
         title VARCHAR NOT NULL,
         rationale VARCHAR NOT NULL,
         metric VARCHAR NOT NULL,
         tool VARCHAR,
         metric_options VARCHAR NOT NULL,
         group_by VARCHAR NOT NULL,
         group_value VARCHAR NOT NULL,
         direction VARCHAR NOT NULL,
         target ${d.double} NOT NULL,
         target_date DATE NOT NULL,
         baseline_weeks INTEGER NOT NULL,
         window_days INTEGER NOT NULL,
         min_votes INTEGER NOT NULL,
         closes_at TIMESTAMPTZ NOT NULL,
         state VARCHAR NOT NULL,
         decided_at TIMESTAMPTZ,
         support INTEGER,
         oppose INTEGER,
         abstain INTEGER,
         group_size INTEGER,
         withdrawn_at TIMESTAMPTZ,
         withdrawn_by VARCHAR,
         baseline ${d.double},
         baseline_low ${d.double},
         baseline_high ${d.double},
         noise ${d.double},
         baseline_n INTEGER)`,
      // One row per person and goal while the vote is open: `voter` is a keyed hash of the goal and
      // the account (src/program/voterToken.ts), never the account; no time is kept. The rows are
      // deleted when the vote is settled (the goal keeps the counts).
      `CREATE TABLE goal_votes (
         goal_id VARCHAR NOT NULL,
         voter VARCHAR NOT NULL,
         choice VARCHAR NOT NULL,
         PRIMARY KEY (goal_id, voter))`,
      `CREATE TABLE goal_comments (
         id VARCHAR PRIMARY KEY,
         goal_id VARCHAR NOT NULL,
         created_at TIMESTAMPTZ NOT NULL,
         author VARCHAR NOT NULL,
         text VARCHAR NOT NULL)`,
      `CREATE TABLE feedback_items (
         id VARCHAR PRIMARY KEY,
         created_at TIMESTAMPTZ NOT NULL,
         author VARCHAR NOT NULL,
         unit VARCHAR,
         kind VARCHAR NOT NULL,
         text VARCHAR NOT NULL,
         visibility VARCHAR NOT NULL,
         state VARCHAR NOT NULL,
         priority VARCHAR,
         assignee VARCHAR,
         duplicate_of VARCHAR,
         link_tool VARCHAR,
         link_golive_by VARCHAR,
         link_golive_value VARCHAR,
         link_page VARCHAR,
         link_department VARCHAR,
         link_metric VARCHAR,
         rating VARCHAR,
         updated_at TIMESTAMPTZ NOT NULL,
         last_seq INTEGER NOT NULL)`,
      // The history: appended, never updated; (item_id, seq) orders it and refuses a second
      // writer of the same step.
      `CREATE TABLE feedback_events (
         item_id VARCHAR NOT NULL,
         seq INTEGER NOT NULL,
         occurred_at TIMESTAMPTZ NOT NULL,
         actor VARCHAR NOT NULL,
         kind VARCHAR NOT NULL,
         from_state VARCHAR,
         to_state VARCHAR,
         priority VARCHAR,
         assignee VARCHAR,
         note VARCHAR,
         public BOOLEAN NOT NULL,
         related VARCHAR,
         rating VARCHAR,
         PRIMARY KEY (item_id, seq))`,
      `CREATE TABLE feedback_votes (
         item_id VARCHAR NOT NULL,
         username VARCHAR NOT NULL,
         created_at TIMESTAMPTZ NOT NULL,
         PRIMARY KEY (item_id, username))`,
      `CREATE TABLE feedback_subscriptions (
         item_id VARCHAR NOT NULL,
         username VARCHAR NOT NULL,
         created_at TIMESTAMPTZ NOT NULL,
         PRIMARY KEY (item_id, username))`,
      `CREATE TABLE notices (
         id VARCHAR PRIMARY KEY,
         username VARCHAR NOT NULL,
         kind VARCHAR NOT NULL,
         ref VARCHAR NOT NULL,
         event_seq INTEGER,
         created_at TIMESTAMPTZ NOT NULL,
         read_at TIMESTAMPTZ)`,
    ],
  },
  {
    version: 13,
    name: 'surveys: their items, invitations, the contact budget, responses and answers',
    // The columns are those of the zod row schemas of src/model/survey.ts (a test compares them on
    // both engines). Small tables of the web app: coordinator-local on Citus (docs/scale-out.md).
    // No table of an anonymous survey holds an account: invitations keep a keyed hash of (survey,
    // account), responses their groups only.
    up: (d) => [
      `CREATE TABLE surveys (
         id VARCHAR PRIMARY KEY,
         created_at TIMESTAMPTZ NOT NULL,
         created_by VARCHAR NOT NULL,
         title VARCHAR NOT NULL,
         instrument VARCHAR NOT NULL,
         subject VARCHAR,
         target_groups VARCHAR NOT NULL,
         golive_tool VARCHAR,
         golive_by VARCHAR,
         golive_value VARCHAR,
         phase VARCHAR,
         anonymous BOOLEAN NOT NULL,
         state VARCHAR NOT NULL,
         opened_at TIMESTAMPTZ,
         closed_at TIMESTAMPTZ)`,
      `CREATE TABLE survey_items (
         survey_id VARCHAR NOT NULL,
         position INTEGER NOT NULL,
         link_id VARCHAR NOT NULL,
         type VARCHAR NOT NULL,
         text VARCHAR NOT NULL,
         choices VARCHAR,
         PRIMARY KEY (survey_id, link_id))`,
      `CREATE TABLE survey_invitations (
         survey_id VARCHAR NOT NULL,
         invitee VARCHAR NOT NULL,
         invited_at TIMESTAMPTZ NOT NULL,
         state VARCHAR NOT NULL,
         dismissed INTEGER NOT NULL,
         department VARCHAR,
         specialty VARCHAR,
         role VARCHAR,
         PRIMARY KEY (survey_id, invitee))`,
      `CREATE TABLE survey_contacts (
         username VARCHAR PRIMARY KEY,
         last_invited_at TIMESTAMPTZ NOT NULL)`,
      `CREATE TABLE survey_responses (
         id VARCHAR PRIMARY KEY,
         survey_id VARCHAR NOT NULL,
         submitted_at TIMESTAMPTZ NOT NULL,
         respondent VARCHAR,
         department VARCHAR,
         specialty VARCHAR,
         role VARCHAR,
         source VARCHAR NOT NULL,
         external_key VARCHAR,
         import_id INTEGER)`,
      `CREATE INDEX survey_responses_survey ON survey_responses (survey_id)`,
      `CREATE TABLE survey_answers (
         response_id VARCHAR NOT NULL,
         link_id VARCHAR NOT NULL,
         value_number ${d.double},
         value_text VARCHAR,
         PRIMARY KEY (response_id, link_id))`,
    ],
  },
  {
    version: 14,
    name: 'champion invitations: a suggested clinician is invited and becomes a champion only by accepting',
    // One row per invitation (program.md §4): the roster clinician, the department they would
    // champion, who invited them and when, the evidence shown (text), and their answer. The
    // columns are those of `invitationSchema` (src/model/champions.ts). A small table of the web
    // app: coordinator-local on Citus.
    up: () => [
      `CREATE TABLE champion_invitations (
         id VARCHAR PRIMARY KEY,
         user_id VARCHAR NOT NULL,
         department VARCHAR NOT NULL,
         invited_by VARCHAR NOT NULL,
         invited_at TIMESTAMPTZ NOT NULL,
         state VARCHAR NOT NULL,
         decided_at TIMESTAMPTZ,
         reason VARCHAR NOT NULL)`,
    ],
  },
  {
    version: 15,
    name: 'the patient side of engagement: patient events, portal accounts, secure messages and releases',
    // engagement.md §1, in the columns of the schemas of src/model/patientSide.ts (patient_events
    // adds `source`'s default, as events do). Identifiers of patients, resources and messages
    // are keyed pseudonyms. No primary keys: imports de-duplicate with anti-joins (as events), and
    // on Citus the distribution column (patient_id) must be in every unique constraint.
    up: () => [
      `CREATE TABLE patient_events (
         event_id VARCHAR NOT NULL,
         source VARCHAR NOT NULL,
         occurred_at TIMESTAMPTZ NOT NULL,
         patient_id VARCHAR NOT NULL,
         action VARCHAR NOT NULL,
         clinician_id VARCHAR,
         encounter_id VARCHAR,
         resource_id VARCHAR,
         channel VARCHAR,
         actor VARCHAR,
         import_id INTEGER)`,
      `CREATE TABLE patient_accounts (
         patient_id VARCHAR NOT NULL,
         activated_at TIMESTAMPTZ NOT NULL,
         deactivated_at TIMESTAMPTZ,
         import_id INTEGER)`,
      `CREATE TABLE messages (
         message_id VARCHAR NOT NULL,
         sent_at TIMESTAMPTZ NOT NULL,
         patient_id VARCHAR NOT NULL,
         clinician_id VARCHAR NOT NULL,
         direction VARCHAR NOT NULL,
         in_reply_to VARCHAR,
         encounter_id VARCHAR,
         import_id INTEGER)`,
      `CREATE TABLE releases (
         resource_id VARCHAR NOT NULL,
         patient_id VARCHAR NOT NULL,
         kind VARCHAR NOT NULL,
         available_at TIMESTAMPTZ NOT NULL,
         clinician_id VARCHAR,
         encounter_id VARCHAR,
         import_id INTEGER)`,
    ],
  },
  {
    version: 16,
    name: 'a goal may target a survey score: the survey it reads',
    // program.md §1: a goal's metric may be a survey score of §3 (survey.sus, survey.nps,
    // survey.net); the survey's id, NULL for the other metrics. The last column of
    // `goalRowSchema` (src/model/goal.ts).
    up: () => [`ALTER TABLE goals ADD COLUMN survey VARCHAR`],
  },
  {
    version: 17,
    name: "follow-ups a physician writes for a visit, their templates and the patient's questions",
    // engagement.md §3, the columns of src/model/followup.ts. The text is PHI (its author, the
    // patient by link, administrators). `patient_id` is the visit's pseudonym; `resource_id` is
    // the pseudonym of what the patient reads (the FHIR Communication, or Uptake's own page), the
    // key of the `releases` row and of `patient_events` view/acknowledge. Small tables of the web
    // app: coordinator-local on Citus (docs/scale-out.md).
    up: (d) => [
      `CREATE TABLE followups (
         id VARCHAR PRIMARY KEY,
         author VARCHAR NOT NULL,
         written_by VARCHAR NOT NULL,
         appointment_id VARCHAR NOT NULL,
         visit_start TIMESTAMPTZ NOT NULL,
         visit_type VARCHAR NOT NULL,
         patient_id VARCHAR NOT NULL,
         resource_id VARCHAR NOT NULL,
         written_at TIMESTAMPTZ NOT NULL,
         title VARCHAR NOT NULL,
         text VARCHAR NOT NULL,
         items VARCHAR NOT NULL,
         template VARCHAR,
         reading_grade ${d.double},
         delivered_at TIMESTAMPTZ,
         fhir_state VARCHAR NOT NULL,
         fhir_detail VARCHAR,
         link_expires_at TIMESTAMPTZ NOT NULL)`,
      `CREATE TABLE followup_questions (
         id VARCHAR PRIMARY KEY,
         followup_id VARCHAR NOT NULL,
         asked_at TIMESTAMPTZ NOT NULL,
         text VARCHAR NOT NULL,
         message_id VARCHAR NOT NULL,
         answer VARCHAR,
         answered_at TIMESTAMPTZ)`,
      `CREATE TABLE followup_templates (
         id VARCHAR PRIMARY KEY,
         owner VARCHAR NOT NULL,
         name VARCHAR NOT NULL,
         title VARCHAR NOT NULL,
         text VARCHAR NOT NULL,
         items VARCHAR NOT NULL,
         created_at TIMESTAMPTZ NOT NULL)`,
    ],
  },
];

/** The schema version this build of Uptake expects. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
