/**
 * The harvest capacity note of docs/lots.md: what one plot may still yield of one
 * commodity in one harvest year. It lives in the lots tree beside the lot notes, is spent
 * by `CapacityMint` to mint deforestation-free lots, and shares their owner key and
 * nullifier (`ownerKey`, `nullifier` in ./note.ts; one nullifier set).
 * `circuits/lib/capacity_note.circom` hashes the same way.
 *
 *     capacity = Poseidon(TAG_CAPACITY_NOTE, ownerKey, commodity, harvestYear,
 *                         capacityGrams, salt)
 *
 * The tag differs from TAG_LOT_NOTE, so no capacity note opens as a lot note or back.
 * Encodings: bigints hashed as field elements, integer fields within the widths below.
 * `capacityGrams` has the width of a lot's `quantityGrams`, so every lot drawn from
 * capacity fits a lot note.
 * @module
 */
import { typeError } from '../assert.ts';
import { hashTagged } from '../domain.ts';
import { assertField } from '../field.ts';
import { assertUint, LOT_COMMODITY_BITS, LOT_QUANTITY_GRAMS_BITS } from './note.ts';

/** Bits of `harvestYear`, a calendar year (e.g. 2025n): < 2^16. */
export const CAPACITY_HARVEST_YEAR_BITS = 16;
/** Bits of `capacityGrams`: those of a lot note's quantity. */
export const CAPACITY_GRAMS_BITS = LOT_QUANTITY_GRAMS_BITS;

/** A capacity note's opening, except the owner's secret. Plain data. */
export interface CapacityNote {
  /** `ownerKey(ownerSecret)` of the plot's owner. A field element. */
  ownerKey: bigint;
  /** HS code as an integer, in [0, 2^20). */
  commodity: bigint;
  /** Harvest year, in [0, 2^16). */
  harvestYear: bigint;
  /** Grams still available this year, in [0, 2^48). */
  capacityGrams: bigint;
  /** Random field element. */
  salt: bigint;
}

/**
 * Checks that `note` is a CapacityNote with every field in range.
 * @throws {TypeError} if `note` is not an object or a field has the wrong type
 * @throws {RangeError} if a field is out of range, naming it
 * @example assertCapacityNote(note, 'capacity.note')
 */
export function assertCapacityNote(note: unknown, title: string): asserts note is CapacityNote {
  if (typeof note !== 'object' || note === null || Array.isArray(note)) typeError(title, 'CapacityNote object', note);
  const n = note as Record<string, unknown>;
  assertField(n.ownerKey, `${title}.ownerKey`);
  assertUint(n.commodity, LOT_COMMODITY_BITS, `${title}.commodity`);
  assertUint(n.harvestYear, CAPACITY_HARVEST_YEAR_BITS, `${title}.harvestYear`);
  assertUint(n.capacityGrams, CAPACITY_GRAMS_BITS, `${title}.capacityGrams`);
  assertField(n.salt, `${title}.salt`);
}

/**
 * The capacity note's commitment, its leaf in the lots tree.
 * @throws {TypeError|RangeError} if a field is missing, mistyped or out of range
 * @example tree.append(capacityCommitment({ ownerKey: key, commodity: 90111n, harvestYear: 2025n,
 *   capacityGrams: 2_100_000n, salt }))
 */
export function capacityCommitment(note: CapacityNote): bigint {
  assertCapacityNote(note, 'note');
  return hashTagged('CAPACITY_NOTE', [note.ownerKey, note.commodity, note.harvestYear, note.capacityGrams, note.salt]);
}
