/**
 * No raw patient identifier reaches the store from FHIR, whatever form the reference to the
 * patient takes (issue 10, item 4): literal, absolute, conditional (`Patient?identifier=…`,
 * `?_id=`), `urn:uuid:` to a Bundle's Patient entry, contained (`#p`), an identifier of a patient
 * type (MR) or one a Patient among the files has, and RelatedPerson — in every field of every
 * resource type: where a clinician is required the row is rejected (the reason quoting none of
 * it), an optional clinician field is dropped, a patient field is pseudonymized. After importing
 * every table, every text column of every table is searched (and the DuckDB file's bytes).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as r4 from 'fhir/r4.js';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { PostgresStore } from '../store/postgresStore.ts';
import { freshPgDatabase } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import { importFhir } from './fhir/importFhir.ts';
import { bundle, loginEvent, restEvent, writeJson, writeNdjson } from '../testing/fhirFixtures.ts';
import { Pseudonymizer } from './pseudonymize.ts';

/** Every raw patient identifier below contains this. */
const RAW = 'RAWPT';
const MRN = 'http://hospital.example/mrn';
const MR = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }],
};
const DR: r4.Reference = { reference: 'Practitioner/p1' };

/** Write the files of each table; each patient hides behind a different form. */
function writeFiles(dir: string) {
  const f = (n: string) => join(dir, n);
  const mr = (id: string, extra: Partial<r4.MedicationRequest>): r4.MedicationRequest => ({
    resourceType: 'MedicationRequest',
    id,
    status: 'active',
    intent: 'order',
    subject: { reference: 'Patient/pat-ok' },
    authoredOn: '2026-03-02T09:00:00Z',
    requester: DR,
    ...extra,
  });
  const patientRequesters: r4.Reference[] = [
    { reference: `Patient?identifier=${MRN}|${RAW}-MRN-4711` },
    { reference: `Patient/${RAW}-2` },
    { reference: `https://ehr.example.org/fhir/Patient/${RAW}-3/_history/1` },
    { identifier: { type: MR, system: MRN, value: `${RAW}-MRN-4` } },
    { identifier: { system: MRN, value: `${RAW}-MRN-5` } }, // the Patient of Patient.ndjson has it
    { reference: `RelatedPerson/${RAW}-6` },
    { reference: '#pat' },
    { reference: `Patient?_id=${RAW}-8` },
    { reference: `RelatedPerson?identifier=${MRN}%7C${RAW}-9` },
    { reference: 'urn:uuid:00000000-0000-4000-8000-00000000dead' }, // to nothing: anyone's
  ];
  const orders = patientRequesters.map((requester, i) => {
    const o = mr(`m${i + 1}`, { requester });
    if (requester.reference === '#pat')
      o.contained = [
        { resourceType: 'Patient', id: 'pat', identifier: [{ value: `${RAW}-7` }] } as r4.Patient,
      ];
    return o;
  });
  orders.push(
    mr('m11', { recorder: { reference: `Patient?identifier=${MRN}|${RAW}-11` } }),
    mr('m12', { subject: { reference: `Patient?identifier=${MRN}|${RAW}-12` } }),
  );
  writeNdjson(f('MedicationRequest.ndjson'), orders);
  writeNdjson(f('Patient.ndjson'), [
    { resourceType: 'Patient', id: 'pat-5', identifier: [{ system: MRN, value: `${RAW}-MRN-5` }] },
  ]);
  const pu = 'urn:uuid:00000000-0000-4000-8000-0000000000aa';
  const tx = bundle('transaction', [
    { resourceType: 'Patient', id: `${RAW}-13`, identifier: [{ system: MRN, value: `${RAW}-14` }] },
    mr('m13', { requester: { reference: pu } }),
    mr('m14', { subject: { reference: pu } }),
    {
      resourceType: 'Provenance',
      target: [{ reference: 'MedicationRequest/m14' }],
      recorded: '2026-03-02T09:00:00Z',
      agent: [
        {
          type: { coding: [{ code: 'enterer' }] },
          who: { reference: `Patient/${RAW}-15` },
        },
      ],
    },
  ]);
  tx.entry![0]!.fullUrl = pu;
  writeJson(f('orders-bundle.json'), tx);

  // events: the user (agent) in every patient form, and patients as entities
  const ev = (id: string, user: r4.Reference, extra: Partial<r4.AuditEvent> = {}) => ({
    ...loginEvent(id, '2026-03-02T10:00:00Z', user),
    ...extra,
  });
  const withEntity = (id: string, what: r4.Reference) => ({
    ...restEvent({
      id,
      recorded: '2026-03-02T10:05:00Z',
      interaction: 'read',
      action: 'R',
      user: DR,
      what: 'Observation/1',
    }),
    entity: [
      { what: { reference: 'Observation/1' } },
      {
        what,
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1' },
      },
    ],
  });
  writeNdjson(f('AuditEvent.ndjson'), [
    ev('e1', { reference: `Patient?identifier=${MRN}|${RAW}-E1` }),
    ev('e2', { reference: `Patient/${RAW}-E2` }),
    ev('e3', { reference: `https://ehr.example.org/fhir/Patient/${RAW}-E3` }),
    ev('e4', { identifier: { type: MR, value: `${RAW}-E4` } }),
    ev('e5', { reference: `RelatedPerson/${RAW}-E5` }),
    ev(
      'e6',
      { reference: '#me' },
      {
        contained: [
          { resourceType: 'Patient', id: 'me', identifier: [{ value: `${RAW}-E6` }] } as r4.Patient,
        ],
      },
    ),
    withEntity('e7', { reference: `Patient?identifier=${MRN}|${RAW}-E7` }),
    withEntity('e8', { identifier: { type: MR, value: `${RAW}-E8` } }),
  ]);
  const qu = 'urn:uuid:00000000-0000-4000-8000-0000000000bb';
  const eb = bundle('collection', [
    { resourceType: 'Patient', id: `${RAW}-E9` },
    ev('e9', { reference: qu }),
    withEntity('e10', { reference: qu }),
  ]);
  eb.entry![0]!.fullUrl = qu;
  writeJson(f('events-bundle.json'), eb);

  // schedule: a patient as a schedule's actor and as appointment participants
  const appt = (id: string, actors: r4.Reference[]): r4.Appointment => ({
    resourceType: 'Appointment',
    id,
    status: 'booked',
    start: '2026-03-02T09:00:00Z',
    end: '2026-03-02T09:20:00Z',
    participant: actors.map((actor) => ({ actor, status: 'accepted' as const })),
  });
  writeNdjson(f('schedule.ndjson'), [
    {
      resourceType: 'Schedule',
      id: 's1',
      actor: [{ reference: `Patient?identifier=${MRN}|${RAW}-S1` }],
    },
    {
      resourceType: 'Slot',
      id: 'sl1',
      schedule: { reference: 'Schedule/s1' },
      status: 'busy',
      start: '2026-03-02T09:00:00Z',
      end: '2026-03-02T12:00:00Z',
    },
    appt('a1', [DR, { reference: `Patient?identifier=${MRN}|${RAW}-S2` }]),
    appt('a2', [{ identifier: { type: MR, value: `${RAW}-S3` } }]),
    appt('a3', [DR, { identifier: { type: MR, value: `${RAW}-S4` } }]),
  ]);

  // roster: roles whose practitioner is a patient
  const role = (id: string, practitioner: r4.Reference): r4.PractitionerRole => ({
    resourceType: 'PractitionerRole',
    id,
    practitioner,
    code: [{ text: 'Physician' }],
  });
  writeNdjson(f('roster.ndjson'), [
    {
      resourceType: 'Practitioner',
      id: 'p1',
      identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1111111111' }],
    },
    role('r1', DR),
    role('r2', { reference: `Patient?identifier=${MRN}|${RAW}-C1`, display: `${RAW} name` }),
    role('r3', { reference: `Patient/${RAW}-C2` }),
    role('r4', { identifier: { type: MR, value: `${RAW}-C3` }, display: `${RAW} name` }),
  ]);
  return {
    clinicians: [f('roster.ndjson')],
    orders: [f('MedicationRequest.ndjson'), f('Patient.ndjson'), f('orders-bundle.json')],
    events: [f('AuditEvent.ndjson'), f('events-bundle.json')],
    schedule: [f('schedule.ndjson')],
  };
}

