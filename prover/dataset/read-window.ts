/**
 * Reading a committed dataset: pixel windows of the source layers and the committed
 * layer, tile bytes, and proofs for aligned blocks of tiles.
 *
 *     const ds = await openDataset('datasets/hansen-20N-080W');
 *     const { lossYear, treeCover, layer } = await readWindow(ds, { col0, row0, width, height });
 *     const tiles = await readTiles(ds, 0, 0, 4, 4);          // committed tile bytes
 *     const proof = await tileBlockProof(ds, 0, 0, 2);        // block of 4 × 4 tiles
 *     await closeDataset(ds);
 *
 * `openDataset` reads and validates manifest.json and upper-tree.bin (its SHA-256 and
 * size must match the manifest, its top node the root). The source GeoTIFFs are opened on
 * the first read: their size is compared with the manifest, their SHA-256 recomputed
 * (`checkSources: 'lazy'`, the default; `'now'` does it in openDataset; `'never'` skips
 * the hash, for callers that just verified), and their grid compared with the manifest's.
 * A source that no longer matches is refused with ARTIFACT_MISMATCH naming the file.
 *
 * Windows are in pixel coordinates of the dataset grid (column eastwards, row
 * southwards from the upper-left corner, core/geo/grid.ts). A window may extend past the
 * raster; pixels outside it read as 255 (nodata) in all three layers, as the committed
 * tiles pad them.
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { assertInteger, assertString, rangeError } from '../../core/assert.ts';
import { bug, CanopyError } from '../../core/errors.ts';
import { parseField } from '../../core/field.ts';
import type { RasterGrid } from '../../core/geo/grid.ts';
import {
  gridNode,
  gridSiblings,
  mortonSiblings,
  verifyTileBlockProof,
  type TileBlockProof,
  type TileGrid,
} from '../../core/raster/dataset-tree.ts';
import { applyLayerRule, LAYER_NODATA, type LayerRule } from '../../core/raster/layer-rule.ts';
import { mortonEncode } from '../../core/raster/morton.ts';
import { extractTile } from '../../core/raster/tile-leaf.ts';
import { parseUpperTree, type UpperTree } from '../../core/raster/upper-tree.ts';
import type { BandSources } from './_bands.ts';
import { blockLevels } from './_block-hash.ts';
import { fileDigest } from './_file-digest.ts';
import { closeSources, gridDifferences, openSources } from './_sources.ts';
import { MANIFEST_FILE, parseManifest, UPPER_TREE_FILE, type DatasetManifest, type ManifestSource } from './manifest.ts';

/** Largest window `readWindow` reads at once: 2^26 pixels (three 64 MiB arrays). */
export const MAX_WINDOW_PIXELS = 1 << 26;

/** When `openDataset` re-checks the SHA-256 of the source files. */
export type SourceCheck = 'lazy' | 'now' | 'never';

/**
 * An open dataset. Create with `openDataset`, release with `closeDataset`.
 * @throws {CanopyError} from `sources()` when a source file is missing or changed
 * @example const ds = await openDataset('ds'); ds.grid.width; await closeDataset(ds);
 */
export class Dataset {
  /** Absolute path of the dataset directory. */
  readonly dir: string;
  readonly manifest: DatasetManifest;
  readonly grid: RasterGrid;
  readonly rule: LayerRule;
  readonly tileSize: number;
  readonly tiles: TileGrid;
  readonly depth: number;
  readonly root: bigint;
  /** Absolute paths of the source files. */
  readonly sourcePaths: { readonly lossYear: string; readonly treeCover: string };
  /** The stored upper tree (levels ≥ manifest.tree.upperFromLevel). */
  readonly upper: UpperTree;
  readonly #check: SourceCheck;
  #sources: Promise<BandSources> | undefined;
  #closed = false;

