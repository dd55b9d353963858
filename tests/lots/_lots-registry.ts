/**
 * Fixtures for the lot command tests: the test-profile keys of every lot circuit in a
 * setup folder of their own (circuits/build/test-keys/test, made once by `runSetup` with
 * the bundled powers of tau, NOT FOR PRODUCTION, and only re-hashed later), a real
 * registry over a fresh SQLite store that verifies proofs with those keys, parties with
 * key files on disk (what `--key` reads), and a synthetic plot attestation proven with
 * the test profile's plot_window (k = 0, dataset tree depth 4).
 */
import { TEST_PROFILE_KEYS } from '../_keys.ts';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest } from '../../circuits/toolchain/manifest.ts';
import { proveGroth16 } from '../../circuits/toolchain/prove.ts';
import { runSetup } from '../../circuits/toolchain/setup.ts';
import { plotWindowWitnessInput, windowAttestationLeaf, windowMaskHash, type PlotWindow } from '../../core/circuits/plot-window.ts';
import { ownerKey } from '../../core/lots/note.ts';
import { mortonEncode } from '../../core/raster/morton.ts';
import { loadArtifacts } from '../../registry/api/artifacts.ts';
import { treeDepthsForProfile } from '../../registry/api/registry-service.ts';
import type { RequestSigner } from '../../registry/client.ts';
import type { PartyRole } from '../../registry/log/entry.ts';
import { formatPlotOpeningFile, PLOT_OPENING_FORMAT } from '../../prover/plot/opening-file.ts';
import { randomFieldElement } from '../../prover/plot/owner-secret.ts';
import { formatPlotProofFile, PLOT_PROOF_FORMAT } from '../../prover/plot/proof-file.ts';
import { syntheticDataset, type SyntheticDataset } from '../circuits/_synthetic-dataset.ts';
import { sqliteFixture } from '../registry/_fixtures.ts';
import { startTestRegistry, type TestRegistry } from '../registry-api/_registry.ts';

/** The keys every lot test uses. */
export const LOT_KEYS = TEST_PROFILE_KEYS;
export const PROFILE = 'test';
/** Every circuit a lot chain needs. */
export const LOT_CIRCUITS = ['lot_mint', 'lot_transition', 'capacity_mint', 'plot_window', 'capacity_issue'] as const;

/** Makes (or re-hashes) the test keys of `circuits`. */
export async function ensureLotKeys(circuits: readonly string[] = LOT_CIRCUITS): Promise<void> {
  await runSetup({ profile: PROFILE, circuits, outDir: LOT_KEYS });
}

/** A party of the test registry, with its key file written. */
export interface LotParty extends RequestSigner {
  keyFile: string;
}

/** A running registry accepting the test keys, with real proof verification. */
export interface LotsRegistry {
  reg: TestRegistry;
  url: string;
  /** Registers a party and writes its key file into `dir`. */
  party(name: string, role?: PartyRole): Promise<LotParty>;
  close(): Promise<void>;
}

/** Starts the registry; checkpoints every 100 ms so steps can wait for them. */
export async function startLotsRegistry(dir: string): Promise<LotsRegistry> {
  const artifacts = await loadArtifacts(LOT_KEYS);
  const reg = await startTestRegistry(sqliteFixture(), { artifacts, verifier: undefined, verifierWorkers: 1, depths: treeDepthsForProfile(PROFILE), checkpointIntervalMs: 100 });
  return {
    reg,
    url: reg.url,
    async party(name, role = 'supplier') {
      const p = await reg.register(name, role);
      const keyFile = join(dir, `${name}.key`);
      writeFileSync(keyFile, `${p.signerKey}\n`, { mode: 0o600 });
      chmodSync(keyFile, 0o600);
      return { keyId: p.keyId, signerKey: p.signerKey, keyFile };
    },
    close: () => reg.close(),
  };
}

/** A synthetic dataset of 4 × 4 tiles (depth 4, the test profile's), no loss anywhere. */
export function cleanDataset(): SyntheticDataset {
  return syntheticDataset({ layer: new Uint8Array(64 * 64), width: 64, height: 64 });
}

