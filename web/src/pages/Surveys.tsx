/**
 * Surveys (docs/program.md §Surveys): administrators and IT create surveys (SUS, NPS, net
 * satisfaction, or custom items), target them at departments, open and close them; they, leaders
 * and champions read the results per group — SUS with its adjective band, NPS, net satisfaction,
 * each with its 95% interval drawn, the response rate with its denominator — and before/after
 * against an earlier survey of the same instrument; and every item's answers (`SurveyItems.tsx`).
 * Groups below the suppression threshold show nothing, for administrators too.
 */
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import {
  api,
  ApiError,
  type SurveyCreateIn,
  type SurveyGroupResultOut,
  type SurveyOut,
} from '../api.ts';
import { Chart, DataTable } from '../components/Chart.tsx';
import { ErrorBox, Loading, PageHeader, Select, type PageProps } from '../components/ui.tsx';
import { href, useApi } from '../hooks.ts';
import { changeChart, intervalChart, SCORE_LABEL, type IntervalRow } from '../surveyCharts.ts';
import { SurveyItems } from './SurveyItems.tsx';
import { preSurveyOf } from '../surveyPairs.ts';

const INSTRUMENT_LABEL: Record<SurveyOut['instrument'], string> = {
  sus: 'SUS (System Usability Scale)',
  nps: 'NPS (would you recommend)',
  net: 'Net satisfaction',
  custom: 'Custom questions',
};
const BYS = ['department', 'specialty', 'role', 'org'] as const;
type By = (typeof BYS)[number];

export function SurveysPage({ me, sub }: PageProps & { sub: string | undefined }): ReactNode {
  const manage = me.role === 'admin' || me.role === 'it';
  return sub ? <SurveyResults id={sub} owner={manage} /> : <SurveyList manage={manage} />;
}

function errorOf(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'NETWORK', String(e));
}

function SurveyList({ manage }: { manage: boolean }): ReactNode {
  const list = useApi('GET /api/surveys');
  const [error, setError] = useState<ApiError | null>(null);
  const act = async (id: string, what: 'open' | 'close') => {
    setError(null);
    try {
      if (what === 'open') await api('POST /api/surveys/:id/open', { params: { id } });
      else await api('POST /api/surveys/:id/close', { params: { id } });
      list.reload();
    } catch (e) {
      setError(errorOf(e));
    }
  };
  return (
    <div className="page">
      <PageHeader
        title="Surveys"
        question="How satisfied are clinicians with the tools, before and after a go-live?"
      />
      {error ? <ErrorBox error={error} /> : null}
      {list.error ? <ErrorBox error={list.error} /> : null}
      {!list.data && !list.error ? <Loading what="the surveys" /> : null}
      {list.data ? (
        <section className="section" aria-labelledby="survey-list">
          <h2 id="survey-list">All surveys</h2>
          {list.data.surveys.length ? (
            <table className="data">
              <caption className="visually-hidden">Surveys, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Title</th>
                  <th scope="col">Instrument</th>
                  <th scope="col">State</th>
                  <th scope="col">Responses</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.data.surveys.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <a href={href(['surveys', s.id])}>{s.title}</a>
                      {s.anonymous ? ' (anonymous)' : ''}
                    </td>
                    <td>{INSTRUMENT_LABEL[s.instrument]}</td>
                    <td>{s.state}</td>
                    <td>
                      {s.responses} of {s.invited} invited
                    </td>
                    <td>
                      {manage && s.state === 'draft' ? (
                        <button type="button" onClick={() => void act(s.id, 'open')}>
                          Open “{s.title}”
                        </button>
                      ) : null}
                      {manage && s.state === 'open' ? (
                        <button type="button" onClick={() => void act(s.id, 'close')}>
                          Close “{s.title}”
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No survey yet.</p>
          )}
        </section>
      ) : null}
      {manage ? <CreateSurvey onCreated={list.reload} /> : null}
    </div>
  );
}

/** Custom items, one per line: `likert5: text`, `scale0_10: text`, `free_text: text`, or `single_choice: text | a; b; c`. */
function parseItems(text: string): SurveyCreateIn['items'] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line, i) => {
      const [type = '', rest = ''] = line.split(/:(.*)/s, 2).map((x) => x.trim());
      const [q = '', choices] = rest.split('|').map((x) => x.trim());
      return {
        link_id: `q${i + 1}`,
        type: type as 'likert5',
        text: q,
        ...(choices !== undefined ? { choices: choices.split(';').map((c) => c.trim()) } : {}),
      };
    });
}

