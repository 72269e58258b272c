/**
 * FHIR round trip, on both engines: a custom survey and a SUS survey exported as Questionnaires
 * come back as the same surveys; their responses exported as QuestionnaireResponses and imported
 * into the copy give the same results; a second import stores nothing twice; bad resources are
 * returned with their position and reason while the good ones are stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import type { ProgramActor } from './actor.ts';
import {
  createSurvey,
  inviteToSurvey,
  openSurvey,
  respondToSurvey,
  surveyItems,
} from './surveyStore.ts';
import {
  importQuestionnaire,
  importQuestionnaireResponses,
  surveyResponsesToFhir,
  surveyToQuestionnaire,
} from './surveyFhir.ts';
import { surveyResults } from './surveyResults.ts';

const KEY = Buffer.alloc(32, 3);
const ADMIN: ProgramActor = { username: 'root', role: 'admin', clinician: null, groups: [] };
const clin = (u: string): ProgramActor => ({
  username: u,
  role: 'clinician',
  clinician: { department: 'North', specialty: 'Cardiology', role: 'nurse' },
  groups: [],
});

describe.each(engines())('surveys as FHIR on $name', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await engine.open();
    for (const u of ['a', 'b', 'c']) {
      await store.run(
        `INSERT INTO clinicians (user_id, role, department, specialty) VALUES ($1, 'nurse', 'North', 'Cardiology')`,
        [`R-${u}`],
      );
      await store.run(
        `INSERT INTO users (username, password_hash, role, clinician_id, groups_json, created_at)
         VALUES ($1, 'x', 'clinician', $2, '[]', now())`,
        [u, `R-${u}`],
      );
    }
  });
  afterAll(async () => store?.close());

  it('round-trips a custom Questionnaire', async () => {
    const s = await createSurvey(store, ADMIN, {
      title: 'Night shift',
      instrument: 'custom',
      anonymous: true,
      items: [
        { link_id: 'ease', type: 'likert5', text: 'Ordering is easy at night.' },
        { link_id: 'rec', type: 'scale0_10', text: 'Recommend?' },
        { link_id: 'shift', type: 'single_choice', text: 'Your shift', choices: ['day', 'night'] },
        { link_id: 'why', type: 'free_text', text: 'Anything else?' },
      ],
    });
    const q = surveyToQuestionnaire(s, await surveyItems(store, s.id));
    expect(q.item![0]).toMatchObject({ linkId: 'ease', type: 'integer' });
    expect(q.item![2]).toMatchObject({
      type: 'choice',
      answerOption: [{ valueString: 'day' }, { valueString: 'night' }],
    });
    const copy = await importQuestionnaire(store, ADMIN, JSON.parse(JSON.stringify(q)));
    expect(copy).toMatchObject({
      title: 'Night shift',
      instrument: 'custom',
      anonymous: true,
      state: 'draft',
    });
    const q2 = surveyToQuestionnaire(copy, await surveyItems(store, copy.id));
    expect({ ...q2, id: 'x', identifier: [], date: 'x' }).toEqual({
      ...q,
      id: 'x',
      identifier: [],
      date: 'x',
    });
    await expect(
      importQuestionnaire(store, ADMIN, { ...q, item: [{ linkId: 'd', type: 'date' }] }),
    ).rejects.toThrow(/item\[0\]: item type date/);
  });

  it('round-trips SUS responses with the same results, idempotently, keeping good resources', async () => {
    const s = await createSurvey(store, ADMIN, {
      title: 'SUS',
      instrument: 'sus',
      anonymous: false,
    });
    await openSurvey(store, ADMIN, s.id);
    await inviteToSurvey(store, ADMIN, s.id, { minDays: 30 });
    const sheets = [
      [5, 1, 5, 1, 5, 1, 5, 1, 5, 1], // 100
      [3, 3, 3, 3, 3, 3, 3, 3, 3, 3], // 50
      [4, 1, 5, 2, 3, 2, 4, 3, 5, 1], // 80
    ];
    for (const [i, u] of ['a', 'b', 'c'].entries())
      await respondToSurvey(store, clin(u), s.id, {
        answers: Object.fromEntries(sheets[i]!.map((x, k) => [`sus${k + 1}`, x])),
      });
    const q = surveyToQuestionnaire(s, await surveyItems(store, s.id));
    expect(q.code).toEqual([{ system: 'urn:uptake:survey-instrument', code: 'sus' }]);
    const resources = await surveyResponsesToFhir(store, s.id);
    expect(resources).toHaveLength(3);
    expect(resources[0]!.source).toEqual({
      identifier: { system: 'urn:uptake:account', value: 'a' },
    });

    const copy = await importQuestionnaire(store, ADMIN, q);
    expect(copy.instrument).toBe('sus');
    const bad = [
      {
        resourceType: 'QuestionnaireResponse',
        status: 'completed',
        authored: '2026-03-01T00:00:00Z',
      },
      { ...resources[0]!, id: 'other', item: [{ linkId: 'sus1', answer: [{ valueInteger: 7 }] }] },
    ] as typeof resources;
    const first = await importQuestionnaireResponses(
      store,
      copy.id,
      [...resources, ...bad, resources[0]!],
      {
        key: KEY,
      },
    );
    expect(first.stored).toBe(3);
    expect(first.duplicate).toBe(1); // the same id twice in one list
    expect(first.rejected).toEqual([
      {
        index: 3,
        reason: 'id: missing; each response needs its id so a re-import stores nothing twice',
      },
      {
        index: 4,
        reason:
          'item[0] (sus1) takes a whole number from 1 (strongly disagree) to 5 (strongly agree)',
      },
    ]);
    expect(await importQuestionnaireResponses(store, copy.id, resources, { key: KEY })).toEqual({
      stored: 0,
      duplicate: 3,
      rejected: [],
    });
    const a = await surveyResults(store, s.id, { by: 'department', threshold: 1 });
    const b = await surveyResults(store, copy.id, { by: 'department', threshold: 1 });
    // (100 + 50 + 80) / 3 = 76.667 on both
    expect(a.groups[0]!.sus!.mean).toBeCloseTo(230 / 3, 10);
    // the same groups and counts; the same scores up to the engine's order of summation
    expect(b.groups.map((g) => [g.group, g.responses, g.sus!.n, g.sus!.band])).toEqual(
      a.groups.map((g) => [g.group, g.responses, g.sus!.n, g.sus!.band]),
    );
    for (const [i, g] of b.groups.entries()) {
      expect(g.sus!.mean).toBeCloseTo(a.groups[i]!.sus!.mean, 9);
      expect(g.sus!.ci95![0]).toBeCloseTo(a.groups[i]!.sus!.ci95![0], 9);
    }
    // the source ids are not stored, only their keyed hash
    const ids = resources.map((r) => r.id!);
    const [hit] = await store.all(
      `SELECT 1 AS x FROM survey_responses WHERE survey_id = $1 AND (external_key IN ($2, $3, $4) OR id IN ($2, $3, $4))`,
      [copy.id, ...ids],
    );
    expect(hit).toBeUndefined();
  });
});
