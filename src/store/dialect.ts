/**
 * The few places where DuckDB and PostgreSQL SQL differ. Every other SQL string in Uptake is
 * written once in the dialect both engines accept; when you need a difference, add it here.
 */
export type DialectName = 'duckdb' | 'postgres';

export interface Dialect {
  readonly name: DialectName;
  /** Microseconds since the Unix epoch of a TIMESTAMPTZ expression, as BIGINT. */
  readonly epochUs: (expr: string) => string;
  /** Integer division of two BIGINT expressions (truncating). */
  readonly intDiv: (a: string, b: string) => string;
  /** The TIMESTAMPTZ `expr` microseconds after the Unix epoch (a BIGINT, or text of one), exactly. */
  readonly fromEpochUs: (expr: string) => string;
  /** A text expression compared byte by byte (PostgreSQL's default collation is the locale's). */
  readonly binary: (expr: string) => string;
  /** A JSON/text column type for reports. */
  readonly jsonType: string;
  /** Cast to a double-precision float. */
  readonly double: string;
  /**
   * A statement that makes the transaction it runs in the only one, across every process, that
   * allocates import ids until it ends (so `max(import_id) + 1` cannot be taken twice); null where
   * the engine lets one process at a time write (DuckDB locks its file).
   */
  readonly lockImports: string | null;
}

export const DUCKDB: Dialect = {
  name: 'duckdb',
  epochUs: (e) => `epoch_us(${e})`,
  intDiv: (a, b) => `((${a}) // (${b}))`,
  fromEpochUs: (e) => `make_timestamptz(CAST(${e} AS BIGINT))`,
  binary: (e) => e,
  jsonType: 'VARCHAR',
  double: 'DOUBLE',
  lockImports: null,
};

export const POSTGRES: Dialect = {
  name: 'postgres',
  // date_part('epoch') is a double: its microseconds times 1e6 round back exactly (|t| < 2^53 µs),
  // and float arithmetic is many times faster than extract(epoch)'s numeric.
  epochUs: (e) => `round(date_part('epoch', ${e}) * 1000000)::bigint`,
  intDiv: (a, b) => `((${a}) / (${b}))`,
  // Whole seconds and the microseconds apart: a float of microseconds is inexact beyond 2^53 µs
  // (the years before 1685 and after 2255), whole seconds are exact far beyond year 9999.
  fromEpochUs: (e) =>
    `(to_timestamp(CAST(CAST(${e} AS BIGINT) / 1000000 AS DOUBLE PRECISION)) + (CAST(${e} AS BIGINT) % 1000000) * INTERVAL '1 microsecond')`,
  binary: (e) => `${e} COLLATE "C"`,
  jsonType: 'TEXT',
  double: 'DOUBLE PRECISION',
  // A transaction-scoped advisory lock (released at COMMIT or ROLLBACK, or when the session ends):
  // needs no privilege, and a concurrent import waits for it instead of failing on imports_pkey.
  // The key is Uptake's own constant ('upt' in ASCII).
  lockImports: `SELECT pg_advisory_xact_lock(7698548)`,
};
