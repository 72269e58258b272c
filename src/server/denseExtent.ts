/**
 * The dense extent of the events (`src/analysis/range.ts`), computed once per data version and
 * time zone: it scans every event, and every page's default range and `/api/meta` need it.
 */
import { denseExtent, type DenseExtent } from '../analysis/range.ts';
import type { BaseFacts } from './cache.ts';
import type { Services } from './routing.ts';

// Keyed by the cache's facts: a new data version makes new facts, and the old entries go with them.
const extents = new WeakMap<BaseFacts, Map<string, Promise<DenseExtent | null>>>();

/** The dense extent of the data version `facts` belongs to, in `timezone`. */
export function denseExtentOf(
  s: Services,
  facts: BaseFacts,
  timezone: string,
): Promise<DenseExtent | null> {
  let byZone = extents.get(facts);
  if (!byZone) extents.set(facts, (byZone = new Map<string, Promise<DenseExtent | null>>()));
  let p = byZone.get(timezone);
  if (!p) {
    const q = denseExtent(s.db.reader, timezone);
    q.catch(() => {
      if (byZone.get(timezone) === q) byZone.delete(timezone);
    });
    byZone.set(timezone, (p = q));
  }
  return p;
}

/** The current data version's dense extent (after checking for a new import). */
export async function currentDenseExtent(
  s: Services,
  timezone: string,
): Promise<DenseExtent | null> {
  await s.cache.check();
  return denseExtentOf(s, await s.cache.facts(), timezone);
}
