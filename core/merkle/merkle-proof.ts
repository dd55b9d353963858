/**
 * Inclusion proofs for fixed-depth Poseidon Merkle trees, as plain data, and the pure
 * functions that check them. The `MerkleInclusion(depth)` circuit computes `computeRoot`.
 *
 * Path convention. Levels are numbered from the leaves: level 0 holds the leaves, level
 * `depth` the root. Leaf index i in [0, 2^depth) is read bit by bit, bit k for level k:
 *
 *     bit k of i = 0: the current node is the LEFT child,  parent = node(current, sibling)
 *     bit k of i = 1: the current node is the RIGHT child, parent = node(sibling, current)
 *
 *     depth 2, leaf index 2 = 0b10            root = node(n0, n1)
 *                                            /                   \
 *     level 1, bit 1 = 1:      n0 = siblings[1]                  n1 = node(L2, L3)
 *                                                               /                \
 *     level 0, bit 0 = 0:                                 leaf = L2          L3 = siblings[0]
 *
 * `siblings[k]` is the sibling at level k (leaf level first), `depth` entries in all.
 *
 * JSON form (snarkjs convention: field elements as canonical decimal strings):
 *
 *     { "depth": 2, "leafIndex": 2, "leaf": "123…", "siblings": ["…", "…"], "root": "…" }
 *
 * `depth` and `leafIndex` are JSON numbers (safe integers). Parsing is strict: exactly
 * these five keys, canonical decimals below r, `siblings.length === depth`,
 * `leafIndex < 2^depth`.
 *
 * Failures are kept apart: malformed input throws TypeError/RangeError quoting the value;
 * a well-formed proof that does not match its root makes `verifyMerkleProof` return false.
 * @module
 */
import { assertArray, assertInteger, describe, typeError } from '../assert.ts';
import { assertField, fieldToString, parseField } from '../field.ts';
import { assertMerkleDepth, MERKLE_MAX_DEPTH, merkleNode } from './merkle-node.ts';

/** An inclusion proof of `leaf` at `leafIndex` under `root`. Plain data, JSON-safe via `merkleProofToJson`. */
export interface MerkleProof {
  /** Tree depth, 1..32. */
  depth: number;
  /** Position of the leaf, in [0, 2^depth). */
  leafIndex: number;
  /** The leaf, a field element (already hashed by its owner under its own domain tag). */
  leaf: bigint;
  /** `depth` siblings, leaf level first. */
  siblings: bigint[];
  /** The root the proof claims. */
  root: bigint;
}

/** Wire form of `MerkleProof`: field elements as canonical decimal strings. */
export interface MerkleProofJson {
  depth: number;
  leafIndex: number;
  leaf: string;
  siblings: string[];
  root: string;
}

const PROOF_KEYS: readonly string[] = ['depth', 'leafIndex', 'leaf', 'siblings', 'root'];

/**
 * Checks a leaf index against a depth: a safe integer in [0, 2^depth).
 * @throws {TypeError} if not a safe integer; {RangeError} if outside [0, 2^depth)
 * @example assertLeafIndex(5, 4, 'leafIndex')
 */
export function assertLeafIndex(index: unknown, depth: number, title: string): asserts index is number {
  assertInteger(index, title, 0, 2 ** depth - 1);
}

/**
 * The path bits of a leaf, leaf level first: bit k of `leafIndex`; 1 = right child.
 * These are the circuit's `pathIndices` input.
 * @param leafIndex - in [0, 2^depth)
 * @param depth - 1..32
 * @throws {TypeError} if an argument is not a safe integer; {RangeError} if out of range
 * @example pathIndices(6, 4) // [0, 1, 1, 0]
 */
export function pathIndices(leafIndex: number, depth: number): (0 | 1)[] {
  assertMerkleDepth(depth, 'depth');
  assertLeafIndex(leafIndex, depth, 'leafIndex');
  const bits: (0 | 1)[] = [];
  // leafIndex < 2^32 and k < 32, so the unsigned shift reads bit k exactly.
  for (let k = 0; k < depth; k++) bits.push(((leafIndex >>> k) & 1) as 0 | 1);
  return bits;
}

/**
 * The root reached from `leaf` at `leafIndex` through `siblings`; depth = siblings.length.
 * @param leaf - a field element
 * @param leafIndex - in [0, 2^siblings.length)
 * @param siblings - 1..32 field elements, leaf level first
 * @throws {TypeError|RangeError} if an argument is malformed
 * @example computeRoot(leaf, 0, [0n]) // merkleNode(leaf, 0n)
 */
