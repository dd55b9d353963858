import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { IncrementalMerkleTree, MAX_JSON_LEAVES } from '../../core/merkle/incremental-merkle-tree.ts';
import { expectInputError, HOSTILE_INPUTS, isBytes, isCanonicalFieldString, isSafeUint, R } from '../hostile-inputs.ts';
import { loadReferenceNodeHash, testLeaves } from './_reference.ts';

const hostile = (keep: (v: unknown) => boolean) => HOSTILE_INPUTS.filter((h) => !keep(h.value)).map((h) => [h.name, h.value] as const);

/** A tree of `size` test leaves. */
function treeOf(depth: number, size: number): IncrementalMerkleTree {
  const tree = new IncrementalMerkleTree(depth);
  tree.appendMany(testLeaves(size, 500n + BigInt(depth)));
  return tree;
}

/** 32 big-endian bytes of a field element, written independently of the code under test. */
function be32(v: bigint): Buffer {
  return Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
}

/** Rewrites the trailing SHA-256 so that only the structural checks can catch a change. */
function reseal(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  const body = out.length - 32;
  out.set(createHash('sha256').update(out.subarray(0, body)).digest(), body);
  return out;
}

function expectCanopyError(fn: () => unknown, code: string, pattern: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(CanopyError);
  expect((thrown as CanopyError).code).toBe(code);
  expect((thrown as CanopyError).message).toMatch(pattern);
}

describe('IncrementalMerkleTree.serialize', () => {
  describe('when the tree has depth 2 and 3 leaves', () => {
    it('writes the header, the nodes level by level and a SHA-256, as the module doc draws', async () => {
      const H = await loadReferenceNodeHash();
      const tree = treeOf(2, 3);
      const [l0, l1, l2] = [tree.leaf(0), tree.leaf(1), tree.leaf(2)];
      const n0 = H(l0, l1);
      const n1 = H(l2, 0n); // partial: leaf 3 is empty
      const root = H(n0, n1);
      const header = Buffer.from([0x43, 0x49, 0x4d, 0x54, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]);
      const body = Buffer.concat([header, be32(l0), be32(l1), be32(l2), be32(n0), be32(n1), be32(root)]);
      const want = Buffer.concat([body, createHash('sha256').update(body).digest()]);
      const got = tree.serialize();
      expect(Buffer.from(got).toString('hex')).toBe(want.toString('hex'));
      expect(got.length).toBe(16 + 32 * (3 + 2 + 1) + 32);
    });
  });

  describe('when the tree is empty', () => {
    it('writes the header and the checksum only', () => {
      const got = new IncrementalMerkleTree(32).serialize();
      expect(got.length).toBe(48);
      expect(Buffer.from(got.subarray(0, 16)).toString('hex')).toBe('43494d54012000000000000000000000');
    });
  });
});

