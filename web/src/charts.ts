/**
 * Chart recipes: each returns the ECharts option, a one-sentence summary (the chart's accessible
 * name) and the table of the same numbers. Suppressed groups never become numbers here.
 */
import type { Change, GoLiveMark, GroupMetricRow, Quantiles } from './api.ts';
import { AXIS, COLORS, type ChartOption, type TableData } from './components/Chart.tsx';
import { addDays, dateWords } from './dates.ts';
import { axisName, axisValue, fmt, info, suppressedText, type Per8Metric } from './metrics.ts';

export interface Recipe {
  option: ChartOption;
  summary: string;
  table: TableData;
}

/**
 * Who is looking: groups below `threshold` are suppressed; only an administrator (`reveal`) sees
 * their numbers, marked as suppressed for others. The server sends no numbers to anyone else.
 */
export interface Privacy {
  threshold: number;
  reveal: boolean;
}

/** A suppressed row this viewer may not see: no numbers at all. */
const hidden = (r: { suppressed: boolean }, p: Privacy): boolean => r.suppressed && !p.reveal;

/**
 * The group's name, marked when it is suppressed: "— suppressed" where the numbers are withheld,
 * "*" where an administrator sees them (the chart's note explains the star).
 */
const groupLabel = (r: { group: string; suppressed: boolean }, p: Privacy): string =>
  r.suppressed ? (p.reveal ? `${r.group} *` : `${r.group} — suppressed`) : r.group;

export type Stat = 'p25' | 'median' | 'p75';
function stat(r: GroupMetricRow, metric: Per8Metric, s: Stat, p: Privacy): number | null {
  if (hidden(r, p)) return null;
  return r[`${metric}_${s}`];
}

const weekLabel = (d: string): string => {
  const dt = new Date(`${d}T12:00:00Z`);
  return dt.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
};

const GRID = { left: 48, right: 28, top: 28, bottom: 28, containLabel: false };

/**
 * The go-lives of `marks` in each plotted week: week `i` holds the dates from its start to the
 * next week's start (the last week: seven days). Go-lives outside the plotted weeks are left out.
 */
export function goLivesByWeek(
  weekStarts: string[],
  marks: GoLiveMark[],
): Map<number, GoLiveMark[]> {
  const out = new Map<number, GoLiveMark[]>();
  for (const m of marks) {
    const i = weekStarts.findIndex(
      (w, k) => m.date >= w && m.date < (weekStarts[k + 1] ?? addDays(w, 7)),
    );
    if (i >= 0) out.set(i, [...(out.get(i) ?? []), m]);
  }
  return out;
}

/** "ambient-notes in Cardiology, Orthopaedics on 2 Mar 2026". */
export function goLiveText(marks: GoLiveMark[]): string {
  const byTool = new Map<string, GoLiveMark[]>();
  for (const m of marks)
    byTool.set(`${m.tool}\u0000${m.date}`, [...(byTool.get(`${m.tool}\u0000${m.date}`) ?? []), m]);
  return [...byTool.values()]
    .map((ms) => {
      const first = ms[0]!;
      const where = ms.map((m) => (m.group_by === 'org' ? 'the whole organisation' : m.group));
      return `${first.tool} in ${where.join(', ')} on ${dateWords(first.date)}`;
    })
    .join('; ');
}

/**
 * Vertical dotted lines at the weeks of go-live, labelled "go-live", as ECharts markLine data
 * items for a category x axis of `labels` (one per week of `weekStarts`).
 */
export function goLiveLines(
  weekStarts: string[],
  labels: string[],
  marks: GoLiveMark[],
  fontSize = 11,
): unknown[] {
  return [...goLivesByWeek(weekStarts, marks).keys()].map((i) => ({
    xAxis: labels[i],
    lineStyle: { color: COLORS.golive, type: 'dotted', width: 1.5 },
    label: {
      show: true,
      formatter: 'go-live',
      position: 'end',
      color: COLORS.golive,
      fontSize,
    },
  }));
}

