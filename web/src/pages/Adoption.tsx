/**
 * Adoption (administrators and leaders): "Who has taken up the tool?" Per group the funnel
 * eligible → trained → first use → weekly active → habitual, and weekly active and habitual users
 * over time. Leaders see their own groups; small groups show no numbers to non-administrators.
 */
import { useMemo, useState, type ReactNode } from 'react';
import {
  goLiveMarks,
  members,
  type AdoptionReport,
  type ApiQuery,
  type GoLiveMark,
  type ToolInfo,
} from '../api.ts';
import { goLiveColumn, goLiveLines, goLiveSummary, goLiveText } from '../charts.ts';
import { Chart, AXIS, COLORS, type ChartOption } from '../components/Chart.tsx';
import {
  ErrorBox,
  Loading,
  PageHeader,
  RangePicker,
  Select,
  type PageProps,
} from '../components/ui.tsx';
import { rangeWords } from '../dates.ts';
import { useApi, type Loaded } from '../hooks.ts';

/** How the Adoption and Go-live pages group clinicians (the server's closed set). */
export type AnalysisBy = NonNullable<ApiQuery<'GET /api/adoption'>['by']>;

const STAGES = [
  ['eligible', 'Eligible', 'clinicians the tool is meant for (by role, department or specialty)'],
  ['trained', 'Trained', 'eligible clinicians who completed one of the tool’s training courses'],
  ['first_use', 'First use', 'eligible clinicians who have used the tool at least once'],
  ['weekly_active', 'Weekly active', 'used the tool at least once in the latest week'],
  ['habitual', 'Habitual', 'used it often (the tool’s habit threshold) in 3 of the last 4 weeks'],
] as const;

const STAGE_COLORS = ['#4a5360', '#5c4a99', '#1f5fa8', '#1a7f37', '#b34700'];

const BYS: Record<AnalysisBy, string> = {
  department: 'Department',
  specialty: 'Specialty',
  role: 'Role',
  org: 'Whole organisation',
};

/** The grouping of the Adoption and Go-live pages. */
export function GroupBySelect({
  value,
  onChange,
}: {
  value: AnalysisBy;
  onChange: (v: AnalysisBy) => void;
}): ReactNode {
  return (
    <Select label="Group by" value={value} onChange={(v) => onChange(v as AnalysisBy)}>
      {members(BYS).map((k) => (
        <option key={k} value={k}>
          {BYS[k]}
        </option>
      ))}
    </Select>
  );
}

export function ToolSelect({
  tools,
  value,
  onChange,
}: {
  tools: ToolInfo[];
  value: string;
  onChange: (v: string) => void;
}): ReactNode {
  return (
    <Select label="Tool" value={value} onChange={onChange}>
      {tools.map((t) => (
        <option key={t.name} value={t.name}>
          {t.name}
        </option>
      ))}
    </Select>
  );
}

/**
 * What a tool page shows before it has tools to work with (an error, loading, or none defined),
 * or null once the tools are there.
 */
export function toolsGate(header: ReactNode, tools: Loaded<ToolInfo[]>): ReactNode | null {
  if (tools.error)
    return (
      <>
        {header}
        <ErrorBox error={tools.error} />
      </>
    );
  if (!tools.data)
    return (
      <>
        {header}
        <Loading what="the tools" />
      </>
    );
  if (!tools.data.length)
    return (
      <>
        {header}
        <p className="lede">
          No tool is defined yet. An administrator adds one with <code>uptake tool add</code>.
        </p>
      </>
    );
  return null;
}

export function AdoptionPage({ meta, range, setRange }: PageProps): ReactNode {
  const tools = useApi('GET /api/tools');
  const [chosen, setChosen] = useState('');
  const [by, setBy] = useState<AnalysisBy>('department');
  const tool = chosen || tools.data?.[0]?.name || '';
  const report = useApi(
    'GET /api/adoption',
    tool ? { query: { tool, by, from: range.from, to: range.to } } : null,
  );
  const marks = goLiveMarks((tools.data ?? []).filter((t) => t.name === tool));

  const header = (
    <PageHeader title="Adoption" question="Who has taken up the tool, and do they keep using it?">
      {tools.data?.length ? (
        <>
          <ToolSelect tools={tools.data} value={tool} onChange={setChosen} />
          <GroupBySelect value={by} onChange={setBy} />
        </>
      ) : null}
      <RangePicker range={range} meta={meta} onChange={setRange} goLive={marks[0]?.date ?? null} />
    </PageHeader>
  );
  const gate = toolsGate(header, tools);
  if (gate) return gate;
  return (
    <>
      {header}
      <section aria-labelledby="stages" className="section">
        <h2 id="stages">The stages</h2>
        <dl className="stage-list">
          {STAGES.map(([k, l, d]) => (
            <div key={k}>
              <dt>{l}</dt>
              <dd>{d}</dd>
            </div>
          ))}
        </dl>
      </section>
      {report.error ? (
        <ErrorBox error={report.error} />
      ) : !report.data ? (
        <Loading what="the adoption report" />
      ) : (
        <AdoptionBody r={report.data} marks={marks} />
      )}
    </>
  );
}

