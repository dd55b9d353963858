import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertMerkleProof,
  computeRoot,
  type MerkleProof,
  type MerkleProofJson,
  merkleProofFromJson,
  merkleProofToJson,
  pathIndices,
  verifyMerkleProof,
} from '../../core/merkle/merkle-proof.ts';
import { expectInputError, HOSTILE_INPUTS, isCanonicalFieldString, isFieldElement, isSafeUint, R } from '../hostile-inputs.ts';
import { flipLowBit, loadReferenceNodeHash, type NodeHash, ReferenceTree, testLeaves } from './_reference.ts';

const hostile = (keep: (v: unknown) => boolean) => HOSTILE_INPUTS.filter((h) => !keep(h.value)).map((h) => [h.name, h.value] as const);

const isRecord = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The field an error names when a whole proof is replaced by `v`: non-objects fail as
 * "proof"; objects reach the first field check, unless (for JSON) they carry unknown keys.
 */
function titleForProof(v: unknown, strictKeys: boolean): string {
  if (!isRecord(v)) return 'proof';
  return strictKeys && Object.keys(v).length > 0 ? 'proof' : 'proof.depth';
}

/** The field an error names when the depth of a depth-3 proof of leaf 2 is replaced by `v`. */
function titleForDepth(v: unknown): string {
  if (!(isSafeUint(v) && v >= 1 && v <= 32)) return 'proof.depth';
  // A valid but different depth: leaf index 2 may not fit, else the sibling count is wrong.
  return 2 >= 2 ** v ? 'proof.leafIndex' : 'proof.siblings';
}

let H: NodeHash;
beforeAll(async () => {
  H = await loadReferenceNodeHash();
});

const proofCache = new Map<string, MerkleProof>();

/** A correct proof (a fresh copy) of leaf `index` in a reference tree of `n` leaves and depth `depth`. */
function referenceProof(depth: number, n: number, index: number): MerkleProof {
  const key = `${depth}/${n}/${index}`;
  let p = proofCache.get(key);
  if (p === undefined) {
    const tree = new ReferenceTree(depth, H);
    tree.leaves.push(...testLeaves(n, 1000n + BigInt(depth)));
    p = { depth, leafIndex: index, leaf: tree.leaves[index]!, siblings: tree.siblings(index), root: tree.root() };
    proofCache.set(key, p);
  }
  return { ...p, siblings: [...p.siblings] };
}

describe('pathIndices', () => {
  describe('when given an index and a depth', () => {
    it('returns the bits of the index, leaf level first', () => {
      expect(pathIndices(6, 4)).toEqual([0, 1, 1, 0]);
      expect(pathIndices(0, 1)).toEqual([0]);
      expect(pathIndices(1, 1)).toEqual([1]);
      expect(pathIndices(2, 2)).toEqual([0, 1]);
      expect(pathIndices(0, 32)).toEqual(Array(32).fill(0));
      expect(pathIndices(2 ** 32 - 1, 32)).toEqual(Array(32).fill(1));
      expect(pathIndices(2 ** 31, 32)).toEqual([...Array(31).fill(0), 1]);
    });

    it('reassembles to the index for every index of depth 6', () => {
      for (let i = 0; i < 64; i++) {
        const bits = pathIndices(i, 6);
        expect(bits.reduce<number>((acc, b, k) => acc + b * 2 ** k, 0)).toBe(i);
      }
    });
  });

  describe('when the index does not fit the depth', () => {
    it('rejects 2^depth with a RangeError', () => {
      expectInputError(() => pathIndices(16, 4), 'leafIndex', 'range');
      expectInputError(() => pathIndices(2 ** 32, 32), 'leafIndex', 'range');
    });

    it.each(hostile(isSafeUint))('rejects the index %s', (_name, value) => {
      expectInputError(() => pathIndices(value as number, 4), 'leafIndex');
    });

    it.each(hostile((v) => isSafeUint(v) && v >= 1 && v <= 32))('rejects the depth %s', (_name, value) => {
      expectInputError(() => pathIndices(0, value as number), 'depth');
    });
  });
});

