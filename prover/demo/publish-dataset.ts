/**
 * Step 2 of the demo: the dataset publisher commits the Hansen Global Forest Change crop
 * (`canopy dataset commit`: the layer "loss year where tree cover 2000 > threshold, else
 * 0" in 16×16-pixel tiles along a Morton curve, to one Poseidon root) and registers it:
 * a `dataset` entry carrying the root and the SHA-256 of the manifest, signed by the
 * publisher. From then on plot proofs against that root are accepted, and an auditor who
 * recomputes the root from the public GeoTIFFs can check the registration.
 * @module
 */
import { commitDataset } from '../dataset/commit.ts';
import type { LogEntry } from '../../registry/log/entry.ts';
import { partyOf, type DemoContext } from './_demo-context.ts';

/** The registered dataset. */
export interface PublishedDataset {
  name: string;
  /** Poseidon root, decimal. */
  root: string;
  manifestSha256: string;
  pixels: number;
  /** The dataset entry's sequence in the log. */
  sequence: number;
}

/**
 * Commits the scenario's dataset into the work folder and registers it.
 * @throws {CanopyError} from the commit (NOT_FOUND, INVALID_INPUT for a GeoTIFF it cannot
 *   read); {ApiError} when the registry refuses the entry
 * @example const ds = await publishDataset(ctx)
 */
export async function publishDataset(ctx: DemoContext): Promise<PublishedDataset> {
  const d = ctx.scenario.dataset;
  const committed = await commitDataset({ lossYear: d.lossYear, treeCover: d.treeCover, outDir: ctx.paths.dataset, canopyThreshold: d.canopyThresholdPercent, workers: 0 });
  const root = committed.manifest.root;
  ctx.narrator.say(`   ${committed.pixels} pixels of 0.00025°, layer "loss year where tree cover 2000 > ${d.canopyThresholdPercent} %", 16×16-pixel tiles`);
  ctx.narrator.say(`   root ${root}`);
  const entry: LogEntry = { type: 'dataset', version: 1, body: { datasetRoot: root, manifestSha256: committed.manifestSha256, name: d.name } };
  const [receipt] = await ctx.registry.client.submit([entry], partyOf(ctx, ctx.scenario.publisher.id).signer);
  ctx.narrator.say(`   registered by ${ctx.scenario.publisher.id} as entry ${receipt!.sequence} (manifest SHA-256 ${committed.manifestSha256.slice(0, 16)}…)`);
  return { name: d.name, root, manifestSha256: committed.manifestSha256, pixels: committed.pixels, sequence: receipt!.sequence };
}
