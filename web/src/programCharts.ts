/**
 * Chart recipes of the buy-in program, as `charts.ts` writes them: each returns the ECharts
 * option, a one-sentence summary (the chart's accessible name) and the table of the same numbers.
 * A goal's weekly series with its baseline, target, projection and interval; a group's recent
 * weeks for the proposal form; shares with their Wilson intervals for the IT dashboard.
 */
import type { GoalBaselineOut, GoalProgressOut, WeeklyValueOut } from './api.ts';
import type { Recipe } from './charts.ts';
import { AXIS, COLORS } from './components/Chart.tsx';
import { addDays, dateWords, mondayOnOrBefore } from './dates.ts';
import { axisName, axisValue, fmt, info } from './metrics.ts';
import { isSurveyMetric } from './program.ts';

const weekLabel = (d: string): string =>
  new Date(`${d}T12:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });

/** Whisker renderer of a custom series whose items are [category, low, high] (vertical or not). */
export function whiskers(horizontal: boolean) {
  return (
    _p: unknown,
    api: {
      value: (i: number) => number;
      coord: (v: [number, number]) => [number, number];
    },
  ) => {
    const c = api.value(0);
    const a = api.value(1);
    const b = api.value(2);
    if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
    const h = 6;
    const style = { stroke: COLORS.ink, lineWidth: 1.5 };
    if (horizontal) {
      const [x1, cy] = api.coord([a, c]);
      const [x2] = api.coord([b, c]);
      return {
        type: 'group',
        children: [
          { type: 'line', shape: { x1, y1: cy, x2, y2: cy }, style },
          { type: 'line', shape: { x1, y1: cy - h, x2: x1, y2: cy + h }, style },
          { type: 'line', shape: { x1: x2, y1: cy - h, x2, y2: cy + h }, style },
        ],
      };
    }
    const [cx, y1] = api.coord([c, a]);
    const [, y2] = api.coord([c, b]);
    return {
      type: 'group',
      children: [
        { type: 'line', shape: { x1: cx, y1, x2: cx, y2 }, style },
        { type: 'line', shape: { x1: cx - h, y1, x2: cx + h, y2: y1 }, style },
        { type: 'line', shape: { x1: cx - h, y1: y2, x2: cx + h, y2 }, style },
      ],
    };
  };
}

export interface GoalChartInput {
  metric: string;
  series: WeeklyValueOut[];
  /** The baseline: its mean and 95% interval, over its weeks. */
  baseline: Pick<GoalBaselineOut, 'mean' | 'ci95' | 'weeks'> | null;
  target: number | null;
  /** The target date: its week is marked and the axis reaches it. */
  targetDate?: string | null;
  /** The first week counted since adoption (the week after the adoption day's). */
  adoptedFrom?: string | null;
  projection?: GoalProgressOut['projection'];
  /** Smaller text for the proposal form's small chart. */
  small?: boolean;
}

/** The Monday of the first week the fit counts (`x` = 0), from the projection's week and `x`. */
export function fitOrigin(p: NonNullable<GoalProgressOut['projection']>): string {
  return addDays(p.week_start, -7 * Math.round(p.x));
}

/**
 * A goal's weekly values (line), the baseline's mean with its 95% interval over the baseline
 * weeks (band) and as a dashed line after them, the target (dashed), the target date and the
 * adoption (dotted), and the fitted line since adoption up to the projection with its 95%
 * prediction interval (whisker) at the last whole week before the target date. The value axis
 * starts at zero, as every axis of hours.
 */
export function goalChart(g: GoalChartInput): Recipe {
  const m = info(g.metric);
  const weeks = g.series.map((w) => w.week_start);
  const lastWeek = [
    weeks.at(-1),
    g.projection?.week_start,
    g.targetDate ? mondayOnOrBefore(g.targetDate) : undefined,
  ]
    .filter((x): x is string => !!x)
    .sort()
    .at(-1);
  // Every week from the first of the series (or the baseline) to the last needed, none skipped.
  const first = [weeks[0], g.baseline?.weeks.first].filter((x): x is string => !!x).sort()[0];
  const axis: string[] = [];
  if (first && lastWeek)
    for (let w = first; w <= lastWeek && axis.length < 520; w = addDays(w, 7)) axis.push(w);
  const labels = axis.map(weekLabel);
  const byWeek = new Map(g.series.map((w) => [w.week_start, w]));
  const values = axis.map((w) => axisValue(g.metric, byWeek.get(w)?.value ?? null));
  const inBaseline = (w: string): boolean =>
    !!g.baseline && w >= g.baseline.weeks.first && w <= g.baseline.weeks.last;
  const bLow = axis.map((w) => (inBaseline(w) ? axisValue(g.metric, g.baseline!.ci95[0]) : null));
  const bWidth = axis.map((w) =>
    inBaseline(w) ? axisValue(g.metric, g.baseline!.ci95[1] - g.baseline!.ci95[0]) : null,
  );
  const p = g.projection ?? null;
  const origin = p ? fitOrigin(p) : null;
  const fitted = axis.map((w) => {
    if (!p || !origin || w < origin || w > p.week_start) return null;
    const x = Math.round((Date.parse(w) - Date.parse(origin)) / (7 * 86_400_000));
    return axisValue(g.metric, p.intercept + p.slope * x);
  });
  const pIndex = p ? axis.indexOf(p.week_start) : -1;
  const interval =
    p && pIndex >= 0
      ? [[labels[pIndex], axisValue(g.metric, p.pi95[0]), axisValue(g.metric, p.pi95[1])]]
      : [];
  const fs = g.small ? 10 : 11;
  const vLine = (week: string | null | undefined, text: string, color: string) => {
    if (!week) return [];
    const i = axis.indexOf(mondayOnOrBefore(week));
    return i < 0
      ? []
      : [
          {
            xAxis: labels[i],
            lineStyle: { color, type: 'dotted', width: 1.5 },
            label: { show: true, formatter: text, position: 'end', color, fontSize: fs },
          },
        ];
  };
  const hLines = [
    ...(g.target !== null
      ? [
          {
            yAxis: axisValue(g.metric, g.target),
            lineStyle: { color: COLORS.better, type: 'dashed', width: 2 },
            label: {
              formatter: 'target',
              color: COLORS.better,
              position: 'insideEndTop',
              fontSize: fs,
            },
          },
        ]
      : []),
    ...(g.baseline
      ? [
          {
            yAxis: axisValue(g.metric, g.baseline.mean),
            lineStyle: { color: COLORS.org, type: 'dashed', width: 1.5 },
            label: {
              formatter: 'baseline',
              color: COLORS.org,
              position: 'insideStartTop',
              fontSize: fs,
            },
          },
        ]
      : []),
  ];
  const marks = [
    ...hLines,
    ...vLine(g.adoptedFrom ? addDays(g.adoptedFrom, -7) : null, 'adopted', COLORS.golive),
    ...(g.targetDate ? vLine(g.targetDate, 'target date', COLORS.better) : []),
  ];
  const shown = g.series.filter((w) => w.value !== null);
  // A survey score's week is scored from responses; the other metrics' from clinicians.
  const survey = isSurveyMetric(g.metric);
  const behind = survey ? 'responses' : 'clinicians';
  const firstV = shown[0];
  const lastV = shown.at(-1);
  const summary =
    (firstV && lastV
      ? `Weekly ${m.label} of the group, ${survey ? 'the score of its responses that week' : 'the median across its clinicians'}: ${fmt(g.metric, firstV.value)} in the week of ${dateWords(firstV.week_start)}, ${fmt(g.metric, lastV.value)} in the week of ${dateWords(lastV.week_start)}.`
      : `No weekly ${m.label} values to show.`) +
    (g.baseline
      ? ` Baseline ${fmt(g.metric, g.baseline.mean)} (95% CI ${fmt(g.metric, g.baseline.ci95[0])} to ${fmt(g.metric, g.baseline.ci95[1])}), the weeks of ${dateWords(g.baseline.weeks.first)} to ${dateWords(g.baseline.weeks.last)}.`
      : ' No baseline.') +
    (g.target !== null ? ` Target ${fmt(g.metric, g.target)}.` : '') +
    (p
      ? ` The line fitted since adoption projects ${fmt(g.metric, p.value)} in the week of ${dateWords(p.week_start)} (95% prediction interval ${fmt(g.metric, p.pi95[0])} to ${fmt(g.metric, p.pi95[1])}).`
      : '');
  const part = (w: string): string => {
    if (inBaseline(w)) return 'baseline';
    if (g.adoptedFrom && w >= g.adoptedFrom) return 'since adoption';
    if (g.baseline && w > g.baseline.weeks.last)
      return g.adoptedFrom ? 'before adoption' : 'since the proposal';
    return '';
  };
  return {
    summary,
    option: {
      grid: {
        left: g.small ? 40 : 48,
        right: g.small ? 16 : 28,
        top: g.small ? 22 : 30,
        bottom: g.small ? 24 : 28,
      },
      tooltip: {
        trigger: 'axis',
        formatter: (ps: { dataIndex: number }[]) => {
          const i = ps[0]?.dataIndex ?? 0;
          const w = axis[i];
          if (!w) return '';
          const row = byWeek.get(w);
          const bits = [`Week of ${dateWords(w)}`];
          bits.push(
            row ? `${m.label} ${fmt(g.metric, row.value)} (${row.n} ${behind})` : 'no value (yet)',
          );
          if (fitted[i] !== null && p && origin)
            bits.push(
              `fitted line ${fmt(g.metric, p.intercept + p.slope * Math.round((Date.parse(w) - Date.parse(origin)) / (7 * 86_400_000)))}`,
            );
          if (i === pIndex && p)
            bits.push(
              `projection 95% interval ${fmt(g.metric, p.pi95[0])} to ${fmt(g.metric, p.pi95[1])}`,
            );
          return bits.join('<br/>');
        },
      },
      xAxis: {
        type: 'category',
        data: labels,
        boundaryGap: false,
        ...AXIS,
        axisLabel: { ...AXIS.axisLabel, fontSize: fs },
      },
      yAxis: {
        type: 'value',
        name: g.small ? '' : axisName(g.metric),
        min: 0,
        ...(m.unit === 'share' ? { max: 100 } : {}),
        splitNumber: g.small ? 3 : 5,
        ...AXIS,
        axisLabel: { ...AXIS.axisLabel, fontSize: fs },
      },
      series: [
        {
          name: 'Baseline interval low',
          type: 'line',
          data: bLow,
          stack: 'baseline',
          symbol: 'none',
          lineStyle: { opacity: 0 },
          tooltip: { show: false },
          silent: true,
        },
        {
          name: 'Baseline 95% interval',
          type: 'line',
          data: bWidth,
          stack: 'baseline',
          symbol: 'none',
          lineStyle: { opacity: 0 },
          areaStyle: { color: 'rgba(92, 74, 153, 0.18)' },
          silent: true,
        },
        {
          name: 'Weekly value',
          type: 'line',
          data: values,
          symbol: 'circle',
          symbolSize: g.small ? 4 : 6,
          connectNulls: false,
          lineStyle: { color: COLORS.primary, width: 2 },
          itemStyle: { color: COLORS.primary },
          markLine: { symbol: 'none', silent: true, data: marks },
        },
        ...(p
          ? [
              {
                name: 'Fitted line since adoption',
                type: 'line',
                data: fitted,
                symbol: 'none',
                lineStyle: { color: COLORS.me, type: 'dashed', width: 2 },
                silent: true,
              },
              {
                name: 'Projection',
                type: 'scatter',
                data: pIndex >= 0 ? [[labels[pIndex], axisValue(g.metric, p.value)]] : [],
                symbol: 'diamond',
                symbolSize: 12,
                itemStyle: { color: COLORS.me },
                z: 5,
              },
              {
                name: 'Projection 95% prediction interval',
                type: 'custom',
                data: interval,
                encode: { x: 0, y: [1, 2] },
                silent: true,
                renderItem: whiskers(false),
                z: 4,
              },
            ]
          : []),
      ],
    },
    table: {
      columns: [
        'Week starting',
        m.label,
        survey ? 'Responses' : 'Clinicians',
        'Part',
        ...(p ? ['Fitted line'] : []),
      ],
      rows: axis.map((w, i) => [
        w,
        byWeek.has(w) ? fmt(g.metric, byWeek.get(w)!.value) : '',
        byWeek.get(w)?.n ?? null,
        part(w),
        ...(p
          ? [
              fitted[i] === null
                ? ''
                : `${fmt(g.metric, p.intercept + p.slope * Math.round((Date.parse(w) - Date.parse(origin!)) / (7 * 86_400_000)))}${i === pIndex ? ` (95% PI ${fmt(g.metric, p.pi95[0])} to ${fmt(g.metric, p.pi95[1])})` : ''}`,
            ]
          : []),
      ]),
    },
  };
}

export interface ShareRow {
  label: string;
  share: { share: number; successes: number; n: number; ci95: [number, number] } | null;
}

/**
 * Shares as dots with their Wilson 95% intervals as whiskers, one row per unit, on an axis from
 * 0 to 100%; a unit without the figure (no item to count) has no dot and says so.
 */
export function shareChart(rows: ShareRow[], what: string): Recipe {
  const labels = rows.map((r) => (r.share ? r.label : `${r.label} — none to count`));
  const dots = rows
    .map((r, i) => (r.share ? [Math.round(r.share.share * 1000) / 10, i] : null))
    .filter((x) => x !== null);
  const bars = rows
    .map((r, i) =>
      r.share
        ? [i, Math.round(r.share.ci95[0] * 1000) / 10, Math.round(r.share.ci95[1] * 1000) / 10]
        : null,
    )
    .filter((x) => x !== null);
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const counted = rows.filter((r) => r.share);
  const summary = counted.length
    ? `${what}, per unit, with Wilson 95% intervals: ${counted.map((r) => `${r.label} ${pct(r.share!.share)} (${pct(r.share!.ci95[0])} to ${pct(r.share!.ci95[1])}, ${r.share!.successes} of ${r.share!.n})`).join('; ')}.`
    : `No unit has items to count for ${what.toLowerCase()}.`;
  const longest = Math.max(0, ...labels.map((l) => l.length));
  return {
    summary,
    option: {
      grid: { left: Math.min(260, longest * 7 + 16), right: 24, top: 16, bottom: 36 },
      tooltip: { trigger: 'item' },
      xAxis: { type: 'value', min: 0, max: 100, name: '%', ...AXIS },
      yAxis: {
        type: 'category',
        data: labels,
        inverse: true,
        ...AXIS,
        axisLabel: {
          ...AXIS.axisLabel,
          width: Math.min(250, longest * 7 + 6),
          overflow: 'truncate',
        },
      },
      series: [
        {
          name: 'Wilson 95% interval',
          type: 'custom',
          data: bars,
          encode: { x: [1, 2], y: 0 },
          silent: true,
          renderItem: whiskers(true),
        },
        {
          name: what,
          type: 'scatter',
          data: dots,
          symbolSize: 11,
          itemStyle: { color: COLORS.primary },
          z: 5,
        },
      ],
    },
    table: {
      columns: ['Unit', 'Share', 'Lower 95%', 'Upper 95%', 'Counted', 'Of'],
      rows: rows.map((r) =>
        r.share
          ? [
              r.label,
              pct(r.share.share),
              pct(r.share.ci95[0]),
              pct(r.share.ci95[1]),
              r.share.successes,
              r.share.n,
            ]
          : [r.label, 'none to count', '', '', '', ''],
      ),
    },
  };
}
