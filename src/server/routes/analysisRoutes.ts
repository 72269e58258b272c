/**
 * The analysis pages: the tools and their go-lives, a tool's adoption funnel, and the evaluation of
 * a tool's go-lives on a weekly metric. For administrators and leaders; a leader sees only the
 * rows of their own groups (and the organisation as a whole), and a group below the suppression
 * threshold carries no numbers for non-administrators. Every view is written to the access log.
 */
import type { FastifyInstance } from 'fastify';
import { adoptionReport, type AdoptionReport } from '../../analysis/adoption.ts';
import {
  checkMetric,
  evaluate,
  EVALUATION_DEFAULTS,
  metricLabel,
} from '../../analysis/evaluate.ts';
import { resolveWeeks } from '../../analysis/range.ts';
import { suppressCells } from '../../metrics/suppress.ts';
import { getTool, listGoLives, listToolNames } from '../../analysis/tools.ts';
import type { User } from '../../model/accounts.ts';
import type { Dataset } from '../cache.ts';
import { API } from '../contract.ts';
import { currentDenseExtent } from '../denseExtent.ts';
import { defineRoute, logAccess, type Services } from '../routing.ts';
import { canSeeGroup } from './reportRoutes.ts';

type By = 'department' | 'specialty' | 'role' | 'org';

/** The group of an evaluation label (`Cardiology (live 2025-01-06)` → `Cardiology`). */
function baseGroup(label: string): string {
  return label.replace(/ \((live [^)]*|not live)\)$/, '');
}

function sees(user: User, by: By, group: string): boolean {
  if (user.role === 'admin') return true;
  if (by === 'org') return true;
  return canSeeGroup(user, by, baseGroup(group));
}

