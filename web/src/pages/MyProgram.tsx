/**
 * The buy-in program on My report (docs/program.md): "Goals for your group" — the open votes the
 * clinician may cast, at most three, newest first, each a click away — and "You asked, we did":
 * what IT has done of what the clinician's unit asked for.
 */
import { useState, type ReactNode } from 'react';
import { api, ApiError, type FeedbackDone, type MyGoals } from '../api.ts';
import { ErrorBox } from '../components/ui.tsx';
import { dateWords, zoned } from '../dates.ts';
import { href, useApi } from '../hooks.ts';
import { fmt } from '../metrics.ts';
import {
  KIND_LABEL,
  VOTE_CHOICES,
  VOTE_LABEL,
  goalAim,
  groupWords,
  valueWords,
  type VoteChoice,
} from '../program.ts';

type MyGoal = MyGoals['goals'][number];

export function GoalsForMyGroup({ timezone }: { timezone: string }): ReactNode {
  const goals = useApi('GET /api/me/goals');
  return (
    <section className="section no-print" aria-labelledby="my-goals">
      <h2 id="my-goals">Goals for your group</h2>
      {goals.error ? <ErrorBox error={goals.error} /> : null}
      {!goals.data && !goals.error ? (
        <p className="loading" role="status">
          Loading the goals open for your vote…
        </p>
      ) : null}
      {goals.data && !goals.data.goals.length ? (
        <p>
          No goal of your groups is open for votes. <a href={href(['goals'])}>See all goals</a>, or
          propose one.
        </p>
      ) : null}
      {goals.data?.goals.length ? (
        <>
          <p className="muted">
            Proposed by colleagues; you may change your vote until the vote closes. Only the counts
            are shown, never who voted how.
          </p>
          <ul className="goal-list">
            {goals.data.goals.slice(0, 3).map((g) => (
              <MyGoalRow key={g.id} g={g} tz={timezone} />
            ))}
          </ul>
          <p>
            <a href={href(['goals'])}>All goals</a>
          </p>
        </>
      ) : null}
    </section>
  );
}

function MyGoalRow({ g, tz }: { g: MyGoal; tz: string }): ReactNode {
  const [mine, setMine] = useState<VoteChoice | null>(g.mine);
  const [tally, setTally] = useState(g.tally);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const vote = async (choice: VoteChoice): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const r = await api('PUT /api/goals/:id/vote', { params: { id: g.id }, body: { choice } });
      setMine(r.mine);
      setTally(r.tally);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'NETWORK', String(e)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li data-goal={g.id}>
      <h3 className="goal-title">
        <a href={href(['goals', g.id])}>{g.title}</a>
      </h3>
      <p>
        For {groupWords(g)}: {goalAim(g)}.{' '}
        {g.suppressed
          ? ''
          : g.baseline !== null
            ? `Baseline ${valueWords(g.metric, g.baseline)} (95% CI ${fmt(g.metric, g.baseline_low)} to ${fmt(g.metric, g.baseline_high)}).`
            : 'No baseline yet.'}
        {g.within_noise ? ' Cannot be told from week-to-week variation.' : ''}
      </p>
      <div className="vote-buttons" role="group" aria-label={`Your vote on ${g.title}`}>
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
      <p className="muted" role="status" aria-live="polite">
        {mine ? `Your vote: ${VOTE_LABEL[mine].toLowerCase()}. ` : ''}
        So far {tally.support} support, {tally.oppose} oppose, {tally.abstain} abstain; closes{' '}
        {zoned(g.closes_at, tz)} ({tz}).
      </p>
      {error ? <ErrorBox error={error} /> : null}
    </li>
  );
}

/** "You asked, we did" for my unit (or, on a group page, for `department`). */
export function YouAskedWeDid({
  timezone,
  department,
}: {
  timezone: string;
  department?: string;
}): ReactNode {
  const done = useApi('GET /api/feedback/done', { query: department ? { department } : {} });
  if (done.error && (done.error.status === 404 || done.error.status === 400)) return null;
  return (
    <section className="section no-print" aria-labelledby="we-did">
      <h2 id="we-did">You asked, we did{done.data ? `: ${done.data.unit}` : ''}</h2>
      {done.error ? <ErrorBox error={done.error} /> : null}
      {!done.data && !done.error ? (
        <p className="loading" role="status">
          Loading what IT has done…
        </p>
      ) : null}
      {done.data ? <DoneList d={done.data} tz={timezone} /> : null}
    </section>
  );
}

function DoneList({ d, tz }: { d: FeedbackDone; tz: string }): ReactNode {
  if (!d.items.length && !d.private_done)
    return <p>Nothing done yet of what {d.unit} asked for. Use “Tell IT” on any page.</p>;
  return (
    <>
      {d.items.length ? (
        <ul className="done-list">
          {d.items.slice(0, 5).map((i) => (
            <li key={i.id} data-done={i.id}>
              <p>
                <strong>{KIND_LABEL[i.kind]}</strong>
                {i.text ? `: ${i.text}` : ''}{' '}
                <span className="muted">
                  — done {dateWords(zoned(i.done_at, tz).slice(0, 10))}, {i.votes} “me too”
                </span>
              </p>
              {i.answer ? <p className="answer">IT: {i.answer}</p> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {d.private_done ? (
        <p className="muted" data-testid="private-done">
          {d.items.length ? 'And ' : ''}
          {d.private_done} private item{d.private_done === 1 ? '' : 's'} of the unit{' '}
          {d.items.length ? '' : d.private_done === 1 ? 'is ' : 'are '}done (counted, never shown:
          only their authors and IT read them).
        </p>
      ) : null}
    </>
  );
}
