/**
 * `auditConsistency`: what `canopy audit consistency --from N --to M` does — check that
 * two published checkpoints of a registry belong to one append-only log.
 *
 *     1 checkpoints  the registry's checkpoints of sizes N and M (GET /v1/checkpoints),
 *                    each note verified with the registry's key, each record equal to its note;
 *                    N = 0 needs no checkpoint: the empty log is a prefix of every log
 *     2 proof        the RFC 9162 consistency proof from N to M (GET /v1/proofs/consistency)
 *                    verifies against both signed root hashes (core/tlog verifyConsistency);
 *                    for N = M the roots are equal, and from N = 0 the older root is the
 *                    empty tree's (nothing else to prove)
 *
 * The result names the failed check as an audit does (audit-failure.ts).
 * @module
 */
import { assertInteger, assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { emptyTreeHash, hashEqual } from '../../core/tlog/hash.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';
import { verifyConsistency } from '../../core/tlog/verify-consistency.ts';
import { AuditFailedError, type AuditFailure } from './audit-failure.ts';
import { type AuditSource, auditSource } from './audit-source.ts';
import { type OpenedCheckpoint, openCheckpointRecord } from './_checkpoints.ts';
import { hashFromBase64, hashToBase64 } from './_hash-text.ts';

/** Options of `auditConsistency`. */
export interface ConsistencyOptions {
  registry: AuditSource | string;
  registryKey: string;
  /** Size of the older checkpoint. */
  from: number;
  /** Size of the newer checkpoint, ≥ from. */
  to: number;
}

/** What `auditConsistency` returns. JSON-safe. */
export interface ConsistencyReport {
  ok: boolean;
  from: { size: number; rootHash: string } | null;
  to: { size: number; rootHash: string } | null;
  /** Hashes in the consistency proof (0 when none was needed). */
  proofHashes: number;
  failure: AuditFailure | null;
}

/**
 * Checks two published checkpoints for consistency (module comment).
 * @throws {TypeError|RangeError} for malformed options (from > to included);
 *   {CanopyError} NOT_FOUND when the registry has no checkpoint of a size; {ApiError} HTTP failures
 * @example await auditConsistency({ registry: url, registryKey, from: 10, to: 250 })
 */
export async function auditConsistency(options: ConsistencyOptions): Promise<ConsistencyReport> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected ConsistencyOptions, got ${String(options)}`);
  assertString(options.registryKey, 'options.registryKey', 1024);
  assertInteger(options.to, 'options.to', 0, TLOG_MAX_SIZE);
  assertInteger(options.from, 'options.from', 0, options.to);
  const source = auditSource(options.registry);
  const report: ConsistencyReport = { ok: false, from: null, to: null, proofHashes: 0, failure: null };
  try {
    const older = options.from === 0 ? null : await checkpointOfSize(source, options.registryKey, options.from);
    const newer = await checkpointOfSize(source, options.registryKey, options.to);
    const a = older?.checkpoint ?? { size: 0, rootHash: emptyTreeHash() };
    const b = newer.checkpoint;
    report.from = { size: a.size, rootHash: hashToBase64(a.rootHash) };
    report.to = { size: b.size, rootHash: hashToBase64(b.rootHash) };
    const at = { checkpointSize: b.size };
    if (a.size === 0) {
      if (b.size === 0 && !hashEqual(b.rootHash, emptyTreeHash())) throw new AuditFailedError({ check: 'log-root', checkpointSize: 0, expected: hashToBase64(emptyTreeHash()), found: hashToBase64(b.rootHash) });
    } else if (a.size === b.size) {
      if (!hashEqual(a.rootHash, b.rootHash)) throw new AuditFailedError({ check: 'consistency', ...at, expected: hashToBase64(a.rootHash), found: hashToBase64(b.rootHash) });
    } else {
      const proof = await source.consistencyProof(a.size, b.size);
      let ok = false;
      try {
        if (proof.oldSize !== a.size || proof.size !== b.size) throw new RangeError(`a proof from ${proof.oldSize} to ${proof.size}`);
        const hashes = proof.hashes.map((h, i) => hashFromBase64(h, `hashes[${i}]`));
        report.proofHashes = hashes.length;
        ok = verifyConsistency(a.size, b.size, hashes, a.rootHash, b.rootHash);
      } catch (e) {
        throw new AuditFailedError({ check: 'consistency', ...at, expected: `a consistency proof from ${a.size} to ${b.size}`, found: (e as Error).message });
      }
      if (!ok) {
        throw new AuditFailedError({
          check: 'consistency',
          ...at,
          expected: `the log of size ${b.size} (root ${hashToBase64(b.rootHash)}) to extend the log of size ${a.size} (root ${hashToBase64(a.rootHash)})`,
          found: 'a consistency proof that does not link them',
        });
      }
    }
    report.ok = true;
  } catch (e) {
    if (!(e instanceof AuditFailedError)) throw e;
    report.failure = e.failure;
  }
  return report;
}

async function checkpointOfSize(source: AuditSource, registryKey: string, size: number): Promise<OpenedCheckpoint> {
  const [record] = await source.checkpoints({ from: size, limit: 1 });
  if (record === undefined || record.size !== size) throw new CanopyError('NOT_FOUND', `the registry has published no checkpoint of size ${size}${record ? ` (the next is ${record.size})` : ''}`);
  return openCheckpointRecord(record, registryKey);
}
