/**
 * Local wall-clock time → ISO 8601 text with the correct UTC offset, without an `Intl` call per
 * event: offsets are worked out once per local day (a few `Intl` calls), and a day that contains a
 * transition (DST) carries both offsets and the local second at which the second one starts.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows `timeZone` as an IANA zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's UTC offset in minutes (east positive, e.g. -300 for New York in winter) at instant `ms`. */
export function offsetMinutesAt(timeZone: string, ms: number): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const parts = formatter(timeZone).formatToParts(new Date(whole));
  let y = 0;
  let mo = 0;
  let d = 0;
  let h = 0;
  let mi = 0;
  let s = 0;
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        y = Number(p.value);
        break;
      case 'month':
        mo = Number(p.value);
        break;
      case 'day':
        d = Number(p.value);
        break;
      case 'hour':
        h = Number(p.value) % 24;
        break;
      case 'minute':
        mi = Number(p.value);
        break;
      case 'second':
        s = Number(p.value);
        break;
      default:
        break;
    }
  }
  return Math.round((Date.UTC(y, mo - 1, d, h, mi, s) - whole) / 60000);
}

/** `-300` → `-05:00`, `330` → `+05:30`, `0` → `+00:00`. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/**
 * How to write a local time of one local calendar day. For a local second `s` (0 … 86399):
 * `s < switchAt` → offset `offBefore`; `s ≥ switchAt + gap` → `offAfter`; in between the wall time
 * does not exist (spring forward) and is moved forward by `gap` seconds. A repeated hour (fall back)
 * takes the earlier instant. Days without a transition have `switchAt = Infinity`.
 */
export interface DayClock {
  /** The local date, `YYYY-MM-DD`. */
  date: string;
  /** `YYYY-MM-DDT`, the start of every timestamp of this day. */
  prefix: string;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Date.UTC of the local date at 00:00 (a label for the wall clock, not an instant). */
  wallMs: number;
  offBefore: string;
  offAfter: string;
  offBeforeMin: number;
  offAfterMin: number;
  switchAt: number;
  gap: number;
}

const HOUR = 3_600_000;

/** Builds the clock of local date `date` (`YYYY-MM-DD`) in `timeZone`. */
export function dayClock(timeZone: string, date: string): DayClock {
  const y = Number(date.slice(0, 4));
  const mo = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  const wallMs = Date.UTC(y, mo - 1, d);
  // Offsets are within −12 h … +14 h, so these two instants lie before the local day begins and
  // after it ends; a single transition between them is found by bisection.
  const lo = wallMs - 14 * HOUR;
  const hi = wallMs + 24 * HOUR + 14 * HOUR;
  const offLo = offsetMinutesAt(timeZone, lo);
  const offHi = offsetMinutesAt(timeZone, hi);
  const offMid = offsetMinutesAt(timeZone, wallMs + 12 * HOUR);
  const weekday = new Date(wallMs).getUTCDay();
  const base = {
    date,
    prefix: `${date}T`,
    weekday,
    wallMs,
  };
  if (offLo === offHi && offLo === offMid) {
    const s = formatOffset(offLo);
    return {
      ...base,
      offBefore: s,
      offAfter: s,
      offBeforeMin: offLo,
      offAfterMin: offLo,
      switchAt: Infinity,
      gap: 0,
    };
  }
  // Bisection to the second for the first instant carrying the new offset.
  let a = lo;
  let b = hi;
  if (offMid !== offLo) b = wallMs + 12 * HOUR;
  else a = wallMs + 12 * HOUR;
  while (b - a > 1000) {
    const m = Math.floor((a + b) / 2000) * 1000;
    if (offsetMinutesAt(timeZone, m) === offLo) a = m;
    else b = m;
  }
  const offAfterMin = offsetMinutesAt(timeZone, b);
  // Local second (in the old offset's wall clock) at which the new offset starts.
  const switchAt = Math.round((b + offLo * 60000 - wallMs) / 1000);
  const gap = Math.max(0, (offAfterMin - offLo) * 60);
  return {
    ...base,
    offBefore: formatOffset(offLo),
    offAfter: formatOffset(offAfterMin),
    offBeforeMin: offLo,
    offAfterMin,
    switchAt,
    gap,
  };
}

/** `HH:MM:SS` for every second of a day, built once: formatting a time is then one array read. */
const HMS: string[] = [];
function hms(): string[] {
  if (HMS.length === 0) {
    const two = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
    for (let h = 0; h < 24; h++) {
      const hh = `${two[h]}:`;
      for (let m = 0; m < 60; m++) {
        const hm = `${hh}${two[m]}:`;
        for (let s = 0; s < 60; s++) HMS.push(hm + (two[s] as string));
      }
    }
  }
  return HMS;
}

/** The time table, exposed for the hot loop of the event writer. */
export function timeTable(): readonly string[] {
  return hms();
}

/**
 * ISO 8601 text of local second `s` (0 … 86399) of the clock's day, with the offset in force.
 * Times inside a spring-forward gap are moved forward by the gap (the same instant, written in
 * the new offset). The hot loop inlines this; it is exported for tests and for schedule rows.
 */
export function localIso(clock: DayClock, s: number): string {
  const t = hms();
  if (s < clock.switchAt) return clock.prefix + t[s] + clock.offBefore;
  if (s < clock.switchAt + clock.gap) s += clock.gap;
  return clock.prefix + t[Math.min(s, 86399)] + clock.offAfter;
}

/** The instant (ms since the epoch) of local second `s` of the clock's day, as `localIso` writes it. */
export function localInstant(clock: DayClock, s: number): number {
  const off = s < clock.switchAt ? clock.offBeforeMin : clock.offAfterMin;
  if (s >= clock.switchAt && s < clock.switchAt + clock.gap) {
    return clock.wallMs + s * 1000 - clock.offBeforeMin * 60000;
  }
  return clock.wallMs + s * 1000 - off * 60000;
}

/** The local date `n` days after `date` (both `YYYY-MM-DD`). */
export function addDays(date: string, n: number): string {
  const ms = Date.UTC(
    Number(date.slice(0, 4)),
    Number(date.slice(5, 7)) - 1,
    Number(date.slice(8, 10)),
  );
  return new Date(ms + n * 86_400_000).toISOString().slice(0, 10);
}
