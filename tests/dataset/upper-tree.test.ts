import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { datasetTreeDepth, gridLevels, levelGridSize, type TileGrid } from '../../core/raster/dataset-tree.ts';
import { parseUpperTree, serializeUpperTree, upperTreeNodeCount } from '../../core/raster/upper-tree.ts';
import { expectInputError, R } from '../hostile-inputs.ts';

const grid: TileGrid = { tilesX: 11, tilesY: 6 };
const depth = datasetTreeDepth(grid.tilesX, grid.tilesY);
const leaves = Array.from({ length: grid.tilesX * grid.tilesY }, (_, i) => 500n + BigInt(i) * 31337n);
const full = gridLevels(grid, 0, leaves);
const fromLevel = 2;
const levels = full.slice(fromLevel);
const bytes = serializeUpperTree({ grid, depth, fromLevel, levels });

function expectInvalid(b: Uint8Array, message: RegExp, recompute = false): void {
  let thrown: unknown;
  try {
    parseUpperTree(b, { recompute });
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(CanopyError);
  expect((thrown as CanopyError).code).toBe('INVALID_INPUT');
  expect((thrown as Error).message).toMatch(message);
}

// Rewrites the checksum so that a test reaches the check after it.
function resealed(b: Uint8Array): Uint8Array {
  const out = b.slice();
  out.set(sha256(out.subarray(0, out.length - 32)), out.length - 32);
  return out;
}

describe('serializeUpperTree', () => {
  describe('when given levels fromLevel..depth', () => {
    it('writes a 16-byte header, 32 bytes per stored node and a SHA-256', () => {
      const n = upperTreeNodeCount(grid, fromLevel);
      let want = 0;
      for (let l = fromLevel; l <= depth; l++) want += levelGridSize(grid, l).nx * levelGridSize(grid, l).ny;
      expect(n).toBe(want);
      expect(bytes.length).toBe(16 + 32 * n + 32);
      expect(Buffer.from(bytes.subarray(0, 4)).toString('ascii')).toBe('CDUT');
      expect([...bytes.subarray(4, 8)]).toEqual([1, depth, fromLevel, 0]);
      expect(Buffer.from(bytes.subarray(bytes.length - 32)).equals(Buffer.from(sha256(bytes.subarray(0, bytes.length - 32))))).toBe(true);
    });
  });

  describe('when a level has the wrong node count or the depth is wrong', () => {
    it('throws naming the field', () => {
      expectInputError(() => serializeUpperTree({ grid, depth, fromLevel, levels: [levels[0]!.slice(1), ...levels.slice(1)] }), 'tree.levels[0]', 'range');
      expectInputError(() => serializeUpperTree({ grid, depth: depth + 2, fromLevel, levels }), 'tree.depth', 'range');
      expectInputError(() => serializeUpperTree({ grid, depth, fromLevel: 3, levels: full.slice(3) }), 'fromLevel', 'range');
    });
  });
});

describe('parseUpperTree', () => {
  describe('when given serializeUpperTree output', () => {
    it('round-trips, with and without recompute', () => {
      for (const recompute of [false, true]) {
        const t = parseUpperTree(bytes, { recompute });
        expect(t.grid).toEqual(grid);
        expect(t.depth).toBe(depth);
        expect(t.fromLevel).toBe(fromLevel);
        expect(t.levels).toEqual(levels);
      }
    });
  });

  describe('when the bytes are damaged', () => {
    it('refuses a wrong magic, version, reserved byte, depth, length or checksum', () => {
      const at = (i: number, v: number) => {
        const b = bytes.slice();
        b[i] = v;
        return b;
      };
      expectInvalid(at(0, 0x58), /magic/);
      expectInvalid(at(4, 2), /version 2/);
      expectInvalid(at(7, 1), /reserved/);
      expectInvalid(at(5, depth + 2), /depth/);
      expectInvalid(at(6, 3), /fromLevel 3/);
      expectInvalid(bytes.subarray(0, bytes.length - 1), /bytes, want/);
      expectInvalid(at(20, bytes[20]! ^ 1), /checksum/);
      expectInvalid(new Uint8Array(10), /shorter/);
    });

    it('refuses a node ≥ r even under a valid checksum', () => {
      const b = bytes.slice();
      b.set(Buffer.from(R.toString(16).padStart(64, '0'), 'hex'), 16);
      expectInvalid(resealed(b), /node 0 of level 2 is not below/);
    });

    it('with recompute, refuses a node that does not hash from its children even under a valid checksum', () => {
      const b = bytes.slice();
      b[16 + 31] = b[16 + 31]! ^ 1;
      const sealed = resealed(b);
      expect(() => parseUpperTree(sealed)).not.toThrow();
      expectInvalid(sealed, /does not hash from its children/, true);
    });
  });

  describe('when given a non-Uint8Array', () => {
    it('throws naming bytes', () => {
      expectInputError(() => parseUpperTree([1, 2] as never), 'bytes', 'type');
    });
  });
});
