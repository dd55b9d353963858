/**
 * The full-granule benchmark: commits a synthetic Hansen granule pair — lossyear and
 * treecover2000, N × N pixels (default 40000, a whole granule), LZW with one row per
 * strip, as Hansen writes them (`_lzw-tiff-writer.ts`) — with `commitDataset` and the
 * default parameters (threshold 10, tile 16, stored levels ≥ 8, one worker per core), and
 * measures it against the product's targets: a whole granule in under 30 minutes on 2
 * cores with under 1 GB peak memory (RSS).
 *
 *     CANOPY_BENCH_GRANULE=40000 npm run bench -- granule     (N; default 40000)
 *     CANOPY_BENCH_QUICK=1 npm run bench -- granule           (default N = 2048)
 *
 * Method.
 * - Content (deterministic from SEED): treecover2000 from two octaves of value noise —
 *   water (0), sparse cover (runs of 0..14) and forest (40..100 with per-pixel jitter of
 *   ±3) — and a corner of nodata (255 in both layers); lossyear 0 except sparse discs of
 *   one loss year 1..23 (0..3 per 256 × 256 cell, radius 3..40 pixels). So the files
 *   compress about as real granules do: long runs, smooth areas and noisy forest.
 * - The commit runs in a child process (`node --import tsx` this file), so its peak RSS
 *   (getrusage maxrss: main thread and workers together) counts nothing of the generator
 *   or of other benchmarks. Time is the wall time of `commitDataset` (SHA-256 of both
 *   files, reading, decoding, the rule, tile leaves, the tree, writing the directory);
 *   CPU time is user + system of the whole child process; the 1-minute load average is
 *   sampled during the commit, since the machine may be shared.
 * - Baseline: the same pipeline with circomlibjs' Poseidon (devDependency) in place of
 *   Canopy's, measured in the same run on a slice — the first band of 256 rows across the
 *   whole width — because hashing a whole granule twice would take hours: one thread,
 *   decoding and the rule (`readBand`) then the blocks' leaves and subtrees
 *   (`blockRoots`) with each hash, after an untimed warm-up, timed in CPU seconds,
 *   alternating, and both checked equal to the block roots the commit stored.
 *   Extrapolated to the granule as the commit's time plus the extra hashing CPU time per
 *   tile × tiles / workers.
 * - N < 40000: the full-granule time is this run's plus the missing pixels at the run's
 *   steady rate (between the first and the last band, so worker start-up counts once),
 *   and the output says so. Peak RSS does not grow with the height, only with the width.
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { arch, availableParallelism, cpus, loadavg, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPoseidon } from 'circomlibjs';
import { DOMAIN_TAGS } from '../../core/domain.ts';
import { hansenRule } from '../../core/raster/layer-rule.ts';
import { packBytes } from '../../core/pack-bytes.ts';
import { parseUpperTree } from '../../core/raster/upper-tree.ts';
import { planBands, readBand } from '../../prover/dataset/_bands.ts';
import { blockRoots, CANOPY_TILE_HASHER, type TileHasher } from '../../prover/dataset/_block-hash.ts';
import { closeSources, openSources } from '../../prover/dataset/_sources.ts';
import { commitDataset } from '../../prover/dataset/commit.ts';
import { LzwGeoTiffWriter } from './_lzw-tiff-writer.ts';

/** A Hansen granule's edge in pixels, and the targets for one. */
const GRANULE_PIXELS = 40000;
const TARGET_SECONDS = 30 * 60;
const TARGET_RSS_BYTES = 1e9;
const QUICK_SIZE = 2048;
const SEED = 2024;
/** Granule 20N_080W: upper-left (-80°, 20°), Hansen's stored pixel scale. */
const GEO = { originLon: -80, originLat: 20, pixelScale: [0.0002500000000000095, 0.0002500000000000041] as [number, number] };
const MiB = 1024 * 1024;
const round = (x: number, digits = 0) => Number(x.toFixed(digits));

// ---------------------------------------------------------------------------------------
// Synthetic content

