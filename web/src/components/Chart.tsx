/**
 * A chart that people can also read without seeing it: an ECharts plot (SVG) in a figure with a
 * caption, a text summary as its accessible name, and a button that shows the same numbers as a
 * table. Every chart downloads as a PNG and its numbers as CSV; every table downloads as CSV. Both
 * are made in the page (no inline script, no request): the CSV from the table's cells, the PNG by
 * drawing the chart's SVG (a `data:` image, which the Content-Security-Policy allows) on a canvas.
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
  golive: '#1b1f24',
};

/** The page's font, also written into a chart's SVG so that a downloaded PNG looks the same. */
const FONT =
  "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Liberation Sans', Arial, sans-serif";

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
  chartRef,
}: {
  option: ChartOption;
  height: number;
  label: string;
  chartRef: { current: echarts.ECharts | null };
}): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const c = echarts.init(el, null, { renderer: 'svg' });
    chartRef.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el);
    // Paper is narrower than the screen: draw again at the printed width, and back afterwards.
    const print = window.matchMedia('print');
    const redraw = (): void => c.resize();
    print.addEventListener('change', redraw);
    return () => {
      print.removeEventListener('change', redraw);
      ro.disconnect();
      c.dispose();
      chartRef.current = null;
    };
  }, [chartRef]);
  useEffect(() => {
    chartRef.current?.setOption(
      { animation: !reducedMotion(), textStyle: { fontFamily: FONT }, ...option },
      true,
    );
  }, [option, chartRef]);
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

/** A file name from a title: "EHR-Time8 — all EHR time" → "uptake-ehr-time8-all-ehr-time". */
export function fileName(title: string): string {
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `uptake-${slug || 'table'}`;
}

/** Let the browser save `blob` as `name` (a link to an object URL, clicked, then released). */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A table as CSV (RFC 4180, CRLF, UTF-8 with a byte-order mark for spreadsheet programs): the
 * cells as the page shows them, empty for "no value" (— or –). A text cell that a spreadsheet
 * would run as a formula (starting with =, +, -, @ and not a plain number) gets a leading apostrophe.
 */
export function toCsv(data: TableData): string {
  const cell = (v: string | number | null): string => {
    if (v === null || v === '—' || v === '–') return '';
    let t = String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(t) && !/^[+-]?\d+(\.\d+)?%?$/.test(t))
      t = `'${t}`;
    return /[",\r\n]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t;
  };
  return `\uFEFF${[data.columns, ...data.rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** A "Download CSV" button for `data`, named by `title`. */
export function CsvButton({ title, data }: { title: string; data: TableData }): ReactNode {
  return (
    <button
      type="button"
      className="link-button"
      aria-label={`Download CSV: ${title}`}
      onClick={() =>
        saveFile(
          new Blob([toCsv(data)], { type: 'text/csv;charset=utf-8' }),
          `${fileName(title)}.csv`,
        )
      }
    >
      Download CSV
    </button>
  );
}

/**
 * The chart as a PNG at twice its size on screen, with its title above it on white: ECharts' SVG
 * drawn as an image (`data:` URL) onto a canvas.
 */
async function chartPng(chart: echarts.ECharts, title: string): Promise<Blob> {
  const svg = chart.renderToSVGString();
  const w = chart.getWidth();
  const h = chart.getHeight();
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await img.decode();
  const head = 32;
  const scale = 2;
  const canvas = document.createElement('canvas');
  canvas.width = w * scale;
  canvas.height = (h + head) * scale;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no canvas');
  ctx.scale(scale, scale);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, w, h + head);
  ctx.fillStyle = COLORS.ink;
  ctx.font = `600 14px ${FONT}`;
  ctx.fillText(title, 8, 21, w - 16);
  ctx.drawImage(img, 0, head, w, h);
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('no PNG'))), 'image/png'),
  );
}

/**
 * A figure: title, the plot (named by `summary` for screen readers), an optional note, a
 * data-table toggle with every number the plot shows, and downloads of both.
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
  const [pngProblem, setPngProblem] = useState('');
  const chart = useRef<echarts.ECharts | null>(null);
  const id = useId();
  const png = async (): Promise<void> => {
    setPngProblem('');
    try {
      if (!chart.current) throw new Error('the chart is not drawn yet');
      saveFile(await chartPng(chart.current, title), `${fileName(title)}.png`);
    } catch (e) {
      setPngProblem(`The picture could not be made: ${(e as Error).message}.`);
    }
  };
  return (
    <figure className="chart" aria-labelledby={`${id}-cap`}>
      <figcaption id={`${id}-cap`} className="chart-title">
        {title}
      </figcaption>
      <EChart option={option} height={height} label={`${title}. ${summary}`} chartRef={chart} />
      {note ? <div className="chart-note">{note}</div> : null}
      <div className="chart-actions">
        <button
          type="button"
          className="link-button"
          aria-expanded={showTable}
          aria-controls={`${id}-table`}
          onClick={() => setShowTable((s) => !s)}
        >
          {showTable ? 'Hide data table' : 'Show data table'}
        </button>
        <CsvButton title={title} data={table} />
        <button
          type="button"
          className="link-button"
          aria-label={`Download PNG: ${title}`}
          onClick={() => void png()}
        >
          Download PNG
        </button>
      </div>
      {pngProblem ? (
        <p className="form-problem" role="alert">
          {pngProblem}
        </p>
      ) : null}
      <div id={`${id}-table`} hidden={!showTable}>
        {showTable ? <DataTable caption={title} data={table} download={false} /> : null}
      </div>
    </figure>
  );
}

/** A table with a caption, row headers in the first column, and (unless `download` is false) a CSV download. */
export function DataTable({
  caption,
  data,
  download = true,
}: {
  caption: string;
  data: TableData;
  download?: boolean;
}): ReactNode {
  return (
    <>
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
      {download ? <CsvButton title={caption} data={data} /> : null}
    </>
  );
}
