/**
 * Quoting text into SQL, the one way for both engines (standard SQL, as DuckDB and PostgreSQL
 * with `standard_conforming_strings` read it). Values are bound as parameters wherever the engine
 * takes one; these are for the places it does not: a file path in `COPY … TO` or `read_csv(…)`, a
 * time-zone name in `AT TIME ZONE`, a regular expression or a reason in generated SQL, a column
 * name read from a file's header.
 */

/** `s` as a SQL string literal: in single quotes, each single quote doubled. */
export function quoteLiteral(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** `s` as a SQL identifier (a column or table name): in double quotes, each double quote doubled. */
export function quoteIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}
