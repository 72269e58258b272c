/**
 * Fair turns for the report computations of many users: each user has at most `perUser` new
 * computations in flight; their further ones wait in that user's own queue (first in, first out),
 * and beyond `maxWaiting` waiting ones a request is refused with 429 and a Retry-After.
 *
 * Why a queue rather than an immediate 429: a page legitimately asks for a few things at once
 * (and Back/Forward, or a quick succession of date changes, add more); refusing those would show
 * errors for ordinary use. What protects the others is that a user never has more than `perUser`
 * computations ahead of anyone else's in the engine — a leader's new range waits for at most two
 * of a clinician's, however many the clinician fired — while the clinician's own extra requests
 * wait only for the clinician's. The bound on waiting requests keeps a runaway client from
 * holding unbounded sockets and memory.
 */
import { UptakeError } from '../errors/UptakeError.ts';

interface Waiter {
  start: () => void;
}

export class FairLimiter {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(
    readonly perUser = 2,
    readonly maxWaiting = 8,
  ) {}

  /** Computations of `who` running now and waiting (for tests and diagnostics). */
  load(who: string): { running: number; waiting: number } {
    return { running: this.running.get(who) ?? 0, waiting: this.waiting.get(who)?.length ?? 0 };
  }

  /** Run `fn` as one of `who`'s computations, when `who` has a free turn. */
  async run<T>(who: string, fn: () => Promise<T>): Promise<T> {
    if ((this.running.get(who) ?? 0) >= this.perUser) {
      const queue = this.waiting.get(who) ?? [];
      if (queue.length >= this.maxWaiting)
        throw new UptakeError(
          'RATE_LIMITED',
          `you have ${this.perUser + queue.length} report computations under way; wait for them before asking for more`,
          { retryAfterSeconds: 2 },
        );
      await new Promise<void>((start) => {
        queue.push({ start });
        this.waiting.set(who, queue);
      });
    } else this.running.set(who, (this.running.get(who) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      this.release(who);
    }
  }

  /** Hand `who`'s turn to their next waiting computation, or give it back. */
  private release(who: string): void {
    const queue = this.waiting.get(who);
    const next = queue?.shift();
    if (queue && !queue.length) this.waiting.delete(who);
    if (next) next.start();
    else {
      const n = (this.running.get(who) ?? 1) - 1;
      if (n > 0) this.running.set(who, n);
      else this.running.delete(who);
    }
  }
}
