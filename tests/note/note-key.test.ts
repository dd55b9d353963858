import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { cosignatureVerifier } from '../../core/note/cosignature.ts';
import {
  assertKeyName,
  ed25519VerifierKey,
  generateNoteKey,
  NOTE_ALG_ED25519,
  noteKeyHash,
  noteSigner,
  noteVerifier,
} from '../../core/note/note-key.ts';
import { expectInputError, HOSTILE_INPUTS } from '../hostile-inputs.ts';
import { goNote, tlogScales, utf8 } from './_vectors.ts';

/** Expects `fn` to throw CanopyError('KEY_MALFORMED'); returns its message. */
function expectKeyMalformed(fn: () => unknown, label: string): string {
  try {
    fn();
  } catch (e) {
    expect(e, label).toBeInstanceOf(CanopyError);
    expect((e as CanopyError).code, label).toBe('KEY_MALFORMED');
    return (e as Error).message;
  }
  throw new Error(`${label}: accepted`);
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('noteVerifier', () => {
  describe('when given the Go note_test.go keys', () => {
    it('parses PeterNeumann+c74f20a3 and EnochRoot+af0cfe78', () => {
      const peter = noteVerifier(goNote.peterKey);
      expect(peter.name).toBe('PeterNeumann');
      expect(peter.keyHash).toBe(0xc74f20a3);
      const enoch = noteVerifier(goNote.enochKey);
      expect([enoch.name, enoch.keyHash]).toEqual(['EnochRoot', 0xaf0cfe78]);
    });
  });

  describe('when the key string is mangled (Go TestNewVerifier)', () => {
    it('rejects every proper substring', () => {
      const k = goNote.peterKey;
      for (let i = 0; i <= k.length; i++) {
        for (let j = i + 1; j <= k.length; j++) if (i !== 0 || j !== k.length) expectKeyMalformed(() => noteVerifier(k.slice(i, j)), `[${i}:${j}]`);
      }
    });

    it('rejects every single character incremented', () => {
      const k = goNote.peterKey;
      for (let i = 0; i < k.length; i++) {
        expectKeyMalformed(() => noteVerifier(k.slice(0, i) + String.fromCharCode(k.charCodeAt(i) + 1) + k.slice(i + 1)), `char ${i}`);
      }
    });

    it('rejects a wrong-length key and an unknown algorithm, each with a matching key hash', () => {
      expect(goNote.badKeys.length).toBe(2);
      expect(expectKeyMalformed(() => noteVerifier(goNote.badKeys[0]!), 'long key')).toMatch(/not canonical base64|not 32 bytes/);
      expect(expectKeyMalformed(() => noteVerifier(goNote.badKeys[1]!), 'alg')).toMatch(/signature type 0x65/);
    });
  });

  describe('when the key is stricter than Go requires', () => {
    it('rejects an upper-case key hash', () => {
      expectKeyMalformed(() => noteVerifier(goNote.peterKey.replace('c74f20a3', 'C74F20A3')), 'upper case');
    });

    it('rejects 32 bytes that are not a curve point, even with the right key hash', () => {
      // y = 2 with the sign bit clear is not on edwards25519 (x² = (y²−1)/(dy²+1) is a non-residue).
      let key = new Uint8Array(32);
      key[0] = 2;
      while (ed25519.utils.isValidPublicKey(key, false)) key = sha256(key);
      expectKeyMalformed(() => noteVerifier(ed25519VerifierKey('bad.example', key)), 'not a point');
    });

    it('rejects a cosigner key (type 0x04), which cosignatureVerifier accepts', () => {
      const w = tlogScales.realCheckpoint.witnessVkey;
      expect(expectKeyMalformed(() => noteVerifier(w), '0x04')).toMatch(/0x04, expected 0x01/);
      expect(cosignatureVerifier(w).name).toBe('remora.n621.de');
    });
  });

  describe('when the base64 holds a "+"', () => {
    it('splits only at the first two "+" (tlog-scales vector)', () => {
      const v = noteVerifier(tlogScales.plusInBase64Vkey);
      expect([v.name, v.keyHash]).toEqual(['foo', 0x1573814f]);
    });
  });

  describe('when given hostile input', () => {
    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value !== 'string').map((h) => [h.name, h.value] as const))('rejects %s', (_n, v) => {
      expectInputError(() => noteVerifier(v as string), 'vkey', 'type');
    });
    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value === 'string').map((h) => [h.name, h.value] as const))('rejects the string %s', (_n, v) => {
      expectKeyMalformed(() => noteVerifier(v as string), String(v));
    });
  });
});

