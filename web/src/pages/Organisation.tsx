/**
 * Organisation: "How much EHR time do our clinicians spend, and is it getting better — where?"
 * Headline medians, weekly trends with quartile bands, departments side by side, which
 * departments improved or worsened, and the goals by status.
 */
import { useMemo, useState, type ReactNode } from 'react';
import type { GoLiveMark, GroupMetricRow, OrgReport } from '../api.ts';
import {
  changeBars,
  goLiveText,
  groupBars,
  trendBand,
  weekHeatmap,
  type ChangeRow,
  type Privacy,
  type Stat,
} from '../charts.ts';
import { Chart, COLORS, AXIS } from '../components/Chart.tsx';
import {
  AboutNumbers,
  ErrorBox,
  Freshness,
  Loading,
  MetricLabel,
  MetricSelect,
  PageHeader,
  RangePicker,
  Select,
  Updating,
  type PageProps,
} from '../components/ui.tsx';
import { dateWords, rangeWords } from '../dates.ts';
import { href, useApi, useGoLives, useRefreshWhileUpdating } from '../hooks.ts';
import { GoalsByStatus } from './Goals.tsx';
import {
  compare,
  definitionOf,
  fmt,
  info,
  PER8,
  periodText,
  unitText,
  type Per8Metric,
} from '../metrics.ts';
import { TrainingEffectView, TrainingTargetCounts } from './Champions.tsx';

const HEADLINE = ['ehr_time8', 'wow8', 'ib_time8', 'note_time8'] as const;

function value(
  r: GroupMetricRow | undefined,
  metric: Per8Metric,
  s: Stat,
  reveal = false,
): number | null {
  if (!r || (r.suppressed && !reveal)) return null;
  return r[`${metric}_${s}`];
}

export function OrganisationPage({ me, meta, range, setRange }: PageProps): ReactNode {
  const report = useApi('GET /api/org', { query: range });
  useRefreshWhileUpdating(report);
  const { marks, ready } = useGoLives();
  const [metric, setMetric] = useState<Per8Metric>('ehr_time8');
  const [changeMetric, setChangeMetric] = useState<Per8Metric>('ehr_time8');
  return (
    <>
      <PageHeader
        title="Organisation"
        question="How much EHR time do our clinicians spend, is it getting better, and where?"
      >
        <RangePicker
          range={range}
          meta={meta}
          onChange={setRange}
          goLive={marks[0]?.date ?? null}
        />
      </PageHeader>
      <Freshness meta={meta} />
      {report.error ? <ErrorBox error={report.error} /> : null}
      {(report.loading && !report.data) || (report.data && !ready) ? (
        <Loading what="the organisation's metrics" />
      ) : null}
      {report.data && ready ? (
        <Updating freshness={report.data.freshness} timezone={meta.timezone} />
      ) : null}
      {report.data && ready ? (
        <OrgBody
          r={report.data}
          marks={marks}
          reveal={me.role === 'admin'}
          metric={metric}
          setMetric={setMetric}
          changeMetric={changeMetric}
          setChangeMetric={setChangeMetric}
        />
      ) : null}
      <OrgGoals timezone={meta.timezone} />
      {/* Administrators, champions and IT find these on the Help requests page; leaders here. */}
      {me.role === 'leader' ? (
        <>
          <TrainingTargetCounts />
          <TrainingEffectView />
        </>
      ) : null}
    </>
  );
}

/** The organisation's goals, by state and computed status (docs/program.md §Goals). */
function OrgGoals({ timezone }: { timezone: string }): ReactNode {
  const goals = useApi('GET /api/goals');
  return (
    <section className="section" aria-labelledby="org-goals">
      <div className="section-head">
        <h2 id="org-goals">Goals by status</h2>
        <a href={href(['goals'])}>All goals</a>
      </div>
      {goals.error ? <ErrorBox error={goals.error} /> : null}
      {!goals.data && !goals.error ? <Loading what="the goals" /> : null}
      {goals.data ? (
        <GoalsByStatus list={goals.data} timezone={timezone} headingLevel="h3" />
      ) : null}
    </section>
  );
}

