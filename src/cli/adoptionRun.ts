/** `uptake adoption`'s work (its definition is `adoptionCommand.ts`). */
import { adoptionReport, type AdoptionBy, type FunnelRow } from '../analysis/adoption.ts';
import { resolveWeeks } from '../analysis/range.ts';
import { getTool } from '../analysis/tools.ts';
import { isTimeZone } from '../model/options.ts';
import { invalid } from '../errors/UptakeError.ts';
import { getSetting } from '../store/settings.ts';
import { renderReport, renderTable, type OutputFormat } from './format.ts';
import { wholeNumber, type StoreFlags } from './options.ts';
import { withStore } from './withStore.ts';

export interface AdoptionFlags extends StoreFlags {
  tool: string;
  by: AdoptionBy;
  from?: string;
  to?: string;
  tz?: string;
  habitual?: string;
  view: 'funnel' | 'weekly' | 'retention';
  format: OutputFormat;
}

const FUNNEL_FIELDS = [
  'group',
  'go_live',
  'eligible',
  'live',
  'trained',
  'first_use',
  'weekly_active',
  'habitual',
  'trained_share',
  'first_use_share',
  'weekly_active_share',
  'habitual_share',
  'days_training_to_first_use_median',
  'days_go_live_to_first_use_median',
  'used_before_training',
  'used_untrained',
  'depth',
  'suppressed',
];
const WEEKLY_FIELDS = [
  'group',
  'go_live',
  'week_start',
  'eligible',
  'live',
  'trained',
  'ever_used',
  'weekly_active',
  'habitual',
  'uses',
  'use_days',
];
const RETENTION_FIELDS = [
  'group',
  'cohort_week',
  'cohort_size',
  'weeks_since_first_use',
  'week_start',
  'active',
  'share',
];

function flat(f: FunnelRow): Record<string, unknown> {
  const { days_training_to_first_use: t, days_go_live_to_first_use: g, ...rest } = f;
  return {
    ...rest,
    days_training_to_first_use_median: t.median,
    days_go_live_to_first_use_median: g.median,
  };
}

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)}%`);
const count = (n: number | null, share: number | null) =>
  n === null ? '—' : `${n} (${pct(share)})`;

/** The adoption report of a tool, printed as the flags ask. */
export async function runAdoption(flags: AdoptionFlags): Promise<void> {
  if (flags.tz && !isTimeZone(flags.tz)) throw invalid(`--tz ${flags.tz} is not an IANA time zone`);
  const habitual =
    flags.habitual === undefined ? undefined : wholeNumber('--habitual', flags.habitual, 1);
  await withStore(flags, async (store) => {
    const tool = await getTool(store, flags.tool);
    const timezone = flags.tz ?? (await getSetting(store, 'timezone'));
    const weeks = await resolveWeeks(store, timezone, flags.from, flags.to);
    const threshold = Number(await getSetting(store, 'suppression_threshold'));
    const r = await adoptionReport(
      store,
      { tool, by: flags.by, ...weeks, timezone, habitualUses: habitual },
      threshold,
    );
    if (flags.format === 'json') {
      process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      return;
    }
    const { definitions: _d, ...options } = r.options;
    void _d;
    if (flags.format === 'csv') {
      const rows =
        flags.view === 'funnel'
          ? r.funnel.map(flat)
          : flags.view === 'weekly'
            ? r.weekly
            : r.retention;
      const fields =
        flags.view === 'funnel'
          ? FUNNEL_FIELDS
          : flags.view === 'weekly'
            ? WEEKLY_FIELDS
            : RETENTION_FIELDS;
      process.stdout.write(
        renderReport('csv', options, rows as unknown as Record<string, unknown>[], fields),
      );
      return;
    }
    const out: string[] = [
      `Adoption of ${tool.name} by ${flags.by}, weeks ${r.options.from} to ${r.options.to} (exclusive), ${timezone}; as of the week of ${r.options.as_of_week}.`,
    ];
    if (flags.view === 'funnel') {
      out.push(
        renderTable(
          r.funnel.map((f) => ({
            group: f.group,
            go_live: f.go_live ?? 'not live',
            eligible: f.eligible,
            live: f.live,
            trained: count(f.trained, f.trained_share),
            first_use: count(f.first_use, f.first_use_share),
            weekly_active: count(f.weekly_active, f.weekly_active_share),
            habitual: count(f.habitual, f.habitual_share),
            'days train→use': f.days_training_to_first_use.median,
            'days live→use': f.days_go_live_to_first_use.median,
            depth: f.depth,
          })),
          [
            'group',
            'go_live',
            'eligible',
            'live',
            'trained',
            'first_use',
            'weekly_active',
            'habitual',
            'days train→use',
            'days live→use',
            'depth',
          ],
        ),
        '',
        `Shares are of the eligible clinicians. weekly active: ≥ 1 use in the week of ${r.options.as_of_week}; habitual: ≥ ${r.options.habitual_uses} uses a week in 3 of the last 4 weeks; days: medians; depth: uses per clinician-day with use, last 4 weeks.`,
      );
      const hidden = r.funnel.filter((f) => f.suppressed);
      const small = hidden.filter((f) => f.eligible < threshold).map((f) => f.group);
      const guard = hidden.filter((f) => f.eligible >= threshold).map((f) => f.group);
      if (small.length)
        out.push(
          `Fewer than ${threshold} eligible clinicians (shown without numbers to non-administrators): ${small.join(', ')}` +
            (guard.length
              ? `; also hidden so that these cannot be worked out from the total: ${guard.join(', ')}.`
              : '.'),
        );
      if (r.outside_eligible.users)
        out.push(
          `${r.outside_eligible.users} users outside the eligible population used the tool ${r.outside_eligible.uses} times.`,
        );
      out.push(`More: --view weekly, --view retention, --format json.`);
    } else if (flags.view === 'weekly') {
      out.push(
        renderTable(
          r.weekly.map((w) => ({
            ...w,
            go_live: w.go_live ?? 'not live',
            trained: w.trained ?? '—',
          })),
          WEEKLY_FIELDS,
        ),
      );
    } else {
      out.push(
        renderTable(
          r.retention.map((x) => ({ ...x, share: pct(x.share) })),
          RETENTION_FIELDS,
        ),
      );
    }
    process.stdout.write(out.join('\n') + '\n');
  });
}
