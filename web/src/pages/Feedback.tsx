/**
 * Feedback to IT (docs/program.md §Feedback). "My feedback": what I sent, where each item stands,
 * its history and IT's answers, and — once an item is closed — the one question "did this help?";
 * the items my unit shared, with "me too". One item's page serves its author, its unit and the IT
 * team alike: what each may do is the server's `may`; IT's controls (state, priority, assignee,
 * answer, merge) are on it too, reached from the triage board.
 */
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import {
  api,
  ApiError,
  notificationsChanged,
  type FeedbackDetail,
  type FeedbackItem,
  type Me,
  type Meta,
} from '../api.ts';
import { ErrorBox, Loading, PageHeader, Select, type PageProps } from '../components/ui.tsx';
import { zoned } from '../dates.ts';
import { href, useApi } from '../hooks.ts';
import { info } from '../metrics.ts';
import {
  asksRating,
  businessHours,
  isClosed,
  KIND_LABEL,
  PRIORITIES,
  PRIORITY_LABEL,
  stateWords,
  type FeedbackPriority,
  type FeedbackState,
} from '../program.ts';
import { openTellIt } from '../components/TellIt.tsx';
import { NO_PATIENT_DETAILS } from './Help.tsx';
import { BeforeAfter } from './GoLive.tsx';

const errorOf = (e: unknown): ApiError =>
  e instanceof ApiError ? e : new ApiError(0, 'NETWORK', String(e));

const isTriager = (me: Me): boolean => me.role === 'it' || me.role === 'admin';

export function FeedbackPage({
  me,
  meta,
  sub,
}: PageProps & { sub: string | undefined }): ReactNode {
  if (sub) return <FeedbackView id={sub} me={me} meta={meta} back={['feedback']} />;
  return <MyFeedback me={me} meta={meta} />;
}

function MyFeedback({ me, meta }: { me: Me; meta: Meta }): ReactNode {
  const mine = useApi('GET /api/feedback', { query: { scope: 'mine' } });
  // IT and administrators read every item: their board is the triage page.
  const unit = useApi('GET /api/feedback', isTriager(me) ? null : { query: { scope: 'readable' } });
  const others = (unit.data?.items ?? []).filter((i) => i.author !== me.username);
  return (
    <>
      <PageHeader title="My feedback" question="What did I tell IT, and what became of it?">
        <button type="button" onClick={() => openTellIt()}>
          Tell IT something new
        </button>
      </PageHeader>
      <p className="lede">
        Every change of state is kept and you hear of each one (the bell at the top). When an item
        is closed you are asked once whether it helped; times are in {meta.timezone}.
      </p>
      <section className="section" aria-labelledby="fb-mine">
        <h2 id="fb-mine">Sent by me</h2>
        {mine.error ? <ErrorBox error={mine.error} /> : null}
        {!mine.data && !mine.error ? <Loading what="your feedback" /> : null}
        {mine.data && !mine.data.items.length ? (
          <p>You have not sent any feedback yet. Use “Tell IT” on any page.</p>
        ) : null}
        {mine.data?.items.length ? (
          <ul className="feedback-list">
            {mine.data.items.map((i) => (
              <FeedbackRow key={i.id} item={i} me={me} tz={meta.timezone} onChange={mine.reload} />
            ))}
          </ul>
        ) : null}
      </section>
      {!isTriager(me) ? (
        <section className="section" aria-labelledby="fb-unit">
          <h2 id="fb-unit">Shared by my unit</h2>
          <p className="muted">
            Items colleagues of your department chose to share with the unit. Say “me too” to add
            your voice: you then hear of every change as well.
          </p>
          {unit.error ? <ErrorBox error={unit.error} /> : null}
          {!unit.data && !unit.error ? <Loading what="your unit's feedback" /> : null}
          {unit.data && !others.length ? <p>Nothing shared by your unit yet.</p> : null}
          {others.length ? (
            <ul className="feedback-list">
              {others.map((i) => (
                <FeedbackRow
                  key={i.id}
                  item={i}
                  me={me}
                  tz={meta.timezone}
                  onChange={unit.reload}
                />
              ))}
            </ul>
          ) : null}
        </section>
      ) : null}
    </>
  );
}

/** The first words of an item's text, for lists. */
export function excerpt(text: string, n = 140): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

