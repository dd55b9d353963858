/**
 * Byte strings packed into BN254 field elements, 31 bytes per element, so a circuit can
 * take a byte string (a tile's pixels, a digest) as a few signals instead of one per byte.
 *
 * Layout of n bytes b[0..n) in k = ceil(n / 31) elements e[0..k):
 *
 *     e[i] = Σ_{j=0}^{30} b[31·i + j] · 256^j        (a byte at index ≥ n reads as 0)
 *
 *     bytes     b0 b1 … b30 | b31 b32 … b61 | … | b31(k−1) … b(n−1) 00 … 00
 *     element   e0          | e1            | … | e(k−1)
 *
 * - chunk i holds the bytes [31·i, 31·i + 31), a half-open range;
 * - within a chunk the order is little-endian: byte j has weight 256^j, so a circuit's
 *   `Num2Bits(248)` on e[i] yields byte j as bits [8j, 8j + 8), with no reordering;
 * - a final partial chunk is padded with zero bytes at its high end.
 *
 * Invariant: every element is < 2^248 < r (r ≈ 2^253.6), so packing never wraps modulo r
 * and the packing of one length is injective.
 *
 * Length binding: the zero padding means `b` and `b ‖ 0x00` pack alike whenever the extra
 * zero falls in the last chunk. `packBytes` is therefore only for layouts whose length is
 * fixed by context (a tile always has tileSize² pixels). Where the length varies, use
 * `packBytesWithLength`, which puts n first: [n, e0, …, e(k−1)]. Two inputs of different
 * lengths then differ in the first element, and inputs of one length in some e[i].
 *
 * Not to be confused with domain tags (`domain.ts`), which read short ASCII names
 * big-endian; the two encodings never meet.
 * @module
 */
import { assertArray, assertBigintInRange, assertBytes, assertInteger, rangeError } from './assert.ts';

/** Bytes per field element: the most whole bytes below r (256^31 = 2^248 < r < 2^256). */
export const PACK_BYTES_PER_ELEMENT = 31;

/** Exclusive bound of a packed element: 2^248. */
const ELEMENT_BOUND = 1n << 248n;

// Two lowercase hex digits per byte value, so a chunk becomes one BigInt('0x…') call.
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Number of elements that hold `byteLength` bytes: ceil(byteLength / 31).
 * @param byteLength - a non-negative safe integer
 * @throws {TypeError} if not a safe integer; {RangeError} if negative
 * @example packedLength(256) // 9
 */
export function packedLength(byteLength: number): number {
  assertInteger(byteLength, 'byteLength', 0);
  return Math.ceil(byteLength / PACK_BYTES_PER_ELEMENT);
}

/**
 * Packs `bytes` into ceil(n / 31) elements, little-endian within each 31-byte chunk.
 * For fixed-length layouts only; see the module doc on length binding.
 * @param bytes - any byte string; the empty string packs to []
 * @returns elements, each in [0, 2^248)
 * @throws {TypeError} if `bytes` is not a Uint8Array
 * @example packBytes(Uint8Array.of(1, 2)) // [0x0201n] = [513n]
 */
export function packBytes(bytes: Uint8Array): bigint[] {
  assertBytes(bytes, 'bytes');
  const out: bigint[] = [];
  for (let start = 0; start < bytes.length; start += PACK_BYTES_PER_ELEMENT) {
    const end = Math.min(start + PACK_BYTES_PER_ELEMENT, bytes.length);
    // Hex is written most significant first, so walk the chunk from its last byte down.
    let hex = '0x';
    for (let j = end - 1; j >= start; j--) hex += HEX[bytes[j]!];
    out.push(BigInt(hex));
  }
  return out;
}

