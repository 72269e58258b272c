/**
 * The synthetic system as FHIR R4 NDJSON, the form a Bulk Data `$export` writes (one file per
 * resource type, one resource per line). The resources are those of `fhirResources.ts` (see its
 * mapping table); here each one is built as JSON text in SQL, so that millions of events stream
 * from the canonical CSV to the NDJSON file without passing through JavaScript. The tests check
 * that every line equals the `fhirResources.ts` builder's resource for its row, in key order.
 *
 * Lines are in the canonical files' row order (no join or sort in the event, slot, appointment and
 * order queries, and DuckDB preserves insertion order), so the output is deterministic.
 */
import type { Sql } from '../../store/Store.ts';
import { DICOM_EVENT, EPIC_METRICS, FHIR_ACTIONS } from './actionMaps.ts';
import {
  ACTION_SYSTEM,
  CHANNEL_EXT,
  DICOM_SYSTEM,
  ENTITY_TYPE_SYSTEM,
  FTE_EXT,
  MEDICATION_TEXT,
  OBJECT_ROLE_SYSTEM,
  OBSERVER_DISPLAY,
  PARTICIPATION_MODE_SYSTEM,
  PROVENANCE_TYPE_SYSTEM,
  ROLE_SNOMED,
  ROLE_SYSTEM,
  SERVICE_TEXT,
  SNOMED,
  SPECIALTY_SYSTEM,
  TIMEZONE_EXT,
  UNKNOWN_PATIENT,
  USER_SYSTEM,
  VISIT_MODE,
} from './fhirResources.ts';
import { quoteLiteral } from '../../store/quote.ts';
import { canonicalCsv, copyLines, js, jsonLit } from './sql.ts';

/** NDJSON file names (Bulk Data: `<ResourceType>.ndjson`). */
export const FHIR_FILES = {
  auditEvent: 'AuditEvent.ndjson',
  practitioner: 'Practitioner.ndjson',
  practitionerRole: 'PractitionerRole.ndjson',
  schedule: 'Schedule.ndjson',
  slot: 'Slot.ndjson',
  appointment: 'Appointment.ndjson',
  medicationRequest: 'MedicationRequest.ndjson',
  serviceRequest: 'ServiceRequest.ndjson',
  provenance: 'Provenance.ndjson',
} as const;

/** A SQL MAP literal from text keys to text values. */
function mapLit(entries: Iterable<[string, string]>): string {
  return `MAP {${[...entries].map(([k, v]) => `${quoteLiteral(k)}: ${quoteLiteral(v)}`).join(', ')}}`;
}

/** `"identifier":{"system":USER_SYSTEM,"value":<expr>}` — the identifier of a user reference. */
function userIdentifier(expr: string): string {
  return `concat('"identifier":{"system":', ${jsonLit(USER_SYSTEM)}, ',"value":', ${js(expr)}, '}')`;
}

/** A practitioner reference object: `{"reference":"Practitioner/<u>","identifier":{…}}`. */
function practitionerRef(expr: string): string {
  return `concat('{"reference":', ${js(`'Practitioner/' || ${expr}`)}, ',', ${userIdentifier(expr)}, '}')`;
}

/** A user reference by identifier only. */
function identifierRef(expr: string): string {
  return `concat('{', ${userIdentifier(expr)}, '}')`;
}

