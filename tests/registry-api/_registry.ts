/**
 * Test fixtures for the registry API: a registry served in-process on an ephemeral
 * loopback port over a fresh store (SQLite, or PostgreSQL when CANOPY_TEST_DATABASE_URL
 * is set), with an accreditor key, registered parties and a typed client; and raw
 * request functions for the malformed requests a client would never send.
 */
import { pino } from 'pino';
import { generateNoteKey } from '../../core/note/note-key.ts';
import type { PublishedArtifacts } from '../../registry/api/artifacts.ts';
import { RegistryService, type RegistryServiceOptions } from '../../registry/api/registry-service.ts';
import { signRequest, signerPublicKey } from '../../registry/api/request-signature.ts';
import { RegistryClient, type RequestSigner } from '../../registry/client.ts';
import type { PartyRole } from '../../registry/log/entry.ts';
import type { ProofVerifier } from '../../registry/log/proof-verifier.ts';
import { type RunningRegistryServer, startRegistryServer } from '../../registry/server.ts';
import { FakeVerifier, REGISTRY_KEY, type StoreFixture, VKEY } from '../registry/_fixtures.ts';

/** Artifacts naming the fake verifier's key for every circuit (the fake ignores the key itself). */
export function fakeArtifacts(): PublishedArtifacts {
  const vkey = { protocol: 'groth16', curve: 'bn128', nPublic: 1, vk_alpha_1: [], vk_beta_2: [], vk_gamma_2: [], vk_delta_2: [], vk_alphabeta_12: [], IC: [[], []] };
  return {
    profile: 'test',
    snarkjs: '0.7.6',
    forProduction: false,
    manifestSha256: '00'.repeat(32),
    circuits: (['lot_transition', 'lot_mint', 'capacity_mint', 'capacity_issue', 'plot_window'] as const).map((circuit) => ({
      circuit,
      vkeyHash: VKEY,
      params: {},
      publicSignals: [],
      constraints: 1,
      ptauSha256: '11'.repeat(32),
      zkeyHash: '22'.repeat(32),
      r1csHash: '33'.repeat(32),
      vkey: vkey as unknown as PublishedArtifacts['circuits'][number]['vkey'],
    })),
  };
}

/** A party with a fresh key. */
export interface TestParty extends RequestSigner {
  role: PartyRole;
  publicKey: string;
}

/** A fresh key for `partyId` (not registered). */
export function newParty(partyId: string, role: PartyRole): TestParty {
  const { signerKey } = generateNoteKey(partyId);
  return { keyId: partyId, signerKey, role, publicKey: Buffer.from(signerPublicKey(signerKey)).toString('base64') };
}

/** The accreditor of the test registries. */
export const ACCREDITOR = (() => {
  const k = generateNoteKey('accreditor.test', new Uint8Array(32).fill(9));
  return { keyId: 'accreditor.test', signerKey: k.signerKey, verifierKey: k.verifierKey };
})();

/** A running test registry. */
export interface TestRegistry {
  url: string;
  client: RegistryClient;
  service: RegistryService;
  server: RunningRegistryServer;
  fixture: StoreFixture;
  /** Registers a party through the admin API and returns its signer. */
  register(partyId: string, role: PartyRole): Promise<TestParty>;
  close(): Promise<void>;
}

/** Options of `startTestRegistry`, beyond the store. */
export type TestRegistryOptions = Partial<Omit<RegistryServiceOptions, 'store'>> & { bodyLimitBytes?: number; verifier?: ProofVerifier };

/**
 * Starts a registry on 127.0.0.1:0 over a fresh store of `fixture`, with the fake verifier
 * and no rate limit unless given, logging nothing.
 */
export async function startTestRegistry(fixture: StoreFixture, options: TestRegistryOptions = {}): Promise<TestRegistry> {
  const { bodyLimitBytes, ...serviceOptions } = options;
  const store = await fixture.open();
  const service = await RegistryService.open({
    store,
    signerKey: REGISTRY_KEY.signerKey,
    artifacts: fakeArtifacts(),
    depths: { lots: 8, plots: 8 },
    verifier: new FakeVerifier(),
    accreditorKey: ACCREDITOR.verifierKey,
    checkpointIntervalMs: 0,
    rateLimit: null,
    ...serviceOptions,
  });
  const server = await startRegistryServer(service, { port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }), bodyLimitBytes });
  const client = new RegistryClient({ baseUrl: server.url });
  return {
    url: server.url,
    client,
    service,
    server,
    fixture,
    async register(partyId, role) {
      const party = newParty(partyId, role);
      await client.addParty({ partyId, role, publicKey: party.publicKey }, ACCREDITOR);
      return party;
    },
    async close() {
      await server.close();
      await service.close();
      await fixture.cleanup();
    },
  };
}

/** A raw HTTP answer. */
export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: { error?: { code: string; message: string; index?: number } } & Record<string, unknown>;
}

/** Sends a request as given, with no client-side checks. */
export async function raw(url: string, method: string, target: string, options: { body?: string | Uint8Array; headers?: Record<string, string> } = {}): Promise<RawAnswer> {
  const res = await fetch(`${url}${target}`, { method, headers: options.headers, body: options.body as BodyInit | undefined });
  const text = await res.text();
  let json: RawAnswer['json'] = {};
  try {
    json = JSON.parse(text) as RawAnswer['json'];
  } catch {
    // text responses
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Sends a signed JSON request; `tweak` may alter the headers after signing. */
export async function signedRaw(
  url: string,
  method: 'GET' | 'POST',
  target: string,
  signer: RequestSigner,
  options: { body?: string; timestamp?: number; nonce?: string; contentType?: string | null; tweak?: (h: Record<string, string>) => void } = {},
): Promise<RawAnswer> {
  const bytes = options.body === undefined ? null : new TextEncoder().encode(options.body);
  const headers = signRequest({ method, target, body: method === 'POST' ? (bytes ?? new Uint8Array(0)) : null, keyId: signer.keyId, signerKey: signer.signerKey, timestamp: options.timestamp, nonce: options.nonce });
  if (options.body !== undefined && options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/json';
  options.tweak?.(headers);
  return raw(url, method, target, { body: bytes ?? undefined, headers });
}
