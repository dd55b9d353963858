import { describe, expect, it } from 'vitest';
import {
  PACK_BYTES_PER_ELEMENT,
  packBytes,
  packBytesWithLength,
  packedLength,
  unpackBytes,
  unpackBytesWithLength,
} from '../core/pack-bytes.ts';
import { expectInputError, HOSTILE_INPUTS, isBytes, isSafeUint, R } from './hostile-inputs.ts';

const BOUND = 1n << 248n;

// The layout of the module doc, written as plain arithmetic: element i = Σ_j b[31i+j]·256^j.
function packReference(bytes: Uint8Array): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i * 31 < bytes.length; i++) {
    let e = 0n;
    for (let j = 0; j < 31 && 31 * i + j < bytes.length; j++) e += BigInt(bytes[31 * i + j]!) * 256n ** BigInt(j);
    out.push(e);
  }
  return out;
}

// Deterministic pseudo-random bytes (xorshift32), so failures reproduce.
function bytesOf(length: number, seed: number): Uint8Array {
  let s = seed >>> 0 || 1;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

describe('PACK_BYTES_PER_ELEMENT', () => {
  it('is 31: 256^31 = 2^248 < r, and 256^32 > r', () => {
    expect(PACK_BYTES_PER_ELEMENT).toBe(31);
    expect(BOUND < R).toBe(true);
    expect(1n << 256n > R).toBe(true);
  });
});

describe('packedLength', () => {
  describe('when given a byte length', () => {
    it.each([
      [0, 0],
      [1, 1],
      [30, 1],
      [31, 1],
      [32, 2],
      [62, 2],
      [63, 3],
      [256, 9],
      [Number.MAX_SAFE_INTEGER, Math.ceil(Number.MAX_SAFE_INTEGER / 31)],
    ])('packedLength(%i) = %i', (n, want) => {
      expect(packedLength(n)).toBe(want);
    });
  });

  describe('when given anything but a non-negative safe integer', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !isSafeUint(h.value)).map((h) => [h.name, h.value]))('rejects %s', (_name, value) => {
      expectInputError(() => packedLength(value as number), 'byteLength');
    });
  });
});

describe('packBytes', () => {
  describe('when given bytes', () => {
    it('packs the empty string to no elements', () => {
      expect(packBytes(new Uint8Array(0))).toEqual([]);
    });

    it('is little-endian within a chunk: [1, 2] → 0x0201', () => {
      expect(packBytes(Uint8Array.of(1, 2))).toEqual([0x0201n]);
    });

    it('puts byte 31 in the second element: bytes 0..31 → [Σ j·256^j, 31]', () => {
      const bytes = Uint8Array.from({ length: 32 }, (_, i) => i);
      const want0 = Array.from({ length: 31 }, (_, j) => BigInt(j) * 256n ** BigInt(j)).reduce((a, b) => a + b);
      expect(packBytes(bytes)).toEqual([want0, 31n]);
    });

    it('packs 31 × 0xff to 2^248 − 1, the largest element', () => {
      expect(packBytes(new Uint8Array(31).fill(0xff))).toEqual([BOUND - 1n]);
    });

    it('packs a 256-pixel tile into 9 elements, the last holding 8 bytes', () => {
      const out = packBytes(new Uint8Array(256).fill(0xff));
      expect(out.length).toBe(9);
      expect(out.slice(0, 8).every((e) => e === BOUND - 1n)).toBe(true);
      expect(out[8]).toBe((1n << 64n) - 1n);
    });

    it('matches the reference arithmetic for every length 0..130', () => {
      for (let n = 0; n <= 130; n++) {
        const bytes = bytesOf(n, n + 1);
        const got = packBytes(bytes);
        expect(got, `packBytes(${n} bytes)`).toEqual(packReference(bytes));
        expect(got.length).toBe(packedLength(n));
        expect(got.every((e) => e >= 0n && e < BOUND)).toBe(true);
      }
    });

    it('accepts a Buffer and a subarray view', () => {
      const big = bytesOf(100, 7);
      expect(packBytes(Buffer.from(big))).toEqual(packReference(big));
      expect(packBytes(big.subarray(10, 50))).toEqual(packReference(big.slice(10, 50)));
    });

    it('does not bind the length: [1] and [1, 0] pack alike (see packBytesWithLength)', () => {
      expect(packBytes(Uint8Array.of(1))).toEqual(packBytes(Uint8Array.of(1, 0)));
    });
  });

  describe('when given anything but a Uint8Array', () => {
    it.each([...HOSTILE_INPUTS.filter((h) => !isBytes(h.value)).map((h) => [h.name, h.value]), ['number[]', [1, 2, 3]]])(
      'rejects %s with a TypeError naming "bytes"',
      (_name, value) => {
        expectInputError(() => packBytes(value as Uint8Array), 'bytes', 'type');
      },
    );
  });
});

