/** `uptake evaluate`'s work (its definition is `evaluateCommand.ts`). */
import type { AdoptionBy } from '../analysis/adoption.ts';
import {
  checkMetric,
  evaluate,
  metricLabel,
  type EvaluationRow,
  type ModelResult,
} from '../analysis/evaluate.ts';
import { resolveWeeks } from '../analysis/range.ts';
import { getTool } from '../analysis/tools.ts';
import { isTimeZone, metricOptionsSchema } from '../model/options.ts';
import { invalid } from '../errors/UptakeError.ts';
import type { Estimate } from '../analysis/stats/regression.ts';
import { getSetting } from '../store/settings.ts';
import { renderTable, type OutputFormat } from './format.ts';
import { wholeNumber, type StoreFlags } from './options.ts';
import { withStore } from './withStore.ts';

export interface EvaluateFlags extends StoreFlags {
  metric: string;
  tool: string;
  by: AdoptionBy;
  from?: string;
  to?: string;
  tz?: string;
  transition: string;
  minPre: string;
  minPost: string;
  lag: string;
  seasonality: 'none' | 'fourier';
  summary: 'median' | 'mean';
  method: 'both' | 'its' | 'did';
  cache: boolean;
  timeout: string;
  overTimeout: 'drop' | 'cap';
  direction: 'forward' | 'backward';
  attribution: 'split' | 'start';
  excludeChannels?: string;
  mergeGap: string;
  wow: string;
  format: OutputFormat;
}

/** The headline estimate of a model: ITS's average effect, DiD's ATT. */
function headline(m: ModelResult): Estimate | null {
  return m.estimates?.['average_effect'] ?? m.estimates?.['att'] ?? null;
}
function relative(m: ModelResult): Estimate | null {
  return m.estimates?.['relative_average_effect'] ?? m.estimates?.['relative_att'] ?? null;
}

const num = (x: number) =>
  Math.abs(x) >= 10 ? x.toFixed(1) : Math.abs(x) >= 0.1 ? x.toFixed(2) : x.toPrecision(2);

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const CSV_FIELDS = [
  'metric',
  'group',
  'kind',
  'go_live',
  'clinicians',
  'model',
  'estimate_name',
  'estimate',
  'se',
  'ci95_low',
  'ci95_high',
  'p_value',
  'n_pre',
  'n_post',
  'n_transition_excluded',
  'lag',
  'insufficient_data',
];

function csvRows(rows: EvaluationRow[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const r of rows) {
    const base = {
      metric: r.metric,
      group: r.group,
      kind: r.kind,
      go_live: r.go_live,
      clinicians: r.clinicians,
    };
    if (r.kind === 'control') {
      out.push({ ...base, insufficient_data: r.note });
      continue;
    }
    for (const [name, m] of [
      ['its', r.its],
      ['did', r.did],
    ] as const) {
      if (!m) continue;
      const common = {
        ...base,
        model: name,
        n_pre: m.n_pre,
        n_post: m.n_post,
        n_transition_excluded: m.n_transition_excluded,
        lag: m.lag,
      };
      if (m.insufficient_data) {
        out.push({ ...common, insufficient_data: m.insufficient_data.reason });
        continue;
      }
      for (const [en, e] of Object.entries(m.estimates ?? {}))
        if (e)
          out.push({
            ...common,
            estimate_name: en,
            estimate: e.estimate,
            se: e.se,
            ci95_low: e.ci95[0],
            ci95_high: e.ci95[1],
            p_value: e.p_value,
          });
    }
  }
  return out;
}

