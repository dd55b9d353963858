/**
 * The nonces of signed requests, recorded in the registry's store (`rememberNonce`), so
 * that every registry process on one database refuses a nonce any of them accepted: a
 * captured request replayed to another process within the window is refused there too.
 *
 * Invariant (as for `NonceCache`): a request signed at t is accepted only while
 * |now − t| ≤ window, so its nonce is stored with expiry t + window; a row that expired is
 * as good as absent (the store's insert takes it over) and is deleted by a sweep at most
 * once every `sweepEverySeconds`. Clocks of several processes may differ: a process takes
 * over a row only when t + window < its own now, and then its own freshness check has
 * already refused a request signed at t, so a skewed clock cannot reopen a live nonce.
 *
 * Each remembered nonce is one durable store write (one statement, atomic across
 * processes: store contract rule 6); it happens after the signature verified, so forged
 * requests cost no write. The table holds at most the signed requests accepted within
 * window + sweep interval, which the per-client rate limit bounds.
 *
 * Requests that append defer the write (`defer`): a read says whether the nonce is
 * recorded and live, and the claim is recorded in the append's own transaction (store
 * contract rule 1), so those requests cost no nonce commit; `settle` records the claim of
 * a request whose append did not commit. Sweeps are scheduled from both paths.
 * @module
 */
import { assertInteger } from '../../core/assert.ts';
import { type NonceClaim, nonceKey, type RegistryStore } from '../store/store.ts';
import type { DeferringNonceRegistry } from './authenticator.ts';
import type { NonceOutcome } from './nonce-cache.ts';

/** Options of `StoreNonces`. */
export interface StoreNoncesOptions {
  /** Seconds between sweeps of expired nonces (default 60). */
  sweepEverySeconds?: number;
  /** Told about a sweep that failed (the request goes on; the next sweep retries). */
  onSweepError?: (error: unknown) => void;
}

/** A `NonceRegistry` over a store's nonce table. See the module comment. */
export class StoreNonces implements DeferringNonceRegistry {
  readonly #store: RegistryStore;
  readonly #windowSeconds: number;
  readonly #sweepEverySeconds: number;
  readonly #onSweepError: (error: unknown) => void;
  #nextSweep = 0;

  /**
   * @param windowSeconds - the accepted clock skew of signed requests (300 for ±5 minutes)
   * @throws {TypeError|RangeError} if an argument is malformed
   * @example new StoreNonces(store, 300)
   */
  constructor(store: RegistryStore, windowSeconds: number, options: StoreNoncesOptions = {}) {
    if (typeof store !== 'object' || store === null || typeof store.rememberNonce !== 'function') throw new TypeError('"store" expected a RegistryStore');
    assertInteger(windowSeconds, 'windowSeconds', 1, 86_400);
    const every = options.sweepEverySeconds ?? 60;
    assertInteger(every, 'options.sweepEverySeconds', 1, 86_400);
    this.#store = store;
    this.#windowSeconds = windowSeconds;
    this.#sweepEverySeconds = every;
    this.#onSweepError = options.onSweepError ?? (() => undefined);
  }

  /**
   * Records (keyId, nonce) of a request signed at `timestamp`, unless recorded and live.
   * @returns 'fresh' (recorded now) or 'replayed' (recorded by any process, not expired)
   * @throws {TypeError|RangeError} if an argument is malformed; whatever the store throws
   * @example await nonces.remember('mill-7', nonce, ts, Math.floor(Date.now() / 1000)) // 'fresh'
   */
  async remember(keyId: string, nonce: string, timestamp: number, nowSeconds: number): Promise<NonceOutcome> {
    assertInteger(timestamp, 'timestamp');
    assertInteger(nowSeconds, 'nowSeconds');
    await this.#sweepIfDue(nowSeconds);
    return (await this.#store.rememberNonce(keyId, nonce, timestamp + this.#windowSeconds, nowSeconds)) ? 'fresh' : 'replayed';
  }

  /**
   * Reads whether (keyId, nonce) is recorded and live; if not, returns the claim for the
   * append's transaction. Writes nothing but a due sweep.
   * @returns 'replayed', or the claim (expiry timestamp + window, clock nowSeconds)
   * @throws {TypeError|RangeError} if an argument is malformed; whatever the store throws
   * @example const claim = await nonces.defer('mill-7', nonce, ts, now)
   */
  async defer(keyId: string, nonce: string, timestamp: number, nowSeconds: number): Promise<NonceClaim | 'replayed'> {
    assertInteger(timestamp, 'timestamp');
    assertInteger(nowSeconds, 'nowSeconds');
    await this.#sweepIfDue(nowSeconds);
    const until = (await this.#store.readNonces([{ keyId, nonce }])).get(nonceKey(keyId, nonce));
    // As in the store (rule 6): a row that expired before now counts as absent.
    if (until !== undefined && until >= nowSeconds) return 'replayed';
    return { keyId, nonce, expiresAt: timestamp + this.#windowSeconds, nowSeconds };
  }

  /**
   * Records a deferred claim whose append did not commit.
   * @returns 'fresh' (recorded now) or 'replayed' (recorded already, e.g. by the append after all)
   * @throws {TypeError|RangeError} if the claim is malformed; whatever the store throws
   * @example await nonces.settle(claim)
   */
  async settle(claim: NonceClaim): Promise<NonceOutcome> {
    if (typeof claim !== 'object' || claim === null) throw new TypeError(`"claim" expected a NonceClaim, got ${String(claim)}`);
    return (await this.#store.rememberNonce(claim.keyId, claim.nonce, claim.expiresAt, claim.nowSeconds)) ? 'fresh' : 'replayed';
  }

  async #sweepIfDue(nowSeconds: number): Promise<void> {
    if (nowSeconds < this.#nextSweep) return;
    this.#nextSweep = nowSeconds + this.#sweepEverySeconds;
    await this.#store.sweepNonces(nowSeconds).catch(this.#onSweepError);
  }
}
