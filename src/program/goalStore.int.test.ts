/**
 * Goals in the store, on both engines: who may propose, vote once per person (changeable until
 * the window closes, never stored by name), the settling of votes at the quorum's edges, withdrawal
 * and discussion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import type { GoalProposal } from '../model/goal.ts';
import type { ProgramActor } from './actor.ts';
import {
  addGoalComment,
  castGoalVote,
  getGoal,
  goalsToVoteOn,
  listGoalComments,
  listGoals,
  myGoalVote,
  proposeGoal,
  settleDueGoals,
  viewGoal,
  withdrawGoal,
} from './goalStore.ts';
import { goalBaseline } from './goalBaseline.ts';
import { listNotices } from './notices.ts';
import { storeGoalSeries } from './storeGoalSeries.ts';
import { createSurvey } from './surveyStore.ts';
import { OPTION_DEFAULTS } from '../model/constants.ts';

const KEY = Buffer.alloc(32, 7);
const TZ = 'America/New_York';
const T0 = new Date('2026-03-04T15:00:00Z'); // Wednesday 10:00 in New York
const DAY = 86_400_000;
const at = (days: number, ms = 0) => new Date(T0.getTime() + days * DAY + ms);

const clin = (
  username: string,
  department: string | null,
  role: ProgramActor['role'] = 'clinician',
): ProgramActor => ({
  username,
  role,
  clinician:
    department === null ? null : { department, specialty: 'Cardiology', role: 'physician' },
  groups: [],
});
// Department "North": five clinicians, a champion serving it, a leader serving it; "South": one.
const NORTH = ['n1', 'n2', 'n3', 'n4', 'n5'].map((u) => clin(u, 'North'));
const CHAMP: ProgramActor = {
  username: 'ch',
  role: 'champion',
  clinician: null,
  groups: [{ by: 'department', value: 'North' }],
};
const LEAD: ProgramActor = {
  username: 'lead',
  role: 'leader',
  clinician: null,
  groups: [{ by: 'department', value: 'North' }],
};
const SOUTH = clin('s1', 'South');
const ADMIN: ProgramActor = { username: 'root', role: 'admin', clinician: null, groups: [] };
const IT: ProgramActor = { username: 'it1', role: 'it', clinician: null, groups: [] };
const ACCOUNTS = [...NORTH, CHAMP, LEAD, SOUTH, ADMIN, IT]; // North's voters: 5 + the champion = 6

const proposal = (over: Partial<GoalProposal> = {}): GoalProposal => ({
  metric: 'ib_time8',
  group_by: 'department',
  group_value: 'North',
  direction: 'decrease',
  target: 20,
  target_date: '2026-06-10',
  title: 'Less inbox time',
  rationale: 'Pools for refill requests',
  ...over,
});

describe.each(engines())('goals in the store on $name', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await engine.open();
    for (const [u, d] of [
      ['c1', 'North'],
      ['c2', 'North'],
      ['c3', 'South'],
    ] as const)
      await store.run(
        `INSERT INTO clinicians (user_id, role, specialty, department) VALUES ($1, 'physician', 'Cardiology', $2)`,
        [u, d],
      );
    await store.run(
      `INSERT INTO tools (name, habitual_uses, created_at, updated_at) VALUES ('scribe', 5, now(), now())`,
    );
  });
  afterAll(async () => store?.close());

  it('lets a member of the group propose, with the baseline voters will see', async () => {
    const series = [20, 24, 22].map((value, i) => ({
      week_start: ['2026-02-09', '2026-02-16', '2026-02-23'][i]!,
      value,
      n: 5,
    }));
    const baseline = goalBaseline(series, '2026-03-04', 8);
    const g = await proposeGoal(store, NORTH[0]!, proposal(), { timezone: TZ, now: T0, baseline });
    expect(g).toMatchObject({
      proposer: 'n1',
      state: 'voting',
      window_days: 14,
      min_votes: 5,
      baseline_weeks: 8,
      created_at: '2026-03-04T15:00:00.000Z',
      closes_at: '2026-03-18T15:00:00.000Z',
      target_date: '2026-06-10',
      baseline: 22,
      noise: 2,
      baseline_n: 3,
      metric_options: '{}',
      support: null,
    });
    // 22 ± t(0.975, 2) · 2/√3 = 22 ± 4.3026527 × 1.1547005 = 22 ± 4.9682754
    expect(g.baseline_low).toBeCloseTo(17.0317246, 6);
    const v = await viewGoal(store, g);
    // |20 − 22| = 2 < 1.96 × √2 × 2 / 2 = 2.7718586: within noise.
    expect(v.within_noise).toBe(true);
    expect(v.tally).toEqual({ support: 0, oppose: 0, abstain: 0 });
  });

  it('refuses proposals from outside the group, for unknown groups or tools, or too early a target', async () => {
    const o = { timezone: TZ, now: T0 };
    await expect(proposeGoal(store, SOUTH, proposal(), o)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(proposeGoal(store, IT, proposal(), o)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      proposeGoal(store, ADMIN, proposal({ group_value: 'Nowhere' }), o),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/group_value/),
    });
    await expect(proposeGoal(store, ADMIN, proposal({ tool: 'nope' }), o)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    // The vote closes 2026-03-18 (New York): the target date must come after it.
    await expect(
      proposeGoal(store, ADMIN, proposal({ target_date: '2026-03-18' }), o),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/target_date: must be after the vote closes \(2026-03-18\)/),
    });
    const ok = await proposeGoal(
      store,
      LEAD,
      proposal({ target_date: '2026-03-19', tool: 'scribe', title: 'Leader' }),
      o,
    );
    expect(ok.tool).toBe('scribe');
    const org = await proposeGoal(
      store,
      ADMIN,
      proposal({ group_by: 'org', group_value: 'organisation', title: 'Org' }),
      o,
    );
    expect(org.baseline).toBeNull();
  });

  it('takes one vote per person, changeable until the window closes, and never by name', async () => {
    const g = await proposeGoal(store, NORTH[0]!, proposal({ title: 'Vote' }), {
      timezone: TZ,
      now: T0,
    });
    expect(await castGoalVote(store, KEY, NORTH[1]!, g.id, 'support', at(1))).toEqual({
      support: 1,
      oppose: 0,
      abstain: 0,
    });
    // The same person again: the vote changes, it is not counted twice.
    expect(await castGoalVote(store, KEY, NORTH[1]!, g.id, 'oppose', at(2))).toEqual({
      support: 0,
      oppose: 1,
      abstain: 0,
    });
    expect(await castGoalVote(store, KEY, CHAMP, g.id, 'support', at(2))).toEqual({
      support: 1,
      oppose: 1,
      abstain: 0,
    });
    expect(await myGoalVote(store, KEY, g.id, 'n2')).toBe('oppose');
    expect(await myGoalVote(store, KEY, g.id, 'n3')).toBeNull();
    // Nothing in the votes names anyone.
    const raw = JSON.stringify(await store.all(`SELECT * FROM goal_votes`));
    for (const u of ['n2', 'ch', 'North']) expect(raw).not.toContain(`"${u}"`);
    expect(raw).not.toMatch(/n2|"ch"/);
    // Outsiders, leaders, IT and administrators do not vote.
    for (const a of [SOUTH, LEAD, IT, ADMIN])
      await expect(castGoalVote(store, KEY, a, g.id, 'support', at(1))).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    // The window is [created, closes): at the closing instant the vote is over.
    await castGoalVote(store, KEY, NORTH[2]!, g.id, 'abstain', at(14, -1));
    await expect(
      castGoalVote(store, KEY, NORTH[3]!, g.id, 'support', at(14)),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      castGoalVote(store, KEY, NORTH[3]!, 'nope', 'support', at(1)),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('settles at the close: the quorum, support over opposition, counts kept and votes deleted', async () => {
    const o = { timezone: TZ, now: T0 };
    // A: 3 support, 2 oppose of 6 voters (quorum min(5, 6) = 5): adopted.
    const a = await proposeGoal(store, NORTH[0]!, proposal({ title: 'A' }), o);
    // B: 4 support: one short of the quorum, not adopted.
    const b = await proposeGoal(store, NORTH[0]!, proposal({ title: 'B' }), o);
    // C: with min_votes 10 the quorum is the group's 6; 3 support 2 oppose 1 abstain: adopted.
    const c = await proposeGoal(store, NORTH[0]!, proposal({ title: 'C' }), {
      ...o,
      rules: { min_votes: 10 },
    });
    // D: a tie with the quorum: not adopted.
    const d = await proposeGoal(store, NORTH[0]!, proposal({ title: 'D' }), o);
    const vote = async (id: string, choices: ('support' | 'oppose' | 'abstain')[]) => {
      const voters = [...NORTH, CHAMP];
      for (const [i, ch] of choices.entries())
        await castGoalVote(store, KEY, voters[i]!, id, ch, at(1));
    };
    await vote(a.id, ['support', 'support', 'support', 'oppose', 'oppose']);
    await vote(b.id, ['support', 'support', 'support', 'support']);
    await vote(c.id, ['support', 'support', 'support', 'oppose', 'oppose', 'abstain']);
    await vote(d.id, ['support', 'support', 'oppose', 'oppose', 'abstain']);

    expect(await settleDueGoals(store, ACCOUNTS, at(14, -1))).toEqual([]); // not yet
    const settled = await settleDueGoals(store, ACCOUNTS, at(14));
    const byTitle = Object.fromEntries(settled.map((g) => [g.title, g]));
    expect(byTitle['A']).toMatchObject({
      state: 'adopted',
      support: 3,
      oppose: 2,
      abstain: 0,
      group_size: 6,
      decided_at: '2026-03-18T15:00:00.000Z',
    });
    expect(byTitle['B']).toMatchObject({ state: 'not_adopted', support: 4, group_size: 6 });
    expect(byTitle['C']).toMatchObject({ state: 'adopted', abstain: 1 });
    expect(byTitle['D']).toMatchObject({ state: 'not_adopted' });
    // The earlier goals (no votes at all) are not adopted either.
    expect(
      settled
        .filter((g) => g.state === 'adopted')
        .map((g) => g.title)
        .sort(),
    ).toEqual(['A', 'C']);
    const [count] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM goal_votes`);
    expect(Number(count?.n)).toBe(0);
    expect((await viewGoal(store, (await getGoal(store, a.id))!)).tally).toEqual({
      support: 3,
      oppose: 2,
      abstain: 0,
    });
    // Settling again changes nothing; the proposer was told once per goal.
    expect(await settleDueGoals(store, ACCOUNTS, at(20))).toEqual([]);
    const notices = await listNotices(store, 'n1');
    expect(notices.filter((x) => x.ref === a.id)).toMatchObject([
      { kind: 'goal_decided', read_at: null },
    ]);
    // A settled goal takes no vote.
    await expect(castGoalVote(store, KEY, NORTH[4]!, b.id, 'support', at(1))).rejects.toMatchObject(
      { code: 'CONFLICT' },
    );
    expect((await listGoals(store, { states: ['adopted'] })).map((g) => g.title).sort()).toEqual([
      'A',
      'C',
    ]);
  });

  it('lets only the proposer or an administrator withdraw, and discusses within the group', async () => {
    const g = await proposeGoal(store, NORTH[0]!, proposal({ title: 'W' }), {
      timezone: TZ,
      now: at(30),
    });
    await castGoalVote(store, KEY, NORTH[1]!, g.id, 'support', at(30));
    const c = await addGoalComment(store, NORTH[2]!, g.id, 'Only if pools come first', at(31));
    await addGoalComment(store, ADMIN, g.id, 'Noted', at(32));
    await expect(addGoalComment(store, SOUTH, g.id, 'hi', at(31))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect((await listGoalComments(store, g.id)).map((x) => [x.author, x.text])).toEqual([
      ['n3', 'Only if pools come first'],
      ['root', 'Noted'],
    ]);
    expect(c.created_at).toBe(at(31).toISOString());
    await expect(withdrawGoal(store, NORTH[1]!, g.id, at(33))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(withdrawGoal(store, LEAD, g.id, at(33))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const w = await withdrawGoal(store, NORTH[0]!, g.id, at(33));
    expect(w).toMatchObject({
      state: 'withdrawn',
      withdrawn_by: 'n1',
      withdrawn_at: at(33).toISOString(),
    });
    await expect(withdrawGoal(store, ADMIN, g.id, at(34))).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(
      castGoalVote(store, KEY, NORTH[2]!, g.id, 'support', at(33)),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(addGoalComment(store, NORTH[2]!, g.id, 'late', at(34))).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await myGoalVote(store, KEY, g.id, 'n2')).toBeNull(); // its vote rows are gone
  });

  it('offers a voter the three newest open goals of their groups, with their own vote', async () => {
    const now = at(60);
    const ids: string[] = [];
    for (const [i, title] of ['G1', 'G2', 'G3', 'G4'].entries())
      ids.push(
        (
          await proposeGoal(store, NORTH[0]!, proposal({ title, target_date: '2026-09-01' }), {
            timezone: TZ,
            now: at(60, i),
          })
        ).id,
      );
    await proposeGoal(
      store,
      ADMIN,
      proposal({ group_value: 'South', title: 'S', target_date: '2026-09-01' }),
      { timezone: TZ, now },
    );
    await castGoalVote(store, KEY, NORTH[1]!, ids[2]!, 'support', at(61));
    const mine = await goalsToVoteOn(store, KEY, NORTH[1]!, at(61));
    expect(mine.map((g) => [g.title, g.mine])).toEqual([
      ['G4', null],
      ['G3', 'support'],
      ['G2', null],
    ]);
    expect(await goalsToVoteOn(store, KEY, LEAD, at(61))).toEqual([]);
    expect((await goalsToVoteOn(store, KEY, SOUTH, at(61))).map((g) => g.title)).toEqual(['S']);
  });
  it('a survey score: each week’s score of the group’s responses, thin weeks without a value', async () => {
    const sus = await createSurvey(
      store,
      ADMIN,
      { title: 'SUS', instrument: 'sus', anonymous: true },
      { now: at(-40) },
    );
    const nps = await createSurvey(
      store,
      ADMIN,
      { title: 'NPS', instrument: 'nps', anonymous: false },
      { now: at(-40) },
    );
    let k = 0;
    /** A response of `survey` at `instant` from department `dept`, its answers by linkId. */
    const respond = async (
      survey: string,
      instant: string,
      dept: string,
      a: [string, number][],
    ) => {
      const id = `resp-${++k}`;
      await store.run(
        `INSERT INTO survey_responses (id, survey_id, submitted_at, respondent, department, specialty, role, source, external_key, import_id)
         VALUES ($1, $2, CAST($3 AS TIMESTAMPTZ), NULL, $4, 'Cardiology', 'physician', 'app', NULL, NULL)`,
        [id, survey, instant, dept],
      );
      for (const [link, v] of a)
        await store.run(
          `INSERT INTO survey_answers (response_id, link_id, value_number, value_text) VALUES ($1, $2, $3, NULL)`,
          [id, link, v],
        );
    };
    // SUS sheets: all 3 → 2.5 × (5 × 2 + 5 × 2) = 50; odd 5, even 1 → 2.5 × (5 × 4 + 5 × 4) = 100.
    const flat = Array.from({ length: 10 }, (_, i): [string, number] => [`sus${i + 1}`, 3]);
    const best = flat.map(([l], i): [string, number] => [l, i % 2 === 0 ? 5 : 1]);
    // Anonymous: midnight UTC is the day itself (Monday 9 February, not New York's Sunday).
    await respond(sus.id, '2026-02-09T00:00:00Z', 'North', flat);
    await respond(sus.id, '2026-02-13T00:00:00Z', 'North', best);
    await respond(sus.id, '2026-02-10T00:00:00Z', 'South', flat); // not North's
    await respond(sus.id, '2026-02-17T00:00:00Z', 'North', best); // alone that week: below 2
    await respond(sus.id, '2026-02-23T00:00:00Z', 'North', flat);
    await respond(sus.id, '2026-02-25T00:00:00Z', 'North', flat.slice(1)); // 9 items: no score
    const opts = { ...OPTION_DEFAULTS, exclude_channels: [], timezone: TZ };
    const weeks = { from: '2026-02-02', to: '2026-03-02' };
    const of = { metric: 'survey.sus' as const, tool: null, survey: sus.id };
    const north = await storeGoalSeries(
      store,
      opts,
      { ...of, group_by: 'department', group_value: 'North' },
      weeks,
      2,
    );
    expect(north).toEqual([
      { week_start: '2026-02-02', value: null, n: 0 },
      { week_start: '2026-02-09', value: 75, n: 2 }, // (50 + 100) / 2
      { week_start: '2026-02-16', value: null, n: 0 }, // one response < threshold 2: hidden
      { week_start: '2026-02-23', value: 50, n: 2 }, // the partial sheet counts, unscored
    ]);
    const org = await storeGoalSeries(
      store,
      opts,
      { ...of, group_by: 'org', group_value: 'organisation' },
      weeks,
      2,
    );
    expect(org.map((w) => w.value)).toEqual([null, 200 / 3, null, 50]);
    expect(org[1]!.n).toBe(3);
    // A named survey keeps the instant: Monday 16th 03:00 UTC is Sunday 15th in New York.
    await respond(nps.id, '2026-02-16T03:00:00Z', 'North', [['nps', 10]]);
    await respond(nps.id, '2026-02-10T15:00:00Z', 'North', [['nps', 3]]);
    await respond(nps.id, '2026-02-16T15:00:00Z', 'North', [['nps', 9]]);
    const n = await storeGoalSeries(
      store,
      opts,
      {
        metric: 'survey.nps',
        tool: null,
        survey: nps.id,
        group_by: 'org',
        group_value: 'organisation',
      },
      weeks,
      2,
    );
    // Week of 9 Feb: a promoter and a detractor → 100 × (1 − 1) / 2 = 0; 16 Feb: one, hidden.
    expect(n.map((w) => [w.value, w.n])).toEqual([
      [null, 0],
      [0, 2],
      [null, 0],
      [null, 0],
    ]);
    // Proposing: the survey is required and of the score's instrument; clinicians read no scores.
    const o = { timezone: TZ, now: T0 };
    const p = proposal({ metric: 'survey.sus', direction: 'increase', target: 80 });
    await expect(proposeGoal(store, LEAD, p, o)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/^survey: /),
    });
    await expect(
      proposeGoal(store, LEAD, { ...p, metric: 'survey.nps', survey: sus.id }, o),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/^survey: survey .* is a sus survey; survey\.nps needs a nps/),
    });
    await expect(proposeGoal(store, NORTH[0]!, { ...p, survey: sus.id }, o)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const g = await proposeGoal(store, CHAMP, { ...p, survey: sus.id }, o);
    expect(g).toMatchObject({ metric: 'survey.sus', survey: sus.id, tool: null });
  });
});
