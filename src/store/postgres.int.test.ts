/**
 * PostgreSQL-specific behaviour: connection errors as one clear line, transactions that leave
 * nothing half-stored, the Citus layout, and parity with DuckDB on a synthetic system.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import pg from 'pg';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresStore } from './postgresStore.ts';
import { DuckDBStore } from './duckdbStore.ts';
import { freshPgDatabase } from '../testing/testEngines.ts';
import { UptakeError } from '../errors/UptakeError.ts';
import { importCsv } from '../ingest/importCsv.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { CITUS_LAYOUT } from './citus.ts';
import { generate, type GenerateResult } from '../synth/generate.ts';
import { TABLES } from '../model/canonical.ts';
import { clinicianMetrics, groupMetrics, parseRequest } from '../metrics/computeMetrics.ts';
import { CLINICIAN_FIELDS } from '../model/metricRow.ts';
import { WOW_WINDOWS } from '../model/options.ts';
import type { Store } from './Store.ts';

const adminUrl = inject('pgUrl');

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe.skipIf(!adminUrl)('PostgreSQL engine', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'uptake-pg-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says in one line what is wrong with a URL, a refused connection, a missing database', async () => {
    const refused = await PostgresStore.open('postgres://postgres@127.0.0.1:1/postgres').catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(UptakeError);
    expect((refused as UptakeError).message).toMatch(/connection refused; is PostgreSQL running/);
    const notPg = await PostgresStore.open('mysql://x@localhost/db').catch((e: unknown) => e);
    expect((notPg as UptakeError).message).toMatch(
      /is not a PostgreSQL URL; expected postgres:\/\//,
    );
    const u = new URL(adminUrl!);
    u.pathname = '/no_such_db';
    u.password = 'secret';
    const missing = await PostgresStore.open(u.toString()).catch((e: unknown) => e);
    expect((missing as UptakeError).code).toBe('NOT_FOUND');
    expect((missing as UptakeError).message).toMatch(/no_such_db.*does not exist; create it/);
    expect((missing as UptakeError).message).not.toContain('secret');
  });

  it('says so when the user may not create the schema', async () => {
    const url = await freshPgDatabase(adminUrl!);
    await admin(adminUrl!, (c) =>
      c.query(
        `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'limited') THEN CREATE ROLE limited LOGIN; END IF; END $$`,
      ),
    );
    const u = new URL(url);
    u.username = 'limited';
    const err = await PostgresStore.open(u.toString()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UptakeError);
    expect((err as UptakeError).code).toBe('FORBIDDEN');
    expect((err as UptakeError).message).toMatch(/insufficient privileges.*grant the user CREATE/);
  });

  it('leaves nothing half-stored when an import fails inside its transaction', async () => {
    const url = await freshPgDatabase(adminUrl!);
    await (await PostgresStore.open(url)).close(); // migrate as the owner
    await admin(url, async (c) => {
      await c.query(
        `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'importer') THEN CREATE ROLE importer LOGIN; END IF; END $$`,
      );
      await c.query(`GRANT USAGE ON SCHEMA public TO importer`);
      await c.query(
        `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO importer`,
      );
      await c.query(`REVOKE INSERT ON import_rejects FROM importer`);
    });
    const u = new URL(url);
    u.username = 'importer';
    const store = await PostgresStore.open(u.toString());
    try {
      const f = join(dir, 'ev.csv');
      writeFileSync(
        f,
        'event_id,occurred_at,user_id,action\na,2026-03-02T10:00:00Z,u1,x\nb,not-a-time,u1,x\n',
      );
      const err = await importCsv(store, {
        table: 'events',
        file: f,
        pseudonymizer: Pseudonymizer.load(join(dir, 'k')),
        rejectsDir: join(dir, 'r'),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UptakeError);
      expect((err as UptakeError).code).toBe('FORBIDDEN');
      const [n] = await store.all<{ n: number }>(
        `SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM imports) AS n`,
      );
      expect(n?.n).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('applies the Citus layout: events, schedule, orders, training and the day table by user_id, co-located; the patient side by patient_id, co-located; the roster, definitions and day-table bookkeeping as reference', async () => {
    // Citus is not packaged for this machine: stand-ins with Citus's signatures record the calls,
    // so the layout's statements run for real against PostgreSQL and can be checked.
    const url = await freshPgDatabase(adminUrl!);
    await admin(url, async (c) => {
      await c.query(`CREATE TABLE citus_calls (fn text, tbl text, col text, colocate text)`);
      await c.query(`CREATE SCHEMA citus_stub`);
      await c.query(
        `CREATE FUNCTION create_distributed_table(t regclass, col text, colocate_with text DEFAULT 'default') RETURNS void LANGUAGE sql AS $$ INSERT INTO citus_calls VALUES ('distributed', t::text, col, colocate_with) $$`,
      );
      await c.query(
        `CREATE FUNCTION create_reference_table(t regclass) RETURNS void LANGUAGE sql AS $$ INSERT INTO citus_calls VALUES ('reference', t::text, NULL, NULL) $$`,
      );
      await c.query(`CREATE TABLE pg_dist_partition_stub (logicalrelid regclass)`);
    });
    const store = await PostgresStore.open(url);
    try {
      for (const step of CITUS_LAYOUT) await store.run(step.sql);
      const calls = await store.all(`SELECT fn, tbl, col, colocate FROM citus_calls ORDER BY tbl`);
      expect(calls).toEqual([
        { fn: 'reference', tbl: 'action_names', col: null, colocate: null },
        { fn: 'reference', tbl: 'clinician_identifiers', col: null, colocate: null },
        { fn: 'reference', tbl: 'clinicians', col: null, colocate: null },
        { fn: 'distributed', tbl: 'events', col: 'user_id', colocate: 'default' },
        { fn: 'reference', tbl: 'golives', col: null, colocate: null },
        { fn: 'distributed', tbl: 'messages', col: 'patient_id', colocate: 'patient_events' },
        { fn: 'distributed', tbl: 'metric_day_patients', col: 'user_id', colocate: 'events' },
        { fn: 'reference', tbl: 'metric_day_sets', col: null, colocate: null },
        { fn: 'distributed', tbl: 'metric_days', col: 'user_id', colocate: 'events' },
        { fn: 'reference', tbl: 'metric_import_extents', col: null, colocate: null },
        { fn: 'distributed', tbl: 'orders', col: 'user_id', colocate: 'events' },
        {
          fn: 'distributed',
          tbl: 'patient_accounts',
          col: 'patient_id',
          colocate: 'patient_events',
        },
        { fn: 'distributed', tbl: 'patient_events', col: 'patient_id', colocate: 'none' },
        { fn: 'distributed', tbl: 'releases', col: 'patient_id', colocate: 'patient_events' },
        { fn: 'distributed', tbl: 'schedule', col: 'user_id', colocate: 'events' },
        { fn: 'reference', tbl: 'tool_rules', col: null, colocate: null },
        { fn: 'reference', tbl: 'tools', col: null, colocate: null },
        { fn: 'distributed', tbl: 'training', col: 'user_id', colocate: 'events' },
      ]);
      // Citus requires the distribution column in every unique constraint of a distributed table.
      const uniques = await store.all(
        `SELECT c.relname AS t FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
         WHERE k.contype IN ('p', 'u') AND c.relname IN ('events', 'schedule', 'orders', 'training', 'metric_days', 'metric_day_patients',
           'patient_events', 'patient_accounts', 'messages', 'releases')`,
      );
      expect(uniques).toEqual([]);
    } finally {
      await store.close();
    }
    const noCitus = await PostgresStore.open(await freshPgDatabase(adminUrl!), {
      citus: true,
    }).catch((e: unknown) => e);
    expect((noCitus as UptakeError).message).toMatch(/citus extension is not installed/);
  });

  describe('parity with DuckDB on a synthetic system', () => {
    let gen: GenerateResult;
    let duck: Store;
    let pgs: Store;
    beforeAll(async () => {
      gen = await generate({ outDir: join(dir, 'synth'), clinicians: 6, days: 21, seed: 3 });
      duck = await DuckDBStore.open(':memory:');
      pgs = await PostgresStore.open(await freshPgDatabase(adminUrl!));
      const p = Pseudonymizer.load(join(dir, 'parity-key'));
      for (const s of [duck, pgs])
        for (const t of TABLES)
          await importCsv(s, {
            table: t,
            file: gen.files[t],
            pseudonymizer: p,
            rejectsDir: join(dir, 'rj'),
          });
    }, 120_000);
    afterAll(async () => {
      await duck.close();
      await pgs.close();
    });

    it('stores the same rows', async () => {
      for (const t of TABLES) {
        const q = `SELECT count(*) AS n FROM ${t}`;
        expect((await pgs.all(q))[0]).toEqual((await duck.all(q))[0]);
      }
      const q = `SELECT count(DISTINCT patient_id) AS p, min(event_id) AS a, max(event_id) AS b FROM events`;
      expect(await pgs.all(q)).toEqual(await duck.all(q));
    });

    const combos: {
      direction: 'forward' | 'backward';
      over: 'drop' | 'cap';
      attribution: 'split' | 'start';
      wow: (typeof WOW_WINDOWS)[number];
    }[] = [];
    // Every pair of option values at least once (a covering array, not all 40 combinations: the
    // suite's time matters on 2 cores): each WOW window with a triple of the three binary options
    // and its complement, the triples 000, 011, 101, 110 and 000 again — so every WOW window meets
    // both values of each binary option, and each pair of binary options takes all four values.
    const triples = [0b000, 0b011, 0b101, 0b110, 0b000];
    WOW_WINDOWS.forEach((wow, i) => {
      for (const t of [triples[i % triples.length]!, 0b111 ^ triples[i % triples.length]!])
        combos.push({
          direction: t & 0b100 ? 'backward' : 'forward',
          over: t & 0b010 ? 'cap' : 'drop',
          attribution: t & 0b001 ? 'start' : 'split',
          wow,
        });
    });
    it('covers every pair of option values', () => {
      const pairs = new Set<string>();
      for (const c of combos) {
        const v = Object.entries(c).map(([k, x]) => `${k}=${x}`);
        for (const a of v) for (const b of v) if (a < b) pairs.add(`${a}|${b}`);
      }
      // 3 binary options: 3 pairs × 4 values; each with the 5 WOW windows: 3 × 2 × 5.
      expect(pairs.size).toBe(3 * 4 + 3 * 2 * WOW_WINDOWS.length);
    });

    it(`gives identical metric rows (1e-9) for ${combos.length} combinations of direction, over-timeout, attribution and WOW window covering every pair`, async () => {
      let i = 0;
      for (const c of combos) {
        const req = parseRequest({
          from: gen.from,
          to: gen.to,
          period: (['all', 'day', 'week', 'month'] as const)[i % 4],
          options: {
            timezone: gen.timezone,
            timeout_seconds: [300, 60, 900][i % 3]!,
            over_timeout: c.over,
            direction: c.direction,
            attribution: c.attribution,
            exclude_channels: i % 2 ? ['mobile'] : [],
            session_merge_gap_minutes: [60, 0, 15][i % 3]!,
            wow: c.wow,
          },
        });
        i++;
        const [a, b] = [await clinicianMetrics(duck, req), await clinicianMetrics(pgs, req)];
        expect(b.length).toBe(a.length);
        expect(a.length).toBeGreaterThan(0);
        a.forEach((ra, k) => {
          const rb = b[k]!;
          for (const f of CLINICIAN_FIELDS) {
            const x = ra[f];
            const y = rb[f];
            if (typeof x === 'number' && typeof y === 'number') {
              expect(
                Math.abs(x - y),
                `${JSON.stringify(c)} ${ra.user_id} ${f}`,
              ).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(x)));
            } else expect(y, `${JSON.stringify(c)} ${ra.user_id} ${f}`).toEqual(x);
          }
        });
      }
    }, 300_000);

    it('gives identical group rows', async () => {
      const req = parseRequest({
        from: gen.from,
        to: gen.to,
        period: 'week',
        options: {
          timezone: gen.timezone,
          timeout_seconds: 300,
          over_timeout: 'drop',
          direction: 'forward',
          attribution: 'split',
          exclude_channels: [],
          session_merge_gap_minutes: 60,
          wow: 'schedule',
        },
      });
      const a = await groupMetrics(duck, req, 'specialty', 5);
      const b = await groupMetrics(pgs, req, 'specialty', 5);
      expect(b.length).toBe(a.length);
      a.forEach((ra, k) => {
        for (const [key, v] of Object.entries(ra)) {
          const w = (b[k] as unknown as Record<string, unknown>)[key];
          if (typeof v === 'number')
            expect(Math.abs(v - (w as number))).toBeLessThanOrEqual(
              1e-9 * Math.max(1, Math.abs(v)),
            );
          else expect(w).toEqual(v);
        }
      });
    });
  });
});
