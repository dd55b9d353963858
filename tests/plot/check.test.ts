// The per-plot forest report: on hand-made layers of a tiny grid, where every number is
// known, and on the real Hansen crop for the example plots.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gridPixelAreaM2 } from '../../core/geo/geodesic-area.ts';
import { parsePlotGeoJson, type PlotFeature } from '../../core/geo/geojson.ts';
import type { RasterGrid } from '../../core/geo/grid.ts';
import { rasterisePlot } from '../../core/geo/rasterise.ts';
import { closeDataset, openDataset, readWindow, type Dataset } from '../../prover/dataset/read-window.ts';
import { formatPlotReport, lossFromCutoff, plotReport, type PlotReport } from '../../prover/plot/check.ts';
import { expectInputError } from '../hostile-inputs.ts';
import { commitCrop } from './_crop-dataset.ts';

// 4 × 3 pixels of 250 µ° at the crop's corner.
const GRID: RasterGrid = { originLonMicro: -71_737_750, originLatMicro: 18_687_000, pixelSizeMicro: 250, width: 4, height: 3 };
const whole = (): PlotFeature =>
  parsePlotGeoJson({
    type: 'Feature',
    id: 'T-1',
    properties: {},
    geometry: { type: 'Polygon', coordinates: [[[-71.73775, 18.68625], [-71.73675, 18.68625], [-71.73675, 18.687], [-71.73775, 18.687], [-71.73775, 18.68625]]] },
  }).plots[0]!;

// Row-major 4 × 3: loss years and cover chosen so each class occurs.
const LOSS = Uint8Array.of(0, 3, 21, 23, 0, 0, 20, 21, 5, 0, 0, 0);
const COVER = Uint8Array.of(80, 80, 80, 5, 80, 9, 80, 80, 80, 80, 80, 80);
// Committed layer with threshold 10: loss where cover > 10.
const LAYER = Uint8Array.of(0, 3, 21, 0, 0, 0, 20, 21, 5, 0, 0, 0);

