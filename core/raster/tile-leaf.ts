/**
 * Dataset tiles and their leaves. The committed layer is cut into square tiles of
 * T × T pixels (T a power of two, 1..16, default 16); tile (tileX, tileY) covers the
 * pixel columns [T·tileX, T·tileX + T) and rows [T·tileY, T·tileY + T). Its bytes are its
 * pixels row-major, one byte each; pixels that fall outside the raster (in the last tile
 * column or row) read as 255, the nodata value, so they fail every predicate:
 *
 *     bytes[T·dy + dx] = layer(T·tileX + dx, T·tileY + dy), or 255 outside the raster
 *
 *     leaf = Poseidon(TAG_DATASET_TILE, tileX, tileY, e_0, …, e_{k−1})
 *     e    = packBytes(bytes)      31 bytes per element, little-endian (core/pack-bytes.ts)
 *     k    = ceil(T² / 31)         9 for T = 16 (256 bytes)
 *
 * TAG_DATASET_TILE = "canopy/dataset-tile" (core/domain.ts). The coordinates are tile
 * indexes in this dataset's grid, not geographic positions: the manifest binds the grid
 * to the earth. Putting them in the leaf binds each tile to its place, so a proof cannot
 * present one tile's pixels at another tile's position.
 *
 * Why T ≤ 16: the leaf is one Poseidon call of 3 + k inputs (tag, two coordinates, k
 * elements), and Poseidon takes at most 16; T = 16 needs 12, T = 32 would need 37.
 * The byte length is fixed by T, so `packBytes` (no length prefix) is injective here.
 * @module
 */
import { assertBytes, assertInteger, rangeError } from '../assert.ts';
import { hashTagged } from '../domain.ts';
import { packBytes } from '../pack-bytes.ts';
import { LAYER_NODATA } from './layer-rule.ts';
import { MORTON_MAX_COORD } from './morton.ts';

/** Default tile edge in pixels. */
export const DEFAULT_TILE_SIZE = 16;

/** Largest tile edge: 16² bytes pack into 9 elements, 12 Poseidon inputs with tag and coordinates. */
export const MAX_TILE_SIZE = 16;

/**
 * Checks a tile edge: a power of two in [1, 16].
 * @throws {TypeError} if not a safe integer; {RangeError} if not a power of two in [1, 16]
 * @example assertTileSize(16, 'tileSize')
 */
export function assertTileSize(tileSize: unknown, title: string): asserts tileSize is number {
  assertInteger(tileSize, title, 1, MAX_TILE_SIZE);
  if ((tileSize & (tileSize - 1)) !== 0) rangeError(title, 'a power of two in [1, 16]', tileSize);
}

/**
 * The leaf of one tile: Poseidon(TAG_DATASET_TILE, tileX, tileY, ...packBytes(pixels)).
 * @param tileX - tile column, in [0, 2^16)
 * @param tileY - tile row, in [0, 2^16)
 * @param pixels - the tile's T² bytes, row-major
 * @param tileSize - T, a power of two in [1, 16]
 * @throws {TypeError|RangeError} if a coordinate is out of range, T is invalid or `pixels` is not T² bytes
 * @example tileLeaf(0, 0, new Uint8Array(256).fill(255), 16) // the leaf of an all-nodata tile at the origin
 */
export function tileLeaf(tileX: number, tileY: number, pixels: Uint8Array, tileSize: number = DEFAULT_TILE_SIZE): bigint {
  assertInteger(tileX, 'tileX', 0, MORTON_MAX_COORD);
  assertInteger(tileY, 'tileY', 0, MORTON_MAX_COORD);
  assertTileSize(tileSize, 'tileSize');
  assertBytes(pixels, 'pixels', tileSize * tileSize);
  return hashTagged('DATASET_TILE', [BigInt(tileX), BigInt(tileY), ...packBytes(pixels)]);
}

/**
 * Copies the T × T pixels at (col0, row0) out of a row-major raster, 255 where the
 * window leaves the raster. Used to cut tiles from a band of rows: pass the band's own
 * width and height and the window's position inside the band.
 * @param raster - row-major bytes, width × height
 * @param width - columns of `raster`
 * @param height - rows of `raster`
 * @param col0 - left column of the window (may exceed the raster: those pixels are 255)
 * @param row0 - top row of the window
 * @param tileSize - T
 * @param out - T² bytes to fill (default: a new array)
 * @returns `out`
 * @throws {TypeError|RangeError} if a size is invalid or `raster` is not width × height bytes
 * @example extractTile(band, 192, 16, 176, 0, 16) // the last tile of a 192-column band
 */
export function extractTile(raster: Uint8Array, width: number, height: number, col0: number, row0: number, tileSize: number, out?: Uint8Array): Uint8Array {
  assertTileSize(tileSize, 'tileSize');
  assertInteger(width, 'width', 1);
  assertInteger(height, 'height', 1);
  assertBytes(raster, 'raster', width * height);
  assertInteger(col0, 'col0');
  assertInteger(row0, 'row0');
  const tile = out ?? new Uint8Array(tileSize * tileSize);
  assertBytes(tile, 'out', tileSize * tileSize);
  const cols = Math.max(0, Math.min(tileSize, width - col0));
  for (let dy = 0; dy < tileSize; dy++) {
    const row = row0 + dy;
    const at = dy * tileSize;
    if (row >= height) {
      tile.fill(LAYER_NODATA, at, at + tileSize);
      continue;
    }
    if (cols > 0) tile.set(raster.subarray(row * width + col0, row * width + col0 + cols), at);
    if (cols < tileSize) tile.fill(LAYER_NODATA, at + cols, at + tileSize);
  }
  return tile;
}
