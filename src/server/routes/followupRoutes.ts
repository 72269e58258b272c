/**
 * Follow-ups (engagement.md §3): a clinician's recent visits, writing a follow-up for one (with
 * templates), its chain written → delivered → read → acknowledged, answering the patient's
 * questions; administrators read every follow-up (logged); the patient reads, acknowledges and
 * asks by link only, through routes that take the link's token in the body, are rate-limited per
 * address, and answer that one follow-up and nothing else. A follow-up's text is PHI: no other
 * role reads it. Every view is written to the access log.
 */
import type { FastifyInstance } from 'fastify';
import { keyFile } from '../../admin/paths.ts';
import { UptakeError } from '../../errors/UptakeError.ts';
import { deliverFollowup } from '../../engage/followupFhir.ts';
import { verifyFollowupLink } from '../../engage/followupLink.ts';
import {
  allFollowups,
  answerQuestion,
  askQuestion,
  deleteTemplate,
  listTemplates,
  myFollowups,
  patientAction,
  recentVisits,
  redeliverFollowup,
  saveTemplate,
  writeFollowup,
  type FhirWrite,
  type FollowupDeps,
} from '../../engage/followups.ts';
import { Pseudonymizer } from '../../ingest/pseudonymize.ts';
import { FOLLOWUP_LIMITS } from '../../model/followup.ts';
import { API } from '../contract.ts';
import { defineRoute, logAccess, type Auth, type Services } from '../routing.ts';

/** Requests per minute one address may make to the patient routes (a link is opened a few times). */
export const PATIENT_LINK_RATE = { max: 20, timeWindow: 60_000 };

