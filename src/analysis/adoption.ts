/**
 * Adoption of a tool, per group and week, in set-based SQL over events (never a loop over events):
 *
 *   eligible → live → trained → first use → weekly active → habitual
 *
 * - eligible: clinicians of the roster that the tool's eligibility rules select;
 * - live: eligible clinicians whose group has gone live (a go-live of the tool for their
 *   department, specialty, role or the organisation, on or before the week's last day);
 * - trained: completed a course of the tool (training records) by the end of the week;
 * - first use: at least one use (an event of the tool's actions or categories) by the end of the week;
 * - weekly active: at least one use in the week;
 * - habitual: at least N uses a week (the tool's `habitual_uses`, default 5) in at least 3 of the
 *   4 weeks ending with this one.
 *
 * Plus time from training to first use, time from go-live to first use, retention by cohort of
 * first-use week, and depth (uses per clinician-day with use). Weeks are local ISO weeks of the
 * organisation's time zone, like `uptake metrics --period week`.
 */
import type { Store } from '../store/Store.ts';
import { cte, joinSql, param, runChain, sql, type Cte, type SqlFragment } from '../store/cte.ts';
import { suppressCells } from '../metrics/suppress.ts';
import { globToLike, type ToolDefinition } from './tools.ts';
import { weekStarts } from './weeks.ts';

export const ADOPTION_BYS = ['department', 'specialty', 'role', 'org'] as const;
export type AdoptionBy = (typeof ADOPTION_BYS)[number];

export interface AdoptionRequest {
  tool: ToolDefinition;
  by: AdoptionBy;
  /** Whole weeks: Mondays, `to` exclusive. */
  from: string;
  to: string;
  timezone: string;
  /** Uses a week that count towards "habitual" (default: the tool's). */
  habitualUses?: number | undefined;
  /**
   * Read the go-lives from the definition (`tool.golives`) rather than the stored `golives`
   * table: a tool-like definition that is not stored, such as a feedback item's "go-live" (its
   * group at its done date, docs/program.md §2).
   */
  goLivesFromDefinition?: boolean | undefined;
}

/** One group (and, for evaluation, one go-live cohort inside it) in one week. */
export interface AdoptionWeekRow {
  group: string;
  /** The go-live date of this cell's clinicians (null: not live in the range). */
  go_live: string | null;
  week_start: string;
  eligible: number;
  live: number;
  trained: number | null;
  ever_used: number;
  weekly_active: number;
  habitual: number;
  uses: number;
  use_days: number;
}

export interface FunnelRow {
  group: string;
  /** The group's go-live date; `mixed` when its clinicians went live on different dates. */
  go_live: string | null;
  eligible: number;
  live: number;
  trained: number | null;
  first_use: number;
  weekly_active: number;
  habitual: number;
  trained_share: number | null;
  first_use_share: number | null;
  weekly_active_share: number | null;
  habitual_share: number | null;
  /** Days from training completion to first use, over clinicians trained before first use. */
  days_training_to_first_use: {
    n: number;
    p25: number | null;
    median: number | null;
    p75: number | null;
  };
  /** Clinicians whose first use came before their training (or who were never trained). */
  used_before_training: number | null;
  used_untrained: number | null;
  /** Days from the go-live date to first use, over live clinicians who used the tool. */
  days_go_live_to_first_use: {
    n: number;
    p25: number | null;
    median: number | null;
    p75: number | null;
  };
  /** Uses per clinician-day with at least one use, over the last 4 weeks of the range. */
  depth: number | null;
  suppressed: boolean;
}

export interface RetentionRow {
  group: string;
  cohort_week: string;
  cohort_size: number;
  weeks_since_first_use: number;
  week_start: string;
  active: number;
  share: number;
}

export interface AdoptionReport {
  options: {
    tool: string;
    by: AdoptionBy;
    from: string;
    to: string;
    as_of_week: string | null;
    timezone: string;
    habitual_uses: number;
    definitions: Record<string, string>;
    suppression_threshold: number;
  };
  funnel: FunnelRow[];
  weekly: AdoptionWeekRow[];
  retention: RetentionRow[];
  /** Users of the tool who are not eligible (not in the roster, or outside the rules). */
  outside_eligible: { users: number; uses: number };
}

