/**
 * Clinician identities: every (system, value) under which a source may name a roster clinician,
 * kept in the table `clinician_identifiers(system, value, user_id, import_id)` (schema 7), one
 * clinician per (system, value). The FHIR importer writes it when it imports a roster; FHIR
 * references in later imports and a SMART launch's `fhirUser` are resolved through it.
 *
 * Conventions (the FHIR importer's SQL follows them, `src/ingest/fhir/identities.ts`):
 *
 * - a FHIR Practitioner's resource id: `system` = `'Practitioner'`, `value` = the id (`p1` for
 *   `Practitioner/p1` or `https://ehr.example.org/fhir/Practitioner/p1`);
 * - a FHIR PractitionerRole's resource id: `system` = `'PractitionerRole'`, `value` = the id (it
 *   names the role's practitioner);
 * - a business identifier: its `identifier.system` URI and `identifier.value`, e.g. an NPI is
 *   (`http://hl7.org/fhir/sid/us-npi`, `1234567893`). Identifiers without a system, those with
 *   `use` = `old` (they may name someone else now) and those of a patient type (an SSN, …:
 *   `PATIENT_IDENTIFIER_TYPES`) are not kept.
 *
 * The roster key (`clinicians.user_id`) of a Practitioner is the value of its identifier of the
 * key system (`--identifier-system`, the NPI by default), else `Practitioner/<id>`, else its first
 * identifier's value (`practitionerKey`). The importer consults the table before falling back
 * from the key system: a Practitioner whose id or identifier already names a clinician keeps
 * that clinician's key.
 *
 * To find the clinician a SMART `fhirUser` (`Practitioner/123`, or an absolute URL) names: take
 * `referenceIdentity(fhirUser)` and look up its (system, value); to use a Practitioner resource
 * read from the FHIR server, look up each of `practitionerIdentities(resource)`.
 */

/** The NPI's identifier system (US Core), the default key system. */
export const NPI_SYSTEM = 'http://hl7.org/fhir/sid/us-npi';

/** The `system` under which a FHIR resource id is kept. */
export const RESOURCE_ID_SYSTEMS = ['Practitioner', 'PractitionerRole'] as const;
export type ResourceIdSystem = (typeof RESOURCE_ID_SYSTEMS)[number];

/** One row of `clinician_identifiers` without its clinician and import. */
export interface ClinicianIdentifier {
  system: string;
  value: string;
}

/**
 * Identifier type codes (HL7 v2 table 0203) that name a patient (or a patient's account,
 * coverage or social security number). An identifier of such a type is never a clinician
 * identity; a FHIR reference by one is a patient's (the importer rejects or pseudonymizes it).
 */
export const PATIENT_IDENTIFIER_TYPES = [
  'MR', // medical record number
  'MRT', // temporary medical record number
  'PI', // patient internal identifier
  'PT', // patient external identifier
  'AN', // account number
  'MB', // member number
  'MA', // patient Medicaid number
  'MC', // patient's Medicare number
  'SN', // subscriber number
  'SS', // social security number
  'JHN', // jurisdictional health number
] as const;

/** The parts of a FHIR Identifier the conventions read. */
export interface IdentifierLike {
  system?: string | undefined;
  value?: string | undefined;
  use?: string | undefined;
  type?:
    | { coding?: { system?: string | undefined; code?: string | undefined }[] | undefined }
    | undefined;
}

/** The parts of a FHIR Practitioner the conventions read. */
export interface PractitionerLike {
  id?: string | undefined;
  identifier?: IdentifierLike[] | undefined;
}

/** True when an identifier has a patient type (`PATIENT_IDENTIFIER_TYPES`, of v2 table 0203). */
export function isPatientIdentifier(i: IdentifierLike): boolean {
  return (i.type?.coding ?? []).some(
    (c) =>
      (PATIENT_IDENTIFIER_TYPES as readonly string[]).includes(c.code ?? '') &&
      (c.system === undefined || c.system.endsWith('v2-0203')),
  );
}

/** A FHIR logical id: what a `Type/id` reference may end with. */
const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;

/**
 * The identity a literal FHIR reference (relative `Practitioner/p1`, absolute
 * `https://x/fhir/Practitioner/p1`, with or without `/_history/…`) names, as a key of
 * `clinician_identifiers`; null for any other reference (another type, conditional, `urn:uuid:`,
 * contained). A SMART launch's `fhirUser` is such a reference.
 */
export function referenceIdentity(reference: string): ClinicianIdentifier | null {
  if (reference.includes('?') || reference.startsWith('#')) return null;
  const parts = reference.replace(/\/_history\/[^/]+$/, '').split('/');
  const id = parts.pop();
  const type = parts.pop();
  if (!id || !FHIR_ID.test(id)) return null;
  if (type !== 'Practitioner' && type !== 'PractitionerRole') return null;
  return { system: type, value: id };
}

/** Identifiers usable as identities: with a value, not `use = old`, not of a patient type. */
function usable(p: PractitionerLike): IdentifierLike[] {
  return (p.identifier ?? []).filter((i) => i.value && i.use !== 'old' && !isPatientIdentifier(i));
}

/** Business identifiers that are kept: usable, and with a system. */
function kept(p: PractitionerLike): ClinicianIdentifier[] {
  return usable(p)
    .filter((i) => i.system)
    .map((i) => ({ system: i.system!, value: i.value! }));
}

/**
 * Every identity under which a FHIR Practitioner names its clinician: its resource id (system
 * `Practitioner`) and its kept business identifiers, in that order.
 */
export function practitionerIdentities(p: PractitionerLike): ClinicianIdentifier[] {
  return [...(p.id ? [{ system: 'Practitioner', value: p.id }] : []), ...kept(p)];
}

/**
 * The roster key of a FHIR Practitioner: the value of its identifier of `keySystem` (not `use =
 * old`), else `Practitioner/<id>`, else its first identifier's value; null when it has none.
 */
export function practitionerKey(p: PractitionerLike, keySystem = NPI_SYSTEM): string | null {
  const ids = usable(p);
  return (
    ids.find((i) => i.system === keySystem)?.value ??
    (p.id ? `Practitioner/${p.id}` : (ids[0]?.value ?? null))
  );
}
