/**
 * Default ranges from where the events are dense (issue 11, item 11), on every engine: rows in
 * 1900 and 2200 move neither the dense extent nor adoption's and evaluation's default weeks.
 * The expected values are worked out by hand in the comments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import { loadDataset } from '../testing/loadDataset.ts';
import type { EventRow } from '../model/canonical.ts';
import { denseExtent, resolveWeeks } from './range.ts';

const TZ = 'America/New_York';

/**
 * Weeks (New York, Monday first) and their events:
 * - 2025-12-29: 1 event, Sunday 2026-01-04 23:00 local (already Monday 01-05 in UTC);
 * - 2026-01-05: 16 events from Wednesday 01-07 (the data's first bulk day);
 * - 01-12, 01-26, 02-02, 02-09, 02-16, 02-23: 20 events each; the last one of 02-23 is on Sunday
 *   03-01 at 23:30 local (already Monday 03-02 in UTC);
 * - 01-19: 4 events (a thin week inside the bulk);
 * - 03-02: 1 straggler on Tuesday 03-03;
 * - 1900-06-11 and 2200-02-24: 1 event each (1900-06-15 and 2200-03-01).
 * 12 weeks with events, counts sorted 1 1 1 1 4 16 20 20 20 20 20 20: median (16 + 20) / 2 = 18;
 * dense: at least 18 / 4 = 4.5 events → the 7 weeks 01-05 … 02-23 except 01-19.
 * Dense extent: 2026-01-07 (first day of a dense week's events) to 03-01, `to` 03-02.
 * Complete weeks: Mondays 01-12 to 03-02 (01-05 starts on a Wednesday); 7 weeks.
 */
function events(): EventRow[] {
  const out: EventRow[] = [];
  let id = 0;
  const add = (at: string) =>
    out.push({
      event_id: String(++id),
      occurred_at: at,
      user_id: 'u1',
      action: 'x',
      category: 'inbox',
    });
  add('2026-01-04T23:00:00-05:00');
  // Wednesday 01-07 to Sunday 01-11: 16 events.
  for (let i = 0; i < 16; i++)
    add(
      `2026-01-${String(7 + (i % 5)).padStart(2, '0')}T10:${String(i).padStart(2, '0')}:00-05:00`,
    );
  const days = (monday: string, n: number, last?: string) => {
    for (let i = 0; i < n; i++) {
      const d = new Date(Date.parse(`${monday}T15:00:00Z`) + (i % 7) * 86_400_000);
      d.setUTCMinutes(i);
      out.push({
        event_id: String(++id),
        occurred_at: d.toISOString(),
        user_id: 'u1',
        action: 'x',
        category: 'inbox',
      });
    }
    if (last) out[out.length - 1]!.occurred_at = last;
  };
  days('2026-01-12', 20);
  days('2026-01-19', 4);
  for (const m of ['2026-01-26', '2026-02-02', '2026-02-09', '2026-02-16']) days(m, 20);
  days('2026-02-23', 20, '2026-03-01T23:30:00-05:00');
  add('2026-03-03T10:00:00-05:00');
  add('1900-06-15T10:00:00-05:00');
  add('2200-03-01T10:00:00-05:00');
  return out;
}

describe.each(engines())('dense extent and default weeks on $name', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await engine.open();
    await loadDataset(store, { events: events() });
  });
  afterAll(async () => store?.close());

  it('finds where the events are dense, outliers aside', async () => {
    expect(await denseExtent(store, TZ)).toEqual({
      from: '2026-01-07',
      to: '2026-03-02',
      weeks: 12,
      dense_weeks: 7,
      median_weekly_events: 18,
    });
  });

  it('in UTC the days move: the Sunday-night events fall into the next weeks', async () => {
    // UTC: 2026-01-05 04:00 joins the week of 01-05 (17 events, from Monday 01-05); the
    // 03-02 04:30 event joins the straggler's week (2 events), so 02-23 holds 19.
    // Weeks: 1900, 2200 (1 each), 03-02 (2), 01-19 (4), 01-05 (17), 02-23 (19), five of 20:
    // 11 weeks, median 19; dense ≥ 4.75: 01-05 … 02-23 except 01-19; extent 01-05 to 03-01.
    expect(await denseExtent(store, 'UTC')).toEqual({
      from: '2026-01-05',
      to: '2026-03-02',
      weeks: 11,
      dense_weeks: 7,
      median_weekly_events: 19,
    });
  });

  it('defaults adoption and evaluation to the complete weeks of the dense extent', async () => {
    expect(await resolveWeeks(store, TZ, undefined, undefined)).toEqual({
      from: '2026-01-12',
      to: '2026-03-02',
    });
    // One bound given: the other from the dense extent.
    expect(await resolveWeeks(store, TZ, '2026-02-02', undefined)).toEqual({
      from: '2026-02-02',
      to: '2026-03-02',
    });
    expect(await resolveWeeks(store, TZ, undefined, '2026-02-04')).toEqual({
      from: '2026-01-12',
      to: '2026-02-02',
    });
    // A whole span asked for explicitly is still refused with the count.
    await expect(resolveWeeks(store, TZ, '1900-06-11', '2200-03-03')).rejects.toThrow(
      /holds 15639 whole weeks/,
    );
  });

  it('dates each event exactly: a quarter hour across a local midnight, instants before 1970', async () => {
    // New York kept local mean time (−4:56:02) until 1883: 1880-06-14 04:50Z is 23:53:58 on
    // Sunday 06-13, 04:58Z is 00:01:58 on Monday 06-14 — one UTC quarter hour, two local days and
    // two weeks. The last second of 1969 (UTC) is 1969-12-31 in both zones (18:59:59 in New York).
    // New York: weeks 1880-06-07, 1880-06-14 and 1969-12-29, one event each: median 1, all dense.
    // UTC: weeks 1880-06-14 (2 events) and 1969-12-29 (1): median 1.5, both dense.
    const old = await engine.open();
    try {
      await loadDataset(old, {
        events: ['1880-06-14T04:50:00Z', '1880-06-14T04:58:00Z', '1969-12-31T23:59:59Z'].map(
          (at, i) => ({
            event_id: String(i),
            occurred_at: at,
            user_id: 'u1',
            action: 'x',
            category: 'inbox',
          }),
        ),
      });
      expect(await denseExtent(old, TZ)).toEqual({
        from: '1880-06-13',
        to: '1970-01-01',
        weeks: 3,
        dense_weeks: 3,
        median_weekly_events: 1,
      });
      expect(await denseExtent(old, 'UTC')).toEqual({
        from: '1880-06-14',
        to: '1970-01-01',
        weeks: 2,
        dense_weeks: 2,
        median_weekly_events: 1.5,
      });
    } finally {
      await old.close();
    }
  });

  it('without events there is no extent, and no default weeks', async () => {
    const empty = await engine.open();
    try {
      expect(await denseExtent(empty, TZ)).toBeNull();
      await expect(resolveWeeks(empty, TZ, undefined, undefined)).rejects.toThrow(/no events yet/);
    } finally {
      await empty.close();
    }
  });
});
