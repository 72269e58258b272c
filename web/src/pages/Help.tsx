/**
 * Help requests. On My report, a clinician asks the peer champions of their unit for help and
 * sees the answers (`AskForHelp`); the form says beforehand who the question goes to (the
 * champions of their department, specialty or role, else the IT / informatics team). The Help
 * requests page (champions, administrators) answers "who in my unit asked for help, and is anyone
 * waiting?": open requests first, each with an answer box, new ones marked until seen.
 */
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import {
  api,
  ApiError,
  notificationsChanged,
  type ApiQuery,
  type HelpRequest,
  type HelpRoute,
} from '../api.ts';
import { DataTable } from '../components/Chart.tsx';
import { ErrorBox, Loading, PageHeader, Select, type PageProps } from '../components/ui.tsx';
import { zoned } from '../dates.ts';
import { useApi } from '../hooks.ts';
import {
  ChampionCoverage,
  ChampionSuggestions,
  TrainingEffectView,
  TrainingTargetCounts,
} from './Champions.tsx';

export type HelpTopic = HelpRequest['topic'];
type ListStatus = NonNullable<ApiQuery<'GET /api/help-requests'>['status']>;

/** An instant in the organisation's zone, the zone named once where the times are listed. */
const when = (iso: string | null, tz: string): string => (iso ? zoned(iso, tz) : '');

const STATUS: Record<HelpRequest['status'], string> = {
  open: 'Waiting for an answer',
  answered: 'Answered',
  closed: 'Closed',
};

function hours(h: number | null): string {
  if (h === null) return 'no answers yet';
  return h < 1
    ? `${Math.round(h * 60)} minutes`
    : h < 48
      ? `${h.toFixed(1)} hours`
      : `${(h / 24).toFixed(1)} days`;
}

function errorOf(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'NETWORK', String(e));
}

/** Free text is read by people and kept: it must not carry a patient's details. */
export const NO_PATIENT_DETAILS =
  'Do not type patient details (names, record numbers, dates of birth): describe the task, not the patient.';

/**
 * A labelled, required two-line text box that grows with the form, with the warning against
 * patient details as its description.
 */
function TextField(p: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  max: number;
}): ReactNode {
  const id = useId();
  return (
    <div className="field grow">
      <label htmlFor={id}>{p.label}</label>
      <p id={`${id}-hint`} className="help no-phi">
        {NO_PATIENT_DETAILS}
      </p>
      <textarea
        id={id}
        value={p.value}
        onChange={(e) => p.onChange(e.target.value)}
        maxLength={p.max}
        rows={2}
        required
        aria-describedby={`${id}-hint`}
      />
    </div>
  );
}

/** Who a question goes to, in words: the champions' names, or the IT / informatics team. */
export function routeText(r: HelpRoute): string {
  if (r.tier === 'it') return 'the IT / informatics team';
  const names =
    r.names.length > 1 ? `${r.names.slice(0, -1).join(', ')} and ${r.names.at(-1)!}` : r.names[0];
  return `${names ?? ''} (${r.names.length > 1 ? 'champions' : 'champion'} of your ${r.tier}, ${r.group ?? ''})`;
}

