/**
 * The FHIR R4 resource types the generator writes, from DefinitelyTyped's maintained R4
 * definitions (`@types/fhir`, module `fhir/r4`).
 */
import type * as fhir4 from 'fhir/r4.js';

export type Element = fhir4.Element;
export type Extension = fhir4.Extension;
export type Coding = fhir4.Coding;
export type CodeableConcept = fhir4.CodeableConcept;
export type Identifier = fhir4.Identifier;
export type Reference = fhir4.Reference;
export type Period = fhir4.Period;
export type HumanName = fhir4.HumanName;
export type Resource = fhir4.Resource;
export type DomainResource = fhir4.DomainResource;
export type AuditEventAgentNetwork = fhir4.AuditEventAgentNetwork;
export type AuditEventAgent = fhir4.AuditEventAgent;
export type AuditEventSource = fhir4.AuditEventSource;
export type AuditEventEntity = fhir4.AuditEventEntity;
export type AuditEvent = fhir4.AuditEvent;
export type Practitioner = fhir4.Practitioner;
export type PractitionerRole = fhir4.PractitionerRole;
export type Schedule = fhir4.Schedule;
export type Slot = fhir4.Slot;
export type AppointmentStatus = fhir4.Appointment['status'];
export type AppointmentParticipant = fhir4.AppointmentParticipant;
export type Appointment = fhir4.Appointment;
export type MedicationRequest = fhir4.MedicationRequest;
export type ServiceRequest = fhir4.ServiceRequest;
export type ProvenanceAgent = fhir4.ProvenanceAgent;
export type Provenance = fhir4.Provenance;
