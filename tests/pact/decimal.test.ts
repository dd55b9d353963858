import { describe, expect, it } from 'vitest';
import { ceilNonNegative, DECIMAL_MAX_LENGTH, div, equal, mul, parseDecimal, rational, sign } from '../../core/pact/_decimal.ts';
import { HOSTILE_INPUTS } from '../hostile-inputs.ts';

/**
 * An independent reading of the grammar: optional sign, ASCII digits, optionally one point
 * followed by ASCII digits. Returns [numerator, denominator] unreduced, or null.
 */
function oracle(text: string): [bigint, bigint] | null {
  if (text.length === 0 || text.length > 64) return null;
  let s = text;
  let negative = false;
  if (s[0] === '+' || s[0] === '-') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  const parts = s.split('.');
  if (parts.length > 2) return null;
  const isDigits = (p: string) => p.length > 0 && [...p].every((c) => c >= '0' && c <= '9');
  if (!parts.every(isDigits)) return null;
  const fraction = parts[1] ?? '';
  const n = BigInt(parts[0]! + fraction);
  return [negative ? -n : n, 10n ** BigInt(fraction.length)];
}

describe('parseDecimal', () => {
  describe('when the text is a decimal', () => {
    it.each([
      ['0', 0n, 1n],
      ['10', 10n, 1n],
      ['42.12', 1053n, 25n],
      ['-182.84', -4571n, 25n],
      ['4.50', 9n, 2n],
      ['+1.5', 3n, 2n],
      ['007.50', 15n, 2n],
      ['-0', 0n, 1n],
      ['-0.000', 0n, 1n],
      ['0.384', 48n, 125n],
      ['9.468', 2367n, 250n],
    ])('parses %s exactly to %s/%s', (text, num, den) => {
      expect(parseDecimal(text)).toEqual({ num, den });
    });

    it(`accepts ${DECIMAL_MAX_LENGTH} characters`, () => {
      const text = `1.${'0'.repeat(DECIMAL_MAX_LENGTH - 3)}1`;
      expect(text.length).toBe(DECIMAL_MAX_LENGTH);
      expect(parseDecimal(text)).toEqual({ num: 10n ** BigInt(DECIMAL_MAX_LENGTH - 2) + 1n, den: 10n ** BigInt(DECIMAL_MAX_LENGTH - 2) });
    });
  });

  describe('when the text is not a decimal', () => {
    it.each(['', '1e3', '1.2345e+6', '1E3', 'NaN', 'Infinity', '-Infinity', '.5', '5.', '-', '+', ' 1', '1 ', '1_000', '1,5', '\uff11', '0x1', '--1', '+-1', '1.2.3', '1.-2'])(
      'returns null for %j',
      (text) => {
        expect(parseDecimal(text)).toBeNull();
      },
    );

    it(`returns null for ${DECIMAL_MAX_LENGTH + 1} characters`, () => {
      expect(parseDecimal('1'.repeat(DECIMAL_MAX_LENGTH + 1))).toBeNull();
    });
  });

  describe('when given every hostile string', () => {
    const strings = HOSTILE_INPUTS.filter((h) => typeof h.value === 'string');
    it.each(strings.map((h) => [h.name, h.value as string]))('agrees with an independent reading for %s', (_name, text) => {
      const want = oracle(text);
      const got = parseDecimal(text);
      if (want === null) expect(got).toBeNull();
      else expect(got === null ? null : got.num * want[1]).toBe(want[0] * (got?.den ?? 1n));
    });
  });
});

describe('rational', () => {
  describe('when the fraction is not reduced', () => {
    it('reduces it and moves the sign to the numerator', () => {
      expect(rational(6n, -4n)).toEqual({ num: -3n, den: 2n });
      expect(rational(0n, 7n)).toEqual({ num: 0n, den: 1n });
    });
  });

  describe('when the denominator is 0', () => {
    it('throws a bug', () => {
      expect(() => rational(1n, 0n)).toThrow('canopy: bad math in rational');
    });
  });
});

describe('mul and div', () => {
  describe('when given two fractions', () => {
    it('multiplies and divides exactly', () => {
      const a = parseDecimal('5.14')!;
      const b = parseDecimal('9.468')!;
      expect(div(a, b)).toEqual({ num: 1285n, den: 2367n });
      expect(mul(div(a, b), b)).toEqual(a);
      expect(equal(mul(rational(1n, 3n), rational(3n, 1n)), rational(1n, 1n))).toBe(true);
    });
  });

  describe('when dividing by zero', () => {
    it('throws a bug', () => {
      expect(() => div(rational(1n, 1n), rational(0n, 1n))).toThrow('canopy: bad math');
    });
  });
});

describe('sign', () => {
  describe('when given values around 0', () => {
    it('returns -1, 0, 1', () => {
      expect([sign(rational(-1n, 9n)), sign(rational(0n, 1n)), sign(rational(1n, 9n))]).toEqual([-1, 0, 1]);
    });
  });
});

describe('ceilNonNegative', () => {
  describe('when the value is a third-type fraction', () => {
    it.each([
      [0n, 1n, 0n],
      [1n, 3n, 1n],
      [2n, 3n, 1n],
      [3n, 3n, 1n],
      [4n, 3n, 2n],
      [10n, 3n, 4n],
      [3_333_333n, 1n, 3_333_333n],
      [10_000_000n, 3n, 3_333_334n],
    ])('ceil(%s/%s) = %s', (num, den, want) => {
      expect(ceilNonNegative(rational(num, den))).toBe(want);
    });
  });

  describe('when the value is negative', () => {
    it('throws a bug', () => {
      expect(() => ceilNonNegative(rational(-1n, 3n))).toThrow('canopy: bad math in ceilNonNegative');
    });
  });
});
