/**
 * Schedule + Slot → sessions and Appointment → appointments, in `schedule`
 * (`shared/spec/formats.md` §4).
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
 * Users are named as AuditEvent agents are: `identifier.value`, else the reference. A
 * PractitionerRole actor or participant stands for its practitioner when the PractitionerRole is
 * among the files (it may be given with them), else for itself (`PractitionerRole/<id>`).
 */
import type { StagingArea } from '../../store/Store.ts';
import { F } from './read.ts';
import { PRACTITIONER_ROLE } from './roster.ts';
import {
  contentHash,
  dateTime,
  idElseRef,
  normRef,
  REFERENCE,
  refElseId,
  refStructType,
  transform,
} from './sql.ts';

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

const isClinician = (r: string) => `${refStructType(r)} IN ('Practitioner', 'PractitionerRole')`;

/** SQL: the canonical status of an Appointment status. */
function status(s: string): string {
  return `CASE lower(${s}) WHEN 'proposed' THEN 'booked' WHEN 'pending' THEN 'booked' WHEN 'booked' THEN 'booked'
    WHEN 'arrived' THEN 'arrived' WHEN 'checked-in' THEN 'arrived' ELSE nullif(${s}, '') END`;
}

export async function mapSchedule(st: StagingArea): Promise<void> {
  const rows = (type: string, structure: object) =>
    `SELECT rec_id, coalesce(res, raw) AS txt, ${transform('coalesce(res, raw)', structure)} AS s
     FROM ${F.rec} WHERE base_reason IS NULL AND rtype = '${type}'`;
  // Who a clinician reference stands for: a PractitionerRole among the files is its practitioner.
  await st.run(
    `CREATE TEMP TABLE imp_fhir_roles AS SELECT 'PractitionerRole/' || s.id AS ref, ${idElseRef('s.practitioner')} AS uid
     FROM (${rows('PractitionerRole', PRACTITIONER_ROLE)}) WHERE s.id IS NOT NULL`,
  );
  const who = (r: string, roles: string) =>
    `CASE WHEN ${refStructType(r)} = 'PractitionerRole' THEN coalesce(${roles}.uid, ${idElseRef(r)}) ELSE ${idElseRef(r)} END`;
  await st.run(
    `CREATE TEMP TABLE imp_fhir_sched AS
     SELECT 'Schedule/' || sc.s.id AS ref, ${who('a', 'ro')} AS uid
     FROM (${rows('Schedule', SCHEDULE)}) sc
     LEFT JOIN LATERAL (SELECT unnest(list_filter(sc.s.actor, lambda x: ${isClinician('x')})) AS a) ON true
     LEFT JOIN imp_fhir_roles ro ON ro.ref = ${normRef('a.reference')}
     WHERE sc.s.id IS NOT NULL`,
  );
  // Sessions from slots.
  await st.run(
    `INSERT INTO ${F.map} (rec_id, user_id, kind, start, "end", status, visit_type, patient_id, appointment_id, fhir_reason, skip)
     SELECT l.rec_id, sc.uid, 'session', ${dateTime('l.s.start')}, ${dateTime(`struct_extract(l.s, 'end')`)}, NULL, NULL, NULL, NULL,
       CASE WHEN l.sref IS NULL THEN 'the Slot has no schedule reference'
         WHEN NOT EXISTS (SELECT 1 FROM imp_fhir_sched x WHERE x.ref = l.sref)
           THEN 'its Schedule (' || l.sref || ') is not among the files: import the Schedule resources together with their Slots'
         WHEN sc.uid IS NULL THEN 'its ' || l.sref || ' has no Practitioner or PractitionerRole actor, so the session is nobody''s'
         WHEN l.s.status IS NULL THEN 'the Slot has no status'
         WHEN l.s.status NOT IN ${CLINIC} THEN 'Slot status "' || l.s.status || '" is not one of busy, free, busy-tentative, busy-unavailable, entered-in-error'
       END,
       CASE WHEN l.s.status IN ${NOT_CLINIC} THEN 'slots_not_clinic_time' END
     FROM (SELECT *, ${normRef('s.schedule.reference')} AS sref FROM (${rows('Slot', SLOT)})) l
     LEFT JOIN imp_fhir_sched sc ON sc.ref = l.sref AND sc.uid IS NOT NULL`,
  );
  // Appointments: one row per practitioner participant (or one rejected row when there is none).
  const vt = `lower(coalesce(CAST(json_extract(a.txt, '$.appointmentType') AS VARCHAR), '') || ' ' || coalesce(CAST(json_extract(a.txt, '$.serviceType') AS VARCHAR), ''))`;
  const end = `coalesce(${dateTime(`struct_extract(a.s, 'end')`)},
    CASE WHEN a.s.minutesDuration > 0 AND regexp_matches(a.s.start, '(Z|[+-][0-9]{2}:?[0-9]{2})$')
      THEN strftime(timezone('UTC', TRY_CAST(a.s.start AS TIMESTAMPTZ) + to_minutes(a.s.minutesDuration)), '%Y-%m-%dT%H:%M:%S') || 'Z' END)`;
  await st.run(
    `INSERT INTO ${F.map} (rec_id, user_id, kind, start, "end", status, visit_type, patient_id, appointment_id, fhir_reason, skip)
     WITH a AS (
       SELECT rec_id, txt, s,
         list_filter(s.participant, lambda p: ${isClinician('p.actor')} AND coalesce(p.status, '') <> 'declined') AS ps,
         list_filter(s.participant, lambda p: ${refStructType('p.actor')} = 'Patient')[1].actor AS pat
       FROM (${rows('Appointment', APPOINTMENT)})),
     u AS (
       SELECT a.*, p.actor AS actor FROM a, unnest(a.ps) AS t(p) WHERE len(a.ps) > 0
       UNION ALL
       SELECT a.*, NULL AS actor FROM a WHERE coalesce(len(a.ps), 0) = 0)
     SELECT a.rec_id, ${who('a.actor', 'ro')}, 'appointment', ${dateTime('a.s.start')}, ${end}, ${status('a.s.status')},
       CASE WHEN regexp_matches(${vt}, '\\b(video|virtual|telehealth|telemedicine)\\b') THEN 'video'
         WHEN regexp_matches(${vt}, '\\b(phone|telephone)\\b') THEN 'phone' END,
       ${refElseId('a.pat')}, coalesce(nullif(a.s.id, ''), ${contentHash('a.txt')}),
       CASE WHEN a.actor IS NULL THEN 'the Appointment has no Practitioner (or PractitionerRole) participant, so it is on nobody''s schedule'
         WHEN nullif(a.s.start, '') IS NULL THEN 'the Appointment has no start'
         WHEN ${end} IS NULL THEN 'the Appointment has no end (nor minutesDuration)' END,
       CASE WHEN lower(a.s.status) = 'waitlist' THEN 'appointments_waitlisted' END
     FROM u a LEFT JOIN imp_fhir_roles ro ON ro.ref = ${normRef('a.actor.reference')}`,
  );
  // Schedules and PractitionerRoles only resolve references: counted, never rows.
  await st.run(
    `INSERT INTO ${F.map} (rec_id, skip)
     SELECT rec_id, CASE rtype WHEN 'Schedule' THEN 'schedules_read' ELSE 'practitioner_roles_read' END
     FROM ${F.rec} WHERE base_reason IS NULL AND rtype IN ('Schedule', 'PractitionerRole')`,
  );
  await st.run(`DROP TABLE imp_fhir_roles`);
  await st.run(`DROP TABLE imp_fhir_sched`);
}
