/**
 * Checkpoints (C2SP tlog-checkpoint): the note text a log signs to commit to its tree head,
 * with Canopy's two extension lines carrying the roots of its Poseidon trees.
 *
 *     ┌──────────────────────────────────────────────────────┐
 *     │ registry.example/canopy\n                            │  origin: non-empty line
 *     │ 20852163\n                                           │  tree size: decimal, no leading
 *     │                                                      │  zeros ("0" for the empty tree)
 *     │ CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n       │  root hash: base64 of 32 bytes
 *     │ canopy-lots-root 1234…\n                             │  Canopy extension lines, both or
 *     │ canopy-plots-root 5678…\n                            │  neither, in this order
 *     │ other extension line\n                               │  other extension lines, kept
 *     └──────────────────────────────────────────────────────┘
 *
 * Canopy extension lines: "canopy-lots-root " and "canopy-plots-root " followed by the root
 * of the lots tree and of the plots tree as canonical decimal BN254 field elements (the
 * snarkjs encoding, `core/field.ts`). They sit right after the root hash, so a reader finds
 * them at fixed positions. Any other line starting with "canopy-" is reserved and rejected.
 * The log signs these lines with the checkpoint, and cosignatures cover them (C2SP
 * cosignature/v1 signs the whole text), but a witness only vouches for the first three
 * lines: the Poseidon roots are the log's statement, checked by auditors who replay it.
 *
 * Parsing is strict and canonical, so `formatCheckpoint(parseCheckpoint(t)) === t` for every
 * accepted t: the size must equal its re-formatted value (no "+", "0x", leading zeros or
 * exponent) and be at most 2^51; the root must be canonical base64 of exactly 32 bytes;
 * every line is non-empty; the text ends in "\n" and holds no control character. Unlike
 * Go's tlog.ParseTree, trailing text that is not a full line is an error, not ignored.
 * @module
 */
import { assertArray, assertString, describe, rangeError, typeError } from '../assert.ts';
import { CanopyError } from '../errors.ts';
import { fieldToString, parseField } from '../field.ts';
import { assertHash, type Hash, HASH_SIZE } from '../tlog/hash.ts';
import { assertTreeSize, TLOG_MAX_SIZE } from '../tlog/tree-size.ts';
import { base64Decode, base64Encode } from './_base64.ts';
import { firstBadNoteChar } from './_text.ts';
import { assertNoteText } from './signed-note.ts';

/** Prefix of the extension line carrying the lots tree root. */
export const CANOPY_LOTS_ROOT_PREFIX = 'canopy-lots-root ';

/** Prefix of the extension line carrying the plots tree root. */
export const CANOPY_PLOTS_ROOT_PREFIX = 'canopy-plots-root ';

/** Extension lines starting with this are Canopy's; only the two above are defined. */
export const CANOPY_EXTENSION_PREFIX = 'canopy-';

/** Most extension lines a checkpoint may carry besides Canopy's. */
export const CHECKPOINT_MAX_EXTENSIONS = 64;

/** The Poseidon roots of the registry's lots and plots trees at the checkpoint. */
export interface CanopyRoots {
  /** Root of the lots tree, a field element in [0, r). */
  lots: bigint;
  /** Root of the plots tree, a field element in [0, r). */
  plots: bigint;
}

/**
 * A parsed checkpoint. Its JSON-safe form is the checkpoint text itself
 * (`formatCheckpoint`), which is also what is signed.
 */
export interface Checkpoint {
  /** Log identity, e.g. "registry.example/canopy". */
  origin: string;
  /** Number of entries in the log, in [0, 2^51]. */
  size: number;
  /** RFC 6962 root hash of the log at `size`. */
  rootHash: Hash;
  /** Canopy's Poseidon tree roots, or null for a checkpoint without them. */
  canopyRoots: CanopyRoots | null;
  /** Other extension lines, without their newlines, in order. */
  extensions: string[];
}

