/**
 * Suggested champions (program.md §4): among clinicians with at least 40 scheduled hours in the
 * last 8 whole weeks, within their specialty, those whose EHR-Time8 and after-hours hours per 8
 * scheduled hours are both at or below the specialty's 40th percentile and whose appointments per
 * scheduled hour are at or above its median; where a tool is live for them, they use it
 * habitually. The evidence — each figure and the specialty's cut-off — goes with every suggestion.
 *
 * Set-based SQL over the per-clinician rows the metrics engine already computes (any chain that
 * ends in `clinician_rows`: the day table's `dayTableCtes` on the server, `metricCtes` over events
 * elsewhere); the cut-offs are `percentile_cont` per specialty, as §7's group quartiles are. The
 * population of the cut-offs is the clinicians the rule looks at (≥ 40 scheduled hours, with a
 * specialty): a clinician who barely worked does not lower the bar. Habitual use is the adoption
 * chain's (`src/analysis/adoption.ts`): at least the tool's weekly uses in 3 of the 4 weeks
 * ending with the window.
 */
import { adoptionCtes, runAdoption } from '../analysis/adoption.ts';
import { getTool, listToolNames } from '../analysis/tools.ts';
import { addDays, mondayOnOrBefore } from '../analysis/weeks.ts';
import { CHAMPION_RULE, type ChampionCandidate, type ToolHabit } from '../model/champions.ts';
import { cte, runChain, sql, type Cte } from '../store/cte.ts';
import type { Store } from '../store/Store.ts';

/**
 * Values computed in floating point (hours from microseconds, ratios, interpolated percentiles):
 * a clinician equal to the cut-off up to this relative rounding is "at" it, as §4 says.
 */
const EPS = 1e-9;

/** The window of the rule: the 8 whole weeks (Monday to Monday, `to` exclusive) before `today`'s week. */
export function championWindow(today: string): { from: string; to: string } {
  const to = mondayOnOrBefore(today);
  return { from: addDays(to, -7 * CHAMPION_RULE.weeks), to };
}

interface RuleRow {
  user_id: string;
  name: string | null;
  department: string | null;
  specialty: string;
  specialty_n: number | string;
  scheduled_hours: number;
  ehr_time8: number | null;
  after_hours8: number | null;
  appts_per_hour: number | null;
  ehr_cut: number | null;
  after_cut: number | null;
  appts_cut: number | null;
  ehr_ok: boolean | number;
  after_ok: boolean | number;
  appts_ok: boolean | number;
}

/**
 * The metric part of the rule over `rows` (a CTE of per-clinician rows, period `all`, of the
 * window): every clinician with ≥ 40 scheduled hours and a specialty, with their figures, the
 * specialty's cut-offs and which of the three they meet. Sorted by specialty and user.
 */
