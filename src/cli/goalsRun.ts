/**
 * `uptake goals …`'s work (definitions in `goalsCommand.ts`): the goals of `docs/program.md`
 * §Goals through the functions of `src/program` — the same rules, refusals and computed status as
 * the API (`/api/goals`). Views are the store owner's; `propose`, `vote` and `withdraw` act for the
 * account named by `--as`. Every view and change is written to the access log; a vote's choice
 * never is.
 */
import { localToday } from '../analysis/range.ts';
import { getTool } from '../analysis/tools.ts';
import { addDays, mondayOnOrBefore } from '../analysis/weeks.ts';
import { readSettings, type OrgSettings } from '../admin/orgSettings.ts';
import { UptakeError } from '../errors/UptakeError.ts';
import {
  GOAL_GROUP_BYS,
  GOAL_STATES,
  ORG_GROUP_VALUE,
  VOTE_CHOICES,
  goalProposalSchema,
  isSurveyMetric,
  type GoalGroupBy,
  type GoalProposal,
  type GoalRow,
  type VoteChoice,
  type WeeklyValue,
} from '../model/goal.ts';
import { localDateOf } from '../program/businessHours.ts';
import { checkGoalSurvey } from '../program/checkGoalSurvey.ts';
import { goalBaseline } from '../program/goalBaseline.ts';
import { goalToFhir } from '../program/goalFhir.ts';
import { noiseCheck } from '../program/goalNoise.ts';
import { goalProgress, type GoalProgress } from '../program/goalStatus.ts';
import {
  castGoalVote,
  getGoal,
  listGoalComments,
  listGoals,
  myGoalVote,
  proposeGoal,
  viewGoal,
  withdrawGoal,
  type GoalView,
} from '../program/goalStore.ts';
import { goalVoterCount, mayProposeGoal, mayReadGoal } from '../program/goalVoters.ts';
import { groupHasClinicians } from '../program/programActors.ts';
import { storeGoalSeries } from '../program/storeGoalSeries.ts';
import type { Store } from '../store/Store.ts';
import { renderReport, renderTable, type OutputFormat } from './format.ts';
import type { StoreFlags } from './options.ts';
import { CliLog, actorAs, choicesOf, everyone, settle, voteKey } from './programContext.ts';
import { withStore } from './withStore.ts';

export type GoalsListFlags = StoreFlags & { group?: string; state?: string; format: OutputFormat };
export type GoalsShowFlags = StoreFlags & { format: 'table' | 'json' | 'fhir' };
export type GoalsProposeFlags = StoreFlags & {
  as: string;
  group: string;
  metric: string;
  direction: string;
  target: string;
  targetDate: string;
  title: string;
  rationale?: string;
  tool?: string;
  survey?: string;
  baselineWeeks?: string;
  yes?: boolean;
};
export type GoalsActFlags = StoreFlags & { as: string };

/** `department:Cardiology` (or `org`) → the goal's group; BAD_INVOCATION naming `--group` else. */
export function parseGoalGroup(v: string): { group_by: GoalGroupBy; group_value: string } {
  const i = v.indexOf(':');
  const by = i < 0 ? v : v.slice(0, i);
  const value = i < 0 ? '' : v.slice(i + 1);
  if (by === 'org' && (value === '' || value === ORG_GROUP_VALUE))
    return { group_by: 'org', group_value: ORG_GROUP_VALUE };
  if (!(GOAL_GROUP_BYS as readonly string[]).includes(by) || by === 'org' || value.trim() === '')
    throw new UptakeError(
      'BAD_INVOCATION',
      `--group ${v}: write BY:VALUE with BY one of department, specialty, role (e.g. department:Cardiology), or org for the whole organisation`,
    );
  return { group_by: by as GoalGroupBy, group_value: value };
}

/** A goal's id as given; NOT_FOUND (exit 1) when there is none. */
async function goalOrThrow(store: Store, id: string): Promise<GoalRow> {
  const g = await getGoal(store, id);
  if (!g) throw new UptakeError('NOT_FOUND', `goal ${id}: no such goal; see uptake goals list`);
  return g;
}

interface Tracked {
  series: WeeklyValue[];
  progress: GoalProgress | null;
}

