import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { quoteLiteral } from '../store/quote.ts';
import { localTimeSql, offsetsTableSql } from './localTime.ts';

/** Resolve many local times of one zone at once; returns ISO UTC texts (null: none). */
async function resolve(
  db: DuckDBStore,
  tz: string,
  locals: string[],
): Promise<{ earlier: string | null; later: string | null }[]> {
  await db.run(`CREATE OR REPLACE TEMP TABLE lt_in (i BIGINT, lt TIMESTAMP)`);
  if (locals.length) {
    await db.run(
      `INSERT INTO lt_in VALUES ${locals.map((_, i) => `(${i}, CAST($${i + 1} AS TIMESTAMP))`).join(', ')}`,
      locals,
    );
  }
  const z = quoteLiteral(tz);
  await db.run(offsetsTableSql('lt_off', `SELECT CAST(lt AS DATE) AS d FROM lt_in`, z));
  const s = localTimeSql('l.lt', 'o', z);
  const fmt = (x: string) => `strftime(${x}, '%Y-%m-%dT%H:%M:%S.%fZ')`;
  return db.all(
    `SELECT ${fmt(s.earlierUtc)} AS earlier, ${fmt(s.laterUtc)} AS later
     FROM lt_in l LEFT JOIN lt_off o ON o.d = CAST(l.lt AS DATE) ORDER BY l.i`,
  );
}

/** Local wall-clock time (as epoch ms of the same clock reading in UTC) of instant `u` in `tz`. */
function localClock(tz: string): (u: number) => number {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return (u) => {
    const p = Object.fromEntries(f.formatToParts(new Date(u)).map((x) => [x.type, x.value]));
    return Date.UTC(
      +p['year']!,
      +p['month']! - 1,
      +p['day']!,
      +p['hour']!,
      +p['minute']!,
      +p['second']!,
    );
  };
}

/** Reference in JavaScript (Intl): every instant whose local time in `tz` is `local`. */
function reference(localMs: (u: number) => number, local: string): string[] {
  const L = Date.parse(local.replace(' ', 'T') + 'Z');
  const offsets = new Set<number>();
  for (let k = -15; k <= 15; k++) {
    const u = L + k * 3_600_000;
    offsets.add(localMs(u) - u);
  }
  const out = [...offsets].map((o) => L - o).filter((u) => localMs(u) === L);
  return [...new Set(out)].sort((a, b) => a - b).map((u) => new Date(u).toISOString());
}

/** The instants (to the second) at which `tz` changed its offset in [from, to). */
function transitions(localMs: (u: number) => number, from: number, to: number): number[] {
  const off = (u: number) => localMs(u) - u;
  const out: number[] = [];
  for (let u = from; u < to; u += 86_400_000) {
    if (off(u) === off(u + 86_400_000)) continue;
    let lo = u;
    let hi = u + 86_400_000;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (off(mid) === off(lo)) lo = mid;
      else hi = mid;
    }
    out.push(hi);
  }
  return out;
}

const iso6 = (ms: string) => ms.replace(/\.(\d{3})Z$/, '.$1000Z');

