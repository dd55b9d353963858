/**
 * TIFF LZW decoding (internal to `prover/dataset`), TIFF 6.0 §13 as libtiff and GDAL
 * write it: codes packed most significant bit first, 256 = Clear, 257 = EndOfInformation,
 * strings from 258, code width 9..12 bits widening with the "early change" (after adding
 * a string, the width grows when the next free code + 1 reaches 2^width).
 *
 * Why not the `geotiff` package's decoder: it builds a JavaScript array per code and per
 * output byte, about 100 ns per pixel, which for the two layers of a 40000 × 40000 granule
 * is minutes of one core; this one runs at a few ns per byte.
 *
 * How: every string in the table is a substring of the output already written — a new
 * entry is the previous code's string plus the first byte of the current one, and those
 * lie side by side in the output — so an entry is kept as (offset, length) into the
 * output and decoding a code is a copy from earlier output. Invariant: offset + length ≤
 * the position being written, so the copy never reads bytes it has not written, except
 * for the code being defined (KwKwK), whose forward byte-by-byte copy is exactly the
 * string it stands for.
 *
 * Tolerance, as libtiff: a strip may end without EOI (decoding stops at the end of the
 * data); decoding also stops when the output is full. The caller checks the length.
 * @module
 */

const CLEAR = 256;
const EOI = 257;
const FIRST_FREE = 258;
const MAX_CODES = 4096;

/**
 * Why a strip could not be decoded; the strip reader wraps it with the strip's number.
 * @example try { lzwDecode(strip, out); } catch (e) { if (e instanceof LzwDecodeError) … }
 */
export class LzwDecodeError extends Error {}

/**
 * Decodes one LZW strip into `out`.
 * @param input - the strip as stored
 * @param out - where the bytes go; decoding stops when it is full
 * @returns the number of bytes written
 * @throws {LzwDecodeError} for a code the table does not hold yet, a table growing past
 *   4096 entries without Clear, or an old-style (pre-TIFF 6.0, LSB-first) stream
 * @example lzwDecode(strip, new Uint8Array(width)) === width
 */
export function lzwDecode(input: Uint8Array, out: Uint8Array): number {
  const n = input.length;
  // libtiff's test for the pre-6.0 bit order: a first code of Clear written LSB-first.
  if (n >= 2 && input[0] === 0 && (input[1]! & 0x1) !== 0) throw new LzwDecodeError('old-style (LSB-first) LZW is not supported');
  const offsets = new Int32Array(MAX_CODES);
  const lengths = new Int32Array(MAX_CODES);
  const end = out.length;
  let ip = 0;
  // Bit reader: `bits` unread bits in the low end of `acc` (< 8 + 12 between reads).
  let acc = 0;
  let bits = 0;
  let width = 9;
  let free = FIRST_FREE;
  let pos = 0;
  // The previous code's string in the output, or prevLength 0 right after a Clear.
  let prevOffset = 0;
  let prevLength = 0;
  for (;;) {
    while (bits < width) {
      if (ip >= n) return pos; // no EOI: end of data
      acc = ((acc << 8) | input[ip++]!) & 0xfffff;
      bits += 8;
    }
    bits -= width;
    const code = (acc >>> bits) & ((1 << width) - 1);
    if (code === EOI) return pos;
    if (code === CLEAR) {
      width = 9;
      free = FIRST_FREE;
      prevLength = 0;
      continue;
    }
    let length: number;
    if (code < 256) {
      if (pos >= end) return pos;
      out[pos] = code;
      length = 1;
    } else if (code < free && code >= FIRST_FREE) {
      length = lengths[code]!;
      const from = offsets[code]!;
      if (pos + length > end) length = end - pos;
      if (length > 32) out.copyWithin(pos, from, from + length);
      else for (let i = 0; i < length; i++) out[pos + i] = out[from + i]!;
    } else if (code === free && prevLength > 0) {
      // KwKwK: the previous string and its own first byte; prevOffset + prevLength = pos.
      length = prevLength + 1;
      if (pos + length > end) length = end - pos;
      for (let i = 0; i < length; i++) out[pos + i] = out[prevOffset + i]!;
    } else {
      throw new LzwDecodeError(`code ${code} at byte ${ip} with ${free} table entries`);
    }
    if (prevLength > 0) {
      if (free >= MAX_CODES) throw new LzwDecodeError(`table past ${MAX_CODES} entries without Clear at byte ${ip}`);
      offsets[free] = prevOffset;
      lengths[free] = prevLength + 1;
      free++;
      if (free + 1 >= 1 << width && width < 12) width++;
    }
    prevOffset = pos;
    prevLength = length;
    pos += length;
    if (pos >= end) return pos;
  }
}
