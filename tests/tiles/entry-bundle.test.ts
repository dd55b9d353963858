// Entry bundles of C2SP tlog-tiles ("Log entries"): "Entry bundles are sequences of
// big-endian uint16 length-prefixed log entries." The byte strings below are written out
// from that sentence, not produced by the code under test.
import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { decodeEntryBundle, encodeEntryBundle, ENTRY_BUNDLE_MAX_ENTRY_BYTES } from '../../registry/tiles/entry-bundle.ts';
import { expectInputError, HOSTILE_INPUTS } from '../hostile-inputs.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const isProofInvalid = (e: unknown) => e instanceof CanopyError && e.code === 'PROOF_INVALID';

describe('encodeEntryBundle', () => {
  describe('when given the spec encoding', () => {
    it('prefixes each entry with its length as a big-endian uint16', () => {
      expect(hex(encodeEntryBundle([utf8('{"a":1}')]))).toBe('0007' + '7b2261223a317d');
      expect(hex(encodeEntryBundle([utf8('a'), new Uint8Array(0), utf8('bc')]))).toBe('000161' + '0000' + '00026263');
      const e300 = new Uint8Array(300).fill(0xab);
      expect(hex(encodeEntryBundle([e300]).subarray(0, 3))).toBe('012cab');
    });
  });

  describe('when an entry is at the uint16 bound', () => {
    it('encodes 65 535 bytes', () => {
      const data = encodeEntryBundle([new Uint8Array(ENTRY_BUNDLE_MAX_ENTRY_BYTES)]);
      expect(hex(data.subarray(0, 2))).toBe('ffff');
      expect(data.length).toBe(65_537);
    });
    it('refuses 65 536 bytes, naming the entry', () => {
      expectInputError(() => encodeEntryBundle([utf8('ok'), new Uint8Array(65_536)]), 'entries[1]', 'range');
    });
  });

  describe('when given more than 256 entries or none', () => {
    it('refuses them', () => {
      expectInputError(() => encodeEntryBundle([]), 'entries', 'range');
      expectInputError(() => encodeEntryBundle(Array.from({ length: 257 }, () => utf8('x'))), 'entries', 'range');
    });
  });

  describe('when given hostile input', () => {
    it.each(HOSTILE_INPUTS.map((h) => [h.name, h.value] as const))('rejects %s', (_n, v) => {
      expect(() => encodeEntryBundle(v as Uint8Array[])).toThrow(Array.isArray(v) ? /entries/ : TypeError);
    });
  });
});

describe('decodeEntryBundle', () => {
  describe('when the bundle is well-formed', () => {
    it('returns the entries (round trip for every width 1..256)', () => {
      for (let w = 1; w <= 256; w++) {
        const entries = Array.from({ length: w }, (_, i) => utf8(`e${i}${'.'.repeat(i % 5)}`));
        expect(decodeEntryBundle(encodeEntryBundle(entries), w)).toEqual(entries);
      }
    });
  });

  describe('when the bundle is not exactly `width` entries', () => {
    const good = encodeEntryBundle([utf8('ab'), utf8('c')]);
    it('throws PROOF_INVALID for fewer entries', () => {
      expect(() => decodeEntryBundle(good, 3, 'tile/entries/000.p/3')).toThrow(/tile\/entries\/000\.p\/3 holds 2 entries, want 3/);
    });
    it('throws PROOF_INVALID for more entries or trailing bytes', () => {
      expect(() => decodeEntryBundle(good, 1)).toThrow(/after its 1 entries/);
      expect(() => decodeEntryBundle(new Uint8Array([...good, 0]), 2)).toThrow(/after its 2 entries/);
    });
    it('throws PROOF_INVALID for a bundle cut inside a length or an entry', () => {
      for (let cut = 1; cut < good.length; cut++) {
        let error: unknown;
        try {
          decodeEntryBundle(good.subarray(0, cut), 2);
        } catch (e) {
          error = e;
        }
        expect(isProofInvalid(error), `cut at ${cut}`).toBe(true);
      }
    });
  });

  describe('when given hostile input', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !(h.value instanceof Uint8Array)).map((h) => [h.name, h.value] as const))('rejects %s as data', (_n, v) => {
      expectInputError(() => decodeEntryBundle(v as Uint8Array, 1), 'data', 'type');
    });
    it('rejects widths outside 1..256', () => {
      for (const w of [0, 257, -1, 1.5, Number.NaN]) expect(() => decodeEntryBundle(new Uint8Array(0), w)).toThrow(/width/);
    });
  });
});
