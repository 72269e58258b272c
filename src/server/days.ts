/**
 * Keeps the day table (`src/metrics/metricDays.ts`) of the organisation's metric options up to
 * date, in the background: one refresh at a time per options fingerprint, on a connection of its
 * own (`src/store/worker.ts`), so requests keep reading the previous days meanwhile and are never
 * caught in the refresh's transaction. Requests wait only when a fingerprint has no days at all
 * yet (the first fill, or new options after a change of settings): old options' numbers are never
 * shown under the new options' labels.
 */
import {
  dayFingerprint,
  dropOtherDays,
  readDayState,
  refreshDays,
  type DaySql,
  type DayState,
  type MetricImport,
  type RefreshResult,
} from '../metrics/metricDays.ts';
import type { MetricOptions } from '../model/options.ts';
import type { Worker } from '../store/worker.ts';

interface Slot {
  /** The committed state of the fingerprint's days (null: none yet). */
  state: DayState | null;
  /** Read from the store once. */
  loaded: Promise<void> | null;
  /** The refresh under way. */
  running: Promise<void> | null;
  /** Imports arrived while refreshing: refresh again afterwards. */
  again: boolean;
  /** Resolves when the fingerprint has days (the first fill). */
  ready: Promise<void>;
  markReady: () => void;
  failReady: (e: unknown) => void;
  options: MetricOptions;
}

export class DayKeeper {
  private readonly slots = new Map<string, Slot>();
  private imports: MetricImport[] = [];
  private worker: Promise<Worker> | null = null;
  private closed = false;
  /** Refreshes take turns on the one worker connection (a DuckDB connection has one transaction). */
  private turn: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(fp: string, r: RefreshResult) => void>();

  /**
   * `reader` reads the committed state; `openWorker` opens the refresh's own connection (once,
   * when first needed). `warn` hears failed refreshes (retried at the next import or request).
   */
  constructor(
    private readonly reader: DaySql,
    private readonly openWorker: () => Promise<Worker>,
    private readonly warn: (message: string) => void = () => undefined,
    /** Awaited before each refresh (tests hold it to watch the figures served meanwhile). */
    private readonly beforeRefresh?: () => Promise<void>,
  ) {}

  /** The imports of the store now (set by the report cache whenever the data version changes). */
  setImports(list: MetricImport[]): void {
    this.imports = list;
    for (const slot of this.slots.values()) this.ensureSlot(slot);
  }

  currentImports(): readonly MetricImport[] {
    return this.imports;
  }

  /** Called after every refresh that changed the days of a fingerprint. */
  onChange(fn: (fp: string, r: RefreshResult) => void): void {
    this.listeners.add(fn);
  }

  /** The committed state of `options`' days (null until filled once). */
  state(options: MetricOptions): DayState | null {
    return this.slots.get(dayFingerprint(options))?.state ?? null;
  }

  /** True while the days of `options` are being refreshed. */
  refreshing(options: MetricOptions): boolean {
    return !!this.slots.get(dayFingerprint(options))?.running;
  }

  /**
   * Resolves with the committed state of `options`' days once there is one, starting (or
   * joining) their refresh when imports are missing from them; waits only for a first fill.
   */
  async ready(options: MetricOptions): Promise<DayState> {
    const slot = this.slot(options);
    await slot.loaded;
    this.ensureSlot(slot);
    await slot.ready;
    return slot.state!;
  }

  private slot(options: MetricOptions): Slot {
    const fp = dayFingerprint(options);
    let slot = this.slots.get(fp);
    if (!slot) {
      let markReady!: () => void;
      let failReady!: (e: unknown) => void;
      const ready = new Promise<void>((res, rej) => {
        markReady = res;
        failReady = rej;
      });
      // A first fill that fails rejects the requests waiting for it; nobody else must see an
      // unhandled rejection.
      ready.catch(() => undefined);
      const s: Slot = {
        state: null,
        loaded: null,
        running: null,
        again: false,
        ready,
        markReady,
        failReady,
        options,
      };
      s.loaded = readDayState(this.reader, fp).then((st) => {
        s.state = st;
        if (st) s.markReady();
      });
      slot = s;
      this.slots.set(fp, slot);
    }
    return slot;
  }

  /** Start a refresh when the slot's days miss an import (or have none). */
  private ensureSlot(slot: Slot): void {
    if (this.closed || !slot.loaded) return;
    void slot.loaded.then(() => {
      const have = new Set(slot.state?.imports ?? []);
      const current = this.imports.map((i) => i.import_id);
      const stale =
        !slot.state || current.length !== have.size || current.some((id) => !have.has(id));
      if (!stale) return;
      if (slot.running) {
        slot.again = true;
        return;
      }
      slot.running = this.refresh(slot).finally(() => {
        slot.running = null;
        if (slot.again) {
          slot.again = false;
          this.ensureSlot(slot);
        }
      });
    });
  }

  private async refresh(slot: Slot): Promise<void> {
    const fp = dayFingerprint(slot.options);
    try {
      await this.beforeRefresh?.();
      this.worker ??= this.openWorker();
      const worker = await this.worker;
      const r = await this.inTurn(async () => {
        if (this.closed) return null;
        const first = !slot.state;
        const out = await refreshDays(worker, slot.options);
        // New options filled: the days of other options are no longer shown anywhere.
        if (first) {
          await dropOtherDays(worker, fp);
          for (const [other, s] of this.slots)
            if (other !== fp && !s.running) this.slots.delete(other);
        }
        return out;
      });
      if (!r) {
        if (!slot.state) slot.failReady(new Error('the server is stopping'));
        return;
      }
      slot.state = r.state;
      slot.markReady();
      if (r.changed) for (const fn of this.listeners) fn(fp, r);
    } catch (e) {
      if (!this.closed)
        this.warn(`the day table could not be brought up to date: ${(e as Error).message}`);
      // Requests waiting for a first fill get the error (never wait for ever); a later request
      // or import tries again, a first fill with a fresh `ready`.
      if (!slot.state) {
        slot.failReady(e);
        this.slots.delete(fp);
      }
    }
  }

  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const out = this.turn.then(fn);
    this.turn = out.catch(() => undefined);
    return out;
  }

  /** Wait for the refreshes under way. */
  async idle(): Promise<void> {
    await Promise.allSettled(
      [...this.slots.values()].map((s) => s.running).filter((r) => r !== null),
    );
  }

  /** Stop: interrupt a refresh under way (its transaction rolls back) and close the connection. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker ? await this.worker.catch(() => null) : null;
    w?.interrupt();
    await this.idle();
    await w?.close();
  }
}
