import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitCsvLine } from '../../ingest/csvHeader.ts';
import { CATEGORIES, INSTANT_WITH_OFFSET } from '../../model/canonical.ts';
import { ACTION_MAP } from '../actions.ts';
import { generate, type GenerateResult } from '../generate.ts';
import {
  EPIC_METRICS,
  FHIR_ACTIONS,
  epicActionMapCsv,
  epicActionOf,
  fhirActionMapCsv,
  fhirActionOf,
} from './actionMaps.ts';
import { EPIC_COLUMNS, EPIC_EPOCH_OFFSET } from './epic.ts';
import { FHIR_FILES } from './fhir.ts';
import {
  CHANNEL_EXT,
  USER_SYSTEM,
  appointment,
  auditEvent,
  orderProvenance,
  orderRequest,
  practitioner,
  practitionerRole,
  schedule as scheduleResource,
  slot,
} from './fhirResources.ts';
import type {
  Appointment,
  AuditEvent,
  MedicationRequest,
  PractitionerRole,
  Provenance,
  ServiceRequest,
  Slot,
} from 'fhir/r4.js';
import { EPIC_FILES, canonicalForm, writeForm, type FormFiles } from './writeForms.ts';

// ------------------------------------------------------------------ helpers

type Row = Record<string, string>;

async function readCsv(path: string): Promise<{ header: string[]; rows: Row[] }> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  expect(lines.pop()).toBe(''); // ends with a newline
  const header = splitCsvLine(lines.shift() as string);
  const rows = lines.map((l) => {
    const f = splitCsvLine(l);
    expect(f.length).toBe(header.length);
    const r: Row = {};
    header.forEach((h, i) => (r[h] = f[i] as string));
    return r;
  });
  return { header, rows };
}

async function readNdjson<T>(path: string): Promise<{ lines: string[]; resources: T[] }> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  expect(lines.pop()).toBe('');
  return { lines, resources: lines.map((l) => JSON.parse(l) as T) };
}

/** The line as the resource's canonical JSON (key order kept, numbers normalised). */
function normal(line: string): string {
  return JSON.stringify(JSON.parse(line));
}

async function hashDir(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).sort()) {
    out[f] = createHash('sha256')
      .update(await readFile(join(dir, f)))
      .digest('hex');
  }
  return out;
}

/** Local wall-clock time `YYYY-MM-DD HH:MM:SS` of an instant in a time zone, by Intl. */
function localTimeFormatter(timeZone: string): (ms: number) => string {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  return (ms) => {
    const p: Record<string, string> = {};
    for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value;
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
  };
}

/**
 * Collects failed checks (a row-by-row `expect` over 50,000 rows is slow): `eq(a, b, where)` notes
 * a mismatch, `done()` asserts there was none and shows the first few.
 */
function checker(): { eq: (a: unknown, b: unknown, where: string) => void; done: () => void } {
  const bad: string[] = [];
  return {
    eq(a, b, where) {
      if (a !== b && bad.length < 5) bad.push(`${where}: ${String(a)} !== ${String(b)}`);
    },
    done() {
      expect(bad).toEqual([]);
    },
  };
}

function actionMapOf(rows: Row[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of rows) {
    expect(m.has(r.action as string)).toBe(false);
    m.set(r.action as string, r.category as string);
  }
  return m;
}

// ------------------------------------------------------------------ the small system

const TZ = 'America/New_York';
let root: string;
let gen: GenerateResult;
let epic: FormFiles;
let fhir: FormFiles;
let events: Row[];
let clinicians: Row[];
let schedule: Row[];
let orders: Row[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'uptake-forms-test-'));
  // 4 clinicians × 14 days from Monday 2026-03-02: the US spring-forward (Sunday 2026-03-08) inside.
  gen = await generate({
    outDir: join(root, 'csv'),
    clinicians: 4,
    days: 14,
    start: '2026-03-02',
    timezone: TZ,
  });
  epic = await writeForm(gen, 'epic-access-log', join(root, 'epic'));
  fhir = await writeForm(gen, 'fhir', join(root, 'fhir'));
  events = (await readCsv(gen.files.events)).rows;
  clinicians = (await readCsv(gen.files.clinicians)).rows;
  schedule = (await readCsv(gen.files.schedule)).rows;
  orders = (await readCsv(gen.files.orders)).rows;
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

// ------------------------------------------------------------------ action maps

