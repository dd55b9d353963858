import { readFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  assertHash,
  emptyTreeHash,
  HASH_SIZE,
  hashEqual,
  LEAF_HASH_PREFIX,
  leafHash,
  NODE_HASH_PREFIX,
  nodeHash,
} from '../../core/tlog/hash.ts';
import { expectInputError, HOSTILE_INPUTS, isBytes } from '../hostile-inputs.ts';
import { flipBit, fromHex, hex, utf8 } from './_log.ts';

/** The four hashes of transparency-dev/merkle rfc6962_test.go, read from the stored file. */
const RFC6962_TEST = readFileSync(new URL('../vectors/transparency-dev/merkle/rfc6962/rfc6962_test.go', import.meta.url), 'utf8');
const want = new Map([...RFC6962_TEST.matchAll(/desc: "([^"]+)",\s*want: "([0-9a-f]{64})"/g)].map((m) => [m[1]!, m[2]!]));

const is32Bytes = (v: unknown) => v instanceof Uint8Array && v.length === 32;

describe('RFC 6962 constants', () => {
  it('names the leaf and node prefixes of RFC 6962 §2.1 and the SHA-256 size', () => {
    expect(LEAF_HASH_PREFIX).toBe(0x00);
    expect(NODE_HASH_PREFIX).toBe(0x01);
    expect(HASH_SIZE).toBe(32);
  });
});

describe('the transparency-dev/merkle rfc6962 vectors', () => {
  it('are all present in the stored file', () => {
    expect([...want.keys()]).toEqual(['RFC6962 Empty', 'RFC6962 Empty Leaf', 'RFC6962 Leaf', 'RFC6962 Node']);
  });

  it('RFC6962 Empty: emptyTreeHash() = SHA-256("")', () => {
    expect(hex(emptyTreeHash())).toBe(want.get('RFC6962 Empty'));
  });

  it('RFC6962 Empty Leaf: leafHash([]) differs from the empty tree hash', () => {
    expect(hex(leafHash(new Uint8Array(0)))).toBe(want.get('RFC6962 Empty Leaf'));
    expect(want.get('RFC6962 Empty Leaf')).not.toBe(want.get('RFC6962 Empty'));
  });

  it('RFC6962 Leaf: leafHash("L123456")', () => {
    expect(hex(leafHash(utf8('L123456')))).toBe(want.get('RFC6962 Leaf'));
  });

  it('RFC6962 Node: SHA-256(NODE_HASH_PREFIX ‖ "N123" ‖ "N456")', () => {
    // The vector hashes 4-byte children, which nodeHash rejects; it pins the prefix byte.
    expect(hex(sha256(new Uint8Array([NODE_HASH_PREFIX, ...utf8('N123'), ...utf8('N456')])))).toBe(want.get('RFC6962 Node'));
  });
});

describe('leafHash', () => {
  describe('when given bytes', () => {
    it('is SHA-256(0x00 ‖ entry)', () => {
      for (const entry of [new Uint8Array(0), utf8('a'), new Uint8Array(1000).fill(7)]) {
        expect(hex(leafHash(entry))).toBe(hex(sha256(new Uint8Array([0, ...entry]))));
      }
    });

    it('does not equal the node hash of the two halves of a 64-byte entry', () => {
      const l = leafHash(utf8('Hello'));
      const r = leafHash(utf8('World'));
      expect(hashEqual(leafHash(new Uint8Array([...l, ...r])), nodeHash(l, r))).toBe(false);
    });

    it('does not keep or change its input', () => {
      const entry = utf8('entry');
      const h = leafHash(entry);
      entry[0] = 0;
      expect(hex(h)).toBe(hex(leafHash(utf8('entry'))));
    });
  });

  describe('when given anything but a Uint8Array', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !isBytes(h.value)).map((h) => [h.name, h.value] as const))('rejects %s', (_n, v) => {
      expectInputError(() => leafHash(v as Uint8Array), 'entry', 'type');
    });
  });
});

describe('nodeHash', () => {
  describe('when given two hashes', () => {
    it('is SHA-256(0x01 ‖ left ‖ right) and depends on the order', () => {
      const l = leafHash(utf8('Hello'));
      const r = leafHash(utf8('World'));
      expect(hex(nodeHash(l, r))).toBe(hex(sha256(new Uint8Array([1, ...l, ...r]))));
      expect(hashEqual(nodeHash(l, r), nodeHash(r, l))).toBe(false);
    });
  });

  describe('when a child is not a 32-byte hash', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !is32Bytes(h.value)).map((h) => [h.name, h.value] as const))('rejects %s', (_n, v) => {
      const h = leafHash(utf8('x'));
      expectInputError(() => nodeHash(v as Uint8Array, h), 'left', isBytes(v) ? 'range' : 'type');
      expectInputError(() => nodeHash(h, v as Uint8Array), 'right', isBytes(v) ? 'range' : 'type');
    });

    it('rejects 31 and 33 bytes with a RangeError', () => {
      const h = leafHash(utf8('x'));
      expectInputError(() => nodeHash(new Uint8Array(31), h), 'left', 'range');
      expectInputError(() => nodeHash(h, new Uint8Array(33)), 'right', 'range');
    });
  });
});

describe('emptyTreeHash', () => {
  it('returns a fresh array each time', () => {
    const a = emptyTreeHash();
    a[0] = 0;
    expect(hex(emptyTreeHash())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('hashEqual', () => {
  describe('when given two hashes', () => {
    it('is true for equal bytes and false for any single flipped bit', () => {
      const h = leafHash(utf8('x'));
      expect(hashEqual(h, h.slice())).toBe(true);
      for (let byte = 0; byte < 32; byte++) {
        for (let bit = 0; bit < 8; bit++) expect(hashEqual(h, flipBit(h, byte, bit))).toBe(false);
      }
    });
  });

  describe('when an argument is not a hash', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !is32Bytes(h.value)).map((h) => [h.name, h.value] as const))('rejects %s', (_n, v) => {
      expectInputError(() => hashEqual(v as Uint8Array, fromHex('00'.repeat(32))), 'a');
      expectInputError(() => hashEqual(fromHex('00'.repeat(32)), v as Uint8Array), 'b');
    });
  });
});

describe('assertHash', () => {
  it('accepts exactly 32 bytes', () => {
    expect(() => assertHash(new Uint8Array(32), 'h')).not.toThrow();
    expectInputError(() => assertHash(new Uint8Array(0), 'h'), 'h', 'range');
    expectInputError(() => assertHash('00'.repeat(32), 'h'), 'h', 'type');
  });
});
