/**
 * FHIR identities that join (issue 10, items 3 and 7), on every engine: a US Core roster whose
 * roles name practitioners by identifier only, orders and audit events that name them in every
 * FHIR form (literal, absolute, conditional, `urn:uuid:`, identifier), `clinician_identifiers`
 * across imports, `--identifier-system`, `--default-role`, and a whole Bulk Data export given to
 * one table.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as r4 from 'fhir/r4.js';
import {
  NPI_SYSTEM,
  practitionerIdentities,
  practitionerKey,
  referenceIdentity,
} from '../../model/clinicianIdentifiers.ts';
import { engines } from '../../testing/testEngines.ts';
import type { Store } from '../../store/Store.ts';
import { Pseudonymizer } from '../pseudonymize.ts';
import { importFhir, type FhirImportOptions } from './importFhir.ts';
import { bundle, loginEvent, writeJson, writeNdjson } from '../../testing/fhirFixtures.ts';

const US_CORE = fileURLToPath(new URL('./fixtures/us-core/', import.meta.url));
const fixture = (f: string) => join(US_CORE, f);
const ROSTER = [fixture('Practitioner.ndjson'), fixture('PractitionerRole.ndjson')];
const ORDERS = [fixture('MedicationRequest.ndjson'), fixture('transaction.json')];

/** The fixture's practitioners: resource id → NPI. */
const ID = {
  okafor: '0b7e6d1c-1f4a-4c55-9a01-5c2f0e000001',
  lindqvist: '0b7e6d1c-1f4a-4c55-9a01-5c2f0e000002',
  tanaka: '0b7e6d1c-1f4a-4c55-9a01-5c2f0e000003',
};
const NPI = { okafor: '9999900011', lindqvist: '9999900029', tanaka: '9999900037' };
const LOGIN = 'https://ehr.example.org/sid/login';

