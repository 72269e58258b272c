/**
 * Help requests (`src/program/helpRequests.ts`): a clinician asks their unit's peer champions for
 * help and sees the answers; champions see and answer the requests of their groups' clinicians
 * only; administrators see all. Every view and change is written to the access log.
 */
import type { FastifyInstance } from 'fastify';
import {
  answerHelpRequest,
  championCoverage,
  closeOwnHelpRequest,
  createHelpRequest,
  HELP_TOPICS,
  helpSummary,
  myHelpRequests,
  requestsToAnswer,
  type HelpActor,
  type HelpTopic,
} from '../../program/helpRequests.ts';
import { defineRoute, logAccess, type Auth, type Services } from '../routing.ts';
import {
  coverageSchema,
  helpAnswer,
  helpCreate,
  helpIdParams,
  helpListQuery,
  helpListSchema,
  helpRequestSchema,
  helpTopicsSchema,
} from '../schemas.ts';

const actor = (auth: Auth): HelpActor => auth.user;

export function helpRoutes(app: FastifyInstance, s: Services): void {
  defineRoute(app, s, {
    method: 'GET',
    url: '/api/help-topics',
    tag: 'help',
    summary: 'What a clinician can ask their champions for help with',
    access: 'session',
    response: helpTopicsSchema,
    handler: () =>
      Promise.resolve(
        Object.entries(HELP_TOPICS).map(([topic, label]) => ({
          topic: topic as HelpTopic,
          label,
        })),
      ),
  });

  defineRoute(app, s, {
    method: 'GET',
    url: '/api/me/help-requests',
    tag: 'help',
    summary: 'My help requests and their answers',
    description: 'For an account linked to a roster clinician; empty otherwise.',
    access: 'session',
    response: helpListSchema,
    async handler({ req, auth }) {
      const rows = await myHelpRequests(s.db, actor(auth!));
      await logAccess(s, req, auth, 'view', 'me/help-requests', `${rows.length} requests`);
      return { summary: helpSummary(rows), requests: rows };
    },
  });

  defineRoute(app, s, {
    method: 'POST',
    url: '/api/me/help-requests',
    tag: 'help',
    summary: 'Ask the champions of my unit for help',
    description:
      'The request, with my name, goes to the champions of my department, specialty or role — ' +
      'never my numbers. At most 5 open requests at a time (409).',
    access: 'session',
    body: helpCreate,
    response: helpRequestSchema,
    status: 201,
    async handler({ req, auth, body }) {
      const r = await createHelpRequest(s.db, actor(auth!), body);
      await logAccess(s, req, auth, 'create', `help-requests/${r.id}`, r.topic);
      return r;
    },
  });

  defineRoute(app, s, {
    method: 'POST',
    url: '/api/me/help-requests/:id/close',
    tag: 'help',
    summary: 'Close one of my help requests (settled, or no longer needed)',
    access: 'session',
    params: helpIdParams,
    response: helpRequestSchema,
    async handler({ req, auth, params }) {
      const r = await closeOwnHelpRequest(s.db, actor(auth!), params.id);
      await logAccess(s, req, auth, 'update', `help-requests/${r.id}`, 'closed by the clinician');
      return r;
    },
  });

  defineRoute(app, s, {
    method: 'GET',
    url: '/api/help-requests',
    tag: 'help',
    summary: 'Help requests to answer: my groups’ clinicians (champions) or all (administrators)',
    description:
      'Open requests first, then answered, then closed; each newest first. A champion sees the ' +
      'requests of the clinicians of their groups only (from the roster), never their own.',
    access: ['admin', 'champion'],
    query: helpListQuery,
    response: helpListSchema,
    async handler({ req, auth, query }) {
      const rows = await requestsToAnswer(s.db, actor(auth!), query.status);
      await logAccess(s, req, auth, 'view', 'help-requests', `${query.status}: ${rows.length}`);
      return { summary: helpSummary(rows), requests: rows };
    },
  });

  defineRoute(app, s, {
    method: 'GET',
    url: '/api/help-coverage',
    tag: 'help',
    summary: 'Champion coverage per department, and the requests waiting in each',
    description: 'Which departments have a champion (by department, specialty or role).',
    access: ['admin'],
    response: coverageSchema,
    async handler({ req, auth }) {
      const champions = (await s.accounts.list()).filter((u) => u.role === 'champion');
      const rows = await championCoverage(s.db, champions);
      await logAccess(s, req, auth, 'view', 'help-coverage', `${rows.length} departments`);
      return rows;
    },
  });

  defineRoute(app, s, {
    method: 'POST',
    url: '/api/help-requests/:id/answer',
    tag: 'help',
    summary: 'Answer a help request (and optionally close it)',
    description:
      'A champion may answer the requests of their groups’ clinicians only: any other id is ' +
      'NOT_FOUND (404), so ids cannot be probed. A closed request cannot be answered (409).',
    access: ['admin', 'champion'],
    params: helpIdParams,
    body: helpAnswer,
    response: helpRequestSchema,
    async handler({ req, auth, params, body }) {
      const r = await answerHelpRequest(s.db, actor(auth!), params.id, body);
      await logAccess(s, req, auth, 'update', `help-requests/${r.id}`, `answered (${r.status})`);
      return r;
    },
  });
}
