/**
 * Direct reads of a striped single-band uint8 TIFF (internal to `prover/dataset`): the
 * strips a window needs are read from the file in one positional read when they lie in
 * order (as every writer lays them out) and decoded here — none, LZW (`_lzw-decode.ts`),
 * Deflate (node:zlib) or PackBits, with or without the horizontal predictor — straight
 * into the window when it spans the full width.
 *
 * Why: the `geotiff` package's `readRasters` copies every pixel through a DataView getter
 * call and decodes LZW at about 100 ns a byte; for a 40000 × 40000 granule pair (3.2 GB
 * decoded) those two cost far more CPU than the rest of reading. Tiled files and other
 * encodings keep the package's path (`geotiff-source.ts` decides).
 *
 *     strip s holds rows [s·R, min((s + 1)·R, height)), R = RowsPerStrip,
 *     width · rows bytes once decoded, row-major
 *     Predictor 2 (8-bit): each byte is stored as the difference from its left neighbour
 *     within the row, undone by a running sum mod 256
 * @module
 */
import type { FileHandle } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { lzwDecode } from './_lzw-decode.ts';

/** Compression codes this reader decodes (TIFF 6.0 §3, Adobe Deflate, old Deflate, PackBits). */
const DECODERS = new Set([1, 5, 8, 32946, 32773]);

/** Where a striped raster's strips are and how they are encoded. */
export interface StripLayout {
  readonly width: number;
  readonly height: number;
  readonly rowsPerStrip: number;
  readonly compression: number;
  /** 1 = none, 2 = horizontal differencing. */
  readonly predictor: number;
  readonly offsets: readonly number[];
  readonly byteCounts: readonly number[];
}

/**
 * Whether `StripReader` decodes this layout: a compression above, predictor 1 or 2, and
 * one strip offset and byte count per strip.
 * @throws never
 * @example canReadStrips(layout) // true for Hansen's LZW, one row per strip
 */
export function canReadStrips(layout: StripLayout): boolean {
  const strips = Math.ceil(layout.height / layout.rowsPerStrip);
  return (
    DECODERS.has(layout.compression) &&
    (layout.predictor === 1 || layout.predictor === 2) &&
    layout.rowsPerStrip >= 1 &&
    layout.offsets.length === strips &&
    layout.byteCounts.length === strips &&
    layout.offsets.every((o) => Number.isSafeInteger(o) && o >= 0) &&
    layout.byteCounts.every((c) => Number.isSafeInteger(c) && c >= 0)
  );
}

/**
 * Why a strip could not be read or decoded; the caller names the file and rows.
 * @example await reader.read(0, 0, width, 64).catch((e) => e instanceof StripDecodeError)
 */
export class StripDecodeError extends Error {}

/**
 * Reads windows of a striped raster from an open file handle (see the module doc).
 * The caller validates windows and owns the handle.
 * @throws never from the constructor; `read` throws StripDecodeError
 * @example const pixels = await new StripReader(handle, layout).read(0, 0, layout.width, 64);
 */
export class StripReader {
  readonly #file: FileHandle;
  readonly #layout: StripLayout;
  /** A decoded strip, for windows that do not cover whole strips' rows or columns. */
  #scratch = new Uint8Array(0);

  constructor(file: FileHandle, layout: StripLayout) {
    this.#file = file;
    this.#layout = layout;
  }

