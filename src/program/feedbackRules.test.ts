/**
 * The feedback rules of docs/program.md §2 on hand-computed cases: business-time clocks across a
 * weekend, a holiday, both DST changes and paused `waiting` stretches; the allowed transitions
 * and what each needs; merging as duplicate (votes and subscribers move); who reads an item and
 * what a notice shows; Wilson intervals; and the figures of a unit.
 * Times are New York: EST = UTC−5 until Sunday 2026-03-08, EDT = UTC−4 until Sunday 2026-11-01.
 */
import { describe, expect, it } from 'vitest';
import type { FeedbackEventRow, FeedbackItemRow, NoticeRow } from '../model/feedback.ts';
import { DEFAULT_SLA_TARGETS, type BusinessCalendar } from '../model/businessTime.ts';
import type { ProgramActor } from './actor.ts';
import { businessHours, isBusinessDay, localDateOf } from './businessHours.ts';
import { feedbackClocks } from './feedbackClocks.ts';
import { nextStates, planFeedbackChange, planFeedbackRating } from './feedbackTransitions.ts';
import { mergeAsDuplicate, type ItemWithPeople } from './feedbackMerge.ts';
import { mayReadFeedback, mayVoteFeedback } from './feedbackAccess.ts';
import { noticeAudience, noticeView } from './feedbackNotices.ts';
import { wilsonInterval } from './wilson.ts';
import { feedbackFigureRow, feedbackFigures, type FeedbackFigureRow } from './feedbackFigures.ts';

const NY: BusinessCalendar = { timezone: 'America/New_York', holidays: ['2026-01-19'] };
const ms = (iso: string) => Date.parse(iso);

describe('business hours', () => {
  it('skips the weekend: Fri 15:00 → Mon 10:00 is 2 + 2 hours', () => {
    expect(
      businessHours(NY, ms('2026-01-09T15:00:00-05:00'), ms('2026-01-12T10:00:00-05:00')),
    ).toBe(4);
  });
  it('skips a holiday: Fri 16:30 → Tue 08:30 over Monday 01-19 is 0.5 + 0.5 hours', () => {
    const a = ms('2026-01-16T16:30:00-05:00');
    const b = ms('2026-01-20T08:30:00-05:00');
    expect(businessHours(NY, a, b)).toBe(1);
    expect(businessHours({ ...NY, holidays: [] }, a, b)).toBe(10); // + Monday's 9
    expect(isBusinessDay(NY, '2026-01-19')).toBe(false);
    expect(isBusinessDay(NY, '2026-01-20')).toBe(true);
  });
  it('opens at 08:00 on the wall clock after the spring DST change', () => {
    // Fri 16:00 EST (21:00Z) → Mon 09:00 EDT (13:00Z): 1 + 1 hours. A fixed UTC−5 calendar would
    // open Monday at 13:00Z and count 1 hour only.
    expect(
      businessHours(NY, ms('2026-03-06T16:00:00-05:00'), ms('2026-03-09T09:00:00-04:00')),
    ).toBe(2);
  });
  it('and after the autumn one', () => {
    // Fri 16:00 EDT (20:00Z) → Mon 09:00 EST (14:00Z): 1 + 1 hours.
    expect(
      businessHours(NY, ms('2026-10-30T16:00:00-04:00'), ms('2026-11-02T09:00:00-05:00')),
    ).toBe(2);
  });
  it('counts nothing outside the hours, and nothing backwards', () => {
    expect(
      businessHours(NY, ms('2026-01-10T09:00:00-05:00'), ms('2026-01-11T17:00:00-05:00')),
    ).toBe(0);
    expect(
      businessHours(NY, ms('2026-01-12T18:00:00-05:00'), ms('2026-01-13T07:59:00-05:00')),
    ).toBe(0);
    expect(
      businessHours(NY, ms('2026-01-13T10:00:00-05:00'), ms('2026-01-12T10:00:00-05:00')),
    ).toBe(0);
  });
  it('dates an instant in the calendar’s zone', () => {
    expect(localDateOf(ms('2026-01-10T03:00:00Z'), 'America/New_York')).toBe('2026-01-09');
  });
});

type Ev = Pick<
  FeedbackEventRow,
  'seq' | 'occurred_at' | 'actor' | 'kind' | 'to_state' | 'note' | 'public'