  /** @internal use `openDataset` */
  constructor(dir: string, manifest: DatasetManifest, upper: UpperTree, check: SourceCheck) {
    this.dir = dir;
    this.manifest = manifest;
    this.grid = manifest.grid;
    this.rule = manifest.layerRule;
    this.tileSize = manifest.tiles.size;
    this.tiles = { tilesX: manifest.tiles.x, tilesY: manifest.tiles.y };
    this.depth = manifest.tree.depth;
    this.root = parseField(manifest.root, 'manifest.root');
    this.sourcePaths = { lossYear: sourcePath(dir, manifest.sources[0]), treeCover: sourcePath(dir, manifest.sources[1]) };
    this.upper = upper;
    this.#check = check;
  }

  /** @internal the opened, checked source layers (opened on first use) */
  sources(): Promise<BandSources> {
    if (this.#closed) return Promise.reject(new Error('canopy: dataset used after closeDataset'));
    this.#sources ??= this.#openSources();
    return this.#sources;
  }

  /** @internal */
  async close(): Promise<void> {
    this.#closed = true;
    const s = this.#sources;
    this.#sources = undefined;
    if (s) await s.then(closeSources, () => undefined);
  }

  async #openSources(): Promise<BandSources> {
    await Promise.all([0, 1].map((i) => checkSourceFile(this.manifest.sources[i as 0 | 1], i === 0 ? this.sourcePaths.lossYear : this.sourcePaths.treeCover, this.#check !== 'never')));
    const sources = await openSources(this.sourcePaths.lossYear, this.sourcePaths.treeCover);
    const diff = gridDifferences(this.grid, sources.lossYear.grid);
    if (diff.length > 0) {
      await closeSources(sources);
      throw new CanopyError('ARTIFACT_MISMATCH', `${this.sourcePaths.lossYear}: grid differs from the manifest: ${diff.join(', ')}`);
    }
    return sources;
  }
}

function sourcePath(dir: string, source: ManifestSource): string {
  return isAbsolute(source.path) ? source.path : resolve(dir, source.path);
}

/**
 * Checks one source file against its manifest entry: byte size, then (if `hash`) SHA-256.
 * @throws {CanopyError} ARTIFACT_MISMATCH naming the file; NOT_FOUND if it is missing
 */
async function checkSourceFile(entry: ManifestSource, path: string, hash: boolean): Promise<void> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CanopyError('NOT_FOUND', `source ${entry.layer} not found: ${path}`);
    throw e;
  }
  if (size !== entry.bytes) throw new CanopyError('ARTIFACT_MISMATCH', `source ${entry.layer} ${path}: ${size} bytes, the manifest says ${entry.bytes}`);
  if (!hash) return;
  const digest = await fileDigest(path);
  if (digest.sha256 !== entry.sha256) throw new CanopyError('ARTIFACT_MISMATCH', `source ${entry.layer} ${path}: SHA-256 ${digest.sha256}, the manifest says ${entry.sha256}`);
}

/** Options of `openDataset`. */
export interface OpenDatasetOptions {
  /** When to re-hash the source files (default 'lazy': on first read). */
  readonly checkSources?: SourceCheck;
}

/**
 * Opens a dataset directory: reads and validates manifest.json and upper-tree.bin.
 * @param dir - a directory written by `canopy dataset commit`
 * @throws {CanopyError} NOT_FOUND if the manifest is missing; INVALID_INPUT if it or the
 *   upper tree is malformed; ARTIFACT_MISMATCH if the upper tree does not match the
 *   manifest (or, with checkSources 'now', a source file does not)
 * @example const ds = await openDataset('ds'); ds.root; await closeDataset(ds);
 */
export async function openDataset(dir: string, options: OpenDatasetOptions = {}): Promise<Dataset> {
  assertString(dir, 'dir');
  const check = options.checkSources ?? 'lazy';
  if (check !== 'lazy' && check !== 'now' && check !== 'never') rangeError('checkSources', "'lazy', 'now' or 'never'", check);
  const abs = resolve(dir);
  const manifestFile = join(abs, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(manifestFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CanopyError('NOT_FOUND', `${dir} is not a dataset: no ${MANIFEST_FILE}`);
    throw e;
  }
  const manifest = parseManifest(text, manifestFile);
  const upper = await loadUpperTree(abs, manifest);
  const dataset = new Dataset(abs, manifest, upper, check);
  if (check === 'now') await verifySources(dataset);
  return dataset;
}

/**
 * Reads upper-tree.bin and checks it against the manifest: size, SHA-256, shape, root.
 * @throws {CanopyError} NOT_FOUND, INVALID_INPUT or ARTIFACT_MISMATCH naming the file
 * @example const upper = await loadUpperTree('ds', manifest, { recompute: true });
 */
export async function loadUpperTree(dir: string, manifest: DatasetManifest, options: { recompute?: boolean } = {}): Promise<UpperTree> {
  const file = join(dir, UPPER_TREE_FILE);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CanopyError('NOT_FOUND', `${file} is missing`);
    throw e;
  }
  const want = manifest.tree.upperFile;
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== want.bytes || sha !== want.sha256) throw new CanopyError('ARTIFACT_MISMATCH', `${file}: ${bytes.length} bytes with SHA-256 ${sha}, the manifest says ${want.bytes} bytes with ${want.sha256}`);
  let upper: UpperTree;
  try {
    upper = parseUpperTree(bytes, options);
  } catch (e) {
    throw new CanopyError('INVALID_INPUT', `${file}: ${(e as Error).message}`, { cause: e });
  }
  if (upper.grid.tilesX !== manifest.tiles.x || upper.grid.tilesY !== manifest.tiles.y || upper.fromLevel !== manifest.tree.upperFromLevel) {
    throw new CanopyError('ARTIFACT_MISMATCH', `${file}: ${upper.grid.tilesX} × ${upper.grid.tilesY} tiles from level ${upper.fromLevel}, the manifest says ${manifest.tiles.x} × ${manifest.tiles.y} from level ${manifest.tree.upperFromLevel}`);
  }
  const top = upper.levels[upper.levels.length - 1]![0]!;
  if (top.toString() !== manifest.root) throw new CanopyError('ARTIFACT_MISMATCH', `${file}: its root ${top} is not the manifest's root ${manifest.root}`);
  return upper;
}

