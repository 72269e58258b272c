/**
 * §2: "An item linked to a metric and a group shows, once done, that metric's weekly values before
 * and after (the go-live evaluation's models, with the done date as the go-live)." The item's
 * group is its go-live link's group, else its department link; the evaluation is
 * `src/analysis/evaluate.ts` on a tool-like definition that is never stored — every clinician
 * eligible, no uses, and one go-live: the group at the local date the item was done — over the
 * weeks the go-live page opens on (every complete dense week). Its ITS is the group's series
 * alone; its DiD compares the group with the other groups of the same kind (none live).
 */
import { evaluate, EVALUATION_DEFAULTS, metricLabel } from '../analysis/evaluate.ts';
import { resolveWeeks } from '../analysis/range.ts';
import type { ToolDefinition } from '../analysis/tools.ts';
import type { FeedbackEventRow, FeedbackItemRow } from '../model/feedback.ts';
import type { GoalGroupBy } from '../model/goal.ts';
import { ORG_GROUP_VALUE } from '../model/goal.ts';
import type { OrgSettings } from '../admin/orgSettings.ts';
import { localDateOf } from '../program/businessHours.ts';
import { currentDenseExtent } from './denseExtent.ts';
import type { FeedbackEffect } from './programSchemas.ts';
import type { Services } from './routing.ts';

/** The item's group: its go-live link's, else its department link's; null without either. */
export function effectGroup(
  i: Pick<FeedbackItemRow, 'link_golive_by' | 'link_golive_value' | 'link_department'>,
): { group_by: GoalGroupBy; group_value: string } | null {
  const by = i.link_golive_by;
  if (
    (by === 'department' || by === 'specialty' || by === 'role' || by === 'org') &&
    i.link_golive_value
  )
    return { group_by: by, group_value: by === 'org' ? ORG_GROUP_VALUE : i.link_golive_value };
  if (i.link_department) return { group_by: 'department', group_value: i.link_department };
  return null;
}

/** The local date of the item's last move to `done` (null when it has none). */
export function doneDate(history: readonly FeedbackEventRow[], timezone: string): string | null {
  const done = history.filter((e) => e.kind === 'state' && e.to_state === 'done').at(-1);
  return done ? localDateOf(Date.parse(done.occurred_at), timezone) : null;
}

const empty = {
  metric: null,
  metric_label: null,
  group_by: null,
  group_value: null,
  done_date: null,
  weeks: null,
  series: [],
  its: null,
  did: null,
} satisfies Omit<FeedbackEffect, 'status' | 'reason'>;

/** Why an item shows no before/after, or null when it can. */
export function effectNotApplicable(
  item: Pick<
    FeedbackItemRow,
    'state' | 'link_metric' | 'link_golive_by' | 'link_golive_value' | 'link_department'
  >,
): string | null {
  if (!item.link_metric) return 'the item names no metric';
  if (!effectGroup(item)) return 'the item names no department or go-live group';
  if (item.state !== 'done') return 'the item is not done yet: the before and after start then';
  return null;
}

export interface EffectAccess {
  /** The reader may see the group's numbers (IT, administrators, the group's members, leaders). */
  sees: (g: { group_by: GoalGroupBy; group_value: string }) => boolean;
  /** The group is smaller than the suppression threshold and the reader not an administrator. */
  suppressed: (g: { group_by: GoalGroupBy; group_value: string }) => boolean;
  admin: boolean;
  username: string;
}

/** The before/after of a done item (see the module's comment). */
export async function feedbackEffect(
  s: Services,
  item: FeedbackItemRow,
  history: readonly FeedbackEventRow[],
  settings: OrgSettings,
  access: EffectAccess,
): Promise<FeedbackEffect> {
  const why = effectNotApplicable(item);
  if (why) return { status: 'not_applicable', reason: why, ...empty };
  const metric = item.link_metric!;
  const group = effectGroup(item)!;
  const date = doneDate(history, settings.timezone);
  if (!date) return { status: 'not_applicable', reason: 'the item has no done date', ...empty };
  const head = {
    metric,
    metric_label: metricLabel(metric),
    ...group,
    done_date: date,
  };
  if (!access.sees(group))
    return {
      status: 'hidden',
      reason: `your role does not show the numbers of ${group.group_by} ${group.group_value}`,
      ...empty,
      ...head,
    };
  if (access.suppressed(group))
    return {
      status: 'hidden',
      reason: `the group has fewer than ${settings.suppression_threshold} clinicians: its numbers are not shown`,
      ...empty,
      ...head,
    };
  const weeks = await resolveWeeks(s.db, settings.timezone, undefined, undefined, () =>
    currentDenseExtent(s, settings.timezone),
  );
  const tool: ToolDefinition = {
    name: `feedback ${item.id}`,
    description: null,
    habitual_uses: 5,
    actions: [],
    categories: [],
    eligible: { roles: [], departments: [], specialties: [] },
    courses: [],
    target_metric: null,
    target_direction: null,
    golives: [{ group_by: group.group_by, group: group.group_value, date }],
  };
  await s.cache.check();
  const report = await evaluate(s.db.reader, {
    tool,
    metrics: [metric],
    by: group.group_by,
    ...weeks,
    ...EVALUATION_DEFAULTS,
    metricOptions: settings.options,
    cache: false,
    goLivesFromDefinition: true,
    // The weekly rows of the report cache, shared with the report and go-live pages.
    weeklyRows: async () =>
      (await s.cache.dataset(weeks.from, weeks.to, settings.options, access.username)).weekly,
  });
  const row = report.results.find((r) => r.kind === 'live group' && r.go_live === date);
  const series = report.series
    .filter((x) => x.group === row?.group)
    .map((x) => ({ week_start: x.week_start, value: x.value, n: x.n }));
  const strip = <M extends { controls?: string[] }>(m: M | undefined) =>
    m ? (access.admin ? m : { ...m, controls: undefined }) : null;
  return {
    status: 'shown',
    reason: row
      ? null
      : `no clinician of ${group.group_by} ${group.group_value} has a value in the weeks evaluated`,
    ...head,
    weeks,
    series,
    its: strip(row?.its),
    did: strip(row?.did),
  };
}
