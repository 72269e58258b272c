/**
 * Group: "How are the clinicians of this department (specialty, role) doing, compared with the
 * organisation?" The spread of clinicians as anonymous dots, the weekly trend, and — only where
 * identified reports are on — a table of named clinicians; for a department, "You asked, we
 * did" (what IT has done of what its clinicians asked for).
 */
import { useState, type ReactNode } from 'react';
import type { GoLiveMark, GroupKind, GroupReport, Meta } from '../api.ts';
import { boxStrip, goLiveText, trendBand, type Privacy } from '../charts.ts';
import { Chart, DataTable } from '../components/Chart.tsx';
import {
  AboutNumbers,
  ErrorBox,
  Loading,
  MetricSelect,
  PageHeader,
  quantile,
  RangePicker,
  Suppressed,
  Select,
  Updating,
  type PageProps,
} from '../components/ui.tsx';
import { rangeWords } from '../dates.ts';
import { href, useApi, useGoLives, useRefreshWhileUpdating } from '../hooks.ts';
import {
  compare,
  definitionOf,
  fmt,
  GROUP_BY_LABEL,
  info,
  PER8,
  unitText,
  type Per8Metric,
} from '../metrics.ts';
import { YouAskedWeDid } from './MyProgram.tsx';

interface Choice {
  by: GroupKind;
  value: string;
}

/** The columns of the identified clinicians' table. */
const NAMED = [...PER8, 'after_hours8', 'undivided_attention'] as const;

/** The groups this account may open, as the server lists them (all for an administrator). */
export function groupChoices(meta: Meta): Choice[] {
  return [
    ...meta.departments.map((value) => ({ by: 'department' as const, value })),
    ...meta.specialties.map((value) => ({ by: 'specialty' as const, value })),
    ...meta.roles.map((value) => ({ by: 'role' as const, value })),
  ];
}

export function GroupPage({
  me,
  meta,
  range,
  setRange,
  by,
  value,
}: PageProps & { by: string | undefined; value: string | undefined }): ReactNode {
  const choices = groupChoices(meta);
  // The server checks the kind of group of the address (400 for another).
  const chosen: Choice | undefined = by && value ? { by: by as GroupKind, value } : choices[0];
  const report = useApi(
    'GET /api/groups/:by/:value',
    chosen ? { params: { by: chosen.by, value: chosen.value }, query: range } : null,
  );
  useRefreshWhileUpdating(report);
  // The go-lives of this group and of the whole organisation.
  const { marks: all, ready } = useGoLives();
  const marks = all.filter(
    (g) => g.group_by === 'org' || (g.group_by === chosen?.by && g.group === chosen.value),
  );
  const kinds = (['department', 'specialty', 'role'] as const).filter((k) =>
    choices.some((c) => c.by === k),
  );
  return (
    <>
      <PageHeader
        title={chosen ? `${chosen.value}` : 'Groups'}
        question={
          chosen
            ? `How are the clinicians of this ${chosen.by} doing, compared with the organisation?`
            : 'Choose a group.'
        }
      >
        {choices.length > 1 ? (
          <Select
            inline
            label="Group"
            value={chosen ? `${chosen.by}\u0000${chosen.value}` : ''}
            onChange={(choice) => {
              const [b = '', v = ''] = choice.split('\u0000');
              window.location.hash = href(['groups', b, v], range);
            }}
          >
            {kinds.map((k) => (
              <optgroup key={k} label={GROUP_BY_LABEL[k]}>
                {choices
                  .filter((c) => c.by === k)
                  .map((c) => (
                    <option key={`${k}:${c.value}`} value={`${k}\u0000${c.value}`}>
                      {c.value}
                    </option>
                  ))}
              </optgroup>
            ))}
          </Select>
        ) : null}
        <RangePicker
          range={range}
          meta={meta}
          onChange={setRange}
          goLive={marks[0]?.date ?? null}
        />
      </PageHeader>
      {chosen ? (
        <p className="group-kind">
          {GROUP_BY_LABEL[chosen.by] ?? chosen.by}, {rangeWords(range.from, range.to)}
        </p>
      ) : (
        <p>Your account is not linked to any group.</p>
      )}
      {report.error ? <ErrorBox error={report.error} /> : null}
      {(report.loading && !report.data) || (report.data && !ready) ? (
        <Loading what="the group's metrics" />
      ) : null}
      {report.data && ready ? (
        <Updating freshness={report.data.freshness} timezone={meta.timezone} />
      ) : null}
      {report.data && ready ? (
        <GroupBody r={report.data} reveal={me.role === 'admin'} marks={marks} />
      ) : null}
      {report.data && ready && chosen?.by === 'department' ? (
        <YouAskedWeDid timezone={meta.timezone} department={chosen.value} />
      ) : null}
    </>
  );
}

