/**
 * Date ranges at the edges of what a query may name (issue 10, item 1): every endpoint that takes
 * `from`/`to` answers 200 for a range validation accepts, or 400 with an error code and a message
 * naming the field — never 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseTool, saveTool } from '../analysis/tools.ts';
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

/** Ranges and the status each must get on every endpoint (200 when accepted). */
const RANGES: [query: string, status: 200 | 400, message?: RegExp][] = [
  ['from=9999-12-30&to=9999-12-31', 200],
  ['from=9999-12-30', 200],
  ['from=0001-01-01&to=0001-01-02', 200],
  ['from=0001-01-01&to=0001-01-08', 200],
  ['from=1901-01-01&to=1903-12-31', 200],
  ['from=2037-06-01&to=2040-01-01', 200],
  ['from=0000-01-01', 400, /from.*0001-01-01 to 9999-12-31/],
  ['from=0000-01-01&to=0001-01-02', 400, /from.*0001-01-01/],
  ['to=0000-12-31', 400, /to.*0001-01-01/],
  ['from=10000-01-01', 400, /from/],
  ['from=9999-12-32', 400, /from/],
  ['from=9999-12-31', 400, /from: 9999-12-31|9999-12-31 to/],
  ['from=1900-01-01&to=2100-01-01', 400, /longer than|at most 1044/],
  ['from=0001-01-01&to=9999-12-31', 400, /longer than|at most 1044/],
];

describe.each(engines())('range extremes through the API on $name', (engine) => {
  let sys: TestSystem;
  let admin: Session;
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
    clin = await login(sys.app, sys.account('clinician', 0));
  }, 600_000);
  afterAll(async () => sys?.close());

  const endpoints = (): [Session, string][] => [
    [admin, '/api/org?'],
    [admin, `/api/groups/department/${encodeURIComponent(sys.gen.goLive.departments[0]!)}?`],
    [clin, '/api/me/report?'],
    [admin, `/api/adoption?tool=${encodeURIComponent(tool)}&`],
    [admin, `/api/golive?tool=${encodeURIComponent(tool)}&metric=ib_time8&`],
  ];

  for (const [query, status, message] of RANGES) {
    it(`${query}: ${status} on every endpoint`, async () => {
      for (const [who, base] of endpoints()) {
        const r = await call(sys.app, who, 'GET', `${base}${query}`);
        const where = `${base}${query}: ${r.body.slice(0, 300)}`;
        // The analysis endpoints count whole weeks: a range holding none is a 400 with a reason.
        const analysis = base.startsWith('/api/adoption') || base.startsWith('/api/golive');
        if (status === 200 && analysis && r.statusCode === 400)
          expect(r.json().error.message, where).toMatch(/whole week|no events|longer than/);
        else expect(r.statusCode, where).toBe(status);
        if (r.statusCode === 400) {
          expect(r.json().error.code, where).toBe('INVALID_INPUT');
          if (message) expect(r.json().error.message, where).toMatch(message);
        }
      }
    });
  }

  it('a range of 3 years around the data gives the departments of the data alone', async () => {
    const strip = (rows: Record<string, unknown>[]) =>
      rows.map((r) => ({ ...r, period_start: '', period_end: '' }));
    const own = await call(sys.app, admin, 'GET', '/api/org');
    const wide = await call(sys.app, admin, 'GET', '/api/org?from=2023-06-01&to=2026-06-01');
    expect(wide.statusCode).toBe(200);
    expect(wide.json().options.from).toBe('2023-06-01');
    const departments = wide.json().departments as Record<string, unknown>[];
    expect(departments.length).toBeGreaterThan(1);
    expect(strip(departments)).toEqual(strip(own.json().departments));
  }, 240_000);

  it('a range far from the data answers empty figures, not an error', async () => {
    const r = await call(sys.app, admin, 'GET', '/api/org?from=2037-06-01&to=2040-01-01');
    expect(r.statusCode).toBe(200);
    const mine = await call(sys.app, clin, 'GET', '/api/me/report?from=9999-12-30');
    expect(mine.statusCode).toBe(200);
  });
});