  /**
   * The pixel window [col0, col0 + width) × [row0, row0 + height), row-major; the caller
   * has checked it lies inside the raster.
   * @throws {StripDecodeError} if a strip is short, corrupt or cannot be read
   */
  async read(col0: number, row0: number, width: number, height: number): Promise<Uint8Array> {
    const { rowsPerStrip: R, width: W, height: H } = this.#layout;
    const out = new Uint8Array(width * height);
    const first = Math.floor(row0 / R);
    const last = Math.floor((row0 + height - 1) / R);
    const raw = await this.#readRaw(first, last);
    for (let s = first; s <= last; s++) {
      const stripRow0 = s * R;
      const rows = Math.min(R, H - stripRow0);
      const from = Math.max(row0, stripRow0);
      const to = Math.min(row0 + height, stripRow0 + rows);
      const whole = col0 === 0 && width === W && from === stripRow0 && to === stripRow0 + rows;
      // Decode straight into the window when it takes the whole strip; else via scratch.
      let target: Uint8Array;
      if (whole) target = out.subarray((from - row0) * W, (to - row0) * W);
      else {
        if (this.#scratch.length < W * R) this.#scratch = new Uint8Array(W * R);
        target = this.#scratch.subarray(0, W * rows);
      }
      this.#decode(s, raw.get(s)!, target, W);
      if (!whole) {
        for (let r = from; r < to; r++) {
          const at = (r - stripRow0) * W + col0;
          out.set(target.subarray(at, at + width), (r - row0) * width);
        }
      }
    }
    return out;
  }

  // Stored bytes of strips first..last: one read of their span when they lie in order
  // without large gaps, else one read each.
  async #readRaw(first: number, last: number): Promise<Map<number, Uint8Array>> {
    const { offsets, byteCounts } = this.#layout;
    const strips = new Map<number, Uint8Array>();
    let inOrder = true;
    let total = 0;
    for (let s = first; s <= last; s++) {
      total += byteCounts[s]!;
      if (s > first && offsets[s]! < offsets[s - 1]! + byteCounts[s - 1]!) inOrder = false;
    }
    const start = offsets[first]!;
    const span = offsets[last]! + byteCounts[last]! - start;
    if (inOrder && span <= 2 * total + 65536) {
      const bytes = await this.#readAt(start, span);
      for (let s = first; s <= last; s++) strips.set(s, bytes.subarray(offsets[s]! - start, offsets[s]! - start + byteCounts[s]!));
    } else {
      for (let s = first; s <= last; s++) strips.set(s, await this.#readAt(offsets[s]!, byteCounts[s]!));
    }
    return strips;
  }

  async #readAt(position: number, length: number): Promise<Uint8Array> {
    const buffer = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.#file.read(buffer, done, length - done, position + done);
      if (bytesRead === 0) throw new StripDecodeError(`file ends before byte ${position + length} (strip data at ${position}, ${length} bytes)`);
      done += bytesRead;
    }
    return buffer;
  }

  // Decodes strip s into `target` (exactly its width · rows bytes) and undoes the predictor.
  #decode(s: number, stored: Uint8Array, target: Uint8Array, width: number): void {
    const { compression, predictor } = this.#layout;
    let got: number;
    try {
      switch (compression) {
        case 1:
          got = Math.min(stored.length, target.length);
          target.set(stored.subarray(0, got));
          break;
        case 5:
          got = lzwDecode(stored, target);
          break;
        case 8:
        case 32946: {
          const inflated = inflateSync(stored);
          got = Math.min(inflated.length, target.length);
          target.set(inflated.subarray(0, got));
          break;
        }
        default:
          got = unpackBits(stored, target);
      }
    } catch (e) {
      throw new StripDecodeError(`strip ${s}: ${(e as Error).message}`, { cause: e });
    }
    if (got !== target.length) throw new StripDecodeError(`strip ${s} decodes to ${got} bytes, want ${target.length}`);
    if (predictor === 2) {
      for (let row = 0; row < target.length; row += width) {
        for (let i = row + 1; i < row + width; i++) target[i] = (target[i]! + target[i - 1]!) & 0xff;
      }
    }
  }
}

// PackBits (TIFF 6.0 §9): n in 0..127 copies n + 1 bytes, n in −127..−1 repeats the next
// byte 1 − n times, −128 is a no-op. Stops when `out` is full.
function unpackBits(input: Uint8Array, out: Uint8Array): number {
  let ip = 0;
  let pos = 0;
  while (ip < input.length && pos < out.length) {
    const n = (input[ip++]! << 24) >> 24;
    if (n >= 0) {
      const count = Math.min(n + 1, out.length - pos, input.length - ip);
      out.set(input.subarray(ip, ip + count), pos);
      ip += n + 1;
      pos += count;
    } else if (n !== -128) {
      const count = Math.min(1 - n, out.length - pos);
      if (ip >= input.length) break;
      out.fill(input[ip++]!, pos, pos + count);
      pos += count;
    }
  }
  return pos;
}
