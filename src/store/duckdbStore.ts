/**
 * The embedded store: one DuckDB file, nothing to install or start. The file and its write-ahead
 * log hold password hashes, pseudonyms and the access log, so Uptake creates them readable by
 * their owner only (0600), like the pseudonymisation key.
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { chmodSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { UptakeError } from '../errors/UptakeError.ts';
import { DUCKDB } from './dialect.ts';
import { migrate } from './migrate.ts';
import {
  EXPORT_COPY_OPTIONS,
  pathLiteral,
  type ExportFormat,
  type Sql,
  type SqlValue,
  type StagedColumn,
  type StagingArea,
  type Store,
} from './Store.ts';

/** Turn engine values into plain JSON-friendly values: BIGINT → number, temporals → ISO-ish text. */
export function plainValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') {
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  }
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return String(v);
  return v;
}

function plainRows<T>(rows: Record<string, unknown>[]): T[] {
  for (const row of rows) {
    for (const k of Object.keys(row)) row[k] = plainValue(row[k]);
  }
  return rows as T[];
}

class DuckSql implements Sql {
  constructor(protected readonly conn: DuckDBConnection) {}
  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const reader = await this.conn.runAndReadAll(
      sql,
      params.length ? (params as DuckDBValue[]) : undefined,
    );
    return plainRows<T>(reader.getRowObjectsJS() as Record<string, unknown>[]);
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<void> {
    await this.conn.run(sql, params.length ? (params as DuckDBValue[]) : undefined);
  }
  async exec(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const result = await this.conn.run(sql, params.length ? (params as DuckDBValue[]) : undefined);
    return Number(result.rowsChanged);
  }
  async appendText(table: string, rows: readonly (readonly string[])[]): Promise<void> {
    const appender = await this.conn.createAppender(table);
    try {
      for (const row of rows) {
        for (const v of row) appender.appendVarchar(v);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }
  progress(): number | null {
    const p = this.conn.progress.percentage;
    return p >= 0 ? p / 100 : null;
  }
}

/**
 * From now on, files this process creates are readable and writable by their owner only: DuckDB
 * creates the database file when it opens it, and the `.wal` again at any later write after a
 * checkpoint removed it, in its own native code — a file mode cannot be passed, and a `chmod`
 * after the fact would leave the log world-readable between its creation and the `chmod`. The
 * process's other files (exports, rejects, the key) are private data too.
 */
function ownerOnlyFiles(): void {
  const before = process.umask(0o077);
  process.umask(before | 0o077);
}

/**
 * Make an existing store file and its write-ahead log owner-only (a store made before Uptake
 * created them so, e.g. an earlier demo). Files that do not exist are left alone.
 */
export function restrictStoreFiles(path: string): void {
  for (const f of [path, `${path}.wal`]) if (existsSync(f)) chmodSync(f, 0o600);
}

export class DuckDBStore extends DuckSql implements Store, StagingArea {
  readonly dialect = DUCKDB;
  private txDepth = 0;
  private constructor(
    private readonly instance: DuckDBInstance,
    conn: DuckDBConnection,
    readonly location: string,
  ) {
    super(conn);
  }

  /** Open (creating if needed) the DuckDB file at `path` (or `:memory:`) and migrate it. */
  static async open(path: string): Promise<DuckDBStore> {
    if (path !== ':memory:' && !existsSync(dirname(path) || '.')) {
      throw new UptakeError(
        'INVALID_INPUT',
        `--db ${path}: the folder ${dirname(path)} does not exist; create it or choose another path`,
      );
    }
    if (path !== ':memory:') ownerOnlyFiles();
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (e) {
      const msg = (e as Error).message;
      if (/lock/i.test(msg)) {
        throw new UptakeError(
          'CONFLICT',
          `${path} is in use by another Uptake process (DuckDB allows one writer); stop it or use another --db`,
          { cause: e },
        );
      }
      throw new UptakeError(
        'INVALID_INPUT',
        `cannot open ${path} as a DuckDB database: ${msg.split('\n')[0]}`,
        { cause: e },
      );
    }
    const conn = await instance.connect();
    // Text forms of instants and casts to DATE must never depend on the machine's time zone.
    await conn.run(`SET TimeZone = 'UTC'`);
    // Bound the engine's memory (it spills to disk beyond); DuckDB's own default is 80% of RAM.
    // 1.5 GB keeps a whole process (engine, Node.js) under 2 GB at 10 M events.
    const limit = process.env['UPTAKE_DUCKDB_MEMORY'] ?? '1536MB';
    if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(limit)) {
      throw new UptakeError(
        'INVALID_INPUT',
        `UPTAKE_DUCKDB_MEMORY=${limit} is not a size such as 2GB or 1536MB`,
      );
    }
    await conn.run(`SET memory_limit = '${limit}'`);
    const store = new DuckDBStore(instance, conn, path);
    await migrate(store);
    return store;
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    if (this.txDepth > 0) return fn(this);
    this.txDepth++;
    await this.run('BEGIN TRANSACTION');
    try {
      const out = await fn(this);
      await this.run('COMMIT');
      return out;
    } catch (e) {
      await this.run('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      this.txDepth--;
    }
  }

  async staging(): Promise<StagingArea> {
    return this;
  }

  async upload(_tx: Sql, stagedTable: string): Promise<string> {
    return stagedTable;
  }

  async exportQuery(
    select: string,
    _columns: readonly StagedColumn[],
    file: string,
    format: ExportFormat,
  ): Promise<number> {
    const [r] = await this.all<{ Count: number | bigint }>(
      `COPY (${select}) TO ${pathLiteral(file)} (${EXPORT_COPY_OPTIONS[format]})`,
    );
    return Number(r?.Count ?? 0);
  }

  async appendStaged(
    tx: Sql,
    stagedTable: string,
    columns: readonly StagedColumn[],
    table: string,
    importId: number,
  ): Promise<number> {
    const cols = columns.map((c) => c.name).join(', ');
    return tx.exec(
      `INSERT INTO ${table} (${cols}, import_id) SELECT ${cols}, $1 FROM ${stagedTable}`,
      [importId],
    );
  }

  /**
   * Another connection to the same database, for long reads that must not wait for (or be caught
   * in a transaction of) the store's own connection; close it before the store.
   */
  async connect(): Promise<Sql & { close(): void; interrupt(): void }> {
    const conn = await this.instance.connect();
    await conn.run(`SET TimeZone = 'UTC'`);
    return Object.assign(new DuckSql(conn), {
      close: () => conn.closeSync(),
      interrupt: () => conn.interrupt(),
    });
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
