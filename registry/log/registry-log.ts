/**
 * The registry log as one object: what the HTTP layer calls. It composes the sequencer
 * (appends, Poseidon trees), the checkpoint signer (signed checkpoints, cosignatures,
 * published-root history) and the proof server (inclusion and consistency proofs), over
 * one `RegistryStore`. Every method returns plain JSON-safe data or throws:
 *
 * - `TypeError`/`RangeError` for malformed input (HTTP 400);
 * - `EntryRejectedError` (code ENTRY_REJECTED, with `reason` and `index`) for a refused
 *   entry (HTTP 409/422); the log is unchanged;
 * - `CanopyError` NOT_FOUND for a checkpoint or entry that does not exist (HTTP 404);
 * - anything else (store or verifier failure, LOG_INCONSISTENT) is a server error, and
 *   nothing was acknowledged.
 *
 *     const log = await RegistryLog.open({ store: openSqliteStore('registry.db'), verifier,
 *       origin: 'registry.example/canopy', signerKey, depths: { lots: 32, plots: 32 } });
 *     const [receipt] = await log.append([entry]);
 *     const checkpoint = await log.signCheckpoint();
 *     const proof = await log.proveInclusion(receipt.sequence, checkpoint.size);
 * @module
 */
import { assertInteger } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { merkleProofToJson, type MerkleProofJson } from '../../core/merkle/merkle-proof.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';
import { assertTreeName, type RegistryStore, type TreeName } from '../store/store.ts';
import { CheckpointSigner, type SignedCheckpoint } from './checkpoint.ts';
import { decodeEntry, type LogEntry } from './entry.ts';
import { type ConsistencyProof, type InclusionProof, proveConsistency, proveInclusion } from './log-proofs.ts';
import type { ProofVerifier } from './proof-verifier.ts';
import type { TreeDepths } from './registry-trees.ts';
import { type AppendOptions, type AppendReceipt, Sequencer, type SequencerOptions } from './sequencer.ts';

/** Most entries `readEntries` returns at once. */
export const MAX_READ_ENTRIES = 1000;

/** Options of `RegistryLog.open`. */
export interface RegistryLogOptions {
  store: RegistryStore;
  verifier: ProofVerifier;
  /** The checkpoints' origin line, e.g. "registry.example/canopy". */
  origin: string;
  /** The registry's note signer key (core/note `generateNoteKey`). */
  signerKey: string;
  /** Depths of the lots and plots trees. */
  depths: TreeDepths;
  /** Sequencer tuning (group size, snapshots, retries). */
  sequencer?: Pick<SequencerOptions, 'maxGroupEntries' | 'snapshotEvery' | 'maxConflictRetries' | 'useSnapshots'>;
  /** Clock, milliseconds: checkpoints' `signedAt` and the harvest-year window of capacity issuance (default Date.now). */
  now?: () => number;
}

/** A log entry as served: its sequence number, leaf hash (base64) and decoded entry. */
export interface ServedEntry {
  sequence: number;
  leafHash: string;
  entry: LogEntry;
}

/** The registry log. See the module comment. */
export class RegistryLog {
  readonly store: RegistryStore;
  readonly sequencer: Sequencer;
  readonly checkpoints: CheckpointSigner;

  private constructor(store: RegistryStore, sequencer: Sequencer, checkpoints: CheckpointSigner) {
    this.store = store;
    this.sequencer = sequencer;
    this.checkpoints = checkpoints;
  }

