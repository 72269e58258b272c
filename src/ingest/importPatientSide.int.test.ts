/**
 * The patient side of engagement (engagement.md §1): patient events, portal accounts, secure
 * messages and releases imported from canonical CSV through the one entry of the CLI and the
 * upload (`importFiles`, format detected), on every engine: counts, rejects with line and reason,
 * idempotence, pseudonyms that join with the schedule and with each other, removal and export.
 * That no raw identifier reaches the store is asserted with the other tables in
 * `privacy.int.test.ts`. FHIR R4: AuditEvent of a patient → patient_events, Communication →
 * messages, DiagnosticReport and DocumentReference → releases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import { CSV_COLUMNS, PATIENT_SCHEMAS, type FileImportTable } from '../model/canonical.ts';
import { exportTable } from '../export/exportTable.ts';
import { importFiles } from './importFiles.ts';
import { Pseudonymizer } from './pseudonymize.ts';
import { previewRemoval, removeImport } from './removeImport.ts';
import type { ImportReport } from './loadStaged.ts';
import { importFhir } from './fhir/importFhir.ts';
import { loginEvent, restEvent, writeNdjson } from '../testing/fhirFixtures.ts';
import type * as r4 from 'fhir/r4.js';

const FILES: Record<
  'schedule' | 'patient_events' | 'patient_accounts' | 'messages' | 'releases',
  string
> = {
  schedule:
    'user_id,kind,start,end,status,patient_id,appointment_id\n' +
    'u1,appointment,2026-03-02T10:00:00Z,2026-03-02T10:20:00Z,fulfilled,MRN-RAW-1,A1\n',
  patient_events:
    'event_id,occurred_at,patient_id,action,clinician_id,encounter_id,resource_id,channel,actor,source\n' +
    'e1,2026-03-02T18:00:00Z,MRN-RAW-1,login,,,,web,patient,portal\n' +
    'e2,2026-03-03T09:00:00-05:00,MRN-RAW-1,VIEW_RESULT,u1,A1,RES-RAW-1,app,proxy,portal\n' +
    'e3,2026-03-03T09:05:00Z,MRN-RAW-2,browse,,,,,,portal\n' +
    'e4,2026-03-03T09:06:00Z,,login,,,,,,portal\n' +
    'e5,yesterday,MRN-RAW-1,login,,,,,,portal\n' +
    'e6,2026-03-03T09:07:00Z,MRN-RAW-1,login,,,,,robot,portal\n' +
    'e1,2026-03-02T18:00:00Z,MRN-RAW-1,login,,,,web,patient,portal\n' +
    'e7,2026-03-04T09:00:00Z,MRN-RAW-2,view_followup,u1,,FU-RAW-1,,,\n',
  patient_accounts:
    'patient_id,activated_at,deactivated_at\n' +
    'MRN-RAW-1,2025-01-10T12:00:00Z,\n' +
    'MRN-RAW-2,2025-02-01T12:00:00Z,2026-01-01T00:00:00Z\n' +
    ',2025-02-01T12:00:00Z,\n' +
    'MRN-RAW-3,2025-02-01,\n' +
    'MRN-RAW-4,2025-02-01T12:00:00Z,2025-01-01T00:00:00Z\n' +
    'MRN-RAW-5,2025-02-01T12:00:00Z,soon\n',
  messages:
    'message_id,sent_at,patient_id,clinician_id,direction,in_reply_to,encounter_id\n' +
    'MSG-RAW-1,2026-03-03T10:00:00Z,MRN-RAW-1,u1,to_clinician,,A1\n' +
    'MSG-RAW-2,2026-03-03T14:00:00Z,MRN-RAW-1,u1,to_patient,MSG-RAW-1,A1\n' +
    'MSG-RAW-3,2026-03-03T14:00:00Z,MRN-RAW-1,u1,sideways,,\n' +
    'MSG-RAW-4,2026-03-03T14:00:00Z,MRN-RAW-1,,to_patient,,\n' +
    'MSG-RAW-5,2026-03-03 14:00,MRN-RAW-1,u1,to_patient,,\n',
  releases:
    'resource_id,patient_id,kind,available_at,clinician_id,encounter_id\n' +
    'RES-RAW-1,MRN-RAW-1,result,2026-03-03T08:00:00Z,u1,A1\n' +
    'NOTE-RAW-1,MRN-RAW-1,note,2026-03-04T08:00:00Z,u1,A1\n' +
    'NOTE-RAW-2,MRN-RAW-1,letter,2026-03-04T08:00:00Z,u1,A1\n' +
    ',MRN-RAW-1,note,2026-03-04T08:00:00Z,u1,A1\n' +
    'NOTE-RAW-3,MRN-RAW-1,note,2026-13-04T08:00:00Z,u1,A1\n',
};

/** Per table: rows stored, in-file duplicates, and each rejected line with what its reason says. */
const EXPECTED: Record<
  Exclude<keyof typeof FILES, 'schedule'>,
  { stored: number; duplicate: number; rejects: [number, RegExp][] }
