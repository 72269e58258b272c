/**
 * The patient side from FHIR R4 (`shared/spec/engagement.md` §1): `Communication` → `messages`,
 * `DiagnosticReport` and `DocumentReference` → `releases`. References resolve the FHIR way
 * (`identities.ts`): a clinician to the roster key, a patient to `Patient/<id>` (pseudonymized
 * by `loadStaged`, like every patient id).
 *
 * Communication → messages:
 * - `message_id`: `Communication/<id>` (else a SHA-256 of the resource); `in_reply_to`: the first
 *   `inResponseTo`, in the same relative form, so a reply joins the message it answers;
 * - `sent_at`: `sent`; `encounter_id`: `encounter` (relative `Encounter/<id>`, as AuditEvents give it);
 * - `direction`: `to_clinician` when the `sender` is a patient (Patient or RelatedPerson: a proxy
 *   writes for the patient), `to_patient` otherwise; `clinician_id`: the clinician among the sender
 *   and the first recipient; `patient_id`: `subject`, else the patient among them;
 * - a Communication with status `entered-in-error` or `not-done` is no message (counted in the notes).
 *
 * DiagnosticReport / DocumentReference → releases:
 * - `resource_id`: `DiagnosticReport/<id>` or `DocumentReference/<id>`, the form in which an
 *   AuditEvent's entity names what a patient viewed;
 * - `kind`: `result` (DiagnosticReport), `note` (DocumentReference);
 * - `available_at`: `issued` (DiagnosticReport), `date` (DocumentReference);
 * - `clinician_id`: the first `resultsInterpreter`, else the first `performer` (DiagnosticReport),
 *   the first `author` (DocumentReference), when a clinician; `patient_id`: `subject`;
 *   `encounter_id`: `encounter` or `context.encounter[0]`;
 * - status `entered-in-error`, `cancelled` or `registered` (nothing released yet) is no release
 *   (counted in the notes).
 *
 * AuditEvent whose requestor agent (else the first) is a patient → patient_events (IHE BALP
 * PatientRead / PatientQuery; AuditEvents of clinicians are `events`, counted in the notes here):
 * - `event_id`: `id` (else a SHA-256 of the resource); `occurred_at`: `recorded`, else
 *   `period.start`; `source`: `fhir`;
 * - `actor`: `patient` for a Patient, `proxy` for a RelatedPerson; `patient_id`: the requestor
 *   when a Patient, else the entity that is a patient (BALP's patient slice), else R5's `patient`;
 * - `resource_id`: the first entity that is neither the patient nor an Encounter, as `Type/id`
 *   (the form of `releases.resource_id`); `encounter_id`: the Encounter entity;
 * - `action`: `login` for DICOM 110122 (Login); `download` for 110106 (Export); `message_sent` /
 *   `message_read` for C / R of a Communication; `view_result` for R of a DiagnosticReport or
 *   Observation; `view_note` for R of a DocumentReference or Composition; else `other`.
 */
import type { StagingArea } from '../../store/Store.ts';
import { AUDIT_EVENT, entityType, requestor } from './auditEvent.ts';
import { I, resolveRefs } from './identities.ts';
import { F } from './read.ts';
import {
  contentHash,
  dateTime,
  literalType,
  normRef,
  REFERENCE,
  refKey,
  toResolve,
  transform,
  typeField,
} from './sql.ts';

const COMMUNICATION = {
  id: 'VARCHAR',
  status: 'VARCHAR',
  subject: REFERENCE,
  encounter: REFERENCE,
  sent: 'VARCHAR',
  sender: REFERENCE,
  recipient: [REFERENCE],
  inResponseTo: [REFERENCE],
};

const DIAGNOSTIC_REPORT = {
  id: 'VARCHAR',
  status: 'VARCHAR',
  subject: REFERENCE,
  encounter: REFERENCE,
  issued: 'VARCHAR',
  performer: [REFERENCE],
  resultsInterpreter: [REFERENCE],
};

