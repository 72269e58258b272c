/**
 * `FairLimiter`: two computations in flight per user, the rest in that user's own queue (first in,
 * first out), 429 beyond eight waiting; another user's computation never waits behind them.
 */
import { describe, expect, it } from 'vitest';
import { UptakeError } from '../errors/UptakeError.ts';
import { FairLimiter } from './fair.ts';

/** A computation the test finishes by hand. */
function job(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return {
    run: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
    finish,
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('FairLimiter', () => {
  it('runs two of a user’s computations at once, queues the rest in order, and refuses beyond the queue', async () => {
    const lim = new FairLimiter(2, 8);
    const log: string[] = [];
    const jobs = Array.from({ length: 11 }, (_, i) => job(log, `c${i}`));
    const results = jobs.map((j) => lim.run('clinician', j.run));
    const refusal = results[10]!.catch((e: unknown) => e);
    await tick();
    expect(log).toEqual(['start c0', 'start c1']);
    expect(lim.load('clinician')).toEqual({ running: 2, waiting: 8 });
    // The eleventh: two running and eight waiting already.
    const refused = await refusal;
    expect(refused).toBeInstanceOf(UptakeError);
    expect((refused as UptakeError).code).toBe('RATE_LIMITED');
    expect((refused as UptakeError).retryAfterSeconds).toBeGreaterThan(0);

    // Another user's computation starts at once, whatever the clinician has waiting.
    const leader = job(log, 'l0');
    const l = lim.run('leader', leader.run);
    await tick();
    expect(log).toEqual(['start c0', 'start c1', 'start l0']);
    leader.finish();
    expect(await l).toBe('l0');

    // The clinician's queue moves one at a time, in order, never more than two at once.
    jobs[1]!.finish();
    await tick();
    expect(log.slice(-2)).toEqual(['end c1', 'start c2']);
    expect(lim.load('clinician')).toEqual({ running: 2, waiting: 7 });
    for (let i = 0; i < 10; i++) jobs[i]!.finish();
    expect(await Promise.all(results.slice(0, 10))).toEqual(
      jobs.slice(0, 10).map((_, i) => `c${i}`),
    );
    const starts = log.filter((x) => x.startsWith('start c')).map((x) => x.slice(6));
    expect(starts).toEqual(jobs.slice(0, 10).map((_, i) => `c${i}`));
    expect(lim.load('clinician')).toEqual({ running: 0, waiting: 0 });
  });

  it('gives the turn back when a computation fails', async () => {
    const lim = new FairLimiter(1, 1);
    await expect(lim.run('u', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(lim.load('u')).toEqual({ running: 0, waiting: 0 });
    expect(await lim.run('u', async () => 7)).toBe(7);
  });
});
