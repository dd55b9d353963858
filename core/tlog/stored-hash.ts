/**
 * Where the log stores its hashes: a dense, append-only numbering of the tree's complete
 * nodes (Go's sumdb/tlog, after Crosby and Wallach §3.3). Appending record n writes its
 * leaf hash followed by the root of every complete subtree that record n completes, all at
 * consecutive indexes starting at `storedHashIndex(0, n)`, so storage is an array that
 * only ever grows at the end.
 *
 *     records 0..3                                  stored hash index
 *                    (2,0)                            (level, n) → index
 *                 /         \                          (0,0) → 0   (0,1) → 1   (1,0) → 2
 *            (1,0)            (1,1)                    (0,2) → 3   (0,3) → 4   (1,1) → 5
 *           /     \          /     \                   (2,0) → 6   (0,4) → 7   …
 *       (0,0)   (0,1)    (0,2)   (0,3)
 *
 * Node (level, n) is the root of records [n·2^level, (n+1)·2^level). Its index is below
 * 2·(n+1)·2^level + level, so for trees of at most 2^51 records every index is a safe
 * integer (`tree-size.ts`). A tree of `size` records has `storedHashCount(size)` hashes,
 * fewer than 2·size.
 * @module
 */
import { assertBytes, assertInteger } from '../assert.ts';
import { bug } from '../errors.ts';
import { assertHash, type Hash, leafHash, nodeHash } from './hash.ts';
import { assertHashReader, type HashReader, readHashesChecked } from './hash-reader.ts';
import { pow2, storedHashIndexUnchecked, trailingZeros } from './_subtree.ts';
import { assertTreeSize, TLOG_MAX_SIZE } from './tree-size.ts';

/** Deepest level a node of a tree of at most 2^51 records can have. */
export const TLOG_MAX_LEVEL = 51;

/**
 * Exclusive bound on stored hash indexes: every hash of a tree of at most 2^51 records has
 * a smaller index (about 2^52, a safe integer).
 */
export const TLOG_STORED_INDEX_LIMIT = storedHashIndexUnchecked(0, TLOG_MAX_SIZE) + TLOG_MAX_LEVEL + 1;

/**
 * The stored hash index of node (level, n): the root of records [n·2^level, (n+1)·2^level).
 * @param level - 0 for leaves, in [0, 51]
 * @param n - position of the node within its level; the node must lie within 2^51 records
 * @throws {TypeError} if an argument is not a safe integer; {RangeError} if out of range
 * @example storedHashIndex(1, 1) // 5
 */
export function storedHashIndex(level: number, n: number): number {
  assertInteger(level, 'level', 0, TLOG_MAX_LEVEL);
  assertInteger(n, 'n', 0, TLOG_MAX_SIZE / pow2(level) - 1);
  return storedHashIndexUnchecked(level, n);
}

/**
 * The inverse of `storedHashIndex`: the (level, n) stored at `index`.
 * @throws {TypeError} if not a safe integer; {RangeError} if beyond the indexes of a 2^51 tree
 * @example splitStoredHashIndex(5) // [1, 1]
 */
export function splitStoredHashIndex(index: number): [level: number, n: number] {
  assertInteger(index, 'index', 0, TLOG_STORED_INDEX_LIMIT - 1);
  // storedHashIndex(0, n) ≤ 2n, so the record that wrote `index` is at least ⌊index/2⌋,
  // and at most log2(index) records later.
  let n = Math.floor(index / 2);
  let indexN = storedHashIndexUnchecked(0, n);
  if (indexN > index) bug('splitStoredHashIndex', `index ${index}`);
  for (;;) {
    // Record n writes 1 + trailingZeros(n + 1) hashes (its leaf and the subtrees it
    // completes), so record n + 1 starts at x. If x > index, record n wrote `index`.
    const x = indexN + 1 + trailingZeros(n + 1);
    if (x > index) break;
    n++;
    indexN = x;
  }
  // The hash was written with record n: it is one of (0, n), (1, n/2), (2, n/4), …
  const level = index - indexN;
  return [level, Math.floor(n / pow2(level))];
}

/**
 * The number of hashes stored for a tree of `size` records.
 * @throws {TypeError} if not a safe integer; {RangeError} if outside [0, 2^51]
 * @example storedHashCount(4) // 7
 */
export function storedHashCount(size: number): number {
  assertTreeSize(size, 'size');
  if (size === 0) return 0;
  // Everything up to the last leaf, then the subtrees that leaf completes.
  let count = storedHashIndexUnchecked(0, size - 1) + 1;
  for (let i = size - 1; i % 2 === 1; i = (i - 1) / 2) count++;
  return count;
}

/**
 * The hashes to store when appending record `n` with the given entry bytes: its leaf hash,
 * then the root of each complete subtree it completes (1 + trailingZeros(n + 1) hashes,
 * just under two on average). Store them at consecutive indexes from
 * `storedHashIndex(0, n)`. Reads up to log2(n) earlier hashes through `reader`.
 * @param n - index of the record being appended = number of records already stored
 * @throws {TypeError|RangeError} if an argument is malformed or n ≥ 2^51;
 *   {CanopyError} READER_CONTRACT if the reader breaks its contract
 * @example await storedHashes(size, entry, storage) // then storage.push(...hashes)
 */
export async function storedHashes(n: number, entry: Uint8Array, reader: HashReader): Promise<Hash[]> {
  assertBytes(entry, 'entry');
  return storedHashesForLeafHash(n, leafHash(entry), reader);
}

/**
 * Like `storedHashes`, given the record's leaf hash instead of its bytes.
 * @throws {TypeError|RangeError} if an argument is malformed or n ≥ 2^51;
 *   {CanopyError} READER_CONTRACT if the reader breaks its contract
 * @example await storedHashesForLeafHash(size, leafHash(entry), storage)
 */
export async function storedHashesForLeafHash(n: number, leaf: Hash, reader: HashReader): Promise<Hash[]> {
  assertInteger(n, 'n', 0, TLOG_MAX_SIZE - 1);
  assertHash(leaf, 'leaf');
  assertHashReader(reader, 'reader');
  // Each trailing 1 bit of n completes a subtree, whose left sibling is already stored:
  // the node (i, ⌊n / 2^i⌋ − 1) for i in [0, m). ⌊n / 2^i⌋ is odd for every such i.
  const m = trailingZeros(n + 1);
  const indexes: number[] = new Array<number>(m);
  for (let i = 0; i < m; i++) indexes[m - 1 - i] = storedHashIndexUnchecked(i, Math.floor(n / pow2(i)) - 1);
  const old = await readHashesChecked(reader, indexes);
  const hashes: Hash[] = [leaf.slice()];
  let h = leaf;
  for (let i = 0; i < m; i++) {
    h = nodeHash(old[m - 1 - i]!, h);
    hashes.push(h);
  }
  return hashes;
}
