/**
 * How the server sends its bytes. The built web app: files under `/assets` have the hash of their
 * content in their names, so browsers keep them for a year without asking again; `index.html`
 * (which names the current assets) is revalidated on every load; every file goes out in the
 * Brotli or gzip form written beside it at build time (web/vite.config.ts) when the browser
 * accepts one. The API: JSON answers of 1 KB or more are compressed with Node's zlib.
 *
 * Why not @fastify/compress: the static files, the bulk of the bytes (a 600 KB chart bundle), are
 * better compressed once at build time at the highest level than on every request, which
 * @fastify/static's `preCompressed` serves; what remains is the API's JSON, a dozen lines of zlib
 * here, without a new dependency.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

/** Cache-Control of a file whose name changes whenever its content does. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** A built file whose name carries its content's hash (Vite writes those to `assets/`). */
const HASHED = /[\\/]assets[\\/][^\\/]+$/;

/** Serve the built web app in `root` (@fastify/static, precompressed, with the caching above). */
export async function serveWebApp(app: FastifyInstance, root: string): Promise<void> {
  await app.register(fastifyStatic, {
    root,
    index: 'index.html',
    preCompressed: true,
    // send's own header would be `public, max-age=0`; setHeaders sets ours.
    cacheControl: false,
    setHeaders(res, path) {
      res.setHeader('cache-control', HASHED.test(path) ? IMMUTABLE : 'no-cache');
      // The same URL answers in several encodings: caches must keep them apart.
      res.setHeader('vary', 'accept-encoding');
    },
  });
}

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** The preferred encoding the client accepts (`br`, else `gzip`), or null. */
export function acceptedEncoding(header: string | string[] | undefined): 'br' | 'gzip' | null {
  const accepted = new Set<string>();
  for (const part of String(header ?? '').split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && !(Number(q.slice(2)) > 0)) continue;
    accepted.add(token.trim());
  }
  return accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : null;
}

/**
 * Answers that carry a secret (the session's CSRF token) are never compressed: together with
 * text an attacker could place in the same answer, the compressed length could reveal it (BREACH).
 */
const SECRET = /^\/api\/(me|login)(\?|$)/;

/**
 * Answers compressed lately, by encoding and the SHA-256 of their text: many users viewing one
 * cached page get the same text, which is then compressed once rather than per request
 * (compression was the largest CPU cost of a page under load, issue #11). Keyed by a digest, not
 * the text itself: a Map hashes a string key over its whole length on every lookup (1.4 ms for a
 * 157 KB organisation page, against 0.2 ms for the digest). Bounded by the bytes it keeps; least
 * recently used first out.
 */
export class CompressedCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;
  constructor(private readonly maxBytes = 8 * 1024 * 1024) {}
  static key(text: string): string {
    return createHash('sha256').update(text).digest('base64');
  }
  get(key: string): Buffer | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }
  set(key: string, body: Buffer): void {
    if (body.length > this.maxBytes / 4 || this.entries.has(key)) return;
    this.entries.set(key, body);
    this.bytes += body.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.length;
    }
  }
}

/** Compress the API's JSON (and CSV) answers of 1 KB or more for clients that accept it. */
export function compressApi(app: FastifyInstance): void {
  const cached = { br: new CompressedCache(), gzip: new CompressedCache() };
  app.addHook(
    'onSend',
    async (req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
      if (!req.url.startsWith('/api/') || SECRET.test(req.url)) return payload;
      if (typeof payload !== 'string' || payload.length < 1024) return payload;
      if (reply.getHeader('content-encoding')) return payload;
      if (!/json|csv/.test(String(reply.getHeader('content-type') ?? ''))) return payload;
      reply.header('vary', 'accept-encoding');
      const enc = acceptedEncoding(req.headers['accept-encoding']);
      if (!enc) return payload;
      const key = CompressedCache.key(payload);
      let body = cached[enc].get(key);
      if (!body) {
        body =
          enc === 'br'
            ? await brotli(payload, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
            : await gzipped(payload, { level: 6 });
        cached[enc].set(key, body);
      }
      reply.header('content-encoding', enc);
      reply.removeHeader('content-length');
      return body;
    },
  );
}
