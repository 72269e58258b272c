/**
 * Surveys through the API, on both engines (issue #14): an administrator creates and opens an
 * anonymous SUS survey of Cardiology (the six clinicians of `programFixture.ts` are invited), five
 * answer hand-chosen sheets and one dismisses; the results per department carry the mean, its
 * t-interval, the adjective band and the response rate with its denominator, all by hand; the
 * contact budget holds a second survey back until `survey_min_days` (set through the settings)
 * allows it; a group of four respondents is suppressed for the administrator too; FHIR export and
 * import of the Questionnaire and of responses; a CSV upload of responses; a custom survey's
 * items, whose free texts only administrators and IT read. Security: roles, CSRF,
 * no account of an anonymous survey anywhere (rows, FHIR, access log), 400s that name the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import { programSystem, type ProgramSystem } from '../testing/programFixture.ts';
import { call, removeTestDir } from '../testing/testSystem.ts';
import type {
  MySurvey,
  SurveyComparisonOut,
  SurveyDetail,
  SurveyFhirOut,
  SurveyList,
  SurveyOut,
  SurveyResultsOut,
} from './contract.ts';

// t(0.975, 4) and t(0.975, 8)
const T4 = 2.7764451051977987;
const T8 = 2.306004135033371;

/** A SUS sheet: odd items answered `odd`, even items `even`. */
const sheet = (odd: number, even: number) =>
  Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`sus${i + 1}`, i % 2 ? even : odd]));

