/**
 * The few places where DuckDB and PostgreSQL SQL differ. Every other SQL string in Uptake is
 * written once in the dialect both engines accept; when you need a difference, add it here.
 */
export type DialectName = 'duckdb' | 'postgres';

export interface Dialect {
  readonly name: DialectName;
  /** Microseconds since the Unix epoch of a TIMESTAMPTZ expression, as BIGINT. */
  epochUs(expr: string): string;
  /** Integer division of two BIGINT expressions (truncating). */
  intDiv(a: string, b: string): string;
  /** A text expression compared byte by byte (PostgreSQL's default collation is the locale's). */
  binary(expr: string): string;
  /** A JSON/text column type for reports. */
  readonly jsonType: string;
  /** Cast to a double-precision float. */
  readonly double: string;
}

export const DUCKDB: Dialect = {
  name: 'duckdb',
  epochUs: (e) => `epoch_us(${e})`,
  intDiv: (a, b) => `((${a}) // (${b}))`,
  binary: (e) => e,
  jsonType: 'VARCHAR',
  double: 'DOUBLE',
};

export const POSTGRES: Dialect = {
  name: 'postgres',
  // date_part('epoch') is a double: its microseconds times 1e6 round back exactly (|t| < 2^53 µs),
  // and float arithmetic is many times faster than extract(epoch)'s numeric.
  epochUs: (e) => `round(date_part('epoch', ${e}) * 1000000)::bigint`,
  intDiv: (a, b) => `((${a}) / (${b}))`,
  binary: (e) => `${e} COLLATE "C"`,
  jsonType: 'TEXT',
  double: 'DOUBLE PRECISION',
};