describe('plotReport', () => {
  describe('when the layers hold loss before and after the cut-off', () => {
    const plot = whole();
    const mask = rasterisePlot(plot.geometry, GRID);
    const r = plotReport(plot, mask, { lossYear: LOSS, treeCover: COVER, layer: LAYER }, { grid: GRID, canopyThreshold: 10 });
    const px = [0, 1, 2].map((row) => gridPixelAreaM2(GRID, row) / 1e4);

    it('counts every pixel and sums their ellipsoidal areas by row', () => {
      expect(r.mask).toMatchObject({ col0: 0, row0: 0, width: 4, height: 3, pixels: 12 });
      expect(r.mask.ha).toBeCloseTo(4 * (px[0]! + px[1]! + px[2]!), 4);
      expect(r.areaSource).toBe('ellipsoid');
      expect(r.areaHa).toBeCloseTo(r.mask.ha, 2); // the polygon is exactly the 12 pixels
    });
    it('reports forest loss per year from the committed layer, and all loss from lossyear', () => {
      expect(r.forestLoss.byYear.map((y) => [y.year, y.pixels])).toEqual([[2003, 1], [2005, 1], [2020, 1], [2021, 2]]);
      expect(r.forestLoss.byYear[3]!.ha).toBeCloseTo(px[0]! + px[1]!, 4);
      expect(r.anyCoverLoss.byYear.map((y) => [y.year, y.pixels])).toEqual([[2003, 1], [2005, 1], [2020, 1], [2021, 2], [2023, 1]]);
      expect([r.forestLoss.upToCutoffPixels, r.forestLoss.afterCutoffPixels]).toEqual([3, 2]);
      expect([r.anyCoverLoss.upToCutoffPixels, r.anyCoverLoss.afterCutoffPixels]).toEqual([3, 3]);
    });
    it('counts tree cover above the threshold', () => {
      expect(r.treeCover2000.pixels).toBe(10);
      expect(r.treeCover2000.ha).toBeCloseTo(3 * px[0]! + 3 * px[1]! + 4 * px[2]!, 4);
    });
    it('is not deforestation-free, naming the pixels and years', () => {
      expect(r.verdict).toBe('not-deforestation-free');
      expect(r.reasons).toEqual([`2 pixels (${r.forestLoss.afterCutoffHa.toFixed(2)} ha) lost forest after 31 Dec 2020 (2021: 2 px)`]);
      expect(r.lossFrom).toBe(21);
    });
    it('passes with a later cut-off year', () => {
      const later = plotReport(plot, mask, { lossYear: LOSS, treeCover: COVER, layer: LAYER }, { grid: GRID, canopyThreshold: 10, cutoffYear: 2021 });
      expect(later.verdict).toBe('deforestation-free');
      expect(later.lossFrom).toBe(22);
    });
  });

  describe('when a masked pixel is nodata', () => {
    it('is not deforestation-free, even without loss', () => {
      const layer = new Uint8Array(12);
      layer[5] = 255;
      const r = plotReport(whole(), rasterisePlot(whole().geometry, GRID), { lossYear: layer, treeCover: new Uint8Array(12).fill(50), layer }, { grid: GRID, canopyThreshold: 10 });
      expect(r.verdict).toBe('not-deforestation-free');
      expect(r.nodataPixels).toBe(1);
      expect(r.reasons).toEqual(['1 pixels have no data (255), so they cannot be shown deforestation-free']);
    });
  });

  describe('when the loss lies outside the mask', () => {
    it('is deforestation-free: only masked pixels count', () => {
      // A triangle below the diagonal of the top-left 1 × 2 pixels: only (0, 1)'s centre is inside.
      const plot = parsePlotGeoJson({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[-71.73775, 18.6865], [-71.7375, 18.6865], [-71.7375, 18.687], [-71.73775, 18.6865]]] } }).plots[0]!;
      const mask = rasterisePlot(plot.geometry, GRID);
      expect(mask).toMatchObject({ col0: 0, row0: 1, width: 1, height: 1 });
      const r = plotReport(plot, mask, { lossYear: Uint8Array.of(0), treeCover: Uint8Array.of(90), layer: Uint8Array.of(0) }, { grid: GRID, canopyThreshold: 10 });
      expect(r.verdict).toBe('deforestation-free');
      expect(r.reasons[0]).toMatch(/^no pixel of the plot lost forest \(tree cover > 10 % in 2000\) after 31 Dec 2020$/);
    });
  });

  describe('when no pixel centre lies inside the plot', () => {
    it('is undetermined', () => {
      const sliver = parsePlotGeoJson({ type: 'Polygon', coordinates: [[[-71.7376, 18.6863], [-71.73755, 18.6863], [-71.73755, 18.6869], [-71.7376, 18.6863]]] }).plots[0]!;
      const mask = rasterisePlot(sliver.geometry, GRID);
      const r = plotReport(sliver, mask, null, { grid: GRID, canopyThreshold: 10 });
      expect(r.mask.pixels).toBe(0);
      expect(r.verdict).toBe('undetermined');
      expect(formatPlotReport(r)).toMatch(/: UNDETERMINED\n/);
    });
  });

  describe('when given malformed arguments', () => {
    it('throws naming them', () => {
      const plot = whole();
      const mask = rasterisePlot(plot.geometry, GRID);
      const px = { lossYear: LOSS, treeCover: COVER, layer: LAYER };
      expectInputError(() => plotReport(plot, mask, { ...px, layer: LAYER.subarray(1) }, { grid: GRID, canopyThreshold: 10 }), 'pixels.layer', 'range');
      expectInputError(() => plotReport(plot, mask, px, { grid: GRID, canopyThreshold: 101 }), 'canopyThreshold', 'range');
      expectInputError(() => plotReport(plot, mask, px, { grid: GRID, canopyThreshold: 10, cutoffYear: 1999 }), 'cutoffYear', 'range');
      expectInputError(() => plotReport(plot, mask, null, { grid: GRID, canopyThreshold: 10 }), 'pixels', 'range');
    });
  });
});

describe('lossFromCutoff', () => {
  it('maps the cut-off year to the first failing loss-year byte', () => {
    expect(lossFromCutoff(2020)).toBe(21);
    expect(lossFromCutoff(2000)).toBe(1);
    expectInputError(() => lossFromCutoff(2254), 'cutoffYear', 'range');
  });
});

