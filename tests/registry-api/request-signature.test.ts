// Signed requests (registry/api/request-signature.ts) and the two bounded tables the
// server keeps for them: the nonce cache and the per-client rate limiter.
import { describe, expect, it } from 'vitest';
import { generateNoteKey } from '../../core/note/note-key.ts';
import { ApiError } from '../../registry/api/api-error.ts';
import { NonceCache } from '../../registry/api/nonce-cache.ts';
import { RateLimiter } from '../../registry/api/rate-limiter.ts';
import { bodyDigest, parseSignatureHeaders, signerPublicKey, signingString, signRequest, verifyRequestSignature } from '../../registry/api/request-signature.ts';
import { HOSTILE_INPUTS } from '../hostile-inputs.ts';

const KEY = generateNoteKey('mill-7', new Uint8Array(32).fill(3));
const FIELDS = { method: 'POST', target: '/v1/entries', bodySha256: bodyDigest(new TextEncoder().encode('{"entries":[]}')), timestamp: 1767225600, nonce: 'q8Zl0Wm3PxA1c9dT2vKb7g', keyId: 'mill-7' };

describe('signingString', () => {
  describe('when given well-formed fields', () => {
    it('writes the seven lines of docs/registry-api.md', () => {
      expect(signingString(FIELDS)).toBe(`canopy-request/v1\nPOST\n/v1/entries\n${FIELDS.bodySha256}\n1767225600\nq8Zl0Wm3PxA1c9dT2vKb7g\nmill-7\n`);
      expect(bodyDigest(null)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    });
  });
  describe('when a field could smuggle a line or is out of its alphabet', () => {
    it('throws RangeError naming it', () => {
      for (const [k, v] of [['target', '/v1/entries\nGET'], ['target', 'v1/entries'], ['target', '/a b'], ['method', 'post'], ['nonce', 'short'], ['keyId', 'a\nb'], ['bodySha256', 'AB'.repeat(32)]] as const) {
        expect(() => signingString({ ...FIELDS, [k]: v })).toThrow(new RegExp(`^"${k}" expected`));
      }
      expect(() => signingString({ ...FIELDS, timestamp: -1 })).toThrow(RangeError);
    });
  });
  describe('when given hostile values', () => {
    it('throws TypeError or RangeError, never anything else', () => {
      for (const { value } of HOSTILE_INPUTS) {
        for (const k of Object.keys(FIELDS)) {
          let e: unknown = null;
          try {
            signingString({ ...FIELDS, [k]: value } as typeof FIELDS);
          } catch (x) {
            e = x;
          }
          if (e !== null) expect(e instanceof TypeError || e instanceof RangeError).toBe(true);
        }
      }
    });
  });
});

describe('signRequest / verifyRequestSignature', () => {
  const body = new TextEncoder().encode('{"entries":[]}');
  const headers = signRequest({ method: 'POST', target: '/v1/entries', body, keyId: 'mill-7', signerKey: KEY.signerKey, timestamp: 1767225600, nonce: FIELDS.nonce });
  const pub = signerPublicKey(KEY.signerKey);
  const parsed = parseSignatureHeaders(headers);

  describe('when nothing was altered', () => {
    it('verifies, deterministically (RFC 8032)', () => {
      expect(verifyRequestSignature(pub, FIELDS, parsed.signature)).toBe(true);
      expect(signRequest({ method: 'POST', target: '/v1/entries', body, keyId: 'mill-7', signerKey: KEY.signerKey, timestamp: 1767225600, nonce: FIELDS.nonce })).toEqual(headers);
    });
  });
  describe('when any signed field differs', () => {
    it('does not verify', () => {
      for (const [k, v] of [['method', 'GET'], ['target', '/v1/entries?x=1'], ['bodySha256', bodyDigest(null)], ['timestamp', 1767225601], ['nonce', 'q8Zl0Wm3PxA1c9dT2vKb7h'], ['keyId', 'mill-8']] as const) {
        expect([k, verifyRequestSignature(pub, { ...FIELDS, [k]: v }, parsed.signature)]).toEqual([k, false]);
      }
    });
  });
  describe('when a signature bit is flipped', () => {
    it('does not verify, for every bit', () => {
      for (let i = 0; i < 512; i++) {
        const sig = parsed.signature.slice();
        sig[i >> 3]! ^= 1 << (i & 7);
        expect(verifyRequestSignature(pub, FIELDS, sig)).toBe(false);
      }
    });
  });
});

describe('parseSignatureHeaders', () => {
  const good = signRequest({ method: 'GET', target: '/x', body: null, keyId: 'mill-7', signerKey: KEY.signerKey });
  describe('when a header is missing', () => {
    it('throws ApiError AUTH_MISSING naming it', () => {
      for (const h of Object.keys(good)) {
        const { [h]: _gone, ...rest } = good;
        const e = (() => {
          try {
            parseSignatureHeaders(rest);
          } catch (x) {
            return x as ApiError;
          }
        })();
        expect([e?.code, e?.status, e?.message]).toEqual(['AUTH_MISSING', 401, `header ${h} is missing`]);
      }
    });
  });
  describe('when a header is malformed or repeated', () => {
    it('throws ApiError AUTH_MALFORMED', () => {
      const sig = good['canopy-signature']!;
      for (const [h, v] of [
        ['canopy-timestamp', '+1767225600'],
        ['canopy-timestamp', '1e9'],
        ['canopy-nonce', `${good['canopy-nonce']}, ${good['canopy-nonce']}`],
        ['canopy-signature', sig.replace(/=+$/, '')],
        ['canopy-signature', `${sig.slice(0, -3)}A==`.length === sig.length ? `${sig.slice(0, 85)}B==` : sig],
        ['canopy-key-id', '-lead'],
        ['canopy-key-id', 'x'.repeat(300)],
      ] as const) {
        expect(() => parseSignatureHeaders({ ...good, [h]: v })).toThrow(ApiError);
      }
    });
  });
});

describe('NonceCache', () => {
  describe('remember', () => {
    it('accepts a nonce once per key within the window, and again once its timestamp has left it', () => {
      const c = new NonceCache(300);
      expect(c.remember('a', 'n1', 1000, 1000)).toBe('fresh');
      expect(c.remember('a', 'n1', 1000, 1200)).toBe('replayed');
      expect(c.remember('b', 'n1', 1000, 1200)).toBe('fresh');
      expect(c.remember('a', 'n1', 1000, 1300)).toBe('replayed');
      expect(c.remember('a', 'n1', 1000, 1301)).toBe('fresh');
    });
    it('forgets expired nonces and refuses when full of live ones', () => {
      const c = new NonceCache(10, 3);
      for (const n of ['n1', 'n2', 'n3']) expect(c.remember('a', n, 100, 100)).toBe('fresh');
      expect(c.remember('a', 'n4', 100, 105)).toBe('full');
      expect(c.remember('a', 'n4', 120, 120)).toBe('fresh');
      expect(c.size).toBe(1);
    });
  });
});

describe('RateLimiter', () => {
  describe('take', () => {
    it('allows a burst, then one request per refill interval, per client', () => {
      const r = new RateLimiter({ burst: 2, perSecond: 1 });
      expect([r.take('a', 0).ok, r.take('a', 0).ok, r.take('a', 0)]).toEqual([true, true, { ok: false, retryAfterSeconds: 1 }]);
      expect(r.take('b', 0).ok).toBe(true);
      expect(r.take('a', 999).ok).toBe(false);
      expect(r.take('a', 1000).ok).toBe(true);
      expect(r.take('a', 500).ok).toBe(false);
    });
    it('keeps at most maxClients buckets', () => {
      const r = new RateLimiter({ burst: 1, perSecond: 1, maxClients: 2 });
      for (const c of ['a', 'b', 'c', 'd']) r.take(c, 0);
      expect(r.size).toBe(2);
    });
    it('rejects malformed options', () => {
      expect(() => new RateLimiter({ burst: 0, perSecond: 1 })).toThrow(RangeError);
      expect(() => new RateLimiter({ burst: 1, perSecond: 0 })).toThrow(RangeError);
    });
  });
});
