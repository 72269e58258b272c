/**
 * Complementary suppression through the API (issue 11, item 4): with the threshold at 10, a
 * department of 9 clinicians is suppressed — and so is the next smallest department, on every
 * endpoint that shows counts, so that the organisation's figure minus the visible departments'
 * never gives the 9-clinician department's hidden counts. Administrators still see every number,
 * flagged as suppressed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTool, saveTool } from '../analysis/tools.ts';
import { importCsv } from '../ingest/importCsv.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { TABLES } from '../model/canonical.ts';
import { setSetting } from '../store/settings.ts';
import { engines } from '../testing/testEngines.ts';
import {
  call,
  login,
  testFiles,
  testSystem,
  removeTestDir,
  testDir,
  type Session,
  type TestSystem,
} from '../testing/testSystem.ts';

afterAll(removeTestDir);

const SIZES = { Northside: 9, Riverside: 12, Eastside: 19 } as const;
const DEPTS = Object.keys(SIZES) as (keyof typeof SIZES)[];
const PASSWORD = 'a-long-test-password';

/** The generated roster with its 40 clinicians moved into departments of 9, 12 and 19. */
async function roster(): Promise<{ file: string; members: Record<string, string[]> }> {
  const gen = await testFiles();
  const lines = readFileSync(gen.files.clinicians, 'utf8').trimEnd().split('\n');
  const header = lines[0]!.split(',');
  const col = header.indexOf('department');
  const members: Record<string, string[]> = { Northside: [], Riverside: [], Eastside: [] };
  const out = [lines[0]!];
  lines.slice(1).forEach((line, i) => {
    const f = line.split(',');
    const dept = i < 9 ? 'Northside' : i < 21 ? 'Riverside' : 'Eastside';
    f[col] = dept;
    members[dept]!.push(f[0]!);
    out.push(f.join(','));
  });
  const file = join(testDir(), 'clinicians-9-12-19.csv');
  writeFileSync(file, out.join('\n') + '\n');
  return { file, members };
}

type Row = { group: string; n: number | null; suppressed: boolean; period_start: string };

/**
 * No hidden row of `rows` can be worked out from `total` and the visible rows: none hidden, or at
 * least two with a positive true sum (`truth`: the administrator's numbers), and the difference
 * is never one hidden row's own count.
 */
function notDerivable(
  total: number,
  rows: { group: string; value: number | null }[],
  truth: Map<string, number>,
): void {
  const hidden = rows.filter((r) => r.value === null);
  if (!hidden.length) return;
  expect(hidden.length).toBeGreaterThanOrEqual(2);
  const diff = total - rows.reduce((s, r) => s + (r.value ?? 0), 0);
  expect(diff).toBe(hidden.reduce((s, r) => s + truth.get(r.group)!, 0));
  expect(diff).toBeGreaterThan(0);
  for (const h of hidden) expect(diff).not.toBe(truth.get(h.group));
}