describe('plotReport on the Hansen crop', () => {
  let ds: Dataset;
  let cleanup: () => void;
  let reports: PlotReport[];
  const { plots } = parsePlotGeoJson(JSON.parse(readFileSync('examples/plots/cooperative.geojson', 'utf8')));

  beforeAll(async () => {
    const crop = await commitCrop();
    cleanup = crop.cleanup;
    ds = await openDataset(crop.dir);
    reports = [];
    for (const p of plots) {
      const mask = rasterisePlot(p.geometry, ds.grid, p.label);
      reports.push(plotReport(p, mask, await readWindow(ds, mask), { grid: ds.grid, canopyThreshold: ds.rule.params.canopyThreshold }));
    }
  });
  afterAll(async () => {
    await closeDataset(ds);
    cleanup();
  });

  describe('when given the clean plot (Finca Los Cedros)', () => {
    it('is deforestation-free, with the numbers in docs/plots.md', () => {
      const r = reports[0]!;
      expect(r.verdict).toBe('deforestation-free');
      expect([r.mask.pixels, r.areaHa, r.mask.ha, r.forestLoss.pixels, r.treeCover2000.pixels]).toEqual([129, 9.5422, 9.4147, 0, 129]);
    });
  });

  describe('when given the plot over the 2023 clearing (Finca El Limón)', () => {
    it('is not deforestation-free: 32 forest pixels lost in 2023', () => {
      const r = reports[1]!;
      expect(r.verdict).toBe('not-deforestation-free');
      expect(r.forestLoss.byYear.map((y) => [y.year, y.pixels])).toEqual([[2005, 4], [2006, 2], [2016, 4], [2023, 32]]);
      expect(r.anyCoverLoss.byYear.find((y) => y.year === 2023)!.pixels).toBe(34);
      expect([r.mask.pixels, r.forestLoss.afterCutoffPixels, r.forestLoss.afterCutoffHa, r.treeCover2000.pixels]).toEqual([211, 32, 2.3358, 206]);
    });
  });

  describe('when given the plot with a hole around 2021 loss (Finca La Cañada)', () => {
    it('is deforestation-free because the hole excludes the 6 pixels lost in 2021', () => {
      const r = reports[2]!;
      expect(r.verdict).toBe('deforestation-free');
      expect([r.mask.pixels, r.forestLoss.byYear.map((y) => [y.year, y.pixels])]).toEqual([319, [[2003, 4]]]);
    });
    it('is not deforestation-free without the hole', async () => {
      const p = plots[2]!;
      const outerOnly: PlotFeature = { ...p, geometry: { type: 'Polygon', coordinates: [(p.geometry as { coordinates: number[][][] }).coordinates[0] as [number, number][]] } };
      const mask = rasterisePlot(outerOnly.geometry, ds.grid);
      const r = plotReport(outerOnly, mask, await readWindow(ds, mask), { grid: ds.grid, canopyThreshold: 10 });
      expect(r.verdict).toBe('not-deforestation-free');
      expect([r.mask.pixels, r.forestLoss.afterCutoffPixels, r.forestLoss.byYear.find((y) => y.year === 2021)!.pixels]).toEqual([325, 6, 6]);
    });
  });

  describe('when given the MultiPolygon and the Point', () => {
    it('reports both parts together, and the point by its one pixel with its declared area', () => {
      expect([reports[3]!.verdict, reports[3]!.mask.pixels, reports[3]!.areaHa]).toEqual(['deforestation-free', 227, 16.7045]);
      expect([reports[4]!.verdict, reports[4]!.mask.pixels, reports[4]!.areaHa, reports[4]!.areaSource]).toEqual(['deforestation-free', 1, 2.5, 'declared']);
    });
  });

  describe('when formatted as a table', () => {
    it('shows the verdict, the pixels and each loss year', () => {
      const text = formatPlotReport(reports[1]!);
      expect(text).toMatch(/^feature #1 \(id "DO-NEIBA-0002"\): NOT DEFORESTATION-FREE\n/);
      expect(text).toContain('  pixels            211 (15.40 ha), window 17×17 at col 125, row 158\n');
      expect(text).toMatch(/\n {4}2023 +32 +2\.34 +34 +2\.48 +after cut-off\n/);
      expect(text).toContain('  reason            32 pixels (2.34 ha) lost forest after 31 Dec 2020 (2023: 32 px)\n');
    });
  });
});
