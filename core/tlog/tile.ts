/**
 * Tiles: the log's hashes cut into fixed-height slices that can be served as immutable
 * static files (C2SP tlog-tiles; the design of Go's sumdb/tlog tile.go).
 *
 * A tile of height H at tile level L, index N, width W lists W consecutive hashes of tree
 * level H·L, the first being hash N·2^H of that level:
 *
 *     tile (L, N) = MTH(D[(N·2^H + i)·2^(H·L) : (N·2^H + i + 1)·2^(H·L)])   for i in [0, W)
 *
 * so level-0 tiles hold leaf hashes and each hash of a level-L tile is the root of a full
 * tile of level L − 1. A full tile has W = 2^H hashes (256 and 8192 bytes for C2SP's
 * H = 8); the rightmost tile of each level is partial (1 ≤ W < 2^H) and is never hashed
 * into the level above. Tile data is the W hashes concatenated, 32·W bytes.
 *
 *     tree of size 70 000, H = 8 (the C2SP example):
 *       level 0   273 full tiles + 1 partial tile of width 112     (70 000 = 273·256 + 112)
 *       level 1     1 full tile  + 1 partial tile of width 17      (273 = 256 + 17)
 *       level 2                    1 partial tile of width 1
 *
 * Heights other than 8 exist only for tests (small heights exercise many levels with few
 * records); paths (`tile-path.ts`) are C2SP's and require height 8. Tile level −1 denotes
 * an entry bundle (`tile/entries/…`), which holds entries, not hashes, and only has a path.
 * @module
 */
import { assertBytes, assertInteger, rangeError, typeError } from '../assert.ts';
import { HASH_SIZE, type Hash } from './hash.ts';
import { assertHashReader, type HashReader, readHashesChecked } from './hash-reader.ts';
import { pow2, storedHashIndexUnchecked } from './_subtree.ts';
import { tileDataHash, tileForIndexUnchecked } from './_tile-math.ts';
import { TLOG_STORED_INDEX_LIMIT } from './stored-hash.ts';
import { assertTreeSize, TLOG_MAX_SIZE } from './tree-size.ts';

/** C2SP tlog-tiles: every tile spans 8 tree levels. */
export const TILE_HEIGHT = 8;

/** C2SP tlog-tiles: a full tile holds 2^8 = 256 hashes (8192 bytes). */
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

/** Tallest tile supported (Go's limit); 2^30 hashes is 32 GiB of tile data. */
export const TILE_MAX_HEIGHT = 30;

/** A tile: `width` consecutive hashes at tree level height·level, the first at index·2^height. */
export interface Tile {
  /** Tree levels one tile spans, 1..30; C2SP tlog-tiles fixes it at 8. */
  height: number;
  /** Tile level, 0..63: its hashes sit at tree level height·level; −1 marks an entry bundle. */
  level: number;
  /** Position of the tile within its level, from 0. */
  index: number;
  /** Hashes (or entries) in the tile, 1..2^height; 2^height is a full tile. */
  width: number;
}

/**
 * Checks that `value` is a tile within a tree of 2^51 records.
 * @param entries - whether an entry bundle (level −1) is acceptable
 * @throws {TypeError} if not an object of safe integers; {RangeError} if a field is out of range
 * @example assertTile({ height: 8, level: 0, index: 3, width: 256 }, 'tile')
 */
export function assertTile(value: unknown, title: string, entries = false): asserts value is Tile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) typeError(title, 'tile object', value);
  const t = value as Record<string, unknown>;
  assertInteger(t.height, `${title}.height`, 1, TILE_MAX_HEIGHT);
  assertInteger(t.level, `${title}.level`, entries ? -1 : 0, 63);
  assertInteger(t.index, `${title}.index`, 0);
  assertInteger(t.width, `${title}.width`, 1, pow2(t.height));
  // The tile's last hash (or entry) must lie within a tree of 2^51 records: hash
  // index·2^H + width − 1 of tree level H·L covers records up to (index·2^H + width)·2^(H·L).
  const levelSpan = t.level < 0 ? 1 : pow2(t.height * t.level);
  if (t.index * pow2(t.height) + t.width > TLOG_MAX_SIZE / levelSpan) {
    rangeError(`${title}.index`, 'a tile within a tree of 2^51 records', t.index);
  }
}

/**
 * The tile of least width that stores the hash at `storedIndex`.
 * @throws {TypeError|RangeError} if an argument is not an integer in range
 * @example tileForIndex(storedHashIndex(0, 300)) // { height: 8, level: 0, index: 1, width: 45 }
 */
export function tileForIndex(storedIndex: number, height: number = TILE_HEIGHT): Tile {
  assertInteger(height, 'height', 1, TILE_MAX_HEIGHT);
  assertInteger(storedIndex, 'storedIndex', 0, TLOG_STORED_INDEX_LIMIT - 1);
  return tileForIndexUnchecked(height, storedIndex).tile;
}

