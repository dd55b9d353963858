/**
 * The lot note of docs/lots.md: a bearer commitment to a quantity of one commodity, its
 * total emissions and its deforestation-free flag, and the owner key and nullifier that
 * let exactly one holder spend it exactly once. `circuits/lib/lot_note.circom` hashes the
 * same way (tests compare the two).
 *
 *     ownerKey   = Poseidon(TAG_OWNER_KEY, ownerSecret)
 *     commitment = Poseidon(TAG_LOT_NOTE, ownerKey, commodity, quantityGrams,
 *                           emissionsGramsCo2e, deforestationFree, salt)
 *     nullifier  = Poseidon(TAG_NULLIFIER, commitment, ownerSecret)
 *
 * Encodings: every field is a bigint, hashed as a field element; `deforestationFree` is a
 * boolean, hashed as 1 or 0. Integer fields have the bit widths below, which are the
 * circuits' range checks (`LOT_*_BITS()` in lot_note.circom): a value that does not fit
 * is an error here, never a silent wrap modulo r.
 *
 * The nullifier hashes the commitment, not the leaf position: a commitment appended to
 * the lots tree twice still has a single nullifier, so it backs a single spend. It cannot
 * be linked to the commitment without `ownerSecret`.
 * @module
 */
import { assertBigintInRange, assertBoolean, typeError } from '../assert.ts';
import { hashTagged } from '../domain.ts';
import { assertField } from '../field.ts';

/** Bits of `commodity`: an HS code read as an integer, six digits (090111 → 90111) < 10^6 < 2^20. */
export const LOT_COMMODITY_BITS = 20;
/** Bits of `quantityGrams`: < 2^48 g ≈ 281,000 t per note. */
export const LOT_QUANTITY_GRAMS_BITS = 48;
/** Bits of `emissionsGramsCo2e`: total cradle-to-gate emissions of the whole lot. */
export const LOT_EMISSIONS_GRAMS_CO2E_BITS = 64;

/** A lot note's opening, except the owner's secret. Plain data. */
export interface LotNote {
  /** Who may spend: `ownerKey(ownerSecret)` of the holder. A field element. */
  ownerKey: bigint;
  /** HS code as an integer, in [0, 2^20). */
  commodity: bigint;
  /** Mass in grams, in [0, 2^48). */
  quantityGrams: bigint;
  /** Total emissions of the whole lot in grams CO2e, in [0, 2^64). */
  emissionsGramsCo2e: bigint;
  /** True only when every gram descends from attested plots. */
  deforestationFree: boolean;
  /** Random field element hiding the other fields from anyone guessing them. */
  salt: bigint;
}

/**
 * Checks that `note` is a LotNote with every field in range.
 * @throws {TypeError} if `note` is not an object or a field has the wrong type
 * @throws {RangeError} if a field is out of range, naming it (`"note.quantityGrams" expected …`)
 * @example assertLotNote(note, 'inputs[0].note')
 */
export function assertLotNote(note: unknown, title: string): asserts note is LotNote {
  if (typeof note !== 'object' || note === null || Array.isArray(note)) typeError(title, 'LotNote object', note);
  const n = note as Record<string, unknown>;
  assertField(n.ownerKey, `${title}.ownerKey`);
  assertUint(n.commodity, LOT_COMMODITY_BITS, `${title}.commodity`);
  assertUint(n.quantityGrams, LOT_QUANTITY_GRAMS_BITS, `${title}.quantityGrams`);
  assertUint(n.emissionsGramsCo2e, LOT_EMISSIONS_GRAMS_CO2E_BITS, `${title}.emissionsGramsCo2e`);
  assertBoolean(n.deforestationFree, `${title}.deforestationFree`);
  assertField(n.salt, `${title}.salt`);
}

/**
 * Checks that `value` is a bigint in [0, 2^bits).
 * @throws {TypeError} if not a bigint; {RangeError} if outside [0, 2^bits)
 * @example assertUint(1500n, LOT_QUANTITY_GRAMS_BITS, 'quantityGrams')
 */
export function assertUint(value: unknown, bits: number, title: string): asserts value is bigint {
  assertBigintInRange(value, title, 0n, 1n << BigInt(bits));
}

/**
 * The owner key of a secret: Poseidon(TAG_OWNER_KEY, ownerSecret). Notes for a recipient
 * carry the recipient's key; only the holder of the secret can spend them.
 * @param ownerSecret - a field element, kept by its holder
 * @throws {TypeError|RangeError} if ownerSecret is not a field element in [0, r)
 * @example const key = ownerKey(secret);
 */
export function ownerKey(ownerSecret: bigint): bigint {
  assertField(ownerSecret, 'ownerSecret');
  return hashTagged('OWNER_KEY', [ownerSecret]);
}

/**
 * The note's commitment, its leaf in the lots tree.
 * @throws {TypeError|RangeError} if a field is missing, mistyped or out of range
 * @example tree.append(noteCommitment({ ownerKey: key, commodity: 90111n, quantityGrams: 60_000_000n,
 *   emissionsGramsCo2e: 180_000_000n, deforestationFree: false, salt }))
 */
export function noteCommitment(note: LotNote): bigint {
  assertLotNote(note, 'note');
  return hashTagged('LOT_NOTE', [
    note.ownerKey,
    note.commodity,
    note.quantityGrams,
    note.emissionsGramsCo2e,
    note.deforestationFree ? 1n : 0n,
    note.salt,
  ]);
}

/**
 * The nullifier published when the note with this commitment is spent:
 * Poseidon(TAG_NULLIFIER, commitment, ownerSecret). Deterministic, so a second spend of
 * the same note publishes the same value and the registry refuses it. Capacity notes use
 * the same function (one nullifier set).
 * @param commitment - the note's commitment (lot or capacity note)
 * @param ownerSecret - the secret whose `ownerKey` the note carries
 * @throws {TypeError|RangeError} if an argument is not a field element in [0, r)
 * @example nullifier(noteCommitment(note), secret)
 */
export function nullifier(commitment: bigint, ownerSecret: bigint): bigint {
  assertField(commitment, 'commitment');
  assertField(ownerSecret, 'ownerSecret');
  return hashTagged('NULLIFIER', [commitment, ownerSecret]);
}
