/**
 * The demo's buy-in program (issue #13, "Demo and tests"), on both engines: a generated system
 * (30 clinicians, 16 weeks, the go-live halfway) is imported, the demo accounts and program are
 * made as `uptake demo` makes them, and the server — on the demo's clock — is asked what a user
 * would see: every goal state with the status the demo intends, computed by the API from the
 * data; every feedback state with a consistent history; unread notices for the demo clinician.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { engines } from '../testing/testEngines.ts';
import { call, login } from '../testing/testSystem.ts';
import { generate, type GenerateResult } from '../synth/generate.ts';
import { importCsv } from '../ingest/importCsv.ts';
import { importTraining } from '../ingest/importTraining.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { TABLES } from '../model/canonical.ts';
import { FEEDBACK_KINDS, FEEDBACK_PRIORITIES, FEEDBACK_STATES } from '../model/feedback.ts';
import { parseToolsFile, saveTool } from '../analysis/tools.ts';
import { setSetting } from '../store/settings.ts';
import type { Store } from '../store/Store.ts';
import { buildServer } from '../server/buildServer.ts';
import { ensureDemoAccounts, type DemoAccount } from './demoAccounts.ts';
import {
  demoClock,
  demoPresent,
  ensureDemoProgram,
  type DemoProgramSummary,
} from './demoProgram.ts';

let dir: string;
let gen: GenerateResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'uptake-demo-program-'));
  gen = await generate({ outDir: join(dir, 'data'), clinicians: 30, days: 112, seed: 1 });
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the goals list says of each goal (as the admin, who sees every group). */
interface GoalSummary {
  id: string;
  state: string;
  status: string | null;
  title: string;
  tool: string | null;
  metric: string;
  group_by: string;
  group_value: string;
  tally: { support: number; oppose: number; abstain: number };
}

