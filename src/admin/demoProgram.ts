/**
 * The buy-in program of `uptake demo` (issue #13): goals in every state and computed status, and
 * feedback to IT in every state with a realistic, back-dated history — written through the same
 * functions of `src/program` the API calls (`proposeGoal`, `castGoalVote`, `settleDueGoals`,
 * `createFeedback`, `changeFeedback`, `rateFeedback`, …), each at the instant it is meant to have
 * happened, so that the rules (secret ballot, history, clocks, notices) hold for the demo as they
 * do for a real organisation.
 *
 * **The demo's present.** The synthetic data have fixed dates (`uptake demo` generates from
 * 2026-01-05), while a goal's status and an item's clocks are computed as of "now". The demo
 * therefore runs on a clock of its own (`demoClock`): its present is the day after the data end
 * (`demoPresent`), and time runs on from there. Everything below is dated relative to the data
 * (`gen.from`, `gen.to`, the go-live), so the statuses are the intended ones whenever the demo is
 * started.
 *
 * **Targets come from the data.** A goal's target is chosen from the group's weekly values as the
 * server will compute them (the same rules, `goalBaseline` and `goalProgress`, over the weekly
 * median across the group's clinicians with scheduled hours), so that the computed status is the
 * one the demo means; a candidate (group, metric) whose numbers cannot give that status is skipped.
 */
import { randomBytes } from 'node:crypto';
import { addDays, daysBetween, mondayOnOrBefore, weekStarts } from '../analysis/weeks.ts';
import { getTool } from '../analysis/tools.ts';
import { clinicianMetrics, parseRequest } from '../metrics/computeMetrics.ts';
import type { GenerateResult } from '../synth/generate.ts';
import { dayClock, localInstant } from '../synth/tz.ts';
import type { Store } from '../store/Store.ts';
import type { User } from '../model/accounts.ts';
import type { ClinicianMetricRow } from '../model/metricRow.ts';
import type { MetricOptions } from '../model/options.ts';
import type { TargetDirection } from '../model/evaluationMetrics.ts';
import {
  ORG_GROUP_VALUE,
  type GoalGroupBy,
  type GoalRow,
  type GoalStatus,
  type VoteChoice,
  type WeeklyValue,
} from '../model/goal.ts';
import type { FeedbackChange, FeedbackInput, FeedbackRating } from '../model/feedback.ts';
import type { ProgramActor } from '../program/actor.ts';
import { goalBaseline } from '../program/goalBaseline.ts';
import { goalProgress, type GoalProgress } from '../program/goalStatus.ts';
import { isGoalVoter } from '../program/goalVoters.ts';
import {
  addGoalComment,
  castGoalVote,
  proposeGoal,
  settleDueGoals,
  withdrawGoal,
} from '../program/goalStore.ts';
import {
  changeFeedback,
  createFeedback,
  rateFeedback,
  subscribeFeedback,
  voteFeedback,
} from '../program/feedbackStore.ts';
import { markNoticesRead } from '../program/notices.ts';
import { localDateOf } from '../program/businessHours.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { accountsOf } from './accounts.ts';
import { usernameOf, type DemoAccount, type RosterRow } from './demoAccounts.ts';
import { readSettings } from './orgSettings.ts';

/** What of the generated system the demo program is dated from. */
export type DemoSpan = Pick<GenerateResult, 'from' | 'to' | 'goLive'>;

/** Clinician accounts made per department, so that goals have voters and feedback has authors. */
const COLLEAGUES_PER_DEPARTMENT = 7;
/** The whole weeks of data the goals' timeline needs (8 baseline weeks, the vote, 4+ weeks after). */
export const DEMO_PROGRAM_MIN_WEEKS = 16;

/**
 * The demo's present: 10:30 local on the Tuesday after the data's last week — the day after the
 * data end for a system of whole weeks — so the last whole week before "today" has data.
 */
export function demoPresent(span: Pick<DemoSpan, 'to'>, timezone: string): Date {
  const today = addDays(mondayOnOrBefore(addDays(span.to, 6)), 1);
  return localAt(timezone, today, 10, 30);
}

/**
 * The demo's clock: it starts at `demoPresent`, or just after the latest thing the program
 * stored (a demo started again continues where it stopped, so nothing is dated in its future),
 * and runs at the wall clock's pace.
 */
export async function demoClock(
  store: Store,
  span: Pick<DemoSpan, 'to'>,
  timezone: string,
  wall: () => number = Date.now,
): Promise<() => Date> {
  let start = demoPresent(span, timezone).getTime();
  const d = store.dialect;
  for (const [table, column] of [
    ['goals', 'created_at'],
    ['goal_comments', 'created_at'],
    ['feedback_events', 'occurred_at'],
    ['notices', 'created_at'],
  ] as const) {
    const [r] = await store.all<{ us: number | null }>(
      `SELECT max(${d.epochUs(column)}) AS us FROM ${table}`,
    );
    if (r?.us !== null && r?.us !== undefined)
      start = Math.max(start, Math.round(Number(r.us) / 1000) + 60_000);
  }
  const offset = start - wall();
  return () => new Date(wall() + offset);
}

/** What `ensureDemoProgram` made (null: the store already held program data). */
export interface DemoProgramSummary {
  goals: { id: string; title: string; state: GoalRow['state']; intended: string }[];
  feedback: { id: string; state: string; kind: string }[];
  colleagues: number;
}

export interface DemoProgramOptions {
  /** The generated system's span and go-live (the demo's `generated.json`). */
  span: DemoSpan;
  /** The demo's present (`demoClock()()`): statuses and clocks are as of then. */
  now: Date;
  /** The pseudonym key file, whose derived key makes the votes' tokens (as the server's). */
  keyFile: string;
}

/** A local time on a local date, as an instant. */
function localAt(timezone: string, date: string, hour: number, minute = 0): Date {
  return new Date(localInstant(dayClock(timezone, date), hour * 3600 + minute * 60));
}

/** The median (percentile_cont 0.5) of finite values; null for none. */
function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) / 2;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

