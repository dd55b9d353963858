/**
 * Text rules shared by signed notes and checkpoints (internal to `core/note`).
 *
 * C2SP signed-note: a note is valid UTF-8 and holds no ASCII control character (below
 * U+0020) other than newline. In JavaScript a string is UTF-16, so "valid UTF-8" means a
 * string with no lone surrogate (which would not survive encoding); bytes from the wire
 * are decoded with a fatal decoder that also keeps a leading byte-order mark as U+FEFF, so
 * that decoding never changes what was signed.
 * @module
 */

/** Largest signed note, in UTF-8 bytes, that Canopy reads or writes: 1 MiB. */
export const NOTE_MAX_BYTES = 1 << 20;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * UTF-8 bytes of a well-formed string (callers check for lone surrogates first).
 * @example utf8('—') // Uint8Array [0xe2, 0x80, 0x94]
 */
export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/**
 * The string of strict UTF-8 bytes, or null if they are not valid UTF-8.
 * @example fromUtf8(new Uint8Array([0xff])) // null
 */
export function fromUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Index of the first character a note may not contain: a control character other than
 * newline, or half of a surrogate pair standing alone. −1 if there is none.
 * @example firstBadNoteChar('a\tb\n') // 1
 */
export function firstBadNoteChar(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return i;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return i;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return i;
    }
  }
  return -1;
}

/** Unicode White_Space, the set Go's unicode.IsSpace tests (Latin-1 spaces, NEL and Z*). */
const WHITE_SPACE = /\p{White_Space}/u;

/**
 * Whether `name` is a valid key name (C2SP signed-note): non-empty, no Unicode space, no
 * "+", and (for a note) no control character or lone surrogate.
 * @example isValidKeyName('example.com/log') // true
 */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !name.includes('+') && !WHITE_SPACE.test(name) && firstBadNoteChar(name) < 0;
}