describe.each(engines())('the demo’s buy-in program on $name', (engine) => {
  let store: Store;
  let app: FastifyInstance;
  let accounts: DemoAccount[];
  let made: DemoProgramSummary | null;
  let clock: () => Date;
  const keyFile = () => join(dir, 'key');

  beforeAll(async () => {
    store = await engine.open();
    const p = Pseudonymizer.load(keyFile());
    const rejectsDir = join(dir, `rejects-${engine.name}`);
    for (const table of TABLES)
      await importCsv(store, { table, file: gen.files[table], pseudonymizer: p, rejectsDir });
    await importTraining(store, {
      format: 'csv',
      file: gen.training!.csv,
      pseudonymizer: p,
      rejectsDir,
    });
    for (const t of parseToolsFile(JSON.parse(readFileSync(gen.training!.tools, 'utf8')), 'tools'))
      await saveTool(store, t);
    await setSetting(store, 'timezone', gen.timezone);
    accounts = await ensureDemoAccounts(
      store,
      join(dir, `accounts-${engine.name}.json`),
      gen.goLive.departments,
    );
    clock = await demoClock(store, gen, gen.timezone);
    made = await ensureDemoProgram(store, accounts, {
      span: gen,
      now: clock(),
      keyFile: keyFile(),
    });
    app = await buildServer(store, {
      webDir: null,
      keyFile: keyFile(),
      rejectsDir,
      now: clock,
      sessionHours: 24 * 365,
    });
    await app.ready();
  }, 600_000);
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  const account = (role: DemoAccount['role'], n = 0) => accounts.filter((a) => a.role === role)[n]!;

  it('has an `it` account among the demo accounts', () => {
    expect(accounts.map((a) => a.role)).toContain('it');
    expect(account('it').username).toBe('it');
  });

  it('runs on the data’s clock: the Tuesday after the data end', () => {
    // 112 days from Monday 2026-01-05: the data end on Monday 2026-04-27 (exclusive).
    expect(gen.to).toBe('2026-04-27');
    expect(demoPresent(gen, gen.timezone).toISOString()).toBe('2026-04-28T14:30:00.000Z'); // 10:30 EDT
    expect(clock().getTime()).toBeGreaterThanOrEqual(Date.parse('2026-04-28T14:30:00Z'));
    expect(clock().getTime()).toBeLessThan(Date.parse('2026-04-28T16:30:00Z'));
  });

  it('shows every goal state with the status it is meant to have, computed by the API', async () => {
    expect(made).not.toBeNull();
    const admin = await login(app, account('admin'));
    const r = await call(app, admin, 'GET', '/api/goals');
    expect(r.statusCode, r.body).toBe(200);
    const goals = (r.json() as { goals: GoalSummary[] }).goals;
    const byId = new Map(goals.map((g) => [g.id, g]));
    const seen = new Map<string, GoalSummary>();
    for (const m of made!.goals) {
      const g = byId.get(m.id)!;
      expect(g, m.title).toBeDefined();
      const shown = g.state === 'adopted' ? g.status : g.state;
      expect(shown, `${m.title} (${g.group_value}, ${g.metric})`).toBe(m.intended);
      seen.set(m.intended, g);
    }
    expect([...seen.keys()].sort()).toEqual(
      [
        'achieved',
        'at_risk',
        'met',
        'not_adopted',
        'not_met',
        'off_track',
        'on_track',
        'too_early',
        'voting',
        'withdrawn',
      ].sort(),
    );
    // The goal met after the go-live: the go-live tool, its target metric, a go-live department.
    const met = seen.get('met')!;
    expect(met).toMatchObject({
      tool: gen.goLive.tool,
      metric: 'note_time8',
      group_by: 'department',
    });
    expect(gen.goLive.departments).toContain(met.group_value);
    // Adopted by votes (support > oppose, quorum reached); not adopted the other way.
    expect(met.tally.support).toBeGreaterThan(met.tally.oppose);
    const no = seen.get('not_adopted')!;
    expect(no.tally.oppose).toBeGreaterThanOrEqual(no.tally.support);
    // Open votes have votes cast and show the counts.
    const open = goals.filter((g) => g.state === 'voting');
    expect(open.length).toBeGreaterThanOrEqual(1);
    for (const g of open)
      expect([3, 4]).toContain(g.tally.support + g.tally.oppose + g.tally.abstain);
  }, 180_000); // the first goal page computes every goal's weekly rows: room for a loaded machine

  it('keeps the ballot secret: votes are stored as keyed hashes only, and settled ones deleted', async () => {
    const usernames = new Set(
      (await store.all<{ username: string }>(`SELECT username FROM users`)).map((u) => u.username),
    );
    const votes = await store.all<{ goal_id: string; voter: string }>(
      `SELECT goal_id, voter FROM goal_votes`,
    );
    expect(votes.length).toBeGreaterThan(0);
    for (const v of votes) expect(usernames.has(v.voter)).toBe(false);
    const [settled] = await store.all<{ n: number }>(
      `SELECT count(*) AS n FROM goal_votes v JOIN goals g ON g.id = v.goal_id WHERE g.state <> 'voting'`,
    );
    expect(Number(settled!.n)).toBe(0);
  });

  it('offers the demo clinician the open vote of their group, not yet cast', async () => {
    const c1 = await login(app, account('clinician', 0));
    const r = await call(app, c1, 'GET', '/api/me/goals');
    expect(r.statusCode, r.body).toBe(200);
    const mine = (r.json() as { goals: { state: string; mine: string | null }[] }).goals;
    expect(mine.length).toBeGreaterThanOrEqual(1);
    for (const g of mine) expect(g.mine).toBeNull();
  });

  it('holds feedback in every state, kind and triage priority, private and shared', async () => {
    const items = await store.all<{
      state: string;
      kind: string;
      priority: string | null;
      visibility: string;
      author: string;
      unit: string | null;
    }>(`SELECT state, kind, priority, visibility, author, unit FROM feedback_items`);
    expect(new Set(items.map((i) => i.state))).toEqual(new Set(FEEDBACK_STATES));
    expect(new Set(items.map((i) => i.kind))).toEqual(new Set(FEEDBACK_KINDS));
    expect(new Set(items.filter((i) => i.state === 'triaged').map((i) => i.priority))).toEqual(
      new Set(FEEDBACK_PRIORITIES),
    );
    expect(new Set(items.map((i) => i.visibility))).toEqual(new Set(['private', 'unit']));
    expect(new Set(items.map((i) => i.author)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(items.map((i) => i.unit)).size).toBeGreaterThanOrEqual(4);
    const [votes] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM feedback_votes`);
    const [subs] = await store.all<{ n: number }>(
      `SELECT count(*) AS n FROM feedback_subscriptions`,
    );
    expect(Number(votes!.n)).toBeGreaterThan(0);
    expect(Number(subs!.n)).toBeGreaterThan(0);
    const ratings = await store.all<{ rating: string }>(
      `SELECT DISTINCT rating FROM feedback_events WHERE kind = 'rating'`,
    );
    expect(new Set(ratings.map((r) => r.rating))).toEqual(new Set(['helped', 'did_not_help']));
    // A duplicate points at its original, which records the merge.
    const [dup] = await store.all<{ id: string; duplicate_of: string }>(
      `SELECT id, duplicate_of FROM feedback_items WHERE state = 'duplicate'`,
    );
    const [merged] = await store.all<{ n: number }>(
      `SELECT count(*) AS n FROM feedback_events WHERE item_id = $1 AND kind = 'merged' AND related = $2`,
      [dup!.duplicate_of, dup!.id],
    );
    expect(Number(merged!.n)).toBe(1);
  });

  it('has a consistent history: events in order, in the past, first answers sometimes late', async () => {
    const it = await login(app, account('it'));
    const list = await call(app, it, 'GET', '/api/feedback?limit=1000');
    expect(list.statusCode, list.body).toBe(200);
    const items = (list.json() as { items: { id: string; state: string }[] }).items;
    let late = 0;
    let onTime = 0;
    let waited = 0;
    for (const { id } of items) {
      const r = await call(app, it, 'GET', `/api/feedback/${id}`);
      expect(r.statusCode, r.body).toBe(200);
      const d = r.json() as {
        item: { created_at: string };
        history: { seq: number; occurred_at: string; kind: string; to_state: string | null }[];
        clocks: { first_response: { hours: number; stopped: boolean; overdue: boolean } };
      };
      expect(d.history[0]).toMatchObject({
        seq: 0,
        kind: 'created',
        occurred_at: d.item.created_at,
      });
      for (let i = 1; i < d.history.length; i++) {
        expect(d.history[i]!.seq).toBe(i);
        expect(Date.parse(d.history[i]!.occurred_at)).toBeGreaterThanOrEqual(
          Date.parse(d.history[i - 1]!.occurred_at),
        );
      }
      expect(Date.parse(d.history.at(-1)!.occurred_at)).toBeLessThanOrEqual(clock().getTime());
      if (d.history.some((e) => e.to_state === 'waiting')) waited++;
      const fr = d.clocks.first_response;
      if (fr.stopped && fr.overdue) late++;
      else if (fr.stopped) onTime++;
    }
    expect(late).toBeGreaterThanOrEqual(1);
    expect(onTime).toBeGreaterThanOrEqual(1);
    expect(waited).toBeGreaterThanOrEqual(2);
  });

  it('leaves unread notices for the demo clinician (the bell shows a count)', async () => {
    const c1 = await login(app, account('clinician', 0));
    const r = await call(app, c1, 'GET', '/api/notices/unread');
    expect(r.statusCode, r.body).toBe(200);
    expect((r.json() as { unread: number }).unread).toBeGreaterThan(0);
    const [read] = await store.all<{ n: number }>(
      `SELECT count(*) AS n FROM notices WHERE read_at IS NOT NULL`,
    );
    expect(Number(read!.n)).toBeGreaterThan(0);
  });

  it('writes no patient identifier into any text', async () => {
    const texts = [
      ...(await store.all<{ t: string }>(`SELECT text AS t FROM feedback_items`)),
      ...(await store.all<{ t: string }>(
        `SELECT note AS t FROM feedback_events WHERE note IS NOT NULL`,
      )),
      ...(await store.all<{ t: string }>(`SELECT title || ' ' || rationale AS t FROM goals`)),
      ...(await store.all<{ t: string }>(`SELECT text AS t FROM goal_comments`)),
    ].map((r) => r.t);
    expect(texts.length).toBeGreaterThan(20);
    // The generator's patients are p000123 …; their encounters c…/s… numbers; none is quoted.
    const patients = new Set(readFileSync(gen.files.schedule, 'utf8').match(/\bp\d{5,}\b/g) ?? []);
    expect(patients.size).toBeGreaterThan(0);
    for (const t of texts) {
      expect(t).not.toMatch(/\b[pcs]\d{5,}\b/);
      expect(t).not.toMatch(/\d{6,}/);
    }
  });

  it('adds nothing twice when the demo starts again', async () => {
    const count = async () =>
      Object.fromEntries(
        await Promise.all(
          [
            'goals',
            'goal_votes',
            'goal_comments',
            'feedback_items',
            'feedback_events',
            'notices',
            'users',
          ].map(async (t) => [
            t,
            Number((await store.all<{ n: number }>(`SELECT count(*) AS n FROM ${t}`))[0]!.n),
          ]),
        ),
      );
    const before = await count();
    const again = await ensureDemoAccounts(
      store,
      join(dir, `accounts-${engine.name}.json`),
      gen.goLive.departments,
    );
    expect(again).toEqual(accounts);
    const later = await demoClock(store, gen, gen.timezone);
    // A demo started again never dates anything before what it already stored.
    const [last] = await store.all<{ us: number }>(
      `SELECT max(${store.dialect.epochUs('occurred_at')}) AS us FROM feedback_events`,
    );
    expect(later().getTime()).toBeGreaterThan(Number(last!.us) / 1000);
    expect(
      await ensureDemoProgram(store, again, { span: gen, now: later(), keyFile: keyFile() }),
    ).toBeNull();
    expect(await count()).toEqual(before);
  });

  it('closes one vote 30 minutes into the demo: the demo clinician’s support adopts it', async () => {
    const c1 = await login(app, account('clinician', 0));
    const mine = (
      (await call(app, c1, 'GET', '/api/me/goals')).json() as {
        goals: { id: string; closes_at: string; tally: { support: number; oppose: number } }[];
      }
    ).goals;
    const soon = mine.find(
      (g) => new Date(g.closes_at).getTime() - clock().getTime() < 31 * 60_000,
    );
    expect(soon, 'a vote of the clinician’s group that closes within 31 minutes').toBeDefined();
    // One vote short of the quorum of five: 3 support, 1 oppose.
    expect(soon!.tally).toMatchObject({ support: 3, oppose: 1 });
    const v = await call(app, c1, 'PUT', `/api/goals/${soon!.id}/vote`, {
      payload: { choice: 'support' },
    });
    expect(v.statusCode, v.body).toBe(200);
    // The same store served 31 minutes later: the window has closed and the vote is settled.
    const later = await buildServer(store, {
      webDir: null,
      keyFile: keyFile(),
      now: () => new Date(clock().getTime() + 31 * 60_000),
      sessionHours: 24 * 365,
    });
    try {
      await later.ready();
      const a = await login(later, account('admin'));
      const g = (await call(later, a, 'GET', `/api/goals/${soon!.id}`)).json() as {
        goal: { state: string; status: string | null; tally: { support: number } };
      };
      expect(g.goal.state).toBe('adopted');
      expect(g.goal.status).toBe('too_early');
      expect(g.goal.tally.support).toBe(4);
    } finally {
      await later.close();
    }
  });
});
