/**
 * The server engine: PostgreSQL 15+ (and Citus for scale-out, see docs/scale-out.md). Same schema
 * and metric SQL as DuckDB; files are parsed and validated by an in-memory DuckDB (the staging
 * area) and streamed into PostgreSQL with COPY.
 */
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UptakeError } from '../errors/UptakeError.ts';
import { POSTGRES } from './dialect.ts';
import { DuckDBStore } from './duckdbStore.ts';
import { diskFull, isLostConnection, lostConnection, StoreFault } from './faults.ts';
import { migrate } from './migrate.ts';
import { quoteLiteral } from './quote.ts';
import { makeTempDir, removeTempDir } from './tempFiles.ts';
import {
  EXPORT_COPY_OPTIONS,
  type ExportFormat,
  type Sql,
  type SqlValue,
  type StagedColumn,
  type StagingArea,
  type Store,
} from './Store.ts';

// BIGINT and NUMERIC (sums of BIGINT) arrive as text; metrics and counts fit a double exactly
// (integers below 2^53), and DATE stays the ISO text it is.
pg.types.setTypeParser(20, (v) => (Math.abs(Number(v)) <= Number.MAX_SAFE_INTEGER ? Number(v) : v));
pg.types.setTypeParser(1700, (v) => Number(v));
pg.types.setTypeParser(1082, (v) => v);
pg.types.setTypeParser(1114, (v) => v);
pg.types.setTypeParser(1184, (v) => v);

/** One clear line for the ways a connection fails (exit 1), instead of a driver stack. */
export function connectionError(e: unknown, where: string): UptakeError {
  const err = e as { code?: string; message?: string };
  const msg = err.message ?? String(e);
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED')
    return new UptakeError(
      'UNAVAILABLE',
      `${where}: connection refused; is PostgreSQL running and listening there?`,
      { cause: e },
    );
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new UptakeError(
      'UNAVAILABLE',
      `${where}: unknown host; check the host name in the URL`,
      { cause: e },
    );
  if (code === '3D000')
    return new UptakeError(
      'NOT_FOUND',
      `${where}: ${msg}; create it (createdb) or fix the database name in the URL`,
      { cause: e },
    );
  if (code === '28P01' || code === '28000')
    return new UptakeError(
      'FORBIDDEN',
      `${where}: authentication failed; check the user and password in the URL`,
      { cause: e },
    );
  if (code === '42501')
    return new UptakeError(
      'FORBIDDEN',
      `${where}: insufficient privileges (${msg}); grant the user CREATE and USAGE on the schema, or connect as its owner`,
      { cause: e },
    );
  return new UptakeError('UNAVAILABLE', `${where}: ${msg.split('\n')[0]}`, { cause: e });
}

/** The URL without its password, for messages. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the database URL';
  }
}

class PgSql implements Sql {
  constructor(
    protected readonly q: pg.Pool | pg.ClientBase,
    protected readonly where: string,
  ) {}
  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    try {
      const r = await this.q.query(sql, params as unknown[]);
      return r.rows as T[];
    } catch (e) {
      throw this.wrap(e);
    }
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<void> {
    await this.all(sql, params);
  }
  async exec(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    try {
      const r = await this.q.query(sql, params as unknown[]);
      return r.rowCount ?? 0;
    } catch (e) {
      throw this.wrap(e);
    }
  }
  /** A driver error as the closed set's error where it is a fault of the connection or server. */
  protected wrap(e: unknown, whileCommitting = false): unknown {
    if (e instanceof UptakeError) return e;
    const code = (e as { code?: string }).code ?? '';
    if (code === '42501' || code === 'ECONNREFUSED') return connectionError(e, this.where);
    if (isLostConnection(e)) return lostConnection(e, this.where, whileCommitting);
    return diskFull(e, this.where) ?? e;
  }
}

/**
 * How often (ms) a PostgreSQL backend running a statement checks that its client is still there
 * (`client_connection_check_interval`, PostgreSQL 14+, on Linux servers): a client killed with
 * `kill -9` cannot cancel its statements, and without the check a long metric query would run to
 * its end for nobody.
 */
const CLIENT_CHECK_MS = 2000;

/** A pooled client with the backend process id the driver learned at connect. */
type BackendClient = pg.PoolClient & { processID?: number | null };

