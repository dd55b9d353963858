/**
 * Consistency proofs: that the tree of size t contains, as a prefix, every record of the
 * earlier tree of size n ≤ t. RFC 6962 §2.1.2 calls it a "Merkle consistency proof",
 * RFC 9162 §2.1.4 a "consistency proof". It is plain data, a list of hashes, the same list
 * RFC 9162 `verifyConsistency` (verify-consistency.ts) accepts.
 *
 * Checking it recomputes both roots from the same hashes: the old root from the hashes
 * left of the old tree's edge, the new root from all of them. If both match, the old tree
 * is a prefix of the new one, which is what makes the log append-only.
 *
 * Sizes: 1 ≤ n ≤ t ≤ 2^51. For n = t the proof is empty and the roots must be equal. A
 * proof from the empty tree proves nothing, so size 0 is bad input (as in Go's tlog and
 * transparency-dev/merkle).
 *
 * Failures: bad input throws; a proof that does not match returns false; a broken index
 * computation is a bug.
 * @module
 */
import { assertInteger } from '../assert.ts';
import { bug } from '../errors.ts';
import { assertHash, type Hash, hashEqual, nodeHash } from './hash.ts';
import { assertHashReader, type HashReader, readHashesChecked } from './hash-reader.ts';
import { assertProofHashes } from './_proof-shape.ts';
import { maxpow2, subTreeHash, subTreeIndex } from './_subtree.ts';
import { assertTreeSize } from './tree-size.ts';

/** A consistency proof between two tree sizes. */
export type TreeProof = Hash[];

/**
 * The proof that the tree of size `size` contains the tree of size `oldSize` as a prefix.
 * Makes one `readHashes` call (none when the proof is empty).
 * @param size - the newer tree's size, in [1, 2^51]
 * @param oldSize - the older tree's size, in [1, size]
 * @throws {TypeError|RangeError} if an argument is malformed or out of range;
 *   {CanopyError} READER_CONTRACT if the reader breaks its contract
 * @example const proof = await proveTree(8, 6, storage)
 */
export async function proveTree(size: number, oldSize: number, reader: HashReader): Promise<TreeProof> {
  assertTreeSize(size, 'size', 1);
  assertInteger(oldSize, 'oldSize', 1, size);
  assertHashReader(reader, 'reader');
  const indexes = treeProofIndex(0, size, oldSize, []);
  if (indexes.length === 0) return [];
  const hashes = await readHashesChecked(reader, indexes);
  const [proof, used] = treeProof(0, size, oldSize, hashes, 0);
  if (used !== hashes.length) bug('proveTree', `used ${used} of ${hashes.length} hashes`);
  return proof;
}

/**
 * Whether `proof` shows that the tree of size `size` with root `root` contains as a prefix
 * the tree of size `oldSize` with root `oldRoot`.
 * @returns false for a well-formed proof that does not match both roots
 * @throws {TypeError|RangeError} if an argument is malformed, or not 1 ≤ oldSize ≤ size ≤ 2^51
 * @example checkTree(proof, 8, root8, 6, root6) // true
 */
export function checkTree(proof: TreeProof, size: number, root: Hash, oldSize: number, oldRoot: Hash): boolean {
  assertProofHashes(proof, 'proof');
  assertTreeSize(size, 'size', 1);
  assertHash(root, 'root');
  assertInteger(oldSize, 'oldSize', 1, size);
  assertHash(oldRoot, 'oldRoot');
  const got = runTreeProof(proof, proof.length, 0, size, oldSize, oldRoot);
  return got !== null && hashEqual(got[0], oldRoot) && hashEqual(got[1], root);
}

/** The indexes for the sub-proof of [lo, hi) with old size n, appended to `need`. RFC 6962 §2.1.2. */
function treeProofIndex(lo: number, hi: number, n: number, need: number[]): number[] {
  if (!(lo < n && n <= hi)) bug('treeProofIndex', `${n} not in (${lo}, ${hi}]`);
  if (n === hi) return lo === 0 ? need : subTreeIndex(lo, hi, need);
  const [k] = maxpow2(hi - lo);
  if (n <= lo + k) {
    treeProofIndex(lo, lo + k, n, need);
    subTreeIndex(lo + k, hi, need);
  } else {
    subTreeIndex(lo, lo + k, need);
    treeProofIndex(lo + k, hi, n, need);
  }
  return need;
}

/** The sub-proof for [lo, hi) with old size n, from `hashes[pos…]`; returns it and the next position. */
function treeProof(lo: number, hi: number, n: number, hashes: Hash[], pos: number): [TreeProof, number] {
  // We must have lo < n ≤ hi, or the code here has a bug.
  if (!(lo < n && n <= hi)) bug('treeProof', `${n} not in (${lo}, ${hi}]`);
  if (n === hi) {
    // This subtree is the old tree itself: the verifier knows its hash.
    if (lo === 0) return [[], pos];
    // Common ground right of the old tree's left edge: send this subtree's hash.
    const [h, next] = subTreeHash(lo, hi, hashes, pos);
    return [[h], next];
  }
  const [k] = maxpow2(hi - lo);
  let proof: TreeProof;
  let sibling: Hash;
  if (n <= lo + k) {
    [proof, pos] = treeProof(lo, lo + k, n, hashes, pos);
    [sibling, pos] = subTreeHash(lo + k, hi, hashes, pos);
  } else {
    [sibling, pos] = subTreeHash(lo, lo + k, hashes, pos);
    [proof, pos] = treeProof(lo + k, hi, n, hashes, pos);
  }
  proof.push(sibling);
  return [proof, pos];
}

/**
 * Runs `proof[0…end)` for [lo, hi) with old size n and old root `old`: returns the implied
 * hashes of this subtree in the old and the new tree, or null if the proof has the wrong
 * number of hashes for this shape.
 */
function runTreeProof(proof: TreeProof, end: number, lo: number, hi: number, n: number, old: Hash): [Hash, Hash] | null {
  // We must have lo < n ≤ hi, or the code here has a bug.
  if (!(lo < n && n <= hi)) bug('runTreeProof', `${n} not in (${lo}, ${hi}]`);
  if (n === hi) {
    if (lo === 0) return end === 0 ? [old, old] : null;
    return end === 1 ? [proof[0]!, proof[0]!] : null;
  }
  if (end === 0) return null;
  const [k] = maxpow2(hi - lo);
  const sibling = proof[end - 1]!;
  if (n <= lo + k) {
    // The old tree ends in the left half: its hash there is unchanged by the right half.
    const sub = runTreeProof(proof, end - 1, lo, lo + k, n, old);
    return sub === null ? null : [sub[0], nodeHash(sub[1], sibling)];
  }
  const sub = runTreeProof(proof, end - 1, lo + k, hi, n, old);
  return sub === null ? null : [nodeHash(sibling, sub[0]), nodeHash(sibling, sub[1])];
}
