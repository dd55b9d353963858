/**
 * The dataset tree: a fixed-depth Poseidon Merkle tree over tile leaves in Morton order.
 *
 *     leaf index of tile (x, y)  = mortonEncode(x, y)        x in the even bits (morton.ts)
 *     depth                      = 2 · max(1, ceil(log2(max(tilesX, tilesY))))
 *     node(left, right)          = merkleNode(left, right)    core/merkle/merkle-node.ts
 *     leaf at an index whose tile lies outside tilesX × tilesY = 0 (the empty leaf)
 *     root                       = the dataset root
 *
 * The depth is even so that the tree is a quadtree of square blocks: the node at level 2k
 * with index b covers the aligned block of 2^k × 2^k tiles whose corner is
 * mortonDecode(b) · 2^k. Odd levels hold half-blocks: two horizontally adjacent blocks
 * (merging horizontal neighbours comes first because x takes the even bits).
 *
 * Two ways of addressing nodes, one tree:
 * - by Morton index, within a subtree whose leaves come in Morton order (`mortonLevels`);
 *   the sibling of node i is node i XOR 1;
 * - by grid position (gx, gy) at a level (`gridLevels`): a node at level L covers
 *   spanX × spanY tiles with spanX = 2^ceil(L/2), spanY = 2^floor(L/2), and the nodes
 *   that cover at least one tile of the grid form a rectangle of
 *   nx = ceil(tilesX / spanX) by ny = ceil(tilesY / spanY), stored row-major. Every
 *   node outside that rectangle is an empty subtree, zeroHashes[L]: it is never stored.
 *   From an even level to the next, horizontal pairs (2gx, 2gx + 1) merge; from an odd
 *   level, vertical pairs (2gy, 2gy + 1). `nodeIndex` converts.
 *
 * Empty subtrees are not hashed: a parent of two empty subtrees of level L is
 * zeroHashes[L + 1] by definition (zero-hashes.ts), so computing it is skipped. This is
 * not an assumption about hash values — the skipped hash would return exactly that.
 *
 * Proofs for blocks of tiles (`TileBlockProof`): the siblings from the block's subtree
 * root (level 2k) up to the dataset root, lowest level first, exactly as `computeRoot`
 * in core/merkle/merkle-proof.ts consumes them with the block's Morton index at level 2k.
 * @module
 */
import { assertArray, assertInteger, rangeError, typeError } from '../assert.ts';
import { bug } from '../errors.ts';
import { assertField } from '../field.ts';
import { computeRoot } from '../merkle/merkle-proof.ts';
import { MERKLE_MAX_DEPTH, merkleNode } from '../merkle/merkle-node.ts';
import { zeroHashes } from '../merkle/zero-hashes.ts';
import { MORTON_MAX_COORD, mortonDecode, mortonEncode } from './morton.ts';

/** Size of a dataset in tiles. */
export interface TileGrid {
  /** Tile columns, 1..2^16. */
  readonly tilesX: number;
  /** Tile rows, 1..2^16. */
  readonly tilesY: number;
}

/** Levels of a tree part: `levels[i]` holds the nodes of level `fromLevel + i`. */
export type TreeLevels = readonly (readonly bigint[])[];

/**
 * Checks a tile grid: 1..2^16 tiles each way (Morton indexes below 2^32).
 * @throws {TypeError|RangeError} naming the bad field
 * @example assertTileGrid({ tilesX: 12, tilesY: 14 }, 'grid')
 */
export function assertTileGrid(grid: unknown, title: string): asserts grid is TileGrid {
  if (typeof grid !== 'object' || grid === null) typeError(title, 'object', grid);
  const g = grid as Record<string, unknown>;
  assertInteger(g.tilesX, `${title}.tilesX`, 1, MORTON_MAX_COORD + 1);
  assertInteger(g.tilesY, `${title}.tilesY`, 1, MORTON_MAX_COORD + 1);
}

/**
 * Depth of the dataset tree: 2 · ceil(log2(max(tilesX, tilesY))), at least 2.
 * @throws {TypeError|RangeError} if a count is not an integer in [1, 2^16]
 * @example datasetTreeDepth(12, 14) // 8  (16 × 16 tiles)
 * @example datasetTreeDepth(1, 1)   // 2
 */
export function datasetTreeDepth(tilesX: number, tilesY: number): number {
  assertTileGrid({ tilesX, tilesY }, 'grid');
  const side = Math.max(tilesX, tilesY);
  let k = 1;
  while (2 ** k < side) k++;
  const depth = 2 * k;
  // side ≤ 2^16, so k ≤ 16 and depth ≤ 32.
  if (depth > MERKLE_MAX_DEPTH) bug('datasetTreeDepth', `depth ${depth}`);
  return depth;
}