/**
 * Re-hashes both source files now and compares size and SHA-256 with the manifest.
 * @throws {CanopyError} NOT_FOUND or ARTIFACT_MISMATCH naming the first file that differs
 * @example await verifySources(ds)
 */
export async function verifySources(dataset: Dataset): Promise<void> {
  await checkSourceFile(dataset.manifest.sources[0], dataset.sourcePaths.lossYear, true);
  await checkSourceFile(dataset.manifest.sources[1], dataset.sourcePaths.treeCover, true);
}

/**
 * Releases the dataset's file handles.
 * @throws the file system's error if a handle cannot be closed
 * @example await closeDataset(ds)
 */
export async function closeDataset(dataset: Dataset): Promise<void> {
  await dataset.close();
}

/** A pixel window of the dataset grid. */
export interface PixelWindowSpec {
  /** Left column (may be negative or past the raster: those pixels read as 255). */
  readonly col0: number;
  /** Top row. */
  readonly row0: number;
  readonly width: number;
  readonly height: number;
}

/** The three layers of a window, each width × height bytes, row-major. */
export interface WindowLayers {
  readonly lossYear: Uint8Array;
  readonly treeCover: Uint8Array;
  /** The committed layer: the rule applied to the two sources. */
  readonly layer: Uint8Array;
}

/**
 * Reads a pixel window of both sources and derives the committed layer.
 * @throws {TypeError|RangeError} if the window is not integers, is empty, or exceeds MAX_WINDOW_PIXELS
 * @throws {CanopyError} if a source file is missing, changed, or cannot be decoded
 * @example const { layer } = await readWindow(ds, { col0: 100, row0: 40, width: 32, height: 32 });
 */
