/**
 * Why the registry refuses a well-formed entry. A refusal is a `CanopyError` with code
 * `ENTRY_REJECTED`, a `reason` from `REJECT_REASONS`, and the index of the entry within
 * the `append` call; the log is unchanged. The HTTP layer answers it with a 4xx carrying
 * the reason code (409 for the state-dependent reasons, 422 for the others, as it sees fit).
 *
 * Malformed input (a wrong type, a bad encoding, a circuit the entry type does not allow)
 * is not a refusal but bad input: a `TypeError`/`RangeError` naming the field, as
 * everywhere in Canopy. Failures of the store or of the proof verifier itself are neither:
 * they propagate unchanged, and nothing is acknowledged.
 * @module
 */
import { assertInteger, assertString, rangeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';

/** Every reason for refusing an entry, with what it means. */
export const REJECT_REASONS = {
  PROOF_INVALID: 'a proof does not verify under the circuit key it names (or the key is not one the registry accepts)',
  ROOT_NOT_PUBLISHED: 'a proof is checked against a lots or plots root that no signed checkpoint published',
  DATASET_UNKNOWN: 'a plot window is proven against a dataset root that no dataset entry of the log registered',
  DATASET_EXISTS: 'the dataset root is already registered',
  NULLIFIER_SPENT: 'a nullifier was spent by an earlier entry',
  NULLIFIER_REPEATED: 'a nullifier appears twice within one entry or one append call',
  WINDOWS_INCONSISTENT: 'the windows of one plot attestation disagree on the dataset root or the cut-off',
  PARTY_EXISTS: 'the party id is already registered (ids are never reused, even after revocation)',
  KEY_IN_USE: 'the public key is already registered to a party',
  PARTY_UNKNOWN: 'no party with this id is registered',
  PARTY_REVOKED: 'the party is already revoked',
  TREE_FULL: 'the lots or plots tree has no room for the leaves of the entry',
  PARAMETER_NOT_ALLOWED:
    'a public parameter is not one the protocol allows (a conversion outside the processing rules; a capacity issuance at another yield ceiling, a later cut-off or a harvest year other than this or last year), or the proof names a verification key no artifacts entry pinned',
} as const;

/** A reason code of `REJECT_REASONS`. */
export type RejectReason = keyof typeof REJECT_REASONS;

/** The registry refused an entry; the log is unchanged. */
export class EntryRejectedError extends CanopyError {
  /** Why, as a stable code. */
  readonly reason: RejectReason;
  /** Index of the refused entry within its `append` call. */
  readonly index: number;

  /**
   * @param reason - a key of REJECT_REASONS
   * @param index - the entry's index in the append call
   * @param detail - the values involved, e.g. the nullifier
   * @throws {TypeError|RangeError} if reason or index is malformed
   * @example throw new EntryRejectedError('NULLIFIER_SPENT', 0, `nullifier ${n} spent by entry 17`)
   */
  constructor(reason: RejectReason, index: number, detail: string) {
    if (typeof reason !== 'string' || !Object.prototype.hasOwnProperty.call(REJECT_REASONS, reason)) rangeError('reason', 'a REJECT_REASONS key', reason);
    assertInteger(index, 'index');
    assertString(detail, 'detail');
    super('ENTRY_REJECTED', `entry ${index} rejected (${reason}): ${detail}`);
    this.name = 'EntryRejectedError';
    this.reason = reason;
    this.index = index;
  }
}
