/**
 * Champions and training (program.md §4; rules in src/program/champions.ts,
 * championInvitations.ts, championCoverage.ts): suggested champions with their evidence and the
 * invitations, for administrators only; a clinician's own invitation, which only they see and
 * answer (an acceptance makes their account a champion of the department); coverage per
 * department with each champion's activity. Every view and change is written to the access log.
 */
import type { FastifyInstance } from 'fastify';
import { mayBecomeChampion } from '../../admin/accounts.ts';
import { localToday } from '../../analysis/range.ts';
import { UptakeError } from '../../errors/UptakeError.ts';
import { parseRequest } from '../../metrics/computeMetrics.ts';
import { dayFingerprint } from '../../metrics/metricDays.ts';
import { dayTableCtes } from '../../metrics/clinicianSql.ts';
import { CHAMPION_RULE, type ChampionSuggestions } from '../../model/champions.ts';
import { championCandidates, championReason, championWindow } from '../../program/champions.ts';
import {
  answerInvitation,
  invitationStates,
  inviteChampion,
  myInvitations,
} from '../../program/championInvitations.ts';
import { coverageReport } from '../../program/championCoverage.ts';
import { countTargets, trainingTargets } from '../../program/trainingTargets.ts';
import { trainingEffect } from '../../program/trainingEffect.ts';
import { addDays, mondayOnOrBefore } from '../../analysis/weeks.ts';
import { TRAINING_RULE } from '../../model/champions.ts';
import type { User } from '../../model/accounts.ts';
import { API } from '../contract.ts';
import { defineRoute, logAccess, type Services } from '../routing.ts';

/** The suggestions of the 8 weeks before `asOf`'s week, from the day table of the organisation's options. */
async function suggestions(s: Services, asOf: string): Promise<ChampionSuggestions> {
  const settings = await s.settings();
  const { from, to } = championWindow(asOf);
  // The day table of the organisation's options: filled in the background, waited for only
  // the first time (src/server/days.ts).
  await s.cache.days.ready(settings.options);
  const req = parseRequest({ from, to, period: 'all', options: settings.options });
  const chain = dayTableCtes(s.db.dialect, req, dayFingerprint(settings.options));
  const { considered, candidates } = await championCandidates(s.db, chain.clinician_rows, {
    to,
    timezone: settings.timezone,
  });
  const states = await invitationStates(s.db);
  const accounts = await s.accounts.list();
  const linked = new Map(
    accounts.flatMap((a) => (a.clinician_id ? [[a.clinician_id, a.username] as const] : [])),
  );
  return {
    from,
    to,
    rule: { ...CHAMPION_RULE },
    considered,
    suggestions: candidates
      .filter((c) => c.meets_all)
      .map((c) => ({
        ...c,
        invitation: states.get(c.user_id) ?? 'none',
        username: linked.get(c.user_id) ?? null,
      })),
  };
}

/** The weekly clinician rows of the 6 whole weeks before `asOf`'s week, from the day table. */
async function targetWeeks(s: Services, asOf: string) {
  const settings = await s.settings();
  const to = mondayOnOrBefore(asOf);
  const from = addDays(to, -7 * TRAINING_RULE.weeks);
  await s.cache.days.ready(settings.options);
  const req = parseRequest({ from, to, period: 'week', options: settings.options });
  return {
    from,
    to,
    weekly: dayTableCtes(s.db.dialect, req, dayFingerprint(settings.options)).clinician_rows,
  };
}

/** Whether roster clinician `c` is in one of `u`'s groups (administrators: everyone). */
function inGroupsOf(
  u: User,
  c: { department: string | null; specialty: string | null; role: string | null } | undefined,
): boolean {
  if (u.role === 'admin') return true;
  if (!c) return false;
  return u.groups.some((g) => c[g.by] === g.value);
}

