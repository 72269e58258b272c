/**
 * The one CTE materialiser (`runChain`) on every engine: the same rows whether the engine runs a
 * chain as one query or stores it CTE by CTE; inserts inside the caller's transaction; nothing
 * left behind — the names free for the next chain, and a stored table that shares a CTE's name
 * (`users`, `sessions`) untouched, also when a statement fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import type { Store } from './Store.ts';
import { cte, param, runChain, selectChain, sql } from './cte.ts';

for (const engine of engines()) {
  describe(`runChain on ${engine.name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
      await store.run(`CREATE TABLE chain_t (k INTEGER, v INTEGER)`);
      await store.run(`INSERT INTO chain_t VALUES (1, 10), (2, 20), (3, 30), (4, 40)`);
    });
    afterAll(() => store.close());

    // `users` is also a stored table (accounts): the chain's CTE of that name must shadow it and
    // never change it.
    const chain = () => {
      const p = cte('p', sql`SELECT CAST(${param('min_k', 2)} AS INTEGER) AS min_k`);
      const users = cte(
        'users',
        sql`SELECT t.k, t.v * CAST(${param('times', 3)} AS INTEGER) AS w FROM chain_t t, ${p} WHERE t.k >= p.min_k`,
      );
      const total = cte('total', sql`SELECT CAST(sum(w) AS INTEGER) AS s FROM ${users}`);
      return { users, total };
    };
    const storedUsers = () => store.all(`SELECT count(*) AS n FROM users`);

    it('selects over the CTEs a statement reads, with its own parameters', async () => {
      const before = await storedUsers();
      const c = chain();
      const rows = await selectChain<{ k: number; w: number }>(
        store,
        sql`SELECT k, w FROM ${c.users} WHERE k <> ${param('skip', 3)} ORDER BY k`,
      );
      expect(rows.map((r) => [Number(r.k), Number(r.w)])).toEqual([
        [2, 60],
        [4, 120],
      ]);
      // Several statements over one chain, computed once (temporary tables on every engine).
      const [a, b] = await runChain(
        store,
        [sql`SELECT s FROM ${c.total}`, sql`SELECT count(*) AS n FROM ${c.users}`],
        { computeOnce: true },
      );
      expect(Number(a?.[0]?.['s'])).toBe(270);
      expect(Number(b?.[0]?.['n'])).toBe(3);
      expect(await storedUsers()).toEqual(before);
    });

    it('inserts inside the caller’s transaction and leaves the names free for the next chain', async () => {
      await store.run(`CREATE TABLE chain_out (k INTEGER, w INTEGER)`);
      await store.transaction(async (tx) => {
        for (const round of [1, 2]) {
          const c = chain();
          await runChain({ dialect: store.dialect, inTransaction: tx }, [
            {
              into: `INSERT INTO chain_out (k, w)`,
              select: sql`SELECT k, w * ${round} FROM ${c.users}`,
            },
            { into: `INSERT INTO chain_out (k, w)`, select: sql`SELECT 0, s FROM ${c.total}` },
          ]);
        }
      });
      const rows = await store.all<{ k: number; w: number }>(
        `SELECT k, w FROM chain_out ORDER BY k, w`,
      );
      expect(rows.map((r) => [Number(r.k), Number(r.w)])).toEqual([
        [0, 270],
        [0, 270],
        [2, 60],
        [2, 120],
        [3, 90],
        [3, 180],
        [4, 120],
        [4, 240],
      ]);
    });

    it('leaves nothing behind when a statement fails', async () => {
      const before = await storedUsers();
      const c = chain();
      for (const computeOnce of [false, true])
        await expect(
          runChain(store, [sql`SELECT no_such_column FROM ${c.users}`], { computeOnce }),
        ).rejects.toThrow(/no_such_column/);
      // The chain runs again (no table of its left over), and the stored table is as it was.
      const [rows] = await runChain(store, [sql`SELECT s FROM ${c.total}`], { computeOnce: true });
      expect(Number(rows?.[0]?.['s'])).toBe(270);
      expect(await storedUsers()).toEqual(before);
      await expect(store.all(`SELECT * FROM total`)).rejects.toThrow();
    });
  });
}
