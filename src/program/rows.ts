/**
 * Reading and writing the program's rows in the SQL both engines accept: instants travel as
 * ISO 8601 text cast to TIMESTAMPTZ and come back as epoch microseconds (exact on both engines,
 * whatever the session's time zone), dates as `YYYY-MM-DD` text. Column lists come from the zod
 * row schemas of src/model, so a column is named once.
 */
import { randomBytes } from 'node:crypto';
import type { Dialect } from '../store/dialect.ts';
import type { SqlValue } from '../store/Store.ts';

/** How each non-text column travels. */
export interface ColumnTypes {
  instants: ReadonlySet<string>;
  dates?: ReadonlySet<string>;
}

/** The SELECT list of `columns` (prefixed with `alias.` when given), converting instants and dates. */
export function selectList(
  d: Dialect,
  columns: readonly string[],
  t: ColumnTypes,
  alias?: string,
): string {
  const q = (c: string) => (alias ? `${alias}.${c}` : c);
  return columns
    .map((c) =>
      t.instants.has(c)
        ? `${d.epochUs(q(c))} AS ${c}`
        : t.dates?.has(c)
          ? `CAST(${q(c)} AS VARCHAR) AS ${c}`
          : q(c),
    )
    .join(', ');
}

/** Epoch microseconds (as either engine returns them) → ISO 8601 in UTC; null stays null. */
export function isoFromUs(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return new Date(Math.round(Number(v) / 1000)).toISOString();
}

/** A row as read, with its instants as ISO text and its booleans as booleans. */
export function fromDb(
  row: Record<string, unknown>,
  t: ColumnTypes & { booleans?: ReadonlySet<string> },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row))
    out[k] = t.instants.has(k)
      ? isoFromUs(v)
      : t.booleans?.has(k)
        ? v === null
          ? null
          : Boolean(v)
        : v;
  return out;
}

/** `INSERT INTO table (…) VALUES (…)` for `row`, casting instants and dates; returns sql and params. */
export function insertSql(
  table: string,
  row: Record<string, SqlValue>,
  t: ColumnTypes,
): { sql: string; params: SqlValue[] } {
  const cols = Object.keys(row);
  const values = cols.map((c, i) =>
    t.instants.has(c)
      ? `CAST($${i + 1} AS TIMESTAMPTZ)`
      : t.dates?.has(c)
        ? `CAST($${i + 1} AS DATE)`
        : `$${i + 1}`,
  );
  return {
    sql: `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${values.join(', ')})`,
    params: cols.map((c) => row[c] as SqlValue),
  };
}

/** A new id: time-ordered, with random bits so two at the same millisecond differ. */
export function newId(now: Date): string {
  return `${now.getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** `$first, $first+1, …` for a list of n values. */
export function placeholders(n: number, first = 1): string {
  return Array.from({ length: n }, (_, i) => `$${first + i}`).join(', ');
}
