/**
 * Training targets (program.md §4): a clinician whose metric is above their specialty's 75th
 * percentile in at least 4 of the last 6 whole weeks is suggested, privately, the course that
 * addresses that metric; champions and leaders see counts per unit, never names.
 *
 * Which course addresses which metric is read from what the tools already hold: a tool names
 * the metric it is meant to move and which way (`target_metric`, `target_direction`, migration
 * 11) and the courses that prepare for it (`courses`, patterns matched against the training
 * records). A course addresses a metric when a tool meant to *decrease* that metric lists it
 * (above the 75th percentile is "high" only for a metric that should be lower). Of the recorded
 * courses that match, the one most completed is suggested; with none recorded, the tool's first
 * course pattern. A clinician who already completed that course is not suggested it again.
 *
 * Set-based SQL over the weekly per-clinician rows (any chain's `clinician_rows` by week): the
 * weekly 75th percentile per specialty over the clinicians with scheduled hours that week, and
 * per clinician the weeks strictly above it. A course is offered only to the clinicians its tool
 * is for (the tool's eligibility rules); the percentile is still their whole specialty's.
 */
import { getTool, globToLike, listToolNames } from '../analysis/tools.ts';
import { metricLabel } from '../analysis/evaluate.ts';
import { TRAINING_RULE, type TrainingTarget } from '../model/champions.ts';
import { CLINICIAN_METRICS } from '../model/metricRow.ts';
import { cte, joinSql, param, runChain, sql, type Cte, type SqlFragment } from '../store/cte.ts';
import type { Store } from '../store/Store.ts';

/** A course that addresses a metric, through the tool that names both. */
export interface CourseForMetric {
  tool: string;
  metric: (typeof CLINICIAN_METRICS)[number];
  course: string;
  /** The tool's course patterns as LIKE patterns (to find who completed one of them). */
  patterns: string[];
  /** The tool's eligibility rules (empty: everyone): a course is offered only to whom the tool is for. */
  eligible: { roles: string[]; departments: string[]; specialties: string[] };
}

/** The courses that address a metric (one per tool meant to decrease a metric and naming courses). */
export async function coursesForMetrics(store: Store): Promise<CourseForMetric[]> {
  const out: CourseForMetric[] = [];
  for (const name of await listToolNames(store)) {
    const t = await getTool(store, name);
    if (!t.target_metric || t.target_direction !== 'decrease' || !t.courses.length) continue;
    const patterns = t.courses.map(globToLike);
    const [best] = await store.all<{ course: string }>(
      `SELECT course FROM training
       WHERE ${patterns.map((_, i) => `course LIKE $${i + 1} ESCAPE '\\'`).join(' OR ')}
       GROUP BY course ORDER BY count(*) DESC, course LIMIT 1`,
      patterns,
    );
    out.push({
      tool: name,
      metric: t.target_metric,
      course: best?.course ?? t.courses[0]!,
      patterns,
      eligible: t.eligible,
    });
  }
  return out;
}

/** SQL conditions (`AND …`, on roster row `c`) of the tool's eligibility rules, every value bound. */
function eligibleSql(e: CourseForMetric['eligible']): SqlFragment {
  const parts: SqlFragment[] = [];
  for (const [col, list] of [
    ['role', e.roles],
    ['department', e.departments],
    ['specialty', e.specialties],
  ] as const)
    if (list.length)
      parts.push(
        sql`AND c.${col} IN (${joinSql(
          list.map((v, i) => param(`el_${col}_${i}`, v)),
          ', ',
        )})`,
      );
  return joinSql(parts, ' ');
}

interface WeekRow {
  user_id: string;
  department: string | null;
  week_start: string;
  v: number | null;
  p75: number | null;
  above: boolean | number;
  weeks_above: number | string;
}

/** One clinician's target: their weeks, and the course. */
export interface ClinicianTarget extends TrainingTarget {
  user_id: string;
  department: string | null;
}

/**
 * The training targets over `weekly` (a CTE of per-clinician rows by week of the 6 weeks), for
 * every clinician or only `userId`. Sorted by user and metric.
 */