/**
 * The hash at `storedIndex`, recomputed from tile data: read directly when it lies on the
 * tile's level, else hashed up from the tile hashes below it.
 * @param tile - `tileForIndex(storedIndex, tile.height)` or a wider version of it
 * @param data - the tile's data, exactly 32·width bytes
 * @throws {TypeError|RangeError} if an argument is malformed, or the index is not stored in this tile
 * @example hashFromTile(tile, data, storedHashIndex(0, 300))
 */
export function hashFromTile(tile: Tile, data: Uint8Array, storedIndex: number): Hash {
  assertTile(tile, 'tile');
  assertTileData(tile, data, 'data');
  assertInteger(storedIndex, 'storedIndex', 0, TLOG_STORED_INDEX_LIMIT - 1);
  const { tile: t1, start, end } = tileForIndexUnchecked(tile.height, storedIndex);
  if (t1.level !== tile.level || t1.index !== tile.index || t1.width > tile.width) {
    rangeError('storedIndex', `a hash stored in tile level ${tile.level} index ${tile.index} width ${tile.width}`, storedIndex);
  }
  return tileDataHash(data.subarray(start, end));
}

/**
 * The hashes of a tile's data, in order.
 * @throws {TypeError|RangeError} if the tile is malformed or the data is not 32·width bytes
 * @example tileHashes(tile, data)[0] // the first hash of the tile
 */
export function tileHashes(tile: Tile, data: Uint8Array): Hash[] {
  assertTile(tile, 'tile');
  assertTileData(tile, data, 'data');
  const out: Hash[] = [];
  for (let i = 0; i < tile.width; i++) out.push(data.slice(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  return out;
}

/**
 * The data of `tile`, read from hash storage: what a log serves at the tile's path.
 * Makes one `readHashes` call for `width` hashes.
 * @throws {TypeError|RangeError} if the tile is malformed or an entry bundle;
 *   {CanopyError} READER_CONTRACT if the reader breaks its contract
 * @example await readTileData({ height: 8, level: 0, index: 0, width: 256 }, storage)
 */
export async function readTileData(tile: Tile, reader: HashReader): Promise<Uint8Array> {
  assertTile(tile, 'tile');
  assertHashReader(reader, 'reader');
  const level = tile.height * tile.level;
  const first = tile.index * pow2(tile.height);
  const indexes: number[] = [];
  for (let i = 0; i < tile.width; i++) indexes.push(storedHashIndexUnchecked(level, first + i));
  const hashes = await readHashesChecked(reader, indexes);
  const data = new Uint8Array(tile.width * HASH_SIZE);
  for (let i = 0; i < hashes.length; i++) data.set(hashes[i]!, i * HASH_SIZE);
  return data;
}

/**
 * The tiles that represent the tree of size `newSize` and did not exist at `oldSize`: the
 * full tiles completed in between and, per level, the partial tile at `newSize` unless the
 * same tile already existed at `oldSize`. `newTiles(0, size)` is every tile of the tree
 * (C2SP: floor(size / 256^l) mod 256 hashes in the partial tile of level l).
 * Unlike Go's NewTiles, partial tiles of sizes strictly between the two are not listed:
 * a log serves partial tiles only for the sizes it publishes checkpoints for.
 * @throws {TypeError|RangeError} unless 0 ≤ oldSize ≤ newSize ≤ 2^51 and height in [1, 30]
 * @example newTiles(0, 70_000).length // 277
 */
export function newTiles(oldSize: number, newSize: number, height: number = TILE_HEIGHT): Tile[] {
  assertTreeSize(newSize, 'newSize');
  assertInteger(oldSize, 'oldSize', 0, newSize);
  assertInteger(height, 'height', 1, TILE_MAX_HEIGHT);
  const full = pow2(height);
  const tiles: Tile[] = [];
  for (let level = 0; Math.floor(newSize / pow2(height * level)) > 0; level++) {
    // Hashes on tree level height·level before and after the append.
    const oldN = Math.floor(oldSize / pow2(height * level));
    const newN = Math.floor(newSize / pow2(height * level));
    for (let n = Math.floor(oldN / full); n < Math.floor(newN / full); n++) tiles.push({ height, level, index: n, width: full });
    const n = Math.floor(newN / full);
    const width = newN - n * full;
    const oldWidth = Math.floor(oldN / full) === n ? oldN - n * full : 0;
    if (width > 0 && width !== oldWidth) tiles.push({ height, level, index: n, width });
  }
  return tiles;
}

/** Checks tile data is exactly `width` hashes long. */
function assertTileData(tile: Tile, data: unknown, title: string): asserts data is Uint8Array {
  assertBytes(data, title, tile.width * HASH_SIZE);
}
