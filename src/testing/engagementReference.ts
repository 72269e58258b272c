/**
 * An independent, row-by-row reading of the engagement measures of engagement.md §2 in
 * TypeScript, for the property test of `src/engage/engagementMeasures.int.test.ts`: small random
 * patient-side data (`randomEngagementData`), loaded straight into a store (`loadEngagementData`,
 * no pseudonymization), and the per-clinician figures computed by looping over the rows with the
 * program's JS business calendar (`src/program/businessHours.ts`) — never used to report.
 */
import { Rng } from '../synth/prng.ts';
import { addDays, dayClock, localInstant } from '../synth/tz.ts';
import { businessMs, isBusinessDay, localDateOf } from '../program/businessHours.ts';
import { PATIENT_ACTIONS } from '../model/patientSide.ts';
import type { EngagementRequest, EngagementRow } from '../model/engagement.ts';
import type { Store, SqlValue } from '../store/Store.ts';

export interface EngagementData {
  timezone: string;
  holidays: string[];
  from: string;
  to: string;
  schedule: {
    user_id: string;
    start_at: string;
    status: string;
    patient_id: string | null;
    appointment_id: string;
  }[];
  accounts: { patient_id: string; activated_at: string; deactivated_at: string | null }[];
  events: {
    event_id: string;
    occurred_at: string;
    patient_id: string;
    action: string;
    resource_id: string | null;
  }[];
  messages: {
    message_id: string;
    sent_at: string;
    patient_id: string;
    clinician_id: string;
    direction: 'to_clinician' | 'to_patient';
    in_reply_to: string | null;
  }[];
  releases: {
    resource_id: string;
    patient_id: string;
    kind: string;
    available_at: string;
    clinician_id: string | null;
    encounter_id: string | null;
  }[];
}

const H = 3_600_000;
const D = 24 * H;

/**
 * Tens of random rows over three weeks around the 2026 spring DST change in New York, with a
 * holiday, so that every rule has something to bite on: repeated patients, no-shows, replies by
 * `in_reply_to` and by the 7-day fallback, views before release and after 30 days.
 */
export function randomEngagementData(seed: number): EngagementData {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const from = '2026-03-02';
  const to = '2026-03-23';
  const t0 = Date.parse('2026-02-27T00:00:00Z');
  const span = 28 * D;
  const at = (base = t0, width = span) =>
    new Date(base + Math.floor(rng.next() * (width / 60_000)) * 60_000).toISOString();
  const clinicians = ['c1', 'c2', 'c3'];
  const patients = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
  const schedule = Array.from({ length: 14 }, (_, i) => ({
    user_id: pick(clinicians),
    start_at: at(),
    status: pick(['fulfilled', 'fulfilled', 'arrived', 'noshow', 'booked']),
    patient_id: rng.chance(0.9) ? pick(patients) : null,
    appointment_id: `a${i}`,
  }));
  const accounts = patients
    .filter(() => rng.chance(0.7))
    .map((p) => {
      const a = at(t0 - 10 * D, 30 * D);
      return {
        patient_id: p,
        activated_at: a,
        deactivated_at: rng.chance(0.3) ? at(Date.parse(a), 20 * D) : null,
      };
    });
  const releases = Array.from({ length: 16 }, (_, i) => ({
    resource_id: `r${i}`,
    patient_id: pick(patients),
    kind: pick(['result', 'result', 'note', 'visit_summary', 'followup']),
    available_at: at(),
    clinician_id: rng.chance(0.85) ? pick(clinicians) : null,
    encounter_id: rng.chance(0.8) ? `a${rng.int(schedule.length)}` : null,
  }));
  const events = Array.from({ length: 40 }, (_, i) => {
    const r = pick(releases);
    const viewing = rng.chance(0.5);
    return {
      event_id: `e${i}`,
      occurred_at: viewing ? at(Date.parse(r.available_at) - 2 * D, 40 * D) : at(),
      patient_id: viewing ? r.patient_id : pick(patients),
      action: viewing
        ? pick(['view_result', 'view_followup', 'acknowledge_followup', 'view_note'])
        : pick(PATIENT_ACTIONS),
      resource_id: viewing ? r.resource_id : null,
    };
  });
  const messages: EngagementData['messages'] = [];
  for (let i = 0; i < 24; i++) {
    const earlier = messages.filter((m) => m.direction === 'to_clinician');
    const reply = earlier.length > 0 && rng.chance(0.6);
    const m = reply ? pick(earlier) : null;
    messages.push({
      message_id: `m${i}`,
      sent_at: m ? at(Date.parse(m.sent_at) - H, 10 * D) : at(),
      patient_id: m && rng.chance(0.9) ? m.patient_id : pick(patients),
      clinician_id: m && rng.chance(0.9) ? m.clinician_id : pick(clinicians),
      direction: reply ? 'to_patient' : 'to_clinician',
      in_reply_to: m && rng.chance(0.5) ? m.message_id : null,
    });
  }
  return {
    timezone: 'America/New_York',
    holidays: ['2026-03-06', rng.chance(0.5) ? '2026-03-10' : '2026-03-17'],
    from,
    to,
    schedule,
    accounts,
    events,
    messages,
    releases,
  };
}