describe('action maps', () => {
  it('give every generator action its own category, with unique ids, names and codes', () => {
    expect([...EPIC_METRICS.keys()].sort()).toEqual([...ACTION_MAP.keys()].sort());
    expect([...FHIR_ACTIONS.keys()].sort()).toEqual([...ACTION_MAP.keys()].sort());
    for (const [a, cat] of ACTION_MAP) {
      expect(EPIC_METRICS.get(a)?.category, a).toBe(cat);
      expect(FHIR_ACTIONS.get(a)?.category, a).toBe(cat);
    }
    const ids = [...EPIC_METRICS.values()].map((m) => m.id);
    const names = [...EPIC_METRICS.values()].map((m) => m.name);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(names).size).toBe(names.length);
    const codes = [...ACTION_MAP.keys()].map(fhirActionOf);
    expect(new Set(codes).size).toBe(codes.length);
    expect(epicActionOf('note_sign')).toBe('34007');
    expect(fhirActionOf('note_sign')).toBe('note_sign:U');
    expect(() => epicActionOf('no_such_action')).toThrow(/no_such_action/);
  });

  it('name the spec’s Epic metrics with the spec’s categories', () => {
    const byName = new Map([...EPIC_METRICS.values()].map((m) => [m.name, m.category]));
    expect(byName.get('In Basket message viewed')).toBe('inbox');
    expect(byName.get('Order list changed')).toBe('orders');
    expect(byName.get('Clinical Note Signed')).toBe('notes');
    expect(byName.get('Pend clinical note')).toBe('notes');
    expect(byName.get('Save clinical note')).toBe('notes');
    expect(byName.get('Results Review accessed')).toBe('chart_review');
    expect(byName.get('Chart Review Notes tab selected')).toBe('chart_review');
  });

  it('are written next to the files, in the action-map CSV format', async () => {
    expect(epic.actionMap).toBe(join(root, 'epic', EPIC_FILES.actionMap));
    expect(await readFile(epic.actionMap as string, 'utf8')).toBe(epicActionMapCsv());
    expect(await readFile(fhir.actionMap as string, 'utf8')).toBe(fhirActionMapCsv());
    const e = await readCsv(epic.actionMap as string);
    expect(e.header).toEqual(['action', 'category', 'name']);
    const f = await readCsv(fhir.actionMap as string);
    expect(f.header).toEqual(['action', 'category']);
    for (const r of [...e.rows, ...f.rows]) {
      expect(CATEGORIES).toContain(r.category);
    }
    expect(e.rows).toHaveLength(ACTION_MAP.size);
    expect(f.rows).toHaveLength(ACTION_MAP.size);
  });
});

// ------------------------------------------------------------------ Epic

