/**
 * What a lot command asks of the registry (docs/registry-api.md), in one place: the
 * log's origin, the keys it accepts, Poseidon proofs of lots and plots leaves against a
 * published root, whether nullifiers are spent, and a submission that waits until a
 * signed checkpoint covers the new entries, so the next step can prove against them.
 *
 * The session checks what it can without trusting the registry: every tree proof must
 * verify, be of the leaf asked for, and reach the root the roots route reports for the
 * checkpoint it was asked against. With the registry's verifier key
 * (`registryVkey`) the checkpoint note itself is opened and its roots compared as well.
 * @module
 */
import { CanopyError } from '../../core/errors.ts';
import { merkleProofFromJson, verifyMerkleProof, type MerkleProof } from '../../core/merkle/merkle-proof.ts';
import { ApiError } from '../../registry/api/api-error.ts';
import type { PublishedArtifacts } from '../../registry/api/artifacts.ts';
import { RegistryClient, verifyCheckpointNote, type RequestSigner } from '../../registry/client.ts';
import type { LogEntry } from '../../registry/log/entry.ts';
import type { AppendReceipt } from '../../registry/log/sequencer.ts';

/** Options of a `RegistrySession`. */
export interface RegistrySessionOptions {
  /** A client, or the registry's base URL. */
  registry: RegistryClient | string;
  /** The party that signs submissions (`--key`); reads need none. */
  signer?: RequestSigner;
  /** The registry's note verifier key: when given, checkpoints are opened with it. */
  registryVkey?: string;
  /** How long to wait for a checkpoint covering a submission (default 60 s). */
  checkpointTimeoutMs?: number;
  onProgress?: (line: string) => void;
}

/** A published tree state: the checkpoint size and the tree's root and leaf count then. */
export interface PublishedRoot {
  checkpointSize: number;
  leaves: number;
  root: bigint;
}

/** See the module doc. */
export class RegistrySession {
  readonly client: RegistryClient;
  readonly #signer: RequestSigner | undefined;
  readonly #vkey: string | undefined;
  readonly #timeoutMs: number;
  readonly #progress: (line: string) => void;
  #origin: string | undefined;
  #artifacts: PublishedArtifacts | undefined;

  /**
   * @throws {TypeError|RangeError} for a malformed URL
   * @example new RegistrySession({ registry: 'http://127.0.0.1:8080', signer })
   */
  constructor(options: RegistrySessionOptions) {
    this.client = typeof options.registry === 'string' ? new RegistryClient({ baseUrl: options.registry }) : options.registry;
    this.#signer = options.signer;
    this.#vkey = options.registryVkey;
    this.#timeoutMs = options.checkpointTimeoutMs ?? 60_000;
    this.#progress = options.onProgress ?? (() => undefined);
  }

  /**
   * The log's origin (line 1 of its checkpoints), as passports name the registry.
   * @throws {ApiError} network failures
   * @example await session.origin() // 'registry.example/canopy'
   */
  async origin(): Promise<string> {
    this.#origin ??= (await this.client.health()).origin;
    return this.#origin;
  }

  /**
   * Refuses early, before any proof, when the registry does not accept the local key of a
   * circuit (another setup, or another profile).
   * @throws {CanopyError} ARTIFACT_MISMATCH naming the hashes
   * @example await session.assertAccepts('lot_transition', vkeyHash)
   */
  async assertAccepts(circuitId: string, vkeyHash: string): Promise<void> {
    this.#artifacts ??= await this.client.artifacts();
    const accepted = this.#artifacts.circuits.filter((c) => c.circuit === circuitId);
    if (!accepted.some((c) => c.vkeyHash === vkeyHash)) {
      throw new CanopyError(
        'ARTIFACT_MISMATCH',
        `the registry does not accept the local ${circuitId} key ${vkeyHash.slice(0, 16)}… (it accepts ${accepted.map((c) => `${c.vkeyHash.slice(0, 16)}…`).join(', ') || 'no key for that circuit'}; profile ${this.#artifacts.profile}): use the registry's keys (--keys, --profile)`,
      );
    }
  }

