/**
 * The demo's surveys (issue #14), on both engines: a roster of two go-live departments (ten
 * clinicians each, with accounts) and one other; `ensureDemoSurveys` makes the pre and post SUS and
 * NPS surveys dated inside the data and the open survey; the before/after shows the model's known
 * go-live effect (+15 SUS points) inside its interval and the interval above zero; NPS rises; the
 * demo clinician of the other department has the open survey waiting; a second run makes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines } from '../testing/testEngines.ts';
import { loadDataset } from '../testing/loadDataset.ts';
import type { Store } from '../store/Store.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { surveyComparison, surveyResults } from '../program/surveyResults.ts';
import { listSurveys, surveyForMe } from '../program/surveyStore.ts';
import { susScore } from '../program/surveyScores.ts';
import { SUS_LINK_IDS } from '../program/surveyInstruments.ts';
import { saveTool } from '../analysis/tools.ts';
import { accountsOf } from './accounts.ts';
import {
  DEMO_SURVEY_EFFECT,
  ensureDemoSurveys,
  susSheet,
  type DemoSurveysSummary,
} from './demoSurveys.ts';

const SPAN = {
  from: '2026-01-05',
  to: '2026-06-22',
  goLive: {
    date: '2026-03-30',
    tool: 'Ambient notes',
    actions: [],
    departments: ['Cardiology', 'Oncology'],
  },
};
const NOW = new Date('2026-06-23T10:30:00Z');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'uptake-demo-surveys-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a SUS sheet of the model', () => {
  it('scores the score it was made for, rounded to 2.5', () => {
    for (const s of [0, 12.5, 55, 61.3, 70, 97.5, 100])
      expect(susScore(SUS_LINK_IDS.map((id) => susSheet(s)[id]!))).toBe(Math.round(s / 2.5) * 2.5);
  });
});

describe.each(engines())('the demo’s surveys on $name', (engine) => {
  let store: Store;
  let made: DemoSurveysSummary | null;
  const keyFile = () => join(dir, `key-${engine.name}`);

  beforeAll(async () => {
    store = await engine.open();
    const depts = ['Cardiology', 'Oncology', 'Surgery'];
    await loadDataset(store, {
      events: [],
      schedule: [],
      clinicians: depts.flatMap((d) =>
        Array.from({ length: 10 }, (_, i) => ({
          user_id: `${d[0]}${i + 1}`,
          role: 'physician',
          department: d,
          specialty: d,
        })),
      ),
    });
    const acc = accountsOf(store);
    for (const d of depts)
      for (let i = 1; i <= 10; i++)
        await acc.create({
          username: `${d.toLowerCase()}${i}`,
          password: 'a long test password',
          role: 'clinician',
          clinician_id: `${d[0]}${i}`,
        });
    await saveTool(store, {
      name: SPAN.goLive.tool,
      description: null,
      habitual_uses: 5,
      actions: ['AMBIENT*'],
      categories: [],
      eligible: { roles: [], departments: [], specialties: [] },
      courses: [],
      target_metric: null,
      target_direction: null,
      golives: SPAN.goLive.departments.map((group) => ({
        group_by: 'department' as const,
        group,
        date: SPAN.goLive.date,
      })),
    });
    made = await ensureDemoSurveys(store, { span: SPAN, now: NOW, keyFile: keyFile() });
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  });

  it('makes the pre and post SUS and NPS, dated inside the data, and one open survey', async () => {
    expect(made).not.toBeNull();
    const all = await listSurveys(store);
    expect(all).toHaveLength(5);
    const closed = all.filter((s) => s.state === 'closed');
    expect(closed).toHaveLength(4);
    for (const s of closed) {
      expect(s.anonymous).toBe(true);
      expect(s.opened_at! >= SPAN.from && s.closed_at! < SPAN.to).toBe(true);
      expect(JSON.parse(s.target_groups)).toEqual([
        { by: 'department', value: 'Cardiology' },
        { by: 'department', value: 'Oncology' },
      ]);
    }
    // Each names the roll-out as a whole and its phase, so the Go-live page can pair them.
    expect(
      closed.map((s) => [s.instrument, s.golive_tool, s.golive_by, s.golive_value, s.phase]).sort(),
    ).toEqual([
      ['nps', 'Ambient notes', 'org', 'organisation', 'post'],
      ['nps', 'Ambient notes', 'org', 'organisation', 'pre'],
      ['sus', 'Ambient notes', 'org', 'organisation', 'post'],
      ['sus', 'Ambient notes', 'org', 'organisation', 'pre'],
    ]);
    const pre = all.find((s) => s.id === made!.pre.sus)!;
    expect(pre.opened_at!.slice(0, 10)).toBe('2026-03-09');
    expect(all.find((s) => s.id === made!.open)!.state).toBe('open');
  });

  it('shows the known go-live effect on SUS with its interval; NPS rises', async () => {
    const c = await surveyComparison(store, made!.pre.sus, made!.post.sus, {
      by: 'org',
      threshold: 5,
    });
    const d = c.total.difference!;
    // 85% of the 20 invited answer each time
    expect(c.before.total.responses).toBeGreaterThanOrEqual(12);
    expect(d.ci95[0]).toBeGreaterThan(0);
    expect(d.ci95[0]).toBeLessThanOrEqual(DEMO_SURVEY_EFFECT.sus);
    expect(d.ci95[1]).toBeGreaterThanOrEqual(DEMO_SURVEY_EFFECT.sus);
    const n = await surveyComparison(store, made!.pre.nps, made!.post.nps, {
      by: 'org',
      threshold: 5,
    });
    expect(n.total.difference!.estimate).toBeGreaterThan(0);
    // per department, each shown (10 invited, above the threshold when ≥ 5 answer)
    const r = await surveyResults(store, made!.post.sus, { by: 'department', threshold: 5 });
    expect(r.groups.map((g) => g.group)).toEqual(['Cardiology', 'Oncology']);
    for (const g of r.groups) expect(g.invited).toBe(10);
  });

  it('has the open survey waiting for a clinician of another department', async () => {
    const key = Pseudonymizer.load(keyFile()).derivedKey('survey-invitees');
    const w = await surveyForMe(
      store,
      {
        username: 'surgery1',
        role: 'clinician',
        clinician: { department: 'Surgery', specialty: 'Surgery', role: 'physician' },
        groups: [],
      },
      { key },
    );
    expect(w?.survey.id).toBe(made!.open);
    expect(w?.survey.instrument).toBe('net');
  });

  it('makes nothing the second time', async () => {
    expect(await ensureDemoSurveys(store, { span: SPAN, now: NOW, keyFile: keyFile() })).toBeNull();
    expect(await listSurveys(store)).toHaveLength(5);
  });
});
