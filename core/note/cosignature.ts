/**
 * Ed25519 cosignatures of checkpoints (C2SP tlog-cosignature, "cosignature/v1"): a witness
 * (cosigner) states that, at a given time, this checkpoint was the largest consistent one
 * it had seen for the log. A cosignature is a signed-note signature line:
 *
 *     — <cosigner name> base64(key hash ‖ timestamp ‖ signature)
 *
 *     key hash    4 bytes   first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x04 ‖ public key)
 *     timestamp   8 bytes   big-endian uint64, POSIX seconds
 *     signature  64 bytes   Ed25519 over the signed message below
 *
 *     signed message = "cosignature/v1\n"
 *                      "time <timestamp, decimal, no leading zeros>\n"
 *                      <the whole checkpoint text, extension lines included>
 *
 * Keys: the cosigner's verifier key is a signed-note verifier key with type byte 0x04,
 * `<name>+<hash>+base64(0x04 ‖ public key)`; `cosignerVerifierKey` derives it from the
 * 0x01 verifier key `generateNoteKey` returns, and `cosignatureSigner` takes the matching
 * 0x01 signer key. The message does not commit to the cosigner's name, so the spec
 * requires a distinct key per cosigner.
 *
 * Timestamps are numbers here, so they are limited to 2^53 − 1 (the year 285 million);
 * the spec's limit is 2^63 − 1. A signature carrying a larger timestamp does not verify.
 * Whether a timestamp is too far in the future or past is the caller's policy
 * (`cosignatureTimestamp` reads it).
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { assertInteger, rangeError, typeError } from '../assert.ts';
import { CanopyError } from '../errors.ts';
import { base64Decode, base64Encode } from './_base64.ts';
import { utf8 } from './_text.ts';
import {
  formatKeyHash,
  NOTE_ALG_ED25519,
  type NoteSigner,
  type NoteVerifier,
  noteKeyHash,
  parseSignerKey,
  parseVerifierKey,
  verifyEd25519,
  withType,
} from './note-key.ts';
import { assertNoteText, type NoteSignature } from './signed-note.ts';

/** C2SP signed-note signature type of Ed25519 cosignature/v1 signatures. */
export const COSIGNATURE_ALG = 0x04;

/** The header line of the signed message, for domain separation. */
export const COSIGNATURE_HEADER = 'cosignature/v1';

/** Bytes of a cosignature after the key hash: 8-byte timestamp and 64-byte signature. */
export const COSIGNATURE_SIZE = 8 + 64;

/**
 * The message a cosigner signs for `text` at `timestamp`.
 * @param text - the checkpoint's note text, ending in "\n"
 * @param timestamp - POSIX seconds, a safe integer ≥ 0
 * @throws {TypeError|RangeError} if the text is not a valid note text or the timestamp is out of range
 * @example cosignatureMessage('example.com/log\n1\n…=\n', 1679315147) // "cosignature/v1\ntime 1679315147\nexample.com/log\n…"
 */
export function cosignatureMessage(text: string, timestamp: number): Uint8Array {
  assertNoteText(text, 'text');
  assertInteger(timestamp, 'timestamp', 0);
  return messageBytes(utf8(text), BigInt(timestamp));
}

/**
 * A signer that cosigns notes with an Ed25519 signer key ("PRIVATE+KEY+…", type 0x01),
 * under the cosignature key hash (type 0x04), stamping each signature with `now()`.
 * @param now - the clock, POSIX seconds; must return a safe integer ≥ 0
 * @throws {TypeError} if `skey` is not a string or `now` not a function;
 *   {CanopyError} KEY_MALFORMED if `skey` is not a valid Ed25519 signer key
 * @example signNote(opened, [cosignatureSigner(witnessKey)])
 */