function OrgBody({
  r,
  marks,
  reveal,
  metric,
  setMetric,
  changeMetric,
  setChangeMetric,
}: {
  r: OrgReport;
  marks: GoLiveMark[];
  reveal: boolean;
  metric: Per8Metric;
  setMetric: (m: Per8Metric) => void;
  changeMetric: Per8Metric;
  setChangeMetric: (m: Per8Metric) => void;
}): ReactNode {
  const threshold = r.options.suppression_threshold;
  const priv: Privacy = { threshold, reveal };
  const weekly = r.weekly;
  const shown = weekly.filter((w) => (!w.suppressed || reveal) && (w.n ?? 0) > 0);
  const counts = weekly.map((w) => w.n ?? 0);
  const changeMetrics = PER8.filter((m) => r.changes.some((c) => c.metric === m));
  const first = shown[0];
  const last = shown.at(-1);

  const changes: ChangeRow[] = useMemo(
    () =>
      r.changes
        .filter((c) => c.metric === changeMetric)
        .map((c) => ({
          group: c.group,
          first: c.first_half_median,
          second: c.second_half_median,
          change: c.suppressed && !reveal ? null : c.change,
          direction: c.suppressed && !reveal ? null : c.direction,
          suppressed: c.suppressed,
        })),
    [r, changeMetric, reveal],
  );

  if (!weekly.length)
    return (
      <p className="notice-box" role="status">
        No data in this range. Choose another date range.
      </p>
    );
  return (
    <>
      <section aria-labelledby="headline" className="section">
        <h2 id="headline">At a glance</h2>
        {last ? (
          <p className="lede">
            Medians across the {last.n} clinicians with scheduled time in the week of{' '}
            {dateWords(last.period_start)}, compared with the week of{' '}
            {first ? dateWords(first.period_start) : ''}. Lower is less EHR burden.
          </p>
        ) : (
          <p className="lede">No week in this range has clinicians with scheduled time.</p>
        )}
        <div className="kpis">
          {HEADLINE.map((k) => (
            <Kpi
              key={k}
              metric={k}
              first={first}
              last={last}
              defs={r.definitions}
              reveal={reveal}
            />
          ))}
        </div>
      </section>

      <section aria-labelledby="trends" className="section">
        <h2 id="trends">Week by week</h2>
        <p className="lede">
          Hours per 8 scheduled hours, each axis from zero. The line is the median clinician; the
          shaded band holds the middle half (25th to 75th percentile).
          {marks.length ? ` Dotted lines mark the weeks of go-live (${goLiveText(marks)}).` : ''}
        </p>
        <div className="chart-grid">
          {PER8.map((k) => {
            const rec = trendBand(weekly, k, priv, undefined, marks);
            return (
              <Chart
                key={k}
                title={`${info(k).label} — ${info(k).brief}`}
                summary={rec.summary}
                option={rec.option}
                table={rec.table}
                height={200}
              />
            );
          })}
          <Chart
            title="Clinicians with scheduled time, by week"
            summary={`Between ${Math.min(...counts)} and ${Math.max(...counts)} clinicians had scheduled time each week.`}
            option={{
              grid: { left: 48, right: 16, top: 28, bottom: 28 },
              tooltip: { trigger: 'axis' },
              xAxis: {
                type: 'category',
                data: weekly.map((w) => w.period_start.slice(5)),
                ...AXIS,
              },
              yAxis: { type: 'value', name: 'clinicians', minInterval: 1, ...AXIS },
              series: [
                {
                  name: 'n',
                  type: 'bar',
                  data: counts,
                  itemStyle: { color: COLORS.muted },
                  barMaxWidth: 18,
                },
              ],
            }}
            table={{
              columns: ['Week starting', 'Clinicians with scheduled time (n)', 'Active clinicians'],
              rows: weekly.map((w) => [w.period_start, w.n, w.clinicians]),
            }}
            height={200}
          />
        </div>
      </section>

      <section aria-labelledby="by-dept" className="section">
        <div className="section-head">
          <h2 id="by-dept">By department</h2>
          <MetricSelect value={metric} onChange={setMetric} />
        </div>
        <MetricLabel metric={metric} defs={r.definitions} as="span" />
        <div className="chart-grid two">
          {(() => {
            const rec = groupBars(r.departments, metric, priv, null);
            return (
              <Chart
                title={`Median ${info(metric).label} by department, ${periodText(r.options)}`}
                summary={rec.summary}
                option={rec.option}
                table={rec.table}
                height={Math.max(200, 34 * r.departments.length + 60)}
                note={
                  <>
                    Bars: median; whiskers: 25th–75th percentile.{' '}
                    {!reveal
                      ? `Suppressed departments have fewer than ${threshold} clinicians with scheduled time, or would let one be worked out from the total, and show no numbers.`
                      : r.departments.some((d) => d.suppressed)
                        ? `* Fewer than ${threshold} clinicians with scheduled time, or would let such a department be worked out from the total: suppressed for everyone but administrators.`
                        : ''}
                  </>
                }
              />
            );
          })()}
          {(() => {
            const rec = weekHeatmap(r.weekly_by_department, metric, priv);
            const groups = new Set(r.weekly_by_department.map((w) => w.group)).size;
            return (
              <Chart
                title={`Weekly median ${info(metric).label} by department`}
                summary={rec.summary}
                option={rec.option}
                table={rec.table}
                height={Math.max(220, 30 * groups + 110)}
                note="Darker cells: higher medians. Empty cells: weeks with too few clinicians."
              />
            );
          })()}
        </div>
      </section>

      <section aria-labelledby="changes" className="section">
        <div className="section-head">
          <h2 id="changes">Which departments improved or worsened</h2>
          {changeMetrics.length > 1 ? (
            <Select
              inline
              label="Metric"
              value={changeMetric}
              onChange={(v) => setChangeMetric(v as Per8Metric)}
            >
              {changeMetrics.map((k) => (
                <option key={k} value={k}>
                  {info(k).label} — {info(k).short}
                </option>
              ))}
            </Select>
          ) : null}
        </div>
        {r.halves ? (
          <p className="lede">
            Each department's median {info(changeMetric).label} in the weeks{' '}
            {rangeWords(r.halves.first[0], r.halves.first[1])} against the weeks{' '}
            {rangeWords(r.halves.second[0], r.halves.second[1])}.{' '}
            <span className="better-text">Green: improved</span>,{' '}
            <span className="worse-text">red: worsened</span>, grey: within ±5% of the first half's
            median (unchanged).
          </p>
        ) : (
          <p className="lede">The period is too short to compare two halves.</p>
        )}
        {r.halves && changes.length
          ? (() => {
              const rec = changeBars(changes, changeMetric, priv);
              return (
                <Chart
                  title={`Change in median ${info(changeMetric).label}, second half minus first half`}
                  summary={rec.summary}
                  option={rec.option}
                  table={rec.table}
                  height={Math.max(200, 34 * changes.length + 50)}
                  note={
                    <>
                      {info(changeMetric).lowerIsBetter
                        ? 'Lower is less burden, so a bar to the left is an improvement.'
                        : 'Higher is better.'}
                      {reveal && changes.some((c) => c.suppressed)
                        ? ` * Fewer than ${threshold} clinicians, or would let such a department be worked out: suppressed for everyone but administrators.`
                        : ''}
                    </>
                  }
                />
              );
            })()
          : null}
      </section>

      <AboutNumbers options={r.options} definitions={r.definitions} metrics={PER8} />
    </>
  );
}

