/**
 * A registry filled for the explorer's tests, with every entry type: parties of every role,
 * a dataset whose manifest is the real Hansen crop's (examples/data/hansen,
 * docs/datasets.md §6), an artifacts entry pinning the circuit keys, a plot attestation
 * against the dataset, a capacity issue against the published plots root, lot mints, a
 * transition against a published lots root, a revocation, several signed checkpoints
 * between them, and the last one cosigned by the auditor. Proofs go through the fake
 * verifier of the registry tests (tests/registry/_fixtures.ts), which accepts every proof
 * not marked bad.
 */
import { createHash } from 'node:crypto';
import { cosignatureSigner } from '../../core/note/cosignature.ts';
import { noteVerifier } from '../../core/note/note-key.ts';
import { openNote, signNote } from '../../core/note/signed-note.ts';
import { formatManifest, HANSEN_ATTRIBUTION, type DatasetManifest } from '../../prover/dataset/manifest.ts';
import type { ArtifactsEntry, LogEntry } from '../../registry/log/entry.ts';
import { artifacts, capacityIssue, fe, lotMint, plotAttestation, REGISTRY_KEY, sqliteFixture, transition } from '../registry/_fixtures.ts';
import { ACCREDITOR, startTestRegistry, type TestParty, type TestRegistry } from '../registry-api/_registry.ts';

/** The crop's dataset root (tests/dataset: CROP_ROOT). */
export const CROP_ROOT = '2262517184010239590398625710509855641899159842548649030506850466242051024006';

/** The crop's manifest as `canopy dataset commit` writes it (docs/datasets.md §6). */
export const CROP_MANIFEST: DatasetManifest = {
  attribution: HANSEN_ATTRIBUTION,
  crs: 'EPSG:4326',
  format: 'canopy-dataset/1',
  grid: { height: 221, originLatMicro: 18687000, originLonMicro: -71737750, pixelSizeMicro: 250, width: 192 },
  histogram: { '0': 39375, '1': 48, '10': 178, '11': 57, '12': 380, '13': 10, '14': 125, '15': 23, '16': 162, '17': 244, '18': 4, '19': 33, '2': 62, '20': 83, '21': 20, '22': 51, '23': 194, '3': 554, '4': 236, '5': 115, '6': 102, '7': 220, '8': 74, '9': 82 },
  layerRule: { name: 'hansen-lossyear-treecover/v1', params: { canopyThreshold: 10 } },
  nodata: 255,
  root: CROP_ROOT,
  sources: [
    { bytes: 4725, layer: 'lossyear', name: 'Hansen_GFC-2023-v1.11_lossyear_20N_080W.tif', path: '../../examples/data/hansen/Hansen_GFC-2023-v1.11_lossyear_20N_080W.tif', sha256: 'b60650ea0b4e41acfe75a60709306b3fd23175f6a7a4830bf882982d6f12290d' },
    { bytes: 19477, layer: 'treecover2000', name: 'Hansen_GFC-2023-v1.11_treecover2000_20N_080W.tif', path: '../../examples/data/hansen/Hansen_GFC-2023-v1.11_treecover2000_20N_080W.tif', sha256: '135f475f4fb3668e7fa3a709e5ee36cd4a8b37d236f3bec9eaeb3bb677383630' },
  ],
  tiles: { order: 'morton-x-even', size: 16, x: 12, y: 14 },
  tool: { name: 'canopy', version: '0.1.0' },
  tree: { depth: 8, hash: 'poseidon-bn254-circomlib', leafTag: 'canopy/dataset-tile', nodeTag: 'canopy/merkle-node', upperFile: { bytes: 80, name: 'upper-tree.bin', sha256: '0e3befac5ad6864c314b7e56e2596daa5fedf1e6b2f1fadf7e218cf36b824ae2' }, upperFromLevel: 8 },
};

