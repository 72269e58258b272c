/**
 * SQL built from named pieces, and the one way a chain of common table expressions runs.
 *
 * A fragment (`sql\`…\``) keeps its text, the bound values it uses (`param`: a name and a value)
 * and the CTEs it reads (`cte`: a name and a fragment) apart, as they were written: nothing is
 * ever recovered by parsing SQL text. A statement over a chain names the CTEs it reads; the chain
 * it needs is those CTEs and, before each, the CTEs it reads in turn. Values are bound with the
 * dialect's placeholders when a statement is run, numbered per statement, so the same piece can
 * be a CTE of one query or a temporary table of its own statement.
 *
 * `runChain` is the one materialiser (the metrics engine, the day table and adoption all use it).
 * It lives here, with the dialect, because how a chain runs is a property of the engine
 * (`Dialect.materialiseCtes`) and its temporary tables, not of any metric.
 */
import type { Dialect } from './dialect.ts';
import type { Sql, SqlValue, Store } from './Store.ts';

/** One bound value of a statement, by name. */
export interface Param {
  readonly kind: 'param';
  readonly name: string;
  readonly value: SqlValue;
}

const NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * A bound value named `name` (lower-case letters, digits, `_`). Within one statement a name
 * stands for one value: two different values under one name are a programming error.
 */
export function param(name: string, value: SqlValue): Param {
  if (!NAME.test(name)) throw new Error(`not a parameter name: ${name}`);
  return { kind: 'param', name, value };
}

type Part = string | Param | Cte;

/** SQL text with the parameters it binds and the CTEs it reads, kept apart. */
export class SqlFragment {
  constructor(readonly parts: readonly Part[]) {}
  /** The named parameters this fragment binds (not those of the CTEs it reads). */
  get params(): Readonly<Record<string, SqlValue>> {
    const out: Record<string, SqlValue> = {};
    for (const p of this.parts)
      if (typeof p !== 'string' && p.kind === 'param') {
        if (Object.hasOwn(out, p.name) && out[p.name] !== p.value)
          throw new Error(`parameter ${p.name} has two values`);
        out[p.name] = p.value;
      }
    return out;
  }
  /** The CTEs this fragment reads directly, in the order it first names them. */
  get reads(): readonly Cte[] {
    return [...new Set(this.parts.filter((p): p is Cte => p instanceof Cte))];
  }
}

/** What a fragment may interpolate: SQL text (ours, never a user's value), a number, a value, a CTE. */
export type SqlPiece = string | number | bigint | Param | Cte | SqlFragment;

function partsOf(x: SqlPiece): readonly Part[] {
  if (x instanceof SqlFragment) return x.parts;
  if (typeof x === 'number' || typeof x === 'bigint') return [String(x)];
  return [x];
}

/**
 * A fragment: the template's text, with each interpolation kept as what it is — SQL text is
 * inlined (so it must be our own: a column, a literal from a closed enum), a `param` stays a
 * bound value, a `cte` stays a reference to that CTE.
 */
export function sql(strings: TemplateStringsArray, ...values: readonly SqlPiece[]): SqlFragment {
  const parts: Part[] = [];
  strings.forEach((s, i) => {
    if (s) parts.push(s);
    if (i < values.length) parts.push(...partsOf(values[i] as SqlPiece));
  });
  return new SqlFragment(parts);
}

/** The fragments one after another, `sep` between them. */
export function joinSql(items: readonly SqlPiece[], sep: string): SqlFragment {
  return new SqlFragment(items.flatMap((x, i) => (i ? [sep, ...partsOf(x)] : partsOf(x))));
}

/**
 * `f`, a dialect's expression over SQL text (`Dialect.fromEpochUs`…), applied to a fragment that
 * may hold parameters: `f` is given a private marker, and the fragment's parts take its place.
 */
