/**
 * Signed requests: how a registered party (or the accreditor) authenticates a call to the
 * registry. The client signs, with its Ed25519 key, one canonical string naming the call;
 * four headers carry what the server needs to rebuild and check it.
 *
 *     Canopy-Key-Id:    mill-7                                     party id (or the accreditor's key name)
 *     Canopy-Timestamp: 1767225600                                 Unix seconds, canonical decimal
 *     Canopy-Nonce:     q8Zl0Wm3PxA1c9dT2vKb7g                     16..64 of [A-Za-z0-9_-], fresh per request
 *     Canopy-Signature: <base64 of the 64-byte Ed25519 signature>  canonical base64, padded
 *
 * The signed string, UTF-8, every line ending in "\n" (no other whitespace):
 *
 *     ┌──────────────────────────────────────────────────────────────────────┐
 *     │ canopy-request/v1\n                         version, domain separation │
 *     │ POST\n                                      method, upper case         │
 *     │ /v1/entries\n                               request target as sent:    │
 *     │                                             path and ?query, verbatim  │
 *     │ 9f86d081…0f00a08\n                          SHA-256 of the body bytes, │
 *     │                                             64 lowercase hex (of the   │
 *     │                                             empty string if no body)   │
 *     │ 1767225600\n                                timestamp header           │
 *     │ q8Zl0Wm3PxA1c9dT2vKb7g\n                    nonce header               │
 *     │ mill-7\n                                    key id header              │
 *     └──────────────────────────────────────────────────────────────────────┘
 *
 * The signature covers the exact body bytes (not a re-serialisation), the query string
 * (so an auditor's page cannot be swapped), and the key id (so a signature cannot be
 * presented under another identity). Freshness and replay are the server's checks
 * (registry/api/authenticator.ts): the timestamp must lie within ±5 minutes of its clock
 * and a nonce is accepted once per key within that window. Ed25519 is RFC 8032 with
 * noble's strict verification (core/note/note-key.ts `verifyEd25519`).
 *
 * Keys are note keys (core/note/note-key.ts): the signer holds "PRIVATE+KEY+<name>+…", the
 * registry knows the 32-byte public key (a party's registered `publicKey`, or the
 * accreditor's verifier key).
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { assertBytes, assertInteger, assertString, rangeError } from '../../core/assert.ts';
import { parseSignerKey, verifyEd25519 } from '../../core/note/note-key.ts';
import { ApiError } from './api-error.ts';
import { type ApiRequest, headerValue } from './http.ts';

/** First line of every signed string. */
export const SIGNED_REQUEST_VERSION = 'canopy-request/v1';

/** Header names (lower case, as Node delivers them). */
export const HEADER_KEY_ID = 'canopy-key-id';
export const HEADER_TIMESTAMP = 'canopy-timestamp';
export const HEADER_NONCE = 'canopy-nonce';
export const HEADER_SIGNATURE = 'canopy-signature';

/** The four signed-request headers. */
export const SIGNED_REQUEST_HEADERS = [HEADER_KEY_ID, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE] as const;

/** Key ids: party ids (registry/store/store.ts) and note key names that fit the same alphabet, plus "/". */
export const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/;
/** Nonces: 16..64 URL-safe base64 characters. */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
/** Timestamps: canonical decimal Unix seconds, at most 12 digits. */
export const TIMESTAMP_PATTERN = /^(0|[1-9][0-9]{0,11})$/;
/** Request targets: a path and optional query of printable ASCII without spaces, at most 2048 characters. */
export const TARGET_PATTERN = /^\/[\x21-\x7e]{0,2047}$/;
const METHOD_PATTERN = /^[A-Z]{1,10}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/** What the signature covers. */
export interface SignedRequestFields {
  method: string;
  target: string;
  /** SHA-256 of the body bytes, 64 lowercase hex. */
  bodySha256: string;
  /** Unix seconds. */
  timestamp: number;
  nonce: string;
  keyId: string;
}

/** The four headers, parsed (attacker-controlled until verified). */
export interface SignatureHeaders {
  keyId: string;
  timestamp: number;
  nonce: string;
  signature: Uint8Array;
}

/**
 * The canonical string a request signature covers (see the module comment).
 * @throws {TypeError|RangeError} if a field breaks its pattern
 * @example signingString({ method: 'GET', target: '/v1/audit/submissions?start=0', bodySha256: bodyDigest(null), timestamp: 1767225600, nonce: 'q8Zl0Wm3PxA1c9dT2vKb7g', keyId: 'auditor-1' })
 */
export function signingString(f: SignedRequestFields): string {
  if (typeof f !== 'object' || f === null) throw new TypeError(`"fields" expected SignedRequestFields, got ${String(f)}`);
  checkPattern(f.method, 'method', METHOD_PATTERN, 'upper-case method');
  checkPattern(f.target, 'target', TARGET_PATTERN, 'request target of printable ASCII starting with "/"');
  checkPattern(f.bodySha256, 'bodySha256', HEX64, '64 lowercase hex digits');
  assertInteger(f.timestamp, 'timestamp', 0, 999_999_999_999);
  checkPattern(f.nonce, 'nonce', NONCE_PATTERN, '16..64 characters of [A-Za-z0-9_-]');
  checkPattern(f.keyId, 'keyId', KEY_ID_PATTERN, 'key id of [A-Za-z0-9._:@/-], 1..128 characters');
  return `${SIGNED_REQUEST_VERSION}\n${f.method}\n${f.target}\n${f.bodySha256}\n${f.timestamp}\n${f.nonce}\n${f.keyId}\n`;
}