afterAll(() => removeTestDir());
describe.each(engines())('surveys through the API on $name', (engine) => {
  let p: ProgramSystem;
  const get = <T>(who: string, url: string) =>
    call(p.sys.app, p.as[who]!, 'GET', url).then((r) => {
      expect(r.statusCode, `${who} GET ${url}: ${r.body}`).toBe(200);
      return r.json() as T;
    });
  const send = (who: string, url: string, payload?: unknown, method: 'POST' | 'PUT' = 'POST') =>
    call(p.sys.app, p.as[who]!, method, url, payload === undefined ? {} : { payload });

  /** Clinician and champion accounts linked to a Cardiology roster clinician (c1…c6 and the demo's). */
  let cardiology = 0;
  beforeAll(async () => {
    p = await programSystem(engine);
    cardiology = (
      await get<{ role: string; clinician_id: string | null }[]>('admin', '/api/users')
    ).filter(
      (u) =>
        (u.role === 'clinician' || u.role === 'champion') && /^C[1-6]$/.test(u.clinician_id ?? ''),
    ).length;
    expect(cardiology).toBeGreaterThanOrEqual(6);
  }, 600_000);
  afterAll(async () => {
    await p?.sys.close();
  });

  let sus = '';

  it('sets survey_min_days through the settings, refusing a bad value by name', async () => {
    const r = await send('admin', '/api/settings', { survey_min_days: 30 }, 'PUT');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().survey_min_days).toBe(30);
    const bad = await send('admin', '/api/settings', { survey_min_days: -1 }, 'PUT');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/survey_min_days/);
  });

  it('lets administrators and IT create surveys; refuses clinicians, bad bodies and no CSRF', async () => {
    const body = {
      title: 'SUS before',
      instrument: 'sus',
      anonymous: true,
      target_groups: [{ by: 'department', value: 'Cardiology' }],
    };
    expect((await send('c1', '/api/surveys', body)).statusCode).toBe(403);
    const noCsrf = await call(p.sys.app, p.as['admin']!, 'POST', '/api/surveys', {
      payload: body,
      csrf: false,
    });
    expect(noCsrf.statusCode).toBe(403);
    const bad = await send('admin', '/api/surveys', { ...body, instrument: 'custom' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/items/);
    const badItem = await send('itstaff', '/api/surveys', {
      ...body,
      instrument: 'custom',
      items: [{ link_id: 'q1', type: 'single_choice', text: 'Which?' }],
    });
    expect(badItem.statusCode).toBe(400);
    expect(badItem.json().error.message).toMatch(/items\.0\.choices/);
    const r = await send('admin', '/api/surveys', body);
    expect(r.statusCode, r.body).toBe(201);
    const s = r.json() as SurveyOut;
    expect(s).toMatchObject({ state: 'draft', instrument: 'sus', invited: 0, responses: 0 });
    expect(s.target_groups).toEqual([{ by: 'department', value: 'Cardiology' }]);
    sus = s.id;
    const d = await get<SurveyDetail>('itstaff', `/api/surveys/${sus}`);
    expect(d.items.map((i) => i.link_id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `sus${i + 1}`),
    );
  });

  it('opens it: the Cardiology clinicians are invited, one survey at a time', async () => {
    expect((await send('c1', `/api/surveys/${sus}/open`)).statusCode).toBe(403);
    const r = await send('admin', `/api/surveys/${sus}/open`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().round).toEqual({
      invited: cardiology,
      reinvited: 0,
      within_budget: 0,
      dismissed_twice: 0,
    });
    const mine = await get<MySurvey>('c1', '/api/me/survey');
    expect(mine.survey).toMatchObject({ id: sus, instrument: 'sus', anonymous: true });
    expect(mine.survey!.items).toHaveLength(10);
    expect((await get<MySurvey>('o1', '/api/me/survey')).survey).toBeNull();
  });

  it('takes answers (checked by item), refuses a second one, and a dismissal', async () => {
    const wrong = await send('c1', `/api/me/surveys/${sus}/answers`, { answers: { sus1: 6 } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.message).toMatch(/answers\.sus1/);
    const noCsrf = await call(p.sys.app, p.as['c1']!, 'POST', `/api/me/surveys/${sus}/answers`, {
      payload: { answers: sheet(3, 3) },
      csrf: false,
    });
    expect(noCsrf.statusCode).toBe(403);
    // SUS of the sheets: 50, 75, 100, 75, 50
    const sheets: [string, number, number][] = [
      ['c1', 3, 3],
      ['c2', 4, 2],
      ['c3', 5, 1],
      ['c4', 4, 2],
      ['c5', 3, 3],
    ];
    for (const [who, odd, even] of sheets) {
      const r = await send(who, `/api/me/surveys/${sus}/answers`, { answers: sheet(odd, even) });
      expect(r.statusCode, r.body).toBe(201);
    }
    expect(
      (await send('c1', `/api/me/surveys/${sus}/answers`, { answers: sheet(3, 3) })).statusCode,
    ).toBe(409);
    // o1 was never invited: the same 404 as an unknown survey
    expect(
      (await send('o1', `/api/me/surveys/${sus}/answers`, { answers: sheet(3, 3) })).statusCode,
    ).toBe(404);
    expect(
      (await send('o1', `/api/me/surveys/nope/answers`, { answers: sheet(3, 3) })).statusCode,
    ).toBe(404);
    const d = await send('c6', `/api/me/surveys/${sus}/dismiss`);
    expect(d.json()).toEqual({ dismissed: 1 });
    expect((await get<MySurvey>('c6', '/api/me/survey')).survey).toBeNull();
    expect((await get<MySurvey>('c1', '/api/me/survey')).survey).toBeNull();
  });

  it('shows the results by hand: mean 70, t-interval, band “good”, rate 5 of those invited', async () => {
    expect(
      (await call(p.sys.app, p.as['c1']!, 'GET', `/api/surveys/${sus}/results`)).statusCode,
    ).toBe(403);
    const r = await get<SurveyResultsOut>('lead', `/api/surveys/${sus}/results?by=department`);
    expect(r.threshold).toBe(5);
    const g = r.groups.find((x) => x.group === 'Cardiology')!;
    expect(g).toMatchObject({ invited: cardiology, responses: 5, suppressed: null });
    expect(g.response_rate).toBeCloseTo(5 / cardiology, 12);
    // scores 50, 75, 100, 75, 50: mean 70, Σ(x − 70)² = 1750, sd = √(1750/4)
    const sd = Math.sqrt(1750 / 4);
    expect(g.sus!.mean).toBeCloseTo(70, 9);
    expect(g.sus!.sd).toBeCloseTo(sd, 9);
    expect(g.sus!.ci95![0]).toBeCloseTo(70 - (T4 * sd) / Math.sqrt(5), 6);
    expect(g.sus!.ci95![1]).toBeCloseTo(70 + (T4 * sd) / Math.sqrt(5), 6);
    expect(g.sus!.band).toBe('good');
    const bad = await call(p.sys.app, p.as['admin']!, 'GET', `/api/surveys/${sus}/results?by=ward`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/by/);
  });

  it('compares before/after with Welch’s interval, and refuses two instruments', async () => {
    // the survey with itself: difference 0, SE = √(2 · 437.5 / 5), df = 8
    const c = await get<SurveyComparisonOut>(
      'admin',
      `/api/surveys/compare?before=${sus}&after=${sus}&by=org`,
    );
    const se = Math.sqrt((2 * 437.5) / 5);
    expect(c.total.difference!.estimate).toBeCloseTo(0, 9);
    expect(c.total.difference!.se).toBeCloseTo(se, 9);
    expect(c.total.difference!.df).toBeCloseTo(8, 9);
    expect(c.total.difference!.ci95[1]).toBeCloseTo(T8 * se, 6);
  });

  let nps = '';

  it('holds a second survey back under the contact budget, then invites when allowed', async () => {
    const r = await send('admin', '/api/surveys', {
      title: 'NPS',
      instrument: 'nps',
      anonymous: true,
      target_groups: [{ by: 'department', value: 'Cardiology' }],
    });
    nps = (r.json() as SurveyOut).id;
    const o = await send('admin', `/api/surveys/${nps}/open`);
    expect(o.json().round).toEqual({
      invited: 0,
      reinvited: 0,
      within_budget: cardiology,
      dismissed_twice: 0,
    });
    expect((await get<MySurvey>('c1', '/api/me/survey')).survey).toBeNull();
    await send('admin', '/api/settings', { survey_min_days: 0 }, 'PUT');
    const again = await send('itstaff', `/api/surveys/${nps}/invite`);
    expect(again.json().round).toMatchObject({ invited: cardiology });
    expect((await get<MySurvey>('c1', '/api/me/survey')).survey?.id).toBe(nps);
    const mixed = await call(
      p.sys.app,
      p.as['admin']!,
      'GET',
      `/api/surveys/compare?before=${sus}&after=${nps}`,
    );
    expect(mixed.statusCode).toBe(400);
  });

  it('suppresses a group of four respondents for the administrator too', async () => {
    for (const [who, v] of [
      ['c1', 10],
      ['c2', 9],
      ['c3', 3],
      ['c4', 8],
    ] as const)
      expect(
        (await send(who, `/api/me/surveys/${nps}/answers`, { answers: { nps: v } })).statusCode,
      ).toBe(201);
    const r = await get<SurveyResultsOut>('admin', `/api/surveys/${nps}/results?by=department`);
    const g = r.groups.find((x) => x.group === 'Cardiology')!;
    expect(g).toMatchObject({
      invited: cardiology,
      responses: null,
      response_rate: null,
      suppressed: 'small',
      nps: null,
    });
    expect(r.total.suppressed).toBe('small');
  });

  it('imports responses from CSV (bad rows by line) and from FHIR (bad resources by index)', async () => {
    const csv = 'id,nps\nx1,10\nx2,11\nx3,0\n';
    const up = await p.sys.app.inject({
      method: 'POST',
      url: `/api/surveys/${nps}/responses/csv?filename=other.csv`,
      headers: {
        cookie: p.as['admin']!.cookie,
        'x-csrf-token': p.as['admin']!.csrf,
        'content-type': 'text/csv',
      },
      payload: csv,
    });
    expect(up.statusCode, up.body).toBe(200);
    expect(up.json()).toMatchObject({
      table: 'survey_responses',
      file: 'other.csv',
      rows_stored: 2,
      rows_rejected: 1,
    });
    const clin = await p.sys.app.inject({
      method: 'POST',
      url: `/api/surveys/${nps}/responses/csv`,
      headers: {
        cookie: p.as['c1']!.cookie,
        'x-csrf-token': p.as['c1']!.csrf,
        'content-type': 'text/csv',
      },
      payload: csv,
    });
    expect(clin.statusCode).toBe(403);
    const f = await send('admin', `/api/surveys/${nps}/responses/fhir`, {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          resource: {
            resourceType: 'QuestionnaireResponse',
            id: 'e1',
            authored: '2026-01-20T10:00:00Z',
            status: 'completed',
            item: [{ linkId: 'nps', answer: [{ valueInteger: 9 }] }],
          },
        },
        {
          resource: {
            resourceType: 'QuestionnaireResponse',
            id: 'e2',
            authored: '2026-01-20T10:00:00Z',
            item: 'oops',
          },
        },
        {
          resource: {
            resourceType: 'QuestionnaireResponse',
            id: 'e3',
            authored: '2026-01-20T10:00:00Z',
            item: [{ linkId: 'nps', answer: [{ valueInteger: 12 }] }],
          },
        },
      ],
    });
    expect(f.statusCode, f.body).toBe(200);
    const j = f.json();
    expect(j.stored).toBe(1);
    expect(j.rejected.map((x: { index: number }) => x.index)).toEqual([1, 2]);
    expect(j.rejected[0].reason).toMatch(/item/);
    // 4 in the app + 2 from CSV + 1 from FHIR; no department on the imported ones
    const list = await get<SurveyList>('admin', '/api/surveys');
    expect(list.surveys.find((s) => s.id === nps)?.responses).toBe(7);
  });

  it('sums a custom survey’s items; the free texts only for administrators and IT, sorted', async () => {
    const c = await send('itstaff', '/api/surveys', {
      title: 'Custom',
      instrument: 'custom',
      anonymous: true,
      items: [
        { link_id: 'ease', type: 'likert5', text: 'Easy to use' },
        { link_id: 'note', type: 'free_text', text: 'Anything else?' },
      ],
    });
    expect(c.statusCode, c.body).toBe(201);
    const id = (c.json() as SurveyOut).id;
    // five imported responses of Cardiology (threshold 5): ease 1, 2, 3, 4, 5 → mean 3,
    // sd √2.5, 95% t-interval 3 ± t(0.975, 4) · √2.5 / √5
    const csv =
      'id,department,ease,note\nr1,Cardiology,1,zeta\nr2,Cardiology,2,Alpha\nr3,Cardiology,3,\n' +
      'r4,Cardiology,4,beta\nr5,Cardiology,5,\n';
    const up = await p.sys.app.inject({
      method: 'POST',
      url: `/api/surveys/${id}/responses/csv`,
      headers: {
        cookie: p.as['admin']!.cookie,
        'x-csrf-token': p.as['admin']!.csrf,
        'content-type': 'text/csv',
      },
      payload: csv,
    });
    expect(up.json(), up.body).toMatchObject({ rows_stored: 5, rows_rejected: 0 });
    const items = async (who: string) => {
      const r = await get<SurveyResultsOut>(who, `/api/surveys/${id}/results?by=department`);
      return {
        group: r.groups.find((g) => g.group === 'Cardiology')!.items!,
        total: r.total.items!,
      };
    };
    const admin = await items('admin');
    const [ease, note] = admin.group;
    expect(ease).toMatchObject({ answered: 5, mean: { n: 5, mean: 3 } });
    expect(ease!.mean!.ci95![1]).toBeCloseTo(3 + (T4 * Math.sqrt(2.5)) / Math.sqrt(5), 6);
    expect(note).toMatchObject({ type: 'free_text', answered: 3, texts: null });
    expect(admin.total[1]!.texts).toEqual(['Alpha', 'beta', 'zeta']);
    expect((await items('itstaff')).total[1]!.texts).toEqual(['Alpha', 'beta', 'zeta']);
    for (const who of ['lead', 'champ']) {
      const seen = await items(who);
      expect(seen.total[1], who).toMatchObject({ answered: 3, texts: null });
    }
  });

  it('exports and imports FHIR; an anonymous survey names no account anywhere', async () => {
    expect(
      (await call(p.sys.app, p.as['lead']!, 'GET', `/api/surveys/${sus}/fhir`)).statusCode,
    ).toBe(403);
    const x = await get<SurveyFhirOut>('admin', `/api/surveys/${sus}/fhir`);
    expect(x.questionnaire.resourceType).toBe('Questionnaire');
    const entries = (x.responses as unknown as { entry: { resource: Record<string, unknown> }[] })
      .entry;
    expect(entries).toHaveLength(5);
    for (const e of entries) expect(e.resource['source']).toBeUndefined();
    const usernames = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    const text = JSON.stringify(x);
    for (const u of usernames) expect(text).not.toMatch(new RegExp(`"${u}"`));
    const db = p.sys.store;
    const inv = await db.all<{ invitee: string }>(
      `SELECT invitee FROM survey_invitations WHERE survey_id = $1`,
      [sus],
    );
    expect(inv).toHaveLength(cardiology);
    for (const i of inv) expect(usernames).not.toContain(i.invitee);
    const resp = await db.all<{ respondent: string | null }>(
      `SELECT respondent FROM survey_responses WHERE survey_id = $1`,
      [sus],
    );
    expect(resp.every((r) => r.respondent === null)).toBe(true);
    // the access log never ties a clinician to a survey they were asked (their refused tries at
    // administrators' routes name the URL they tried, which says nothing of an invitation)
    const log = await get<{ username: string | null; resource: string }[]>(
      'admin',
      '/api/access-log?limit=10000',
    );
    const clinicianRows = log.filter(
      (l) => usernames.includes(l.username ?? '') && !l.resource.startsWith('/api/surveys/'),
    );
    expect(clinicianRows.filter((l) => l.resource === 'me/survey').length).toBeGreaterThan(10);
    expect(clinicianRows.length).toBeGreaterThan(0);
    for (const l of clinicianRows) {
      expect(l.resource).not.toContain(sus);
      expect(l.resource).not.toContain(nps);
    }
    // the Questionnaire comes back as a draft of the same instrument
    const back = await send('itstaff', '/api/surveys/fhir', x.questionnaire);
    expect(back.statusCode, back.body).toBe(201);
    expect(back.json()).toMatchObject({ instrument: 'sus', state: 'draft', anonymous: true });
    const bad = await send('admin', '/api/surveys/fhir', {
      resourceType: 'Questionnaire',
      item: 'x',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/item/);
  });

  it('closes a survey: no more answers', async () => {
    const r = await send('admin', `/api/surveys/${nps}/close`);
    expect(r.json()).toMatchObject({ state: 'closed' });
    expect(
      (await send('c5', `/api/me/surveys/${nps}/answers`, { answers: { nps: 5 } })).statusCode,
    ).toBe(409);
    expect((await get<MySurvey>('c5', '/api/me/survey')).survey).toBeNull();
  });
});
