/**
 * Synthetic datasets for circuit tests, built in memory from a committed layer with the
 * core tree code (core/raster/), no GeoTIFF: a layer of width × height bytes is cut into
 * 16 × 16 tiles and hashed exactly as `canopy dataset commit` does (docs/datasets.md §3–4).
 *
 * With `tileOffset` and `depth`, the layer's tiles sit at an aligned offset inside a
 * larger tree whose every other leaf is empty: a dataset of the given depth (e.g. 24, a
 * full Hansen granule) without hashing millions of tiles. Its tree is a valid dataset
 * tree for the circuit, which sees only one block and its path.
 * @module
 */
import type { RasterGrid } from '../../core/geo/grid.ts';
import { computeRoot } from '../../core/merkle/merkle-proof.ts';
import { zeroHashes } from '../../core/merkle/zero-hashes.ts';
import { datasetTreeDepth, gridLevels, gridNode, gridSiblings, type TileBlockProof, type TileGrid } from '../../core/raster/dataset-tree.ts';
import { mortonEncode } from '../../core/raster/morton.ts';
import { extractTile, tileLeaf } from '../../core/raster/tile-leaf.ts';

const T = 16;

export interface SyntheticDataset {
  /** Pixel grid of the whole tree's extent up to the layer's far edge (Hansen-like 250 µ° pixels). */
  readonly grid: RasterGrid;
  /** Tile grid of the same extent. */
  readonly tiles: TileGrid;
  readonly depth: number;
  readonly root: bigint;
  /** Committed value of grid pixel (col, row); 255 outside the layer. */
  value(col: number, row: number): number;
  /** The block's tiles row-major, null past the tile grid (as readTiles). */
  blockTiles(tileX0: number, tileY0: number, k: number): (Uint8Array | null)[];
  /** The block's proof (as tileBlockProof). */
  blockProof(tileX0: number, tileY0: number, k: number): TileBlockProof;
}

export interface SyntheticOptions {
  /** Row-major committed layer. */
  readonly layer: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** Where the layer's tile (0, 0) sits, in tiles; multiples of the layer's own tree side. Default (0, 0). */
  readonly tileOffset?: { x: number; y: number };
  /** Tree depth (default: the layer's own, datasetTreeDepth). */
  readonly depth?: number;
  /** North-west corner of the grid, µ° (default 0°, 0°). */
  readonly originLonMicro?: number;
  readonly originLatMicro?: number;
}

/** Builds a synthetic dataset; see the module doc. */
export function syntheticDataset(o: SyntheticOptions): SyntheticDataset {
  const local: TileGrid = { tilesX: Math.ceil(o.width / T), tilesY: Math.ceil(o.height / T) };
  const localDepth = datasetTreeDepth(local.tilesX, local.tilesY);
  const depth = o.depth ?? localDepth;
  const off = o.tileOffset ?? { x: 0, y: 0 };
  const localSide = 2 ** (localDepth / 2);
  if (off.x % localSide !== 0 || off.y % localSide !== 0 || depth < localDepth) throw new RangeError('tileOffset must be aligned to the layer tree and depth ≥ its depth');
  const leaves: bigint[] = [];
  const tileBytes: Uint8Array[] = [];
  for (let ty = 0; ty < local.tilesY; ty++) {
    for (let tx = 0; tx < local.tilesX; tx++) {
      const bytes = extractTile(o.layer, o.width, o.height, tx * T, ty * T, T);
      tileBytes.push(bytes);
      leaves.push(tileLeaf(off.x + tx, off.y + ty, bytes, T));
    }
  }
  // Levels of the layer's own tree, with the absolute tiles' leaves; above it, empty subtrees.
  const levels = gridLevels(local, 0, leaves);
  const localRoot = levels[localDepth]![0]!;
  const zeros = zeroHashes(depth);
  const upper = zeros.slice(localDepth, depth);
  const localIndex = mortonEncode(off.x / localSide, off.y / localSide);
  const root = depth === localDepth ? localRoot : computeRoot(localRoot, localIndex, upper);
  const tilesX = off.x + local.tilesX;
  const tilesY = off.y + local.tilesY;
  const inside = (tx: number, ty: number) => tx >= off.x && ty >= off.y && tx < tilesX && ty < tilesY;
  return {
    grid: { originLonMicro: o.originLonMicro ?? 0, originLatMicro: o.originLatMicro ?? 0, pixelSizeMicro: 250, width: off.x * T + o.width, height: off.y * T + o.height },
    tiles: { tilesX, tilesY },
    depth,
    root,
    value(col, row) {
      const c = col - off.x * T;
      const r = row - off.y * T;
      return c >= 0 && r >= 0 && c < o.width && r < o.height ? o.layer[r * o.width + c]! : 255;
    },
    blockTiles(tileX0, tileY0, k) {
      const span = 2 ** k;
      const out: (Uint8Array | null)[] = [];
      for (let dy = 0; dy < span; dy++) {
        for (let dx = 0; dx < span; dx++) {
          const tx = tileX0 + dx;
          const ty = tileY0 + dy;
          out.push(inside(tx, ty) ? tileBytes[(ty - off.y) * local.tilesX + (tx - off.x)]! : null);
        }
      }
      return out;
    },
    blockProof(tileX0, tileY0, k) {
      const level = 2 * k;
      const span = 2 ** k;
      const gx = (tileX0 - off.x) / span;
      const gy = (tileY0 - off.y) / span;
      if (!Number.isInteger(gx) || !Number.isInteger(gy) || gx < 0 || gy < 0) throw new RangeError(`block (${tileX0}, ${tileY0}) is not an aligned block of the layer`);
      const blockRoot = gridNode(local, levels, 0, level, gx, gy);
      const siblings = [...gridSiblings(local, levels, 0, level, gx, gy, localDepth), ...upper];
      return { depth, blockLog2: k, tileX0, tileY0, index: mortonEncode(tileX0 / span, tileY0 / span), blockRoot, siblings, root };
    },
  };
}
