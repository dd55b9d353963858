/**
 * The streaming pass over a dataset shared by commit and verify (internal to
 * `prover/dataset`): the raster is read in bands of whole blocks, each band's block
 * roots are computed (by the worker pool, or on this thread), and the caller receives them
 * band by band.
 *
 *     block   = 2^b × 2^b tiles, b = fromLevel / 2 (default fromLevel 8: 16 × 16 tiles,
 *               256 × 256 pixels at T = 16); its root is a node of level fromLevel
 *     band by = block row by: pixel rows [by·2^b·T, (by + 1)·2^b·T) ∩ [0, height)
 *
 * Memory. Two band buffers of width · R bytes (R = 2^b·T rows: 256 by default) are
 * allocated once and reused: while band by is hashed from one, band by + 1 is read into
 * the other. They are SharedArrayBuffers, so the workers read the pixels in place. The
 * read in progress adds two source windows of S rows with the decoder's strips behind
 * them (decoded and compressed: at most 3 · 2 · width · S bytes), S = the whole strips
 * covering READ_ROWS = 64 rows. So
 *
 *     pixel buffers ≤ 2 · width · R + 6 · width · S      (independent of the height)
 *
 * which for Hansen's layout (one row per strip, S = 64, R = 256) is 3.5 · width · R:
 * 3.4 MiB for a 4000-pixel-wide raster, 34 MiB for a 40000-pixel-wide granule. A tiled
 * source is read a whole band at a time (S = R; shorter reads would decode each tile
 * again), plus the part of its tiles that hangs below the band.
 * @module
 */
import { bug, CanopyError } from '../../core/errors.ts';
import type { RasterGrid } from '../../core/geo/grid.ts';
import { datasetTreeDepth, type TileGrid } from '../../core/raster/dataset-tree.ts';
import { applyLayerRule, LAYER_NODATA, type LayerRule } from '../../core/raster/layer-rule.ts';
import { assertTileSize } from '../../core/raster/tile-leaf.ts';
import { assertInteger, rangeError } from '../../core/assert.ts';
import { blockRoots, type BlockShape } from './_block-hash.ts';
import type { HashPool } from './_hash-pool.ts';
import type { RasterSource } from './geotiff-source.ts';

/** Highest level whose nodes are stored in the upper tree by default (blocks of 16 × 16 tiles). */
export const DEFAULT_UPPER_FROM_LEVEL = 8;

/** The fixed geometry of a streaming pass. */
export interface BandPlan extends BlockShape {
  readonly grid: RasterGrid;
  readonly depth: number;
  /** Level of the block roots, = 2 · blockLog2; the upper tree starts here. */
  readonly fromLevel: number;
  /** Pixels on a block's edge: 2^b · T. */
  readonly blockPixels: number;
  /** Blocks per band and bands. */
  readonly blocksX: number;
  readonly blocksY: number;
}

/**
 * The geometry of a dataset's streaming pass.
 * @param upperFromLevel - even level of the block roots (default 8), capped at the tree depth
 * @throws {RangeError} if the tile size is invalid, the grid needs more than 2^16 tiles a
 *   side (tree depth > 32) or upperFromLevel is odd or out of range
 * @example planBands(grid, 16).blocksX
 */
export function planBands(grid: RasterGrid, tileSize: number, upperFromLevel = DEFAULT_UPPER_FROM_LEVEL): BandPlan {
  assertTileSize(tileSize, 'tileSize');
  const tiles: TileGrid = { tilesX: Math.ceil(grid.width / tileSize), tilesY: Math.ceil(grid.height / tileSize) };
  if (tiles.tilesX > 65536 || tiles.tilesY > 65536) {
    rangeError('tileSize', `a tile size giving at most 65536 tiles a side (tree depth ≤ 32) for ${grid.width} × ${grid.height} pixels`, tileSize);
  }
  const depth = datasetTreeDepth(tiles.tilesX, tiles.tilesY);
  assertInteger(upperFromLevel, 'upperFromLevel', 0, 32);
  if (upperFromLevel % 2 !== 0) rangeError('upperFromLevel', 'an even level', upperFromLevel);
  const fromLevel = Math.min(upperFromLevel, depth);
  const blockLog2 = fromLevel / 2;
  const span = 2 ** blockLog2;
  return {
    grid,
    tiles,
    tileSize,
    blockLog2,
    depth,
    fromLevel,
    blockPixels: span * tileSize,
    blocksX: Math.ceil(tiles.tilesX / span),
    blocksY: Math.ceil(tiles.tilesY / span),
  };
}