export async function championFigures(
  store: Store,
  rows: Cte,
): Promise<Omit<ChampionCandidate, 'tools' | 'meets_all' | 'invitation' | 'username'>[]> {
  const dbl = store.dialect.double;
  const base = cte(
    'ch_base',
    sql`SELECT r.user_id, c.name, c.department, c.specialty, CAST(r.scheduled_hours AS ${dbl}) AS scheduled_hours,
      CAST(r.ehr_time8 AS ${dbl}) AS ehr_time8,
      CAST(r.after_hours_hours AS ${dbl}) * 8 / CAST(r.scheduled_hours AS ${dbl}) AS after_hours8,
      CAST(r.appointments AS ${dbl}) / CAST(r.scheduled_hours AS ${dbl}) AS appts_per_hour
    FROM ${rows} r JOIN clinicians c ON c.user_id = r.user_id
    WHERE r.scheduled_hours >= ${CHAMPION_RULE.min_scheduled_hours} AND c.specialty IS NOT NULL`,
  );
  const q = CHAMPION_RULE.burden_quantile;
  const cut = cte(
    'ch_cut',
    sql`SELECT specialty, count(*) AS specialty_n,
      percentile_cont(${q}) WITHIN GROUP (ORDER BY ehr_time8) AS ehr_cut,
      percentile_cont(${q}) WITHIN GROUP (ORDER BY after_hours8) AS after_cut,
      percentile_cont(${CHAMPION_RULE.appointments_quantile}) WITHIN GROUP (ORDER BY appts_per_hour) AS appts_cut
    FROM ${base} GROUP BY specialty`,
  );
  const [out = []] = await runChain(store, [
    sql`SELECT b.user_id, b.name, b.department, b.specialty, k.specialty_n, b.scheduled_hours,
      b.ehr_time8, b.after_hours8, b.appts_per_hour, k.ehr_cut, k.after_cut, k.appts_cut,
      (b.ehr_time8 <= k.ehr_cut + ${EPS} * (1 + abs(k.ehr_cut))) AS ehr_ok,
      (b.after_hours8 <= k.after_cut + ${EPS} * (1 + abs(k.after_cut))) AS after_ok,
      (b.appts_per_hour >= k.appts_cut - ${EPS} * (1 + abs(k.appts_cut))) AS appts_ok
    FROM ${base} b JOIN ${cut} k ON k.specialty = b.specialty
    ORDER BY b.specialty, b.user_id`,
  ]);
  return (out as unknown as RuleRow[]).map((r) => ({
    user_id: r.user_id,
    name: r.name,
    department: r.department,
    specialty: r.specialty,
    specialty_n: Number(r.specialty_n),
    scheduled_hours: Number(r.scheduled_hours),
    ehr_time8: { value: num(r.ehr_time8), cutoff: num(r.ehr_cut), meets: Boolean(r.ehr_ok) },
    after_hours8: {
      value: num(r.after_hours8),
      cutoff: num(r.after_cut),
      meets: Boolean(r.after_ok),
    },
    appointments_per_hour: {
      value: num(r.appts_per_hour),
      cutoff: num(r.appts_cut),
      meets: Boolean(r.appts_ok),
    },
  }));
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * For every tool of the store: the clinicians it is live for at the end of the window (eligible,
 * their group's go-live before `to`) and how many of the 4 weeks before `to` they used it at
 * least the tool's weekly uses — one adoption query per tool, over its own uses only.
 */
export async function toolHabits(
  store: Store,
  to: string,
  timezone: string,
): Promise<Map<string, ToolHabit[]>> {
  const out = new Map<string, ToolHabit[]>();
  for (const name of await listToolNames(store)) {
    const tool = await getTool(store, name);
    if (!tool.golives.length) continue;
    const c = adoptionCtes({ tool, by: 'org', from: addDays(to, -28), to, timezone });
    const [rows = []] = await runAdoption(store, [
      sql`SELECT r.user_id, CAST(r.go_live AS VARCHAR) AS go_live,
        sum(CASE WHEN u.uses >= p.n_hab THEN 1 ELSE 0 END) AS good_weeks
      FROM ${c.a_roster} r CROSS JOIN ${c.a_params} p
      LEFT JOIN ${c.a_used} u ON u.user_id = r.user_id AND u.w >= p.d_from AND u.w < p.d_to
      WHERE r.go_live IS NOT NULL AND r.go_live < p.d_to
      GROUP BY r.user_id, r.go_live`,
    ]);
    for (const r of rows) {
      const weeks = Number(r['good_weeks'] ?? 0);
      const list = out.get(String(r['user_id'])) ?? [];
      list.push({
        tool: name,
        go_live: String(r['go_live']).slice(0, 10),
        habitual_weeks: weeks,
        habitual: weeks >= CHAMPION_RULE.habitual_weeks,
      });
      out.set(String(r['user_id']), list);
    }
  }
  return out;
}

/**
 * The rule of §4 over the window's clinician rows: every clinician the rule looked at, with the
 * evidence and whether they meet all of it (`meets_all`). The caller adds the invitation state.
 */
export async function championCandidates(
  store: Store,
  rows: Cte,
  window: { to: string; timezone: string },
): Promise<{
  considered: number;
  candidates: Omit<ChampionCandidate, 'invitation' | 'username'>[];
}> {
  const figures = await championFigures(store, rows);
  const habits = await toolHabits(store, window.to, window.timezone);
  const candidates = figures.map((f) => {
    const tools = habits.get(f.user_id) ?? [];
    return {
      ...f,
      tools,
      meets_all:
        f.ehr_time8.meets &&
        f.after_hours8.meets &&
        f.appointments_per_hour.meets &&
        tools.every((t) => t.habitual),
    };
  });
  return { considered: figures.length, candidates };
}

/** The evidence of a suggestion in one sentence (kept with an invitation, shown to the clinician). */
export function championReason(c: Omit<ChampionCandidate, 'invitation' | 'username'>): string {
  const f = (v: number | null, d = 2) => (v === null ? '—' : v.toFixed(d));
  const tools = c.tools.length
    ? `; habitual use of ${c.tools.map((t) => `${t.tool} (${t.habitual_weeks} of the last 4 weeks)`).join(', ')}`
    : '';
  return (
    `Among ${c.specialty_n} ${c.specialty} clinicians with ≥ ${CHAMPION_RULE.min_scheduled_hours} scheduled hours ` +
    `(${f(c.scheduled_hours, 1)} h): EHR-Time8 ${f(c.ehr_time8.value)} (40th percentile ${f(c.ehr_time8.cutoff)}), ` +
    `after-hours per 8 h ${f(c.after_hours8.value)} (40th percentile ${f(c.after_hours8.cutoff)}), ` +
    `appointments per scheduled hour ${f(c.appointments_per_hour.value)} (median ${f(c.appointments_per_hour.cutoff)})${tools}.`
  );
}
