// `canopy plot check`, run in-process through prover/cli/main.ts on the real Hansen crop
// committed to a temporary dataset: every flag, the refusals, and the exit codes.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pngjs from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCutoffYear, plotCheckOptionsFromFlags } from '../../prover/cli/commands/plot.ts';
import { pngFileFor } from '../../prover/plot/check-file.ts';
import { MAP_COLOURS } from '../../prover/plot/render-png.ts';
import { commitCrop } from './_crop-dataset.ts';
import { runCanopy, type CanopyRun } from '../_canopy.ts';

type Run = CanopyRun;
const canopy = (...args: string[]): Promise<Run> => runCanopy(args);

let ds: string;
let tmp: string;
let cleanup: () => void;

beforeAll(async () => {
  const crop = await commitCrop();
  ds = crop.dir;
  cleanup = crop.cleanup;
  tmp = mkdtempSync(join(tmpdir(), 'canopy-plot-cli-'));
});
afterAll(() => {
  cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

describe('canopy plot check', () => {
  describe('when given the loss plot', () => {
    it('prints the table with NOT DEFORESTATION-FREE and exits 0', async () => {
      const r = await canopy('plot', 'check', 'examples/plots/loss.geojson', '--dataset', ds);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/^dataset .*\n {2}root \d+\n {2}rule hansen-lossyear-treecover\/v1, canopy threshold 10 %, cut-off 31 Dec 2020\n/);
      expect(r.out).toContain('feature #0 (id "DO-NEIBA-0002"): NOT DEFORESTATION-FREE\n');
      expect(r.out).toContain('\n0 of 1 plot deforestation-free\n');
      expect(r.err).toBe('');
    });
  });

  describe('when given --json', () => {
    it('prints only JSON, with every plot of the collection', async () => {
      const r = await canopy('plot', 'check', 'examples/plots/cooperative.geojson', '--dataset', ds, '--json');
      expect(r.code, r.err).toBe(0);
      const j = JSON.parse(r.out);
      expect(j.cutoffYear).toBe(2020);
      expect(j.dataset.canopyThreshold).toBe(10);
      expect(j.plots.map((p: { verdict: string }) => p.verdict)).toEqual(['deforestation-free', 'not-deforestation-free', 'deforestation-free', 'deforestation-free', 'deforestation-free']);
      expect(j.plots[1].forestLoss.afterCutoffPixels).toBe(32);
      expect(j.pngFiles).toEqual([]);
    });
  });

  describe('when given --cutoff-year', () => {
    it('moves the cut-off: 2023 loss does not fail a 2023 cut-off', async () => {
      const r = await canopy('plot', 'check', 'examples/plots/loss.geojson', '--dataset', ds, '--json', '--cutoff-year', '2023');
      expect(r.code, r.err).toBe(0);
      const j = JSON.parse(r.out);
      expect([j.cutoffYear, j.plots[0].lossFrom, j.plots[0].verdict]).toEqual([2023, 24, 'deforestation-free']);
    });
    it('refuses a year outside 2000..2253 as bad usage (exit 2)', async () => {
      for (const y of ['1999', '2254', '20x0', '']) {
        const r = await canopy('plot', 'check', 'examples/plots/loss.geojson', '--dataset', ds, '--cutoff-year', y);
        expect(r.code, y).toBe(2);
        expect(r.err).toMatch(/expected a year from 2000 to 2253/);
      }
    });
  });

  describe('when given --png', () => {
    it('writes one map for one plot, with red where forest was lost after 2020', async () => {
      const file = join(tmp, 'limon.png');
      const r = await canopy('plot', 'check', 'examples/plots/loss.geojson', '--dataset', ds, '--png', file);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain(`wrote ${file}\n`);
      const img = pngjs.PNG.sync.read(readFileSync(file));
      let red = 0;
      for (let i = 0; i < img.data.length; i += 4) if (img.data[i] === MAP_COLOURS.lossAfterCutoff[0] && img.data[i + 1] === MAP_COLOURS.lossAfterCutoff[1] && img.data[i + 2] === MAP_COLOURS.lossAfterCutoff[2]) red++;
      expect(red).toBeGreaterThan(32 * 100); // 32 pixels of at least 10 × 10 screen pixels, plus the legend
    });
    it('writes one map per plot for a collection, named by feature index', async () => {
      const file = join(tmp, 'coop.png');
      const r = await canopy('plot', 'check', 'examples/plots/cooperative.geojson', '--dataset', ds, '--png', file);
      expect(r.code, r.err).toBe(0);
      for (let i = 0; i < 5; i++) expect(existsSync(join(tmp, `coop-${i}.png`))).toBe(true);
      expect(existsSync(file)).toBe(false);
    });
    it('refuses a file name not ending in .png', async () => {
      const r = await canopy('plot', 'check', 'examples/plots/loss.geojson', '--dataset', ds, '--png', join(tmp, 'map.jpg'));
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^canopy: invalid input: "--png" expected a file name ending in \.png/);
    });
  });

  describe('when the plot file is refused', () => {
    it('names the feature and the rule, and exits 1', async () => {
      const file = join(tmp, 'bad.geojson');
      writeFileSync(
        file,
        JSON.stringify({
          type: 'FeatureCollection',
          features: [
            { type: 'Feature', id: 'ok', properties: {}, geometry: JSON.parse(readFileSync('examples/plots/clean.geojson', 'utf8')).geometry },
            { type: 'Feature', id: 'big-point', properties: { area_ha: 7 }, geometry: { type: 'Point', coordinates: [-71.72, 18.66] } },
          ],
        }),
      );
      const r = await canopy('plot', 'check', file, '--dataset', ds);
      expect(r.code).toBe(1);
      expect(r.err).toContain('canopy: INVALID_INPUT: plot GeoJSON refused (1 problem):\n  feature #1 (id "big-point"): POINT_AREA at features[1].properties.area_ha: a plot of 7 ha must be given as a polygon');
      expect(r.out).toBe('');
    });
    it('says when the file is not JSON or missing', async () => {
      const file = join(tmp, 'notjson.geojson');
      writeFileSync(file, '{"type": "Feature",');
      expect((await canopy('plot', 'check', file, '--dataset', ds)).err).toMatch(/^canopy: INVALID_INPUT: .*notjson\.geojson is not JSON: /);
      expect((await canopy('plot', 'check', join(tmp, 'nope.geojson'), '--dataset', ds)).err).toMatch(/^canopy: NOT_FOUND: plot file not found: /);
    });
    it('prints warnings to stderr and still checks', async () => {
      const file = join(tmp, 'coarse.geojson');
      writeFileSync(file, JSON.stringify({ type: 'Feature', id: 'coarse', properties: {}, geometry: { type: 'Polygon', coordinates: [[[-71.73, 18.67], [-71.725, 18.67], [-71.725, 18.675], [-71.73, 18.67]]] } }));
      const r = await canopy('plot', 'check', file, '--dataset', ds);
      expect(r.code, r.err).toBe(0);
      expect(r.err).toBe('warning: feature #0 (id "coarse"): PRECISION (warning) at $.geometry.coordinates: coordinates show at most 3 decimal places; the EUDR asks for at least 6 (about 0.1 m)\n');
    });
  });

  describe('when a plot is not wholly inside the dataset', () => {
    it('refuses it, naming the plot and the position outside, and exits 1', async () => {
      const file = join(tmp, 'outside.geojson');
      writeFileSync(file, JSON.stringify({ type: 'Feature', id: 'edge', properties: {}, geometry: { type: 'Polygon', coordinates: [[[-71.695, 18.65], [-71.68, 18.65], [-71.69, 18.66], [-71.695, 18.65]]] } }));
      const r = await canopy('plot', 'check', file, '--dataset', ds);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^canopy: OUT_OF_RANGE: feature #0 \(id "edge"\) is not wholly inside the dataset extent \(lon \[-71\.737750, -71\.689750\], lat \[18\.631750, 18\.687000\]\): position \[-71\.680000, 18\.650000\] is outside; a plot is never measured on the covered part only\n$/);
    });
  });

  describe('when flags are missing or the dataset does not exist', () => {
    it('exits 2 without --dataset and 1 for a folder that is not a dataset', async () => {
      const r = await canopy('plot', 'check', 'examples/plots/loss.geojson');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/required option '--dataset <dir>' not specified/);
      const s = await canopy('plot', 'check', 'examples/plots/loss.geojson', '--dataset', tmp);
      expect(s.code).toBe(1);
      expect(s.err).toMatch(/^canopy: NOT_FOUND: .* is not a dataset: no manifest\.json/);
    });
  });

  describe('when asked for --help', () => {
    it('explains the pixel rule, the verdict and the output', async () => {
      const r = await canopy('plot', 'check', '--help');
      expect(r.code).toBe(0);
      for (const phrase of ['centre lies inside the polygon', 'gdal_rasterize', 'at most 4 ha', 'value ≥ cut-off year − 1999', '--png <file>', '--cutoff-year <year>', '--json']) expect(r.out).toContain(phrase);
    });
  });
});

