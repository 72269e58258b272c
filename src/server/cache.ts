/**
 * The in-memory cache behind the report pages. For each metric request (from, to, options) the
 * per-clinician rows for the whole range and by ISO week are summed from the day table
 * (`src/metrics/metricDays.ts`, kept up to date in the background by `DayKeeper`), with the §8
 * report facts; every page (organisation, group, my report, the go-live evaluation) is then derived
 * from them in memory, and the derived figures are memoized too.
 *
 * After an import the day table is refreshed in the background for the days the import can
 * change. Meanwhile every page answers at once with the figures it had, marked as such
 * (`freshness`: `updating`, the imports not yet included, `as_of`); once the refresh commits, a
 * dataset is summed again when next asked (and the pinned default views at once), and the new
 * figures replace the old. Only options never seen before (the first fill, or a change of
 * settings) make requests wait: old options' numbers are never shown under new options' labels.
 *
 * Fairness: a user's new computations take turns in that user's own queue (`FairLimiter`: two in
 * flight, eight waiting, then 429); each user keeps at most `perUserEntries` ranges, evicting
 * their own least recently used first; the default views (`pin`) are never evicted; at most
 * `maxEntries` other ranges are kept.
 */
import { parseRequest, reportMeta, type ReportMeta } from '../metrics/computeMetrics.ts';
import {
  dayExcludedEvents,
  dayMetricsByPeriod,
  dayFingerprint,
  metricImports,
  readDayState,
  type DayState,
  type MetricImport,
} from '../metrics/metricDays.ts';
import { DEFAULT_OPTIONS, type MetricOptions, type MetricRequest } from '../model/options.ts';
import type { Store } from '../store/Store.ts';
import type { Worker } from '../store/worker.ts';
import { withAfterHours8, type Roster, type Row } from './aggregates.ts';
import { DayKeeper } from './days.ts';
import { FairLimiter } from './fair.ts';
import { VERSION } from '../version.ts';

export interface Dataset {
  req: MetricRequest;
  /** One row per clinician for [from, to). */
  all: Row[];
  /** One row per clinician and ISO week piece. */
  weekly: Row[];
  meta: ReportMeta;
  roster: Roster;
  memo: Map<string, unknown>;
  /** The day-table state the rows were summed from: its refresh count and imports. */
  days: DayState;
}

/** How current a page's figures are (every report response carries it). */
export interface Freshness {
  /** When the newest import the figures include finished (ISO); null without imports. */
  as_of: string | null;
  /** True while newer data (or options) are being included: the figures are from before them. */
  updating: boolean;
  /** The imports the figures do not include yet, oldest first. */
  pending: { import_id: number; table: string; finished_at: string | null }[];
}

/** Facts of the data version that do not depend on a request. */
export interface BaseFacts {
  roster: Roster;
  /** First and last event instants, microseconds since the epoch (null without events). */
  events: { lo: number; hi: number } | null;
  lastImport: string | null;
  dataRange: ReportMeta['data_range'];
  /** Events whose action had no category mapping, over every import (§8). */
  unmapped: number;
}

interface Entry {
  key: string;
  from: string;
  to: string;
  options: MetricOptions;
  /** Who asked first (whose quota it counts against). */
  owner: string;
  /** The latest figures (possibly from before the last refresh). */
  ds: Dataset | null;
  /** Figures being summed. */
  computing: Promise<Dataset> | null;
}

/** Who computes what the server asks for itself (warm-up, refreshed default views). */
export const SYSTEM = '\u0000system';

export interface CacheOptions {
  /** Other ranges kept besides the pinned default views (default 12). */
  maxEntries?: number;
  /** Ranges one user may keep (default 4). */
  perUserEntries?: number;
  limiter?: FairLimiter;
  /** The day table's own connection (for its refreshes); default: none (refresh on `store`). */
  openWorker?: () => Promise<Worker>;
  warn?: (message: string) => void;
  /** Awaited before each refresh of the day table (tests). */
  beforeDayRefresh?: (() => Promise<void>) | undefined;
  /**
   * How the data version is read on every request: by default once per `check`. The server
   * passes its gate's `memo` (kept until a write through the server, or a few seconds for a
   * change made by another process): that read was the largest cost of a cached page.
   */
  rememberVersion?: <T>(read: () => Promise<T>) => () => Promise<T>;
}

