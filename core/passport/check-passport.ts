/**
 * Whether a passport opens the note commitment the buyer expects: the leaf the registry
 * holds at `passport.leafIndex`, or the output commitment of the transition the seller
 * names. A passport is a claim by its sender; only this check ties it to the registry.
 *
 *     commitment = Poseidon(TAG_LOT_NOTE, ownerKey, commodity, quantityGrams,
 *                           emissionsGramsCo2e, deforestationFree, salt)
 *
 * computed by `noteCommitment` of core/lots/note.ts (docs/lots.md "Note").
 *
 * Failures are kept apart (STYLE rule 7): a malformed argument throws; a well-formed
 * passport that does not open the commitment returns false.
 * @module
 */
import { assertField } from '../field.ts';
import { noteCommitment } from '../lots/note.ts';
import { assertLotPassport, type LotPassport } from './lot-passport.ts';

/**
 * Whether `passport.note` commits to `expectedCommitment`.
 * @param passport - a passport, e.g. from `decryptPassport` or `passportFromJson`
 * @param expectedCommitment - the commitment from the registry, a field element
 * @returns false when the opening does not match (a wrong or altered passport)
 * @throws {TypeError|RangeError} if the passport or the commitment is malformed
 * @example checkPassport(passport, lotsTree.leaf(passport.leafIndex)) // true
 */
export function checkPassport(passport: LotPassport, expectedCommitment: bigint): boolean {
  assertLotPassport(passport, 'passport');
  assertField(expectedCommitment, 'expectedCommitment');
  return noteCommitment(passport.note) === expectedCommitment;
}
