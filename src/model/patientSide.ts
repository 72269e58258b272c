/**
 * The patient side of engagement (`shared/spec/engagement.md` §1, issue #15): four import tables
 * as zod schemas, in the columns of their canonical CSV (required ones first). Their
 * `CSV_COLUMNS` entries (`canonical.ts`) are derived from these schemas, so the schema is the
 * one contract of each table; the importer (`src/ingest/tableSpecs.ts`) and the DDL (migration 15)
 * have the same columns, which a test checks.
 *
 * `patient_id`, `resource_id`, `message_id` and `in_reply_to` are pseudonymized at import and
 * never stored raw (`docs/formats.md`, privacy at import); the schemas describe the canonical
 * (raw) file, as the other tables' schemas do.
 */
import { z } from 'zod';
import { id, instant } from './fields.ts';
import { MESSAGE_DIRECTIONS, PATIENT_ACTIONS, PATIENT_ACTORS, RELEASE_KINDS } from './constants.ts';

export { MESSAGE_DIRECTIONS, PATIENT_ACTIONS, PATIENT_ACTORS, RELEASE_KINDS };
export type PatientAction = (typeof PATIENT_ACTIONS)[number];
export type PatientActor = (typeof PATIENT_ACTORS)[number];
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];
export type ReleaseKind = (typeof RELEASE_KINDS)[number];

/** One action of a patient (or a proxy) in a portal or patient app. */
export const patientEventSchema = z.object({
  event_id: id,
  occurred_at: instant,
  patient_id: id,
  action: z.enum(PATIENT_ACTIONS),
  /** The clinician whose content the action concerns (a result they ordered, their note). */
  clinician_id: z.string().optional(),
  encounter_id: z.string().optional(),
  /** What was acted on: joins `releases.resource_id` (a result viewed, a follow-up read). */
  resource_id: z.string().optional(),
  channel: z.string().optional(),
  actor: z.enum(PATIENT_ACTORS).optional(),
  source: z.string().optional(),
});
export type PatientEventRow = z.infer<typeof patientEventSchema>;

/** One patient's portal account. */
export const patientAccountSchema = z.object({
  patient_id: id,
  activated_at: instant,
  deactivated_at: instant.optional(),
});
export type PatientAccountRow = z.infer<typeof patientAccountSchema>;

/** One secure message between a patient and a clinician. */
export const messageSchema = z.object({
  message_id: id,
  sent_at: instant,
  patient_id: id,
  clinician_id: id,
  direction: z.enum(MESSAGE_DIRECTIONS),
  /** The `message_id` this message answers. */
  in_reply_to: z.string().optional(),
  encounter_id: z.string().optional(),
});
export type MessageRow = z.infer<typeof messageSchema>;

/** One piece of information made available to the patient. */
export const releaseSchema = z.object({
  resource_id: id,
  patient_id: id,
  kind: z.enum(RELEASE_KINDS),
  available_at: instant,
  clinician_id: z.string().optional(),
  /** The visit it belongs to: equals that appointment's `schedule.appointment_id`. */
  encounter_id: z.string().optional(),
});
export type ReleaseRow = z.infer<typeof releaseSchema>;

/** The schema of each patient-side table. */
export const PATIENT_SCHEMAS = {
  patient_events: patientEventSchema,
  patient_accounts: patientAccountSchema,
  messages: messageSchema,
  releases: releaseSchema,
} as const;

/** The columns of a table's canonical CSV from its schema: required ones, then optional ones. */
export function csvColumnsOf(schema: z.ZodObject<Record<string, z.ZodType>>): {
  required: readonly string[];
  optional: readonly string[];
} {
  const keys = Object.keys(schema.shape);
  const optional = keys.filter((k) => schema.shape[k]!.safeParse(undefined).success);
  return { required: keys.filter((k) => !optional.includes(k)), optional };
}
