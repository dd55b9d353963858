/**
 * What an auditor reads from a registry: the part of `RegistryClient` (registry/client.ts)
 * an audit uses, so that an audit runs against any object serving the same routes. Every
 * answer is treated as attacker-controlled: notes are opened with the registry's key,
 * entries re-encoded and re-hashed, proofs checked against verified roots.
 *
 * | method | route |
 * | --- | --- |
 * | `checkpointNote()` | GET /checkpoint |
 * | `checkpoints({ from, limit })` | GET /v1/checkpoints |
 * | `entries(start, end)` | GET /v1/entries |
 * | `entry(seq)` | GET /v1/entries/:seq |
 * | `consistencyProof(old, size)` | GET /v1/proofs/consistency |
 * | `inclusionProof(index, size)` | GET /v1/proofs/inclusion |
 * | `treeProof(tree, leafIndex, size)` | GET /v1/trees/:tree/proof |
 * | `treeLeaf(tree, value)` | GET /v1/trees/:tree/leaves/:value |
 * | `artifacts()` | GET /v1/artifacts |
 * @module
 */
import { assertString } from '../../core/assert.ts';
import type { MerkleProofJson } from '../../core/merkle/merkle-proof.ts';
import type { PublishedArtifacts } from '../../registry/api/artifacts.ts';
import { RegistryClient } from '../../registry/client.ts';
import type { SignedCheckpoint } from '../../registry/log/checkpoint.ts';
import type { ConsistencyProof, InclusionProof } from '../../registry/log/log-proofs.ts';
import type { ServedEntry } from '../../registry/log/registry-log.ts';
import type { TreeName } from '../../registry/store/store.ts';

/** The registry reads of an audit (module comment). `RegistryClient` is one. */
export interface AuditSource {
  checkpointNote(): Promise<string>;
  checkpoints(options?: { from?: number; limit?: number }): Promise<SignedCheckpoint[]>;
  entries(start: number, end?: number): Promise<{ size: number; entries: ServedEntry[] }>;
  entry(seq: number): Promise<ServedEntry>;
  consistencyProof(oldSize: number, size: number): Promise<ConsistencyProof>;
  inclusionProof(index: number, size: number): Promise<InclusionProof>;
  treeProof(tree: TreeName, leafIndex: number, size: number): Promise<MerkleProofJson>;
  treeLeaf(tree: TreeName, value: bigint): Promise<{ leafIndex: number; sequence: number }>;
  artifacts(): Promise<PublishedArtifacts>;
}

/**
 * A source for `registry`: a URL string becomes a `RegistryClient`, anything else is used as is.
 * @throws {TypeError|RangeError} for a malformed URL
 * @example const source = auditSource('http://127.0.0.1:8080')
 */
export function auditSource<T extends AuditSource>(registry: T | string): T | RegistryClient {
  if (typeof registry === 'string') {
    assertString(registry, 'registry', 2048);
    return new RegistryClient({ baseUrl: registry });
  }
  if (typeof registry !== 'object' || registry === null) throw new TypeError(`"registry" expected a URL or a RegistryClient, got ${String(registry)}`);
  return registry;
}