/** The go-live column of a weekly table: what went live in each week, else empty. */
export function goLiveColumn(weekStarts: string[], marks: GoLiveMark[]): string[] {
  const by = goLivesByWeek(weekStarts, marks);
  return weekStarts.map((_, i) => (by.has(i) ? goLiveText(by.get(i)!) : ''));
}

/** A sentence for a chart's summary: which go-lives it marks. */
export function goLiveSummary(weekStarts: string[], marks: GoLiveMark[]): string {
  const shown = [...goLivesByWeek(weekStarts, marks).values()].flat();
  return shown.length ? ` Dotted lines mark the go-live of ${goLiveText(shown)}.` : '';
}

/** Room for category labels at the left (ECharts' containLabel misjudges truncated labels). */
function labelRoom(labels: string[], max = 300): number {
  const longest = Math.max(0, ...labels.map((l) => l.length));
  return Math.min(max, Math.round(longest * 7) + 16);
}

/** A vertical axis of group names, top to bottom, long names cut to the room they have. */
function groupAxis(labels: string[]) {
  return {
    type: 'category' as const,
    data: labels,
    inverse: true,
    ...AXIS,
    axisLabel: { ...AXIS.axisLabel, width: labelRoom(labels) - 10, overflow: 'truncate' as const },
  };
}

/**
 * Weekly median with the 25th–75th percentile band, optionally with a comparison line (the
 * organisation's median).
 */
export function trendBand(
  rows: GroupMetricRow[],
  metric: Per8Metric,
  priv: Privacy,
  compare?: { label: string; value: number | null },
  golives: GoLiveMark[] = [],
): Recipe {
  const m = info(metric);
  const starts = rows.map((r) => r.period_start);
  const weeks = starts.map(weekLabel);
  const marks = goLiveLines(starts, weeks, golives);
  const goCol = goLiveColumn(starts, golives);
  const anyGo = goCol.some(Boolean);
  const p25 = rows.map((r) => axisValue(metric, stat(r, metric, 'p25', priv)));
  const p75 = rows.map((r) => axisValue(metric, stat(r, metric, 'p75', priv)));
  const med = rows.map((r) => axisValue(metric, stat(r, metric, 'median', priv)));
  const width = p25.map((lo, i) => (lo === null || p75[i] === null ? null : (p75[i] ?? 0) - lo));
  const shown = rows.filter((r) => !hidden(r, priv) && stat(r, metric, 'median', priv) !== null);
  const first = shown[0];
  const last = shown.at(-1);
  const summary =
    first && last
      ? `Weekly median ${m.label} was ${fmt(metric, stat(first, metric, 'median', priv))} in the week of ${first.period_start} and ${fmt(metric, stat(last, metric, 'median', priv))} in the week of ${last.period_start}; the band is the 25th to 75th percentile.` +
        (compare && compare.value !== null
          ? ` ${compare.label}: ${fmt(metric, compare.value)}.`
          : '') +
        goLiveSummary(starts, golives)
      : `No weekly ${m.label} values to show.`;
  const series: unknown[] = [
    {
      name: '25th percentile',
      type: 'line',
      data: p25,
      stack: 'band',
      symbol: 'none',
      lineStyle: { opacity: 0 },
      tooltip: { show: false },
      silent: true,
    },
    {
      name: '25th–75th percentile',
      type: 'line',
      data: width,
      stack: 'band',
      symbol: 'none',
      lineStyle: { opacity: 0 },
      areaStyle: { color: COLORS.band },
      silent: true,
    },
    {
      name: 'Median',
      type: 'line',
      data: med,
      symbol: 'circle',
      symbolSize: 5,
      lineStyle: { color: COLORS.primary, width: 2 },
      itemStyle: { color: COLORS.primary },
      markLine: {
        symbol: 'none',
        silent: true,
        lineStyle: { color: COLORS.org, type: 'dashed', width: 2 },
        label: { formatter: compare?.label ?? '', color: COLORS.org, position: 'insideEndTop' },
        data: [
          ...(compare && compare.value !== null
            ? [{ yAxis: axisValue(metric, compare.value) }]
            : []),
          ...marks,
        ],
      },
    },
  ];
  return {
    summary,
    option: {
      grid: GRID,
      tooltip: {
        trigger: 'axis',
        formatter: (ps: { dataIndex: number }[]) => {
          const i = ps[0]?.dataIndex ?? 0;
          const r = rows[i];
          if (!r) return '';
          if (hidden(r, priv))
            return `Week of ${r.period_start}: ${suppressedText(priv.threshold)}`;
          return `Week of ${r.period_start}<br/>Median ${fmt(metric, stat(r, metric, 'median', priv))}<br/>25th–75th: ${fmt(metric, stat(r, metric, 'p25', priv))}–${fmt(metric, stat(r, metric, 'p75', priv))}<br/>n = ${r.n}`;
        },
      },
      xAxis: { type: 'category', data: weeks, boundaryGap: false, ...AXIS },
      // From zero: hours are compared by their size, and a cut axis would exaggerate a change.
      yAxis: { type: 'value', name: axisName(metric), min: 0, ...AXIS },
      series,
    },
    table: {
      columns: [
        'Week starting',
        'Median',
        '25th percentile',
        '75th percentile',
        'n',
        ...(anyGo ? ['Go-live'] : []),
      ],
      rows: rows.map((r, i) => [
        ...(hidden(r, priv)
          ? [r.period_start, suppressedText(priv.threshold), '', '', '']
          : [
              r.period_start,
              fmt(metric, stat(r, metric, 'median', priv)),
              fmt(metric, stat(r, metric, 'p25', priv)),
              fmt(metric, stat(r, metric, 'p75', priv)),
              r.n,
            ]),
        ...(anyGo ? [goCol[i] ?? ''] : []),
      ]),
    },
  };
}

