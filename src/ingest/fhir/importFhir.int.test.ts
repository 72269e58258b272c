/**
 * FHIR AuditEvent import, on every engine: the official HL7 R4 examples, IHE BALP events, the
 * three file forms, bad input of every kind, re-imports, the action maps and privacy.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engines } from '../../testing/testEngines.ts';
import type { Store } from '../../store/Store.ts';
import { Pseudonymizer } from '../pseudonymize.ts';
import { importFhir, type FhirImportOptions } from './importFhir.ts';
import type * as r4 from 'fhir/r4.js';
import {
  balpEvent,
  bundle,
  loginEvent,
  restEvent,
  writeJson,
  writeNdjson,
} from '../../testing/fhirFixtures.ts';

const HL7 = fileURLToPath(new URL('./fixtures/hl7/', import.meta.url));
const hl7 = (name: string) => join(HL7, name);

const DR = { identifier: { system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' } };
const DR2: r4.Reference = { reference: 'Practitioner/dr-two' };

interface EventRow {
  event_id: string;
  user_id: string;
  action: string;
  category: string;
  patient_id: string | null;
  encounter_id: string | null;
  workstation_id: string | null;
  source: string;
  t: string;
}

for (const engine of engines()) {
  describe(`FHIR AuditEvent import (${engine.name})`, () => {
    let dir: string;
    let store: Store;
    let p: Pseudonymizer;
    const run = (files: string[], extra: Partial<FhirImportOptions> = {}) =>
      importFhir(store, {
        table: 'events',
        files,
        pseudonymizer: p,
        rejectsDir: join(dir, 'rejects'),
        ...extra,
      });
    const events = () =>
      store.all<EventRow>(
        `SELECT event_id, user_id, action, category, patient_id, encounter_id, workstation_id, source,
           substr(CAST(occurred_at AS VARCHAR), 1, 19) AS t
         FROM events ORDER BY event_id`,
      );
    const rejects = () =>
      store.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM import_rejects ORDER BY import_id, line, reason`,
      );
    const refusal = (files: string[]) =>
      run(files).then(
        () => new Error('imported'),
        (e: Error) => e,
      );
    const nothingStored = async () => {
      const [n] = await store.all<{ n: number }>(
        `SELECT (SELECT count(*) FROM imports) + (SELECT count(*) FROM events) AS n`,
      );
      expect(n?.n).toBe(0);
    };

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'uptake-fhir-'));
      store = await engine.open();
      p = Pseudonymizer.load(join(dir, 'key'));
    });
    afterEach(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('imports the official HL7 R4 AuditEvent examples with the mapping of formats.md §3', async () => {
      const names = [
        'audit-event-example-login.json',
        'audit-event-example-logout.json',
        'audit-event-example-search.json',
        'audit-event-example-vread.json',
        'audit-event-example-media.json',
        'audit-event-example-pixQuery.json',
        'auditevent-example-error.json',
      ];
      const r = await run(names.map(hl7));
      expect(r.format).toBe('fhir');
      expect(r.file).toBe(names.map(hl7).join(', '));
      expect(r).toMatchObject({
        rows_read: 7,
        rows_stored: 7,
        rows_rejected: 0,
        rows_duplicate: 0,
      });
      expect(r.time_range).toEqual({ from: '2013-06-20T23:41:23Z', to: '2017-09-07T23:42:24Z' });
      const ev = await events();
      const by = Object.fromEntries(ev.map((e) => [e.event_id, e]));
      // every example's requestor is the human agent identified as "95" (not the first agent)
      expect(new Set(ev.map((e) => e.user_id))).toEqual(new Set(['95']));
      expect(new Set(ev.map((e) => e.source))).toEqual(new Set(['fhir']));
      expect(by['example-login']).toMatchObject({
        action: '110122:E',
        category: 'other',
        t: '2013-06-20 23:41:23',
        workstation_id: '127.0.0.1',
        patient_id: null,
      });
      expect(by['example-logout']).toMatchObject({ action: '110123:E', category: 'other' });
      // a search of Encounters (the resource type read from the base64 query) is chart review
      expect(by['example-search']).toMatchObject({ action: 'search:E', category: 'chart_review' });
      // a vread of Patient/example/_history/1: the patient is Patient/example, pseudonymized
      expect(by['example-rest']).toMatchObject({
        action: 'vread:R',
        category: 'other',
        patient_id: p.pseudonym('patient', 'Patient/example'),
      });
      // the patient of media export and PIX query is an identifier (object-role 1, Patient)
      const pid = p.pseudonym('patient', 'e3cdfc81a0d24bd^^^&2.16.840.1.113883.4.2&ISO');
      expect(by['example-media']).toMatchObject({ action: 'ITI-32:R', patient_id: pid });
      expect(by['example-pixQuery']).toMatchObject({ action: 'ITI-9:E', patient_id: pid });
      expect(by['example-error']).toMatchObject({ action: 'create:C', t: '2017-09-07 23:42:24' });
      // unmapped actions are counted, each labelled with the map keys that would map it
      expect(r.unmapped_events).toBe(4);
      expect(r.top_unmapped_actions).toContainEqual({
        action: 'vread:R (map it by Patient:R)',
        events: 1,
      });
      expect(r.top_unmapped_actions).toContainEqual({
        action: 'ITI-32:R (map it by DocumentManifest:R)',
        events: 1,
      });
      // re-importing the same files stores nothing twice
      const again = await run(names.map(hl7));
      expect(again).toMatchObject({ rows_read: 7, rows_stored: 0, rows_duplicate: 7 });
      expect(await events()).toHaveLength(7);
    });

    it('maps IHE BALP events: requestor agent, patient slice, data entity, query, encounter', async () => {
      const f = join(dir, 'AuditEvent.ndjson');
      const pat = 'Patient/ex-patient';
      writeNdjson(f, [
        balpEvent({
          id: 'b1',
          recorded: '2026-03-02T08:00:00-05:00',
          interaction: 'read',
          user: DR,
          patient: pat,
          what: 'Observation/o1',
        }),
        balpEvent({
          id: 'b2',
          recorded: '2026-03-02T08:01:00-05:00',
          interaction: 'create',
          user: DR,
          patient: pat,
          what: 'DocumentReference/n1',
          encounter: 'Encounter/e1',
        }),
        balpEvent({
          id: 'b3',
          recorded: '2026-03-02T08:02:00-05:00',
          interaction: 'search-type',
          user: DR,
          patient: pat,
          query: 'GET https://ehr.example.org/fhir/DiagnosticReport?patient=ex-patient',
        }),
        balpEvent({
          id: 'b4',
          recorded: '2026-03-02T08:03:00-05:00',
          interaction: 'update',
          user: DR,
          patient: pat,
          what: 'MedicationRequest/m1',
        }),
        balpEvent({
          id: 'b5',
          recorded: '2026-03-02T08:04:00-05:00',
          interaction: 'read',
          user: DR,
          what: 'Communication/c1',
        }),
        balpEvent({
          id: 'b6',
          recorded: '2026-03-02T08:05:00-05:00',
          interaction: 'create',
          user: DR,
          patient: pat,
          what: 'ServiceRequest/s1',
        }),
        balpEvent({
          id: 'b7',
          recorded: '2026-03-02T08:06:00-05:00',
          interaction: 'read',
          user: DR2,
          patient: pat,
          what: 'Encounter/e1',
        }),
        balpEvent({
          id: 'b8',
          recorded: '2026-03-02T08:07:00-05:00',
          interaction: 'read',
          user: DR2,
          patient: pat,
        }),
        loginEvent('b9', '2026-03-02T07:59:00-05:00', DR),
      ]);
      const r = await run([f]);
      expect(r).toMatchObject({ rows_read: 9, rows_stored: 9, rows_rejected: 0 });
      const by = Object.fromEntries((await events()).map((e) => [e.event_id, e]));
      const pid = p.pseudonym('patient', pat);
      expect(by['b1']).toMatchObject({
        user_id: '1234567893',
        action: 'read:R',
        category: 'chart_review',
        patient_id: pid,
        t: '2026-03-02 13:00:00',
      });
      expect(by['b2']).toMatchObject({
        action: 'create:C',
        category: 'notes',
        encounter_id: 'Encounter/e1',
      });
      expect(by['b3']).toMatchObject({
        action: 'search-type:E',
        category: 'chart_review',
        patient_id: pid,
      });
      expect(by['b4']).toMatchObject({ action: 'update:U', category: 'prescriptions' });
      expect(by['b5']).toMatchObject({ category: 'inbox', patient_id: null });
      expect(by['b6']).toMatchObject({ category: 'orders' });
      // reading an Encounter: the Encounter (not the patient slice) decides the category
      expect(by['b7']).toMatchObject({
        user_id: 'Practitioner/dr-two',
        category: 'chart_review',
        encounter_id: 'Encounter/e1',
      });
      // reading the patient alone: Patient:R is not in the shipped map, so other and counted
      expect(by['b8']).toMatchObject({ category: 'other', patient_id: pid });
      expect(by['b9']).toMatchObject({ action: '110122:E', category: 'other' });
      expect(r.top_unmapped_actions).toEqual([
        { action: 'read:R (map it by Patient:R)', events: 1 },
      ]);
    });

    it('the user action map wins over the shipped one, by resource key or by action', async () => {
      const f = join(dir, 'ae.ndjson');
      writeNdjson(f, [
        restEvent({
          id: 'r1',
          recorded: '2026-03-02T10:00:00Z',
          interaction: 'read',
          action: 'R',
          user: DR,
          what: 'Observation/1',
        }),
        restEvent({
          id: 'r2',
          recorded: '2026-03-02T10:01:00Z',
          interaction: 'read',
          action: 'R',
          user: DR,
          what: 'Patient/1',
        }),
        restEvent({
          id: 'r3',
          recorded: '2026-03-02T10:02:00Z',
          interaction: 'create',
          action: 'C',
          user: DR,
          what: 'MedicationRequest/1',
        }),
        restEvent({
          id: 'r4',
          recorded: '2026-03-02T10:03:00Z',
          interaction: 'read',
          action: 'R',
          user: DR,
          what: 'AllergyIntolerance/1',
        }),
      ]);
      const map = join(dir, 'my-map.csv');
      writeFileSync(
        map,
        'action,category\nObservation:R,other\nPatient,chart_review\nread:R,notes\n',
      );
      const r = await run([f], { actionMap: map });
      const cat = Object.fromEntries((await events()).map((e) => [e.event_id, e.category]));
      expect(cat).toEqual({
        r1: 'other', // user's Observation:R over the shipped Observation:R → chart_review
        r2: 'chart_review', // user's resource key
        r3: 'prescriptions', // shipped MedicationRequest (the user's map has nothing for it)
        r4: 'notes', // user's action key read:R
      });
      expect(r.unmapped_events).toBe(0);
      // a bad user map is refused before anything is stored
      writeFileSync(map, 'action,category\nObservation:R,reading\n');
      const e = await run([f], { actionMap: map }).catch((x: Error) => x);
      expect((e as Error).message).toMatch(/line 2: category "reading" is not one of/);
    });

    it('reads Bundles (searchset, collection, transaction, batch) with entry numbers as positions', async () => {
      const ae = (id: string, min: number) =>
        restEvent({
          id,
          recorded: `2026-03-02T10:0${min}:00Z`,
          interaction: 'read',
          action: 'R',
          user: DR,
          what: 'Observation/1',
        });
      const files: string[] = [];
      for (const [i, type] of (
        ['searchset', 'collection', 'transaction', 'batch'] as const
      ).entries()) {
        const f = join(dir, `${type}.json`);
        writeJson(f, bundle(type, [ae(`${type}-1`, i), ae(`${type}-2`, i + 1)]));
        files.push(f);
      }
      const r = await run(files);
      expect(r).toMatchObject({ rows_read: 8, rows_stored: 8, rows_rejected: 0 });
      // a one-line (minified) Bundle is a Bundle too, and a searchset's included resources are skipped
      const one = join(dir, 'one-line.json');
      const b = bundle('searchset', [
        ae('s-1', 5),
        { resourceType: 'Patient', id: 'inc-1' },
        { resourceType: 'Patient', id: 'bad' },
        ae('s-2', 6),
      ]);
      b.entry![1]!.search = { mode: 'include' };
      b.entry!.push({ request: { method: 'DELETE', url: 'AuditEvent/zz' } });
      writeFileSync(one, JSON.stringify(b));
      const r2 = await run([one]);
      expect(r2).toMatchObject({ rows_read: 3, rows_stored: 2, rows_rejected: 1 });
      // a resource of another type is counted by type, neither a row nor copied anywhere
      expect(r2.notes).toEqual({
        resources_read: 5,
        search_entries_include_skipped: 1,
        'skipped_resource_type:Patient': 1,
      });
      const rj = await store.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM import_rejects WHERE import_id = $1 ORDER BY line`,
        [r2.import_id],
      );
      expect(rj).toEqual([{ line: 5, reason: 'Bundle entry 5: the Bundle entry has no resource' }]);
      const text = readFileSync(r2.rejects_file!, 'utf8');
      expect(text).toContain('5,"Bundle entry 5: the Bundle entry has no resource","{""request"":');
      expect(text).not.toContain('Patient');
    });

    it('rejects bad lines with their line number and reason, and stores the good ones', async () => {
      const f = join(dir, 'AuditEvent.ndjson');
      const ok = (id: string) =>
        restEvent({
          id,
          recorded: '2026-03-02T10:00:00Z',
          interaction: 'read',
          action: 'R',
          user: DR,
          what: 'Observation/1',
        });
      const noTime: Partial<r4.AuditEvent> = { ...ok('no-time') };
      delete noTime.recorded;
      const periodOnly = {
        ...noTime,
        id: 'period-only',
        period: { start: '2026-03-02T10:05:00+01:00' },
      };
      const patientUser = ok('patient-user');
      patientUser.agent = [{ who: { reference: 'Patient/ex-patient' }, requestor: true }];
      const displayOnly = ok('display-only');
      displayOnly.agent = [{ who: { display: 'Dr Who' }, requestor: true }];
      const noAgent = ok('no-agent');
      noAgent.agent = [];
      const noOffset = ok('no-offset');
      noOffset.recorded = '2026-03-02T10:00:00';
      writeNdjson(f, [
        ok('a1'), // 1
        '{"resourceType": "AuditEvent", "id": "broken", ', // 2 malformed
        { resourceType: 'Patient', id: 'ex-patient' }, // 3 another type: counted, not a row
        noTime, // 4 no recorded, no period
        periodOnly, // 5 stored, at period.start
        noAgent, // 6
        displayOnly, // 7 agent without identifier or reference
        patientUser, // 8 the user is a patient
        '', // 9 blank: not a record
        '[1, 2]', // 10 JSON but not a resource
        '{"id": "x"}', // 11 no resourceType
        noOffset, // 12 no offset, no --source-tz
        ok('a1'), // 13 duplicate of line 1
        ok('a2'), // 14
      ]);
      const r = await run([f]);
      expect(r).toMatchObject({
        rows_read: 12,
        rows_stored: 3,
        rows_duplicate: 1,
        rows_rejected: 8,
      });
      expect(r.notes).toMatchObject({ resources_read: 13, 'skipped_resource_type:Patient': 1 });
      const rj = await rejects();
      expect(rj.map((x) => x.line)).toEqual([2, 4, 6, 7, 8, 10, 11, 12]);
      const reason = Object.fromEntries(rj.map((x) => [x.line, x.reason]));
      expect(reason[2]).toBe('the line is not valid JSON');
      expect(reason[4]).toMatch(/neither recorded nor period.start/);
      expect(reason[6]).toMatch(/has no agent/);
      expect(reason[7]).toMatch(/agent\[0\].*has neither who.identifier.value nor who.reference/);
      expect(reason[8]).toMatch(/is a Patient: Uptake imports what clinicians do/);
      expect(reason[8]).not.toContain('ex-patient');
      expect(reason[10]).toMatch(/JSON but not a FHIR resource \(a JSON array/);
      expect(reason[11]).toMatch(/without resourceType/);
      expect(reason[12]).toMatch(/occurred_at has no UTC offset/);
      const ev = await events();
      expect(ev.map((e) => e.event_id)).toEqual(['a1', 'a2', 'period-only']);
      expect(ev.find((e) => e.event_id === 'period-only')?.t).toBe('2026-03-02 09:05:00');
      // the rejects file holds each rejected line verbatim
      const text = readFileSync(r.rejects_file!, 'utf8');
      expect(text).toContain(
        '2,"the line is not valid JSON","{""resourceType"": ""AuditEvent"", ""id"": ""broken"", "',
      );
      // re-import: nothing stored twice
      const again = await run([f]);
      expect(again).toMatchObject({ rows_stored: 0, rows_duplicate: 4, rows_rejected: 8 });
      expect(await events()).toHaveLength(3);
    });

    it('a truncated file: the cut last line is rejected (saying so), the rest imported', async () => {
      const f = join(dir, 'cut.ndjson');
      const full = [1, 2, 3].map((i) =>
        JSON.stringify(
          restEvent({
            id: `t${i}`,
            recorded: '2026-03-02T10:00:00Z',
            interaction: 'read',
            action: 'R',
            user: DR,
            what: 'Observation/1',
          }),
        ),
      );
      writeFileSync(f, `${full[0]}\r\n${full[1]}\r\n${full[2]!.slice(0, 80)}`);
      const r = await run([f]);
      expect(r).toMatchObject({ rows_read: 3, rows_stored: 2, rows_rejected: 1 });
      expect(await rejects()).toEqual([
        {
          line: 3,
          reason:
            'the line is not valid JSON (it is the last line and the file does not end with a line break: the file may have been cut short)',
        },
      ]);
      // a truncated Bundle cannot be read at all: refused, naming the line, nothing stored
      const b = join(dir, 'cut-bundle.json');
      const text = JSON.stringify(bundle('collection', []), null, 2).replace('[]', '[{"resource":');
      writeFileSync(b, text);
      const e = await refusal([b]);
      expect(e.message).toMatch(
        /cut-bundle\.json, line \d+: not valid JSON .*cut short.*nothing was imported/,
      );
      const [n] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM imports`);
      expect(n?.n).toBe(1);
    });

    it('refuses an empty file and a file that is not FHIR, before anything is stored', async () => {
      const empty = join(dir, 'empty.ndjson');
      writeFileSync(empty, '\n  \n');
      expect((await refusal([empty])).message).toMatch(
        /empty\.ndjson: the file is empty; expected FHIR R4 JSON/,
      );
      const csv = join(dir, 'events.csv');
      writeFileSync(csv, 'event_id,occurred_at,user_id,action\ne1,2026-03-02T10:00:00Z,u1,x\n');
      const e = await refusal([csv]);
      expect(e.message).toMatch(
        /events\.csv, line 1: not FHIR JSON \(it looks like a canonical CSV file/,
      );
      expect(e.message).toMatch(/expected FHIR R4 JSON: NDJSON \(one resource per line/);
      const other = join(dir, 'other.csv');
      writeFileSync(other, 'a,b\n1,2\n');
      expect((await refusal([other])).message).toMatch(/it looks like a CSV file/);
      const json = join(dir, 'config.json');
      writeFileSync(json, '{"hello": "world"}\n');
      expect((await refusal([json])).message).toMatch(
        /config\.json: not FHIR \(it looks like JSON, but no object in it has a resourceType\)/,
      );
      // one bad file among good ones: the whole call is refused
      const good = join(dir, 'good.ndjson');
      writeNdjson(good, [loginEvent('g1', '2026-03-02T10:00:00Z', DR)]);
      expect((await refusal([good, csv])).message).toMatch(/events\.csv/);
      // FHIR has no training records
      const t = await run([good], { table: 'training' }).catch((x: Error) => x);
      expect((t as Error).message).toMatch(/not training/);
      await nothingStored();
    });

    it('never stores the raw patient identifier (every text column of events is searched)', async () => {
      const f = join(dir, 'ae.ndjson');
      const RAW = 'MRN-4711-RAW';
      const withIdentifier = balpEvent({
        id: 'p1',
        recorded: '2026-03-02T10:00:00Z',
        interaction: 'read',
        user: DR,
        what: 'Observation/1',
      });
      withIdentifier.entity!.push({
        what: { identifier: { value: RAW } },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' },
      });
      const patientAgent = loginEvent('p3', '2026-03-02T10:02:00Z', {
        reference: `Patient/${RAW}`,
      });
      writeNdjson(f, [
        withIdentifier,
        balpEvent({
          id: 'p2',
          recorded: '2026-03-02T10:01:00Z',
          interaction: 'read',
          user: DR,
          patient: `Patient/${RAW}`,
          what: 'Condition/1',
        }),
        patientAgent,
      ]);
      const r = await run([f]);
      expect(r).toMatchObject({ rows_stored: 2, rows_rejected: 1 });
      const cols = await store.all<{ c: string }>(
        `SELECT column_name AS c FROM information_schema.columns
         WHERE table_name = 'events' AND data_type IN ('VARCHAR', 'text', 'character varying')`,
      );
      expect(cols.length).toBeGreaterThanOrEqual(7);
      for (const { c } of cols) {
        const [hit] = await store.all<{ n: number }>(
          `SELECT count(*) AS n FROM events WHERE "${c}" LIKE $1`,
          [`%${RAW}%`],
        );
        expect(hit?.n, c).toBe(0);
      }
      for (const t of ['import_rejects', 'imports']) {
        const [hit] = await store.all<{ n: number }>(
          `SELECT count(*) AS n FROM ${t} WHERE CAST(${t === 'imports' ? 'report' : 'reason'} AS VARCHAR) LIKE $1`,
          [`%${RAW}%`],
        );
        expect(hit?.n, t).toBe(0);
      }
      const pids = await store.all<{ p: string }>(
        `SELECT DISTINCT patient_id AS p FROM events ORDER BY p`,
      );
      expect(pids.map((x) => x.p).sort()).toEqual(
        [p.pseudonym('patient', RAW), p.pseudonym('patient', `Patient/${RAW}`)].sort(),
      );
    });

    it('several files in one call: one report; reasons name the file; rejects keep their own text', async () => {
      const a = join(dir, 'a.ndjson');
      const b = join(dir, 'b.ndjson');
      writeNdjson(a, [
        '{"resourceType": "AuditEvent", "id": "cut-a',
        loginEvent('a2', '2026-03-02T10:00:00Z', DR),
      ]);
      writeNdjson(b, [
        '{"resourceType": "AuditEvent", "id": "cut-b',
        loginEvent('b2', '2026-03-02T10:01:00Z', DR),
      ]);
      const r = await run([a, b]);
      expect(r).toMatchObject({
        rows_read: 4,
        rows_stored: 2,
        rows_rejected: 2,
        file: `${a}, ${b}`,
      });
      expect(await rejects()).toEqual([
        { line: 1, reason: 'a.ndjson line 1: the line is not valid JSON' },
        { line: 1, reason: 'b.ndjson line 1: the line is not valid JSON' },
      ]);
      const text = readFileSync(r.rejects_file!, 'utf8');
      expect(text).toContain(
        '"a.ndjson line 1: the line is not valid JSON","{""resourceType"": ""AuditEvent"", ""id"": ""cut-a"',
      );
      expect(text).toContain(
        '"b.ndjson line 1: the line is not valid JSON","{""resourceType"": ""AuditEvent"", ""id"": ""cut-b"',
      );
    });

    it('derives a stable event_id from the content when a resource has no id', async () => {
      const f = join(dir, 'noid.ndjson');
      const e = loginEvent('x', '2026-03-02T10:00:00Z', DR);
      delete e.id;
      writeNdjson(f, [e]);
      const b = join(dir, 'noid.json');
      writeJson(b, bundle('collection', [e]));
      await run([f]);
      const r = await run([b]); // the same resource pretty-printed in a Bundle: the same event
      expect(r).toMatchObject({ rows_stored: 0, rows_duplicate: 1 });
      const ev = await events();
      expect(ev).toHaveLength(1);
      expect(ev[0]?.event_id).toMatch(/^sha256:[0-9a-f]{64}$/);
    });
  });
}