/** The goal's weekly series from its baseline to the last whole week, and, adopted, its status. */
async function tracked(store: Store, st: OrgSettings, g: GoalRow, now: Date): Promise<Tracked> {
  const tz = st.timezone;
  const proposed = localDateOf(Date.parse(g.created_at), tz);
  const today = localToday(tz, now);
  const from = addDays(mondayOnOrBefore(proposed), -7 * g.baseline_weeks);
  const end = mondayOnOrBefore(today);
  const last = addDays(mondayOnOrBefore(g.target_date), 7);
  const series = await storeGoalSeries(
    store,
    st.options,
    g,
    { from, to: end < last ? end : last },
    st.suppression_threshold,
  );
  const progress =
    g.state === 'adopted' && g.decided_at
      ? goalProgress(
          {
            direction: g.direction,
            target: g.target,
            target_date: g.target_date,
            baseline_weeks: g.baseline_weeks,
            proposed_on: proposed,
            adopted_on: localDateOf(Date.parse(g.decided_at), tz),
          },
          series,
          today,
        )
      : null;
  return { series, progress };
}

/** A goal as listed: the row, its counts, the noise flag and the computed status. */
type Listed = GoalView & { status: GoalProgress['status'] | null };

const LIST_FIELDS = [
  'id',
  'created_at',
  'proposer',
  'title',
  'group_by',
  'group_value',
  'metric',
  'tool',
  'direction',
  'target',
  'target_date',
  'state',
  'status',
  'closes_at',
  'support',
  'oppose',
  'abstain',
  'baseline',
  'baseline_low',
  'baseline_high',
  'noise',
  'within_noise',
] as const;
const TABLE_FIELDS = [
  'id',
  'state',
  'status',
  'group',
  'metric',
  'direction',
  'target',
  'target_date',
  'baseline',
  'support',
  'oppose',
  'abstain',
  'title',
] as const;

function flat(v: Listed): Record<(typeof LIST_FIELDS)[number] | 'group', unknown> {
  return {
    ...v,
    support: v.tally.support,
    oppose: v.tally.oppose,
    abstain: v.tally.abstain,
    group: v.group_by === 'org' ? 'org' : `${v.group_by}:${v.group_value}`,
  };
}

/** `uptake goals list`. */
export async function listGoalsCli(flags: GoalsListFlags): Promise<void> {
  const group = flags.group === undefined ? undefined : parseGoalGroup(flags.group);
  const states = choicesOf('--state', flags.state, GOAL_STATES);
  const now = new Date();
  const out = await withStore(flags, async (store) => {
    const log = new CliLog(store, null, now);
    return log.run(
      'view',
      'goals',
      async () => {
        await settle(store, now);
        const st = await readSettings(store);
        const rows: Listed[] = [];
        for (const g of await listGoals(store, {
          ...(group ?? {}),
          ...(states ? { states } : {}),
        })) {
          const { progress } =
            g.state === 'adopted' ? await tracked(store, st, g, now) : { progress: null };
          rows.push({ ...(await viewGoal(store, g)), status: progress?.status ?? null });
        }
        return rows;
      },
      (rows) => `${rows.length} goals`,
    );
  });
  const options = {
    group: group ? `${group.group_by}:${group.group_value}` : null,
    states: states ?? null,
    as_of: now.toISOString(),
  };
  const fields = flags.format === 'table' ? TABLE_FIELDS : LIST_FIELDS;
  process.stdout.write(renderReport(flags.format, options, out.map(flat), fields));
}

/** A value for people: four significant digits, without trailing zeros. */
const num = (x: number | null | undefined) =>
  x === null || x === undefined ? '—' : String(Number(x.toPrecision(4)));

