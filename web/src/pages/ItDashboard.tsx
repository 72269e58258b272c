/**
 * The IT dashboard (the `it` role and administrators; docs/program.md §Feedback, figures): "Do
 * we answer clinicians, in time, and does it help?" Per unit and period: items, median business
 * hours to first response and to resolution, and the shares — within target for each clock,
 * closed with an answer, reopened, helped — each with its Wilson 95% interval drawn.
 */
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import type { FeedbackFigures } from '../api.ts';
import { Chart, DataTable } from '../components/Chart.tsx';
import { ErrorBox, Loading, PageHeader, Select, type PageProps } from '../components/ui.tsx';
import { addDays, rangeWords } from '../dates.ts';
import { useApi } from '../hooks.ts';
import { businessHours, PRIORITIES, PRIORITY_LABEL, shareWords } from '../program.ts';
import { shareChart } from '../programCharts.ts';

type Unit = FeedbackFigures['units'][number];
type ShareKey =
  | 'first_response_within_target'
  | 'resolution_within_target'
  | 'closed_with_answer'
  | 'reopened'
  | 'helped';

const SHARES: Record<ShareKey, { label: string; means: string }> = {
  first_response_within_target: {
    label: 'First response within target',
    means:
      'of the items whose first-response clock has stopped, or is still running past its target: those answered within the target of their priority',
  },
  resolution_within_target: {
    label: 'Resolution within target',
    means: 'the same for the resolution clock (until done or declined)',
  },
  closed_with_answer: {
    label: 'Closed with an answer',
    means: 'of the period’s items, those closed (done, declined, duplicate) with a public answer',
  },
  reopened: {
    label: 'Reopened',
    means: 'of the items ever done, those reopened because they did not help',
  },
  helped: {
    label: 'Helped',
    means:
      'of the items whose author answered “did this help?” since they last closed, those that helped',
  },
};
const SHARE_KEYS = Object.keys(SHARES) as ShareKey[];

/** Today's local date in `tz`. */
function today(tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(new Date());
}

const PERIODS = [
  { key: '30', label: 'Last 30 days', days: 30 },
  { key: '90', label: 'Last 90 days', days: 90 },
  { key: '365', label: 'Last 12 months', days: 365 },
] as const;

export function ItDashboardPage({ meta, range, setRange }: PageProps): ReactNode {
  const end = addDays(today(meta.timezone), 1);
  // The period is in the address when chosen (links, Back); else the last 90 days to today.
  const chosen = new URLSearchParams(window.location.hash.split('?')[1] ?? '');
  const period =
    chosen.get('from') && chosen.get('to') ? range : { from: addDays(end, -90), to: end };
  const key = `${period.from}/${period.to}`;
  const [draft, setDraft] = useState({ key, from: period.from, last: addDays(period.to, -1) });
  if (draft.key !== key) setDraft({ key, from: period.from, last: addDays(period.to, -1) });
  const [share, setShare] = useState<ShareKey>('first_response_within_target');
  const figures = useApi('GET /api/feedback/figures', { query: period });
  const choose = (p: { from: string; to: string }): void => setRange(p);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (draft.from && draft.last && draft.from <= draft.last)
      choose({ from: draft.from, to: addDays(draft.last, 1) });
  };
  return (
    <>
      <PageHeader
        title="IT dashboard"
        question="Do we answer clinicians in time, and does it help?"
      >
        <form className="range" onSubmit={submit} aria-label="Period">
          <div className="range-fields">
            <label>
              From
              <input
                type="date"
                value={draft.from}
                onChange={(e) => setDraft({ ...draft, from: e.target.value })}
                required
              />
            </label>
            <label>
              To (included)
              <input
                type="date"
                value={draft.last}
                onChange={(e) => setDraft({ ...draft, last: e.target.value })}
                required
              />
            </label>
            <button type="submit">Show</button>
          </div>
          <div className="presets" role="group" aria-label="Quick periods">
            {PERIODS.map((p) => {
              const r = { from: addDays(end, -p.days), to: end };
              return (
                <button
                  key={p.key}
                  type="button"
                  className="secondary small"
                  aria-pressed={r.from === period.from && r.to === period.to}
                  onClick={() => choose(r)}
                >
                  {p.label}
                </button>
              );
            })}
          </div>
          <p className="range-words">
            Items sent <strong>{rangeWords(period.from, period.to)}</strong>
          </p>
        </form>
      </PageHeader>
      <p className="lede">
        Counted over the items sent in the period, by the author’s department when they sent it.
        Clocks in business hours (Monday to Friday 08:00–17:00 in {meta.timezone}, without holidays;
        paused while an item waits for the clinician). You see units, never a person’s numbers.
      </p>
      {figures.error ? <ErrorBox error={figures.error} /> : null}
      {!figures.data && !figures.error ? <Loading what="the figures" /> : null}
      {figures.data ? <Figures f={figures.data} share={share} setShare={setShare} /> : null}
    </>
  );
}