/** Import every table; check what was stored and rejected (hand-counted above). */
async function importAll(store: Store, dir: string, p: Pseudonymizer): Promise<void> {
  const files = writeFiles(dir);
  const run = (table: keyof typeof files) =>
    importFhir(store, {
      table,
      files: files[table],
      pseudonymizer: p,
      rejectsDir: join(dir, 'rj'),
    });
  const reasons = async (id: number) =>
    (
      await store.all<{ reason: string }>(
        `SELECT reason FROM import_rejects WHERE import_id = $1 ORDER BY line, reason`,
        [id],
      )
    ).map((r) => r.reason);

  const c = await run('clinicians');
  expect(c).toMatchObject({ rows_stored: 1, rows_rejected: 3 });
  expect(await reasons(c.import_id)).toEqual(
    Array(3).fill(
      "the PractitionerRole's practitioner is a Patient: a patient is never a clinician of the roster, and a patient's identifier is never stored as a user",
    ),
  );

  const o = await run('orders');
  expect(o).toMatchObject({ rows_stored: 3, rows_rejected: 11 });
  expect(o.notes).toMatchObject({ orders_entered_by_a_patient_not_stored: 2 });
  const or = await reasons(o.import_id);
  const patientReq = (t: string) =>
    `its requester is a ${t}: Uptake counts orders signed by clinicians, and never stores a patient's identifier as a user`;
  expect(or.filter((r) => r.endsWith(patientReq('Patient')))).toHaveLength(8);
  expect(or.filter((r) => r.endsWith(patientReq('RelatedPerson')))).toHaveLength(2);
  expect(or.filter((r) => r.includes('is a reference to no Bundle entry'))).toHaveLength(1);
  const stored = await store.all<{
    order_id: string;
    entered_by: string | null;
    patient_id: string;
  }>(`SELECT order_id, entered_by, patient_id FROM orders ORDER BY order_id`);
  expect(stored).toEqual([
    {
      order_id: 'MedicationRequest/m11',
      entered_by: null,
      patient_id: p.pseudonym('patient', 'Patient/pat-ok'),
    },
    {
      order_id: 'MedicationRequest/m12',
      entered_by: null,
      patient_id: p.pseudonym('patient', `${RAW}-12`),
    },
    {
      order_id: 'MedicationRequest/m14',
      entered_by: null,
      patient_id: p.pseudonym('patient', `Patient/${RAW}-13`),
    },
  ]);

  const e = await run('events');
  expect(e).toMatchObject({ rows_stored: 3, rows_rejected: 7 });
  const er = await reasons(e.import_id);
  expect(
    er.filter((r) => /its user \(agent\[0\]\) is a (Patient|RelatedPerson): /.test(r)),
  ).toHaveLength(7);
  const pids = await store.all<{ event_id: string; patient_id: string }>(
    `SELECT event_id, patient_id FROM events ORDER BY event_id`,
  );
  expect(pids).toEqual([
    { event_id: 'e10', patient_id: p.pseudonym('patient', `Patient/${RAW}-E9`) },
    { event_id: 'e7', patient_id: p.pseudonym('patient', `${RAW}-E7`) },
    { event_id: 'e8', patient_id: p.pseudonym('patient', `${RAW}-E8`) },
  ]);

  const s = await run('schedule');
  expect(s).toMatchObject({ rows_stored: 2, rows_rejected: 2 });
  expect(await reasons(s.import_id)).toEqual([
    "its Schedule/s1 has no Practitioner or PractitionerRole actor, so the session is nobody's",
    "the Appointment has no Practitioner (or PractitionerRole) participant, so it is on nobody's schedule",
  ]);
  expect(
    await store.all(`SELECT appointment_id, patient_id FROM schedule ORDER BY appointment_id`),
  ).toEqual([
    { appointment_id: 'a1', patient_id: p.pseudonym('patient', `${RAW}-S2`) },
    { appointment_id: 'a3', patient_id: p.pseudonym('patient', `${RAW}-S4`) },
  ]);
}

