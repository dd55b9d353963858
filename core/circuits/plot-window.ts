/**
 * JS twin of `circuits/plot_window.circom`: how a plot's mask is split into proof
 * windows, the window mask hash, the window attestation leaf, the witness input and the
 * ordered public signals of `PlotWindow(k, treeDepth)`, in one place so that prover,
 * verifier and tests cannot disagree with the circuit. docs/attestations.md is the
 * specification.
 *
 * Window: the aligned block of 2^k × 2^k dataset tiles (tiles are 16 × 16 pixels) whose
 * north-west tile is (tileX0, tileY0), both multiples of 2^k; side S = 16 · 2^k pixels.
 * Its `blockIndex` = mortonEncode(tileX0 >> k, tileY0 >> k), the index of the block's
 * subtree root at level 2k of the dataset tree (docs/datasets.md §4–5).
 *
 * Window mask: S² bits, row-major over the window's pixels (bit p = row · S + col), one
 * byte 0 or 1 per pixel in `PlotWindow.mask`. Its hash (`windowMaskHash`):
 *
 *     e_i  = Σ_{j < 248} bit[248·i + j] · 2^j,  n = ⌈S² / 248⌉ elements
 *            (= packBytes of the bits stored LSB first, 8 per byte: core/pack-bytes.ts)
 *     hash = Poseidon(TAG_PLOT_MASK, S, e_0, …, e_{n−1})          n ≤ 14 (k ≤ 1)
 *          = Poseidon(TAG_PLOT_MASK, S, chainDigest(e))            n > 14 (k ≥ 2)
 *
 * S fixes n and the form, and binds the window size, hence k, to the leaf: a block index
 * means a block only together with its level.
 *
 * Window attestation leaf (`windowAttestationLeaf`), a leaf of the plots tree:
 *
 *     Poseidon(TAG_PLOT_ATTESTATION, geometryHash, datasetRoot, cutoffCode, blockIndex,
 *              windowMaskHash, pixelCount, ownerKey, salt)
 *
 * Witness input (snarkjs form: decimal strings, keys spelled like the circuit's signals):
 *
 *     { "datasetRoot": "…", "cutoffCode": "21",                    public
 *       "tiles": [[9 × "…"], …],       4^k tiles in Morton order inside the block, each
 *                                      tile's 256 bytes packed 31 per element
 *       "tilePresent": ["1"|"0", …],   0 for a position past the tile grid (leaf 0)
 *       "siblings": ["…", …],          treeDepth − 2k, level 2k first
 *       "blockIndex": "…", "mask": ["0"|"1", …] (S², row-major),
 *       "geometryHash": "…", "ownerSecret": "…", "salt": "…" }
 *
 * Public signals in snarkjs order (the output, then the public inputs):
 * `PLOT_WINDOW_PUBLIC_SIGNALS` = attestationLeaf, datasetRoot, cutoffCode; the same list
 * is `publicSignals` of `plot_window` in circuits/circuits.json (checked in tests).
 * @module
 */
import { assertArray, assertBytes, assertInteger, rangeError, typeError } from '../assert.ts';
import { hashTagged } from '../domain.ts';
import { bug, CanopyError } from '../errors.ts';
import { assertField, fieldToString } from '../field.ts';
import { chainDigest } from '../geo/_hash-chain.ts';
import { assertGrid, type RasterGrid } from '../geo/grid.ts';
import { assertPlotMask, maskHas, type PlotMask } from '../geo/plot-mask.ts';
import { packBytes } from '../pack-bytes.ts';
import { assertTileBlockProof, mortonLevels, verifyTileBlockProof, type TileBlockProof } from '../raster/dataset-tree.ts';
import { mortonDecode, mortonEncode } from '../raster/morton.ts';
import { tileLeaf } from '../raster/tile-leaf.ts';

/** Public signals of `PlotWindow`, in snarkjs order. */
export const PLOT_WINDOW_PUBLIC_SIGNALS = ['attestationLeaf', 'datasetRoot', 'cutoffCode'] as const;

/** Name of one public signal of `PlotWindow`. */
export type PlotWindowPublicSignal = (typeof PLOT_WINDOW_PUBLIC_SIGNALS)[number];

