/** Sign-in, sign-out and the signed-in user. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UptakeError } from '../../errors/UptakeError.ts';
import type { User } from '../../model/accounts.ts';
import { API } from '../contract.ts';
import { defineRoute, type Services } from '../routing.ts';
import { type Me } from '../schemas.ts';
import { partitionedCookies } from '../sso.ts';
import { memberGroups } from '../../program/goalVoters.ts';
import { programActor } from './programRoutes.ts';

export const SESSION_COOKIE = 'uptake_session';

/**
 * The signed-in user as `/api/me` and the sign-in answer say it, with every group they belong to
 * (`memberGroups`, from the roster row of their clinician: read only for a linked account).
 */
export async function toMe(
  s: Services,
  user: User,
  csrf: string,
  identified: boolean,
): Promise<Me> {
  let roster: Parameters<typeof programActor>[1] = new Map();
  if (user.clinician_id) {
    await s.cache.check();
    roster = (await s.cache.facts()).roster;
  }
  return {
    username: user.username,
    role: user.role,
    clinician_id: user.clinician_id,
    groups: user.groups,
    member_of: memberGroups(programActor(user, roster)),
    csrf,
    identified_reports: identified,
  };
}

/**
 * The session cookie's attributes: HttpOnly, SameSite=Strict, Secure behind https — or, where an
 * EHR may frame Uptake (`partitionedCookies`), a CHIPS cookie (`Partitioned; Secure;
 * SameSite=None`): a third-party frame gets no other cookie, and the partition keeps it to that
 * EHR's pages. CSRF protection stays with the session's `x-csrf-token` either way.
 */
export function cookieOptions(req: FastifyRequest, s: Services, maxAgeS?: number) {
  const framed = partitionedCookies(req, s.frameAncestors, s.sso?.cfg.publicUrl);
  return {
    path: '/',
    httpOnly: true,
    ...(framed
      ? { sameSite: 'none' as const, secure: true, partitioned: true }
      : { sameSite: 'strict' as const, secure: req.protocol === 'https' }),
    ...(maxAgeS !== undefined ? { maxAge: maxAgeS } : {}),
  };
}

/**
 * Start a session for `user` (a password or single sign-on proved who they are): the session
 * cookie, and the sign-in in the access log with how it happened.
 */
export async function startSignedIn(
  s: Services,
  req: FastifyRequest,
  reply: FastifyReply,
  user: User,
  how: string | null,
): Promise<{ token: string; csrf: string }> {
  const session = await s.sessions.startSession(user.username);
  reply.setCookie(SESSION_COOKIE, session.token, cookieOptions(req, s, session.maxAgeS));
  await s.log.write({
    username: user.username,
    role: user.role,
    action: 'login',
    resource: 'session',
    outcome: 'success',
    detail: how,
    ip: req.ip,
  });
  return session;
}

function clearCookie(req: FastifyRequest, reply: FastifyReply, s: Services): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(req, s));
}

export function authRoutes(app: FastifyInstance, s: Services): void {
  defineRoute(app, s, {
    ...API['POST /api/login'],
    tag: 'session',
    summary: 'Sign in with a local account',
    description:
      'Sets the HttpOnly, SameSite=Strict session cookie `uptake_session` (where EHRs may frame ' +
      'Uptake, UPTAKE_FRAME_ANCESTORS: a partitioned `Secure; SameSite=None; Partitioned` one). ' +
      '401 for a wrong user name ' +
      'or password (one message for both); 429 after 5 failures for one user name from one address ' +
      'within 15 minutes (behind a proxy without --trust-proxy: per proxy and forwarded address).',
    access: 'public',
    csrf: false,
    config: { rateLimit: { max: 60, timeWindow: 60_000 } },
    async handler({ req, reply, body }) {
      const username = body.username.trim().toLowerCase();
      const ip = req.ip;
      const forwarded = req.untrustedForwardedFor;
      const wait = s.limiter.blockedFor(username, ip, forwarded);
      if (wait > 0) {
        await s.log.write({
          username,
          role: null,
          action: 'login',
          resource: 'session',
          outcome: 'denied',
          detail: 'too many failed attempts',
          ip,
        });
        reply.header('retry-after', String(wait));
        throw new UptakeError(
          'RATE_LIMITED',
          `too many failed sign-ins for ${username}; try again in ${Math.ceil(wait / 60)} minutes`,
        );
      }
      const user = await s.accounts.authenticate(username, body.password);
      if (!user) {
        s.limiter.fail(username, ip, forwarded);
        await s.log.write({
          username,
          role: null,
          action: 'login',
          resource: 'session',
          outcome: 'failure',
          detail: 'wrong user name or password',
          ip,
        });
        throw new UptakeError('UNAUTHENTICATED', 'wrong user name or password');
      }
      s.limiter.succeed(username, ip, forwarded);
      const session = await startSignedIn(s, req, reply, user, null);
      const settings = await s.settings();
      return { user: await toMe(s, user, session.csrf, settings.identified_reports) };
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/logout'],
    tag: 'session',
    summary: 'Sign out (ends the session; 204 also without one)',
    access: 'public',
    csrf: false,
    async handler({ req, reply, auth }) {
      if (auth) {
        await s.sessions.endSession(auth.token);
        s.launches.delete(auth.token);
        await s.log.write({
          username: auth.user.username,
          role: auth.user.role,
          action: 'logout',
          resource: 'session',
          outcome: 'success',
          ip: req.ip,
        });
      }
      clearCookie(req, reply, s);
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/me'],
    tag: 'session',
    summary: 'The signed-in user, with the CSRF token for state changes',
    access: 'session',
    async handler({ auth }) {
      const settings = await s.settings();
      return toMe(s, auth!.user, auth!.csrf, settings.identified_reports);
    },
  });
}
