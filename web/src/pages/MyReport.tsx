/**
 * My report: "Where do I stand, and what could make my EHR day lighter?" — readable in under a
 * minute. First my numbers beside my peers' median and at most three suggestions, each saying why
 * it was chosen (on a phone both fit in the first screens); my patients' use of the portal and my
 * reply time beside my peers', with at most one suggestion (`MyPatients.tsx`); follow-ups for my
 * patients after a visit and where each stands (`MyFollowups.tsx`); then, per metric, my peers' spread with
 * me marked and my own weekly trend with the go-lives of my groups; the goals of my groups open
 * for my vote and what IT did of what my unit asked ("You asked, we did"). Only the clinician
 * sees this page; it prints on paper without the page's controls.
 */
import type { ReactNode } from 'react';
import type { GoLiveMark, MyReport, Quantiles } from '../api.ts';
import { boxStrip, goLiveColumn, goLiveSummary, goLiveText, sparkline } from '../charts.ts';
import { Chart } from '../components/Chart.tsx';
import {
  AboutNumbers,
  ErrorBox,
  Loading,
  PageHeader,
  RangePicker,
  Suppressed,
  Updating,
  type PageProps,
} from '../components/ui.tsx';
import { useApi, useGoLives, useRefreshWhileUpdating } from '../hooks.ts';
import { AskForHelp, type HelpTopic } from './Help.tsx';
import { MyChampionInvitation, MyTrainingTargets } from './Champions.tsx';
import { GoalsForMyGroup, YouAskedWeDid } from './MyProgram.tsx';
import { SurveyCard } from './SurveyCard.tsx';
import { MyPatients } from './MyPatients.tsx';
import { MyFollowups } from './MyFollowups.tsx';
import { definitionOf, fmt, GROUP_BY_LABEL, info, periodText, unitText } from '../metrics.ts';

export const MY_METRICS = [
  'ehr_time8',
  'wow8',
  'ib_time8',
  'note_time8',
  'after_hours8',
  'undivided_attention',
] as const;
type MyMetric = (typeof MY_METRICS)[number];

export function MyReportPage({ me, meta, range, setRange }: PageProps): ReactNode {
  const report = useApi('GET /api/me/report', { query: range });
  useRefreshWhileUpdating(report);
  // The go-lives of my own department, specialty or role, and of the whole organisation.
  const goLives = useGoLives();
  const marks = goLives.marks.filter((g) => g.mine);
  return (
    <>
      <PageHeader
        title="My report"
        question="Where do I stand beside my peers, and what could make my EHR day lighter?"
      >
        <RangePicker
          range={range}
          meta={meta}
          onChange={setRange}
          goLive={marks[0]?.date ?? null}
        />
        <button type="button" className="secondary print-button" onClick={() => window.print()}>
          Print
        </button>
      </PageHeader>
      <p className="private-note">
        Private: only you see your own numbers. Your peers appear only as a group.
      </p>
      <SurveyCard />
      <MyChampionInvitation timezone={meta.timezone} />
      <MyTrainingTargets />
      {report.error ? <ErrorBox error={report.error} /> : null}
      {(report.loading && !report.data) || (report.data && !goLives.ready) ? (
        <Loading what="your report" />
      ) : null}
      {report.data && goLives.ready ? (
        <Updating freshness={report.data.freshness} timezone={meta.timezone} />
      ) : null}
      {report.data && goLives.ready ? (
        <ReportBody
          r={report.data}
          marks={marks}
          timezone={meta.timezone}
          patients={
            me.clinician_id ? (
              <>
                <MyPatients range={range} />
                <MyFollowups timezone={meta.timezone} />
              </>
            ) : null
          }
        />
      ) : null}
    </>
  );
}

/** The help topic of a suggestion's metric, to start the "ask a champion" form there. */
function topicOf(metric: string | undefined): HelpTopic | undefined {
  if (!metric) return undefined;
  if (metric.startsWith('ib_')) return 'inbox';
  if (metric.startsWith('note_')) return 'notes';
  if (metric.startsWith('teamwork') || metric.startsWith('pres_')) return 'orders';
  if (metric.startsWith('wow') || metric.startsWith('after_hours')) return 'after_hours';
  return undefined;
}

function position(v: number | null, q: Quantiles | undefined): string {
  if (v === null || !q || q.median === null) return '';
  if (q.p25 !== null && v < q.p25) return 'lower than most of your peers';
  if (q.p75 !== null && v > q.p75) return 'higher than most of your peers';
  return 'in the middle half of your peers';
}

