/**
 * `commitDataset`: commits a Hansen lossyear + treecover2000 pair to a dataset root and
 * writes the dataset directory:
 *
 *     DIR/manifest.json        canonical JSON (manifest.ts), written last: its presence
 *                              marks a complete dataset
 *     DIR/upper-tree.bin       tree levels ≥ fromLevel (core/raster/upper-tree.ts)
 *     DIR/.partial-commit/     work in progress, removed at the end:
 *         checkpoint.json      { format, key, bandsDone, histogram }
 *         blocks.bin           block roots of finished bands, 32 bytes each, band by band
 *
 * Streaming: the raster is read and hashed in bands of whole blocks (`_bands.ts`), tile
 * leaves hashed by worker threads (`_hash-pool.ts`), so memory stays within the bound of
 * `_bands.ts` plus 32 bytes per block root (0.8 MB for a 40000² granule).
 *
 * Restartable: after each band its block roots are appended to blocks.bin and then the
 * checkpoint is replaced (write to a temporary name, rename). A rerun with the same
 * inputs (same source SHA-256, grid, rule, tile size, upper level: the checkpoint `key`)
 * resumes after the last recorded band, ignoring any roots past it; a rerun with other
 * inputs discards the partial state. The final files are written inside the partial
 * directory and renamed into DIR, upper tree first, manifest last, so an interrupted
 * commit never leaves a manifest that names a missing or half-written tree. A DIR that
 * already holds a manifest is refused rather than overwritten.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { canonicalJson } from '../../core/canonical-json.ts';
import { DOMAIN_NAMES } from '../../core/domain.ts';
import { bug, CanopyError } from '../../core/errors.ts';
import { fieldToString } from '../../core/field.ts';
import { gridLevels } from '../../core/raster/dataset-tree.ts';
import { DEFAULT_CANOPY_THRESHOLD, hansenRule, type LayerRule } from '../../core/raster/layer-rule.ts';
import { DEFAULT_TILE_SIZE } from '../../core/raster/tile-leaf.ts';
import { serializeUpperTree } from '../../core/raster/upper-tree.ts';
import { DEFAULT_UPPER_FROM_LEVEL, hashBands, planBands, type BandPlan } from './_bands.ts';
import { fileDigest, type FileDigest } from './_file-digest.ts';
import { defaultWorkerCount, HashPool } from './_hash-pool.ts';
import { closeSources, openSources } from './_sources.ts';
import {
  DATASET_FORMAT,
  formatManifest,
  HANSEN_ATTRIBUTION,
  MANIFEST_FILE,
  TILE_ORDER,
  toolVersion,
  TREE_HASH,
  UPPER_TREE_FILE,
  type DatasetManifest,
  type ManifestSource,
} from './manifest.ts';

/** Name of the work-in-progress directory inside DIR. */
export const PARTIAL_DIR = '.partial-commit';
const CHECKPOINT_FORMAT = 'canopy-dataset-checkpoint/1';
const ROOT_BYTES = 32;

/** Below this many tiles the commit hashes on the main thread: starting workers would cost more. */
export const MIN_TILES_FOR_WORKERS = 4096;

/** Progress of a streaming pass (commit or verify). */
export interface DatasetProgress {
  readonly phase: 'digest' | 'bands' | 'done';
  readonly bandsDone: number;
  readonly bands: number;
  /** Pixels hashed so far in this run (resumed bands excluded). */
  readonly pixelsDone: number;
  /** Pixels this run has to hash. */
  readonly pixelsTotal: number;
  /** Bands taken from a checkpoint. */
  readonly resumedBands: number;
  readonly elapsedSeconds: number;
}