describe('epic-access-log form', () => {
  let log: { header: string[]; rows: Row[] };
  beforeAll(async () => {
    log = await readCsv(epic.events[0] as string);
  });

  it('lists its files, with the source time zone', () => {
    expect(epic.format).toBe('epic-access-log');
    expect(epic.sourceTz).toBe(TZ);
    expect(epic.events).toEqual([join(root, 'epic', EPIC_FILES.accessLog)]);
    expect(canonicalForm(gen)).toEqual({
      format: 'csv',
      events: [gen.files.events],
      clinicians: [gen.files.clinicians],
      schedule: [gen.files.schedule],
      orders: [gen.files.orders],
      patient: {
        patient_accounts: [gen.patient!.files.patient_accounts],
        releases: [gen.patient!.files.releases],
        messages: [gen.patient!.files.messages],
        patient_events: [gen.patient!.files.patient_events],
      },
    });
    // Clarity's access log has no portal activity: the patient side as canonical CSV copies.
    for (const files of Object.values(epic.patient!))
      for (const f of files) expect(f.startsWith(join(root, 'epic'))).toBe(true);
  });

  it('has the Clarity columns and one row per canonical event, in canonical order', () => {
    expect(log.header).toEqual([...EPIC_COLUMNS]);
    expect(log.rows).toHaveLength(gen.counts.events);
    expect(events).toHaveLength(gen.counts.events);
    const c = checker();
    log.rows.forEach((r, i) => {
      const e = events[i] as Row;
      c.eq(r.USER_ID, e.user_id, `row ${i} user`);
      c.eq(r.PAT_ID, e.patient_id, `row ${i} patient`);
      c.eq(r.CSN, e.encounter_id, `row ${i} encounter`);
      const m = EPIC_METRICS.get(e.action as string);
      c.eq(r.METRIC_ID, String(m?.id), `row ${i} metric id`);
      c.eq(r.METRIC_NAME, m?.name, `row ${i} metric name`);
    });
    c.done();
  });

  it('gives back every category through its action map', async () => {
    const map = actionMapOf((await readCsv(epic.actionMap as string)).rows);
    const c = checker();
    log.rows.forEach((r, i) => {
      c.eq(map.get(r.METRIC_ID as string), (events[i] as Row).category, `row ${i}`);
    });
    c.done();
  });

  it('writes ACCESS_INSTANT as UTC seconds since 1840-12-31 and ACCESS_TIME as New York wall-clock time, across the DST change', () => {
    const local = localTimeFormatter(TZ);
    const offsets = new Set<string>();
    let before = 0;
    let after = 0;
    const c = checker();
    log.rows.forEach((r, i) => {
      const e = events[i] as Row;
      const t = r.ACCESS_TIME as string;
      const ms = Date.parse(e.occurred_at as string);
      c.eq(/^\d+$/.test(r.ACCESS_INSTANT as string), true, `row ${i} instant`);
      c.eq(Number(r.ACCESS_INSTANT), Math.floor(ms / 1000) + EPIC_EPOCH_OFFSET, `row ${i} instant`);
      c.eq(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(t), true, `row ${i} time ${t}`);
      c.eq(t, local(ms), `row ${i} local time`);
      // the spring-forward hour does not exist in New York
      c.eq(t >= '2026-03-08 02:00:00' && t < '2026-03-08 03:00:00', false, `row ${i} in the gap`);
      offsets.add((e.occurred_at as string).slice(-6));
      if (t < '2026-03-08 02:00:00') before++;
      else after++;
    });
    c.done();
    expect([...offsets].sort()).toEqual(['-04:00', '-05:00']);
    expect(before).toBeGreaterThan(1000);
    expect(after).toBeGreaterThan(1000);
    // the Epic epoch itself
    expect(Date.UTC(1840, 11, 31) / 1000).toBe(-EPIC_EPOCH_OFFSET);
  });

  it('writes local times in other zones too (Lord Howe’s 30-minute DST change, Kolkata)', async () => {
    for (const [timezone, start] of [
      ['Australia/Lord_Howe', '2026-04-03'],
      ['Asia/Kolkata', '2026-03-02'],
    ] as const) {
      const g = await generate({
        outDir: join(root, `tz-${timezone.replace('/', '-')}`),
        clinicians: 2,
        days: 4,
        start,
        timezone,
      });
      const f = await writeForm(
        g,
        'epic-access-log',
        join(root, `tz-epic-${timezone.replace('/', '-')}`),
      );
      expect(f.sourceTz).toBe(timezone);
      const ev = (await readCsv(g.files.events)).rows;
      const rows = (await readCsv(f.events[0] as string)).rows;
      expect(rows).toHaveLength(g.counts.events);
      const local = localTimeFormatter(timezone);
      const c = checker();
      rows.forEach((r, i) => {
        const ms = Date.parse((ev[i] as Row).occurred_at as string);
        c.eq(
          Number(r.ACCESS_INSTANT),
          Math.floor(ms / 1000) + EPIC_EPOCH_OFFSET,
          `${timezone} ${i}`,
        );
        c.eq(r.ACCESS_TIME, local(ms), `${timezone} ${i}`);
      });
      c.done();
      if (timezone === 'Australia/Lord_Howe') {
        const offsets = new Set(ev.map((e) => (e.occurred_at as string).slice(-6)));
        expect([...offsets].sort()).toEqual(['+10:30', '+11:00']);
      }
    }
  });

  it('keeps channels: HAIKU or CANTO for every mobile event, a desk workstation otherwise', () => {
    const channels = new Set(events.map((e) => e.channel));
    // the generator writes desktop and mobile only: both round-trip through WORKSTATION_ID
    expect([...channels].sort()).toEqual(['desktop', 'mobile']);
    let mobile = 0;
    const c = checker();
    log.rows.forEach((r, i) => {
      const e = events[i] as Row;
      const app = r.WORKSTATION_ID === 'HAIKU' || r.WORKSTATION_ID === 'CANTO';
      if (e.channel === 'mobile') mobile++;
      c.eq(app, e.channel === 'mobile', `row ${i} channel`);
      c.eq(r.WORKSTATION_ID, e.workstation_id, `row ${i} workstation`);
    });
    c.done();
    expect(mobile).toBeGreaterThan(0);
  });

  it('has one PROCESS_ID per user, local day and workstation, never shared between users', () => {
    const owner = new Map<string, string>();
    const pidOf = new Map<string, string>();
    const c = checker();
    for (const r of log.rows) {
      const pid = r.PROCESS_ID as string;
      c.eq(/^\d+$/.test(pid), true, `PROCESS_ID ${pid}`);
      c.eq(owner.get(pid) ?? r.USER_ID, r.USER_ID, `PROCESS_ID ${pid} owner`);
      owner.set(pid, r.USER_ID as string);
      const key = `${r.USER_ID}|${(r.ACCESS_TIME as string).slice(0, 10)}|${r.WORKSTATION_ID}`;
      c.eq(pidOf.get(key) ?? pid, pid, `PROCESS_ID of ${key}`);
      pidOf.set(key, pid);
    }
    c.done();
  });

  it('copies the roster, schedule and orders as canonical CSV', async () => {
    for (const t of ['clinicians', 'schedule', 'orders'] as const) {
      const files = epic[t];
      expect(files).toHaveLength(1);
      expect(await readFile(files[0] as string, 'utf8')).toBe(await readFile(gen.files[t], 'utf8'));
    }
  });
});

