import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import {
  COSIGNATURE_ALG,
  COSIGNATURE_HEADER,
  cosignatureMessage,
  cosignatureSigner,
  cosignatureTimestamp,
  cosignatureVerifier,
  cosignerVerifierKey,
} from '../../core/note/cosignature.ts';
import { generateNoteKey, noteKeyHash, noteVerifier } from '../../core/note/note-key.ts';
import { openNote, signNote, UnverifiedNoteError } from '../../core/note/signed-note.ts';
import { expectInputError, HOSTILE_INPUTS, isSafeUint } from '../hostile-inputs.ts';
import { c2sp, fromUtf8, tlogScales, utf8 } from './_vectors.ts';

const real = tlogScales.realCheckpoint;
const logV = noteVerifier(real.logVkey);
const witnessV = cosignatureVerifier(real.witnessVkey);
const checkpointText = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const witness = generateNoteKey('witness.example/w1', new Uint8Array(32).fill(9));

describe('COSIGNATURE_ALG and COSIGNATURE_HEADER', () => {
  it('are the C2SP tlog-cosignature type byte 0x04 and header "cosignature/v1"', () => {
    expect(COSIGNATURE_ALG).toBe(0x04);
    expect(COSIGNATURE_HEADER).toBe('cosignature/v1');
  });
});

describe('cosignatureMessage', () => {
  describe('when given the C2SP example checkpoint at time 1679315147', () => {
    it('is exactly the signed message the spec shows', () => {
      expect(fromUtf8(cosignatureMessage(checkpointText, 1679315147))).toBe(c2sp.cosignatureMessage);
    });
  });

  describe('when the checkpoint has extension lines', () => {
    it('includes them (the whole note text is signed)', () => {
      expect(fromUtf8(cosignatureMessage(`${checkpointText}ext\n`, 0))).toBe(`cosignature/v1\ntime 0\n${checkpointText}ext\n`);
    });
  });

  describe('when given hostile input', () => {
    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value !== 'string').map((h) => [h.name, h.value] as const))('rejects text = %s', (_n, v) => {
      expectInputError(() => cosignatureMessage(v as string, 1), 'text', 'type');
    });
    it.each(HOSTILE_INPUTS.filter((h) => !isSafeUint(h.value)).map((h) => [h.name, h.value] as const))('rejects timestamp = %s', (_n, v) => {
      expectInputError(() => cosignatureMessage(checkpointText, v as number), 'timestamp');
    });
    it('rejects a text without its final newline', () => {
      expectInputError(() => cosignatureMessage(checkpointText.slice(0, -1), 1), 'text', 'range');
    });
  });
});

describe('cosignatureVerifier', () => {
  describe('when given a real checkpoint cosigned by remora.n621.de (tlog-scales vector)', () => {
    it('verifies the log signature and the cosignature, and keeps the other four unverified', () => {
      const n = openNote(real.note, [logV, witnessV]);
      expect(n.sigs.map((s) => s.name)).toEqual(['arche2025h1.staging.ct.transparency.dev', 'remora.n621.de']);
      expect(n.unverifiedSigs.length).toBe(4);
      expect(witnessV.keyHash).toBe(0xda77ade7);
    });

    it('opens with the witness alone, and rejects the note if the checkpoint text changes', () => {
      expect(openNote(real.note, [witnessV]).sigs.map((s) => s.name)).toEqual(['remora.n621.de']);
      const clobbered = real.note.replace('\n1432088532\n', '\n42\n');
      expect(() => openNote(clobbered, [witnessV])).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID' }));
    });

    it('never verifies an altered cosignature or checkpoint text, byte by byte', () => {
      const msg = utf8(real.note);
      const text = openNote(real.note, [witnessV]).text;
      const wrong: string[] = [];
      for (let i = 0; i < msg.length; i++) {
        const bad = msg.slice();
        bad[i]! ^= 0x02;
        try {
          const n = openNote(bad, [witnessV]);
          // Alterations in lines of unknown keys are ignored by design; the text and the
          // witness line must be intact then.
          if (n.text !== text || !real.note.includes(n.sigs[0]!.base64)) wrong.push(`byte ${i}`);
        } catch (e) {
          if (!(e instanceof CanopyError)) throw e;
        }
      }
      expect(wrong).toEqual([]);
    });
  });

  describe('when the cosignature carries a timestamp above 2^53 − 1', () => {
    it('does not verify it, even though the Ed25519 signature is valid', () => {
      const seed = new Uint8Array(32).fill(9);
      const v = cosignatureVerifier(cosignerVerifierKey(witness.verifierKey));
      const t = 2n ** 53n;
      const sig = ed25519.sign(utf8(`cosignature/v1\ntime ${t}\n${checkpointText}`), seed);
      const raw = new Uint8Array(4 + 8 + 64);
      const dv = new DataView(raw.buffer);
      dv.setUint32(0, v.keyHash);
      dv.setBigUint64(4, t);
      raw.set(sig, 12);
      const line = `\u2014 ${v.name} ${Buffer.from(raw).toString('base64')}\n`;
      expect(() => openNote(`${checkpointText}\n${line}`, [v])).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID' }));
      expect(() => cosignatureTimestamp({ name: v.name, keyHash: v.keyHash, base64: Buffer.from(raw).toString('base64') })).toThrow(RangeError);
    });
  });

  describe('when given a plain Ed25519 key or hostile input', () => {
    it('rejects a type 0x01 verifier key', () => {
      expect(() => cosignatureVerifier(witness.verifierKey)).toThrow(expect.objectContaining({ code: 'KEY_MALFORMED' }));
    });
    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value !== 'string').map((h) => [h.name, h.value] as const))('rejects %s', (_n, v) => {
      expectInputError(() => cosignatureVerifier(v as string), 'vkey', 'type');
    });
  });
});

