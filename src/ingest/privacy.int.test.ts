/**
 * No raw patient identifier ever reaches the store: the DuckDB file's bytes and every text column
 * of every PostgreSQL table are searched for a known raw identifier after imports of every table
 * (the patient side's resource and message ids hold it too),
 * including files whose patient id sits in another column (swapped or misplaced columns), whose
 * rows are rejected: their reasons (import_rejects, the report) never quote a value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { PostgresStore } from '../store/postgresStore.ts';
import { freshPgDatabase } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import type { ImportTable } from '../model/canonical.ts';
import { importCsv } from './importCsv.ts';
import { importEpicAccessLog } from './epicAccessLog.ts';
import { importParquet } from './importParquet.ts';
import { Pseudonymizer } from './pseudonymize.ts';
import { sniffFormat, describeSniffed } from './sniff.ts';

const RAW = 'MRN-4711-RAW';

/** The tables with patient identifiers, each imported from a file that holds RAW. */
type PatientTables =
  | 'events'
  | 'schedule'
  | 'orders'
  | 'patient_events'
  | 'patient_accounts'
  | 'messages'
  | 'releases';

function writeFiles(dir: string): Record<PatientTables, string> {
  const f = Object.fromEntries(
    (
      [
        'events',
        'schedule',
        'orders',
        'patient_events',
        'patient_accounts',
        'messages',
        'releases',
      ] as const
    ).map((t) => [t, join(dir, `${t}.csv`)]),
  ) as Record<PatientTables, string>;
  writeFileSync(
    f.events,
    `event_id,occurred_at,user_id,action,category,patient_id\na,2026-03-02T10:00:00Z,u1,x,notes,${RAW}\nb,2026-03-02T10:01:00Z,u1,x,notes,${RAW}\n`,
  );
  writeFileSync(
    f.schedule,
    `user_id,kind,start,end,patient_id,appointment_id\nu1,appointment,2026-03-02T10:00:00Z,2026-03-02T10:20:00Z,${RAW},a1\n`,
  );
  writeFileSync(
    f.orders,
    `order_id,user_id,signed_at,patient_id\no1,u1,2026-03-02T10:05:00Z,${RAW}\n`,
  );
  // The patient side: resource and message ids are pseudonymized too (they name one patient's
  // record in the source system, and may be built from the MRN, as these are).
  writeFileSync(
    f.patient_events,
    `event_id,occurred_at,patient_id,action,resource_id\npe1,2026-03-02T18:00:00Z,${RAW},view_result,RES-${RAW}\n`,
  );
  writeFileSync(f.patient_accounts, `patient_id,activated_at\n${RAW},2025-01-10T12:00:00Z\n`);
  writeFileSync(
    f.messages,
    `message_id,sent_at,patient_id,clinician_id,direction,in_reply_to\n` +
      `MSG-${RAW}-1,2026-03-03T10:00:00Z,${RAW},u1,to_clinician,\n` +
      `MSG-${RAW}-2,2026-03-03T11:00:00Z,${RAW},u1,to_patient,MSG-${RAW}-1\n`,
  );
  writeFileSync(
    f.releases,
    `resource_id,patient_id,kind,available_at\nRES-${RAW},${RAW},result,2026-03-02T12:00:00Z\n`,
  );
  return f;
}

async function importAll(store: Store, dir: string): Promise<void> {
  const files = writeFiles(dir);
  const p = Pseudonymizer.load(join(dir, 'key'));
  for (const [table, file] of Object.entries(files)) {
    const r = await importCsv(store, {
      table: table as 'events',
      file,
      pseudonymizer: p,
      rejectsDir: join(dir, 'rj'),
    });
    expect(r.rows_stored).toBeGreaterThan(0);
  }
}

/**
 * Files whose raw patient id sits where a reason could quote it: swapped columns, a time, a code,
 * a number, a zone, a row with the wrong number of fields, an unterminated quote, a NUL byte; and
 * an Epic extract with PAT_ID in ACCESS_TIME and in PROCESS_ID (a repeated identity).
 */