/** `uptake goals show ID`. */
export async function showGoalCli(id: string, flags: GoalsShowFlags): Promise<void> {
  const now = new Date();
  const text = await withStore(flags, async (store) => {
    const log = new CliLog(store, null, now);
    return log.run(
      'view',
      flags.format === 'fhir' ? `goals/${id}/fhir` : `goals/${id}`,
      async () => {
        await settle(store, now);
        const st = await readSettings(store);
        const g = await goalOrThrow(store, id);
        if (flags.format === 'fhir') {
          // Only an adopted goal has a status to compute.
          const { progress } =
            g.state === 'adopted' ? await tracked(store, st, g, now) : { progress: null };
          return (
            JSON.stringify(
              goalToFhir(g, progress?.status ?? null, st.timezone, localToday(st.timezone, now)),
              null,
              2,
            ) + '\n'
          );
        }
        const { series, progress } = await tracked(store, st, g, now);
        const view = await viewGoal(store, g);
        const noise =
          g.baseline !== null && g.noise !== null
            ? noiseCheck({ mean: g.baseline, noise: g.noise }, g.target, g.direction)
            : null;
        const comments = await listGoalComments(store, g.id);
        if (flags.format === 'json')
          return (
            JSON.stringify(
              {
                goal: { ...view, status: progress?.status ?? null },
                noise,
                series,
                progress,
                comments,
              },
              null,
              2,
            ) + '\n'
          );
        return describeGoal(view, progress, series, noise, comments.length) + '\n';
      },
    );
  });
  process.stdout.write(text);
}

/** A goal in words for `--format table`. */
function describeGoal(
  g: GoalView,
  p: GoalProgress | null,
  series: WeeklyValue[],
  noise: ReturnType<typeof noiseCheck> | null,
  comments: number,
): string {
  const group = g.group_by === 'org' ? 'the organisation' : `${g.group_by} ${g.group_value}`;
  const lines = [
    `goal ${g.id}: ${g.title}`,
    `  ${group}: ${g.direction} ${g.metric}${g.tool ? ` (tool ${g.tool})` : ''}${g.survey ? ` (survey ${g.survey})` : ''} to ${num(g.target)} by ${g.target_date}`,
    `  proposed by ${g.proposer} on ${g.created_at}; rationale: ${g.rationale}`,
    `  state ${g.state}${g.state === 'voting' ? ` until ${g.closes_at}` : ''}; votes: support ${g.tally.support}, oppose ${g.tally.oppose}, abstain ${g.tally.abstain} (who voted how is not kept)`,
    g.baseline === null
      ? '  baseline: none (fewer than two weeks with values before the proposal)'
      : `  baseline ${num(g.baseline)} (95% CI ${num(g.baseline_low)} to ${num(g.baseline_high)}; noise ${num(g.noise)}, ${g.baseline_n} weeks)`,
  ];
  if (noise?.within_noise)
    lines.push(
      `  warning: the target cannot be told from week-to-week variation (a change under ${num(noise.smallest_change)})`,
    );
  if (p) {
    lines.push(
      `  status ${p.status}${p.reason ? ` (${p.reason})` : ''}; current ${num(p.current)}, progress ${p.progress === null ? '—' : `${(p.progress * 100).toFixed(0)}%`}`,
    );
    if (p.projection)
      lines.push(
        `  projection at ${p.projection.week_start}: ${num(p.projection.value)} (95% prediction interval ${num(p.projection.pi95[0])} to ${num(p.projection.pi95[1])})`,
      );
  }
  lines.push(`  comments: ${comments}`, '', 'weekly values:');
  lines.push(
    renderTable(
      series.map((w) => ({ week_start: w.week_start, value: w.value, [behind(g.metric)]: w.n })),
      ['week_start', 'value', behind(g.metric)],
    ),
  );
  return lines.join('\n');
}

/** What a week's `n` counts: a survey score's responses, else clinicians. */
const behind = (m: string) => (isSurveyMetric(m) ? 'responses' : 'clinicians');

/** The command-line flag behind a field of the proposal schema, for messages. */
const FLAG_OF: Record<string, string> = {
  metric: '--metric',
  tool: '--tool',
  survey: '--survey',
  group_by: '--group',
  group_value: '--group',
  direction: '--direction',
  target: '--target',
  target_date: '--target-date',
  baseline_weeks: '--baseline-weeks',
  title: '--title',
  rationale: '--rationale',
};

