import { describe, expect, it } from 'vitest';
import { base64Decode, base64Encode } from '../../core/note/_base64.ts';

/** Deterministic test bytes: SHA-free xorshift, enough to vary every position. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('base64Encode', () => {
  describe('when given 0..100 bytes', () => {
    it('matches Node’s standard base64 and decodes back', () => {
      for (let n = 0; n <= 100; n++) {
        const b = bytes(n, n + 1);
        const s = base64Encode(b);
        expect(s).toBe(Buffer.from(b).toString('base64'));
        expect(base64Decode(s)).toEqual(b);
      }
    });
  });
});

describe('base64Decode', () => {
  describe('when the text is not canonical padded standard base64', () => {
    it.each([
      ['bad length', 'AAA'],
      ['missing padding', 'AA'],
      ['padding inside', 'A=AA'],
      ['three padding characters', 'A==='],
      ['only padding', '===='],
      ['non-zero bits under one "="', 'AAB='],
      ['non-zero bits under "=="', 'AB=='],
      ['URL-safe "-"', '-AAA'],
      ['URL-safe "_"', '_AAA'],
      ['space', 'AA A'],
      ['newline', 'AAA\n'],
      ['non-ASCII', 'AAÀA'],
      ['fullwidth letter', 'AA\uff21A'],
    ])('returns null for %s', (_d, s) => {
      expect(base64Decode(s)).toBeNull();
    });
  });

  describe('when one character of a canonical encoding changes', () => {
    it('either fails or decodes to different bytes', () => {
      const s = base64Encode(bytes(68, 7)); // 4 + 64 bytes, the size of a note signature
      const b = base64Decode(s)!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';
      for (let i = 0; i < s.length; i++) {
        for (const c of alphabet) {
          if (c === s[i]) continue;
          const d = base64Decode(s.slice(0, i) + c + s.slice(i + 1));
          if (d !== null) expect(Buffer.from(d).equals(Buffer.from(b)), `position ${i} → ${c}`).toBe(false);
        }
      }
    });
  });
});
