/**
 * Dataset commit throughput and memory: the real Hansen crop (examples/data/hansen,
 * 192 × 221) and a synthetic W × H raster pair (default 4000 × 4000) written like a Hansen
 * granule (one row per strip, Deflate), both committed with the default parameters
 * (threshold 10, tile 16, stored levels ≥ 8) on the default number of workers.
 *
 * Method: pixels/s is raster pixels over the wall time of `commitDataset`, which includes
 * hashing both files (SHA-256), reading and decoding, the rule, tile leaves, the tree and
 * writing the directory. Memory is measured in a second commit of the first 1024 rows (the
 * pass holds one band at a time, so height does not matter), sampled every 25 ms after a
 * forced collection (run node with --expose-gc; without it garbage counts too and the
 * bound is reported but not checked). Pixel buffers are
 * ArrayBuffers, so the peak growth of this thread's ArrayBuffer bytes is checked against
 * the bound docs/datasets.md states for them (3.5 · width · 256 bytes at T = 16, one-row strips), and
 * compared with what decoding both layers whole would take (2 · width · height), while the
 * bands are streamed (the SHA-256 of the files before, in 256 KiB chunks, is reported
 * with the whole commit). V8 sweeps freed ArrayBuffers concurrently, so a sample taken
 * right after a collection can still count a few megabytes of dead decoder buffers: the
 * median sample shows the live steady state, the peak an upper envelope. The check allows
 * twice the bound plus 8 MiB; the run fails above that. The JS heap growth (mostly BigInt garbage of the
 * hashing, collected in bulk) and the process RSS (worker threads included) are reported.
 *
 * Run alone: node --import tsx tests/bench/dataset.bench.ts [width] [height] [workers]
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { commitDataset, type CommitResult, type DatasetProgress } from '../../prover/dataset/commit.ts';
import { histogramCount } from '../../prover/dataset/manifest.ts';
import { writeTiffByHand } from '../dataset/_geotiff.ts';
import { syntheticHansen } from '../dataset/_reference.ts';
import { machineInfo } from './_machine.ts';

const CROP = {
  lossYear: join(import.meta.dirname, '../../examples/data/hansen/Hansen_GFC-2023-v1.11_lossyear_20N_080W.tif'),
  treeCover: join(import.meta.dirname, '../../examples/data/hansen/Hansen_GFC-2023-v1.11_treecover2000_20N_080W.tif'),
};

const round = (x: number, digits = 0) => Number(x.toFixed(digits));
const MiB = 1024 * 1024;

interface Measured {
  result: CommitResult;
  /** Peak ArrayBuffer growth over the whole commit, and while bands were streamed. */
  peakBuffers: number;
  peakBuffersInBands: number;
  /** Median ArrayBuffer growth over the samples taken while bands were streamed. */
  medianBuffersInBands: number;
  peakHeap: number;
  peakRss: number;
  baseRss: number;
}

