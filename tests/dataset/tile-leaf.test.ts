import { beforeAll, describe, expect, it } from 'vitest';
import { packBytes } from '../../core/pack-bytes.ts';
import { assertTileSize, DEFAULT_TILE_SIZE, extractTile, MAX_TILE_SIZE, tileLeaf } from '../../core/raster/tile-leaf.ts';
import { expectInputError } from '../hostile-inputs.ts';
import { loadReferenceHash, randomBytes, referencePack, referenceTile, TILE_TAG, type Hash } from './_reference.ts';

describe('tileLeaf', () => {
  let hash: Hash;
  beforeAll(async () => {
    hash = await loadReferenceHash();
  });

  describe('when given a 16 × 16 tile', () => {
    it('packs its 256 bytes into 9 elements and hashes 11 inputs after the tag, as circomlibjs computes it', () => {
      const pixels = randomBytes(256, 11);
      const packed = referencePack(pixels);
      expect(packed.length).toBe(9);
      expect(packBytes(pixels)).toEqual(packed);
      const want = hash([TILE_TAG, 5n, 7n, ...packed]);
      expect(tileLeaf(5, 7, pixels, 16)).toBe(want);
      expect(tileLeaf(5, 7, pixels)).toBe(want);
      expect(DEFAULT_TILE_SIZE).toBe(16);
    });

    it('binds the position: the same pixels at another tile, or with x and y swapped, give another leaf', () => {
      const pixels = randomBytes(256, 12);
      const leaf = tileLeaf(5, 7, pixels);
      expect(tileLeaf(7, 5, pixels)).not.toBe(leaf);
      expect(tileLeaf(5, 8, pixels)).not.toBe(leaf);
    });

    it('changes when one pixel changes, whichever element holds it', () => {
      const pixels = randomBytes(256, 13);
      const leaf = tileLeaf(0, 0, pixels);
      for (const i of [0, 30, 31, 247, 248, 255]) {
        const changed = pixels.slice();
        changed[i] = changed[i]! ^ 1;
        expect(tileLeaf(0, 0, changed), `pixel ${i}`).not.toBe(leaf);
      }
    });
  });

  describe('when given smaller tiles', () => {
    it('hashes ceil(T²/31) packed elements for T = 1, 2, 4, 8', () => {
      for (const t of [1, 2, 4, 8]) {
        const pixels = randomBytes(t * t, t);
        const packed = referencePack(pixels);
        expect(packed.length).toBe(Math.ceil((t * t) / 31));
        expect(tileLeaf(3, 1, pixels, t), `T = ${t}`).toBe(hash([TILE_TAG, 3n, 1n, ...packed]));
      }
    });
  });

  describe('when the pixels do not have T² bytes or a coordinate is out of range', () => {
    it('throws naming the argument', () => {
      expectInputError(() => tileLeaf(0, 0, new Uint8Array(255)), 'pixels', 'range');
      expectInputError(() => tileLeaf(0, 0, new Uint8Array(64), 16), 'pixels', 'range');
      expectInputError(() => tileLeaf(65536, 0, new Uint8Array(256)), 'tileX', 'range');
      expectInputError(() => tileLeaf(0, -1, new Uint8Array(256)), 'tileY', 'range');
      expectInputError(() => tileLeaf(0, 0, new Uint8Array(1024), 32), 'tileSize', 'range');
    });
  });
});

describe('assertTileSize', () => {
  describe('when given a power of two up to 16', () => {
    it('accepts 1, 2, 4, 8, 16', () => {
      for (const t of [1, 2, 4, 8, 16]) expect(() => assertTileSize(t, 'tileSize')).not.toThrow();
      expect(MAX_TILE_SIZE).toBe(16);
    });
  });

  describe('when given anything else', () => {
    it('throws naming the title', () => {
      for (const t of [0, 3, 6, 12, 32, -2]) expectInputError(() => assertTileSize(t, 'tileSize'), 'tileSize', 'range');
      expectInputError(() => assertTileSize(2.5, 'tileSize'), 'tileSize', 'type');
    });
  });
});

describe('extractTile', () => {
  describe('when the tile lies inside the raster', () => {
    it('copies its pixels row-major', () => {
      const raster = randomBytes(40 * 24, 3);
      for (const [tx, ty] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [3, 2],
      ] as const) {
        expect(extractTile(raster, 40, 24, tx * 8, ty * 8, 8), `tile (${tx}, ${ty})`).toEqual(referenceTile(raster, 40, 24, tx, ty, 8));
      }
    });
  });

  describe('when the tile crosses the raster edge', () => {
    it('fills the pixels outside with 255 on the right, at the bottom and in the corner', () => {
      const raster = new Uint8Array(37 * 21).fill(7);
      const tile = extractTile(raster, 37, 21, 32, 16, 8);
      for (let dy = 0; dy < 8; dy++) {
        for (let dx = 0; dx < 8; dx++) expect(tile[dy * 8 + dx], `(${dx}, ${dy})`).toBe(32 + dx < 37 && 16 + dy < 21 ? 7 : 255);
      }
      expect(extractTile(raster, 37, 21, 40, 0, 4)).toEqual(new Uint8Array(16).fill(255));
    });
  });

  describe('when the raster size is wrong', () => {
    it('throws naming raster', () => {
      expectInputError(() => extractTile(new Uint8Array(10), 4, 3, 0, 0, 2), 'raster', 'range');
      expectInputError(() => extractTile(new Uint8Array(12), 4, 3, 0, 0, 2, new Uint8Array(3)), 'out', 'range');
    });
  });
});
