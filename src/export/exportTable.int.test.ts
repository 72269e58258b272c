/**
 * Export and re-import, on every engine: each canonical table written as Parquet, CSV and JSON in
 * its canonical columns, and a store rebuilt from the Parquet (or CSV) files computes the same
 * metrics as the original.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TABLES } from '../model/canonical.ts';
import { DEFAULT_OPTIONS } from '../model/options.ts';
import { importCsv } from '../ingest/importCsv.ts';
import { detectFormat, importFiles } from '../ingest/importFiles.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { clinicianMetrics, parseRequest } from '../metrics/computeMetrics.ts';
import { DuckDBStore } from '../store/duckdbStore.ts';
import type { Store } from '../store/Store.ts';
import { engines } from '../testing/testEngines.ts';
import { generate, type GenerateResult } from '../synth/generate.ts';
import { exportTable, formatOfFile } from './exportTable.ts';

const dir = mkdtempSync(join(tmpdir(), 'uptake-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let gen: GenerateResult;
beforeAll(async () => {
  gen = await generate({ outDir: join(dir, 'synth'), clinicians: 6, days: 14, seed: 5 });
}, 120_000);

const key = () => Pseudonymizer.load(join(dir, 'key'));

async function rebuild(files: Record<string, string>, format: 'parquet' | 'csv'): Promise<Store> {
  const store = await DuckDBStore.open(':memory:');
  for (const t of TABLES)
    await importFiles(store, {
      table: t,
      format,
      files: [files[t]!],
      pseudonymizer: key(),
      rejectsDir: join(dir, 'rj'),
    });
  return store;
}

describe.each(engines())('export on $name', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await engine.open();
    for (const t of TABLES)
      await importCsv(store, {
        table: t,
        file: gen.files[t],
        pseudonymizer: key(),
        rejectsDir: join(dir, 'rj'),
      });
  }, 120_000);
  afterAll(async () => store?.close());

  it('writes every table in its canonical columns, and a store rebuilt from it agrees', async () => {
    const out = join(dir, engine.name);
    const files: Record<string, Record<string, string>> = { parquet: {}, csv: {}, json: {} };
    for (const t of TABLES)
      for (const f of ['parquet', 'csv', 'json'] as const) {
        const file = join(`${out}-${t}.${f}`);
        const n = await exportTable(store, t, file, f);
        const [c] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM ${t}`);
        expect(n, `${t} ${f}`).toBe(Number(c!.n));
        files[f]![t] = file;
      }
    // The CSV has the canonical header; JSON lines carry the same names.
    expect(readFileSync(files['csv']!['schedule']!, 'utf8').split('\n')[0]).toBe(
      'user_id,kind,start,end,status,visit_type,patient_id,appointment_id',
    );
    const first = JSON.parse(readFileSync(files['json']!['events']!, 'utf8').split('\n')[0]!);
    expect(Object.keys(first)).toEqual([
      'event_id',
      'occurred_at',
      'user_id',
      'action',
      'category',
      'patient_id',
      'encounter_id',
      'channel',
      'workstation_id',
      'source',
      'seq',
    ]);
    expect(await detectFormat(files['parquet']!['events']!, 'events')).toBe('parquet');

    const req = parseRequest({
      from: gen.from,
      to: gen.to,
      period: 'week',
      options: { ...DEFAULT_OPTIONS, timezone: gen.timezone },
    });
    const want = await clinicianMetrics(store, req);
    expect(want.length).toBeGreaterThan(0);
    for (const f of ['parquet', 'csv'] as const) {
      const copy = await rebuild(files[f]!, f);
      try {
        // Patient pseudonyms are hashed again on import (different text, same distinct count).
        expect(await clinicianMetrics(copy, req), f).toEqual(want);
      } finally {
        await copy.close();
      }
    }
  });
});

describe('Parquet import refusals and file names', () => {
  it('names a missing column, a file that is not Parquet, and infers formats from names', async () => {
    const store = await DuckDBStore.open(':memory:');
    try {
      const p = join(dir, 'partial.parquet');
      await store.run(
        `COPY (SELECT 'e1' AS event_id, TIMESTAMPTZ '2026-03-02 10:00:00+00' AS occurred_at) TO '${p}' (FORMAT parquet)`,
      );
      const opts = { table: 'events' as const, pseudonymizer: key(), rejectsDir: join(dir, 'rj') };
      await expect(importFiles(store, { ...opts, format: 'parquet', files: [p] })).rejects.toThrow(
        /missing required columns user_id, action for events/,
      );
      const notParquet = join(dir, 'not.parquet');
      writeFileSync(notParquet, 'event_id,occurred_at,user_id,action\n');
      await expect(
        importFiles(store, { ...opts, format: 'parquet', files: [notParquet] }),
      ).rejects.toThrow(/not a Parquet file; it looks like a canonical CSV file/);
      expect(formatOfFile('x.parquet')).toBe('parquet');
      expect(formatOfFile('x.NDJSON')).toBe('json');
      expect(formatOfFile('x.txt')).toBeNull();
    } finally {
      await store.close();
    }
  });
});
