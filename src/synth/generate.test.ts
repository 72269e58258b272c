import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPOINTMENT_STATUSES,
  CATEGORIES,
  CHANNELS,
  CSV_COLUMNS,
  INSTANT_WITH_OFFSET,
  ORDER_TYPES,
  VISIT_TYPES,
  eventSchema,
  orderSchema,
  scheduleSchema,
  type Category,
} from '../model/canonical.ts';
import { ACTION_MAP } from './actions.ts';
import { COLUMNS, generate, goLiveDate, type GenerateResult } from './generate.ts';
import { Rng, stratifiedLognormal } from './prng.ts';
import { dayClock, localInstant, localIso, offsetMinutesAt } from './tz.ts';

// ------------------------------------------------------------------ reading the files back

type Row = Record<string, string>;

/** Parses a generated CSV file (no field is quoted except roster fields, which never hold commas). */
async function readCsv(path: string): Promise<{ header: string[]; rows: Row[] }> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  expect(lines.pop()).toBe(''); // ends with a newline
  const header = (lines.shift() as string).split(',');
  const rows = lines.map((l) => {
    const f = l.split(',');
    expect(f.length).toBe(header.length);
    const r: Row = {};
    header.forEach((h, i) => (r[h] = f[i] as string));
    return r;
  });
  return { header, rows };
}

interface Data {
  result: GenerateResult;
  headers: Record<string, string[]>;
  clinicians: Row[];
  schedule: Row[];
  orders: Row[];
  /** Events as parallel columns: cheaper than one object per event. */
  ev: {
    id: string[];
    t: number[];
    user: string[];
    action: string[];
    cat: string[];
    day: string[];
    channel: string[];
    raw: string[];
  };
}

async function load(result: GenerateResult): Promise<Data> {
  const c = await readCsv(result.files.clinicians);
  const s = await readCsv(result.files.schedule);
  const o = await readCsv(result.files.orders);
  const text = await readFile(result.files.events, 'utf8');
  const lines = text.split('\n');
  lines.pop();
  const header = (lines.shift() as string).split(',');
  const ev: Data['ev'] = {
    id: [],
    t: [],
    user: [],
    action: [],
    cat: [],
    day: [],
    channel: [],
    raw: [],
  };
  for (const l of lines) {
    const f = l.split(',');
    ev.id.push(f[0] as string);
    ev.t.push(Date.parse(f[1] as string));
    ev.user.push(f[2] as string);
    ev.action.push(f[3] as string);
    ev.cat.push(f[4] as string);
    ev.day.push((f[1] as string).slice(0, 10));
    ev.channel.push(f[7] as string);
    ev.raw.push(l);
  }
  return {
    result,
    headers: { clinicians: c.header, schedule: s.header, orders: o.header, events: header },
    clinicians: c.rows,
    schedule: s.rows,
    orders: o.rows,
    ev,
  };
}

function groupOf(specialty: string): 'primary' | 'medical' | 'surgical' {
  if (['family medicine', 'internal medicine', 'pediatrics'].includes(specialty)) return 'primary';
  if (['cardiology', 'endocrinology'].includes(specialty)) return 'medical';
  return 'surgical';
}

const isCounted = (status: string | undefined): boolean =>
  status !== 'cancelled' && status !== 'entered-in-error';

/** Sessions of each user: the union of session rows, else derived from appointments (60-minute merge gap). */
function sessionsByUser(d: Data): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  for (const c of d.clinicians) {
    const rows = d.schedule.filter((r) => r.user_id === c.user_id);
    let iv: [number, number][];
    const sess = rows.filter((r) => r.kind === 'session');
    if (sess.length > 0)
      iv = sess.map((r) => [Date.parse(r.start as string), Date.parse(r.end as string)]);
    else {
      const appts = rows
        .filter((r) => r.kind === 'appointment' && isCounted(r.status))
        .map((r): [number, number] => [Date.parse(r.start as string), Date.parse(r.end as string)])
        .sort((a, b) => a[0] - b[0]);
      iv = [];
      for (const a of appts) {
        const last = iv[iv.length - 1];
        if (last && a[0] <= last[1] + 60 * 60_000) last[1] = Math.max(last[1], a[1]);
        else iv.push([a[0], a[1]]);
      }
    }
    iv.sort((a, b) => a[0] - b[0]);
    const union: [number, number][] = [];
    for (const s of iv) {
      const last = union[union.length - 1];
      if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
      else union.push([s[0], s[1]]);
    }
    out.set(c.user_id as string, union);
  }
  return out;
}

