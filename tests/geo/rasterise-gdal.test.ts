// Cross-check of the exact pixel-centre rasterisation against gdal_rasterize (Debian's
// gdal-bin; .ci/run installs it). Three sets:
// 1. the example plots of examples/plots on the real Hansen crop grid (0.00025°);
// 2. random polygons with arbitrary µ° vertices on the same grid;
// 3. random and hand-made polygons on a dyadic grid (pixel 0.25°, vertices on a 0.125°
//    lattice), where GDAL's floating point is exact, so the many centres lying exactly
//    on edges and vertices test the boundary rule itself.
// Skipped, with a message, only when gdal_rasterize is not installed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { orient } from '../../core/geo/_exact.ts';
import { validatePlotGeoJson, type MicroPolygon, type PlotGeometry } from '../../core/geo/geojson.ts';
import type { RasterGrid } from '../../core/geo/grid.ts';
import { maskHas, type PlotMask } from '../../core/geo/plot-mask.ts';
import { plotGeometryJson } from '../../core/geo/plot-geometry.ts';
import { rasterisePlot } from '../../core/geo/rasterise.ts';
import { gdalRasterise, gdalVersion } from './_gdal.ts';
import { randomPolygon, rng } from './_random-polygons.ts';

const GDAL = gdalVersion();
if (GDAL === null) {
  console.warn('tests/geo/rasterise-gdal.test.ts: SKIPPED — gdal_rasterize is not installed (apt-get install -y gdal-bin); the GDAL oracle did not run');
}

const HANSEN: RasterGrid = { originLonMicro: -71_737_750, originLatMicro: 18_687_000, pixelSizeMicro: 250, width: 192, height: 221 };
const DYADIC: RasterGrid = { originLonMicro: -8_000_000, originLatMicro: 8_000_000, pixelSizeMicro: 250_000, width: 64, height: 64 };

/** Pixels where our mask and GDAL's burn value `burn` disagree. */
function disagreements(mask: PlotMask, gdal: Uint8Array, burn: number, grid: RasterGrid): [number, number][] {
  const out: [number, number][] = [];
  for (let row = 0; row < grid.height; row++) {
    for (let col = 0; col < grid.width; col++) {
      if (maskHas(mask, col, row) !== (gdal[row * grid.width + col] === burn)) out.push([col, row]);
    }
  }
  return out;
}