/** AuditEvent.ndjson from the canonical events file. */
export async function writeAuditEvents(c: Sql, eventsFile: string, out: string): Promise<number> {
  // Per action: `"type":…,"subtype":[…],"action":"X"` (members between id and recorded).
  const frag = mapLit(
    [...FHIR_ACTIONS].map(([a, f]) => {
      const d = DICOM_EVENT[f.type];
      const name = EPIC_METRICS.get(a)?.name ?? a;
      return [
        a,
        JSON.stringify({
          type: { system: DICOM_SYSTEM, code: d.code, display: d.display },
          subtype: [{ system: ACTION_SYSTEM, code: f.code, display: name }],
          action: f.action,
        }).slice(1, -1),
      ];
    }),
  );
  const patientTail = JSON.stringify({
    type: { system: ENTITY_TYPE_SYSTEM, code: '1' },
    role: { system: OBJECT_ROLE_SYSTEM, code: '1' },
  }).slice(1, -1);
  const encounterTail = JSON.stringify({
    type: { system: ENTITY_TYPE_SYSTEM, code: '2' },
  }).slice(1, -1);
  const events = await canonicalCsv(
    eventsFile,
    [
      'event_id',
      'occurred_at',
      'user_id',
      'action',
      'patient_id',
      'encounter_id',
      'channel',
      'workstation_id',
      'source',
    ],
    ['event_id', 'occurred_at', 'user_id', 'action'],
  );
  const query = `
    SELECT concat(
      '{"resourceType":"AuditEvent","id":', ${js('event_id')}, ',',
      coalesce(map_extract_value(${frag}, action), error('no FHIR form for the action ' || action || ' of event ' || event_id)),
      ',"recorded":', ${js('occurred_at')}, ',"outcome":"0","agent":[{',
      CASE WHEN channel IS NOT NULL AND channel <> 'desktop'
        THEN concat('"extension":[{"url":', ${jsonLit(CHANNEL_EXT)}, ',"valueCode":', ${js('channel')}, '}],') ELSE '' END,
      '"who":{', ${userIdentifier('user_id')}, '},"requestor":true',
      CASE WHEN workstation_id IS NOT NULL
        THEN concat(',"network":{"address":', ${js('workstation_id')}, ',"type":"1"}') ELSE '' END,
      '}],"source":{',
      CASE WHEN source IS NOT NULL THEN concat('"site":', ${js('source')}, ',') ELSE '' END,
      '"observer":', ${jsonLit({ display: OBSERVER_DISPLAY })}, '}',
      CASE WHEN patient_id IS NOT NULL OR encounter_id IS NOT NULL
        THEN concat(',"entity":[', concat_ws(',',
          CASE WHEN patient_id IS NOT NULL
            THEN concat('{"what":{"reference":', ${js(`'Patient/' || patient_id`)}, '},', ${quoteLiteral(patientTail)}, '}') END,
          CASE WHEN encounter_id IS NOT NULL
            THEN concat('{"what":{"reference":', ${js(`'Encounter/' || encounter_id`)}, '},', ${quoteLiteral(encounterTail)}, '}') END
        ), ']') ELSE '' END,
      '}') AS line
    FROM ${events}`;
  return copyLines(c, query, out);
}

