/**
 * `uptake goals …` and `uptake feedback …` as a user runs them (the real CLI, a store on each
 * engine): outputs in every format against hand-computed values, the API's rules for the `--as`
 * account (one vote per person, none outside the group, only the proposer withdraws), errors of the
 * closed set with their exit statuses, and the access log rows each view and change writes.
 *
 * The data sit in the three whole weeks before today (the CLI reads the wall clock, as a user's
 * does): Cardiology's six clinicians edit notes 1–6, 2–7 and 3–8 times a week, so the weekly
 * medians are 3.5, 4.5 and 5.5 — a baseline of 4.5 with sd 1 (noise), 95% CI 4.5 ± t(0.975, 2) ×
 * 1/√3 = 4.5 ± 2.484138 — and a target of 4 lies within noise (0.5 < 1.96 × √2 × 1 / 2 = 1.385929).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountsOf } from '../admin/accounts.ts';
import { keyFile } from '../admin/paths.ts';
import { addDays, mondayOnOrBefore } from '../analysis/weeks.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import type { EventRow, ScheduleRow } from '../model/canonical.ts';
import type { ProgramActor } from '../program/actor.ts';
import { changeFeedback, createFeedback, voteFeedback } from '../program/feedbackStore.ts';
import { castGoalVote, proposeGoal } from '../program/goalStore.ts';
import { DuckDBStore } from '../store/duckdbStore.ts';
import { PostgresStore } from '../store/postgresStore.ts';
import type { Store } from '../store/Store.ts';
import { loadDataset } from '../testing/loadDataset.ts';
import { freshPgDatabase } from '../testing/testEngines.ts';
import { EXPORT_FIELDS } from './feedbackRun.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'uptake.js');
const pgUrl = inject('pgUrl');

const TODAY = new Date().toISOString().slice(0, 10);
const MONDAY = mondayOnOrBefore(TODAY);
/** The three whole weeks before this one, and each Cardiology clinician's note edits in them. */
const WEEKS: [string, number[]][] = [
  [addDays(MONDAY, -21), [1, 2, 3, 4, 5, 6]], // median 3.5
  [addDays(MONDAY, -14), [2, 3, 4, 5, 6, 7]], // 4.5
  [addDays(MONDAY, -7), [3, 4, 5, 6, 7, 8]], // 5.5
];
const HALF_WIDTH = 4.302652729749464 / Math.sqrt(3);

function rows(): { events: EventRow[]; schedule: ScheduleRow[] } {
  const events: EventRow[] = [];
  const schedule: ScheduleRow[] = [];
  const add = (user: string, monday: string, n: number) => {
    schedule.push({
      user_id: user,
      kind: 'session',
      start: `${monday}T09:00:00Z`,
      end: `${monday}T17:00:00Z`,
    });
    for (let k = 0; k < n; k++)
      events.push({
        event_id: `${user}-${monday}-${k}`,
        occurred_at: `${monday}T10:${String(k).padStart(2, '0')}:00Z`,
        user_id: user,
        action: 'NOTE_EDIT',
        category: 'notes',
      });
  };
  for (const [w, counts] of WEEKS) {
    counts.forEach((n, i) => add(`C${i + 1}`, w, n));
    add('O1', w, 3);
  }
  return { events, schedule };
}

const actor = (
  username: string,
  department: string | null,
  role: ProgramActor['role'] = 'clinician',
): ProgramActor => ({
  username,
  role,
  clinician: department ? { department, specialty: department, role: 'physician' } : null,
  groups: [],
});

interface CliStore {
  name: 'duckdb' | 'postgres';
  args: string[];
  open(): Promise<Store>;
}

const targets: { name: 'duckdb' | 'postgres' }[] = [
  { name: 'duckdb' },
  ...(pgUrl ? [{ name: 'postgres' as const }] : []),
];

