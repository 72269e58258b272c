/**
 * The patient side of one synthetic system, imported from its canonical CSV and from its FHIR R4
 * form through the real importers (DuckDB): the same rows, none rejected, and the joins that the
 * engagement measures need hold after pseudonymization.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as r4 from 'fhir/r4.js';
import { generate, type GenerateResult } from '../generate.ts';
import { canonicalForm, writeForm, type FormFiles } from './writeForms.ts';
import { DuckDBStore } from '../../store/duckdbStore.ts';
import type { Store } from '../../store/Store.ts';
import { importCsv } from '../../ingest/importCsv.ts';
import { importFhir } from '../../ingest/fhir/importFhir.ts';
import { Pseudonymizer } from '../../ingest/pseudonymize.ts';
import { PATIENT_TABLES } from '../../model/canonical.ts';

const PATIENT_ORDER = ['patient_accounts', 'releases', 'messages', 'patient_events'] as const;

describe('the patient side from CSV and from FHIR R4', () => {
  let dir: string;
  let gen: GenerateResult;
  let fhir: FormFiles;
  const stores = new Map<string, Store>();

  async function load(form: FormFiles, p: Pseudonymizer): Promise<Store> {
    const store = await DuckDBStore.open(':memory:');
    const common = { pseudonymizer: p, rejectsDir: join(dir, 'rejects') };
    const isFhir = form.format === 'fhir';
    for (const table of ['clinicians', 'schedule'] as const) {
      for (const file of isFhir ? [form[table]] : form[table]) {
        const r = isFhir
          ? await importFhir(store, {
              ...common,
              table,
              files: file as string[],
              identifierSystem: form.identifierSystem,
            })
          : await importCsv(store, { ...common, table, file: file as string });
        expect(r.rows_rejected, `${form.format} ${table}`).toBe(0);
      }
    }
    for (const table of PATIENT_ORDER) {
      const files = form.patient![table];
      const csv = files.every((f) => f.endsWith('.csv'));
      for (const file of csv ? files : [files]) {
        const r = csv
          ? await importCsv(store, { ...common, table, file: file as string })
          : await importFhir(store, {
              ...common,
              table,
              files: file as string[],
              identifierSystem: form.identifierSystem,
            });
        expect(r.rows_rejected, `${form.format} ${table}`).toBe(0);
        expect(r.rows_stored, `${form.format} ${table}`).toBeGreaterThan(0);
      }
    }
    return store;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'uptake-patient-forms-'));
    gen = await generate({ outDir: join(dir, 'csv'), clinicians: 5, days: 21, seed: 11 });
    fhir = await writeForm(gen, 'fhir', join(dir, 'fhir'));
    const p = Pseudonymizer.load(join(dir, 'key'));
    stores.set('csv', await load(canonicalForm(gen), p));
    stores.set('fhir', await load(fhir, p));
  }, 180_000);
  afterAll(async () => {
    for (const s of stores.values()) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the same number of rows of each patient-side table', async () => {
    for (const t of PATIENT_TABLES) {
      const q = `SELECT count(*) AS n FROM ${t}`;
      const [want] = await stores.get('csv')!.all<{ n: number }>(q);
      const [got] = await stores.get('fhir')!.all<{ n: number }>(q);
      expect(Number(got!.n), t).toBe(Number(want!.n));
      expect(Number(want!.n), t).toBe(gen.patient!.counts[t]);
    }
  });

  it('keeps the joins after pseudonymization: patients, visits, viewed releases, replies', async () => {
    for (const [form, s] of stores) {
      const orphans = await s.all<{ t: string; n: number }>(
        `SELECT 'patient' AS t, count(*) AS n FROM patient_events e
           WHERE NOT EXISTS (SELECT 1 FROM schedule s WHERE s.patient_id = e.patient_id)
         UNION ALL SELECT 'release patient', count(*) FROM releases r
           WHERE NOT EXISTS (SELECT 1 FROM schedule s WHERE s.patient_id = r.patient_id)
         UNION ALL SELECT 'viewed release', count(*) FROM patient_events e
           WHERE e.action LIKE 'view_%' AND NOT EXISTS (SELECT 1 FROM releases r WHERE r.resource_id = e.resource_id)
         UNION ALL SELECT 'reply', count(*) FROM messages m
           WHERE m.in_reply_to IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages o WHERE o.message_id = m.in_reply_to)`,
      );
      for (const o of orphans) expect(Number(o.n), `${form}: ${o.t}`).toBe(0);
    }
    // A release's encounter is its visit's appointment id (in FHIR, as `Encounter/<id>`).
    const [csv] = await stores
      .get('csv')!
      .all<{ n: number }>(
        `SELECT count(*) AS n FROM releases r WHERE NOT EXISTS (SELECT 1 FROM schedule s WHERE s.appointment_id = r.encounter_id)`,
      );
    expect(Number(csv!.n)).toBe(0);
  });

  it('writes resources the importer reads as the patient side (requestor patient or proxy)', () => {
    const lines = readFileSync(fhir.patient!.patient_events[0]!, 'utf8').trim().split('\n');
    const events = lines.map((l) => JSON.parse(l) as r4.AuditEvent);
    const who = new Set(events.map((e) => e.agent[0]!.who!.reference!.split('/')[0]));
    expect([...who].sort()).toEqual(['Patient', 'RelatedPerson']);
  });
});
