/**
 * The conformance suite of the `RegistryStore` contract (registry/store/store.ts), run
 * against every implementation: `storeConformance(name, fixture)` registers the tests.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { type Hash, leafHash } from '../../core/tlog/hash.ts';
import type { HashReader } from '../../core/tlog/hash-reader.ts';
import { checkRecord, proveRecord } from '../../core/tlog/record-proof.ts';
import { storedHashCount, storedHashes, storedHashIndex } from '../../core/tlog/stored-hash.ts';
import { merkleTreeHash, treeHash } from '../../core/tlog/tree-hash.ts';
import { FIELD_ORDER } from '../../core/field.ts';
import { type AppendRecord, type CheckpointRecord, type NonceClaim, nonceKey, type PartyChange, type PinnedKey, type RegistryStore, type StoreHead, type Submitter } from '../../registry/store/store.ts';
import { fe, publicKey, type StoreFixture } from './_fixtures.ts';

interface RecordSpec {
  lots?: bigint[];
  plots?: bigint[];
  nullifiers?: bigint[];
  dataset?: bigint | null;
  party?: PartyChange | null;
  pinned?: PinnedKey[];
  submitter?: Submitter;
}

const enc = (s: string) => new TextEncoder().encode(s);

/** Builds records for `specs` on top of `head`, computing stored hashes as the sequencer does. */
async function records(store: RegistryStore, head: StoreHead, specs: RecordSpec[], tag = 'e'): Promise<AppendRecord[]> {
  const base = storedHashCount(head.size);
  const fresh: Hash[] = [];
  const reader: HashReader = {
    readHashes: async (idx: number[]) => {
      const old = idx.filter((x) => x < base);
      const got = old.length > 0 ? await store.readHashes(old) : [];
      let k = 0;
      return idx.map((x) => (x < base ? got[k++]! : fresh[x - base]!));
    },
  };
  const out: AppendRecord[] = [];
  for (let i = 0; i < specs.length; i++) {
    const seq = head.size + i;
    const bytes = enc(`${tag}-${seq}`);
    const hashes = await storedHashes(seq, bytes, reader);
    fresh.push(...hashes);
    const sp = specs[i]!;
    out.push({
      sequence: seq,
      entryType: 'dataset',
      bytes,
      leafHash: leafHash(bytes),
      storedHashes: hashes,
      lotsLeaves: sp.lots ?? [],
      plotsLeaves: sp.plots ?? [],
      nullifiers: sp.nullifiers ?? [],
      datasetRoot: sp.dataset ?? null,
      party: sp.party ?? null,
      ...(sp.pinned ? { pinnedKeys: sp.pinned } : {}),
      ...(sp.submitter ? { submitter: sp.submitter } : {}),
    });
  }
  return out;
}

async function append(store: RegistryStore, specs: RecordSpec[], tag = 'e'): Promise<StoreHead> {
  const head = await store.head();
  return store.appendBatch({ expected: head, records: await records(store, head, specs, tag) });
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof CanopyError) return e.code;
    return (e as Error).name;
  }
  return 'resolved';
}

function checkpointRecord(size: number, rootHash: Hash, p: Partial<CheckpointRecord> = {}): CheckpointRecord {
  return { size, rootHash, lotsSize: 0, plotsSize: 0, lotsRoot: 1n, plotsRoot: 2n, note: `note ${size}\n`, signedAt: 1000 + size, ...p };
}

/**
 * Registers the conformance tests of one store implementation.
 * @param name - shown in test names
 * @param makeFixture - a fresh, empty store for each test
 */
