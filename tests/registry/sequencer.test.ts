import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { leafHash } from '../../core/tlog/hash.ts';
import { encodeEntry, type LogEntry } from '../../registry/log/entry.ts';
import type { RegistryLog } from '../../registry/log/registry-log.ts';
import { EntryRejectedError } from '../../registry/log/rejection.ts';
import { NonceReplayedError } from '../../registry/log/nonce-replayed.ts';
import { type NonceClaim, nonceKey, type RegistryStore } from '../../registry/store/store.ts';
import { HOSTILE_INPUTS } from '../hostile-inputs.ts';
import {
  capacityMint,
  datasetEntry,
  FakeVerifier,
  fe,
  lotMint,
  openLog,
  plotAttestation,
  registration,
  rejection,
  replayAndCheck,
  revocation,
  type StoreFixture,
  storeKinds,
  transition,
} from './_fixtures.ts';

for (const { kind, fixture: makeFixture } of storeKinds()) {
  describe(`Sequencer.append (${kind})`, () => {
    let fixture: StoreFixture;
    let store: RegistryStore;
    let verifier: FakeVerifier;
    let log: RegistryLog;

    beforeEach(async () => {
      fixture = makeFixture();
      store = await fixture.open();
      verifier = new FakeVerifier();
      log = await openLog(store, verifier);
    });
    afterEach(async () => {
      await log.close();
      await fixture.cleanup();
    });

    /** Mints lots and signs a checkpoint publishing them; returns the published lots root. */
    async function publishedLots(labels: string[]): Promise<bigint> {
      await log.append(labels.map((l) => lotMint(fe(l))));
      const cp = await log.signCheckpoint();
      return BigInt(cp.lotsRoot);
    }

    /** Expects the log to be exactly as `before` (size, trees, replay). */
    async function expectUnchanged(before: { size: number; lotsSize: number; plotsSize: number }) {
      const head = await store.head();
      expect([head.size, head.lotsSize, head.plotsSize]).toEqual([before.size, before.lotsSize, before.plotsSize]);
      await replayAndCheck(store);
    }

    describe('when given well-formed entries', () => {
      it('assigns consecutive sequence numbers and acknowledges each with its leaf hash', async () => {
        const entries: LogEntry[] = [datasetEntry(fe('d1')), registration('coop-1'), lotMint(fe('m1'))];
        const receipts = await log.append(entries);
        expect(receipts.map((r) => r.sequence)).toEqual([0, 1, 2]);
        expect(receipts.map((r) => r.leafHash)).toEqual(entries.map((e) => Buffer.from(leafHash(encodeEntry(e))).toString('base64')));
        expect(receipts[2]!.lotsLeafIndexes).toEqual([0]);
        const more = await log.append([lotMint(fe('m2')), lotMint(fe('m3'))]);
        expect(more.map((r) => [r.sequence, r.lotsLeafIndexes])).toEqual([
          [3, [1]],
          [4, [2]],
        ]);
        const replay = await replayAndCheck(store);
        expect(replay.size).toBe(5);
        expect(log.sequencer.trees.root('lots')).toBe(replay.lots.root);
      });

      it('passes the verifier each proof with its signals flattened in snarkjs order', async () => {
        const root = await publishedLots(['a']);
        verifier.calls.length = 0;
        await log.append([transition({ root, nullifiers: [fe('n1'), 0n], outCommitments: [fe('o1'), 0n] })]);
        expect(verifier.calls).toEqual([
          { circuitId: 'lot_transition', vkeyHash: 'ab'.repeat(32), publicSignals: [String(root), String(fe('n1')), '0', String(fe('o1')), '0', '90111', '90111', '1', '1'] },
        ]);
      });
    });

    describe('when a transition references a root no checkpoint published', () => {
      it('rejects it with ROOT_NOT_PUBLISHED and leaves the log unchanged', async () => {
        await log.append([lotMint(fe('a'))]);
        const unpublished = log.sequencer.trees.root('lots');
        const before = await store.head();
        const err = await rejection(log.append([transition({ root: unpublished, nullifiers: [fe('n')], outCommitments: [fe('o'), 0n] })]));
        expect(err).toBeInstanceOf(EntryRejectedError);
        expect([err.code, err.reason, err.index]).toEqual(['ENTRY_REJECTED', 'ROOT_NOT_PUBLISHED', 0]);
        await expectUnchanged(before);
        expect(await store.findNullifiers([fe('n')])).toEqual(new Map());
      });

      it('accepts it once a signed checkpoint publishes the root, and records its effects', async () => {
        const root = await publishedLots(['a', 'b']);
        const [r] = await log.append([transition({ root, nullifiers: [fe('n1'), 0n], outCommitments: [fe('o1'), 0n] })]);
        expect(r!.lotsLeafIndexes).toEqual([2]);
        expect(await store.findNullifiers([fe('n1'), 0n])).toEqual(new Map([[fe('n1'), r!.sequence]]));
        expect(log.sequencer.trees.leaf('lots', 2)).toBe(fe('o1'));
      });

      it('keeps accepting an older published root after newer ones', async () => {
        const old = await publishedLots(['a']);
        await publishedLots(['b']);
        await log.append([transition({ root: old, nullifiers: [fe('n1')], outCommitments: [fe('o1'), fe('o2')] })]);
        expect((await store.head()).lotsSize).toBe(4);
      });
    });

    describe('when a nullifier repeats', () => {
      it('rejects a repeat within one entry with NULLIFIER_REPEATED', async () => {
        const root = await publishedLots(['a']);
        const before = await store.head();
        const err = await rejection(log.append([transition({ root, nullifiers: [fe('n'), fe('n')], outCommitments: [fe('o'), 0n] })]));
        expect([err.reason, err.index]).toEqual(['NULLIFIER_REPEATED', 0]);
        await expectUnchanged(before);
      });

      it('rejects a repeat across entries of one call with NULLIFIER_REPEATED, appending none of them', async () => {
        const root = await publishedLots(['a']);
        const before = await store.head();
        const err = await rejection(
          log.append([lotMint(fe('x')), transition({ root, nullifiers: [fe('n')], outCommitments: [fe('o'), 0n] }), transition({ root, nullifiers: [fe('n')], outCommitments: [fe('p'), 0n] })]),
        );
        expect([err.reason, err.index]).toEqual(['NULLIFIER_REPEATED', 2]);
        await expectUnchanged(before);
      });

      it('rejects a nullifier spent by an earlier call with NULLIFIER_SPENT, the log unchanged', async () => {
        const root = await publishedLots(['a']);
        await log.append([transition({ root, nullifiers: [fe('n')], outCommitments: [fe('o'), 0n] })]);
        const before = await store.head();
        const err = await rejection(log.append([transition({ root, nullifiers: [fe('m'), fe('n')], outCommitments: [fe('p'), 0n] })]));
        expect([err.reason, err.index]).toEqual(['NULLIFIER_SPENT', 0]);
        await expectUnchanged(before);
        expect(await store.findNullifiers([fe('m')])).toEqual(new Map());
      });

      it('lets exactly one of two concurrent spends of one nullifier through', async () => {
        const root = await publishedLots(['a']);
        const results = await Promise.allSettled([0, 1, 2, 3].map((i) => log.append([transition({ root, nullifiers: [fe('n')], outCommitments: [fe(`o${i}`), 0n] })])));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const reasons = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as EntryRejectedError).reason);
        expect(reasons).toEqual(['NULLIFIER_SPENT', 'NULLIFIER_SPENT', 'NULLIFIER_SPENT']);
        await replayAndCheck(store);
      });
    });

    describe('when the verifier rejects a proof', () => {
      it('rejects the call with PROOF_INVALID naming the entry, and leaves the log unchanged', async () => {
        const root = await publishedLots(['a']);
        const before = await store.head();
        const err = await rejection(log.append([lotMint(fe('ok')), transition({ root, nullifiers: [fe('n')], outCommitments: [fe('o'), 0n] }, false)]));
        expect([err.reason, err.index]).toEqual(['PROOF_INVALID', 1]);
        await expectUnchanged(before);
        // The nullifier of the refused entry stays unspent.
        await log.append([transition({ root, nullifiers: [fe('n')], outCommitments: [fe('o'), 0n] })]);
      });
    });

    describe('when the verifier itself fails', () => {
      it('rejects with the fault, not a refusal, and appends nothing', async () => {
        verifier.fault = new Error('worker crashed');
        const err = await rejection(log.append([lotMint(fe('a'))]));
        expect(err).not.toBeInstanceOf(EntryRejectedError);
        expect((err as unknown as Error).message).toBe('worker crashed');
        expect((await store.head()).size).toBe(0);
      });
    });

    describe('when a capacity mint spends capacity', () => {
      it('checks its root, spends its nullifier and appends lot and remainder', async () => {
        const root = await publishedLots(['cap']);
        const [r] = await log.append([capacityMint({ root, capacityNullifier: fe('cn'), lotCommitment: fe('lot'), remainderCommitment: fe('rest') })]);
        expect(r!.lotsLeafIndexes).toEqual([1, 2]);
        expect((await store.findNullifiers([fe('cn')])).get(fe('cn'))).toBe(r!.sequence);
        const err = await rejection(log.append([capacityMint({ root: fe('unpublished'), capacityNullifier: fe('cn2'), lotCommitment: fe('l2'), remainderCommitment: fe('r2') })]));
        expect(err.reason).toBe('ROOT_NOT_PUBLISHED');
      });
    });

    describe('when a plot attestation is appended', () => {
      it('requires its dataset root to be a dataset entry (DATASET_UNKNOWN otherwise)', async () => {
        const err = await rejection(log.append([plotAttestation([{ datasetRoot: fe('ds'), attestationLeaf: fe('w1') }])]));
        expect(err.reason).toBe('DATASET_UNKNOWN');
        expect((await store.head()).size).toBe(0);
      });

      it('appends one plots leaf per window once the dataset is registered, even earlier in the same call', async () => {
        const receipts = await log.append([datasetEntry(fe('ds')), plotAttestation([{ datasetRoot: fe('ds'), attestationLeaf: fe('w1') }, { datasetRoot: fe('ds'), attestationLeaf: fe('w2') }])]);
        expect(receipts[1]!.plotsLeafIndexes).toEqual([0, 1]);
        expect([log.sequencer.trees.leaf('plots', 0), log.sequencer.trees.leaf('plots', 1)]).toEqual([fe('w1'), fe('w2')]);
      });

      it('rejects windows that disagree on the cut-off with WINDOWS_INCONSISTENT', async () => {
        await log.append([datasetEntry(fe('ds'))]);
        const err = await rejection(log.append([plotAttestation([{ datasetRoot: fe('ds'), attestationLeaf: fe('w1') }, { datasetRoot: fe('ds'), attestationLeaf: fe('w2'), cutoffCode: 22 }])]));
        expect(err.reason).toBe('WINDOWS_INCONSISTENT');
      });

      it('rejects a dataset registered twice with DATASET_EXISTS', async () => {
        await log.append([datasetEntry(fe('ds'))]);
        expect((await rejection(log.append([datasetEntry(fe('ds'), 'again')]))).reason).toBe('DATASET_EXISTS');
      });
    });

    describe('when parties are registered and revoked', () => {
      it('keeps ids and keys unique and revokes once', async () => {
        await log.append([registration('coop-1')]);
        expect((await rejection(log.append([registration('coop-1', undefined, 'auditor')]))).reason).toBe('PARTY_EXISTS');
        expect((await rejection(log.append([registration('coop-2', (await store.findParties(['coop-1'])).get('coop-1')!.publicKey)]))).reason).toBe('KEY_IN_USE');
        expect((await rejection(log.append([revocation('ghost')]))).reason).toBe('PARTY_UNKNOWN');
        await log.append([revocation('coop-1')]);
        expect((await rejection(log.append([revocation('coop-1')]))).reason).toBe('PARTY_REVOKED');
        expect((await rejection(log.append([registration('coop-1', undefined)]))).reason).toBe('PARTY_EXISTS');
        expect((await store.findParties(['coop-1'])).get('coop-1')!.revokedAt).toBe(1);
        // Registered and revoked within one call.
        await log.append([registration('coop-3'), revocation('coop-3')]);
      });
    });

    describe('when a tree is full', () => {
      it('rejects the entry with TREE_FULL', async () => {
        await log.close();
        store = await fixture.open();
        log = await openLog(store, verifier, { lots: 1, plots: 1 });
        await log.append([lotMint(fe('a')), lotMint(fe('b'))]);
        expect((await rejection(log.append([lotMint(fe('c'))]))).reason).toBe('TREE_FULL');
      });
    });

    describe('when an entry is malformed', () => {
      it('throws TypeError or RangeError naming the field, and appends nothing', async () => {
        await expect(log.append([{ ...lotMint(fe('a')), version: 2 } as unknown as LogEntry])).rejects.toThrow(/"entry\.version" expected/);
        const bad = lotMint(fe('a')) as { body: { proof: { circuit: string } } };
        bad.body.proof.circuit = 'lot_transition';
        await expect(log.append([bad as unknown as LogEntry])).rejects.toThrow(/"entry\.body\.proof\.circuit" expected one of lot_mint, capacity_mint/);
        await expect(log.append([])).rejects.toThrow(RangeError);
        expect((await store.head()).size).toBe(0);
      });

      it('rejects every hostile value as the entries list or as an entry', async () => {
        for (const { name, value } of HOSTILE_INPUTS) {
          await expect(log.append(value as LogEntry[]), name).rejects.toThrow(/expected/);
          await expect(log.append([value as LogEntry]), name).rejects.toThrow(/expected/);
        }
        expect((await store.head()).size).toBe(0);
      });
    });

    describe('when a call carries the nonce of its request', () => {
      const claim = (nonce: string, nowSeconds = 1000): NonceClaim => ({ keyId: 'coop-1', nonce, expiresAt: 1300, nowSeconds });
      const stored = async (nonce: string) => (await store.readNonces([{ keyId: 'coop-1', nonce }])).get(nonceKey('coop-1', nonce));

      it('records the nonce in the append’s transaction, and refuses it a second time with nothing appended', async () => {
        const [r] = await log.append([lotMint(fe('n1'))], { nonce: claim('seq-nonce-1-aaaaaa') });
        expect(r!.sequence).toBe(0);
        expect(await stored('seq-nonce-1-aaaaaa')).toBe(1300);
        const again = await log.append([lotMint(fe('n2'))], { nonce: claim('seq-nonce-1-aaaaaa', 1200) }).catch((e: unknown) => e);
        expect(again).toBeInstanceOf(NonceReplayedError);
        expect((again as NonceReplayedError).code).toBe('NONCE_REPLAYED');
        await expectUnchanged({ size: 1, lotsSize: 1, plotsSize: 0 });
        // Once the stored row expired before the claim's clock, the nonce is free again.
        await log.append([lotMint(fe('n3'))], { nonce: claim('seq-nonce-1-aaaaaa', 1301) });
        expect((await store.head()).size).toBe(2);
      });

      it('refuses a nonce rememberNonce recorded (a signed request that appended nothing)', async () => {
        expect(await store.rememberNonce('coop-1', 'seq-nonce-2-aaaaaa', 1300, 1000)).toBe(true);
        await expect(log.append([lotMint(fe('n4'))], { nonce: claim('seq-nonce-2-aaaaaa') })).rejects.toBeInstanceOf(NonceReplayedError);
        expect((await store.head()).size).toBe(0);
      });

      it('commits one of two calls with the same nonce in one group, and the others of the group', async () => {
        const outcomes = await Promise.allSettled([
          log.append([lotMint(fe('g1'))], { nonce: claim('seq-nonce-3-aaaaaa') }),
          log.append([lotMint(fe('g2'))], { nonce: claim('seq-nonce-3-aaaaaa') }),
          log.append([lotMint(fe('g3'))], { nonce: claim('seq-nonce-4-aaaaaa') }),
          log.append([lotMint(fe('g4'))]),
        ]);
        expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
        expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(NonceReplayedError);
        await expectUnchanged({ size: 3, lotsSize: 3, plotsSize: 0 });
      });

      it('refuses only that call when another process records the nonce between the state check and the commit', async () => {
        const other = await fixture.open();
        let raced = false;
        // The store as this sequencer sees it: before its first commit, another process records the nonce.
        const racing = new Proxy(store, {
          get(target, name) {
            const v = Reflect.get(target, name, target) as unknown;
            if (name !== 'appendBatch') return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
            return async (batch: Parameters<RegistryStore['appendBatch']>[0]) => {
              if (!raced) {
                raced = true;
                expect(await other.rememberNonce('coop-1', 'seq-nonce-5-aaaaaa', 1300, 1000)).toBe(true);
              }
              return target.appendBatch(batch);
            };
          },
        });
        const racingLog = await openLog(racing, verifier);
        try {
          const outcomes = await Promise.allSettled([racingLog.append([lotMint(fe('r1'))], { nonce: claim('seq-nonce-5-aaaaaa') }), racingLog.append([lotMint(fe('r2'))], { nonce: claim('seq-nonce-6-aaaaaa') })]);
          expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled']);
          expect((outcomes[0] as PromiseRejectedResult).reason).toBeInstanceOf(NonceReplayedError);
          expect(racingLog.sequencer.conflicts).toBe(1);
          await expectUnchanged({ size: 1, lotsSize: 1, plotsSize: 0 });
        } finally {
          await other.close();
        }
      });

      it('throws TypeError or RangeError for a malformed claim, and appends nothing', async () => {
        await expect(log.append([lotMint(fe('b1'))], { nonce: { ...claim('seq-nonce-7-aaaaaa'), keyId: 'coop 1' } })).rejects.toThrow(RangeError);
        await expect(log.append([lotMint(fe('b2'))], { nonce: { ...claim('seq-nonce-7-aaaaaa'), expiresAt: 1.5 } })).rejects.toThrow(TypeError);
        expect((await store.head()).size).toBe(0);
      });
    });

    describe('when many calls arrive at once', () => {
      it('gives them dense, distinct sequence numbers and a consistent log', async () => {
        const calls = Array.from({ length: 40 }, (_, i) => log.append([datasetEntry(fe(`d${i}`)), lotMint(fe(`m${i}`))]));
        const receipts = (await Promise.all(calls)).flat();
        expect(receipts.map((r) => r.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 80 }, (_, i) => i));
        expect(receipts.flatMap((r) => r.lotsLeafIndexes).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
        await replayAndCheck(store);
      });
    });
  });

  describe(`Sequencer.open (${kind})`, () => {
    describe('when the registry restarts', () => {
      it('rebuilds identical Poseidon roots from leaves and from snapshots', async () => {
        const fixture = makeFixture();
        let store = await fixture.open();
        let log = await openLog(store, new FakeVerifier(), { lots: 8, plots: 8 }, { snapshotEvery: 5 });
        await log.append([datasetEntry(fe('ds'))]);
        for (let i = 0; i < 12; i++) await log.append([lotMint(fe(`m${i}`)), plotAttestation([{ datasetRoot: fe('ds'), attestationLeaf: fe(`w${i}`) }])]);
        await log.signCheckpoint();
        await log.append([lotMint(fe('tail'))]);
        const roots = [log.sequencer.trees.root('lots'), log.sequencer.trees.root('plots')];
        const replay = await replayAndCheck(store);
        expect(roots).toEqual([replay.lots.root, replay.plots.root]);
        await log.close();

        store = await fixture.open();
        log = await openLog(store, new FakeVerifier(), { lots: 8, plots: 8 });
        expect(log.sequencer.restoredFrom).toEqual({ lots: 'snapshot', plots: 'snapshot' });
        expect([log.sequencer.trees.root('lots'), log.sequencer.trees.root('plots')]).toEqual(roots);
        await log.close();

        store = await fixture.open();
        log = await openLog(store, new FakeVerifier(), { lots: 8, plots: 8 }, { useSnapshots: false });
        expect(log.sequencer.restoredFrom).toEqual({ lots: 'leaves', plots: 'leaves' });
        expect([log.sequencer.trees.root('lots'), log.sequencer.trees.root('plots')]).toEqual(roots);
        // A snapshot of another tree (wrong last leaf) is ignored.
        await store.kvPut('trees/lots', (await store.kvGet('trees/plots'))!);
        await log.close();
        store = await fixture.open();
        log = await openLog(store, new FakeVerifier(), { lots: 8, plots: 8 });
        expect(log.sequencer.restoredFrom.lots).toBe('leaves');
        expect(log.sequencer.trees.root('lots')).toBe(roots[0]);
        await log.close();
        await fixture.cleanup();
      });

      it('refuses to start (LOG_INCONSISTENT) when stored leaves do not give the signed roots', async () => {
        const fixture = makeFixture();
        let store = await fixture.open();
        const log = await openLog(store);
        await log.append([lotMint(fe('a')), lotMint(fe('b'))]);
        await log.signCheckpoint();
        await log.close();
        // Deeper trees have other roots: the signed lots root is not reproduced.
        store = await fixture.open();
        const err = await rejection(openLog(store, new FakeVerifier(), { lots: 9, plots: 8 }));
        expect(err).toBeInstanceOf(CanopyError);
        expect(err.code).toBe('LOG_INCONSISTENT');
        await store.close();
        await fixture.cleanup();
      });
    });
  });
}