/** Options of `commitDataset`. */
export interface CommitOptions {
  /** Hansen lossyear GeoTIFF. */
  readonly lossYear: string;
  /** Hansen treecover2000 GeoTIFF, on the same grid. */
  readonly treeCover: string;
  /** Dataset directory (created if missing; must not hold a manifest yet). */
  readonly outDir: string;
  /** Rule threshold, percent (default 10). */
  readonly canopyThreshold?: number;
  /** Tile edge, a power of two 1..16 (default 16). */
  readonly tileSize?: number;
  /** Lowest stored tree level, even (default 8, capped at the depth). */
  readonly upperFromLevel?: number;
  /** Hashing workers; 0 hashes on this thread (default: one per core, 0 for rasters under MIN_TILES_FOR_WORKERS tiles). */
  readonly workers?: number;
  /** Stops between bands; the checkpoint stays for a rerun. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: DatasetProgress) => void;
}

/** What a commit produced. */
export interface CommitResult {
  readonly dir: string;
  readonly manifest: DatasetManifest;
  readonly root: bigint;
  /** SHA-256 of manifest.json, hex. */
  readonly manifestSha256: string;
  /** Pixels of the raster. */
  readonly pixels: number;
  readonly seconds: number;
  /** Pixels hashed per second in this run (resumed bands excluded). */
  readonly pixelsPerSecond: number;
  readonly resumedBands: number;
  readonly workers: number;
}

interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  key: string;
  bandsDone: number;
  histogram: number[];
}

/**
 * Commits the pair of source layers to a dataset directory (see the module doc).
 * @throws {CanopyError} INVALID_INPUT if a source is invalid (naming it), the two grids
 *   differ, or DIR already holds a dataset; the signal's reason if aborted (rerun resumes)
 * @throws {TypeError|RangeError} for an invalid threshold, tile size or worker count
 * @example
 * const r = await commitDataset({ lossYear: 'lossyear.tif', treeCover: 'treecover2000.tif', outDir: 'ds' });
 * r.manifest.root // decimal dataset root
 */
export async function commitDataset(options: CommitOptions): Promise<CommitResult> {
  const started = performance.now();
  const rule = hansenRule(options.canopyThreshold ?? DEFAULT_CANOPY_THRESHOLD);
  const tileSize = options.tileSize ?? DEFAULT_TILE_SIZE;
  const dir = resolve(options.outDir);
  if (existsSync(join(dir, MANIFEST_FILE))) {
    throw new CanopyError('INVALID_INPUT', `${options.outDir} already holds a dataset (${MANIFEST_FILE}); choose another --out or remove it`);
  }
  const sources = await openSources(options.lossYear, options.treeCover);
  let pool: HashPool | null = null;
  try {
    const plan = planBands(sources.lossYear.grid, tileSize, options.upperFromLevel ?? DEFAULT_UPPER_FROM_LEVEL);
    const progress = progressReporter(plan, options.onProgress, started);
    progress('digest', 0, 0);
    const [lossDigest, coverDigest] = await Promise.all([fileDigest(options.lossYear), fileDigest(options.treeCover)]);
    const key = checkpointKey(lossDigest, coverDigest, plan, rule);
    const partial = join(dir, PARTIAL_DIR);
    await mkdir(partial, { recursive: true });
    const state = await loadCheckpoint(partial, key, plan.blocksX);
    const roots = state.roots;
    const histogram = state.histogram;
    const resumedBands = state.bandsDone;
    const workers = options.workers ?? (plan.tiles.tilesX * plan.tiles.tilesY < MIN_TILES_FOR_WORKERS ? 0 : defaultWorkerCount());
    if (!Number.isSafeInteger(workers) || workers < 0 || workers > 64) throw new RangeError(`"workers" expected integer in [0, 64], got ${workers}`);
    pool = workers > 0 && resumedBands < plan.blocksY ? new HashPool(workers) : null;
    let pixelsDone = 0;
    progress('bands', resumedBands, 0, resumedBands);
    await hashBands(plan, sources, rule, {
      startBand: resumedBands,
      pool,
      signal: options.signal,
      onBand: async (band, bandRoots) => {
        if (bandRoots.length !== plan.blocksX) bug('commitDataset', `band ${band.by} gave ${bandRoots.length} roots, want ${plan.blocksX}`);
        roots.push(...bandRoots);
        for (let v = 0; v < 256; v++) histogram[v]! += band.histogram[v]!;
        await appendFile(join(partial, 'blocks.bin'), encodeRoots(bandRoots));
        await writeCheckpoint(partial, { format: CHECKPOINT_FORMAT, key, bandsDone: band.by + 1, histogram });
        pixelsDone += band.rows * plan.grid.width;
        progress('bands', band.by + 1, pixelsDone, resumedBands);
      },
    });
    if (roots.length !== plan.blocksX * plan.blocksY) bug('commitDataset', `${roots.length} block roots, want ${plan.blocksX * plan.blocksY}`);
    const levels = gridLevels(plan.tiles, plan.fromLevel, roots);
    const root = levels[levels.length - 1]![0]!;
    const upperBytes = serializeUpperTree({ grid: plan.tiles, depth: plan.depth, fromLevel: plan.fromLevel, levels });
    const manifest = buildManifest(dir, plan, rule, root, histogram, upperBytes, [
      { path: options.lossYear, digest: lossDigest },
      { path: options.treeCover, digest: coverDigest },
    ]);
    const text = formatManifest(manifest);
    await writeFile(join(partial, UPPER_TREE_FILE), upperBytes);
    await writeFile(join(partial, MANIFEST_FILE), text);
    await rename(join(partial, UPPER_TREE_FILE), join(dir, UPPER_TREE_FILE));
    await rename(join(partial, MANIFEST_FILE), join(dir, MANIFEST_FILE));
    await rm(partial, { recursive: true, force: true });
    const seconds = (performance.now() - started) / 1000;
    progress('done', plan.blocksY, pixelsDone, resumedBands);
    return {
      dir,
      manifest,
      root,
      manifestSha256: createHash('sha256').update(text).digest('hex'),
      pixels: plan.grid.width * plan.grid.height,
      seconds,
      pixelsPerSecond: pixelsDone / seconds,
      resumedBands,
      workers: pool?.size ?? 0,
    };
  } finally {
    await pool?.close();
    await closeSources(sources);
  }
}

