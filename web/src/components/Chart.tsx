/**
 * A chart that people can also read without seeing it: an ECharts plot (SVG) in a figure with a
 * caption, a text summary as its accessible name, and a button that shows the same numbers as a
 * table.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, CustomChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';

echarts.use([
  BarChart,
  CustomChart,
  HeatmapChart,
  LineChart,
  ScatterChart,
  VisualMapComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  SVGRenderer,
]);

export type ChartOption = EChartsCoreOption;

export interface TableData {
  columns: string[];
  rows: (string | number | null)[][];
}

const reducedMotion = (): boolean =>
  typeof window.matchMedia === 'function' &&
  window.matchMedia('(prefers-reduced-motion: reduce)').matches;

/** Colours with at least 4.5:1 contrast on white (WCAG AA) for lines, markers and text. */
export const COLORS = {
  ink: '#1b1f24',
  muted: '#4a5360',
  primary: '#1f5fa8',
  band: 'rgba(31, 95, 168, 0.18)',
  org: '#5c4a99',
  me: '#b34700',
  better: '#1a7f37',
  worse: '#b42318',
  grid: '#d8dee4',
};

/** Axis and text styling shared by every chart. */
export const AXIS = {
  axisLabel: { color: COLORS.muted, fontSize: 12 },
  axisLine: { lineStyle: { color: COLORS.muted } },
  splitLine: { lineStyle: { color: COLORS.grid } },
  nameTextStyle: { color: COLORS.muted, fontSize: 12 },
};

function EChart({
  option,
  height,
  label,
}: {
  option: ChartOption;
  height: number;
  label: string;
}): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const c = echarts.init(el, null, { renderer: 'svg' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(
      { animation: !reducedMotion(), textStyle: { fontFamily: 'inherit' }, ...option },
      true,
    );
  }, [option]);
  return (
    <div
      ref={ref}
      className="chart-canvas"
      style={{ height }}
      role="img"
      aria-label={label}
      data-chart="true"
    />
  );
}

/**
 * A figure: title, the plot (named by `summary` for screen readers), an optional note, and a
 * data-table toggle with every number the plot shows.
 */
export function Chart({
  title,
  summary,
  option,
  table,
  height = 240,
  note,
}: {
  title: string;
  summary: string;
  option: ChartOption;
  table: TableData;
  height?: number;
  note?: ReactNode;
}): ReactNode {
  const [showTable, setShowTable] = useState(false);
  const id = useId();
  return (
    <figure className="chart" aria-labelledby={`${id}-cap`}>
      <figcaption id={`${id}-cap`} className="chart-title">
        {title}
      </figcaption>
      <EChart option={option} height={height} label={`${title}. ${summary}`} />
      {note ? <div className="chart-note">{note}</div> : null}
      <button
        type="button"
        className="link-button"
        aria-expanded={showTable}
        aria-controls={`${id}-table`}
        onClick={() => setShowTable((s) => !s)}
      >
        {showTable ? 'Hide data table' : 'Show data table'}
      </button>
      <div id={`${id}-table`} hidden={!showTable}>
        {showTable ? <DataTable caption={title} data={table} /> : null}
      </div>
    </figure>
  );
}

export function DataTable({ caption, data }: { caption: string; data: TableData }): ReactNode {
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={`Table: ${caption}`}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {data.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.rows.map((r, i) => (
            <tr key={i}>
              {r.map((v, j) =>
                j === 0 ? (
                  <th key={j} scope="row">
                    {v ?? '—'}
                  </th>
                ) : (
                  <td key={j} className={typeof v === 'number' ? 'num' : undefined}>
                    {v ?? '—'}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
