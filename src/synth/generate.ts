/**
 * The synthetic health system: a seeded, deterministic generator of the four canonical CSV files
 * (`docs/formats.md`) — events, clinicians, schedule, orders — calibrated to published
 * EHR-use figures (see README.md). Output is streamed: memory stays flat however many events.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import type { PatientTable, TableName } from '../model/canonical.ts';
import { GO_LIVE_ACTIONS, GO_LIVE_TOOL } from './actions.ts';
import { DayGenerator, Output } from './day.ts';
import { PATIENT_COLUMNS, PATIENT_FILES, PatientSide } from './patientSide.ts';
import { Rng, mixSeed } from './prng.ts';
import { DEPARTMENTS, GO_LIVE_DEPARTMENTS, buildRoster, type Clinician } from './roster.ts';
import { addDays, dayClock, isValidTimeZone } from './tz.ts';
import { writeTrainingAndTools, type TrainingFiles } from './training.ts';

export interface GenerateOptions {
  /** Directory to write into (created if missing). */
  outDir: string;
  /** Number of clinicians (default 60). */
  clinicians?: number;
  /** Number of local days (default 84). */
  days?: number;
  /** Seed (default 1): the same seed gives byte-identical files. */
  seed?: number;
  /** First local date, `YYYY-MM-DD` (default `2026-01-05`, a Monday). */
  start?: string;
  /** IANA time zone of the organisation (default `America/New_York`). */
  timezone?: string;
  /** Called after each generated day. */
  onProgress?: (doneDays: number, totalDays: number) => void;
  /**
   * False generates the same system as if the go-live had not happened (no dip, no tool use): the
   * counterfactual that tests measure the go-live's known effect against. Default true.
   */
  goLiveEffects?: boolean;
}

export interface GenerateResult {
  files: { events: string; clinicians: string; schedule: string; orders: string };
  counts: { events: number; clinicians: number; schedule: number; orders: number };
  timezone: string;
  from: string;
  /** Exclusive local date. */
  to: string;
  goLive: { date: string; tool: string; actions: string[]; departments: string[] };
  /**
   * Training records (canonical CSV and the same completions as xAPI NDJSON) and the go-live tool's
   * definition (`uptake tool import`), written by `training.ts`.
   */
  training?: TrainingFiles;
  /**
   * The patient side (`patientSide.ts`): the four canonical CSV files of engagement.md §1 and their
   * row counts. Absent in the manifest of a demo generated before it existed.
   */
  patient?: {
    files: Record<PatientTable, string>;
    counts: Record<PatientTable, number>;
  };
}

/**
 * Column order of the files written: every canonical column (`CSV_COLUMNS` of the model), spelled
 * out because the line builders in day.ts write fields in exactly this order.
 */
export const COLUMNS: Record<TableName, readonly string[]> = {
  events: [
    'event_id',
    'occurred_at',
    'user_id',
    'action',
    'category',
    'patient_id',
    'encounter_id',
    'channel',
    'workstation_id',
    'source',
    // the generator has no log of its own: left empty (ties are ordered by event_id)
    'seq',
  ],
  clinicians: ['user_id', 'role', 'name', 'specialty', 'department', 'fte', 'timezone'],
  schedule: [
    'user_id',
    'kind',
    'start',
    'end',
    'status',
    'visit_type',
    'patient_id',
    'appointment_id',
  ],
  orders: ['order_id', 'user_id', 'signed_at', 'entered_by', 'order_type', 'patient_id'],
};

/** The patient-side tables in the order to import them (accounts and releases before what refers to them). */
const PATIENT_TABLES_ORDER: readonly PatientTable[] = [
  'patient_accounts',
  'releases',
  'messages',
  'patient_events',
];

/** Flush a buffer to its stream once it holds this many characters. */
const FLUSH_AT = 4 << 20;

/** A write stream with backpressure and error propagation. */
class Sink {
  private readonly stream: WriteStream;
  private error: Error | null = null;

