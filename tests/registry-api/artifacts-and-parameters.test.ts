// Artifact pinning and public parameters over HTTP: POST /v1/admin/artifacts (accreditor
// only), proofs under unpinned keys refused once anything is pinned, capacity-issue
// submissions and their harvest-year window by the service clock, transitions outside the
// processing rules; and `pinArtifacts` at service start (what `canopy registry serve`
// does): a fresh registry pins what it verifies, a restart with the same keys pins nothing,
// a restart with new keys pins them. Every refusal leaves the log unchanged.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../registry/api/api-error.ts';
import { artifactsEntry, type PublishedArtifacts } from '../../registry/api/artifacts.ts';
import { RegistryService } from '../../registry/api/registry-service.ts';
import type { ArtifactsEntry } from '../../registry/log/entry.ts';
import { artifacts, capacityIssue, datasetEntry, FakeVerifier, fe, lotMint, plotAttestation, REGISTRY_KEY, replayAndCheck, storeKinds, transition, VKEY } from '../registry/_fixtures.ts';
import { ACCREDITOR, fakeArtifacts, signedRaw, startTestRegistry, type TestParty, type TestRegistry } from './_registry.ts';

const OTHER_KEY = 'cd'.repeat(32);

async function expectError(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError, the call succeeded');
}

