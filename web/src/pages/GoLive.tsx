/**
 * Go-live (administrators and leaders): "Did the tool change the metric where it went live?" For
 * each live group the weekly metric before and after its go-live, and the effect estimated by an
 * interrupted time series (and against groups not yet live) with its 95% interval in words.
 */
import { useState, type ReactNode } from 'react';
import { Chart, AXIS, COLORS, type ChartOption } from '../components/Chart.tsx';
import {
  ErrorBox,
  Loading,
  PageHeader,
  RangePicker,
  Select,
  Updating,
  type PageProps,
} from '../components/ui.tsx';
import { rangeWords } from '../dates.ts';
import { useApi, useRefreshWhileUpdating } from '../hooks.ts';
import type {
  Estimate,
  GoLiveQuery,
  GoLiveReport,
  GoLiveResult,
  ModelResult,
  ToolInfo,
} from '../api.ts';
import { info as metricInfo, unitText } from '../metrics.ts';
import { GroupBySelect, ToolSelect, toolsGate, type AnalysisBy } from './Adoption.tsx';
import { GoLiveSurveys } from './GoLiveSurveys.tsx';

/** A metric the evaluation can follow (the server's closed set). */
type GoLiveMetric = GoLiveQuery['metric'];

/** Metric, its short name and unit in words. */
const METRICS: readonly [GoLiveMetric, string, string][] = [
  ['ehr_time8', 'EHR-Time8', 'hours per 8 scheduled hours'],
  ['ib_time8', 'IB-Time8', 'hours per 8 scheduled hours'],
  ['note_time8', 'Note-Time8', 'hours per 8 scheduled hours'],
  ['pres_time8', 'Pres-Time8', 'hours per 8 scheduled hours'],
  ['wow8', 'WOW8', 'hours per 8 scheduled hours'],
  ['adoption.active_share', 'Share of weekly active users', 'percentage points'],
  ['adoption.uses_per_clinician', 'Uses per clinician', 'uses a week'],
];

const TRANSITIONS = [0, 1, 2, 4];

const num = (x: number): string =>
  Math.abs(x) >= 10 ? x.toFixed(1) : Math.abs(x) >= 0.1 ? x.toFixed(2) : x.toPrecision(2);

/**
 * A metric of the list, or any per-clinician metric a tool may be meant to move (a tool's
 * `target_metric`), in the words of `metrics.ts`.
 */
function metricEntry(key: GoLiveMetric): readonly [GoLiveMetric, string, string] {
  const known = METRICS.find(([k]) => k === key);
  if (known) return known;
  const m = metricInfo(key);
  return [key, m.label, m.unit === 'share' ? 'percentage points' : unitText(key)];
}

function metricWords(metric: string): { name: string; unit: string; scale: number } {
  // A report's metric is the one the page asked for: one of the server's closed set.
  const m = metricEntry(metric as GoLiveMetric);
  return { name: m[1], unit: m[2], scale: m[2] === 'percentage points' ? 100 : 1 };
}

/** "IB-Time8 fell by 0.30 hours per 8 scheduled hours (95% CI 0.10 to 0.50) after go-live". */
export function effectText(metric: string, e: Estimate, versus = '', event = 'go-live'): string {
  const { name, unit, scale } = metricWords(metric);
  const v = e.estimate * scale;
  const [lo, hi] = [e.ci95[0] * scale, e.ci95[1] * scale];
  const u = unit ? ` ${unit}` : '';
  if (lo <= 0 && hi >= 0)
    return `${name} changed by ${v >= 0 ? '+' : '−'}${num(Math.abs(v))}${u} after ${event}${versus} (95% CI ${num(lo)} to ${num(hi)}): consistent with no change.`;
  if (v < 0)
    return `${name} fell by ${num(-v)}${u} (95% CI ${num(-hi)} to ${num(-lo)}) after ${event}${versus}.`;
  return `${name} rose by ${num(v)}${u} (95% CI ${num(lo)} to ${num(hi)}) after ${event}${versus}.`;
}

function headline(m: ModelResult | undefined): Estimate | null {
  return m?.estimates?.['average_effect'] ?? m?.estimates?.['att'] ?? null;
}

