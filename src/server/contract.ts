/**
 * The HTTP API's contract, written once: one entry per route, keyed by its method and path as a
 * client writes them (`'GET /api/groups/:by/:value'`), holding the zod schemas of what it reads
 * (path parameters, query, body) and what it answers (the response, its status, or a redirect or
 * file download instead of JSON).
 *
 * Both sides read the same object:
 * - the server spreads an entry into its route, which adds who may call it and the handler:
 *   `defineRoute(app, s, { ...API['GET /api/org'], access: [...], handler })` (`routing.ts`
 *   refuses a route that is not in this contract);
 * - the web app imports the types below (`import type`: no zod or server code enters its
 *   bundle) and calls the API through one client keyed by these strings (`web/src/api.ts`), so a
 *   change of a schema here is a compile error wherever the web app relies on the old shape.
 *
 * The key is the method and the path, rather than a short name, so that the client needs no table
 * of its own to find a route's URL at run time (its import of this module is erased) and a reader
 * sees at once which request a call makes.
 */
import { z } from 'zod';
import {
  engagementQuery,
  engagementReportOut,
  myEngagementOut,
  myEngagementQuery,
} from './engagementSchemas.ts';
import {
  answerBody,
  followupDraft,
  followupIdParams,
  followupListQuery,
  followupOut,
  followupsOut,
  linkBody,
  patientFollowupOut,
  questionBody,
  questionParams,
  templateDraft,
  templateIdParams,
  templatesOut,
  visitsOut,
} from './followupSchemas.ts';
import {
  championSuggestionsOut,
  championSuggestionsQuery,
  coverageReportOut,
  invitationAnswer,
  invitationCreate,
  invitationIdParams,
  invitationOut,
  invitationsOut,
  trainingCountsOut,
  trainingEffectOut,
  trainingEffectQuery,
  trainingTargetsOut,
  trainingTargetsQuery,
} from './championSchemas.ts';
import {
  accessLogQuery,
  accessLogRowSchema,
  adoptionQuery,
  adoptionReportSchema,
  auditBundleSchema,
  coverageSchema,
  exportParams,
  exportQuery,
  goliveQuery,
  goliveReportSchema,
  groupParams,
  groupReportSchema,
  helpAnswer,
  helpCreate,
  helpIdParams,
  helpListQuery,
  helpListSchema,
  helpReadBody,
  helpRequestSchema,
  helpRouteSchema,
  helpTopicsSchema,
  importDetailSchema,
  importIdParams,
  importRemovalSchema,
  importReportSchema,
  importRowSchema,
  loginBody,
  loginResponse,
  meSchema,
  metaSchema,
  myReportQuery,
  myReportSchema,
  notificationsSchema,
  orgReportSchema,
  rangeQuery,
  settingsSchema,
  settingsUpdate,
  ssoInfoSchema,
  toolListSchema,
  uploadQuery,
  userCreate,
  usernameParams,
  userSchema,
  userUpdate,
  type changeSchema,
  type clinicianRowSchema,
  type dataRangeSchema,
  type estimateSchema,
  type funnelRowSchema,
  type groupMetricRowSchema,
  type metricOptionsOut,
  type quantilesSchema,
  type reportMetaSchema,
  type suggestionSchema,
} from './schemas.ts';
import {
  feedbackChangeBody,
  feedbackCreateBody,
  feedbackDetailSchema,
  feedbackDoneQuery,
  feedbackDoneSchema,
  feedbackEffectSchema,
  feedbackFiguresQuery,
  feedbackFiguresSchema,
  feedbackIdParams,
  feedbackItemSchema,
  feedbackListQuery,
  feedbackListSchema,
  feedbackMergeBody,
  feedbackRatingBody,
  feedbackSubscribeBody,
  fhirGoalSchema,
  goalCommentBody,
  goalCommentResponse,
  goalDetailSchema,
  goalIdParams,
  goalListQuery,
  goalListSchema,
  goalPreviewSchema,
  goalProposalBody,
  goalSummarySchema,
  goalVoteBody,
  goalVoteResultSchema,
  myGoalsSchema,
  noticesQuery,
  noticesReadBody,
  noticesSchema,
  unreadSchema,
} from './programSchemas.ts';
import {
  fhirResponseImportSchema,
  mySurveySchema,
  questionnaireBody,
  questionnaireResponsesBody,
  surveyAnsweredSchema,
  surveyAnswersBody,
  surveyCompareQuery,
  surveyComparisonSchema,
  surveyCreateBody,
  surveyCsvQuery,
  surveyCsvReportSchema,
  surveyDetailSchema,
  surveyDismissedSchema,
  surveyFhirSchema,
  surveyIdParams,
  surveyListSchema,
  surveyOpenedSchema,
  surveyResultsQuery,
  surveyResultsSchema,
  surveySchema,
} from './surveySchemas.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What one route reads and answers. */
export interface Wire {
  params?: z.ZodType;
  query?: z.ZodType;
  /** A JSON body's schema; `'stream'` for a raw upload (the handler reads the request body). */
  body?: z.ZodType | 'stream';
  /** The JSON answer; a route without one (and not a redirect or a file) answers 204. */
  response?: z.ZodType;
  /** The status of a successful JSON answer, when not 200 (201 for a creation). */
  status?: number;
  /** The route answers 302 Found (browser sign-on flows). */
  redirect?: true;
  /** The route sends a file as a download. */
  file?: true;
}