function FeedbackRow({
  item,
  me,
  tz,
  onChange,
}: {
  item: FeedbackItem;
  me: Me;
  tz: string;
  onChange: () => void;
}): ReactNode {
  const mineItem = item.author === me.username;
  const mayMeToo = !mineItem && item.visibility === 'unit' && !isClosed(item.state);
  return (
    <li data-feedback={item.id} data-state={item.state}>
      <h3 className="feedback-title">
        <a href={href(['feedback', item.id])}>
          {KIND_LABEL[item.kind]}: {excerpt(item.text, 80)}
        </a>{' '}
        <span className={`state state-${item.state}`}>{stateWords(item.state, false)}</span>
      </h3>
      <p className="muted">
        Sent {zoned(item.created_at, tz)}
        {mineItem ? '' : ` by ${item.author}`} ·{' '}
        {item.visibility === 'unit' ? 'shared with the unit' : 'private'} · {item.votes} “me too”
        {item.priority ? ` · priority ${PRIORITY_LABEL[item.priority].toLowerCase()}` : ''}
      </p>
      {asksRating(item, me) ? <DidItHelp item={item} onDone={onChange} /> : null}
      {mayMeToo ? <MeToo item={item} onDone={onChange} /> : null}
    </li>
  );
}

/** "Did this help?", asked once after the item closed. */
function DidItHelp({ item, onDone }: { item: FeedbackItem; onDone: () => void }): ReactNode {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const rate = async (rating: 'helped' | 'did_not_help'): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await api('POST /api/feedback/:id/rating', { params: { id: item.id }, body: { rating } });
      notificationsChanged();
      onDone();
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="did-it-help" role="group" aria-label="Did this help?" data-testid="did-it-help">
      <p>
        <strong>Did this help?</strong>{' '}
        {item.state === 'done'
          ? 'If not, the item is reopened and IT looks at it again.'
          : 'Your answer tells IT how well they answer.'}
      </p>
      <button type="button" disabled={busy} onClick={() => void rate('helped')}>
        Yes, it helped
      </button>{' '}
      <button
        type="button"
        className="secondary"
        disabled={busy}
        onClick={() => void rate('did_not_help')}
      >
        No, it did not help
      </button>
      {error ? <ErrorBox error={error} /> : null}
    </div>
  );
}

function MeToo({ item, onDone }: { item: FeedbackItem; onDone: () => void }): ReactNode {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const toggle = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      if (item.voted) await api('DELETE /api/feedback/:id/vote', { params: { id: item.id } });
      else await api('POST /api/feedback/:id/vote', { params: { id: item.id } });
      onDone();
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className={item.voted ? '' : 'secondary'}
        aria-pressed={item.voted}
        disabled={busy}
        onClick={() => void toggle()}
      >
        Me too ({item.votes})
      </button>
      {error ? <ErrorBox error={error} /> : null}
    </>
  );
}

// --- one item ------------------------------------------------------------------------------------

export function FeedbackView({
  id,
  me,
  meta,
  back,
}: {
  id: string;
  me: Me;
  meta: Meta;
  /** Where "back" leads: My feedback or the triage board. */
  back: string[];
}): ReactNode {
  const detail = useApi('GET /api/feedback/:id', { params: { id } });
  const backLink = (
    <a className="button secondary" href={href(back)}>
      {back[0] === 'triage' ? 'Triage board' : 'My feedback'}
    </a>
  );
  if (detail.error)
    return (
      <>
        <PageHeader title="Feedback" question="What was asked, and what became of it?">
          {backLink}
        </PageHeader>
        <ErrorBox error={detail.error} />
      </>
    );
  if (!detail.data)
    return (
      <>
        <PageHeader title="Feedback" question="What was asked, and what became of it?">
          {backLink}
        </PageHeader>
        <Loading what="the item" />
      </>
    );
  return (
    <ItemBody
      d={detail.data}
      me={me}
      tz={meta.timezone}
      backLink={backLink}
      reload={detail.reload}
    />
  );
}

function linksOf(i: FeedbackItem): string[] {
  const out: string[] = [];
  if (i.link_page) out.push(`page ${i.link_page}`);
  if (i.link_tool) out.push(`tool ${i.link_tool}`);
  if (i.link_golive_by)
    out.push(
      `go-live of ${i.link_tool ?? 'the tool'} in ${i.link_golive_by === 'org' ? 'the whole organisation' : i.link_golive_value}`,
    );
  if (i.link_department) out.push(`department ${i.link_department}`);
  if (i.link_metric) out.push(`metric ${info(i.link_metric).label}`);
  return out;
}

