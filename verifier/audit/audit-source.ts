/**
 * What an auditor reads from a registry: the part of `RegistryClient` (registry/client.ts)
 * an audit uses, so that an audit runs against any object serving the same reads. Every
 * answer is treated as attacker-controlled: notes are opened with the registry's key,
 * entries re-encoded and re-hashed, proofs checked against verified roots.
 *
 * | method | route | needed by |
 * | --- | --- | --- |
 * | `checkpointNote()` | GET /checkpoint | every check |
 * | `checkpoints({ from, limit })` | GET /v1/checkpoints | the log replay, consistency |
 * | `entries(start, end)` | GET /v1/entries | the log replay |
 * | `entry(seq)` | GET /v1/entries/:seq | disclosures |
 * | `consistencyProof(old, size)` | GET /v1/proofs/consistency | incremental audits, consistency |
 * | `inclusionProof(index, size)` | GET /v1/proofs/inclusion | disclosures |
 * | `treeProof(tree, leafIndex, size)` (optional) | GET /v1/trees/:tree/proof | disclosures |
 * | `treeLeaf(tree, value)` (optional) | GET /v1/trees/:tree/leaves/:value | disclosures |
 * | `dataset(root)` (optional) | GET /v1/datasets/:root | plot disclosures |
 * | `artifacts()` (optional) | GET /v1/artifacts | keys pinned by hash only; depths |
 * | `roots()` (optional) | GET /v1/roots | the trees' depths |
 *
 * The first six are the `LogReader` reads (registry/tiles/log-reader.ts), which a static
 * C2SP tiles mirror serves too: a `TiledLog` (registry/tiles/tiled-log-client.ts) is an
 * AuditSource, and `tiledAuditSource` builds one. The optional ones are registry API
 * routes a mirror cannot serve. The log replay does without them when the auditor's pins
 * carry their key files (`--keys DIR`); disclosure checks need the registry itself.
 * @module
 */
import { assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import type { MerkleProofJson } from '../../core/merkle/merkle-proof.ts';
import type { PublishedArtifacts } from '../../registry/api/artifacts.ts';
import { type DatasetRecord, RegistryClient, type TreeRoots } from '../../registry/client.ts';
import type { SignedCheckpoint } from '../../registry/log/checkpoint.ts';
import type { ConsistencyProof, InclusionProof } from '../../registry/log/log-proofs.ts';
import type { ServedEntry } from '../../registry/log/registry-log.ts';
import type { TreeName } from '../../registry/store/store.ts';
import { TiledLog } from '../../registry/tiles/tiled-log-client.ts';

/** The registry reads of an audit (module comment). `RegistryClient` and `TiledLog` are ones. */
export interface AuditSource {
  checkpointNote(): Promise<string>;
  checkpoints(options?: { from?: number; limit?: number }): Promise<SignedCheckpoint[]>;
  entries(start: number, end?: number): Promise<{ size: number; entries: ServedEntry[] }>;
  entry(seq: number): Promise<ServedEntry>;
  consistencyProof(oldSize: number, size: number): Promise<ConsistencyProof>;
  inclusionProof(index: number, size: number): Promise<InclusionProof>;
  treeProof?(tree: TreeName, leafIndex: number, size: number): Promise<MerkleProofJson>;
  treeLeaf?(tree: TreeName, value: bigint): Promise<{ leafIndex: number; sequence: number }>;
  dataset?(root: bigint): Promise<DatasetRecord>;
  artifacts?(): Promise<PublishedArtifacts>;
  roots?(): Promise<{ checkpointSize: number; lots: TreeRoots; plots: TreeRoots }>;
}

/** The optional reads, by name. */
export type AuditLookup = 'treeProof' | 'treeLeaf' | 'dataset' | 'artifacts' | 'roots';

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

/**
 * A source over C2SP tiles at a URL prefix or in a directory (a mirror written by
 * `canopy registry export-tiles`, or the registry's own): a `TiledLog` that authenticates
 * every tile, entry and history note against checkpoints signed by `registryKey`.
 * @throws {TypeError|RangeError} for a malformed location; {CanopyError} KEY_MALFORMED for the key
 * @example const source = tiledAuditSource('/srv/canopy-mirror', registryKey)
 */
export function tiledAuditSource(location: string, registryKey: string): TiledLog {
  assertString(location, 'location', 4096);
  assertString(registryKey, 'registryKey', 1024);
  return new TiledLog({ location, policy: { registryKey } });
}

/**
 * The optional read `name` of a source, or INVALID_INPUT saying what the check needs.
 * @throws {CanopyError} INVALID_INPUT if the source does not serve it
 * @example const treeLeaf = requireLookup(source, 'treeLeaf', 'a disclosure check')
 */
export function requireLookup<K extends AuditLookup>(source: AuditSource, name: K, purpose: string): NonNullable<AuditSource[K]> {
  const f = source[name];
  if (typeof f !== 'function') throw new CanopyError('INVALID_INPUT', `${purpose} reads the registry's ${name} route, which this source (a tiles mirror?) does not serve: give the registry's URL`);
  return (f as (...args: never[]) => unknown).bind(source) as NonNullable<AuditSource[K]>;
}