>;
let seq = 0;
const ev = (
  at: string,
  actor: string,
  kind: Ev['kind'],
  to: Ev['to_state'] = null,
  note: string | null = null,
  pub = true,
): Ev => ({
  seq: ++seq,
  occurred_at: new Date(at).toISOString(),
  actor,
  kind,
  to_state: to,
  note,
  public: pub,
});
const item = (created: string, state: FeedbackItemRow['state']) => ({
  author: 'ann',
  created_at: new Date(created).toISOString(),
  state,
});

describe('clocks (§2)', () => {
  it('stop the first response at the first answer the author reads, across a weekend', () => {
    const events = [
      ev(
        '2026-01-09T16:00:00-05:00',
        'it1',
        'note',
        null,
        'internal: looks like the print bug',
        false,
      ),
      ev('2026-01-09T16:30:00-05:00', 'ann', 'note', null, 'also happens on ward 3'), // the author's own
      ev('2026-01-12T10:00:00-05:00', 'it1', 'note', null, 'We are on it'),
    ];
    const c = feedbackClocks(
      item('2026-01-09T15:00:00-05:00', 'new'),
      events,
      NY,
      new Date('2026-01-20T00:00:00Z'),
    );
    expect(c.first_response).toEqual({
      hours: 4,
      stopped: true,
      stopped_at: '2026-01-12T15:00:00.000Z',
    });
    // Resolution runs: Fri 2 + Mon 12th 8–17 9 + 13th–16th 4 × 9 + Mon 19th holiday 0 = 47 h.
    expect(c.resolution).toEqual({ hours: 47, stopped: false, stopped_at: null });
  });

  it('pause while waiting for the clinician', () => {
    // Created Mon 2026-02-02 09:00. 11:00 IT asks (waiting, with a note): first response 2 h.
    // Tue 10:00 the author replies. Wed 14:00 IT resumes (triaged). Thu 10:00 done.
    // Resolution: Mon 9–11 (2) + Wed 14–17 (3) + Thu 8–10 (2) = 7 h; unpaused it would be 28 h.
    const events = [
      ev('2026-02-02T11:00:00-05:00', 'it1', 'state', 'waiting', 'Which clinic is it?'),
      ev('2026-02-03T10:00:00-05:00', 'ann', 'note', null, 'Northside'),
      ev('2026-02-04T14:00:00-05:00', 'it1', 'priority'),
      ev('2026-02-04T14:00:00-05:00', 'it1', 'state', 'triaged'),
      ev('2026-02-05T10:00:00-05:00', 'it1', 'state', 'done', 'Fixed in the new template'),
    ];
    const c = feedbackClocks(
      item('2026-02-02T09:00:00-05:00', 'done'),
      events,
      NY,
      new Date('2026-03-01T00:00:00Z'),
    );
    expect(c.first_response.hours).toBe(2);
    expect(c.resolution).toEqual({
      hours: 7,
      stopped: true,
      stopped_at: '2026-02-05T15:00:00.000Z',
    });
  });

  it('pause the first response too when waiting without a word', () => {
    // Mon 02-09 09:00 created; 10:00 waiting (no note); Tue 09:00 triaged; Tue 11:00 answer: 1 + 2 h.
    const events = [
      ev('2026-02-09T10:00:00-05:00', 'it1', 'state', 'waiting'),
      ev('2026-02-10T09:00:00-05:00', 'it1', 'state', 'triaged'),
      ev('2026-02-10T11:00:00-05:00', 'it1', 'note', null, 'Planned for March'),
    ];
    const c = feedbackClocks(
      item('2026-02-09T09:00:00-05:00', 'triaged'),
      events,
      NY,
      new Date('2026-02-10T17:00:00-05:00'),
    );
    expect(c.first_response).toMatchObject({ hours: 3, stopped: true });
    expect(c.resolution).toMatchObject({ hours: 1 + 8, stopped: false }); // Mon 1 h + Tue 9–17
  });

  it('resume resolution when a done item is reopened, and not while it was closed', () => {
    // Mon 02-23 08:00 created; 12:00 done (4 h); Wed 09:00 "did not help" → reopened; Wed 11:00 done.
    const events = [
      ev('2026-02-23T12:00:00-05:00', 'it1', 'state', 'done', 'Cleared your cache'),
      ev('2026-02-25T09:00:00-05:00', 'ann', 'rating'),
      ev('2026-02-25T09:00:00-05:00', 'ann', 'state', 'reopened'),
      ev('2026-02-25T11:00:00-05:00', 'it1', 'state', 'done', 'Replaced the printer driver'),
    ];
    const c = feedbackClocks(
      item('2026-02-23T08:00:00-05:00', 'done'),
      events,
      NY,
      new Date('2026-03-02T00:00:00Z'),
    );
    expect(c.first_response).toMatchObject({ hours: 4, stopped: true });
    expect(c.resolution).toEqual({
      hours: 6,
      stopped: true,
      stopped_at: '2026-02-25T16:00:00.000Z',
    });
  });

  it('count a running clock up to now, and give a duplicate no resolution', () => {
    const running = feedbackClocks(
      item('2026-01-09T15:00:00-05:00', 'new'),
      [],
      NY,
      new Date('2026-01-12T12:00:00-05:00'),
    );
    expect(running.first_response).toEqual({ hours: 6, stopped: false, stopped_at: null });
    const dup = feedbackClocks(
      item('2026-01-09T15:00:00-05:00', 'duplicate'),
      [ev('2026-01-12T09:00:00-05:00', 'it1', 'state', 'duplicate', 'Same as #12')],
      NY,
      new Date('2026-01-20T00:00:00Z'),
    );
    expect(dup.first_response).toMatchObject({ hours: 3, stopped: true });
    expect(dup.resolution).toBeNull();
  });
});

