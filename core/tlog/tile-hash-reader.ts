/**
 * A `HashReader` backed by tiles, for a client of a tiled log (C2SP tlog-tiles; Go's
 * sumdb/tlog TileHashReader). Given a tree head it trusts (size and root hash, from a
 * verified checkpoint) and a source of tile data it does not trust (an HTTP cache, a
 * mirror), it answers `readHashes` with hashes that are proven to be in that tree, so
 * `proveRecord`, `proveTree` and `treeHash` work on top of it unchanged.
 *
 * For each call it fetches, in one `readTiles` call:
 *
 * 1. the tiles holding the complete subtrees that make up the tree head (at most one per
 *    tile level), and authenticates them by recomputing the root hash from them;
 * 2. the tiles holding the requested hashes, plus every full tile between them and an
 *    already-fetched tile, parents before children, and authenticates each full tile by
 *    hashing it and comparing with the hash its parent tile stores.
 *
 * Only then are the requested hashes read out of the tiles, and the tiles offered to the
 * optional `saveTiles` (so a cache persists only data that was checked).
 *
 * The parent-chain check starts right after the distinct tree-head tiles. (Go's tile.go
 * starts it at the number of subtree indexes, which is larger when two subtrees share a
 * tile, e.g. a tree of 259 records with height 8; the first child tile appended would
 * then go unchecked. A test tampers with exactly such a tile.)
 *
 * Failures: bad input throws (TypeError/RangeError); tiles that do not hash to the trusted
 * tree head throw `CanopyError('PROOF_INVALID')`; a tile reader returning a wrong count or
 * wrong-length data throws `CanopyError('READER_CONTRACT')`.
 * @module
 */
import { assertArray, assertInteger, typeError } from '../assert.ts';
import { bug, CanopyError } from '../errors.ts';
import { assertHash, type Hash, HASH_SIZE, hashEqual, nodeHash } from './hash.ts';
import type { HashReader } from './hash-reader.ts';
import { pow2, storedHashIndexUnchecked, subTreeIndex } from './_subtree.ts';
import { tileDataHash, tileForIndexUnchecked, tileKey } from './_tile-math.ts';
import { type Tile, TILE_HEIGHT, TILE_MAX_HEIGHT } from './tile.ts';
import { assertTreeSize } from './tree-size.ts';

/** A trusted tree head: the size and root hash of a verified checkpoint. */
export interface TreeHead {
  size: number;
  hash: Hash;
}

/**
 * Where tile data comes from. Contract, re-checked on every call: `readTiles(tiles)`
 * returns exactly one `Uint8Array` per tile, in order, each 32·width bytes; it throws if
 * any tile is unavailable. The data may be wrong (it is authenticated before use).
 * `saveTiles`, if present, is called with tiles whose data has been authenticated.
 */
export interface TileReader {
  readTiles(tiles: Tile[]): Promise<Uint8Array[]> | Uint8Array[];
  saveTiles?(tiles: Tile[], data: Uint8Array[]): Promise<void> | void;
}

/**
 * A HashReader that serves hashes of the tree `tree` from tiles, authenticating every tile
 * against `tree.hash` before use.
 * @param tree - the trusted tree head, size in [1, 2^51]
 * @param tiles - the untrusted tile source
 * @param height - tile height, 8 for C2SP logs
 * @throws {TypeError|RangeError} if an argument is malformed
 * @example await proveRecord(head.size, 5, tileHashReader(head, httpTiles))
 */
export function tileHashReader(tree: TreeHead, tiles: TileReader, height: number = TILE_HEIGHT): HashReader {
  if (typeof tree !== 'object' || tree === null) typeError('tree', 'tree head object', tree);
  assertTreeSize(tree.size, 'tree.size', 1);
  assertHash(tree.hash, 'tree.hash');
  if (typeof tiles !== 'object' || tiles === null || typeof tiles.readTiles !== 'function') {
    typeError('tiles', 'object with a readTiles(tiles) method', tiles);
  }
  assertInteger(height, 'height', 1, TILE_MAX_HEIGHT);
  // Keep our own copies: the caller must not be able to change the trusted head later.
  const size = tree.size;
  const root = tree.hash.slice();
  return { readHashes: (indexes: number[]) => readHashesFromTiles(size, root, tiles, height, indexes) };
}

