/**
 * JS twin of `circuits/capacity_mint.circom`, `CapacityMint(depth)`: the notes a mint
 * from capacity must create, its public signals in order and its witness input.
 * docs/lots.md is the specification.
 *
 * A capacity mint spends one capacity note (with its owner's secret and its proof in the
 * lots tree) and creates
 *
 *     lot        LotNote(lot.ownerKey, capacity.commodity, lot.quantityGrams,
 *                        lot.emissionsGramsCo2e, deforestationFree = true, lot.salt)
 *     remainder  CapacityNote(capacity.ownerKey, capacity.commodity, capacity.harvestYear,
 *                             capacityGrams − lot.quantityGrams, remainderSalt)
 *
 * with lot.quantityGrams ≤ capacityGrams. The remainder is created even when it is 0 g.
 *
 * Witness input (decimal strings, keys spelled like the signals):
 *
 *     { "root", "capacityNullifier", "lotCommitment", "remainderCommitment",   public
 *       "ownerSecret", "commodity", "harvestYear", "capacityGrams", "capacitySalt",
 *       "pathIndices": [depth], "siblings": [depth],
 *       "lotOwnerKey", "lotQuantityGrams", "lotEmissionsGramsCo2e", "lotSalt",
 *       "remainderSalt" }                                                     private
 *
 * Public signals, in snarkjs order (no outputs; public inputs in declaration order):
 * `CAPACITY_MINT_PUBLIC_SIGNALS`, the `publicSignals` of `capacity_mint` in
 * circuits/circuits.json.
 * @module
 */
import { typeError } from '../assert.ts';
import { CanopyError } from '../errors.ts';
import { assertField, fieldToString } from '../field.ts';
import { assertCapacityNote, capacityCommitment, type CapacityNote } from '../lots/capacity-note.ts';
import { assertUint, LOT_EMISSIONS_GRAMS_CO2E_BITS, LOT_QUANTITY_GRAMS_BITS, noteCommitment, nullifier, ownerKey, type LotNote } from '../lots/note.ts';
import { assertMerkleDepth } from '../merkle/merkle-node.ts';
import { assertMerkleProof, pathIndices, verifyMerkleProof, type MerkleProof } from '../merkle/merkle-proof.ts';

/** Public signals of `CapacityMint`, in snarkjs order. */
export const CAPACITY_MINT_PUBLIC_SIGNALS = ['root', 'capacityNullifier', 'lotCommitment', 'remainderCommitment'] as const;

/** Name of one public signal of `CapacityMint`. */
export type CapacityMintPublicSignal = (typeof CAPACITY_MINT_PUBLIC_SIGNALS)[number];

/** The capacity note spent: its opening, its owner's secret, its proof in the lots tree. */
export interface CapacitySpend {
  note: CapacityNote;
  /** The secret with `ownerKey(ownerSecret) = note.ownerKey`. */
  ownerSecret: bigint;
  /** Inclusion proof of `capacityCommitment(note)`. */
  proof: MerkleProof;
}

/** The lot to mint: everything the capacity note does not fix. */
export interface CapacityMintLot {
  /** Any owner key: the minter's own, or a buyer's. */
  ownerKey: bigint;
  /** Grams, in [0, capacityGrams]. */
  quantityGrams: bigint;
  /** The supplier's declared emissions, in [0, 2^64) g CO2e. */
  emissionsGramsCo2e: bigint;
  salt: bigint;
}

/** A whole capacity mint, as the prover knows it. Plain data. */
export interface CapacityMint {
  capacity: CapacitySpend;
  lot: CapacityMintLot;
  /** Salt of the remainder capacity note; fresh and random. */
  remainderSalt: bigint;
}

/** The public statement of a capacity mint. */
export type CapacityMintPublic = Record<CapacityMintPublicSignal, bigint>;

/** Witness input of `CapacityMint(depth)`; keys spelled like its signals. */
export type CapacityMintInput = {
  root: string;
  capacityNullifier: string;
  lotCommitment: string;
  remainderCommitment: string;
  ownerSecret: string;
  commodity: string;
  harvestYear: string;
  capacityGrams: string;
  capacitySalt: string;
  pathIndices: string[];
  siblings: string[];
  lotOwnerKey: string;
  lotQuantityGrams: string;
  lotEmissionsGramsCo2e: string;
  lotSalt: string;
  remainderSalt: string;
};

/**
 * The two notes a mint from `capacity` creates: the deforestation-free lot and the
 * remainder capacity note (same owner, commodity and year).
 * @throws {TypeError|RangeError} if an argument is malformed
 * @throws {CanopyError} INVALID_INPUT if lot.quantityGrams exceeds capacity.capacityGrams
 * @example capacityMintNotes(capacity, { ownerKey: buyer, quantityGrams: 500_000n, emissionsGramsCo2e: 1_500_000n, salt: s1 }, s2)
 */
export function capacityMintNotes(capacity: CapacityNote, lot: CapacityMintLot, remainderSalt: bigint): { lot: LotNote; remainder: CapacityNote } {
  assertCapacityNote(capacity, 'capacity');
  assertLot(lot, 'lot');
  assertField(remainderSalt, 'remainderSalt');
  if (lot.quantityGrams > capacity.capacityGrams) {
    throw new CanopyError('INVALID_INPUT', `lot of ${lot.quantityGrams} g exceeds the ${capacity.capacityGrams} g of capacity left`);
  }
  return {
    lot: {
      ownerKey: lot.ownerKey,
      commodity: capacity.commodity,
      quantityGrams: lot.quantityGrams,
      emissionsGramsCo2e: lot.emissionsGramsCo2e,
      deforestationFree: true,
      salt: lot.salt,
    },
    remainder: { ...capacity, capacityGrams: capacity.capacityGrams - lot.quantityGrams, salt: remainderSalt },
  };
}