async function importMisplaced(store: Store, dir: string): Promise<void> {
  const p = Pseudonymizer.load(join(dir, 'key'));
  const t = '2026-03-02T10:00:00Z';
  const files: [ImportTable, string, string[]][] = [
    [
      'events',
      'event_id,occurred_at,user_id,action,patient_id,category,channel',
      [
        `a,${t},u1,x,notes,${RAW},`, // category and patient_id swapped
        `b,${t},u1,x,,,${RAW}`,
        `c,${RAW},u1,x,,,`,
        `d,${t},u1,x,,,,${RAW}`, // one field too many
        `e,${t},u1,"${RAW},,,`, // never closed
        `f,${t},u\u00001,x,,,${RAW}`,
        `g,${t},u1,x,,,`,
      ],
    ],
    [
      'schedule',
      'user_id,kind,start,end,status,visit_type,patient_id',
      [
        `u1,${RAW},${t},2026-03-02T10:20:00Z,,,appointment`,
        `u1,appointment,${RAW},2026-03-02T10:20:00Z,,,`,
        `u1,appointment,${t},2026-03-02T10:20:00Z,${RAW},,`,
        `u1,appointment,${t},2026-03-02T10:20:00Z,,${RAW},`,
        `u1,appointment,${t},${RAW},,,`,
      ],
    ],
    [
      'orders',
      'order_id,user_id,signed_at,order_type,patient_id',
      [`o1,u1,${t},${RAW},lab`, `o2,u1,${RAW},lab,`],
    ],
    ['clinicians', 'user_id,role,fte,timezone', [`u1,md,${RAW},`, `u2,md,1,${RAW}`]],
    ['training', 'user_id,course,completed_at,hours', [`u1,c1,${t},${RAW}`, `u1,c2,${RAW},1`]],
    [
      'patient_events',
      'event_id,occurred_at,patient_id,action,actor',
      [`pe1,${t},p1,${RAW},`, `pe2,${t},p1,login,${RAW}`, `pe3,${RAW},p1,login,`],
    ],
    [
      'patient_accounts',
      'patient_id,activated_at,deactivated_at',
      [`p1,${RAW},`, `p2,${t},${RAW}`],
    ],
    [
      'messages',
      'message_id,sent_at,patient_id,clinician_id,direction',
      [`m1,${t},p1,u1,${RAW}`, `m2,${RAW},p1,u1,to_patient`],
    ],
    [
      'releases',
      'resource_id,patient_id,kind,available_at',
      [`r1,p1,${RAW},${t}`, `r2,p1,note,${RAW}`],
    ],
  ];
  for (const [table, header, rows] of files) {
    const file = join(dir, `misplaced-${table}.csv`);
    writeFileSync(file, [header, ...rows].join('\n') + '\n');
    const r = await importCsv(store, {
      table,
      file,
      pseudonymizer: p,
      rejectsDir: join(dir, 'rj'),
    });
    expect(r.rows_rejected, table).toBeGreaterThan(0);
    // the verbatim rows are kept in the owner-only rejects file, outside the store
    expect(readFileSync(r.rejects_file!, 'utf8')).toContain(RAW);
  }
  const epic = join(dir, 'misplaced-epic.csv');
  const head = 'ACCESS_INSTANT,PROCESS_ID,ACCESS_TIME,USER_ID,METRIC_ID,PAT_ID';
  writeFileSync(
    epic,
    [
      head,
      `5900000001,${RAW},2026-03-02 09:00:00,,17001,Z1`, // no USER_ID
      `5900000001,${RAW},2026-03-02 09:00:00,U1,17001,Z2`, // its identity, other content
      `5900000002,7001,${RAW},U1,17001,Z3`,
    ].join('\n') + '\n',
  );
  const r = await importEpicAccessLog(store, {
    table: 'events',
    file: epic,
    sourceTz: 'America/Chicago',
    pseudonymizer: p,
    rejectsDir: join(dir, 'rj'),
  });
  expect(r.rows_rejected).toBe(3);
  // Parquet: the value's JSON is the verbatim row in the rejects file, never in the store
  const pq = join(dir, 'misplaced.parquet');
  const w = await DuckDBStore.open(':memory:');
  await w.run(
    `COPY (SELECT 'q1' AS event_id, '${t}' AS occurred_at, 'u1' AS user_id, 'x' AS action,
       '${RAW}' AS category) TO '${pq}' (FORMAT parquet)`,
  );
  await w.close();
  const rp = await importParquet(store, {
    table: 'events',
    file: pq,
    pseudonymizer: p,
    rejectsDir: join(dir, 'rj'),
  });
  expect(rp.rows_rejected).toBe(1);
  const reasons = await store.all<{ reason: string }>(`SELECT reason FROM import_rejects`);
  expect(reasons.length).toBe(30);
  for (const { reason } of reasons) expect(reason).not.toContain(RAW);
}

