/**
 * The demo's surveys (issue #14, "Demo and tests"): a SUS and an NPS survey of the go-live
 * departments before the go-live and the same pair after it, dated inside the data, answered by
 * the departments' clinician accounts from a model in which the go-live improves satisfaction by
 * a known amount — so the before/after shows it with its interval — and one open survey of the
 * whole organisation waiting for the demo clinician on My report.
 *
 * The model (deterministic, seeded): each respondent has a latent satisfaction u ~ N(0, 1), kept
 * across both phases. Before the go-live their SUS is 55 + 12u and their NPS rating
 * round(6.5 + 1.5u); after it, each is raised by the known effect: **+15 SUS points and +2 on the
 * 0–10 rating** (clipped to the scales). 85% of those invited answer. A SUS score is written as a
 * sheet of ten 1–5 answers whose SUS is the score rounded to a multiple of 2.5.
 *
 * Timeline (G the go-live): the pre pair is opened 21 days before G and closed 7 days before; the
 * post pair is opened 42 days after G and closed 14 days later (or at the data's end). The pair
 * of one phase is sent together, so the seeding invites to its second survey with a contact
 * budget of 0 days; the open survey is invited at the demo's present under the organisation's
 * `survey_min_days`. Idempotent: nothing is made when any survey exists.
 */
import { listGoLives } from '../analysis/tools.ts';
import { addDays, daysBetween } from '../analysis/weeks.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import type { ProgramActor } from '../program/actor.ts';
import { programActorsOf } from '../program/programActors.ts';
import { NPS_LINK_ID, SUS_LINK_IDS } from '../program/surveyInstruments.ts';
import {
  closeSurvey,
  createSurvey,
  inviteToSurvey,
  openSurvey,
  respondToSurvey,
  surveyInvitations,
  surveyInviteeToken,
} from '../program/surveyStore.ts';
import type { Store } from '../store/Store.ts';
import { Rng, mixSeed } from '../synth/prng.ts';
import { dayClock, localInstant } from '../synth/tz.ts';
import { accountsOf } from './accounts.ts';
import type { DemoSpan } from './demoProgram.ts';
import { ORG_GROUP_VALUE } from '../model/goal.ts';
import { readSettings } from './orgSettings.ts';

/** The go-live's known effect in the demo's model. */
export const DEMO_SURVEY_EFFECT = { sus: 15, nps_rating: 2 } as const;
/** The model's level before the go-live: SUS 55 + 12u, NPS rating 6.5 + 1.5u. */
const SUS_BEFORE = { mean: 55, sd: 12 };
const NPS_BEFORE = { mean: 6.5, sd: 1.5 };
const ANSWER_RATE = 0.85;
/** The data must reach this far past the go-live for the post surveys (42 days + 14). */
const DAYS_AFTER_GOLIVE = 56;

const SYSTEM: ProgramActor = { username: 'demo', role: 'admin', clinician: null, groups: [] };

export interface DemoSurveysOptions {
  span: DemoSpan;
  /** The demo's present (`demoClock()()`). */
  now: Date;
  /** The pseudonym key file (the survey secret is derived from it, as the server's). */
  keyFile: string;
}

export interface DemoSurveysSummary {
  pre: { sus: string; nps: string };
  post: { sus: string; nps: string };
  open: string;
  responses: number;
}

/** A sheet of ten 1–5 answers whose SUS is `score` rounded to a multiple of 2.5. */
export function susSheet(score: number): Record<string, number> {
  const total = Math.round(Math.max(0, Math.min(100, score)) / 2.5); // Σ contributions, 0–40
  const base = Math.floor(total / 10);
  const extra = total % 10;
  return Object.fromEntries(
    SUS_LINK_IDS.map((id, k) => {
      const c = Math.min(4, base + (k < extra ? 1 : 0));
      // item k + 1: odd items contribute x − 1, even items 5 − x
      return [id, k % 2 === 0 ? c + 1 : 5 - c];
    }),
  );
}

const clip = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x));

/**
 * Make the demo's surveys (see the module's comment). Returns what it made, or null when the
 * store holds surveys already, or when the data end too soon after the go-live.
 */