const GROUP_SQL: Record<AdoptionBy, string> = {
  department: `coalesce(c.department, '(none)')`,
  specialty: `coalesce(c.specialty, '(none)')`,
  role: `coalesce(c.role, '(none)')`,
  org: `'organisation'`,
};

/** SQL: does clinician `c` belong to go-live `gl`'s group? */
const IN_GOLIVE_GROUP = `(gl.group_by = 'org'
  OR (gl.group_by = 'department' AND gl.group_value = c.department)
  OR (gl.group_by = 'specialty' AND gl.group_value = c.specialty)
  OR (gl.group_by = 'role' AND gl.group_value = c.role))`;

/**
 * A table `(k, v)` of text values, every one bound: scalars are one row each, a list one row per
 * element under the same key. The adoption chain reads its lists (weeks, actions, eligibility
 * rules, courses) from it with set operations, whatever their lengths.
 */
function boundValues(name: string, values: readonly (readonly [string, string])[]): Cte {
  // An empty list would make an empty VALUES clause: one placeholder row keeps the shape.
  const rows = values.length ? values : ([['', '']] as const);
  return cte(
    name,
    sql`SELECT * FROM (VALUES ${joinSql(
      rows.map(
        ([k, v], i) =>
          sql`(CAST(${param(`k${i}`, k)} AS VARCHAR), CAST(${param(`v${i}`, v)} AS VARCHAR))`,
      ),
      ', ',
    )}) AS t(k, v)`,
  );
}

/** The CTEs of the adoption chain that its statements read. */
export interface AdoptionChain {
  a_params: Cte;
  a_weeks: Cte;
  a_roster: Cte;
  a_days: Cte;
  a_used: Cte;
  a_first: Cte;
  a_trained: Cte;
  a_weekly: Cte;
}

/**
 * The CTE chain shared by adoption and evaluation: eligible roster with each clinician's group and
 * go-live date (`a_roster`), tool uses per user and local day (`a_days`) and week (`a_used`),
 * first use, training, habit, and the weekly counts per (group, go-live) cell (`a_weekly`).
 */
