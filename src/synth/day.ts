/**
 * One clinician-day of the synthetic health system: the schedule (sessions and appointments) and
 * the audit-log events and signed orders that the day's work leaves behind.
 *
 * Work is planned as *segments* (pre-charting, the pieces of each visit, lunch, after clinic, the
 * evening, a weekend catch-up …) placed on the local clock; each segment is a run of *tasks* (a note,
 * an order session, an inbox run …) and each task is a burst of events whose gaps are seconds long.
 * A segment's events are contiguous, so under the gap model (5-minute timeout) a segment of length
 * D contributes D of EHR time to its tasks' categories; the idle time between segments (the patient
 * conversation, a break) is longer than 5 minutes and contributes nothing. That is what lets the
 * calibration constants below be read directly as minutes of EHR time.
 */
import { A, BODY, CHART, INBOX, NOTES, ORDERS, OTHER, PRESCRIPTIONS } from './actions.ts';
import type { Rng } from './prng.ts';
import type { Clinician, Group } from './roster.ts';
import { EventLines } from './eventLines.ts';
import { localIso, type DayClock } from './tz.ts';

/** Calibration constants of one group of specialties (minutes are minutes of EHR time before the
 * clinician's own multiplier). See README.md for the published targets they are tuned to. */
interface GroupParams {
  /** EHR minutes per attended visit = visitA × slot minutes + visitB. */
  visitA: number;
  visitB: number;
  preMin: number;
  lunchMin: number;
  afterMin: number;
  eveningP: number;
  eveningMin: number;
  weekendP: number;
  weekendMin: number;
  offDayP: number;
  offDayMin: number;
  /** Probability of a short inbox check after a visit. */
  inboxBetween: number;
  /** Share of a free slot (no-show, unfilled) spent on the inbox. */
  freeSlotInbox: number;
  fill: number;
  doubleBook: number;
  video: number;
  phone: number;
  /** Scale of the gaps between events (surgeons click faster, specialists read longer). */
  gapScale: number;
}

const PARAMS: Record<Group, GroupParams> = {
  primary: {
    visitA: 0.44,
    visitB: 1.6,
    preMin: 18,
    lunchMin: 15,
    afterMin: 25,
    eveningP: 0.45,
    eveningMin: 30,
    weekendP: 0.55,
    weekendMin: 55,
    offDayP: 0.5,
    offDayMin: 30,
    inboxBetween: 0.15,
    freeSlotInbox: 0.5,
    fill: 0.96,
    doubleBook: 0.05,
    video: 0.13,
    phone: 0.04,
    gapScale: 1.2,
  },
  medical: {
    visitA: 0.4,
    visitB: 1,
    preMin: 20,
    lunchMin: 15,
    afterMin: 30,
    eveningP: 0.35,
    eveningMin: 30,
    weekendP: 0.25,
    weekendMin: 30,
    offDayP: 0.35,
    offDayMin: 25,
    inboxBetween: 0.25,
    freeSlotInbox: 0.55,
    fill: 0.9,
    doubleBook: 0.02,
    video: 0.12,
    phone: 0.03,
    gapScale: 1.3,
  },
  surgical: {
    visitA: 0.18,
    visitB: 1,
    preMin: 8,
    lunchMin: 5,
    afterMin: 12,
    eveningP: 0.2,
    eveningMin: 20,
    weekendP: 0.12,
    weekendMin: 20,
    offDayP: 0.25,
    offDayMin: 15,
    inboxBetween: 0.1,
    freeSlotInbox: 0.4,
    fill: 0.92,
    doubleBook: 0.05,
    video: 0.05,
    phone: 0.02,
    gapScale: 0.85,
  },
};

/** Mean seconds between events, by category (before the group's `gapScale` and the clinician's pace). */
const MEAN_GAP = [16, 10, 12, 14, 11, 12];

/** Seconds in a half-day clinic session and from a morning start to the afternoon start. */
const SESSION = 4 * 3600;
const AFTERNOON_OFFSET = 5 * 3600;
/** Latest local second any work may reach (keeps every event on its own local date). */
const DAY_END = 23 * 3600 + 50 * 60;

const MOBILE_PHONE = 'mobile,HAIKU,synth,\n';
const MOBILE_TABLET = 'mobile,CANTO,synth,\n';

