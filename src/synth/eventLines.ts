/**
 * The hot path of the generator: event lines written byte by byte into large blocks.
 *
 * Building each line as a JS string and concatenating millions of them made the generator spend
 * most of its time in string flattening and garbage collection. Here the fixed-width head of a line
 * (`e` + 10-digit id, the 25-character timestamp) is copied from small byte tables, and the
 * variable tail (`,user,action,category,patient,encounter,channel,workstation,source,seq`, seq
 * empty) is a string cached per action for the current context, so that most events allocate
 * nothing.
 */
import { ACTION_COLUMNS } from './actions.ts';
import { timeTable, type DayClock } from './tz.ts';

/** Bytes per block of event text. */
export const EVENT_BLOCK = 4 << 20;

/** `HH:MM:SS` of every second of the day, 8 bytes each. */
const HMS_BYTES: Uint8Array = (() => {
  const t = timeTable();
  const out = new Uint8Array(86400 * 8);
  for (let s = 0; s < 86400; s++) {
    const str = t[s] as string;
    for (let k = 0; k < 8; k++) out[s * 8 + k] = str.charCodeAt(k);
  }
  return out;
})();

function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let k = 0; k < s.length; k++) out[k] = s.charCodeAt(k);
  return out;
}

export class EventLines {
  private block = Buffer.allocUnsafe(EVENT_BLOCK);
  private pos = 0;
  private readonly full: Buffer[] = [];
  /** Events written so far (the last id's number). */
  count = 0;
  /** The 10 decimal digits of the last event id, as ASCII codes. */
  private readonly digits = new Uint8Array(10).fill(48);

  private clock: DayClock | null = null;
  private date: Uint8Array = new Uint8Array(11);
  private offBefore: Uint8Array = new Uint8Array(6);
  private offAfter: Uint8Array = new Uint8Array(6);
  private switchAt = Infinity;
  private gap = 0;
  /** Local second of the last event written (after any spring-forward shift) and its offset. */
  private lastS = 0;
  private lastAfter = false;

  private user = '';
  private pe = ',';
  private suffix = '';
  /** Cached tails by action, valid while `stamp[a] === generation`. */
  private readonly tails: string[] = ACTION_COLUMNS.map(() => '');
  private readonly stamp = new Int32Array(ACTION_COLUMNS.length);
  private generation = 1;

  /** Sets the local day that following events belong to. */
  setDay(clock: DayClock): void {
    if (clock === this.clock) return;
    this.clock = clock;
    this.date = ascii(clock.prefix);
    this.offBefore = ascii(clock.offBefore);
    this.offAfter = ascii(clock.offAfter);
    this.switchAt = clock.switchAt;
    this.gap = clock.gap;
  }

  /** Sets the user of following events. */
  setUser(userId: string): void {
    if (userId === this.user) return;
    this.user = userId;
    this.generation++;
  }

  /** Sets the `patient,encounter` pair of following events (`,` for none). */
  setPatient(pe: string): void {
    if (pe === this.pe) return;
    this.pe = pe;
    this.generation++;
  }

  /** Sets `channel,workstation,source,seq\n` (seq empty) of following events. */
  setSuffix(suffix: string): void {
    if (suffix === this.suffix) return;
    this.suffix = suffix;
    this.generation++;
  }

  /** Writes one event of action `a` at local second `s` of the current day. */
  write(s: number, a: number): void {
    let tail: string;
    if (this.stamp[a] === this.generation) tail = this.tails[a] as string;
    else {
      tail = `,${this.user},${ACTION_COLUMNS[a] as string},${this.pe},${this.suffix}`;
      this.tails[a] = tail;
      this.stamp[a] = this.generation;
    }
    if (this.pos + 40 + tail.length > EVENT_BLOCK) this.seal();
    const b = this.block;
    let p = this.pos;

    // `e` + id: an odometer of ASCII digits, so no number is ever formatted.
    const d = this.digits;
    let k = 9;
    while (k >= 0) {
      const v = (d[k] as number) + 1;
      if (v === 58) {
        d[k] = 48;
        k--;
      } else {
        d[k] = v;
        break;
      }
    }
    this.count++;
    b[p++] = 101;
    for (let i = 0; i < 10; i++) b[p++] = d[i] as number;
    b[p++] = 44;

    // Timestamp: date, time of day, offset (the day's second offset from the DST switch on).
    if (s < 0) s = 0;
    else if (s > 86399) s = 86399;
    let off = this.offBefore;
    this.lastAfter = false;
    if (s >= this.switchAt) {
      if (s < this.switchAt + this.gap) s = Math.min(86399, s + this.gap);
      off = this.offAfter;
      this.lastAfter = true;
    }
    this.lastS = s;
    const date = this.date;
    for (let i = 0; i < 11; i++) b[p++] = date[i] as number;
    const h = s * 8;
    for (let i = 0; i < 8; i++) b[p++] = HMS_BYTES[h + i] as number;
    for (let i = 0; i < 6; i++) b[p++] = off[i] as number;

    this.pos = p + b.write(tail, p, 'latin1');
  }

  /** ISO 8601 text of the last event's time (for the order it signs). */
  lastIso(): string {
    const c = this.clock as DayClock;
    return (
      c.prefix + (timeTable()[this.lastS] as string) + (this.lastAfter ? c.offAfter : c.offBefore)
    );
  }

  /** Bytes not yet taken. */
  pendingBytes(): number {
    let n = this.pos;
    for (const b of this.full) n += b.length;
    return n;
  }

  /** Takes every written block (the current, partly filled one included). */
  take(): Buffer[] {
    this.seal();
    return this.full.splice(0, this.full.length);
  }

  private seal(): void {
    if (this.pos === 0) return;
    this.full.push(this.block.subarray(0, this.pos));
    this.block = Buffer.allocUnsafe(EVENT_BLOCK);
    this.pos = 0;
  }
}
