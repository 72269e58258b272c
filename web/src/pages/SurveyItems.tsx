/**
 * The Items section of a survey's results (docs/program.md §Surveys, "Items"): the whole survey's
 * mean answer per 1–5 or 0–10 item with its 95% t-interval as whiskers, then a table per item with
 * every group — the mean with its interval and the count per answer, or each choice's share with
 * its Wilson interval, or the number of free-text answers. The free texts themselves come only to
 * administrators and IT (the server sends them to no one else), for the whole survey, sorted
 * alphabetically. A suppressed group shows "not shown", as in the scores above.
 */
import { useMemo, type ReactNode } from 'react';
import type { SurveyGroupResultOut, SurveyItemResultOut, SurveyResultsOut } from '../api.ts';
import { Chart, DataTable, type TableData } from '../components/Chart.tsx';
import { itemMeansChart } from '../surveyCharts.ts';

const SCALES = {
  likert5: { min: 1, max: 5, name: '1 (strongly disagree) to 5 (strongly agree)' },
  scale0_10: { min: 0, max: 10, name: '0 to 10' },
} as const;

const TYPE_NAME: Record<SurveyItemResultOut['type'], string> = {
  likert5: '1–5',
  scale0_10: '0–10',
  single_choice: 'one choice',
  free_text: 'free text',
};

const f2 = (x: number) => x.toFixed(2);
const pct = (x: number) => `${Math.round(x * 100)}%`;

/** One item's table: a row per group (suppressed groups "not shown"), then the whole survey. */
function itemTable(
  groups: SurveyGroupResultOut[],
  k: number,
  item: SurveyItemResultOut,
): TableData {
  const of = (g: SurveyGroupResultOut) => g.items?.[k] ?? null;
  const notShown = (g: SurveyGroupResultOut, width: number) => [
    g.group,
    'not shown',
    ...Array<string>(width).fill(''),
  ];
  if (item.type === 'likert5' || item.type === 'scale0_10') {
    const values = item.distribution?.map((d) => d.value) ?? [];
    return {
      columns: ['Group', 'Answered', 'Mean', 'Lower 95%', 'Upper 95%', ...values.map(String)],
      rows: groups.map((g) => {
        const i = of(g);
        if (!i) return notShown(g, 3 + values.length);
        return [
          g.group,
          i.answered,
          i.mean ? f2(i.mean.mean) : '',
          i.mean?.ci95 ? f2(i.mean.ci95[0]) : '',
          i.mean?.ci95 ? f2(i.mean.ci95[1]) : '',
          ...(i.distribution ?? []).map((d) => d.count),
        ];
      }),
    };
  }
  if (item.type === 'single_choice') {
    const choices = item.choices?.map((c) => c.choice) ?? [];
    return {
      columns: ['Group', 'Answered', ...choices.map((c) => `${c}: share (95% interval), n`)],
      rows: groups.map((g) => {
        const i = of(g);
        if (!i) return notShown(g, choices.length);
        return [
          g.group,
          i.answered,
          ...(i.choices ?? []).map((c) =>
            c.share === null
              ? `—, ${c.count}`
              : `${pct(c.share)} (${c.ci95 ? `${pct(c.ci95[0])}–${pct(c.ci95[1])}` : '—'}), ${c.count}`,
          ),
        ];
      }),
    };
  }
  return {
    columns: ['Group', 'Answers'],
    rows: groups.map((g) => {
      const i = of(g);
      return i ? [g.group, i.answered] : notShown(g, 0);
    }),
  };
}

/** The Items section of a survey's results; `owner`: the viewer is an administrator or IT. */
export function SurveyItems({
  results,
  groups,
  owner,
}: {
  results: SurveyResultsOut;
  /** The rows shown (the groups of the cut, then the whole survey). */
  groups: SurveyGroupResultOut[];
  owner: boolean;
}): ReactNode {
  const total = results.total.items;
  const charts = useMemo(() => {
    if (!total) return [];
    return (['likert5', 'scale0_10'] as const).flatMap((type) => {
      const items = total.map((item, k) => ({ item, k })).filter((x) => x.item.type === type);
      return items.length
        ? [{ type, recipe: itemMeansChart(items, SCALES[type]), n: items.length }]
        : [];
    });
  }, [total]);
  // No group is shown when the whole survey is suppressed (no group is larger than it).
  const items = total;
  return (
    <section className="section" aria-labelledby="survey-items">
      <h2 id="survey-items">Items</h2>
      {!items ? (
        <p>
          No item figures are shown: every group has fewer than {results.threshold} respondents.
        </p>
      ) : (
        <>
          <p>
            Each question’s answers per group: the mean with its 95% t-interval and how many gave
            each answer, or each choice’s share with its 95% Wilson interval. Groups with fewer than{' '}
            {results.threshold} respondents show nothing.
          </p>
          {charts.map((c) => (
            <Chart
              key={c.type}
              title={`Mean answer per item, ${SCALES[c.type].name} (whole survey)`}
              summary={c.recipe.summary}
              option={c.recipe.option}
              table={c.recipe.table}
              height={Math.max(160, 40 * c.n + 60)}
              note="Dots: the mean answer; whiskers: its 95% t-interval (none with one answer)."
            />
          ))}
          {items.map((item, k) => {
            const texts = results.total.items?.[k]?.texts ?? null;
            return (
              <div key={item.link_id}>
                <DataTable
                  caption={`${k + 1}. ${item.text} (${TYPE_NAME[item.type]})`}
                  data={itemTable(groups, k, item)}
                />
                {item.type === 'free_text' && owner && texts ? (
                  <>
                    <p id={`survey-texts-${k}`}>
                      The {texts.length} answers of the whole survey, alphabetically (shown to
                      administrators and IT only):
                    </p>
                    <ul aria-labelledby={`survey-texts-${k}`}>
                      {texts.map((t, j) => (
                        <li key={j}>{t}</li>
                      ))}
                    </ul>
                  </>
                ) : null}
                {item.type === 'free_text' && !owner ? (
                  <p>The texts of the answers are shown to administrators and IT only.</p>
                ) : null}
              </div>
            );
          })}
        </>
      )}
    </section>
  );
}