function Kpi({
  metric,
  first,
  last,
  defs,
  reveal,
}: {
  metric: Per8Metric;
  first: GroupMetricRow | undefined;
  last: GroupMetricRow | undefined;
  defs: Record<string, string>;
  reveal: boolean;
}): ReactNode {
  const v = value(last, metric, 'median', reveal);
  const v0 = value(first, metric, 'median', reveal);
  const d = v !== null && v0 !== null && first !== last ? v - v0 : null;
  // As the server's changes: within ±5% of the first week's value is "about the same".
  const how = d === null ? null : compare(metric, v, v0);
  const same = how === 'same';
  const better = how === 'better';
  return (
    <article className="kpi" data-metric={metric}>
      <h3 className="metric-name">{info(metric).label}</h3>
      <p className="kpi-value">
        <span className="big" data-testid={`kpi-${metric}`}>
          {fmt(metric, v)}
        </span>{' '}
        <span className="unit">{unitText(metric)}</span>
      </p>
      <p className="kpi-sub">
        Median; middle half {fmt(metric, value(last, metric, 'p25', reveal))}–
        {fmt(metric, value(last, metric, 'p75', reveal))}
      </p>
      {d !== null ? (
        <p className={`delta ${how ?? 'same'}`} data-delta={how ?? undefined}>
          {same ? '■ about the same (within ±5%)' : `${d > 0 ? '▲ +' : '▼ '}${fmt(metric, d)}`}{' '}
          since the week of {first ? dateWords(first.period_start) : ''}
          {same ? '' : better ? ' (better)' : ' (worse)'}
        </p>
      ) : null}
      <p className="metric-def">{definitionOf(metric, defs)}</p>
    </article>
  );
}
