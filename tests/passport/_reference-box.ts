/**
 * An independent implementation of the passport box format of
 * core/passport/passport-encryption.ts, written from its module doc with node:crypto
 * (X25519, HKDF-SHA256, ChaCha20-Poly1305 of RFC 8439) and a HChaCha20 written here from
 * draft-irtf-cfrg-xchacha-03 §2.2, so that tests can check the code against the document.
 *
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 §2.3): subkey = HChaCha20(key, nonce[0..16]);
 * then ChaCha20-Poly1305 (RFC 8439) with the subkey and the 12-byte nonce 0^4 ‖ nonce[16..24].
 * @module
 */
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, hkdfSync } from 'node:crypto';

const FORMAT_ID = 'canopy-lot-passport/1';
const VERSION = 0x01;

function rotl(v: number, n: number): number {
  return ((v << n) | (v >>> (32 - n))) >>> 0;
}

/** HChaCha20 (draft-irtf-cfrg-xchacha-03 §2.2): 32-byte key, 16-byte input, 32-byte output. */
export function hchacha20(key: Uint8Array, input: Uint8Array): Uint8Array {
  const word = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
  const s = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];
  for (let i = 0; i < 8; i++) s.push(word(key, 4 * i));
  for (let i = 0; i < 4; i++) s.push(word(input, 4 * i));
  const qr = (a: number, b: number, c: number, d: number) => {
    s[a] = (s[a]! + s[b]!) >>> 0;
    s[d] = rotl(s[d]! ^ s[a]!, 16);
    s[c] = (s[c]! + s[d]!) >>> 0;
    s[b] = rotl(s[b]! ^ s[c]!, 12);
    s[a] = (s[a]! + s[b]!) >>> 0;
    s[d] = rotl(s[d]! ^ s[a]!, 8);
    s[c] = (s[c]! + s[d]!) >>> 0;
    s[b] = rotl(s[b]! ^ s[c]!, 7);
  };
  for (let round = 0; round < 10; round++) {
    qr(0, 4, 8, 12);
    qr(1, 5, 9, 13);
    qr(2, 6, 10, 14);
    qr(3, 7, 11, 15);
    qr(0, 5, 10, 15);
    qr(1, 6, 11, 12);
    qr(2, 7, 8, 13);
    qr(3, 4, 9, 14);
  }
  const out = new Uint8Array(32);
  [0, 1, 2, 3, 12, 13, 14, 15].forEach((w, i) => {
    for (let k = 0; k < 4; k++) out[4 * i + k] = (s[w]! >>> (8 * k)) & 0xff;
  });
  return out;
}

// RFC 8410 DER prefixes for raw X25519 keys.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

function x25519(secret: Uint8Array, publicKey: Uint8Array): Uint8Array {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secret]), format: 'der', type: 'pkcs8' });
  const pub = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
  return new Uint8Array(diffieHellman({ privateKey, publicKey: pub }));
}

/** X25519 public key of a raw secret, with node:crypto. */
export function x25519PublicKey(secret: Uint8Array): Uint8Array {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secret]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(SPKI_PREFIX.length));
}

function keyAndAad(shared: Uint8Array, ephemeralPublicKey: Uint8Array, recipientPublicKey: Uint8Array) {
  const key = new Uint8Array(
    hkdfSync('sha256', shared, Buffer.concat([ephemeralPublicKey, recipientPublicKey]), Buffer.from(`${FORMAT_ID} xchacha20poly1305`), 32),
  );
  const aad = Buffer.concat([Buffer.from(FORMAT_ID), Buffer.of(0x00, VERSION), ephemeralPublicKey, recipientPublicKey]);
  return { key, aad };
}

function ietf(key: Uint8Array, nonce: Uint8Array) {
  return { subkey: hchacha20(key, nonce.subarray(0, 16)), iv: Buffer.concat([Buffer.alloc(4), nonce.subarray(16, 24)]) };
}

/** Seals any plaintext in the box format. */
export function referenceSeal(plaintext: Uint8Array, recipientPublicKey: Uint8Array, ephemeralSecretKey: Uint8Array, nonce: Uint8Array): Uint8Array {
  const ephemeralPublicKey = x25519PublicKey(ephemeralSecretKey);
  const { key, aad } = keyAndAad(x25519(ephemeralSecretKey, recipientPublicKey), ephemeralPublicKey, recipientPublicKey);
  const { subkey, iv } = ietf(key, nonce);
  const cipher = createCipheriv('chacha20-poly1305', subkey, iv, { authTagLength: 16 });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return new Uint8Array(Buffer.concat([Buffer.of(VERSION), ephemeralPublicKey, nonce, body]));
}

/** Opens a box; throws if it does not authenticate. */
export function referenceOpen(blob: Uint8Array, recipientSecretKey: Uint8Array): Uint8Array {
  if (blob[0] !== VERSION) throw new Error('version');
  const ephemeralPublicKey = blob.subarray(1, 33);
  const nonce = blob.subarray(33, 57);
  const body = blob.subarray(57);
  const recipientPublicKey = x25519PublicKey(recipientSecretKey);
  const { key, aad } = keyAndAad(x25519(recipientSecretKey, ephemeralPublicKey), ephemeralPublicKey, recipientPublicKey);
  const { subkey, iv } = ietf(key, nonce);
  const decipher = createDecipheriv('chacha20-poly1305', subkey, iv, { authTagLength: 16 });
  decipher.setAAD(aad, { plaintextLength: body.length - 16 });
  decipher.setAuthTag(body.subarray(body.length - 16));
  return new Uint8Array(Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]));
}
