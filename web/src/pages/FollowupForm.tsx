/**
 * Writing a follow-up for one visit (engagement.md §3): start from a template (Uptake's or one's
 * own) or not, a title, the text in plain language with its reading grade shown while typing,
 * action items with due dates, "Save as template", and Send. The server's refusals are shown
 * beside the buttons, in its words.
 */
import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../api.ts';
import {
  gradeWords,
  ITEM_KINDS,
  LIMITS,
  problemText,
  type Followup,
  type FollowupTemplate,
} from '../followupWords.ts';
import type { FollowupItemKind } from '../../../src/model/followup.ts';

interface ItemRow {
  key: number;
  kind: FollowupItemKind;
  text: string;
  due: string;
}

export function FollowupForm({
  appointmentId,
  visit,
  templates,
  onTemplatesChanged,
  onSent,
  onCancel,
}: {
  appointmentId: string;
  /** The visit in words ("Mon 19 Jan 2026, 09:30 · video visit"). */
  visit: string;
  templates: FollowupTemplate[];
  onTemplatesChanged: () => void;
  onSent: (f: Followup) => void;
  onCancel: () => void;
}): ReactNode {
  const id = useId();
  const nextKey = useRef(1);
  const [template, setTemplate] = useState('');
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const [items, setItems] = useState<ItemRow[]>([]);
  const [templateName, setTemplateName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');
  const [templateError, setTemplateError] = useState('');

  const row = (kind: FollowupItemKind, itemText: string): ItemRow => ({
    key: nextKey.current++,
    kind,
    text: itemText,
    due: '',
  });

  const pick = (tid: string): void => {
    setTemplate(tid);
    setSaved('');
    const t = templates.find((x) => x.id === tid);
    if (!t) return;
    setTitle(t.title);
    setText(t.text);
    setItems(t.items.map((i) => row(i.kind, i.text)));
  };

  const change = (key: number, patch: Partial<ItemRow>): void =>
    setItems((xs) => xs.map((x) => (x.key === key ? { ...x, ...patch } : x)));

  // A row left empty is not an item; one with a date but no words is, and the server says why.
  const filled = items.filter((i) => i.text.trim() || i.due);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const f = await api('POST /api/me/followups', {
        body: {
          appointment_id: appointmentId,
          title,
          text,
          items: filled.map((i) => ({ kind: i.kind, text: i.text, due: i.due || null })),
          template: template || null,
        },
      });
      onSent(f);
    } catch (err) {
      setError(`The follow-up was not sent: ${problemText(err)}`);
    } finally {
      setBusy(false);
    }
  };

  const saveTemplate = async (): Promise<void> => {
    setTemplateError('');
    setSaved('');
    try {
      const t = await api('POST /api/me/followup-templates', {
        body: {
          name: templateName,
          title,
          text,
          items: filled.map((i) => ({ kind: i.kind, text: i.text })),
        },
      });
      setTemplateName('');
      setTemplate(t.id);
      setSaved(`Saved as your template “${t.name}”.`);
      onTemplatesChanged();
    } catch (err) {
      setTemplateError(`The template was not saved: ${problemText(err)}`);
    }
  };

  const removeTemplate = async (tid: string): Promise<void> => {
    setTemplateError('');
    setSaved('');
    try {
      await api('DELETE /api/me/followup-templates/:id', { params: { id: tid } });
      setTemplate('');
      setSaved('Template deleted.');
      onTemplatesChanged();
    } catch (err) {
      setTemplateError(`The template was not deleted: ${problemText(err)}`);
    }
  };

  const grade = gradeWords(text);
  const builtin = templates.filter((t) => t.builtin);
  const own = templates.filter((t) => !t.builtin);
  const chosenOwn = own.find((t) => t.id === template);

  return (
    <form
      className="followup-form"
      aria-labelledby={`${id}-h`}
      onSubmit={(e) => void submit(e)}
      data-testid="followup-form"
    >
      <h3 id={`${id}-h`} tabIndex={-1}>
        Follow-up for the visit of {visit}
      </h3>
      <p className="help">
        Write to the patient in plain words. They read it through a link (or their portal); you see
        when they read it.
      </p>
      <div className="followup-template">
        <div className="field">
          <label htmlFor={`${id}-template`}>Start from a template</label>
          <select id={`${id}-template`} value={template} onChange={(e) => pick(e.target.value)}>
            <option value="">No template</option>
            <optgroup label="Uptake’s templates">
              {builtin.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </optgroup>
            {own.length ? (
              <optgroup label="Your templates">
                {own.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </optgroup>
            ) : null}
          </select>
        </div>
        {chosenOwn ? (
          <button
            type="button"
            className="secondary"
            onClick={() => void removeTemplate(chosenOwn.id)}
          >
            Delete template “{chosenOwn.name}”
          </button>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={`${id}-title`}>Title</label>
        <input
          id={`${id}-title`}
          value={title}
          maxLength={LIMITS.title}
          onChange={(e) => setTitle(e.target.value)}
          required
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-text`}>Text for the patient</label>
        <textarea
          id={`${id}-text`}
          value={text}
          rows={6}
          maxLength={LIMITS.text}
          onChange={(e) => setText(e.target.value)}
          aria-describedby={`${id}-grade`}
          required
        />
        <p
          id={`${id}-grade`}
          className={grade.warn ? 'reading-grade warn' : 'reading-grade'}
          data-testid="reading-grade"
        >
          {grade.text}
          {grade.detail ? `; ${grade.detail}.` : '.'}
        </p>
      </div>
      <fieldset className="followup-items">
        <legend>
          Action items ({items.length} of at most {LIMITS.items})
        </legend>
        {items.length === 0 ? <p className="muted">No action items.</p> : null}
        {items.map((it, n) => (
          <fieldset className="followup-item" key={it.key} data-testid="followup-item">
            <legend>Action item {n + 1}</legend>
            <label>
              Kind
              <select
                value={it.kind}
                onChange={(e) => change(it.key, { kind: e.target.value as FollowupItemKind })}
              >
                {(Object.keys(ITEM_KINDS) as FollowupItemKind[]).map((k) => (
                  <option key={k} value={k}>
                    {ITEM_KINDS[k]}
                  </option>
                ))}
              </select>
            </label>
            <label className="grow">
              What to do
              <input
                value={it.text}
                maxLength={LIMITS.item_text}
                onChange={(e) => change(it.key, { text: e.target.value })}
              />
            </label>
            <label>
              Due by
              <input
                type="date"
                value={it.due}
                onChange={(e) => change(it.key, { due: e.target.value })}
              />
            </label>
            <button
              type="button"
              className="secondary"
              onClick={() => setItems((xs) => xs.filter((x) => x.key !== it.key))}
            >
              Remove item {n + 1}
            </button>
          </fieldset>
        ))}
        <button
          type="button"
          className="secondary"
          disabled={items.length >= LIMITS.items}
          onClick={() => setItems((xs) => [...xs, row('other', '')])}
        >
          Add an action item
        </button>
      </fieldset>
      <details className="save-template">
        <summary>Save as template</summary>
        <div className="save-template-fields">
          <div className="field">
            <label htmlFor={`${id}-tname`}>Template name</label>
            <input
              id={`${id}-tname`}
              value={templateName}
              maxLength={80}
              onChange={(e) => setTemplateName(e.target.value)}
            />
          </div>
          <button type="button" className="secondary" onClick={() => void saveTemplate()}>
            Save as template
          </button>
        </div>
        <p className="help">The title, text and action items, without the due dates.</p>
      </details>
      {saved ? (
        <p className="notice" role="status">
          {saved}
        </p>
      ) : null}
      {templateError ? (
        <p className="form-problem" role="alert">
          {templateError}
        </p>
      ) : null}
      {error ? (
        <p className="form-problem" role="alert" data-testid="followup-error">
          {error}
        </p>
      ) : null}
      <div className="form-buttons">
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : 'Send'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
