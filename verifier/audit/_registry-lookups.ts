/**
 * What a disclosure check asks the registry, each answer verified against a checkpoint
 * signed by the registry's key (internal):
 *
 *     leafOrigin        GET /v1/trees/:tree/leaves/:value → leaf index and entry; the Poseidon
 *                       proof of that leaf against the checkpoint's lots or plots root; the
 *                       entry itself, re-encoded, with its RFC 6962 inclusion proof against the
 *                       checkpoint's root hash; the leaf among the leaves its effects append
 *     datasetEntry      the dataset entry registering a root before a given sequence:
 *                       GET /v1/datasets/:root names it, and the entry itself, proven
 *                       included like any other, must be the dataset entry of that root (a
 *                       registry that denies a registered dataset only fails the check)
 *     verifyEntryProofs every proof of an entry verified with the auditor's pinned keys
 *
 * Failures are `DisclosureCheckError`s naming the check; HTTP errors other than NOT_FOUND
 * propagate. The look-ups need the registry's API (a tiles mirror serves none of them):
 * a source without them is INVALID_INPUT.
 * @module
 */
import { CanopyError } from '../../core/errors.ts';
import { fieldToString } from '../../core/field.ts';
import { merkleProofFromJson, verifyMerkleProof } from '../../core/merkle/merkle-proof.ts';
import type { Checkpoint } from '../../core/note/checkpoint.ts';
import { verifyGroth16 } from '../../circuits/toolchain/prove.ts';
import { ApiError } from '../../registry/api/api-error.ts';
import { type EntryEffects, entryEffects } from '../../registry/log/entry-effects.ts';
import { encodeEntry, type LogEntry } from '../../registry/log/entry.ts';
import { checkInclusionProof } from '../../registry/log/log-proofs.ts';
import { type AuditSource, requireLookup } from './audit-source.ts';
import type { ResolvedKey } from './pinned-keys.ts';

/** A named disclosure check failed. */
export class DisclosureCheckError extends CanopyError {
  readonly check: string;

  /**
   * @throws never
   * @example throw new DisclosureCheckError('mask', 'pixel (3, 4) is set in the disclosed mask, not in the rasterised plot')
   */
  constructor(check: string, message: string) {
    super('AUDIT_FAILED', `${check}: ${message}`);
    this.name = 'DisclosureCheckError';
    this.check = check;
  }
}

/** A log entry proven included under a verified checkpoint. */
export interface IncludedEntry {
  sequence: number;
  entry: LogEntry;
  effects: EntryEffects;
}

/**
 * The entry that appended `value` to `tree`, proven (module comment).
 * @throws {DisclosureCheckError} registry (not in the tree under the checkpoint), entry
 *   (not included, or not appending the value)
 * @example const { sequence, entry } = await leafOrigin(client, 'lots', commitment, checkpoint)
 */
export async function leafOrigin(source: AuditSource, tree: 'lots' | 'plots', value: bigint, cp: Checkpoint): Promise<IncludedEntry & { leafIndex: number }> {
  const v = fieldToString(value);
  const treeLeaf = requireLookup(source, 'treeLeaf', 'a disclosure check');
  const treeProof = requireLookup(source, 'treeProof', 'a disclosure check');
  let rec: { leafIndex: number; sequence: number };
  try {
    rec = await treeLeaf(tree, value);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) throw new DisclosureCheckError('registry', `${v} is not a leaf of the registry's ${tree} tree`);
    throw e;
  }
  let proofJson;
  try {
    proofJson = await treeProof(tree, rec.leafIndex, cp.size);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 400 || e.status === 404)) throw new DisclosureCheckError('registry', `${tree} leaf ${rec.leafIndex} is not under the checkpoint of size ${cp.size} (${e.message})`);
    throw e;
  }
  const proof = merkleProofFromJson(proofJson);
  const root = cp.canopyRoots![tree];
  if (proof.leaf !== value || proof.leafIndex !== rec.leafIndex || proof.root !== root || !verifyMerkleProof(proof)) {
    throw new DisclosureCheckError('registry', `the registry's proof of ${tree} leaf ${rec.leafIndex} does not show ${v} under the signed ${tree} root ${fieldToString(root)}`);
  }
  const included = await includedEntry(source, rec.sequence, cp);
  const leaves = tree === 'lots' ? included.effects.lotsLeaves : included.effects.plotsLeaves;
  if (!leaves.includes(value)) throw new DisclosureCheckError('entry', `entry ${rec.sequence} (${included.entry.type}) does not append ${v} to the ${tree} tree`);
  return { ...included, leafIndex: rec.leafIndex };
}