type Route<K extends string, W> = K extends `${infer M extends Method} ${infer U}`
  ? { method: M; url: U } & W
  : never;

/** Each entry completed with the method and path of its key. */
function contract<const T extends Record<`${Method} /api/${string}`, Wire>>(
  routes: T,
): { readonly [K in keyof T & string]: Route<K, T[K]> } {
  return Object.fromEntries(
    Object.entries(routes).map(([key, wire]) => {
      const [method, url] = key.split(' ');
      return [key, { method, url, ...wire }];
    }),
  ) as { readonly [K in keyof T & string]: Route<K, T[K]> };
}

export const API = contract({
  // --- session and sign-on ---------------------------------------------------------------------
  'POST /api/login': { body: loginBody, response: loginResponse },
  'POST /api/logout': {},
  'GET /api/me': { response: meSchema },
  'GET /api/sso': { response: ssoInfoSchema },
  'GET /api/sso/oidc/login': { redirect: true },
  // The launch's query (iss, launch) is read by the handler: a bad one goes back to the sign-in
  // page with a reason, never a JSON error in the EHR's frame.
  'GET /api/sso/smart/launch': { redirect: true },
  'GET /api/sso/smart/continue': { redirect: true },
  'GET /api/sso/oidc/callback': { redirect: true },
  'GET /api/sso/smart/callback': { redirect: true },

  // --- reports -----------------------------------------------------------------------------------
  'GET /api/meta': { response: metaSchema },
  'GET /api/org': { query: rangeQuery, response: orgReportSchema },
  'GET /api/groups/:by/:value': {
    params: groupParams,
    query: rangeQuery,
    response: groupReportSchema,
  },
  'GET /api/me/report': { query: myReportQuery, response: myReportSchema },

  // --- analysis ----------------------------------------------------------------------------------
  'GET /api/tools': { response: toolListSchema },
  'GET /api/adoption': { query: adoptionQuery, response: adoptionReportSchema },
  'GET /api/golive': { query: goliveQuery, response: goliveReportSchema },

  // --- patient engagement (issue #15, docs/engagement.md) ----------------------------------------
  'GET /api/engagement': { query: engagementQuery, response: engagementReportOut },
  'GET /api/me/engagement': { query: myEngagementQuery, response: myEngagementOut },
  'GET /api/me/visits': { response: visitsOut },
  'GET /api/me/followups': { response: followupsOut },
  'POST /api/me/followups': { body: followupDraft, response: followupOut, status: 201 },
  'POST /api/me/followups/:id/deliver': { params: followupIdParams, response: followupOut },
  'POST /api/me/followups/:id/questions/:question/answer': {
    params: questionParams,
    body: answerBody,
    response: followupOut,
  },
  'GET /api/me/followup-templates': { response: templatesOut },
  'POST /api/me/followup-templates': {
    body: templateDraft,
    response: templatesOut.element,
    status: 201,
  },
  'DELETE /api/me/followup-templates/:id': { params: templateIdParams },
  'GET /api/followups': { query: followupListQuery, response: followupsOut },
  'POST /api/patient/followup': { body: linkBody, response: patientFollowupOut },
  'POST /api/patient/followup/acknowledge': { body: linkBody, response: patientFollowupOut },
  'POST /api/patient/followup/question': { body: questionBody, response: patientFollowupOut },

  // --- help requests -----------------------------------------------------------------------------
  'GET /api/help-topics': { response: helpTopicsSchema },
  'GET /api/me/help-requests': { response: helpListSchema },
  'GET /api/me/help-route': { response: helpRouteSchema },
  'POST /api/me/help-requests': { body: helpCreate, response: helpRequestSchema, status: 201 },
  'GET /api/notifications': { response: notificationsSchema },
  'POST /api/help-requests/read': { body: helpReadBody, response: notificationsSchema },
  'POST /api/me/help-requests/:id/close': { params: helpIdParams, response: helpRequestSchema },
  'GET /api/help-requests': { query: helpListQuery, response: helpListSchema },
  'GET /api/help-coverage': { response: coverageSchema },
  'POST /api/help-requests/:id/answer': {
    params: helpIdParams,
    body: helpAnswer,
    response: helpRequestSchema,
  },

  // --- goals (issue #13, docs/program.md §Goals) -------------------------------------------------
  'GET /api/goals': { query: goalListQuery, response: goalListSchema },
  'POST /api/goals/preview': { body: goalProposalBody, response: goalPreviewSchema },
  'POST /api/goals': { body: goalProposalBody, response: goalSummarySchema, status: 201 },
  'GET /api/goals/:id': { params: goalIdParams, response: goalDetailSchema },
  'PUT /api/goals/:id/vote': {
    params: goalIdParams,
    body: goalVoteBody,
    response: goalVoteResultSchema,
  },
  'POST /api/goals/:id/comments': {
    params: goalIdParams,
    body: goalCommentBody,
    response: goalCommentResponse,
    status: 201,
  },
  'POST /api/goals/:id/withdraw': { params: goalIdParams, response: goalSummarySchema },
  'GET /api/goals/:id/fhir': { params: goalIdParams, response: fhirGoalSchema },
  'GET /api/me/goals': { response: myGoalsSchema },

  // --- feedback to IT (issue #13, docs/program.md §Feedback) -------------------------------------
  'POST /api/feedback': { body: feedbackCreateBody, response: feedbackItemSchema, status: 201 },
  'GET /api/feedback': { query: feedbackListQuery, response: feedbackListSchema },
  'GET /api/feedback/figures': { query: feedbackFiguresQuery, response: feedbackFiguresSchema },
  'GET /api/feedback/done': { query: feedbackDoneQuery, response: feedbackDoneSchema },
  'GET /api/feedback/:id': { params: feedbackIdParams, response: feedbackDetailSchema },
  'GET /api/feedback/:id/effect': { params: feedbackIdParams, response: feedbackEffectSchema },
  'POST /api/feedback/:id/vote': { params: feedbackIdParams, response: feedbackItemSchema },
  'DELETE /api/feedback/:id/vote': { params: feedbackIdParams, response: feedbackItemSchema },
  'POST /api/feedback/:id/subscribe': {
    params: feedbackIdParams,
    body: feedbackSubscribeBody,
    response: feedbackItemSchema,
  },
  'POST /api/feedback/:id/change': {
    params: feedbackIdParams,
    body: feedbackChangeBody,
    response: feedbackItemSchema,
  },
  'POST /api/feedback/:id/merge': {
    params: feedbackIdParams,
    body: feedbackMergeBody,
    response: feedbackItemSchema,
  },
  'POST /api/feedback/:id/rating': {
    params: feedbackIdParams,
    body: feedbackRatingBody,
    response: feedbackItemSchema,
  },

  // --- notices (the bell) ------------------------------------------------------------------------
  'GET /api/notices': { query: noticesQuery, response: noticesSchema },
  'GET /api/notices/unread': { response: unreadSchema },
  'POST /api/notices/read': { body: noticesReadBody, response: unreadSchema },

  // --- surveys (issue #14, docs/program.md §Surveys) ---------------------------------------------
  'GET /api/surveys': { response: surveyListSchema },
  'POST /api/surveys': { body: surveyCreateBody, response: surveySchema, status: 201 },
  'GET /api/surveys/compare': { query: surveyCompareQuery, response: surveyComparisonSchema },
  'POST /api/surveys/fhir': { body: questionnaireBody, response: surveySchema, status: 201 },
  'GET /api/surveys/:id': { params: surveyIdParams, response: surveyDetailSchema },
  'POST /api/surveys/:id/open': { params: surveyIdParams, response: surveyOpenedSchema },
  'POST /api/surveys/:id/invite': { params: surveyIdParams, response: surveyOpenedSchema },
  'POST /api/surveys/:id/close': { params: surveyIdParams, response: surveySchema },
  'GET /api/surveys/:id/results': {
    params: surveyIdParams,
    query: surveyResultsQuery,
    response: surveyResultsSchema,
  },
  'GET /api/surveys/:id/fhir': { params: surveyIdParams, response: surveyFhirSchema },
  'POST /api/surveys/:id/responses/fhir': {
    params: surveyIdParams,
    body: questionnaireResponsesBody,
    response: fhirResponseImportSchema,
  },
  'POST /api/surveys/:id/responses/csv': {
    params: surveyIdParams,
    query: surveyCsvQuery,
    body: 'stream',
    response: surveyCsvReportSchema,
  },
  'GET /api/me/survey': { response: mySurveySchema },
  'POST /api/me/surveys/:id/answers': {
    params: surveyIdParams,
    body: surveyAnswersBody,
    response: surveyAnsweredSchema,
    status: 201,
  },
  'POST /api/me/surveys/:id/dismiss': { params: surveyIdParams, response: surveyDismissedSchema },

  // --- administration ----------------------------------------------------------------------------
  'GET /api/imports': { response: z.array(importRowSchema) },
  'GET /api/imports/:id': { params: importIdParams, response: importDetailSchema },
  'GET /api/imports/:id/removal': { params: importIdParams, response: importRemovalSchema },
  'DELETE /api/imports/:id': { params: importIdParams, response: importRemovalSchema },
  'POST /api/imports': { query: uploadQuery, body: 'stream', response: importReportSchema },
  'GET /api/export/:table': { params: exportParams, query: exportQuery, file: true },
  'GET /api/settings': { response: settingsSchema },
  'PUT /api/settings': { body: settingsUpdate, response: settingsSchema },
  'POST /api/settings/smtp/test': { response: z.object({ to: z.string() }) },
  'GET /api/users': { response: z.array(userSchema) },
  'POST /api/users': { body: userCreate, response: userSchema, status: 201 },
  'PUT /api/users/:username': { params: usernameParams, body: userUpdate, response: userSchema },
  'DELETE /api/users/:username': { params: usernameParams },
  'GET /api/access-log': { query: accessLogQuery, response: z.array(accessLogRowSchema) },
  'GET /api/access-log/fhir': { query: accessLogQuery, response: auditBundleSchema },

  // --- this description --------------------------------------------------------------------------
  'GET /api/openapi.json': { response: z.record(z.string(), z.unknown()) },

  // --- champions and training (issue #14, program.md §4) ----------------------------------------
  'GET /api/champions/suggestions': {
    query: championSuggestionsQuery,
    response: championSuggestionsOut,
  },
  'POST /api/champions/invitations': {
    body: invitationCreate,
    response: invitationOut,
    status: 201,
  },
  'GET /api/me/champion-invitations': { response: invitationsOut },
  'POST /api/me/champion-invitations/:id': {
    params: invitationIdParams,
    body: invitationAnswer,
    response: invitationOut,
  },
  'GET /api/champions/coverage': { response: coverageReportOut },
  'GET /api/me/training-targets': { query: trainingTargetsQuery, response: trainingTargetsOut },
  'GET /api/training-targets/counts': { query: trainingTargetsQuery, response: trainingCountsOut },
  'GET /api/training/effect': { query: trainingEffectQuery, response: trainingEffectOut },
});

