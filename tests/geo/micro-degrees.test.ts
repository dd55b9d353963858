// Decimal degrees → integer micro-degrees: exact for ≤ 6 decimals, half away from zero
// beyond, read through the shortest round-trip string; and the way back.
import { describe, expect, it } from 'vitest';
import { HOSTILE_INPUTS, expectInputError } from '../hostile-inputs.ts';
import { decimalPlaces, formatMicroDegrees, MAX_ABS_DEGREES, microToDegrees, toMicroDegrees } from '../../core/geo/micro-degrees.ts';
import { rng } from './_random-polygons.ts';

describe('toMicroDegrees', () => {
  describe('when the value has at most 6 decimals', () => {
    it('converts exactly', () => {
      const cases: [number, number][] = [
        [0, 0],
        [-0, 0],
        [1, 1_000_000],
        [-71.73775, -71_737_750],
        [18.687, 18_687_000],
        [18.6, 18_600_000],
        [-179.999999, -179_999_999],
        [180, 180_000_000],
        [-90, -90_000_000],
        [0.000001, 1],
        [1e-6, 1],
        [123.456789, 123_456_789],
      ];
      for (const [deg, micro] of cases) expect(toMicroDegrees(deg), `toMicroDegrees(${deg})`).toBe(micro);
    });
  });

  describe('when the value has more than 6 decimals', () => {
    it('rounds half away from zero, symmetrically', () => {
      const cases: [number, number][] = [
        [-71.7377505, -71_737_751], // tie: away from zero
        [71.7377505, 71_737_751],
        [18.6871234, 18_687_123],
        [18.6871236, 18_687_124],
        [5e-7, 1],
        [-5e-7, -1],
        [4.9e-7, 0],
        [4.99999999e-7, 0],
        [1e-7, 0],
        [1.0000005, 1_000_001],
        [0.0000015, 2],
        [-0.0000025, -3],
      ];
      for (const [deg, micro] of cases) expect(toMicroDegrees(deg), `toMicroDegrees(${deg})`).toBe(micro);
    });

    it('moves no coordinate by more than 0.5 µ°, measured on the shortest decimal string', () => {
      const random = rng(1);
      for (let i = 0; i < 20_000; i++) {
        const x = (random() - 0.5) * 360;
        const micro = toMicroDegrees(x);
        // Exact decimal arithmetic on the string: |x·10^6 − micro| ≤ 0.5.
        const [int, frac = ''] = String(Math.abs(x)).split('.');
        const scaled = BigInt(int! + frac.padEnd(30, '0')) * (x < 0 ? -1n : 1n); // x · 10^30
        const diff = scaled - BigInt(micro) * 10n ** 24n;
        const abs = diff < 0n ? -diff : diff;
        if (abs > 5n * 10n ** 23n) expect.fail(`toMicroDegrees(${x}) = ${micro}: off by more than 0.5 µ°`);
      }
    });
  });

  describe('when the value is spelled differently in JSON', () => {
    it('depends only on the number: "18.60", "18.6" and "1.86e1" agree', () => {
      for (const text of ['18.60', '18.6', '1.86e1', '18.600000000']) expect(toMicroDegrees(JSON.parse(text))).toBe(18_600_000);
    });
  });

  describe('when given something that is not a finite number in range', () => {
    it('throws naming the title', () => {
      for (const { value } of HOSTILE_INPUTS) {
        if (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= MAX_ABS_DEGREES) continue;
        expectInputError(() => toMicroDegrees(value as number, 'lon'), 'lon', typeof value === 'number' ? 'range' : 'type');
      }
      expectInputError(() => toMicroDegrees(1000.5, 'lat'), 'lat', 'range');
    });
  });
});

describe('decimalPlaces', () => {
  it('counts the decimals of the shortest round-trip string', () => {
    expect(decimalPlaces(-71.737751)).toBe(6);
    expect(decimalPlaces(18.6)).toBe(1);
    expect(decimalPlaces(JSON.parse('18.600000'))).toBe(1);
    expect(decimalPlaces(5e-7)).toBe(7);
    expect(decimalPlaces(1.5e-7)).toBe(8);
    expect(decimalPlaces(120)).toBe(0);
  });
});

describe('microToDegrees', () => {
  it('inverts toMicroDegrees on every integer tried', () => {
    const random = rng(2);
    for (let i = 0; i < 20_000; i++) {
      const micro = Math.round((random() - 0.5) * 360e6);
      expect(toMicroDegrees(microToDegrees(micro))).toBe(micro);
      // and the shortest string has at most 6 decimals
      expect(decimalPlaces(microToDegrees(micro))).toBeLessThanOrEqual(6);
    }
  });
  it('throws for a non-integer', () => {
    expectInputError(() => microToDegrees(1.5), 'micro', 'type');
  });
});

describe('formatMicroDegrees', () => {
  it('writes six decimals exactly', () => {
    expect(formatMicroDegrees(-71_737_750)).toBe('-71.737750');
    expect(formatMicroDegrees(-5)).toBe('-0.000005');
    expect(formatMicroDegrees(0)).toBe('0.000000');
    expect(formatMicroDegrees(180_000_000)).toBe('180.000000');
  });
});
