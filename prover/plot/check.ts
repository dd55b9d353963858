/**
 * The forest report of one plot on a committed dataset: area, pixels, forest loss by
 * year, loss after the cut-off, tree cover in 2000, and the verdict.
 *
 * Pure over a grid and pixel arrays, so it runs on any source of pixels:
 *
 *     mask    = rasterisePlot(plot.geometry, grid)        (core/geo/rasterise.ts)
 *     pixels  = the three layers over the mask's window    (prover/dataset/read-window.ts)
 *     report  = plotReport(plot, mask, pixels, params)
 *
 * Verdict, over the masked pixels only, reading the committed layer (the one the proof
 * reads: loss year where treecover2000 > the dataset's canopy threshold, else 0, and 255
 * for nodata):
 * - "deforestation-free" iff no masked pixel has a committed value ≥ lossFrom (= cut-off
 *   year − 1999, 21 for the EUDR cut-off 31 Dec 2020) and none is nodata (255);
 * - "not-deforestation-free" otherwise, with the reasons (loss after the cut-off, nodata);
 * - "undetermined" when no pixel centre lies inside the plot: there is nothing to read.
 *
 * Areas: the plot's own area on the WGS84 ellipsoid (declared, for a Point plot), and
 * for pixel counts the sum of each pixel's ellipsoidal area, which depends on its row's
 * latitude (core/geo/geodesic-area.ts). A pixel's value is all-or-nothing: the loss areas
 * are areas of whole pixels, not of the part of a pixel inside the polygon.
 * @module
 */
import { assertBytes, assertInteger } from '../../core/assert.ts';
import { bug } from '../../core/errors.ts';
import { gridPixelAreaM2, M2_PER_HA, polygonsAreaM2 } from '../../core/geo/geodesic-area.ts';
import { plotPolygons, type PlotFeature } from '../../core/geo/geojson.ts';
import type { RasterGrid } from '../../core/geo/grid.ts';
import { maskHas, maskPixelCount, plotMaskHash, type PixelWindow, type PlotMask } from '../../core/geo/plot-mask.ts';
import { plotGeometryHash } from '../../core/geo/plot-geometry.ts';

/** The EUDR cut-off year: land deforested after 31 December 2020 fails. */
export const EUDR_CUTOFF_YEAR = 2020;
/** Nodata in every layer. */
export const NODATA = 255;

/** The three layers over a window, width × height bytes each, row-major. */
export interface PlotPixels {
  readonly lossYear: Uint8Array;
  readonly treeCover: Uint8Array;
  readonly layer: Uint8Array;
}

/** What the report needs to know about the dataset and the rule. */
export interface PlotCheckParams {
  readonly grid: RasterGrid;
  /** Canopy threshold of the dataset's layer rule, percent: forest iff cover > it. */
  readonly canopyThreshold: number;
  /** Last year before the cut-off; loss in a later year fails. Default 2020. */
  readonly cutoffYear?: number;
}

/** Loss in one year. */
export interface YearLoss {
  year: number;
  pixels: number;
  ha: number;
}

/** Loss totals over the mask, from one layer. */
export interface LossSummary {
  byYear: YearLoss[];
  pixels: number;
  ha: number;
  upToCutoffPixels: number;
  upToCutoffHa: number;
  afterCutoffPixels: number;
  afterCutoffHa: number;
}

export type PlotVerdict = 'deforestation-free' | 'not-deforestation-free' | 'undetermined';

/** The report of one plot; JSON-safe. */
export interface PlotReport {
  plot: { index: number; label: string; id?: string | number; name?: string; type: 'Polygon' | 'MultiPolygon' | 'Point' };
  /** Poseidon hash of the canonical GeoJSON (decimal), core/geo/plot-geometry.ts. */
  geometryHash: string;
  /** Area of the polygon on the WGS84 ellipsoid, or the declared area of a Point. */
  areaHa: number;
  areaSource: 'ellipsoid' | 'declared';
  mask: PixelWindow & { pixels: number; ha: number; hash: string };
  canopyThreshold: number;
  cutoffYear: number;
  /** Smallest committed value that fails: cutoffYear − 1999. */
  lossFrom: number;
  /** Loss where treecover2000 > threshold: the committed layer. */
  forestLoss: LossSummary;
  /** Loss at any tree cover: the lossyear source, for context. */
  anyCoverLoss: LossSummary;
  treeCover2000: { pixels: number; ha: number };
  nodataPixels: number;
  verdict: PlotVerdict;
  reasons: string[];
}

