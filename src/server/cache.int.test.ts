/**
 * The report cache's eviction: the pinned default view is never evicted, however many ranges one
 * user asks for; a user beyond their quota loses their own least recently used ranges first; and a
 * kept dataset is returned as it is (no computation), on both engines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../testing/loadDataset.ts';
import { DEFAULT_OPTIONS } from '../model/options.ts';
import type { Store } from '../store/Store.ts';
import { engines } from '../testing/testEngines.ts';
import { ReportCache } from './cache.ts';

const options = { ...DEFAULT_OPTIONS, timezone: 'America/New_York' };
const day = (n: number) => `2026-03-${String(n).padStart(2, '0')}`;

describe.each(engines())('report cache on $name', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await engine.open();
    await loadDataset(store, {
      events: Array.from({ length: 30 }, (_, i) => ({
        event_id: `e${i}`,
        occurred_at: `2026-03-${String(2 + (i % 10)).padStart(2, '0')}T14:0${i % 5}:00Z`,
        user_id: `u${i % 3}`,
        action: 'a',
        category: 'notes' as const,
      })),
      clinicians: [0, 1, 2].map((i) => ({ user_id: `u${i}`, role: 'physician' })),
    });
  });
  afterAll(async () => store?.close());

  it('never evicts the pinned default view for one user’s ranges; a user’s quota evicts their own first', async () => {
    const cache = new ReportCache(store, store, { maxEntries: 3, perUserEntries: 2 });
    await cache.check();
    cache.pin('report', day(2), day(12), options);
    const def = await cache.dataset(day(2), day(12), options, 'leader');
    expect(def.all.map((r) => r.user_id)).toEqual(['u0', 'u1', 'u2']);
    const mine = [];
    for (let k = 0; k < 6; k++)
      mine.push(await cache.dataset(day(2 + k), day(9 + k), options, 'clinician'));
    // The default view: the very same dataset, not computed again.
    expect(await cache.dataset(day(2), day(12), options, 'leader')).toBe(def);
    // The clinician's two latest ranges are kept, their first ones are gone.
    expect(await cache.dataset(day(7), day(14), options, 'clinician')).toBe(mine[5]);
    expect(await cache.dataset(day(6), day(13), options, 'clinician')).toBe(mine[4]);
    const again = await cache.dataset(day(2), day(9), options, 'clinician');
    expect(again).not.toBe(mine[0]);
    expect(again.all).toEqual(mine[0]!.all);
    expect(await cache.dataset(day(2), day(12), options, 'leader')).toBe(def);
    expect(cache.freshness(def)).toEqual({ as_of: null, updating: false, pending: [] });
    await cache.close();
  });
});
