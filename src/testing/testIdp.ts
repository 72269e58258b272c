/**
 * A small, real OpenID provider and SMART authorization server for the sign-on tests (server and
 * browser): discovery, PKCE, RS256-signed ID tokens from a JWKS, and a FHIR endpoint that serves
 * Practitioners only to the access token it issued. It approves every authorization request at
 * once (no login page) and checks the PKCE verifier itself, so a flow that skipped it would fail.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

/** The provider: what the next sign-in says about the user, and what it saw. */
export interface TestIdp {
  /** `http://127.0.0.1:<port>`; the SMART FHIR base is `<base>/fhir`. */
  base: string;
  /**
   * The next sign-in: the ID token's subject and claims, a nonce to put instead of the one asked
   * for (to test the check), and the access token to issue (default: a fresh random one).
   */
  next: { sub: string; claims: Record<string, unknown>; nonce?: string; accessToken?: string };
  /** Authorization requests, as received. */
  seen: Record<string, string>[];
  /** Practitioners of the FHIR endpoint, by resource id (`GET <base>/fhir/Practitioner/<id>`). */
  practitioners: Map<string, Record<string, unknown>>;
  /** FHIR reads: path, the Authorization header and the answer's status. */
  fhirSeen: { path: string; authorization: string | undefined; status: number }[];
  close(): Promise<void>;
}

/** Start the provider on a free port of 127.0.0.1. */
export async function startTestIdp(): Promise<TestIdp> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, Record<string, string>>();
  /** Access tokens issued (and not expired: they live as long as the provider). */
  const issued = new Set<string>();
  const idp: TestIdp = {
    base: '',
    next: { sub: 'nobody', claims: {} },
    seen: [],
    practitioners: new Map(),
    fhirSeen: [],
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
  const sign = (key: CryptoKey, claims: Record<string, unknown>, aud: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(idp.base)
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', idp.base);
    const json = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(JSON.stringify(body));
    };
    const meta = {
      issuer: idp.base,
      authorization_endpoint: `${idp.base}/authorize`,
      token_endpoint: `${idp.base}/token`,
      jwks_uri: `${idp.base}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
    };
    if (u.pathname === '/.well-known/openid-configuration') return json(200, meta);
    if (u.pathname === '/fhir/.well-known/smart-configuration')
      return json(200, { ...meta, capabilities: ['launch-ehr', 'sso-openid-connect'] });
    if (u.pathname === '/jwks') return json(200, { keys: [jwk] });
    const fhir = /^\/fhir\/Practitioner\/([^/]+)$/.exec(u.pathname);
    if (fhir && req.method === 'GET') {
      const authorization = req.headers.authorization;
      const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
      const p = idp.practitioners.get(decodeURIComponent(fhir[1]!));
      const status = !token || !issued.has(token) ? 401 : p ? 200 : 404;
      idp.fhirSeen.push({ path: u.pathname, authorization, status });
      const outcome = (code: string) => ({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code }],
      });
      return json(
        status,
        status === 200 ? p : outcome(status === 401 ? 'login' : 'not-found'),
        'application/fhir+json',
      );
    }
    if (u.pathname === '/authorize') {
      const q = Object.fromEntries(u.searchParams);
      idp.seen.push(q);
      const code = randomBytes(12).toString('hex');
      codes.set(code, q);
      const back = new URL(q['redirect_uri']!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q['state'] ?? '');
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (u.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const f = new URLSearchParams(body);
        const q = codes.get(f.get('code') ?? '');
        codes.delete(f.get('code') ?? '');
        const challenge = createHash('sha256')
          .update(f.get('code_verifier') ?? '')
          .digest('base64url');
        if (
          !q ||
          q['redirect_uri'] !== f.get('redirect_uri') ||
          q['client_id'] !== f.get('client_id') ||
          q['code_challenge'] !== challenge
        )
          return json(400, { error: 'invalid_grant' });
        const accessToken = randomBytes(16).toString('hex');
        issued.add(accessToken);
        void sign(
          privateKey,
          { sub: idp.next.sub, nonce: idp.next.nonce ?? q['nonce'], ...idp.next.claims },
          q['client_id'],
        ).then((id_token) =>
          json(200, {
            // A token other than the one issued, when a test asks for it (a wrong token).
            access_token: idp.next.accessToken ?? accessToken,
            token_type: 'Bearer',
            expires_in: 300,
            id_token,
          }),
        );
      });
      return;
    }
    json(404, { error: 'not found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  idp.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return idp;
}