/**
 * The checkpoint's note text (to be signed with `signNote`).
 * @throws {TypeError|RangeError} if a field is malformed: empty origin or extension line, a
 *   newline or control character in a line, size out of [0, 2^51], root not 32 bytes, a root
 *   outside the field, an extension line starting with "canopy-"
 * @example formatCheckpoint({ origin: 'example.com/log', size: 1, rootHash, canopyRoots: null, extensions: [] })
 */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  if (typeof checkpoint !== 'object' || checkpoint === null) typeError('checkpoint', 'object', checkpoint);
  const c = checkpoint;
  assertLine(c.origin, 'checkpoint.origin');
  assertTreeSize(c.size, 'checkpoint.size');
  assertHash(c.rootHash, 'checkpoint.rootHash');
  const lines = [c.origin, String(c.size), base64Encode(c.rootHash)];
  if (c.canopyRoots !== null) {
    if (typeof c.canopyRoots !== 'object') typeError('checkpoint.canopyRoots', 'CanopyRoots or null', c.canopyRoots);
    lines.push(CANOPY_LOTS_ROOT_PREFIX + fieldToString(c.canopyRoots.lots, 'checkpoint.canopyRoots.lots'));
    lines.push(CANOPY_PLOTS_ROOT_PREFIX + fieldToString(c.canopyRoots.plots, 'checkpoint.canopyRoots.plots'));
  }
  assertArray(c.extensions, 'checkpoint.extensions', 0, CHECKPOINT_MAX_EXTENSIONS);
  for (let i = 0; i < c.extensions.length; i++) {
    const line = c.extensions[i];
    assertLine(line, `checkpoint.extensions[${i}]`);
    if (line.startsWith(CANOPY_EXTENSION_PREFIX)) {
      rangeError(`checkpoint.extensions[${i}]`, `a line not starting with "${CANOPY_EXTENSION_PREFIX}" (reserved)`, line);
    }
  }
  lines.push(...c.extensions);
  const text = `${lines.join('\n')}\n`;
  assertNoteText(text, 'checkpoint');
  return text;
}

/**
 * Parses a checkpoint note text (attacker-controlled; normally `openNote(…).text`).
 * @throws {TypeError} if `text` is not a string; {RangeError} if over 1 MiB;
 *   {CanopyError} CHECKPOINT_MALFORMED if it breaks any rule of the module comment
 * @example parseCheckpoint(openNote(msg, [logVerifier]).text).size
 */
export function parseCheckpoint(text: string): Checkpoint {
  assertString(text, 'text', 1 << 20);
  const malformed = (why: string): never => {
    throw new CanopyError('CHECKPOINT_MALFORMED', `malformed checkpoint: ${why}`);
  };
  if (!text.endsWith('\n')) malformed('text does not end in a newline');
  const bad = firstBadNoteChar(text);
  if (bad >= 0) malformed(`control character or lone surrogate at offset ${bad}`);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) malformed(`${lines.length} lines, need origin, size and root hash`);
  if (lines.length > 3 + 2 + CHECKPOINT_MAX_EXTENSIONS) malformed(`more than ${CHECKPOINT_MAX_EXTENSIONS} extension lines`);
  for (let i = 0; i < lines.length; i++) if (lines[i] === '') malformed(`line ${i + 1} is empty`);

  const [origin, sizeLine, rootLine] = lines as [string, string, string];
  // Canonical decimal only: the line must equal the re-formatted number.
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeLine)) malformed(`tree size ${describe(sizeLine)} is not a canonical decimal`);
  const size = Number(sizeLine);
  if (size > TLOG_MAX_SIZE || String(size) !== sizeLine) malformed(`tree size ${describe(sizeLine)} exceeds 2^51`);
  const rootHash = base64Decode(rootLine);
  if (rootHash === null || rootHash.length !== HASH_SIZE) malformed(`root hash ${describe(rootLine)} is not base64 of ${HASH_SIZE} bytes`);

  let rest = lines.slice(3);
  let canopyRoots: CanopyRoots | null = null;
  if (rest[0]?.startsWith(CANOPY_LOTS_ROOT_PREFIX)) {
    const plotsLine = rest[1];
    if (plotsLine === undefined || !plotsLine.startsWith(CANOPY_PLOTS_ROOT_PREFIX)) malformed('canopy-lots-root without canopy-plots-root after it');
    canopyRoots = {
      lots: parseRoot(rest[0].slice(CANOPY_LOTS_ROOT_PREFIX.length), 'lots', malformed),
      plots: parseRoot(plotsLine!.slice(CANOPY_PLOTS_ROOT_PREFIX.length), 'plots', malformed),
    };
    rest = rest.slice(2);
  }
  for (const line of rest) {
    if (line.startsWith(CANOPY_EXTENSION_PREFIX)) malformed(`unexpected or misplaced Canopy line ${describe(line)}`);
  }
  if (rest.length > CHECKPOINT_MAX_EXTENSIONS) malformed(`more than ${CHECKPOINT_MAX_EXTENSIONS} extension lines`);
  return { origin, size, rootHash: rootHash!, canopyRoots, extensions: rest };
}

/** Parses a canonical decimal field element from an extension line. */
function parseRoot(value: string, which: string, malformed: (why: string) => never): bigint {
  try {
    return parseField(value, `canopy-${which}-root`);
  } catch {
    return malformed(`canopy-${which}-root ${describe(value)} is not a canonical field element`);
  }
}

/** Checks a checkpoint line: a non-empty string without newline or control characters. */
function assertLine(value: unknown, title: string): asserts value is string {
  assertString(value, title, 1 << 16);
  if (value.length === 0) rangeError(title, 'non-empty line', value);
  if (firstBadNoteChar(value) >= 0 || value.includes('\n')) rangeError(title, 'line without newline or control characters', value);
}
