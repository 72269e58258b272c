/**
 * Delivery of a physician's follow-up to the FHIR server of the EHR or portal (engagement.md §3):
 * one transaction Bundle with a `CarePlan`, a `Task` per action item and the `Communication` that
 * carries the text, so the server stores all of it or none of it.
 *
 * Uptake knows the visit by its `appointment_id` and the patient only by a keyed pseudonym, so
 * the raw patient reference is read from the server (the Appointment's Patient participant, or a
 * SMART launch's context) and used for the write alone: it is never returned nor stored. Before
 * anything is written, the patient found must be the visit's patient in Uptake — its pseudonym
 * must equal the schedule's — or nothing is written (a wrong Appointment id, or an EHR that
 * reused it, would otherwise send one patient's follow-up to another).
 *
 * Requests are not retried: a transaction whose answer was lost may have been applied, and a
 * second one would deliver the follow-up twice.
 */
import { randomUUID } from 'node:crypto';
import type {
  Appointment,
  Bundle,
  BundleEntry,
  CarePlan,
  Communication,
  OperationOutcome,
  Patient,
  Reference,
  Task,
} from 'fhir/r4.js';
import { invalid, UptakeError } from '../errors/UptakeError.ts';

/** Where follow-ups are delivered. */
export interface FhirTarget {
  /** The FHIR base URL (`https://ehr.example/fhir/R4`). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` (UPTAKE_FOLLOWUP_FHIR_TOKEN). */
  token?: string;
  /**
   * Where the token comes from, for the message when the server refuses it (default: the
   * environment variable UPTAKE_FOLLOWUP_FHIR_TOKEN; a SMART launch names its access token).
   */
  tokenSource?: string;
  /** Per request, connecting and reading the answer; default 10 000 ms. */
  timeoutMs?: number;
}

/** An action item of a follow-up: a medicine to take, a test to book, a return visit. */
export interface FollowupItem {
  kind: 'medicine' | 'test' | 'visit' | 'other';
  text: string;
  /** Due date, `YYYY-MM-DD`, or null when it has none. */
  due: string | null;
}

/** A follow-up as delivery needs it: the visit, its patient's pseudonym, the text and items. */
export interface FollowupForFhir {
  /** The visit as in Uptake's `schedule.appointment_id` (the FHIR Appointment id). */
  appointmentId: string;
  /** `schedule.patient_id` of the visit (a keyed pseudonym). */
  patientPseudonym: string;
  /** Uptake's pseudonym function for patients: pseudonymize(raw). */
  pseudonymize: (raw: string) => string;
  title: string;
  text: string;
  items: FollowupItem[];
  /** ISO instant the follow-up is sent (`Communication.sent`). */
  sentAt: string;
  /** The roster clinician who wrote it: `user_id` and name. */
  author: { id: string; name: string | null };
  /** A SMART launch's context (raw refs `Patient/x`, `Encounter/y`), when written in a launch. */
  context?: { patient: string; encounter?: string };
}

/** What the server created, as `Type/id` with the ids it assigned. */
export interface FhirDelivery {
  communication: string;
  tasks: string[];
  carePlan: string;
}

/** The identifier system of a sender the server knows no Practitioner for. */
export const CLINICIAN_SYSTEM = 'urn:uptake:clinician';
const DEFAULT_TIMEOUT_MS = 10_000;
const FHIR_JSON = 'application/fhir+json';
const KINDS: readonly FollowupItem['kind'][] = ['medicine', 'test', 'visit', 'other'];

/** The text of an OperationOutcome's issues, for messages (diagnostics first, else details). */
function diagnostics(body: unknown): string {
  const oo = body as Partial<OperationOutcome> | null;
  if (oo?.resourceType !== 'OperationOutcome' || !Array.isArray(oo.issue)) return '';
  const texts = oo.issue
    .map((i) => i.diagnostics ?? i.details?.text)
    .filter((t): t is string => !!t);
  return texts.length ? `: ${[...new Set(texts)].join('; ')}` : '';
}

