// @ts-check
/**
 * Signed notes (C2SP signed-note) and their Ed25519 keys, read in the browser with
 * WebCrypto: the parts of core/note (signed-note.ts, note-key.ts, cosignature.ts) the
 * explorer needs to check a checkpoint's signatures itself, re-written as plain JavaScript
 * because the page loads no TypeScript and no npm package.
 *
 *     note            <text ending in "\n"> "\n" <signature line>+
 *     signature line  "— " <key name> " " base64(key hash (4) ‖ payload) "\n"
 *     verifier key    <name>+<key hash, 8 hex>+base64(type ‖ 32-byte Ed25519 public key)
 *     signer key      PRIVATE+KEY+<name>+<key hash>+base64(0x01 ‖ 32-byte seed)
 *     key hash        SHA-256(name ‖ "\n" ‖ type ‖ public key)[0:4], big-endian
 *
 *     type 0x01  Ed25519 note signature     payload = signature (64) over the text's bytes
 *     type 0x04  cosignature/v1             payload = timestamp (8, big-endian) ‖ signature (64)
 *                                           over "cosignature/v1\ntime <t>\n" ‖ text
 *
 * Parsing follows core/note: no control character but "\n", at most 1 MiB, the last empty
 * line splits text and signatures, 1..100 signature lines, key names non-empty without
 * space or "+", canonical base64, two lines by one (name, key hash) refused. Everything
 * here reads attacker-controlled text; malformed input throws `NoteError`, a signature that
 * does not verify answers false.
 *
 * WebCrypto's Ed25519 (Chromium: BoringSSL) verifies by RFC 8032 §5.1.7 and rejects
 * non-canonical S, as noble's `zip215: false` does in core/note.
 * @module
 */
import { base64Decode, base64Encode, concat, utf8 } from './bytes.js';

/** @typedef {Uint8Array<ArrayBuffer>} Bytes */

/** Signature type of plain Ed25519 note signatures. */
export const ALG_ED25519 = 0x01;
/** Signature type of cosignature/v1. */
export const ALG_COSIGNATURE = 0x04;
/** Largest note, UTF-8 bytes. */
export const NOTE_MAX_BYTES = 1 << 20;
/** Most signature lines in a note. */
export const NOTE_MAX_SIGNATURES = 100;

/**
 * A note, a key or a checkpoint that breaks its format.
 * @throws never
 * @example throw new NoteError('no empty line before the signatures')
 */
export class NoteError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'NoteError';
  }
}

/**
 * @typedef {object} NoteSignature
 * @property {string} name - key name
 * @property {number} keyHash - uint32
 * @property {Bytes} payload - the bytes after the key hash
 */

/**
 * @typedef {object} ParsedNote
 * @property {string} text - the signed text, ending in "\n"
 * @property {NoteSignature[]} signatures - in note order
 */

/**
 * @typedef {object} VerifierKey
 * @property {string} text - the key string
 * @property {string} name
 * @property {number} keyHash
 * @property {number} type - 0x01 or 0x04
 * @property {Bytes} publicKey - 32 bytes
 */

/**
 * Index of the first character a note may not hold (a control character other than "\n",
 * or a lone surrogate), or −1.
 * @param {string} text
 * @returns {number}
 * @throws never
 * @example firstBadNoteChar('a\tb\n') // 1
 */
export function firstBadNoteChar(text) {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return i;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return i;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return i;
    }
  }
  return -1;
}

/**
 * Whether a key name is valid: non-empty, no Unicode space, no "+", no control character.
 * @param {string} name
 * @throws never
 * @example isValidKeyName('registry.example/canopy') // true
 */
export function isValidKeyName(name) {
  return typeof name === 'string' && name.length > 0 && !name.includes('+') && !/\p{White_Space}/u.test(name) && firstBadNoteChar(name) < 0;
}

/**
 * Splits a signed note into its text and signature lines, without checking any signature.
 * @param {string} note - attacker-controlled
 * @returns {ParsedNote}
 * @throws {NoteError} if the note breaks the format (module comment)
 * @example parseNote(await (await fetch('/checkpoint')).text()).signatures[0].name
 */
export function parseNote(note) {
  if (typeof note !== 'string') throw new NoteError('note is not text');
  if (note.length > NOTE_MAX_BYTES || utf8(note).length > NOTE_MAX_BYTES) throw new NoteError(`note longer than ${NOTE_MAX_BYTES} bytes`);
  const bad = firstBadNoteChar(note);
  if (bad >= 0) throw new NoteError(`control character or lone surrogate at offset ${bad}`);
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('no empty line before the signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw new NoteError('signature block does not end in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > NOTE_MAX_SIGNATURES) throw new NoteError(`more than ${NOTE_MAX_SIGNATURES} signatures`);
  /** @type {NoteSignature[]} */
  const signatures = [];
  const seen = new Set();
  for (const line of lines) {
    const m = /^\u2014 ([^ ]+) ([^ ]+)$/.exec(line);
    const raw = m === null ? null : base64Decode(/** @type {string} */ (m[2]));
    if (m === null || !isValidKeyName(/** @type {string} */ (m[1])) || raw === null || raw.length < 5) throw new NoteError(`bad signature line ${JSON.stringify(line.slice(0, 80))}`);
    const name = /** @type {string} */ (m[1]);
    const keyHash = new DataView(raw.buffer).getUint32(0);
    const id = `${formatKeyHash(keyHash)}+${name}`;
    if (seen.has(id)) throw new NoteError(`two signatures by key ${name}+${formatKeyHash(keyHash)}`);
    seen.add(id);
    signatures.push({ name, keyHash, payload: raw.slice(4) });
  }
  return { text, signatures };
}