/** Local date (`YYYY-MM-DD`) of an instant in the test zone. */
function localDate(ms: number, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(ms);
}

interface UserTotals {
  user: string;
  group: 'primary' | 'medical' | 'surgical';
  fte: number;
  ehr: number;
  byCat: Record<Category, number>;
  scheduled: number;
  clinicDays: number;
  ehrOnClinicDays: number;
  outsideOnClinicDays: number;
  appointments: number;
  events: number;
}

/**
 * A deliberately plain gap-model calculator (metrics.md §3–§4: forward, 300 s timeout, drop,
 * split attribution against the sessions), independent of the generator's internals. Hours.
 */
function gapModel(d: Data): UserTotals[] {
  const tz = d.result.timezone;
  const sessions = sessionsByUser(d);
  const idx = new Map<string, number[]>();
  d.ev.user.forEach((u, i) => {
    const l = idx.get(u) ?? [];
    l.push(i);
    idx.set(u, l);
  });
  const out: UserTotals[] = [];
  for (const c of d.clinicians) {
    const user = c.user_id as string;
    const sess = sessions.get(user) ?? [];
    const clinicDays = new Set(sess.map(([s]) => localDate(s, tz)));
    const ids = (idx.get(user) ?? []).sort((a, b) => {
      const dt = (d.ev.t[a] as number) - (d.ev.t[b] as number);
      return dt !== 0 ? dt : (d.ev.id[a] as string) < (d.ev.id[b] as string) ? -1 : 1;
    });
    const byCat = Object.fromEntries(CATEGORIES.map((k) => [k, 0])) as Record<Category, number>;
    let ehr = 0;
    let onClinic = 0;
    let outside = 0;
    let k = 0;
    for (let i = 0; i + 1 < ids.length; i++) {
      const a = ids[i] as number;
      const t0 = d.ev.t[a] as number;
      const t1 = d.ev.t[ids[i + 1] as number] as number;
      if (t1 - t0 > 300_000) continue;
      const len = t1 - t0;
      ehr += len;
      byCat[d.ev.cat[a] as Category] += len;
      while (k < sess.length && (sess[k] as [number, number])[1] <= t0) k++;
      let inside = 0;
      for (let j = k; j < sess.length && (sess[j] as [number, number])[0] < t1; j++) {
        const [s, e] = sess[j] as [number, number];
        inside += Math.max(0, Math.min(e, t1) - Math.max(s, t0));
      }
      if (clinicDays.has(d.ev.day[a] as string)) {
        onClinic += len;
        outside += len - inside;
      }
    }
    const h = (ms: number): number => ms / 3_600_000;
    out.push({
      user,
      group: groupOf(c.specialty as string),
      fte: Number(c.fte),
      ehr: h(ehr),
      byCat: Object.fromEntries(CATEGORIES.map((k2) => [k2, h(byCat[k2])])) as Record<
        Category,
        number
      >,
      scheduled: h(sess.reduce((s, [a, b]) => s + b - a, 0)),
      clinicDays: clinicDays.size,
      ehrOnClinicDays: h(onClinic),
      outsideOnClinicDays: h(outside),
      appointments: d.schedule.filter(
        (r) => r.user_id === user && r.kind === 'appointment' && isCounted(r.status),
      ).length,
      events: ids.length,
    });
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = (s.length - 1) / 2;
  return ((s[Math.floor(m)] as number) + (s[Math.ceil(m)] as number)) / 2;
}

const sum = (xs: UserTotals[], f: (u: UserTotals) => number): number =>
  xs.reduce((s, u) => s + f(u), 0);

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

// ------------------------------------------------------------------ the tests

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'uptake-synth-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('generate: a 20-clinician, 4-week system', () => {
  let d: Data;
  let totals: UserTotals[];
  const progress: number[] = [];

  beforeAll(async () => {
    const result = await generate({
      outDir: await tempDir(),
      clinicians: 20,
      days: 28,
      seed: 1,
      onProgress: (done, total) => progress.push(done / total),
    });
    d = await load(result);
    totals = gapModel(d);
  });

  it('writes the four canonical files with every canonical column and reports their row counts', () => {
    for (const table of ['events', 'clinicians', 'schedule', 'orders'] as const) {
      expect(d.headers[table]).toEqual([...COLUMNS[table]]);
      expect([...(d.headers[table] as string[])].sort()).toEqual(
        [...CSV_COLUMNS[table].required, ...CSV_COLUMNS[table].optional].sort(),
      );
    }
    expect(d.result.counts).toEqual({
      events: d.ev.id.length,
      clinicians: 20,
      schedule: d.schedule.length,
      orders: d.orders.length,
    });
    expect(d.result.from).toBe('2026-01-05');
    expect(d.result.to).toBe('2026-02-02');
    expect(d.result.timezone).toBe('America/New_York');
    expect(progress.length).toBe(28);
    expect(progress[27]).toBe(1);
  });

  it('writes valid events: offsets on every time, known categories matching the action, unique ids', () => {
    const ids = new Set(d.ev.id);
    expect(ids.size).toBe(d.ev.id.length);
    const users = new Set(d.clinicians.map((c) => c.user_id));
    const categories = new Set<string>(CATEGORIES);
    const channels = new Set<string>(CHANNELS);
    // Counting instead of an `expect` per event keeps this fast; the first bad line is shown.
    const bad: string[] = [];
    for (let i = 0; i < d.ev.id.length; i++) {
      const f = (d.ev.raw[i] as string).split(',');
      const ok =
        INSTANT_WITH_OFFSET.test(f[1] as string) &&
        !Number.isNaN(d.ev.t[i]) &&
        users.has(d.ev.user[i]) &&
        categories.has(d.ev.cat[i] as string) &&
        ACTION_MAP.get(d.ev.action[i] as string) === d.ev.cat[i] &&
        channels.has(d.ev.channel[i] as string) &&
        f[9] === 'synth' &&
        f.length === COLUMNS.events.length;
      if (!ok) bad.push(d.ev.raw[i] as string);
    }
    expect(bad.slice(0, 1)).toEqual([]);
    // Every 600th row also passes the canonical model's schema.
    for (let i = 0; i < d.ev.raw.length; i += 600) {
      const f = (d.ev.raw[i] as string).split(',');
      const row: Record<string, string> = {};
      COLUMNS.events.forEach((h, k) => {
        if (f[k] !== '') row[h] = f[k] as string;
      });
      expect(eventSchema.safeParse(row).success).toBe(true);
    }
    // Six categories all present.
    expect(new Set(d.ev.cat).size).toBe(CATEGORIES.length);
  });

  it('writes valid schedule and order rows', () => {
    for (const r of d.schedule) {
      const row = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== ''));
      expect(scheduleSchema.safeParse(row).success).toBe(true);
      expect(Date.parse(r.end as string)).toBeGreaterThan(Date.parse(r.start as string));
      if (r.kind === 'appointment') {
        expect(APPOINTMENT_STATUSES).toContain(r.status);
        expect(VISIT_TYPES).toContain(r.visit_type);
        expect(r.patient_id).toMatch(/^p\d{6,}$/);
        expect(r.appointment_id).toMatch(/^a\d+$/);
      }
    }
    const users = new Set(d.clinicians.map((c) => c.user_id));
    const orderIds = new Set(d.orders.map((o) => o.order_id));
    expect(orderIds.size).toBe(d.orders.length);
    for (const o of d.orders) {
      const row = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ''));
      expect(orderSchema.safeParse(row).success).toBe(true);
      expect(ORDER_TYPES).toContain(o.order_type);
      expect(users.has(o.user_id)).toBe(true);
      expect(o.entered_by).not.toBe(o.user_id);
    }
    for (const c of d.clinicians) {
      expect(['physician', 'np', 'pa']).toContain(c.role);
      expect(Number(c.fte)).toBeGreaterThanOrEqual(0.5);
      expect(Number(c.fte)).toBeLessThanOrEqual(1);
      expect(c.user_id).toMatch(/^u\d{4}$/);
    }
  });

  it('signs one order row per signing event, at the same instant', () => {
    const signs = d.ev.action.filter((a) => /^(order|rx)_sign/.test(a)).length;
    expect(d.orders.length).toBe(signs);
    const medication = d.orders.filter((o) => o.order_type === 'medication').length;
    expect(medication).toBe(d.ev.action.filter((a) => a.startsWith('rx_sign')).length);
  });

  it('has about 1,000–1,400 events per clinician clinic day', () => {
    const perDay = sum(totals, (u) => u.events) / sum(totals, (u) => u.clinicDays);
    expect(perDay).toBeGreaterThanOrEqual(1000);
    expect(perDay).toBeLessThanOrEqual(1400);
  });

  it('has no-shows, cancellations, entered-in-error, double bookings, video and phone visits', () => {
    const appts = d.schedule.filter((r) => r.kind === 'appointment');
    const share = (s: string): number => appts.filter((r) => r.status === s).length / appts.length;
    expect(share('noshow')).toBeGreaterThan(0.04);
    expect(share('noshow')).toBeLessThan(0.09);
    expect(share('cancelled')).toBeGreaterThan(0.03);
    expect(share('cancelled')).toBeLessThan(0.08);
    expect(share('entered-in-error')).toBeGreaterThan(0);
    expect(share('fulfilled')).toBeGreaterThan(0.8);
    const active = appts.filter((r) => r.status === 'fulfilled' || r.status === 'noshow');
    const slots = new Map<string, number>();
    for (const r of active)
      slots.set(`${r.user_id}|${r.start}`, (slots.get(`${r.user_id}|${r.start}`) ?? 0) + 1);
    expect([...slots.values()].filter((n) => n >= 2).length).toBeGreaterThan(10);
    const video = appts.filter((r) => r.visit_type === 'video').length / appts.length;
    expect(video).toBeGreaterThan(0.08);
    expect(video).toBeLessThan(0.16);
    expect(appts.some((r) => r.visit_type === 'phone')).toBe(true);
  });

  it('leaves about 10% of clinicians without session rows (their sessions must be derived)', () => {
    const withSessions = new Set(
      d.schedule.filter((r) => r.kind === 'session').map((r) => r.user_id),
    );
    const without = d.clinicians.filter((c) => !withSessions.has(c.user_id));
    expect(without.length).toBe(2);
    for (const c of without) expect(d.schedule.some((r) => r.user_id === c.user_id)).toBe(true);
  });

  it('has mobile use (3–5% of events, mostly inbox), weekend and evening work', () => {
    const n = d.ev.id.length;
    const mobile = d.ev.channel.map((c, i) => (c === 'mobile' ? i : -1)).filter((i) => i >= 0);
    expect(mobile.length / n).toBeGreaterThan(0.03);
    expect(mobile.length / n).toBeLessThan(0.05);
    expect(mobile.filter((i) => d.ev.cat[i] === 'inbox').length / mobile.length).toBeGreaterThan(
      0.6,
    );
    const weekend = d.ev.day.filter((day) => {
      const wd = new Date(`${day}T12:00:00Z`).getUTCDay();
      return wd === 0 || wd === 6;
    }).length;
    expect(weekend / n).toBeGreaterThan(0.01);
    const evening = d.ev.raw.filter((l) => {
      const hh = Number(l.slice(23, 25));
      return hh >= 19;
    }).length;
    expect(evening / n).toBeGreaterThan(0.01);
  });

  it('has team-entered orders (30–50% overall), some by a colleague', () => {
    const team = d.orders.filter((o) => o.entered_by !== '');
    expect(team.length / d.orders.length).toBeGreaterThan(0.3);
    expect(team.length / d.orders.length).toBeLessThan(0.5);
    expect(team.some((o) => /^t\d{4}$/.test(o.entered_by as string))).toBe(true);
    expect(team.some((o) => /^u\d{4}$/.test(o.entered_by as string))).toBe(true);
  });

  it('puts patients and encounters on visit work', () => {
    let withPatient = 0;
    let withEncounter = 0;
    let visitWork = 0;
    for (const l of d.ev.raw) {
      const f = l.split(',');
      if (f[4] === 'notes' || f[4] === 'orders' || f[4] === 'chart_review') {
        visitWork++;
        if (f[5] !== '') withPatient++;
        if (f[6] !== '') withEncounter++;
      }
      if (f[3] === 'login' && f[5] !== '') withPatient = -Infinity;
    }
    expect(withPatient / visitWork).toBeGreaterThan(0.99);
    expect(withEncounter / visitWork).toBeGreaterThan(0.8);
  });

  it('reports the go-live, whose tool appears only in its departments, from its date, growing', () => {
    const g = d.result.goLive;
    expect(g).toEqual({
      date: '2026-01-19',
      tool: 'ambient-notes',
      actions: [
        'ambient_note_start',
        'ambient_note_review',
        'ambient_note_accept',
        'ambient_note_discard',
      ],
      departments: ['Northside Primary Care', 'Riverside Primary Care'],
    });
    for (const a of g.actions) expect(ACTION_MAP.get(a)).toBe('notes');
    const live = new Set(
      d.clinicians
        .filter((c) => g.departments.includes(c.department as string))
        .map((c) => c.user_id),
    );
    let firstWeek = 0;
    let secondWeek = 0;
    for (let i = 0; i < d.ev.id.length; i++) {
      if (d.ev.action[i] !== 'ambient_note_start') continue;
      expect(live.has(d.ev.user[i])).toBe(true);
      expect((d.ev.day[i] as string) >= g.date).toBe(true);
      if ((d.ev.day[i] as string) < '2026-01-26') firstWeek++;
      else secondWeek++;
    }
    // Adoption grows: the second week after go-live sees far more use than the first.
    expect(firstWeek).toBeGreaterThan(0);
    expect(secondWeek).toBeGreaterThan(1.5 * firstWeek);
  });

  // -------------------------------------------------------------- calibration (gap model, 300 s)

  describe('calibration against the published figures', () => {
    const ftPrimary = (): UserTotals[] =>
      totals.filter((u) => u.group === 'primary' && u.fte === 1);

    it('full-time primary care: 5–6 EHR hours per clinic day (Arndt 2017)', () => {
      const xs = ftPrimary();
      expect(xs.length).toBeGreaterThanOrEqual(4);
      const v = sum(xs, (u) => u.ehrOnClinicDays) / sum(xs, (u) => u.clinicDays);
      console.info(`calibration: full-time primary care EHR hours per clinic day ${v.toFixed(2)}`);
      expect(v).toBeGreaterThanOrEqual(5);
      expect(v).toBeLessThanOrEqual(6);
    });

    it('full-time primary care: 1–1.5 h per clinic day outside clinic sessions (Arndt 2017)', () => {
      const xs = ftPrimary();
      const v = sum(xs, (u) => u.outsideOnClinicDays) / sum(xs, (u) => u.clinicDays);
      console.info(
        `calibration: full-time primary care hours outside sessions per clinic day ${v.toFixed(2)}`,
      );
      expect(v).toBeGreaterThanOrEqual(1);
      expect(v).toBeLessThanOrEqual(1.5);
    });

    it('primary care: inbox 20–25% of EHR time (Arndt 2017)', () => {
      const xs = totals.filter((u) => u.group === 'primary');
      const v = sum(xs, (u) => u.byCat.inbox) / sum(xs, (u) => u.ehr);
      console.info(`calibration: primary care inbox share ${v.toFixed(3)}`);
      expect(v).toBeGreaterThanOrEqual(0.2);
      expect(v).toBeLessThanOrEqual(0.25);
    });

    it('EHR-Time8: primary care median 5–7, surgical specialties far lower (Melnick 2021, Sinsky 2024)', () => {
      const t8 = (g: string): number =>
        median(
          totals
            .filter((u) => u.group === g && u.scheduled > 0)
            .map((u) => (u.ehr * 8) / u.scheduled),
        );
      const primary = t8('primary');
      const medical = t8('medical');
      const surgical = t8('surgical');
      console.info(
        `calibration: EHR-Time8 median primary ${primary.toFixed(2)}, medical ${medical.toFixed(2)}, surgical ${surgical.toFixed(2)}`,
      );
      expect(primary).toBeGreaterThanOrEqual(5);
      expect(primary).toBeLessThanOrEqual(7);
      expect(surgical).toBeLessThan(0.7 * primary);
      expect(surgical).toBeGreaterThan(1.5);
      expect(medical).toBeGreaterThan(surgical);
    });

    it('about 16 minutes of EHR time per appointment across the organisation (Overhage 2020)', () => {
      const v = (sum(totals, (u) => u.ehr) * 60) / sum(totals, (u) => u.appointments);
      console.info(`calibration: EHR minutes per appointment ${v.toFixed(1)}`);
      expect(v).toBeGreaterThanOrEqual(13);
      expect(v).toBeLessThanOrEqual(19);
    });

    it('credits every category', () => {
      const all = CATEGORIES.map((k) => sum(totals, (u) => u.byCat[k]));
      for (const h of all) expect(h).toBeGreaterThan(0);
      expect(all.reduce((a, b) => a + b, 0)).toBeCloseTo(
        sum(totals, (u) => u.ehr),
        6,
      );
    });
  });
});

