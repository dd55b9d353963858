import { beforeAll, describe, expect, it } from 'vitest';
import {
  datasetRoot,
  datasetTreeDepth,
  gridLevels,
  gridNode,
  gridSiblings,
  levelGridSize,
  levelSpan,
  mortonLevels,
  mortonSiblings,
  nodeIndex,
  nodePosition,
  verifyTileBlockProof,
  type TileBlockProof,
  type TileGrid,
} from '../../core/raster/dataset-tree.ts';
import { mortonEncode } from '../../core/raster/morton.ts';
import { zeroHashes } from '../../core/merkle/zero-hashes.ts';
import { expectInputError, R } from '../hostile-inputs.ts';
import { loadReferenceHash, referenceDepth, referenceMorton, referenceTreeRoot, type Hash } from './_reference.ts';

// Distinct stand-in leaves (any field elements do: the tree never looks inside a leaf).
const leafOf = (x: number, y: number) => 1000n + BigInt(x) * 7919n + BigInt(y) * 104729n;

function rowMajorLeaves(grid: TileGrid): bigint[] {
  const out: bigint[] = [];
  for (let y = 0; y < grid.tilesY; y++) for (let x = 0; x < grid.tilesX; x++) out.push(leafOf(x, y));
  return out;
}

function referenceRoot(hash: Hash, grid: TileGrid): bigint {
  const leaves = new Map<number, bigint>();
  for (let y = 0; y < grid.tilesY; y++) for (let x = 0; x < grid.tilesX; x++) leaves.set(referenceMorton(x, y), leafOf(x, y));
  return referenceTreeRoot(hash, leaves, referenceDepth(grid.tilesX, grid.tilesY));
}

const GRIDS: TileGrid[] = [
  { tilesX: 1, tilesY: 1 },
  { tilesX: 2, tilesY: 1 },
  { tilesX: 1, tilesY: 2 },
  { tilesX: 3, tilesY: 5 },
  { tilesX: 5, tilesY: 3 },
  { tilesX: 4, tilesY: 4 },
  { tilesX: 7, tilesY: 7 },
  { tilesX: 9, tilesY: 2 },
  { tilesX: 12, tilesY: 14 },
];

describe('datasetTreeDepth', () => {
  describe('when given tile counts', () => {
    it('is 2·ceil(log2(max)), at least 2', () => {
      expect(datasetTreeDepth(1, 1)).toBe(2);
      expect(datasetTreeDepth(2, 2)).toBe(2);
      expect(datasetTreeDepth(3, 1)).toBe(4);
      expect(datasetTreeDepth(12, 14)).toBe(8);
      expect(datasetTreeDepth(16, 16)).toBe(8);
      expect(datasetTreeDepth(17, 1)).toBe(10);
      expect(datasetTreeDepth(2500, 2500)).toBe(24);
      expect(datasetTreeDepth(65536, 1)).toBe(32);
    });
  });

  describe('when a count is 0 or above 2^16', () => {
    it('throws naming the field', () => {
      expectInputError(() => datasetTreeDepth(0, 1), 'grid.tilesX', 'range');
      expectInputError(() => datasetTreeDepth(1, 65537), 'grid.tilesY', 'range');
    });
  });
});

describe('levelSpan, levelGridSize, nodeIndex, nodePosition', () => {
  describe('when moving between levels', () => {
    it('covers 2^ceil(L/2) × 2^floor(L/2) tiles per node and round-trips grid position and Morton index', () => {
      expect(levelSpan(0)).toEqual({ spanX: 1, spanY: 1 });
      expect(levelSpan(1)).toEqual({ spanX: 2, spanY: 1 });
      expect(levelSpan(2)).toEqual({ spanX: 2, spanY: 2 });
      expect(levelSpan(3)).toEqual({ spanX: 4, spanY: 2 });
      expect(levelGridSize({ tilesX: 12, tilesY: 14 }, 2)).toEqual({ nx: 6, ny: 7 });
      expect(levelGridSize({ tilesX: 12, tilesY: 14 }, 3)).toEqual({ nx: 3, ny: 7 });
      for (let level = 0; level <= 8; level++) {
        const { spanX, spanY } = levelSpan(level);
        for (const [gx, gy] of [
          [0, 0],
          [1, 0],
          [0, 1],
          [3, 5],
        ] as const) {
          const index = nodeIndex(level, gx, gy);
          // The node's leaves are [index·2^L, (index+1)·2^L); its north-west tile has the smallest.
          expect(index * 2 ** level, `level ${level} (${gx}, ${gy})`).toBe(mortonEncode(gx * spanX, gy * spanY));
          expect(nodePosition(level, index)).toEqual({ gx, gy });
        }
      }
    });
  });
});

