import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { canonicalJson } from '../../core/canonical-json.ts';
import { datasetTreeDepth, levelGridSize, mortonLevels, verifyTileBlockProof } from '../../core/raster/dataset-tree.ts';
import { mortonDecode } from '../../core/raster/morton.ts';
import { tileLeaf } from '../../core/raster/tile-leaf.ts';
import { commitDataset } from '../../prover/dataset/commit.ts';
import { closeDataset, openDataset, readTiles, readWindow, tileBlockProof, verifySources, type Dataset } from '../../prover/dataset/read-window.ts';
import { CROP, readWhole, tempDir, writePair, type SourcePair } from './_dirs.ts';
import { writeGeoTiff } from './_geotiff.ts';
import { referenceLayer, referenceTile } from './_reference.ts';

let dir: string;
beforeAll(() => {
  dir = tempDir('read');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function expectRefusal(run: () => Promise<unknown>, code: string, message: RegExp): Promise<void> {
  let thrown: unknown;
  try {
    await run();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected a refusal').toBeInstanceOf(CanopyError);
  expect((thrown as CanopyError).code).toBe(code);
  expect((thrown as Error).message).toMatch(message);
}

// The window of a full row-major raster, 255 outside it.
function windowOf(full: Uint8Array, width: number, height: number, col0: number, row0: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h).fill(255);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      const x = col0 + c;
      const y = row0 + r;
      if (x >= 0 && y >= 0 && x < width && y < height) out[r * w + c] = full[y * width + x]!;
    }
  }
  return out;
}

describe('readWindow', () => {
  let ds: Dataset;
  let loss: Uint8Array;
  let cover: Uint8Array;
  beforeAll(async () => {
    const out = join(dir, 'crop');
    await commitDataset({ lossYear: CROP.lossYear, treeCover: CROP.treeCover, outDir: out, workers: 0 });
    ds = await openDataset(out);
    loss = await readWhole(CROP.lossYear);
    cover = await readWhole(CROP.treeCover);
  });
  afterAll(async () => closeDataset(ds));

  describe('when the window lies in, across or outside the real crop', () => {
    it('returns what a direct GeoTIFF read returns, 255 outside the raster, and the rule applied to both', async () => {
      const windows = [
        [0, 0, 192, 221],
        [17, 40, 33, 9],
        [180, 200, 20, 30],
        [-5, -3, 10, 8],
        [191, 220, 1, 1],
        [300, 0, 4, 4],
      ] as const;
      for (const [col0, row0, width, height] of windows) {
        const got = await readWindow(ds, { col0, row0, width, height });
        const wantLoss = windowOf(loss, 192, 221, col0, row0, width, height);
        const wantCover = windowOf(cover, 192, 221, col0, row0, width, height);
        const label = `window (${col0}, ${row0}) ${width} × ${height}`;
        expect(got.lossYear, label).toEqual(wantLoss);
        expect(got.treeCover, label).toEqual(wantCover);
        expect(got.layer, label).toEqual(referenceLayer(wantLoss, wantCover, 10));
      }
    });
  });

  describe('when the window is empty, too large or not integers', () => {
    it('throws naming the field', async () => {
      await expect(readWindow(ds, { col0: 0, row0: 0, width: 0, height: 1 })).rejects.toThrow(/"window.width" expected/);
      await expect(readWindow(ds, { col0: 0.5, row0: 0, width: 1, height: 1 })).rejects.toThrow(/"window.col0" expected/);
      await expect(readWindow(ds, { col0: 0, row0: 0, width: 1 << 14, height: 1 << 13 })).rejects.toThrow(/"window" expected at most/);
    });
  });
});

