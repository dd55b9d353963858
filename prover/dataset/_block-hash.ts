/**
 * Hashing of aligned blocks of tiles from committed-layer pixels (internal to
 * `prover/dataset`): the unit of work of the commit, of `verify` and of block proofs, run
 * on the main thread or in `_hash-worker.ts`.
 *
 * A block (bx, by) of 2^b × 2^b tiles covers tiles [bx·2^b, bx·2^b + 2^b) × [by·2^b, …);
 * its leaves, in local Morton order, are tileLeaf(tile) for tiles inside the dataset's
 * tile grid and the empty leaf 0 for the others; `mortonLevels` hashes them into the
 * block's subtree, whose root is the dataset tree's node of level 2b at index
 * mortonEncode(bx, by) (core/raster/dataset-tree.ts).
 * @module
 */
import { assertBytes, assertInteger } from '../../core/assert.ts';
import { merkleNode } from '../../core/merkle/merkle-node.ts';
import { zeroHashes } from '../../core/merkle/zero-hashes.ts';
import { type TileGrid } from '../../core/raster/dataset-tree.ts';
import { mortonDecode } from '../../core/raster/morton.ts';
import { extractTile, tileLeaf } from '../../core/raster/tile-leaf.ts';

/**
 * The two hashes of a block's subtree. The protocol's are `CANOPY_TILE_HASHER`; another
 * implementation of the same functions (the benchmarks' circomlibjs baseline) may be
 * passed to time it in the same pipeline. Both must throw on invalid input as
 * `tileLeaf` and `merkleNode` do.
 * @example const roots = blockRoots(shape, 0, 0, 4, window, CANOPY_TILE_HASHER);
 */
export interface TileHasher {
  /** The leaf of tile (tileX, tileY) from its T² bytes: `tileLeaf`. */
  leaf(tileX: number, tileY: number, pixels: Uint8Array, tileSize: number): bigint;
  /** An inner node: `merkleNode`. */
  node(left: bigint, right: bigint): bigint;
}

/**
 * The protocol's hashes: core/raster/tile-leaf.ts and core/merkle/merkle-node.ts.
 * @throws (its functions) TypeError or RangeError for invalid coordinates, tiles or nodes
 * @example CANOPY_TILE_HASHER.node(0n, 0n) === zeroHashes(1)[1]
 */
export const CANOPY_TILE_HASHER: TileHasher = Object.freeze({ leaf: tileLeaf, node: merkleNode });

/** Committed-layer pixels of a rectangle of the raster, row-major. */
export interface PixelWindow {
  readonly pixels: Uint8Array;
  /** Raster column and row of pixels[0]. */
  readonly col0: number;
  readonly row0: number;
  /** Columns and rows held; the rectangle is clipped to the raster (pixels beyond it read as 255). */
  readonly width: number;
  readonly height: number;
}

/** What fixes the shape of every block of one dataset. */
export interface BlockShape {
  readonly tiles: TileGrid;
  readonly tileSize: number;
  /** b: blocks are 2^b × 2^b tiles. */
  readonly blockLog2: number;
}

/**
 * All levels of block (bx, by)'s subtree: levels[0] = its 4^b leaves in local Morton
 * order, levels[2b] = [block root].
 * @param shape - tile grid, tile size and block size
 * @param window - pixels covering every tile of the block that lies inside the raster
 * @param hasher - the leaf and node hashes (default: the protocol's)
 * @throws {TypeError|RangeError} if the window does not cover the block's raster pixels
 * @example blockLevels({ tiles, tileSize: 16, blockLog2: 4 }, 0, 0, window).at(-1)[0]
 */
export function blockLevels(shape: BlockShape, bx: number, by: number, window: PixelWindow, hasher: TileHasher = CANOPY_TILE_HASHER): bigint[][] {
  const { tiles, tileSize, blockLog2 } = shape;
  const span = 2 ** blockLog2;
  assertInteger(bx, 'bx', 0, Math.ceil(tiles.tilesX / span) - 1);
  assertInteger(by, 'by', 0, Math.ceil(tiles.tilesY / span) - 1);
  assertBytes(window.pixels, 'window.pixels', window.width * window.height);
  const tile = new Uint8Array(tileSize * tileSize);
  const leaves = new Array<bigint>(span * span);
  for (let m = 0; m < leaves.length; m++) {
    const { tileX: lx, tileY: ly } = mortonDecode(m);
    const tx = bx * span + lx;
    const ty = by * span + ly;
    if (tx >= tiles.tilesX || ty >= tiles.tilesY) {
      leaves[m] = 0n;
      continue;
    }
    const col = tx * tileSize - window.col0;
    const row = ty * tileSize - window.row0;
    // The window must start at or before the tile; it may end early only at the raster's edge.
    if (col < 0 || row < 0) throw new RangeError(`"window" expected to cover tile (${tx}, ${ty}), got one starting at (${window.col0}, ${window.row0})`);
    extractTile(window.pixels, window.width, window.height, col, row, tileSize, tile);
    leaves[m] = hasher.leaf(tx, ty, tile, tileSize);
  }
  // As mortonLevels (core/raster/dataset-tree.ts): two empty subtrees make an empty one, unhashed.
  const height = 2 * blockLog2;
  const zeros = zeroHashes(height);
  const levels: bigint[][] = [leaves];
  for (let level = 0; level < height; level++) {
    const below = levels[level]!;
    const above = new Array<bigint>(below.length / 2);
    for (let j = 0; j < above.length; j++) {
      const [l, r] = [below[2 * j]!, below[2 * j + 1]!];
      above[j] = l === zeros[level] && r === zeros[level] ? zeros[level + 1]! : hasher.node(l, r);
    }
    levels.push(above);
  }
  return levels;
}

/**
 * Roots of `count` horizontally consecutive blocks (bx0 …, by) from one pixel window.
 * @throws {TypeError|RangeError} as `blockLevels`
 * @example blockRoots(shape, 0, 3, 5, window) // roots of blocks (0..4, 3)
 */
export function blockRoots(shape: BlockShape, bx0: number, by: number, count: number, window: PixelWindow, hasher: TileHasher = CANOPY_TILE_HASHER): bigint[] {
  assertInteger(count, 'count', 1);
  const roots: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const levels = blockLevels(shape, bx0 + i, by, window, hasher);
    roots.push(levels[levels.length - 1]![0]!);
  }
  return roots;
}
