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
  /** The placeholder of a statement's `n`th bound value (1-based), for `src/store/cte.ts`. */
  placeholder(n: number): string;
  /**
   * Whether a chain of CTEs (the metric SQL, the day table, adoption) is first stored CTE by CTE,
   * each as a temporary table with statistics, before the statements read it (`runChain` in
   * `src/store/cte.ts`). PostgreSQL cannot know the sizes of CTE results and, on tens of millions
   * of events, picks plans orders of magnitude slower than with the tables' statistics; joining a
   * stored one-row table is then cheap. Where false (DuckDB), the engine plans a chain as one
   * query well, nothing is stored, and constants are best bound into the scans that they filter
   * (DuckDB made nested-loop joins of a one-row CTE with every event).
   */
  readonly materialiseCtes: boolean;
  /**
   * Statements that begin the transaction in which a chain is stored as temporary tables
   * (`runChain`). PostgreSQL: no JIT compilation — the planner's cost estimates of the chain's
   * statements over many rows pass `jit_above_cost`, and compiling each of dozens of one-off
   * statements costs more than it saves.
   */
  readonly analyticsSettings: readonly string[];
  /**
   * The statement that stores the rows of `select` as the temporary table `name`, read before any
   * stored table of that name by this connection only; dropped at commit where the engine can.
   */
  createTempTable(name: string, select: string): string;
  /** Drop the temporary table `name` if it exists — never a stored table of that name. */
  dropTempTable(name: string): string;
  /**
   * Whether a process must make its writes and transactions take turns on one connection: the
   * engine refuses, rather than waits for, two connections changing the same rows at once, and a
   * transaction open on the store's connection would take in the statements of every other
   * request (DuckDB). The server's gate (`src/server/gate.ts`) then queues them; where false
   * (PostgreSQL) each transaction has a pooled connection of its own and the engine's locks wait.
   */
  readonly singleWriter: boolean;
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
  placeholder: (n) => `$${n}`,
  materialiseCtes: false,
  analyticsSettings: [],
  // Temporary tables last as long as the connection: `runChain` drops them.
  createTempTable: (name, select) => `CREATE TEMP TABLE ${name} AS ${select}`,
  dropTempTable: (name) => `DROP TABLE IF EXISTS temp.main.${name}`,
  singleWriter: true,
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
  placeholder: (n) => `$${n}`,
  materialiseCtes: true,
  analyticsSettings: [`SET LOCAL jit = off`],
  createTempTable: (name, select) => `CREATE TEMP TABLE ${name} ON COMMIT DROP AS ${select}`,
  dropTempTable: (name) => `DROP TABLE IF EXISTS pg_temp.${name}`,
  singleWriter: false,
};
