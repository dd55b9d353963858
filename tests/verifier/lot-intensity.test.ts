// Exact intensity arithmetic (verifier/lot-intensity.ts), the compact range the dataset
// index hashes the log with (verifier/_compact-range.ts), and grams → kilograms.
import { describe, expect, it } from 'vitest';
import { leafHash } from '../../core/tlog/hash.ts';
import { merkleTreeHash } from '../../core/tlog/tree-hash.ts';
import { _CompactRange } from '../../verifier/_compact-range.ts';
import { gramsToKilograms } from '../../verifier/kilograms.ts';
import { INTENSITY_DECIMALS, intensityAtMost, lotIntensity } from '../../verifier/lot-intensity.ts';
import { expectInputError, HOSTILE_INPUTS, isUintBits } from '../hostile-inputs.ts';

/** An independent reference: E/Q as a decimal rounded up at `d` places, by long division. */
function longDivisionCeil(e: bigint, q: bigint, d: number): string {
  let int = e / q;
  let rem = e % q;
  const digits: number[] = [];
  for (let i = 0; i < d; i++) {
    rem *= 10n;
    digits.push(Number(rem / q));
    rem %= q;
  }
  // Round up: add one unit in the last place if anything remains.
  if (rem !== 0n) {
    let i = digits.length - 1;
    while (i >= 0 && digits[i] === 9) digits[i--] = 0;
    if (i >= 0) digits[i]! += 1;
    else int += 1n;
  }
  const frac = digits.join('').replace(/0+$/, '');
  return frac === '' ? int.toString() : `${int}.${frac}`;
}