/** A filled registry and who did what in it. */
export interface Scenario {
  reg: TestRegistry;
  publisher: TestParty;
  coop: TestParty;
  mill: TestParty;
  auditor: TestParty;
  /** The manifest file's bytes (canonical JSON) and its SHA-256. */
  manifestText: string;
  manifestSha256: string;
  /** Sequence numbers of notable entries. */
  seq: { dataset: number; artifacts: number; plot: number; firstMint: number; capacityIssue: number; transition: number; revocation: number };
  /** Sizes of the signed checkpoints, oldest first (0 included). */
  checkpointSizes: number[];
  /** The log size. */
  size: number;
}

/**
 * Starts a registry on SQLite (fake proof verifier, checkpoints signed by the scenario) and
 * fills it: 37 entries of 8 types, checkpoints at sizes 0, 6, 14, 22, 35, 37, the last
 * cosigned by auditor-1.
 */
export async function startScenario(): Promise<Scenario> {
  const reg = await startTestRegistry(sqliteFixture(), { checkpointIntervalMs: 0 });
  try {
    const publisher = await reg.register('gfc-publisher', 'publisher');
    const coop = await reg.register('coop-7', 'supplier');
    const mill = await reg.register('mill-3', 'supplier');
    const auditor = await reg.register('auditor-1', 'auditor');
    const manifestText = formatManifest(CROP_MANIFEST);
    const manifestSha256 = createHash('sha256').update(manifestText).digest('hex');
    const dataset: LogEntry = { type: 'dataset', version: 1, body: { datasetRoot: CROP_ROOT, manifestSha256, name: 'Hansen GFC 2023 v1.11, crop of 20N_080W' } };
    const [d] = await reg.client.submit([dataset], publisher);
    const a = await reg.client.addArtifacts((artifacts(['lot_mint', 'lot_transition', 'plot_window', 'capacity_issue']) as ArtifactsEntry).body, ACCREDITOR);
    await reg.service.signCheckpoint();
    const [p] = await reg.client.submit([plotAttestation([{ datasetRoot: BigInt(CROP_ROOT), attestationLeaf: fe('plot-1') }, { datasetRoot: BigInt(CROP_ROOT), attestationLeaf: fe('plot-2') }])], coop);
    const [m] = await reg.client.submit(Array.from({ length: 6 }, (_, i) => lotMint(fe(`coop-lot-${i}`))), coop);
    await reg.client.submit([lotMint(fe('coop-lot-6'))], coop);
    await reg.service.signCheckpoint();
    const roots = await reg.client.roots();
    const [c] = await reg.client.submit([capacityIssue({ plotsRoot: BigInt(roots.plots.root), issueTag: fe('issue-1'), capacityCommitment: fe('capacity-1'), harvestYear: new Date().getUTCFullYear() })], coop);
    const [t] = await reg.client.submit([transition({ root: BigInt(roots.lots.root), nullifiers: [fe('spend-0'), fe('spend-1')], outCommitments: [fe('out-0'), fe('out-1')] })], mill);
    for (let i = 0; i < 6; i++) await reg.client.submit([lotMint(fe(`mill-lot-${i}`))], mill);
    await reg.service.signCheckpoint();
    await reg.client.submit(Array.from({ length: 12 }, (_, i) => lotMint(fe(`mill-batch-${i}`))), mill);
    await reg.register('coop-9', 'supplier');
    await reg.service.signCheckpoint();
    const r = await reg.client.revokeParty('coop-9', 'left the scheme', ACCREDITOR);
    await reg.client.submit([lotMint(fe('late-lot'))], coop);
    const last = await reg.service.signCheckpoint();
    // The auditor witnesses the last checkpoint (C2SP cosignature/v1).
    await reg.client.cosign(signNote(openNote(last.note, [noteVerifier(REGISTRY_KEY.verifierKey)]), [cosignatureSigner(auditor.signerKey)]), auditor);
    const checkpointSizes = (await reg.client.checkpoints()).map((x) => x.size);
    return {
      reg,
      publisher,
      coop,
      mill,
      auditor,
      manifestText,
      manifestSha256,
      seq: { dataset: d!.sequence, artifacts: a.sequence, plot: p!.sequence, firstMint: m!.sequence, capacityIssue: c!.sequence, transition: t!.sequence, revocation: r.sequence },
      checkpointSizes,
      size: last.size,
    };
  } catch (e) {
    await reg.close();
    throw e;
  }
}
