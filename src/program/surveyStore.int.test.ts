/**
 * Surveys in the store, on both engines: who may create them, the contact budget at its edges
 * (day 29, 30, 31 of `survey_min_days` = 30; dismissed twice), one survey at a time, SUS results
 * per department computed by hand with suppression (also what an administrator gets), NPS before
 * and after, a custom survey's items by hand (means with t-intervals, counts, choice shares with
 * Wilson intervals, free texts for the owners only, alphabetically), and anonymity: after an
 * anonymous survey is answered, no table holds the account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import type { ProgramActor } from './actor.ts';
import {
  closeSurvey,
  createSurvey,
  dismissSurvey,
  inviteToSurvey,
  openSurvey,
  respondToSurvey,
  surveyForMe,
} from './surveyStore.ts';
import { surveyComparison, surveyResults } from './surveyResults.ts';
import { changeSettings, readSettings } from '../admin/orgSettings.ts';

const KEY = Buffer.alloc(32, 9);
const T0 = new Date('2026-03-02T10:00:00Z');
const DAY = 86_400_000;
const at = (days: number) => new Date(T0.getTime() + days * DAY);
const ADMIN: ProgramActor = { username: 'root', role: 'admin', clinician: null, groups: [] };

/** North 6 clinicians, East 5, South 2 (threshold 5: South small, East hidden to protect it). */
const ROSTER: [string, string][] = [
  ...['n1', 'n2', 'n3', 'n4', 'n5', 'n6'].map((u) => [u, 'North'] as [string, string]),
  ...['e1', 'e2', 'e3', 'e4', 'e5'].map((u) => [u, 'East'] as [string, string]),
  ['s1', 'South'],
  ['s2', 'South'],
];
const actor = (u: string): ProgramActor => ({
  username: u,
  role: 'clinician',
  clinician: {
    department: ROSTER.find((r) => r[0] === u)![1],
    specialty: 'Cardiology',
    role: 'physician',
  },
  groups: [],
});

/** A SUS sheet whose odd items are `odd` and even items `even`: 12.5 × (odd − 1 + 5 − even). */
const sheet = (odd: number, even: number) =>
  Object.fromEntries(
    Array.from({ length: 10 }, (_, k) => [`sus${k + 1}`, k % 2 === 0 ? odd : even]),
  );
// sheet D of surveyScores.test.ts: 80
const SHEET_80 = Object.fromEntries(
  [4, 1, 5, 2, 3, 2, 4, 3, 5, 1].map((x, k) => [`sus${k + 1}`, x]),
);

async function seed(store: Store): Promise<void> {
  for (const [i, [u, d]] of ROSTER.entries()) {
    await store.run(
      `INSERT INTO clinicians (user_id, role, specialty, department) VALUES ($1, 'physician', 'Cardiology', $2)`,
      [`R${100 + i}`, d],
    );
    await store.run(
      `INSERT INTO users (username, password_hash, role, clinician_id, groups_json, created_at)
       VALUES ($1, 'x', 'clinician', $2, '[]', now())`,
      [u, `R${100 + i}`],
    );
  }
  await store.run(
    `INSERT INTO users (username, password_hash, role, clinician_id, groups_json, created_at)
     VALUES ('root', 'x', 'admin', NULL, '[]', now())`,
  );
}

