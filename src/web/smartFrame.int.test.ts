/// <reference lib="dom" />
/**
 * A SMART launch from inside an EHR's page, in Debian's Chromium (driven by playwright-core): the
 * "EHR" is a page on another site (http://127.0.0.1:<port>; Uptake is http://localhost:<port>, a
 * different site for cookies) that embeds Uptake's launch URL in an iframe, as EHRs do; the
 * authorization server and FHIR server are the in-process test provider (`testIdp.ts`).
 *
 * - framed launch: the clinician lands on My report inside the frame, signed in by partitioned
 *   (CHIPS) cookies, the only cookies Chromium keeps in a third-party frame;
 * - a frame on an origin not in UPTAKE_FRAME_ANCESTORS is refused by the CSP;
 * - where the browser keeps no cookie in the frame (here: Uptake over plain http on a host name
 *   that is not loopback, `uptake.test` mapped to 127.0.0.1, so no Secure cookie is possible),
 *   the frame shows why and a button; the new window it opens lands on My report.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Frame, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { buildServer } from '../server/buildServer.ts';
import type { SsoConfig } from '../server/sso.ts';
import { startTestIdp, type TestIdp } from '../testing/testIdp.ts';
import { testSystem, removeTestDir, type TestSystem } from '../testing/testSystem.ts';
import { axeViolations, buildWebApp, launchChromium } from '../testing/browserTesting.ts';

const SHOTS = 'test-output/screenshots';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let sys: TestSystem;
let idp: TestIdp;
let browser: Browser;
let webOut = '';
/** The EHR (allowed to frame Uptake) and another page on another origin (not allowed). */
let ehr: { server: Server; origin: string };
let stranger: { server: Server; origin: string };
/** Uptake as http://localhost:<port>, and a second server as http://uptake.test:<port>. */
let uptake = '';
let remote: FastifyInstance;
let remoteUrl = '';
/** The roster clinician the EHR's practitioner `ehr-prac-7` is (by identity, not by key). */
let clinician = '';
const problems: string[] = [];

