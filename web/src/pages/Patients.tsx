/**
 * Patients: "Do our patients use what their physicians give them, and where?" First the portal
 * gap — of the patients seen, how many have an activated account, how many used it, how many on
 * two or more days (the Mayo gap: 240,000 registered, about 5% using it) — for the organisation
 * and per department side by side; then the shares week by week, replies to patients' messages,
 * timely access to notes and visit summaries, and result views, per department. Every figure
 * carries its definition and denominator (docs/engagement.md); a figure resting on fewer than 11
 * patients says so instead of a number, for everyone but administrators.
 */
import type { ReactNode } from 'react';
import { Chart } from '../components/Chart.tsx';
import {
  ErrorBox,
  Freshness,
  Loading,
  PageHeader,
  RangePicker,
  type PageProps,
} from '../components/ui.tsx';
import { useApi } from '../hooks.ts';
import { periodText } from '../metrics.ts';
import {
  businessTime,
  count,
  hiddenBlock,
  hoursText,
  MEDIANS,
  ofText,
  pct,
  PATIENTS_HIDDEN,
  PATIENTS_SEEN_DEFINITION,
  SHARES,
  type EngagementBlock,
  type EngagementRow,
  type ShareInfo,
} from '../engagement.ts';
import { figureBars, portalGapBars, portalTrend, type FigureSpec } from '../engagementCharts.ts';

/** The shares this page shows (the others are in docs/engagement.md and the API). */
const ON_PAGE = [
  'activated_share',
  'active_share',
  'regular_share',
  'replied_within_1bd_share',
  'timely_access_share',
  'results_viewed_7d_share',
] as const;

type Report = NonNullable<ReturnType<typeof useEngagement>['data']>;

/** One engagement request of the page's range. */
function useEngagement(
  range: { from: string; to: string },
  by: 'org' | 'department',
  period: 'all' | 'week',
) {
  return useApi('GET /api/engagement', { query: { ...range, by, period } });
}

export function PatientsPage({ meta, range, setRange }: PageProps): ReactNode {
  const org = useEngagement(range, 'org', 'all');
  const depts = useEngagement(range, 'department', 'all');
  const weekly = useEngagement(range, 'org', 'week');
  const error = org.error ?? depts.error ?? weekly.error;
  // All three answer the same range: the page appears once all are in, never old beside new.
  const ready = org.data && depts.data && weekly.data;
  return (
    <>
      <PageHeader
        title="Patients"
        question="Do our patients use what their physicians give them, and where?"
      >
        <RangePicker range={range} meta={meta} onChange={setRange} />
      </PageHeader>
      <Freshness meta={meta} />
      {error ? <ErrorBox error={error} /> : null}
      {!error && !ready ? <Loading what="the patients' engagement" /> : null}
      {!error && org.data && depts.data && weekly.data ? (
        <PatientsBody org={org.data} depts={depts.data} weekly={weekly.data} />
      ) : null}
    </>
  );
}

/** A share as the page writes it: the percentage, or why there is none. */
function ShareValue({
  r,
  s,
  redacted,
  testId,
}: {
  r: EngagementRow;
  s: ShareInfo;
  redacted: boolean;
  testId?: string;
}): ReactNode {
  if (hiddenBlock(r, s.block, redacted))
    return (
      <span className="suppressed" data-suppressed="true">
        {PATIENTS_HIDDEN}
      </span>
    );
  return <span data-testid={testId}>{pct(r[s.key])}</span>;
}

