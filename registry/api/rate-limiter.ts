/**
 * A token bucket per client: each client may make `burst` requests at once and
 * `perSecond` requests a second on average. A request takes one token; tokens refill
 * continuously up to `burst`. A refused request learns how long until a token is back
 * (the Retry-After of a 429).
 *
 * Memory is bounded: at most `maxClients` buckets. A bucket that has refilled completely
 * is the same as no bucket, so when the table is full such buckets are dropped first;
 * if every bucket is still draining, the oldest is dropped (that client gets a full bucket
 * back, which only errs towards serving).
 * @module
 */
import { assertInteger, assertString, rangeError } from '../../core/assert.ts';

/** Options of `RateLimiter`. */
export interface RateLimiterOptions {
  /** Bucket size: requests allowed at once, 1..1,000,000. */
  burst: number;
  /** Refill rate, tokens per second, > 0. */
  perSecond: number;
  /** Most buckets kept (default 100,000). */
  maxClients?: number;
}

/** Outcome of `take`. */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  atMs: number;
}

/** Token buckets by client. See the module comment. */
export class RateLimiter {
  readonly #burst: number;
  readonly #perMs: number;
  readonly #maxClients: number;
  readonly #buckets = new Map<string, Bucket>();

  /**
   * @throws {TypeError|RangeError} if an option is out of range
   * @example new RateLimiter({ burst: 200, perSecond: 100 })
   */
  constructor(options: RateLimiterOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected RateLimiterOptions, got ${String(options)}`);
    assertInteger(options.burst, 'options.burst', 1, 1_000_000);
    if (typeof options.perSecond !== 'number' || !(options.perSecond > 0) || options.perSecond > 1_000_000) rangeError('options.perSecond', 'number in (0, 1000000]', options.perSecond);
    const maxClients = options.maxClients ?? 100_000;
    assertInteger(maxClients, 'options.maxClients', 1, 10_000_000);
    this.#burst = options.burst;
    this.#perMs = options.perSecond / 1000;
    this.#maxClients = maxClients;
  }

  /**
   * Takes one token from `client`'s bucket.
   * @param nowMs - the clock, milliseconds
   * @throws {TypeError|RangeError} if an argument is malformed
   * @example limiter.take('127.0.0.1', Date.now()) // { ok: true }
   */
  take(client: string, nowMs: number): RateDecision {
    assertString(client, 'client', 256);
    if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) rangeError('nowMs', 'finite number', nowMs);
    let b = this.#buckets.get(client);
    if (b === undefined) {
      if (this.#buckets.size >= this.#maxClients) this.#evict(nowMs);
      b = { tokens: this.#burst, atMs: nowMs };
      this.#buckets.set(client, b);
    } else {
      // A clock that steps back refills nothing.
      b.tokens = Math.min(this.#burst, b.tokens + Math.max(0, nowMs - b.atMs) * this.#perMs);
      b.atMs = Math.max(b.atMs, nowMs);
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.#perMs / 1000)) };
  }

  /** Buckets held. */
  get size(): number {
    return this.#buckets.size;
  }

  #evict(nowMs: number): void {
    for (const [client, b] of this.#buckets) {
      if (b.tokens + Math.max(0, nowMs - b.atMs) * this.#perMs >= this.#burst) this.#buckets.delete(client);
    }
    // Everyone is still draining: drop the oldest bucket (Map order is insertion order).
    if (this.#buckets.size >= this.#maxClients) this.#buckets.delete(this.#buckets.keys().next().value!);
  }
}
