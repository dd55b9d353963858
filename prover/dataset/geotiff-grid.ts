/**
 * From GeoTIFF georeferencing tags to an integer `RasterGrid`, or a clear refusal naming
 * the file. Pure: takes the tag values, reads no file (`geotiff-source.ts` reads them).
 *
 * Accepted (GeoTIFF 1.1, OGC 19-008r4):
 * - GeoKeys: GTModelTypeGeoKey = 2 (geographic), GeographicTypeGeoKey = 4326 (WGS 84),
 *   GeogAngularUnitsGeoKey absent or 9102 (degree), GTRasterTypeGeoKey absent or 1
 *   (PixelIsArea: the tie point is a pixel corner, as in Hansen GFC). PixelIsPoint is
 *   refused rather than shifted by half a pixel, so that no reader convention can move
 *   the grid.
 * - Georeferencing either by ModelPixelScale + exactly one ModelTiepoint (I, J, K, X, Y, Z),
 *   origin = (X − I·sx, Y + J·sy), or by a ModelTransformation whose rotation/shear terms
 *   are 0 (a north-up affine map). Several tie points (an irregular grid) or a rotated
 *   transformation are refused.
 * - Square pixels (sx = sy after conversion), north-up (y scale positive in
 *   ModelPixelScale, negative in the transformation).
 *
 * Integer micro-degrees. Tags hold float64 degrees; the grid is kept in integer µ°.
 * Each value v (degrees) is converted as m = round(v · 10^6) and accepted only when
 *
 *     origin:      |v · 10^6 − m| ≤ τ
 *     pixel size:  |v · 10^6 − m| · max(width, height) ≤ τ      (the drift across the raster)
 *
 * with τ = MICRO_DEGREE_TOLERANCE = 10^−3 µ° (10^−9 °, about 0.1 mm on the ground).
 * Why this bound is sound: a float64 degree value below 360 is within 2^−53 · 360 ≈
 * 4·10^−14 ° = 4·10^−8 µ° of the decimal it was written from, and the ·10^6 product adds
 * a rounding error of the same order, so a grid that really is on whole micro-degrees
 * passes with four orders of magnitude to spare (Hansen's stored pixel size
 * 0.0002500000000000095° is 250 µ° + 9.5·10^−12 µ°, a drift of 3.8·10^−7 µ° across a
 * 40000-pixel granule). A grid that is not on whole micro-degrees (e.g. 1/3600° =
 * 277.78 µ°, arc-second grids) misses by far more than τ and is refused; treating it as
 * integer would shift pixels by whole metres.
 * @module
 */
import { assertGrid, MICRO_PER_DEGREE, type RasterGrid } from '../../core/geo/grid.ts';
import { CanopyError } from '../../core/errors.ts';

/** Largest accepted distance from whole micro-degrees, in µ° (see the module doc). */
export const MICRO_DEGREE_TOLERANCE = 1e-3;

/** EPSG code of WGS 84 geographic coordinates. */
export const EPSG_WGS84 = 4326;

/** The georeferencing tags of one GeoTIFF image, as read from the file. */
export interface GeoTiffGeoreference {
  readonly width: number;
  readonly height: number;
  readonly geoKeys: Readonly<Record<string, unknown>> | null;
  readonly modelPixelScale?: readonly number[];
  readonly modelTiepoint?: readonly number[];
  readonly modelTransformation?: readonly number[];
}

// GeoTIFF key values (OGC 19-008r4 §7).
const MODEL_TYPE_GEOGRAPHIC = 2;
const RASTER_PIXEL_IS_AREA = 1;
const RASTER_PIXEL_IS_POINT = 2;
const ANGULAR_UNIT_DEGREE = 9102;

/**
 * The integer grid of a GeoTIFF image, after checking CRS and georeferencing.
 * @param ref - the image's size and georeferencing tags
 * @param file - the file's name, quoted in every error
 * @throws {CanopyError} INVALID_INPUT naming the file and the rule it breaks (not
 *   EPSG:4326, PixelIsPoint, rotated or irregular grid, non-square pixels, values not on
 *   whole micro-degrees, extent outside the globe)
 * @example gridFromGeoreference({ width: 192, height: 221, geoKeys: { GTModelTypeGeoKey: 2, GeographicTypeGeoKey: 4326 }, modelPixelScale: [0.00025, 0.00025, 0], modelTiepoint: [0, 0, 0, -71.73775, 18.687, 0] }, 'a.tif')
 * // { originLonMicro: -71737750, originLatMicro: 18687000, pixelSizeMicro: 250, width: 192, height: 221 }
 */