function Figures({
  f,
  share,
  setShare,
}: {
  f: FeedbackFigures;
  share: ShareKey;
  setShare: (s: ShareKey) => void;
}): ReactNode {
  const label = (u: Unit): string => u.unit ?? 'no department';
  const chart = useMemo(
    () =>
      shareChart(
        f.units.map((u) => ({ label: label(u), share: u[share] })),
        SHARES[share].label,
      ),
    [f, share],
  );
  if (!f.units.length) return <p>No items were sent in this period.</p>;
  return (
    <>
      <section className="section" aria-labelledby="it-units">
        <h2 id="it-units">Per unit</h2>
        <DataTable
          caption={`Feedback figures per unit, items sent ${rangeWords(f.period.from, f.period.to)}`}
          data={{
            columns: [
              'Unit',
              'Items',
              'Median first response',
              'Median resolution',
              ...SHARE_KEYS.map((k) => SHARES[k].label),
            ],
            rows: f.units.map((u) => [
              label(u),
              u.items,
              businessHours(u.median_first_response_hours),
              businessHours(u.median_resolution_hours),
              ...SHARE_KEYS.map((k) => shareWords(u[k])),
            ]),
          }}
        />
        <dl className="definitions">
          <div>
            <dt>Median first response, resolution</dt>
            <dd>
              The middle of the stopped clocks: business hours from sending to the first answer the
              author could read, and to done or declined.
            </dd>
          </div>
          {SHARE_KEYS.map((k) => (
            <div key={k}>
              <dt>{SHARES[k].label}</dt>
              <dd>
                {SHARES[k].means.charAt(0).toUpperCase() + SHARES[k].means.slice(1)}; with its
                Wilson 95% interval (z = 1.96).
              </dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="section" aria-labelledby="it-chart">
        <div className="section-head">
          <h2 id="it-chart">Shares with their intervals</h2>
          <Select inline label="Figure" value={share} onChange={(v) => setShare(v as ShareKey)}>
            {SHARE_KEYS.map((k) => (
              <option key={k} value={k}>
                {SHARES[k].label}
              </option>
            ))}
          </Select>
        </div>
        <p className="metric-def">
          {SHARES[share].label}: {SHARES[share].means}. Dot: the share; whiskers: its Wilson 95%
          interval — wide when few items are counted.
        </p>
        <Chart
          title={`${SHARES[share].label}, per unit`}
          summary={chart.summary}
          option={chart.option}
          table={chart.table}
          height={Math.max(160, 48 + 36 * f.units.length)}
        />
      </section>
      <section className="section" aria-labelledby="it-targets">
        <h2 id="it-targets">Targets</h2>
        <DataTable
          caption="Clock targets per priority (business hours; a business day is 9)"
          data={{
            columns: ['Priority', 'First response', 'Resolution'],
            rows: PRIORITIES.map((p) => [
              PRIORITY_LABEL[p],
              businessHours(f.targets[p].first_response_hours),
              businessHours(f.targets[p].resolution_hours),
            ]),
          }}
        />
        <p className="muted">An administrator sets them on the Settings page.</p>
      </section>
    </>
  );
}
