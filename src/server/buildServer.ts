/**
 * `buildServer(store, opts)`: the HTTP server of Uptake — the JSON API under /api and the built
 * web app (web/dist) for every other path. The caller owns the store (and closes it after the
 * server). Tests drive the returned Fastify instance with `app.inject`.
 */
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UptakeError } from '../errors/UptakeError.ts';
import type { Store } from '../store/Store.ts';
import { AccessLog } from '../admin/accessLog.ts';
import { Accounts } from '../admin/accounts.ts';
import { readSettings } from '../admin/orgSettings.ts';
import { LoginLimiter, Sessions } from './auth.ts';
import { ReportCache } from './cache.ts';
import { GatedStore, type GateHooks } from './gate.ts';
import { openWorker } from '../store/worker.ts';
import { openApiDocument } from './openapi.ts';
import { defineRoute, type Services } from './routing.ts';
import { adminRoutes } from './routes/adminRoutes.ts';
import { analysisRoutes } from './routes/analysisRoutes.ts';
import { engagementRoutes } from './routes/engagementRoutes.ts';
import { followupRoutes } from './routes/followupRoutes.ts';
import { LaunchContexts } from './launches.ts';
import { helpRoutes } from './routes/helpRoutes.ts';
import { championRoutes } from './routes/championRoutes.ts';
import { programRoutes } from './routes/programRoutes.ts';
import { surveyRoutes } from './routes/surveyRoutes.ts';
import { Mailer, type SmtpConfig } from './mailer.ts';
import { ssoRoutes } from './routes/ssoRoutes.ts';
import { SingleSignOn, type SsoConfig } from './sso.ts';
import { compressApi, serveWebApp } from './transport.ts';
import { authRoutes, SESSION_COOKIE } from './routes/authRoutes.ts';
import { defaultRange, reportRoutes } from './routes/reportRoutes.ts';
import { API } from './contract.ts';

export interface ServerOptions {
  /** The built web app; default `web/dist` of this checkout; null for none. */
  webDir?: string | null;
  /** Behind a reverse proxy: trust X-Forwarded-* (client address, https for Secure cookies). */
  trustProxy?: boolean;
  logger?: FastifyServerOptions['logger'];
  /** Compute the default report in the background at start and after each import. */
  warmCache?: boolean;
  /** Largest upload accepted by POST /api/imports (default 2 GiB). */
  maxUploadBytes?: number;
  /** Session lifetime (default 12 hours). */
  sessionHours?: number;
  /**
   * How long a session, the organisation settings or the list of imports read from the store are
   * trusted before they are read again (default 2000 ms): the longest a session ended, a user or a
   * setting changed, or an import made by another process (a second server, `uptake users`,
   * `uptake settings` or `uptake import` on PostgreSQL) goes unseen here. Changes made through this server apply at once.
   */
  recheckMs?: number;
  /** For tests: slow writes of the store and of the access log (see `GateHooks`). */
  hooks?: GateHooks & { beforeLogFlush?: (entries: number) => Promise<void> };
  /** Failed sign-ins allowed per user name and address in the window (default 5 in 15 minutes). */
  loginFailures?: { max: number; windowMs: number };
  /** Pseudonym key file and rejects folder of uploads (default: as the CLI, beside the store). */
  keyFile?: string;
  rejectsDir?: string;
  /** Clock (tests). */
  now?: () => Date;
  /** Single sign-on (`ssoConfigFromEnv()` for `uptake serve`); none by default. */
  sso?: SsoConfig | null;
  /**
   * Origins allowed to show Uptake in a frame (`frameAncestorsFromEnv()` for `uptake serve`):
   * CSP `frame-ancestors` lists them, X-Frame-Options is left out (it cannot name another
   * origin), and cookies become partitioned (see `partitionedCookies`). None by default: no framing.
   */
  frameAncestors?: readonly string[];
  /** A one-off operator warning (default: a line on stderr, as `uptake serve` shows it). */
  warn?: (message: string) => void;
  /**
   * Where the program's notices are also e-mailed (`smtpConfigFromEnv()` for `uptake serve`);
   * without it, the `smtp` setting; without either, no e-mail.
   */
  smtp?: SmtpConfig | null;
  /** Tests: awaited before each background refresh of the day table (to hold it). */
  beforeDayRefresh?: () => Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The client address an X-Forwarded-For names (its last entry, the one the nearest proxy
     * added) while proxies are not trusted; null when trusted or absent.
     */
    untrustedForwardedFor: string | null;
  }
}