describe('plotCheckOptionsFromFlags', () => {
  it('maps each flag to an option', () => {
    expect(plotCheckOptionsFromFlags('f.geojson', { dataset: 'ds', cutoffYear: 2020 })).toEqual({ plotFile: 'f.geojson', datasetDir: 'ds', cutoffYear: 2020 });
    expect(plotCheckOptionsFromFlags('f.geojson', { dataset: 'ds', cutoffYear: 2021, png: 'm.PNG', json: true })).toEqual({ plotFile: 'f.geojson', datasetDir: 'ds', cutoffYear: 2021, pngFile: 'm.PNG' });
  });
});

describe('parseCutoffYear', () => {
  it('accepts four-digit years 2000..2253 only', () => {
    expect(parseCutoffYear('2020')).toBe(2020);
    for (const bad of ['2020.0', ' 2020', '+2020', '0x7e4', '2e3']) expect(() => parseCutoffYear(bad)).toThrow(/expected a year/);
  });
});

describe('pngFileFor', () => {
  it('keeps the name for one plot and numbers it by feature index for several', () => {
    expect(pngFileFor('maps/farm.png', 0, 1)).toBe('maps/farm.png');
    expect(pngFileFor('maps/farms.png', 3, 5)).toBe('maps/farms-3.png');
  });
});
