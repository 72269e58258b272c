/**
 * Who on the patient side does what, decided once per clinician and once per patient (each from
 * its own random stream, so that a patient is the same person whichever visit brings them): the
 * clinician habits that drive engagement (how fast they answer, how many messages their patients
 * send, how late their notes are) and the patient traits (portal account, use, proxy).
 *
 * The figures and their sources are in `PATIENT_PARAMS` and `README.md` ("The patient side").
 */
import { Rng, mixSeed, stratifiedLognormal } from './prng.ts';
import { PANEL_STRIDE, type Clinician, type DepartmentKey } from './roster.ts';
import { DAY_S } from './wallTime.ts';

/** Stream tags of the patient side's random streams (distinct from the clinician side's). */
export const STREAM = { clinician: 0x9a7, patient: 0x9a8, visit: 0x9a9, habits: 0x9aa } as const;

/**
 * Calibration of the patient side. Shares are of patients seen unless said otherwise.
 */
export const PATIENT_PARAMS = {
  /**
   * Probability that a patient of a clinician's panel has activated a portal account, by the
   * panel's department (issue #15: ~30–60% of patients seen have an active account, varying by
   * department and physician; lower in the urban safety-net practice and in surgery, higher for
   * parents of children and in diabetes care). Each clinician adds a uniform ±0.07.
   */
  activation: {
    north: 0.5,
    river: 0.46,
    down: 0.34,
    peds: 0.56,
    heart: 0.44,
    endo: 0.52,
    ortho: 0.36,
    gsurg: 0.32,
  } satisfies Record<DepartmentKey, number>,
  activationSpread: 0.07,
  /** Share of accounts activated before the generated range (the rest activate during it). */
  activatedBefore: 0.8,
  /** Share of accounts activated before the range that were closed before it (moved, died). */
  closedBefore: 0.03,
  /**
   * Share of account holders who use it for their records (view results and notes) after a visit
   * — "regular use far lower" than activation: Mayo registered 240,000 patients and about 5% used
   * the portal (engagement.md); with these shares 5–15% of patients seen view, download or transmit
   * in a 4–12 week period, the range of Meaningful Use Stage 2's VDT measure (≥ 5%).
   */
  user: 0.3,
  /** Probability that a user looks at a visit's releases at all; others now and then. */
  userViewsVisit: 0.75,
  otherViewsVisit: 0.04,
  /** Share of users who also log in on other days (the "regular" users of engagement.md §2). */
  regular: 0.4,
  /** Account holders who log in once after a visit without viewing anything (appointments, bills). */
  loginOnly: 0.12,
  /** Proxy use: parents for their children; otherwise a few carers. */
  proxyPediatric: 0.85,
  proxyOther: 0.03,
  /** Median business hours to a reply, across clinicians (lognormal, stratified, σ below). */
  replyMedianBh: 8,
  replySigma: 1.0,
  /**
   * Messages a patient with an account sends after a visit, on average, before the clinician's
   * multiplier. The multiplier is `(replyMedian / 8)^-0.8`: patients of physicians who answer
   * fast write more, as in Wolcott et al. 2017 (patients of highly responsive providers sent 334%
   * more messages): the fastest quarter of clinicians get about 4× the messages of the slowest.
   */
  messagesPerVisit: 0.22,
  messageElasticity: 0.8,
  /** Share of replies that name the message they answer (`in_reply_to`); the rest do not. */
  inReplyTo: 0.85,
  /**
   * Share of messages to patients not opened within 12 hours (Mayo Clinic: about 8.5%); of those,
   * this share is never opened.
   */
  unopened12h: 0.085,
  neverOpened: 0.3,
};