// ------------------------------------------------------------------ FHIR

describe('fhir form', () => {
  const at = (k: keyof typeof FHIR_FILES): string => join(root, 'fhir', FHIR_FILES[k]);

  it('lists the Bulk Data NDJSON files by canonical table', () => {
    expect(fhir.format).toBe('fhir');
    expect(fhir.sourceTz).toBeUndefined();
    expect(fhir.events).toEqual([at('auditEvent')]);
    expect(fhir.clinicians).toEqual([at('practitioner'), at('practitionerRole')]);
    expect(fhir.schedule).toEqual([at('schedule'), at('slot'), at('appointment')]);
    expect(fhir.orders).toEqual([at('medicationRequest'), at('serviceRequest'), at('provenance')]);
  });

  it('writes one AuditEvent per event, equal to the typed builder, with the §3 elements', async () => {
    const { lines, resources } = await readNdjson<AuditEvent>(at('auditEvent'));
    expect(lines).toHaveLength(gen.counts.events);
    const map = actionMapOf((await readCsv(fhir.actionMap as string)).rows);
    const ids = new Set<string>();
    const c = checker();
    resources.forEach((a, i) => {
      const e = events[i] as Row;
      const at = `event ${e.event_id}`;
      c.eq(normal(lines[i] as string), JSON.stringify(auditEvent(e)), at);
      c.eq(a.resourceType, 'AuditEvent', at);
      c.eq(a.id, e.event_id, at);
      ids.add(a.id as string);
      c.eq(a.recorded, e.occurred_at, at);
      c.eq(INSTANT_WITH_OFFSET.test(a.recorded), true, at);
      // R4 requires type and source.observer
      c.eq(/^\d+$/.test(a.type.code as string), true, at);
      c.eq(typeof a.source.observer, 'object', at);
      const agent = a.agent[0];
      c.eq(agent?.requestor, true, at);
      c.eq(agent?.who?.identifier?.system, USER_SYSTEM, at);
      c.eq(agent?.who?.identifier?.value, e.user_id, at);
      c.eq(map.get(`${a.subtype?.[0]?.code}:${a.action}`), e.category, at);
      const refs = (a.entity ?? []).map((x) => x.what?.reference).join(' ');
      const want = [
        ...(e.patient_id ? [`Patient/${e.patient_id}`] : []),
        ...(e.encounter_id ? [`Encounter/${e.encounter_id}`] : []),
      ].join(' ');
      c.eq(refs, want, at);
      const channel = agent?.extension?.find((x) => x.url === CHANNEL_EXT)?.valueCode;
      c.eq(channel ?? 'desktop', e.channel, at);
      c.eq(agent?.network?.address, e.workstation_id, at);
    });
    c.done();
    expect(ids.size).toBe(lines.length);
    expect(resources.some((a) => a.agent[0]?.extension)).toBe(true); // some mobile events
  });

  it('writes the roster as Practitioner and PractitionerRole', async () => {
    const p = await readNdjson<{ id: string; identifier: { value: string }[] }>(at('practitioner'));
    const r = await readNdjson<PractitionerRole>(at('practitionerRole'));
    expect(p.lines).toHaveLength(gen.counts.clinicians);
    expect(r.lines).toHaveLength(gen.counts.clinicians);
    clinicians.forEach((c, i) => {
      expect(normal(p.lines[i] as string)).toBe(JSON.stringify(practitioner(c)));
      expect(normal(r.lines[i] as string)).toBe(JSON.stringify(practitionerRole(c)));
      expect(p.resources[i]?.identifier[0]?.value).toBe(c.user_id);
      const role = r.resources[i] as PractitionerRole;
      expect(role.practitioner?.identifier?.value).toBe(c.user_id);
      expect(role.code?.[0]?.coding?.[0]?.code).toBe(c.role);
      expect(role.specialty?.[0]?.text).toBe(c.specialty);
      expect(role.organization?.display).toBe(c.department);
    });
  });

  it('writes sessions as busy Slots of Schedules and appointments as Appointments', async () => {
    const sch = await readNdjson<{ id: string }>(at('schedule'));
    const sl = await readNdjson<Slot>(at('slot'));
    const ap = await readNdjson<Appointment>(at('appointment'));
    const sessions = schedule.filter((s) => s.kind === 'session');
    const appts = schedule.filter((s) => s.kind === 'appointment');
    expect(sl.lines.length + ap.lines.length).toBe(gen.counts.schedule);
    expect(sl.lines).toHaveLength(sessions.length);
    const users = [...new Set(sessions.map((s) => s.user_id as string))].sort();
    expect(sch.lines).toEqual(users.map((u) => JSON.stringify(scheduleResource(u))));
    const scheduleIds = new Set(sch.resources.map((s) => `Schedule/${s.id}`));
    sessions.forEach((s, i) => {
      expect(normal(sl.lines[i] as string)).toBe(JSON.stringify(slot(s)));
      const x = sl.resources[i] as Slot;
      expect(scheduleIds.has(x.schedule.reference as string)).toBe(true);
      expect([x.status, x.start, x.end]).toEqual(['busy', s.start, s.end]);
    });
    expect(new Set(sl.resources.map((x) => x.id)).size).toBe(sl.lines.length);
    appts.forEach((s, i) => {
      expect(normal(ap.lines[i] as string)).toBe(JSON.stringify(appointment(s)));
      const x = ap.resources[i] as Appointment;
      expect([x.id, x.status, x.start, x.end]).toEqual([
        s.appointment_id,
        s.status,
        s.start,
        s.end,
      ]);
      expect(x.participant[0]?.actor?.identifier?.value).toBe(s.user_id);
      expect(x.participant[1]?.actor?.reference).toBe(`Patient/${s.patient_id}`);
      const code = x.appointmentType?.coding?.[0]?.code;
      expect(code).toBe(
        s.visit_type === 'video' ? 'VIDEOCONF' : s.visit_type === 'phone' ? 'PHONE' : undefined,
      );
    });
    expect(new Set(appts.map((s) => s.visit_type))).toEqual(
      new Set(['in-person', 'video', 'phone']),
    );
  });

  it('writes orders as MedicationRequest / ServiceRequest, with entering users', async () => {
    const mr = await readNdjson<MedicationRequest>(at('medicationRequest'));
    const sr = await readNdjson<ServiceRequest>(at('serviceRequest'));
    const pv = await readNdjson<Provenance>(at('provenance'));
    const meds = orders.filter((o) => o.order_type === 'medication');
    const others = orders.filter((o) => o.order_type !== 'medication');
    expect(mr.lines.length + sr.lines.length).toBe(gen.counts.orders);
    expect(mr.lines).toHaveLength(meds.length);
    meds.forEach((o, i) => {
      expect(normal(mr.lines[i] as string)).toBe(JSON.stringify(orderRequest(o)));
      const x = mr.resources[i] as MedicationRequest;
      expect([x.id, x.authoredOn, x.subject.reference]).toEqual([
        o.order_id,
        o.signed_at,
        `Patient/${o.patient_id}`,
      ]);
      expect(x.requester?.identifier?.value).toBe(o.user_id);
      expect(x.recorder?.identifier?.value).toBe(o.entered_by || undefined);
    });
    others.forEach((o, i) => {
      expect(normal(sr.lines[i] as string)).toBe(JSON.stringify(orderRequest(o)));
      const x = sr.resources[i] as ServiceRequest;
      expect(x.requester?.identifier?.value).toBe(o.user_id);
      expect(x.authoredOn).toBe(o.signed_at);
    });
    const entered = others.filter((o) => o.entered_by);
    expect(entered.length).toBeGreaterThan(0);
    expect(pv.lines).toEqual(entered.map((o) => JSON.stringify(orderProvenance(o))));
    pv.resources.forEach((p, i) => {
      expect(p.target[0]?.reference).toBe(`ServiceRequest/${entered[i]?.order_id}`);
      expect(p.agent[0]?.who.identifier?.value).toBe(entered[i]?.entered_by);
    });
  });
});

