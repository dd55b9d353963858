/**
 * A regular EPSG:4326 raster grid in integer micro-degrees (µ°).
 *
 * Hansen GFC pixels are 0.00025° = exactly 250 µ°, and granule corners are whole
 * degrees, so every pixel edge is an integer number of micro-degrees and every pixel
 * centre is edge + pixelSize/2 (125 µ° for Hansen): all geometry stays in exact integers.
 *
 *     origin = upper-left corner of pixel (col 0, row 0)
 *     pixel (col, row) covers lon ∈ [originLon + col·s, originLon + (col+1)·s)
 *                             lat ∈ (originLat − (row+1)·s, originLat − row·s]
 *     centre (col, row)      = (originLon + col·s + s/2, originLat − row·s − s/2)
 *
 * Rows grow southwards, as in GeoTIFF. `pixelSizeMicro` must be even so centres are
 * integers.
 * @module
 */
import { assertInteger, rangeError } from '../assert.ts';

/** Micro-degrees in one degree. */
export const MICRO_PER_DEGREE = 1_000_000;

/** Grid of a raster: corner, pixel size and size, all integers. */
export interface RasterGrid {
  /** Longitude of the upper-left corner, µ° in [-180e6, 180e6]. */
  originLonMicro: number;
  /** Latitude of the upper-left corner, µ° in [-90e6, 90e6]. */
  originLatMicro: number;
  /** Pixel edge in µ°, even, > 0 (Hansen: 250). */
  pixelSizeMicro: number;
  /** Columns. */
  width: number;
  /** Rows. */
  height: number;
}

/**
 * Checks a grid: integer fields, even positive pixel size, extent inside [-180, 180] × [-90, 90].
 * @throws {TypeError|RangeError} naming the bad field
 * @example assertGrid({ originLonMicro: -71737750, originLatMicro: 18687000, pixelSizeMicro: 250, width: 221, height: 192 })
 */
export function assertGrid(grid: RasterGrid, title = 'grid'): void {
  if (typeof grid !== 'object' || grid === null) rangeError(title, 'a grid object', grid);
  assertInteger(grid.originLonMicro, `${title}.originLonMicro`, -180 * MICRO_PER_DEGREE, 180 * MICRO_PER_DEGREE);
  assertInteger(grid.originLatMicro, `${title}.originLatMicro`, -90 * MICRO_PER_DEGREE, 90 * MICRO_PER_DEGREE);
  assertInteger(grid.pixelSizeMicro, `${title}.pixelSizeMicro`, 2, 10 * MICRO_PER_DEGREE);
  if (grid.pixelSizeMicro % 2 !== 0) rangeError(`${title}.pixelSizeMicro`, 'an even number of micro-degrees', grid.pixelSizeMicro);
  assertInteger(grid.width, `${title}.width`, 1, 1 << 20);
  assertInteger(grid.height, `${title}.height`, 1, 1 << 20);
  if (grid.originLonMicro + grid.width * grid.pixelSizeMicro > 180 * MICRO_PER_DEGREE) rangeError(`${title}.width`, 'an extent east of no more than 180°', grid.width);
  if (grid.originLatMicro - grid.height * grid.pixelSizeMicro < -90 * MICRO_PER_DEGREE) rangeError(`${title}.height`, 'an extent south of no more than -90°', grid.height);
}

/** Longitude of the centre of column `col`, µ°. */
export function pixelCentreLonMicro(grid: RasterGrid, col: number): number {
  return grid.originLonMicro + col * grid.pixelSizeMicro + grid.pixelSizeMicro / 2;
}

/** Latitude of the centre of row `row`, µ°. */
export function pixelCentreLatMicro(grid: RasterGrid, row: number): number {
  return grid.originLatMicro - row * grid.pixelSizeMicro - grid.pixelSizeMicro / 2;
}

/** Extent of the grid in µ°: west, south, east, north (edges, inclusive of the corner). */
export function gridExtentMicro(grid: RasterGrid): { west: number; south: number; east: number; north: number } {
  return {
    west: grid.originLonMicro,
    north: grid.originLatMicro,
    east: grid.originLonMicro + grid.width * grid.pixelSizeMicro,
    south: grid.originLatMicro - grid.height * grid.pixelSizeMicro,
  };
}
