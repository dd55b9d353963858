// Replay protection across registry processes: two registry services on one store (one
// SQLite file, or one PostgreSQL schema), each with its own HTTP server, as two API
// processes in front of one database. A signed request accepted by one is refused by the
// other as NONCE_REPLAYED, also when both receive it at the same moment; and the
// StoreNonces sweep schedule and its failure path.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RegistryService } from '../../registry/api/registry-service.ts';
import { signRequest } from '../../registry/api/request-signature.ts';
import { StoreNonces } from '../../registry/api/store-nonces.ts';
import { type RunningRegistryServer, startRegistryServer } from '../../registry/server.ts';
import type { RegistryStore } from '../../registry/store/store.ts';
import { FakeVerifier, fe, lotMint, REGISTRY_KEY, replayAndCheck, storeKinds } from '../registry/_fixtures.ts';
import { ACCREDITOR, fakeArtifacts, raw, startTestRegistry, type TestParty, type TestRegistry } from './_registry.ts';

for (const { kind, fixture } of storeKinds()) {
  describe(`signed-request nonces shared by two registry processes (${kind})`, () => {
    let a: TestRegistry;
    let b: { service: RegistryService; server: RunningRegistryServer; url: string };
    let supplier: TestParty;
    let auditor: TestParty;

    beforeAll(async () => {
      const f = fixture();
      a = await startTestRegistry(f);
      const service = await RegistryService.open({
        store: await f.open(),
        signerKey: REGISTRY_KEY.signerKey,
        artifacts: fakeArtifacts(),
        depths: { lots: 8, plots: 8 },
        verifier: new FakeVerifier(),
        accreditorKey: ACCREDITOR.verifierKey,
        checkpointIntervalMs: 0,
        rateLimit: null,
      });
      const server = await startRegistryServer(service, { port: 0, logger: pino({ level: 'silent' }) });
      b = { service, server, url: server.url };
      supplier = await a.register('coop-1', 'supplier');
      auditor = await a.register('audit-1', 'auditor');
    });
    afterAll(async () => {
      await b.server.close();
      await b.service.close();
      await a.close();
    });

    function signedPost(label: string, nonce: string): { headers: Record<string, string>; body: Uint8Array } {
      const body = new TextEncoder().encode(JSON.stringify({ entries: [lotMint(fe(label))] }));
      const headers = signRequest({ method: 'POST', target: '/v1/entries', body, keyId: supplier.keyId, signerKey: supplier.signerKey, nonce });
      return { headers: { ...headers, 'content-type': 'application/json' }, body };
    }

    describe('when a request accepted by one process is replayed to the other', () => {
      it('refuses it 401 NONCE_REPLAYED there, the log unchanged', async () => {
        const req = signedPost('once', 'shared-nonce-0000001');
        const first = await raw(a.url, 'POST', '/v1/entries', req);
        expect(first.status).toBe(201);
        const before = await a.service.log.store.head();
        const replayed = await raw(b.url, 'POST', '/v1/entries', req);
        expect([replayed.status, replayed.json.error?.code]).toEqual([401, 'NONCE_REPLAYED']);
        expect((await a.service.log.store.head()).size).toBe(before.size);
        // An auditor's signed read, the other way round.
        const headers = signRequest({ method: 'GET', target: '/v1/audit/submissions?start=0', body: null, keyId: auditor.keyId, signerKey: auditor.signerKey, nonce: 'shared-nonce-0000002' });
        expect((await raw(b.url, 'GET', '/v1/audit/submissions?start=0', { headers })).status).toBe(200);
        const again = await raw(a.url, 'GET', '/v1/audit/submissions?start=0', { headers });
        expect([again.status, again.json.error?.code]).toEqual([401, 'NONCE_REPLAYED']);
      });
    });

    describe('when both processes receive the same request at once', () => {
      it('lets exactly one of them accept it', async () => {
        for (let round = 0; round < 5; round++) {
          const req = signedPost(`race-${round}`, `race-nonce-${round}-000000000`);
          const answers = await Promise.all([raw(a.url, 'POST', '/v1/entries', req), raw(b.url, 'POST', '/v1/entries', req)]);
          expect(answers.map((x) => x.status).sort()).toEqual([201, 401]);
        }
        const replay = await replayAndCheck(a.service.log.store);
        expect(replay.entries.filter((e) => e.type === 'lot-mint')).toHaveLength(6);
      });
    });

    describe('when a signed request appends', () => {
      it('records its nonce in the append’s transaction, with no commit of its own', async () => {
        const store = a.service.log.store;
        const remember = vi.spyOn(store, 'rememberNonce');
        const appendBatch = vi.spyOn(store, 'appendBatch');
        try {
          const req = signedPost('one-commit', 'one-commit-nonce-0001');
          expect((await raw(a.url, 'POST', '/v1/entries', req)).status).toBe(201);
          expect(remember).not.toHaveBeenCalled();
          expect(appendBatch.mock.calls.map((c) => c[0].nonces)).toEqual([[expect.objectContaining({ keyId: supplier.keyId, nonce: 'one-commit-nonce-0001' })]]);
          // Replayed to either process: refused, nothing appended.
          const before = (await store.head()).size;
          for (const url of [a.url, b.url]) {
            const replayed = await raw(url, 'POST', '/v1/entries', req);
            expect([replayed.status, replayed.json.error?.code]).toEqual([401, 'NONCE_REPLAYED']);
          }
          expect((await store.head()).size).toBe(before);
        } finally {
          remember.mockRestore();
          appendBatch.mockRestore();
        }
      });

      it('records the nonce on its own when the request is refused, so it cannot be replayed later', async () => {
        const store = a.service.log.store;
        const remember = vi.spyOn(store, 'rememberNonce');
        try {
          // An auditor may not submit entries: refused after authentication.
          const body = new TextEncoder().encode(JSON.stringify({ entries: [lotMint(fe('refused'))] }));
          const headers = { ...signRequest({ method: 'POST', target: '/v1/entries', body, keyId: auditor.keyId, signerKey: auditor.signerKey, nonce: 'refused-nonce-000001' }), 'content-type': 'application/json' };
          const refused = await raw(a.url, 'POST', '/v1/entries', { headers, body });
          expect([refused.status, refused.json.error?.code]).toEqual([403, 'ROLE_FORBIDDEN']);
          expect(remember).toHaveBeenCalledTimes(1);
          const replayed = await raw(b.url, 'POST', '/v1/entries', { headers, body });
          expect([replayed.status, replayed.json.error?.code]).toEqual([401, 'NONCE_REPLAYED']);
          // A body the schema refuses after authentication: likewise.
          const bad = new TextEncoder().encode(JSON.stringify({ entries: [] }));
          const badHeaders = { ...signRequest({ method: 'POST', target: '/v1/entries', body: bad, keyId: supplier.keyId, signerKey: supplier.signerKey, nonce: 'refused-nonce-000002' }), 'content-type': 'application/json' };
          expect((await raw(a.url, 'POST', '/v1/entries', { headers: badHeaders, body: bad })).json.error?.code).toBe('INVALID_BODY');
          expect((await raw(a.url, 'POST', '/v1/entries', { headers: badHeaders, body: bad })).json.error?.code).toBe('NONCE_REPLAYED');
          // One commit per refused request; the replays were refused by a read.
          expect(remember).toHaveBeenCalledTimes(2);
        } finally {
          remember.mockRestore();
        }
      });
    });

    describe('when each process gets requests with fresh nonces', () => {
      it('accepts all of them', async () => {
        const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => raw(i % 2 ? a.url : b.url, 'POST', '/v1/entries', signedPost(`fresh-${i}`, `fresh-nonce-${i}-00000000`))));
        expect(answers.map((x) => x.status)).toEqual([201, 201, 201, 201, 201, 201]);
      });
    });
  });
}

