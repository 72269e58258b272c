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
];

/** The schema version this build of Uptake expects. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
