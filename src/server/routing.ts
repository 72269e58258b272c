/**
 * How every API route is declared: who may call it, the zod schemas of its query, path, body and
 * response, and its handler. `defineRoute` registers the route with Fastify so that the rules
 * hold for every route alike — authentication, role, CSRF token on state changes, validation at
 * the edge, the response passed through its schema (fields outside the contract never leave) —
 * and records it for the OpenAPI description.
 */
import type { SingleSignOn } from './sso.ts';
import type { LaunchContexts } from './launches.ts';
import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { UptakeError } from '../errors/UptakeError.ts';
import type { AccessAction, AccessLog, Outcome } from '../admin/accessLog.ts';
import type { Accounts } from '../admin/accounts.ts';
import type { OrgSettings } from '../admin/orgSettings.ts';
import type { Role, User } from '../model/accounts.ts';
import type { LoginLimiter, Sessions } from './auth.ts';
import { sameSecret } from './auth.ts';
import type { ReportCache } from './cache.ts';
import type { GatedStore } from './gate.ts';
import type { Api, RouteKey } from './contract.ts';

export interface Auth {
  user: User;
  csrf: string;
  token: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: Auth | null;
  }
}

export interface Services {
  db: GatedStore;
  accounts: Accounts;
  sessions: Sessions;
  log: AccessLog;
  cache: ReportCache;
  limiter: LoginLimiter;
  settings(): Promise<OrgSettings>;
  /** Start computing the default report in the background (when enabled). */
  warm(): void;
  maxUploadBytes: number;
  keyFile: string | undefined;
  rejectsDir: string | undefined;
  /** Single sign-on (OpenID Connect, SMART on FHIR launch), when configured. */
  sso: SingleSignOn | null;
  /** The SMART launch behind each launched session (memory only). */
  launches: LaunchContexts;
  /** Origins allowed to show Uptake in a frame (CSP `frame-ancestors`); empty: none. */
  frameAncestors: readonly string[];
  /** Every declared route, for the OpenAPI description. */
  routes: RouteDef[];
}

/** `public`: anyone; `session`: any signed-in user; a list: signed-in users of those roles. */
export type Access = 'public' | 'session' | readonly Role[];

export interface Ctx<Q, P, B> {
  req: FastifyRequest;
  reply: FastifyReply;
  auth: Auth | null;
  query: Q;
  params: P;
  body: B;
}

/** A file a route sends as a download, removed (`cleanup`) once sent. */
export interface FileOut {
  path: string;
  type: string;
  name: string;
  cleanup(): Promise<void>;
}

export interface RouteDef<
  Q extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  /** State changes need the session's CSRF token, except where the contract says otherwise. */
  csrf?: boolean;
  query?: Q;
  params?: P;
  /** A JSON body's schema; `'stream'` for a raw upload (the handler reads `req.body`). */
  body?: B | 'stream';
  /** Without a response schema the route answers 204 No Content. */
  response?: R;
  /** The handler returns a URL: the route answers 302 Found to it (browser sign-on flows). */
  redirect?: boolean;
  /** The handler returns a `FileOut`: the route streams that file as a download. */
  file?: boolean;
  status?: number;
  /**
   * The handler may return the same answer object again (memoized per dataset and view): the
   * object is then checked against `response` and turned into JSON once, and the text reused
   * while the object lives. It must never be changed after it was returned.
   */
  memoized?: boolean;
  /**
   * Called when a signed-in caller's request fails after the role and CSRF checks (its query,
   * path or body is refused, or the handler throws), before the error is answered: e.g. to write
   * refused uploads to the access log.
   */
  onFailure?: (ctx: { req: FastifyRequest; auth: Auth | null }, e: unknown) => Promise<void>;
  /**
   * What the access log names when it refuses a request before the handler (CSRF, role), instead
   * of its path: for routes whose path would tie the caller to something (an anonymous survey).
   */
  logAs?: string;
  /** Fastify route config (e.g. rate limits). */
  config?: Record<string, unknown>;
  handler(ctx: Ctx<z.output<Q>, z.output<P>, z.output<B>>): Promise<z.input<R> | undefined | void>;
}

function parse<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  throw new UptakeError(
    'INVALID_INPUT',
    `${where}${path ? ` ${path}` : ''}: ${issue?.message ?? 'invalid'}`,
  );
}

/**
 * Register `def` with the rules above. Its method, path and schemas are an entry of the API
 * contract (`contract.ts`), spread into it — `{ ...API['GET /api/org'], access, handler }` — so a
 * route that is not in the contract, or that reads or answers otherwise than the contract says,
 * does not compile.
 */
