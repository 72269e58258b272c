/** The weeks an adoption or evaluation covers: as asked, else the whole weeks of the events. */
import { invalid } from '../errors/UptakeError.ts';
import type { Store } from '../store/Store.ts';
import { addDays, isLocalDate, wholeWeeks } from './weeks.ts';

export async function resolveWeeks(
  store: Store,
  timezone: string,
  from: string | undefined,
  to: string | undefined,
): Promise<{ from: string; to: string }> {
  for (const [flag, v] of [
    ['--from', from],
    ['--to', to],
  ] as const)
    if (v !== undefined && !isLocalDate(v)) throw invalid(`${flag} ${v} is not a date YYYY-MM-DD`);
  let f = from;
  let t = to;
  if (f === undefined || t === undefined) {
    const [r] = await store.all<{ lo: string | null; hi: string | null }>(
      `SELECT CAST(CAST(min(occurred_at) AT TIME ZONE CAST($1 AS VARCHAR) AS DATE) AS VARCHAR) AS lo,
              CAST(CAST(max(occurred_at) AT TIME ZONE CAST($1 AS VARCHAR) AS DATE) AS VARCHAR) AS hi
       FROM events`,
      [timezone],
    );
    if (!r?.lo || !r.hi)
      throw invalid('there are no events yet; import some with uptake import events FILE');
    f ??= String(r.lo).slice(0, 10);
    t ??= addDays(String(r.hi).slice(0, 10), 1);
  }
  const w = wholeWeeks(f, t);
  if (w.from >= w.to)
    throw invalid(
      `${f} to ${t} holds no whole week (Monday to Sunday); adoption and evaluation count whole weeks`,
    );
  return w;
}