describe('computeRoot', () => {
  describe('when the depth is 1', () => {
    it('hashes a left leaf as H(leaf, sibling) and a right leaf as H(sibling, leaf)', () => {
      const [leaf, sibling] = testLeaves(2) as [bigint, bigint];
      expect(computeRoot(leaf, 0, [sibling])).toBe(H(leaf, sibling));
      expect(computeRoot(leaf, 1, [sibling])).toBe(H(sibling, leaf));
    });
  });

  describe('when the depth is 2 and the leaf index is 2 (the module doc example)', () => {
    it('computes node(n0, node(L2, L3))', () => {
      const [n0, l2, l3] = testLeaves(3, 9n) as [bigint, bigint, bigint];
      expect(computeRoot(l2, 2, [l3, n0])).toBe(H(n0, H(l2, l3)));
    });
  });

  describe('when the proof comes from a reference tree', () => {
    it('reaches the reference root for every leaf of a depth-3 tree of 6 leaves', () => {
      for (let i = 0; i < 6; i++) {
        const p = referenceProof(3, 6, i);
        expect(computeRoot(p.leaf, p.leafIndex, p.siblings)).toBe(p.root);
      }
    });
  });

  describe('when an argument is malformed', () => {
    it('rejects an empty or 33-long sibling list with a RangeError', () => {
      expectInputError(() => computeRoot(1n, 0, []), 'siblings', 'range');
      expectInputError(() => computeRoot(1n, 0, Array(33).fill(0n)), 'siblings', 'range');
    });

    it('rejects an index ≥ 2^siblings.length with a RangeError', () => {
      expectInputError(() => computeRoot(1n, 4, [0n, 0n]), 'leafIndex', 'range');
    });

    it.each(hostile(isFieldElement))('rejects the leaf %s', (_name, value) => {
      expectInputError(() => computeRoot(value as bigint, 0, [0n]), 'leaf');
    });

    it.each(hostile(isFieldElement))('rejects the sibling %s', (_name, value) => {
      expectInputError(() => computeRoot(1n, 0, [0n, value as bigint]), 'siblings[1]');
    });

    it.each(hostile(isSafeUint))('rejects the index %s', (_name, value) => {
      expectInputError(() => computeRoot(1n, value as number, [0n, 0n]), 'leafIndex');
    });

    it.each(hostile((v) => Array.isArray(v) && v.length >= 1 && v.every(isFieldElement)))('rejects the siblings %s', (_name, value) => {
      expectInputError(() => computeRoot(1n, 0, value as bigint[]), Array.isArray(value) && value.length > 0 ? 'siblings[0]' : 'siblings');
    });
  });
});

describe('verifyMerkleProof', () => {
  describe('when the proof is correct', () => {
    it('returns true for every leaf of a depth-3 tree of 5 leaves', () => {
      for (let i = 0; i < 5; i++) expect(verifyMerkleProof(referenceProof(3, 5, i))).toBe(true);
    });
  });

  describe('when one part of the proof is changed', () => {
    const mutations: [string, (p: MerkleProof) => MerkleProof][] = [
      ['the leaf', (p) => ({ ...p, leaf: flipLowBit(p.leaf) })],
      ['the root', (p) => ({ ...p, root: flipLowBit(p.root) })],
      ['sibling 0', (p) => ({ ...p, siblings: p.siblings.map((s, k) => (k === 0 ? flipLowBit(s) : s)) })],
      ['sibling 2', (p) => ({ ...p, siblings: p.siblings.map((s, k) => (k === 2 ? flipLowBit(s) : s)) })],
      ['the index (bit 0)', (p) => ({ ...p, leafIndex: p.leafIndex ^ 1 })],
      ['the index (bit 2)', (p) => ({ ...p, leafIndex: p.leafIndex ^ 4 })],
      ['the sibling order', (p) => ({ ...p, siblings: [...p.siblings].reverse() })],
    ];

    it.each(mutations)('returns false if %s differs', (_name, mutate) => {
      const p = referenceProof(3, 5, 2);
      expect(verifyMerkleProof(p)).toBe(true);
      expect(verifyMerkleProof(mutate(p))).toBe(false);
    });
  });

  describe('when the proof is malformed', () => {
    it('throws a RangeError for a sibling count other than depth', () => {
      const p = referenceProof(3, 5, 2);
      expectInputError(() => verifyMerkleProof({ ...p, siblings: p.siblings.slice(0, 2) }), 'proof.siblings', 'range');
      expectInputError(() => verifyMerkleProof({ ...p, siblings: [...p.siblings, 0n] }), 'proof.siblings', 'range');
    });

    it('throws a RangeError for a leaf index ≥ 2^depth', () => {
      expectInputError(() => verifyMerkleProof({ ...referenceProof(3, 5, 2), leafIndex: 8 }), 'proof.leafIndex', 'range');
    });

    it('throws a TypeError for a sparse sibling list', () => {
      const p = referenceProof(3, 5, 2);
      expectInputError(() => verifyMerkleProof({ ...p, siblings: new Array(3) }), 'proof.siblings[0]', 'type');
    });

    it.each(hostile(() => false))('throws for the proof %s', (_name, value) => {
      expectInputError(() => verifyMerkleProof(value as MerkleProof), titleForProof(value, false));
      expectInputError(() => assertMerkleProof(value, 'proof'), titleForProof(value, false));
    });

    const fields: [keyof MerkleProof, (v: unknown) => boolean][] = [
      ['depth', (v) => isSafeUint(v) && v === 3],
      ['leafIndex', (v) => isSafeUint(v) && v < 8],
      ['leaf', isFieldElement],
      ['root', isFieldElement],
    ];
    for (const [field, valid] of fields) {
      it.each(hostile(valid))(`throws for proof.${field} = %s`, (_name, value) => {
        const p = { ...referenceProof(3, 5, 2), [field]: value } as MerkleProof;
        expectInputError(() => verifyMerkleProof(p), field === 'depth' ? titleForDepth(value) : `proof.${field}`);
      });
    }
  });

  describe('when the leaf is the empty leaf 0 at an index at or past the size', () => {
    it('returns true, which is why callers must never treat leaf 0 as a member', () => {
      const tree = new ReferenceTree(3, H);
      tree.leaves.push(...testLeaves(5, 3n));
      for (const i of [5, 6, 7]) {
        expect(verifyMerkleProof({ depth: 3, leafIndex: i, leaf: 0n, siblings: tree.siblings(i), root: tree.root() })).toBe(true);
      }
    });
  });
});

