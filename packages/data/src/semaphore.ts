/**
 * A first-come-first-served counting semaphore: bounds how many clips are read (ffmpeg processes run)
 * at once across all batches in flight, and serves the oldest waiter first so the batch needed next
 * is not starved by prefetching.
 *
 * @packageDocumentation
 */
import { fail } from '@vjepa/core';

/** At most `limit` holders at a time; waiters are served in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  /** @param limit - the most concurrent holders, a positive integer. */
  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) fail('limit', 'a positive integer', limit);
  }

  /** Runs `task` once a slot is free, releasing the slot when it settles. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.active--;
      else next(); // hand the slot over without releasing it
    }
  }
}
