/**
 * Ties in the log's order (metrics.md §3, formats.md §1–2), on every engine: `seq` from the
 * canonical CSV column and from an Epic export's line numbers, validated, stored, exported and
 * imported again; and a realistic Epic extract — rows in log order, one PROCESS_ID per session,
 * several METRIC_IDs in one second whose `ACCESS_INSTANT|PROCESS_ID|METRIC_ID` text order is not
 * the log's — against hand-computed hours.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { importCsv } from './importCsv.ts';
import { importEpicAccessLog } from './epicAccessLog.ts';
import { importFiles } from './importFiles.ts';
import { Pseudonymizer } from './pseudonymize.ts';
import { exportTable } from '../export/exportTable.ts';
import { clinicianMetrics, parseRequest } from '../metrics/computeMetrics.ts';
import { CLINICIAN_FIELDS, type ClinicianMetricRow } from '../model/metricRow.ts';
import { DEFAULT_OPTIONS } from '../model/options.ts';
import type { Category } from '../model/canonical.ts';

// ---------------------------------------------------------------------------------------------
// The extract: Tuesday 2026-03-03, America/Chicago (CST, UTC−6), in the log's order. Line 1 is
// the header, so a row's line (its seq) is its index here + 2. DR1 works in one session process
// (40001) in the morning and another (40003) after lunch; DR2's process 40002 interleaves.
// METRIC_IDs as text: '1500' < '1701' < '20202' < '3310' < '900'.
// ---------------------------------------------------------------------------------------------
const METRICS: Record<string, { name: string; category: Category }> = {
  '900': { name: 'Results Review accessed', category: 'chart_review' },
  '1500': { name: 'Clinical Note Signed', category: 'notes' },
  '1701': { name: 'In Basket message viewed', category: 'inbox' },
  '3310': { name: 'Save clinical note', category: 'notes' },
  '20202': { name: 'Order list changed', category: 'orders' },
};
const LOG: [time: string, user: string, process: string, metric: string][] = [
  ['09:00:00', 'DR1', '40001', '900'], //  line 2
  ['09:00:00', 'DR1', '40001', '20202'], //  3
  ['09:00:00', 'DR1', '40001', '1701'], //  4: last of 09:00 in the log (text order: 900)
  ['09:01:00', 'DR2', '40002', '1701'], //  5
  ['09:01:00', 'DR2', '40002', '900'], //  6: last of DR2's 09:01 (text order too)
  ['09:03:00', 'DR1', '40001', '3310'], //  7
  ['09:03:00', 'DR1', '40001', '20202'], //  8: last of 09:03 (text order: 3310)
  ['09:05:00', 'DR2', '40002', '20202'], //  9
  ['09:05:00', 'DR2', '40002', '1701'], // 10: last of DR2's 09:05 (text order: 20202)
  ['09:07:00', 'DR1', '40001', '1500'], // 11
  ['09:07:00', 'DR1', '40001', '1701'], // 12: last of 09:07 (text order too)
  ['09:08:00', 'DR2', '40002', '3310'], // 13
  ['09:08:00', 'DR2', '40002', '3310'], // 14: an exact repeat (event id …|3310#2)
  ['09:09:30', 'DR1', '40001', '1701'], // 15
  ['09:20:00', 'DR1', '40001', '900'], // 16
  ['09:20:00', 'DR1', '40001', '3310'], // 17: last of 09:20 (text order: 900)
  ['09:24:00', 'DR1', '40001', '1500'], // 18
  ['13:00:00', 'DR1', '40003', '1701'], // 19
  ['13:00:00', 'DR1', '40003', '20202'], // 20
  ['13:00:00', 'DR1', '40003', '3310'], // 21: last of 13:00 (text order too)
  ['13:02:00', 'DR1', '40003', '900'], // 22
  ['13:02:00', 'DR1', '40003', '1701'], // 23: last of 13:02 (text order: 900)
  ['13:05:00', 'DR1', '40003', '20202'], // 24
];
// Forward, timeout 300 s, drop: the LAST event of an instant credits the gap to the next one.
// In the log's order:
//   DR1  09:00→09:03 inbox 3 | 09:03→09:07 orders 4 | 09:07→09:09:30 inbox 2.5 |
//        09:09:30→09:20 dropped (10.5 min) | 09:20→09:24 notes 4 | 09:24→13:00 dropped |
//        13:00→13:02 notes 2 | 13:02→13:05 inbox 3
//        ⇒ inbox 8.5, orders 4, notes 6, chart_review 0; EHR 18.5 min; 17 events.
//   DR2  09:01→09:05 chart_review 4 | 09:05→09:08 inbox 3 ⇒ EHR 7 min; 6 events.
// In the text order of the event ids (what Uptake did before seq):
//   DR1  chart_review 3 + 4 + 3 = 10, notes 4 + 2 = 6, inbox 2.5, orders 0.
//   DR2  chart_review 4, orders 3, inbox 0.
const h = (minutes: number) => minutes / 60;
const BY_LOG = {
  DR1: { ehr: h(18.5), inbox: h(8.5), orders: h(4), notes: h(6), chart: 0, events: 17 },
  DR2: { ehr: h(7), inbox: h(3), orders: 0, notes: 0, chart: h(4), events: 6 },
};
const BY_TEXT = {
  DR1: { ehr: h(18.5), inbox: h(2.5), orders: 0, notes: h(6), chart: h(10), events: 17 },
  DR2: { ehr: h(7), inbox: 0, orders: h(3), notes: 0, chart: h(4), events: 6 },
};

/** Epic instant: seconds since 1840-12-31 00:00:00 UTC. */
const epicInstant = (iso: string) => String((Date.parse(iso) - Date.UTC(1840, 11, 31)) / 1000);
/** Local CST time of the day → its UTC ISO instant. */
const utc = (time: string) =>
  new Date(Date.parse(`2026-03-03T${time}-06:00`)).toISOString().replace('.000Z', 'Z');

