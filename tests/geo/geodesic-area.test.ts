// Areas on the WGS84 ellipsoid, against published figures and against GeographicLib
// (Karney's algorithm, the `geographiclib-geodesic` package by its author).
//
// GeographicLib joins vertices by geodesics; our edges are straight in (lon, lat) as
// RFC 7946 defines them. To compare cells bounded by parallels, the parallels are
// densified for GeographicLib (a geodesic chord of 1/2000° differs from the parallel by
// a negligible sliver); plot-sized polygons are compared as they are.
import { readFileSync } from 'node:fs';
import { Geodesic } from 'geographiclib-geodesic';
import { describe, expect, it } from 'vitest';
import { expectInputError } from '../hostile-inputs.ts';
import { cellAreaM2, gridPixelAreaM2, polygonsAreaM2, ringSignedAreaM2, WGS84_A, WGS84_F } from '../../core/geo/geodesic-area.ts';
import { parsePlotGeoJson, plotPolygons, type MicroPolygon, type MicroRing } from '../../core/geo/geojson.ts';
import type { RasterGrid } from '../../core/geo/grid.ts';

const HANSEN: RasterGrid = { originLonMicro: -71_737_750, originLatMicro: 18_687_000, pixelSizeMicro: 250, width: 192, height: 221 };

/** GeographicLib's area of a ring (µ°), with parallels densified into `steps` pieces. */
function karneyArea(ring: MicroRing, densifyParallels = 1): number {
  const p = Geodesic.WGS84.Polygon(false);
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i]!;
    const [x2, y2] = ring[i + 1]!;
    const steps = y1 === y2 ? densifyParallels : 1;
    for (let k = 0; k < steps; k++) p.AddPoint((y1 + ((y2 - y1) * k) / steps) / 1e6, (x1 + ((x2 - x1) * k) / steps) / 1e6);
  }
  return Math.abs(p.Compute(false, true).area ?? Number.NaN);
}

const rect = (w: number, s: number, e: number, n: number): MicroRing => [[w, s], [e, s], [e, n], [w, n], [w, s]];

describe('cellAreaM2', () => {
  describe('when the cell is the whole ellipsoid', () => {
    it('gives the published WGS84 surface area, 510 065 621.724 km²', () => {
      // GeographicLib documents the WGS84 area as 510065621724088.5 m².
      expect(cellAreaM2(-90_000_000, 90_000_000, 360_000_000) / 510_065_621_724_088.5).toBeCloseTo(1, 12);
    });
  });

  describe('when the cell is 1° × 1° at the equator', () => {
    it('gives 12 308.464 km², as GeographicLib does with densified parallels', () => {
      const ours = cellAreaM2(0, 1_000_000, 1_000_000);
      expect(ours / 1e6).toBeCloseTo(12_308.4639, 3);
      expect(ours / karneyArea(rect(0, 0, 1_000_000, 1_000_000), 2000)).toBeCloseTo(1, 8);
    });

    it('is not the 12 363.7 km² of the authalic sphere (R = 6 371 007.181 m), nor a 1° cell with geodesic edges', () => {
      const authalic = 6_371_007.181 ** 2 * (Math.PI / 180) * Math.sin(Math.PI / 180);
      expect(Math.abs(authalic / 1e6 - 12_363.7)).toBeLessThan(0.05);
      expect(Math.abs(cellAreaM2(0, 1_000_000, 1_000_000) - authalic) / 1e6).toBeGreaterThan(55);
      // Geodesic edges bulge poleward from the 1° parallel by ≈ L² tan φ / 8R over L ≈ 111 km:
      // GeographicLib's undensified cell is larger by ≈ (2/3) L · that sagitta ≈ 0.31 km².
      const gap = (karneyArea(rect(0, 0, 1_000_000, 1_000_000)) - cellAreaM2(0, 1_000_000, 1_000_000)) / 1e6;
      expect(gap).toBeGreaterThan(0.28);
      expect(gap).toBeLessThan(0.34);
    });
  });

  describe('when the cell lies at high latitude', () => {
    it('agrees with GeographicLib at 60° N and 89° S', () => {
      expect(cellAreaM2(60_000_000, 61_000_000, 1_000_000) / karneyArea(rect(0, 60_000_000, 1_000_000, 61_000_000), 2000)).toBeCloseTo(1, 7);
      expect(cellAreaM2(-89_000_000, -88_000_000, 2_000_000) / karneyArea(rect(0, -89_000_000, 2_000_000, -88_000_000), 2000)).toBeCloseTo(1, 6);
    });
  });

  describe('when given arguments out of range', () => {
    it('throws naming them', () => {
      expectInputError(() => cellAreaM2(0.5, 1, 1), 'latSouthMicro', 'type');
      expectInputError(() => cellAreaM2(10, 5, 1), 'latNorthMicro', 'range');
      expectInputError(() => cellAreaM2(0, 1, -1), 'lonSpanMicro', 'range');
      expectInputError(() => cellAreaM2(0, 91_000_000, 1), 'latNorthMicro', 'range');
    });
  });
});