/** Pixels per tile side the circuit reads (`PLOT_WINDOW_TILE_SIZE()` in the circuit). */
export const PLOT_WINDOW_TILE_SIZE = 16;
/** Field elements per tile: ⌈16² / 31⌉. */
export const PLOT_WINDOW_TILE_ELEMENTS = 9;
/** Largest k the circuit accepts (a 256 × 256-pixel window). */
export const PLOT_WINDOW_MAX_LOG2 = 4;
/** Largest cutoffCode: the circuit range-checks it to 8 bits. */
export const PLOT_WINDOW_MAX_CUTOFF = 255;
/** Mask bits per element of the window mask hash: 31 bytes. */
export const WINDOW_MASK_BITS_PER_ELEMENT = 248;
/** Most elements hashed directly; more are chained (core/geo/_hash-chain.ts). */
export const WINDOW_MASK_DIRECT_MAX = 14;

/**
 * Side of a window of 2^k × 2^k tiles, in pixels: 16 · 2^k.
 * @throws {TypeError} if k is not a safe integer; {RangeError} if outside [0, 4]
 * @example windowSide(2) // 64
 */
export function windowSide(k: number): number {
  assertInteger(k, 'k', 0, PLOT_WINDOW_MAX_LOG2);
  return PLOT_WINDOW_TILE_SIZE << k;
}

/** One proof window of a plot: a block of tiles and the plot's pixels inside it. */
export interface PlotWindow {
  /** k: the window is 2^k × 2^k tiles. */
  readonly blockLog2: number;
  /** North-west tile of the block; both multiples of 2^k. */
  readonly tileX0: number;
  readonly tileY0: number;
  /** mortonEncode(tileX0 >> k, tileY0 >> k): the block's index at level 2k. */
  readonly blockIndex: number;
  /** North-west pixel of the window: 16 · tileX0, 16 · tileY0. */
  readonly col0: number;
  readonly row0: number;
  /** Window side in pixels, 16 · 2^k. */
  readonly side: number;
  /** side² bytes, row-major, each 1 (pixel of the plot) or 0. */
  readonly mask: Uint8Array;
  /** Number of 1s in `mask`, ≥ 1. */
  readonly pixelCount: number;
}

/** The fields of a window attestation leaf. */
export interface WindowAttestation {
  /** plotGeometryHash of the plot (core/geo/plot-geometry.ts). */
  readonly geometryHash: bigint;
  readonly datasetRoot: bigint;
  /** Smallest committed value that fails, 0..255 (21 = loss in 2021 or later). */
  readonly cutoffCode: number;
  readonly blockIndex: number;
  readonly windowMaskHash: bigint;
  readonly pixelCount: number;
  /** Poseidon(TAG_OWNER_KEY, ownerSecret): core/lots/note.ts ownerKey. */
  readonly ownerKey: bigint;
  readonly salt: bigint;
}

/** Witness input of `PlotWindow(k, treeDepth)`; see the module doc. */
export type PlotWindowInput = {
  datasetRoot: string;
  cutoffCode: string;
  tiles: string[][];
  tilePresent: string[];
  siblings: string[];
  blockIndex: string;
  mask: string[];
  geometryHash: string;
  ownerSecret: string;
  salt: string;
};

/** What `plotWindowWitnessInput` needs. */
export interface PlotWindowWitnessArgs {
  readonly window: PlotWindow;
  /**
   * The block's 4^k tiles row-major over the block (tiles[dy · 2^k + dx] is tile
   * (tileX0 + dx, tileY0 + dy)), 256 bytes each, null past the tile grid: what
   * prover/dataset/read-window.ts `readTiles(ds, tileX0, tileY0, 2^k, 2^k)` returns.
   */
  readonly tiles: readonly (Uint8Array | null)[];
  /** The block's proof (read-window.ts `tileBlockProof(ds, tileX0, tileY0, k)`). */
  readonly proof: TileBlockProof;
  readonly cutoffCode: number;
  readonly geometryHash: bigint;
  readonly ownerSecret: bigint;
  readonly salt: bigint;
}

function assertCutoffCode(value: unknown, title: string): asserts value is number {
  assertInteger(value, title, 0, PLOT_WINDOW_MAX_CUTOFF);
}

/** k of a window mask of `length` bits, or −1 if no k gives that length. */
function maskLog2(length: number): number {
  for (let k = 0; k <= PLOT_WINDOW_MAX_LOG2; k++) if (windowSide(k) ** 2 === length) return k;
  return -1;
}

/**
 * Checks a window mask: (16 · 2^k)² bytes for some k in [0, 4], each 0 or 1.
 * @returns its side in pixels
 * @throws {TypeError} if not a Uint8Array; {RangeError} for another length or a byte other than 0 or 1
 */