async function insert(
  store: Store,
  table: string,
  rows: readonly Record<string, SqlValue>[],
  instants: readonly string[],
): Promise<void> {
  for (const r of rows) {
    const cols = Object.keys(r);
    const vals = cols.map(
      (c, i) => `CAST($${i + 1} AS ${instants.includes(c) ? 'TIMESTAMPTZ' : 'VARCHAR'})`,
    );
    await store.run(
      `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${vals.join(', ')})`,
      cols.map((c) => r[c] ?? null),
    );
  }
}

/** Insert `data` into the schedule and the patient-side tables of `store`, as it is. */
export async function loadEngagementData(store: Store, data: EngagementData): Promise<void> {
  await insert(
    store,
    'schedule',
    data.schedule.map((s) => ({
      ...s,
      kind: 'appointment',
      end_at: new Date(Date.parse(s.start_at) + 20 * 60_000).toISOString(),
      visit_type: 'in-person',
    })),
    ['start_at', 'end_at'],
  );
  await insert(store, 'patient_accounts', data.accounts, ['activated_at', 'deactivated_at']);
  await insert(
    store,
    'patient_events',
    data.events.map((e) => ({ ...e, source: 'test' })),
    ['occurred_at'],
  );
  await insert(store, 'messages', data.messages, ['sent_at']);
  await insert(store, 'releases', data.releases, ['available_at']);
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = (s.length - 1) / 2;
  const lo = s[Math.floor(mid)]!;
  const hi = s[Math.ceil(mid)]!;
  return lo + (hi - lo) * (mid - Math.floor(mid));
}

const share = (n: number, d: number) => (d > 0 ? n / d : null);

/**
 * The per-clinician figures of §2 (`req.by` must be `clinician`), read row by row: every field
 * of `EngagementRow` but `group_by` and `suppressed`, sorted by clinician and period.
 */
