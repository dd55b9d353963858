/**
 * Checks signed requests (request-signature.ts) for the write and auditor routes, as a
 * list of named steps; the first that fails decides the answer:
 *
 *     1 headers    the four headers present and well-formed      → 401 AUTH_MISSING, AUTH_MALFORMED
 *     2 freshness  |server clock − timestamp| ≤ window (300 s)   → 401 TIMESTAMP_STALE
 *     3 key        party routes: a registered party by id        → 403 KEY_UNKNOWN, KEY_REVOKED
 *                  admin routes: the configured accreditor key   → 403 ADMIN_DISABLED, KEY_UNKNOWN
 *     4 signature  Ed25519 over the signing string, that key     → 401 SIGNATURE_INVALID
 *     5 nonce      (key id, nonce) not seen within the window    → 401 NONCE_REPLAYED (503 if the table is full)
 *
 * The nonce is recorded only after the signature verified, so nobody can burn another
 * party's nonces with forged requests. Where nonces are recorded is a `NonceRegistry`:
 * the registry service records them in its store (store-nonces.ts), shared by every
 * registry process on that store, so a request replayed to another process is refused
 * too; `NonceCache` is the in-process table for a single process. What a principal may do
 * (its role) is the route's check, not this one.
 *
 * Requests that append (`authenticateForAppend`): with a registry that can defer
 * (`DeferringNonceRegistry`, as StoreNonces), step 5 only reads whether the nonce is
 * recorded and live, and returns the claim that the append records in its own transaction
 * (registry/log/sequencer.ts), so a signed write costs one durable commit, the group
 * commit's, not two. A request whose append does not commit has its claim recorded
 * afterwards by `settleNonce` (registry-api.ts does this before answering), so a refused
 * request cannot be replayed either.
 * @module
 */
import { assertInteger } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { parseVerifierKey, NOTE_ALG_ED25519 } from '../../core/note/note-key.ts';
import type { NonceClaim, PartyRecord, RegistryStore } from '../store/store.ts';
import { ApiError } from './api-error.ts';
import type { ApiRequest } from './http.ts';
import { NonceCache, type NonceOutcome } from './nonce-cache.ts';
import { bodyDigest, KEY_ID_PATTERN, parseSignatureHeaders, verifyRequestSignature } from './request-signature.ts';

/** Accepted clock skew of signed requests, seconds (±5 minutes). */
export const SIGNED_REQUEST_WINDOW_SECONDS = 300;

/** The accreditor's key, configured at start. */
export interface AccreditorKey {
  /** The key's name, which requests carry as Canopy-Key-Id. */
  keyId: string;
  /** Raw Ed25519 public key. */
  publicKey: Uint8Array;
  /** The note verifier key it was read from. */
  verifierKey: string;
}

/**
 * Where accepted nonces are recorded: `remember` records (keyId, nonce) of a request
 * signed at `timestamp` unless it was recorded before and is still within the window.
 */
export interface NonceRegistry {
  remember(keyId: string, nonce: string, timestamp: number, nowSeconds: number): NonceOutcome | Promise<NonceOutcome>;
}

/**
 * A `NonceRegistry` that can leave the recording of a nonce to the transaction of the
 * append the request makes (module comment).
 */
export interface DeferringNonceRegistry extends NonceRegistry {
  /** 'replayed' if (keyId, nonce) is recorded and live; else the claim to record with the append. Writes nothing. */
  defer(keyId: string, nonce: string, timestamp: number, nowSeconds: number): Promise<NonceClaim | 'replayed'>;
  /** Records a claim whose append did not commit (one durable write). */
  settle(claim: NonceClaim): Promise<NonceOutcome>;
}

/**
 * Whether a nonce registry can defer (`DeferringNonceRegistry`).
 * @throws never
 * @example isDeferring(new StoreNonces(store, 300)) // true
 */
export function isDeferring(nonces: NonceRegistry): nonces is DeferringNonceRegistry {
  const n = nonces as Partial<DeferringNonceRegistry>;
  return typeof n.defer === 'function' && typeof n.settle === 'function';
}

