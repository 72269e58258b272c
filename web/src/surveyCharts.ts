/**
 * Chart recipes of surveys (docs/program.md §Surveys), as `charts.ts` writes them: each returns
 * the ECharts option, a one-sentence summary (the chart's accessible name) and the table of the
 * same numbers. Scores per group as dots with their 95% intervals drawn as whiskers (SUS with its
 * adjective band, NPS, net satisfaction), and before/after differences the same way around zero.
 * A suppressed group has no dot and says so.
 */
import type { SurveyComparisonOut, SurveyItemResultOut } from './api.ts';
import type { Recipe } from './charts.ts';
import { AXIS, COLORS } from './components/Chart.tsx';
import { whiskers } from './programCharts.ts';

/** One row of an interval chart: a point with its interval, or why there is none. */
export interface IntervalRow {
  label: string;
  point: number | null;
  ci: [number, number] | null;
  /** Shown in the table beside the numbers (e.g. the SUS band, n). */
  note: string;
}

/** Dots with interval whiskers, one row per group, on a fixed axis (`min`–`max`). */
export function intervalChart(
  rows: IntervalRow[],
  what: string,
  axis: { min: number; max: number; zero?: boolean },
  /** Decimals shown (scores 0–100: one; item means on a 1–5 scale: two); what a row is. */
  { digits = 1, row = 'Group' }: { digits?: number; row?: string } = {},
): Recipe {
  const r1 = (x: number) => Math.round(x * 10 ** digits) / 10 ** digits;
  const labels = rows.map((r) => (r.point === null ? `${r.label} — ${r.note}` : r.label));
  const dots = rows
    .map((r, i) => (r.point === null ? null : [r1(r.point), i]))
    .filter((x) => x !== null);
  const bars = rows
    .map((r, i) => (r.point !== null && r.ci ? [i, r1(r.ci[0]), r1(r.ci[1])] : null))
    .filter((x) => x !== null);
  const shown = rows.filter((r) => r.point !== null);
  const summary = shown.length
    ? `${what}, with 95% intervals: ${shown.map((r) => `${r.label} ${r1(r.point!)}${r.ci ? ` (${r1(r.ci[0])} to ${r1(r.ci[1])})` : ' (no interval: one response)'}`).join('; ')}.`
    : `No ${row.toLowerCase()} has a ${what.toLowerCase()} to show.`;
  const longest = Math.max(0, ...labels.map((l) => l.length));
  // Labels at most ~170 px wide: on a phone (a 340 px chart) the whiskers keep half the width;
  // a longer label is cut with an ellipsis, and the table below the chart has it whole.
  const labelWidth = Math.min(160, longest * 7 + 6);
  return {
    summary,
    option: {
      grid: { left: labelWidth + 10, right: 24, top: 16, bottom: 36 },
      tooltip: { trigger: 'item' },
      xAxis: { type: 'value', min: axis.min, max: axis.max, ...AXIS },
      yAxis: {
        type: 'category',
        data: labels,
        inverse: true,
        ...AXIS,
        axisLabel: {
          ...AXIS.axisLabel,
          width: labelWidth,
          overflow: 'truncate',
        },
      },
      series: [
        {
          name: '95% interval',
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
          ...(axis.zero
            ? {
                markLine: {
                  silent: true,
                  symbol: 'none',
                  data: [{ xAxis: 0 }],
                  lineStyle: { color: COLORS.ink, type: 'dashed' },
                },
              }
            : {}),
        },
      ],
    },
    table: {
      columns: [row, what, 'Lower 95%', 'Upper 95%', 'Note'],
      rows: rows.map((r) =>
        r.point === null
          ? [r.label, '', '', '', r.note]
          : [r.label, r1(r.point), r.ci ? r1(r.ci[0]) : '', r.ci ? r1(r.ci[1]) : '', r.note],
      ),
    },
  };
}

/** An item's short name for a chart's axis: its number and the start of its text. */
export function itemLabel(i: SurveyItemResultOut, k: number): string {
  const t = i.text.length > 48 ? `${i.text.slice(0, 46)}…` : i.text;
  return `${k + 1}. ${t}`;
}

/**
 * The mean answer of each item of one scale (1–5 or 0–10) with its 95% t-interval as whiskers,
 * for the whole survey; an item nobody answered has no dot and says so.
 */
export function itemMeansChart(
  items: { item: SurveyItemResultOut; k: number }[],
  scale: { min: number; max: number },
): Recipe {
  return intervalChart(
    items.map(({ item, k }) => ({
      label: itemLabel(item, k),
      point: item.mean?.mean ?? null,
      ci: item.mean?.ci95 ?? null,
      note: item.mean ? `${item.answered} answered` : 'nobody answered',
    })),
    `Mean answer (${scale.min}–${scale.max})`,
    scale,
    { digits: 2, row: 'Item' },
  );
}

/** What each instrument's score is called beside a number. */
export const SCORE_LABEL = {
  sus: 'SUS score',
  nps: 'NPS',
  net: 'Net satisfaction',
  custom: 'Score',
} as const;

/**
 * The change of a score from an earlier survey to a later one (after − before) per group and for
 * the whole survey, each with its 95% interval around a dashed zero line; a group suppressed or
 * without scores on a side has no dot and says so. `perGroup` false: the whole survey only.
 */
export function changeChart(c: SurveyComparisonOut, perGroup = true): Recipe {
  const rows = [...(perGroup ? c.groups : []), c.total].map((g): IntervalRow =>
    g.difference
      ? {
          label: g.group,
          point: g.difference.estimate,
          ci: g.difference.ci95,
          note: `before ${g.before?.responses ?? '—'}, after ${g.after?.responses ?? '—'} responses`,
        }
      : { label: g.group, point: null, ci: null, note: 'suppressed or too few scores on a side' },
  );
  const span = c.after.instrument === 'sus' ? 50 : 100;
  return intervalChart(rows, `Change in ${SCORE_LABEL[c.after.instrument]} (after − before)`, {
    min: -span,
    max: span,
    zero: true,
  });
}