/** Group medians as bars with 25th–75th percentile whiskers; suppressed groups have no bar. */
export function groupBars(
  rows: GroupMetricRow[],
  metric: Per8Metric,
  priv: Privacy,
  orgMedian: number | null,
): Recipe {
  const m = info(metric);
  const sorted = [...rows].sort((a, b) => {
    const va = stat(a, metric, 'median', priv);
    const vb = stat(b, metric, 'median', priv);
    if (va === null && vb === null) return a.group.localeCompare(b.group);
    if (va === null) return 1;
    if (vb === null) return -1;
    return vb - va;
  });
  const labels = sorted.map((r) => groupLabel(r, priv));
  const med = sorted.map((r) => axisValue(metric, stat(r, metric, 'median', priv)));
  const whiskers = sorted.map((r, i) => [
    i,
    axisValue(metric, stat(r, metric, 'p25', priv)),
    axisValue(metric, stat(r, metric, 'p75', priv)),
  ]);
  const shown = sorted.filter((r) => !hidden(r, priv) && stat(r, metric, 'median', priv) !== null);
  const hi = shown[0];
  const lo = shown.at(-1);
  const nSup = sorted.filter((r) => hidden(r, priv)).length;
  const summary =
    (hi && lo
      ? `Highest median ${m.label}: ${hi.group} (${fmt(metric, stat(hi, metric, 'median', priv))}); lowest: ${lo.group} (${fmt(metric, stat(lo, metric, 'median', priv))}).`
      : `No group has a ${m.label} value to show.`) +
    (nSup ? ` ${nSup} group${nSup > 1 ? 's are' : ' is'} ${suppressedText(priv.threshold)}.` : '');
  return {
    summary,
    option: {
      grid: { left: labelRoom(labels), right: 24, top: 24, bottom: 36 },
      tooltip: { trigger: 'item' },
      xAxis: { type: 'value', name: axisName(metric), ...AXIS },
      yAxis: groupAxis(labels),
      series: [
        {
          name: `Median ${m.label}`,
          type: 'bar',
          data: med,
          barMaxWidth: 18,
          itemStyle: { color: COLORS.primary },
          ...(orgMedian !== null
            ? {
                markLine: {
                  symbol: 'none',
                  silent: true,
                  lineStyle: { color: COLORS.org, type: 'dashed', width: 2 },
                  label: { formatter: 'organisation', color: COLORS.org, position: 'end' },
                  data: [{ xAxis: axisValue(metric, orgMedian) }],
                },
              }
            : {}),
        },
        {
          name: '25th–75th percentile',
          type: 'custom',
          data: whiskers,
          encode: { x: [1, 2], y: 0 },
          silent: true,
          renderItem: (
            _p: unknown,
            api: {
              value: (i: number) => number;
              coord: (v: [number, number]) => [number, number];
              size: (v: [number, number]) => [number, number];
            },
          ) => {
            const y = api.value(0);
            const a = api.value(1);
            const b = api.value(2);
            if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
            const [x1, cy] = api.coord([a, y]);
            const [x2] = api.coord([b, y]);
            const h = 6;
            const style = { stroke: COLORS.ink, lineWidth: 1.5 };
            return {
              type: 'group',
              children: [
                { type: 'line', shape: { x1, y1: cy, x2, y2: cy }, style },
                { type: 'line', shape: { x1, y1: cy - h, x2: x1, y2: cy + h }, style },
                { type: 'line', shape: { x1: x2, y1: cy - h, x2, y2: cy + h }, style },
              ],
            };
          },
        },
      ],
    },
    table: {
      columns: ['Group', 'n', 'Median', '25th percentile', '75th percentile'],
      rows: sorted.map((r) =>
        hidden(r, priv)
          ? [r.group, suppressedText(priv.threshold), '', '', '']
          : [
              groupLabel(r, priv),
              r.n,
              fmt(metric, stat(r, metric, 'median', priv)),
              fmt(metric, stat(r, metric, 'p25', priv)),
              fmt(metric, stat(r, metric, 'p75', priv)),
            ],
      ),
    },
  };
}

