/**
 * Signed notes (C2SP signed-note; Go's golang.org/x/mod/sumdb/note): a text signed by one
 * or more keys. Checkpoints and cosignatures are signed notes.
 *
 *     ┌──────────────────────────────────────────┐
 *     │ text line 1\n                            │  text: any lines, ending in "\n";
 *     │ text line 2\n                            │  may contain empty lines
 *     │ \n                                       │  the LAST empty line separates
 *     │ — <key name> <base64(keyhash ‖ sig)>\n   │  1..100 signature lines:
 *     │ — <key name> <base64(keyhash ‖ sig)>\n   │  U+2014 EM DASH, space, name, space,
 *     └──────────────────────────────────────────┘  base64 of 4-byte key hash + signature
 *
 * The whole note is UTF-8 without control characters other than newline. Each signature
 * signs the text's UTF-8 bytes, final newline included, separating empty line excluded.
 *
 * `openNote` outcomes, checked in this order (Go's note.Open, made stricter where marked):
 * - not valid UTF-8, a control character, over 1 MiB, no "\n\n", signature block not
 *   ending in "\n", a line not of the form above, a key name with a space or "+", base64
 *   that is not canonical (stricter), fewer than 5 decoded bytes, more than 100 lines →
 *   `CanopyError('NOTE_MALFORMED')`;
 * - two signature lines with the same key name and key hash → NOTE_MALFORMED (stricter:
 *   Go drops repeats; rejecting them means no signature can be counted twice);
 * - a line from a known key (name and hash match a verifier) that does not verify →
 *   `InvalidSignatureError` (code SIGNATURE_INVALID) naming the key;
 * - lines from unknown keys are kept, unverified, in `unverifiedSigs`;
 * - no line verified by a known key → `UnverifiedNoteError` (code NOTE_UNVERIFIED), which
 *   carries the parsed note.
 * @module
 */
import { assertArray, assertInteger, assertString, describe, rangeError, typeError } from '../assert.ts';
import { CanopyError } from '../errors.ts';
import { base64Decode, base64Encode } from './_base64.ts';
import { firstBadNoteChar, fromUtf8, isValidKeyName, NOTE_MAX_BYTES, utf8 } from './_text.ts';
import { assertKeyName, formatKeyHash, type NoteSigner, type NoteVerifier } from './note-key.ts';

/** Most signature lines a note may carry (Go's limit; C2SP requires accepting at least 16). */
export const NOTE_MAX_SIGNATURES = 100;

/** Start of every signature line: U+2014 EM DASH and a space. */
export const NOTE_SIGNATURE_PREFIX = '\u2014 ';

/** A signature line of a note, verified or not. */
export interface NoteSignature {
  /** Key name. */
  name: string;
  /** Key hash (key ID), a uint32. */
  keyHash: number;
  /** The base64 of key hash ‖ signature, exactly as in the line. */
  base64: string;
}

/** An opened note: its text and its signatures. Plain, JSON-safe data. */
export interface Note {
  /** The signed text, ending in "\n". */
  text: string;
  /** Signatures verified by a known key, in note order. */
  sigs: NoteSignature[];
  /** Signatures by keys the verifier list does not know, in note order. */
  unverifiedSigs: NoteSignature[];
}

/** A signature by a known key failed to verify. Names the key. */
export class InvalidSignatureError extends CanopyError {
  readonly keyName: string;
  readonly keyHash: number;
  constructor(keyName: string, keyHash: number) {
    super('SIGNATURE_INVALID', `invalid signature for key ${keyName}+${formatKeyHash(keyHash)}`);
    this.name = 'InvalidSignatureError';
    this.keyName = keyName;
    this.keyHash = keyHash;
  }
}

/** The note parsed, but no known key signed it. Carries the parsed note. */
export class UnverifiedNoteError extends CanopyError {
  readonly note: Note;
  constructor(note: Note) {
    super('NOTE_UNVERIFIED', 'note has no verifiable signatures');
    this.name = 'UnverifiedNoteError';
    this.note = note;
  }
}

/**
 * Opens a signed note: parses it, verifies the signatures of known keys, and keeps the
 * others as unverified. See the module comment for every outcome.
 * @param msg - the note (attacker-controlled), as a string or as UTF-8 bytes
 * @param verifiers - the known keys; (name, key hash) pairs must be distinct
 * @returns the note, with at least one verified signature
 * @throws {TypeError|RangeError} if `msg` is not a string or bytes or `verifiers` is malformed;
 *   {CanopyError} NOTE_MALFORMED if the note is malformed;
 *   {InvalidSignatureError} if a known key's signature fails;
 *   {UnverifiedNoteError} if no known key signed it
 * @example openNote(checkpointNote, [noteVerifier(logKey)]).text
 */
