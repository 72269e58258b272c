/**
 * The patient side of the synthetic health system (`shared/spec/engagement.md` §1, issue #15): from
 * each fulfilled visit, what the patient's portal records afterwards — the releases of the visit
 * (visit summary, note, results), the patient's logins and views, the secure messages both ways and
 * their reading — written as the four canonical CSV files `patient_events.csv`,
 * `patient_accounts.csv`, `messages.csv`, `releases.csv`.
 *
 * Streaming: everything a visit causes is generated when the visit is, and written at once (rows
 * are not in time order, as an extract's need not be), so the working set is one clinician-day.
 * Nothing at or after the end of the range is written: an extract made then would not have it.
 * Deterministic: the clinician-day's stream is `Rng(seed, 0x9a9, clinician, day)`, a patient's
 * traits come from `Rng(seed, 0x9a8, patient)`, and the clinician side's streams are untouched, so
 * the four clinician-side files are byte-identical with or without this one.
 */
import type { PatientTable } from '../model/canonical.ts';
import type { Visit } from './day.ts';
import {
  PATIENT_PARAMS,
  STREAM,
  canUse,
  clinicianHabits,
  patientNumber,
  patientTraits,
  type ClinicianHabits,
  type PatientTraits,
} from './patientHabits.ts';
import { Rng, mixSeed } from './prng.ts';
import type { Clinician, Group } from './roster.ts';
import { DAY_S, HOUR_S, WallClock } from './wallTime.ts';

/** Column order of the patient-side files (the canonical columns, required ones first). */
export const PATIENT_COLUMNS = {
  patient_events: [
    'event_id',
    'occurred_at',
    'patient_id',
    'action',
    'clinician_id',
    'encounter_id',
    'resource_id',
    'channel',
    'actor',
    'source',
  ],
  patient_accounts: ['patient_id', 'activated_at', 'deactivated_at'],
  messages: [
    'message_id',
    'sent_at',
    'patient_id',
    'clinician_id',
    'direction',
    'in_reply_to',
    'encounter_id',
  ],
  releases: ['resource_id', 'patient_id', 'kind', 'available_at', 'clinician_id', 'encounter_id'],
} as const satisfies Record<PatientTable, readonly string[]>;

/** File names of the patient side, by table. */
export const PATIENT_FILES = {
  patient_events: 'patient_events.csv',
  patient_accounts: 'patient_accounts.csv',
  messages: 'messages.csv',
  releases: 'releases.csv',
} as const satisfies Record<PatientTable, string>;

/** Probability that a visit has results to release, by group (labs, imaging). */
const RESULTS_BY_GROUP: Record<Group, number> = { primary: 0.45, medical: 0.55, surgical: 0.2 };

/** Probability that a patient who looks at a visit's releases views each kind. */
const VIEW_KIND = { result: 0.9, note: 0.6, visit_summary: 0.5 } as const;
const VIEW_ACTION = {
  result: 'view_result',
  note: 'view_note',
  visit_summary: 'view_visit_summary',
} as const;

interface Release {
  id: string;
  kind: keyof typeof VIEW_KIND;
  at: number;
}

/** Context of the visit being generated. */
interface VisitCtx {
  c: Clinician;
  h: ClinicianHabits;
  t: PatientTraits;
  patient: string;
  encounter: string;
  rng: Rng;
}

/**
 * Generates the patient side, one clinician-day at a time, into text buffers the caller drains
 * (`take`). Create one per generation.
 */
export class PatientSide {
  /** Pending CSV text per table (without header). */
  readonly buf: Record<PatientTable, string> = {
    patient_events: '',
    patient_accounts: '',
    messages: '',
    releases: '',
  };
  readonly counts: Record<PatientTable, number> = {
    patient_events: 0,
    patient_accounts: 0,
    messages: 0,
    releases: 0,
  };
  private readonly habits: ClinicianHabits[];
  private readonly wall: WallClock;
  /** Wall second of the end of the range (exclusive). */
  private readonly endW: number;
  private eventSeq = 0;
  private messageSeq = 0;

