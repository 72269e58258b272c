/**
 * Runs the metric SQL and assembles a report that carries everything §8 asks for: the options,
 * the period, the data's time range per source, events dropped by `exclude_channels`, events
 * whose action had no category mapping, and the software version.
 */
import { PER8_METRICS, type ClinicianMetricRow, type Per8Metric } from '../model/metricRow.ts';
import { metricRequestSchema, type GroupBy, type MetricRequest } from '../model/options.ts';
import { invalid } from '../errors/UptakeError.ts';
import type { Dialect } from '../store/dialect.ts';
import type { Sql, Store } from '../store/Store.ts';
import { query, selectChain, sql } from '../store/cte.ts';
import {
  clinicianCtes,
  rangeBoundsQuery,
  rangeExtent,
  type EventChain,
  type MetricChain,
  type RangeBounds,
} from './clinicianSql.ts';
import { markSuppressed } from './suppress.ts';
import { VERSION } from '../version.ts';

/** Median and quartiles of one per-8-hour metric across a group's clinicians (§7). */
export type GroupStats = Record<`${Per8Metric}_${'p25' | 'median' | 'p75'}`, number | null>;

export interface GroupMetricRow extends GroupStats {
  group_by: GroupBy;
  group: string;
  period_start: string;
  period_end: string;
  /** Clinicians with scheduled_hours > 0: the population of the medians. */
  n: number;
  /** Clinicians with any activity in the period. */
  clinicians: number;
  /**
   * True when n is below the suppression threshold, or the group is hidden to protect a smaller
   * one of the same period (`suppress.ts`): non-administrators see no numbers.
   */
  suppressed: boolean;
}

export interface ReportMeta {
  options: MetricRequest['options'];
  from: string;
  to: string;
  period: MetricRequest['period'];
  by: GroupBy;
  suppression_threshold: number;
  data_range: { table: string; source: string; from: string | null; to: string | null }[];
  events_excluded_by_channel: number;
  events_unmapped_action: number;
  version: string;
}

export interface MetricsReport<R> {
  options: ReportMeta;
  rows: R[];
}

/** Validate a request at the edge (zod), with a message that names the field. */
export function parseRequest(input: unknown): MetricRequest {
  const r = metricRequestSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    throw invalid(`${path ? `${path}: ` : ''}${issue?.message ?? 'invalid metrics request'}`);
  }
  return r.data;
}

/**
 * The metric chain for `store`, over the buckets of the data's extent within the range
 * (`rangeExtent`); `null` when the range holds no data at all (no rows). Where the engine runs a
 * chain as one query (`Dialect.materialiseCtes` false), the range's instants are computed first
 * and bound into the filters as parameters (see `clinicianCtes`); where it stores each CTE as a
 * table, the filters read them from the chain's one-row table.
 */
export async function metricCtes(
  store: Pick<Sql, 'all'> & { dialect: Dialect },
  req: MetricRequest,
): Promise<EventChain | null> {
  let bounds: RangeBounds | undefined;
  if (!store.dialect.materialiseCtes) {
    const q = query(store.dialect, rangeBoundsQuery(store.dialect, req));
    [bounds] = await store.all<RangeBounds>(q.text, q.values);
  }
  const span = await rangeExtent(store, req, bounds);
  return span ? clinicianCtes(store.dialect, req, span, bounds) : null;
}

/** Per-clinician rows of §6, sorted by user and period. */
export async function clinicianMetrics(
  store: Store,
  req: MetricRequest,
): Promise<ClinicianMetricRow[]> {
  const chain = await metricCtes(store, req);
  if (!chain) return [];
  return selectChain<ClinicianMetricRow>(
    store,
    sql`SELECT * FROM ${chain.clinician_rows} ORDER BY user_id, period_start`,
  );
}

const GROUP_COLUMN: Record<Exclude<GroupBy, 'clinician'>, string> = {
  department: 'c.department',
  specialty: 'c.specialty',
  role: 'c.role',
  org: `'organisation'`,
};