/** Groups × weeks, each cell coloured by the group's weekly median; suppressed cells stay empty. */
export function weekHeatmap(rows: GroupMetricRow[], metric: Per8Metric, priv: Privacy): Recipe {
  const m = info(metric);
  const weeks = [...new Set(rows.map((r) => r.period_start))].sort();
  const groups = [...new Set(rows.map((r) => r.group))].sort((a, b) => a.localeCompare(b));
  const cells = rows
    .filter((r) => !hidden(r, priv) && stat(r, metric, 'median', priv) !== null)
    .map((r) => [
      weeks.indexOf(r.period_start),
      groups.indexOf(r.group),
      axisValue(metric, stat(r, metric, 'median', priv)),
    ]);
  const vals = cells.map((c) => c[2] ?? 0);
  const min = vals.length ? Math.min(...vals) : 0;
  const max = vals.length ? Math.max(...vals) : 1;
  const byKey = new Map(rows.map((r) => [`${r.group}\u0000${r.period_start}`, r]));
  return {
    summary: `Weekly median ${m.label} of each group, from ${fmt(metric, min)} to ${fmt(metric, max)}; darker is higher. Empty cells are suppressed weeks.`,
    option: {
      grid: { left: labelRoom(groups), right: 16, top: 8, bottom: 64 },
      tooltip: {
        trigger: 'item',
        formatter: (p: { value: [number, number, number] }) =>
          `${groups[p.value[1]] ?? ''}, week of ${weeks[p.value[0]] ?? ''}: ${p.value[2]}`,
      },
      xAxis: {
        type: 'category',
        data: weeks.map(weekLabel),
        ...AXIS,
        splitArea: { show: false },
      },
      yAxis: groupAxis(groups),
      visualMap: {
        min,
        max: max > min ? max : min + 1,
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 160,
        precision: 1,
        text: [`${max.toFixed(1)} ${axisName(metric)}`, `${min.toFixed(1)}`],
        textStyle: { color: COLORS.ink },
        inRange: { color: ['#eaf2fb', '#1f5fa8', '#0b2747'] },
      },
      series: [
        {
          name: `Median ${m.label}`,
          type: 'heatmap',
          data: cells,
          itemStyle: { borderColor: '#fff', borderWidth: 1 },
        },
      ],
    },
    table: {
      columns: ['Group', ...weeks],
      rows: groups.map((g) => [
        g,
        ...weeks.map((w) => {
          const r = byKey.get(`${g}\u0000${w}`);
          if (!r) return '';
          return hidden(r, priv)
            ? suppressedText(priv.threshold)
            : fmt(metric, stat(r, metric, 'median', priv));
        }),
      ]),
    },
  };
}

