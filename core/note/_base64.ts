/**
 * Standard base64 with padding (RFC 4648 §4), strict (internal to `core/note`).
 *
 * Decoding accepts only the canonical encoding: the alphabet A–Z a–z 0–9 + /, length a
 * multiple of 4, "=" only as final padding, and zero bits in the unused low bits of the
 * last symbol. The last rule matters for signed notes: with it, every byte of a signature
 * line changes the decoded signature, so no altered line can still verify. (Go's
 * encoding/base64 StdEncoding, used by x/mod/sumdb/note, is not strict about those bits.)
 * Implemented here rather than with Buffer or atob so that the core runs anywhere and the
 * rules are visible.
 * @module
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/**
 * Encodes bytes as padded standard base64.
 * @example base64Encode(new Uint8Array([0xfb])) // '+w=='
 */
export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + '=';
  }
  return out;
}

/**
 * Decodes canonical padded standard base64; null if `text` is not exactly that.
 * @example base64Decode('+x==') // null: the unused bits are not zero
 */
export function base64Decode(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  let pad = 0;
  if (text.endsWith('==')) pad = 2;
  else if (text.endsWith('=')) pad = 1;
  const body = text.length - pad;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < body; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? DECODE[c]! : -1;
    if (v < 0) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
      acc &= (1 << bits) - 1;
    }
  }
  // Canonical: the bits left over after the last full byte must be zero.
  if (acc !== 0 || o !== out.length) return null;
  return out;
}
