/**
 * FHIR roster, schedule and orders import, on every engine: Practitioner + PractitionerRole,
 * Schedule + Slot + Appointment, MedicationRequest + ServiceRequest (with the official HL7
 * examples), the ids they share with AuditEvent users, re-imports and privacy.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engines } from '../../testing/testEngines.ts';
import type { Store } from '../../store/Store.ts';
import { Pseudonymizer } from '../pseudonymize.ts';
import { importFhir, type FhirImportOptions } from './importFhir.ts';
import type * as r4 from 'fhir/r4.js';
import { bundle, loginEvent, writeJson, writeNdjson } from '../../testing/fhirFixtures.ts';

const HL7 = fileURLToPath(new URL('./fixtures/hl7/', import.meta.url));
const NPI = 'http://hl7.org/fhir/sid/us-npi';
const SNOMED = 'http://snomed.info/sct';

const practitioner = (id: string, npi: string | null, family: string): r4.Practitioner => ({
  resourceType: 'Practitioner',
  id,
  ...(npi ? { identifier: [{ system: NPI, value: npi }] } : {}),
  name: [{ use: 'official', family, given: ['Ann'], prefix: ['Dr'] }],
});
const role = (
  id: string,
  who: r4.Reference,
  o: {
    code?: string;
    specialty?: string;
    org?: r4.Reference;
    active?: boolean;
    period?: r4.Period;
  } = {},
): r4.PractitionerRole => ({
  resourceType: 'PractitionerRole',
  id,
  ...(o.active !== undefined ? { active: o.active } : {}),
  ...(o.period ? { period: o.period } : {}),
  practitioner: who,
  ...(o.org ? { organization: o.org } : {}),
  ...(o.code
    ? { code: [{ coding: [{ system: SNOMED, code: '309343006', display: o.code }] }] }
    : {}),
  ...(o.specialty ? { specialty: [{ text: o.specialty }] } : {}),
});

for (const engine of engines({ citus: true })) {
  describe(`FHIR roster, schedule and orders import (${engine.name})`, () => {
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

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'uptake-fhir-t-'));
      store = await engine.open();
      p = Pseudonymizer.load(join(dir, 'key'));
    });
    afterEach(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('roster: Practitioner + PractitionerRole files give one clinician each, ids as agents name them', async () => {
      const pf = join(dir, 'Practitioner.ndjson');
      const rf = join(dir, 'PractitionerRole.ndjson');
      writeNdjson(pf, [
        practitioner('p1', '1111111111', 'Alpha'),
        practitioner('p2', null, 'Beta'),
        practitioner('p3', '3333333333', 'Gamma'), // no role anywhere
      ]);
      writeNdjson(rf, [
        role(
          'r1',
          { reference: 'Practitioner/p1' },
          {
            code: 'Physician',
            specialty: 'Cardiology',
            org: { reference: 'Organization/o1', display: 'Cardiology Clinic' },
            period: { start: '2020-01-01' },
          },
        ),
        role('r1-old', { reference: 'Practitioner/p1' }, { code: 'Resident', active: false }),
        role(
          'r2',
          { reference: 'https://ehr.example.org/fhir/Practitioner/p2' },
          { code: 'Nurse practitioner' },
        ),
        role(
          'r4',
          { identifier: { value: '4444444444' }, display: 'Dr Delta' },
          { code: 'Physician' },
        ), // practitioner not in the files
        role('r5', { reference: 'Practitioner/p5' }), // no code
      ]);
      const r = await run('clinicians', [pf, rf]);
      expect(r).toMatchObject({ rows_read: 5, rows_stored: 3, rows_rejected: 2 });
      expect(r.notes).toMatchObject({
        resources_read: 8,
        practitioner_roles_not_kept: 1,
        practitioners_merged_into_roles: 2,
      });
      const rows = await store.all<Record<string, string | null>>(
        `SELECT user_id, role, name, specialty, department FROM clinicians ORDER BY user_id`,
      );
      expect(rows).toEqual([
        {
          user_id: '1111111111',
          role: 'Physician',
          name: 'Dr Ann Alpha',
          specialty: 'Cardiology',
          department: 'Cardiology Clinic',
        },
        {
          user_id: '4444444444',
          role: 'Physician',
          name: 'Dr Delta',
          specialty: null,
          department: null,
        },
        {
          user_id: 'Practitioner/p2',
          role: 'Nurse practitioner',
          name: 'Dr Ann Beta',
          specialty: null,
          department: null,
        },
      ]);
      expect(await rejects(r.import_id)).toEqual([
        {
          line: 3,
          reason:
            'Practitioner.ndjson line 3: Practitioner/p3 has no PractitionerRole among the files, so no role: import its PractitionerRole resources with it, or give practitioners without one a role with --default-role',
        },
        {
          line: 5,
          reason:
            'PractitionerRole.ndjson line 5: the PractitionerRole has no code, so no role (the roster needs one): give one with --default-role',
        },
      ]);
      // an AuditEvent whose agent is identified like the practitioner joins the roster
      const ae = join(dir, 'AuditEvent.ndjson');
      writeNdjson(ae, [
        loginEvent('l1', '2026-03-02T08:00:00Z', {
          identifier: { system: NPI, value: '1111111111' },
        }),
        loginEvent('l2', '2026-03-02T08:00:00Z', { reference: 'Practitioner/p2' }),
      ]);
      await run('events', [ae]);
      const [joined] = await store.all<{ n: number }>(
        `SELECT count(*) AS n FROM events e JOIN clinicians c ON c.user_id = e.user_id`,
      );
      expect(joined?.n).toBe(2);
      // re-import: nothing changes (the roster is updated in place only when it differs)
      const again = await run('clinicians', [pf, rf]);
      expect(again).toMatchObject({ rows_stored: 0, rows_updated: 0, rows_duplicate: 3 });
    });

    it('roster: the HL7 US Core Practitioner example and a Bundle of roles', async () => {
      const b = join(dir, 'roles.json');
      writeJson(
        b,
        bundle('searchset', [
          role(
            'x1',
            { reference: 'Practitioner/practitioner-1' },
            { code: 'Physician', org: { reference: 'Organization/acme' } },
          ),
        ]),
      );
      const r = await run('clinicians', [join(HL7, 'Practitioner-practitioner-1.json'), b]);
      expect(r).toMatchObject({ rows_stored: 1, rows_rejected: 0 });
      const rows = await store.all<Record<string, string | null>>(
        `SELECT user_id, role, name, department FROM clinicians`,
      );
      // the first identifier (the NPI) is the user id
      expect(rows).toEqual([
        {
          user_id: '9941339100',
          role: 'Physician',
          name: 'Dr Ronald Bone',
          department: 'Organization/acme',
        },
      ]);
      // the example alone has no role: rejected, saying what to add
      const alone = await run('clinicians', [join(HL7, 'Practitioner-practitioner-1.json')]);
      expect(await rejects(alone.import_id)).toEqual([
        {
          line: 1,
          reason:
            'Practitioner/practitioner-1 has no PractitionerRole among the files, so no role: import its PractitionerRole resources with it, or give practitioners without one a role with --default-role',
        },
      ]);
    });

    it("schedule: slots of practitioners' schedules are sessions; appointments with mapped statuses", async () => {
      const sched: r4.Schedule[] = [
        {
          resourceType: 'Schedule',
          id: 's1',
          actor: [{ reference: 'Location/l1' }, { reference: 'Practitioner/p1' }],
        },
        { resourceType: 'Schedule', id: 's2', actor: [{ reference: 'PractitionerRole/r2' }] },
        { resourceType: 'Schedule', id: 's3', actor: [{ reference: 'Location/l1' }] },
      ];
      const slot = (
        id: string,
        schedule: string,
        status: r4.Slot['status'],
        h: number,
      ): r4.Slot => ({
        resourceType: 'Slot',
        id,
        schedule: { reference: schedule },
        status,
        start: `2026-03-02T${String(h).padStart(2, '0')}:00:00-05:00`,
        end: `2026-03-02T${String(h).padStart(2, '0')}:30:00-05:00`,
      });
      const roles: r4.PractitionerRole[] = [
        role('r2', { identifier: { value: '2222222222' } }, { code: 'Physician' }),
      ];
      const sf = join(dir, 'Schedule.ndjson');
      const lf = join(dir, 'Slot.ndjson');
      const rf = join(dir, 'PractitionerRole.ndjson');
      writeNdjson(sf, sched);
      writeNdjson(lf, [
        slot('a', 'Schedule/s1', 'busy', 9),
        slot('b', 'Schedule/s1', 'free', 10),
        slot('c', 'Schedule/s1', 'busy-unavailable', 11),
        slot('d', 'Schedule/s2', 'busy-tentative', 12),
        slot('e', 'Schedule/missing', 'busy', 13),
        slot('f', 'Schedule/s3', 'busy', 14),
      ]);
      writeNdjson(rf, roles);
      const r = await run('schedule', [sf, lf, rf]);
      expect(r).toMatchObject({ rows_read: 5, rows_stored: 3, rows_rejected: 2 });
      expect(r.notes).toMatchObject({
        resources_read: 10,
        schedules_read: 3,
        slots_not_clinic_time: 1,
        'skipped_resource_type:PractitionerRole': 1, // read to resolve the actor, never a row
      });
      expect(await rejects(r.import_id)).toEqual([
        {
          line: 5,
          reason:
            'Slot.ndjson line 5: its Schedule (Schedule/missing) is not among the files: import the Schedule resources together with their Slots',
        },
        {
          line: 6,
          reason:
            "Slot.ndjson line 6: its Schedule/s3 has no Practitioner or PractitionerRole actor, so the session is nobody's",
        },
      ]);
      const sessions = await store.all<{ user_id: string; s: string; e: string }>(
        `SELECT user_id, substr(CAST(start_at AS VARCHAR), 12, 5) AS s, substr(CAST(end_at AS VARCHAR), 12, 5) AS e
         FROM schedule WHERE kind = 'session' ORDER BY start_at`,
      );
      expect(sessions).toEqual([
        { user_id: 'Practitioner/p1', s: '14:00', e: '14:30' },
        { user_id: 'Practitioner/p1', s: '15:00', e: '15:30' },
        { user_id: '2222222222', s: '17:00', e: '17:30' }, // the PractitionerRole stands for its practitioner
      ]);
    });

    it('schedule: appointments — statuses, visit types, patient, duration, waitlist, no clinician', async () => {
      const appt = (
        id: string,
        status: r4.Appointment['status'],
        extra: Partial<r4.Appointment> = {},
      ): r4.Appointment => ({
        resourceType: 'Appointment',
        id,
        status,
        start: '2026-03-02T09:00:00-05:00',
        end: '2026-03-02T09:20:00-05:00',
        participant: [
          { actor: { reference: 'Patient/ex-patient' }, status: 'accepted' },
          { actor: { reference: 'Practitioner/p1' }, status: 'accepted' },
        ],
        ...extra,
      });
      const statuses: r4.Appointment['status'][] = [
        'proposed',
        'pending',
        'booked',
        'arrived',
        'checked-in',
        'fulfilled',
        'noshow',
        'cancelled',
        'entered-in-error',
      ];
      const f = join(dir, 'Appointment.json');
      writeJson(
        f,
        bundle('collection', [
          ...statuses.map((s) => appt(`a-${s}`, s)),
          appt('video', 'booked', { appointmentType: { text: 'Video visit' } }),
          appt('phone', 'booked', {
            serviceType: [{ coding: [{ code: 'tel', display: 'Telephone consultation' }] }],
          }),
          appt('two-docs', 'booked', {
            participant: [
              { actor: { reference: 'Practitioner/p1' }, status: 'accepted' },
              { actor: { reference: 'Practitioner/p2' }, status: 'accepted' },
              { actor: { reference: 'Practitioner/p3' }, status: 'declined' },
            ],
          }),
          appt('duration', 'booked', { end: undefined as unknown as string, minutesDuration: 45 }),
          appt('wait', 'waitlist'),
          appt('nobody', 'booked', {
            participant: [{ actor: { reference: 'Patient/ex-patient' }, status: 'accepted' }],
          }),
          appt('no-start', 'booked', { start: undefined as unknown as string }),
        ]),
      );
      const r = await run('schedule', [f]);
      expect(r.notes).toMatchObject({ appointments_waitlisted: 1 });
      expect(r).toMatchObject({ rows_read: 16, rows_stored: 14, rows_rejected: 2 });
      expect(await rejects(r.import_id)).toEqual([
        {
          line: 15,
          reason:
            "Bundle entry 15: the Appointment has no Practitioner (or PractitionerRole) participant, so it is on nobody's schedule",
        },
        { line: 16, reason: 'Bundle entry 16: the Appointment has no start' },
      ]);
      const rows = await store.all<{
        appointment_id: string;
        user_id: string;
        status: string;
        visit_type: string;
        patient_id: string | null;
        e: string;
      }>(
        `SELECT appointment_id, user_id, status, visit_type, patient_id, substr(CAST(end_at AS VARCHAR), 12, 5) AS e
         FROM schedule WHERE kind = 'appointment' ORDER BY appointment_id, user_id`,
      );
      const st = Object.fromEntries(rows.map((x) => [x.appointment_id, x.status]));
      expect(st).toMatchObject({
        'a-proposed': 'booked',
        'a-pending': 'booked',
        'a-booked': 'booked',
        'a-arrived': 'arrived',
        'a-checked-in': 'arrived',
        'a-fulfilled': 'fulfilled',
        'a-noshow': 'noshow',
        'a-cancelled': 'cancelled',
        'a-entered-in-error': 'entered-in-error',
      });
      const by = (id: string) => rows.filter((x) => x.appointment_id === id);
      expect(by('video')[0]?.visit_type).toBe('video');
      expect(by('phone')[0]?.visit_type).toBe('phone');
      expect(by('a-booked')[0]).toMatchObject({
        visit_type: 'in-person',
        user_id: 'Practitioner/p1',
        patient_id: p.pseudonym('patient', 'Patient/ex-patient'),
      });
      expect(by('two-docs').map((x) => x.user_id)).toEqual(['Practitioner/p1', 'Practitioner/p2']);
      expect(by('duration')[0]?.e).toBe('14:45');
      // re-import: nothing stored twice; the raw patient id is nowhere in the schedule
      const again = await run('schedule', [f]);
      expect(again).toMatchObject({ rows_stored: 0, rows_duplicate: 14 });
      const [hit] = await store.all<{ n: number }>(
        `SELECT count(*) AS n FROM schedule WHERE patient_id LIKE '%ex-patient%' OR user_id LIKE '%ex-patient%' OR appointment_id LIKE '%ex-patient%'`,
      );
      expect(hit?.n).toBe(0);
    });

    it('orders: the HL7 MedicationRequest and ServiceRequest examples', async () => {
      const files = [
        join(HL7, 'medicationrequest0301.json'),
        join(HL7, 'servicerequest-example2.json'),
      ];
      // the MedicationRequest's authoredOn is a date without a zone: rejected unless --source-tz
      const r = await run('orders', files);
      expect(r).toMatchObject({ rows_stored: 1, rows_rejected: 1 });
      expect((await rejects(r.import_id))[0]?.reason).toMatch(
        /medicationrequest0301\.json: signed_at has no UTC offset.*--source-tz/,
      );
      const r2 = await run('orders', files, { sourceTz: 'Europe/Amsterdam' });
      expect(r2).toMatchObject({ rows_stored: 1, rows_duplicate: 1, rows_rejected: 0 });
      const rows = await store.all<Record<string, string | null>>(
        `SELECT order_id, user_id, entered_by, order_type, patient_id, substr(CAST(signed_at AS VARCHAR), 1, 16) AS s
         FROM orders ORDER BY order_id`,
      );
      expect(rows).toEqual([
        {
          order_id: 'MedicationRequest/medrx0301',
          user_id: 'Practitioner/f007',
          entered_by: null,
          order_type: 'medication',
          patient_id: p.pseudonym('patient', 'Patient/pat1'),
          s: '2015-01-14 23:00',
        },
        {
          order_id: 'ServiceRequest/physiotherapy',
          user_id: 'Practitioner/example',
          entered_by: null,
          order_type: 'other',
          patient_id: p.pseudonym('patient', 'Patient/example'),
          s: '2017-02-01 17:23',
        },
      ]);
    });

    it('orders: recorder is entered_by; patient requesters, drafts and proposals are not orders', async () => {
      const mr = (id: string, extra: Partial<r4.MedicationRequest>): r4.MedicationRequest => ({
        resourceType: 'MedicationRequest',
        id,
        status: 'active',
        intent: 'order',
        subject: { reference: 'Patient/ex-patient' },
        authoredOn: '2026-03-02T09:00:00-05:00',
        requester: { reference: 'Practitioner/p1' },
        ...extra,
      });
      const f = join(dir, 'MedicationRequest.ndjson');
      writeNdjson(f, [
        mr('m1', { recorder: { identifier: { value: 'nurse-7' } } }),
        mr('m2', { requester: { reference: 'Patient/ex-patient' } }),
        mr('m3', { status: 'draft' }),
        mr('m4', { intent: 'proposal' }),
        mr('m5', { requester: undefined as unknown as r4.Reference }),
        {
          resourceType: 'ServiceRequest',
          id: 'm1',
          status: 'active',
          intent: 'order',
          subject: { reference: 'Patient/ex-patient' },
          authoredOn: '2026-03-02T09:05:00-05:00',
          requester: { reference: 'Practitioner/p1' },
        } satisfies r4.ServiceRequest,
      ]);
      const r = await run('orders', [f]);
      expect(r).toMatchObject({ rows_read: 4, rows_stored: 2, rows_rejected: 2 });
      expect(r.notes).toMatchObject({ orders_draft: 1, requests_not_orders_proposal: 1 });
      const rj = await rejects(r.import_id);
      expect(rj.map((x) => x.line)).toEqual([2, 5]);
      expect(rj[0]?.reason).toMatch(/its requester is a Patient/);
      expect(rj[0]?.reason).not.toContain('ex-patient');
      expect(rj[1]?.reason).toBe(
        'the MedicationRequest has no requester (the clinician who signed it)',
      );
      const rows = await store.all<Record<string, string | null>>(
        `SELECT order_id, entered_by, order_type FROM orders ORDER BY order_id`,
      );
      expect(rows).toEqual([
        { order_id: 'MedicationRequest/m1', entered_by: 'nurse-7', order_type: 'medication' },
        { order_id: 'ServiceRequest/m1', entered_by: null, order_type: 'other' },
      ]);
      // a file with resources of another table only is refused, saying what it holds
      const wrong = await run('orders', [join(HL7, 'audit-event-example-login.json')]).catch(
        (e: Error) => e,
      );
      expect((wrong as Error).message).toBe(
        'none of the files holds a MedicationRequest or ServiceRequest (they hold AuditEvent 1), so nothing is for orders; nothing was imported',
      );
    });
  });
}