export function referenceEngagement(
  data: EngagementData,
  req: EngagementRequest,
): Partial<EngagementRow>[] {
  const tz = req.timezone;
  const cal = { timezone: tz, holidays: req.holidays };
  const t = (s: string) => Date.parse(s);
  const ld = (s: string) => localDateOf(t(s), tz);
  const midnight = (date: string) => localInstant(dayClock(tz, date), 0);
  const inRange = (s: string) => ld(s) >= req.from && ld(s) < req.to;
  const pieceOf = (date: string): [string, string] => {
    if (req.period === 'all') return [req.from, req.to];
    let start: string;
    let end: string;
    if (req.period === 'week') {
      const dow = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
      start = addDays(date, -dow);
      end = addDays(start, 7);
    } else {
      start = `${date.slice(0, 8)}01`;
      const [y, m] = [Number(date.slice(0, 4)), Number(date.slice(5, 7))];
      end = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
    }
    return [start < req.from ? req.from : start, end > req.to ? req.to : end];
  };

  interface Acc {
    seen: Set<string>;
    activated: number;
    active: number;
    regular: number;
    vdt: number;
    messaged: number;
    releases: number;
    timely: number;
    relPatients: Set<string>;
    msgs: number;
    answered: number;
    within: number;
    bh: number[];
    msgPatients: Set<string>;
    results: number;
    v30: number;
    v7: number;
    viewH: number[];
    resPatients: Set<string>;
    fus: number;
    read7: number;
    ack14: number;
    readH: number[];
    fuPatients: Set<string>;
  }
  const accs = new Map<string, { key: [string, string, string]; a: Acc }>();
  const acc = (clinician: string, date: string): Acc => {
    const [ps, pe] = pieceOf(date);
    const k = `${clinician}\u0000${ps}`;
    let e = accs.get(k);
    if (!e) {
      e = {
        key: [clinician, ps, pe],
        a: {
          seen: new Set(),
          activated: 0,
          active: 0,
          regular: 0,
          vdt: 0,
          messaged: 0,
          releases: 0,
          timely: 0,
          relPatients: new Set(),
          msgs: 0,
          answered: 0,
          within: 0,
          bh: [],
          msgPatients: new Set(),
          results: 0,
          v30: 0,
          v7: 0,
          viewH: [],
          resPatients: new Set(),
          fus: 0,
          read7: 0,
          ack14: 0,
          readH: [],
          fuPatients: new Set(),
        },
      };
      accs.set(k, e);
    }
    return e.a;
  };

  const visits = data.schedule.filter(
    (s) => (s.status === 'fulfilled' || s.status === 'arrived') && inRange(s.start_at),
  );
  // Patients seen, per clinician and piece.
  for (const v of visits) if (v.patient_id) acc(v.user_id, ld(v.start_at)).seen.add(v.patient_id);
  const pmsgs = data.messages.filter((m) => m.direction === 'to_clinician' && inRange(m.sent_at));
  for (const { key, a } of accs.values()) {
    const [clinician, ps, pe] = key;
    const s = midnight(ps);
    const e = midnight(pe);
    for (const p of a.seen) {
      const acct = data.accounts.some(
        (x) =>
          x.patient_id === p &&
          t(x.activated_at) < e &&
          (x.deactivated_at === null || t(x.deactivated_at) > s),
      );
      const evs = data.events.filter(
        (x) =>
          x.patient_id === p &&
          inRange(x.occurred_at) &&
          ld(x.occurred_at) >= ps &&
          ld(x.occurred_at) < pe,
      );
      const days = new Set(evs.map((x) => ld(x.occurred_at)));
      if (acct) a.activated++;
      if (days.size >= 1) a.active++;
      if (days.size >= 2) a.regular++;
      if (
        evs.some(
          (x) => x.action.startsWith('view_') || x.action === 'download' || x.action === 'transmit',
        )
      )
        a.vdt++;
      if (
        pmsgs.some(
          (m) =>
            m.patient_id === p &&
            m.clinician_id === clinician &&
            ld(m.sent_at) >= ps &&
            ld(m.sent_at) < pe,
        )
      )
        a.messaged++;
    }
  }

  // Timely access: the 4th business day after the visit's local date, walked day by day.
  const fourthBusinessDay = (date: string) => {
    let d = date;
    for (let n = 0; n < 4;) {
      d = addDays(d, 1);
      if (isBusinessDay(cal, d)) n++;
    }
    return d;
  };
  for (const r of data.releases) {
    if (r.kind !== 'note' && r.kind !== 'visit_summary') continue;
    for (const v of visits.filter((x) => x.appointment_id === r.encounter_id)) {
      const a = acc(v.user_id, ld(v.start_at));
      a.releases++;
      a.relPatients.add(r.patient_id);
      if (ld(r.available_at) <= fourthBusinessDay(ld(v.start_at))) a.timely++;
    }
  }

  // Messages and their replies.
  for (const m of pmsgs) {
    const a = acc(m.clinician_id, ld(m.sent_at));
    a.msgs++;
    a.msgPatients.add(m.patient_id);
    const out = data.messages.filter(
      (o) =>
        o.direction === 'to_patient' &&
        o.clinician_id === m.clinician_id &&
        t(o.sent_at) >= t(m.sent_at),
    );
    const first = (xs: typeof out) => (xs.length ? Math.min(...xs.map((o) => t(o.sent_at))) : null);
    const reply =
      first(out.filter((o) => o.in_reply_to === m.message_id)) ??
      first(
        out.filter((o) => o.patient_id === m.patient_id && t(o.sent_at) - t(m.sent_at) <= 7 * D),
      );
    if (reply === null) continue;
    a.answered++;
    const ms = businessMs(cal, t(m.sent_at), reply);
    a.bh.push(ms / H);
    if (ms <= 9 * H) a.within++;
  }

  // Results and follow-ups: the first action on the resource at or after available_at.
  const firstAt = (resource: string, action: string, after: number) => {
    const xs = data.events
      .filter((e) => e.resource_id === resource && e.action === action && t(e.occurred_at) >= after)
      .map((e) => t(e.occurred_at));
    return xs.length ? Math.min(...xs) : null;
  };
  for (const r of data.releases) {
    const av = t(r.available_at);
    if (r.kind === 'result' && r.clinician_id !== null && inRange(r.available_at)) {
      const a = acc(r.clinician_id, ld(r.available_at));
      a.results++;
      a.resPatients.add(r.patient_id);
      const v = firstAt(r.resource_id, 'view_result', av);
      if (v !== null && v - av <= 30 * D) {
        a.v30++;
        a.viewH.push((v - av) / H);
      }
      if (v !== null && v - av <= 7 * D) a.v7++;
    }
    if (r.kind === 'followup')
      for (const v of visits.filter((x) => x.appointment_id === r.encounter_id)) {
        const a = acc(v.user_id, ld(v.start_at));
        a.fus++;
        a.fuPatients.add(r.patient_id);
        const read = firstAt(r.resource_id, 'view_followup', av);
        const ack = firstAt(r.resource_id, 'acknowledge_followup', av);
        if (read !== null && read - av <= 7 * D) a.read7++;
        if (read !== null && read - av <= 30 * D) a.readH.push((read - av) / H);
        if (ack !== null && ack - av <= 14 * D) a.ack14++;
      }
  }

  return [...accs.values()]
    .sort((x, y) =>
      x.key[0] < y.key[0] ? -1 : x.key[0] > y.key[0] ? 1 : x.key[1] < y.key[1] ? -1 : 1,
    )
    .map(({ key: [group, period_start, period_end], a }) => ({
      group,
      period_start,
      period_end,
      patients_seen: a.seen.size,
      activated: a.activated,
      activated_share: share(a.activated, a.seen.size),
      active: a.active,
      active_share: share(a.active, a.seen.size),
      regular: a.regular,
      regular_share: share(a.regular, a.seen.size),
      vdt: a.vdt,
      vdt_share: share(a.vdt, a.seen.size),
      messaged: a.messaged,
      patient_message_share: share(a.messaged, a.seen.size),
      seen_patients: a.seen.size,
      releases: a.releases,
      releases_timely: a.timely,
      timely_access_share: share(a.timely, a.releases),
      release_patients: a.relPatients.size,
      patient_messages: a.msgs,
      messages_answered: a.answered,
      messages_unanswered: a.msgs - a.answered,
      messages_within_1bd: a.within,
      reply_business_hours: median(a.bh),
      replied_within_1bd_share: share(a.within, a.msgs),
      message_patients: a.msgPatients.size,
      results: a.results,
      results_viewed_30d: a.v30,
      results_viewed_7d: a.v7,
      result_view_hours: median(a.viewH),
      results_viewed_7d_share: share(a.v7, a.results),
      result_patients: a.resPatients.size,
      followups_written: a.fus,
      followups_read_7d: a.read7,
      followup_read_share: share(a.read7, a.fus),
      followup_read_hours: median(a.readH),
      followups_ack_14d: a.ack14,
      followup_ack_share: share(a.ack14, a.fus),
      followup_patients: a.fuPatients.size,
    }));
}
