import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import { quoteIdent, quoteLiteral } from './quote.ts';
import type { Store } from './Store.ts';

describe('quoteLiteral and quoteIdent', () => {
  it('wrap the text and double the quote character', () => {
    expect(quoteLiteral("O'Brien")).toBe("'O''Brien'");
    expect(quoteLiteral('')).toBe("''");
    expect(quoteLiteral("''")).toBe("''''''");
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteIdent('end')).toBe('"end"');
  });
});

// Text an engine must read back unchanged: quotes of both kinds, an injection attempt, a
// backslash (a plain character in standard SQL strings), control characters, non-ASCII.
const TEXTS = ["it's", "'; DROP TABLE events; --", 'back\\slash', 'a"b', "\n'\t", 'é ü 日本'];

for (const engine of engines())
  describe(`quoted text read back by ${engine.name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
    });
    afterAll(() => store.close());
    for (const t of TEXTS)
      it(JSON.stringify(t), async () => {
        const [row] = await store.all<Record<string, unknown>>(
          `SELECT ${quoteLiteral(t)} AS v, 1 AS ${quoteIdent(t)}`,
        );
        expect(row).toEqual({ v: t, [t]: 1 });
      });
  });
