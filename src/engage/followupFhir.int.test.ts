/**
 * Follow-up delivery against a real FHIR R4 server (Medplum's router in memory on loopback,
 * `src/synth/fhirServer.ts`), read back over HTTP: what one delivery writes and how its resources
 * point at each other; each way the patient may be recognised (the importer's `Patient/<id>`, the
 * bare id, an identifier value); and each refusal of the closed set, with nothing written.
 * No database: the engines play no part.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Bundle, CarePlan, Communication, Resource, Task } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UptakeError } from '../errors/UptakeError.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { startFhirServer, type FhirServer } from '../synth/fhirServer.ts';
import {
  CLINICIAN_SYSTEM,
  deliverFollowup,
  type FhirTarget,
  type FollowupForFhir,
} from './followupFhir.ts';

const TOKEN = 'test-token-1';
const pz = new Pseudonymizer(Buffer.alloc(32, 7));
const pseudonymize = (raw: string) => pz.pseudonym('patient', raw);
const SENT = '2026-03-02T15:04:05.000Z';

/** A follow-up of visit `appointmentId`, its patient known to Uptake as pseudonymize(`raw`). */
function followup(appointmentId: string, raw: string, extra: Partial<FollowupForFhir> = {}) {
  return {
    appointmentId,
    patientPseudonym: pseudonymize(raw),
    pseudonymize,
    title: 'After your visit',
    text: 'Take the new tablet each morning and book your blood test.',
    items: [
      { kind: 'medicine', text: 'Lisinopril 10 mg each morning', due: '2026-03-09' },
      { kind: 'test', text: 'Book a fasting lipid panel', due: null },
    ],
    sentAt: SENT,
    author: { id: 'u0007', name: 'Dr Ada Lee' },
    ...extra,
  } satisfies FollowupForFhir;
}

/** The UptakeError a promise rejects with (fails the test when it resolves). */
async function refusal(p: Promise<unknown>): Promise<UptakeError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UptakeError);
  return err as UptakeError;
}

