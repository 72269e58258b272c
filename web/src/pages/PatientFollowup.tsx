/**
 * The patient's page of one follow-up (engagement.md §3), opened by its link `#/f/<token>` without
 * an account: the physician's name, the visit's date, the title, the text and the action items
 * with their due dates, "I have read this", and "I have a question" with the questions sent and
 * their answers. Phone first, large text. It shows that one follow-up and nothing else: no
 * navigation, no call of the staff API (no session), and the token goes only into the bodies of
 * the three patient requests — never into a log, an address or another request.
 */
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError } from '../api.ts';
import { dateWords, zonedWords } from '../dates.ts';
import { ITEM_KINDS, LIMITS, type PatientFollowup } from '../followupWords.ts';

/** What went wrong, in plain words for a patient. */
function trouble(e: unknown): { title: string; text: string } {
  const status = e instanceof ApiError ? e.status : 0;
  if (status === 404)
    return {
      title: 'This link is not valid',
      text: 'This link is not valid. Check that you copied the whole link from your message. If it still does not work, ask your clinic to send it again.',
    };
  if (status === 403)
    return {
      title: 'This link has expired',
      text: 'This link has expired. Please ask your clinic to send you a new one.',
    };
  if (status === 429)
    return {
      title: 'Please wait a minute',
      text: 'This page was opened many times in a short time. Please wait a minute, then try again.',
    };
  return {
    title: 'The page could not be loaded',
    text: 'Something went wrong on our side or with the connection. Please try again later.',
  };
}

export function PatientFollowupPage({ token }: { token: string }): ReactNode {
  const [f, setF] = useState<PatientFollowup | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    setF(null);
    setError(null);
    api('POST /api/patient/followup', { body: { token } }).then(
      (r) => live && setF(r),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [token]);

  useEffect(() => {
    document.title = f ? `${f.title} — your follow-up` : 'Your follow-up';
  }, [f]);

  let body: ReactNode;
  if (error !== null) {
    const t = trouble(error);
    body = (
      <div className="patient-trouble" role="alert" data-testid="patient-trouble">
        <h1>{t.title}</h1>
        <p>{t.text}</p>
      </div>
    );
  } else if (!f) {
    body = (
      <p className="loading" role="status">
        Loading your follow-up…
      </p>
    );
  } else body = <PatientFollowupBody token={token} f={f} onChange={setF} />;
  return (
    <main id="main" className="patient-page">
      {body}
    </main>
  );
}

function PatientFollowupBody({
  token,
  f,
  onChange,
}: {
  token: string;
  f: PatientFollowup;
  onChange: (f: PatientFollowup) => void;
}): ReactNode {
  const id = useId();
  // The patient's own clock: their browser's time zone.
  const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [busy, setBusy] = useState(false);
  const [ackError, setAckError] = useState('');
  const [asking, setAsking] = useState(false);
  const [question, setQuestion] = useState('');
  const [qError, setQError] = useState('');
  const [qSent, setQSent] = useState(false);

  const acknowledge = async (): Promise<void> => {
    setBusy(true);
    setAckError('');
    try {
      onChange(await api('POST /api/patient/followup/acknowledge', { body: { token } }));
    } catch (e) {
      setAckError(trouble(e).text);
    } finally {
      setBusy(false);
    }
  };

  const ask = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setQError('');
    setQSent(false);
    try {
      onChange(
        await api('POST /api/patient/followup/question', { body: { token, text: question } }),
      );
      setQuestion('');
      setAsking(false);
      setQSent(true);
    } catch (err) {
      setQError(
        // Refused for what was asked (too long, too many waiting): the server's words say what to do.
        err instanceof ApiError && (err.status === 400 || err.status === 409)
          ? `Your question was not sent: ${err.message}.`
          : trouble(err).text,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <article aria-labelledby={`${id}-h`}>
      <p className="patient-from">
        From {f.clinician ?? 'your care team'}, after your visit on {dateWords(f.visit_date)}
      </p>
      <h1 id={`${id}-h`}>{f.title}</h1>
      <p className="patient-text">{f.text}</p>
      {f.items.length ? (
        <section aria-labelledby={`${id}-todo`}>
          <h2 id={`${id}-todo`}>What to do</h2>
          <ul className="patient-items">
            {f.items.map((it, n) => (
              <li key={n} data-testid="patient-item">
                <span className="patient-item-kind">{ITEM_KINDS[it.kind]}:</span> {it.text}
                {it.due ? <span className="patient-item-due"> By {dateWords(it.due)}.</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby={`${id}-ack`}>
        <h2 id={`${id}-ack`} className="visually-hidden">
          Tell your care team
        </h2>
        {f.acknowledged ? (
          <p className="notice patient-thanks" role="status" data-testid="acknowledged">
            Thank you — your care team can see you read it.
          </p>
        ) : (
          <button
            type="button"
            className="patient-button"
            disabled={busy}
            onClick={() => void acknowledge()}
          >
            I have read this
          </button>
        )}
        {ackError ? (
          <p className="form-problem" role="alert">
            {ackError}
          </p>
        ) : null}
      </section>

      <section aria-labelledby={`${id}-questions`}>
        <h2 id={`${id}-questions`}>Questions</h2>
        {f.questions.length ? (
          <ul className="patient-questions">
            {f.questions.map((q, n) => (
              <li key={n} data-testid="patient-question">
                <p>
                  <strong>You asked</strong> ({zonedWords(q.asked_at, here)}): {q.text}
                </p>
                <p>
                  {q.answer !== null ? (
                    <>
                      <strong>Answer</strong>
                      {q.answered_at ? ` (${zonedWords(q.answered_at, here)})` : ''}: {q.answer}
                    </>
                  ) : (
                    <span className="muted">No answer yet.</span>
                  )}
                </p>
              </li>
            ))}
          </ul>
        ) : null}
        {qSent ? (
          <p className="notice" role="status">
            Your question was sent. The answer will show on this page.
          </p>
        ) : null}
        {asking ? (
          <form onSubmit={(e) => void ask(e)} className="patient-question-form">
            <label htmlFor={`${id}-q`}>Your question</label>
            <textarea
              id={`${id}-q`}
              value={question}
              rows={4}
              maxLength={LIMITS.question}
              onChange={(e) => setQuestion(e.target.value)}
              required
            />
            {qError ? (
              <p className="form-problem" role="alert">
                {qError}
              </p>
            ) : null}
            <div className="form-buttons">
              <button type="submit" className="patient-button" disabled={busy}>
                Send question
              </button>
              <button type="button" className="secondary" onClick={() => setAsking(false)}>
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <button
            type="button"
            className="patient-button secondary"
            onClick={() => {
              setQSent(false);
              setAsking(true);
            }}
          >
            I have a question
          </button>
        )}
      </section>
      <p className="patient-expires muted">
        This link works until {zonedWords(f.expires_at, here)}.
      </p>
    </article>
  );
}
