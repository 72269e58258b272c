/**
 * The synthetic health system in the other two input forms of `docs/formats.md`: an Epic
 * Clarity access-log CSV (§2) and FHIR R4 NDJSON (§3–§5), converted from the canonical CSV files that
 * `generate()` writes, so that one system can be imported in every form and its metrics compared.
 *
 * Streaming and deterministic: DuckDB reads the canonical CSV and writes each output with
 * `COPY … TO` (bounded memory, sorts spill to disk); the same input gives byte-identical files.
 *
 * What survives a round trip (import of the form with `sourceTz`, `actionMap` and
 * `identifierSystem`):
 * - every event, with its user, instant (whole seconds in the Epic form), category, patient and
 *   encounter;
 * - `channel = mobile` in the Epic form (WORKSTATION_ID HAIKU/CANTO), but NOT in the FHIR form:
 *   §3's mapping has no channel, so the channel is written as an extension on the agent
 *   (`CHANNEL_EXT`) that the importer does not read, and mobile events come back as `desktop`;
 * - event ids: kept in FHIR (`id`), derived in Epic (ACCESS_INSTANT + PROCESS_ID + METRIC_ID), so
 *   events of one user at the same second may be ordered differently after an Epic import (and
 *   the importer rejects such rows when they share a METRIC_ID but not the patient);
 * - roster, schedule and orders: copied as canonical CSV in the Epic form (Clarity's access log
 *   has none of them); FHIR resources in the FHIR form (`fte` and `timezone` as extensions only;
 *   `entered_by` of a ServiceRequest as a Provenance, since R4 ServiceRequest has no `recorder`).
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { GenerateResult } from '../generate.ts';
import { epicActionMapCsv, fhirActionMapCsv } from './actionMaps.ts';
import { writeEpicAccessLog } from './epic.ts';
import { FHIR_FILES, writeAuditEvents, writeOrders, writeRoster, writeSchedule } from './fhir.ts';
import { USER_SYSTEM } from './fhirResources.ts';
import { writePatientSideFhir } from './fhirPatientSide.ts';
import type { PatientTable } from '../../model/canonical.ts';
import { PATIENT_FILES } from '../patientSide.ts';

export type SynthFormat = 'csv' | 'epic-access-log' | 'fhir';

/** The files of one form, by canonical table, in the order to import them. */
export interface FormFiles {
  format: SynthFormat;
  events: string[];
  clinicians: string[];
  schedule: string[];
  orders: string[];
  /** Time zone of naive local times (`--source-tz`): the Epic form's ACCESS_TIME. */
  sourceTz?: string;
  /** Action map to import the events with (`--action-map`): Epic and FHIR forms. */
  actionMap?: string;
  /**
   * The identifier system that carries the canonical user id (`--identifier-system`): the FHIR
   * form's Practitioners have no NPI, so without it the roster would be keyed `Practitioner/<id>`.
   */
  identifierSystem?: string;
  /**
   * The patient side (engagement.md §1), by table, when the system has one: FHIR R4 in the FHIR
   * form (Communication, DiagnosticReport and DocumentReference, the patients' AuditEvents),
   * canonical CSV otherwise. `patient_accounts` is canonical CSV in every form: no FHIR resource
   * maps to it.
   */
  patient?: Record<PatientTable, string[]>;
}

/** File names of the Epic form. */
export const EPIC_FILES = {
  accessLog: 'access-log.csv',
  actionMap: 'epic-action-map.csv',
  clinicians: 'clinicians.csv',
  schedule: 'schedule.csv',
  orders: 'orders.csv',
} as const;

/** Name of the FHIR form's action map. */
export const FHIR_ACTION_MAP_FILE = 'fhir-action-map.csv';

/** The canonical CSV files of a generated system as a `FormFiles` (format `csv`). */
export function canonicalForm(gen: GenerateResult): FormFiles {
  return {
    format: 'csv',
    events: [gen.files.events],
    clinicians: [gen.files.clinicians],
    schedule: [gen.files.schedule],
    orders: [gen.files.orders],
    ...(gen.patient ? { patient: patientLists(gen.patient.files) } : {}),
  };
}

function patientLists(files: Record<PatientTable, string>): Record<PatientTable, string[]> {
  return {
    patient_accounts: [files.patient_accounts],
    releases: [files.releases],
    messages: [files.messages],
    patient_events: [files.patient_events],
  };
}

