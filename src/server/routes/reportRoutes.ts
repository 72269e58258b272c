/**
 * The report pages: meta (data range and the groups the caller may open), the organisation, one
 * group, and a clinician's own report. Who sees what:
 * - admin: everything, suppressed groups included, and identified clinicians when identified
 *   reports are on; may open any clinician's report (for support; logged).
 * - leader: the organisation page restricted to their groups' rows, and their groups' pages.
 * - champion: their groups' pages.
 * - it (IT / informatics): like a leader of every group — the organisation page and every group's
 *   page, suppressed groups without numbers, never an identified clinician.
 * - clinician (and any account linked to a clinician): their own report only.
 * A group with fewer clinicians than the suppression threshold, or hidden so that such a group
 * cannot be worked out by subtraction (`src/metrics/suppress.ts`), shows no numbers to anyone but
 * an administrator. Every view is written to the access log.
 */
import type { FastifyInstance } from 'fastify';
import { UptakeError } from '../../errors/UptakeError.ts';
import {
  defaultAnalysisWeeks,
  defaultReportRange,
  localToday,
  type DayRange,
} from '../../analysis/range.ts';
import { addDays, daysBetween } from '../../analysis/weeks.ts';
import { FIRST_DATE, LAST_DATE } from '../../model/options.ts';
import { VERSION } from '../../version.ts';
import {
  changes,
  groupOf,
  groupRows,
  halves,
  quantiles,
  redact,
  values,
  type Quantiles,
  type Roster,
} from '../aggregates.ts';
import type { User } from '../../model/accounts.ts';
import { memo, type BaseFacts, type Dataset } from '../cache.ts';
import { definitions } from '../definitions.ts';
import { denseExtentOf } from '../denseExtent.ts';
import type { OrgSettings } from '../../admin/orgSettings.ts';
import { API } from '../contract.ts';
import { defineRoute, logAccess, type Services } from '../routing.ts';
import { DISTRIBUTION_METRICS, type DistributionMetric, type GroupKind } from '../schemas.ts';
import { suggest } from '../suggestions.ts';

/** Longest range a page may ask for. */
export const MAX_RANGE_DAYS = 1100;

export function canSeeGroup(user: User, by: GroupKind, value: string): boolean {
  // IT sees aggregates like a leader of the whole organisation (never a clinician's numbers).
  if (user.role === 'admin' || user.role === 'it') return true;
  if (user.role !== 'leader' && user.role !== 'champion') return false;
  return user.groups.some((g) => g.by === by && g.value === value);
}

/**
 * The default range of the report pages: the last 12 complete weeks of the dense extent
 * (`src/analysis/range.ts`; whole local days, `to` exclusive), so a stray row far from the bulk
 * moves no default; today without events.
 */
export async function defaultRange(s: Services, facts: BaseFacts, tz: string): Promise<DayRange> {
  return defaultReportRange(await denseExtentOf(s, facts, tz), localToday(tz));
}

/**
 * The requested range, refused when empty or too long. A bound not given is the default's; when
 * the other bound lies beyond it, the one day next to the other bound.
 */
function resolveRange(
  q: { from?: string | undefined; to?: string | undefined },
  d: DayRange,
): DayRange {
  if (q.from !== undefined && q.to === undefined && q.from >= LAST_DATE)
    throw new UptakeError(
      'INVALID_INPUT',
      `query from: ${q.from} leaves no day before ${LAST_DATE}, the last date a range can name (to is exclusive); choose an earlier from`,
    );
  if (q.to !== undefined && q.from === undefined && q.to <= FIRST_DATE)
    throw new UptakeError(
      'INVALID_INPUT',
      `query to: ${q.to} leaves no day after ${FIRST_DATE}, the first date a range can name (to is exclusive); choose a later to`,
    );
  const from = q.from ?? (q.to !== undefined && q.to <= d.from ? addDays(q.to, -1) : d.from);
  const to = q.to ?? (q.from !== undefined && q.from >= d.to ? addDays(q.from, 1) : d.to);
  if (from >= to)
    throw new UptakeError(
      'INVALID_INPUT',
      `query to: ${to} must be after from ${from} (the range is [from, to))`,
    );
  const days = daysBetween(from, to);
  if (days > MAX_RANGE_DAYS)
    throw new UptakeError(
      'INVALID_INPUT',
      `query: ${days} days is longer than ${MAX_RANGE_DAYS}; choose a shorter range`,
    );
  return { from, to };
}