/** A 32-bit integer hash of (seed, a, b), well mixed (murmur3 finaliser). */
function hash3(seed: number, a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ 0x5bd1e995, 0x85ebca77) ^ Math.imul(seed, 0xc2b2ae3d);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** One octave of value noise: random lattice values every `cell` pixels, smoothstep-interpolated. */
class ValueNoise {
  readonly #cell: number;
  readonly #seed: number;
  readonly #weights: Float64Array;
  readonly #column: Float64Array;

  constructor(cell: number, seed: number, width: number) {
    this.#cell = cell;
    this.#seed = seed;
    this.#weights = Float64Array.from({ length: cell }, (_, i) => {
      const t = i / cell;
      return t * t * (3 - 2 * t);
    });
    this.#column = new Float64Array(Math.ceil(width / cell) + 2);
  }

  /** Adds weight · noise(x, y) for x in [0, out.length) to `out`. */
  addRow(y: number, weight: number, out: Float64Array): void {
    const cell = this.#cell;
    const gy = Math.floor(y / cell);
    const wy = this.#weights[y - gy * cell]!;
    const col = this.#column;
    const lattice = (gx: number, g: number) => hash3(this.#seed, gx, g) / 2 ** 32;
    for (let gx = 0; gx < col.length; gx++) col[gx] = lattice(gx, gy) * (1 - wy) + lattice(gx, gy + 1) * wy;
    for (let x = 0; x < out.length; x++) {
      const gx = Math.floor(x / cell);
      const wx = this.#weights[x - gx * cell]!;
      out[x]! += weight * (col[gx]! * (1 - wx) + col[gx + 1]! * wx);
    }
  }
}

interface Blob {
  readonly cx: number;
  readonly cy: number;
  readonly r: number;
  readonly year: number;
}

/**
 * Rows of a synthetic granule from a seed (see the module doc): any row can be made on
 * its own, and rows in order reuse the loss discs of the current 256-row cell band.
 * @throws never
 * @example const g = new SyntheticGranule(2048, 2024); g.row(0, lossRow, coverRow);
 */
export class SyntheticGranule {
  readonly size: number;
  readonly #seed: number;
  readonly #coarse: ValueNoise;
  readonly #fine: ValueNoise;
  readonly #field: Float64Array;
  #blobRow = Number.NaN;
  #blobs: Blob[] = [];

  constructor(size: number, seed: number) {
    this.size = size;
    this.#seed = seed;
    this.#coarse = new ValueNoise(2048, seed + 1, size);
    this.#fine = new ValueNoise(256, seed + 2, size);
    this.#field = new Float64Array(size);
  }

