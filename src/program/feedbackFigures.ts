import type { FeedbackEventRow, FeedbackItemRow } from '../model/feedback.ts';
import type { BusinessCalendar, SlaTargets } from '../model/businessTime.ts';
import { feedbackClocks, type FeedbackClocks } from './feedbackClocks.ts';
import { isClosed } from './feedbackTransitions.ts';
import { wilsonInterval, type WilsonShare } from './wilson.ts';

/** What the figures need of one item: its unit, priority, clocks and outcome. */
export interface FeedbackFigureRow {
  unit: string | null;
  priority: FeedbackItemRow['priority'];
  clocks: FeedbackClocks;
  /** Closed (done, declined, duplicate) by a change that carried an answer the author reads. */
  closed_with_answer: boolean;
  ever_done: boolean;
  ever_reopened: boolean;
  rating: FeedbackItemRow['rating'];
}

/**
 * One item's figure row, from the item and its history (`feedbackClocks` for the clocks).
 * Rows are per item, never per audit event: the item set is small.
 */
export function feedbackFigureRow(
  item: Pick<FeedbackItemRow, 'unit' | 'priority' | 'state' | 'author' | 'created_at' | 'rating'>,
  events: readonly Pick<
    FeedbackEventRow,
    'seq' | 'occurred_at' | 'actor' | 'kind' | 'to_state' | 'note' | 'public'
  >[],
  cal: BusinessCalendar,
  now: Date,
): FeedbackFigureRow {
  const states = [...events].filter((e) => e.kind === 'state').sort((a, b) => a.seq - b.seq);
  const close = states.at(-1);
  return {
    unit: item.unit,
    priority: item.priority,
    clocks: feedbackClocks(item, events, cal, now),
    closed_with_answer:
      isClosed(item.state) &&
      close !== undefined &&
      close.public &&
      close.note !== null &&
      close.note.trim() !== '',
    ever_done: states.some((e) => e.to_state === 'done'),
    ever_reopened: states.some((e) => e.to_state === 'reopened'),
    rating: item.rating,
  };
}

/** §2 Figures of one unit (`unit` null: the items of authors without a department). */
export interface UnitFigures {
  unit: string | null;
  items: number;
  /** Median business hours over the stopped clocks (percentile_cont(0.5)); null without any. */
  median_first_response_hours: number | null;
  median_resolution_hours: number | null;
  /** Within target among items whose outcome is known (see `feedbackFigures`). */
  first_response_within_target: WilsonShare | null;
  resolution_within_target: WilsonShare | null;
  /** Of the unit's items: closed with an answer. */
  closed_with_answer: WilsonShare | null;
  /** Of the items ever done: reopened at least once. */
  reopened: WilsonShare | null;
  /** Of the rated items: `helped`. */
  helped: WilsonShare | null;
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = (s.length - 1) / 2;
  return ((s[Math.floor(mid)] as number) + (s[Math.ceil(mid)] as number)) / 2;
}

function share(rows: readonly FeedbackFigureRow[], of: (r: FeedbackFigureRow) => boolean | null) {
  let n = 0;
  let k = 0;
  for (const r of rows) {
    const v = of(r);
    if (v === null) continue;
    n++;
    if (v) k++;
  }
  return wilsonInterval(k, n);
}

/**
 * §2 Figures per unit over the rows of one period (the caller picks the items, e.g. those created
 * in it): items; median first response and resolution in business hours (stopped clocks); the
 * share within target for each clock; the share closed with an answer; the share reopened; the
 * share `helped` among rated items — every share with its Wilson 95% interval.
 *
 * Within target: a stopped clock counts as within when its hours are at most the target of the
 * item's priority; a running clock already past its target counts as not within; a running clock
 * still under it is not counted yet (its outcome is unknown). An item never given a priority is
 * timed against `normal`. Duplicates have no resolution clock. Units are sorted by name, the
 * items without a unit last.
 */
export function feedbackFigures(
  rows: readonly FeedbackFigureRow[],
  targets: SlaTargets,
): UnitFigures[] {
  const units = new Map<string | null, FeedbackFigureRow[]>();
  for (const r of rows) {
    const list = units.get(r.unit);
    if (list) list.push(r);
    else units.set(r.unit, [r]);
  }
  const within = (c: FeedbackClocks['first_response'] | null, target: number): boolean | null =>
    c === null ? null : c.stopped ? c.hours <= target : c.hours > target ? false : null;
  const target = (r: FeedbackFigureRow) => targets[r.priority ?? 'normal'];
  return [...units.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([unit, list]) => ({
      unit,
      items: list.length,
      median_first_response_hours: median(
        list
          .filter((r) => r.clocks.first_response.stopped)
          .map((r) => r.clocks.first_response.hours),
      ),
      median_resolution_hours: median(
        list.flatMap((r) => (r.clocks.resolution?.stopped ? [r.clocks.resolution.hours] : [])),
      ),
      first_response_within_target: share(list, (r) =>
        within(r.clocks.first_response, target(r).first_response_hours),
      ),
      resolution_within_target: share(list, (r) =>
        within(r.clocks.resolution, target(r).resolution_hours),
      ),
      closed_with_answer: share(list, (r) => r.closed_with_answer),
      reopened: share(list, (r) => (r.ever_done ? r.ever_reopened : null)),
      helped: share(list, (r) => (r.rating === null ? null : r.rating === 'helped')),
    }));
}