const actor = (
  username: string,
  role: ProgramActor['role'],
  department: string | null = null,
): ProgramActor => ({
  username,
  role,
  clinician: department === null ? null : { department, specialty: null, role: 'physician' },
  groups: [],
});
const IT = actor('it1', 'it');
const ANN = actor('ann', 'clinician', 'Cardiology');
const BOB = actor('bob', 'clinician', 'Cardiology');
const CAT = actor('cat', 'clinician', 'Oncology');
const base = {
  id: 'f1',
  author: 'ann',
  state: 'new' as FeedbackItemRow['state'],
  priority: null,
  assignee: null,
  duplicate_of: null,
  rating: null,
};

describe('transitions (§2)', () => {
  it('go forward, may wait or close from any open state, and stop when closed', () => {
    expect(nextStates('new')).toEqual([
      'triaged',
      'planned',
      'in_progress',
      'waiting',
      'done',
      'declined',
      'duplicate',
    ]);
    expect(nextStates('planned')).toEqual([
      'in_progress',
      'waiting',
      'done',
      'declined',
      'duplicate',
    ]);
    expect(nextStates('waiting')).toEqual([
      'triaged',
      'planned',
      'in_progress',
      'done',
      'declined',
      'duplicate',
    ]);
    expect(nextStates('reopened')).toEqual(nextStates('new'));
    expect(nextStates('done')).toEqual([]);
    expect(nextStates('declined')).toEqual([]);
    expect(nextStates('duplicate')).toEqual([]);
  });

  it('refuse going back, and reopening by IT', () => {
    expect(() =>
      planFeedbackChange(
        { ...base, state: 'planned', priority: 'low' },
        { to: 'triaged', public: true },
        IT,
      ),
    ).toThrow(/planned; it can go to in_progress/);
    expect(() =>
      planFeedbackChange({ ...base, state: 'done' }, { to: 'reopened', public: true }, IT),
    ).toThrow(/only its author reopens/);
  });

  it('need a priority to triage, and record it before the state', () => {
    expect(() => planFeedbackChange(base, { to: 'triaged', public: true }, IT)).toThrow(/priority/);
    const p = planFeedbackChange(
      base,
      { to: 'triaged', priority: 'high', note: 'Thanks, looking', public: true },
      IT,
    );
    expect(p.item).toMatchObject({ state: 'triaged', priority: 'high' });
    expect(p.events.map((e) => [e.kind, e.from_state, e.to_state, e.priority, e.note])).toEqual([
      ['priority', null, null, 'high', null],
      ['state', 'new', 'triaged', null, 'Thanks, looking'],
    ]);
  });

  it('need a public answer in words to close', () => {
    for (const to of ['done', 'declined'] as const) {
      expect(() => planFeedbackChange(base, { to, public: true }, IT)).toThrow(/needs an answer/);
      expect(() => planFeedbackChange(base, { to, note: 'x', public: false }, IT)).toThrow(
        /cannot be internal/,
      );
    }
    expect(() =>
      planFeedbackChange(base, { to: 'duplicate', note: 'Same', public: true }, IT),
    ).toThrow(/duplicate_of/);
    expect(() =>
      planFeedbackChange(
        base,
        { to: 'duplicate', note: 'Same', duplicate_of: 'f1', public: true },
        IT,
      ),
    ).toThrow(/itself/);
    expect(
      planFeedbackChange(base, { to: 'declined', note: 'Out of scope', public: true }, IT).item
        .state,
    ).toBe('declined');
  });

  it('let only IT change; the author may add a public note', () => {
    expect(() =>
      planFeedbackChange(base, { to: 'triaged', priority: 'low', public: true }, ANN),
    ).toThrow(/only IT/);
    expect(() => planFeedbackChange(base, { note: 'hi', public: true }, BOB)).toThrow(/only IT/);
    expect(
      planFeedbackChange(base, { note: 'More detail', public: true }, ANN).events,
    ).toMatchObject([{ kind: 'note', note: 'More detail', public: true }]);
    expect(() => planFeedbackChange(base, { note: 'x', public: false }, ANN)).toThrow(
      /always visible/,
    );
  });

  it('ask "did this help?" once per close; "did not help" reopens a done item', () => {
    const done = { ...base, state: 'done' as const, priority: 'normal' as const };
    expect(() => planFeedbackRating(done, 'helped', BOB)).toThrow(/only the author/);
    expect(() => planFeedbackRating({ ...base, state: 'planned' }, 'helped', ANN)).toThrow(
      /asked once/,
    );
    const r = planFeedbackRating(done, 'did_not_help', ANN);
    expect(r.item).toMatchObject({ state: 'reopened', rating: 'did_not_help' });
    expect(r.events.map((e) => [e.kind, e.to_state, e.rating])).toEqual([
      ['rating', null, 'did_not_help'],
      ['state', 'reopened', null],
    ]);
    expect(() => planFeedbackRating({ ...done, rating: 'helped' }, 'helped', ANN)).toThrow(
      /already answered/,
    );
    // Declined: recorded, not reopened. Closing again clears the answer so it is asked afresh.
    expect(planFeedbackRating({ ...done, state: 'declined' }, 'did_not_help', ANN).item.state).toBe(
      'declined',
    );
    const again = planFeedbackChange(
      { ...r.item, id: 'f1', author: 'ann' },
      { to: 'done', note: 'Now fixed', public: true },
      IT,
    );
    expect(again.item.rating).toBeNull();
  });
});