describe('generate: determinism', () => {
  it('gives byte-identical files for the same seed and different events for another seed', async () => {
    const opts = { clinicians: 7, days: 9, start: '2026-02-26' };
    const [a, b, c] = await Promise.all([
      tempDir().then((outDir) => generate({ ...opts, outDir, seed: 42 })),
      tempDir().then((outDir) => generate({ ...opts, outDir, seed: 42 })),
      tempDir().then((outDir) => generate({ ...opts, outDir, seed: 43 })),
    ]);
    for (const f of ['events', 'clinicians', 'schedule', 'orders'] as const) {
      expect(await sha256(b.files[f])).toBe(await sha256(a.files[f]));
    }
    for (const f of ['patient_events', 'patient_accounts', 'messages', 'releases'] as const) {
      expect(await sha256(b.patient!.files[f])).toBe(await sha256(a.patient!.files[f]));
    }
    expect(b.counts).toEqual(a.counts);
    expect(b.patient!.counts).toEqual(a.patient!.counts);
    expect(await sha256(c.files.events)).not.toBe(await sha256(a.files.events));
    expect(await sha256(c.files.schedule)).not.toBe(await sha256(a.files.schedule));
  });

  it('rejects invalid options with a message naming the option', async () => {
    const outDir = join(tmpdir(), 'uptake-synth-never-written');
    await expect(generate({ outDir, clinicians: 0 })).rejects.toThrow(/clinicians/);
    await expect(generate({ outDir, days: 1.5 })).rejects.toThrow(/days/);
    await expect(generate({ outDir, start: '2026-02-30' })).rejects.toThrow(/start/);
    await expect(generate({ outDir, timezone: 'Mars/Olympus' })).rejects.toThrow(/timezone/);
  });
});

