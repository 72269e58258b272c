/**
 * The FHIR R4 resources of the synthetic system, one canonical row at a time: the typed reference
 * for what `fhir.ts` writes in SQL (the tests compare both, line by line). How each canonical field
 * is carried follows `docs/formats.md`:
 *
 * | canonical | FHIR |
 * |---|---|
 * | event `event_id`, `occurred_at`, `user_id` | AuditEvent `id`, `recorded`, `agent[0]` (`requestor = true`) `who.identifier.value` |
 * | event `action` (category) | `subtype[0].code` + `action`, categorised by `fhir-action-map.csv` (`actionMaps.ts`) |
 * | event `patient_id`, `encounter_id` | `entity[].what` = `Patient/<id>` (audit-entity-type 1 = person, object-role 1 = patient), `Encounter/<id>` (type 2 = system object) |
 * | event `workstation_id` | `agent[0].network.address` (type 1 = machine name) |
 * | event `channel` | `agent[0].extension` {@link CHANNEL_EXT} (valueCode), written when not `desktop` (the default): not in the import mapping of §3, so an importer that does not read it gets `desktop` for every event |
 * | event `source` | `source.site` |
 * | clinician | Practitioner (`id` and `identifier` = `user_id`, `name`) + PractitionerRole (`code` = role, `specialty`, `organization.display` = department; `fte` and `timezone` as extensions) |
 * | session row | Slot (`status = busy`) of the practitioner's Schedule |
 * | appointment row | Appointment (`id` = `appointment_id`, `status`, `start`, `end`, participants practitioner + patient, `appointmentType` v3 ParticipationMode VIDEOCONF / PHONE for video / phone) |
 * | order, `medication` | MedicationRequest (`requester` = `user_id`, `recorder` = `entered_by`, `authoredOn` = `signed_at`, `subject` = patient) |
 * | order, other | ServiceRequest (same; R4 ServiceRequest has no `recorder`, so `entered_by` is a Provenance with an `enterer` agent targeting it) |
 *
 * Every reference to a user carries `identifier.value` = the user id (the importer's first choice);
 * references to roster clinicians also carry `reference` = `Practitioner/<user_id>`. Team members
 * who enter orders (`t0001` …) are not in the roster, so their references carry the identifier only.
 */
import { EPIC_METRICS, FHIR_ACTIONS, DICOM_EVENT } from './actionMaps.ts';
import type {
  Appointment,
  AppointmentParticipant,
  AuditEvent,
  AuditEventAgent,
  AuditEventEntity,
  CodeableConcept,
  Extension,
  HumanName,
  MedicationRequest,
  Practitioner,
  PractitionerRole,
  Provenance,
  Reference,
  Schedule,
  ServiceRequest,
  Slot,
} from 'fhir/r4.js';

/** Base of the synthetic EHR's own systems and extensions (example.org: documentation only). */
export const SYNTH_BASE = 'http://uptake.example.org/fhir';
/** Identifier system of user ids (clinicians and team members). */
export const USER_SYSTEM = `${SYNTH_BASE}/sid/user-id`;
/** Code system of the synthetic EHR's actions (AuditEvent.subtype). */
export const ACTION_SYSTEM = `${SYNTH_BASE}/CodeSystem/ehr-action`;
export const ROLE_SYSTEM = `${SYNTH_BASE}/CodeSystem/clinician-role`;
export const SPECIALTY_SYSTEM = `${SYNTH_BASE}/CodeSystem/specialty`;
/** Extension (valueCode: desktop, mobile, web, api) on AuditEvent.agent: the canonical channel. */
export const CHANNEL_EXT = `${SYNTH_BASE}/StructureDefinition/channel`;
/** Extension (valueDecimal) on PractitionerRole: the clinician's FTE. */
export const FTE_EXT = `${SYNTH_BASE}/StructureDefinition/fte`;
/** Extension (valueCode, IANA name) on PractitionerRole: the clinician's time zone. */
export const TIMEZONE_EXT = `${SYNTH_BASE}/StructureDefinition/timezone`;
export const OBSERVER_DISPLAY = 'Uptake synthetic EHR';

export const DICOM_SYSTEM = 'http://dicom.nema.org/resources/ontology/DCM';
export const ENTITY_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
export const OBJECT_ROLE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/object-role';
export const PARTICIPATION_MODE_SYSTEM =
  'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode';
export const PROVENANCE_TYPE_SYSTEM =
  'http://terminology.hl7.org/CodeSystem/provenance-participant-type';
export const SNOMED = 'http://snomed.info/sct';

