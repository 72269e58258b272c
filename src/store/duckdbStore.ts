/**
 * The embedded store: one DuckDB file, nothing to install or start. The file and its write-ahead
 * log hold password hashes, pseudonyms and the access log, so Uptake creates them readable by
 * their owner only (0600), like the pseudonymisation key.
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { chmodSync, closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UptakeError } from '../errors/UptakeError.ts';
import { DUCKDB } from './dialect.ts';
import { diskFull } from './faults.ts';
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

/** A full disk as the closed set's one line (DuckDB reports it as an I/O error). */
function wrap(e: unknown): unknown {
  return diskFull(e) ?? e;
}

class DuckSql implements Sql {
  constructor(protected readonly conn: DuckDBConnection) {}
  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    try {
      const reader = await this.conn.runAndReadAll(
        sql,
        params.length ? (params as DuckDBValue[]) : undefined,
      );
      return plainRows<T>(reader.getRowObjectsJS());
    } catch (e) {
      throw wrap(e);
    }
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<void> {
    try {
      await this.conn.run(sql, params.length ? (params as DuckDBValue[]) : undefined);
    } catch (e) {
      throw wrap(e);
    }
  }
  async exec(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    try {
      const result = await this.conn.run(
        sql,
        params.length ? (params as DuckDBValue[]) : undefined,
      );
      return Number(result.rowsChanged);
    } catch (e) {
      throw wrap(e);
    }
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

/** Where every DuckDB database file says what it is: 'DUCK' after the header's 8-byte checksum. */
const MAGIC = { offset: 8, bytes: 'DUCK' } as const;

/** What a file that is not a DuckDB database looks like, from its first bytes, for the message. */
function looksLike(head: Buffer): string {
  if (head.subarray(0, 4).toString('latin1') === 'PAR1') return 'a Parquet file';
  if (head.subarray(0, 16).toString('latin1') === 'SQLite format 3\0') return 'a SQLite database';
  if (head.subarray(0, 2).toString('latin1') === 'PK') return 'a ZIP archive';
  // Text (a CSV, NDJSON, a log): no control bytes but tabs and line ends in what was read.
  if (head.length && !head.some((b) => b < 9 || (b > 13 && b < 32) || b === 127))
    return 'a text file (CSV, JSON or similar)';
  return 'a file of another kind';
}

/**
 * Refuse a path that is not an Uptake store before DuckDB opens it: an existing file must be a
 * DuckDB database (DuckDB itself would open a CSV or Parquet file as a read-only view, into which an
 * import "stores" rows that then vanish); a missing one is created only when `create` is true.
 * Messages name the path as the user gave it and say what to do.
 */
export function checkDuckDBFile(path: string, label: string, create: boolean): void {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return; // let DuckDB report it
    if (create) return;
    throw new UptakeError(
      'INVALID_INPUT',
      `${label}: no Uptake store there (no such file), and this command only reads one; check the path, or create the store by importing into it: uptake import <table> FILE --db ${path}`,
    );
  }
  if (st.isDirectory())
    throw new UptakeError(
      'INVALID_INPUT',
      `${label} is a folder, not an Uptake store; give the path of the store's .duckdb file (a new file name creates one)`,
    );
  const head = Buffer.alloc(16);
  let n = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      n = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return; // unreadable: DuckDB's own error names the reason
  }
  const magic = head.subarray(MAGIC.offset, MAGIC.offset + MAGIC.bytes.length).toString('latin1');
  if (magic === MAGIC.bytes) return;
  const what = n === 0 ? 'an empty file' : looksLike(head.subarray(0, n));
  throw new UptakeError(
    'INVALID_INPUT',
    `${label} is not an Uptake store: it is ${what}, not a DuckDB database; give --db the store's .duckdb file (a new file name creates one) and pass data files to uptake import`,
  );
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

  get file(): string | null {
    return this.location === ':memory:' ? null : this.location;
  }

  /**
   * Open the DuckDB file at `path` (or `:memory:`) and migrate it. A missing file is created
   * unless `create` is false (commands that only read); an existing file that is not a DuckDB
   * database is refused (`checkDuckDBFile`). `label` names the path in messages (how the user gave
   * it: `--db x.duckdb`, `UPTAKE_DB=…`).
   */
  static async open(
    path: string,
    opts: { create?: boolean; label?: string } = {},
  ): Promise<DuckDBStore> {
    const label = opts.label ?? `--db ${path}`;
    if (path !== ':memory:' && !existsSync(dirname(path) || '.')) {
      throw new UptakeError(
        'INVALID_INPUT',
        `${label}: the folder ${dirname(path)} does not exist; create it or choose another path`,
      );
    }
    if (path !== ':memory:') checkDuckDBFile(path, label, opts.create ?? true);
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
      `COPY (${select}) TO ${quoteLiteral(file)} (${EXPORT_COPY_OPTIONS[format]})`,
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

  /** Stop the statement running now (the process is being stopped); its transaction is not committed. */
  async interrupt(): Promise<void> {
    this.conn.interrupt();
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/**
 * Runs `work` on a fresh in-memory DuckDB of its own — not a store: nothing is migrated and
 * nothing kept — for work on files that is not the store's, such as the generator writing its
 * other file forms with `COPY … TO` (`src/synth/forms`). So that code outside `src/store` reaches
 * the engine through the `Sql` interface and never imports the driver. Its memory is bounded by
 * `UPTAKE_DUCKDB_MEMORY` (default 1 GB; sorts spill to a temporary folder, removed afterwards),
 * and it keeps the input's row order (`preserve_insertion_order`), so what it writes is
 * deterministic.
 */
export async function withScratchDuckDB<T>(work: (db: Sql) => Promise<T>): Promise<T> {
  const tmp = await makeTempDir('spill');
  try {
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: process.env['UPTAKE_DUCKDB_MEMORY'] ?? '1GB',
      temp_directory: tmp,
      preserve_insertion_order: 'true',
    });
    const conn = await instance.connect();
    try {
      return await work(new DuckSql(conn));
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  } finally {
    await removeTempDir(tmp);
  }
}
