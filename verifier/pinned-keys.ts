/**
 * The Groth16 verification keys an importer trusts: those its policy pins (importer-policy.ts
 * `artifacts`), and no other.
 *
 * A proof bundle names its key by `vkeyHash`, the SHA-256 of the key file as `canopy setup`
 * writes it (`JSON.stringify(vkey, null, 2)` and a newline, circuits/toolchain/phase2.ts).
 * A key is used only when that hash is pinned for the bundle's circuit, and it is read from:
 *
 *   1. the policy's `keysDir`, a setup folder whose manifest records the hash and whose key
 *      file is checked against it (registry/api/artifacts.ts `loadArtifacts`); else
 *   2. the registry's `GET /v1/artifacts`, re-serialised the way setup writes key files and
 *      hashed: it must hash to the pinned value. A registry cannot substitute a key,
 *      because the key it serves must be the one whose file hash the importer pinned.
 *
 * Verified keys are cached by hash (they are content-addressed, so a cache cannot go stale).
 * @module
 */
import { createHash } from 'node:crypto';
import type { VerificationKey } from '../circuits/toolchain/prove.ts';
import { loadArtifacts, type PublishedArtifacts } from '../registry/api/artifacts.ts';
import { ClaimRejectedError } from './claim-rejected.ts';
import { type ImporterPolicy, LOT_CIRCUITS, type LotCircuit } from './importer-policy.ts';
import type { VerifierRegistry } from './verifier-registry.ts';

/**
 * The SHA-256 a key file of `vkey` has when `canopy setup` writes it.
 * @throws {TypeError} if `vkey` cannot be serialised (a cycle, a bigint)
 * @example verificationKeyFileHash(vkey) // '3f9a…' (64 hex)
 */
export function verificationKeyFileHash(vkey: VerificationKey): string {
  return createHash('sha256').update(`${JSON.stringify(vkey, null, 2)}\n`).digest('hex');
}

/** The keys a policy pins, resolved and cached. One instance per policy. */
export class PinnedKeys {
  readonly #policy: ImporterPolicy;
  #local: Promise<PublishedArtifacts | null> | null = null;
  readonly #verified = new Map<string, VerificationKey>();

  /**
   * @example const keys = new PinnedKeys(policy)
   */
  constructor(policy: ImporterPolicy) {
    this.#policy = policy;
  }

  /** The setup folder's keys, read once (null without a keysDir). */
  #localKeys(): Promise<PublishedArtifacts | null> {
    if (this.#local === null) {
      const dir = this.#policy.artifacts.keysDir;
      this.#local = dir === null ? Promise.resolve(null) : loadArtifacts(dir);
      // A failed read (a missing folder) is not cached: the next call tries again.
      this.#local.catch(() => (this.#local = null));
    }
    return this.#local;
  }

  /**
   * The key hashes pinned for a circuit: the policy's list and the keysDir manifest's.
   * @throws {CanopyError} NOT_FOUND, ARTIFACT_MISMATCH, INVALID_INPUT when keysDir is unreadable
   * @example await keys.pinnedHashes('lot_mint') // ['3f9a…']
   */
  async pinnedHashes(circuit: LotCircuit): Promise<string[]> {
    const local = await this.#localKeys();
    const fromDir = local?.circuits.filter((c) => c.circuit === circuit).map((c) => c.vkeyHash) ?? [];
    return [...new Set([...(this.#policy.artifacts.vkeyHashes[circuit] ?? []), ...fromDir])];
  }

  /**
   * The verification key with file hash `vkeyHash` for `circuit`, if the policy pins it.
   * @throws {ClaimRejectedError} check `proof`: the circuit creates no lots, the hash is not
   *   pinned, or the registry serves no key with that hash (or one that hashes otherwise)
   * @throws {CanopyError} when keysDir is unreadable; whatever the registry client throws
   * @example const vkey = await keys.keyFor(registry, 'lot_mint', bundle.vkeyHash)
   */
  async keyFor(registry: VerifierRegistry, circuit: string, vkeyHash: string): Promise<VerificationKey> {
    if (!(LOT_CIRCUITS as readonly string[]).includes(circuit)) throw new ClaimRejectedError('proof', `circuit ${JSON.stringify(circuit)} creates no lot notes`);
    const pinned = await this.pinnedHashes(circuit as LotCircuit);
    if (!pinned.includes(vkeyHash)) {
      throw new ClaimRejectedError(
        'proof',
        `the proof names verification key ${vkeyHash} of ${circuit}, which the policy does not pin (${pinned.length === 0 ? 'it pins no key of that circuit' : `pinned: ${pinned.join(', ')}`})`,
      );
    }
    const cached = this.#verified.get(vkeyHash);
    if (cached !== undefined) return cached;
    const local = (await this.#localKeys())?.circuits.find((c) => c.circuit === circuit && c.vkeyHash === vkeyHash);
    let vkey: VerificationKey;
    if (local !== undefined) {
      vkey = local.vkey;
    } else {
      const served = (await registry.artifacts()).circuits.find((c) => c.circuit === circuit && c.vkeyHash === vkeyHash);
      if (served === undefined) throw new ClaimRejectedError('proof', `the registry serves no ${circuit} verification key with hash ${vkeyHash}, and the policy's keys folder has none either`);
      const actual = verificationKeyFileHash(served.vkey);
      if (actual !== vkeyHash) throw new ClaimRejectedError('proof', `the ${circuit} verification key the registry serves as ${vkeyHash} hashes to ${actual}: it is not the pinned key`);
      vkey = served.vkey;
    }
    this.#verified.set(vkeyHash, vkey);
    return vkey;
  }
}
