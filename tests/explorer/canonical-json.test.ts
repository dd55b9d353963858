// The explorer's browser module for RFC 8785 canonical JSON
// (registry/explorer/static/canonical-json.js), from which the page recomputes entry leaf
// hashes: the RFC 8785 reference vectors (tests/vectors/rfc8785), and the bytes and leaf
// hashes registry/log/entry.ts gives every entry type.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeEntry, entryLeafHash, type LogEntry } from '../../registry/log/entry.ts';
import { capacityMint, datasetEntry, fe, lotMint, plotAttestation, registration, revocation, transition } from '../registry/_fixtures.ts';

interface CanonicalJsonModule {
  canonicalJson(value: unknown): string;
}
interface TlogModule {
  leafHash(entry: Uint8Array): Promise<Uint8Array>;
}
const { canonicalJson } = (await import(new URL('../../registry/explorer/static/canonical-json.js', import.meta.url).href)) as CanonicalJsonModule;
const { leafHash } = (await import(new URL('../../registry/explorer/static/tlog.js', import.meta.url).href)) as TlogModule;
const VECTORS = new URL('../vectors/rfc8785/', import.meta.url);

describe('canonicalJson', () => {
  describe('when given the RFC 8785 reference test data', () => {
    const names = readdirSync(new URL('./output/', VECTORS)).filter((f) => f.endsWith('.json'));
    it('finds the seven outputs', () => {
      expect(names.length).toBe(7);
    });
    it.each(names)('writes %s byte for byte', (name) => {
      const input = JSON.parse(readFileSync(new URL(`./input/${name}`, VECTORS), 'utf8')) as unknown;
      const want = readFileSync(new URL(`./output/${name}`, VECTORS));
      expect(Buffer.from(canonicalJson(input), 'utf8').toString('hex')).toBe(want.toString('hex'));
    });
  });

  describe('when given every entry type, as served and parsed back', () => {
    const entries: [string, LogEntry][] = [
      ['party-registration', registration('coop-7')],
      ['party-revocation', revocation('coop-7', 'quote " backslash \\ é — ☃')],
      ['dataset', datasetEntry(fe('d'), 'Hansen GFC — crop')],
      ['plot-attestation', plotAttestation([{ datasetRoot: fe('d'), attestationLeaf: fe('a') }, { datasetRoot: fe('d'), attestationLeaf: fe('b') }])],
      ['lot-mint', lotMint(fe('m'))],
      ['lot-mint (capacity_mint)', capacityMint({ root: fe('r'), capacityNullifier: fe('n'), lotCommitment: fe('l'), remainderCommitment: fe('q') })],
      ['transition', transition({ root: fe('r'), nullifiers: [fe('n0'), 0n], outCommitments: [fe('o0'), fe('o1')] })],
    ];
    it.each(entries)('%s: gives the log’s bytes and leaf hash', async (_n, entry) => {
      const parsed = JSON.parse(JSON.stringify(entry)) as unknown;
      const bytes = new TextEncoder().encode(canonicalJson(parsed));
      expect(Buffer.from(bytes).toString('hex')).toBe(Buffer.from(encodeEntry(entry)).toString('hex'));
      expect(Buffer.from(await leafHash(bytes)).toString('hex')).toBe(Buffer.from(entryLeafHash(entry)).toString('hex'));
    });
  });

  describe('when given values JSON cannot hold', () => {
    it('throws rather than writing something else', () => {
      expect(() => canonicalJson({ a: '\ud800' })).toThrow(RangeError);
      expect(() => canonicalJson([Number.NaN])).toThrow(RangeError);
      expect(() => canonicalJson({ a: undefined })).toThrow(TypeError);
      expect(() => canonicalJson(new Date(0))).toThrow(TypeError);
      let deep: unknown = 1;
      for (let i = 0; i < 300; i++) deep = [deep];
      expect(() => canonicalJson(deep)).toThrow(RangeError);
    });
  });
});
