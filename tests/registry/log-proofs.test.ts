import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leafHash } from '../../core/tlog/hash.ts';
import { checkRecord } from '../../core/tlog/record-proof.ts';
import { merkleTreeHash } from '../../core/tlog/tree-hash.ts';
import { checkTree } from '../../core/tlog/tree-proof.ts';
import { verifyConsistency } from '../../core/tlog/verify-consistency.ts';
import { verifyInclusion } from '../../core/tlog/verify-inclusion.ts';
import { encodeEntry } from '../../registry/log/entry.ts';
import { checkConsistencyProof, checkInclusionProof, type InclusionProof, proveConsistency, proveInclusion } from '../../registry/log/log-proofs.ts';
import type { RegistryLog } from '../../registry/log/registry-log.ts';
import type { RegistryStore } from '../../registry/store/store.ts';
import { HOSTILE_INPUTS } from '../hostile-inputs.ts';
import { datasetEntry, fe, lotMint, openLog, type StoreFixture, storeKinds } from './_fixtures.ts';

const N = 40;
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const flip = (s: string) => {
  const b = b64(s);
  b[0]! ^= 1;
  return Buffer.from(b).toString('base64');
};

for (const { kind, fixture: makeFixture } of storeKinds()) {
  describe(`proveInclusion and proveConsistency (${kind})`, () => {
    let fixture: StoreFixture;
    let store: RegistryStore;
    let log: RegistryLog;
    const bytes: Uint8Array[] = [];
    const roots: Uint8Array[] = [];

    beforeAll(async () => {
      fixture = makeFixture();
      store = await fixture.open();
      log = await openLog(store);
      // Entries appended in calls of 1, 2, 3, … so batches cross subtree boundaries.
      for (let n = 0, call = 1; n < N; call++) {
        const entries = Array.from({ length: Math.min(call, N - n) }, (_, k) => ((n + k) % 3 === 0 ? datasetEntry(fe(`d${n + k}`)) : lotMint(fe(`m${n + k}`))));
        await log.append(entries);
        bytes.push(...entries.map(encodeEntry));
        n += entries.length;
      }
      // Independent roots, by RFC 6962's definition over the entry bytes.
      for (let size = 0; size <= N; size++) roots.push(merkleTreeHash(bytes.slice(0, size)));
    });
    afterAll(async () => {
      await log.close();
      await fixture.cleanup();
    });

    describe(`when the log holds ${N} entries`, () => {
      it('serves an inclusion proof of every entry at every size that checks with checkRecord and verifyInclusion', async () => {
        for (let size = 1; size <= N; size++) {
          for (let index = 0; index < size; index++) {
            const p = await proveInclusion(store, index, size);
            expect(p.leafHash).toBe(Buffer.from(leafHash(bytes[index]!)).toString('base64'));
            const hashes = p.hashes.map(b64);
            expect(checkRecord(hashes, size, roots[size]!, index, b64(p.leafHash)), `checkRecord(${size}, ${index})`).toBe(true);
            expect(verifyInclusion(index, size, b64(p.leafHash), hashes, roots[size]!), `verifyInclusion(${index}, ${size})`).toBe(true);
            expect(checkInclusionProof(p, roots[size]!, bytes[index])).toBe(true);
          }
        }
      });

      it('serves a consistency proof of every pair of sizes that checks with checkTree and verifyConsistency', async () => {
        for (let size = 1; size <= N; size++) {
          for (let old = 1; old <= size; old++) {
            const p = await proveConsistency(store, old, size);
            const hashes = p.hashes.map(b64);
            expect(checkTree(hashes, size, roots[size]!, old, roots[old]!), `checkTree(${size}, ${old})`).toBe(true);
            expect(verifyConsistency(old, size, hashes, roots[old]!, roots[size]!), `verifyConsistency(${old}, ${size})`).toBe(true);
          }
        }
      });
    });

    describe('when a proof is altered', () => {
      it('fails for every flipped hash, a wrong entry, a wrong root', async () => {
        const p = await log.proveInclusion(13, N);
        for (let i = 0; i < p.hashes.length; i++) {
          const bad: InclusionProof = { ...p, hashes: p.hashes.map((h, k) => (k === i ? flip(h) : h)) };
          expect(checkInclusionProof(bad, roots[N]!), `hash ${i}`).toBe(false);
        }
        expect(checkInclusionProof(p, roots[N]!, bytes[12])).toBe(false);
        expect(checkInclusionProof(p, roots[N - 1]!)).toBe(false);
        expect(checkInclusionProof({ ...p, index: 12 }, roots[N]!)).toBe(false);
        const c = await log.proveConsistency(17, N);
        for (let i = 0; i < c.hashes.length; i++) {
          expect(checkConsistencyProof({ ...c, hashes: c.hashes.map((h, k) => (k === i ? flip(h) : h)) }, roots[17]!, roots[N]!), `hash ${i}`).toBe(false);
        }
        expect(checkConsistencyProof(c, roots[16]!, roots[N]!)).toBe(false);
      });
    });

    describe('when the arguments are out of range or hostile', () => {
      it('throws TypeError or RangeError', async () => {
        await expect(proveInclusion(store, 5, N + 1)).rejects.toThrow(/"size" expected a size the log has reached/);
        await expect(proveInclusion(store, N, N)).rejects.toThrow(RangeError);
        await expect(proveConsistency(store, 0, N)).rejects.toThrow(RangeError);
        await expect(proveConsistency(store, 5, 4)).rejects.toThrow(RangeError);
        const p = await proveInclusion(store, 0, 1);
        for (const { name, value } of HOSTILE_INPUTS) {
          const validIndex = typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value < N;
          if (!validIndex) await expect(proveInclusion(store, value as number, N), name).rejects.toThrow(/expected/);
          expect(() => checkInclusionProof({ ...p, leafHash: value as string }, roots[1]!), name).toThrow(/expected/);
          expect(() => checkInclusionProof(value as InclusionProof, roots[1]!), name).toThrow(/expected/);
        }
      });
    });
  });
}