describe('cosignatureSigner', () => {
  describe('when a witness cosigns a checkpoint with extension lines', () => {
    const text = `${checkpointText}canopy-lots-root 1\ncanopy-plots-root 2\n`;
    const signer = cosignatureSigner(witness.signerKey, () => 1_700_000_000);
    const verifier = cosignatureVerifier(cosignerVerifierKey(witness.verifierKey));

    it('uses the 0x04 key hash and round-trips, stamping the clock time', () => {
      const pub = Buffer.from(witness.verifierKey.split('+')[2]!, 'base64').subarray(1);
      expect(signer.keyHash).toBe(noteKeyHash('witness.example/w1', new Uint8Array([COSIGNATURE_ALG, ...pub])));
      expect(signer.keyHash).toBe(verifier.keyHash);
      const n = openNote(signNote(text, [signer]), [verifier]);
      expect(cosignatureTimestamp(n.sigs[0]!)).toBe(1_700_000_000);
    });

    it('covers the extension lines (transparency-dev/formats TestSigCoversExtensionLines)', () => {
      const signed = signNote(text, [signer]);
      expect(() => openNote(signed.replace('canopy-plots-root 2', 'canopy-plots-root 3'), [verifier])).toThrow(
        expect.objectContaining({ code: 'SIGNATURE_INVALID' }),
      );
    });

    it('is not verified by the plain Ed25519 key of the same name (formats TestVKeyToCosignatureV1)', () => {
      const signed = signNote(text, [signer]);
      expect(() => openNote(signed, [noteVerifier(witness.verifierKey)])).toThrow(UnverifiedNoteError);
    });
  });

  describe('when the clock returns something other than POSIX seconds', () => {
    it.each([-1, 1.5, Number.NaN, 2 ** 53])('refuses to sign at %s', (t) => {
      const s = cosignatureSigner(witness.signerKey, () => t);
      expectInputError(() => s.sign(utf8(checkpointText)), 'now()');
    });
  });

  describe('when given hostile input', () => {
    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value !== 'string').map((h) => [h.name, h.value] as const))('rejects skey = %s', (_n, v) => {
      expectInputError(() => cosignatureSigner(v as string), 'skey', 'type');
    });
    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value !== 'function' && h.value !== undefined).map((h) => [h.name, h.value] as const))('rejects now = %s', (_n, v) => {
      expectInputError(() => cosignatureSigner(witness.signerKey, v as () => number), 'now', 'type');
    });
  });
});

describe('cosignerVerifierKey', () => {
  it('keeps the name and public key and changes type byte and key hash', () => {
    const k = cosignerVerifierKey(witness.verifierKey);
    const [name, hash, b64] = k.split('+') as [string, string, string];
    const raw = Buffer.from(b64, 'base64');
    expect(name).toBe('witness.example/w1');
    expect(raw[0]).toBe(0x04);
    expect(raw.subarray(1).equals(Buffer.from(witness.verifierKey.split('+')[2]!, 'base64').subarray(1))).toBe(true);
    expect(hash).not.toBe(witness.verifierKey.split('+')[1]);
    expect(() => cosignerVerifierKey(k)).toThrow(expect.objectContaining({ code: 'KEY_MALFORMED' }));
  });
});

describe('cosignatureTimestamp', () => {
  describe('when given the C2SP example cosignature', () => {
    it('reads 1679315147, the time of the spec signed message', () => {
      const n = (() => {
        try {
          return openNote(c2sp.cosignedNote, []);
        } catch (e) {
          return (e as UnverifiedNoteError).note;
        }
      })();
      const w = n.unverifiedSigs.find((s) => s.name === 'witness.example.com/w1')!;
      expect(w.keyHash).toBe(0x8d66cf3f);
      expect(cosignatureTimestamp(w)).toBe(1679315147);
      expect(c2sp.cosignatureMessage).toContain('time 1679315147\n');
    });
  });

  describe('when the signature is not a 76-byte cosignature', () => {
    it('throws SIGNATURE_INVALID', () => {
      const logSig = openNote(real.note, [logV]).sigs[0]!;
      expect(() => cosignatureTimestamp(logSig)).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID' }));
      expect(() => cosignatureTimestamp({ ...logSig, base64: 'not base64!' })).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID' }));
    });
    it.each(HOSTILE_INPUTS.map((h) => [h.name, h.value] as const))('rejects %s', (_n, v) => {
      expectInputError(() => cosignatureTimestamp(v as never), 'sig', 'type');
    });
  });
});
