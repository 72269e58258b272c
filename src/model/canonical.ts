/**
 * The canonical tables of `docs/metrics.md`: what every import format is turned into,
 * and what every metric reads. Instants are ISO 8601 strings with an offset or `Z` at the edges
 * and TIMESTAMPTZ (stored in UTC) in the store.
 */
import { z } from 'zod';
import { id, instant } from './fields.ts';
import {
  CHANNELS,
  FILE_IMPORT_TABLES,
  IMPORT_TABLES,
  INSTANT_WITH_OFFSET,
  PATIENT_TABLES,
  TABLES,
} from './constants.ts';
import { csvColumnsOf, PATIENT_SCHEMAS } from './patientSide.ts';

export { CHANNELS, FILE_IMPORT_TABLES, IMPORT_TABLES, INSTANT_WITH_OFFSET, PATIENT_TABLES, TABLES };
export * from './patientSide.ts';

export const CATEGORIES = [
  'notes',
  'orders',
  'prescriptions',
  'inbox',
  'chart_review',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export type Channel = (typeof CHANNELS)[number];

export const APPOINTMENT_STATUSES = [
  'booked',
  'arrived',
  'fulfilled',
  'noshow',
  'cancelled',
  'entered-in-error',
] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export const VISIT_TYPES = ['in-person', 'video', 'phone'] as const;
export type VisitType = (typeof VISIT_TYPES)[number];

export const SCHEDULE_KINDS = ['session', 'appointment'] as const;
export const ORDER_TYPES = ['medication', 'other'] as const;

export const eventSchema = z.object({
  event_id: id,
  occurred_at: instant,
  user_id: id,
  action: id,
  category: z.enum(CATEGORIES).optional(),
  patient_id: z.string().optional(),
  encounter_id: z.string().optional(),
  channel: z.enum(CHANNELS).optional(),
  workstation_id: z.string().optional(),
  source: z.string().optional(),
  /**
   * The event's position in its source's own log (an Epic export: its line number), where the
   * source has an order of its own; it orders events of one user at the same instant (metrics.md §3).
   */
  seq: z.number().int().nonnegative().optional(),
});
export type EventRow = z.infer<typeof eventSchema>;

export const clinicianSchema = z.object({
  user_id: id,
  role: id,
  name: z.string().optional(),
  specialty: z.string().optional(),
  department: z.string().optional(),
  fte: z.number().positive().max(2).optional(),
  timezone: z.string().optional(),
});
export type ClinicianRow = z.infer<typeof clinicianSchema>;

export const scheduleSchema = z.object({
  user_id: id,
  kind: z.enum(SCHEDULE_KINDS),
  start: instant,
  end: instant,
  status: z.enum(APPOINTMENT_STATUSES).optional(),
  visit_type: z.enum(VISIT_TYPES).optional(),
  patient_id: z.string().optional(),
  appointment_id: z.string().optional(),
});
export type ScheduleRow = z.infer<typeof scheduleSchema>;

export const orderSchema = z.object({
  order_id: id,
  user_id: id,
  signed_at: instant,
  entered_by: z.string().optional(),
  order_type: z.enum(ORDER_TYPES).optional(),
  patient_id: z.string().optional(),
});
export type OrderRow = z.infer<typeof orderSchema>;

/** The four canonical tables, as named on the CLI (`uptake import <table>`). */
export type TableName = (typeof TABLES)[number];

/**
 * Training completions (issue #5): one row per (user, course, completion instant), imported with
 * the same guarantees as the canonical tables; read by adoption (`src/analysis`), not by metrics.
 */
export const trainingSchema = z.object({
  user_id: id,
  course: id,
  completed_at: instant,
  hours: z.number().nonnegative().optional(),
  source: z.string().optional(),
});
export type TrainingRow = z.infer<typeof trainingSchema>;

/** The patient side of engagement (engagement.md §1). */
export type PatientTable = (typeof PATIENT_TABLES)[number];

/** The tables `uptake import` and the upload fill. */
export type FileImportTable = (typeof FILE_IMPORT_TABLES)[number];

/** Every table an import can fill: the canonical tables, training records and the patient side. */
export type ImportTable = (typeof IMPORT_TABLES)[number];

/** Columns of each canonical CSV file (`docs/formats.md`), required ones first. */
export const CSV_COLUMNS: Record<
  ImportTable,
  { required: readonly string[]; optional: readonly string[] }
> = {
  events: {
    required: ['event_id', 'occurred_at', 'user_id', 'action'],
    optional: [
      'category',
      'patient_id',
      'encounter_id',
      'channel',
      'workstation_id',
      'source',
      'seq',
    ],
  },
  clinicians: {
    required: ['user_id', 'role'],
    optional: ['name', 'specialty', 'department', 'fte', 'timezone'],
  },
  schedule: {
    required: ['user_id', 'kind', 'start', 'end'],
    optional: ['status', 'visit_type', 'patient_id', 'appointment_id'],
  },
  orders: {
    required: ['order_id', 'user_id', 'signed_at'],
    optional: ['entered_by', 'order_type', 'patient_id'],
  },
  training: {
    required: ['user_id', 'course', 'completed_at'],
    optional: ['hours', 'source'],
  },
  // The patient side: from the schemas of `patientSide.ts`, its one contract.
  patient_events: csvColumnsOf(PATIENT_SCHEMAS.patient_events),
  patient_accounts: csvColumnsOf(PATIENT_SCHEMAS.patient_accounts),
  messages: csvColumnsOf(PATIENT_SCHEMAS.messages),
  releases: csvColumnsOf(PATIENT_SCHEMAS.releases),
};