/** Appointment statuses and visit types as written. */
type Status = 'fulfilled' | 'noshow' | 'cancelled' | 'entered-in-error';
export type VisitType = 'in-person' | 'video' | 'phone';

interface Appointment {
  start: number;
  end: number;
  status: Status;
  visitType: VisitType;
  patient: string;
  /** `patient,encounter` CSV pair used by the visit's events. */
  pe: string;
}

interface Slot {
  start: number;
  len: number;
  appts: Appointment[];
}

/** The go-live of the new tool as the day generator needs it. */
export interface GoLivePlan {
  /** Day index (0 = first generated day) of the go-live date. */
  dayIndex: number;
}

/** A fulfilled appointment as the patient side needs it (local seconds of its day). */
export interface Visit {
  start: number;
  end: number;
  patient: string;
  /** The schedule's `appointment_id` (`a` + its number). */
  appointmentId: string;
  visitType: VisitType;
}

/** Output buffers and running counters shared by all clinician-days of one generation. */
export class Output {
  readonly events = new EventLines();
  schedule = '';
  orders = '';
  scheduleCount = 0;
  orderCount = 0;
  /**
   * The fulfilled appointments of the clinician-day just generated, for the patient side
   * (`patientSide.ts`): the caller takes them after each `day` call. Collecting them draws no random
   * number, so the canonical files are the same with or without a patient side.
   */
  visits: Visit[] = [];
  private apptSeq = 0;
  private surgerySeq = 0;

  appointmentNumber(): string {
    return String(++this.apptSeq).padStart(8, '0');
  }

  surgeryEncounter(): string {
    return `s${String(++this.surgerySeq).padStart(7, '0')}`;
  }
}

/** Multiplier of notes time and the share of visits that use the new tool, `d` days after go-live. */
export function goLiveEffect(c: Clinician, d: number): { notesFactor: number; usage: number } {
  if (!c.goLive || d < 0) return { notesFactor: 1, usage: 0 };
  // The dip: everyone in a live department is slower at notes right after go-live (training,
  // new workflow): +20% for a week, fading to nothing by day 14.
  const disruption = d < 7 ? 0.2 : d < 14 ? (0.2 * (14 - d)) / 7 : 0;
  // The recovery: adopters use the tool on a growing share of visits (time constant 6 days, up to
  // 95%), and a visit with the tool takes 30% less notes time.
  const usage = c.adopter && d >= c.firstUse ? 0.95 * (1 - Math.exp(-(d - c.firstUse + 1) / 6)) : 0;
  return { notesFactor: (1 + disruption) * (1 - 0.3 * usage), usage };
}

/**
 * Generates one clinician-day into `out`. Create one per generation and call `day` for every
 * (day, clinician); each call takes its own `rng` so days are independent of each other.
 */
export class DayGenerator {
  private clock!: DayClock;
  private rng!: Rng;
  private c!: Clinician;
  private p!: GroupParams;
  /** Local second at which the next event happens. */
  private now = 0;
  private mobileNow = false;
  private gapMult = 1;
  private notesFactor = 1;
  private toolUsage = 0;
  /** Attended visits of the day (their notes get finished at lunch and after clinic). */
  private visits: Appointment[] = [];
  private readonly ev: EventLines;
  private readonly G = new Float64Array(16384);
  private readonly T = new Int32Array(16384);

  constructor(
    private readonly out: Output,
    private readonly goLive: GoLivePlan,
    /** Primary-care clinicians, whose panels specialists' referrals come from. */
    private readonly referralPanels: readonly Clinician[],
  ) {
    this.ev = out.events;
  }