export function adoptionCtes(req: AdoptionRequest): AdoptionChain {
  const t = req.tool;
  const weeks = weekStarts(req.from, req.to);
  const values: [string, string][] = [
    ['tool', t.name],
    ['tz', req.timezone],
    ['from', req.from],
    ['to', req.to],
    ['n_hab', String(req.habitualUses ?? t.habitual_uses)],
    ...weeks.map((w): [string, string] => ['week', w]),
    ...t.actions.map((a): [string, string] => ['action', globToLike(a)]),
    ...t.categories.map((c): [string, string] => ['category', c]),
    ...t.eligible.roles.map((v): [string, string] => ['role', v]),
    ...t.eligible.departments.map((v): [string, string] => ['department', v]),
    ...t.eligible.specialties.map((v): [string, string] => ['specialty', v]),
    ...t.courses.map((v): [string, string] => ['course', globToLike(v)]),
  ];
  const bound = boundValues('a_bound', values);
  const rule = (k: string, col: string) =>
    sql`(NOT EXISTS (SELECT 1 FROM ${bound} WHERE k = '${k}') OR ${col} IN (SELECT v FROM ${bound} WHERE k = '${k}'))`;
  const aParams = cte(
    'a_params',
    sql`SELECT max(CASE WHEN k = 'tool' THEN v END) AS tool, max(CASE WHEN k = 'tz' THEN v END) AS tz,
        CAST(max(CASE WHEN k = 'from' THEN v END) AS DATE) AS d_from,
        CAST(max(CASE WHEN k = 'to' THEN v END) AS DATE) AS d_to,
        CAST(max(CASE WHEN k = 'n_hab' THEN v END) AS INTEGER) AS n_hab,
        CAST(max(CASE WHEN k = 'to' THEN v END) AS TIMESTAMP) AT TIME ZONE max(CASE WHEN k = 'tz' THEN v END) AS to_ts
      FROM ${bound}`,
  );
  const aWeeks = cte(
    'a_weeks',
    sql`SELECT CAST(v AS DATE) AS week_start FROM ${bound} WHERE k = 'week'`,
  );
  // The go-lives: the stored ones of the tool, or those of the definition (each value bound).
  const goLives = req.goLivesFromDefinition
    ? t.golives.length
      ? sql`(SELECT * FROM (VALUES ${joinSql(
          t.golives.map(
            (g, i) =>
              sql`(CAST(${param(`gl_by${i}`, g.group_by)} AS VARCHAR), CAST(${param(`gl_value${i}`, g.group)} AS VARCHAR), CAST(${param(`gl_date${i}`, g.date)} AS DATE))`,
          ),
          ', ',
        )}) AS v(group_by, group_value, go_live_date))`
      : sql`(SELECT CAST(NULL AS VARCHAR) AS group_by, CAST(NULL AS VARCHAR) AS group_value, CAST(NULL AS DATE) AS go_live_date WHERE 1 = 0)`
    : sql`(SELECT * FROM golives WHERE tool = (SELECT tool FROM ${aParams}))`;
  const aRoster = cte(
    'a_roster',
    sql`SELECT c.user_id, ${GROUP_SQL[req.by]} AS grp, g.go_live
      FROM clinicians c
      LEFT JOIN (
        SELECT c.user_id, min(gl.go_live_date) AS go_live
        FROM clinicians c JOIN ${goLives} gl ON ${IN_GOLIVE_GROUP}
        GROUP BY c.user_id
      ) g ON g.user_id = c.user_id
      WHERE ${rule('role', 'c.role')} AND ${rule('department', 'c.department')} AND ${rule('specialty', 'c.specialty')}`,
  );
  // The distinct (source, action, category) of the events, matched once against the rules: the
  // events are then joined to the few matching actions by equality.
  const aMatched = cte(
    'a_matched',
    sql`SELECT DISTINCT a.source, a.action, a.category
      FROM (SELECT DISTINCT source, action, category FROM events) a
      LEFT JOIN action_names n ON n.source = a.source AND n.action = a.action
      JOIN ${bound} b ON
        (b.k = 'action' AND (a.action LIKE b.v ESCAPE '\\' OR n.name LIKE b.v ESCAPE '\\'))
        OR (b.k = 'category' AND a.category = b.v)`,
  );
  const aDays = cte(
    'a_days',
    sql`SELECT e.user_id, CAST(e.occurred_at AT TIME ZONE p.tz AS DATE) AS d, count(*) AS uses
      FROM events e
      JOIN ${aMatched} m ON m.source = e.source AND m.action = e.action AND m.category = e.category
      CROSS JOIN ${aParams} p
      WHERE e.occurred_at < p.to_ts
      GROUP BY e.user_id, CAST(e.occurred_at AT TIME ZONE p.tz AS DATE)`,
  );
  const aUsed = cte(
    'a_used',
    sql`SELECT user_id, CAST(date_trunc('week', CAST(d AS TIMESTAMP)) AS DATE) AS w,
        sum(uses) AS uses, count(*) AS days
      FROM ${aDays} GROUP BY user_id, CAST(date_trunc('week', CAST(d AS TIMESTAMP)) AS DATE)`,
  );
  const aFirst = cte(
    'a_first',
    sql`SELECT user_id, min(d) AS first_d FROM ${aDays} GROUP BY user_id`,
  );
  const aTrained = cte(
    'a_trained',
    sql`SELECT t.user_id, CAST(min(t.completed_at) AT TIME ZONE p.tz AS DATE) AS trained_d
      FROM training t CROSS JOIN ${aParams} p
        JOIN ${bound} b ON b.k = 'course' AND t.course LIKE b.v ESCAPE '\\'
      WHERE t.completed_at < p.to_ts
      GROUP BY t.user_id, p.tz`,
  );
  const aHabit = cte(
    'a_habit',
    sql`SELECT wk.week_start, u.user_id, count(*) AS good_weeks
      FROM ${aWeeks} wk JOIN ${aUsed} u ON u.w <= wk.week_start AND u.w > wk.week_start - 28
      CROSS JOIN ${aParams} p
      WHERE u.uses >= p.n_hab
      GROUP BY wk.week_start, u.user_id`,
  );
  const aWeekly = cte(
    'a_weekly',
    sql`SELECT r.grp, r.go_live, wk.week_start, count(*) AS eligible,
        sum(CASE WHEN r.go_live < wk.week_start + 7 THEN 1 ELSE 0 END) AS live,
        sum(CASE WHEN t.trained_d < wk.week_start + 7 THEN 1 ELSE 0 END) AS trained,
        sum(CASE WHEN f.first_d < wk.week_start + 7 THEN 1 ELSE 0 END) AS ever_used,
        sum(CASE WHEN u.uses > 0 THEN 1 ELSE 0 END) AS weekly_active,
        sum(CASE WHEN h.good_weeks >= 3 THEN 1 ELSE 0 END) AS habitual,
        coalesce(sum(u.uses), 0) AS uses, coalesce(sum(u.days), 0) AS use_days
      FROM ${aRoster} r CROSS JOIN ${aWeeks} wk
      LEFT JOIN ${aUsed} u ON u.user_id = r.user_id AND u.w = wk.week_start
      LEFT JOIN ${aHabit} h ON h.user_id = r.user_id AND h.week_start = wk.week_start
      LEFT JOIN ${aTrained} t ON t.user_id = r.user_id
      LEFT JOIN ${aFirst} f ON f.user_id = r.user_id
      GROUP BY r.grp, r.go_live, wk.week_start`,
  );
  return {
    a_params: aParams,
    a_weeks: aWeeks,
    a_roster: aRoster,
    a_days: aDays,
    a_used: aUsed,
    a_first: aFirst,
    a_trained: aTrained,
    a_weekly: aWeekly,
  };
}

