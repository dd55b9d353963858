/**
 * The shape every Canopy Poseidon Merkle tree shares: its node hash, its empty leaf and
 * its depth bounds. The `MerkleInclusion(depth)` circuit computes exactly this.
 *
 *     node(left, right) = Poseidon(TAG_MERKLE_NODE, left, right)
 *     TAG_MERKLE_NODE   = "canopy/merkle-node" read as a big-endian integer (domain.ts)
 *
 * Leaves are field elements that callers have already hashed under their own domain tag
 * (a lot note, a plot attestation, a dataset tile); trees never hash leaves. Because a
 * node hash carries its own tag, no leaf preimage can be passed off as an inner node.
 *
 * The empty leaf is 0, so a proof that 0 sits at an unused index verifies against the
 * real root: callers must never treat leaf 0 as a member. A real leaf is a Poseidon
 * output, and a leaf of 0 would need a Poseidon preimage of 0.
 * @module
 */
import { assertInteger } from '../assert.ts';
import { hashTagged } from '../domain.ts';
import { assertField } from '../field.ts';

/** Value of an empty leaf. */
export const MERKLE_ZERO_LEAF = 0n;

/**
 * Deepest tree supported. A leaf index must stay a safe integer and fit the 32-bit
 * unsigned shifts used to read its path bits, so indexes lie in [0, 2^32).
 */
export const MERKLE_MAX_DEPTH = 32;

/**
 * Checks a tree depth.
 * @throws {TypeError} if not a safe integer; {RangeError} if outside [min, 32]
 * @example assertMerkleDepth(20, 'depth')
 */
export function assertMerkleDepth(depth: unknown, title: string, min = 1): asserts depth is number {
  assertInteger(depth, title, min, MERKLE_MAX_DEPTH);
}

/**
 * Hashes two children into their parent: Poseidon(TAG_MERKLE_NODE, left, right).
 * @param left - the child whose path bit is 0
 * @param right - the child whose path bit is 1
 * @throws {TypeError|RangeError} if a child is not a field element in [0, r)
 * @example merkleNode(0n, 0n) // zeroHashes(1)[1]
 */
export function merkleNode(left: bigint, right: bigint): bigint {
  assertField(left, 'left');
  assertField(right, 'right');
  return hashTagged('MERKLE_NODE', [left, right]);
}