/** Every text (or JSON) column of every table of the store that contains the raw marker. */
async function rawHits(store: Store): Promise<string[]> {
  const cols = await store.all<{ t: string; c: string }>(
    `SELECT c.table_name AS t, c.column_name AS c FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
     WHERE c.table_schema IN ('main', 'public') AND t.table_type = 'BASE TABLE'
       AND lower(c.data_type) IN ('text', 'character varying', 'varchar', 'json', 'jsonb')`,
  );
  expect(cols.length).toBeGreaterThan(20);
  const hits: string[] = [];
  for (const { t, c } of cols) {
    const [hit] = await store.all<{ n: number }>(
      `SELECT count(*) AS n FROM "${t}" WHERE CAST("${c}" AS VARCHAR) LIKE $1`,
      [`%${RAW}%`],
    );
    if (hit?.n) hits.push(`${t}.${c}`);
  }
  return hits;
}

describe('FHIR: a patient behind any form of reference never reaches the store', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'uptake-privacy-fhir-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('DuckDB: no column and no byte of the database file holds a raw patient identifier', async () => {
    const db = join(dir, 'f.duckdb');
    const store = await DuckDBStore.open(db);
    try {
      await importAll(store, dir, Pseudonymizer.load(join(dir, 'key')));
      expect(await rawHits(store)).toEqual([]);
      await store.run('CHECKPOINT');
    } finally {
      await store.close();
    }
    for (const f of readdirSync(dir).filter((x) => x.startsWith('f.duckdb'))) {
      expect(readFileSync(join(dir, f)).includes(Buffer.from(RAW)), f).toBe(false);
    }
  });

  it.skipIf(!inject('pgUrl'))(
    'PostgreSQL: no text column of any table holds a raw patient identifier',
    async () => {
      const store = await PostgresStore.open(await freshPgDatabase(inject('pgUrl')!));
      mkdirSync(join(dir, 'pg'));
      try {
        await importAll(store, join(dir, 'pg'), Pseudonymizer.load(join(dir, 'key')));
        expect(await rawHits(store)).toEqual([]);
      } finally {
        await store.close();
      }
    },
  );
});