export function gridFromGeoreference(ref: GeoTiffGeoreference, file: string): RasterGrid {
  const fail = (why: string): never => {
    throw new CanopyError('INVALID_INPUT', `${file}: ${why}`);
  };
  checkCrs(ref.geoKeys, fail);
  const { originLon, originLat, scaleX, scaleY } = affine(ref, fail);
  if (!(scaleX > 0) || !(scaleY > 0)) fail(`pixel size (${scaleX}, ${scaleY}) degrees: want a north-up grid with positive pixel size`);
  const extent = Math.max(ref.width, ref.height);
  const sizeX = toMicro(scaleX, extent, 'pixel width', fail);
  const sizeY = toMicro(scaleY, extent, 'pixel height', fail);
  if (sizeX !== sizeY) fail(`non-square pixels: ${sizeX} × ${sizeY} µ°`);
  const grid: RasterGrid = {
    originLonMicro: toMicro(originLon, 1, 'origin longitude', fail),
    originLatMicro: toMicro(originLat, 1, 'origin latitude', fail),
    pixelSizeMicro: sizeX,
    width: ref.width,
    height: ref.height,
  };
  try {
    assertGrid(grid, 'grid');
  } catch (e) {
    fail(`grid outside what Canopy accepts: ${(e as Error).message}`);
  }
  return grid;
}

function checkCrs(keys: Readonly<Record<string, unknown>> | null, fail: (why: string) => never): void {
  if (keys === null) fail('no GeoKeyDirectory: not a GeoTIFF, want EPSG:4326');
  const model = keys.GTModelTypeGeoKey;
  if (model !== MODEL_TYPE_GEOGRAPHIC) {
    const projected = keys.ProjectedCSTypeGeoKey;
    fail(`model type ${String(model)}${projected === undefined ? '' : ` (projected CRS EPSG:${String(projected)})`}, want geographic EPSG:4326`);
  }
  if (keys.GeographicTypeGeoKey !== EPSG_WGS84) fail(`geographic CRS ${String(keys.GeographicTypeGeoKey)}, want EPSG:4326`);
  const unit = keys.GeogAngularUnitsGeoKey;
  if (unit !== undefined && unit !== ANGULAR_UNIT_DEGREE) fail(`angular unit ${String(unit)}, want 9102 (degree)`);
  const raster = keys.GTRasterTypeGeoKey;
  if (raster === RASTER_PIXEL_IS_POINT) fail('raster type PixelIsPoint: want PixelIsArea (tie point at a pixel corner)');
  if (raster !== undefined && raster !== RASTER_PIXEL_IS_AREA) fail(`raster type ${String(raster)}, want 1 (PixelIsArea)`);
}

function affine(ref: GeoTiffGeoreference, fail: (why: string) => never): { originLon: number; originLat: number; scaleX: number; scaleY: number } {
  const t = ref.modelTransformation;
  if (t !== undefined) {
    if (t.length !== 16 || !t.every(Number.isFinite)) fail(`ModelTransformation of ${t.length} values, want 16 finite numbers`);
    // Row-major 4×4: lon = t0·col + t1·row + t3, lat = t4·col + t5·row + t7.
    if (t[1] !== 0 || t[4] !== 0) fail(`rotated or sheared grid (ModelTransformation terms ${t[1]}, ${t[4]}), want north-up`);
    return { originLon: t[3]!, originLat: t[7]!, scaleX: t[0]!, scaleY: -t[5]! };
  }
  const s = ref.modelPixelScale;
  const p = ref.modelTiepoint;
  if (s === undefined || p === undefined) fail('no ModelPixelScale/ModelTiepoint nor ModelTransformation: the file is not georeferenced');
  if (p.length !== 6) fail(`${p.length / 6} tie points: an irregular grid, want exactly one`);
  if (s.length < 2 || !s.every(Number.isFinite) || !p.every(Number.isFinite)) fail('ModelPixelScale or ModelTiepoint holds a non-finite value');
  const [i, j, , x, y] = p as [number, number, number, number, number, number];
  return { originLon: x - i * s[0]!, originLat: y + j * s[1]!, scaleX: s[0]!, scaleY: s[1]! };
}

// Degrees → whole µ°, refusing a value off whole micro-degrees by more than τ / weight.
function toMicro(degrees: number, weight: number, what: string, fail: (why: string) => never): number {
  const micro = degrees * MICRO_PER_DEGREE;
  const rounded = Math.round(micro);
  if (!Number.isSafeInteger(rounded)) fail(`${what} ${degrees}° is out of range`);
  const off = Math.abs(micro - rounded);
  if (off * weight > MICRO_DEGREE_TOLERANCE) {
    fail(`${what} ${degrees}° is not a whole number of micro-degrees (${micro} µ°, off by ${off.toExponential(2)} µ°${weight > 1 ? ` × ${weight} pixels` : ''}; tolerance ${MICRO_DEGREE_TOLERANCE} µ°)`);
  }
  // Math.round(-0.4) is -0; a grid field of -0 would serialise as 0 anyway, keep it +0.
  return rounded === 0 ? 0 : rounded;
}
