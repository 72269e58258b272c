/**
 * The goal rules of docs/program.md §1, on hand-computed cases: baseline and its interval, the
 * "within noise" check, vote outcomes at their edges, and every computed status, including a
 * projection exactly on the target. Student-t quantiles are the table values
 * t(0.975, 7) = 2.364624, t(0.975, 3) = 3.182446.
 */
import { describe, expect, it } from 'vitest';
import type { WeeklyValue } from '../model/goal.ts';
import { goalBaseline } from './goalBaseline.ts';
import { noiseCheck } from './goalNoise.ts';
import { adoptionOutcome, votingOpen } from './goalAdoption.ts';
import { goalProgress, type TrackedGoal } from './goalStatus.ts';
import { tQuantile } from '../analysis/stats/regression.ts';

const w = (week_start: string, value: number | null, n = 10): WeeklyValue => ({
  week_start,
  value,
  n,
});

/**
 * Proposed Wednesday 2026-03-04: the 8 whole weeks before are the weeks of 01-05 … 02-23
 * (the week of 03-02 holds the proposal and is not whole before it). Their values
 * 21 23 22 24 20 23 21 22: mean 176/8 = 22; deviations −1 1 0 2 −2 1 −1 0, Σd² = 12,
 * sd = √(12/7) = 1.3093073; se = sd/√8 = 0.4629100; half-width 2.364624 × se = 1.0946083.
 */
const BASELINE = [
  w('2025-12-29', 99), // 9 weeks before: outside the 8
  w('2026-01-05', 21),
  w('2026-01-12', 23),
  w('2026-01-19', 22),
  w('2026-01-26', 24),
  w('2026-02-02', 20),
  w('2026-02-09', 23),
  w('2026-02-16', 21),
  w('2026-02-23', 22),
  w('2026-03-02', 99), // the proposal's week
];

describe('baseline (§1)', () => {
  it('is the mean of the whole weeks before the proposal with a t-interval and the noise', () => {
    const b = goalBaseline(BASELINE, '2026-03-04', 8)!;
    expect(b.n).toBe(8);
    expect(b.mean).toBe(22);
    expect(b.noise).toBeCloseTo(1.3093073414, 9);
    expect(b.ci95[0]).toBeCloseTo(22 - 1.0946083, 6);
    expect(b.ci95[1]).toBeCloseTo(22 + 1.0946083, 6);
    expect(b.weeks).toEqual({ first: '2026-01-05', last: '2026-02-23' });
  });

  it('counts a proposal on a Monday as after the previous week only', () => {
    // Monday 03-02: the same 8 weeks (03-02's week has only begun).
    expect(goalBaseline(BASELINE, '2026-03-02', 8)!.mean).toBe(22);
    // Monday 03-09: the weeks 01-12 … 03-02, which take in the 99 of 03-02.
    expect(goalBaseline(BASELINE, '2026-03-09', 8)!.mean).toBe((176 - 21 + 99) / 8);
  });

  it('leaves out weeks without a value and needs two values', () => {
    const gaps = [w('2026-02-16', 21), w('2026-02-23', null), w('2026-02-09', 25)];
    const b = goalBaseline(gaps, '2026-03-04', 8)!;
    expect(b.n).toBe(2);
    expect(b.mean).toBe(23);
    expect(b.values).toEqual([25, 21]); // oldest first
    expect(goalBaseline([w('2026-02-16', 21)], '2026-03-04', 8)).toBeNull();
  });

  it('refuses a series that names a week twice', () => {
    expect(() => goalBaseline([w('2026-02-16', 1), w('2026-02-16', 2)], '2026-03-04', 8)).toThrow(
      /appears twice/,
    );
  });
});

describe('within noise (§1)', () => {
  // 1.96 × √2 × 1.3093073 / 2 = 1.8146074
  const b = { mean: 22, noise: Math.sqrt(12 / 7) };
  it('flags a gap below 1.96 × √2 × noise / 2', () => {
    const c = noiseCheck(b, 20.2, 'decrease');
    expect(c.smallest_change).toBeCloseTo(1.8146074, 6);
    expect(c.within_noise).toBe(true); // |20.2 − 22| = 1.8
    expect(c.direction_ok).toBe(true);
  });
  it('does not flag a gap above it, nor one at exactly the threshold', () => {
    expect(noiseCheck(b, 20.1, 'decrease').within_noise).toBe(false); // 1.9
    expect(noiseCheck({ mean: 0, noise: 2 / 1.96 / Math.SQRT2 }, 1, 'increase')).toMatchObject({
      within_noise: false, // threshold 1.96·√2·(2/(1.96·√2))/2 = 1 = the gap
    });
    expect(
      noiseCheck({ mean: 0, noise: 2 / 1.96 / Math.SQRT2 }, 0.999, 'increase').within_noise,
    ).toBe(true);
  });
  it('says when the target is not the goal’s way from the baseline', () => {
    expect(noiseCheck(b, 23, 'decrease').direction_ok).toBe(false);
    expect(noiseCheck(b, 22, 'increase').direction_ok).toBe(false);
    expect(noiseCheck(b, 25, 'increase').direction_ok).toBe(true);
  });
});