export function applySql(f: (expr: string) => string, arg: SqlFragment): SqlFragment {
  const mark = '\u0000arg\u0000';
  return joinSql(
    f(mark)
      .split(mark)
      .flatMap((text, i) => (i ? [arg, text] : [text])),
    '',
  );
}

/** One common table expression: its name, its SQL, and (from the SQL) its parameters and reads. */
export class Cte {
  readonly kind = 'cte';
  constructor(
    readonly name: string,
    readonly body: SqlFragment,
  ) {
    if (!NAME.test(name)) throw new Error(`not a CTE name: ${name}`);
  }
  /** The named parameters that the CTE's own SQL binds. */
  get params(): Readonly<Record<string, SqlValue>> {
    return this.body.params;
  }
  /** The CTEs its SQL reads. */
  get reads(): readonly Cte[] {
    return this.body.reads;
  }
}

/** The CTE `name AS (body)`. */
export function cte(name: string, body: SqlFragment): Cte {
  return new Cte(name, body);
}

/**
 * The CTEs that `statements` need, each after the CTEs it reads, in the order they are first
 * read. Two different CTEs of one name are a programming error.
 */
export function chainOf(statements: readonly SqlFragment[]): Cte[] {
  const out: Cte[] = [];
  const byName = new Map<string, Cte>();
  // A CTE can only read CTEs made before it, so there is no cycle to guard against.
  const visit = (c: Cte) => {
    const seen = byName.get(c.name);
    if (seen === c) return;
    if (seen) throw new Error(`two CTEs named ${c.name} in one chain`);
    for (const r of c.reads) visit(r);
    byName.set(c.name, c);
    out.push(c);
  };
  for (const s of statements) for (const c of s.reads) visit(c);
  return out;
}

/**
 * `statement` preceded by `WITH` and every CTE it needs: one self-contained query whose CTE names
 * are its own (so several can be parts of one statement), with the parameters of all of them.
 */
export function withCtes(statement: SqlFragment): SqlFragment {
  const chain = chainOf([statement]);
  const named = (f: SqlFragment): Part[] => f.parts.map((p) => (p instanceof Cte ? p.name : p));
  if (!chain.length) return new SqlFragment(named(statement));
  const parts: Part[] = ['WITH '];
  chain.forEach((c, i) => parts.push(i ? ',\n' : '', `${c.name} AS (`, ...named(c.body), ')'));
  parts.push('\n', ...named(statement));
  return new SqlFragment(parts);
}

/** A statement's text, with the dialect's placeholders, and the values they bind, in order. */
export interface BoundSql {
  text: string;
  values: SqlValue[];
}

/**
 * `fragment` as one statement: each distinct parameter name becomes the next placeholder of the
 * dialect (`$1`, `$2`, …), and every CTE it reads is named (a table or a CTE of the statement).
 */
export function bind(d: Dialect, fragment: SqlFragment): BoundSql {
  const index = new Map<string, number>();
  const values: SqlValue[] = [];
  let text = '';
  for (const p of fragment.parts) {
    if (typeof p === 'string') text += p;
    else if (p instanceof Cte) text += p.name;
    else {
      let i = index.get(p.name);
      if (i === undefined) {
        values.push(p.value);
        i = values.length;
        index.set(p.name, i);
      } else if (values[i - 1] !== p.value) throw new Error(`parameter ${p.name} has two values`);
      text += d.placeholder(i);
    }
  }
  return { text, values };
}

/** `statement` with the CTEs it reads, bound: a query to run as it is (`Sql.all`). */
export function query(d: Dialect, statement: SqlFragment): BoundSql {
  return bind(d, withCtes(statement));
}

/** One statement over a chain: the rows of `select`, or with `into` (`INSERT INTO t (a, b)`) their insertion. */
export interface ChainStatement {
  readonly into?: string;
  readonly select: SqlFragment;
}