describe('follow-up delivery to a FHIR server', () => {
  let fhir: FhirServer;
  let target: FhirTarget;

  async function get<T>(path: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`${fhir.baseUrl}/${path}`, {
      headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/fhir+json' },
    });
    return { status: res.status, body: (await res.json()) as T };
  }
  const search = async <T extends Resource>(path: string): Promise<T[]> =>
    ((await get<Bundle>(path)).body.entry ?? []).map((e) => e.resource as T);
  const counts = async () => {
    const out: Record<string, number | undefined> = {};
    for (const t of ['CarePlan', 'Task', 'Communication'])
      out[t] = (await get<Bundle>(`${t}?_summary=count`)).body.total;
    return out;
  };

  beforeAll(async () => {
    fhir = await startFhirServer({ token: TOKEN });
    target = { baseUrl: fhir.baseUrl, token: TOKEN };
    const visit = { start: '2026-03-02T14:00:00Z', end: '2026-03-02T14:20:00Z' };
    await fhir.seedVisit({
      appointmentId: 'a-100',
      patientId: 'pat-1',
      practitionerId: 'dr-9',
      ...visit,
    });
    await fhir.seedVisit({ appointmentId: 'a-200', patientId: 'pat-2', ...visit });
    // A patient Uptake knows by its MRN (a reference by identifier in the imported files).
    const put = await fetch(`${fhir.baseUrl}/Patient/pat-3`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Patient',
        id: 'pat-3',
        identifier: [{ system: 'urn:mrn', value: 'MRN-3' }],
      }),
    });
    expect(put.ok).toBe(true);
    await fhir.seedVisit({
      appointmentId: 'a-300',
      patientId: 'pat-3',
      practitionerId: 'dr-9',
      ...visit,
    });
  });
  afterAll(async () => {
    await fhir.close();
  });

  it('writes one CarePlan, a Task per item and the Communication, linked to each other', async () => {
    const before = await counts();
    const d = await deliverFollowup(target, followup('a-100', 'Patient/pat-1'));
    expect(d.carePlan).toMatch(/^CarePlan\/[\w-]+$/);
    expect(d.communication).toMatch(/^Communication\/[\w-]+$/);
    expect(d.tasks).toHaveLength(2);
    for (const t of d.tasks) expect(t).toMatch(/^Task\/[\w-]+$/);
    for (const ref of [d.carePlan, d.communication, ...d.tasks])
      expect((await get(ref)).status).toBe(200);
    expect(await counts()).toEqual({
      CarePlan: (before.CarePlan ?? 0) + 1,
      Task: (before.Task ?? 0) + 2,
      Communication: (before.Communication ?? 0) + 1,
    });

    const comms = await search<Communication>('Communication?encounter=Encounter/enc-a-100');
    expect(comms).toHaveLength(1);
    const c = comms[0]!;
    expect(`Communication/${c.id}`).toBe(d.communication);
    expect(c.status).toBe('completed');
    expect(c.subject).toEqual({ reference: 'Patient/pat-1' });
    expect(c.recipient).toEqual([{ reference: 'Patient/pat-1' }]);
    expect(c.encounter).toEqual({ reference: 'Encounter/enc-a-100' });
    expect(c.sender).toEqual({ reference: 'Practitioner/dr-9', display: 'Dr Ada Lee' });
    expect(c.payload).toEqual([
      { contentString: 'Take the new tablet each morning and book your blood test.' },
    ]);
    expect(c.basedOn).toEqual([{ reference: d.carePlan }]);
    expect(c.sent).toBe(SENT);

    const plan = (await get<CarePlan>(d.carePlan)).body;
    expect(plan).toMatchObject({
      status: 'active',
      intent: 'plan',
      title: 'After your visit',
      subject: { reference: 'Patient/pat-1' },
      encounter: { reference: 'Encounter/enc-a-100' },
      author: { reference: 'Practitioner/dr-9', display: 'Dr Ada Lee' },
    });
    expect(plan.activity?.map((a) => a.reference?.reference)).toEqual(d.tasks);

    const tasks = await search<Task>(`Task?based-on=${d.carePlan}`);
    expect(tasks.map((t) => `Task/${t.id}`).sort()).toEqual([...d.tasks].sort());
    const byText = new Map(tasks.map((t) => [t.description, t]));
    const med = byText.get('Lisinopril 10 mg each morning')!;
    expect(med).toMatchObject({
      status: 'requested',
      intent: 'plan',
      code: { text: 'medicine' },
      for: { reference: 'Patient/pat-1' },
      encounter: { reference: 'Encounter/enc-a-100' },
      basedOn: [{ reference: d.carePlan }],
      requester: { reference: 'Practitioner/dr-9', display: 'Dr Ada Lee' },
      restriction: { period: { end: '2026-03-09' } },
    });
    const test = byText.get('Book a fasting lipid panel')!;
    expect(test.code).toEqual({ text: 'test' });
    expect(test.restriction).toBeUndefined();
  });

  it('recognises the patient by the bare id; without a Practitioner the sender is the clinician by identifier', async () => {
    const d = await deliverFollowup(
      target,
      followup('a-200', 'pat-2', { items: [], author: { id: 'u0042', name: null } }),
    );
    expect(d.tasks).toEqual([]);
    const c = (await get<Communication>(d.communication)).body;
    expect(c.subject).toEqual({ reference: 'Patient/pat-2' });
    expect(c.sender).toEqual({ identifier: { system: CLINICIAN_SYSTEM, value: 'u0042' } });
    // seedVisit gave a-200 an Encounter: found by its appointment.
    expect(c.encounter).toEqual({ reference: 'Encounter/enc-a-200' });
    expect((await get<CarePlan>(d.carePlan)).body.activity).toBeUndefined();
  });

  it('writes the Communication without an encounter when the server has none for the visit', async () => {
    // An Appointment with no Encounter yet (created over HTTP, not by seedVisit).
    const put = await fetch(`${fhir.baseUrl}/Appointment/a-400`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Appointment',
        id: 'a-400',
        status: 'booked',
        participant: [{ actor: { reference: 'Patient/pat-1' }, status: 'accepted' }],
      }),
    });
    expect(put.ok).toBe(true);
    const d = await deliverFollowup(target, followup('a-400', 'Patient/pat-1'));
    const c = (await get<Communication>(d.communication)).body;
    expect(c.subject).toEqual({ reference: 'Patient/pat-1' });
    expect(c.encounter).toBeUndefined();
    const tasks = await search<Task>(`Task?based-on=${d.carePlan}`);
    expect(tasks.map((t) => t.encounter)).toEqual([undefined, undefined]);
  });

  it('recognises the patient by an identifier value of the Patient resource', async () => {
    const d = await deliverFollowup(target, followup('a-300', 'MRN-3'));
    const c = (await get<Communication>(d.communication)).body;
    expect(c.subject).toEqual({ reference: 'Patient/pat-3' });
    expect(c.encounter).toEqual({ reference: 'Encounter/enc-a-300' });
  });

  it("refuses, writing nothing, when the Appointment's patient is not the visit's", async () => {
    const before = await counts();
    const err = await refusal(deliverFollowup(target, followup('a-100', 'Patient/pat-2')));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe(
      "the FHIR server's Appointment a-100 names another patient than Uptake's visit a-100; nothing was written",
    );
    expect(err.message).not.toContain('pat-');
    expect(await counts()).toEqual(before);
  });

  it('uses a SMART launch context, checked the same way', async () => {
    const smart = followup('a-smart', 'Patient/pat-1', {
      context: { patient: 'Patient/pat-1', encounter: 'Encounter/enc-a-100' },
      items: [{ kind: 'visit', text: 'Return in four weeks', due: '2026-03-30' }],
    });
    const d = await deliverFollowup(target, smart);
    const c = (await get<Communication>(d.communication)).body;
    expect(c.subject).toEqual({ reference: 'Patient/pat-1' });
    expect(c.encounter).toEqual({ reference: 'Encounter/enc-a-100' });
    expect(c.sender).toEqual({
      identifier: { system: CLINICIAN_SYSTEM, value: 'u0007' },
      display: 'Dr Ada Lee',
    });
    const [task] = await search<Task>(`Task?based-on=${d.carePlan}`);
    expect(task?.restriction).toEqual({ period: { end: '2026-03-30' } });
    expect(task?.code).toEqual({ text: 'visit' });

    const before = await counts();
    const err = await refusal(
      deliverFollowup(target, { ...smart, context: { patient: 'Patient/pat-2' } }),
    );
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe(
      "the SMART launch names another patient than Uptake's visit a-smart; nothing was written",
    );
    expect(await counts()).toEqual(before);
  });

  it('an unknown appointment is NOT_FOUND, naming it and the server', async () => {
    const err = await refusal(deliverFollowup(target, followup('a-999', 'Patient/pat-1')));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe(
      `Appointment a-999 is not on the FHIR server at ${fhir.baseUrl}; check that the visit came from this server`,
    );
  });

  it('a refused or missing token is FORBIDDEN, naming UPTAKE_FOLLOWUP_FHIR_TOKEN', async () => {
    const wrong = await refusal(
      deliverFollowup({ ...target, token: 'nope' }, followup('a-100', 'Patient/pat-1')),
    );
    expect(wrong.code).toBe('FORBIDDEN');
    expect(wrong.message).toBe(
      `the FHIR server at ${fhir.baseUrl} refused the token (UPTAKE_FOLLOWUP_FHIR_TOKEN), HTTP 401: a bearer token is required (Authorization: Bearer <token>); set a token that may write CarePlan, Task and Communication`,
    );
    // A SMART launch's token is named as such: no environment variable would help.
    const launched = await refusal(
      deliverFollowup(
        { ...target, token: 'nope', tokenSource: 'the SMART launch’s access token' },
        followup('a-100', 'Patient/pat-1'),
      ),
    );
    expect(launched.message).toBe(
      `the FHIR server at ${fhir.baseUrl} refused the token (the SMART launch’s access token), HTTP 401: a bearer token is required (Authorization: Bearer <token>); it may not write CarePlan, Task and Communication`,
    );
    const none = await refusal(
      deliverFollowup({ baseUrl: fhir.baseUrl }, followup('a-100', 'Patient/pat-1')),
    );
    expect(none.code).toBe('FORBIDDEN');
    expect(none.message).toContain('set UPTAKE_FOLLOWUP_FHIR_TOKEN');
  });

  it('a closed server is UNAVAILABLE, naming the base URL', async () => {
    const gone = await startFhirServer();
    await gone.close();
    const err = await refusal(
      deliverFollowup({ baseUrl: gone.baseUrl }, followup('a-100', 'Patient/pat-1')),
    );
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toMatch(
      new RegExp(`^the FHIR server at ${gone.baseUrl} could not be reached \\(.*ECONNREFUSED`),
    );
  });

  it('a server that accepts and never answers is UNAVAILABLE within the timeout', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createNetServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/fhir`;
    try {
      const t0 = Date.now();
      const err = await refusal(
        deliverFollowup({ baseUrl: base, timeoutMs: 300 }, followup('a-100', 'Patient/pat-1')),
      );
      const ms = Date.now() - t0;
      expect(err.code).toBe('UNAVAILABLE');
      expect(err.message).toBe(
        `the FHIR server at ${base} did not answer within 300 ms; try again later`,
      );
      expect(sockets.length).toBe(1);
      expect(ms).toBeGreaterThanOrEqual(290);
      expect(ms).toBeLessThan(3000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it("a failing server is UNAVAILABLE with its OperationOutcome's diagnostics", async () => {
    const failing = createHttpServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/fhir+json' });
      res.end(
        JSON.stringify({
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'transient', diagnostics: 'database is restarting' }],
        }),
      );
    });
    await new Promise<void>((r) => failing.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/fhir/`;
    try {
      const err = await refusal(
        deliverFollowup({ baseUrl: base }, followup('a-100', 'Patient/pat-1')),
      );
      expect(err.code).toBe('UNAVAILABLE');
      expect(err.message).toBe(
        `the FHIR server at ${base.slice(0, -1)} failed (HTTP 503): database is restarting; try again later`,
      );
    } finally {
      await new Promise((r) => failing.close(r));
    }
  });

  it('refuses an item without a valid date before asking the server', async () => {
    const err = await refusal(
      deliverFollowup(
        { baseUrl: 'http://127.0.0.1:9/never' },
        followup('a-100', 'Patient/pat-1', {
          items: [{ kind: 'test', text: 'x', due: '03/09/2026' }],
        }),
      ),
    );
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe('items[0].due: "03/09/2026" is not a date YYYY-MM-DD');
  });
});

