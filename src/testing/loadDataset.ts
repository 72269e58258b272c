/**
 * Loads small in-memory canonical rows straight into a store (no pseudonymization): for tests
 * and hand-computed cases, where rows are few and the CSV path is tested separately.
 */
import type { ClinicianRow, EventRow, OrderRow, ScheduleRow } from '../model/canonical.ts';
import type { Store, SqlValue } from '../store/Store.ts';

export interface DatasetRows {
  events: EventRow[];
  clinicians?: ClinicianRow[] | undefined;
  schedule?: ScheduleRow[] | undefined;
  orders?: OrderRow[] | undefined;
}

async function insert(
  store: Store,
  table: string,
  cols: string[],
  types: Record<string, string>,
  rows: SqlValue[][],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200);
    let n = 0;
    const values = chunk
      .map(
        (r) =>
          `(${r.map((_, j) => `CAST($${++n} AS ${types[cols[j] ?? ''] ?? 'VARCHAR'})`).join(', ')})`,
      )
      .join(', ');
    await store.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${values}`, chunk.flat());
  }
}

/** Insert `data` into the canonical tables of `store`. */
export async function loadDataset(store: Store, data: DatasetRows): Promise<void> {
  const ts = {
    occurred_at: 'TIMESTAMPTZ',
    start_at: 'TIMESTAMPTZ',
    end_at: 'TIMESTAMPTZ',
    signed_at: 'TIMESTAMPTZ',
    fte: store.dialect.double,
    seq: 'BIGINT',
  };
  await insert(
    store,
    'events',
    [
      'event_id',
      'source',
      'occurred_at',
      'user_id',
      'action',
      'category',
      'patient_id',
      'encounter_id',
      'channel',
      'workstation_id',
      'seq',
    ],
    ts,
    data.events.map((e) => [
      e.event_id,
      e.source ?? 'csv',
      e.occurred_at,
      e.user_id,
      e.action,
      e.category ?? 'other',
      e.patient_id ?? null,
      e.encounter_id ?? null,
      e.channel ?? 'desktop',
      e.workstation_id ?? null,
      e.seq ?? null,
    ]),
  );
  await insert(
    store,
    'clinicians',
    ['user_id', 'role', 'name', 'specialty', 'department', 'fte', 'timezone'],
    ts,
    (data.clinicians ?? []).map((c) => [
      c.user_id,
      c.role,
      c.name ?? null,
      c.specialty ?? null,
      c.department ?? null,
      c.fte ?? null,
      c.timezone ?? null,
    ]),
  );
  await insert(
    store,
    'schedule',
    [
      'user_id',
      'kind',
      'start_at',
      'end_at',
      'status',
      'visit_type',
      'patient_id',
      'appointment_id',
    ],
    ts,
    (data.schedule ?? []).map((s) => [
      s.user_id,
      s.kind,
      s.start,
      s.end,
      s.status ?? 'booked',
      s.visit_type ?? 'in-person',
      s.patient_id ?? null,
      s.appointment_id ?? '',
    ]),
  );
  await insert(
    store,
    'orders',
    ['order_id', 'user_id', 'signed_at', 'entered_by', 'order_type', 'patient_id'],
    ts,
    (data.orders ?? []).map((o) => [
      o.order_id,
      o.user_id,
      o.signed_at,
      o.entered_by ?? null,
      o.order_type ?? 'other',
      o.patient_id ?? null,
    ]),
  );
}