describe.each(engines())('surveys in the store on $name', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await engine.open();
    await seed(store);
  });
  afterAll(async () => store?.close());

  it('reads and checks the contact budget setting (default 30 days)', async () => {
    expect((await readSettings(store)).survey_min_days).toBe(30);
    await expect(changeSettings(store, [['survey_min_days', 'a month']])).rejects.toThrow(
      /survey_min_days must be a whole number/,
    );
    await changeSettings(store, [['survey_min_days', '45']]);
    expect((await readSettings(store)).survey_min_days).toBe(45);
    await changeSettings(store, [['survey_min_days', '30']]);
  });

  it('lets only administrators and IT create surveys; a custom survey needs items', async () => {
    await expect(
      createSurvey(store, actor('n1'), { title: 'x', instrument: 'sus', anonymous: false }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      createSurvey(store, ADMIN, { title: 'x', instrument: 'custom', anonymous: false }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      createSurvey(store, ADMIN, {
        title: 'x',
        instrument: 'sus',
        anonymous: false,
        golive: { tool: 'scribe', group_by: 'department', group_value: 'North', phase: 'pre' },
      }),
    ).rejects.toThrow(/no go-live of scribe/);
  });

  it('scores SUS per department by hand, suppressing small groups for administrators too', async () => {
    const s = await createSurvey(
      store,
      ADMIN,
      { title: 'SUS', instrument: 'sus', anonymous: false },
      { now: T0 },
    );
    expect(s.state).toBe('draft');
    await expect(
      inviteToSurvey(store, ADMIN, s.id, { minDays: 30, now: T0 }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await openSurvey(store, ADMIN, s.id, { now: T0 });
    expect(await inviteToSurvey(store, ADMIN, s.id, { minDays: 30, now: T0 })).toEqual({
      invited: 13,
      reinvited: 0,
      within_budget: 0,
      dismissed_twice: 0,
    });
    // North: 100, 50, 75, 80, 75, 50; East: 75 × 5; South: 50 and a sheet missing item 7
    const north = [sheet(5, 1), sheet(3, 3), sheet(4, 2), SHEET_80, sheet(4, 2), sheet(3, 3)];
    for (const [i, a] of north.entries())
      await respondToSurvey(store, actor(`n${i + 1}`), s.id, { answers: a }, { now: at(1) });
    for (const u of ['e1', 'e2', 'e3', 'e4', 'e5'])
      await respondToSurvey(store, actor(u), s.id, { answers: sheet(4, 2) }, { now: at(1) });
    await respondToSurvey(store, actor('s1'), s.id, { answers: sheet(3, 3) }, { now: at(1) });
    const partial = sheet(3, 3);
    delete partial.sus7;
    await respondToSurvey(store, actor('s2'), s.id, { answers: partial }, { now: at(1) });
    await expect(
      respondToSurvey(store, actor('s2'), s.id, { answers: partial }, { now: at(1) }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      respondToSurvey(store, actor('s1'), s.id, { answers: { sus1: 6 } }),
    ).rejects.toThrow(/answers.sus1: takes a whole number from 1/);
    await expect(respondToSurvey(store, actor('s1'), s.id, { answers: {} })).rejects.toThrow(
      /answers: none given/,
    );
    await expect(respondToSurvey(store, actor('s1'), s.id, { answers: { q9: 1 } })).rejects.toThrow(
      /the survey has no item q9/,
    );

    const r = await surveyResults(store, s.id, { by: 'department', threshold: 5 });
    const byGroup = Object.fromEntries(r.groups.map((g) => [g.group, g]));
    // North: mean 430 / 6 = 71.667, sd 19.14854, t(0.975, 5) = 2.570582 → 51.5715 … 91.7618
    expect(byGroup.North).toMatchObject({
      invited: 6,
      responses: 6,
      response_rate: 1,
      suppressed: null,
    });
    expect(byGroup.North!.sus!.mean).toBeCloseTo(71.6667, 3);
    expect(byGroup.North!.sus!.ci95![0]).toBeCloseTo(51.5715, 3);
    expect(byGroup.North!.sus!.ci95![1]).toBeCloseTo(91.7618, 3);
    expect(byGroup.North!.sus!.band).toBe('good');
    // the items too: North's answers to statement 1 are 5, 3, 4, 4, 4, 3 → mean 23 / 6
    expect(byGroup.North!.items![0]).toMatchObject({ link_id: 'sus1', answered: 6 });
    expect(byGroup.North!.items![0]!.mean!.mean).toBeCloseTo(23 / 6, 10);
    // South has 2 respondents (< 5): small; East (5) is hidden too, or South = total − the rest
    expect(byGroup.South).toMatchObject({
      suppressed: 'small',
      responses: null,
      sus: null,
      invited: 2,
    });
    expect(byGroup.East).toMatchObject({ suppressed: 'complementary', responses: null, sus: null });
    // The whole survey: 13 responses, 12 scored (the partial sheet has no score): 855 / 12 = 71.25
    expect(r.total).toMatchObject({ invited: 13, responses: 13, suppressed: null });
    expect(r.total.sus!.n).toBe(12);
    expect(r.total.sus!.mean).toBeCloseTo(71.25, 10);
    expect(r.total.sus!.ci95![0]).toBeCloseTo(61.9509, 3);
    expect(r.total.sus!.ci95![1]).toBeCloseTo(80.5491, 3);
    await closeSurvey(store, ADMIN, s.id, { now: at(2) });
    await expect(
      respondToSurvey(store, actor('n1'), s.id, { answers: sheet(3, 3) }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('keeps the contact budget at its edges and stops after two dismissals', async () => {
    const mk = async (title: string, department: string) => {
      const s = await createSurvey(
        store,
        ADMIN,
        {
          title,
          instrument: 'nps',
          anonymous: false,
          target_groups: [{ by: 'department', value: department }],
        },
        { now: T0 },
      );
      await openSurvey(store, ADMIN, s.id, { now: T0 });
      return s.id;
    };
    // everyone was last invited at T0 (the SUS survey above)
    const b = await mk('B', 'North');
    const c = await mk('C', 'East');
    expect(await inviteToSurvey(store, ADMIN, b, { minDays: 30, now: at(29) })).toMatchObject({
      invited: 0,
      within_budget: 6,
    });
    expect(await inviteToSurvey(store, ADMIN, c, { minDays: 30, now: at(31) })).toMatchObject({
      invited: 5,
      within_budget: 0,
    });
    expect(await inviteToSurvey(store, ADMIN, b, { minDays: 30, now: at(30) })).toMatchObject({
      invited: 6,
      within_budget: 0,
    });
    // one at a time: n1 sees B; after dismissing it, nothing
    expect((await surveyForMe(store, actor('n1')))?.survey.id).toBe(b);
    expect(await dismissSurvey(store, actor('n1'), b)).toEqual({ dismissed: 1 });
    expect(await surveyForMe(store, actor('n1'))).toBeNull();
    // asked again only once the budget allows (last asked on day 30)
    expect(await inviteToSurvey(store, ADMIN, b, { minDays: 30, now: at(59) })).toMatchObject({
      reinvited: 0,
      within_budget: 1,
    });
    expect(await inviteToSurvey(store, ADMIN, b, { minDays: 30, now: at(60) })).toMatchObject({
      reinvited: 1,
      invited: 0,
    });
    expect((await surveyForMe(store, actor('n1')))?.survey.id).toBe(b);
    expect(await dismissSurvey(store, actor('n1'), b)).toEqual({ dismissed: 2 });
    expect(await inviteToSurvey(store, ADMIN, b, { minDays: 30, now: at(200) })).toMatchObject({
      reinvited: 0,
      dismissed_twice: 1,
    });
    expect(await surveyForMe(store, actor('n1'))).toBeNull();
    // the others of North answer B: it leaves their list
    await respondToSurvey(store, actor('n2'), b, { answers: { nps: 9 } }, { now: at(61) });
    expect(await surveyForMe(store, actor('n2'))).toBeNull();
  });

  it('compares NPS before and after with the interval of the adjusted estimates', async () => {
    const mk = async (title: string) => {
      const s = await createSurvey(
        store,
        ADMIN,
        { title, instrument: 'nps', anonymous: false },
        { now: at(300) },
      );
      await openSurvey(store, ADMIN, s.id, { now: at(300) });
      await inviteToSurvey(store, ADMIN, s.id, { minDays: 0, now: at(300) });
      return s.id;
    };
    const pre = await mk('pre');
    const post = await mk('post');
    // North and East together (11 people): pre 2 promoters, 5 detractors of 10 answering;
    // post 6 promoters, 2 detractors of 10 (as surveyScores.test.ts: difference 70, −6.61 … 114.30)
    const people = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'e1', 'e2', 'e3', 'e4'];
    const preAnswers = [10, 9, 8, 7, 7, 6, 5, 0, 3, 4];
    const postAnswers = [10, 9, 9, 10, 9, 10, 8, 7, 6, 2];
    for (const [i, u] of people.entries()) {
      await respondToSurvey(store, actor(u), pre, { answers: { nps: preAnswers[i]! } });
      await respondToSurvey(store, actor(u), post, { answers: { nps: postAnswers[i]! } });
    }
    const cmp = await surveyComparison(store, pre, post, { by: 'org', threshold: 5 });
    expect(cmp.total.before!.nps).toMatchObject({ n: 10, promoters: 2, detractors: 5, nps: -30 });
    expect(cmp.total.after!.nps).toMatchObject({ n: 10, promoters: 6, detractors: 2, nps: 40 });
    expect(cmp.total.before!.response_rate).toBeCloseTo(10 / 13, 10);
    expect(cmp.total.difference!.estimate).toBe(70);
    expect(cmp.total.difference!.ci95[0]).toBeCloseTo(-6.6063, 3);
    expect(cmp.total.difference!.ci95[1]).toBeCloseTo(114.2986, 3);
    // by department: North (6) is shown, East (4 < 5) and South (0) are hidden on both sides
    const byDept = await surveyComparison(store, pre, post, { by: 'department', threshold: 5 });
    const d = Object.fromEntries(byDept.groups.map((g) => [g.group, g]));
    expect(d.North!.difference).not.toBeNull();
    expect(d.East!.before!.suppressed).toBe('small');
    expect(d.East!.difference).toBeNull();
  });

  it('sums a custom survey’s items by hand, suppressed groups showing none, texts for owners', async () => {
    const s = await createSurvey(
      store,
      ADMIN,
      {
        title: 'custom',
        instrument: 'custom',
        anonymous: false,
        items: [
          { link_id: 'q1', type: 'likert5', text: 'The tool is easy to use' },
          {
            link_id: 'q2',
            type: 'single_choice',
            text: 'Shift',
            choices: ['Day', 'Night', 'Both'],
          },
          { link_id: 'q3', type: 'free_text', text: 'Anything else?' },
          { link_id: 'q4', type: 'scale0_10', text: 'Recommend?' },
        ],
      },
      { now: at(400) },
    );
    await openSurvey(store, ADMIN, s.id, { now: at(400) });
    await inviteToSurvey(store, ADMIN, s.id, { minDays: 0, now: at(400) });
    // North (5 respondents, shown at threshold 5); East 2 (small); South none (small too)
    const sheets: [string, Record<string, number | string>][] = [
      ['n1', { q1: 2, q2: 'Day', q3: 'Zebra crossing', q4: 10 }],
      ['n2', { q1: 3, q2: 'Day', q3: 'apple pie' }],
      ['n3', { q1: 4, q2: 'Day', q3: 'Mango' }],
      ['n4', { q1: 4, q2: 'Night' }],
      ['n5', { q1: 5 }],
      ['e1', { q1: 1, q2: 'Both', q3: 'Banana' }],
      ['e2', { q1: 1, q2: 'Both' }],
    ];
    for (const [u, answers] of sheets)
      await respondToSurvey(store, actor(u), s.id, { answers }, { now: at(401) });
    const r = await surveyResults(store, s.id, { by: 'department', threshold: 5 });
    const g = Object.fromEntries(r.groups.map((x) => [x.group, x]));
    expect(g.East).toMatchObject({ suppressed: 'small', items: null });
    expect(g.South).toMatchObject({ suppressed: 'small', items: null });
    const [q1, q2, q3, q4] = g.North!.items!;
    // q1 North: 2, 3, 4, 4, 5 → mean 3.6, Σ(x − 3.6)² = 5.2, sd = √1.3 = 1.140175,
    // half-width t(0.975, 4) · sd / √5 = 2.776445 × 0.509902 = 1.415715 → 2.184285 … 5.015715
    expect(q1).toMatchObject({ link_id: 'q1', type: 'likert5', answered: 5, choices: null });
    expect(q1!.mean!.mean).toBeCloseTo(3.6, 10);
    expect(q1!.mean!.sd).toBeCloseTo(Math.sqrt(1.3), 10);
    expect(q1!.mean!.ci95![0]).toBeCloseTo(2.184285, 5);
    expect(q1!.mean!.ci95![1]).toBeCloseTo(5.015715, 5);
    expect(q1!.distribution!.map((v) => [v.value, v.count])).toEqual([
      [1, 0],
      [2, 1],
      [3, 1],
      [4, 2],
      [5, 1],
    ]);
    // q2 North: Day 3, Night 1, Both 0 of 4 answering. Wilson, z² = 3.8416, 1 + z²/4 = 1.9604:
    // Day p = 0.75: centre (0.75 + 0.4802) / 1.9604 = 0.627525, half (1.96 / 1.9604) ·
    // √(0.1875/4 + 3.8416/64) = 0.326889 → 0.300636 … 0.954414; Night the mirror, 0.045586 …
    // 0.699364; Both 0: centre 0.244950, half 0.999796 × 0.245 → 0 … 0.489900
    expect(q2).toMatchObject({
      type: 'single_choice',
      answered: 4,
      mean: null,
      distribution: null,
    });
    const [day, night, both] = q2!.choices!;
    expect(day).toMatchObject({ choice: 'Day', count: 3, share: 0.75 });
    expect(day!.ci95![0]).toBeCloseTo(0.300636, 5);
    expect(day!.ci95![1]).toBeCloseTo(0.954414, 5);
    expect(night).toMatchObject({ choice: 'Night', count: 1, share: 0.25 });
    expect(night!.ci95![0]).toBeCloseTo(0.045586, 5);
    expect(night!.ci95![1]).toBeCloseTo(0.699364, 5);
    expect(both).toMatchObject({ choice: 'Both', count: 0, share: 0 });
    expect(both!.ci95![0]).toBe(0);
    expect(both!.ci95![1]).toBeCloseTo(0.4899, 5);
    // free text: counts only per group, never the texts
    expect(q3).toMatchObject({ type: 'free_text', answered: 3, mean: null, texts: null });
    // q4: one answer, a mean without an interval; the 0–10 scale counted in full
    expect(q4).toMatchObject({ answered: 1, mean: { n: 1, mean: 10, ci95: null } });
    expect(q4!.distribution).toHaveLength(11);
    expect(q4!.distribution![10]).toEqual({ value: 10, count: 1 });
    // the whole survey (7): q1 2, 3, 4, 4, 5, 1, 1 → mean 20/7, Σ(x − 20/7)² = 104/7,
    // sd = √(104/42); q2 Day 3, Night 1, Both 2 of 6 → Both 1/3 with Wilson 0.096769 … 0.700012
    const [t1, t2, t3] = r.total.items!;
    expect(t1!.mean!.mean).toBeCloseTo(20 / 7, 10);
    expect(t1!.mean!.sd).toBeCloseTo(Math.sqrt(104 / 42), 10);
    expect(t2!.choices![2]).toMatchObject({ choice: 'Both', count: 2 });
    expect(t2!.choices![2]!.ci95![0]).toBeCloseTo(0.096769, 5);
    expect(t2!.choices![2]!.ci95![1]).toBeCloseTo(0.700012, 5);
    // without the owners' flag (a leader's or champion's view) the total has counts only
    expect(t3).toMatchObject({ answered: 4, texts: null });
    // the owners: the texts of the whole survey only, alphabetically (not in code-unit order)
    const owner = await surveyResults(store, s.id, {
      by: 'department',
      threshold: 5,
      freeTexts: true,
    });
    expect(owner.total.items![2]!.texts).toEqual([
      'apple pie',
      'Banana',
      'Mango',
      'Zebra crossing',
    ]);
    expect(owner.groups.find((x) => x.group === 'North')!.items![2]!.texts).toBeNull();
    // a suppressed total shows no item, and no text, to anyone
    const hidden = await surveyResults(store, s.id, { by: 'org', threshold: 8, freeTexts: true });
    expect(hidden.total).toMatchObject({ suppressed: 'small', items: null });
  });
});

describe.each(engines())('an anonymous survey on $name', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await engine.open();
    await seed(store);
  });
  afterAll(async () => store?.close());

  it('stores no account in any table, only the respondent’s groups and day', async () => {
    const s = await createSurvey(
      store,
      ADMIN,
      { title: 'net', instrument: 'net', anonymous: true },
      { now: T0 },
    );
    await openSurvey(store, ADMIN, s.id, { now: T0 });
    await expect(inviteToSurvey(store, ADMIN, s.id, { minDays: 30, now: T0 })).rejects.toThrow(
      /need the secret key/,
    );
    await inviteToSurvey(store, ADMIN, s.id, { minDays: 30, now: T0, key: KEY });
    expect((await surveyForMe(store, actor('n1'), { key: KEY }))?.survey.id).toBe(s.id);
    await respondToSurvey(
      store,
      actor('n1'),
      s.id,
      { answers: { net1: 5, net2: 4, net3: 3, net4: 2 } },
      { key: KEY, now: new Date('2026-03-03T14:37:12Z') },
    );
    await dismissSurvey(store, actor('n2'), s.id, { key: KEY });
    const [resp] = await store.all<{ respondent: string | null; department: string; t: string }>(
      `SELECT respondent, department, CAST(${store.dialect.epochUs('submitted_at')} AS VARCHAR) AS t FROM survey_responses`,
    );
    expect(resp).toMatchObject({ respondent: null, department: 'North' });
    expect(Number(resp!.t)).toBe(Date.parse('2026-03-03T00:00:00Z') * 1000);
    // every text column of every table: the account name appears only in `users` and in the
    // contact budget (which names no survey)
    const cols = await store.all<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema IN ('main', 'public') AND data_type IN ('VARCHAR', 'character varying', 'text')`,
    );
    const holders = new Set<string>();
    for (const c of cols) {
      const [hit] = await store.all(
        `SELECT 1 AS x FROM ${c.table_name} WHERE CAST(${c.column_name} AS VARCHAR) = 'n1' LIMIT 1`,
      );
      if (hit) holders.add(c.table_name);
    }
    expect([...holders].sort()).toEqual(['survey_contacts', 'users']);
    // and a second answer is refused by the token
    await expect(
      respondToSurvey(store, actor('n1'), s.id, { answers: { net1: 1 } }, { key: KEY }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    // one respondent: below the threshold, no score for anyone (this call is an administrator's)
    const r = await surveyResults(store, s.id, { by: 'org', threshold: 5 });
    expect(r.total).toMatchObject({ invited: 13, responses: null, suppressed: 'small', net: null });
    // with a threshold of 1 (hand: (2 − 1) / 4 = 0.25 → 25)
    const r1 = await surveyResults(store, s.id, { by: 'org', threshold: 1 });
    expect(r1.total.net).toMatchObject({ n: 1, mean: 25, ci95: null });
  });
});
