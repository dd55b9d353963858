// The look-ups by value: GET /v1/trees/:tree/leaves/:value (where a commitment or plot leaf
// sits, which entry appended it) and GET /v1/nullifiers/:value (spent, by which entry),
// through the typed client and raw, with the 400/404 cases; each answer held against the
// log's own trees and an auditor's replay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD_ORDER } from '../../core/field.ts';
import { ApiError } from '../../registry/api/api-error.ts';
import { datasetEntry, fe, lotMint, plotAttestation, replayAndCheck, storeKinds, transition } from '../registry/_fixtures.ts';
import { raw, startTestRegistry, type TestParty, type TestRegistry } from './_registry.ts';

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
  describe(`registry look-up routes (${kind})`, () => {
    let reg: TestRegistry;
    let supplier: TestParty;
    let spentBy: number;
    let root: bigint;

    beforeAll(async () => {
      reg = await startTestRegistry(fixture());
      supplier = await reg.register('coop-1', 'supplier');
      const publisher = await reg.register('pub-1', 'publisher');
      await reg.client.submit([datasetEntry(fe('ds'))], publisher);
      // The same commitment twice: the look-up names the first.
      await reg.client.submit([lotMint(fe('a')), lotMint(fe('b')), lotMint(fe('a')), plotAttestation([{ datasetRoot: fe('ds'), attestationLeaf: fe('plot') }])], supplier);
      root = BigInt((await reg.service.signCheckpoint()).lotsRoot);
      const [spending] = await reg.client.submit([transition({ root, nullifiers: [fe('n1'), 0n], outCommitments: [fe('c'), 0n] })], supplier);
      spentBy = spending!.sequence;
    });
    afterAll(async () => {
      await reg.close();
    });

    describe('GET /v1/trees/:tree/leaves/:value', () => {
      describe('when the value is a leaf of the tree', () => {
        it('answers its lowest index and the entry that appended it, as the log’s trees hold it', async () => {
          const replay = await replayAndCheck(reg.service.log.store);
          const a = await reg.client.treeLeaf('lots', fe('a'));
          expect(a).toEqual({ tree: 'lots', value: String(fe('a')), leafIndex: 0, sequence: 3 });
          expect(replay.lots.leaf(a.leafIndex)).toBe(fe('a'));
          expect(await reg.client.treeLeaf('lots', fe('b'))).toMatchObject({ leafIndex: 1, sequence: 4 });
          expect(await reg.client.treeLeaf('lots', fe('c'))).toMatchObject({ leafIndex: 3, sequence: spentBy });
          expect(await reg.client.treeLeaf('plots', fe('plot'))).toEqual({ tree: 'plots', value: String(fe('plot')), leafIndex: 0, sequence: 6 });
        });
      });

      describe('when no leaf of that tree has the value', () => {
        it('answers 404 NOT_FOUND, also for 0 (a disabled slot is never appended)', async () => {
          for (const [tree, value] of [['lots', fe('plot')], ['plots', fe('a')], ['lots', 0n], ['lots', fe('nothing')]] as const) {
            const e = await expectError(reg.client.treeLeaf(tree, value));
            expect([tree, value, e.status, e.code]).toEqual([tree, value, 404, 'NOT_FOUND']);
          }
        });
      });

      describe('when the tree or value is malformed', () => {
        it('answers 400 INVALID_PARAMS', async () => {
          for (const target of [
            `/v1/trees/lots/leaves/${FIELD_ORDER}`,
            '/v1/trees/lots/leaves/012',
            '/v1/trees/lots/leaves/-1',
            '/v1/trees/lots/leaves/0x10',
            '/v1/trees/lots/leaves/1e3',
            `/v1/trees/lots/leaves/${'9'.repeat(78)}`,
            '/v1/trees/trunks/leaves/1',
          ]) {
            const r = await raw(reg.url, 'GET', target);
            expect([target, r.status, r.json.error?.code]).toEqual([target, 400, 'INVALID_PARAMS']);
          }
          const q = await raw(reg.url, 'GET', '/v1/trees/lots/leaves/1?x=1');
          expect([q.status, q.json.error?.code]).toEqual([400, 'INVALID_QUERY']);
          await expect(reg.client.treeLeaf('lots', FIELD_ORDER)).rejects.toThrow(RangeError);
        });
      });
    });

    describe('GET /v1/nullifiers/:value', () => {
      describe('when the nullifier was spent', () => {
        it('answers spent with the spending entry', async () => {
          expect(await reg.client.nullifier(fe('n1'))).toEqual({ nullifier: String(fe('n1')), spent: true, sequence: spentBy });
        });
      });

      describe('when it was not', () => {
        it('answers not spent, sequence null; 0 is never spent', async () => {
          expect(await reg.client.nullifier(fe('n2'))).toEqual({ nullifier: String(fe('n2')), spent: false, sequence: null });
          expect(await reg.client.nullifier(0n)).toEqual({ nullifier: '0', spent: false, sequence: null });
        });
      });

      describe('when the value is malformed', () => {
        it('answers 400 INVALID_PARAMS', async () => {
          for (const v of [String(FIELD_ORDER), '00', 'abc', '']) {
            const r = await raw(reg.url, 'GET', `/v1/nullifiers/${v}`);
            expect([v, r.status]).toEqual([v, v === '' ? 404 : 400]);
            if (v !== '') expect(r.json.error?.code).toBe('INVALID_PARAMS');
          }
        });
      });
    });
  });
}
