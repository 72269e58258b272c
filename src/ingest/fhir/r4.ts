/**
 * The FHIR R4 resource types the FHIR importer's tests build, from DefinitelyTyped's maintained
 * R4 definitions (`@types/fhir`, module `fhir/r4`).
 */
import type * as fhir4 from 'fhir/r4.js';

export type Coding = fhir4.Coding;
export type CodeableConcept = fhir4.CodeableConcept;
export type Identifier = fhir4.Identifier;
export type Reference = fhir4.Reference;
export type Period = fhir4.Period;
export type HumanName = fhir4.HumanName;
export type AuditEvent = fhir4.AuditEvent;
export type AuditEventAgent = fhir4.AuditEventAgent;
export type AuditEventEntity = fhir4.AuditEventEntity;
export type Practitioner = fhir4.Practitioner;
export type PractitionerRole = fhir4.PractitionerRole;
export type Schedule = fhir4.Schedule;
export type Slot = fhir4.Slot;
export type Appointment = fhir4.Appointment;
export type MedicationRequest = fhir4.MedicationRequest;
export type ServiceRequest = fhir4.ServiceRequest;
export type Patient = fhir4.Patient;
export type Bundle = fhir4.Bundle<AnyResource>;
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
