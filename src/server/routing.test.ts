/**
 * `defineRoute`'s `memoized` answers: an answer object returned again is checked against the
 * response schema and turned into JSON once, per route; fields outside the schema never leave.
 */
import Fastify from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineRoute, type RouteDef, type Services } from './routing.ts';

// The routes of this test are outside the API contract on purpose: `defineRoute`'s type only
// admits contract entries, its behaviour does not depend on them.
const define = defineRoute as (app: ReturnType<typeof Fastify>, s: Services, def: RouteDef) => void;

function app() {
  const a = Fastify();
  a.decorateRequest('auth', null);
  return a;
}

describe('memoized answers', () => {
  it('checks and writes an answer object once per route, and a new object again', async () => {
    const a = app();
    const s = { routes: [] } as unknown as Services;
    const schema = z.object({ n: z.number() });
    const parse = vi.spyOn(schema, 'safeParse');
    let page: { n: number; secret?: string } = { n: 1, secret: 'not in the contract' };
    for (const [url, memoized] of [
      ['/memo', true],
      ['/plain', false],
    ] as const)
      define(a, s, {
        method: 'GET',
        url,
        tag: 't',
        summary: url,
        access: 'public',
        response: schema,
        memoized,
        handler: async () => page,
      });
    const get = async (url: string) => {
      const r = await a.inject({ method: 'GET', url });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      return r.body;
    };
    expect(await get('/memo')).toBe('{"n":1}');
    expect(await get('/memo')).toBe('{"n":1}');
    expect(parse).toHaveBeenCalledTimes(1);
    // Another route returning the same object checks it against its own schema.
    expect(await get('/plain')).toBe('{"n":1}');
    expect(await get('/plain')).toBe('{"n":1}');
    expect(parse).toHaveBeenCalledTimes(3);
    // A new object (a new dataset, another view) is checked and written anew.
    page = { n: 2 };
    expect(await get('/memo')).toBe('{"n":2}');
    expect(parse).toHaveBeenCalledTimes(4);
    await a.close();
  });
});
