/**
 * The engagement measures of engagement.md §2 on every engine, over tiny hand-made CSVs loaded
 * through the real import (pseudonyms and all), each expected value worked out by hand below; and
 * a property test against the row-by-row reference (`src/testing/engagementReference.ts`) on
 * small random data.
 *
 * The organisation: America/New_York, holiday Friday 2026-03-06. DST begins Sunday 2026-03-08
 * (EST −05:00 before, EDT −04:00 after). Range [2026-03-02, 2026-03-16): two ISO weeks.
 * Business days: Mon 2, Tue 3, Wed 4, Thu 5, (Fri 6 holiday, Sat 7, Sun 8), Mon 9, Tue 10, …
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import type { FileImportTable } from '../model/canonical.ts';
import type { EngagementRow } from '../model/engagement.ts';
import { importFiles } from '../ingest/importFiles.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import {
  engagementMeasures,
  markSmallCells,
  parseEngagementRequest,
  redactSmallCells,
} from './engagementMeasures.ts';
import {
  loadEngagementData,
  randomEngagementData,
  referenceEngagement,
} from '../testing/engagementReference.ts';

const TZ = 'America/New_York';
const HOLIDAYS = ['2026-03-06'];

const FILES: [FileImportTable, string][] = [
  [
    'clinicians',
    'user_id,role,name,specialty,department\n' +
      'u1,physician,One,Cardiology,Medicine\n' +
      'u2,physician,Two,Dermatology,Medicine\n',
  ],
  [
    'schedule',
    'user_id,kind,start,end,status,patient_id,appointment_id\n' +
      // A1: P1, Mon 2 10:00 EST. A2: P1 again, Mon 9 09:00 EDT (arrived): seen twice, counted once.
      'u1,appointment,2026-03-02T15:00:00Z,2026-03-02T15:20:00Z,fulfilled,P1,A1\n' +
      'u1,appointment,2026-03-09T13:00:00Z,2026-03-09T13:20:00Z,arrived,P1,A2\n' +
      // A3: a no-show is no visit (its release N3 does not count either).
      'u1,appointment,2026-03-03T15:00:00Z,2026-03-03T15:20:00Z,noshow,P2,A3\n' +
      'u1,appointment,2026-03-04T15:00:00Z,2026-03-04T15:20:00Z,fulfilled,P3,A4\n' +
      'u2,appointment,2026-03-05T15:00:00Z,2026-03-05T15:20:00Z,fulfilled,P4,A5\n' +
      // Outside the range (Mon 16): not seen.
      'u2,appointment,2026-03-16T15:00:00Z,2026-03-16T15:20:00Z,fulfilled,P5,A6\n',
  ],
  [
    'patient_accounts',
    'patient_id,activated_at,deactivated_at\n' +
      'P1,2025-01-01T00:00:00Z,\n' +
      // Activated after the range: not active in it.
      'P3,2026-03-20T00:00:00Z,\n' +
      // Deactivated before the range starts (2026-03-02T05:00Z).
      'P4,2025-01-01T00:00:00Z,2026-03-01T00:00:00Z\n',
  ],
  [
    'patient_events',
    'event_id,occurred_at,patient_id,action,resource_id\n' +
      'e1,2026-03-03T15:00:00Z,P1,login,\n' +
      'e2,2026-03-10T14:00:00Z,P1,view_note,N1\n' +
      // P3: two logins on one local day (Wed 4: 11:00 and 21:00 EST): active, not regular.
      'e3,2026-03-04T16:00:00Z,P3,login,\n' +
      'e4,2026-03-05T02:00:00Z,P3,login,\n' +
      // RES1: a view before it was available is no view; the first is 26 h after.
      'e5,2026-03-03T12:00:00Z,P1,view_result,RES1\n' +
      'e6,2026-03-04T16:00:00Z,P1,view_result,RES1\n' +
      // RES2: first viewed after 36 days: ignored.
      'e7,2026-04-10T10:00:00Z,P3,view_result,RES2\n' +
      // RES3: first viewed 8.5 days (204 h) after.
      'e8,2026-03-18T22:00:00Z,P3,view_result,RES3\n' +
      'e9,2026-03-06T13:00:00Z,P4,view_result,RES4\n' +
      // FU1: read after 24 h, acknowledged after 18 days (not within 14).
      'e10,2026-03-03T20:00:00Z,P1,view_followup,FU1\n' +
      'e11,2026-03-20T20:00:00Z,P1,acknowledge_followup,FU1\n',
  ],
  [
    'messages',
    'message_id,sent_at,patient_id,clinician_id,direction,in_reply_to\n' +
      // M1 Thu 5 15:00 EST; M1b (no in_reply_to, Fri 6) would be the fallback, but M2 replies to it
      // by in_reply_to, Mon 9 09:30 EDT: Thu 15–17 (2 h) + Mon 08:00–09:30 (1.5 h) = 3.5 h.
      'M1,2026-03-05T20:00:00Z,P1,u1,to_clinician,\n' +
      'M1b,2026-03-06T14:00:00Z,P1,u1,to_patient,\n' +
      'M2,2026-03-09T13:30:00Z,P1,u1,to_patient,M1\n' +
      // M3 Tue 10 08:00 EDT; M0 came before it; the fallback is M4, Wed 11 10:00 EDT: 9 + 2 = 11 h.
      'M0,2026-03-09T20:00:00Z,P3,u1,to_patient,\n' +
      'M3,2026-03-10T12:00:00Z,P3,u1,to_clinician,\n' +
      'M4,2026-03-11T14:00:00Z,P3,u1,to_patient,\n' +
      // M5 Thu 12: unanswered (u2's message is another clinician's; u1's comes after 8 days).
      'M5,2026-03-12T15:00:00Z,P1,u1,to_clinician,\n' +
      'M6,2026-03-12T16:00:00Z,P1,u2,to_patient,\n' +
      'M7,2026-03-20T15:00:00Z,P1,u1,to_patient,\n',
  ],
  [
    'releases',
    'resource_id,patient_id,kind,available_at,clinician_id,encounter_id\n' +
      // A1 on Mon 2: the 4th business day after is Mon 9 (Fri 6 a holiday), whose 24:00 EDT is
      // 2026-03-10T04:00Z: N1 one minute before (timely), N2 at it (not).
      'N1,P1,note,2026-03-10T03:59:00Z,u1,A1\n' +
      'N2,P1,visit_summary,2026-03-10T04:00:00Z,u1,A1\n' +
      'N3,P2,note,2026-03-03T16:00:00Z,u1,A3\n' +
      'RES1,P1,result,2026-03-03T14:00:00Z,u1,\n' +
      'RES2,P3,result,2026-03-05T10:00:00Z,u1,\n' +
      'RES3,P3,result,2026-03-10T10:00:00Z,u1,\n' +
      'RES4,P4,result,2026-03-06T12:00:00Z,u2,\n' +
      'FU1,P1,followup,2026-03-02T20:00:00Z,u1,A1\n',
  ],
];

const req = (by: string, period = 'all') =>
  parseEngagementRequest({
    from: '2026-03-02',
    to: '2026-03-16',
    by,
    period,
    timezone: TZ,
    holidays: HOLIDAYS,
  });

for (const engine of engines({ citus: true })) {
  describe(`engagement measures (${engine.name})`, () => {
    let store: Store;
    let dir: string;
    beforeAll(async () => {
      store = await engine.open();
      dir = mkdtempSync(join(tmpdir(), 'uptake-engagement-'));
      const pseudonymizer = Pseudonymizer.load(join(dir, 'key'));
      for (const [table, text] of FILES) {
        const file = join(dir, `${table}.csv`);
        writeFileSync(file, text);
        const [r] = await importFiles(store, {
          table,
          format: 'auto',
          files: [file],
          pseudonymizer,
          rejectsDir: join(dir, 'rejects'),
        });
        expect(r?.rows_rejected, table).toBe(0);
      }
    });
    afterAll(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('computes every figure of a clinician over the range by hand', async () => {
      const rows = await engagementMeasures(store, req('clinician'));
      expect(rows.map((r) => r.group)).toEqual(['u1', 'u2']);
      const [u1, u2] = rows as [EngagementRow, EngagementRow];
      expect(u1).toMatchObject({
        period_start: '2026-03-02',
        period_end: '2026-03-16',
        // P1 (twice) and P3; P2 was a no-show.
        patients_seen: 2,
        activated: 1, // P1; P3's account starts after the range
        activated_share: 0.5,
        active: 2, // P1 (Mar 3 and 10), P3 (Mar 4)
        active_share: 1,
        regular: 1, // P1: two local days; P3's two logins are one local day
        regular_share: 0.5,
        vdt: 1, // P1 viewed N1 (P1's result view of RES1 too)
        messaged: 2, // P1 (M1, M5), P3 (M3)
        patient_message_share: 1,
        releases: 2, // N1, N2 of A1; N3 belongs to a no-show
        releases_timely: 1, // N1
        timely_access_share: 0.5,
        patient_messages: 3, // M1, M3, M5
        messages_answered: 2,
        messages_unanswered: 1, // M5
        messages_within_1bd: 1, // M1 (3.5 h); M3 took 11 h
        replied_within_1bd_share: 1 / 3,
        message_patients: 2,
        results: 3, // RES1, RES2, RES3
        results_viewed_30d: 2, // RES1 (26 h), RES3 (204 h); RES2 after 36 days is ignored
        results_viewed_7d: 1, // RES1
        results_viewed_7d_share: 1 / 3,
        followups_written: 1, // FU1 of A1
        followups_read_7d: 1, // after 24 h
        followup_read_share: 1,
        followups_ack_14d: 0, // after 18 days
        followup_ack_share: 0,
      });
      // Median of 3.5 and 11 business hours: 7.25.
      expect(u1.reply_business_hours).toBeCloseTo(7.25, 9);
      // Median of 26 and 204 hours: 115.
      expect(u1.result_view_hours).toBeCloseTo(115, 9);
      expect(u1.followup_read_hours).toBeCloseTo(24, 9);
      // u2: one patient seen (P4: no account in the range; one action, viewing RES4 on Fri 6);
      // empty denominators → null.
      expect(u2).toMatchObject({
        patients_seen: 1,
        activated_share: 0,
        active_share: 1,
        regular_share: 0,
        vdt_share: 1,
        releases: 0,
        timely_access_share: null,
        patient_messages: 0,
        reply_business_hours: null,
        replied_within_1bd_share: null,
        results: 1,
        results_viewed_7d_share: 1,
        followups_written: 0,
        followup_read_share: null,
        followup_read_hours: null,
        followup_ack_share: null,
      });
      expect(u2.result_view_hours).toBeCloseTo(1, 9);
      // Every block counts fewer than 11 patients: all marked, for non-administrators.
      expect(u1.suppressed).toEqual(['seen', 'access', 'messages', 'results', 'followups']);
      const [hidden] = redactSmallCells([u1]);
      expect(hidden).toMatchObject({ patients_seen: null, reply_business_hours: null });
    });

    it('cuts ISO weeks by local date', async () => {
      const rows = await engagementMeasures(store, req('clinician', 'week'));
      const u1 = rows.filter((r) => r.group === 'u1');
      expect(u1.map((r) => [r.period_start, r.period_end])).toEqual([
        ['2026-03-02', '2026-03-09'],
        ['2026-03-09', '2026-03-16'],
      ]);
      // Week 1: P1 (A1), P3 (A4). P1 acted on Tue 3 (login, views of RES1 and FU1) and Wed 4
      // (view of RES1): regular, and viewed; P3 logged in twice on Wed 4 (one local day). P1
      // activated; P1 sent M1. Week 2: P1 (A2) viewed N1 on Tue 10 only, and sent M5.
      expect(u1[0]).toMatchObject({
        patients_seen: 2,
        activated: 1,
        active: 2,
        regular: 1,
        vdt: 1,
        messaged: 1,
        patient_messages: 1,
        results: 2, // RES1, RES2
        releases: 2,
      });
      expect(u1[1]).toMatchObject({
        patients_seen: 1,
        active: 1,
        regular: 0,
        vdt: 1,
        messaged: 1,
        patient_messages: 2, // M3, M5
        results: 1, // RES3
        releases: 0,
      });
      expect(u1[1]!.reply_business_hours).toBeCloseTo(11, 9);
    });

    it('pools groups: sums of numerators and denominators, medians over the pooled items', async () => {
      const [org] = await engagementMeasures(store, req('org'));
      expect(org).toMatchObject({
        group: 'organisation',
        patients_seen: 3, // u1: 2, u2: 1
        activated: 1,
        activated_share: 1 / 3,
        seen_patients: 3,
        patient_messages: 3,
        results: 4,
        results_viewed_30d: 3,
        results_viewed_7d: 2,
        results_viewed_7d_share: 0.5,
      });
      // Median of 1, 26 and 204 hours.
      expect(org!.result_view_hours).toBeCloseTo(26, 9);
      expect(org!.reply_business_hours).toBeCloseTo(7.25, 9);
      const bySpecialty = await engagementMeasures(store, req('specialty'));
      expect(bySpecialty.map((r) => [r.group, r.patients_seen])).toEqual([
        ['Cardiology', 2],
        ['Dermatology', 1],
      ]);
    });

    it('matches the row-by-row reference on small random data', async () => {
      for (const seed of [1, 2, 3]) {
        const s = await engine.open();
        try {
          const data = randomEngagementData(seed);
          await loadEngagementData(s, data);
          for (const period of ['all', 'week'] as const) {
            const r = parseEngagementRequest({
              from: data.from,
              to: data.to,
              by: 'clinician',
              period,
              timezone: data.timezone,
              holidays: data.holidays,
            });
            const got = await engagementMeasures(s, r);
            const want = referenceEngagement(data, r);
            expect(got.length, `seed ${seed} ${period}`).toBe(want.length);
            for (const [i, w] of want.entries()) {
              const g = got[i]!;
              for (const [k, v] of Object.entries(w)) {
                const gv = (g as Record<string, unknown>)[k];
                if (typeof v === 'number' && typeof gv === 'number')
                  expect(
                    gv,
                    `seed ${seed} ${period} ${g.group} ${g.period_start} ${k}`,
                  ).toBeCloseTo(v, 6);
                else
                  expect(gv, `seed ${seed} ${period} ${g.group} ${g.period_start} ${k}`).toEqual(v);
              }
            }
          }
        } finally {
          await s.close();
        }
      }
    });
  });
}

describe('the small-cell rule of engagement figures', () => {
  const row = (group: string, seen: number): EngagementRow =>
    ({
      group_by: 'department',
      group,
      period_start: '2026-03-02',
      period_end: '2026-03-16',
      seen_patients: seen,
      release_patients: 20,
      message_patients: 20,
      result_patients: 20,
      followup_patients: 20,
      suppressed: [],
    }) as unknown as EngagementRow;
  it('hides a small block, and for groups the next smallest so no difference gives it away', () => {
    const rows = markSmallCells([row('a', 5), row('b', 30), row('c', 12)], true);
    expect(rows.map((r) => r.suppressed)).toEqual([['seen'], [], ['seen']]);
    const one = markSmallCells([row('a', 10)], false);
    expect(one[0]!.suppressed).toEqual(['seen']);
    expect(markSmallCells([row('a', 11)], false)[0]!.suppressed).toEqual([]);
  });
});
