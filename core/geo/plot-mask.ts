/**
 * A plot's pixel mask on a dataset grid: a window of the grid and one bit per pixel of
 * the window, with one canonical byte form and one Poseidon hash.
 *
 * Canonical form: the window is the tight bounding box of the set pixels (its first and
 * last row and column each hold a set pixel), so a set of pixels has exactly one mask.
 * The empty mask (a plot with no pixel centre inside) is { 0, 0, 0, 0 } with no bits.
 *
 * Bit layout: pixel (col, row) of the grid, inside the window, has index
 *
 *     i = (row − row0) · width + (col − col0)              (row-major, like the raster)
 *
 * and is bit (i mod 8) of byte ⌊i / 8⌋, least significant bit first; the padding bits of
 * the last byte are zero.
 *
 * Byte serialisation (`serialisePlotMask`), 16 + ⌈width·height / 8⌉ bytes:
 *
 *     offset  size  field
 *      0       4    col0    uint32 big-endian
 *      4       4    row0    uint32 big-endian
 *      8       4    width   uint32 big-endian
 *     12       4    height  uint32 big-endian
 *     16       n    bits    n = ⌈width·height / 8⌉
 *
 * Hash (`plotMaskHash`), with the bits packed 31 bytes per element as in
 * core/pack-bytes.ts (so element e[k] = Σ_j bit[248k + j] · 2^j):
 *
 *     PLOT_MASK hash = Poseidon(TAG_PLOT_MASK, col0, row0, width, height,
 *                               chainDigest(packBytes(bits)))
 *
 * The element count is fixed by width·height, which the hash binds (see _hash-chain.ts).
 * @module
 */
import { assertBytes, assertInteger, rangeError, typeError } from '../assert.ts';
import { hashTagged } from '../domain.ts';
import { packBytes } from '../pack-bytes.ts';
import { chainDigest } from './_hash-chain.ts';

/** A window of the grid and its bits; see the module doc for the layout. */
export interface PlotMask {
  readonly col0: number;
  readonly row0: number;
  readonly width: number;
  readonly height: number;
  /** ⌈width·height / 8⌉ bytes, LSB first, padding bits zero. */
  readonly bits: Uint8Array;
}

/** A rectangle of grid pixels, half-open: cols [col0, col0 + width), rows [row0, row0 + height). */
export interface PixelWindow {
  col0: number;
  row0: number;
  width: number;
  height: number;
}

/** Largest window side (the grid limit of core/geo/grid.ts). */
export const MAX_MASK_SIDE = 1 << 20;
/** Most pixels in a window: 2^26 bits = 8 MiB, ≈ 4.9 million ha of Hansen pixels. */
export const MAX_MASK_PIXELS = 1 << 26;
/** Bytes before the bits in the serialisation. */
export const PLOT_MASK_HEADER_BYTES = 16;

/** The empty mask. */
export const EMPTY_PLOT_MASK: PlotMask = Object.freeze({ col0: 0, row0: 0, width: 0, height: 0, bits: new Uint8Array(0) });

function bitAt(bits: Uint8Array, i: number): boolean {
  return ((bits[i >> 3]! >> (i & 7)) & 1) === 1;
}

function assertWindow(w: PixelWindow, title: string): void {
  if (typeof w !== 'object' || w === null) typeError(title, 'a window object', w);
  assertInteger(w.col0, `${title}.col0`, 0, MAX_MASK_SIDE - 1);
  assertInteger(w.row0, `${title}.row0`, 0, MAX_MASK_SIDE - 1);
  assertInteger(w.width, `${title}.width`, 0, MAX_MASK_SIDE);
  assertInteger(w.height, `${title}.height`, 0, MAX_MASK_SIDE);
  if ((w.width === 0) !== (w.height === 0)) rangeError(`${title}.height`, `0 exactly when width is 0 (width ${w.width})`, w.height);
  if (w.width * w.height > MAX_MASK_PIXELS) rangeError(`${title}.width`, `a window of at most ${MAX_MASK_PIXELS} pixels`, w.width * w.height);
}

/**
 * Checks that `mask` is a canonical plot mask: integer window, bits of the right length
 * with zero padding, and a tight window (every edge row and column holds a set pixel).
 * @throws {TypeError} for a wrong type
 * @throws {RangeError} for a wrong length, non-zero padding or a window that is not tight
 * @example assertPlotMask(rasterisePlot(plot.geometry, grid))
 */
export function assertPlotMask(mask: PlotMask, title = 'mask'): void {
  assertWindow(mask, title);
  assertBytes(mask.bits, `${title}.bits`, Math.ceil((mask.width * mask.height) / 8));
  const n = mask.width * mask.height;
  if (n === 0) {
    if (mask.col0 !== 0 || mask.row0 !== 0) rangeError(`${title}.col0`, 'col0 = row0 = 0 for the empty mask', `${mask.col0},${mask.row0}`);
    return;
  }
  const lastByte = mask.bits[mask.bits.length - 1]!;
  if (n % 8 !== 0 && lastByte >> n % 8 !== 0) rangeError(`${title}.bits`, 'zero padding bits after the last pixel', lastByte);
  const { width: w, height: h } = mask;
  const rowHas = (r: number) => {
    for (let c = 0; c < w; c++) if (bitAt(mask.bits, r * w + c)) return true;
    return false;
  };
  const colHas = (c: number) => {
    for (let r = 0; r < h; r++) if (bitAt(mask.bits, r * w + c)) return true;
    return false;
  };
  if (!rowHas(0) || !rowHas(h - 1) || !colHas(0) || !colHas(w - 1)) {
    rangeError(`${title}`, 'a tight window (a set pixel in its first and last row and column)', `${w}×${h} at (${mask.col0}, ${mask.row0})`);
  }
}

