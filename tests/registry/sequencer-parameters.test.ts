// Sequencer.append for the entries and checks added with capacity issuance: capacity-issue
// entries (plots root, issuance tag, capacity commitment), public parameters refused before
// any proof is verified, artifact pinning, and submitter rows written with their entries.
// Every refusal leaves the log unchanged, and every scenario ends with an auditor's replay.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RegistryLog } from '../../registry/log/registry-log.ts';
import type { RegistryStore, Submitter } from '../../registry/store/store.ts';
import {
  artifacts,
  capacityIssue,
  datasetEntry,
  FakeVerifier,
  fe,
  lotMint,
  openLog,
  plotAttestation,
  rejection,
  replayAndCheck,
  type StoreFixture,
  storeKinds,
  transition,
  VKEY,
} from './_fixtures.ts';

const OTHER_KEY = 'cd'.repeat(32);
const ALL = ['lot_transition', 'lot_mint', 'capacity_mint', 'capacity_issue', 'plot_window'] as const;

for (const { kind, fixture: makeFixture } of storeKinds()) {
  describe(`Sequencer.append, parameters and pinning (${kind})`, () => {
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

    /** Attests two plots and signs a checkpoint; returns the published plots root. */
    async function publishedPlots(): Promise<bigint> {
      const ds = fe('ds');
      await log.append([datasetEntry(ds), plotAttestation([{ datasetRoot: ds, attestationLeaf: fe('plot-a') }]), plotAttestation([{ datasetRoot: ds, attestationLeaf: fe('plot-b') }])]);
      return BigInt((await log.signCheckpoint()).plotsRoot);
    }

    async function expectUnchanged(before: { size: number; lotsSize: number; plotsSize: number }) {
      const head = await store.head();
      expect([head.size, head.lotsSize, head.plotsSize]).toEqual([before.size, before.lotsSize, before.plotsSize]);
      await replayAndCheck(store);
    }

    describe('capacity-issue', () => {
      describe('when it proves against a published plots root', () => {
        it('spends the issuance tag and appends the capacity commitment to the lots tree', async () => {
          const plotsRoot = await publishedPlots();
          const [r] = await log.append([capacityIssue({ plotsRoot, issueTag: fe('tag-1'), capacityCommitment: fe('cap-1') })]);
          expect([r!.lotsLeafIndexes, r!.plotsLeafIndexes]).toEqual([[0], []]);
          expect(await store.findNullifiers([fe('tag-1')])).toEqual(new Map([[fe('tag-1'), r!.sequence]]));
          expect(log.sequencer.trees.leaf('lots', 0)).toBe(fe('cap-1'));
          expect(verifier.calls.at(-1)!.circuitId).toBe('capacity_issue');
          await replayAndCheck(store);
        });
      });

      describe('when the plots root was never published, or is a lots root', () => {
        it('refuses ROOT_NOT_PUBLISHED and leaves the log unchanged', async () => {
          const plotsRoot = await publishedPlots();
          await log.append([lotMint(fe('m'))]);
          const lotsRoot = BigInt((await log.signCheckpoint()).lotsRoot);
          const ds = fe('ds');
          await log.append([plotAttestation([{ datasetRoot: ds, attestationLeaf: fe('plot-c') }])]);
          const unpublished = log.sequencer.trees.root('plots');
          const before = await store.head();
          for (const root of [unpublished, lotsRoot]) {
            const err = await rejection(log.append([capacityIssue({ plotsRoot: root, issueTag: fe('t'), capacityCommitment: fe('c') })]));
            expect(err.reason).toBe('ROOT_NOT_PUBLISHED');
          }
          await expectUnchanged(before);
          expect(plotsRoot).not.toBe(unpublished);
        });
      });

      describe('when the issuance tag was spent', () => {
        it('refuses NULLIFIER_SPENT: one capacity note per attestation and year', async () => {
          const plotsRoot = await publishedPlots();
          await log.append([capacityIssue({ plotsRoot, issueTag: fe('tag'), capacityCommitment: fe('cap-1') })]);
          const before = await store.head();
          const err = await rejection(log.append([capacityIssue({ plotsRoot, issueTag: fe('tag'), capacityCommitment: fe('cap-2') })]));
          expect(err.reason).toBe('NULLIFIER_SPENT');
          await expectUnchanged(before);
        });
      });
    });

    describe('public parameters', () => {
      describe('when an entry carries a parameter outside the public tables', () => {
        it('refuses PARAMETER_NOT_ALLOWED before verifying any proof, the log unchanged', async () => {
          const plotsRoot = await publishedPlots();
          await log.append([lotMint(fe('a'))]);
          const lotsRoot = BigInt((await log.signCheckpoint()).lotsRoot);
          const before = await store.head();
          verifier.calls.length = 0;
          const cases = [
            transition({ root: lotsRoot, nullifiers: [fe('n')], outCommitments: [fe('o'), 0n], conversion: { inCommodity: 90111n, outCommodity: 90111n, factorNum: 3n, factorDen: 2n } }),
            capacityIssue({ plotsRoot, issueTag: fe('t'), capacityCommitment: fe('c'), harvestYear: 2024 }),
            capacityIssue({ plotsRoot, issueTag: fe('t'), capacityCommitment: fe('c'), cutoffCode: 22 }),
          ];
          for (const entry of cases) {
            const err = await rejection(log.append([lotMint(fe('fine')), entry]));
            expect([err.code, err.reason, err.index]).toEqual(['ENTRY_REJECTED', 'PARAMETER_NOT_ALLOWED', 1]);
          }
          expect(verifier.calls).toEqual([]);
          await expectUnchanged(before);
        });
      });

      describe('when the harvest year is this or last year by the log clock', () => {
        it('accepts it (the clock of openLog is November 2023)', async () => {
          const plotsRoot = await publishedPlots();
          await log.append([capacityIssue({ plotsRoot, issueTag: fe('t22'), capacityCommitment: fe('c22'), harvestYear: 2022 }), capacityIssue({ plotsRoot, issueTag: fe('t23'), capacityCommitment: fe('c23'), harvestYear: 2023 })]);
          expect((await store.head()).lotsSize).toBe(2);
        });
      });
    });

    describe('artifact pinning', () => {
      describe('when no artifacts entry exists', () => {
        it('accepts proofs under any key the verifier accepts', async () => {
          await log.append([lotMint(fe('a'), true, OTHER_KEY), lotMint(fe('b'))]);
          expect((await store.head()).size).toBe(2);
        });
      });

      describe('when an artifacts entry pinned some keys', () => {
        it('refuses a proof under an unpinned key or of an unpinned circuit, and accepts pinned ones', async () => {
          const [pin] = await log.append([artifacts(['lot_mint', 'lot_transition'])]);
          expect(await store.readPinnedKeys()).toEqual([
            { circuit: 'lot_mint', vkeyHash: VKEY, sequence: pin!.sequence },
            { circuit: 'lot_transition', vkeyHash: VKEY, sequence: pin!.sequence },
          ]);
          await log.append([lotMint(fe('a'))]);
          const before = await store.head();
          const unpinnedKey = await rejection(log.append([lotMint(fe('b'), true, OTHER_KEY)]));
          expect([unpinnedKey.reason, unpinnedKey.index]).toEqual(['PARAMETER_NOT_ALLOWED', 0]);
          const ds = fe('ds');
          const unpinnedCircuit = await rejection(log.append([datasetEntry(ds), plotAttestation([{ datasetRoot: ds, attestationLeaf: fe('p') }])]));
          expect([unpinnedCircuit.reason, unpinnedCircuit.index]).toEqual(['PARAMETER_NOT_ALLOWED', 1]);
          await expectUnchanged(before);
          // Later artifacts entries pin more keys; both keys of lot_mint count from then on.
          await log.append([artifacts(['lot_mint'], OTHER_KEY), artifacts(['plot_window'])]);
          await log.append([lotMint(fe('b'), true, OTHER_KEY), lotMint(fe('c')), datasetEntry(ds), plotAttestation([{ datasetRoot: ds, attestationLeaf: fe('p') }], true)]);
          expect((await store.head()).size).toBe(before.size + 6);
          await replayAndCheck(store);
        });

        it('counts an artifacts entry earlier in the same call, not a later one', async () => {
          await log.append([artifacts(['lot_mint'])]);
          await log.append([artifacts(['plot_window']), datasetEntry(fe('d')), plotAttestation([{ datasetRoot: fe('d'), attestationLeaf: fe('p') }])]);
          const err = await rejection(log.append([lotMint(fe('x'), true, OTHER_KEY), artifacts(['lot_mint'], OTHER_KEY)]));
          expect([err.reason, err.index]).toEqual(['PARAMETER_NOT_ALLOWED', 0]);
          await log.append([artifacts(['lot_mint'], OTHER_KEY), lotMint(fe('x'), true, OTHER_KEY)]);
          await replayAndCheck(store);
        });

        it('counts keys another registry process pinned on the same store', async () => {
          const other = await openLog(await fixture.open(), new FakeVerifier());
          try {
            await other.append([artifacts(['lot_mint'])]);
            const err = await rejection(log.append([lotMint(fe('x'), true, OTHER_KEY)]));
            expect(err.reason).toBe('PARAMETER_NOT_ALLOWED');
            await log.append([lotMint(fe('y'))]);
          } finally {
            await other.close();
          }
        });
      });

      describe('when concurrent calls are committed in one group', () => {
        it('applies a pin of an earlier call to later calls of the same commit', async () => {
          await log.append([artifacts([...ALL])]);
          const results = await Promise.allSettled([log.append([artifacts(['lot_mint'], OTHER_KEY)]), log.append([lotMint(fe('z'), true, OTHER_KEY)])]);
          expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
          await replayAndCheck(store);
        });
      });
    });

    describe('submitter records', () => {
      const supplier: Submitter = { keyId: 'coop-1', kind: 'party', role: 'supplier', submittedAt: 1_767_225_600_000 };

      describe('when a call names its submitter', () => {
        it('stores one row per entry with the entries, and none for calls without one', async () => {
          const receipts = await log.append([lotMint(fe('a')), lotMint(fe('b'))], { submitter: supplier });
          await log.append([lotMint(fe('c'))]);
          expect(await store.readSubmissions(0, 3)).toEqual(receipts.map((r) => ({ sequence: r.sequence, ...supplier })));
        });

        it('stores no row for a refused call', async () => {
          await log.append([datasetEntry(fe('d'))], { submitter: supplier });
          await rejection(log.append([lotMint(fe('x')), datasetEntry(fe('d'))], { submitter: { ...supplier, keyId: 'coop-2' } }));
          expect((await store.readSubmissions(0, 10)).map((r) => r.keyId)).toEqual(['coop-1']);
        });

        it('keeps each call’s submitter when calls are committed in one group', async () => {
          const who = (i: number): Submitter => ({ ...supplier, keyId: `coop-${i}` });
          const all = await Promise.all(Array.from({ length: 6 }, (_, i) => log.append([lotMint(fe(`g${i}`)), lotMint(fe(`h${i}`))], { submitter: who(i) })));
          const rows = await store.readSubmissions(0, 12);
          expect(rows).toHaveLength(12);
          all.forEach((receipts, i) => receipts.forEach((r) => expect(rows.find((x) => x.sequence === r.sequence)?.keyId).toBe(`coop-${i}`)));
        });
      });

      describe('when the submitter is malformed', () => {
        it('throws before anything is verified or stored', async () => {
          await expect(log.append([lotMint(fe('a'))], { submitter: { ...supplier, kind: 'king' as 'party' } })).rejects.toThrow(/"options\.submitter\.kind" expected/);
          expect(verifier.calls).toEqual([]);
          expect((await store.head()).size).toBe(0);
        });
      });
    });
  });
}