export function computeRoot(leaf: bigint, leafIndex: number, siblings: readonly bigint[]): bigint {
  assertArray(siblings, 'siblings', 1, MERKLE_MAX_DEPTH);
  assertField(leaf, 'leaf');
  assertLeafIndex(leafIndex, siblings.length, 'leafIndex');
  for (let k = 0; k < siblings.length; k++) assertField(siblings[k], `siblings[${k}]`);
  let node = leaf;
  for (let k = 0; k < siblings.length; k++) {
    const sibling = siblings[k]!;
    node = (leafIndex >>> k) & 1 ? merkleNode(sibling, node) : merkleNode(node, sibling);
  }
  return node;
}

/**
 * Checks the shape of a proof: depth 1..32, leafIndex < 2^depth, field elements,
 * exactly `depth` siblings. Says nothing about whether the proof is correct.
 * @throws {TypeError} if a field has the wrong type; {RangeError} if a value is out of range
 * @example assertMerkleProof(tree.proof(0), 'proof')
 */
export function assertMerkleProof(proof: unknown, title: string): asserts proof is MerkleProof {
  if (typeof proof !== 'object' || proof === null || Array.isArray(proof)) typeError(title, 'object', proof);
  const p = proof as Record<string, unknown>;
  assertMerkleDepth(p.depth, `${title}.depth`);
  assertLeafIndex(p.leafIndex, p.depth, `${title}.leafIndex`);
  assertField(p.leaf, `${title}.leaf`);
  assertArray(p.siblings, `${title}.siblings`, p.depth, p.depth);
  for (let k = 0; k < p.depth; k++) assertField(p.siblings[k], `${title}.siblings[${k}]`);
  assertField(p.root, `${title}.root`);
}

/**
 * Whether `proof.leaf` at `proof.leafIndex` hashes up to `proof.root`.
 * @returns false for a well-formed proof that does not match its root
 * @throws {TypeError|RangeError} if the proof is malformed (see `assertMerkleProof`)
 * @example verifyMerkleProof(tree.proof(3)) // true
 */
export function verifyMerkleProof(proof: MerkleProof): boolean {
  assertMerkleProof(proof, 'proof');
  return computeRoot(proof.leaf, proof.leafIndex, proof.siblings) === proof.root;
}

/**
 * The wire form of a proof: field elements as canonical decimal strings.
 * @throws {TypeError|RangeError} if the proof is malformed
 * @example JSON.stringify(merkleProofToJson(tree.proof(3)))
 */
export function merkleProofToJson(proof: MerkleProof): MerkleProofJson {
  assertMerkleProof(proof, 'proof');
  return {
    depth: proof.depth,
    leafIndex: proof.leafIndex,
    leaf: fieldToString(proof.leaf),
    siblings: proof.siblings.map((s) => fieldToString(s)),
    root: fieldToString(proof.root),
  };
}

/**
 * Parses the wire form of a proof (the value `JSON.parse` returns; attacker-controlled).
 * Strict: exactly the five keys, canonical decimal field elements below r, depth 1..32,
 * leafIndex a safe integer below 2^depth, exactly `depth` siblings.
 * @throws {TypeError} if a field is missing, has the wrong type or is not canonical, or a key is unknown;
 *   {RangeError} if a value is out of range or the sibling count differs from depth
 * @example merkleProofFromJson(JSON.parse(text))
 */
export function merkleProofFromJson(json: unknown): MerkleProof {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) typeError('proof', 'object', json);
  const j = json as Record<string, unknown>;
  for (const key of Object.keys(j)) {
    if (!PROOF_KEYS.includes(key)) typeError('proof', `only keys ${PROOF_KEYS.join(', ')}`, `key ${describe(key)}`);
  }
  assertMerkleDepth(j.depth, 'proof.depth');
  const depth = j.depth;
  assertLeafIndex(j.leafIndex, depth, 'proof.leafIndex');
  const leaf = parseField(j.leaf, 'proof.leaf');
  assertArray(j.siblings, 'proof.siblings', depth, depth);
  const siblings: bigint[] = [];
  for (let k = 0; k < depth; k++) siblings.push(parseField(j.siblings[k], `proof.siblings[${k}]`));
  const root = parseField(j.root, 'proof.root');
  return { depth, leafIndex: j.leafIndex, leaf, siblings, root };
}