/**
 * The metric a tool is evaluated on at first: the one its definition says it is meant to move
 * (`target_metric`, where the server sends one), else EHR-Time8.
 */
export function targetMetric(t: ToolInfo | undefined): GoLiveMetric {
  return t?.target_metric ?? 'ehr_time8';
}

export function GoLivePage({ meta, range, setRange }: PageProps): ReactNode {
  const tools = useApi('GET /api/tools');
  // A link may open the page on a tool, metric and grouping (a goal's "see the go-live
  // evaluation": `#/golive?tool=…&metric=…&by=…`); the server checks each.
  const [linked] = useState(() => new URLSearchParams(window.location.hash.split('?')[1] ?? ''));
  const [chosen, setChosen] = useState(linked.get('tool') ?? '');
  // Empty: the chosen tool's target metric (else EHR-Time8).
  const [metricChoice, setMetric] = useState<GoLiveMetric | ''>(
    (linked.get('metric') as GoLiveMetric | null) ?? '',
  );
  const [by, setBy] = useState<AnalysisBy>(
    (['department', 'specialty', 'role', 'org'] as const).find((b) => b === linked.get('by')) ??
      'department',
  );
  const [transition, setTransition] = useState(0);
  const tool = chosen || tools.data?.[0]?.name || '';
  const info = tools.data?.find((t) => t.name === tool);
  const metric = metricChoice || targetMetric(info);
  // The tool's target is offered even when it is not one of the usual few.
  const choices = METRICS.some(([k]) => k === metric) ? METRICS : [...METRICS, metricEntry(metric)];
  const firstGoLive = [...(info?.golives ?? [])].map((g) => g.date).sort()[0] ?? null;
  const report = useApi(
    'GET /api/golive',
    tool
      ? {
          query: {
            tool,
            metric,
            by,
            transition: String(transition),
            from: range.from,
            to: range.to,
          },
        }
      : null,
  );
  useRefreshWhileUpdating(report);

  const header = (
    <PageHeader title="Go-live" question="Did the metric change where the tool went live?">
      {tools.data?.length ? (
        <>
          <ToolSelect
            tools={tools.data}
            value={tool}
            onChange={(t) => {
              setChosen(t);
              setMetric('');
            }}
          />
          <Select label="Metric" value={metric} onChange={(v) => setMetric(v as GoLiveMetric)}>
            {choices.map(([k, l]) => (
              <option key={k} value={k}>
                {l}
              </option>
            ))}
          </Select>
          <GroupBySelect value={by} onChange={setBy} />
          <Select
            label="Transition weeks left out"
            value={transition}
            onChange={(v) => setTransition(Number(v))}
          >
            {TRANSITIONS.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </Select>
        </>
      ) : null}
      <RangePicker range={range} meta={meta} onChange={setRange} goLive={firstGoLive} />
    </PageHeader>
  );
  const gate = toolsGate(header, tools);
  if (gate) return gate;
  return (
    <>
      {header}
      {report.error ? (
        <ErrorBox error={report.error} />
      ) : !report.data ? (
        <Loading what="the go-live evaluation" />
      ) : (
        <>
          <Updating freshness={report.data.freshness} timezone={meta.timezone} />
          <GoLiveBody r={report.data} />
        </>
      )}
      {tool ? <GoLiveSurveys tool={tool} /> : null}
    </>
  );
}

function GoLiveBody({ r }: { r: GoLiveReport }): ReactNode {
  const live = r.results.filter((x) => x.kind === 'live group');
  const waves = r.results.filter((x) => x.kind === 'wave' && !x.suppressed);
  const its = r.results.find((x) => x.its)?.its;
  const did = r.results.find((x) => x.did)?.did;
  return (
    <>
      <p className="lede">
        {r.options.metric_label} of {r.options.tool}, weekly {r.options.summary} across each group’s
        clinicians, the weeks {rangeWords(r.options.from, r.options.to)};{' '}
        {r.options.transition_weeks} transition weeks after go-live left out.
      </p>
      {live.length ? (
        live.map((g) => <GroupEffect key={g.group} r={r} g={g} />)
      ) : (
        <p className="lede">No group you may see has gone live with {r.options.tool}.</p>
      )}
      {waves.length ? (
        <section aria-labelledby="waves" className="section">
          <h2 id="waves">Groups that went live together, pooled</h2>
          <p>
            The groups of one go-live week taken as one (their weekly values weighted by their
            clinicians): a more precise estimate when each group alone is small.
          </p>
          {waves.map((w) => {
            const e = headline(w.its);
            const d = headline(w.did);
            return (
              <div key={w.group} className="effects" data-wave={w.group}>
                <h3>
                  {w.group}, {w.clinicians} clinicians
                </h3>
                {e ? <p className="effect-text">{effectText(r.options.metric, e)}</p> : null}
                {d ? (
                  <p className="effect-text">
                    {effectText(r.options.metric, d, ', compared with groups not yet live')}
                  </p>
                ) : null}
                {!e && w.its?.insufficient_data ? (
                  <p className="insufficient">
                    Not enough data for the interrupted time series:{' '}
                    {w.its.insufficient_data.reason}
                  </p>
                ) : null}
              </div>
            );
          })}
        </section>
      ) : null}
      <section aria-labelledby="assumptions" className="section">
        <h2 id="assumptions">What the models assume</h2>
        {its ? (
          <>
            <h3>{its.model}</h3>
            <ul>
              {its.assumptions.map((a) => (
                <li key={a}>{a}</li>
              ))}
            </ul>
          </>
        ) : null}
        {did ? (
          <>
            <h3>{did.model}</h3>
            <ul>
              {did.assumptions.map((a) => (
                <li key={a}>{a}</li>
              ))}
            </ul>
          </>
        ) : null}
      </section>
    </>
  );
}

function GroupEffect({ r, g }: { r: GoLiveReport; g: GoLiveResult }): ReactNode {
  const id = `golive-${g.group.replace(/[^A-Za-z0-9]+/g, '-')}`;
  return (
    <section aria-labelledby={id} className="section golive-group">
      <h2 id={id}>
        {g.group}
        {g.go_live ? `, live ${g.go_live}` : ''}
      </h2>
      {g.suppressed && g.clinicians === null ? (
        <p className="lede">
          Fewer than {r.options.suppression_threshold} clinicians, or would let such a group be
          worked out: shown without numbers.
        </p>
      ) : (
        <BeforeAfter
          metric={r.options.metric}
          summary={r.options.summary}
          group={g.group}
          rows={r.series.filter((x) => x.group === g.group)}
          goLive={g.go_live}
          its={g.its}
          did={g.did}
        />
      )}
    </section>
  );
}

/**
 * A group's weekly values before and after a date (a go-live, or a feedback item's done date):
 * the chart with the date marked, the interrupted time series' fitted lines and counterfactual,
 * and both models' estimates with their intervals — or why a model could not be estimated.
 */
export function BeforeAfter({
  metric,
  summary,
  group,
  rows,
  goLive,
  its,
  did,
  event = 'go-live',
  controls = 'groups not yet live',
}: {
  metric: string;
  summary: string;
  group: string;
  rows: { week_start: string; value: number; n: number }[];
  goLive: string | null;
  its: ModelResult | null | undefined;
  did: ModelResult | null | undefined;
  /** What the date is, in words: "go-live", "done". */
  event?: string;
  /** What the difference in differences compares the group with, in words. */
  controls?: string;
}): ReactNode {
  const g = { go_live: goLive, its: its ?? undefined, did: did ?? undefined };
  const r = { options: { metric, summary } };
  const weeks = rows.map((x) => x.week_start);
  const goWeek = g.go_live ? ([...weeks].reverse().find((w) => w <= g.go_live!) ?? null) : null;
  const { name } = metricWords(r.options.metric);
  // The fitted ITS segments (before go-live, after the transition) and the pre-go-live trend
  // carried on (what the effect is measured against), aligned to the plotted weeks.
  const fit = new Map((g.its?.fitted ?? []).map((f) => [f.week_start, f]));
  const along = (pick: (f: NonNullable<ModelResult['fitted']>[number]) => number | null) =>
    weeks.map((w) => {
      const f = fit.get(w);
      return f ? pick(f) : null;
    });
  const before = along((f) => (f.projected === null ? f.fitted : null));
  const after = along((f) => (f.projected === null ? null : f.fitted));
  const projected = along((f) => f.projected);
  const hasFit = fit.size > 0;
  const fitLine = (name: string, data: (number | null)[], dashed: boolean) => ({
    type: 'line' as const,
    name,
    data,
    showSymbol: false,
    connectNulls: false,
    lineStyle: {
      color: dashed ? COLORS.muted : COLORS.ink,
      width: 2,
      type: dashed ? 'dashed' : 'solid',
    },
    itemStyle: { color: dashed ? COLORS.muted : COLORS.ink },
  });
  const option: ChartOption = {
    grid: { left: 8, right: 24, top: 56, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    legend: { top: 0, itemGap: 18, textStyle: { color: COLORS.ink } },
    xAxis: { type: 'category', data: weeks, ...AXIS },
    // From zero, as every trend: the size of a change is seen against the size of the metric.
    yAxis: { type: 'value', name, min: 0, ...AXIS },
    series: [
      {
        type: 'line',
        name: `Weekly ${r.options.summary}`,
        data: rows.map((x) => x.value),
        itemStyle: { color: COLORS.primary },
        lineStyle: { color: COLORS.primary, opacity: 0.35 },
        symbol: 'circle',
        ...(goWeek
          ? {
              markLine: {
                symbol: 'none',
                silent: true,
                lineStyle: { color: COLORS.golive, type: 'dotted', width: 1.5 },
                label: { formatter: `${event} ${g.go_live}`, color: COLORS.golive },
                data: [{ xAxis: goWeek }],
              },
            }
          : {}),
      },
      ...(hasFit
        ? [
            fitLine('Fitted trend before go-live', before, false),
            fitLine('Fitted trend after go-live', after, false),
            fitLine('Expected without go-live (trend before, carried on)', projected, true),
          ]
        : []),
    ],
  };
  const itsE = headline(g.its);
  const didE = headline(g.did);
  return (
    <>
      {rows.length ? (
        <Chart
          title={`${name} in ${group} before and after ${event}`}
          summary={`${rows.length} weeks from ${weeks[0]} to ${weeks[weeks.length - 1]}; ${event} ${g.go_live ?? 'unknown'}.`}
          option={option}
          table={{
            columns: ['Week', name, 'Clinicians', 'Period', 'Fitted', 'Expected without go-live'],
            rows: rows.map((x) => {
              const f = fit.get(x.week_start);
              return [
                x.week_start,
                Number(num(x.value)),
                x.n,
                goWeek && x.week_start >= goWeek
                  ? f
                    ? 'after'
                    : 'transition (left out)'
                  : 'before',
                f ? Number(num(f.fitted)) : '–',
                f?.projected != null ? Number(num(f.projected)) : '–',
              ];
            }),
          }}
          note={
            <p>
              Points: the weekly values. Vertical dotted line: the week of {g.go_live}. The axis
              starts at zero.
              {hasFit
                ? ' Solid lines: the interrupted time series fitted before and after go-live; grey dashed line: where the trend before go-live would have gone — the effect is the gap between the solid and the dashed line after go-live.'
                : ' No fitted lines: the interrupted time series could not be estimated (see below).'}
            </p>
          }
        />
      ) : null}
      <div className="effects" data-effects="true">
        {itsE ? (
          <p className="effect-text">{effectText(r.options.metric, itsE, '', event)}</p>
        ) : g.its?.insufficient_data ? (
          <p className="insufficient">
            Not enough data for the interrupted time series: {g.its.insufficient_data.reason}
          </p>
        ) : null}
        {didE ? (
          <p className="effect-text">
            {effectText(r.options.metric, didE, `, compared with ${controls}`, event)}
          </p>
        ) : g.did?.insufficient_data ? (
          <p className="insufficient">
            Not enough data for the comparison with {controls}: {g.did.insufficient_data.reason}
          </p>
        ) : null}
      </div>
    </>
  );
}
