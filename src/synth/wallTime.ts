/**
 * Local wall-clock time across days for the patient side: a visit's consequences (a result
 * released two days later, a message answered next week) fall on other days than the visit, so
 * they are kept as *wall seconds* — local seconds since 00:00 of the first generated date — and
 * written with the offset of their own local day (`tz.ts`).
 */
import { addDays, dayClock, localIso, type DayClock } from './tz.ts';

export const DAY_S = 86_400;
export const HOUR_S = 3_600;
/** Business hours as in `program.md` and engagement.md §2: Monday–Friday 08:00–17:00 local. */
export const BUSINESS_START = 8 * HOUR_S;
export const BUSINESS_END = 17 * HOUR_S;

/**
 * Writes wall seconds as ISO 8601 instants. Day clocks are built on demand and dropped once the
 * generation has moved past them (`forget`), so only the days a visit's consequences reach are
 * held, never the whole range.
 */
export class WallClock {
  private readonly clocks = new Map<number, DayClock>();
  /** Weekday (0 = Sunday) of the first date. */
  private readonly weekday0: number;

  constructor(
    private readonly timezone: string,
    private readonly start: string,
  ) {
    this.weekday0 = new Date(`${start}T00:00:00Z`).getUTCDay();
  }

  private clock(day: number): DayClock {
    let c = this.clocks.get(day);
    if (!c) {
      c = dayClock(this.timezone, addDays(this.start, day));
      this.clocks.set(day, c);
    }
    return c;
  }

  /** ISO 8601 text of wall second `w`, with the offset in force at that instant. */
  iso(w: number): string {
    const day = Math.floor(w / DAY_S);
    return localIso(this.clock(day), Math.floor(w - day * DAY_S));
  }

  /** 0 = Sunday … 6 = Saturday, of the local day that holds wall second `w`. */
  weekday(w: number): number {
    return (((this.weekday0 + Math.floor(w / DAY_S)) % 7) + 7) % 7;
  }

  /** Drop the clocks of days before `day` (the generator never writes before the current day). */
  forget(day: number): void {
    for (const k of this.clocks.keys()) if (k < day) this.clocks.delete(k);
  }

  /**
   * The wall second `hours` business hours after `w`: time outside Monday–Friday 08:00–17:00 does
   * not count, so a message sent on Friday evening with a 2-hour answer is answered Monday 10:00.
   */
  addBusinessHours(w: number, hours: number): number {
    let rem = hours * HOUR_S;
    let x = w;
    for (;;) {
      const day = Math.floor(x / DAY_S);
      const s = x - day * DAY_S;
      const wd = this.weekday(x);
      if (wd === 0 || wd === 6 || s >= BUSINESS_END) {
        x = (day + 1) * DAY_S + BUSINESS_START;
        continue;
      }
      const from = Math.max(s, BUSINESS_START);
      if (rem <= BUSINESS_END - from) return day * DAY_S + from + rem;
      rem -= BUSINESS_END - from;
      x = (day + 1) * DAY_S + BUSINESS_START;
    }
  }
}