/** SNOMED CT occupations of the canonical roles (a second coding, after the canonical code). */
export const ROLE_SNOMED: Readonly<Record<string, { code: string; display: string }>> = {
  physician: { code: '309343006', display: 'Physician' },
  np: { code: '224571005', display: 'Nurse practitioner' },
  pa: { code: '449161006', display: 'Physician assistant' },
};

/** v3 ParticipationMode codes of the non-default visit types. */
export const VISIT_MODE: Readonly<Record<string, { code: string; display: string }>> = {
  video: { code: 'VIDEOCONF', display: 'videoconferencing' },
  phone: { code: 'PHONE', display: 'telephone' },
};

export const MEDICATION_TEXT = 'Synthetic medication order';
export const SERVICE_TEXT = 'Synthetic order';
export const UNKNOWN_PATIENT = 'unknown patient';

/** One canonical CSV row: column → text; an empty or missing value is absent. */
export type CsvRow = Readonly<Record<string, string | undefined>>;

function val(r: CsvRow, k: string): string | undefined {
  const v = r[k];
  return v === undefined || v === '' ? undefined : v;
}

function need(r: CsvRow, k: string): string {
  const v = val(r, k);
  if (v === undefined) throw new Error(`canonical row without ${k}`);
  return v;
}

function userRef(user: string, practitioner: boolean): Reference {
  return {
    ...(practitioner ? { reference: `Practitioner/${user}` } : {}),
    identifier: { system: USER_SYSTEM, value: user },
  };
}

