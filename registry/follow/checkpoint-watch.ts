/**
 * Tells waiting followers when the registry has signed a larger checkpoint. One watch
 * serves every open stream: while at least one stream waits, a single timer reads the
 * latest checkpoint every `pollMs` and wakes the waiters whose size it passed; with no
 * waiter, the timer stops. An idle registry with any number of followers therefore reads
 * one row per `pollMs`, and none at all when nobody follows.
 *
 * Polling, not a hook in the signer, keeps the log unaware of its followers, and also
 * sees checkpoints signed by another registry process on the same database.
 * @module
 */
import { assertInteger, typeError } from '../../core/assert.ts';

/** What the watch reads. `RegistryLog` and `RegistryStore` are such. */
export interface CheckpointSizeSource {
  latestCheckpoint(): Promise<{ size: number } | null>;
}

interface Waiter {
  size: number;
  resolve: () => void;
  timer: NodeJS.Timeout;
}

/** A shared poller of the latest checkpoint size. See the module comment. */
export class CheckpointWatch {
  readonly #source: CheckpointSizeSource;
  readonly #pollMs: number;
  readonly #waiters = new Set<Waiter>();
  #timer: NodeJS.Timeout | null = null;
  #polling = false;

  /**
   * @throws {TypeError|RangeError} if the source has no latestCheckpoint or pollMs is not in [1, 60000]
   * @example const watch = new CheckpointWatch(service.log, 500)
   */
  constructor(source: CheckpointSizeSource, pollMs = 500) {
    if (typeof source !== 'object' || source === null || typeof source.latestCheckpoint !== 'function') typeError('source', 'object with latestCheckpoint()', source);
    assertInteger(pollMs, 'pollMs', 1, 60_000);
    this.#source = source;
    this.#pollMs = pollMs;
  }

  /** Streams waiting now (for tests and health). */
  get waiting(): number {
    return this.#waiters.size;
  }

  /**
   * Resolves once the latest checkpoint is larger than `size`, or after `timeoutMs`,
   * whichever comes first. Never rejects: a failed poll is retried at the next tick.
   * @throws {TypeError|RangeError} for a bad argument
   * @example await watch.waitBeyond(position, 15_000)
   */
  waitBeyond(size: number, timeoutMs: number): Promise<void> {
    assertInteger(size, 'size');
    assertInteger(timeoutMs, 'timeoutMs', 0, 3_600_000);
    return new Promise<void>((resolve) => {
      const waiter: Waiter = {
        size,
        resolve: () => {
          clearTimeout(waiter.timer);
          this.#waiters.delete(waiter);
          resolve();
        },
        timer: setTimeout(() => waiter.resolve(), timeoutMs),
      };
      this.#waiters.add(waiter);
      this.#schedule();
    });
  }

  /**
   * Wakes every waiter now (e.g. when the server stops).
   * @example watch.wakeAll()
   */
  wakeAll(): void {
    for (const w of [...this.#waiters]) w.resolve();
  }

  #schedule(): void {
    if (this.#timer !== null || this.#polling || this.#waiters.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#poll();
    }, this.#pollMs);
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    this.#polling = true;
    try {
      const latest = await this.#source.latestCheckpoint();
      const size = latest?.size ?? -1;
      for (const w of [...this.#waiters]) if (size > w.size) w.resolve();
    } catch {
      // The store is unavailable for a moment: waiters time out or the next tick retries.
    } finally {
      this.#polling = false;
      this.#schedule();
    }
  }
}
