/**
 * Satisfaction around a go-live, on the Go-live page (docs/program.md §Surveys): for each
 * instrument surveyed both before (`pre`) and after (`post`) a go-live of the tool, the change
 * after − before per department and for all respondents, each with its 95% interval (Welch for
 * SUS and net satisfaction, the adjusted-Wald difference for NPS), beside the usage evaluation
 * above it. Suppression is the server's: a group below the threshold has no figures for anyone.
 */
import { type ReactNode } from 'react';
import type { SurveyOut } from '../api.ts';
import { Chart } from '../components/Chart.tsx';
import { ErrorBox, Loading } from '../components/ui.tsx';
import { href, useApi } from '../hooks.ts';
import { changeChart, SCORE_LABEL } from '../surveyCharts.ts';
import { surveyPairsOf } from '../surveyPairs.ts';

export function GoLiveSurveys({ tool }: { tool: string }): ReactNode {
  const list = useApi('GET /api/surveys');
  if (list.error) return <ErrorBox error={list.error} />;
  if (!list.data) return <Loading what="the surveys around the go-live" />;
  const pairs = surveyPairsOf(tool, list.data.surveys);
  return (
    <section className="section" aria-labelledby="golive-surveys">
      <h2 id="golive-surveys">Satisfaction before and after</h2>
      {pairs.length ? (
        pairs.map((p) => <PairChange key={p.post.id} pre={p.pre} post={p.post} />)
      ) : (
        <p>
          No survey was taken both before and after a go-live of {tool}. An administrator can target
          a SUS or NPS survey at the go-live, before and after, on the{' '}
          <a href={href(['surveys'])}>Surveys</a> page.
        </p>
      )}
    </section>
  );
}

function PairChange({ pre, post }: { pre: SurveyOut; post: SurveyOut }): ReactNode {
  const c = useApi('GET /api/surveys/compare', {
    query: { before: pre.id, after: post.id, by: 'department' },
  });
  if (c.error) return <ErrorBox error={c.error} />;
  if (!c.data) return <Loading what={`the change in ${SCORE_LABEL[post.instrument]}`} />;
  const d = c.data.total.difference;
  const chart = changeChart(c.data);
  const f = (x: number) => (x > 0 ? `+${x.toFixed(1)}` : x.toFixed(1));
  return (
    <div className="golive-survey">
      <p className="lede">
        {SCORE_LABEL[post.instrument]}, all respondents:{' '}
        {d ? (
          <>
            <strong>{f(d.estimate)}</strong> after the go-live (95% interval {f(d.ci95[0])} to{' '}
            {f(d.ci95[1])})
            {d.ci95[0] > 0
              ? ': a rise.'
              : d.ci95[1] < 0
                ? ': a fall.'
                : ': not distinguishable from no change.'}
          </>
        ) : (
          'no difference to show (suppressed, or too few scores on a side).'
        )}{' '}
        <a href={href(['surveys', pre.id])}>{pre.title}</a> against{' '}
        <a href={href(['surveys', post.id])}>{post.title}</a>.
      </p>
      <Chart
        title={`Change in ${SCORE_LABEL[post.instrument]} after the go-live, per department`}
        summary={chart.summary}
        option={chart.option}
        table={chart.table}
        height={Math.max(160, 40 * chart.table.rows.length + 60)}
        note={
          post.instrument === 'nps'
            ? 'Difference of NPS with the interval of the adjusted estimates.'
            : 'Difference of means with Welch’s 95% interval.'
        }
      />
    </div>
  );
}