  constructor(path: string) {
    // A deep buffer lets the generator run on while earlier chunks are being written to disk.
    this.stream = createWriteStream(path, { highWaterMark: 16 << 20 });
    this.stream.on('error', (e) => {
      this.error = e;
    });
  }

  async write(text: string | Buffer): Promise<void> {
    if (this.error) throw this.error;
    if (text.length === 0) return;
    // Every generated character is ASCII (names and departments included), so latin1 encodes the
    // string by a plain copy instead of a UTF-8 transcoding pass.
    if (!this.stream.write(text, 'latin1')) {
      // `once` rejects if the stream emits 'error' while we wait.
      await once(this.stream, 'drain');
    }
  }

  async close(): Promise<void> {
    if (this.error) throw this.error;
    this.stream.end();
    await once(this.stream, 'finish');
    // Read again: the 'error' listener may have set it while we waited (TypeScript assumes not).
    const error = this.error as Error | null;
    if (error) throw error;
  }
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function checkInteger(name: string, v: number, min: number): void {
  if (!Number.isSafeInteger(v) || v < min) {
    throw new Error(`${name} must be an integer ≥ ${min} (got ${v})`);
  }
}

/**
 * The go-live date: the Monday on or before the middle of the range (go-lives happen early in a
 * week), or the middle itself when the range is shorter than two weeks.
 */
export function goLiveDate(start: string, days: number): { date: string; dayIndex: number } {
  let dayIndex = Math.floor(days / 2);
  if (days >= 14) {
    const wd = new Date(`${addDays(start, dayIndex)}T00:00:00Z`).getUTCDay();
    dayIndex -= (wd + 6) % 7;
  }
  return { date: addDays(start, dayIndex), dayIndex };
}

/**
 * Generates a synthetic health system into `opts.outDir`: `clinicians.csv`, `schedule.csv`,
 * `events.csv` and `orders.csv` in the canonical CSV format, with ISO 8601 times carrying the local
 * UTC offset of `opts.timezone` at each instant; the patient side (`patient_accounts.csv`,
 * `releases.csv`, `messages.csv`, `patient_events.csv`, `patientSide.ts`) from the fulfilled visits.
 *
 * Deterministic: the same options give byte-identical files. Streaming: events are written day by
 * day through buffered streams that respect backpressure, so 10 million events need no more memory
 * than 10 thousand.
 *
 * @throws Error when an option is invalid (message names the option).
 */
export async function generate(opts: GenerateOptions): Promise<GenerateResult> {
  const n = opts.clinicians ?? 60;
  const days = opts.days ?? 84;
  const seed = opts.seed ?? 1;
  const start = opts.start ?? '2026-01-05';
  const timezone = opts.timezone ?? 'America/New_York';
  checkInteger('clinicians', n, 1);
  checkInteger('days', days, 1);
  checkInteger('seed', seed, Number.MIN_SAFE_INTEGER);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || addDays(start, 0) !== start) {
    throw new Error(`start must be a local date YYYY-MM-DD (got ${start})`);
  }
  if (!isValidTimeZone(timezone))
    throw new Error(`timezone must be an IANA time zone name (got ${timezone})`);

  await mkdir(opts.outDir, { recursive: true });
  const files = {
    events: join(opts.outDir, 'events.csv'),
    clinicians: join(opts.outDir, 'clinicians.csv'),
    schedule: join(opts.outDir, 'schedule.csv'),
    orders: join(opts.outDir, 'orders.csv'),
  };

  // Fold the seed's high bits in, so that every safe integer is a distinct seed.
  const seedWord = mixSeed(seed >>> 0, Math.floor(seed / 4294967296));
  const { clinicians } = buildRoster(n, seedWord);
  await writeFile(files.clinicians, rosterCsv(clinicians, timezone));