  constructor(
    private readonly clinicians: readonly Clinician[],
    private readonly seed: number,
    start: string,
    private readonly days: number,
    timezone: string,
  ) {
    this.habits = clinicianHabits(clinicians, seed);
    this.wall = new WallClock(timezone, start);
    this.endW = days * DAY_S;
  }

  /** The habits of clinician `index` (for tests and the docs' figures). */
  habitsOf(index: number): ClinicianHabits {
    return this.habits[index] as ClinicianHabits;
  }

  private traits(patient: string): PatientTraits {
    return patientTraits(
      patientNumber(patient),
      this.clinicians,
      this.habits,
      this.seed,
      this.days,
    );
  }

  /** Buffers the accounts of clinician `c`'s panel (every patient's, seen or not, as an extract has). */
  panelAccounts(c: Clinician): void {
    const rows: string[] = [];
    for (let num = c.panelStart; num < c.panelStart + c.panelSize; num++) {
      const t = patientTraits(num, this.clinicians, this.habits, this.seed, this.days);
      if (!t.account || t.activatedAt >= this.endW) continue;
      const closed = Number.isFinite(t.deactivatedAt) ? this.wall.iso(t.deactivatedAt) : '';
      rows.push(`p${String(num).padStart(6, '0')},${this.wall.iso(t.activatedAt)},${closed}\n`);
    }
    this.buf.patient_accounts += rows.join('');
    this.counts.patient_accounts += rows.length;
  }

  /** Generates what the fulfilled visits of clinician `c` on day `d` cause. */
  clinicianDay(c: Clinician, d: number, visits: readonly Visit[]): void {
    const rng = new Rng(mixSeed(this.seed, STREAM.visit, c.index, d));
    const h = this.habits[c.index] as ClinicianHabits;
    for (const v of visits) {
      const ctx: VisitCtx = {
        c,
        h,
        t: this.traits(v.patient),
        patient: v.patient,
        encounter: v.appointmentId,
        rng,
      };
      this.visit(ctx, d * DAY_S + v.end);
    }
    this.wall.forget(d);
  }

  /** Takes the pending text of `table`. */
  take(table: PatientTable): string {
    const t = this.buf[table];
    this.buf[table] = '';
    return t;
  }

  /** Characters pending in all buffers. */
  pending(): number {
    let n = 0;
    for (const k in this.buf) n += this.buf[k as PatientTable].length;
    return n;
  }

  // ---------------------------------------------------------------- one visit

  private visit(x: VisitCtx, end: number): void {
    const { rng, t } = x;
    const P = PATIENT_PARAMS;
    const releases = this.releases(x, end);
    // Views of what was released (results, the note, the visit summary).
    const viewer = t.user ? rng.chance(P.userViewsVisit) : rng.chance(P.otherViewsVisit);
    if (viewer) {
      for (const r of releases) {
        if (!rng.chance(VIEW_KIND[r.kind])) continue;
        const w = r.at + this.viewDelay(rng);
        if (!this.usable(t, w)) continue;
        const channel = this.session(x, w);
        let at = w + Math.floor(rng.range(5, 90));
        this.event(x, at, VIEW_ACTION[r.kind], r.id, channel);
        // Download and transmit are the rare parts of view/download/transmit.
        if (rng.chance(0.03)) this.event(x, (at += 20), 'download', r.id, channel);
        if (rng.chance(0.01)) this.event(x, (at += 20), 'transmit', r.id, channel);
      }
    }
    // Logins on other days (regular users), or a single look (appointments, bills).
    const logins = t.regular ? 1 + rng.int(3) : !viewer && rng.chance(P.loginOnly) ? 1 : 0;
    for (let i = 0; i < logins; i++) {
      const w = this.dayTime(rng, end + rng.range(HOUR_S, 30 * DAY_S), 7, 23);
      if (!this.usable(t, w)) continue;
      const channel = this.session(x, w);
      if (rng.chance(0.5))
        this.event(x, w + Math.floor(rng.range(5, 60)), 'other', '', channel, false);
    }
    this.patientMessages(x, end);
    // The clinician comments on some results in a message (only to patients with an account).
    for (const r of releases) {
      if (r.kind !== 'result' || !this.usable(t, r.at) || !rng.chance(x.h.resultComments)) continue;
      const w = this.wall.addBusinessHours(r.at, rng.range(0.5, 16));
      if (w >= this.endW) continue;
      const id = this.message(x, w, 'to_patient', '', rng.chance(0.7) ? x.encounter : '');
      this.read(x, w, id);
    }
  }

