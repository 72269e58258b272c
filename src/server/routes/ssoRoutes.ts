/**
 * Browser sign-on routes (see `../sso.ts`): the redirect out to the identity provider or the EHR's
 * authorization server, and the callback that checks the answer, finds the Uptake account and
 * starts a session. Failures send the browser back to the sign-in page with the code of the
 * reason (`src/model/ssoFailures.ts`: the page shows only fixed words for it) and write the reason
 * itself to the access log.
 *
 * A SMART launch takes one more step than OpenID Connect: the launch sets the pending cookie and
 * sends the browser to `/api/sso/smart/continue`, which goes on to the EHR only when the cookie
 * came back. An EHR frame whose browser keeps no cookie for Uptake (no CHIPS, third-party cookies
 * blocked, or framing over plain http) thus lands on the sign-in page with `sso_window`: a clear
 * message and a button that opens the same launch in a new window — never a blank frame, and the
 * EHR's launch context is not spent on a sign-in that could not finish.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UptakeError } from '../../errors/UptakeError.ts';
import type { User } from '../../model/accounts.ts';
import { API } from '../contract.ts';
import { defineRoute, type Services } from '../routing.ts';
import {
  decodePending,
  encodePending,
  partitionedCookies,
  practitionerRef,
  readPractitionerIdentifiers,
  rememberPractitioner,
  rosterClinician,
  rosterClinicianByIdentifiers,
  ssoError,
  ssoFailure,
  unusablePassword,
  type PendingLogin,
  type SingleSignOn,
} from '../sso.ts';
import { startSignedIn } from './authRoutes.ts';

const PENDING_COOKIE = 'uptake_sso';

const launchQuery = z.object({
  iss: z.string().url().max(500),
  launch: z.string().min(1).max(2000),
});

function need(sso: SingleSignOn | null): SingleSignOn {
  if (!sso) throw new UptakeError('NOT_FOUND', 'single sign-on is not set up on this server');
  return sso;
}

/**
 * Back to the sign-in page with the code of the reason (the page shows that code's fixed words,
 * never text from the address); the reason itself goes to the access log.
 */
async function failed(
  s: Services,
  req: FastifyRequest,
  kind: 'oidc' | 'smart',
  e: unknown,
): Promise<string> {
  await s.log.write({
    username: null,
    role: null,
    action: 'login',
    resource: 'session',
    outcome: 'failure',
    detail: `${kind}: ${e instanceof Error ? e.message : String(e)}`.slice(0, 500),
    ip: req.ip,
  });
  return `/#/?sso_error=${ssoFailure(e)}`;
}

/**
 * The pending cookie: Lax, not Strict, as the callback is a top-level navigation coming from
 * another site; partitioned (CHIPS) where an EHR may frame Uptake, since a frame gets no other.
 */
function pendingCookie(req: FastifyRequest, s: Services, sso: SingleSignOn) {
  const framed = partitionedCookies(req, s.frameAncestors, sso.cfg.publicUrl);
  return {
    path: '/api/sso',
    httpOnly: true,
    ...(framed
      ? { sameSite: 'none' as const, secure: true, partitioned: true }
      : {
          sameSite: 'lax' as const,
          secure: req.protocol === 'https' || sso.cfg.publicUrl.startsWith('https:'),
        }),
    maxAge: 600,
  };
}

/** A step of a SMART launch (relative URL): `launch` starts it (again), `continue` goes on. */
function launchPath(l: { iss: string; launch: string }, step: 'launch' | 'continue'): string {
  return `/api/sso/smart/${step}?${new URLSearchParams({ iss: l.iss, launch: l.launch }).toString()}`;
}