describe('the loopback FHIR server', () => {
  it('applies a transaction Bundle whole or not at all', async () => {
    const fhir = await startFhirServer();
    try {
      await fhir.seedVisit({
        appointmentId: 'a-1',
        patientId: 'p-1',
        start: '2026-03-02T14:00:00Z',
        end: '2026-03-02T14:20:00Z',
      });
      const post = (body: unknown) =>
        fetch(fhir.baseUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/fhir+json' },
          body: JSON.stringify(body),
        });
      const plan = {
        fullUrl: 'urn:uuid:6f1c1e52-8d0e-4c55-9d7a-3c1a0f6b2a01',
        resource: {
          resourceType: 'CarePlan',
          status: 'active',
          intent: 'plan',
          subject: { reference: 'Patient/p-1' },
        },
        request: { method: 'POST', url: 'CarePlan' },
      };
      // The second entry fails (an update of a version that does not exist).
      const failing = {
        resource: { resourceType: 'Patient', id: 'p-1', gender: 'other' },
        request: { method: 'PUT', url: 'Patient/p-1', ifMatch: 'W/"no-such-version"' },
      };
      const res = await post({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [plan, failing],
      });
      expect(res.status).toBe(412);
      const count = await fetch(`${fhir.baseUrl}/CarePlan?_summary=count`);
      expect(((await count.json()) as Bundle).total).toBe(0);
      const patient = await fetch(`${fhir.baseUrl}/Patient/p-1`);
      expect(((await patient.json()) as { gender?: string }).gender).toBeUndefined();
    } finally {
      await fhir.close();
    }
  });
});
