/**
 * Builders of FHIR R4 resources and files for the importer's tests: plain R4 AuditEvents, IHE BALP
 * (Basic Audit Log Patterns) AuditEvents, and the NDJSON and Bundle forms.
 */
import { writeFileSync } from 'node:fs';
import type * as r4 from 'fhir/r4.js';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const REST = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';

/** A plain R4 AuditEvent of a RESTful interaction on `what`, by one human agent. */
export function restEvent(o: {
  id?: string;
  recorded: string;
  interaction: string;
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  user: r4.Reference;
  what?: string;
  patient?: string;
}): r4.AuditEvent {
  const entity: r4.AuditEventEntity[] = [];
  if (o.what)
    entity.push({ what: { reference: o.what }, type: { system: ENTITY_TYPE, code: '2' } });
  if (o.patient)
    entity.push({ what: { reference: o.patient }, type: { system: ENTITY_TYPE, code: '1' } });
  return {
    resourceType: 'AuditEvent',
    ...(o.id ? { id: o.id } : {}),
    type: { system: REST, code: 'rest' },
    subtype: [{ system: INTERACTION, code: o.interaction }],
    action: o.action,
    recorded: o.recorded,
    outcome: '0',
    agent: [{ who: o.user, requestor: true, network: { address: 'ws-12', type: '1' } }],
    source: { observer: { display: 'ehr.example.org' } },
    ...(entity.length ? { entity } : {}),
  };
}

/**
 * An AuditEvent shaped as IHE BALP records a RESTful interaction: the server and client devices as
 * agents first, the user (requestor) after them; the patient slice (object-role 1) and the data
 * entity (object-role 4, Domain Resource) — or, for a search, a query entity (object-role 24)
 * carrying the base64 search request.
 */
export function balpEvent(o: {
  id?: string;
  recorded: string;
  interaction: 'create' | 'read' | 'vread' | 'update' | 'delete' | 'search-type';
  user: r4.Reference;
  patient?: string;
  what?: string;
  query?: string;
  encounter?: string;
}): r4.AuditEvent {
  const action = (
    { create: 'C', read: 'R', vread: 'R', update: 'U', delete: 'D', 'search-type': 'E' } as const
  )[o.interaction];
  const entity: r4.AuditEventEntity[] = [];
  if (o.patient)
    entity.push({
      what: { reference: o.patient },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
    });
  if (o.what)
    entity.push({
      what: { reference: o.what },
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
    });
  if (o.query)
    entity.push({
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '24', display: 'Query' },
      query: Buffer.from(o.query, 'utf8').toString('base64'),
    });
  if (o.encounter)
    entity.push({
      what: { reference: o.encounter },
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
    });
  return {
    resourceType: 'AuditEvent',
    ...(o.id ? { id: o.id } : {}),
    meta: {
      profile: ['https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.Read'],
    },
    type: { system: REST, code: 'rest', display: 'Restful Operation' },
    subtype: [{ system: INTERACTION, code: o.interaction }],
    action,
    recorded: o.recorded,
    outcome: '0',
    agent: [
      {
        type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
        who: { reference: 'Device/ehr-server' },
        requestor: false,
        network: { address: 'https://ehr.example.org/fhir', type: '5' },
      },
      {
        type: { coding: [{ system: DCM, code: '110152', display: 'Destination Role ID' }] },
        who: { reference: 'Device/ehr-client' },
        requestor: false,
        network: { address: '10.1.2.3', type: '2' },
      },
      {
        type: {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' },
          ],
        },
        who: o.user,
        requestor: true,
      },
    ],
    source: { site: 'ehr.example.org', observer: { reference: 'Device/ehr-server' } },
    entity,
  };
}

/** A DICOM login (type User Authentication, subtype Login), as the HL7 example records one. */
export function loginEvent(id: string, recorded: string, user: r4.Reference): r4.AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id,
    type: { system: DCM, code: '110114', display: 'User Authentication' },
    subtype: [{ system: DCM, code: '110122', display: 'Login' }],
    action: 'E',
    recorded,
    agent: [{ who: user, requestor: true }],
    source: { observer: { display: 'idp.example.org' } },
  };
}

/** Write resources (or raw lines) as NDJSON, one per line, with a final newline. */
export function writeNdjson(
  file: string,
  lines: readonly (r4.FhirResource | string | object)[],
): void {
  writeFileSync(
    file,
    lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n',
  );
}

/** A Bundle of `type` with the resources as entries (searchset entries are matches). */
export function bundle(type: r4.Bundle['type'], resources: readonly r4.FhirResource[]): r4.Bundle {
  return {
    resourceType: 'Bundle',
    type,
    entry: resources.map((resource) => ({
      fullUrl: `https://ehr.example.org/fhir/${resource.resourceType}/${resource.id ?? 'x'}`,
      resource,
      ...(type === 'searchset' ? { search: { mode: 'match' as const } } : {}),
      ...(type === 'transaction' || type === 'batch'
        ? { request: { method: 'POST' as const, url: resource.resourceType } }
        : {}),
    })),
  };
}

/** Write a JSON document pretty-printed (as servers and the FHIR examples are). */
export function writeJson(file: string, value: object): void {
  writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}
