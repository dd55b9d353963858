/**
 * Checks a follower's batch — a checkpoint note and entries below its size — before any
 * entry is emitted. A batch passes when
 *
 *     1 the note is accepted under the policy (checkpoint-policy.ts: the registry's pinned
 *       key, cosigners as demanded);
 *     2 it is consistent with every checkpoint accepted before, including the one a
 *       resumed follower remembered from its last run (RFC 9162 consistency): the registry
 *       cannot rewrite what a consumer already acted on;
 *     3 each entry is included in it: SHA-256(0x00 ‖ canonical bytes of the entry) is the
 *       leaf at its sequence number, and the served leafHash says the same.
 *
 * Two ways to prove 2 and 3, with the same outcome:
 *
 * - `tilesBatchVerifier`: from C2SP tiles (the registry's own, or any mirror), through
 *   TiledLog: one authenticated level-0 tile per 256 entries, so a batch of 1000 entries
 *   costs about six tile reads.
 * - `proofsBatchVerifier`: from the registry's proof routes: one inclusion proof per entry
 *   and one consistency proof per new checkpoint.
 *
 * A failed check throws `CanopyError('PROOF_INVALID')` naming the entry or tile, and
 * nothing of the batch may be emitted.
 * @module
 */
import { assertArray, typeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { type Hash, hashEqual, leafHash } from '../../core/tlog/hash.ts';
import type { RegistryClient, VerifiedCheckpoint } from '../client.ts';
import { encodeEntry } from '../log/entry.ts';
import { checkConsistencyProof, checkInclusionProof } from '../log/log-proofs.ts';
import type { ServedEntry } from '../log/registry-log.ts';
import { type CheckpointPolicy, type CompiledPolicy, compilePolicy, verifyLogCheckpoint } from '../tiles/checkpoint-policy.ts';
import { MAX_TILED_ENTRIES, TiledLog } from '../tiles/tiled-log-client.ts';

/** Checks batches; see the module comment. */
export interface BatchVerifier {
  /**
   * Accepts `note` (steps 1 and 2) and checks that `entries` are in it (step 3).
   * @returns the accepted checkpoint
   */
  verify(note: string, entries: readonly ServedEntry[]): Promise<VerifiedCheckpoint>;
}

/**
 * Batches checked against tiles at `location` (a URL prefix or a directory).
 * @param trusted - a checkpoint note accepted in an earlier run (the follow state), or null
 * @throws {TypeError|RangeError} for a bad option; {CanopyError} KEY_MALFORMED
 * @example const v = tilesBatchVerifier({ location: registryUrl, policy: { registryKey } })
 */
export function tilesBatchVerifier(options: { location: string; policy: CheckpointPolicy; trusted?: string | null; fetch?: typeof fetch; timeoutMs?: number }): BatchVerifier {
  const log = new TiledLog({ location: options.location, policy: options.policy, fetch: options.fetch, timeoutMs: options.timeoutMs });
  let ready: Promise<unknown> | null = options.trusted == null ? null : log.adoptCheckpoint(options.trusted);
  // Awaited by the first verify; until then a rejection must not count as unhandled.
  ready?.catch(() => undefined);
  return {
    async verify(note, entries) {
      assertBatch(entries);
      if (ready !== null) await ready;
      ready = null;
      const accepted = await log.adoptCheckpoint(note);
      const leaves: Hash[] = [];
      for (let at = 0; at < entries.length; at += MAX_TILED_ENTRIES) {
        const chunk = entries.slice(at, at + MAX_TILED_ENTRIES);
        leaves.push(...(await log.leafHashes(chunk[0]!.sequence, chunk[chunk.length - 1]!.sequence + 1)));
      }
      checkEntries(entries, accepted, (i) => leaves[i]!);
      return accepted;
    },
  };
}

/**
 * Batches checked with the registry's inclusion and consistency proofs.
 * @throws {TypeError|RangeError} for a bad option; {CanopyError} KEY_MALFORMED
 * @example const v = proofsBatchVerifier({ client, policy: { registryKey } })
 */
export function proofsBatchVerifier(options: { client: Pick<RegistryClient, 'inclusionProof' | 'consistencyProof'>; policy: CheckpointPolicy; trusted?: string | null }): BatchVerifier {
  if (typeof options.client !== 'object' || options.client === null) typeError('options.client', 'RegistryClient', options.client);
  const policy: CompiledPolicy = compilePolicy(options.policy);
  const client = options.client;
  let head: VerifiedCheckpoint | null = options.trusted == null ? null : verifyLogCheckpoint(options.trusted, policy);
  return {
    async verify(note, entries) {
      assertBatch(entries);
      const accepted = verifyLogCheckpoint(note, policy);
      const next = accepted.checkpoint;
      if (head !== null) {
        const old = head.checkpoint;
        const [small, large] = next.size <= old.size ? [next, old] : [old, next];
        if (small.size === large.size) {
          if (!hashEqual(small.rootHash, large.rootHash)) throw new CanopyError('PROOF_INVALID', `two checkpoints of size ${next.size} with different roots: the log forked`);
        } else if (small.size > 0) {
          const proof = await client.consistencyProof(small.size, large.size);
          if (proof.oldSize !== small.size || proof.size !== large.size || !checkConsistencyProof(proof, small.rootHash, large.rootHash)) {
            throw new CanopyError('PROOF_INVALID', `the checkpoints of sizes ${small.size} and ${large.size} are not consistent: the log forked`);
          }
        }
        if (next.size >= old.size) head = accepted;
      } else {
        head = accepted;
      }
      const leaves: Hash[] = [];
      for (const e of entries) {
        const proof = await client.inclusionProof(e.sequence, next.size);
        const bytes = encodeEntry(e.entry);
        if (proof.index !== e.sequence || proof.size !== next.size || !checkInclusionProof(proof, next.rootHash, bytes)) {
          throw new CanopyError('PROOF_INVALID', `entry ${e.sequence} is not included in the checkpoint of size ${next.size}`);
        }
        leaves.push(leafHash(bytes));
      }
      checkEntries(entries, accepted, (i) => leaves[i]!);
      return accepted;
    },
  };
}

/** Step 3: consecutive sequence numbers below the size, each entry hashing to its authenticated leaf. */
function checkEntries(entries: readonly ServedEntry[], accepted: VerifiedCheckpoint, leaf: (i: number) => Hash): void {
  const size = accepted.checkpoint.size;
  entries.forEach((e, i) => {
    if (e.sequence !== entries[0]!.sequence + i || e.sequence >= size) throw new CanopyError('PROOF_INVALID', `entry ${e.sequence} is out of place in a batch for the checkpoint of size ${size}`);
    let bytes: Uint8Array;
    try {
      bytes = encodeEntry(e.entry);
    } catch (err) {
      throw new CanopyError('PROOF_INVALID', `entry ${e.sequence} is not a well-formed registry entry: ${(err as Error).message}`, { cause: err });
    }
    const want = leaf(i);
    if (!hashEqual(leafHash(bytes), want)) throw new CanopyError('PROOF_INVALID', `entry ${e.sequence} does not hash to leaf ${e.sequence} of the checkpoint of size ${size}`);
    if (e.leafHash !== Buffer.from(want).toString('base64')) throw new CanopyError('PROOF_INVALID', `entry ${e.sequence} is served with leaf hash ${String(e.leafHash).slice(0, 44)}, not its own`);
  });
}

function assertBatch(entries: unknown): asserts entries is ServedEntry[] {
  assertArray(entries, 'entries', 1, 100_000);
  entries.forEach((e, i) => {
    if (typeof e !== 'object' || e === null || !Number.isSafeInteger((e as ServedEntry).sequence)) typeError(`entries[${i}]`, 'ServedEntry', e);
  });
}
