/**
 * The world the audit tests run in: registries served in-process over SQLite files the
 * tests can open directly (to tamper with them), and entries carrying real Groth16 proofs.
 *
 * Keys (all from the bundled powers of tau, NOT FOR PRODUCTION):
 * - circuits/build/test-keys/audit: `lot_mint` and `lot_transition` of the test profile
 *   (lots tree depth 4), set up in the shared test folder (tests/_keys.ts) on first use
 *   (about 4 minutes on 2 loaded cores) and copied here alone;
 * - circuits/build/test-keys/audit-demo: `plot_window` of the demo profile (k = 0, dataset
 *   depth 8, the Hansen crop's), likewise from the shared demo folder.
 * The registries accept the union (artifacts of both folders), with tree depths 4, and run
 * the fake proof verifier of tests/registry (every proof with pi_a[0] ≠ 666 passes), so
 * that an invalid proof can be put into a log for the auditor to find; the auditor always
 * verifies with the real keys.
 */
import { DEMO_PROFILE_KEYS, subsetKeys, TEST_PROFILE_KEYS } from '../_keys.ts';
import { BUILD_DIR } from '../../circuits/toolchain/project-root.ts';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { proveGroth16 } from '../../circuits/toolchain/prove.ts';
import { runSetup } from '../../circuits/toolchain/setup.ts';
import { identityConversion, lotTransitionWitnessInput, transitionOutputs } from '../../core/circuits/lot-transition.ts';
import { lotMintWitnessInput } from '../../core/circuits/lot-mint.ts';
import { hashTagged } from '../../core/domain.ts';
import { type LotNote, noteCommitment, ownerKey } from '../../core/lots/note.ts';
import { merkleProofFromJson } from '../../core/merkle/merkle-proof.ts';
import { parsePlotProofFile } from '../../prover/plot/proof-file.ts';
import { loadArtifacts, type PublishedArtifacts } from '../../registry/api/artifacts.ts';
import { RegistryService } from '../../registry/api/registry-service.ts';
import { RegistryClient } from '../../registry/client.ts';
import { namePublicSignals } from '../../registry/log/circuit-signals.ts';
import type { LogEntry } from '../../registry/log/entry.ts';
import type { ProofVerifier } from '../../registry/log/proof-verifier.ts';
import { openSqliteStore } from '../../registry/store/sqlite.ts';
import { type RunningRegistryServer, startRegistryServer } from '../../registry/server.ts';
import type { AuditSource } from '../../verifier/audit/audit-source.ts';
import { pinsFromSetup, type PinnedKey } from '../../verifier/audit/pinned-keys.ts';
import { ACCREDITOR, newParty, type TestParty } from '../registry-api/_registry.ts';
import { FakeVerifier, REGISTRY_KEY } from '../registry/_fixtures.ts';

export { ACCREDITOR, REGISTRY_KEY };

/** lot_mint and lot_transition, test profile. */
export const AUDIT_KEYS = join(BUILD_DIR, 'test-keys', 'audit');
/** plot_window, demo profile. */
export const DEMO_KEYS = join(BUILD_DIR, 'test-keys', 'audit-demo');
/** Depth of both trees: lot_transition's in the test profile. */
export const DEPTHS = { lots: 4, plots: 4 };
/** HS 0901 11, coffee. */
export const COFFEE = 90111n;

/** Makes (or re-hashes) both key folders. */
export async function ensureKeys(): Promise<void> {
  // Set up in the shared folders (tests/_keys.ts), then copied into folders holding only
  // what these tests pin, so their assertions do not depend on what other tests set up.
  await runSetup({ profile: 'test', circuits: ['lot_mint', 'lot_transition'], outDir: TEST_PROFILE_KEYS });
  await runSetup({ profile: 'demo', circuits: ['plot_window'], outDir: DEMO_PROFILE_KEYS });
  subsetKeys(TEST_PROFILE_KEYS, AUDIT_KEYS, ['lot_mint', 'lot_transition']);
  subsetKeys(DEMO_PROFILE_KEYS, DEMO_KEYS, ['plot_window']);
}

