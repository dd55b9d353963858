// The verifier HTTP API (verifier/http/*) served in-process against the real registry world:
// POST /verify answers the claim or 422 naming the check; bodies are validated; unknown
// routes, wrong methods, media types and sizes are refused; no answer carries a stack
// trace and no secret reaches the log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { passportToJson } from '../../core/passport/lot-passport.ts';
import { encryptPassport, generateRecipientKey } from '../../core/passport/passport-encryption.ts';
import { claimSchema, errorSchema, rejectionSchema } from '../../verifier/http/schemas.ts';
import { startVerifierServer, type RunningVerifierServer } from '../../verifier/http/server.ts';
import { VERIFIER_ROUTES, VerifierApi } from '../../verifier/http/verifier-api.ts';
import { verifyLotPassport } from '../../verifier/verify-lot-passport.ts';
import { IMPORTER_SECRET, startWorld, type World } from './_world.ts';

let world: World;
let server: RunningVerifierServer;
const logLines: string[] = [];
const NOW = new Date('2026-03-04T05:06:07Z');

beforeAll(async () => {
  world = await startWorld();
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  server = await startVerifierServer(new VerifierApi({ policy: world.policy(), log: logger, now: () => NOW }), { port: 0, logger, bodyLimitBytes: 16 * 1024 });
});
afterAll(async () => {
  await server?.close();
  await world?.close();
});

interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
  text: string;
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }, base = server.url): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // HEAD and empty answers
  }
  return { status: res.status, headers: res.headers, json, text };
}

function expectNoStack(a: Answer): void {
  expect(a.text).not.toMatch(/\.ts:\d+|\n\s+at /);
}

async function expectError(a: Promise<Answer>, status: number, code: string, message?: RegExp): Promise<Answer> {
  const answer = await a;
  expect([answer.status, answer.json.code]).toEqual([status, code]);
  expect(errorSchema.parse(answer.json)).toEqual(answer.json);
  if (message) expect(answer.json.message).toMatch(message);
  expectNoStack(answer);
  return answer;
}

