/**
 * Goals (docs/program.md §Goals): "What have we agreed to aim for, and are we getting there?"
 * The list by state and computed status; one goal with its weekly progress drawn against the
 * baseline and target, the projection and its 95% interval, the status explained in words, the
 * vote counts (never who voted how), the discussion and, when the goal follows a tool, a link to
 * its go-live evaluation; and the proposal form, which shows the baseline, the group's recent
 * weeks and the "within noise" warning before anything is submitted.
 */
import { useEffect, useId, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import {
  api,
  apiPath,
  ApiError,
  type GoalDetail,
  type GoalList,
  type GoalPreview,
  type GoalProposalIn,
  type GoalSummary,
  type Me,
  type Meta,
} from '../api.ts';
import { Chart } from '../components/Chart.tsx';
import {
  ErrorBox,
  Loading,
  PageHeader,
  Select,
  Suppressed,
  type PageProps,
} from '../components/ui.tsx';
import { addDays, dateWords, zoned } from '../dates.ts';
import { href, useApi } from '../hooks.ts';
import { definitionOf, fmt, info } from '../metrics.ts';
import {
  DIRECTION_LABEL,
  GOAL_GROUP_LABEL,
  GOAL_METRIC_CHOICES,
  GOAL_STATE_LABEL,
  GOAL_STATES,
  GOAL_STATUS,
  GOAL_STATUSES,
  ORG_GROUP_VALUE,
  VOTE_CHOICES,
  VOTE_LABEL,
  goalAim,
  goalBadge,
  groupWords,
  GOAL_SURVEY_CHOICES,
  isShareMetric,
  isSurveyMetric,
  mayPropose,
  mayReadSurveys,
  surveyInstrumentOf,
  valueWords,
  type Direction,
  type GoalGroupBy,
  type GoalMetric,
  type GoalState,
  type VoteChoice,
} from '../program.ts';
import { fitOrigin, goalChart } from '../programCharts.ts';
import { NO_PATIENT_DETAILS } from './Help.tsx';

const errorOf = (e: unknown): ApiError =>
  e instanceof ApiError ? e : new ApiError(0, 'NETWORK', String(e));

/** The roles that may open the Go-live page (a goal's link goes there only for them). */
const GOLIVE_ROLES: readonly Me['role'][] = ['admin', 'leader', 'it'];

export function GoalsPage({ me, meta, sub }: PageProps & { sub: string | undefined }): ReactNode {
  if (sub === 'new') return <ProposeGoal me={me} meta={meta} />;
  if (sub) return <GoalView id={sub} me={me} meta={meta} />;
  return <GoalsList me={me} meta={meta} />;
}

// --- the list ------------------------------------------------------------------------------------

type Filter = '' | GoalState;

function GoalsList({ me, meta }: { me: Me; meta: Meta }): ReactNode {
  const [state, setState] = useState<Filter>('');
  const list = useApi('GET /api/goals', { query: state ? { state } : {} });
  return (
    <>
      <PageHeader
        title="Goals"
        question="What have we agreed to aim for, and are we getting there?"
      >
        <Select label="Show" value={state} onChange={(v) => setState(v as Filter)}>
          <option value="">All goals</option>
          {GOAL_STATES.map((s) => (
            <option key={s} value={s}>
              {GOAL_STATE_LABEL[s]}
            </option>
          ))}
        </Select>
        {mayPropose(me) ? (
          <a className="button" href={href(['goals', 'new'])}>
            Propose a goal
          </a>
        ) : null}
      </PageHeader>
      <p className="lede">
        A goal is proposed by someone of the group, discussed and voted on by its clinicians and
        champions, and — once adopted — tracked week by week with a status Uptake computes from the
        data, never set by hand.
      </p>
      {list.error ? <ErrorBox error={list.error} /> : null}
      {!list.data && !list.error ? <Loading what="the goals" /> : null}
      {list.data ? <GoalsByStatus list={list.data} timezone={meta.timezone} /> : null}
    </>
  );
}

/** Goals grouped: open votes first, then the adopted ones by computed status, then the rest. */
export function GoalsByStatus({
  list,
  timezone,
  headingLevel = 'h2',
}: {
  list: GoalList;
  timezone: string;
  headingLevel?: 'h2' | 'h3';
}): ReactNode {
  const H = headingLevel;
  if (!list.goals.length) return <p>No goals yet.</p>;
  const voting = list.goals.filter((g) => g.state === 'voting');
  const adopted = list.goals.filter((g) => g.state === 'adopted');
  const rest = list.goals.filter((g) => g.state !== 'voting' && g.state !== 'adopted');
  const statuses = GOAL_STATUSES.filter((s) => adopted.some((g) => g.status === s));
  const unknown = adopted.filter((g) => !g.status);
  return (
    <div className="goal-groups">
      <p className="goal-counts" data-testid="goal-counts">
        {GOAL_STATES.map((s) => `${GOAL_STATE_LABEL[s]}: ${list.by_state[s] ?? 0}`).join(' · ')}
        {statuses.length
          ? ` — adopted goals: ${statuses.map((s) => `${GOAL_STATUS[s].label.toLowerCase()} ${list.by_status[s] ?? 0}`).join(', ')}`
          : ''}
      </p>
      {voting.length ? (
        <section className="section" aria-label="Open for votes">
          <H>Open for votes</H>
          <GoalCards goals={voting} timezone={timezone} />
        </section>
      ) : null}
      {statuses.map((s) => (
        <section className="section" key={s} aria-label={`Adopted: ${GOAL_STATUS[s].label}`}>
          <H>
            Adopted: <span className={`status status-${s}`}>{GOAL_STATUS[s].label}</span>
          </H>
          <p className="muted">{GOAL_STATUS[s].means}.</p>
          <GoalCards goals={adopted.filter((g) => g.status === s)} timezone={timezone} />
        </section>
      ))}
      {unknown.length ? (
        <section className="section" aria-label="Adopted, status not shown">
          <H>Adopted, status not shown</H>
          <GoalCards goals={unknown} timezone={timezone} />
        </section>
      ) : null}
      {rest.length ? (
        <section className="section" aria-label="Not adopted or withdrawn">
          <H>Not adopted or withdrawn</H>
          <GoalCards goals={rest} timezone={timezone} />
        </section>
      ) : null}
    </div>
  );
}

function tallyWords(g: Pick<GoalSummary, 'tally'>): string {
  const t = g.tally;
  return `${t.support} support, ${t.oppose} oppose, ${t.abstain} abstain`;
}

function GoalCards({ goals, timezone }: { goals: GoalSummary[]; timezone: string }): ReactNode {
  return (
    <ul className="goal-list">
      {goals.map((g) => {
        const b = goalBadge(g);
        return (
          <li key={g.id} data-goal={g.id} data-state={g.state}>
            <h3 className="goal-title">
              <a href={href(['goals', g.id])}>{g.title}</a>{' '}
              <span className={`status status-${b.key}`}>{b.label}</span>
            </h3>
            <p>
              {GOAL_GROUP_LABEL[g.group_by]}
              {g.group_by === 'org' ? '' : ` ${g.group_value}`}: {goalAim(g)}.
            </p>
            <p className="muted">
              Votes: {tallyWords(g)}.{' '}
              {g.state === 'voting'
                ? `Voting closes ${zoned(g.closes_at, timezone)} (${timezone}).`
                : g.decided_at
                  ? `Vote closed ${zoned(g.decided_at, timezone)}.`
                  : ''}
              {g.within_noise ? ' Cannot be told from week-to-week variation.' : ''}
            </p>
          </li>
        );
      })}
    </ul>
  );
}

// --- one goal ------------------------------------------------------------------------------------

function GoalView({ id, me, meta }: { id: string; me: Me; meta: Meta }): ReactNode {
  const goal = useApi('GET /api/goals/:id', { params: { id } });
  if (goal.error)
    return (
      <>
        <PageHeader title="Goal" question="What did we agree to aim for?" />
        <ErrorBox error={goal.error} />
        <p>
          <a href={href(['goals'])}>All goals</a>
        </p>
      </>
    );
  if (!goal.data)
    return (
      <>
        <PageHeader title="Goal" question="What did we agree to aim for?" />
        <Loading what="the goal" />
      </>
    );
  return <GoalBody d={goal.data} me={me} meta={meta} reload={goal.reload} />;
}

/** The computed status in words: what was compared with what, with the numbers. */
export function statusExplanation(d: GoalDetail): string {
  const g = d.goal;
  const p = d.progress;
  if (!p) return '';
  const m = g.metric;
  const v = (x: number | null | undefined) => valueWords(m, x);
  const base = p.baseline ? `baseline ${v(p.baseline.mean)}` : 'no baseline';
  const progress =
    p.progress !== null
      ? `, ${Math.round(p.progress * 100)}% of the way from the baseline to the target`
      : '';
  switch (p.status) {
    case 'too_early':
      return `Only ${p.weeks_since_adoption} whole week${p.weeks_since_adoption === 1 ? '' : 's'} since the goal was adopted: the status is computed once there are 4.`;
    case 'insufficient_data':
      return `No status can be computed: ${p.reason ?? 'too few weekly values'}.`;
    case 'achieved':
      return `The mean of the last 4 whole weeks, ${v(p.current)}, has reached the target ${v(g.target)} (${base}).`;
    case 'met':
    case 'not_met': {
      const c = p.change;
      return (
        `The mean of the 4 weeks before the target date, ${v(p.current)}, ${p.status === 'met' ? 'reached' : 'did not reach'} the target ${v(g.target)} (${base}).` +
        (c
          ? ` Change from the baseline: ${c.estimate > 0 ? '+' : ''}${fmt(m, c.estimate)} (95% Welch interval ${fmt(m, c.ci95[0])} to ${fmt(m, c.ci95[1])}).`
          : '')
      );
    }
    case 'on_track':
    case 'at_risk':
    case 'off_track': {
      const pr = p.projection;
      const line = pr
        ? ` A straight line through the ${pr.n} weekly values since adoption projects ${v(pr.value)} in the week of ${dateWords(pr.week_start)}, the last whole week before the target date (95% prediction interval ${fmt(m, pr.pi95[0])} to ${fmt(m, pr.pi95[1])}): `
        : ' ';
      const verdict =
        p.status === 'on_track'
          ? 'this reaches the target.'
          : p.status === 'at_risk'
            ? 'this misses the target, but the interval still includes it.'
            : 'this misses the target, and the interval excludes it.';
      return `The mean of the last 4 whole weeks is ${v(p.current)} (${base}${progress}).${line}${verdict}`;
    }
  }
}

function GoalBody({
  d,
  me,
  meta,
  reload,
}: {
  d: GoalDetail;
  me: Me;
  meta: Meta;
  reload: () => void;
}): ReactNode {
  const g = d.goal;
  const tz = meta.timezone;
  const b = goalBadge(g);
  const m = info(g.metric);
  const p = d.progress;
  const baseline =
    p?.baseline ??
    (g.baseline !== null && g.baseline_low !== null && g.baseline_high !== null && d.series.length
      ? {
          mean: g.baseline,
          ci95: [g.baseline_low, g.baseline_high] as [number, number],
          weeks: {
            first: d.series[0]!.week_start,
            last: addDays(d.series[0]!.week_start, 7 * (g.baseline_weeks - 1)),
          },
        }
      : null);
  const adoptedFrom =
    g.state === 'adopted' || (g.state === 'withdrawn' && g.decided_at)
      ? p?.projection
        ? fitOrigin(p.projection)
        : g.decided_at
          ? addDays(mondayOf(zoned(g.decided_at, tz).slice(0, 10)), 7)
          : null
      : null;
  const chart = useMemo(
    () =>
      goalChart({
        metric: g.metric,
        series: d.series,
        baseline,
        target: g.suppressed ? null : g.target,
        targetDate: g.target_date,
        adoptedFrom,
        projection: p?.projection ?? null,
      }),
    // The detail is one answer: its parts change together.
    [d],
  );
  const quorum = Math.min(g.min_votes, g.group_size ?? g.min_votes);
  return (
    <>
      <PageHeader title={g.title} question={`For ${groupWords(g)}: ${goalAim(g)}.`}>
        <a className="button secondary" href={href(['goals'])}>
          All goals
        </a>
      </PageHeader>
      <p className="goal-status-line">
        <span className={`status status-${b.key}`} data-testid="goal-status">
          {b.label}
        </span>{' '}
        <span className="muted">
          Proposed by {g.proposer} on {zoned(g.created_at, tz)} ({tz}).
        </span>
      </p>
      <section className="section" aria-labelledby="goal-what">
        <h2 id="goal-what">What and why</h2>
        <dl className="facts goal-facts">
          <div>
            <dt>Metric</dt>
            <dd>
              {m.label}
              {g.tool ? ` of ${g.tool}` : ''}
              {g.survey ? ` of survey ${g.survey}` : ''} — {definitionOf(g.metric, undefined)}
            </dd>
          </div>
          <div>
            <dt>Group</dt>
            <dd>{groupWords(g)}</dd>
          </div>
          <div>
            <dt>Aim</dt>
            <dd>
              {DIRECTION_LABEL[g.direction]}: target{' '}
              {g.suppressed ? <Suppressed threshold={undefined} /> : valueWords(g.metric, g.target)}{' '}
              by {dateWords(g.target_date)}
            </dd>
          </div>
          <div>
            <dt>Baseline</dt>
            <dd data-testid="goal-baseline">
              {g.suppressed ? (
                <Suppressed threshold={undefined} />
              ) : g.baseline !== null ? (
                <>
                  {valueWords(g.metric, g.baseline)} (95% CI {fmt(g.metric, g.baseline_low)} to{' '}
                  {fmt(g.metric, g.baseline_high)}), the mean of the{' '}
                  {g.baseline_n ?? g.baseline_weeks} whole weeks before the proposal; week-to-week
                  variation (standard deviation) {fmt(g.metric, g.noise)}
                </>
              ) : (
                'none: fewer than two weeks with a value before the proposal'
              )}
            </dd>
          </div>
        </dl>
        <h3>Rationale</h3>
        <blockquote className="rationale">{g.rationale}</blockquote>
        {d.noise?.within_noise ? (
          <p className="notice-box warn" data-testid="within-noise">
            <strong>Cannot be told from week-to-week variation.</strong> The target is{' '}
            {fmt(g.metric, Math.abs(g.target - (g.baseline ?? g.target)))} from the baseline; the
            smallest change between two 4-week means that ordinary weekly variation would not
            produce is {fmt(g.metric, d.noise.smallest_change)}.
          </p>
        ) : null}
        {d.noise && !d.noise.direction_ok ? (
          <p className="notice-box warn">
            The target does not lie the goal’s way from the baseline (
            {g.direction === 'decrease' ? 'a decrease' : 'an increase'}).
          </p>
        ) : null}
      </section>

      {g.state === 'adopted' ? (
        <section className="section" aria-labelledby="goal-progress">
          <h2 id="goal-progress">Progress</h2>
          {p ? (
            <>
              <p data-testid="goal-explanation">
                <strong>{GOAL_STATUS[p.status].label}:</strong> {statusExplanation(d)}
              </p>
              <p className="muted">
                {GOAL_STATUS[p.status].label} means {GOAL_STATUS[p.status].means}. The status is
                computed each week from the data, never set by hand.
              </p>
            </>
          ) : (
            <p>
              <Suppressed threshold={undefined} />: the group is too small for its numbers to be
              shown.
            </p>
          )}
        </section>
      ) : null}

      {d.series.length ? (
        <section className="section" aria-labelledby="goal-chart">
          <h2 id="goal-chart">Week by week</h2>
          <p className="metric-def">
            {isSurveyMetric(g.metric)
              ? `Each point: the ${m.label} of the group’s responses submitted that ISO week (none in a week with fewer responses than the suppression threshold)`
              : `Each point: the median ${m.label} across the group’s clinicians with scheduled hours that ISO week${isShareMetric(g.metric) ? ' (for an adoption share, the share itself)' : ''}`}
            . Band: the baseline’s 95% interval; dashed lines: the baseline and the target; after
            adoption, the fitted straight line and, at the last whole week before the target date,
            its projection with the 95% prediction interval.
          </p>
          <Chart
            title={`${g.title}: weekly ${m.label}`}
            summary={chart.summary}
            option={chart.option}
            table={chart.table}
            height={300}
          />
        </section>
      ) : null}

      <Votes d={d} quorum={quorum} tz={tz} onVoted={reload} />

      {d.golive && GOLIVE_ROLES.includes(me.role) ? (
        <p>
          This goal follows {d.golive.tool}
          {d.golive.date ? `, live here since ${dateWords(d.golive.date)}` : ''}:{' '}
          <a
            href={`#/golive?${new URLSearchParams({ tool: d.golive.tool, metric: d.golive.metric, by: d.golive.by }).toString()}`}
            data-testid="goal-golive"
          >
            see the go-live evaluation of {d.golive.tool}
          </a>
          .
        </p>
      ) : d.golive ? (
        <p>
          This goal follows the go-live of {d.golive.tool}
          {d.golive.date ? ` (${dateWords(d.golive.date)})` : ''}.
        </p>
      ) : null}

      <Comments d={d} tz={tz} onAdded={reload} />

      <section className="section" aria-labelledby="goal-more">
        <h2 id="goal-more">More</h2>
        <p>
          <a href={apiPath('GET /api/goals/:id/fhir', { params: { id: g.id } })} download>
            Download as a FHIR R4 Goal (JSON)
          </a>
        </p>
        {d.may_withdraw ? <Withdraw id={g.id} onDone={reload} /> : null}
        {g.state === 'withdrawn' ? (
          <p>
            Withdrawn{g.withdrawn_by ? ` by ${g.withdrawn_by}` : ''}
            {g.withdrawn_at ? ` on ${zoned(g.withdrawn_at, tz)}` : ''}.
          </p>
        ) : null}
      </section>
    </>
  );
}

/** Monday of a local date's ISO week. */
function mondayOf(d: string): string {
  const weekday = (new Date(`${d}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(d, -weekday);
}

function Votes({
  d,
  quorum,
  tz,
  onVoted,
}: {
  d: GoalDetail;
  quorum: number;
  tz: string;
  onVoted: () => void;
}): ReactNode {
  const g = d.goal;
  const [mine, setMine] = useState<VoteChoice | null>(d.mine);
  const [tally, setTally] = useState(g.tally);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [said, setSaid] = useState('');
  useEffect(() => {
    setMine(d.mine);
    setTally(g.tally);
  }, [d, g.tally]);
  const vote = async (choice: VoteChoice): Promise<void> => {
    setBusy(true);
    setError(null);
    setSaid('');
    try {
      const r = await api('PUT /api/goals/:id/vote', { params: { id: g.id }, body: { choice } });
      setMine(r.mine);
      setTally(r.tally);
      setSaid(
        `Your vote: ${VOTE_LABEL[r.mine].toLowerCase()}. You may change it until the vote closes.`,
      );
      onVoted();
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="section" aria-labelledby="goal-votes">
      <h2 id="goal-votes">Votes</h2>
      <p data-testid="goal-tally">
        <strong>{tally.support}</strong> support, <strong>{tally.oppose}</strong> oppose,{' '}
        <strong>{tally.abstain}</strong> abstain
        {g.state === 'voting' ? ' so far' : ''}.
      </p>
      <p className="muted">
        The group’s clinicians and champions vote. Only the counts are shown: who voted how is kept
        by nobody’s name and shown to nobody. A goal is adopted when at least {g.min_votes} people
        have voted (or everyone who may, if the group is smaller
        {g.group_size !== null ? `: ${g.group_size} here, so ${quorum}` : ''}) and support
        outnumbers opposition.{' '}
        {g.state === 'voting'
          ? `Voting closes ${zoned(g.closes_at, tz)} (${tz}).`
          : g.decided_at
            ? `The vote closed ${zoned(g.decided_at, tz)} (${tz}): ${GOAL_STATE_LABEL[g.state].toLowerCase()}.`
            : ''}
      </p>
      {d.may_vote ? (
        <div className="vote-buttons" role="group" aria-label="Your vote">
          {VOTE_CHOICES.map((c) => (
            <button
              key={c}
              type="button"
              className={mine === c ? '' : 'secondary'}
              aria-pressed={mine === c}
              disabled={busy}
              onClick={() => void vote(c)}
            >
              {VOTE_LABEL[c]}
            </button>
          ))}
        </div>
      ) : g.state === 'voting' ? (
        <p className="muted">
          You do not vote on this goal: its group’s clinicians and champions do.
        </p>
      ) : null}
      <div role="status" aria-live="polite">
        {said ? <p className="ok">{said}</p> : null}
      </div>
      {error ? <ErrorBox error={error} /> : null}
    </section>
  );
}

function Comments({
  d,
  tz,
  onAdded,
}: {
  d: GoalDetail;
  tz: string;
  onAdded: () => void;
}): ReactNode {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const id = useId();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST /api/goals/:id/comments', { params: { id: d.goal.id }, body: { text } });
      setText('');
      onAdded();
    } catch (err) {
      setError(errorOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="section" aria-labelledby="goal-comments">
      <h2 id="goal-comments">Discussion</h2>
      {d.comments.length ? (
        <ul className="comments">
          {d.comments.map((c) => (
            <li key={c.id}>
              <p className="muted">
                <strong>{c.author}</strong>, {zoned(c.created_at, tz)}
              </p>
              <p>{c.text}</p>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No comments yet.</p>
      )}
      {d.may_comment ? (
        <form className="help-form" onSubmit={(e) => void submit(e)} aria-label="Add a comment">
          <div className="field grow">
            <label htmlFor={id}>Your comment</label>
            <p id={`${id}-hint`} className="help no-phi">
              {NO_PATIENT_DETAILS}
            </p>
            <textarea
              id={id}
              value={text}
              onChange={(e) => setText(e.target.value)}
              maxLength={4000}
              rows={2}
              required
              aria-describedby={`${id}-hint`}
            />
          </div>
          <button type="submit" disabled={busy || !text.trim()}>
            {busy ? 'Sending…' : 'Comment'}
          </button>
        </form>
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
    </section>
  );
}

function Withdraw({ id, onDone }: { id: string; onDone: () => void }): ReactNode {
  const [error, setError] = useState<ApiError | null>(null);
  const withdraw = async (): Promise<void> => {
    if (!window.confirm('Withdraw this goal? Voting stops and it is no longer tracked.')) return;
    setError(null);
    try {
      await api('POST /api/goals/:id/withdraw', { params: { id } });
      onDone();
    } catch (e) {
      setError(errorOf(e));
    }
  };
  return (
    <>
      <p>
        <button type="button" className="secondary" onClick={() => void withdraw()}>
          Withdraw this goal
        </button>
      </p>
      {error ? <ErrorBox error={error} /> : null}
    </>
  );
}

// --- the proposal form ---------------------------------------------------------------------------

interface GroupChoice {
  by: GoalGroupBy;
  value: string;
}

/**
 * The groups the caller may propose for: any group for an administrator; for everyone else every
 * group they belong to, as the server says (`me.member_of`: their clinician's department,
 * specialty and role, the groups a leader or champion serves, and the organisation).
 */
function groupChoices(me: Me, meta: Meta): GroupChoice[] {
  const out: GroupChoice[] = [];
  const add = (by: GoalGroupBy, value: string): void => {
    if (!out.some((g) => g.by === by && g.value === value)) out.push({ by, value });
  };
  if (me.role === 'admin') {
    for (const v of meta.departments) add('department', v);
    for (const v of meta.specialties) add('specialty', v);
    for (const v of meta.roles) add('role', v);
    add('org', ORG_GROUP_VALUE);
  }
  for (const g of me.member_of) add(g.by, g.value);
  return out;
}

interface Draft {
  metric: GoalMetric;
  tool: string;
  /** The survey of a survey score (its id). */
  survey: string;
  group: string;
  direction: Direction;
  target: string;
  target_date: string;
  title: string;
  rationale: string;
}

/** A group as one option's value. */
const groupKey = (g: GroupChoice): string => JSON.stringify([g.by, g.value]);

function ProposeGoal({ me, meta }: { me: Me; meta: Meta }): ReactNode {
  const groups = useMemo(() => groupChoices(me, meta), [me, meta]);
  const tools = useApi('GET /api/tools');
  // Only the roles that read survey results list surveys (and may set goals on their scores).
  const surveysOk = mayReadSurveys(me);
  const surveys = useApi('GET /api/surveys', surveysOk ? {} : null);
  const [draft, setDraft] = useState<Draft>({
    metric: 'ehr_time8',
    tool: '',
    survey: '',
    group: '',
    direction: 'decrease',
    target: '',
    target_date: '',
    title: '',
    rationale: '',
  });
  const set = <K extends keyof Draft>(k: K, v: Draft[K]): void =>
    setDraft((d) => ({ ...d, [k]: v }));
  const group = groups.find((g) => groupKey(g) === draft.group) ?? groups[0];
  const share = isShareMetric(draft.metric);
  const scored = isSurveyMetric(draft.metric);
  // A survey score reads a survey of its instrument; drafts have no answers yet.
  const surveyChoices = (surveys.data?.surveys ?? []).filter(
    (x) => x.instrument === surveyInstrumentOf(draft.metric) && x.state !== 'draft',
  );
  const [preview, setPreview] = useState<{ key: string; p: GoalPreview } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [problem, setProblem] = useState('');
  const ids = useId();

  const body = (): GoalProposalIn | null => {
    const t = Number(draft.target);
    if (!group || draft.target.trim() === '' || !Number.isFinite(t)) return null;
    return {
      metric: draft.metric,
      ...(draft.tool && !scored ? { tool: draft.tool } : {}),
      ...(draft.survey && scored ? { survey: draft.survey } : {}),
      group_by: group.by,
      group_value: group.value,
      direction: draft.direction,
      // A share is typed as a percentage and sent as a fraction.
      target: share ? t / 100 : t,
      target_date: draft.target_date,
      title: draft.title.trim(),
      rationale: draft.rationale.trim(),
    };
  };
  const current = body();
  const key = JSON.stringify(current);
  const fresh = preview !== null && preview.key === key;

  const check = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(null);
    setProblem('');
    if (!current) {
      setProblem('Give a target as a number.');
      return;
    }
    if (share && !draft.tool) {
      setProblem('An adoption share needs the tool it measures.');
      return;
    }
    if (scored && !draft.survey) {
      setProblem('A survey score needs the survey it measures.');
      return;
    }
    setBusy(true);
    try {
      const p = await api('POST /api/goals/preview', { body: current });
      setPreview({ key, p });
    } catch (err) {
      setError(errorOf(err));
    } finally {
      setBusy(false);
    }
  };
  const propose = async (): Promise<void> => {
    if (!current || !fresh) return;
    setBusy(true);
    setError(null);
    try {
      const g = await api('POST /api/goals', { body: current });
      window.location.hash = href(['goals', g.id]);
    } catch (err) {
      setError(errorOf(err));
    } finally {
      setBusy(false);
    }
  };

  if (!mayPropose(me))
    return (
      <>
        <PageHeader title="Propose a goal" question="What should our group aim for?" />
        <p className="error" role="alert">
          Your role ({me.role}) does not propose goals: clinicians, champions, leaders and
          administrators do.
        </p>
      </>
    );
  const header = (
    <PageHeader title="Propose a goal" question="What should our group aim for, and by when?">
      <a className="button secondary" href={href(['goals'])}>
        All goals
      </a>
    </PageHeader>
  );
  return (
    <>
      {header}
      <p className="lede">
        Your group’s clinicians and champions will discuss it and vote. Before you submit, Uptake
        shows the baseline the goal starts from and whether the target could be told apart from
        ordinary week-to-week variation.
      </p>
      <form
        className="goal-form section"
        onSubmit={(e) => void check(e)}
        aria-label="Propose a goal"
      >
        <Select
          label="Metric"
          value={draft.metric}
          onChange={(v) => setDraft((d) => ({ ...d, metric: v as GoalMetric, survey: '' }))}
        >
          {[...GOAL_METRIC_CHOICES, ...(surveysOk ? GOAL_SURVEY_CHOICES : [])].map((k) => (
            <option key={k} value={k}>
              {info(k).label} — {info(k).short}
            </option>
          ))}
        </Select>
        <p className="help">{definitionOf(draft.metric, undefined)}</p>
        {scored ? (
          <Select label="Survey (required)" value={draft.survey} onChange={(v) => set('survey', v)}>
            <option value="">
              {surveyChoices.length
                ? 'choose a survey'
                : `no open or closed ${surveyInstrumentOf(draft.metric).toUpperCase()} survey`}
            </option>
            {surveyChoices.map((x) => (
              <option key={x.id} value={x.id}>
                {x.title} ({x.state}, {x.responses} responses)
              </option>
            ))}
          </Select>
        ) : (
          <Select
            label={share ? 'Tool (required)' : 'Tool whose go-live it follows (optional)'}
            value={draft.tool}
            onChange={(v) => set('tool', v)}
          >
            <option value="">{share ? 'choose a tool' : 'none'}</option>
            {(tools.data ?? []).map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </Select>
        )}
        <Select
          label="Group"
          value={group ? groupKey(group) : ''}
          onChange={(v) => set('group', v)}
        >
          {groups.map((g) => (
            <option key={groupKey(g)} value={groupKey(g)}>
              {g.by === 'org' ? 'The whole organisation' : `${GOAL_GROUP_LABEL[g.by]}: ${g.value}`}
            </option>
          ))}
        </Select>
        <fieldset>
          <legend>Direction</legend>
          {(['decrease', 'increase'] as const).map((d) => (
            <label className="check" key={d}>
              <input
                type="radio"
                name="direction"
                value={d}
                checked={draft.direction === d}
                onChange={() => set('direction', d)}
              />
              {DIRECTION_LABEL[d]}
            </label>
          ))}
        </fieldset>
        <label>
          Target (
          {share
            ? '%'
            : scored
              ? 'points'
              : info(draft.metric).unit === 'per8'
                ? 'hours per 8 scheduled hours'
                : info(draft.metric).unit}
          )
          <input
            type="number"
            step="any"
            inputMode="decimal"
            value={draft.target}
            onChange={(e) => set('target', e.target.value)}
            required
          />
        </label>
        <label>
          Target date
          <input
            type="date"
            value={draft.target_date}
            onChange={(e) => set('target_date', e.target.value)}
            aria-describedby={`${ids}-date`}
            required
          />
        </label>
        <p className="help" id={`${ids}-date`}>
          After the vote closes; the goal is judged on the 4 whole weeks before it.
        </p>
        <label>
          Title
          <input
            value={draft.title}
            onChange={(e) => set('title', e.target.value)}
            maxLength={200}
            required
          />
        </label>
        <div className="field">
          <label htmlFor={`${ids}-why`}>Rationale: why this goal, in your words</label>
          <p id={`${ids}-why-hint`} className="help no-phi">
            {NO_PATIENT_DETAILS}
          </p>
          <textarea
            id={`${ids}-why`}
            value={draft.rationale}
            onChange={(e) => set('rationale', e.target.value)}
            maxLength={4000}
            rows={3}
            required
            aria-describedby={`${ids}-why-hint`}
          />
        </div>
        {problem ? (
          <p className="form-problem" role="alert">
            {problem}
          </p>
        ) : null}
        <div className="form-buttons">
          <button type="submit" className={fresh ? 'secondary' : ''} disabled={busy}>
            {busy && !fresh ? 'Checking…' : 'Check and preview'}
          </button>
          <button
            type="button"
            disabled={busy || !fresh}
            onClick={() => void propose()}
            aria-describedby={`${ids}-why-disabled`}
          >
            Propose this goal
          </button>
        </div>
        <p className="help" id={`${ids}-why-disabled`}>
          {fresh
            ? 'The preview below is of this proposal.'
            : 'Check and preview first: the preview shows what the vote will start from.'}
        </p>
      </form>
      {error ? <ErrorBox error={error} /> : null}
      {preview && fresh ? (
        <PreviewBox p={preview.p} draft={current!} tz={meta.timezone} />
      ) : preview ? (
        <p className="muted" role="status">
          The proposal changed since the last preview: check it again.
        </p>
      ) : null}
    </>
  );
}

function PreviewBox({
  p,
  draft,
  tz,
}: {
  p: GoalPreview;
  draft: GoalProposalIn;
  tz: string;
}): ReactNode {
  const metric = draft.metric;
  const chart = useMemo(
    () =>
      goalChart({
        metric,
        series: p.series,
        baseline: p.baseline,
        target: p.suppressed ? null : draft.target,
        small: true,
      }),
    [p, metric, draft.target],
  );
  const quorum = Math.min(p.rules.min_votes, p.group_size);
  return (
    <section className="section preview" aria-labelledby="goal-preview" data-testid="goal-preview">
      <h2 id="goal-preview">Preview</h2>
      {p.warnings.length ? (
        <ul className="warnings">
          {p.warnings.map((w) => (
            <li key={w} className="notice-box warn" data-testid="preview-warning">
              {w}
            </li>
          ))}
        </ul>
      ) : null}
      {p.noise?.within_noise && !p.warnings.some((w) => /week-to-week/.test(w)) ? (
        <p className="notice-box warn" data-testid="preview-warning">
          Cannot be told from week-to-week variation: the smallest change between two 4-week means
          that ordinary weekly variation would not produce is {fmt(metric, p.noise.smallest_change)}
          .
        </p>
      ) : null}
      {p.suppressed ? (
        <p>
          <Suppressed threshold={undefined} />: the group’s numbers are not shown.
        </p>
      ) : (
        <p data-testid="preview-baseline">
          Baseline:{' '}
          {p.baseline ? (
            <>
              <strong>{valueWords(metric, p.baseline.mean)}</strong> (95% CI{' '}
              {fmt(metric, p.baseline.ci95[0])} to {fmt(metric, p.baseline.ci95[1])}), the mean of{' '}
              {p.baseline.n} weekly values, the weeks of {dateWords(p.baseline.weeks.first)} to{' '}
              {dateWords(p.baseline.weeks.last)}; week-to-week variation (standard deviation){' '}
              {fmt(metric, p.baseline.noise)}.
            </>
          ) : (
            `none: fewer than two weeks with a value in the ${p.baseline_weeks} weeks before now.`
          )}{' '}
          Your target: {valueWords(metric, draft.target)}.
          {p.noise && !p.noise.within_noise
            ? ` The change it asks for is larger than the ${fmt(metric, p.noise.smallest_change)} that weekly variation alone could produce.`
            : ''}
        </p>
      )}
      {p.series.length && !p.suppressed ? (
        <Chart
          title={`Recent weekly ${info(metric).label} of the group`}
          summary={chart.summary}
          option={chart.option}
          table={chart.table}
          height={160}
        />
      ) : null}
      <p>
        If proposed now, voting stays open until <strong>{zoned(p.closes_at, tz)}</strong> ({tz}).{' '}
        {p.group_size} {p.group_size === 1 ? 'person' : 'people'} may vote; it is adopted with at
        least {quorum} votes and more support than opposition.
      </p>
    </section>
  );
}
