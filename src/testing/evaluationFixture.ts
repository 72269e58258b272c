/**
 * A hand-built system with known go-live effects, for the evaluation tests (engine and API).
 *
 * 4 departments × 3 clinicians, 20 weeks from Monday 2026-01-05 (UTC). Every Monday each clinician
 * has a 4-hour session and m minutes of inbox work (one event a minute, so m minutes credited):
 * m = 20 + 5·(department index) + ((7w + 3i) mod 5) − 6 after go-live, so IB-Time8 = m/60 × 8/4
 * drops by 6/30 = 0.2 at go-live. A and B go live on 2026-03-16 (week 10), C on 2026-04-13
 * (week 14); D never. Live clinicians use the tool `scribe` 3 times every Monday after go-live.
 */
import { loadDataset } from './loadDataset.ts';
import type { ClinicianRow, EventRow, ScheduleRow } from '../model/canonical.ts';
import type { Store } from '../store/Store.ts';
import { parseTool, saveTool } from '../analysis/tools.ts';
import { addDays } from '../analysis/weeks.ts';

export const DEPTS = ['A', 'B', 'C', 'D'];
export const GO_LIVE: Record<string, number | null> = { A: 10, B: 10, C: 14, D: null };
export const WEEKS = 20;

export function inboxMinutes(d: number, i: number, w: number): number {
  const live = GO_LIVE[DEPTS[d]!];
  return (
    20 + 5 * d + ((7 * w + 3 * i) % 5) - (live !== null && live !== undefined && w >= live ? 6 : 0)
  );
}

export async function buildEvaluationFixture(store: Store): Promise<void> {
  const clinicians: ClinicianRow[] = [];
  const schedule: ScheduleRow[] = [];
  const events: EventRow[] = [];
  let id = 0;
  DEPTS.forEach((dept, d) => {
    for (let i = 0; i < 3; i++) {
      const user = `${dept.toLowerCase()}${i}`;
      clinicians.push({ user_id: user, role: 'physician', department: dept });
      for (let w = 0; w < WEEKS; w++) {
        const day = addDays('2026-01-05', 7 * w);
        schedule.push({
          user_id: user,
          kind: 'session',
          start: `${day}T08:00:00Z`,
          end: `${day}T12:00:00Z`,
        });
        const m = inboxMinutes(d, i, w);
        for (let j = 0; j <= m; j++) {
          const t = new Date(Date.parse(`${day}T09:00:00Z`) + j * 60_000).toISOString();
          events.push({
            event_id: String(++id),
            occurred_at: t,
            user_id: user,
            action: 'inbox_open',
            category: 'inbox',
          });
        }
        const live = GO_LIVE[dept];
        if (live !== null && live !== undefined && w >= live)
          for (let j = 0; j < 3; j++)
            events.push({
              event_id: String(++id),
              occurred_at: `${day}T13:0${j}:00Z`,
              user_id: user,
              action: 'scribe_start',
              category: 'notes',
            });
      }
    }
  });
  await loadDataset(store, { events, clinicians, schedule });
  await saveTool(
    store,
    parseTool({
      name: 'scribe',
      actions: ['scribe_*'],
      golives: [
        { group_by: 'department', group: 'A', date: '2026-03-16' },
        { group_by: 'department', group: 'B', date: '2026-03-18' }, // a Wednesday: the same week
        { group_by: 'department', group: 'C', date: '2026-04-13' },
      ],
    }),
  );
}
