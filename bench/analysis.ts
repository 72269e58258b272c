/**
 * Benchmark of adoption and evaluation on an imported system (issue #5: "adoption and evaluation
 * for all groups on the 10M-event system in under 5 s"):
 *
 *   node --import tsx bench/analysis.ts --db bench/out/size-10000000/bench.duckdb
 *
 * Defines the generator's go-live tool if the store has none, then times the adoption report by
 * department and the evaluation of IB-Time8 and EHR-Time8 for every group with both models: once
 * computing the weekly metrics (cold) and once reading them from the metric cache (warm).
 */
import { parseArgs } from 'node:util';
import { openStore } from '../src/store/openStore.ts';
import { getSetting } from '../src/store/settings.ts';
import { DEFAULT_OPTIONS } from '../src/model/options.ts';
import { GO_LIVE_ACTIONS, GO_LIVE_TOOL } from '../src/synth/actions.ts';
import { DEPARTMENTS, GO_LIVE_DEPARTMENTS } from '../src/synth/roster.ts';
import { adoptionReport } from '../src/analysis/adoption.ts';
import { evaluate } from '../src/analysis/evaluate.ts';
import { resolveWeeks } from '../src/analysis/range.ts';
import { getTool, listToolNames, parseTool, saveTool } from '../src/analysis/tools.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    'database-url': { type: 'string' },
    'go-live': { type: 'string', default: '2026-02-16' },
  },
});
const store = await openStore({ db: values.db, databaseUrl: values['database-url'] });
if (!(await listToolNames(store)).includes(GO_LIVE_TOOL))
  await saveTool(
    store,
    parseTool({
      name: GO_LIVE_TOOL,
      actions: [...GO_LIVE_ACTIONS],
      eligible: {
        departments: Object.values(DEPARTMENTS)
          .filter((d) => d.group === 'primary')
          .map((d) => d.name),
      },
      courses: ['Ambient notes*'],
      golives: GO_LIVE_DEPARTMENTS.map((k) => ({
        group_by: 'department' as const,
        group: DEPARTMENTS[k].name,
        date: values['go-live'],
      })),
    }),
  );
const tool = await getTool(store, GO_LIVE_TOOL);
const timezone = await getSetting(store, 'timezone');
const weeks = await resolveWeeks(store, timezone, undefined, undefined);
const [{ n }] = (await store.all<{ n: number }>(`SELECT count(*) AS n FROM events`)) as [
  { n: number },
];
const time = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const r = await f();
  return [r, (performance.now() - t) / 1000];
};
const [, adoptionS] = await time(() =>
  adoptionReport(store, { tool, by: 'department', ...weeks, timezone }, 5),
);
const evalReq = (cache: boolean) => ({
  tool,
  metrics: ['ib_time8', 'ehr_time8'],
  by: 'department' as const,
  ...weeks,
  metricOptions: { ...DEFAULT_OPTIONS, timezone },
  transitionWeeks: 0,
  minPre: 4,
  minPost: 4,
  lag: 'auto' as const,
  seasonality: 'none' as const,
  summary: 'median' as const,
  methods: ['its', 'did'] as const,
  cache,
});
await store.run(`DELETE FROM metric_cache`);
const [cold, coldS] = await time(() => evaluate(store, evalReq(true)));
const [warm, warmS] = await time(() => evaluate(store, evalReq(true)));
const fitted = warm.results.filter((r) => r.its?.estimates || r.did?.estimates).length;
console.log(
  JSON.stringify({
    events: n,
    weeks: `${weeks.from}..${weeks.to}`,
    adoption_s: +adoptionS.toFixed(2),
    evaluate_cold_s: +coldS.toFixed(2),
    evaluate_warm_s: +warmS.toFixed(2),
    adoption_plus_evaluate_warm_s: +(adoptionS + warmS).toFixed(2),
    rows: cold.results.length,
    rows_with_estimates: fitted,
    from_cache: warm.options['weekly_metrics_from_cache'],
  }),
);
await store.close();
