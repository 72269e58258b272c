/**
 * A corpus of damaged input (stray and unterminated quotes, quoted line breaks, blank lines, BOM,
 * CRLF and mixed line ends, NUL bytes, lines over the reader's limit, text that is not UTF-8,
 * impossible offsets and years): on every engine, each physical line of each file is accounted
 * for — the header, a blank line, a line continuing a quoted value, or a row stored, already
 * present or rejected with its own physical line — and the counts add up to the file's lines.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import { importCsv, type ImportReport } from './importCsv.ts';
import { importEpicAccessLog } from './epicAccessLog.ts';
import { importParquet } from './importParquet.ts';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { Pseudonymizer } from './pseudonymize.ts';

const HEADER = 'event_id,occurred_at,user_id,action,category,patient_id';

/** A good events row (patient ids MRN-…, which no reason may ever quote). */
const ev = (i: number, action = 'note_edit') =>
  `e${i},2026-03-02T08:${String(i % 60).padStart(2, '0')}:00Z,u${i % 7},${action},notes,MRN-${1000 + i}`;

/** The physical lines of a text: LF (or CRLF) ends a line; a last line without one counts too. */
function physicalLines(text: string): number {
  const n = text.split('\n').length;
  return text.endsWith('\n') ? n - 1 : n;
}

/** Every line is the header, blank, a continuation, or one row; every row is one outcome. */
function expectAccounted(r: ImportReport, total: number): void {
  expect(r.lines).toBeDefined();
  expect(r.lines!.total).toBe(total);
  expect(r.lines!.header + r.lines!.blank + r.lines!.continued + r.rows_read).toBe(total);
  expect(r.rows_stored + r.rows_updated + r.rows_duplicate + r.rows_rejected).toBe(r.rows_read);
}

