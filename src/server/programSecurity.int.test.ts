/**
 * The security and privacy rules of issue #13, each tried through the API on both engines: a
 * clinician cannot read another's private feedback, vote twice, vote in a group they do not
 * belong to, or see who voted; a leader cannot adopt or edit a goal's votes; only IT and
 * administrators change states; notices (and their e-mails) never carry a private item's text to
 * the voters of a duplicate merged into it; CSRF and validation as elsewhere (no input answers
 * 500); and the `it` role sees aggregates like a leader of the whole organisation, never a
 * clinician's numbers.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../store/testEngines.ts';
import type { FeedbackItem, GoalSummary, Notices } from './contract.ts';
import {
  cardiologyGoal,
  programSystem,
  smtpSink,
  until,
  type ProgramSystem,
} from './programFixture.ts';
import { call } from './testSystem.ts';

/** Every string value anywhere in `v`. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}
/** Every key anywhere in `v`. */
function keys(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) keys(x, out);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      keys(x, out);
    }
  return out;
}

describe.each(engines())('the program’s rules of access on $name', (engine) => {
  let p: ProgramSystem;
  let sink: Awaited<ReturnType<typeof smtpSink>>;
  const req = (
    who: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
    csrf?: boolean,
  ) =>
    call(p.sys.app, p.as[who]!, method, url, {
      ...(payload === undefined ? {} : { payload }),
      ...(csrf === false ? { csrf: false } : {}),
    });
  const ok = async <T>(
    who: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
  ) => {
    const r = await req(who, method, url, payload);
    expect(r.statusCode, `${who} ${method} ${url}: ${r.body}`).toBeLessThan(300);
    return r.json() as T;
  };
  const item = (who: string, text: string, visibility: 'private' | 'unit') =>
    ok<FeedbackItem>(who, 'POST', '/api/feedback', { kind: 'problem', text, visibility });

  beforeAll(async () => {
    sink = await smtpSink();
    p = await programSystem(engine, {
      smtp: {
        host: '127.0.0.1',
        port: sink.port,
        secure: false,
        from: 'uptake@hospital.test',
        domain: 'hospital.test',
      },
    });
  }, 600_000);
  afterAll(async () => {
    await p?.sys.close();
    await sink?.close();
  });

  it('a clinician cannot read another’s private feedback (404, as for no such item)', async () => {
    const mine = await item('c1', 'PRIVATE-ALPHA: my inbox rules vanish.', 'private');
    for (const who of ['c2', 'o1', 'lead', 'champ', 'tiny1']) {
      for (const [method, url, body] of [
        ['GET', `/api/feedback/${mine.id}`, undefined],
        ['POST', `/api/feedback/${mine.id}/vote`, undefined],
        ['POST', `/api/feedback/${mine.id}/subscribe`, {}],
        ['POST', `/api/feedback/${mine.id}/change`, { note: 'hello' }],
        ['POST', `/api/feedback/${mine.id}/rating`, { rating: 'helped' }],
      ] as const) {
        const r = await req(who, method, url, body);
        expect(r.statusCode, `${who} ${method} ${url}`).toBe(404);
        expect(r.body).not.toContain('PRIVATE-ALPHA');
      }
      const list = await ok<{ items: FeedbackItem[] }>(who, 'GET', '/api/feedback');
      expect(list.items.some((i) => i.id === mine.id)).toBe(false);
    }
    // An id that does not exist answers the same.
    const none = await req('c2', 'GET', '/api/feedback/zzzzzzzz-00000000');
    expect(none.statusCode).toBe(404);
    expect(none.json().error.code).toBe('NOT_FOUND');
    // The author, IT and administrators read it.
    for (const who of ['c1', 'itstaff', 'admin'])
      expect(
        (await ok<{ item: FeedbackItem }>(who, 'GET', `/api/feedback/${mine.id}`)).item.text,
      ).toBe('PRIVATE-ALPHA: my inbox rules vanish.');
  });

  it('“me too” once per person, only in the author’s unit, never on one’s own item', async () => {
    const u = await item('c1', 'Unit-wide: the printer queue stalls at noon.', 'unit');
    expect((await req('c2', 'POST', `/api/feedback/${u.id}/vote`)).statusCode).toBe(200);
    const twice = await req('c2', 'POST', `/api/feedback/${u.id}/vote`);
    expect(twice.statusCode).toBe(409);
    expect(
      (await ok<{ item: FeedbackItem }>('c3', 'GET', `/api/feedback/${u.id}`)).item.votes,
    ).toBe(1);
    // Outside the unit the item is not there at all; the author cannot vote on their own.
    expect((await req('o1', 'POST', `/api/feedback/${u.id}/vote`)).statusCode).toBe(404);
    expect((await req('c1', 'POST', `/api/feedback/${u.id}/vote`)).statusCode).toBe(403);
  });

  it('goal votes: one per person, only the group’s clinicians and champions; nobody sees who voted', async () => {
    const g = await ok<GoalSummary>('c1', 'POST', '/api/goals', cardiologyGoal(2.5));
    const vote = (who: string, choice: string) =>
      req(who, 'PUT', `/api/goals/${g.id}/vote`, { choice });
    for (const choice of ['support', 'support', 'oppose'])
      expect((await vote('c2', choice)).statusCode).toBe(200);
    const champ = await vote('champ', 'support');
    expect(champ.json().tally).toEqual({ support: 1, oppose: 1, abstain: 0 });
    // Not of the group: Oncology's clinician does not even see Cardiology's goal; the leader,
    // IT and the administrator see it but never vote (no role adopts a goal alone).
    expect((await vote('o1', 'support')).statusCode).toBe(404);
    for (const who of ['lead', 'itstaff', 'admin']) {
      const r = await vote(who, 'support');
      expect(r.statusCode, who).toBe(403);
    }
    // The leader cannot withdraw (or otherwise settle) someone else's goal.
    expect((await req('lead', 'POST', `/api/goals/${g.id}/withdraw`)).statusCode).toBe(403);
    const after = await ok<{ goal: GoalSummary }>('lead', 'GET', `/api/goals/${g.id}`);
    expect(after.goal.tally).toEqual({ support: 1, oppose: 1, abstain: 0 });
    expect(after.goal.state).toBe('voting');

    // Who voted how is in no answer, to anyone: counts only, and each voter's own choice.
    for (const who of ['c1', 'c2', 'c3', 'champ', 'lead', 'itstaff', 'admin']) {
      for (const url of [
        `/api/goals/${g.id}`,
        '/api/goals',
        '/api/me/goals',
        `/api/goals/${g.id}/fhir`,
      ]) {
        const body = await ok<unknown>(who, 'GET', url);
        expect(
          keys(body).filter((k) => /voter/.test(k)),
          `${who} ${url}`,
        ).toEqual([]);
        const values = strings(body);
        for (const voter of ['c2', 'champ']) expect(values, `${who} ${url}`).not.toContain(voter);
      }
    }
    expect((await ok<{ mine: string | null }>('c2', 'GET', `/api/goals/${g.id}`)).mine).toBe(
      'oppose',
    );
    expect((await ok<{ mine: string | null }>('c3', 'GET', `/api/goals/${g.id}`)).mine).toBeNull();
    // In the store: two rows, keyed by a hash that is no user name.
    const rows = await p.sys.store.all<{ voter: string }>(
      `SELECT voter FROM goal_votes WHERE goal_id = $1`,
      [g.id],
    );
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.voter).toMatch(/^[0-9a-f]{64}$/);
  });

  it('only IT and administrators change states, priorities and assignees', async () => {
    const u = await item('c1', 'Shared: the schedule view is slow.', 'unit');
    const change = (who: string, body: unknown) =>
      req(who, 'POST', `/api/feedback/${u.id}/change`, body);
    // The author may add a note, nothing else; the unit may not; others cannot see it.
    expect((await change('c1', { to: 'triaged', priority: 'low' })).statusCode).toBe(403);
    expect((await change('c1', { priority: 'urgent' })).statusCode).toBe(403);
    expect((await change('c1', { note: 'It happens on Mondays.' })).statusCode).toBe(200);
    expect((await change('c2', { to: 'triaged', priority: 'low' })).statusCode).toBe(403);
    expect((await change('c2', { note: 'Me too, on Mondays.' })).statusCode).toBe(403);
    for (const who of ['lead', 'champ', 'o1'])
      expect((await change(who, { to: 'triaged', priority: 'low' })).statusCode).toBe(404);
    const other = await item('c2', 'Shared: another report of it.', 'unit');
    expect(
      (await req('c1', 'POST', `/api/feedback/${other.id}/merge`, { into: u.id, note: 'same' }))
        .statusCode,
    ).toBe(403);
    expect((await change('itstaff', { to: 'triaged', priority: 'low' })).statusCode).toBe(200);
    expect((await change('admin', { to: 'planned' })).statusCode).toBe(200);
    const d = await ok<{ item: FeedbackItem }>('c1', 'GET', `/api/feedback/${u.id}`);
    expect(d.item).toMatchObject({ state: 'planned', priority: 'low' });
  });

  it('notices and e-mails never carry a private item’s text to the voters of a duplicate merged into it', async () => {
    const SECRET = 'PRIVATE-ORIGINAL: my colleague keeps missing sign-outs.';
    const original = await item('c1', SECRET, 'private');
    const dup = await item('c2', 'Hand-offs are lost between shifts.', 'unit');
    await ok('c3', 'POST', `/api/feedback/${dup.id}/vote`);
    await ok('c4', 'POST', `/api/feedback/${dup.id}/subscribe`, {});
    const merged = await ok<FeedbackItem>('itstaff', 'POST', `/api/feedback/${dup.id}/merge`, {
      into: original.id,
      note: 'Reported before; we follow it up there.',
    });
    expect(merged).toMatchObject({ state: 'duplicate', duplicate_of: original.id });
    await ok('itstaff', 'POST', `/api/feedback/${original.id}/change`, {
      to: 'triaged',
      priority: 'normal',
    });
    await ok('itstaff', 'POST', `/api/feedback/${original.id}/change`, {
      to: 'done',
      note: 'A hand-off checklist is now part of the sign-out.',
    });
    // The duplicate's author (now a voter of the original), voter and follower hear of the
    // original's changes — without its text, and they still cannot open it.
    for (const who of ['c2', 'c3', 'c4']) {
      const n = await ok<Notices>(who, 'GET', '/api/notices');
      const about = n.notices.filter((x) => x.ref === original.id);
      expect(about.length, who).toBeGreaterThanOrEqual(2);
      for (const x of about) {
        expect(x.text, who).toBeNull();
        expect(x.summary).toMatch(/^An item you supported /);
      }
      expect(JSON.stringify(n)).not.toContain('PRIVATE-ORIGINAL');
      expect((await req(who, 'GET', `/api/feedback/${original.id}`)).statusCode).toBe(404);
    }
    // The author reads their own text in their notices.
    const a = await ok<Notices>('c1', 'GET', '/api/notices');
    expect(a.notices.find((x) => x.ref === original.id)!.text).toBe(SECRET);
    // E-mail: the voters got theirs, and no mail to anyone carries an item's text.
    await until(
      () =>
        sink.mails.some(
          (m) => m.to.includes('c3@hospital.test') && /supported is done/.test(m.data),
        )
          ? true
          : undefined,
      'the e-mail to c3 that the original is done',
    );
    expect(sink.mails.some((m) => /PRIVATE-ORIGINAL|Hand-offs are lost/.test(m.data))).toBe(false);
  });

  it('refuses state changes without the CSRF token, and changes nothing', async () => {
    const u = await item('c1', 'CSRF probe item.', 'unit');
    const g = await ok<GoalSummary>('c1', 'POST', '/api/goals', cardiologyGoal(3));
    for (const [who, method, url, body] of [
      ['c1', 'POST', '/api/feedback', { kind: 'idea', text: 'x' }],
      ['c2', 'POST', `/api/feedback/${u.id}/vote`, undefined],
      ['itstaff', 'POST', `/api/feedback/${u.id}/change`, { to: 'triaged', priority: 'low' }],
      ['c2', 'PUT', `/api/goals/${g.id}/vote`, { choice: 'support' }],
      ['c1', 'POST', `/api/goals/${g.id}/withdraw`, undefined],
      ['c1', 'POST', '/api/notices/read', { all: true }],
      ['c1', 'POST', '/api/goals', cardiologyGoal(3)],
    ] as const) {
      const r = await req(who, method, url, body, false);
      expect(r.statusCode, `${method} ${url}`).toBe(403);
    }
    const d = await ok<{ item: FeedbackItem }>('c1', 'GET', `/api/feedback/${u.id}`);
    expect(d.item).toMatchObject({ state: 'new', votes: 0 });
    const gd = await ok<{ goal: GoalSummary }>('c1', 'GET', `/api/goals/${g.id}`);
    expect(gd.goal).toMatchObject({
      state: 'voting',
      tally: { support: 0, oppose: 0, abstain: 0 },
    });
  });

  it('refuses bad input with 400 naming the field (404 for ids), never 500', async () => {
    const u = await item('c1', 'Validation probe item.', 'unit');
    const g = await ok<GoalSummary>('c1', 'POST', '/api/goals', cardiologyGoal(3));
    const long = 'x'.repeat(6000);
    const cases: [string, 'GET' | 'POST' | 'PUT', string, unknown, number, RegExp?][] = [
      ['c1', 'POST', '/api/goals', {}, 400, /metric/],
      ['c1', 'POST', '/api/goals', cardiologyGoal(3, { metric: 'nope' }), 400, /metric/],
      ['c1', 'POST', '/api/goals', cardiologyGoal(3, { target: 'x' }), 400, /target/],
      [
        'c1',
        'POST',
        '/api/goals',
        cardiologyGoal(3, { target_date: '2026-02-30' }),
        400,
        /target_date/,
      ],
      [
        'c1',
        'POST',
        '/api/goals',
        cardiologyGoal(3, { target_date: '2026-02-01' }),
        400,
        /after the vote closes/,
      ],
      ['c1', 'POST', '/api/goals', cardiologyGoal(3, { group_by: 'org' }), 400, /group_value/],
      [
        'c1',
        'POST',
        '/api/goals',
        cardiologyGoal(3, { metric: 'adoption.active_share' }),
        400,
        /tool/,
      ],
      ['c1', 'POST', '/api/goals', cardiologyGoal(3, { tool: 'no such tool' }), 400, /tool/],
      [
        'admin',
        'POST',
        '/api/goals',
        cardiologyGoal(3, { group_value: 'Nowhere' }),
        400,
        /group_value/,
      ],
      ['c1', 'POST', '/api/goals', cardiologyGoal(3, { title: long }), 400, /title/],
      ['c1', 'POST', '/api/goals', cardiologyGoal(3, { baseline_weeks: 1 }), 400, /baseline_weeks/],
      [
        'c1',
        'POST',
        '/api/goals/preview',
        cardiologyGoal(3, { direction: 'sideways' }),
        400,
        /direction/,
      ],
      ['c2', 'PUT', `/api/goals/${g.id}/vote`, { choice: 'maybe' }, 400, /choice/],
      ['c2', 'PUT', '/api/goals/..%2Fx/vote', { choice: 'support' }, 400, /id/],
      ['c2', 'GET', '/api/goals/zzzzzzzz-00000000', undefined, 404],
      ['c2', 'GET', '/api/goals?state=done', undefined, 400, /state/],
      ['c2', 'POST', `/api/goals/${g.id}/comments`, { text: '' }, 400, /text/],
      ['c1', 'POST', '/api/feedback', { kind: 'rant', text: 'x' }, 400, /kind/],
      ['c1', 'POST', '/api/feedback', { kind: 'idea', text: '   ' }, 400, /text/],
      ['c1', 'POST', '/api/feedback', { kind: 'idea', text: long }, 400, /text/],
      [
        'itstaff',
        'POST',
        '/api/feedback',
        { kind: 'idea', text: 'x', visibility: 'unit' },
        400,
        /visibility/,
      ],
      [
        'c1',
        'POST',
        '/api/feedback',
        { kind: 'idea', text: 'x', links: { tool: 'none' } },
        400,
        /links\.tool/,
      ],
      [
        'c1',
        'POST',
        '/api/feedback',
        {
          kind: 'idea',
          text: 'x',
          links: { golive: { group_by: 'org', group_value: 'organisation' } },
        },
        400,
        /golive/,
      ],
      ['itstaff', 'POST', `/api/feedback/${u.id}/change`, {}, 400, /nothing to change/],
      ['itstaff', 'POST', `/api/feedback/${u.id}/change`, { to: 'duplicate' }, 400, /merge/],
      ['itstaff', 'POST', `/api/feedback/${u.id}/change`, { to: 'done' }, 400, /note/],
      ['itstaff', 'POST', `/api/feedback/${u.id}/change`, { priority: 'p0' }, 400, /priority/],
      ['itstaff', 'POST', `/api/feedback/${u.id}/merge`, { into: u.id, note: 'x' }, 400, /itself/],
      ['itstaff', 'POST', `/api/feedback/${u.id}/merge`, { into: 'bad', note: 'x' }, 400, /into/],
      ['c1', 'POST', `/api/feedback/${u.id}/rating`, { rating: 'meh' }, 400, /rating/],
      ['c1', 'GET', '/api/feedback?state=bogus', undefined, 400, /state/],
      ['c1', 'GET', '/api/feedback?limit=0', undefined, 400, /limit/],
      [
        'itstaff',
        'GET',
        '/api/feedback/figures?from=2026-02-01&to=2026-01-01',
        undefined,
        400,
        /to/,
      ],
      ['itstaff', 'GET', '/api/feedback/figures?from=x&to=2026-01-01', undefined, 400, /from/],
      ['itstaff', 'GET', '/api/feedback/done', undefined, 400, /department/],
      ['c1', 'POST', '/api/notices/read', { ids: [] }, 400],
      ['c1', 'POST', '/api/notices/read', { all: false }, 400],
      ['c1', 'POST', '/api/notices/read', { ids: ['x'] }, 400],
      ['admin', 'PUT', '/api/settings', { holidays: ['2026-13-01'] }, 400, /holidays/],
      [
        'admin',
        'PUT',
        '/api/settings',
        { sla_targets: { high: { first_response_hours: -1, resolution_hours: 9 } } },
        400,
        /sla_targets/,
      ],
      ['admin', 'PUT', '/api/settings', { goal_rules: { window_days: 0 } }, 400, /goal_rules/],
      ['admin', 'PUT', '/api/settings', { smtp: { host: '' } }, 400, /smtp/],
    ];
    for (const [who, method, url, body, status, message] of cases) {
      const r = await req(who, method, url, body);
      expect(r.statusCode, `${who} ${method} ${url} ${JSON.stringify(body)}: ${r.body}`).toBe(
        status,
      );
      if (message) expect(r.json().error.message, url).toMatch(message);
    }
    // Anything else at all: never a 500.
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          ['POST', '/api/goals/preview'],
          ['POST', '/api/goals'],
          ['POST', '/api/feedback'],
          ['POST', `/api/feedback/${u.id}/change`],
          ['PUT', `/api/goals/${g.id}/vote`],
          ['POST', '/api/notices/read'],
        ) as fc.Arbitrary<['POST' | 'PUT', string]>,
        fc.oneof(
          fc.anything(),
          fc.record({
            metric: fc.constantFrom('events', 'adoption.habitual_share', 'x'),
            group_by: fc.constantFrom('department', 'org', 'role'),
            group_value: fc.string(),
            direction: fc.constantFrom('decrease', 'increase'),
            target: fc.double(),
            target_date: fc.string(),
            title: fc.string(),
            rationale: fc.string(),
            kind: fc.constantFrom('idea', 'problem'),
            text: fc.string(),
            to: fc.string(),
            choice: fc.string(),
            ids: fc.array(fc.string()),
          }),
        ),
        async ([method, url], body) => {
          const r = await req('itstaff', method, url, body);
          expect(r.statusCode, `${method} ${url} ${JSON.stringify(body)}: ${r.body}`).toBeLessThan(
            500,
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the it role sees aggregates like an organisation-wide leader, never a clinician’s numbers', async () => {
    const meta = await ok<{ departments: string[] }>('itstaff', 'GET', '/api/meta');
    expect(meta.departments).toEqual(['Cardiology', 'Oncology', 'Tiny']);
    const org = await ok<{ departments: { group: string }[] }>(
      'itstaff',
      'GET',
      '/api/org?from=2026-01-05&to=2026-01-26',
    );
    expect(org.departments.map((d) => d.group).sort()).toEqual(['Cardiology', 'Oncology', 'Tiny']);
    const cardio = await ok<Record<string, unknown>>(
      'itstaff',
      'GET',
      '/api/groups/department/Cardiology?from=2026-01-05&to=2026-01-26',
    );
    expect(cardio['clinicians']).toBeUndefined();
    // Exactly what Cardiology's leader gets (Cardiology may be hidden to protect Tiny from
    // subtraction: then for both).
    const asLeader = await ok<Record<string, unknown>>(
      'lead',
      'GET',
      '/api/groups/department/Cardiology?from=2026-01-05&to=2026-01-26',
    );
    expect(cardio).toEqual(asLeader);
    // Tiny (two clinicians) is below the suppression threshold: no numbers, as for a leader.
    const tiny = await ok<{ suppressed: boolean; n: number | null }>(
      'itstaff',
      'GET',
      '/api/groups/department/Tiny?from=2026-01-05&to=2026-01-26',
    );
    expect(tiny).toMatchObject({ suppressed: true, n: null });
    // No clinician's report, no accounts, no access log.
    for (const url of [
      '/api/me/report',
      '/api/me/report?user_id=C1',
      '/api/users',
      '/api/access-log',
    ])
      expect((await req('itstaff', 'GET', url)).statusCode, url).toBe(403);
    // The triage board and the dashboard are IT's; not a leader's or a clinician's.
    expect(
      (await req('itstaff', 'GET', '/api/feedback/figures?from=2026-01-01&to=2026-03-01'))
        .statusCode,
    ).toBe(200);
    for (const who of ['lead', 'c1', 'champ'])
      expect(
        (await req(who, 'GET', '/api/feedback/figures?from=2026-01-01&to=2026-03-01')).statusCode,
      ).toBe(403);
    // A goal of a small group shows no numbers but to administrators.
    const small = await ok<GoalSummary>('tiny1', 'POST', '/api/goals', {
      ...cardiologyGoal(1),
      group_value: 'Tiny',
    });
    for (const who of ['tiny1', 'itstaff']) {
      const d = await ok<{ goal: GoalSummary; series: unknown[] }>(
        who,
        'GET',
        `/api/goals/${small.id}`,
      );
      expect(d.goal).toMatchObject({ suppressed: true, baseline: null, noise: null });
      expect(d.series).toEqual([]);
    }
    const admin = await ok<{ goal: GoalSummary; series: unknown[] }>(
      'admin',
      'GET',
      `/api/goals/${small.id}`,
    );
    expect(admin.goal).toMatchObject({ suppressed: false, baseline: 2 });
  });
});
