/**
 * The checks an importer runs on a lot passport, in order, and the one error a failed
 * check throws (docs/verifier.md):
 *
 *     opening               the passport opens a note the registry holds (commitment, bearer secret)
 *     checkpoint-signature  the registry's latest checkpoint verifies under the pinned registry key
 *     cosignatures          it carries ≥ k cosignatures of pinned witnesses (when the policy asks)
 *     inclusion             the commitment is the lots leaf at leafIndex under the checkpoint's lots root
 *     creating-entry        the entry at registry.sequence is in the log and outputs the commitment
 *     proof                 that entry's Groth16 proof verifies under a pinned verification key
 *     nullifier             the note's nullifier is unspent
 *     policy                datasets, cut-off, intensity and deforestation-free against the policy
 *
 * A failure is `ClaimRejectedError`: a `CanopyError` with code CLAIM_REJECTED, a `check`
 * naming the step, and a message that is one sentence naming the bad value.
 * @module
 */
import { CanopyError } from '../core/errors.ts';

/** The checks of `verifyLotPassport`, in the order they run. */
export const CLAIM_CHECKS = ['opening', 'checkpoint-signature', 'cosignatures', 'inclusion', 'creating-entry', 'proof', 'nullifier', 'policy'] as const;

/** The name of one check. */
export type ClaimCheck = (typeof CLAIM_CHECKS)[number];

/** A lot passport failed one check; `check` names it. */
export class ClaimRejectedError extends CanopyError {
  readonly check: ClaimCheck;

  /**
   * @param check - the check that failed
   * @param message - one sentence naming the bad value
   * @example throw new ClaimRejectedError('nullifier', 'the note was spent by entry 17')
   */
  constructor(check: ClaimCheck, message: string, options?: { cause?: unknown }) {
    super('CLAIM_REJECTED', message, options);
    this.name = 'ClaimRejectedError';
    this.check = check;
  }
}

/**
 * Whether a value is a `ClaimRejectedError` (also across module copies: checks the code and `check`).
 * @throws never
 * @example if (isClaimRejected(e)) console.log(e.check)
 */
export function isClaimRejected(e: unknown): e is ClaimRejectedError {
  if (!(e instanceof CanopyError) || e.code !== 'CLAIM_REJECTED') return false;
  const check: unknown = (e as CanopyError & { check?: unknown }).check;
  return typeof check === 'string' && (CLAIM_CHECKS as readonly string[]).includes(check);
}
