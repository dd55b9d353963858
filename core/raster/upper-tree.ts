/**
 * The stored upper part of a dataset tree: every node at levels fromLevel..depth, so that
 * a proof for any block of tiles needs to recompute at most one subtree of level
 * fromLevel from the raster (fromLevel = 8: one block of 16 × 16 tiles, 256 × 256
 * pixels at T = 16, i.e. 256 tile leaves and 255 inner nodes, about 511 hashes).
 *
 * Binary form (`serializeUpperTree` / `parseUpperTree`), integers big-endian:
 *
 *     offset      bytes   field
 *     0           4       magic, ASCII "CDUT" (Canopy dataset upper tree)
 *     4           1       format version, 1
 *     5           1       depth of the dataset tree, even, 2..32
 *     6           1       fromLevel, even, 0..depth
 *     7           1       reserved, 0
 *     8           4       tilesX, uint32, 1..65536
 *     12          4       tilesY, uint32, 1..65536
 *     16          32·n    nodes, level fromLevel first up to level depth (the root, last);
 *                         level L holds nx_L · ny_L nodes row-major over its grid
 *                         (dataset-tree.ts `levelGridSize`), each a field element < r,
 *                         32 bytes; n = Σ_L nx_L · ny_L
 *     16 + 32·n   32      SHA-256 of bytes [0, 16 + 32·n)
 *
 * Nodes outside a level's grid are empty subtrees (zeroHashes) and are not stored.
 * Parsing is strict: exact length, magic, version, reserved byte, depth consistent with
 * the tile counts, checksum, every node < r. `recompute` also rehashes every level above
 * fromLevel from the one below and compares (about as many hashes as there are nodes at
 * fromLevel), which `canopy dataset verify` does; readers that trust the manifest's
 * SHA-256 of the file skip it.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { assertBytes, assertInteger, rangeError } from '../assert.ts';
import { bug, CanopyError } from '../errors.ts';
import { FIELD_ORDER } from '../field.ts';
import { assertTileGrid, datasetTreeDepth, gridLevels, levelGridSize, type TileGrid, type TreeLevels } from './dataset-tree.ts';

/** "CDUT". */
const MAGIC = Uint8Array.of(0x43, 0x44, 0x55, 0x54);
const FORMAT_VERSION = 1;
const HEADER_BYTES = 16;
const NODE_BYTES = 32;
const CHECKSUM_BYTES = 32;

/** A parsed upper tree. */
export interface UpperTree {
  readonly grid: TileGrid;
  readonly depth: number;
  readonly fromLevel: number;
  /** levels[i] = nodes of level fromLevel + i, row-major; the last holds only the root. */
  readonly levels: TreeLevels;
}

/**
 * Number of nodes stored for levels fromLevel..depth.
 * @throws {TypeError|RangeError} if the grid or level is invalid
 * @example upperTreeNodeCount({ tilesX: 12, tilesY: 14 }, 8) // 1
 */
export function upperTreeNodeCount(grid: TileGrid, fromLevel: number): number {
  const depth = datasetTreeDepth(grid.tilesX, grid.tilesY);
  assertInteger(fromLevel, 'fromLevel', 0, depth);
  let n = 0;
  for (let level = fromLevel; level <= depth; level++) {
    const { nx, ny } = levelGridSize(grid, level);
    n += nx * ny;
  }
  return n;
}

function assertFromLevel(fromLevel: unknown, depth: number): asserts fromLevel is number {
  assertInteger(fromLevel, 'fromLevel', 0, depth);
  if (fromLevel % 2 !== 0) rangeError('fromLevel', 'an even level (a level of square blocks)', fromLevel);
}

/**
 * The binary form of an upper tree (see the module doc).
 * @param tree - levels fromLevel..depth as `gridLevels` returns them
 * @throws {TypeError|RangeError} if a level holds the wrong number of nodes or a node is not a field element
 * @example writeFileSync('upper-tree.bin', serializeUpperTree({ grid, depth, fromLevel: 8, levels }))
 */
export function serializeUpperTree(tree: UpperTree): Uint8Array {
  assertTileGrid(tree.grid, 'tree.grid');
  const depth = datasetTreeDepth(tree.grid.tilesX, tree.grid.tilesY);
  if (tree.depth !== depth) rangeError('tree.depth', `${depth} for ${tree.grid.tilesX} × ${tree.grid.tilesY} tiles`, tree.depth);
  assertFromLevel(tree.fromLevel, depth);
  if (tree.levels.length !== depth - tree.fromLevel + 1) rangeError('tree.levels', `${depth - tree.fromLevel + 1} levels`, tree.levels);
  const n = upperTreeNodeCount(tree.grid, tree.fromLevel);
  const out = new Uint8Array(HEADER_BYTES + NODE_BYTES * n + CHECKSUM_BYTES);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint8(4, FORMAT_VERSION);
  view.setUint8(5, depth);
  view.setUint8(6, tree.fromLevel);
  view.setUint32(8, tree.grid.tilesX);
  view.setUint32(12, tree.grid.tilesY);
  let offset = HEADER_BYTES;
  for (let i = 0; i < tree.levels.length; i++) {
    const level = tree.fromLevel + i;
    const { nx, ny } = levelGridSize(tree.grid, level);
    const nodes = tree.levels[i]!;
    if (nodes.length !== nx * ny) rangeError(`tree.levels[${i}]`, `${nx * ny} nodes (level ${level})`, nodes);
    for (let j = 0; j < nodes.length; j++) {
      const v = nodes[j]!;
      if (typeof v !== 'bigint' || v < 0n || v >= FIELD_ORDER) rangeError(`tree.levels[${i}][${j}]`, 'a field element', v);
      writeNode(view, offset, v);
      offset += NODE_BYTES;
    }
  }
  if (offset !== HEADER_BYTES + NODE_BYTES * n) bug('serializeUpperTree', `wrote ${offset} bytes`);
  out.set(sha256(out.subarray(0, offset)), offset);
  return out;
}