for (const engine of engines()) {
  describe(`bad input, every line accounted for (${engine.name})`, () => {
    let dir: string;
    let store: Store;
    let p: Pseudonymizer;
    const file = (name: string, text: string | Buffer) => {
      const f = join(dir, name);
      writeFileSync(f, text);
      return f;
    };
    const run = (f: string, table: 'events' | 'schedule' | 'orders' = 'events') =>
      importCsv(store, { table, file: f, pseudonymizer: p, rejectsDir: join(dir, 'rejects') });
    const rejects = (id: number) =>
      store.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM import_rejects WHERE import_id = $1 ORDER BY line`,
        [id],
      );
    const storedIds = async () =>
      (await store.all<{ id: string }>(`SELECT event_id AS id FROM events ORDER BY event_id`)).map(
        (r) => r.id,
      );
    /** The rows of a rejects file: line → the verbatim row. */
    const rejectsFile = (path: string) => readFileSync(path, 'utf8');

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'uptake-bad-'));
      store = await engine.open();
      p = Pseudonymizer.load(join(dir, 'key'));
    });
    afterEach(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    // Lines of the structure corpus, and what becomes of each.
    const STRUCTURE = [
      HEADER, //  1 header
      ev(1), //  2 stored
      '', //  3 blank
      ev(2, '"note, signed"'), //  4 stored (a quoted comma)
      'e3,2026-03-02T08:03:00Z,u1,"multi', //  5 stored with line 6 (a quoted line break)
      'line",notes,MRN-1003', //  6 continues line 5
      'e4,2026-03-02T08:04:00Z,u1,x,badcat,MRN-1004', //  7 rejected: category
      '', //  8 blank
      'e5,2026-03-02T08:05:00Z,u1,"x"y,notes,MRN-1005', //  9 rejected: text after a closing quote
      'e6,2026-03-02T08:06:00Z,u1,x,notes', // 10 rejected: 5 fields
      'e7,2026-03-02T08:07:00Z,u1,5" screen,notes,MRN-1007', // 11 stored: a quote inside a value
      'e8,2026-03-02T08:08:00Z,u1,"unterminated,notes,MRN-1008', // 12 rejected: never closed
      ev(9), // 13 stored
      ev(10), // 14 stored
      ev(1), // 15 already present (e1 again)
    ];
    const STORED = ['e1', 'e10', 'e2', 'e3', 'e7', 'e9'];
    const REJECTED = [7, 9, 10, 12];

    const checkStructure = async (r: ImportReport, text: string) => {
      expectAccounted(r, 15);
      expect(physicalLines(text)).toBe(15);
      expect(r.lines).toEqual({ total: 15, header: 1, blank: 2, continued: 1 });
      expect(r).toMatchObject({
        rows_read: 11,
        rows_stored: 6,
        rows_duplicate: 1,
        rows_rejected: 4,
      });
      expect(await storedIds()).toEqual(STORED);
      const rej = await rejects(r.import_id);
      expect(rej.map((x) => x.line)).toEqual(REJECTED);
      expect(rej[0]?.reason).toMatch(/^category is not one of /);
      expect(rej[1]?.reason).toMatch(/double quote/);
      expect(rej[2]?.reason).toMatch(/^the line has 5 fields where the header has 6/);
      expect(rej[3]?.reason).toMatch(/not closed/);
      for (const x of rej) expect(x.reason).not.toMatch(/MRN-/);
      // the rejects file holds each bad row itself, never a good one
      const body = rejectsFile(r.rejects_file!);
      for (const line of REJECTED) expect(body).toContain(STRUCTURE[line - 1]!.slice(0, 26));
      for (const good of [2, 13, 14]) expect(body).not.toContain(STRUCTURE[good - 1]);
      const [multi] = await store.all<{ action: string }>(
        `SELECT action FROM events WHERE event_id = 'e3'`,
      );
      expect(multi?.action).toBe('multi\nline');
      const [screen] = await store.all<{ action: string }>(
        `SELECT action FROM events WHERE event_id = 'e7'`,
      );
      expect(screen?.action).toBe('5" screen');
    };

    it('LF: quoted commas and line breaks, blank lines, stray quotes, short rows', async () => {
      const text = STRUCTURE.join('\n'); // no line end after the last line
      await checkStructure(await run(file('lf.csv', text)), text);
    });

    it('BOM and CRLF give the same lines', async () => {
      const text = '\ufeff' + STRUCTURE.join('\r\n') + '\r\n';
      await checkStructure(await run(file('crlf.csv', text)), text);
    });

    it('mixed CRLF and LF line ends give the same lines', async () => {
      const text = STRUCTURE.map((l, i) => l + (i % 2 ? '\r\n' : '\n')).join('');
      await checkStructure(await run(file('mixed.csv', text)), text);
    });

    it('CR line ends (a file without LF) give the same lines', async () => {
      const text = STRUCTURE.join('\r') + '\r';
      const r = await run(file('cr-only.csv', text));
      expect(r.lines).toEqual({ total: 15, header: 1, blank: 2, continued: 1 });
      expect(r).toMatchObject({ rows_stored: 6, rows_rejected: 4, rows_duplicate: 1 });
      expect((await rejects(r.import_id)).map((x) => x.line)).toEqual(REJECTED);
      expect(rejectsFile(r.rejects_file!)).toContain(`10,"the line has 5 fields`);
      expect(rejectsFile(r.rejects_file!)).toContain(`"${STRUCTURE[9]}"`);
    });

    it('a carriage return inside a line rejects that line only', async () => {
      const lines = [...STRUCTURE];
      lines[12] = ev(9).replace('note_edit', 'note\redit'); // line 13
      const text = lines.join('\r\n') + '\r\n';
      const r = await run(file('cr.csv', text));
      expectAccounted(r, 15);
      expect(r).toMatchObject({ rows_stored: 5, rows_rejected: 5 });
      const rej = await rejects(r.import_id);
      expect(rej.map((x) => x.line)).toEqual([7, 9, 10, 12, 13]);
      expect(rej[4]?.reason).toMatch(/carriage return/);
    });

    it('a stray quote (awk NR==101 damage) rejects its line and keeps every other row', async () => {
      // 300 rows; line 101 gets a quote before its 4th field; line 250 has a proper quoted
      // value and lines 300–301 a quoted line break, both after the stray quote.
      const lines = [HEADER];
      for (let i = 1; i <= 299; i++) lines.push(ev(i));
      lines[100] = lines[100]!
        .split(',')
        .map((f, i) => (i === 3 ? `"${f}` : f))
        .join(',');
      lines[249] = ev(249, '"chart, review"');
      lines[299] = `e299,2026-03-02T09:00:00Z,u1,"two`;
      lines.push('lines",notes,MRN-9');
      const text = lines.join('\n') + '\n';
      expect(physicalLines(text)).toBe(301);
      const r = await run(file('stray.csv', text));
      expectAccounted(r, 301);
      expect(r.lines).toEqual({ total: 301, header: 1, blank: 0, continued: 1 });
      expect(r).toMatchObject({ rows_read: 299, rows_stored: 298, rows_rejected: 1 });
      const rej = await rejects(r.import_id);
      expect(rej.map((x) => x.line)).toEqual([101]);
      expect(rejectsFile(r.rejects_file!)).toContain(lines[100]!.replaceAll('"', '""'));
      const ids = await storedIds();
      expect(ids).not.toContain('e100'); // line 101
      for (const id of ['e99', 'e101', 'e249', 'e298', 'e299']) expect(ids).toContain(id);
    });

    it('an unterminated quote on the last line rejects that line only', async () => {
      const text = [HEADER, ev(1), ev(2), 'e3,2026-03-02T08:03:00Z,u1,"open,notes,MRN-3'].join(
        '\n',
      );
      const r = await run(file('last.csv', text));
      expectAccounted(r, 4);
      expect(r).toMatchObject({ rows_stored: 2, rows_rejected: 1 });
      expect((await rejects(r.import_id)).map((x) => x.line)).toEqual([4]);
    });

    it('a NUL byte rejects its row on every engine and keeps the rest', async () => {
      const text = [HEADER, ev(1), ev(2).replace('u2', 'u\u00002'), ev(3)].join('\n') + '\n';
      const r = await run(file('nul.csv', text));
      expectAccounted(r, 4);
      expect(r).toMatchObject({ rows_stored: 2, rows_rejected: 1 });
      const rej = await rejects(r.import_id);
      expect(rej).toEqual([{ line: 3, reason: expect.stringMatching(/user_id .*NUL/) }]);
      expect(await storedIds()).toEqual(['e1', 'e3']);
    });

    it('a line over the reader’s maximum size is rejected saying so', async () => {
      const long = `e2,2026-03-02T08:02:00Z,u1,${'x'.repeat(2_100_000)},notes,MRN-2`;
      const text = [HEADER, ev(1), long, ev(3)].join('\n') + '\n';
      const r = await run(file('long.csv', text));
      expectAccounted(r, 4);
      expect(r).toMatchObject({ rows_stored: 2, rows_rejected: 1 });
      const rej = await rejects(r.import_id);
      expect(rej).toHaveLength(1);
      expect(rej[0]?.line).toBe(3);
      expect(rej[0]?.reason).toMatch(/over 2,000,000 bytes/);
    });

    it('a line that is not UTF-8 is rejected saying so', async () => {
      const text = Buffer.concat([
        Buffer.from([HEADER, ev(1), ''].join('\n')),
        Buffer.from('e2,2026-03-02T08:02:00Z,u1,caf\xe9,notes,MRN-2\n', 'latin1'),
        Buffer.from(ev(3) + '\n'),
      ]);
      const r = await run(file('latin1.csv', text));
      expectAccounted(r, 4);
      expect(r).toMatchObject({ rows_stored: 2, rows_rejected: 1 });
      const rej = await rejects(r.import_id);
      expect(rej.map((x) => x.line)).toEqual([3]);
      expect(rej[0]?.reason).toMatch(/UTF-8/);
    });

    it('several lines the reader cannot take, adjacent and apart: later lines keep their numbers', async () => {
      const latin = (i: number) =>
        Buffer.from(`e${i},2026-03-02T08:00:00Z,u1,caf\xe9,notes,MRN-${i}\n`, 'latin1');
      const utf = (...lines: string[]) => Buffer.from(lines.map((l) => l + '\n').join(''));
      const text = Buffer.concat([
        utf(HEADER, ev(1)), // 1, 2
        latin(2), // 3 rejected
        latin(3), // 4 rejected
        utf(ev(4).replace('notes', 'bad1')), // 5 rejected: category
        utf(`e5,2026-03-02T08:05:00Z,u1,${'x'.repeat(2_100_000)},notes,MRN-5`), // 6 rejected
        utf('e6,2026-03-02T08:06:00Z,u1,"two', 'lines",notes,MRN-6'), // 7–8 stored
        utf(ev(7).replace('notes', 'bad2')), // 9 rejected: category
        latin(8), // 10 rejected
        utf('', ev(9).replace('notes', 'bad3')), // 11 blank, 12 rejected: category
      ]);
      const r = await run(file('several.csv', text));
      expectAccounted(r, 12);
      expect(r.lines).toEqual({ total: 12, header: 1, blank: 1, continued: 1 });
      expect(r).toMatchObject({ rows_read: 9, rows_stored: 2, rows_rejected: 7 });
      const rej = await rejects(r.import_id);
      expect(rej.map((x) => x.line)).toEqual([3, 4, 5, 6, 9, 10, 12]);
      expect(rej.map((x) => x.reason.split(' ').slice(0, 4).join(' '))).toEqual([
        'the line is not',
        'the line is not',
        'category is not one',
        'the line is over',
        'category is not one',
        'the line is not',
        'category is not one',
      ]);
      const body = rejectsFile(r.rejects_file!);
      expect(body).toContain('5,"category is not one of');
      expect(body).toContain(ev(4).replace('notes', 'bad1'));
      expect(body).toContain(ev(7).replace('notes', 'bad2'));
      expect(body).toContain(ev(9).replace('notes', 'bad3'));
      expect(await storedIds()).toEqual(['e1', 'e6']);
    });

    it('refuses impossible offsets and instants outside the window, stating the window', async () => {
      const at = (i: number, t: string) => `e${i},${t},u1,x,notes,MRN-${i}`;
      const lines = [
        HEADER,
        at(1, '2026-03-02T08:00:00+14:00'), // 2 stored
        at(2, '2026-03-02T08:00:00-12:00'), // 3 stored
        at(3, '2026-03-02T08:00:00+99:00'), // 4 offset
        at(4, '2026-03-02T08:00:00+14:30'), // 5 offset
        at(5, '2026-03-02T08:00:00-05:75'), // 6 offset (minutes)
        at(6, '0001-01-01T00:00:00Z'), //  7 before the window
        at(7, '1900-06-01T00:00:00Z'), //  8 before
        at(8, '1989-12-31T23:59:59Z'), //  9 before
        at(9, '1990-01-01T00:00:00Z'), // 10 stored (the first instant accepted)
        at(10, '2200-01-01T00:00:00Z'), // 11 after
        at(11, '9999-12-31T23:59:59Z'), // 12 after
      ];
      const text = lines.join('\n') + '\n';
      const r = await run(file('instants.csv', text));
      expectAccounted(r, 12);
      expect(r).toMatchObject({ rows_stored: 3, rows_rejected: 8 });
      const rej = await rejects(r.import_id);
      expect(rej.map((x) => x.line)).toEqual([4, 5, 6, 7, 8, 9, 11, 12]);
      for (const x of rej.slice(0, 3)) expect(x.reason).toMatch(/offset .*-14:00.*\+14:00/);
      for (const x of rej.slice(3, 6))
        expect(x.reason).toMatch(/before 1990-01-01T00:00:00Z.*earliest_instant/);
      const year = new Date().getUTCFullYear() + 1;
      for (const x of rej.slice(6))
        expect(x.reason).toMatch(new RegExp(`after ${year}-.*latest_instant`));
      // no reason quotes the value
      for (const x of rej) expect(x.reason).not.toMatch(/2200|9999|0001|1900-06|\+99|\+14:30/);
      expect(await storedIds()).toEqual(['e1', 'e2', 'e9']);
    });

    it('schedule and orders: the same accounting, lines after a quoted line break', async () => {
      const s = file(
        'schedule.csv',
        [
          'user_id,kind,start,end,status,patient_id,appointment_id',
          'u1,appointment,2026-03-02T08:00:00Z,2026-03-02T08:20:00Z,"booked",MRN-1,"a',
          '1"',
          '',
          'u1,appointment,2026-03-02T09:00:00Z,2026-03-02T08:20:00Z,booked,MRN-2,a2',
          'u1,MRN-3,2026-03-02T10:00:00Z,2026-03-02T10:20:00Z,booked,appointment,a3',
        ].join('\r\n') + '\r\n',
      );
      const r = await run(s, 'schedule');
      expectAccounted(r, 6);
      expect(r.lines).toEqual({ total: 6, header: 1, blank: 1, continued: 1 });
      expect(r).toMatchObject({ rows_read: 3, rows_stored: 1, rows_rejected: 2 });
      const rej = await rejects(r.import_id);
      expect(rej.map((x) => x.line)).toEqual([5, 6]);
      for (const x of rej) expect(x.reason).not.toMatch(/MRN-/);
      const o = file(
        'orders.csv',
        [
          'order_id,user_id,signed_at,order_type,patient_id',
          'o1,u1,2026-03-02T08:00:00Z,MRN-7,medication',
          '',
          'o2,u1,2026-03-02T08:00:00Z,medication,MRN-8',
        ].join('\n'),
      );
      const ro = await run(o, 'orders');
      expectAccounted(ro, 4);
      expect(ro).toMatchObject({ rows_stored: 1, rows_rejected: 1 });
      const rj = await rejects(ro.import_id);
      expect(rj.map((x) => x.line)).toEqual([2]);
      expect(rj[0]?.reason).toMatch(/^order_type is not one of/);
      expect(rj[0]?.reason).not.toMatch(/MRN-/);
    });

    describe('Epic access log', () => {
      const EPIC =
        'ACCESS_INSTANT,PROCESS_ID,ACCESS_TIME,USER_ID,WORKSTATION_ID,METRIC_ID,METRIC_NAME,PAT_ID,CSN';
      const epic = (i: number, name = 'In Basket message viewed', pat = `Z${1000 + i}`) =>
        `${5_900_000_000 + i},${7000 + i},2026-03-02 09:${String(i % 60).padStart(2, '0')}:00,U1,WS1,17001,${name},${pat},88${i}`;
      const runEpic = (f: string) =>
        importEpicAccessLog(store, {
          table: 'events',
          file: f,
          pseudonymizer: p,
          rejectsDir: join(dir, 'rejects'),
          sourceTz: 'America/Chicago',
        });

      it('stray quotes, quoted line breaks, blank lines, BOM and CRLF: every line accounted for', async () => {
        const lines = [
          EPIC, // 1
          epic(1), // 2 stored
          epic(2, '"Notes, viewed"'), // 3 stored
          '', // 4 blank
          epic(3, '"Note\nsigned"'), // 5–6 stored
          epic(4).replace('U1', '"U1'), // 7 rejected: never closed
          epic(5), // 8 stored
          epic(6).replace('2026-03-02 09:06:00', 'Z1006'), // 9 rejected: ACCESS_TIME (a patient id)
          epic(7).replace(',WS1,', ',WS\u00001,'), // 10 rejected: NUL
          epic(8), // 11 stored
        ];
        const text = '\ufeff' + lines.join('\r\n') + '\r\n';
        expect(physicalLines(text)).toBe(11);
        const r = await runEpic(file('access.csv', text));
        expectAccounted(r, 11);
        expect(r.lines).toEqual({ total: 11, header: 1, blank: 1, continued: 1 });
        expect(r).toMatchObject({ rows_read: 8, rows_stored: 5, rows_rejected: 3 });
        const rej = await rejects(r.import_id);
        expect(rej.map((x) => x.line)).toEqual([7, 9, 10]);
        expect(rej[0]?.reason).toMatch(/not closed/);
        expect(rej[1]?.reason).toMatch(/^ACCESS_TIME is not a date and time/);
        expect(rej[2]?.reason).toMatch(/^WORKSTATION_ID holds a NUL byte/);
        for (const x of rej) expect(x.reason).not.toMatch(/Z10/);
        const body = rejectsFile(r.rejects_file!);
        expect(body).toContain('Z1006');
        expect(body).not.toContain(',Z1005,');
      });

      it('refuses impossible offsets and instants outside the window, naming ACCESS_TIME', async () => {
        const lines = [
          EPIC,
          epic(1), // 2 stored
          epic(2).replace('2026-03-02 09:02:00', '1900-03-02 09:02:00'), // 3 before
          epic(3).replace('2026-03-02 09:03:00', '2200-03-02 09:03:00'), // 4 after
          epic(4).replace('2026-03-02 09:04:00', '2026-03-02 09:04:00+99:00'), // 5 offset
        ];
        const r = await runEpic(file('window.csv', lines.join('\n') + '\n'));
        expectAccounted(r, 5);
        const rej = await rejects(r.import_id);
        expect(rej.map((x) => x.line)).toEqual([3, 4, 5]);
        expect(rej[0]?.reason).toMatch(/^ACCESS_TIME is before 1990-01-01T00:00:00Z/);
        expect(rej[1]?.reason).toMatch(/^ACCESS_TIME is at or after /);
        expect(rej[2]?.reason).toMatch(/^ACCESS_TIME has a UTC offset outside -14:00 to \+14:00/);
      });

      it('a repeated identity names the earlier physical line, not its values', async () => {
        const a = epic(1);
        const lines = [EPIC, epic(2, '"two\nlines"'), '', a, a.replace('Z1001', 'Z9999')];
        const r = await runEpic(file('repeat.csv', lines.join('\n') + '\n'));
        expectAccounted(r, 6);
        const rej = await rejects(r.import_id);
        expect(rej).toEqual([
          {
            line: 6,
            reason:
              'ACCESS_INSTANT, PROCESS_ID and METRIC_ID repeat line 5 with different values; an access is identified by these three',
          },
        ]);
      });
    });
  });
}

