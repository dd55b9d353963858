/**
 * The registry's checkpoints: C2SP tlog-checkpoint notes (core/note/checkpoint.ts) signed
 * with the registry's Ed25519 note key, carrying the lots and plots Poseidon roots on the
 * `canopy-lots-root` / `canopy-plots-root` lines. A root a checkpoint carries is
 * "published": the sequencer accepts proofs against it from then on (forever: checkpoints
 * are never removed), which is the history of published roots `history()` lists.
 *
 * The one rule that makes the log a transparency log: never sign two inconsistent
 * checkpoints. `sign()` therefore, in order,
 *
 *     1 reads the log head (size, root hash, both Poseidon roots, one critical section);
 *     2 reads the latest stored checkpoint and re-opens its note with the registry's own
 *       key, requiring its text to match the stored record (a row altered in the database
 *       is caught here, not signed over);
 *     3 if the head has the same size, requires the same root hash and Poseidon roots and
 *       returns the stored checkpoint: nothing new to sign;
 *     4 otherwise proves consistency from the latest size to the new one with proveTree over
 *       the stored hashes and checks it with checkTree against both root hashes, and checks
 *       that each Poseidon tree at the latest checkpoint's leaf count still has the root that
 *       checkpoint published (both trees only append);
 *     5 signs, and stores the new checkpoint with a compare-and-set on the latest size; if
 *       another process signed first, starts again at 1 against that one.
 *
 * A failure of 2–4 is `LOG_INCONSISTENT` and nothing is signed. Since every checkpoint
 * passed 4 against its predecessor, any two stored checkpoints are consistent.
 *
 * Cosignatures (C2SP tlog-cosignature): `addCosignatures(note, witnessKeys)` merges the
 * witnesses' signatures from a note into the stored checkpoint with the same text; the
 * stored signature lines keep their order and new ones are appended after them.
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { assertArray, assertInteger, assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { fieldToString } from '../../core/field.ts';
import { type Checkpoint, formatCheckpoint, parseCheckpoint } from '../../core/note/checkpoint.ts';
import { cosignatureVerifier } from '../../core/note/cosignature.ts';
import { ed25519VerifierKey, noteSigner, noteVerifier, type NoteSigner, type NoteVerifier, parseSignerKey } from '../../core/note/note-key.ts';
import { type Note, openNote, signNote } from '../../core/note/signed-note.ts';
import { hashEqual } from '../../core/tlog/hash.ts';
import { checkTree, proveTree } from '../../core/tlog/tree-proof.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';
import type { CheckpointRecord, RegistryStore } from '../store/store.ts';
import { SerialQueue } from './_serial-queue.ts';
import type { Sequencer } from './sequencer.ts';

/** Attempts of `sign` and `addCosignatures` when another process writes first. */
export const CHECKPOINT_RETRIES = 100;

/** Most checkpoints `history` returns at once. */
export const MAX_HISTORY = 1000;

/** A signed checkpoint, JSON-safe: the note and the values it carries. */
export interface SignedCheckpoint {
  /** The signed note: checkpoint text, blank line, signature lines (registry's first). */
  note: string;
  size: number;
  /** RFC 6962 root hash, base64 (as on the checkpoint's third line). */
  rootHash: string;
  /** Leaves of the lots tree at this checkpoint. */
  lotsSize: number;
  /** Leaves of the plots tree at this checkpoint. */
  plotsSize: number;
  /** Lots tree root, canonical decimal. */
  lotsRoot: string;
  /** Plots tree root, canonical decimal. */
  plotsRoot: string;
  /** Milliseconds since 1970 by the registry's clock when signed (not part of the note). */
  signedAt: number;
}

/** Options of `CheckpointSigner`. */
export interface CheckpointSignerOptions {
  store: RegistryStore;
  sequencer: Sequencer;
  /** The log's origin line, e.g. "registry.example/canopy". */
  origin: string;
  /** The registry's note signer key, "PRIVATE+KEY+<name>+<hash>+<key>" (generateNoteKey). */
  signerKey: string;
  /** Clock for `signedAt` (default Date.now). */
  now?: () => number;
}

/** Signs, stores and serves the registry's checkpoints. See the module comment. */
export class CheckpointSigner {
  /** The registry's verifier key, "<name>+<hash>+<key>": what clients open checkpoints with. */
  readonly verifierKey: string;
  /** The origin line of every checkpoint. */
  readonly origin: string;
  readonly #store: RegistryStore;
  readonly #sequencer: Sequencer;
  readonly #signer: NoteSigner;
  readonly #verifier: NoteVerifier;
  readonly #now: () => number;
  readonly #queue = new SerialQueue();

