import { describe, expect, it } from 'vitest';
import { DOMAIN_NAMES, DOMAIN_TAGS, type DomainName, hashTagged, tagFromName } from '../core/domain.ts';
import { poseidon } from '../core/poseidon.ts';
import { expectInputError, HOSTILE_INPUTS, isFieldElement, R } from './hostile-inputs.ts';

const kinds = Object.keys(DOMAIN_NAMES) as DomainName[];

// Reads a tag back as its name: big-endian bytes, each an ASCII character. Written
// independently of tagFromName so the round trip checks the encoding, not the code.
function nameFromTag(tag: bigint): string {
  let hex = tag.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('latin1');
}

describe('DOMAIN_TAGS', () => {
  it('has one tag per name and no two kinds share a tag', () => {
    expect(Object.keys(DOMAIN_TAGS).sort()).toEqual([...kinds].sort());
    expect(new Set(Object.values(DOMAIN_TAGS)).size).toBe(kinds.length);
    expect(new Set(Object.values(DOMAIN_NAMES)).size).toBe(kinds.length);
  });

  it.each(kinds)('%s is in (0, 2^248), hence a field element', (kind) => {
    const tag = DOMAIN_TAGS[kind];
    expect(tag > 0n).toBe(true);
    expect(tag < 1n << 248n).toBe(true);
    expect(isFieldElement(tag)).toBe(true);
  });

  it.each(kinds)('%s reads back as its name', (kind) => {
    expect(nameFromTag(DOMAIN_TAGS[kind])).toBe(DOMAIN_NAMES[kind]);
    expect(tagFromName(DOMAIN_NAMES[kind])).toBe(DOMAIN_TAGS[kind]);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(DOMAIN_TAGS)).toBe(true);
    expect(() => {
      (DOMAIN_TAGS as Record<string, bigint>).MERKLE_NODE = 1n;
    }).toThrow(TypeError);
  });
});

describe('tagFromName', () => {
  describe('when given a valid name', () => {
    it.each(['a', '0', 'canopy/merkle-node', 'z'.repeat(31), 'a/b-c/0-9'])('round-trips %j', (name) => {
      const tag = tagFromName(name);
      expect(nameFromTag(tag)).toBe(name);
      expect(tag < 1n << BigInt(8 * name.length)).toBe(true);
    });

    it('reads the name big-endian: "ab" = 0x6162', () => {
      expect(tagFromName('ab')).toBe(0x6162n);
    });
  });

  describe('when the name is not lowercase ASCII [a-z0-9/-] of 1..31 bytes', () => {
    it.each(['', 'z'.repeat(32), 'Canopy', 'a b', 'a_b', 'a.b', 'é', '\u0000', 'a\n', '\ud800', '😀'])('rejects %j', (name) => {
      expectInputError(() => tagFromName(name), 'name', 'range');
    });
  });

  describe('when the name is not a string', () => {
    // A regex test alone would coerce 0n, true or new Number(1) to a string and let them
    // through as the tag 0n: the type is checked first.
    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value !== 'string').map((h) => [h.name, h.value]))(
      'rejects %s with a TypeError naming "name"',
      (_name, value) => {
        expectInputError(() => tagFromName(value as string), 'name', 'type');
      },
    );
  });
});

describe('hashTagged', () => {
  describe('when given a kind and 1..15 inputs', () => {
    it.each(kinds)('%s: equals poseidon([tag, ...inputs])', (kind) => {
      for (const inputs of [[0n], [1n, 2n], [R - 1n, 0n, 5n], Array.from({ length: 15 }, (_, i) => BigInt(i) * 7919n)]) {
        const got = hashTagged(kind, inputs);
        const want = poseidon([DOMAIN_TAGS[kind], ...inputs]);
        expect(got, `hashTagged(${kind}, [${inputs.join(', ')}]) = ${got}, want ${want}`).toBe(want);
      }
    });

    it('separates kinds: the same inputs under two kinds hash differently', () => {
      const hashes = kinds.map((k) => hashTagged(k, [1n, 2n]));
      expect(new Set(hashes).size).toBe(kinds.length);
      expect(hashes).not.toContain(poseidon([1n, 2n]));
    });
  });

  describe('when the kind is not one of DOMAIN_NAMES', () => {
    it.each(['NOPE', '', 'merkle_node', 'canopy/merkle-node', 'MERKLE_NODE '])('rejects %j with a RangeError naming "kind"', (kind) => {
      expectInputError(() => hashTagged(kind as DomainName, [1n]), 'kind', 'range');
    });

    it.each([[undefined], [null], [0], [Symbol('k')]])('rejects %s', (kind) => {
      expect(() => hashTagged(kind as unknown as DomainName, [1n])).toThrow();
    });

    // A plain `DOMAIN_TAGS[kind]` lookup would find inherited Object.prototype members.
    it.each(['toString', '__proto__', 'constructor', 'hasOwnProperty'])('rejects inherited key %j naming "kind"', (kind) => {
      expectInputError(() => hashTagged(kind as DomainName, [1n]), 'kind');
    });
  });

  describe('when the number of inputs is out of 1..15', () => {
    it('rejects 0 inputs with a RangeError naming "inputs"', () => {
      expectInputError(() => hashTagged('MERKLE_NODE', []), 'inputs', 'range');
    });

    it('rejects 16 inputs (17 with the tag) with a RangeError naming "inputs"', () => {
      expectInputError(() => hashTagged('MERKLE_NODE', Array.from({ length: 16 }, () => 1n)), 'inputs', 'range');
    });

    it.each(HOSTILE_INPUTS.filter((h) => !Array.isArray(h.value)).map((h) => [h.name, h.value]))('rejects %s as inputs', (_name, value) => {
      expectInputError(() => hashTagged('MERKLE_NODE', value as bigint[]), 'inputs', 'type');
    });
  });

  describe('when an input is not a field element', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !isFieldElement(h.value)).map((h) => [h.name, h.value]))('rejects %s', (_name, value) => {
      expect(() => hashTagged('LOT_NOTE', [1n, value as bigint])).toThrow(/^"inputs\[\d+\]" expected/);
    });

    // The tag sits in front of the inputs; errors must still use the caller's indexes.
    it("names the caller's index: inputs[0] for a bad first input", () => {
      expectInputError(() => hashTagged('MERKLE_NODE', [R]), 'inputs[0]', 'range');
    });
  });
});
