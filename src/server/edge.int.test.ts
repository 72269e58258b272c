/**
 * Input that validation accepts must never give a 500, and input it refuses answers in the closed
 * error set (`{"error":{"code","message"}}` with the code's status): the cases of issue 11 item 7
 * fired through the API on both engines, then a fuzz (fast-check) of odd paths and of random query
 * values for every GET route the OpenAPI description lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { ERROR_CODES } from '../errors/UptakeError.ts';
import { engines } from '../testing/testEngines.ts';
import {
  call,
  login,
  testSystem,
  removeTestDir,
  testDir,
  type Session,
  type TestSystem,
} from '../testing/testSystem.ts';

afterAll(removeTestDir);

/** The answer is an error of the closed set with its status and a message; returns its code. */
function closedError(r: LightMyRequestResponse): string {
  const what = `${r.statusCode} ${r.body.slice(0, 300)}`;
  expect(r.statusCode, what).not.toBe(500);
  const body = r.json() as { error?: { code?: string; message?: string } };
  expect(Object.keys(body), what).toEqual(['error']);
  const code = body.error?.code as keyof typeof ERROR_CODES;
  expect(Object.keys(ERROR_CODES), what).toContain(code);
  expect(ERROR_CODES[code].http, what).toBe(r.statusCode);
  expect(typeof body.error?.message, what).toBe('string');
  expect(body.error!.message!.length, what).toBeGreaterThan(0);
  return code;
}

/** Any answer but a 500; an error answer (4xx, 5xx) must be in the closed set. */
function neverOutside(r: LightMyRequestResponse): void {
  expect(r.statusCode, `${r.statusCode} ${r.body.slice(0, 300)}`).not.toBe(500);
  if (r.statusCode >= 400) closedError(r);
}