export function storeConformance(name: string, makeFixture: () => StoreFixture): void {
  describe(`RegistryStore (${name})`, () => {
    let fixture: StoreFixture;
    let store: RegistryStore;
    beforeEach(async () => {
      fixture = makeFixture();
      store = await fixture.open();
    });
    afterEach(async () => {
      await store.close();
      await fixture.cleanup();
    });

    describe('head', () => {
      describe('when the store is new', () => {
        it('is empty, with no checkpoint', async () => {
          expect(await store.head()).toEqual({ size: 0, lotsSize: 0, plotsSize: 0, checkpointSize: null });
        });
      });
    });

    describe('appendBatch', () => {
      describe('when given records on the current head', () => {
        it('writes every row and returns the new head', async () => {
          const next = await append(store, [
            { lots: [fe('l0'), fe('l1')], nullifiers: [fe('n0')], dataset: fe('d0') },
            { plots: [fe('p0')], party: { kind: 'register', partyId: 'coop-1', role: 'supplier', publicKey: publicKey('coop-1') } },
            { lots: [fe('l2')], nullifiers: [fe('n1'), fe('n2')], party: { kind: 'revoke', partyId: 'coop-1' } },
          ]);
          expect(next).toEqual({ size: 3, lotsSize: 3, plotsSize: 1, checkpointSize: null });
          expect(await store.head()).toEqual(next);
          const entries = await store.readEntries(0, 3);
          expect(entries.map((e) => new TextDecoder().decode(e.bytes))).toEqual(['e-0', 'e-1', 'e-2']);
          expect(entries.map((e) => e.sequence)).toEqual([0, 1, 2]);
          expect(entries[1]!.leafHash).toEqual(leafHash(enc('e-1')));
          expect((await store.readLeaves('lots', 0, 3)).map((l) => [l.index, l.value, l.sequence])).toEqual([
            [0, fe('l0'), 0],
            [1, fe('l1'), 0],
            [2, fe('l2'), 2],
          ]);
          expect(await store.readLeaves('plots', 0, 1)).toEqual([{ index: 0, value: fe('p0'), sequence: 1 }]);
          expect(await store.findNullifiers([fe('n0'), fe('n2'), fe('nx')])).toEqual(new Map([[fe('n0'), 0], [fe('n2'), 2]]));
          expect(await store.findDatasets([fe('d0'), fe('d1')])).toEqual(new Map([[fe('d0'), 0]]));
          const party = { partyId: 'coop-1', role: 'supplier', publicKey: publicKey('coop-1'), registeredAt: 1, revokedAt: 2 };
          expect(await store.findParties(['coop-1', 'nobody'])).toEqual(new Map([['coop-1', party]]));
          expect(await store.findPartiesByKey([publicKey('coop-1'), publicKey('x')])).toEqual(new Map([[publicKey('coop-1'), party]]));
        });

        it('stores the hashes storedHashes computed, so treeHash and proofs match the definition', async () => {
          for (let n = 0; n < 13; n++) await append(store, [{}, {}].slice(0, 1 + (n % 2)));
          const head = await store.head();
          const bytes = (await store.readEntries(0, head.size)).map((e) => e.bytes);
          for (let size = 1; size <= head.size; size++) {
            const root = await treeHash(size, store);
            expect(root, `treeHash(${size})`).toEqual(merkleTreeHash(bytes.slice(0, size)));
            for (const index of [0, Math.floor(size / 2), size - 1]) {
              expect(checkRecord(await proveRecord(size, index, store), size, root, index, leafHash(bytes[index]!)), `proveRecord(${size}, ${index})`).toBe(true);
            }
          }
          expect(head.size).toBe(19);
        });
      });

      describe('when the head moved since the batch was built', () => {
        it('throws STORE_CONFLICT and writes nothing', async () => {
          await append(store, [{}]);
          const stale = { size: 0, lotsSize: 0, plotsSize: 0, checkpointSize: null };
          const recs = await records(store, stale, [{ lots: [fe('x')] }], 'stale');
          expect(await code(store.appendBatch({ expected: stale, records: recs }))).toBe('STORE_CONFLICT');
          expect(await store.head()).toEqual({ size: 1, lotsSize: 0, plotsSize: 0, checkpointSize: null });
        });
      });

      describe('when two writers race on the same head', () => {
        it('lets exactly one win', async () => {
          const head = await store.head();
          const a = await records(store, head, [{ lots: [fe('a')] }], 'a');
          const b = await records(store, head, [{ lots: [fe('b')] }], 'b');
          const results = await Promise.all([code(store.appendBatch({ expected: head, records: a })), code(store.appendBatch({ expected: head, records: b }))]);
          expect(results.sort()).toEqual(['STORE_CONFLICT', 'resolved']);
          expect((await store.head()).size).toBe(1);
        });
      });

      describe('when a unique value is already stored', () => {
        const cases: [string, RecordSpec, RecordSpec][] = [
          ['nullifier', { nullifiers: [fe('n')] }, { nullifiers: [fe('n')], lots: [fe('z')] }],
          ['dataset root', { dataset: fe('d') }, { dataset: fe('d') }],
          ['party id', { party: { kind: 'register', partyId: 'p', role: 'supplier', publicKey: publicKey('1') } }, { party: { kind: 'register', partyId: 'p', role: 'auditor', publicKey: publicKey('2') } }],
          ['party key', { party: { kind: 'register', partyId: 'p', role: 'supplier', publicKey: publicKey('1') } }, { party: { kind: 'register', partyId: 'q', role: 'supplier', publicKey: publicKey('1') } }],
          ['revocation of a revoked party', { party: { kind: 'register', partyId: 'p', role: 'supplier', publicKey: publicKey('1') } }, { party: { kind: 'revoke', partyId: 'p' } }],
        ];
        for (const [what, first, second] of cases) {
          it(`throws STORE_CONFLICT for a repeated ${what} and writes nothing`, async () => {
            await append(store, [first]);
            if (what.startsWith('revocation')) await append(store, [second]);
            const before = await store.head();
            expect(await code(append(store, [{ lots: [fe('before')] }, second], 'dup'))).toBe('STORE_CONFLICT');
            expect(await store.head()).toEqual(before);
            expect(await code(store.readEntries(before.size, before.size + 1))).toBe('NOT_FOUND');
            expect(await code(store.readLeaves('lots', before.lotsSize, before.lotsSize + 1))).toBe('NOT_FOUND');
          });
        }

        it('throws STORE_CONFLICT for the revocation of an unknown party', async () => {
          expect(await code(append(store, [{ party: { kind: 'revoke', partyId: 'ghost' } }]))).toBe('STORE_CONFLICT');
          expect((await store.head()).size).toBe(0);
        });
      });

      describe('when the batch is malformed', () => {
        it('throws RangeError for a sequence gap and writes nothing', async () => {
          const head = await store.head();
          const recs = await records(store, head, [{}, {}]);
          recs[1] = { ...recs[1]!, sequence: 5 };
          expect(await code(store.appendBatch({ expected: head, records: recs }))).toBe('RangeError');
          expect((await store.head()).size).toBe(0);
        });

        it('throws RangeError for a wrong number of stored hashes', async () => {
          const head = await store.head();
          const recs = await records(store, head, [{}, {}]);
          recs[1] = { ...recs[1]!, storedHashes: recs[1]!.storedHashes.slice(0, 1) };
          expect(await code(store.appendBatch({ expected: head, records: recs }))).toBe('RangeError');
        });

        it('throws RangeError for a zero or repeated nullifier', async () => {
          const head = await store.head();
          expect(await code(store.appendBatch({ expected: head, records: await records(store, head, [{ nullifiers: [0n] }]) }))).toBe('RangeError');
          expect(await code(store.appendBatch({ expected: head, records: await records(store, head, [{ nullifiers: [5n] }, { nullifiers: [5n] }]) }))).toBe('RangeError');
          expect((await store.head()).size).toBe(0);
        });
      });
    });

    describe('findLeaf', () => {
      describe('when leaf values repeat within and across trees', () => {
        it('returns the lowest index holding the value and the entry that appended it', async () => {
          await append(store, [{ lots: [fe('a'), fe('b')] }, { plots: [fe('b')] }, { lots: [fe('a'), fe('c')] }]);
          expect(await store.findLeaf('lots', fe('a'))).toEqual({ index: 0, value: fe('a'), sequence: 0 });
          expect(await store.findLeaf('lots', fe('c'))).toEqual({ index: 3, value: fe('c'), sequence: 2 });
          expect(await store.findLeaf('plots', fe('b'))).toEqual({ index: 0, value: fe('b'), sequence: 1 });
          expect(await store.findLeaf('plots', fe('a'))).toBeNull();
          expect(await store.findLeaf('lots', 0n)).toBeNull();
        });
      });

      describe('when the value or tree is malformed', () => {
        it('throws RangeError or TypeError', async () => {
          expect(await code(store.findLeaf('lots', FIELD_ORDER))).toBe('RangeError');
          expect(await code(store.findLeaf('lots', 1 as unknown as bigint))).toBe('TypeError');
          expect(await code(store.findLeaf('trunks' as 'lots', 1n))).toBe('RangeError');
        });
      });
    });

    describe('findPartiesByRole', () => {
      describe('when parties of several roles are registered and one is revoked', () => {
        it('lists the role’s parties, revoked ones included, in registration order', async () => {
          await append(store, [
            { party: { kind: 'register', partyId: 'aud-2', role: 'auditor', publicKey: publicKey('a2') } },
            { party: { kind: 'register', partyId: 'coop-1', role: 'supplier', publicKey: publicKey('c1') } },
            { party: { kind: 'register', partyId: 'aud-1', role: 'auditor', publicKey: publicKey('a1') } },
            { party: { kind: 'revoke', partyId: 'aud-2' } },
          ]);
          expect(await store.findPartiesByRole('auditor')).toEqual([
            { partyId: 'aud-2', role: 'auditor', publicKey: publicKey('a2'), registeredAt: 0, revokedAt: 3 },
            { partyId: 'aud-1', role: 'auditor', publicKey: publicKey('a1'), registeredAt: 2, revokedAt: null },
          ]);
          expect(await store.findPartiesByRole('publisher')).toEqual([]);
        });
      });
    });

    describe('pinned keys', () => {
      describe('when records pin keys, some twice', () => {
        it('stores each (circuit, vkeyHash) once, at the first entry that pinned it', async () => {
          const k1 = { circuit: 'lot_mint', vkeyHash: 'a1'.repeat(32) };
          const k2 = { circuit: 'lot_transition', vkeyHash: 'a2'.repeat(32) };
          const k3 = { circuit: 'lot_mint', vkeyHash: 'a3'.repeat(32) };
          expect(await store.readPinnedKeys()).toEqual([]);
          await append(store, [{}, { pinned: [k1, k2] }]);
          await append(store, [{ pinned: [k2, k3] }]);
          expect(await store.readPinnedKeys()).toEqual([
            { ...k1, sequence: 1 },
            { ...k2, sequence: 1 },
            { ...k3, sequence: 2 },
          ]);
        });
      });

      describe('when the batch fails or a key is malformed', () => {
        it('pins nothing', async () => {
          await append(store, [{ nullifiers: [fe('n')] }]);
          expect(await code(append(store, [{ pinned: [{ circuit: 'lot_mint', vkeyHash: 'b1'.repeat(32) }] }, { nullifiers: [fe('n')] }]))).toBe('STORE_CONFLICT');
          expect(await code(append(store, [{ pinned: [{ circuit: 'lot_mint', vkeyHash: 'B1'.repeat(32) }] }]))).toBe('RangeError');
          expect(await code(append(store, [{ pinned: [{ circuit: 'Lot mint', vkeyHash: 'b1'.repeat(32) }] }]))).toBe('RangeError');
          expect(await store.readPinnedKeys()).toEqual([]);
        });
      });
    });

    describe('submissions', () => {
      const who = (keyId: string, submittedAt: number): Submitter => ({ keyId, kind: 'party', role: 'supplier', submittedAt });

      describe('when records carry submitters', () => {
        it('writes one row per record with one, in the same batch, and reads ranges in order', async () => {
          await append(store, [{ submitter: who('coop-1', 1000) }, {}, { submitter: { keyId: 'accreditor.test', kind: 'accreditor', role: 'accreditor', submittedAt: 1001 } }]);
          await append(store, [{ submitter: { keyId: 'registry.test/canopy', kind: 'operator', role: 'operator', submittedAt: 1002 } }]);
          expect(await store.readSubmissions(0, 4)).toEqual([
            { sequence: 0, ...who('coop-1', 1000) },
            { sequence: 2, keyId: 'accreditor.test', kind: 'accreditor', role: 'accreditor', submittedAt: 1001 },
            { sequence: 3, keyId: 'registry.test/canopy', kind: 'operator', role: 'operator', submittedAt: 1002 },
          ]);
          expect((await store.readSubmissions(1, 3)).map((r) => r.sequence)).toEqual([2]);
          expect(await store.readSubmissions(4, 100)).toEqual([]);
        });
      });

      describe('when the batch is refused', () => {
        it('writes no submitter row: entry and row commit together or not at all', async () => {
          await append(store, [{ dataset: fe('d'), submitter: who('coop-1', 1) }]);
          expect(await code(append(store, [{ submitter: who('coop-2', 2) }, { dataset: fe('d'), submitter: who('coop-2', 2) }]))).toBe('STORE_CONFLICT');
          expect((await store.readSubmissions(0, 10)).map((r) => r.keyId)).toEqual(['coop-1']);
        });
      });

      describe('when a submitter or range is malformed', () => {
        it('throws RangeError or TypeError and writes nothing', async () => {
          expect(await code(append(store, [{ submitter: { ...who('coop-1', 1), kind: 'king' as 'party' } }]))).toBe('RangeError');
          expect(await code(append(store, [{ submitter: who('has space', 1) }]))).toBe('RangeError');
          expect(await code(append(store, [{ submitter: who('coop-1', 1.5) }]))).toBe('TypeError');
          expect((await store.head()).size).toBe(0);
          expect(await code(store.readSubmissions(5, 4))).toBe('RangeError');
          expect(await code(store.readSubmissions(0, 10_001))).toBe('RangeError');
        });
      });
    });

    describe('rememberNonce and sweepNonces', () => {
      describe('when a nonce is remembered', () => {
        it('is fresh once per key id, replayed while live, and fresh again once expired', async () => {
          expect(await store.rememberNonce('coop-1', 'nonce-aaaaaaaaaaaa', 1300, 1000)).toBe(true);
          expect(await store.rememberNonce('coop-1', 'nonce-aaaaaaaaaaaa', 1300, 1200)).toBe(false);
          expect(await store.rememberNonce('coop-1', 'nonce-aaaaaaaaaaaa', 1400, 1300)).toBe(false);
          expect(await store.rememberNonce('coop-2', 'nonce-aaaaaaaaaaaa', 1300, 1000)).toBe(true);
          // Expired (1300 < 1301): as good as absent.
          expect(await store.rememberNonce('coop-1', 'nonce-aaaaaaaaaaaa', 1601, 1301)).toBe(true);
          expect(await store.rememberNonce('coop-1', 'nonce-aaaaaaaaaaaa', 1700, 1500)).toBe(false);
        });
      });

      describe('when nonces expire', () => {
        it('sweeps exactly the expired ones', async () => {
          for (let i = 0; i < 5; i++) await store.rememberNonce('coop-1', `nonce-${i}-aaaaaaaaaa`, 1000 + i, 900);
          expect(await store.sweepNonces(1003)).toBe(3);
          expect(await store.sweepNonces(1003)).toBe(0);
          expect(await store.rememberNonce('coop-1', 'nonce-4-aaaaaaaaaa', 2000, 1003)).toBe(false);
          expect(await store.rememberNonce('coop-1', 'nonce-0-aaaaaaaaaa', 2000, 1003)).toBe(true);
        });
      });

      describe('when two connections to the store race on one nonce', () => {
        it('lets exactly one of them have it', async () => {
          const other = await fixture.open();
          try {
            const results = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? store : other).rememberNonce('coop-1', 'raced-nonce-aaaaaaa', 2000, 1000)));
            expect(results.filter((r) => r)).toHaveLength(1);
          } finally {
            await other.close();
          }
        });
      });

      describe('when a batch claims nonces', () => {
        const claim = (nonce: string, expiresAt = 1300, nowSeconds = 1000): NonceClaim => ({ keyId: 'coop-1', nonce, expiresAt, nowSeconds });
        async function claimed(claims: NonceClaim[], tag: string): Promise<string> {
          const head = await store.head();
          return code(store.appendBatch({ expected: head, records: await records(store, head, [{ lots: [fe(tag)] }], tag), nonces: claims }));
        }

        it('records them with the entries: rememberNonce and readNonces see them', async () => {
          expect(await claimed([claim('claim-a-aaaaaaaaaaa'), claim('claim-b-aaaaaaaaaaa', 1400)], 'c1')).toBe('resolved');
          expect((await store.head()).size).toBe(1);
          expect(await store.rememberNonce('coop-1', 'claim-a-aaaaaaaaaaa', 1300, 1200)).toBe(false);
          const read = await store.readNonces([{ keyId: 'coop-1', nonce: 'claim-b-aaaaaaaaaaa' }, { keyId: 'coop-2', nonce: 'claim-b-aaaaaaaaaaa' }, { keyId: 'coop-1', nonce: 'claim-a-aaaaaaaaaaa' }]);
          expect([...read.entries()].sort()).toEqual([[nonceKey('coop-1', 'claim-a-aaaaaaaaaaa'), 1300], [nonceKey('coop-1', 'claim-b-aaaaaaaaaaa'), 1400]]);
          expect(await store.readNonces([])).toEqual(new Map());
        });

        it('throws STORE_CONFLICT and writes nothing if one of them is live', async () => {
          expect(await store.rememberNonce('coop-1', 'claim-live-aaaaaaaa', 1300, 1000)).toBe(true);
          expect(await claimed([claim('claim-fresh-aaaaaaa'), claim('claim-live-aaaaaaaa', 1300, 1299)], 'c2')).toBe('STORE_CONFLICT');
          expect(await store.head()).toEqual({ size: 0, lotsSize: 0, plotsSize: 0, checkpointSize: null });
          expect(await store.readNonces([{ keyId: 'coop-1', nonce: 'claim-fresh-aaaaaaa' }])).toEqual(new Map());
          // Claimed by an earlier batch: the same.
          expect(await claimed([claim('claim-once-aaaaaaaa')], 'c3')).toBe('resolved');
          expect(await claimed([claim('claim-once-aaaaaaaa')], 'c4')).toBe('STORE_CONFLICT');
          expect((await store.head()).size).toBe(1);
        });

        it('takes over a row that expired before the claim’s clock, and no other', async () => {
          expect(await store.rememberNonce('coop-1', 'claim-old-aaaaaaaaa', 1300, 1000)).toBe(true);
          expect(await claimed([claim('claim-old-aaaaaaaaa', 1700, 1300)], 'c5')).toBe('STORE_CONFLICT');
          expect(await claimed([claim('claim-old-aaaaaaaaa', 1700, 1301)], 'c6')).toBe('resolved');
          expect((await store.readNonces([{ keyId: 'coop-1', nonce: 'claim-old-aaaaaaaaa' }])).get(nonceKey('coop-1', 'claim-old-aaaaaaaaa'))).toBe(1700);
        });

        it('lets exactly one of a claim and a concurrent rememberNonce have the nonce', async () => {
          const other = await fixture.open();
          try {
            const head = await store.head();
            const recs = await records(store, head, [{}], 'race');
            const [batch, remembered] = await Promise.all([code(store.appendBatch({ expected: head, records: recs, nonces: [claim('claim-race-aaaaaaa')] })), other.rememberNonce('coop-1', 'claim-race-aaaaaaa', 1300, 1000)]);
            expect([batch, remembered].sort()).toEqual(batch === 'resolved' ? [false, 'resolved'] : [true, 'STORE_CONFLICT']);
            expect((await store.head()).size).toBe(batch === 'resolved' ? 1 : 0);
          } finally {
            await other.close();
          }
        });

        it('throws RangeError for a claim repeated in the batch or malformed, and writes nothing', async () => {
          expect(await claimed([claim('claim-twice-aaaaaaa'), claim('claim-twice-aaaaaaa')], 'c7')).toBe('RangeError');
          expect(await claimed([{ ...claim('claim-bad-aaaaaaaaa'), keyId: 'coop 1' }], 'c8')).toBe('RangeError');
          expect(await claimed([{ ...claim('claim-bad-aaaaaaaaa'), nowSeconds: 1.5 }], 'c9')).toBe('TypeError');
          expect((await store.head()).size).toBe(0);
          expect(await code(store.readNonces([{ keyId: 'coop-1', nonce: 'x'.repeat(65) }]))).toBe('RangeError');
        });
      });

      describe('when an argument is malformed', () => {
        it('throws RangeError or TypeError', async () => {
          expect(await code(store.rememberNonce('coop 1', 'nonce-aaaaaaaaaaaa', 1, 0))).toBe('RangeError');
          expect(await code(store.rememberNonce('coop-1', 'n'.repeat(65), 1, 0))).toBe('RangeError');
          expect(await code(store.rememberNonce('coop-1', 'nonce-aaaaaaaaaaaa', 1.5, 0))).toBe('TypeError');
          expect(await code(store.sweepNonces(-1))).toBe('RangeError');
        });
      });
    });

    describe('readHashes', () => {
      describe('when every index is stored', () => {
        it('returns one 32-byte hash per index, in request order', async () => {
          await append(store, [{}, {}, {}, {}]);
          const all = await store.readHashes([0, 1, 2, 3, 4, 5, 6]);
          expect(all).toHaveLength(7);
          const shuffled = await store.readHashes([6, 0, 3, 3]);
          expect(shuffled).toEqual([all[6], all[0], all[3], all[3]]);
          expect(all[storedHashIndex(0, 2)]).toEqual(leafHash(enc('e-2')));
        });
      });

      describe('when an index is missing', () => {
        it('throws NOT_FOUND rather than return a short list', async () => {
          await append(store, [{}]);
          expect(await code(store.readHashes([0, 1]))).toBe('NOT_FOUND');
        });
      });
    });

    describe('readEntries and readLeaves', () => {
      describe('when the range reaches beyond the log', () => {
        it('throws NOT_FOUND', async () => {
          await append(store, [{ lots: [fe('a')] }]);
          expect(await code(store.readEntries(0, 2))).toBe('NOT_FOUND');
          expect(await code(store.readLeaves('lots', 0, 2))).toBe('NOT_FOUND');
          expect(await store.readEntries(1, 1)).toEqual([]);
        });
      });

      describe('when the range is malformed', () => {
        it('throws RangeError or TypeError', async () => {
          expect(await code(store.readEntries(2, 1))).toBe('RangeError');
          expect(await code(store.readEntries(-1, 1))).toBe('RangeError');
          expect(await code(store.readEntries(0.5, 1))).toBe('TypeError');
          expect(await code(store.readLeaves('trunks' as 'lots', 0, 1))).toBe('RangeError');
        });
      });
    });

    describe('appendCheckpoint', () => {
      describe('when the previous size matches', () => {
        it('stores checkpoints; latest, readCheckpoints and findPublishedRoots read them', async () => {
          await append(store, [{ lots: [fe('a')] }, {}, { lots: [fe('b')], plots: [fe('p')] }]);
          const r1 = await treeHash(1, store);
          const r3 = await treeHash(3, store);
          const c1 = checkpointRecord(1, r1, { lotsSize: 1, lotsRoot: 11n, plotsRoot: 99n });
          const c3 = checkpointRecord(3, r3, { lotsSize: 2, plotsSize: 1, lotsRoot: 33n, plotsRoot: 99n });
          await store.appendCheckpoint(c1, null);
          await store.appendCheckpoint(c3, 1);
          expect((await store.head()).checkpointSize).toBe(3);
          expect(await store.latestCheckpoint()).toEqual(c3);
          expect(await store.readCheckpoints(0, 10)).toEqual([c1, c3]);
          expect(await store.readCheckpoints(2, 10)).toEqual([c3]);
          expect(await store.findPublishedRoots('lots', [11n, 33n, 44n])).toEqual(new Map([[11n, 1], [33n, 3]]));
          expect(await store.findPublishedRoots('plots', [99n, 11n])).toEqual(new Map([[99n, 1]]));
        });
      });

      describe('when the compare-and-set or the bounds fail', () => {
        it('throws STORE_CONFLICT and stores nothing', async () => {
          await append(store, [{}, {}]);
          const r = await treeHash(2, store);
          expect(await code(store.appendCheckpoint(checkpointRecord(2, r), 1))).toBe('STORE_CONFLICT');
          expect(await code(store.appendCheckpoint(checkpointRecord(3, r), null))).toBe('STORE_CONFLICT');
          expect(await code(store.appendCheckpoint(checkpointRecord(2, r, { lotsSize: 1 }), null))).toBe('STORE_CONFLICT');
          await store.appendCheckpoint(checkpointRecord(2, r), null);
          expect(await code(store.appendCheckpoint(checkpointRecord(2, r), 2))).toBe('STORE_CONFLICT');
          expect(await code(store.appendCheckpoint(checkpointRecord(1, r), 2))).toBe('STORE_CONFLICT');
          expect(await store.readCheckpoints(0, 10)).toHaveLength(1);
        });
      });
    });

    describe('replaceCheckpointNote', () => {
      describe('when the note is still the one read', () => {
        it('replaces it; a stale previous note is STORE_CONFLICT, an unknown size NOT_FOUND', async () => {
          await append(store, [{}]);
          await store.appendCheckpoint(checkpointRecord(1, await treeHash(1, store)), null);
          await store.replaceCheckpointNote(1, 'cosigned\n', 'note 1\n');
          expect((await store.latestCheckpoint())!.note).toBe('cosigned\n');
          expect(await code(store.replaceCheckpointNote(1, 'other\n', 'note 1\n'))).toBe('STORE_CONFLICT');
          expect(await code(store.replaceCheckpointNote(7, 'other\n', 'note 7\n'))).toBe('NOT_FOUND');
          expect((await store.latestCheckpoint())!.note).toBe('cosigned\n');
        });
      });
    });

    describe('kvGet and kvPut', () => {
      describe('when a key is written twice', () => {
        it('returns the last value; an unknown key is null', async () => {
          expect(await store.kvGet('trees/lots')).toBeNull();
          await store.kvPut('trees/lots', new Uint8Array([1, 2, 3]));
          await store.kvPut('trees/lots', new Uint8Array([4]));
          expect(await store.kvGet('trees/lots')).toEqual(new Uint8Array([4]));
          expect(await code(store.kvPut('bad key!', new Uint8Array()))).toBe('RangeError');
        });
      });
    });

    describe('reopening', () => {
      describe('when the store is closed and opened again', () => {
        it('holds everything that was committed', async () => {
          await append(store, [{ lots: [fe('a')], nullifiers: [fe('n')] }, { plots: [fe('p')] }]);
          await store.appendCheckpoint(checkpointRecord(2, await treeHash(2, store), { lotsSize: 1, plotsSize: 1 }), null);
          const head = await store.head();
          const root = await treeHash(2, store);
          await store.close();
          store = await fixture.open();
          expect(await store.head()).toEqual(head);
          expect(await treeHash(2, store)).toEqual(root);
          expect(await store.findNullifiers([fe('n')])).toEqual(new Map([[fe('n'), 0]]));
          expect((await store.latestCheckpoint())!.size).toBe(2);
        });
      });
    });
  });
}