/**
 * The dataset of the requested range (the default range when none is given, kept as a pinned
 * default view), computed as one of `who`'s computations when not kept.
 */
async function load(
  s: Services,
  q: { from?: string | undefined; to?: string | undefined },
  who: string,
): Promise<{ ds: Dataset; settings: OrgSettings }> {
  await s.cache.check();
  const settings = await s.settings();
  const facts = await s.cache.facts();
  const d = await defaultRange(s, facts, settings.timezone);
  const { from, to } = resolveRange(q, d);
  if (from === d.from && to === d.to) s.cache.pin('report', from, to, settings.options);
  const ds = await s.cache.dataset(from, to, settings.options, who);
  return { ds, settings };
}

function reportOptions(ds: Dataset, settings: OrgSettings, period: 'all' | 'week', by: string) {
  return { ...ds.meta, period, by, suppression_threshold: settings.suppression_threshold };
}

function members(ds: Dataset, roster: Roster, by: GroupKind | 'org', value: string) {
  return ds.all.filter((r) => groupOf(roster, by, r.user_id) === value);
}

/** The whole range's group rows along `by`, suppression marked (computed once per dataset). */
function allRows(ds: Dataset, by: GroupKind | 'org', thr: number) {
  return memo(ds, `all:${by}:${thr}`, () => groupRows(ds.all, ds.roster, by, thr));
}

/**
 * One page's answer, built once per dataset, view (`key`: everything besides the dataset that the
 * answer depends on) and freshness, and returned again as the same object: `defineRoute` then
 * checks it and writes its JSON once (`memoized`). The access log is written per request, before.
 */
function page<T extends object>(s: Services, ds: Dataset, key: string, build: () => T) {
  const freshness = s.cache.freshness(ds);
  return memo(ds, `page:${key}:${JSON.stringify(freshness)}`, () => ({ ...build(), freshness }));
}