function assertLevel(level: unknown, title: string, max = MERKLE_MAX_DEPTH): asserts level is number {
  assertInteger(level, title, 0, max);
}

/**
 * Tiles covered by one node of `level`: spanX = 2^ceil(level/2), spanY = 2^floor(level/2).
 * @throws {TypeError|RangeError} if level is not an integer in [0, 32]
 * @example levelSpan(3) // { spanX: 4, spanY: 2 }
 */
export function levelSpan(level: number): { spanX: number; spanY: number } {
  assertLevel(level, 'level');
  return { spanX: 2 ** Math.ceil(level / 2), spanY: 2 ** Math.floor(level / 2) };
}

/**
 * The rectangle of nodes of `level` that cover at least one tile of the grid.
 * @throws {TypeError|RangeError} if the grid or level is invalid
 * @example levelGridSize({ tilesX: 12, tilesY: 14 }, 2) // { nx: 6, ny: 7 }
 */
export function levelGridSize(grid: TileGrid, level: number): { nx: number; ny: number } {
  assertTileGrid(grid, 'grid');
  const { spanX, spanY } = levelSpan(level);
  return { nx: Math.ceil(grid.tilesX / spanX), ny: Math.ceil(grid.tilesY / spanY) };
}

/**
 * Morton index at `level` of the node at grid position (gx, gy): the index of its
 * north-west tile divided by 2^level.
 * @throws {TypeError|RangeError} if the node's north-west tile lies beyond 2^16 − 1
 * @example nodeIndex(2, 1, 1) // 3  (the block of tiles x 2..3, y 2..3)
 */
export function nodeIndex(level: number, gx: number, gy: number): number {
  const { spanX, spanY } = levelSpan(level);
  assertInteger(gx, 'gx', 0, Math.floor(MORTON_MAX_COORD / spanX));
  assertInteger(gy, 'gy', 0, Math.floor(MORTON_MAX_COORD / spanY));
  return mortonEncode(gx * spanX, gy * spanY) / 2 ** level;
}

/**
 * Grid position at `level` of the node with Morton index `index`; inverse of `nodeIndex`.
 * @throws {TypeError|RangeError} if index ≥ 2^(32 − level)
 * @example nodePosition(2, 3) // { gx: 1, gy: 1 }
 */
export function nodePosition(level: number, index: number): { gx: number; gy: number } {
  assertLevel(level, 'level');
  assertInteger(index, 'index', 0, 2 ** (MERKLE_MAX_DEPTH - level) - 1);
  const { tileX, tileY } = mortonDecode(index * 2 ** level);
  const { spanX, spanY } = levelSpan(level);
  return { gx: tileX / spanX, gy: tileY / spanY };
}

// Parent of two nodes of `level`, skipping the hash of two empty subtrees.
function parent(left: bigint, right: bigint, zero: bigint, zeroAbove: bigint): bigint {
  return left === zero && right === zero ? zeroAbove : merkleNode(left, right);
}

/**
 * All levels of a subtree of height `height` from leaves in Morton order: levels[0] are
 * the leaves (padded with empty leaves to 2^height), levels[height] = [root].
 * @param leaves - at most 2^height field elements; missing ones are empty (0)
 * @param height - 0..20 (a whole dataset is built block by block, never in one array)
 * @throws {TypeError|RangeError} if an argument is malformed
 * @example mortonLevels([a, b, c, d], 2)[2][0] // node(node(a, b), node(c, d))
 */
export function mortonLevels(leaves: readonly bigint[], height: number): bigint[][] {
  assertInteger(height, 'height', 0, 20);
  assertArray(leaves, 'leaves', 0, 2 ** height);
  for (let i = 0; i < leaves.length; i++) assertField(leaves[i], `leaves[${i}]`);
  const zeros = zeroHashes(height);
  const base = new Array<bigint>(2 ** height);
  for (let i = 0; i < base.length; i++) base[i] = i < leaves.length ? leaves[i]! : zeros[0]!;
  const levels: bigint[][] = [base];
  for (let level = 0; level < height; level++) {
    const below = levels[level]!;
    const above = new Array<bigint>(below.length / 2);
    for (let j = 0; j < above.length; j++) above[j] = parent(below[2 * j]!, below[2 * j + 1]!, zeros[level]!, zeros[level + 1]!);
    levels.push(above);
  }
  return levels;
}

/**
 * Siblings of node `index` of `level` in Morton-addressed levels, from `level` up to
 * `toLevel` − 1 (lowest first).
 * @param levels - output of `mortonLevels` (levels[0] = leaves)
 * @throws {TypeError|RangeError} if the index or levels are out of range
 * @example mortonSiblings(mortonLevels(leaves, 4), 0, 5, 4) // the 4 siblings of leaf 5
 */