export function followupRoutes(app: FastifyInstance, s: Services, o: { now: () => Date }): void {
  let keys: Pseudonymizer | null = null;
  const pseudonymizer = (): Pseudonymizer =>
    (keys ??= Pseudonymizer.load(s.keyFile ?? keyFile(s.db.raw)));

  /**
   * The deps of the current settings and session. A follow-up written in a SMART launch with a
   * patient goes to the launching EHR, with the launch's access token and context; when the visit
   * is another patient's than the launch's, or without a launch, to the configured FHIR server
   * (its token from the environment), if any.
   */
  async function deps(auth: Auth | null = null): Promise<FollowupDeps> {
    const p = pseudonymizer();
    const { followups } = await s.settings();
    const base = followups.fhir_base_url;
    const token = process.env['UPTAKE_FOLLOWUP_FHIR_TOKEN'];
    const pseudonymize = (raw: string) => p.pseudonym('patient', raw);
    const configured = base
      ? (f: FhirWrite) =>
          deliverFollowup({ baseUrl: base, ...(token ? { token } : {}) }, { ...f, pseudonymize })
      : null;
    const launch = auth ? s.launches.get(auth.token) : null;
    const inLaunch =
      launch?.patient !== undefined
        ? async (f: FhirWrite) => {
            try {
              return await deliverFollowup(
                {
                  baseUrl: launch.iss,
                  token: launch.accessToken,
                  tokenSource: 'the SMART launch’s access token; open Uptake from the EHR again',
                },
                {
                  ...f,
                  pseudonymize,
                  context: {
                    patient: `Patient/${launch.patient}`,
                    ...(launch.encounter ? { encounter: `Encounter/${launch.encounter}` } : {}),
                  },
                },
              );
            } catch (e) {
              // Another patient than the launch's: not this EHR context's to write.
              if (configured && e instanceof UptakeError && e.code === 'CONFLICT')
                return configured(f);
              throw e;
            }
          }
        : null;
    return {
      pseudonym: (type, raw) => p.pseudonym(type, raw),
      linkKey: p.derivedKey('followup-links'),
      linkDays: followups.link_days,
      deliver: inLaunch ?? configured,
    };
  }

  /** The roster clinician the caller's account is linked to (FORBIDDEN without one, logged). */
  async function clinicianOf(
    req: { ip: string },
    auth: Auth | null,
    what: string,
  ): Promise<{ id: string; name: string | null }> {
    const me = auth!.user.clinician_id;
    if (!me) {
      await logAccess(s, req, auth, 'view', what, 'no clinician', 'denied');
      throw new UptakeError(
        'FORBIDDEN',
        'your account is not linked to a roster clinician; follow-ups are written by the clinician of a visit',
      );
    }
    const [c] = await s.db.all<{ name: string | null }>(
      `SELECT name FROM clinicians WHERE user_id = $1`,
      [me],
    );
    return { id: me, name: c?.name ?? null };
  }

  defineRoute(app, s, {
    ...API['GET /api/me/visits'],
    tag: 'followups',
    summary: 'My recent visits, to write a follow-up for',
    description: `The caller's appointments of the last ${FOLLOWUP_LIMITS.visit_days} days that have begun (not cancelled or no-show), newest first: start, end, visit type and status — no patient identifier — and how many follow-ups each has.`,
    access: 'session',
    async handler({ req, auth }) {
      const me = await clinicianOf(req, auth, 'me/visits');
      const visits = await recentVisits(s.db, me.id, o.now());
      await logAccess(s, req, auth, 'view', `me/visits/${me.id}`, `${visits.length} visits`);
      return { days: FOLLOWUP_LIMITS.visit_days, visits };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/me/followups'],
    tag: 'followups',
    summary: 'My follow-ups and where each stands',
    description:
      'The caller’s follow-ups, newest first (200 at most): text, items, and written → delivered → read → acknowledged (read and acknowledged from patient_events, imported or recorded by the patient page), the FHIR delivery, the patient link while it is valid, and questions.',
    access: 'session',
    async handler({ req, auth }) {
      const me = await clinicianOf(req, auth, 'me/followups');
      const rows = await myFollowups(s.db, await deps(), me.id, o.now());
      await logAccess(s, req, auth, 'view', `me/followups/${me.id}`, `${rows.length} follow-ups`);
      return rows;
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/me/followups'],
    tag: 'followups',
    summary: 'Write a follow-up for one of my visits',
    description:
      'Stores the follow-up with its reading grade, writes it to the FHIR server when one is configured (Communication, CarePlan and a Task per item; a failure is kept and can be retried) and makes the patient link. 404 for a visit that is not the caller’s.',
    access: 'session',
    async handler({ req, auth, body }) {
      const me = await clinicianOf(req, auth, 'me/followups');
      const f = await writeFollowup(
        s.db,
        await deps(auth),
        { clinicianId: me.id, username: auth!.user.username, name: me.name },
        body,
        o.now(),
      );
      await logAccess(s, req, auth, 'create', `followups/${f.id}`, `fhir ${f.fhir.state}`);
      return f;
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/me/followups/:id/deliver'],
    tag: 'followups',
    summary: 'Try the FHIR delivery of my follow-up again',
    access: 'session',
    async handler({ req, auth, params }) {
      const me = await clinicianOf(req, auth, 'me/followups');
      const f = await redeliverFollowup(s.db, await deps(auth), me.id, params.id, o.now());
      await logAccess(s, req, auth, 'update', `followups/${f.id}`, 'delivered');
      return f;
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/me/followups/:id/questions/:question/answer'],
    tag: 'followups',
    summary: 'Answer a patient’s question on my follow-up',
    description:
      'The answer shows on the patient’s page and is stored as a message to the patient in reply to the question (reply times count it).',
    access: 'session',
    async handler({ req, auth, params, body }) {
      const me = await clinicianOf(req, auth, 'me/followups');
      const f = await answerQuestion(
        s.db,
        await deps(),
        me.id,
        params.id,
        params.question,
        body.text,
        o.now(),
      );
      await logAccess(s, req, auth, 'update', `followups/${f.id}`, 'answered');
      return f;
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/me/followup-templates'],
    tag: 'followups',
    summary: 'Templates: Uptake’s and my own',
    access: 'session',
    async handler({ auth }) {
      return listTemplates(s.db, auth!.user.username);
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/me/followup-templates'],
    tag: 'followups',
    summary: 'Save a template of my own',
    access: 'session',
    async handler({ req, auth, body }) {
      const t = await saveTemplate(s.db, auth!.user.username, body, o.now());
      await logAccess(s, req, auth, 'create', `followup-templates/${t.id}`);
      return t;
    },
  });

  defineRoute(app, s, {
    ...API['DELETE /api/me/followup-templates/:id'],
    tag: 'followups',
    summary: 'Delete a template of my own',
    access: 'session',
    async handler({ req, auth, params }) {
      await deleteTemplate(s.db, auth!.user.username, params.id);
      await logAccess(s, req, auth, 'delete', `followup-templates/${params.id}`);
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/followups'],
    tag: 'followups',
    summary: 'Every follow-up written in a range (administrators; logged)',
    description:
      'Follow-up texts are PHI: only administrators read others’ follow-ups, and each read is in the access log. `from` and `to` are local dates of the organisation.',
    access: ['admin'],
    async handler({ req, auth, query }) {
      const { timezone } = await s.settings();
      const rows = await allFollowups(
        s.db,
        await deps(),
        { from: query.from, to: query.to, timezone },
        o.now(),
      );
      await logAccess(
        s,
        req,
        auth,
        'view',
        'followups',
        `${query.from}..${query.to}: ${rows.length} follow-ups`,
      );
      return rows;
    },
  });

  // --- the patient, by link ---------------------------------------------------------------------

  const patient = async (
    req: { ip: string },
    token: string,
    what: 'view' | 'acknowledge' | 'question',
  ): Promise<{ id: string; timezone: string }> => {
    const p = pseudonymizer();
    // One access-log entry per request: the follow-up it opened, or that the link was refused.
    const log = (resource: string, outcome: 'success' | 'denied', detail: string) =>
      s.log.write({
        username: null,
        role: null,
        action: what === 'view' ? 'view' : 'update',
        resource,
        outcome,
        detail,
        ip: req.ip,
      });
    let id: string;
    try {
      id = verifyFollowupLink(p.derivedKey('followup-links'), token, o.now()).id;
    } catch (e) {
      await log('followups/(link)', 'denied', e instanceof UptakeError ? e.code : 'INTERNAL');
      throw e;
    }
    await log(`followups/${id}`, 'success', `patient link: ${what}`);
    return { id, timezone: (await s.settings()).timezone };
  };

  const patientDoc =
    'For the patient, without an account: the link’s token in the body (never in a URL). Rate-limited per address; a token that is not valid is 404, an expired one 403; the answer is that one follow-up and nothing else.';

  defineRoute(app, s, {
    ...API['POST /api/patient/followup'],
    tag: 'patient',
    summary: 'The patient opens their follow-up (recorded as view_followup)',
    description: patientDoc,
    access: 'public',
    csrf: false,
    config: { rateLimit: PATIENT_LINK_RATE },
    async handler({ req, body }) {
      const { id, timezone } = await patient(req, body.token, 'view');
      return patientAction(s.db, id, 'view_followup', timezone, o.now());
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/patient/followup/acknowledge'],
    tag: 'patient',
    summary: 'The patient acknowledges their follow-up (acknowledge_followup)',
    description: patientDoc,
    access: 'public',
    csrf: false,
    config: { rateLimit: PATIENT_LINK_RATE },
    async handler({ req, body }) {
      const { id, timezone } = await patient(req, body.token, 'acknowledge');
      return patientAction(s.db, id, 'acknowledge_followup', timezone, o.now());
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/patient/followup/question'],
    tag: 'patient',
    summary: '“I have a question”: a message to the physician',
    description: `${patientDoc} The question is stored with the follow-up for its author and as a message from the patient (at most 3 unanswered per follow-up).`,
    access: 'public',
    csrf: false,
    config: { rateLimit: PATIENT_LINK_RATE },
    async handler({ req, body }) {
      const { id, timezone } = await patient(req, body.token, 'question');
      return askQuestion(s.db, await deps(), id, body.text, timezone, o.now());
    },
  });
}
