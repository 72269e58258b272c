/**
 * Training records and tool definitions of the synthetic health system (issue #5), written beside
 * the four canonical files without touching them (their own random streams):
 *
 * - `training.csv` — canonical training CSV (`user_id,course,completed_at,hours,source`);
 * - `training.xapi.ndjson` — the same completions as xAPI statements (verb `completed`), so that
 *   importing both stores each completion once;
 * - `tools.json` — the go-live tool (`uptake tool import tools.json`): its actions, the
 *   primary-care departments as the eligible population, its courses, the metric it is meant to
 *   move (Note-Time8, down) and its go-lives.
 *
 * Who is trained: in the go-live departments, 95% of the clinicians who will adopt the tool and 60%
 * of the others complete "Ambient notes: getting started" (1.5 h) on a weekday 1–10 days before
 * go-live, at lunch or after clinic; 40% of adopters complete "Ambient notes: advanced tips" (0.5 h)
 * 14–28 days after go-live. About 30% of all clinicians complete an unrelated "EHR annual
 * refresher" (1 h) on a random weekday. Adoption itself (who uses the tool, from when, how much)
 * is decided by the roster and `goLiveEffect` in `day.ts`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GO_LIVE_ACTIONS, GO_LIVE_TOOL } from './actions.ts';
import { Rng, mixSeed } from './prng.ts';
import { DEPARTMENTS, GO_LIVE_DEPARTMENTS, type Clinician } from './roster.ts';
import { addDays, dayClock, localIso } from './tz.ts';

export const TOOL_COURSES = [
  'Ambient notes: getting started',
  'Ambient notes: advanced tips',
] as const;

export interface TrainingFiles {
  csv: string;
  xapi: string;
  tools: string;
  records: number;
}

interface Completion {
  user: string;
  course: string;
  at: string;
  hours: number;
}

function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** The weekday on or before `date`. */
function weekdayOnOrBefore(date: string): string {
  let d = date;
  while (weekday(d) === 0 || weekday(d) === 6) d = addDays(d, -1);
  return d;
}

const csvField = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** ISO 8601 duration of `hours` (e.g. PT1H30M). */
function duration(hours: number): string {
  const h = Math.floor(hours);
  const m = Math.round((hours - h) * 60);
  const parts = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}`;
  return parts ? `PT${parts}` : 'PT0S';
}

export async function writeTrainingAndTools(opts: {
  outDir: string;
  clinicians: readonly Clinician[];
  seedWord: number;
  start: string;
  days: number;
  timezone: string;
  goLive: { date: string; dayIndex: number };
}): Promise<TrainingFiles> {
  const { clinicians, start, days, timezone, goLive } = opts;
  const end = addDays(start, days);
  const list: Completion[] = [];
  const at = (date: string, rng: Rng) => {
    // 12:00–13:00 or 17:00–18:30 local, on the minute.
    const s = rng.chance(0.5) ? 12 * 3600 + rng.int(60) * 60 : 17 * 3600 + rng.int(90) * 60;
    return localIso(dayClock(timezone, date), s);
  };
  for (const c of clinicians) {
    const rng = new Rng(mixSeed(opts.seedWord, 0x7a1, c.index));
    if (c.goLive && rng.chance(c.adopter ? 0.95 : 0.6)) {
      const date = weekdayOnOrBefore(addDays(goLive.date, -(1 + rng.int(10))));
      if (date >= start)
        list.push({ user: c.userId, course: TOOL_COURSES[0], at: at(date, rng), hours: 1.5 });
    }
    if (c.goLive && c.adopter && rng.chance(0.4)) {
      const date = weekdayOnOrBefore(addDays(goLive.date, 14 + rng.int(15)));
      if (date < end)
        list.push({ user: c.userId, course: TOOL_COURSES[1], at: at(date, rng), hours: 0.5 });
    }
    if (rng.chance(0.3)) {
      const date = weekdayOnOrBefore(addDays(start, rng.int(days)));
      if (date >= start)
        list.push({ user: c.userId, course: 'EHR annual refresher', at: at(date, rng), hours: 1 });
    }
  }
  list.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.user < b.user ? -1 : 1));
  const csv =
    [
      'user_id,course,completed_at,hours,source',
      ...list.map((r) => [r.user, r.course, r.at, String(r.hours), 'lms'].map(csvField).join(',')),
    ].join('\n') + '\n';
  const xapi =
    list
      .map((r, i) =>
        JSON.stringify({
          id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
          actor: {
            objectType: 'Agent',
            account: { homePage: 'https://lms.example.org', name: r.user },
          },
          verb: {
            id: 'http://adlnet.gov/expapi/verbs/completed',
            display: { 'en-US': 'completed' },
          },
          object: {
            id: `https://lms.example.org/courses/${r.course.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
            definition: { name: { 'en-US': r.course } },
          },
          result: { completion: true, duration: duration(r.hours) },
          timestamp: r.at,
        }),
      )
      .join('\n') + '\n';
  const tools = {
    tools: [
      {
        name: GO_LIVE_TOOL,
        description:
          'Ambient AI documentation: the visit is recorded and a draft note is written for review.',
        actions: [...GO_LIVE_ACTIONS],
        eligible: {
          departments: Object.values(DEPARTMENTS)
            .filter((d) => d.group === 'primary')
            .map((d) => d.name),
        },
        courses: ['Ambient notes*'],
        habitual_uses: 5,
        // What it is meant to move: the time spent writing notes (day.ts shortens it after go-live).
        target_metric: 'note_time8',
        target_direction: 'decrease',
        golives: GO_LIVE_DEPARTMENTS.map((k) => ({
          group_by: 'department',
          group: DEPARTMENTS[k].name,
          date: goLive.date,
          note: 'wave 1',
        })),
      },
    ],
  };
  const files = {
    csv: join(opts.outDir, 'training.csv'),
    xapi: join(opts.outDir, 'training.xapi.ndjson'),
    tools: join(opts.outDir, 'tools.json'),
  };
  await writeFile(files.csv, csv);
  await writeFile(files.xapi, xapi);
  await writeFile(files.tools, JSON.stringify(tools, null, 2) + '\n');
  return { ...files, records: list.length };
}