  /**
   * The latest published root of a tree that covers every leaf index in `leafIndexes`,
   * waiting (up to the timeout) for a checkpoint when the newest leaves are not yet in one.
   * @throws {ApiError} UNAVAILABLE when no such checkpoint comes; {CanopyError} NOTE_UNVERIFIED
   *   when a registry key was given and the checkpoint's roots differ from those served
   * @example const root = await session.publishedRoot('lots', [12, 15])
   */
  async publishedRoot(tree: 'lots' | 'plots', leafIndexes: readonly number[]): Promise<PublishedRoot> {
    const need = Math.max(-1, ...leafIndexes) + 1;
    const deadline = Date.now() + this.#timeoutMs;
    for (;;) {
      const roots = await this.client.roots();
      if (roots[tree].leaves >= need) {
        const root = BigInt(roots[tree].root);
        if (this.#vkey !== undefined) await this.#checkRoots(roots.checkpointSize, tree, root);
        return { checkpointSize: roots.checkpointSize, leaves: roots[tree].leaves, root };
      }
      if (Date.now() > deadline) throw new ApiError('UNAVAILABLE', `no checkpoint covers ${tree} leaf ${need - 1} within ${this.#timeoutMs} ms`, { status: 0 });
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Poseidon proofs of `leaves[i]` at `leafIndexes[i]`, all against one published root.
   * @throws {CanopyError} NOT_FOUND if a leaf index holds another value (the wallet and the
   *   registry disagree); PROOF_INVALID if a proof does not verify or reach that root
   * @example const [p] = await session.treeProofs('lots', [12], [commitment])
   */
  async treeProofs(tree: 'lots' | 'plots', leafIndexes: readonly number[], leaves: readonly bigint[]): Promise<MerkleProof[]> {
    const published = await this.publishedRoot(tree, leafIndexes);
    return Promise.all(
      leafIndexes.map(async (leafIndex, i) => {
        const proof = merkleProofFromJson(await this.client.treeProof(tree, leafIndex, published.checkpointSize));
        if (proof.leaf !== leaves[i]) throw new CanopyError('NOT_FOUND', `the registry's ${tree} leaf ${leafIndex} is ${proof.leaf}, not ${leaves[i]}`);
        if (!verifyMerkleProof(proof) || proof.root !== published.root || proof.leafIndex !== leafIndex) {
          throw new CanopyError('PROOF_INVALID', `the registry's proof of ${tree} leaf ${leafIndex} does not reach the published root ${published.root}`);
        }
        return proof;
      }),
    );
  }

  /**
   * Where a leaf value sits in a tree, or null when the registry has not appended it.
   * @throws {ApiError} for failures other than NOT_FOUND
   * @example await session.findLeaf('plots', attestationLeaf) // { leafIndex: 3, sequence: 5 }
   */
  async findLeaf(tree: 'lots' | 'plots', value: bigint): Promise<{ leafIndex: number; sequence: number } | null> {
    try {
      const r = await this.client.treeLeaf(tree, value);
      return { leafIndex: r.leafIndex, sequence: r.sequence };
    } catch (e) {
      if (e instanceof ApiError && e.code === 'NOT_FOUND') return null;
      throw e;
    }
  }

  /**
   * Refuses early when any of `nullifiers` is already spent in the registry: the log would
   * refuse the entry (NULLIFIER_SPENT) after a proof was made for nothing.
   * @param what - names each nullifier's note in the message
   * @throws {CanopyError} INVALID_INPUT naming the spent note and the entry that spent it
   * @example await session.assertUnspent([nf], ['note 1234…'])
   */
  async assertUnspent(nullifiers: readonly bigint[], what: readonly string[]): Promise<void> {
    const states = await Promise.all(nullifiers.map((n) => this.client.nullifier(n)));
    states.forEach((s, i) => {
      if (s.spent) throw new CanopyError('INVALID_INPUT', `${what[i]} is already spent in the registry (entry ${s.sequence ?? '?'}); it cannot be spent again`);
    });
  }

  /**
   * Submits entries (all or none) signed by the session's party; resolves once the
   * registry stored them durably.
   * @throws {CanopyError} INVALID_INPUT without a signer; {ApiError} the registry's refusal
   *   (status 4xx: nothing was appended, `isRefusal`) or a failure after which the outcome
   *   is unknown
   * @example const receipts = await session.submit([entry])
   */
  async submit(entries: readonly LogEntry[]): Promise<AppendReceipt[]> {
    if (this.#signer === undefined) throw new CanopyError('INVALID_INPUT', 'submitting needs the party key of a registered supplier (--key FILE)');
    const t0 = performance.now();
    const receipts = await this.client.submit(entries, this.#signer);
    const last = receipts[receipts.length - 1]!;
    this.#progress(`registry accepted ${receipts.length === 1 ? `entry ${last.sequence}` : `entries ${receipts[0]!.sequence}..${last.sequence}`} (${secs(t0)} s)`);
    return receipts;
  }

  /**
   * Waits for a signed checkpoint that covers every receipt, so later steps can prove
   * against the new leaves.
   * @throws {ApiError} UNAVAILABLE after the timeout
   * @example const size = await session.waitCovered(receipts)
   */
  async waitCovered(receipts: readonly AppendReceipt[]): Promise<number> {
    const t0 = performance.now();
    const need = Math.max(...receipts.map((r) => r.sequence)) + 1;
    const cp = await this.client.waitForCheckpoint(need, { timeoutMs: this.#timeoutMs });
    this.#progress(`checkpoint of size ${cp.size} covers it (${secs(t0)} s)`);
    return cp.size;
  }

  async #checkRoots(checkpointSize: number, tree: 'lots' | 'plots', root: bigint): Promise<void> {
    const [cp] = await this.client.checkpoints({ from: checkpointSize, limit: 1 });
    if (cp === undefined || cp.size !== checkpointSize) throw new CanopyError('NOTE_UNVERIFIED', `the registry serves roots of checkpoint ${checkpointSize} but not that checkpoint`);
    const { checkpoint } = verifyCheckpointNote(cp.note, this.#vkey!);
    const signed = checkpoint.canopyRoots?.[tree];
    if (signed !== root) throw new CanopyError('NOTE_UNVERIFIED', `the ${tree} root ${root} served for checkpoint ${checkpointSize} is not the one it signed (${String(signed)})`);
  }
}

/**
 * True when an error from `submit` means the registry refused the entries (nothing was
 * appended), as opposed to an outcome that is unknown (network, 5xx, timeout).
 * @throws never
 * @example if (isRefusal(e)) wallet.dropPending(c)
 */
export function isRefusal(e: unknown): boolean {
  return e instanceof ApiError && e.status >= 400 && e.status < 500;
}

function secs(t0: number): string {
  return ((performance.now() - t0) / 1000).toFixed(1);
}
