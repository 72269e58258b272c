/** The reductions of a goal's weekly values (§1 "a week's value"), on hand-computed rows. */
import { describe, expect, it } from 'vitest';
import { goalMetricOptions, weeklyMedians, weeklyShares } from './storeGoalSeries.ts';
import { OPTION_DEFAULTS } from '../model/constants.ts';
import type { MetricOptions } from '../model/options.ts';

const row = (user_id: string, week: string, scheduled_hours: number, events: unknown) => ({
  user_id,
  period_start: week,
  scheduled_hours,
  events,
});

describe('weeklyMedians', () => {
  it('takes the median over clinicians of the group with scheduled hours; n counts them', () => {
    const rows = [
      row('a', '2026-03-02', 8, 1),
      row('b', '2026-03-02', 8, 4),
      row('c', '2026-03-02', 8, 10),
      row('d', '2026-03-02', 8, 2), // median of 1, 2, 4, 10 = (2 + 4) / 2 = 3
      row('e', '2026-03-02', 0, 100), // no scheduled hours: left out
      row('x', '2026-03-02', 8, 1000), // not in the group
      row('a', '2026-03-09', 8, 5),
      row('b', '2026-03-09', 8, null), // no value: counted in n, not in the median
    ];
    const m = weeklyMedians(rows, 'events', (id) => id !== 'x');
    expect(m.get('2026-03-02')).toEqual({ value: 3, n: 4 });
    expect(m.get('2026-03-09')).toEqual({ value: 5, n: 2 });
    expect([...m.keys()]).toEqual(['2026-03-02', '2026-03-09']);
  });

  it('leaves a week whose clinicians have no value at null', () => {
    const m = weeklyMedians([row('a', '2026-03-02', 4, null)], 'events', () => true);
    expect(m.get('2026-03-02')).toEqual({ value: null, n: 1 });
  });
});

describe('weeklyShares', () => {
  const cell = (
    group: string,
    week_start: string,
    active: number,
    habitual: number,
    eligible: number,
  ) => ({
    group,
    week_start,
    weekly_active: active,
    habitual,
    eligible,
  });
  it('sums the go-live cells of the group: users over eligible', () => {
    const rows = [
      cell('A', '2026-03-02', 3, 1, 10),
      cell('A', '2026-03-02', 2, 1, 5), // a second go-live cohort of A: 5 / 15, 2 / 15
      cell('B', '2026-03-02', 9, 9, 9),
      cell('A', '2026-03-09', 0, 0, 0), // nobody eligible: no share
    ];
    expect(weeklyShares(rows, 'adoption.active_share', 'A').get('2026-03-02')).toEqual({
      value: 5 / 15,
      n: 15,
    });
    expect(weeklyShares(rows, 'adoption.habitual_share', 'A').get('2026-03-02')).toEqual({
      value: 2 / 15,
      n: 15,
    });
    expect(weeklyShares(rows, 'adoption.active_share', 'A').get('2026-03-09')).toEqual({
      value: null,
      n: 0,
    });
  });
});

describe('goalMetricOptions', () => {
  const org = {
    ...OPTION_DEFAULTS,
    exclude_channels: [],
    timezone: 'Europe/Oslo',
  } as MetricOptions;
  it('lays the goal’s own options over the organisation’s, never its time zone', () => {
    expect(goalMetricOptions(org, '{"timeout_seconds":120,"timezone":"UTC"}')).toEqual({
      ...org,
      timeout_seconds: 120,
    });
    expect(goalMetricOptions(org, { wow: 'pajama' })).toEqual({ ...org, wow: 'pajama' });
  });
  it('falls back to the organisation’s for stored text that is not valid', () => {
    expect(goalMetricOptions(org, 'not json')).toEqual(org);
    expect(goalMetricOptions(org, '{"timeout_seconds":-1}')).toEqual(org);
  });
});
