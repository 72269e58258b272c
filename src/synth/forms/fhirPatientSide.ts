/**
 * The patient side of the synthetic system as FHIR R4 NDJSON, in the shapes the FHIR importer maps
 * (`src/ingest/fhir/patientSide.ts`, engagement.md §1):
 *
 * | canonical | FHIR |
 * |---|---|
 * | message | `Communication` (`id` = `message_id`, `sent`, `subject` the patient, `sender` / `recipient` the patient and the practitioner by direction, `inResponseTo` = `Communication/<in_reply_to>`, `encounter`) |
 * | release `result` | `DiagnosticReport` (`id` = `resource_id`, `status` final, `issued`, `resultsInterpreter` the clinician, `encounter`) |
 * | release `note`, `visit_summary` | `DocumentReference` (`date`, `author` the clinician, `context.encounter`; `type.text` tells a note from a visit summary, which the importer stores as `note`) |
 * | patient event | `AuditEvent` whose requestor is `Patient/<id>` (actor patient) or `RelatedPerson/rp-<id>` (proxy), with the patient entity (object-role 1): login = DICOM 110122; views = RESTful `read` of the `DiagnosticReport` / `DocumentReference`; `message_sent` / `message_read` = `create` / `read` of the `Communication`; `download` and `transmit` = DICOM 110106 Export; `other` = a `search-type` without a data entity |
 * | account | none: engagement.md maps no FHIR resource to accounts, so the form carries `patient_accounts.csv` |
 *
 * What does not survive an import of this form: `transmit` (stored as `download`, both are
 * view/download/transmit), `view_visit_summary` (stored as `view_note`) and the `visit_summary`
 * kind (stored as `note`); a patient event's `clinician_id` and `channel` (the mapping reads
 * neither; the channel is written as the agent extension of the clinician side); and encounter ids
 * come back as `Encounter/<appointment_id>`, as AuditEvents' encounters do.
 *
 * Built in JavaScript with the `fhir/r4` types (not in SQL like the clinician side): the patient
 * side is a few rows per visit against a thousand events per clinician-day, and typed builders
 * are their own check. Streaming: one line in, one line out, with backpressure.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type {
  AuditEvent,
  AuditEventEntity,
  Coding,
  Communication,
  DiagnosticReport,
  DocumentReference,
  Reference,
} from 'fhir/r4.js';
import type { PatientTable } from '../../model/canonical.ts';
import {
  CHANNEL_EXT,
  DICOM_SYSTEM,
  ENTITY_TYPE_SYSTEM,
  OBJECT_ROLE_SYSTEM,
  USER_SYSTEM,
} from './fhirResources.ts';

/** NDJSON file names of the patient side (the patient AuditEvents apart from the clinicians'). */
export const FHIR_PATIENT_FILES = {
  communication: 'Communication.ndjson',
  diagnosticReport: 'DiagnosticReport.ndjson',
  documentReference: 'DocumentReference.ndjson',
  auditEvent: 'AuditEvent.patient.ndjson',
  accounts: 'patient_accounts.csv',
} as const;

export const PORTAL_OBSERVER = 'Uptake synthetic patient portal';
const AUDIT_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const INTERACTION_SYSTEM = 'http://hl7.org/fhir/restful-interaction';

type Row = Record<string, string>;

const practitioner = (u: string): Reference => ({
  reference: `Practitioner/${u}`,
  identifier: { system: USER_SYSTEM, value: u },
});
const patient = (p: string): Reference => ({ reference: `Patient/${p}` });
const encounter = (a: string | undefined): Reference | undefined =>
  a ? { reference: `Encounter/${a}` } : undefined;

/** A message as a Communication. */
export function communicationOf(m: Row): Communication {
  const p = patient(m.patient_id!);
  const u = practitioner(m.clinician_id!);
  const toClinician = m.direction === 'to_clinician';
  const enc = encounter(m.encounter_id);
  return {
    resourceType: 'Communication',
    id: m.message_id!,
    ...(m.in_reply_to ? { inResponseTo: [{ reference: `Communication/${m.in_reply_to}` }] } : {}),
    status: 'completed',
    subject: p,
    ...(enc ? { encounter: enc } : {}),
    sent: m.sent_at!,
    recipient: [toClinician ? u : p],
    sender: toClinician ? p : u,
  };
}

