/**
 * The analysis endpoints: tools, adoption and go-live evaluation. Roles (a clinician and a
 * champion get 403 for adoption and evaluation, and only their own groups' go-lives; a leader sees
 * only their groups) and the structure of the answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { evaluate, EVALUATION_DEFAULTS } from '../analysis/evaluate.ts';
import { buildEvaluationFixture } from '../testing/evaluationFixture.ts';
import { getTool, parseTool, parseToolsFile, removeTool, saveTool } from '../analysis/tools.ts';
import { DEFAULT_OPTIONS } from '../model/options.ts';
import { setSetting } from '../store/settings.ts';
import { engines } from '../testing/testEngines.ts';
import {
  call,
  login,
  testSystem,
  removeTestDir,
  type Session,
  type TestSystem,
} from '../testing/testSystem.ts';

afterAll(removeTestDir);

describe.each(engines({ citus: true }))('analysis API on $name', (engine) => {
  let sys: TestSystem;
  let admin: Session;
  let leader: Session;
  let champion: Session;
  let clin: Session;
  let tool: string;

  beforeAll(async () => {
    sys = await testSystem(engine);
    const g = sys.gen.goLive;
    tool = g.tool;
    await saveTool(
      sys.store,
      parseTool({
        name: g.tool,
        actions: g.actions,
        golives: g.departments.map((d) => ({ group_by: 'department', group: d, date: g.date })),
      }),
    );
    admin = await login(sys.app, sys.account('admin'));
    leader = await login(sys.app, sys.account('leader'));
    champion = await login(sys.app, sys.account('champion'));
    clin = await login(sys.app, sys.account('clinician', 0));
  }, 600_000);
  afterAll(async () => sys?.close());

  const urls = () => [
    '/api/tools',
    `/api/adoption?tool=${encodeURIComponent(tool)}&by=department`,
    `/api/golive?tool=${encodeURIComponent(tool)}&metric=ib_time8&by=department&transition=2`,
  ];

  it('refuses clinicians and champions (403) and anonymous callers (401)', async () => {
    for (const url of urls()) {
      if (url !== '/api/tools') {
        expect((await call(sys.app, clin, 'GET', url)).statusCode).toBe(403);
        expect((await call(sys.app, champion, 'GET', url)).statusCode).toBe(403);
      }
      expect((await call(sys.app, null, 'GET', url)).statusCode).toBe(401);
    }
  });

  it('lists to clinicians and champions only the go-lives of their own groups, marked mine', async () => {
    type Tools = { name: string; golives: { group: string; date: string; mine: boolean }[] }[];
    const deptOf = async (id: string | null) =>
      (
        await sys.store.all<{ d: string }>(
          `SELECT department AS d FROM clinicians WHERE user_id = $1`,
          [id],
        )
      )[0]!.d;
    const live = sys.gen.goLive.departments;
    for (const [session, account] of [
      [clin, sys.account('clinician', 0)],
      [champion, sys.account('champion')],
    ] as const) {
      const r = await call(sys.app, session, 'GET', '/api/tools');
      expect(r.statusCode).toBe(200);
      const dept = await deptOf(account.clinician_id);
      // Their own department's go-live (if it went live) and, for a champion, their group's.
      const expected = [
        ...new Set([dept, ...account.groups.map((g) => g.value)].filter((d) => live.includes(d))),
      ].sort();
      const got = (r.json() as Tools).flatMap((t) => t.golives);
      expect(got.map((g) => g.group).sort()).toEqual(expected);
      for (const g of got) expect(g.mine).toBe(g.group === dept);
    }
    // The clinician of a live department sees its go-live as theirs.
    expect(live).toContain(await deptOf(sys.account('clinician', 0).clinician_id));
    // An administrator sees every go-live; mine is false for an account without a clinician.
    const all = (await call(sys.app, admin, 'GET', '/api/tools')).json() as Tools;
    expect(all.flatMap((t) => t.golives).every((g) => !g.mine)).toBe(true);
  });

  it('validates the query (400)', async () => {
    expect((await call(sys.app, admin, 'GET', '/api/adoption')).statusCode).toBe(400);
    expect(
      (await call(sys.app, admin, 'GET', `/api/golive?tool=${tool}&metric=nope`)).statusCode,
    ).toBe(400);
    expect(
      (await call(sys.app, admin, 'GET', `/api/adoption?tool=${tool}&by=planet`)).statusCode,
    ).toBe(400);
  });

  it('lists the tools with their go-lives', async () => {
    const r = await call(sys.app, admin, 'GET', '/api/tools');
    expect(r.statusCode).toBe(200);
    const body = r.json() as { name: string; golives: { group: string; date: string }[] }[];
    const t = body.find((x) => x.name === tool)!;
    expect(t.golives.map((x) => x.group).sort()).toEqual([...sys.gen.goLive.departments].sort());
  });

  it('sends each tool’s target metric: the demo’s tool (the generator’s tools.json) moves Note-Time8 down', async () => {
    const [demo] = parseToolsFile(
      JSON.parse(readFileSync(sys.gen.training!.tools, 'utf8')),
      'tools.json',
    );
    // Under other names, without go-lives, so the other cases keep their tool.
    await saveTool(sys.store, { ...demo!, name: 'demo-tool', golives: [] });
    await saveTool(sys.store, parseTool({ name: 'no-target', actions: ['x'] }));
    try {
      type Tools = {
        name: string;
        target_metric: string | null;
        target_direction: string | null;
      }[];
      const body = (await call(sys.app, admin, 'GET', '/api/tools')).json() as Tools;
      const of = (name: string) => {
        const t = body.find((x) => x.name === name)!;
        return [t.target_metric, t.target_direction];
      };
      expect(of('demo-tool')).toEqual(['note_time8', 'decrease']);
      expect(of('no-target')).toEqual([null, null]);
      expect(of(tool)).toEqual([null, null]);
    } finally {
      await removeTool(sys.store, 'demo-tool');
      await removeTool(sys.store, 'no-target');
    }
  });

  it('answers the adoption funnel; a leader sees only their groups', async () => {
    const r = await call(sys.app, admin, 'GET', urls()[1]!);
    expect(r.statusCode).toBe(200);
    const body = r.json() as {
      options: { tool: string; definitions: Record<string, string> };
      funnel: { group: string; eligible: number | null; suppressed: boolean }[];
      weekly: { group: string; weekly_active: number }[];
      retention: unknown[];
    };
    expect(body.options.tool).toBe(tool);
    expect(body.funnel.length).toBeGreaterThan(1);
    expect(body.funnel.every((f) => f.eligible !== null)).toBe(true);
    expect(Array.isArray(body.weekly)).toBe(true);
    expect(Object.keys(body.options.definitions)).toContain('habitual');

    const mine = sys.account('leader').groups.map((g) => g.value);
    const l = (await call(sys.app, leader, 'GET', urls()[1]!)).json() as typeof body;
    expect(l.funnel.length).toBeGreaterThan(0);
    for (const f of l.funnel) expect(mine).toContain(f.group);
    for (const w of l.weekly) expect(mine).toContain(w.group);
    for (const f of l.funnel) if (f.suppressed) expect(f.eligible).toBeNull();
  });

  it('answers the go-live evaluation with estimates or reasons, and the weekly series', async () => {
    const r = await call(sys.app, admin, 'GET', urls()[2]!);
    expect(r.statusCode).toBe(200);
    const body = r.json() as {
      options: { metric: string; metric_label: string; transition_weeks: number };
      results: {
        group: string;
        kind: string;
        its?: {
          assumptions: string[];
          insufficient_data?: { reason: string };
          estimates?: Record<string, { estimate: number } | null>;
          fitted?: { week_start: string; fitted: number; projected: number | null }[];
        };
      }[];
      series: { group: string; week_start: string; value: number }[];
    };
    expect(body.options.metric).toBe('ib_time8');
    expect(body.options.transition_weeks).toBe(2);
    const live = body.results.filter((x) => x.kind === 'live group');
    expect(live.length).toBeGreaterThan(0);
    for (const x of live) {
      expect(x.its).toBeDefined();
      expect(x.its!.assumptions.length).toBeGreaterThan(0);
      expect(x.its!.insufficient_data?.reason ?? x.its!.estimates).toBeTruthy();
    }
    expect(Array.isArray(body.series)).toBe(true);

    const mine = sys.account('leader').groups.map((g) => g.value);
    const l = (await call(sys.app, leader, 'GET', urls()[2]!)).json() as typeof body;
    for (const x of l.results) {
      expect(x.kind).not.toBe('wave');
      expect(mine).toContain(x.group.replace(/ \((live [^)]*|not live)\)$/, ''));
    }
    for (const x of l.series)
      expect(mine).toContain(x.group.replace(/ \((live [^)]*|not live)\)$/, ''));
  });

  it('writes each view to the access log', async () => {
    await call(sys.app, admin, 'GET', urls()[1]!);
    const rows = await sys.store.all<{ resource: string }>(
      `SELECT resource FROM access_log WHERE action = 'view'`,
    );
    const res = rows.map((r) => r.resource);
    expect(res).toContain('tools');
    expect(res).toContain(`adoption/${tool}`);
    expect(res).toContain(`golive/${tool}`);
  });
});

interface GoLiveBody {
  options: { from: string; to: string };
  results: {
    group: string;
    kind: string;
    clinicians: number | null;
    suppressed: boolean;
    its?: {
      estimates?: Record<string, { estimate: number; ci95: [number, number] } | null>;
      fitted?: { week_start: string; fitted: number; projected: number | null }[];
    };
  }[];
  series: { group: string; week_start: string; value: number }[];
}

describe.each(engines({ citus: true }))(
  'go-live API on a 20-week system with a known effect, $name',
  (engine) => {
    let sys: TestSystem;
    let admin: Session;
    let leader: Session;
    const url =
      '/api/golive?tool=scribe&metric=ib_time8&by=department&from=2026-01-05&to=2026-05-25';

    beforeAll(async () => {
      sys = await testSystem(engine, {
        load: async (store) => {
          await buildEvaluationFixture(store);
          await setSetting(store, 'timezone', 'UTC');
        },
      });
      admin = await login(sys.app, sys.account('admin'));
      leader = await login(sys.app, sys.account('leader'));
    }, 600_000);
    afterAll(async () => sys?.close());

    it('gives the fitted line and the projected trend with the effect, as the engine computes them', async () => {
      const r = await call(sys.app, admin, 'GET', url);
      expect(r.statusCode).toBe(200);
      const body = r.json() as GoLiveBody;
      const direct = await evaluate(sys.store, {
        tool: await getTool(sys.store, 'scribe'),
        metrics: ['ib_time8'],
        by: 'department',
        from: '2026-01-05',
        to: '2026-05-25',
        metricOptions: { ...DEFAULT_OPTIONS, timezone: 'UTC' },
        ...EVALUATION_DEFAULTS,
        transitionWeeks: 0,
        cache: false,
      });
      const a = body.results.find((x) => x.group === 'A')!;
      const d = direct.results.find((x) => x.group === 'A')!;
      const effect = a.its!.estimates!['average_effect']!;
      expect(effect.estimate).toBeCloseTo(d.its!.estimates!['average_effect']!.estimate, 9);
      expect(effect.ci95[0]).toBeLessThan(-0.2 + 1e-9);
      expect(effect.ci95[1]).toBeGreaterThan(-0.2 - 1e-9);
      // 20 modelled weeks, the projection from the go-live week (week 10) on.
      expect(a.its!.fitted).toHaveLength(20);
      expect(a.its!.fitted!.filter((f) => f.projected !== null)).toHaveLength(10);
      expect(a.its!.fitted!.map((f) => f.week_start)).toEqual(
        body.series.filter((p) => p.group === 'A').map((p) => p.week_start),
      );
      // A second evaluation (another metric) reads the same cached weekly rows.
      const again = await call(sys.app, admin, 'GET', url.replace('ib_time8', 'ehr_time8'));
      expect(again.statusCode).toBe(200);
    });

    it('gives a leader no numbers, series or fitted line for their groups below the threshold', async () => {
      const body = (await call(sys.app, leader, 'GET', url)).json() as GoLiveBody;
      expect(body.results.length).toBeGreaterThan(0);
      for (const x of body.results) {
        expect(x.suppressed).toBe(true); // 3 clinicians per department, threshold 5
        expect(x.clinicians).toBeNull();
        expect(x.its).toBeUndefined();
      }
      expect(body.series).toEqual([]);
    });
  },
);