/** The keys the test registries accept: lot circuits of the test profile, plot_window of the demo profile. */
export async function registryArtifacts(): Promise<PublishedArtifacts> {
  const lots = await loadArtifacts(AUDIT_KEYS);
  const plots = await loadArtifacts(DEMO_KEYS);
  return { ...lots, circuits: [...lots.circuits, ...plots.circuits.filter((c) => c.circuit === 'plot_window')] };
}

/** What the auditor pins: both setup folders. */
export function auditPins(): PinnedKey[] {
  return [...pinsFromSetup(AUDIT_KEYS), ...pinsFromSetup(DEMO_KEYS)];
}

/** The vkey hash of a circuit in the test registries. */
export function vkeyHashOf(circuit: 'lot_mint' | 'lot_transition' | 'plot_window'): string {
  return auditPins().find((p) => p.circuit === circuit && (circuit === 'plot_window' || p.source.endsWith('audit')))!.vkeyHash;
}

/** A registry served on loopback over a SQLite file of its own folder. */
export interface TestRegistry {
  url: string;
  client: RegistryClient;
  service: RegistryService;
  server: RunningRegistryServer;
  /** The SQLite file. */
  dbPath: string;
  /** Registers a party through the admin API. */
  register(partyId: string, role: TestParty['role']): Promise<TestParty>;
  /** Signs a checkpoint now (the timer is off) and returns its size. */
  checkpoint(): Promise<number>;
  /** Stops the server and the service; the file stays. */
  stop(): Promise<void>;
  /** Stops, then serves the same file again (a restarted registry). */
  restart(): Promise<TestRegistry>;
}

/** Options of `startRegistry`. */
export interface StartOptions {
  dir?: string;
  signerKey?: string;
  verifier?: ProofVerifier;
  pinArtifacts?: boolean;
}

/**
 * Serves a registry over `<dir>/registry.db` (a new temporary folder unless given), with
 * the fake verifier, no checkpoint timer, no rate limit, and artifact pinning.
 */
export async function startRegistry(options: StartOptions = {}): Promise<TestRegistry> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'canopy-audit-registry-'));
  const dbPath = join(dir, 'registry.db');
  const service = await RegistryService.open({
    store: openSqliteStore(dbPath),
    signerKey: options.signerKey ?? REGISTRY_KEY.signerKey,
    artifacts: await registryArtifacts(),
    depths: DEPTHS,
    verifier: options.verifier ?? new FakeVerifier(),
    accreditorKey: ACCREDITOR.verifierKey,
    checkpointIntervalMs: 0,
    rateLimit: null,
    pinArtifacts: options.pinArtifacts ?? true,
  });
  const server = await startRegistryServer(service, { port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }) });
  const client = new RegistryClient({ baseUrl: server.url });
  let stopped = false;
  const registry: TestRegistry = {
    url: server.url,
    client,
    service,
    server,
    dbPath,
    async register(partyId, role) {
      const party = newParty(partyId, role);
      await client.addParty({ partyId, role, publicKey: party.publicKey }, ACCREDITOR);
      return party;
    },
    async checkpoint() {
      return (await service.signCheckpoint()).size;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await service.close();
    },
    async restart() {
      await registry.stop();
      return startRegistry({ ...options, dir });
    },
  };
  return registry;
}

/** Removes a registry's folder after stopping it. */
export async function removeRegistry(r: TestRegistry): Promise<void> {
  await r.stop().catch(() => undefined);
  rmSync(join(r.dbPath, '..'), { recursive: true, force: true });
}