describe('vote outcome (§1)', () => {
  const t = (support: number, oppose: number, abstain: number) => ({ support, oppose, abstain });
  it('adopts with the quorum reached and support > oppose', () => {
    expect(adoptionOutcome(t(3, 2, 0), 5, 10)).toMatchObject({
      state: 'adopted',
      quorum: 5,
      voted: 5,
    });
  });
  it('does not adopt one vote short of the quorum, even unanimous', () => {
    expect(adoptionOutcome(t(4, 0, 0), 5, 10)).toMatchObject({ state: 'not_adopted', voted: 4 });
  });
  it('does not adopt a tie', () => {
    expect(adoptionOutcome(t(2, 2, 1), 5, 10).state).toBe('not_adopted');
  });
  it('counts abstentions towards the quorum', () => {
    expect(adoptionOutcome(t(1, 0, 4), 5, 10).state).toBe('adopted');
  });
  it('takes the group size as the quorum when it is smaller than min_votes', () => {
    expect(adoptionOutcome(t(2, 1, 0), 5, 3)).toMatchObject({ state: 'adopted', quorum: 3 });
    expect(adoptionOutcome(t(2, 0, 0), 5, 3)).toMatchObject({ state: 'not_adopted', quorum: 3 });
  });
  it('never adopts without support, even in an empty group', () => {
    expect(adoptionOutcome(t(0, 0, 0), 5, 0).state).toBe('not_adopted');
  });
  it('closes the window at its closing instant', () => {
    const closes = '2026-03-18T15:00:00.000Z';
    expect(votingOpen(closes, new Date('2026-03-18T14:59:59.999Z'))).toBe(true);
    expect(votingOpen(closes, new Date(closes))).toBe(false);
  });
});

/**
 * Adopted Wednesday 2026-03-18: the weeks since adoption start on 03-23 (x = 0, 1, 2, …).
 * Values 21 17 18 19 15 at x = 0…4 are 20 − x plus residuals 1 −2 0 2 −1 (which sum to 0 and
 * are orthogonal to x): x̄ = 2, ȳ = 18, Sxx = 10, Sxy = −10, so b = −1 and a = 20 exactly;
 * SSE = 1 + 4 + 0 + 4 + 1 = 10, s = √(10/3) = 1.8257419.
 * Target date Wednesday 2026-06-10: the last whole week before it begins 06-01, x* = 10, where
 * the line is 20 − 10 = 10 exactly. Prediction interval: 3.182446 × s × √(1 + 1/5 + 64/10)
 * = 3.182446 × 1.8257419 × 2.7568098 = 16.0179618, i.e. [−6.0179618, 26.0179618].
 * As of Monday 2026-04-27 the whole weeks since adoption are 5; current = (17+18+19+15)/4 = 17.25.
 */
const SINCE = [
  w('2026-03-09', 99), // before adoption
  w('2026-03-16', 99), // the adoption's week: neither side
  w('2026-03-23', 21),
  w('2026-03-30', 17),
  w('2026-04-06', 18),
  w('2026-04-13', 19),
  w('2026-04-20', 15),
  w('2026-04-27', 99), // not whole as of 04-27
];
const SERIES = [...BASELINE, ...SINCE];
const goal = (target: number, direction: 'decrease' | 'increase' = 'decrease'): TrackedGoal => ({
  direction,
  target,
  target_date: '2026-06-10',
  baseline_weeks: 8,
  proposed_on: '2026-03-04',
  adopted_on: '2026-03-18',
});
/** The same weeks mirrored (44 − v): baseline still 22, the line 24 + x, 34 at x* = 10. */
const MIRROR = SERIES.map((v) => ({ ...v, value: v.value === null ? null : 44 - v.value }));