/** Whole seconds since 1970 of an ISO 8601 instant with an offset. */
export function epochSeconds(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not an instant: ${iso}`);
  return Math.floor(ms / 1000);
}

/** An AuditEvent from an `events` row. */
export function auditEvent(r: CsvRow): AuditEvent {
  const action = need(r, 'action');
  const f = FHIR_ACTIONS.get(action);
  const m = EPIC_METRICS.get(action);
  if (!f || !m) throw new Error(`no FHIR form for the synthetic action "${action}"`);
  const channel = val(r, 'channel');
  const ws = val(r, 'workstation_id');
  const patient = val(r, 'patient_id');
  const encounter = val(r, 'encounter_id');
  const source = val(r, 'source');
  const agent: AuditEventAgent = {
    ...(channel && channel !== 'desktop'
      ? { extension: [{ url: CHANNEL_EXT, valueCode: channel }] }
      : {}),
    who: { identifier: { system: USER_SYSTEM, value: need(r, 'user_id') } },
    requestor: true,
    ...(ws ? { network: { address: ws, type: '1' as const } } : {}),
  };
  const entity: AuditEventEntity[] = [];
  if (patient) {
    entity.push({
      what: { reference: `Patient/${patient}` },
      type: { system: ENTITY_TYPE_SYSTEM, code: '1' },
      role: { system: OBJECT_ROLE_SYSTEM, code: '1' },
    });
  }
  if (encounter) {
    entity.push({
      what: { reference: `Encounter/${encounter}` },
      type: { system: ENTITY_TYPE_SYSTEM, code: '2' },
    });
  }
  const dicom = DICOM_EVENT[f.type];
  return {
    resourceType: 'AuditEvent',
    id: need(r, 'event_id'),
    type: { system: DICOM_SYSTEM, code: dicom.code, display: dicom.display },
    subtype: [{ system: ACTION_SYSTEM, code: f.code, display: m.name }],
    action: f.action,
    recorded: need(r, 'occurred_at'),
    outcome: '0',
    agent: [agent],
    source: { ...(source ? { site: source } : {}), observer: { display: OBSERVER_DISPLAY } },
    ...(entity.length > 0 ? { entity } : {}),
  };
}

/** `First Middle Last` → text, family = the last word, given = the words before it. */
export function humanName(name: string): HumanName {
  const i = name.lastIndexOf(' ');
  if (i < 0) return { text: name, family: name };
  return { text: name, family: name.slice(i + 1), given: name.slice(0, i).split(' ') };
}

/** A Practitioner from a `clinicians` row. */
export function practitioner(r: CsvRow): Practitioner {
  const user = need(r, 'user_id');
  const name = val(r, 'name');
  return {
    resourceType: 'Practitioner',
    id: user,
    identifier: [{ system: USER_SYSTEM, value: user }],
    active: true,
    ...(name ? { name: [humanName(name)] } : {}),
  };
}

/** A decimal's JSON value, or undefined when the text is not a plain decimal. */
export function decimal(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
}

function concept(system: string, code: string): CodeableConcept {
  return { coding: [{ system, code, display: code }], text: code };
}

/** A PractitionerRole from a `clinicians` row. */
export function practitionerRole(r: CsvRow): PractitionerRole {
  const user = need(r, 'user_id');
  const role = need(r, 'role');
  const fte = decimal(val(r, 'fte'));
  const tz = val(r, 'timezone');
  const dept = val(r, 'department');
  const spec = val(r, 'specialty');
  const ext: Extension[] = [];
  if (fte !== undefined) ext.push({ url: FTE_EXT, valueDecimal: fte });
  if (tz) ext.push({ url: TIMEZONE_EXT, valueCode: tz });
  const code = concept(ROLE_SYSTEM, role);
  const snomed = ROLE_SNOMED[role];
  if (snomed) code.coding?.push({ system: SNOMED, code: snomed.code, display: snomed.display });
  return {
    resourceType: 'PractitionerRole',
    id: `role-${user}`,
    ...(ext.length > 0 ? { extension: ext } : {}),
    active: true,
    practitioner: userRef(user, true),
    ...(dept ? { organization: { display: dept } } : {}),
    code: [code],
    ...(spec ? { specialty: [concept(SPECIALTY_SYSTEM, spec)] } : {}),
  };
}

/** The Schedule of a user who has session rows. */
export function schedule(user: string): Schedule {
  return {
    resourceType: 'Schedule',
    id: `sched-${user}`,
    active: true,
    actor: [userRef(user, true)],
  };
}

/** Id of a session's Slot: user, start and end (seconds since 1970) make it unique. */
export function slotId(user: string, start: string, end: string): string {
  return `sess-${user}-${epochSeconds(start)}-${epochSeconds(end)}`;
}

/** A busy Slot from a `schedule` row of kind `session`. */
export function slot(r: CsvRow): Slot {
  const user = need(r, 'user_id');
  const start = need(r, 'start');
  const end = need(r, 'end');
  return {
    resourceType: 'Slot',
    id: slotId(user, start, end),
    schedule: { reference: `Schedule/sched-${user}` },
    status: 'busy',
    start,
    end,
  };
}

/** An Appointment from a `schedule` row of kind `appointment`. */
export function appointment(r: CsvRow): Appointment {
  const user = need(r, 'user_id');
  const start = need(r, 'start');
  const end = need(r, 'end');
  const patient = val(r, 'patient_id');
  const mode = VISIT_MODE[val(r, 'visit_type') ?? ''];
  const participant: AppointmentParticipant[] = [
    { actor: userRef(user, true), status: 'accepted' },
  ];
  if (patient) participant.push({ actor: { reference: `Patient/${patient}` }, status: 'accepted' });
  return {
    resourceType: 'Appointment',
    id: val(r, 'appointment_id') ?? `appt-${user}-${epochSeconds(start)}-${epochSeconds(end)}`,
    status: (val(r, 'status') ?? 'booked') as Appointment['status'],
    ...(mode
      ? {
          appointmentType: {
            coding: [{ system: PARTICIPATION_MODE_SYSTEM, code: mode.code, display: mode.display }],
            text: r.visit_type as string,
          },
        }
      : {}),
    start,
    end,
    participant,
  };
}

function subject(r: CsvRow): Reference {
  const p = val(r, 'patient_id');
  return p ? { reference: `Patient/${p}` } : { display: UNKNOWN_PATIENT };
}

/** A MedicationRequest (order_type `medication`) or ServiceRequest (other) from an `orders` row. */
export function orderRequest(r: CsvRow): MedicationRequest | ServiceRequest {
  const id = need(r, 'order_id');
  const user = need(r, 'user_id');
  const signed = need(r, 'signed_at');
  const entered = val(r, 'entered_by');
  if (val(r, 'order_type') === 'medication') {
    return {
      resourceType: 'MedicationRequest',
      id,
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: { text: MEDICATION_TEXT },
      subject: subject(r),
      authoredOn: signed,
      requester: userRef(user, true),
      ...(entered ? { recorder: userRef(entered, false) } : {}),
    };
  }
  return {
    resourceType: 'ServiceRequest',
    id,
    status: 'active',
    intent: 'order',
    code: { text: SERVICE_TEXT },
    subject: subject(r),
    authoredOn: signed,
    requester: userRef(user, true),
  };
}

/** The Provenance naming who entered a ServiceRequest (orders not of type medication, entered_by set). */
export function orderProvenance(r: CsvRow): Provenance | undefined {
  const entered = val(r, 'entered_by');
  if (!entered || val(r, 'order_type') === 'medication') return undefined;
  const id = need(r, 'order_id');
  return {
    resourceType: 'Provenance',
    id: `prov-${id}`,
    target: [{ reference: `ServiceRequest/${id}` }],
    recorded: need(r, 'signed_at'),
    agent: [
      {
        type: {
          coding: [{ system: PROVENANCE_TYPE_SYSTEM, code: 'enterer', display: 'Enterer' }],
        },
        who: userRef(entered, false),
      },
    ],
  };
}