const DOCUMENT_REFERENCE = {
  id: 'VARCHAR',
  status: 'VARCHAR',
  subject: REFERENCE,
  date: 'VARCHAR',
  author: [REFERENCE],
  context: { encounter: [REFERENCE] },
};

/** Staging tables of these mappings. */
const COMM = 'imp_fhir_comm';
const REL = 'imp_fhir_rel';
const PEV = 'imp_fhir_pev';
export const PATIENT_SIDE_TABLES = [COMM, REL, PEV];

/** SQL: a join of the resolved references on Reference `r` of staged row `q` (when `when`). */
const ref = (alias: string, r: string, when = 'true') =>
  `LEFT JOIN ${I.refs} ${alias} ON ${alias}.k = CASE WHEN ${when} THEN ${refKey(r, 'q.file_no', 'q.rec_id')} END`;

/** SQL: what a patient field stores for Reference `r` (resolved as alias `a` when it needs it). */
const patientOf = (r: string, a: string) =>
  `CASE WHEN ${toResolve(r)} THEN ${a}.pid ELSE ${normRef(`${r}.reference`)} END`;

/** SQL: the relative `Type/id` Reference `r` names (resolved as alias `a` when it needs it). */
const targetOf = (r: string, a: string) =>
  `CASE WHEN ${toResolve(r)} THEN coalesce(${a}.norm, ${a}.tpk) ELSE ${normRef(`${r}.reference`)} END`;

/** Communication → `imp_fhir_map` rows of `messages`. */
export async function mapMessages(st: StagingArea): Promise<void> {
  await st.run(
    `CREATE TEMP TABLE ${COMM} AS
     SELECT rec_id, file_no, 'Communication/' || coalesce(nullif(s.id, ''), ${contentHash('txt')}) AS message_id,
       s, s.recipient[1] AS rcp, s.inResponseTo[1] AS irt
     FROM (SELECT rec_id, file_no, coalesce(res, raw) AS txt, ${transform('coalesce(res, raw)', COMMUNICATION)} AS s
           FROM ${F.rec} WHERE base_reason IS NULL AND rtype = 'Communication')`,
  );
  // Sender and recipient are always resolved (a clinician to the roster key, or a patient);
  // subject and the message answered only when their text does not say what they are.
  await resolveRefs(
    st,
    [
      `SELECT file_no, rec_id, s.sender AS r FROM ${COMM} WHERE s.sender IS NOT NULL`,
      `SELECT file_no, rec_id, rcp FROM ${COMM} WHERE rcp IS NOT NULL`,
      `SELECT file_no, rec_id, s.subject FROM ${COMM} WHERE ${toResolve('s.subject')}`,
      `SELECT file_no, rec_id, irt FROM ${COMM} WHERE ${toResolve('irt')}`,
    ].join(' UNION ALL '),
    I.refs,
  );
  await st.run(
    `INSERT INTO ${F.map} (rec_id, message_id, sent_at, patient_id, clinician_id, direction, in_reply_to, encounter_id, fhir_reason, skip)
     SELECT q.rec_id, q.message_id, ${dateTime('q.s.sent')},
       coalesce(${patientOf('q.s.subject', 'sb')}, CASE WHEN sd.is_patient THEN sd.pid END, CASE WHEN rc.is_patient THEN rc.pid END),
       coalesce(CASE WHEN NOT sd.is_patient THEN sd.uid END, CASE WHEN NOT rc.is_patient THEN rc.uid END),
       CASE WHEN sd.is_patient THEN 'to_clinician' WHEN sd.uid IS NOT NULL THEN 'to_patient' END,
       ${targetOf('q.irt', 'ir')}, ${normRef('q.s.encounter.reference')},
       CASE WHEN sd.k IS NULL OR (sd.uid IS NULL AND NOT sd.is_patient)
           THEN 'the Communication has no sender that names a patient or a clinician, so no direction'
         WHEN sd.is_patient AND (rc.uid IS NULL OR rc.is_patient)
           THEN 'its sender is a patient and its first recipient names no clinician, so no clinician to credit it to'
         WHEN nullif(q.s.sent, '') IS NULL THEN 'the Communication has no sent (when it was sent)' END,
       CASE WHEN q.s.status IN ('entered-in-error', 'not-done') THEN 'communications_' || replace(q.s.status, '-', '_') END
     FROM ${COMM} q ${ref('sd', 'q.s.sender', 'q.s.sender IS NOT NULL')} ${ref('rc', 'q.rcp', 'q.rcp IS NOT NULL')}
       ${ref('sb', 'q.s.subject', toResolve('q.s.subject'))} ${ref('ir', 'q.irt', toResolve('q.irt'))}`,
  );
}