/**
 * The smallest committed loss value that fails for a cut-off year: 2020 → 21.
 * @throws {TypeError|RangeError} unless 2000 ≤ cutoffYear ≤ 2253
 * @example lossFromCutoff(2020) // 21
 */
export function lossFromCutoff(cutoffYear: number): number {
  assertInteger(cutoffYear, 'cutoffYear', 2000, 2253);
  return cutoffYear - 1999;
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

class LossAccumulator {
  private readonly px = new Map<number, number>();
  private readonly m2 = new Map<number, number>();
  add(value: number, area: number): void {
    this.px.set(value, (this.px.get(value) ?? 0) + 1);
    this.m2.set(value, (this.m2.get(value) ?? 0) + area);
  }
  summary(lossFrom: number): LossSummary {
    const years = [...this.px.keys()].sort((a, b) => a - b);
    const s: LossSummary = { byYear: [], pixels: 0, ha: 0, upToCutoffPixels: 0, upToCutoffHa: 0, afterCutoffPixels: 0, afterCutoffHa: 0 };
    for (const v of years) {
      const pixels = this.px.get(v)!;
      const ha = this.m2.get(v)! / M2_PER_HA;
      s.byYear.push({ year: 2000 + v, pixels, ha: round4(ha) });
      s.pixels += pixels;
      s.ha += ha;
      if (v >= lossFrom) {
        s.afterCutoffPixels += pixels;
        s.afterCutoffHa += ha;
      } else {
        s.upToCutoffPixels += pixels;
        s.upToCutoffHa += ha;
      }
    }
    s.ha = round4(s.ha);
    s.upToCutoffHa = round4(s.upToCutoffHa);
    s.afterCutoffHa = round4(s.afterCutoffHa);
    return s;
  }
}

/**
 * The report of a plot from its mask and the layers over the mask's window.
 * @param pixels - layers over exactly the mask's window (null only for an empty mask)
 * @throws {TypeError|RangeError} if the params are malformed or the arrays do not match the window
 * @example plotReport(plot, mask, await readWindow(ds, mask), { grid: ds.grid, canopyThreshold: 10 })
 */
export function plotReport(plot: PlotFeature, mask: PlotMask, pixels: PlotPixels | null, params: PlotCheckParams): PlotReport {
  const cutoffYear = params.cutoffYear ?? EUDR_CUTOFF_YEAR;
  const lossFrom = lossFromCutoff(cutoffYear);
  assertInteger(params.canopyThreshold, 'canopyThreshold', 0, 100);
  const n = mask.width * mask.height;
  if (n > 0) {
    if (pixels === null) throw new RangeError('"pixels" expected the layers over the mask window, got null');
    assertBytes(pixels.layer, 'pixels.layer', n);
    assertBytes(pixels.lossYear, 'pixels.lossYear', n);
    assertBytes(pixels.treeCover, 'pixels.treeCover', n);
  }
  const forest = new LossAccumulator();
  const any = new LossAccumulator();
  let count = 0;
  let maskM2 = 0;
  let coverPx = 0;
  let coverM2 = 0;
  let nodata = 0;
  for (let r = 0; r < mask.height; r++) {
    const area = gridPixelAreaM2(params.grid, mask.row0 + r);
    for (let c = 0; c < mask.width; c++) {
      if (!maskHas(mask, mask.col0 + c, mask.row0 + r)) continue;
      const i = r * mask.width + c;
      const layer = pixels!.layer[i]!;
      const loss = pixels!.lossYear[i]!;
      const cover = pixels!.treeCover[i]!;
      count++;
      maskM2 += area;
      if (layer === NODATA || loss === NODATA || cover === NODATA) {
        nodata++;
        continue;
      }
      if (cover > params.canopyThreshold) {
        coverPx++;
        coverM2 += area;
      }
      if (layer !== 0) forest.add(layer, area);
      if (loss !== 0) any.add(loss, area);
    }
  }
  const forestLoss = forest.summary(lossFrom);
  const anyCoverLoss = any.summary(lossFrom);
  const g = plot.geometry;
  const areaHa = g.type === 'Point' ? g.areaHa : polygonsAreaM2(plotPolygons(g)) / M2_PER_HA;

  const reasons: string[] = [];
  let verdict: PlotVerdict;
  if (count === 0) {
    verdict = 'undetermined';
    reasons.push('no pixel centre lies inside the plot, so no pixel can be read; check the polygon, or declare a plot of at most 4 ha as a point');
  } else {
    if (forestLoss.afterCutoffPixels > 0) {
      const years = forestLoss.byYear.filter((y) => y.year - 2000 >= lossFrom).map((y) => `${y.year}: ${y.pixels} px`);
      reasons.push(`${forestLoss.afterCutoffPixels} pixels (${forestLoss.afterCutoffHa.toFixed(2)} ha) lost forest after 31 Dec ${cutoffYear} (${years.join(', ')})`);
    }
    if (nodata > 0) reasons.push(`${nodata} pixels have no data (255), so they cannot be shown deforestation-free`);
    verdict = reasons.length === 0 ? 'deforestation-free' : 'not-deforestation-free';
    if (verdict === 'deforestation-free') reasons.push(`no pixel of the plot lost forest (tree cover > ${params.canopyThreshold} % in 2000) after 31 Dec ${cutoffYear}`);
  }
  const report: PlotReport = {
    plot: { index: plot.index, label: plot.label, type: g.type },
    geometryHash: plotGeometryHash(g).toString(),
    areaHa: round4(areaHa),
    areaSource: g.type === 'Point' ? 'declared' : 'ellipsoid',
    mask: { col0: mask.col0, row0: mask.row0, width: mask.width, height: mask.height, pixels: count, ha: round4(maskM2 / M2_PER_HA), hash: plotMaskHash(mask).toString() },
    canopyThreshold: params.canopyThreshold,
    cutoffYear,
    lossFrom,
    forestLoss,
    anyCoverLoss,
    treeCover2000: { pixels: coverPx, ha: round4(coverM2 / M2_PER_HA) },
    nodataPixels: nodata,
    verdict,
    reasons,
  };
  if (plot.id !== undefined) report.plot.id = plot.id;
  if (plot.name !== undefined) report.plot.name = plot.name;
  // The mask came from the same plot, so the popcount must agree with the walk.
  if (count !== maskPixelCount(mask)) bug('plotReport', `${count} ≠ ${maskPixelCount(mask)}`);
  return report;
}

const pad = (s: string | number, w: number) => String(s).padStart(w);

/**
 * The report as a human-readable table.
 * @example io.out(formatPlotReport(report))
 */
export function formatPlotReport(r: PlotReport): string {
  const head = r.verdict === 'deforestation-free' ? 'DEFORESTATION-FREE' : r.verdict === 'not-deforestation-free' ? 'NOT DEFORESTATION-FREE' : 'UNDETERMINED';
  const lines = [
    `${r.plot.label}: ${head}`,
    `  geometry          ${r.plot.type}, hash ${r.geometryHash}`,
    `  area              ${r.areaHa.toFixed(2)} ha (${r.areaSource === 'declared' ? 'declared in properties.area_ha' : 'WGS84 ellipsoid'})`,
    `  pixels            ${r.mask.pixels} (${r.mask.ha.toFixed(2)} ha), window ${r.mask.width}×${r.mask.height} at col ${r.mask.col0}, row ${r.mask.row0}`,
    `  mask hash         ${r.mask.hash}`,
    `  tree cover 2000   ${r.treeCover2000.pixels} px, ${r.treeCover2000.ha.toFixed(2)} ha above ${r.canopyThreshold} %`,
  ];
  const years = [...new Set([...r.forestLoss.byYear, ...r.anyCoverLoss.byYear].map((y) => y.year))].sort((a, b) => a - b);
  if (years.length === 0) {
    lines.push('  loss              none recorded (2001 onwards)');
  } else {
    lines.push(`  loss by year      ${pad('forest px', 10)} ${pad('ha', 8)}   ${pad('any cover px', 12)} ${pad('ha', 8)}`);
    for (const year of years) {
      const f = r.forestLoss.byYear.find((y) => y.year === year);
      const a = r.anyCoverLoss.byYear.find((y) => y.year === year);
      const after = year - 2000 >= r.lossFrom ? '   after cut-off' : '';
      lines.push(`    ${year}            ${pad(f?.pixels ?? 0, 10)} ${pad((f?.ha ?? 0).toFixed(2), 8)}   ${pad(a?.pixels ?? 0, 12)} ${pad((a?.ha ?? 0).toFixed(2), 8)}${after}`);
    }
  }
  lines.push(
    `  forest loss       ${r.forestLoss.upToCutoffPixels} px (${r.forestLoss.upToCutoffHa.toFixed(2)} ha) up to ${r.cutoffYear}, ${r.forestLoss.afterCutoffPixels} px (${r.forestLoss.afterCutoffHa.toFixed(2)} ha) after 31 Dec ${r.cutoffYear}`,
    `  nodata            ${r.nodataPixels} px`,
    ...r.reasons.map((reason) => `  ${(r.verdict === 'deforestation-free' ? 'because' : 'reason').padEnd(18)}${reason}`),
  );
  return `${lines.join('\n')}\n`;
}
