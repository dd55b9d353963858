/**
 * The one error class of Canopy. Three kinds of failure are kept apart:
 * - bad input: a `TypeError`/`RangeError` from `assert.ts`, or a `CanopyError` whose code
 *   names the rule broken, always quoting the bad value;
 * - a rejected proof: verifiers return `false`, or throw `CanopyError('PROOF_INVALID')`;
 * - an impossible state: `bug()` — "canopy: bad math in f" means a bug in Canopy.
 * @module
 */

/** Machine-readable error codes; each names the check that failed. */
export type CanopyErrorCode =
  | 'INVALID_INPUT'
  | 'OUT_OF_RANGE'
  | 'PROOF_INVALID'
  | 'TREE_FULL'
  | 'NOT_FOUND'
  | 'CIRCUIT_COMPILE_FAILED'
  | 'WITNESS_FAILED'
  | 'CONSTRAINTS_UNSATISFIED'
  | 'SETUP_FAILED'
  | 'PTAU_INVALID'
  | 'ARTIFACT_MISMATCH'
  | 'READER_CONTRACT'
  | 'TILE_PATH_MALFORMED'
  | 'KEY_MALFORMED'
  | 'NOTE_MALFORMED'
  | 'NOTE_UNVERIFIED'
  | 'SIGNATURE_INVALID'
  | 'CHECKPOINT_MALFORMED'
  | 'FOOTPRINT_MALFORMED'
  | 'FOOTPRINT_UNSUPPORTED'
  | 'PASSPORT_MALFORMED'
  | 'PASSPORT_UNDECRYPTABLE'
  | 'ENTRY_REJECTED'
  | 'STORE_CONFLICT'
  | 'NONCE_REPLAYED'
  | 'LOG_INCONSISTENT'
  | 'PARAMETER_UNKNOWN'
  | 'CLAIM_REJECTED'
  | 'AUDIT_FAILED'
  | 'WALLET_CONFLICT';

/**
 * An error with a code naming the failed check and a message quoting the bad value.
 * @example
 * throw new CanopyError('TREE_FULL', `tree of depth ${depth} holds at most ${cap} leaves`);
 */
export class CanopyError extends Error {
  readonly code: CanopyErrorCode;
  constructor(code: CanopyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CanopyError';
    this.code = code;
  }
}

/**
 * Reports a state the code makes impossible; reaching it is a bug in Canopy.
 * @throws {Error} always
 */
export function bug(where: string, detail = ''): never {
  throw new Error(`canopy: bad math in ${where}${detail ? `: ${detail}` : ''}`);
}