describe.each(engines())('complementary suppression through the API on $name', (engine) => {
  let sys: TestSystem;
  let admin: Session;
  let leader: Session;
  let members: Record<string, string[]>;
  let tool: string;

  beforeAll(async () => {
    const r = await roster();
    members = r.members;
    const gen = await testFiles();
    sys = await testSystem(engine, {
      load: async (store) => {
        const pseudonymizer = Pseudonymizer.load(join(testDir(), 'key'));
        for (const table of TABLES)
          await importCsv(store, {
            table,
            file: table === 'clinicians' ? r.file : gen.files[table],
            pseudonymizer,
            rejectsDir: join(testDir(), 'rejects-suppression'),
          });
        await setSetting(store, 'timezone', gen.timezone);
        await setSetting(store, 'suppression_threshold', '10');
      },
    });
    tool = gen.goLive.tool;
    await saveTool(
      sys.store,
      parseTool({
        name: tool,
        actions: gen.goLive.actions,
        golives: ['Northside', 'Riverside'].map((d) => ({
          group_by: 'department',
          group: d,
          date: gen.goLive.date,
        })),
      }),
    );
    admin = await login(sys.app, sys.account('admin'));
    const create = await call(sys.app, admin, 'POST', '/api/users', {
      payload: {
        username: 'lead.all',
        password: PASSWORD,
        role: 'leader',
        groups: DEPTS.map((d) => ({ by: 'department', value: d })),
      },
    });
    expect(create.statusCode).toBe(201);
    leader = await login(sys.app, { username: 'lead.all', password: PASSWORD });
  }, 600_000);
  afterAll(async () => sys?.close());

  it('the organisation page: the 9-clinician department and the next smallest are hidden', async () => {
    const a = (await call(sys.app, admin, 'GET', '/api/org')).json() as {
      departments: Row[];
      weekly: Row[];
      weekly_by_department: (Row & { period_start: string })[];
      changes: (Row & { change: number | null })[];
    };
    // The scenario holds: 9, 12 and 19 clinicians with scheduled time over the range.
    expect(Object.fromEntries(a.departments.map((d) => [d.group, d.n]))).toEqual(SIZES);
    // An administrator sees every number, flagged.
    expect(Object.fromEntries(a.departments.map((d) => [d.group, [d.n, d.suppressed]]))).toEqual({
      Northside: [9, true],
      Riverside: [12, true],
      Eastside: [19, false],
    });

    const l = (await call(sys.app, leader, 'GET', '/api/org')).json() as typeof a;
    const byGroup = Object.fromEntries(l.departments.map((d) => [d.group, d]));
    expect(byGroup['Northside']).toMatchObject({ n: null, clinicians: null, suppressed: true });
    expect(byGroup['Riverside']).toMatchObject({ n: null, clinicians: null, suppressed: true });
    expect(byGroup['Eastside']).toMatchObject({ n: 19, suppressed: false });
    for (const c of l.changes.filter((c) => c.group !== 'Eastside'))
      expect(c).toMatchObject({ change: null, n: null, suppressed: true });

    // Every week: the organisation's n minus the visible departments' never gives a hidden one.
    for (const w of l.weekly) {
      if (w.n === null) continue;
      const rows = l.weekly_by_department.filter((r) => r.period_start === w.period_start);
      const truth = new Map(
        a.weekly_by_department
          .filter((r) => r.period_start === w.period_start)
          .map((r) => [r.group, r.n!]),
      );
      notDerivable(
        w.n,
        rows.map((r) => ({ group: r.group, value: r.n })),
        truth,
      );
    }
  });

  it('the group pages: the protecting department shows no numbers either', async () => {
    for (const [dept, hidden] of [
      ['Northside', true],
      ['Riverside', true],
      ['Eastside', false],
    ] as const) {
      const g = (await call(sys.app, leader, 'GET', `/api/groups/department/${dept}`)).json() as {
        suppressed: boolean;
        n: number | null;
        distribution: Record<string, number[]>;
        weekly: Row[];
        org: Row | null;
      };
      expect(g.suppressed).toBe(hidden);
      expect(g.n).toBe(hidden ? null : SIZES[dept]);
      if (hidden) for (const v of Object.values(g.distribution)) expect(v).toEqual([]);
      // The organisation's n is shown: 40 − 19 = 21 is neither hidden department's size.
      expect(g.org?.n).toBe(40);
    }
    const adm = (await call(sys.app, admin, 'GET', '/api/groups/department/Riverside')).json();
    expect(adm).toMatchObject({ suppressed: true, n: 12 });
  });

  it('my report: a clinician of the protecting department is not compared with it', async () => {
    const id = members['Riverside']![0]!;
    await call(sys.app, admin, 'POST', '/api/users', {
      payload: { username: 'riv.1', password: PASSWORD, role: 'clinician', clinician_id: id },
    });
    const me = await login(sys.app, { username: 'riv.1', password: PASSWORD });
    const r = (await call(sys.app, me, 'GET', '/api/me/report')).json() as {
      peers: { group: { by: string; value: string }; n: number | null; suppressed: boolean };
    };
    expect(r.peers.group).not.toEqual({ by: 'department', value: 'Riverside' });
    expect(r.peers.group).not.toEqual({ by: 'department', value: 'Northside' });
    expect(r.peers.n === null || r.peers.n >= 10).toBe(true);
  });

  it('the adoption funnel: by department, the organisation’s counts minus the visible rows give no hidden row', async () => {
    const url = (by: string) => `/api/adoption?tool=${encodeURIComponent(tool)}&by=${by}`;
    type Funnel = { funnel: (Record<string, unknown> & { group: string; suppressed: boolean })[] };
    const a = (await call(sys.app, admin, 'GET', url('department'))).json() as Funnel;
    const l = (await call(sys.app, leader, 'GET', url('department'))).json() as Funnel & {
      weekly: { group: string }[];
      retention: { group: string }[];
    };
    const org = (await call(sys.app, leader, 'GET', url('org'))).json() as Funnel;
    expect(org.funnel[0]).toMatchObject({ group: 'organisation', eligible: 40, suppressed: false });
    expect(
      Object.fromEntries(a.funnel.map((f) => [f.group, [f['eligible'], f.suppressed]])),
    ).toEqual({ Northside: [9, true], Riverside: [12, true], Eastside: [19, false] });
    for (const f of l.funnel)
      expect(f['eligible'] === null).toBe(f.group === 'Northside' || f.group === 'Riverside');
    expect(l.weekly.every((w) => w.group === 'Eastside')).toBe(true);
    expect(l.retention.every((w) => w.group === 'Eastside')).toBe(true);
    // Each count of the funnel: the organisation's minus the visible groups' is two groups' sum.
    for (const field of ['eligible', 'live', 'first_use', 'weekly_active', 'habitual']) {
      const total = org.funnel[0]![field] as number;
      const visible = l.funnel.reduce((s, f) => s + ((f[field] as number | null) ?? 0), 0);
      const truth = (g: string) => a.funnel.find((f) => f.group === g)![field] as number;
      expect(total - visible).toBe(truth('Northside') + truth('Riverside'));
    }
    notDerivable(
      40,
      l.funnel.map((f) => ({ group: f.group, value: f['eligible'] as number | null })),
      new Map(a.funnel.map((f) => [f.group, f['eligible'] as number])),
    );
  });

  it('the go-live evaluation: both hidden departments carry no numbers for a leader', async () => {
    const url = `/api/golive?tool=${encodeURIComponent(tool)}&metric=ehr_time8&by=department&transition=0`;
    type Golive = {
      results: { group: string; kind: string; clinicians: number | null; suppressed: boolean }[];
      series: { group: string }[];
    };
    const l = (await call(sys.app, leader, 'GET', url)).json() as Golive;
    const cells = l.results.filter((x) => x.kind !== 'wave');
    expect(Object.fromEntries(cells.map((x) => [x.group, [x.clinicians, x.suppressed]]))).toEqual({
      Northside: [null, true],
      Riverside: [null, true],
      Eastside: [19, false],
    });
    expect(l.series.every((x) => x.group === 'Eastside')).toBe(true);
    const a = (await call(sys.app, admin, 'GET', url)).json() as Golive;
    expect(a.results.find((x) => x.group === 'Riverside')).toMatchObject({
      clinicians: 12,
      suppressed: true,
    });
  });
});
