/**
 * The triage board (the `it` role and administrators; docs/program.md §Feedback): "What have
 * clinicians told us, and who is waiting for an answer?" Every item, filtered by state, kind,
 * priority, assignee and unit, oldest open first, each with its first-response and resolution
 * clocks in business time against its priority's targets (running, paused while waiting, met,
 * late: in words, not colour alone); an item opens with its history and the controls to triage,
 * answer, assign and merge it.
 */
import { useState, type ReactNode } from 'react';
import type { ApiQuery, FeedbackList, Me, Meta } from '../api.ts';
import { ErrorBox, Loading, PageHeader, Select, type PageProps } from '../components/ui.tsx';
import { zoned } from '../dates.ts';
import { href, useApi } from '../hooks.ts';
import {
  FEEDBACK_KINDS,
  FEEDBACK_STATES,
  KIND_LABEL,
  OPEN_STATES,
  PRIORITIES,
  PRIORITY_LABEL,
  businessHours,
  stateWords,
  type FeedbackKind,
  type FeedbackPriority,
  type FeedbackState,
} from '../program.ts';
import { excerpt, FeedbackView } from './Feedback.tsx';

type Query = ApiQuery<'GET /api/feedback'>;

/** The board's state filter: the open ones (default), every state, or one. */
type StateFilter = 'open' | 'all' | FeedbackState;

export function TriagePage({ me, meta, sub }: PageProps & { sub: string | undefined }): ReactNode {
  if (sub) return <FeedbackView id={sub} me={me} meta={meta} back={['triage']} />;
  return <Board me={me} meta={meta} />;
}

function Board({ me, meta }: { me: Me; meta: Meta }): ReactNode {
  const [state, setState] = useState<StateFilter>('open');
  const [kind, setKind] = useState<FeedbackKind | ''>('');
  const [priority, setPriority] = useState<FeedbackPriority | ''>('');
  const [assignee, setAssignee] = useState('');
  const [department, setDepartment] = useState('');
  const query: Query = {
    ...(state === 'all' ? {} : { state: state === 'open' ? OPEN_STATES.join(',') : state }),
    ...(kind ? { kind } : {}),
    ...(priority ? { priority } : {}),
    ...(assignee ? { assignee } : {}),
    ...(department ? { department } : {}),
    limit: 1000,
  };
  const list = useApi('GET /api/feedback', { query });
  // The units and assignees to filter by: those of every item (one list, unfiltered).
  const all = useApi('GET /api/feedback', { query: { limit: 1000 } });
  const units = [
    ...new Set((all.data?.items ?? []).map((i) => i.unit).filter((u) => u !== null)),
  ].sort();
  const assignees = [
    ...new Set([
      me.username,
      ...(all.data?.items ?? []).map((i) => i.assignee).filter((a) => a !== null),
    ]),
  ].sort();
  const items = [...(list.data?.items ?? [])].sort((a, b) =>
    a.created_at.localeCompare(b.created_at),
  );
  return (
    <>
      <PageHeader
        title="Triage"
        question="What have clinicians told us, and who is still waiting for an answer?"
      />
      <form className="filter" aria-label="Filter the items" onSubmit={(e) => e.preventDefault()}>
        <Select label="State" value={state} onChange={(v) => setState(v as StateFilter)}>
          <option value="open">Open (not closed)</option>
          <option value="all">All states</option>
          {FEEDBACK_STATES.map((s) => (
            <option key={s} value={s}>
              {stateWords(s, true)}
            </option>
          ))}
        </Select>
        <Select label="Kind" value={kind} onChange={(v) => setKind(v as FeedbackKind | '')}>
          <option value="">All kinds</option>
          {FEEDBACK_KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_LABEL[k]}
            </option>
          ))}
        </Select>
        <Select
          label="Priority"
          value={priority}
          onChange={(v) => setPriority(v as FeedbackPriority | '')}
        >
          <option value="">All priorities</option>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {PRIORITY_LABEL[p]}
            </option>
          ))}
        </Select>
        <Select label="Assigned to" value={assignee} onChange={setAssignee}>
          <option value="">Anyone</option>
          {assignees.map((a) => (
            <option key={a} value={a}>
              {a === me.username ? `${a} (me)` : a}
            </option>
          ))}
        </Select>
        <Select label="Unit" value={department} onChange={setDepartment}>
          <option value="">All units</option>
          {units.map((u) => (
            <option key={u} value={u}>
              {u}
            </option>
          ))}
        </Select>
      </form>
      {list.error ? <ErrorBox error={list.error} /> : null}
      {!list.data && !list.error ? <Loading what="the items" /> : null}
      {list.data ? (
        <p className="lede" data-testid="triage-count">
          {items.length} item{items.length === 1 ? '' : 's'}, oldest first. Times in {meta.timezone}
          . Clocks in business hours (Monday to Friday 08:00–17:00, without holidays) against the
          targets of each item’s priority (normal until triaged); both pause while an item waits for
          the clinician.
        </p>
      ) : null}
      {list.data && items.length ? <BoardTable items={items} tz={meta.timezone} /> : null}
    </>
  );
}

type BoardItem = FeedbackList['items'][number];
type ListClock = BoardItem['clocks']['first_response'];

const CLOCK_WORDS: Record<ListClock['status'], string> = {
  running: 'running',
  paused: 'paused (waiting)',
  met: 'met',
  late: 'late',
};

/** One clock in a cell: "Late · 8.0 business hours of 4.0". */
function ClockCell({ c }: { c: ListClock | null }): ReactNode {
  if (!c) return <span className="muted">none (a duplicate)</span>;
  return (
    <span className="nowrap">
      <span className={`clock-status clock-status-${c.status}`} data-clock-status={c.status}>
        {CLOCK_WORDS[c.status]}
      </span>{' '}
      {businessHours(c.hours)} of {businessHours(c.target_hours)}
    </span>
  );
}

function BoardTable({ items, tz }: { items: BoardItem[]; tz: string }): ReactNode {
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label="Table: feedback items">
      <table className="triage-table">
        <caption>Feedback items</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Kind</th>
            <th scope="col">State</th>
            <th scope="col">Priority</th>
            <th scope="col">Unit</th>
            <th scope="col">Me too</th>
            <th scope="col">Assigned to</th>
            <th scope="col">First response</th>
            <th scope="col">Resolution</th>
            <th scope="col">Sent</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.id} data-feedback={i.id} data-state={i.state}>
              <th scope="row">
                <a href={href(['triage', i.id])}>{excerpt(i.text, 70)}</a>
              </th>
              <td>{KIND_LABEL[i.kind]}</td>
              <td>
                <span className={`state state-${i.state}`}>{stateWords(i.state, true)}</span>
              </td>
              <td>{i.priority ? PRIORITY_LABEL[i.priority] : 'not yet'}</td>
              <td>{i.unit ?? '—'}</td>
              <td className="num">{i.votes}</td>
              <td>{i.assignee ?? '—'}</td>
              <td data-clock="first_response">
                <ClockCell c={i.clocks.first_response} />
              </td>
              <td data-clock="resolution">
                <ClockCell c={i.clocks.resolution} />
              </td>
              <td className="nowrap">{zoned(i.created_at, tz)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
