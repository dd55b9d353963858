// Rasterisation by the pixel-centre rule on tiny grids, against masks computed by hand,
// and against a naive per-pixel evaluation of the rule written independently here.
//
// The tiny grid: pixel 10 µ°, origin (0, 100), 10 × 10 pixels, so the centre of
// (col, row) is (5 + 10·col, 95 − 10·row).
import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import type { MicroPolygon, MicroRing, PlotGeometry } from '../../core/geo/geojson.ts';
import type { RasterGrid } from '../../core/geo/grid.ts';
import { assertPlotMask, EMPTY_PLOT_MASK, maskHas, maskPixelCount, type PlotMask } from '../../core/geo/plot-mask.ts';
import { assertPlotInsideGrid, pointPixel, rasterisePlot, rasterisePolygons } from '../../core/geo/rasterise.ts';
import { rng, starRing } from './_random-polygons.ts';

const TINY: RasterGrid = { originLonMicro: 0, originLatMicro: 100, pixelSizeMicro: 10, width: 10, height: 10 };

function box(w: number, s: number, e: number, n: number, clockwise = false): MicroRing {
  const ring: MicroRing = [[w, s], [e, s], [e, n], [w, n], [w, s]];
  return clockwise ? ring.reverse() : ring;
}

/** The mask as rows of '#' (in) and '.' (out) over the whole grid. */
function picture(mask: PlotMask, grid: RasterGrid): string[] {
  const rows: string[] = [];
  for (let r = 0; r < grid.height; r++) {
    let line = '';
    for (let c = 0; c < grid.width; c++) line += maskHas(mask, c, r) ? '#' : '.';
    rows.push(line);
  }
  return rows;
}

function poly(...rings: MicroRing[]): PlotGeometry {
  return { type: 'Polygon', coordinates: rings };
}