/**
 * The public statement of a valid capacity mint.
 * @throws {TypeError|RangeError} if the mint is malformed
 * @throws {CanopyError} INVALID_INPUT if the secret does not open the capacity's owner
 *   key, the proof is not of the capacity note or does not reach its root, or the lot
 *   exceeds the capacity
 * @example capacityMintPublicSignals(capacityMintPublic(mint))
 */
export function capacityMintPublic(mint: CapacityMint): CapacityMintPublic {
  if (typeof mint !== 'object' || mint === null) typeError('mint', 'CapacityMint object', mint);
  if (typeof mint.capacity !== 'object' || mint.capacity === null) typeError('mint.capacity', 'CapacitySpend object', mint.capacity);
  const { note, ownerSecret, proof } = mint.capacity;
  assertCapacityNote(note, 'mint.capacity.note');
  assertField(ownerSecret, 'mint.capacity.ownerSecret');
  assertMerkleProof(proof, 'mint.capacity.proof');
  const { lot, remainder } = capacityMintNotes(note, mint.lot, mint.remainderSalt);
  const cm = capacityCommitment(note);
  if (ownerKey(ownerSecret) !== note.ownerKey) throw new CanopyError('INVALID_INPUT', `mint.capacity.ownerSecret does not open the capacity's ownerKey ${note.ownerKey}`);
  if (proof.leaf !== cm) throw new CanopyError('INVALID_INPUT', `mint.capacity.proof is for leaf ${proof.leaf}, not the capacity's commitment ${cm}`);
  if (!verifyMerkleProof(proof)) throw new CanopyError('INVALID_INPUT', `mint.capacity.proof does not reach its root ${proof.root}`);
  return {
    root: proof.root,
    capacityNullifier: nullifier(cm, ownerSecret),
    lotCommitment: noteCommitment(lot),
    remainderCommitment: capacityCommitment(remainder),
  };
}

/**
 * The public signals a `CapacityMint` proof is verified against, in snarkjs order.
 * @returns four decimal strings, one per entry of CAPACITY_MINT_PUBLIC_SIGNALS
 * @throws {TypeError|RangeError} if a value is not a field element in [0, r)
 * @example capacityMintPublicSignals({ root, capacityNullifier, lotCommitment, remainderCommitment })
 */
export function capacityMintPublicSignals(pub: CapacityMintPublic): string[] {
  if (typeof pub !== 'object' || pub === null) typeError('pub', 'CapacityMintPublic object', pub);
  return CAPACITY_MINT_PUBLIC_SIGNALS.map((name) => fieldToString(pub[name], `pub.${name}`));
}

/**
 * Builds the witness input of `CapacityMint(depth)` for a valid mint.
 * @param depth - the circuit's tree depth; the proof must have it
 * @throws {TypeError|RangeError} if the mint is malformed or its proof has another depth
 * @throws {CanopyError} INVALID_INPUT as `capacityMintPublic`
 * @example capacityMintWitnessInput({ capacity: { note, ownerSecret, proof: tree.proof(3) }, lot, remainderSalt }, 4)
 */
export function capacityMintWitnessInput(mint: CapacityMint, depth: number): CapacityMintInput {
  assertMerkleDepth(depth, 'depth');
  const pub = capacityMintPublic(mint);
  const { note, ownerSecret, proof } = mint.capacity;
  if (proof.depth !== depth) throw new RangeError(`"mint.capacity.proof.depth" expected the circuit's depth ${depth}, got ${proof.depth}`);
  const s = (v: bigint) => v.toString(10);
  return {
    root: s(pub.root),
    capacityNullifier: s(pub.capacityNullifier),
    lotCommitment: s(pub.lotCommitment),
    remainderCommitment: s(pub.remainderCommitment),
    ownerSecret: s(ownerSecret),
    commodity: s(note.commodity),
    harvestYear: s(note.harvestYear),
    capacityGrams: s(note.capacityGrams),
    capacitySalt: s(note.salt),
    pathIndices: pathIndices(proof.leafIndex, depth).map(String),
    siblings: proof.siblings.map(s),
    lotOwnerKey: s(mint.lot.ownerKey),
    lotQuantityGrams: s(mint.lot.quantityGrams),
    lotEmissionsGramsCo2e: s(mint.lot.emissionsGramsCo2e),
    lotSalt: s(mint.lot.salt),
    remainderSalt: s(mint.remainderSalt),
  };
}

function assertLot(lot: unknown, title: string): asserts lot is CapacityMintLot {
  if (typeof lot !== 'object' || lot === null || Array.isArray(lot)) typeError(title, 'CapacityMintLot object', lot);
  const l = lot as Record<string, unknown>;
  assertField(l.ownerKey, `${title}.ownerKey`);
  assertUint(l.quantityGrams, LOT_QUANTITY_GRAMS_BITS, `${title}.quantityGrams`);
  assertUint(l.emissionsGramsCo2e, LOT_EMISSIONS_GRAMS_CO2E_BITS, `${title}.emissionsGramsCo2e`);
  assertField(l.salt, `${title}.salt`);
}