for (const { kind, fixture } of storeKinds()) {
  describe(`registry artifact pinning and parameters (${kind})`, () => {
    let reg: TestRegistry;
    let supplier: TestParty;
    let publisher: TestParty;
    // The service clock, frozen at the start (signed requests must stay within ±300 s of it),
    // so the harvest-year window [Y − 1, Y] cannot move during the run.
    const T0 = Date.now();
    const now = () => T0;
    const Y = new Date(T0).getUTCFullYear();

    beforeAll(async () => {
      reg = await startTestRegistry(fixture(), { now });
      supplier = await reg.register('coop-1', 'supplier');
      publisher = await reg.register('pub-1', 'publisher');
    });
    afterAll(async () => {
      await reg.close();
    });

    async function unchanged(f: () => Promise<void>): Promise<void> {
      const before = await reg.service.log.store.head();
      await f();
      const after = await reg.service.log.store.head();
      expect([after.size, after.lotsSize, after.plotsSize]).toEqual([before.size, before.lotsSize, before.plotsSize]);
      await replayAndCheck(reg.service.log.store);
    }

    describe('POST /v1/entries, public parameters', () => {
      describe('when a supplier issues capacity', () => {
        it('appends it for this or last year by the service clock, and refuses other years 422 PARAMETER_NOT_ALLOWED', async () => {
          await reg.client.submit([datasetEntry(fe('ds'))], publisher);
          await reg.client.submit([plotAttestation([{ datasetRoot: fe('ds'), attestationLeaf: fe('plot') }])], supplier);
          const plotsRoot = BigInt((await reg.service.signCheckpoint()).plotsRoot);
          const receipts = await reg.client.submit([capacityIssue({ plotsRoot, issueTag: fe('t30'), capacityCommitment: fe('c30'), harvestYear: Y - 1 }), capacityIssue({ plotsRoot, issueTag: fe('t31'), capacityCommitment: fe('c31'), harvestYear: Y })], supplier);
          expect(receipts.map((r) => r.lotsLeafIndexes)).toEqual([[0], [1]]);
          expect(await reg.client.nullifier(fe('t31'))).toMatchObject({ spent: true, sequence: receipts[1]!.sequence });
          await unchanged(async () => {
            const e = await expectError(reg.client.submit([lotMint(fe('ok')), capacityIssue({ plotsRoot, issueTag: fe('t32'), capacityCommitment: fe('c32'), harvestYear: Y + 1 })], supplier));
            expect([e.status, e.code, e.index]).toEqual([422, 'PARAMETER_NOT_ALLOWED', 1]);
            expect(e.message).toContain(`harvest year ${Y + 1} is not in [${Y - 1}, ${Y}]`);
          });
        });

        it('refuses a publisher: only suppliers issue capacity', async () => {
          await unchanged(async () => {
            const e = await expectError(reg.client.submit([capacityIssue({ plotsRoot: 1n, issueTag: fe('x'), capacityCommitment: fe('y'), harvestYear: Y })], publisher));
            expect([e.status, e.code]).toEqual([403, 'ROLE_FORBIDDEN']);
          });
        });
      });

      describe('when a transition converts outside the processing rules', () => {
        it('answers 422 PARAMETER_NOT_ALLOWED naming the entry', async () => {
          await reg.client.submit([lotMint(fe('lot'))], supplier);
          const root = BigInt((await reg.service.signCheckpoint()).lotsRoot);
          await unchanged(async () => {
            const e = await expectError(reg.client.submit([transition({ root, nullifiers: [fe('n')], outCommitments: [fe('o'), 0n], conversion: { inCommodity: 90111n, outCommodity: 151110n, factorNum: 1n, factorDen: 5n } })], supplier));
            expect([e.status, e.code, e.index]).toEqual([422, 'PARAMETER_NOT_ALLOWED', 0]);
          });
        });
      });
    });

    describe('POST /v1/admin/artifacts', () => {
      const body = (entry: ReturnType<typeof artifacts>) => (entry as ArtifactsEntry).body;

      describe('when a party or an unsigned client tries to pin', () => {
        it('refuses: 403 ROLE_FORBIDDEN through /v1/entries, 403 KEY_UNKNOWN on the admin route', async () => {
          await unchanged(async () => {
            const a = await expectError(reg.client.submit([artifacts(['lot_mint'], OTHER_KEY)], supplier));
            expect([a.status, a.code]).toEqual([403, 'ROLE_FORBIDDEN']);
            const b = await expectError(reg.client.addArtifacts(body(artifacts(['lot_mint'], OTHER_KEY)), supplier));
            expect([b.status, b.code]).toEqual([403, 'KEY_UNKNOWN']);
          });
        });
      });

      describe('when the body is malformed', () => {
        it('answers 400 INVALID_BODY', async () => {
          for (const bad of [{ profile: 'test', circuits: {} }, { profile: 'test', circuits: { membership: body(artifacts(['lot_mint'])).circuits.lot_mint } }, { profile: 'Test', circuits: body(artifacts(['lot_mint'])).circuits }, { ...body(artifacts(['lot_mint'])), extra: 1 }]) {
            const r = await signedRaw(reg.url, 'POST', '/v1/admin/artifacts', ACCREDITOR, { body: JSON.stringify(bad) });
            expect([JSON.stringify(bad).slice(0, 60), r.status, r.json.error?.code]).toEqual([JSON.stringify(bad).slice(0, 60), 400, 'INVALID_BODY']);
          }
        });
      });

      describe('when the accreditor pins keys', () => {
        it('appends an artifacts entry; proofs under other keys are refused from then on, pinned ones accepted', async () => {
          await reg.client.submit([lotMint(fe('before'), true, OTHER_KEY)], supplier);
          const receipt = await reg.client.addArtifacts(body(artifacts(['lot_mint', 'lot_transition', 'capacity_issue', 'plot_window'])), ACCREDITOR);
          expect((await reg.client.entry(receipt.sequence)).entry.type).toBe('artifacts');
          await unchanged(async () => {
            const e = await expectError(reg.client.submit([lotMint(fe('after'), true, OTHER_KEY)], supplier));
            expect([e.status, e.code]).toEqual([422, 'PARAMETER_NOT_ALLOWED']);
            expect(e.message).toMatch(/not pinned by any artifacts entry/);
          });
          await reg.client.submit([lotMint(fe('after'))], supplier);
          const auditor = await reg.register('audit-1', 'auditor');
          const { submissions } = await reg.client.submissions(receipt.sequence, receipt.sequence + 1, auditor);
          expect(submissions).toEqual([{ sequence: receipt.sequence, keyId: 'accreditor.test', kind: 'accreditor', role: 'accreditor', submittedAt: now() }]);
        });
      });
    });
  });

  describe(`RegistryService.open with pinArtifacts (${kind})`, () => {
    const open = async (f: ReturnType<typeof fixture>, published: PublishedArtifacts) =>
      RegistryService.open({ store: await f.open(), signerKey: REGISTRY_KEY.signerKey, artifacts: published, depths: { lots: 8, plots: 8 }, verifier: new FakeVerifier(), checkpointIntervalMs: 0, rateLimit: null, pinArtifacts: true, logger: pino({ level: 'silent' }) });

    describe('when the registry starts on a fresh store, restarts, and restarts with a new key', () => {
      it('pins the setup’s keys as entry 0, pins nothing on a plain restart, and pins the new key', async () => {
        const f = fixture();
        try {
          const first = await open(f, fakeArtifacts());
          const [e0] = await first.log.readEntries(0, 1);
          expect(e0!.entry).toEqual(artifactsEntry(fakeArtifacts()));
          expect((await first.log.store.readSubmissions(0, 1))[0]).toMatchObject({ keyId: 'registry.test/canopy', kind: 'operator', role: 'operator' });
          // The first checkpoint already covers the pinning entry.
          expect((await first.log.latestCheckpoint())!.size).toBe(1);
          await first.close();

          const again = await open(f, fakeArtifacts());
          expect((await again.log.store.head()).size).toBe(1);
          await again.close();

          const rotated = fakeArtifacts();
          rotated.circuits = rotated.circuits.map((c) => (c.circuit === 'lot_mint' ? { ...c, vkeyHash: OTHER_KEY } : c));
          const third = await open(f, rotated);
          const entries = await third.log.readEntries(0, 2);
          expect(entries.map((e) => e.entry.type)).toEqual(['artifacts', 'artifacts']);
          expect(await third.log.store.readPinnedKeys()).toContainEqual({ circuit: 'lot_mint', vkeyHash: OTHER_KEY, sequence: 1 });
          // Both lot_mint keys stay pinned: proofs made before the rotation still count.
          await third.log.append([lotMint(fe('old'), true, VKEY), lotMint(fe('new'), true, OTHER_KEY)]);
          await replayAndCheck(third.log.store);
          await third.close();
        } finally {
          await f.cleanup();
        }
      });
    });
  });
}