  /** Generates everything clinician `c` does on the day of `clock` (day index `dayIndex`). */
  day(c: Clinician, clock: DayClock, dayIndex: number, rng: Rng): void {
    this.c = c;
    this.clock = clock;
    this.rng = rng;
    this.p = PARAMS[c.group];
    this.now = 0;
    this.ev.setDay(clock);
    this.ev.setUser(c.userId);
    this.gapMult = this.p.gapScale / c.pace;
    const g = goLiveEffect(c, dayIndex - this.goLive.dayIndex);
    this.notesFactor = g.notesFactor;
    this.toolUsage = g.usage;
    this.visits = [];
    this.desk();

    const wd = clock.weekday;
    if (wd === 0 || wd === 6) {
      this.weekend();
      return;
    }
    const kind = c.weekly[wd - 1] ?? 'off';
    // Vacation, illness, conferences: about 2% of weekdays without clinic.
    if (kind !== 'off' && rng.chance(0.02)) {
      if (rng.chance(0.3)) this.homeBlock(9 * 3600, 20 * 3600, 10 * 60, true);
      return;
    }
    switch (kind) {
      case 'full':
        this.clinicDay([c.clinicStart, c.clinicStart + AFTERNOON_OFFSET]);
        break;
      case 'am':
        this.clinicDay([c.clinicStart]);
        break;
      case 'pm':
        this.clinicDay([c.clinicStart + AFTERNOON_OFFSET]);
        break;
      case 'or':
        this.orDay();
        break;
      default:
        // A part-time clinician's day off: often half an hour with the inbox anyway.
        if (rng.chance(Math.min(0.9, this.p.offDayP * c.afterMult))) {
          this.homeBlock(8 * 3600, 21 * 3600, this.p.offDayMin * 60, false);
        }
    }
  }

  // ---------------------------------------------------------------- channels and workstations

  private desk(): void {
    this.mobileNow = false;
    this.ev.setSuffix(this.c.deskSuffix);
  }

  private room(): void {
    this.mobileNow = false;
    this.ev.setSuffix(this.c.roomSuffix);
  }

  private remote(mobile: boolean): void {
    this.mobileNow = mobile;
    this.ev.setSuffix(
      mobile ? (this.rng.chance(0.85) ? MOBILE_PHONE : MOBILE_TABLET) : this.c.homeSuffix,
    );
  }

  // ---------------------------------------------------------------- events

  /** Moves the clock to `s` unless work already runs later. */
  private at(s: number): void {
    if (s > this.now) this.now = Math.round(s);
  }

  private emit(s: number, a: number, pe: string): void {
    this.ev.setPatient(pe);
    this.ev.write(s, a);
  }

  /** A single event now, then a few seconds. */
  private single(a: number, pe: string): void {
    this.emit(this.now, a, pe);
    this.now += 3 + this.rng.int(25);
  }

