/**
 * Remembers the nonces of accepted signed requests for as long as their timestamps stay
 * acceptable, so that a captured request cannot be replayed.
 *
 * Invariant: a request with timestamp t is accepted only while |now − t| ≤ window; so once
 * now > t + window the timestamp check alone refuses it, and its nonce can be forgotten.
 * An entry (key id, nonce) is therefore kept until t + window and swept after. The cache
 * lives in one process, so it suits a registry of one process (and tests); the registry
 * service records nonces in its store instead (store-nonces.ts), which every process on
 * that store shares.
 *
 * Bounded: at most `maxEntries` nonces; when full even after a sweep, `remember` refuses
 * (fails closed) rather than forgetting a nonce that is still within its window.
 * @module
 */
import { assertInteger, assertString } from '../../core/assert.ts';

/** Outcome of `remember`. */
export type NonceOutcome = 'fresh' | 'replayed' | 'full';

/** The nonces seen within the window. See the module comment. */
export class NonceCache {
  readonly #windowSeconds: number;
  readonly #maxEntries: number;
  // key id + "\n" + nonce → last second at which the nonce could still be accepted
  readonly #until = new Map<string, number>();
  #nextSweep = 0;

  /**
   * @param windowSeconds - the accepted clock skew (300 for ±5 minutes)
   * @param maxEntries - most nonces kept (default 1,000,000)
   * @throws {TypeError|RangeError} if an argument is not a positive integer
   * @example new NonceCache(300)
   */
  constructor(windowSeconds: number, maxEntries = 1_000_000) {
    assertInteger(windowSeconds, 'windowSeconds', 1, 86_400);
    assertInteger(maxEntries, 'maxEntries', 1, 100_000_000);
    this.#windowSeconds = windowSeconds;
    this.#maxEntries = maxEntries;
  }

  /** Nonces held. */
  get size(): number {
    return this.#until.size;
  }

  /**
   * Records (keyId, nonce) of a request signed at `timestamp`, unless already recorded.
   * @param nowSeconds - the server clock, Unix seconds
   * @returns 'fresh' (recorded now), 'replayed' (seen within the window) or 'full'
   * @throws {TypeError|RangeError} if an argument is malformed
   * @example cache.remember('mill-7', nonce, ts, Math.floor(Date.now() / 1000)) // 'fresh'
   */
  remember(keyId: string, nonce: string, timestamp: number, nowSeconds: number): NonceOutcome {
    assertString(keyId, 'keyId', 256);
    assertString(nonce, 'nonce', 256);
    assertInteger(timestamp, 'timestamp');
    assertInteger(nowSeconds, 'nowSeconds');
    const key = `${keyId}\n${nonce}`;
    const until = this.#until.get(key);
    if (until !== undefined && until >= nowSeconds) return 'replayed';
    if (nowSeconds >= this.#nextSweep || this.#until.size >= this.#maxEntries) this.#sweep(nowSeconds);
    if (this.#until.size >= this.#maxEntries) return 'full';
    this.#until.set(key, timestamp + this.#windowSeconds);
    return 'fresh';
  }

  // O(size), at most once a second (or when full): amortised constant per request.
  #sweep(nowSeconds: number): void {
    for (const [key, until] of this.#until) if (until < nowSeconds) this.#until.delete(key);
    this.#nextSweep = nowSeconds + 1;
  }
}