describe.each(targets)('uptake goals and feedback on $name', ({ name }) => {
  let dir: string;
  let cs: CliStore;
  let env: Record<string, string>;
  let goal = '';
  let past = '';
  const items: string[] = [];

  function uptake(args: string[]) {
    const r = spawnSync(process.execPath, [BIN, ...args, ...cs.args], {
      encoding: 'utf8',
      env: { ...process.env, UPTAKE_DB: '', DATABASE_URL: '', UPTAKE_DEBUG: '', ...env },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  async function withTestStore<T>(fn: (s: Store) => Promise<T>): Promise<T> {
    const s = await cs.open();
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  }

  /** The access log rows, oldest first. */
  const accessLog = () =>
    withTestStore((s) =>
      s.all<{
        username: string;
        role: string | null;
        action: string;
        resource: string;
        outcome: string;
        detail: string | null;
      }>(`SELECT username, role, action, resource, outcome, detail FROM access_log ORDER BY id`),
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `uptake-program-cli-${name}-`));
    // The vote key lives outside the database; the test and the CLI read the same file.
    env = { UPTAKE_KEY_FILE: join(dir, 'pseudonym.key') };
    process.env['UPTAKE_KEY_FILE'] = env['UPTAKE_KEY_FILE'];
    if (name === 'duckdb') {
      const file = join(dir, 'u.duckdb');
      cs = { name, args: ['--db', file], open: () => DuckDBStore.open(file) };
    } else {
      const url = await freshPgDatabase(pgUrl!);
      cs = { name, args: ['--database-url', url], open: () => PostgresStore.open(url) };
    }
    await withTestStore(async (s) => {
      await loadDataset(s, {
        ...rows(),
        clinicians: [
          ...[1, 2, 3, 4, 5, 6].map((i) => ({
            user_id: `C${i}`,
            role: 'physician',
            department: 'Cardiology',
            specialty: 'Cardiology',
          })),
          { user_id: 'O1', role: 'physician', department: 'Oncology', specialty: 'Oncology' },
        ],
      });
      const acc = accountsOf(s);
      const password = 'a long test password';
      for (let i = 1; i <= 6; i++)
        await acc.create({ username: `c${i}`, password, role: 'clinician', clinician_id: `C${i}` });
      await acc.create({ username: 'o1', password, role: 'clinician', clinician_id: 'O1' });
      await acc.create({
        username: 'lead',
        password,
        role: 'leader',
        groups: [{ by: 'department', value: 'Cardiology' }],
      });
      // A goal proposed 20 days ago whose 14-day vote closed 6 days ago with five supports:
      // the CLI settles it (adopted) and computes its status (too early: no whole week since).
      const then = new Date(Date.now() - 20 * 86_400_000);
      const g = await proposeGoal(
        s,
        actor('c1', 'Cardiology'),
        {
          metric: 'events',
          group_by: 'department',
          group_value: 'Cardiology',
          direction: 'decrease',
          target: 3,
          target_date: addDays(TODAY, 200),
          title: 'An older goal',
          rationale: 'Decided already.',
        },
        { timezone: 'UTC', now: then },
      );
      past = g.id;
      const key = Pseudonymizer.load(keyFile(s)).derivedKey('goal-votes');
      for (let i = 1; i <= 5; i++)
        await castGoalVote(s, key, actor(`c${i}`, 'Cardiology'), g.id, 'support', then);
      // Feedback: c1's unit item (c2 says "me too"), triaged by IT two business hours later
      // with an answer; c3's private idea, untouched.
      const created = new Date(`${WEEKS[2]![0]}T09:00:00Z`);
      const a = await createFeedback(
        s,
        actor('c1', 'Cardiology'),
        { kind: 'problem', text: 'The inbox, slow "again", today', visibility: 'unit' },
        created,
      );
      await voteFeedback(s, actor('c2', 'Cardiology'), a.id, new Date(created.getTime() + 60_000));
      await changeFeedback(
        s,
        actor('itstaff', null, 'it'),
        a.id,
        { to: 'triaged', priority: 'high', note: 'We are looking into it.', public: true },
        new Date(created.getTime() + 2 * 3_600_000),
      );
      const b = await createFeedback(
        s,
        actor('c3', 'Cardiology'),
        { kind: 'idea', text: 'Shorter templates', visibility: 'private' },
        new Date(created.getTime() + 3 * 3_600_000),
      );
      items.push(a.id, b.id);
    });
  }, 120_000);

  afterAll(() => {
    delete process.env['UPTAKE_KEY_FILE'];
    rmSync(dir, { recursive: true, force: true });
  });

  const propose = [
    'goals',
    'propose',
    '--as',
    'c1',
    '--group',
    'department:Cardiology',
    '--metric',
    'events',
    '--direction',
    'decrease',
    '--target',
    '4',
    '--target-date',
    addDays(TODAY, 120),
    '--title',
    'Fewer note edits',
    '--baseline-weeks',
    '3',
  ];

  it('previews a proposal (baseline, interval, weeks, noise warning) and stores nothing without --yes', () => {
    const r = uptake(propose);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const low = String(Number((4.5 - HALF_WIDTH).toPrecision(4)));
    const high = String(Number((4.5 + HALF_WIDTH).toPrecision(4)));
    expect(low).toBe('2.016');
    expect(high).toBe('6.984');
    expect(r.stdout).toContain(
      `baseline 4.5 (95% CI ${low} to ${high}; noise 1; 3 of the 3 whole weeks before today have values)`,
    );
    expect(r.stdout).toContain(`${WEEKS[0]![0]}  3.5  (6 clinicians)`);
    expect(r.stdout).toContain(`${WEEKS[2]![0]}  5.5  (6 clinicians)`);
    expect(r.stdout).toContain(
      'warning: the target cannot be told from week-to-week variation: it is 0.5 from the baseline, less than 1.386',
    );
    expect(r.stdout).toContain('not proposed: run the same command with --yes');
    const list = uptake(['goals', 'list', '--format', 'json']);
    expect(JSON.parse(list.stdout).rows.map((g: { id: string }) => g.id)).toEqual([past]);
  });

  it('proposes with --yes; lists it in JSON, CSV and a table with the stored baseline', () => {
    const r = uptake([...propose, '--yes']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    goal = /proposed goal (\S+);/.exec(r.stdout)![1]!;
    const json = JSON.parse(uptake(['goals', 'list', '--format', 'json']).stdout);
    expect(json.rows.map((g: { id: string }) => g.id)).toEqual([goal, past]);
    const [g, old] = json.rows;
    expect(g).toMatchObject({
      proposer: 'c1',
      state: 'voting',
      status: null,
      group_by: 'department',
      group_value: 'Cardiology',
      target: 4,
      baseline: 4.5,
      noise: 1,
      within_noise: true,
      support: 0,
      oppose: 0,
      abstain: 0,
    });
    expect(g.baseline_low).toBeCloseTo(4.5 - HALF_WIDTH, 9);
    expect(g.baseline_high).toBeCloseTo(4.5 + HALF_WIDTH, 9);
    // The older goal's vote closed: settled as adopted (5 of 7 voters, 5 supports), too early.
    expect(old).toMatchObject({
      state: 'adopted',
      status: 'too_early',
      support: 5,
      oppose: 0,
      abstain: 0,
    });

    const csv = uptake(['goals', 'list', '--state', 'voting', '--format', 'csv']).stdout;
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^# options: /);
    expect(lines[1]).toBe(
      'id,created_at,proposer,title,group_by,group_value,metric,tool,direction,target,target_date,state,status,closes_at,support,oppose,abstain,baseline,baseline_low,baseline_high,noise,within_noise',
    );
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(
      new RegExp(`^${goal},.*,c1,Fewer note edits,department,Cardiology,events,,decrease,4,`),
    );

    const table = uptake(['goals', 'list', '--group', 'department:Cardiology']).stdout;
    expect(table.split('\n')[0]).toMatch(/^id +state +status +group +metric/);
    expect(table).toMatch(
      new RegExp(`${goal} +voting +— +department:Cardiology +events +decrease`),
    );
    expect(
      uptake(['goals', 'list', '--group', 'department:Oncology', '--format', 'json']).stdout,
    ).toContain('"rows": []');
  });

  it('counts one vote per person, secretly, and refuses a vote outside the group', async () => {
    let r = uptake(['goals', 'vote', goal, 'support', '--as', 'c2']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      `vote of c2 cast on goal ${goal}; counts now: support 1, oppose 0, abstain 0\n`,
    );
    // A second vote by the same person replaces the first (§1): still one vote.
    r = uptake(['goals', 'vote', goal, 'oppose', '--as', 'c2']);
    expect(r.stdout).toBe(
      `changed the vote of c2 (one vote per person) on goal ${goal}; counts now: support 0, oppose 1, abstain 0\n`,
    );
    r = uptake(['goals', 'vote', goal, 'support', '--as', 'c3']);
    expect(r.stdout).toContain('support 1, oppose 1, abstain 0');
    // Oncology's clinician may not even read Cardiology's goal (as the API: not found).
    r = uptake(['goals', 'vote', goal, 'support', '--as', 'o1']);
    expect(r).toMatchObject({
      status: 1,
      stdout: '',
      stderr: `uptake: goal ${goal}: none that o1 may read; see uptake goals list\n`,
    });
    // Cardiology's leader reads it but does not vote: no role adopts a goal alone.
    r = uptake(['goals', 'vote', goal, 'support', '--as', 'lead']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'uptake: only the clinicians and champions of department "Cardiology" vote on this goal\n',
    );
    const g = JSON.parse(uptake(['goals', 'show', goal, '--format', 'json']).stdout);
    expect(g.goal.tally).toEqual({ support: 1, oppose: 1, abstain: 0 });
    expect(g.series.map((w: { value: number | null }) => w.value)).toEqual([3.5, 4.5, 5.5]);
    // Who voted how is in no output and no log row.
    const log = await accessLog();
    const votes = log.filter((e) => e.resource === `goals/${goal}/vote`);
    expect(votes.map((e) => [e.username, e.outcome])).toEqual([
      ['c2', 'success'],
      ['c2', 'success'],
      ['c3', 'success'],
      ['o1', 'denied'],
      ['lead', 'denied'],
    ]);
    for (const e of votes) expect(e.detail ?? '').not.toMatch(/support|oppose|abstain/);
    expect(votes[0]!.detail).toMatch(/^vote cast \(cli, run by cli:/);
    expect(votes[4]!.detail).toMatch(/^FORBIDDEN/);
  });

  it('shows a goal as a table and as a FHIR R4 Goal', () => {
    const t = uptake(['goals', 'show', goal]);
    expect(t.status).toBe(0);
    expect(t.stdout).toContain(`goal ${goal}: Fewer note edits`);
    expect(t.stdout).toContain('votes: support 1, oppose 1, abstain 0');
    expect(t.stdout).toContain('baseline 4.5 (95% CI 2.016 to 6.984; noise 1, 3 weeks)');
    const f = JSON.parse(uptake(['goals', 'show', goal, '--format', 'fhir']).stdout);
    expect(f).toMatchObject({
      resourceType: 'Goal',
      lifecycleStatus: 'proposed',
      subject: { identifier: { system: 'urn:uptake:group:department', value: 'Cardiology' } },
      target: [{ detailRange: { high: { value: 4 } }, dueDate: addDays(TODAY, 120) }],
    });
    const adopted = JSON.parse(uptake(['goals', 'show', past, '--format', 'fhir']).stdout);
    expect(adopted.lifecycleStatus).toBe('active');
  });

  it('lets only the proposer withdraw', () => {
    let r = uptake(['goals', 'withdraw', goal, '--as', 'c2']);
    expect(r).toMatchObject({
      status: 1,
      stderr: 'uptake: only the proposer or an administrator withdraws a goal\n',
    });
    r = uptake(['goals', 'withdraw', goal, '--as', 'c1']);
    expect(r).toMatchObject({ status: 0, stdout: `withdrew goal ${goal} (Fewer note edits)\n` });
    const g = JSON.parse(uptake(['goals', 'show', goal, '--format', 'json']).stdout);
    expect(g.goal).toMatchObject({ state: 'withdrawn', withdrawn_by: 'c1' });
    r = uptake(['goals', 'vote', goal, 'support', '--as', 'c4']);
    expect(r).toMatchObject({ status: 1, stderr: `uptake: goal ${goal} was withdrawn\n` });
  });

  it('answers unknown ids and bad options with the closed set of errors', () => {
    expect(uptake(['goals', 'show', 'nope'])).toMatchObject({
      status: 1,
      stdout: '',
      stderr: 'uptake: goal nope: no such goal; see uptake goals list\n',
    });
    expect(uptake(['feedback', 'show', 'nope'])).toMatchObject({
      status: 1,
      stderr: 'uptake: feedback item nope: no such item; see uptake feedback list\n',
    });
    const bad = uptake(['goals', 'list', '--group', 'ward']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^uptake: --group ward: write BY:VALUE/);
    expect(uptake(['goals', 'list', '--state', 'voting,open'])).toMatchObject({
      status: 2,
      stderr:
        'uptake: --state open: not one of voting, adopted, not_adopted, withdrawn; separate several with commas\n',
    });
    expect(uptake(['feedback', 'list', '--kind', 'rant']).status).toBe(2);
    expect(uptake(['goals', 'vote', past, 'maybe', '--as', 'c1'])).toMatchObject({
      status: 2,
      stderr: "uptake: vote maybe: give one of support, oppose, abstain after the goal's id\n",
    });
    expect(uptake(['goals', 'vote', past, 'support', '--as', 'nobody'])).toMatchObject({
      status: 1,
      stderr:
        'uptake: --as nobody: no such account; see uptake users list (or add it with uptake users add)\n',
    });
    expect(uptake([...propose.map((a) => (a === '4' ? 'four' : a))])).toMatchObject({
      status: 2,
      stderr: 'uptake: --target four: give a number (a value of the metric)\n',
    });
    const metric = uptake(propose.map((a) => (a === 'events' ? 'joy' : a)));
    expect(metric.status).toBe(1);
    expect(metric.stderr).toMatch(/^uptake: --metric: .*a per-clinician metric of uptake metrics/);
    const date = uptake(
      propose.map((a) => (a === addDays(TODAY, 120) ? addDays(TODAY, 3) : a)).concat('--yes'),
    );
    expect(date.status).toBe(1);
    expect(date.stderr).toMatch(/^uptake: target_date: must be after the vote closes/);
    const other = uptake(
      propose.map((a) => (a === 'department:Cardiology' ? 'department:Oncology' : a)),
    );
    expect(other).toMatchObject({
      status: 1,
      stderr:
        'uptake: --as c1: proposes goals only for a group they belong to, not department Oncology\n',
    });
    for (const r of [bad, metric, date, other]) expect(r.stderr).not.toMatch(/internal error/);
  });

  it('lists feedback in each format, with filters', () => {
    const [a, b] = items;
    const json = JSON.parse(uptake(['feedback', 'list', '--format', 'json']).stdout);
    expect(json.rows.map((i: { id: string }) => i.id)).toEqual([b, a]);
    expect(json.rows[1]).toMatchObject({
      author: 'c1',
      unit: 'Cardiology',
      kind: 'problem',
      state: 'triaged',
      priority: 'high',
      votes: 1,
      text: 'The inbox, slow "again", today',
    });
    const triaged = JSON.parse(
      uptake(['feedback', 'list', '--state', 'triaged,done', '--format', 'json']).stdout,
    );
    expect(triaged.rows.map((i: { id: string }) => i.id)).toEqual([a]);
    const ideas = JSON.parse(
      uptake(['feedback', 'list', '--kind', 'idea', '--format', 'json']).stdout,
    );
    expect(ideas.rows.map((i: { id: string }) => i.id)).toEqual([b]);
    const none = JSON.parse(
      uptake(['feedback', 'list', '--unit', 'Oncology', '--format', 'json']).stdout,
    );
    expect(none.rows).toEqual([]);
    const csv = uptake(['feedback', 'list', '--format', 'csv']).stdout.trimEnd().split('\n');
    expect(csv[1]).toBe(
      'id,created_at,updated_at,author,unit,kind,visibility,state,priority,assignee,duplicate_of,votes,rating,text',
    );
    expect(csv).toHaveLength(4);
    expect(csv[3]).toMatch(/,"The inbox, slow ""again"", today"$/);
    const table = uptake(['feedback', 'list']).stdout;
    expect(table).toMatch(new RegExp(`${a} .* triaged +high +problem +Cardiology +1 +The inbox`));
  });

  it('shows an item with its history and clocks in business hours', () => {
    const [a] = items;
    const r = JSON.parse(uptake(['feedback', 'show', a!, '--format', 'json']).stdout);
    // The change wrote the priority, then the state with IT's answer (public: the author reads it).
    expect(
      r.history.map(
        (e: { kind: string; actor: string; to_state: string | null; note: string | null }) => [
          e.kind,
          e.actor,
          e.to_state,
          e.note,
        ],
      ),
    ).toEqual([
      ['created', 'c1', 'new', null],
      ['priority', 'itstaff', null, null],
      ['state', 'itstaff', 'triaged', 'We are looking into it.'],
    ]);
    // Created Monday 09:00Z, answered 11:00Z: 2 business hours, within high's 9-hour target.
    expect(r.clocks.first_response).toMatchObject({
      hours: 2,
      stopped: true,
      target_hours: 9,
      overdue: false,
    });
    expect(r.clocks.resolution).toMatchObject({ stopped: false, target_hours: 45 });
    const t = uptake(['feedback', 'show', a!]).stdout;
    expect(t).toContain('first response: 2.00 business hours (stopped');
    expect(t).toContain('target 9');
    expect(t).toContain('We are looking into it.');
  });

  it('exports every item with its clocks and vote counts, never a voter', () => {
    const [a, b] = items;
    const out = join(dir, 'feedback.csv');
    const r = uptake(['feedback', 'export', '--format', 'csv', '--out', out]);
    expect(r).toMatchObject({ status: 0, stdout: `wrote 2 feedback items to ${out}\n` });
    const text = readFileSync(out, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(EXPORT_FIELDS.join(','));
    expect(lines).toHaveLength(3);
    const col = (line: string, f: string) => line.split(',')[EXPORT_FIELDS.indexOf(f as never)];
    expect(col(lines[1]!, 'id')).toBe(a);
    expect(col(lines[1]!, 'votes')).toBe('1');
    expect(col(lines[1]!, 'first_response_hours')).toBe('2');
    expect(col(lines[1]!, 'first_response_target_hours')).toBe('9');
    expect(col(lines[1]!, 'first_response_overdue')).toBe('false');
    expect(col(lines[2]!, 'id')).toBe(b);
    expect(col(lines[2]!, 'votes')).toBe('0');
    // c2 only voted: their name is nowhere in the export.
    // (Cells, not substrings: a random id may hold the letters "c2".)
    expect(lines.flatMap((l) => l.split(','))).not.toContain('c2');
    expect(lines.flatMap((l) => l.split(',')).filter((c) => c === 'c1')).toHaveLength(1);
    const json = JSON.parse(uptake(['feedback', 'export']).stdout);
    expect(json.items.map((i: { id: string; votes: number }) => [i.id, i.votes])).toEqual([
      [a, 1],
      [b, 0],
    ]);
    expect(JSON.stringify(json)).not.toContain('"c2"');
  });

  it('writes every view and change to the access log', async () => {
    const log = await accessLog();
    const me = (u: string) => u.startsWith('cli:');
    const find = (resource: string, action: string, outcome = 'success') =>
      log.filter((e) => e.resource === resource && e.action === action && e.outcome === outcome);
    expect(find('goals', 'view').length).toBeGreaterThanOrEqual(5);
    expect(find('goals', 'view').every((e) => me(e.username) && e.role === null)).toBe(true);
    expect(find('goals/preview', 'view').map((e) => e.username)).toContain('c1');
    expect(find('goals', 'create').map((e) => [e.username, e.role, e.detail])).toEqual([
      ['c1', 'clinician', expect.stringMatching(`^goal ${goal}, department Cardiology \\(cli`)],
    ]);
    expect(find(`goals/${goal}`, 'update').map((e) => e.username)).toEqual(['c1']);
    expect(find(`goals/${goal}`, 'update', 'denied').map((e) => e.username)).toEqual(['c2']);
    expect(find(`goals/${goal}/fhir`, 'view')).toHaveLength(1);
    expect(find('goals/nope', 'view', 'denied')).toHaveLength(1);
    expect(find('feedback/board', 'view').length).toBeGreaterThanOrEqual(5);
    expect(find(`feedback/${items[0]}`, 'view')).toHaveLength(2);
    expect(find('feedback/export', 'view').map((e) => e.detail)).toEqual([
      '2 items, csv to a file (cli)',
      '2 items, json (cli)',
    ]);
  });
});
