/** Page furniture shared by every page: headings, states, the date range, and "about these numbers". */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { ApiError, Definitions, Freshness, Me, Meta, ReportMeta } from '../api.ts';
import { addDays, daysBetween, presets, rangeWords, zoned } from '../dates.ts';
import {
  definitionOf,
  info,
  optionsText,
  PER8,
  periodText,
  suppressedText,
  type Per8Metric,
} from '../metrics.ts';

export interface Range {
  from: string;
  to: string;
}

/** What the shell gives every page. */
export interface PageProps {
  me: Me;
  meta: Meta;
  range: Range;
  setRange: (r: Range) => void;
}

export function PageHeader({
  title,
  question,
  children,
}: {
  title: string;
  question: string;
  children?: ReactNode;
}): ReactNode {
  return (
    <header className="page-header">
      <div>
        <h1 tabIndex={-1}>{title}</h1>
        <p className="question">{question}</p>
      </div>
      {children ? <div className="page-controls">{children}</div> : null}
    </header>
  );
}

export function Loading({ what }: { what: string }): ReactNode {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

const TABLE_WORDS: Record<string, string> = {
  events: 'audit-log events',
  schedule: 'schedule',
  orders: 'orders',
};

/**
 * A visible note while a page's figures are from before the latest import (or options change):
 * which imports they do not include yet, and when the data they show was imported. Nothing when
 * the figures are current.
 */
export function Updating({
  freshness,
  timezone,
}: {
  freshness: Freshness | undefined;
  timezone: string;
}): ReactNode {
  if (!freshness?.updating) return null;
  const what = freshness.pending
    .map(
      (p) =>
        `${TABLE_WORDS[p.table] ?? p.table} (import ${p.import_id}${p.finished_at ? `, ${zoned(p.finished_at, timezone)}` : ''})`,
    )
    .join(', ');
  return (
    <p className="notice-box updating" role="status" data-testid="updating">
      <strong>
        {what ? `Updating after the import of ${what}` : 'Updating to the latest data'}
      </strong>
      ; the figures below are from before it
      {freshness.as_of ? ` (data imported up to ${zoned(freshness.as_of, timezone)})` : ''}. This
      page refreshes by itself.
    </p>
  );
}

export function ErrorBox({ error }: { error: ApiError }): ReactNode {
  const text =
    error.status === 403
      ? 'This page is not available to your role.'
      : error.status === 404
        ? 'Not found.'
        : error.status === 429
          ? 'Too many requests: wait a moment and try again.'
          : 'The server could not answer.';
  return (
    <div className="error" role="alert" data-error-status={error.status}>
      <p>
        <strong>{text}</strong>
      </p>
      <p>{error.message}</p>
    </div>
  );
}

/**
 * The date range of a report. The URL is its only source: the fields show the range of the URL
 * (so Back and Forward change them too) until the reader edits them; "Show" or a preset puts the
 * new range into the URL. The API's `to` is exclusive; people choose and read the last day
 * included, in words beside the fields ("2 Mar – 29 Mar 2026").
 */
export function RangePicker({
  range,
  meta,
  onChange,
  goLive = null,
}: {
  range: Range;
  meta: Meta;
  onChange: (r: Range) => void;
  /** The go-live date of the page's tool or groups, for the "Since go-live" preset. */
  goLive?: string | null;
}): ReactNode {
  const key = `${range.from}/${range.to}`;
  const [draft, setDraft] = useState({ key, from: range.from, last: addDays(range.to, -1) });
  const [problem, setProblem] = useState('');
  // A new range in the URL (a preset, Back, Forward, a link) replaces what the fields show.
  if (draft.key !== key) {
    setDraft({ key, from: range.from, last: addDays(range.to, -1) });
    if (problem) setProblem('');
  }
  const wordsId = useId();
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!draft.from || !draft.last || draft.from > draft.last) {
      setProblem('The first day must not come after the last day.');
      return;
    }
    setProblem('');
    onChange({ from: draft.from, to: addDays(draft.last, 1) });
  };
  // The presets span the dense data ("All data" leaves out stray rows far from the bulk); the
  // fields also accept the range shown, wherever it lies.
  const data = dataExtent(meta);
  const quick = presets(data, goLive);
  const min = range.from < data.from ? range.from : data.from;
  const max = addDays(range.to > data.to ? range.to : data.to, -1);
  const days = daysBetween(range.from, range.to);
  return (
    <form className="range" onSubmit={submit} aria-label="Date range">
      <div className="range-fields">
        <label>
          From
          <input
            type="date"
            value={draft.from}
            min={min}
            max={max}
            onChange={(e) => setDraft({ ...draft, from: e.target.value })}
            aria-describedby={wordsId}
            required
          />
        </label>
        <label>
          To (included)
          <input
            type="date"
            value={draft.last}
            min={min}
            max={max}
            onChange={(e) => setDraft({ ...draft, last: e.target.value })}
            aria-describedby={wordsId}
            required
          />
        </label>
        <button type="submit">Show</button>
      </div>
      <div className="presets" role="group" aria-label="Quick ranges">
        {quick.map((p) => (
          <button
            key={p.key}
            type="button"
            className="secondary small"
            aria-pressed={p.range.from === range.from && p.range.to === range.to}
            onClick={() => onChange(p.range)}
          >
            {p.label}
          </button>
        ))}
      </div>
      <p className="range-words" id={wordsId} data-testid="range-words">
        Showing <strong>{rangeWords(range.from, range.to)}</strong> ({days} day
        {days === 1 ? '' : 's'}, both ends included)
      </p>
      {problem ? (
        <p className="form-problem" role="alert">
          {problem}
        </p>
      ) : null}
    </form>
  );
}