describe('unpackBytes', () => {
  describe('when given a strict packing', () => {
    it('round-trips every length 0..130', () => {
      for (let n = 0; n <= 130; n++) {
        const bytes = bytesOf(n, 1000 + n);
        const got = unpackBytes(packBytes(bytes), n);
        expect(Buffer.from(got).equals(Buffer.from(bytes)), `unpackBytes(packBytes(${n} bytes), ${n})`).toBe(true);
      }
    });

    it('round-trips the extremes: all 0x00, all 0xff', () => {
      for (const fill of [0x00, 0xff]) {
        const bytes = new Uint8Array(93).fill(fill);
        expect(unpackBytes(packBytes(bytes), 93)).toEqual(bytes);
      }
    });
  });

  describe('when the element count does not match byteLength', () => {
    it.each([
      ['[]', [], 1],
      ['[1n]', [1n], 0],
      ['[1n]', [1n], 32],
      ['[1n, 1n]', [1n, 1n], 31],
    ])('rejects %s for byteLength %i with a RangeError naming "elements"', (_name, elements, n) => {
      expectInputError(() => unpackBytes(elements, n), 'elements', 'range');
    });
  });

  describe('when an element is not in [0, 2^248)', () => {
    it.each([
      ['2^248', BOUND],
      ['r − 1', R - 1n],
      ['-1', -1n],
    ])('rejects %s with a RangeError naming the element', (_name, bad) => {
      expectInputError(() => unpackBytes([0n, bad], 62), 'elements[1]', 'range');
    });

    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value !== 'bigint').map((h) => [h.name, h.value]))(
      'rejects %s with a TypeError naming the element',
      (_name, value) => {
        expectInputError(() => unpackBytes([1n, value as bigint], 40), 'elements[1]', 'type');
      },
    );
  });

  describe('when padding bytes past byteLength are not zero', () => {
    it('rejects [0x0100] as 1 byte: byte 1 is padding', () => {
      expectInputError(() => unpackBytes([0x0100n], 1), 'elements[0]', 'range');
    });

    it('rejects each single padding bit set in the last element', () => {
      for (let n = 32; n < 62; n++) {
        const packed = packBytes(bytesOf(n, n));
        for (let bit = 8 * (n - 31); bit < 248; bit++) {
          const tampered = [packed[0]!, packed[1]! | (1n << BigInt(bit))];
          expectInputError(() => unpackBytes(tampered, n), 'elements[1]', 'range');
        }
      }
    });

    it('accepts the same bytes when byteLength covers them', () => {
      expect(unpackBytes([0x0100n], 2)).toEqual(Uint8Array.of(0, 1));
    });
  });

  describe('when the arguments have the wrong type', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !Array.isArray(h.value)).map((h) => [h.name, h.value]))('rejects elements = %s', (_name, value) => {
      expectInputError(() => unpackBytes(value as bigint[], 1), 'elements', 'type');
    });

    it.each(HOSTILE_INPUTS.filter((h) => !isSafeUint(h.value)).map((h) => [h.name, h.value]))('rejects byteLength = %s', (_name, value) => {
      expectInputError(() => unpackBytes([], value as number), 'byteLength');
    });
  });
});