  const goLive = goLiveDate(start, days);
  const training = await writeTrainingAndTools({
    outDir: opts.outDir,
    clinicians,
    seedWord,
    start,
    days,
    timezone,
    goLive,
  });
  const out = new Output();
  const gen = new DayGenerator(
    out,
    { dayIndex: opts.goLiveEffects === false ? Number.POSITIVE_INFINITY : goLive.dayIndex },
    clinicians.filter((c) => c.group === 'primary'),
  );
  const patientFiles = Object.fromEntries(
    PATIENT_TABLES_ORDER.map((t) => [t, join(opts.outDir, PATIENT_FILES[t])]),
  ) as Record<PatientTable, string>;
  const patients = new PatientSide(clinicians, seedWord, start, days, timezone);
  const sinks = {
    events: new Sink(files.events),
    schedule: new Sink(files.schedule),
    orders: new Sink(files.orders),
  };
  const patientSinks = Object.fromEntries(
    PATIENT_TABLES_ORDER.map((t) => [t, new Sink(patientFiles[t])]),
  ) as Record<PatientTable, Sink>;
  let failure: { error: unknown } | null = null;
  try {
    await sinks.events.write(COLUMNS.events.join(',') + '\n');
    await sinks.schedule.write(COLUMNS.schedule.join(',') + '\n');
    await sinks.orders.write(COLUMNS.orders.join(',') + '\n');
    for (const t of PATIENT_TABLES_ORDER)
      await patientSinks[t].write(PATIENT_COLUMNS[t].join(',') + '\n');
    // Every panel patient's account, panel by panel (an accounts extract lists them all).
    for (const c of clinicians) {
      patients.panelAccounts(c);
      await patientSinks.patient_accounts.write(patients.take('patient_accounts'));
    }
    const flushPatients = async (all: boolean): Promise<void> => {
      if (!all && patients.pending() < FLUSH_AT) return;
      for (const t of PATIENT_TABLES_ORDER) await patientSinks[t].write(patients.take(t));
    };
    const flush = async (all: boolean): Promise<void> => {
      if (all || out.events.pendingBytes() >= FLUSH_AT) {
        for (const block of out.events.take()) await sinks.events.write(block);
      }
      if (all || out.schedule.length >= FLUSH_AT) {
        const t = out.schedule;
        out.schedule = '';
        await sinks.schedule.write(t);
      }
      if (all || out.orders.length >= FLUSH_AT) {
        const t = out.orders;
        out.orders = '';
        await sinks.orders.write(t);
      }
    };
    for (let d = 0; d < days; d++) {
      const clock = dayClock(timezone, addDays(start, d));
      for (const c of clinicians) {
        gen.day(c, clock, d, new Rng(mixSeed(seedWord, c.index, d)));
        patients.clinicianDay(c, d, out.visits);
        out.visits = [];
        if (out.events.pendingBytes() >= FLUSH_AT) await flush(false);
      }
      await flush(false);
      await flushPatients(false);
      opts.onProgress?.(d + 1, days);
    }
    await flush(true);
    await flushPatients(true);
  } catch (e) {
    failure = { error: e };
  }
  // Close them all even if one failed, then report the first error.
  const closed = await Promise.allSettled([
    sinks.events.close(),
    sinks.schedule.close(),
    sinks.orders.close(),
    ...PATIENT_TABLES_ORDER.map((t) => patientSinks[t].close()),
  ]);
  if (failure !== null) throw failure.error;
  for (const r of closed) if (r.status === 'rejected') throw r.reason;

  return {
    files,
    counts: {
      events: out.events.count,
      clinicians: clinicians.length,
      schedule: out.scheduleCount,
      orders: out.orderCount,
    },
    timezone,
    from: start,
    to: addDays(start, days),
    goLive: {
      date: goLive.date,
      tool: GO_LIVE_TOOL,
      actions: [...GO_LIVE_ACTIONS],
      departments: GO_LIVE_DEPARTMENTS.map((k) => DEPARTMENTS[k].name),
    },
    training,
    patient: { files: patientFiles, counts: { ...patients.counts } },
  };
}

function rosterCsv(clinicians: readonly Clinician[], timezone: string): string {
  const lines = [COLUMNS.clinicians.join(',')];
  for (const c of clinicians) {
    lines.push(
      [c.userId, c.role, c.name, c.specialty, c.dept.name, c.fte.toFixed(1), timezone]
        .map(csvField)
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}
