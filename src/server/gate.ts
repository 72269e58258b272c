/**
 * How the server shares a store among concurrent requests without one request's statements
 * waiting for another's where the engine does not need it.
 *
 * DuckDB: the store's own connection ("main") takes every write and every transaction, one at a
 * time — a transaction open on a connection would take in the statements of every other request
 * running meanwhile (and roll them back with it), and DuckDB refuses (rather than waits for) two
 * connections changing the same rows at once. Reads need neither: a single `SELECT` (`all`)
 * outside a transaction runs on one of a few further connections to the same database
 * (`SHORT_READERS`), so that page views never queue behind writes, imports or each other. Such a
 * read sees every write that finished before it started (each is committed when it returns). The
 * access log appends on a connection of its own (`appender`): its rows are new rows with unique
 * ids, which cannot conflict with anything, so they are stored during an import too. The long
 * metric computations run on `reader`, one more connection, one computation at a time.
 *
 * PostgreSQL hands each statement and transaction a pooled connection of its own, so only imports
 * (which share one in-memory staging DuckDB) take turns; `reader` and `appender` are the pool.
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

/** A DuckDB connection of the gate's own. */
type Conn = Sql & { close(): void; interrupt(): void };

/** The statements the short-read connections may run: one `SELECT` (or `WITH … SELECT`). */
const READ = /^\s*(SELECT|WITH)\b/i;
/**
 * Anything that could change data or a connection's state keeps a statement on main. A false
 * alarm (the word inside a string) only costs the statement its turn on main, never correctness.
 */
const NOT_ONLY_READ =
  /\b(INSERT|UPDATE|DELETE|MERGE|COPY|CREATE|DROP|ALTER|ATTACH|DETACH|PRAGMA|SET|RESET|CALL|CHECKPOINT|EXPORT|IMPORT|INSTALL|LOAD|BEGIN|COMMIT|ROLLBACK|NEXTVAL|SETVAL)\b/i;

/** True when `sql` only reads, so it may run on any connection as its own transaction. */
export function onlyReads(sql: string): boolean {
  return READ.test(sql) && !NOT_ONLY_READ.test(sql);
}

/**
 * A few connections, each running one statement at a time; a statement takes the first free one
 * (or waits, first come first served). After `close` it answers `null` and the caller uses main.
 */
class ConnPool {
  private readonly free: Conn[];
  private readonly waiting: ((c: Conn) => void)[] = [];
  private busy = 0;
  private closed = false;
  private drained: (() => void) | null = null;
  constructor(private readonly conns: Conn[]) {
    this.free = [...conns];
  }
  async use<T>(fn: (c: Conn) => Promise<T>): Promise<{ out: T } | null> {
    if (this.closed) return null;
    let c = this.free.pop();
    if (c) this.busy++;
    // A connection handed over by `release` stays counted as busy.
    else c = await new Promise<Conn>((r) => this.waiting.push(r));
    try {
      return { out: await fn(c) };
    } finally {
      this.release(c);
    }
  }
  private release(c: Conn): void {
    const next = this.waiting.shift();
    if (next) return next(c);
    this.busy--;
    this.free.push(c);
    if (this.closed && !this.busy) this.drained?.();
  }
  /** Let running and waiting statements finish, then close every connection. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.busy)
      await new Promise<void>((r) => {
        this.drained = r;
      });
    for (const c of this.conns) c.close();
  }
}

/** One connection whose statements take turns (the access log's appender on DuckDB). */
class SerialSql implements Sql {
  private readonly turns = new Mutex();
  constructor(private readonly conn: Conn) {}
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.turns.run(() => this.conn.all<T>(sql, params));
  }
  run(sql: string, params?: readonly SqlValue[]): Promise<void> {
    return this.turns.run(() => this.conn.run(sql, params));
  }
  exec(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.turns.run(() => this.conn.exec(sql, params));
  }
  close(): Promise<void> {
    return this.turns.run(async () => this.conn.close());
  }
}

/** How many DuckDB connections serve single reads (sessions are in memory; pages read 2–3 rows). */
export const SHORT_READERS = 3;

