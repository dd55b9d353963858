/**
 * Morton (Z-order) indexes of dataset tiles: the leaf index of tile (tileX, tileY) in the
 * dataset tree interleaves the bits of its coordinates, tileX in the even bits and tileY
 * in the odd bits:
 *
 *     index = Σ_i  x_i · 2^(2i)  +  y_i · 2^(2i+1)        (x_i, y_i = bit i of tileX, tileY)
 *
 *     tileY ↓ \ tileX →   0   1   2   3
 *            0            0   1   4   5
 *            1            2   3   6   7
 *            2            8   9  12  13
 *            3           10  11  14  15
 *
 * Consequences the dataset tree relies on:
 * - the first merge (level 0 → 1) joins horizontal neighbours, the next one vertical
 *   neighbours, and so on alternately;
 * - an aligned block of 2^k × 2^k tiles (both corners multiples of 2^k) holds exactly the
 *   indexes [b·4^k, (b+1)·4^k) with b = index(tileX >> k, tileY >> k), so it is one
 *   subtree of height 2k;
 * - the smallest index of any subtree belongs to its north-west tile.
 *
 * Coordinates lie in [0, 2^16), so indexes lie in [0, 2^32): safe integers, and the
 * dataset tree's depth is at most 32 (`MERKLE_MAX_DEPTH`).
 * @module
 */
import { assertInteger } from '../assert.ts';

/** Largest tile coordinate: 2^16 − 1, so that an index fits 32 bits. */
export const MORTON_MAX_COORD = 0xffff;

// Spreads the 16 low bits of v to the even bit positions of a 32-bit word
// (the classic "part 1 by 1" with masks 0x00ff00ff, 0x0f0f0f0f, 0x33333333, 0x55555555).
function spread(v: number): number {
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v;
}

// Inverse of `spread`: gathers the even bits of a 32-bit word into 16 low bits.
function gather(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/**
 * The Morton index of tile (tileX, tileY): tileX in the even bits, tileY in the odd bits.
 * @param tileX - column of the tile, in [0, 2^16)
 * @param tileY - row of the tile (southwards), in [0, 2^16)
 * @returns an integer in [0, 2^32)
 * @throws {TypeError} if a coordinate is not a safe integer; {RangeError} if outside [0, 2^16)
 * @example mortonEncode(1, 0) // 1
 * @example mortonEncode(0, 1) // 2
 * @example mortonEncode(3, 3) // 15
 */
export function mortonEncode(tileX: number, tileY: number): number {
  assertInteger(tileX, 'tileX', 0, MORTON_MAX_COORD);
  assertInteger(tileY, 'tileY', 0, MORTON_MAX_COORD);
  // spread(y) << 1 may set bit 31, which reads as a negative int32: >>> 0 makes it unsigned.
  return (spread(tileX) | (spread(tileY) << 1)) >>> 0;
}

/**
 * The tile coordinates of a Morton index, the inverse of `mortonEncode`.
 * @param index - an integer in [0, 2^32)
 * @throws {TypeError} if not a safe integer; {RangeError} if outside [0, 2^32)
 * @example mortonDecode(6) // { tileX: 2, tileY: 1 }
 */
export function mortonDecode(index: number): { tileX: number; tileY: number } {
  assertInteger(index, 'index', 0, 2 ** 32 - 1);
  // index < 2^32, so `>>> 0` and the 32-bit operations in gather read it exactly.
  const v = index >>> 0;
  return { tileX: gather(v), tileY: gather(v >>> 1) };
}