interface LogRow {
  line: number;
  eventId: string;
  ai: string;
  time: string;
  user: string;
  process: string;
  metric: string;
}
const ROWS: LogRow[] = LOG.map(([time, user, process, metric], i) => {
  const ai = epicInstant(utc(time));
  const base = `${ai}|${process}|${metric}`;
  const earlier = LOG.slice(0, i).filter(
    (r) => r[0] === time && r[1] === user && r[2] === process && r[3] === metric,
  ).length;
  return {
    line: i + 2,
    eventId: earlier ? `${base}#${earlier + 1}` : base,
    ai,
    time,
    user,
    process,
    metric,
  };
});
const patient = (r: LogRow) => (r.user === 'DR1' ? 'Z1001' : 'Z2002');

/** The extract as Clarity writes it, rows in `order` (default: the log's). */
function epicCsv(rows: LogRow[] = ROWS): string {
  const head =
    'ACCESS_INSTANT,PROCESS_ID,ACCESS_TIME,USER_ID,WORKSTATION_ID,METRIC_ID,METRIC_NAME,PAT_ID,CSN';
  const lines = rows.map((r) =>
    [
      r.ai,
      r.process,
      `2026-03-03 ${r.time}`,
      r.user,
      r.user === 'DR1' ? 'WS-CLINIC-12' : 'WS-CLINIC-07',
      r.metric,
      METRICS[r.metric]!.name,
      patient(r),
      '880001',
    ].join(','),
  );
  return [head, ...lines].join('\n') + '\n';
}

/** The same events as canonical CSV, with the log's order as `seq` or without it. */
function canonicalCsv(withSeq: boolean): string {
  const head = `event_id,occurred_at,user_id,action,category,patient_id,encounter_id,workstation_id,source${withSeq ? ',seq' : ''}`;
  const lines = ROWS.map((r) =>
    [
      r.eventId,
      `2026-03-03T${r.time}-06:00`,
      r.user,
      r.metric,
      METRICS[r.metric]!.category,
      patient(r),
      '880001',
      r.user === 'DR1' ? 'WS-CLINIC-12' : 'WS-CLINIC-07',
      'epic',
      ...(withSeq ? [String(r.line)] : []),
    ].join(','),
  );
  return [head, ...lines].join('\n') + '\n';
}