export async function trainingTargets(
  store: Store,
  weekly: Cte,
  o: { userId?: string | null } = {},
): Promise<ClinicianTarget[]> {
  const dbl = store.dialect.double;
  const out: ClinicianTarget[] = [];
  for (const m of await coursesForMetrics(store)) {
    if (!(CLINICIAN_METRICS as readonly string[]).includes(m.metric)) continue;
    // The metric is a column of the closed set above: safe to name in SQL.
    const w = cte(
      'tt_w',
      sql`SELECT r.user_id, c.department, c.specialty, CAST(r.period_start AS VARCHAR) AS week_start,
        CAST(r.${m.metric} AS ${dbl}) AS v,
        CASE WHEN TRUE ${eligibleSql(m.eligible)} THEN 1 ELSE 0 END AS eligible
      FROM ${weekly} r JOIN clinicians c ON c.user_id = r.user_id
      WHERE c.specialty IS NOT NULL AND r.scheduled_hours > 0 AND r.${m.metric} IS NOT NULL`,
    );
    const cut = cte(
      'tt_cut',
      sql`SELECT specialty, week_start,
        percentile_cont(${TRAINING_RULE.quantile}) WITHIN GROUP (ORDER BY v) AS p75
      FROM ${w} GROUP BY specialty, week_start`,
    );
    const marked = cte(
      'tt_marked',
      sql`SELECT w.user_id, w.department, w.week_start, w.v, k.p75, w.eligible,
        CASE WHEN w.v > k.p75 THEN 1 ELSE 0 END AS above
      FROM ${w} w JOIN ${cut} k ON k.specialty = w.specialty AND k.week_start = w.week_start`,
    );
    const done = cte(
      'tt_done',
      sql`SELECT DISTINCT user_id FROM training WHERE course = ${param('course', m.course)}`,
    );
    const [rows = []] = await runChain(store, [
      sql`SELECT x.* FROM (
          SELECT mk.*, sum(mk.above) OVER (PARTITION BY mk.user_id) AS weeks_above FROM ${marked} mk
        ) x
        WHERE x.weeks_above >= ${TRAINING_RULE.weeks_above} AND x.eligible = 1
          AND x.user_id NOT IN (SELECT user_id FROM ${done})
          ${o.userId !== undefined ? sql`AND x.user_id = ${param('me', o.userId ?? '')}` : ''}
        ORDER BY x.user_id, x.week_start`,
    ]);
    const byUser = new Map<string, WeekRow[]>();
    for (const r of rows as unknown as WeekRow[])
      byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r]);
    for (const [user, weeks] of byUser) {
      const n = Number(weeks[0]!.weeks_above);
      const label = metricLabel(m.metric);
      out.push({
        user_id: user,
        department: weeks[0]!.department,
        metric: m.metric,
        metric_label: label,
        tool: m.tool,
        course: m.course,
        weeks_above: n,
        weeks: weeks.map((x) => ({
          week_start: x.week_start.slice(0, 10),
          value: x.v === null ? null : Number(x.v),
          p75: x.p75 === null ? null : Number(x.p75),
          above: Boolean(Number(x.above)),
        })),
        why:
          `Your ${label} was above your specialty’s 75th percentile in ${n} of the last ${TRAINING_RULE.weeks} weeks; ` +
          `“${m.course}” prepares for ${m.tool}, which is meant to lower it.`,
      });
    }
  }
  return out.sort((a, b) =>
    a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : a.metric < b.metric ? -1 : 1,
  );
}

/** Counts per department and course: how many clinicians have the target (never who). */
export function countTargets(
  targets: readonly ClinicianTarget[],
): { department: string; course: string; metric: string; clinicians: number }[] {
  const counts = new Map<
    string,
    { department: string; course: string; metric: string; clinicians: number }
  >();
  for (const t of targets) {
    const department = t.department ?? '(none)';
    const k = JSON.stringify([department, t.course, t.metric]);
    const row = counts.get(k) ?? { department, course: t.course, metric: t.metric, clinicians: 0 };
    row.clinicians++;
    counts.set(k, row);
  }
  return [...counts.values()].sort((a, b) =>
    a.department < b.department
      ? -1
      : a.department > b.department
        ? 1
        : a.course < b.course
          ? -1
          : 1,
  );
}
