import { beforeAll, describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { DEFAULT_ROOT_HISTORY_SIZE, IncrementalMerkleTree, MAX_ROOT_HISTORY_SIZE } from '../../core/merkle/incremental-merkle-tree.ts';
import { type MerkleProof, verifyMerkleProof } from '../../core/merkle/merkle-proof.ts';
import { expectInputError, HOSTILE_INPUTS, isFieldElement, isSafeUint, R } from '../hostile-inputs.ts';
import { flipLowBit, loadReferenceNodeHash, type NodeHash, ReferenceTree, testLeaves } from './_reference.ts';

const hostile = (keep: (v: unknown) => boolean) => HOSTILE_INPUTS.filter((h) => !keep(h.value)).map((h) => [h.name, h.value] as const);

let H: NodeHash;
beforeAll(async () => {
  H = await loadReferenceNodeHash();
});

/** Every way of breaking one part of a proof: each sibling, the leaf and the root, bit 0 flipped. */
function tamperedCopies(p: MerkleProof): [string, MerkleProof][] {
  const out: [string, MerkleProof][] = [
    ['leaf', { ...p, leaf: flipLowBit(p.leaf) }],
    ['root', { ...p, root: flipLowBit(p.root) }],
  ];
  for (let k = 0; k < p.depth; k++) {
    out.push([`siblings[${k}]`, { ...p, siblings: p.siblings.map((s, j) => (j === k ? flipLowBit(s) : s)) }]);
  }
  return out;
}

function expectTreeFull(fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(CanopyError);
  expect((thrown as CanopyError).code).toBe('TREE_FULL');
}

describe('IncrementalMerkleTree', () => {
  describe('constructor', () => {
    describe('when the depth is in [1, 32]', () => {
      it.each([1, 2, 5, 20, 32])('builds an empty tree of depth %i whose root is the reference empty root', (depth) => {
        const tree = new IncrementalMerkleTree(depth);
        const ref = new ReferenceTree(depth, H);
        expect(tree.size).toBe(0);
        expect(tree.depth).toBe(depth);
        expect(tree.capacity).toBe(2 ** depth);
        expect(tree.root).toBe(ref.zeros[depth]);
        expect(tree.rootHistorySize).toBe(DEFAULT_ROOT_HISTORY_SIZE);
        expect(tree.hasRoot(tree.root)).toBe(true);
      });
    });

    describe('when the depth is not an integer in [1, 32]', () => {
      it.each(hostile((v) => isSafeUint(v) && v >= 1 && v <= 32))('rejects %s', (_name, value) => {
        expectInputError(() => new IncrementalMerkleTree(value as number), 'depth');
      });
    });

    describe('when the options are malformed', () => {
      it('rejects a history size outside [1, 2^20] with a RangeError', () => {
        expectInputError(() => new IncrementalMerkleTree(4, { rootHistorySize: 0 }), 'options.rootHistorySize', 'range');
        expectInputError(() => new IncrementalMerkleTree(4, { rootHistorySize: MAX_ROOT_HISTORY_SIZE + 1 }), 'options.rootHistorySize', 'range');
      });

      it.each(hostile((v) => v === undefined || (isSafeUint(v) && v >= 1 && v <= MAX_ROOT_HISTORY_SIZE)))('rejects rootHistorySize %s', (_name, value) => {
        expectInputError(() => new IncrementalMerkleTree(4, { rootHistorySize: value as number }), 'options.rootHistorySize');
      });

      it.each(hostile((v) => v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v))))('rejects options %s', (_name, value) => {
        expectInputError(() => new IncrementalMerkleTree(4, value as object), 'options', 'type');
      });
    });
  });

  describe.each([1, 2, 3, 4])('when the depth is %i, at every size from 0 to 2^depth', (depth) => {
    const capacity = 2 ** depth;
    const leaves = testLeaves(capacity, BigInt(depth) * 100n);
    let tree: IncrementalMerkleTree;
    let ref: ReferenceTree;
    // rootAfter[s] and proofsAt[s][i]: what the tree reported when it held s leaves.
    const rootAfter: bigint[] = [];
    const proofsAt: MerkleProof[][] = [];

    beforeAll(() => {
      tree = new IncrementalMerkleTree(depth);
      ref = new ReferenceTree(depth, H);
      ref.leaves.push(...leaves);
      rootAfter.push(tree.root);
      proofsAt.push([]);
      for (let s = 1; s <= capacity; s++) {
        expect(tree.append(leaves[s - 1]!)).toBe(s - 1);
        rootAfter.push(tree.root);
        proofsAt.push(Array.from({ length: s }, (_, i) => tree.proof(i)));
      }
    });

    it('has the reference root at every size', () => {
      for (let s = 0; s <= capacity; s++) {
        expect(rootAfter[s], `root at size ${s} = ${rootAfter[s]}, want ${ref.root(s)}`).toBe(ref.root(s));
      }
    });

    it('gives every leaf, at every size, the reference siblings and the current root', () => {
      for (let s = 1; s <= capacity; s++) {
        for (let i = 0; i < s; i++) {
          const p = proofsAt[s]![i]!;
          expect(p, `proof(${i}) at size ${s}`).toEqual({ depth, leafIndex: i, leaf: leaves[i], siblings: ref.siblings(i, s), root: ref.root(s) });
        }
      }
    });

    it('gives proofs that verify', () => {
      for (let s = 1; s <= capacity; s++) {
        for (const p of proofsAt[s]!) expect(verifyMerkleProof(p), `verify proof(${p.leafIndex}) at size ${s}`).toBe(true);
      }
    });

    it('does not verify a proof if its leaf, its root or any sibling has a bit flipped', () => {
      for (let s = 1; s <= capacity; s++) {
        for (const p of proofsAt[s]!) {
          for (const [part, bad] of tamperedCopies(p)) {
            expect(verifyMerkleProof(bad), `proof(${p.leafIndex}) at size ${s} with ${part} flipped`).toBe(false);
          }
        }
      }
    });

    it('does not verify a proof if its index has any bit flipped', () => {
      for (let s = 1; s <= capacity; s++) {
        for (const p of proofsAt[s]!) {
          for (let k = 0; k < depth; k++) {
            const wrong = p.leafIndex ^ (1 << k);
            expect(verifyMerkleProof({ ...p, leafIndex: wrong }), `proof(${p.leafIndex}) at size ${s} checked at index ${wrong}`).toBe(false);
          }
        }
      }
    });

    it('rebuilds the root of every past size with rootAt', () => {
      for (let s = 0; s <= capacity; s++) expect(tree.rootAt(s), `rootAt(${s})`).toBe(rootAfter[s]);
    });

    it('gives rootAt(k) the root of a fresh tree of k leaves', () => {
      for (let k = 0; k <= capacity; k++) {
        const fresh = new IncrementalMerkleTree(depth);
        fresh.appendMany(leaves.slice(0, k));
        expect(tree.rootAt(k), `rootAt(${k})`).toBe(fresh.root);
      }
    });

    it('gives proof(i, s) the proof the tree gave at size s', () => {
      for (let s = 1; s <= capacity; s++) {
        for (let i = 0; i < s; i++) expect(tree.proof(i, s), `proof(${i}, ${s})`).toEqual(proofsAt[s]![i]);
      }
    });

    it('returns every leaf with leaf(i)', () => {
      for (let i = 0; i < capacity; i++) expect(tree.leaf(i)).toBe(leaves[i]);
    });

    it('throws TREE_FULL when full and stays unchanged', () => {
      const root = tree.root;
      expectTreeFull(() => tree.append(1n));
      expectTreeFull(() => tree.appendMany([1n]));
      expect(tree.size).toBe(capacity);
      expect(tree.root).toBe(root);
    });
  });

  describe.each([5, 6, 7, 8])('when the depth is %i', (depth) => {
    const capacity = 2 ** depth;
    const leaves = testLeaves(capacity, BigInt(depth) * 1000n);
    let tree: IncrementalMerkleTree;
    let ref: ReferenceTree;

    beforeAll(() => {
      tree = new IncrementalMerkleTree(depth);
      ref = new ReferenceTree(depth, H);
      ref.leaves.push(...leaves);
      // Uneven batches, so that batch edges fall at every alignment.
      for (let at = 0, n = 1; at < capacity; at += n, n += 2) tree.appendMany(leaves.slice(at, Math.min(at + n, capacity)));
    });

    it('rebuilds the reference root of every size with rootAt', () => {
      for (let s = 0; s <= capacity; s++) expect(tree.rootAt(s), `rootAt(${s})`).toBe(ref.root(s));
    });

    it('gives every leaf a verifying proof with the reference siblings when full', () => {
      for (let i = 0; i < capacity; i++) {
        const p = tree.proof(i);
        expect(p.siblings, `proof(${i}).siblings`).toEqual(ref.siblings(i));
        expect(verifyMerkleProof(p), `verify proof(${i})`).toBe(true);
      }
    });

    it('gives every leaf the reference proof at size 2^(depth-1) + 1', () => {
      const s = capacity / 2 + 1;
      for (let i = 0; i < s; i++) {
        expect(tree.proof(i, s), `proof(${i}, ${s})`).toEqual({ depth, leafIndex: i, leaf: leaves[i], siblings: ref.siblings(i, s), root: ref.root(s) });
      }
    });

    it('does not verify a proof of every 13th leaf if any part has a bit flipped', () => {
      for (let i = 0; i < capacity; i += 13) {
        for (const [part, bad] of tamperedCopies(tree.proof(i))) expect(verifyMerkleProof(bad), `proof(${i}) with ${part} flipped`).toBe(false);
      }
    });
  });

  describe('when the depth is 32 and the tree holds 300 leaves', () => {
    const leaves = testLeaves(301, 32_000n);
    let tree: IncrementalMerkleTree;
    let ref: ReferenceTree;

    beforeAll(() => {
      tree = new IncrementalMerkleTree(32);
      tree.appendMany(leaves.slice(0, 300));
      ref = new ReferenceTree(32, H);
      ref.leaves.push(...leaves.slice(0, 300));
    });

    it('has the root of the naive computation with zero subtrees', () => {
      expect(tree.size).toBe(300);
      expect(tree.root).toBe(ref.root());
    });

    it('rebuilds past roots with rootAt', () => {
      for (const s of [0, 1, 2, 3, 4, 5, 127, 128, 129, 255, 256, 257, 299]) expect(tree.rootAt(s), `rootAt(${s})`).toBe(ref.root(s));
    });

    it('gives leaves at subtree edges verifying proofs with the reference siblings', () => {
      for (const i of [0, 1, 2, 127, 128, 255, 256, 298, 299]) {
        const p = tree.proof(i);
        expect(p.siblings, `proof(${i}).siblings`).toEqual(ref.siblings(i));
        expect(verifyMerkleProof(p), `verify proof(${i})`).toBe(true);
      }
      const past = tree.proof(100, 129);
      expect(past.siblings).toEqual(ref.siblings(100, 129));
      expect(verifyMerkleProof(past)).toBe(true);
    });

    it('does not verify the last proof if any part has a bit flipped', () => {
      for (const [part, bad] of tamperedCopies(tree.proof(299))) expect(verifyMerkleProof(bad), `proof(299) with ${part} flipped`).toBe(false);
    });

    it('appends one more leaf with append to the reference root', () => {
      const copy = IncrementalMerkleTree.deserialize(tree.serialize());
      expect(copy.append(leaves[300]!)).toBe(300);
      ref.leaves.push(leaves[300]!);
      expect(copy.root).toBe(ref.root());
      expect(copy.rootAt(300)).toBe(tree.root);
    });
  });

  describe('append', () => {
    describe('when the tree has room', () => {
      it('returns consecutive indexes and records each root', () => {
        const tree = new IncrementalMerkleTree(3);
        const [a, b] = testLeaves(2);
        expect(tree.append(a!)).toBe(0);
        const first = tree.root;
        expect(tree.append(b!)).toBe(1);
        expect(tree.sizeOfRoot(first)).toBe(1);
        expect(tree.sizeOfRoot(tree.root)).toBe(2);
      });
    });

    describe('when the tree is full', () => {
      it('throws TREE_FULL at depth 1 after two leaves', () => {
        const tree = new IncrementalMerkleTree(1);
        tree.append(1n);
        tree.append(2n);
        expectTreeFull(() => tree.append(3n));
        expect(tree.size).toBe(2);
      });
    });

    describe('when the leaf is not a field element', () => {
      it.each(hostile(isFieldElement))('rejects %s and stays unchanged', (_name, value) => {
        const tree = new IncrementalMerkleTree(2);
        expectInputError(() => tree.append(value as bigint), 'leaf');
        expect(tree.size).toBe(0);
      });
    });
  });

  describe('appendMany', () => {
    describe('when compared with appending one leaf at a time', () => {
      it('gives the same root and leaves for 200 leaves at depth 10, in one batch or in uneven batches', () => {
        const leaves = testLeaves(200, 10_000n);
        const one = new IncrementalMerkleTree(10);
        const rootAfter = [one.root];
        for (const leaf of leaves) {
          one.append(leaf);
          rootAfter.push(one.root);
        }
        const all = new IncrementalMerkleTree(10);
        expect(all.appendMany(leaves)).toBe(0);
        expect(all.root, `appendMany root = ${all.root}, want ${one.root}`).toBe(one.root);

        const batched = new IncrementalMerkleTree(10);
        let at = 0;
        for (const n of [1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 57]) {
          expect(batched.appendMany(leaves.slice(at, at + n))).toBe(at);
          at += n;
          expect(batched.root, `root after ${at} leaves in batches`).toBe(rootAfter[at]);
        }
        expect(at).toBe(200);
        for (let i = 0; i < 200; i += 17) expect(batched.proof(i)).toEqual(one.proof(i));
      });
    });

    describe('when the batch is empty', () => {
      it('returns the size and changes nothing', () => {
        const tree = new IncrementalMerkleTree(3, { rootHistorySize: 1 });
        tree.appendMany([1n, 2n]);
        const root = tree.root;
        expect(tree.appendMany([])).toBe(2);
        expect(tree.root).toBe(root);
        expect(tree.sizeOfRoot(root)).toBe(2);
      });
    });

    describe('when the leaves do not fit', () => {
      it('throws TREE_FULL and appends none of them', () => {
        const tree = new IncrementalMerkleTree(2);
        tree.append(1n);
        const root = tree.root;
        expectTreeFull(() => tree.appendMany([2n, 3n, 4n, 5n]));
        expect(tree.size).toBe(1);
        expect(tree.root).toBe(root);
        expect(tree.appendMany([2n, 3n, 4n])).toBe(1);
        expect(tree.size).toBe(4);
      });
    });

    describe('when a leaf is malformed', () => {
      it.each(hostile(isFieldElement))('rejects %s in the middle of a batch and appends none', (_name, value) => {
        const tree = new IncrementalMerkleTree(3);
        expectInputError(() => tree.appendMany([1n, 2n, value as bigint, 4n]), 'leaves[2]');
        expect(tree.size).toBe(0);
      });

      it.each(hostile((v) => Array.isArray(v) && v.every(isFieldElement)))('rejects the batch %s', (_name, value) => {
        const tree = new IncrementalMerkleTree(3);
        expectInputError(() => tree.appendMany(value as bigint[]), Array.isArray(value) ? 'leaves[0]' : 'leaves');
        expect(tree.size).toBe(0);
      });
    });
  });

  describe('leaf, proof and rootAt', () => {
    const tree = new IncrementalMerkleTree(3);
    tree.appendMany([11n, 12n, 13n]);

    describe('when the index is at or past the size', () => {
      it('throws a RangeError', () => {
        expectInputError(() => tree.leaf(3), 'index', 'range');
        expectInputError(() => tree.proof(3), 'index', 'range');
        expectInputError(() => tree.proof(2, 2), 'index', 'range');
        expectInputError(() => tree.proof(0, 0), 'index', 'range');
        expectInputError(() => tree.proof(0, 4), 'atSize', 'range');
        expectInputError(() => tree.rootAt(4), 'size', 'range');
        expectInputError(() => new IncrementalMerkleTree(3).proof(0), 'index', 'range');
      });
    });

    describe('when an index is not a safe integer ≥ 0', () => {
      it.each(hostile(isSafeUint))('rejects %s', (_name, value) => {
        expectInputError(() => tree.leaf(value as number), 'index');
        expectInputError(() => tree.proof(value as number), 'index');
        // An undefined atSize is the default, the current size.
        if (value !== undefined) expectInputError(() => tree.proof(0, value as number), 'atSize');
        expectInputError(() => tree.rootAt(value as number), 'size');
      });
    });
  });

  describe('hasRoot and sizeOfRoot', () => {
    describe('when more roots were seen than the history holds', () => {
      it('remember exactly the last rootHistorySize roots', () => {
        const tree = new IncrementalMerkleTree(4, { rootHistorySize: 4 });
        const roots = [tree.root];
        for (const leaf of testLeaves(10, 44n)) {
          tree.append(leaf);
          roots.push(tree.root);
        }
        for (let s = 0; s <= 10; s++) {
          const want = s >= 7;
          expect(tree.hasRoot(roots[s]!), `hasRoot(root at size ${s})`).toBe(want);
          expect(tree.sizeOfRoot(roots[s]!)).toBe(want ? s : undefined);
        }
      });
    });

    describe('when leaves arrive in a batch', () => {
      it('remember the root before and after the batch but not in between', () => {
        const tree = new IncrementalMerkleTree(4);
        const empty = tree.root;
        tree.appendMany(testLeaves(5));
        expect(tree.hasRoot(empty)).toBe(true);
        expect(tree.hasRoot(tree.root)).toBe(true);
        expect(tree.hasRoot(tree.rootAt(3))).toBe(false);
      });
    });

    describe('when a zero leaf leaves the root unchanged', () => {
      it('report the latest size of a repeated root and evict it only when it is oldest', () => {
        const tree = new IncrementalMerkleTree(2, { rootHistorySize: 2 });
        const empty = tree.root;
        tree.append(0n);
        expect(tree.root).toBe(empty);
        expect(tree.sizeOfRoot(empty)).toBe(1);
        tree.append(5n);
        expect(tree.sizeOfRoot(empty)).toBe(1);
        tree.append(6n);
        expect(tree.hasRoot(empty)).toBe(false);
      });
    });

    describe('when the root is not a field element', () => {
      it('returns false for a field element the tree never had', () => {
        expect(new IncrementalMerkleTree(2).hasRoot(R - 1n)).toBe(false);
      });

      it.each(hostile(isFieldElement))('rejects %s', (_name, value) => {
        const tree = new IncrementalMerkleTree(2);
        expectInputError(() => tree.hasRoot(value as bigint), 'root');
        expectInputError(() => tree.sizeOfRoot(value as bigint), 'root');
      });
    });
  });
});
