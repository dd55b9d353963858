/**
 * Shape checks shared by the proof checkers (internal to `core/tlog`).
 *
 * A proof in a tree of at most 2^51 records has at most 51 inclusion hashes, and a
 * consistency proof at most 2·51 + 1. Anything longer cannot verify; rejecting it as bad
 * input before hashing bounds the work a hostile proof can cause.
 * @module
 */
import { assertArray } from '../assert.ts';
import { assertHash, type Hash } from './hash.ts';

/** Most hashes any proof may carry. */
export const MAX_PROOF_HASHES = 128;

/**
 * Checks `proof` is an array of at most 128 hashes of 32 bytes each.
 * @throws {TypeError} if not an array of Uint8Array; {RangeError} if too long or a hash is not 32 bytes
 * @example assertProofHashes(proof, 'proof')
 */
export function assertProofHashes(proof: unknown, title: string): asserts proof is Hash[] {
  assertArray(proof, title, 0, MAX_PROOF_HASHES);
  for (let i = 0; i < proof.length; i++) assertHash(proof[i], `${title}[${i}]`);
}