export class PostgresStore extends PgSql implements Store {
  readonly dialect = POSTGRES;
  /** The data is on a server, not in a file here. */
  readonly file = null;
  private stagingStore: DuckDBStore | null = null;
  private spillDir: string | null = null;
  /** Clients checked out now: their backends run this process's statements. */
  private readonly busy = new Set<BackendClient>();
  private constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
    private readonly url: string,
  ) {
    super(pool, location);
    pool.on('acquire', (c) => this.busy.add(c as BackendClient));
    pool.on('release', (_e, c) => this.busy.delete(c as BackendClient));
    pool.on('remove', (c) => this.busy.delete(c as BackendClient));
  }

  /** Connect (a pool), check the server answers, and migrate the schema. */
  static async open(url: string, opts: { citus?: boolean } = {}): Promise<PostgresStore> {
    const where = safeUrl(url);
    try {
      new URL(url);
      if (!/^postgres(ql)?:$/.test(new URL(url).protocol)) throw new Error('scheme');
    } catch {
      throw new UptakeError(
        'INVALID_INPUT',
        `${where} is not a PostgreSQL URL; expected postgres://user:password@host:5432/database`,
      );
    }
    // Every session in UTC, so that text forms of instants never depend on the server's zone;
    // from PostgreSQL 14, sessions also notice a client that went away (a killed CLI) within
    // seconds. Both are startup options of the connection: a query in the pool's 'connect' event
    // would overlap the pool's first query on the same client (deprecated by pg, an error in pg 9).
    let options = '-c TimeZone=UTC';
    const probe = new pg.Client({ connectionString: url, options });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      const [r] = (
        await probe.query<{ v: number }>(`SELECT current_setting('server_version_num')::int AS v`)
      ).rows;
      if (Number(r?.v ?? 0) >= 140000)
        options += ` -c client_connection_check_interval=${CLIENT_CHECK_MS}`;
    } catch (e) {
      throw connectionError(e, where);
    } finally {
      await probe.end().catch(() => undefined);
    }
    const pool = new pg.Pool({ connectionString: url, max: 8, options });
    pool.on('error', () => undefined);
    // A connection that breaks while a client is checked out (the server stopped, the session was
    // ended) is reported to the statement or COPY under way, which fails with a clear line; the
    // client's own 'error' event would otherwise crash the process ("Unhandled 'error' event").
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
    });
    const store = new PostgresStore(pool, where, url);
    try {
      await migrate(store, opts);
    } catch (e) {
      await store.close();
      throw e;
    }
    return store;
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw connectionError(e, this.location);
    }
    const tx = new PgTx(client, this.location);
    let committing = false;
    let lost = false;
    try {
      await client.query('BEGIN');
      const out = await fn(tx);
      committing = true;
      await client.query('COMMIT');
      return out;
    } catch (e) {
      // A lost connection's transaction is rolled back by the server itself (unless the loss came
      // during COMMIT: then nobody can tell), and its client is of no further use.
      lost = isLostConnection(e) || (e instanceof StoreFault && e.kind === 'connection-lost');
      if (!lost) await client.query('ROLLBACK').catch(() => undefined);
      throw this.wrap(e, committing);
    } finally {
      client.release(lost || undefined);
    }
  }

  /**
   * Cancel the statements this process is running on the server (pg's query cancel, from a
   * connection of its own): called when the process is stopped (SIGINT, SIGTERM), so that a long
   * metric query or COPY does not run on for nobody. Never fails.
   */
  async interrupt(): Promise<void> {
    const pids = [...this.busy]
      .map((c) => c.processID)
      .filter((p): p is number => typeof p === 'number' && p > 0);
    if (!pids.length) return;
    const c = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 3000 });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query(`SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) AS pid`, [pids]);
    } catch {
      // the server is gone: nothing runs there any more
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  async staging(): Promise<StagingArea> {
    if (!this.stagingStore) {
      const st = await DuckDBStore.open(':memory:');
      // Where the in-memory DuckDB spills a large file beyond its memory limit (by default `.tmp`
      // in the working folder, left there if the process is killed): a temporary folder of this
      // process, removed at close and swept after a kill like the staging CSVs.
      this.spillDir = await makeTempDir('spill');
      await st.run(`SET temp_directory = ${quoteLiteral(this.spillDir)}`);
      this.stagingStore = st;
    }
    return this.stagingStore;
  }

  /** COPY the staged rows (exported by DuckDB as CSV) into a temporary table of the transaction. */
  /** Write the staged rows (and the extra constant columns) as CSV that COPY reads. */
  private async stagedCsv(
    stagedTable: string,
    columns: readonly StagedColumn[],
    file: string,
    extra: readonly { name: string; value: number }[] = [],
  ): Promise<void> {
    const st = await this.staging();
    const sel = [
      ...columns.map((c) =>
        c.type === 'TIMESTAMPTZ'
          ? `strftime(${c.name} AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f+00') AS ${c.name}`
          : c.name,
      ),
      // Our own integers (an import id), never user text.
      ...extra.map((x) => `${Math.trunc(x.value)} AS ${x.name}`),
    ].join(', ');
    await st.run(
      `COPY (SELECT ${sel} FROM ${stagedTable}) TO ${quoteLiteral(file)} (FORMAT csv, HEADER false)`,
    );
  }

  async upload(tx: Sql, stagedTable: string, columns: readonly StagedColumn[]): Promise<string> {
    if (!(tx instanceof PgTx)) throw new Error('upload needs the transaction of this store');
    const dir = await makeTempDir('copy');
    const file = join(dir, 'rows.csv');
    const target = `up_${stagedTable}`;
    try {
      await this.stagedCsv(stagedTable, columns, file);
      const types: Record<StagedColumn['type'], string> = {
        VARCHAR: 'TEXT',
        TIMESTAMPTZ: 'TIMESTAMPTZ',
        BIGINT: 'BIGINT',
        DOUBLE: 'DOUBLE PRECISION',
      };
      await tx.run(
        `CREATE TEMP TABLE ${target} (${columns.map((c) => `${c.name} ${types[c.type]}`).join(', ')}) ON COMMIT DROP`,
      );
      await tx.copyIn(
        `COPY ${target} (${columns.map((c) => c.name).join(', ')}) FROM STDIN (FORMAT csv)`,
        file,
      );
      await tx.run(`ANALYZE ${target}`);
      return target;
    } finally {
      await removeTempDir(dir);
    }
  }

  async exportQuery(
    select: string,
    columns: readonly StagedColumn[],
    file: string,
    format: ExportFormat,
  ): Promise<number> {
    // PostgreSQL writes CSV (instants in UTC); DuckDB reads it with the columns' types and writes
    // the format asked for.
    const dir = await makeTempDir('export');
    const csv = join(dir, 'rows.csv');
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      await removeTempDir(dir);
      throw connectionError(e, this.location);
    }
    try {
      await client.query(`SET TIME ZONE 'UTC'`);
      await pipeline(
        client.query(copyTo(`COPY (${select}) TO STDOUT (FORMAT csv)`)),
        createWriteStream(csv),
      );
      const st = await this.staging();
      const types = columns.map((c) => `'${c.name}': '${c.type}'`).join(', ');
      const [r] = await st.all<{ Count: number | bigint }>(
        `COPY (SELECT * FROM read_csv(${quoteLiteral(csv)}, header = false, auto_detect = false,
           columns = {${types}})) TO ${quoteLiteral(file)} (${EXPORT_COPY_OPTIONS[format]})`,
      );
      return Number(r?.Count ?? 0);
    } catch (e) {
      throw this.wrap(e);
    } finally {
      client.release();
      await removeTempDir(dir);
    }
  }

  async appendStaged(
    tx: Sql,
    stagedTable: string,
    columns: readonly StagedColumn[],
    table: string,
    importId: number,
  ): Promise<number> {
    if (!(tx instanceof PgTx)) throw new Error('appendStaged needs the transaction of this store');
    const dir = await makeTempDir('copy');
    const file = join(dir, 'rows.csv');
    try {
      await this.stagedCsv(stagedTable, columns, file, [{ name: 'import_id', value: importId }]);
      return await tx.copyIn(
        `COPY ${table} (${[...columns.map((c) => c.name), 'import_id'].join(', ')}) FROM STDIN (FORMAT csv)`,
        file,
      );
    } finally {
      await removeTempDir(dir);
    }
  }

  progress(): number | null {
    return null;
  }

  async close(): Promise<void> {
    await this.stagingStore?.close();
    if (this.spillDir) await removeTempDir(this.spillDir);
    await this.pool.end();
  }
}