function ItemBody({
  d,
  me,
  tz,
  backLink,
  reload,
}: {
  d: FeedbackDetail;
  me: Me;
  tz: string;
  backLink: ReactNode;
  reload: () => void;
}): ReactNode {
  const i = d.item;
  const forIt = isTriager(me);
  const links = linksOf(i);
  return (
    <>
      <PageHeader
        title={`${KIND_LABEL[i.kind]} ${i.author === me.username ? 'from you' : `from ${i.author}`}`}
        question={`Sent ${zoned(i.created_at, tz)} (${tz}) · ${i.visibility === 'unit' ? `shared with ${i.unit ?? 'the unit'}` : 'private'}`}
      >
        {backLink}
      </PageHeader>
      <p className="goal-status-line">
        <span className={`state state-${i.state}`} data-testid="feedback-state">
          {stateWords(i.state, forIt)}
        </span>
        {i.priority ? (
          <span className="muted"> · priority {PRIORITY_LABEL[i.priority].toLowerCase()}</span>
        ) : null}
        {i.assignee ? <span className="muted"> · assigned to {i.assignee}</span> : null}
        <span className="muted"> · {i.votes} “me too”</span>
        {i.duplicate_of ? (
          <>
            {' '}
            · duplicate of <a href={href(['feedback', i.duplicate_of])}>another item</a>
          </>
        ) : null}
      </p>
      <section className="section" aria-labelledby="fb-text">
        <h2 id="fb-text">What was said</h2>
        <blockquote className="feedback-text">{i.text}</blockquote>
        {links.length ? <p className="muted">Linked to: {links.join('; ')}.</p> : null}
      </section>
      {d.may.rate ? <DidItHelp item={i} onDone={reload} /> : null}
      <Clocks d={d} />
      {i.link_metric ? <Effect key={`${i.id}-${i.state}`} id={i.id} /> : null}
      <History d={d} me={me} tz={tz} />
      {d.may.vote || (i.author !== me.username && !forIt) ? (
        <ReaderActions d={d} onDone={reload} />
      ) : null}
      {d.may.change ? <ItControls d={d} me={me} onDone={reload} /> : null}
      {!d.may.change && d.may.note ? <AuthorNote d={d} onDone={reload} /> : null}
    </>
  );
}

/**
 * §2: an item linked to a metric and a group shows, once done, the metric's weekly values before
 * and after its done date, with the go-live evaluation's estimates and intervals — or why not.
 */
function Effect({ id }: { id: string }): ReactNode {
  const e = useApi('GET /api/feedback/:id/effect', { params: { id } });
  if (e.error) return <ErrorBox error={e.error} />;
  if (!e.data) return <Loading what="the before and after" />;
  const x = e.data;
  const group =
    x.group_by === 'org' ? 'the organisation' : `${x.group_by ?? ''} ${x.group_value ?? ''}`;
  return (
    <section className="section" aria-labelledby="fb-effect" data-effect-status={x.status}>
      <h2 id="fb-effect">Before and after</h2>
      {x.status === 'not_applicable' ? (
        <p className="muted">No before and after: {x.reason}.</p>
      ) : x.status === 'hidden' ? (
        <p className="muted">
          {x.metric_label} in {group} before and after {x.done_date}: not shown — {x.reason}.
        </p>
      ) : (
        <>
          <p className="lede">
            {x.metric_label} in {group}, week by week, before and after this item was done (
            {x.done_date}), evaluated as a go-live: an interrupted time series of the group’s weekly
            values, and a difference in differences against the other{' '}
            {x.group_by === 'org' ? 'groups' : `${x.group_by}s`}. Either can say “insufficient
            data”, with the reason.
          </p>
          {x.reason ? <p className="insufficient">Insufficient data: {x.reason}.</p> : null}
          <BeforeAfter
            metric={x.metric ?? ''}
            summary="median"
            group={group}
            rows={x.series}
            goLive={x.done_date}
            its={x.its}
            did={x.did}
            event="it was done"
            controls={`the other ${x.group_by === 'org' ? 'groups' : `${x.group_by ?? ''}s`}`}
          />
        </>
      )}
    </section>
  );
}