const REQ = parseRequest({
  from: '2026-03-03',
  to: '2026-03-04',
  period: 'all',
  options: { ...DEFAULT_OPTIONS, timezone: 'America/Chicago' },
});

/** The per-category hours of each user, as the hand computation names them. */
async function hours(store: Store) {
  const rows = await clinicianMetrics(store, REQ);
  return Object.fromEntries(
    rows.map((r) => [
      r.user_id,
      {
        ehr: r.ehr_hours,
        inbox: r.inbox_hours,
        orders: r.orders_hours,
        notes: r.notes_hours,
        chart: r.chart_review_hours,
        events: r.events,
      },
    ]),
  );
}

/** Every field of every row equal (to 1e-9). */
function sameRows(got: ClinicianMetricRow[], want: ClinicianMetricRow[], what: string): void {
  expect(
    got.map((r) => r.user_id),
    what,
  ).toEqual(want.map((r) => r.user_id));
  want.forEach((w, i) => {
    for (const k of CLINICIAN_FIELDS) {
      const a = w[k];
      const b = got[i]![k];
      if (typeof a === 'number' && typeof b === 'number')
        expect(Math.abs(a - b), `${what} ${w.user_id} ${k}`).toBeLessThanOrEqual(1e-9);
      else expect(b, `${what} ${w.user_id} ${k}`).toEqual(a);
    }
  });
}

/** Hours to compare with `toBeCloseTo`-free equality: rounded to 1e-9. */
const rounded = (x: Record<string, Record<string, number>>) =>
  JSON.parse(JSON.stringify(x, (_k, v) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v)));