for (const engine of engines()) {
  describe(`FHIR identities that join (${engine.name})`, () => {
    let dir: string;
    let store: Store;
    let p: Pseudonymizer;
    const run = (
      table: 'events' | 'clinicians' | 'schedule' | 'orders',
      files: string[],
      extra: Partial<FhirImportOptions> = {},
    ) =>
      importFhir(store, {
        table,
        files,
        pseudonymizer: p,
        rejectsDir: join(dir, 'rejects'),
        ...extra,
      });
    const rejects = (importId: number) =>
      store.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM import_rejects WHERE import_id = $1 ORDER BY line, reason`,
        [importId],
      );
    const identities = () =>
      store.all<{ system: string; value: string; user_id: string; import_id: number }>(
        `SELECT system, value, user_id, import_id FROM clinician_identifiers ORDER BY user_id, system, value`,
      );
    const ordersJoined = () =>
      store.all<{ order_id: string; user_id: string; patient_id: string | null }>(
        `SELECT o.order_id, o.user_id, o.patient_id FROM orders o JOIN clinicians c ON c.user_id = o.user_id
         ORDER BY o.order_id`,
      );

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'uptake-fhir-id-'));
      store = await engine.open();
      p = Pseudonymizer.load(join(dir, 'key'));
    });
    afterEach(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a US Core roster whose roles name practitioners by identifier keeps every practitioner, keyed by NPI', async () => {
      const r = await run('clinicians', ROSTER);
      expect(r).toMatchObject({ rows_read: 3, rows_stored: 3, rows_rejected: 0 });
      expect(r.notes).toEqual({ resources_read: 6, practitioners_merged_into_roles: 3 });
      expect(
        await store.all(
          `SELECT user_id, role, name, specialty, department FROM clinicians ORDER BY user_id`,
        ),
      ).toEqual([
        {
          user_id: NPI.okafor,
          role: 'General Practice',
          name: 'Dr. Amara Okafor',
          specialty: 'General Practice',
          department: 'Springfield Family Medicine',
        },
        {
          user_id: NPI.lindqvist,
          role: 'Cardiovascular Disease',
          name: 'Dr. Erik Lindqvist',
          specialty: 'Cardiovascular Disease',
          department: 'Riverside Cardiology',
        },
        {
          user_id: NPI.tanaka,
          role: 'Cardiovascular Disease',
          name: 'Dr. Yui Tanaka',
          specialty: 'Cardiovascular Disease',
          department: 'Riverside Cardiology',
        },
      ]);
      // Every identity names its clinician: the resource id, the NPI, the role's id — exactly
      // what the model's conventions say for each Practitioner of the file.
      const practitioners = readFileSync(ROSTER[0]!, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as r4.Practitioner);
      const want = practitioners.flatMap((pr, i) => {
        const key = practitionerKey(pr)!;
        return [
          ...practitionerIdentities(pr).map((x) => ({ ...x, user_id: key })),
          { system: 'PractitionerRole', value: `pr-000${i + 1}`, user_id: key },
        ];
      });
      expect(want).toHaveLength(9);
      const byKey = (a: { user_id: string; system: string; value: string }[]) =>
        [...a].sort((x, y) =>
          `${x.user_id} ${x.system} ${x.value}`.localeCompare(
            `${y.user_id} ${y.system} ${y.value}`,
          ),
        );
      expect(byKey(await identities())).toEqual(
        byKey(want.map((w) => ({ ...w, import_id: r.import_id }))),
      );
      expect(referenceIdentity(`https://x.example/fhir/Practitioner/${ID.tanaka}`)).toEqual({
        system: 'Practitioner',
        value: ID.tanaka,
      });
      // a re-import changes nothing, identities keep the import that stored them
      const again = await run('clinicians', ROSTER);
      expect(again).toMatchObject({ rows_stored: 0, rows_updated: 0, rows_duplicate: 3 });
      expect((await identities()).every((x) => x.import_id === r.import_id)).toBe(true);
    });

    it('a practitioner keeps its key when a later file lacks the NPI, and moves to the NPI once it has one', async () => {
      const f = join(dir, 'roster.ndjson');
      const roster = (identifier: r4.Identifier[]) =>
        writeNdjson(f, [
          { resourceType: 'Practitioner', id: 'p1', identifier },
          {
            resourceType: 'PractitionerRole',
            id: 'r1',
            practitioner: { reference: 'Practitioner/p1' },
            code: [{ text: 'Physician' }],
          },
        ]);
      roster([{ system: LOGIN, value: 'AOKAFOR' }]);
      const first = await run('clinicians', [f]);
      const ids = async () =>
        (await identities()).map((x) => `${x.system} ${x.value} → ${x.user_id}`).sort();
      expect(await ids()).toEqual([
        'Practitioner p1 → Practitioner/p1',
        'PractitionerRole r1 → Practitioner/p1',
        `${LOGIN} AOKAFOR → Practitioner/p1`,
      ]);
      roster([{ system: NPI_SYSTEM, value: NPI.okafor }]);
      const second = await run('clinicians', [f]);
      expect(second).toMatchObject({ rows_stored: 1, rows_rejected: 0 });
      expect(await ids()).toEqual([
        `Practitioner p1 → ${NPI.okafor}`,
        `PractitionerRole r1 → ${NPI.okafor}`,
        `${NPI_SYSTEM} ${NPI.okafor} → ${NPI.okafor}`,
        `${LOGIN} AOKAFOR → Practitioner/p1`, // no longer in the file: left as it was
      ]);
      const moved = (await identities()).filter((x) => x.user_id === NPI.okafor);
      expect(moved.every((x) => x.import_id === second.import_id)).toBe(true);
      // the same resource without its NPI now keeps the key the store knows it by
      roster([]);
      const third = await run('clinicians', [f]);
      expect(third).toMatchObject({ rows_stored: 0, rows_duplicate: 1 });
      expect(first.rows_stored).toBe(1);
    });

    it('its orders, imported later, join the roster whatever form the requester takes', async () => {
      await run('clinicians', ROSTER);
      const r = await run('orders', ORDERS);
      expect(r).toMatchObject({ rows_read: 9, rows_stored: 9, rows_rejected: 0 });
      expect(r.notes).toEqual({
        resources_read: 12,
        'skipped_resource_type:Patient': 1,
        'skipped_resource_type:Practitioner': 1,
        'skipped_resource_type:Provenance': 1,
      });
      const pat = (id: string) => p.pseudonym('patient', `Patient/${id}`);
      const bundled = pat('7d1f3b0e-5a2c-4f6e-8b11-3c9d2a000001');
      expect(await ordersJoined()).toEqual([
        { order_id: 'MedicationRequest/mr-1', user_id: NPI.okafor, patient_id: pat('pat-a') }, // conditional by NPI
        { order_id: 'MedicationRequest/mr-2', user_id: NPI.lindqvist, patient_id: pat('pat-a') }, // identifier only
        { order_id: 'MedicationRequest/mr-3', user_id: NPI.tanaka, patient_id: pat('pat-b') }, // Practitioner/<id>
        { order_id: 'MedicationRequest/mr-4', user_id: NPI.okafor, patient_id: pat('pat-b') }, // absolute, versioned
        { order_id: 'MedicationRequest/mr-5', user_id: NPI.tanaka, patient_id: pat('pat-c') }, // URL-encoded conditional
        { order_id: 'MedicationRequest/mr-6', user_id: NPI.lindqvist, patient_id: pat('pat-c') }, // conditional by _id
        { order_id: 'MedicationRequest/mr-t1', user_id: NPI.okafor, patient_id: bundled }, // subject urn:uuid
        { order_id: 'MedicationRequest/mr-t2', user_id: NPI.lindqvist, patient_id: bundled }, // requester urn:uuid
        { order_id: 'ServiceRequest/sr-t3', user_id: NPI.lindqvist, patient_id: bundled },
      ]);
      // the Bundle's Provenance names who entered mr-t2 by its urn:uuid, and the enterer conditionally
      expect(
        await store.all(`SELECT order_id, entered_by FROM orders WHERE entered_by IS NOT NULL`),
      ).toEqual([{ order_id: 'MedicationRequest/mr-t2', entered_by: NPI.tanaka }]);
    });

    it('orders with the Practitioner files of their export join without a stored roster', async () => {
      const r = await run('orders', [...ORDERS, fixture('Practitioner.ndjson')]);
      expect(r.notes).toMatchObject({ 'skipped_resource_type:Practitioner': 4 });
      expect(r).toMatchObject({ rows_stored: 9, rows_rejected: 0 });
      const users = await store.all<{ order_id: string; user_id: string }>(
        `SELECT order_id, user_id FROM orders ORDER BY order_id`,
      );
      expect(users.map((u) => u.user_id)).toEqual([
        NPI.okafor,
        NPI.lindqvist,
        NPI.tanaka,
        NPI.okafor,
        NPI.tanaka,
        NPI.lindqvist,
        NPI.okafor,
        NPI.lindqvist,
        NPI.lindqvist,
      ]);
      // only a roster import stores identities
      expect(await identities()).toEqual([]);
    });

    it('audit events and schedules resolve their practitioners through the stored identities', async () => {
      const roster = await run('clinicians', ROSTER);
      const f = join(dir, 'audit.json');
      const x = 'urn:uuid:3f9a0c1e-0000-4000-8000-000000000001';
      const b = bundle('collection', [
        { resourceType: 'Practitioner', id: ID.lindqvist },
        loginEvent('a1', '2026-03-02T08:00:00Z', { reference: x }),
        loginEvent('a2', '2026-03-02T08:01:00Z', {
          reference: `Practitioner?identifier=${NPI_SYSTEM}|${NPI.okafor}`,
        }),
        loginEvent('a3', '2026-03-02T08:02:00Z', { reference: `Practitioner/${ID.tanaka}` }),
        loginEvent('a4', '2026-03-02T08:03:00Z', {
          reference: `https://ehr.example.org/fhir/Practitioner/${ID.okafor}`,
        }),
        loginEvent('a5', '2026-03-02T08:04:00Z', {
          identifier: { system: NPI_SYSTEM, value: NPI.tanaka },
        }),
        loginEvent('a6', '2026-03-02T08:05:00Z', { reference: 'PractitionerRole/pr-0002' }),
        loginEvent('a7', '2026-03-02T08:06:00Z', { reference: 'urn:uuid:not-in-this-bundle' }),
      ]);
      b.entry![0]!.fullUrl = x;
      writeJson(f, b);
      const r = await run('events', [f]);
      expect(r).toMatchObject({ rows_read: 7, rows_stored: 6, rows_rejected: 1 });
      expect(await rejects(r.import_id)).toEqual([
        {
          line: 8,
          reason:
            'Bundle entry 8: its user (agent[0]) is a reference to no Bundle entry (fullUrl) or contained resource of its file',
        },
      ]);
      expect(
        await store.all(
          `SELECT e.event_id, e.user_id FROM events e JOIN clinicians c ON c.user_id = e.user_id ORDER BY e.event_id`,
        ),
      ).toEqual([
        { event_id: 'a1', user_id: NPI.lindqvist },
        { event_id: 'a2', user_id: NPI.okafor },
        { event_id: 'a3', user_id: NPI.tanaka },
        { event_id: 'a4', user_id: NPI.okafor },
        { event_id: 'a5', user_id: NPI.tanaka },
        { event_id: 'a6', user_id: NPI.lindqvist },
      ]);
      // a schedule whose actor is a PractitionerRole of the roster is that practitioner's
      const sf = join(dir, 'schedule.ndjson');
      writeNdjson(sf, [
        { resourceType: 'Schedule', id: 's1', actor: [{ reference: 'PractitionerRole/pr-0003' }] },
        {
          resourceType: 'Slot',
          id: 'sl1',
          schedule: { reference: 'Schedule/s1' },
          status: 'busy',
          start: '2026-03-02T09:00:00-05:00',
          end: '2026-03-02T12:00:00-05:00',
        },
        {
          resourceType: 'Appointment',
          id: 'ap1',
          status: 'booked',
          start: '2026-03-02T09:00:00-05:00',
          end: '2026-03-02T09:20:00-05:00',
          participant: [
            { actor: { reference: `Practitioner?identifier=${NPI_SYSTEM}|${NPI.okafor}` } },
            { actor: { reference: 'Patient/pat-a' } },
          ],
        },
      ]);
      const s = await run('schedule', [sf]);
      expect(s).toMatchObject({ rows_stored: 2, rows_rejected: 0 });
      expect(
        await store.all(
          `SELECT s.kind, s.user_id, s.patient_id FROM schedule s JOIN clinicians c ON c.user_id = s.user_id ORDER BY s.kind`,
        ),
      ).toEqual([
        {
          kind: 'appointment',
          user_id: NPI.okafor,
          patient_id: p.pseudonym('patient', 'Patient/pat-a'),
        },
        { kind: 'session', user_id: NPI.tanaka, patient_id: null },
      ]);
      expect(roster.rows_stored).toBe(3);
    });

    it('--identifier-system keys the roster by another identifier; every form still resolves to it', async () => {
      const pf = join(dir, 'roster.ndjson');
      writeNdjson(pf, [
        {
          resourceType: 'Practitioner',
          id: 'p1',
          identifier: [
            { system: NPI_SYSTEM, value: NPI.okafor },
            { system: LOGIN, value: 'AOKAFOR' },
          ],
          name: [{ family: 'Okafor', given: ['Amara'] }],
        },
        {
          resourceType: 'Practitioner',
          id: 'p2',
          identifier: [{ system: NPI_SYSTEM, value: NPI.tanaka }],
        },
        {
          resourceType: 'PractitionerRole',
          id: 'r1',
          practitioner: { identifier: { system: NPI_SYSTEM, value: NPI.okafor } },
          code: [{ text: 'Physician' }],
        },
        {
          resourceType: 'PractitionerRole',
          id: 'r2',
          practitioner: { reference: 'Practitioner/p2' },
          code: [{ text: 'Physician' }],
        },
      ]);
      const r = await run('clinicians', [pf], { identifierSystem: LOGIN });
      expect(r).toMatchObject({ rows_stored: 2, rows_rejected: 0 });
      // without a login the resource id keys the practitioner (not its NPI)
      expect(
        (
          await store.all<{ user_id: string }>(`SELECT user_id FROM clinicians ORDER BY user_id`)
        ).map((x) => x.user_id),
      ).toEqual(['AOKAFOR', 'Practitioner/p2']);
      const of = join(dir, 'orders.ndjson');
      const order = (id: string, requester: r4.Reference): r4.MedicationRequest => ({
        resourceType: 'MedicationRequest',
        id,
        status: 'active',
        intent: 'order',
        subject: { reference: 'Patient/x' },
        authoredOn: '2026-03-02T09:00:00Z',
        requester,
      });
      writeNdjson(of, [
        order('o1', { reference: `Practitioner?identifier=${NPI_SYSTEM}|${NPI.okafor}` }),
        order('o2', { reference: 'Practitioner/p1' }),
        order('o3', { identifier: { value: 'AOKAFOR' } }), // a value alone, unambiguous
        order('o4', { identifier: { system: NPI_SYSTEM, value: NPI.tanaka } }),
        order('o5', { reference: `Practitioner?identifier=${LOGIN}|AOKAFOR` }),
      ]);
      await run('orders', [of], { identifierSystem: LOGIN });
      expect((await ordersJoined()).map((o) => `${o.order_id} ${o.user_id}`)).toEqual([
        'MedicationRequest/o1 AOKAFOR',
        'MedicationRequest/o2 AOKAFOR',
        'MedicationRequest/o3 AOKAFOR',
        'MedicationRequest/o4 Practitioner/p2',
        'MedicationRequest/o5 AOKAFOR',
      ]);
      const bad = await run('clinicians', [pf], { identifierSystem: 'not a uri' }).catch(
        (e: Error) => e,
      );
      expect((bad as Error).message).toBe(
        `--identifier-system not a uri is not an identifier system URI such as ${NPI_SYSTEM}`,
      );
    });

    it('--default-role imports practitioners without PractitionerRoles instead of rejecting them', async () => {
      const pf = join(dir, 'Practitioner.ndjson');
      copyFileSync(fixture('Practitioner.ndjson'), pf);
      const without = await run('clinicians', [pf]);
      expect(without).toMatchObject({ rows_read: 3, rows_stored: 0, rows_rejected: 3 });
      expect((await rejects(without.import_id))[0]?.reason).toBe(
        `Practitioner/${ID.okafor} has no PractitionerRole among the files, so no role: import its PractitionerRole resources with it, or give practitioners without one a role with --default-role`,
      );
      // one role (without code) among the files: it takes the default role too
      const rf = join(dir, 'PractitionerRole.ndjson');
      writeNdjson(rf, [
        {
          resourceType: 'PractitionerRole',
          id: 'r9',
          practitioner: { identifier: { system: NPI_SYSTEM, value: NPI.tanaka } },
          specialty: [{ text: 'Dermatology' }],
        },
      ]);
      const r = await run('clinicians', [pf, rf], { defaultRole: 'Physician' });
      expect(r).toMatchObject({ rows_read: 3, rows_stored: 3, rows_rejected: 0 });
      expect(r.notes).toMatchObject({
        practitioners_given_default_role: 2,
        practitioners_merged_into_roles: 1,
        roles_given_default_role: 1,
      });
      expect(
        await store.all(`SELECT user_id, role, name, specialty FROM clinicians ORDER BY user_id`),
      ).toEqual([
        { user_id: NPI.okafor, role: 'Physician', name: 'Dr. Amara Okafor', specialty: null },
        { user_id: NPI.lindqvist, role: 'Physician', name: 'Dr. Erik Lindqvist', specialty: null },
        {
          user_id: NPI.tanaka,
          role: 'Physician',
          name: 'Dr. Yui Tanaka',
          specialty: 'Dermatology',
        },
      ]);
      expect((await identities()).filter((x) => x.system === NPI_SYSTEM)).toHaveLength(3);
      const notRoster = await run('orders', ORDERS, { defaultRole: 'Physician' }).catch(
        (e: Error) => e,
      );
      expect((notRoster as Error).message).toMatch(
        /--default-role gives a role to practitioners of the roster/,
      );
    });

    it('a whole Bulk Data export given to one table: other types are counted per type, never copied', async () => {
      const patients = join(dir, 'Patient.ndjson');
      const observations = join(dir, 'Observation.ndjson');
      const orders = join(dir, 'MedicationRequest.ndjson');
      writeNdjson(patients, [
        {
          resourceType: 'Patient',
          id: 'pat-a',
          name: [{ family: 'Zyxwvuts', given: ['Quentin'] }],
        },
        { resourceType: 'Patient', id: 'pat-b', name: [{ family: 'Zyxwvuts', given: ['Rosa'] }] },
      ]);
      writeNdjson(observations, [
        {
          resourceType: 'Observation',
          id: 'o1',
          status: 'final',
          code: { text: 'HbA1c 9.9 Zyxwvuts' },
        },
        { resourceType: 'Observation', id: 'o2', status: 'final', code: { text: 'LDL' } },
      ]);
      writeNdjson(orders, [
        ...readFileSync(fixture('MedicationRequest.ndjson'), 'utf8').trim().split('\n'),
        '{"resourceType": "MedicationRequest", "id": "cut',
      ]);
      const exportFiles = [patients, observations, ...ROSTER, orders];
      const r = await run('orders', exportFiles);
      expect(r).toMatchObject({ rows_read: 7, rows_stored: 6, rows_rejected: 1 });
      expect(r.notes).toEqual({
        resources_read: 17,
        'skipped_resource_type:Observation': 2,
        'skipped_resource_type:Patient': 2,
        'skipped_resource_type:Practitioner': 3,
        'skipped_resource_type:PractitionerRole': 3,
      });
      expect(await rejects(r.import_id)).toEqual([
        { line: 7, reason: 'MedicationRequest.ndjson line 7: the line is not valid JSON' },
      ]);
      const text = readFileSync(r.rejects_file!, 'utf8');
      expect(text.trim().split('\n')).toHaveLength(2); // the header and the one bad line
      expect(text).not.toContain('Zyxwvuts');
      // the roster's files resolved every requester to its NPI
      expect(
        (
          await store.all<{ user_id: string }>(`SELECT DISTINCT user_id FROM orders ORDER BY 1`)
        ).map((x) => x.user_id),
      ).toEqual([NPI.okafor, NPI.lindqvist, NPI.tanaka]);
      // the same export given to a table none of its resources fills is refused, saying why
      const e = await run('events', [patients, observations]).catch((x: Error) => x);
      expect((e as Error).message).toBe(
        'none of the files holds an AuditEvent (they hold Observation 2, Patient 2), so nothing is for events; nothing was imported',
      );
    });
  });
}
