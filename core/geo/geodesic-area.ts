/**
 * Areas on the WGS84 ellipsoid: of a plot polygon and of one pixel of a grid row.
 *
 * What is measured. RFC 7946 §3.1.1 makes a GeoJSON edge the straight line between its
 * positions in longitude/latitude, and the rasterisation (rasterise.ts) reads edges the
 * same way; a pixel is bounded by two meridians and two parallels. So the area of a plot
 * or a pixel is the area, on the ellipsoid, of the region bounded by lines straight in
 * (λ, φ). (Karney's geodesic polygon area, e.g. GeographicLib, joins the vertices by
 * geodesics instead; for plot-sized edges the two differ by ~1e-6 relative, and the tests
 * check both that agreement and the expected gap on a 1° cell.)
 *
 * How. The area element of the ellipsoid is dA = M(φ)·N(φ)·cos φ dφ dλ
 * = b² cos φ / (1 − e² sin² φ)² dφ dλ, whose φ-integral from the equator is
 *
 *     F(φ) = (b²/2) · [ sin φ / (1 − e² sin² φ) + atanh(e sin φ) / e ]
 *
 * (Snyder, Map Projections — A Working Manual, USGS PP 1395 (1987), eq. 3-12: F = a²q/2).
 * - a cell [φs, φn] × Δλ has area Δλ · ∫ F'(φ) dφ, integrated by 8-point Gauss–Legendre
 *   (exact to rounding for a pixel, and to < 1e-12 relative for a 1° cell), which avoids
 *   the cancellation of F(φn) − F(φs) on tiny cells;
 * - a ring has signed area −∮ (F(φ) − F(φ0)) dλ by Green's theorem (positive when
 *   counter-clockwise); along an edge straight in (λ, φ) the integrand is smooth and is
 *   integrated by the same rule, over pieces at most 0.5° of latitude tall.
 * Checks (tests/geo/geodesic-area.test.ts): the whole ellipsoid 510 065 621.724 km², a
 * 1°×1° cell at the equator 12 308.464 km² (the 12 363.7 km² often quoted is the authalic
 * sphere's), agreement with GeographicLib on plot-sized polygons.
 * @module
 */
import { assertArray, assertInteger, rangeError } from '../assert.ts';
import { assertGrid, MICRO_PER_DEGREE, type RasterGrid } from './grid.ts';
import type { MicroPolygon, MicroRing } from './geojson.ts';

/** WGS84 semi-major axis, m (NIMA TR8350.2). */
export const WGS84_A = 6_378_137;
/** WGS84 flattening. */
export const WGS84_F = 1 / 298.257223563;
const E2 = WGS84_F * (2 - WGS84_F);
const E = Math.sqrt(E2);
const B = WGS84_A * (1 - WGS84_F);

/** Square metres in a hectare. */
export const M2_PER_HA = 10_000;

const RAD_PER_MICRO = Math.PI / 180 / MICRO_PER_DEGREE;

// Gauss–Legendre nodes and weights on [-1, 1], 8 points (Abramowitz & Stegun, Table 25.4).
const GL_X = [0.1834346424956498, 0.525532409916329, 0.7966664774136267, 0.9602898564975363];
const GL_W = [0.362683783378362, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763];

/** ∫_a^b f(t) dt by 8-point Gauss–Legendre. */
function gauss(f: (t: number) => number, a: number, b: number): number {
  const mid = (a + b) / 2;
  const half = (b - a) / 2;
  let s = 0;
  for (let i = 0; i < 4; i++) s += GL_W[i]! * (f(mid - half * GL_X[i]!) + f(mid + half * GL_X[i]!));
  return s * half;
}

/** dF/dφ = b² cos φ / (1 − e² sin² φ)², m² per rad² of (φ, λ). */
function areaDensity(phi: number): number {
  const s = Math.sin(phi);
  const w = 1 - E2 * s * s;
  return (B * B * Math.cos(phi)) / (w * w);
}

/** F(φ): area from the equator to φ per radian of longitude, m². */
function zoneIntegral(phi: number): number {
  const s = Math.sin(phi);
  return ((B * B) / 2) * (s / (1 - E2 * s * s) + Math.atanh(E * s) / E);
}

/**
 * Area of the cell between two parallels and two meridians, m².
 * @param latSouthMicro - southern latitude, µ°
 * @param latNorthMicro - northern latitude, µ°, ≥ latSouthMicro
 * @param lonSpanMicro - east − west, µ°, ≥ 0
 * @throws {TypeError|RangeError} if an argument is not an integer in range
 * @example cellAreaM2(0, 1_000_000, 1_000_000) // ≈ 1.2308464e10 (1°×1° at the equator)
 */