describe('local times of a named zone', () => {
  let db: DuckDBStore;
  beforeAll(async () => {
    db = await DuckDBStore.open(':memory:');
  });
  afterAll(async () => {
    await db.close();
  });

  it('finds gaps, repeated hours and plain times, with fractional seconds', async () => {
    const cases: [string, string, string[]][] = [
      ['America/Chicago', '2026-03-02 08:15:00.123456', ['2026-03-02T14:15:00.123456Z']],
      ['America/Chicago', '2026-03-08 01:59:59', ['2026-03-08T07:59:59.000000Z']],
      ['America/Chicago', '2026-03-08 02:00:00', []],
      ['America/Chicago', '2026-03-08 02:30:00', []],
      ['America/Chicago', '2026-03-08 03:00:00', ['2026-03-08T08:00:00.000000Z']],
      ['America/Chicago', '2026-11-01 00:59:59', ['2026-11-01T05:59:59.000000Z']],
      [
        'America/Chicago',
        '2026-11-01 01:00:00',
        ['2026-11-01T06:00:00.000000Z', '2026-11-01T07:00:00.000000Z'],
      ],
      [
        'America/Chicago',
        '2026-11-01 01:30:00.5',
        ['2026-11-01T06:30:00.500000Z', '2026-11-01T07:30:00.500000Z'],
      ],
      ['America/Chicago', '2026-11-01 02:00:00', ['2026-11-01T08:00:00.000000Z']],
      ['America/Chicago', '2026-11-02 10:00:00', ['2026-11-02T16:00:00.000000Z']],
      ['Europe/Berlin', '2026-03-29 02:30:00', []],
      [
        'Europe/Berlin',
        '2026-10-25 02:30:00',
        ['2026-10-25T00:30:00.000000Z', '2026-10-25T01:30:00.000000Z'],
      ],
      [
        'Australia/Sydney',
        '2026-04-05 02:30:00',
        ['2026-04-04T15:30:00.000000Z', '2026-04-04T16:30:00.000000Z'],
      ],
      ['Australia/Sydney', '2026-10-04 02:30:00', []],
      // half-hour shift
      ['Australia/Lord_Howe', '2026-10-04 02:15:00', []],
      [
        'Australia/Lord_Howe',
        '2026-04-05 01:45:00',
        ['2026-04-04T14:45:00.000000Z', '2026-04-04T15:15:00.000000Z'],
      ],
      // Samoa skipped 30 December 2011 entirely
      ['Pacific/Apia', '2011-12-29 12:00:00', ['2011-12-29T22:00:00.000000Z']],
      ['Pacific/Apia', '2011-12-30 12:00:00', []],
      ['Pacific/Apia', '2011-12-31 12:00:00', ['2011-12-30T22:00:00.000000Z']],
      ['UTC', '2026-03-08 02:30:00', ['2026-03-08T02:30:00.000000Z']],
    ];
    for (const [tz, local, want] of cases) {
      const [r] = await resolve(db, tz, [local]);
      const got = [r?.earlier, r?.later].filter((x): x is string => x !== null && x !== undefined);
      expect(got, `${tz} ${local}`).toEqual(want);
    }
  });

  // Past times only: the zones' future rules (e.g. Morocco's Ramadan changes) are predictions that
  // differ between the tz data of DuckDB's ICU and of Node.js.
  it('agrees with Intl on random local times, many zones, dense around clock changes', async () => {
    const zones = [
      'America/Chicago',
      'America/New_York',
      'Europe/London',
      'Australia/Lord_Howe',
      'America/Santiago',
      'Asia/Tehran',
      'Africa/Casablanca',
    ];
    const toLocalText = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    const from = Date.UTC(2005, 0, 1);
    const to = Date.UTC(2025, 0, 1);
    for (const tz of zones) {
      const clock = localClock(tz);
      const changes = transitions(clock, from, to);
      expect(changes.length, tz).toBeGreaterThan(5);
      // local times anywhere, and within three hours (local) of a clock change
      const anyTime = fc
        .integer({ min: from / 1000, max: to / 1000 })
        .map((s) => toLocalText(s * 1000));
      const nearChange = fc
        .record({
          i: fc.integer({ min: 0, max: changes.length - 1 }),
          d: fc.integer({ min: -3 * 3600, max: 3 * 3600 }),
        })
        .map(({ i, d }) => toLocalText(clock(changes[i]!) + d * 1000));
      const locals = [
        ...fc.sample(anyTime, { numRuns: 200, seed: 7 }),
        ...fc.sample(nearChange, { numRuns: 400, seed: 11 }),
      ];
      const got = await resolve(db, tz, locals);
      let ambiguous = 0;
      let missing = 0;
      locals.forEach((l, i) => {
        const r = got[i];
        const mine = [r?.earlier, r?.later].filter(
          (x): x is string => x !== null && x !== undefined,
        );
        const want = reference(clock, l).map(iso6);
        expect(mine, `${tz} ${l}`).toEqual(want);
        if (want.length === 2) ambiguous++;
        if (want.length === 0) missing++;
      });
      // the sample does reach both kinds of clock change
      expect(ambiguous, tz).toBeGreaterThan(10);
      expect(missing, tz).toBeGreaterThan(10);
    }
  });
});