export function openNote(msg: string | Uint8Array, verifiers: readonly NoteVerifier[]): Note {
  const known = verifierMap(verifiers);
  const malformed = (why: string): never => {
    throw new CanopyError('NOTE_MALFORMED', `malformed note: ${why}`);
  };
  let s: string;
  if (typeof msg === 'string') {
    // UTF-8 never takes fewer bytes than UTF-16 code units, so this bounds the work below.
    if (msg.length > NOTE_MAX_BYTES) malformed(`longer than ${NOTE_MAX_BYTES} bytes`);
    s = msg;
  } else if (msg instanceof Uint8Array) {
    if (msg.length > NOTE_MAX_BYTES) malformed(`longer than ${NOTE_MAX_BYTES} bytes`);
    s = fromUtf8(msg) ?? malformed('not valid UTF-8');
  } else {
    return typeError('msg', 'string or Uint8Array', msg);
  }
  const bad = firstBadNoteChar(s);
  if (bad >= 0) malformed(`control character or lone surrogate at offset ${bad}`);
  if (typeof msg === 'string' && utf8(s).length > NOTE_MAX_BYTES) malformed(`longer than ${NOTE_MAX_BYTES} bytes`);

  // The text ends at the last empty line; the signature block follows it.
  const split = s.lastIndexOf('\n\n');
  if (split < 0) malformed('no empty line before the signatures');
  const text = s.slice(0, split + 1);
  const block = s.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) malformed('signature block does not end in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > NOTE_MAX_SIGNATURES) malformed(`more than ${NOTE_MAX_SIGNATURES} signatures`);

  const textBytes = utf8(text);
  const note: Note = { text, sigs: [], unverifiedSigs: [] };
  const seen = new Set<string>();
  for (const line of lines) {
    const sig = parseSignatureLine(line) ?? malformed(`bad signature line ${describe(line)}`);
    const key = mapKey(sig.name, sig.keyHash);
    if (seen.has(key)) malformed(`two signatures by key ${sig.name}+${formatKeyHash(sig.keyHash)}`);
    seen.add(key);
    const v = known.get(key);
    const entry = { name: sig.name, keyHash: sig.keyHash, base64: sig.base64 };
    if (v === undefined) {
      note.unverifiedSigs.push(entry);
      continue;
    }
    if (v.verify(textBytes, sig.signature) !== true) throw new InvalidSignatureError(sig.name, sig.keyHash);
    note.sigs.push(entry);
  }
  if (note.sigs.length === 0) throw new UnverifiedNoteError(note);
  return note;
}

/**
 * Signs a note text with `signers` and returns the signed note. Given an opened `Note`,
 * keeps its signatures (verified, then unverified) ahead of the new ones, dropping any by a
 * key that signs again, so a witness can add its cosignature to a log's checkpoint.
 * @param note - the text (ending in "\n", no control characters but "\n"), or an opened note
 * @param signers - keys to sign with, distinct (name, key hash) pairs
 * @throws {TypeError|RangeError} if the text, a signer or the result's size or signature count
 *   is invalid; {CanopyError} NOTE_MALFORMED if a kept signature is malformed
 * @example signNote('example.com/log\n1\nbjQL…=\n', [noteSigner(skey)])
 */
export function signNote(note: string | Note, signers: readonly NoteSigner[]): string {
  let text: unknown;
  let existing: NoteSignature[] = [];
  if (typeof note === 'string') {
    text = note;
  } else if (typeof note === 'object' && note !== null) {
    text = note.text;
    assertArray(note.sigs, 'note.sigs', 0, NOTE_MAX_SIGNATURES);
    assertArray(note.unverifiedSigs, 'note.unverifiedSigs', 0, NOTE_MAX_SIGNATURES);
    existing = [...note.sigs, ...note.unverifiedSigs];
  } else {
    typeError('note', 'string or Note', note);
  }
  assertNoteText(text, typeof note === 'string' ? 'note' : 'note.text');
  assertArray(signers, 'signers', 0, NOTE_MAX_SIGNATURES);

  const textBytes = utf8(text);
  const fresh = new Set<string>();
  const newLines: string[] = [];
  for (let i = 0; i < signers.length; i++) {
    const s = signers[i] as NoteSigner | undefined;
    if (typeof s !== 'object' || s === null || typeof s.sign !== 'function') typeError(`signers[${i}]`, 'NoteSigner', s);
    assertKeyName(s.name, `signers[${i}].name`);
    assertInteger(s.keyHash, `signers[${i}].keyHash`, 0, 0xffffffff);
    const key = mapKey(s.name, s.keyHash);
    if (fresh.has(key)) rangeError('signers', 'distinct keys', `${s.name}+${formatKeyHash(s.keyHash)} twice`);
    fresh.add(key);
    const sig: unknown = s.sign(textBytes);
    if (!(sig instanceof Uint8Array) || sig.length === 0) typeError(`signers[${i}].sign()`, 'non-empty Uint8Array', sig);
    const raw = new Uint8Array(4 + sig.length);
    new DataView(raw.buffer).setUint32(0, s.keyHash);
    raw.set(sig, 4);
    newLines.push(`${NOTE_SIGNATURE_PREFIX}${s.name} ${base64Encode(raw)}\n`);
  }

  const kept: string[] = [];
  const keptKeys = new Set<string>();
  for (const sig of existing) {
    if (typeof sig !== 'object' || sig === null) typeError('note.sigs', 'NoteSignature objects', sig);
    // A signature being replaced is dropped unread, as in Go's note.Sign.
    if (typeof sig.name === 'string' && typeof sig.keyHash === 'number' && fresh.has(mapKey(sig.name, sig.keyHash))) continue;
    const line = keptSignatureLine(sig);
    const key = mapKey(sig.name, sig.keyHash);
    if (keptKeys.has(key)) throw new CanopyError('NOTE_MALFORMED', `malformed note: two signatures by key ${sig.name}+${formatKeyHash(sig.keyHash)}`);
    keptKeys.add(key);
    kept.push(line);
  }
  const count = kept.length + newLines.length;
  if (count === 0) rangeError('signers', 'at least one signature in the result', signers);
  if (count > NOTE_MAX_SIGNATURES) rangeError('signers', `at most ${NOTE_MAX_SIGNATURES} signatures in the result`, count);
  const out = `${text}\n${kept.join('')}${newLines.join('')}`;
  if (utf8(out).length > NOTE_MAX_BYTES) rangeError('note', `a signed note of at most ${NOTE_MAX_BYTES} bytes`, out.length);
  return out;
}