/** The patient-side habits of one clinician. */
export interface ClinicianHabits {
  /** Probability that a patient of this clinician's panel has a portal account. */
  activation: number;
  /** Median business hours to answer a patient's message. */
  replyMedianBh: number;
  /** Multiplier of the messages this clinician's patients send (Wolcott 2017). */
  messageMult: number;
  /** Share of patient messages never answered. */
  unanswered: number;
  /** Share of visit notes signed (and so released) more than 4 business days after the visit. */
  lateNotes: number;
  /** Share of released results the clinician comments on in a message to the patient. */
  resultComments: number;
}

/** Habits of every clinician, by `Clinician.index`. */
export function clinicianHabits(clinicians: readonly Clinician[], seed: number): ClinicianHabits[] {
  const P = PATIENT_PARAMS;
  // Stratified, so that even a small roster has fast and slow answerers.
  const reply = stratifiedLognormal(
    clinicians.length,
    P.replySigma,
    new Rng(mixSeed(seed, STREAM.habits)),
  );
  return clinicians.map((c, i) => {
    const rng = new Rng(mixSeed(seed, STREAM.clinician, c.index));
    const replyMedianBh = P.replyMedianBh * (reply[i] as number);
    const slowness = replyMedianBh / P.replyMedianBh;
    return {
      activation: P.activation[c.deptKey] + rng.range(-P.activationSpread, P.activationSpread),
      replyMedianBh,
      messageMult: Math.min(4, Math.max(0.2, slowness ** -P.messageElasticity)),
      // Slow answerers also leave more messages unanswered.
      unanswered: Math.min(0.25, 0.02 + 0.03 * slowness + rng.range(0, 0.03)),
      lateNotes: 0.01 + 0.2 * rng.next() ** 2,
      resultComments: rng.range(0.15, 0.45),
    };
  });
}

/** One patient's portal traits. Wall seconds are relative to 00:00 of the first generated day. */
export interface PatientTraits {
  /** Has a portal account (possibly closed before the range). */
  account: boolean;
  activatedAt: number;
  /** When the account was closed, else Infinity. */
  deactivatedAt: number;
  /** Views results and notes after visits. */
  user: boolean;
  /** Also logs in on other days. */
  regular: boolean;
  /** Acts through a proxy (a parent, a carer): `actor` = proxy. */
  proxy: boolean;
}

/** The patient number of `p000123`. */
export function patientNumber(patient: string): number {
  return Number(patient.slice(1));
}

/**
 * The traits of patient number `num` (from its own stream: the same whichever visit asks).
 * `habits` gives the activation of the panel's clinician.
 */
export function patientTraits(
  num: number,
  clinicians: readonly Clinician[],
  habits: readonly ClinicianHabits[],
  seed: number,
  days: number,
): PatientTraits {
  const P = PATIENT_PARAMS;
  const owner = Math.min(clinicians.length - 1, Math.floor((num - 1) / PANEL_STRIDE));
  const c = clinicians[owner] as Clinician;
  const h = habits[owner] as ClinicianHabits;
  const rng = new Rng(mixSeed(seed, STREAM.patient, num));
  const account = rng.chance(h.activation);
  const before = rng.chance(P.activatedBefore);
  // Before the range: up to four years back; else any time during it.
  const activatedAt = before
    ? -Math.floor(rng.range(1, 4 * 365) * DAY_S)
    : Math.floor(rng.range(0, days) * DAY_S);
  const closed = before && rng.chance(P.closedBefore);
  const deactivatedAt = closed
    ? activatedAt + Math.floor(rng.range(0, -activatedAt - DAY_S))
    : Number.POSITIVE_INFINITY;
  const user = rng.chance(P.user);
  const regular = user && rng.chance(P.regular);
  const proxy = rng.chance(c.deptKey === 'peds' ? P.proxyPediatric : P.proxyOther);
  return { account, activatedAt, deactivatedAt, user, regular, proxy };
}

/** True when patient `t` can use the portal at wall second `w`. */
export function canUse(t: PatientTraits, w: number): boolean {
  return t.account && w >= t.activatedAt && w < t.deactivatedAt;
}