export function analysisRoutes(app: FastifyInstance, s: Services): void {
  defineRoute(app, s, {
    ...API['GET /api/tools'],
    tag: 'analysis',
    summary: 'The tools and their go-live dates',
    description:
      'For every signed-in account, to mark go-lives on its trend charts. Administrators see every ' +
      'go-live; leaders and champions those of their own groups; everyone those of the whole ' +
      'organisation and of their own clinician’s department, specialty and role (`mine`). Only ' +
      'tools with a go-live the caller sees are listed to clinicians and champions.',
    access: 'session',
    async handler({ req, auth }) {
      const user = auth!.user;
      const names = await listToolNames(s.db);
      // The caller's own clinician's groups, from the roster.
      const [own] = user.clinician_id
        ? await s.db.all<{
            department: string | null;
            specialty: string | null;
            role: string | null;
          }>(`SELECT department, specialty, role FROM clinicians WHERE user_id = $1`, [
            user.clinician_id,
          ])
        : [];
      const mine = (by: By, group: string) =>
        by === 'org' || (!!own && own[by] !== null && own[by] === baseGroup(group));
      const analyst = user.role === 'admin' || user.role === 'leader' || user.role === 'it';
      const out = [];
      for (const name of names) {
        const golives = (await listGoLives(s.db, name))
          .filter((g) => sees(user, g.group_by, g.group) || mine(g.group_by, g.group))
          .map((g) => ({
            group_by: g.group_by,
            group: g.group,
            date: g.date,
            mine: mine(g.group_by, g.group),
          }));
        if (analyst || golives.length) {
          const t = await getTool(s.db, name);
          out.push({
            name,
            target_metric: t.target_metric,
            target_direction: t.target_direction,
            golives,
          });
        }
      }
      await logAccess(s, req, auth, 'view', 'tools', `${out.length} tools`);
      return out;
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/adoption'],
    tag: 'analysis',
    summary: 'Adoption of a tool per group: funnel, weekly active and habitual users, retention',
    description:
      'eligible → trained → first use → weekly active → habitual, per group. Leaders see their own ' +
      'groups only; suppressed groups carry no numbers (and no weekly or retention rows) for ' +
      'non-administrators.',
    access: ['admin', 'leader', 'it'],
    async handler({ req, auth, query }) {
      const user = auth!.user;
      const admin = user.role === 'admin';
      const settings = await s.settings();
      const tool = await getTool(s.db, query.tool);
      const weeks = await resolveWeeks(s.db, settings.timezone, query.from, query.to, () =>
        currentDenseExtent(s, settings.timezone),
      );
      const thr = settings.suppression_threshold;
      const r: AdoptionReport = await adoptionReport(
        s.db.reader,
        { tool, by: query.by, ...weeks, timezone: settings.timezone },
        thr,
      );
      const visible = (g: string) => sees(user, query.by, g);
      const hidden = new Set(r.funnel.filter((f) => f.suppressed && !admin).map((f) => f.group));
      await logAccess(
        s,
        req,
        auth,
        'view',
        `adoption/${tool.name}`,
        `${query.by} ${weeks.from}..${weeks.to}`,
      );
      return {
        ...r,
        funnel: r.funnel
          .filter((f) => visible(f.group))
          .map((f) =>
            hidden.has(f.group)
              ? {
                  group: f.group,
                  go_live: f.go_live,
                  eligible: null,
                  live: null,
                  trained: null,
                  first_use: null,
                  weekly_active: null,
                  habitual: null,
                  trained_share: null,
                  first_use_share: null,
                  weekly_active_share: null,
                  habitual_share: null,
                  days_training_to_first_use: { n: null, p25: null, median: null, p75: null },
                  used_before_training: null,
                  used_untrained: null,
                  days_go_live_to_first_use: { n: null, p25: null, median: null, p75: null },
                  depth: null,
                  suppressed: true,
                }
              : f,
          ),
        weekly: r.weekly.filter((w) => visible(w.group) && !hidden.has(w.group)),
        retention: r.retention.filter((w) => visible(w.group) && !hidden.has(w.group)),
        outside_eligible: admin ? r.outside_eligible : { users: null, uses: null },
      };
    },
  });

  defineRoute(app, s, {
    ...API['GET /api/golive'],
    tag: 'analysis',
    summary: 'Effect of a tool’s go-lives on a weekly metric: ITS and DiD per group',
    description:
      'Interrupted time series and difference-in-differences per live group, with estimates, 95% ' +
      'intervals, the models’ assumptions and reasons when the data do not suffice, and the weekly ' +
      'group values for a before/after plot. Leaders see their own groups only (no pooled waves); ' +
      'suppressed groups carry no results for non-administrators.',
    access: ['admin', 'leader', 'it'],
    async handler({ req, auth, query }) {
      const user = auth!.user;
      const admin = user.role === 'admin';
      checkMetric(query.metric);
      const settings = await s.settings();
      const tool = await getTool(s.db, query.tool);
      const weeks = await resolveWeeks(s.db, settings.timezone, query.from, query.to, () =>
        currentDenseExtent(s, settings.timezone),
      );
      const thr = settings.suppression_threshold;
      // The default weeks (what the page opens on: every complete dense week) are a default
      // view: kept.
      await s.cache.check();
      if (query.from === undefined && query.to === undefined)
        s.cache.pin('golive', weeks.from, weeks.to, settings.options);
      let figures: Dataset | null = null;
      const report = await evaluate(s.db.reader, {
        tool,
        metrics: [query.metric],
        by: query.by,
        ...weeks,
        ...EVALUATION_DEFAULTS,
        metricOptions: settings.options,
        transitionWeeks: query.transition,
        summary: query.summary,
        cache: false,
        // The weekly rows of the report cache: computed once per import and range, shared with
        // the organisation and group pages, so a second evaluation (any tool, metric or group)
        // costs only the models.
        weeklyRows: async () => {
          await s.cache.check();
          figures = await s.cache.dataset(weeks.from, weeks.to, settings.options, user.username);
          return figures.weekly;
        },
      });
      const visible = (g: string, kind: string) =>
        admin || (kind !== 'wave' && sees(user, query.by, g));
      // The live and control groups add up to the tool's eligible clinicians (a wave is a sum of
      // live groups, shown to administrators only): small groups and their protectors.
      const hidden = suppressCells(
        report.results
          .filter((r) => r.kind !== 'wave')
          .map((r) => ({ key: r.group, n: r.clinicians })),
        thr,
      );
      const suppressedGroups = new Set<string>();
      const results = report.results
        .filter((r) => visible(r.group, r.kind))
        .map((r) => {
          const suppressed = r.kind === 'wave' ? r.clinicians < thr : hidden.has(r.group);
          if (suppressed && !admin) {
            suppressedGroups.add(r.group);
            return {
              metric: r.metric,
              group: r.group,
              kind: r.kind,
              go_live: r.go_live,
              clinicians: null,
              suppressed,
              // The same words whichever the reason: which groups are the small ones is private.
              note: `suppressed (groups of fewer than ${thr} clinicians, and a group that would let one be worked out): shown without numbers`,
            };
          }
          const strip = <M extends { controls?: string[] }>(m: M | undefined) =>
            m && !admin ? { ...m, controls: undefined } : m;
          return { ...r, suppressed, its: strip(r.its), did: strip(r.did) };
        });
      const shown = new Set(results.filter((r) => !r.suppressed || admin).map((r) => r.group));
      await logAccess(
        s,
        req,
        auth,
        'view',
        `golive/${tool.name}`,
        `${query.metric} ${query.by} ${weeks.from}..${weeks.to}`,
      );
      return {
        options: {
          tool: tool.name,
          metric: query.metric,
          metric_label: metricLabel(query.metric),
          by: query.by,
          from: weeks.from,
          to: weeks.to,
          timezone: settings.timezone,
          summary: query.summary,
          transition_weeks: query.transition,
          min_pre_weeks: EVALUATION_DEFAULTS.minPre,
          min_post_weeks: EVALUATION_DEFAULTS.minPost,
          suppression_threshold: thr,
        },
        // Adoption measures are counted from the events as they are now; the metrics' weekly
        // rows may be from before the last import (then marked updating).
        freshness: figures
          ? s.cache.freshness(figures)
          : { as_of: null, updating: false, pending: [] },
        results,
        series: report.series.filter((x) => shown.has(x.group) && !suppressedGroups.has(x.group)),
      };
    },
  });
}
