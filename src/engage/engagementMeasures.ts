/**
 * Runs the engagement chain of `engagementSql.ts` and makes its rows the report of §2: shares as
 * numerator / denominator (null when the denominator is 0), and the small-cell rule — each block
 * of figures whose denominator counts fewer than `PATIENT_CELL_MIN` distinct patients is marked
 * suppressed, and, for group rows, the next smallest groups of the period too, so that no hidden
 * block is the organisation's total minus the visible groups (`suppressCells`, as every report).
 */
import { invalid } from '../errors/UptakeError.ts';
import {
  BLOCK_FIELDS,
  BLOCK_PATIENTS,
  ENGAGEMENT_BLOCKS,
  engagementRequestSchema,
  PATIENT_CELL_MIN,
  type EngagementBlock,
  type EngagementRequest,
  type EngagementRow,
} from '../model/engagement.ts';
import { query, selectChain, sql } from '../store/cte.ts';
import type { Store } from '../store/Store.ts';
import { suppressCells } from '../metrics/suppress.ts';
import { engagementBoundsQuery, engagementCtes, type EngagementBounds } from './engagementSql.ts';

/** Validate a request at the edge, with a message that names the field. */
export function parseEngagementRequest(input: unknown): EngagementRequest {
  const r = engagementRequestSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    throw invalid(`${path ? `${path}: ` : ''}${issue?.message ?? 'invalid engagement request'}`);
  }
  return r.data;
}

type Raw = Record<string, unknown>;

const num = (v: unknown): number => Number(v ?? 0);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const share = (n: number, d: number): number | null => (d > 0 ? n / d : null);
/** DATE as the engines return it (a string, or a Date at UTC midnight) to `YYYY-MM-DD`. */
const day = (v: unknown): string =>
  v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);

function toRow(req: EngagementRequest, r: Raw): EngagementRow {
  const seen = num(r.patients_seen);
  const messages = num(r.patient_messages);
  const answered = num(r.messages_answered);
  const results = num(r.results);
  const followups = num(r.followups_written);
  const releases = num(r.releases);
  return {
    group_by: req.by,
    group: String(r.group),
    period_start: day(r.period_start),
    period_end: day(r.period_end),
    patients_seen: seen,
    activated: num(r.activated),
    activated_share: share(num(r.activated), seen),
    active: num(r.active),
    active_share: share(num(r.active), seen),
    regular: num(r.regular),
    regular_share: share(num(r.regular), seen),
    vdt: num(r.vdt),
    vdt_share: share(num(r.vdt), seen),
    messaged: num(r.messaged),
    patient_message_share: share(num(r.messaged), seen),
    seen_patients: num(r.seen_patients),
    releases,
    releases_timely: num(r.releases_timely),
    timely_access_share: share(num(r.releases_timely), releases),
    release_patients: num(r.release_patients),
    patient_messages: messages,
    messages_answered: answered,
    messages_unanswered: messages - answered,
    messages_within_1bd: num(r.messages_within_1bd),
    reply_business_hours: numOrNull(r.reply_business_hours),
    replied_within_1bd_share: share(num(r.messages_within_1bd), messages),
    message_patients: num(r.message_patients),
    results,
    results_viewed_30d: num(r.results_viewed_30d),
    results_viewed_7d: num(r.results_viewed_7d),
    result_view_hours: numOrNull(r.result_view_hours),
    results_viewed_7d_share: share(num(r.results_viewed_7d), results),
    result_patients: num(r.result_patients),
    followups_written: followups,
    followups_read_7d: num(r.followups_read_7d),
    followup_read_share: share(num(r.followups_read_7d), followups),
    followup_read_hours: numOrNull(r.followup_read_hours),
    followups_ack_14d: num(r.followups_ack_14d),
    followup_ack_share: share(num(r.followups_ack_14d), followups),
    followup_patients: num(r.followup_patients),
    suppressed: [],
  };
}

/**
 * Marks the blocks of `rows` below the small-cell rule. Primary: a block whose distinct patients
 * are fewer than `min` — an empty block (no patients) included, as it shows no figure anyway.
 * For group rows (`complementary`), per period and block, the groups of the period are one
 * partition of the organisation's figures, so `suppressCells` hides the next smallest too.
 * Returns the same rows.
 */
export function markSmallCells(
  rows: EngagementRow[],
  complementary: boolean,
  min = PATIENT_CELL_MIN,
): EngagementRow[] {
  const hidden = new Map<EngagementRow, Set<EngagementBlock>>(rows.map((r) => [r, new Set()]));
  for (const block of ENGAGEMENT_BLOCKS) {
    const patients = (r: EngagementRow) => Number(r[BLOCK_PATIENTS[block]] ?? 0);
    if (!complementary) {
      for (const r of rows) if (patients(r) < min) hidden.get(r)!.add(block);
      continue;
    }
    const periods = new Map<string, EngagementRow[]>();
    for (const r of rows) {
      const k = `${r.period_start}\u0000${r.period_end}`;
      periods.set(k, [...(periods.get(k) ?? []), r]);
    }
    for (const list of periods.values()) {
      const cells = suppressCells(
        list.map((r) => ({ key: r.group, n: patients(r) })),
        min,
      );
      for (const r of list) if (cells.has(r.group)) hidden.get(r)!.add(block);
    }
  }
  for (const r of rows) r.suppressed = ENGAGEMENT_BLOCKS.filter((b) => hidden.get(r)!.has(b));
  return rows;
}

/**
 * The rows as a non-administrator sees them: every field of a suppressed block null. The
 * `suppressed` list says which blocks, so a page can say why.
 */
export function redactSmallCells(rows: readonly EngagementRow[]): EngagementRow[] {
  return rows.map((r) => {
    const out: EngagementRow = { ...r };
    for (const b of r.suppressed)
      for (const f of BLOCK_FIELDS[b]) (out as Record<string, unknown>)[f] = null;
    return out;
  });
}

/**
 * The figures of §2 for `req`: one row per clinician or group (`req.by`) and period piece that
 * has any item (a patient seen, a release of a visit, a patient message, a result, a follow-up),
 * sorted by group and period, with the blocks below the small-cell rule marked (not yet hidden:
 * `redactSmallCells` hides them for everyone but administrators).
 */
export async function engagementMeasures(
  store: Store,
  req: EngagementRequest,
): Promise<EngagementRow[]> {
  const b = query(store.dialect, engagementBoundsQuery(store.dialect, req));
  const [bounds] = await store.all<EngagementBounds>(b.text, b.values);
  if (!bounds) return [];
  const chain = engagementCtes(store.dialect, req, bounds);
  const raw = await selectChain<Raw>(store, sql`SELECT * FROM ${chain.rows} ORDER BY 1, 2`);
  const rows = raw.map((r) => toRow(req, r));
  // Group keys sort as text; the engines' collations differ, so sort here by code unit.
  rows.sort((x, y) =>
    x.group < y.group ? -1 : x.group > y.group ? 1 : x.period_start < y.period_start ? -1 : 1,
  );
  return markSmallCells(rows, req.by !== 'clinician');
}
