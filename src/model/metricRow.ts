/** One row of per-clinician metrics (`docs/metrics.md`), named as the JSON contract. */
export interface ClinicianMetricRow {
  user_id: string;
  period_start: string;
  period_end: string;
  ehr_hours: number;
  notes_hours: number;
  orders_hours: number;
  prescriptions_hours: number;
  inbox_hours: number;
  chart_review_hours: number;
  other_hours: number;
  scheduled_hours: number;
  appointments: number;
  wow_hours: number;
  after_hours_hours: number;
  unscheduled_day_hours: number;
  visit_ehr_hours: number;
  ehr_time8: number | null;
  wow8: number | null;
  note_time8: number | null;
  pres_time8: number | null;
  ib_time8: number | null;
  teamwork_orders: number | null;
  undivided_attention: number | null;
  ehr_minutes_per_appointment: number | null;
  events: number;
  active_days: number;
  patients: number;
}

/** The per-8-hour metrics that groups summarise with median and quartiles (§7). */
export const PER8_METRICS = ['ehr_time8', 'wow8', 'note_time8', 'pres_time8', 'ib_time8'] as const;
export type Per8Metric = (typeof PER8_METRICS)[number];

/** Field order of a clinician row, for CSV and tables. */
export const CLINICIAN_FIELDS: readonly (keyof ClinicianMetricRow)[] = [
  'user_id',
  'period_start',
  'period_end',
  'ehr_hours',
  'notes_hours',
  'orders_hours',
  'prescriptions_hours',
  'inbox_hours',
  'chart_review_hours',
  'other_hours',
  'scheduled_hours',
  'appointments',
  'wow_hours',
  'after_hours_hours',
  'unscheduled_day_hours',
  'visit_ehr_hours',
  'ehr_time8',
  'wow8',
  'note_time8',
  'pres_time8',
  'ib_time8',
  'teamwork_orders',
  'undivided_attention',
  'ehr_minutes_per_appointment',
  'events',
  'active_days',
  'patients',
];

/**
 * The numeric fields of a clinician row: the per-clinician metrics an evaluation takes, and the
 * ones a tool may name as the metric it is meant to move.
 */
export const CLINICIAN_METRICS = CLINICIAN_FIELDS.filter(
  (f) => f !== 'user_id' && f !== 'period_start' && f !== 'period_end',
) as readonly Exclude<keyof ClinicianMetricRow, 'user_id' | 'period_start' | 'period_end'>[];