describe('rasterisePlot', () => {
  describe('when no edge passes through a pixel centre', () => {
    it('takes exactly the pixels whose centre is inside', () => {
      const mask = rasterisePlot(poly(box(12, 52, 48, 88)), TINY);
      expect(mask).toMatchObject({ col0: 1, row0: 1, width: 4, height: 4 });
      expect(maskPixelCount(mask)).toBe(16);
      assertPlotMask(mask);
    });
  });

  describe('when edges lie exactly on centre lines', () => {
    // Box x ∈ [15, 45], y ∈ [55, 85]: its edges pass through the centres of columns 1, 4
    // and rows 1, 4. GDAL's rule: west edge out, east edge in, north and south edges in.
    const want = [
      '..........',
      '..###.....',
      '..###.....',
      '..###.....',
      '..###.....',
      '..........',
      '..........',
      '..........',
      '..........',
      '..........',
    ];
    it('puts centres on the east, north and south edges in and on the west edge out', () => {
      expect(picture(rasterisePlot(poly(box(15, 55, 45, 85)), TINY), TINY)).toEqual(want);
    });
    it('does not depend on the ring orientation', () => {
      expect(picture(rasterisePlot(poly(box(15, 55, 45, 85, true)), TINY), TINY)).toEqual(want);
    });
  });

  describe('when vertices lie exactly on pixel centres', () => {
    it('decides each as if nudged west, then south (the diamond of gdal_rasterize)', () => {
      const diamond: MicroRing = [[45, 85], [75, 55], [45, 25], [15, 55], [45, 85]];
      expect(picture(rasterisePlot(poly(diamond), TINY), TINY)).toEqual([
        '..........',
        '..........',
        '....##....',
        '...####...',
        '..######..',
        '...####...',
        '....##....',
        '..........',
        '..........',
        '..........',
      ]);
    });

    it('leaves out a centre at the apex of a triangle pointing north', () => {
      const tri: MicroRing = [[10, 22], [60, 22], [35, 75], [10, 22]];
      const mask = rasterisePlot(poly(tri), TINY);
      expect(maskHas(mask, 3, 2)).toBe(false); // centre (35, 75) is the apex
      expect(maskHas(mask, 3, 3)).toBe(true);
    });
  });

  describe('when the polygon has a hole with edges on centre lines', () => {
    it('excludes the hole: its north and east boundary centres are out, west and south in', () => {
      const mask = rasterisePlot(poly(box(2, 2, 98, 98), box(25, 35, 55, 65, true)), TINY);
      expect(picture(mask, TINY)).toEqual([
        '##########',
        '##########',
        '##########',
        '###...####',
        '###...####',
        '###...####',
        '##########',
        '##########',
        '##########',
        '##########',
      ]);
      expect(maskPixelCount(mask)).toBe(91);
    });
  });

  describe('when the parts of a MultiPolygon overlap', () => {
    it('takes the union, not the symmetric difference', () => {
      const g: PlotGeometry = { type: 'MultiPolygon', coordinates: [[box(2, 52, 48, 98)], [box(22, 32, 68, 78)]] };
      const mask = rasterisePlot(g, TINY);
      expect(maskPixelCount(mask)).toBe(25 + 25 - 9);
      expect(maskHas(mask, 3, 3)).toBe(true); // in both
      expect(picture(mask, TINY).slice(0, 7)).toEqual(['#####.....', '#####.....', '#######...', '#######...', '#######...', '..#####...', '..#####...']);
    });
  });

  describe('when a thin sliver contains no pixel centre', () => {
    it('returns the empty mask', () => {
      expect(rasterisePlot(poly(box(16, 10, 24, 90)), TINY)).toEqual(EMPTY_PLOT_MASK);
      // A sliver along a centre line: its east edge passes through centres, and they are in.
      expect(maskPixelCount(rasterisePlot(poly(box(16, 10, 25, 90)), TINY))).toBe(8);
    });
  });

  describe('when the plot is a point', () => {
    it('takes the pixel containing it, half-open: [west, east) × (south, north]', () => {
      const at = (lon: number, lat: number) => rasterisePlot({ type: 'Point', coordinates: [lon, lat], areaHa: 1 }, TINY);
      expect(at(37, 64)).toMatchObject({ col0: 3, row0: 3, width: 1, height: 1 });
      expect(at(30, 64)).toMatchObject({ col0: 3, row0: 3 }); // on its west edge
      expect(at(37, 70)).toMatchObject({ col0: 3, row0: 3 }); // on its north edge
      expect(at(40, 60)).toMatchObject({ col0: 4, row0: 4 }); // the SE corner belongs to the next pixel
      expect(at(0, 100)).toMatchObject({ col0: 0, row0: 0 });
      expect(pointPixel([99, 1], TINY)).toEqual({ col: 9, row: 9 });
    });
  });

  describe('when the plot is not wholly inside the grid', () => {
    it('refuses a polygon with one vertex outside, naming it', () => {
      const g = poly([[50, 50], [120, 50], [50, 80], [50, 50]]);
      expect(() => rasterisePlot(g, TINY, 'feature #2 (id "x")')).toThrow(CanopyError);
      expect(() => rasterisePlot(g, TINY, 'feature #2 (id "x")')).toThrow(/^feature #2 \(id "x"\) is not wholly inside the dataset extent .* position \[0\.000120, 0\.000050\] is outside; a plot is never measured on the covered part only$/);
      try {
        rasterisePlot(g, TINY);
      } catch (e) {
        expect((e as CanopyError).code).toBe('OUT_OF_RANGE');
      }
    });
    it('refuses points on the east or south edge of the extent', () => {
      expect(() => rasterisePlot({ type: 'Point', coordinates: [100, 50], areaHa: 1 }, TINY)).toThrow(/not wholly inside/);
      expect(() => rasterisePlot({ type: 'Point', coordinates: [50, 0], areaHa: 1 }, TINY)).toThrow(/not wholly inside/);
    });
    it('accepts a polygon touching the extent and hints when lon and lat look swapped', () => {
      expect(maskPixelCount(rasterisePlot(poly(box(0, 0, 100, 100)), TINY))).toBe(100);
      const hansen: RasterGrid = { originLonMicro: -71_737_750, originLatMicro: 18_687_000, pixelSizeMicro: 250, width: 192, height: 221 };
      const swapped = poly([[18_660_000, -71_720_000], [18_661_000, -71_720_000], [18_661_000, -71_719_000], [18_660_000, -71_720_000]]);
      expect(() => assertPlotInsideGrid(swapped, hansen)).toThrow(/with longitude and latitude swapped it would be inside/);
    });
  });
});

// An independent statement of the rule, evaluated pixel by pixel with exact rational
// comparisons (cross-multiplied in BigInt): crossings with lat_south < cy ≤ lat_north
// strictly west of cx, odd → in; plus centres on a horizontal edge whose ring's interior
// is north, west end < cx ≤ east end.
function naiveInside(polygons: readonly MicroPolygon[], cx: number, cy: number): boolean {
  return polygons.some((rings) => {
    let odd = false;
    let onSouthEdge = false;
    for (const ring of rings) {
      let area2 = 0n;
      for (let i = 0; i + 1 < ring.length; i++) area2 += BigInt(ring[i]![0]) * BigInt(ring[i + 1]![1]) - BigInt(ring[i + 1]![0]) * BigInt(ring[i]![1]);
      for (let i = 0; i + 1 < ring.length; i++) {
        const [ax, ay] = ring[i]!;
        const [bx, by] = ring[i + 1]!;
        if (ay === by) {
          const eastward = bx > ax;
          if (ay === cy && (area2 > 0n ? eastward : !eastward) && Math.min(ax, bx) < cx && cx <= Math.max(ax, bx)) onSouthEdge = true;
          continue;
        }
        const [sx, sy, nx, ny] = ay < by ? [ax, ay, bx, by] : [bx, by, ax, ay];
        if (!(sy < cy && cy <= ny)) continue;
        // x_cross < cx ⇔ sx·(ny − sy) + (cy − sy)(nx − sx) < cx·(ny − sy)
        const lhs = BigInt(sx) * BigInt(ny - sy) + BigInt(cy - sy) * BigInt(nx - sx);
        if (lhs < BigInt(cx) * BigInt(ny - sy)) odd = !odd;
      }
    }
    return odd || onSouthEdge;
  });
}

describe('rasterisePolygons', () => {
  describe('when compared with a naive per-pixel evaluation of the rule', () => {
    it('agrees on random polygons on a whole-world grid, where µ° products exceed 2^53', () => {
      // 2° pixels over the whole world: coordinate differences up to 3.6e8 µ°.
      const world: RasterGrid = { originLonMicro: -180_000_000, originLatMicro: 90_000_000, pixelSizeMicro: 2_000_000, width: 180, height: 90 };
      const random = rng(99);
      for (let k = 0; k < 12; k++) {
        const snap = k % 2 === 0 ? 1 : 1_000_000; // odd k: vertices on the 1° lattice, many on centre lines
        const rings = [starRing(random, -10_000_000, 0, 60_000_000, 170_000_000, 4 + k, snap, k % 3 === 0)];
        const clipped = rings.map((r) => r.map(([x, y]) => [Math.max(-180e6, Math.min(180e6, x)), Math.max(-90e6, Math.min(90e6, y))] as [number, number]));
        const mask = rasterisePolygons([clipped], world);
        assertPlotMask(mask);
        for (let row = 0; row < world.height; row++) {
          for (let col = 0; col < world.width; col++) {
            const cx = world.originLonMicro + col * 2_000_000 + 1_000_000;
            const cy = world.originLatMicro - row * 2_000_000 - 1_000_000;
            if (maskHas(mask, col, row) !== naiveInside([clipped], cx, cy)) {
              expect.fail(`polygon ${k}: pixel (${col}, ${row}) = ${maskHas(mask, col, row)}, want ${naiveInside([clipped], cx, cy)}`);
            }
          }
        }
      }
    });

    it('agrees on random small polygons on a tiny grid, vertices on a lattice through the centres', () => {
      const random = rng(7);
      for (let k = 0; k < 200; k++) {
        const rings: MicroPolygon = [starRing(random, 50, 50, 10, 48, 3 + (k % 9), 5, k % 2 === 0)];
        const mask = rasterisePolygons([rings], TINY);
        for (let row = 0; row < 10; row++) {
          for (let col = 0; col < 10; col++) {
            const want = naiveInside([rings], 5 + 10 * col, 95 - 10 * row);
            if (maskHas(mask, col, row) !== want) expect.fail(`polygon ${k}: pixel (${col}, ${row}) = ${!want}, want ${want}`);
          }
        }
      }
    });
  });

  describe('when given no polygon or a polygon entirely off the grid', () => {
    it('returns the empty mask', () => {
      expect(rasterisePolygons([], TINY)).toEqual(EMPTY_PLOT_MASK);
      expect(rasterisePolygons([[box(200, 200, 300, 300)]], TINY)).toEqual(EMPTY_PLOT_MASK);
    });
  });

  describe('when given a malformed grid', () => {
    it('throws naming the field', () => {
      expect(() => rasterisePolygons([[box(12, 52, 48, 88)]], { ...TINY, pixelSizeMicro: 9 })).toThrow(/"grid.pixelSizeMicro" expected an even number/);
      expect(() => rasterisePolygons([[box(12, 52, 48, 88)]], { ...TINY, width: 0 })).toThrow(RangeError);
    });
  });
});
