/**
 * The in-memory cache behind the report pages. For each metric request (from, to, options) the
 * per-clinician rows for the whole range and by ISO week are computed once, with the §8 report
 * facts; every page (organisation, group, my report) is then derived from them in memory, and the
 * derived figures are memoized too. Everything is keyed by the data version — the last import and
 * the number of imports — which is checked on every request: a new import (through the API, or
 * by another process on PostgreSQL) drops the cache. At most `maxEntries` requests are kept.
 */
import {
  clinicianMetrics,
  parseRequest,
  reportMeta,
  type ReportMeta,
} from '../metrics/computeMetrics.ts';
import { DEFAULT_OPTIONS, type MetricOptions, type MetricRequest } from '../model/options.ts';
import type { Store } from '../store/Store.ts';
import { withAfterHours8, type Roster, type Row } from './aggregates.ts';

export interface Dataset {
  req: MetricRequest;
  /** One row per clinician for [from, to). */
  all: Row[];
  /** One row per clinician and ISO week piece. */
  weekly: Row[];
  meta: ReportMeta;
  roster: Roster;
  memo: Map<string, unknown>;
}

/** Facts of the data version that do not depend on a request. */
export interface BaseFacts {
  roster: Roster;
  /** First and last event instants, microseconds since the epoch (null without events). */
  events: { lo: number; hi: number } | null;
  lastImport: string | null;
  dataRange: ReportMeta['data_range'];
}

export class ReportCache {
  private version = '';
  private base: Promise<BaseFacts> | null = null;
  private readonly datasets = new Map<string, Promise<Dataset>>();
  private readonly inflight = new Set<Promise<unknown>>();

  /** `store` answers the short queries; `reader` the metric computations. */
  constructor(
    private readonly store: Store,
    private readonly reader: Store = store,
    private readonly maxEntries = 12,
  ) {}

  /** Drop everything when the data changed since the last call. */
  async check(): Promise<void> {
    const [r] = await this.store.all<{ v: number | null; n: number; f: number }>(
      `SELECT max(import_id) AS v, count(*) AS n, count(finished_at) AS f FROM imports`,
    );
    const v = `${r?.v ?? 0}:${r?.n ?? 0}:${r?.f ?? 0}`;
    if (v !== this.version) {
      this.version = v;
      this.base = null;
      this.datasets.clear();
    }
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    const done = () => this.inflight.delete(p);
    p.then(done, done);
    return p;
  }

  /** Wait for computations under way (before the store closes). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }

  facts(): Promise<BaseFacts> {
    if (!this.base) {
      const p = this.track(this.loadFacts());
      p.catch(() => {
        if (this.base === p) this.base = null;
      });
      this.base = p;
    }
    return this.base;
  }

  private async loadFacts(): Promise<BaseFacts> {
    const d = this.store.dialect;
    const rosterRows = await this.store.all<{
      user_id: string;
      name: string | null;
      role: string | null;
      specialty: string | null;
      department: string | null;
    }>(`SELECT user_id, name, role, specialty, department FROM clinicians`);
    const roster: Roster = new Map(rosterRows.map((r) => [r.user_id, r]));
    const [ev] = await this.store.all<{ lo: number | null; hi: number | null }>(
      `SELECT ${d.epochUs('min(occurred_at)')} AS lo, ${d.epochUs('max(occurred_at)')} AS hi FROM events`,
    );
    const [imp] = await this.store.all<{ t: number | null }>(
      `SELECT ${d.epochUs('max(finished_at)')} AS t FROM imports`,
    );
    const placeholder = parseRequest({
      from: '2000-01-01',
      to: '2000-01-02',
      period: 'all',
      options: DEFAULT_OPTIONS,
    });
    const meta = await reportMeta(this.store, placeholder, 'org', 5);
    return {
      roster,
      events:
        ev?.lo !== null && ev?.lo !== undefined && ev.hi !== null
          ? { lo: Number(ev.lo), hi: Number(ev.hi) }
          : null,
      lastImport:
        imp?.t !== null && imp?.t !== undefined
          ? new Date(Number(imp.t) / 1000).toISOString()
          : null,
      dataRange: meta.data_range,
    };
  }

  /** The dataset of (from, to, options), computed once per data version. */
  dataset(from: string, to: string, options: MetricOptions): Promise<Dataset> {
    const key = JSON.stringify([from, to, options]);
    const hit = this.datasets.get(key);
    if (hit) {
      // Most recently used last.
      this.datasets.delete(key);
      this.datasets.set(key, hit);
      return hit;
    }
    const p = this.track(this.compute(from, to, options));
    this.datasets.set(key, p);
    p.catch(() => {
      if (this.datasets.get(key) === p) this.datasets.delete(key);
    });
    while (this.datasets.size > this.maxEntries) {
      const oldest = this.datasets.keys().next().value;
      if (oldest === undefined) break;
      this.datasets.delete(oldest);
    }
    return p;
  }

  private async compute(from: string, to: string, options: MetricOptions): Promise<Dataset> {
    const req = parseRequest({ from, to, period: 'all', options });
    const facts = await this.facts();
    const all = await clinicianMetrics(this.reader, req);
    const weekly = await clinicianMetrics(this.reader, { ...req, period: 'week' });
    const meta = await reportMeta(this.reader, req, 'org', 5);
    return {
      req,
      all: withAfterHours8(all),
      weekly: withAfterHours8(weekly),
      meta,
      roster: facts.roster,
      memo: new Map(),
    };
  }
}

/** Memoize a derived figure on its dataset. */
export function memo<T>(ds: Dataset, key: string, fn: () => T): T {
  if (!ds.memo.has(key)) ds.memo.set(key, fn());
  return ds.memo.get(key) as T;
}
