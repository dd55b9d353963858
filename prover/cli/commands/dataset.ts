/**
 * `canopy dataset commit|info|verify`: commit a Hansen forest-loss raster pair to a
 * dataset root, describe a dataset directory, and recompute it from its source files.
 * Each maps its flags to the options of prover/dataset/commit.ts or verify.ts.
 * @module
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { CanopyError } from '../../../core/errors.ts';
import { DEFAULT_CANOPY_THRESHOLD } from '../../../core/raster/layer-rule.ts';
import { DEFAULT_TILE_SIZE } from '../../../core/raster/tile-leaf.ts';
import { commitDataset, PARTIAL_DIR, type CommitOptions, type CommitResult } from '../../dataset/commit.ts';
import { histogramCount, MANIFEST_FILE, type DatasetManifest } from '../../dataset/manifest.ts';
import { closeDataset, openDataset } from '../../dataset/read-window.ts';
import { verifyDataset, type VerifyReport } from '../../dataset/verify.ts';
import { printJson, type CliIo } from '../io.ts';
import { datasetProgressPrinter, formatDuration, formatRate } from './_dataset-progress.ts';

/** First loss year counted as after the EUDR cut-off (31 Dec 2020): Hansen value 21 = 2021. */
const POST_CUTOFF_LOSS_YEAR = 21;

