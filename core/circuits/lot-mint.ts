/**
 * JS twin of `circuits/lot_mint.circom`, `LotMint()`: the witness input and the public
 * signals of minting a lot note with no deforestation claim. docs/lots.md is the
 * specification. The note's quantity and emissions are the accredited supplier's
 * declaration; the proof shows only that the note is well-formed (fields in range,
 * deforestationFree = 0), so later transitions can sum it safely.
 *
 * Witness input (decimal strings, keys spelled like the signals):
 *
 *     { "outCommitment": "…",                                                  public
 *       "ownerKey", "commodity", "quantityGrams", "emissionsGramsCo2e",
 *       "deforestationFree": "0", "salt" }                                      private
 *
 * Public signals, in snarkjs order: `LOT_MINT_PUBLIC_SIGNALS` = outCommitment, the
 * `publicSignals` of `lot_mint` in circuits/circuits.json.
 * @module
 */
import { CanopyError } from '../errors.ts';
import { fieldToString } from '../field.ts';
import { noteCommitment, type LotNote } from '../lots/note.ts';

/** Public signals of `LotMint`, in snarkjs order. */
export const LOT_MINT_PUBLIC_SIGNALS = ['outCommitment'] as const;

/** Witness input of `LotMint()`; keys spelled like its signals. */
export type LotMintInput = {
  outCommitment: string;
  ownerKey: string;
  commodity: string;
  quantityGrams: string;
  emissionsGramsCo2e: string;
  deforestationFree: string;
  salt: string;
};

/**
 * Builds the witness input minting `note`.
 * @throws {TypeError|RangeError} if a field of the note is missing, mistyped or out of range
 * @throws {CanopyError} INVALID_INPUT if note.deforestationFree is true: a
 *   deforestation-free lot is minted from capacity (`CapacityMint`), never declared
 * @example lotMintWitnessInput({ ownerKey: key, commodity: 90111n, quantityGrams: 60_000_000n,
 *   emissionsGramsCo2e: 180_000_000n, deforestationFree: false, salt })
 */
export function lotMintWitnessInput(note: LotNote): LotMintInput {
  const commitment = noteCommitment(note);
  if (note.deforestationFree) throw new CanopyError('INVALID_INPUT', 'LotMint mints deforestationFree = false only; a deforestation-free lot must spend capacity (CapacityMint)');
  return {
    outCommitment: fieldToString(commitment),
    ownerKey: fieldToString(note.ownerKey),
    commodity: fieldToString(note.commodity),
    quantityGrams: fieldToString(note.quantityGrams),
    emissionsGramsCo2e: fieldToString(note.emissionsGramsCo2e),
    deforestationFree: '0',
    salt: fieldToString(note.salt),
  };
}

/**
 * The public signals a `LotMint` proof is verified against, in snarkjs order.
 * @param outCommitment - the commitment of the minted note, `noteCommitment(note)`
 * @throws {TypeError|RangeError} if outCommitment is not a field element in [0, r)
 * @example lotMintPublicSignals(noteCommitment(note)) // ['…']
 */
export function lotMintPublicSignals(outCommitment: bigint): string[] {
  return [fieldToString(outCommitment, 'outCommitment')];
}