describe('status (§1)', () => {
  it('is too early before 4 whole weeks since adoption', () => {
    // Sunday 04-19: the week of 04-13 is not over, 3 whole weeks.
    const p = goalProgress(goal(10), SERIES, '2026-04-19');
    expect(p).toMatchObject({ status: 'too_early', weeks_since_adoption: 3, current: null });
    // Monday 04-20: 4 whole weeks, no longer too early.
    expect(goalProgress(goal(10), SERIES, '2026-04-20').status).not.toBe('too_early');
  });

  it('is on track when the projection lands exactly on the target', () => {
    const p = goalProgress(goal(10), SERIES, '2026-04-27');
    expect(p.weeks_since_adoption).toBe(5);
    expect(p.current).toBe(17.25);
    expect(p.progress).toBeCloseTo((17.25 - 22) / (10 - 22), 12); // 0.3958333
    expect(p.projection).toMatchObject({ slope: -1, intercept: 20, x: 10, value: 10, n: 5 });
    expect(p.projection!.week_start).toBe('2026-06-01');
    expect(p.projection!.s).toBeCloseTo(1.8257419, 6);
    expect(p.projection!.pi95[0]).toBeCloseTo(-6.0179618, 6);
    expect(p.projection!.pi95[1]).toBeCloseTo(26.0179618, 6);
    expect(p.status).toBe('on_track');
  });

  it('is at risk when the projection misses but the interval holds the target', () => {
    expect(goalProgress(goal(9.5), SERIES, '2026-04-27').status).toBe('at_risk');
    expect(goalProgress(goal(-6), SERIES, '2026-04-27').status).toBe('at_risk');
  });

  it('is off track when the interval excludes the target', () => {
    expect(goalProgress(goal(-6.1), SERIES, '2026-04-27').status).toBe('off_track');
  });

  it('is achieved when the current value has reached the target (equality included)', () => {
    expect(goalProgress(goal(17.25), SERIES, '2026-04-27').status).toBe('achieved');
    // Just short of it: the projection (10) reaches 17.2, so on track.
    expect(goalProgress(goal(17.2), SERIES, '2026-04-27').status).toBe('on_track');
  });

  it('reads the other way for an increase', () => {
    const p = goalProgress(goal(34, 'increase'), MIRROR, '2026-04-27');
    expect(p.projection).toMatchObject({ slope: 1, intercept: 24, value: 34 });
    expect(p.status).toBe('on_track');
    expect(goalProgress(goal(34.5, 'increase'), MIRROR, '2026-04-27').status).toBe('at_risk');
    expect(goalProgress(goal(50.1, 'increase'), MIRROR, '2026-04-27').status).toBe('off_track');
    expect(goalProgress(goal(26.75, 'increase'), MIRROR, '2026-04-27').status).toBe('achieved');
  });

  /**
   * After the target date: the 4 whole weeks before Wednesday 06-10 are 05-11 … 06-01, values
   * 8 9 10 9, mean 9 (06-08's week holds the target date and is left out). Change from the
   * baseline: 9 − 22 = −13; Welch: v₁ = (12/7)/8 = 0.2142857, v₂ = (2/3)/4 = 0.1666667,
   * SE = √0.3809524 = 0.6172134, df = 0.3809524² / (0.2142857²/7 + 0.1666667²/3) = 9.1740614.
   */
  const FINAL = [
    ...SERIES,
    w('2026-05-11', 8),
    w('2026-05-18', 9),
    w('2026-05-25', 10),
    w('2026-06-01', 9),
    w('2026-06-08', 99),
  ];
  it('is met or not met after the target date, on the 4 weeks before it', () => {
    const p = goalProgress(goal(10), FINAL, '2026-06-11');
    expect(p.status).toBe('met');
    expect(p.current).toBe(9);
    expect(p.change!.estimate).toBe(-13);
    expect(p.change!.se).toBeCloseTo(0.6172134, 6);
    expect(p.change!.df).toBeCloseTo(9.1740614, 6);
    const half = tQuantile(0.975, 9.1740614) * 0.6172134;
    expect(p.change!.ci95[0]).toBeCloseTo(-13 - half, 5);
    expect(p.change!.ci95[1]).toBeCloseTo(-13 + half, 5);
    expect(goalProgress(goal(9), FINAL, '2026-06-11').status).toBe('met');
    expect(goalProgress(goal(8.99), FINAL, '2026-06-11').status).toBe('not_met');
    expect(goalProgress(goal(9, 'increase'), FINAL, '2026-06-11').status).toBe('met');
    expect(goalProgress(goal(9.01, 'increase'), FINAL, '2026-06-11').status).toBe('not_met');
  });

  it('is still tracked on the target date itself', () => {
    expect(goalProgress(goal(10), FINAL, '2026-06-10').status).not.toMatch(/met/);
  });

  it('says what is missing instead of guessing', () => {
    const noBaseline = SINCE.map((v) => v);
    expect(goalProgress(goal(10), noBaseline, '2026-04-27')).toMatchObject({
      status: 'insufficient_data',
      reason: expect.stringMatching(/before the proposal/),
    });
    const twoWeeks = [...BASELINE, w('2026-04-13', 19), w('2026-04-20', 15)];
    expect(goalProgress(goal(10), twoWeeks, '2026-04-27')).toMatchObject({
      status: 'insufficient_data',
      current: 17,
      reason: expect.stringMatching(/three weekly values/),
    });
    const quiet = [...BASELINE, w('2026-03-23', 21), w('2026-03-30', 17), w('2026-04-06', 18)];
    expect(goalProgress(goal(10), quiet, '2026-05-11').reason).toMatch(/last 4 weeks/);
    expect(goalProgress(goal(10), SERIES, '2026-06-11').reason).toMatch(/before the target date/);
  });
});