for (const engine of engines()) {
  describe(`bad input in Parquet (${engine.name})`, () => {
    let dir: string;
    let store: Store;
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'uptake-badpq-'));
      store = await engine.open();
    });
    afterEach(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('rejects NUL bytes, impossible offsets and years by row number; the counts add up', async () => {
      const f = join(dir, 'events.parquet');
      const w = await DuckDBStore.open(':memory:');
      await w.run(
        `COPY (SELECT * FROM (VALUES
           ('e1', '2026-03-02T08:00:00Z', 'u1', 'x', 'notes', 'MRN-1'),
           ('e2', '2026-03-02T08:00:00Z', 'u' || chr(0) || '1', 'x', 'notes', 'MRN-2'),
           ('e3', '2026-03-02T08:00:00+99:00', 'u1', 'x', 'notes', 'MRN-3'),
           ('e4', '1900-01-01T00:00:00Z', 'u1', 'x', 'notes', 'MRN-4'),
           ('e5', '2026-03-02T08:00:00Z', 'u1', 'x', 'MRN-5', 'notes'),
           ('e1', '2026-03-02T08:00:00Z', 'u1', 'x', 'notes', 'MRN-1'))
           t(event_id, occurred_at, user_id, action, category, patient_id))
         TO '${f}' (FORMAT parquet)`,
      );
      await w.close();
      const r = await importParquet(store, {
        table: 'events',
        file: f,
        pseudonymizer: Pseudonymizer.load(join(dir, 'key')),
        rejectsDir: join(dir, 'rejects'),
      });
      expect(r).toMatchObject({
        rows_read: 6,
        rows_stored: 1,
        rows_duplicate: 1,
        rows_rejected: 4,
      });
      expect(r.rows_stored + r.rows_updated + r.rows_duplicate + r.rows_rejected).toBe(r.rows_read);
      const rej = await store.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM import_rejects ORDER BY line`,
      );
      expect(rej.map((x) => x.line)).toEqual([2, 3, 4, 5]);
      expect(rej[0]?.reason).toMatch(/user_id .*NUL/);
      expect(rej[1]?.reason).toMatch(/offset/);
      expect(rej[2]?.reason).toMatch(/before 1990-01-01/);
      expect(rej[3]?.reason).toMatch(/^category is not one of/);
      for (const x of rej) expect(x.reason).not.toMatch(/MRN-/);
    });
  });
}

for (const engine of engines()) {
  describe(`many rejects (${engine.name})`, () => {
    it('stores every reject and writes each with its own row, past any page of the rejects file', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'uptake-many-'));
      const store = await engine.open();
      try {
        // 25,000 rows without a user id, one good row last; every 1000th line blank
        const lines = [HEADER];
        for (let i = 1; i <= 25_000; i++) {
          if (i % 1000 === 0) lines.push('');
          lines.push(`e${i},2026-03-02T08:00:00Z,,x,notes,MRN-${i}`);
        }
        lines.push(ev(0));
        const f = join(dir, 'many.csv');
        writeFileSync(f, lines.join('\n') + '\n');
        const r = await importCsv(store, {
          table: 'events',
          file: f,
          pseudonymizer: Pseudonymizer.load(join(dir, 'key')),
          rejectsDir: join(dir, 'rejects'),
        });
        expectAccounted(r, lines.length);
        expect(r).toMatchObject({ rows_stored: 1, rows_rejected: 25_000 });
        const [n] = await store.all<{ n: number; lo: number; hi: number }>(
          `SELECT count(*) AS n, min(line) AS lo, max(line) AS hi FROM import_rejects`,
        );
        expect([Number(n?.n), Number(n?.lo), Number(n?.hi)]).toEqual([25_000, 2, 25_026]);
        const rows = readFileSync(r.rejects_file!, 'utf8').trimEnd().split('\n');
        expect(rows).toHaveLength(25_001);
        // each line of the rejects file names a line whose row it holds
        for (const row of [rows[1]!, rows[999]!, rows[1000]!, rows[10_001]!, rows[25_000]!]) {
          const line = Number(row.split(',')[0]);
          expect(row).toContain(`,"${lines[line - 1]}"`);
        }
        expect(rows[25_000]).toBe(
          `25026,"user_id is empty; it is required","e25000,2026-03-02T08:00:00Z,,x,notes,MRN-25000"`,
        );
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
