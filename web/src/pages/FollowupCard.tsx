/**
 * One follow-up as its author sees it (engagement.md §3): the chain written → delivered → read →
 * acknowledged with each step's time, the FHIR delivery (and "Try again" after a failure), the
 * patient link to copy or open while it is valid, the text folded, and the patient's questions
 * with a box to answer each.
 */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../api.ts';
import { dateWords, zoned } from '../dates.ts';
import { ITEM_KINDS, LIMITS, problemText, visitLabel, type Followup } from '../followupWords.ts';

const STEPS = [
  ['written_at', 'Written'],
  ['delivered_at', 'Delivered'],
  ['read_at', 'Read'],
  ['acknowledged_at', 'Acknowledged'],
] as const;

export function FollowupCard({
  f,
  timezone,
  onChanged,
}: {
  f: Followup;
  timezone: string;
  /** The follow-up as the server now has it (after a retry or an answer). */
  onChanged: (f: Followup) => void;
}): ReactNode {
  const id = useId();
  const [retryError, setRetryError] = useState('');
  const [copied, setCopied] = useState('');
  const url = f.link ? `${window.location.origin}${f.link}` : null;

  const retry = async (): Promise<void> => {
    setRetryError('');
    try {
      onChanged(await api('POST /api/me/followups/:id/deliver', { params: { id: f.id } }));
    } catch (err) {
      setRetryError(`Delivery failed again: ${problemText(err)}`);
    }
  };

  const copy = async (): Promise<void> => {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setCopied('Link copied.');
    } catch {
      setCopied('Copying did not work here: select the link and copy it.');
    }
  };

  return (
    <article className="followup-card" aria-labelledby={`${id}-h`} data-testid="followup">
      <h4 id={`${id}-h`}>{f.title}</h4>
      <p className="muted">
        Visit of {visitLabel(f.visit_start, f.visit_type, timezone)}
        {f.reading_grade !== null ? ` · reading grade ${f.reading_grade.toFixed(1)}` : ''}
      </p>
      <ol className="chain" aria-label="Where it stands">
        {STEPS.map(([key, label]) => {
          const at = f[key];
          return (
            <li key={key} data-step={key.slice(0, -3)} data-done={at ? 'true' : 'false'}>
              <span className="chain-mark" aria-hidden="true">
                {at ? '✓' : '○'}
              </span>{' '}
              <strong>{label}</strong>
              <span className="chain-when">{at ? zoned(at, timezone) : 'not yet'}</span>
            </li>
          );
        })}
      </ol>
      <p data-testid="fhir-state">
        {f.fhir.state === 'off' ? (
          <>Delivery: patient link only (no EHR or portal connection).</>
        ) : f.fhir.state === 'delivered' ? (
          <>Delivery: written to the EHR or portal.</>
        ) : (
          <>
            <span className="form-problem">Delivery to the EHR or portal failed:</span>{' '}
            {f.fhir.detail ?? 'no reason given.'}{' '}
            <button type="button" className="secondary" onClick={() => void retry()}>
              Try again
            </button>
          </>
        )}
      </p>
      {retryError ? (
        <p className="form-problem" role="alert">
          {retryError}
        </p>
      ) : null}
      {url ? (
        <div className="followup-link">
          <div className="field grow">
            <label htmlFor={`${id}-link`}>Patient link</label>
            <input
              id={`${id}-link`}
              readOnly
              value={url}
              onFocus={(e) => e.target.select()}
              aria-describedby={`${id}-expires`}
            />
          </div>
          <button type="button" className="secondary" onClick={() => void copy()}>
            Copy
          </button>
          <a className="button secondary" href={url} target="_blank" rel="noopener noreferrer">
            Open<span className="visually-hidden"> the patient’s page (new window)</span>
          </a>
          <p id={`${id}-expires`} className="help">
            Valid until {zoned(f.link_expires_at, timezone)}.
          </p>
          {copied ? (
            <p className="notice" role="status">
              {copied}
            </p>
          ) : null}
        </div>
      ) : (
        <p className="muted">The patient link expired on {zoned(f.link_expires_at, timezone)}.</p>
      )}
      <details className="followup-text">
        <summary>Text and action items</summary>
        <p className="followup-body">{f.text}</p>
        {f.items.length ? (
          <ul>
            {f.items.map((it, n) => (
              <li key={n}>
                {ITEM_KINDS[it.kind]}: {it.text}
                {it.due ? ` — by ${dateWords(it.due)}` : ''}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">No action items.</p>
        )}
      </details>
      {f.questions.length ? (
        <section className="followup-questions" aria-labelledby={`${id}-q`}>
          <h5 id={`${id}-q`}>Questions from the patient</h5>
          <ul>
            {f.questions.map((q) => (
              <li key={q.id} data-testid="question">
                <p>
                  <span className="muted">Asked {zoned(q.asked_at, timezone)}:</span> {q.text}
                </p>
                {q.answer !== null ? (
                  <p>
                    <span className="muted">
                      Your answer{q.answered_at ? `, ${zoned(q.answered_at, timezone)}` : ''}:
                    </span>{' '}
                    {q.answer}
                  </p>
                ) : (
                  <AnswerForm followupId={f.id} questionId={q.id} onAnswered={onChanged} />
                )}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </article>
  );
}

function AnswerForm({
  followupId,
  questionId,
  onAnswered,
}: {
  followupId: string;
  questionId: string;
  onAnswered: (f: Followup) => void;
}): ReactNode {
  const id = useId();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      onAnswered(
        await api('POST /api/me/followups/:id/questions/:question/answer', {
          params: { id: followupId, question: questionId },
          body: { text },
        }),
      );
    } catch (err) {
      setError(`The answer was not sent: ${problemText(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="answer-form" onSubmit={(e) => void submit(e)}>
      <label htmlFor={`${id}-a`}>Your answer</label>
      <textarea
        id={`${id}-a`}
        value={text}
        rows={3}
        maxLength={LIMITS.question}
        onChange={(e) => setText(e.target.value)}
        required
      />
      {error ? (
        <p className="form-problem" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {busy ? 'Sending…' : 'Send answer'}
      </button>
    </form>
  );
}