for (const engine of engines()) {
  describe(`ties in the log's order (${engine.name})`, () => {
    let dir: string;
    let p: Pseudonymizer;
    const stores: Store[] = [];
    const open = async () => {
      const s = await engine.open();
      stores.push(s);
      return s;
    };
    const file = (name: string, text: string) => {
      const f = join(dir, name);
      writeFileSync(f, text);
      return f;
    };
    const common = () => ({ pseudonymizer: p, rejectsDir: join(dir, 'rejects') });
    const epic = (store: Store, f: string) =>
      importEpicAccessLog(store, {
        ...common(),
        table: 'events',
        file: f,
        sourceTz: 'America/Chicago',
      });
    const csv = (store: Store, f: string) =>
      importCsv(store, { ...common(), table: 'events', file: f });

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'uptake-seq-'));
      p = Pseudonymizer.load(join(dir, 'key'));
    });
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a realistic Epic extract with same-second rows gives the hand-computed hours, like its canonical CSV with seq', async () => {
      const fromEpic = await open();
      expect(await epic(fromEpic, file('access_log.csv', epicCsv()))).toMatchObject({
        rows_read: 23,
        rows_stored: 23,
        rows_rejected: 0,
        unmapped_events: 0,
      });
      expect(rounded(await hours(fromEpic))).toEqual(rounded(BY_LOG));

      const withSeq = await open();
      expect(await csv(withSeq, file('events.csv', canonicalCsv(true)))).toMatchObject({
        rows_stored: 23,
        rows_rejected: 0,
      });
      sameRows(
        await clinicianMetrics(withSeq, REQ),
        await clinicianMetrics(fromEpic, REQ),
        'canonical CSV with seq vs Epic',
      );

      // Without the log's order, ties fall back to the event ids' text: other hours.
      const withoutSeq = await open();
      await csv(withoutSeq, file('events-noseq.csv', canonicalCsv(false)));
      expect(rounded(await hours(withoutSeq))).toEqual(rounded(BY_TEXT));
    });

    it('Epic: seq is the line, event_id the identity: a re-import or a reordered extract stores nothing', async () => {
      const store = await open();
      await epic(store, file('access_log.csv', epicCsv()));
      const stored = await store.all<{ event_id: string; seq: number }>(
        `SELECT event_id, seq FROM events ORDER BY seq`,
      );
      expect(stored).toEqual(ROWS.map((r) => ({ event_id: r.eventId, seq: r.line })));

      expect(await epic(store, file('again.csv', epicCsv()))).toMatchObject({
        rows_stored: 0,
        rows_duplicate: 23,
      });
      // A later extract of the same accesses, in another order: the same identities, nothing
      // stored twice, and the stored rows keep the order of the log they came from first.
      const reordered = [...ROWS].reverse();
      expect(await epic(store, file('reordered.csv', epicCsv(reordered)))).toMatchObject({
        rows_stored: 0,
        rows_duplicate: 23,
      });
      expect(await store.all(`SELECT event_id, seq FROM events ORDER BY seq`)).toEqual(stored);
      expect(rounded(await hours(store))).toEqual(rounded(BY_LOG));
    });

    it('canonical CSV: seq is stored, empty is none, and a value that is not a whole number ≥ 0 is rejected naming the field', async () => {
      const store = await open();
      const f = file(
        'events.csv',
        [
          'event_id,occurred_at,user_id,action,category,seq',
          'e1,2026-03-02T10:00:00Z,u1,a,notes,5',
          'e2,2026-03-02T10:00:00Z,u1,a,inbox,',
          'e3,2026-03-02T10:00:00Z,u1,a,inbox,1.5',
          'e4,2026-03-02T10:00:00Z,u1,a,inbox,-2',
          'e5,2026-03-02T10:00:00Z,u1,a,inbox,MRN-4711',
          'e6,2026-03-02T10:00:00Z,u1,a,inbox,99999999999999999999',
          'e7,2026-03-02T10:00:00Z,u1,a,inbox, 7',
          'e8,2026-03-02T10:00:00Z,u1,a,orders,0',
        ].join('\n') + '\n',
      );
      const r = await csv(store, f);
      expect(r).toMatchObject({ rows_read: 8, rows_stored: 3, rows_rejected: 5 });
      expect(await store.all(`SELECT event_id, seq FROM events ORDER BY event_id`)).toEqual([
        { event_id: 'e1', seq: 5 },
        { event_id: 'e2', seq: null },
        { event_id: 'e8', seq: 0 },
      ]);
      const rejects = await store.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM import_rejects ORDER BY line`,
      );
      expect(rejects.map((x) => x.line)).toEqual([4, 5, 6, 7, 8]);
      for (const x of rejects) {
        expect(x.reason).toMatch(/^seq is not a whole number of 0 or more/);
        // the value is not quoted: a misplaced column could hold a patient identifier
        expect(x.reason).not.toMatch(/MRN|4711|1\.5|-2|9999/);
      }
    });

    it('exports seq after source, and a store rebuilt from the Parquet or CSV export keeps it', async () => {
      const store = await open();
      await epic(store, file('access_log.csv', epicCsv()));
      const parquet = join(dir, 'events.parquet');
      const text = join(dir, 'events-export.csv');
      expect(await exportTable(store, 'events', parquet, 'parquet')).toBe(23);
      expect(await exportTable(store, 'events', text, 'csv')).toBe(23);
      expect(readFileSync(text, 'utf8').split('\n')[0]).toBe(
        'event_id,occurred_at,user_id,action,category,patient_id,encounter_id,channel,workstation_id,source,seq',
      );
      const want = await store.all(`SELECT source, event_id, seq FROM events ORDER BY seq`);
      for (const [format, f] of [
        ['parquet', parquet],
        ['csv', text],
      ] as const) {
        const copy = await DuckDBStore.open(':memory:');
        stores.push(copy);
        await importFiles(copy, { ...common(), table: 'events', format, files: [f] });
        expect(
          await copy.all(`SELECT source, event_id, seq FROM events ORDER BY seq`),
          format,
        ).toEqual(want);
        expect(rounded(await hours(copy)), format).toEqual(rounded(BY_LOG));
      }
    });
  });
}