  /** The visit summary, the note and the results of a visit, written as releases. */
  private releases(x: VisitCtx, end: number): Release[] {
    const { rng, c, h } = x;
    const num = x.encounter.slice(1);
    const out: Release[] = [];
    const day0 = Math.floor(end / DAY_S) * DAY_S;
    if (rng.chance(0.85))
      out.push({ id: `vs${num}`, kind: 'visit_summary', at: end + rng.range(300, 3 * HOUR_S) });
    if (rng.chance(0.97)) {
      // Notes are released when signed (21st Century Cures Act): mostly the same evening, some in
      // the next three days (always within 4 business days), and a clinician-dependent share a
      // week or more later (beyond 4 business days whatever the weekday).
      const at = rng.chance(h.lateNotes)
        ? day0 + (7 + rng.int(14)) * DAY_S + rng.range(8 * HOUR_S, 20 * HOUR_S)
        : rng.chance(0.6)
          ? end + rng.range(0.5 * HOUR_S, 8 * HOUR_S)
          : day0 + (1 + rng.int(3)) * DAY_S + rng.range(7 * HOUR_S, 21 * HOUR_S);
      out.push({ id: `dn${num}`, kind: 'note', at });
    }
    if (rng.chance(RESULTS_BY_GROUP[c.group])) {
      const n = rng.chance(0.25) ? 2 : 1;
      for (let k = 1; k <= n; k++) {
        // Lab turnaround: most the same or next day, some days (cultures, imaging reads).
        const at = end + (rng.chance(0.6) ? rng.range(2, 24) * HOUR_S : rng.range(1, 4) * DAY_S);
        out.push({ id: `dr${num}-${k}`, kind: 'result', at });
      }
    }
    const rows: string[] = [];
    for (const r of out) {
      r.at = Math.floor(r.at);
      if (r.at >= this.endW) continue;
      rows.push(
        `${r.id},${x.patient},${r.kind},${this.wall.iso(r.at)},${c.userId},${x.encounter}\n`,
      );
    }
    this.buf.releases += rows.join('');
    this.counts.releases += rows.length;
    return out.filter((r) => r.at < this.endW);
  }

  /** Messages the patient sends after a visit, and the clinician's answers. */
  private patientMessages(x: VisitCtx, end: number): void {
    const { rng, h, t } = x;
    const P = PATIENT_PARAMS;
    const mean = P.messagesPerVisit * h.messageMult * (t.user ? 1.5 : 0.8);
    // Geometric count with that mean: most visits none, a few several.
    let n = 0;
    while (rng.chance(mean / (1 + mean))) n++;
    for (let i = 0; i < n; i++) {
      let w = this.dayTime(rng, end + rng.exp(5 * DAY_S), 8, rng.chance(0.65) ? 17 : 23);
      if (w <= end) w = end + Math.floor(rng.range(HOUR_S, 6 * HOUR_S));
      if (!this.usable(t, w + 60)) continue;
      const enc = rng.chance(0.7) ? x.encounter : '';
      const channel = this.session(x, w);
      const id = this.message(x, w + 60, 'to_clinician', '', enc);
      this.event(x, w + 60, 'message_sent', id, channel);
      if (rng.chance(h.unanswered)) continue;
      // Business hours to the answer: lognormal around the clinician's median.
      let r = this.wall.addBusinessHours(w + 60, h.replyMedianBh * Math.exp(0.7 * rng.normal()));
      // Some answers are written in the evening instead (later, so no sooner in business time).
      if (rng.chance(0.1)) r = Math.max(r, this.dayTime(rng, r, 19, 22));
      r = Math.floor(r);
      if (r >= this.endW) continue;
      const reply = this.message(x, r, 'to_patient', rng.chance(P.inReplyTo) ? id : '', enc);
      this.read(x, r, reply);
    }
  }

