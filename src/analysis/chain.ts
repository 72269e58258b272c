/**
 * Runs several SELECTs over one chain of CTEs: every CTE becomes a temporary table once, in one
 * transaction (on PostgreSQL with statistics, as `src/metrics/runCtes.ts` does), and the SELECTs
 * read those tables, so the scan of the events is done once however many SELECTs there are.
 *
 * Every bound value lives in the first CTE (a key/value table, see `boundValues`), so the chain
 * can be materialized CTE by CTE on PostgreSQL with the parameters bound in the first only.
 */
import type { Sql, SqlValue, Store } from '../store/Store.ts';
import type { Cte } from '../metrics/clinicianSql.ts';

/**
 * The first CTE of a chain: a table `(k, v)` of text values, every one bound. Scalars are one row
 * each; a list is one row per element under the same key.
 */
export function boundValues(
  name: string,
  values: readonly (readonly [string, string])[],
): { cte: Cte; params: SqlValue[] } {
  // An empty list would make an empty VALUES clause: one placeholder row keeps the shape.
  const rows = values.length ? values : ([['', '']] as const);
  const params: SqlValue[] = [];
  const body = `SELECT * FROM (VALUES ${rows
    .map(([k, v]) => {
      params.push(k, v);
      return `(CAST($${params.length - 1} AS VARCHAR), CAST($${params.length} AS VARCHAR))`;
    })
    .join(', ')}) AS t(k, v)`;
  return { cte: { name, body }, params };
}

/** Run each of `selects` over the chain `ctes` (parameters bound in the first CTE). */
export async function runChain<T extends readonly string[]>(
  store: Store,
  allCtes: readonly Cte[],
  params: readonly SqlValue[],
  selects: T,
): Promise<{ [K in keyof T]: Record<string, unknown>[] }> {
  // Only the CTEs the SELECTs read (directly or through other CTEs), and always the first, which
  // holds the parameters.
  const want = new Set<string>();
  const visit = (text: string) => {
    for (const c of allCtes)
      if (!want.has(c.name) && new RegExp(`\\b${c.name}\\b`).test(text)) {
        want.add(c.name);
        visit(c.body);
      }
  };
  for (const s of selects) visit(s);
  const ctes = allCtes.filter((c, i) => i === 0 || want.has(c.name));
  // Each CTE is computed once, as a temporary table (PostgreSQL: with statistics, dropped at
  // commit; DuckDB: dropped at the end), and the SELECTs read those tables.
  const pg = store.dialect.name === 'postgres';
  return store.transaction(async (tx: Sql) => {
    if (pg) await tx.run(`SET LOCAL jit = off`);
    const made: string[] = [];
    try {
      for (const [i, c] of ctes.entries()) {
        if (!pg) await tx.run(`DROP TABLE IF EXISTS ${c.name}`);
        await tx.run(
          `CREATE TEMP TABLE ${c.name} ${pg ? 'ON COMMIT DROP ' : ''}AS ${c.body}`,
          i === 0 ? params : [],
        );
        made.push(c.name);
        if (pg) await tx.run(`ANALYZE ${c.name}`);
      }
      const out: Record<string, unknown>[][] = [];
      for (const s of selects) out.push(await tx.all(s));
      return out as { [K in keyof T]: Record<string, unknown>[] };
    } finally {
      if (!pg) for (const name of made.reverse()) await tx.run(`DROP TABLE IF EXISTS ${name}`);
    }
  });
}
