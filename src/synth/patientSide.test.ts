/**
 * Calibration of the patient side (issue #15; `README.md`, "The patient side"), measured from the
 * generated files with the definitions of engagement.md §2: one test per target, plus the joins
 * that make the files usable after import and the columns of the canonical CSV.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS, INSTANT_WITH_OFFSET, type PatientTable } from '../model/canonical.ts';
import { PATIENT_ACTIONS } from '../model/patientSide.ts';
import { generate, type GenerateResult } from './generate.ts';
import { PATIENT_COLUMNS } from './patientSide.ts';

type Row = Record<string, string>;

async function readCsv(path: string): Promise<{ header: string[]; rows: Row[] }> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  expect(lines.pop()).toBe('');
  const header = (lines.shift() as string).split(',');
  const rows = lines.map((l) => {
    const f = l.split(',');
    expect(f.length).toBe(header.length);
    return Object.fromEntries(header.map((h, i) => [h, f[i] as string]));
  });
  return { header, rows };
}

/** Local wall-clock seconds of an instant as written (the local time before its offset). */
function wall(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(iso)!;
  return (
    Date.UTC(
      Number(m[1]),
      Number(m[2]) - 1,
      Number(m[3]),
      Number(m[4]),
      Number(m[5]),
      Number(m[6]),
    ) / 1000
  );
}

/** Business hours (Monday–Friday 08:00–17:00 local, engagement.md §2) between two wall times. */
function businessHours(a: number, b: number): number {
  let s = 0;
  for (let day = Math.floor(a / 86400); day * 86400 < b; day++) {
    const wd = new Date(day * 86_400_000).getUTCDay();
    if (wd === 0 || wd === 6) continue;
    const lo = Math.max(a, day * 86400 + 8 * 3600);
    const hi = Math.min(b, day * 86400 + 17 * 3600);
    if (hi > lo) s += hi - lo;
  }
  return s / 3600;
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = (s.length - 1) / 2;
  return ((s[Math.floor(m)] as number) + (s[Math.ceil(m)] as number)) / 2;
}

