import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markSuppressed, suppressCells } from './suppress.ts';

/** Rank of integer vectors by Gaussian elimination over the rationals (as floats, small sizes). */
function rank(vectors: number[][]): number {
  const m = vectors.map((v) => [...v]);
  let r = 0;
  const cols = m[0]?.length ?? 0;
  for (let c = 0; c < cols && r < m.length; c++) {
    const p = m.findIndex((row, i) => i >= r && Math.abs(row[c]!) > 1e-9);
    if (p < 0) continue;
    [m[r], m[p]] = [m[p]!, m[r]!];
    for (let i = 0; i < m.length; i++) {
      if (i === r) continue;
      const f = m[i]![c]! / m[r]![c]!;
      for (let k = c; k < cols; k++) m[i]![k]! -= f * m[r]![k]!;
    }
    r++;
  }
  return r;
}

/**
 * Whether hidden cell `h` can be worked out from what a viewer sees of a one-level table: the
 * visible cells and the total (shown unless the total itself is below the threshold). Two ways:
 * linearly (its unit vector lies in the span of the visible cells' unit vectors and the all-ones
 * total), or by the counts being non-negative (the hidden cells' sum is zero, or it is one cell).
 */
function derivable(sizes: number[], hidden: Set<number>, threshold: number, h: number): boolean {
  const k = sizes.length;
  const unit = (i: number) => Array.from({ length: k }, (_, j) => (j === i ? 1 : 0));
  const total = sizes.reduce((s, x) => s + x, 0);
  const known: number[][] = [];
  for (let i = 0; i < k; i++) if (!hidden.has(i)) known.push(unit(i));
  const totalShown = total >= threshold;
  if (totalShown) known.push(Array.from({ length: k }, () => 1));
  if (known.length && rank([...known, unit(h)]) === rank(known)) return true;
  if (!totalShown) return false;
  // The hidden cells sum to total − visible; with x ≥ 0 a zero sum pins every hidden cell.
  const hiddenSum = [...hidden].reduce((s, i) => s + sizes[i]!, 0);
  return hiddenSum === 0;
}

describe('suppressCells', () => {
  it('hides the 9-clinician department and the next smallest, not the largest (threshold 10)', () => {
    const r = suppressCells(
      [
        { key: 'Riverside', n: 12 },
        { key: 'Northside', n: 9 },
        { key: 'Eastside', n: 30 },
      ],
      10,
    );
    expect([...r.entries()].sort()).toEqual([
      ['Northside', 'small'],
      ['Riverside', 'complementary'],
    ]);
  });

  it('hides nothing when every group is large enough, and no more when two are already small', () => {
    expect(
      suppressCells(
        [
          { key: 'a', n: 10 },
          { key: 'b', n: 11 },
        ],
        10,
      ).size,
    ).toBe(0);
    const two = suppressCells(
      [
        { key: 'a', n: 3 },
        { key: 'b', n: 4 },
        { key: 'c', n: 40 },
      ],
      5,
    );
    expect([...two.keys()].sort()).toEqual(['a', 'b']);
  });

  it('goes on past zero-sized groups: hidden groups summing to zero would all be known', () => {
    const r = suppressCells(
      [
        { key: 'a', n: 0 },
        { key: 'b', n: 0 },
        { key: 'c', n: 12 },
        { key: 'd', n: 20 },
      ],
      5,
    );
    expect([...r.entries()].sort()).toEqual([
      ['a', 'small'],
      ['b', 'small'],
      ['c', 'complementary'],
    ]);
  });

  it('breaks ties between equally small candidates by name', () => {
    const r = suppressCells(
      [
        { key: 'z', n: 2 },
        { key: 'y', n: 20 },
        { key: 'x', n: 20 },
      ],
      5,
    );
    expect(r.get('x')).toBe('complementary');
    expect(r.has('y')).toBe(false);
  });

  it('property: no suppressed group is derivable from the visible groups and the total', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 9 }),
        fc.integer({ min: 1, max: 30 }),
        (sizes, threshold) => {
          const keys = sizes.map((_, i) => `g${i}`);
          const r = suppressCells(
            sizes.map((n, i) => ({ key: keys[i]!, n })),
            threshold,
          );
          const hidden = new Set(sizes.flatMap((_, i) => (r.has(keys[i]!) ? [i] : [])));
          for (let i = 0; i < sizes.length; i++) {
            // Every small group is hidden; no hidden group can be worked out.
            if (sizes[i]! < threshold) expect(r.get(keys[i]!)).toBe('small');
            if (hidden.has(i)) expect(derivable(sizes, hidden, threshold, i)).toBe(false);
          }
          // Minimal: the complementary groups are the smallest of the others.
          const comp = sizes.filter((_, i) => r.get(keys[i]!) === 'complementary');
          const open = sizes.filter((_, i) => !hidden.has(i));
          if (comp.length && open.length)
            expect(Math.max(...comp)).toBeLessThanOrEqual(Math.min(...open));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('marks the groups of each period separately', () => {
    const row = (group: string, start: string, n: number) => ({
      group,
      period_start: start,
      period_end: 'x',
      n,
      suppressed: false,
    });
    const rows = markSuppressed(
      [
        row('a', 'w1', 9),
        row('b', 'w1', 12),
        row('c', 'w1', 20),
        row('a', 'w2', 10),
        row('b', 'w2', 12),
      ],
      10,
    );
    expect(rows.map((r) => r.suppressed)).toEqual([true, true, false, false, false]);
  });
});