// --- what clients derive from it -------------------------------------------------------------------

export type Api = typeof API;
/** Every route, as `'METHOD /path'`. */
export type RouteKey = keyof Api;
/** A route's path (with `:name` parameters), as the server registers it. */
export type RouteUrl = Api[RouteKey]['url'];

/** The JSON a route answers (as sent: the schema's output); `undefined` for a 204. */
export type ApiResponse<K extends RouteKey> = Api[K] extends { response: infer R extends z.ZodType }
  ? z.output<R>
  : undefined;
/** A route's path parameters, as a client gives them (the schema's input); never without. */
export type ApiParams<K extends RouteKey> = Api[K] extends { params: infer S extends z.ZodType }
  ? z.input<S>
  : never;
/** A route's query, as a client gives it (the schema's input); never without. */
export type ApiQuery<K extends RouteKey> = Api[K] extends { query: infer S extends z.ZodType }
  ? z.input<S>
  : never;
/** A route's JSON body, as a client sends it; `'stream'` for a raw upload; never without. */
export type ApiBody<K extends RouteKey> = Api[K] extends { body: 'stream' }
  ? 'stream'
  : Api[K] extends { body: infer S extends z.ZodType }
    ? z.input<S>
    : never;

/** The routes a page can load with GET and read as JSON (not a redirect, not a download). */
export type JsonGetKey = {
  [K in RouteKey]: Api[K] extends { method: 'GET'; response: z.ZodType } ? K : never;
}[RouteKey];

