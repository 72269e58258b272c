/**
 * Patient engagement (engagement.md §2): pooled figures per group for administrators, IT and
 * leaders (a leader sees their own groups and the organisation), and a clinician's own figures
 * beside their specialty's. Blocks below the small-cell rule (fewer than 11 distinct patients)
 * are null for everyone but administrators. Every view is written to the access log.
 */
import type { FastifyInstance } from 'fastify';
import { UptakeError } from '../../errors/UptakeError.ts';
import {
  engagementMeasures,
  parseEngagementRequest,
  redactSmallCells,
} from '../../engage/engagementMeasures.ts';
import { PATIENT_CELL_MIN, type EngagementRow } from '../../model/engagement.ts';
import type { User } from '../../model/accounts.ts';
import { API } from '../contract.ts';
import { defineRoute, logAccess, type Services } from '../routing.ts';
import { canSeeGroup } from './reportRoutes.ts';

type By = 'department' | 'specialty' | 'role' | 'org';

function sees(user: User, by: By, group: string): boolean {
  return by === 'org' || canSeeGroup(user, by, group);
}

export function engagementRoutes(app: FastifyInstance, s: Services): void {
  /** The request of §2 in the organisation's time zone and holidays, and its options. */
  const request = async (
    q: { from: string; to: string; period: string },
    by: string,
    admin: boolean,
  ) => {
    const settings = await s.settings();
    const req = parseEngagementRequest({
      ...q,
      by,
      timezone: settings.timezone,
      holidays: settings.holidays,
    });
    const options = {
      from: req.from,
      to: req.to,
      period: req.period,
      timezone: req.timezone,
      holidays: req.holidays,
      small_cell_patients: PATIENT_CELL_MIN,
      redacted: !admin,
    };
    return { req, options };
  };
  const shown = (rows: EngagementRow[], admin: boolean) => (admin ? rows : redactSmallCells(rows));

  defineRoute(app, s, {
    ...API['GET /api/engagement'],
    tag: 'engagement',
    summary: 'Patient engagement per group: portal use, timely access, replies, result views',
    description:
      'The figures of engagement.md §2 pooled per department, specialty, role or the whole ' +
      'organisation and period: sums of numerators and denominators, medians over the group’s ' +
      'messages and results. Leaders see their own groups and the organisation; IT every group. ' +
      'A block whose denominator counts fewer than 11 patients (and the next smallest group of ' +
      'the period, so that none can be worked out from the total) is null for everyone but ' +
      'administrators.',
    access: ['admin', 'leader', 'it'],
    async handler({ req, auth, query }) {
      const user = auth!.user;
      const admin = user.role === 'admin';
      const { req: r, options } = await request(query, query.by, admin);
      const rows = (await engagementMeasures(s.db.reader, r)).filter((row) =>
        sees(user, query.by, row.group),
      );
      await logAccess(s, req, auth, 'view', `engagement/${query.by}`, `${r.from}..${r.to}`);
      return { options: { ...options, by: query.by }, rows: shown(rows, admin) };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/me/engagement'],
    tag: 'engagement',
    summary: 'My patients’ engagement beside my specialty’s',
    description:
      'For the clinician the account is linked to: their own figures of engagement.md §2 per ' +
      'period, and the pooled figures of their specialty (their peers, themselves included). ' +
      'The small-cell rule applies to their own figures too, except for administrators.',
    access: 'session',
    async handler({ req, auth, query }) {
      const user = auth!.user;
      const admin = user.role === 'admin';
      const me = user.clinician_id;
      if (!me) {
        await logAccess(s, req, auth, 'view', 'engagement/me', 'no clinician', 'denied');
        throw new UptakeError('FORBIDDEN', 'your account is not linked to a roster clinician');
      }
      const [own] = await s.db.all<{ specialty: string | null }>(
        `SELECT specialty FROM clinicians WHERE user_id = $1`,
        [me],
      );
      const specialty = own?.specialty ?? '(not in roster)';
      const mineReq = await request(query, 'clinician', admin);
      const peersReq = await request(query, 'specialty', admin);
      // Every clinician's rows are computed and the caller's kept: the same SQL as the reports.
      const mine = (await engagementMeasures(s.db.reader, mineReq.req)).filter(
        (r) => r.group === me,
      );
      const peers = (await engagementMeasures(s.db.reader, peersReq.req)).filter(
        (r) => r.group === specialty,
      );
      await logAccess(s, req, auth, 'view', `engagement/me/${me}`, `${query.from}..${query.to}`);
      return {
        options: mineReq.options,
        clinician_id: me,
        peer_group: { by: 'specialty' as const, group: specialty },
        mine: shown(mine, admin),
        peers: shown(peers, admin),
      };
    },
  });
}