const selectWeekly = (c: AdoptionChain) =>
  sql`SELECT grp AS "group", CAST(go_live AS VARCHAR) AS go_live, CAST(week_start AS VARCHAR) AS week_start,
  eligible, live, trained, ever_used, weekly_active, habitual, uses, use_days
  FROM ${c.a_weekly} ORDER BY grp, go_live, week_start`;

/** Medians of time to first use, per group (not additive, so computed per group in SQL). */
const selectTimes = (c: AdoptionChain) => sql`SELECT r.grp AS "group",
  count(CASE WHEN f.first_d >= t.trained_d THEN 1 END) AS n_tf,
  percentile_cont(0.25) WITHIN GROUP (ORDER BY CASE WHEN f.first_d >= t.trained_d THEN f.first_d - t.trained_d END) AS tf_p25,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN f.first_d >= t.trained_d THEN f.first_d - t.trained_d END) AS tf_median,
  percentile_cont(0.75) WITHIN GROUP (ORDER BY CASE WHEN f.first_d >= t.trained_d THEN f.first_d - t.trained_d END) AS tf_p75,
  count(CASE WHEN f.first_d < t.trained_d THEN 1 END) AS before_training,
  count(CASE WHEN f.first_d IS NOT NULL AND t.trained_d IS NULL THEN 1 END) AS untrained,
  count(CASE WHEN r.go_live IS NOT NULL AND f.first_d IS NOT NULL THEN 1 END) AS n_gf,
  percentile_cont(0.25) WITHIN GROUP (ORDER BY CASE WHEN r.go_live IS NOT NULL THEN f.first_d - r.go_live END) AS gf_p25,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN r.go_live IS NOT NULL THEN f.first_d - r.go_live END) AS gf_median,
  percentile_cont(0.75) WITHIN GROUP (ORDER BY CASE WHEN r.go_live IS NOT NULL THEN f.first_d - r.go_live END) AS gf_p75
  FROM ${c.a_roster} r
  LEFT JOIN ${c.a_first} f ON f.user_id = r.user_id
  LEFT JOIN ${c.a_trained} t ON t.user_id = r.user_id
  GROUP BY r.grp ORDER BY r.grp`;

const selectRetention = (c: AdoptionChain) =>
  sql`SELECT c.grp AS "group", CAST(c.cw AS VARCHAR) AS cohort_week, CAST(wk.week_start AS VARCHAR) AS week_start,
  count(*) AS cohort_size, sum(CASE WHEN u.uses > 0 THEN 1 ELSE 0 END) AS active
  FROM (SELECT r.grp, r.user_id, CAST(date_trunc('week', CAST(f.first_d AS TIMESTAMP)) AS DATE) AS cw
        FROM ${c.a_roster} r JOIN ${c.a_first} f ON f.user_id = r.user_id) c
  JOIN ${c.a_weeks} wk ON wk.week_start >= c.cw
  LEFT JOIN ${c.a_used} u ON u.user_id = c.user_id AND u.w = wk.week_start
  WHERE c.cw >= (SELECT d_from FROM ${c.a_params})
  GROUP BY c.grp, c.cw, wk.week_start ORDER BY 1, 2, 3`;