> = {
  patient_events: {
    stored: 3,
    duplicate: 1,
    rejects: [
      [
        4,
        /^action is not one of login, view_result, .*, other \(the value has 6 characters: letters\)$/,
      ],
      [5, /^patient_id is empty; it is required$/],
      [6, /^occurred_at is not a valid ISO 8601 date and time/],
      [7, /^actor is not one of patient, proxy/],
    ],
  },
  patient_accounts: {
    stored: 2,
    duplicate: 0,
    rejects: [
      [4, /^patient_id is empty/],
      [5, /^activated_at has no UTC offset/],
      [6, /^deactivated_at is before activated_at/],
      [7, /^deactivated_at is not a valid ISO 8601 date and time/],
    ],
  },
  messages: {
    stored: 2,
    duplicate: 0,
    rejects: [
      [4, /^direction is not one of to_clinician, to_patient/],
      [5, /^clinician_id is empty/],
      [6, /^sent_at has no UTC offset/],
    ],
  },
  releases: {
    stored: 2,
    duplicate: 0,
    rejects: [
      [4, /^kind is not one of result, note, visit_summary, followup/],
      [5, /^resource_id is empty/],
      [6, /^available_at is not a valid ISO 8601 date and time/],
    ],
  },
};

const PSEUDONYM = /^P[0-9a-f]{32}$/;

describe('the patient-side contract', () => {
  it('takes the columns of each CSV from its schema, as engagement.md §1 names them', () => {
    expect(CSV_COLUMNS.patient_events).toEqual({
      required: ['event_id', 'occurred_at', 'patient_id', 'action'],
      optional: ['clinician_id', 'encounter_id', 'resource_id', 'channel', 'actor', 'source'],
    });
    expect(CSV_COLUMNS.patient_accounts).toEqual({
      required: ['patient_id', 'activated_at'],
      optional: ['deactivated_at'],
    });
    expect(CSV_COLUMNS.messages).toEqual({
      required: ['message_id', 'sent_at', 'patient_id', 'clinician_id', 'direction'],
      optional: ['in_reply_to', 'encounter_id'],
    });
    expect(CSV_COLUMNS.releases).toEqual({
      required: ['resource_id', 'patient_id', 'kind', 'available_at'],
      optional: ['clinician_id', 'encounter_id'],
    });
  });
});