/** The proposal of the flags, checked with the model's schema (errors name the flag). */
function proposalOf(flags: GoalsProposeFlags): GoalProposal {
  const target = flags.target.trim() === '' ? NaN : Number(flags.target);
  if (!Number.isFinite(target))
    throw new UptakeError(
      'BAD_INVOCATION',
      `--target ${flags.target}: give a number (a value of the metric)`,
    );
  let weeks: number | undefined;
  if (flags.baselineWeeks !== undefined) {
    weeks = Number(flags.baselineWeeks);
    if (!/^\d+$/.test(flags.baselineWeeks))
      throw new UptakeError(
        'BAD_INVOCATION',
        `--baseline-weeks ${flags.baselineWeeks}: give a whole number of weeks (2 to 52)`,
      );
  }
  const r = goalProposalSchema.safeParse({
    metric: flags.metric,
    ...(flags.tool !== undefined ? { tool: flags.tool } : {}),
    ...(flags.survey !== undefined ? { survey: flags.survey } : {}),
    ...parseGoalGroup(flags.group),
    direction: flags.direction,
    target,
    target_date: flags.targetDate,
    ...(weeks !== undefined ? { baseline_weeks: weeks } : {}),
    title: flags.title,
    // The rationale is the proposer's words; without --rationale the title stands for it.
    rationale: flags.rationale ?? flags.title,
  });
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = String(issue?.path[0] ?? '');
    const flag = FLAG_OF[field] ?? field;
    const hint =
      field === 'metric'
        ? ' (a per-clinician metric of uptake metrics, e.g. ehr_time8, adoption.active_share / adoption.habitual_share with --tool, or survey.sus / survey.nps / survey.net with --survey)'
        : field === 'direction'
          ? ' (increase or decrease)'
          : field === 'target_date'
            ? ' (a date YYYY-MM-DD)'
            : '';
    throw new UptakeError('INVALID_INPUT', `${flag}: ${issue?.message ?? 'invalid'}${hint}`);
  }
  return r.data;
}

/** `uptake goals propose`: the preview; with `--yes`, the proposal. */
export async function proposeGoalCli(flags: GoalsProposeFlags): Promise<void> {
  const p = proposalOf(flags);
  const now = new Date();
  const text = await withStore(flags, async (store) => {
    const actor = await actorAs(store, flags.as);
    const log = new CliLog(store, actor, now);
    const st = await readSettings(store);
    const rules = st.goal_rules;
    const weeks = p.baseline_weeks ?? rules.baseline_weeks;
    const group = p.group_by === 'org' ? 'the organisation' : `${p.group_by} ${p.group_value}`;
    // The preview: what the web form shows before submitting (nothing is stored).
    const preview = await log.run(
      'view',
      'goals/preview',
      async () => {
        if (!mayProposeGoal(actor, p))
          throw new UptakeError(
            'FORBIDDEN',
            `--as ${actor.username}: proposes goals only for a group they belong to, not ${group}`,
          );
        if (!(await groupHasClinicians(store, p.group_by, p.group_value)))
          throw new UptakeError(
            'INVALID_INPUT',
            `--group: no clinician of the roster has ${p.group_by} "${p.group_value}"`,
          );
        if (p.tool !== undefined)
          await getTool(store, p.tool).catch((e: unknown) => {
            throw e instanceof UptakeError && e.code === 'NOT_FOUND'
              ? new UptakeError('INVALID_INPUT', `--tool: ${e.message}`)
              : e;
          });
        await checkGoalSurvey(store, actor, p, '--survey');
        const today = localToday(st.timezone, now);
        const to = mondayOnOrBefore(today);
        const series = await storeGoalSeries(
          store,
          st.options,
          { ...p, tool: p.tool ?? null },
          { from: addDays(to, -7 * weeks), to },
          st.suppression_threshold,
        );
        const baseline = goalBaseline(series, today, weeks);
        const noise = baseline ? noiseCheck(baseline, p.target, p.direction) : null;
        const size = goalVoterCount(await everyone(store), p);
        return { series, baseline, noise, size };
      },
      () => group,
    );
    const { series, baseline, noise, size } = preview;
    const closes = new Date(now.getTime() + rules.window_days * 86_400_000);
    const lines = [
      `goal: ${p.title}`,
      `  ${group}: ${p.direction} ${p.metric}${p.tool ? ` (tool ${p.tool})` : ''}${p.survey ? ` (survey ${p.survey})` : ''} to ${num(p.target)} by ${p.target_date}`,
      baseline
        ? `  baseline ${num(baseline.mean)} (95% CI ${num(baseline.ci95[0])} to ${num(baseline.ci95[1])}; noise ${num(baseline.noise)}; ${baseline.n} of the ${weeks} whole weeks before today have values)`
        : `  baseline: none — fewer than two of the ${weeks} whole weeks before today have values`,
      '  weekly values:',
      ...series.map(
        (w) =>
          `    ${w.week_start}  ${w.value === null ? '—' : num(w.value)}  (${w.n} ${behind(p.metric)})`,
      ),
    ];
    if (noise?.within_noise)
      lines.push(
        `  warning: the target cannot be told from week-to-week variation: it is ${num(Math.abs(p.target - baseline!.mean))} from the baseline, less than ${num(noise.smallest_change)}`,
      );
    if (noise && !noise.direction_ok)
      lines.push(
        `  warning: the target does not lie the goal's way: a goal to ${p.direction} needs a target ${p.direction === 'decrease' ? 'below' : 'above'} the baseline`,
      );
    if (size < rules.min_votes)
      lines.push(
        `  warning: only ${size} people may vote on this goal: it needs all ${size} (at least one) to vote`,
      );
    lines.push(
      `  vote: the group's clinicians and champions (${size}), until ${closes.toISOString()}; adopted when at least ${Math.max(1, Math.min(rules.min_votes, size))} vote and support outnumbers opposition`,
    );
    if (!flags.yes) {
      lines.push('not proposed: run the same command with --yes to propose it');
      return lines.join('\n') + '\n';
    }
    const g = await log.run(
      'create',
      'goals',
      () =>
        proposeGoal(
          store,
          actor,
          { ...p, baseline_weeks: weeks },
          {
            timezone: st.timezone,
            now,
            rules: { window_days: rules.window_days, min_votes: rules.min_votes },
            baseline,
          },
        ),
      (row) => `goal ${row.id}, ${group}`,
    );
    lines.push(`proposed goal ${g.id}; the vote closes at ${g.closes_at}`);
    return lines.join('\n') + '\n';
  });
  process.stdout.write(text);
}

