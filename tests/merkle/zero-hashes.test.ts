import { beforeAll, describe, expect, it } from 'vitest';
import { zeroHashes } from '../../core/merkle/zero-hashes.ts';
import { expectInputError, HOSTILE_INPUTS, isSafeUint } from '../hostile-inputs.ts';
import { loadReferenceNodeHash, type NodeHash } from './_reference.ts';

describe('zeroHashes', () => {
  let reference: NodeHash;
  beforeAll(async () => {
    reference = await loadReferenceNodeHash();
  });

  describe('when depth is 0', () => {
    it('is [0n], the empty leaf alone', () => {
      expect(zeroHashes(0)).toEqual([0n]);
    });
  });

  describe('when depth is 32', () => {
    it('has 33 entries, each the circomlibjs hash of the previous one with itself', () => {
      const z = zeroHashes(32);
      expect(z.length).toBe(33);
      let want = 0n;
      for (let i = 0; i <= 32; i++) {
        expect(z[i], `zeroHashes(32)[${i}] = ${z[i]}, want ${want}`).toBe(want);
        want = reference(want, want);
      }
    });
  });

  describe('when called for several depths', () => {
    it('returns depth + 1 entries, each a prefix of the deepest', () => {
      const deepest = zeroHashes(32);
      for (let d = 0; d <= 32; d++) expect(zeroHashes(d)).toEqual(deepest.slice(0, d + 1));
    });

    it('returns the same frozen array for the same depth', () => {
      expect(zeroHashes(7)).toBe(zeroHashes(7));
      expect(Object.isFrozen(zeroHashes(7))).toBe(true);
      expect(() => {
        (zeroHashes(7) as bigint[])[0] = 1n;
      }).toThrow(TypeError);
      expect(zeroHashes(7)[0]).toBe(0n);
    });
  });

  describe('when depth is not an integer in [0, 32]', () => {
    it('rejects 33 and -1 with a RangeError', () => {
      expectInputError(() => zeroHashes(33), 'depth', 'range');
      expectInputError(() => zeroHashes(-1), 'depth', 'range');
    });

    it.each(HOSTILE_INPUTS.filter((h) => !(isSafeUint(h.value) && h.value <= 32)).map((h) => [h.name, h.value] as const))('rejects %s', (_name, value) => {
      expectInputError(() => zeroHashes(value as number), 'depth');
    });
  });
});
