/**
 * "Tell IT": the control on every page (docs/program.md §Feedback). A modal dialog (the
 * browser's own `<dialog>`: focus stays inside, Escape closes it, focus returns to the button)
 * asks for the kind, the text — with the warning not to enter patient details —, optional links
 * (the page it was opened on, prefilled; a tool; a metric) and who may read it. The item is sent
 * at once; the answer comes as a notice and on "My feedback".
 */
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, type FeedbackCreate, type Me } from '../api.ts';
import { href, useApi } from '../hooks.ts';
import { info } from '../metrics.ts';
import {
  FEEDBACK_KINDS,
  KIND_HINT,
  KIND_LABEL,
  VISIBILITIES,
  VISIBILITY_LABEL,
  type FeedbackKind,
  type Visibility,
} from '../program.ts';
import { NO_PATIENT_DETAILS } from '../pages/Help.tsx';
import { ErrorBox } from './ui.tsx';

const OPEN_EVENT = 'uptake:tell-it';

/** Open the Tell IT dialog from anywhere on the page. */
export function openTellIt(): void {
  window.dispatchEvent(new Event(OPEN_EVENT));
}

/** The metrics an item may be linked to (the per-clinician metrics people read on reports). */
const LINK_METRICS = [
  'ehr_time8',
  'wow8',
  'ib_time8',
  'note_time8',
  'pres_time8',
  'after_hours_hours',
  'undivided_attention',
  'teamwork_orders',
] as const satisfies readonly NonNullable<NonNullable<FeedbackCreate['links']>['metric']>[];
type LinkMetric = (typeof LINK_METRICS)[number];

/** The page of Uptake the dialog was opened on, as a link names it. */
function currentPage(): string {
  const h = window.location.hash.split('?')[0] ?? '';
  return `${window.location.pathname}${h && h !== '#' ? h : '#/'}`.slice(0, 500);
}

/** The button of the header. */
export function TellItButton(): ReactNode {
  return (
    <button type="button" className="tell-it" onClick={openTellIt} aria-haspopup="dialog">
      Tell IT
    </button>
  );
}

/**
 * The dialog, mounted once outside the header (whose white-on-blue styles are not the dialog's);
 * it opens on `openTellIt` and gives focus back to what opened it.
 */
export function TellItDialog({ me }: { me: Me }): ReactNode {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const show = (): void => {
      opener.current = document.activeElement as HTMLElement | null;
      setOpen(true);
    };
    window.addEventListener(OPEN_EVENT, show);
    return () => window.removeEventListener(OPEN_EVENT, show);
  }, []);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={dialog}
      className="tell-it-dialog"
      aria-labelledby="tell-it-title"
      onClose={() => {
        setOpen(false);
        opener.current?.focus();
      }}
    >
      {open ? <TellItForm me={me} onClose={() => setOpen(false)} /> : null}
    </dialog>
  );
}

function TellItForm({ me, onClose }: { me: Me; onClose: () => void }): ReactNode {
  const tools = useApi('GET /api/tools');
  const [kind, setKind] = useState<FeedbackKind>('problem');
  const [text, setText] = useState('');
  const [page] = useState(currentPage);
  const [linkPage, setLinkPage] = useState(true);
  const [tool, setTool] = useState('');
  const [metric, setMetric] = useState<LinkMetric | ''>('');
  // Only someone with a unit can share with it.
  const [visibility, setVisibility] = useState<Visibility>('private');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const ids = useId();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const links = {
        ...(linkPage ? { page } : {}),
        ...(tool ? { tool } : {}),
        ...(metric ? { metric } : {}),
      };
      const item = await api('POST /api/feedback', {
        body: {
          kind,
          text,
          visibility,
          ...(Object.keys(links).length ? { links } : {}),
        },
      });
      setSent(item.id);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'NETWORK', String(err)));
    } finally {
      setBusy(false);
    }
  };
  if (sent)
    return (
      <div className="tell-it-body">
        <h2 id="tell-it-title">Tell IT</h2>
        <p role="status" className="ok" data-testid="tell-it-sent">
          Sent to IT. Thank you: IT will answer, and you will see each change under the bell and on
          My feedback.
        </p>
        <div className="form-buttons">
          <a className="button" href={href(['feedback', sent])} onClick={onClose}>
            See the item
          </a>
          <button type="button" className="secondary" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    );
  return (
    <form className="tell-it-body" onSubmit={(e) => void submit(e)} aria-labelledby="tell-it-title">
      <h2 id="tell-it-title">Tell IT</h2>
      <p className="muted">
        A problem, an idea, a question or praise about the EHR or Uptake. IT and administrators read
        it{visibility === 'unit' ? ', and so does your department' : ''}.
      </p>
      <fieldset>
        <legend>What is it?</legend>
        {FEEDBACK_KINDS.map((k) => (
          <label className="check" key={k}>
            <input
              type="radio"
              name="kind"
              value={k}
              checked={kind === k}
              onChange={() => setKind(k)}
            />
            <span>
              {KIND_LABEL[k]} <span className="muted">— {KIND_HINT[k]}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${ids}-text`}>In your words</label>
        <p id={`${ids}-hint`} className="help no-phi warn-text">
          {NO_PATIENT_DETAILS}
        </p>
        <textarea
          id={`${ids}-text`}
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={5000}
          rows={4}
          required
          aria-describedby={`${ids}-hint`}
        />
      </div>
      <fieldset>
        <legend>Links (optional)</legend>
        <label className="check">
          <input
            type="checkbox"
            checked={linkPage}
            onChange={(e) => setLinkPage(e.target.checked)}
          />
          <span>
            This page: <code data-testid="tell-it-page">{page}</code>
          </span>
        </label>
        <div className="field">
          <label htmlFor={`${ids}-tool`}>Tool</label>
          <select id={`${ids}-tool`} value={tool} onChange={(e) => setTool(e.target.value)}>
            <option value="">none</option>
            {(tools.data ?? []).map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${ids}-metric`}>Metric</label>
          <select
            id={`${ids}-metric`}
            value={metric}
            onChange={(e) => setMetric(e.target.value as LinkMetric | '')}
          >
            <option value="">none</option>
            {LINK_METRICS.map((m) => (
              <option key={m} value={m}>
                {info(m).label}
              </option>
            ))}
          </select>
        </div>
      </fieldset>
      <fieldset>
        <legend>Who may read it</legend>
        {VISIBILITIES.filter((v) => v === 'private' || me.clinician_id).map((v) => (
          <label className="check" key={v}>
            <input
              type="radio"
              name="visibility"
              value={v}
              checked={visibility === v}
              onChange={() => setVisibility(v)}
            />
            {VISIBILITY_LABEL[v]}
          </label>
        ))}
      </fieldset>
      {error ? <ErrorBox error={error} /> : null}
      <div className="form-buttons">
        <button type="submit" disabled={busy || !text.trim()}>
          {busy ? 'Sending…' : 'Send to IT'}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