/**
 * SHA-256 of a request body, 64 lowercase hex; a missing body hashes as the empty string.
 * @throws {TypeError} if body is neither bytes nor null
 * @example bodyDigest(null) // 'e3b0c442…7852b855'
 */
export function bodyDigest(body: Uint8Array | null): string {
  if (body !== null) assertBytes(body, 'body');
  return bytesToHex(sha256(body ?? new Uint8Array(0)));
}

/** What `signRequest` needs. */
export interface SignRequestInput {
  method: string;
  /** Path and query exactly as they will be sent. */
  target: string;
  body: Uint8Array | null;
  keyId: string;
  /** Note signer key, "PRIVATE+KEY+<name>+<hash>+<base64>". */
  signerKey: string;
  /** Unix seconds (default now). */
  timestamp?: number;
  /** Default: 16 random bytes, base64url. */
  nonce?: string;
}

/**
 * Signs a request; returns the four headers to send.
 * @throws {TypeError|RangeError} if a field breaks its pattern; {CanopyError} KEY_MALFORMED for a bad signer key
 * @example await fetch(url + target, { method: 'POST', body, headers: { 'content-type': 'application/json', ...signRequest({ method: 'POST', target, body, keyId: 'mill-7', signerKey }) } })
 */
export function signRequest(input: SignRequestInput): Record<string, string> {
  if (typeof input !== 'object' || input === null) throw new TypeError(`"input" expected SignRequestInput, got ${String(input)}`);
  const timestamp = input.timestamp ?? Math.floor(Date.now() / 1000);
  const nonce = input.nonce ?? Buffer.from(randomBytes(16)).toString('base64url');
  const text = signingString({ method: input.method, target: input.target, bodySha256: bodyDigest(input.body), timestamp, nonce, keyId: input.keyId });
  const { seed } = parseSignerKey(input.signerKey);
  const signature = ed25519.sign(new TextEncoder().encode(text), seed);
  return {
    [HEADER_KEY_ID]: input.keyId,
    [HEADER_TIMESTAMP]: String(timestamp),
    [HEADER_NONCE]: nonce,
    [HEADER_SIGNATURE]: Buffer.from(signature).toString('base64'),
  };
}

/**
 * Reads the four headers of a request, strictly.
 * @throws {ApiError} AUTH_MISSING naming the first absent header; AUTH_MALFORMED naming a
 *   header that breaks its pattern (a repeated header, joined by Node with ", ", breaks it)
 * @example const { keyId, timestamp } = parseSignatureHeaders(req.headers)
 */
export function parseSignatureHeaders(headers: ApiRequest['headers']): SignatureHeaders {
  const get = (name: string): string => {
    const v = headerValue(headers, name);
    if (v === undefined || v === '') throw new ApiError('AUTH_MISSING', `header ${name} is missing`);
    if (v.length > 256) throw new ApiError('AUTH_MALFORMED', `header ${name} is longer than 256 characters`);
    return v;
  };
  const keyId = get(HEADER_KEY_ID);
  const ts = get(HEADER_TIMESTAMP);
  const nonce = get(HEADER_NONCE);
  const sig = get(HEADER_SIGNATURE);
  if (!KEY_ID_PATTERN.test(keyId)) throw new ApiError('AUTH_MALFORMED', `header ${HEADER_KEY_ID} expected a key id of [A-Za-z0-9._:@/-], got ${JSON.stringify(keyId)}`);
  if (!TIMESTAMP_PATTERN.test(ts)) throw new ApiError('AUTH_MALFORMED', `header ${HEADER_TIMESTAMP} expected Unix seconds as a canonical decimal, got ${JSON.stringify(ts)}`);
  if (!NONCE_PATTERN.test(nonce)) throw new ApiError('AUTH_MALFORMED', `header ${HEADER_NONCE} expected 16..64 characters of [A-Za-z0-9_-], got ${JSON.stringify(nonce)}`);
  const signature = Buffer.from(sig, 'base64');
  // Node's decoder skips bad characters; the round trip rejects them and loose padding.
  if (signature.length !== 64 || signature.toString('base64') !== sig) throw new ApiError('AUTH_MALFORMED', `header ${HEADER_SIGNATURE} expected canonical base64 of 64 bytes`);
  return { keyId, timestamp: Number(ts), nonce, signature: new Uint8Array(signature) };
}

/**
 * Whether `signature` is an Ed25519 signature by `publicKey` of the signing string of `fields`.
 * @throws {TypeError|RangeError} if a field breaks its pattern
 * @example verifyRequestSignature(pub, { method, target, bodySha256, timestamp, nonce, keyId }, sig) // true
 */
export function verifyRequestSignature(publicKey: Uint8Array, fields: SignedRequestFields, signature: Uint8Array): boolean {
  assertBytes(publicKey, 'publicKey', 32);
  return verifyEd25519(publicKey, new TextEncoder().encode(signingString(fields)), signature);
}

/**
 * The raw Ed25519 public key of a note signer key: what the registry registers for a party.
 * @throws {CanopyError} KEY_MALFORMED for a bad signer key
 * @example Buffer.from(signerPublicKey(skey)).toString('base64') // the party's publicKey
 */
export function signerPublicKey(signerKey: string): Uint8Array {
  return ed25519.getPublicKey(parseSignerKey(signerKey).seed);
}

function checkPattern(value: unknown, title: string, pattern: RegExp, expected: string): void {
  assertString(value, title, 4096);
  if (!pattern.test(value)) rangeError(title, expected, value);
}
