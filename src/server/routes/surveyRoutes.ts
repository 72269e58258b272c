/**
 * The surveys' API (issue #14; rules in `docs/program.md` §Surveys and spec §3). Thin routes over
 * `src/program/survey*.ts`, which decide who may do what, so the API and the CLI refuse alike.
 *
 * - Administrators and IT create surveys (custom, or a shipped instrument; from a FHIR
 *   Questionnaire too), open them — which invites the target population under the contact budget
 *   (`survey_min_days`) —, run a further invitation round, close them, and import responses (FHIR
 *   QuestionnaireResponses, or a CSV upload like every other upload).
 * - Administrators, IT, leaders and champions read results: per group, with the response rate and
 *   its denominator, and per item, suppressed below the threshold for everyone (§3); before/after
 *   of two surveys. Only administrators and IT read the free-text answers (of the whole survey).
 *   Clinicians read no results.
 * - A clinician (or champion) sees the one survey waiting for them, answers or dismisses it.
 *
 * The secret of anonymous invitations and of imported responses' ids is derived from the key
 * file (outside the database) and always passed. Every view and change is written to the access
 * log, refusals too; the caller's own survey routes never name the survey there, so the log cannot
 * tell who was asked or answered an anonymous one.
 */
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Questionnaire, QuestionnaireResponse } from 'fhir/r4.js';
import { z } from 'zod';
import { UptakeError } from '../../errors/UptakeError.ts';
import { Pseudonymizer } from '../../ingest/pseudonymize.ts';
import { keyFile, rejectsDir } from '../../admin/paths.ts';
import type { SurveyRow } from '../../model/survey.ts';
import { makeTempDir, removeTempDir } from '../../store/tempFiles.ts';
import type { ProgramActor } from '../../program/actor.ts';
import { importSurveyResponsesCsv } from '../../program/surveyCsv.ts';
import {
  importQuestionnaire,
  importQuestionnaireResponses,
  surveyResponsesToFhir,
  surveyToQuestionnaire,
} from '../../program/surveyFhir.ts';
import { surveyComparison, surveyResults } from '../../program/surveyResults.ts';
import {
  closeSurvey,
  createSurvey,
  dismissSurvey,
  inviteToSurvey,
  listSurveys,
  openSurvey,
  respondToSurvey,
  surveyForMe,
  surveyItems,
  surveyOrThrow,
  surveyTargets,
} from '../../program/surveyStore.ts';
import { API } from '../contract.ts';
import { defineRoute, logAccess, type Auth, type Services } from '../routing.ts';
import type { SurveyOut } from '../surveySchemas.ts';
import { saveUpload } from './adminRoutes.ts';
import { programActor } from './programRoutes.ts';

const MANAGERS = ['admin', 'it'] as const;
const READERS = ['admin', 'it', 'leader', 'champion'] as const;
const CSV_TYPES = ['text/csv', 'application/octet-stream'];

/** The refusal's outcome in the access log. */
function failureOf(e: unknown): { outcome: 'denied' | 'failure'; detail: string } {
  const code = e instanceof UptakeError ? e.code : 'INTERNAL';
  return {
    outcome: code === 'FORBIDDEN' || code === 'NOT_FOUND' ? 'denied' : 'failure',
    detail: code,
  };
}

