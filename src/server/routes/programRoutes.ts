/**
 * The buy-in program's API (issue #13; rules in `docs/program.md`): goals, feedback to IT and the
 * notices that close the loop. The routes are thin: they build the caller's `ProgramActor` (the
 * account, its role and groups, its roster clinician from the report cache's roster) and call the
 * stores of `src/program`, which decide who may do what — so the API and the CLI refuse alike.
 *
 * - Goals: every signed-in account reads the goals of the groups it belongs to (IT and
 *   administrators: all); their clinicians and champions vote; votes due are settled before any
 *   goal is read. Counts only: who voted how is stored under a keyed hash and shown to nobody.
 *   A group smaller than the suppression threshold shows no numbers (baseline, series, status)
 *   to anyone but administrators.
 * - Feedback: anyone sends; the author, IT and administrators (and a `unit` item's unit) read;
 *   IT and administrators triage. An item the caller may not read is 404, never 403.
 * - Notices: the caller's own; each rendered for them, never with a text they may not read; when
 *   SMTP is configured each is also e-mailed (`Mailer`), with the summary only.
 *
 * Every view and change is written to the access log, refusals too (`onFailure`); a vote's
 * choice never is.
 */
import type { FastifyInstance } from 'fastify';
import { mondayOnOrBefore, addDays } from '../../analysis/weeks.ts';
import { localToday } from '../../analysis/range.ts';
import { getTool, listGoLives } from '../../analysis/tools.ts';
import { UptakeError } from '../../errors/UptakeError.ts';
import { Pseudonymizer } from '../../ingest/pseudonymize.ts';
import { keyFile } from '../../admin/paths.ts';
import { isSurveyMetric, type GoalProposal, type GoalRow } from '../../model/goal.ts';
import type { NoticeRow } from '../../model/feedback.ts';
import type { BusinessCalendar } from '../../model/businessTime.ts';
import { isTriager, type ProgramActor } from '../../program/actor.ts';
import { localDateOf } from '../../program/businessHours.ts';
import { mayReadFeedback, mayVoteFeedback, unitOf } from '../../program/feedbackAccess.ts';
import {
  changeFeedback,
  createFeedback,
  feedbackHistory,
  feedbackItemClocks,
  feedbackListClocks,
  feedbackUnitFigures,
  getFeedback,
  listFeedback,
  rateFeedback,
  renderNotices,
  subscribeFeedback,
  unvoteFeedback,
  voteFeedback,
  youAskedWeDid,
  type FeedbackView,
} from '../../program/feedbackStore.ts';
import { isClosed, nextStates } from '../../program/feedbackTransitions.ts';
import { clockStatus, type FeedbackClock } from '../../program/feedbackClocks.ts';
import type { FeedbackState } from '../../model/feedback.ts';
import { votingOpen } from '../../program/goalAdoption.ts';
import { checkGoalSurvey } from '../../program/checkGoalSurvey.ts';
import { goalBaseline } from '../../program/goalBaseline.ts';
import { goalToFhir } from '../../program/goalFhir.ts';
import { noiseCheck } from '../../program/goalNoise.ts';
import { goalProgress, type GoalProgress } from '../../program/goalStatus.ts';
import {
  addGoalComment,
  castGoalVote,
  getGoal,
  goalsToVoteOn,
  listGoalComments,
  listGoals,
  myGoalVote,
  proposeGoal,
  settleDueGoals,
  viewGoal,
  withdrawGoal,
} from '../../program/goalStore.ts';
import {
  belongsToGroup,
  goalVoterCount,
  isGoalVoter,
  mayProposeGoal,
} from '../../program/goalVoters.ts';
import {
  listNotices,
  markNoticesRead,
  noticesAbout,
  unreadNoticeCount,
} from '../../program/notices.ts';
import { dayClock, localInstant } from '../../synth/tz.ts';
import type { Roster } from '../aggregates.ts';
import type { User } from '../../model/accounts.ts';
import { API } from '../contract.ts';
import { goalWeeklySeries, rosterSize } from '../goalSeries.ts';
import { feedbackEffect } from '../feedbackEffect.ts';
import type { Mailer } from '../mailer.ts';
import type { OrgSettings } from '../../admin/orgSettings.ts';
import { defineRoute, logAccess, type Auth, type Services } from '../routing.ts';
import type { GoalSummary } from '../programSchemas.ts';

export interface ProgramOptions {
  now: () => Date;
  mailer: Mailer;
}

