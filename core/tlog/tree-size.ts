/**
 * The bound on tree sizes and record indexes.
 *
 * Sizes and indexes are plain JavaScript numbers, so every value the log computes must
 * stay a safe integer (below 2^53). The largest is a stored hash index: for a tree of
 * `size` records every stored index is below 2·size + 64 (see `stored-hash.ts`). Capping
 * sizes at 2^51 keeps those indexes below 2^52 + 64, and keeps the products `n · 2^level`
 * the tile and proof code forms below 2^51, all exact in a double. 2^51 records is about
 * 2.25·10^15, far beyond any registry.
 * @module
 */
import { assertInteger } from '../assert.ts';

/** Largest tree size (and exclusive bound on record indexes) the log core accepts: 2^51. */
export const TLOG_MAX_SIZE = 2 ** 51;

/**
 * Checks a tree size or record count: a safe integer in [min, 2^51].
 * @throws {TypeError} if not a safe integer; {RangeError} if outside [min, 2^51]
 * @example assertTreeSize(size, 'size', 1)
 */
export function assertTreeSize(value: unknown, title: string, min = 0): asserts value is number {
  assertInteger(value, title, min, TLOG_MAX_SIZE);
}