describe('noteSigner', () => {
  describe('when given the Go note_test.go signer key', () => {
    it('matches the verifier key and signs what it verifies (Go testSignerAndVerifier)', () => {
      const s = noteSigner(goNote.peterSkey);
      const v = noteVerifier(goNote.peterKey);
      expect([s.name, s.keyHash]).toEqual([v.name, v.keyHash]);
      const msg = utf8('hi');
      const sig = s.sign(msg);
      expect(v.verify(msg, sig)).toBe(true);
      sig[0]!++;
      expect(v.verify(msg, sig)).toBe(false);
      sig[0]!--;
      msg[0]!++;
      expect(v.verify(msg, sig)).toBe(false);
    });
  });

  describe('when the key string is mangled (Go TestNewSigner)', () => {
    it('rejects every proper substring and every character incremented, never quoting the key', () => {
      const k = goNote.peterSkey;
      const secret = k.slice(k.lastIndexOf('+') + 1);
      for (let i = 0; i <= k.length; i++) {
        for (let j = i + 1; j <= k.length; j++) {
          if (i === 0 && j === k.length) continue;
          expect(expectKeyMalformed(() => noteSigner(k.slice(i, j)), `[${i}:${j}]`)).not.toContain(secret.slice(0, 8));
        }
      }
      for (let i = 0; i < k.length; i++) {
        const m = k.slice(0, i) + String.fromCharCode(k.charCodeAt(i) + 1) + k.slice(i + 1);
        expect(expectKeyMalformed(() => noteSigner(m), `char ${i}`)).not.toContain(secret.slice(0, 8));
      }
    });
  });

  describe('when given hostile input', () => {
    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value !== 'string').map((h) => [h.name, h.value] as const))('rejects %s', (_n, v) => {
      expectInputError(() => noteSigner(v as string), 'skey', 'type');
    });
  });
});

describe('generateNoteKey', () => {
  describe('when given a name', () => {
    it('returns a self-consistent pair (Go TestGenerateKey)', () => {
      const { signerKey, verifierKey } = generateNoteKey('EnochRoot');
      const s = noteSigner(signerKey);
      const v = noteVerifier(verifierKey);
      expect([s.name, s.keyHash]).toEqual(['EnochRoot', v.keyHash]);
      expect(v.verify(utf8('hi'), s.sign(utf8('hi')))).toBe(true);
      expect(signerKey.startsWith('PRIVATE+KEY+EnochRoot+')).toBe(true);
      expect(generateNoteKey('EnochRoot').verifierKey).not.toBe(verifierKey);
    });
  });

  describe('when given a seed', () => {
    it('derives the key from it, and the verifier key agrees with ed25519VerifierKey', () => {
      const seed = new Uint8Array(32).fill(7);
      const a = generateNoteKey('log.example/a', seed);
      expect(generateNoteKey('log.example/a', seed)).toEqual(a);
      expect(ed25519VerifierKey('log.example/a', ed25519.getPublicKey(seed))).toBe(a.verifierKey);
    });
  });

  describe('when given a bad name or seed', () => {
    it.each(['', 'a b', 'a+b', 'a\tb', 'a\u00a0b', 'a\u2003b', 'a\u0085b', 'a\u3000b', 'a\nb', 'a\u0000b', '\ud800'])('rejects the name %j', (name) => {
      expectInputError(() => generateNoteKey(name), 'name', 'range');
    });
    it.each(HOSTILE_INPUTS.filter((h) => h.value !== undefined && !(h.value instanceof Uint8Array && h.value.length === 32)).map((h) => [h.name, h.value] as const))(
      'rejects the seed %s',
      (_n, v) => {
        expectInputError(() => generateNoteKey('ok', v as Uint8Array), 'seed');
      },
    );
  });
});

describe('ed25519VerifierKey', () => {
  describe('when given the signed-note example public key (tlog-scales vector)', () => {
    it('writes example.com/foo+530d903a+…', () => {
      const { vkey, publicKeyHex } = tlogScales.signedNoteExample;
      expect(ed25519VerifierKey('example.com/foo', new Uint8Array(Buffer.from(publicKeyHex, 'hex')))).toBe(vkey);
    });
  });

  it('rejects a public key of 31 bytes (Go TestFromEd25519)', () => {
    expectInputError(() => ed25519VerifierKey('EnochRoot', new Uint8Array(31)), 'publicKey', 'range');
  });
});

describe('noteKeyHash', () => {
  it('is the first 4 bytes of SHA-256(name ‖ "\\n" ‖ type ‖ key), big-endian', () => {
    const pub = Buffer.from(goNote.peterKey.split('+')[2]!, 'base64');
    expect(pub[0]).toBe(NOTE_ALG_ED25519);
    const h = sha256(new Uint8Array([...utf8('PeterNeumann\n'), ...pub]));
    expect(noteKeyHash('PeterNeumann', new Uint8Array(pub))).toBe(0xc74f20a3);
    expect(hex(h.subarray(0, 4))).toBe('c74f20a3');
  });

  it('rejects an empty key and a bad name', () => {
    expectInputError(() => noteKeyHash('a', new Uint8Array(0)), 'typeAndKey', 'range');
    expectInputError(() => noteKeyHash('a b', new Uint8Array(1)), 'name', 'range');
  });
});

describe('assertKeyName', () => {
  it.each(HOSTILE_INPUTS.filter((h) => typeof h.value !== 'string').map((h) => [h.name, h.value] as const))('rejects %s', (_n, v) => {
    expectInputError(() => assertKeyName(v, 'name'), 'name', 'type');
  });
  it('accepts URL-like names, Unicode letters and an em dash', () => {
    for (const n of ['example.com/log42', 'oid/1.3.6.1.4.1', 'PeterNeumann', 'café', 'a—b']) expect(() => assertKeyName(n, 'n')).not.toThrow();
  });
});