export async function readWindow(dataset: Dataset, window: PixelWindowSpec): Promise<WindowLayers> {
  if (!(dataset instanceof Dataset)) rangeError('dataset', 'a Dataset from openDataset', dataset);
  const { col0, row0, width, height } = window;
  assertInteger(col0, 'window.col0', -(2 ** 31), 2 ** 31);
  assertInteger(row0, 'window.row0', -(2 ** 31), 2 ** 31);
  assertInteger(width, 'window.width', 1, MAX_WINDOW_PIXELS);
  assertInteger(height, 'window.height', 1, MAX_WINDOW_PIXELS);
  if (width * height > MAX_WINDOW_PIXELS) rangeError('window', `at most ${MAX_WINDOW_PIXELS} pixels`, width * height);
  const lossYear = new Uint8Array(width * height).fill(LAYER_NODATA);
  const treeCover = new Uint8Array(width * height).fill(LAYER_NODATA);
  // The part of the window inside the raster, half-open: [c0, c1) × [r0, r1).
  const c0 = Math.max(col0, 0);
  const r0 = Math.max(row0, 0);
  const c1 = Math.min(col0 + width, dataset.grid.width);
  const r1 = Math.min(row0 + height, dataset.grid.height);
  if (c0 < c1 && r0 < r1) {
    const sources = await dataset.sources();
    const [loss, cover] = await Promise.all([sources.lossYear.read(c0, r0, c1 - c0, r1 - r0), sources.treeCover.read(c0, r0, c1 - c0, r1 - r0)]);
    const w = c1 - c0;
    for (let r = r0; r < r1; r++) {
      const at = (r - row0) * width + (c0 - col0);
      lossYear.set(loss.subarray((r - r0) * w, (r - r0 + 1) * w), at);
      treeCover.set(cover.subarray((r - r0) * w, (r - r0 + 1) * w), at);
    }
  }
  let layer: Uint8Array;
  try {
    layer = applyLayerRule(dataset.rule, lossYear, treeCover);
  } catch (e) {
    throw new CanopyError('INVALID_INPUT', `${dataset.sourcePaths.treeCover}: ${(e as Error).message}`, { cause: e });
  }
  return { lossYear, treeCover, layer };
}

/**
 * The committed bytes of a rectangle of tiles, row-major over the tiles
 * (result[dy · nTilesX + dx] is tile (tileX0 + dx, tileY0 + dy)), each T² bytes row-major
 * as its leaf hashes them; null for a tile outside the tile grid (its leaf is the empty leaf 0).
 * @throws {TypeError|RangeError} if the rectangle is not integers, starts outside the grid, or is too large
 * @throws {CanopyError} as `readWindow`
 * @example const [t] = await readTiles(ds, 3, 5, 1, 1); // tile (3, 5)
 */
export async function readTiles(dataset: Dataset, tileX0: number, tileY0: number, nTilesX: number, nTilesY: number): Promise<(Uint8Array | null)[]> {
  if (!(dataset instanceof Dataset)) rangeError('dataset', 'a Dataset from openDataset', dataset);
  const { tilesX, tilesY } = dataset.tiles;
  const t = dataset.tileSize;
  assertInteger(tileX0, 'tileX0', 0, tilesX - 1);
  assertInteger(tileY0, 'tileY0', 0, tilesY - 1);
  assertInteger(nTilesX, 'nTilesX', 1, 65536);
  assertInteger(nTilesY, 'nTilesY', 1, 65536);
  const width = Math.min(nTilesX, tilesX - tileX0) * t;
  const height = Math.min(nTilesY, tilesY - tileY0) * t;
  const { layer } = await readWindow(dataset, { col0: tileX0 * t, row0: tileY0 * t, width, height });
  const out: (Uint8Array | null)[] = [];
  for (let dy = 0; dy < nTilesY; dy++) {
    for (let dx = 0; dx < nTilesX; dx++) {
      const inside = tileX0 + dx < tilesX && tileY0 + dy < tilesY;
      out.push(inside ? extractTile(layer, width, height, dx * t, dy * t, t) : null);
    }
  }
  return out;
}