/** Runs `fn` on the registry's SQLite file through a second connection (as an operator with database access would). */
export function tamper<T>(r: TestRegistry, fn: (db: Database.Database) => T): T {
  const db = new Database(r.dbPath);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** A deterministic field element per label. */
export function element(label: string): bigint {
  return hashTagged('SEQUENCE', [BigInt(`0x${createHash('sha256').update(label).digest('hex').slice(0, 60)}`)]);
}

/** A lot owner: secret and key. */
export function owner(label: string): { secret: bigint; key: bigint } {
  const secret = element(`owner ${label}`);
  return { secret, key: ownerKey(secret) };
}

/** A coffee lot note of `grams` owned by `ownerKey`. */
export function lotNote(ownerKeyValue: bigint, grams: bigint, emissions: bigint, label: string): LotNote {
  return { ownerKey: ownerKeyValue, commodity: COFFEE, quantityGrams: grams, emissionsGramsCo2e: emissions, deforestationFree: false, salt: element(`salt ${label}`) };
}

/** A lot-mint entry with a real lot_mint proof (test profile). */
export async function lotMintEntry(note: LotNote): Promise<LogEntry> {
  const { proof, publicSignals } = await proveGroth16('lot_mint', 'test', lotMintWitnessInput(note), AUDIT_KEYS);
  return { type: 'lot-mint', version: 1, body: { proof: { circuit: 'lot_mint', vkeyHash: vkeyHashOf('lot_mint'), proof, publicSignals: namePublicSignals('lot_mint', publicSignals) } } };
}

/**
 * A transition entry with a real lot_transition proof (test profile): spends `note` (lots
 * leaf `leafIndex`, owner secret `secret`) against the root the checkpoint of size
 * `checkpointSize` published, into two outputs for `to` (60 %) and back to the owner.
 */
export async function transitionEntry(client: RegistryClient, p: { note: LotNote; secret: bigint; leafIndex: number; checkpointSize: number; to: bigint; label: string }): Promise<{ entry: LogEntry; outputs: LotNote[] }> {
  const proof = merkleProofFromJson(await client.treeProof('lots', p.leafIndex, p.checkpointSize));
  const conversion = identityConversion(COFFEE);
  const toBuyer = (p.note.quantityGrams * 6n) / 10n;
  const outputs = transitionOutputs([p.note], 0n, conversion, [
    { ownerKey: p.to, quantityGrams: toBuyer, salt: element(`out0 ${p.label}`) },
    { ownerKey: p.note.ownerKey, quantityGrams: p.note.quantityGrams - toBuyer, salt: element(`out1 ${p.label}`) },
  ]);
  const input = lotTransitionWitnessInput({ inputs: [{ note: p.note, ownerSecret: p.secret, proof }], outputs, addedEmissionsGramsCo2e: 0n, conversion }, { depth: DEPTHS.lots, nIn: 2 });
  const r = await proveGroth16('lot_transition', 'test', input, AUDIT_KEYS);
  const entry: LogEntry = {
    type: 'transition',
    version: 1,
    body: { proof: { circuit: 'lot_transition', vkeyHash: vkeyHashOf('lot_transition'), proof: r.proof, publicSignals: namePublicSignals('lot_transition', r.publicSignals) } },
  };
  return { entry, outputs };
}

/** The plot-attestation entry of a plot proof file. */
export function plotAttestationEntry(proofFile: string): LogEntry {
  const file = parsePlotProofFile(readFileSync(proofFile, 'utf8'), proofFile);
  return {
    type: 'plot-attestation',
    version: 1,
    body: { windows: file.windows.map((w) => ({ circuit: 'plot_window' as const, vkeyHash: w.artifacts.vkey.sha256, proof: w.proof, publicSignals: namePublicSignals('plot_window', w.publicSignals) })) },
  };
}

/** The dataset entry of a committed dataset folder. */
export function datasetEntry(dir: string, root: string, name = 'Hansen GFC v1.11 crop 20N_080W'): LogEntry {
  const manifestSha256 = createHash('sha256').update(readFileSync(join(dir, 'manifest.json'))).digest('hex');
  return { type: 'dataset', version: 1, body: { datasetRoot: root, manifestSha256, name } };
}

/** The commitment of a note, as a decimal. */
export function commitmentOf(note: LotNote): string {
  return noteCommitment(note).toString();
}

/** An audit source serving what `client` serves, except where `overrides` say otherwise (a lying registry). */
export function lyingSource(client: RegistryClient, overrides: Partial<AuditSource>): AuditSource {
  const honest: AuditSource = {
    checkpointNote: () => client.checkpointNote(),
    checkpoints: (o) => client.checkpoints(o),
    entries: (start, end) => client.entries(start, end),
    entry: (seq) => client.entry(seq),
    consistencyProof: (o, n) => client.consistencyProof(o, n),
    inclusionProof: (i, n) => client.inclusionProof(i, n),
    treeProof: (t, i, n) => client.treeProof(t, i, n),
    treeLeaf: (t, v) => client.treeLeaf(t, v),
    dataset: (root) => client.dataset(root),
    artifacts: () => client.artifacts(),
    roots: () => client.roots(),
  };
  return { ...honest, ...overrides };
}
