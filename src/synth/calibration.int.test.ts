/**
 * Calibration of the default synthetic system against the published figures of shared/SPEC.md,
 * measured end to end: generated as CSV, imported, and computed by the real metrics engine
 * (gap model, 5-minute timeout, forward, drop, split — the defaults).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate, type GenerateResult } from './generate.ts';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { importCsv } from '../ingest/importCsv.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { clinicianMetrics, parseRequest } from '../metrics/computeMetrics.ts';
import { DEFAULT_OPTIONS } from '../model/options.ts';
import { TABLES, type ClinicianRow } from '../model/canonical.ts';
import type { ClinicianMetricRow } from '../model/metricRow.ts';

const PRIMARY = new Set(['family medicine', 'internal medicine', 'pediatrics']);
const SURGICAL = new Set(['orthopaedic surgery', 'general surgery']);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = (s.length - 1) / 2;
  return ((s[Math.floor(m)] ?? NaN) + (s[Math.ceil(m)] ?? NaN)) / 2;
}

describe('calibration of the default synthetic health system (engine-measured)', () => {
  let dir: string;
  let gen: GenerateResult;
  let all: ClinicianMetricRow[];
  let clinicDays: Map<string, number>;
  let roster: Map<string, ClinicianRow & { fte: number }>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'uptake-calib-'));
    gen = await generate({ outDir: join(dir, 'data') }); // the defaults: 60 clinicians, 84 days, seed 1
    const store = await DuckDBStore.open(':memory:');
    const p = Pseudonymizer.load(join(dir, 'key'));
    for (const t of TABLES)
      await importCsv(store, {
        table: t,
        file: gen.files[t],
        pseudonymizer: p,
        rejectsDir: join(dir, 'rej'),
      });
    const req = parseRequest({
      from: gen.from,
      to: gen.to,
      period: 'all',
      options: { ...DEFAULT_OPTIONS, timezone: gen.timezone },
    });
    all = await clinicianMetrics(store, req);
    const days = await clinicianMetrics(store, { ...req, period: 'day' });
    clinicDays = new Map();
    for (const d of days)
      if (d.scheduled_hours > 0) clinicDays.set(d.user_id, (clinicDays.get(d.user_id) ?? 0) + 1);
    const rows = await store.all<ClinicianRow & { fte: number }>(
      `SELECT user_id, role, specialty, department, fte FROM clinicians`,
    );
    roster = new Map(rows.map((r) => [r.user_id, r]));
    await store.close();
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const group = (pred: (c: ClinicianRow & { fte: number }) => boolean) =>
    all.filter((r) => pred(roster.get(r.user_id)!));
  const primaryFullTime = () =>
    group((c) => PRIMARY.has(c.specialty ?? '') && c.fte >= 1 && c.role === 'physician');

  it('has every clinician of the roster', () => {
    expect(all).toHaveLength(60);
  });

  it('full-time primary care: 5–6 EHR hours per clinic day, 1–1.5 h of it outside clinic sessions (Arndt 2017)', () => {
    const rows = primaryFullTime();
    expect(rows.length).toBeGreaterThanOrEqual(5);
    const days = rows.reduce((s, r) => s + (clinicDays.get(r.user_id) ?? 0), 0);
    const ehr = rows.reduce((s, r) => s + r.ehr_hours, 0) / days;
    const outside = rows.reduce((s, r) => s + r.wow_hours, 0) / days;
    expect(ehr).toBeGreaterThanOrEqual(5);
    expect(ehr).toBeLessThanOrEqual(6);
    expect(outside).toBeGreaterThanOrEqual(1);
    expect(outside).toBeLessThanOrEqual(1.5);
  });

  it('primary care: inbox 20–25% of EHR time (Arndt 2017)', () => {
    const rows = group((c) => PRIMARY.has(c.specialty ?? ''));
    const share =
      rows.reduce((s, r) => s + r.inbox_hours, 0) / rows.reduce((s, r) => s + r.ehr_hours, 0);
    expect(share).toBeGreaterThanOrEqual(0.2);
    expect(share).toBeLessThanOrEqual(0.25);
  });

  it('EHR-Time8: primary care median 5–7, surgical specialties far lower (Melnick 2021, Sinsky 2024)', () => {
    const primary = median(group((c) => PRIMARY.has(c.specialty ?? '')).map((r) => r.ehr_time8!));
    const surgical = median(group((c) => SURGICAL.has(c.specialty ?? '')).map((r) => r.ehr_time8!));
    expect(primary).toBeGreaterThanOrEqual(5);
    expect(primary).toBeLessThanOrEqual(7);
    expect(surgical).toBeLessThan(primary * 0.75);
  });

  it('about 16 minutes of EHR time per appointment across the organisation (Overhage 2020)', () => {
    const minutes =
      (all.reduce((s, r) => s + r.ehr_hours, 0) * 60) / all.reduce((s, r) => s + r.appointments, 0);
    expect(minutes).toBeGreaterThanOrEqual(13);
    expect(minutes).toBeLessThanOrEqual(19);
  });

  it('has 1,000–1,400 events per clinician clinic day on average', () => {
    const events = all.reduce((s, r) => s + r.events, 0);
    const days = [...clinicDays.values()].reduce((a, b) => a + b, 0);
    expect(events / days).toBeGreaterThanOrEqual(1000);
    expect(events / days).toBeLessThanOrEqual(1400);
  });
});
