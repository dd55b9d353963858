/**
 * Digest of a sequence of field elements longer than one Poseidon call, shared by the
 * plot-mask and plot-geometry hashes.
 *
 *     blocks   = elements split into blocks of 14, the last padded with zeros to 14
 *     s_0      = 0
 *     s_{j+1}  = Poseidon(TAG_SEQUENCE, s_j, block_j[0], …, block_j[13])   (16 inputs)
 *     digest   = s_k   (0 for no elements)
 *
 * The zero padding means sequences differing only in trailing zeros of the last block
 * collide, so callers bind the element count in their own final hash (a mask binds its
 * width and height, a geometry its byte length); the count then fixes the blocks, and the
 * chain is collision resistant as Poseidon is. Fixed arity 16 keeps a circuit twin simple.
 * @module
 */
import { hashTagged } from '../domain.ts';

/** Elements absorbed per chain step: Poseidon takes 16 inputs, less the tag and the state. */
export const CHAIN_BLOCK = 14;

/**
 * Chains `elements` (each already a field element) into one digest; see the module doc.
 * @throws {TypeError|RangeError} if an element is not a field element
 * @example chainDigest([]) // 0n
 */
export function chainDigest(elements: readonly bigint[]): bigint {
  let s = 0n;
  for (let j = 0; j < elements.length; j += CHAIN_BLOCK) {
    const block = elements.slice(j, j + CHAIN_BLOCK);
    while (block.length < CHAIN_BLOCK) block.push(0n);
    s = hashTagged('SEQUENCE', [s, ...block]);
  }
  return s;
}