describe('merge as duplicate (§2)', () => {
  const people = (
    id: string,
    author: string,
    voters: string[],
    subscribers: string[],
    extra: Partial<ItemWithPeople> = {},
  ): ItemWithPeople => ({
    id,
    author,
    state: 'new',
    duplicate_of: null,
    voters,
    subscribers,
    ...extra,
  });
  it('moves votes and subscribers to the original, counting each person once', () => {
    const items = [
      people('orig', 'ann', ['bob', 'dan'], ['it1']),
      people('dup', 'eve', ['dan', 'fay', 'ann'], ['gus', 'it1']),
      people('other', 'hal', ['ivy'], []),
    ];
    const m = mergeAsDuplicate(items, 'dup', 'orig');
    expect(m.original).toBe('orig');
    const byId = Object.fromEntries(m.items.map((i) => [i.id, i]));
    // dan counted once; ann (the original's author) never votes on her own item; eve asked too.
    expect(byId['orig']!.voters).toEqual(['bob', 'dan', 'eve', 'fay']);
    expect(byId['orig']!.subscribers).toEqual(['gus', 'it1']);
    expect(byId['dup']).toMatchObject({
      state: 'duplicate',
      duplicate_of: 'orig',
      voters: [],
      subscribers: [],
    });
    expect(byId['other']).toEqual(items[2]);
    expect(m.moved).toEqual({ voters: ['eve', 'fay'], subscribers: ['gus'] });
  });
  it('follows a chain to its end and refuses a cycle or a closed duplicate', () => {
    const items = [
      people('a', 'ann', [], []),
      people('b', 'bob', [], [], { state: 'duplicate', duplicate_of: 'a' }),
      people('c', 'cat', ['dan'], []),
    ];
    expect(mergeAsDuplicate(items, 'c', 'b').original).toBe('a');
    expect(() => mergeAsDuplicate(items, 'a', 'b')).toThrow(/already merged into it/);
    expect(() => mergeAsDuplicate(items, 'b', 'c')).toThrow(/only an open item/);
    expect(() => mergeAsDuplicate(items, 'c', 'zzz')).toThrow(/no such item/);
  });
});