describe.each(engines())('the edge on $name', (engine) => {
  let sys: TestSystem;
  let admin: Session;

  beforeAll(async () => {
    // A built web app (one asset), so /assets/… goes through the static files.
    const webDir = join(testDir(), `web-${engine.name}`);
    mkdirSync(join(webDir, 'assets'), { recursive: true });
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Uptake</title>');
    writeFileSync(join(webDir, 'assets', 'app-abc123.js'), 'console.log(1);');
    sys = await testSystem(engine, { webDir });
    admin = await login(sys.app, sys.account('admin'));
  }, 600_000);
  afterAll(async () => sys?.close());

  const golive = (metric: string) =>
    `/api/golive?tool=${encodeURIComponent(sys.gen.goLive.tool)}&metric=${encodeURIComponent(metric)}`;

  it('refuses a metric outside the closed set, __proto__ included (400 naming the field)', async () => {
    for (const m of ['__proto__', 'constructor', 'toString', 'no_such_metric']) {
      const r = await call(sys.app, admin, 'GET', golive(m));
      expect(closedError(r), m).toBe('INVALID_INPUT');
      expect(r.json().error.message).toMatch(/metric/);
    }
  });

  it('refuses upload file names that are no plain file name (., .., hidden)', async () => {
    for (const name of ['.', '..', '...', '.env', 'a/b.csv', '../x.csv']) {
      const r = await call(
        sys.app,
        admin,
        'POST',
        `/api/imports?table=events&filename=${encodeURIComponent(name)}`,
        { payload: 'x\n', headers: { 'content-type': 'text/csv' } },
      );
      expect(closedError(r), name).toBe('INVALID_INPUT');
      expect(r.json().error.message, name).toMatch(/filename/);
    }
  });

  it('answers a path outside the web app or badly encoded as NOT_FOUND / INVALID_INPUT', async () => {
    for (const url of ['/assets/..%2f..%2fpackage.json', '/assets/no-such-file.js']) {
      const r = await sys.app.inject({ method: 'GET', url });
      expect(r.body, url).not.toContain('"name": "uptake"');
      expect(closedError(r), url).toBe('NOT_FOUND');
    }
    // Dot segments are resolved before routing: this is the page /package.json (the web app).
    const page = await sys.app.inject({ method: 'GET', url: '/assets/%2e%2e/%2e%2e/package.json' });
    expect(page.body).toBe('<!doctype html><title>Uptake</title>');
    const ok = await sys.app.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    expect(ok.statusCode).toBe(200);
    for (const url of ['/api/groups/department/%ZZ', '/api/org?from=%ZZ', '/%E0%A4%A']) {
      const r = await call(sys.app, admin, 'GET', url);
      expect(closedError(r), url).toBe('INVALID_INPUT');
    }
  });

  it('maps framework errors (JSON, content type, size, unknown route, method) into the closed set', async () => {
    const put = (payload: string, type = 'application/json') =>
      call(sys.app, admin, 'PUT', '/api/settings', { payload, headers: { 'content-type': type } });
    expect(closedError(await put('{"timezone":')), 'json').toBe('INVALID_INPUT');
    expect(closedError(await put('')), 'empty').toBe('INVALID_INPUT');
    expect(closedError(await put('{"__proto__":{"x":1}}')), 'proto').toBe('INVALID_INPUT');
    expect(closedError(await put('<a/>', 'application/xml'))).toBe('INVALID_INPUT');
    expect(closedError(await put(`{"timezone":"${'x'.repeat(2 * 1024 * 1024)}"}`))).toBe(
      'TOO_LARGE',
    );
    expect(closedError(await call(sys.app, admin, 'GET', '/api/no-such-thing'))).toBe('NOT_FOUND');
    expect(closedError(await call(sys.app, admin, 'PATCH' as 'PUT', '/api/settings'))).toBe(
      'NOT_FOUND',
    );
  });

  it('refuses metric options that would break every report, naming the field', async () => {
    const before = (await call(sys.app, admin, 'GET', '/api/settings')).json();
    for (const [options, field] of [
      [{ timeout_seconds: 1e12 }, 'timeout_seconds'],
      [{ timeout_seconds: 604_801 }, 'timeout_seconds'],
      [{ exclude_channels: ['desktop', 'mobile', 'web', 'api'] }, 'exclude_channels'],
      [{ session_merge_gap_minutes: 1e12 }, 'session_merge_gap_minutes'],
    ] as const) {
      const r = await call(sys.app, admin, 'PUT', '/api/settings', {
        payload: { metric_options: options },
      });
      expect(closedError(r), field).toBe('INVALID_INPUT');
      expect(r.json().error.message, field).toContain(field);
    }
    // Nothing changed, and the reports still answer.
    expect((await call(sys.app, admin, 'GET', '/api/settings')).json()).toEqual(before);
    const ok = await call(sys.app, admin, 'PUT', '/api/settings', {
      payload: { metric_options: { timeout_seconds: 3_600, exclude_channels: ['api'] } },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await call(sys.app, admin, 'GET', '/api/org')).statusCode).toBe(200);
    const back = await call(sys.app, admin, 'PUT', '/api/settings', {
      payload: { metric_options: before.metric_options },
    });
    expect(back.statusCode, back.body).toBe(200);
  });

  it('answers random query values on every GET route inside the closed set (fuzz)', async () => {
    const doc = (await call(sys.app, admin, 'GET', '/api/openapi.json')).json() as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const routes = Object.entries(doc.paths)
      .filter(([, ops]) => ops.get)
      // Sign-on redirects leave the API's JSON by design (302 to the identity provider).
      .filter(([p]) => !p.startsWith('/api/sso/'))
      .map(([path, ops]) => ({
        path,
        query: (ops.get!.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        params: (ops.get!.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
      }));
    expect(routes.length).toBeGreaterThan(10);
    const odd = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        '__proto__',
        'constructor',
        '',
        '.',
        '..',
        '-1',
        '1e309',
        'NaN',
        '9999-12-31',
        '0000-01-01',
        '2024-02-30',
        '%ZZ',
        '%00',
        'true',
        'x'.repeat(300),
      ),
      fc.integer().map(String),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.dictionary(fc.constantFrom('x', 'y'), odd),
        fc.array(odd, { minLength: 4, maxLength: 4 }),
        fc.array(odd, { minLength: 4, maxLength: 4 }),
        async (route, extra, queryValues, pathValues) => {
          let path = route.path;
          route.params.forEach((p, i) => {
            path = path.replace(`{${p}}`, encodeURIComponent(pathValues[i] || 'x'));
          });
          const q = new URLSearchParams();
          route.query.forEach((name, i) => {
            if (i < queryValues.length) q.set(name, queryValues[i]!);
          });
          for (const [k, v] of Object.entries(extra)) q.set(k, v);
          neverOutside(await call(sys.app, admin, 'GET', `${path}?${q.toString()}`));
        },
      ),
      { numRuns: 60, seed: 11 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.webSegment(), fc.constantFrom('..', '%2e%2e', '%2f', '%ZZ', '%')), {
          maxLength: 4,
        }),
        fc.constantFrom('/api/', '/assets/', '/', '/api/groups/department/'),
        async (segments, prefix) => {
          neverOutside(await call(sys.app, admin, 'GET', prefix + segments.join('/')));
        },
      ),
      { numRuns: 80, seed: 11 },
    );
  }, 300_000);
});

describe('uptake settings metric_options', () => {
  it('refuses options that would break every report, naming the field (exit 1)', () => {
    const db = join(testDir(), 'cli-settings.duckdb');
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'uptake.js');
    const settings = (value: string) =>
      spawnSync(process.execPath, [bin, 'settings', 'metric_options', value, '--db', db], {
        encoding: 'utf8',
        env: { ...process.env, UPTAKE_DB: '', DATABASE_URL: '' },
      });
    for (const [value, field] of [
      ['{"timeout_seconds":1e12}', 'timeout_seconds'],
      ['{"exclude_channels":["desktop","mobile","web","api"]}', 'exclude_channels'],
    ]) {
      const r = settings(value!);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^uptake: metric_options: ${field} `));
    }
    const ok = settings('{"timeout_seconds":600}');
    expect(ok.status, ok.stderr).toBe(0);
  }, 60_000);
});