export function mortonSiblings(levels: TreeLevels, level: number, index: number, toLevel: number): bigint[] {
  assertArray(levels, 'levels', 1);
  assertInteger(toLevel, 'toLevel', 0, levels.length - 1);
  assertInteger(level, 'level', 0, toLevel);
  assertInteger(index, 'index', 0, levels[level]!.length - 1);
  const out: bigint[] = [];
  for (let l = level, i = index; l < toLevel; l++, i = Math.floor(i / 2)) out.push(levels[l]![i ^ 1]!);
  return out;
}

/**
 * The levels of the dataset tree from `fromLevel` to `toLevel`, grid-addressed: given the
 * nodes of `fromLevel` (row-major over `levelGridSize(grid, fromLevel)`), computes every
 * level above. levels[0] is `nodes` itself.
 * @param grid - the dataset's tile grid
 * @param fromLevel - level of `nodes` (0 = tile leaves)
 * @param nodes - nx · ny field elements, row-major
 * @param toLevel - highest level computed (default: the dataset depth, whose one node is the root)
 * @throws {TypeError|RangeError} if the node count does not match the level's grid or an argument is malformed
 * @example gridLevels({ tilesX: 3, tilesY: 2 }, 0, leaves).at(-1)[0] // the root
 */
export function gridLevels(grid: TileGrid, fromLevel: number, nodes: readonly bigint[], toLevel?: number): bigint[][] {
  const depth = datasetTreeDepth(grid.tilesX, grid.tilesY);
  assertLevel(fromLevel, 'fromLevel', depth);
  const top = toLevel ?? depth;
  assertInteger(top, 'toLevel', fromLevel, depth);
  const first = levelGridSize(grid, fromLevel);
  assertArray(nodes, 'nodes', first.nx * first.ny, first.nx * first.ny);
  for (let i = 0; i < nodes.length; i++) assertField(nodes[i], `nodes[${i}]`);
  const zeros = zeroHashes(depth);
  const levels: bigint[][] = [nodes.slice()];
  let { nx, ny } = first;
  for (let level = fromLevel; level < top; level++) {
    const below = levels[levels.length - 1]!;
    const z = zeros[level]!;
    const zAbove = zeros[level + 1]!;
    // Even level: horizontal pairs merge; odd level: vertical pairs (x takes the even bits).
    const horizontal = level % 2 === 0;
    const px = horizontal ? Math.ceil(nx / 2) : nx;
    const py = horizontal ? ny : Math.ceil(ny / 2);
    const above = new Array<bigint>(px * py);
    for (let gy = 0; gy < py; gy++) {
      for (let gx = 0; gx < px; gx++) {
        let left: bigint;
        let right: bigint;
        if (horizontal) {
          left = below[gy * nx + 2 * gx]!;
          right = 2 * gx + 1 < nx ? below[gy * nx + 2 * gx + 1]! : z;
        } else {
          left = below[2 * gy * nx + gx]!;
          right = 2 * gy + 1 < ny ? below[(2 * gy + 1) * nx + gx]! : z;
        }
        above[gy * px + gx] = parent(left, right, z, zAbove);
      }
    }
    levels.push(above);
    nx = px;
    ny = py;
  }
  return levels;
}

/**
 * Node (gx, gy) of `level` from grid-addressed levels: stored if inside the level's
 * rectangle, zeroHashes[level] outside it.
 * @param levels - output of `gridLevels` for `grid` from `fromLevel`
 * @throws {TypeError|RangeError} if the level is not held by `levels`
 * @example gridNode(grid, levels, 8, 8, 0, 0)
 */
export function gridNode(grid: TileGrid, levels: TreeLevels, fromLevel: number, level: number, gx: number, gy: number): bigint {
  assertInteger(level, 'level', fromLevel, fromLevel + levels.length - 1);
  assertInteger(gx, 'gx');
  assertInteger(gy, 'gy');
  const { nx, ny } = levelGridSize(grid, level);
  if (gx >= nx || gy >= ny) return zeroHashes(level)[level]!;
  const row = levels[level - fromLevel]!;
  if (row.length !== nx * ny) bug('gridNode', `level ${level} holds ${row.length} nodes, want ${nx * ny}`);
  return row[gy * nx + gx]!;
}

/**
 * Siblings of node (gx, gy) of `level`, from `level` up to `toLevel` − 1 (lowest first),
 * read from grid-addressed levels; empty subtrees outside the grid are zeroHashes.
 * @throws {TypeError|RangeError} if a level is not held by `levels`
 * @example gridSiblings(grid, upper, 8, 8, 3, 1, depth)
 */