describe('mortonLevels', () => {
  let hash: Hash;
  beforeAll(async () => {
    hash = await loadReferenceHash();
  });

  describe('when given 2^h leaves', () => {
    it('hashes pairs up to the root as the reference does', () => {
      const leaves = [11n, 22n, 33n, 44n, 0n, 0n, 77n, 0n];
      const levels = mortonLevels(leaves, 3);
      const m = new Map(leaves.map((v, i) => [i, v]));
      expect(levels[3]![0]).toBe(referenceTreeRoot(hash, m, 3));
      expect(levels.map((l) => l.length)).toEqual([8, 4, 2, 1]);
    });
  });

  describe('when leaves are missing or zero', () => {
    it('pads with empty leaves and gives empty subtrees their zeroHashes value', () => {
      const levels = mortonLevels([5n], 4);
      expect(levels[4]![0]).toBe(referenceTreeRoot(hash, new Map([[0, 5n]]), 4));
      expect(levels[2]![3]).toBe(zeroHashes(2)[2]);
      expect(mortonLevels([], 3)[3]![0]).toBe(zeroHashes(3)[3]);
    });
  });

  describe('when given too many leaves or a non-field leaf', () => {
    it('throws naming the argument', () => {
      expectInputError(() => mortonLevels([1n, 2n, 3n], 1), 'leaves', 'range');
      expectInputError(() => mortonLevels([R], 1), 'leaves[0]', 'range');
    });
  });
});

describe('datasetRoot', () => {
  let hash: Hash;
  beforeAll(async () => {
    hash = await loadReferenceHash();
  });

  describe('when given small grids of every shape', () => {
    it('equals the naive full tree over Morton-ordered leaves, every node hashed', () => {
      for (const grid of GRIDS) {
        expect(datasetRoot(grid, rowMajorLeaves(grid)), `${grid.tilesX} × ${grid.tilesY}`).toBe(referenceRoot(hash, grid));
      }
    });
  });

  describe('when one leaf changes', () => {
    it('changes the root', () => {
      const grid = { tilesX: 5, tilesY: 3 };
      const leaves = rowMajorLeaves(grid);
      const root = datasetRoot(grid, leaves);
      for (let i = 0; i < leaves.length; i++) {
        const changed = leaves.slice();
        changed[i] = changed[i]! + 1n;
        expect(datasetRoot(grid, changed), `leaf ${i}`).not.toBe(root);
      }
    });
  });

  describe('when the leaf count does not match the grid', () => {
    it('throws naming nodes', () => {
      expectInputError(() => datasetRoot({ tilesX: 2, tilesY: 2 }, [1n, 2n, 3n]), 'nodes', 'range');
    });
  });
});

describe('gridLevels', () => {
  describe('when started from block roots instead of leaves', () => {
    it('reaches the same root: an aligned block of 2^k × 2^k tiles is one subtree', () => {
      for (const grid of GRIDS) {
        const depth = datasetTreeDepth(grid.tilesX, grid.tilesY);
        const full = gridLevels(grid, 0, rowMajorLeaves(grid));
        for (let k = 0; 2 * k <= depth; k++) {
          const span = 2 ** k;
          const { nx, ny } = levelGridSize(grid, 2 * k);
          const blocks: bigint[] = [];
          for (let by = 0; by < ny; by++) {
            for (let bx = 0; bx < nx; bx++) {
              // Leaves of the block in local Morton order; tiles outside the grid are empty.
              const leaves: bigint[] = [];
              for (let m = 0; m < span * span; m++) {
                const { gx: lx, gy: ly } = nodePosition(0, m);
                const x = bx * span + lx;
                const y = by * span + ly;
                leaves.push(x < grid.tilesX && y < grid.tilesY ? leafOf(x, y) : 0n);
              }
              const sub = mortonLevels(leaves, 2 * k);
              blocks.push(sub[2 * k]![0]!);
              expect(sub[2 * k]![0], `block (${bx}, ${by}) k=${k}`).toBe(full[2 * k]![by * nx + bx]);
            }
          }
          const upper = gridLevels(grid, 2 * k, blocks);
          expect(upper[upper.length - 1]![0], `${grid.tilesX} × ${grid.tilesY} from level ${2 * k}`).toBe(full[full.length - 1]![0]);
        }
      }
    });
  });
});