let dir: string;
let gen: GenerateResult;
let tables: Record<PatientTable, Row[]>;
let headers: Record<PatientTable, string[]>;
let visits: Row[];
let roster: Row[];
/** Patients seen (fulfilled visits) per clinician, and overall. */
let seenBy: Map<string, Set<string>>;
let seen: Set<string>;
let end: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'uptake-patient-side-'));
  gen = await generate({ outDir: dir, clinicians: 20, days: 28, seed: 1 });
  const t = {} as Record<PatientTable, Row[]>;
  const h = {} as Record<PatientTable, string[]>;
  for (const table of Object.keys(PATIENT_COLUMNS) as PatientTable[]) {
    const r = await readCsv(gen.patient!.files[table]);
    t[table] = r.rows;
    h[table] = r.header;
  }
  tables = t;
  headers = h;
  visits = (await readCsv(gen.files.schedule)).rows.filter(
    (r) => r.kind === 'appointment' && r.status === 'fulfilled',
  );
  roster = (await readCsv(gen.files.clinicians)).rows;
  seenBy = new Map();
  seen = new Set();
  for (const v of visits) {
    const s = seenBy.get(v.user_id!) ?? new Set<string>();
    s.add(v.patient_id!);
    seenBy.set(v.user_id!, s);
    seen.add(v.patient_id!);
  }
  end = wall(`${gen.to}T00:00:00`);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the patient side of a 20-clinician, 4-week system', () => {
  it('writes the four canonical files with their columns and counts', () => {
    for (const table of Object.keys(PATIENT_COLUMNS) as PatientTable[]) {
      expect(headers[table]).toEqual([
        ...CSV_COLUMNS[table].required,
        ...CSV_COLUMNS[table].optional,
      ]);
      expect(gen.patient!.counts[table]).toBe(tables[table].length);
      expect(tables[table].length).toBeGreaterThan(100);
    }
    for (const e of tables.patient_events) {
      expect(e.occurred_at).toMatch(INSTANT_WITH_OFFSET);
      expect(PATIENT_ACTIONS).toContain(e.action);
      expect(wall(e.occurred_at!)).toBeLessThan(end);
    }
    for (const m of tables.messages) expect(wall(m.sent_at!)).toBeLessThan(end);
  });

  it('joins: releases to appointments, patients to the schedule, views to releases, replies to messages', () => {
    const appts = new Set(visits.map((v) => v.appointment_id));
    for (const r of tables.releases) expect(appts.has(r.encounter_id)).toBe(true);
    const inSchedule = (p: string) => expect(seen.has(p), p).toBe(true);
    for (const t of ['patient_events', 'messages', 'releases'] as const)
      for (const r of tables[t]) inSchedule(r.patient_id!);
    const released = new Set(tables.releases.map((r) => r.resource_id));
    const views = tables.patient_events.filter((e) => /^(view_|download|transmit)/.test(e.action!));
    for (const e of views) expect(released.has(e.resource_id)).toBe(true);
    const ids = new Set(tables.messages.map((m) => m.message_id));
    for (const m of tables.messages) if (m.in_reply_to) expect(ids.has(m.in_reply_to)).toBe(true);
    const users = new Set(roster.map((c) => c.user_id));
    for (const m of tables.messages) expect(users.has(m.clinician_id)).toBe(true);
  });

  it('activation: 30–60% of patients seen have an active account, varying by department', () => {
    const active = new Set(
      tables.patient_accounts
        .filter((a) => !a.deactivated_at || wall(a.deactivated_at) >= wall(`${gen.from}T00:00:00`))
        .map((a) => a.patient_id),
    );
    const share = [...seen].filter((p) => active.has(p)).length / seen.size;
    const dept = new Map<string, [number, number]>();
    for (const c of roster) {
      const s = seenBy.get(c.user_id!);
      if (!s) continue;
      const d = dept.get(c.department!) ?? [0, 0];
      d[0] += [...s].filter((p) => active.has(p)).length;
      d[1] += s.size;
      dept.set(c.department!, d);
    }
    const shares = [...dept.values()].map(([a, n]) => a / n);
    console.log(
      `activation ${share.toFixed(3)}; by department ${shares.map((s) => s.toFixed(2)).join(' ')}`,
    );
    expect(share).toBeGreaterThan(0.3);
    expect(share).toBeLessThan(0.6);
    expect(Math.max(...shares) - Math.min(...shares)).toBeGreaterThan(0.1);
    expect(tables.patient_accounts.some((a) => a.deactivated_at)).toBe(true);
  });

  it('use: 5–15% of patients seen view, download or transmit; regular use far lower than activation', () => {
    const vdt = new Set<string>();
    const days = new Map<string, Set<string>>();
    for (const e of tables.patient_events) {
      if (/^(view_|download|transmit)/.test(e.action!)) vdt.add(e.patient_id!);
      const s = days.get(e.patient_id!) ?? new Set<string>();
      s.add(e.occurred_at!.slice(0, 10));
      days.set(e.patient_id!, s);
    }
    const vdtShare = [...seen].filter((p) => vdt.has(p)).length / seen.size;
    const activeShare = [...seen].filter((p) => days.has(p)).length / seen.size;
    const regular = [...seen].filter((p) => (days.get(p)?.size ?? 0) >= 2).length / seen.size;
    console.log(
      `vdt ${vdtShare.toFixed(3)}, active ${activeShare.toFixed(3)}, regular ${regular.toFixed(3)}`,
    );
    expect(vdtShare).toBeGreaterThan(0.05);
    expect(vdtShare).toBeLessThan(0.15);
    expect(regular).toBeLessThan(activeShare);
    expect(regular).toBeLessThan(0.15);
    const actions = new Set(tables.patient_events.map((e) => e.action));
    for (const a of [
      'login',
      'view_result',
      'view_note',
      'download',
      'message_sent',
      'message_read',
    ])
      expect(actions.has(a), a).toBe(true);
    const proxies = tables.patient_events.filter((e) => e.actor === 'proxy').length;
    expect(proxies).toBeGreaterThan(0);
    expect(proxies / tables.patient_events.length).toBeLessThan(0.35);
  });

  /** Each patient message with the business hours to its answer (engagement.md §2), or null. */
  function answers(): { m: Row; bh: number | null }[] {
    const byId = new Map(tables.messages.map((m) => [m.message_id!, m]));
    const replies = new Map<string, number>();
    const toPatient = tables.messages.filter((m) => m.direction === 'to_patient');
    for (const r of toPatient)
      if (r.in_reply_to && byId.has(r.in_reply_to)) {
        const w = wall(r.sent_at!);
        const old = replies.get(r.in_reply_to);
        if (old === undefined || w < old) replies.set(r.in_reply_to, w);
      }
    return tables.messages
      .filter((m) => m.direction === 'to_clinician' && wall(m.sent_at!) < end - 7 * 86400)
      .map((m) => {
        const t = wall(m.sent_at!);
        let at = replies.get(m.message_id!);
        if (at === undefined) {
          // The fallback: the clinician's next message to that patient within 7 days.
          const next = toPatient
            .filter(
              (r) =>
                r.patient_id === m.patient_id &&
                r.clinician_id === m.clinician_id &&
                wall(r.sent_at!) >= t &&
                wall(r.sent_at!) < t + 7 * 86400,
            )
            .map((r) => wall(r.sent_at!));
          at = next.length ? Math.min(...next) : undefined;
        }
        return { m, bh: at === undefined ? null : businessHours(t, at) };
      });
  }

  it('messages: both directions, some unanswered, most replies name the message, some do not', () => {
    const a = answers();
    const unanswered = a.filter((x) => x.bh === null).length / a.length;
    const replies = tables.messages.filter((m) => m.direction === 'to_patient');
    const named = replies.filter((m) => m.in_reply_to).length / replies.length;
    console.log(
      `${a.length} patient messages, unanswered ${unanswered.toFixed(3)}, replies naming the message ${named.toFixed(2)}`,
    );
    expect(unanswered).toBeGreaterThan(0.02);
    expect(unanswered).toBeLessThan(0.2);
    expect(named).toBeGreaterThan(0.3);
    expect(named).toBeLessThan(0.95);
  });

  it('reply delays differ by physician, and patients of fast answerers message more (Wolcott 2017)', () => {
    const by = new Map<string, number[]>();
    for (const { m, bh } of answers())
      if (bh !== null) by.set(m.clinician_id!, [...(by.get(m.clinician_id!) ?? []), bh]);
    const med = [...by.entries()]
      .filter(([, xs]) => xs.length >= 5)
      .map(([u, xs]) => ({ u, med: median(xs) }))
      .sort((x, y) => x.med - y.med);
    const q = Math.max(1, Math.floor(med.length / 4));
    const fast = med.slice(0, q);
    const slow = med.slice(-q);
    // Patient messages per patient seen, for the fastest and the slowest quarter.
    const rate = (group: { u: string }[]) => {
      const us = new Set(group.map((g) => g.u));
      const n = tables.messages.filter(
        (m) => m.direction === 'to_clinician' && us.has(m.clinician_id!),
      ).length;
      const patients = group.reduce((s, g) => s + (seenBy.get(g.u)?.size ?? 0), 0);
      return n / patients;
    };
    const ratio = rate(fast) / rate(slow);
    console.log(
      `median reply business hours by clinician ${med.map((m) => m.med.toFixed(1)).join(' ')}; fast/slow message rate ${ratio.toFixed(2)}`,
    );
    expect(med.length).toBeGreaterThanOrEqual(12);
    // Some answer within a business day (9 business hours), others take days.
    expect(med[0]!.med).toBeLessThan(4);
    expect(med.at(-1)!.med).toBeGreaterThan(18);
    expect(Math.max(...fast.map((m) => m.med))).toBeLessThan(9);
    expect(Math.max(...fast.map((m) => m.med))).toBeLessThan(Math.min(...slow.map((m) => m.med)));
    expect(ratio).toBeGreaterThan(2.5);
  });

  it('about 8.5% of messages to patients are not opened within 12 hours (Mayo)', () => {
    const read = new Map<string, number>();
    for (const e of tables.patient_events)
      if (e.action === 'message_read') {
        const w = wall(e.occurred_at!);
        const old = read.get(e.resource_id!);
        if (old === undefined || w < old) read.set(e.resource_id!, w);
      }
    const sent = tables.messages.filter(
      (m) => m.direction === 'to_patient' && wall(m.sent_at!) < end - 12 * 3600,
    );
    const late = sent.filter((m) => {
      const r = read.get(m.message_id!);
      return r === undefined || r - wall(m.sent_at!) > 12 * 3600;
    }).length;
    const share = late / sent.length;
    console.log(`${sent.length} messages to patients, unopened within 12 h ${share.toFixed(3)}`);
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.12);
  });

  it('releases: notes mostly within 4 business days, some late; result views with delays, some never', () => {
    const visitDate = new Map(visits.map((v) => [v.appointment_id!, v.start!.slice(0, 10)]));
    const notes = tables.releases.filter((r) => r.kind === 'note');
    // Late: after 24:00 of the 4th business day after the visit's local date.
    const late = notes.filter((r) => {
      let day = wall(`${visitDate.get(r.encounter_id!)}T00:00:00`) / 86400;
      for (let n = 0; n < 4;) {
        day++;
        const wd = new Date(day * 86_400_000).getUTCDay();
        if (wd !== 0 && wd !== 6) n++;
      }
      return wall(r.available_at!) >= (day + 1) * 86400;
    }).length;
    const lateShare = late / notes.length;
    const results = tables.releases.filter(
      (r) => r.kind === 'result' && wall(r.available_at!) < end - 14 * 86400,
    );
    const firstView = new Map<string, number>();
    for (const e of tables.patient_events)
      if (e.action === 'view_result') {
        const w = wall(e.occurred_at!);
        firstView.set(e.resource_id!, Math.min(w, firstView.get(e.resource_id!) ?? Infinity));
      }
    const hours = results
      .filter((r) => firstView.has(r.resource_id!))
      .map((r) => (firstView.get(r.resource_id!)! - wall(r.available_at!)) / 3600);
    const viewed = hours.length / results.length;
    console.log(
      `notes late ${lateShare.toFixed(3)}; results viewed ${viewed.toFixed(3)}, median ${median(hours).toFixed(1)} h`,
    );
    expect(lateShare).toBeGreaterThan(0.01);
    expect(lateShare).toBeLessThan(0.2);
    expect(viewed).toBeGreaterThan(0.05);
    expect(viewed).toBeLessThan(0.5);
    for (const h of hours) expect(h).toBeGreaterThanOrEqual(0);
    expect(hours.some((h) => h > 7 * 24)).toBe(true);
  });
});

describe('the patient side over 10 weeks', () => {
  it('has result views more than 30 days after release (the tail beyond the 30-day window)', async () => {
    const out = await mkdtemp(join(tmpdir(), 'uptake-patient-side-long-'));
    try {
      const g = await generate({ outDir: out, clinicians: 8, days: 70, seed: 2 });
      const released = new Map(
        (await readCsv(g.patient!.files.releases)).rows.map((r) => [
          r.resource_id!,
          wall(r.available_at!),
        ]),
      );
      const late = (await readCsv(g.patient!.files.patient_events)).rows.filter(
        (e) =>
          e.action === 'view_result' &&
          wall(e.occurred_at!) - released.get(e.resource_id!)! > 30 * 86400,
      );
      expect(late.length).toBeGreaterThan(0);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