  /**
   * Lays out `n` event times over `dur` seconds from now (exponential gaps with an occasional
   * longer read, rescaled to fill `dur`) into `T`, and advances the clock by `dur`. A gap inside a
   * task is capped at 4 minutes: a task is continuous work, and a gap beyond the 5-minute timeout
   * would silently drop time from the calibration.
   */
  private layout(n: number, dur: number): void {
    const G = this.G;
    const T = this.T;
    const rng = this.rng;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      let g = -Math.log(1 - rng.next());
      if (g > 6) g = 6;
      if (rng.next() < 0.08) g *= 4;
      G[i] = g;
      sum += g;
    }
    const scale = dur / sum;
    const t0 = this.now;
    let cum = 0;
    let last = t0 - 1;
    for (let i = 0; i < n; i++) {
      // At most one event per second: a user's events never share an instant.
      const t = t0 + Math.floor(cum);
      T[i] = last = t > last ? t : last + 1;
      const g = (G[i] as number) * scale;
      cum += g > 240 ? 240 : g;
    }
    this.now = Math.max(t0 + dur, last + 1);
  }

  private count(dur: number, cat: number): number {
    const n = Math.round(dur / ((MEAN_GAP[cat] as number) * this.gapMult));
    return n < 1 ? 1 : n > 16000 ? 16000 : n;
  }

  private order(pe: string, medication: boolean, byTeam: boolean): void {
    const c = this.c;
    let entered = '';
    if (byTeam) {
      entered =
        c.colleagues.length > 0 && this.rng.chance(0.08)
          ? this.rng.pick(c.colleagues)
          : this.rng.pick(c.team);
    }
    const o = this.out;
    const patient = pe.slice(0, pe.indexOf(','));
    o.orders += `o${String(++o.orderCount).padStart(9, '0')},${c.userId},${this.ev.lastIso()},${entered},${medication ? 'medication' : 'other'},${patient}\n`;
  }

  // ---------------------------------------------------------------- tasks

  /** Writing a note. `ambient`: 0 without the new tool, 1 starting it in the room, 2 reviewing its draft. */
  private note(dur: number, pe: string, sign: boolean, ambient: 0 | 1 | 2): void {
    if (this.mobileNow) return this.chart(dur, pe);
    dur = Math.round(dur * this.notesFactor);
    if (dur < 5) return;
    const n = this.count(dur, NOTES);
    this.layout(n, dur);
    const T = this.T;
    const body = BODY.notes;
    const rng = this.rng;
    const first = ambient === 1 ? A.ambientStart : ambient === 2 ? A.ambientReview : A.noteOpen;
    this.emit(T[0] as number, first, pe);
    for (let i = 1; i < n; i++) {
      let a: number;
      if (i === n - 1) a = sign ? A.noteSign : rng.next() < 0.5 ? A.notePend : A.noteSave;
      else if (ambient === 2 && i === n - 2)
        a = rng.next() < 0.06 ? A.ambientDiscard : A.ambientAccept;
      else a = body[(rng.next() * body.length) | 0] as number;
      this.emit(T[i] as number, a, pe);
    }
  }

  /** Entering and signing orders (`medication`: prescriptions). Each signature is one order row. */
  private orders(dur: number, pe: string, medication: boolean, signs: number): void {
    if (this.mobileNow) return this.chart(dur, pe);
    dur = Math.round(dur);
    if (dur < 5) return;
    const cat = medication ? PRESCRIPTIONS : ORDERS;
    let n = this.count(dur, cat);
    if (n < signs + 1) n = signs + 1;
    this.layout(n, dur);
    const T = this.T;
    const rng = this.rng;
    const body = medication ? BODY.prescriptions : BODY.orders;
    const first = medication ? A.rxSearch : rng.next() < 0.3 ? A.orderSetOpen : A.orderSearch;
    this.emit(T[0] as number, first, pe);
    for (let i = 1; i < n; i++) {
      if (i >= n - signs) {
        // Team members pend orders for the clinician to sign (AMA teamwork-for-orders).
        const byTeam = rng.next() < this.c.teamwork;
        const a = medication
          ? byTeam
            ? A.rxSignPended
            : A.rxSign
          : byTeam
            ? A.orderSignPended
            : A.orderSign;
        this.emit(T[i] as number, a, pe);
        this.order(pe, medication, byTeam);
      } else this.emit(T[i] as number, body[(rng.next() * body.length) | 0] as number, pe);
    }
  }

  /** Reading the chart of one patient. */
  private chart(dur: number, pe: string): void {
    dur = Math.round(dur);
    if (dur < 5) return;
    const n = this.count(dur, CHART);
    this.layout(n, dur);
    const T = this.T;
    const rng = this.rng;
    const body = this.mobileNow ? BODY.mobileChart : BODY.chart;
    this.emit(T[0] as number, A.chartSummary, pe);
    for (let i = 1; i < n; i++)
      this.emit(T[i] as number, body[(rng.next() * body.length) | 0] as number, pe);
  }

  /** Working through the inbox: a run of messages, each about one patient. */
  private inbox(dur: number): void {
    dur = Math.round(dur);
    if (dur < 5) return;
    const n = this.count(dur, INBOX);
    this.layout(n, dur);
    const T = this.T;
    const rng = this.rng;
    const views = BODY.inboxView;
    const body = BODY.inboxBody;
    this.emit(T[0] as number, A.inboxOpen, ',');
    let left = 0;
    let refill = false;
    let pe = ',';
    for (let i = 1; i < n; i++) {
      let a: number;
      if (left === 0) {
        pe = `${this.panelPatient()},`;
        a = views[(rng.next() * views.length) | 0] as number;
        refill = a === A.inboxRefill && !this.mobileNow;
        left = (refill ? 2 : 1) + ((rng.next() * 5) | 0);
        this.emit(T[i] as number, a, pe);
        continue;
      }
      left--;
      if (left === 0) a = A.inboxDone;
      else if (refill && left === 1) {
        // A refill request pended by the nurse: the clinician signs it from the inbox.
        this.emit(T[i] as number, A.rxSignPended, pe);
        this.order(pe, true, true);
        continue;
      } else a = body[(rng.next() * body.length) | 0] as number;
      this.emit(T[i] as number, a, pe);
    }
  }

  /** Navigation, secure chat, preferences: work without a patient. */
  private other(dur: number): void {
    dur = Math.round(dur);
    if (dur < 5) return;
    const n = this.count(dur, OTHER);
    this.layout(n, dur);
    const T = this.T;
    const rng = this.rng;
    const body = BODY.other;
    for (let i = 0; i < n; i++)
      this.emit(T[i] as number, body[(rng.next() * body.length) | 0] as number, ',');
  }

  // ---------------------------------------------------------------- patients

  private panelPatient(): string {
    const c = this.c;
    return `p${String(c.panelStart + this.rng.int(c.panelSize)).padStart(6, '0')}`;
  }

  /** A patient for a visit: the own panel, or for specialists often a referral from a
   * primary-care panel (so that patients are shared across departments, as in a real system). */
  private visitPatient(): string {
    const { rng, referralPanels } = this;
    if (this.c.group !== 'primary' && referralPanels.length > 0 && rng.chance(0.45)) {
      const panel = referralPanels[rng.int(referralPanels.length)] as Clinician;
      return `p${String(panel.panelStart + rng.int(panel.panelSize)).padStart(6, '0')}`;
    }
    return this.panelPatient();
  }

  /** `patient,encounter` of a visit seen earlier today, else of a panel patient. */
  private recentPe(): string {
    const v = this.visits;
    return v.length > 0 ? (v[this.rng.int(v.length)] as Appointment).pe : `${this.panelPatient()},`;
  }

  // ---------------------------------------------------------------- schedule

  /** Draws the appointments of one session and writes its schedule rows. */
  private bookSession(start: number): Slot[] {
    const { c, rng, p, clock, out } = this;
    const end = start + SESSION;
    const slots: Slot[] = [];
    const rows: string[] = [];
    if (c.hasSessionRows)
      rows.push(`${c.userId},session,${localIso(clock, start)},${localIso(clock, end)},,,,`);
    const activeStatus = (): Status => (rng.chance(0.065) ? 'noshow' : 'fulfilled');
    const visitType = (): VisitType => {
      const r = rng.next();
      return r < p.video ? 'video' : r < p.video + p.phone ? 'phone' : 'in-person';
    };
    const make = (s: number, len: number, status: Status, patient?: string): Appointment => {
      const num = out.appointmentNumber();
      const pt = patient ?? this.visitPatient();
      const a: Appointment = {
        start: s,
        end: s + len,
        status,
        visitType: visitType(),
        patient: pt,
        pe: `${pt},c${num}`,
      };
      rows.push(
        `${c.userId},appointment,${localIso(clock, s)},${localIso(clock, s + len)},${status},${a.visitType},${pt},a${num}`,
      );
      if (status === 'fulfilled')
        out.visits.push({
          start: s,
          end: s + len,
          patient: pt,
          appointmentId: `a${num}`,
          visitType: a.visitType,
        });
      return a;
    };
    let t = start;
    while (t + 15 * 60 <= end) {
      let len = (c.slotMix.minutes[rng.weighted(c.slotMix.weights)] as number) * 60;
      if (t + len > end) len = end - t;
      const slot: Slot = { start: t, len, appts: [] };
      if (rng.chance(p.fill)) {
        if (rng.chance(0.055)) {
          slot.appts.push(make(t, len, 'cancelled'));
          // Many cancelled slots are filled again from the waiting list.
          if (rng.chance(0.45)) slot.appts.push(make(t, len, activeStatus()));
        } else slot.appts.push(make(t, len, activeStatus()));
        if (rng.chance(p.doubleBook)) slot.appts.push(make(t, len, activeStatus()));
        // A duplicate booking later marked as entered in error.
        const firstAppt = slot.appts[0] as Appointment;
        if (rng.chance(0.012)) make(t, len, 'entered-in-error', firstAppt.patient);
      }
      slots.push(slot);
      t += len;
    }
    if (rows.length > 0) {
      out.schedule += rows.join('\n') + '\n';
      out.scheduleCount += rows.length;
    }
    return slots;
  }

  // ---------------------------------------------------------------- day plans

  private clinicDay(starts: number[]): void {
    const { c, rng, p } = this;
    const sessions = starts.map((s) => ({ start: s, slots: this.bookSession(s) }));
    const m = c.ehrMult;
    const firstStart = starts[0] as number;

    // A first look at the inbox on the phone before leaving home.
    if (rng.chance(0.35 * c.mobile)) {
      this.remote(true);
      this.at(firstStart - rng.range(4800, 7200));
      this.inbox(rng.range(180, 480));
    }

    // Pre-charting: reading the charts of the day's first patients, a look at the inbox.
    const pre = p.preMin * 60 * m * rng.lognormal(0.35);
    this.desk();
    this.at(firstStart - pre - rng.range(120, 900));
    this.single(A.login, ',');
    const upcoming = sessions.flatMap((s) =>
      s.slots.flatMap((sl) => sl.appts.filter((a) => a.status !== 'cancelled')),
    );
    const k = Math.min(upcoming.length, 3 + rng.int(4));
    for (let i = 0; i < k; i++) this.chart((pre * 0.7) / k, (upcoming[i] as Appointment).pe);
    this.inbox(pre * 0.3);

    sessions.forEach((session, si) => {
      this.room();
      this.at(session.start - rng.range(0, 120));
      this.single(A.scheduleView, ',');
      for (const slot of session.slots) {
        const attended = slot.appts.filter((a) => a.status === 'fulfilled');
        if (attended.length === 0) {
          // A no-show, a cancellation or an empty slot: time for the inbox.
          this.at(slot.start + rng.range(0, 60));
          if (rng.chance(0.85)) this.inbox(slot.len * p.freeSlotInbox * rng.range(0.6, 1.4));
          else this.other(slot.len * 0.2);
          continue;
        }
        const share = slot.len / attended.length;
        attended.forEach((v, i) => this.visit(v, slot.start + i * share, share));
      }
      const sessionEnd = session.start + SESSION;
      if (si === 0 && sessions.length === 2) {
        // Lunch: finishing the morning's notes, the inbox.
        this.desk();
        const lunch = p.lunchMin * 60 * m * rng.lognormal(0.4);
        this.at(sessionEnd + rng.range(240, 1200));
        this.single(A.login, ',');
        this.inbox(lunch * 0.6);
        this.note(lunch * 0.25, this.recentPe(), true, 0);
        this.orders(lunch * 0.08, this.recentPe(), false, 1);
        this.other(lunch * 0.07);
      }
    });

    // After clinic: notes, results and messages, sometimes in two sittings.
    this.desk();
    const lastEnd = (starts[starts.length - 1] as number) + SESSION;
    const after = p.afterMin * 60 * m * rng.lognormal(0.35);
    this.at(lastEnd + rng.range(0, 600));
    const parts = after > 25 * 60 && rng.chance(0.5) ? 2 : 1;
    for (let part = 0; part < parts; part++) {
      if (part > 0) this.at(this.now + rng.range(420, 1500));
      const d = after / parts;
      this.note(d * 0.35, this.recentPe(), true, 0);
      this.inbox(d * 0.45);
      this.orders(d * 0.08, this.recentPe(), false, 1 + rng.int(2));
      this.orders(d * 0.05, this.recentPe(), true, 1);
      this.chart(d * 0.07, this.recentPe());
    }
    this.single(A.logout, ',');

    // Pajama time: an evening sitting on some days.
    if (rng.chance(Math.min(0.95, p.eveningP * c.afterMult))) {
      this.evening(p.eveningMin * 60 * m * rng.lognormal(0.5));
    }
  }

  /** The work of one attended visit within its slot: before, during and after the patient. */
  private visit(v: Appointment, slotStart: number, slotLen: number): void {
    const { c, rng, p } = this;
    const minutes = slotLen / 60;
    let e = (p.visitA * minutes + p.visitB) * 60 * c.ehrMult * rng.lognormal(0.3);
    if (v.visitType === 'phone') e *= 0.75;
    this.visits.push(v);
    const pre = e * 0.15;
    const inRoom = e * 0.35;
    const post = e * 0.5;
    const idle = slotLen - e;
    // The patient conversation and the examination: breaks of more than 5 minutes when they fit.
    let i1 = 0;
    let i2 = 0;
    if (idle >= 640) {
      i1 = 320 + (idle - 640) * rng.range(0.3, 0.7);
      i2 = idle - i1;
    } else if (idle > 0) i1 = idle;
    const ambient = this.toolUsage > 0 && rng.chance(this.toolUsage);

    this.room();
    this.at(slotStart);
    this.chart(pre, v.pe);
    this.at(slotStart + pre + i1);
    if (v.visitType === 'video') this.single(A.videoStart, v.pe);
    this.note(inRoom * 0.5, v.pe, false, ambient ? 1 : 0);
    if (rng.chance(0.6)) this.orders(inRoom * 0.25, v.pe, false, 1 + rng.int(2));
    else this.chart(inRoom * 0.25, v.pe);
    this.chart(inRoom * 0.25, v.pe);
    this.at(slotStart + pre + i1 + inRoom + i2);
    this.note(post * 0.45, v.pe, true, ambient ? 2 : 0);
    this.orders(post * 0.2, v.pe, false, 1 + rng.int(2));
    if (rng.chance(0.6)) this.orders(post * 0.22, v.pe, true, 1 + rng.int(2));
    else this.note(post * 0.22, v.pe, true, 0);
    this.chart(post * 0.08, v.pe);
    this.other(post * 0.05);
    // Between patients: a quick look at new results and messages.
    if (rng.chance(p.inboxBetween)) this.inbox(rng.range(60, 210) * c.ehrMult);
  }

  /** An operating day: pre-op review, op notes and post-op orders between cases, the inbox after. */
  private orDay(): void {
    const { c, rng } = this;
    const m = c.ehrMult;
    const cases = 3 + rng.int(3);
    const pts = Array.from(
      { length: cases },
      () => `${this.panelPatient()},${this.out.surgeryEncounter()}`,
    );
    this.desk();
    this.at(6.75 * 3600 + rng.range(0, 1200));
    this.single(A.login, ',');
    for (const pe of pts) this.chart((10 * 60 * m) / cases, pe);
    let t = 7.5 * 3600;
    for (const pe of pts) {
      t += rng.range(60, 150) * 60;
      if (rng.chance(0.3)) {
        // A secure-chat message from the phone during the case.
        this.remote(true);
        this.at(t - rng.range(1800, 3000));
        this.other(rng.range(40, 120));
      }
      this.desk();
      this.at(t + rng.range(120, 600));
      this.note(4 * 60 * m * rng.lognormal(0.3), pe, true, 0);
      this.orders(2.5 * 60 * m * rng.lognormal(0.3), pe, false, 1 + rng.int(3));
      if (rng.chance(0.6)) this.orders(90 * m, pe, true, 1);
      t = this.now + 30 * 60;
    }
    this.at(this.now + rng.range(600, 1800));
    this.inbox(10 * 60 * m * rng.lognormal(0.4));
    this.single(A.logout, ',');
  }

  /** An evening sitting at home: remote desktop or the phone app; mostly inbox. */
  private evening(dur: number): void {
    const { rng } = this;
    const start = Math.min(19 * 3600 + rng.range(0, 2.5 * 3600), DAY_END - dur);
    this.remote(rng.chance(this.c.mobile));
    this.at(start);
    this.mixedHomeWork(dur);
  }

  /** Catch-up on a Saturday or Sunday. */
  private weekend(): void {
    const { c, p, rng } = this;
    if (!rng.chance(Math.min(0.9, p.weekendP * c.afterMult))) return;
    this.homeBlock(8 * 3600, 21 * 3600, p.weekendMin * 60 * c.ehrMult, rng.chance(c.mobile));
  }

  /** One sitting from home somewhere between `from` and `to` (local seconds). */
  private homeBlock(from: number, to: number, mean: number, mobile: boolean): void {
    const { rng } = this;
    const dur = mean * rng.lognormal(0.5);
    this.remote(mobile);
    this.at(Math.min(rng.range(from, to), DAY_END - dur));
    this.mixedHomeWork(dur);
  }

  private mixedHomeWork(dur: number): void {
    const { rng } = this;
    this.single(A.login, ',');
    if (this.mobileNow) {
      this.inbox(dur * 0.8);
      this.chart(dur * 0.12, `${this.panelPatient()},`);
      this.other(dur * 0.08);
      return;
    }
    const parts = 1 + rng.int(2);
    for (let i = 0; i < parts; i++) {
      this.inbox((dur * 0.65) / parts);
      this.note((dur * 0.25) / parts, `${this.panelPatient()},`, true, 0);
      this.chart((dur * 0.1) / parts, `${this.panelPatient()},`);
    }
    this.single(A.logout, ',');
  }
}
