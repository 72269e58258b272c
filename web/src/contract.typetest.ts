/**
 * Type-level tests of the API contract as the web app sees it. Nothing here runs or is bundled:
 * `tsc -p web` (`npm run typecheck`) checks it with the app. Each `Expect<Equal<…>>` pins a shape
 * the pages rely on to what the server's schemas say (`src/server/schemas.ts`, through
 * `src/server/contract.ts`); each `@ts-expect-error` line is a shape that must not compile — the
 * drifts the hand-written copies had. Change a schema's shape and one of these lines fails (and
 * so does every page that uses the field): the web app cannot quietly drift from the server.
 */
import type {
  AccessLogEntry,
  ApiParams,
  ApiResponse,
  GoLiveQuery,
  GroupMetricRow,
  HelpRequest,
  ImportRow,
  Me,
  MetricOptions,
  Settings,
  ToolInfo,
  User,
} from './api.ts';

/** True when A and B are the same type (not merely assignable one way). */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

type Kind = 'department' | 'specialty' | 'role';
type Role = 'admin' | 'it' | 'leader' | 'champion' | 'clinician';

export type Pinned = [
  // The signed-in user, as the shell reads it.
  Expect<
    Equal<
      Me,
      {
        username: string;
        role: Role;
        clinician_id: string | null;
        groups: { by: Kind; value: string }[];
        member_of: { by: Kind | 'org'; value: string }[];
        csrf: string;
        identified_reports: boolean;
      }
    >
  >,
  // GET /api/users answers an array of accounts.
  Expect<Equal<ApiResponse<'GET /api/users'>, User[]>>,
  Expect<
    Equal<
      User,
      {
        username: string;
        role: Role;
        clinician_id: string | null;
        groups: { by: Kind; value: string }[];
        created_at: string;
      }
    >
  >,
  // The metric options every report states, each a closed set where the server has one.
  Expect<
    Equal<
      MetricOptions,
      {
        timezone: string;
        timeout_seconds: number;
        over_timeout: 'drop' | 'cap';
        direction: 'forward' | 'backward';
        attribution: 'split' | 'start';
        exclude_channels: ('desktop' | 'mobile' | 'web' | 'api')[];
        session_merge_gap_minutes: number;
        wow: 'schedule' | 'schedule30' | 'outside7to7' | 'pajama' | 'after18to06';
      }
    >
  >,
  Expect<Equal<Settings['metric_options'], Omit<MetricOptions, 'timezone'>>>,
  // GET /api/imports answers an array of rows, every field present.
  Expect<Equal<ApiResponse<'GET /api/imports'>, ImportRow[]>>,
  Expect<
    Equal<
      Omit<ImportRow, 'report'>,
      {
        import_id: number;
        table_name: string;
        format: string;
        file: string;
        started_at: string | null;
        finished_at: string | null;
        rows_read: number;
        rows_stored: number;
        rows_rejected: number;
        rows_duplicate: number;
        unmapped: number;
        removed_by: number | null;
      }
    >
  >,
  // A group row names each statistic of each per-8-hour metric.
  Expect<Equal<GroupMetricRow['ib_time8_median'], number | null>>,
  Expect<Equal<AccessLogEntry['outcome'], 'success' | 'denied' | 'failure'>>,
  Expect<Equal<HelpRequest['status'], 'open' | 'answered' | 'closed'>>,
  // A go-live, with whether it concerns the caller's own clinician.
  Expect<
    Equal<
      ToolInfo['golives'][number],
      { group_by: Kind | 'org'; group: string; date: string; mine: boolean }
    >
  >,
  // A 204 answers nothing.
  Expect<Equal<ApiResponse<'DELETE /api/users/:username'>, undefined>>,
  // Requests: a group page is named by both path parameters.
  Expect<Equal<ApiParams<'GET /api/groups/:by/:value'>, { by: Kind; value: string }>>,
  // The SMTP password is write-only: the settings answer says only whether one is set.
  Expect<Equal<'password' extends keyof NonNullable<Settings['smtp']> ? true : false, false>>,
  Expect<Equal<NonNullable<Settings['smtp']>['password_set'], boolean>>,
];

export type Refused = [
  // @ts-expect-error -- GET /api/users answers an array, never `{ users: [...] }`.
  Expect<Equal<ApiResponse<'GET /api/users'>, User[] | { users: User[] }>>,
  // @ts-expect-error -- the WOW window is the server's closed set, not any string.
  Expect<Equal<MetricOptions['wow'], string>>,
  // @ts-expect-error -- GET /api/imports answers an array, never `{ imports: [...] }`.
  Expect<Equal<ApiResponse<'GET /api/imports'>, ImportRow[] | { imports: ImportRow[] }>>,
  // @ts-expect-error -- an import row has no `table` (it is `table_name`).
  Expect<Equal<ImportRow['table'], string>>,
  // @ts-expect-error -- a tool's target metric is the closed set of per-clinician metrics, not any string.
  Expect<Equal<ToolInfo['target_metric'], string | null>>,
  // @ts-expect-error -- the evaluation's metric is a closed set, not any string.
  Expect<Equal<GoLiveQuery['metric'], string>>,
  // @ts-expect-error -- the meta takes no path parameters.
  Expect<Equal<ApiParams<'GET /api/meta'>, { by: Kind }>>,
];
