/**
 * The circuit verification keys the registry accepts, as it publishes them at
 * `GET /v1/artifacts`: read from one setup folder (`canopy setup`, docs/setup.md), each key
 * checked against the folder's manifest before use.
 *
 *     { "profile": "demo", "snarkjs": "0.7.6", "forProduction": false,
 *       "manifestSha256": "<64 hex: SHA-256 of manifest.json as stored>",
 *       "circuits": [ { "circuit": "lot_mint", "vkeyHash": "<64 hex: SHA-256 of the key file>",
 *                       "params": {}, "publicSignals": ["outCommitment"], "constraints": 507,
 *                       "ptauSha256": "<64 hex>", "zkeyHash": "<64 hex>", "r1csHash": "<64 hex>",
 *                       "vkey": { …snarkjs verification key… } } ] }
 *
 * Only circuits the log accepts (registry/log/circuit-signals.ts `CIRCUIT_IDS`) are
 * published; others in the folder (membership) are skipped. A proof bundle names its key
 * by `vkeyHash`, and the proof verifier pool holds exactly these keys, so a proof under any
 * other key is PROOF_INVALID.
 *
 * Pinning. `artifactsEntry` turns the published artifacts into an `artifacts` log entry
 * (profile, and per circuit the manifest's SHA-256 of the verification key, proving key
 * and r1cs); `pinArtifacts` appends it unless every (circuit, vkeyHash) of it is pinned
 * already. Once the log holds an artifacts entry, the sequencer refuses proofs under keys
 * no artifacts entry pinned (PARAMETER_NOT_ALLOWED), so a change of keys is an entry in
 * the append-only history, not only a change of this endpoint's answer.
 * @module
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { artifactPath, checkEntry, MANIFEST_FILE, parseManifest } from '../../circuits/toolchain/manifest.ts';
import type { VerificationKey } from '../../circuits/toolchain/prove.ts';
import { CIRCUIT_IDS, type CircuitId } from '../log/circuit-signals.ts';
import type { ArtifactsEntry, PinnedArtifacts } from '../log/entry.ts';
import type { RegistryLog } from '../log/registry-log.ts';
import type { AppendReceipt } from '../log/sequencer.ts';
import type { Submitter } from '../store/store.ts';
import type { AcceptedKey } from '../proof-verifier-pool.ts';

/** One published circuit key. */
export interface PublishedCircuit {
  circuit: CircuitId;
  /** SHA-256 of the verification key file, 64 lowercase hex: what proof bundles name. */
  vkeyHash: string;
  params: Record<string, number>;
  publicSignals: string[];
  constraints: number;
  /** SHA-256 of the powers of tau the key was made from. */
  ptauSha256: string;
  /** SHA-256 of the proving key file (manifest files.zkey.sha256). */
  zkeyHash: string;
  /** SHA-256 of the r1cs file (manifest files.r1cs.sha256). */
  r1csHash: string;
  vkey: VerificationKey;
}

/** What `GET /v1/artifacts` serves. JSON-safe. */
export interface PublishedArtifacts {
  profile: string;
  snarkjs: string;
  /** False when any key was made from the bundled, not-for-production ptau. */
  forProduction: boolean;
  /** SHA-256 of manifest.json, 64 lowercase hex. */
  manifestSha256: string;
  circuits: PublishedCircuit[];
}

/**
 * Reads the accepted keys of a setup folder: parses manifest.json strictly, checks each
 * accepted circuit's key file against its recorded size and SHA-256, and parses it.
 * @param setupDir - a `canopy setup` output folder
 * @throws {CanopyError} NOT_FOUND (no manifest, or no circuit the registry accepts);
 *   INVALID_INPUT (malformed manifest or key); ARTIFACT_MISMATCH (a key file altered)
 * @example const artifacts = await loadArtifacts('circuits/build/demo')
 */