/** One department's change, as the chart shows it to this viewer. */
export interface ChangeRow {
  group: string;
  first: number | null;
  second: number | null;
  change: number | null;
  direction: Change['direction'];
  suppressed: boolean;
}

const DIRECTION_COLOR = {
  improved: COLORS.better,
  worsened: COLORS.worse,
  unchanged: COLORS.muted,
};

/**
 * Change of the median from the first to the second half of the range, per group: green
 * improved, red worsened, grey unchanged (the server decides which, and says so in the table).
 */
export function changeBars(rows: ChangeRow[], metric: string, priv: Privacy): Recipe {
  const m = info(metric);
  const sorted = [...rows].sort((a, b) => {
    if (a.change === null && b.change === null) return a.group.localeCompare(b.group);
    if (a.change === null) return 1;
    if (b.change === null) return -1;
    return (m.lowerIsBetter ? 1 : -1) * (a.change - b.change);
  });
  const data = sorted.map((r) =>
    r.change === null || hidden(r, priv)
      ? null
      : {
          value: axisValue(metric, r.change),
          itemStyle: { color: DIRECTION_COLOR[r.direction ?? 'unchanged'] },
        },
  );
  const improved = sorted.filter((r) => !hidden(r, priv) && r.direction === 'improved');
  const worsened = sorted.filter((r) => !hidden(r, priv) && r.direction === 'worsened');
  const best = improved[0];
  const worst = worsened.at(-1);
  const sign = (c: number | null): string => (c !== null && c > 0 ? '+' : '') + fmt(metric, c);
  const labels = sorted.map((r) =>
    hidden(r, priv) || r.suppressed
      ? groupLabel(r, priv)
      : r.change === null
        ? `${r.group} — no data`
        : r.group,
  );
  const summary =
    `${improved.length} group${improved.length === 1 ? '' : 's'} improved and ${worsened.length} worsened in ${m.label} from the first to the second half of the period.` +
    (best ? ` Most improved: ${best.group} (${sign(best.change)}).` : '') +
    (worst ? ` Most worsened: ${worst.group} (${sign(worst.change)}).` : '');
  return {
    summary,
    option: {
      grid: { left: labelRoom(labels), right: 56, top: 16, bottom: 36 },
      tooltip: { trigger: 'item' },
      xAxis: { type: 'value', name: axisName(metric), ...AXIS },
      yAxis: groupAxis(labels),
      series: [
        {
          name: `Change in median ${m.label}`,
          type: 'bar',
          data,
          barMaxWidth: 16,
          label: {
            show: true,
            position: 'right',
            color: COLORS.ink,
            formatter: (p: { value: number }) =>
              p.value > 0 ? `+${p.value.toFixed(2)}` : p.value.toFixed(2),
          },
        },
      ],
    },
    table: {
      columns: ['Group', 'First half median', 'Second half median', 'Change', 'Direction'],
      rows: sorted.map((r) =>
        hidden(r, priv)
          ? [r.group, suppressedText(priv.threshold), '', '', '']
          : [
              groupLabel(r, priv),
              fmt(metric, r.first),
              fmt(metric, r.second),
              sign(r.change),
              r.direction ?? 'no data',
            ],
      ),
    },
  };
}

export interface BoxRow {
  label: string;
  box: Quantiles;
  /** Individual values, shown as anonymous dots. */
  values?: number[];
  /** A highlighted value ("You") and a comparison value ("organisation median"). */
  marker?: { name: string; value: number | null };
  compare?: { name: string; value: number | null };
}

const jitter = (i: number): number => (((i * 0.6180339887) % 1) - 0.5) * 0.5;