/** A store that runs a chain in a transaction of its own when the chain needs one. */
export type ChainStore = Pick<Store, 'dialect' | 'all' | 'run' | 'transaction'>;
/** The caller's transaction, in which a chain runs (and leaves nothing behind). */
export interface ChainTransaction {
  readonly dialect: Dialect;
  readonly inTransaction: Sql;
}

export interface ChainOptions {
  /**
   * Compute each CTE once, into a temporary table that every statement reads, on every engine.
   * For a chain whose results are small but costly to compute, read by several statements
   * (adoption's four SELECTs then scan the events once). Without it, an engine that runs a chain
   * as one query (`Dialect.materialiseCtes` false) gives each statement the CTEs it reads, and
   * stores nothing: the metric chain's intermediate rows are as many as the events.
   */
  readonly computeOnce?: boolean;
}

type Rows = Record<string, unknown>[];

/**
 * Run `statements` over the CTEs they read; the rows of each (none for an INSERT).
 *
 * Where the dialect materialises CTEs (`materialiseCtes`), or with `computeOnce`, every CTE the
 * statements need becomes a temporary table (with statistics where the dialect materialises), in
 * one transaction — the store's own, or the caller's — after the dialect's `analyticsSettings`;
 * the statements read those tables, which are dropped afterwards (so a later chain of the same
 * transaction or connection can use the names again). Otherwise each statement is one query
 * carrying the CTEs it reads, run outside any transaction of ours (a single statement is one).
 */
export async function runChain<R extends Rows = Rows>(
  on: ChainStore | ChainTransaction,
  statements: readonly (SqlFragment | ChainStatement)[],
  opts: ChainOptions = {},
): Promise<R[]> {
  const d = on.dialect;
  const list = statements.map((s): ChainStatement =>
    s instanceof SqlFragment ? { select: s } : s,
  );
  const tx = 'inTransaction' in on ? on.inTransaction : null;
  if (!d.materialiseCtes && !opts.computeOnce) {
    const db: Pick<Sql, 'all' | 'run'> = tx ?? (on as ChainStore);
    const out: R[] = [];
    for (const st of list) {
      const q = query(d, st.select);
      const text = st.into ? `${st.into}\n${q.text}` : q.text;
      if (st.into) await db.run(text, q.values);
      else out.push((await db.all(text, q.values)) as R);
    }
    return out;
  }
  const run = (db: Sql) => materialised<R>(db, d, list);
  return tx ? run(tx) : (on as ChainStore).transaction(run);
}

/** The rows of `select` over the CTEs it reads (see `runChain`). */
export async function selectChain<T>(on: ChainStore, select: SqlFragment): Promise<T[]> {
  const [rows] = await runChain(on, [select]);
  return (rows ?? []) as T[];
}

async function materialised<R extends Rows>(
  db: Sql,
  d: Dialect,
  list: readonly ChainStatement[],
): Promise<R[]> {
  for (const s of d.analyticsSettings) await db.run(s);
  const made: string[] = [];
  const drop = async (quiet: boolean) => {
    for (const name of made.reverse()) {
      const p = db.run(d.dropTempTable(name));
      await (quiet ? p.catch(() => undefined) : p);
    }
    made.length = 0;
  };
  try {
    for (const c of chainOf(list.map((s) => s.select))) {
      const body = bind(d, c.body);
      await db.run(d.createTempTable(c.name, body.text), body.values);
      made.push(c.name);
      if (d.materialiseCtes) await db.run(`ANALYZE ${c.name}`);
    }
    const out: R[] = [];
    for (const st of list) {
      const q = bind(d, st.select);
      if (st.into) await db.run(`${st.into}\n${q.text}`, q.values);
      else out.push((await db.all(q.text, q.values)) as R);
    }
    await drop(false);
    return out;
  } catch (e) {
    // Where the engine keeps temporary tables beyond a failed statement (DuckDB outside a
    // transaction: the server's reader), they must not block the next chain; where the
    // transaction is aborted, its rollback removes them and these statements fail quietly.
    await drop(true);
    throw e;
  }
}
