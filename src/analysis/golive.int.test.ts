/**
 * Recovery of the synthetic system's known go-live effect (DuckDB only: it generates and imports
 * two systems of ~3 million events; the SQL paths are tested on both engines elsewhere).
 *
 * The system (40 clinicians, 18 weeks from 2026-01-05) is generated twice with the same seed: as it
 * is, and with the go-live's effects switched off (`goLiveEffects: false`), which changes nothing
 * but the live departments' days after go-live. The known effect on a live group's weekly value is
 * then the difference between the two systems; its mean over the weeks after the transition is
 * what both models estimate. IB-Time8 is untouched by the tool (a null effect). Placebo go-lives
 * in a department that never goes live give more null effects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBStore } from '../store/duckdbStore.ts';
import type { Store } from '../store/Store.ts';
import { importCsv } from '../ingest/importCsv.ts';
import { importTraining } from '../ingest/importTraining.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { generate, type GenerateResult } from '../synth/generate.ts';
import { DEFAULT_OPTIONS } from '../model/options.ts';
import { TABLES } from '../model/canonical.ts';
import { adoptionReport } from './adoption.ts';
import {
  evaluate,
  EVALUATION_DEFAULTS,
  type EvaluateRequest,
  type EvaluationReport,
} from './evaluate.ts';
import { getTool, parseTool, parseToolsFile, saveTool } from './tools.ts';
import { readFileSync } from 'node:fs';
import type { Estimate } from './stats/regression.ts';

const TRANSITION = 2;
let dir: string;

async function system(goLiveEffects: boolean): Promise<{ store: Store; gen: GenerateResult }> {
  const out = join(dir, goLiveEffects ? 'live' : 'counterfactual');
  const gen = await generate({ outDir: out, clinicians: 40, days: 126, seed: 11, goLiveEffects });
  const store = await DuckDBStore.open(join(out, 'u.duckdb'));
  const p = Pseudonymizer.load(join(out, 'key'));
  for (const table of TABLES)
    await importCsv(store, {
      table,
      file: gen.files[table],
      pseudonymizer: p,
      rejectsDir: join(out, 'rejects'),
    });
  await importTraining(store, {
    format: 'csv',
    file: gen.training!.csv,
    pseudonymizer: p,
    rejectsDir: join(out, 'rejects'),
  });
  for (const t of parseToolsFile(
    JSON.parse(readFileSync(gen.training!.tools, 'utf8')),
    'tools.json',
  ))
    await saveTool(store, t);
  return { store, gen };
}

const inside = (e: Estimate, v: number) => e.ci95[0] <= v && v <= e.ci95[1];

describe('the generator’s go-live, recovered', () => {
  let live: { store: Store; gen: GenerateResult };
  let cf: { store: Store; gen: GenerateResult };
  let req: EvaluateRequest;
  let withEffect: EvaluationReport;
  let without: EvaluationReport;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'uptake-golive-'));
    live = await system(true);
    cf = await system(false);
    req = {
      tool: await getTool(live.store, 'ambient-notes'),
      metrics: ['ehr_time8', 'note_time8', 'ib_time8'],
      by: 'department',
      from: live.gen.from,
      to: live.gen.to,
      metricOptions: { ...DEFAULT_OPTIONS, timezone: live.gen.timezone },
      ...EVALUATION_DEFAULTS,
      transitionWeeks: TRANSITION,
      cache: true,
    };
    withEffect = await evaluate(live.store, req);
    without = await evaluate(cf.store, req);
  }, 600_000);
  afterAll(async () => {
    await live?.store.close();
    await cf?.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Mean over the post-transition weeks of (with − without) for a group's weekly value. */
  function truth(metric: string, group: string): number {
    const goLiveWeek = live.gen.goLive.date;
    const post = (r: EvaluationReport) =>
      new Map(
        r.series
          .filter(
            (s) =>
              s.metric === metric &&
              s.group === group &&
              s.week_start >= addWeeks(goLiveWeek, TRANSITION),
          )
          .map((s) => [s.week_start, s.value]),
      );
    const a = post(withEffect);
    const b = post(without);
    const d = [...a].filter(([w]) => b.has(w)).map(([w, v]) => v - b.get(w)!);
    return d.reduce((s, x) => s + x, 0) / d.length;
  }

  it('shows the adoption funnel of the go-live by department', async () => {
    const r = await adoptionReport(
      live.store,
      {
        tool: req.tool,
        by: 'department',
        from: req.from,
        to: req.to,
        timezone: req.metricOptions.timezone,
      },
      5,
    );
    const north = r.funnel.find((f) => f.group === 'Northside Primary Care')!;
    const down = r.funnel.find((f) => f.group === 'Downtown Primary Care')!;
    expect(north.go_live).toBe(live.gen.goLive.date);
    expect(north.first_use_share!).toBeGreaterThan(0.5); // 85% adopt, in expectation
    expect(north.trained!).toBeGreaterThan(0);
    expect(down).toMatchObject({ go_live: null, live: 0, first_use: 0 });
    // adoption curve: weekly active users rise after go-live
    const weeks = r.weekly.filter((w) => w.group === 'Riverside Primary Care');
    const before = weeks.filter((w) => w.week_start < live.gen.goLive.date);
    expect(before.every((w) => w.weekly_active === 0)).toBe(true);
    expect(weeks[weeks.length - 1]!.weekly_active).toBeGreaterThan(0);
  });

  it('recovers the known effect on EHR-Time8 and Note-Time8 within the reported intervals', () => {
    for (const metric of ['ehr_time8', 'note_time8']) {
      const wave = withEffect.results.find((x) => x.metric === metric && x.kind === 'wave')!;
      const known = (() => {
        // the wave's value is the clinician-weighted mean of its groups'
        const groups = ['Northside Primary Care', 'Riverside Primary Care'];
        const n = groups.map(
          (g) => withEffect.results.find((x) => x.group === g && x.metric === metric)!.clinicians,
        );
        return groups.reduce((s, g, i) => s + n[i]! * truth(metric, g), 0) / (n[0]! + n[1]!);
      })();
      expect(known, metric).toBeLessThan(0); // the tool saves note time
      const its = wave.its!.estimates!['average_effect']!;
      const did = wave.did!.estimates!['att']!;
      console.log(metric, {
        known,
        its: [its.estimate, ...its.ci95],
        did: [did.estimate, ...did.ci95],
      });
      expect(inside(its, known), `${metric} ITS ${JSON.stringify(its)} vs ${known}`).toBe(true);
      expect(inside(did, known), `${metric} DiD ${JSON.stringify(did)} vs ${known}`).toBe(true);
    }
    // note time: the effect is large enough to be found
    const notes = withEffect.results.find((x) => x.metric === 'note_time8' && x.kind === 'wave')!;
    expect(notes.did!.estimates!['att']!.ci95[1]).toBeLessThan(0);
  });

  it('does not declare an effect on IB-Time8, which the tool does not touch', () => {
    const wave = withEffect.results.find((x) => x.metric === 'ib_time8' && x.kind === 'wave')!;
    for (const e of [wave.its!.estimates!['average_effect']!, wave.did!.estimates!['att']!])
      expect(inside(e, 0), JSON.stringify(e)).toBe(true);
  });

  it('declares few placebo go-lives significant', async () => {
    // Downtown never goes live: pretend it did on four dates; Children's is the control.
    let significant = 0;
    let total = 0;
    for (const [i, date] of ['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23'].entries()) {
      await saveTool(
        live.store,
        parseTool({
          name: `placebo-${i}`,
          actions: ['no_such_action'],
          eligible: { departments: ['Downtown Primary Care', "Children's Primary Care"] },
          golives: [{ group_by: 'department', group: 'Downtown Primary Care', date }],
        }),
      );
      const r = await evaluate(live.store, {
        ...req,
        tool: await getTool(live.store, `placebo-${i}`),
      });
      expect(r.options['weekly_metrics_from_cache']).toBe(true);
      for (const x of r.results.filter((y) => y.kind === 'live group'))
        for (const e of [x.its?.estimates?.['average_effect'], x.did?.estimates?.['att']])
          if (e) {
            total++;
            if (!inside(e, 0)) significant++;
          }
    }
    console.log('placebo significant', significant, 'of', total);
    expect(total).toBe(24);
    expect(significant).toBeLessThanOrEqual(4);
  });
});

function addWeeks(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 7 * 86_400_000).toISOString().slice(0, 10);
}