/**
 * The dataset entry registering `root` at a sequence below `before`, proven included.
 * @throws {DisclosureCheckError} dataset-registered
 * @example await datasetEntry(client, datasetRoot, attestation.sequence, checkpoint)
 */
export async function datasetEntry(source: AuditSource, root: bigint, before: number, cp: Checkpoint): Promise<IncludedEntry> {
  const lookup = requireLookup(source, 'dataset', 'a plot disclosure check');
  const r = fieldToString(root);
  let sequence: number;
  try {
    sequence = (await lookup(root)).sequence;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) throw new DisclosureCheckError('dataset-registered', `no dataset entry registers the root ${r}`);
    throw e;
  }
  // Dataset roots are unique in the log (DATASET_EXISTS), so the one entry must come first.
  if (sequence >= before) throw new DisclosureCheckError('dataset-registered', `the root ${r} is registered by entry ${sequence}, not before entry ${before}`);
  const included = await includedEntry(source, sequence, cp, 'dataset-registered');
  if (included.entry.type !== 'dataset' || included.entry.body.datasetRoot !== r) throw new DisclosureCheckError('dataset-registered', `entry ${sequence}, which the registry names for the root ${r}, is not the dataset entry of that root`);
  return included;
}

/**
 * Entry `sequence`, re-encoded and proven included in the checkpoint's log.
 * @throws {DisclosureCheckError} `check` (default entry)
 * @example await includedEntry(client, 5, checkpoint)
 */
export async function includedEntry(source: AuditSource, sequence: number, cp: Checkpoint, check = 'entry'): Promise<IncludedEntry> {
  if (sequence >= cp.size) throw new DisclosureCheckError(check, `entry ${sequence} is not under the checkpoint of size ${cp.size}`);
  const served = await source.entry(sequence);
  let bytes: Uint8Array;
  let effects: EntryEffects;
  try {
    if (served.sequence !== sequence) throw new RangeError(`the registry served entry ${served.sequence}`);
    bytes = encodeEntry(served.entry);
    effects = entryEffects(served.entry);
  } catch (e) {
    throw new DisclosureCheckError(check, `entry ${sequence} is malformed: ${(e as Error).message}`);
  }
  const proof = await source.inclusionProof(sequence, cp.size);
  let ok = false;
  try {
    ok = proof.index === sequence && proof.size === cp.size && checkInclusionProof(proof, cp.rootHash, bytes);
  } catch {
    ok = false;
  }
  if (!ok) throw new DisclosureCheckError(check, `entry ${sequence} (${served.entry.type}) as served is not in the log of the signed checkpoint of size ${cp.size}`);
  return { sequence, entry: served.entry, effects };
}

/**
 * Verifies every proof of an entry with the pinned keys.
 * @throws {DisclosureCheckError} proofs
 * @example await withCurves(() => verifyEntryProofs(included, keys))
 */
export async function verifyEntryProofs(included: IncludedEntry, keys: ReadonlyMap<string, ResolvedKey>): Promise<void> {
  const n = included.effects.proofs.length;
  for (const [i, p] of included.effects.proofs.entries()) {
    const which = n > 1 ? `proof ${i + 1} of ${n}` : 'the proof';
    const key = keys.get(p.vkeyHash);
    if (key === undefined || key.circuit !== p.circuit) throw new DisclosureCheckError('proofs', `${which} of entry ${included.sequence} names ${p.circuit} key ${p.vkeyHash}, which the auditor has not pinned`);
    let ok = false;
    try {
      ok = await verifyGroth16(key.vkey, p.publicSignals, p.proof);
    } catch (e) {
      if (!(e instanceof TypeError || e instanceof RangeError)) throw e;
    }
    if (!ok) throw new DisclosureCheckError('proofs', `${which} of entry ${included.sequence} (${p.circuit}) does not verify with the pinned key ${p.vkeyHash}`);
  }
}