for (const engine of engines({ citus: true })) {
  describe(`patient-side import (${engine.name})`, () => {
    let store: Store;
    let dir: string;
    let p: Pseudonymizer;
    const reports: Partial<Record<keyof typeof FILES, ImportReport>> = {};
    const run = async (table: FileImportTable, file: string): Promise<ImportReport> => {
      const [r] = await importFiles(store, {
        table,
        format: 'auto',
        files: [file],
        pseudonymizer: p,
        rejectsDir: join(dir, 'rejects'),
      });
      return r!;
    };
    beforeAll(async () => {
      store = await engine.open();
      dir = mkdtempSync(join(tmpdir(), 'uptake-patient-side-'));
      p = Pseudonymizer.load(join(dir, 'key'));
      for (const [table, text] of Object.entries(FILES)) {
        const file = join(dir, `${table}.csv`);
        writeFileSync(file, text);
        reports[table as keyof typeof FILES] = await run(table as FileImportTable, file);
      }
    });
    afterAll(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('stores the good rows and keeps the bad ones aside with line and reason', async () => {
      for (const [table, want] of Object.entries(EXPECTED)) {
        const r = reports[table as keyof typeof EXPECTED]!;
        const rejected = want.rejects.length;
        expect(r, table).toMatchObject({
          table,
          format: 'csv',
          rows_read: want.stored + want.duplicate + rejected,
          rows_stored: want.stored,
          rows_duplicate: want.duplicate,
          rows_rejected: rejected,
        });
        const [n] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
        expect(Number(n?.n), table).toBe(want.stored);
        const rejects = await store.all<{ line: number; reason: string }>(
          `SELECT line, reason FROM import_rejects WHERE import_id = $1 ORDER BY line`,
          [r.import_id],
        );
        expect(
          rejects.map((x) => Number(x.line)),
          table,
        ).toEqual(want.rejects.map(([l]) => l));
        for (const [i, [, reason]] of want.rejects.entries())
          expect(rejects[i]!.reason, `${table} line ${want.rejects[i]![0]}`).toMatch(reason);
        // The verbatim rows are in the owner-only rejects file, with their lines.
        const lines = readFileSync(r.rejects_file!, 'utf8').trim().split('\n');
        expect(
          lines.slice(1).map((l) => Number(l.split(',')[0])),
          table,
        ).toEqual(want.rejects.map(([l]) => l));
      }
    });

    it('stores closed sets in lower case, defaults the source and keeps the optional columns', async () => {
      const events = await store.all<Record<string, string | null>>(
        `SELECT event_id, source, action, actor, channel, clinician_id, encounter_id FROM patient_events ORDER BY event_id`,
      );
      expect(events).toEqual([
        {
          event_id: 'e1',
          source: 'portal',
          action: 'login',
          actor: 'patient',
          channel: 'web',
          clinician_id: null,
          encounter_id: null,
        },
        {
          event_id: 'e2',
          source: 'portal',
          action: 'view_result',
          actor: 'proxy',
          channel: 'app',
          clinician_id: 'u1',
          encounter_id: 'A1',
        },
        {
          event_id: 'e7',
          source: 'csv',
          action: 'view_followup',
          actor: null,
          channel: null,
          clinician_id: 'u1',
          encounter_id: null,
        },
      ]);
      const [acc] = await store.all<{ n: number }>(
        `SELECT count(*) AS n FROM patient_accounts WHERE deactivated_at = CAST('2026-01-01T00:00:00Z' AS TIMESTAMPTZ)`,
      );
      expect(Number(acc?.n)).toBe(1);
    });

    it('pseudonymizes patients as the schedule does, and resource and message ids so that they still join', async () => {
      const mrn1 = p.pseudonym('patient', 'MRN-RAW-1');
      const [sched] = await store.all<{ patient_id: string }>(`SELECT patient_id FROM schedule`);
      expect(sched?.patient_id).toBe(mrn1);
      // Every patient id of the four tables is a pseudonym; MRN-RAW-1's is the schedule's.
      for (const table of Object.keys(EXPECTED)) {
        const ids = await store.all<{ patient_id: string }>(
          `SELECT DISTINCT patient_id FROM ${table}`,
        );
        for (const { patient_id } of ids) expect(patient_id, table).toMatch(PSEUDONYM);
        expect(
          ids.map((x) => x.patient_id),
          table,
        ).toContain(mrn1);
      }
      // A visit's release joins its appointment (encounter ids are kept as the schedule keeps them).
      // (in the engine's own way of joining tables distributed by different columns on Citus: a
      // CTE, planned as an intermediate result)
      const [visit] = await store.all<{ n: number }>(
        `WITH s AS MATERIALIZED (SELECT appointment_id, patient_id FROM schedule)
         SELECT count(*) AS n FROM releases r JOIN s
           ON s.appointment_id = r.encounter_id AND s.patient_id = r.patient_id`,
      );
      expect(Number(visit?.n)).toBe(2);
      // A result viewed joins its release: both resource ids are the same pseudonym.
      const viewed = await store.all<{ resource_id: string; kind: string }>(
        `SELECT r.resource_id, r.kind FROM patient_events e JOIN releases r
           ON r.resource_id = e.resource_id AND r.patient_id = e.patient_id WHERE e.action = 'view_result'`,
      );
      expect(viewed).toEqual([
        { resource_id: p.pseudonym('resource', 'RES-RAW-1'), kind: 'result' },
      ]);
      expect(viewed[0]!.resource_id).toMatch(PSEUDONYM);
      // A reply joins the message it answers.
      const replies = await store.all<{ reply: string; original: string; direction: string }>(
        `SELECT r.message_id AS reply, o.message_id AS original, o.direction FROM messages r
           JOIN messages o ON o.message_id = r.in_reply_to AND o.patient_id = r.patient_id`,
      );
      expect(replies).toEqual([
        {
          reply: p.pseudonym('message', 'MSG-RAW-2'),
          original: p.pseudonym('message', 'MSG-RAW-1'),
          direction: 'to_clinician',
        },
      ]);
      // Each kind of identifier has its own key: the same text gets unrelated pseudonyms.
      expect(p.pseudonym('resource', 'X')).not.toBe(p.pseudonym('message', 'X'));
      expect(p.pseudonym('resource', 'X')).not.toBe(p.pseudonym('patient', 'X'));
    });

    it('stores nothing twice when the same files are imported again', async () => {
      for (const [table, want] of Object.entries(EXPECTED)) {
        const r = await run(table as FileImportTable, join(dir, `${table}.csv`));
        expect(r, table).toMatchObject({
          rows_stored: 0,
          rows_updated: 0,
          rows_duplicate: want.stored + want.duplicate,
          rows_rejected: want.rejects.length,
        });
        const [n] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
        expect(Number(n?.n), table).toBe(want.stored);
      }
      // A later extract of the accounts replaces a patient's row (as a later roster does).
      const later = join(dir, 'accounts-later.csv');
      writeFileSync(
        later,
        'patient_id,activated_at,deactivated_at\nMRN-RAW-1,2025-01-10T12:00:00Z,2026-02-01T00:00:00Z\n',
      );
      expect(await run('patient_accounts', later)).toMatchObject({
        rows_updated: 1,
        rows_stored: 0,
      });
      const [acc] = await store.all<{ n: number }>(
        `SELECT count(*) AS n FROM patient_accounts WHERE deactivated_at IS NOT NULL`,
      );
      expect(Number(acc?.n)).toBe(2);
    });

    it('exports in the canonical columns, and removes an import', async () => {
      const out = join(dir, 'messages-out.csv');
      expect(await exportTable(store, 'messages', out, 'csv')).toBe(2);
      const text = readFileSync(out, 'utf8');
      expect(text.split('\n')[0]).toBe(Object.keys(PATIENT_SCHEMAS.messages.shape).join(','));
      expect(text).not.toMatch(/RAW/);
      const id = reports.releases!.import_id;
      expect((await previewRemoval(store, id)).rows).toEqual({ releases: 2 });
      await removeImport(store, id);
      const [n] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM releases`);
      expect(Number(n?.n)).toBe(0);
    });

    it('has in each table the columns of its schema', async () => {
      for (const [table, schema] of Object.entries(PATIENT_SCHEMAS)) {
        const cols = await store.all<{ c: string }>(
          `SELECT column_name AS c FROM information_schema.columns WHERE table_name = $1`,
          [table],
        );
        expect(cols.map((x) => x.c).sort(), table).toEqual(
          [...Object.keys(schema.shape), 'import_id'].sort(),
        );
      }
    });
  });
}

/** A practitioner not in the roster keeps its relative reference as user id (formats.md §3). */
const U1 = 'Practitioner/u1';

const communication = (
  id: string,
  sender: string,
  recipient: string,
  o: Partial<r4.Communication> = {},
): r4.Communication => ({
  resourceType: 'Communication',
  id,
  status: 'completed',
  subject: { reference: 'Patient/MRN-RAW-7' },
  sent: '2026-03-03T10:00:00Z',
  sender: { reference: sender },
  recipient: [{ reference: recipient }],
  ...o,
});

for (const engine of engines({ citus: true })) {
  describe(`patient-side FHIR import (${engine.name})`, () => {
    let store: Store;
    let dir: string;
    let p: Pseudonymizer;
    beforeAll(async () => {
      store = await engine.open();
      dir = mkdtempSync(join(tmpdir(), 'uptake-patient-fhir-'));
      p = Pseudonymizer.load(join(dir, 'key'));
    });
    afterAll(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const run = (table: 'patient_events' | 'messages' | 'releases', file: string) =>
      importFhir(store, {
        table,
        files: [file],
        pseudonymizer: p,
        rejectsDir: join(dir, 'rejects'),
      });

    it('maps Communication to messages: direction from the sender, replies by inResponseTo', async () => {
      const file = join(dir, 'Communication.ndjson');
      writeNdjson(file, [
        communication('c1', 'Patient/MRN-RAW-7', 'Practitioner/u1', {
          encounter: { reference: 'Encounter/E1' },
        }),
        communication('c2', 'Practitioner/u1', 'Patient/MRN-RAW-7', {
          sent: '2026-03-03T15:00:00Z',
          inResponseTo: [{ reference: 'Communication/c1' }],
        }),
        communication('c3', 'RelatedPerson/mum', 'Patient/MRN-RAW-7'),
        communication('c4', 'Practitioner/u1', 'Patient/MRN-RAW-7', { status: 'entered-in-error' }),
        communication('c5', 'Practitioner/u1', 'Patient/MRN-RAW-7', { sent: '' }),
      ]);
      const r = await run('messages', file);
      expect(r).toMatchObject({ rows_stored: 2, rows_rejected: 2 });
      expect(r.notes).toMatchObject({ communications_entered_in_error: 1 });
      const rejects = await store.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM import_rejects WHERE import_id = $1 ORDER BY line`,
        [r.import_id],
      );
      expect(rejects).toEqual([
        {
          line: 3,
          reason: expect.stringMatching(
            /^its sender is a patient and its first recipient names no clinician/,
          ),
        },
        { line: 5, reason: expect.stringMatching(/^the Communication has no sent/) },
      ]);
      const rows = await store.all<Record<string, string | null>>(
        `SELECT message_id, patient_id, clinician_id, direction, in_reply_to, encounter_id FROM messages ORDER BY sent_at`,
      );
      const mrn = p.pseudonym('patient', 'Patient/MRN-RAW-7');
      const c1 = p.pseudonym('message', 'Communication/c1');
      expect(rows).toEqual([
        {
          message_id: c1,
          patient_id: mrn,
          clinician_id: U1,
          direction: 'to_clinician',
          in_reply_to: null,
          encounter_id: 'Encounter/E1',
        },
        {
          message_id: p.pseudonym('message', 'Communication/c2'),
          patient_id: mrn,
          clinician_id: U1,
          direction: 'to_patient',
          in_reply_to: c1,
          encounter_id: null,
        },
      ]);
      expect((await run('messages', file)).rows_stored).toBe(0);
    });

    it('maps DiagnosticReport and DocumentReference to releases', async () => {
      const file = join(dir, 'releases.ndjson');
      const report: r4.DiagnosticReport = {
        resourceType: 'DiagnosticReport',
        id: 'dr1',
        status: 'final',
        code: { text: 'CBC' },
        subject: { reference: 'Patient/MRN-RAW-7' },
        issued: '2026-03-03T08:00:00Z',
        performer: [{ reference: 'Organization/lab' }],
        resultsInterpreter: [{ reference: 'Practitioner/u1' }],
      };
      const note: r4.DocumentReference = {
        resourceType: 'DocumentReference',
        id: 'dn1',
        status: 'current',
        content: [{ attachment: { contentType: 'text/plain' } }],
        subject: { reference: 'Patient/MRN-RAW-7' },
        date: '2026-03-04T08:00:00Z',
        author: [{ reference: 'Practitioner/u1' }],
        context: { encounter: [{ reference: 'Encounter/E1' }] },
      };
      writeNdjson(file, [
        report,
        note,
        { ...report, id: 'dr2', status: 'registered' },
        { ...report, id: 'dr3', issued: undefined },
        { ...note, id: 'dn2', subject: undefined },
      ]);
      const r = await run('releases', file);
      expect(r).toMatchObject({ rows_stored: 2, rows_rejected: 2 });
      expect(r.notes).toMatchObject({ diagnosticreport_registered: 1 });
      const rows = await store.all<Record<string, string | null>>(
        `SELECT resource_id, patient_id, kind, clinician_id, encounter_id FROM releases ORDER BY available_at`,
      );
      const mrn = p.pseudonym('patient', 'Patient/MRN-RAW-7');
      expect(rows).toEqual([
        {
          resource_id: p.pseudonym('resource', 'DiagnosticReport/dr1'),
          patient_id: mrn,
          kind: 'result',
          clinician_id: U1,
          encounter_id: null,
        },
        {
          resource_id: p.pseudonym('resource', 'DocumentReference/dn1'),
          patient_id: mrn,
          kind: 'note',
          clinician_id: U1,
          encounter_id: 'Encounter/E1',
        },
      ]);
    });

    it('maps AuditEvents of patients and proxies to patient events; a viewed result joins its release', async () => {
      const file = join(dir, 'AuditEvent.ndjson');
      const t = '2026-03-04T12:00:00Z';
      const pat = { reference: 'Patient/MRN-RAW-7' };
      writeNdjson(file, [
        restEvent({
          id: 'pe1',
          recorded: t,
          interaction: 'read',
          action: 'R',
          user: pat,
          what: 'DiagnosticReport/dr1',
          patient: pat.reference,
        }),
        restEvent({
          id: 'pe2',
          recorded: t,
          interaction: 'read',
          action: 'R',
          user: { reference: 'RelatedPerson/mum' },
          what: 'DocumentReference/dn1',
          patient: pat.reference,
        }),
        loginEvent('pe3', t, pat),
        restEvent({
          id: 'pe4',
          recorded: t,
          interaction: 'read',
          action: 'R',
          user: { reference: 'Practitioner/u1' },
          what: 'DiagnosticReport/dr1',
          patient: pat.reference,
        }),
        restEvent({
          id: 'pe5',
          recorded: t,
          interaction: 'read',
          action: 'R',
          user: { reference: 'RelatedPerson/mum' },
          what: 'DocumentReference/dn1',
        }),
      ]);
      const r = await run('patient_events', file);
      expect(r).toMatchObject({ rows_stored: 3, rows_rejected: 1 });
      expect(r.notes).toMatchObject({ audit_events_not_by_a_patient: 1 });
      const [reject] = await store.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM import_rejects WHERE import_id = $1`,
        [r.import_id],
      );
      expect(reject).toEqual({
        line: 5,
        reason: expect.stringMatching(
          /^its requestor is a RelatedPerson and no entity names the patient/,
        ),
      });
      const mrn = p.pseudonym('patient', 'Patient/MRN-RAW-7');
      const rows = await store.all<Record<string, string | null>>(
        `SELECT event_id, patient_id, action, actor, resource_id, source FROM patient_events ORDER BY event_id`,
      );
      expect(rows).toEqual([
        {
          event_id: 'pe1',
          patient_id: mrn,
          action: 'view_result',
          actor: 'patient',
          resource_id: p.pseudonym('resource', 'DiagnosticReport/dr1'),
          source: 'fhir',
        },
        {
          event_id: 'pe2',
          patient_id: mrn,
          action: 'view_note',
          actor: 'proxy',
          resource_id: p.pseudonym('resource', 'DocumentReference/dn1'),
          source: 'fhir',
        },
        {
          event_id: 'pe3',
          patient_id: mrn,
          action: 'login',
          actor: 'patient',
          resource_id: null,
          source: 'fhir',
        },
      ]);
      // The releases of the test before: each view joins the release it viewed.
      const [joined] = await store.all<{ n: number }>(
        `SELECT count(*) AS n FROM patient_events e JOIN releases r ON r.resource_id = e.resource_id AND r.patient_id = e.patient_id`,
      );
      expect(Number(joined?.n)).toBe(2);
      expect((await run('patient_events', file)).rows_stored).toBe(0);
    });
  });
}
