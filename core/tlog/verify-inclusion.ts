/**
 * Inclusion proof verification written as the algorithm of RFC 9162 §2.1.3.2, step by
 * step, for verifiers who want to hold the code against the RFC. It accepts exactly the
 * proofs `checkRecord` accepts (tests check the two agree on every proof of every tree up
 * to 100 records, and on every corruption of them).
 *
 *     fn = leaf_index, sn = tree_size − 1, r = hash
 *     for each p in inclusion_path:
 *       if sn = 0: fail
 *       if LSB(fn) = 1 or fn = sn:
 *         r = HASH(0x01 ‖ p ‖ r)
 *         if LSB(fn) = 0: shift fn, sn right until LSB(fn) = 1 or fn = 0
 *       else:
 *         r = HASH(0x01 ‖ r ‖ p)
 *       shift fn, sn right by one
 *     succeed iff sn = 0 and r = root
 *
 * Shifts are divisions by two on safe integers (sizes ≤ 2^51); JavaScript's `>>`
 * would truncate to 32 bits.
 * @module
 */
import { assertInteger } from '../assert.ts';
import { assertHash, type Hash, hashEqual, nodeHash } from './hash.ts';
import { assertProofHashes } from './_proof-shape.ts';
import { assertTreeSize } from './tree-size.ts';

/**
 * Whether `proof` is a valid RFC 9162 inclusion proof of the leaf with hash `leafHash` at
 * `leafIndex` in the tree of size `treeSize` with root `root`.
 * @returns false for a well-formed proof that does not lead to `root`
 * @throws {TypeError|RangeError} if an argument is malformed, or not 0 ≤ leafIndex < treeSize ≤ 2^51
 * @example verifyInclusion(5, 8, leafHash(entry), proof, root) // true
 */
export function verifyInclusion(leafIndex: number, treeSize: number, leafHash: Hash, proof: Hash[], root: Hash): boolean {
  assertTreeSize(treeSize, 'treeSize', 1);
  assertInteger(leafIndex, 'leafIndex', 0, treeSize - 1);
  assertHash(leafHash, 'leafHash');
  assertProofHashes(proof, 'proof');
  assertHash(root, 'root');
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && hashEqual(r, root);
}