function assertWindowMask(mask: unknown, title: string): number {
  assertBytes(mask, title);
  const k = maskLog2(mask.length);
  if (k < 0) rangeError(title, `(16·2^k)² bytes for k in [0, ${PLOT_WINDOW_MAX_LOG2}]`, mask);
  for (let i = 0; i < mask.length; i++) if (mask[i]! > 1) rangeError(`${title}[${i}]`, '0 or 1', mask[i]);
  return windowSide(k);
}

/**
 * The elements e_i of a window mask (see the module doc), as the circuit packs them.
 * @param mask - (16 · 2^k)² bytes, each 0 or 1, row-major
 * @throws {TypeError|RangeError} if the mask is malformed
 * @example windowMaskElements(new Uint8Array(256)).length // 2
 */
export function windowMaskElements(mask: Uint8Array): bigint[] {
  assertWindowMask(mask, 'mask');
  // Bit p is bit p mod 8 of byte ⌊p/8⌋; 31 bytes per element = 248 bits, weight 2^j.
  const bytes = new Uint8Array(Math.ceil(mask.length / 8));
  for (let p = 0; p < mask.length; p++) if (mask[p] === 1) bytes[p >> 3]! |= 1 << (p & 7);
  return packBytes(bytes);
}

/**
 * The window mask hash (module doc): Poseidon(TAG_PLOT_MASK, S, e…) or, for more than 14
 * elements, Poseidon(TAG_PLOT_MASK, S, chainDigest(e)).
 * @param mask - (16 · 2^k)² bytes, each 0 or 1, row-major
 * @throws {TypeError|RangeError} if the mask is malformed
 * @example windowMaskHash(window.mask)
 */
export function windowMaskHash(mask: Uint8Array): bigint {
  const side = assertWindowMask(mask, 'mask');
  const e = windowMaskElements(mask);
  const body = e.length <= WINDOW_MASK_DIRECT_MAX ? e : [chainDigest(e)];
  return hashTagged('PLOT_MASK', [BigInt(side), ...body]);
}

/**
 * The window attestation leaf, a leaf of the plots tree (module doc).
 * @throws {TypeError|RangeError} if a field is missing, mistyped or out of range
 * @example windowAttestationLeaf({ geometryHash, datasetRoot, cutoffCode: 21, blockIndex: 5, windowMaskHash: h, pixelCount: 40, ownerKey: key, salt })
 */
export function windowAttestationLeaf(a: WindowAttestation): bigint {
  if (typeof a !== 'object' || a === null) typeError('attestation', 'an object', a);
  assertField(a.geometryHash, 'geometryHash');
  assertField(a.datasetRoot, 'datasetRoot');
  assertCutoffCode(a.cutoffCode, 'cutoffCode');
  assertInteger(a.blockIndex, 'blockIndex', 0, 2 ** 32 - 1);
  assertField(a.windowMaskHash, 'windowMaskHash');
  assertInteger(a.pixelCount, 'pixelCount', 1, windowSide(PLOT_WINDOW_MAX_LOG2) ** 2);
  assertField(a.ownerKey, 'ownerKey');
  assertField(a.salt, 'salt');
  return hashTagged('PLOT_ATTESTATION', [
    a.geometryHash,
    a.datasetRoot,
    BigInt(a.cutoffCode),
    BigInt(a.blockIndex),
    a.windowMaskHash,
    BigInt(a.pixelCount),
    a.ownerKey,
    a.salt,
  ]);
}

/**
 * Splits a plot mask into the windows of 2^k × 2^k tiles it touches, in Morton order
 * (ascending blockIndex). Windows with no pixel of the plot are left out, so every
 * window has pixelCount ≥ 1, and the union of the windows' masks is the plot's mask.
 * @param mask - a canonical plot mask on `grid` (core/geo/plot-mask.ts); empty gives []
 * @param grid - the dataset grid the mask was rasterised on
 * @param k - 0..4
 * @throws {TypeError|RangeError} if the mask or grid is malformed, k is out of range, or
 *   the mask reaches past the grid
 * @example windowsForMask(rasterisePlot(plot.geometry, ds.grid), ds.grid, 0)
 */