async function readHashesFromTiles(size: number, root: Hash, source: TileReader, h: number, indexes: number[]): Promise<Hash[]> {
  assertArray(indexes, 'indexes');
  const limit = storedHashIndexUnchecked(0, size); // first index not in the tree
  for (let i = 0; i < indexes.length; i++) assertInteger(indexes[i], `indexes[${i}]`, 0, limit - 1);

  const order = new Map<string, number>(); // tileKey → position in `tiles`
  const tiles: Tile[] = [];
  const add = (t: Tile): number => {
    order.set(tileKey(t), tiles.length);
    tiles.push(t);
    return tiles.length - 1;
  };

  // 1. Tiles holding the subtrees whose hashes make up the tree head.
  const stx = subTreeIndex(0, size, []);
  const stxTile = stx.map((x) => {
    const t = tileParent(tileForIndexUnchecked(h, x).tile, 0, size, h);
    if (t === null) bug('tileHashReader', `no tile for subtree index ${x} of tree ${size}`);
    return order.get(tileKey(t)) ?? add(t);
  });
  const headTiles = tiles.length;

  // 2. Tiles holding the requested hashes, with the full tiles linking them to a tile
  // already planned; walking back down appends parents before children.
  const indexTile = indexes.map((x) => {
    const tile = tileForIndexUnchecked(h, x).tile;
    let k = 0;
    for (; ; k++) {
      const p = tileParent(tile, k, size, h);
      if (p !== null && order.has(tileKey(p))) break;
      // Every chain of parents reaches a tree-head tile within 64 tile levels.
      if (k > 64) bug('tileHashReader', `no planned ancestor for index ${x} of tree ${size}`);
    }
    let found = order.get(tileKey(tileParent(tile, k, size, h)!))!;
    for (k--; k >= 0; k--) {
      const p = tileParent(tile, k, size, h)!;
      // Only full tiles have parents; this one has one, so it must be full.
      if (p.width !== pow2(h)) bug('tileHashReader', `tile ${tileKey(p)} below a parent is partial`);
      found = add(p);
    }
    return found;
  });

  const data: unknown = await source.readTiles(tiles.map((t) => ({ ...t })));
  if (!Array.isArray(data) || data.length !== tiles.length) {
    throw new CanopyError('READER_CONTRACT', `readTiles(${tiles.length} tiles) returned ${Array.isArray(data) ? data.length : 'a non-array'}`);
  }
  for (let i = 0; i < tiles.length; i++) {
    const d: unknown = data[i];
    if (!(d instanceof Uint8Array) || d.length !== tiles[i]!.width * HASH_SIZE) {
      throw new CanopyError('READER_CONTRACT', `readTiles: data for tile ${tileKey(tiles[i]!)} is not ${tiles[i]!.width * HASH_SIZE} bytes`);
    }
  }
  const tileData = data as Uint8Array[];

  // Authenticate the tree-head tiles: the subtree hashes they hold must fold to the root.
  const hashAt = (pos: number, x: number): Hash => hashInTile(tiles[pos]!, tileData[pos]!, x, h);
  let th = hashAt(stxTile[stx.length - 1]!, stx[stx.length - 1]!);
  for (let i = stx.length - 2; i >= 0; i--) th = nodeHash(hashAt(stxTile[i]!, stx[i]!), th);
  if (!hashEqual(th, root)) throw new CanopyError('PROOF_INVALID', `tiles do not hash to the tree head of size ${size}`);

  // Authenticate every other tile against the hash its (already authenticated) parent holds.
  for (let i = headTiles; i < tiles.length; i++) {
    const tile = tiles[i]!;
    const parent = tileParent(tile, 1, size, h);
    const j = parent === null ? undefined : order.get(tileKey(parent));
    if (parent === null || j === undefined || j >= i) bug('tileHashReader', `lost parent of tile ${tileKey(tile)}`);
    const want = hashInTile(parent, tileData[j]!, storedHashIndexUnchecked(parent.level * h, tile.index), h);
    if (!hashEqual(tileDataHash(tileData[i]!), want)) {
      throw new CanopyError('PROOF_INVALID', `tile ${tileKey(tile)} does not match its parent in the tree of size ${size}`);
    }
  }

  if (source.saveTiles !== undefined) await source.saveTiles(tiles.map((t) => ({ ...t })), tileData.map((d) => d.slice()));

  return indexes.map((x, i) => hashInTile(tiles[indexTile[i]!]!, tileData[indexTile[i]!]!, x, h));
}

/**
 * Tile t's k-th ancestor tile as it exists in the tree of `size` records (k = 0: the tile
 * itself, widened to its width in that tree), or null if the tree has no such tile.
 */
function tileParent(t: Tile, k: number, size: number, h: number): Tile | null {
  const level = t.level + k;
  const index = Math.floor(t.index / pow2(k * h));
  const max = Math.floor(size / pow2(level * h)); // hashes on tree level h·level
  const first = index * pow2(h);
  if (first >= max) return null;
  return { height: h, level, index, width: Math.min(pow2(h), max - first) };
}

/** The hash at stored index x, read from a tile known to hold it. */
function hashInTile(tile: Tile, data: Uint8Array, x: number, h: number): Hash {
  const { tile: t1, start, end } = tileForIndexUnchecked(h, x);
  if (t1.level !== tile.level || t1.index !== tile.index || t1.width > tile.width) {
    bug('tileHashReader', `index ${x} is in tile ${tileKey(t1)}, not ${tileKey(tile)}`);
  }
  return tileDataHash(data.subarray(start, end));
}