function AdoptionBody({ r, marks }: { r: AdoptionReport; marks: GoLiveMark[] }): ReactNode {
  const shown = r.funnel.filter((f) => !f.suppressed || f.eligible !== null);
  const hidden = r.funnel.filter((f) => f.suppressed && f.eligible === null);
  const funnel = useMemo((): ChartOption => {
    return {
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0, textStyle: { color: COLORS.ink } },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'category', data: shown.map((f) => f.group), ...AXIS },
      yAxis: { type: 'value', name: 'clinicians', minInterval: 1, ...AXIS },
      series: STAGES.map(([k, l], i) => ({
        type: 'bar',
        name: l,
        itemStyle: { color: STAGE_COLORS[i] },
        data: shown.map((f) => f[k]),
      })),
    };
  }, [shown]);
  const weeks = useMemo(() => [...new Set(r.weekly.map((w) => w.week_start))].sort(), [r.weekly]);
  const totals = useMemo(
    () =>
      weeks.map((w) => {
        const rows = r.weekly.filter((x) => x.week_start === w);
        return {
          week: w,
          active: rows.reduce((a, x) => a + x.weekly_active, 0),
          habitual: rows.reduce((a, x) => a + x.habitual, 0),
        };
      }),
    [weeks, r.weekly],
  );
  const trend: ChartOption = {
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0, textStyle: { color: COLORS.ink } },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: weeks, ...AXIS },
    yAxis: { type: 'value', name: 'clinicians', min: 0, minInterval: 1, ...AXIS },
    series: [
      {
        type: 'line',
        name: 'Weekly active',
        data: totals.map((t) => t.active),
        itemStyle: { color: COLORS.better },
        symbol: 'circle',
        markLine: { symbol: 'none', silent: true, data: goLiveLines(weeks, weeks, marks) },
      },
      {
        type: 'line',
        name: 'Habitual',
        data: totals.map((t) => t.habitual),
        itemStyle: { color: COLORS.me },
        symbol: 'triangle',
      },
    ],
  };
  const last = totals[totals.length - 1];
  const goCol = goLiveColumn(weeks, marks);
  const anyGo = goCol.some(Boolean);
  return (
    <>
      <section aria-labelledby="funnel" className="section">
        <h2 id="funnel">Funnel by group</h2>
        <p className="lede">
          {r.options.tool}, the weeks {rangeWords(r.options.from, r.options.to)}
          {r.options.as_of_week
            ? `; weekly active and habitual as of the week of ${r.options.as_of_week}`
            : ''}
          . Habitual: at least {r.options.habitual_uses} uses a week.
        </p>
        {shown.length ? (
          <Chart
            title={`Adoption funnel of ${r.options.tool} by group`}
            summary={shown
              .map(
                (f) =>
                  `${f.group}: ${STAGES.map(([k, l]) => `${l.toLowerCase()} ${f[k] ?? 'not shown'}`).join(', ')}`,
              )
              .join('; ')}
            option={funnel}
            height={300}
            table={{
              columns: ['Group', 'Go-live', ...STAGES.map(([, l]) => l)],
              rows: shown.map((f) => [
                f.group,
                f.go_live ?? 'not live',
                ...STAGES.map(([k]) => f[k]),
              ]),
            }}
          />
        ) : (
          <p className="lede">No group to show.</p>
        )}
        {hidden.length ? (
          <p className="lede">
            Fewer than {r.options.suppression_threshold} eligible clinicians, or would let such a
            group be worked out from the total; shown without numbers:{' '}
            {hidden.map((f) => f.group).join(', ')}.
          </p>
        ) : null}
      </section>
      <section aria-labelledby="over-time" className="section">
        <h2 id="over-time">Weekly active and habitual users over time</h2>
        {totals.length ? (
          <Chart
            title={`Weekly active and habitual users of ${r.options.tool}`}
            summary={
              last
                ? `${totals.length} weeks; in the week of ${last.week}, ${last.active} weekly active and ${last.habitual} habitual users.${goLiveSummary(weeks, marks)}`
                : ''
            }
            option={trend}
            table={{
              columns: ['Week', 'Weekly active', 'Habitual', ...(anyGo ? ['Go-live'] : [])],
              rows: totals.map((t, i) => [
                t.week,
                t.active,
                t.habitual,
                ...(anyGo ? [goCol[i] ?? ''] : []),
              ]),
            }}
            note={
              marks.length
                ? `Dotted lines: the weeks of go-live (${goLiveText(marks)}). The axis starts at zero.`
                : 'The axis starts at zero.'
            }
          />
        ) : (
          <p className="lede">No weeks to show.</p>
        )}
      </section>
    </>
  );
}