/**
 * A proof that the aligned block of 2^k × 2^k tiles at (tileX0, tileY0) has its subtree
 * root in the dataset tree. Blocks at or above the stored level come from upper-tree.bin
 * alone; a smaller block recomputes the one stored-level block around it from the
 * sources (at most 2^(fromLevel/2) × 2^(fromLevel/2) tiles: 256 × 256 pixels by default)
 * and checks it against the stored node first.
 * @param blockLog2 - k, 0..depth/2
 * @throws {TypeError|RangeError} if k is out of range, the corner is not a multiple of
 *   2^k, or the block lies outside the tile grid
 * @throws {CanopyError} ARTIFACT_MISMATCH if the sources no longer hash to the stored tree
 * @example const p = await tileBlockProof(ds, 16, 0, 4); verifyTileBlockProof(p) // true
 */
export async function tileBlockProof(dataset: Dataset, tileX0: number, tileY0: number, blockLog2: number): Promise<TileBlockProof> {
  if (!(dataset instanceof Dataset)) rangeError('dataset', 'a Dataset from openDataset', dataset);
  const { depth, tiles, upper } = dataset;
  assertInteger(blockLog2, 'blockLog2', 0, depth / 2);
  const span = 2 ** blockLog2;
  assertInteger(tileX0, 'tileX0', 0, tiles.tilesX - 1);
  assertInteger(tileY0, 'tileY0', 0, tiles.tilesY - 1);
  if (tileX0 % span !== 0) rangeError('tileX0', `a multiple of ${span}`, tileX0);
  if (tileY0 % span !== 0) rangeError('tileY0', `a multiple of ${span}`, tileY0);
  const level = 2 * blockLog2;
  const S = upper.fromLevel;
  const gx = tileX0 / span;
  const gy = tileY0 / span;
  let blockRoot: bigint;
  let siblings: bigint[];
  if (level >= S) {
    blockRoot = gridNode(tiles, upper.levels, S, level, gx, gy);
    siblings = gridSiblings(tiles, upper.levels, S, level, gx, gy, depth);
  } else {
    const spanS = 2 ** (S / 2);
    const bx = Math.floor(tileX0 / spanS);
    const by = Math.floor(tileY0 / spanS);
    const px = spanS * dataset.tileSize;
    const { layer } = await readWindow(dataset, { col0: bx * px, row0: by * px, width: px, height: px });
    const levels = blockLevels({ tiles, tileSize: dataset.tileSize, blockLog2: S / 2 }, bx, by, { pixels: layer, col0: bx * px, row0: by * px, width: px, height: px });
    const stored = gridNode(tiles, upper.levels, S, S, bx, by);
    if (levels[S]![0] !== stored) {
      throw new CanopyError('ARTIFACT_MISMATCH', `the sources under block (${bx}, ${by}) of level ${S} no longer hash to the committed tree: run canopy dataset verify ${dataset.dir}`);
    }
    const local = mortonEncode((tileX0 - bx * spanS) / span, (tileY0 - by * spanS) / span);
    blockRoot = levels[level]![local]!;
    siblings = [...mortonSiblings(levels, level, local, S), ...gridSiblings(tiles, upper.levels, S, S, bx, by, depth)];
  }
  const proof: TileBlockProof = { depth, blockLog2, tileX0, tileY0, index: mortonEncode(gx, gy), blockRoot, siblings, root: dataset.root };
  // The stored tree hashes to the root (checked on open), so a failure here is a bug.
  if (!verifyTileBlockProof(proof)) bug('tileBlockProof', `block (${tileX0}, ${tileY0}) k=${blockLog2}`);
  return proof;
}