/** A goal `actor` may read (as the API: NOT_FOUND for one of a group they do not belong to). */
async function readableGoal(
  store: Store,
  actor: Awaited<ReturnType<typeof actorAs>>,
  id: string,
): Promise<GoalRow> {
  const g = await getGoal(store, id);
  if (!g || !mayReadGoal(actor, g))
    throw new UptakeError(
      'NOT_FOUND',
      `goal ${id}: none that ${actor.username} may read; see uptake goals list`,
    );
  return g;
}

/** `uptake goals vote ID CHOICE --as USER`. */
export async function voteGoalCli(id: string, choice: string, flags: GoalsActFlags): Promise<void> {
  if (!(VOTE_CHOICES as readonly string[]).includes(choice))
    throw new UptakeError(
      'BAD_INVOCATION',
      `vote ${choice}: give one of ${VOTE_CHOICES.join(', ')} after the goal's id`,
    );
  const c = choice as VoteChoice;
  const now = new Date();
  const text = await withStore(flags, async (store) => {
    const actor = await actorAs(store, flags.as);
    const log = new CliLog(store, actor, now);
    return log.run(
      'update',
      `goals/${id}/vote`,
      async () => {
        await settle(store, now);
        await readableGoal(store, actor, id);
        const key = voteKey(store);
        const before = await myGoalVote(store, key, id, actor.username);
        const tally = await castGoalVote(store, key, actor, id, c, now);
        return (
          `${before ? `changed the vote of ${actor.username} (one vote per person)` : `vote of ${actor.username} cast`} on goal ${id}; ` +
          `counts now: support ${tally.support}, oppose ${tally.oppose}, abstain ${tally.abstain}\n`
        );
      },
      // Never the choice: who voted how is kept nowhere.
      () => 'vote cast',
    );
  });
  process.stdout.write(text);
}

/** `uptake goals withdraw ID --as USER`. */
export async function withdrawGoalCli(id: string, flags: GoalsActFlags): Promise<void> {
  const now = new Date();
  const g = await withStore(flags, async (store) => {
    const actor = await actorAs(store, flags.as);
    const log = new CliLog(store, actor, now);
    return log.run(
      'update',
      `goals/${id}`,
      async () => {
        await settle(store, now);
        await readableGoal(store, actor, id);
        return withdrawGoal(store, actor, id, now);
      },
      () => 'withdrawn',
    );
  });
  process.stdout.write(`withdrew goal ${g.id} (${g.title})\n`);
}