export function surveyRoutes(app: FastifyInstance, s: Services, o: { now: () => Date }): void {
  let secret: Buffer | null = null;
  /** Anonymous invitations' and imported ids' secret (≥ 32 bytes), from the key file. */
  const key = (): Buffer =>
    (secret ??= Pseudonymizer.load(s.keyFile ?? keyFile(s.db.raw)).derivedKey('survey-invitees'));

  async function actorOf(auth: Auth | null): Promise<ProgramActor> {
    await s.cache.check();
    return programActor(auth!.user, (await s.cache.facts()).roster);
  }

  /** Invitations and responses per survey, in one query. */
  async function counts(): Promise<Map<string, { invited: number; responses: number }>> {
    const rows = await s.db.all<{ id: string; invited: number; responses: number }>(
      `SELECT s.id,
         (SELECT count(*) FROM survey_invitations i WHERE i.survey_id = s.id) AS invited,
         (SELECT count(*) FROM survey_responses r WHERE r.survey_id = s.id) AS responses
       FROM surveys s`,
    );
    return new Map(
      rows.map((r) => [r.id, { invited: Number(r.invited), responses: Number(r.responses) }]),
    );
  }

  async function out(row: SurveyRow, c?: Map<string, { invited: number; responses: number }>) {
    const n = (c ?? (await counts())).get(row.id) ?? { invited: 0, responses: 0 };
    return { ...row, target_groups: surveyTargets(row), ...n } satisfies SurveyOut;
  }

  const refused =
    (action: 'view' | 'create' | 'update' | 'upload', mine = false) =>
    async (ctx: { req: { ip: string; url: string }; auth: Auth | null }, e: unknown) => {
      const f = failureOf(e);
      const path = ctx.req.url.split('?')[0]!.replace(/^\/api\//, '');
      // The caller's own survey routes never name the survey (see above).
      await logAccess(s, ctx.req, ctx.auth, action, mine ? 'me/survey' : path, f.detail, f.outcome);
    };

  const settings = () => s.settings();

  // --- administrators and IT ----------------------------------------------------------------------

  defineRoute(app, s, {
    ...API['GET /api/surveys'],
    tag: 'surveys',
    summary: 'Every survey, newest first, with its invitations and responses so far',
    access: READERS,
    onFailure: refused('view'),
    async handler({ req, auth }) {
      const c = await counts();
      const surveys = await Promise.all((await listSurveys(s.db)).map((r) => out(r, c)));
      await logAccess(s, req, auth, 'view', 'surveys', `${surveys.length} surveys`);
      return { surveys };
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/surveys'],
    tag: 'surveys',
    summary: 'Create a survey (a draft): a shipped instrument (SUS, NPS, net) or custom items',
    description:
      'Target groups and/or a go-live (phase pre or post); none: the whole organisation. ' +
      'Anonymous surveys keep only the respondent’s department, specialty and role.',
    access: MANAGERS,
    onFailure: refused('create'),
    async handler({ req, auth, body }) {
      const row = await createSurvey(s.db, await actorOf(auth), body, { now: o.now() });
      await logAccess(s, req, auth, 'create', `surveys/${row.id}`, row.title);
      return out(row);
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/surveys/fhir'],
    tag: 'surveys',
    summary: 'Create a survey (a draft) from a FHIR R4 Questionnaire',
    access: MANAGERS,
    onFailure: refused('create'),
    async handler({ req, auth, body }) {
      const row = await importQuestionnaire(
        s.db,
        await actorOf(auth),
        body as unknown as Questionnaire,
        { now: o.now() },
      );
      await logAccess(s, req, auth, 'create', `surveys/${row.id}`, `from FHIR: ${row.title}`);
      return out(row);
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/surveys/compare'],
    tag: 'surveys',
    summary: 'Before/after of two surveys of one instrument (e.g. a go-live’s pre and post)',
    description:
      'Per group: SUS and net as a difference of means with Welch’s interval, NPS as the ' +
      'difference with the adjusted estimates’ interval; none where either side is suppressed.',
    access: READERS,
    onFailure: refused('view'),
    async handler({ req, auth, query }) {
      const threshold = (await settings()).suppression_threshold;
      const r = await surveyComparison(s.db, query.before, query.after, {
        by: query.by,
        threshold,
      });
      const c = await counts();
      await logAccess(s, req, auth, 'view', `surveys/compare`, `${query.before} → ${query.after}`);
      return {
        before: await out(r.before.survey, c),
        after: await out(r.after.survey, c),
        by: query.by,
        threshold,
        groups: r.groups,
        total: r.total,
      };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/surveys/:id'],
    tag: 'surveys',
    summary: 'One survey and its items',
    access: READERS,
    onFailure: refused('view'),
    async handler({ req, auth, params }) {
      const row = await surveyOrThrow(s.db, params.id);
      await logAccess(s, req, auth, 'view', `surveys/${row.id}`);
      return { survey: await out(row), items: await surveyItems(s.db, row.id) };
    },
  });

  const round = async (auth: Auth | null, id: string) =>
    inviteToSurvey(s.db, await actorOf(auth), id, {
      minDays: (await settings()).survey_min_days,
      key: key(),
      now: o.now(),
    });

  defineRoute(app, s, {
    ...API['POST /api/surveys/:id/open'],
    tag: 'surveys',
    summary: 'Open a draft and invite its target population under the contact budget',
    access: MANAGERS,
    onFailure: refused('update'),
    async handler({ req, auth, params }) {
      const row = await openSurvey(s.db, await actorOf(auth), params.id, { now: o.now() });
      const r = await round(auth, row.id);
      await logAccess(s, req, auth, 'update', `surveys/${row.id}`, `opened; ${r.invited} invited`);
      return { survey: await out(row), round: r };
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/surveys/:id/invite'],
    tag: 'surveys',
    summary: 'Invite again: those now outside the contact budget, and who dismissed it once',
    access: MANAGERS,
    onFailure: refused('update'),
    async handler({ req, auth, params }) {
      const r = await round(auth, params.id);
      const row = await surveyOrThrow(s.db, params.id);
      await logAccess(
        s,
        req,
        auth,
        'update',
        `surveys/${row.id}`,
        `invited ${r.invited}, again ${r.reinvited}`,
      );
      return { survey: await out(row), round: r };
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/surveys/:id/close'],
    tag: 'surveys',
    summary: 'Close an open survey: no more answers; results stay',
    access: MANAGERS,
    onFailure: refused('update'),
    async handler({ req, auth, params }) {
      const row = await closeSurvey(s.db, await actorOf(auth), params.id, { now: o.now() });
      await logAccess(s, req, auth, 'update', `surveys/${row.id}`, 'closed');
      return out(row);
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/surveys/:id/results'],
    tag: 'surveys',
    summary: 'Scores per group with intervals and the response rate; small groups suppressed',
    description:
      'SUS with its t-interval and adjective band, NPS with the adjusted-Wald interval, net ' +
      'satisfaction with its t-interval; groups with fewer respondents than the suppression ' +
      'threshold show no figure to anyone, administrators included (§3). Every shown group and ' +
      'the total carry `items`, one per item of the survey (custom and shipped): answered (n); ' +
      'for 1–5 and 0–10 items the mean with its 95% t-interval and the count per value; for ' +
      'single-choice items each choice’s count and share with its Wilson 95% interval; for ' +
      'free-text items the count. The free-text answers themselves, alphabetically, only in ' +
      '`total` and only for administrators and IT (the survey’s owners), never per group and ' +
      'never when the total is suppressed; leaders and champions see the counts only.',
    access: READERS,
    onFailure: refused('view'),
    async handler({ req, auth, params, query }) {
      const threshold = (await settings()).suppression_threshold;
      // The texts are the owners' (administrators and IT), as creating and closing surveys are.
      const owner = (MANAGERS as readonly string[]).includes(auth!.user.role);
      const r = await surveyResults(s.db, params.id, {
        by: query.by,
        threshold,
        freeTexts: owner,
      });
      await logAccess(s, req, auth, 'view', `surveys/${params.id}/results`, `by ${query.by}`);
      return { ...r, survey: await out(r.survey) };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/surveys/:id/fhir'],
    tag: 'surveys',
    summary: 'The survey as a FHIR R4 Questionnaire and its responses as QuestionnaireResponses',
    access: MANAGERS,
    onFailure: refused('view'),
    async handler({ req, auth, params }) {
      const row = await surveyOrThrow(s.db, params.id);
      const responses = await surveyResponsesToFhir(s.db, row.id);
      await logAccess(
        s,
        req,
        auth,
        'view',
        `surveys/${row.id}/fhir`,
        `${responses.length} responses`,
      );
      return {
        questionnaire: { ...surveyToQuestionnaire(row, await surveyItems(s.db, row.id)) },
        responses: {
          resourceType: 'Bundle',
          type: 'collection',
          entry: responses.map((resource) => ({ resource })),
        },
      };
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/surveys/:id/responses/fhir'],
    tag: 'surveys',
    summary: 'Import QuestionnaireResponses (a Bundle, a list or one) as responses',
    description:
      'Each resource that cannot be taken is returned with its position and why; the others are ' +
      'stored. Re-importing the same ids stores nothing twice.',
    access: MANAGERS,
    onFailure: refused('upload'),
    async handler({ req, auth, params, body }) {
      await surveyOrThrow(s.db, params.id);
      // A Bundle's entries without a resource object are rejected by position like any other.
      const list: unknown[] = Array.isArray(body)
        ? body
        : body.resourceType === 'Bundle'
          ? z
              .array(
                z
                  .object({ resource: z.record(z.string(), z.unknown()).catch({}) })
                  .catch({ resource: {} }),
              )
              .catch([])
              .parse(body['entry'])
              .map((e) => e.resource)
          : [body];
      const result = await importQuestionnaireResponses(
        s.db,
        params.id,
        list as QuestionnaireResponse[],
        { key: key() },
      );
      await logAccess(
        s,
        req,
        auth,
        'upload',
        `surveys/${params.id}/responses`,
        `FHIR: ${result.stored} stored, ${result.duplicate} duplicate, ${result.rejected.length} rejected`,
      );
      return result;
    },
  });

  app.register(async (scope) => {
    // The file arrives as the raw body, streamed to a temporary file (as POST /api/imports).
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    defineRoute(scope, s, {
      ...API['POST /api/surveys/:id/responses/csv'],
      tag: 'surveys',
      summary: 'Upload a CSV of responses from another tool (one column per item and an id)',
      description:
        'Imported as every other upload: bad rows are rejected with their line and reason, good ' +
        'rows stored; the import report is returned and listed with the imports.',
      access: MANAGERS,
      onFailure: refused('upload'),
      async handler({ req, auth, params, query, body }) {
        const type = String(req.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim()
          .toLowerCase();
        if (!body || typeof (body as Readable).pipe !== 'function' || !CSV_TYPES.includes(type))
          throw new UptakeError(
            'INVALID_INPUT',
            `send the CSV file as the body with content-type ${CSV_TYPES.join(' or ')}`,
          );
        await surveyOrThrow(s.db, params.id);
        const name = query.filename ?? `survey-${params.id}.csv`;
        const dir = await makeTempDir('upload');
        const file = join(dir, name.replace(/[^\w.-]/g, '_'));
        try {
          const bytes = await saveUpload(body as Readable, file, s.maxUploadBytes);
          const report = await s.db.exclusive(async (raw) =>
            importSurveyResponsesCsv(raw, {
              surveyId: params.id,
              file,
              label: name,
              rejectsDir: s.rejectsDir ?? rejectsDir(raw),
              key: key(),
              now: o.now(),
            }),
          );
          await logAccess(
            s,
            req,
            auth,
            'upload',
            `surveys/${params.id}/responses`,
            `CSV ${name} ${bytes} bytes: ${report.rows_stored} stored, ${report.rows_rejected} rejected`,
          );
          return report;
        } catch (e) {
          if (e instanceof Error)
            e.message = e.message.replaceAll(file, name).replaceAll(dir, 'the upload');
          throw e;
        } finally {
          await removeTempDir(dir);
        }
      },
    });
  });

  // --- the caller's own survey ----------------------------------------------------------------------

  defineRoute(app, s, {
    ...API['GET /api/me/survey'],
    tag: 'surveys',
    summary: 'The one survey waiting for the caller (null when none)',
    access: 'session',
    logAs: 'me/survey',
    onFailure: refused('view', true),
    async handler({ req, auth }) {
      const w = await surveyForMe(s.db, await actorOf(auth), { key: key() });
      await logAccess(s, req, auth, 'view', 'me/survey');
      return {
        survey: w
          ? {
              id: w.survey.id,
              title: w.survey.title,
              instrument: w.survey.instrument,
              anonymous: w.survey.anonymous,
              invited_at: w.invited_at,
              items: w.items,
            }
          : null,
      };
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/me/surveys/:id/answers'],
    tag: 'surveys',
    summary: 'Answer the survey waiting for the caller (items may be left out)',
    access: 'session',
    logAs: 'me/survey',
    onFailure: refused('create', true),
    async handler({ req, auth, params, body }) {
      await respondToSurvey(s.db, await actorOf(auth), params.id, body, {
        key: key(),
        now: o.now(),
      });
      await logAccess(s, req, auth, 'create', 'me/survey', 'answered');
      return { answered: true as const };
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/me/surveys/:id/dismiss'],
    tag: 'surveys',
    summary: 'Not now: hide the survey; after the second dismissal it is never asked again',
    access: 'session',
    logAs: 'me/survey',
    onFailure: refused('update', true),
    async handler({ req, auth, params }) {
      const r = await dismissSurvey(s.db, await actorOf(auth), params.id, { key: key() });
      await logAccess(s, req, auth, 'update', 'me/survey', 'dismissed');
      return r;
    },
  });
}