export function defineRoute<
  Q extends z.ZodType,
  P extends z.ZodType,
  B extends z.ZodType,
  R extends z.ZodType,
>(app: FastifyInstance, s: Services, def: RouteDef<Q, P, B, R> & Api[RouteKey]): void {
  s.routes.push(def);
  const needsCsrf = def.csrf ?? def.method !== 'GET';
  /** The JSON text of the answer objects this route returned, when `memoized`. */
  const written = new WeakMap<object, string>();
  app.route({
    method: def.method,
    url: def.url,
    ...(def.config ? { config: def.config } : {}),
    handler: async (req, reply) => {
      const auth = req.auth;
      if (def.access !== 'public') {
        if (!auth) throw new UptakeError('UNAUTHENTICATED', 'sign in first (POST /api/login)');
        const path = def.logAs ?? req.url.split('?')[0] ?? req.url;
        if (needsCsrf) {
          const token = req.headers['x-csrf-token'];
          if (typeof token !== 'string' || !sameSecret(token, auth.csrf)) {
            await logAccess(
              s,
              req,
              auth,
              def.method === 'DELETE' ? 'delete' : def.method === 'PUT' ? 'update' : 'create',
              path,
              'missing or wrong CSRF token',
              'denied',
            );
            throw new UptakeError(
              'FORBIDDEN',
              'missing or wrong x-csrf-token header; send the csrf value of GET /api/me',
            );
          }
        }
        if (Array.isArray(def.access) && !def.access.includes(auth.user.role)) {
          await logAccess(
            s,
            req,
            auth,
            def.method === 'GET' ? 'view' : 'update',
            path,
            `role ${auth.user.role} may not use ${def.method} ${def.url}`,
            'denied',
          );
          throw new UptakeError(
            'FORBIDDEN',
            `this page is for ${def.access.join(' and ')} accounts; you are signed in as ${auth.user.role}`,
          );
        }
      }
      let out: Awaited<ReturnType<typeof def.handler>>;
      try {
        const query = def.query ? parse(def.query, req.query, 'query') : undefined;
        const params = def.params ? parse(def.params, req.params, 'path') : undefined;
        const body =
          def.body && def.body !== 'stream' ? parse(def.body, req.body, 'body') : req.body;
        out = await def.handler({
          req,
          reply,
          auth,
          query: query as z.output<Q>,
          params: params as z.output<P>,
          body: body as z.output<B>,
        });
      } catch (e) {
        if (def.onFailure) await def.onFailure({ req, auth }, e);
        throw e;
      }
      if (def.redirect) return reply.redirect(String(out), 302);
      if (def.file) {
        const f = out as unknown as FileOut;
        const stream = createReadStream(f.path);
        stream.on('close', () => void f.cleanup());
        reply
          .header('content-type', f.type)
          .header(
            'content-disposition',
            `attachment; filename="${f.name.replace(/[^\w.-]/g, '_')}"`,
          );
        return reply.send(stream);
      }
      if (!def.response) {
        reply.code(204);
        return reply.send();
      }
      reply.code(def.status ?? 200);
      // An answer object seen before (a handler's memoized page) was checked and written then.
      const key = def.memoized && typeof out === 'object' && out !== null ? (out as object) : null;
      const seen = key ? written.get(key) : undefined;
      if (seen !== undefined) {
        void reply.type('application/json; charset=utf-8');
        return seen;
      }
      const checked = def.response.safeParse(out);
      if (!checked.success) {
        req.log.error({ issues: checked.error.issues.slice(0, 5) }, 'response outside its schema');
        throw new UptakeError('INTERNAL', 'internal error: a response did not match its schema');
      }
      if (key) {
        const text = JSON.stringify(checked.data);
        written.set(key, text);
        void reply.type('application/json; charset=utf-8');
        return text;
      }
      return checked.data;
    },
  });
}

/** One entry of Uptake's access log: what the signed-in `auth` did through request `req`. */
export function logAccess(
  s: Services,
  req: { ip: string },
  auth: Auth | null,
  action: AccessAction,
  resource: string,
  detail?: string | null,
  outcome: Outcome = 'success',
): Promise<void> {
  return s.log.write({
    username: auth?.user.username ?? null,
    role: auth?.user.role ?? null,
    action,
    resource,
    outcome,
    detail,
    ip: req.ip,
  });
}
