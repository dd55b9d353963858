import { describe, expect, it } from 'vitest';
import { MORTON_MAX_COORD, mortonDecode, mortonEncode } from '../../core/raster/morton.ts';
import { expectInputError, HOSTILE_INPUTS } from '../hostile-inputs.ts';
import { referenceMorton } from './_reference.ts';

describe('mortonEncode', () => {
  describe('when given the 4 × 4 tiles of the module doc', () => {
    it('puts tileX in the even bits and tileY in the odd bits', () => {
      const table = [
        [0, 1, 4, 5],
        [2, 3, 6, 7],
        [8, 9, 12, 13],
        [10, 11, 14, 15],
      ];
      for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) expect(mortonEncode(x, y), `mortonEncode(${x}, ${y})`).toBe(table[y]![x]);
    });
  });

  describe('when given coordinates up to 2^16 − 1', () => {
    it('matches a bit-by-bit interleave and stays below 2^32', () => {
      const coords = [0, 1, 2, 3, 255, 256, 1000, 32767, 32768, 40000, MORTON_MAX_COORD];
      for (const x of coords) {
        for (const y of coords) {
          const got = mortonEncode(x, y);
          expect(got, `mortonEncode(${x}, ${y})`).toBe(referenceMorton(x, y));
          expect(got).toBeLessThan(2 ** 32);
          expect(got).toBeGreaterThanOrEqual(0);
        }
      }
      expect(mortonEncode(MORTON_MAX_COORD, MORTON_MAX_COORD)).toBe(2 ** 32 - 1);
    });
  });

  describe('when an aligned block of 2^k × 2^k tiles is enumerated', () => {
    it('holds exactly the indexes [b·4^k, (b+1)·4^k) with b = mortonEncode(x >> k, y >> k): one subtree of height 2k', () => {
      for (const k of [0, 1, 2, 3]) {
        const span = 2 ** k;
        for (const [bx, by] of [
          [0, 0],
          [1, 0],
          [0, 1],
          [3, 2],
          [5, 7],
        ] as const) {
          const b = mortonEncode(bx, by);
          const got: number[] = [];
          for (let y = by * span; y < (by + 1) * span; y++) for (let x = bx * span; x < (bx + 1) * span; x++) got.push(mortonEncode(x, y));
          got.sort((a, c) => a - c);
          const want = Array.from({ length: span * span }, (_, i) => b * span * span + i);
          expect(got, `block (${bx}, ${by}) k=${k}`).toEqual(want);
        }
      }
    });

    it('does not hold a contiguous range if the block is not aligned', () => {
      const got: number[] = [];
      for (let y = 0; y < 2; y++) for (let x = 1; x < 3; x++) got.push(mortonEncode(x, y));
      got.sort((a, c) => a - c);
      expect(got).toEqual([1, 3, 4, 6]);
    });
  });

  describe('when given hostile inputs', () => {
    it('throws naming the coordinate for anything but an integer in [0, 2^16)', () => {
      for (const { name, value } of HOSTILE_INPUTS) {
        const ok = typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MORTON_MAX_COORD;
        if (ok) expect(mortonEncode(value as number, 0), name).toBe(referenceMorton(value as number, 0));
        else {
          expectInputError(() => mortonEncode(value as number, 0), 'tileX');
          expectInputError(() => mortonEncode(0, value as number), 'tileY');
        }
      }
      expectInputError(() => mortonEncode(65536, 0), 'tileX', 'range');
    });
  });
});

describe('mortonDecode', () => {
  describe('when given any index below 2^32', () => {
    it('inverts mortonEncode', () => {
      for (const index of [0, 1, 2, 3, 6, 15, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1, 123456789, 3000000000]) {
        const { tileX, tileY } = mortonDecode(index);
        expect(mortonEncode(tileX, tileY), `index ${index}`).toBe(index);
      }
      expect(mortonDecode(6)).toEqual({ tileX: 2, tileY: 1 });
    });
  });

  describe('when given an index of 2^32 or more, negative or not an integer', () => {
    it('throws naming the index', () => {
      expectInputError(() => mortonDecode(2 ** 32), 'index', 'range');
      expectInputError(() => mortonDecode(-1), 'index', 'range');
      expectInputError(() => mortonDecode(1.5), 'index', 'type');
    });
  });
});