type PerClinicianMetric = 'ehr_time8' | 'wow8' | 'note_time8' | 'pres_time8' | 'ib_time8';
const METRICS: readonly PerClinicianMetric[] = [
  'note_time8',
  'ib_time8',
  'wow8',
  'ehr_time8',
  'pres_time8',
];
interface RosterClinician {
  user_id: string;
  name: string | null;
  department: string | null;
  specialty: string | null;
  role: string | null;
}

interface Group {
  group_by: GoalGroupBy;
  group_value: string;
}

/**
 * The group's weekly values of `metric` (§1 "weekly value"): per ISO week, the median across the
 * group's clinicians with scheduled hours — as the server's `goalWeeklySeries` computes them from
 * the same per-clinician weekly rows.
 */
function weeklySeries(
  rows: readonly ClinicianMetricRow[],
  roster: ReadonlyMap<string, RosterClinician>,
  g: Group,
  metric: PerClinicianMetric,
  mondays: readonly string[],
): WeeklyValue[] {
  const cells = new Map<string, { values: number[]; n: number }>();
  for (const r of rows) {
    if (r.scheduled_hours <= 0) continue;
    const c = roster.get(r.user_id);
    if (g.group_by !== 'org' && (!c || c[g.group_by] !== g.group_value)) continue;
    const w = String(r.period_start).slice(0, 10);
    const cell = cells.get(w) ?? { values: [], n: 0 };
    cell.n++;
    const v = r[metric];
    if (typeof v === 'number' && Number.isFinite(v)) cell.values.push(v);
    cells.set(w, cell);
  }
  return mondays.map((w) => {
    const c = cells.get(w);
    return { week_start: w, value: c ? median(c.values) : null, n: c?.n ?? 0 };
  });
}

/** The program's view of an account (as the server's `programActor`). */
function actorOf(
  u: Pick<User, 'username' | 'role' | 'clinician_id' | 'groups'>,
  roster: ReadonlyMap<string, RosterClinician>,
): ProgramActor {
  const c = u.clinician_id ? roster.get(u.clinician_id) : undefined;
  return {
    username: u.username,
    role: u.role,
    clinician: c ? { department: c.department, specialty: c.specialty, role: c.role } : null,
    groups: u.groups,
  };
}

/** The smallest |target − baseline| that is not "within noise" (§1), with a little room. */
const noiseGap = (noise: number) => 1.05 * ((1.96 * Math.SQRT2 * noise) / 2);

/** A target with few decimals when that keeps `ok`, else as computed. */
function tidy(t: number, ok: (t: number) => boolean): number {
  for (const d of [2, 3, 4]) {
    const r = Number(t.toFixed(d));
    if (ok(r)) return r;
  }
  return t;
}

interface TrackedTiming {
  proposedOn: string;
  adoptedOn: string;
  targetDate: string;
}

/**
 * A target for which the goal's computed status is `want` as of `today` (decrease goals: the
 * burden metrics), chosen inside the range of targets that give it, or null when none does.
 * `strict` also asks that the target lie the goal's way from the baseline and not within noise.
 */
function targetFor(
  want: GoalStatus,
  series: readonly WeeklyValue[],
  t: TrackedTiming,
  today: string,
  strict: boolean,
): { target: number; progress: GoalProgress } | null {
  const goal = (target: number) => ({
    direction: 'decrease' as TargetDirection,
    target,
    target_date: t.targetDate,
    baseline_weeks: 8,
    proposed_on: t.proposedOn,
    adopted_on: t.adoptedOn,
  });
  const probe = goalProgress(goal(0), series, today);
  const b = probe.baseline;
  if (!b || probe.current === null) return null;
  const cur = probe.current;
  let candidate: number | null = null;
  if (want === 'met' || want === 'not_met') {
    // After the target date: the mean of the 4 final weeks against the target.
    candidate =
      want === 'met'
        ? cur < b.mean
          ? cur + 0.35 * (b.mean - cur)
          : strict
            ? null
            : cur * 1.03
        : Math.min(cur, b.mean) - Math.max(1.5 * noiseGap(b.noise), 0.08 * b.mean);
  } else {
    const p = probe.projection;
    if (want === 'achieved') candidate = cur < b.mean ? cur + 0.4 * (b.mean - cur) : null;
    else if (p) {
      const [lo] = p.pi95;
      const ceiling = Math.min(cur, b.mean);
      if (want === 'on_track') candidate = p.value < ceiling ? (p.value + ceiling) / 2 : null;
      else if (want === 'at_risk') {
        const top = Math.min(p.value, ceiling);
        candidate = lo < top ? lo + 0.5 * (top - lo) : null;
      } else if (want === 'off_track') {
        const below = Math.min(lo, ceiling) - 0.5 * (p.value - lo);
        candidate = below > 0.05 * b.mean ? below : null;
      }
    }
  }
  if (candidate === null || !(candidate > 0)) return null;
  const ok = (x: number) => {
    if (goalProgress(goal(x), series, today).status !== want) return false;
    if (!strict) return true;
    return x < b.mean && b.mean - x >= noiseGap(b.noise);
  };
  if (!ok(candidate)) return null;
  const target = tidy(candidate, ok);
  return { target, progress: goalProgress(goal(target), series, today) };
}

const fmt = (x: number) => x.toFixed(2);

