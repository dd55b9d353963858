/**
 * Readers for the stored signed-note vectors: the string literals of golang/mod
 * sumdb/note/note_test.go, the examples of the C2SP specifications, and the real
 * checkpoint quoted by florolf/tlog-scales. Values are read from the verbatim files, not
 * retyped here.
 */
import { readFileSync } from 'node:fs';

const read = (path: string) => readFileSync(new URL(`../vectors/${path}`, import.meta.url), 'utf8');

const NOTE_TEST = read('golang-mod/sumdb/note/note_test.go');

/** The Go string literal assigned to `name` (first occurrence), with \n escapes decoded. */
function goString(name: string): string {
  const i = NOTE_TEST.indexOf(`${name} := "`);
  if (i < 0) throw new Error(`${name} not found in note_test.go`);
  const start = i + name.length + 5;
  const end = NOTE_TEST.indexOf('"', start);
  return NOTE_TEST.slice(start, end).replaceAll('\\n', '\n');
}

/** The Go raw string `want := \`…\`` of TestSign. */
function goWant(): string {
  const i = NOTE_TEST.indexOf('want := `');
  return NOTE_TEST.slice(i + 9, NOTE_TEST.indexOf('`', i + 9));
}

/** The vectors of golang.org/x/mod/sumdb/note note_test.go. */
export const goNote = {
  peterKey: goString('peterKey'),
  enochKey: goString('enochKey'),
  peterSkey: goString('skey'),
  /** TestOpen's text (a raw string in the file; it equals TestSign's text). */
  text: "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n",
  peterSig: goString('peterSig'),
  enochSig: goString('enochSig'),
  /** TestSign's expected signed note. */
  signed: goWant(),
  /** The two hand-made bad keys at the end of TestNewVerifier. */
  badKeys: [...NOTE_TEST.matchAll(/badKey\("([^"]+)"\)/g)].map((m) => m[1]!),
  source: NOTE_TEST,
};

/** The first fenced code block of a C2SP spec, with a final newline. */
function firstBlock(md: string): string {
  const i = md.indexOf('```\n');
  return md.slice(i + 4, md.indexOf('```', i + 4));
}

const COSIGNATURE_MD = read('c2sp/tlog-cosignature.md');

/** Examples of the stored C2SP specifications. */
export const c2sp = {
  /** tlog-checkpoint.md: a signed checkpoint. */
  checkpointNote: firstBlock(read('c2sp/tlog-checkpoint.md')),
  /** tlog-cosignature.md: the same checkpoint with a witness cosignature. */
  cosignedNote: firstBlock(COSIGNATURE_MD),
  /** tlog-cosignature.md: the Ed25519 signed message, de-indented (4 spaces), with its final newline. */
  cosignatureMessage: (() => {
    const i = COSIGNATURE_MD.indexOf('    cosignature/v1\n');
    const end = COSIGNATURE_MD.indexOf('\n\n', i);
    return `${COSIGNATURE_MD.slice(i, end).split('\n').map((l) => l.slice(4)).join('\n')}\n`;
  })(),
  /** signed-note.md: a note by an unpublished key, with an empty line inside its text. */
  quasimodoNote: firstBlock(read('c2sp/signed-note.md')),
};

interface TlogScales {
  signedNoteExample: { vkey: string; publicKeyHex: string; text: string; signatureLine: string };
  plusInBase64Vkey: string;
  realCheckpoint: { note: string; logVkey: string; witnessVkey: string };
}

/** The values quoted by florolf/tlog-scales tests/test_signing.py. */
export const tlogScales = JSON.parse(read('c2sp/tlog-scales-vectors.json')) as TlogScales;

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const fromUtf8 = (b: Uint8Array): string => new TextDecoder().decode(b);
