/**
 * The Citus scale-out layout: the event, schedule and order tables are distributed by `user_id`
 * and co-located, so each clinician's sessionization (the one sort of the metric SQL, partitioned
 * by user) runs on the node that holds that clinician's rows; the roster and the small
 * definitions (tools, their rules, go-lives, action names) are reference tables, copied to every
 * node, so group reports and adoption join locally. The patient side (engagement.md §1) is
 * distributed by `patient_id`, co-located with itself. See docs/scale-out.md.
 */
import { UptakeError } from '../errors/UptakeError.ts';
import type { Sql } from './Store.ts';

/** The statements that distribute the tables (run once, after the migrations). */
export const CITUS_LAYOUT: readonly { table: string; sql: string }[] = [
  { table: 'clinicians', sql: `SELECT create_reference_table('clinicians')` },
  { table: 'events', sql: `SELECT create_distributed_table('events', 'user_id')` },
  {
    table: 'schedule',
    sql: `SELECT create_distributed_table('schedule', 'user_id', colocate_with => 'events')`,
  },
  {
    table: 'orders',
    sql: `SELECT create_distributed_table('orders', 'user_id', colocate_with => 'events')`,
  },
  // Adoption joins each clinician's training and uses: with the events, by user_id.
  {
    table: 'training',
    sql: `SELECT create_distributed_table('training', 'user_id', colocate_with => 'events')`,
  },
  // The day table (metric_days, metric_day_patients): filled from each clinician's events, read
  // per clinician: with the events, by user_id. Its bookkeeping is small and joined everywhere.
  {
    table: 'metric_days',
    sql: `SELECT create_distributed_table('metric_days', 'user_id', colocate_with => 'events')`,
  },
  {
    table: 'metric_day_patients',
    sql: `SELECT create_distributed_table('metric_day_patients', 'user_id', colocate_with => 'events')`,
  },
  { table: 'metric_day_sets', sql: `SELECT create_reference_table('metric_day_sets')` },
  {
    table: 'metric_import_extents',
    sql: `SELECT create_reference_table('metric_import_extents')`,
  },
  // Small definitions that adoption, evaluation and imports join with events on every node.
  { table: 'tools', sql: `SELECT create_reference_table('tools')` },
  { table: 'tool_rules', sql: `SELECT create_reference_table('tool_rules')` },
  { table: 'golives', sql: `SELECT create_reference_table('golives')` },
  { table: 'action_names', sql: `SELECT create_reference_table('action_names')` },
  // Identifier → roster clinician: joined by every import that resolves a clinician reference.
  { table: 'clinician_identifiers', sql: `SELECT create_reference_table('clinician_identifiers')` },
  // The patient side (engagement.md §1): distributed by patient_id and co-located with each
  // other, not with the events. patient_id is the one column all four have and always fill
  // (clinician_id is optional, and a distribution column may not be NULL); and the measures
  // work per patient first — a patient's actions, messages, results and the views of them, and
  // their account — before meeting a clinician's seen patients, a few per clinic day.
  {
    table: 'patient_events',
    sql: `SELECT create_distributed_table('patient_events', 'patient_id', colocate_with => 'none')`,
  },
  {
    table: 'messages',
    sql: `SELECT create_distributed_table('messages', 'patient_id', colocate_with => 'patient_events')`,
  },
  {
    table: 'releases',
    sql: `SELECT create_distributed_table('releases', 'patient_id', colocate_with => 'patient_events')`,
  },
  {
    table: 'patient_accounts',
    sql: `SELECT create_distributed_table('patient_accounts', 'patient_id', colocate_with => 'patient_events')`,
  },
];

/** Apply the Citus layout to the tables not yet distributed; refuses without the extension. */
export async function applyCitusLayout(db: Sql): Promise<string[]> {
  const ext = await db.all(`SELECT 1 FROM pg_extension WHERE extname = 'citus'`);
  if (!ext.length) {
    throw new UptakeError(
      'INVALID_INPUT',
      '--citus: the citus extension is not installed in this database; run CREATE EXTENSION citus as a superuser first',
    );
  }
  const done = new Set(
    (
      await db.all<{ t: string }>(`SELECT logicalrelid::regclass::text AS t FROM pg_dist_partition`)
    ).map((r) => r.t),
  );
  const applied: string[] = [];
  for (const step of CITUS_LAYOUT) {
    if (done.has(step.table)) continue;
    await db.run(step.sql);
    applied.push(step.table);
  }
  return applied;
}
