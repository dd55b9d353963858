/**
 * Plot geometry → pixel mask on a dataset grid, by the pixel-centre rule, exactly.
 *
 * Rule: pixel (col, row) belongs to a polygon iff its centre
 *
 *     (cx, cy) = (originLon + col·s + s/2, originLat − row·s − s/2)        (µ°, integers)
 *
 * is inside the outer ring and not inside a hole; a MultiPolygon is the union of its
 * polygons. A Point plot is the one pixel containing the point, with the grid's
 * half-open pixels: lon ∈ [west, east), lat ∈ (south, north] (core/geo/grid.ts).
 *
 * A centre exactly on the boundary is decided as gdal_rasterize (GDAL 3.x,
 * alg/llrasterize.cpp GDALdllImageFilledPolygon, rings made clockwise by
 * GDALCollectRingsFromGeometry) decides it, so the two agree pixel for pixel:
 * - scanline: the edges counted on row `row` are the non-horizontal ones with
 *   lat_south < cy ≤ lat_north (the northern end counts, the southern end does not);
 *   the centre is inside iff an odd number of them cross the row strictly west of cx.
 *   So a centre on a west boundary is out, on an east boundary in; a centre on a vertex
 *   or a sloped edge is decided as if nudged infinitesimally west, then (far less) south.
 * - horizontal edges: a centre on a horizontal edge that has its ring's interior to the
 *   north (a southern boundary) is in, for west end < cx ≤ east end. Together with the
 *   scanline this puts centres on both the northern and the southern boundary of a plot
 *   in, and keeps centres on a hole's northern boundary out.
 * Worked example, pixel size 1, a square with edges on centre lines x ∈ [2.5, 5.5],
 * y ∈ [4.5, 7.5]: columns 3–5 and all four rows 4.5…7.5 are in (docs/plots.md).
 * The "odd number of crossings over all rings of a polygon" equals "inside the outer ring
 * and in no hole" for validated polygons (holes inside the outer ring, rings disjoint:
 * core/geo/geojson.ts), which is the only input `rasterisePlot` takes.
 *
 * Arithmetic: the crossing of edge (xs, ys)→(xn, yn) (ys < yn) with row centre cy lies
 * at x = xs + (cy − ys)(xn − xs)/(yn − ys), and the first column whose centre is strictly
 * east of it is
 *
 *     k = ⌊((xs − originLon + s/2)·D + (cy − ys)(xn − xs)) / (s·D)⌋,  D = yn − ys > 0,
 *
 * the exact counterpart of GDAL's floor(x_pixel + 0.5). Products of µ° differences reach
 * 3.6e8 · 1.8e8 > 2^53, so they are taken in BigInt; nothing is rounded.
 * @module
 */
import { bug, CanopyError } from '../errors.ts';
import { assertGrid, gridExtentMicro, type RasterGrid } from './grid.ts';
import { plotPolygons, type MicroPolygon, type MicroPosition, type PlotGeometry } from './geojson.ts';
import { formatMicroDegrees } from './micro-degrees.ts';
import { maskFromPredicate, EMPTY_PLOT_MASK, type PlotMask } from './plot-mask.ts';
import { ringArea2 } from './_exact.ts';

/** ⌊a / b⌋ for b > 0. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** First column whose centre is strictly east of lon `x` (µ°), as an unclamped number. */
function firstColEastOf(x: number, grid: RasterGrid): number {
  const s = grid.pixelSizeMicro;
  // cx(col) > x ⇔ col > (x − originLon − s/2)/s; all terms are integers below 2^30.
  return Math.floor((x - grid.originLonMicro - s / 2) / s) + 1;
}

function describePosition(p: MicroPosition): string {
  return `[${formatMicroDegrees(p[0])}, ${formatMicroDegrees(p[1])}]`;
}

/**
 * Refuses a plot that is not wholly inside the grid's extent. Polygons may touch the
 * extent's edges; a Point must lie in a pixel (lon < east, lat > south). A plot partly
 * outside is never measured on the covered part.
 * @param label - how messages name the plot
 * @throws {CanopyError} OUT_OF_RANGE naming the first vertex outside the extent
 * @example assertPlotInsideGrid(plot.geometry, dataset.grid, plot.label)
 */
export function assertPlotInsideGrid(geometry: PlotGeometry, grid: RasterGrid, label = 'plot'): void {
  assertGrid(grid);
  const { west, east, south, north } = gridExtentMicro(grid);
  const extent = `lon [${formatMicroDegrees(west)}, ${formatMicroDegrees(east)}], lat [${formatMicroDegrees(south)}, ${formatMicroDegrees(north)}]`;
  const inside = (p: MicroPosition, point: boolean) => p[0] >= west && p[1] <= north && (point ? p[0] < east && p[1] > south : p[0] <= east && p[1] >= south);
  const positions: MicroPosition[] = geometry.type === 'Point' ? [geometry.coordinates] : plotPolygons(geometry).flat(2);
  for (const p of positions) {
    if (inside(p, geometry.type === 'Point')) continue;
    const swapped: MicroPosition = [p[1], p[0]];
    const hint = inside(swapped, geometry.type === 'Point') ? ' (with longitude and latitude swapped it would be inside: check the [lon, lat] order)' : '';
    throw new CanopyError(
      'OUT_OF_RANGE',
      `${label} is not wholly inside the dataset extent (${extent}): position ${describePosition(p)} is outside${hint}; a plot is never measured on the covered part only`,
    );
  }
}

/**
 * The pixel containing a point, with the grid's half-open pixels.
 * @throws {CanopyError} OUT_OF_RANGE if the point is outside the grid
 * @example pointPixel([-71737750, 18687000], grid) // { col: 0, row: 0 }
 */