/** Who signed a request. */
export type Principal = { kind: 'party'; keyId: string; party: PartyRecord } | { kind: 'accreditor'; keyId: string };

/** Options of `Authenticator`. */
export interface AuthenticatorOptions {
  store: RegistryStore;
  /** The accreditor's key, or null to refuse every admin call. */
  accreditor: AccreditorKey | null;
  /** Accepted clock skew in seconds (default 300). */
  windowSeconds?: number;
  /** Where nonces are recorded (default an in-process NonceCache for the window). */
  nonces?: NonceRegistry;
  /** Clock in milliseconds (default Date.now). */
  now?: () => number;
}

/**
 * Reads an accreditor verifier key ("<name>+<hash>+<base64>", core/note): its name is the
 * key id requests carry.
 * @throws {TypeError} if not a string; {CanopyError} KEY_MALFORMED if it is not an Ed25519
 *   note verifier key, or its name is not a valid key id
 * @example parseAccreditorKey('accreditor.example+1c2b3a4d+AYd…')
 */
export function parseAccreditorKey(verifierKey: string): AccreditorKey {
  const { name, typeAndKey } = parseVerifierKey(verifierKey, NOTE_ALG_ED25519);
  if (!KEY_ID_PATTERN.test(name)) throw new CanopyError('KEY_MALFORMED', `accreditor key name ${JSON.stringify(name)} is not a key id of [A-Za-z0-9._:@/-], 1..128 characters`);
  return { keyId: name, publicKey: typeAndKey.slice(1), verifierKey };
}

/** Authenticates signed requests. See the module comment for the steps. */
export class Authenticator {
  readonly #store: RegistryStore;
  readonly #accreditor: AccreditorKey | null;
  readonly #window: number;
  readonly #nonces: NonceRegistry;
  readonly #now: () => number;

  /**
   * @throws {TypeError|RangeError} if an option is malformed
   * @example new Authenticator({ store, accreditor: parseAccreditorKey(vkey) })
   */
  constructor(options: AuthenticatorOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected AuthenticatorOptions, got ${String(options)}`);
    this.#store = options.store;
    this.#accreditor = options.accreditor;
    this.#window = options.windowSeconds ?? SIGNED_REQUEST_WINDOW_SECONDS;
    assertInteger(this.#window, 'options.windowSeconds', 1, 86_400);
    this.#nonces = options.nonces ?? new NonceCache(this.#window);
    if (typeof this.#nonces?.remember !== 'function') throw new TypeError('"options.nonces" expected a NonceRegistry');
    this.#now = options.now ?? Date.now;
  }

  /** Whether admin routes are enabled. */
  get hasAccreditor(): boolean {
    return this.#accreditor !== null;
  }

  /**
   * Authenticates `req` as a party (party routes) or as the accreditor (admin routes).
   * @throws {ApiError} 401/403 as the module table says; UNAVAILABLE if the nonce cache is full
   * @example const principal = await auth.authenticate(req, 'party')
   */
  async authenticate(req: ApiRequest, as: 'party' | 'accreditor'): Promise<Principal> {
    const h = this.#headers(req);
    const nowSeconds = this.#freshness(h.timestamp);
    const { principal, publicKey } = await this.#key(h.keyId, as);
    this.#signature(req, h, publicKey);
    await this.#nonce(h, nowSeconds);
    return principal;
  }

  /**
   * Authenticates a request that appends to the log: steps 1–4 as `authenticate`; step 5
   * reads the nonce and returns its claim for the append's transaction when the nonce
   * registry can defer (module comment), else records it now and returns no claim.
   * @returns the principal, and the claim the append must record (null: recorded already)
   * @throws {ApiError} 401/403 as the module table says
   * @example const { principal, nonce } = await auth.authenticateForAppend(req, 'party')
   */
  async authenticateForAppend(req: ApiRequest, as: 'party' | 'accreditor'): Promise<{ principal: Principal; nonce: NonceClaim | null }> {
    const nonces = this.#nonces;
    if (!isDeferring(nonces)) return { principal: await this.authenticate(req, as), nonce: null };
    const h = this.#headers(req);
    const nowSeconds = this.#freshness(h.timestamp);
    const { principal, publicKey } = await this.#key(h.keyId, as);
    this.#signature(req, h, publicKey);
    const claim = await nonces.defer(h.keyId, h.nonce, h.timestamp, nowSeconds);
    if (claim === 'replayed') throw replayed(h.keyId, h.nonce);
    return { principal, nonce: claim };
  }

  /**
   * Records the claim of a request whose append did not commit, so that it cannot be
   * replayed (a no-op for a nonce registry that does not defer).
   * @returns 'fresh' if recorded now, 'replayed' if it was recorded already
   * @throws whatever the nonce registry throws
   * @example await auth.settleNonce(claim)
   */
  async settleNonce(claim: NonceClaim): Promise<NonceOutcome> {
    const nonces = this.#nonces;
    if (!isDeferring(nonces)) return 'replayed';
    return nonces.settle(claim);
  }

  // Step 1.
  #headers(req: ApiRequest): ReturnType<typeof parseSignatureHeaders> {
    return parseSignatureHeaders(req.headers);
  }

  // Step 2.
  #freshness(timestamp: number): number {
    const nowSeconds = Math.floor(this.#now() / 1000);
    if (Math.abs(nowSeconds - timestamp) > this.#window) {
      throw new ApiError('TIMESTAMP_STALE', `timestamp ${timestamp} is ${nowSeconds - timestamp} s from the server clock (${nowSeconds}); at most ±${this.#window} s is accepted`);
    }
    return nowSeconds;
  }