const selectOutside = (c: AdoptionChain) =>
  sql`SELECT count(DISTINCT d.user_id) AS users, coalesce(sum(d.uses), 0) AS uses
  FROM ${c.a_days} d CROSS JOIN ${c.a_params} p
  WHERE d.d >= p.d_from AND d.user_id NOT IN (SELECT user_id FROM ${c.a_roster})`;

/**
 * Run `selects` over the adoption chain: its CTEs are computed once, as temporary tables, however
 * many statements read them (each would otherwise scan the events again).
 */
export function runAdoption(
  store: Store,
  selects: readonly SqlFragment[],
): Promise<Record<string, unknown>[][]> {
  return runChain(store, selects, { computeOnce: true });
}

const num = (v: unknown): number => Number(v ?? 0);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const share = (a: number | null, b: number): number | null =>
  a === null || b === 0 ? null : a / b;

/** The weekly rows per (group, go-live cell): the input of adoption metrics in evaluations. */
export async function adoptionWeekly(
  store: Store,
  req: AdoptionRequest,
): Promise<AdoptionWeekRow[]> {
  const [rows = []] = await runAdoption(store, [selectWeekly(adoptionCtes(req))]);
  return rows.map((r) => weekRow(r, req.tool.courses.length > 0));
}

function weekRow(r: Record<string, unknown>, tracksTraining: boolean): AdoptionWeekRow {
  return {
    group: String(r['group']),
    go_live: r['go_live'] === null ? null : String(r['go_live']).slice(0, 10),
    week_start: String(r['week_start']).slice(0, 10),
    eligible: num(r['eligible']),
    live: num(r['live']),
    trained: tracksTraining ? num(r['trained']) : null,
    ever_used: num(r['ever_used']),
    weekly_active: num(r['weekly_active']),
    habitual: num(r['habitual']),
    uses: num(r['uses']),
    use_days: num(r['use_days']),
  };
}

/** Sum the additive weekly counts of the go-live cells of each group. */
function mergeCells(rows: AdoptionWeekRow[]): AdoptionWeekRow[] {
  const out = new Map<string, AdoptionWeekRow & { dates: Set<string> }>();
  for (const r of rows) {
    const k = `${r.group}\u001f${r.week_start}`;
    const cur = out.get(k);
    if (!cur) {
      out.set(k, { ...r, dates: new Set(r.go_live ? [r.go_live] : []) });
      continue;
    }
    if (r.go_live) cur.dates.add(r.go_live);
    for (const f of [
      'eligible',
      'live',
      'ever_used',
      'weekly_active',
      'habitual',
      'uses',
      'use_days',
    ] as const)
      cur[f] += r[f];
    cur.trained = cur.trained === null || r.trained === null ? null : cur.trained + r.trained;
  }
  return [...out.values()]
    .map(({ dates, ...r }) => ({
      ...r,
      go_live: dates.size === 0 ? null : dates.size === 1 ? [...dates][0]! : 'mixed',
    }))
    .sort((a, b) =>
      a.group < b.group ? -1 : a.group > b.group ? 1 : a.week_start < b.week_start ? -1 : 1,
    );
}

export const ADOPTION_DEFINITIONS: Record<string, string> = {
  eligible: 'clinicians of the roster that the tool’s eligibility rules select',
  live: 'eligible clinicians whose group’s go-live date is on or before the end of the week',
  trained:
    'eligible clinicians who completed one of the tool’s courses by the end of the week (null when the tool names no course)',
  first_use: 'eligible clinicians with at least one use by the end of the week',
  weekly_active: 'eligible clinicians with at least one use in the week',
  habitual:
    'eligible clinicians with at least N uses a week in at least 3 of the 4 weeks ending with the week',
  use: 'one event whose action (code or name) or category is one of the tool’s',
  depth: 'uses per clinician-day with at least one use (the last 4 weeks in the funnel)',
  retention:
    'of the clinicians whose first use fell in a week (their cohort), the share active in each later week',
};