describe('generate: time zones and DST', () => {
  it('writes -05:00 before and -04:00 after the 2026-03-08 spring-forward in New York', async () => {
    const r = await generate({
      outDir: await tempDir(),
      clinicians: 12,
      days: 14,
      start: '2026-03-02',
    });
    const d = await load(r);
    let onDstDay = 0;
    const wrong: string[] = [];
    for (const l of d.ev.raw) {
      const ts = l.split(',')[1] as string;
      const day = ts.slice(0, 10);
      const hour = Number(ts.slice(11, 13));
      const expected =
        day < '2026-03-08' || (day === '2026-03-08' && hour < 2) ? '-05:00' : '-04:00';
      if (ts.slice(19) !== expected) wrong.push(ts);
      if (day === '2026-03-08') onDstDay++;
    }
    expect(wrong.slice(0, 1)).toEqual([]);
    expect(onDstDay).toBeGreaterThan(0);
    for (const s of d.schedule) {
      for (const ts of [s.start as string, s.end as string]) {
        expect(ts.slice(19)).toBe(ts.slice(0, 10) < '2026-03-08' ? '-05:00' : '-04:00');
      }
    }
    // The morning session on the Monday after the change starts at the same wall-clock time,
    // one hour earlier in UTC.
    let pairs = 0;
    for (const after of d.schedule.filter(
      (s) => s.kind === 'session' && s.start?.startsWith('2026-03-09'),
    )) {
      const before = d.schedule.find(
        (s) =>
          s.kind === 'session' &&
          s.user_id === after.user_id &&
          s.start === `2026-03-02${(after.start as string).slice(10, 19)}-05:00`,
      );
      if (!before) continue;
      pairs++;
      expect(Date.parse(before.start as string) + 7 * 86_400_000 - 3_600_000).toBe(
        Date.parse(after.start as string),
      );
    }
    expect(pairs).toBeGreaterThan(3);
  });

  it('writes, in any zone, a wall clock and offset that name the same instant', () => {
    const formats = new Map<string, Intl.DateTimeFormat>();
    const wall = (ms: number, tz: string): string => {
      let f = formats.get(tz);
      if (!f) {
        f = new Intl.DateTimeFormat('en-US', {
          timeZone: tz,
          hourCycle: 'h23',
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
        });
        formats.set(tz, f);
      }
      const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
      return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
    };
    const zones = [
      'America/New_York',
      'Europe/London',
      'Australia/Lord_Howe',
      'America/Santiago',
      'Asia/Kolkata',
      'UTC',
    ];
    let transitions = 0;
    for (const tz of zones) {
      for (let i = 0; i < 365; i++) {
        const date = new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10);
        const clock = dayClock(tz, date);
        if (clock.switchAt === Infinity && i % 60 !== 0) continue;
        if (clock.switchAt !== Infinity) transitions++;
        for (let s = 0; s < 86400; s += 600) {
          const iso = localIso(clock, s);
          expect(iso).toMatch(INSTANT_WITH_OFFSET);
          const ms = Date.parse(iso);
          expect(ms).toBe(localInstant(clock, s));
          expect(wall(ms, tz)).toBe(iso.slice(0, 19));
          const off = offsetMinutesAt(tz, ms);
          const sign = off < 0 ? '-' : '+';
          const abs = Math.abs(off);
          expect(iso.slice(19)).toBe(
            `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`,
          );
        }
      }
    }
    // New York, London, Lord Howe and Santiago each change twice a year (Santiago's changes at
    // local midnight show on both neighbouring days).
    expect(transitions).toBeGreaterThanOrEqual(8);
  });

  it('moves a time inside the spring-forward gap forward and takes the earlier of a repeated hour', () => {
    const spring = dayClock('America/New_York', '2026-03-08');
    expect(localIso(spring, 2 * 3600 + 30 * 60)).toBe('2026-03-08T03:30:00-04:00');
    expect(localIso(spring, 1 * 3600 + 59 * 60)).toBe('2026-03-08T01:59:00-05:00');
    const fall = dayClock('America/New_York', '2026-11-01');
    expect(localIso(fall, 1 * 3600 + 30 * 60)).toBe('2026-11-01T01:30:00-04:00');
    expect(localIso(fall, 2 * 3600 + 30 * 60)).toBe('2026-11-01T02:30:00-05:00');
  });
});

describe('building blocks', () => {
  it('goLiveDate is the Monday on or before the middle of the range', () => {
    expect(goLiveDate('2026-01-05', 84)).toEqual({ date: '2026-02-16', dayIndex: 42 });
    expect(goLiveDate('2026-01-07', 30)).toEqual({ date: '2026-01-19', dayIndex: 12 });
    expect(goLiveDate('2026-01-05', 5)).toEqual({ date: '2026-01-07', dayIndex: 2 });
  });

  it('stratified multipliers have mean 1 and a lognormal spread', () => {
    const xs = stratifiedLognormal(40, 0.2, new Rng(7));
    expect(xs.reduce((a, b) => a + b, 0) / 40).toBeCloseTo(1, 12);
    expect(Math.max(...xs) / Math.min(...xs)).toBeGreaterThan(1.8);
  });

  it('the PRNG is reproducible and uniform enough', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    let mean = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = a.next();
      expect(x).toBe(b.next());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      mean += x / 10_000;
    }
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
  });
});
