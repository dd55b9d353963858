/**
 * A signed request's nonce was already used: the sequencer refuses an append whose nonce
 * claim (store.ts `NonceClaim`, the request's Canopy-Key-Id and Canopy-Nonce) finds the
 * nonce recorded and live, by any registry process on the store, or claimed by an earlier
 * call of the same group commit. Nothing of the call is appended. This is neither a
 * refusal of an entry (the entries may be fine) nor bad input: it is a replay, which the
 * HTTP layer answers 401 NONCE_REPLAYED as when the authenticator finds it first.
 * @module
 */
import { assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';

/** The nonce of the request appending these entries was already used (module comment). */
export class NonceReplayedError extends CanopyError {
  /** The request's key id. */
  readonly keyId: string;
  /** The request's nonce. */
  readonly nonce: string;

  /**
   * @param detail - where the nonce was found (stored, or earlier in the commit)
   * @throws {TypeError} if an argument is not a string
   * @example throw new NonceReplayedError('mill-7', nonce, 'recorded until 1767225900')
   */
  constructor(keyId: string, nonce: string, detail: string) {
    assertString(keyId, 'keyId');
    assertString(nonce, 'nonce');
    assertString(detail, 'detail');
    super('NONCE_REPLAYED', `nonce ${nonce} of ${JSON.stringify(keyId)} was already used (${detail})`);
    this.name = 'NonceReplayedError';
    this.keyId = keyId;
    this.nonce = nonce;
  }
}