  /** The patient opens a message sent to them (or never does). */
  private read(x: VisitCtx, sent: number, id: string): void {
    const { rng } = x;
    const P = PATIENT_PARAMS;
    let delay: number;
    if (!rng.chance(P.unopened12h)) {
      // Lognormal around 1.5 h, always within 12 hours.
      delay = Math.min(11.9 * HOUR_S, Math.max(60, 1.5 * HOUR_S * Math.exp(rng.normal())));
    } else if (rng.chance(P.neverOpened)) return;
    else delay = rng.range(12.1 * HOUR_S, 14 * DAY_S);
    const w = Math.floor(sent + delay);
    if (!this.usable(x.t, w)) return;
    const channel = this.session(x, w);
    this.event(x, w + Math.floor(rng.range(5, 40)), 'message_read', id, channel);
  }

  // ---------------------------------------------------------------- helpers

  private usable(t: PatientTraits, w: number): boolean {
    return w < this.endW && canUse(t, w);
  }

  /** Hours from a release to a view: most within hours, some after days, a few after 30 days. */
  private viewDelay(rng: Rng): number {
    const u = rng.next();
    const s =
      u < 0.55
        ? Math.max(60, rng.exp(3 * HOUR_S))
        : u < 0.85
          ? rng.range(12 * HOUR_S, 7 * DAY_S)
          : u < 0.95
            ? rng.range(7 * DAY_S, 30 * DAY_S)
            : rng.range(30 * DAY_S, 60 * DAY_S);
    return Math.floor(s);
  }

  /** A time of day between `from` and `to` o'clock on the local day of wall second `w`. */
  private dayTime(rng: Rng, w: number, from: number, to: number): number {
    return Math.floor(w / DAY_S) * DAY_S + Math.floor(rng.range(from * HOUR_S, to * HOUR_S));
  }

  /** A portal session starting at `w`: its login event; the channel of the session. */
  private session(x: VisitCtx, w: number): string {
    const channel = x.rng.chance(0.55) ? 'app' : 'web';
    this.event(x, w, 'login', '', channel, false);
    return channel;
  }

  private event(
    x: VisitCtx,
    w: number,
    action: string,
    resource: string,
    channel: string,
    concerns = true,
  ): void {
    if (w >= this.endW) return;
    const id = `pe${String(++this.eventSeq).padStart(10, '0')}`;
    const who = concerns ? `${x.c.userId},${x.encounter}` : ',';
    this.buf.patient_events += `${id},${this.wall.iso(w)},${x.patient},${action},${who},${resource},${channel},${x.t.proxy ? 'proxy' : 'patient'},synth\n`;
    this.counts.patient_events++;
  }

  private message(
    x: VisitCtx,
    w: number,
    direction: 'to_clinician' | 'to_patient',
    inReplyTo: string,
    encounter: string,
  ): string {
    const id = `m${String(++this.messageSeq).padStart(9, '0')}`;
    this.buf.messages += `${id},${this.wall.iso(w)},${x.patient},${x.c.userId},${direction},${inReplyTo},${encounter}\n`;
    this.counts.messages++;
    return id;
  }
}