/**
 * Horizontal box plots (10th–90th whiskers, 25th–75th box, median), one row per label, with
 * optional dots for each value and a highlighted marker.
 */
export function boxStrip(rows: BoxRow[], metric: string): ChartOption {
  const boxes = rows.map((r, i) => [
    i,
    axisValue(metric, r.box.p10),
    axisValue(metric, r.box.p25),
    axisValue(metric, r.box.median),
    axisValue(metric, r.box.p75),
    axisValue(metric, r.box.p90),
  ]);
  const dots = rows.flatMap((r, i) =>
    (r.values ?? []).map((v, j) => [axisValue(metric, v), i + jitter(j)]),
  );
  const markers = rows
    .map((r, i) =>
      r.marker && r.marker.value !== null ? [axisValue(metric, r.marker.value), i] : null,
    )
    .filter((x) => x !== null);
  const compares = rows
    .map((r, i) =>
      r.compare && r.compare.value !== null ? [axisValue(metric, r.compare.value), i] : null,
    )
    .filter((x) => x !== null);
  const markerName = rows.find((r) => r.marker)?.marker?.name ?? 'You';
  const compareName = rows.find((r) => r.compare)?.compare?.name ?? 'Organisation median';
  return {
    grid: {
      left: rows.length > 1 ? labelRoom(rows.map((r) => r.label)) : 16,
      right: 24,
      top: markers.length || compares.length ? 30 : 8,
      bottom: 30,
    },
    legend: {
      show: rows.length > 1 && (markers.length > 0 || compares.length > 0),
      top: 0,
      right: 24,
      textStyle: { color: COLORS.ink },
      data: [...(markers.length ? [markerName] : []), ...(compares.length ? [compareName] : [])],
    },
    tooltip: { trigger: 'item' },
    xAxis: {
      type: 'value',
      name: rows.length > 1 ? axisName(metric) : '',
      // From zero, as every axis of hours: the distance between you and your peers is not
      // magnified. Room at the far end, so a marker at the edge of the data is not cut off.
      min: 0,
      boundaryGap: ['0%', '6%'],
      ...AXIS,
      axisLine: { ...AXIS.axisLine, onZero: false },
    },
    // The labels sit on a category axis; everything is drawn on a hidden value axis whose row i
    // lies at the centre of category i, so dots can be spread around it.
    yAxis: [
      {
        type: 'category',
        data: rows.map((r) => r.label),
        inverse: true,
        ...AXIS,
        axisTick: { show: false },
        axisLabel: { ...AXIS.axisLabel, show: rows.length > 1 },
      },
      {
        type: 'value',
        min: -0.5,
        max: rows.length - 0.5,
        inverse: true,
        show: false,
      },
    ],
    series: [
      {
        name: 'Distribution',
        type: 'custom',
        silent: true,
        yAxisIndex: 1,
        data: boxes,
        encode: { x: [1, 2, 3, 4, 5], y: 0 },
        renderItem: (
          _p: unknown,
          api: {
            value: (i: number) => number;
            coord: (v: [number, number]) => [number, number];
            size: (v: [number, number]) => [number, number];
          },
        ) => {
          const y = api.value(0);
          const v = [1, 2, 3, 4, 5].map((k) => api.value(k));
          if (v.some((x) => !Number.isFinite(x))) return null;
          const [p10, p25, med, p75, p90] = v.map((x) => api.coord([x, y])[0]) as [
            number,
            number,
            number,
            number,
            number,
          ];
          const cy = api.coord([0, y])[1];
          const h = Math.min(16, (api.size([0, 0.5])[1] || 20) / 2);
          const line = { stroke: COLORS.ink, lineWidth: 1.5 };
          return {
            type: 'group',
            children: [
              { type: 'line', shape: { x1: p10, y1: cy, x2: p25, y2: cy }, style: line },
              { type: 'line', shape: { x1: p75, y1: cy, x2: p90, y2: cy }, style: line },
              {
                type: 'line',
                shape: { x1: p10, y1: cy - h / 2, x2: p10, y2: cy + h / 2 },
                style: line,
              },
              {
                type: 'line',
                shape: { x1: p90, y1: cy - h / 2, x2: p90, y2: cy + h / 2 },
                style: line,
              },
              {
                type: 'rect',
                shape: { x: p25, y: cy - h, width: Math.max(1, p75 - p25), height: 2 * h },
                style: { fill: COLORS.band, stroke: COLORS.primary, lineWidth: 1.5 },
              },
              {
                type: 'line',
                shape: { x1: med, y1: cy - h, x2: med, y2: cy + h },
                style: { stroke: COLORS.primary, lineWidth: 3 },
              },
            ],
          };
        },
      },
      {
        name: 'Clinicians',
        type: 'scatter',
        yAxisIndex: 1,
        data: dots,
        symbolSize: 6,
        itemStyle: { color: 'rgba(27, 31, 36, 0.45)' },
        tooltip: {
          formatter: (p: { value: [number, number] }) =>
            `one clinician: ${p.value[0]} ${axisName(metric)}`,
        },
      },
      {
        name: compareName,
        type: 'scatter',
        yAxisIndex: 1,
        data: compares,
        symbol: 'diamond',
        symbolSize: 14,
        itemStyle: { color: COLORS.org, borderColor: '#fff', borderWidth: 1 },
        tooltip: {
          formatter: (p: { value: [number, number] }) =>
            `${compareName}: ${p.value[0]} ${axisName(metric)}`,
        },
        z: 4,
      },
      {
        name: markerName,
        type: 'scatter',
        yAxisIndex: 1,
        data: markers,
        symbol: 'circle',
        symbolSize: 15,
        itemStyle: { color: COLORS.me, borderColor: '#fff', borderWidth: 2 },
        label: {
          show: true,
          position: 'top',
          formatter: markerName,
          color: COLORS.me,
          fontWeight: 'bold',
        },
        tooltip: {
          formatter: (p: { value: [number, number] }) =>
            `${markerName}: ${p.value[0]} ${axisName(metric)}`,
        },
        z: 5,
      },
    ],
  };
}

