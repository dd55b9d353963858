/**
 * The datasets a registry has registered, read from its log and proven complete against
 * a signed checkpoint.
 *
 * Why complete: a deforestation-free lot descends from plot attestations proven against
 * some dataset of the registry, and the proof chain hides which (docs/lots.md). An
 * importer whose policy accepts only some datasets can therefore accept a lot only if
 * every dataset the registry ever registered is acceptable, and a registry that left one
 * out of its answer would defeat that. So the index reads every entry of the log up to
 * the checkpoint's size, hashes each one itself (RFC 6962 §2.1, `SHA-256(0x00 ‖ canonical
 * JSON)`), and requires the root of those hashes to be the checkpoint's root hash. A
 * registry cannot hide, add or alter an entry without changing that root.
 *
 * Cost: one pass over the log (pages of 100 entries). The index keeps the compact range
 * of what it has read (_compact-range.ts), so a long-running verifier reads only the
 * entries appended since its last checkpoint. A checkpoint smaller than what was read
 * (an older one) restarts from entry 0.
 *
 *     const index = new RegistryDatasetIndex();
 *     const datasets = await index.datasetsAt(registry, checkpoint);   // RegistryDataset[]
 * @module
 */
import { assertString } from '../core/assert.ts';
import { canonicalJsonBytes } from '../core/canonical-json.ts';
import { CanopyError } from '../core/errors.ts';
import { parseField } from '../core/field.ts';
import type { Checkpoint } from '../core/note/checkpoint.ts';
import { hashEqual, leafHash } from '../core/tlog/hash.ts';
import { _CompactRange } from './_compact-range.ts';
import type { VerifierRegistry } from './verifier-registry.ts';

/** A dataset entry of the log. JSON-safe. */
export interface RegistryDataset {
  /** The dataset's name as registered. */
  name: string;
  /** Its Poseidon root, a canonical decimal field element. */
  root: string;
  /** SHA-256 of its manifest, 64 lowercase hex. */
  manifestSha256: string;
  /** The log entry that registered it. */
  sequence: number;
}

// Entries per request: the registry's page size (registry/api/schemas.ts MAX_ENTRIES_PAGE).
const PAGE = 100;

/**
 * Reads and remembers the datasets of one registry log (see the module comment). Calls are
 * serialised; an instance belongs to one log origin.
 */
export class RegistryDatasetIndex {
  #origin: string | null = null;
  #range = new _CompactRange();
  #datasets: RegistryDataset[] = [];
  #queue: Promise<unknown> = Promise.resolve();

  /**
   * The datasets registered in the log of `checkpoint`, every one of them: the entries
   * [0, checkpoint.size) are read, hashed, and must hash to `checkpoint.rootHash`.
   * @param checkpoint - a checkpoint the caller verified with the registry's key
   * @throws {CanopyError} PROOF_INVALID if the served entries do not hash to the checkpoint's
   *   root, or a page is out of order; INVALID_INPUT if the index was used for another origin;
   *   whatever the registry client throws (network, ApiError)
   * @example const datasets = await index.datasetsAt(client, checkpoint)
   */
  datasetsAt(registry: VerifierRegistry, checkpoint: Checkpoint): Promise<RegistryDataset[]> {
    const run = this.#queue.then(() => this.#read(registry, checkpoint));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #read(registry: VerifierRegistry, checkpoint: Checkpoint): Promise<RegistryDataset[]> {
    assertString(checkpoint.origin, 'checkpoint.origin');
    if (this.#origin !== null && this.#origin !== checkpoint.origin) {
      throw new CanopyError('INVALID_INPUT', `this dataset index reads log ${JSON.stringify(this.#origin)}, not ${JSON.stringify(checkpoint.origin)}`);
    }
    this.#origin = checkpoint.origin;
    if (checkpoint.size < this.#range.size) this.#reset();
    const range = this.#range;
    const start = range.size;
    const found: RegistryDataset[] = [];
    // The range is extended in place, so a read that fails part-way (a network error, a
    // lying registry) resets the index: the next call re-reads from entry 0 rather than
    // trust a range holding entries no checkpoint confirmed.
    try {
      for (let at = start; at < checkpoint.size; ) {
        const end = Math.min(checkpoint.size, at + PAGE);
        const page = await registry.entries(at, end);
        if (page.entries.length !== end - at) throw invalid(`the registry returned ${page.entries.length} entries for [${at}, ${end})`);
        for (const served of page.entries) {
          if (served.sequence !== at) throw invalid(`the registry returned entry ${served.sequence} where entry ${at} belongs`);
          const hash = leafHash(canonicalJsonBytes(served.entry, `entry ${at}`));
          range.append(hash);
          if (served.entry.type === 'dataset') found.push(datasetOf(served.entry.body, at));
          at += 1;
        }
      }
      if (!hashEqual(range.root(), checkpoint.rootHash)) {
        throw invalid(`the entries [0, ${checkpoint.size}) the registry served do not hash to the root of its checkpoint: it left out, added or altered an entry`);
      }
    } catch (e) {
      this.#reset();
      throw e;
    }
    this.#datasets.push(...found);
    return this.#datasets.map((d) => ({ ...d }));
  }

  #reset(): void {
    this.#range = new _CompactRange();
    this.#datasets = [];
  }
}

function invalid(message: string): CanopyError {
  return new CanopyError('PROOF_INVALID', message);
}

function datasetOf(body: unknown, sequence: number): RegistryDataset {
  const b = body as { datasetRoot?: unknown; manifestSha256?: unknown; name?: unknown };
  if (typeof b.name !== 'string' || typeof b.manifestSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(b.manifestSha256)) {
    throw invalid(`dataset entry ${sequence} is malformed`);
  }
  return { name: b.name, root: parseField(b.datasetRoot, `entry ${sequence} datasetRoot`).toString(), manifestSha256: b.manifestSha256, sequence };
}