/** A result release as a DiagnosticReport. */
export function diagnosticReportOf(r: Row): DiagnosticReport {
  const enc = encounter(r.encounter_id);
  return {
    resourceType: 'DiagnosticReport',
    id: r.resource_id!,
    status: 'final',
    code: { text: 'Laboratory result' },
    subject: patient(r.patient_id!),
    ...(enc ? { encounter: enc } : {}),
    issued: r.available_at!,
    ...(r.clinician_id ? { resultsInterpreter: [practitioner(r.clinician_id)] } : {}),
  };
}

/** A note or visit-summary release as a DocumentReference. */
export function documentReferenceOf(r: Row): DocumentReference {
  const enc = encounter(r.encounter_id);
  const title = r.kind === 'visit_summary' ? 'Visit summary' : 'Progress note';
  return {
    resourceType: 'DocumentReference',
    id: r.resource_id!,
    status: 'current',
    type: { text: title },
    subject: patient(r.patient_id!),
    date: r.available_at!,
    ...(r.clinician_id ? { author: [practitioner(r.clinician_id)] } : {}),
    content: [{ attachment: { contentType: 'text/plain', title } }],
    ...(enc ? { context: { encounter: [enc] } } : {}),
  };
}

/** The AuditEvent `type`, `subtype` and `action` of each patient action, and its entity's type. */
function actionShape(e: Row): {
  type: Coding;
  subtype?: Coding[];
  action: AuditEvent['action'];
  what?: string;
} {
  const rest = (code: string, action: AuditEvent['action'], what?: string) => ({
    type: { system: AUDIT_TYPE_SYSTEM, code: 'rest', display: 'Restful Operation' },
    subtype: [{ system: INTERACTION_SYSTEM, code }],
    action,
    ...(what ? { what } : {}),
  });
  const res = e.resource_id ?? '';
  switch (e.action) {
    case 'login':
      return {
        type: { system: DICOM_SYSTEM, code: '110114', display: 'User Authentication' },
        subtype: [{ system: DICOM_SYSTEM, code: '110122', display: 'Login' }],
        action: 'E',
      };
    case 'download':
    case 'transmit':
      return {
        type: { system: DICOM_SYSTEM, code: '110106', display: 'Export' },
        action: 'R',
        what: `${res.startsWith('dr') ? 'DiagnosticReport' : 'DocumentReference'}/${res}`,
      };
    case 'view_result':
      return rest('read', 'R', `DiagnosticReport/${res}`);
    case 'view_note':
    case 'view_visit_summary':
      return rest('read', 'R', `DocumentReference/${res}`);
    case 'message_sent':
      return rest('create', 'C', `Communication/${res}`);
    case 'message_read':
      return rest('read', 'R', `Communication/${res}`);
    default:
      return rest('search-type', 'E');
  }
}

/** A patient event as an AuditEvent requested by the patient or their proxy. */
export function patientAuditEventOf(e: Row): AuditEvent {
  const s = actionShape(e);
  const proxy = e.actor === 'proxy';
  const entity: AuditEventEntity[] = [];
  if (s.what)
    entity.push({ what: { reference: s.what }, type: { system: ENTITY_TYPE_SYSTEM, code: '2' } });
  entity.push({
    what: patient(e.patient_id!),
    type: { system: ENTITY_TYPE_SYSTEM, code: '1' },
    role: { system: OBJECT_ROLE_SYSTEM, code: '1' },
  });
  const enc = encounter(e.encounter_id);
  if (enc) entity.push({ what: enc, type: { system: ENTITY_TYPE_SYSTEM, code: '2' } });
  return {
    resourceType: 'AuditEvent',
    id: e.event_id!,
    type: s.type,
    ...(s.subtype ? { subtype: s.subtype } : {}),
    action: s.action,
    recorded: e.occurred_at!,
    outcome: '0',
    agent: [
      {
        ...(e.channel ? { extension: [{ url: CHANNEL_EXT, valueCode: e.channel }] } : {}),
        who: proxy ? { reference: `RelatedPerson/rp-${e.patient_id}` } : patient(e.patient_id!),
        requestor: true,
      },
    ],
    source: { observer: { display: PORTAL_OBSERVER } },
    entity,
  };
}

