// The plot map: colours read back at known pixels, the outline where the polygon is,
// the PNG decoding to the same image, and the view window.
import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { parsePlotGeoJson } from '../../core/geo/geojson.ts';
import type { RasterGrid } from '../../core/geo/grid.ts';
import { rasterisePlot } from '../../core/geo/rasterise.ts';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from '../../prover/plot/_font.ts';
import { DIM_OUTSIDE, encodePng, lossClass, MAP_COLOURS, plotMapView, renderPlotMap, renderPlotPng } from '../../prover/plot/render-png.ts';
import { expectInputError } from '../hostile-inputs.ts';

// 20 × 20 pixels of 250 µ°; the plot is the 10 × 10 block of pixels 5..14.
const GRID: RasterGrid = { originLonMicro: -71_737_750, originLatMicro: 18_687_000, pixelSizeMicro: 250, width: 20, height: 20 };
const deg = (micro: number) => micro / 1e6;
const lon = (col: number) => deg(GRID.originLonMicro + col * 250);
const lat = (row: number) => deg(GRID.originLatMicro - row * 250);
const plot = parsePlotGeoJson({
  type: 'Feature',
  properties: { name: 'Finca Prueba' },
  geometry: { type: 'Polygon', coordinates: [[[lon(5), lat(15)], [lon(15), lat(15)], [lon(15), lat(5)], [lon(5), lat(5)], [lon(5), lat(15)]]] },
}).plots[0]!;
const mask = rasterisePlot(plot.geometry, GRID);

describe('plotMapView', () => {
  it('grows the mask window by the margin, clipped to the grid', () => {
    expect(mask).toMatchObject({ col0: 5, row0: 5, width: 10, height: 10 });
    expect(plotMapView(mask, plot.geometry, GRID)).toEqual({ col0: 1, row0: 1, width: 18, height: 18 });
    expect(plotMapView(mask, plot.geometry, GRID, 8)).toEqual({ col0: 0, row0: 0, width: 20, height: 20 });
  });
});

describe('renderPlotMap', () => {
  const view = { col0: 0, row0: 0, width: 20, height: 20 };
  const layer = new Uint8Array(400);
  layer[6 * 20 + 6] = 23; // inside, after the cut-off
  layer[7 * 20 + 7] = 12; // inside, before
  layer[8 * 20 + 8] = 255; // inside, nodata
  layer[2 * 20 + 2] = 23; // outside, after
  const img = renderPlotMap({ grid: GRID, view, layer, mask, geometry: plot.geometry, lossFrom: 21, cutoffYear: 2020, title: 'Finca Prueba: NOT deforestation-free', subtitle: 'test' });
  // The map starts below two title lines; find its frame's top-left from the layout rules.
  const k = Math.floor(640 / 20);
  const mapX = 16;
  const mapY = 16 + 2 * (7 * 2 + 8) + 6;
  const at = (x: number, y: number) => [...img.rgba.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3)];
  const centre = (c: number, r: number) => at(mapX + c * k + Math.floor(k / 2), mapY + r * k + Math.floor(k / 2));
  const dim = (c: readonly number[]) => c.map((v) => Math.round(v + (255 - v) * DIM_OUTSIDE));

  it('colours masked pixels by class and dims the others', () => {
    expect(centre(6, 6)).toEqual([...MAP_COLOURS.lossAfterCutoff]);
    expect(centre(7, 7)).toEqual([...MAP_COLOURS.lossUpToCutoff]);
    expect(centre(8, 8)).toEqual([...MAP_COLOURS.nodata]);
    expect(centre(10, 10)).toEqual([...MAP_COLOURS.noLoss]);
    expect(centre(2, 2)).toEqual(dim(MAP_COLOURS.lossAfterCutoff));
    expect(centre(17, 3)).toEqual(dim(MAP_COLOURS.noLoss));
  });

  it('draws the outline on the plot boundary, in the pixels\' own frame', () => {
    // The west edge of the plot is the line x = mapX + 5k; its middle is at row 10.
    expect(at(mapX + 5 * k, mapY + 10 * k)).toEqual([...MAP_COLOURS.outline]);
    expect(at(mapX + 15 * k, mapY + 10 * k)).toEqual([...MAP_COLOURS.outline]);
    expect(at(mapX + 10 * k, mapY + 5 * k)).toEqual([...MAP_COLOURS.outline]);
  });

  it('writes a legend below the map', () => {
    const below = img.rgba.subarray((mapY + 20 * k + 20) * img.width * 4);
    let swatches = 0;
    for (let i = 0; i < below.length; i += 4) if (below[i] === MAP_COLOURS.lossAfterCutoff[0] && below[i + 1] === MAP_COLOURS.lossAfterCutoff[1] && below[i + 2] === MAP_COLOURS.lossAfterCutoff[2]) swatches++;
    expect(swatches).toBeGreaterThan(100); // the red swatch
  });

  it('refuses a layer of the wrong size or a view outside the grid', () => {
    const base = { grid: GRID, view, layer, mask, geometry: plot.geometry, lossFrom: 21, cutoffYear: 2020, title: 't' };
    expectInputError(() => renderPlotMap({ ...base, layer: layer.subarray(1) }), 'layer', 'range');
    expectInputError(() => renderPlotMap({ ...base, view: { ...view, width: 21 } }), 'view.width', 'range');
  });

  describe('when encoded as PNG', () => {
    it('decodes to the same pixels', () => {
      const png = renderPlotPng({ grid: GRID, view, layer, mask, geometry: plot.geometry, lossFrom: 21, cutoffYear: 2020, title: 'Finca Prueba' });
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const decoded = pngjs.PNG.sync.read(Buffer.from(png));
      const again = renderPlotMap({ grid: GRID, view, layer, mask, geometry: plot.geometry, lossFrom: 21, cutoffYear: 2020, title: 'Finca Prueba' });
      expect([decoded.width, decoded.height]).toEqual([again.width, again.height]);
      expect(Buffer.compare(decoded.data, Buffer.from(again.rgba))).toBe(0);
      expect(() => encodePng({ width: 2, height: 2, rgba: new Uint8Array(15) })).toThrow(/"img.rgba" expected 16 bytes/);
    });
  });
});

describe('lossClass', () => {
  it('sorts committed values into the legend classes', () => {
    expect([0, 1, 20, 21, 23, 254, 255].map((v) => lossClass(v, 21))).toEqual(['noLoss', 'lossUpToCutoff', 'lossUpToCutoff', 'lossAfterCutoff', 'lossAfterCutoff', 'lossAfterCutoff', 'nodata']);
  });
});

describe('glyph', () => {
  it('has 7 rows of 5 for every character the labels use, and a box for others', () => {
    for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;-–()/%<>≤≥=+"\'#_°×↑ñéÓ') {
      const g = glyph(ch);
      expect(g.length, ch).toBe(GLYPH_HEIGHT);
      for (const row of g) expect(row.length, ch).toBe(GLYPH_WIDTH);
    }
    expect(glyph('ñ')).toEqual(glyph('N'));
    expect(glyph('€')).not.toEqual(glyph(' '));
  });
});