describe('POST /verify', () => {
  describe('when the passport passes every check', () => {
    it('answers 200 with the claim the library gives', async () => {
      const a = await call('POST', '/verify', { passport: passportToJson(world.lots.a.passport) });
      expect(a.status).toBe(200);
      expect(claimSchema.parse(a.json)).toEqual(a.json);
      expect(a.json).toEqual(await verifyLotPassport(world.lots.a.passport, { registry: world.reg.url, policy: world.policy(), now: () => NOW }));
      expect(a.headers.get('cache-control')).toBe('no-store');
    });
    it('opens an encrypted passport with the recipient key it carries', async () => {
      const { secretKey, publicKey } = generateRecipientKey();
      const blob = encryptPassport(world.lots.a.passport, publicKey);
      const t0 = performance.now();
      const a = await call('POST', '/verify', { encryptedPassport: Buffer.from(blob).toString('base64'), recipientKey: Buffer.from(secretKey).toString('base64') });
      console.log(`POST /verify with the curve held and the dataset list cached: ${(performance.now() - t0).toFixed(0)} ms`);
      expect([a.status, (a.json.registry as { sequence: number }).sequence]).toEqual([200, world.lots.a.sequence]);
    });
    it("checks a note made for the importer's key with the owner secret it carries", async () => {
      const a = await call('POST', '/verify', { passport: passportToJson(world.lots.b.passport), ownerSecret: IMPORTER_SECRET.toString() });
      expect([a.status, (a.json.intensity as { exact: boolean }).exact]).toEqual([200, false]);
    });
  });

  describe('when a check fails', () => {
    it('answers 422 with the code, the check and the sentence', async () => {
      const a = await call('POST', '/verify', { passport: passportToJson(world.lots.c.passport) });
      expect(a.status).toBe(422);
      expect(rejectionSchema.parse(a.json)).toEqual(a.json);
      expect(a.json).toMatchObject({ code: 'CLAIM_REJECTED', check: 'nullifier', message: expect.stringMatching(new RegExp(`spent by entry ${world.spendSequence}`)) });
      expectNoStack(a);
    });
    it('answers 422 check nullifier without the owner secret', async () => {
      const a = await call('POST', '/verify', { passport: passportToJson(world.lots.b.passport) });
      expect([a.status, a.json.check]).toEqual([422, 'nullifier']);
    });
    it('answers 422 check opening for a passport that cannot be parsed or decrypted', async () => {
      const text = passportToJson(world.lots.a.passport).replace('"leafIndex":', '"leafIndex": ');
      expect((await call('POST', '/verify', { passport: text })).json).toMatchObject({ code: 'PASSPORT_MALFORMED', check: 'opening' });
      const blob = encryptPassport(world.lots.a.passport, generateRecipientKey().publicKey);
      const a = await call('POST', '/verify', { encryptedPassport: Buffer.from(blob).toString('base64'), recipientKey: Buffer.from(generateRecipientKey().secretKey).toString('base64') });
      expect([a.status, a.json.code, a.json.check]).toEqual([422, 'PASSPORT_UNDECRYPTABLE', 'opening']);
    });
    it('answers 422 check checkpoint-signature for a registry the policy does not pin', async () => {
      const p = world.lots.a.passport;
      const a = await call('POST', '/verify', { passport: passportToJson({ ...p, registry: { ...p.registry, origin: 'elsewhere.example/canopy' } }) });
      expect([a.status, a.json.check]).toEqual([422, 'checkpoint-signature']);
    });
  });

  describe('when the body is wrong', () => {
    it.each([
      ['no member', {}, /expected \{ passport \} or \{ encryptedPassport, recipientKey \}/],
      ['a passport that is not a string', { passport: 5 }, /"passport": /],
      ['an unknown member', { passport: '{}', extra: 1 }, /extra/],
      ['an owner secret with a leading zero', { passport: '{}', ownerSecret: '012' }, /"ownerSecret"/],
      ['an owner secret ≥ r', { passport: '{}', ownerSecret: '21888242871839275222246405745257275088548364400416034343698204186575808495617' }, /"ownerSecret": expected a field element below r/],
      ['an encrypted passport without its key', { encryptedPassport: 'AAAA' }, /"recipientKey"/],
      ['a key that is not 32 bytes', { encryptedPassport: 'AQ==', recipientKey: Buffer.alloc(31).toString('base64') }, /"recipientKey"/],
      ['non-canonical base64', { encryptedPassport: 'AR==', recipientKey: Buffer.alloc(32).toString('base64') }, /"encryptedPassport": expected canonical padded base64/],
      ['an encrypted passport sent as text', { passport: '\u0001abc' }, /send an encrypted passport as "encryptedPassport"/],
    ])('answers 400 INVALID_BODY naming the member for %s', async (_name, body, message) => {
      await expectError(call('POST', '/verify', body), 400, 'INVALID_BODY', message);
    });
    it('answers 400 BODY_NOT_JSON for text that is not JSON', async () => {
      await expectError(call('POST', '/verify', '{"passport":'), 400, 'BODY_NOT_JSON');
    });
    it('answers 415 for another media type', async () => {
      await expectError(call('POST', '/verify', JSON.stringify({ passport: '{}' }), { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
    it('answers 413 for a body over the limit', async () => {
      await expectError(call('POST', '/verify', { passport: 'x'.repeat(17 * 1024) }), 413, 'BODY_TOO_LARGE');
    });
  });
});

describe('routes', () => {
  describe('when the route does not exist', () => {
    it('answers 404', async () => {
      await expectError(call('GET', '/v1/nope'), 404, 'NOT_FOUND');
      await expectError(call('POST', '/verify/extra', {}), 404, 'NOT_FOUND');
    });
  });
  describe('when the method is wrong', () => {
    it('answers 405 with Allow', async () => {
      const a = await expectError(call('GET', '/verify'), 405, 'METHOD_NOT_ALLOWED');
      expect(a.headers.get('allow')).toBe('POST');
      await expectError(call('POST', '/openapi.json', {}), 405, 'METHOD_NOT_ALLOWED');
    });
  });
  describe('GET /openapi.json', () => {
    it('documents exactly the routes served, with the claim and rejection schemas', async () => {
      const doc = (await call('GET', '/openapi.json')).json as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
      expect(doc.openapi).toBe('3.1.0');
      const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
      const served = Object.entries(VERIFIER_ROUTES).flatMap(([p, ms]) => ms.filter((m) => m !== 'HEAD').map((m) => `${m} ${p}`)).sort();
      expect(documented).toEqual(served);
      expect(Object.keys(doc.components.schemas).sort()).toEqual(['Error', 'Rejection', 'VerifiedClaim']);
      expect(Object.keys((doc.paths['/verify']!.post as { responses: object }).responses)).toEqual(expect.arrayContaining(['200', '400', '413', '415', '422', '502']));
    });
  });
  describe('GET /healthz', () => {
    it('answers ok with the pinned registries', async () => {
      expect((await call('GET', '/healthz')).json).toEqual({ status: 'ok', registries: ['registry.test/canopy'], keysDir: false });
    });
  });
});

describe('VerifierApi', () => {
  describe('when the registry does not answer', () => {
    it('answers 502 REGISTRY_UNAVAILABLE, not a rejection', async () => {
      const down = await startVerifierServer(new VerifierApi({ policy: world.policy(), registryUrl: 'http://127.0.0.1:9' }), { port: 0, logger: pino({ level: 'silent' }) });
      try {
        await expectError(call('POST', '/verify', { passport: passportToJson(world.lots.a.passport) }, undefined, down.url), 502, 'REGISTRY_UNAVAILABLE');
      } finally {
        await down.close();
      }
    });
  });
  describe('when the policy gives no URL for the registry', () => {
    it('answers 503 REGISTRY_UNKNOWN', async () => {
      const policy = world.policy({ registries: world.policy().registries.map((r) => ({ ...r, url: null })) });
      const api = new VerifierApi({ policy });
      const body = new TextEncoder().encode(JSON.stringify({ passport: passportToJson(world.lots.a.passport) }));
      const a = await api.handle({ method: 'POST', target: '/verify', params: {}, query: {}, headers: { 'content-type': 'application/json' }, body, client: 'test' });
      expect([a.status, (a.body as { json: { code: string } }).json.code]).toEqual([503, 'REGISTRY_UNKNOWN']);
    });
  });
  describe('the request log', () => {
    it('records outcomes and checks, and no secret of any request', () => {
      const log = logLines.join('');
      expect(log).toMatch(/"outcome":"accepted"/);
      expect(log).toMatch(/"outcome":"rejected","check":"nullifier"/);
      for (const secret of [world.lots.a.secret, world.lots.c.secret, IMPORTER_SECRET, world.lots.a.note.salt]) expect(log).not.toContain(secret.toString());
    });
  });
});