export function gridSiblings(grid: TileGrid, levels: TreeLevels, fromLevel: number, level: number, gx: number, gy: number, toLevel: number): bigint[] {
  assertInteger(toLevel, 'toLevel', level, fromLevel + levels.length - 1);
  const out: bigint[] = [];
  for (let l = level; l < toLevel; l++) {
    if (l % 2 === 0) {
      out.push(gridNode(grid, levels, fromLevel, l, gx ^ 1, gy));
      gx = Math.floor(gx / 2);
    } else {
      out.push(gridNode(grid, levels, fromLevel, l, gx, gy ^ 1));
      gy = Math.floor(gy / 2);
    }
  }
  return out;
}

/**
 * Proof that an aligned block of 2^k × 2^k tiles has subtree root `blockRoot` in the
 * dataset tree of root `root`. Plain data.
 */
export interface TileBlockProof {
  /** Dataset tree depth (even, 2..32). */
  readonly depth: number;
  /** k: the block is 2^k × 2^k tiles, its subtree root sits at level 2k ≤ depth. */
  readonly blockLog2: number;
  /** North-west tile of the block; both multiples of 2^k. */
  readonly tileX0: number;
  readonly tileY0: number;
  /** Morton index of the block's subtree root at level 2k: mortonEncode(tileX0 >> k, tileY0 >> k). */
  readonly index: number;
  /** Root of the block's subtree (level 2k). */
  readonly blockRoot: bigint;
  /** depth − 2k siblings, level 2k first. */
  readonly siblings: readonly bigint[];
  /** The dataset root. */
  readonly root: bigint;
}

/**
 * Checks the shape of a block proof: consistent depth, alignment, index and sibling count.
 * Says nothing about whether it is correct.
 * @throws {TypeError|RangeError} naming the bad field
 * @example assertTileBlockProof(proof, 'proof')
 */
export function assertTileBlockProof(proof: unknown, title: string): asserts proof is TileBlockProof {
  if (typeof proof !== 'object' || proof === null || Array.isArray(proof)) typeError(title, 'object', proof);
  const p = proof as Record<string, unknown>;
  assertInteger(p.depth, `${title}.depth`, 2, MERKLE_MAX_DEPTH);
  if (p.depth % 2 !== 0) rangeError(`${title}.depth`, 'an even depth', p.depth);
  assertInteger(p.blockLog2, `${title}.blockLog2`, 0, p.depth / 2);
  const span = 2 ** p.blockLog2;
  assertInteger(p.tileX0, `${title}.tileX0`, 0, 2 ** (p.depth / 2) - span);
  assertInteger(p.tileY0, `${title}.tileY0`, 0, 2 ** (p.depth / 2) - span);
  if (p.tileX0 % span !== 0) rangeError(`${title}.tileX0`, `a multiple of ${span}`, p.tileX0);
  if (p.tileY0 % span !== 0) rangeError(`${title}.tileY0`, `a multiple of ${span}`, p.tileY0);
  const want = mortonEncode(p.tileX0 / span, p.tileY0 / span);
  if (p.index !== want) rangeError(`${title}.index`, `${want}, the Morton index of the block`, p.index);
  assertField(p.blockRoot, `${title}.blockRoot`);
  const n = p.depth - 2 * p.blockLog2;
  assertArray(p.siblings, `${title}.siblings`, n, n);
  for (let i = 0; i < n; i++) assertField(p.siblings[i], `${title}.siblings[${i}]`);
  assertField(p.root, `${title}.root`);
}

/**
 * Whether the block's root hashes up to the dataset root through the proof's siblings.
 * @returns false for a well-formed proof that does not match its root
 * @throws {TypeError|RangeError} if the proof is malformed (see `assertTileBlockProof`)
 * @example verifyTileBlockProof(await tileBlockProof(dataset, 0, 0, 2)) // true
 */
export function verifyTileBlockProof(proof: TileBlockProof): boolean {
  assertTileBlockProof(proof, 'proof');
  if (proof.siblings.length === 0) return proof.blockRoot === proof.root;
  return computeRoot(proof.blockRoot, proof.index, proof.siblings) === proof.root;
}

/**
 * The dataset root of tile leaves given row-major (leaves[tileY · tilesX + tileX]),
 * hashed level by level with `gridLevels`. For whole small datasets and as a reference;
 * the streaming commit computes the same tree block by block.
 * @throws {TypeError|RangeError} if the leaf count is not tilesX · tilesY or a leaf is not a field element
 * @example datasetRoot({ tilesX: 2, tilesY: 1 }, [a, b]) // node(node(a, b), node(0, 0))
 */
export function datasetRoot(grid: TileGrid, leaves: readonly bigint[]): bigint {
  const levels = gridLevels(grid, 0, leaves);
  return levels[levels.length - 1]![0]!;
}