describe('IncrementalMerkleTree.deserialize', () => {
  describe('when given serialize output', () => {
    it.each([1, 2, 3, 4])('restores every size of depth %i: root, leaves, proofs, bytes, and further appends', (depth) => {
      const extra = testLeaves(2 ** depth, 9n);
      for (let size = 0; size <= 2 ** depth; size++) {
        const tree = treeOf(depth, size);
        const bytes = tree.serialize();
        const back = IncrementalMerkleTree.deserialize(bytes);
        expect(back.depth).toBe(depth);
        expect(back.size).toBe(size);
        expect(back.root, `root after restoring size ${size}`).toBe(tree.root);
        expect(back.serialize()).toEqual(bytes);
        for (let i = 0; i < size; i++) expect(back.proof(i)).toEqual(tree.proof(i));
        if (size > 0) expect(back.rootAt(size - 1)).toBe(tree.rootAt(size - 1));
        const room = 2 ** depth - size;
        if (room > 0) {
          tree.appendMany(extra.slice(0, room));
          back.appendMany(extra.slice(0, room));
          expect(back.root, `root after restoring size ${size} and filling`).toBe(tree.root);
        }
      }
    });

    it('restarts the root history with the restored root', () => {
      const tree = treeOf(3, 5);
      const earlier = tree.rootAt(4);
      tree.append(7n);
      const back = IncrementalMerkleTree.deserialize(tree.serialize(), { rootHistorySize: 8 });
      expect(back.rootHistorySize).toBe(8);
      expect(back.hasRoot(back.root)).toBe(true);
      expect(back.sizeOfRoot(back.root)).toBe(6);
      expect(back.hasRoot(earlier)).toBe(false);
    });

    it('accepts a Buffer view into a larger allocation', () => {
      const tree = treeOf(3, 5);
      const bytes = tree.serialize();
      const pool = Buffer.alloc(bytes.length + 10);
      pool.set(bytes, 7);
      expect(IncrementalMerkleTree.deserialize(pool.subarray(7, 7 + bytes.length)).root).toBe(tree.root);
    });
  });

  describe('when the bytes are corrupted', () => {
    const tree = treeOf(3, 5);
    const bytes = tree.serialize();

    it('rejects every single-bit flip anywhere in the bytes', () => {
      for (let at = 0; at < bytes.length; at++) {
        for (let bit = 0; bit < 8; bit++) {
          const bad = Uint8Array.from(bytes);
          bad[at]! ^= 1 << bit;
          expect(() => IncrementalMerkleTree.deserialize(bad), `byte ${at} bit ${bit} flipped`).toThrow();
        }
      }
    });

    it('rejects every truncation with a RangeError naming "bytes"', () => {
      for (let n = 0; n < bytes.length; n++) expectInputError(() => IncrementalMerkleTree.deserialize(bytes.subarray(0, n)), 'bytes', 'range');
    });

    it('rejects trailing bytes with a RangeError naming "bytes"', () => {
      for (const extra of [1, 31, 32, 33]) {
        const long = new Uint8Array(bytes.length + extra);
        long.set(bytes);
        expectInputError(() => IncrementalMerkleTree.deserialize(long), 'bytes', 'range');
        expectInputError(() => IncrementalMerkleTree.deserialize(reseal(long)), 'bytes', 'range');
      }
    });

    it('rejects a changed checksum', () => {
      const bad = Uint8Array.from(bytes);
      bad[bad.length - 1]! ^= 0x80;
      expectCanopyError(() => IncrementalMerkleTree.deserialize(bad), 'INVALID_INPUT', /checksum/);
    });
  });

  describe('when the header is wrong', () => {
    const bytes = treeOf(3, 5).serialize();
    const withHeader = (at: number, values: number[]) => {
      const bad = Uint8Array.from(bytes);
      bad.set(values, at);
      return reseal(bad);
    };

    it('rejects another magic', () => {
      expectCanopyError(() => IncrementalMerkleTree.deserialize(withHeader(0, [0x43, 0x49, 0x4d, 0x55])), 'INVALID_INPUT', /magic/);
    });

    it('rejects version 0 and 2', () => {
      expectCanopyError(() => IncrementalMerkleTree.deserialize(withHeader(4, [2])), 'INVALID_INPUT', /version 2/);
      expectCanopyError(() => IncrementalMerkleTree.deserialize(withHeader(4, [0])), 'INVALID_INPUT', /version 0/);
    });

    it('rejects depth 0 and 33 with a RangeError', () => {
      expectInputError(() => IncrementalMerkleTree.deserialize(withHeader(5, [0])), 'depth', 'range');
      expectInputError(() => IncrementalMerkleTree.deserialize(withHeader(5, [33])), 'depth', 'range');
    });

    it('rejects a nonzero reserved field', () => {
      expectCanopyError(() => IncrementalMerkleTree.deserialize(withHeader(7, [1])), 'INVALID_INPUT', /reserved/);
    });

    it('rejects a size above 2^depth with a RangeError, before reading nodes', () => {
      expectInputError(() => IncrementalMerkleTree.deserialize(withHeader(15, [9])), 'size', 'range');
      expectInputError(() => IncrementalMerkleTree.deserialize(withHeader(8, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), 'size', 'range');
    });

    it('rejects a size the length does not match with a RangeError', () => {
      expectInputError(() => IncrementalMerkleTree.deserialize(withHeader(15, [4])), 'bytes', 'range');
      expectInputError(() => IncrementalMerkleTree.deserialize(withHeader(15, [6])), 'bytes', 'range');
    });
  });

  describe('when the nodes are wrong but the checksum is resealed', () => {
    const tree = treeOf(3, 5);
    const bytes = tree.serialize();
    // Nodes start at 16; level 0 holds 5 nodes, level 1 three, level 2 two, level 3 one.
    const nodeOffset = (level: number, j: number) => 16 + 32 * ([0, 5, 8, 10][level]! + j);
    const withNode = (level: number, j: number, value: bigint) => {
      const bad = Uint8Array.from(bytes);
      bad.set(be32(value), nodeOffset(level, j));
      return reseal(bad);
    };

    it('rejects an element equal to r or 2^256 − 1 with a RangeError naming it', () => {
      expectInputError(() => IncrementalMerkleTree.deserialize(withNode(0, 2, R)), 'level 0 node 2', 'range');
      expectInputError(() => IncrementalMerkleTree.deserialize(withNode(2, 1, (1n << 256n) - 1n)), 'level 2 node 1', 'range');
    });

    it('rejects a changed node on the right edge: the last leaf, a partial node, the root', () => {
      expectCanopyError(() => IncrementalMerkleTree.deserialize(withNode(0, 4, R - 1n)), 'INVALID_INPUT', /node 2 of level 1 /);
      expectCanopyError(() => IncrementalMerkleTree.deserialize(withNode(1, 2, 1n)), 'INVALID_INPUT', /node 2 of level 1 /);
      expectCanopyError(() => IncrementalMerkleTree.deserialize(withNode(2, 1, 1n)), 'INVALID_INPUT', /node 1 of level 2 /);
      expectCanopyError(() => IncrementalMerkleTree.deserialize(withNode(3, 0, 1n)), 'INVALID_INPUT', /node 0 of level 3 /);
    });

    it('rehashes only the right edge by default, and every node with fullCheck', () => {
      // Leaf 0 lies under complete nodes only: the default check trusts them (see the module doc).
      const bad = withNode(0, 0, 1n);
      expect(IncrementalMerkleTree.deserialize(bad).leaf(0)).toBe(1n);
      expectCanopyError(() => IncrementalMerkleTree.deserialize(bad, { fullCheck: true }), 'INVALID_INPUT', /node 0 of level 1/);
      expect(IncrementalMerkleTree.deserialize(bytes, { fullCheck: true }).root).toBe(tree.root);
    });
  });

  describe('when the argument is not a Uint8Array', () => {
    it.each(hostile(isBytes))('rejects %s with a TypeError', (_name, value) => {
      expectInputError(() => IncrementalMerkleTree.deserialize(value as Uint8Array), 'bytes', 'type');
    });

    it.each(hostile((v) => v === undefined || typeof v === 'boolean'))('rejects the fullCheck option %s', (_name, value) => {
      const bytes = treeOf(1, 1).serialize();
      expectInputError(() => IncrementalMerkleTree.deserialize(bytes, { fullCheck: value as boolean }), 'options.fullCheck', 'type');
    });
  });
});

describe('IncrementalMerkleTree.toJSON and fromJSON', () => {
  describe('when the tree is small', () => {
    it('writes depth and decimal leaves, and rebuilds the same tree', () => {
      const tree = new IncrementalMerkleTree(4);
      tree.appendMany([1n, 2n, R - 1n]);
      const text = JSON.stringify(tree);
      expect(text).toBe(`{"depth":4,"leaves":["1","2","${R - 1n}"]}`);
      const back = IncrementalMerkleTree.fromJSON(JSON.parse(text));
      expect(back.root).toBe(tree.root);
      expect(back.size).toBe(3);
    });

    it('round-trips the empty tree', () => {
      const back = IncrementalMerkleTree.fromJSON(JSON.parse(JSON.stringify(new IncrementalMerkleTree(5))));
      expect(back.size).toBe(0);
      expect(back.root).toBe(new IncrementalMerkleTree(5).root);
    });
  });

  describe('when the JSON is malformed', () => {
    it('rejects an unknown key with a TypeError', () => {
      expectInputError(() => IncrementalMerkleTree.fromJSON({ depth: 2, leaves: [], extra: 0 }), 'tree', 'type');
    });

    it('rejects more leaves than fit with TREE_FULL', () => {
      expectCanopyError(() => IncrementalMerkleTree.fromJSON({ depth: 1, leaves: ['1', '2', '3'] }), 'TREE_FULL', /at most 2 leaves/);
    });

    it('rejects more than MAX_JSON_LEAVES leaves with a RangeError before parsing them', () => {
      expectInputError(() => IncrementalMerkleTree.fromJSON({ depth: 20, leaves: Array(MAX_JSON_LEAVES + 1).fill('x') }), 'tree.leaves', 'range');
    });

    it.each(hostile(isCanonicalFieldString))('rejects the leaf %s', (_name, value) => {
      expectInputError(() => IncrementalMerkleTree.fromJSON({ depth: 2, leaves: ['1', value] }), 'tree.leaves[1]');
    });

    it.each(hostile((v) => isSafeUint(v) && v >= 1 && v <= 32))('rejects the depth %s', (_name, value) => {
      expectInputError(() => IncrementalMerkleTree.fromJSON({ depth: value, leaves: [] }), 'tree.depth');
    });

    it.each(hostile(() => false))('rejects the document %s', (_name, value) => {
      // Objects without own keys get as far as the depth check; anything else fails as "tree".
      const bare = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
      expectInputError(() => IncrementalMerkleTree.fromJSON(value), bare ? 'tree.depth' : 'tree');
    });
  });
});
