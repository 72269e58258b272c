/**
 * SQL from named pieces (`cte.ts`): parameters bound by name to the dialect's placeholders, the
 * chain a statement needs found from the CTEs it reads (never from its text), and the mistakes a
 * builder can make refused.
 */
import { describe, expect, it } from 'vitest';
import { DUCKDB, POSTGRES } from './dialect.ts';
import { applySql, bind, chainOf, cte, joinSql, param, query, sql, withCtes } from './cte.ts';

describe('named pieces of SQL', () => {
  it('binds each parameter name once, numbered by first use, whatever order they come in', () => {
    const from = param('from', '2026-01-05');
    const to = param('to', '2026-02-02');
    const q = bind(
      POSTGRES,
      sql`SELECT * FROM t WHERE d >= ${from} AND d < ${to} AND d <> ${from} LIMIT ${3}`,
    );
    expect(q.text).toBe('SELECT * FROM t WHERE d >= $1 AND d < $2 AND d <> $1 LIMIT 3');
    expect(q.values).toEqual(['2026-01-05', '2026-02-02']);
  });

  it('refuses one name with two values in a statement, and names that are not identifiers', () => {
    expect(() => bind(DUCKDB, sql`SELECT ${param('x', 1)}, ${param('x', 2)}`)).toThrow(
      'parameter x has two values',
    );
    expect(() => sql`SELECT ${param('x', 1)}, ${param('x', 2)}`.params).toThrow(/two values/);
    expect(() => param('x; DROP TABLE events', 1)).toThrow(/not a parameter name/);
    expect(() => cte('a b', sql`SELECT 1`)).toThrow(/not a CTE name/);
  });

  it('knows what a CTE binds and reads from how it was written', () => {
    const p = cte('p', sql`SELECT CAST(${param('from', '2026-01-05')} AS DATE) AS d_from`);
    const days = cte('days', sql`SELECT d_from + ${param('n', 3)} AS d FROM ${p}`);
    // The text names a table "p_days" and mentions "days": neither is a read.
    const other = cte('other', sql`SELECT 'days' AS x FROM p_days`);
    expect(p.params).toEqual({ from: '2026-01-05' });
    expect(days.params).toEqual({ n: 3 });
    expect(days.reads).toEqual([p]);
    expect(other.reads).toEqual([]);
  });

  it('orders a chain so that every CTE comes after those it reads, and keeps only what is read', () => {
    const p = cte('p', sql`SELECT 1 AS a`);
    const unused = cte('unused', sql`SELECT * FROM ${p}`);
    const b = cte('b', sql`SELECT * FROM ${p}`);
    const c = cte('c', sql`SELECT * FROM ${b}, ${p}`);
    const d = cte('d', sql`SELECT * FROM ${c} JOIN ${b} USING (a)`);
    expect(chainOf([sql`SELECT * FROM ${d}`]).map((x) => x.name)).toEqual(['p', 'b', 'c', 'd']);
    expect(
      chainOf([sql`SELECT * FROM ${b}`, sql`SELECT * FROM ${unused}`]).map((x) => x.name),
    ).toEqual(['p', 'b', 'unused']);
    const twin = cte('p', sql`SELECT 2 AS a`);
    expect(() => chainOf([sql`SELECT * FROM ${c}, ${twin}`])).toThrow(
      'two CTEs named p in one chain',
    );
  });

  it('writes a statement with the CTEs it needs, and its parameters across them', () => {
    const p = cte('p', sql`SELECT CAST(${param('n', 7)} AS INTEGER) AS n`);
    const q = cte('q', sql`SELECT n + ${param('k', 1)} AS m FROM ${p}`);
    const out = query(DUCKDB, sql`SELECT m, ${param('n', 7)} AS n FROM ${q}`);
    expect(out.text).toBe(
      'WITH p AS (SELECT CAST($1 AS INTEGER) AS n),\nq AS (SELECT n + $2 AS m FROM p)\nSELECT m, $1 AS n FROM q',
    );
    expect(out.values).toEqual([7, 1]);
    // Inlined, the CTEs are the query's own: two such queries can be parts of one statement.
    const other = cte('p', sql`SELECT 2 AS n`);
    const both = joinSql(
      [
        sql`(${withCtes(sql`SELECT m FROM ${q}`)})`,
        sql`(${withCtes(sql`SELECT n FROM ${other}`)})`,
      ],
      ' UNION ALL ',
    );
    expect(chainOf([both])).toEqual([]);
    expect(bind(DUCKDB, both).text).toBe(
      '(WITH p AS (SELECT CAST($1 AS INTEGER) AS n),\nq AS (SELECT n + $2 AS m FROM p)\nSELECT m FROM q) UNION ALL (WITH p AS (SELECT 2 AS n)\nSELECT n FROM p)',
    );
  });

  it('applies a dialect expression to a fragment that binds a value, wherever the expression puts it', () => {
    const us = sql`${param('us', '-62135596800000000')}`;
    expect(bind(DUCKDB, applySql(DUCKDB.fromEpochUs, us)).text).toBe(
      'make_timestamptz(CAST($1 AS BIGINT))',
    );
    // PostgreSQL's expression uses its argument twice: one parameter, bound once.
    const pg = bind(POSTGRES, applySql(POSTGRES.fromEpochUs, us));
    expect(pg.text.match(/\$1/g)).toHaveLength(2);
    expect(pg.values).toEqual(['-62135596800000000']);
  });
});
