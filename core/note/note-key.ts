/**
 * Ed25519 keys for signed notes, in the text formats of Go's golang.org/x/mod/sumdb/note
 * and C2SP signed-note:
 *
 *     verifier key   <name>+<key hash>+<base64(0x01 ‖ 32-byte Ed25519 public key)>
 *     signer key     PRIVATE+KEY+<name>+<key hash>+<base64(0x01 ‖ 32-byte Ed25519 seed)>
 *
 *     key hash       first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key),
 *                    written as 8 lowercase hex digits (a big-endian uint32)
 *
 *     e.g.  PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW
 *
 * A key name is non-empty and holds no Unicode space and no "+"; the first two "+" split
 * a verifier key (the base64 may contain more). The type byte 0x01 names Ed25519 (RFC
 * 8032); cosignatures use 0x04 and their own module (`cosignature.ts`).
 *
 * Parsing is strict: the key hash must be 8 lowercase hex digits and match the key, the
 * base64 must be canonical, the public key must decode to a curve point, and signatures
 * are verified by the RFC 8032 rules (noble's `zip215: false`), which reject non-canonical
 * encodings. Malformed key strings throw `CanopyError('KEY_MALFORMED')`; messages quote a
 * verifier key but never a signer key, which is secret.
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { assertBytes, assertString, describe, rangeError, typeError } from '../assert.ts';
import { CanopyError } from '../errors.ts';
import { base64Decode, base64Encode } from './_base64.ts';
import { isValidKeyName, utf8 } from './_text.ts';

/** C2SP signed-note signature type of plain Ed25519 note signatures. */
export const NOTE_ALG_ED25519 = 0x01;

/** Longest key string accepted (a valid Ed25519 key string is name + 56 characters). */
export const NOTE_KEY_MAX_LENGTH = 1024;

/** Something that signs note texts with one key. */
export interface NoteSigner {
  /** Key name, as written in signature lines. */
  readonly name: string;
  /** Key hash (key ID), a uint32. */
  readonly keyHash: number;
  /** The signature of `msg` (the bytes after the 4-byte key hash in a signature line). */
  sign(msg: Uint8Array): Uint8Array;
}

/** Something that verifies note signatures by one key. */
export interface NoteVerifier {
  /** Key name, as written in signature lines. */
  readonly name: string;
  /** Key hash (key ID), a uint32. */
  readonly keyHash: number;
  /** Whether `sig` is a valid signature of `msg` by this key. */
  verify(msg: Uint8Array, sig: Uint8Array): boolean;
}

/** A freshly generated key pair, as key strings. */
export interface NoteKeyPair {
  /** The secret signer key, "PRIVATE+KEY+…"; anyone holding it can sign. */
  signerKey: string;
  /** The public verifier key, "<name>+<hash>+<key>". */
  verifierKey: string;
}

/**
 * The key hash of a key: the first 4 bytes, big-endian, of SHA-256(name ‖ "\n" ‖ typeAndKey),
 * where `typeAndKey` is the signature type byte followed by the public key.
 * @throws {TypeError|RangeError} if `name` is not a valid key name or `typeAndKey` is empty
 * @example noteKeyHash('PeterNeumann', typeAndKey).toString(16) // 'c74f20a3'
 */
