/**
 * Weekly clinician metric rows for evaluations, computed by the metrics engine
 * (`clinicianMetrics` with `period: 'week'`) and kept in `metric_cache`, keyed by the request and by
 * the data version (the last import): a second evaluation of the same range and options, for any
 * tool, group or metric, reads the rows instead of recomputing them. Any new import changes the
 * version, so the rows are never stale for data that came in through `uptake import`. (Rows inserted
 * by other means than an import are not seen by the version: such stores are never cached.)
 */
import { clinicianMetrics } from '../metrics/computeMetrics.ts';
import type { ClinicianMetricRow } from '../model/metricRow.ts';
import type { MetricRequest } from '../model/options.ts';
import type { Store } from '../store/Store.ts';

/** Entries kept; older ones are removed when a new one is stored. */
const KEEP = 8;

export async function dataVersion(store: Store): Promise<number> {
  const [r] = await store.all<{ v: number | null }>(`SELECT max(import_id) AS v FROM imports`);
  return Number(r?.v ?? 0);
}

/** Weekly rows of `req` (whose period must be `week`), from the cache when possible. */
export async function weeklyClinicianRows(
  store: Store,
  req: MetricRequest,
  opts: { cache: boolean },
): Promise<{ rows: ClinicianMetricRow[]; cached: boolean }> {
  const version = await dataVersion(store);
  const key = JSON.stringify({
    v: 1,
    from: req.from,
    to: req.to,
    period: req.period,
    options: req.options,
  });
  if (opts.cache && version > 0) {
    const [hit] = await store.all<{ body: string }>(
      `SELECT body FROM metric_cache WHERE cache_key = $1 AND data_version = $2`,
      [key, version],
    );
    if (hit) return { rows: JSON.parse(hit.body) as ClinicianMetricRow[], cached: true };
  }
  const rows = await clinicianMetrics(store, req);
  if (opts.cache && version > 0) {
    await store.transaction(async (tx) => {
      await tx.run(`DELETE FROM metric_cache WHERE cache_key = $1 OR data_version <> $2`, [
        key,
        version,
      ]);
      await tx.run(
        `INSERT INTO metric_cache (cache_key, data_version, created_at, body) VALUES ($1, $2, CAST($3 AS TIMESTAMPTZ), $4)`,
        [key, version, new Date().toISOString(), JSON.stringify(rows)],
      );
      await tx.run(
        `DELETE FROM metric_cache WHERE cache_key NOT IN (
           SELECT cache_key FROM metric_cache ORDER BY created_at DESC LIMIT ${KEEP})`,
      );
    });
  }
  return { rows, cached: false };
}