/** Whether the centre of (col, row) lies exactly on an edge of the polygon. */
function centreOnBoundary(polys: MicroPolygon[], grid: RasterGrid, col: number, row: number): boolean {
  const s = grid.pixelSizeMicro;
  const c: [number, number] = [grid.originLonMicro + col * s + s / 2, grid.originLatMicro - row * s - s / 2];
  return polys.some((poly) =>
    poly.some((ring) =>
      ring.some((a, i) => {
        const b = ring[i + 1];
        if (b === undefined) return false;
        return orient(a, b, c) === 0 && Math.min(a[0], b[0]) <= c[0] && c[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= c[1] && c[1] <= Math.max(a[1], b[1]);
      }),
    ),
  );
}

/** Keeps the polygons geojson.ts accepts, as plot geometries. */
function validGeometries(polys: MicroPolygon[]): PlotGeometry[] {
  const geometries: PlotGeometry[] = polys.map((p) => ({ type: 'Polygon', coordinates: p }));
  const doc = { type: 'FeatureCollection', features: geometries.map((g) => plotGeometryJson(g)) };
  const { plots, errors } = validatePlotGeoJson(doc);
  const bad = new Set(errors.map((e) => e.feature));
  expect(plots.length + bad.size).toBe(geometries.length);
  return geometries.filter((_, i) => !bad.has(i));
}

describe.skipIf(GDAL === null)(`rasterisePlot against gdal_rasterize (${GDAL ?? 'not installed'})`, () => {
  describe('when given the example plots on the Hansen crop grid', () => {
    const doc = JSON.parse(readFileSync('examples/plots/cooperative.geojson', 'utf8'));
    const { plots } = validatePlotGeoJson(doc);

    it('agrees on every pixel of every plot, the point included', () => {
      expect(plots.map((p) => p.geometry.type)).toEqual(['Polygon', 'Polygon', 'Polygon', 'MultiPolygon', 'Point']);
      const gdal = gdalRasterise(
        plots.map((p) => p.geometry),
        HANSEN,
      );
      plots.forEach((p, i) => {
        const mask = rasterisePlot(p.geometry, HANSEN);
        expect(disagreements(mask, gdal, i + 1, HANSEN), `${p.label}`).toEqual([]);
      });
    });
  });

  describe('when given random polygons with µ° vertices on the Hansen crop grid', () => {
    it('agrees except at centres lying exactly on an edge, where GDAL rounds', () => {
      const random = rng(20201231);
      const polys: MicroPolygon[] = [];
      // 12 × 13 cells of 16 × 17 pixels, one polygon each, so no two overlap.
      for (let i = 0; i < 12; i++) {
        for (let j = 0; j < 13; j++) {
          const cx = HANSEN.originLonMicro + (i * 16 + 8) * 250;
          const cy = HANSEN.originLatMicro - (j * 17 + 8.5) * 250;
          polys.push(randomPolygon(random, cx, cy, 7.5 * 250));
        }
      }
      const geometries = validGeometries(polys);
      expect(geometries.length).toBe(137); // 19 of the 156 random polygons self-intersect or have a hole outside
      const gdal = gdalRasterise(geometries, HANSEN);
      let pixels = 0;
      const ties: string[] = [];
      geometries.forEach((g, i) => {
        const mask = rasterisePlot(g, HANSEN);
        const poly = (g as { coordinates: MicroPolygon }).coordinates;
        for (const [col, row] of disagreements(mask, gdal, i + 1, HANSEN)) {
          // Every disagreement must be a tie GDAL decides in floating point.
          expect(centreOnBoundary([poly], HANSEN, col, row), `polygon ${i} pixel (${col}, ${row})`).toBe(true);
          ties.push(`${i}:${col},${row}`);
        }
        for (let r = 0; r < mask.height; r++) for (let c = 0; c < mask.width; c++) if (maskHas(mask, mask.col0 + c, mask.row0 + r)) pixels++;
      });
      console.info(`Hansen-grid oracle: ${geometries.length} polygons, ${pixels} pixels, ${ties.length} disagreements`);
      expect(pixels).toBe(6944);
      // Recorded in docs/plots.md: no disagreement for this seed.
      expect(ties).toEqual([]);
    });
  });

  describe('when given rectangles whose every edge lies on a centre line of the Hansen grid', () => {
    it('agrees on every pixel: GDAL\'s floating point lands on the same side at 0.00025°', () => {
      const c = (col: number, row: number): [number, number] => [HANSEN.originLonMicro + col * 250 + 125, HANSEN.originLatMicro - row * 250 - 125];
      const geometries: PlotGeometry[] = [];
      for (let i = 0; i < 10; i++) {
        for (let j = 0; j < 10; j++) {
          const [w, n] = c(i * 19 + 1, j * 22 + 1);
          const [e, s] = c(i * 19 + 6 + (i % 4), j * 22 + 5 + (j % 5));
          const ring: [number, number][] = [[w, s], [e, s], [e, n], [w, n], [w, s]];
          geometries.push({ type: 'Polygon', coordinates: [(i + j) % 2 ? ring.reverse() : ring] });
        }
      }
      const gdal = gdalRasterise(geometries, HANSEN);
      let pixels = 0;
      geometries.forEach((g, i) => {
        const mask = rasterisePlot(g, HANSEN);
        expect(disagreements(mask, gdal, i + 1, HANSEN), `rectangle ${i}`).toEqual([]);
        pixels += mask.width * mask.height;
      });
      expect(pixels).toBe(4410);
    });
  });

  describe('when given polygons on a dyadic grid where GDAL computes exactly', () => {
    const half = 125_000;
    const centre = (col: number, row: number): [number, number] => [DYADIC.originLonMicro + col * 250_000 + half, DYADIC.originLatMicro - row * 250_000 - half];
    const rect = (c0: number, r0: number, c1: number, r1: number, cw: boolean) => {
      // Edges on the centre lines of columns c0..c1 and rows r0..r1.
      const [w, n] = centre(c0, r0);
      const [e, s] = centre(c1, r1);
      const ring: [number, number][] = [[w, s], [e, s], [e, n], [w, n], [w, s]];
      return cw ? ring.reverse() : ring;
    };

    it('agrees on hand-made shapes with edges and vertices on pixel centres, in both orientations', () => {
      const shapes: PlotGeometry[] = [];
      for (const cw of [false, true]) {
        shapes.push({ type: 'Polygon', coordinates: [rect(1, 1, 5, 4, cw)] });
        // A hole whose edges lie on centre lines.
        shapes.push({ type: 'Polygon', coordinates: [rect(8, 1, 16, 8, cw), rect(10, 3, 13, 6, !cw)] });
        // Diamond and triangle with vertices on centres.
        const [x, y] = centre(22, 5);
        const d = 3 * 250_000;
        const diamond: [number, number][] = [[x, y - d], [x + d, y], [x, y + d], [x - d, y], [x, y - d]];
        shapes.push({ type: 'Polygon', coordinates: [cw ? diamond.reverse() : diamond] });
        const [tx, ty] = centre(30, 2);
        const tri: [number, number][] = [[tx - 4 * 250_000 - half, ty - 5 * 250_000], [tx + 4 * 250_000 + half, ty - 5 * 250_000], [tx, ty], [tx - 4 * 250_000 - half, ty - 5 * 250_000]];
        shapes.push({ type: 'Polygon', coordinates: [cw ? tri.reverse() : tri] });
        // A MultiPolygon of two rectangles sharing no point.
        shapes.push({ type: 'MultiPolygon', coordinates: [[rect(40, 1, 43, 3, cw)], [rect(45, 4, 48, 6, !cw)]] });
      }
      // Shift the second orientation's shapes down so nothing overlaps.
      const moved = shapes.map((g, i) => (i < shapes.length / 2 ? g : shiftRows(g, 20)));
      const gdal = gdalRasterise(moved, DYADIC);
      moved.forEach((g, i) => {
        expect(disagreements(rasterisePlot(g, DYADIC), gdal, i + 1, DYADIC), `shape ${i}`).toEqual([]);
      });
    });

    it('agrees on random lattice polygons, centres on edges included', () => {
      const random = rng(4326);
      const polys: MicroPolygon[] = [];
      for (let i = 0; i < 8; i++) {
        for (let j = 0; j < 8; j++) {
          const [cx, cy] = [DYADIC.originLonMicro + (i * 8 + 4) * 250_000, DYADIC.originLatMicro - (j * 8 + 4) * 250_000];
          polys.push(randomPolygon(random, cx, cy, 3.75 * 250_000, half));
        }
      }
      const geometries = validGeometries(polys);
      expect(geometries.length).toBeGreaterThan(40);
      const gdal = gdalRasterise(geometries, DYADIC);
      let onBoundary = 0;
      geometries.forEach((g, i) => {
        const mask = rasterisePlot(g, DYADIC);
        expect(disagreements(mask, gdal, i + 1, DYADIC), `polygon ${i}`).toEqual([]);
        const poly = (g as { coordinates: MicroPolygon }).coordinates;
        for (let row = 0; row < DYADIC.height; row++) for (let col = 0; col < DYADIC.width; col++) if (centreOnBoundary([poly], DYADIC, col, row)) onBoundary++;
      });
      // The lattice puts many centres exactly on boundaries: the rule is really exercised.
      console.info(`dyadic oracle: ${geometries.length} polygons, ${onBoundary} pixel centres exactly on a boundary, all agree`);
      expect(onBoundary).toBeGreaterThan(100);
    });
  });
});

function shiftRows(g: PlotGeometry, rows: number): PlotGeometry {
  const d = rows * DYADIC.pixelSizeMicro;
  const shiftPoly = (p: MicroPolygon): MicroPolygon => p.map((ring) => ring.map(([x, y]) => [x, y - d] as [number, number]));
  if (g.type === 'Polygon') return { type: 'Polygon', coordinates: shiftPoly(g.coordinates) };
  if (g.type === 'MultiPolygon') return { type: 'MultiPolygon', coordinates: g.coordinates.map(shiftPoly) };
  return g;
}