export function cosignatureSigner(skey: string, now: () => number = () => Math.floor(Date.now() / 1000)): NoteSigner {
  const { name, seed } = parseSignerKey(skey);
  if (typeof now !== 'function') typeError('now', 'function returning POSIX seconds', now);
  const pub = ed25519.getPublicKey(seed);
  return {
    name,
    keyHash: noteKeyHash(name, withType(COSIGNATURE_ALG, pub)),
    sign(msg: Uint8Array): Uint8Array {
      const t = now();
      assertInteger(t, 'now()', 0);
      const out = new Uint8Array(COSIGNATURE_SIZE);
      new DataView(out.buffer).setBigUint64(0, BigInt(t));
      out.set(ed25519.sign(messageBytes(msg, BigInt(t)), seed), 8);
      return out;
    },
  };
}

/**
 * A verifier for a cosigner's verifier key (type 0x04).
 * @throws {TypeError} if `vkey` is not a string; {CanopyError} KEY_MALFORMED if it is not a
 *   well-formed cosignature verifier key
 * @example openNote(checkpoint, [noteVerifier(logKey), cosignatureVerifier(witnessKey)])
 */
export function cosignatureVerifier(vkey: string): NoteVerifier {
  const { name, keyHash, typeAndKey } = parseVerifierKey(vkey, COSIGNATURE_ALG);
  const pub = typeAndKey.slice(1);
  return {
    name,
    keyHash,
    verify(msg: Uint8Array, sig: Uint8Array): boolean {
      if (!(msg instanceof Uint8Array) || !(sig instanceof Uint8Array) || sig.length !== COSIGNATURE_SIZE) return false;
      const t = new DataView(sig.buffer, sig.byteOffset, 8).getBigUint64(0);
      if (t > BigInt(Number.MAX_SAFE_INTEGER)) return false;
      return verifyEd25519(pub, messageBytes(msg, t), sig.subarray(8));
    },
  };
}

/**
 * The cosigner verifier key (type 0x04) for the same name and public key as an Ed25519
 * note verifier key (type 0x01), as generated by `generateNoteKey`.
 * @throws {TypeError} if `vkey` is not a string; {CanopyError} KEY_MALFORMED if it is not a
 *   well-formed Ed25519 verifier key
 * @example cosignerVerifierKey(generateNoteKey('witness.example/w1').verifierKey)
 */
export function cosignerVerifierKey(vkey: string): string {
  const { name, typeAndKey } = parseVerifierKey(vkey, NOTE_ALG_ED25519);
  const typed = withType(COSIGNATURE_ALG, typeAndKey.subarray(1));
  return `${name}+${formatKeyHash(noteKeyHash(name, typed))}+${base64Encode(typed)}`;
}

/**
 * The timestamp a cosignature carries, in POSIX seconds. Does not verify the signature.
 * @param sig - a signature of an opened note (its base64 holds key hash ‖ timestamp ‖ signature)
 * @throws {TypeError} if `sig` has no base64 string; {CanopyError} SIGNATURE_INVALID if it is
 *   not 76 bytes of canonical base64; {RangeError} if the timestamp exceeds 2^53 − 1
 * @example cosignatureTimestamp(note.sigs[1]) // 1679315147
 */
export function cosignatureTimestamp(sig: NoteSignature): number {
  if (typeof sig !== 'object' || sig === null || typeof sig.base64 !== 'string') typeError('sig', 'NoteSignature', sig);
  const raw = base64Decode(sig.base64);
  if (raw === null || raw.length !== 4 + COSIGNATURE_SIZE) {
    throw new CanopyError('SIGNATURE_INVALID', `signature by ${sig.name} is not a cosignature/v1 (${raw === null ? 'bad base64' : `${raw.length} bytes`})`);
  }
  const t = new DataView(raw.buffer, raw.byteOffset + 4, 8).getBigUint64(0);
  if (t > BigInt(Number.MAX_SAFE_INTEGER)) rangeError('timestamp', 'at most 2^53 - 1 seconds', t);
  return Number(t);
}

/** "cosignature/v1\ntime <t>\n" ‖ text. */
function messageBytes(text: Uint8Array, t: bigint): Uint8Array {
  const head = utf8(`${COSIGNATURE_HEADER}\ntime ${t.toString(10)}\n`);
  const out = new Uint8Array(head.length + text.length);
  out.set(head, 0);
  out.set(text, head.length);
  return out;
}
