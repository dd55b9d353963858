// The public read routes of the registry API, served in-process on a loopback port over
// SQLite (and PostgreSQL when CANOPY_TEST_DATABASE_URL is set), checked against the log
// and against the cryptographic checks a client runs (checkpoint signature, RFC 9162
// proofs, Poseidon proofs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD_ORDER } from '../../core/field.ts';
import { merkleProofFromJson, verifyMerkleProof } from '../../core/merkle/merkle-proof.ts';
import { verifyCheckpointNote } from '../../registry/client.ts';
import { entryLeafHash } from '../../registry/log/entry.ts';
import { checkConsistencyProof, checkInclusionProof } from '../../registry/log/log-proofs.ts';
import { encodeEntry } from '../../registry/log/entry.ts';
import { datasetEntry, fe, lotMint, REGISTRY_KEY, storeKinds } from '../registry/_fixtures.ts';
import { raw, startTestRegistry, type TestParty, type TestRegistry } from './_registry.ts';

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

for (const { kind, fixture } of storeKinds()) {
  describe(`registry read routes (${kind})`, () => {
    let reg: TestRegistry;
    let supplier: TestParty;
    let publisher: TestParty;
    let sizes: number[];

    beforeAll(async () => {
      reg = await startTestRegistry(fixture());
      supplier = await reg.register('coop-1', 'supplier');
      publisher = await reg.register('publisher-1', 'publisher');
      await reg.client.submit([datasetEntry(fe('d1'))], publisher);
      await reg.service.signCheckpoint();
      await reg.client.submit([lotMint(fe('m1')), lotMint(fe('m2'))], supplier);
      await reg.service.signCheckpoint();
      sizes = (await reg.client.checkpoints()).map((c) => c.size);
    });
    afterAll(async () => {
      await reg.close();
    });

    describe('GET /checkpoint', () => {
      it('serves the latest note as text/plain, signed by the registry key', async () => {
        const r = await raw(reg.url, 'GET', '/checkpoint');
        expect(r.status).toBe(200);
        expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
        const v = verifyCheckpointNote(r.text, REGISTRY_KEY.verifierKey);
        expect(v.checkpoint.size).toBe(5);
        expect(v.checkpoint.origin).toBe('registry.test/canopy');
      });
    });

    describe('GET /v1/checkpoints', () => {
      it('lists every signed size, oldest first, each opening with the registry key', async () => {
        expect(sizes).toEqual([0, 3, 5]);
        for (const c of await reg.client.checkpoints()) expect(verifyCheckpointNote(c.note, REGISTRY_KEY.verifierKey).checkpoint.size).toBe(c.size);
      });
      it('pages with from and limit', async () => {
        expect((await reg.client.checkpoints({ from: 3, limit: 1 })).map((c) => c.size)).toEqual([3]);
      });
      describe('when limit is 0 or above the page size', () => {
        it('answers 400 INVALID_QUERY', async () => {
          for (const q of ['limit=0', 'limit=101', 'from=-1', 'from=1e3', 'from=01', 'frm=1']) {
            const r = await raw(reg.url, 'GET', `/v1/checkpoints?${q}`);
            expect([q, r.status, r.json.error?.code]).toEqual([q, 400, 'INVALID_QUERY']);
          }
        });
      });
    });

    describe('GET /v1/entries', () => {
      it('serves a page with each entry, its leaf hash and the log size', async () => {
        const page = await reg.client.entries(0);
        expect(page.size).toBe(5);
        expect(page.entries.map((e) => [e.sequence, e.entry.type])).toEqual([
          [0, 'party-registration'],
          [1, 'party-registration'],
          [2, 'dataset'],
          [3, 'lot-mint'],
          [4, 'lot-mint'],
        ]);
        for (const e of page.entries) expect(e.leafHash).toBe(Buffer.from(entryLeafHash(e.entry)).toString('base64'));
      });
      it('serves [start, end) exactly, and an empty page at the end of the log', async () => {
        expect((await reg.client.entries(1, 3)).entries.map((e) => e.sequence)).toEqual([1, 2]);
        expect((await reg.client.entries(5)).entries).toEqual([]);
      });
      describe('when the range reaches beyond the log', () => {
        it('answers 404 NOT_FOUND', async () => {
          const r = await raw(reg.url, 'GET', '/v1/entries?start=2&end=6');
          expect([r.status, r.json.error?.code]).toEqual([404, 'NOT_FOUND']);
          expect((await raw(reg.url, 'GET', '/v1/entries?start=9')).status).toBe(404);
        });
      });
      describe('when the range is longer than a page, reversed or malformed', () => {
        it('answers 400 INVALID_QUERY', async () => {
          for (const q of ['start=0&end=101', 'start=3&end=2', '', 'start=x', 'start=0&start=1', 'start=9007199254740993', 'start=0&extra=1']) {
            const r = await raw(reg.url, 'GET', `/v1/entries?${q}`);
            expect([q, r.status, r.json.error?.code]).toEqual([q, 400, 'INVALID_QUERY']);
          }
        });
      });
    });

    describe('GET /v1/entries/:seq', () => {
      it('serves one entry', async () => {
        expect((await reg.client.entry(2)).entry).toEqual(datasetEntry(fe('d1')));
      });
      it('answers 404 beyond the log and 400 for a non-number', async () => {
        expect((await raw(reg.url, 'GET', '/v1/entries/5')).json.error?.code).toBe('NOT_FOUND');
        const r = await raw(reg.url, 'GET', '/v1/entries/abc');
        expect([r.status, r.json.error?.code]).toEqual([400, 'INVALID_PARAMS']);
      });
    });

    describe('GET /v1/proofs/inclusion', () => {
      it('proves every entry in every signed checkpoint, checked against its root', async () => {
        const cps = await reg.client.checkpoints();
        const entries = (await reg.client.entries(0)).entries;
        for (const cp of cps.filter((c) => c.size > 0)) {
          for (let i = 0; i < cp.size; i++) {
            const proof = await reg.client.inclusionProof(i, cp.size);
            expect(checkInclusionProof(proof, b64(cp.rootHash), encodeEntry(entries[i]!.entry))).toBe(true);
            expect(checkInclusionProof(proof, b64(cp.rootHash), encodeEntry(datasetEntry(fe('other'))))).toBe(false);
          }
        }
      });
      describe('when index ≥ size or size exceeds the log', () => {
        it('answers 400 INVALID_INPUT naming the argument', async () => {
          const a = await raw(reg.url, 'GET', '/v1/proofs/inclusion?index=3&size=3');
          expect([a.status, a.json.error?.code]).toEqual([400, 'INVALID_INPUT']);
          expect(a.json.error?.message).toMatch(/^"index" expected/);
          const b = await raw(reg.url, 'GET', '/v1/proofs/inclusion?index=0&size=6');
          expect([b.status, b.json.error?.code]).toEqual([400, 'INVALID_INPUT']);
        });
      });
    });

    describe('GET /v1/proofs/consistency', () => {
      it('links every pair of signed checkpoints', async () => {
        const cps = (await reg.client.checkpoints()).filter((c) => c.size > 0);
        for (const a of cps) {
          for (const b of cps.filter((c) => c.size >= a.size)) {
            const proof = await reg.client.consistencyProof(a.size, b.size);
            expect(checkConsistencyProof(proof, b64(a.rootHash), b64(b.rootHash))).toBe(true);
          }
        }
      });
      it('answers 400 for old > size', async () => {
        expect((await raw(reg.url, 'GET', '/v1/proofs/consistency?old=4&size=3')).json.error?.code).toBe('INVALID_INPUT');
      });
    });

    describe('GET /v1/trees/:tree/proof', () => {
      it('proves a minted commitment in the lots tree against the published lots root', async () => {
        const cp = (await reg.client.checkpoints({ from: 5, limit: 1 }))[0]!;
        for (const [i, label] of [[0, 'm1'], [1, 'm2']] as const) {
          const proof = merkleProofFromJson(await reg.client.treeProof('lots', i, cp.size));
          expect(proof.leaf).toBe(fe(label));
          expect(proof.root).toBe(BigInt(cp.lotsRoot));
          expect(verifyMerkleProof(proof)).toBe(true);
        }
      });
      it('answers 404 for a size no checkpoint has, 400 for a leaf not yet in the tree, 400 for another tree name', async () => {
        expect((await raw(reg.url, 'GET', '/v1/trees/lots/proof?leafIndex=0&size=4')).status).toBe(404);
        const r = await raw(reg.url, 'GET', '/v1/trees/lots/proof?leafIndex=0&size=3');
        expect([r.status, r.json.error?.code]).toEqual([400, 'INVALID_INPUT']);
        expect((await raw(reg.url, 'GET', '/v1/trees/notes/proof?leafIndex=0&size=5')).json.error?.code).toBe('INVALID_PARAMS');
      });
    });

    describe('GET /v1/roots', () => {
      it('serves the roots of the latest checkpoint', async () => {
        const cp = (await reg.client.checkpoints({ from: 5 }))[0]!;
        expect(await reg.client.roots()).toEqual({ checkpointSize: 5, lots: { leaves: 2, root: cp.lotsRoot, depth: 8 }, plots: { leaves: 0, root: cp.plotsRoot, depth: 8 } });
      });
    });

    describe('GET /v1/datasets/:root', () => {
      it('serves the dataset entry registering a root: its sequence number, name and manifest hash', async () => {
        const served = await reg.client.entry(2);
        expect(served.entry.type).toBe('dataset');
        const body = served.entry.body as { datasetRoot: string; name: string; manifestSha256: string };
        expect(await reg.client.dataset(fe('d1'))).toEqual({ datasetRoot: fe('d1').toString(), sequence: 2, name: body.name, manifestSha256: body.manifestSha256 });
      });

      it('answers 404 for a root no dataset entry registers (a lot commitment included), 400 for a malformed root', async () => {
        for (const root of [fe('d2'), fe('m1'), 0n]) {
          const r = await raw(reg.url, 'GET', `/v1/datasets/${root}`);
          expect([r.status, r.json.error?.code]).toEqual([404, 'NOT_FOUND']);
        }
        for (const bad of ['01', '-1', '0x10', '1e3', FIELD_ORDER.toString(), 'x'.repeat(80)]) {
          expect((await raw(reg.url, 'GET', `/v1/datasets/${bad}`)).json.error?.code, bad).toBe('INVALID_PARAMS');
        }
      });
    });

    describe('GET /v1/registry-key', () => {
      it('serves the note verifier key and origin the checkpoints verify with', async () => {
        const r = await raw(reg.url, 'GET', '/v1/registry-key');
        expect(r.json).toEqual({ origin: 'registry.test/canopy', verifierKey: REGISTRY_KEY.verifierKey });
        expect(r.headers.get('cache-control')).toBe('public, max-age=3600');
        const { verifierKey } = await reg.client.registryKey();
        expect(verifyCheckpointNote(await reg.client.checkpointNote(), verifierKey).checkpoint.size).toBe(5);
      });
    });

    describe('GET /v1/artifacts', () => {
      it('serves the accepted keys and the manifest hash', async () => {
        const a = await reg.client.artifacts();
        expect(a.manifestSha256).toBe('00'.repeat(32));
        expect(a.circuits.map((c) => c.circuit)).toEqual(['lot_transition', 'lot_mint', 'capacity_mint', 'capacity_issue', 'plot_window']);
        expect(a.circuits.map((c) => [c.zkeyHash, c.r1csHash])).toEqual(a.circuits.map(() => ['22'.repeat(32), '33'.repeat(32)]));
      });
    });

    describe('GET /v1/parties/:id', () => {
      it('serves a registered party and 404 for an unknown one', async () => {
        expect(await reg.client.party('coop-1')).toEqual({ partyId: 'coop-1', role: 'supplier', publicKey: supplier.publicKey, registeredAt: 0, revokedAt: null });
        expect((await raw(reg.url, 'GET', '/v1/parties/nobody')).status).toBe(404);
        expect((await raw(reg.url, 'GET', '/v1/parties/-bad')).json.error?.code).toBe('INVALID_PARAMS');
      });
    });

    describe('GET /healthz', () => {
      it('reports the store, the size and the latest checkpoint', async () => {
        expect(await reg.client.health()).toEqual({ status: 'ok', origin: 'registry.test/canopy', store: kind, size: 5, checkpointSize: 5, verifier: null });
      });
    });

    describe('an unknown route', () => {
      it('answers 404 NOT_FOUND with an error body, and 405 with Allow for a known path', async () => {
        const r = await raw(reg.url, 'GET', '/v2/nothing');
        expect([r.status, r.json.error?.code]).toEqual([404, 'NOT_FOUND']);
        const m = await raw(reg.url, 'DELETE', '/v1/entries');
        expect([m.status, m.json.error?.code, m.headers.get('allow')]).toEqual([405, 'METHOD_NOT_ALLOWED', 'GET, HEAD, POST']);
        const q = await raw(reg.url, 'GET', '/checkpoint?x=1');
        expect([q.status, q.json.error?.code]).toEqual([400, 'INVALID_QUERY']);
      });
    });
  });
}