/** The layer of one band and its histogram. */
export interface Band {
  readonly by: number;
  readonly row0: number;
  readonly rows: number;
  readonly layer: Uint8Array;
  /** Count of each committed value in the band. */
  readonly histogram: Float64Array;
}

/** The two source layers. */
export interface BandSources {
  readonly lossYear: RasterSource;
  readonly treeCover: RasterSource;
}

/** Rows decoded per read within a band (rounded up to whole strips), bounding decoder memory. */
export const READ_ROWS = 64;

// Rows per read: whole strips of both sources, about READ_ROWS; a tiled source reads the
// whole band at once, since a shorter read would decode each tile several times.
function readRows(sources: BandSources, bandRows: number): number {
  const a = sources.lossYear.layout;
  const b = sources.treeCover.layout;
  if (a.tiled || b.tiled) return bandRows;
  const strip = Math.max(a.blockHeight, b.blockHeight);
  return Math.min(bandRows, Math.max(1, Math.ceil(READ_ROWS / strip)) * strip);
}

/**
 * Reads band `by` from both sources, a few strips at a time, and applies the rule.
 * @param out - where the committed layer goes (at least width · rows bytes; default a new array)
 * @throws {CanopyError} INVALID_INPUT naming the file and pixel of a treecover2000 value in 101..254, or a decoding failure
 * @example const band = await readBand(plan, sources, hansenRule(), 0);
 */
export async function readBand(plan: BandPlan, sources: BandSources, rule: LayerRule, by: number, out?: Uint8Array): Promise<Band> {
  const { width, height } = plan.grid;
  const row0 = by * plan.blockPixels;
  const rows = Math.min(plan.blockPixels, height - row0);
  if (out !== undefined && out.length < width * rows) bug('readBand', `output of ${out.length} bytes for ${width * rows}`);
  const layer = out === undefined ? new Uint8Array(width * rows) : out.subarray(0, width * rows);
  const step = readRows(sources, rows);
  for (let r = 0; r < rows; r += step) {
    const n = Math.min(step, rows - r);
    // One file after the other: decoding runs on this thread either way, and this halves
    // the decoder's peak memory.
    const lossYear = await sources.lossYear.read(0, row0 + r, width, n);
    const treeCover = await sources.treeCover.read(0, row0 + r, width, n);
    try {
      applyLayerRule(rule, lossYear, treeCover, layer.subarray(r * width, (r + n) * width));
    } catch (e) {
      // The rule refuses a cover byte in 101..254; name the file and the pixel.
      const i = treeCover.findIndex((c) => c > 100 && c !== LAYER_NODATA);
      if (i < 0) throw e;
      throw new CanopyError('INVALID_INPUT', `${sources.treeCover.path}: pixel (col ${i % width}, row ${row0 + r + Math.floor(i / width)}) is ${treeCover[i]}, not a treecover2000 percentage 0..100 nor nodata 255`, { cause: e });
    }
  }
  const histogram = new Float64Array(256);
  for (let i = 0; i < layer.length; i++) histogram[layer[i]!]!++;
  return { by, row0, rows, layer, histogram };
}

/**
 * Roots of the blocks of one band, in block order, on the pool's workers or, without a
 * pool, on this thread.
 * @throws {CanopyError} if a worker fails
 * @example const roots = await hashBand(plan, band, null); // plan.blocksX roots
 */