/** The operator's fix, named in the warning and the access log. */
export const PROXY_WARNING =
  'requests arrive with X-Forwarded-For but proxies are not trusted, so every client seems to ' +
  'come from the proxy’s address; failed sign-ins are counted per proxy and forwarded address ' +
  'until you restart with --trust-proxy (uptake serve --trust-proxy), which also makes session ' +
  'cookies Secure behind https';

/** See `ServerOptions.recheckMs`. */
export const DEFAULT_RECHECK_MS = 2000;

export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Uptake</title></head>
<body><h1>Uptake</h1>
<p>The API is running, but the web app has not been built: run <code>npm run build:web</code>
and reload this page. The API is described at <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</body></html>
`;

/**
 * Map any error to the closed set: `{error: {code, message}}` with the code's HTTP status. The one
 * place where framework errors (Fastify's FST_ERR_* codes, JSON parse errors, body limits, content
 * types, bad URI encoding, static-file errors) become Uptake's vocabulary; nothing the client sent
 * may surface as INTERNAL.
 */
export function toUptakeError(err: unknown): UptakeError {
  if (err instanceof UptakeError) return err;
  const e = (err ?? {}) as {
    statusCode?: number;
    status?: number;
    code?: string;
    message?: string;
  };
  const status = e.statusCode ?? e.status;
  const detail = (e.message ?? '').slice(0, 120);
  switch (e.code) {
    case 'FST_ERR_BAD_URL':
    case 'ERR_BAD_URI':
      return new UptakeError(
        'INVALID_INPUT',
        'the address is not valid URI encoding (a % must be followed by two hex digits)',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new UptakeError('INVALID_INPUT', 'the body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
    case 'FST_ERR_CTP_INVALID_CHARSET':
      return new UptakeError(
        'INVALID_INPUT',
        'unsupported content-type; send JSON (application/json; charset=utf-8), or a file as text/csv to POST /api/imports',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new UptakeError('TOO_LARGE', 'the request body is too large');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new UptakeError('INVALID_INPUT', 'the content-length does not match the body');
    case 'FST_ERR_NOT_FOUND':
      return new UptakeError('NOT_FOUND', 'not found');
  }
  if (status === undefined || status >= 500)
    return status === 503
      ? new UptakeError('UNAVAILABLE', 'the server is busy or stopping; try again shortly')
      : new UptakeError('INTERNAL', 'internal error; the server log has the details');
  switch (status) {
    case 401:
      return new UptakeError('UNAUTHENTICATED', 'sign in first');
    // The framework's 403 is the static files refusing a path outside the web app (`..`):
    // there is no such file to show, so it is said as NOT_FOUND (Uptake's own refusals are
    // UptakeErrors and keep FORBIDDEN).
    case 403:
    case 404:
    case 405:
      return new UptakeError('NOT_FOUND', 'not found');
    case 409:
      return new UptakeError('CONFLICT', 'conflict; reload and try again');
    case 413:
      return new UptakeError('TOO_LARGE', 'the request body is too large');
    case 415:
      return new UptakeError(
        'INVALID_INPUT',
        'unsupported content-type; send JSON (application/json), or a file as text/csv to POST /api/imports',
      );
    case 429:
      return new UptakeError('RATE_LIMITED', 'too many requests; wait a minute');
    default:
      // Any other 4xx of the framework: a JSON body that does not parse (or carries
      // __proto__), a header out of range, … — the client's input, said as such.
      return new UptakeError(
        'INVALID_INPUT',
        e instanceof SyntaxError || /JSON|prototype/i.test(detail)
          ? `the body is not valid JSON (${detail})`
          : `the request is not valid (${detail || `status ${status}`})`,
      );
  }
}

/** The closed-set answer of `err` (logged when INTERNAL). */
function sendError(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const e = toUptakeError(err);
  if (e.code === 'INTERNAL') req.log.error(err);
  if (e.retryAfterSeconds !== undefined)
    void reply.header('retry-after', String(e.retryAfterSeconds));
  void reply.code(e.httpStatus).send({ error: { code: e.code, message: e.message } });
}

export async function buildServer(
  store: Store,
  opts: ServerOptions = {},
): Promise<FastifyInstance> {
  const now = opts.now ?? (() => new Date());
  const db = await GatedStore.open(store, opts.hooks);
  const epochUs = (e: string) => store.dialect.epochUs(e);
  const app = Fastify({
    logger: opts.logger ?? false,
    trustProxy: opts.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    // Errors raised before routing (a URL that is not valid percent-encoding) join the closed set.
    frameworkErrors: (err, req, reply) => sendError(err, req, reply),
  });
  app.decorateRequest('auth', null);
  app.decorateRequest('untrustedForwardedFor', null);

  // The day table is refreshed on a connection of its own (its transaction must not take in the
  // requests' statements, nor wait for them).
  const warn = opts.warn ?? ((m: string) => process.stderr.write(`uptake: warning: ${m}\n`));
  const cache = new ReportCache(db, db.reader, {
    openWorker: () => openWorker(db.raw),
    warn,
    beforeDayRefresh: opts.beforeDayRefresh,
    rememberVersion: (read) => db.memo(read, opts.recheckMs ?? DEFAULT_RECHECK_MS),
  });
  let warming = false;
  let stopping = false;
  let warmAgain = false;
  const accounts = new Accounts(db, epochUs, now);
  const s: Services = {
    db,
    accounts,
    launches: new LaunchContexts(now),
    sessions: new Sessions(
      db,
      accounts,
      epochUs,
      now,
      opts.sessionHours ?? 12,
      opts.recheckMs ?? DEFAULT_RECHECK_MS,
    ),
    log: new AccessLog(db, epochUs, now, {
      appender: db.appender,
      beforeFlush: opts.hooks?.beforeLogFlush,
    }),
    cache,
    limiter: new LoginLimiter(
      opts.loginFailures?.max ?? 5,
      opts.loginFailures?.windowMs ?? 15 * 60_000,
      () => now().getTime(),
    ),
    // Read on every page: kept until a write through this server, or `recheckMs`.
    settings: db.memo(() => readSettings(db), opts.recheckMs ?? DEFAULT_RECHECK_MS),
    warm: () => {
      if (stopping) return;
      // Notice an import at once: the day table starts its refresh in the background.
      if (!opts.warmCache) {
        cache.check().catch(() => undefined);
        return;
      }
      // Asked again while warming (a new import landed): warm once more afterwards.
      if (warming) {
        warmAgain = true;
        return;
      }
      warming = true;
      warmAgain = false;
      void (async () => {
        await cache.check();
        const settings = await readSettings(db);
        const r = await defaultRange(s, await cache.facts(), settings.timezone);
        cache.pin('report', r.from, r.to, settings.options);
        await cache.dataset(r.from, r.to, settings.options);
      })()
        .catch((e: unknown) => {
          if (!stopping) app.log.warn(`cache warm-up failed: ${(e as Error).message}`);
        })
        .finally(() => {
          warming = false;
          if (warmAgain) s.warm();
        });
    },
    maxUploadBytes: opts.maxUploadBytes ?? 2 * 1024 ** 3,
    keyFile: opts.keyFile,
    rejectsDir: opts.rejectsDir,
    sso: opts.sso ? new SingleSignOn(opts.sso, now) : null,
    frameAncestors: opts.frameAncestors ?? [],
    routes: [],
  };

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: s.frameAncestors.length ? [...s.frameAncestors] : ["'none'"],
      },
    },
    // X-Frame-Options cannot allow another origin; with frame-ancestors set it would contradict
    // the policy (browsers that know CSP ignore it; the others would refuse the EHR's frame).
    ...(s.frameAncestors.length ? { xFrameOptions: false } : {}),
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) =>
      new UptakeError(
        'RATE_LIMITED',
        `too many requests from this address; try again in ${ctx.after}`,
      ),
  });

  app.setErrorHandler((err, req, reply) => sendError(err, req, reply));

  // A reverse proxy in front while not trusted: say so once (stderr and the access log), and
  // keep the forwarded address for the sign-in limiter (see LoginLimiter).
  let proxyWarned = false;
  app.addHook('onRequest', async (req) => {
    if (opts.trustProxy) return;
    const header = req.headers['x-forwarded-for'];
    const list = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
    const last = list[list.length - 1]!.trim().slice(0, 64);
    if (!last) return;
    req.untrustedForwardedFor = last;
    if (proxyWarned) return;
    proxyWarned = true;
    warn(PROXY_WARNING);
    await s.log.write({
      username: null,
      role: null,
      action: 'login',
      resource: 'proxy',
      outcome: 'failure',
      detail: `X-Forwarded-For without --trust-proxy: ${PROXY_WARNING}`,
      ip: req.ip,
    });
  });

  // The session of the cookie, for every API request.
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/')) return;
    const token = req.cookies[SESSION_COOKIE];
    if (!token) return;
    const session = await s.sessions.session(token);
    if (session) req.auth = { ...session, token };
  });
  // API answers are personal: never cached by the browser or a proxy.
  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });

  compressApi(app);

  // One mailer: the program's notices and the Settings page's test e-mail.
  const mailer = new Mailer(
    async () => opts.smtp ?? (await s.settings()).smtp,
    (m) => app.log.warn(m),
  );
  authRoutes(app, s);
  reportRoutes(app, s);
  adminRoutes(app, s, mailer);
  analysisRoutes(app, s);
  engagementRoutes(app, s);
  helpRoutes(app, s);
  programRoutes(app, s, { now, mailer });
  surveyRoutes(app, s, { now });
  followupRoutes(app, s, { now });
  championRoutes(app, s, { now });
  ssoRoutes(app, s);
  defineRoute(app, s, {
    ...API['GET /api/openapi.json'],
    tag: 'meta',
    summary: 'This description (OpenAPI 3.1, generated from the zod schemas)',
    access: 'public',
    async handler() {
      return openApiDocument(s.routes);
    },
  });

  const webDir = opts.webDir === undefined ? DEFAULT_WEB_DIR : opts.webDir;
  const hasWeb = !!webDir && existsSync(`${webDir}/index.html`);
  if (hasWeb) await serveWebApp(app, webDir);

  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || req.url === '/api') {
      void reply.code(404).send({
        error: {
          code: 'NOT_FOUND',
          message: `no such endpoint: ${req.method} ${req.url.split('?')[0]}`,
        },
      });
      return;
    }
    // A missing hashed asset is a 404, not the index page (a browser would run HTML as a script).
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.url.startsWith('/assets/')) {
      void reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'not found' } });
      return;
    }
    // The web app routes in the browser: every other page is its index.html.
    if (hasWeb) void reply.header('cache-control', 'no-cache').sendFile('index.html');
    else void reply.code(200).type('text/html; charset=utf-8').send(NOT_BUILT);
  });

  app.addHook('onReady', async () => s.warm());
  app.addHook('onClose', async () => {
    // Interrupt a metric run under way rather than wait for it.
    stopping = true;
    // Every view answered was stored before its answer; this waits for entries still queued.
    await s.log.flush();
    await cache.days.close();
    await db.close();
    await cache.idle();
  });
  return app;
}
