/**
 * Help requests (`src/program/helpRequests.ts`): a clinician asks their unit's peer champions for
 * help and sees the answers; champions see and answer the requests of their groups' clinicians
 * only; the `it` role those sent to the IT / informatics team (no champion covers the asker);
 * administrators see all. Before sending, the clinician is told where the question goes
 * (department, specialty or role champions, else the IT / informatics team); the recipients are
 * notified (an unread count for the navigation, unread markers in the list). Every view and
 * change is written to the access log.
 */
import type { FastifyInstance } from 'fastify';
import { UptakeError } from '../../errors/UptakeError.ts';
import {
  answerHelpRequest,
  championCoverage,
  closeOwnHelpRequest,
  createHelpRequest,
  HELP_TOPICS,
  helpRoute,
  helpSummary,
  markHelpRequestsRead,
  myHelpRequests,
  requestsToAnswer,
  unreadHelpRequests,
  type HelpActor,
  type HelpTopic,
} from '../../program/helpRequests.ts';
import { API } from '../contract.ts';
import { defineRoute, logAccess, type Auth, type Services } from '../routing.ts';

const actor = (auth: Auth): HelpActor => auth.user;

export function helpRoutes(app: FastifyInstance, s: Services): void {
  defineRoute(app, s, {
    ...API['GET /api/help-topics'],
    tag: 'help',
    summary: 'What a clinician can ask their champions for help with',
    access: 'session',
    handler: () =>
      Promise.resolve(
        Object.entries(HELP_TOPICS).map(([topic, label]) => ({
          topic: topic as HelpTopic,
          label,
        })),
      ),
  });

  defineRoute(app, s, {
    ...API['GET /api/me/help-requests'],
    tag: 'help',
    summary: 'My help requests and their answers',
    description: 'For an account linked to a roster clinician; empty otherwise.',
    access: 'session',
    async handler({ req, auth }) {
      const rows = await myHelpRequests(s.db, actor(auth!));
      await logAccess(s, req, auth, 'view', 'me/help-requests', `${rows.length} requests`);
      return { summary: helpSummary(rows), requests: rows };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/me/help-route'],
    tag: 'help',
    summary: 'Where my question would go, before I send it',
    description:
      'The champions of my department, else of my specialty, else of my role (their names); ' +
      'with none, the IT / informatics team (tier `it`). For an account linked to a roster ' +
      'clinician (403 otherwise).',
    access: 'session',
    async handler({ req, auth }) {
      const me = actor(auth!);
      if (!me.clinician_id)
        throw new UptakeError(
          'FORBIDDEN',
          'only an account linked to a roster clinician can ask for help; ask an administrator to link yours',
        );
      const { recipients, ...route } = await helpRoute(
        s.db,
        await s.accounts.list(),
        me.clinician_id,
      );
      await logAccess(s, req, auth, 'view', 'me/help-route', `${route.tier}: ${recipients.length}`);
      return route;
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/me/help-requests'],
    tag: 'help',
    summary: 'Ask for help: the champions of my unit, else the IT / informatics team',
    description:
      'The request, with my name, goes to the champions of my department, else of my specialty, ' +
      'else of my role, else to the IT / informatics team (`GET /api/me/help-route` says which ' +
      'beforehand; `route` in the answer says where it went) — never my numbers. Each recipient ' +
      'is notified. At most 5 open requests at a time (409).',
    access: 'session',
    async handler({ req, auth, body }) {
      const r = await createHelpRequest(s.db, actor(auth!), body, {
        accounts: await s.accounts.list(),
      });
      await logAccess(
        s,
        req,
        auth,
        'create',
        `help-requests/${r.id}`,
        `${r.topic}, sent to ${r.route.tier}`,
      );
      return r;
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/notifications'],
    tag: 'help',
    summary: 'My unread notifications: open help requests sent to me that I have not seen',
    description:
      'A count for the navigation’s badge, asked on every page: not written to the access log ' +
      '(it shows no request; opening the list is logged).',
    access: 'session',
    async handler({ auth }) {
      return { help_requests: await unreadHelpRequests(s.db, auth!.user.username) };
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/help-requests/read'],
    tag: 'help',
    summary: 'Mark help requests as seen (their notifications read)',
    description: 'Ids that are not the caller’s notifications are ignored.',
    access: ['admin', 'champion', 'it'],
    async handler({ req, auth, body }) {
      const username = auth!.user.username;
      await markHelpRequestsRead(s.db, username, body.ids);
      await logAccess(s, req, auth, 'update', 'help-requests/read', `${body.ids.length} seen`);
      return { help_requests: await unreadHelpRequests(s.db, username) };
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/me/help-requests/:id/close'],
    tag: 'help',
    summary: 'Close one of my help requests (settled, or no longer needed)',
    access: 'session',
    async handler({ req, auth, params }) {
      const r = await closeOwnHelpRequest(s.db, actor(auth!), params.id);
      await logAccess(s, req, auth, 'update', `help-requests/${r.id}`, 'closed by the clinician');
      return r;
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/help-requests'],
    tag: 'help',
    summary:
      'Help requests to answer: my groups’ clinicians (champions), those sent to IT (it) or all (administrators)',
    description:
      'Open requests first, then answered, then closed; each newest first. A champion sees the ' +
      'requests of the clinicians of their groups only (from the roster), never their own; the ' +
      '`it` role those routed to the IT / informatics team (`routed_to: "it"`).',
    access: ['admin', 'champion', 'it'],
    async handler({ req, auth, query }) {
      const rows = await requestsToAnswer(s.db, actor(auth!), query.status);
      await logAccess(s, req, auth, 'view', 'help-requests', `${query.status}: ${rows.length}`);
      return { summary: helpSummary(rows), requests: rows };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/help-coverage'],
    tag: 'help',
    summary: 'Champion coverage per department, and the requests waiting in each',
    description: 'Which departments have a champion (by department, specialty or role).',
    access: ['admin'],
    async handler({ req, auth }) {
      const champions = (await s.accounts.list()).filter((u) => u.role === 'champion');
      const rows = await championCoverage(s.db, champions);
      await logAccess(s, req, auth, 'view', 'help-coverage', `${rows.length} departments`);
      return rows;
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/help-requests/:id/answer'],
    tag: 'help',
    summary: 'Answer a help request (and optionally close it)',
    description:
      'A champion may answer the requests of their groups’ clinicians only, the `it` role those ' +
      'routed to IT: any other id is NOT_FOUND (404), so ids cannot be probed. A closed request ' +
      'cannot be answered (409).',
    access: ['admin', 'champion', 'it'],
    async handler({ req, auth, params, body }) {
      const r = await answerHelpRequest(s.db, actor(auth!), params.id, body);
      await logAccess(s, req, auth, 'update', `help-requests/${r.id}`, `answered (${r.status})`);
      return r;
    },
  });
}