/** The program's view of an account: its role, groups and roster clinician. */
export function programActor(user: User, roster: Roster): ProgramActor {
  const c = user.clinician_id ? roster.get(user.clinician_id) : undefined;
  return {
    username: user.username,
    role: user.role,
    clinician: c ? { department: c.department, specialty: c.specialty, role: c.role } : null,
    groups: user.groups,
  };
}

/** Whether `a` may read a goal: IT and administrators all; others their groups' and their own. */
function maySeeGoal(a: ProgramActor, g: GoalRow): boolean {
  return isTriager(a) || belongsToGroup(a, g) || a.username === g.proposer;
}

/** The instant local `date` begins in `timezone`. */
function startOfLocalDay(date: string, timezone: string): Date {
  return new Date(localInstant(dayClock(timezone, date), 0));
}

/** The refusal's outcome in the access log. */
function failureOf(e: unknown): { outcome: 'denied' | 'failure'; detail: string } {
  const code = e instanceof UptakeError ? e.code : 'INTERNAL';
  return {
    outcome: code === 'FORBIDDEN' || code === 'NOT_FOUND' ? 'denied' : 'failure',
    detail: code,
  };
}

export function programRoutes(app: FastifyInstance, s: Services, o: ProgramOptions): void {
  let voterKey: Buffer | null = null;
  /** The secret of vote tokens, from the pseudonym key file (outside the database). */
  const key = (): Buffer =>
    (voterKey ??= Pseudonymizer.load(s.keyFile ?? keyFile(s.db.raw)).derivedKey('goal-votes'));

  async function roster(): Promise<Roster> {
    await s.cache.check();
    return (await s.cache.facts()).roster;
  }

  /** The caller, the settings and the clock of one request. */
  async function context(auth: Auth | null) {
    const r = await roster();
    const settings = await s.settings();
    return { actor: programActor(auth!.user, r), roster: r, settings, now: o.now() };
  }
  type Context = Awaited<ReturnType<typeof context>>;

  async function everyone(r: Roster): Promise<ProgramActor[]> {
    return (await s.accounts.list()).map((u) => programActor(u, r));
  }

  const calendar = (st: OrgSettings): BusinessCalendar => ({
    timezone: st.timezone,
    holidays: st.holidays,
  });

  /** E-mail `notices` (when SMTP is configured), each rendered for its reader: summary only. */
  async function mail(notices: readonly NoticeRow[], r: Roster): Promise<void> {
    if (!notices.length || !(await o.mailer.enabled())) return;
    const users = new Map((await s.accounts.list()).map((u) => [u.username, u]));
    const mails = [];
    for (const n of notices) {
      const u = users.get(n.username);
      if (!u) continue;
      const [v] = await renderNotices(s.db, programActor(u, r), [n]);
      if (!v) continue;
      mails.push({
        username: n.username,
        subject: `Uptake: ${v.summary}`,
        text:
          `${v.summary}\n\nSign in to Uptake to read it: the bell at the top of every page ` +
          `lists your notices.\n\n(You get this because you sent, supported or follow this ` +
          `item, or proposed this goal.)\n`,
      });
    }
    o.mailer.send(mails);
  }

  /** Settle the goals whose vote has closed (and tell their proposers). */
  async function settle(c: Context): Promise<void> {
    const settled = await settleDueGoals(s.db, await everyone(c.roster), c.now);
    for (const g of settled) await mail(await noticesAbout(s.db, g.id, null), c.roster);
  }

  /** A goal the caller may read, after settling (NOT_FOUND otherwise). */
  async function readableGoal(c: Context, id: string): Promise<GoalRow> {
    await settle(c);
    const g = await getGoal(s.db, id);
    if (!g || !maySeeGoal(c.actor, g))
      throw new UptakeError('NOT_FOUND', `goal ${id}: none that you may read`);
    return g;
  }

  const hidden = (c: Context, g: Pick<GoalRow, 'group_by' | 'group_value'>) =>
    c.actor.role !== 'admin' &&
    g.group_by !== 'org' &&
    rosterSize(c.roster, g.group_by, g.group_value) < c.settings.suppression_threshold;

  /** The weeks a goal's chart and status read: from its baseline to the last whole week. */
  function goalWeeks(g: GoalRow, c: Context) {
    const proposed = localDateOf(Date.parse(g.created_at), c.settings.timezone);
    const today = localToday(c.settings.timezone, c.now);
    const from = addDays(mondayOnOrBefore(proposed), -7 * g.baseline_weeks);
    const end = mondayOnOrBefore(today);
    const last = addDays(mondayOnOrBefore(g.target_date), 7);
    return { proposed, today, from, to: end < last ? end : last };
  }

  /** The goal's series and (adopted) progress; nothing for a hidden group. */
  async function tracked(g: GoalRow, c: Context) {
    if (hidden(c, g)) return { series: [], progress: null };
    const w = goalWeeks(g, c);
    const series = await goalWeeklySeries(s, c.settings, g, w, c.actor.username);
    const progress: GoalProgress | null =
      g.state === 'adopted' && g.decided_at
        ? goalProgress(
            {
              direction: g.direction,
              target: g.target,
              target_date: g.target_date,
              baseline_weeks: g.baseline_weeks,
              proposed_on: w.proposed,
              adopted_on: localDateOf(Date.parse(g.decided_at), c.settings.timezone),
            },
            series,
            w.today,
          )
        : null;
    return { series, progress };
  }

  /** A goal as listed (with its computed status when adopted and `withStatus`). */
  async function summary(g: GoalRow, c: Context, progress: GoalProgress | null) {
    const v = await viewGoal(s.db, g);
    const hide = hidden(c, g);
    return {
      ...v,
      ...(hide
        ? {
            baseline: null,
            baseline_low: null,
            baseline_high: null,
            noise: null,
            baseline_n: null,
            within_noise: null,
          }
        : {}),
      status: hide ? null : (progress?.status ?? null),
      suppressed: hide,
    } satisfies GoalSummary;
  }

  /** The baseline a proposal gets: the whole weeks before today. */
  async function proposalBaseline(p: GoalProposal, c: Context) {
    const today = localToday(c.settings.timezone, c.now);
    const weeks = p.baseline_weeks ?? c.settings.goal_rules.baseline_weeks;
    const to = mondayOnOrBefore(today);
    const series = await goalWeeklySeries(
      s,
      c.settings,
      { ...p, tool: p.tool ?? null },
      { from: addDays(to, -7 * weeks), to },
      c.actor.username,
    );
    return { weeks, series, baseline: goalBaseline(series, today, weeks) };
  }

  /** The checks of a proposal the store makes too, for the preview. */
  async function checkProposal(p: GoalProposal, c: Context): Promise<void> {
    if (!mayProposeGoal(c.actor, p))
      throw new UptakeError(
        'FORBIDDEN',
        `you may propose goals only for a group you belong to, not ${p.group_by} "${p.group_value}"`,
      );
    if (p.group_by !== 'org' && rosterSize(c.roster, p.group_by, p.group_value) === 0)
      throw new UptakeError(
        'INVALID_INPUT',
        `group_value: no clinician of the roster has ${p.group_by} "${p.group_value}"`,
      );
    if (p.tool !== undefined)
      await getTool(s.db, p.tool).catch((e: unknown) => {
        throw e instanceof UptakeError && e.code === 'NOT_FOUND'
          ? new UptakeError('INVALID_INPUT', `tool: ${e.message}`)
          : e;
      });
    await checkGoalSurvey(s.db, c.actor, p);
  }

  /** Every route of this file logs its refusals. */
  const refused =
    (action: 'view' | 'create' | 'update', what: string) =>
    async (ctx: { req: { ip: string; url: string }; auth: Auth | null }, e: unknown) => {
      const f = failureOf(e);
      await logAccess(
        s,
        ctx.req,
        ctx.auth,
        action,
        `${what}${ctx.req.url.split('?')[0]!.replace(/^\/api\/[a-z]+/, '')}`,
        f.detail,
        f.outcome,
      );
    };

  // --- goals ------------------------------------------------------------------------------------

  defineRoute(app, s, {
    ...API['GET /api/goals'],
    tag: 'goals',
    summary: 'Goals by state and computed status, optionally of one group',
    description:
      'The goals of the groups the caller belongs to (IT and administrators: all), newest first, ' +
      'with their vote counts and, for adopted goals, the computed status. Votes whose window ' +
      'has closed are settled first.',
    access: 'session',
    onFailure: refused('view', 'goals'),
    async handler({ req, auth, query }) {
      const c = await context(auth);
      await settle(c);
      const rows = (
        await listGoals(s.db, {
          ...(query.group_by !== undefined ? { group_by: query.group_by } : {}),
          ...(query.group_value !== undefined ? { group_value: query.group_value } : {}),
          ...(query.state ? { states: [query.state] } : {}),
        })
      ).filter((g) => maySeeGoal(c.actor, g));
      const goals = [];
      for (const g of rows) {
        const { progress } = g.state === 'adopted' ? await tracked(g, c) : { progress: null };
        goals.push(await summary(g, c, progress));
      }
      const listed = query.status ? goals.filter((g) => g.status === query.status) : goals;
      const by_state: Record<string, number> = {};
      const by_status: Record<string, number> = {};
      for (const g of listed) {
        by_state[g.state] = (by_state[g.state] ?? 0) + 1;
        if (g.status) by_status[g.status] = (by_status[g.status] ?? 0) + 1;
      }
      await logAccess(s, req, auth, 'view', 'goals', `${listed.length} goals`);
      return { goals: listed, by_state, by_status };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/goals/:id'],
    tag: 'goals',
    summary: 'One goal: counts, weekly series, computed status and projection, discussion',
    description:
      'Counts only — who voted how is shown to nobody; the caller’s own vote (`mine`) while ' +
      'voting. A goal tied to a tool links to that tool’s go-live evaluation for the group.',
    access: 'session',
    onFailure: refused('view', 'goals'),
    async handler({ req, auth, params }) {
      const c = await context(auth);
      const g = await readableGoal(c, params.id);
      const { series, progress } = await tracked(g, c);
      const open = g.state === 'voting' && votingOpen(g.closes_at, c.now);
      const voter = isGoalVoter(c.actor, g);
      const hide = hidden(c, g);
      let golive = null;
      if (g.tool) {
        const lives = await listGoLives(s.db, g.tool);
        const live = lives.find((l) => l.group_by === g.group_by && l.group === g.group_value);
        golive = {
          tool: g.tool,
          metric: g.metric,
          by: g.group_by,
          group: g.group_value,
          date: live?.date ?? null,
        };
      }
      const out = {
        goal: await summary(g, c, progress),
        may_vote: open && voter,
        mine: voter && open ? await myGoalVote(s.db, key(), g.id, c.actor.username) : null,
        may_withdraw:
          (c.actor.role === 'admin' || c.actor.username === g.proposer) &&
          (g.state === 'voting' || g.state === 'adopted'),
        may_comment:
          (voter || c.actor.username === g.proposer || c.actor.role === 'admin') &&
          (g.state === 'voting' || g.state === 'adopted'),
        noise:
          !hide && g.baseline !== null && g.noise !== null
            ? noiseCheck({ mean: g.baseline, noise: g.noise }, g.target, g.direction)
            : null,
        series,
        progress,
        comments: await listGoalComments(s.db, g.id),
        golive,
      };
      await logAccess(s, req, auth, 'view', `goals/${g.id}`);
      return out;
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/goals/preview'],
    tag: 'goals',
    summary: 'What the proposal form shows before submitting: baseline, recent weeks, noise',
    description:
      'The baseline (mean of the whole weeks before today, 95% t-interval), the group’s weekly ' +
      'values over those weeks, and whether the target can be told from week-to-week variation. ' +
      'Nothing is stored. Refused (403) for a group the caller does not belong to.',
    access: 'session',
    onFailure: refused('view', 'goals'),
    async handler({ req, auth, body }) {
      const c = await context(auth);
      await checkProposal(body, c);
      const rules = c.settings.goal_rules;
      const { weeks, series, baseline } = await proposalBaseline(body, c);
      const hide = hidden(c, body);
      const noise = baseline ? noiseCheck(baseline, body.target, body.direction) : null;
      const size = goalVoterCount(await everyone(c.roster), body);
      const warnings: string[] = [];
      if (hide)
        warnings.push(
          `The group has fewer than ${c.settings.suppression_threshold} clinicians: its numbers are not shown.`,
        );
      else if (!baseline)
        warnings.push(
          `Fewer than two of the ${weeks} weeks before today have data: there is no baseline to compare the target with.` +
            (isSurveyMetric(body.metric)
              ? ` A survey’s week has a value only with at least ${c.settings.suppression_threshold} responses.`
              : ''),
        );
      else if (noise?.within_noise)
        warnings.push(
          `The target cannot be told from week-to-week variation: it is ${Math.abs(body.target - baseline.mean).toPrecision(3)} from the baseline, less than ${noise.smallest_change.toPrecision(3)}.`,
        );
      if (!hide && noise && !noise.direction_ok)
        warnings.push(
          `The target does not lie the goal’s way: a goal to ${body.direction} needs a target ${body.direction === 'decrease' ? 'below' : 'above'} the baseline.`,
        );
      if (size < rules.min_votes)
        warnings.push(
          `Only ${size} people may vote on this goal: it needs all ${size} (at least one) to vote.`,
        );
      await logAccess(
        s,
        req,
        auth,
        'view',
        'goals/preview',
        `${body.group_by} ${body.group_value}`,
      );
      return {
        rules,
        closes_at: new Date(c.now.getTime() + rules.window_days * 86_400_000).toISOString(),
        baseline_weeks: weeks,
        baseline: hide ? null : baseline,
        noise: hide ? null : noise,
        series: hide ? [] : series,
        group_size: size,
        suppressed: hide,
        warnings,
      };
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/goals'],
    tag: 'goals',
    summary: 'Propose a goal for a group I belong to (administrators: any group)',
    description:
      'The baseline shown to voters is computed now and kept with the goal. The voting window ' +
      'and the quorum are the organisation’s (`goal_rules` setting); the target date must fall ' +
      'after the vote closes.',
    access: 'session',
    onFailure: refused('create', 'goals'),
    async handler({ req, auth, body }) {
      const c = await context(auth);
      await checkProposal(body, c);
      const { weeks, baseline } = await proposalBaseline(body, c);
      const g = await proposeGoal(
        s.db,
        c.actor,
        { ...body, baseline_weeks: weeks },
        {
          timezone: c.settings.timezone,
          now: c.now,
          rules: {
            window_days: c.settings.goal_rules.window_days,
            min_votes: c.settings.goal_rules.min_votes,
          },
          baseline,
        },
      );
      await logAccess(s, req, auth, 'create', `goals/${g.id}`, `${g.group_by} ${g.group_value}`);
      return summary(g, c, null);
    },
  });

  defineRoute(app, s, {
    ...API['PUT /api/goals/:id/vote'],
    tag: 'goals',
    summary: 'Cast or change my vote while the window is open',
    description:
      'For the clinicians and champions of the goal’s group (403 for anyone else, leaders and ' +
      'administrators included: no role adopts a goal alone). One vote per person: a second ' +
      'replaces the first. The choice is never written to the access log.',
    access: 'session',
    onFailure: refused('update', 'goals'),
    async handler({ req, auth, params, body }) {
      const c = await context(auth);
      await readableGoal(c, params.id);
      const tally = await castGoalVote(s.db, key(), c.actor, params.id, body.choice, c.now);
      await logAccess(s, req, auth, 'update', `goals/${params.id}/vote`, 'vote cast');
      return { tally, mine: body.choice };
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/goals/:id/comments'],
    tag: 'goals',
    summary: 'Add to a goal’s discussion',
    access: 'session',
    onFailure: refused('create', 'goals'),
    async handler({ req, auth, params, body }) {
      const c = await context(auth);
      await readableGoal(c, params.id);
      const row = await addGoalComment(s.db, c.actor, params.id, body.text, c.now);
      await logAccess(s, req, auth, 'create', `goals/${params.id}/comments/${row.id}`);
      return row;
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/goals/:id/withdraw'],
    tag: 'goals',
    summary: 'Withdraw a goal (its proposer or an administrator)',
    access: 'session',
    onFailure: refused('update', 'goals'),
    async handler({ req, auth, params }) {
      const c = await context(auth);
      await readableGoal(c, params.id);
      const g = await withdrawGoal(s.db, c.actor, params.id, c.now);
      await logAccess(s, req, auth, 'update', `goals/${g.id}`, 'withdrawn');
      return summary(g, c, null);
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/goals/:id/fhir'],
    tag: 'goals',
    summary: 'A goal as a FHIR R4 Goal resource',
    access: 'session',
    onFailure: refused('view', 'goals'),
    async handler({ req, auth, params }) {
      const c = await context(auth);
      const g = await readableGoal(c, params.id);
      const { progress } = await tracked(g, c);
      await logAccess(s, req, auth, 'view', `goals/${g.id}/fhir`);
      return goalToFhir(
        g,
        progress?.status ?? null,
        c.settings.timezone,
        localToday(c.settings.timezone, c.now),
      );
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/me/goals'],
    tag: 'goals',
    summary: 'Goals for my group: the open votes I may cast (at most three, newest first)',
    access: 'session',
    onFailure: refused('view', 'goals'),
    async handler({ req, auth }) {
      const c = await context(auth);
      await settle(c);
      const open = await goalsToVoteOn(s.db, key(), c.actor, c.now, 3);
      const goals = [];
      for (const g of open) goals.push({ ...(await summary(g, c, null)), mine: g.mine });
      await logAccess(s, req, auth, 'view', 'me/goals', `${goals.length} goals`);
      return { goals };
    },
  });

  // --- feedback ---------------------------------------------------------------------------------

  /** A clock against its target: the hours, the target, where it stands (`clockStatus`). */
  const clockOut = (k: FeedbackClock, target: number, state: FeedbackState) => ({
    ...k,
    target_hours: target,
    overdue: k.hours > target,
    status: clockStatus(k, target, state),
  });

  /** The view as this reader may see it: the assignee only for IT and administrators. */
  const shown = (v: FeedbackView, a: ProgramActor): FeedbackView =>
    isTriager(a) ? v : { ...v, assignee: null };

  /** Run a change of item `id` and e-mail the notices it stored. */
  async function changed(
    c: Context,
    id: string,
    run: () => Promise<FeedbackView>,
  ): Promise<FeedbackView> {
    const before = await getFeedback(s.db, c.actor, id);
    const after = await run();
    await mail(
      (await noticesAbout(s.db, id, before.last_seq)).filter(
        (n) => n.event_seq !== null && n.event_seq <= after.last_seq,
      ),
      c.roster,
    );
    return after;
  }

  defineRoute(app, s, {
    ...API['POST /api/feedback'],
    tag: 'feedback',
    summary: 'Tell IT: a problem, an idea, a question or praise',
    description:
      'Stored as written and shown only to the author, IT and administrators — and to the ' +
      'author’s department with `visibility: "unit"`. Do not enter patient details.',
    access: 'session',
    onFailure: refused('create', 'feedback'),
    async handler({ req, auth, body }) {
      const c = await context(auth);
      const v = await createFeedback(s.db, c.actor, body, c.now);
      await logAccess(s, req, auth, 'create', `feedback/${v.id}`, `${v.kind}, ${v.visibility}`);
      return shown(v, c.actor);
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/feedback'],
    tag: 'feedback',
    summary: 'Feedback I may read: mine and my unit’s; for IT and administrators the triage board',
    description:
      'Filters: state (comma-separated), kind, priority, assignee (IT), department (the author’s ' +
      'unit). Newest first.',
    access: 'session',
    onFailure: refused('view', 'feedback'),
    async handler({ req, auth, query }) {
      const c = await context(auth);
      const triager = isTriager(c.actor);
      const items = await listFeedback(s.db, c.actor, {
        mine: query.scope === 'mine',
        ...(query.state?.length ? { states: query.state } : {}),
        ...(query.kind ? { kinds: [query.kind] } : {}),
        ...(query.priority ? { priority: query.priority } : {}),
        ...(query.assignee && triager ? { assignee: query.assignee } : {}),
        ...(query.department ? { unit: query.department } : {}),
        limit: query.limit,
      });
      // Every listed item's clocks from one read of their histories.
      const clocks = await feedbackListClocks(s.db, items, calendar(c.settings), c.now);
      await logAccess(
        s,
        req,
        auth,
        'view',
        triager && query.scope !== 'mine' ? 'feedback/board' : 'feedback',
        `${items.length} items`,
      );
      return {
        items: items.map((v) => {
          const k = clocks.get(v.id)!;
          const t = c.settings.sla_targets[v.priority ?? 'normal'];
          return {
            ...shown(v, c.actor),
            clocks: {
              first_response: clockOut(k.first_response, t.first_response_hours, v.state),
              resolution: k.resolution && clockOut(k.resolution, t.resolution_hours, v.state),
            },
          };
        }),
      };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/feedback/figures'],
    tag: 'feedback',
    summary: 'The loop’s figures per unit and period, with Wilson 95% intervals',
    description:
      'Of the items created in [from, to) (local dates): items, median business hours to first ' +
      'response and to resolution, the share within target for each clock, closed with an ' +
      'answer, reopened, and helped among rated items.',
    access: ['admin', 'it'],
    onFailure: refused('view', 'feedback'),
    async handler({ req, auth, query }) {
      if (query.from >= query.to)
        throw new UptakeError(
          'INVALID_INPUT',
          `query to: ${query.to} must be after from ${query.from}`,
        );
      const c = await context(auth);
      const tz = c.settings.timezone;
      const units = await feedbackUnitFigures(
        s.db,
        calendar(c.settings),
        c.settings.sla_targets,
        { from: startOfLocalDay(query.from, tz), to: startOfLocalDay(query.to, tz) },
        c.now,
      );
      await logAccess(s, req, auth, 'view', 'feedback/figures', `${query.from}..${query.to}`);
      return {
        period: { from: query.from, to: query.to },
        targets: c.settings.sla_targets,
        units: query.department ? units.filter((u) => u.unit === query.department) : units,
      };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/feedback/done'],
    tag: 'feedback',
    summary: '“You asked, we did”: a unit’s done items',
    description:
      'My department by default. The items’ text and IT’s answers are shown to the unit’s ' +
      'members, IT and administrators; other readers (leaders and champions of the unit) see ' +
      'what kind of item was done, when, and its “me too” count. Private items are only counted.',
    access: 'session',
    onFailure: refused('view', 'feedback'),
    async handler({ req, auth, query }) {
      const c = await context(auth);
      const mine = unitOf(c.actor);
      const unit = query.department ?? mine;
      if (unit === null)
        throw new UptakeError(
          'INVALID_INPUT',
          'query department: your account has no department; name one with ?department=',
        );
      const serves = c.actor.groups.some((g) => g.by === 'department' && g.value === unit);
      if (unit !== mine && !isTriager(c.actor) && !serves)
        throw new UptakeError('FORBIDDEN', `you may see only your own unit’s, not "${unit}"`);
      const r = await youAskedWeDid(s.db, unit);
      const reads = mayReadFeedback(c.actor, { author: '', visibility: 'unit', unit });
      await logAccess(s, req, auth, 'view', `feedback/done/${unit}`, `${r.items.length} items`);
      return {
        unit,
        items: r.items.map((i) => (reads ? i : { ...i, text: null, answer: null })),
        private_done: r.private_done,
      };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/feedback/:id'],
    tag: 'feedback',
    summary: 'One item with its history and clocks',
    description:
      'For the author, IT and administrators (and a `unit` item’s unit): 404 for anyone else. ' +
      'Readers other than IT see the public events, without assignees.',
    access: 'session',
    onFailure: refused('view', 'feedback'),
    async handler({ req, auth, params }) {
      const c = await context(auth);
      const v = await getFeedback(s.db, c.actor, params.id);
      const history = await feedbackHistory(s.db, c.actor, params.id);
      const clocks = await feedbackItemClocks(
        s.db,
        c.actor,
        params.id,
        calendar(c.settings),
        c.now,
      );
      const target = c.settings.sla_targets[v.priority ?? 'normal'];
      const clock = (k: FeedbackClock, t: number) => clockOut(k, t, v.state);
      const triager = isTriager(c.actor);
      const author = c.actor.username === v.author;
      await logAccess(s, req, auth, 'view', `feedback/${v.id}`);
      return {
        item: shown(v, c.actor),
        history,
        clocks: {
          first_response: clock(clocks.first_response, target.first_response_hours),
          resolution: clocks.resolution && clock(clocks.resolution, target.resolution_hours),
        },
        may: {
          change: triager,
          vote: !v.voted && mayVoteFeedback(c.actor, v),
          rate: author && isClosed(v.state) && v.rating === null,
          note: triager || author,
        },
        next_states: triager ? nextStates(v.state) : [],
      };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/feedback/:id/effect'],
    tag: 'feedback',
    summary: 'A done item’s metric before and after its done date (ITS and DiD)',
    description:
      'For an item linked to a metric and a group (its go-live link’s, else its department ' +
      'link), once done: the group’s weekly values and the go-live evaluation’s models with the ' +
      'done date as the go-live, or why not (`status`, `reason`). For readers of the item who may ' +
      'see the group’s numbers (IT, administrators, its members and leaders); a group below the ' +
      'suppression threshold shows none but to administrators. 404 for an item one may not read.',
    access: 'session',
    onFailure: refused('view', 'feedback'),
    async handler({ req, auth, params }) {
      const c = await context(auth);
      const v = await getFeedback(s.db, c.actor, params.id);
      const history = await feedbackHistory(s.db, c.actor, params.id);
      const out = await feedbackEffect(s, v, history, c.settings, {
        sees: (g) => isTriager(c.actor) || belongsToGroup(c.actor, g),
        suppressed: (g) => hidden(c, g),
        admin: c.actor.role === 'admin',
        username: c.actor.username,
      });
      await logAccess(s, req, auth, 'view', `feedback/${v.id}/effect`, out.status);
      return out;
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/feedback/:id/vote'],
    tag: 'feedback',
    summary: '“Me too” on an open item shared with my unit (once)',
    access: 'session',
    onFailure: refused('update', 'feedback'),
    async handler({ req, auth, params }) {
      const c = await context(auth);
      const v = await voteFeedback(s.db, c.actor, params.id, c.now);
      await logAccess(s, req, auth, 'update', `feedback/${v.id}/vote`, 'me too');
      return shown(v, c.actor);
    },
  });

  defineRoute(app, s, {
    ...API['DELETE /api/feedback/:id/vote'],
    tag: 'feedback',
    summary: 'Take back my “me too”',
    access: 'session',
    onFailure: refused('update', 'feedback'),
    async handler({ req, auth, params }) {
      const c = await context(auth);
      const v = await unvoteFeedback(s.db, c.actor, params.id);
      await logAccess(s, req, auth, 'delete', `feedback/${v.id}/vote`);
      return shown(v, c.actor);
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/feedback/:id/subscribe'],
    tag: 'feedback',
    summary: 'Follow an item I may read (or stop, with `on: false`)',
    access: 'session',
    onFailure: refused('update', 'feedback'),
    async handler({ req, auth, params, body }) {
      const c = await context(auth);
      const v = await subscribeFeedback(s.db, c.actor, params.id, body.on, c.now);
      await logAccess(
        s,
        req,
        auth,
        'update',
        `feedback/${v.id}/subscribe`,
        body.on ? 'follow' : 'unfollow',
      );
      return shown(v, c.actor);
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/feedback/:id/change'],
    tag: 'feedback',
    summary: 'Change an item: state, priority, assignee, answer (IT); a note (its author)',
    description:
      'Only IT and administrators change states, priorities and assignees (403 otherwise); ' +
      '`done`, `declined` need an answer in words. The author, voters and subscribers get a ' +
      'notice (and an e-mail when SMTP is configured). 409 when the item changed meanwhile.',
    access: 'session',
    onFailure: refused('update', 'feedback'),
    async handler({ req, auth, params, body }) {
      const c = await context(auth);
      const v = await changed(c, params.id, () =>
        changeFeedback(s.db, c.actor, params.id, body, c.now),
      );
      const what = [
        body.to && `state ${body.to}`,
        body.priority && `priority ${body.priority}`,
        body.assignee !== undefined && 'assignee',
        body.note !== undefined && (body.public ? 'answer' : 'internal note'),
      ].filter(Boolean);
      await logAccess(s, req, auth, 'update', `feedback/${v.id}`, what.join(', '));
      return shown(v, c.actor);
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/feedback/:id/merge'],
    tag: 'feedback',
    summary: 'Merge an item into another as its duplicate (IT)',
    description:
      'Its votes and subscribers move to the original; its author becomes a voter there. Its ' +
      'voters are told it was merged — never the original’s text unless they may read it.',
    access: ['admin', 'it'],
    onFailure: refused('update', 'feedback'),
    async handler({ req, auth, params, body }) {
      const c = await context(auth);
      const v = await changed(c, params.id, () =>
        changeFeedback(
          s.db,
          c.actor,
          params.id,
          { to: 'duplicate', duplicate_of: body.into, note: body.note, public: true },
          c.now,
        ),
      );
      await logAccess(s, req, auth, 'update', `feedback/${v.id}`, `duplicate of ${v.duplicate_of}`);
      return shown(v, c.actor);
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/feedback/:id/rating'],
    tag: 'feedback',
    summary: '“Did this help?” — the author, once per close',
    description: '`did_not_help` on a done item reopens it.',
    access: 'session',
    onFailure: refused('update', 'feedback'),
    async handler({ req, auth, params, body }) {
      const c = await context(auth);
      const v = await changed(c, params.id, () =>
        rateFeedback(s.db, c.actor, params.id, body.rating, c.now),
      );
      await logAccess(s, req, auth, 'update', `feedback/${v.id}/rating`, body.rating);
      return shown(v, c.actor);
    },
  });

  // --- notices ----------------------------------------------------------------------------------

  defineRoute(app, s, {
    ...API['GET /api/notices'],
    tag: 'notices',
    summary: 'My notices, newest first',
    access: 'session',
    onFailure: refused('view', 'notices'),
    async handler({ req, auth, query }) {
      const c = await context(auth);
      await settle(c);
      const rows = await listNotices(s.db, c.actor.username, {
        unreadOnly: query.unread ?? false,
        limit: query.limit,
      });
      const notices = await renderNotices(s.db, c.actor, rows);
      await logAccess(s, req, auth, 'view', 'notices', `${notices.length} notices`);
      return { notices, unread: await unreadNoticeCount(s.db, c.actor.username) };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/notices/unread'],
    tag: 'notices',
    summary: 'How many notices I have not read (the bell)',
    description:
      'Asked on every page: not written to the access log (it shows no notice; the list is logged).',
    access: 'session',
    async handler({ auth }) {
      return { unread: await unreadNoticeCount(s.db, auth!.user.username) };
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/notices/read'],
    tag: 'notices',
    summary: 'Mark notices read (some ids, or all)',
    description: 'Ids that are not the caller’s notices are ignored.',
    access: 'session',
    onFailure: refused('update', 'notices'),
    async handler({ req, auth, body }) {
      const username = auth!.user.username;
      const n = await markNoticesRead(s.db, username, 'all' in body ? 'all' : body.ids, o.now());
      await logAccess(s, req, auth, 'update', 'notices/read', `${n} read`);
      return { unread: await unreadNoticeCount(s.db, username) };
    },
  });

  app.addHook('onClose', async () => o.mailer.close());
}