export async function ensureDemoSurveys(
  store: Store,
  o: DemoSurveysOptions,
): Promise<DemoSurveysSummary | null> {
  const [n] = await store.all<{ n: number }>(`SELECT count(*) AS n FROM surveys`);
  if (Number(n?.n ?? 0) > 0) return null;
  const g = o.span.goLive;
  if (daysBetween(g.date, o.span.to) < DAYS_AFTER_GOLIVE || daysBetween(o.span.from, g.date) < 21)
    return null;
  const settings = await readSettings(store);
  const tz = settings.timezone;
  const at = (date: string, hour: number) =>
    new Date(localInstant(dayClock(tz, date), hour * 3600));
  const key = Pseudonymizer.load(o.keyFile).derivedKey('survey-invitees');
  const targets = g.departments.map((value) => ({ by: 'department' as const, value }));
  const actors = await programActorsOf(store, await accountsOf(store).list());
  const inDepartments = actors.filter(
    (a) =>
      (a.role === 'clinician' || a.role === 'champion') &&
      a.clinician?.department &&
      g.departments.includes(a.clinician.department),
  );
  const latent = new Map(
    inDepartments.map((a) => [
      a.username,
      new Rng(mixSeed(14, ...[...a.username].map((ch) => ch.charCodeAt(0)))).normal(),
    ]),
  );
  let responses = 0;
  // The surveys name the go-live when the tool is registered (the demo registers it first).
  const linked = (await listGoLives(store, g.tool)).length > 0;

  /** One survey of a phase: created, opened and invited at `open`, answered, closed at `close`. */
  async function phase(
    instrument: 'sus' | 'nps',
    which: 'pre' | 'post',
    open: Date,
    close: Date,
  ): Promise<string> {
    const when = which === 'pre' ? 'before' : 'after';
    const s = await createSurvey(
      store,
      SYSTEM,
      {
        title: `${instrument === 'sus' ? 'SUS' : 'NPS'} ${when} the ${g.tool} go-live`,
        instrument,
        ...(instrument === 'nps' ? { subject: g.tool } : {}),
        target_groups: targets,
        // Around the roll-out as a whole (both departments): the Go-live page pairs the phases.
        ...(linked
          ? {
              golive: { tool: g.tool, group_by: 'org', group_value: ORG_GROUP_VALUE, phase: which },
            }
          : {}),
        anonymous: true,
      },
      { now: open },
    );
    await openSurvey(store, SYSTEM, s.id, { now: open });
    // The pair of a phase is sent together: the second survey is not held back by the first.
    await inviteToSurvey(store, SYSTEM, s.id, { minDays: 0, key, now: open });
    const invited = new Set((await surveyInvitations(store, s.id)).map((i) => i.invitee));
    const rng = new Rng(mixSeed(14, instrument === 'sus' ? 1 : 2, which === 'pre' ? 1 : 2));
    const span = close.getTime() - open.getTime();
    for (const a of inDepartments) {
      const answers = rng.chance(ANSWER_RATE);
      const lag = rng.next();
      if (!answers || !invited.has(surveyInviteeToken(key, s.id, a.username))) continue;
      const u = latent.get(a.username)!;
      const lift = which === 'post' ? 1 : 0;
      const sheet =
        instrument === 'sus'
          ? susSheet(SUS_BEFORE.mean + SUS_BEFORE.sd * u + lift * DEMO_SURVEY_EFFECT.sus)
          : {
              [NPS_LINK_ID]: clip(
                Math.round(
                  NPS_BEFORE.mean + NPS_BEFORE.sd * u + lift * DEMO_SURVEY_EFFECT.nps_rating,
                ),
                0,
                10,
              ),
            };
      await respondToSurvey(
        store,
        a,
        s.id,
        { answers: sheet },
        {
          key,
          now: new Date(open.getTime() + lag * span * 0.8),
        },
      );
      responses++;
    }
    await closeSurvey(store, SYSTEM, s.id, { now: close });
    return s.id;
  }

  const preOpen = at(addDays(g.date, -21), 9);
  const preClose = at(addDays(g.date, -7), 17);
  const postOpen = at(addDays(g.date, 42), 9);
  const postClose = at(addDays(g.date, DAYS_AFTER_GOLIVE - 1), 17);
  const pre = {
    sus: await phase('sus', 'pre', preOpen, preClose),
    nps: await phase('nps', 'pre', preOpen, preClose),
  };
  const post = {
    sus: await phase('sus', 'post', postOpen, postClose),
    nps: await phase('nps', 'post', postOpen, postClose),
  };
  // Waiting on My report: net satisfaction of the whole organisation, invited at the present
  // under the organisation's contact budget.
  const open = await createSurvey(
    store,
    SYSTEM,
    {
      title: 'How are training, the tools and IT working for you?',
      instrument: 'net',
      anonymous: true,
    },
    { now: o.now },
  );
  await openSurvey(store, SYSTEM, open.id, { now: o.now });
  await inviteToSurvey(store, SYSTEM, open.id, {
    minDays: settings.survey_min_days,
    key,
    now: o.now,
  });
  return { pre, post, open: open.id, responses };
}
