/**
 * How each synthetic action looks in the two other input forms, and the action maps that give it
 * back its canonical category on import (`docs/formats.md`).
 *
 * - Epic Clarity access log: each action is one `METRIC_ID` (a number, as in `ACCESS_LOG_METRIC`)
 *   with an Epic-style `METRIC_NAME`. The import's action is the `METRIC_ID`; its category comes
 *   from an action map `action,category,name` keyed by that id (`epic-action-map.csv`). Where the
 *   spec names an Epic metric (`In Basket message viewed`, `Order list changed`, `Clinical Note
 *   Signed`, `Pend clinical note`, `Save clinical note`, `Results Review accessed`, `Chart Review
 *   Notes tab selected`), the action of the same category carries that name, and so do most
 *   others: 31 of the 50 names are entries of the shipped `src/ingest/maps/epic-actions.csv`, all
 *   with the same category. The exception is Secure Chat: the shipped map counts it as inbox, the
 *   generator as other, so its names here are not the shipped ones (`Secure Chat message posted`,
 *   `… conversation viewed`) and only the id-keyed map written here categorises them.
 * - FHIR AuditEvent: `subtype[0]` is a code of the synthetic EHR's own code system (the canonical
 *   action name) and `action` is the FHIR C/R/U/D/E letter of what the action does; the import's
 *   action is `code:letter` (`note_sign:U`), whose category comes from `fhir-action-map.csv`.
 *   `type` is the DICOM audit event id of the kind of record touched (informational: the importer
 *   reads `subtype[0]` first).
 *
 * Every generator action (`ACTION_MAP` of `../actions.ts`) has exactly one row in each table, with
 * the generator's own category; the tests check it.
 */
import type { Category } from '../../model/canonical.ts';

/** One generator action in the Epic access log. */
export interface EpicMetric {
  /** `METRIC_ID`: the action of the imported event. */
  readonly id: number;
  /** `METRIC_NAME`: the action's name. */
  readonly name: string;
  readonly category: Category;
}

/** FHIR AuditEvent.action codes (R4 value set audit-event-action). */
export type FhirActionLetter = 'C' | 'R' | 'U' | 'D' | 'E';

/** DICOM audit event ids used as AuditEvent.type (system `http://dicom.nema.org/resources/ontology/DCM`). */
export const DICOM_EVENT = {
  applicationActivity: { code: '110100', display: 'Application Activity' },
  orderRecord: { code: '110109', display: 'Order Record' },
  patientRecord: { code: '110110', display: 'Patient Record' },
  query: { code: '110112', display: 'Query' },
  userAuthentication: { code: '110114', display: 'User Authentication' },
} as const;
export type DicomEvent = keyof typeof DICOM_EVENT;

/** One generator action in a FHIR AuditEvent. */
export interface FhirAction {
  /** `subtype[0].code` (the canonical action name). */
  readonly code: string;
  /** `AuditEvent.action`. */
  readonly action: FhirActionLetter;
  /** `AuditEvent.type`. */
  readonly type: DicomEvent;
  readonly category: Category;
}

/**
 * The table: canonical action → (Epic METRIC_ID, METRIC_NAME; FHIR action letter, DICOM type;
 * category). Ids are fixed here (not derived from the order of the rows) so that adding an action
 * never renumbers the others.
 */
