/**
 * Feedback in the store, on both engines: who reads and lists what, "me too" once per person,
 * changes kept as history with their notices, "did this help?" and reopening, merging as
 * duplicate (votes and subscribers move, a private original's text never reaches the moved
 * voters), "You asked, we did" and the figures of a unit, hand-computed.
 * Times are New York (EST, UTC−5).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../testing/testEngines.ts';
import type { Store } from '../store/Store.ts';
import { DEFAULT_SLA_TARGETS } from '../model/businessTime.ts';
import type { ProgramActor } from './actor.ts';
import {
  changeFeedback,
  createFeedback,
  feedbackHistory,
  feedbackUnitFigures,
  getFeedback,
  listFeedback,
  rateFeedback,
  subscribeFeedback,
  unvoteFeedback,
  voteFeedback,
  youAskedWeDid,
} from './feedbackStore.ts';
import { listNotices, markNoticesRead, unreadNoticeCount } from './notices.ts';
import { noticeView } from './feedbackNotices.ts';

const who = (
  username: string,
  department: string | null,
  role: ProgramActor['role'] = 'clinician',
): ProgramActor => ({
  username,
  role,
  clinician: department === null ? null : { department, specialty: null, role: 'physician' },
  groups: [],
});
const ANN = who('ann', 'Cardiology');
const BOB = who('bob', 'Cardiology');
const DAN = who('dan', 'Cardiology');
const CAT = who('cat', 'Oncology');
const LEE = who('lee', null, 'leader');
const IT = who('it1', null, 'it');
const ADMIN = who('root', null, 'admin');
const t = (iso: string) => new Date(iso);
const NY = { timezone: 'America/New_York', holidays: [] as string[] };

describe.each(engines())('feedback in the store on $name', (engine) => {
  let store: Store;
  beforeAll(async () => {
    store = await engine.open();
    await store.run(
      `INSERT INTO tools (name, habitual_uses, created_at, updated_at) VALUES ('scribe', 5, now(), now())`,
    );
    await store.run(
      `INSERT INTO golives (tool, group_by, group_value, go_live_date) VALUES ('scribe', 'department', 'Cardiology', DATE '2026-01-05')`,
    );
  });
  afterAll(async () => store?.close());

  it('stores what the clinician wrote, with a first event, and checks visibility and links', async () => {
    const f = await createFeedback(
      store,
      ANN,
      {
        kind: 'problem',
        text: 'Scribe drops the last sentence',
        visibility: 'unit',
        links: {
          tool: 'scribe',
          golive: { group_by: 'department', group_value: 'Cardiology' },
          metric: 'note_time8',
        },
      },
      t('2026-02-02T09:00:00-05:00'),
    );
    expect(f).toMatchObject({
      author: 'ann',
      unit: 'Cardiology',
      state: 'new',
      last_seq: 0,
      link_tool: 'scribe',
      link_golive_value: 'Cardiology',
      link_metric: 'note_time8',
      votes: 0,
      priority: null,
    });
    expect(f.created_at).toBe('2026-02-02T14:00:00.000Z');
    expect(await feedbackHistory(store, ANN, f.id)).toMatchObject([
      { seq: 0, kind: 'created', to_state: 'new', actor: 'ann', public: true },
    ]);
    await expect(
      createFeedback(store, LEE, { kind: 'idea', text: 'x', visibility: 'unit' }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/^visibility/),
    });
    await expect(
      createFeedback(store, ANN, {
        kind: 'idea',
        text: 'x',
        visibility: 'private',
        links: { tool: 'nope' },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      createFeedback(store, ANN, {
        kind: 'idea',
        text: 'x',
        visibility: 'private',
        links: { tool: 'scribe', golive: { group_by: 'department', group_value: 'Oncology' } },
      }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/links.golive/) });
  });

  it('shows a private item to its author and IT only, a unit item to the unit too', async () => {
    const priv = await createFeedback(store, ANN, {
      kind: 'question',
      text: 'My password expired twice',
      visibility: 'private',
    });
    const unit = (await listFeedback(store, ANN, { kinds: ['problem'] }))[0]!;
    for (const a of [ANN, IT, ADMIN])
      expect((await getFeedback(store, a, priv.id)).text).toBe('My password expired twice');
    for (const a of [BOB, CAT, LEE])
      await expect(getFeedback(store, a, priv.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await getFeedback(store, BOB, unit.id)).text).toMatch(/Scribe/);
    await expect(getFeedback(store, CAT, unit.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const ids = async (a: ProgramActor) => (await listFeedback(store, a)).map((i) => i.id).sort();
    expect(await ids(ANN)).toEqual([priv.id, unit.id].sort());
    expect(await ids(BOB)).toEqual([unit.id]);
    expect(await ids(CAT)).toEqual([]);
    expect(await ids(LEE)).toEqual([]);
    expect(await ids(IT)).toEqual([priv.id, unit.id].sort());
    expect(await listFeedback(store, IT, { mine: true })).toEqual([]);
    await expect(feedbackHistory(store, CAT, unit.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('counts one "me too" per person of the unit, never the author’s', async () => {
    const unit = (await listFeedback(store, IT, { kinds: ['problem'] }))[0]!;
    expect((await voteFeedback(store, BOB, unit.id)).votes).toBe(1);
    await expect(voteFeedback(store, BOB, unit.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await voteFeedback(store, DAN, unit.id)).votes).toBe(2);
    await expect(voteFeedback(store, ANN, unit.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(voteFeedback(store, IT, unit.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(voteFeedback(store, CAT, unit.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await unvoteFeedback(store, DAN, unit.id)).votes).toBe(1);
    expect((await voteFeedback(store, DAN, unit.id)).voted).toBe(true);
    expect((await subscribeFeedback(store, IT, unit.id, true)).subscribed).toBe(true);
    const [count] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM feedback_votes`);
    expect(Number(count?.n)).toBe(2);
  });

  it('keeps every change as history and tells the author, voters and subscribers', async () => {
    const unit = (await listFeedback(store, IT, { kinds: ['problem'] }))[0]!;
    await expect(
      changeFeedback(store, BOB, unit.id, { to: 'triaged', priority: 'high', public: true }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Mon 11:00: IT asks a question and waits (first response).
    await changeFeedback(
      store,
      IT,
      unit.id,
      { to: 'waiting', note: 'Which note type?', public: true, assignee: 'it2' },
      t('2026-02-02T11:00:00-05:00'),
    );
    // An internal note the author never sees.
    await changeFeedback(
      store,
      IT,
      unit.id,
      { note: 'Vendor ticket 4411', public: false },
      t('2026-02-02T12:00:00-05:00'),
    );
    // Tue 10:00 the author answers: the assignee is told.
    await changeFeedback(
      store,
      ANN,
      unit.id,
      { note: 'Progress notes', public: true },
      t('2026-02-03T10:00:00-05:00'),
    );
    // Wed 14:00 triaged (high); Thu 10:00 done with an answer.
    await changeFeedback(
      store,
      IT,
      unit.id,
      { to: 'triaged', priority: 'high', public: true },
      t('2026-02-04T14:00:00-05:00'),
    );
    const done = await changeFeedback(
      store,
      IT,
      unit.id,
      { to: 'done', note: 'Fixed in scribe 2.3', public: true },
      t('2026-02-05T10:00:00-05:00'),
    );
    expect(done).toMatchObject({ state: 'done', priority: 'high', assignee: 'it2', last_seq: 7 });
    const all = await feedbackHistory(store, IT, unit.id);
    expect(all.map((e) => [e.seq, e.kind, e.from_state, e.to_state, e.actor])).toEqual([
      [0, 'created', null, 'new', 'ann'],
      [1, 'assign', null, null, 'it1'],
      [2, 'state', 'new', 'waiting', 'it1'],
      [3, 'note', null, null, 'it1'],
      [4, 'note', null, null, 'ann'],
      [5, 'priority', null, null, 'it1'],
      [6, 'state', 'waiting', 'triaged', 'it1'],
      [7, 'state', 'triaged', 'done', 'it1'],
    ]);
    const seen = await feedbackHistory(store, ANN, unit.id);
    expect(seen.map((e) => e.seq)).toEqual([0, 1, 2, 4, 5, 6, 7]);
    expect(JSON.stringify(seen)).not.toMatch(/Vendor ticket|it2/);
    // Notices: the author for three state changes and the "did this help?"; the voters (bob, dan)
    // and the subscriber (it1, who made the changes, is never told of their own) for each state.
    const kinds = async (u: string) =>
      (await listNotices(store, u))
        .filter((x) => x.ref === unit.id)
        .map((x) => `${x.kind}@${x.event_seq}`)
        .sort();
    expect(await kinds('ann')).toEqual([
      'feedback_rate@7',
      'feedback_state@2',
      'feedback_state@6',
      'feedback_state@7',
    ]);
    expect(await kinds('bob')).toEqual([
      'feedback_state@2',
      'feedback_state@6',
      'feedback_state@7',
    ]);
    expect(await kinds('it1')).toEqual([]);
    expect(await kinds('it2')).toEqual(['feedback_note@4']);
    expect(await unreadNoticeCount(store, 'ann')).toBe(4);
    expect(await markNoticesRead(store, 'ann', 'all')).toBe(4);
    expect(await unreadNoticeCount(store, 'ann')).toBe(0);
  });

  it('asks once whether it helped; "did not help" reopens and the clocks resume', async () => {
    const unit = (await listFeedback(store, IT, { kinds: ['problem'] }))[0]!;
    await expect(rateFeedback(store, BOB, unit.id, 'helped')).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const r = await rateFeedback(
      store,
      ANN,
      unit.id,
      'did_not_help',
      t('2026-02-06T09:00:00-05:00'),
    );
    expect(r).toMatchObject({ state: 'reopened', rating: 'did_not_help' });
    expect((await listNotices(store, 'bob'))[0]).toMatchObject({
      kind: 'feedback_state',
      ref: unit.id,
      event_seq: 9,
    });
    await expect(rateFeedback(store, ANN, unit.id, 'helped')).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await changeFeedback(
      store,
      IT,
      unit.id,
      { to: 'done', note: 'Now really fixed', public: true },
      t('2026-02-06T11:00:00-05:00'),
    );
    expect(
      (await rateFeedback(store, ANN, unit.id, 'helped', t('2026-02-06T12:00:00-05:00'))).rating,
    ).toBe('helped');
    await expect(
      changeFeedback(store, IT, unit.id, { to: 'planned', public: true }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('never numbers two changes alike: a change on a stale version is refused', async () => {
    const f = await createFeedback(store, ANN, {
      kind: 'idea',
      text: 'Dark mode',
      visibility: 'private',
    });
    const results = await Promise.allSettled([
      changeFeedback(store, IT, f.id, { note: 'one', public: true }),
      changeFeedback(store, ADMIN, f.id, { note: 'two', public: true }),
    ]);
    const seqs = (await feedbackHistory(store, IT, f.id)).map((e) => e.seq);
    // Either both went in one after the other, or the second was refused: never two events 1.
    if (results.every((x) => x.status === 'fulfilled')) expect(seqs).toEqual([0, 1, 2]);
    else {
      expect(results.find((x) => x.status === 'rejected')).toMatchObject({
        reason: { code: 'CONFLICT' },
      });
      expect(seqs).toEqual([0, 1]);
    }
  });

  it('merges a duplicate: votes and subscribers move, the private original stays private', async () => {
    // The original: CAT's private item. The duplicate: ANN's unit item with bob and dan's votes.
    const orig = await createFeedback(
      store,
      CAT,
      { kind: 'problem', text: 'Oncology order set crashes when I sign', visibility: 'private' },
      t('2026-02-09T09:00:00-05:00'),
    );
    const dup = await createFeedback(
      store,
      ANN,
      { kind: 'problem', text: 'Order sets crash on signing', visibility: 'unit' },
      t('2026-02-09T10:00:00-05:00'),
    );
    await voteFeedback(store, BOB, dup.id);
    await voteFeedback(store, DAN, dup.id);
    await subscribeFeedback(store, DAN, dup.id, true);
    await expect(
      changeFeedback(store, IT, dup.id, {
        to: 'duplicate',
        duplicate_of: 'nope',
        note: 'Same',
        public: true,
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const d = await changeFeedback(
      store,
      IT,
      dup.id,
      {
        to: 'duplicate',
        duplicate_of: orig.id,
        note: 'Same problem as another report; follow it here',
        public: true,
      },
      t('2026-02-09T11:00:00-05:00'),
    );
    expect(d).toMatchObject({ state: 'duplicate', duplicate_of: orig.id, votes: 0 });
    const o = await getFeedback(store, IT, orig.id);
    expect(o.votes).toBe(3); // bob, dan and ann, who reported the same
    const people = await store.all<{ username: string }>(
      `SELECT username FROM feedback_votes WHERE item_id = $1 ORDER BY username`,
      [orig.id],
    );
    expect(people.map((p) => p.username)).toEqual(['ann', 'bob', 'dan']);
    const subs = await store.all<{ username: string }>(
      `SELECT username FROM feedback_subscriptions WHERE item_id = $1`,
      [orig.id],
    );
    expect(subs.map((p) => p.username)).toEqual(['dan']);
    expect((await feedbackHistory(store, IT, orig.id)).at(-1)).toMatchObject({
      kind: 'merged',
      related: dup.id,
      public: false,
    });
    // The moved voters still cannot read the original …
    await expect(getFeedback(store, BOB, orig.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // … but hear when it is done, without its text.
    await changeFeedback(
      store,
      IT,
      orig.id,
      { to: 'done', priority: 'urgent', note: 'Patched the order set', public: true },
      t('2026-02-10T09:00:00-05:00'),
    );
    const n = (await listNotices(store, 'bob')).find((x) => x.ref === orig.id)!;
    expect(n.kind).toBe('feedback_state');
    const item = await getFeedback(store, IT, orig.id);
    const v = noticeView(n, item, BOB);
    expect(v).toMatchObject({
      text: null,
      state: 'done',
      summary: 'An item you supported is done.',
    });
    expect(JSON.stringify(v)).not.toMatch(/Oncology order set/);
    expect(noticeView({ ...n, username: 'cat' }, item, CAT).text).toMatch(/Oncology order set/);
  });

  it('lists a unit’s done items in "You asked, we did", private ones only counted', async () => {
    const y = await youAskedWeDid(store, 'Cardiology');
    expect(y.items.map((i) => [i.text, i.answer, i.done_at, i.votes])).toEqual([
      ['Scribe drops the last sentence', 'Now really fixed', '2026-02-06T16:00:00.000Z', 2],
    ]);
    expect(y.private_done).toBe(0);
    expect((await youAskedWeDid(store, 'Oncology')).private_done).toBe(1);
  });

  /**
   * Items created 2026-02-02 … 02-10, as of Wed 2026-02-11 09:00 (no holidays):
   * Cardiology — the scribe problem (high: 9 / 45 h): first response Mon 9–11 = 2 h (within);
   *   resolution Mon 9–11 (2) + Wed 14–17 (3) + Thu 8–10 (2) = 7 h to the first done, + Fri
   *   9–11 from the reopening to the second done (2) = 9 h, within 45. Done, reopened once, rated helped.
   *   The password question and "Dark mode" (created at real time, after the period) are not in it;
   *   the duplicate: first response 1 h, no resolution, closed with an answer.
   * Oncology — the order set (urgent: 4 / 9 h): answered and done Tue 09:00 = Mon 9–17 (8) + Tue
   *   8–9 (1) = 9 h: first response over 4 (not within), resolution 9 within 9.
   */
  it('gives the figures of each unit over the period', async () => {
    const figs = await feedbackUnitFigures(
      store,
      NY,
      DEFAULT_SLA_TARGETS,
      { from: t('2026-02-02T00:00:00-05:00'), to: t('2026-02-11T00:00:00-05:00') },
      t('2026-02-11T09:00:00-05:00'),
    );
    const [card, onc] = figs;
    expect(figs.map((f) => f.unit)).toEqual(['Cardiology', 'Oncology']);
    expect(card).toMatchObject({
      items: 2,
      median_first_response_hours: 1.5,
      median_resolution_hours: 9,
      first_response_within_target: { successes: 2, n: 2 },
      resolution_within_target: { successes: 1, n: 1 },
      closed_with_answer: { successes: 2, n: 2 },
      reopened: { successes: 1, n: 1 },
      helped: { successes: 1, n: 1 },
    });
    expect(onc).toMatchObject({
      items: 1,
      median_first_response_hours: 9,
      median_resolution_hours: 9,
      first_response_within_target: { successes: 0, n: 1 },
      resolution_within_target: { successes: 1, n: 1 },
      helped: null,
    });
  });
});