/** A local date in words for the texts ("12 May"). */
function dayWords(date: string): string {
  return new Date(`${date}T12:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    timeZone: 'UTC',
  });
}

function goalText(
  metric: PerClinicianMetric,
  group: string,
  baseline: number,
  target: number,
  targetDate: string,
): { title: string; rationale: string } {
  const by = `from ${fmt(baseline)} to ${fmt(target)} hours per 8 scheduled hours by ${dayWords(targetDate)}`;
  switch (metric) {
    case 'note_time8':
      return {
        title: `Less time on notes in ${group}`,
        rationale: `Notes are what we take home. With the shorter follow-up templates and the ambient drafts we think we can bring note time ${by}.`,
      };
    case 'ib_time8':
      return {
        title: `Tame the In Basket in ${group}`,
        rationale: `Results and refill requests fill the gaps between patients and then the evenings. Pooling normal results to the team and filtering FYI messages should bring In Basket time ${by}.`,
      };
    case 'wow8':
      return {
        title: `Fewer evenings charting in ${group}`,
        rationale: `Work outside scheduled hours is the number that tracks burnout best. Protected admin time and closing notes in clinic should bring it ${by}.`,
      };
    case 'ehr_time8':
      return {
        title: `Less total EHR time in ${group}`,
        rationale: `We spend more time in the chart than with patients. Order-set clean-up and team-based orders should bring EHR time ${by}.`,
      };
    case 'pres_time8':
      return {
        title: `Faster prescribing in ${group}`,
        rationale: `Renewals take too many clicks. Ninety-day defaults and protocol refills by the team should bring prescribing time ${by}.`,
      };
  }
}

/**
 * Seed the demo's program once: colleague accounts (clinicians of each department, so that goals
 * have voters and feedback has authors), goals in every state and status, and feedback items in
 * every state with their history, votes, subscriptions, ratings and notices. Nothing when the
 * store already holds goals or feedback (a demo started again adds nothing twice); a demo made
 * before the program existed gets it on its next start. Returns what it made.
 */
export async function ensureDemoProgram(
  store: Store,
  demo: readonly DemoAccount[],
  o: DemoProgramOptions,
): Promise<DemoProgramSummary | null> {
  const [g] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM goals`);
  const [f] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM feedback_items`);
  if (Number(g?.n ?? 0) + Number(f?.n ?? 0) > 0) return null;

  const settings = await readSettings(store);
  const tz = settings.timezone;
  const rosterRows = await store.all<RosterClinician>(
    `SELECT user_id, name, department, specialty, role FROM clinicians ORDER BY user_id`,
  );
  const roster = new Map(rosterRows.map((r) => [r.user_id, r]));
  const colleagues = await ensureColleagues(store, rosterRows);
  const users = await accountsOf(store).list();
  const everyone = users.map((u) => actorOf(u, roster));
  const actor = (username: string) => {
    const a = everyone.find((x) => x.username === username);
    if (!a) throw new Error(`demo program: no account ${username}`);
    return a;
  };
  const demoOf = (role: DemoAccount['role'], n = 0) => demo.filter((a) => a.role === role)[n];
  const clinicians = demo.filter((a) => a.role === 'clinician' && a.clinician_id);
  const summary: DemoProgramSummary = { goals: [], feedback: [], colleagues };

  await seedGoals(store, o, settings.options, tz, roster, everyone, demo, summary);
  await seedFeedback(store, o, tz, roster, everyone, actor, demoOf, clinicians, summary);
  return summary;
}

/** Clinician accounts for up to COLLEAGUES_PER_DEPARTMENT roster clinicians of each department. */
async function ensureColleagues(store: Store, roster: readonly RosterRow[]): Promise<number> {
  const accounts = accountsOf(store);
  const existing = await accounts.list();
  const taken = new Set(existing.map((u) => u.username));
  const linked = new Set(existing.map((u) => u.clinician_id).filter((x) => x !== null));
  const perDept = new Map<string, number>();
  for (const u of existing) {
    const c = roster.find((r) => r.user_id === u.clinician_id);
    if (c?.department) perDept.set(c.department, (perDept.get(c.department) ?? 0) + 1);
  }
  let made = 0;
  for (const r of roster) {
    if (!r.department || linked.has(r.user_id)) continue;
    const n = perDept.get(r.department) ?? 0;
    if (n >= COLLEAGUES_PER_DEPARTMENT) continue;
    perDept.set(r.department, n + 1);
    await accounts.upsert({
      username: usernameOf(r, taken),
      // Nobody signs in as a colleague unless an administrator sets a password.
      password: randomBytes(18).toString('base64url'),
      role: 'clinician',
      clinician_id: r.user_id,
      groups: [],
    });
    made++;
  }
  return made;
}

/** Goals: every state of §1 and every computed status, dated from the data. */
async function seedGoals(
  store: Store,
  o: DemoProgramOptions,
  options: MetricOptions,
  tz: string,
  roster: ReadonlyMap<string, RosterClinician>,
  everyone: readonly ProgramActor[],
  demo: readonly DemoAccount[],
  summary: DemoProgramSummary,
): Promise<void> {
  const today = localDateOf(o.now.getTime(), tz);
  const first = mondayOnOrBefore(o.span.from);
  const end = mondayOnOrBefore(today);
  const weeks = daysBetween(first, end) / 7;
  if (weeks < DEMO_PROGRAM_MIN_WEEKS) return;
  const mondays = weekStarts(first, end);
  const rows = await clinicianMetrics(
    store,
    parseRequest({ from: first, to: end, period: 'week', options }),
  );
  const key = Pseudonymizer.load(o.keyFile).derivedKey('goal-votes');
  const wk = (i: number) => addDays(first, 7 * i);
  const G = Math.max(
    2,
    Math.min(weeks - 8, daysBetween(first, mondayOnOrBefore(o.span.goLive.date)) / 7),
  );
  const voters = (gr: Group) => everyone.filter((a) => isGoalVoter(a, gr));
  const printed = new Set(demo.filter((a) => a.role !== 'admin').map((a) => a.username));
  const threshold = (await readSettings(store)).suppression_threshold;
  const rosterSize = (gr: Group) =>
    [...roster.values()].filter((c) => gr.group_by === 'org' || c[gr.group_by] === gr.group_value)
      .length;

  // Who proposes: the leader for the groups they serve, else a clinician of the group.
  const leader = demo.find((a) => a.role === 'leader');
  const proposerFor = (gr: Group): ProgramActor => {
    if (leader && leader.groups.some((x) => x.by === gr.group_by && x.value === gr.group_value))
      return everyone.find((a) => a.username === leader.username)!;
    const v = voters(gr).filter((a) => !printed.has(a.username));
    return v[0] ?? voters(gr)[0] ?? everyone.find((a) => a.role === 'admin')!;
  };

  // Candidate groups: departments, specialties, the organisation — large enough to be shown
  // to everyone (the suppression threshold) and to reach the quorum with their own votes.
  const deps = [...new Set([...roster.values()].map((c) => c.department))].filter(
    (d): d is string => d !== null,
  );
  const specs = [...new Set([...roster.values()].map((c) => c.specialty))].filter(
    (d): d is string => d !== null,
  );
  const goLiveDeps = o.span.goLive.departments.filter((d) => deps.includes(d));
  const all: Group[] = [
    ...goLiveDeps.map((v) => ({ group_by: 'department' as const, group_value: v })),
    ...deps
      .filter((d) => !goLiveDeps.includes(d))
      .map((v) => ({ group_by: 'department' as const, group_value: v })),
    ...specs.map((v) => ({ group_by: 'specialty' as const, group_value: v })),
    { group_by: 'org', group_value: ORG_GROUP_VALUE },
  ];
  const candidates = all.filter((gr) => rosterSize(gr) >= threshold && voters(gr).length >= 5);
  const used = new Set<string>();
  const seriesCache = new Map<string, WeeklyValue[]>();
  const seriesOf = (gr: Group, m: PerClinicianMetric) => {
    const k = `${gr.group_by}\u0000${gr.group_value}\u0000${m}`;
    let s = seriesCache.get(k);
    if (!s) seriesCache.set(k, (s = weeklySeries(rows, roster, gr, m, mondays)));
    return s;
  };

  interface Planned {
    group: Group;
    metric: PerClinicianMetric;
    tool?: string;
    target: number;
    proposedAt: Date;
    targetDate: string;
    intended: string;
    votes: 'adopt' | 'reject' | 'open' | 'closing' | 'withdraw';
    comments?: string[];
  }
  const plans: Planned[] = [];

  /** Wednesday 14:00 of week i: when a goal is proposed (the vote closes two weeks later). */
  const proposedIn = (i: number) => localAt(tz, addDays(wk(i), 2), 14);
  const timing = (at: Date, targetDate: string): TrackedTiming => ({
    proposedOn: localDateOf(at.getTime(), tz),
    adoptedOn: localDateOf(at.getTime() + 14 * 86_400_000, tz),
    targetDate,
  });

  /** The first candidate (group, metric) that gives `want`, strictly if any does. */
  const pick = (
    want: GoalStatus,
    at: Date,
    targetDate: string,
    groups: readonly Group[],
    metrics: readonly PerClinicianMetric[],
  ) => {
    for (const strict of [true, false])
      for (const gr of groups)
        for (const m of metrics) {
          const k = `${gr.group_by}\u0000${gr.group_value}\u0000${m}`;
          if (used.has(k)) continue;
          const r = targetFor(want, seriesOf(gr, m), timing(at, targetDate), today, strict);
          if (r) {
            used.add(k);
            return { group: gr, metric: m, target: r.target };
          }
        }
    return null;
  };

  // Met, after the go-live: the go-live tool's target metric in a go-live department, proposed
  // two weeks before the go-live, judged on four weeks after it.
  const tool = await getTool(store, o.span.goLive.tool).catch(() => null);
  const toolMetric = (METRICS as readonly string[]).includes(tool?.target_metric ?? '')
    ? (tool!.target_metric as PerClinicianMetric)
    : 'note_time8';
  {
    const at = proposedIn(G - 2);
    const targetDate = addDays(wk(G + 5), 4);
    const live = candidates.filter(
      (c) => c.group_by === 'department' && goLiveDeps.includes(c.group_value),
    );
    const p = pick('met', at, targetDate, live, [toolMetric]);
    if (p)
      plans.push({
        ...p,
        ...(tool ? { tool: tool.name } : {}),
        proposedAt: at,
        targetDate,
        intended: 'met',
        votes: 'adopt',
        comments: [
          'The ambient drafts should help most with the note itself. Worth a try.',
          'Can we look at this again a month after go-live, not before? The first weeks will be rough.',
        ],
      });
  }
  // Not met: In Basket time in a department without the tool.
  {
    const at = proposedIn(G - 2);
    const targetDate = addDays(wk(G + 6), 4);
    const others = candidates.filter(
      (c) => c.group_by === 'department' && !goLiveDeps.includes(c.group_value),
    );
    const p = pick('not_met', at, targetDate, [...others, ...candidates], ['ib_time8', 'wow8']);
    if (p) plans.push({ ...p, proposedAt: at, targetDate, intended: 'not_met', votes: 'adopt' });
  }
  // Tracked: adopted six whole weeks ago, due eight weeks from now.
  for (const want of ['at_risk', 'on_track', 'off_track', 'achieved'] as const) {
    const at = proposedIn(weeks - 9);
    const targetDate = addDays(mondayOnOrBefore(today), 7 * 8 + 4);
    const p = pick(want, at, targetDate, candidates, METRICS);
    if (p)
      plans.push({
        ...p,
        proposedAt: at,
        targetDate,
        intended: want,
        votes: 'adopt',
        ...(want === 'at_risk'
          ? {
              comments: [
                'Pooling results to the MAs started late in our pods; give it a few more weeks.',
              ],
            }
          : {}),
      });
  }
  // The rest need no particular numbers: a target clearly the goal's way from the baseline.
  const simple = (
    intended: string,
    gr: Group,
    metric: PerClinicianMetric,
    at: Date,
    targetDate: string,
    votes: Planned['votes'],
    comments?: string[],
  ) => {
    const b = goalBaseline(seriesOf(gr, metric), localDateOf(at.getTime(), tz), 8);
    if (!b) return;
    const target = Number((b.mean - Math.max(1.5 * noiseGap(b.noise), 0.08 * b.mean)).toFixed(2));
    plans.push({
      group: gr,
      metric,
      target,
      proposedAt: at,
      targetDate,
      intended,
      votes,
      ...(comments ? { comments } : {}),
    });
  };
  const orgGroup: Group = { group_by: 'org', group_value: ORG_GROUP_VALUE };
  const firstDept = candidates[0] ?? orgGroup;
  const champion = demo.find((a) => a.role === 'champion');
  const champDept =
    candidates.find(
      (c) => c.group_by === 'department' && c.group_value === champion?.groups[0]?.value,
    ) ??
    candidates[1] ??
    orgGroup;
  simple(
    'too_early',
    champDept,
    'wow8',
    proposedIn(weeks - 4),
    addDays(wk(weeks + 10), 4),
    'adopt',
  );
  simple(
    'not_adopted',
    candidates[1] ?? orgGroup,
    'pres_time8',
    proposedIn(weeks - 7),
    addDays(wk(weeks + 6), 4),
    'reject',
    ['Prescribing is not where our time goes; the In Basket is.'],
  );
  simple(
    'withdrawn',
    orgGroup,
    'ehr_time8',
    proposedIn(weeks - 6),
    addDays(wk(weeks + 12), 4),
    'withdraw',
    [
      'An organisation-wide target hides the differences between clinics. I will propose it per department instead.',
    ],
  );
  // Open votes, so "Goals for your group" shows them: one in the first clinician's department,
  // one for the whole organisation; the printed accounts have not voted yet. The department's
  // vote closes 30 minutes after the demo starts, one vote short of the quorum: a printed
  // clinician's vote decides it, and the goal is seen adopted (and `too_early`) within the
  // session, as the default 14-day window would not allow.
  const closingSoon = new Date(o.now.getTime() - 14 * 86_400_000 + 30 * 60_000);
  simple('voting', firstDept, 'ib_time8', closingSoon, addDays(wk(weeks + 10), 4), 'closing', [
    'Would the pooled results go to the MAs of each pod or to one shared pool?',
  ]);
  simple(
    'voting',
    orgGroup,
    'wow8',
    localAt(tz, addDays(today, -2), 16, 40),
    addDays(wk(weeks + 14), 4),
    'open',
  );

  // Carry them out, in the order they happened.
  plans.sort((a, b) => a.proposedAt.getTime() - b.proposedAt.getTime());
  const made: { row: GoalRow; plan: Planned }[] = [];
  for (const p of plans) {
    const proposer = proposerFor(p.group);
    const b = goalBaseline(seriesOf(p.group, p.metric), localDateOf(p.proposedAt.getTime(), tz), 8);
    const text = goalText(
      p.metric,
      p.group.group_by === 'org' ? 'the whole organisation' : p.group.group_value,
      b?.mean ?? p.target,
      p.target,
      p.targetDate,
    );
    const row = await proposeGoal(
      store,
      proposer,
      {
        metric: p.metric,
        ...(p.tool ? { tool: p.tool } : {}),
        group_by: p.group.group_by,
        group_value: p.group.group_value,
        direction: 'decrease',
        target: p.target,
        target_date: p.targetDate,
        title: text.title,
        rationale: text.rationale,
      },
      { timezone: tz, now: p.proposedAt, baseline: b },
    );
    // The proposer votes first when they may; then the group's other members.
    const others = voters(p.group).filter((a) => a.username !== proposer.username);
    const vs = isGoalVoter(proposer, p.group) ? [proposer, ...others] : others;
    // Comments in the first days, by the group's members.
    for (const [i, c] of (p.comments ?? []).entries()) {
      const by = others[i] ?? proposer;
      await addGoalComment(
        store,
        by,
        row.id,
        c,
        new Date(p.proposedAt.getTime() + (i + 1) * 20 * 3_600_000),
      );
    }
    const choices: VoteChoice[] =
      p.votes === 'adopt'
        ? ['support', 'support', 'support', 'oppose', 'abstain', 'support', 'support']
        : p.votes === 'reject'
          ? ['support', 'oppose', 'oppose', 'abstain', 'oppose', 'support', 'oppose']
          : p.votes === 'open'
            ? ['support', 'support', 'oppose']
            : p.votes === 'closing'
              ? ['support', 'support', 'oppose', 'support']
              : ['support', 'oppose'];
    // The printed accounts keep their vote on open goals (to try one-click voting).
    const open = p.votes === 'open' || p.votes === 'closing';
    const casting = (open ? vs.filter((a) => !printed.has(a.username)) : vs).slice(
      0,
      choices.length,
    );
    for (const [i, a] of casting.entries())
      await castGoalVote(
        store,
        key,
        a,
        row.id,
        choices[i]!,
        new Date(p.proposedAt.getTime() + (i + 2) * 7 * 3_600_000),
      );
    if (p.votes === 'withdraw')
      await withdrawGoal(
        store,
        proposer,
        row.id,
        new Date(p.proposedAt.getTime() + 3 * 86_400_000),
      );
    made.push({ row, plan: p });
  }
  // Settle each vote at its close (the proposer's notice is dated then).
  const due = made
    .filter((m) => m.plan.votes === 'adopt' || m.plan.votes === 'reject')
    .map((m) => new Date(m.row.closes_at))
    .sort((a, b) => a.getTime() - b.getTime());
  for (const at of due) await settleDueGoals(store, everyone, at);
  // A word after the adoption on the goal at risk.
  const risky = made.find((m) => m.plan.intended === 'at_risk');
  if (risky) {
    const by = voters(risky.plan.group)[0];
    if (by)
      await addGoalComment(
        store,
        by,
        risky.row.id,
        'Down a little, but not fast enough for the date. Should we ask IT for the result pools first?',
        new Date(o.now.getTime() - 4 * 86_400_000),
      );
  }
  for (const m of made) {
    const [r] = await store.all<{ state: GoalRow['state'] }>(
      `SELECT state FROM goals WHERE id = $1`,
      [m.row.id],
    );
    summary.goals.push({
      id: m.row.id,
      title: m.row.title,
      state: r!.state,
      intended: m.plan.intended,
    });
  }
}

/** One thing that happens to a demo feedback item, at its instant. */
type Step =
  | { at: Date; by: ProgramActor; change: Omit<FeedbackChange, 'public'> & { public?: boolean } }
  | { at: Date; by: ProgramActor; vote: true }
  | { at: Date; by: ProgramActor; subscribe: true }
  | { at: Date; by: ProgramActor; rate: FeedbackRating }
  | { at: Date; by: ProgramActor; merge: number; note: string };

interface DemoItem {
  at: Date;
  author: ProgramActor;
  input: FeedbackInput;
  steps: Step[];
}

/** Feedback to IT: every state, kind and priority, with history, votes, ratings and notices. */
async function seedFeedback(
  store: Store,
  o: DemoProgramOptions,
  tz: string,
  roster: ReadonlyMap<string, RosterClinician>,
  everyone: readonly ProgramActor[],
  actor: (username: string) => ProgramActor,
  demoOf: (role: DemoAccount['role'], n?: number) => DemoAccount | undefined,
  clinicians: readonly DemoAccount[],
  summary: DemoProgramSummary,
): Promise<void> {
  const today = localDateOf(o.now.getTime(), tz);
  /** `daysAgo` days before the demo's today, at hh:mm local (today is a Tuesday: 4 = Friday). */
  const t = (daysAgo: number, hh: number, mm = 0) => localAt(tz, addDays(today, -daysAgo), hh, mm);
  const it = actor(demoOf('it')?.username ?? demoOf('admin')!.username);
  const admin = actor(demoOf('admin')!.username);
  const c1 = clinicians[0] ? actor(clinicians[0].username) : null;
  const c2 = clinicians[1] ? actor(clinicians[1].username) : null;
  const champion = demoOf('champion') ? actor(demoOf('champion')!.username) : null;
  if (!c1 || !c2) return;
  const printed = new Set([c1.username, c2.username, champion?.username]);
  const d1 = c1.clinician?.department ?? null;
  const d3 = c2.clinician?.department ?? null;
  const d2 = o.span.goLive.departments.find((d) => d !== d1) ?? d1;
  const depts = [...new Set([...roster.values()].map((c) => c.department))].filter(
    (d): d is string => d !== null && d !== d1 && d !== d2 && d !== d3,
  );
  const members = (dept: string | null) =>
    everyone.filter(
      (a) => a.role === 'clinician' && a.clinician?.department === dept && !printed.has(a.username),
    );
  /** The i-th colleague of a department (cycling), else the first clinician of the demo. */
  const col = (dept: string | null | undefined, i: number): ProgramActor => {
    const m = members(dept ?? null);
    return m.length ? m[i % m.length]! : c1;
  };
  const [d4a, d4b, d4c] = [depts[0] ?? d3, depts[1] ?? depts[0] ?? d3, depts[2] ?? depts[0] ?? d3];
  const tool = o.span.goLive.tool;
  const [hasTool] = await store.all(`SELECT 1 AS x FROM tools WHERE name = $1`, [tool]);
  const toolLink = hasTool ? { tool } : {};

  const items: DemoItem[] = [
    {
      at: t(1, 16, 20),
      author: col(d2, 0),
      input: {
        kind: 'problem',
        visibility: 'unit',
        links: { ...toolLink, page: 'Ambient note draft' },
        text: 'Since Monday’s update the ambient draft sometimes opens on the previous encounter when I move quickly between rooms. I catch it before signing, but it costs a minute each time and I worry someone will not.',
      },
      steps: [
        { at: t(1, 17, 5), by: col(d2, 1), vote: true },
        { at: t(0, 8, 5), by: col(d2, 2), vote: true },
      ],
    },
    {
      at: t(0, 8, 50),
      author: c1,
      input: {
        kind: 'question',
        visibility: 'private',
        links: { page: '#/me' },
        text: 'Can I see my own after-hours time week by week, the way the department page shows it? I would like to know whether the Friday admin half-day is helping.',
      },
      steps: [
        {
          at: t(0, 9, 40),
          by: it,
          change: {
            note: 'Not per week on My report yet: a weekly view is planned, and we have added your request to it. Meanwhile the Trends tab shows it by month.',
            public: true,
          },
        },
      ],
    },
    {
      at: t(4, 14, 5),
      author: col(d3, 0),
      input: {
        kind: 'problem',
        visibility: 'unit',
        text: 'After-visit summaries fail to print at the check-out printers of pods 3 and 4. The front desk is handwriting the instructions.',
      },
      steps: [
        { at: t(4, 15, 0), by: col(d3, 1), vote: true },
        {
          at: t(1, 10, 20),
          by: it,
          change: {
            to: 'triaged',
            priority: 'urgent',
            assignee: it.username,
            note: 'Sorry for the wait over the weekend. We reproduced it: the print queue of pods 3–4 lost its mapping in Friday’s update. A fix is under way.',
            public: true,
          },
        },
        ...(champion ? [{ at: t(1, 11, 0), by: champion, subscribe: true as const }] : []),
      ],
    },
    {
      at: t(1, 9, 10),
      author: col(d4a, 0),
      input: {
        kind: 'problem',
        visibility: 'private',
        text: 'The order set still offers the retired lipid panel; I have to search for the new one every time.',
      },
      steps: [
        {
          at: t(1, 9, 55),
          by: it,
          change: {
            to: 'triaged',
            priority: 'high',
            assignee: it.username,
            note: 'Confirmed: the order set points to a retired code. It will be corrected in this week’s build.',
          },
        },
      ],
    },
    {
      at: t(6, 13, 15),
      author: c2,
      input: {
        kind: 'idea',
        visibility: 'unit',
        links: { page: 'In Basket' },
        text: 'Could refill requests sort to the top of the In Basket on Monday mornings? Weekend refills end up under the result notes, and people call before we find them.',
      },
      steps: [
        ...(champion ? [{ at: t(6, 14, 0), by: champion, vote: true as const }] : []),
        { at: t(6, 15, 30), by: col(d3, 1), vote: true },
        {
          at: t(5, 9, 40),
          by: it,
          change: {
            to: 'triaged',
            priority: 'normal',
            note: 'Good idea. We are checking whether the pool rules can sort by message type.',
          },
        },
        { at: t(5, 12, 0), by: col(d3, 2), subscribe: true },
      ],
    },
    {
      at: t(8, 19, 45),
      author: col(d4b, 0),
      input: {
        kind: 'idea',
        visibility: 'private',
        text: 'A darker colour theme for the evening-clinic workstations would be easier on the eyes.',
      },
      steps: [
        {
          at: t(7, 8, 30),
          by: it,
          change: {
            to: 'triaged',
            priority: 'low',
            note: 'Logged for the next review of the display settings; it depends on the vendor’s next release.',
          },
        },
      ],
    },
    {
      at: t(13, 10, 0),
      author: col(d1, 0),
      input: {
        kind: 'idea',
        visibility: 'unit',
        text: 'A SmartPhrase for the standard diabetic foot exam would save retyping it at every diabetes visit.',
      },
      steps: [
        {
          at: t(13, 11, 0),
          by: it,
          change: {
            to: 'triaged',
            priority: 'normal',
            note: 'Thanks — we will draft one with two of you.',
          },
        },
        { at: t(12, 8, 40), by: c1, vote: true },
        { at: t(12, 12, 5), by: col(d1, 1), vote: true },
        {
          at: t(9, 15, 0),
          by: it,
          change: {
            to: 'planned',
            note: 'Scheduled for the next monthly build; we will send you the draft phrase first.',
          },
        },
      ],
    },
    {
      at: t(20, 12, 10),
      author: col(d2, 1),
      input: {
        kind: 'problem',
        visibility: 'unit',
        links: { ...toolLink },
        text: 'Ambient notes mixes up medications with similar-sounding names (hydroxyzine and hydralazine, for one). I have to read every medication line twice.',
      },
      steps: [
        { at: t(20, 13, 0), by: col(d2, 0), vote: true },
        {
          at: t(19, 8, 45),
          by: it,
          change: {
            to: 'triaged',
            priority: 'high',
            assignee: it.username,
            note: 'Thank you — this matters. We have raised it with the vendor as a safety issue.',
          },
        },
        { at: t(19, 10, 0), by: col(d2, 2), vote: true },
        { at: t(18, 9, 30), by: col(d2, 3), subscribe: true },
        {
          at: t(15, 14, 0),
          by: it,
          change: {
            to: 'in_progress',
            note: 'The vendor has a fix in test; three of you are piloting it this week.',
          },
        },
      ],
    },
    {
      at: t(8, 16, 30),
      author: c1,
      input: {
        kind: 'question',
        visibility: 'private',
        links: { page: 'In Basket' },
        text: 'Results for a clinician who left last month still land in my In Basket. How do I get them reassigned?',
      },
      steps: [
        {
          at: t(7, 9, 15),
          by: it,
          change: { to: 'triaged', priority: 'normal', assignee: it.username },
        },
        {
          at: t(7, 9, 20),
          by: it,
          change: {
            to: 'waiting',
            note: 'Do you see them in your own In Basket or in the department’s pool? A screenshot of the folder list, without any patient names, would help.',
          },
        },
      ],
    },
    {
      at: t(27, 11, 0),
      author: col(d1, 1),
      input: {
        kind: 'problem',
        visibility: 'unit',
        links: {
          ...toolLink,
          metric: 'note_time8',
          ...(d1 ? { department: d1 } : {}),
        },
        text: 'The follow-up template drops the physical exam section when I switch from the ambient draft to the manual editor.',
      },
      steps: [
        { at: t(27, 12, 0), by: c1, vote: true },
        {
          at: t(27, 13, 30),
          by: it,
          change: {
            to: 'triaged',
            priority: 'high',
            note: 'We see it too and are looking into it.',
          },
        },
        {
          at: t(26, 10, 0),
          by: it,
          change: {
            to: 'waiting',
            note: 'Which template do you start from, and do you switch before or after the draft is ready?',
          },
        },
        { at: t(26, 11, 0), by: col(d1, 2), vote: true },
        {
          at: t(22, 8, 15),
          by: col(d1, 1),
          change: { note: 'The “Follow-up visit” template, after the draft is ready.' },
        },
        {
          at: t(22, 9, 0),
          by: it,
          change: {
            to: 'in_progress',
            assignee: it.username,
            note: 'Template build ticket opened with the analyst team.',
            public: false,
          },
        },
        {
          at: t(20, 16, 0),
          by: it,
          change: {
            to: 'done',
            note: 'Fixed: the exam section now stays when you switch editors. Thank you for the details.',
          },
        },
        { at: t(19, 9, 0), by: col(d1, 1), rate: 'helped' },
      ],
    },
    {
      at: t(12, 17, 40),
      author: c2,
      input: {
        kind: 'praise',
        visibility: 'unit',
        links: { page: 'In Basket' },
        text: 'The In Basket pooling that started this month saves me half an hour a day. Thank you to whoever set it up.',
      },
      steps: [
        {
          at: t(11, 10, 15),
          by: it,
          change: {
            to: 'done',
            note: 'Thank you! We passed this on to the build team and to the MAs who run the pool.',
          },
        },
        { at: t(11, 12, 0), by: c2, rate: 'helped' },
      ],
    },
    {
      at: t(15, 10, 0),
      author: c2,
      input: {
        kind: 'question',
        visibility: 'private',
        text: 'How do I make the note editor’s font bigger? It is hard to read on the exam-room screens.',
      },
      steps: [
        {
          at: t(15, 11, 5),
          by: it,
          change: {
            to: 'done',
            note: 'Preferences → Note editor → Font size. It follows you to every workstation.',
          },
        },
        { at: t(15, 13, 0), by: c2, rate: 'helped' },
      ],
    },
    {
      at: t(18, 12, 30),
      author: col(d4c, 0),
      input: {
        kind: 'idea',
        visibility: 'unit',
        text: 'Please let us sign notes from the phone app between cases.',
      },
      steps: [
        { at: t(18, 13, 0), by: col(d4c, 1), vote: true },
        {
          at: t(15, 9, 0),
          by: it,
          change: {
            to: 'triaged',
            priority: 'low',
            note: 'Thanks — we will check what the security policy allows.',
          },
        },
        {
          at: t(10, 14, 0),
          by: admin,
          change: {
            to: 'declined',
            note: 'We cannot enable signing on phones: the security policy requires a managed workstation to sign. You can pend from the phone and sign at the desk in one click.',
          },
        },
        { at: t(9, 8, 0), by: col(d4c, 0), rate: 'did_not_help' },
      ],
    },
    {
      at: t(3, 9, 30),
      author: col(d3, 1),
      input: {
        kind: 'problem',
        visibility: 'unit',
        links: { page: 'In Basket' },
        text: 'Weekend refill requests bury the result notes on Monday morning; I spent an hour sorting them.',
      },
      steps: [
        { at: t(3, 11, 0), by: col(d3, 2), vote: true },
        {
          at: t(1, 14, 0),
          by: it,
          merge: 4,
          note: 'This is the same request as an earlier one from your unit; we merged them so that you hear about it there.',
        },
      ],
    },
    {
      at: t(14, 14, 20),
      author: c1,
      input: {
        kind: 'problem',
        visibility: 'unit',
        links: { ...toolLink },
        text: 'The “Sign and close” button is hidden when the ambient panel is open on a laptop screen; I have to close the panel to finish the visit.',
      },
      steps: [
        { at: t(14, 15, 0), by: col(d1, 0), vote: true },
        {
          at: t(13, 8, 40),
          by: it,
          change: {
            to: 'triaged',
            priority: 'normal',
            note: 'Thanks — we can reproduce it on smaller screens.',
          },
        },
        { at: t(12, 10, 0), by: it, change: { to: 'in_progress', assignee: it.username } },
        {
          at: t(6, 15, 30),
          by: it,
          change: {
            to: 'done',
            note: 'The panel now collapses on narrow screens. Please try again and tell us whether it helps.',
          },
        },
        { at: t(1, 8, 20), by: c1, rate: 'did_not_help' },
        {
          at: t(1, 11, 0),
          by: it,
          change: {
            note: 'Sorry — we still see it on 13-inch laptops at 125% zoom. We are looking again.',
          },
        },
      ],
    },
    {
      at: t(5, 12, 10),
      author: col(d4a, 1),
      input: {
        kind: 'praise',
        visibility: 'private',
        text: 'The go-live support team on the floor last week was excellent: quick, patient, and they knew our workflow.',
      },
      steps: [],
    },
    {
      at: t(34, 9, 0),
      author: col(d2, 2),
      input: {
        kind: 'problem',
        visibility: 'private',
        text: 'The medication reconciliation screen times out while I am still reviewing the list, and I lose my place.',
      },
      steps: [
        {
          at: t(29, 10, 0),
          by: admin,
          change: {
            to: 'triaged',
            priority: 'normal',
            note: 'Sorry for the slow reply. We have lengthened the time-out of that screen in test.',
          },
        },
        {
          at: t(25, 11, 0),
          by: it,
          change: {
            to: 'done',
            note: 'The time-out is now 20 minutes on the reconciliation screen. Thanks for reporting it.',
          },
        },
        { at: t(25, 14, 0), by: col(d2, 2), rate: 'helped' },
      ],
    },
    {
      at: t(22, 11, 0),
      author: col(d1, 2),
      input: {
        kind: 'question',
        visibility: 'unit',
        text: 'Is there a quick way to bring last visit’s plan into today’s note without the whole note coming along?',
      },
      steps: [
        {
          at: t(22, 13, 0),
          by: it,
          change: {
            to: 'done',
            note: 'Yes: type .LASTPLAN — it brings only the assessment and plan. We added it to the tip sheet.',
          },
        },
      ],
    },
  ];

  // Everything in the order it happened (a merge touches its original's history too).
  type Action = { at: Date; item: number; step: Step | null };
  const actions: Action[] = items.flatMap((it, i) => [
    { at: it.at, item: i, step: null },
    ...it.steps.map((s) => ({ at: s.at, item: i, step: s })),
  ]);
  actions.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.step ? 1 : 0) - (b.step ? 1 : 0));
  const ids: string[] = [];
  const voted = new Set<string>();
  for (const { at, item, step } of actions) {
    if (at.getTime() >= o.now.getTime()) continue;
    const def = items[item]!;
    if (!step) {
      ids[item] = (await createFeedback(store, def.author, def.input, at)).id;
      continue;
    }
    const id = ids[item]!;
    if ('change' in step)
      await changeFeedback(store, step.by, id, { public: true, ...step.change }, at);
    else if ('rate' in step) await rateFeedback(store, step.by, id, step.rate, at);
    else if ('merge' in step)
      await changeFeedback(
        store,
        step.by,
        id,
        { to: 'duplicate', duplicate_of: ids[step.merge]!, note: step.note, public: true },
        at,
      );
    else if ('vote' in step) {
      // "Me too" once per person, never on one's own item.
      const k = `${id}\u0000${step.by.username}`;
      if (step.by.username === def.author.username || voted.has(k)) continue;
      voted.add(k);
      await voteFeedback(store, step.by, id, at);
    } else await subscribeFeedback(store, step.by, id, true, at);
  }
  // Notices older than four days were read the morning they were four days old; the newer
  // ones are unread, so the bell shows a count.
  const cutoff = t(4, 8, 0);
  const old = await store.all<{ id: string; username: string }>(
    `SELECT id, username FROM notices WHERE read_at IS NULL AND created_at < CAST($1 AS TIMESTAMPTZ)`,
    [cutoff.toISOString()],
  );
  const byUser = new Map<string, string[]>();
  for (const n of old) byUser.set(n.username, [...(byUser.get(n.username) ?? []), n.id]);
  for (const [u, list] of byUser) await markNoticesRead(store, u, list, cutoff);
  const states = await store.all<{ id: string; state: string; kind: string }>(
    `SELECT id, state, kind FROM feedback_items ORDER BY created_at`,
  );
  summary.feedback.push(...states);
}