/** SQL on one client inside a transaction, with COPY FROM STDIN. */
class PgTx extends PgSql {
  constructor(
    private readonly client: pg.PoolClient,
    where: string,
  ) {
    super(client, where);
  }
  /** COPY … FROM STDIN of `file`; the rows copied. */
  async copyIn(sql: string, file: string): Promise<number> {
    try {
      const stream = this.client.query(copyFrom(sql));
      await pipeline(createReadStream(file), stream);
      return Number(stream.rowCount ?? 0);
    } catch (e) {
      throw this.wrap(e);
    }
  }
}

/** A plain session on a PostgreSQL server: statements, then `close`. */
export interface PostgresSession extends Sql {
  close(): Promise<void>;
}

/**
 * One plain session on the PostgreSQL server at `url` — no pool, no migration, outside any
 * store's schema — for administering the server itself (creating a database, a tablespace, a
 * trigger that injects a fault), as the test support in `src/testing` does around its throw-away
 * server; so that no code outside `src/store` imports the driver. A connection that breaks fails
 * the statement under way instead of crashing the process.
 */
export async function openPostgresSession(url: string): Promise<PostgresSession> {
  const where = safeUrl(url);
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    throw connectionError(e, where);
  }
  return Object.assign(new PgSql(client, where), { close: () => client.end() });
}
