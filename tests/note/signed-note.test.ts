import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { generateNoteKey, type NoteSigner, noteSigner, noteVerifier } from '../../core/note/note-key.ts';
import {
  InvalidSignatureError,
  type Note,
  NOTE_MAX_SIGNATURES,
  NOTE_SIGNATURE_PREFIX,
  openNote,
  signNote,
  UnverifiedNoteError,
} from '../../core/note/signed-note.ts';
import { expectInputError, HOSTILE_INPUTS } from '../hostile-inputs.ts';
import { c2sp, fromUtf8, goNote, tlogScales, utf8 } from './_vectors.ts';

const peter = noteVerifier(goNote.peterKey);
const enoch = noteVerifier(goNote.enochKey);
const { text, peterSig, enochSig } = goNote;
const sigOf = (line: string) => {
  const [name, b64] = line.slice(2, -1).split(' ') as [string, string];
  return { name, keyHash: Buffer.from(b64, 'base64').readUInt32BE(0), base64: b64 };
};
const peterS = sigOf(peterSig);
const enochS = sigOf(enochSig);

/** Runs `fn`, expecting a CanopyError with `code`; returns it. */
function expectCode(fn: () => unknown, code: string, label = ''): CanopyError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `${label}: expected ${code}`).toBeInstanceOf(CanopyError);
  expect((err as CanopyError).code, label).toBe(code);
  return err as CanopyError;
}

/** Go-style byte slicing and splicing: Go's test offsets count UTF-8 bytes (the em dash is 3). */
const spliceBytes = (s: string, at: number, insert: string) => {
  const b = utf8(s);
  return fromUtf8(new Uint8Array([...b.subarray(0, at), ...utf8(insert), ...b.subarray(at)]));
};

describe('NOTE_SIGNATURE_PREFIX', () => {
  it('is U+2014 EM DASH and a space', () => {
    expect([...NOTE_SIGNATURE_PREFIX].map((c) => c.codePointAt(0))).toEqual([0x2014, 0x20]);
  });
});