describe('gridPixelAreaM2', () => {
  describe('when given rows of the Hansen crop', () => {
    it('gives ≈ 729.8 m² per pixel, growing towards the equator', () => {
      const top = gridPixelAreaM2(HANSEN, 0);
      const bottom = gridPixelAreaM2(HANSEN, 220);
      expect(top).toBeCloseTo(729.7641, 3);
      expect(bottom).toBeGreaterThan(top);
      expect(bottom / top - 1).toBeLessThan(5e-4); // 0.055° further south
      // A pixel is 250 µ° square: cross-check with GeographicLib on the densified cell.
      expect(top / karneyArea(rect(HANSEN.originLonMicro, 18_686_750, HANSEN.originLonMicro + 250, 18_687_000), 50)).toBeCloseTo(1, 8);
    });
    it('sums, over a block of pixels, to the area of the block as a polygon', () => {
      let sum = 0;
      for (let r = 10; r < 30; r++) sum += 15 * gridPixelAreaM2(HANSEN, r);
      const block = rect(HANSEN.originLonMicro + 5 * 250, 18_687_000 - 30 * 250, HANSEN.originLonMicro + 20 * 250, 18_687_000 - 10 * 250);
      expect(sum / ringSignedAreaM2(block)).toBeCloseTo(1, 11);
    });
    it('throws for a row outside the grid', () => {
      expectInputError(() => gridPixelAreaM2(HANSEN, 221), 'row', 'range');
    });
  });
});

describe('ringSignedAreaM2', () => {
  it('is positive counter-clockwise and negative clockwise', () => {
    const r = rect(-71_720_000, 18_660_000, -71_710_000, 18_670_000);
    expect(ringSignedAreaM2(r)).toBeGreaterThan(0);
    expect(ringSignedAreaM2([...r].reverse())).toBeCloseTo(-ringSignedAreaM2(r), 6);
  });
  it('throws for an open ring or a non-integer coordinate', () => {
    expect(() => ringSignedAreaM2([[0, 0], [1, 0], [1, 1], [0, 1]])).toThrow(/"ring" expected a closed ring/);
    expectInputError(() => ringSignedAreaM2([[0, 0], [1.5, 0], [1, 1], [0, 0]]), 'ring[1][0]', 'type');
  });
});

describe('polygonsAreaM2', () => {
  describe('when given the example plots', () => {
    const { plots } = parsePlotGeoJson(JSON.parse(readFileSync('examples/plots/cooperative.geojson', 'utf8')));
    const polygons = plots.filter((p) => p.geometry.type !== 'Point');

    it('agrees with GeographicLib to 1e-6 (plot-sized edges: geodesic ≈ straight)', () => {
      for (const p of polygons) {
        const parts: MicroPolygon[] = plotPolygons(p.geometry);
        const karney = parts.reduce((sum, poly) => sum + karneyArea(poly[0]!) - poly.slice(1).reduce((h, ring) => h + karneyArea(ring), 0), 0);
        const ours = polygonsAreaM2(parts);
        expect(Math.abs(ours / karney - 1), p.label).toBeLessThan(1e-6);
      }
    });

    it('gives the areas recorded in docs/plots.md', () => {
      expect(polygons.map((p) => Number((polygonsAreaM2(plotPolygons(p.geometry)) / 1e4).toFixed(4)))).toEqual([9.5422, 15.4781, 22.9032, 16.7045]);
    });
  });

  describe('when a polygon has a hole', () => {
    it('subtracts it', () => {
      const outer = rect(0, 0, 10_000, 10_000);
      const hole = rect(2_000, 2_000, 4_000, 4_000).reverse();
      expect(polygonsAreaM2([[outer, hole]])).toBeCloseTo(ringSignedAreaM2(outer) - ringSignedAreaM2(rect(2_000, 2_000, 4_000, 4_000)), 6);
    });
  });

  describe('when the reference ellipsoid is checked', () => {
    it('uses the WGS84 constants', () => {
      expect(WGS84_A).toBe(6_378_137);
      expect(1 / WGS84_F).toBe(298.257223563);
    });
  });
});