  /** Fills row y of both layers. */
  row(y: number, lossYear: Uint8Array, treeCover: Uint8Array): void {
    const n = this.size;
    const f = this.#field.fill(0);
    this.#coarse.addRow(y, 0.65, f);
    this.#fine.addRow(y, 0.35, f);
    for (let x = 0; x < n; x++) {
      const v = f[x]!;
      let cover: number;
      if (v < 0.3) cover = 0; // water and bare ground: long runs of 0
      else if (v < 0.45) cover = Math.floor(((v - 0.3) / 0.15) * 15); // sparse trees, smooth
      else cover = Math.min(100, 40 + Math.floor(((v - 0.45) / 0.4) * 60) + (hash3(this.#seed, x, y) >>> 29) - 3); // forest, noisy
      treeCover[x] = cover < 0 ? 0 : cover;
    }
    lossYear.fill(0);
    for (const b of this.#blobsNear(y)) {
      const dy = y - b.cy;
      if (dy * dy > b.r * b.r) continue;
      const half = Math.floor(Math.sqrt(b.r * b.r - dy * dy));
      lossYear.fill(b.year, Math.max(0, b.cx - half), Math.min(n, b.cx + half + 1));
    }
    // A nodata corner (an ocean edge), 255 in both layers: x + y ≥ 2n − n/16.
    const edge = 2 * n - Math.floor(n / 16) - y;
    if (edge < n) {
      lossYear.fill(255, Math.max(0, edge));
      treeCover.fill(255, Math.max(0, edge));
    }
  }

  // The loss discs of the 256-pixel cell rows around y (a radius is < 256).
  #blobsNear(y: number): Blob[] {
    const cy = Math.floor(y / 256);
    if (cy === this.#blobRow) return this.#blobs;
    this.#blobRow = cy;
    this.#blobs = [];
    for (let gy = cy - 1; gy <= cy + 1; gy++) {
      if (gy < 0) continue;
      for (let gx = 0; gx * 256 < this.size; gx++) {
        const h = hash3(this.#seed + 3, gx, gy);
        for (let k = 0; k < (h & 3); k++) {
          const g = hash3(this.#seed + 4 + k, gx, gy);
          this.#blobs.push({ cx: gx * 256 + (g & 255), cy: gy * 256 + ((g >>> 8) & 255), r: 3 + ((g >>> 16) % 38), year: 1 + ((g >>> 24) % 23) });
        }
      }
    }
    return this.#blobs;
  }
}

/** The written pair and what writing it took. */
export interface GranuleFiles {
  readonly lossYear: string;
  readonly treeCover: string;
  readonly lossYearBytes: number;
  readonly treeCoverBytes: number;
  readonly seconds: number;
}

/**
 * Writes a synthetic granule pair into `dir`, row by row (memory independent of the size).
 * @throws the file system's error if `dir` is not writable
 * @example const files = writeSyntheticGranule(tmp, 2048, 2024);
 */
export function writeSyntheticGranule(dir: string, size: number, seed: number): GranuleFiles {
  const started = performance.now();
  const paths = { lossYear: join(dir, 'synthetic_lossyear.tif'), treeCover: join(dir, 'synthetic_treecover2000.tif') };
  const loss = LzwGeoTiffWriter.create(paths.lossYear, { width: size, height: size, ...GEO });
  const cover = LzwGeoTiffWriter.create(paths.treeCover, { width: size, height: size, ...GEO });
  const granule = new SyntheticGranule(size, seed);
  const lossRow = new Uint8Array(size);
  const coverRow = new Uint8Array(size);
  for (let y = 0; y < size; y++) {
    granule.row(y, lossRow, coverRow);
    loss.writeRow(lossRow);
    cover.writeRow(coverRow);
  }
  const [a, b] = [loss.close(), cover.close()];
  return { ...paths, lossYearBytes: a.bytes, treeCoverBytes: b.bytes, seconds: (performance.now() - started) / 1000 };
}

// ---------------------------------------------------------------------------------------
// The commit, in a child process

/** What the child process reports. */
interface CommitReport {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  readonly sampledPeakRssBytes: number;
  readonly workers: number;
  readonly root: string;
  readonly tiles: number;
  readonly bands: number;
  readonly load1m: { readonly min: number; readonly mean: number; readonly max: number };
  /** Pixels per second between the first and the last band (worker start-up and the file digests excluded). */
  readonly steadyPixelsPerSecond: number | null;
}

// Child side: commit, sample RSS and load, print the report as the last stdout line.
async function commitChild(lossYear: string, treeCover: string, outDir: string): Promise<void> {
  const rssSamples: number[] = [];
  const loads: number[] = [loadavg()[0]!];
  const sampler = setInterval(() => rssSamples.push(process.memoryUsage.rss()), 1000);
  const loadSampler = setInterval(() => loads.push(loadavg()[0]!), 10_000);
  let lastPrint = 0;
  let firstBand: { seconds: number; pixels: number } | null = null;
  let lastBand: { seconds: number; pixels: number } | null = null;
  const cpu0 = process.cpuUsage();
  try {
    const r = await commitDataset({
      lossYear,
      treeCover,
      outDir,
      onProgress: (p) => {
        if (p.phase !== 'bands' || p.bandsDone === 0) return;
        lastBand = { seconds: p.elapsedSeconds, pixels: p.pixelsDone };
        firstBand ??= lastBand;
        if (p.elapsedSeconds - lastPrint < 30) return;
        lastPrint = p.elapsedSeconds;
        const eta = (p.elapsedSeconds / p.pixelsDone) * (p.pixelsTotal - p.pixelsDone);
        process.stderr.write(
          `granule: band ${p.bandsDone}/${p.bands}, ${p.elapsedSeconds.toFixed(0)} s, ETA ${eta.toFixed(0)} s, ` +
            `rss ${(process.memoryUsage.rss() / MiB).toFixed(0)} MiB, load ${loadavg()[0]!.toFixed(1)}\n`,
        );
      },
    });
    const cpu = process.cpuUsage(cpu0);
    loads.push(loadavg()[0]!);
    const report: CommitReport = {
      seconds: r.seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      // getrusage maxrss is in KiB on Linux.
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      sampledPeakRssBytes: Math.max(0, ...rssSamples),
      workers: r.workers,
      root: r.manifest.root,
      tiles: r.manifest.tiles.x * r.manifest.tiles.y,
      bands: Math.ceil(r.manifest.tiles.y / 16),
      load1m: { min: Math.min(...loads), mean: loads.reduce((a, b) => a + b, 0) / loads.length, max: Math.max(...loads) },
      steadyPixelsPerSecond: steadyRate(firstBand, lastBand),
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    clearInterval(sampler);
    clearInterval(loadSampler);
  }
}

function steadyRate(first: { seconds: number; pixels: number } | null, last: { seconds: number; pixels: number } | null): number | null {
  if (first === null || last === null || last.seconds <= first.seconds) return null;
  return (last.pixels - first.pixels) / (last.seconds - first.seconds);
}

function runCommitChild(lossYear: string, treeCover: string, outDir: string): Promise<CommitReport> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', self, '--commit', lossYear, treeCover, outDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`commit child exited with code ${code}: ${out.slice(-500)}`));
      else resolve(JSON.parse(last) as CommitReport);
    });
  });
}

// ---------------------------------------------------------------------------------------
// The circomlibjs baseline, on a slice

/** Canopy's tile hasher with circomlibjs' Poseidon in place of core/poseidon.ts. */
async function circomlibjsHasher(): Promise<TileHasher> {
  const p = await buildPoseidon();
  const hash = (inputs: bigint[]) => p.F.toObject(p(inputs)) as bigint;
  return {
    leaf: (tileX, tileY, pixels) => hash([DOMAIN_TAGS.DATASET_TILE, BigInt(tileX), BigInt(tileY), ...packBytes(pixels)]),
    node: (left, right) => hash([DOMAIN_TAGS.MERKLE_NODE, left, right]),
  };
}

interface SliceTiming {
  readonly rows: number;
  readonly tiles: number;
  readonly readCpuSeconds: number;
  readonly oursHashCpuSeconds: number;
  readonly circomlibjsHashCpuSeconds: number;
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

// Band 0 through readBand, then its block roots with each hasher, alternating, twice each;
// both must equal the commit's stored level-8 nodes of band 0.
async function timeSlice(lossYear: string, treeCover: string, storedBand0: readonly bigint[]): Promise<SliceTiming> {
  const circomlibjs = await circomlibjsHasher();
  const sources = await openSources(lossYear, treeCover);
  try {
    const plan = planBands(sources.lossYear.grid, 16);
    const t0 = cpuSeconds();
    const band = await readBand(plan, sources, hansenRule(), 0);
    const readCpuSeconds = cpuSeconds() - t0;
    const window = { pixels: band.layer, col0: 0, row0: 0, width: plan.grid.width, height: band.rows };
    // Untimed first: each width's Poseidon constants and the WebAssembly tiers warm up.
    for (const hasher of [CANOPY_TILE_HASHER, circomlibjs]) blockRoots(plan, 0, 0, Math.min(2, plan.blocksX), window, hasher);
    const spent = { ours: 0, circomlibjs: 0 };
    const ROUNDS = 2;
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, hasher] of (r % 2 === 0 ? [['ours', CANOPY_TILE_HASHER], ['circomlibjs', circomlibjs]] : [['circomlibjs', circomlibjs], ['ours', CANOPY_TILE_HASHER]]) as [keyof typeof spent, TileHasher][]) {
        const start = cpuSeconds();
        const roots = blockRoots(plan, 0, 0, plan.blocksX, window, hasher);
        spent[name] += cpuSeconds() - start;
        roots.forEach((root, bx) => {
          if (root !== storedBand0[bx]) throw new Error(`benchGranule: ${name} block (${bx}, 0) = ${root}, the commit stored ${storedBand0[bx]}`);
        });
      }
    }
    const tiles = plan.tiles.tilesX * Math.ceil(band.rows / 16);
    return { rows: band.rows, tiles, readCpuSeconds, oursHashCpuSeconds: spent.ours / ROUNDS, circomlibjsHashCpuSeconds: spent.circomlibjs / ROUNDS };
  } finally {
    await closeSources(sources);
  }
}

