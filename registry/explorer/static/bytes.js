// @ts-check
/**
 * Byte encodings the explorer reads and writes: strict standard base64 (RFC 4648 §4, padded,
 * canonical: decoding must round-trip, as core/note/_base64.ts requires, so no two strings
 * decode to the same bytes), lowercase hex, UTF-8.
 * @module
 */

/** @typedef {Uint8Array<ArrayBuffer>} Bytes */

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Encodes bytes as padded standard base64.
 * @param {Uint8Array} bytes
 * @returns {string}
 * @example base64Encode(new Uint8Array([0xfb])) // '+w=='
 * @throws never
 */
export function base64Encode(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * Decodes canonical padded standard base64; null for anything else (attacker-controlled input).
 * @param {string} text
 * @returns {Bytes | null}
 * @example base64Decode('+w==') // Uint8Array [0xfb]; base64Decode('+x==') // null (non-zero padding bits)
 * @throws never (null for malformed input)
 */
export function base64Decode(text) {
  if (typeof text !== 'string' || !B64.test(text)) return null;
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return base64Encode(out) === text ? out : null;
}

/**
 * Lowercase hex.
 * @param {Uint8Array} bytes
 * @returns {string}
 * @example hex(new Uint8Array([1, 171])) // '01ab'
 * @throws never
 */
export function hex(bytes) {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * UTF-8 bytes of a string.
 * @param {string} text
 * @returns {Bytes}
 * @example utf8('—') // Uint8Array [0xe2, 0x80, 0x94]
 * @throws never
 */
export function utf8(text) {
  return new TextEncoder().encode(text);
}

/**
 * Concatenation of byte arrays.
 * @param {...Uint8Array} parts
 * @returns {Bytes}
 * @example concat(new Uint8Array([1]), new Uint8Array([2])) // [1, 2]
 * @throws never
 */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Whether two byte arrays are equal.
 * @param {Uint8Array} a
 * @param {Uint8Array} b
 * @example bytesEqual(a, a.slice()) // true
 * @throws never
 */
export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