describe('readTiles', () => {
  let pair: SourcePair;
  let ds: Dataset;
  beforeAll(async () => {
    pair = writePair(dir, 37, 21, 31);
    const out = join(dir, 'tiles');
    await commitDataset({ lossYear: pair.lossYear, treeCover: pair.treeCover, outDir: out, tileSize: 8, workers: 0 });
    ds = await openDataset(out);
  });
  afterAll(async () => closeDataset(ds));

  describe('when the rectangle lies inside the tile grid or crosses its edge', () => {
    it('returns each tile as its leaf hashes it, padded with 255, and null past the grid', async () => {
      const layer = referenceLayer(pair.lossYearPixels, pair.treeCoverPixels, 10);
      const tiles = await readTiles(ds, 2, 1, 4, 3);
      expect(tiles.length).toBe(12);
      for (let dy = 0; dy < 3; dy++) {
        for (let dx = 0; dx < 4; dx++) {
          const tx = 2 + dx;
          const ty = 1 + dy;
          const got = tiles[dy * 4 + dx];
          if (tx < 5 && ty < 3) expect(got, `tile (${tx}, ${ty})`).toEqual(referenceTile(layer, 37, 21, tx, ty, 8));
          else expect(got, `tile (${tx}, ${ty})`).toBeNull();
        }
      }
    });
  });

  describe('when the rectangle starts outside the grid', () => {
    it('throws naming the coordinate', async () => {
      await expect(readTiles(ds, 5, 0, 1, 1)).rejects.toThrow(/"tileX0" expected/);
      await expect(readTiles(ds, 0, -1, 1, 1)).rejects.toThrow(/"tileY0" expected/);
    });
  });
});

describe('tileBlockProof', () => {
  let ds: Dataset;
  beforeAll(async () => {
    // 23 × 13 tiles of 4 px, stored levels ≥ 4: blocks below and above the stored level.
    const pair = writePair(dir, 90, 50, 37);
    const out = join(dir, 'proofs');
    await commitDataset({ lossYear: pair.lossYear, treeCover: pair.treeCover, outDir: out, tileSize: 4, upperFromLevel: 4, workers: 0 });
    ds = await openDataset(out);
  });
  afterAll(async () => closeDataset(ds));

  describe('when asked for every aligned block of every size', () => {
    it('returns proofs that verify against the dataset root', async () => {
      const depth = datasetTreeDepth(ds.tiles.tilesX, ds.tiles.tilesY);
      expect(ds.depth).toBe(depth);
      for (let k = 0; 2 * k <= depth; k++) {
        const { nx, ny } = levelGridSize(ds.tiles, 2 * k);
        const step = k === 0 ? 5 : 1; // every tile would be slow; every 5th tile at k = 0
        for (let gy = 0; gy < ny; gy += step) {
          for (let gx = 0; gx < nx; gx += step) {
            const p = await tileBlockProof(ds, gx * 2 ** k, gy * 2 ** k, k);
            expect(p.root).toBe(ds.root);
            expect(p.siblings.length).toBe(depth - 2 * k);
            expect(verifyTileBlockProof(p), `k=${k} block (${gx}, ${gy})`).toBe(true);
          }
        }
      }
    });

    it('has as block root the subtree of the tiles readTiles returns', async () => {
      const k = 2;
      const tiles = await readTiles(ds, 4, 8, 4, 4);
      const leaves: bigint[] = [];
      for (let m = 0; m < 16; m++) {
        const { tileX: lx, tileY: ly } = mortonDecode(m);
        const t = tiles[ly * 4 + lx];
        leaves.push(t === null || t === undefined ? 0n : tileLeaf(4 + lx, 8 + ly, t, 4));
      }
      expect((await tileBlockProof(ds, 4, 8, k)).blockRoot).toBe(mortonLevels(leaves, 4)[4]![0]);
    });
  });

  describe('when the block is not aligned or lies outside the grid', () => {
    it('throws naming the coordinate', async () => {
      await expect(tileBlockProof(ds, 2, 0, 2)).rejects.toThrow(/"tileX0" expected a multiple of 4/);
      await expect(tileBlockProof(ds, 0, 16, 2)).rejects.toThrow(/"tileY0" expected/);
      await expect(tileBlockProof(ds, 0, 0, 7)).rejects.toThrow(/"blockLog2" expected/);
    });
  });
});

