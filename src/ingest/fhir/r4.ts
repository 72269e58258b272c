/**
 * The FHIR R4 JSON shapes the FHIR importer's tests build (a subset of each resource, named and
 * typed as in the R4 specification). The installed `@types/fhir` (3.0.2) only declares STU3 (the
 * `fhir` namespace, where AuditEvent agents have `reference` instead of R4's `who`); when the
 * project moves to a version that declares the `fhir4` namespace, these can become its types.
 */

export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}
export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}
export interface Identifier {
  use?: 'usual' | 'official' | 'temp' | 'secondary' | 'old';
  system?: string;
  value?: string;
}
export interface Reference {
  reference?: string;
  type?: string;
  identifier?: Identifier;
  display?: string;
}
export interface Period {
  start?: string;
  end?: string;
}
export interface HumanName {
  use?: string;
  text?: string;
  family?: string;
  given?: string[];
  prefix?: string[];
  suffix?: string[];
}

interface Resource<T extends string> {
  resourceType: T;
  id?: string;
  meta?: { profile?: string[] };
}

export interface AuditEvent extends Resource<'AuditEvent'> {
  type: Coding;
  subtype?: Coding[];
  action?: 'C' | 'R' | 'U' | 'D' | 'E';
  period?: Period;
  recorded: string;
  outcome?: '0' | '4' | '8' | '12';
  agent: AuditEventAgent[];
  source: { site?: string; observer: Reference; type?: Coding[] };
  entity?: AuditEventEntity[];
}
export interface AuditEventAgent {
  type?: CodeableConcept;
  role?: CodeableConcept[];
  who?: Reference;
  altId?: string;
  name?: string;
  requestor: boolean;
  network?: { address?: string; type?: '1' | '2' | '3' | '4' | '5' };
}
export interface AuditEventEntity {
  what?: Reference;
  type?: Coding;
  role?: Coding;
  lifecycle?: Coding;
  name?: string;
  description?: string;
  query?: string;
  detail?: { type: string; valueString?: string; valueBase64Binary?: string }[];
}

export interface Practitioner extends Resource<'Practitioner'> {
  identifier?: Identifier[];
  active?: boolean;
  name?: HumanName[];
}
export interface PractitionerRole extends Resource<'PractitionerRole'> {
  identifier?: Identifier[];
  active?: boolean;
  period?: Period;
  practitioner?: Reference;
  organization?: Reference;
  code?: CodeableConcept[];
  specialty?: CodeableConcept[];
  location?: Reference[];
}
export interface Schedule extends Resource<'Schedule'> {
  active?: boolean;
  serviceType?: CodeableConcept[];
  actor: Reference[];
  planningHorizon?: Period;
}
export interface Slot extends Resource<'Slot'> {
  schedule: Reference;
  status: 'busy' | 'free' | 'busy-unavailable' | 'busy-tentative' | 'entered-in-error';
  start: string;
  end: string;
}
export interface Appointment extends Resource<'Appointment'> {
  status:
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
  serviceType?: CodeableConcept[];
  appointmentType?: CodeableConcept;
  start?: string;
  end?: string;
  minutesDuration?: number;
  participant: {
    type?: CodeableConcept[];
    actor?: Reference;
    required?: 'required' | 'optional' | 'information-only';
    status: 'accepted' | 'declined' | 'tentative' | 'needs-action';
  }[];
}
type RequestIntent =
  | 'proposal'
  | 'plan'
  | 'directive'
  | 'order'
  | 'original-order'
  | 'reflex-order'
  | 'filler-order'
  | 'instance-order'
  | 'option';
export interface MedicationRequest extends Resource<'MedicationRequest'> {
  status:
    | 'active'
    | 'on-hold'
    | 'cancelled'
    | 'completed'
    | 'entered-in-error'
    | 'stopped'
    | 'draft'
    | 'unknown';
  intent: Exclude<RequestIntent, 'directive'>;
  medicationCodeableConcept?: CodeableConcept;
  subject: Reference;
  authoredOn?: string;
  requester?: Reference;
  recorder?: Reference;
}
export interface ServiceRequest extends Resource<'ServiceRequest'> {
  status: 'draft' | 'active' | 'on-hold' | 'revoked' | 'completed' | 'entered-in-error' | 'unknown';
  intent: RequestIntent;
  code?: CodeableConcept;
  subject: Reference;
  authoredOn?: string;
  requester?: Reference;
}
export interface Patient extends Resource<'Patient'> {
  identifier?: Identifier[];
}

export type AnyResource =
  | AuditEvent
  | Practitioner
  | PractitionerRole
  | Schedule
  | Slot
  | Appointment
  | MedicationRequest
  | ServiceRequest
  | Patient;

export interface Bundle extends Resource<'Bundle'> {
  type:
    | 'document'
    | 'message'
    | 'transaction'
    | 'transaction-response'
    | 'batch'
    | 'batch-response'
    | 'history'
    | 'searchset'
    | 'collection';
  total?: number;
  entry?: {
    fullUrl?: string;
    resource?: AnyResource;
    search?: { mode?: 'match' | 'include' | 'outcome' };
    request?: { method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'; url: string };
  }[];
}
