/**
 * Runs a chain of CTEs and a final SELECT over them. DuckDB plans the whole chain as one query
 * well. PostgreSQL cannot know the sizes of CTE results and, on tens of millions of events, picks
 * plans that are orders of magnitude slower; there each CTE is materialized as a temporary table
 * with statistics (ANALYZE), in one transaction, and the final SELECT reads those tables.
 */
import type { Dialect } from '../store/dialect.ts';
import type { Sql, SqlValue, Store } from '../store/Store.ts';
import type { Cte } from './clinicianSql.ts';

/** `WITH a AS (…), b AS (…)` for one query. */
export function withClause(ctes: readonly Cte[]): string {
  return `WITH ${ctes.map((c) => `${c.name} AS (${c.body})`).join(',\n')}`;
}

/** Names of the CTEs that `sql` mentions, directly or through the CTEs it mentions. */
function needed(ctes: readonly Cte[], sql: string): Set<string> {
  const want = new Set<string>();
  const visit = (text: string) => {
    for (const c of ctes) {
      if (!want.has(c.name) && new RegExp(`\\b${c.name}\\b`).test(text)) {
        want.add(c.name);
        visit(c.body);
      }
    }
  };
  visit(sql);
  return want;
}

/**
 * Run `select` (which reads the CTEs by name) with `params` bound in the first CTE only.
 */
export async function runCtes<T>(
  store: Pick<Store, 'dialect' | 'all' | 'transaction'>,
  ctes: readonly Cte[],
  params: readonly SqlValue[],
  select: string,
): Promise<T[]> {
  const use = needed(ctes, select);
  const chain = ctes.filter((c) => use.has(c.name));
  if (store.dialect.name !== 'postgres')
    return store.all<T>(`${withClause(chain)}\n${select}`, params);
  return store.transaction(async (tx: Sql) => {
    await tx.run(`SET LOCAL jit = off`);
    for (const [i, c] of chain.entries()) {
      await tx.run(
        `CREATE TEMP TABLE ${c.name} ON COMMIT DROP AS ${c.body}`,
        i === 0 ? params : [],
      );
      await tx.run(`ANALYZE ${c.name}`);
    }
    return tx.all<T>(select);
  });
}

/** One statement over the chain: `insert` (e.g. `INSERT INTO t (a, b)`) of the rows of `select`. */
export interface ChainInsert {
  insert: string;
  select: string;
}

/**
 * Run several INSERT … SELECT statements over one chain of CTEs inside the caller's transaction
 * `tx` (the day table's fill). DuckDB: each statement carries the chain. PostgreSQL: the
 * CTEs the statements need are materialized once as temporary tables with statistics (as in
 * `runCtes`), then dropped, so the next chain of the same transaction can use the names again.
 */
export async function insertFromCtes(
  tx: Sql,
  dialect: Dialect,
  ctes: readonly Cte[],
  params: readonly SqlValue[],
  statements: readonly ChainInsert[],
): Promise<void> {
  if (dialect.name !== 'postgres') {
    // Every CTE, so that every parameter is used (DuckDB refuses unused ones); those the
    // statement does not read are not computed.
    for (const st of statements)
      await tx.run(`${st.insert}\n${withClause(ctes)}\n${st.select}`, params);
    return;
  }
  const use = needed(ctes, statements.map((s) => s.select).join('\n'));
  const chain = ctes.filter((c) => use.has(c.name));
  await tx.run(`SET LOCAL jit = off`);
  for (const [i, c] of chain.entries()) {
    await tx.run(`CREATE TEMP TABLE ${c.name} ON COMMIT DROP AS ${c.body}`, i === 0 ? params : []);
    await tx.run(`ANALYZE ${c.name}`);
  }
  for (const st of statements) await tx.run(`${st.insert}\n${st.select}`);
  for (const c of [...chain].reverse()) await tx.run(`DROP TABLE ${c.name}`);
}