describe('merkleProofToJson', () => {
  describe('when given a proof', () => {
    it('writes depth and leafIndex as numbers and field elements as decimal strings', () => {
      const p: MerkleProof = { depth: 2, leafIndex: 2, leaf: 5n, siblings: [0n, R - 1n], root: 7n };
      expect(JSON.stringify(merkleProofToJson(p))).toBe(
        `{"depth":2,"leafIndex":2,"leaf":"5","siblings":["0","${R - 1n}"],"root":"7"}`,
      );
    });

    it('round-trips through merkleProofFromJson and JSON text', () => {
      const p = referenceProof(4, 11, 9);
      const back = merkleProofFromJson(JSON.parse(JSON.stringify(merkleProofToJson(p))));
      expect(back).toEqual(p);
      expect(verifyMerkleProof(back)).toBe(true);
    });
  });

  describe('when the proof is malformed', () => {
    it('throws as verifyMerkleProof does', () => {
      const p = referenceProof(3, 5, 2);
      expectInputError(() => merkleProofToJson({ ...p, siblings: [] }), 'proof.siblings', 'range');
      expectInputError(() => merkleProofToJson({ ...p, root: R }), 'proof.root', 'range');
    });
  });
});

describe('merkleProofFromJson', () => {
  const good = (): MerkleProofJson => merkleProofToJson(referenceProof(3, 5, 2));

  describe('when the JSON is canonical', () => {
    it('parses it', () => {
      const p = merkleProofFromJson(good());
      expect(verifyMerkleProof(p)).toBe(true);
    });
  });

  describe('when the shape is wrong', () => {
    it('rejects an unknown key with a TypeError', () => {
      expectInputError(() => merkleProofFromJson({ ...good(), extra: 1 }), 'proof', 'type');
    });

    it.each(['depth', 'leafIndex', 'leaf', 'siblings', 'root'])('rejects a missing %s', (key) => {
      const j: Record<string, unknown> = { ...good() };
      delete j[key];
      expectInputError(() => merkleProofFromJson(j), `proof.${key}`);
    });

    it('rejects a wrong sibling count with a RangeError', () => {
      const j = good();
      expectInputError(() => merkleProofFromJson({ ...j, siblings: j.siblings.slice(1) }), 'proof.siblings', 'range');
      expectInputError(() => merkleProofFromJson({ ...j, siblings: [...j.siblings, '0'] }), 'proof.siblings', 'range');
    });

    it('rejects leafIndex ≥ 2^depth with a RangeError', () => {
      expectInputError(() => merkleProofFromJson({ ...good(), leafIndex: 8 }), 'proof.leafIndex', 'range');
    });

    it.each(hostile(() => false))('rejects the document %s', (_name, value) => {
      expectInputError(() => merkleProofFromJson(value), titleForProof(value, true));
    });
  });

  describe('when a value is not canonical', () => {
    it.each(hostile((v) => isSafeUint(v) && v === 3))('rejects depth %s', (_name, value) => {
      expectInputError(() => merkleProofFromJson({ ...good(), depth: value }), titleForDepth(value));
    });

    it.each(hostile((v) => isSafeUint(v) && v < 8))('rejects leafIndex %s', (_name, value) => {
      expectInputError(() => merkleProofFromJson({ ...good(), leafIndex: value }), 'proof.leafIndex');
    });

    it.each(hostile(isCanonicalFieldString))('rejects leaf %s', (_name, value) => {
      expectInputError(() => merkleProofFromJson({ ...good(), leaf: value }), 'proof.leaf');
    });

    it.each(hostile(isCanonicalFieldString))('rejects root %s', (_name, value) => {
      expectInputError(() => merkleProofFromJson({ ...good(), root: value }), 'proof.root');
    });

    it.each(hostile(isCanonicalFieldString))('rejects sibling 1 = %s', (_name, value) => {
      const j = good();
      expectInputError(() => merkleProofFromJson({ ...j, siblings: [j.siblings[0], value, j.siblings[2]] }), 'proof.siblings[1]');
    });
  });
});
