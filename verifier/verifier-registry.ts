/**
 * What the importer's verifier reads from a registry: the part of `RegistryClient`
 * (registry/client.ts) it uses, as an interface, so that tests can put a registry that lies
 * in front of a real one and check that every lie is caught.
 *
 *     GET /checkpoint                        checkpointNote()
 *     GET /v1/trees/lots/leaves/:value       treeLeaf('lots', value)       → { leafIndex, sequence }
 *     GET /v1/trees/lots/proof?leafIndex&size treeProof('lots', i, size)    → Poseidon path
 *     GET /v1/entries/:seq                   entry(seq)
 *     GET /v1/entries?start&end              entries(start, end)
 *     GET /v1/proofs/inclusion?index&size    inclusionProof(seq, size)     → RFC 9162 audit path
 *     GET /v1/nullifiers/:value              nullifier(value)              → { spent, sequence }
 *     GET /v1/artifacts                      artifacts()
 *
 * Nothing a registry answers is trusted: every answer is checked against a checkpoint
 * signed by the pinned registry key, except the nullifier lookup and the artifacts list,
 * which the verifier can only take at the registry's word (the first) or check against
 * the pinned key hashes (the second). docs/verifier.md says what that means.
 * @module
 */
import { assertString } from '../core/assert.ts';
import type { MerkleProofJson } from '../core/merkle/merkle-proof.ts';
import type { PublishedArtifacts } from '../registry/api/artifacts.ts';
import { ApiError } from '../registry/api/api-error.ts';
import { RegistryClient } from '../registry/client.ts';
import type { InclusionProof } from '../registry/log/log-proofs.ts';
import type { ServedEntry } from '../registry/log/registry-log.ts';

/** Where the registry says a tree leaf is, and which log entry appended it. */
export interface TreeLeafRecord {
  tree: 'lots' | 'plots';
  /** The leaf, a canonical decimal field element. */
  value: string;
  leafIndex: number;
  /** The sequence number of the entry that appended the leaf. */
  sequence: number;
}

/** Whether a nullifier was spent, and by which entry. */
export interface NullifierRecord {
  nullifier: string;
  spent: boolean;
  sequence: number | null;
}

/** The registry reads the verifier makes. `RegistryClient` implements it. */
export interface VerifierRegistry {
  readonly baseUrl: string;
  checkpointNote(): Promise<string>;
  treeLeaf(tree: 'lots' | 'plots', value: bigint): Promise<TreeLeafRecord>;
  treeProof(tree: 'lots' | 'plots', leafIndex: number, size: number): Promise<MerkleProofJson>;
  entry(seq: number): Promise<ServedEntry>;
  entries(start: number, end?: number): Promise<{ size: number; entries: ServedEntry[] }>;
  inclusionProof(index: number, size: number): Promise<InclusionProof>;
  nullifier(value: bigint): Promise<NullifierRecord>;
  artifacts(): Promise<PublishedArtifacts>;
}

/**
 * A registry client for a URL, or the given client unchanged.
 * @throws {TypeError|RangeError} if the URL is not http(s)
 * @example const registry = verifierRegistry('http://127.0.0.1:8080')
 */
export function verifierRegistry(registry: VerifierRegistry | string): VerifierRegistry {
  if (typeof registry !== 'string') {
    if (typeof registry !== 'object' || registry === null) throw new TypeError(`"registry" expected a registry client or a URL, got ${String(registry)}`);
    return registry;
  }
  assertString(registry, 'registry', 2048);
  return new RegistryClient({ baseUrl: registry });
}

/**
 * Whether an error means the registry could not be asked: a network failure (fetch's
 * TypeError), a time-out, or a 5xx answer. Such a failure says nothing about the passport.
 * @throws never
 * @example if (isRegistryUnavailable(e)) retryLater()
 */
export function isRegistryUnavailable(e: unknown): boolean {
  if (e instanceof ApiError) return e.status === 0 || e.status >= 500;
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) return true;
  return e instanceof TypeError && e.message === 'fetch failed';
}
