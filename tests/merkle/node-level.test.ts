import { describe, expect, it } from 'vitest';
import { _NodeLevel, NODE_BYTES } from '../../core/merkle/_node-level.ts';
import { R } from '../hostile-inputs.ts';
import { testLeaves } from './_reference.ts';

// Values that exercise every 64-bit limb, including all-ones limbs and the field edge.
const edgeValues = [0n, 1n, (1n << 64n) - 1n, 1n << 64n, (1n << 192n) - 1n, 1n << 192n, R - 1n, (1n << 256n) - 1n];

describe('_NodeLevel', () => {
  describe('when values are pushed past several chunk boundaries (4096 nodes per chunk)', () => {
    const n = 3 * 4096 + 5;
    const values = [...edgeValues, ...testLeaves(n - edgeValues.length, 3n)];
    const level = new _NodeLevel();
    for (const v of values) level.push(v);

    it('reads every value back', () => {
      expect(level.length).toBe(n);
      for (let j = 0; j < n; j++) if (level.get(j) !== values[j]) expect(level.get(j), `get(${j})`).toBe(values[j]);
    });

    it('copies them out as 32-byte big-endian values in index order', () => {
      const out = new Uint8Array(n * NODE_BYTES + 3);
      expect(level.copyTo(out, 3)).toBe(3 + n * NODE_BYTES);
      for (const j of [0, 1, 7, 4095, 4096, 8191, 8192, n - 1]) {
        const hex = Buffer.from(out.subarray(3 + j * NODE_BYTES, 3 + (j + 1) * NODE_BYTES)).toString('hex');
        expect(BigInt(`0x${hex}`), `bytes of node ${j}`).toBe(values[j]);
      }
    });

    it('allocates at most one chunk beyond what it holds', () => {
      expect(level.allocatedBytes).toBe(4 * 4096 * NODE_BYTES);
    });

    it('overwrites a value in place with set', () => {
      level.set(4096, 42n);
      expect(level.get(4096)).toBe(42n);
      expect(level.get(4095)).toBe(values[4095]);
      expect(level.get(4097)).toBe(values[4097]);
      level.set(4096, values[4096]!);
    });
  });

  describe('fromBytes', () => {
    it.each([0, 1, 3, 4, 5, 4095, 4096, 4097, 8193])('restores %i nodes, which then grow like pushed ones', (count) => {
      const values = testLeaves(count + 4200, 11n);
      const source = new _NodeLevel();
      for (const v of values.slice(0, count)) source.push(v);
      const bytes = new Uint8Array(count * NODE_BYTES + 1);
      source.copyTo(bytes, 1);
      const level = _NodeLevel.fromBytes(bytes, 1, count);
      expect(level.length).toBe(count);
      for (const v of values.slice(count)) level.push(v);
      for (let j = 0; j < values.length; j++) if (level.get(j) !== values[j]) expect(level.get(j), `get(${j})`).toBe(values[j]);
    });
  });

  describe('when an index is outside [0, length)', () => {
    it('reports a bug instead of reading garbage', () => {
      const level = new _NodeLevel();
      level.push(5n);
      expect(() => level.get(1)).toThrow(/canopy: bad math in _NodeLevel.get/);
      expect(() => level.get(-1)).toThrow(/bad math/);
      expect(() => level.set(1, 0n)).toThrow(/bad math in _NodeLevel.set/);
    });
  });
});
