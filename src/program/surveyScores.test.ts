/**
 * The scores of §3 on sheets computed by hand (the arithmetic is written beside each case; the
 * t quantiles are t(0.975, 3) = 3.182446 and the Welch df of the before/after case, 3.99009).
 */
import { describe, expect, it } from 'vitest';
import {
  meanFromMoments,
  netOfRespondent,
  npsDifference,
  npsScore,
  responseRate,
  susBand,
  susScore,
  welchFromMoments,
} from './surveyScores.ts';
import { instrumentItems, SUS_LINK_IDS } from './surveyInstruments.ts';

const sd = (xs: number[]) => {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};
const moments = (xs: number[]) =>
  meanFromMoments(xs.length, xs.reduce((s, x) => s + x, 0) / xs.length, sd(xs))!;

describe('SUS', () => {
  it.each([
    // odd items give x − 1, even items 5 − x; the sum × 2.5
    [[5, 1, 5, 1, 5, 1, 5, 1, 5, 1], 100], // (4·5 + 4·5) × 2.5
    [[3, 3, 3, 3, 3, 3, 3, 3, 3, 3], 50], // (2·5 + 2·5) × 2.5
    [[4, 2, 4, 2, 4, 2, 4, 2, 4, 2], 75], // (3·5 + 3·5) × 2.5
    [[4, 1, 5, 2, 3, 2, 4, 3, 5, 1], 80], // odd 3+4+2+3+4 = 16, even 4+3+3+2+4 = 16; 32 × 2.5
    [[1, 5, 1, 5, 1, 5, 1, 5, 1, 5], 0],
  ])('scores %j as %d', (sheet, score) => {
    expect(susScore(sheet)).toBe(score);
  });

  it('gives no score to a sheet missing an item, or with a value off the scale', () => {
    expect(susScore([4, 1, 5, 2, 3, 2, null, 3, 5, 1])).toBeNull();
    expect(susScore([4, 1, 5, 2, 3, 2, 4, 3, 5])).toBeNull();
    expect(susScore([4, 1, 5, 2, 3, 2, 6, 3, 5, 1])).toBeNull();
  });

  it('takes the group mean with its t-interval and the adjective band of Bangor et al.', () => {
    // 100, 50, 75, 80: mean 76.25; squares of deviations 564.0625 + 689.0625 + 1.5625 + 14.0625
    // = 1268.75, sd = √(1268.75 / 3) = 20.56494; half = 3.182446 × 20.56494 / 2 = 32.72341
    const m = moments([100, 50, 75, 80]);
    expect(m.mean).toBe(76.25);
    expect(m.sd).toBeCloseTo(20.56494, 4);
    expect(m.ci95![0]).toBeCloseTo(43.52659, 4);
    expect(m.ci95![1]).toBeCloseTo(108.97341, 4);
    expect(susBand(76.25)).toBe('good');
    expect(susBand(78.45)).toBe('excellent');
    expect(susBand(78.44)).toBe('good');
    expect(susBand(50.9)).toBe('OK');
    expect(susBand(0)).toBe('worst imaginable');
    expect(susBand(100)).toBe('best imaginable');
  });

  it('has no interval for a single response', () => {
    expect(meanFromMoments(1, 80, null)).toEqual({ n: 1, mean: 80, sd: null, ci95: null });
    expect(meanFromMoments(0, null, null)).toBeNull();
  });

  it('ships Brooke’s ten items on five points', () => {
    const items = instrumentItems('sus')!;
    expect(items.map((i) => i.link_id)).toEqual(SUS_LINK_IDS);
    expect(items.every((i) => i.type === 'likert5')).toBe(true);
    expect(items[1]!.text).toBe('I found the system unnecessarily complex.');
  });
});

