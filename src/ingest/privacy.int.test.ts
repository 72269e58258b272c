/**
 * No raw patient identifier ever reaches the store: the DuckDB file's bytes and every text column
 * of every PostgreSQL table are searched for a known raw identifier after imports of every table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { PostgresStore } from '../store/postgresStore.ts';
import { freshPgDatabase } from '../store/testEngines.ts';
import type { Store } from '../store/Store.ts';
import { importCsv } from './importCsv.ts';
import { Pseudonymizer } from './pseudonymize.ts';
import { sniffFormat, describeSniffed } from './sniff.ts';

const RAW = 'MRN-4711-RAW';

function writeFiles(dir: string): Record<'events' | 'schedule' | 'orders', string> {
  const f = {
    events: join(dir, 'events.csv'),
    schedule: join(dir, 'schedule.csv'),
    orders: join(dir, 'orders.csv'),
  };
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
    await store.run('CHECKPOINT');
    await store.close();
    for (const f of readdirSync(dir).filter((x) => x.startsWith('p.duckdb'))) {
      const bytes = readFileSync(join(dir, f));
      expect(bytes.includes(Buffer.from(RAW)), f).toBe(false);
    }
    // the same patient gets the same pseudonym in every table
    const again = await DuckDBStore.open(db);
    const ids = await again.all<{ p: string }>(
      `SELECT patient_id AS p FROM events UNION SELECT patient_id FROM schedule UNION SELECT patient_id FROM orders`,
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
