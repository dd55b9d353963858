/**
 * `provePlotFile`: what `canopy plot prove` does, as a library call — prove that a plot
 * is deforestation-free on a committed dataset, one Groth16 proof per window
 * (docs/attestations.md).
 *
 * Steps, each failing with a message naming what was wrong:
 * 1. read and validate the plot file, pick the plot (`feature` when the file holds several);
 * 2. open the dataset: tile size 16 and the tree depth of the profile's `plot_window`
 *    (`treeDepth`) are required; the plot must lie wholly inside the dataset;
 * 3. rasterise the plot and report on it (prover/plot/check.ts): anything but
 *    "deforestation-free" is refused with the report's reasons (failing pixels by year,
 *    nodata), and nothing is proven;
 * 4. find the keys (the setup manifest in `keysDir`); if it has no `plot_window` entry,
 *    run `canopy setup` for that circuit alone, saying so through `onProgress`;
 * 5. the owner secret: read from `ownerSecretFile`, or drawn at random and written beside
 *    the proof file (0600, never over an existing file);
 * 6. split the mask into windows (core/circuits/plot-window.ts), and per window read its
 *    tiles and block proof, draw a salt, build the witness input, prove, and check the
 *    proof's public signals against the leaf computed in JS and the proof against the
 *    verification key;
 * 7. write the proof file (public, proof-file.ts) and the opening (private, 0600,
 *    opening-file.ts), each through a temporary file renamed into place.
 *
 * File names from `outFile` (a trailing ".json" dropped for the others):
 *     farm.proof.json  →  farm.proof.opening.json, farm.proof.owner-secret
 * @module
 */
import { rename, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { assertInteger, assertString } from '../../core/assert.ts';
import { bug, CanopyError } from '../../core/errors.ts';
import { fieldToString } from '../../core/field.ts';
import {
  plotWindowPublicSignals,
  plotWindowWitnessInput,
  PLOT_WINDOW_TILE_SIZE,
  windowAttestationLeaf,
  windowMaskHash,
  windowsForMask,
} from '../../core/circuits/plot-window.ts';
import { canonicalPlotGeometry, plotGeometryHash } from '../../core/geo/plot-geometry.ts';
import { plotMaskHash, serialisePlotMask } from '../../core/geo/plot-mask.ts';
import { assertPlotInsideGrid, rasterisePlot } from '../../core/geo/rasterise.ts';
import { ownerKey } from '../../core/lots/note.ts';
import { circuitParams, getProfile, loadConfig } from '../../circuits/toolchain/config.ts';
import { readManifest, MANIFEST_FILE } from '../../circuits/toolchain/manifest.ts';
import { loadVerificationKey, proveGroth16, verifyGroth16 } from '../../circuits/toolchain/prove.ts';
import { defaultOutDir, runSetup, type SetupEvent } from '../../circuits/toolchain/setup.ts';
import { withCurves } from '../../circuits/toolchain/snarkjs.ts';
import { closeDataset, openDataset, readTiles, readWindow, tileBlockProof } from '../dataset/read-window.ts';
import { EUDR_CUTOFF_YEAR, lossFromCutoff, plotReport } from './check.ts';
import { readPlotFile } from './check-file.ts';
import { formatPlotOpeningFile, PLOT_OPENING_FORMAT, type PlotOpeningWindow } from './opening-file.ts';
import { randomFieldElement, readOwnerSecret, writeOwnerSecret } from './owner-secret.ts';
import { formatPlotProofFile, PLOT_PROOF_FORMAT, type PlotProofWindow } from './proof-file.ts';

/** The circuit every window is proven with. */
export const PLOT_WINDOW_CIRCUIT = 'plot_window';
/** Profile used when none is given: the real crop's dataset tree has the demo depth. */
export const DEFAULT_PLOT_PROFILE = 'demo';

/** Options of `provePlotFile`; mirrors the flags of `canopy plot prove`. */
export interface PlotProveOptions {
  /** GeoJSON file: Feature, FeatureCollection or bare geometry. */
  readonly plotFile: string;
  /** Dataset directory written by `canopy dataset commit`. */
  readonly datasetDir: string;
  /** Proof file to write. */
  readonly outFile: string;
  /** Circuit profile (default demo). */
  readonly profile?: string;
  /** Read the owner secret from this file instead of generating one. */
  readonly ownerSecretFile?: string;
  /** Last year before the cut-off (default 2020). */
  readonly cutoffYear?: number;
  /** Index of the plot in a file holding several (its feature index). */
  readonly feature?: number;
  /** Setup folder holding the keys (default circuits/build/<profile>). */
  readonly keysDir?: string;
  /** One human-readable line per step (the CLI prints them on stderr). */
  readonly onProgress?: (line: string) => void;
  /** Setup progress when keys have to be made. */
  readonly onSetupProgress?: (event: SetupEvent) => void;
}

/** Result of `provePlotFile`; JSON-safe. */
export interface PlotProveResult {
  proofFile: string;
  openingFile: string;
  ownerSecretFile: string;
  ownerSecretGenerated: boolean;
  plot: { label: string; pixels: number };
  profile: string;
  circuit: { id: string; k: number; treeDepth: number };
  datasetRoot: string;
  cutoffYear: number;
  cutoffCode: number;
  windows: { attestationLeaf: string; seconds: number }[];
  /** True when the keys had to be made first. */
  setupRan: boolean;
  seconds: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The opening and owner secret files that go with a proof file (module doc).
 * @throws {TypeError|RangeError} if `outFile` is not a string of at most 4096 characters
 * @example plotProofCompanions('farm.proof.json') // { openingFile: 'farm.proof.opening.json', ownerSecretFile: 'farm.proof.owner-secret' }
 */
export function plotProofCompanions(outFile: string): { openingFile: string; ownerSecretFile: string } {
  assertString(outFile, 'outFile', 4096);
  const base = outFile.endsWith('.json') ? outFile.slice(0, -'.json'.length) : outFile;
  return { openingFile: `${base}.opening.json`, ownerSecretFile: `${base}.owner-secret` };
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** Writes `text` to `file` through a temporary file in the same folder, renamed into place. */
async function writeAtomic(file: string, text: string, mode: number): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode });
  await rename(tmp, file);
}

