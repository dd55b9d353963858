/**
 * Consistency proof verification written as the algorithm of RFC 9162 §2.1.4.2, step by
 * step. It accepts exactly the proofs `checkTree` accepts (tests check the two agree on
 * every pair of sizes up to 100 records, and on every corruption of those proofs).
 *
 *     if consistency_path is empty: fail
 *     if first is a power of 2: prepend first_hash to consistency_path
 *     fn = first − 1, sn = second − 1
 *     if LSB(fn) = 1: shift fn, sn right until LSB(fn) = 0
 *     fr = sr = consistency_path[0]
 *     for each subsequent c in consistency_path:
 *       if sn = 0: fail
 *       if LSB(fn) = 1 or fn = sn:
 *         fr = HASH(0x01 ‖ c ‖ fr), sr = HASH(0x01 ‖ c ‖ sr)
 *         if LSB(fn) = 0: shift fn, sn right until LSB(fn) = 1 or fn = 0
 *       else:
 *         sr = HASH(0x01 ‖ sr ‖ c)
 *       shift fn, sn right by one
 *     succeed iff sn = 0, fr = first_hash and sr = second_hash
 *
 * The RFC defines the proof for 0 < first < second. For first = second Canopy, like Go's
 * tlog and transparency-dev/merkle, accepts only the empty proof with equal roots; a
 * first size of 0 is bad input (nothing is proven about an empty tree).
 * @module
 */
import { assertInteger } from '../assert.ts';
import { assertHash, type Hash, hashEqual, nodeHash } from './hash.ts';
import { assertProofHashes } from './_proof-shape.ts';
import { assertTreeSize } from './tree-size.ts';

/**
 * Whether `proof` is a valid RFC 9162 consistency proof that the tree of size `size2` with
 * root `root2` extends the tree of size `size1` with root `root1`.
 * @returns false for a well-formed proof that does not match both roots
 * @throws {TypeError|RangeError} if an argument is malformed, or not 1 ≤ size1 ≤ size2 ≤ 2^51
 * @example verifyConsistency(6, 8, proof, root6, root8) // true
 */
export function verifyConsistency(size1: number, size2: number, proof: Hash[], root1: Hash, root2: Hash): boolean {
  assertTreeSize(size2, 'size2', 1);
  assertInteger(size1, 'size1', 1, size2);
  assertProofHashes(proof, 'proof');
  assertHash(root1, 'root1');
  assertHash(root2, 'root2');
  if (size1 === size2) return proof.length === 0 && hashEqual(root1, root2);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && hashEqual(fr, root1) && hashEqual(sr, root2);
}

/**
 * Whether x ≥ 1 is a power of two. Exact on safe integers, unlike a test on Math.log2,
 * which rounds log2(2^51 − 1) to 51.
 */
function isPowerOfTwo(x: number): boolean {
  while (x % 2 === 0) x /= 2;
  return x === 1;
}