export function ssoRoutes(app: FastifyInstance, s: Services): void {
  defineRoute(app, s, {
    ...API['GET /api/sso'],
    tag: 'session',
    summary: 'The single sign-on methods this server offers',
    access: 'public',
    handler: () =>
      Promise.resolve({
        oidc: s.sso?.cfg.oidc
          ? { label: s.sso.cfg.oidc.label, login: '/api/sso/oidc/login' }
          : null,
        smart: s.sso?.cfg.smart ? { launch: '/api/sso/smart/launch' } : null,
      }),
  });

  const keep = (req: FastifyRequest, reply: FastifyReply, sso: SingleSignOn, p: PendingLogin) =>
    reply.setCookie(PENDING_COOKIE, encodePending(p), pendingCookie(req, s, sso));

  defineRoute(app, s, {
    ...API['GET /api/sso/oidc/login'],
    tag: 'session',
    summary: 'Sign in with the organisation’s OpenID Connect provider (redirects there)',
    access: 'public',
    async handler({ req, reply }) {
      try {
        const sso = need(s.sso);
        const { location, pending } = await sso.start('oidc');
        keep(req, reply, sso, pending);
        return location;
      } catch (e) {
        return await failed(s, req, 'oidc', e);
      }
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/sso/smart/launch'],
    tag: 'session',
    summary: 'SMART on FHIR EHR launch: the EHR opens this with iss and launch',
    description:
      'Only FHIR servers listed in UPTAKE_SMART_ISSUERS may launch. The clinician lands on their ' +
      'own report.',
    access: 'public',
    async handler({ req, reply }) {
      try {
        const r = launchQuery.safeParse(req.query);
        if (!r.success)
          throw new UptakeError(
            'INVALID_INPUT',
            'query: the EHR must send iss (its FHIR base URL) and launch',
          );
        const sso = need(s.sso);
        keep(req, reply, sso, sso.beginLaunch(r.data));
        return launchPath(r.data, 'continue');
      } catch (e) {
        return await failed(s, req, 'smart', e);
      }
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/sso/smart/continue'],
    tag: 'session',
    summary: 'SMART on FHIR launch, second step: on to the EHR once the browser kept the cookie',
    description:
      'Without the cookie of the launch (a browser that keeps no cookie for Uptake inside the ' +
      'EHR’s frame) the sign-in page offers to open the launch in a new window.',
    access: 'public',
    async handler({ req }) {
      try {
        const r = launchQuery.safeParse(req.query);
        if (!r.success)
          throw new UptakeError(
            'INVALID_INPUT',
            'query: the EHR must send iss (its FHIR base URL) and launch',
          );
        const sso = need(s.sso);
        const pending = decodePending(req.cookies[PENDING_COOKIE]);
        // No cookie: this browser keeps none for Uptake here (the callback checks expiry).
        if (!pending || pending.kind !== 'smart')
          return `/#/?sso_window=${encodeURIComponent(launchPath(r.data, 'launch'))}`;
        if (pending.iss !== r.data.iss.replace(/\/+$/, ''))
          throw new UptakeError('UNAUTHENTICATED', 'the launch changed on the way; start again');
        return await sso.authorizationUrl(pending, r.data.launch);
      } catch (e) {
        return await failed(s, req, 'smart', e);
      }
    },
  });

  const finish = async (req: FastifyRequest, reply: FastifyReply, kind: 'oidc' | 'smart') => {
    const sso = need(s.sso);
    const pending = decodePending(req.cookies[PENDING_COOKIE]);
    reply.clearCookie(PENDING_COOKIE, pendingCookie(req, s, sso));
    const { claims, accessToken, context } = await sso.finish(
      kind,
      pending,
      req.url.split('?')[1] ?? '',
    );
    const user =
      kind === 'oidc'
        ? await oidcUser(claims)
        : await smartUser(claims, accessToken, pending?.iss ?? '');
    const session = await startSignedIn(
      s,
      req,
      reply,
      user,
      kind === 'oidc' ? 'OpenID Connect' : `SMART on FHIR launch from ${pending?.iss ?? ''}`,
    );
    // The launch's context, for follow-ups written in it (memory only: it names the patient).
    if (kind === 'smart' && pending?.iss)
      s.launches.set(
        session.token,
        {
          iss: pending.iss,
          accessToken,
          ...(context.patient ? { patient: context.patient } : {}),
          ...(context.encounter ? { encounter: context.encounter } : {}),
        },
        context.expiresInS,
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
      throw ssoError(
        'FORBIDDEN',
        'no_account',
        `${v} has no Uptake account; ask an administrator to create one with that user name`,
      );
    return user;
  };

  /**
   * The account of the launching practitioner: the roster clinician it is (`rosterClinician`;
   * where Uptake does not know the resource id, the Practitioner's identifiers as the FHIR server
   * tells them), then the account linked to that clinician, or a new clinician account.
   */
  const smartUser = async (
    claims: Record<string, unknown>,
    accessToken: string,
    iss: string,
  ): Promise<User> => {
    const ref = practitionerRef(claims['fhirUser']);
    if (!ref)
      throw ssoError(
        'FORBIDDEN',
        'not_a_practitioner',
        'the EHR did not say which practitioner you are (no Practitioner fhirUser); Uptake reports are for clinicians',
      );
    const { id } = ref;
    let rosterId = await rosterClinician(s.db, id);
    if (!rosterId) {
      // An account an administrator linked to this very id (before any identities): as before.
      const linkedAsIs = await s.accounts.linkedTo(id);
      if (linkedAsIs) return linkedAsIs;
      // Only the launching server is asked, and only about its own practitioners.
      if (!ref.base || ref.base === iss) {
        const identifiers = await readPractitionerIdentifiers(iss, id, accessToken);
        rosterId = await rosterClinicianByIdentifiers(s.db, identifiers);
        // Resource ids are unique per FHIR server only: remember one where a single EHR launches.
        if (rosterId && s.sso!.cfg.smart!.issuers.length === 1)
          await rememberPractitioner(s.db, id, rosterId);
      }
    }
    if (!rosterId)
      throw ssoError(
        'FORBIDDEN',
        'not_in_roster',
        `practitioner ${id} is not in Uptake's roster; ask an administrator to import the roster`,
      );
    const linked = await s.accounts.linkedTo(rosterId);
    if (linked) return linked;
    // First launch of a roster clinician: an account that sees their own report only.
    const base = `ehr.${rosterId.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}`.slice(0, 60);
    let username = base;
    for (let i = 2; await s.accounts.get(username); i++) username = `${base}-${i}`;
    return s.accounts.create({
      username,
      password: unusablePassword(),
      role: 'clinician',
      clinician_id: rosterId,
      groups: [],
    });
  };

  for (const kind of ['oidc', 'smart'] as const)
    defineRoute(app, s, {
      ...API[`GET /api/sso/${kind}/callback`],
      tag: 'session',
      summary:
        kind === 'oidc'
          ? 'OpenID Connect callback: checks the answer and signs in (redirects to the app)'
          : 'SMART on FHIR callback: checks the answer and opens the clinician’s report',
      access: 'public',
      async handler({ req, reply }) {
        try {
          return await finish(req, reply, kind);
        } catch (e) {
          return await failed(s, req, kind, e);
        }
      },
    });
}