/** The adoption report: funnel as of the last week, weekly series, retention, depth. */
export async function adoptionReport(
  store: Store,
  req: AdoptionRequest,
  suppressionThreshold: number,
): Promise<AdoptionReport> {
  const tracksTraining = req.tool.courses.length > 0;
  const chain = adoptionCtes(req);
  const [weeklyRaw = [], timesRaw = [], retentionRaw = [], outsideRaw = []] = await runAdoption(
    store,
    [selectWeekly(chain), selectTimes(chain), selectRetention(chain), selectOutside(chain)],
  );
  const weekly = mergeCells(weeklyRaw.map((r) => weekRow(r, tracksTraining)));
  const weeks = weekStarts(req.from, req.to);
  const last = weeks[weeks.length - 1] ?? null;
  const lastFour = new Set(weeks.slice(-4));
  const times = new Map(timesRaw.map((r) => [String(r['group']), r]));
  const groups = [...new Set(weekly.map((r) => r.group))];
  const funnel: FunnelRow[] = groups.map((g) => {
    const rows = weekly.filter((r) => r.group === g);
    const w = rows.find((r) => r.week_start === last) ?? rows[rows.length - 1]!;
    const recent = rows.filter((r) => lastFour.has(r.week_start));
    const uses = recent.reduce((s, r) => s + r.uses, 0);
    const days = recent.reduce((s, r) => s + r.use_days, 0);
    const tm = times.get(g) ?? {};
    return {
      group: g,
      go_live: w.go_live,
      eligible: w.eligible,
      live: w.live,
      trained: w.trained,
      first_use: w.ever_used,
      weekly_active: w.weekly_active,
      habitual: w.habitual,
      trained_share: share(w.trained, w.eligible),
      first_use_share: share(w.ever_used, w.eligible),
      weekly_active_share: share(w.weekly_active, w.eligible),
      habitual_share: share(w.habitual, w.eligible),
      days_training_to_first_use: tracksTraining
        ? {
            n: num(tm['n_tf']),
            p25: numOrNull(tm['tf_p25']),
            median: numOrNull(tm['tf_median']),
            p75: numOrNull(tm['tf_p75']),
          }
        : { n: 0, p25: null, median: null, p75: null },
      used_before_training: tracksTraining ? num(tm['before_training']) : null,
      used_untrained: tracksTraining ? num(tm['untrained']) : null,
      days_go_live_to_first_use: {
        n: num(tm['n_gf']),
        p25: numOrNull(tm['gf_p25']),
        median: numOrNull(tm['gf_median']),
        p75: numOrNull(tm['gf_p75']),
      },
      depth: days ? uses / days : null,
      suppressed: false,
    };
  });
  // The groups add up to the tool's eligible clinicians: small groups and their protectors.
  const hidden = suppressCells(
    funnel.map((f) => ({ key: f.group, n: f.eligible })),
    suppressionThreshold,
  );
  for (const f of funnel) f.suppressed = hidden.has(f.group);
  const retention: RetentionRow[] = retentionRaw.map((r) => {
    const cw = String(r['cohort_week']).slice(0, 10);
    const ws = String(r['week_start']).slice(0, 10);
    const size = num(r['cohort_size']);
    const active = num(r['active']);
    return {
      group: String(r['group']),
      cohort_week: cw,
      cohort_size: size,
      weeks_since_first_use: Math.round((Date.parse(ws) - Date.parse(cw)) / (7 * 86_400_000)),
      week_start: ws,
      active,
      share: size ? active / size : 0,
    };
  });
  const o = outsideRaw[0] ?? {};
  return {
    options: {
      tool: req.tool.name,
      by: req.by,
      from: req.from,
      to: req.to,
      as_of_week: last,
      timezone: req.timezone,
      habitual_uses: req.habitualUses ?? req.tool.habitual_uses,
      definitions: ADOPTION_DEFINITIONS,
      suppression_threshold: suppressionThreshold,
    },
    funnel,
    weekly,
    retention,
    outside_eligible: { users: num(o['users']), uses: num(o['uses']) },
  };
}