export function windowsForMask(mask: PlotMask, grid: RasterGrid, k: number): PlotWindow[] {
  assertPlotMask(mask);
  assertGrid(grid);
  const side = windowSide(k);
  if (mask.width === 0) return [];
  if (mask.col0 + mask.width > grid.width || mask.row0 + mask.height > grid.height) {
    rangeError('mask', `a window inside the ${grid.width} × ${grid.height} grid`, `${mask.width}×${mask.height} at (${mask.col0}, ${mask.row0})`);
  }
  const bx0 = Math.floor(mask.col0 / side);
  const bx1 = Math.floor((mask.col0 + mask.width - 1) / side);
  const by0 = Math.floor(mask.row0 / side);
  const by1 = Math.floor((mask.row0 + mask.height - 1) / side);
  const out: PlotWindow[] = [];
  for (let by = by0; by <= by1; by++) {
    for (let bx = bx0; bx <= bx1; bx++) {
      const col0 = bx * side;
      const row0 = by * side;
      const bits = new Uint8Array(side * side);
      let pixelCount = 0;
      // Only the part of the block inside the mask's window can hold set pixels.
      const r0 = Math.max(row0, mask.row0);
      const r1 = Math.min(row0 + side, mask.row0 + mask.height);
      const c0 = Math.max(col0, mask.col0);
      const c1 = Math.min(col0 + side, mask.col0 + mask.width);
      for (let row = r0; row < r1; row++) {
        for (let col = c0; col < c1; col++) {
          if (!maskHas(mask, col, row)) continue;
          bits[(row - row0) * side + (col - col0)] = 1;
          pixelCount++;
        }
      }
      if (pixelCount === 0) continue;
      out.push({ blockLog2: k, tileX0: bx << k, tileY0: by << k, blockIndex: mortonEncode(bx, by), col0, row0, side, mask: bits, pixelCount });
    }
  }
  return out.sort((a, b) => a.blockIndex - b.blockIndex);
}

function assertPlotWindow(w: unknown, title: string): asserts w is PlotWindow {
  if (typeof w !== 'object' || w === null) typeError(title, 'a window object', w);
  const v = w as Record<string, unknown>;
  assertInteger(v.blockLog2, `${title}.blockLog2`, 0, PLOT_WINDOW_MAX_LOG2);
  const k = v.blockLog2;
  const side = windowSide(k);
  assertInteger(v.tileX0, `${title}.tileX0`, 0, 0xffff);
  assertInteger(v.tileY0, `${title}.tileY0`, 0, 0xffff);
  if (v.tileX0 % (1 << k) !== 0) rangeError(`${title}.tileX0`, `a multiple of ${1 << k}`, v.tileX0);
  if (v.tileY0 % (1 << k) !== 0) rangeError(`${title}.tileY0`, `a multiple of ${1 << k}`, v.tileY0);
  const index = mortonEncode(v.tileX0 >> k, v.tileY0 >> k);
  if (v.blockIndex !== index) rangeError(`${title}.blockIndex`, `${index}, the Morton index of the block`, v.blockIndex);
  if (v.col0 !== v.tileX0 * PLOT_WINDOW_TILE_SIZE || v.row0 !== v.tileY0 * PLOT_WINDOW_TILE_SIZE) {
    rangeError(`${title}.col0`, `the block's corner (${v.tileX0 * PLOT_WINDOW_TILE_SIZE}, ${v.tileY0 * PLOT_WINDOW_TILE_SIZE})`, `${String(v.col0)},${String(v.row0)}`);
  }
  if (v.side !== side) rangeError(`${title}.side`, `${side}`, v.side);
  assertBytes(v.mask, `${title}.mask`, side * side);
  if (assertWindowMask(v.mask, `${title}.mask`) !== side) bug('assertPlotWindow', `mask side ≠ ${side}`);
  let count = 0;
  for (const b of v.mask) count += b;
  if (count === 0) rangeError(`${title}.mask`, 'at least one pixel of the plot', 'an empty mask');
  if (v.pixelCount !== count) rangeError(`${title}.pixelCount`, `${count}, the 1s of the mask`, v.pixelCount);
}

/**
 * The leaves of a block's tiles (row-major input) in Morton order inside the block, and
 * the tiles themselves in that order; null tiles are the empty leaf 0.
 */
function mortonTiles(window: PlotWindow, tiles: readonly (Uint8Array | null)[]): { leaves: bigint[]; ordered: (Uint8Array | null)[] } {
  const span = 1 << window.blockLog2;
  const leaves: bigint[] = [];
  const ordered: (Uint8Array | null)[] = [];
  for (let t = 0; t < span * span; t++) {
    const { tileX: dx, tileY: dy } = mortonDecode(t);
    const bytes = tiles[dy * span + dx]!;
    ordered.push(bytes);
    leaves.push(bytes === null ? 0n : tileLeaf(window.tileX0 + dx, window.tileY0 + dy, bytes, PLOT_WINDOW_TILE_SIZE));
  }
  return { leaves, ordered };
}