/** Practitioner.ndjson and PractitionerRole.ndjson from the canonical roster. */
export async function writeRoster(
  c: Sql,
  cliniciansFile: string,
  out: { practitioner: string; practitionerRole: string },
): Promise<number> {
  const roster = await canonicalCsv(
    cliniciansFile,
    ['user_id', 'role', 'name', 'specialty', 'department', 'fte', 'timezone'],
    ['user_id', 'role'],
  );
  const n = await copyLines(
    c,
    `SELECT concat(
      '{"resourceType":"Practitioner","id":', ${js('user_id')},
      ',"identifier":[{"system":', ${jsonLit(USER_SYSTEM)}, ',"value":', ${js('user_id')}, '}],"active":true',
      CASE WHEN name IS NULL THEN ''
           WHEN NOT contains(name, ' ') THEN concat(',"name":[{"text":', ${js('name')}, ',"family":', ${js('name')}, '}]')
           ELSE concat(',"name":[{"text":', ${js('name')},
             ',"family":', ${js(`regexp_extract(name, '^(.*) ([^ ]*)$', 2)`)},
             ',"given":', ${js(`string_split(regexp_extract(name, '^(.*) ([^ ]*)$', 1), ' ')`)}, '}]')
      END,
      '}') AS line
    FROM ${roster}`,
    out.practitioner,
  );
  const snomed = mapLit(
    Object.entries(ROLE_SNOMED).map(([role, s]) => [
      role,
      ',' + JSON.stringify({ system: SNOMED, code: s.code, display: s.display }),
    ]),
  );
  const fteOk = `regexp_full_match(fte, '[0-9]+(\\.[0-9]+)?')`;
  await copyLines(
    c,
    `SELECT concat(
      '{"resourceType":"PractitionerRole","id":', ${js(`'role-' || user_id`)},
      CASE WHEN ${fteOk} OR timezone IS NOT NULL
        THEN concat(',"extension":[', concat_ws(',',
          CASE WHEN ${fteOk} THEN concat('{"url":', ${jsonLit(FTE_EXT)}, ',"valueDecimal":', fte, '}') END,
          CASE WHEN timezone IS NOT NULL THEN concat('{"url":', ${jsonLit(TIMEZONE_EXT)}, ',"valueCode":', ${js('timezone')}, '}') END
        ), ']') ELSE '' END,
      ',"active":true,"practitioner":', ${practitionerRef('user_id')},
      CASE WHEN department IS NOT NULL THEN concat(',"organization":{"display":', ${js('department')}, '}') ELSE '' END,
      ',"code":[{"coding":[{"system":', ${jsonLit(ROLE_SYSTEM)}, ',"code":', ${js('role')}, ',"display":', ${js('role')}, '}',
      coalesce(map_extract_value(${snomed}, role), ''),
      '],"text":', ${js('role')}, '}]',
      CASE WHEN specialty IS NOT NULL
        THEN concat(',"specialty":[{"coding":[{"system":', ${jsonLit(SPECIALTY_SYSTEM)}, ',"code":', ${js('specialty')},
          ',"display":', ${js('specialty')}, '}],"text":', ${js('specialty')}, '}]') ELSE '' END,
      '}') AS line
    FROM ${roster}`,
    out.practitionerRole,
  );
  return n;
}

/** Schedule.ndjson, Slot.ndjson (sessions) and Appointment.ndjson from the canonical schedule. */
export async function writeSchedule(
  c: Sql,
  scheduleFile: string,
  out: { schedule: string; slot: string; appointment: string },
): Promise<{ schedules: number; slots: number; appointments: number }> {
  const rows = await canonicalCsv(
    scheduleFile,
    ['user_id', 'kind', 'start', 'end', 'status', 'visit_type', 'patient_id', 'appointment_id'],
    ['user_id', 'kind', 'start', 'end'],
  );
  const secs = (col: string): string => `CAST(floor(epoch(CAST(${col} AS TIMESTAMPTZ))) AS BIGINT)`;
  const schedules = await copyLines(
    c,
    `SELECT concat(
      '{"resourceType":"Schedule","id":', ${js(`'sched-' || user_id`)},
      ',"active":true,"actor":[', ${practitionerRef('user_id')}, ']}') AS line
    FROM (SELECT DISTINCT user_id FROM ${rows} WHERE kind = 'session') ORDER BY user_id`,
    out.schedule,
  );
  const slots = await copyLines(
    c,
    `SELECT concat(
      '{"resourceType":"Slot","id":', ${js(`concat('sess-', user_id, '-', ${secs('start')}, '-', ${secs('"end"')})`)},
      ',"schedule":{"reference":', ${js(`'Schedule/sched-' || user_id`)}, '},"status":"busy","start":', ${js('start')},
      ',"end":', ${js('"end"')}, '}') AS line
    FROM ${rows} WHERE kind = 'session'`,
    out.slot,
  );
  const modes = mapLit(
    Object.entries(VISIT_MODE).map(([vt, m]) => [
      vt,
      JSON.stringify({
        coding: [{ system: PARTICIPATION_MODE_SYSTEM, code: m.code, display: m.display }],
      }).slice(0, -1),
    ]),
  );
  const appointments = await copyLines(
    c,
    `SELECT concat(
      '{"resourceType":"Appointment","id":',
      ${js(`coalesce(appointment_id, concat('appt-', user_id, '-', ${secs('start')}, '-', ${secs('"end"')}))`)},
      ',"status":', ${js(`coalesce(status, 'booked')`)},
      CASE WHEN map_extract_value(${modes}, visit_type) IS NOT NULL
        THEN concat(',"appointmentType":', map_extract_value(${modes}, visit_type), ',"text":', ${js('visit_type')}, '}') ELSE '' END,
      ',"start":', ${js('start')}, ',"end":', ${js('"end"')},
      ',"participant":[{"actor":', ${practitionerRef('user_id')}, ',"status":"accepted"}',
      CASE WHEN patient_id IS NOT NULL
        THEN concat(',{"actor":{"reference":', ${js(`'Patient/' || patient_id`)}, '},"status":"accepted"}') ELSE '' END,
      ']}') AS line
    FROM ${rows} WHERE kind = 'appointment'`,
    out.appointment,
  );
  return { schedules, slots, appointments };
}

