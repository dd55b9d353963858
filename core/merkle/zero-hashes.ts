/**
 * Roots of empty subtrees, the values an append-only tree uses for everything to the
 * right of its last leaf:
 *
 *     zeroHashes[0]     = 0                     (the empty leaf)
 *     zeroHashes[i + 1] = node(zeroHashes[i], zeroHashes[i])
 *
 * so zeroHashes[k] is the root of an empty subtree of height k, and the root of an empty
 * tree of depth d is zeroHashes[d].
 * @module
 */
import { assertMerkleDepth, MERKLE_ZERO_LEAF, merkleNode } from './merkle-node.ts';

// Grown on demand up to MERKLE_MAX_DEPTH + 1 entries (33); entry i never changes once written.
const computed: bigint[] = [MERKLE_ZERO_LEAF];
const views = new Map<number, readonly bigint[]>();

/**
 * The empty-subtree roots of heights 0..depth (depth + 1 entries), memoised: repeated
 * calls with one depth return the same frozen array.
 * @param depth - 0..32
 * @throws {TypeError} if not a safe integer; {RangeError} if outside [0, 32]
 * @example zeroHashes(20)[20] // root of an empty tree of depth 20
 */
export function zeroHashes(depth: number): readonly bigint[] {
  assertMerkleDepth(depth, 'depth', 0);
  let view = views.get(depth);
  if (view === undefined) {
    while (computed.length <= depth) {
      const below = computed[computed.length - 1]!;
      computed.push(merkleNode(below, below));
    }
    view = Object.freeze(computed.slice(0, depth + 1));
    views.set(depth, view);
  }
  return view;
}
