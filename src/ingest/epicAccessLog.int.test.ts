import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import { UptakeError } from '../errors/UptakeError.ts';
import { importEpicAccessLog } from './epicAccessLog.ts';
import { Pseudonymizer } from './pseudonymize.ts';

const COLUMNS = [
  'ACCESS_INSTANT',
  'PROCESS_ID',
  'ACCESS_TIME',
  'USER_ID',
  'WORKSTATION_ID',
  'METRIC_ID',
  'METRIC_NAME',
  'PAT_ID',
  'CSN',
] as const;
type Row = Partial<Record<(typeof COLUMNS)[number], string>>;

/** An Epic instant: seconds since 1840-12-31 00:00:00 UTC. */
const epicInstant = (iso: string) => String((Date.parse(iso) - Date.UTC(1840, 11, 31)) / 1000);

let seq = 0;
/** A row with every field filled (unique ACCESS_INSTANT/PROCESS_ID), overridden by `r`. */
function row(r: Row): Row {
  seq++;
  return {
    ACCESS_INSTANT: String(5_900_000_000 + seq),
    PROCESS_ID: String(7000 + seq),
    ACCESS_TIME: '2026-03-02 09:00:00',
    USER_ID: 'U100',
    WORKSTATION_ID: 'WS-CLINIC-01',
    METRIC_ID: '17001',
    METRIC_NAME: 'In Basket message viewed',
    PAT_ID: 'Z4455667',
    CSN: '880001',
    ...r,
  };
}

/** CSV text of `rows` under `header` (default: the export's nine columns). */
function csv(rows: Row[], header: readonly string[] = COLUMNS): string {
  const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = rows.map((r) =>
    header.map((h) => q(r[h.toUpperCase() as (typeof COLUMNS)[number]] ?? '')).join(','),
  );
  return [header.join(','), ...lines].join('\n') + '\n';
}

/** Microseconds since the epoch → ISO text with microseconds. */
const isoUs = (us: number) =>
  new Date(Math.floor(us / 1000))
    .toISOString()
    .replace(/Z$/, String(us % 1000).padStart(3, '0') + 'Z');