function ReportBody({
  r,
  marks,
  timezone,
  patients,
}: {
  r: MyReport;
  marks: GoLiveMark[];
  timezone: string;
  /** "My patients": the clinician's patient engagement beside their peers'. */
  patients: ReactNode;
}): ReactNode {
  const me = r.me;
  const peers = r.peers;
  const threshold = r.options.suppression_threshold;
  if (!me)
    return (
      <>
        <p className="notice" role="status">
          No activity of yours in this period. Choose another date range.
        </p>
        {patients}
        <GoalsForMyGroup timezone={timezone} />
        <YouAskedWeDid timezone={timezone} />
      </>
    );
  const peerKind = (GROUP_BY_LABEL[peers.group.by] ?? peers.group.by).toLowerCase();
  const suggestions = r.suggestions.slice(0, 3);
  const valueOf = (m: MyMetric): number | null => me[m];
  const peerOf = (m: MyMetric): Quantiles | undefined =>
    peers.suppressed ? undefined : peers.quantiles[m];
  const starts = r.weekly.map((w) => w.period_start);
  const goCol = goLiveColumn(starts, marks);
  const anyGo = goCol.some(Boolean);
  return (
    <>
      <p className="lede">
        {periodText(r.options)}. Compared with your peers:{' '}
        {peers.group.by === 'org' ? (
          <strong>the whole organisation</strong>
        ) : (
          <>
            <strong>{peers.group.value}</strong> ({peerKind})
          </>
        )}
        {peers.suppressed ? (
          <>
            {' '}
            — <Suppressed threshold={threshold} />, so their spread is not shown.
          </>
        ) : (
          <>, {peers.n} clinicians with scheduled time.</>
        )}{' '}
        You had {me.scheduled_hours.toFixed(1)} scheduled hours and {me.appointments} appointments
        in this period.
      </p>

      <section className="section" aria-labelledby="my-numbers">
        <h2 id="my-numbers">My numbers</h2>
        <ul className="my-kpis">
          {MY_METRICS.map((m) => {
            const v = valueOf(m);
            const q = peerOf(m);
            const where = position(v, q);
            return (
              <li className="my-kpi" key={m} data-metric={m}>
                <h3 className="metric-name">{info(m).label}</h3>
                <p className="kpi-value">
                  <span className="big" data-testid={`my-${m}`}>
                    {fmt(m, v)}
                  </span>{' '}
                  <span className="unit">{unitText(m)}</span>
                </p>
                <p className="kpi-sub">
                  {q ? (
                    <>
                      Peers' median {fmt(m, q.median)}
                      {where ? <>: you are {where}</> : null}
                      {info(m).lowerIsBetter ? ' (lower is less burden).' : ' (higher is better).'}
                    </>
                  ) : peers.suppressed ? (
                    <>
                      Peers: <Suppressed threshold={threshold} />
                    </>
                  ) : (
                    'No peer figure.'
                  )}
                </p>
              </li>
            );
          })}
        </ul>
      </section>

      <section className="section" aria-labelledby="suggestions">
        <h2 id="suggestions">What could help</h2>
        {suggestions.length ? (
          <ol className="suggestions">
            {suggestions.map((s) => (
              <li key={s.id} data-suggestion={s.id}>
                <h3>{s.title}</h3>
                <p className="action">{s.action}</p>
                <p className="why">
                  <strong>Why this one:</strong> {s.why}
                  {s.value !== null && !/\d/.test(s.why) ? (
                    <>
                      {' '}
                      (your {info(s.metric).label} {fmt(s.metric, s.value)}; peers' median{' '}
                      {fmt(s.metric, s.peer_median)})
                    </>
                  ) : null}
                </p>
              </li>
            ))}
          </ol>
        ) : (
          <p>Nothing stands out: your numbers are close to or better than your peers'.</p>
        )}
      </section>

      {patients}

      <GoalsForMyGroup timezone={timezone} />
      <YouAskedWeDid timezone={timezone} />

      <section className="section" aria-labelledby="my-detail">
        <h2 id="my-detail">Beside my peers, and week by week</h2>
        <p className="legend-line">
          <span className="swatch me" aria-hidden="true" /> You ·{' '}
          <span className="swatch box" aria-hidden="true" /> middle half of your peers (whiskers
          10th–90th percentile, line: median) · right: your weeks, dashed line: peers' median
          {marks.length ? `, dotted line: go-live (${goLiveText(marks)})` : ''}. Every axis starts
          at zero.
        </p>
        <div className="my-metrics">
          {MY_METRICS.map((m) => {
            const v = valueOf(m);
            const q = peerOf(m);
            const weeks = r.weekly.map((w) => ({
              period_start: w.period_start,
              value: w[m],
            }));
            return (
              <article className="my-metric" key={m} data-metric={m}>
                <div className="my-metric-text">
                  <h3 className="metric-name">{info(m).label}</h3>
                  <p className="metric-def">{definitionOf(m, r.definitions)}</p>
                </div>
                {q ? (
                  <Chart
                    title={`${info(m).label}: you and your peers`}
                    summary={`You: ${fmt(m, v)}. Peers: 10th percentile ${fmt(m, q.p10)}, 25th ${fmt(m, q.p25)}, median ${fmt(m, q.median)}, 75th ${fmt(m, q.p75)}, 90th ${fmt(m, q.p90)}.`}
                    option={boxStrip(
                      [{ label: info(m).label, box: q, marker: { name: 'You', value: v } }],
                      m,
                    )}
                    height={96}
                    table={{
                      columns: ['', '10th', '25th', 'Median', '75th', '90th', 'You'],
                      rows: [
                        [
                          'Peers',
                          fmt(m, q.p10),
                          fmt(m, q.p25),
                          fmt(m, q.median),
                          fmt(m, q.p75),
                          fmt(m, q.p90),
                          fmt(m, v),
                        ],
                      ],
                    }}
                  />
                ) : (
                  <div className="chart placeholder">
                    <p>Peer comparison not shown.</p>
                  </div>
                )}
                <Chart
                  title={`${info(m).label}: my weeks`}
                  summary={
                    weeks.length
                      ? `Your weekly ${info(m).label}: ${weeks.map((w) => `${w.period_start} ${fmt(m, w.value)}`).join(', ')}.${goLiveSummary(starts, marks)}`
                      : 'No weekly values.'
                  }
                  option={sparkline(weeks, m, q?.median ?? null, marks)}
                  height={96}
                  table={{
                    columns: ['Week starting', 'You', ...(anyGo ? ['Go-live'] : [])],
                    rows: weeks.map((w, i) => [
                      w.period_start,
                      fmt(m, w.value),
                      ...(anyGo ? [goCol[i] ?? ''] : []),
                    ]),
                  }}
                />
              </article>
            );
          })}
        </div>
      </section>

      <AskForHelp topic={topicOf(suggestions[0]?.metric)} timezone={timezone} />

      <AboutNumbers options={r.options} definitions={r.definitions} metrics={MY_METRICS} />
    </>
  );
}