export function pointPixel(position: MicroPosition, grid: RasterGrid): { col: number; row: number } {
  assertPlotInsideGrid({ type: 'Point', coordinates: position, areaHa: 1 }, grid, 'point');
  const s = grid.pixelSizeMicro;
  return { col: Math.floor((position[0] - grid.originLonMicro) / s), row: Math.floor((grid.originLatMicro - position[1]) / s) };
}

/**
 * Rasterises polygons (each outer ring then holes, in µ°) on `grid` by the pixel-centre
 * rule, returning the canonical mask of the union. Pixels outside the grid are never
 * set; callers that must refuse such plots call `assertPlotInsideGrid` first.
 * @param polygons - closed rings; the result equals "in outer, in no hole" when the holes
 *   lie inside their outer ring and rings do not touch (what geojson.ts validates)
 * @throws {TypeError|RangeError} if the grid is malformed
 * @example rasterisePolygons([[ring]], grid)
 */
export function rasterisePolygons(polygons: readonly MicroPolygon[], grid: RasterGrid): PlotMask {
  assertGrid(grid);
  const s = grid.pixelSizeMicro;
  const half = s / 2;
  let minLon = Infinity;
  let maxLon = -Infinity;
  let minLat = Infinity;
  let maxLat = -Infinity;
  for (const poly of polygons) {
    for (const [x, y] of poly[0] ?? []) {
      minLon = Math.min(minLon, x);
      maxLon = Math.max(maxLon, x);
      minLat = Math.min(minLat, y);
      maxLat = Math.max(maxLat, y);
    }
  }
  if (minLon === Infinity) return EMPTY_PLOT_MASK;
  // Candidate window: pixels whose centre lies in the bounding box, clipped to the grid.
  const col0 = Math.max(0, firstColEastOf(minLon - 1, grid));
  const col1 = Math.min(grid.width, firstColEastOf(maxLon, grid));
  const row0 = Math.max(0, Math.ceil((grid.originLatMicro - half - maxLat) / s));
  const row1 = Math.min(grid.height, Math.floor((grid.originLatMicro - half - minLat) / s) + 1);
  if (col1 <= col0 || row1 <= row0) return EMPTY_PLOT_MASK;
  const width = col1 - col0;
  const height = row1 - row0;
  const bitmap = new Uint8Array(width * height);
  const fill = (r: number, from: number, to: number) => {
    // Columns [from, to) of grid row r + row0, clipped to the window.
    const a = Math.max(from, col0) - col0;
    const b = Math.min(to, col1) - col0;
    for (let c = a; c < b; c++) bitmap[r * width + c] = 1;
  };
  const bigS = BigInt(s);
  const westOffset = BigInt(half - grid.originLonMicro);
  for (const poly of polygons) {
    const orientation = poly.map((ring) => Math.sign(Number(ringArea2(ring))));
    for (let r = 0; r < height; r++) {
      const cy = grid.originLatMicro - (r + row0) * s - half;
      const crossings: number[] = [];
      poly.forEach((ring, k) => {
        for (let i = 0; i + 1 < ring.length; i++) {
          const a = ring[i]!;
          const b = ring[i + 1]!;
          if (a[1] === b[1]) {
            // GDAL fills a horizontal edge lying on the centre line when its ring's
            // interior is to the north: ring counter-clockwise and edge eastward, or
            // clockwise and westward. Centres with west end < cx ≤ east end.
            if (a[1] !== cy) continue;
            const interiorNorth = orientation[k]! > 0 ? b[0] > a[0] : b[0] < a[0];
            if (interiorNorth) fill(r, firstColEastOf(Math.min(a[0], b[0]), grid), firstColEastOf(Math.max(a[0], b[0]), grid));
            continue;
          }
          const [south, north] = a[1] < b[1] ? [a, b] : [b, a];
          if (!(south[1] < cy && cy <= north[1])) continue;
          const d = BigInt(north[1] - south[1]);
          const num = (BigInt(south[0]) + westOffset) * d + BigInt(cy - south[1]) * BigInt(north[0] - south[0]);
          crossings.push(Number(floorDiv(num, bigS * d)));
        }
      });
      // An edge counted on this row has an end at or north of cy and one south of it, so
      // every closed ring contributes an even number of crossings.
      if (crossings.length % 2 !== 0) bug('rasterisePolygons', `${crossings.length} crossings on row ${r + row0}`);
      crossings.sort((p, q) => p - q);
      for (let i = 0; i < crossings.length; i += 2) fill(r, crossings[i]!, crossings[i + 1]!);
    }
  }
  return maskFromPredicate({ col0, row0, width, height }, (c, r) => bitmap[r * width + c] === 1);
}

/**
 * The mask of a validated plot on `grid`: the pixel-centre rule for polygons, the pixel
 * containing the point for a Point plot. Refuses plots not wholly inside the grid.
 * @param label - how messages name the plot
 * @throws {CanopyError} OUT_OF_RANGE if the plot is not wholly inside the grid's extent
 * @throws {TypeError|RangeError} if the grid is malformed
 * @example rasterisePlot(plot.geometry, dataset.grid, plot.label)
 */
export function rasterisePlot(geometry: PlotGeometry, grid: RasterGrid, label = 'plot'): PlotMask {
  assertPlotInsideGrid(geometry, grid, label);
  if (geometry.type === 'Point') {
    const { col, row } = pointPixel(geometry.coordinates, grid);
    return { col0: col, row0: row, width: 1, height: 1, bits: Uint8Array.of(1) };
  }
  return rasterisePolygons(plotPolygons(geometry), grid);
}
