/**
 * Serializes the server's use of a store where the engine needs it. A DuckDB store is one
 * connection: a transaction opened by one request would otherwise take in the statements of every
 * other request running meanwhile (and roll them back with it), so every statement and every
 * transaction runs alone. PostgreSQL hands each transaction its own pooled connection, so only
 * imports (which share one in-memory staging DuckDB) take turns.
 *
 * The long metric computations run on `reader`: for DuckDB a second connection to the same
 * database (so sign-ins and short pages do not wait behind them, and they never run inside an
 * import's transaction), one computation at a time; for PostgreSQL the pool.
 */
import { DuckDBStore } from '../store/duckdbStore.ts';
import type {
  ExportFormat,
  Sql,
  SqlValue,
  StagedColumn,
  StagingArea,
  Store,
} from '../store/Store.ts';

/** A promise queue: `run` calls execute one after another, in call order. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/** A read-only `Store` on its own DuckDB connection; its statements take turns. */
class ReaderStore implements Store {
  private readonly turns = new Mutex();
  private closed = false;
  constructor(
    private readonly main: Store,
    private readonly conn: Sql & { close(): void; interrupt(): void },
  ) {}
  private turn<T>(fn: () => Promise<T>): Promise<T> {
    return this.turns.run(() => {
      if (this.closed) throw new Error('the server is stopping');
      return fn();
    });
  }
  get dialect() {
    return this.main.dialect;
  }
  get location() {
    return this.main.location;
  }
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.turn(() => this.conn.all<T>(sql, params));
  }
  run(sql: string, params?: readonly SqlValue[]): Promise<void> {
    return this.turn(() => this.conn.run(sql, params));
  }
  exec(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.turn(() => this.conn.exec(sql, params));
  }
  /** Reads only: `fn`'s statements run one after another on the reader, without BEGIN. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.turn(() => fn(this.conn));
  }
  staging(): Promise<StagingArea> {
    throw new Error('the reader connection does not import');
  }
  upload(): Promise<string> {
    throw new Error('the reader connection does not import');
  }
  appendStaged(): Promise<number> {
    throw new Error('the reader connection does not import');
  }
  exportQuery(): Promise<number> {
    throw new Error('the reader connection does not import');
  }
  progress(): number | null {
    return null;
  }
  /** Stops a computation under way (the server is stopping) and closes the connection. */
  async close(): Promise<void> {
    this.closed = true;
    this.conn.interrupt();
    await this.turns.run(async () => this.conn.close());
  }
}

/** A `Store` whose statements and transactions take turns when the engine needs it. */
export class GatedStore implements Store {
  private readonly all_ = new Mutex();
  private readonly imports = new Mutex();
  private readonly serial: boolean;
  /** Where long reads (metric computations) run. */
  reader: Store = this;
  private constructor(readonly raw: Store) {
    this.serial = raw.dialect.name === 'duckdb';
  }

  static async open(raw: Store): Promise<GatedStore> {
    const g = new GatedStore(raw);
    if (raw instanceof DuckDBStore) g.reader = new ReaderStore(raw, await raw.connect());
    return g;
  }
  get dialect() {
    return this.raw.dialect;
  }
  get location() {
    return this.raw.location;
  }
  private gate<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial ? this.all_.run(fn) : fn();
  }
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.gate(() => this.raw.all<T>(sql, params));
  }
  run(sql: string, params?: readonly SqlValue[]): Promise<void> {
    return this.gate(() => this.raw.run(sql, params));
  }
  exec(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.gate(() => this.raw.exec(sql, params));
  }
  /** `fn` must use `tx` (never this store) for its statements. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.gate(() => this.raw.transaction(fn));
  }
  staging(): Promise<StagingArea> {
    return this.raw.staging();
  }
  upload(tx: Sql, stagedTable: string, columns: readonly StagedColumn[]): Promise<string> {
    return this.raw.upload(tx, stagedTable, columns);
  }

  exportQuery(
    select: string,
    columns: readonly StagedColumn[],
    file: string,
    format: ExportFormat,
  ): Promise<number> {
    return this.gate(() => this.raw.exportQuery(select, columns, file, format));
  }

  appendStaged(
    tx: Sql,
    stagedTable: string,
    columns: readonly StagedColumn[],
    table: string,
    importId: number,
  ): Promise<number> {
    return this.raw.appendStaged(tx, stagedTable, columns, table, importId);
  }
  progress(): number | null {
    return this.raw.progress();
  }
  /** Closes the reader connection only: the store belongs to its opener, who closes it. */
  async close(): Promise<void> {
    if (this.reader !== this) await this.reader.close();
  }
  /**
   * Run `fn` with the raw store and nothing else running that could interfere: for DuckDB no
   * other statement at all, for PostgreSQL no other import.
   */
  exclusive<T>(fn: (raw: Store) => Promise<T>): Promise<T> {
    return this.serial ? this.all_.run(() => fn(this.raw)) : this.imports.run(() => fn(this.raw));
  }
}
