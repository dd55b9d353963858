import { appendFileSync, existsSync, readFileSync, writeFileSync, rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeArrayBuffer } from 'geotiff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { commitDataset, PARTIAL_DIR, type CommitOptions } from '../../prover/dataset/commit.ts';
import { histogramCount, parseManifest } from '../../prover/dataset/manifest.ts';
import { writeGeoTiff, writeTiffByHand } from './_geotiff.ts';
import { CROP, readWhole, tempDir, writePair, type SourcePair } from './_dirs.ts';
import { loadReferenceHash, referenceDatasetRoot, referenceLayer, type Hash } from './_reference.ts';

/** Root of examples/data/hansen at threshold 10, tile size 16 (docs/datasets.md). */
const CROP_ROOT = '2262517184010239590398625710509855641899159842548649030506850466242051024006';

let dir: string;
let hash: Hash;
beforeAll(async () => {
  dir = tempDir('commit');
  hash = await loadReferenceHash();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let outCount = 0;
const nextOut = () => join(dir, `out-${outCount++}`);

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

function commit(pair: { lossYear: string; treeCover: string }, o: Partial<CommitOptions> = {}) {
  return commitDataset({ lossYear: pair.lossYear, treeCover: pair.treeCover, outDir: nextOut(), workers: 0, ...o });
}

describe('commitDataset', () => {
  describe('when given small synthetic rasters', () => {
    it('computes the root of the independent reference (circomlibjs, full tree) for several sizes, tile sizes and thresholds', async () => {
      const cases = [
        { w: 37, h: 21, t: 4, threshold: 10 },
        { w: 37, h: 21, t: 16, threshold: 10 },
        { w: 16, h: 16, t: 16, threshold: 30 },
        { w: 50, h: 9, t: 8, threshold: 0 },
        { w: 3, h: 5, t: 1, threshold: 10 },
      ];
      for (const [i, c] of cases.entries()) {
        const pair = writePair(dir, c.w, c.h, 100 + i);
        const r = await commit(pair, { tileSize: c.t, canopyThreshold: c.threshold });
        const layer = referenceLayer(pair.lossYearPixels, pair.treeCoverPixels, c.threshold);
        expect(r.root, `${c.w} × ${c.h}, T = ${c.t}`).toBe(referenceDatasetRoot(hash, layer, c.w, c.h, c.t));
        expect(r.manifest.root).toBe(r.root.toString());
        for (const v of [0, 5, 21, 255]) expect(r.manifest.histogram[String(v)] ?? 0, `value ${v}`).toBe(layer.filter((x) => x === v).length);
        expect(r.manifest.tiles).toEqual({ order: 'morton-x-even', size: c.t, x: Math.ceil(c.w / c.t), y: Math.ceil(c.h / c.t) });
        expect(r.manifest.layerRule.params.canopyThreshold).toBe(c.threshold);
      }
    });

    it('writes manifest.json and upper-tree.bin and removes the partial directory', async () => {
      const pair = writePair(dir, 20, 20, 7);
      const r = await commit(pair, { tileSize: 4 });
      expect(readdirSync(r.dir).sort()).toEqual(['manifest.json', 'upper-tree.bin']);
      const text = readFileSync(join(r.dir, 'manifest.json'), 'utf8');
      expect(parseManifest(text, 'manifest.json')).toEqual(r.manifest);
      expect(r.manifest.sources.map((s) => s.path)).toEqual(['../src/lossyear-7.tif', '../src/treecover-7.tif']);
      expect(r.manifest.sources.map((s) => s.bytes)).toEqual([readFileSync(pair.lossYear).length, readFileSync(pair.treeCover).length]);
      expect(r.manifest.attribution).toMatch(/^Hansen, M\. C\..*Science 342.*CC BY 4\.0/);
    });
  });

  describe('when given the real Hansen crop (examples/data/hansen)', () => {
    it(`has root ${CROP_ROOT.slice(0, 12)}…, equal to the reference computed from a direct read of the GeoTIFFs, and 265 post-2020 loss pixels`, async () => {
      const r = await commit(CROP);
      const layer = referenceLayer(await readWhole(CROP.lossYear), await readWhole(CROP.treeCover), 10);
      expect(r.manifest.root).toBe(CROP_ROOT);
      expect(r.root).toBe(referenceDatasetRoot(hash, layer, CROP.width, CROP.height, 16));
      expect(histogramCount(r.manifest, 21, 254)).toBe(265);
      expect(layer.filter((v) => v >= 21 && v !== 255).length).toBe(265);
      expect(r.manifest.grid).toEqual({ originLonMicro: -71737750, originLatMicro: 18687000, pixelSizeMicro: 250, width: 192, height: 221 });
      expect(r.manifest.tree.depth).toBe(8);
    });
  });

  describe('when run twice on the same inputs', () => {
    it('writes byte-identical manifests and upper trees', async () => {
      const pair = writePair(dir, 30, 18, 9);
      const a = await commit(pair, { tileSize: 4, upperFromLevel: 2 });
      const b = await commit(pair, { tileSize: 4, upperFromLevel: 2 });
      expect(readFileSync(join(b.dir, 'manifest.json'))).toEqual(readFileSync(join(a.dir, 'manifest.json')));
      expect(readFileSync(join(b.dir, 'upper-tree.bin'))).toEqual(readFileSync(join(a.dir, 'upper-tree.bin')));
      expect(b.manifestSha256).toBe(a.manifestSha256);
    });
  });

  describe('when hashing on worker threads', () => {
    it('gives the same root as the main thread over many bands and jobs', async () => {
      const pair = writePair(dir, 100, 60, 11);
      const main = await commit(pair, { tileSize: 4, upperFromLevel: 2, workers: 0 });
      const pooled = await commit(pair, { tileSize: 4, upperFromLevel: 2, workers: 2 });
      expect(pooled.workers).toBe(2);
      expect(pooled.root).toBe(main.root);
      expect(pooled.root).toBe(referenceDatasetRoot(hash, referenceLayer(pair.lossYearPixels, pair.treeCoverPixels, 10), 100, 60, 4));
    });
  });

  describe('when interrupted and run again', () => {
    let pair: SourcePair;
    let want: bigint;
    beforeAll(async () => {
      pair = writePair(dir, 64, 40, 13);
      want = (await commit(pair, { tileSize: 4, upperFromLevel: 2 })).root;
    });

    async function interrupted(out: string, afterBands: number, o: Partial<CommitOptions> = {}): Promise<void> {
      const abort = new AbortController();
      const reason = new Error('test stop');
      await expect(
        commitDataset({
          lossYear: pair.lossYear,
          treeCover: pair.treeCover,
          outDir: out,
          tileSize: 4,
          upperFromLevel: 2,
          workers: 0,
          signal: abort.signal,
          onProgress: (p) => {
            if (p.phase === 'bands' && p.bandsDone === afterBands) abort.abort(reason);
          },
          ...o,
        }),
      ).rejects.toBe(reason);
    }

    it('leaves no manifest, keeps the checkpoint, and resumes to the same root', async () => {
      const out = nextOut();
      await interrupted(out, 3);
      expect(existsSync(join(out, 'manifest.json'))).toBe(false);
      const checkpoint = JSON.parse(readFileSync(join(out, PARTIAL_DIR, 'checkpoint.json'), 'utf8'));
      expect(checkpoint.bandsDone).toBe(3);
      const r = await commitDataset({ lossYear: pair.lossYear, treeCover: pair.treeCover, outDir: out, tileSize: 4, upperFromLevel: 2, workers: 0 });
      expect(r.resumedBands).toBe(3);
      expect(r.root).toBe(want);
      expect(existsSync(join(out, PARTIAL_DIR))).toBe(false);
    });

    it('ignores block roots written after the last checkpoint (a crash between the two writes)', async () => {
      const out = nextOut();
      await interrupted(out, 2);
      appendFileSync(join(out, PARTIAL_DIR, 'blocks.bin'), new Uint8Array(64).fill(0xab));
      const r = await commitDataset({ lossYear: pair.lossYear, treeCover: pair.treeCover, outDir: out, tileSize: 4, upperFromLevel: 2, workers: 0 });
      expect(r.resumedBands).toBe(2);
      expect(r.root).toBe(want);
    });

    it('starts over when the checkpoint belongs to other inputs (another threshold) or is damaged', async () => {
      const out = nextOut();
      await interrupted(out, 2, { canopyThreshold: 30 });
      const r = await commitDataset({ lossYear: pair.lossYear, treeCover: pair.treeCover, outDir: out, tileSize: 4, upperFromLevel: 2, workers: 0 });
      expect(r.resumedBands).toBe(0);
      expect(r.root).toBe(want);
      const out2 = nextOut();
      await interrupted(out2, 2);
      writeFileSync(join(out2, PARTIAL_DIR, 'checkpoint.json'), '{"format":');
      const r2 = await commitDataset({ lossYear: pair.lossYear, treeCover: pair.treeCover, outDir: out2, tileSize: 4, upperFromLevel: 2, workers: 0 });
      expect(r2.resumedBands).toBe(0);
      expect(r2.root).toBe(want);
    });
  });

  describe('when the output directory already holds a dataset', () => {
    it('refuses to overwrite it', async () => {
      const pair = writePair(dir, 8, 8, 17);
      const r = await commit(pair, { tileSize: 4 });
      await expectRefusal(() => commitDataset({ ...pair, outDir: r.dir, workers: 0 }), 'INVALID_INPUT', /already holds a dataset/);
    });
  });

  describe('when the sources are tiled or striped, raw or Deflate-compressed', () => {
    it('commits the same root as the uncompressed one-strip files', async () => {
      const pair = writePair(dir, 45, 38, 19);
      const want = (await commit(pair, { tileSize: 8 })).root;
      for (const layout of [
        { tile: 16, deflate: true },
        { tile: 32, deflate: false },
        { rowsPerStrip: 1, deflate: true },
        { rowsPerStrip: 7, deflate: true },
      ]) {
        const name = `${'tile' in layout ? `tile${layout.tile}` : `strip${layout.rowsPerStrip}`}-${layout.deflate ? 'deflate' : 'raw'}`;
        const lossYear = join(dir, 'src', `loss-${name}.tif`);
        const treeCover = join(dir, 'src', `cover-${name}.tif`);
        writeTiffByHand(lossYear, pair.lossYearPixels, { width: 45, height: 38, ...layout });
        writeTiffByHand(treeCover, pair.treeCoverPixels, { width: 45, height: 38, ...layout });
        expect(await readWhole(lossYear), name).toEqual(pair.lossYearPixels);
        expect((await commit({ lossYear, treeCover }, { tileSize: 8 })).root, name).toBe(want);
      }
    });
  });

  describe('when a source is not a valid layer', () => {
    const write = (name: string, pixels: Uint8Array | Uint16Array, o: Parameters<typeof writeGeoTiff>[2]) => {
      const path = join(dir, 'src', name);
      writeGeoTiff(path, pixels, o);
      return path;
    };
    let good: SourcePair;
    beforeAll(() => {
      good = writePair(dir, 12, 10, 23);
    });

    it('refuses another CRS, naming the file', async () => {
      const nad83 = write('nad83.tif', good.treeCoverPixels, { width: 12, height: 10, metadata: { GeographicTypeGeoKey: 4269 } });
      await expectRefusal(() => commit({ lossYear: good.lossYear, treeCover: nad83 }), 'INVALID_INPUT', /nad83\.tif: geographic CRS 4269, want EPSG:4326/);
      const merc = write('mercator.tif', good.lossYearPixels, { width: 12, height: 10, metadata: { GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 3857, GeographicTypeGeoKey: undefined } });
      await expectRefusal(() => commit({ lossYear: merc, treeCover: good.treeCover }), 'INVALID_INPUT', /mercator\.tif: model type 1 \(projected CRS EPSG:3857\)/);
    });

    it('refuses uint16 and multi-band files, naming the file', async () => {
      const u16 = write('uint16.tif', new Uint16Array(120), { width: 12, height: 10 });
      await expectRefusal(() => commit({ lossYear: u16, treeCover: good.treeCover }), 'INVALID_INPUT', /uint16\.tif: sample type uint16, want uint8/);
      const rgb = join(dir, 'src', 'rgb.tif');
      const bands = Array.from({ length: 10 }, () => Array.from({ length: 12 }, () => [1, 2, 3]));
      writeFileSync(rgb, new Uint8Array(writeArrayBuffer(bands as never, { width: 12, height: 10, ModelPixelScale: [0.00025, 0.00025, 0], ModelTiepoint: [0, 0, 0, -71.73775, 18.687, 0] } as never)));
      await expectRefusal(() => commit({ lossYear: good.lossYear, treeCover: rgb }), 'INVALID_INPUT', /rgb\.tif: \d+ bands, want a single band/);
    });

    it('refuses two layers on different grids, naming both files and the fields', async () => {
      const shifted = write('shifted.tif', good.treeCoverPixels, { width: 12, height: 10, originLon: -71.7375 });
      await expectRefusal(() => commit({ lossYear: good.lossYear, treeCover: shifted }), 'INVALID_INPUT', /lossyear-23\.tif and .*shifted\.tif are not on the same grid: originLonMicro -71737750 ≠ -71737500/);
      const wider = write('wider.tif', new Uint8Array(130), { width: 13, height: 10 });
      await expectRefusal(() => commit({ lossYear: good.lossYear, treeCover: wider }), 'INVALID_INPUT', /not on the same grid: width 12 ≠ 13/);
    });

    it('refuses a pixel size off whole micro-degrees, another nodata value, and a file that is not a TIFF', async () => {
      const arcsec = write('arcsec.tif', good.treeCoverPixels, { width: 12, height: 10, pixelSize: 1 / 3600 });
      await expectRefusal(() => commit({ lossYear: good.lossYear, treeCover: arcsec }), 'INVALID_INPUT', /arcsec\.tif: pixel width .* not a whole number of micro-degrees/);
      const nodata0 = write('nodata0.tif', good.treeCoverPixels, { width: 12, height: 10, metadata: { GDAL_NODATA: '0' } });
      await expectRefusal(() => commit({ lossYear: good.lossYear, treeCover: nodata0 }), 'INVALID_INPUT', /nodata0\.tif: GDAL_NODATA is 0, want 255/);
      const text = join(dir, 'src', 'notes.tif');
      writeFileSync(text, 'not a tiff at all');
      await expectRefusal(() => commit({ lossYear: text, treeCover: good.treeCover }), 'INVALID_INPUT', /notes\.tif: not a readable/);
    });

    it('refuses a treecover2000 value that is not a percentage, naming the file and pixel', async () => {
      const cover = good.treeCoverPixels.slice();
      cover[3 * 12 + 5] = 150;
      const bad = write('cover150.tif', cover, { width: 12, height: 10 });
      await expectRefusal(() => commit({ lossYear: good.lossYear, treeCover: bad }), 'INVALID_INPUT', /cover150\.tif: pixel \(col 5, row 3\) is 150/);
    });
  });
});
