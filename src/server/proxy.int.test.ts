/**
 * Behind a reverse proxy without `--trust-proxy` (issue 11, item 16), through the API on both
 * engines: the first request with X-Forwarded-For warns once (the operator's stream and the
 * access log, naming `--trust-proxy`), and failed sign-ins no longer lock a user name for
 * everyone behind the proxy — while a forged header cannot buy unlimited guesses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { engines } from '../testing/testEngines.ts';
import { PROXIED_FACTOR } from './auth.ts';
import { login, testSystem, removeTestDir, type TestSystem } from '../testing/testSystem.ts';

afterAll(removeTestDir);

const PROXY = '10.9.9.9';
const MAX = 2;

describe.each(engines())('behind a reverse proxy on $name', (engine) => {
  let sys: TestSystem;
  let trusted: TestSystem;
  const warnings: string[] = [];
  const trustedWarnings: string[] = [];

  beforeAll(async () => {
    sys = await testSystem(engine, {
      loginFailures: { max: MAX, windowMs: 60_000 },
      warn: (m) => warnings.push(m),
    });
    trusted = await testSystem(engine, {
      empty: true,
      trustProxy: true,
      warn: (m) => trustedWarnings.push(m),
    });
  }, 600_000);
  afterAll(async () => {
    await sys?.close();
    await trusted?.close();
  });

  const signIn = (app: TestSystem['app'], username: string, password: string, xff?: string) =>
    app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username, password },
      remoteAddress: PROXY,
      ...(xff ? { headers: { 'x-forwarded-for': xff } } : {}),
    });

  it('warns once, at the first forwarded request, naming --trust-proxy (stderr and access log)', async () => {
    const a = sys.account('leader');
    expect((await signIn(sys.app, a.username, a.password)).statusCode).toBe(200);
    expect(warnings).toEqual([]);
    expect((await signIn(sys.app, a.username, a.password, '203.0.113.1')).statusCode).toBe(200);
    expect((await signIn(sys.app, a.username, a.password, '203.0.113.2')).statusCode).toBe(200);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('--trust-proxy');
    expect(warnings[0]).toContain('X-Forwarded-For');
    const logged = await sys.store.all<{ detail: string; ip: string }>(
      `SELECT detail, ip FROM access_log WHERE resource = 'proxy'`,
    );
    expect(logged).toHaveLength(1);
    expect(logged[0]!.detail).toContain('--trust-proxy');
    expect(logged[0]!.ip).toBe(PROXY);
  });

  it('locks a user name per proxy and forwarded address, not for the whole organisation', async () => {
    const a = sys.account('champion');
    for (let i = 0; i < MAX; i++)
      expect((await signIn(sys.app, a.username, 'wrong', '203.0.113.7')).statusCode).toBe(401);
    // The one who typed wrong is locked out, right password or not…
    expect((await signIn(sys.app, a.username, a.password, '203.0.113.7')).statusCode).toBe(429);
    // …the same user name from another desk behind the same proxy is not.
    const other = await signIn(sys.app, a.username, a.password, '198.51.100.4, 203.0.113.8');
    expect(other.statusCode, other.body).toBe(200);
  });

  it('still stops guessing when the header is forged anew on every attempt', async () => {
    const a = sys.account('clinician', 0);
    for (let i = 0; i < MAX * PROXIED_FACTOR; i++)
      expect((await signIn(sys.app, a.username, 'wrong', `192.0.2.${i}`)).statusCode).toBe(401);
    const r = await signIn(sys.app, a.username, a.password, '192.0.2.250');
    expect(r.statusCode).toBe(429);
    expect(r.json().error.code).toBe('RATE_LIMITED');
  }, 120_000);

  it('trusts the header and stays quiet with --trust-proxy', async () => {
    const a = trusted.account('admin');
    await login(trusted.app, a, PROXY);
    expect((await signIn(trusted.app, a.username, a.password, '203.0.113.9')).statusCode).toBe(200);
    expect(trustedWarnings).toEqual([]);
    const ips = await trusted.store.all<{ ip: string; resource: string }>(
      `SELECT ip, resource FROM access_log WHERE action = 'login' ORDER BY id`,
    );
    expect(ips.map((r) => r.resource)).not.toContain('proxy');
    expect(ips.at(-1)!.ip).toBe('203.0.113.9');
  });
});
