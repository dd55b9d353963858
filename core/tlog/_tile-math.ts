/**
 * Tile coordinates and tile hashing without input checks (internal to `core/tlog`; the
 * checked forms are in `tile.ts`). Ported from Go's sumdb/tlog tile.go with shifts written
 * as multiplications and floor divisions by powers of two, exact for tree sizes ≤ 2^51.
 * @module
 */
import { bug } from '../errors.ts';
import { HASH_SIZE, type Hash, nodeHash } from './hash.ts';
import { pow2 } from './_subtree.ts';
import { splitStoredHashIndex } from './stored-hash.ts';
import type { Tile } from './tile.ts';

/**
 * The tile of height h and least width that stores the hash at `storedIndex`, and the byte
 * range [start, end) of the tile data from which `tileDataHash` recomputes that hash.
 * @throws {RangeError} if the index exceeds those of a 2^51-record tree
 * @example tileForIndexUnchecked(8, storedHashIndex(0, 300)).tile // { height: 8, level: 0, index: 1, width: 45 }
 */
export function tileForIndexUnchecked(h: number, storedIndex: number): { tile: Tile; start: number; end: number } {
  const [level, n] = splitStoredHashIndex(storedIndex);
  const tileLevel = Math.floor(level / h);
  const inner = level - tileLevel * h; // tree level within the tile, in [0, h)
  // The hash (level, n) covers tile leaves [n·2^inner, (n+1)·2^inner) of its tile.
  const tileIndex = Math.floor((n * pow2(inner)) / pow2(h));
  const nInTile = n - (tileIndex * pow2(h)) / pow2(inner);
  const width = (nInTile + 1) * pow2(inner);
  return {
    tile: { height: h, level: tileLevel, index: tileIndex, width },
    start: nInTile * pow2(inner) * HASH_SIZE,
    end: (nInTile + 1) * pow2(inner) * HASH_SIZE,
  };
}

/**
 * The hash of the complete subtree whose leaves are the 2^k hashes in `data` (32 bytes
 * each): `data` itself for one hash, else node(left half, right half).
 * @throws {Error} bug() if `data` is not 2^k whole hashes
 * @example tileDataHash(data.subarray(start, end))
 */
export function tileDataHash(data: Uint8Array): Hash {
  if (data.length === 0 || data.length % HASH_SIZE !== 0) bug('tileDataHash', `${data.length} bytes`);
  if (data.length === HASH_SIZE) return data.slice();
  const half = data.length / 2;
  if (half % HASH_SIZE !== 0) bug('tileDataHash', `${data.length} bytes is not 2^k hashes`);
  return nodeHash(tileDataHash(data.subarray(0, half)), tileDataHash(data.subarray(half)));
}

/**
 * A stable key for a tile, for maps.
 * @example tileKey({ height: 8, level: 0, index: 3, width: 9 }) // '8/0/3/9'
 */
export function tileKey(t: Tile): string {
  return `${t.height}/${t.level}/${t.index}/${t.width}`;
}