function GroupBody({
  r,
  reveal,
  marks,
}: {
  r: GroupReport;
  reveal: boolean;
  marks: GoLiveMark[];
}): ReactNode {
  const threshold = r.options.suppression_threshold;
  const priv: Privacy = { threshold, reveal };
  const [metric, setMetric] = useState<Per8Metric>('ehr_time8');
  if (r.suppressed && (!reveal || r.n === null))
    return (
      <section className="section suppressed-box" aria-labelledby="suppressed">
        <h2 id="suppressed">
          <Suppressed threshold={threshold} />
        </h2>
        <p>
          This group has too few clinicians with scheduled time for its numbers to be shown without
          risk of identifying someone. Choose a wider date range or a larger group.
        </p>
      </section>
    );
  const org = r.org;
  const orgMedian = (m: Per8Metric): number | null =>
    org && !org.suppressed ? org[`${m}_median`] : null;
  const rows = PER8.map((m) => {
    const vals = [...(r.distribution[m] ?? [])]
      .filter((x) => Number.isFinite(x))
      .sort((a, b) => a - b);
    return {
      metric: m,
      vals,
      box: {
        p10: quantile(vals, 0.1),
        p25: quantile(vals, 0.25),
        median: quantile(vals, 0.5),
        p75: quantile(vals, 0.75),
        p90: quantile(vals, 0.9),
      },
    };
  });
  const trend = trendBand(
    r.weekly,
    metric,
    priv,
    { label: 'Organisation median', value: orgMedian(metric) },
    marks,
  );
  return (
    <>
      {r.suppressed ? (
        <p className="notice-box" role="note">
          This group has fewer than {threshold} clinicians with scheduled time, or its numbers would
          let such a group be worked out from the total: everyone but administrators sees it as
          suppressed, without numbers.
        </p>
      ) : null}
      <section className="section" aria-labelledby="glance">
        <h2 id="glance">At a glance</h2>
        <p className="lede">
          <strong data-testid="group-n">{r.n}</strong> clinicians with scheduled time. Medians of
          this group beside the organisation's, for the whole period.
        </p>
        <div className="kpis">
          {rows.slice(0, 4).map(({ metric: m, box }) => {
            const o = orgMedian(m);
            const d = box.median !== null && o !== null ? box.median - o : null;
            // Within ±5% of the organisation's median is "about the same", as everywhere.
            const how = compare(m, box.median, o);
            return (
              <article className="kpi" key={m} data-metric={m}>
                <h3 className="metric-name">{info(m).label}</h3>
                <p className="kpi-value">
                  <span className="big" data-testid={`kpi-${m}`}>
                    {fmt(m, box.median)}
                  </span>{' '}
                  <span className="unit">{unitText(m)}</span>
                </p>
                <p className="kpi-sub">Organisation median: {fmt(m, o)}</p>
                {d !== null && how ? (
                  <p className={`delta ${how}`} data-delta={how}>
                    {how === 'same'
                      ? 'About the same as the organisation (within ±5%)'
                      : `${fmt(m, Math.abs(d))} ${d > 0 ? 'above' : 'below'} the organisation (${how})`}
                  </p>
                ) : null}
                <p className="metric-def">{definitionOf(m, r.definitions)}</p>
              </article>
            );
          })}
        </div>
      </section>

      <section className="section" aria-labelledby="spread">
        <h2 id="spread">How the clinicians are spread</h2>
        <p className="lede">
          Each dot is one clinician (not named). Box: middle half; whiskers: 10th to 90th
          percentile; thick line: median; diamond: the organisation's median.
        </p>
        <Chart
          title="Distribution of clinicians, hours per 8 scheduled hours"
          summary={rows
            .map(
              ({ metric: m, box }) =>
                `${info(m).label}: median ${fmt(m, box.median)}, middle half ${fmt(m, box.p25)} to ${fmt(m, box.p75)}, organisation ${fmt(m, orgMedian(m))}`,
            )
            .join('. ')}
          option={boxStrip(
            rows.map(({ metric: m, vals, box }) => ({
              label: info(m).label,
              box,
              values: vals,
              compare: { name: 'Organisation median', value: orgMedian(m) },
            })),
            'ehr_time8',
          )}
          height={300}
          table={{
            columns: [
              'Metric',
              '10th percentile',
              '25th percentile',
              'Median',
              '75th percentile',
              '90th percentile',
              'Organisation median',
            ],
            rows: rows.map(({ metric: m, box }) => [
              info(m).label,
              fmt(m, box.p10),
              fmt(m, box.p25),
              fmt(m, box.median),
              fmt(m, box.p75),
              fmt(m, box.p90),
              fmt(m, orgMedian(m)),
            ]),
          }}
        />
      </section>

      <section className="section" aria-labelledby="trend">
        <div className="section-head">
          <h2 id="trend">Week by week</h2>
          <MetricSelect value={metric} onChange={setMetric} />
        </div>
        <Chart
          title={`Weekly median ${info(metric).label} of this group, with the organisation's median`}
          summary={trend.summary}
          option={trend.option}
          table={trend.table}
          height={240}
          note={`Line: the group's median; band: 25th to 75th percentile; dashed: the organisation's median over the whole period${marks.length ? `; dotted: go-live (${goLiveText(marks)})` : ''}. The axis starts at zero. Weeks with too few clinicians are left out.`}
        />
      </section>

      {r.clinicians ? (
        <section className="section" aria-labelledby="named">
          <h2 id="named">Clinicians (identified reports are on)</h2>
          <DataTable
            caption="Each clinician's metrics for the period"
            data={{
              columns: ['Clinician', ...NAMED.map((m) => info(m).label)],
              rows: r.clinicians.map((c) => [
                c.name ?? c.user_id,
                ...NAMED.map((m) => fmt(m, c[m])),
              ]),
            }}
          />
        </section>
      ) : null}

      <AboutNumbers options={r.options} definitions={r.definitions} metrics={PER8} />
    </>
  );
}
