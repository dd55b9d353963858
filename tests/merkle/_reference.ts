/**
 * An independent reference for Merkle tests: node hashes computed with circomlibjs'
 * Poseidon (not core/poseidon.ts), the tag derived here from its name (not core/domain.ts),
 * and roots and siblings computed by the recursive definition of the tree rather than by
 * the incremental algorithm under test:
 *
 *     node(k, j) = leaves[j]                                  if k = 0 and j < n
 *                = zero(k)                                    if j·2^k ≥ n
 *                = H(tag, node(k−1, 2j), node(k−1, 2j+1))     otherwise
 *
 * Complete subtrees ((j+1)·2^k ≤ n) do not depend on n, so their values are memoised
 * across sizes; a root at any size then costs new leaves plus at most depth hashes.
 * @module
 */
import { buildPoseidon } from 'circomlibjs';
import { R } from '../hostile-inputs.ts';

/** "canopy/merkle-node" read as a big-endian integer, derived here from the ASCII name. */
export const MERKLE_NODE_TAG = BigInt(`0x${Buffer.from('canopy/merkle-node', 'ascii').toString('hex')}`);

/** Reference node hash Poseidon(tag, left, right), by circomlibjs. */
export type NodeHash = (left: bigint, right: bigint) => bigint;

let cached: Promise<NodeHash> | undefined;

/** Loads circomlibjs' Poseidon once and returns the reference node hash. */
export function loadReferenceNodeHash(): Promise<NodeHash> {
  cached ??= buildPoseidon().then((p) => (left: bigint, right: bigint) => p.F.toObject(p([MERKLE_NODE_TAG, left, right])));
  return cached;
}

/** The recursive tree over a growing list of leaves, with memoised complete subtrees. */
export class ReferenceTree {
  readonly leaves: bigint[] = [];
  readonly zeros: bigint[] = [0n];
  readonly #complete = new Map<string, bigint>();

  constructor(
    readonly depth: number,
    readonly hash: NodeHash,
  ) {
    for (let k = 0; k < depth; k++) this.zeros.push(hash(this.zeros[k]!, this.zeros[k]!));
  }

  /** node(k, j) over the first n leaves. */
  node(k: number, j: number, n: number = this.leaves.length): bigint {
    if (j * 2 ** k >= n) return this.zeros[k]!;
    if (k === 0) return this.leaves[j]!;
    const complete = (j + 1) * 2 ** k <= n;
    const key = `${k}:${j}`;
    if (complete) {
      const memo = this.#complete.get(key);
      if (memo !== undefined) return memo;
    }
    const value = this.hash(this.node(k - 1, 2 * j, n), this.node(k - 1, 2 * j + 1, n));
    if (complete) this.#complete.set(key, value);
    return value;
  }

  /** Root over the first n leaves. */
  root(n: number = this.leaves.length): bigint {
    return this.node(this.depth, 0, n);
  }

  /** Siblings of leaf i over the first n leaves, leaf level first. */
  siblings(i: number, n: number = this.leaves.length): bigint[] {
    const out: bigint[] = [];
    for (let k = 0; k < this.depth; k++) out.push(this.node(k, (Math.floor(i / 2 ** k) ^ 1) >>> 0, n));
    return out;
  }
}

/**
 * n distinct, nonzero, deterministic field elements spread over [1, r): cheap stand-ins
 * for hashed leaves. Leaf i is (seed + i)·step mod r; r is prime and step ≠ 0, so distinct
 * i < r − seed give distinct, nonzero values.
 */
export function testLeaves(n: number, seed = 1n): bigint[] {
  const out: bigint[] = [];
  const step = 0x9e3779b97f4a7c15f39cc0605cedc835n;
  for (let i = 0; i < n; i++) out.push(((seed + BigInt(i)) * step) % R);
  return out;
}

/** The value with bit 0 flipped; still a field element for every value the tests use. */
export function flipLowBit(v: bigint): bigint {
  const flipped = v ^ 1n;
  if (flipped >= R) throw new Error(`flipLowBit(${v}) left the field`);
  return flipped;
}
