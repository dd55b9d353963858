/**
 * Inclusion and consistency proofs of the registry log, served from the store through
 * `readHashes` (core/tlog `proveRecord`, `proveTree`) in a JSON-safe form: hashes as
 * base64, as checkpoints write them.
 *
 *     inclusion    { "index": 5, "size": 8, "leafHash": "…=", "hashes": ["…=", "…=", "…="] }
 *     consistency  { "oldSize": 6, "size": 8, "hashes": ["…=", "…="] }
 *
 * `hashes` is the RFC 9162 §2.1.3 audit path (leaf level first) or §2.1.4 consistency
 * proof. A client checks a proof against the root hash of a checkpoint it verified with
 * the registry's key; the size is trusted because it is signed with the root.
 * `checkInclusionProof` and `checkConsistencyProof` do that for the JSON form (they parse
 * strictly: canonical base64 of 32 bytes only) and return false for a proof that does not
 * match.
 * @module
 */
import { assertArray, assertInteger, assertString, rangeError, typeError } from '../../core/assert.ts';
import { assertHash, type Hash, hashEqual, leafHash } from '../../core/tlog/hash.ts';
import { checkRecord, proveRecord } from '../../core/tlog/record-proof.ts';
import { storedHashIndex } from '../../core/tlog/stored-hash.ts';
import { checkTree, proveTree } from '../../core/tlog/tree-proof.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';
import type { RegistryStore } from '../store/store.ts';

/** Most hashes a proof may carry (core/tlog's bound). */
export const MAX_PROOF_HASHES = 128;

/** An inclusion proof, JSON-safe. */
export interface InclusionProof {
  /** The entry's sequence number. */
  index: number;
  /** The tree size the proof is for. */
  size: number;
  /** The entry's leaf hash, base64. */
  leafHash: string;
  /** The audit path, base64, leaf level first. */
  hashes: string[];
}

/** A consistency proof, JSON-safe. */
export interface ConsistencyProof {
  oldSize: number;
  size: number;
  /** The RFC 9162 consistency proof, base64. */
  hashes: string[];
}

/**
 * Proves that entry `index` is in the log of `size` entries.
 * @param size - a size the log has reached (normally a checkpoint's)
 * @throws {TypeError|RangeError} unless 0 ≤ index < size ≤ the store's size; whatever the store throws
 * @example await proveInclusion(store, 5, checkpoint.size)
 */
export async function proveInclusion(store: RegistryStore, index: number, size: number): Promise<InclusionProof> {
  assertInteger(size, 'size', 1, TLOG_MAX_SIZE);
  assertInteger(index, 'index', 0, size - 1);
  await assertWithinLog(store, size);
  const [leaf] = await store.readHashes([storedHashIndex(0, index)]);
  const proof = await proveRecord(size, index, store);
  return { index, size, leafHash: b64(leaf!), hashes: proof.map(b64) };
}

/**
 * Proves that the log of `oldSize` entries is a prefix of the log of `size` entries.
 * @throws {TypeError|RangeError} unless 1 ≤ oldSize ≤ size ≤ the store's size; whatever the store throws
 * @example await proveConsistency(store, older.size, newer.size)
 */
export async function proveConsistency(store: RegistryStore, oldSize: number, size: number): Promise<ConsistencyProof> {
  assertInteger(size, 'size', 1, TLOG_MAX_SIZE);
  assertInteger(oldSize, 'oldSize', 1, size);
  await assertWithinLog(store, size);
  const proof = await proveTree(size, oldSize, store);
  return { oldSize, size, hashes: proof.map(b64) };
}

/**
 * Checks an inclusion proof (attacker-controlled) against a trusted root hash of its size.
 * @param entry - the entry's bytes; when given, its leaf hash must be the proof's
 * @returns false if the proof does not match the root (or the entry)
 * @throws {TypeError|RangeError} if the proof is malformed
 * @example checkInclusionProof(proof, rootHashOf(checkpoint), entryBytes)
 */
export function checkInclusionProof(proof: InclusionProof, rootHash: Hash, entry?: Uint8Array): boolean {
  const p = object(proof, 'proof', ['index', 'size', 'leafHash', 'hashes']);
  assertInteger(p.size, 'proof.size', 1, TLOG_MAX_SIZE);
  assertInteger(p.index, 'proof.index', 0, p.size - 1);
  const leaf = fromB64(p.leafHash, 'proof.leafHash');
  const hashes = hashList(p.hashes, 'proof.hashes');
  assertHash(rootHash, 'rootHash');
  if (entry !== undefined && !hashEqual(leafHash(entry), leaf)) return false;
  return checkRecord(hashes, p.size, rootHash, p.index, leaf);
}

/**
 * Checks a consistency proof (attacker-controlled) between two trusted root hashes.
 * @returns false if the proof does not link the two roots
 * @throws {TypeError|RangeError} if the proof is malformed
 * @example checkConsistencyProof(proof, oldRoot, newRoot)
 */
export function checkConsistencyProof(proof: ConsistencyProof, oldRoot: Hash, root: Hash): boolean {
  const p = object(proof, 'proof', ['oldSize', 'size', 'hashes']);
  assertInteger(p.size, 'proof.size', 1, TLOG_MAX_SIZE);
  assertInteger(p.oldSize, 'proof.oldSize', 1, p.size);
  const hashes = hashList(p.hashes, 'proof.hashes');
  assertHash(oldRoot, 'oldRoot');
  assertHash(root, 'root');
  return checkTree(hashes, p.size, root, p.oldSize, oldRoot);
}

async function assertWithinLog(store: RegistryStore, size: number): Promise<void> {
  const head = await store.head();
  if (size > head.size) rangeError('size', `a size the log has reached (≤ ${head.size})`, size);
}

function b64(h: Uint8Array): string {
  return Buffer.from(h).toString('base64');
}

function fromB64(value: unknown, title: string): Hash {
  assertString(value, title, 44);
  const bytes = Buffer.from(value, 'base64');
  // The round trip rejects characters Node's decoder skips and non-zero padding bits.
  if (bytes.length !== 32 || bytes.toString('base64') !== value) rangeError(title, 'canonical base64 of 32 bytes', value);
  return new Uint8Array(bytes);
}

function hashList(value: unknown, title: string): Hash[] {
  assertArray(value, title, 0, MAX_PROOF_HASHES);
  return value.map((h, i) => fromB64(h, `${title}[${i}]`));
}

function object(value: unknown, title: string, keys: readonly string[]): Record<string, unknown> & { size: number } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) typeError(title, 'object', value);
  for (const k of Object.keys(value)) if (!keys.includes(k)) rangeError(title, `only the members ${keys.join(', ')}`, `member ${JSON.stringify(k)}`);
  return value as Record<string, unknown> & { size: number };
}