describe('who reads, votes and hears (§2)', () => {
  const priv = {
    author: 'ann',
    visibility: 'private' as const,
    unit: 'Cardiology',
    state: 'new' as const,
    text: 'My login fails',
    kind: 'problem' as const,
  };
  const unit = { ...priv, visibility: 'unit' as const, text: 'Order sets are slow' };
  it('lets the author, IT, administrators and — for unit items — the unit read', () => {
    expect(mayReadFeedback(ANN, priv)).toBe(true);
    expect(mayReadFeedback(IT, priv)).toBe(true);
    expect(mayReadFeedback(actor('root', 'admin'), priv)).toBe(true);
    expect(mayReadFeedback(BOB, priv)).toBe(false);
    expect(mayReadFeedback(actor('lee', 'leader'), priv)).toBe(false);
    expect(mayReadFeedback(BOB, unit)).toBe(true);
    expect(mayReadFeedback(CAT, unit)).toBe(false);
  });
  it('lets the unit vote "me too" on open unit items, never the author', () => {
    expect(mayVoteFeedback(BOB, unit)).toBe(true);
    expect(mayVoteFeedback(ANN, unit)).toBe(false);
    expect(mayVoteFeedback(CAT, unit)).toBe(false);
    expect(mayVoteFeedback(BOB, priv)).toBe(false);
    expect(mayVoteFeedback(BOB, { ...unit, state: 'done' })).toBe(false);
  });
  it('tells author, voters and subscribers of a change of state, never the actor', () => {
    const events = planFeedbackChange(base, { to: 'done', note: 'Fixed', public: true }, IT).events;
    const a = noticeAudience(
      { author: 'ann', assignee: 'it2' },
      { voters: ['bob', 'it1'], subscribers: ['bob', 'dan'] },
      events,
      'it1',
    );
    expect(a).toEqual([
      { username: 'ann', kind: 'feedback_state' },
      { username: 'bob', kind: 'feedback_state' },
      { username: 'dan', kind: 'feedback_state' },
      { username: 'ann', kind: 'feedback_rate' },
    ]);
    const note = planFeedbackChange(base, { note: 'Any update?', public: true }, ANN).events;
    expect(
      noticeAudience(
        { author: 'ann', assignee: 'it2' },
        { voters: ['bob'], subscribers: [] },
        note,
        'ann',
      ),
    ).toEqual([{ username: 'it2', kind: 'feedback_note' }]);
    const internal = planFeedbackChange(base, { note: 'dup of INC123', public: false }, IT).events;
    expect(
      noticeAudience(
        { author: 'ann', assignee: null },
        { voters: [], subscribers: [] },
        internal,
        'it1',
      ),
    ).toEqual([]);
  });
  it('never shows a private item’s text to a voter of a duplicate merged into it', () => {
    const n: NoticeRow = {
      id: 'n1',
      username: 'bob',
      kind: 'feedback_state',
      ref: 'orig',
      event_seq: 3,
      created_at: '2026-02-01T00:00:00.000Z',
      read_at: null,
    };
    const done = { ...priv, state: 'done' as const };
    const v = noticeView(n, done, BOB);
    expect(v.text).toBeNull();
    expect(v.summary).toBe('An item you supported is done.');
    expect(JSON.stringify(v)).not.toContain('login');
    expect(noticeView({ ...n, username: 'ann' }, done, ANN)).toMatchObject({
      text: 'My login fails',
      summary: 'Your problem is done.',
    });
  });
});

describe('Wilson 95% interval', () => {
  it('matches hand computation', () => {
    // 2 of 4: p = 0.5, z²/n = 0.9604; centre (0.5 + 0.4802)/1.9604 = 0.5;
    // half = (1.96/1.9604) √(0.0625 + 3.8416/64) = 0.9997960 × 0.3500357 = 0.3499643.
    const h = wilsonInterval(2, 4)!;
    expect(h.share).toBe(0.5);
    expect(h.ci95[0]).toBeCloseTo(0.1500357, 6);
    expect(h.ci95[1]).toBeCloseTo(0.8499643, 6);
    // 7 of 10: the published [0.3968, 0.8922] (Newcombe 1998, z = 1.96).
    expect(wilsonInterval(7, 10)!.ci95[0]).toBeCloseTo(0.396773, 6);
    expect(wilsonInterval(7, 10)!.ci95[1]).toBeCloseTo(0.892211, 6);
    // 0 of 10: centre = half = 0.19208/1.38416 = 0.1387701: [0, 0.2775402].
    expect(wilsonInterval(0, 10)!.ci95[0]).toBeCloseTo(0, 12);
    expect(wilsonInterval(0, 10)!.ci95[1]).toBeCloseTo(0.2775402, 6);
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(3, 2)).toThrow();
  });
});