/**
 * Checks a note text: a string of at most 1 MiB ending in "\n", with no control character
 * other than "\n" and no lone surrogate.
 * @throws {TypeError} if not a string; {RangeError} if it breaks a rule
 * @example assertNoteText('hello\n', 'text')
 */
export function assertNoteText(text: unknown, title: string): asserts text is string {
  assertString(text, title, NOTE_MAX_BYTES);
  if (!text.endsWith('\n')) rangeError(title, 'text ending in a newline', text);
  const bad = firstBadNoteChar(text);
  if (bad >= 0) rangeError(title, `text without control characters (offset ${bad})`, text);
  if (utf8(text).length > NOTE_MAX_BYTES) rangeError(title, `text of at most ${NOTE_MAX_BYTES} bytes`, text);
}

/** Parses "— <name> <base64>" into its parts, or null if it is not a valid signature line. */
function parseSignatureLine(line: string): { name: string; keyHash: number; base64: string; signature: Uint8Array } | null {
  if (!line.startsWith(NOTE_SIGNATURE_PREFIX)) return null;
  const rest = line.slice(NOTE_SIGNATURE_PREFIX.length);
  const sp = rest.indexOf(' ');
  if (sp < 0) return null;
  const name = rest.slice(0, sp);
  const b64 = rest.slice(sp + 1);
  if (!isValidKeyName(name) || b64.length === 0) return null;
  const raw = base64Decode(b64);
  if (raw === null || raw.length < 5) return null;
  const keyHash = new DataView(raw.buffer, raw.byteOffset, 4).getUint32(0);
  return { name, keyHash, base64: b64, signature: raw.subarray(4) };
}

/** The line of a signature kept from an opened note, after re-checking it. */
function keptSignatureLine(sig: NoteSignature): string {
  const malformed = (): never => {
    throw new CanopyError('NOTE_MALFORMED', `malformed note: kept signature ${describe(sig.name)} is not valid`);
  };
  if (typeof sig.name !== 'string' || typeof sig.base64 !== 'string') malformed();
  const line = `${NOTE_SIGNATURE_PREFIX}${sig.name} ${sig.base64}`;
  const parsed = parseSignatureLine(line);
  // The stated key hash must be the one inside the signature bytes.
  if (parsed === null || parsed.keyHash !== sig.keyHash) malformed();
  return `${line}\n`;
}

/** Indexes the verifiers by (name, key hash), rejecting malformed entries and duplicates. */
function verifierMap(verifiers: readonly NoteVerifier[]): Map<string, NoteVerifier> {
  assertArray(verifiers, 'verifiers', 0, 10_000);
  const map = new Map<string, NoteVerifier>();
  for (let i = 0; i < verifiers.length; i++) {
    const v = verifiers[i] as NoteVerifier | undefined;
    if (typeof v !== 'object' || v === null || typeof v.verify !== 'function') typeError(`verifiers[${i}]`, 'NoteVerifier', v);
    assertKeyName(v.name, `verifiers[${i}].name`);
    assertInteger(v.keyHash, `verifiers[${i}].keyHash`, 0, 0xffffffff);
    const key = mapKey(v.name, v.keyHash);
    // Two verifiers for one (name, hash) would make the outcome depend on list order.
    if (map.has(key)) rangeError('verifiers', 'distinct (name, key hash) pairs', `${v.name}+${formatKeyHash(v.keyHash)} twice`);
    map.set(key, v);
  }
  return map;
}

/** A map key for (name, key hash); the fixed-width hash first keeps it unambiguous. */
function mapKey(name: string, keyHash: number): string {
  return `${formatKeyHash(keyHash)}+${name}`;
}
