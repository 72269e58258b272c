/**
 * The HTTP JSON API of `uptake serve`, as the web app uses it. The session is an HttpOnly cookie
 * the browser sends by itself; every state-changing request carries the CSRF token of `/api/me`.
 */
import type { ClinicianMetricRow, Per8Metric } from '../../src/model/metricRow.ts';

export type { ClinicianMetricRow, Per8Metric };

export type Role = 'admin' | 'leader' | 'champion' | 'clinician';
export type GroupBy = 'department' | 'specialty' | 'role';

export interface GroupRef {
  by: GroupBy | 'org';
  value: string;
}

export interface Me {
  username: string;
  role: Role;
  clinician_id: string | null;
  groups: GroupRef[];
  csrf: string;
  identified_reports: boolean;
}

export interface Meta {
  from: string;
  to: string;
  timezone: string;
  departments: string[];
  specialties: string[];
  roles: string[];
  version: string;
  last_import: string | null;
  data_range: DataRange[];
}

export interface DataRange {
  table: string;
  source: string;
  from: string | null;
  to: string | null;
}

export interface MetricOptions {
  timezone: string;
  timeout_seconds: number;
  over_timeout: 'drop' | 'cap';
  direction: 'forward' | 'backward';
  attribution: 'split' | 'start';
  exclude_channels: string[];
  session_merge_gap_minutes: number;
  wow: string;
}

/** What every report carries (spec §8): options, period, data range, counts and version. */
export interface ReportMeta {
  options: MetricOptions;
  from: string;
  to: string;
  period: string;
  by: string;
  suppression_threshold: number;
  data_range: DataRange[];
  events_excluded_by_channel: number;
  events_unmapped_action: number;
  version: string;
}

type Stat = 'p25' | 'median' | 'p75';
export type GroupStats = Record<`${Per8Metric}_${Stat}`, number | null>;

export interface GroupMetricRow extends GroupStats {
  group_by: string;
  group: string;
  period_start: string;
  period_end: string;
  /** Clinicians with scheduled time; null when suppressed for this viewer. */
  n: number | null;
  clinicians: number | null;
  suppressed: boolean;
}

export type Definitions = Record<string, string>;

/**
 * How current a report's figures are: after an import the pages answer at once with the
 * previous figures, `updating`, until they include it (`pending`: the imports not yet included).
 */
export interface Freshness {
  as_of: string | null;
  updating: boolean;
  pending: { import_id: number; table: string; finished_at: string | null }[];
}

export interface Change {
  group: string;
  metric: string;
  first_half_median: number | null;
  second_half_median: number | null;
  change: number | null;
  direction: 'improved' | 'worsened' | 'unchanged' | null;
  n: number | null;
  suppressed: boolean;
}

export interface OrgReport {
  options: ReportMeta;
  weekly: GroupMetricRow[];
  departments: GroupMetricRow[];
  weekly_by_department: GroupMetricRow[];
  changes: Change[];
  /** The weeks compared by `changes`: [from, to) of each half. */
  halves: { first: [string, string]; second: [string, string] } | null;
  freshness: Freshness;
  definitions: Definitions;
}

/** A clinician row with after-hours time per 8 scheduled hours. */
export type ClinicianRow = ClinicianMetricRow & { after_hours8: number | null };

export interface IdentifiedClinician {
  user_id: string;
  name: string | null;
  scheduled_hours: number;
  [metric: string]: string | number | null;
}

export interface GroupReport {
  group: GroupRef;
  suppressed: boolean;
  n: number | null;
  distribution: Record<string, number[]>;
  clinicians?: IdentifiedClinician[];
  weekly: GroupMetricRow[];
  org: GroupMetricRow | null;
  freshness: Freshness;
  definitions: Definitions;
  options: ReportMeta;
}

export interface Quantiles {
  p10: number | null;
  p25: number | null;
  median: number | null;
  p75: number | null;
  p90: number | null;
}

export interface Suggestion {
  id: string;
  title: string;
  action: string;
  why: string;
  metric: string;
  value: number | null;
  peer_median: number | null;
}

export interface MyReport {
  me: ClinicianRow | null;
  weekly: ClinicianRow[];
  peers: {
    group: GroupRef;
    n: number | null;
    suppressed: boolean;
    quantiles: Record<string, Quantiles>;
  };
  suggestions: Suggestion[];
  freshness: Freshness;
  definitions: Definitions;
  options: ReportMeta;
}

/** A go-live of a tool as `GET /api/tools` lists it (each viewer gets the ones they may see). */
export interface GoLiveInfo {
  group_by: string;
  group: string;
  /** Local date from which the tool is live. */
  date: string;
  /** It concerns the signed-in user's own clinician (their department, specialty, role, or all). */
  mine?: boolean;
}

export interface ToolInfo {
  name: string;
  /** The metric the tool is meant to move, where the server's tool definition names one. */
  target_metric?: string | null;
  golives: GoLiveInfo[];
}

/** One go-live to mark on a chart. */
export interface GoLiveMark extends GoLiveInfo {
  tool: string;
}

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

export async function api<T>(
  path: string,
  init: { method?: string; json?: unknown; body?: Blob | string; contentType?: string } = {},
): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  let body: BodyInit | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.body !== undefined) {
    headers['content-type'] = init.contentType ?? 'text/csv';
    body = init.body;
  }
  const res = await fetch(path, {
    method,
    headers,
    body: body ?? null,
    credentials: 'same-origin',
  });
  if (res.status === 204) return undefined as T;
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
  return data as T;
}

/** The window event that says the caller's unread notifications changed (the badge reloads). */
export const NOTIFICATIONS_CHANGED = 'uptake:notifications';

export function notificationsChanged(): void {
  window.dispatchEvent(new Event(NOTIFICATIONS_CHANGED));
}

/** `?from=…&to=…` for a report request. */
export function rangeQuery(range: { from: string; to: string }): string {
  return `?${new URLSearchParams({ from: range.from, to: range.to }).toString()}`;
}
