/**
 * The action vocabulary of the synthetic audit log: names, their category, and the shapes of the
 * tasks they make up (a note, an order session, an inbox run …). Actions are small integers in the
 * hot loop; `ACTION_COLUMNS[a]` is the ready-made `action,category` text of the CSV line.
 */
import type { Category } from '../model/canonical.ts';

/** Category indices used in the generator (order of `CATEGORY_NAMES`). */
export const NOTES = 0;
export const ORDERS = 1;
export const PRESCRIPTIONS = 2;
export const INBOX = 3;
export const CHART = 4;
export const OTHER = 5;
export const CATEGORY_NAMES: readonly Category[] = [
  'notes',
  'orders',
  'prescriptions',
  'inbox',
  'chart_review',
  'other',
];

const DEFS: readonly [string, number][] = [
  // notes
  ['note_open', NOTES],
  ['note_edit', NOTES],
  ['note_template_insert', NOTES],
  ['note_smarttext_insert', NOTES],
  ['note_save', NOTES],
  ['note_pend', NOTES],
  ['note_sign', NOTES],
  ['note_addendum', NOTES],
  // the new tool (go-live)
  ['ambient_note_start', NOTES],
  ['ambient_note_review', NOTES],
  ['ambient_note_accept', NOTES],
  ['ambient_note_discard', NOTES],
  // orders
  ['order_search', ORDERS],
  ['order_set_open', ORDERS],
  ['order_entry', ORDERS],
  ['order_detail_edit', ORDERS],
  ['order_review', ORDERS],
  ['order_sign', ORDERS],
  ['order_sign_pended', ORDERS],
  // prescriptions
  ['rx_search', PRESCRIPTIONS],
  ['rx_entry', PRESCRIPTIONS],
  ['rx_renew', PRESCRIPTIONS],
  ['rx_interaction_check', PRESCRIPTIONS],
  ['pdmp_check', PRESCRIPTIONS],
  ['rx_sign', PRESCRIPTIONS],
  ['rx_sign_pended', PRESCRIPTIONS],
  // inbox
  ['inbox_open', INBOX],
  ['inbox_message_view', INBOX],
  ['inbox_result_view', INBOX],
  ['inbox_refill_request_view', INBOX],
  ['inbox_cosign_view', INBOX],
  ['inbox_message_reply', INBOX],
  ['inbox_message_forward', INBOX],
  ['inbox_message_done', INBOX],
  // chart review
  ['chart_review_summary', CHART],
  ['chart_review_notes', CHART],
  ['chart_review_results', CHART],
  ['chart_review_imaging', CHART],
  ['chart_review_meds', CHART],
  ['chart_review_encounters', CHART],
  ['problem_list_view', CHART],
  ['flowsheet_view', CHART],
  // other
  ['login', OTHER],
  ['logout', OTHER],
  ['schedule_view', OTHER],
  ['patient_search', OTHER],
  ['secure_chat_view', OTHER],
  ['secure_chat_send', OTHER],
  ['preference_edit', OTHER],
  ['video_visit_start', OTHER],
];

/** Every action name, by index. */
export const ACTION_NAMES: readonly string[] = DEFS.map(([n]) => n);
/** Category index of every action. */
export const ACTION_CATEGORY: Int8Array = Int8Array.from(DEFS.map(([, c]) => c));
/** `action,category` CSV text of every action. */
export const ACTION_COLUMNS: readonly string[] = DEFS.map(
  ([n, c]) => `${n},${CATEGORY_NAMES[c] as string}`,
);
/** The action → category map of the generator, for documentation and for tests. */
export const ACTION_MAP: ReadonlyMap<string, Category> = new Map(
  DEFS.map(([n, c]) => [n, CATEGORY_NAMES[c] as Category]),
);

/** Index of an action by name (throws on a typo, at module load). */
export function act(name: string): number {
  const i = ACTION_NAMES.indexOf(name);
  if (i < 0) throw new Error(`unknown synthetic action ${name}`);
  return i;
}

export const A = {
  noteOpen: act('note_open'),
  noteSave: act('note_save'),
  notePend: act('note_pend'),
  noteSign: act('note_sign'),
  ambientStart: act('ambient_note_start'),
  ambientReview: act('ambient_note_review'),
  ambientAccept: act('ambient_note_accept'),
  ambientDiscard: act('ambient_note_discard'),
  orderSearch: act('order_search'),
  orderSetOpen: act('order_set_open'),
  orderSign: act('order_sign'),
  orderSignPended: act('order_sign_pended'),
  rxSearch: act('rx_search'),
  rxSign: act('rx_sign'),
  rxSignPended: act('rx_sign_pended'),
  inboxOpen: act('inbox_open'),
  inboxDone: act('inbox_message_done'),
  inboxRefill: act('inbox_refill_request_view'),
  chartSummary: act('chart_review_summary'),
  login: act('login'),
  logout: act('logout'),
  scheduleView: act('schedule_view'),
  videoStart: act('video_visit_start'),
  secureChatView: act('secure_chat_view'),
} as const;

/** The new tool's name and the actions that mark its use. */
export const GO_LIVE_TOOL = 'ambient-notes';
export const GO_LIVE_ACTIONS: readonly string[] = [
  'ambient_note_start',
  'ambient_note_review',
  'ambient_note_accept',
  'ambient_note_discard',
];

/**
 * Weighted pick tables for the body of each task kind, expanded so a pick is one array read
 * (`table[(r * table.length) | 0]`).
 */
function expand(entries: readonly [string, number][]): Int16Array {
  const out: number[] = [];
  for (const [name, w] of entries) for (let k = 0; k < w; k++) out.push(act(name));
  return Int16Array.from(out);
}

export const BODY = {
  notes: expand([
    ['note_edit', 12],
    ['note_template_insert', 2],
    ['note_smarttext_insert', 3],
    ['note_save', 2],
  ]),
  orders: expand([
    ['order_entry', 6],
    ['order_search', 3],
    ['order_detail_edit', 3],
    ['order_review', 2],
  ]),
  prescriptions: expand([
    ['rx_entry', 5],
    ['rx_search', 2],
    ['rx_renew', 2],
    ['rx_interaction_check', 2],
    ['pdmp_check', 1],
  ]),
  inboxView: expand([
    ['inbox_message_view', 5],
    ['inbox_result_view', 5],
    ['inbox_refill_request_view', 2],
    ['inbox_cosign_view', 1],
  ]),
  inboxBody: expand([
    ['inbox_message_reply', 3],
    ['inbox_message_forward', 1],
    ['inbox_result_view', 2],
    ['inbox_message_view', 2],
  ]),
  chart: expand([
    ['chart_review_notes', 4],
    ['chart_review_results', 5],
    ['chart_review_imaging', 1],
    ['chart_review_meds', 2],
    ['chart_review_encounters', 1],
    ['problem_list_view', 1],
    ['flowsheet_view', 2],
  ]),
  other: expand([
    ['schedule_view', 3],
    ['patient_search', 3],
    ['secure_chat_view', 3],
    ['secure_chat_send', 2],
    ['preference_edit', 1],
  ]),
  /** On the phone app only reading, messaging and light inbox work are possible. */
  mobileChart: expand([
    ['chart_review_results', 4],
    ['chart_review_notes', 2],
    ['chart_review_meds', 1],
  ]),
};