/**
 * A progress callback bound to a plan: reports bands and pixels of this run.
 * @throws whatever `onProgress` throws
 * @example const p = progressReporter(plan, onProgress, performance.now()); p('bands', 3, 3 * 256 * width, 0);
 */
export function progressReporter(plan: BandPlan, onProgress: ((p: DatasetProgress) => void) | undefined, started: number) {
  return (phase: DatasetProgress['phase'], bandsDone: number, pixelsDone: number, resumedBands = 0): void => {
    if (!onProgress) return;
    const resumedRows = Math.min(plan.grid.height, resumedBands * plan.blockPixels);
    onProgress({
      phase,
      bandsDone,
      bands: plan.blocksY,
      pixelsDone,
      pixelsTotal: (plan.grid.height - resumedRows) * plan.grid.width,
      resumedBands,
      elapsedSeconds: (performance.now() - started) / 1000,
    });
  };
}

function checkpointKey(loss: FileDigest, cover: FileDigest, plan: BandPlan, rule: LayerRule): string {
  const what = { loss: loss.sha256, cover: cover.sha256, grid: { ...plan.grid }, rule: { name: rule.name, params: { ...rule.params } }, tileSize: plan.tileSize, fromLevel: plan.fromLevel };
  return createHash('sha256').update(canonicalJson(what)).digest('hex');
}

function encodeRoots(roots: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(roots.length * ROOT_BYTES);
  roots.forEach((r, i) => out.set(Buffer.from(r.toString(16).padStart(64, '0'), 'hex'), i * ROOT_BYTES));
  return out;
}

function decodeRoots(bytes: Uint8Array, count: number): bigint[] {
  const roots: bigint[] = [];
  for (let i = 0; i < count; i++) roots.push(BigInt(`0x${Buffer.from(bytes.subarray(i * ROOT_BYTES, (i + 1) * ROOT_BYTES)).toString('hex')}`));
  return roots;
}

