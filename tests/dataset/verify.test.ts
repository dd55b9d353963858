import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../core/canonical-json.ts';
import { CanopyError } from '../../core/errors.ts';
import { HashPool } from '../../prover/dataset/_hash-pool.ts';
import { commitDataset } from '../../prover/dataset/commit.ts';
import { verifyDataset } from '../../prover/dataset/verify.ts';
import { writeGeoTiff } from './_geotiff.ts';
import { tempDir, writePair, type SourcePair } from './_dirs.ts';

let dir: string;
let pair: SourcePair;
let out: string;
beforeAll(async () => {
  dir = tempDir('verify');
  // 25 × 15 tiles of 4 px, stored levels ≥ 2: 8 bands of 13 blocks.
  pair = writePair(dir, 100, 60, 61);
  out = join(dir, 'ds');
  await commitDataset({ lossYear: pair.lossYear, treeCover: pair.treeCover, outDir: out, tileSize: 4, upperFromLevel: 2, workers: 0 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('verifyDataset', () => {
  describe('when nothing changed', () => {
    it('passes every step on worker threads and on this thread, reporting progress per band', async () => {
      for (const workers of [2, 0]) {
        const bands: number[] = [];
        const r = await verifyDataset(out, { workers, onProgress: (p) => p.phase === 'bands' && p.bandsDone > 0 && bands.push(p.bandsDone) });
        expect(r.ok, JSON.stringify(r.steps)).toBe(true);
        expect(r.steps.map((s) => s.name)).toEqual(['manifest', 'upper tree', 'source files', 'grids', 'blocks', 'root']);
        expect(r.firstMismatch).toBeUndefined();
        expect(bands).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      }
    });
  });

  describe('when a pixel changed and the manifest records the new SHA-256', () => {
    it('fails at the blocks step naming the block that holds the pixel, on worker threads too', async () => {
      const loss = pair.lossYearPixels.slice();
      const cover = pair.treeCoverPixels.slice();
      // Pixel (col 41, row 22): tile (10, 5), block of 2 × 2 tiles (5, 2), band 2.
      cover[22 * 100 + 41] = 77;
      loss[22 * 100 + 41] = loss[22 * 100 + 41] === 23 ? 22 : 23;
      const original = [readFileSync(pair.lossYear), readFileSync(pair.treeCover)];
      const manifestFile = join(out, 'manifest.json');
      const manifestText = readFileSync(manifestFile, 'utf8');
      try {
        writeGeoTiff(pair.lossYear, loss, { width: 100, height: 60 });
        writeGeoTiff(pair.treeCover, cover, { width: 100, height: 60 });
        const m = JSON.parse(manifestText);
        m.sources[0].sha256 = createHash('sha256').update(readFileSync(pair.lossYear)).digest('hex');
        m.sources[1].sha256 = createHash('sha256').update(readFileSync(pair.treeCover)).digest('hex');
        writeFileSync(manifestFile, canonicalJson(m));
        for (const workers of [0, 2]) {
          const r = await verifyDataset(out, { workers });
          expect(r.ok).toBe(false);
          expect(r.steps.at(-1)!.name).toBe('blocks');
          expect(r.firstMismatch).toMatch(/^block \(5, 2\) of level 2 \(pixel columns 40\.\.47, rows 16\.\.23\) hashes to \d+, upper-tree\.bin holds \d+$/);
        }
      } finally {
        writeFileSync(pair.lossYear, original[0]!);
        writeFileSync(pair.treeCover, original[1]!);
        writeFileSync(manifestFile, manifestText);
      }
      expect((await verifyDataset(out, { workers: 0 })).ok).toBe(true);
    });
  });

  describe('when the directory holds no dataset', () => {
    it('fails at the manifest step', async () => {
      const r = await verifyDataset(join(dir, 'missing'));
      expect(r.ok).toBe(false);
      expect(r.steps).toHaveLength(1);
      expect(r.firstMismatch).toMatch(/is not a dataset/);
    });
  });

  describe('when given a bad worker count', () => {
    it('throws naming workers', async () => {
      await expect(verifyDataset(out, { workers: -1 })).rejects.toThrow(/"workers" expected integer in \[0, 64\]/);
    });
  });
});

describe('HashPool', () => {
  describe('when a job is invalid', () => {
    it('rejects that job with the worker error and keeps serving others', async () => {
      const pool = new HashPool(1);
      try {
        const shape = { tiles: { tilesX: 2, tilesY: 2 }, tileSize: 2, blockLog2: 1 };
        const pixels = new Uint8Array(16).fill(3);
        const bad = pool.run({ shape, bx0: 5, by: 0, count: 1, window: { pixels, col0: 0, row0: 0, width: 4, height: 4 } });
        await expect(bad).rejects.toBeInstanceOf(CanopyError);
        await expect(pool.run({ shape, bx0: 5, by: 0, count: 1, window: { pixels: pixels.slice(), col0: 0, row0: 0, width: 4, height: 4 } })).rejects.toThrow(/hashing blocks 5\.\.5 of block row 0: RangeError: "bx" expected/);
        const good = await pool.run({ shape, bx0: 0, by: 0, count: 1, window: { pixels: pixels.slice(), col0: 0, row0: 0, width: 4, height: 4 } });
        expect(good).toHaveLength(1);
      } finally {
        await pool.close();
      }
      await expect(pool.run({ shape: { tiles: { tilesX: 1, tilesY: 1 }, tileSize: 1, blockLog2: 0 }, bx0: 0, by: 0, count: 1, window: { pixels: new Uint8Array(1), col0: 0, row0: 0, width: 1, height: 1 } })).rejects.toThrow(/after close/);
    });
  });
});