/** DiagnosticReport and DocumentReference → `imp_fhir_map` rows of `releases`. */
export async function mapReleases(st: StagingArea): Promise<void> {
  const of = (rtype: string, structure: object) =>
    `SELECT rec_id, file_no, coalesce(res, raw) AS txt, ${transform('coalesce(res, raw)', structure)} AS s
     FROM ${F.rec} WHERE base_reason IS NULL AND rtype = '${rtype}'`;
  await st.run(
    `CREATE TEMP TABLE ${REL} AS
     SELECT rec_id, file_no, 'DiagnosticReport' AS rtype,
       'DiagnosticReport/' || coalesce(nullif(s.id, ''), ${contentHash('txt')}) AS resource_id,
       s.status, s.subject, s.encounter AS enc, s.issued AS at,
       coalesce(s.resultsInterpreter[1], s.performer[1]) AS clin
     FROM (${of('DiagnosticReport', DIAGNOSTIC_REPORT)})
     UNION ALL
     SELECT rec_id, file_no, 'DocumentReference',
       'DocumentReference/' || coalesce(nullif(s.id, ''), ${contentHash('txt')}),
       s.status, s.subject, s.context.encounter[1], s.date, s.author[1]
     FROM (${of('DocumentReference', DOCUMENT_REFERENCE)})`,
  );
  await resolveRefs(
    st,
    [
      `SELECT file_no, rec_id, clin AS r FROM ${REL} WHERE clin IS NOT NULL`,
      `SELECT file_no, rec_id, subject FROM ${REL} WHERE ${toResolve('subject')}`,
    ].join(' UNION ALL '),
    I.refs,
  );
  await st.run(
    `INSERT INTO ${F.map} (rec_id, resource_id, patient_id, kind, available_at, clinician_id, encounter_id, fhir_reason, skip)
     SELECT q.rec_id, q.resource_id, ${patientOf('q.subject', 'sb')},
       CASE q.rtype WHEN 'DiagnosticReport' THEN 'result' ELSE 'note' END, ${dateTime('q.at')},
       CASE WHEN NOT cl.is_patient THEN cl.uid END, ${normRef('q.enc.reference')},
       CASE WHEN ${patientOf('q.subject', 'sb')} IS NULL THEN 'the ' || q.rtype || ' has no subject (the patient it was released to)'
         WHEN nullif(q.at, '') IS NULL THEN 'the ' || q.rtype || ' has no '
           || CASE q.rtype WHEN 'DiagnosticReport' THEN 'issued' ELSE 'date' END || ' (when it was made available)' END,
       CASE WHEN q.status IN ('entered-in-error', 'cancelled', 'registered')
         THEN lower(q.rtype) || '_' || replace(q.status, '-', '_') END
     FROM ${REL} q ${ref('cl', 'q.clin', 'q.clin IS NOT NULL')} ${ref('sb', 'q.subject', toResolve('q.subject'))}`,
  );
}