function CreateSurvey({ onCreated }: { onCreated: () => void }): ReactNode {
  const [title, setTitle] = useState('');
  const [instrument, setInstrument] = useState<SurveyOut['instrument']>('sus');
  const [departments, setDepartments] = useState('');
  const [anonymous, setAnonymous] = useState(true);
  const [items, setItems] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState('');
  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    setError(null);
    const groups = departments
      .split(',')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((value) => ({ by: 'department' as const, value }));
    try {
      const s = await api('POST /api/surveys', {
        body: {
          title,
          instrument,
          anonymous,
          ...(groups.length ? { target_groups: groups } : {}),
          ...(instrument === 'custom' ? { items: parseItems(items) } : {}),
        },
      });
      setDone(`Created “${s.title}” as a draft: open it to invite its clinicians.`);
      setTitle('');
      onCreated();
    } catch (err) {
      setError(errorOf(err));
    }
  }
  return (
    <section className="section" aria-labelledby="survey-new">
      <h2 id="survey-new">New survey</h2>
      {error ? <ErrorBox error={error} /> : null}
      {done ? <p role="status">{done}</p> : null}
      <form onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor="survey-title">Title</label>
          <input
            id="survey-title"
            required
            value={title}
            onChange={(e) => setTitle(e.target.value)}
          />
        </div>
        <Select
          label="Instrument"
          value={instrument}
          onChange={(v) => setInstrument(v as SurveyOut['instrument'])}
        >
          {Object.entries(INSTRUMENT_LABEL).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </Select>
        <div className="field">
          <label htmlFor="survey-depts">Departments (comma-separated; empty: everyone)</label>
          <input
            id="survey-depts"
            value={departments}
            onChange={(e) => setDepartments(e.target.value)}
          />
        </div>
        <div className="field">
          <label className="check">
            <input
              type="checkbox"
              checked={anonymous}
              onChange={(e) => setAnonymous(e.target.checked)}
            />{' '}
            Anonymous (keep only department, specialty and role)
          </label>
        </div>
        {instrument === 'custom' ? (
          <div className="field">
            <label htmlFor="survey-items">
              Questions, one per line: “likert5: text”, “scale0_10: text”, “free_text: text” or
              “single_choice: text | choice; choice”
            </label>
            <textarea
              id="survey-items"
              rows={5}
              value={items}
              onChange={(e) => setItems(e.target.value)}
            />
          </div>
        ) : null}
        <button type="submit">Create draft</button>
      </form>
    </section>
  );
}

/** The score of a group as a point and interval, with the table's note. */
function rowOf(label: string, g: SurveyGroupResultOut, threshold: number): IntervalRow {
  if (g.suppressed)
    return {
      label,
      point: null,
      ci: null,
      note:
        g.suppressed === 'small'
          ? `fewer than ${threshold} respondents: not shown`
          : 'hidden so that a smaller group cannot be worked out',
    };
  const rate =
    g.response_rate === null
      ? `${g.responses} responses`
      : `${g.responses} of ${g.invited} invited (${Math.round(g.response_rate * 100)}%)`;
  if (g.sus) return { label, point: g.sus.mean, ci: g.sus.ci95, note: `${g.sus.band}; ${rate}` };
  if (g.nps)
    return {
      label,
      point: g.nps.nps,
      ci: g.nps.ci95,
      note: `${g.nps.promoters} promoters, ${g.nps.detractors} detractors of ${g.nps.n}; ${rate}`,
    };
  if (g.net) return { label, point: g.net.mean, ci: g.net.ci95, note: rate };
  return { label, point: null, ci: null, note: `no score; ${rate}` };
}

const AXES = {
  sus: { min: 0, max: 100 },
  nps: { min: -100, max: 100 },
  net: { min: -100, max: 100 },
  custom: { min: 0, max: 100 },
};
const SCORE = SCORE_LABEL;

