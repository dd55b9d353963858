// `canopy dataset commit|info|verify`, run in-process through prover/cli/main.ts on the
// real crop (examples/data/hansen, CC BY 4.0) and on small synthetic rasters.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../core/canonical-json.ts';
import { commitOptionsFromFlags } from '../../prover/cli/commands/dataset.ts';
import { formatDuration, formatRate } from '../../prover/cli/commands/_dataset-progress.ts';
import { writeGeoTiff } from './_geotiff.ts';
import { CROP, tempDir, writePair } from './_dirs.ts';
import { runCanopy, type CanopyRun } from '../_canopy.ts';

const CROP_ROOT = '2262517184010239590398625710509855641899159842548649030506850466242051024006';

type Run = CanopyRun;
const canopy = (isTty: boolean, ...args: string[]): Promise<Run> => runCanopy(args, isTty);
const run = (...args: string[]) => canopy(false, ...args);

let dir: string;
beforeAll(() => {
  dir = tempDir('cli');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('canopy dataset commit', () => {
  describe('when run on the real crop with --json', () => {
    let r: Run;
    beforeAll(async () => {
      r = await run('dataset', 'commit', '--lossyear', CROP.lossYear, '--treecover', CROP.treeCover, '--out', join(dir, 'crop'), '--json');
    });

    it('exits 0 and prints the root and pixel counts as JSON on stdout only', () => {
      expect(r.code, r.err).toBe(0);
      const j = JSON.parse(r.out);
      expect(j.root).toBe(CROP_ROOT);
      expect(j.lossPostCutoffPixels).toBe(265);
      expect(j.pixels).toBe(192 * 221);
      expect(j.nodataPixels).toBe(0);
      expect(j.layerRule).toEqual({ name: 'hansen-lossyear-treecover/v1', params: { canopyThreshold: 10 } });
      expect(j.tiles).toEqual({ order: 'morton-x-even', size: 16, x: 12, y: 14 });
      expect(j.manifestSha256).toBe(createHash('sha256').update(readFileSync(join(dir, 'crop', 'manifest.json'))).digest('hex'));
    });

    it('writes plain progress lines to stderr when stderr is not a terminal', () => {
      expect(r.err).toMatch(/dataset commit: hashing the source files/);
      expect(r.err).toMatch(/dataset commit: band 1\/1 \(100\.0 %\), .*px\/s, .* in all/);
      expect(r.err).not.toMatch(/\x1b\[/);
    });
  });

  describe('when run without --json', () => {
    it('prints the root, the grid, the rule and the post-2020 loss count', async () => {
      const r = await run('dataset', 'commit', '--lossyear', CROP.lossYear, '--treecover', CROP.treeCover, '--out', join(dir, 'crop-text'));
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(new RegExp(`^dataset root ${CROP_ROOT}\n`));
      expect(r.out).toMatch(/192 × 221 pixels of 250 µ°, upper-left \(-71\.737750, 18\.687000\)/);
      expect(r.out).toMatch(/265 with loss in 2021 or later/);
      expect(r.out).toMatch(/credit +Hansen, M\. C\./);
    });
  });

  describe('when given --canopy-threshold, --tile-size and --workers', () => {
    it('records them and changes the root', async () => {
      const r = await run('dataset', 'commit', '--lossyear', CROP.lossYear, '--treecover', CROP.treeCover, '--out', join(dir, 'crop-t30'), '--canopy-threshold', '30', '--tile-size', '8', '--workers', '0', '--json');
      expect(r.code, r.err).toBe(0);
      const j = JSON.parse(r.out);
      expect(j.layerRule.params.canopyThreshold).toBe(30);
      expect(j.tiles.size).toBe(8);
      expect(j.workers).toBe(0);
      expect(j.root).not.toBe(CROP_ROOT);
      expect(commitOptionsFromFlags({ lossyear: 'l', treecover: 't', out: 'o', canopyThreshold: 30, tileSize: 8, workers: 2 })).toEqual({
        lossYear: 'l',
        treeCover: 't',
        outDir: 'o',
        canopyThreshold: 30,
        tileSize: 8,
        workers: 2,
      });
    });
  });

  describe('when stderr is a terminal', () => {
    it('draws a progress bar with an ETA', async () => {
      const pair = writePair(dir, 64, 64, 3);
      const r = await canopy(true, 'dataset', 'commit', '--lossyear', pair.lossYear, '--treecover', pair.treeCover, '--out', join(dir, 'tty'), '--tile-size', '2', '--workers', '0');
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/dataset commit \[[=-]+\] \d+% \| band \d+\/\d+ \| .* \| ETA \d+s/);
      expect(r.err).toMatch(/\x1b\[/);
    });
  });

  describe('when a flag value is invalid', () => {
    it('exits 2 for a tile size that is not a power of two up to 16, a threshold above 100, a missing flag', async () => {
      const base = ['dataset', 'commit', '--lossyear', CROP.lossYear, '--treecover', CROP.treeCover, '--out', join(dir, 'never')];
      for (const extra of [
        ['--tile-size', '3'],
        ['--tile-size', '32'],
        ['--canopy-threshold', '101'],
        ['--canopy-threshold', '1e1'],
        ['--workers', '-1'],
      ]) {
        const r = await run(...base, ...extra);
        expect(r.code, extra.join(' ')).toBe(2);
        expect(r.err).toMatch(/expected/);
      }
      expect((await run('dataset', 'commit', '--lossyear', CROP.lossYear, '--out', join(dir, 'never'))).code).toBe(2);
    });
  });

  describe('when a source is invalid', () => {
    it('exits 1 with one line naming the file', async () => {
      const bad = join(dir, 'uint16.tif');
      writeGeoTiff(bad, new Uint16Array(192 * 221), { width: 192, height: 221 });
      const r = await run('dataset', 'commit', '--lossyear', bad, '--treecover', CROP.treeCover, '--out', join(dir, 'bad'));
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/canopy: INVALID_INPUT: .*uint16\.tif: sample type uint16, want uint8\n$/);
    });
  });

  describe('when asked for --help', () => {
    it('explains the rule, the tiles, the output and resuming', async () => {
      const r = await run('dataset', 'commit', '--help');
      expect(r.code).toBe(0);
      for (const text of ['--lossyear', '--treecover', '--canopy-threshold', '--tile-size', '--out', '--json', 'hansen-lossyear-treecover/v1', 'Morton', 'upper-tree.bin', 'resume']) expect(r.out).toContain(text);
      expect((await run('dataset', 'verify', '--help')).out).toMatch(/source files +each GeoTIFF has the size and SHA-256/);
      expect((await run('dataset', 'info', '--help')).out).toMatch(/does not read the source rasters/);
    });
  });
});

describe('canopy dataset info', () => {
  describe('when given a committed directory', () => {
    it('prints the manifest summary, and the manifest with counts under --json', async () => {
      const text = await run('dataset', 'info', join(dir, 'crop'));
      expect(text.code, text.err).toBe(0);
      expect(text.out).toContain(`dataset root ${CROP_ROOT}`);
      expect(text.out).toMatch(/tiles +12 × 14 of 16 × 16 pixels, Morton order, tree depth 8/);
      const json = await run('dataset', 'info', join(dir, 'crop'), '--json');
      const j = JSON.parse(json.out);
      expect(j.manifest.root).toBe(CROP_ROOT);
      expect(j.lossPostCutoffPixels).toBe(265);
      expect(j.sourcePaths.lossYear).toBe(CROP.lossYear);
    });
  });

  describe('when the directory holds no dataset', () => {
    it('exits 1 with NOT_FOUND', async () => {
      const r = await run('dataset', 'info', join(dir, 'nothing-here'));
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/NOT_FOUND: .*is not a dataset/);
    });
  });
});

describe('canopy dataset verify', () => {
  // A private copy of the sources beside each dataset, so tests can damage them.
  function fresh(name: string): { ds: string; loss: string; cover: string } {
    const base = join(dir, name);
    mkdirSync(join(base, 'src'), { recursive: true });
    const loss = join(base, 'src', 'lossyear.tif');
    const cover = join(base, 'src', 'treecover2000.tif');
    copyFileSync(CROP.lossYear, loss);
    copyFileSync(CROP.treeCover, cover);
    return { ds: join(base, 'ds'), loss, cover };
  }

  describe('when nothing changed', () => {
    it('exits 0 with every step ok', async () => {
      const f = fresh('v-ok');
      expect((await run('dataset', 'commit', '--lossyear', f.loss, '--treecover', f.cover, '--out', f.ds)).code).toBe(0);
      const r = await run('dataset', 'verify', f.ds);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(new RegExp(`^OK: .* verifies, root ${CROP_ROOT}`));
      for (const step of ['manifest', 'upper tree', 'source files', 'grids', 'blocks', 'root']) expect(r.out).toMatch(new RegExp(`ok +${step}`));
      const j = JSON.parse((await run('dataset', 'verify', f.ds, '--json', '--workers', '0')).out);
      expect(j.ok).toBe(true);
      expect(j.steps.map((s: { name: string }) => s.name)).toEqual(['manifest', 'upper tree', 'source files', 'grids', 'blocks', 'root']);
    });
  });

  describe('when one pixel of a source file changed', () => {
    it('exits 1 naming the file whose SHA-256 differs', async () => {
      const f = fresh('v-pixel');
      expect((await run('dataset', 'commit', '--lossyear', f.loss, '--treecover', f.cover, '--out', f.ds)).code).toBe(0);
      const pair = { width: 192, height: 221 };
      const pixels = new Uint8Array(192 * 221).fill(0);
      writeGeoTiff(f.loss, pixels, pair);
      const r = await run('dataset', 'verify', f.ds, '--json');
      expect(r.code).toBe(1);
      const j = JSON.parse(r.out);
      expect(j.ok).toBe(false);
      expect(j.steps.at(-1).name).toBe('source files');
      expect(j.firstMismatch).toMatch(/source lossyear .*lossyear\.tif: /);
      expect(r.err).toMatch(/ARTIFACT_MISMATCH: dataset verify: source files: source lossyear/);
    });
  });

  describe('when the two source files were swapped', () => {
    it('exits 1 naming the lossyear file first', async () => {
      const f = fresh('v-swap');
      expect((await run('dataset', 'commit', '--lossyear', f.loss, '--treecover', f.cover, '--out', f.ds)).code).toBe(0);
      const loss = readFileSync(f.loss);
      writeFileSync(f.loss, readFileSync(f.cover));
      writeFileSync(f.cover, loss);
      const r = await run('dataset', 'verify', f.ds);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/^MISMATCH: /);
      expect(r.out).toMatch(/FAIL source files +source lossyear .*lossyear\.tif: 19477 bytes, the manifest says 4725/);
    });
  });

  describe('when a pixel changed and the manifest was re-signed with the new SHA-256', () => {
    it('exits 1 naming the block whose recomputed root differs from the stored tree', async () => {
      const f = fresh('v-block');
      const pair = writePair(join(dir, 'v-block'), 70, 40, 5);
      copyFileSync(pair.lossYear, f.loss);
      copyFileSync(pair.treeCover, f.cover);
      expect((await run('dataset', 'commit', '--lossyear', f.loss, '--treecover', f.cover, '--out', f.ds, '--tile-size', '4')).code).toBe(0);
      const loss = pair.lossYearPixels.slice();
      const cover = pair.treeCoverPixels.slice();
      // Pixel (col 66, row 35): a forest pixel gets a post-2020 loss year.
      cover[35 * 70 + 66] = 90;
      loss[35 * 70 + 66] = loss[35 * 70 + 66] === 22 ? 23 : 22;
      writeGeoTiff(f.loss, loss, { width: 70, height: 40 });
      writeGeoTiff(f.cover, cover, { width: 70, height: 40 });
      const manifestFile = join(f.ds, 'manifest.json');
      const m = JSON.parse(readFileSync(manifestFile, 'utf8'));
      m.sources[0].sha256 = createHash('sha256').update(readFileSync(f.loss)).digest('hex');
      m.sources[1].sha256 = createHash('sha256').update(readFileSync(f.cover)).digest('hex');
      writeFileSync(manifestFile, canonicalJson(m));
      const r = await run('dataset', 'verify', f.ds);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/ok +source files/);
      // 18 × 10 tiles, depth 10, stored level 8: blocks of 16 × 16 tiles = 64 × 64 pixels.
      expect(r.out).toMatch(/FAIL blocks +block \(1, 0\) of level 8 \(pixel columns 64\.\.69, rows 0\.\.39\) hashes to \d+, upper-tree\.bin holds \d+/);
    });
  });

  describe('when upper-tree.bin was damaged', () => {
    it('exits 1 at the manifest step naming the file', async () => {
      const f = fresh('v-upper');
      expect((await run('dataset', 'commit', '--lossyear', f.loss, '--treecover', f.cover, '--out', f.ds)).code).toBe(0);
      const file = join(f.ds, 'upper-tree.bin');
      const b = readFileSync(file);
      b[b.length - 40] = b[b.length - 40]! ^ 0x80;
      writeFileSync(file, b);
      const r = await run('dataset', 'verify', f.ds);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/FAIL manifest +.*upper-tree\.bin: 80 bytes with SHA-256/);
    });
  });
});

describe('formatDuration and formatRate', () => {
  describe('when given seconds and pixel rates', () => {
    it('writes them short', () => {
      expect(formatDuration(42.4)).toBe('42s');
      expect(formatDuration(125)).toBe('2m05s');
      expect(formatDuration(3780)).toBe('1h03m');
      expect(formatDuration(Infinity)).toBe('?');
      expect(formatRate(950)).toBe('950 px/s');
      expect(formatRate(78_400)).toBe('78.4 kpx/s');
      expect(formatRate(3.14e6)).toBe('3.1 Mpx/s');
      expect(formatRate(0)).toBe('? px/s');
    });
  });
});