describe('verifyTileBlockProof', () => {
  const grid = { tilesX: 7, tilesY: 5 };
  const depth = datasetTreeDepth(grid.tilesX, grid.tilesY);
  const levels = gridLevels(grid, 0, rowMajorLeaves(grid));
  const root = levels[levels.length - 1]![0]!;

  function proofFor(k: number, gx: number, gy: number): TileBlockProof {
    const span = 2 ** k;
    return {
      depth,
      blockLog2: k,
      tileX0: gx * span,
      tileY0: gy * span,
      index: mortonEncode(gx, gy),
      blockRoot: gridNode(grid, levels, 0, 2 * k, gx, gy),
      siblings: gridSiblings(grid, levels, 0, 2 * k, gx, gy, depth),
      root,
    };
  }

  describe('when built for every aligned block of every size', () => {
    it('verifies', () => {
      for (let k = 0; 2 * k <= depth; k++) {
        const { nx, ny } = levelGridSize(grid, 2 * k);
        for (let gy = 0; gy < ny; gy++) for (let gx = 0; gx < nx; gx++) expect(verifyTileBlockProof(proofFor(k, gx, gy)), `k=${k} (${gx}, ${gy})`).toBe(true);
      }
    });

    it('matches mortonSiblings within a subtree', () => {
      const span = 4;
      const leaves: bigint[] = [];
      for (let m = 0; m < 16; m++) {
        const { gx: x, gy: y } = nodePosition(0, m);
        leaves.push(x < span && y < span ? leafOf(x, y) : 0n);
      }
      const sub = mortonLevels(leaves, 4);
      expect(mortonSiblings(sub, 0, 5, 4)).toEqual(gridSiblings(grid, levels, 0, 0, 3, 0, 4));
    });
  });

  describe('when any sibling has a bit flipped, or the block root or index is wrong', () => {
    it('returns false', () => {
      const p = proofFor(1, 1, 1);
      for (let i = 0; i < p.siblings.length; i++) {
        for (const bit of [0n, 100n, 252n]) {
          const siblings = p.siblings.slice();
          siblings[i] = siblings[i]! ^ (1n << bit);
          if (siblings[i]! >= R) continue;
          expect(verifyTileBlockProof({ ...p, siblings }), `sibling ${i} bit ${bit}`).toBe(false);
        }
      }
      expect(verifyTileBlockProof({ ...p, blockRoot: p.blockRoot ^ 1n })).toBe(false);
      const q = proofFor(1, 2, 1);
      expect(verifyTileBlockProof({ ...q, blockRoot: p.blockRoot })).toBe(false);
    });
  });

  describe('when the proof is malformed', () => {
    it('throws naming the field', () => {
      const p = proofFor(1, 1, 1);
      expectInputError(() => verifyTileBlockProof({ ...p, index: p.index + 1 }), 'proof.index', 'range');
      expectInputError(() => verifyTileBlockProof({ ...p, tileX0: 1 }), 'proof.tileX0', 'range');
      expectInputError(() => verifyTileBlockProof({ ...p, siblings: p.siblings.slice(1) }), 'proof.siblings', 'range');
      expectInputError(() => verifyTileBlockProof({ ...p, depth: 7 }), 'proof.depth', 'range');
      expectInputError(() => verifyTileBlockProof({ ...p, root: R }), 'proof.root', 'range');
    });
  });

  describe('when the block is the whole tree', () => {
    it('has no siblings and verifies iff blockRoot = root', () => {
      const p = proofFor(depth / 2, 0, 0);
      expect(p.siblings).toEqual([]);
      expect(verifyTileBlockProof(p)).toBe(true);
      expect(verifyTileBlockProof({ ...p, root: p.root ^ 1n })).toBe(false);
    });
  });
});
