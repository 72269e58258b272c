/**
 * Browser sign-on routes (see `../sso.ts`): the redirect out to the identity provider or the EHR's
 * authorization server, and the callback that checks the answer, finds the Uptake account and
 * starts a session. Failures send the browser back to the sign-in page with the reason.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UptakeError } from '../../errors/UptakeError.ts';
import type { User } from '../auth.ts';
import { defineRoute, type Services } from '../routing.ts';
import {
  decodePending,
  encodePending,
  practitionerId,
  unusablePassword,
  type SingleSignOn,
} from '../sso.ts';
import { startSignedIn } from './authRoutes.ts';

const PENDING_COOKIE = 'uptake_sso';

const ssoInfoSchema = z.object({
  oidc: z.object({ label: z.string(), login: z.string() }).nullable(),
  smart: z.object({ launch: z.string() }).nullable(),
});

const launchQuery = z.object({
  iss: z.string().url().max(500),
  launch: z.string().min(1).max(2000),
});

function need(sso: SingleSignOn | null): SingleSignOn {
  if (!sso) throw new UptakeError('NOT_FOUND', 'single sign-on is not set up on this server');
  return sso;
}

/** Back to the sign-in page with the reason (the page shows it). */
function failed(e: unknown): string {
  const msg = e instanceof UptakeError ? e.message : 'sign-in failed; try again';
  return `/#/?sso_error=${encodeURIComponent(msg)}`;
}

function pendingCookie(req: FastifyRequest, sso: SingleSignOn) {
  return {
    path: '/api/sso',
    httpOnly: true,
    // Lax, not Strict: the callback is a top-level navigation coming from another site.
    sameSite: 'lax' as const,
    secure: req.protocol === 'https' || sso.cfg.publicUrl.startsWith('https:'),
    maxAge: 600,
  };
}

export function ssoRoutes(app: FastifyInstance, s: Services): void {
  defineRoute(app, s, {
    method: 'GET',
    url: '/api/sso',
    tag: 'session',
    summary: 'The single sign-on methods this server offers',
    access: 'public',
    response: ssoInfoSchema,
    handler: () =>
      Promise.resolve({
        oidc: s.sso?.cfg.oidc
          ? { label: s.sso.cfg.oidc.label, login: '/api/sso/oidc/login' }
          : null,
        smart: s.sso?.cfg.smart ? { launch: '/api/sso/smart/launch' } : null,
      }),
  });

  const start = async (
    req: FastifyRequest,
    reply: FastifyReply,
    kind: 'oidc' | 'smart',
    launch?: { iss: string; launch: string },
  ): Promise<string> => {
    const sso = need(s.sso);
    const { location, pending } = await sso.start(kind, launch);
    reply.setCookie(PENDING_COOKIE, encodePending(pending), pendingCookie(req, sso));
    return location;
  };

  defineRoute(app, s, {
    method: 'GET',
    url: '/api/sso/oidc/login',
    tag: 'session',
    summary: 'Sign in with the organisation’s OpenID Connect provider (redirects there)',
    access: 'public',
    redirect: true,
    async handler({ req, reply }) {
      try {
        return await start(req, reply, 'oidc');
      } catch (e) {
        return failed(e);
      }
    },
  });

  defineRoute(app, s, {
    method: 'GET',
    url: '/api/sso/smart/launch',
    tag: 'session',
    summary: 'SMART on FHIR EHR launch: the EHR opens this with iss and launch',
    description:
      'Only FHIR servers listed in UPTAKE_SMART_ISSUERS may launch. The clinician lands on their ' +
      'own report.',
    access: 'public',
    redirect: true,
    async handler({ req, reply }) {
      try {
        const r = launchQuery.safeParse(req.query);
        if (!r.success)
          throw new UptakeError(
            'INVALID_INPUT',
            'query: the EHR must send iss (its FHIR base URL) and launch',
          );
        return await start(req, reply, 'smart', r.data);
      } catch (e) {
        return failed(e);
      }
    },
  });

  const finish = async (req: FastifyRequest, reply: FastifyReply, kind: 'oidc' | 'smart') => {
    const sso = need(s.sso);
    const pending = decodePending(req.cookies[PENDING_COOKIE]);
    reply.clearCookie(PENDING_COOKIE, pendingCookie(req, sso));
    const claims = await sso.finish(kind, pending, req.url.split('?')[1] ?? '');
    const user = kind === 'oidc' ? await oidcUser(claims) : await smartUser(claims);
    await startSignedIn(
      s,
      req,
      reply,
      user,
      kind === 'oidc' ? 'OpenID Connect' : `SMART on FHIR launch from ${pending?.iss ?? ''}`,
    );
    return kind === 'smart' ? '/#/me' : '/';
  };

  const oidcUser = async (claims: Record<string, unknown>): Promise<User> => {
    const claim = s.sso!.cfg.oidc!.usernameClaim;
    const v = claims[claim];
    if (typeof v !== 'string' || !v)
      throw new UptakeError(
        'UNAUTHENTICATED',
        `the identity provider sent no ${claim}; set UPTAKE_OIDC_USERNAME_CLAIM to the claim that holds the user name`,
      );
    const user = await s.accounts.get(v.trim().toLowerCase());
    if (!user)
      throw new UptakeError(
        'FORBIDDEN',
        `${v} has no Uptake account; ask an administrator to create one with that user name`,
      );
    return user;
  };

  const smartUser = async (claims: Record<string, unknown>): Promise<User> => {
    const id = practitionerId(claims['fhirUser']);
    if (!id)
      throw new UptakeError(
        'FORBIDDEN',
        'the EHR did not say which practitioner you are (no Practitioner fhirUser); Uptake reports are for clinicians',
      );
    const linked = await s.accounts.linkedTo(id);
    if (linked) return linked;
    const [c] = await s.db.all(`SELECT 1 AS x FROM clinicians WHERE user_id = $1`, [id]);
    if (!c)
      throw new UptakeError(
        'FORBIDDEN',
        `practitioner ${id} is not in Uptake's roster; ask an administrator to import the roster`,
      );
    // First launch of a roster clinician: an account that sees their own report only.
    const base = `ehr.${id.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}`.slice(0, 60);
    let username = base;
    for (let i = 2; await s.accounts.get(username); i++) username = `${base}-${i}`;
    return s.accounts.create({
      username,
      password: unusablePassword(),
      role: 'clinician',
      clinician_id: id,
      groups: [],
    });
  };

  for (const kind of ['oidc', 'smart'] as const)
    defineRoute(app, s, {
      method: 'GET',
      url: `/api/sso/${kind}/callback`,
      tag: 'session',
      summary:
        kind === 'oidc'
          ? 'OpenID Connect callback: checks the answer and signs in (redirects to the app)'
          : 'SMART on FHIR callback: checks the answer and opens the clinician’s report',
      access: 'public',
      redirect: true,
      async handler({ req, reply }) {
        try {
          return await finish(req, reply, kind);
        } catch (e) {
          await s.log.write({
            username: null,
            role: null,
            action: 'login',
            resource: 'session',
            outcome: 'failure',
            detail: `${kind}: ${e instanceof Error ? e.message : String(e)}`,
            ip: req.ip,
          });
          return failed(e);
        }
      },
    });
}