/** The clinician's side, at the end of My report. */
export function AskForHelp({
  topic: suggested,
  timezone,
}: {
  topic?: HelpTopic | undefined;
  /** The organisation's time zone: the times shown are in it. */
  timezone: string;
}): ReactNode {
  const topics = useApi('GET /api/help-topics');
  const mine = useApi('GET /api/me/help-requests');
  const route = useApi('GET /api/me/help-route');
  const routeId = useId();
  const [topic, setTopic] = useState<HelpTopic>(suggested ?? 'inbox');
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSent('');
    try {
      const r = await api('POST /api/me/help-requests', { body: { topic, message } });
      setMessage('');
      // A new request always says where it went (`route`); the schema shares its type with lists.
      setSent(`Sent${r.route ? ` to ${routeText(r.route)}` : ''}. The answer will appear here.`);
      mine.reload();
    } catch (err) {
      setError(errorOf(err));
    } finally {
      setBusy(false);
    }
  };
  const close = async (id: string): Promise<void> => {
    try {
      await api('POST /api/me/help-requests/:id/close', { params: { id } });
      mine.reload();
    } catch (err) {
      setError(errorOf(err));
    }
  };
  return (
    <section className="section no-print" aria-labelledby="ask-help">
      <h2 id="ask-help">Ask a peer champion</h2>
      <p>
        A peer champion — a colleague who knows the system well — can show you a shortcut, a setting
        or a template; where your unit has no champion yet, the IT / informatics team answers.
        Whoever answers sees your name, your unit and your question, never your numbers.
      </p>
      {route.data ? (
        <p id={routeId} data-testid="help-route">
          Your question goes to: <strong>{routeText(route.data)}</strong>
          {route.data.tier === 'it'
            ? ' — no champion covers your department, specialty or role yet.'
            : '.'}
        </p>
      ) : null}
      <form className="help-form" onSubmit={(e) => void submit(e)} aria-label="Ask for help">
        <Select label="Topic" value={topic} onChange={(v) => setTopic(v as HelpTopic)}>
          {(topics.data ?? []).map((t) => (
            <option key={t.topic} value={t.topic}>
              {t.label}
            </option>
          ))}
        </Select>
        <TextField label="Your question" value={message} onChange={setMessage} max={1000} />
        <button
          type="submit"
          disabled={busy || !message.trim()}
          aria-describedby={route.data ? routeId : undefined}
        >
          {busy ? 'Sending…' : 'Send'}
        </button>
      </form>
      <div role="status" aria-live="polite">
        {sent ? <p className="ok">{sent}</p> : null}
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {mine.data?.requests.length ? (
        <>
          <h3>My requests</h3>
          <p className="muted">Times in {timezone}.</p>
          <ul className="help-list">
            {mine.data.requests.map((r) => (
              <li key={r.id} data-help={r.status}>
                <p>
                  <strong>{STATUS[r.status]}</strong> · asked {when(r.created_at, timezone)}:{' '}
                  {r.message}
                </p>
                {r.answer ? (
                  <p className="answer">
                    <strong>{r.answered_by}</strong> ({when(r.answered_at, timezone)}): {r.answer}
                  </p>
                ) : null}
                {r.status !== 'closed' ? (
                  <button type="button" className="link-button" onClick={() => void close(r.id)}>
                    Close this request
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

/** The champions' page (and IT's: the requests sent to it; administrators': all). */
export function HelpPage({ me, meta }: PageProps): ReactNode {
  const [status, setStatus] = useState<ListStatus>('all');
  const list = useApi('GET /api/help-requests', { query: { status } });
  const topics = useApi('GET /api/help-topics');
  // Shown is seen: the new ones keep their marker on this page, their notifications are read.
  useEffect(() => {
    const ids = (list.data?.requests ?? []).filter((r) => r.unread).map((r) => r.id);
    if (!ids.length) return;
    api('POST /api/help-requests/read', { body: { ids } }).then(
      notificationsChanged,
      () => undefined,
    );
  }, [list.data]);
  const label = (t: string) => topics.data?.find((x) => x.topic === t)?.label ?? t;
  const s = list.data?.summary;
  return (
    <>
      <PageHeader
        title="Help requests"
        question={
          me.role === 'it'
            ? 'Who asked the IT / informatics team for help, and is anyone still waiting?'
            : 'Who in my unit asked for help, and is anyone still waiting?'
        }
      >
        <Select label="Show" value={status} onChange={(v) => setStatus(v as ListStatus)}>
          <option value="all">All</option>
          <option value="open">Waiting for an answer</option>
          <option value="answered">Answered</option>
          <option value="closed">Closed</option>
        </Select>
      </PageHeader>
      {list.error ? <ErrorBox error={list.error} /> : null}
      {!list.data && !list.error ? <Loading what="the help requests" /> : null}
      {s ? (
        <p className="lede" data-testid="help-summary">
          <strong>{s.open}</strong> waiting for an answer, {s.answered} answered, {s.closed} closed.
          Median time to a first answer: {hours(s.median_hours_to_answer)}. Times in {meta.timezone}
          .
        </p>
      ) : null}
      {me.role === 'admin' ? (
        <>
          <Coverage />
          <ChampionSuggestions />
          <ChampionCoverage />
          <TrainingEffectView />
        </>
      ) : null}
      {/* Counts per unit are for those who lead units: not IT, who triage the organisation's. */}
      {me.role === 'it' ? null : <TrainingTargetCounts />}
      {list.data && !list.data.requests.length ? (
        <p>
          No requests{status === 'all' ? '' : ' of this kind'}{' '}
          {me.role === 'it'
            ? 'sent to the IT / informatics team.'
            : 'from the clinicians of your groups.'}
        </p>
      ) : null}
      <ul className="help-list">
        {(list.data?.requests ?? []).map((r) => (
          <HelpItem
            key={r.id}
            r={r}
            topic={label(r.topic)}
            onDone={list.reload}
            timezone={meta.timezone}
          />
        ))}
      </ul>
    </>
  );
}

/** Administrators: which departments have a champion, and where requests wait. */
function Coverage(): ReactNode {
  const cov = useApi('GET /api/help-coverage');
  if (cov.error) return <ErrorBox error={cov.error} />;
  if (!cov.data) return <Loading what="the champion coverage" />;
  const covered = cov.data.filter((r) => r.champions.length).length;
  return (
    <section className="section" aria-labelledby="coverage">
      <h2 id="coverage">Champion coverage</h2>
      <p data-testid="coverage-summary">
        <strong>
          {covered} of {cov.data.length}
        </strong>{' '}
        departments have a champion
        {covered < cov.data.length
          ? `; without one: ${cov.data
              .filter((r) => !r.champions.length)
              .map((r) => r.department)
              .join(', ')}`
          : ''}
        . Add a champion for a department on the Settings page (role champion, with the department
        as their group).
      </p>
      <DataTable
        caption="Departments, their champions and the requests waiting"
        data={{
          columns: ['Department', 'Clinicians', 'Champions', 'Waiting requests'],
          rows: cov.data.map((r) => [
            r.department,
            r.clinicians,
            r.champions.join(', ') || 'none',
            r.open_requests,
          ]),
        }}
      />
    </section>
  );
}

function HelpItem({
  r,
  topic,
  onDone,
  timezone,
}: {
  r: HelpRequest;
  topic: string;
  onDone: () => void;
  timezone: string;
}): ReactNode {
  const [answer, setAnswer] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const id = useId();
  const send = async (close: boolean): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await api('POST /api/help-requests/:id/answer', {
        params: { id: r.id },
        body: { answer, close },
      });
      setAnswer('');
      onDone();
    } catch (err) {
      setError(errorOf(err));
    } finally {
      setBusy(false);
    }
  };
  const who = r.name ?? r.user_id;
  return (
    <li data-help={r.status} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`} className="help-title">
        {r.unread ? (
          <>
            <span className="new-marker" data-testid="help-new">
              New
            </span>{' '}
          </>
        ) : null}
        {who}
        {r.department ? `, ${r.department}` : ''} — {topic}
      </h2>
      <p>
        <strong>{STATUS[r.status]}</strong> · asked {when(r.created_at, timezone)} ({timezone})
        {r.routed_to === 'it'
          ? ' · sent to the IT / informatics team: no champion covers this clinician’s unit'
          : r.routed_to
            ? ` · sent to the champions of their ${r.routed_to}`
            : ''}
      </p>
      <blockquote>{r.message}</blockquote>
      {r.answer ? (
        <p className="answer">
          <strong>{r.answered_by}</strong> ({when(r.answered_at, timezone)}): {r.answer}
        </p>
      ) : null}
      {r.status !== 'closed' ? (
        <form
          className="help-form"
          aria-label={`Answer ${who}`}
          onSubmit={(e) => {
            e.preventDefault();
            void send(false);
          }}
        >
          <TextField
            label={r.answer ? 'Change the answer' : 'Your answer'}
            value={answer}
            onChange={setAnswer}
            max={2000}
          />
          <button type="submit" disabled={busy || !answer.trim()}>
            Answer
          </button>
          <button type="button" disabled={busy || !answer.trim()} onClick={() => void send(true)}>
            Answer and close
          </button>
        </form>
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
    </li>
  );
}