/** A page that embeds `?app=<url>` in an iframe, as an EHR shows a SMART app. */
async function ehrPage(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const app = new URL(req.url ?? '/', 'http://x').searchParams.get('app') ?? 'about:blank';
    const src = app.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>EHR</title></head>
<body><h1>Patient chart</h1><iframe title="Uptake" src="${src}" width="1200" height="820"></iframe></body></html>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const smart = (publicUrl: string): SsoConfig => ({
  publicUrl,
  allowHttp: true,
  smart: { clientId: 'uptake-smart', issuers: [`${idp.base}/fhir`] },
});

const launchOf = (at: string, launch: string) =>
  `${at}/api/sso/smart/launch?iss=${encodeURIComponent(`${idp.base}/fhir`)}&launch=${launch}`;

beforeAll(async () => {
  mkdirSync(join(ROOT, SHOTS), { recursive: true });
  [idp, ehr, stranger] = await Promise.all([startTestIdp(), ehrPage(), ehrPage()]);
  [webOut, browser] = await Promise.all([
    buildWebApp(),
    // A host name that is not loopback, for a server where no Secure cookie is possible.
    launchChromium(['--host-resolver-rules=MAP uptake.test 127.0.0.1']),
  ]);
  // The redirect URI is built from the public URL, known once the server listens.
  const sso = smart('http://localhost');
  sys = await testSystem(
    { name: 'duckdb', open: () => DuckDBStore.open(':memory:') },
    { webDir: webOut, warmCache: true, sso, frameAncestors: [ehr.origin] },
  );
  const port = new URL(await sys.app.listen({ port: 0, host: '127.0.0.1' })).port;
  uptake = sso.publicUrl = `http://localhost:${port}`;

  const remoteSso = smart('http://uptake.test');
  remote = await buildServer(sys.store, {
    webDir: webOut,
    sso: remoteSso,
    frameAncestors: [ehr.origin],
  });
  const remotePort = new URL(await remote.listen({ port: 0, host: '127.0.0.1' })).port;
  remoteUrl = remoteSso.publicUrl = `http://uptake.test:${remotePort}`;

  // A roster clinician without an account, whom the EHR knows by its own resource id only.
  const [c] = await sys.store.all<{ user_id: string }>(
    `SELECT user_id FROM clinicians
     WHERE user_id NOT IN (SELECT clinician_id FROM users WHERE clinician_id IS NOT NULL)
     ORDER BY user_id LIMIT 1`,
  );
  clinician = c!.user_id;
  await sys.store.run(
    `INSERT INTO clinician_identifiers (system, value, user_id, import_id) VALUES ('Practitioner', 'ehr-prac-7', $1, NULL)`,
    [clinician],
  );
  idp.next = {
    sub: 'ehr-prac-7',
    claims: { fhirUser: `${idp.base}/fhir/Practitioner/ehr-prac-7` },
  };
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await remote?.close();
  await sys?.close();
  await idp?.close();
  for (const p of [ehr, stranger]) p?.server.close();
  if (webOut) rmSync(webOut, { recursive: true, force: true });
  removeTestDir();
});

/** A fresh browser context and page, recording console errors and page errors. */
async function freshPage(name: string, allow: RegExp[] = []): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const watch = (p: Page) => {
    p.on('console', (m) => {
      // A 401 before signing in is the normal answer of /api/me.
      if (
        m.type() === 'error' &&
        !/status of 401/.test(m.text()) &&
        !allow.some((a) => a.test(m.text()))
      )
        problems.push(`${name}: console: ${m.text()}`);
    });
    p.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`));
  };
  watch(page);
  ctx.on('page', watch);
  return page;
}

/** The frame of the page showing `origin`. */
async function frameAt(page: Page, origin: string): Promise<Frame> {
  await expect
    .poll(() => page.frames().some((f) => f.url().startsWith(`${origin}/`)), { timeout: 30_000 })
    .toBe(true);
  return page.frames().find((f) => f.url().startsWith(`${origin}/`))!;
}

const meIn = (f: Frame | Page) =>
  f.evaluate(async () => {
    const r = await fetch('/api/me');
    return r.ok ? ((await r.json()) as { username: string; clinician_id: string | null }) : null;
  });

describe('SMART launch inside an EHR frame, in Chromium', () => {
  test('the framed launch lands on My report of the practitioner’s roster clinician', async () => {
    // The 403 is the refusal the test provokes (a state change without the CSRF token).
    const page = await freshPage('framed', [/status of 403/]);
    await page.goto(`${ehr.origin}/?app=${encodeURIComponent(launchOf(uptake, 'ctx-framed'))}`);
    const frame = page.frameLocator('iframe[title="Uptake"]');
    await frame.locator('main h1', { hasText: 'My report' }).waitFor({ timeout: 60_000 });
    await frame.getByTestId('my-ehr_time8').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(ROOT, SHOTS, 'smart-frame.png') });
    const f = await frameAt(page, uptake);
    expect(new URL(f.url()).hash).toBe('#/me');
    expect(await meIn(f)).toMatchObject({
      username: `ehr.${clinician.toLowerCase()}`,
      clinician_id: clinician,
    });
    expect(await f.locator('main').innerText()).not.toMatch(/sign in|did not work/i);
    // The EHR asked for this launch, with its context.
    expect(idp.seen.at(-1)).toMatchObject({ launch: 'ctx-framed', aud: `${idp.base}/fhir` });
    // The session lives in the EHR site's partition (CHIPS), not as a third-party cookie.
    const cookies = await page.context().cookies(uptake);
    const session = cookies.find((c) => c.name === 'uptake_session') as
      (Record<string, unknown> & { sameSite: string; secure: boolean }) | undefined;
    expect(session).toMatchObject({
      sameSite: 'None',
      secure: true,
      httpOnly: true,
      partitionKey: 'http://127.0.0.1',
    });
    // The app works in the frame: a state change with the session's CSRF token, refused without.
    const csrfCheck = await f.evaluate(async () => {
      const me = (await (await fetch('/api/me')).json()) as { csrf: string };
      const body = JSON.stringify({ topic: 'notes', message: 'Is there a shorter template?' });
      const without = await fetch('/api/me/help-requests', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const withToken = await fetch('/api/me/help-requests', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf },
        body,
      });
      return [without.status, withToken.status];
    });
    expect(csrfCheck).toEqual([403, 201]);
    await page.context().close();
  });

  test('a frame on an origin that is not configured is refused by the Content Security Policy', async () => {
    const page = await freshPage('stranger', [/frame-ancestors/]);
    const refused = page.waitForEvent('console', {
      predicate: (m) => /frame-ancestors/.test(m.text()),
      timeout: 30_000,
    });
    await page.goto(`${stranger.origin}/?app=${encodeURIComponent(`${uptake}/`)}`);
    const msg = (await refused).text();
    expect(msg).toContain(`Framing '${uptake}/' violates the following Content Security Policy`);
    expect(msg).toContain(`"frame-ancestors ${ehr.origin}"`);
    await expect
      .poll(() => page.frames().map((f) => f.url()))
      .toContain('chrome-error://chromewebdata/');
    expect(page.frames().some((f) => f.url().startsWith(uptake))).toBe(false);
    await page.context().close();
  });

  test('where the frame keeps no cookie, it says so and a new window lands on My report', async () => {
    // Chromium ignores COOP on a plain-http origin that is not loopback, and says so.
    const page = await freshPage('fallback', [
      /Cross-Origin-Opener-Policy header has been ignored/,
    ]);
    const asked = idp.seen.length;
    await page.goto(`${ehr.origin}/?app=${encodeURIComponent(launchOf(remoteUrl, 'ctx-window'))}`);
    const frame = page.frameLocator('iframe[title="Uptake"]');
    const alert = frame.getByRole('alert');
    await alert.waitFor({ timeout: 60_000 });
    expect(await alert.innerText()).toMatch(
      /^Your browser does not let Uptake keep you signed in inside this window/,
    );
    await page.screenshot({ path: join(ROOT, SHOTS, 'smart-frame-new-window.png') });
    const f = await frameAt(page, remoteUrl);
    expect(await axeViolations(f, false)).toEqual([]);
    // The launch stopped before the EHR: its context is not spent.
    expect(idp.seen.length).toBe(asked);
    const button = frame.getByRole('link', { name: 'Open Uptake in a new window' });
    expect(await button.getAttribute('target')).toBe('_blank');
    const [popup] = await Promise.all([page.context().waitForEvent('page'), button.click()]);
    await popup.locator('main h1', { hasText: 'My report' }).waitFor({ timeout: 60_000 });
    expect(new URL(popup.url()).origin).toBe(remoteUrl);
    expect(await meIn(popup)).toMatchObject({ clinician_id: clinician });
    expect(idp.seen.at(-1)).toMatchObject({ launch: 'ctx-window' });
    await popup.screenshot({ path: join(ROOT, SHOTS, 'smart-new-window.png') });
    await page.context().close();
  });

  test('no console error or page error', () => {
    expect(problems).toEqual([]);
  });
});
