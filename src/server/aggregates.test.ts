import { describe, expect, it } from 'vitest';
import type { ClinicianMetricRow } from '../model/metricRow.ts';
import {
  changes,
  groupRows,
  halves,
  percentileCont,
  quantiles,
  redact,
  withAfterHours8,
  type Roster,
} from './aggregates.ts';

function row(
  user_id: string,
  period_start: string,
  period_end: string,
  o: Partial<ClinicianMetricRow> = {},
): ClinicianMetricRow {
  const sched = o.scheduled_hours ?? 8;
  const ehr = o.ehr_hours ?? 4;
  return {
    user_id,
    period_start,
    period_end,
    ehr_hours: ehr,
    notes_hours: 1,
    orders_hours: 1,
    prescriptions_hours: 0,
    inbox_hours: o.inbox_hours ?? 1,
    chart_review_hours: 1,
    other_hours: 0,
    scheduled_hours: sched,
    appointments: 10,
    wow_hours: o.wow_hours ?? 1,
    after_hours_hours: 0.5,
    unscheduled_day_hours: 0,
    visit_ehr_hours: 1,
    ehr_time8: sched > 0 ? (ehr * 8) / sched : null,
    wow8: null,
    note_time8: null,
    pres_time8: null,
    ib_time8: null,
    teamwork_orders: null,
    undivided_attention: null,
    ehr_minutes_per_appointment: null,
    events: 1,
    active_days: 1,
    patients: 1,
    ...o,
  };
}

const roster: Roster = new Map([
  ['a', { user_id: 'a', name: 'A', role: 'physician', specialty: 's', department: 'D1' }],
  ['b', { user_id: 'b', name: 'B', role: 'physician', specialty: 's', department: 'D1' }],
  ['c', { user_id: 'c', name: 'C', role: 'np', specialty: null, department: 'D2' }],
]);

describe('group figures', () => {
  it('interpolates percentiles as percentile_cont', () => {
    expect(percentileCont([], 0.5)).toBeNull();
    expect(percentileCont([3], 0.25)).toBe(3);
    expect(percentileCont([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentileCont([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75);
    expect(percentileCont([0, 10], 0.9)).toBeCloseTo(9);
    expect(quantiles([1, 2, 3, 4, 5])).toEqual({ p10: 1.4, p25: 2, median: 3, p75: 4, p90: 4.6 });
  });

  it('groups like the SQL: n counts scheduled clinicians, unknown users go to (not in roster)', () => {
    const rows = [
      row('a', '2026-01-05', '2026-01-12', { ehr_hours: 2 }),
      row('b', '2026-01-05', '2026-01-12', { ehr_hours: 6 }),
      row('c', '2026-01-05', '2026-01-12', { scheduled_hours: 0 }),
      row('zz', '2026-01-05', '2026-01-12'),
    ];
    const g = groupRows(rows, roster, 'department', 2);
    expect(g.map((r) => [r.group, r.n, r.clinicians, r.suppressed])).toEqual([
      ['(not in roster)', 1, 1, true],
      ['D1', 2, 2, false],
      ['D2', 0, 1, true],
    ]);
    expect(g[1]!.ehr_time8_median).toBe(4);
    expect(g[1]!.ehr_time8_p25).toBe(3);
    expect(groupRows(rows, roster, 'specialty', 2).map((r) => r.group)).toEqual([
      '(not in roster)',
      's',
    ]);
    expect(groupRows(rows, roster, 'org', 2)[0]).toMatchObject({
      group: 'organisation',
      n: 3,
      clinicians: 4,
    });
  });

  it('withholds every number of a suppressed row unless asked to show it', () => {
    const g = groupRows([row('a', 'x', 'y')], roster, 'department', 5)[0]!;
    expect(redact(g, false)).toMatchObject({
      n: null,
      clinicians: null,
      ehr_time8_median: null,
      suppressed: true,
    });
    expect(redact(g, true)).toMatchObject({ n: 1, suppressed: true });
    const big = groupRows([row('a', 'x', 'y')], roster, 'department', 1)[0]!;
    expect(redact(big, false)).toMatchObject({ n: 1, suppressed: false });
  });

  it('hides a second department of the same week when only one is small (no subtraction)', () => {
    // Week 1: D2 (1 clinician) is below the threshold 2, so the smallest other group of the week,
    // D1 (2), is hidden too, never the largest (not in roster, 3); week 2 has no small group.
    const rows = [
      row('a', 'w1', 'w2'),
      row('b', 'w1', 'w2'),
      row('c', 'w1', 'w2'),
      row('zz', 'w1', 'w2'),
      row('yy', 'w1', 'w2'),
      row('xx', 'w1', 'w2'),
      row('a', 'w2', 'w3'),
      row('b', 'w2', 'w3'),
    ];
    const g = groupRows(rows, roster, 'department', 2);
    expect(g.map((r) => [r.group, r.period_start, r.n, r.suppressed])).toEqual([
      ['(not in roster)', 'w1', 3, false],
      ['D1', 'w1', 2, true],
      ['D1', 'w2', 2, false],
      ['D2', 'w1', 1, true],
    ]);
  });

  it('adds after-hours time per 8 scheduled hours', () => {
    expect(
      withAfterHours8([row('a', 'x', 'y', { after_hours_hours: 2, scheduled_hours: 16 })])[0]!
        .after_hours8,
    ).toBe(1);
    expect(
      withAfterHours8([row('a', 'x', 'y', { scheduled_hours: 0 })])[0]!.after_hours8,
    ).toBeNull();
  });

  it('compares the first and second half of the weeks, per clinician hours over scheduled hours', () => {
    const w = ['2026-01-05', '2026-01-12', '2026-01-19'];
    const end = (s: string) =>
      new Date(Date.parse(`${s}T00:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10);
    const h = halves(w.map((s) => row('a', s, end(s))));
    expect(h).toEqual({
      first: ['2026-01-05', '2026-01-12'],
      second: ['2026-01-19', '2026-01-26'],
    });
    const rows = [
      row('a', w[0]!, end(w[0]!), { ehr_hours: 8, scheduled_hours: 8 }),
      row('a', w[2]!, end(w[2]!), { ehr_hours: 4, scheduled_hours: 8 }),
      row('b', w[0]!, end(w[0]!), { ehr_hours: 4, scheduled_hours: 8, inbox_hours: 1 }),
      row('b', w[1]!, end(w[1]!), { ehr_hours: 100, scheduled_hours: 8 }),
      row('b', w[2]!, end(w[2]!), { ehr_hours: 6, scheduled_hours: 16, inbox_hours: 4 }),
    ];
    const c = changes(rows, roster, 'department', h);
    const ehr = c.find((x) => x.metric === 'ehr_time8')!;
    expect(ehr).toMatchObject({
      group: 'D1',
      first_half_median: 6,
      second_half_median: 3.5,
      change: -2.5,
      direction: 'improved',
      n: 2,
    });
    const ib = c.find((x) => x.metric === 'ib_time8')!;
    expect(ib).toMatchObject({
      first_half_median: 1,
      second_half_median: 1.5,
      direction: 'worsened',
    });
    expect(halves([row('a', w[0]!, end(w[0]!))])).toBeNull();
  });
});
