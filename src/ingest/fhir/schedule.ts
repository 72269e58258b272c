/**
 * Schedule + Slot → sessions and Appointment → appointments, in `schedule`
 * (`docs/formats.md`).
 *
 * Sessions: each Slot of status `busy`, `busy-tentative` or `free` is clinic time of every
 * practitioner actor (Practitioner, or PractitionerRole) of its Schedule, which must be among the
 * files; `busy-unavailable` (blocked) and `entered-in-error` slots are not clinic time and are only
 * counted in the report's notes. Appointments: one row per practitioner participant that has not
 * declined, with `start`, `end` (else `start` + `minutesDuration`), the status mapped to the
 * canonical ones (proposed, pending, booked → booked; arrived, checked-in → arrived; fulfilled,
 * noshow, cancelled, entered-in-error as they are), `visit_type` video or phone when
 * `appointmentType` or `serviceType` says so, the patient participant, and `appointment_id` = `id`.
 * A waitlisted appointment has no place on the schedule yet: it is counted in the notes, not stored.
 *
 * Users are resolved as AuditEvent agents are (`identities.ts`: the roster key of the practitioner
 * a reference names in any FHIR form, else `identifier.value`, else the reference). A
 * PractitionerRole actor or participant stands for its practitioner when the PractitionerRole is
 * among the files (it may be given with them) or was imported with the roster, else for itself
 * (`PractitionerRole/<id>`). A patient is never a user: a patient actor is no clinician, and the
 * Patient participant (in any form) is the appointment's patient, pseudonymized.
 */
import type { StagingArea } from '../../store/Store.ts';
import { I, resolveRefs } from './identities.ts';
import { F } from './read.ts';
import { contentHash, dateTime, REFERENCE, refKey, transform } from './sql.ts';

const SCHEDULE = { id: 'VARCHAR', actor: [REFERENCE] };
const SLOT = {
  id: 'VARCHAR',
  schedule: REFERENCE,
  status: 'VARCHAR',
  start: 'VARCHAR',
  end: 'VARCHAR',
};
const APPOINTMENT = {
  id: 'VARCHAR',
  status: 'VARCHAR',
  start: 'VARCHAR',
  end: 'VARCHAR',
  minutesDuration: 'BIGINT',
  participant: [{ actor: REFERENCE, status: 'VARCHAR' }],
};

/** Slot statuses that are clinic time, and those that are not. */
const CLINIC = `('busy', 'busy-tentative', 'free')`;
const NOT_CLINIC = `('busy-unavailable', 'entered-in-error')`;

/** SQL: a resolved reference `x` names a clinician (a Practitioner, or a PractitionerRole). */
const isClinician = (x: string) =>
  `(${x}.ty IN ('Practitioner', 'PractitionerRole') AND NOT ${x}.is_patient AND ${x}.uid IS NOT NULL)`;

/** SQL: the canonical status of an Appointment status. */
function status(s: string): string {
  return `CASE lower(${s}) WHEN 'proposed' THEN 'booked' WHEN 'pending' THEN 'booked' WHEN 'booked' THEN 'booked'
    WHEN 'arrived' THEN 'arrived' WHEN 'checked-in' THEN 'arrived' ELSE nullif(${s}, '') END`;
}

/** Staging tables of the schedule mapping. */
const SC = 'imp_fhir_sc';
const SL = 'imp_fhir_sl';
const AP = 'imp_fhir_ap';
const SCHED = 'imp_fhir_sched';
export const SCHEDULE_TABLES = [SC, SL, AP, SCHED];