/**
 * Proves a plot deforestation-free, window by window (module doc).
 * @throws {CanopyError} NOT_FOUND (plot file, dataset, owner secret file); INVALID_INPUT
 *   (plot refused, several plots without `feature`, not deforestation-free, dataset tile
 *   size or depth not the profile's, secret file exists); OUT_OF_RANGE (plot not inside
 *   the dataset); the setup's and prover's own errors
 * @throws {TypeError|RangeError} for malformed options
 * @example const r = await provePlotFile({ plotFile: 'farm.geojson', datasetDir: 'ds', outFile: 'farm.proof.json' });
 */
export async function provePlotFile(options: PlotProveOptions): Promise<PlotProveResult> {
  const t0 = performance.now();
  const progress = options.onProgress ?? (() => undefined);
  assertString(options.datasetDir, 'datasetDir', 4096);
  assertString(options.outFile, 'outFile', 4096);
  const profile = options.profile ?? DEFAULT_PLOT_PROFILE;
  assertString(profile, 'profile', 64);
  const cutoffYear = options.cutoffYear ?? EUDR_CUTOFF_YEAR;
  const cutoffCode = lossFromCutoff(cutoffYear);
  if (options.feature !== undefined) assertInteger(options.feature, 'feature', 0, 9_999);
  if (options.ownerSecretFile !== undefined) assertString(options.ownerSecretFile, 'ownerSecretFile', 4096);
  const keysDir = options.keysDir ?? defaultOutDir(profile);
  assertString(keysDir, 'keysDir', 4096);

  // The circuit and its parameters for the profile (an unknown profile is refused here).
  const config = loadConfig();
  getProfile(config, profile);
  const circuit = config.circuits[PLOT_WINDOW_CIRCUIT];
  if (!circuit) bug('provePlotFile', `${PLOT_WINDOW_CIRCUIT} missing from circuits.json`);
  const [k, treeDepth] = circuitParams(circuit, profile) as [number, number];

  // 1. The plot.
  const { plots } = await readPlotFile(options.plotFile);
  let index = options.feature;
  if (index === undefined) {
    if (plots.length !== 1) throw new CanopyError('INVALID_INPUT', `${options.plotFile} holds ${plots.length} plots: choose one with --feature 0..${plots.length - 1} (a proof covers one plot)`);
    index = 0;
  }
  const plot = plots.find((p) => p.index === index);
  if (!plot) throw new CanopyError('INVALID_INPUT', `${options.plotFile} has no feature #${index} (it holds ${plots.length}: 0..${plots.length - 1})`);

  const { openingFile, ownerSecretFile: defaultSecretFile } = plotProofCompanions(options.outFile);
  const ownerSecretFile = options.ownerSecretFile ?? defaultSecretFile;
  // Fail before any work rather than after it: a generated secret is never written over a file.
  if (options.ownerSecretFile === undefined && (await exists(ownerSecretFile))) {
    throw new CanopyError('INVALID_INPUT', `${ownerSecretFile} already exists and is never overwritten: pass it with --owner-secret-file to reuse it, or choose another --out`);
  }

  const ds = await openDataset(options.datasetDir);
  try {
    // 2. The dataset.
    if (ds.tileSize !== PLOT_WINDOW_TILE_SIZE) throw new CanopyError('INVALID_INPUT', `${ds.dir} has ${ds.tileSize}-pixel tiles; plot proofs read ${PLOT_WINDOW_TILE_SIZE}-pixel tiles`);
    if (ds.depth !== treeDepth) {
      const fits = Object.keys(circuit.profiles).filter((p) => circuit.profiles[p]!.treeDepth === ds.depth);
      throw new CanopyError(
        'INVALID_INPUT',
        `${ds.dir} has a dataset tree of depth ${ds.depth}; profile ${profile} proves depth ${treeDepth}${fits.length ? `: use --profile ${fits.join(' or ')}` : ''}`,
      );
    }
    assertPlotInsideGrid(plot.geometry, ds.grid, plot.label);

    // 3. The mask and the verdict.
    const mask = rasterisePlot(plot.geometry, ds.grid, plot.label);
    const pixels = mask.width > 0 ? await readWindow(ds, mask) : null;
    const report = plotReport(plot, mask, pixels, { grid: ds.grid, canopyThreshold: ds.rule.params.canopyThreshold, cutoffYear });
    if (report.verdict !== 'deforestation-free') {
      throw new CanopyError('INVALID_INPUT', `${plot.label} is ${report.verdict === 'undetermined' ? 'undetermined' : 'not deforestation-free'}, so nothing was proven: ${report.reasons.join('; ')}`);
    }
    const windows = windowsForMask(mask, ds.grid, k);
    const span = 1 << k;
    progress(`${plot.label}: ${plural(report.mask.pixels, 'pixel')} in ${plural(windows.length, 'window')} of ${span} × ${span} tiles (profile ${profile}, k = ${k}, tree depth ${treeDepth})`);

    // 4. The keys.
    let setupRan = false;
    const hasKeys = (await exists(`${keysDir}/${MANIFEST_FILE}`)) && Object.hasOwn(readManifest(keysDir).circuits, PLOT_WINDOW_CIRCUIT);
    if (!hasKeys) {
      progress(`no keys for ${PLOT_WINDOW_CIRCUIT} (profile ${profile}) in ${keysDir}: running canopy setup --profile ${profile} --circuit ${PLOT_WINDOW_CIRCUIT} (minutes)`);
      await runSetup({ profile, circuits: [PLOT_WINDOW_CIRCUIT], outDir: keysDir, ...(options.onSetupProgress ? { onProgress: options.onSetupProgress } : {}) });
      setupRan = true;
    }
    const entry = readManifest(keysDir).circuits[PLOT_WINDOW_CIRCUIT]!;
    const artifacts = { zkey: { sha256: entry.files.zkey.sha256 }, vkey: { sha256: entry.files.vkey.sha256 } };

    // 5. The owner.
    let secret: bigint;
    if (options.ownerSecretFile !== undefined) {
      const read = await readOwnerSecret(options.ownerSecretFile);
      if (read.exposed) progress(`warning: ${options.ownerSecretFile} is readable by other users; chmod 600 it`);
      secret = read.secret;
    } else {
      secret = randomFieldElement();
    }
    const key = ownerKey(secret);
    const geometryHash = plotGeometryHash(plot.geometry);

    // 6. The windows.
    const vkey = await loadVerificationKey(PLOT_WINDOW_CIRCUIT, profile, keysDir);
    const proofWindows: PlotProofWindow[] = [];
    const openingWindows: PlotOpeningWindow[] = [];
    const timings: { attestationLeaf: string; seconds: number }[] = [];
    await withCurves(async () => {
      for (const [i, window] of windows.entries()) {
        const w0 = performance.now();
        const tiles = await readTiles(ds, window.tileX0, window.tileY0, span, span);
        const proof = await tileBlockProof(ds, window.tileX0, window.tileY0, k);
        const salt = randomFieldElement();
        const input = plotWindowWitnessInput({ window, tiles, proof, cutoffCode, geometryHash, ownerSecret: secret, salt });
        const maskHash = windowMaskHash(window.mask);
        const leaf = windowAttestationLeaf({ geometryHash, datasetRoot: ds.root, cutoffCode, blockIndex: window.blockIndex, windowMaskHash: maskHash, pixelCount: window.pixelCount, ownerKey: key, salt });
        const result = await proveGroth16(PLOT_WINDOW_CIRCUIT, profile, input, keysDir);
        const want = plotWindowPublicSignals(leaf, ds.root, cutoffCode);
        // The circuit computes what the twin computes, so a difference is a bug on one side.
        if (result.publicSignals.join() !== want.join()) bug('provePlotFile', `window ${i + 1} public signals ${result.publicSignals.join(', ')}, the twin says ${want.join(', ')}`);
        if (!(await verifyGroth16(vkey, result.publicSignals, result.proof))) bug('provePlotFile', `window ${i + 1}: a fresh proof does not verify`);
        const seconds = (performance.now() - w0) / 1000;
        proofWindows.push({ circuit: PLOT_WINDOW_CIRCUIT, profile, artifacts, publicSignals: result.publicSignals, proof: result.proof });
        openingWindows.push({
          blockLog2: k,
          tileX0: window.tileX0,
          tileY0: window.tileY0,
          blockIndex: window.blockIndex,
          pixelCount: window.pixelCount,
          windowMaskHash: fieldToString(maskHash),
          salt: fieldToString(salt),
          attestationLeaf: fieldToString(leaf),
        });
        timings.push({ attestationLeaf: fieldToString(leaf), seconds });
        progress(`window ${i + 1}/${windows.length}: ${plural(window.pixelCount, 'pixel')}, proved in ${seconds.toFixed(1)} s`);
      }
    });

    // 7. The files. The secret first: without it the opening is useless.
    if (options.ownerSecretFile === undefined) await writeOwnerSecret(ownerSecretFile, secret);
    const datasetRoot = fieldToString(ds.root);
    await writeAtomic(options.outFile, formatPlotProofFile({ format: PLOT_PROOF_FORMAT, datasetRoot, cutoffYear, cutoffCode, windows: proofWindows }), 0o644);
    await writeAtomic(
      openingFile,
      formatPlotOpeningFile({
        format: PLOT_OPENING_FORMAT,
        proofFile: basename(options.outFile),
        plot: { label: plot.label, geometry: canonicalPlotGeometry(plot.geometry), geometryHash: fieldToString(geometryHash) },
        datasetRoot,
        cutoffYear,
        cutoffCode,
        circuit: { id: PLOT_WINDOW_CIRCUIT, profile, k, treeDepth },
        mask: { col0: mask.col0, row0: mask.row0, width: mask.width, height: mask.height, pixels: report.mask.pixels, hash: fieldToString(plotMaskHash(mask)), bytes: Buffer.from(serialisePlotMask(mask)).toString('base64') },
        owner: { ownerKey: fieldToString(key), secretFile: ownerSecretFile },
        windows: openingWindows,
      }),
      0o600,
    );
    return {
      proofFile: options.outFile,
      openingFile,
      ownerSecretFile,
      ownerSecretGenerated: options.ownerSecretFile === undefined,
      plot: { label: plot.label, pixels: report.mask.pixels },
      profile,
      circuit: { id: PLOT_WINDOW_CIRCUIT, k, treeDepth },
      datasetRoot,
      cutoffYear,
      cutoffCode,
      windows: timings,
      setupRan,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await closeDataset(ds);
  }
}