  /**
   * Opens the log on a store: restores the Poseidon trees and readies the signer.
   * @throws {TypeError|RangeError} if an option is malformed; {CanopyError} KEY_MALFORMED,
   *   LOG_INCONSISTENT; whatever the store throws
   * @example const log = await RegistryLog.open({ store, verifier, origin, signerKey, depths: { lots: 32, plots: 32 } })
   */
  static async open(options: RegistryLogOptions): Promise<RegistryLog> {
    if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected RegistryLogOptions, got ${String(options)}`);
    const sequencer = await Sequencer.open({ ...options.sequencer, store: options.store, verifier: options.verifier, depths: options.depths, now: options.now });
    const checkpoints = new CheckpointSigner({ store: options.store, sequencer, origin: options.origin, signerKey: options.signerKey, now: options.now });
    return new RegistryLog(options.store, sequencer, checkpoints);
  }

  /** The registry's verifier key, for clients opening checkpoints. */
  get verifierKey(): string {
    return this.checkpoints.verifierKey;
  }

  /** The checkpoints' origin line. */
  get origin(): string {
    return this.checkpoints.origin;
  }

  /**
   * Appends entries all-or-nothing; resolves once they are durably stored (Sequencer.append),
   * with the submitter (if given) stored beside each entry in the same transaction.
   * @throws {TypeError|RangeError} malformed entry or submitter; {EntryRejectedError} refused entry; store or verifier failures
   * @example const receipts = await log.append([entry], { submitter: { keyId: 'mill-7', kind: 'party', role: 'supplier', submittedAt: Date.now() } })
   */
  append(entries: readonly LogEntry[], options: AppendOptions = {}): Promise<AppendReceipt[]> {
    return this.sequencer.append(entries, options);
  }

  /**
   * Signs a checkpoint of the log now (or returns the latest if nothing was appended since).
   * @throws {CanopyError} LOG_INCONSISTENT (nothing signed); store failures
   * @example const { note } = await log.signCheckpoint()
   */
  signCheckpoint(): Promise<SignedCheckpoint> {
    return this.checkpoints.sign();
  }

  /**
   * The latest signed checkpoint, or null before the first.
   * @throws store failures
   * @example (await log.latestCheckpoint())?.size
   */
  latestCheckpoint(): Promise<SignedCheckpoint | null> {
    return this.checkpoints.latest();
  }

  /**
   * Inclusion proof of entry `index` in the log of `size` entries.
   * @throws {TypeError|RangeError} unless 0 ≤ index < size ≤ log size
   * @example await log.proveInclusion(receipt.sequence, checkpoint.size)
   */
  proveInclusion(index: number, size: number): Promise<InclusionProof> {
    return proveInclusion(this.store, index, size);
  }

  /**
   * Consistency proof from the log of `oldSize` entries to the log of `size` entries.
   * @throws {TypeError|RangeError} unless 1 ≤ oldSize ≤ size ≤ log size
   * @example await log.proveConsistency(older.size, newer.size)
   */
  proveConsistency(oldSize: number, size: number): Promise<ConsistencyProof> {
    return proveConsistency(this.store, oldSize, size);
  }

  /**
   * Entries [start, end), decoded (at most MAX_READ_ENTRIES).
   * @throws {TypeError|RangeError} if the range is malformed or too long; {CanopyError}
   *   NOT_FOUND if it reaches beyond the log; LOG_INCONSISTENT if stored bytes do not decode
   * @example await log.readEntries(0, 10)
   */
  async readEntries(start: number, end: number): Promise<ServedEntry[]> {
    assertInteger(start, 'start', 0, TLOG_MAX_SIZE);
    assertInteger(end, 'end', start, Math.min(TLOG_MAX_SIZE, start + MAX_READ_ENTRIES));
    const stored = await this.store.readEntries(start, end);
    return stored.map((s) => {
      let entry: LogEntry;
      try {
        entry = decodeEntry(s.bytes);
      } catch (e) {
        throw new CanopyError('LOG_INCONSISTENT', `stored entry ${s.sequence} does not decode`, { cause: e });
      }
      return { sequence: s.sequence, leafHash: Buffer.from(s.leafHash).toString('base64'), entry };
    });
  }

  /**
   * A Poseidon inclusion proof of leaf `index` of `tree`, against the root that the
   * checkpoint of size `checkpointSize` published (a prover's witness for a transition or
   * capacity mint), in the wire form of core/merkle.
   * @throws {TypeError|RangeError} if an argument is malformed or the leaf is not in the
   *   tree at that checkpoint; {CanopyError} NOT_FOUND if no checkpoint has that size
   * @example await log.treeProof('lots', receipt.lotsLeafIndexes[0], checkpoint.size)
   */
  async treeProof(tree: TreeName, index: number, checkpointSize: number): Promise<MerkleProofJson> {
    assertTreeName(tree, 'tree');
    assertInteger(index, 'index');
    const checkpoint = await this.checkpoints.at(checkpointSize);
    if (checkpoint === null) throw new CanopyError('NOT_FOUND', `no checkpoint of size ${checkpointSize}`);
    const atSize = tree === 'lots' ? checkpoint.lotsSize : checkpoint.plotsSize;
    // Another process may have appended (and signed) since this one last read the store.
    if (this.sequencer.trees.size(tree) < atSize) await this.sequencer.refresh();
    return merkleProofToJson(this.sequencer.trees.proof(tree, index, atSize));
  }

  /**
   * Closes the store.
   * @throws whatever the store throws
   * @example await log.close()
   */
  close(): Promise<void> {
    return this.store.close();
  }
}