/**
 * Eight lowercase hex digits of a key hash.
 * @param {number} keyHash
 * @example formatKeyHash(0xc74f20a3) // 'c74f20a3'
 * @throws never
 */
export function formatKeyHash(keyHash) {
  return keyHash.toString(16).padStart(8, '0');
}

/**
 * The key hash of (name, type, public key): SHA-256(name ‖ "\n" ‖ type ‖ key)[0:4] as a uint32.
 * @param {string} name
 * @param {number} type
 * @param {Uint8Array} publicKey
 * @returns {Promise<number>}
 * @example await keyHash('PeterNeumann', 1, pub) // 0xc74f20a3
 * @throws never
 */
export async function keyHash(name, type, publicKey) {
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', concat(utf8(`${name}\n`), new Uint8Array([type]), publicKey)));
  return new DataView(h.buffer).getUint32(0);
}

/**
 * Parses and checks a verifier key string: name, key hash matching the key, canonical
 * base64 of the type byte and 32 bytes.
 * @param {string} text - attacker-controlled
 * @param {number} [type] - the required type byte (default 0x01)
 * @returns {Promise<VerifierKey>}
 * @throws {NoteError} if malformed or of another type
 * @example (await parseVerifierKey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).name
 */
export async function parseVerifierKey(text, type = ALG_ED25519) {
  if (typeof text !== 'string' || text.length > 1024) throw new NoteError('verifier key is not a short string');
  const key = text.trim();
  const a = key.indexOf('+');
  const b = a < 0 ? -1 : key.indexOf('+', a + 1);
  if (b < 0) throw new NoteError('verifier key is not <name>+<hash>+<key>');
  const name = key.slice(0, a);
  const hashText = key.slice(a + 1, b);
  const raw = base64Decode(key.slice(b + 1));
  if (!isValidKeyName(name)) throw new NoteError(`verifier key name ${JSON.stringify(name)} is not valid`);
  if (!/^[0-9a-f]{8}$/.test(hashText)) throw new NoteError('verifier key hash is not 8 lowercase hex digits');
  if (raw === null || raw.length !== 33) throw new NoteError('verifier key is not canonical base64 of a type byte and 32 bytes');
  if (raw[0] !== type) throw new NoteError(`verifier key has type 0x${(raw[0] ?? 0).toString(16).padStart(2, '0')}, want 0x${type.toString(16).padStart(2, '0')}`);
  const publicKey = raw.slice(1);
  const h = await keyHash(name, type, publicKey);
  if (formatKeyHash(h) !== hashText) throw new NoteError(`verifier key hash ${hashText} does not match the key (${formatKeyHash(h)})`);
  return { text: key, name, keyHash: h, type, publicKey };
}

/**
 * The cosigner (type 0x04) verifier key of a party's Ed25519 note key, as
 * core/note/cosignature.ts `cosignerVerifierKey` derives it.
 * @param {string} name
 * @param {Uint8Array} publicKey
 * @returns {Promise<VerifierKey>}
 * @example (await cosignerKey('auditor-1', pub)).text // 'auditor-1+…+BN…'
 * @throws never
 */
export async function cosignerKey(name, publicKey) {
  const h = await keyHash(name, ALG_COSIGNATURE, publicKey);
  const pk = new Uint8Array(publicKey);
  return { text: `${name}+${formatKeyHash(h)}+${base64Encode(concat(new Uint8Array([ALG_COSIGNATURE]), pk))}`, name, keyHash: h, type: ALG_COSIGNATURE, publicKey: pk };
}

/**
 * Whether `signature` is a valid Ed25519 signature of `message` by `publicKey` (WebCrypto).
 * A key WebCrypto refuses to import (not a curve point) verifies nothing.
 * @param {Uint8Array} publicKey - 32 bytes
 * @param {Uint8Array} message
 * @param {Uint8Array} signature
 * @returns {Promise<boolean>}
 * @example await verifyEd25519(pub, utf8(text), sig)
 * @throws never (a malformed key or signature verifies nothing)
 */