describe('signNote', () => {
  describe('when signing the Go note_test.go text with PeterNeumann (TestSign)', () => {
    it('writes exactly the expected note', () => {
      expect(signNote(text, [noteSigner(goNote.peterSkey)])).toBe(goNote.signed);
    });

    it('replaces an existing signature by the same key', () => {
      const note: Note = { text, sigs: [{ name: 'PeterNeumann', keyHash: 0xc74f20a3, base64: 'BADSIGN=' }], unverifiedSigs: [] };
      expect(signNote(note, [noteSigner(goNote.peterSkey)])).toBe(goNote.signed);
    });
  });

  describe('when given bad input (TestSign)', () => {
    it('rejects a text without a final newline', () => {
      expectInputError(() => signNote('abc', [noteSigner(goNote.peterSkey)]), 'note', 'range');
    });

    it('rejects a kept signature with a bad name or a key hash its bytes do not hold', () => {
      expectCode(() => signNote({ text, sigs: [{ name: 'a+b', keyHash: 0, base64: 'ABCD' }], unverifiedSigs: [] }, []), 'NOTE_MALFORMED');
      expectCode(() => signNote({ text, sigs: [{ name: 'PeterNeumann', keyHash: 0xc74f20a3, base64: 'BADHASH=' }], unverifiedSigs: [] }, []), 'NOTE_MALFORMED');
      expectCode(() => signNote({ text, sigs: [{ ...peterS, keyHash: peterS.keyHash ^ 1 }], unverifiedSigs: [] }, []), 'NOTE_MALFORMED');
    });

    it('rejects a signer with a bad name, and passes on what a signer throws', () => {
      const good = noteSigner(goNote.peterSkey);
      const badName: NoteSigner = { name: 'bad name', keyHash: good.keyHash, sign: good.sign };
      expectInputError(() => signNote(text, [badName]), 'signers[0].name', 'range');
      const failing: NoteSigner = { name: good.name, keyHash: good.keyHash, sign: () => { throw new Error('surprise!') } };
      expect(() => signNote(text, [failing])).toThrow('surprise!');
      const empty: NoteSigner = { name: good.name, keyHash: good.keyHash, sign: () => new Uint8Array(0) };
      expectInputError(() => signNote(text, [empty]), 'signers[0].sign()', 'type');
    });

    it('rejects the same key twice, no signature at all, and more than 100', () => {
      const s = noteSigner(goNote.peterSkey);
      expectInputError(() => signNote(text, [s, s]), 'signers', 'range');
      expectInputError(() => signNote(text, []), 'signers', 'range');
      const many = Array.from({ length: NOTE_MAX_SIGNATURES + 1 }, (_, i) => ({ name: `k${i}`, keyHash: i, sign: () => new Uint8Array(64) }));
      expectInputError(() => signNote(text, many), 'signers', 'range');
    });

    it.each([...Array(32).keys()].filter((c) => c !== 0x0a))('rejects control character 0x%s in the text', (c) => {
      expectInputError(() => signNote(`a${String.fromCharCode(c)}b\n`, [noteSigner(goNote.peterSkey)]), 'note', 'range');
    });

    it('rejects a lone surrogate and a text over 1 MiB', () => {
      expectInputError(() => signNote('a\ud800\n', [noteSigner(goNote.peterSkey)]), 'note', 'range');
      expectInputError(() => signNote(`${'é'.repeat(600_000)}\n`, [noteSigner(goNote.peterSkey)]), 'note', 'range');
    });
  });

  describe('when given an opened note (a witness adding its signature)', () => {
    it('keeps the existing signatures, verified then unverified, ahead of the new one', () => {
      const opened = openNote(`${text}\n${peterSig}${enochSig}`, [peter]);
      const witness = generateNoteKey('witness.example/w', new Uint8Array(32).fill(3));
      const out = signNote(opened, [noteSigner(witness.signerKey)]);
      const reopened = openNote(out, [peter, enoch, noteVerifier(witness.verifierKey)]);
      expect(reopened.sigs.map((s) => s.name)).toEqual(['PeterNeumann', 'EnochRoot', 'witness.example/w']);
      expect(out.startsWith(`${text}\n${peterSig}${enochSig}`)).toBe(true);
    });
  });

  describe('when given hostile input', () => {
    const s = noteSigner(goNote.peterSkey);
    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value !== 'string').map((h) => [h.name, h.value] as const))('rejects note = %s', (_n, v) => {
      expect(() => signNote(v as string, [s])).toThrow(/^"note(\.text|\.sigs)?" expected/);
    });
    it.each(HOSTILE_INPUTS.filter((h) => !Array.isArray(h.value)).map((h) => [h.name, h.value] as const))('rejects signers = %s', (_n, v) => {
      expectInputError(() => signNote(text, v as NoteSigner[]), 'signers', 'type');
    });
    it.each(HOSTILE_INPUTS.map((h) => [h.name, h.value] as const))('rejects signers[0] = %s', (_n, v) => {
      expect(() => signNote(text, [v as NoteSigner])).toThrow(/^"signers\[0\](\.name|\.keyHash)?" expected/);
    });
  });
});