  /**
   * @throws {TypeError|RangeError} if an option is malformed; {CanopyError} KEY_MALFORMED if
   *   the signer key is not a well-formed Ed25519 note key
   * @example new CheckpointSigner({ store, sequencer, origin: 'registry.example/canopy', signerKey })
   */
  constructor(options: CheckpointSignerOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected CheckpointSignerOptions, got ${String(options)}`);
    this.#store = options.store;
    this.#sequencer = options.sequencer;
    // Format an empty checkpoint once: it validates the origin as a checkpoint line.
    formatCheckpoint({ origin: options.origin, size: 0, rootHash: new Uint8Array(32), canopyRoots: null, extensions: [] });
    this.origin = options.origin;
    this.#signer = noteSigner(options.signerKey);
    const { name, seed } = parseSignerKey(options.signerKey);
    this.verifierKey = ed25519VerifierKey(name, ed25519.getPublicKey(seed));
    this.#verifier = noteVerifier(this.verifierKey);
    this.#now = options.now ?? Date.now;
  }

  /**
   * Signs a checkpoint of the log as it is now, or returns the latest one if the log has
   * not grown since (see the module comment for the checks).
   * @throws {CanopyError} LOG_INCONSISTENT if the store disagrees with what was signed
   *   before (nothing is signed); STORE_CONFLICT after CHECKPOINT_RETRIES lost races;
   *   whatever the store throws
   * @example const { note } = await signer.sign()
   */
  sign(): Promise<SignedCheckpoint> {
    return this.#queue.run(async () => {
      for (let attempt = 0; ; attempt++) {
        const head = await this.#sequencer.logHead();
        const latest = await this.#store.latestCheckpoint();
        if (latest !== null) {
          this.#checkStored(latest);
          if (latest.size > head.size) throw new CanopyError('LOG_INCONSISTENT', `the latest checkpoint has size ${latest.size}, beyond the log's ${head.size}`);
          if (latest.size === head.size) {
            if (!hashEqual(latest.rootHash, head.rootHash) || latest.lotsRoot !== head.lotsRoot || latest.plotsRoot !== head.plotsRoot) {
              throw new CanopyError('LOG_INCONSISTENT', `the log at size ${head.size} no longer has the roots its checkpoint signed`);
            }
            return toSigned(latest);
          }
          if (latest.size > 0) {
            const proof = await proveTree(head.size, latest.size, this.#store);
            if (!checkTree(proof, head.size, head.rootHash, latest.size, latest.rootHash)) {
              throw new CanopyError('LOG_INCONSISTENT', `the log of size ${head.size} does not extend the signed checkpoint of size ${latest.size}`);
            }
          }
          const trees = this.#sequencer.trees;
          if (head.lotsSize < latest.lotsSize || trees.rootAt('lots', latest.lotsSize) !== latest.lotsRoot || head.plotsSize < latest.plotsSize || trees.rootAt('plots', latest.plotsSize) !== latest.plotsRoot) {
            throw new CanopyError('LOG_INCONSISTENT', `the Poseidon trees do not extend the ones signed at size ${latest.size}`);
          }
        }
        const checkpoint: Checkpoint = { origin: this.origin, size: head.size, rootHash: head.rootHash, canopyRoots: { lots: head.lotsRoot, plots: head.plotsRoot }, extensions: [] };
        const record: CheckpointRecord = {
          size: head.size,
          rootHash: head.rootHash,
          lotsSize: head.lotsSize,
          plotsSize: head.plotsSize,
          lotsRoot: head.lotsRoot,
          plotsRoot: head.plotsRoot,
          note: signNote(formatCheckpoint(checkpoint), [this.#signer]),
          signedAt: this.#now(),
        };
        try {
          await this.#store.appendCheckpoint(record, latest === null ? null : latest.size);
        } catch (e) {
          if (e instanceof CanopyError && e.code === 'STORE_CONFLICT' && attempt < CHECKPOINT_RETRIES) continue;
          throw e;
        }
        return toSigned(record);
      }
    });
  }

  /**
   * The latest signed checkpoint, or null before the first.
   * @throws whatever the store throws
   * @example (await signer.latest())?.note
   */
  async latest(): Promise<SignedCheckpoint | null> {
    const c = await this.#store.latestCheckpoint();
    return c === null ? null : toSigned(c);
  }

  /**
   * The checkpoint signed at exactly `size`, or null if none was.
   * @throws {TypeError|RangeError} if size is not an integer in [0, 2^51]
   * @example await signer.at(1000)
   */
  async at(size: number): Promise<SignedCheckpoint | null> {
    assertInteger(size, 'size', 0, TLOG_MAX_SIZE);
    const [c] = await this.#store.readCheckpoints(size, 1);
    return c !== undefined && c.size === size ? toSigned(c) : null;
  }

  /**
   * Signed checkpoints with size ≥ `fromSize`, oldest first: the history of published
   * roots (each one's lotsRoot and plotsRoot were published at its size).
   * @param limit - 1..MAX_HISTORY
   * @throws {TypeError|RangeError} if an argument is out of range
   * @example (await signer.history(0, 10)).map((c) => c.lotsRoot)
   */
  async history(fromSize: number, limit = MAX_HISTORY): Promise<SignedCheckpoint[]> {
    assertInteger(fromSize, 'fromSize', 0, TLOG_MAX_SIZE);
    assertInteger(limit, 'limit', 1, MAX_HISTORY);
    return (await this.#store.readCheckpoints(fromSize, limit)).map(toSigned);
  }

  /**
   * Adds witnesses' cosignatures to a stored checkpoint: opens `note` with the registry's
   * key and the witness keys, requires the registry's own signature and a checkpoint the
   * registry stored with the same text, and keeps every stored signature plus the
   * witnesses' verified ones (signatures of unknown keys in `note` are dropped).
   * @param note - a signed checkpoint note carrying cosignatures (attacker-controlled)
   * @param witnessKeys - cosigner verifier keys (C2SP tlog-cosignature, type 0x04)
   * @returns the stored checkpoint with the merged note
   * @throws {TypeError|RangeError} if an argument is malformed; {CanopyError} NOTE_MALFORMED,
   *   SIGNATURE_INVALID (a known key's signature fails), NOTE_UNVERIFIED, KEY_MALFORMED,
   *   CHECKPOINT_MALFORMED; NOT_FOUND if no checkpoint with that text is stored;
   *   SIGNATURE_INVALID if the registry's own signature is missing
   * @example await signer.addCosignatures(cosignedNote, [witnessVkey])
   */
  addCosignatures(note: string, witnessKeys: readonly string[]): Promise<SignedCheckpoint> {
    assertString(note, 'note', 1 << 20);
    assertArray(witnessKeys, 'witnessKeys', 1, 99);
    const witnesses = witnessKeys.map((k) => cosignatureVerifier(k));
    return this.#queue.run(async () => {
      const verifiers = [this.#verifier, ...witnesses];
      const incoming = openNote(note, verifiers);
      if (!incoming.sigs.some((s) => this.#isOwn(s))) throw new CanopyError('SIGNATURE_INVALID', 'the note carries no signature by the registry key');
      const size = parseCheckpoint(incoming.text).size;
      for (let attempt = 0; ; attempt++) {
        const [stored] = await this.#store.readCheckpoints(size, 1);
        if (stored === undefined || stored.size !== size) throw new CanopyError('NOT_FOUND', `no checkpoint of size ${size} is stored`);
        const current = openNote(stored.note, verifiers);
        if (current.text !== incoming.text) throw new CanopyError('NOT_FOUND', `the stored checkpoint of size ${size} has a different text`);
        const have = new Set(current.sigs.map(sigKey));
        const added = incoming.sigs.filter((s) => !this.#isOwn(s) && !have.has(sigKey(s)));
        if (added.length === 0) return toSigned(stored);
        // Stored lines keep their order (the registry's first, earlier witnesses next, whether
        // or not their keys were given now); new cosignatures follow them.
        const lines = stored.note.slice(stored.note.lastIndexOf('\n\n') + 2).split('\n');
        const at = (sig: { base64: string }) => lines.findIndex((line) => line.endsWith(` ${sig.base64}`));
        const kept = [...current.sigs, ...current.unverifiedSigs].sort((x, y) => at(x) - at(y));
        const merged: Note = { text: current.text, sigs: [...kept, ...added], unverifiedSigs: [] };
        const text = signNote(merged, []);
        try {
          await this.#store.replaceCheckpointNote(size, text, stored.note);
        } catch (e) {
          if (e instanceof CanopyError && e.code === 'STORE_CONFLICT' && attempt < CHECKPOINT_RETRIES) continue;
          throw e;
        }
        return toSigned({ ...stored, note: text });
      }
    });
  }

  #isOwn(sig: { name: string; keyHash: number }): boolean {
    return sig.name === this.#verifier.name && sig.keyHash === this.#verifier.keyHash;
  }

  // Step 2: the stored note opens with our key, and its text says what the row says.
  #checkStored(c: CheckpointRecord): void {
    let text: string;
    try {
      text = openNote(c.note, [this.#verifier]).text;
    } catch (e) {
      throw new CanopyError('LOG_INCONSISTENT', `the stored checkpoint of size ${c.size} does not open with the registry key`, { cause: e });
    }
    const want = formatCheckpoint({ origin: this.origin, size: c.size, rootHash: c.rootHash, canopyRoots: { lots: c.lotsRoot, plots: c.plotsRoot }, extensions: [] });
    if (text !== want) throw new CanopyError('LOG_INCONSISTENT', `the stored checkpoint of size ${c.size} says something other than its note`);
  }
}

/**
 * The JSON-safe form of a stored checkpoint.
 * @throws {TypeError|RangeError} if a field is malformed
 * @example toSigned(await store.latestCheckpoint())
 */
export function toSigned(c: CheckpointRecord): SignedCheckpoint {
  return {
    note: c.note,
    size: c.size,
    rootHash: Buffer.from(c.rootHash).toString('base64'),
    lotsSize: c.lotsSize,
    plotsSize: c.plotsSize,
    lotsRoot: fieldToString(c.lotsRoot, 'lotsRoot'),
    plotsRoot: fieldToString(c.plotsRoot, 'plotsRoot'),
    signedAt: c.signedAt,
  };
}

function sigKey(s: { name: string; keyHash: number }): string {
  return `${s.name}\n${s.keyHash}`;
}
