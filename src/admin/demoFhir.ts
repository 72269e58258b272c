/**
 * The demo's EHR FHIR server (engagement.md §3: follow-ups are delivered as FHIR Communication,
 * CarePlan and Task to the EHR's FHIR server). The demo starts a real FHIR R4 server on loopback
 * (Medplum's router over its in-memory repository, `src/synth/fhirServer.ts`), seeds it with the
 * recent visits of the clinicians who have demo accounts — each Appointment with its raw patient
 * and practitioner, as the EHR holds them, which Uptake itself never stores — and points the
 * `followups` setting at it, so a follow-up written on My report shows up there too.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { FOLLOWUP_LIMITS } from '../model/followup.ts';
import { setSetting } from '../store/settings.ts';
import type { Store } from '../store/Store.ts';
import { startFhirServer, type FhirServer } from '../synth/fhirServer.ts';

/**
 * Start the demo's FHIR server, seed it from the generated `schedule.csv` with the appointments
 * of `clinicianIds` that began in the `FOLLOWUP_LIMITS.visit_days` days before `now`, and store
 * the `followups` setting that delivers to it.
 */
export async function startDemoFhir(
  store: Store,
  o: { scheduleCsv: string; clinicianIds: readonly string[]; now: Date; linkDays?: number },
): Promise<{ server: FhirServer; visits: number }> {
  const server = await startFhirServer();
  const wanted = new Set(o.clinicianIds);
  const since = o.now.getTime() - FOLLOWUP_LIMITS.visit_days * 86_400_000;
  let visits = 0;
  // The generator's CSV has no quoted fields; its columns are named by the header.
  const lines = createInterface({ input: createReadStream(o.scheduleCsv), crlfDelay: Infinity });
  let col: Record<string, number> | null = null;
  for await (const line of lines) {
    const f = line.split(',');
    if (!col) {
      col = Object.fromEntries(f.map((name, i) => [name, i]));
      continue;
    }
    const get = (name: string) => f[col![name] ?? -1] ?? '';
    if (get('kind') !== 'appointment' || !wanted.has(get('user_id')) || !get('patient_id'))
      continue;
    const start = Date.parse(get('start'));
    if (!(start >= since && start <= o.now.getTime())) continue;
    await server.seedVisit({
      appointmentId: get('appointment_id'),
      patientId: get('patient_id'),
      practitionerId: get('user_id'),
      start: new Date(start).toISOString(),
      end: new Date(Date.parse(get('end'))).toISOString(),
    });
    visits++;
  }
  await setSetting(
    store,
    'followups',
    JSON.stringify({ fhir_base_url: server.baseUrl, link_days: o.linkDays ?? 14 }),
  );
  return { server, visits };
}