/** Evaluate the go-lives of a tool on the metrics asked for, printed as the flags ask. */
export async function runEvaluate(flags: EvaluateFlags): Promise<void> {
  const metrics = flags.metric
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  if (!metrics.length) throw invalid('--metric names no metric');
  metrics.forEach(checkMetric);
  if (flags.tz && !isTimeZone(flags.tz)) throw invalid(`--tz ${flags.tz} is not an IANA time zone`);
  const lag = flags.lag === 'auto' ? 'auto' : wholeNumber('--lag', flags.lag);
  await withStore(flags, async (store) => {
    const tool = await getTool(store, flags.tool);
    const timezone = flags.tz ?? (await getSetting(store, 'timezone'));
    const options = metricOptionsSchema.safeParse({
      timezone,
      timeout_seconds: wholeNumber('--timeout', flags.timeout, 1),
      over_timeout: flags.overTimeout,
      direction: flags.direction,
      attribution: flags.attribution,
      exclude_channels: flags.excludeChannels
        ? flags.excludeChannels.split(',').map((c) => c.trim())
        : [],
      session_merge_gap_minutes: wholeNumber('--merge-gap', flags.mergeGap),
      wow: flags.wow,
    });
    if (!options.success)
      throw invalid(
        `metric options: ${options.error.issues[0]?.path.join('.')}: ${options.error.issues[0]?.message}`,
      );
    const weeks = await resolveWeeks(store, timezone, flags.from, flags.to);
    const transitionWeeks = wholeNumber('--transition', flags.transition);
    const report = await evaluate(store, {
      tool,
      metrics,
      by: flags.by,
      ...weeks,
      metricOptions: options.data,
      transitionWeeks,
      minPre: wholeNumber('--min-pre', flags.minPre, 2),
      minPost: wholeNumber('--min-post', flags.minPost, 1),
      lag,
      seasonality: flags.seasonality,
      summary: flags.summary,
      methods: flags.method === 'both' ? ['its', 'did'] : [flags.method],
      cache: flags.cache,
    });
    if (flags.format === 'json') {
      process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      return;
    }
    if (flags.format === 'csv') {
      process.stdout.write(
        [
          `# options: ${JSON.stringify(report.options)}`,
          CSV_FIELDS.join(','),
          ...csvRows(report.results).map((r) => CSV_FIELDS.map((f) => csvCell(r[f])).join(',')),
        ].join('\n') + '\n',
      );
      return;
    }
    const out: string[] = [];
    for (const metric of metrics) {
      const rows = report.results.filter((r) => r.metric === metric);
      out.push(
        `Go-live evaluation of ${tool.name} on ${metricLabel(metric)}, by ${flags.by}; weeks ${weeks.from} to ${weeks.to} (exclusive); weekly ${flags.summary} across clinicians; transition ${transitionWeeks} weeks.`,
        renderTable(
          rows.flatMap((r): Record<string, unknown>[] =>
            r.kind === 'control'
              ? [
                  {
                    group: r.group,
                    go_live: 'not live',
                    model: '—',
                    effect: '—',
                    '95% CI': '—',
                    relative: '—',
                    p: '—',
                    pre: '—',
                    post: '—',
                    note: 'control',
                  },
                ]
              : (
                  [
                    ['ITS', r.its],
                    ['DiD', r.did],
                  ] as const
                )
                  .filter(([, m]) => m)
                  .map(([name, m]) => {
                    const e = headline(m!);
                    const rel = relative(m!);
                    return {
                      group: r.group,
                      go_live: r.go_live ?? '',
                      model: name,
                      effect: e ? num(e.estimate) : '—',
                      '95% CI': e ? `${num(e.ci95[0])} to ${num(e.ci95[1])}` : '—',
                      relative: rel ? `${(rel.estimate * 100).toFixed(0)}%` : '—',
                      p: e ? (e.p_value < 0.001 ? '<0.001' : e.p_value.toFixed(3)) : '—',
                      pre: m!.n_pre,
                      post: m!.n_post,
                      note: m!.insufficient_data
                        ? `insufficient data: ${m!.insufficient_data.reason}`
                        : '',
                    };
                  }),
          ),
          ['group', 'go_live', 'model', 'effect', '95% CI', 'relative', 'p', 'pre', 'post', 'note'],
        ),
        '',
        ...rows.flatMap((r) =>
          [r.its?.interpretation, r.did?.interpretation]
            .filter((s): s is string => !!s)
            .map((s) => `• ${s}`),
        ),
        '',
      );
    }
    const anyIts = report.results.find((r) => r.its);
    const anyDid = report.results.find((r) => r.did);
    if (anyIts?.its)
      out.push(
        `ITS — ${anyIts.its.model}. Assumptions:`,
        ...anyIts.its.assumptions.map((a) => `  - ${a}`),
      );
    if (anyDid?.did)
      out.push(
        `DiD — ${anyDid.did.model}. Assumptions:`,
        ...anyDid.did.assumptions.map((a) => `  - ${a}`),
      );
    out.push(
      'effect: ITS = mean over the weeks after go-live of observed minus projected; DiD = change relative to groups not yet live. --format json has every estimate (level change, slope change, pre-trend) and the weekly series.',
    );
    process.stdout.write(out.join('\n') + '\n');
  });
}