describe('figures of a unit (§2)', () => {
  const clock = (hours: number, stopped: boolean) => ({ hours, stopped, stopped_at: null });
  const row = (
    r: Partial<FeedbackFigureRow> & Pick<FeedbackFigureRow, 'clocks'>,
  ): FeedbackFigureRow => ({
    unit: 'A',
    priority: null,
    closed_with_answer: false,
    ever_done: false,
    ever_reopened: false,
    rating: null,
    ...r,
  });
  /**
   * Unit A, targets the defaults (urgent 4/9 h, high 9/45, normal 18/180, low 45/540):
   * r1 urgent: first 3 h (within 4), resolved 8 h (within 9), answered, done, helped.
   * r2 high: first 10 h (over 9), resolved 50 h (over 45), answered, done and reopened, did not help.
   * r3 no priority (normal): first running at 20 h (already over 18: not within), resolution
   *    running at 20 h (under 180: unknown).
   * r4 low: both running at 2 h (unknown).
   * r5 duplicate, no priority: first 1 h (within 18), no resolution, answered, helped.
   * → items 5; median first response of stopped [1, 3, 10] = 3; of resolution [8, 50] = 29;
   *   first within 2 of 4 (r1, r5 of r1, r2, r3, r5); resolution within 1 of 2; closed with an
   *   answer 3 of 5; reopened 1 of 2 done; helped 2 of 3 rated.
   */
  const rows = [
    row({
      priority: 'urgent',
      clocks: { first_response: clock(3, true), resolution: clock(8, true) },
      closed_with_answer: true,
      ever_done: true,
      rating: 'helped',
    }),
    row({
      priority: 'high',
      clocks: { first_response: clock(10, true), resolution: clock(50, true) },
      closed_with_answer: true,
      ever_done: true,
      ever_reopened: true,
      rating: 'did_not_help',
    }),
    row({ clocks: { first_response: clock(20, false), resolution: clock(20, false) } }),
    row({
      priority: 'low',
      clocks: { first_response: clock(2, false), resolution: clock(2, false) },
    }),
    row({
      clocks: { first_response: clock(1, true), resolution: null },
      closed_with_answer: true,
      rating: 'helped',
    }),
    row({ unit: null, clocks: { first_response: clock(1, false), resolution: clock(1, false) } }),
  ];
  it('are computed per unit with their intervals', () => {
    const [a, none] = feedbackFigures(rows, DEFAULT_SLA_TARGETS);
    expect(a).toMatchObject({
      unit: 'A',
      items: 5,
      median_first_response_hours: 3,
      median_resolution_hours: 29,
    });
    expect(a!.first_response_within_target).toMatchObject({ successes: 2, n: 4 });
    expect(a!.first_response_within_target!.ci95[0]).toBeCloseTo(0.1500357, 6);
    expect(a!.resolution_within_target).toMatchObject({ successes: 1, n: 2 });
    expect(a!.closed_with_answer).toMatchObject({ successes: 3, n: 5 });
    expect(a!.reopened).toMatchObject({ successes: 1, n: 2 });
    expect(a!.helped).toMatchObject({ successes: 2, n: 3 });
    expect(none).toMatchObject({
      unit: null,
      items: 1,
      median_first_response_hours: null,
      first_response_within_target: null,
      reopened: null,
      helped: null,
      closed_with_answer: { successes: 0, n: 1 },
    });
  });

  it('take an item’s row from its history', () => {
    seq = 0;
    const events = [
      ev('2026-02-23T12:00:00-05:00', 'it1', 'state', 'done', 'Cleared your cache'),
      ev('2026-02-25T09:00:00-05:00', 'ann', 'rating'),
      ev('2026-02-25T09:00:00-05:00', 'ann', 'state', 'reopened'),
      ev('2026-02-25T11:00:00-05:00', 'it1', 'state', 'declined', 'We will not replace it'),
    ];
    const r = feedbackFigureRow(
      {
        ...item('2026-02-23T08:00:00-05:00', 'declined'),
        unit: 'A',
        priority: 'urgent',
        rating: null,
      },
      events,
      NY,
      new Date('2026-03-02T00:00:00Z'),
    );
    expect(r).toMatchObject({
      unit: 'A',
      closed_with_answer: true,
      ever_done: true,
      ever_reopened: true,
      rating: null,
    });
    expect(r.clocks.resolution).toMatchObject({ hours: 6, stopped: true });
  });
});