describe('openDataset', () => {
  let pair: SourcePair;
  let out: string;
  beforeAll(async () => {
    pair = writePair(dir, 24, 20, 41);
    out = join(dir, 'open');
    await commitDataset({ lossYear: pair.lossYear, treeCover: pair.treeCover, outDir: out, tileSize: 4, workers: 0 });
  });

  describe('when the directory holds no manifest', () => {
    it('throws NOT_FOUND', async () => {
      await expectRefusal(() => openDataset(join(dir, 'nowhere')), 'NOT_FOUND', /is not a dataset: no manifest\.json/);
    });
  });

  describe('when the manifest or the upper tree was edited', () => {
    it('refuses a non-canonical manifest, a changed root and a changed upper tree', async () => {
      const copy = join(dir, 'edited');
      const text = readFileSync(join(out, 'manifest.json'), 'utf8');
      const setup = (manifest: string) => {
        rmSync(copy, { recursive: true, force: true });
        mkdirSync(copy);
        writeFileSync(join(copy, 'manifest.json'), manifest);
        copyFileSync(join(out, 'upper-tree.bin'), join(copy, 'upper-tree.bin'));
      };
      setup(`${text}\n`);
      await expectRefusal(() => openDataset(copy), 'INVALID_INPUT', /not in canonical form/);
      const m = JSON.parse(text);
      setup(canonicalJson({ ...m, root: '12345' }));
      await expectRefusal(() => openDataset(copy), 'ARTIFACT_MISMATCH', /is not the manifest's root 12345/);
      setup(text);
      const upper = readFileSync(join(copy, 'upper-tree.bin'));
      upper[20] = upper[20]! ^ 1;
      writeFileSync(join(copy, 'upper-tree.bin'), upper);
      await expectRefusal(() => openDataset(copy), 'ARTIFACT_MISMATCH', /upper-tree\.bin: .* the manifest says/);
    });
  });

  describe('when a source file changes after the commit', () => {
    it('refuses the first read (lazy SHA-256 check) naming the file, and verifySources too; checkSources "never" reads it', async () => {
      const original = readFileSync(pair.treeCover);
      try {
        // One pixel changed, same file size (uncompressed), so only the SHA-256 tells.
        const pixels = pair.treeCoverPixels.slice();
        pixels[5] = (pixels[5]! + 1) % 101;
        writeGeoTiff(pair.treeCover, pixels, { width: 24, height: 20 });
        expect(readFileSync(pair.treeCover).length).toBe(original.length);
        const ds = await openDataset(out);
        await expectRefusal(() => readWindow(ds, { col0: 0, row0: 0, width: 4, height: 4 }), 'ARTIFACT_MISMATCH', /source treecover2000 .*treecover-41\.tif: SHA-256/);
        await expectRefusal(() => verifySources(ds), 'ARTIFACT_MISMATCH', /treecover-41\.tif/);
        await closeDataset(ds);
        await expectRefusal(() => openDataset(out, { checkSources: 'now' }), 'ARTIFACT_MISMATCH', /treecover-41\.tif/);
        const trusting = await openDataset(out, { checkSources: 'never' });
        await expect(readWindow(trusting, { col0: 0, row0: 0, width: 4, height: 4 })).resolves.toBeDefined();
        await closeDataset(trusting);
      } finally {
        writeFileSync(pair.treeCover, original);
      }
    });
  });

  describe('when given a bad option', () => {
    it('throws naming it', async () => {
      await expect(openDataset(out, { checkSources: 'sometimes' as never })).rejects.toThrow(/"checkSources" expected/);
      await expect(openDataset(42 as never)).rejects.toThrow(/"dir" expected string/);
    });
  });
});
