/**
 * `canopy plot check PLOT.geojson --dataset DIR [--json] [--png FILE] [--cutoff-year 2020]`:
 * validate a plot file and report, for every plot, its area, its pixels on the dataset
 * grid, forest loss by year, and whether it is deforestation-free.
 *
 * `canopy plot prove PLOT.geojson --dataset DIR --out FILE [--profile demo]
 *  [--owner-secret-file F] [--cutoff-year 2020] [--feature N] [--keys DIR] [--json]`:
 * prove a deforestation-free plot window by window (prover/plot/prove.ts).
 *
 * `canopy plot verify FILE [--dataset DIR] [--keys DIR] [--json]`: verify every window
 * proof of a proof file (prover/plot/verify.ts); exit 1 naming the first failing window.
 * @module
 */
import { InvalidArgumentError, type Command } from 'commander';
import { CanopyError } from '../../../core/errors.ts';
import { formatPlotIssue } from '../../../core/geo/geojson.ts';
import { formatPlotReport } from '../../plot/check.ts';
import { checkPlotFile, type PlotCheckOptions } from '../../plot/check-file.ts';
import { DEFAULT_PLOT_PROFILE, provePlotFile, type PlotProveOptions } from '../../plot/prove.ts';
import { verifyPlotProofFile, type PlotVerifyOptions } from '../../plot/verify.ts';
import { printJson, type CliIo } from '../io.ts';
import { progressPrinter } from './_progress.ts';

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

/** Flags of `canopy plot prove`, as commander delivers them. */
export interface PlotProveFlags {
  dataset: string;
  out: string;
  profile: string;
  ownerSecretFile?: string;
  cutoffYear: number;
  feature?: number;
  keys?: string;
  json?: boolean;
}

/** Flags of `canopy plot verify`, as commander delivers them. */
export interface PlotVerifyFlags {
  dataset?: string;
  keys?: string;
  json?: boolean;
}

/**
 * Parses --feature: a feature index, 0..9999.
 * @throws {InvalidArgumentError} otherwise
 * @example parseFeatureIndex('3') // 3
 */
export function parseFeatureIndex(value: string): number {
  if (!/^(0|[1-9][0-9]{0,3})$/.test(value)) throw new InvalidArgumentError(`expected a feature index from 0 to 9999, got ${JSON.stringify(value)}`);
  return Number(value);
}

/**
 * Maps the file argument and flags of `canopy plot prove` to `provePlotFile` options.
 * @throws {RangeError} when --out names the plot file itself
 * @example plotProveOptionsFromFlags('farm.geojson', { dataset: 'ds', out: 'farm.proof.json', profile: 'demo', cutoffYear: 2020 })
 */
export function plotProveOptionsFromFlags(file: string, flags: PlotProveFlags): PlotProveOptions {
  if (flags.out === file) throw new RangeError(`"--out" expected a file other than the plot file, got ${JSON.stringify(flags.out)}`);
  return {
    plotFile: file,
    datasetDir: flags.dataset,
    outFile: flags.out,
    profile: flags.profile,
    cutoffYear: flags.cutoffYear,
    ...(flags.ownerSecretFile !== undefined ? { ownerSecretFile: flags.ownerSecretFile } : {}),
    ...(flags.feature !== undefined ? { feature: flags.feature } : {}),
    ...(flags.keys !== undefined ? { keysDir: flags.keys } : {}),
  };
}

/**
 * Maps the file argument and flags of `canopy plot verify` to `verifyPlotProofFile` options.
 * @example plotVerifyOptionsFromFlags('farm.proof.json', { dataset: 'ds' })
 */
export function plotVerifyOptionsFromFlags(file: string, flags: PlotVerifyFlags): PlotVerifyOptions {
  return { proofFile: file, ...(flags.dataset !== undefined ? { datasetDir: flags.dataset } : {}), ...(flags.keys !== undefined ? { keysDir: flags.keys } : {}) };
}

const PROVE_HELP = `
Proves one plot deforestation-free on a committed dataset. The plot is validated and
rasterised as by \`canopy plot check\`; a plot that is not deforestation-free is refused
(exit 1) with its failing pixels by year, and nothing is proven. Otherwise its mask is
split into windows of 2^k × 2^k tiles (k and the dataset tree depth come from the
profile: test k=0 depth 4, demo k=0 depth 8, production k=2 depth 24), and each window
gets a Groth16 proof of circuit plot_window (progress on stderr). Keys come from
--keys DIR (default circuits/build/<profile>); when they are missing, setup runs first.

Files written (FILE.json → FILE.opening.json, FILE.owner-secret):
  FILE                  the proof file (public): per window its proof and public signals
                        (attestation leaf, dataset root, cut-off code) and the SHA-256 of
                        the keys; hand it to the registry
  FILE.opening.json     the opening (private, 0600): geometry, mask, salts, window
                        positions and pixel counts, for disclosure to an auditor
  FILE.owner-secret     the owner secret (private, 0600), drawn at random, unless
                        --owner-secret-file names an existing one; never overwritten
Exit code 0 when every window is proven; 1 when the plot is refused or a step fails.
`;

