import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { passportToJson } from '../../core/passport/lot-passport.ts';
import {
  _sealPassport,
  decryptPassport,
  encryptPassport,
  generateRecipientKey,
  PASSPORT_BOX_MAX_BYTES,
  recipientPublicKey,
} from '../../core/passport/passport-encryption.ts';
import { expectInputError, HOSTILE_INPUTS } from '../hostile-inputs.ts';
import { labelledBytes, samplePassport } from './_fixtures.ts';
import { hchacha20, referenceOpen, referenceSeal, x25519PublicKey } from './_reference-box.ts';

const VECTOR = JSON.parse(readFileSync(fileURLToPath(new URL('../vectors/canopy/passport-box-v1.json', import.meta.url)), 'utf8'));

// X25519 low-order points (RFC 7748 §6.1 lists why they must be refused), little-endian u.
const P25519 = 2n ** 255n - 19n;
function uBytes(u: bigint): Uint8Array {
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++) b[i] = Number((u >> BigInt(8 * i)) & 0xffn);
  return b;
}
const LOW_ORDER = [0n, 1n, P25519 - 1n, 325606250916557431795983626356110631294008115727848805560023387167927233504n].map(uBytes);

/** Expects `fn` to throw CanopyError `code`. */
function expectCode(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected CanopyError ${code}`).toBeInstanceOf(CanopyError);
  expect((thrown as CanopyError).code).toBe(code);
}

const buyer = generateRecipientKey();
const bearer = samplePassport(true);
const blob = encryptPassport(bearer, buyer.publicKey);

describe('hchacha20 (test reference)', () => {
  describe('when given the draft-irtf-cfrg-xchacha-03 §2.2.1 test vector', () => {
    it('returns the published output', () => {
      const key = Uint8Array.from({ length: 32 }, (_, i) => i);
      const input = hexToBytes('000000090000004a0000000031415927');
      expect(bytesToHex(hchacha20(key, input))).toBe('82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc');
    });
  });
});

describe('generateRecipientKey', () => {
  describe('when called twice', () => {
    it('returns distinct 32-byte key pairs whose public key matches the secret', () => {
      const other = generateRecipientKey();
      expect(buyer.secretKey.length).toBe(32);
      expect(buyer.publicKey.length).toBe(32);
      expect(bytesToHex(other.secretKey)).not.toBe(bytesToHex(buyer.secretKey));
      expect(bytesToHex(recipientPublicKey(buyer.secretKey))).toBe(bytesToHex(buyer.publicKey));
      expect(bytesToHex(x25519PublicKey(buyer.secretKey))).toBe(bytesToHex(buyer.publicKey));
    });
  });
});

describe('recipientPublicKey', () => {
  describe('when the secret key is not 32 bytes', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !(h.value instanceof Uint8Array && h.value.length === 32)).map((h) => [h.name, h.value]))('throws an input error for %s', (_name, value) => {
      expectInputError(() => recipientPublicKey(value as Uint8Array), 'secretKey');
    });
  });
});

describe('encryptPassport', () => {
  describe('when given a passport and a public key', () => {
    it('writes version 1, a 32-byte ephemeral key, a 24-byte nonce, and ciphertext with a 16-byte tag', () => {
      const plaintextLength = new TextEncoder().encode(passportToJson(bearer)).length;
      expect(blob.length).toBe(1 + 32 + 24 + plaintextLength + 16);
      expect(blob[0]).toBe(1);
      expect(blob.length).toBeLessThanOrEqual(PASSPORT_BOX_MAX_BYTES);
    });

    it('never writes the passport in clear', () => {
      const secret = new TextEncoder().encode(String(bearer.ownerSecret));
      expect(Buffer.from(blob).includes(Buffer.from(secret))).toBe(false);
    });

    it('draws a fresh ephemeral key and nonce each time', () => {
      const again = encryptPassport(bearer, buyer.publicKey);
      expect(bytesToHex(again.subarray(1, 57))).not.toBe(bytesToHex(blob.subarray(1, 57)));
      expect(decryptPassport(again, buyer.secretKey)).toEqual(bearer);
    });

    it('follows the documented construction (an independent node:crypto reader opens it)', () => {
      expect(new TextDecoder().decode(referenceOpen(blob, buyer.secretKey))).toBe(passportToJson(bearer));
    });
  });

  describe('when the public key is a low-order point', () => {
    it.each(LOW_ORDER.map((k, i) => [i, k]))('throws INVALID_INPUT for point %i', (_i, key) => {
      expectCode(() => encryptPassport(bearer, key), 'INVALID_INPUT');
    });
  });

  describe('when an argument is malformed', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !(h.value instanceof Uint8Array && h.value.length === 32)).map((h) => [h.name, h.value]))(
      'throws an input error for the public key %s',
      (_name, value) => {
        expectInputError(() => encryptPassport(bearer, value as Uint8Array), 'recipientPublicKey');
      },
    );

    it('throws an input error for a malformed passport', () => {
      expectInputError(() => encryptPassport({ ...bearer, leafIndex: -1 }, buyer.publicKey), 'passport.leafIndex', 'range');
    });
  });
});

describe('decryptPassport', () => {
  describe('when the blob is intact and the key right', () => {
    it('round-trips a bearer passport', () => {
      expect(decryptPassport(blob, buyer.secretKey)).toEqual(bearer);
    });

    it('round-trips a passport without owner secret', () => {
      const owned = samplePassport(false);
      expect(decryptPassport(encryptPassport(owned, buyer.publicKey), buyer.secretKey)).toEqual(owned);
    });

    it('opens a blob sealed by the independent node:crypto writer', () => {
      const sealed = referenceSeal(new TextEncoder().encode(passportToJson(bearer)), buyer.publicKey, labelledBytes('ephemeral'), labelledBytes('nonce', 24));
      expect(decryptPassport(sealed, buyer.secretKey)).toEqual(bearer);
    });
  });

  describe('when given the passport-box-v1 vector', () => {
    it('passport-box-v1: re-sealing reproduces the blob, and both readers open it', () => {
      const recipientSecretKey = hexToBytes(VECTOR.recipientSecretKey);
      const passport = decryptPassport(hexToBytes(VECTOR.blob), recipientSecretKey);
      expect(passportToJson(passport)).toBe(VECTOR.passport);
      expect(bytesToHex(recipientPublicKey(recipientSecretKey))).toBe(VECTOR.recipientPublicKey);
      const resealed = _sealPassport(passport, hexToBytes(VECTOR.recipientPublicKey), hexToBytes(VECTOR.ephemeralSecretKey), hexToBytes(VECTOR.nonce));
      expect(bytesToHex(resealed)).toBe(VECTOR.blob);
      expect(new TextDecoder().decode(referenceOpen(hexToBytes(VECTOR.blob), recipientSecretKey))).toBe(VECTOR.passport);
    });
  });

  describe('when any byte of the blob is flipped', () => {
    it('fails for every byte: PASSPORT_MALFORMED for the version byte, PASSPORT_UNDECRYPTABLE elsewhere', () => {
      for (let i = 0; i < blob.length; i++) {
        const tampered = blob.slice();
        tampered[i] ^= 0xff;
        expectCode(() => decryptPassport(tampered, buyer.secretKey), i === 0 ? 'PASSPORT_MALFORMED' : 'PASSPORT_UNDECRYPTABLE');
      }
    });

    it('fails for every single-bit flip of the header, including the top bit X25519 ignores', () => {
      for (let i = 1; i < 57; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const tampered = blob.slice();
          tampered[i] ^= 1 << bit;
          expectCode(() => decryptPassport(tampered, buyer.secretKey), 'PASSPORT_UNDECRYPTABLE');
        }
      }
    });
  });

  describe('when the ephemeral key is replaced by a low-order point', () => {
    it.each(LOW_ORDER.map((k, i) => [i, k]))('throws PASSPORT_UNDECRYPTABLE for point %i', (_i, key) => {
      const tampered = blob.slice();
      tampered.set(key, 1);
      expectCode(() => decryptPassport(tampered, buyer.secretKey), 'PASSPORT_UNDECRYPTABLE');
    });
  });

  describe('when the blob is truncated or extended', () => {
    it('throws PASSPORT_MALFORMED below the minimum size and PASSPORT_UNDECRYPTABLE above it', () => {
      const minimum = 1 + 32 + 24 + 16 + 1;
      for (let n = 0; n < blob.length; n++) {
        expectCode(() => decryptPassport(blob.subarray(0, n), buyer.secretKey), n < minimum ? 'PASSPORT_MALFORMED' : 'PASSPORT_UNDECRYPTABLE');
      }
      expectCode(() => decryptPassport(Uint8Array.of(...blob, 0), buyer.secretKey), 'PASSPORT_UNDECRYPTABLE');
    });

    it(`throws PASSPORT_MALFORMED above ${PASSPORT_BOX_MAX_BYTES} bytes`, () => {
      const big = new Uint8Array(PASSPORT_BOX_MAX_BYTES + 1);
      big[0] = 1;
      expectCode(() => decryptPassport(big, buyer.secretKey), 'PASSPORT_MALFORMED');
    });
  });

  describe('when the key is wrong', () => {
    it('throws PASSPORT_UNDECRYPTABLE', () => {
      expectCode(() => decryptPassport(blob, generateRecipientKey().secretKey), 'PASSPORT_UNDECRYPTABLE');
    });
  });

  describe('when an authentic blob does not hold a valid passport', () => {
    it.each([
      ['not JSON', new TextEncoder().encode('hello')],
      ['not UTF-8', Uint8Array.of(0xff, 0xfe, 0x7b)],
      ['non-canonical JSON', new TextEncoder().encode(`${passportToJson(bearer)}\n`)],
    ])('throws PASSPORT_MALFORMED for %s', (_name, plaintext) => {
      const sealed = referenceSeal(plaintext, buyer.publicKey, labelledBytes('ephemeral'), labelledBytes('nonce', 24));
      expectCode(() => decryptPassport(sealed, buyer.secretKey), 'PASSPORT_MALFORMED');
    });
  });

  describe('when an argument is hostile', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !(h.value instanceof Uint8Array)).map((h) => [h.name, h.value]))('throws an input error for the blob %s', (_name, value) => {
      expectInputError(() => decryptPassport(value as Uint8Array, buyer.secretKey), 'blob', 'type');
    });

    it.each(HOSTILE_INPUTS.filter((h) => h.value instanceof Uint8Array).map((h) => [h.name, h.value]))('throws PASSPORT_MALFORMED for the blob %s', (_name, value) => {
      expectCode(() => decryptPassport(value as Uint8Array, buyer.secretKey), 'PASSPORT_MALFORMED');
    });

    it.each(HOSTILE_INPUTS.filter((h) => !(h.value instanceof Uint8Array && h.value.length === 32)).map((h) => [h.name, h.value]))(
      'throws an input error for the secret key %s',
      (_name, value) => {
        expectInputError(() => decryptPassport(blob, value as Uint8Array), 'recipientSecretKey');
      },
    );
  });
});
