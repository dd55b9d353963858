/**
 * Integer helpers and the subtree decomposition shared by the tree hash, the proofs and
 * the tiles (internal to `core/tlog`).
 *
 * Arithmetic is on safe-integer numbers below 2^52 (see `tree-size.ts`), so it uses
 * `Math.floor(x / 2 ** k)` and `x % 2 ** k` where Go uses shifts and masks: JavaScript's
 * bitwise operators truncate to 32 bits.
 *
 * RFC 6962 §2.1 splits a range of n > 1 records at k, the largest power of two below n:
 * MTH(D[0:n]) = node(MTH(D[0:k]), MTH(D[k:n])). Repeating the split on the right part
 * covers [lo, hi) with complete subtrees of decreasing size; each one's root is stored
 * (`storedHashIndex`), so any subtree hash costs one read per complete subtree, at most
 * log2(hi − lo) + 1 of them. Ranges are half-open throughout.
 * @module
 */
import { bug } from '../errors.ts';
import { type Hash, nodeHash } from './hash.ts';

/**
 * 2^e as an exact number; callers keep e ≤ 52.
 * @example pow2(40) // 1099511627776
 */
export function pow2(e: number): number {
  return 2 ** e;
}

/**
 * k, the largest power of two strictly below n, and l = log2 k. Requires n ≥ 2.
 * (Go's tlog calls this maxpow2; with n = size + 1 it gives the largest power ≤ size.)
 * @throws {Error} bug() if n < 2
 * @example maxpow2(5) // [4, 2]
 */
export function maxpow2(n: number): [k: number, l: number] {
  if (!(n >= 2)) bug('maxpow2', `n = ${n}`);
  let l = 0;
  while (pow2(l + 1) < n) l++;
  return [pow2(l), l];
}

/**
 * Number of trailing zero bits of x ≥ 1.
 * @throws {Error} bug() if x < 1
 * @example trailingZeros(12) // 2
 */
export function trailingZeros(x: number): number {
  if (!(x >= 1)) bug('trailingZeros', `x = ${x}`);
  let z = 0;
  while (x % 2 === 0) {
    x /= 2;
    z++;
  }
  return z;
}

/**
 * Stored hash index of the node at `level` covering records [n·2^level, (n+1)·2^level),
 * without input checks; `storedHashIndex` is the checked public form. Crosby and
 * Wallach's numbering ("Efficient Data Structures for Tamper-Evident Logging" §3.3):
 * level L's n-th hash is stored right after level L+1's (2n+1)-th hash... down to level 0,
 * whose n-th hash sits at n + ⌊n/2⌋ + ⌊n/4⌋ + … plus the levels above it.
 * @example storedHashIndexUnchecked(1, 1) // 5
 */
export function storedHashIndexUnchecked(level: number, n: number): number {
  for (let l = level; l > 0; l--) n = 2 * n + 1;
  let i = 0;
  for (; n > 0; n = Math.floor(n / 2)) i += n;
  return i + level;
}

/**
 * Appends to `need` the stored indexes of the complete subtrees covering [lo, hi), left
 * to right (increasing indexes), and returns `need`.
 * @throws {Error} bug() if the decomposition is misaligned (impossible)
 * @example subTreeIndex(0, 5, []) // [storedHashIndex(2, 0), storedHashIndex(0, 4)]
 */
export function subTreeIndex(lo: number, hi: number, need: number[]): number[] {
  while (lo < hi) {
    const [k, level] = maxpow2(hi - lo + 1);
    // The subtrees of the decomposition start at multiples of their own size.
    if (lo % k !== 0) bug('subTreeIndex', `lo ${lo} not aligned to ${k}`);
    need.push(storedHashIndexUnchecked(level, lo / k));
    lo += k;
  }
  return need;
}

/**
 * The hash of the subtree [lo, hi), given `hashes[pos…]` as read for the indexes
 * `subTreeIndex(lo, hi)` produced. Returns the hash and the position after those used.
 * @throws {Error} bug() if too few hashes are left (impossible when indexes and hashes match)
 * @example const [root, used] = subTreeHash(0, size, hashes, 0)
 */
export function subTreeHash(lo: number, hi: number, hashes: Hash[], pos: number): [Hash, number] {
  let numTree = 0;
  for (let x = lo; x < hi; ) {
    const [k] = maxpow2(hi - x + 1);
    if (x % k !== 0) bug('subTreeHash', `lo ${x} not aligned to ${k}`);
    numTree++;
    x += k;
  }
  if (numTree === 0 || hashes.length - pos < numTree) bug('subTreeHash', `need ${numTree} hashes at ${pos} of ${hashes.length}`);
  // Fold right to left: the rightmost (smallest) subtree is the innermost right child.
  let h = hashes[pos + numTree - 1]!;
  for (let i = numTree - 2; i >= 0; i--) h = nodeHash(hashes[pos + i]!, h);
  return [h, pos + numTree];
}