const VERIFY_HELP = `
Verifies every window proof of a proof file with the verification key of the local
setup (--keys DIR, default circuits/build/<profile of the proofs>), whose SHA-256 must
equal the one the proof file records. With --dataset, also checks that the proofs are
against that dataset's root. Exit code 0 when every window verifies; 1 naming the first
window that fails, or when the file is malformed.
`;

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
 * Registers `canopy plot check`, `canopy plot prove` and `canopy plot verify`.
 * @example registerPlot(program, processIo);
 */
export function registerPlot(program: Command, io: CliIo): void {
  const plot = program.command('plot').description('Check plots (GeoJSON) against a committed forest-loss dataset, and prove and verify them deforestation-free.');
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

  plot
    .command('prove')
    .description('Prove a deforestation-free plot with one Groth16 proof per window of tiles.')
    .argument('<plot>', 'GeoJSON file: Feature, FeatureCollection or bare geometry')
    .requiredOption('--dataset <dir>', 'dataset directory written by `canopy dataset commit`')
    .requiredOption('--out <file>', 'proof file to write (the opening and owner secret go beside it)')
    .option('--profile <name>', 'circuit profile: test, demo or production', DEFAULT_PLOT_PROFILE)
    .option('--owner-secret-file <file>', 'owner secret to use (default: a new one saved beside --out)')
    .option('--cutoff-year <year>', 'last year before the cut-off: loss after 31 Dec of it fails', parseCutoffYear, 2020)
    .option('--feature <index>', 'which plot of a file holding several', parseFeatureIndex)
    .option('--keys <dir>', 'setup folder with the keys (default circuits/build/<profile>)')
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText('after', PROVE_HELP)
    .action(async (file: string, flags: PlotProveFlags) => {
      const r = await provePlotFile({ ...plotProveOptionsFromFlags(file, flags), onProgress: (line) => io.err(`${line}\n`), onSetupProgress: progressPrinter(io) });
      if (flags.json) {
        printJson(io, r);
        return;
      }
      io.out(
        [
          `proved ${r.plot.label}: ${r.plot.pixels} ${r.plot.pixels === 1 ? 'pixel' : 'pixels'} in ${r.windows.length} ${r.windows.length === 1 ? 'window' : 'windows'} (${r.seconds.toFixed(1)} s)`,
          `  dataset root   ${r.datasetRoot}`,
          `  cut-off        31 Dec ${r.cutoffYear} (cutoffCode ${r.cutoffCode})`,
          `  circuit        ${r.circuit.id}, profile ${r.profile} (k = ${r.circuit.k}, tree depth ${r.circuit.treeDepth})`,
          `  proof          ${r.proofFile} (public)`,
          `  opening        ${r.openingFile} (private)`,
          `  owner secret   ${r.ownerSecretFile} (private${r.ownerSecretGenerated ? ', new' : ''})`,
          '',
        ].join('\n'),
      );
    });

  plot
    .command('verify')
    .description('Verify every window proof of a plot proof file.')
    .argument('<proof>', 'proof file written by `canopy plot prove`')
    .option('--dataset <dir>', 'also check the proofs are against this dataset')
    .option('--keys <dir>', 'setup folder with the keys (default circuits/build/<profile>)')
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText('after', VERIFY_HELP)
    .action(async (file: string, flags: PlotVerifyFlags) => {
      const r = await verifyPlotProofFile(plotVerifyOptionsFromFlags(file, flags));
      if (flags.json) printJson(io, r);
      else if (r.valid) {
        io.out(
          [
            `valid: ${r.windows} ${r.windows === 1 ? 'window' : 'windows'} of ${r.circuit} (profile ${r.profile})`,
            `  dataset root   ${r.datasetRoot}${r.dataset ? ` = ${r.dataset.dir}` : ' (not compared with a dataset: pass --dataset)'}`,
            `  cut-off        31 Dec ${r.cutoffYear} (cutoffCode ${r.cutoffCode})`,
            ...r.attestationLeaves.map((leaf, i) => `  window ${i + 1}       leaf ${leaf}`),
            '',
          ].join('\n'),
        );
      }
      if (!r.valid) {
        const f = r.failure!;
        throw new CanopyError('PROOF_INVALID', `${file}: window ${f.window} of ${r.windows} fails (${f.step}): ${f.reason}`);
      }
    });
}
