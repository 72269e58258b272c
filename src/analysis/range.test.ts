/** The reports' and the analyses' default weeks from a dense extent (issue 11, item 11). */
import { describe, expect, it } from 'vitest';
import {
  completeWeeks,
  defaultAnalysisWeeks,
  defaultReportRange,
  localToday,
  MAX_WEEKS,
  type DenseExtent,
} from './range.ts';

const extent = (from: string, to: string): DenseExtent => ({
  from,
  to,
  weeks: 1,
  dense_weeks: 1,
  median_weekly_events: 1,
});

describe('default ranges from a dense extent', () => {
  it('takes the last 12 complete weeks, partial first and last weeks left out', () => {
    // Wednesday 2026-01-07 to Thursday 2026-04-16 (to 04-17): complete weeks 01-12 … 04-12,
    // that is Mondays 01-12 to 04-13 (13 weeks); the last 12 start on 04-13 − 84 days = 01-19.
    const e = extent('2026-01-07', '2026-04-17');
    expect(completeWeeks(e, '2026-12-07')).toEqual({ from: '2026-01-12', to: '2026-04-13' });
    expect(defaultReportRange(e, '2026-12-07')).toEqual({ from: '2026-01-19', to: '2026-04-13' });
  });

  it('takes fewer weeks when the data hold fewer, and the whole last week when it ends on Sunday', () => {
    // Monday 01-05 to Sunday 01-25 (to 01-26): exactly 3 weeks.
    const e = extent('2026-01-05', '2026-01-26');
    expect(defaultReportRange(e, '2026-12-07')).toEqual({ from: '2026-01-05', to: '2026-01-26' });
  });

  it('leaves out the current week, which is not over', () => {
    // Data up to Sunday 12-13 (to 12-14), today Wednesday 12-09: the week of 12-07 is not over.
    const e = extent('2026-11-02', '2026-12-14');
    expect(completeWeeks(e, '2026-12-09')).toEqual({ from: '2026-11-02', to: '2026-12-07' });
    // On Monday 12-14 it is.
    expect(completeWeeks(e, '2026-12-14')).toEqual({ from: '2026-11-02', to: '2026-12-14' });
    expect(defaultReportRange(e, '2026-12-09')).toEqual({ from: '2026-11-02', to: '2026-12-07' });
  });

  it('keeps data dated after today rather than leave nothing', () => {
    const e = extent('2027-03-01', '2027-03-29');
    expect(completeWeeks(e, '2026-12-09')).toEqual({ from: '2027-03-01', to: '2027-03-29' });
  });

  it('falls back to the dense days when they hold no complete week, and to today without data', () => {
    // Wednesday 01-07 to Tuesday 01-13: no Monday-to-Sunday inside.
    const e = extent('2026-01-07', '2026-01-14');
    expect(completeWeeks(e, '2026-12-07')).toBeNull();
    expect(defaultReportRange(e, '2026-12-07')).toEqual({ from: '2026-01-07', to: '2026-01-14' });
    expect(defaultReportRange(null, '2026-12-07')).toEqual({
      from: '2026-12-07',
      to: '2026-12-08',
    });
  });

  it('gives adoption and evaluation every complete week, the last MAX_WEEKS at most', () => {
    expect(defaultAnalysisWeeks(extent('2026-01-07', '2026-04-17'), '2026-12-07')).toEqual({
      from: '2026-01-12',
      to: '2026-04-13',
    });
    // Dense from Monday 1990-01-01 to Sunday 2026-11-29: 1,926 weeks; the last 1,044 start
    // 1,044 × 7 = 7,308 days before Monday 2026-11-30, on Monday 2006-11-27.
    expect(MAX_WEEKS).toBe(1044);
    expect(defaultAnalysisWeeks(extent('1990-01-01', '2026-11-30'), '2026-12-07')).toEqual({
      from: '2006-11-27',
      to: '2026-11-30',
    });
    expect(defaultAnalysisWeeks(extent('2026-01-07', '2026-01-14'), '2026-12-07')).toBeNull();
  });

  it('reads today in the organisation’s time zone', () => {
    const now = new Date('2026-12-07T03:00:00Z');
    expect(localToday('UTC', now)).toBe('2026-12-07');
    expect(localToday('America/New_York', now)).toBe('2026-12-06');
  });
});