describe('StoreNonces', () => {
  /** A store with just the nonce calls, recording them. */
  function fakeStore(sweepFails = false) {
    const calls: string[] = [];
    const live = new Map<string, number>();
    const store = {
      async rememberNonce(keyId: string, nonce: string, expiresAt: number, now: number) {
        calls.push(`remember ${keyId} ${nonce} ${expiresAt} ${now}`);
        const until = live.get(`${keyId} ${nonce}`);
        if (until !== undefined && until >= now) return false;
        live.set(`${keyId} ${nonce}`, expiresAt);
        return true;
      },
      async sweepNonces(now: number) {
        calls.push(`sweep ${now}`);
        if (sweepFails) throw new Error('disk full');
        return 0;
      },
    };
    return { store: store as unknown as RegistryStore, calls };
  }

  describe('when remembering nonces', () => {
    it('stores each until its timestamp plus the window, and sweeps at most once per interval', async () => {
      const { store, calls } = fakeStore();
      const nonces = new StoreNonces(store, 300, { sweepEverySeconds: 60 });
      expect(await nonces.remember('k', 'n1', 990, 1000)).toBe('fresh');
      expect(await nonces.remember('k', 'n1', 990, 1030)).toBe('replayed');
      expect(await nonces.remember('k', 'n2', 1059, 1059)).toBe('fresh');
      expect(await nonces.remember('k', 'n3', 1060, 1060)).toBe('fresh');
      expect(calls).toEqual(['sweep 1000', 'remember k n1 1290 1000', 'remember k n1 1290 1030', 'remember k n2 1359 1059', 'sweep 1060', 'remember k n3 1360 1060']);
    });
  });

  describe('when a sweep fails', () => {
    it('reports it and still answers the request', async () => {
      const { store } = fakeStore(true);
      const errors: unknown[] = [];
      const nonces = new StoreNonces(store, 300, { onSweepError: (e) => errors.push(e) });
      expect(await nonces.remember('k', 'n1', 1000, 1000)).toBe('fresh');
      expect(errors.map((e) => (e as Error).message)).toEqual(['disk full']);
    });
  });

  describe('when an argument is malformed', () => {
    it('throws TypeError or RangeError', async () => {
      const { store } = fakeStore();
      expect(() => new StoreNonces({} as RegistryStore, 300)).toThrow(TypeError);
      expect(() => new StoreNonces(store, 0)).toThrow(RangeError);
      await expect(new StoreNonces(store, 300).remember('k', 'n', 1.5, 1)).rejects.toThrow(TypeError);
    });
  });
});
