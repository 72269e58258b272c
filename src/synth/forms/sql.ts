/**
 * SQL plumbing of the form writers, which run on a scratch DuckDB of the store module
 * (`withScratchDuckDB`: one in-memory engine per conversion, bounded memory, spills to a temporary
 * folder): canonical CSV files read as text columns, `COPY … TO` a file, SQL literals.
 */
import { readCsvHeader } from '../../ingest/csvHeader.ts';
import { quoteLiteral } from '../../store/quote.ts';
import type { Sql } from '../../store/Store.ts';

/** A SQL string literal holding `JSON.stringify(v)`, or its members without the braces (`inner`). */
export function jsonLit(v: unknown, inner = false): string {
  const s = JSON.stringify(v);
  return quoteLiteral(inner ? s.slice(1, -1) : s);
}

/** The JSON text of a text expression (a JSON string, escaped as JSON.stringify does). */
export function js(expr: string): string {
  return `CAST(to_json(${expr}) AS VARCHAR)`;
}

/**
 * A subquery reading a canonical CSV file with every column as text, empty values as NULL, and the
 * columns `wanted` in this order (NULL when the file lacks an optional one). `required` columns
 * must be in the header.
 */
export async function canonicalCsv(
  file: string,
  wanted: readonly string[],
  required: readonly string[],
): Promise<string> {
  const header = await readCsvHeader(file);
  for (const c of required) {
    if (!header.includes(c)) throw new Error(`${file}: the column ${c} is missing`);
  }
  const cols = header.map((h, i) => `${quoteLiteral(`c${i}`)}: 'VARCHAR'`).join(', ');
  const sel = wanted
    .map((w) => {
      const i = header.indexOf(w);
      return i < 0 ? `CAST(NULL AS VARCHAR) AS "${w}"` : `nullif(c${i}, '') AS "${w}"`;
    })
    .join(', ');
  return `(SELECT ${sel} FROM read_csv(${quoteLiteral(file)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = {${cols}}))`;
}

/** `COPY (query) TO file` as CSV with a header; the number of rows written. */
export async function copyCsv(c: Sql, query: string, file: string): Promise<number> {
  return c.exec(`COPY (${query}) TO ${quoteLiteral(file)} (FORMAT csv, HEADER true)`);
}

/**
 * `COPY (SELECT line …) TO file` as NDJSON: the single text column of `query` (one JSON resource per
 * row) is written verbatim, one per line, with no header and no quoting.
 */
export async function copyLines(c: Sql, query: string, file: string): Promise<number> {
  return c.exec(
    `COPY (${query}) TO ${quoteLiteral(file)} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '')`,
  );
}