function clockWords(
  c: FeedbackDetail['clocks']['first_response'],
  what: string,
): { text: string; key: string } {
  const status = c.stopped ? (c.overdue ? 'late' : 'within') : c.overdue ? 'overdue' : 'running';
  const words = {
    late: 'stopped after its target',
    within: 'within its target',
    overdue: 'still running, past its target',
    running: 'still running, within its target so far',
  }[status];
  return {
    key: status,
    text: `${what}: ${businessHours(c.hours)} of a target of ${businessHours(c.target_hours)} — ${words}.`,
  };
}

function Clocks({ d }: { d: FeedbackDetail }): ReactNode {
  const first = clockWords(d.clocks.first_response, 'First response');
  const res = d.clocks.resolution ? clockWords(d.clocks.resolution, 'Resolution') : null;
  const shown = [first, ...(res ? [res] : [])];
  return (
    <section className="section" aria-labelledby="fb-clocks">
      <h2 id="fb-clocks">Clocks</h2>
      <ul className="clocks">
        {shown.map((c) => (
          <li key={c.text} className={`clock clock-${c.key}`} data-clock={c.key}>
            <ClockBar
              c={c.text.startsWith('First') ? d.clocks.first_response : d.clocks.resolution!}
            />
            {c.text}
          </li>
        ))}
      </ul>
      <p className="muted">
        In business time: Monday to Friday, 08:00–17:00, without the organisation’s holidays; a
        business day is 9 hours. Both clocks stop while an item waits for the clinician. Targets are
        per priority (
        {d.item.priority ? PRIORITY_LABEL[d.item.priority].toLowerCase() : 'normal until triaged'}).
        {d.clocks.resolution ? '' : ' A duplicate has no resolution clock.'}
      </p>
    </section>
  );
}

/** A bar of the clock's hours against its target (the target at 2/3 of the width). */
function ClockBar({ c }: { c: FeedbackDetail['clocks']['first_response'] }): ReactNode {
  const scale = Math.max(c.hours, c.target_hours * 1.5) || 1;
  return (
    <span className="clock-bar" aria-hidden="true">
      <span
        className={`clock-fill${c.overdue ? ' over' : ''}`}
        style={{ width: `${Math.min(100, (c.hours / scale) * 100)}%` }}
      />
      <span className="clock-target" style={{ left: `${(c.target_hours / scale) * 100}%` }} />
    </span>
  );
}

function eventWords(e: FeedbackDetail['history'][number], forIt: boolean): string {
  switch (e.kind) {
    case 'created':
      return 'sent';
    case 'state':
      return `${e.from_state ? stateWords(e.from_state, forIt) : '—'} → ${e.to_state ? stateWords(e.to_state, forIt) : '—'}`;
    case 'note':
      return e.public ? 'answer' : 'internal note (IT only)';
    case 'priority':
      return `priority ${e.priority ? PRIORITY_LABEL[e.priority].toLowerCase() : 'cleared'}`;
    case 'assign':
      return e.assignee ? `assigned to ${e.assignee}` : 'unassigned';
    case 'rating':
      return e.rating === 'helped'
        ? 'the author said it helped'
        : 'the author said it did not help';
    case 'merged':
      return 'a duplicate was merged into it';
  }
}

