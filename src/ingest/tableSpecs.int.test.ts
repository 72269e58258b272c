import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withScratchDuckDB } from '../store/duckdbStore.ts';
import { quoteLiteral } from '../store/quote.ts';
import { commonInstantSql, instantSql } from './tableSpecs.ts';

/** The general path alone: `instantSql` as it was before the fast path (its `general` branch). */
const OFFSET_RE = `'[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$'`;
const general = (c: string, tz: string) =>
  `CASE WHEN regexp_matches(${c}, ${OFFSET_RE}) THEN CASE WHEN regexp_matches(${c}, '(Z|z|[+-](0[0-9]|1[0-3])(:?[0-5][0-9])?|[+-]14(:?00)?)$') THEN TRY_CAST(replace(${c}, 'z', 'Z') AS TIMESTAMPTZ) END
    WHEN ${tz} IS NULL THEN NULL ELSE TRY_CAST(${c} AS TIMESTAMP) AT TIME ZONE ${tz} END`;

// Characters that look like the parts of an instant, and some that do not.
const ch = fc.constantFrom(
  ...'0123456789',
  '0',
  '1',
  '4',
  '5',
  '9',
  ' ',
  'a',
  ':',
  '+',
  '-',
  'T',
  'Z',
  'z',
);
const two = (min: number, max: number) =>
  fc.integer({ min, max }).map((n) => String(n).padStart(2, '0'));
/** Mostly well-formed instants of the common shapes, some characters replaced at random. */
const instant = fc
  .tuple(
    fc.integer({ min: 1990, max: 2030 }).map(String),
    two(1, 12),
    two(1, 28),
    two(0, 23),
    two(0, 59),
    two(0, 59),
    fc.constantFrom('+', '-', 'Z', 'z', ' '),
    fc.integer({ min: 0, max: 16 }).map((h) => String(h).padStart(2, '0')),
    fc.constantFrom('00', '30', '45', '59', '60', '99'),
    fc.constantFrom('', '', '.5', '.123', '.123456', '.1234567'),
    fc.array(fc.tuple(fc.nat(31), ch), { maxLength: 2 }),
  )
  .map(([y, mo, d, h, mi, s, sign, oh, om, frac, edits]) => {
    let t = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${sign === 'Z' || sign === 'z' ? sign : `${sign}${oh}:${om}`}`;
    for (const [i, c] of edits) if (i < t.length) t = t.slice(0, i) + c + t.slice(i + 1);
    return t;
  });

describe('the fast path for instants of the common shapes', () => {
  it('gives exactly what the general path gives wherever it gives anything, and the whole expression always does', async () => {
    await withScratchDuckDB(async (db) => {
      await db.run(`SET TimeZone = 'UTC'`);
      await fc.assert(
        fc.asyncProperty(fc.array(instant, { minLength: 200, maxLength: 200 }), async (values) => {
          await db.run(`CREATE OR REPLACE TABLE v (c VARCHAR)`);
          await db.run(
            `INSERT INTO v VALUES ${values.map((v) => `(${quoteLiteral(v)})`).join(', ')}`,
          );
          for (const tz of [`CAST(NULL AS VARCHAR)`, `'America/New_York'`]) {
            const diff = await db.all<{ c: string }>(
              `SELECT c FROM (SELECT c, ${commonInstantSql('c')} AS fast, ${general('c', tz)} AS slow,
                 ${instantSql('c', tz)} AS whole FROM v)
               WHERE (fast IS NOT NULL AND fast IS DISTINCT FROM slow) OR whole IS DISTINCT FROM slow`,
            );
            expect(diff).toEqual([]);
          }
        }),
        { numRuns: 40 },
      );
      // Hand cases at the edges of the offset's range, and of shape.
      const cases: [string, string | null][] = [
        ['2026-03-08T01:59:59-05:00', '2026-03-08 06:59:59+00'],
        ['2026-03-08T12:00:00+14:00', '2026-03-07 22:00:00+00'],
        ['2026-03-08T12:00:00+14:30', null],
        ['2026-03-08T12:00:00-13:59', '2026-03-09 01:59:00+00'],
        ['2026-03-08T12:00:00+05:60', null],
        ['2026-03-08T12:00:00Z', '2026-03-08 12:00:00+00'],
        ['2026-03-08T12:00:00z', '2026-03-08 12:00:00+00'],
        ['2026-02-30T12:00:00+01:00', null],
        ['2026-03-08T12:00:00.250000Z', '2026-03-08 12:00:00.25+00'],
        ['2026-03-08T12:00:00.250-05:00', '2026-03-08 17:00:00.25+00'],
      ];
      // The shapes every system writes take the fast path (without it, `otherwise` shows).
      for (const text of [
        '2026-03-08T01:59:59-05:00',
        '2026-03-08T01:59:59+14:00',
        '2026-03-08T01:59:59Z',
        '2026-03-08T01:59:59.123456Z',
        '2026-03-08T01:59:59.123-05:00',
      ])
        expect(
          await db.all(`SELECT ${commonInstantSql('$1', `'general'`)} AS t`, [text]),
          text,
        ).not.toEqual([{ t: 'general' }]);
      for (const [text, want] of cases) {
        const [r] = await db.all<{ t: string | null }>(
          `SELECT CAST(${instantSql('$1', 'CAST(NULL AS VARCHAR)')} AS VARCHAR) AS t`,
          [text],
        );
        expect(r?.t ?? null, text).toBe(want);
      }
    });
  }, 120_000);
});