function PatientsBody({
  org,
  depts,
  weekly,
}: {
  org: Report;
  depts: Report;
  weekly: Report;
}): ReactNode {
  const redacted = org.options.redacted;
  const o = org.rows[0];
  const anySuppressed = [org, depts, weekly].some((x) => x.rows.some((r) => r.suppressed.length));
  const adminNote =
    !redacted && anySuppressed ? ' * Fewer than 11 patients: shown to administrators only.' : '';
  if (!o)
    return (
      <p className="notice-box" role="status">
        No patients seen, messages or results in this range. Choose another date range.
      </p>
    );
  const seenHidden = hiddenBlock(o, 'seen', redacted);
  const rows = depts.rows;
  const deptHeight = (k: number): number => Math.max(180, 34 * rows.length * k + 80);
  return (
    <>
      <section className="section" aria-labelledby="gap">
        <h2 id="gap">Accounts against use</h2>
        <p className="lede">
          {periodText(org.options)}. Portals fail when patients have an account and no reason to
          open it: the Mayo Clinic registered about 240,000 patients and saw around 5% use the
          portal.
        </p>
        {seenHidden ? (
          <p className="suppressed" data-suppressed="true">
            Patients seen: {PATIENTS_HIDDEN}.
          </p>
        ) : (
          <p className="headline" data-testid="portal-headline">
            <strong>{pct(o.activated_share)}</strong> of the{' '}
            <span data-testid="patients-seen">{count(o.patients_seen)}</span> patients seen have an
            activated portal account; <strong>{pct(o.active_share)}</strong> used it;{' '}
            <strong>{pct(o.regular_share)}</strong> on two or more days.
          </p>
        )}
        <div className="kpis">
          {(['activated_share', 'active_share', 'regular_share'] as const).map((k) => {
            const s = SHARES[k];
            return (
              <article className="kpi" key={k} data-measure={k}>
                <h3 className="metric-name">{s.label}</h3>
                <p className="kpi-value">
                  <span className="big">
                    <ShareValue r={o} s={s} redacted={redacted} testId={`headline-${k}`} />
                  </span>
                </p>
                {seenHidden ? null : (
                  <p className="kpi-sub" data-testid={`headline-${k}-of`}>
                    {ofText(o, s)}
                  </p>
                )}
                <p className="metric-def">{s.definition}</p>
              </article>
            );
          })}
        </div>
        <p className="metric-def">
          <strong>Patients seen:</strong> {PATIENTS_SEEN_DEFINITION}
        </p>
      </section>

      <section className="section" aria-labelledby="gap-by-dept">
        <h2 id="gap-by-dept">By department</h2>
        <p className="lede">
          Of each department's patients seen: blue, an activated account; orange, used the portal;
          dark, used it on two or more days. The space between the blue and orange bars is the gap.
        </p>
        {(() => {
          const rec = portalGapBars(rows, redacted);
          return (
            <Chart
              title={`Portal accounts and use by department, ${periodText(org.options)}`}
              summary={rec.summary}
              option={rec.option}
              table={rec.table}
              height={deptHeight(1.6)}
              note={`Percent of the department's patients seen; a patient seen by two clinicians counts for each.${adminNote}`}
            />
          );
        })()}
      </section>

      <section className="section" aria-labelledby="gap-weekly">
        <h2 id="gap-weekly">Week by week</h2>
        <p className="lede">
          The organisation's shares in each week (Monday to Sunday): a patient counts in a week when
          seen in it, and uses the portal in a week when they act in it.
        </p>
        {(() => {
          const rec = portalTrend(weekly.rows, redacted);
          return (
            <Chart
              title="Portal accounts and use, by week"
              summary={rec.summary}
              option={rec.option}
              table={rec.table}
              height={240}
              note={adminNote.trim() || undefined}
            />
          );
        })()}
      </section>

      <FigureSection
        id="replies"
        title="Replies to patients' messages"
        org={o}
        rows={rows}
        redacted={redacted}
        block="messages"
        height={deptHeight(1)}
        adminNote={adminNote}
        headline={
          <>
            {count(o.patient_messages)} patient messages; median reply{' '}
            <strong data-testid="reply-median">{businessTime(o.reply_business_hours)}</strong>;{' '}
            <strong>{pct(o.replied_within_1bd_share)}</strong> answered within 1 business day (
            {ofText(o, SHARES.replied_within_1bd_share)}); {count(o.messages_unanswered)} not
            answered.
          </>
        }
        definitions={[MEDIANS.reply_business_hours, SHARES.replied_within_1bd_share]}
        specs={[
          {
            name: 'Median reply time',
            block: 'messages',
            unit: 'business hours',
            value: (r) => r.reply_business_hours,
            text: businessTime,
            columns: ['Patient messages', 'Answered', 'Median reply', 'Unanswered'],
            cells: (r) => [
              count(r.patient_messages),
              count(r.messages_answered),
              businessTime(r.reply_business_hours),
              count(r.messages_unanswered),
            ],
            higherIsBetter: false,
          },
          shareSpec(SHARES.replied_within_1bd_share),
        ]}
      />

      <FigureSection
        id="timely"
        title="Timely access to notes and visit summaries"
        org={o}
        rows={rows}
        redacted={redacted}
        block="access"
        height={deptHeight(1)}
        adminNote={adminNote}
        headline={
          <>
            <strong>{pct(o.timely_access_share)}</strong> of notes and visit summaries were
            available within 4 business days of the visit ({ofText(o, SHARES.timely_access_share)}
            ).
          </>
        }
        definitions={[SHARES.timely_access_share]}
        specs={[shareSpec(SHARES.timely_access_share)]}
      />

      <FigureSection
        id="results"
        title="Result views"
        org={o}
        rows={rows}
        redacted={redacted}
        block="results"
        height={deptHeight(1)}
        adminNote={adminNote}
        headline={
          <>
            <strong>{pct(o.results_viewed_7d_share)}</strong> of results were viewed by the patient
            within 7 days ({ofText(o, SHARES.results_viewed_7d_share)}); the median time to a first
            view was {hoursText(o.result_view_hours)}.
          </>
        }
        definitions={[SHARES.results_viewed_7d_share, MEDIANS.result_view_hours]}
        specs={[
          {
            ...shareSpec(SHARES.results_viewed_7d_share),
            columns: ['Results', 'Viewed within 7 days', '%', 'Median hours to a first view'],
            cells: (r) => [
              count(r.results),
              count(r.results_viewed_7d),
              pct(r.results_viewed_7d_share),
              hoursText(r.result_view_hours),
            ],
          },
        ]}
      />

      <section className="about" aria-labelledby="about-patients">
        <h2 id="about-patients">About these numbers</h2>
        <ul className="about-facts">
          <li>
            Period: {periodText(org.options)}, in local dates of {org.options.timezone}; weeks
            Monday to Sunday.
          </li>
          <li>
            Business time: Monday–Friday 08:00–17:00 local
            {org.options.holidays.length
              ? `, outside the ${org.options.holidays.length} holidays of the settings`
              : ''}
            ; one business day is 9 business hours.
          </li>
          <li>
            Groups add up their clinicians' numerators and denominators; medians pool the group's
            messages or results.
          </li>
          <li>
            A figure resting on fewer than {org.options.small_cell_patients} patients is hidden from
            everyone but administrators (the CMS small-cell rule), and so is the next smallest
            department where only one would be hidden.
          </li>
        </ul>
        <dl className="definitions">
          <div>
            <dt>Patients seen</dt>
            <dd>{PATIENTS_SEEN_DEFINITION}</dd>
          </div>
          {[...ON_PAGE.map((k) => SHARES[k]), ...Object.values(MEDIANS)].map((d) => (
            <div key={d.label}>
              <dt>{d.label}</dt>
              <dd>{d.definition}</dd>
            </div>
          ))}
        </dl>
      </section>
    </>
  );
}