/**
 * A small line of one clinician's weekly values, with the peers' median as a dashed line and the
 * go-lives of `golives` as dotted lines; the axis starts at zero.
 */
export function sparkline(
  weeks: { period_start: string; value: number | null }[],
  metric: string,
  peerMedian: number | null,
  golives: GoLiveMark[] = [],
): ChartOption {
  const starts = weeks.map((w) => w.period_start);
  const labels = starts.map(weekLabel);
  const marks = goLiveLines(starts, labels, golives, 10);
  return {
    grid: { left: 40, right: 12, top: marks.length ? 18 : 12, bottom: 22 },
    tooltip: {
      trigger: 'axis',
      formatter: (ps: { dataIndex: number }[]) => {
        const w = weeks[ps[0]?.dataIndex ?? 0];
        return w ? `Week of ${w.period_start}: ${fmt(metric, w.value)}` : '';
      },
    },
    xAxis: {
      type: 'category',
      data: labels,
      boundaryGap: false,
      ...AXIS,
      axisLabel: { ...AXIS.axisLabel, fontSize: 11 },
    },
    yAxis: {
      type: 'value',
      min: 0,
      splitNumber: 2,
      ...AXIS,
      axisLabel: { ...AXIS.axisLabel, fontSize: 11 },
    },
    series: [
      {
        name: 'My week',
        type: 'line',
        data: weeks.map((w) => axisValue(metric, w.value)),
        symbol: 'circle',
        symbolSize: 5,
        connectNulls: false,
        lineStyle: { color: COLORS.me, width: 2 },
        itemStyle: { color: COLORS.me },
        markLine: {
          symbol: 'none',
          silent: true,
          lineStyle: { color: COLORS.primary, type: 'dashed' },
          label: { show: false },
          data: [
            ...(peerMedian !== null ? [{ yAxis: axisValue(metric, peerMedian) }] : []),
            ...marks,
          ],
        },
      },
    ],
  };
}
