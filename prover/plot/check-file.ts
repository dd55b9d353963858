/**
 * `checkPlotFile`: what `canopy plot check` does, as a library call — read a plot
 * GeoJSON file, validate it, rasterise every plot on a committed dataset's grid, read the
 * pixels under each mask, and build the reports (and, on request, PNG maps).
 *
 * Steps, each failing with a message naming what was wrong:
 * 1. read the file (at most MAX_PLOT_FILE_BYTES) and parse it as JSON;
 * 2. validate it (core/geo/geojson.ts): every error, naming feature and rule, at once;
 * 3. open the dataset (prover/dataset/read-window.ts) and refuse every plot not wholly
 *    inside its extent, all named in one error — never measured on the covered part;
 * 4. per plot: mask (core/geo/rasterise.ts), layers over the mask's window, report
 *    (check.ts), and a map (render-png.ts) when `pngFile` is set.
 * @module
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { parsePlotGeoJson, type PlotFeature, type PlotIssue } from '../../core/geo/geojson.ts';
import type { RasterGrid } from '../../core/geo/grid.ts';
import { assertPlotInsideGrid, rasterisePlot } from '../../core/geo/rasterise.ts';
import { closeDataset, openDataset, readWindow } from '../dataset/read-window.ts';
import { EUDR_CUTOFF_YEAR, lossFromCutoff, plotReport, type PlotReport } from './check.ts';
import { plotMapView, renderPlotPng } from './render-png.ts';

/** Largest plot file read: 64 MiB. */
export const MAX_PLOT_FILE_BYTES = 64 * 1024 * 1024;

/** Options of `checkPlotFile`. */
export interface PlotCheckOptions {
  /** GeoJSON file: Feature, FeatureCollection or bare geometry. */
  readonly plotFile: string;
  /** Dataset directory written by `canopy dataset commit`. */
  readonly datasetDir: string;
  /** Last year before the cut-off (default 2020: loss in 2021 or later fails). */
  readonly cutoffYear?: number;
  /**
   * Where to write a PNG map. With one plot, this file; with several, one file per plot
   * named `<stem>-<feature index><ext>` (farms.png → farms-0.png, farms-1.png, …).
   */
  readonly pngFile?: string;
}

/** Result of `checkPlotFile`; JSON-safe. */
export interface PlotCheckResult {
  dataset: { dir: string; root: string; grid: RasterGrid; canopyThreshold: number; layerRule: string };
  cutoffYear: number;
  plots: PlotReport[];
  warnings: PlotIssue[];
  /** PNG files written, in plot order. */
  pngFiles: string[];
}

/**
 * The PNG file for plot `index` of `count` plots: `file` itself for one plot, otherwise
 * `<stem>-<index><ext>`.
 * @example pngFileFor('maps/farms.png', 3, 5) // 'maps/farms-3.png'
 */
export function pngFileFor(file: string, index: number, count: number): string {
  if (count === 1) return file;
  const ext = extname(file);
  return `${file.slice(0, file.length - ext.length)}-${index}${ext}`;
}

/**
 * Reads and validates a plot GeoJSON file.
 * @throws {CanopyError} NOT_FOUND if missing; INVALID_INPUT if too large, not JSON, or
 *   refused by the validator (a PlotGeoJsonError listing every problem)
 * @example const { plots } = await readPlotFile('examples/plots/clean.geojson');
 */
export async function readPlotFile(file: string): Promise<{ plots: PlotFeature[]; warnings: PlotIssue[] }> {
  assertString(file, 'plotFile');
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CanopyError('NOT_FOUND', `plot file not found: ${file}`);
    throw e;
  }
  if (size > MAX_PLOT_FILE_BYTES) throw new CanopyError('INVALID_INPUT', `${file}: ${size} bytes, more than the ${MAX_PLOT_FILE_BYTES} a plot file may have`);
  const text = await readFile(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CanopyError('INVALID_INPUT', `${file} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  return parsePlotGeoJson(value);
}

/**
 * Checks every plot of a GeoJSON file against a committed dataset (see the module doc).
 * @throws {CanopyError} NOT_FOUND, INVALID_INPUT (file or plots refused), OUT_OF_RANGE
 *   (plots not wholly inside the dataset, all named), or the dataset's own errors
 * @throws {TypeError|RangeError} for a malformed cut-off year
 * @example const r = await checkPlotFile({ plotFile: 'farm.geojson', datasetDir: 'ds' }); r.plots[0].verdict
 */
export async function checkPlotFile(options: PlotCheckOptions): Promise<PlotCheckResult> {
  const cutoffYear = options.cutoffYear ?? EUDR_CUTOFF_YEAR;
  const lossFrom = lossFromCutoff(cutoffYear);
  assertString(options.datasetDir, 'datasetDir');
  if (options.pngFile !== undefined) assertString(options.pngFile, 'pngFile');
  const { plots, warnings } = await readPlotFile(options.plotFile);
  const ds = await openDataset(options.datasetDir);
  try {
    const grid = ds.grid;
    const outside: string[] = [];
    for (const plot of plots) {
      try {
        assertPlotInsideGrid(plot.geometry, grid, plot.label);
      } catch (e) {
        if (!(e instanceof CanopyError)) throw e;
        outside.push(e.message);
      }
    }
    if (outside.length > 0) throw new CanopyError('OUT_OF_RANGE', outside.length === 1 ? outside[0]! : `${outside.length} plots are not wholly inside the dataset:\n  ${outside.join('\n  ')}`);
    const canopyThreshold = ds.rule.params.canopyThreshold;
    const reports: PlotReport[] = [];
    const pngFiles: string[] = [];
    for (const plot of plots) {
      const mask = rasterisePlot(plot.geometry, grid, plot.label);
      const pixels = mask.width > 0 ? await readWindow(ds, mask) : null;
      const report = plotReport(plot, mask, pixels, { grid, canopyThreshold, cutoffYear });
      reports.push(report);
      if (options.pngFile !== undefined) {
        const view = plotMapView(mask, plot.geometry, grid);
        const { layer } = await readWindow(ds, view);
        const verdict = report.verdict === 'deforestation-free' ? 'deforestation-free' : report.verdict === 'not-deforestation-free' ? 'NOT deforestation-free' : 'undetermined';
        const png = renderPlotPng({
          grid,
          view,
          layer,
          mask,
          geometry: plot.geometry,
          lossFrom,
          cutoffYear,
          title: `${plot.name ?? plot.label}: ${verdict}`,
          subtitle: `${report.mask.pixels} px, ${report.areaHa.toFixed(2)} ha; forest = cover > ${canopyThreshold} % in 2000`,
        });
        const file = pngFileFor(options.pngFile, plot.index, plots.length);
        await writeFile(file, png);
        pngFiles.push(file);
      }
    }
    return {
      dataset: { dir: ds.dir, root: ds.root.toString(), grid, canopyThreshold, layerRule: ds.rule.name },
      cutoffYear,
      plots: reports,
      warnings,
      pngFiles,
    };
  } finally {
    await closeDataset(ds);
  }
}