function History({ d, me, tz }: { d: FeedbackDetail; me: Me; tz: string }): ReactNode {
  const forIt = isTriager(me);
  return (
    <section className="section" aria-labelledby="fb-history">
      <h2 id="fb-history">History</h2>
      <p className="muted">Every change, oldest first; nothing is overwritten. Times in {tz}.</p>
      <ol className="history">
        {d.history.map((e) => (
          <li key={e.seq} data-event={e.kind} className={e.public ? undefined : 'internal'}>
            <p>
              <span className="muted">{zoned(e.occurred_at, tz)}</span> · <strong>{e.actor}</strong>
              : {eventWords(e, forIt)}
              {e.kind === 'state' && e.priority
                ? ` (priority ${PRIORITY_LABEL[e.priority].toLowerCase()})`
                : ''}
              {e.related && e.kind === 'merged' ? (
                <>
                  {' '}
                  (<a href={href(['feedback', e.related])}>the duplicate</a>)
                </>
              ) : null}
            </p>
            {e.note ? <blockquote>{e.note}</blockquote> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** A unit member's "me too" and a reader's subscription. */
function ReaderActions({ d, onDone }: { d: FeedbackDetail; onDone: () => void }): ReactNode {
  const i = d.item;
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (f: () => Promise<unknown>): Promise<void> => {
    setError(null);
    try {
      await f();
      onDone();
    } catch (e) {
      setError(errorOf(e));
    }
  };
  return (
    <section className="section" aria-labelledby="fb-reader">
      <h2 id="fb-reader">Follow this item</h2>
      <div className="form-buttons">
        {d.may.vote ? (
          <button
            type="button"
            className={i.voted ? '' : 'secondary'}
            aria-pressed={i.voted}
            onClick={() =>
              void run(() =>
                i.voted
                  ? api('DELETE /api/feedback/:id/vote', { params: { id: i.id } })
                  : api('POST /api/feedback/:id/vote', { params: { id: i.id } }),
              )
            }
          >
            Me too ({i.votes})
          </button>
        ) : null}
        <button
          type="button"
          className="secondary"
          aria-pressed={i.subscribed}
          onClick={() =>
            void run(() =>
              api('POST /api/feedback/:id/subscribe', {
                params: { id: i.id },
                body: { on: !i.subscribed },
              }),
            )
          }
        >
          {i.subscribed ? 'Stop notices of changes' : 'Notify me of changes'}
        </button>
      </div>
      {error ? <ErrorBox error={error} /> : null}
    </section>
  );
}

/** The author's reply (e.g. while the item waits for them). */
function AuthorNote({ d, onDone }: { d: FeedbackDetail; onDone: () => void }): ReactNode {
  const [note, setNote] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST /api/feedback/:id/change', {
        params: { id: d.item.id },
        body: { note },
      });
      setNote('');
      onDone();
    } catch (err) {
      setError(errorOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="section" aria-labelledby="fb-reply">
      <h2 id="fb-reply">
        {d.item.state === 'waiting' ? 'IT is waiting for your reply' : 'Add a note'}
      </h2>
      <form className="help-form" onSubmit={(e) => void submit(e)} aria-labelledby="fb-reply">
        <div className="field grow">
          <label htmlFor={id}>Your note</label>
          <p id={`${id}-hint`} className="help no-phi">
            {NO_PATIENT_DETAILS}
          </p>
          <textarea
            id={id}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={5000}
            rows={2}
            required
            aria-describedby={`${id}-hint`}
          />
        </div>
        <button type="submit" disabled={busy || !note.trim()}>
          Send note
        </button>
      </form>
      {error ? <ErrorBox error={error} /> : null}
    </section>
  );
}

/** Closing states need an answer in words (and it is always public). */
const NEEDS_ANSWER: readonly FeedbackState[] = ['done', 'declined'];

/** IT's controls: state with a note or answer, priority, assignee, merge as duplicate. */
function ItControls({
  d,
  me,
  onDone,
}: {
  d: FeedbackDetail;
  me: Me;
  onDone: () => void;
}): ReactNode {
  const i = d.item;
  const [to, setTo] = useState<FeedbackState | ''>('');
  const [priority, setPriority] = useState<FeedbackPriority | ''>(i.priority ?? '');
  const [assignee, setAssignee] = useState(i.assignee ?? '');
  const [note, setNote] = useState('');
  const [internal, setInternal] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [said, setSaid] = useState('');
  const ids = useId();
  useEffect(() => {
    setPriority(i.priority ?? '');
    setAssignee(i.assignee ?? '');
  }, [i.priority, i.assignee]);
  const needsPriority = to === 'triaged' || to === 'planned' || to === 'in_progress';
  const needsAnswer = to !== '' && NEEDS_ANSWER.includes(to);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaid('');
    try {
      const body = {
        ...(to ? { to } : {}),
        ...(priority && priority !== i.priority ? { priority } : {}),
        ...(assignee.trim() !== (i.assignee ?? '') ? { assignee: assignee.trim() || null } : {}),
        ...(note.trim() ? { note: note.trim() } : {}),
        public: needsAnswer || !internal,
      };
      await api('POST /api/feedback/:id/change', { params: { id: i.id }, body });
      setTo('');
      setNote('');
      setInternal(false);
      setSaid('Saved. The author, the voters and the subscribers are told of a change of state.');
      onDone();
    } catch (err) {
      setError(errorOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="section it-controls" aria-labelledby="fb-it">
      <h2 id="fb-it">Triage</h2>
      <form className="triage-form" onSubmit={(e) => void submit(e)} aria-labelledby="fb-it">
        <Select label="Move to" value={to} onChange={(v) => setTo(v as FeedbackState | '')}>
          <option value="">keep the state ({stateWords(i.state, true).toLowerCase()})</option>
          {d.next_states
            .filter((s) => s !== 'duplicate')
            .map((s) => (
              <option key={s} value={s}>
                {stateWords(s, true)}
              </option>
            ))}
        </Select>
        <Select
          label={needsPriority && !priority ? 'Priority (needed)' : 'Priority'}
          value={priority}
          onChange={(v) => setPriority(v as FeedbackPriority | '')}
        >
          <option value="">{i.priority ? 'keep' : 'none yet'}</option>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {PRIORITY_LABEL[p]}
            </option>
          ))}
        </Select>
        <div className="field">
          <label htmlFor={`${ids}-who`}>Assigned to</label>
          <div className="inline-row">
            <input
              id={`${ids}-who`}
              value={assignee}
              onChange={(e) => setAssignee(e.target.value)}
              maxLength={200}
              placeholder="a user name"
            />
            <button
              type="button"
              className="secondary small"
              onClick={() => setAssignee(me.username)}
            >
              Me
            </button>
          </div>
        </div>
        <div className="field grow">
          <label htmlFor={`${ids}-note`}>
            {needsAnswer ? 'Answer to the author (needed)' : 'Note or answer'}
          </label>
          <p id={`${ids}-hint`} className="help">
            {needsAnswer
              ? 'Done and declined need an answer in words; the author reads it.'
              : internal
                ? 'An internal note: only IT and administrators read it.'
                : 'A public answer: the author reads it (the first one stops the first-response clock).'}
          </p>
          <textarea
            id={`${ids}-note`}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={5000}
            rows={3}
            required={needsAnswer}
            aria-describedby={`${ids}-hint`}
          />
        </div>
        {!needsAnswer ? (
          <label className="check">
            <input
              type="checkbox"
              checked={internal}
              onChange={(e) => setInternal(e.target.checked)}
            />
            Internal note (IT only)
          </label>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </form>
      <div role="status" aria-live="polite">
        {said ? <p className="ok">{said}</p> : null}
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {d.next_states.includes('duplicate') ? <Merge d={d} onDone={onDone} /> : null}
    </section>
  );
}

function Merge({ d, onDone }: { d: FeedbackDetail; onDone: () => void }): ReactNode {
  const open = useApi('GET /api/feedback', {
    query: { state: 'new,triaged,planned,in_progress,waiting,reopened' },
  });
  const [into, setInto] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const ids = useId();
  const others = (open.data?.items ?? []).filter((x) => x.id !== d.item.id);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST /api/feedback/:id/merge', {
        params: { id: d.item.id },
        body: { into, note },
      });
      setNote('');
      onDone();
    } catch (err) {
      setError(errorOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="triage-form merge"
      onSubmit={(e) => void submit(e)}
      aria-labelledby={`${ids}-h`}
    >
      <h3 id={`${ids}-h`}>Merge as a duplicate</h3>
      <p className="help">
        Its “me too” votes and subscribers move to the original; its author hears of it and is asked
        whether it helped.
      </p>
      <Select label="Duplicate of" value={into} onChange={setInto}>
        <option value="">choose the original</option>
        {others.map((x) => (
          <option key={x.id} value={x.id}>
            {KIND_LABEL[x.kind]}: {excerpt(x.text, 60)} ({stateWords(x.state, true).toLowerCase()})
          </option>
        ))}
      </Select>
      <div className="field grow">
        <label htmlFor={`${ids}-why`}>Why it is a duplicate (the author reads it)</label>
        <textarea
          id={`${ids}-why`}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={5000}
          rows={2}
          required
        />
      </div>
      <button type="submit" disabled={busy || !into || !note.trim()}>
        Merge
      </button>
      {error ? <ErrorBox error={error} /> : null}
    </form>
  );
}