// ---------------------------------------------------------------------------------------

function granuleSize(): { size: number; source: string } {
  const env = process.env.CANOPY_BENCH_GRANULE;
  if (env !== undefined && env !== '') {
    const size = Number(env);
    if (!Number.isSafeInteger(size) || size < 16 || size > 65536) throw new RangeError(`CANOPY_BENCH_GRANULE expected an integer in [16, 65536], got ${JSON.stringify(env)}`);
    return { size, source: 'CANOPY_BENCH_GRANULE' };
  }
  return process.env.CANOPY_BENCH_QUICK === '1' ? { size: QUICK_SIZE, source: 'CANOPY_BENCH_QUICK=1 default' } : { size: GRANULE_PIXELS, source: 'default (a whole granule)' };
}

/**
 * Writes a synthetic granule pair, commits it in a child process and times the
 * circomlibjs baseline on a slice (see the module doc).
 * @throws {Error} if the commit fails or the slice's roots differ from the committed ones
 * @example CANOPY_BENCH_GRANULE=10000 npm run bench -- granule
 */
export async function benchGranule(): Promise<Record<string, unknown>> {
  const { size, source } = granuleSize();
  const loadBefore = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'canopy-bench-granule-'));
  try {
    process.stderr.write(`granule: writing a ${size} × ${size} pair into ${dir}\n`);
    const files = writeSyntheticGranule(dir, size, SEED);
    process.stderr.write(`granule: written in ${files.seconds.toFixed(0)} s (${(files.lossYearBytes / MiB).toFixed(0)} + ${(files.treeCoverBytes / MiB).toFixed(0)} MiB); committing\n`);
    const out = join(dir, 'dataset');
    const commit = await runCommitChild(files.lossYear, files.treeCover, out);
    const upper = parseUpperTree(new Uint8Array(readFileSync(join(out, 'upper-tree.bin'))));
    const blocksX = Math.ceil(Math.ceil(size / 16) / 16);
    const storedBand0 = upper.fromLevel === 8 ? upper.levels[0]!.slice(0, blocksX) : [];
    process.stderr.write(`granule: committed in ${commit.seconds.toFixed(0)} s; timing the circomlibjs baseline on band 0\n`);
    const slice = storedBand0.length > 0 ? await timeSlice(files.lossYear, files.treeCover, storedBand0) : undefined;

    const pixels = size * size;
    const scale = (GRANULE_PIXELS * GRANULE_PIXELS) / pixels;
    // Below a whole granule: the pixels missing, at the steady rate between the first and last bands.
    const fullSeconds = size === GRANULE_PIXELS || commit.steadyPixelsPerSecond === null ? commit.seconds * scale : commit.seconds + (GRANULE_PIXELS ** 2 - pixels) / commit.steadyPixelsPerSecond;
    const extraPerTile = slice ? (slice.circomlibjsHashCpuSeconds - slice.oursHashCpuSeconds) / slice.tiles : 0;
    const baselineSeconds = commit.seconds + (extraPerTile * commit.tiles) / Math.max(1, commit.workers);
    return {
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: availableParallelism(),
        node: process.version,
        platform: `${platform()} ${arch()}`,
        loadAverageBefore: loadBefore.map((x) => round(x, 2)).join(' / '),
        loadAverage1mDuringCommit: `min ${round(commit.load1m.min, 2)}, mean ${round(commit.load1m.mean, 2)}, max ${round(commit.load1m.max, 2)}`,
      },
      granule: {
        size: `${size} × ${size} (${source})`,
        pixels,
        tiles: commit.tiles,
        bands: commit.bands,
        lossYearFileMiB: round(files.lossYearBytes / MiB, 1),
        treeCoverFileMiB: round(files.treeCoverBytes / MiB, 1),
        writeSeconds: round(files.seconds, 1),
      },
      commit: {
        seconds: round(commit.seconds, 1),
        minutes: round(commit.seconds / 60, 2),
        pixelsPerSec: round(pixels / commit.seconds),
        steadyPixelsPerSec: commit.steadyPixelsPerSecond === null ? 'n/a' : round(commit.steadyPixelsPerSecond),
        tilesPerSec: round(commit.tiles / commit.seconds),
        workers: commit.workers,
        cpuSeconds: round(commit.cpuSeconds, 1),
        coresBusy: round(commit.cpuSeconds / commit.seconds, 2),
        peakRssMiB: round(commit.peakRssBytes / MiB),
        sampledPeakRssMiB: round(commit.sampledPeakRssBytes / MiB),
        root: commit.root,
      },
      target: {
        fullGranuleSeconds: round(fullSeconds, 1),
        fullGranuleMinutes: round(fullSeconds / 60, 2),
        measuredOrExtrapolated:
          size === GRANULE_PIXELS
            ? 'measured on a whole granule'
            : commit.steadyPixelsPerSecond === null
              ? `extrapolated from ${size} × ${size} by pixels (× ${round(scale, 3)})`
              : `extrapolated from ${size} × ${size}: this run + the ${round((GRANULE_PIXELS ** 2 - pixels) / 1e6)} M pixels missing at its steady rate between the first and last bands`,
        underThirtyMinutes: fullSeconds < TARGET_SECONDS,
        peakRssUnder1GB: commit.peakRssBytes < TARGET_RSS_BYTES,
        peakRssNote: size === GRANULE_PIXELS ? 'measured on a whole granule' : 'measured at this size: buffers grow with the width, not the height',
      },
      baseline: slice
        ? {
            method: `circomlibjs Poseidon in the same pipeline on a slice — band 0, ${slice.rows} rows × ${size} columns, ${slice.tiles} tiles — one thread, CPU time, 2 alternating rounds each, roots checked against the commit; extrapolated: commit time + extra hashing CPU per tile × ${commit.tiles} tiles / ${commit.workers} workers (a whole granule twice would take hours)`,
            sliceReadCpuSeconds: round(slice.readCpuSeconds, 2),
            sliceHashCpuSecondsOurs: round(slice.oursHashCpuSeconds, 2),
            sliceHashCpuSecondsCircomlibjs: round(slice.circomlibjsHashCpuSeconds, 2),
            microsecondsPerTileOurs: round((slice.oursHashCpuSeconds / slice.tiles) * 1e6, 1),
            microsecondsPerTileCircomlibjs: round((slice.circomlibjsHashCpuSeconds / slice.tiles) * 1e6, 1),
            hashingSpeedup: round(slice.circomlibjsHashCpuSeconds / slice.oursHashCpuSeconds, 2),
            circomlibjsSeconds: round(baselineSeconds, 1),
            circomlibjsMinutes: round(baselineSeconds / 60, 2),
            circomlibjsFullGranuleMinutes: round((fullSeconds * baselineSeconds) / commit.seconds / 60, 2),
            ratio: round(baselineSeconds / commit.seconds, 2),
          }
        : { skipped: 'the tree is too small for a stored level 8' },
      caveat: 'figures from a shared machine running other work; the load averages above say how busy it was',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--commit') {
  await commitChild(process.argv[3]!, process.argv[4]!, process.argv[5]!);
} else if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await benchGranule(), null, 2));
}