describe('NPS with the adjusted-Wald interval', () => {
  it('n = 1, one promoter: n′ = 4, p′ = 1.75/4, d′ = 0.75/4, SE = √((0.625 − 0.0625)/4) = 0.375', () => {
    const s = npsScore(1, 1, 0)!;
    expect(s.nps).toBe(100);
    expect(s.adjusted).toBeCloseTo(25, 10);
    expect(s.se).toBeCloseTo(0.375, 12);
    // 100 × (0.25 ± 1.96 × 0.375) = −48.5 … 98.5
    expect(s.ci95[0]).toBeCloseTo(-48.5, 10);
    expect(s.ci95[1]).toBeCloseTo(98.5, 10);
  });

  it('n = 10, 6 promoters, 2 passives, 2 detractors', () => {
    // n′ = 13, p′ = 6.75/13, d′ = 2.75/13, p′ − d′ = 4/13, p′ + d′ = 9.5/13
    // SE = √((9.5/13 − 16/169)/13) = 0.2212021; 100 × (4/13 ± 1.96 SE) = −12.5864 … 74.1248
    const s = npsScore(10, 6, 2)!;
    expect(s.nps).toBe(40);
    expect(s.se).toBeCloseTo(0.2212021, 6);
    expect(s.ci95[0]).toBeCloseTo(-12.5864, 3);
    expect(s.ci95[1]).toBeCloseTo(74.1248, 3);
  });

  it('n = 100, 50 promoters, 30 passives, 20 detractors', () => {
    // n′ = 103, p′ − d′ = 30/103, p′ + d′ = 71.5/103; SE = 0.0769151
    const s = npsScore(100, 50, 20)!;
    expect(s.nps).toBe(30);
    expect(s.se).toBeCloseTo(0.0769151, 6);
    expect(s.ci95[0]).toBeCloseTo(14.0509, 3);
    expect(s.ci95[1]).toBeCloseTo(44.2016, 3);
  });

  it('all promoters: the point is 100, the interval is clipped at 100 and not degenerate', () => {
    // n = 10: p′ − d′ = 10/13, SE = 0.1501024; upper 106.34 → 100, lower 47.503
    const s = npsScore(10, 10, 0)!;
    expect(s.nps).toBe(100);
    expect(s.ci95[1]).toBe(100);
    expect(s.ci95[0]).toBeCloseTo(47.503, 3);
  });

  it('refuses counts that are not counts of n, and has no score without responses', () => {
    expect(() => npsScore(3, 2, 2)).toThrow(RangeError);
    expect(npsScore(0, 0, 0)).toBeNull();
  });

  it('before/after: the unadjusted difference, the interval of the adjusted ones', () => {
    // before n = 10, P 2, D 5 (NPS −30); after n = 10, P 6, D 2 (NPS 40): difference 70;
    // centre = 4/13 − (−3/13) = 7/13; SE = √(SE₁² + SE₂²) = 0.3084311; 100 × (7/13 ± 1.96 SE)
    const d = npsDifference(npsScore(10, 2, 5)!, npsScore(10, 6, 2)!);
    expect(d.estimate).toBe(70);
    expect(d.se).toBeCloseTo(30.84311, 4);
    expect(d.ci95[0]).toBeCloseTo(-6.6063, 3);
    expect(d.ci95[1]).toBeCloseTo(114.2986, 3);
  });
});

describe('net satisfaction', () => {
  it('a respondent: (agree − disagree) / items answered', () => {
    expect(netOfRespondent([5, 4, 3, 2])).toBe(0.25);
    expect(netOfRespondent([1, 2, null, undefined])).toBe(-1);
    expect(netOfRespondent([3, 3, 3])).toBe(0);
    expect(netOfRespondent([null])).toBeNull();
  });

  it('the group: 100 × the mean with a t-interval', () => {
    // 25, −100, 0: mean −25, sd 66.14378, t(0.975, 2) = 4.302653; half = 164.3103
    const m = moments([25, -100, 0]);
    expect(m.mean).toBe(-25);
    expect(m.ci95![0]).toBeCloseTo(-189.3103, 3);
    expect(m.ci95![1]).toBeCloseTo(139.3103, 3);
  });
});

describe('before/after of means (Welch)', () => {
  it('SUS 50, 60, 70 before and 70, 80, 90, 85 after', () => {
    // v₁ = 100/3, v₂ = 72.9167/4; SE = 7.180703; df = 3.99009; 21.25 ± t(0.975, df) × SE
    const d = welchFromMoments(moments([50, 60, 70]), moments([70, 80, 90, 85]))!;
    expect(d.estimate).toBe(21.25);
    expect(d.se).toBeCloseTo(7.180703, 5);
    expect(d.df).toBeCloseTo(3.99009, 4);
    expect(d.ci95[0]).toBeCloseTo(1.293635, 4);
    expect(d.ci95[1]).toBeCloseTo(41.206365, 4);
  });

  it('needs two values on each side', () => {
    expect(welchFromMoments(moments([50, 60]), meanFromMoments(1, 80, null)!)).toBeNull();
  });
});

describe('response rate', () => {
  it('is responses over invited, and nothing without invitations', () => {
    expect(responseRate(3, 12)).toBe(0.25);
    expect(responseRate(3, 0)).toBeNull();
  });
});
