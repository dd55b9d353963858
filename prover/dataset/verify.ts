/**
 * `verifyDataset`: recomputes a dataset from its source GeoTIFFs and compares it with
 * what the directory claims, as a checklist of named steps run in order; the first step
 * that fails ends the run and is reported with what differs.
 *
 *     1. manifest       manifest.json parses strictly (manifest.ts) and upper-tree.bin
 *                       matches its size, SHA-256, tile counts and root (openDataset)
 *     2. upper tree     every stored level of upper-tree.bin rehashes from the one below
 *     3. source files   each source's size and SHA-256 match the manifest (a changed pixel
 *                       or a swapped file fails here, naming the file)
 *     4. grids          both GeoTIFFs validate and lie on the manifest's grid
 *     5. blocks         every block root recomputed from the pixels equals the stored node
 *                       (the first mismatch names the block and its pixel rectangle)
 *     6. root           the root recomputed from the recomputed blocks equals the manifest's
 *
 * Steps 5–6 are the full commit computation (same streaming pass, same memory bound).
 * @module
 */
import { resolve } from 'node:path';
import { CanopyError } from '../../core/errors.ts';
import { gridLevels } from '../../core/raster/dataset-tree.ts';
import { hashBands, planBands } from './_bands.ts';
import { defaultWorkerCount, HashPool } from './_hash-pool.ts';
import { closeSources, gridDifferences, openSources } from './_sources.ts';
import { MIN_TILES_FOR_WORKERS, progressReporter, type DatasetProgress } from './commit.ts';
import { closeDataset, loadUpperTree, openDataset, verifySources, type Dataset } from './read-window.ts';

/** One step of the checklist. */
export interface VerifyStep {
  readonly name: 'manifest' | 'upper tree' | 'source files' | 'grids' | 'blocks' | 'root';
  readonly ok: boolean;
  readonly detail: string;
}

/** The outcome of `verifyDataset`. */
export interface VerifyReport {
  readonly ok: boolean;
  readonly dir: string;
  /** The manifest's root, when the manifest parsed. */
  readonly root?: string;
  /** Steps run, in order; when ok is false the last one failed. */
  readonly steps: readonly VerifyStep[];
  /** The failed step's detail. */
  readonly firstMismatch?: string;
  readonly seconds: number;
}

/** Options of `verifyDataset`. */
export interface VerifyOptions {
  /** Hashing workers, as in `commitDataset`. */
  readonly workers?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: DatasetProgress) => void;
}

/**
 * Verifies a dataset directory against its source files (see the module doc).
 * @returns a report; ok = false names the first mismatch (a failed check is a result, not an exception)
 * @throws {TypeError|RangeError} for invalid options; the signal's reason if aborted
 * @example const r = await verifyDataset('ds'); if (!r.ok) console.error(r.firstMismatch);
 */
export async function verifyDataset(dir: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const steps: VerifyStep[] = [];
  const done = (root?: string): VerifyReport => {
    const failed = steps.find((s) => !s.ok);
    return { ok: failed === undefined, dir: resolve(dir), root, steps, firstMismatch: failed?.detail, seconds: (performance.now() - started) / 1000 };
  };
  // A check's CanopyError becomes a failed step; anything else (a bug, an abort) propagates.
  const step = async (name: VerifyStep['name'], run: () => Promise<string>): Promise<boolean> => {
    try {
      steps.push({ name, ok: true, detail: await run() });
      return true;
    } catch (e) {
      if (!(e instanceof CanopyError)) throw e;
      steps.push({ name, ok: false, detail: e.message });
      return false;
    }
  };

  let dataset: Dataset | undefined;
  try {
    if (!(await step('manifest', async () => {
      dataset = await openDataset(dir, { checkSources: 'never' });
      return `format ${dataset.manifest.format}, ${dataset.grid.width} × ${dataset.grid.height} pixels, rule ${dataset.rule.name} (canopyThreshold ${dataset.rule.params.canopyThreshold})`;
    }))) return done();
    const ds = dataset!;
    const root = ds.manifest.root;
    if (!(await step('upper tree', async () => {
      const upper = await loadUpperTree(ds.dir, ds.manifest, { recompute: true });
      return `levels ${upper.fromLevel}..${upper.depth} rehash to the root`;
    }))) return done(root);
    if (!(await step('source files', async () => {
      await verifySources(ds);
      return ds.manifest.sources.map((s) => `${s.layer} ${s.name} sha256 ${s.sha256}`).join('; ');
    }))) return done(root);

    const plan = planBands(ds.grid, ds.tileSize, ds.manifest.tree.upperFromLevel);
    let sources: Awaited<ReturnType<typeof openSources>> | undefined;
    if (!(await step('grids', async () => {
      sources = await openSources(ds.sourcePaths.lossYear, ds.sourcePaths.treeCover);
      const diff = gridDifferences(ds.grid, sources.lossYear.grid);
      if (diff.length > 0) throw new CanopyError('ARTIFACT_MISMATCH', `${ds.sourcePaths.lossYear}: grid differs from the manifest: ${diff.join(', ')}`);
      return `both layers on the manifest grid (pixel ${ds.grid.pixelSizeMicro} µ°)`;
    }))) return done(root);

    const workers = options.workers ?? (plan.tiles.tilesX * plan.tiles.tilesY < MIN_TILES_FOR_WORKERS ? 0 : defaultWorkerCount());
    if (!Number.isSafeInteger(workers) || workers < 0 || workers > 64) throw new RangeError(`"workers" expected integer in [0, 64], got ${workers}`);
    const pool = workers > 0 ? new HashPool(workers) : null;
    const stored = ds.upper.levels[0]!;
    const recomputed: bigint[] = [];
    const progress = progressReporter(plan, options.onProgress, started);
    let pixelsDone = 0;
    progress('bands', 0, 0);
    try {
      if (!(await step('blocks', async () => {
        await hashBands(plan, sources!, ds.rule, {
          startBand: 0,
          pool,
          signal: options.signal,
          onBand: (band, roots) => {
            for (let bx = 0; bx < roots.length; bx++) {
              if (roots[bx] !== stored[band.by * plan.blocksX + bx]) {
                const px = plan.blockPixels;
                throw new CanopyError(
                  'ARTIFACT_MISMATCH',
                  `block (${bx}, ${band.by}) of level ${plan.fromLevel} (pixel columns ${bx * px}..${Math.min((bx + 1) * px, ds.grid.width) - 1}, rows ${band.row0}..${band.row0 + band.rows - 1}) hashes to ${roots[bx]}, upper-tree.bin holds ${stored[band.by * plan.blocksX + bx]}`,
                );
              }
            }
            recomputed.push(...roots);
            pixelsDone += band.rows * plan.grid.width;
            progress('bands', band.by + 1, pixelsDone);
          },
        });
        const n = plan.blocksX * plan.blocksY;
        return `${n} block${n === 1 ? '' : 's'} of ${2 ** plan.blockLog2} × ${2 ** plan.blockLog2} tiles match the stored level ${plan.fromLevel}`;
      }))) return done(root);
    } finally {
      await pool?.close();
      if (sources) await closeSources(sources);
    }
    await step('root', async () => {
      const levels = gridLevels(plan.tiles, plan.fromLevel, recomputed);
      const got = levels[levels.length - 1]![0]!.toString();
      if (got !== root) throw new CanopyError('ARTIFACT_MISMATCH', `recomputed root ${got}, the manifest says ${root}`);
      return root;
    });
    progress('done', plan.blocksY, pixelsDone);
    return done(root);
  } finally {
    if (dataset) await closeDataset(dataset);
  }
}