// prettier-ignore
const TABLE: readonly [
  action: string,
  metricId: number,
  metricName: string,
  fhirAction: FhirActionLetter,
  dicom: DicomEvent,
  category: Category,
][] = [
  // notes
  ['note_open', 34001, 'Clinical note opened for editing', 'R', 'patientRecord', 'notes'],
  ['note_edit', 34002, 'Clinical note edited', 'U', 'patientRecord', 'notes'],
  ['note_template_insert', 34003, 'SmartPhrase inserted', 'U', 'patientRecord', 'notes'],
  ['note_smarttext_insert', 34004, 'SmartText inserted', 'U', 'patientRecord', 'notes'],
  ['note_save', 34005, 'Save clinical note', 'U', 'patientRecord', 'notes'],
  ['note_pend', 34006, 'Pend clinical note', 'U', 'patientRecord', 'notes'],
  ['note_sign', 34007, 'Clinical Note Signed', 'U', 'patientRecord', 'notes'],
  ['note_addendum', 34008, 'Note addended', 'C', 'patientRecord', 'notes'],
  ['ambient_note_start', 34101, 'Ambient documentation session started', 'E', 'patientRecord', 'notes'],
  ['ambient_note_review', 34102, 'Ambient draft note reviewed', 'R', 'patientRecord', 'notes'],
  ['ambient_note_accept', 34103, 'Ambient draft note accepted', 'U', 'patientRecord', 'notes'],
  ['ambient_note_discard', 34104, 'Ambient draft note discarded', 'D', 'patientRecord', 'notes'],
  // orders
  ['order_search', 35001, 'Order search performed', 'E', 'query', 'orders'],
  ['order_set_open', 35002, 'Order set opened', 'R', 'orderRecord', 'orders'],
  ['order_entry', 35003, 'Order list changed', 'C', 'orderRecord', 'orders'],
  ['order_detail_edit', 35004, 'Order details edited', 'U', 'orderRecord', 'orders'],
  ['order_review', 35005, 'Order Review accessed', 'R', 'orderRecord', 'orders'],
  ['order_sign', 35006, 'Orders signed', 'U', 'orderRecord', 'orders'],
  ['order_sign_pended', 35007, 'Pended orders signed', 'U', 'orderRecord', 'orders'],
  // prescriptions
  ['rx_search', 36001, 'Medication search performed', 'E', 'query', 'prescriptions'],
  ['rx_entry', 36002, 'Prescription entered', 'C', 'orderRecord', 'prescriptions'],
  ['rx_renew', 36003, 'Medication refilled', 'C', 'orderRecord', 'prescriptions'],
  ['rx_interaction_check', 36004, 'Drug interaction check performed', 'E', 'orderRecord', 'prescriptions'],
  ['pdmp_check', 36005, 'PDMP query performed', 'E', 'query', 'prescriptions'],
  ['rx_sign', 36006, 'Prescriptions signed', 'U', 'orderRecord', 'prescriptions'],
  ['rx_sign_pended', 36007, 'Pended prescriptions signed', 'U', 'orderRecord', 'prescriptions'],
  // inbox
  ['inbox_open', 37001, 'In Basket activity accessed', 'R', 'applicationActivity', 'inbox'],
  ['inbox_message_view', 37002, 'In Basket message viewed', 'R', 'patientRecord', 'inbox'],
  ['inbox_result_view', 37003, 'In Basket result message viewed', 'R', 'patientRecord', 'inbox'],
  ['inbox_refill_request_view', 37004, 'Rx request viewed', 'R', 'patientRecord', 'inbox'],
  ['inbox_cosign_view', 37005, 'In Basket cosign message viewed', 'R', 'patientRecord', 'inbox'],
  ['inbox_message_reply', 37006, 'In Basket reply sent', 'C', 'patientRecord', 'inbox'],
  ['inbox_message_forward', 37007, 'In Basket message forwarded', 'C', 'patientRecord', 'inbox'],
  ['inbox_message_done', 37008, 'In Basket message marked done', 'U', 'patientRecord', 'inbox'],
  // chart review
  ['chart_review_summary', 38001, 'Chart Review accessed', 'R', 'patientRecord', 'chart_review'],
  ['chart_review_notes', 38002, 'Chart Review Notes tab selected', 'R', 'patientRecord', 'chart_review'],
  ['chart_review_results', 38003, 'Results Review accessed', 'R', 'patientRecord', 'chart_review'],
  ['chart_review_imaging', 38004, 'Chart Review Imaging tab selected', 'R', 'patientRecord', 'chart_review'],
  ['chart_review_meds', 38005, 'Chart Review Meds tab selected', 'R', 'patientRecord', 'chart_review'],
  ['chart_review_encounters', 38006, 'Chart Review Encounters tab selected', 'R', 'patientRecord', 'chart_review'],
  ['problem_list_view', 38007, 'Problem list viewed', 'R', 'patientRecord', 'chart_review'],
  ['flowsheet_view', 38008, 'Flowsheet accessed', 'R', 'patientRecord', 'chart_review'],
  // other
  ['login', 39001, 'Login', 'E', 'userAuthentication', 'other'],
  ['logout', 39002, 'Logout', 'E', 'userAuthentication', 'other'],
  ['schedule_view', 39003, 'Schedule accessed', 'R', 'applicationActivity', 'other'],
  ['patient_search', 39004, 'Patient lookup', 'E', 'query', 'other'],
  ['secure_chat_view', 39005, 'Secure Chat conversation viewed', 'R', 'applicationActivity', 'other'],
  ['secure_chat_send', 39006, 'Secure Chat message posted', 'C', 'applicationActivity', 'other'],
  ['preference_edit', 39007, 'User preferences changed', 'U', 'applicationActivity', 'other'],
  ['video_visit_start', 39008, 'Video visit started', 'E', 'applicationActivity', 'other'],
];

/** Canonical action → its Epic access-log metric. */
export const EPIC_METRICS: ReadonlyMap<string, EpicMetric> = new Map(
  TABLE.map(([a, id, name, , , category]) => [a, { id, name, category }]),
);

/** Canonical action → its FHIR AuditEvent coding. */
export const FHIR_ACTIONS: ReadonlyMap<string, FhirAction> = new Map(
  TABLE.map(([a, , , action, type, category]) => [a, { code: a, action, type, category }]),
);

function lookup<T>(map: ReadonlyMap<string, T>, action: string): T {
  const v = map.get(action);
  if (!v) throw new Error(`no Epic/FHIR form for the synthetic action "${action}"`);
  return v;
}

/** The imported action (`METRIC_ID`) of a canonical action in the Epic form. */
export function epicActionOf(action: string): string {
  return String(lookup(EPIC_METRICS, action).id);
}

/** The imported action (`code:letter`) of a canonical action in the FHIR form. */
export function fhirActionOf(action: string): string {
  const f = lookup(FHIR_ACTIONS, action);
  return `${f.code}:${f.action}`;
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** `epic-action-map.csv`: `action,category,name` with the METRIC_ID as the action. */
export function epicActionMapCsv(): string {
  const lines = ['action,category,name'];
  for (const m of EPIC_METRICS.values()) lines.push(`${m.id},${m.category},${csvField(m.name)}`);
  return lines.join('\n') + '\n';
}

/** `fhir-action-map.csv`: `action,category` with `code:letter` as the action. */
export function fhirActionMapCsv(): string {
  const lines = ['action,category'];
  for (const [a, f] of FHIR_ACTIONS) lines.push(`${csvField(fhirActionOf(a))},${f.category}`);
  return lines.join('\n') + '\n';
}