for (const engine of engines({ citus: true })) {
  describe(`Epic access-log import (${engine.name})`, () => {
    let dir: string;
    let store: Store;
    let p: Pseudonymizer;
    const file = (name: string, text: string) => {
      const f = join(dir, name);
      writeFileSync(f, text);
      return f;
    };
    const run = (f: string, extra: { sourceTz?: string; actionMap?: string } = {}) =>
      importEpicAccessLog(store, {
        table: 'events',
        file: f,
        pseudonymizer: p,
        rejectsDir: join(dir, 'rejects'),
        sourceTz: 'America/Chicago',
        ...extra,
      });
    const events = () =>
      store.all<{
        event_id: string;
        us: number;
        user_id: string;
        action: string;
        category: string;
        patient_id: string | null;
        encounter_id: string | null;
        channel: string;
        workstation_id: string | null;
        source: string;
      }>(
        `SELECT event_id, ${store.dialect.epochUs('occurred_at')} AS us, user_id, action, category, patient_id,
           encounter_id, channel, workstation_id, source FROM events ORDER BY occurred_at, event_id`,
      );
    const rejects = () =>
      store.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM import_rejects ORDER BY import_id, line`,
      );
    const count = async (table: string) =>
      (await store.all<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n;

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'uptake-epic-'));
      store = await engine.open();
      p = Pseudonymizer.load(join(dir, 'key'));
    });
    afterEach(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('maps the columns, whatever their order and case, and keeps fractional seconds', async () => {
      const header = [
        'Pat_ID',
        'access_time',
        'User_Id',
        'METRIC_ID',
        'metric_name',
        'WORKSTATION_ID',
        'Access_Instant',
        'PROCESS_ID',
        'csn',
        'Extra',
      ];
      const a = epicInstant('2026-03-02T14:15:00Z');
      const f = file(
        'access.csv',
        csv(
          [
            {
              ACCESS_INSTANT: a,
              PROCESS_ID: '5001',
              ACCESS_TIME: '2026-03-02 08:15:00.250',
              USER_ID: 'U1',
              WORKSTATION_ID: 'WS-CLINIC-01',
              METRIC_ID: '17001',
              METRIC_NAME: 'In Basket message viewed',
              PAT_ID: 'Z1234567',
              CSN: '9000001',
            },
            {
              ACCESS_INSTANT: a,
              PROCESS_ID: '5001',
              ACCESS_TIME: '3/2/2026 8:16:05 AM',
              USER_ID: 'U1',
              WORKSTATION_ID: 'HAIKU',
              METRIC_ID: '17002',
              METRIC_NAME: 'Notes viewed',
            },
            {
              ACCESS_INSTANT: a,
              PROCESS_ID: '5002',
              ACCESS_TIME: '2026-03-02T14:17:00Z',
              USER_ID: 'U2',
              METRIC_ID: '17003',
              METRIC_NAME: 'Clinical Note Signed',
              PAT_ID: 'Z1234567',
            },
          ],
          header,
        ),
      );
      const r = await run(f);
      expect(r).toMatchObject({
        table: 'events',
        format: 'epic-access-log',
        rows_read: 3,
        rows_stored: 3,
        rows_rejected: 0,
        rows_duplicate: 0,
        unmapped_events: 0,
        unknown_columns: ['EXTRA'],
        time_range: { from: '2026-03-02T14:15:00Z', to: '2026-03-02T14:17:00Z' },
        notes: {
          nonexistent_local_times_rejected: 0,
          ambiguous_local_times_resolved_earlier: 0,
          ambiguous_local_times_resolved_by_access_instant: 0,
        },
      });
      const pid = p.pseudonym('patient', 'Z1234567');
      expect((await events()).map((e) => ({ ...e, at: isoUs(e.us), us: undefined }))).toEqual([
        {
          event_id: `${a}|5001|17001`,
          at: '2026-03-02T14:15:00.250000Z',
          us: undefined,
          user_id: 'U1',
          action: '17001',
          category: 'inbox',
          patient_id: pid,
          encounter_id: '9000001',
          channel: 'desktop',
          workstation_id: 'WS-CLINIC-01',
          source: 'epic',
        },
        {
          event_id: `${a}|5001|17002`,
          at: '2026-03-02T14:16:05.000000Z',
          us: undefined,
          user_id: 'U1',
          action: '17002',
          category: 'chart_review',
          patient_id: null,
          encounter_id: null,
          channel: 'mobile',
          workstation_id: 'HAIKU',
          source: 'epic',
        },
        {
          event_id: `${a}|5002|17003`,
          at: '2026-03-02T14:17:00.000000Z',
          us: undefined,
          user_id: 'U2',
          action: '17003',
          category: 'notes',
          patient_id: pid,
          encounter_id: null,
          channel: 'desktop',
          workstation_id: null,
          source: 'epic',
        },
      ]);
      expect(
        await store.all(`SELECT source, action, name FROM action_names ORDER BY action`),
      ).toEqual([
        { source: 'epic', action: '17001', name: 'In Basket message viewed' },
        { source: 'epic', action: '17002', name: 'Notes viewed' },
        { source: 'epic', action: '17003', name: 'Clinical Note Signed' },
      ]);
    });

    it('rejects rows that cannot be mapped, with line and reason, and stores the rest', async () => {
      const f = file(
        'access.csv',
        csv([
          row({}),
          row({ USER_ID: '' }),
          row({ ACCESS_TIME: 'yesterday' }),
          row({ PROCESS_ID: '' }),
          row({ METRIC_ID: '' }),
          row({ ACCESS_TIME: '' }),
          row({}),
        ]),
      );
      const r = await run(f);
      expect(r.rows_stored).toBe(2);
      expect(r.rows_rejected).toBe(5);
      const rej = await rejects();
      expect(rej.map((x) => x.line)).toEqual([3, 4, 5, 6, 7]);
      expect(rej[0]?.reason).toMatch(/^USER_ID is empty/);
      expect(rej[1]?.reason).toBe(
        'ACCESS_TIME is not a date and time such as 2026-03-02 08:15:00 (the value has 9 characters: letters)',
      );
      expect(rej[2]?.reason).toMatch(/^PROCESS_ID is empty/);
      expect(rej[3]?.reason).toMatch(/^METRIC_ID is empty/);
      expect(rej[4]?.reason).toMatch(/^ACCESS_TIME is empty/);
    });

    it('gives stable event ids: a re-import stores nothing, identical rows all count', async () => {
      const same = row({ ACCESS_INSTANT: '5901000000', PROCESS_ID: '42', METRIC_ID: '17001' });
      const other = row({ ACCESS_INSTANT: '5901000001', PROCESS_ID: '42', METRIC_ID: '17001' });
      const clash = { ...other, PAT_ID: 'Z0000001' };
      const f = file('access.csv', csv([same, other, same, same, clash]));
      const r1 = await run(f);
      expect(r1).toMatchObject({
        rows_read: 5,
        rows_stored: 4,
        rows_rejected: 1,
        rows_duplicate: 0,
      });
      expect((await events()).map((e) => e.event_id).sort()).toEqual([
        '5901000000|42|17001',
        '5901000000|42|17001#2',
        '5901000000|42|17001#3',
        '5901000001|42|17001',
      ]);
      const [rej] = await rejects();
      expect(rej?.line).toBe(6);
      expect(rej?.reason).toBe(
        'ACCESS_INSTANT, PROCESS_ID and METRIC_ID repeat line 3 with different values; an access is identified by these three',
      );
      const r2 = await run(f);
      expect(r2).toMatchObject({ rows_stored: 0, rows_duplicate: 4, rows_rejected: 1 });
      expect(await count('events')).toBe(4);
      // the same rows in another order (and one more identical row) store only the new one
      const f2 = file('again.csv', csv([same, other, same, same, same].reverse()));
      const r3 = await run(f2);
      expect(r3).toMatchObject({ rows_stored: 1, rows_duplicate: 4 });
      expect(await count('events')).toBe(5);
    });

    it('rejects a local time the clocks skipped, naming the zone (the value is in the rejects file)', async () => {
      const f = file(
        'access.csv',
        csv([
          row({ ACCESS_TIME: '2026-03-08 01:59:00' }),
          row({ ACCESS_TIME: '2026-03-08 02:30:00' }),
          row({ ACCESS_TIME: '2026-03-08 03:01:00' }),
        ]),
      );
      const r = await run(f);
      expect(r).toMatchObject({ rows_stored: 2, rows_rejected: 1 });
      expect(r.notes?.['nonexistent_local_times_rejected']).toBe(1);
      const rej = await rejects();
      expect(rej).toHaveLength(1);
      expect(rej[0]?.line).toBe(3);
      expect(rej[0]?.reason).toMatch(
        /^ACCESS_TIME is a local time that does not exist in America\/Chicago: the clocks were put forward over it/,
      );
      expect((await events()).map((e) => isoUs(e.us))).toEqual([
        '2026-03-08T07:59:00.000000Z',
        '2026-03-08T08:01:00.000000Z',
      ]);
      expect(readFileSync(r.rejects_file!, 'utf8')).toContain(',2026-03-08 02:30:00,');
    });

    it('takes the earlier of a repeated local time unless ACCESS_INSTANT says otherwise', async () => {
      const f = file(
        'access.csv',
        csv([
          // ACCESS_INSTANT in local time (as some extracts render it): near neither instant
          row({
            ACCESS_TIME: '2026-11-01 01:30:00',
            ACCESS_INSTANT: epicInstant('2026-11-01T01:30:00Z'),
          }),
          // Epic's UTC instant of the second 01:30
          row({
            ACCESS_TIME: '2026-11-01 01:30:00',
            ACCESS_INSTANT: epicInstant('2026-11-01T07:30:00Z'),
          }),
          // a date-time with an offset, naming the first 01:45
          row({ ACCESS_TIME: '2026-11-01 01:45:00', ACCESS_INSTANT: '2026-11-01T01:45:00-05:00' }),
          // whole seconds in ACCESS_INSTANT, fractional ones in ACCESS_TIME
          row({
            ACCESS_TIME: '2026-11-01 01:10:00.5',
            ACCESS_INSTANT: epicInstant('2026-11-01T07:10:00Z'),
          }),
          row({ ACCESS_TIME: '2026-11-01 00:30:00' }),
          row({ ACCESS_TIME: '2026-11-01 02:30:00' }),
        ]),
      );
      const r = await run(f);
      expect(r.rows_stored).toBe(6);
      expect(r.notes).toEqual({
        nonexistent_local_times_rejected: 0,
        ambiguous_local_times_resolved_earlier: 1,
        ambiguous_local_times_resolved_by_access_instant: 3,
      });
      expect((await events()).map((e) => isoUs(e.us))).toEqual([
        '2026-11-01T05:30:00.000000Z',
        '2026-11-01T06:30:00.000000Z',
        '2026-11-01T06:45:00.000000Z',
        '2026-11-01T07:10:00.500000Z',
        '2026-11-01T07:30:00.000000Z',
        '2026-11-01T08:30:00.000000Z',
      ]);
      const [imp] = await store.all<{ report: string }>(`SELECT report FROM imports`);
      expect(JSON.parse(imp!.report).notes.ambiguous_local_times_resolved_by_access_instant).toBe(
        3,
      );
    });

    it('reads the times in another zone (New York)', async () => {
      const f = file(
        'access.csv',
        csv([
          row({ ACCESS_TIME: '2026-03-08 02:30:00' }),
          row({ ACCESS_TIME: '2026-11-01 01:30:00' }),
          row({ ACCESS_TIME: '2026-07-01 12:00:00' }),
        ]),
      );
      const r = await run(f, { sourceTz: 'america/new_york' });
      expect(r).toMatchObject({ rows_stored: 2, rows_rejected: 1 });
      expect((await rejects())[0]?.reason).toContain('does not exist in America/New_York');
      expect((await events()).map((e) => isoUs(e.us))).toEqual([
        '2026-07-01T16:00:00.000000Z',
        '2026-11-01T05:30:00.000000Z',
      ]);
    });

    it('sets channel mobile for Haiku and Canto', async () => {
      const ws = ['HAIKU', 'canto', 'Haiku-iOS', 'CANTO 2', 'CANTON-PC01', 'HAIKUWS', ''];
      const f = file(
        'access.csv',
        csv(ws.map((w, i) => row({ WORKSTATION_ID: w, ACCESS_TIME: `2026-03-02 09:0${i}:00` }))),
      );
      await run(f);
      expect((await events()).map((e) => [e.workstation_id, e.channel])).toEqual([
        ['HAIKU', 'mobile'],
        ['canto', 'mobile'],
        ['Haiku-iOS', 'mobile'],
        ['CANTO 2', 'mobile'],
        ['CANTON-PC01', 'desktop'],
        ['HAIKUWS', 'desktop'],
        [null, 'desktop'],
      ]);
    });

    it('categorizes by METRIC_ID or METRIC_NAME; the user map wins over the shipped one', async () => {
      const rows = [
        row({ METRIC_ID: '17050', METRIC_NAME: 'Whatever it is called' }),
        row({ METRIC_ID: '17051', METRIC_NAME: 'Notes viewed' }),
        row({ METRIC_ID: '17052', METRIC_NAME: 'RESULTS REVIEW ACCESSED' }),
        row({ METRIC_ID: '17099', METRIC_NAME: 'In Basket message viewed' }),
        row({ METRIC_ID: '17060', METRIC_NAME: 'custom name thing' }),
        row({ METRIC_ID: '17099', METRIC_NAME: 'Custom Name Thing' }),
        row({ METRIC_ID: '17070', METRIC_NAME: 'Order list changed' }),
      ].map((r, i) => ({ ...r, ACCESS_TIME: `2026-03-02 09:0${i}:00` }));
      const f = file('access.csv', csv(rows));
      const categories = async () => (await events()).map((e) => e.category);

      // shipped map only (by name)
      const r1 = await run(f);
      expect(await categories()).toEqual([
        'other',
        'chart_review',
        'chart_review',
        'inbox',
        'other',
        'other',
        'orders',
      ]);
      expect(r1.unmapped_events).toBe(3);

      // with a user map: ids and names, any case; user entries first, ids before names
      await store.run(`DELETE FROM events`);
      const m = file(
        'my-map.csv',
        'action,category,name\n17050,notes,Custom metric\nnotes viewed,notes,\n17099,orders,\nCUSTOM NAME THING,prescriptions,\n',
      );
      const r2 = await run(f, { actionMap: m });
      expect(await categories()).toEqual([
        'notes',
        'notes',
        'chart_review',
        'orders',
        'prescriptions',
        'orders',
        'orders',
      ]);
      expect(r2.unmapped_events).toBe(0);
    });

    it('refuses a user map with an unknown category, and imports afterwards', async () => {
      const f = file('access.csv', csv([row({ METRIC_ID: '17050', METRIC_NAME: 'X' })]));
      const bad = file('bad-map.csv', 'action,category\n17050,notes\n17051,paperwork\n');
      await expect(run(f, { actionMap: bad })).rejects.toThrow(
        `${bad}, line 3: category "paperwork" is not one of`,
      );
      expect(await count('imports')).toBe(0);
      const good = file('map.csv', 'action,category\n17050,notes\n');
      const r = await run(f, { actionMap: good });
      expect(r.rows_stored).toBe(1);
      expect((await events())[0]?.category).toBe('notes');
    });

    it('lists unmapped actions with their METRIC_NAME, most frequent first', async () => {
      const f = file(
        'access.csv',
        csv([
          row({ METRIC_ID: '99001', METRIC_NAME: 'Some obscure metric' }),
          row({ METRIC_ID: '99002', METRIC_NAME: '' }),
          row({ METRIC_ID: '99001', METRIC_NAME: 'Some obscure metric' }),
          row({ METRIC_ID: '17001', METRIC_NAME: 'In Basket message viewed' }),
          row({ METRIC_ID: '99001', METRIC_NAME: 'Some obscure metric' }),
        ]),
      );
      const r = await run(f);
      expect(r.unmapped_events).toBe(4);
      expect(r.top_unmapped_actions).toEqual([
        { action: '99001 (Some obscure metric)', events: 3 },
        { action: '99002', events: 1 },
      ]);
      const cats = await store.all<{ action: string; category: string }>(
        `SELECT DISTINCT action, category FROM events ORDER BY action`,
      );
      expect(cats).toEqual([
        { action: '17001', category: 'inbox' },
        { action: '99001', category: 'other' },
        { action: '99002', category: 'other' },
      ]);
    });

    it('refuses an import without --source-tz or with an unknown zone', async () => {
      const f = file('access.csv', csv([row({})]));
      const message =
        '--source-tz is required for Epic access logs: ACCESS_TIME has no offset; e.g. --source-tz America/Chicago';
      for (const sourceTz of [undefined, '', ' ']) {
        const err = await importEpicAccessLog(store, {
          table: 'events',
          file: f,
          pseudonymizer: p,
          rejectsDir: join(dir, 'rejects'),
          sourceTz: sourceTz as string,
        }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(UptakeError);
        expect((err as UptakeError).message).toBe(message);
      }
      await expect(run(f, { sourceTz: 'Mars/Olympus' })).rejects.toThrow(
        /--source-tz Mars\/Olympus: not an IANA time zone/,
      );
      expect(await count('imports')).toBe(0);
    });

    it('refuses a file without the required columns before storing anything', async () => {
      const f = file(
        'bad.csv',
        'ACCESS_TIME,USER_ID,METRIC_NAME,PAT_ID\n2026-03-02 09:00:00,U1,Notes viewed,Z1\n',
      );
      const err = await run(f).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UptakeError);
      expect((err as UptakeError).message).toBe(
        `${f}, line 1: missing required columns ACCESS_INSTANT, PROCESS_ID, METRIC_ID for an Epic access log; ` +
          'the header must name ACCESS_INSTANT, PROCESS_ID, ACCESS_TIME, USER_ID, METRIC_ID (optional: WORKSTATION_ID, METRIC_NAME, PAT_ID, CSN)',
      );
      // a canonical events file given as an Epic log says what it looks like
      const c = file(
        'events.csv',
        'event_id,occurred_at,user_id,action\ne1,2026-03-02T09:00:00Z,u1,x\n',
      );
      await expect(run(c)).rejects.toThrow(/looks like a canonical CSV file: use --format csv/);
      expect(await count('imports')).toBe(0);
      expect(await count('events')).toBe(0);
      expect(await count('action_names')).toBe(0);
    });

    it('never stores the raw PAT_ID in any text column', async () => {
      const RAW = 'Z98765432';
      const f = file(
        'access.csv',
        csv([
          row({ PAT_ID: RAW, METRIC_ID: '99001', METRIC_NAME: 'Some obscure metric' }),
          row({ PAT_ID: RAW, CSN: '' }),
          row({ PAT_ID: RAW, ACCESS_TIME: '2026-03-08 02:15:00' }),
        ]),
      );
      const r = await run(f);
      expect(r.rows_stored).toBe(2);
      const cols = await store.all<{ t: string; c: string }>(
        `SELECT table_name AS t, column_name AS c FROM information_schema.columns
         WHERE table_schema IN ('main', 'public') AND table_catalog NOT IN ('temp', 'system')
           AND lower(data_type) IN ('varchar', 'text', 'character varying')`,
      );
      expect(cols.map((x) => `${x.t}.${x.c}`)).toContain('events.patient_id');
      for (const { t, c } of cols) {
        const [hit] = await store.all<{ n: number }>(
          `SELECT count(*) AS n FROM "${t}" WHERE "${c}" LIKE $1`,
          [`%${RAW}%`],
        );
        expect(hit?.n, `${t}.${c}`).toBe(0);
      }
      const ids = await store.all<{ patient_id: string }>(`SELECT DISTINCT patient_id FROM events`);
      expect(ids).toEqual([{ patient_id: p.pseudonym('patient', RAW) }]);
    });

    it('rejects a truncated last line and stores the rest', async () => {
      const good = csv([row({}), row({})]);
      const f = file('access.csv', good + '5999999999,8001,2026-03-02 09:1');
      const r = await run(f);
      expect(r).toMatchObject({ rows_read: 3, rows_stored: 2, rows_rejected: 1 });
      const rej = await rejects();
      expect(rej.map((x) => x.line)).toEqual([4]);
      expect(rej[0]?.reason).toMatch(/^the line has 3 fields where the header has 9/);
      expect(readFileSync(r.rejects_file!, 'utf8')).toContain('5999999999,8001,2026-03-02 09:1');
    });

    it('numbers lines right after a malformed line in the middle', async () => {
      const b = row({});
      const text = csv([row({}), b, { ...b, CSN: '1' }, row({ USER_ID: '' })]).split('\n');
      text.splice(2, 0, '1,2,3'); // line 3: too few columns
      const r = await run(file('access.csv', text.join('\n')));
      expect(r).toMatchObject({ rows_read: 5, rows_stored: 2, rows_rejected: 3 });
      const rej = await rejects();
      expect(rej.map((x) => x.line)).toEqual([3, 5, 6]);
      expect(rej[1]?.reason).toMatch(/repeat line 4 with different values/);
      expect(rej[2]?.reason).toMatch(/^USER_ID is empty/);
    });

    it('refuses an empty file and accepts a header alone', async () => {
      await expect(run(file('empty.csv', ''))).rejects.toThrow(/the file is empty/);
      await expect(run(join(dir, 'nope.csv'))).rejects.toThrow(/no such file/);
      const r = await run(file('header.csv', csv([])));
      expect(r).toMatchObject({ rows_read: 0, rows_stored: 0, rows_rejected: 0 });
    });
  });
}