function writeNode(view: DataView, at: number, v: bigint): void {
  // setBigUint64 keeps the low 64 bits of its argument.
  view.setBigUint64(at, v >> 192n);
  view.setBigUint64(at + 8, v >> 128n);
  view.setBigUint64(at + 16, v >> 64n);
  view.setBigUint64(at + 24, v);
}

function readNode(view: DataView, at: number): bigint {
  return (view.getBigUint64(at) << 192n) | (view.getBigUint64(at + 8) << 128n) | (view.getBigUint64(at + 16) << 64n) | view.getBigUint64(at + 24);
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * Parses the binary form strictly (see the module doc).
 * @param bytes - the file's bytes (attacker-controlled)
 * @param options.recompute - also rehash every level above fromLevel and compare
 * @throws {TypeError} if `bytes` is not a Uint8Array;
 *   {CanopyError} INVALID_INPUT naming the first problem (magic, version, length, checksum,
 *   a node ≥ r, or with `recompute` the first node that does not hash from its children)
 * @example parseUpperTree(readFileSync('upper-tree.bin')).levels.at(-1)[0] // the root
 */
export function parseUpperTree(bytes: Uint8Array, options: { recompute?: boolean } = {}): UpperTree {
  assertBytes(bytes, 'bytes');
  const invalid = (why: string) => new CanopyError('INVALID_INPUT', `upper tree: ${why}`);
  if (bytes.length < HEADER_BYTES + CHECKSUM_BYTES) throw invalid(`${bytes.length} bytes, shorter than header and checksum`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw invalid(`magic bytes ${hex(bytes.subarray(0, 4))}, want 43445554 ("CDUT")`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(4);
  if (version !== FORMAT_VERSION) throw invalid(`format version ${version}, want ${FORMAT_VERSION}`);
  if (view.getUint8(7) !== 0) throw invalid(`reserved byte is ${view.getUint8(7)}, want 0`);
  const grid = { tilesX: view.getUint32(8), tilesY: view.getUint32(12) };
  if (grid.tilesX < 1 || grid.tilesX > 65536 || grid.tilesY < 1 || grid.tilesY > 65536) throw invalid(`tile counts ${grid.tilesX} × ${grid.tilesY} outside 1..65536`);
  const depth = datasetTreeDepth(grid.tilesX, grid.tilesY);
  if (view.getUint8(5) !== depth) throw invalid(`depth ${view.getUint8(5)}, want ${depth} for ${grid.tilesX} × ${grid.tilesY} tiles`);
  const fromLevel = view.getUint8(6);
  if (fromLevel > depth || fromLevel % 2 !== 0) throw invalid(`fromLevel ${fromLevel}, want an even level ≤ ${depth}`);
  const n = upperTreeNodeCount(grid, fromLevel);
  const bodyLength = HEADER_BYTES + NODE_BYTES * n;
  if (bytes.length !== bodyLength + CHECKSUM_BYTES) throw invalid(`${bytes.length} bytes, want ${bodyLength + CHECKSUM_BYTES} for ${n} nodes`);
  const checksum = sha256(bytes.subarray(0, bodyLength));
  if (hex(checksum) !== hex(bytes.subarray(bodyLength))) throw invalid('checksum mismatch: the bytes are corrupted');
  const levels: bigint[][] = [];
  let offset = HEADER_BYTES;
  for (let level = fromLevel; level <= depth; level++) {
    const { nx, ny } = levelGridSize(grid, level);
    const nodes = new Array<bigint>(nx * ny);
    for (let j = 0; j < nodes.length; j++, offset += NODE_BYTES) {
      const v = readNode(view, offset);
      if (v >= FIELD_ORDER) throw invalid(`node ${j} of level ${level} is not below the field order`);
      nodes[j] = v;
    }
    levels.push(nodes);
  }
  if (options.recompute) {
    const rebuilt = gridLevels(grid, fromLevel, levels[0]!);
    for (let i = 1; i < levels.length; i++) {
      const j = levels[i]!.findIndex((v, k) => v !== rebuilt[i]![k]);
      if (j >= 0) throw invalid(`node ${j} of level ${fromLevel + i} does not hash from its children`);
    }
  }
  return { grid, depth, fromLevel, levels };
}