export function championRoutes(app: FastifyInstance, s: Services, o: { now: () => Date }): void {
  const today = async () => localToday((await s.settings()).timezone, o.now());

  defineRoute(app, s, {
    ...API['GET /api/champions/suggestions'],
    tag: 'champions',
    summary: 'Suggested champions (program.md §4), with the evidence',
    description:
      'Clinicians with ≥ 40 scheduled hours in the 8 whole weeks before `as_of`’s week whose ' +
      'EHR-Time8 and after-hours hours per 8 scheduled hours are at or below their specialty’s ' +
      '40th percentile, whose appointments per scheduled hour are at or above its median, and ' +
      'who use every tool live for them habitually. Each figure comes with the cut-off. ' +
      'Administrators only.',
    access: ['admin'],
    async handler({ req, auth, query }) {
      const r = await suggestions(s, query.as_of ?? (await today()));
      await logAccess(
        s,
        req,
        auth,
        'view',
        'champions/suggestions',
        `${r.from}..${r.to}: ${r.suggestions.length} of ${r.considered}`,
      );
      return r;
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/champions/invitations'],
    tag: 'champions',
    summary: 'Invite a suggested clinician to champion their department',
    description:
      'Only a clinician among the suggestions (of `as_of`, default today) with an account linked ' +
      'to them can be invited (409 otherwise, saying why). The invitation carries the evidence as ' +
      'text; only the clinician sees it, and only their acceptance makes them a champion.',
    access: ['admin'],
    async handler({ req, auth, body }) {
      const r = await suggestions(s, body.as_of ?? (await today()));
      const c = r.suggestions.find((x) => x.user_id === body.user_id);
      if (!c)
        throw new UptakeError(
          'CONFLICT',
          `clinician ${body.user_id} is not among the suggested champions of ${r.from}..${r.to}; only a suggested clinician is invited`,
        );
      const account = await s.accounts.linkedTo(body.user_id);
      if (!account)
        throw new UptakeError(
          'CONFLICT',
          `clinician ${body.user_id} has no account to see the invitation; create one linked to them first (Settings → Users, or uptake users add --clinician ${body.user_id})`,
        );
      mayBecomeChampion(account);
      const inv = await inviteChampion(
        s.db,
        { user_id: body.user_id, invited_by: auth!.user.username, reason: championReason(c) },
        o.now(),
      );
      await logAccess(
        s,
        req,
        auth,
        'create',
        `champion-invitations/${inv.id}`,
        `${inv.user_id}, ${inv.department}`,
      );
      return inv;
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/me/champion-invitations'],
    tag: 'champions',
    summary: 'My invitations to become a champion (mine only)',
    description: 'Empty for an account not linked to a roster clinician.',
    access: 'session',
    async handler({ req, auth }) {
      const rows = await myInvitations(s.db, auth!.user.clinician_id);
      await logAccess(
        s,
        req,
        auth,
        'view',
        'me/champion-invitations',
        `${rows.length} invitations`,
      );
      return rows;
    },
  });

  defineRoute(app, s, {
    ...API['POST /api/me/champion-invitations/:id'],
    tag: 'champions',
    summary: 'Accept or decline my invitation',
    description:
      'Accepting gives my account the champion role for the invitation’s department (my sessions ' +
      'stay); declining is final for that department. Someone else’s invitation is 404; an ' +
      'answered one, or an account whose role accepting would replace (admin, leader, it), 409.',
    access: 'session',
    async handler({ req, auth, params, body }) {
      const user = auth!.user;
      if (body.answer === 'accept') mayBecomeChampion(user);
      const inv = await answerInvitation(s.db, user.clinician_id, params.id, body.answer, o.now());
      if (inv.state === 'accepted') await s.accounts.grantChampion(user.username, inv.department);
      await logAccess(s, req, auth, 'update', `champion-invitations/${inv.id}`, inv.state);
      return inv;
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/champions/coverage'],
    tag: 'champions',
    summary: 'Champion coverage per department, and each champion’s activity',
    description:
      'Champions per 10 clinicians; a department with none, or fewer than 1 per 15 clinicians, ' +
      'is `uncovered`, with the reason in `status`. Per champion: help requests answered and the ' +
      'median business hours (the organisation’s time zone and holidays) to a first answer.',
    access: ['admin', 'it'],
    async handler({ req, auth }) {
      const settings = await s.settings();
      const champions = (await s.accounts.list()).filter((u) => u.role === 'champion');
      const r = await coverageReport(s.db, champions, {
        timezone: settings.timezone,
        holidays: settings.holidays,
      });
      await logAccess(
        s,
        req,
        auth,
        'view',
        'champions/coverage',
        `${r.departments.filter((d) => d.uncovered).length} of ${r.departments.length} uncovered`,
      );
      return r;
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/me/training-targets'],
    tag: 'champions',
    summary: 'My training targets: metrics persistently high for me, and the course for each',
    description:
      'A metric above my specialty’s 75th percentile in at least 4 of the 6 whole weeks before ' +
      '`as_of`’s week, with the course that addresses it (a tool meant to lower the metric names ' +
      'it) and why. Mine only; empty for an account not linked to a roster clinician.',
    access: 'session',
    async handler({ req, auth, query }) {
      const me = auth!.user.clinician_id;
      const w = await targetWeeks(s, query.as_of ?? (await today()));
      const targets = me
        ? (await trainingTargets(s.db, w.weekly, { userId: me })).map(
            ({ user_id: _u, department: _d, ...t }) => t,
          )
        : [];
      await logAccess(s, req, auth, 'view', 'me/training-targets', `${targets.length} targets`);
      return { from: w.from, to: w.to, targets };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/training-targets/counts'],
    tag: 'champions',
    summary: 'Training targets per unit: counts only, never names',
    description:
      'How many clinicians of each department have a training target, per course — over the ' +
      'clinicians of my groups (leaders, champions) or everyone (administrators).',
    access: ['admin', 'leader', 'champion'],
    async handler({ req, auth, query }) {
      const w = await targetWeeks(s, query.as_of ?? (await today()));
      const roster = (await s.cache.facts()).roster;
      const mine = (await trainingTargets(s.db, w.weekly)).filter((t) =>
        inGroupsOf(auth!.user, roster.get(t.user_id)),
      );
      const rows = countTargets(mine);
      await logAccess(s, req, auth, 'view', 'training-targets/counts', `${rows.length} rows`);
      return { from: w.from, to: w.to, rows };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/training/effect'],
    tag: 'champions',
    summary: 'The effect of a course on the metric it targets (difference in differences)',
    description:
      'The change in the targeted metric (the target metric of the tool that names the course) ' +
      'of the largest cohort of clinicians who completed the course in one week, against ' +
      'clinicians of the same specialties who had not taken it yet, with its 95% interval and ' +
      'assumptions; or `insufficient_data` with the reason. A side with fewer clinicians than ' +
      'the suppression threshold is not estimated.',
    access: ['admin', 'it', 'leader'],
    async handler({ req, auth, query }) {
      const settings = await s.settings();
      await s.cache.days.ready(settings.options);
      let r = await trainingEffect(s.db, query.course, {
        today: await today(),
        timezone: settings.timezone,
        weekly: async (from, to) =>
          from < to
            ? dayTableCtes(
                s.db.dialect,
                parseRequest({ from, to, period: 'week', options: settings.options }),
                dayFingerprint(settings.options),
              ).clinician_rows
            : null,
      });
      const k = settings.suppression_threshold;
      if (r.effect && (r.trained < k || r.controls < k))
        r = {
          ...r,
          effect: null,
          pre_trend_difference: null,
          insufficient_data: {
            reason: `fewer than ${k} clinicians on one side (${r.trained} trained, ${r.controls} not yet): below the suppression threshold`,
          },
        };
      await logAccess(
        s,
        req,
        auth,
        'view',
        'training/effect',
        `${query.course}: ${r.effect ? 'estimated' : 'insufficient data'}`,
      );
      return r;
    },
  });
}
