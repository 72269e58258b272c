/**
 * One synthetic system, imported from each of its three forms (canonical CSV, Epic access log,
 * FHIR R4), gives identical metrics: every field of every clinician and day, to 1e-9.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate, type GenerateResult } from '../generate.ts';
import { canonicalForm, writeForm, type FormFiles } from './writeForms.ts';
import { DuckDBStore } from '../../store/duckdbStore.ts';
import type { Store } from '../../store/Store.ts';
import { importCsv } from '../../ingest/importCsv.ts';
import { importEpicAccessLog } from '../../ingest/epicAccessLog.ts';
import { importFhir } from '../../ingest/fhir/importFhir.ts';
import { Pseudonymizer } from '../../ingest/pseudonymize.ts';
import { clinicianMetrics, parseRequest } from '../../metrics/computeMetrics.ts';
import { CLINICIAN_FIELDS, type ClinicianMetricRow } from '../../model/metricRow.ts';
import { TABLES } from '../../model/canonical.ts';

describe('round trip: the same system from CSV, Epic and FHIR gives the same metrics', () => {
  let dir: string;
  let gen: GenerateResult;
  const stores = new Map<string, Store>();

  async function load(form: FormFiles, p: Pseudonymizer): Promise<Store> {
    const store = await DuckDBStore.open(':memory:');
    const common = {
      pseudonymizer: p,
      rejectsDir: join(dir, 'rejects'),
      actionMap: form.actionMap,
    };
    for (const table of TABLES) {
      const files = form[table];
      if (form.format === 'fhir') {
        const r = await importFhir(store, {
          ...common,
          table,
          files,
          identifierSystem: form.identifierSystem,
        });
        expect(r.rows_rejected, `${form.format} ${table}`).toBe(0);
      } else {
        for (const file of files) {
          const r =
            form.format === 'epic-access-log' && table === 'events'
              ? await importEpicAccessLog(store, {
                  ...common,
                  table,
                  file,
                  sourceTz: form.sourceTz ?? gen.timezone,
                })
              : await importCsv(store, { ...common, table, file });
          expect(r.rows_rejected, `${form.format} ${table}`).toBe(0);
        }
      }
    }
    return store;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'uptake-roundtrip-'));
    gen = await generate({ outDir: join(dir, 'csv'), clinicians: 5, days: 21, seed: 11 });
    const p = Pseudonymizer.load(join(dir, 'key'));
    stores.set('csv', await load(canonicalForm(gen), p));
    stores.set(
      'epic-access-log',
      await load(await writeForm(gen, 'epic-access-log', join(dir, 'epic')), p),
    );
    stores.set('fhir', await load(await writeForm(gen, 'fhir', join(dir, 'fhir')), p));
  }, 180_000);
  afterAll(async () => {
    for (const s of stores.values()) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the same number of events, schedule rows and orders', async () => {
    for (const t of ['events', 'schedule', 'orders', 'clinicians']) {
      const q = `SELECT count(*) AS n FROM ${t}`;
      const want = await stores.get('csv')!.all(q);
      for (const f of ['epic-access-log', 'fhir'])
        expect(await stores.get(f)!.all(q), `${f} ${t}`).toEqual(want);
    }
  });

  for (const variant of [
    {
      name: 'defaults, by day',
      period: 'day' as const,
      excl: [] as 'mobile'[],
      attribution: 'split' as const,
    },
    {
      name: 'mobile excluded, start attribution, by week',
      period: 'week' as const,
      excl: ['mobile' as const],
      attribution: 'start' as const,
    },
  ]) {
    it(`gives identical clinician rows: ${variant.name}`, async () => {
      const req = parseRequest({
        from: gen.from,
        to: gen.to,
        period: variant.period,
        options: {
          timezone: gen.timezone,
          timeout_seconds: 300,
          over_timeout: 'drop',
          direction: 'forward',
          attribution: variant.attribution,
          exclude_channels: variant.excl,
          session_merge_gap_minutes: 60,
          wow: 'schedule',
        },
      });
      const want = await clinicianMetrics(stores.get('csv')!, req);
      expect(want.length).toBeGreaterThanOrEqual(15);
      for (const f of ['epic-access-log', 'fhir']) {
        const got = await clinicianMetrics(stores.get(f)!, req);
        expect(got.length, f).toBe(want.length);
        want.forEach((w, i) => {
          const g = got[i] as ClinicianMetricRow;
          for (const k of CLINICIAN_FIELDS) {
            const a = w[k];
            const b = g[k];
            if (typeof a === 'number' && typeof b === 'number') {
              expect(
                Math.abs(a - b),
                `${f} ${w.user_id} ${w.period_start} ${k}`,
              ).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(a)));
            } else expect(b, `${f} ${w.user_id} ${w.period_start} ${k}`).toEqual(a);
          }
        });
      }
    });
  }
});