describe('lotIntensity', () => {
  describe('when E/Q terminates within 18 places', () => {
    it('gives it exactly', () => {
      expect(lotIntensity(81_000_000n, 18_000_000n)).toEqual({ gramsCo2ePerKg: '4500', kgCo2ePerKg: '4.5', exact: true });
      expect(lotIntensity(1n, 8n)).toEqual({ gramsCo2ePerKg: '125', kgCo2ePerKg: '0.125', exact: true });
      expect(lotIntensity(0n, 5n)).toEqual({ gramsCo2ePerKg: '0', kgCo2ePerKg: '0', exact: true });
      expect(lotIntensity(1n, 2n ** 18n)).toMatchObject({ exact: true });
      expect(lotIntensity(1n, 1000n)).toEqual({ gramsCo2ePerKg: '1', kgCo2ePerKg: '0.001', exact: true });
    });
  });
  describe('when E/Q does not terminate, or needs more than 18 places', () => {
    it('rounds up at 18 places', () => {
      expect(lotIntensity(10n, 3n)).toEqual({ gramsCo2ePerKg: '3334', kgCo2ePerKg: '3.333333333333333334', exact: false });
      expect(lotIntensity(2n, 3n)).toEqual({ gramsCo2ePerKg: '667', kgCo2ePerKg: '0.666666666666666667', exact: false });
      // 1/2^19 terminates, but at 19 places.
      expect(lotIntensity(1n, 2n ** 19n)).toMatchObject({ exact: false, kgCo2ePerKg: '0.000001907348632813' });
    });
  });
  describe('for every E, Q below 40', () => {
    it('agrees with long division, and never understates', () => {
      for (let e = 0n; e < 40n; e++) {
        for (let q = 1n; q < 40n; q++) {
          const got = lotIntensity(e, q)!;
          expect(got.kgCo2ePerKg, `lotIntensity(${e}, ${q})`).toBe(longDivisionCeil(e, q, INTENSITY_DECIMALS));
          expect(BigInt(got.gramsCo2ePerKg) * q >= 1000n * e).toBe(true);
          expect((BigInt(got.gramsCo2ePerKg) - 1n) * q < 1000n * e).toBe(true);
        }
      }
    });
  });
  describe('at the note bounds', () => {
    it('handles 2^64 − 1 g over 1 g and 1 g over 2^48 − 1 g', () => {
      expect(lotIntensity(2n ** 64n - 1n, 1n)).toEqual({ gramsCo2ePerKg: ((2n ** 64n - 1n) * 1000n).toString(), kgCo2ePerKg: (2n ** 64n - 1n).toString(), exact: true });
      expect(lotIntensity(1n, 2n ** 48n - 1n)!.kgCo2ePerKg).toBe(longDivisionCeil(1n, 2n ** 48n - 1n, 18));
    });
  });
  describe('when the lot weighs 0 g', () => {
    it('returns null', () => {
      expect(lotIntensity(5n, 0n)).toBeNull();
    });
  });
  describe('when an argument is out of range', () => {
    it('throws RangeError or TypeError naming it', () => {
      expect(() => lotIntensity(2n ** 64n, 1n)).toThrow(/"emissionsGramsCo2e" expected bigint in \[0, /);
      expect(() => lotIntensity(1n, 2n ** 48n)).toThrow(/"quantityGrams"/);
      expect(() => lotIntensity(-1n, 1n)).toThrow(RangeError);
    });
  });
  describe('when the hostile-input table is thrown at it', () => {
    it('accepts exactly the values in range and names the argument otherwise', () => {
      for (const { name, value } of HOSTILE_INPUTS) {
        if (isUintBits(value, 64)) expect(lotIntensity(value, 1n), name).not.toBeNull();
        else expectInputError(() => lotIntensity(value as bigint, 1n), 'emissionsGramsCo2e');
        if (isUintBits(value, 48)) expect(() => lotIntensity(1n, value), name).not.toThrow();
        else expectInputError(() => lotIntensity(1n, value as bigint), 'quantityGrams');
      }
    });
  });
});

describe('intensityAtMost', () => {
  describe('when comparing with a maximum in g CO2e per kg', () => {
    it('compares the exact fractions', () => {
      expect(intensityAtMost(81_000_000n, 18_000_000n, '4500')).toBe(true);
      expect(intensityAtMost(81_000_000n, 18_000_000n, '4499.999999999999999999'.slice(0, 23))).toBe(false);
      expect(intensityAtMost(10n, 3n, '3333.333')).toBe(false);
      expect(intensityAtMost(10n, 3n, '3333.334')).toBe(true);
      expect(intensityAtMost(0n, 3n, '0')).toBe(true);
    });
    it('does not pass a lot of 0 g', () => {
      expect(intensityAtMost(0n, 0n, '1000')).toBe(false);
    });
  });
  describe('when the maximum is not an unsigned decimal', () => {
    it('throws RangeError', () => {
      for (const bad of ['', '-1', '1e3', '01', '1.', '.5', ' 1', '1.0000000000000000001']) expect(() => intensityAtMost(1n, 1n, bad), bad).toThrow(RangeError);
    });
  });
});

describe('_CompactRange', () => {
  describe('for every log size from 0 to 70', () => {
    it('gives the RFC 6962 root merkleTreeHash gives', () => {
      const entries: Uint8Array[] = [];
      const range = new _CompactRange();
      expect(range.root()).toEqual(merkleTreeHash([]));
      for (let n = 1; n <= 70; n++) {
        const entry = new TextEncoder().encode(`entry ${n - 1}`);
        entries.push(entry);
        range.append(leafHash(entry));
        expect(range.size).toBe(n);
        expect(Buffer.from(range.root()).toString('hex'), `size ${n}`).toBe(Buffer.from(merkleTreeHash(entries)).toString('hex'));
      }
    });
  });
  describe('when a leaf is not a hash', () => {
    it('throws', () => {
      expect(() => new _CompactRange().append(new Uint8Array(31))).toThrow(RangeError);
    });
  });
});

describe('gramsToKilograms', () => {
  it('writes exact kilograms', () => {
    expect(['0', '1', '500', '1000', '18000000', '18000500'].map(gramsToKilograms)).toEqual(['0', '0.001', '0.5', '1', '18000', '18000.5']);
  });
  it('throws RangeError for a non-canonical decimal', () => {
    for (const bad of ['', '01', '-1', '1.5', 'x']) expect(() => gramsToKilograms(bad)).toThrow(RangeError);
  });
});
