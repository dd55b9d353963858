/**
 * Encryption of a lot passport to its buyer. A bearer passport holds a spending secret, so
 * it travels encrypted to one X25519 public key: ephemeral-static ECDH, HKDF-SHA256 and
 * XChaCha20-Poly1305, in the shape of HPKE's base mode (RFC 9180) with a one-shot key.
 *
 *     blob = version ‖ ephemeralPublicKey ‖ nonce ‖ ciphertext ‖ tag
 *
 *     offset  bytes       field
 *     0       1           version, 0x01
 *     1       32          ephemeral X25519 public key (RFC 7748 §5, u-coordinate, little-endian)
 *     33      24          XChaCha20 nonce, random
 *     57      n           XChaCha20 ciphertext of the passport's canonical JSON (n UTF-8 bytes)
 *     57 + n  16          Poly1305 tag
 *
 *     shared = X25519(ephemeralSecretKey, recipientPublicKey)              (RFC 7748 §6.1)
 *     key    = HKDF-SHA256(ikm  = shared,                                  (RFC 5869)
 *                          salt = ephemeralPublicKey ‖ recipientPublicKey,
 *                          info = "canopy-lot-passport/1 xchacha20poly1305", L = 32)
 *     aad    = "canopy-lot-passport/1" ‖ 0x00 ‖ version ‖ ephemeralPublicKey ‖ recipientPublicKey
 *
 * Why these choices:
 * - Each blob has a fresh ephemeral key, so the AEAD key is used once, and the sender needs
 *   no long-term key. The blob does not authenticate its sender; the buyer checks the
 *   passport against the registry (`checkPassport`), not against who sent it.
 * - Both public keys enter the HKDF salt and the associated data, as HPKE's KEM context does.
 *   X25519 ignores the top bit of a u-coordinate and reduces values ≥ p, so several byte
 *   strings name one point; binding the bytes makes each such variant fail to decrypt.
 *   Binding the recipient key keeps a blob from being read as addressed to anyone else.
 *   Binding the format id keeps a blob from being opened as another Canopy format.
 * - XChaCha20-Poly1305 rather than AES-GCM: noble's ChaCha is constant-time in pure
 *   JavaScript, where software AES and GHASH depend on table lookups or are slower; its
 *   192-bit nonce can be drawn at random without any collision concern. The nonce is
 *   redundant with the one-shot key, but it costs 24 bytes and keeps the construction
 *   safe even if an ephemeral key ever repeated.
 * - Low-order and other invalid ephemeral keys are refused by noble's X25519 before the
 *   ladder runs; any failure to decrypt is reported as one error, without saying which
 *   step failed.
 *
 * Errors: a blob of the wrong size or version is PASSPORT_MALFORMED; a blob that does not
 * authenticate under the recipient's key (tampered, truncated or for someone else) is
 * PASSPORT_UNDECRYPTABLE; an authentic blob whose plaintext is not a valid passport is
 * PASSPORT_MALFORMED.
 * @module
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, randomBytes } from '@noble/hashes/utils.js';
import { assertBytes } from '../assert.ts';
import { CanopyError } from '../errors.ts';
import { type LotPassport, PASSPORT_FORMAT_ID, PASSPORT_MAX_JSON_BYTES, passportFromJson, passportToJson } from './lot-passport.ts';

/** The first byte of every blob. */
export const PASSPORT_BOX_VERSION = 0x01;

/** Sizes of the blob's parts, in bytes. */
export const PASSPORT_BOX_KEY_BYTES = 32;
export const PASSPORT_BOX_NONCE_BYTES = 24;
export const PASSPORT_BOX_TAG_BYTES = 16;
const HEADER_BYTES = 1 + PASSPORT_BOX_KEY_BYTES + PASSPORT_BOX_NONCE_BYTES;

/** Largest blob: the largest passport text plus header and tag. */
export const PASSPORT_BOX_MAX_BYTES = HEADER_BYTES + PASSPORT_MAX_JSON_BYTES + PASSPORT_BOX_TAG_BYTES;