export function reportRoutes(app: FastifyInstance, s: Services): void {
  defineRoute(app, s, {
    ...API['GET /api/meta'],
    tag: 'reports',
    summary: 'Default range, dense extent, time zone, version and the groups the caller may open',
    access: 'session',
    async handler({ auth }) {
      await s.cache.check();
      const settings = await s.settings();
      const facts = await s.cache.facts();
      const user = auth!.user;
      const list = (by: GroupKind): string[] => {
        if (user.role === 'admin' || user.role === 'it') {
          const vals = new Set<string>();
          for (const r of facts.roster.values()) {
            const v = r[by];
            if (v) vals.add(v);
          }
          return [...vals].sort();
        }
        if (user.role === 'leader' || user.role === 'champion')
          return user.groups.filter((g) => g.by === by).map((g) => g.value);
        return [];
      };
      const dense = await denseExtentOf(s, facts, settings.timezone);
      const today = localToday(settings.timezone);
      return {
        ...defaultReportRange(dense, today),
        dense: dense && { from: dense.from, to: dense.to },
        analysis: dense && defaultAnalysisWeeks(dense, today),
        timezone: settings.timezone,
        departments: list('department'),
        specialties: list('specialty'),
        roles: list('role'),
        version: VERSION,
        last_import: facts.lastImport,
        data_range: facts.dataRange,
      };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/org'],
    memoized: true,
    tag: 'reports',
    summary: 'The organisation: weekly medians, departments, changes between halves',
    description:
      'Leaders see the organisation rows and the rows of their own groups only. Suppressed rows ' +
      'carry no numbers for non-administrators.',
    access: ['admin', 'leader', 'it'],
    async handler({ req, auth, query }) {
      const { ds, settings } = await load(s, query, auth!.user.username);
      const user = auth!.user;
      const admin = user.role === 'admin';
      const thr = settings.suppression_threshold;
      const d = memo(ds, `org:${thr}`, () => {
        const h = halves(ds.weekly);
        const departments = groupRows(ds.all, ds.roster, 'department', thr);
        const hidden = new Set(departments.filter((r) => r.suppressed).map((r) => r.group));
        return {
          weekly: groupRows(ds.weekly, ds.roster, 'org', thr),
          departments,
          weeklyByDepartment: groupRows(ds.weekly, ds.roster, 'department', thr),
          halves: h,
          // Medians and the smaller half's n are not additive: a change row is hidden with its
          // department, or when its own n is small.
          changes: changes(ds.weekly, ds.roster, 'department', h).map((c) => ({
            ...c,
            suppressed: c.n < thr || hidden.has(c.group),
          })),
        };
      });
      const mine = (group: string) => canSeeGroup(user, 'department', group);
      await logAccess(s, req, auth, 'view', 'org', `${ds.req.from}..${ds.req.to}`);
      const sees = admin
        ? 'all'
        : user.role === 'it'
          ? '(it: every group)'
          : user.groups
              .filter((g) => g.by === 'department')
              .map((g) => g.value)
              .sort()
              .join('\u0000');
      return page(s, ds, `org:${admin}:${thr}:${sees}`, () => ({
        options: reportOptions(ds, settings, 'week', 'org'),
        weekly: d.weekly.map((r) => redact(r, admin)),
        departments: d.departments.filter((r) => mine(r.group)).map((r) => redact(r, admin)),
        weekly_by_department: d.weeklyByDepartment
          .filter((r) => mine(r.group))
          .map((r) => redact(r, admin)),
        changes: d.changes
          .filter((c) => mine(c.group))
          .map((c) =>
            c.suppressed && !admin
              ? {
                  ...c,
                  first_half_median: null,
                  second_half_median: null,
                  change: null,
                  direction: null,
                  n: null,
                }
              : c,
          ),
        halves: d.halves,
        definitions: definitions(ds.req.options, thr),
      }));
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/groups/:by/:value'],
    memoized: true,
    tag: 'reports',
    summary: 'One department, specialty or role: distribution, trend, comparison',
    description:
      'Leaders and champions may open their own groups only (403 otherwise, whether or not the ' +
      'group exists). Clinicians are identified only for administrators with identified reports on.',
    access: ['admin', 'leader', 'champion', 'it'],
    async handler({ req, auth, params, query }) {
      const user = auth!.user;
      const resource = `group/${params.by}/${params.value}`;
      if (!canSeeGroup(user, params.by, params.value)) {
        await logAccess(s, req, auth, 'view', resource, 'not one of the caller’s groups', 'denied');
        throw new UptakeError(
          'FORBIDDEN',
          `you may open only your own groups (${user.groups.map((g) => `${g.by} ${g.value}`).join(', ') || 'none'})`,
        );
      }
      const { ds, settings } = await load(s, query, auth!.user.username);
      const admin = user.role === 'admin';
      const thr = settings.suppression_threshold;
      const rows = members(ds, ds.roster, params.by, params.value);
      const known = [...ds.roster.values()].some((r) => r[params.by] === params.value);
      if (!rows.length && !known)
        throw new UptakeError(
          'NOT_FOUND',
          `no ${params.by} ${params.value} in the roster or the data`,
        );
      const identified = admin && settings.identified_reports;
      await logAccess(
        s,
        req,
        auth,
        'view',
        resource,
        `${ds.req.from}..${ds.req.to}${identified ? ' identified' : ''}`,
      );
      const key = JSON.stringify(['group', params.by, params.value, admin, identified, thr]);
      return page(s, ds, key, () => {
        const n = rows.filter((r) => r.scheduled_hours > 0).length;
        // Suppressed with the groups of its kind (a small group, or one protecting a small one).
        const row = allRows(ds, params.by, thr).find((r) => r.group === params.value);
        const suppressed = row ? row.suppressed : n < thr;
        const show = admin || !suppressed;
        const distribution = Object.fromEntries(
          DISTRIBUTION_METRICS.map((m) => [m, show ? values(rows, m) : []]),
        );
        const weekly = memo(ds, `weekly:${params.by}:${thr}`, () =>
          groupRows(ds.weekly, ds.roster, params.by, thr),
        ).filter((r) => r.group === params.value);
        const org = allRows(ds, 'org', thr)[0];
        return {
          group: { by: params.by, value: params.value },
          suppressed,
          n: show ? n : null,
          distribution,
          ...(identified
            ? {
                clinicians: rows
                  .filter((r) => r.scheduled_hours > 0)
                  .map((r) => ({
                    user_id: r.user_id,
                    name: ds.roster.get(r.user_id)?.name ?? null,
                    scheduled_hours: r.scheduled_hours,
                    ...(Object.fromEntries(DISTRIBUTION_METRICS.map((m) => [m, r[m]])) as Record<
                      DistributionMetric,
                      number | null
                    >),
                  })),
              }
            : {}),
          weekly: weekly.map((r) => redact(r, admin)),
          org: org ? redact(org, admin) : null,
          definitions: definitions(ds.req.options, thr),
          options: reportOptions(ds, settings, 'all', params.by),
        };
      });
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/me/report'],
    memoized: true,
    tag: 'reports',
    summary: 'My report: my numbers beside my peers’ distribution, my trend, suggestions',
    description:
      'For the clinician the account is linked to; nobody else sees it. Administrators may pass ' +
      '`user_id` to open a clinician’s report for support (written to the access log).',
    access: 'session',
    async handler({ req, auth, query }) {
      const user = auth!.user;
      const admin = user.role === 'admin';
      let target = user.clinician_id;
      if (query.user_id !== undefined && query.user_id !== user.clinician_id) {
        if (!admin) {
          await logAccess(
            s,
            req,
            auth,
            'view',
            `report/${query.user_id}`,
            'another clinician’s report',
            'denied',
          );
          throw new UptakeError('FORBIDDEN', 'you may open only your own report');
        }
        target = query.user_id;
      }
      if (!target) {
        if (admin)
          throw new UptakeError(
            'INVALID_INPUT',
            'query user_id: your account is not a clinician; name the clinician with ?user_id=',
          );
        await logAccess(
          s,
          req,
          auth,
          'view',
          'report',
          'account not linked to a clinician',
          'denied',
        );
        throw new UptakeError(
          'FORBIDDEN',
          'your account is not linked to a clinician of the roster; ask an administrator',
        );
      }
      const { ds, settings } = await load(s, query, auth!.user.username);
      const thr = settings.suppression_threshold;
      const me = ds.all.find((r) => r.user_id === target) ?? null;
      if (admin && !me && !ds.roster.has(target))
        throw new UptakeError('NOT_FOUND', `no clinician ${target} in the roster or the data`);
      await logAccess(
        s,
        req,
        auth,
        'view',
        `report/${target}`,
        `${ds.req.from}..${ds.req.to}${target !== user.clinician_id ? ' support view by an administrator' : ''}`,
      );
      const clinician = target;
      return page(s, ds, JSON.stringify(['me', clinician, admin, thr]), () => {
        const weekly = ds.weekly.filter((r) => r.user_id === clinician);
        // Peers: the first of specialty, department, role that is not suppressed (enough
        // clinicians, and not hidden to protect a smaller group), else everyone.
        let peer: { by: GroupKind | 'org'; value: string; rows: typeof ds.all } | null = null;
        for (const by of ['specialty', 'department', 'role'] as const) {
          const value = groupOf(ds.roster, by, clinician);
          const row = allRows(ds, by, thr).find((r) => r.group === value);
          if (row && !row.suppressed) {
            peer = { by, value, rows: members(ds, ds.roster, by, value) };
            break;
          }
        }
        peer ??= { by: 'org', value: 'organisation', rows: ds.all };
        const n = peer.rows.filter((r) => r.scheduled_hours > 0).length;
        const suppressed = peer.by === 'org' ? n < thr : false;
        const show = admin || !suppressed;
        const q = Object.fromEntries(
          DISTRIBUTION_METRICS.map((m) => [
            m,
            show
              ? quantiles(values(peer.rows, m))
              : { p10: null, p25: null, median: null, p75: null, p90: null },
          ]),
        ) as Record<DistributionMetric, Quantiles>;
        return {
          me,
          weekly,
          peers: {
            group: { by: peer.by, value: peer.value },
            n: show ? n : null,
            suppressed,
            quantiles: q,
          },
          suggestions: suppressed ? [] : suggest(me, q),
          definitions: definitions(ds.req.options, thr),
          options: reportOptions(ds, settings, 'all', 'clinician'),
        };
      });
    },
  });
}
