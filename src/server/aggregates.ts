/**
 * Group figures of the web pages, computed from the per-clinician rows of one metric request
 * (which the cache keeps): medians and quartiles per group and period exactly as `groupMetrics`
 * computes them in SQL (§7: n = clinicians with scheduled hours, `percentile_cont` over the
 * non-null values), per-clinician distributions, peer quantiles and first-half/second-half changes.
 * Computing them here from two cached metric runs (period all and week) keeps every page fast.
 */
import { PER8_METRICS, type ClinicianMetricRow, type Per8Metric } from '../model/metricRow.ts';
import type { GroupMetricRow } from '../metrics/computeMetrics.ts';
import { markSuppressed } from '../metrics/suppress.ts';
import type { DistributionMetric } from './schemas.ts';

export const NOT_IN_ROSTER = '(not in roster)';
export const ORGANISATION = 'organisation';

export type GroupAxis = 'department' | 'specialty' | 'role' | 'org';

export interface RosterEntry {
  user_id: string;
  name: string | null;
  role: string | null;
  specialty: string | null;
  department: string | null;
}
export type Roster = Map<string, RosterEntry>;

/** A clinician row with after-hours time per 8 scheduled hours. */
export type Row = ClinicianMetricRow & { after_hours8: number | null };

export function withAfterHours8(rows: readonly ClinicianMetricRow[]): Row[] {
  return rows.map((r) => ({
    ...r,
    after_hours8: r.scheduled_hours > 0 ? (r.after_hours_hours * 8) / r.scheduled_hours : null,
  }));
}

/** The group of a clinician along `by` (as the SQL: `coalesce(c.<by>, '(not in roster)')`). */
export function groupOf(roster: Roster, by: GroupAxis, userId: string): string {
  if (by === 'org') return ORGANISATION;
  return roster.get(userId)?.[by] ?? NOT_IN_ROSTER;
}

/** `percentile_cont(q)` of ascending `sorted`: linear interpolation between order statistics. */
export function percentileCont(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return lo === hi ? a : a + (b - a) * (pos - lo);
}

/** The non-null values of `metric` among `rows` of clinicians with scheduled time, ascending. */
export function values(rows: readonly Row[], metric: DistributionMetric): number[] {
  const out: number[] = [];
  for (const r of rows) {
    const v = r[metric];
    if (r.scheduled_hours > 0 && v !== null && v !== undefined && Number.isFinite(v)) out.push(v);
  }
  return out.sort((a, b) => a - b);
}

export interface Quantiles {
  p10: number | null;
  p25: number | null;
  median: number | null;
  p75: number | null;
  p90: number | null;
}

export function quantiles(sorted: readonly number[]): Quantiles {
  return {
    p10: percentileCont(sorted, 0.1),
    p25: percentileCont(sorted, 0.25),
    median: percentileCont(sorted, 0.5),
    p75: percentileCont(sorted, 0.75),
    p90: percentileCont(sorted, 0.9),
  };
}

/** Byte-order comparison (as DuckDB and PostgreSQL's "C" collation). */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * §7 group rows of `rows` along `by`, ordered by group then period, each period's groups
 * suppressed together (`markSuppressed`: small groups and the groups that protect them).
 */
export function groupRows(
  rows: readonly ClinicianMetricRow[],
  roster: Roster,
  by: GroupAxis,
  threshold: number,
): GroupMetricRow[] {
  const buckets = new Map<
    string,
    { group: string; start: string; end: string; rows: ClinicianMetricRow[] }
  >();
  for (const r of rows) {
    const group = groupOf(roster, by, r.user_id);
    const key = `${group}\u0000${r.period_start}\u0000${r.period_end}`;
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { group, start: r.period_start, end: r.period_end, rows: [] }));
    b.rows.push(r);
  }
  const out: GroupMetricRow[] = [];
  for (const b of buckets.values()) {
    const n = b.rows.filter((r) => r.scheduled_hours > 0).length;
    const stats = {} as Record<`${Per8Metric}_${'p25' | 'median' | 'p75'}`, number | null>;
    for (const m of PER8_METRICS) {
      const v = b.rows
        .map((r) => r[m])
        .filter((x): x is number => x !== null && x !== undefined)
        .sort((x, y) => x - y);
      stats[`${m}_p25`] = percentileCont(v, 0.25);
      stats[`${m}_median`] = percentileCont(v, 0.5);
      stats[`${m}_p75`] = percentileCont(v, 0.75);
    }
    out.push({
      group_by: by,
      group: b.group,
      period_start: b.start,
      period_end: b.end,
      n,
      clinicians: b.rows.length,
      ...stats,
      suppressed: false,
    });
  }
  return markSuppressed(out, threshold).sort(
    (a, b) => byteOrder(a.group, b.group) || byteOrder(a.period_start, b.period_start),
  );
}