/** MedicationRequest.ndjson, ServiceRequest.ndjson and Provenance.ndjson from the canonical orders. */
export async function writeOrders(
  c: Sql,
  ordersFile: string,
  out: { medicationRequest: string; serviceRequest: string; provenance: string },
): Promise<{ medicationRequests: number; serviceRequests: number; provenances: number }> {
  const rows = await canonicalCsv(
    ordersFile,
    ['order_id', 'user_id', 'signed_at', 'entered_by', 'order_type', 'patient_id'],
    ['order_id', 'user_id', 'signed_at'],
  );
  const head = (type: string): string =>
    `concat('{"resourceType":"${type}","id":', ${js('order_id')}, ',"status":"active","intent":"order"')`;
  const tail = `concat(
      ',"subject":', CASE WHEN patient_id IS NOT NULL
        THEN concat('{"reference":', ${js(`'Patient/' || patient_id`)}, '}') ELSE ${jsonLit({ display: UNKNOWN_PATIENT })} END,
      ',"authoredOn":', ${js('signed_at')}, ',"requester":', ${practitionerRef('user_id')})`;
  const medicationRequests = await copyLines(
    c,
    `SELECT concat(${head('MedicationRequest')},
      ',"medicationCodeableConcept":', ${jsonLit({ text: MEDICATION_TEXT })}, ${tail},
      CASE WHEN entered_by IS NOT NULL THEN concat(',"recorder":', ${identifierRef('entered_by')}) ELSE '' END,
      '}') AS line
    FROM ${rows} WHERE order_type = 'medication'`,
    out.medicationRequest,
  );
  const serviceRequests = await copyLines(
    c,
    `SELECT concat(${head('ServiceRequest')}, ',"code":', ${jsonLit({ text: SERVICE_TEXT })}, ${tail}, '}') AS line
    FROM ${rows} WHERE order_type IS DISTINCT FROM 'medication'`,
    out.serviceRequest,
  );
  const enterer = JSON.stringify({
    coding: [{ system: PROVENANCE_TYPE_SYSTEM, code: 'enterer', display: 'Enterer' }],
  });
  const provenances = await copyLines(
    c,
    `SELECT concat(
      '{"resourceType":"Provenance","id":', ${js(`'prov-' || order_id`)},
      ',"target":[{"reference":', ${js(`'ServiceRequest/' || order_id`)}, '}],"recorded":', ${js('signed_at')},
      ',"agent":[{"type":', ${quoteLiteral(enterer)}, ',"who":', ${identifierRef('entered_by')}, '}]}') AS line
    FROM ${rows} WHERE order_type IS DISTINCT FROM 'medication' AND entered_by IS NOT NULL`,
    out.provenance,
  );
  return { medicationRequests, serviceRequests, provenances };
}