/** For tests: make writes slow, to show that reads do not wait for them. */
export interface GateHooks {
  /** Awaited before each `run`/`exec` on the store (on DuckDB while holding main). */
  beforeWrite?: (sql: string) => Promise<void>;
}

/** A `Store` shared by concurrent requests: see the top of this file. */
export class GatedStore implements Store {
  private readonly main = new Mutex();
  private readonly imports = new Mutex();
  private readonly serial: boolean;
  private shortReads: ConnPool | null = null;
  /** Where long reads (metric computations) run. */
  reader: Store = this;
  /** Where the access log appends its rows. */
  appender: Sql = this;
  private appenderConn: SerialSql | null = null;
  /** Writes through this gate that have finished (see `memo`). */
  private writes = 0;
  private constructor(
    readonly raw: Store,
    private readonly hooks: GateHooks,
  ) {
    this.serial = raw.dialect.singleWriter;
  }

  static async open(raw: Store, hooks: GateHooks = {}): Promise<GatedStore> {
    const g = new GatedStore(raw, hooks);
    if (raw instanceof DuckDBStore) {
      g.reader = new ReaderStore(raw, await raw.connect());
      const conns: Conn[] = [];
      for (let i = 0; i < SHORT_READERS; i++) conns.push(await raw.connect());
      g.shortReads = new ConnPool(conns);
      g.appenderConn = new SerialSql(await raw.connect());
      g.appender = g.appenderConn;
    }
    return g;
  }
  get dialect() {
    return this.raw.dialect;
  }
  get location() {
    return this.raw.location;
  }
  private gate<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial ? this.main.run(fn) : fn();
  }
  private write<T>(sql: string, fn: () => Promise<T>): Promise<T> {
    const hook = this.hooks.beforeWrite;
    return this.counted(this.gate(hook ? () => hook(sql).then(fn) : fn));
  }
  private counted<T>(p: Promise<T>): Promise<T> {
    const done = () => {
      this.writes++;
    };
    p.then(done, done);
    return p;
  }
  /**
   * `read` remembered: answered from memory until a write through this gate (a statement, a
   * transaction or an import, not the access log) finishes or `maxAgeMs` passes — the bound for
   * a change made by another process. A read that a write overtook is used once, not kept.
   */
  memo<T>(read: () => Promise<T>, maxAgeMs: number): () => Promise<T> {
    let kept: { value: Promise<T>; at: number; writes: number } | null = null;
    return () => {
      const now = performance.now();
      if (kept && kept.writes === this.writes && now - kept.at < maxAgeMs) return kept.value;
      const entry = { value: read(), at: now, writes: this.writes };
      kept = entry;
      entry.value.catch(() => {
        if (kept === entry) kept = null;
      });
      return entry.value;
    };
  }
  async all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    if (this.shortReads && onlyReads(sql)) {
      const r = await this.shortReads.use((c) => c.all<T>(sql, params));
      if (r) return r.out;
    }
    return this.gate(() => this.raw.all<T>(sql, params));
  }
  run(sql: string, params?: readonly SqlValue[]): Promise<void> {
    return this.write(sql, () => this.raw.run(sql, params));
  }
  exec(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.write(sql, () => this.raw.exec(sql, params));
  }
  /** `fn` must use `tx` (never this store) for its statements. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.counted(this.gate(() => this.raw.transaction(fn)));
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
  /**
   * Closes the gate's own connections (reads that follow go to main); the store belongs to its
   * opener, who closes it.
   */
  async close(): Promise<void> {
    await this.shortReads?.close();
    await this.appenderConn?.close();
    if (this.reader !== this) await this.reader.close();
  }
  /**
   * Run `fn` with the raw store and nothing else running that could interfere: for DuckDB no
   * other statement on main (reads go on, on their own connections), for PostgreSQL no other
   * import.
   */
  exclusive<T>(fn: (raw: Store) => Promise<T>): Promise<T> {
    return this.counted(
      this.serial ? this.main.run(() => fn(this.raw)) : this.imports.run(() => fn(this.raw)),
    );
  }
}
