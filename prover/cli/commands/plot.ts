/**
 * `canopy plot check PLOT.geojson --dataset DIR [--json] [--png FILE] [--cutoff-year 2020]`:
 * validate a plot file and report, for every plot, its area, its pixels on the dataset
 * grid, forest loss by year, and whether it is deforestation-free.
 * @module
 */
import { InvalidArgumentError, type Command } from 'commander';
import { formatPlotIssue } from '../../../core/geo/geojson.ts';
import { formatPlotReport } from '../../plot/check.ts';
import { checkPlotFile, type PlotCheckOptions } from '../../plot/check-file.ts';
import { printJson, type CliIo } from '../io.ts';

/** Flags of `canopy plot check`, as commander delivers them. */
export interface PlotCheckFlags {
  dataset: string;
  json?: boolean;
  png?: string;
  cutoffYear: number;
}

/**
 * Parses --cutoff-year: four digits, 2000..2253 (the loss year byte is year − 2000).
 * @throws {InvalidArgumentError} otherwise
 * @example parseCutoffYear('2020') // 2020
 */
export function parseCutoffYear(value: string): number {
  if (!/^[0-9]{4}$/.test(value) || Number(value) < 2000 || Number(value) > 2253) {
    throw new InvalidArgumentError(`expected a year from 2000 to 2253, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/**
 * Maps the file argument and flags to `checkPlotFile` options.
 * @throws {RangeError} when --png does not name a .png file
 * @example plotCheckOptionsFromFlags('farm.geojson', { dataset: 'ds', cutoffYear: 2020 })
 */
export function plotCheckOptionsFromFlags(file: string, flags: PlotCheckFlags): PlotCheckOptions {
  if (flags.png !== undefined && !flags.png.toLowerCase().endsWith('.png')) {
    throw new RangeError(`"--png" expected a file name ending in .png, got ${JSON.stringify(flags.png)}`);
  }
  return { plotFile: file, datasetDir: flags.dataset, cutoffYear: flags.cutoffYear, ...(flags.png !== undefined ? { pngFile: flags.png } : {}) };
}

const HELP = `
Input: a GeoJSON Feature, FeatureCollection (one plot per feature) or bare geometry, in
WGS84 [longitude, latitude] with at least 6 decimals (fewer is a warning). Plots are
Polygons or MultiPolygons (holes allowed); a plot of at most 4 ha may be a Point that
declares properties.area_ha. Rings must be closed, have 4 or more positions, and not
intersect themselves or each other. Every refusal names the feature and the rule.

Pixels: a pixel belongs to the plot iff its centre lies inside the polygon (inside the
outer ring, not in a hole; a MultiPolygon is the union), decided exactly in integer
micro-degrees, with the boundary rule of gdal_rasterize: a centre on a west boundary is
out, on an east, north or south boundary in. A Point plot is the one pixel containing
it. A plot not wholly inside the dataset is refused, never measured in part.

Verdict: deforestation-free iff no pixel of the plot has, in the committed layer (loss
year where tree cover in 2000 exceeds the dataset's canopy threshold), a loss year after
the cut-off (value ≥ cut-off year − 1999, 21 for 2020) and none is nodata (255).
"undetermined" when no pixel centre lies inside the plot.

Output: a table per plot (area on the WGS84 ellipsoid, pixels and their area, forest
loss per year in pixels and hectares, tree cover 2000, verdict); --json prints
{ dataset, cutoffYear, plots: [report…], warnings, pngFiles } instead. --png draws a map
of each plot: one FILE for one plot, FILE-<index>.png per plot for several.
Exit code 0 when every plot was measured, whatever the verdicts; 1 when the input is refused.
`;

/**
 * Registers `canopy plot check`.
 * @example registerPlot(program, processIo);
 */
export function registerPlot(program: Command, io: CliIo): void {
  const plot = program.command('plot').description('Check plots (GeoJSON) against a committed forest-loss dataset.');
  plot
    .command('check')
    .description('Validate plots and report forest loss and the deforestation-free verdict for each.')
    .argument('<plot>', 'GeoJSON file: Feature, FeatureCollection or bare geometry')
    .requiredOption('--dataset <dir>', 'dataset directory written by `canopy dataset commit`')
    .option('--json', 'print the reports as JSON on stdout')
    .option('--png <file>', 'write a PNG map of each plot')
    .option('--cutoff-year <year>', 'last year before the cut-off: loss after 31 Dec of it fails', parseCutoffYear, 2020)
    .addHelpText('after', HELP)
    .action(async (file: string, flags: PlotCheckFlags) => {
      const r = await checkPlotFile(plotCheckOptionsFromFlags(file, flags));
      for (const w of r.warnings) io.err(`warning: ${formatPlotIssue(w)}\n`);
      if (flags.json) {
        printJson(io, r);
        return;
      }
      const free = r.plots.filter((p) => p.verdict === 'deforestation-free').length;
      io.out(`dataset ${r.dataset.dir}\n  root ${r.dataset.root}\n  rule ${r.dataset.layerRule}, canopy threshold ${r.dataset.canopyThreshold} %, cut-off 31 Dec ${r.cutoffYear}\n\n`);
      io.out(r.plots.map(formatPlotReport).join('\n'));
      io.out(`\n${free} of ${r.plots.length} ${r.plots.length === 1 ? 'plot' : 'plots'} deforestation-free\n`);
      for (const f of r.pngFiles) io.out(`wrote ${f}\n`);
    });
}