// --- the shapes, by route group (the named schemas' types) -----------------------------------------

export type { GroupKind, GroupRef, Me, Role } from './schemas.ts';

// Reports
export type Meta = z.infer<typeof metaSchema>;
export type DataRange = z.infer<typeof dataRangeSchema>;
export type MetricOptionsOut = z.infer<typeof metricOptionsOut>;
export type ReportMeta = z.infer<typeof reportMetaSchema>;
export type GroupMetricRow = z.infer<typeof groupMetricRowSchema>;
export type Change = z.infer<typeof changeSchema>;
export type OrgReport = z.infer<typeof orgReportSchema>;
export type GroupReport = z.infer<typeof groupReportSchema>;
export type ClinicianRow = z.infer<typeof clinicianRowSchema>;
export type Quantiles = z.infer<typeof quantilesSchema>;
export type Suggestion = z.infer<typeof suggestionSchema>;
export type MyReport = z.infer<typeof myReportSchema>;

// Analysis
export type ToolInfo = z.infer<typeof toolListSchema>[number];
export type GoLiveInfo = ToolInfo['golives'][number];
export type AdoptionReport = z.infer<typeof adoptionReportSchema>;
export type FunnelRow = z.infer<typeof funnelRowSchema>;
export type GoLiveQuery = z.input<typeof goliveQuery>;
export type GoLiveReport = z.infer<typeof goliveReportSchema>;
export type GoLiveResult = GoLiveReport['results'][number];
export type ModelResult = NonNullable<GoLiveResult['its']>;
export type Estimate = z.infer<typeof estimateSchema>;