/** The packing of a tile past the grid: 256 bytes of 255, the circuit's constant. */
const NODATA_TILE = packBytes(new Uint8Array(PLOT_WINDOW_TILE_SIZE ** 2).fill(255));

/**
 * Builds the witness input proving one window (module doc). Checks that the tiles hash
 * to the proof's block root and the proof reaches its dataset root, so a mismatch is
 * reported here, naming it, rather than as a failed witness. Whether the masked pixels
 * pass the cut-off is left to the circuit: an input for a failing window is built, and
 * the circuit refuses it.
 * @throws {TypeError|RangeError} if an argument is malformed
 * @throws {CanopyError} INVALID_INPUT if the proof is for another block or level, does not
 *   reach its root, or the tiles do not hash to its block root
 * @example const input = plotWindowWitnessInput({ window, tiles: await readTiles(ds, w.tileX0, w.tileY0, 1, 1), proof: await tileBlockProof(ds, w.tileX0, w.tileY0, 0), cutoffCode: 21, geometryHash, ownerSecret, salt });
 */
export function plotWindowWitnessInput(args: PlotWindowWitnessArgs): PlotWindowInput {
  if (typeof args !== 'object' || args === null) typeError('args', 'an object', args);
  const { window, tiles, proof } = args;
  assertPlotWindow(window, 'window');
  const k = window.blockLog2;
  const span = 1 << k;
  assertArray(tiles, 'tiles', span * span, span * span);
  for (let i = 0; i < tiles.length; i++) if (tiles[i] !== null) assertBytes(tiles[i], `tiles[${i}]`, PLOT_WINDOW_TILE_SIZE ** 2);
  assertTileBlockProof(proof, 'proof');
  assertCutoffCode(args.cutoffCode, 'cutoffCode');
  assertField(args.geometryHash, 'geometryHash');
  assertField(args.ownerSecret, 'ownerSecret');
  assertField(args.salt, 'salt');
  if (proof.blockLog2 !== k || proof.tileX0 !== window.tileX0 || proof.tileY0 !== window.tileY0) {
    throw new CanopyError('INVALID_INPUT', `proof is for block (${proof.tileX0}, ${proof.tileY0}) k=${proof.blockLog2}, the window is (${window.tileX0}, ${window.tileY0}) k=${k}`);
  }
  if (proof.depth <= 2 * k) throw new CanopyError('INVALID_INPUT', `a dataset tree of depth ${proof.depth} is one block of k=${k}: use a smaller k`);
  if (!verifyTileBlockProof(proof)) throw new CanopyError('INVALID_INPUT', `block proof of (${proof.tileX0}, ${proof.tileY0}) does not reach its root ${proof.root}`);
  const { leaves, ordered } = mortonTiles(window, tiles);
  const blockRoot = mortonLevels(leaves, 2 * k)[2 * k]![0]!;
  if (blockRoot !== proof.blockRoot) {
    throw new CanopyError('INVALID_INPUT', `the tiles of block (${window.tileX0}, ${window.tileY0}) hash to ${blockRoot}, the proof's block root is ${proof.blockRoot}`);
  }
  return {
    datasetRoot: fieldToString(proof.root),
    cutoffCode: String(args.cutoffCode),
    tiles: ordered.map((bytes) => (bytes === null ? NODATA_TILE : packBytes(bytes)).map(String)),
    tilePresent: ordered.map((bytes) => (bytes === null ? '0' : '1')),
    siblings: proof.siblings.map((s, i) => fieldToString(s, `proof.siblings[${i}]`)),
    blockIndex: String(window.blockIndex),
    mask: Array.from(window.mask, String),
    geometryHash: fieldToString(args.geometryHash),
    ownerSecret: fieldToString(args.ownerSecret),
    salt: fieldToString(args.salt),
  };
}

/**
 * The public signals a `PlotWindow` proof is verified against, in snarkjs order.
 * @returns decimal strings, one per entry of PLOT_WINDOW_PUBLIC_SIGNALS
 * @throws {TypeError|RangeError} if an argument is out of range
 * @example plotWindowPublicSignals(leaf, ds.root, 21) // [`${leaf}`, `${ds.root}`, '21']
 */
export function plotWindowPublicSignals(attestationLeaf: bigint, datasetRoot: bigint, cutoffCode: number): string[] {
  assertCutoffCode(cutoffCode, 'cutoffCode');
  const values: Record<PlotWindowPublicSignal, bigint> = { attestationLeaf, datasetRoot, cutoffCode: BigInt(cutoffCode) };
  return PLOT_WINDOW_PUBLIC_SIGNALS.map((name) => fieldToString(values[name], name));
}