/** A group row as the API sends it: numbers may be withheld. */
export type ApiGroupRow = Omit<GroupMetricRow, 'n' | 'clinicians'> & {
  n: number | null;
  clinicians: number | null;
};

/** The row as a viewer sees it: a suppressed row shows no numbers unless `showSuppressed`. */
export function redact(row: GroupMetricRow, showSuppressed: boolean): ApiGroupRow {
  if (!row.suppressed || showSuppressed) return { ...row };
  const out: ApiGroupRow = { ...row, n: null, clinicians: null };
  for (const m of PER8_METRICS)
    for (const s of ['p25', 'median', 'p75'] as const) out[`${m}_${s}`] = null;
  return out;
}

/** Which hours field each changed metric sums (the metric is hours × 8 / scheduled hours). */
const HOURS_OF = {
  ehr_time8: 'ehr_hours',
  wow8: 'wow_hours',
  ib_time8: 'inbox_hours',
} as const;
export const CHANGE_METRICS = Object.keys(HOURS_OF) as (keyof typeof HOURS_OF)[];

export interface Halves {
  first: [string, string];
  second: [string, string];
}

/**
 * The range's period pieces (weeks) split in two halves of equal numbers of pieces; with an odd
 * number the middle piece belongs to neither. Null with fewer than two pieces.
 */
export function halves(weekly: readonly ClinicianMetricRow[]): Halves | null {
  const pieces = [...new Map(weekly.map((r) => [r.period_start, r.period_end])).entries()].sort(
    (a, b) => byteOrder(a[0], b[0]),
  );
  const k = Math.floor(pieces.length / 2);
  if (k < 1) return null;
  return {
    first: [pieces[0]![0], pieces[k - 1]![1]],
    second: [pieces[pieces.length - k]![0], pieces[pieces.length - 1]![1]],
  };
}

export interface ChangeRow {
  group: string;
  metric: string;
  first_half_median: number | null;
  second_half_median: number | null;
  change: number | null;
  direction: 'improved' | 'worsened' | 'unchanged' | null;
  /** The smaller of the halves' n (clinicians with scheduled hours in that half). */
  n: number;
}

/** A change within 5% of the first half's median is "unchanged". */
export const UNCHANGED_WITHIN = 0.05;

/**
 * For each group along `by` and each of EHR-Time8, WOW8 and IB-Time8: the median across the
 * group's clinicians of their metric over the first half of the weeks and over the second half
 * (each clinician's hours summed over the half's weeks, × 8 / their scheduled hours), and the
 * change. Lower is better for all three, so a fall is an improvement.
 */
export function changes(
  weekly: readonly ClinicianMetricRow[],
  roster: Roster,
  by: GroupAxis,
  h: Halves | null,
): ChangeRow[] {
  if (!h) return [];
  type Sums = { sched: number } & Record<(typeof HOURS_OF)[keyof typeof HOURS_OF], number>;
  const per = new Map<string, { group: string; first?: Sums; second?: Sums }>();
  for (const r of weekly) {
    const half =
      r.period_start >= h.first[0] && r.period_end <= h.first[1]
        ? 'first'
        : r.period_start >= h.second[0] && r.period_end <= h.second[1]
          ? 'second'
          : null;
    if (!half) continue;
    let p = per.get(r.user_id);
    if (!p) per.set(r.user_id, (p = { group: groupOf(roster, by, r.user_id) }));
    const s = (p[half] ??= { sched: 0, ehr_hours: 0, wow_hours: 0, inbox_hours: 0 });
    s.sched += r.scheduled_hours;
    s.ehr_hours += r.ehr_hours;
    s.wow_hours += r.wow_hours;
    s.inbox_hours += r.inbox_hours;
  }
  const groups = [...new Set([...per.values()].map((p) => p.group))].sort(byteOrder);
  const out: ChangeRow[] = [];
  for (const group of groups) {
    const members = [...per.values()].filter((p) => p.group === group);
    for (const metric of CHANGE_METRICS) {
      const field = HOURS_OF[metric];
      const med = (half: 'first' | 'second') => {
        const v = members
          .map((m) => m[half])
          .filter((s): s is Sums => !!s && s.sched > 0)
          .map((s) => (s[field] * 8) / s.sched)
          .sort((a, b) => a - b);
        return { median: percentileCont(v, 0.5), n: v.length };
      };
      const a = med('first');
      const b = med('second');
      const change = a.median !== null && b.median !== null ? b.median - a.median : null;
      out.push({
        group,
        metric,
        first_half_median: a.median,
        second_half_median: b.median,
        change,
        direction:
          change === null || a.median === null
            ? null
            : Math.abs(change) <= UNCHANGED_WITHIN * Math.abs(a.median)
              ? 'unchanged'
              : change < 0
                ? 'improved'
                : 'worsened',
        n: Math.min(a.n, b.n),
      });
    }
  }
  return out;
}
