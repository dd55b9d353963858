/**
 * Shared fixtures of the lot tests: commodities, owners, notes and lots trees, plus
 * helpers that write a LotTransition witness input by hand the way a cheating prover
 * would (fields the twin would refuse, commitments recomputed to match).
 * @module
 */
import { hashTagged } from '../../core/domain.ts';
import { FIELD_ORDER } from '../../core/field.ts';
import type { LotSpend, LotTransitionInput } from '../../core/circuits/lot-transition.ts';
import { noteCommitment, ownerKey, type LotNote } from '../../core/lots/note.ts';
import { IncrementalMerkleTree } from '../../core/merkle/incremental-merkle-tree.ts';
import { pathIndices } from '../../core/merkle/merkle-proof.ts';

/** HS 0901 11: coffee, not roasted, not decaffeinated. */
export const COFFEE = 90111n;
/** HS 1207 10: palm nuts and kernels (the fruit a palm oil mill presses). */
export const PALM_FRUIT = 120710n;
/** HS 1511 10: crude palm oil; about 1 g per 5 g of fruit (oil extraction rate ≈ 20 %). */
export const PALM_OIL = 151110n;

/** A realistic 254-bit field element, distinct per label. */
export function element(label: number): bigint {
  return hashTagged('SEQUENCE', [BigInt(label)]);
}

export const ALICE_SECRET = element(1);
export const BOB_SECRET = element(2);
export const CAROL_SECRET = element(3);
export const ALICE = ownerKey(ALICE_SECRET);
export const BOB = ownerKey(BOB_SECRET);
export const CAROL = ownerKey(CAROL_SECRET);

let saltCounter = 1000;
/** A fresh salt (deterministic across runs). */
export function salt(): bigint {
  return element(saltCounter++);
}

/** A lot note with the given fields over defaults (Alice's coffee, 100 kg, 300 kg CO2e, not free). */
export function lot(fields: Partial<LotNote> = {}): LotNote {
  return {
    ownerKey: ALICE,
    commodity: COFFEE,
    quantityGrams: 100_000n,
    emissionsGramsCo2e: 300_000n,
    deforestationFree: false,
    salt: salt(),
    ...fields,
  };
}

/** A lots tree of `depth` holding the commitments of `notes`, in order. */
export function lotsTree(depth: number, notes: readonly LotNote[]): IncrementalMerkleTree {
  const tree = new IncrementalMerkleTree(depth);
  tree.appendMany(notes.map(noteCommitment));
  return tree;
}

/** Spending notes[i] of `tree` (built by lotsTree from `notes`) with `ownerSecret`. */
export function spendOf(tree: IncrementalMerkleTree, notes: readonly LotNote[], i: number, ownerSecret: bigint): LotSpend {
  return { note: notes[i]!, ownerSecret, proof: tree.proof(i) };
}

/** Note fields as the circuit sees them: field elements, the flag as 0 or 1. Any value mod r. */
export interface RawNote {
  ownerKey: bigint;
  commodity: bigint;
  quantityGrams: bigint;
  emissionsGramsCo2e: bigint;
  deforestationFree: bigint;
  salt: bigint;
}

const mod = (x: bigint) => ((x % FIELD_ORDER) + FIELD_ORDER) % FIELD_ORDER;

/** A LotNote as raw fields. */
export function raw(note: LotNote): RawNote {
  return { ...note, deforestationFree: note.deforestationFree ? 1n : 0n };
}

/** The commitment of raw fields (each reduced mod r): what a cheating prover publishes. */
export function rawCommitment(n: RawNote): bigint {
  return hashTagged('LOT_NOTE', [n.ownerKey, n.commodity, n.quantityGrams, n.emissionsGramsCo2e, n.deforestationFree, n.salt].map(mod));
}

/** A copy of `input` whose output slot j holds `note` (enabled) and publishes its commitment. */
export function withOutput(input: LotTransitionInput, j: number, note: RawNote): LotTransitionInput {
  const next = structuredClone(input);
  const s = (v: bigint) => mod(v).toString();
  next.outEnabled[j] = '1';
  next.outOwnerKey[j] = s(note.ownerKey);
  next.outQuantityGrams[j] = s(note.quantityGrams);
  next.outEmissionsGramsCo2e[j] = s(note.emissionsGramsCo2e);
  next.outDeforestationFree[j] = s(note.deforestationFree);
  next.outSalt[j] = s(note.salt);
  next.outCommitments[j] = rawCommitment(note).toString();
  return next;
}

/**
 * A copy of `input` whose input slot i opens `note` with `ownerSecret` at `leafIndex` of
 * `tree`, with the given enabled bit; the public nullifier is left for the caller.
 */
export function withInputSlot(
  input: LotTransitionInput,
  i: number,
  slot: { note: RawNote; ownerSecret: bigint; tree: IncrementalMerkleTree; leafIndex: number; enabled: bigint },
): LotTransitionInput {
  const next = structuredClone(input);
  const s = (v: bigint) => mod(v).toString();
  next.inEnabled[i] = s(slot.enabled);
  next.inOwnerSecret[i] = s(slot.ownerSecret);
  next.inQuantityGrams[i] = s(slot.note.quantityGrams);
  next.inEmissionsGramsCo2e[i] = s(slot.note.emissionsGramsCo2e);
  next.inDeforestationFree[i] = s(slot.note.deforestationFree);
  next.inSalt[i] = s(slot.note.salt);
  const proof = slot.tree.proof(slot.leafIndex);
  next.inPathIndices[i] = pathIndices(slot.leafIndex, slot.tree.depth).map(String);
  next.inSiblings[i] = proof.siblings.map(String);
  return next;
}
