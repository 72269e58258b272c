/**
 * Chart recipes of patient engagement (docs/engagement.md), as `charts.ts` writes them: each
 * returns the ECharts option, a one-sentence summary (the chart's accessible name) and the table
 * of the same numbers. The portal gap per group (activated, used, used on 2 or more days side by
 * side), the weekly shares, and one figure per group (a share or a median). A block hidden by the
 * small-cell rule never becomes a number: its group says "fewer than 11 patients: not shown".
 */
import type { Recipe } from './charts.ts';
import { AXIS, COLORS } from './components/Chart.tsx';
import {
  BUSINESS_DAY_HOURS,
  count,
  hiddenBlock,
  pct,
  PATIENTS_HIDDEN,
  SHARES,
  type EngagementBlock,
  type EngagementRow,
} from './engagement.ts';

const weekLabel = (d: string): string =>
  new Date(`${d}T12:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });

/** A share as a percentage on an axis (one decimal). */
const axisPct = (v: number | null): number | null =>
  v === null ? null : Math.round(v * 1000) / 10;

/** The three shares of the portal gap, in the order of the funnel, with their colours. */
const GAP = [
  { share: SHARES.activated_share, color: COLORS.primary, short: 'Activated' },
  { share: SHARES.active_share, color: COLORS.me, short: 'Used' },
  { share: SHARES.regular_share, color: COLORS.ink, short: 'Used on 2+ days' },
] as const;

/**
 * A group's name as a chart shows it: hidden blocks say so; an administrator's view of a
 * suppressed block is starred (the note explains the star).
 */
export function groupName(r: EngagementRow, block: EngagementBlock, redacted: boolean): string {
  if (!r.suppressed.includes(block)) return r.group;
  return redacted ? `${r.group} — ${PATIENTS_HIDDEN}` : `${r.group} *`;
}

/**
 * Room for group names at the left: at most 150 px, so that a phone (a 340 px chart) keeps the
 * bars; a longer name is cut with an ellipsis and the table has it whole.
 */
function groupAxis(labels: string[]) {
  const room = Math.min(150, Math.max(0, ...labels.map((l) => l.length)) * 7 + 8);
  return {
    room: room + 10,
    axis: {
      type: 'category' as const,
      data: labels,
      inverse: true,
      ...AXIS,
      axisLabel: { ...AXIS.axisLabel, width: room, overflow: 'truncate' as const },
    },
  };
}

/**
 * The portal gap per group: of the patients seen, the share with an activated account, the share
 * who used the portal and the share who used it on two or more days, as three bars side by side,
 * groups by activated share.
 */
export function portalGapBars(rows: EngagementRow[], redacted: boolean): Recipe {
  const sorted = [...rows].sort(
    (a, b) =>
      Number(hiddenBlock(a, 'seen', redacted)) - Number(hiddenBlock(b, 'seen', redacted)) ||
      (b.activated_share ?? -1) - (a.activated_share ?? -1) ||
      a.group.localeCompare(b.group),
  );
  const labels = sorted.map((r) => groupName(r, 'seen', redacted));
  const { room, axis } = groupAxis(labels);
  const shown = sorted.filter((r) => !hiddenBlock(r, 'seen', redacted) && r.patients_seen);
  const gaps = shown
    .map((r) => ({ r, gap: (r.activated_share ?? 0) - (r.active_share ?? 0) }))
    .sort((a, b) => b.gap - a.gap);
  const widest = gaps[0];
  const nHidden = sorted.length - sorted.filter((r) => !hiddenBlock(r, 'seen', redacted)).length;
  const summary =
    (widest
      ? `${gaps.every((g) => g.gap > 0) ? 'In every group fewer patients used the portal than had an account. ' : ''}Widest gap between activated and used: ${widest.r.group}, ${pct(widest.r.activated_share)} activated against ${pct(widest.r.active_share)} who used it and ${pct(widest.r.regular_share)} on 2 or more days.`
      : 'No group has patients seen to show.') +
    (nHidden ? ` ${nHidden} group${nHidden > 1 ? 's have' : ' has'} ${PATIENTS_HIDDEN}.` : '');
  return {
    summary,
    option: {
      grid: { left: room, right: 24, top: 36, bottom: 36 },
      legend: { top: 0, textStyle: { color: COLORS.ink } },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', name: '% of patients seen', min: 0, max: 100, ...AXIS },
      yAxis: axis,
      series: GAP.map((g) => ({
        name: g.short,
        type: 'bar',
        barMaxWidth: 12,
        barGap: '10%',
        itemStyle: { color: g.color },
        data: sorted.map((r) =>
          hiddenBlock(r, 'seen', redacted) ? null : axisPct(r[g.share.key]),
        ),
      })),
    },
    table: {
      // Each count with its share in one cell: five columns fit a phone.
      columns: ['Group', 'Patients seen', 'Activated', 'Used', 'Used on 2+ days'],
      rows: sorted.map((r, i) =>
        hiddenBlock(r, 'seen', redacted)
          ? [r.group, PATIENTS_HIDDEN, '', '', '']
          : [
              labels[i] ?? r.group,
              count(r.patients_seen),
              `${count(r.activated)} (${pct(r.activated_share)})`,
              `${count(r.active)} (${pct(r.active_share)})`,
              `${count(r.regular)} (${pct(r.regular_share)})`,
            ],
      ),
    },
  };
}

/** The three portal shares week by week (one row per week of one group), from zero. */
export function portalTrend(rows: EngagementRow[], redacted: boolean): Recipe {
  const weeks = [...rows].sort((a, b) => a.period_start.localeCompare(b.period_start));
  const labels = weeks.map((w) => weekLabel(w.period_start));
  const shown = weeks.filter((w) => !hiddenBlock(w, 'seen', redacted) && w.patients_seen);
  const first = shown[0];
  const last = shown.at(-1);
  const summary =
    first && last
      ? `Week of ${first.period_start}: ${pct(first.activated_share)} activated, ${pct(first.active_share)} used, ${pct(first.regular_share)} on 2 or more days; week of ${last.period_start}: ${pct(last.activated_share)}, ${pct(last.active_share)}, ${pct(last.regular_share)}.`
      : 'No week has patients seen to show.';
  return {
    summary,
    option: {
      grid: { left: 48, right: 20, top: 40, bottom: 28 },
      legend: { top: 0, textStyle: { color: COLORS.ink } },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: labels, boundaryGap: false, ...AXIS },
      yAxis: { type: 'value', name: '%', min: 0, max: 100, ...AXIS },
      series: GAP.map((g) => ({
        name: g.short,
        type: 'line',
        symbol: 'circle',
        symbolSize: 6,
        connectNulls: false,
        lineStyle: { color: g.color, width: 2 },
        itemStyle: { color: g.color },
        data: weeks.map((w) => (hiddenBlock(w, 'seen', redacted) ? null : axisPct(w[g.share.key]))),
      })),
    },
    table: {
      columns: ['Week starting', 'Patients seen', 'Activated %', 'Used %', 'Used on 2+ days %'],
      rows: weeks.map((w) =>
        hiddenBlock(w, 'seen', redacted)
          ? [w.period_start, PATIENTS_HIDDEN, '', '', '']
          : [
              w.period_start,
              count(w.patients_seen),
              pct(w.activated_share),
              pct(w.active_share),
              pct(w.regular_share),
            ],
      ),
    },
  };
}

/** One figure per group for `figureBars`: the plotted value and the table's other cells. */
export interface FigureSpec {
  /** The figure's name in the summary and the series ("Median reply time"). */
  name: string;
  block: EngagementBlock;
  unit: 'share' | 'business hours' | 'hours';
  value: (r: EngagementRow) => number | null;
  /** How a value reads in the summary ("62%", "3.0 business hours"). */
  text: (v: number | null) => string;
  /** The table's columns after the group and their cells. */
  columns: string[];
  cells: (r: EngagementRow) => (string | number | null)[];
  /** Higher values are better (shares) or worse (waiting times): the summary's order. */
  higherIsBetter: boolean;
}

/**
 * One bar per group (a share in %, or hours), best first; a dashed line at one business day for
 * reply times. Hidden groups have no bar and say why.
 */
export function figureBars(rows: EngagementRow[], spec: FigureSpec, redacted: boolean): Recipe {
  const val = (r: EngagementRow): number | null =>
    hiddenBlock(r, spec.block, redacted) ? null : spec.value(r);
  const sorted = [...rows].sort((a, b) => {
    const va = val(a);
    const vb = val(b);
    if (va === null && vb === null) return a.group.localeCompare(b.group);
    if (va === null) return 1;
    if (vb === null) return -1;
    return spec.higherIsBetter ? vb - va : va - vb;
  });
  const labels = sorted.map((r) => groupName(r, spec.block, redacted));
  const { room, axis } = groupAxis(labels);
  const shown = sorted.filter((r) => val(r) !== null);
  const best = shown[0];
  const worst = shown.at(-1);
  const nHidden = sorted.filter((r) => hiddenBlock(r, spec.block, redacted)).length;
  const summary =
    (best && worst
      ? `${spec.name}: best ${best.group} (${spec.text(val(best))}), last ${worst.group} (${spec.text(val(worst))}).`
      : `No group has a ${spec.name.toLowerCase()} to show.`) +
    (nHidden ? ` ${nHidden} group${nHidden > 1 ? 's have' : ' has'} ${PATIENTS_HIDDEN}.` : '');
  const plotted = (v: number | null): number | null =>
    v === null ? null : spec.unit === 'share' ? axisPct(v) : Math.round(v * 10) / 10;
  return {
    summary,
    option: {
      grid: { left: room, right: 28, top: 24, bottom: 36 },
      tooltip: { trigger: 'item' },
      xAxis: {
        type: 'value',
        name: spec.unit === 'share' ? '%' : spec.unit,
        min: 0,
        // Reply times: the axis reaches one business day, so that its line is always drawn.
        ...(spec.unit === 'share'
          ? { max: 100 }
          : spec.unit === 'business hours'
            ? { max: (e: { max: number }) => Math.max(e.max, BUSINESS_DAY_HOURS + 1) }
            : {}),
        ...AXIS,
      },
      yAxis: axis,
      series: [
        {
          name: spec.name,
          type: 'bar',
          barMaxWidth: 18,
          itemStyle: { color: COLORS.primary },
          data: sorted.map((r) => plotted(val(r))),
          ...(spec.unit === 'business hours'
            ? {
                markLine: {
                  symbol: 'none',
                  silent: true,
                  lineStyle: { color: COLORS.org, type: 'dashed', width: 2 },
                  label: { formatter: '1 business day', color: COLORS.org, position: 'end' },
                  data: [{ xAxis: BUSINESS_DAY_HOURS }],
                },
              }
            : {}),
        },
      ],
    },
    table: {
      columns: ['Group', ...spec.columns],
      rows: sorted.map((r, i) =>
        hiddenBlock(r, spec.block, redacted)
          ? [r.group, PATIENTS_HIDDEN, ...spec.columns.slice(1).map(() => '')]
          : [labels[i] ?? r.group, ...spec.cells(r)],
      ),
    },
  };
}

/** The shares "My patients" sets beside the peers', in this order, with short chart labels. */
const MINE_SHARES = [
  SHARES.activated_share,
  SHARES.active_share,
  SHARES.regular_share,
  SHARES.timely_access_share,
  SHARES.replied_within_1bd_share,
] as const;
const MINE_LABELS = ['Activated', 'Used', 'Used on 2+ days', 'Timely access', 'Answered ≤ 1 day'];

/**
 * A clinician's shares beside their peers' (their specialty, pooled): two bars per share, hidden
 * shares without a bar. `mine` or `peers` may be missing (nothing in the range).
 */
export function mineBesidePeers(
  mine: EngagementRow | undefined,
  peers: EngagementRow | undefined,
  redacted: boolean,
): Recipe {
  const value = (r: EngagementRow | undefined, s: (typeof MINE_SHARES)[number]) =>
    !r || hiddenBlock(r, s.block, redacted) ? null : r[s.key];
  const cell = (r: EngagementRow | undefined, s: (typeof MINE_SHARES)[number]): string =>
    !r
      ? '—'
      : hiddenBlock(r, s.block, redacted)
        ? PATIENTS_HIDDEN
        : r[s.key] === null
          ? '—'
          : `${pct(r[s.key])} (${count(r[s.numerator])} of ${count(r[s.denominator])})`;
  const { room, axis } = groupAxis(MINE_LABELS);
  const both = MINE_SHARES.filter((s) => value(mine, s) !== null && value(peers, s) !== null);
  return {
    summary: both.length
      ? `You beside your peers: ${both.map((s) => `${s.label.toLowerCase()} ${pct(value(mine, s))} against ${pct(value(peers, s))}`).join('; ')}.`
      : 'No share can be set beside your peers’ in this period.',
    option: {
      grid: { left: room, right: 24, top: 36, bottom: 36 },
      legend: { top: 0, textStyle: { color: COLORS.ink } },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', name: '%', min: 0, max: 100, ...AXIS },
      yAxis: axis,
      series: [
        { name: 'You', color: COLORS.me, r: mine },
        { name: 'Your peers', color: COLORS.primary, r: peers },
      ].map((x) => ({
        name: x.name,
        type: 'bar',
        barMaxWidth: 12,
        itemStyle: { color: x.color },
        data: MINE_SHARES.map((s) => axisPct(value(x.r, s))),
      })),
    },
    table: {
      columns: ['Share', 'You', 'Your peers'],
      rows: MINE_SHARES.map((s) => [s.label, cell(mine, s), cell(peers, s)]),
    },
  };
}
