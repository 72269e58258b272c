/** The weeks an adoption or evaluation covers: as asked, else the whole weeks of the events. */
import { invalid } from '../errors/UptakeError.ts';
import { FIRST_DATE, LAST_DATE } from '../model/options.ts';
import type { Store } from '../store/Store.ts';
import { addDays, daysBetween, isLocalDate, wholeWeeks } from './weeks.ts';

/**
 * The most weeks one adoption or evaluation covers: its series, models and answers hold a value
 * per group and week, however few of the weeks hold data.
 */
export const MAX_WEEKS = 1044;

/**
 * The whole weeks of `from`–`to` (each defaulting to the events' first or last week), refused
 * when they are none or more than `MAX_WEEKS`.
 */
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
    if (v !== undefined && !isLocalDate(v))
      throw invalid(`${flag} ${v} is not a date YYYY-MM-DD from ${FIRST_DATE} to ${LAST_DATE}`);
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
  // Compared as days, not as text: the Monday after 9999-12-27 is written +010000-01-03.
  const weeks = daysBetween(w.from, w.to) / 7;
  if (weeks > MAX_WEEKS)
    throw invalid(
      `${f} to ${t} holds ${weeks} whole weeks; adoption and evaluation take at most ${MAX_WEEKS} (20 years): choose a later from or an earlier to`,
    );
  if (weeks <= 0)
    throw invalid(
      `${f} to ${t} holds no whole week (Monday to Sunday); adoption and evaluation count whole weeks`,
    );
  return w;
}