describe('pseudonymization at import', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'uptake-privacy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('DuckDB: the database file never contains the raw identifier', async () => {
    const db = join(dir, 'p.duckdb');
    const store = await DuckDBStore.open(db);
    await importAll(store, dir);
    const [row] = await store.all<{ n: number }>(
      `SELECT count(DISTINCT patient_id) AS n FROM events`,
    );
    expect(row?.n).toBe(1);
    await importMisplaced(store, dir);
    await store.run('CHECKPOINT');
    await store.close();
    for (const f of readdirSync(dir).filter((x) => x.startsWith('p.duckdb'))) {
      const bytes = readFileSync(join(dir, f));
      expect(bytes.includes(Buffer.from(RAW)), f).toBe(false);
    }
    // the same patient gets the same pseudonym in every table
    const again = await DuckDBStore.open(db);
    const ids = await again.all<{ p: string }>(
      `SELECT * FROM (SELECT patient_id AS p FROM events UNION SELECT patient_id FROM schedule
         UNION SELECT patient_id FROM orders UNION SELECT patient_id FROM patient_events
         UNION SELECT patient_id FROM patient_accounts UNION SELECT patient_id FROM messages
         UNION SELECT patient_id FROM releases) WHERE p IS NOT NULL`,
    );
    expect(ids).toHaveLength(1);
    expect(ids[0]?.p).toMatch(/^P[0-9a-f]{32}$/);
    await again.close();
  });

  it.skipIf(!inject('pgUrl'))(
    'PostgreSQL: no text column of any table contains the raw identifier',
    async () => {
      const store = await PostgresStore.open(await freshPgDatabase(inject('pgUrl')!));
      try {
        await importAll(store, dir);
        await importMisplaced(store, dir);
        const cols = await store.all<{ t: string; c: string }>(
          `SELECT table_name AS t, column_name AS c FROM information_schema.columns
         WHERE table_schema = 'public' AND data_type IN ('text', 'character varying')`,
        );
        expect(cols.length).toBeGreaterThan(10);
        for (const { t, c } of cols) {
          const [hit] = await store.all<{ n: number }>(
            `SELECT count(*) AS n FROM "${t}" WHERE "${c}" LIKE $1`,
            [`%${RAW}%`],
          );
          expect(hit?.n, `${t}.${c}`).toBe(0);
        }
      } finally {
        await store.close();
      }
    },
  );
});

describe('format sniffing', () => {
  it('recognises each format and says what to use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'uptake-sniff-'));
    try {
      const cases: [string, string, string][] = [
        [
          'epic.csv',
          'ACCESS_INSTANT,PROCESS_ID,ACCESS_TIME,USER_ID,WORKSTATION_ID,METRIC_ID,METRIC_NAME,PAT_ID,CSN\n',
          'epic-access-log',
        ],
        [
          'a.ndjson',
          '{"resourceType":"AuditEvent","id":"1"}\n{"resourceType":"AuditEvent","id":"2"}\n',
          'fhir-ndjson',
        ],
        ['b.json', '{\n  "resourceType": "Bundle",\n  "entry": []\n}\n', 'fhir-json'],
        ['c.json', '{"hello": 1}\n', 'json'],
        ['d.csv', 'event_id,occurred_at,user_id,action\n', 'canonical-csv'],
        ['e.csv', '', 'empty'],
      ];
      for (const [name, text, want] of cases) {
        writeFileSync(join(dir, name), text);
        expect(await sniffFormat(join(dir, name)), name).toBe(want);
      }
      // importing FHIR as canonical CSV is refused, saying what the file looks like
      const store = await DuckDBStore.open(':memory:');
      const err = await importCsv(store, {
        table: 'events',
        file: join(dir, 'a.ndjson'),
        pseudonymizer: Pseudonymizer.load(join(dir, 'k')),
        rejectsDir: join(dir, 'rj'),
      }).catch((e: unknown) => e as Error);
      expect((err as Error).message).toContain(describeSniffed('fhir-ndjson'));
      const [n] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM imports`);
      expect(n?.n).toBe(0);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