const utf8 = new TextEncoder();
const FORMAT_BYTES = utf8.encode(PASSPORT_FORMAT_ID);
const HKDF_INFO = utf8.encode(`${PASSPORT_FORMAT_ID} xchacha20poly1305`);

/** An X25519 key pair of a passport recipient. */
export interface RecipientKey {
  /** 32 random bytes; clamped by X25519 when used (RFC 7748 §5). Keep secret. */
  secretKey: Uint8Array;
  /** 32 bytes, the u-coordinate of secretKey · G. Give this to sellers. */
  publicKey: Uint8Array;
}

/**
 * A fresh X25519 key pair for receiving passports.
 * @example const { secretKey, publicKey } = generateRecipientKey();
 */
export function generateRecipientKey(): RecipientKey {
  const secretKey = x25519.utils.randomSecretKey();
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/**
 * The public key of a recipient's secret key.
 * @throws {TypeError|RangeError} if `secretKey` is not 32 bytes
 * @example recipientPublicKey(secretKey) // equals generateRecipientKey().publicKey for that key
 */
export function recipientPublicKey(secretKey: Uint8Array): Uint8Array {
  assertBytes(secretKey, 'secretKey', PASSPORT_BOX_KEY_BYTES);
  return x25519.getPublicKey(secretKey);
}

function boxKey(shared: Uint8Array, ephemeralPublicKey: Uint8Array, recipientKey: Uint8Array): Uint8Array {
  return hkdf(sha256, shared, concatBytes(ephemeralPublicKey, recipientKey), HKDF_INFO, 32);
}

function associatedData(ephemeralPublicKey: Uint8Array, recipientKey: Uint8Array): Uint8Array {
  return concatBytes(FORMAT_BYTES, Uint8Array.of(0x00, PASSPORT_BOX_VERSION), ephemeralPublicKey, recipientKey);
}

/**
 * Encrypts to `recipientPublicKey` with the given ephemeral secret and nonce. Exposed for
 * known-answer tests only: callers use `encryptPassport`, which draws both at random.
 * @throws {TypeError|RangeError} if an argument is malformed
 * @throws {Error} if `recipientPublicKey` is a low-order point (noble: "invalid private or public key")
 */
export function _sealPassport(passport: LotPassport, recipientPublicKey: Uint8Array, ephemeralSecretKey: Uint8Array, nonce: Uint8Array): Uint8Array {
  assertBytes(recipientPublicKey, 'recipientPublicKey', PASSPORT_BOX_KEY_BYTES);
  assertBytes(ephemeralSecretKey, 'ephemeralSecretKey', PASSPORT_BOX_KEY_BYTES);
  assertBytes(nonce, 'nonce', PASSPORT_BOX_NONCE_BYTES);
  const plaintext = utf8.encode(passportToJson(passport));
  const ephemeralPublicKey = x25519.getPublicKey(ephemeralSecretKey);
  const shared = x25519.getSharedSecret(ephemeralSecretKey, recipientPublicKey);
  const key = boxKey(shared, ephemeralPublicKey, recipientPublicKey);
  try {
    const sealed = xchacha20poly1305(key, nonce, associatedData(ephemeralPublicKey, recipientPublicKey)).encrypt(plaintext);
    return concatBytes(Uint8Array.of(PASSPORT_BOX_VERSION), ephemeralPublicKey, nonce, sealed);
  } finally {
    shared.fill(0);
    key.fill(0);
    plaintext.fill(0);
  }
}

/**
 * Encrypts a passport to a buyer's X25519 public key (format in the module doc).
 * @param recipientPublicKey - 32 bytes, the buyer's `RecipientKey.publicKey`
 * @returns the blob, PASSPORT_BOX_MAX_BYTES at most
 * @throws {TypeError|RangeError} if the passport is malformed or the key is not 32 bytes
 * @throws {CanopyError} INVALID_INPUT if the key is a low-order point, to which nothing can be encrypted
 * @example const blob = encryptPassport(passport, buyer.publicKey);
 */
export function encryptPassport(passport: LotPassport, recipientPublicKey: Uint8Array): Uint8Array {
  assertBytes(recipientPublicKey, 'recipientPublicKey', PASSPORT_BOX_KEY_BYTES);
  const ephemeralSecretKey = x25519.utils.randomSecretKey();
  try {
    return _sealPassport(passport, recipientPublicKey, ephemeralSecretKey, randomBytes(PASSPORT_BOX_NONCE_BYTES));
  } catch (cause) {
    if (cause instanceof TypeError || cause instanceof RangeError) throw cause;
    throw new CanopyError('INVALID_INPUT', 'recipientPublicKey is not a usable X25519 public key', { cause });
  } finally {
    ephemeralSecretKey.fill(0);
  }
}

/**
 * Decrypts and parses a passport blob with the buyer's secret key.
 * @param blob - the encrypted passport (attacker-controlled)
 * @param recipientSecretKey - 32 bytes, the buyer's `RecipientKey.secretKey`
 * @throws {TypeError|RangeError} if `blob` is not a Uint8Array or the key is not 32 bytes
 * @throws {CanopyError} PASSPORT_MALFORMED for a blob of the wrong size or version, or an
 *   authentic plaintext that is not a valid passport; PASSPORT_UNDECRYPTABLE if the blob does
 *   not authenticate under this key (tampered, truncated, or encrypted to another key)
 * @example const passport = decryptPassport(blob, buyer.secretKey);
 */
export function decryptPassport(blob: Uint8Array, recipientSecretKey: Uint8Array): LotPassport {
  assertBytes(blob, 'blob');
  assertBytes(recipientSecretKey, 'recipientSecretKey', PASSPORT_BOX_KEY_BYTES);
  const minBytes = HEADER_BYTES + PASSPORT_BOX_TAG_BYTES + 1;
  if (blob.length < minBytes || blob.length > PASSPORT_BOX_MAX_BYTES) {
    throw new CanopyError('PASSPORT_MALFORMED', `malformed passport blob: ${blob.length} bytes, expected ${minBytes}..${PASSPORT_BOX_MAX_BYTES}`);
  }
  if (blob[0] !== PASSPORT_BOX_VERSION) {
    throw new CanopyError('PASSPORT_MALFORMED', `malformed passport blob: version ${blob[0]}, expected ${PASSPORT_BOX_VERSION}`);
  }
  const ephemeralPublicKey = blob.subarray(1, 1 + PASSPORT_BOX_KEY_BYTES);
  const nonce = blob.subarray(1 + PASSPORT_BOX_KEY_BYTES, HEADER_BYTES);
  const sealed = blob.subarray(HEADER_BYTES);
  const recipientKey = x25519.getPublicKey(recipientSecretKey);
  let plaintext: Uint8Array;
  let shared: Uint8Array | undefined;
  let key: Uint8Array | undefined;
  try {
    shared = x25519.getSharedSecret(recipientSecretKey, ephemeralPublicKey);
    key = boxKey(shared, ephemeralPublicKey, recipientKey);
    plaintext = xchacha20poly1305(key, nonce, associatedData(ephemeralPublicKey, recipientKey)).decrypt(sealed);
  } catch (cause) {
    // One error for every failure: which step failed is no business of the sender.
    throw new CanopyError('PASSPORT_UNDECRYPTABLE', 'passport blob does not decrypt with this key (tampered, truncated, or for another recipient)', { cause });
  } finally {
    shared?.fill(0);
    key?.fill(0);
  }
  try {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(plaintext);
    } catch (cause) {
      throw new CanopyError('PASSPORT_MALFORMED', 'malformed lot passport: plaintext is not UTF-8', { cause });
    }
    return passportFromJson(text);
  } finally {
    plaintext.fill(0);
  }
}