export function cellAreaM2(latSouthMicro: number, latNorthMicro: number, lonSpanMicro: number): number {
  assertInteger(latSouthMicro, 'latSouthMicro', -90 * MICRO_PER_DEGREE, 90 * MICRO_PER_DEGREE);
  assertInteger(latNorthMicro, 'latNorthMicro', latSouthMicro, 90 * MICRO_PER_DEGREE);
  assertInteger(lonSpanMicro, 'lonSpanMicro', 0, 360 * MICRO_PER_DEGREE);
  const a = latSouthMicro * RAD_PER_MICRO;
  const b = latNorthMicro * RAD_PER_MICRO;
  // Pieces of at most 1° keep the 8-point rule at full precision even for large cells.
  const pieces = Math.max(1, Math.ceil((latNorthMicro - latSouthMicro) / MICRO_PER_DEGREE));
  let s = 0;
  for (let i = 0; i < pieces; i++) s += gauss(areaDensity, a + ((b - a) * i) / pieces, a + ((b - a) * (i + 1)) / pieces);
  return s * lonSpanMicro * RAD_PER_MICRO;
}

/**
 * Area of one pixel of grid row `row`, m² (all pixels of a row have the same area).
 * @throws {TypeError|RangeError} if the grid is malformed or the row outside [0, height)
 * @example gridPixelAreaM2(hansenGrid, 0) // ≈ 729.4 m² at 18.687° N
 */
export function gridPixelAreaM2(grid: RasterGrid, row: number): number {
  assertGrid(grid);
  assertInteger(row, 'row', 0, grid.height - 1);
  const north = grid.originLatMicro - row * grid.pixelSizeMicro;
  return cellAreaM2(north - grid.pixelSizeMicro, north, grid.pixelSizeMicro);
}

/**
 * Signed area of a closed ring with edges straight in (λ, φ), m²: positive when the
 * ring runs counter-clockwise (north up).
 * @throws {TypeError|RangeError} if the ring is not an array of ≥ 4 integer µ° positions
 * @example ringSignedAreaM2([[0, 0], [1e6, 0], [1e6, 1e6], [0, 1e6], [0, 0]]) // ≈ 1.2308464e10
 */
export function ringSignedAreaM2(ring: MicroRing): number {
  assertArray(ring, 'ring', 4);
  for (let i = 0; i < ring.length; i++) {
    assertArray(ring[i], `ring[${i}]`, 2, 2);
    assertInteger(ring[i]![0], `ring[${i}][0]`, -180 * MICRO_PER_DEGREE, 180 * MICRO_PER_DEGREE);
    assertInteger(ring[i]![1], `ring[${i}][1]`, -90 * MICRO_PER_DEGREE, 90 * MICRO_PER_DEGREE);
  }
  const first = ring[0]!;
  const last = ring[ring.length - 1]!;
  if (first[0] !== last[0] || first[1] !== last[1]) rangeError('ring', 'a closed ring (last position = first)', ring);
  // Subtracting F(φ0) changes nothing around a closed ring (∮ dλ = 0) and keeps the
  // terms near the size of the result instead of b²/2.
  const f0 = zoneIntegral(first[1] * RAD_PER_MICRO);
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i]!;
    const [x2, y2] = ring[i + 1]!;
    const dLon = (x2 - x1) * RAD_PER_MICRO;
    if (dLon === 0) continue;
    const p1 = y1 * RAD_PER_MICRO;
    const p2 = y2 * RAD_PER_MICRO;
    const g = (t: number) => zoneIntegral(p1 + (p2 - p1) * t) - f0;
    const pieces = Math.max(1, Math.ceil(Math.abs(y2 - y1) / (MICRO_PER_DEGREE / 2)));
    let mean = 0;
    for (let k = 0; k < pieces; k++) mean += gauss(g, k / pieces, (k + 1) / pieces);
    sum += dLon * mean;
  }
  return -sum;
}

/**
 * Area of polygons (outer ring minus holes; parts summed, as validated parts do not
 * overlap), m².
 * @throws {TypeError|RangeError} if a ring is malformed
 * @example polygonsAreaM2([[outer, hole]])
 */
export function polygonsAreaM2(polygons: readonly MicroPolygon[]): number {
  assertArray(polygons, 'polygons');
  let total = 0;
  for (const poly of polygons) {
    assertArray(poly, 'polygon', 1);
    total += Math.abs(ringSignedAreaM2(poly[0]!));
    for (let h = 1; h < poly.length; h++) total -= Math.abs(ringSignedAreaM2(poly[h]!));
  }
  return total;
}
