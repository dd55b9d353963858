import { readFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { CIRCUIT_IDS, CIRCUIT_PUBLIC_SIGNALS, flattenPublicSignals, namePublicSignals, signalLayout } from '../../registry/log/circuit-signals.ts';
import { entryEffects } from '../../registry/log/entry-effects.ts';
import { FIELD_ORDER } from '../../core/field.ts';
import { decodeEntry, encodeEntry, entryLeafHash, type LogEntry, MAX_ENTRY_BYTES, MAX_PLOT_WINDOWS, type ProofBundle } from '../../registry/log/entry.ts';
import { ENTRY_BUNDLE_MAX_ENTRY_BYTES, encodeEntryBundle } from '../../registry/tiles/entry-bundle.ts';
import { ENTRY_CIRCUITS, INTERPRETATIONS } from '../../registry/log/interpretation.ts';
import { HOSTILE_INPUTS } from '../hostile-inputs.ts';
import { artifacts, CEILING, capacityIssue, capacityMint, datasetEntry, fe, lotMint, plotAttestation, registration, revocation, transition } from './_fixtures.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

describe('encodeEntry', () => {
  describe('when given each entry type', () => {
    it('writes RFC 8785 canonical JSON of {type, version, body} (frozen texts)', () => {
      expect(text(encodeEntry(datasetEntry(7n, 'gfc')))).toBe(
        `{"body":{"datasetRoot":"7","manifestSha256":"${'cd'.repeat(32)}","name":"gfc"},"type":"dataset","version":1}`,
      );
      expect(text(encodeEntry(revocation('mill-7', 'sold')))).toBe('{"body":{"partyId":"mill-7","reason":"sold"},"type":"party-revocation","version":1}');
      expect(text(encodeEntry(lotMint(42n)))).toBe(
        `{"body":{"proof":{"circuit":"lot_mint","proof":{"curve":"bn128","pi_a":["1","2","1"],"pi_b":[["1","2"],["3","4"],["1","0"]],"pi_c":["5","6","1"],"protocol":"groth16"},"publicSignals":{"outCommitment":"42"},"vkeyHash":"${'ab'.repeat(32)}"}},"type":"lot-mint","version":1}`,
      );
    });

    it('writes an artifacts entry with its circuits in code-unit order, whatever the object order', () => {
      const e = artifacts(['plot_window', 'capacity_issue']);
      expect(text(encodeEntry(e))).toBe(
        `{"body":{"circuits":{"capacity_issue":{"r1csHash":"${'ff'.repeat(32)}","vkeyHash":"${'ab'.repeat(32)}","zkeyHash":"${'ee'.repeat(32)}"},"plot_window":{"r1csHash":"${'ff'.repeat(32)}","vkeyHash":"${'ab'.repeat(32)}","zkeyHash":"${'ee'.repeat(32)}"}},"profile":"test"},"type":"artifacts","version":1}`,
      );
    });

    it('hashes the leaf as SHA-256(0x00 ‖ bytes), RFC 6962 §2.1', () => {
      const e = registration('coop-1');
      expect(entryLeafHash(e)).toEqual(sha256(new Uint8Array([0, ...encodeEntry(e)])));
    });
  });

  describe('when an entry is malformed', () => {
    const base = datasetEntry(1n) as unknown as { body: Record<string, unknown> };
    const cases: [string, unknown, RegExp][] = [
      ['an unknown type', { ...base, type: 'mint' }, /"entry\.type" expected one of/],
      ['an unknown member', { ...base, extra: 1 }, /"entry" expected only the members/],
      ['a missing member', { type: 'dataset', version: 1 }, /"entry\.body" expected/],
      ['a non-canonical root', { ...base, body: { ...base.body, datasetRoot: '07' } }, /"entry\.body\.datasetRoot" expected canonical decimal/],
      ['an uppercase manifest hash', { ...base, body: { ...base.body, manifestSha256: 'CD'.repeat(32) } }, /manifestSha256" expected 64 lowercase hex/],
      ['a control character in a name', { ...base, body: { ...base.body, name: 'a\nb' } }, /"entry\.body\.name" expected text without control/],
      ['an empty name', { ...base, body: { ...base.body, name: '' } }, /"entry\.body\.name" expected text of 1\.\./],
      ['a public key that is not 32 bytes', registration('p', Buffer.alloc(31).toString('base64')), /publicKey" expected canonical base64/],
      ['a role that does not exist', { ...registration('p'), body: { ...(registration('p').body as object), role: 'king' } }, /role" expected one of/],
      ['a missing public signal', { ...lotMint(1n), body: { proof: { ...(lotMint(1n).body as { proof: object }).proof, publicSignals: {} } } }, /publicSignals\.outCommitment" expected/],
      ['an unknown public signal', { ...lotMint(1n), body: { proof: { ...(lotMint(1n).body as { proof: object }).proof, publicSignals: { outCommitment: '1', x: '2' } } } }, /publicSignals" expected only the signals/],
      ['too many nullifiers', transition({ root: 1n, nullifiers: Array.from({ length: 17 }, (_, i) => BigInt(i + 1)), outCommitments: [1n, 0n] }), /nullifiers" expected array of 1\.\.16/],
      ['one output commitment', { ...transition({ root: 1n, nullifiers: [1n], outCommitments: [1n, 0n] }), body: { proof: { ...(transition({ root: 1n, nullifiers: [1n], outCommitments: [1n, 0n] }).body as { proof: { publicSignals: object } }).proof, publicSignals: { ...(transition({ root: 1n, nullifiers: [1n], outCommitments: [1n, 0n] }).body as { proof: { publicSignals: object } }).proof.publicSignals, outCommitments: ['1'] } } } }, /outCommitments" expected array of 2\.\.2/],
      ['no window', { type: 'plot-attestation', version: 1, body: { windows: [] } }, /windows" expected array of 1\.\.40/],
 ['a capacity issue carrying a capacity_mint proof', { ...capacityIssue({ plotsRoot: 1n, issueTag: 2n, capacityCommitment: 3n }), body: capacityMint({ root: 1n, capacityNullifier: 2n, lotCommitment: 3n, remainderCommitment: 4n }).body }, /capacity-issue|proof\.circuit" expected one of capacity_issue/],
      ['a capacity issue without its cut-off', { ...capacityIssue({ plotsRoot: 1n, issueTag: 2n, capacityCommitment: 3n }), body: { proof: { ...(capacityIssue({ plotsRoot: 1n, issueTag: 2n, capacityCommitment: 3n }).body as { proof: { publicSignals: Record<string, string> } }).proof, publicSignals: { plotsRoot: '1', issueTag: '2', harvestYear: '2023', commodity: String(CEILING.commodity), yieldCeilingGramsPerPixel: String(CEILING.gramsPerPixel), capacityCommitment: '3' } } } }, /publicSignals\.cutoffCode" expected/],
      ['artifacts of no circuit', { type: 'artifacts', version: 1, body: { profile: 'test', circuits: {} } }, /circuits" expected at least one circuit/],
      ['artifacts of an unknown circuit', { type: 'artifacts', version: 1, body: { profile: 'test', circuits: { membership: (artifacts(['lot_mint']).body as { circuits: { lot_mint: object } }).circuits.lot_mint } } }, /circuits key" expected one of/],
      ['artifacts with an uppercase hash', { type: 'artifacts', version: 1, body: { profile: 'test', circuits: { lot_mint: { vkeyHash: 'AB'.repeat(32), zkeyHash: 'ee'.repeat(32), r1csHash: 'ff'.repeat(32) } } } }, /lot_mint\.vkeyHash" expected 64 lowercase hex/],
      ['artifacts missing the r1cs hash', { type: 'artifacts', version: 1, body: { profile: 'test', circuits: { lot_mint: { vkeyHash: 'ab'.repeat(32), zkeyHash: 'ee'.repeat(32) } } } }, /lot_mint\.r1csHash" expected a value/],
      ['artifacts of a bad profile', { ...artifacts(['lot_mint']), body: { ...(artifacts(['lot_mint']).body as object), profile: 'Demo' } }, /profile" expected profile name/],
      ['artifacts with circuits as an array', { type: 'artifacts', version: 1, body: { profile: 'test', circuits: [] } }, /circuits" expected plain object/],
      ['a proof with an extra member', { ...lotMint(1n), body: { proof: { ...(lotMint(1n).body as { proof: { proof: object } }).proof, proof: { ...(lotMint(1n).body as { proof: { proof: object } }).proof.proof, extra: 1 } } } }, /proof" expected only the members/],
    ];
    for (const [what, value, message] of cases) {
      it(`throws naming the field for ${what}`, () => {
        expect(() => encodeEntry(value as LogEntry)).toThrow(message);
      });
    }

    it('throws TypeError or RangeError for every hostile value', () => {
      for (const { name, value } of HOSTILE_INPUTS) expect(() => encodeEntry(value as LogEntry), name).toThrow(/^"entry(\.type)?" expected/);
    });
  });
});

describe('MAX_ENTRY_BYTES and MAX_PLOT_WINDOWS', () => {
  // The largest value the format allows in every decimal: 77 digits, below the BN254 base
  // field order q (proof coordinates) and the scalar field order r (signals).
  const Q1 = (21888242871839275222246405745257275088696311157297823662689037894645226208583n - 1n).toString();
  const R1 = (FIELD_ORDER - 1n).toString();
  const widest: ProofBundle = {
    circuit: 'plot_window',
    vkeyHash: 'f'.repeat(64),
    proof: { pi_a: [Q1, Q1, Q1], pi_b: [[Q1, Q1], [Q1, Q1], [Q1, Q1]], pi_c: [Q1, Q1, Q1], protocol: 'groth16', curve: 'bn128' },
    publicSignals: { attestationLeaf: R1, datasetRoot: R1, cutoffCode: R1 },
  };
  const attestation = (n: number): LogEntry => ({ type: 'plot-attestation', version: 1, body: { windows: Array.from({ length: n }, () => widest) } });

  describe('when a plot attestation has the most windows, each as wide as the format allows', () => {
    it('encodes within MAX_ENTRY_BYTES, the C2SP entry bundle bound, with room to spare', () => {
      expect(MAX_ENTRY_BYTES).toBe(ENTRY_BUNDLE_MAX_ENTRY_BYTES);
      const one = encodeEntry(attestation(1)).length;
      const perWindow = encodeEntry(attestation(2)).length - one;
      expect([one, perWindow]).toEqual([1507, 1447]);
      const full = encodeEntry(attestation(MAX_PLOT_WINDOWS)).length;
      expect(full).toBe(one + (MAX_PLOT_WINDOWS - 1) * perWindow);
      expect(full).toBeLessThanOrEqual(MAX_ENTRY_BYTES - 4096);
      expect(encodeEntryBundle([encodeEntry(attestation(MAX_PLOT_WINDOWS))]).length).toBe(full + 2);
    });
  });

  describe('when a plot attestation has one window more', () => {
    it('throws RangeError naming the windows', () => {
      expect(() => encodeEntry(attestation(MAX_PLOT_WINDOWS + 1))).toThrow(/"entry\.body\.windows" expected array of 1\.\.40/);
    });
  });

  describe('when bytes exceed MAX_ENTRY_BYTES', () => {
    it('decodeEntry throws RangeError before parsing them', () => {
      const big = bytes(`{"body":{"partyId":"a","reason":"${'x'.repeat(MAX_ENTRY_BYTES)}"},"type":"party-revocation","version":1}`);
      expect(() => decodeEntry(big)).toThrow(/"bytes" expected at most 65535 bytes/);
    });
  });
});

describe('decodeEntry', () => {
  describe('when given the canonical bytes of an entry', () => {
    it('returns the entry, for every type', () => {
      const entries = [
        datasetEntry(fe('d')),
        registration('a'),
        revocation('a'),
        lotMint(fe('m')),
        capacityMint({ root: 1n, capacityNullifier: 2n, lotCommitment: 3n, remainderCommitment: 4n }),
        transition({ root: 1n, nullifiers: [2n, 0n], outCommitments: [3n, 0n] }),
        plotAttestation([{ datasetRoot: 5n, attestationLeaf: 6n }]),
        capacityIssue({ plotsRoot: 7n, issueTag: 8n, capacityCommitment: 9n }),
        artifacts(['lot_mint', 'capacity_issue']),
      ];
      for (const e of entries) expect(decodeEntry(encodeEntry(e))).toEqual(e);
    });
  });

  describe('when the bytes are not canonical', () => {
    it('throws RangeError for whitespace, reordered members, escapes, bad UTF-8', () => {
      const canonical = text(encodeEntry(revocation('mill-7', 'sold')));
      for (const variant of [
        canonical.replace(':', ': '),
        '{"type":"party-revocation","version":1,"body":{"partyId":"mill-7","reason":"sold"}}',
        canonical.replace('sold', 's\\u006fld'),
        canonical.replace('"version":1', '"version":1.0'),
      ]) {
        expect(() => decodeEntry(bytes(variant)), variant).toThrow(/"bytes" expected the canonical/);
      }
      expect(() => decodeEntry(new Uint8Array([0xff, 0xfe]))).toThrow(/"bytes" expected UTF-8 JSON/);
      expect(() => decodeEntry(bytes('{"body":{},"type":"x","version":1}'))).toThrow(/"entry\.type" expected one of/);
    });

    it('throws for every hostile value', () => {
      for (const { name, value } of HOSTILE_INPUTS) {
        if (value instanceof Uint8Array) expect(() => decodeEntry(value), name).toThrow(/expected/);
        else expect(() => decodeEntry(value as Uint8Array), name).toThrow(/"bytes" expected Uint8Array/);
      }
    });
  });
});

describe('CIRCUIT_PUBLIC_SIGNALS', () => {
  describe('when compared with circuits/circuits.json and the circuit sources', () => {
    it('lists the same signals in the same order', () => {
      const config = JSON.parse(readFileSync(new URL('../../circuits/circuits.json', import.meta.url), 'utf8')) as { circuits: Record<string, { publicSignals: string[] }> };
      for (const id of CIRCUIT_IDS) expect([...CIRCUIT_PUBLIC_SIGNALS[id]], id).toEqual(config.circuits[id]?.publicSignals);
      // plot_window: its output, then its public inputs, in declaration order.
      const src = readFileSync(new URL('../../circuits/plot_window.circom', import.meta.url), 'utf8');
      const at = ['signal output attestationLeaf', 'signal input datasetRoot', 'signal input cutoffCode'].map((d) => src.indexOf(d));
      expect(at.every((x) => x >= 0)).toBe(true);
      expect(CIRCUIT_PUBLIC_SIGNALS.plot_window).toEqual(['attestationLeaf', 'datasetRoot', 'cutoffCode']);
    });

    it('names every signal the interpretation tables use', () => {
      for (const [type, byCircuit] of Object.entries(INTERPRETATIONS)) {
        for (const [circuit, t] of Object.entries(byCircuit)) {
          const names = signalLayout(circuit as never).map((s) => s.name);
          for (const used of [...t!.roots.map((r) => r.signal), ...t!.nullifiers, ...t!.lotsLeaves, ...t!.plotsLeaves, ...t!.shared]) expect(names, `${type}/${circuit}`).toContain(used);
        }
      }
      expect(ENTRY_CIRCUITS).toEqual({ transition: ['lot_transition'], 'lot-mint': ['lot_mint', 'capacity_mint'], 'plot-attestation': ['plot_window'], 'capacity-issue': ['capacity_issue'] });
    });
  });
});

describe('namePublicSignals', () => {
  describe('when given a snarkjs array', () => {
    it('is the inverse of flattenPublicSignals, sizing nullifiers[nIn] from the length', () => {
      for (const nIn of [1, 2, 8, 16]) {
        const flat = Array.from({ length: 1 + nIn + 2 + 4 }, (_, i) => String(i + 1));
        const named = namePublicSignals('lot_transition', flat);
        expect((named.nullifiers as string[]).length).toBe(nIn);
        expect(named.root).toBe('1');
        expect(named.factorDen).toBe(String(flat.length));
        expect(flattenPublicSignals('lot_transition', named)).toEqual(flat);
      }
      expect(() => namePublicSignals('lot_transition', ['1', '2', '3', '4', '5', '6'])).toThrow(RangeError);
      expect(() => namePublicSignals('lot_mint', ['1', '2'])).toThrow(RangeError);
      expect(namePublicSignals('plot_window', ['1', '2', '21'])).toEqual({ attestationLeaf: '1', datasetRoot: '2', cutoffCode: '21' });
    });
  });
});

describe('entryEffects', () => {
  describe('when given each entry type', () => {
    it('applies the interpretation table, skipping zero slots', () => {
      const t = entryEffects(transition({ root: 9n, nullifiers: [1n, 0n, 2n], outCommitments: [0n, 3n] }));
      expect([t.roots, t.nullifiers, t.lotsLeaves, t.plotsLeaves]).toEqual([[{ in: 'published-lots-root', value: 9n, signal: 'root' }], [1n, 2n], [3n], []]);
      const c = entryEffects(capacityMint({ root: 9n, capacityNullifier: 4n, lotCommitment: 5n, remainderCommitment: 6n }));
      expect([c.nullifiers, c.lotsLeaves]).toEqual([[4n], [5n, 6n]]);
      const m = entryEffects(lotMint(7n));
      expect([m.roots, m.nullifiers, m.lotsLeaves]).toEqual([[], [], [7n]]);
      const p = entryEffects(plotAttestation([{ datasetRoot: 8n, attestationLeaf: 10n }, { datasetRoot: 8n, attestationLeaf: 11n }]));
      expect([p.roots, p.plotsLeaves, p.proofs.length]).toEqual([[{ in: 'dataset-root', value: 8n, signal: 'datasetRoot' }], [10n, 11n], 2]);
      expect(entryEffects(datasetEntry(12n)).datasetRoot).toBe(12n);
      const ci = entryEffects(capacityIssue({ plotsRoot: 13n, issueTag: 14n, capacityCommitment: 15n }));
      expect([ci.roots, ci.nullifiers, ci.lotsLeaves, ci.plotsLeaves, ci.proofs.map((x) => x.publicSignals)]).toEqual([
        [{ in: 'published-plots-root', value: 13n, signal: 'plotsRoot' }],
        [14n],
        [15n],
        [],
        [['13', '14', '2023', String(CEILING.commodity), String(CEILING.gramsPerPixel), '21', '15']],
      ]);
      const a = entryEffects(artifacts(['plot_window', 'lot_mint'], 'cd'.repeat(32)));
      expect([a.pinnedKeys, a.proofs, a.lotsLeaves]).toEqual([
        [
          { circuit: 'lot_mint', vkeyHash: 'cd'.repeat(32) },
          { circuit: 'plot_window', vkeyHash: 'cd'.repeat(32) },
        ],
        [],
        [],
      ]);
      expect(entryEffects(lotMint(1n)).pinnedKeys).toEqual([]);
      expect(entryEffects(revocation('x')).party).toEqual({ kind: 'revoke', partyId: 'x' });
    });
  });

  describe('when an entry repeats a nullifier or its windows disagree', () => {
    it('throws ENTRY_REJECTED with NULLIFIER_REPEATED or WINDOWS_INCONSISTENT', () => {
      expect(() => entryEffects(transition({ root: 9n, nullifiers: [1n, 1n], outCommitments: [3n, 0n] }), 4)).toThrow(/entry 4 rejected \(NULLIFIER_REPEATED\)/);
      expect(() => entryEffects(plotAttestation([{ datasetRoot: 8n, attestationLeaf: 10n }, { datasetRoot: 7n, attestationLeaf: 11n }]))).toThrow(/WINDOWS_INCONSISTENT/);
    });
  });
});