async function copyUnlessSame(from: string, to: string): Promise<void> {
  if (resolve(from) !== resolve(to)) await copyFile(from, to);
}

/**
 * Convert a generated canonical system (GenerateResult of generate()) into `format` files in
 * outDir (created if missing).
 *
 * - `epic-access-log`: `access-log.csv` (Clarity columns, local ACCESS_TIME in `gen.timezone`,
 *   UTC-based ACCESS_INSTANT; see `epic.ts`), `epic-action-map.csv`, and copies of
 *   `clinicians.csv`, `schedule.csv`, `orders.csv`.
 * - `fhir`: `AuditEvent.ndjson`, `Practitioner.ndjson`, `PractitionerRole.ndjson`,
 *   `Schedule.ndjson`, `Slot.ndjson`, `Appointment.ndjson`, `MedicationRequest.ndjson`,
 *   `ServiceRequest.ndjson`, `Provenance.ndjson` (see `fhirResources.ts`) and `fhir-action-map.csv`.
 * - the patient side, when `gen` has one: canonical CSV copies in the Epic form; in the FHIR form
 *   `Communication.ndjson`, `DiagnosticReport.ndjson`, `DocumentReference.ndjson`,
 *   `AuditEvent.patient.ndjson` and `patient_accounts.csv` (`fhirPatientSide.ts`).
 *
 * @throws Error when an event's action has no Epic/FHIR form or (Epic) its user is not in the roster.
 */
export async function writeForm(
  gen: GenerateResult,
  format: 'epic-access-log' | 'fhir',
  outDir: string,
): Promise<FormFiles> {
  await mkdir(outDir, { recursive: true });
  // The engine loads when a form is written, not when the CLI starts (`uptake --help`).
  const { withScratchDuckDB } = await import('../../store/duckdbStore.ts');
  const at = (name: string): string => join(outDir, name);
  if (format === 'epic-access-log') {
    const f = {
      accessLog: at(EPIC_FILES.accessLog),
      actionMap: at(EPIC_FILES.actionMap),
      clinicians: at(EPIC_FILES.clinicians),
      schedule: at(EPIC_FILES.schedule),
      orders: at(EPIC_FILES.orders),
    };
    await withScratchDuckDB((c) => writeEpicAccessLog(c, gen.files, f.accessLog));
    await writeFile(f.actionMap, epicActionMapCsv());
    await copyUnlessSame(gen.files.clinicians, f.clinicians);
    await copyUnlessSame(gen.files.schedule, f.schedule);
    await copyUnlessSame(gen.files.orders, f.orders);
    // Clarity's access log holds no portal activity: the patient side as canonical CSV copies.
    let patient: Record<PatientTable, string> | undefined;
    if (gen.patient) {
      patient = { ...gen.patient.files };
      for (const t of Object.keys(PATIENT_FILES) as PatientTable[]) {
        patient[t] = at(PATIENT_FILES[t]);
        await copyUnlessSame(gen.patient.files[t], patient[t]);
      }
    }
    return {
      format,
      events: [f.accessLog],
      clinicians: [f.clinicians],
      schedule: [f.schedule],
      orders: [f.orders],
      sourceTz: gen.timezone,
      actionMap: f.actionMap,
      ...(patient ? { patient: patientLists(patient) } : {}),
    };
  }
  if (format !== 'fhir') throw new Error(`unknown synthetic format ${String(format)}`);
  const f = Object.fromEntries(
    Object.entries(FHIR_FILES).map(([k, name]) => [k, at(name)]),
  ) as Record<keyof typeof FHIR_FILES, string>;
  const actionMap = at(FHIR_ACTION_MAP_FILE);
  await withScratchDuckDB(async (c) => {
    await writeRoster(c, gen.files.clinicians, f);
    await writeSchedule(c, gen.files.schedule, f);
    await writeOrders(c, gen.files.orders, f);
    await writeAuditEvents(c, gen.files.events, f.auditEvent);
  });
  await writeFile(actionMap, fhirActionMapCsv());
  const patient = gen.patient ? await writePatientSideFhir(gen.patient.files, outDir) : undefined;
  return {
    format,
    events: [f.auditEvent],
    clinicians: [f.practitioner, f.practitionerRole],
    schedule: [f.schedule, f.slot, f.appointment],
    orders: [f.medicationRequest, f.serviceRequest, f.provenance],
    actionMap,
    identifierSystem: USER_SYSTEM,
    ...(patient ? { patient } : {}),
  };
}