/** A share per group, with its numerator and denominator in the table. */
function shareSpec(s: ShareInfo): FigureSpec {
  return {
    name: s.label,
    block: s.block,
    unit: 'share',
    value: (r) => r[s.key],
    text: pct,
    columns: [capitalise(s.of), s.label, '%'],
    cells: (r) => [count(r[s.denominator]), count(r[s.numerator]), pct(r[s.key])],
    higherIsBetter: true,
  };
}

const capitalise = (t: string): string => t.charAt(0).toUpperCase() + t.slice(1);

/** A section of one block: the organisation's figures in a sentence, then per department. */
function FigureSection({
  id,
  title,
  org,
  rows,
  redacted,
  block,
  headline,
  definitions,
  specs,
  height,
  adminNote,
}: {
  id: string;
  title: string;
  org: EngagementRow;
  rows: EngagementRow[];
  redacted: boolean;
  block: EngagementBlock;
  headline: ReactNode;
  definitions: { label: string; definition: string }[];
  specs: FigureSpec[];
  height: number;
  adminNote: string;
}): ReactNode {
  return (
    <section className="section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {hiddenBlock(org, block, redacted) ? (
        <p className="suppressed" data-suppressed="true">
          The organisation: {PATIENTS_HIDDEN}.
        </p>
      ) : (
        <p className="headline">{headline}</p>
      )}
      {definitions.map((d) => (
        <p className="metric-def" key={d.label}>
          <strong>{d.label}:</strong> {d.definition}
        </p>
      ))}
      <div className="chart-grid two">
        {specs.map((spec) => {
          const rec = figureBars(rows, spec, redacted);
          return (
            <Chart
              key={spec.name}
              title={`${spec.name} by department`}
              summary={rec.summary}
              option={rec.option}
              table={rec.table}
              height={height}
              note={adminNote.trim() || undefined}
            />
          );
        })}
      </div>
    </section>
  );
}