describe('packBytesWithLength', () => {
  describe('when given bytes', () => {
    it('puts the length first', () => {
      expect(packBytesWithLength(new Uint8Array(0))).toEqual([0n]);
      expect(packBytesWithLength(Uint8Array.of(1))).toEqual([1n, 1n]);
      expect(packBytesWithLength(Uint8Array.of(1, 0))).toEqual([2n, 1n]);
    });

    it('is injective on all strings of up to 3 bytes over {0x00, 0x01, 0xff}, and on trailing-zero extensions', () => {
      const alphabet = [0x00, 0x01, 0xff];
      const inputs: number[][] = [[]];
      for (let len = 1; len <= 3; len++) {
        for (const prev of inputs.filter((x) => x.length === len - 1)) for (const b of alphabet) inputs.push([...prev, b]);
      }
      for (const n of [30, 31, 32, 61, 62]) for (let z = 0; z <= 2; z++) inputs.push([...bytesOf(n, n), ...new Array<number>(z).fill(0)]);
      const seen = new Map<string, string>();
      for (const x of inputs) {
        const key = packBytesWithLength(Uint8Array.from(x)).join(',');
        expect(seen.get(key), `collision between [${seen.get(key)}] and [${x.join(',')}]`).toBeUndefined();
        seen.set(key, x.join(','));
      }
    });
  });

  describe('when given anything but a Uint8Array', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !isBytes(h.value)).map((h) => [h.name, h.value]))('rejects %s', (_name, value) => {
      expectInputError(() => packBytesWithLength(value as Uint8Array), 'bytes', 'type');
    });
  });
});

describe('unpackBytesWithLength', () => {
  describe('when given a strict packing', () => {
    it('round-trips every length 0..100', () => {
      for (let n = 0; n <= 100; n++) {
        const bytes = bytesOf(n, 5000 + n);
        expect(unpackBytesWithLength(packBytesWithLength(bytes))).toEqual(bytes);
      }
    });
  });

  describe('when the length disagrees with the element count', () => {
    it.each([
      ['[] (no length)', [], 'elements'],
      ['[1n] (1 byte, no element)', [1n], 'elements[0]'],
      ['[0n, 0n] (0 bytes, 1 element)', [0n, 0n], 'elements[0]'],
      ['[32n, 1n] (32 bytes need 2 elements)', [32n, 1n], 'elements[0]'],
      ['[31n, 1n, 1n] (31 bytes need 1 element)', [31n, 1n, 1n], 'elements[0]'],
      ['[2^53, 1n] (length past the safe integers)', [1n << 53n, 1n], 'elements[0]'],
      ['[2^64, 1n] (huge length)', [1n << 64n, 1n], 'elements[0]'],
      ['[r − 1, 1n]', [R - 1n, 1n], 'elements[0]'],
      ['[-1n, 1n]', [-1n, 1n], 'elements[0]'],
    ] as const)('rejects %s with a RangeError', (_name, elements, title) => {
      expectInputError(() => unpackBytesWithLength(elements as unknown as bigint[]), title, 'range');
    });
  });

  describe('when a packed element is not strict', () => {
    it('names the element by its index in the whole array', () => {
      expectInputError(() => unpackBytesWithLength([1n, 0x0100n]), 'elements[1]', 'range');
      expectInputError(() => unpackBytesWithLength([33n, 0n, BOUND]), 'elements[2]', 'range');
    });
  });

  describe('when the length element is not a bigint', () => {
    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value !== 'bigint').map((h) => [h.name, h.value]))('rejects %s', (_name, value) => {
      expectInputError(() => unpackBytesWithLength([value as bigint, 1n]), 'elements[0]', 'type');
    });
  });
});
