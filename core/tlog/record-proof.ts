/**
 * Inclusion proofs: that the tree of size t contains record n with a given leaf hash.
 * RFC 6962 §2.1.1 calls the proof a "Merkle audit path", RFC 9162 §2.1.3 an "inclusion
 * proof". It is plain data, the list of sibling hashes from the leaf up, and it is the
 * same list RFC 9162 `verifyInclusion` (verify-inclusion.ts) accepts.
 *
 *     size 5, record 2:                    root
 *                                      /          \
 *                               [0, 4)              [4] ← proof[2]
 *                             /        \
 *          proof[1] → [0, 2)            [2, 4)
 *                                      /      \
 *                                   [2]        [3] ← proof[0]
 *
 * Failures are kept apart as in Go's tlog: bad input throws (TypeError/RangeError);
 * a well-formed proof that does not lead to the root makes `checkRecord` return false;
 * an index computation that goes wrong is a bug (`bug()`).
 * @module
 */
import { assertInteger } from '../assert.ts';
import { bug } from '../errors.ts';
import { assertHash, type Hash, hashEqual, nodeHash } from './hash.ts';
import { assertHashReader, type HashReader, readHashesChecked } from './hash-reader.ts';
import { assertProofHashes } from './_proof-shape.ts';
import { maxpow2, subTreeHash, subTreeIndex } from './_subtree.ts';
import { assertTreeSize } from './tree-size.ts';

/** An inclusion proof: sibling hashes, leaf level first. */
export type RecordProof = Hash[];

/**
 * The proof that the tree of size `size` contains record `index`.
 * Makes one `readHashes` call (none for a tree of one record).
 * @param size - tree size, in [1, 2^51]
 * @param index - record index, in [0, size)
 * @throws {TypeError|RangeError} if an argument is malformed or out of range;
 *   {CanopyError} READER_CONTRACT if the reader breaks its contract
 * @example const proof = await proveRecord(8, 5, storage)
 */
export async function proveRecord(size: number, index: number, reader: HashReader): Promise<RecordProof> {
  assertTreeSize(size, 'size', 1);
  assertInteger(index, 'index', 0, size - 1);
  assertHashReader(reader, 'reader');
  const indexes = leafProofIndex(0, size, index, []);
  if (indexes.length === 0) return [];
  const hashes = await readHashesChecked(reader, indexes);
  const [proof, used] = leafProof(0, size, index, hashes, 0);
  if (used !== hashes.length) bug('proveRecord', `used ${used} of ${hashes.length} hashes`);
  return proof;
}

/**
 * Whether `proof` shows that the tree of size `size` with root `root` has record `index`
 * with leaf hash `leaf`.
 * @param proof - at most 128 hashes of 32 bytes
 * @returns false for a well-formed proof that does not lead to `root` (any wrong length included)
 * @throws {TypeError|RangeError} if an argument is malformed, or not 0 ≤ index < size ≤ 2^51
 * @example checkRecord(proof, 8, root, 5, leafHash(entry)) // true
 */
export function checkRecord(proof: RecordProof, size: number, root: Hash, index: number, leaf: Hash): boolean {
  assertProofHashes(proof, 'proof');
  assertTreeSize(size, 'size', 1);
  assertHash(root, 'root');
  assertInteger(index, 'index', 0, size - 1);
  assertHash(leaf, 'leaf');
  const got = runRecordProof(proof, proof.length, 0, size, index, leaf);
  return got !== null && hashEqual(got, root);
}

/**
 * The indexes needed for the proof that record n is in the subtree [lo, hi), appended to
 * `need` in the order `leafProof` consumes them (increasing). RFC 6962 §2.1.1.
 */
function leafProofIndex(lo: number, hi: number, n: number, need: number[]): number[] {
  if (!(lo <= n && n < hi)) bug('leafProofIndex', `${n} not in [${lo}, ${hi})`);
  if (lo + 1 === hi) return need;
  const [k] = maxpow2(hi - lo);
  if (n < lo + k) {
    leafProofIndex(lo, lo + k, n, need);
    subTreeIndex(lo + k, hi, need);
  } else {
    subTreeIndex(lo, lo + k, need);
    leafProofIndex(lo + k, hi, n, need);
  }
  return need;
}

/** The proof that record n is in [lo, hi), from `hashes[pos…]`; returns it and the next position. */
function leafProof(lo: number, hi: number, n: number, hashes: Hash[], pos: number): [RecordProof, number] {
  // We must have lo ≤ n < hi, or the code here has a bug.
  if (!(lo <= n && n < hi)) bug('leafProof', `${n} not in [${lo}, ${hi})`);
  // At the leaf: the verifier knows its hash, so nothing is sent.
  if (lo + 1 === hi) return [[], pos];
  // Walk down toward n, recording the hash of the side not taken.
  const [k] = maxpow2(hi - lo);
  let proof: RecordProof;
  let sibling: Hash;
  if (n < lo + k) {
    [proof, pos] = leafProof(lo, lo + k, n, hashes, pos);
    [sibling, pos] = subTreeHash(lo + k, hi, hashes, pos);
  } else {
    [sibling, pos] = subTreeHash(lo, lo + k, hashes, pos);
    [proof, pos] = leafProof(lo + k, hi, n, hashes, pos);
  }
  proof.push(sibling);
  return [proof, pos];
}

/**
 * Runs `proof[0…end)` for record n in [lo, hi): returns the subtree hash it implies, or
 * null if the proof has the wrong number of hashes for this shape.
 */
function runRecordProof(proof: RecordProof, end: number, lo: number, hi: number, n: number, leaf: Hash): Hash | null {
  // We must have lo ≤ n < hi, or the code here has a bug.
  if (!(lo <= n && n < hi)) bug('runRecordProof', `${n} not in [${lo}, ${hi})`);
  // At the leaf, the proof must be used up: no unnecessary hashes.
  if (lo + 1 === hi) return end === 0 ? leaf : null;
  if (end === 0) return null;
  const [k] = maxpow2(hi - lo);
  const sibling = proof[end - 1]!;
  if (n < lo + k) {
    const left = runRecordProof(proof, end - 1, lo, lo + k, n, leaf);
    return left === null ? null : nodeHash(left, sibling);
  }
  const right = runRecordProof(proof, end - 1, lo + k, hi, n, leaf);
  return right === null ? null : nodeHash(sibling, right);
}
