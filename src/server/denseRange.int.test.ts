/**
 * Default ranges from where the data are dense (issue 11, item 11), through the API on every
 * engine: an upload holding one row in 1900 and one in 2200 used to stretch the default range
 * (the data's whole span) past the 1,100-day cap, and every page answered 400 for everyone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parseTool, saveTool } from '../analysis/tools.ts';
import { importCsv } from '../ingest/importCsv.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { TABLES } from '../model/canonical.ts';
import { setSetting } from '../store/settings.ts';
import { engines } from '../testing/testEngines.ts';
import { generate, type GenerateResult } from '../synth/generate.ts';
import {
  call,
  login,
  testSystem,
  testDir,
  type Session,
  type TestSystem,
} from '../testing/testSystem.ts';

/**
 * 8 clinicians over 100 days from Wednesday 2026-01-07 to Thursday 2026-04-16 (New York), every
 * week with thousands of events: the dense extent is 2026-01-07 to 2026-04-16 (`to` 04-17). The
 * complete weeks run from Monday 01-12 to Sunday 04-12 (13 weeks: the first and last weeks are
 * partial); the reports' default is the last 12 of them, 2026-01-19 to 2026-04-13 (exclusive), and
 * adoption and evaluation take all 13, 2026-01-12 to 2026-04-13.
 */
let files: Promise<GenerateResult> | null = null;
const system = () =>
  (files ??= generate({
    outDir: join(testDir(), 'dense'),
    clinicians: 8,
    days: 100,
    seed: 7,
    start: '2026-01-07',
  }));

describe.each(engines())('default ranges with outliers, through the API on $name', (engine) => {
  let sys: TestSystem;
  let gen: GenerateResult;
  let admin: Session;
  let leader: Session;
  let clin: Session;

  beforeAll(async () => {
    gen = await system();
    sys = await testSystem(engine, {
      load: async (store) => {
        const pseudonymizer = Pseudonymizer.load(join(testDir(), 'key'));
        for (const table of TABLES)
          await importCsv(store, {
            table,
            file: gen.files[table],
            pseudonymizer,
            rejectsDir: join(testDir(), `rejects-dense-${engine.name}`),
          });
        await setSetting(store, 'timezone', gen.timezone);
        // An administrator widened the plausible window, so the stray rows are accepted.
        await setSetting(store, 'earliest_instant', '1800-01-01');
        await setSetting(store, 'latest_instant', '2300-01-01');
      },
    });
    await saveTool(
      sys.store,
      parseTool({
        name: gen.goLive.tool,
        actions: gen.goLive.actions,
        golives: gen.goLive.departments.map((d) => ({
          group_by: 'department',
          group: d,
          date: gen.goLive.date,
        })),
      }),
    );
    admin = await login(sys.app, sys.account('admin'));
    leader = await login(sys.app, sys.account('leader'));
    clin = await login(sys.app, sys.account('clinician'));
    const uid = sys.account('clinician').clinician_id!;
    const up = await sys.app.inject({
      method: 'POST',
      url: '/api/imports?table=events&filename=stray.csv',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'text/csv' },
      payload:
        'event_id,occurred_at,user_id,action,category\n' +
        `stray-1,1900-06-15T10:00:00-05:00,${uid},note_edit,notes\n` +
        `stray-2,2200-03-01T10:00:00-05:00,${uid},note_edit,notes\n`,
    });
    expect(up.statusCode, up.body).toBe(200);
    expect(up.json()).toMatchObject({ rows_stored: 2, rows_rejected: 0 });
  }, 600_000);
  afterAll(async () => sys?.close());

  it('meta gives the default range and the dense extent, the stray rows in the data range', async () => {
    const meta = (await call(sys.app, admin, 'GET', '/api/meta')).json();
    expect(meta).toMatchObject({
      from: '2026-01-19',
      to: '2026-04-13',
      dense: { from: '2026-01-07', to: '2026-04-17' },
      analysis: { from: '2026-01-12', to: '2026-04-13' },
    });
    const events = (meta.data_range as { table: string; from: string; to: string }[]).filter(
      (d) => d.table === 'events',
    );
    expect(events.some((d) => d.from.startsWith('1900-06-15'))).toBe(true);
    expect(events.some((d) => d.to.startsWith('2200-03-01'))).toBe(true);
  });

  it('the organisation, a group and my report answer 200 on the last 12 complete weeks', async () => {
    const dept = encodeURIComponent(sys.account('leader').groups[0]!.value);
    for (const [who, url] of [
      [admin, '/api/org'],
      [leader, '/api/org'],
      [leader, `/api/groups/department/${dept}`],
      [clin, '/api/me/report'],
    ] as const) {
      const r = await call(sys.app, who, 'GET', url);
      expect(r.statusCode, `${url}: ${r.body.slice(0, 300)}`).toBe(200);
      expect(r.json().options, url).toMatchObject({ from: '2026-01-19', to: '2026-04-13' });
    }
    // The organisation's weekly rows are the 12 weeks, Monday 01-19 to Monday 04-06.
    const weeks = new Set(
      (
        (await call(sys.app, admin, 'GET', '/api/org')).json().weekly as { period_start: string }[]
      ).map((w) => w.period_start.slice(0, 10)),
    );
    expect([...weeks].sort()).toEqual(
      Array.from({ length: 12 }, (_, i) =>
        new Date(Date.parse('2026-01-19T00:00:00Z') + i * 7 * 86_400_000)
          .toISOString()
          .slice(0, 10),
      ),
    );
  }, 240_000);

  it('adoption and go-live default to the complete weeks of the dense extent', async () => {
    const tool = encodeURIComponent(gen.goLive.tool);
    for (const url of [
      `/api/adoption?tool=${tool}`,
      `/api/golive?tool=${tool}&metric=note_time8`,
    ]) {
      const r = await call(sys.app, admin, 'GET', url);
      expect(r.statusCode, `${url}: ${r.body.slice(0, 300)}`).toBe(200);
      expect(r.json().options, url).toMatchObject({ from: '2026-01-12', to: '2026-04-13' });
    }
  }, 240_000);

  it('one bound given: the other is the default’s; the whole span asked for is still refused', async () => {
    const from = (await call(sys.app, admin, 'GET', '/api/org?from=2026-03-02')).json();
    expect(from.options).toMatchObject({ from: '2026-03-02', to: '2026-04-13' });
    const to = (await call(sys.app, admin, 'GET', '/api/org?to=2026-03-02')).json();
    expect(to.options).toMatchObject({ from: '2026-01-19', to: '2026-03-02' });
    // A `to` before the default's first day: the one day before it.
    const early = (await call(sys.app, admin, 'GET', '/api/org?to=2026-01-10')).json();
    expect(early.options).toMatchObject({ from: '2026-01-09', to: '2026-01-10' });
    const all = await call(sys.app, admin, 'GET', '/api/org?from=1900-06-15&to=2200-03-02');
    expect(all.statusCode).toBe(400);
    expect(all.json().error.message).toMatch(/longer than 1100/);
    const first = await call(sys.app, admin, 'GET', '/api/org?to=0001-01-01');
    expect(first.statusCode).toBe(400);
    expect(first.json().error.message).toMatch(/^query to: /);
  }, 240_000);
});
