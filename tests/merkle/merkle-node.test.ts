import { beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN_TAGS } from '../../core/domain.ts';
import { assertMerkleDepth, MERKLE_MAX_DEPTH, MERKLE_ZERO_LEAF, merkleNode } from '../../core/merkle/merkle-node.ts';
import { expectInputError, HOSTILE_INPUTS, isFieldElement, isSafeUint, R } from '../hostile-inputs.ts';
import { loadReferenceNodeHash, MERKLE_NODE_TAG, type NodeHash, testLeaves } from './_reference.ts';

describe('merkleNode', () => {
  let reference: NodeHash;
  beforeAll(async () => {
    reference = await loadReferenceNodeHash();
  });

  describe('when compared with circomlibjs Poseidon(TAG_MERKLE_NODE, left, right)', () => {
    it('uses the tag of "canopy/merkle-node"', () => {
      expect(DOMAIN_TAGS.MERKLE_NODE).toBe(MERKLE_NODE_TAG);
    });

    it('agrees on random children, zero children and r − 1', () => {
      const [a, b] = testLeaves(2, 77n) as [bigint, bigint];
      for (const [l, r] of [[a, b], [b, a], [0n, 0n], [0n, a], [R - 1n, R - 1n], [R - 1n, 0n]] as [bigint, bigint][]) {
        const want = reference(l, r);
        const got = merkleNode(l, r);
        expect(got, `merkleNode(${l}, ${r}) = ${got}, want ${want}`).toBe(want);
      }
    });

    it('is not symmetric: the child order matters', () => {
      const [a, b] = testLeaves(2, 5n) as [bigint, bigint];
      expect(merkleNode(a, b)).not.toBe(merkleNode(b, a));
    });
  });

  describe('when a child is not a field element', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !isFieldElement(h.value)).map((h) => [h.name, h.value] as const))('rejects %s in either position', (_name, value) => {
      expectInputError(() => merkleNode(value as bigint, 1n), 'left');
      expectInputError(() => merkleNode(1n, value as bigint), 'right');
    });
  });
});

describe('MERKLE_ZERO_LEAF', () => {
  it('is 0', () => {
    expect(MERKLE_ZERO_LEAF).toBe(0n);
  });
});

describe('assertMerkleDepth', () => {
  describe('when the depth is in [1, 32]', () => {
    it('accepts 1 and 32', () => {
      expect(MERKLE_MAX_DEPTH).toBe(32);
      expect(() => assertMerkleDepth(1, 'depth')).not.toThrow();
      expect(() => assertMerkleDepth(32, 'depth')).not.toThrow();
    });
  });

  describe('when the depth is outside [1, 32] or not an integer', () => {
    it('rejects 0 and 33 with a RangeError', () => {
      expectInputError(() => assertMerkleDepth(0, 'depth'), 'depth', 'range');
      expectInputError(() => assertMerkleDepth(33, 'depth'), 'depth', 'range');
    });

    it.each(HOSTILE_INPUTS.filter((h) => !(isSafeUint(h.value) && h.value >= 1 && h.value <= 32)).map((h) => [h.name, h.value] as const))('rejects %s', (_name, value) => {
      expectInputError(() => assertMerkleDepth(value, 'depth'), 'depth');
    });
  });
});
