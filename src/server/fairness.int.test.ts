/**
 * Issue 11, item 1: one user must not stall everyone. Through the API, on both engines: a
 * clinician fires 13 concurrent requests of their report for 13 different weekly ranges; meanwhile
 * a leader's organisation page (the default view: never evicted for one user's ranges) and a new
 * range of the leader's (which waits for at most two of the clinician's computations: each user
 * has two in flight, the rest waits in that user's own queue) answer within a small bound. The
 * clinician's requests answer too, or — beyond two running and eight waiting — get 429 with a
 * Retry-After.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

/** The leader's default page must answer within this while the clinician's flood is under way. */
const BOUND_MS = 2_000;

const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe.each(engines())('fair under load on $name', (engine) => {
  let sys: TestSystem;
  let leader: Session;
  let clin: Session;

  beforeAll(async () => {
    sys = await testSystem(engine);
    leader = await login(sys.app, sys.account('leader'));
    clin = await login(sys.app, sys.account('clinician'));
  }, 600_000);
  afterAll(async () => sys?.close());

  it('keeps a leader’s pages fast while a clinician fires 13 report ranges at once', async () => {
    // The leader's usual page, computed once (the day table's first fill included).
    const first = await call(sys.app, leader, 'GET', '/api/org');
    expect(first.statusCode, first.body).toBe(200);
    const before = first.json();
    // What a new range of the leader's costs on this machine now, with nobody else asking.
    const tb = performance.now();
    const alone = await call(
      sys.app,
      leader,
      'GET',
      `/api/org?from=${addDays(sys.gen.from, 1)}&to=${addDays(sys.gen.from, 15)}`,
    );
    expect(alone.statusCode).toBe(200);
    const aloneMs = performance.now() - tb;

    // 13 different weekly ranges: the first 13 days of the data, each for 7 days.
    const ranges = Array.from({ length: 13 }, (_, k) => ({
      from: addDays(sys.gen.from, k),
      to: addDays(sys.gen.from, k + 7),
    }));
    const flood = Promise.all(
      ranges.map((r) => call(sys.app, clin, 'GET', `/api/me/report?from=${r.from}&to=${r.to}`)),
    );
    // Let the flood reach the server first.
    await new Promise((r) => setImmediate(r));

    const t0 = performance.now();
    const org = await call(sys.app, leader, 'GET', '/api/org');
    const orgMs = performance.now() - t0;
    expect(org.statusCode, org.body).toBe(200);
    expect(org.json().weekly).toEqual(before.weekly);

    const t1 = performance.now();
    const own = await call(
      sys.app,
      leader,
      'GET',
      `/api/org?from=${addDays(sys.gen.from, 3)}&to=${addDays(sys.gen.from, 17)}`,
    );
    const ownMs = performance.now() - t1;
    expect(own.statusCode, own.body).toBe(200);

    const answers = await flood;
    const ok = answers.filter((a) => a.statusCode === 200);
    const refused = answers.filter((a) => a.statusCode === 429);
    expect(ok.length + refused.length).toBe(13);
    expect(ok.length).toBeGreaterThanOrEqual(10);
    for (const r of refused) {
      expect(r.json().error.code).toBe('RATE_LIMITED');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    }
    // Each answer is the report of its own range.
    for (const a of ok) expect(a.json().options.to > a.json().options.from).toBe(true);

    expect(orgMs, 'the leader’s default organisation page').toBeLessThan(BOUND_MS);
    // A new range waits for at most two of the clinician's computations (on a loaded machine,
    // a few times what it costs alone).
    expect(ownMs, 'a new range of the leader’s').toBeLessThan(Math.max(BOUND_MS, 4 * aloneMs));
    // After the flood the default view is still kept: no computation at all.
    const t2 = performance.now();
    expect((await call(sys.app, leader, 'GET', '/api/org')).statusCode).toBe(200);
    expect(performance.now() - t2).toBeLessThan(BOUND_MS / 2);
  }, 300_000);
});
