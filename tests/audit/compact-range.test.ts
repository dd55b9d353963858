// The auditor's RFC 6962 compact range against the RFC's recursive definition
// (core/tlog merkleTreeHash) at every size up to 130, its JSON form, and hostile inputs.
import { describe, expect, it } from 'vitest';
import { emptyTreeHash, hashEqual, leafHash } from '../../core/tlog/hash.ts';
import { merkleTreeHash } from '../../core/tlog/tree-hash.ts';
import { CompactRange } from '../../verifier/audit/compact-range.ts';
import { expectInputError, HOSTILE_INPUTS, isBytes } from '../hostile-inputs.ts';

const entries = Array.from({ length: 130 }, (_, i) => new TextEncoder().encode(`entry ${i}`));
const b64 = (h: Uint8Array) => Buffer.from(h).toString('base64');

describe('CompactRange', () => {
  describe('when entries are appended one by one', () => {
    it('has the RFC 6962 root of every prefix, sizes 0 to 130', () => {
      const range = new CompactRange();
      expect(hashEqual(range.root(), emptyTreeHash())).toBe(true);
      for (let n = 1; n <= entries.length; n++) {
        range.append(leafHash(entries[n - 1]!));
        expect(range.size).toBe(n);
        expect(b64(range.root()), `root(${n})`).toBe(b64(merkleTreeHash(entries.slice(0, n))));
        // One hash per one bit of the size.
        expect(range.toJSON().hashes.length, `hashes(${n})`).toBe(n.toString(2).replace(/0/g, '').length);
      }
    });
  });

  describe('when restored from its JSON form', () => {
    it('continues exactly where it stopped, at every size', () => {
      const range = new CompactRange();
      for (let n = 0; n < 70; n++) {
        const restored = CompactRange.fromJSON(JSON.parse(JSON.stringify(range.toJSON())));
        expect(b64(restored.root())).toBe(b64(range.root()));
        restored.append(leafHash(entries[n]!));
        range.append(leafHash(entries[n]!));
        expect(b64(restored.root()), `size ${n + 1}`).toBe(b64(range.root()));
      }
    });
  });

  describe('when the JSON form is malformed', () => {
    it('throws naming the member', () => {
      const range = new CompactRange();
      for (const e of entries.slice(0, 13)) range.append(leafHash(e));
      const good = range.toJSON();
      expectInputError(() => CompactRange.fromJSON({ ...good, hashes: good.hashes.slice(1) }), 'range.hashes', 'range');
      expectInputError(() => CompactRange.fromJSON({ ...good, size: 15 }), 'range.hashes', 'range');
      expectInputError(() => CompactRange.fromJSON({ ...good, extra: 1 }), 'range', 'range');
      expectInputError(() => CompactRange.fromJSON({ hashes: good.hashes }), 'range.size');
      expectInputError(() => CompactRange.fromJSON({ size: 2 ** 51 + 1, hashes: [] }), 'range.size', 'range');
      // A non-canonical spelling of the same bytes: the last base64 digit's padding bits set.
      const h = good.hashes[0]!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      const noncanonical = `${h.slice(0, 42)}${alphabet[alphabet.indexOf(h[42]!) | 1]}=`;
      expect(Buffer.from(noncanonical, 'base64').equals(Buffer.from(h, 'base64'))).toBe(true);
      expectInputError(() => CompactRange.fromJSON({ ...good, hashes: [noncanonical, ...good.hashes.slice(1)] }), 'range.hashes[0]', 'range');
      expectInputError(() => CompactRange.fromJSON({ ...good, hashes: [Buffer.alloc(31).toString('base64'), ...good.hashes.slice(1)] }), 'range.hashes[0]', 'range');
    });

    it.each(HOSTILE_INPUTS.map((h) => [h.name, h.value] as const))('rejects %s as the JSON', (_n, v) => {
      expect(() => CompactRange.fromJSON(v)).toThrow();
    });
  });

  describe('when a leaf is not a hash', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !isBytes(h.value) || (h.value as Uint8Array).length !== 32).map((h) => [h.name, h.value] as const))('rejects %s', (_n, v) => {
      expectInputError(() => new CompactRange().append(v as Uint8Array), 'leaf');
    });
  });
});