/**
 * A labelled drop-down. The label is tied by `for`/`id` rather than wrapped around the select, so
 * that the control's name is the label alone (a wrapping label takes in the options' text).
 */
export function Select({
  label,
  value,
  onChange,
  inline = false,
  children,
}: {
  label: string;
  value: string | number;
  onChange: (v: string) => void;
  inline?: boolean;
  children: ReactNode;
}): ReactNode {
  const id = useId();
  return (
    <div className={inline ? 'field inline' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {children}
      </select>
    </div>
  );
}

/** The per-8-hour metric a page plots, chosen inline beside a section's heading. */
export function MetricSelect({
  value,
  onChange,
}: {
  value: Per8Metric;
  onChange: (v: Per8Metric) => void;
}): ReactNode {
  return (
    <Select inline label="Metric" value={value} onChange={(v) => onChange(v as Per8Metric)}>
      {PER8.map((k) => (
        <option key={k} value={k}>
          {info(k).label} — {info(k).short}
        </option>
      ))}
    </Select>
  );
}

/** "suppressed (fewer than N clinicians)" — never a number. */
export function Suppressed({ threshold }: { threshold: number | undefined }): ReactNode {
  return (
    <span className="suppressed" data-suppressed="true">
      {suppressedText(threshold)}
    </span>
  );
}

/** A metric's name with its definition underneath, as every labelled number carries. */
export function MetricLabel({
  metric,
  defs,
  as: Tag = 'h3',
}: {
  metric: string;
  defs: Definitions | undefined;
  as?: 'h2' | 'h3' | 'h4' | 'span';
}): ReactNode {
  const m = info(metric);
  return (
    <>
      <Tag className="metric-name">{m.label}</Tag>
      <p className="metric-def">{definitionOf(metric, defs)}</p>
    </>
  );
}

/** An instant from the API as local date and time of the organisation's zone `tz`. */
export const localTime = zoned;

/** The days the data cover, stray rows far from the bulk left out (`to` exclusive). */
export function dataExtent(meta: Meta): { from: string; to: string } {
  return meta.dense ?? { from: meta.from, to: meta.to };
}

/** Data freshness: when the last import ran and how far the data reaches. */
export function Freshness({ meta }: { meta: Meta }): ReactNode {
  const events = meta.data_range.filter((d) => d.table === 'events' && d.to);
  const through = events
    .map((d) => d.to ?? '')
    .sort()
    .at(-1);
  return (
    <p className="freshness" data-testid="freshness">
      <span>
        Data from <strong>{rangeWords(dataExtent(meta).from, dataExtent(meta).to)}</strong>; times
        in the organisation's time zone, <strong>{meta.timezone}</strong>.
      </span>{' '}
      <span>
        Latest event: <strong>{through ? localTime(through, meta.timezone) : 'none'}</strong>.
      </span>{' '}
      <span>
        Last import:{' '}
        <strong>{meta.last_import ? localTime(meta.last_import, meta.timezone) : 'never'}</strong>.
      </span>
    </p>
  );
}

/** Spec §8: what the numbers on the page were computed with, and the definitions used. */
export function AboutNumbers({
  options,
  definitions,
  metrics,
}: {
  options: ReportMeta | undefined;
  definitions: Definitions | undefined;
  metrics: readonly string[];
}): ReactNode {
  return (
    <section className="about" aria-labelledby="about-numbers">
      <h2 id="about-numbers">About these numbers</h2>
      {options ? (
        <ul className="about-facts">
          <li>
            Period: {periodText(options)}
            {options.period && options.period !== 'all' ? `, by ${options.period}` : ''}.
          </li>
          <li>Computed with: {optionsText(options.options)}.</li>
          <li>
            Groups of fewer than {options.suppression_threshold} clinicians with scheduled time are
            suppressed.
          </li>
          <li>
            Events without a category mapping: {options.events_unmapped_action.toLocaleString('en')}
            ; events excluded by channel: {options.events_excluded_by_channel.toLocaleString('en')}.
          </li>
          {options.data_range.length ? (
            <li>
              Data:{' '}
              {options.data_range
                .map(
                  (d) =>
                    `${d.table} (${d.source}) ${zoned(d.from, options.options.timezone).slice(0, 10)} – ${zoned(d.to, options.options.timezone).slice(0, 10)}`,
                )
                .join('; ')}
              .
            </li>
          ) : null}
          <li>Uptake {options.version}.</li>
        </ul>
      ) : null}
      <dl className="definitions">
        {metrics.map((k) => (
          <div key={k}>
            <dt>{info(k).label}</dt>
            <dd>{definitionOf(k, definitions)}</dd>
          </div>
        ))}
        {(['groups', 'changes'] as const).map((k) =>
          definitions?.[k] ? (
            <div key={k}>
              <dt>{k === 'groups' ? 'Groups' : 'Changes'}</dt>
              <dd>{definitions[k]}</dd>
            </div>
          ) : null,
        )}
      </dl>
    </section>
  );
}

/** Median and quartiles with linear interpolation (as `percentile_cont`). */
export function quantile(sorted: number[], q: number): number | null {
  if (!sorted.length) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? 0;
  const b = sorted[hi] ?? a;
  return a + (b - a) * (pos - lo);
}
