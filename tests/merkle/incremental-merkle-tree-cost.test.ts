// Counts node hashes, the cost that matters at scale, by wrapping merkleNode in a spy.
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('../../core/merkle/merkle-node.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../core/merkle/merkle-node.ts')>();
  return { ...actual, merkleNode: vi.fn(actual.merkleNode) };
});

const { merkleNode } = await import('../../core/merkle/merkle-node.ts');
const { IncrementalMerkleTree } = await import('../../core/merkle/incremental-merkle-tree.ts');
const { zeroHashes } = await import('../../core/merkle/zero-hashes.ts');
const { testLeaves } = await import('./_reference.ts');

/** Node hashes `fn` performs. */
function hashesOf(fn: () => unknown): number {
  const before = vi.mocked(merkleNode).mock.calls.length;
  fn();
  return vi.mocked(merkleNode).mock.calls.length - before;
}

/** Nodes above the leaves that cover a leaf in [from, to): the nodes a batch touches. */
function touchedNodes(depth: number, from: number, to: number): number {
  let n = 0;
  for (let k = 1; k <= depth; k++) n += Math.ceil(to / 2 ** k) - Math.floor(from / 2 ** k);
  return n;
}

describe('IncrementalMerkleTree costs, in node hashes', () => {
  beforeAll(() => {
    zeroHashes(32);
  });

  describe('appendMany', () => {
    it('hashes each touched node once: 300 leaves at depth 20 onto sizes 0 and 77', () => {
      const leaves = testLeaves(377);
      const tree = new IncrementalMerkleTree(20);
      expect(hashesOf(() => tree.appendMany(leaves.slice(0, 77)))).toBe(touchedNodes(20, 0, 77));
      const cost = hashesOf(() => tree.appendMany(leaves.slice(77)));
      expect(cost).toBe(touchedNodes(20, 77, 377));
      // About one hash per leaf plus one per level, where single appends cost 20 per leaf.
      expect(cost).toBeLessThanOrEqual(300 + 2 * 20);
    });
  });

  describe('append', () => {
    it('hashes depth nodes', () => {
      const tree = new IncrementalMerkleTree(16);
      tree.appendMany([1n, 2n, 3n]);
      expect(hashesOf(() => tree.append(4n))).toBe(16);
    });
  });

  describe('proof, rootAt and the constructor', () => {
    const tree = new IncrementalMerkleTree(12);
    beforeAll(() => {
      tree.appendMany(testLeaves(45));
    });

    it('cost nothing at the current size and for a new tree', () => {
      expect(hashesOf(() => tree.proof(44))).toBe(0);
      expect(hashesOf(() => tree.proof(0))).toBe(0);
      expect(hashesOf(() => tree.rootAt(45))).toBe(0);
      expect(hashesOf(() => new IncrementalMerkleTree(32))).toBe(0);
    });

    it('cost at most depth hashes for a past size', () => {
      for (const s of [1, 2, 3, 17, 32, 33, 44]) {
        expect(hashesOf(() => tree.rootAt(s)), `rootAt(${s})`).toBeLessThanOrEqual(12);
        expect(hashesOf(() => tree.proof(0, s)), `proof(0, ${s})`).toBeLessThanOrEqual(12);
      }
      // A size that is a multiple of 2^5 has complete nodes up to level 5: only levels above are rebuilt.
      expect(hashesOf(() => tree.rootAt(32))).toBe(12 - 5);
    });
  });

  describe('deserialize', () => {
    const tree = new IncrementalMerkleTree(10);
    beforeAll(() => {
      tree.appendMany(testLeaves(37));
    });

    it('rehashes one node per level by default, and every stored inner node with fullCheck', () => {
      const bytes = tree.serialize();
      expect(hashesOf(() => IncrementalMerkleTree.deserialize(bytes))).toBe(10);
      expect(hashesOf(() => IncrementalMerkleTree.deserialize(bytes, { fullCheck: true }))).toBe(touchedNodes(10, 0, 37));
    });
  });
});