interface VersionRow {
  v: number | null;
  n: number;
  f: number;
}

export class ReportCache {
  private version = '';
  private base: Promise<BaseFacts> | null = null;
  private readonly entries = new Map<string, Entry>();
  private readonly pins = new Map<string, string>();
  private readonly inflight = new Set<Promise<unknown>>();
  readonly days: DayKeeper;
  readonly limiter: FairLimiter;
  private readonly maxEntries: number;
  private readonly perUserEntries: number;
  private readonly readVersion: () => Promise<VersionRow[]>;

  /** `store` answers the short queries; `reader` sums the day table. */
  constructor(
    private readonly store: Store,
    private readonly reader: Store = store,
    opts: CacheOptions = {},
  ) {
    this.maxEntries = opts.maxEntries ?? 12;
    this.perUserEntries = opts.perUserEntries ?? 4;
    const read = () =>
      store.all<VersionRow>(
        `SELECT max(import_id) AS v, count(*) AS n, count(finished_at) AS f FROM imports`,
      );
    this.readVersion = opts.rememberVersion ? opts.rememberVersion(read) : read;
    this.limiter = opts.limiter ?? new FairLimiter();
    const openWorker =
      opts.openWorker ??
      (async (): Promise<Worker> => ({
        dialect: store.dialect,
        all: (s, p) => store.all(s, p),
        run: (s, p) => store.run(s, p),
        exec: (s, p) => store.exec(s, p),
        transaction: (fn) => store.transaction(fn),
        interrupt: () => undefined,
        close: async () => undefined,
      }));
    this.days = new DayKeeper(store, openWorker, opts.warn, opts.beforeDayRefresh);
    // Refreshed days: sum the pinned default views again at once (the others when next asked).
    this.days.onChange((fp) => {
      for (const key of this.pins.values()) {
        const e = this.entries.get(key);
        if (e && dayFingerprint(e.options) === fp) this.revalidate(e);
      }
    });
  }

  /** Notice new imports (through the API, or by another process on PostgreSQL). */
  async check(): Promise<void> {
    const [r] = await this.readVersion();
    const v = `${r?.v ?? 0}:${r?.n ?? 0}:${r?.f ?? 0}`;
    if (v !== this.version) {
      const imports = await metricImports(this.store);
      this.version = v;
      this.base = null;
      this.days.setImports(imports);
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
    await this.days.idle();
  }

  /** Stop the day table's refresh and close its connection. */
  async close(): Promise<void> {
    await this.days.close();
    await this.idle();
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
      unmapped: meta.events_unmapped_action,
    };
  }

  /**
   * Mark the dataset of (from, to, options) as a default view of `kind` (the organisation's
   * default range, the go-live page's default weeks): never evicted, and summed again as soon as
   * the day table is refreshed. A later pin of the same kind replaces it.
   */
  pin(kind: string, from: string, to: string, options: MetricOptions): void {
    const key = keyOf(from, to, options);
    this.pins.set(kind, key);
  }

  /**
   * The dataset of (from, to, options): at once when kept (perhaps from before the last import:
   * see `freshness`), otherwise summed from the day table as one of `who`'s computations (see
   * `FairLimiter`). Waits for the day table only when these options have no days yet.
   */
  async dataset(
    from: string,
    to: string,
    options: MetricOptions,
    who: string = SYSTEM,
  ): Promise<Dataset> {
    const facts = await this.facts();
    const key = keyOf(from, to, options);
    let e = this.entries.get(key);
    if (e) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    if (e?.ds) {
      const current = this.days.state(options);
      if (current && current.generation !== e.ds.days.generation) this.revalidate(e);
      return this.withFacts(e, e.ds, facts);
    }
    if (!e) {
      e = { key, from, to, options, owner: who, ds: null, computing: null };
      this.entries.set(key, e);
      this.evict(who);
    }
    if (!e.computing) {
      const entry = e;
      const p = this.track(this.limiter.run(who, () => this.compute(from, to, options)));
      entry.computing = p;
      p.then(
        (ds) => {
          entry.ds = ds;
          if (entry.computing === p) entry.computing = null;
        },
        () => {
          if (entry.computing === p) entry.computing = null;
          if (!entry.ds && this.entries.get(key) === entry) this.entries.delete(key);
        },
      );
    }
    return this.withFacts(e, await e.computing!, facts);
  }