function SurveyResults({ id, owner }: { id: string; owner: boolean }): ReactNode {
  const [by, setBy] = useState<By>('department');
  // null: not chosen, so a survey taken after a go-live compares with the one taken before it.
  const [picked, setBefore] = useState<string | null>(null);
  const results = useApi('GET /api/surveys/:id/results', { params: { id }, query: { by } });
  const list = useApi('GET /api/surveys');
  const before = picked ?? preSurveyOf(results.data?.survey, list.data?.surveys)?.id ?? '';
  const compare = useApi(
    'GET /api/surveys/compare',
    before ? { query: { before, after: id, by } } : null,
  );
  const r = results.data;
  const chart = useMemo(() => {
    if (!r) return null;
    const groups = [...(by === 'org' ? [] : r.groups), r.total];
    return intervalChart(
      groups.map((g) => rowOf(g.group, g, r.threshold)),
      SCORE[r.survey.instrument],
      AXES[r.survey.instrument],
    );
  }, [r, by]);
  const diff = useMemo(
    () => (compare.data ? changeChart(compare.data, by !== 'org') : null),
    [compare.data, by],
  );
  if (results.error) return <ErrorBox error={results.error} />;
  if (!r || !chart) return <Loading what="the survey's results" />;
  const earlier = (list.data?.surveys ?? []).filter(
    (s) => s.id !== id && s.instrument === r.survey.instrument && s.instrument !== 'custom',
  );
  return (
    <div className="page">
      <PageHeader
        title={`Survey: ${r.survey.title}`}
        question="What did respondents say, per group?"
      >
        <Select label="Per" value={by} onChange={(v) => setBy(v as By)} inline>
          {BYS.map((b) => (
            <option key={b} value={b}>
              {b === 'org' ? 'organisation' : b}
            </option>
          ))}
        </Select>
      </PageHeader>
      <p>
        <a href={href(['surveys'])}>All surveys</a> · {INSTRUMENT_LABEL[r.survey.instrument]},{' '}
        {r.survey.state}
        {r.survey.anonymous ? ', anonymous' : ''}. Groups with fewer than {r.threshold} respondents
        show no figures, to anyone.
      </p>
      <Chart
        title={`${SCORE[r.survey.instrument]} per ${by === 'org' ? 'organisation' : by}`}
        summary={chart.summary}
        option={chart.option}
        table={chart.table}
        height={Math.max(160, 40 * chart.table.rows.length + 60)}
        note={
          r.survey.instrument === 'sus'
            ? 'SUS 0–100 with the 95% t-interval; the band is the adjective rating of Bangor, Kortum & Miller (2009).'
            : r.survey.instrument === 'nps'
              ? 'NPS −100 to 100 with the adjusted-Wald 95% interval.'
              : 'With the 95% t-interval.'
        }
      />
      <DataTable
        caption="Response rate per group (responses of those invited)"
        data={{
          columns: ['Group', 'Invited', 'Responses', 'Rate'],
          rows: [...(by === 'org' ? [] : r.groups), r.total].map((g) => [
            g.group,
            g.invited,
            g.suppressed ? 'not shown' : g.responses,
            g.response_rate === null ? '' : `${Math.round(g.response_rate * 100)}%`,
          ]),
        }}
      />
      <SurveyItems
        results={r}
        groups={[...(by === 'org' ? [] : r.groups), r.total]}
        owner={owner}
      />
      {r.survey.instrument !== 'custom' ? (
        <section className="section" aria-labelledby="survey-compare">
          <h2 id="survey-compare">Before and after</h2>
          <Select label="Compare with the earlier survey" value={before} onChange={setBefore}>
            <option value="">(none)</option>
            {earlier.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title}
              </option>
            ))}
          </Select>
          {compare.error ? <ErrorBox error={compare.error} /> : null}
          {diff ? (
            <Chart
              title="Change after − before"
              summary={diff.summary}
              option={diff.option}
              table={diff.table}
              height={Math.max(160, 40 * diff.table.rows.length + 60)}
              note={
                r.survey.instrument === 'nps'
                  ? 'Difference of NPS with the interval of the adjusted estimates.'
                  : 'Difference of means with Welch’s 95% interval.'
              }
            />
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