export async function loadArtifacts(setupDir: string): Promise<PublishedArtifacts> {
  assertString(setupDir, 'setupDir', 4096);
  const dir = resolve(setupDir);
  const path = join(dir, MANIFEST_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new CanopyError('NOT_FOUND', `no setup manifest at ${path}: run \`canopy setup\` first`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new CanopyError('INVALID_INPUT', `${path}: not JSON`, { cause: e });
  }
  const manifest = parseManifest(json, path);
  const circuits: PublishedCircuit[] = [];
  for (const id of CIRCUIT_IDS) {
    const entry = Object.hasOwn(manifest.circuits, id) ? manifest.circuits[id]! : undefined;
    if (entry === undefined) continue;
    const mismatches = await checkEntry(dir, entry, ['vkey']);
    if (mismatches.length > 0) throw new CanopyError('ARTIFACT_MISMATCH', `${mismatches.map((m) => `${m.path} (${m.problem})`).join(', ')} in ${dir} does not match the manifest`);
    const vkey = parseVerificationKey(await readFile(artifactPath(dir, entry.files.vkey.path), 'utf8'), entry.files.vkey.path);
    circuits.push({
      circuit: id,
      vkeyHash: entry.files.vkey.sha256,
      params: entry.params,
      publicSignals: entry.publicSignals,
      constraints: entry.constraints.total,
      ptauSha256: entry.ptau.sha256,
      zkeyHash: entry.files.zkey.sha256,
      r1csHash: entry.files.r1cs.sha256,
      vkey,
    });
  }
  if (circuits.length === 0) {
    throw new CanopyError('NOT_FOUND', `${dir} holds keys of none of the circuits the registry accepts (${CIRCUIT_IDS.join(', ')}): run \`canopy setup --profile ${manifest.profile}\``);
  }
  const forProduction = circuits.every((c) => manifest.circuits[c.circuit]!.ptau.forProduction);
  return { profile: manifest.profile, snarkjs: manifest.snarkjs, forProduction, manifestSha256: createHash('sha256').update(bytes).digest('hex'), circuits };
}

/**
 * The keys of published artifacts, as the proof verifier pool takes them.
 * @throws never
 * @example await ProofVerifierPool.start({ keys: acceptedKeys(artifacts) })
 */
export function acceptedKeys(artifacts: PublishedArtifacts): AcceptedKey[] {
  return artifacts.circuits.map((c) => ({ circuit: c.circuit, vkeyHash: c.vkeyHash, vkey: c.vkey }));
}

/**
 * The artifacts entry pinning the published artifacts: the profile, and per circuit the
 * SHA-256 of its verification key, proving key and r1cs.
 * @throws {TypeError|RangeError} if a hash is malformed (when the entry is appended)
 * @example artifactsEntry(await loadArtifacts('circuits/build/demo')).body.circuits.lot_mint.vkeyHash
 */
export function artifactsEntry(artifacts: PublishedArtifacts): ArtifactsEntry {
  const circuits: Partial<Record<CircuitId, PinnedArtifacts>> = {};
  for (const c of artifacts.circuits) circuits[c.circuit] = { vkeyHash: c.vkeyHash, zkeyHash: c.zkeyHash, r1csHash: c.r1csHash };
  return { type: 'artifacts', version: 1, body: { profile: artifacts.profile, circuits } };
}

/**
 * Appends the artifacts entry of `artifacts` unless the log already pins every
 * (circuit, vkeyHash) of it: what the registry verifies is then what its log pins.
 * @param submitter - recorded as the entry's submitter (the registry operator)
 * @returns the receipt of the appended entry, or null when nothing needed pinning
 * @throws as `RegistryLog.append`; whatever the store throws
 * @example await pinArtifacts(log, artifacts, { keyId: log.origin, kind: 'operator', role: 'operator', submittedAt: Date.now() })
 */
export async function pinArtifacts(log: RegistryLog, artifacts: PublishedArtifacts, submitter: Submitter): Promise<AppendReceipt | null> {
  const entry = artifactsEntry(artifacts);
  const pinned = new Set((await log.store.readPinnedKeys()).map((k) => `${k.circuit}\n${k.vkeyHash}`));
  const missing = Object.entries(entry.body.circuits).filter(([circuit, a]) => !pinned.has(`${circuit}\n${a!.vkeyHash}`));
  if (missing.length === 0) return null;
  const [receipt] = await log.append([entry], { submitter });
  return receipt!;
}

function parseVerificationKey(text: string, source: string): VerificationKey {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new CanopyError('INVALID_INPUT', `${source}: not JSON`, { cause: e });
  }
  const k = v as Partial<VerificationKey> | null;
  if (typeof k !== 'object' || k === null || k.protocol !== 'groth16' || k.curve !== 'bn128' || !Number.isSafeInteger(k.nPublic) || !Array.isArray(k.IC) || k.IC.length !== (k.nPublic as number) + 1) {
    throw new CanopyError('INVALID_INPUT', `${source}: expected a Groth16 bn128 verification key with nPublic + 1 IC points`);
  }
  return k as VerificationKey;
}