/** Lines written per chunk: small enough to stay flat, large enough to be cheap. */
const CHUNK = 2000;

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/**
 * Converts one canonical CSV file (written by the generator: no quoted fields) line by line,
 * each row to the file `route` names for it (or none); the number of resources per file.
 */
async function convert(
  file: string,
  outputs: Record<string, string>,
  route: (row: Row) => { out: string; resource: object } | null,
): Promise<Record<string, number>> {
  const streams = Object.fromEntries(
    Object.entries(outputs).map(([k, f]) => [k, createWriteStream(f, { highWaterMark: 1 << 20 })]),
  );
  const pending: Record<string, string[]> = Object.fromEntries(
    Object.keys(outputs).map((k) => [k, []]),
  );
  const counts: Record<string, number> = Object.fromEntries(
    Object.keys(outputs).map((k) => [k, 0]),
  );
  const flush = async (k: string): Promise<void> => {
    const lines = pending[k]!;
    if (lines.length === 0) return;
    pending[k] = [];
    await write(streams[k]!, lines.join('\n') + '\n');
  };
  let header: string[] | null = null;
  for await (const line of createInterface({
    input: createReadStream(file),
    crlfDelay: Infinity,
  })) {
    if (header === null) {
      header = line.split(',');
      continue;
    }
    if (line === '') continue;
    const f = line.split(',');
    const row: Row = {};
    header.forEach((h, i) => {
      if (f[i]) row[h] = f[i];
    });
    const r = route(row);
    if (!r) continue;
    pending[r.out]!.push(JSON.stringify(r.resource));
    counts[r.out]!++;
    if (pending[r.out]!.length >= CHUNK) await flush(r.out);
  }
  for (const k of Object.keys(outputs)) {
    await flush(k);
    streams[k]!.end();
    await once(streams[k]!, 'finish');
  }
  return counts;
}

/** The files of the patient side's FHIR form, by canonical table. */
export type FhirPatientFiles = Record<PatientTable, string[]>;

/**
 * Writes the patient side (the generator's four canonical files) as FHIR R4 NDJSON into `outDir`:
 * `Communication.ndjson`, `DiagnosticReport.ndjson`, `DocumentReference.ndjson`,
 * `AuditEvent.patient.ndjson`, and a copy of `patient_accounts.csv` (no FHIR resource).
 */
export async function writePatientSideFhir(
  files: Record<PatientTable, string>,
  outDir: string,
): Promise<FhirPatientFiles> {
  const at = (k: keyof typeof FHIR_PATIENT_FILES) => join(outDir, FHIR_PATIENT_FILES[k]);
  await convert(files.messages, { communication: at('communication') }, (m) => ({
    out: 'communication',
    resource: communicationOf(m),
  }));
  await convert(
    files.releases,
    { diagnosticReport: at('diagnosticReport'), documentReference: at('documentReference') },
    (r) =>
      r.kind === 'result'
        ? { out: 'diagnosticReport', resource: diagnosticReportOf(r) }
        : { out: 'documentReference', resource: documentReferenceOf(r) },
  );
  await convert(files.patient_events, { auditEvent: at('auditEvent') }, (e) => ({
    out: 'auditEvent',
    resource: patientAuditEventOf(e),
  }));
  await copyFile(files.patient_accounts, at('accounts'));
  return {
    patient_accounts: [at('accounts')],
    releases: [at('diagnosticReport'), at('documentReference')],
    messages: [at('communication')],
    patient_events: [at('auditEvent')],
  };
}