/**
 * Builds the canonical mask of the pixels set in a row-major bitmap over `window`,
 * shrinking the window to the set pixels.
 * @param window - where `isSet` is defined
 * @param isSet - whether window pixel (c, r) is in the plot, c ∈ [0, width), r ∈ [0, height)
 * @throws {TypeError|RangeError} if the window is malformed
 * @example maskFromPredicate({ col0: 5, row0: 7, width: 3, height: 3 }, (c, r) => c === 1 && r === 1) // 1×1 at (6, 8)
 */
export function maskFromPredicate(window: PixelWindow, isSet: (c: number, r: number) => boolean): PlotMask {
  assertWindow(window, 'window');
  let cMin = Infinity;
  let cMax = -1;
  let rMin = Infinity;
  let rMax = -1;
  const set: number[] = [];
  for (let r = 0; r < window.height; r++) {
    for (let c = 0; c < window.width; c++) {
      if (!isSet(c, r)) continue;
      set.push(r, c);
      if (c < cMin) cMin = c;
      if (c > cMax) cMax = c;
      if (r < rMin) rMin = r;
      if (r > rMax) rMax = r;
    }
  }
  if (set.length === 0) return EMPTY_PLOT_MASK;
  const width = cMax - cMin + 1;
  const height = rMax - rMin + 1;
  const bits = new Uint8Array(Math.ceil((width * height) / 8));
  for (let k = 0; k < set.length; k += 2) {
    const i = (set[k]! - rMin) * width + (set[k + 1]! - cMin);
    bits[i >> 3]! |= 1 << (i & 7);
  }
  return { col0: window.col0 + cMin, row0: window.row0 + rMin, width, height, bits };
}

/**
 * Whether grid pixel (col, row) is in the mask; false outside the window. The mask is
 * taken as valid (from `rasterisePlot`, `maskFromPredicate` or `parsePlotMask`): this is
 * the per-pixel accessor of hot loops and does not re-check it.
 * @example maskHas(mask, 120, 64)
 */
export function maskHas(mask: PlotMask, col: number, row: number): boolean {
  const c = col - mask.col0;
  const r = row - mask.row0;
  if (c < 0 || r < 0 || c >= mask.width || r >= mask.height) return false;
  return bitAt(mask.bits, r * mask.width + c);
}

/**
 * Number of set pixels (popcount of the bits; the mask is taken as valid).
 * @example maskPixelCount(EMPTY_PLOT_MASK) // 0
 */
export function maskPixelCount(mask: PlotMask): number {
  let n = 0;
  for (const b of mask.bits) {
    let x = b;
    while (x !== 0) {
      x &= x - 1;
      n++;
    }
  }
  return n;
}

/**
 * The canonical bytes of a mask; see the module doc for the layout.
 * @throws {TypeError|RangeError} if the mask is not canonical
 * @example serialisePlotMask(EMPTY_PLOT_MASK) // 16 zero bytes
 */
export function serialisePlotMask(mask: PlotMask): Uint8Array {
  assertPlotMask(mask);
  const out = new Uint8Array(PLOT_MASK_HEADER_BYTES + mask.bits.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, mask.col0);
  view.setUint32(4, mask.row0);
  view.setUint32(8, mask.width);
  view.setUint32(12, mask.height);
  out.set(mask.bits, PLOT_MASK_HEADER_BYTES);
  return out;
}

/**
 * Parses the canonical bytes of a mask, strictly: exact length, zero padding, tight
 * window. Every accepted input is the serialisation of exactly one mask.
 * @param bytes - attacker-controlled
 * @throws {TypeError} if not a Uint8Array
 * @throws {RangeError} if shorter than the header, of the wrong length, or not canonical
 * @example parsePlotMask(serialisePlotMask(mask))
 */
export function parsePlotMask(bytes: Uint8Array): PlotMask {
  assertBytes(bytes, 'bytes');
  if (bytes.length < PLOT_MASK_HEADER_BYTES) rangeError('bytes', `at least ${PLOT_MASK_HEADER_BYTES} bytes`, bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const window = { col0: view.getUint32(0), row0: view.getUint32(4), width: view.getUint32(8), height: view.getUint32(12) };
  assertWindow(window, 'bytes');
  const n = Math.ceil((window.width * window.height) / 8);
  if (bytes.length !== PLOT_MASK_HEADER_BYTES + n) rangeError('bytes', `${PLOT_MASK_HEADER_BYTES + n} bytes for a ${window.width}×${window.height} window`, bytes);
  const mask = { ...window, bits: bytes.slice(PLOT_MASK_HEADER_BYTES) };
  assertPlotMask(mask, 'bytes');
  return mask;
}

/**
 * The mask's Poseidon hash, a field element: see the module doc.
 * @throws {TypeError|RangeError} if the mask is not canonical
 * @example plotMaskHash(EMPTY_PLOT_MASK) // Poseidon(TAG_PLOT_MASK, 0, 0, 0, 0, 0)
 */
export function plotMaskHash(mask: PlotMask): bigint {
  assertPlotMask(mask);
  return hashTagged('PLOT_MASK', [BigInt(mask.col0), BigInt(mask.row0), BigInt(mask.width), BigInt(mask.height), chainDigest(packBytes(mask.bits))]);
}