// ------------------------------------------------------------------ determinism

describe('determinism', () => {
  it('writes byte-identical files from the same input', async () => {
    for (const format of ['epic-access-log', 'fhir'] as const) {
      const again = join(root, `again-${format}`);
      await writeForm(gen, format, again);
      const first = join(root, format === 'fhir' ? 'fhir' : 'epic');
      expect(await hashDir(again)).toEqual(await hashDir(first));
    }
  });
});

// ------------------------------------------------------------------ edge cases, by hand

describe('hand-made canonical files', () => {
  async function system(dir: string, eventLines: string[]): Promise<GenerateResult> {
    const files = {
      events: join(dir, 'events.csv'),
      clinicians: join(dir, 'clinicians.csv'),
      schedule: join(dir, 'schedule.csv'),
      orders: join(dir, 'orders.csv'),
    };
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    await writeFile(files.events, eventLines.join('\n') + '\n');
    await writeFile(files.clinicians, 'user_id,role\nu1,physician\nu2,np\n');
    await writeFile(files.schedule, 'user_id,kind,start,end\n');
    await writeFile(files.orders, 'order_id,user_id,signed_at\n');
    return {
      files,
      counts: { events: eventLines.length - 1, clinicians: 2, schedule: 0, orders: 0 },
      timezone: TZ,
      from: '2026-03-08',
      to: '2026-11-02',
      goLive: { date: '2026-03-08', tool: 'x', actions: [], departments: [] },
    };
  }

  it('keeps fractional seconds, settles both DST changes, and maps mobile to HAIKU', async () => {
    const g = await system(join(root, 'hand'), [
      'event_id,occurred_at,user_id,action,channel,workstation_id',
      'h1,2026-03-08T01:59:59.250-05:00,u1,login,desktop,ws-1',
      'h2,2026-03-08T03:00:00-04:00,u1,note_open,desktop,ws-1',
      'h3,2026-11-01T01:30:00-04:00,u2,inbox_open,mobile,CANTO',
      'h4,2026-11-01T01:30:00.5-05:00,u2,inbox_open,mobile,',
      'h5,2026-11-01T01:30:00-05:00,u2,inbox_open,mobile,phone-7',
    ]);
    const f = await writeForm(g, 'epic-access-log', join(root, 'hand-epic'));
    const { rows } = await readCsv(f.events[0] as string);
    expect(rows.map((r) => [r.ACCESS_TIME, r.WORKSTATION_ID, r.METRIC_ID])).toEqual([
      ['2026-03-08 01:59:59.250', 'ws-1', epicActionOf('login')],
      ['2026-03-08 03:00:00', 'ws-1', epicActionOf('note_open')],
      ['2026-11-01 01:30:00', 'CANTO', epicActionOf('inbox_open')],
      ['2026-11-01 01:30:00.5', 'HAIKU', epicActionOf('inbox_open')],
      ['2026-11-01 01:30:00', 'HAIKU', epicActionOf('inbox_open')],
    ]);
    const inst = rows.map((r) => Number(r.ACCESS_INSTANT));
    expect(inst[1]! - inst[0]!).toBe(1); // 01:59:59.25 EST → 03:00:00 EDT is 0.75 s later
    expect(inst[3]! - inst[2]!).toBe(3600); // the repeated hour: ACCESS_INSTANT tells them apart
    expect(inst[4]).toBe(inst[3]);
    // a missing optional column (patient_id …) is an empty field
    expect(rows[0]?.PAT_ID).toBe('');
  });

  it('refuses an action without an Epic/FHIR form and a user outside the roster', async () => {
    const bad = await system(join(root, 'bad-action'), [
      'event_id,occurred_at,user_id,action',
      'b1,2026-03-09T09:00:00-04:00,u1,no_such_action',
    ]);
    await expect(writeForm(bad, 'epic-access-log', join(root, 'bad-epic'))).rejects.toThrow(
      /no_such_action/,
    );
    await expect(writeForm(bad, 'fhir', join(root, 'bad-fhir'))).rejects.toThrow(/no_such_action/);
    const stranger = await system(join(root, 'bad-user'), [
      'event_id,occurred_at,user_id,action',
      'b2,2026-03-09T09:00:00-04:00,u9,login',
    ]);
    await expect(
      writeForm(stranger, 'epic-access-log', join(root, 'bad-user-epic')),
    ).rejects.toThrow(/u9/);
  });
});
