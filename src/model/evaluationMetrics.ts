/**
 * The metrics a go-live evaluation can follow (`src/analysis/evaluate.ts`), as plain values: the
 * closed set the API checks at the edge (`GET /api/golive?metric=`) and the web app offers. They
 * live in the model, apart from the evaluation engine, so that the API contract (and the web app's
 * types derived from it) never reaches the engine's code.
 */
import { CLINICIAN_METRICS } from './metricRow.ts';

/** Metrics of the engine that can be evaluated: every numeric field of a clinician row. */
export const ENGINE_METRICS = CLINICIAN_METRICS;
export type EngineMetric = (typeof ENGINE_METRICS)[number];

/** Adoption measures of the evaluated tool, per group and week. */
export const ADOPTION_METRICS = {
  'adoption.active_share': 'share of eligible clinicians with at least one use in the week',
  'adoption.habitual_share': 'share of eligible clinicians who are habitual users that week',
  'adoption.uses_per_clinician': 'uses in the week per eligible clinician',
  'adoption.depth': 'uses per clinician-day with use',
} as const;
export type AdoptionMetric = keyof typeof ADOPTION_METRICS;

/** The metrics a tool may be meant to move: the per-clinician metrics evaluations take. */
export const TARGET_METRICS = CLINICIAN_METRICS;
export type TargetMetric = (typeof TARGET_METRICS)[number];

/** Which way the tool is meant to move its target metric. */
export const TARGET_DIRECTIONS = ['decrease', 'increase'] as const;
export type TargetDirection = (typeof TARGET_DIRECTIONS)[number];