  // Step 3.
  async #key(keyId: string, as: 'party' | 'accreditor'): Promise<{ principal: Principal; publicKey: Uint8Array }> {
    if (as === 'accreditor') {
      if (this.#accreditor === null) throw new ApiError('ADMIN_DISABLED', 'this registry was started without an accreditor key (--accreditor-vkey)');
      if (keyId !== this.#accreditor.keyId) throw new ApiError('KEY_UNKNOWN', `key id ${JSON.stringify(keyId)} is not the accreditor's`);
      return { principal: { kind: 'accreditor', keyId }, publicKey: this.#accreditor.publicKey };
    }
    // Key ids of parties are party ids; "/" never occurs in one.
    const party = keyId.includes('/') ? undefined : (await this.#store.findParties([keyId])).get(keyId);
    if (party === undefined) throw new ApiError('KEY_UNKNOWN', `no party ${JSON.stringify(keyId)} is registered`);
    if (party.revokedAt !== null) throw new ApiError('KEY_REVOKED', `party ${JSON.stringify(keyId)} was revoked by entry ${party.revokedAt}`);
    return { principal: { kind: 'party', keyId, party }, publicKey: new Uint8Array(Buffer.from(party.publicKey, 'base64')) };
  }

  // Step 4.
  #signature(req: ApiRequest, h: ReturnType<typeof parseSignatureHeaders>, publicKey: Uint8Array): void {
    let ok: boolean;
    try {
      ok = verifyRequestSignature(publicKey, { method: req.method, target: req.target, bodySha256: bodyDigest(req.body), timestamp: h.timestamp, nonce: h.nonce, keyId: h.keyId }, h.signature);
    } catch {
      // A method or target the signing string cannot carry cannot have been signed.
      ok = false;
    }
    if (!ok) throw new ApiError('SIGNATURE_INVALID', `the signature does not verify under the key of ${JSON.stringify(h.keyId)} for ${req.method} ${req.target.slice(0, 200)}`);
  }

  // Step 5.
  async #nonce(h: ReturnType<typeof parseSignatureHeaders>, nowSeconds: number): Promise<void> {
    const outcome = await this.#nonces.remember(h.keyId, h.nonce, h.timestamp, nowSeconds);
    if (outcome === 'replayed') throw replayed(h.keyId, h.nonce);
    if (outcome === 'full') throw new ApiError('UNAVAILABLE', 'too many signed requests within the replay window; retry later');
  }
}

function replayed(keyId: string, nonce: string): ApiError {
  return new ApiError('NONCE_REPLAYED', `nonce ${nonce} of ${JSON.stringify(keyId)} was already used`);
}