describe('openNote', () => {
  describe('when one known and one unknown key signed (Go TestOpen)', () => {
    it('verifies the known one and keeps the other as unverified', () => {
      const n = openNote(`${text}\n${peterSig}${enochSig}`, [peter]);
      expect(n).toEqual({ text, sigs: [peterS], unverifiedSigs: [enochS] });
    });
  });

  describe('when both keys are known', () => {
    it('verifies both, in note order, from a string or from bytes', () => {
      const msg = `${text}\n${peterSig}${enochSig}`;
      expect(openNote(msg, [enoch, peter])).toEqual({ text, sigs: [peterS, enochS], unverifiedSigs: [] });
      expect(openNote(utf8(msg), [peter, enoch])).toEqual({ text, sigs: [peterS, enochS], unverifiedSigs: [] });
    });
  });

  describe('when no known key signed', () => {
    it('throws UnverifiedNoteError carrying the parsed note', () => {
      const err = expectCode(() => openNote(`${text}\n${peterSig}${enochSig}`, []), 'NOTE_UNVERIFIED') as UnverifiedNoteError;
      expect(err).toBeInstanceOf(UnverifiedNoteError);
      expect(err.message).toBe('note has no verifiable signatures');
      expect(err.note).toEqual({ text, sigs: [], unverifiedSigs: [peterS, enochS] });
    });

    it('parses the C2SP signed-note example, whose text holds an empty line', () => {
      const err = expectCode(() => openNote(c2sp.quasimodoNote, []), 'NOTE_UNVERIFIED') as UnverifiedNoteError;
      expect(err.note.text).toBe('Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n');
      expect(err.note.unverifiedSigs.map((s) => s.name)).toEqual(['quasimodo.example/salvatore']);
    });
  });

  describe('when a known key signature does not verify (Go TestOpen "Invalid signature")', () => {
    it('throws InvalidSignatureError naming the key', () => {
      const msg = `${text}\n${spliceBytes(peterSig, 60, 'ABCD')}`;
      const err = expectCode(() => openNote(msg, [peter]), 'SIGNATURE_INVALID') as InvalidSignatureError;
      expect(err).toBeInstanceOf(InvalidSignatureError);
      expect(err.message).toBe('invalid signature for key PeterNeumann+c74f20a3');
      expect([err.keyName, err.keyHash]).toEqual(['PeterNeumann', 0xc74f20a3]);
    });
  });

  describe('when the C2SP signed-note example is opened with its key (tlog-scales vector)', () => {
    it('verifies', () => {
      const { vkey, text: t, signatureLine } = tlogScales.signedNoteExample;
      expect(openNote(`${t}\n${signatureLine}\n`, [noteVerifier(vkey)]).text).toBe('This is an example message.\n');
    });
  });

  describe('when the message is malformed (Go TestOpen badMsgs)', () => {
    const badMsgs: [string, Uint8Array][] = [
      ['text only', utf8(text)],
      ['text and blank line', utf8(`${text}\n`)],
      ['signature without final newline', utf8(`${text}\n${peterSig.slice(0, -1)}`)],
      ['leading \\x01', utf8(`\x01${text}\n${peterSig}`)],
      ['leading \\xff', new Uint8Array([0xff, ...utf8(`${text}\n${peterSig}`)])],
      ['name with a space', utf8(`${text}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`)],
      ['line after the signatures', utf8(`${text}\n${peterSig}Unexpected line.\n`)],
    ];
    it.each(badMsgs)('rejects %s with NOTE_MALFORMED', (_d, msg) => {
      expectCode(() => openNote(msg, [peter]), 'NOTE_MALFORMED');
    });
  });

  describe('when a note has too many signatures', () => {
    const fake = (i: number) => `${NOTE_SIGNATURE_PREFIX}k${i} ${Buffer.from(new Uint8Array([0, 0, 0, i & 0xff, 1, 2, 3])).toString('base64')}\n`;
    it('accepts 100 (one known) and rejects 101, verified or not (Go: 101 copies)', () => {
      const hundred = `${text}\n${peterSig}${Array.from({ length: 99 }, (_, i) => fake(i)).join('')}`;
      expect(openNote(hundred, [peter]).unverifiedSigs.length).toBe(99);
      expectCode(() => openNote(`${hundred}${fake(200)}`, [peter]), 'NOTE_MALFORMED');
      expectCode(() => openNote(`${text}\n${peterSig.repeat(101)}`, [peter]), 'NOTE_MALFORMED');
      expectCode(() => openNote(`${text}\n${peterSig.repeat(101)}`, []), 'NOTE_MALFORMED');
    });
  });

  describe('when one key signed twice', () => {
    it('rejects a repeated known signature (stricter than Go, which drops repeats)', () => {
      expect(expectCode(() => openNote(`${text}\n${peterSig}${peterSig}`, [peter]), 'NOTE_MALFORMED').message).toContain('PeterNeumann+c74f20a3');
    });

    it('rejects repeated unknown signatures, identical or not (Go TestOpen "Duplicated verified and unverified")', () => {
      expectCode(() => openNote(`${text}\n${peterSig}${enochSig}${enochSig}`, [peter]), 'NOTE_MALFORMED');
      const goCase = `${text}\n${peterSig}${peterSig}${enochSig}${enochSig}${spliceBytes(enochSig, 60, 'ABCD')}`;
      expectCode(() => openNote(goCase, [peter]), 'NOTE_MALFORMED');
      expectCode(() => openNote(`${text}\n${peterSig}${enochSig}${spliceBytes(enochSig, 60, 'ABCD')}`, [peter]), 'NOTE_MALFORMED');
    });

    it('accepts the same name under another key hash, and another name under the same hash', () => {
      const sameName = peterSig.replace('x08go', 'x08gp');
      const n = openNote(`${text}\n${peterSig}${sameName}${peterSig.replace('PeterNeumann', 'PeterNeumann2')}`, [peter]);
      expect(n.sigs.length).toBe(1);
      expect(n.unverifiedSigs.length).toBe(2);
    });
  });

  describe('when a character is not allowed', () => {
    it.each([...Array(32).keys()].filter((c) => c !== 0x0a))('rejects control character 0x%s anywhere', (c) => {
      const ch = String.fromCharCode(c);
      expectCode(() => openNote(`${ch}${text}\n${peterSig}`, [peter]), 'NOTE_MALFORMED');
      expectCode(() => openNote(`${text}\n${peterSig.slice(0, -1)}${ch}\n`, [peter]), 'NOTE_MALFORMED');
    });

    it('rejects lone surrogates and invalid UTF-8 (overlong, encoded surrogate, truncated)', () => {
      expectCode(() => openNote(`\udc00${text}\n${peterSig}`, [peter]), 'NOTE_MALFORMED');
      const body = utf8(`${text}\n${peterSig}`);
      for (const bad of [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x80]]) {
        expectCode(() => openNote(new Uint8Array([...bad, ...body]), [peter]), 'NOTE_MALFORMED');
      }
    });

    it('keeps a leading byte-order mark as part of the signed text', () => {
      const s = noteSigner(goNote.peterSkey);
      const signed = signNote(`\ufeff${text}`, [s]);
      expect(openNote(utf8(signed), [peter]).text).toBe(`\ufeff${text}`);
      // Dropping the mark changes the signed bytes.
      expectCode(() => openNote(signed.slice(1), [peter]), 'SIGNATURE_INVALID');
    });

    it('allows DEL and non-ASCII text, as the spec does', () => {
      const s = noteSigner(goNote.peterSkey);
      const t = 'del \x7f, em — dash, 漢字, 🌳\n';
      expect(openNote(signNote(t, [s]), [peter]).text).toBe(t);
    });
  });

  describe('when a signature line is malformed', () => {
    it.each([
      ['no key hash bytes', `${NOTE_SIGNATURE_PREFIX}PeterNeumann AAAA\n`],
      ['no base64', `${NOTE_SIGNATURE_PREFIX}PeterNeumann \n`],
      ['no space', `${NOTE_SIGNATURE_PREFIX}PeterNeumann\n`],
      ['hyphen instead of em dash', `- ${peterSig.slice(2)}`],
      ['en dash', `\u2013${peterSig.slice(1)}`],
      ['two spaces', peterSig.replace(' x08go', '  x08go')],
      ['unpadded base64', peterSig.replace('=\n', '\n')],
      ['non-canonical padding bits', peterSig.replace('M=\n', 'N=\n')],
      ['URL-safe base64', enochSig.replaceAll('+', '-')],
      ['name with "+"', peterSig.replace('PeterNeumann', 'Peter+Neumann')],
      ['name with a no-break space', peterSig.replace('PeterNeumann', 'Peter\u00a0Neumann')],
      ['name with an em space', peterSig.replace('PeterNeumann', 'Peter\u2003Neumann')],
      ['empty name', peterSig.replace('PeterNeumann', '')],
    ])('rejects %s', (_d, line) => {
      expectCode(() => openNote(`${text}\n${peterSig}${line}`, [peter]), 'NOTE_MALFORMED');
    });
  });

  describe('when the note is over 1 MiB', () => {
    it('rejects it before parsing', () => {
      const big = `${'a'.repeat(1 << 20)}\n\n${peterSig}`;
      expectCode(() => openNote(big, [peter]), 'NOTE_MALFORMED');
      expectCode(() => openNote(utf8(big), [peter]), 'NOTE_MALFORMED');
    });
  });

  describe('when any byte of a signed note is altered', () => {
    it('fails to open a note signed by one known key, whatever the byte and change', () => {
      const msg = utf8(goNote.signed);
      const opened: string[] = [];
      for (let i = 0; i < msg.length; i++) {
        for (const change of [(b: number) => b ^ 0x01, (b: number) => b ^ 0x80, (b: number) => (b + 1) & 0xff]) {
          const bad = msg.slice();
          bad[i] = change(bad[i]!);
          try {
            openNote(bad, [peter]);
            opened.push(`byte ${i}`);
          } catch (e) {
            if (!(e instanceof CanopyError)) throw e;
          }
        }
        const cut = new Uint8Array([...msg.subarray(0, i), ...msg.subarray(i + 1)]);
        try {
          openNote(cut, [peter]);
          opened.push(`byte ${i} deleted`);
        } catch (e) {
          if (!(e instanceof CanopyError)) throw e;
        }
      }
      expect(opened).toEqual([]);
    });

    it('never verifies an altered line of a note signed by two known keys', () => {
      const msg = utf8(`${text}\n${peterSig}${enochSig}`);
      const wrong: string[] = [];
      for (let i = 0; i < msg.length; i++) {
        const bad = msg.slice();
        bad[i]! ^= 0x04;
        try {
          const n = openNote(bad, [peter, enoch]);
          // Unknown signatures are ignored by the spec, so a note can still open when an
          // altered name turned a line into an unknown key's: the text must be intact and
          // the altered line must not be among the verified ones.
          const intact = fromUtf8(msg);
          if (n.text !== text || n.sigs.length !== 1 || !intact.includes(`${n.sigs[0]!.name} ${n.sigs[0]!.base64}\n`)) wrong.push(`byte ${i}`);
          if (n.unverifiedSigs.length !== 1) wrong.push(`byte ${i}: ${n.unverifiedSigs.length} unverified`);
        } catch (e) {
          if (!(e instanceof CanopyError)) throw e;
        }
      }
      expect(wrong).toEqual([]);
    });
  });

  describe('when given hostile input', () => {
    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value !== 'string' && !(h.value instanceof Uint8Array)).map((h) => [h.name, h.value] as const))('rejects msg = %s', (_n, v) => {
      expectInputError(() => openNote(v as string, [peter]), 'msg', 'type');
    });
    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value === 'string' || h.value instanceof Uint8Array).map((h) => [h.name, h.value] as const))(
      'rejects msg = %s as malformed',
      (_n, v) => {
        expectCode(() => openNote(v as string, [peter]), 'NOTE_MALFORMED');
      },
    );
    it.each(HOSTILE_INPUTS.filter((h) => !Array.isArray(h.value)).map((h) => [h.name, h.value] as const))('rejects verifiers = %s', (_n, v) => {
      expectInputError(() => openNote(goNote.signed, v as never), 'verifiers', 'type');
    });
    it.each(HOSTILE_INPUTS.map((h) => [h.name, h.value] as const))('rejects verifiers[0] = %s', (_n, v) => {
      expect(() => openNote(goNote.signed, [v as never])).toThrow(/^"verifiers\[0\](\.name|\.keyHash)?" expected/);
    });
    it('rejects two verifiers for one (name, key hash), used or not (Go reports "ambiguous key")', () => {
      expectInputError(() => openNote(`${text}\n${enochSig}`, [enoch, peter, enoch]), 'verifiers', 'range');
      expectInputError(() => openNote(`${text}\n${peterSig}`, [enoch, peter, noteVerifier(goNote.enochKey)]), 'verifiers', 'range');
    });
  });
});