export async function hashBand(plan: BandPlan, band: Band, pool: HashPool | null): Promise<bigint[]> {
  const window = { pixels: band.layer, col0: 0, row0: band.row0, width: plan.grid.width, height: band.rows };
  if (pool === null) return blockRoots(plan, 0, band.by, plan.blocksX, window);
  // A few jobs per worker per band, so that uneven jobs still keep every worker busy. Every
  // job gets the whole band: its pixels live in a SharedArrayBuffer, so nothing is copied.
  const perJob = Math.max(1, Math.ceil(plan.blocksX / (pool.size * 4)));
  const shape: BlockShape = { tiles: plan.tiles, tileSize: plan.tileSize, blockLog2: plan.blockLog2 };
  const jobs: Promise<bigint[]>[] = [];
  for (let bx0 = 0; bx0 < plan.blocksX; bx0 += perJob) {
    jobs.push(pool.run({ shape, bx0, by: band.by, count: Math.min(perJob, plan.blocksX - bx0), window }));
  }
  return (await Promise.all(jobs)).flat();
}

/** Options of `hashBands`. */
export interface HashBandsOptions {
  /** First band to hash (bands before it were done earlier). */
  readonly startBand: number;
  readonly pool: HashPool | null;
  readonly signal?: AbortSignal;
  /** Called once per band, in order; the next band is not reported before it returns. */
  readonly onBand: (band: Band, roots: bigint[]) => Promise<void> | void;
}

/**
 * Hashes bands startBand..blocksY − 1 and reports them in order. Band by + 1 is read while
 * band by is hashed, and band by's jobs are queued before band by − 1 is awaited, so a
 * worker that finishes its last job of one band finds the next band's jobs waiting.
 * @throws the signal's reason if aborted between bands (no band is reported after it);
 *   errors of `readBand`/`hashBand`
 * @example await hashBands(plan, sources, rule, { startBand: 0, pool: null, onBand: (band, roots) => store(band.by, roots) });
 */
export async function hashBands(plan: BandPlan, sources: BandSources, rule: LayerRule, options: HashBandsOptions): Promise<void> {
  const { startBand, pool, signal, onBand } = options;
  assertInteger(startBand, 'startBand', 0, plan.blocksY);
  // Two band buffers, reused: band by is read into slots[by % 2] while band by − 1 is hashed
  // from the other. Band by + 1 is read into slot (by + 1) % 2 only after band by − 1 was
  // hashed and reported, so a slot is never overwritten while the workers read it. Shared,
  // so workers see the pixels without a copy, and allocated once, so memory does not wait
  // for any thread's collector.
  const size = plan.grid.width * Math.min(plan.blockPixels, plan.grid.height);
  const slots = [new Uint8Array(new SharedArrayBuffer(size)), new Uint8Array(new SharedArrayBuffer(size))];
  const read = (by: number) => readBand(plan, sources, rule, by, slots[by % 2]);
  // Bands being hashed, oldest first; at most two (one per slot).
  const hashing: { band: Band; roots: Promise<bigint[]> }[] = [];
  const report = async () => {
    const { band, roots } = hashing.shift()!;
    const done = await roots;
    signal?.throwIfAborted();
    await onBand(band, done);
  };
  let next: Promise<Band> | null = startBand < plan.blocksY ? read(startBand) : null;
  try {
    for (let by = startBand; by < plan.blocksY; by++) {
      signal?.throwIfAborted();
      const band: Band = await next!;
      next = null;
      const roots = hashBand(plan, band, pool);
      // Awaited in order by report(); until then a failure must not count as unhandled.
      roots.catch(() => undefined);
      hashing.push({ band, roots });
      if (hashing.length === 2) await report();
      if (by + 1 < plan.blocksY) next = read(by + 1);
    }
    while (hashing.length > 0) await report();
  } finally {
    // A prefetch abandoned by an error or an abort must not surface as an unhandled rejection.
    next?.catch(() => undefined);
    for (const h of hashing) h.roots.catch(() => undefined);
  }
}