export async function mapSchedule(st: StagingArea): Promise<void> {
  const rows = (table: string, type: string, structure: object) =>
    st.run(
      `CREATE TEMP TABLE ${table} AS
       SELECT rec_id, file_no, coalesce(res, raw) AS txt, ${transform('coalesce(res, raw)', structure)} AS s
       FROM ${F.rec} WHERE base_reason IS NULL AND rtype = '${type}'`,
    );
  await rows(SC, 'Schedule', SCHEDULE);
  await rows(SL, 'Slot', SLOT);
  await rows(AP, 'Appointment', APPOINTMENT);
  const actors = `SELECT rec_id, file_no, unnest(s.actor) AS a FROM ${SC}`;
  const parts = `SELECT rec_id, file_no, unnest(s.participant) AS p, generate_subscripts(s.participant, 1) AS i FROM ${AP}`;
  await resolveRefs(
    st,
    `SELECT file_no, rec_id, a AS r FROM (${actors})
     UNION ALL SELECT file_no, rec_id, s.schedule FROM ${SL}
     UNION ALL SELECT file_no, rec_id, p.actor FROM (${parts})`,
    I.refs,
  );
  const ref = (alias: string, r: string, on: string) =>
    `LEFT JOIN ${I.refs} ${alias} ON ${alias}.k = ${refKey(r, `${on}.file_no`, `${on}.rec_id`)}`;
  // Each schedule's practitioners (a PractitionerRole stands for its practitioner when its
  // identity is known), by the Schedule's `Type/id` and by its record (for fullUrl references).
  await st.run(
    `CREATE TEMP TABLE ${SCHED} AS
     SELECT 'r' || sc.rec_id AS pk, 'Schedule/' || nullif(sc.s.id, '') AS ref, a.uid
     FROM ${SC} sc LEFT JOIN (
       SELECT n.rec_id, x.uid FROM (${actors}) n ${ref('x', 'n.a', 'n')} WHERE ${isClinician('x')}) a
     ON a.rec_id = sc.rec_id`,
  );
  // Sessions from slots.
  await st.run(
    `INSERT INTO ${F.map} (rec_id, user_id, kind, start, "end", status, visit_type, patient_id, appointment_id, fhir_reason, skip)
     WITH l AS (
       SELECT l.*, x.is_patient, coalesce(x.norm, nullif(l.s.schedule.reference, '')) AS sref,
         coalesce(x.tpk, (SELECT any_value(pk) FROM ${SCHED} d WHERE d.ref = x.norm)) AS spk
       FROM ${SL} l ${ref('x', 'l.s.schedule', 'l')})
     SELECT l.rec_id, sc.uid, 'session', ${dateTime('l.s.start')}, ${dateTime(`struct_extract(l.s, 'end')`)}, NULL, NULL, NULL, NULL,
       CASE WHEN l.is_patient THEN 'the Slot''s schedule is a patient, not a Schedule'
         WHEN l.sref IS NULL THEN 'the Slot has no schedule reference'
         WHEN l.spk IS NULL OR NOT EXISTS (SELECT 1 FROM ${SCHED} x WHERE x.pk = l.spk)
           THEN 'its Schedule (' || l.sref || ') is not among the files: import the Schedule resources together with their Slots'
         WHEN sc.uid IS NULL THEN 'its ' || l.sref || ' has no Practitioner or PractitionerRole actor, so the session is nobody''s'
         WHEN l.s.status IS NULL THEN 'the Slot has no status'
         WHEN l.s.status NOT IN ${CLINIC} THEN 'Slot status "' || l.s.status || '" is not one of busy, free, busy-tentative, busy-unavailable, entered-in-error'
       END,
       CASE WHEN l.s.status IN ${NOT_CLINIC} THEN 'slots_not_clinic_time' END
     FROM l LEFT JOIN ${SCHED} sc ON sc.pk = l.spk AND sc.uid IS NOT NULL`,
  );
  // Appointments: one row per practitioner participant (or one rejected row when there is none).
  const vt = `lower(coalesce(CAST(json_extract(a.txt, '$.appointmentType') AS VARCHAR), '') || ' ' || coalesce(CAST(json_extract(a.txt, '$.serviceType') AS VARCHAR), ''))`;
  const end = `coalesce(${dateTime(`struct_extract(a.s, 'end')`)},
    CASE WHEN a.s.minutesDuration > 0 AND regexp_matches(a.s.start, '(Z|[+-][0-9]{2}:?[0-9]{2})$')
      THEN strftime(timezone('UTC', TRY_CAST(a.s.start AS TIMESTAMPTZ) + to_minutes(a.s.minutesDuration)), '%Y-%m-%dT%H:%M:%S') || 'Z' END)`;
  await st.run(
    `INSERT INTO ${F.map} (rec_id, user_id, kind, start, "end", status, visit_type, patient_id, appointment_id, fhir_reason, skip)
     WITH pt AS (
       SELECT n.rec_id, n.i, n.p.status AS pstatus, x.* FROM (${parts}) n ${ref('x', 'n.p.actor', 'n')}),
     clin AS (
       SELECT rec_id, i, uid FROM pt p WHERE ${isClinician('p')} AND coalesce(pstatus, '') <> 'declined'),
     pat AS (
       SELECT rec_id, arg_min(pid, i) AS pid FROM pt WHERE is_patient AND ty = 'Patient' GROUP BY rec_id),
     u AS (
       SELECT a.*, c.uid FROM ${AP} a JOIN clin c ON c.rec_id = a.rec_id
       UNION ALL
       SELECT a.*, NULL FROM ${AP} a WHERE NOT EXISTS (SELECT 1 FROM clin c WHERE c.rec_id = a.rec_id))
     SELECT a.rec_id, a.uid, 'appointment', ${dateTime('a.s.start')}, ${end}, ${status('a.s.status')},
       CASE WHEN regexp_matches(${vt}, '\\b(video|virtual|telehealth|telemedicine)\\b') THEN 'video'
         WHEN regexp_matches(${vt}, '\\b(phone|telephone)\\b') THEN 'phone' END,
       pat.pid, coalesce(nullif(a.s.id, ''), ${contentHash('a.txt')}),
       CASE WHEN a.uid IS NULL THEN 'the Appointment has no Practitioner (or PractitionerRole) participant, so it is on nobody''s schedule'
         WHEN nullif(a.s.start, '') IS NULL THEN 'the Appointment has no start'
         WHEN ${end} IS NULL THEN 'the Appointment has no end (nor minutesDuration)' END,
       CASE WHEN lower(a.s.status) = 'waitlist' THEN 'appointments_waitlisted' END
     FROM u a LEFT JOIN pat ON pat.rec_id = a.rec_id`,
  );
  // Schedules only resolve references: counted, never rows.
  await st.run(`INSERT INTO ${F.map} (rec_id, skip) SELECT rec_id, 'schedules_read' FROM ${SC}`);
}
