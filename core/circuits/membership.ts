/**
 * JS twin of `circuits/membership.circom`: the leaf hash, the witness input and the
 * ordered public signals of `Membership(depth)`, in one place so that prover, verifier
 * and tests cannot disagree with the circuit.
 *
 *     leaf = Poseidon(TAG_MEMBER_LEAF, value)                       (hashTagged)
 *     root = Merkle root over leaf at leafIndex (core/merkle/)      (MerkleInclusion)
 *
 * Witness input (snarkjs form: field elements as canonical decimal strings, keys spelled
 * exactly like the circuit's signals):
 *
 *     { "root": "…", "message": "…",                      public
 *       "value": "…", "pathIndices": ["0"|"1", …],         private, depth bits
 *       "siblings": ["…", …] }                              private, leaf level first
 *
 * Public signals, in the order snarkjs lists them (the circuit has no outputs, public
 * inputs in declaration order): `MEMBERSHIP_PUBLIC_SIGNALS` = root, message. The same
 * list is `publicSignals` of `membership` in circuits/circuits.json (checked in tests).
 * @module
 */
import { CanopyError } from '../errors.ts';
import { hashTagged } from '../domain.ts';
import { assertField, fieldToString } from '../field.ts';
import { IncrementalMerkleTree } from '../merkle/incremental-merkle-tree.ts';
import { assertMerkleProof, pathIndices, verifyMerkleProof, type MerkleProof } from '../merkle/merkle-proof.ts';

/** Public signals of `Membership`, in snarkjs order. */
export const MEMBERSHIP_PUBLIC_SIGNALS = ['root', 'message'] as const;

/** Name of one public signal of `Membership`. */
export type MembershipPublicSignal = (typeof MEMBERSHIP_PUBLIC_SIGNALS)[number];

/** Witness input of `Membership(depth)`; every array has `depth` entries. */
export type MembershipInput = {
  root: string;
  message: string;
  value: string;
  pathIndices: string[];
  siblings: string[];
};

/**
 * The tree leaf committing to `value`: Poseidon(TAG_MEMBER_LEAF, value).
 * @param value - a field element
 * @throws {TypeError|RangeError} if value is not a field element in [0, r)
 * @example tree.append(membershipLeaf(42n))
 */
export function membershipLeaf(value: bigint): bigint {
  assertField(value, 'value');
  return hashTagged('MEMBER_LEAF', [value]);
}

/**
 * Builds the witness input proving that `value` is in a tree, bound to `message`.
 *
 * From a tree: the first leaf equal to `membershipLeaf(value)` is proven against the
 * tree's current root (a linear scan over the leaves). From a proof: the proof must be
 * for `membershipLeaf(value)` and must reach its own root. Either way the tree depth is
 * the circuit's `depth` parameter (see circuits/circuits.json).
 * @param source - the tree holding the leaf, or an inclusion proof of it
 * @param value - the private value, a field element
 * @param message - the public message the proof is bound to, a field element
 * @throws {TypeError|RangeError} if an argument is malformed
 * @throws {CanopyError} NOT_FOUND if the tree has no leaf for `value`; INVALID_INPUT if
 *   the proof is for another leaf or does not reach its root
 * @example
 * const input = membershipWitnessInput(tree, 42n, 7n);
 * const witness = await calculateWitness(circuit, input);
 */
export function membershipWitnessInput(source: IncrementalMerkleTree | MerkleProof, value: bigint, message: bigint): MembershipInput {
  const leaf = membershipLeaf(value);
  assertField(message, 'message');
  let proof: MerkleProof;
  if (source instanceof IncrementalMerkleTree) {
    let index = -1;
    for (let i = 0; i < source.size && index < 0; i++) if (source.leaf(i) === leaf) index = i;
    if (index < 0) throw new CanopyError('NOT_FOUND', `no leaf for value ${value} among the ${source.size} leaves of the tree`);
    proof = source.proof(index);
  } else {
    assertMerkleProof(source, 'source');
    if (source.leaf !== leaf) throw new CanopyError('INVALID_INPUT', `proof is for leaf ${source.leaf}, want membershipLeaf(${value}) = ${leaf}`);
    if (!verifyMerkleProof(source)) throw new CanopyError('INVALID_INPUT', `proof of leaf ${source.leafIndex} does not reach its root ${source.root}`);
    proof = source;
  }
  return {
    root: fieldToString(proof.root),
    message: fieldToString(message),
    value: fieldToString(value),
    pathIndices: pathIndices(proof.leafIndex, proof.depth).map(String),
    siblings: proof.siblings.map((s, k) => fieldToString(s, `siblings[${k}]`)),
  };
}

/**
 * The public signals a `Membership` proof is verified against, in snarkjs order.
 * @param root - the tree root the verifier accepts
 * @param message - the message the proof must be bound to
 * @returns decimal strings, one per entry of MEMBERSHIP_PUBLIC_SIGNALS
 * @throws {TypeError|RangeError} if an argument is not a field element in [0, r)
 * @example membershipPublicSignals(tree.root, 7n) // [`${tree.root}`, '7']
 */
export function membershipPublicSignals(root: bigint, message: bigint): string[] {
  const values: Record<MembershipPublicSignal, bigint> = { root, message };
  return MEMBERSHIP_PUBLIC_SIGNALS.map((name) => fieldToString(values[name], name));
}
