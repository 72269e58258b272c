/**
 * Adoption funnel, weekly series, retention and depth on a hand-built case, on every engine.
 * The expected numbers are worked out by hand in the comments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import { loadDataset } from '../testing/loadDataset.ts';
import type { EventRow } from '../model/canonical.ts';
import { adoptionReport } from './adoption.ts';
import { getTool, parseTool, saveTool } from './tools.ts';

/**
 * Tool `scribe`: actions `scribe_*`, eligible departments A and B, courses `Scribe*`, habitual at
 * 2 uses a week. Department A goes live on Monday 2026-03-02; B is not live. Weeks (New York):
 * 02-23, 03-02, 03-09, 03-16 (DST starts on Sunday 03-08).
 *
 * a1 (A) trained 02-26; uses 03-02 ×2, 03-03, 03-09 ×2, Sunday 03-15 23:30 local (already 03-16
 *    in UTC: it belongs to week 03-09), 03-16, 03-17 → weeks 3, 3, 2 uses: habitual in week 03-16.
 * a2 (A) trained 03-04; one use 03-10 00:30 local (03-10 04:30Z).
 * a3 (A) never trained; one use 03-17.
 * a4 (A) trained 03-01 ("Scribe advanced"); never uses it.
 * b1 (B) trained in another course only; never uses it.
 * b2 (B) one use 02-24 (a pilot user, before any go-live).
 * c1 (department C, not eligible) uses it 3 times; x9 (not in the roster) once.
 */
const ev = (id: string, user: string, at: string, action = 'scribe_start'): EventRow => ({
  event_id: id,
  occurred_at: at,
  user_id: user,
  action,
  category: 'notes',
});
const EVENTS: EventRow[] = [
  ev('1', 'a1', '2026-03-02T09:00:00-05:00'),
  ev('2', 'a1', '2026-03-02T10:00:00-05:00', 'scribe_accept'),
  ev('3', 'a1', '2026-03-03T09:00:00-05:00'),
  ev('4', 'a1', '2026-03-09T09:00:00-04:00'),
  ev('5', 'a1', '2026-03-09T09:05:00-04:00'),
  ev('6', 'a1', '2026-03-15T23:30:00-04:00'),
  ev('7', 'a1', '2026-03-16T09:00:00-04:00'),
  ev('8', 'a1', '2026-03-17T09:00:00-04:00'),
  ev('9', 'a1', '2026-03-17T09:01:00-04:00', 'note_open'),
  ev('10', 'a2', '2026-03-10T00:30:00-04:00'),
  ev('11', 'a3', '2026-03-17T11:00:00-04:00'),
  ev('12', 'b2', '2026-02-24T11:00:00-05:00'),
  ev('13', 'c1', '2026-03-10T11:00:00-04:00'),
  ev('14', 'c1', '2026-03-10T11:01:00-04:00'),
  ev('15', 'c1', '2026-03-10T11:02:00-04:00'),
  ev('16', 'x9', '2026-03-11T11:00:00-04:00'),
  ev('17', 'a4', '2026-03-11T11:00:00-04:00', 'scribble'),
];

async function loadScribeCase(store: Store): Promise<void> {
  await loadDataset(store, {
    events: EVENTS,
    clinicians: [
      { user_id: 'a1', role: 'physician', department: 'A' },
      { user_id: 'a2', role: 'np', department: 'A' },
      { user_id: 'a3', role: 'physician', department: 'A' },
      { user_id: 'a4', role: 'physician', department: 'A' },
      { user_id: 'b1', role: 'physician', department: 'B' },
      { user_id: 'b2', role: 'physician', department: 'B' },
      { user_id: 'c1', role: 'physician', department: 'C' },
    ],
  });
  const tr = (u: string, course: string, at: string) =>
    store.run(
      `INSERT INTO training (user_id, course, completed_at, hours, source) VALUES ($1, $2, CAST($3 AS TIMESTAMPTZ), 1, 'csv')`,
      [u, course, at],
    );
  await tr('a1', 'Scribe basics', '2026-02-26T15:00:00Z');
  await tr('a2', 'Scribe basics', '2026-03-04T15:00:00Z');
  await tr('a4', 'Scribe advanced', '2026-03-01T15:00:00Z');
  await tr('b1', 'Inbox management', '2026-03-01T15:00:00Z');
  await saveTool(
    store,
    parseTool({
      name: 'scribe',
      actions: ['scribe_*'],
      eligible: { departments: ['A', 'B'] },
      courses: ['Scribe*'],
      habitual_uses: 2,
      golives: [{ group_by: 'department', group: 'A', date: '2026-03-02' }],
    }),
  );
}

