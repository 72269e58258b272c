/**
 * The subset of FHIR R4 (4.0.1) that the synthetic FHIR form writes, typed after the R4 resource
 * definitions (element names, cardinalities and required elements as in the spec; only the
 * elements used here).
 *
 * Why local types: the installed `@types/fhir@3.0.2` is the STU3-only package (namespace `fhir`,
 * STU3 shapes: `AuditEvent.agent.reference`, `entity.reference`, no `ServiceRequest`); the
 * DefinitelyTyped package with the `fhir4` namespace is `@types/fhir@0.0.x`. These interfaces
 * carry the same names as `fhir4.*`, so they can be swapped for `fhir4.AuditEvent` etc. once that
 * package is installed.
 */

export interface Element {
  id?: string;
  extension?: Extension[];
}

export interface Extension extends Element {
  url: string;
  valueCode?: string;
  valueDecimal?: number;
  valueString?: string;
}

export interface Coding extends Element {
  system?: string;
  version?: string;
  code?: string;
  display?: string;
}

export interface CodeableConcept extends Element {
  coding?: Coding[];
  text?: string;
}

export interface Identifier extends Element {
  use?: 'usual' | 'official' | 'temp' | 'secondary' | 'old';
  system?: string;
  value?: string;
}

export interface Reference extends Element {
  reference?: string;
  type?: string;
  identifier?: Identifier;
  display?: string;
}

export interface Period extends Element {
  start?: string;
  end?: string;
}

export interface HumanName extends Element {
  text?: string;
  family?: string;
  given?: string[];
}

export interface Resource {
  resourceType: string;
  id?: string;
}

export interface DomainResource extends Resource {
  extension?: Extension[];
}

// ------------------------------------------------------------------ AuditEvent

export interface AuditEventAgentNetwork extends Element {
  address?: string;
  /** 1 machine name, 2 IP address, 3 telephone number, 4 email address, 5 URI. */
  type?: '1' | '2' | '3' | '4' | '5';
}

export interface AuditEventAgent extends Element {
  type?: CodeableConcept;
  role?: CodeableConcept[];
  who?: Reference;
  altId?: string;
  name?: string;
  requestor: boolean;
  network?: AuditEventAgentNetwork;
}

export interface AuditEventSource extends Element {
  site?: string;
  observer: Reference;
  type?: Coding[];
}

export interface AuditEventEntity extends Element {
  what?: Reference;
  type?: Coding;
  role?: Coding;
}

export interface AuditEvent extends DomainResource {
  resourceType: 'AuditEvent';
  type: Coding;
  subtype?: Coding[];
  action?: 'C' | 'R' | 'U' | 'D' | 'E';
  period?: Period;
  recorded: string;
  outcome?: '0' | '4' | '8' | '12';
  agent: AuditEventAgent[];
  source: AuditEventSource;
  entity?: AuditEventEntity[];
}

// ------------------------------------------------------------------ roster

export interface Practitioner extends DomainResource {
  resourceType: 'Practitioner';
  identifier?: Identifier[];
  active?: boolean;
  name?: HumanName[];
}

export interface PractitionerRole extends DomainResource {
  resourceType: 'PractitionerRole';
  identifier?: Identifier[];
  active?: boolean;
  practitioner?: Reference;
  organization?: Reference;
  code?: CodeableConcept[];
  specialty?: CodeableConcept[];
  location?: Reference[];
}

// ------------------------------------------------------------------ schedule

export interface Schedule extends DomainResource {
  resourceType: 'Schedule';
  active?: boolean;
  actor: Reference[];
}

export interface Slot extends DomainResource {
  resourceType: 'Slot';
  schedule: Reference;
  status: 'busy' | 'free' | 'busy-unavailable' | 'busy-tentative' | 'entered-in-error';
  start: string;
  end: string;
}

export type AppointmentStatus =
  | 'proposed'
  | 'pending'
  | 'booked'
  | 'arrived'
  | 'fulfilled'
  | 'cancelled'
  | 'noshow'
  | 'entered-in-error'
  | 'checked-in'
  | 'waitlist';

export interface AppointmentParticipant extends Element {
  type?: CodeableConcept[];
  actor?: Reference;
  required?: 'required' | 'optional' | 'information-only';
  status: 'accepted' | 'declined' | 'tentative' | 'needs-action';
}

export interface Appointment extends DomainResource {
  resourceType: 'Appointment';
  status: AppointmentStatus;
  serviceType?: CodeableConcept[];
  appointmentType?: CodeableConcept;
  start?: string;
  end?: string;
  participant: AppointmentParticipant[];
}

// ------------------------------------------------------------------ orders

export interface MedicationRequest extends DomainResource {
  resourceType: 'MedicationRequest';
  status:
    | 'active'
    | 'on-hold'
    | 'cancelled'
    | 'completed'
    | 'entered-in-error'
    | 'stopped'
    | 'draft'
    | 'unknown';
  intent:
    | 'proposal'
    | 'plan'
    | 'order'
    | 'original-order'
    | 'reflex-order'
    | 'filler-order'
    | 'instance-order'
    | 'option';
  medicationCodeableConcept?: CodeableConcept;
  medicationReference?: Reference;
  subject: Reference;
  authoredOn?: string;
  requester?: Reference;
  recorder?: Reference;
}

export interface ServiceRequest extends DomainResource {
  resourceType: 'ServiceRequest';
  status: 'draft' | 'active' | 'on-hold' | 'revoked' | 'completed' | 'entered-in-error' | 'unknown';
  intent:
    | 'proposal'
    | 'plan'
    | 'directive'
    | 'order'
    | 'original-order'
    | 'reflex-order'
    | 'filler-order'
    | 'instance-order'
    | 'option';
  code?: CodeableConcept;
  subject: Reference;
  authoredOn?: string;
  requester?: Reference;
}

export interface ProvenanceAgent extends Element {
  type?: CodeableConcept;
  role?: CodeableConcept[];
  who: Reference;
  onBehalfOf?: Reference;
}

export interface Provenance extends DomainResource {
  resourceType: 'Provenance';
  target: Reference[];
  recorded: string;
  activity?: CodeableConcept;
  agent: ProvenanceAgent[];
}
