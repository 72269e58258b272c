import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import { importCsv } from './importCsv.ts';
import { Pseudonymizer } from './pseudonymize.ts';
import { UptakeError } from '../errors/UptakeError.ts';

const EVENTS = `event_id,occurred_at,user_id,action,category,patient_id,channel,extra
e1,2026-03-02T08:15:00-05:00,u1,note_edit,notes,MRN-123456,,x
e2,2026-03-02T08:16:00-05:00,u1,inbox_view,,MRN-123456,mobile,y
e3,2026-03-02T08:17:00,u1,inbox_view,,MRN-777,,
e4,2026-03-02T08:18:00Z,u1,weird,badcat,MRN-777,,
e1,2026-03-02T08:15:00-05:00,u1,note_edit,notes,MRN-123456,,x
e5,2026-03-02T08:19:00Z,,x,,,,
e6,2026-03-02T08:20:00Z,u2,foo
e7,2026-03-02T08:21:00Z,u2,foo,other,MRN-999,WEB,
`;

for (const engine of engines({ citus: true })) {
  describe(`canonical CSV import (${engine.name})`, () => {
    let dir: string;
    let store: Store;
    let p: Pseudonymizer;
    const run = (
      table: 'events' | 'clinicians' | 'schedule' | 'orders',
      file: string,
      extra: { sourceTz?: string; actionMap?: string } = {},
    ) =>
      importCsv(store, {
        table,
        file,
        pseudonymizer: p,
        rejectsDir: join(dir, 'rejects'),
        ...extra,
      });

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'uptake-import-'));
      store = await engine.open();
      p = Pseudonymizer.load(join(dir, 'key'));
    });
    afterEach(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('stores good rows, rejects bad ones with line and reason, and counts duplicates', async () => {
      const f = join(dir, 'events.csv');
      writeFileSync(f, EVENTS);
      const r = await run('events', f);
      expect(r.rows_read).toBe(8);
      expect(r.rows_stored).toBe(3);
      expect(r.rows_duplicate).toBe(1);
      expect(r.rows_rejected).toBe(4);
      expect(r.unknown_columns).toEqual(['extra']);
      expect(r.unmapped_events).toBe(1);
      expect(r.top_unmapped_actions).toEqual([{ action: 'inbox_view', events: 1 }]);
      const rejects = await store.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM import_rejects ORDER BY line`,
      );
      expect(rejects.map((x) => x.line)).toEqual([4, 5, 7, 8]);
      expect(rejects[0]?.reason).toMatch(/^occurred_at has no UTC offset.*--source-tz/);
      expect(rejects[1]?.reason).toMatch(
        /^category is not one of .* \(the value has 6 characters: letters\)$/,
      );
      expect(rejects[2]?.reason).toMatch(/user_id is empty/);
      expect(rejects[3]?.reason).toMatch(/^the line has 4 fields where the header has 8/);
      // reasons never quote a value; the rejects file holds the verbatim rows
      for (const x of rejects) expect(x.reason).not.toMatch(/badcat|08:17|MRN/);
      const text = readFileSync(r.rejects_file!, 'utf8');
      expect(text).toContain('4,"occurred_at has no UTC offset');
      expect(text).toContain('"e3,2026-03-02T08:17:00,u1,inbox_view,,MRN-777,,"');
      expect(text).toContain('"e6,2026-03-02T08:20:00Z,u2,foo"');
      expect(statSync(r.rejects_file!).mode & 0o077).toBe(0);
      const ev = await store.all<{
        event_id: string;
        channel: string;
        category: string;
        t: string;
      }>(
        `SELECT event_id, channel, category, substr(CAST(occurred_at AS VARCHAR), 12, 5) AS t FROM events ORDER BY event_id`,
      );
      expect(ev).toEqual([
        { event_id: 'e1', channel: 'desktop', category: 'notes', t: '13:15' },
        { event_id: 'e2', channel: 'mobile', category: 'other', t: '13:16' },
        { event_id: 'e7', channel: 'web', category: 'other', t: '08:21' },
      ]);
    });

    it('is idempotent: importing the same file again stores nothing', async () => {
      const f = join(dir, 'events.csv');
      writeFileSync(f, EVENTS);
      await run('events', f);
      const again = await run('events', f);
      expect(again.rows_stored).toBe(0);
      expect(again.rows_duplicate).toBe(4);
      const [n] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM events`);
      expect(n?.n).toBe(3);
    });

    it('keeps sources apart: a new source is appended whole, the same ids of an old one are not', async () => {
      const a = join(dir, 'a.csv');
      const b = join(dir, 'b.csv');
      const rows = (source: string) =>
        'event_id,source,occurred_at,user_id,action,category\n' +
        `x1,${source},2026-03-02T10:00:00Z,u1,a,notes\n` +
        `x2,${source},2026-03-02T10:01:00Z,u1,a,notes\n` +
        `x2,${source},2026-03-02T10:05:00Z,u1,a,inbox\n`; // x2 twice: the first one counts
      writeFileSync(a, rows('epic'));
      writeFileSync(b, rows('cerner') + 'x1,epic,2026-03-02T11:00:00Z,u1,a,notes\n');
      expect(await run('events', a)).toMatchObject({ rows_stored: 2, rows_duplicate: 1 });
      // b: its cerner rows are new; its epic x1 is already stored.
      expect(await run('events', b)).toMatchObject({ rows_stored: 2, rows_duplicate: 2 });
      expect(await run('events', b)).toMatchObject({ rows_stored: 0, rows_duplicate: 4 });
      const got = await store.all<{ k: string; cat: string }>(
        `SELECT source || '/' || event_id AS k, category AS cat FROM events ORDER BY 1`,
      );
      expect(got).toEqual([
        { k: 'cerner/x1', cat: 'notes' },
        { k: 'cerner/x2', cat: 'notes' },
        { k: 'epic/x1', cat: 'notes' },
        { k: 'epic/x2', cat: 'notes' },
      ]);
      const [c] = await store.all<{ n: number }>(
        `SELECT count(*) AS n FROM events WHERE import_id IS NULL`,
      );
      expect(Number(c!.n)).toBe(0);
    });

    it('refuses a file with missing required columns before storing anything', async () => {
      const f = join(dir, 'bad.csv');
      writeFileSync(f, 'id,when,who\n1,2,3\n');
      const err = await run('events', f).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UptakeError);
      expect((err as UptakeError).message).toBe(
        `${f}, line 1: missing required columns event_id, occurred_at, user_id, action for events; the header must name event_id, occurred_at, user_id, action (optional: category, patient_id, encounter_id, channel, workstation_id, source, seq)`,
      );
      const [n] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM imports`);
      expect(n?.n).toBe(0);
    });

    it('refuses an empty file and a missing file', async () => {
      const f = join(dir, 'empty.csv');
      writeFileSync(f, '');
      await expect(run('events', f)).rejects.toThrow(/the file is empty/);
      await expect(run('events', join(dir, 'nope.csv'))).rejects.toThrow(/no such file/);
    });

    it('never stores a raw patient identifier', async () => {
      const f = join(dir, 'events.csv');
      writeFileSync(f, EVENTS);
      await run('events', f);
      const rows = await store.all<{ patient_id: string }>(
        `SELECT patient_id FROM events WHERE patient_id IS NOT NULL`,
      );
      expect(rows.length).toBe(3);
      for (const r of rows) expect(r.patient_id).toMatch(/^P[0-9a-f]{32}$/);
      expect(JSON.stringify(await store.all(`SELECT * FROM events`))).not.toContain('MRN-');
      // the same patient gets the same pseudonym
      expect(new Set(rows.map((r) => r.patient_id)).size).toBe(2);
    });

    it('reads naive local times in the named source time zone', async () => {
      const f = join(dir, 'events.csv');
      writeFileSync(
        f,
        'event_id,occurred_at,user_id,action\na,2026-03-08T01:30:00,u1,x\nb,2026-03-08T03:30:00,u1,x\n',
      );
      const r = await run('events', f, { sourceTz: 'America/New_York' });
      expect(r.rows_stored).toBe(2);
      const ev = await store.all<{ t: string }>(
        `SELECT substr(CAST(occurred_at AS VARCHAR), 12, 5) AS t FROM events ORDER BY event_id`,
      );
      expect(ev.map((e) => e.t)).toEqual(['06:30', '07:30']);
    });

    it('rejects a local time the clocks skipped and takes the earlier of a repeated one', async () => {
      // New York: 2026-03-08 02:00 → 03:00 (02:30 does not exist); 2026-11-01 02:00 → 01:00
      // (01:30 happens twice: 05:30Z and 06:30Z). Schedule rows use both instant fields.
      const f = join(dir, 'events.csv');
      writeFileSync(
        f,
        'event_id,occurred_at,user_id,action\n' +
          'gap,2026-03-08T02:30:00,u1,x\n' +
          'twice,2026-11-01T01:30:00,u1,x\n' +
          'after,2026-11-01T02:30:00,u1,x\n' +
          'offset,2026-11-01T01:30:00-05:00,u1,x\n',
      );
      const r = await run('events', f, { sourceTz: 'America/New_York' });
      expect(r).toMatchObject({ rows_stored: 3, rows_rejected: 1 });
      expect(r.notes).toEqual({ ambiguous_local_times_resolved_earlier: 1 });
      const rejects = await store.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM import_rejects WHERE import_id = $1`,
        [r.import_id],
      );
      expect(rejects).toEqual([
        {
          line: 2,
          reason: expect.stringMatching(
            /^occurred_at is a local time that does not exist in America\/New_York: the clocks were put forward/,
          ),
        },
      ]);
      const ev = (
        await store.all<{ id: string; us: number }>(
          `SELECT event_id AS id, ${store.dialect.epochUs('occurred_at')} AS us
           FROM events WHERE event_id IN ('twice', 'after', 'offset') ORDER BY event_id`,
        )
      ).map((e) => ({ id: e.id, t: new Date(Number(e.us) / 1000).toISOString().slice(0, 16) }));
      expect(ev).toEqual([
        { id: 'after', t: '2026-11-01T07:30' },
        { id: 'offset', t: '2026-11-01T06:30' },
        { id: 'twice', t: '2026-11-01T05:30' },
      ]);

      const s = join(dir, 'schedule.csv');
      writeFileSync(
        s,
        'user_id,kind,start,end\nu1,session,2026-03-08T01:00:00,2026-03-08T02:15:00\nu1,session,2026-03-08T01:00:00,2026-03-08T03:15:00\n',
      );
      const rs = await run('schedule', s, { sourceTz: 'America/New_York' });
      expect(rs).toMatchObject({ rows_stored: 1, rows_rejected: 1 });
      const [row] = await store.all<{ a: number; b: number }>(
        `SELECT ${store.dialect.epochUs('start_at')} AS a, ${store.dialect.epochUs('end_at')} AS b
         FROM schedule WHERE import_id = $1`,
        [rs.import_id],
      );
      expect((Number(row!.b) - Number(row!.a)) / 3.6e9).toBe(1.25); // 01:00 EST to 03:15 EDT
    });

    it('fills categories from an action map; the later line of the map wins', async () => {
      const f = join(dir, 'events.csv');
      writeFileSync(
        f,
        'event_id,occurred_at,user_id,action\na,2026-03-02T10:00:00Z,u1,In Basket message viewed\nb,2026-03-02T10:01:00Z,u1,Zzz\n',
      );
      const m = join(dir, 'map.csv');
      writeFileSync(
        m,
        'action,category\nIn Basket message viewed,notes\nIn Basket message viewed,inbox\n',
      );
      const r = await run('events', f, { actionMap: m });
      expect(r.unmapped_events).toBe(1);
      const ev = await store.all<{ category: string }>(
        `SELECT category FROM events ORDER BY event_id`,
      );
      expect(ev.map((e) => e.category)).toEqual(['inbox', 'other']);
    });

    it('updates changed roster rows and keeps unchanged ones', async () => {
      const f = join(dir, 'clinicians.csv');
      writeFileSync(
        f,
        'user_id,role,department,fte,timezone\nu1,physician,North,1.0,America/New_York\nu2,np,South,0.5,\nu3,pa,South,3,\nu4,pa,South,1,Mars/Olympus\n',
      );
      const r1 = await run('clinicians', f);
      expect(r1.rows_stored).toBe(2);
      expect(r1.rows_rejected).toBe(2);
      writeFileSync(f, 'user_id,role,department,fte\nu1,physician,North,0.8\nu2,np,South,0.5\n');
      const r2 = await run('clinicians', f);
      expect(r2.rows_updated).toBe(1);
      expect(r2.rows_stored).toBe(0);
      const rows = await store.all<{ user_id: string; fte: number }>(
        `SELECT user_id, fte FROM clinicians ORDER BY user_id`,
      );
      expect(rows).toEqual([
        { user_id: 'u1', fte: 0.8 },
        { user_id: 'u2', fte: 0.5 },
      ]);
    });

    it('validates schedule rows: kind, order of start and end, status', async () => {
      const f = join(dir, 'schedule.csv');
      writeFileSync(
        f,
        'user_id,kind,start,end,status,appointment_id\n' +
          'u1,session,2026-03-02T08:00:00-05:00,2026-03-02T12:00:00-05:00,,\n' +
          'u1,appointment,2026-03-02T08:00:00-05:00,2026-03-02T08:20:00-05:00,NOSHOW,a1\n' +
          'u1,visit,2026-03-02T08:00:00-05:00,2026-03-02T08:20:00-05:00,,a2\n' +
          'u1,appointment,2026-03-02T09:00:00-05:00,2026-03-02T08:20:00-05:00,,a3\n' +
          'u1,appointment,2026-03-02T09:00:00-05:00,2026-03-02T09:20:00-05:00,lost,a4\n',
      );
      const r = await run('schedule', f);
      expect(r.rows_stored).toBe(2);
      const rej = await store.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM import_rejects ORDER BY line`,
      );
      expect(rej.map((x) => x.line)).toEqual([4, 5, 6]);
      expect(rej[0]?.reason).toBe(
        'kind must be session or appointment (the value has 5 characters: letters)',
      );
      expect(rej[1]?.reason).toMatch(/^end is not after start/);
      expect(rej[2]?.reason).toMatch(
        /^status is not one of .* \(the value has 4 characters: letters\)$/,
      );
      const st = await store.all<{ status: string }>(`SELECT status FROM schedule ORDER BY kind`);
      expect(st.map((s) => s.status)).toEqual(['noshow', 'booked']);
    });
  });
}