export function noteKeyHash(name: string, typeAndKey: Uint8Array): number {
  assertKeyName(name, 'name');
  assertBytes(typeAndKey, 'typeAndKey');
  if (typeAndKey.length === 0) rangeError('typeAndKey', 'a type byte and a key', typeAndKey);
  const n = utf8(name);
  const buf = new Uint8Array(n.length + 1 + typeAndKey.length);
  buf.set(n, 0);
  buf[n.length] = 0x0a;
  buf.set(typeAndKey, n.length + 1);
  const h = sha256(buf);
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

/**
 * Checks a key name: non-empty, no Unicode space, no "+", no control character.
 * @throws {TypeError} if not a string; {RangeError} if not a valid key name
 * @example assertKeyName('example.com/log', 'name')
 */
export function assertKeyName(name: unknown, title: string): asserts name is string {
  assertString(name, title, NOTE_KEY_MAX_LENGTH);
  if (!isValidKeyName(name)) rangeError(title, 'key name without spaces, "+" or control characters', name);
}

/**
 * Generates an Ed25519 key pair for `name`.
 * @param seed - 32 secret bytes to derive the key from; random when omitted
 * @throws {TypeError|RangeError} if `name` is not a valid key name or `seed` is not 32 bytes
 * @example const { signerKey, verifierKey } = generateNoteKey('registry.example/log')
 */
export function generateNoteKey(name: string, seed?: Uint8Array): NoteKeyPair {
  assertKeyName(name, 'name');
  if (seed !== undefined) assertBytes(seed, 'seed', 32);
  const secret = seed === undefined ? ed25519.utils.randomSecretKey() : seed.slice();
  const pub = ed25519.getPublicKey(secret);
  const hash = formatKeyHash(noteKeyHash(name, withType(NOTE_ALG_ED25519, pub)));
  return {
    signerKey: `PRIVATE+KEY+${name}+${hash}+${base64Encode(withType(NOTE_ALG_ED25519, secret))}`,
    verifierKey: `${name}+${hash}+${base64Encode(withType(NOTE_ALG_ED25519, pub))}`,
  };
}

/**
 * The verifier key of an Ed25519 public key (Go's NewEd25519VerifierKey).
 * @throws {TypeError|RangeError} if `name` is invalid or `publicKey` is not 32 bytes
 * @example ed25519VerifierKey('example.com/foo', pub) // 'example.com/foo+530d903a+Aeky…'
 */
export function ed25519VerifierKey(name: string, publicKey: Uint8Array): string {
  assertKeyName(name, 'name');
  assertBytes(publicKey, 'publicKey', 32);
  const typed = withType(NOTE_ALG_ED25519, publicKey);
  return `${name}+${formatKeyHash(noteKeyHash(name, typed))}+${base64Encode(typed)}`;
}

/**
 * A verifier for an Ed25519 verifier key string.
 * @throws {TypeError} if `vkey` is not a string; {CanopyError} KEY_MALFORMED if it is not a
 *   well-formed Ed25519 verifier key whose hash matches its name and key
 * @example openNote(msg, [noteVerifier('PeterNeumann+c74f20a3+ARpc…')])
 */
export function noteVerifier(vkey: string): NoteVerifier {
  const { name, keyHash, typeAndKey } = parseVerifierKey(vkey, NOTE_ALG_ED25519);
  const pub = typeAndKey.slice(1);
  return {
    name,
    keyHash,
    verify: (msg, sig) => verifyEd25519(pub, msg, sig),
  };
}

/**
 * RFC 8032 Ed25519 verification (noble's strict mode, `zip215: false`); false for any
 * signature that is not 64 bytes or that noble refuses to decode. Never throws.
 * @example verifyEd25519(publicKey, msg, sig) // true
 */
export function verifyEd25519(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (!(msg instanceof Uint8Array) || !(sig instanceof Uint8Array) || sig.length !== 64) return false;
  try {
    return ed25519.verify(sig, msg, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * A signer for an Ed25519 signer key string ("PRIVATE+KEY+…").
 * @throws {TypeError} if `skey` is not a string; {CanopyError} KEY_MALFORMED if it is not a
 *   well-formed Ed25519 signer key whose hash matches the derived public key
 * @example signNote(text, [noteSigner(process.env.LOG_SIGNER_KEY!)])
 */
export function noteSigner(skey: string): NoteSigner {
  const { name, seed } = parseSignerKey(skey);
  const pub = ed25519.getPublicKey(seed);
  return { name, keyHash: noteKeyHash(name, withType(NOTE_ALG_ED25519, pub)), sign: (msg) => ed25519.sign(msg, seed) };
}

/**
 * Splits and checks a verifier key string of the given signature type: name, key hash
 * (matching), canonical base64 of the type byte and a 32-byte Ed25519 public key that is a
 * valid curve point. Shared with `cosignature.ts`.
 * @throws {TypeError} if not a string; {CanopyError} KEY_MALFORMED otherwise
 * @example parseVerifierKey('PeterNeumann+c74f20a3+ARpc…', NOTE_ALG_ED25519).keyHash // 0xc74f20a3
 */
export function parseVerifierKey(vkey: string, alg: number): { name: string; keyHash: number; typeAndKey: Uint8Array } {
  assertString(vkey, 'vkey', NOTE_KEY_MAX_LENGTH);
  const bad = (why: string): never => {
    throw new CanopyError('KEY_MALFORMED', `verifier key ${describe(vkey)}: ${why}`);
  };
  const [name, hash16, key64] = chop3(vkey);
  if (name === undefined || !isValidKeyName(name)) return bad('invalid key name');
  const keyHash = parseKeyHash(hash16) ?? bad('key hash is not 8 lowercase hex digits');
  const typeAndKey = base64Decode(key64 ?? '') ?? bad('key is not canonical base64');
  if (typeAndKey.length === 0) bad('empty key');
  if (noteKeyHash(name, typeAndKey) !== keyHash) bad('key hash does not match the name and key');
  if (typeAndKey[0] !== alg) bad(`signature type 0x${hex2(typeAndKey[0]!)}, expected 0x${hex2(alg)}`);
  if (typeAndKey.length !== 33) bad('Ed25519 public key is not 32 bytes');
  if (!ed25519.utils.isValidPublicKey(typeAndKey.subarray(1), false)) bad('public key is not a valid Ed25519 point');
  return { name, keyHash, typeAndKey };
}

/**
 * Splits and checks an Ed25519 signer key string: "PRIVATE+KEY+", name, key hash matching
 * the public key derived from the seed, canonical base64 of 0x01 and a 32-byte seed.
 * Shared with `cosignature.ts`. Error messages never include the key.
 * @throws {TypeError} if not a string; {CanopyError} KEY_MALFORMED otherwise
 * @example parseSignerKey(skey).name // 'PeterNeumann'
 */
export function parseSignerKey(skey: string): { name: string; seed: Uint8Array } {
  if (typeof skey !== 'string') typeError('skey', 'string', skey);
  const bad = (why: string): never => {
    throw new CanopyError('KEY_MALFORMED', `signer key: ${why}`);
  };
  if (skey.length > NOTE_KEY_MAX_LENGTH) bad('too long');
  if (!skey.startsWith('PRIVATE+KEY+')) bad('does not start with PRIVATE+KEY+');
  const [name, hash16, key64] = chop3(skey.slice('PRIVATE+KEY+'.length));
  if (name === undefined || !isValidKeyName(name)) return bad('invalid key name');
  const keyHash = parseKeyHash(hash16) ?? bad('key hash is not 8 lowercase hex digits');
  const typed = base64Decode(key64 ?? '') ?? bad('key is not canonical base64');
  if (typed.length !== 33 || typed[0] !== NOTE_ALG_ED25519) bad('not an Ed25519 seed (0x01 followed by 32 bytes)');
  const seed = typed.slice(1);
  if (noteKeyHash(name, withType(NOTE_ALG_ED25519, ed25519.getPublicKey(seed))) !== keyHash) {
    bad('key hash does not match the public key');
  }
  return { name, seed };
}

/**
 * Formats a key hash as 8 lowercase hex digits.
 * @example formatKeyHash(0xc74f20a3) // 'c74f20a3'
 */
export function formatKeyHash(keyHash: number): string {
  return keyHash.toString(16).padStart(8, '0');
}

/**
 * `type ‖ key`, a fresh array.
 * @example withType(NOTE_ALG_ED25519, publicKey) // 33 bytes
 */
export function withType(type: number, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + key.length);
  out[0] = type;
  out.set(key, 1);
  return out;
}

/** Splits at the first two "+": [name, hash, rest]; missing parts are undefined. */
function chop3(s: string): [string | undefined, string | undefined, string | undefined] {
  const i = s.indexOf('+');
  if (i < 0) return [s, undefined, undefined];
  const j = s.indexOf('+', i + 1);
  if (j < 0) return [s.slice(0, i), s.slice(i + 1), undefined];
  return [s.slice(0, i), s.slice(i + 1, j), s.slice(j + 1)];
}

/** Parses exactly 8 lowercase hex digits as a uint32, else null. */
function parseKeyHash(hash16: string | undefined): number | null {
  if (hash16 === undefined || !/^[0-9a-f]{8}$/.test(hash16)) return null;
  return Number.parseInt(hash16, 16);
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}
