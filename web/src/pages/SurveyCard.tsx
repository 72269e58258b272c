/**
 * The survey waiting for the clinician on My report (docs/program.md §Surveys): one at a time,
 * under the contact budget. Each question is a group of radio buttons (a fieldset with a legend),
 * so the keyboard alone answers it: Tab to a question, arrow keys to choose, Tab on; SUS's ten
 * statements fit on one screen and take well under a minute. The card opens folded — its title,
 * how long it takes, "Answer now" and "Not now" — so My report's numbers stay near the top of a
 * phone's screen. "Not now" hides it (after the second time it is not asked again). An anonymous survey says so: only department, specialty and role
 * are kept with the answers.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, type MySurvey } from '../api.ts';
import { ErrorBox } from '../components/ui.tsx';
import { useApi } from '../hooks.ts';

type Waiting = NonNullable<MySurvey['survey']>;
type Item = Waiting['items'][number];

const LIKERT = ['Strongly disagree', 'Disagree', 'Neutral', 'Agree', 'Strongly agree'];

export function SurveyCard(): ReactNode {
  const mine = useApi('GET /api/me/survey');
  const [done, setDone] = useState<string | null>(null);
  if (done)
    return (
      <section className="section no-print" aria-labelledby="my-survey">
        <h2 id="my-survey">Survey</h2>
        <p role="status">{done}</p>
      </section>
    );
  if (mine.error) return <ErrorBox error={mine.error} />;
  const s = mine.data?.survey;
  if (!s) return null;
  return <SurveyForm key={s.id} s={s} onDone={setDone} />;
}

function SurveyForm({ s, onDone }: { s: Waiting; onDone: (m: string) => void }): ReactNode {
  const [answers, setAnswers] = useState<Record<string, number | string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  // Folded until asked for, so that the report stays the first thing a busy clinician sees.
  const [open, setOpen] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  // The button that opened the form is gone: the keyboard goes on from the first question.
  useEffect(() => {
    if (open) form.current?.querySelector<HTMLElement>('input, textarea')?.focus();
  }, [open]);
  const set = (id: string, v: number | string) => setAnswers((a) => ({ ...a, [id]: v }));
  const answered = Object.keys(answers).length;

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST /api/me/surveys/:id/answers', { params: { id: s.id }, body: { answers } });
      onDone('Thank you — your answers are in.');
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'NETWORK', String(err)));
    } finally {
      setBusy(false);
    }
  }
  async function dismiss(): Promise<void> {
    setBusy(true);
    try {
      const r = await api('POST /api/me/surveys/:id/dismiss', { params: { id: s.id } });
      onDone(
        r.dismissed >= 2
          ? 'Understood — you will not be asked this survey again.'
          : 'Hidden for now; you may be asked once more later.',
      );
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'NETWORK', String(err)));
    } finally {
      setBusy(false);
    }
  }

  const notNow = (
    <button type="button" className="secondary" disabled={busy} onClick={() => void dismiss()}>
      Not now
    </button>
  );
  return (
    <section className="section no-print survey-card" aria-labelledby="my-survey">
      <h2 id="my-survey">Survey: {s.title}</h2>
      <p className="muted">
        {s.items.length} question{s.items.length === 1 ? '' : 's'}
        {s.instrument === 'sus' ? ', under a minute' : ''}.{' '}
        {s.anonymous
          ? 'Anonymous: only your department, specialty and role are kept with your answers, and results are shown only for groups large enough.'
          : 'Your name is kept with your answers.'}{' '}
        You may leave any question out.
      </p>
      {error ? <ErrorBox error={error} /> : null}
      {open ? (
        <form ref={form} onSubmit={(e) => void submit(e)}>
          {s.items.map((item, k) => (
            <Question
              key={item.link_id}
              n={k + 1}
              item={item}
              value={answers[item.link_id]}
              set={set}
            />
          ))}
          <div className="actions">
            <button type="submit" disabled={busy || answered === 0}>
              Send answers
            </button>{' '}
            {notNow}
          </div>
        </form>
      ) : (
        <div className="actions">
          <button type="button" onClick={() => setOpen(true)}>
            Answer now
          </button>{' '}
          {notNow}
        </div>
      )}
    </section>
  );
}

function Question({
  n,
  item,
  value,
  set,
}: {
  n: number;
  item: Item;
  value: number | string | undefined;
  set: (id: string, v: number | string) => void;
}): ReactNode {
  const name = `q-${item.link_id}`;
  if (item.type === 'free_text')
    return (
      <div className="field survey-q">
        <label htmlFor={name}>
          {n}. {item.text}
        </label>
        <textarea
          id={name}
          maxLength={4000}
          rows={2}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => set(item.link_id, e.target.value)}
        />
      </div>
    );
  const options: { label: string; value: number | string }[] =
    item.type === 'likert5'
      ? LIKERT.map((label, i) => ({ label: `${i + 1} ${label}`, value: i + 1 }))
      : item.type === 'scale0_10'
        ? Array.from({ length: 11 }, (_, i) => ({ label: String(i), value: i }))
        : (item.choices ?? []).map((c) => ({ label: c, value: c }));
  return (
    <fieldset className="survey-q">
      <legend>
        {n}. {item.text}
        {item.type === 'scale0_10' ? ' (0 not at all likely, 10 extremely likely)' : ''}
      </legend>
      <div className="survey-options">
        {options.map((o) => (
          <label key={String(o.value)} className="survey-option">
            <input
              type="radio"
              name={name}
              value={String(o.value)}
              checked={value === o.value}
              onChange={() => set(item.link_id, o.value)}
            />{' '}
            {o.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