/** Group rows of §7: n, and median/quartiles of every per-8-hour metric, with the suppression flag. */
export async function groupMetrics(
  store: Store,
  req: MetricRequest,
  by: Exclude<GroupBy, 'clinician'>,
  threshold: number,
): Promise<GroupMetricRow[]> {
  const chain = await metricCtes(store, req);
  return chain ? groupMetricsOf(store, chain, by, threshold) : [];
}

/**
 * Group rows of §7 over any chain of CTEs that ends in `clinician_rows` (the metric SQL over
 * events, or the day table's: `dayTableCtes`).
 */
export async function groupMetricsOf(
  store: Store,
  chain: MetricChain,
  by: Exclude<GroupBy, 'clinician'>,
  threshold: number,
): Promise<GroupMetricRow[]> {
  const stats = PER8_METRICS.flatMap((m) =>
    (
      [
        ['p25', 0.25],
        ['median', 0.5],
        ['p75', 0.75],
      ] as const
    ).map(([name, q]) => `percentile_cont(${q}) WITHIN GROUP (ORDER BY r.${m}) AS ${m}_${name}`),
  );
  const rows = await selectChain<Omit<GroupMetricRow, 'suppressed' | 'group_by'>>(
    store,
    sql`SELECT coalesce(${GROUP_COLUMN[by]}, '(not in roster)') AS "group", r.period_start, r.period_end,
       sum(CASE WHEN r.scheduled_hours > 0 THEN 1 ELSE 0 END) AS n, count(*) AS clinicians,
       ${stats.join(',\n       ')}
     FROM ${chain.clinician_rows} r LEFT JOIN clinicians c ON c.user_id = r.user_id
     GROUP BY 1, r.period_start, r.period_end
     ORDER BY 1, r.period_start`,
  );
  return markSuppressed(
    rows.map((r) => ({
      group_by: by,
      ...r,
      n: Number(r.n),
      clinicians: Number(r.clinicians),
      suppressed: false,
    })),
    threshold,
  );
}

/** The §8 facts that every report carries. */
export async function reportMeta(
  store: Store,
  req: MetricRequest,
  by: GroupBy,
  threshold: number,
): Promise<ReportMeta> {
  const ranges = await store.all<{
    table: string;
    source: string;
    from: string | null;
    to: string | null;
  }>(
    `SELECT 'events' AS "table", source, CAST(min(occurred_at) AS VARCHAR) AS "from", CAST(max(occurred_at) AS VARCHAR) AS "to" FROM events GROUP BY source
     UNION ALL SELECT 'schedule', 'schedule', CAST(min(start_at) AS VARCHAR), CAST(max(end_at) AS VARCHAR) FROM schedule
     UNION ALL SELECT 'orders', 'orders', CAST(min(signed_at) AS VARCHAR), CAST(max(signed_at) AS VARCHAR) FROM orders
     ORDER BY 1, 2`,
  );
  const ex = req.options.exclude_channels;
  let excluded = 0;
  if (ex.length) {
    const [row] = await store.all<{ n: number }>(
      `SELECT count(*) AS n FROM events
       WHERE occurred_at >= CAST($1 AS TIMESTAMP) AT TIME ZONE CAST($3 AS VARCHAR)
         AND occurred_at < CAST($2 AS TIMESTAMP) AT TIME ZONE CAST($3 AS VARCHAR)
         AND channel IN (${ex.map((c) => `'${c}'`).join(', ')})`,
      [req.from, req.to, req.options.timezone],
    );
    excluded = Number(row?.n ?? 0);
  }
  const [unmapped] = await store.all<{ n: number | null }>(
    `SELECT sum(unmapped) AS n FROM imports WHERE table_name = 'events'`,
  );
  return {
    options: req.options,
    from: req.from,
    to: req.to,
    period: req.period,
    by,
    suppression_threshold: threshold,
    data_range: ranges.filter((r) => r.from !== null),
    events_excluded_by_channel: excluded,
    events_unmapped_action: Number(unmapped?.n ?? 0),
    version: VERSION,
  };
}
