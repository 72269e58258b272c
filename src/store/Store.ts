/**
 * The storage interface. Only `src/store` imports database drivers; everything else speaks SQL
 * through this interface, in the dialect both engines accept (see `dialect.ts`).
 */
import type { Dialect } from './dialect.ts';

/** A value bound to a `$n` placeholder. */
export type SqlValue = string | number | boolean | null | bigint;

/** Something that runs SQL with bound parameters. */
export interface Sql {
  /** Run a query and return its rows as plain objects (BIGINT as number, temporals as strings). */
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Run a statement. */
  run(sql: string, params?: readonly SqlValue[]): Promise<void>;
  /** Run a data-changing statement and return how many rows it changed. */
  exec(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface Store extends Sql {
  readonly dialect: Dialect;
  /** Where the data lives, safe to print (no password). */
  readonly location: string;
  /**
   * The database file on this machine when the store keeps its data in one (a DuckDB file), else
   * null (an in-memory database, a server): the files that belong with the data (the pseudonym
   * key, the rejects of imports) live beside it (`src/admin/paths.ts`). A view of a store (the
   * server's gated store) may leave it out: ask the store it wraps.
   */
  readonly file?: string | null;
  /** Run `fn` in one transaction: everything or nothing is stored. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * The DuckDB connection that parses and validates files with DuckDB's own readers: the store's
   * own connection for a DuckDB store, an in-memory DuckDB for PostgreSQL.
   */
  staging(): Promise<StagingArea>;
  /**
   * Make the rows of `stagedTable` (a table of the staging area with these columns) readable by
   * SQL on this store, and return the name to read them by: the same table for DuckDB, a
   * temporary table filled with COPY for PostgreSQL. Call inside the import's transaction.
   */
  upload(tx: Sql, stagedTable: string, columns: readonly StagedColumn[]): Promise<string>;
  /**
   * Append every row of `stagedTable` to `table` with `import_id` set, when the caller knows none
   * of them can collide with a stored row: PostgreSQL copies them straight into the table (no
   * temporary table, no anti-join). Returns the rows stored. Call inside the import's transaction.
   */
  appendStaged(
    tx: Sql,
    stagedTable: string,
    columns: readonly StagedColumn[],
    table: string,
    importId: number,
  ): Promise<number>;
  /**
   * Write the rows of `select` (whose result has `columns`) to `file` as Parquet, CSV (with a
   * header) or newline-delimited JSON, streamed by DuckDB's writers; instants in UTC. Returns
   * the rows written.
   */
  exportQuery(
    select: string,
    columns: readonly StagedColumn[],
    file: string,
    format: ExportFormat,
  ): Promise<number>;
  /** Fraction done (0–1) of the query running now, when the engine can tell. */
  progress(): number | null;
  /**
   * Stop the statements this store is running now, because the process is being stopped
   * (SIGINT, SIGTERM): PostgreSQL cancels them on the server, DuckDB interrupts its connection.
   * What was not committed is not stored. (Optional: views of a store, such as the server's
   * gated store, leave it to the store they wrap.)
   */
  interrupt?(): Promise<void>;
  close(): Promise<void>;
}

/** A DuckDB connection used to read files. */
export interface StagingArea extends Sql {
  progress(): number | null;
  /** Append text rows to an existing table of the staging area (fast, no SQL per row). */
  appendText(table: string, rows: readonly (readonly string[])[]): Promise<void>;
}

export type ExportFormat = 'parquet' | 'csv' | 'json';

/** DuckDB's COPY options of an export format. */
export const EXPORT_COPY_OPTIONS: Record<ExportFormat, string> = {
  parquet: `FORMAT parquet, COMPRESSION zstd`,
  csv: `FORMAT csv, HEADER true`,
  json: `FORMAT json`,
};

/** A column of a staged table: its name and its SQL type in the shared dialect. */
export interface StagedColumn {
  name: string;
  type: 'VARCHAR' | 'TIMESTAMPTZ' | 'BIGINT' | 'DOUBLE';
}