/** A `Type/id` out of a literal reference, relative or absolute (`…/Patient/x/_history/2`). */
function relative(ref: string | undefined, type: string): string | null {
  const m = new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})(?:/_history/[^/]+)?$`).exec(
    ref ?? '',
  );
  return m?.[1] ? `${type}/${m[1]}` : null;
}

/** One request to the server; the closed set of errors for everything but 404. */
class FhirClient {
  readonly #base: string;
  readonly #target: FhirTarget;
  constructor(target: FhirTarget) {
    this.#target = target;
    this.#base = target.baseUrl.replace(/\/+$/, '');
  }

  get base(): string {
    return this.#base;
  }

  /** The parsed JSON body, or null for 404 / 410 (the caller says what was not found). */
  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const timeoutMs = this.#target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const headers: Record<string, string> = { accept: FHIR_JSON };
    if (body !== undefined) headers['content-type'] = FHIR_JSON;
    if (this.#target.token) headers.authorization = `Bearer ${this.#target.token}`;
    // One timer for connecting and reading the whole answer: a server that accepts and then
    // stays silent must not hold the physician's request forever.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    let status: number;
    let text: string;
    try {
      const res = await fetch(`${this.#base}/${path}`, {
        method,
        headers,
        signal: abort.signal,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      throw new UptakeError(
        'UNAVAILABLE',
        abort.signal.aborted
          ? `the FHIR server at ${this.#base} did not answer within ${timeoutMs} ms; try again later`
          : `the FHIR server at ${this.#base} could not be reached (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}); check the base URL or try again later`,
        { cause: err, retryAfterSeconds: 60 },
      );
    } finally {
      clearTimeout(timer);
    }
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (a proxy's HTML page, say): reported by status below, or as not FHIR.
    }
    const why = diagnostics(json);
    if (status === 401 || status === 403) {
      throw new UptakeError(
        'FORBIDDEN',
        this.#target.token
          ? `the FHIR server at ${this.#base} refused the token (${this.#target.tokenSource ?? 'UPTAKE_FOLLOWUP_FHIR_TOKEN'}), HTTP ${status}${why}; ${this.#target.tokenSource ? 'it may not write CarePlan, Task and Communication' : 'set a token that may write CarePlan, Task and Communication'}`
          : `the FHIR server at ${this.#base} requires a token (HTTP ${status}${why}); set UPTAKE_FOLLOWUP_FHIR_TOKEN`,
      );
    }
    if (status >= 500) {
      throw new UptakeError(
        'UNAVAILABLE',
        `the FHIR server at ${this.#base} failed (HTTP ${status})${why}; try again later`,
        { retryAfterSeconds: 60 },
      );
    }
    if (status === 404 || status === 410) return null;
    if (status >= 400) {
      throw new UptakeError(
        status === 409 || status === 412 ? 'CONFLICT' : 'INVALID_INPUT',
        `the FHIR server at ${this.#base} refused ${method} ${path.split('?')[0]} (HTTP ${status})${why}`,
      );
    }
    if (json === null || typeof json !== 'object') {
      throw new UptakeError(
        'UNAVAILABLE',
        `the FHIR server at ${this.#base} answered ${method} ${path.split('?')[0]} with something other than FHIR JSON (HTTP ${status}); check the base URL`,
      );
    }
    return json;
  }
}

/** The refusal when the server's patient is not Uptake's: says what, never who. */
function mismatch(f: FollowupForFhir, where: string): UptakeError {
  return new UptakeError(
    'CONFLICT',
    `${where} names another patient than Uptake's visit ${f.appointmentId}; nothing was written`,
  );
}

/**
 * Whether the raw `Patient/<id>` is the visit's patient: its pseudonym, in the form Uptake's FHIR
 * importer pseudonymizes (`Patient/<id>`), the bare id (a CSV import's), or any of the Patient's
 * identifier values (a reference by identifier); the Patient is read only when the first fail.
 */
async function isVisitPatient(
  client: FhirClient,
  f: FollowupForFhir,
  patientRef: string,
): Promise<boolean> {
  const id = patientRef.slice('Patient/'.length);
  if ([patientRef, id].some((x) => f.pseudonymize(x) === f.patientPseudonym)) return true;
  const patient = (await client.request('GET', patientRef)) as Patient | null;
  if (patient?.resourceType !== 'Patient') return false;
  return (patient.identifier ?? []).some(
    (i) => !!i.value && f.pseudonymize(i.value) === f.patientPseudonym,
  );
}

/** Refuses a follow-up that cannot be written as it is (INVALID_INPUT naming the field). */
function check(f: FollowupForFhir): void {
  if (!f.appointmentId)
    throw invalid('appointmentId: missing; name the visit the follow-up is for');
  if (!f.text.trim()) throw invalid('text: empty; a follow-up needs its text');
  if (Number.isNaN(Date.parse(f.sentAt)))
    throw invalid(`sentAt: "${f.sentAt}" is not an ISO instant`);
  f.items.forEach((item, i) => {
    if (!KINDS.includes(item.kind))
      throw invalid(`items[${i}].kind: "${item.kind}" is not one of ${KINDS.join(', ')}`);
    if (!item.text.trim()) throw invalid(`items[${i}].text: empty; say what to do`);
    if (item.due !== null && !/^\d{4}-\d{2}-\d{2}$/.test(item.due))
      throw invalid(`items[${i}].due: "${item.due}" is not a date YYYY-MM-DD`);
  });
}

/** Who the follow-up is for and from, as the server names them. */
interface Parties {
  patient: string;
  encounter: string | null;
  sender: Reference;
}

async function resolveParties(client: FhirClient, f: FollowupForFhir): Promise<Parties> {
  const logical: Reference = {
    identifier: { system: CLINICIAN_SYSTEM, value: f.author.id },
    ...(f.author.name ? { display: f.author.name } : {}),
  };
  if (f.context) {
    // A SMART launch's context is the EHR's own word for the patient and encounter of this
    // session: used as given, after the same check that it is the visit's patient.
    const patient = relative(f.context.patient, 'Patient');
    if (!patient || !(await isVisitPatient(client, f, patient))) {
      throw mismatch(f, 'the SMART launch');
    }
    const encounter = f.context.encounter ? relative(f.context.encounter, 'Encounter') : null;
    return { patient, encounter, sender: logical };
  }
  const appointment = (await client.request(
    'GET',
    `Appointment/${encodeURIComponent(f.appointmentId)}`,
  )) as Appointment | null;
  if (appointment?.resourceType !== 'Appointment') {
    throw new UptakeError(
      'NOT_FOUND',
      `Appointment ${f.appointmentId} is not on the FHIR server at ${client.base}; check that the visit came from this server`,
    );
  }
  const refs = (type: string) =>
    appointment.participant
      .map((p) => relative(p.actor?.reference, type))
      .filter((r): r is string => r !== null);
  let patient: string | null = null;
  for (const candidate of refs('Patient')) {
    if (await isVisitPatient(client, f, candidate)) {
      patient = candidate;
      break;
    }
  }
  if (!patient) throw mismatch(f, `the FHIR server's Appointment ${f.appointmentId}`);
  // The author's own Practitioner when the Appointment names it (Uptake's FHIR import keys a
  // practitioner by its id), else the Appointment's first practitioner.
  const practitioners = refs('Practitioner');
  const practitioner =
    practitioners.find((r) => r === `Practitioner/${f.author.id}` || r === f.author.id) ??
    practitioners[0];
  const sender: Reference = practitioner
    ? { reference: practitioner, ...(f.author.name ? { display: f.author.name } : {}) }
    : logical;
  const found = (await client.request(
    'GET',
    `Encounter?appointment=${encodeURIComponent(`Appointment/${f.appointmentId}`)}`,
  )) as Bundle | null;
  const first = found?.entry?.find((e) => e.resource?.resourceType === 'Encounter')?.resource;
  return { patient, encounter: first?.id ? `Encounter/${first.id}` : null, sender };
}

/** The transaction: CarePlan, its Tasks and the Communication, linked by `urn:uuid:` fullUrls. */
function transaction(f: FollowupForFhir, p: Parties): Bundle {
  const urn = () => `urn:uuid:${randomUUID()}`;
  const planUrl = urn();
  const taskUrls = f.items.map(urn);
  const subject: Reference = { reference: p.patient };
  const encounter: { encounter?: Reference } = p.encounter
    ? { encounter: { reference: p.encounter } }
    : {};
  const basedOn: Reference[] = [{ reference: planUrl }];
  const carePlan: CarePlan = {
    resourceType: 'CarePlan',
    status: 'active',
    intent: 'plan',
    title: f.title,
    description: f.text,
    subject,
    ...encounter,
    created: f.sentAt,
    author: p.sender,
    // The action items belong to the care plan (§3): listed there, and each Task points back.
    ...(taskUrls.length
      ? { activity: taskUrls.map((reference) => ({ reference: { reference } })) }
      : {}),
  };
  const tasks: Task[] = f.items.map((item) => ({
    resourceType: 'Task',
    status: 'requested',
    intent: 'plan',
    code: { text: item.kind },
    description: item.text,
    for: subject,
    ...encounter,
    basedOn,
    authoredOn: f.sentAt,
    requester: p.sender,
    ...(item.due ? { restriction: { period: { end: item.due } } } : {}),
  }));
  const communication: Communication = {
    resourceType: 'Communication',
    status: 'completed',
    basedOn,
    subject,
    recipient: [subject],
    ...encounter,
    sender: p.sender,
    sent: f.sentAt,
    payload: [{ contentString: f.text }],
  };
  const entry = (fullUrl: string, resource: CarePlan | Task | Communication): BundleEntry => ({
    fullUrl,
    resource,
    request: { method: 'POST', url: resource.resourceType },
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      entry(planUrl, carePlan),
      ...tasks.map((t, i) => entry(taskUrls[i] ?? urn(), t)),
      entry(urn(), communication),
    ],
  };
}

/** `Type/id` of a transaction-response entry: its `location`, else the resource returned. */
function createdRef(e: BundleEntry | undefined, type: string): string | null {
  return (
    relative(e?.response?.location, type) ??
    (e?.resource?.resourceType === type && e.resource.id ? `${type}/${e.resource.id}` : null)
  );
}

/**
 * Delivers a follow-up as one FHIR R4 transaction (CarePlan, a Task per item, Communication) and
 * returns the references the server assigned. Without `context`, the patient, practitioner and
 * encounter are those of `Appointment/<appointmentId>` (and `Encounter?appointment=`); with it,
 * the launch's. Refuses, writing nothing, when that patient is not the visit's in Uptake
 * (CONFLICT); unknown appointment → NOT_FOUND; token refused → FORBIDDEN; server unreachable,
 * silent past `timeoutMs` or failing → UNAVAILABLE.
 */
export async function deliverFollowup(
  target: FhirTarget,
  f: FollowupForFhir,
): Promise<FhirDelivery> {
  check(f);
  const client = new FhirClient(target);
  const parties = await resolveParties(client, f);
  const response = (await client.request('POST', '', transaction(f, parties))) as Bundle | null;
  const entries = response?.entry ?? [];
  const carePlan = createdRef(entries[0], 'CarePlan');
  const tasks = f.items.map((_, i) => createdRef(entries[1 + i], 'Task'));
  const communication = createdRef(entries[1 + f.items.length], 'Communication');
  if (
    response?.type !== 'transaction-response' ||
    !carePlan ||
    !communication ||
    tasks.some((t) => !t)
  ) {
    throw new UptakeError(
      'UNAVAILABLE',
      `the FHIR server at ${client.base} accepted the follow-up's transaction but did not say what it created (no transaction-response with a location per entry); check the server before sending it again`,
    );
  }
  return { communication, tasks: tasks as string[], carePlan };
}
