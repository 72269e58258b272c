/**
 * The HTTP JSON API of `uptake serve`, as the web app calls it: one client keyed by the routes of
 * the server's contract (`src/server/contract.ts`), e.g. `api('GET /api/org', { query: range })`,
 * whose answer has the type of that route's response schema. The types are imported, never the
 * schemas (`import type` is erased: no zod or server code enters the bundle), so a change of a
 * response's shape on the server is a compile error here (`npm run typecheck`), not a page that
 * quietly shows nothing.
 *
 * The session is an HttpOnly cookie the browser sends by itself; every state-changing request
 * carries the CSRF token of `/api/me`.
 */
import type {
  ApiBody,
  ApiParams,
  ApiQuery,
  ApiResponse,
  GoLiveInfo,
  RouteKey,
  ToolInfo,
} from '../../src/server/contract.ts';

// The API's shapes, as the pages use them: every one derived from the server's schemas.
export type {
  AccessLogEntry,
  AdoptionReport,
  ApiBody,
  ApiParams,
  ApiQuery,
  ApiResponse,
  Change,
  ClinicianRow,
  Coverage,
  DataRange,
  Estimate,
  FeedbackClocksOut,
  FeedbackCreate,
  FeedbackDetail,
  FeedbackDone,
  FeedbackFigures,
  FeedbackItem,
  FeedbackList,
  GoalBaselineOut,
  GoalDetail,
  GoalList,
  GoalPreview,
  GoalProgressOut,
  GoalProposalIn,
  GoalSummary,
  MyGoals,
  Notice,
  Notices,
  WeeklyValueOut,
  MySurvey,
  SurveyComparisonOut,
  SurveyCreateIn,
  SurveyDetail,
  SurveyGroupResultOut,
  SurveyItemResultOut,
  SurveyList,
  SurveyOut,
  SurveyResultsOut,
  ExportQuery,
  FunnelRow,
  GoLiveInfo,
  GoLiveQuery,
  GoLiveReport,
  GoLiveResult,
  GroupKind,
  GroupMetricRow,
  GroupReport,
  GroupRef,
  HelpList,
  HelpRequest,
  HelpRoute,
  HelpTopics,
  ImportReport,
  ImportRow,
  JsonGetKey,
  Me,
  Meta,
  MetricOptionsOut as MetricOptions,
  ModelResult,
  MyReport,
  OrgReport,
  Quantiles,
  ReportMeta,
  Role,
  RouteKey,
  Settings,
  ToolInfo,
  UploadQuery,
  User,
} from '../../src/server/contract.ts';

/**
 * How current a report's figures are: after an import the pages answer at once with the previous
 * figures, `updating`, until they include it (`pending`: the imports not yet included).
 */
export type Freshness = ApiResponse<'GET /api/org'>['freshness'];

/** The definitions every report carries: one sentence per metric. */
export type Definitions = ApiResponse<'GET /api/org'>['definitions'];

/** A request part a route does not take cannot be given; an optional one may be left out. */
type Part<Name extends string, T> = [T] extends [never]
  ? { [P in Name]?: never }
  : object extends T
    ? { [P in Name]?: T }
    : { [P in Name]: T };

/** An upload's body: the file itself, with its content type (default text/csv). */
type BodyPart<K extends RouteKey> = [ApiBody<K>] extends [never]
  ? { body?: never; file?: never }
  : ApiBody<K> extends 'stream'
    ? { file: Blob | string; contentType?: string; body?: never }
    : { body: ApiBody<K>; file?: never };

/** What a call of route `K` gives: its path parameters, its query, its body or file. */
export type ApiRequest<K extends RouteKey> = Part<'params', ApiParams<K>> &
  Part<'query', ApiQuery<K>> &
  BodyPart<K>;

/** The request argument of route `K`: optional when the route needs nothing. */
export type ApiArgs<K extends RouteKey> =
  object extends ApiRequest<K> ? [request?: ApiRequest<K>] : [request: ApiRequest<K>];

/**
 * The members of one of the API's closed sets, from a record that names each one (with its label,
 * or `true`): a member added on the server is a compile error here until the record names it.
 */
export function members<T extends string>(named: Record<T, unknown>): T[] {
  return Object.keys(named) as T[];
}

/** Every go-live of the tools, with its tool: one mark on a chart. */
export type GoLiveMark = GoLiveInfo & { tool: string };

/** Every go-live of `tools`, one mark each, by date. */
export function goLiveMarks(tools: ToolInfo[] | null): GoLiveMark[] {
  return (tools ?? [])
    .flatMap((t) => t.golives.map((g) => ({ ...g, tool: t.name })))
    .sort((a, b) => a.date.localeCompare(b.date));
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrf = '';
/** The token every POST/PUT/DELETE sends, from the last `/api/me` or login. */
export function setCsrf(token: string): void {
  csrf = token;
}

/** Called on any 401 after login: the session ended (expired, logged out elsewhere). */
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(f: (() => void) | null): void {
  onUnauthorized = f;
}

/**
 * The address of a call of route `K`: its path with the parameters filled in (encoded) and the
 * query's defined values, in the order given. Also for links the browser follows itself (a
 * download).
 */
export function apiPath<K extends RouteKey>(key: K, ...[request]: ApiArgs<K>): string {
  const r = (request ?? {}) as { params?: Record<string, unknown>; query?: object };
  const url = key.slice(key.indexOf(' ') + 1);
  const path = url.replace(/:([A-Za-z_]+)/g, (_, name: string) =>
    encodeURIComponent(String(r.params?.[name])),
  );
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(r.query ?? {}))
    if (v !== undefined && v !== null) q.set(k, String(v));
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Call route `K`; its answer has the type of the route's response schema (204: undefined). */
export function api<K extends RouteKey>(key: K, ...args: ApiArgs<K>): Promise<ApiResponse<K>> {
  const r = (args[0] ?? {}) as { body?: unknown; file?: Blob | string; contentType?: string };
  const method = key.slice(0, key.indexOf(' '));
  return send(method, apiPath(key, ...args), r) as Promise<ApiResponse<K>>;
}

/**
 * One request; the answer as the server sent it. The server passes every answer through its
 * route's response schema, which is why `api` and `useApi` may type it as that schema's output.
 */
export async function send(
  method: string,
  path: string,
  init: { body?: unknown; file?: Blob | string; contentType?: string } = {},
): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  let body: BodyInit | undefined;
  if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.body);
  } else if (init.file !== undefined) {
    headers['content-type'] = init.contentType ?? 'text/csv';
    body = init.file;
  }
  const res = await fetch(path, {
    method,
    headers,
    body: body ?? null,
    credentials: 'same-origin',
  });
  if (res.status === 204) return undefined;
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
    if (res.status === 401 && onUnauthorized && !path.startsWith('/api/login')) onUnauthorized();
    throw new ApiError(
      res.status,
      err?.code ?? `HTTP_${res.status}`,
      err?.message ?? `The server answered ${res.status} ${res.statusText}`.trim(),
    );
  }
  return data;
}

/** The window event that says the caller's unread notifications changed (the badge reloads). */
export const NOTIFICATIONS_CHANGED = 'uptake:notifications';

export function notificationsChanged(): void {
  window.dispatchEvent(new Event(NOTIFICATIONS_CHANGED));
}