for (const engine of engines()) {
  describe(`adoption (${engine.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await engine.open();
      await loadScribeCase(store);
    });
    afterAll(async () => store.close());

    const run = async () =>
      adoptionReport(
        store,
        {
          tool: await getTool(store, 'scribe'),
          by: 'department',
          from: '2026-02-23',
          to: '2026-03-23',
          timezone: 'America/New_York',
        },
        5,
      );

    it('counts the funnel as of the last week', async () => {
      const r = await run();
      expect(r.options.as_of_week).toBe('2026-03-16');
      const a = r.funnel.find((f) => f.group === 'A')!;
      expect(a).toMatchObject({
        go_live: '2026-03-02',
        eligible: 4,
        live: 4,
        trained: 3, // a1, a2, a4
        first_use: 3, // a1, a2, a3
        weekly_active: 2, // a1, a3 in week 03-16
        habitual: 1, // a1: ≥ 2 uses in weeks 03-02, 03-09, 03-16
        used_before_training: 0,
        used_untrained: 1, // a3
        suppressed: true,
      });
      expect(a.weekly_active_share).toBeCloseTo(0.5, 12);
      // a1 trained 02-26, first use 03-02: 4 days; a2 03-04 → 03-10: 6 days.
      expect(a.days_training_to_first_use).toEqual({ n: 2, p25: 4.5, median: 5, p75: 5.5 });
      // go-live 03-02 → first use: a1 0, a2 8, a3 15 days.
      expect(a.days_go_live_to_first_use).toEqual({ n: 3, p25: 4, median: 8, p75: 11.5 });
      // last 4 weeks: a1 8 uses on 6 days, a2 1 on 1, a3 1 on 1 → 10 / 8.
      expect(a.depth).toBeCloseTo(1.25, 12);
      const b = r.funnel.find((f) => f.group === 'B')!;
      expect(b).toMatchObject({
        go_live: null,
        eligible: 2,
        live: 0,
        trained: 0,
        first_use: 1,
        weekly_active: 0,
        habitual: 0,
        used_untrained: 1,
      });
      expect(b.days_go_live_to_first_use.n).toBe(0);
      expect(r.funnel.map((f) => f.group)).toEqual(['A', 'B']);
      expect(r.outside_eligible).toEqual({ users: 2, uses: 4 });
    });

    it('gives the weekly series in local weeks', async () => {
      const r = await run();
      const a = r.weekly.filter((w) => w.group === 'A');
      expect(a.map((w) => w.week_start)).toEqual([
        '2026-02-23',
        '2026-03-02',
        '2026-03-09',
        '2026-03-16',
      ]);
      expect(a.map((w) => w.live)).toEqual([0, 4, 4, 4]);
      // a4 trained on Sunday 03-01, still week 02-23
      expect(a.map((w) => w.trained)).toEqual([2, 3, 3, 3]);
      expect(a.map((w) => w.ever_used)).toEqual([0, 1, 2, 3]);
      expect(a.map((w) => w.weekly_active)).toEqual([0, 1, 2, 2]);
      expect(a.map((w) => w.habitual)).toEqual([0, 0, 0, 1]);
      // the Sunday-night use (03-16 in UTC) is in week 03-09
      expect(a.map((w) => w.uses)).toEqual([0, 3, 4, 3]);
      expect(a.map((w) => w.use_days)).toEqual([0, 2, 3, 3]);
      const b = r.weekly.filter((w) => w.group === 'B');
      expect(b.map((w) => w.weekly_active)).toEqual([1, 0, 0, 0]);
    });

    it('follows retention by cohort of first-use week', async () => {
      const r = await run();
      const a = r.retention
        .filter((x) => x.group === 'A')
        .map((x) => [x.cohort_week, x.weeks_since_first_use, x.cohort_size, x.active]);
      expect(a).toEqual([
        ['2026-03-02', 0, 1, 1],
        ['2026-03-02', 1, 1, 1],
        ['2026-03-02', 2, 1, 1],
        ['2026-03-09', 0, 1, 1],
        ['2026-03-09', 1, 1, 0],
        ['2026-03-16', 0, 1, 1],
      ]);
      const b = r.retention.filter((x) => x.group === 'B').map((x) => x.active);
      expect(b).toEqual([1, 0, 0, 0]);
    });

    it('groups by role and by organisation', async () => {
      const tool = await getTool(store, 'scribe');
      const base = { tool, from: '2026-02-23', to: '2026-03-23', timezone: 'America/New_York' };
      const byRole = await adoptionReport(store, { ...base, by: 'role' }, 5);
      const np = byRole.funnel.find((f) => f.group === 'np')!;
      expect(np).toMatchObject({ eligible: 1, first_use: 1, weekly_active: 0 });
      const phys = byRole.funnel.find((f) => f.group === 'physician')!;
      // a1, a3, a4 live on 03-02; b1, b2 not live: their go-live is "mixed"
      expect(phys).toMatchObject({ eligible: 5, live: 3, go_live: '2026-03-02' });
      const org = await adoptionReport(store, { ...base, by: 'org' }, 5);
      expect(org.funnel).toHaveLength(1);
      expect(org.funnel[0]).toMatchObject({ group: 'organisation', eligible: 6, first_use: 4 });
    });

    it('counts a category as uses, and tracks no training when the tool names no course', async () => {
      await saveTool(store, parseTool({ name: 'notes-any', categories: ['notes'] }));
      const r = await adoptionReport(
        store,
        {
          tool: await getTool(store, 'notes-any'),
          by: 'org',
          from: '2026-02-23',
          to: '2026-03-23',
          timezone: 'America/New_York',
        },
        5,
      );
      // every roster clinician is eligible; a4's "scribble" is a notes event too
      expect(r.funnel[0]).toMatchObject({ eligible: 7, first_use: 6, trained: null });
      expect(r.outside_eligible).toEqual({ users: 1, uses: 1 });
    });
  });
}
