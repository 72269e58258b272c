/**
 * DuckDB plumbing of the form writers: one in-memory engine per conversion (bounded memory, spills
 * to a temporary folder), canonical CSV files read as text columns, SQL literals.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsvHeader } from '../../ingest/csvHeader.ts';
import { quoteLiteral } from '../../store/quote.ts';

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

/** Runs `work` with a fresh in-memory DuckDB whose memory is bounded (sorts spill to a temp folder). */
export async function withDuckDB<T>(work: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  const tmp = await mkdtemp(join(tmpdir(), 'uptake-forms-'));
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: process.env.UPTAKE_DUCKDB_MEMORY ?? '1GB',
    temp_directory: tmp,
    preserve_insertion_order: 'true',
  });
  const conn = await instance.connect();
  try {
    return await work(conn);
  } finally {
    conn.closeSync();
    instance.closeSync();
    await rm(tmp, { recursive: true, force: true });
  }
}

/** `COPY (query) TO file` as CSV with a header. */
export async function copyCsv(c: DuckDBConnection, query: string, file: string): Promise<number> {
  const r = await c.run(`COPY (${query}) TO ${quoteLiteral(file)} (FORMAT csv, HEADER true)`);
  return Number(r.rowsChanged);
}

/**
 * `COPY (SELECT line …) TO file` as NDJSON: the single text column of `query` (one JSON resource per
 * row) is written verbatim, one per line, with no header and no quoting.
 */
export async function copyLines(c: DuckDBConnection, query: string, file: string): Promise<number> {
  const r = await c.run(
    `COPY (${query}) TO ${quoteLiteral(file)} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '')`,
  );
  return Number(r.rowsChanged);
}
