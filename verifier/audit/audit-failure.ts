/**
 * The first inconsistency an audit finds, named precisely: which check failed, at which
 * log entry (sequence number and type) or checkpoint (size), what the auditor expected
 * and what the registry showed. An audit stops at the first one; everything before it
 * was verified.
 *
 * | check                  | fails when                                                              |
 * | ---------------------- | ----------------------------------------------------------------------- |
 * | `checkpoint-signature` | a checkpoint note does not verify with the registry's key, or names another origin |
 * | `checkpoint-format`    | a checkpoint lacks the canopy-lots-root / canopy-plots-root lines        |
 * | `checkpoint-record`    | a served checkpoint record disagrees with its own signed note, or its leaf counts with the replay |
 * | `history`              | the history skips the latest checkpoint, or holds two different checkpoints of one size |
 * | `state`                | the audit state is for another registry, or does not reproduce its own checkpoint |
 * | `rollback`             | the latest checkpoint is smaller than one already verified               |
 * | `consistency`          | the consistency proof between the remembered and the new checkpoint fails (a fork) |
 * | `entry-sequence`       | a page of entries does not continue the log where the replay stands     |
 * | `entry-malformed`      | an entry is not well-formed, or not in its one canonical encoding       |
 * | `leaf-hash`            | the leaf hash the registry serves is not SHA-256(0x00 ‖ entry bytes)    |
 * | `log-root`             | the RFC 6962 root of the replayed entries is not a checkpoint's root hash |
 * | `entry-effects`        | an entry repeats a nullifier or its windows disagree (the log's own rules) |
 * | `parameter-not-allowed`| a public parameter outside the protocol's tables (conversion, yield ceiling, cut-off, harvest year) |
 * | `vkey-not-pinned`      | a proof names a key the auditor has not pinned for its circuit          |
 * | `artifacts-not-pinned` | a proof names a key no earlier `artifacts` entry of the log pinned      |
 * | `proof-invalid`        | a proof does not verify with the pinned key                             |
 * | `root-not-published`   | a proof's lots or plots root was not in any checkpoint before the entry |
 * | `dataset-unknown`      | a proof's dataset root was not registered before the entry               |
 * | `nullifier-spent`      | a nullifier was already spent by an earlier entry                       |
 * | `dataset-exists`       | a dataset root is registered twice                                      |
 * | `party-exists`, `key-in-use` | a party id or key is registered twice                             |
 * | `party-unknown`, `party-revoked` | a revocation of a party never registered, or already revoked   |
 * | `tree-full`            | an entry appends beyond the capacity of a tree                          |
 * | `lots-root`, `plots-root` | a checkpoint's Poseidon root is not the replayed tree's root at its size |
 * | `tree-depths`          | the registry states (GET /v1/roots) a tree depth other than the auditor's pinned circuits' |
 * @module
 */
import { CanopyError } from '../../core/errors.ts';

/** Every check an audit runs, as named in failures. */
export const AUDIT_CHECKS = [
  'checkpoint-signature',
  'checkpoint-format',
  'checkpoint-record',
  'history',
  'state',
  'rollback',
  'consistency',
  'entry-sequence',
  'entry-malformed',
  'leaf-hash',
  'log-root',
  'entry-effects',
  'parameter-not-allowed',
  'vkey-not-pinned',
  'artifacts-not-pinned',
  'proof-invalid',
  'root-not-published',
  'dataset-unknown',
  'nullifier-spent',
  'dataset-exists',
  'party-exists',
  'key-in-use',
  'party-unknown',
  'party-revoked',
  'tree-full',
  'lots-root',
  'plots-root',
  'tree-depths',
] as const;

/** One of AUDIT_CHECKS. */
export type AuditCheck = (typeof AUDIT_CHECKS)[number];

/** The first inconsistency found. JSON-safe. */
export interface AuditFailure {
  check: AuditCheck;
  /** One line: what failed, where, expected and found. */
  message: string;
  /** The log entry at fault, if any. */
  sequence?: number;
  /** Its entry type. */
  entryType?: string;
  /** The checkpoint at fault (its size), if any. */
  checkpointSize?: number;
  /** What the auditor computed or required. */
  expected?: string;
  /** What the registry showed. */
  found?: string;
}

/** Thrown inside an audit to stop at the first inconsistency; the audit returns `failure`. */
export class AuditFailedError extends CanopyError {
  readonly failure: AuditFailure;

  /**
   * @throws never
   * @example throw new AuditFailedError({ check: 'leaf-hash', sequence: 3, entryType: 'dataset', expected, found })
   */
  constructor(failure: Omit<AuditFailure, 'message'> & { message?: string }) {
    const message = failure.message ?? describeFailure(failure);
    super('AUDIT_FAILED', message);
    this.name = 'AuditFailedError';
    this.failure = { ...failure, message };
  }
}

/**
 * The one-line message of a failure: check, place, expected and found.
 * @throws never
 * @example describeFailure({ check: 'lots-root', checkpointSize: 7, expected: '1', found: '2' })
 * // 'lots-root at checkpoint 7: expected 1, found 2'
 */
export function describeFailure(f: Omit<AuditFailure, 'message'> & { detail?: string }): string {
  const where =
    f.sequence !== undefined ? ` at entry ${f.sequence}${f.entryType ? ` (${f.entryType})` : ''}` : f.checkpointSize !== undefined ? ` at checkpoint ${f.checkpointSize}` : '';
  const values = f.expected !== undefined || f.found !== undefined ? `: expected ${f.expected ?? '—'}, found ${f.found ?? '—'}` : '';
  return `${f.check}${where}${values}`;
}