  /** How current `ds`'s figures are. */
  freshness(ds: Dataset): Freshness {
    const have = new Set(ds.days.imports);
    const pending = this.days
      .currentImports()
      .filter((i) => !have.has(i.import_id))
      .map((i: MetricImport) => ({
        import_id: i.import_id,
        table: i.table_name,
        finished_at: i.finished_at,
      }));
    const current = this.days.state(ds.req.options);
    // An import the figures include but the store no longer counts was removed
    // (`uptake imports remove`): its days are being recomputed too.
    const now = new Set(this.days.currentImports().map((i) => i.import_id));
    const removed = ds.days.imports.some((id) => !now.has(id));
    return {
      as_of: ds.days.asOf,
      updating:
        pending.length > 0 || removed || (!!current && current.generation !== ds.days.generation),
      pending,
    };
  }

  /** `ds` with the roster and §8 facts of the current data version (memo reset when they change). */
  private withFacts(e: Entry, ds: Dataset, facts: BaseFacts): Dataset {
    if (ds.roster === facts.roster) return ds;
    const fresh: Dataset = {
      ...ds,
      roster: facts.roster,
      memo: new Map(),
      meta: { ...ds.meta, data_range: facts.dataRange, events_unmapped_action: facts.unmapped },
    };
    if (e.ds === ds) e.ds = fresh;
    return fresh;
  }

  /** Sum `e` again from the refreshed days, in the background; the old figures serve meanwhile. */
  private revalidate(e: Entry): void {
    if (e.computing) return;
    const p = this.track(this.limiter.run(SYSTEM, () => this.compute(e.from, e.to, e.options)));
    e.computing = p;
    p.then(
      (ds) => {
        e.ds = ds;
        if (e.computing === p) e.computing = null;
      },
      () => {
        if (e.computing === p) e.computing = null;
      },
    );
    p.catch(() => undefined);
  }

  /** Keep `who`'s ranges within their quota and the others within `maxEntries`; pins stay. */
  private evict(who: string): void {
    const pinned = new Set(this.pins.values());
    const mine = [...this.entries.values()].filter((x) => x.owner === who && !pinned.has(x.key));
    for (let i = 0; who !== SYSTEM && mine.length - i > this.perUserEntries; i++)
      this.entries.delete(mine[i]!.key);
    const others = [...this.entries.values()].filter((x) => !pinned.has(x.key));
    for (let i = 0; others.length - i > this.maxEntries; i++) this.entries.delete(others[i]!.key);
  }

  /** Sum the dataset from the day table, all of it from one committed state of the days. */
  private async compute(from: string, to: string, options: MetricOptions): Promise<Dataset> {
    const req = parseRequest({ from, to, period: 'all', options });
    const facts = await this.facts();
    const fp = dayFingerprint(options);
    for (let attempt = 0; ; attempt++) {
      const before = await this.days.ready(options);
      const state = (await readDayState(this.store, fp)) ?? before;
      const { all = [], week: weekly = [] } = await dayMetricsByPeriod(this.reader, req, [
        'all',
        'week',
      ]);
      const excluded = options.exclude_channels.length
        ? await dayExcludedEvents(this.reader, req)
        : 0;
      // A refresh committed between the sums: sum again, so that all figures are of one state.
      const after = await readDayState(this.store, fp);
      if (after?.generation !== state.generation && attempt < 3) continue;
      return {
        req,
        all: withAfterHours8(all),
        weekly: withAfterHours8(weekly),
        meta: {
          options: req.options,
          from: req.from,
          to: req.to,
          period: req.period,
          by: 'org',
          suppression_threshold: 5,
          data_range: facts.dataRange,
          events_excluded_by_channel: excluded,
          events_unmapped_action: facts.unmapped,
          version: VERSION,
        },
        roster: facts.roster,
        memo: new Map(),
        days: state,
      };
    }
  }
}

function keyOf(from: string, to: string, options: MetricOptions): string {
  return JSON.stringify([from, to, options]);
}

/** Memoize a derived figure on its dataset. */
export function memo<T>(ds: Dataset, key: string, fn: () => T): T {
  if (!ds.memo.has(key)) ds.memo.set(key, fn());
  return ds.memo.get(key) as T;
}