// Help requests
export type HelpTopics = z.infer<typeof helpTopicsSchema>;
export type HelpList = z.infer<typeof helpListSchema>;
export type HelpRequest = z.infer<typeof helpRequestSchema>;
export type HelpRoute = z.infer<typeof helpRouteSchema>;
export type Coverage = z.infer<typeof coverageSchema>;

// Goals, feedback to IT, notices (the program's shapes)
export type {
  FeedbackChangeIn,
  FeedbackClocksOut,
  FeedbackCreate,
  FeedbackDetail,
  FeedbackDone,
  FeedbackEffect,
  FeedbackFigures,
  FeedbackItem,
  FeedbackList,
  FhirGoal,
  GoalBaselineOut,
  GoalDetail,
  GoalGoLiveLink,
  GoalList,
  GoalPreview,
  GoalProgressOut,
  GoalProposalIn,
  GoalSummary,
  MyGoals,
  NoiseCheckOut,
  Notice,
  Notices,
  VoteTallyOut,
  WeeklyValueOut,
} from './programSchemas.ts';

// Surveys
export type {
  MySurvey,
  SurveyComparisonOut,
  SurveyCreateIn,
  SurveyDetail,
  SurveyFhirOut,
  SurveyGroupResultOut,
  SurveyItemOut,
  SurveyItemResultOut,
  SurveyList,
  SurveyOut,
  SurveyResultsOut,
} from './surveySchemas.ts';

// Administration
export type ImportRow = z.infer<typeof importRowSchema>;
export type ImportReport = z.infer<typeof importReportSchema>;
export type ImportDetail = z.infer<typeof importDetailSchema>;
export type UploadQuery = z.input<typeof uploadQuery>;
export type ExportQuery = z.input<typeof exportQuery>;
export type ExportParams = z.input<typeof exportParams>;
export type Settings = z.infer<typeof settingsSchema>;
export type SettingsUpdate = z.input<typeof settingsUpdate>;
export type User = z.infer<typeof userSchema>;
export type AccessLogEntry = z.infer<typeof accessLogRowSchema>;