async function measured(run: (onProgress: (p: DatasetProgress) => void) => Promise<CommitResult>): Promise<Measured> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage();
  let inBands = false;
  let peakBuffers = 0;
  let peakBuffersInBands = 0;
  const inBandSamples: number[] = [];
  let peakHeap = 0;
  let peakRss = base.rss;
  const gc = (globalThis as { gc?: () => void }).gc;
  const sample = () => {
    // Collect first, so the sample counts live buffers rather than garbage awaiting collection.
    gc?.();
    const m = process.memoryUsage();
    peakBuffers = Math.max(peakBuffers, m.arrayBuffers - base.arrayBuffers);
    if (inBands) {
      peakBuffersInBands = Math.max(peakBuffersInBands, m.arrayBuffers - base.arrayBuffers);
      inBandSamples.push(m.arrayBuffers - base.arrayBuffers);
    }
    peakHeap = Math.max(peakHeap, m.heapUsed - base.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  const timer = setInterval(sample, 25);
  try {
    const result = await run((p) => {
      inBands = p.phase === 'bands';
    });
    sample();
    inBandSamples.sort((a, b) => a - b);
    const medianBuffersInBands = inBandSamples[Math.floor(inBandSamples.length / 2)] ?? 0;
    return { result, peakBuffers, peakBuffersInBands, medianBuffersInBands, peakHeap, peakRss, baseRss: base.rss };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Commits the crop and a synthetic raster; returns the figures.
 * @throws {Error} if the synthetic commit's memory exceeds the checked bound
 * @example console.log(await benchDataset({ width: 4000, height: 4000 }));
 */
export async function benchDataset(options: { width?: number; height?: number; workers?: number } = {}): Promise<Record<string, unknown>> {
  const { width = 4000, height = 4000, workers } = options;
  const dir = mkdtempSync(join(tmpdir(), 'canopy-bench-dataset-'));
  try {
    const crop = await commitDataset({ ...CROP, outDir: join(dir, 'crop'), ...(workers === undefined ? {} : { workers }) });

    const write = (w: number, h: number, name: string) => {
      const { lossYear, treeCover } = syntheticHansen(w, h, 2024);
      const paths = { lossYear: join(dir, `${name}-lossyear.tif`), treeCover: join(dir, `${name}-treecover2000.tif`) };
      writeTiffByHand(paths.lossYear, lossYear, { width: w, height: h, rowsPerStrip: 1, deflate: true });
      writeTiffByHand(paths.treeCover, treeCover, { width: w, height: h, rowsPerStrip: 1, deflate: true });
      return paths;
    };
    const timed = write(width, height, 'timed');
    const r = await commitDataset({ ...timed, outDir: join(dir, 'synthetic'), ...(workers === undefined ? {} : { workers }) });
    // Memory does not depend on the height (the pass holds one band at a time), so it is
    // measured on the first 1024 rows, with a collection before each sample (slow).
    const memoryRows = Math.min(height, 1024);
    const memoryPaths = write(width, memoryRows, 'memory');
    const m = await measured((onProgress) => commitDataset({ ...memoryPaths, outDir: join(dir, 'memory'), onProgress, ...(workers === undefined ? {} : { workers }) }));
    const bandRows = 256;
    // prover/dataset/_bands.ts: 2 · width · R + 6 · width · 64 for one-row strips.
    const boundBytes = 2 * width * bandRows + 6 * width * 64;
    const allowed = 2 * boundBytes + 8 * MiB;
    // Only samples taken after a collection say anything about live memory.
    const memoryChecked = typeof (globalThis as { gc?: unknown }).gc === 'function';
    if (memoryChecked && m.peakBuffersInBands > allowed) {
      throw new Error(`benchDataset: peak ArrayBuffer growth ${m.peakBuffersInBands} bytes while streaming, above the allowed ${allowed} (bound ${boundBytes})`);
    }
    return {
      machine: machineInfo(),
      crop: {
        pixels: crop.pixels,
        seconds: round(crop.seconds, 3),
        pixelsPerSec: round(crop.pixels / crop.seconds),
        workers: crop.workers,
        root: crop.manifest.root,
        lossPost2020Pixels: histogramCount(crop.manifest, 21, 254),
      },
      synthetic: {
        width,
        height,
        pixels: r.pixels,
        tiles: r.manifest.tiles.x * r.manifest.tiles.y,
        depth: r.manifest.tree.depth,
        seconds: round(r.seconds, 2),
        pixelsPerSec: round(r.pixels / r.seconds),
        tilesPerSec: round((r.manifest.tiles.x * r.manifest.tiles.y) / r.seconds),
        workers: r.workers,
        memoryRunRows: memoryRows,
        memoryChecked,
        medianBuffersInBandsMiB: round(m.medianBuffersInBands / MiB, 1),
        peakBuffersInBandsMiB: round(m.peakBuffersInBands / MiB, 1),
        peakBuffersWholeCommitMiB: round(m.peakBuffers / MiB, 1),
        peakHeapGrowthMiB: round(m.peakHeap / MiB, 1),
        boundMiB: round(boundBytes / MiB, 1),
        allowedMiB: round(allowed / MiB, 1),
        wholeRasterDecodedMiB: round((2 * width * height) / MiB, 1),
        rssBeforeMiB: round(m.baseRss / MiB),
        rssPeakMiB: round(m.peakRss / MiB),
      },
      caveat: 'figures from a shared machine running other work; the load average above says how busy it was',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (i: number) => (process.argv[i] === undefined ? undefined : Number(process.argv[i]));
  console.log(JSON.stringify(await benchDataset({ width: arg(2), height: arg(3), workers: arg(4) }), null, 2));
}