/**
 * Inverse of `packBytes` for a known length. Strict: exactly packedLength(byteLength)
 * elements, each < 2^248, and the padding bytes past `byteLength` in the last element
 * must be zero, so that every accepted input is the packing of exactly one byte string.
 * @param elements - attacker-controlled packed elements
 * @param byteLength - the length the layout fixes
 * @throws {TypeError} if an argument has the wrong type
 * @throws {RangeError} if the element count is wrong, an element is outside [0, 2^248),
 *   or a padding byte is non-zero
 * @example unpackBytes([513n], 2) // Uint8Array [1, 2]
 */
export function unpackBytes(elements: readonly bigint[], byteLength: number): Uint8Array {
  const k = packedLength(byteLength);
  assertArray(elements, 'elements', k, k);
  return unpackFrom(elements, 0, byteLength);
}

// Unpacks `byteLength` bytes from elements[first..], naming each element by its index in
// `elements`. The caller has checked that exactly packedLength(byteLength) elements follow.
function unpackFrom(elements: readonly bigint[], first: number, byteLength: number): Uint8Array {
  const out = new Uint8Array(byteLength);
  for (let i = 0; i * PACK_BYTES_PER_ELEMENT < byteLength; i++) {
    const title = `elements[${first + i}]`;
    const e = elements[first + i];
    assertBigintInRange(e, title, 0n, ELEMENT_BOUND);
    const start = i * PACK_BYTES_PER_ELEMENT;
    const width = Math.min(PACK_BYTES_PER_ELEMENT, byteLength - start);
    // Only the last chunk can be partial; its bytes at [width, 31) are padding and must be 0.
    if (width < PACK_BYTES_PER_ELEMENT && e >> BigInt(8 * width) !== 0n) {
      rangeError(title, `bigint in [0, 2^${8 * width}) (bytes past byte length ${byteLength} must be zero)`, e);
    }
    const hex = e.toString(16).padStart(2 * PACK_BYTES_PER_ELEMENT, '0');
    // Byte j of the chunk is the j-th hex pair counted from the right (little-endian).
    for (let j = 0; j < width; j++) {
      const at = hex.length - 2 * (j + 1);
      out[start + j] = parseInt(hex.slice(at, at + 2), 16);
    }
  }
  return out;
}

/**
 * Packs a byte string of any length with its length first: [n, ...packBytes(bytes)].
 * Injective over all byte strings (see the module doc), so it is the form to hash when
 * the length is not fixed by the layout.
 * @throws {TypeError} if `bytes` is not a Uint8Array
 * @example packBytesWithLength(Uint8Array.of(1, 0)) // [2n, 1n] (packBytes gives [1n] for both [1] and [1, 0])
 */
export function packBytesWithLength(bytes: Uint8Array): bigint[] {
  assertBytes(bytes, 'bytes');
  return [BigInt(bytes.length), ...packBytes(bytes)];
}

/**
 * Inverse of `packBytesWithLength`. Strict: the length element must be a byte count whose
 * packing needs exactly the remaining elements, and those must unpack strictly.
 * @param elements - attacker-controlled: [n, e0, …, e(k−1)]
 * @throws {TypeError} if `elements` is not an array or holds a non-bigint
 * @throws {RangeError} if it is empty, the length disagrees with the element count, an
 *   element is outside [0, 2^248), or a padding byte is non-zero
 * @example unpackBytesWithLength([2n, 1n]) // Uint8Array [1, 0]
 */
export function unpackBytesWithLength(elements: readonly bigint[]): Uint8Array {
  assertArray(elements, 'elements', 1);
  const k = elements.length - 1;
  // Bound the length by what k elements can hold before turning it into a number, so a
  // huge claimed length is an error and never an allocation.
  const max = k * PACK_BYTES_PER_ELEMENT;
  assertBigintInRange(elements[0], 'elements[0]', 0n, BigInt(max) + 1n);
  const n = Number(elements[0]);
  if (packedLength(n) !== k) rangeError('elements[0]', `byte length needing ${k} elements, in [${Math.max(0, max - 30)}, ${max}]`, elements[0]);
  return unpackFrom(elements, 1, n);
}
