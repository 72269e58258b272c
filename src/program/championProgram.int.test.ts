/**
 * Champion invitations (opt-in) and coverage per department with champion activity
 * (program.md §4), on every engine, with hand-computed expectations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import { loadDataset } from '../testing/loadDataset.ts';
import type { Store } from '../store/Store.ts';
import { accountsOf } from '../admin/accounts.ts';
import {
  answerInvitation,
  invitationStates,
  inviteChampion,
  myInvitations,
} from './championInvitations.ts';
import { coverageReport, coverageStatus } from './championCoverage.ts';

describe('coverage status (§4)', () => {
  it('is uncovered with none or fewer than 1 per 15 clinicians, in words', () => {
    expect(coverageStatus(0, 3)).toEqual({
      per_10: 0,
      uncovered: true,
      status: 'uncovered: no champion',
    });
    // 1 for 15: exactly 1 per 15 is covered; 1 for 16 is not.
    expect(coverageStatus(1, 15)).toEqual({
      per_10: 10 / 15,
      uncovered: false,
      status: 'covered: 1 champion for 15 clinicians',
    });
    expect(coverageStatus(1, 16)).toEqual({
      per_10: 10 / 16,
      uncovered: true,
      status: 'uncovered: 1 champion for 16 clinicians, fewer than 1 per 15',
    });
    expect(coverageStatus(2, 30).uncovered).toBe(false);
    expect(coverageStatus(2, 31).uncovered).toBe(true);
  });
});

for (const engine of engines()) {
  describe(`champion invitations and coverage (${engine.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
      // Department A: 20 clinicians (a1..a20), B: 15 (b1..b15), C: 3 (c1..c3).
      const clin = (d: string, n: number) =>
        Array.from({ length: n }, (_, i) => ({
          user_id: `${d.toLowerCase()}${i + 1}`,
          role: 'physician',
          specialty: d === 'C' ? 'dermatology' : 'cardiology',
          department: d,
        }));
      await loadDataset(store, {
        events: [],
        clinicians: [...clin('A', 20), ...clin('B', 15), ...clin('C', 3)],
      });
    });
    afterAll(async () => store.close());

    it('invites, and only the invited clinician accepts or declines', async () => {
      const t0 = new Date('2026-03-02T15:00:00Z');
      const inv = await inviteChampion(
        store,
        { user_id: 'a1', invited_by: 'admin', reason: 'why' },
        t0,
      );
      expect(inv).toMatchObject({
        user_id: 'a1',
        department: 'A',
        invited_by: 'admin',
        state: 'invited',
        decided_at: null,
        invited_at: '2026-03-02T15:00:00.000Z',
      });
      await expect(
        inviteChampion(store, { user_id: 'a1', invited_by: 'admin', reason: 'again' }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(
        inviteChampion(store, { user_id: 'zz', invited_by: 'admin', reason: '' }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      // Another clinician sees nothing and cannot answer it (NOT_FOUND, not FORBIDDEN).
      expect(await myInvitations(store, 'a2')).toEqual([]);
      await expect(answerInvitation(store, 'a2', inv.id, 'accept')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect((await myInvitations(store, 'a1')).map((i) => i.id)).toEqual([inv.id]);
      const t1 = new Date('2026-03-03T09:00:00Z');
      expect(await answerInvitation(store, 'a1', inv.id, 'accept', t1)).toMatchObject({
        state: 'accepted',
        decided_at: '2026-03-03T09:00:00.000Z',
      });
      await expect(answerInvitation(store, 'a1', inv.id, 'decline')).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      const b = await inviteChampion(store, { user_id: 'b1', invited_by: 'admin', reason: 'r' });
      await answerInvitation(store, 'b1', b.id, 'decline');
      // A decline is final: not asked again.
      await expect(
        inviteChampion(store, { user_id: 'b1', invited_by: 'admin', reason: 'r' }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(Object.fromEntries(await invitationStates(store))).toEqual({
        a1: 'accepted',
        b1: 'declined',
      });
    });

    it('an acceptance gives the account the champion role for the department, keeping sessions', async () => {
      const accounts = accountsOf(store);
      await accounts.create({
        username: 'amy',
        password: 'a long test password',
        role: 'clinician',
        clinician_id: 'a1',
      });
      await store.run(
        `INSERT INTO sessions (token_hash, username, csrf, created_at, expires_at)
         VALUES ('s1', 'amy', 'x', CAST('2026-03-01T00:00:00Z' AS TIMESTAMPTZ), CAST('2099-01-01T00:00:00Z' AS TIMESTAMPTZ))`,
      );
      expect(await accounts.grantChampion('amy', 'A')).toMatchObject({
        role: 'champion',
        groups: [{ by: 'department', value: 'A' }],
      });
      const [kept] = await store.all<{ n: number }>(
        `SELECT count(*) AS n FROM sessions WHERE username = 'amy'`,
      );
      expect(Number(kept?.n)).toBe(1);
      await accounts.create({ username: 'boss', password: 'a long test password', role: 'admin' });
      await expect(accounts.grantChampion('boss', 'A')).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('counts coverage per department and each champion’s activity in business hours', async () => {
      // ch1 champions A, ch2 champions B; C has none.
      const champions = [
        {
          username: 'ch1',
          role: 'champion' as const,
          clinician_id: null,
          groups: [{ by: 'department' as const, value: 'A' }],
        },
        {
          username: 'ch2',
          role: 'champion' as const,
          clinician_id: null,
          groups: [{ by: 'department' as const, value: 'B' }],
        },
      ];
      const req = (id: string, created: string, answered: string | null, by: string | null) =>
        store.run(
          `INSERT INTO help_requests (id, created_at, username, user_id, topic, message, status, answered_by, answered_at)
           VALUES ($1, CAST($2 AS TIMESTAMPTZ), 'u', 'a2', 'inbox', 'help', $3, $4, CAST($5 AS TIMESTAMPTZ))`,
          [id, created, answered ? 'answered' : 'open', by, answered],
        );
      // New York. h1: Mon 03-02 09:00 → 11:00, 2 business hours. h2: Fri 03-06 16:30 → Tue
      // 03-10 10:00 with Monday 03-09 a holiday: 0.5 h (Fri) + 2 h (Tue) = 2.5. Median 2.25.
      await req('h1', '2026-03-02T09:00:00-05:00', '2026-03-02T11:00:00-05:00', 'ch1');
      await req('h2', '2026-03-06T16:30:00-05:00', '2026-03-10T10:00:00-04:00', 'ch1');
      await req('h3', '2026-03-06T16:30:00-05:00', null, null);
      const r = await coverageReport(store, champions, {
        timezone: 'America/New_York',
        holidays: ['2026-03-09'],
      });
      expect(r.departments).toEqual([
        {
          department: 'A',
          clinicians: 20,
          champions: ['ch1'],
          open_requests: 1,
          per_10: 0.5,
          uncovered: true,
          status: 'uncovered: 1 champion for 20 clinicians, fewer than 1 per 15',
        },
        {
          department: 'B',
          clinicians: 15,
          champions: ['ch2'],
          open_requests: 0,
          per_10: 10 / 15,
          uncovered: false,
          status: 'covered: 1 champion for 15 clinicians',
        },
        {
          department: 'C',
          clinicians: 3,
          champions: [],
          open_requests: 0,
          per_10: 0,
          uncovered: true,
          status: 'uncovered: no champion',
        },
      ]);
      expect(r.activity).toEqual([
        { username: 'ch1', answered: 2, median_business_hours_to_first_answer: 2.25 },
        { username: 'ch2', answered: 0, median_business_hours_to_first_answer: null },
      ]);
    });
  });
}