function intIn(min: number, max: number, what = 'an integer') {
  return (value: string): number => {
    if (!/^(0|[1-9][0-9]{0,5})$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`expected ${what} from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    return Number(value);
  };
}

function tileSizeArg(value: string): number {
  if (!['1', '2', '4', '8', '16'].includes(value)) throw new InvalidArgumentError(`expected 1, 2, 4, 8 or 16, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Flags of `canopy dataset commit` as commander parses them. */
export interface CommitFlags {
  lossyear: string;
  treecover: string;
  out: string;
  canopyThreshold: number;
  tileSize: number;
  workers?: number;
  json?: boolean;
}

/**
 * Maps `canopy dataset commit` flags to `commitDataset` options.
 * @throws never (commander has parsed and range-checked every value)
 * @example commitOptionsFromFlags({ lossyear: 'l.tif', treecover: 't.tif', out: 'ds', canopyThreshold: 10, tileSize: 16 })
 */
export function commitOptionsFromFlags(flags: CommitFlags): CommitOptions {
  return {
    lossYear: flags.lossyear,
    treeCover: flags.treecover,
    outDir: flags.out,
    canopyThreshold: flags.canopyThreshold,
    tileSize: flags.tileSize,
    ...(flags.workers === undefined ? {} : { workers: flags.workers }),
  };
}

/**
 * Pixel counts from a manifest's histogram, as the commands report them.
 * @throws never for a parsed manifest
 * @example layerCounts(manifest).lossPostCutoffPixels // 265 for the crop
 */
export function layerCounts(m: DatasetManifest): { pixels: number; lossPixels: number; lossPostCutoffPixels: number; nodataPixels: number } {
  return {
    pixels: m.grid.width * m.grid.height,
    lossPixels: histogramCount(m, 1, 254),
    lossPostCutoffPixels: histogramCount(m, POST_CUTOFF_LOSS_YEAR, 254),
    nodataPixels: histogramCount(m, 255, 255),
  };
}

function describeManifest(m: DatasetManifest, manifestSha256: string): string[] {
  const g = m.grid;
  const c = layerCounts(m);
  return [
    `  grid          ${g.width} × ${g.height} pixels of ${g.pixelSizeMicro} µ°, upper-left (${(g.originLonMicro / 1e6).toFixed(6)}, ${(g.originLatMicro / 1e6).toFixed(6)}), EPSG:4326`,
    `  rule          ${m.layerRule.name}, canopyThreshold ${m.layerRule.params.canopyThreshold} (loss year where treecover2000 > ${m.layerRule.params.canopyThreshold} %, else 0; nodata 255)`,
    `  tiles         ${m.tiles.x} × ${m.tiles.y} of ${m.tiles.size} × ${m.tiles.size} pixels, Morton order, tree depth ${m.tree.depth}, stored levels ≥ ${m.tree.upperFromLevel}`,
    `  pixels        ${c.pixels}: ${c.lossPixels} with loss, ${c.lossPostCutoffPixels} with loss in 2021 or later (value ≥ ${POST_CUTOFF_LOSS_YEAR}), ${c.nodataPixels} nodata`,
    ...m.sources.map((s) => `  ${s.layer.padEnd(14)}${s.name} (${s.bytes} bytes, sha256 ${s.sha256})`),
    `  manifest      sha256 ${manifestSha256}`,
    `  credit        ${m.attribution}`,
  ];
}

const COMMIT_HELP = `
What is committed:
  The layer rule hansen-lossyear-treecover/v1 derives one byte per pixel: the loss year
  (1..23 = 2001..2023, 0 = none) where treecover2000 > --canopy-threshold percent, else 0;
  255 (nodata) where either source is nodata. Pixels are cut into tiles of --tile-size²
  pixels (padded with 255 at the raster's edge); each tile leaf is
  Poseidon("canopy/dataset-tile", tileX, tileY, pixels packed 31 bytes per element);
  tiles are ordered along a Morton curve, so an aligned block of 2^k × 2^k tiles is one
  subtree. The dataset root is the Merkle root. See docs/datasets.md.

Inputs: two GeoTIFFs of the same EPSG:4326 grid, single band uint8, pixel edges on whole
micro-degrees (Hansen GFC granules or crops of them), any layout (strips or tiles) and
compression (LZW, Deflate, none).

Output, in --out DIR:
  manifest.json     canonical JSON: sources (name, path, SHA-256), grid, rule, tiles, root
  upper-tree.bin    tree levels ≥ 8, so later proofs recompute at most 16 × 16 tiles

The raster is streamed in bands of 16 tile rows (256 pixel rows at --tile-size 16) and
hashed on every core. An interrupted commit (Ctrl-C stops after the current band; a second
Ctrl-C exits at once; or a crash) keeps DIR/${PARTIAL_DIR}/: rerun the same command to resume.

Examples:
  canopy dataset commit --lossyear Hansen_GFC-2023-v1.11_lossyear_20N_080W.tif \\
      --treecover Hansen_GFC-2023-v1.11_treecover2000_20N_080W.tif --out datasets/20N_080W
  canopy dataset commit ... --canopy-threshold 30 --out datasets/20N_080W-t30
`;

/**
 * Registers `canopy dataset commit`, `canopy dataset info` and `canopy dataset verify`.
 * @throws never; the actions throw CanopyError on failure, which main() prints as one line (exit 1)
 * @example registerDataset(program, processIo);
 */
export function registerDataset(program: Command, io: CliIo): void {
  const dataset = program.command('dataset').description('Commit a public forest-loss raster (Hansen GFC) to a Poseidon Merkle root anyone can recompute; inspect and verify it.');

  dataset
    .command('commit')
    .description('Commit a Hansen lossyear + treecover2000 pair to a dataset root; write manifest.json and upper-tree.bin to --out.')
    .requiredOption('--lossyear <file>', 'Hansen GFC lossyear GeoTIFF')
    .requiredOption('--treecover <file>', 'Hansen GFC treecover2000 GeoTIFF on the same grid')
    .requiredOption('--out <dir>', 'dataset directory to write (created; must not hold a dataset yet)')
    .option('--canopy-threshold <percent>', 'forest = treecover2000 above this percent (FAO/Whisp 10, GFW often 30)', intIn(0, 100), DEFAULT_CANOPY_THRESHOLD)
    .option('--tile-size <pixels>', 'tile edge: 1, 2, 4, 8 or 16', tileSizeArg, DEFAULT_TILE_SIZE)
    .option('--workers <n>', 'hashing threads (default: one per core; 0 = this thread only)', intIn(0, 64))
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText('after', COMMIT_HELP)
    .action(async (flags: CommitFlags) => {
      const printer = datasetProgressPrinter(io, 'dataset commit');
      const abort = new AbortController();
      const onSigint = () => abort.abort(new Error('interrupted'));
      process.once('SIGINT', onSigint);
      let r: CommitResult;
      try {
        r = await commitDataset({ ...commitOptionsFromFlags(flags), signal: abort.signal, onProgress: printer.onProgress });
      } catch (e) {
        if (abort.signal.aborted && e === abort.signal.reason) {
          throw new Error(`interrupted: finished bands are kept in ${join(flags.out, PARTIAL_DIR)}; run the same command again to resume`);
        }
        throw e;
      } finally {
        printer.stop();
        process.removeListener('SIGINT', onSigint);
      }
      const c = layerCounts(r.manifest);
      if (flags.json) {
        printJson(io, {
          ok: true,
          root: r.manifest.root,
          dir: r.dir,
          manifestSha256: r.manifestSha256,
          grid: r.manifest.grid,
          layerRule: r.manifest.layerRule,
          tiles: r.manifest.tiles,
          depth: r.manifest.tree.depth,
          ...c,
          seconds: Number(r.seconds.toFixed(3)),
          pixelsPerSecond: Math.round(r.pixelsPerSecond),
          workers: r.workers,
          resumedBands: r.resumedBands,
        });
        return;
      }
      io.out(
        [
          `dataset root ${r.manifest.root}`,
          `  written       ${join(r.dir, MANIFEST_FILE)}, upper-tree.bin`,
          ...describeManifest(r.manifest, r.manifestSha256),
          `  time          ${formatDuration(r.seconds)} (${r.seconds.toFixed(2)} s), ${formatRate(r.pixelsPerSecond)}, ${r.workers === 0 ? 'this thread' : `${r.workers} workers`}${r.resumedBands > 0 ? `, ${r.resumedBands} bands resumed` : ''}`,
          '',
        ].join('\n'),
      );
    });

  dataset
    .command('info')
    .description('Describe a dataset directory from its manifest: root, grid, rule, tiles, pixel counts, sources.')
    .argument('<dir>', 'dataset directory (holds manifest.json)')
    .option('--json', 'print the manifest and derived counts as JSON on stdout')
    .addHelpText('after', '\nReads manifest.json and checks upper-tree.bin against it; does not read the source rasters\n(use `canopy dataset verify` to recompute the root from them).\n')
    .action(async (dir: string, flags: { json?: boolean }) => {
      const ds = await openDataset(dir, { checkSources: 'never' });
      try {
        const manifestSha256 = createHash('sha256').update(readFileSync(join(ds.dir, MANIFEST_FILE))).digest('hex');
        if (flags.json) {
          printJson(io, { dir: ds.dir, manifestSha256, ...layerCounts(ds.manifest), sourcePaths: ds.sourcePaths, manifest: ds.manifest });
          return;
        }
        io.out([`dataset root ${ds.manifest.root}`, `  dir           ${ds.dir}`, ...describeManifest(ds.manifest, manifestSha256), ''].join('\n'));
      } finally {
        await closeDataset(ds);
      }
    });

  dataset
    .command('verify')
    .description('Recompute a dataset from its source GeoTIFFs and compare with its manifest and stored tree; exit 1 naming the first mismatch.')
    .argument('<dir>', 'dataset directory (holds manifest.json)')
    .option('--workers <n>', 'hashing threads (default: one per core; 0 = this thread only)', intIn(0, 64))
    .option('--json', 'print the report as JSON on stdout')
    .addHelpText(
      'after',
      '\nSteps, in order (the first failure ends the run):\n' +
        '  manifest       manifest.json is canonical and well-formed; upper-tree.bin matches its SHA-256 and root\n' +
        '  upper tree     every stored node rehashes from its children\n' +
        '  source files   each GeoTIFF has the size and SHA-256 the manifest records (paths relative to DIR)\n' +
        '  grids          both GeoTIFFs validate and lie on the manifest grid\n' +
        '  blocks         every block of tiles recomputed from the pixels equals the stored node\n' +
        '  root           the recomputed root equals the manifest root\n',
    )
    .action(async (dir: string, flags: { workers?: number; json?: boolean }) => {
      const printer = datasetProgressPrinter(io, 'dataset verify');
      let report: VerifyReport;
      try {
        report = await verifyDataset(dir, { ...(flags.workers === undefined ? {} : { workers: flags.workers }), onProgress: printer.onProgress });
      } finally {
        printer.stop();
      }
      if (flags.json) printJson(io, { ...report, seconds: Number(report.seconds.toFixed(3)) });
      else {
        const lines = report.steps.map((s) => `  ${s.ok ? 'ok  ' : 'FAIL'} ${s.name.padEnd(13)} ${s.detail}`);
        io.out([report.ok ? `OK: ${dir} verifies, root ${report.root}` : `MISMATCH: ${dir}`, ...lines, ''].join('\n'));
      }
      if (!report.ok) {
        const failed = report.steps[report.steps.length - 1]!;
        throw new CanopyError('ARTIFACT_MISMATCH', `dataset verify: ${failed.name}: ${failed.detail}`);
      }
    });
}
