/**
 * The root hash of the log at any size, computed from stored hashes with one read.
 *
 *     MTH({})         = SHA-256()                                       RFC 6962 §2.1
 *     MTH({d0})       = SHA-256(0x00 ‖ d0)
 *     MTH(D[0:n])     = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n]))      k = largest power of 2 < n
 *
 * `treeHash(n, reader)` reads the roots of the complete subtrees covering [0, n) (at most
 * log2(n) + 1 of them) and folds them right to left; `merkleTreeHash(entries)` computes
 * the same value from the entries themselves, by the definition, for small lists and as
 * an independent check.
 * @module
 */
import { assertArray, assertBytes } from '../assert.ts';
import { bug } from '../errors.ts';
import { emptyTreeHash, type Hash, leafHash, nodeHash } from './hash.ts';
import { assertHashReader, type HashReader, readHashesChecked } from './hash-reader.ts';
import { maxpow2, subTreeHash, subTreeIndex } from './_subtree.ts';
import { assertTreeSize } from './tree-size.ts';

/** Most entries `merkleTreeHash` accepts; larger logs use stored hashes and `treeHash`. */
export const MERKLE_TREE_HASH_MAX_ENTRIES = 1 << 20;

/**
 * The root hash of the first `size` records, from the hashes `storedHashes` stored.
 * Makes one `readHashes` call for at most log2(size) + 1 hashes; none for size 0.
 * @throws {TypeError|RangeError} if `size` is not an integer in [0, 2^51] or `reader` has no
 *   readHashes; {CanopyError} READER_CONTRACT if the reader breaks its contract
 * @example await treeHash(storedSize, storage)
 */
export async function treeHash(size: number, reader: HashReader): Promise<Hash> {
  assertTreeSize(size, 'size');
  assertHashReader(reader, 'reader');
  if (size === 0) return emptyTreeHash();
  const indexes = subTreeIndex(0, size, []);
  const hashes = await readHashesChecked(reader, indexes);
  const [h, used] = subTreeHash(0, size, hashes, 0);
  if (used !== hashes.length) bug('treeHash', `used ${used} of ${hashes.length} hashes`);
  return h;
}

/**
 * The RFC 6962 §2.1 Merkle tree hash of a list of entries, by its recursive definition.
 * @param entries - the entries' bytes, in log order, at most 2^20 of them
 * @throws {TypeError} if `entries` is not an array of Uint8Array; {RangeError} if too long
 * @example merkleTreeHash([]) // emptyTreeHash()
 */
export function merkleTreeHash(entries: readonly Uint8Array[]): Hash {
  assertArray(entries, 'entries', 0, MERKLE_TREE_HASH_MAX_ENTRIES);
  for (let i = 0; i < entries.length; i++) assertBytes(entries[i], `entries[${i}]`);
  if (entries.length === 0) return emptyTreeHash();
  const mth = (lo: number, hi: number): Hash => {
    if (hi - lo === 1) return leafHash(entries[lo]!);
    const [k] = maxpow2(hi - lo);
    return nodeHash(mth(lo, lo + k), mth(lo + k, hi));
  };
  return mth(0, entries.length);
}