/** AuditEvents whose requestor is a patient → `imp_fhir_map` rows of `patient_events`. */
export async function mapPatientEvents(st: StagingArea): Promise<void> {
  // An entity's type as its text says it (literal reference, `what.type`, entity type, role).
  const fastType = (e: string) =>
    entityType(e, `coalesce(${literalType(`${e}.what.reference`)}, ${typeField(`${e}.what`)})`);
  await st.run(
    `CREATE TEMP TABLE ${PEV} AS
     SELECT rec_id, file_no, txt, s, ai, s.agent[ai].who AS who,
       list_filter(ents, lambda x: x.t = 'Patient')[1].e.what AS pat,
       list_filter(ents, lambda x: x.t NOT IN ('Patient', 'Encounter'))[1] AS obj,
       list_filter(ents, lambda x: x.t = 'Encounter')[1].e.what AS enc
     FROM (SELECT *, ${requestor('s')} AS ai,
             list_transform(s.entity, lambda e: {'e': e, 't': ${fastType('e')}}) AS ents
           FROM (SELECT rec_id, file_no, coalesce(res, raw) AS txt, ${transform('coalesce(res, raw)', AUDIT_EVENT)} AS s
                 FROM ${F.rec} WHERE base_reason IS NULL AND rtype = 'AuditEvent'))`,
  );
  await resolveRefs(
    st,
    [
      `SELECT file_no, rec_id, who AS r FROM ${PEV} WHERE who IS NOT NULL`,
      `SELECT file_no, rec_id, pat FROM ${PEV} WHERE ${toResolve('pat')}`,
      `SELECT file_no, rec_id, s.patient FROM ${PEV} WHERE ${toResolve('s.patient')}`,
      `SELECT file_no, rec_id, obj.e.what FROM ${PEV} WHERE ${toResolve('obj.e.what')}`,
    ].join(' UNION ALL '),
    I.refs,
  );
  const code = `coalesce(nullif(q.s.subtype[1].code, ''), nullif(q.s.type.code, ''))`;
  const rt = 'q.obj.t';
  await st.run(
    `INSERT INTO ${F.map} (rec_id, event_id, occurred_at, patient_id, action, encounter_id, resource_id, actor, source, fhir_reason, skip)
     SELECT q.rec_id, coalesce(nullif(q.s.id, ''), ${contentHash('q.txt')}),
       ${dateTime(`coalesce(nullif(q.s.recorded, ''), nullif(q.s.period.start, ''))`)},
       CASE WHEN u.ty = 'Patient' THEN u.pid
         ELSE coalesce(${patientOf('q.pat', 'pa')}, ${patientOf('q.s.patient', 'pp')}) END,
       CASE WHEN ${code} IN ('110122', 'login') THEN 'login'
         WHEN ${code} IN ('110106', 'export') THEN 'download'
         WHEN ${rt} = 'Communication' AND q.s.action = 'C' THEN 'message_sent'
         WHEN ${rt} = 'Communication' AND q.s.action = 'R' THEN 'message_read'
         WHEN ${rt} IN ('DiagnosticReport', 'Observation') AND q.s.action = 'R' THEN 'view_result'
         WHEN ${rt} IN ('DocumentReference', 'Composition') AND q.s.action = 'R' THEN 'view_note'
         ELSE 'other' END,
       ${normRef('q.enc.reference')}, ${targetOf('q.obj.e.what', 'ob')},
       CASE WHEN u.ty = 'RelatedPerson' THEN 'proxy' ELSE 'patient' END, 'fhir',
       CASE WHEN coalesce(nullif(q.s.recorded, ''), nullif(q.s.period.start, '')) IS NULL
           THEN 'the AuditEvent has neither recorded nor period.start, so no time'
         WHEN u.ty <> 'Patient' AND coalesce(${patientOf('q.pat', 'pa')}, ${patientOf('q.s.patient', 'pp')}) IS NULL
           THEN 'its requestor is a ' || u.ty || ' and no entity names the patient it acted for' END,
       CASE WHEN NOT coalesce(u.is_patient, false) THEN 'audit_events_not_by_a_patient' END
     FROM ${PEV} q ${ref('u', 'q.who', 'q.who IS NOT NULL')} ${ref('pa', 'q.pat', toResolve('q.pat'))}
       ${ref('pp', 'q.s.patient', toResolve('q.s.patient'))} ${ref('ob', 'q.obj.e.what', toResolve('q.obj.e.what'))}`,
  );
}