/** Registers the dataset through a publisher party. */
export async function registerDataset(reg: TestRegistry, ds: SyntheticDataset, publisher: RequestSigner): Promise<void> {
  await reg.client.submit([{ type: 'dataset', version: 1, body: { datasetRoot: ds.root.toString(), manifestSha256: 'ab'.repeat(32), name: 'synthetic-test' } }], publisher);
}

/** Files of a proven synthetic plot. */
export interface AttestedPlot {
  proofFile: string;
  openingFile: string;
  leaf: bigint;
  pixelCount: number;
}

/**
 * Proves one window of a plot on `ds` at tile (tx, ty) with `pixels` pixels, owned by the
 * holder of `ownerSecret`, and writes the proof file and the opening as `canopy plot
 * prove` does (`<name>.proof.json`, `<name>.proof.opening.json`; the opening names
 * `secretFile`). The capacity path reads only the opening's hashes, so the test declares
 * no polygon: its geometry hash is a random field element.
 */
export async function attestPlot(dir: string, name: string, ds: SyntheticDataset, tile: { x: number; y: number }, pixels: number, ownerSecret: bigint, secretFile: string): Promise<AttestedPlot> {
  const mask = new Uint8Array(256);
  for (let p = 0; p < pixels; p++) mask[p] = 1;
  const window: PlotWindow = { blockLog2: 0, tileX0: tile.x, tileY0: tile.y, blockIndex: mortonEncode(tile.x, tile.y), col0: 16 * tile.x, row0: 16 * tile.y, side: 16, mask, pixelCount: pixels };
  const geometryHash = randomFieldElement();
  const salt = randomFieldElement();
  const input = plotWindowWitnessInput({ window, tiles: ds.blockTiles(tile.x, tile.y, 0), proof: ds.blockProof(tile.x, tile.y, 0), cutoffCode: 21, geometryHash, ownerSecret, salt });
  const proven = await proveGroth16('plot_window', PROFILE, input, LOT_KEYS);
  const maskHash = windowMaskHash(mask);
  const leaf = windowAttestationLeaf({ geometryHash, datasetRoot: ds.root, cutoffCode: 21, blockIndex: window.blockIndex, windowMaskHash: maskHash, pixelCount: pixels, ownerKey: ownerKey(ownerSecret), salt });
  if (proven.publicSignals[0] !== leaf.toString()) throw new Error(`attestPlot: leaf ${proven.publicSignals[0]} differs from the twin's ${leaf}`);
  const entry = readManifest(LOT_KEYS).circuits.plot_window!;
  const proofFile = join(dir, `${name}.proof.json`);
  const openingFile = join(dir, `${name}.proof.opening.json`);
  writeFileSync(
    proofFile,
    formatPlotProofFile({
      format: PLOT_PROOF_FORMAT,
      datasetRoot: ds.root.toString(),
      cutoffYear: 2020,
      cutoffCode: 21,
      windows: [{ circuit: 'plot_window', profile: PROFILE, artifacts: { zkey: { sha256: entry.files.zkey.sha256 }, vkey: { sha256: entry.files.vkey.sha256 } }, publicSignals: proven.publicSignals, proof: proven.proof }],
    }),
  );
  writeFileSync(
    openingFile,
    formatPlotOpeningFile({
      format: PLOT_OPENING_FORMAT,
      proofFile: `${name}.proof.json`,
      plot: { label: name, geometry: '{}', geometryHash: geometryHash.toString() },
      datasetRoot: ds.root.toString(),
      cutoffYear: 2020,
      cutoffCode: 21,
      circuit: { id: 'plot_window', profile: PROFILE, k: 0, treeDepth: 4 },
      mask: { col0: window.col0, row0: window.row0, width: 16, height: 16, pixels, hash: '0', bytes: '' },
      owner: { ownerKey: ownerKey(ownerSecret).toString(), secretFile },
      windows: [{ blockLog2: 0, tileX0: tile.x, tileY0: tile.y, blockIndex: window.blockIndex, pixelCount: pixels, windowMaskHash: maskHash.toString(), salt: salt.toString(), attestationLeaf: leaf.toString() }],
    }),
    { mode: 0o600 },
  );
  return { proofFile, openingFile, leaf, pixelCount: pixels };
}
