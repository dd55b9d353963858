// The signed routes of the registry API: submission, party administration and the
// auditor's records, with every way a request can be refused (401, 403, 400, 413, 415,
// 409, 422, 429, 500) and, after each refusal, a log exactly as it was.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../registry/api/api-error.ts';
import { signRequest } from '../../registry/api/request-signature.ts';
import { encodeEntry, type LogEntry, MAX_ENTRY_BYTES, MAX_PLOT_WINDOWS } from '../../registry/log/entry.ts';
import { datasetEntry, FakeVerifier, fe, lotMint, plotAttestation, registration, replayAndCheck, storeKinds, type StoreFixture } from '../registry/_fixtures.ts';
import { ACCREDITOR, newParty, raw, signedRaw, startTestRegistry, type TestParty, type TestRegistry } from './_registry.ts';

const body = (entries: unknown[]) => JSON.stringify({ entries });
const NOW = () => Math.floor(Date.now() / 1000);

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
  describe(`registry write routes (${kind})`, () => {
    let reg: TestRegistry;
    let supplier: TestParty;
    let publisher: TestParty;
    let auditor: TestParty;
    let counter = 0;

    beforeAll(async () => {
      reg = await startTestRegistry(fixture());
      supplier = await reg.register('coop-1', 'supplier');
      publisher = await reg.register('publisher-1', 'publisher');
      auditor = await reg.register('auditor-1', 'auditor');
    });
    afterAll(async () => {
      await reg.close();
    });

    /** Runs `f` and requires the log to be unchanged afterwards (size, trees, replay). */
    async function unchanged(f: () => Promise<void>): Promise<void> {
      const before = await reg.service.log.store.head();
      await f();
      const after = await reg.service.log.store.head();
      expect([after.size, after.lotsSize, after.plotsSize]).toEqual([before.size, before.lotsSize, before.plotsSize]);
      await replayAndCheck(reg.service.log.store);
    }

    const fresh = () => lotMint(fe(`mint-${kind}-${counter++}`));

    describe('POST /v1/entries', () => {
      describe('when signed by a registered supplier', () => {
        it('appends the entries and answers 201 with their receipts', async () => {
          const entries = [fresh(), fresh()];
          const { size } = await reg.service.log.store.head();
          const receipts = await reg.client.submit(entries, supplier);
          expect(receipts.map((r) => r.sequence)).toEqual([size, size + 1]);
          expect((await reg.client.entries(size, size + 2)).entries.map((e) => e.entry)).toEqual(entries);
          await replayAndCheck(reg.service.log.store);
        });
      });
      describe('when signed by a publisher', () => {
        it('appends a dataset entry', async () => {
          const [r] = await reg.client.submit([datasetEntry(fe(`ds-${kind}`))], publisher);
          expect((await reg.client.entry(r!.sequence)).entry.type).toBe('dataset');
        });
      });

      describe('when a role may not submit an entry type', () => {
        it('answers 403 ROLE_FORBIDDEN naming the entry, log unchanged', async () => {
          await unchanged(async () => {
            const a = await expectError(reg.client.submit([fresh(), datasetEntry(fe('x1'))], supplier));
            expect([a.status, a.code, a.index]).toEqual([403, 'ROLE_FORBIDDEN', 1]);
            const b = await expectError(reg.client.submit([fresh()], publisher));
            expect([b.status, b.code]).toEqual([403, 'ROLE_FORBIDDEN']);
            const c = await expectError(reg.client.submit([registration('sneaky')], supplier));
            expect([c.status, c.code]).toEqual([403, 'ROLE_FORBIDDEN']);
            const d = await expectError(reg.client.submit([fresh()], auditor));
            expect([d.status, d.code]).toEqual([403, 'ROLE_FORBIDDEN']);
          });
        });
      });

      describe('when the request is not signed, or signed wrongly', () => {
        it('answers 401 AUTH_MISSING without headers', async () => {
          await unchanged(async () => {
            const r = await raw(reg.url, 'POST', '/v1/entries', { body: body([fresh()]), headers: { 'content-type': 'application/json' } });
            expect([r.status, r.json.error?.code]).toEqual([401, 'AUTH_MISSING']);
          });
        });
        it('answers 401 AUTH_MALFORMED for a malformed header', async () => {
          await unchanged(async () => {
            const cases: [string, string][] = [
              ['canopy-timestamp', '0x10'],
              ['canopy-timestamp', '01767225600'],
              ['canopy-nonce', 'short'],
              ['canopy-nonce', 'has spaces in it ok'],
              ['canopy-signature', 'AAAA'],
              ['canopy-key-id', 'bad id'],
            ];
            for (const [h, v] of cases) {
              const r = await signedRaw(reg.url, 'POST', '/v1/entries', supplier, { body: body([fresh()]), tweak: (headers) => void (headers[h] = v) });
              expect([h, v, r.status, r.json.error?.code]).toEqual([h, v, 401, 'AUTH_MALFORMED']);
            }
          });
        });
        it('answers 401 SIGNATURE_INVALID for another key, an altered body or an altered target', async () => {
          await unchanged(async () => {
            const impostor = newParty('coop-1', 'supplier');
            const a = await signedRaw(reg.url, 'POST', '/v1/entries', impostor, { body: body([fresh()]) });
            expect([a.status, a.json.error?.code]).toEqual([401, 'SIGNATURE_INVALID']);
            // Signed for one body, sent with another.
            const signed = signRequest({ method: 'POST', target: '/v1/entries', body: new TextEncoder().encode(body([fresh()])), keyId: supplier.keyId, signerKey: supplier.signerKey });
            const c = await raw(reg.url, 'POST', '/v1/entries', { body: body([fresh()]), headers: { ...signed, 'content-type': 'application/json' } });
            expect([c.status, c.json.error?.code]).toEqual([401, 'SIGNATURE_INVALID']);
            // Signed for /v1/entries, sent to /v1/entries?x=1.
            const payload = body([fresh()]);
            const signedPath = signRequest({ method: 'POST', target: '/v1/entries', body: new TextEncoder().encode(payload), keyId: supplier.keyId, signerKey: supplier.signerKey });
            const d = await raw(reg.url, 'POST', '/v1/entries?x=1', { body: payload, headers: { ...signedPath, 'content-type': 'application/json' } });
            expect([d.status, d.json.error?.code]).toEqual([401, 'SIGNATURE_INVALID']);
          });
        });
        it('answers 401 TIMESTAMP_STALE beyond ±300 s and accepts within', async () => {
          await unchanged(async () => {
            // Ahead of the clock by 310 s, not 301: the server reads its clock after the test
            // did, and on a loaded machine a second may pass in between, bringing 301 to 300.
            for (const dt of [-301, 310, -100_000]) {
              const r = await signedRaw(reg.url, 'POST', '/v1/entries', supplier, { body: body([fresh()]), timestamp: NOW() + dt });
              expect([dt, r.status, r.json.error?.code]).toEqual([dt, 401, 'TIMESTAMP_STALE']);
            }
          });
          const ok = await signedRaw(reg.url, 'POST', '/v1/entries', supplier, { body: body([fresh()]), timestamp: NOW() - 290 });
          expect(ok.status).toBe(201);
        });
        it('answers 401 NONCE_REPLAYED to a replayed request, appending once', async () => {
          const payload = body([fresh()]);
          const nonce = `replay-${kind}-nonce-0001`;
          const timestamp = NOW();
          const first = await signedRaw(reg.url, 'POST', '/v1/entries', supplier, { body: payload, nonce, timestamp });
          expect(first.status).toBe(201);
          await unchanged(async () => {
            const again = await signedRaw(reg.url, 'POST', '/v1/entries', supplier, { body: payload, nonce, timestamp });
            expect([again.status, again.json.error?.code]).toEqual([401, 'NONCE_REPLAYED']);
            // The same nonce in a new request of the same key is a replay too.
            const other = await signedRaw(reg.url, 'POST', '/v1/entries', supplier, { body: body([fresh()]), nonce });
            expect(other.json.error?.code).toBe('NONCE_REPLAYED');
          });
        });
      });

      describe('when the key is unregistered or revoked', () => {
        it('answers 403 KEY_UNKNOWN and KEY_REVOKED', async () => {
          await unchanged(async () => {
            const stranger = newParty('stranger-1', 'supplier');
            const a = await expectError(reg.client.submit([fresh()], stranger));
            expect([a.status, a.code]).toEqual([403, 'KEY_UNKNOWN']);
          });
          const leaving = await reg.register(`leaving-${kind}`, 'supplier');
          await reg.client.submit([fresh()], leaving);
          await reg.client.revokeParty(leaving.keyId, 'left the scheme', ACCREDITOR);
          await unchanged(async () => {
            const b = await expectError(reg.client.submit([fresh()], leaving));
            expect([b.status, b.code]).toEqual([403, 'KEY_REVOKED']);
          });
        });
      });

      describe('when the body is malformed', () => {
        it('answers 400 with a code naming what was wrong, log unchanged', async () => {
          const good = fresh();
          const cases: [string, string, string][] = [
            ['not JSON', '{"entries": [', 'BODY_NOT_JSON'],
            ['no entries', '{}', 'INVALID_BODY'],
            ['empty entries', '{"entries":[]}', 'INVALID_BODY'],
            ['unknown member', JSON.stringify({ entries: [good], extra: 1 }), 'INVALID_BODY'],
            ['unknown entry type', body([{ type: 'gift', version: 1, body: {} }]), 'INVALID_BODY'],
            ['wrong version', body([{ ...good, version: 2 }]), 'INVALID_BODY'],
            ['non-canonical decimal', body([{ type: 'lot-mint', version: 1, body: { proof: { ...(good.body as { proof: object }).proof, publicSignals: { outCommitment: '007' } } } }]), 'INVALID_BODY'],
            ['field element ≥ r', body([{ type: 'lot-mint', version: 1, body: { proof: { ...(good.body as { proof: object }).proof, publicSignals: { outCommitment: '21888242871839275222246405745257275088548364400416034343698204186575808495617' } } } }]), 'ENTRY_MALFORMED'],
            ['signal the circuit lacks', body([{ type: 'lot-mint', version: 1, body: { proof: { ...(good.body as { proof: object }).proof, publicSignals: { root: '1' } } } }]), 'ENTRY_MALFORMED'],
            ['101 entries', body(Array.from({ length: 101 }, () => good)), 'INVALID_BODY'],
          ];
          await unchanged(async () => {
            for (const [what, text, code] of cases) {
              const r = await signedRaw(reg.url, 'POST', '/v1/entries', supplier, { body: text });
              expect([what, r.status, r.json.error?.code]).toEqual([what, 400, code]);
              expect(typeof r.json.error?.message).toBe('string');
            }
          });
        });
        it('answers 400 BODY_NOT_JSON to bytes that are not UTF-8', async () => {
          await unchanged(async () => {
            const bytes = new Uint8Array([0x7b, 0xff, 0x7d]);
            const headers = signRequest({ method: 'POST', target: '/v1/entries', body: bytes, keyId: supplier.keyId, signerKey: supplier.signerKey });
            const r = await raw(reg.url, 'POST', '/v1/entries', { body: bytes, headers: { ...headers, 'content-type': 'application/json' } });
            expect([r.status, r.json.error?.code]).toEqual([400, 'BODY_NOT_JSON']);
          });
        });
        it('answers 415 UNSUPPORTED_MEDIA_TYPE to another content type', async () => {
          await unchanged(async () => {
            for (const type of ['text/plain', 'application/json; charset=latin1', null]) {
              const r = await signedRaw(reg.url, 'POST', '/v1/entries', supplier, { body: body([fresh()]), contentType: type });
              expect([type, r.status, r.json.error?.code]).toEqual([type, 415, 'UNSUPPORTED_MEDIA_TYPE']);
            }
            // An encoded body is refused, not inflated: the signature covers the bytes as sent.
            const gz = await signedRaw(reg.url, 'POST', '/v1/entries', supplier, { body: body([fresh()]), tweak: (h) => void (h['content-encoding'] = 'gzip') });
            expect([gz.status, gz.json.error?.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
          });
        });
        it('answers 413 BODY_TOO_LARGE above the limit, before authenticating', async () => {
          await unchanged(async () => {
            const big = body([{ type: 'dataset', version: 1, body: { datasetRoot: '1', manifestSha256: '00'.repeat(32), name: 'x'.repeat(1_100_000) } }]);
            const r = await signedRaw(reg.url, 'POST', '/v1/entries', supplier, { body: big });
            expect([r.status, r.json.error?.code]).toEqual([413, 'BODY_TOO_LARGE']);
          });
        });
      });

      describe('when an entry is larger than the log takes', () => {
        const window = (leaf: string, root: bigint) => plotAttestation([{ datasetRoot: root, attestationLeaf: fe(leaf) }]).body as { windows: unknown[] };
        const attestation = (n: number, tag: string, root: bigint): LogEntry => ({ type: 'plot-attestation', version: 1, body: { windows: Array.from({ length: n }, (_, i) => window(`${tag}-${i}`, root).windows[0]) } }) as LogEntry;

        it('answers 413 ENTRY_TOO_LARGE naming the entry for a plot attestation of more than MAX_PLOT_WINDOWS windows, log unchanged', async () => {
          const root = fe(`big-ds-${kind}`);
          await reg.client.submit([datasetEntry(root)], publisher);
          await unchanged(async () => {
            const e = await expectError(reg.client.submit([fresh(), attestation(MAX_PLOT_WINDOWS + 1, `too-many-${kind}`, root)], supplier));
            expect([e.status, e.code, e.index]).toEqual([413, 'ENTRY_TOO_LARGE', 1]);
            expect(e.message).toMatch(/at most 40 windows, this one 41: attest a plot of more windows in several plot-attestation entries/);
          });
        });

        it('accepts a plot of more windows as several plot-attestation entries in one request, every window a plots leaf', async () => {
          const root = fe(`split-ds-${kind}`);
          await reg.client.submit([datasetEntry(root)], publisher);
          const before = await reg.service.log.store.head();
          const receipts = await reg.client.submit([attestation(MAX_PLOT_WINDOWS, `split-a-${kind}`, root), attestation(MAX_PLOT_WINDOWS, `split-b-${kind}`, root), attestation(3, `split-c-${kind}`, root)], supplier);
          expect(receipts.map((r) => r.plotsLeafIndexes.length)).toEqual([40, 40, 3]);
          expect(receipts.flatMap((r) => r.plotsLeafIndexes)).toEqual(Array.from({ length: 83 }, (_, i) => before.plotsSize + i));
          for (const r of receipts) expect(encodeEntry((await reg.client.entry(r.sequence)).entry).length).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
          await replayAndCheck(reg.service.log.store);
        });
      });

      describe('when the log refuses an entry', () => {
        it('answers 422 PROOF_INVALID for a proof that does not verify', async () => {
          await unchanged(async () => {
            const e = await expectError(reg.client.submit([fresh(), lotMint(fe(`bad-${kind}`), false)], supplier));
            expect([e.status, e.code, e.index]).toEqual([422, 'PROOF_INVALID', 1]);
          });
        });
        it('answers 409 for a state refusal (DATASET_EXISTS)', async () => {
          await reg.client.submit([datasetEntry(fe(`dup-${kind}`))], publisher);
          await unchanged(async () => {
            const e = await expectError(reg.client.submit([datasetEntry(fe(`dup-${kind}`))], publisher));
            expect([e.status, e.code, e.index]).toEqual([409, 'DATASET_EXISTS', 0]);
          });
        });
      });
    });

    describe('POST /v1/admin/parties', () => {
      it('registers a party when signed by the accreditor, and 409 PARTY_EXISTS / KEY_IN_USE after', async () => {
        const p = newParty(`new-${kind}`, 'supplier');
        const receipt = await reg.client.addParty({ partyId: p.keyId, role: 'supplier', publicKey: p.publicKey }, ACCREDITOR);
        expect((await reg.client.entry(receipt.sequence)).entry).toEqual(registration(p.keyId, p.publicKey));
        await unchanged(async () => {
          const a = await expectError(reg.client.addParty({ partyId: p.keyId, role: 'supplier', publicKey: newParty('z', 'supplier').publicKey }, ACCREDITOR));
          expect([a.status, a.code]).toEqual([409, 'PARTY_EXISTS']);
          const b = await expectError(reg.client.addParty({ partyId: `other-${kind}`, role: 'supplier', publicKey: p.publicKey }, ACCREDITOR));
          expect([b.status, b.code]).toEqual([409, 'KEY_IN_USE']);
        });
      });
      it('answers 403 KEY_UNKNOWN when signed by a party, 401 when unsigned, 400 for a bad body', async () => {
        await unchanged(async () => {
          const p = newParty(`x-${kind}`, 'supplier');
          const a = await expectError(reg.client.addParty({ partyId: p.keyId, role: 'supplier', publicKey: p.publicKey }, supplier));
          expect([a.status, a.code]).toEqual([403, 'KEY_UNKNOWN']);
          const b = await raw(reg.url, 'POST', '/v1/admin/parties', { body: JSON.stringify({ partyId: p.keyId, role: 'supplier', publicKey: p.publicKey }), headers: { 'content-type': 'application/json' } });
          expect([b.status, b.json.error?.code]).toEqual([401, 'AUTH_MISSING']);
          for (const bad of [{ partyId: p.keyId, role: 'king', publicKey: p.publicKey }, { partyId: p.keyId, role: 'supplier', publicKey: 'AAAA' }, { partyId: p.keyId, role: 'supplier' }]) {
            const r = await signedRaw(reg.url, 'POST', '/v1/admin/parties', ACCREDITOR, { body: JSON.stringify(bad) });
            expect([r.status, r.json.error?.code]).toEqual([400, 'INVALID_BODY']);
          }
        });
      });
    });

    describe('POST /v1/admin/parties/:id/revoke', () => {
      it('revokes once, then 409 PARTY_REVOKED; 409 PARTY_UNKNOWN for an unknown id', async () => {
        const p = await reg.register(`rev-${kind}`, 'supplier');
        await reg.client.revokeParty(p.keyId, 'audit finding', ACCREDITOR);
        expect((await reg.client.party(p.keyId)).revokedAt).not.toBeNull();
        await unchanged(async () => {
          expect((await expectError(reg.client.revokeParty(p.keyId, 'again', ACCREDITOR))).code).toBe('PARTY_REVOKED');
          expect((await expectError(reg.client.revokeParty(`nobody-${kind}`, '', ACCREDITOR))).code).toBe('PARTY_UNKNOWN');
        });
      });
    });

    describe('GET /v1/audit/submissions', () => {
      it('tells an auditor who submitted each entry', async () => {
        const [r1, r2] = await reg.client.submit([fresh(), fresh()], supplier);
        const [r3] = await reg.client.submit([datasetEntry(fe(`audit-${kind}`))], publisher);
        const { submissions, unrecorded } = await reg.client.submissions(r1!.sequence, r3!.sequence + 1, auditor);
        expect(submissions.map((s) => [s.sequence, s.keyId, s.role])).toEqual([
          [r1!.sequence, 'coop-1', 'supplier'],
          [r2!.sequence, 'coop-1', 'supplier'],
          [r3!.sequence, 'publisher-1', 'publisher'],
        ]);
        expect(unrecorded).toEqual([]);
        const admin = await reg.client.submissions(0, 3, auditor);
        expect(admin.submissions.map((s) => [s.sequence, s.keyId, s.kind])).toEqual([
          [0, 'accreditor.test', 'accreditor'],
          [1, 'accreditor.test', 'accreditor'],
          [2, 'accreditor.test', 'accreditor'],
        ]);
      });
      it('answers 403 ROLE_FORBIDDEN to a supplier and 401 unsigned', async () => {
        expect((await expectError(reg.client.submissions(0, 1, supplier))).code).toBe('ROLE_FORBIDDEN');
        expect((await raw(reg.url, 'GET', '/v1/audit/submissions?start=0')).json.error?.code).toBe('AUTH_MISSING');
      });
      it('covers the signed query: a page swapped after signing fails', async () => {
        const headers = signRequest({ method: 'GET', target: '/v1/audit/submissions?start=0&end=1', body: null, keyId: auditor.keyId, signerKey: auditor.signerKey });
        const r = await raw(reg.url, 'GET', '/v1/audit/submissions?start=0&end=2', { headers });
        expect([r.status, r.json.error?.code]).toEqual([401, 'SIGNATURE_INVALID']);
      });
    });
  });
}

describe('registry API limits and faults', () => {
  let fixture: StoreFixture;
  let reg: TestRegistry;
  let verifier: FakeVerifier;

  beforeEach(async () => {
    fixture = storeKinds()[0]!.fixture();
    verifier = new FakeVerifier();
  });
  afterEach(async () => {
    await reg.close();
  });

  describe('when a client exceeds its rate', () => {
    it('answers 429 RATE_LIMITED with Retry-After', async () => {
      reg = await startTestRegistry(fixture, { rateLimit: { burst: 3, perSecond: 0.01 } });
      const statuses: number[] = [];
      let last = await raw(reg.url, 'GET', '/healthz');
      statuses.push(last.status);
      for (let i = 0; i < 4; i++) {
        last = await raw(reg.url, 'GET', '/healthz');
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(last.json.error?.code).toBe('RATE_LIMITED');
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    });
  });

  describe('when the verifier itself fails', () => {
    it('answers 500 INTERNAL with no detail and leaves the log unchanged', async () => {
      reg = await startTestRegistry(fixture, { verifier });
      const supplier = await reg.register('coop-1', 'supplier');
      const before = await reg.service.log.store.head();
      verifier.fault = new Error('worker crashed at /secret/path');
      const r = await signedRaw(reg.url, 'POST', '/v1/entries', supplier, { body: body([lotMint(fe('m'))]) });
      expect([r.status, r.json]).toEqual([500, { error: { code: 'INTERNAL', message: 'internal error' } }]);
      expect(r.text).not.toMatch(/secret|at .*\.ts/);
      expect((await reg.service.log.store.head()).size).toBe(before.size);
    });
  });

  describe('when started without an accreditor key', () => {
    it('answers 403 ADMIN_DISABLED to admin calls', async () => {
      reg = await startTestRegistry(fixture, { accreditorKey: null });
      const p = newParty('p', 'supplier');
      const e = await expectError(reg.client.addParty({ partyId: 'p', role: 'supplier', publicKey: p.publicKey }, ACCREDITOR));
      expect([e.status, e.code]).toEqual([403, 'ADMIN_DISABLED']);
    });
  });

  describe('when the body limit is set lower', () => {
    it('answers 413 above it and accepts below it', async () => {
      reg = await startTestRegistry(fixture, { bodyLimitBytes: 2048 });
      const p = newParty('p1', 'supplier');
      const small = await signedRaw(reg.url, 'POST', '/v1/admin/parties', ACCREDITOR, { body: JSON.stringify({ partyId: 'p1', role: 'supplier', publicKey: p.publicKey }) });
      expect(small.status).toBe(201);
      const big = await signedRaw(reg.url, 'POST', '/v1/admin/parties', ACCREDITOR, { body: JSON.stringify({ partyId: 'p2', role: 'supplier', publicKey: p.publicKey, pad: 'x'.repeat(2100) }) });
      expect([big.status, big.json.error?.code]).toEqual([413, 'BODY_TOO_LARGE']);
    });
  });
});