async function writeCheckpoint(partial: string, checkpoint: Checkpoint): Promise<void> {
  const tmp = join(partial, 'checkpoint.json.tmp');
  await writeFile(tmp, JSON.stringify(checkpoint));
  await rename(tmp, join(partial, 'checkpoint.json'));
}

// Restores finished bands from a checkpoint of the same inputs, or clears the partial state.
async function loadCheckpoint(partial: string, key: string, blocksX: number): Promise<{ bandsDone: number; roots: bigint[]; histogram: number[] }> {
  const fresh = { bandsDone: 0, roots: [] as bigint[], histogram: new Array<number>(256).fill(0) };
  const blocksFile = join(partial, 'blocks.bin');
  let checkpoint: Checkpoint | undefined;
  try {
    checkpoint = JSON.parse(await readFile(join(partial, 'checkpoint.json'), 'utf8')) as Checkpoint;
  } catch {
    checkpoint = undefined;
  }
  const usable =
    checkpoint !== undefined &&
    checkpoint.format === CHECKPOINT_FORMAT &&
    checkpoint.key === key &&
    Number.isSafeInteger(checkpoint.bandsDone) &&
    checkpoint.bandsDone >= 0 &&
    Array.isArray(checkpoint.histogram) &&
    checkpoint.histogram.length === 256 &&
    checkpoint.histogram.every((n) => Number.isSafeInteger(n) && n >= 0);
  if (usable) {
    const need = checkpoint!.bandsDone * blocksX * ROOT_BYTES;
    const bytes = existsSync(blocksFile) ? await readFile(blocksFile) : new Uint8Array(0);
    if (bytes.length >= need) {
      // Roots past the checkpoint belong to a band whose checkpoint was never written.
      if (bytes.length > need) await truncate(blocksFile, need);
      return { bandsDone: checkpoint!.bandsDone, roots: decodeRoots(bytes, checkpoint!.bandsDone * blocksX), histogram: checkpoint!.histogram };
    }
  }
  await rm(blocksFile, { force: true });
  await rm(join(partial, 'checkpoint.json'), { force: true });
  return fresh;
}

function manifestPath(dir: string, file: string): string {
  const abs = resolve(file);
  const rel = relative(dir, abs);
  // Relative to DIR when one exists (same volume), with POSIX separators; absolute otherwise.
  if (rel === '' || isAbsolute(rel)) return abs;
  return rel.split(sep).join('/');
}

function buildManifest(
  dir: string,
  plan: BandPlan,
  rule: LayerRule,
  root: bigint,
  histogram: readonly number[],
  upperBytes: Uint8Array,
  files: readonly { path: string; digest: FileDigest }[],
): DatasetManifest {
  const source = (i: 0 | 1, layer: ManifestSource['layer']): ManifestSource => ({
    layer,
    name: basename(files[i]!.path),
    path: manifestPath(dir, files[i]!.path),
    sha256: files[i]!.digest.sha256,
    bytes: files[i]!.digest.bytes,
  });
  const hist: Record<string, number> = {};
  histogram.forEach((n, v) => {
    if (n > 0) hist[String(v)] = n;
  });
  return {
    format: DATASET_FORMAT,
    attribution: HANSEN_ATTRIBUTION,
    crs: 'EPSG:4326',
    grid: { ...plan.grid },
    sources: [source(0, 'lossyear'), source(1, 'treecover2000')],
    layerRule: { name: rule.name, params: { ...rule.params } },
    nodata: 255,
    tiles: { order: TILE_ORDER, size: plan.tileSize, x: plan.tiles.tilesX, y: plan.tiles.tilesY },
    tree: {
      depth: plan.depth,
      hash: TREE_HASH,
      leafTag: DOMAIN_NAMES.DATASET_TILE,
      nodeTag: DOMAIN_NAMES.MERKLE_NODE,
      upperFromLevel: plan.fromLevel,
      upperFile: { name: UPPER_TREE_FILE, sha256: createHash('sha256').update(upperBytes).digest('hex'), bytes: upperBytes.length },
    },
    root: fieldToString(root),
    histogram: hist,
    tool: { name: 'canopy', version: toolVersion() },
  };
}