export async function verifyEd25519(publicKey, message, signature) {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  let key;
  try {
    key = await crypto.subtle.importKey('raw', new Uint8Array(publicKey), { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return false;
  }
  return crypto.subtle.verify({ name: 'Ed25519' }, key, new Uint8Array(signature), new Uint8Array(message));
}

/**
 * Whether a note signature line by `key` (type 0x01) verifies over the note's text. The line
 * must name the key (name and key hash); the caller matches lines to keys.
 * @param {string} text - the note's text
 * @param {NoteSignature} sig
 * @param {VerifierKey} key
 * @returns {Promise<boolean>}
 * @example await verifyNoteSignature(note.text, note.signatures[0], registryKey)
 * @throws never
 */
export async function verifyNoteSignature(text, sig, key) {
  if (key.type !== ALG_ED25519 || sig.name !== key.name || sig.keyHash !== key.keyHash) return false;
  return verifyEd25519(key.publicKey, utf8(text), sig.payload);
}

/**
 * Checks a cosignature/v1 line by `key` (type 0x04) over the note's text.
 * @param {string} text - the checkpoint text
 * @param {NoteSignature} sig
 * @param {VerifierKey} key
 * @returns {Promise<{ valid: boolean, timestamp: number | null }>} the timestamp (POSIX seconds) when the payload has one
 * @example await verifyCosignature(note.text, line, witnessKey) // { valid: true, timestamp: 1767225600 }
 * @throws never
 */
export async function verifyCosignature(text, sig, key) {
  if (sig.payload.length !== 72) return { valid: false, timestamp: null };
  const t = new DataView(sig.payload.buffer, sig.payload.byteOffset, 8).getBigUint64(0);
  // core/note/cosignature.ts limits timestamps to 2^53 − 1; a larger one does not verify.
  if (t > BigInt(Number.MAX_SAFE_INTEGER)) return { valid: false, timestamp: null };
  const timestamp = Number(t);
  if (key.type !== ALG_COSIGNATURE || sig.name !== key.name || sig.keyHash !== key.keyHash) return { valid: false, timestamp };
  const message = utf8(`cosignature/v1\ntime ${timestamp}\n${text}`);
  return { valid: await verifyEd25519(key.publicKey, message, sig.payload.subarray(8)), timestamp };
}

/**
 * @typedef {object} SignerKey
 * @property {string} name
 * @property {number} keyHash
 * @property {Bytes} seed - 32 bytes, secret
 * @property {Bytes} publicKey - 32 bytes
 */

/** DER prefix of an Ed25519 PKCS #8 private key (RFC 8410 §7) before its 32-byte seed. */
const PKCS8_ED25519_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

/**
 * The PKCS #8 encoding WebCrypto imports for an Ed25519 seed.
 * @param {Uint8Array} seed
 * @returns {Bytes}
 * @throws never
 * @example await crypto.subtle.importKey('pkcs8', pkcs8FromSeed(seed), { name: 'Ed25519' }, false, ['sign'])
 */
export function pkcs8FromSeed(seed) {
  return concat(new Uint8Array(PKCS8_ED25519_PREFIX), seed);
}

/**
 * Parses a note signer key ("PRIVATE+KEY+<name>+<hash>+<base64(0x01 ‖ seed)>"), derives its
 * public key with WebCrypto and checks the key hash. Messages never quote the key.
 * @param {string} text - the secret key (a file's content or pasted text)
 * @returns {Promise<SignerKey>}
 * @throws {NoteError} if malformed or the hash does not match
 * @example (await parseSignerKey(fileText)).name // 'auditor-1'
 */
export async function parseSignerKey(text) {
  if (typeof text !== 'string' || text.length > 1024) throw new NoteError('signer key is not a short string');
  const trimmed = text.trim();
  // The first four "+" split the key; the base64 may hold more.
  const rest = trimmed.startsWith('PRIVATE+KEY+') ? trimmed.slice('PRIVATE+KEY+'.length) : '';
  const a = rest.indexOf('+');
  const b = a < 0 ? -1 : rest.indexOf('+', a + 1);
  if (b < 0) throw new NoteError('not a note signer key (PRIVATE+KEY+<name>+<hash>+<key>)');
  const [name, hashText, b64] = [rest.slice(0, a), rest.slice(a + 1, b), rest.slice(b + 1)];
  if (!isValidKeyName(name)) throw new NoteError('signer key name is not valid');
  if (!/^[0-9a-f]{8}$/.test(hashText)) throw new NoteError('signer key hash is not 8 lowercase hex digits');
  const raw = base64Decode(b64);
  if (raw === null || raw.length !== 33 || raw[0] !== ALG_ED25519) throw new NoteError('signer key is not canonical base64 of 0x01 and a 32-byte seed');
  const seed = raw.slice(1);
  const key = await crypto.subtle.importKey('pkcs8', pkcs8FromSeed(seed), { name: 'Ed25519' }, true, ['sign']);
  const jwk = await crypto.subtle.exportKey('jwk', key);
  const publicKey = base64Decode(String(jwk.x ?? '').replaceAll('-', '+').replaceAll('_', '/') + '='.repeat((4 - (String(jwk.x ?? '').length % 4)) % 4));
  if (publicKey === null || publicKey.length !== 32) throw new NoteError('could not derive the public key');
  const h = await keyHash(name, ALG_ED25519, publicKey);
  if (formatKeyHash(h) !== hashText) throw new NoteError('signer key hash does not match the key');
  return { name, keyHash: h, seed, publicKey };
}
