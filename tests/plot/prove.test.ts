// `provePlotFile`, `verifyPlotProofFile` and `canopy plot prove | verify` on the real
// Hansen crop (examples/data/hansen) committed to a temporary dataset, at the demo
// profile (k = 0, tree depth 8: the crop's depth), with real Groth16 proofs.
//
// Keys: the demo profile's plot_window keys live in a setup folder of their own,
// circuits/build/test-keys/demo, made once by `runSetup` (about 3 minutes on 2 shared
// cores: 8159 constraints) and only re-hashed on later runs. They come from the bundled
// powers of tau and are NOT FOR PRODUCTION.
//
// Real proofs are few (the clean plot twice, 2 windows each, and the point plot once);
// everything about failing pixels is checked at witness level, which is cheaper and says
// more (tests/circuits/plot-window.test.ts holds the constraint-level forgeries).
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileMain, type CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { loadConfig } from '../../circuits/toolchain/config.ts';
import { readManifest } from '../../circuits/toolchain/manifest.ts';
import { BUILD_DIR } from '../../circuits/toolchain/project-root.ts';
import { loadVerificationKey, verifyGroth16 } from '../../circuits/toolchain/prove.ts';
import { mainSpec, runSetup } from '../../circuits/toolchain/setup.ts';
import { calculateWitness } from '../../circuits/toolchain/witness.ts';
import { plotWindowWitnessInput, windowAttestationLeaf, windowMaskHash, windowsForMask, type PlotWindow } from '../../core/circuits/plot-window.ts';
import { parsePlotGeoJson } from '../../core/geo/geojson.ts';
import { plotGeometryHash } from '../../core/geo/plot-geometry.ts';
import { parsePlotMask, plotMaskHash } from '../../core/geo/plot-mask.ts';
import { rasterisePlot } from '../../core/geo/rasterise.ts';
import { ownerKey } from '../../core/lots/note.ts';
import { parseFeatureIndex, plotProveOptionsFromFlags, plotVerifyOptionsFromFlags } from '../../prover/cli/commands/plot.ts';
import { commitDataset } from '../../prover/dataset/commit.ts';
import { closeDataset, openDataset, readTiles, readWindow, tileBlockProof } from '../../prover/dataset/read-window.ts';
import type { PlotOpeningFile } from '../../prover/plot/opening-file.ts';
import { readOwnerSecret } from '../../prover/plot/owner-secret.ts';
import { formatPlotProofFile, parsePlotProofFile, type PlotProofFile } from '../../prover/plot/proof-file.ts';
import { plotProofCompanions, provePlotFile, type PlotProveResult } from '../../prover/plot/prove.ts';
import { verifyPlotProofFile } from '../../prover/plot/verify.ts';
import { commitCrop, LOSSYEAR, TREECOVER } from './_crop-dataset.ts';
import { runCanopy, type CanopyRun } from '../_canopy.ts';

const KEYS = join(BUILD_DIR, 'test-keys', 'demo');
const PROFILE = 'demo';

let ds: string;
let cleanup: () => void;
let tmp: string;
let clean: PlotProveResult;

type Run = CanopyRun;
const canopy = (...args: string[]): Promise<Run> => runCanopy(args);

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Writes `file` changed by `edit` to a new file in tmp; returns its path. */
function tampered(name: string, edit: (f: PlotProofFile) => void): string {
  const f = parsePlotProofFile(readFileSync(clean.proofFile, 'utf8'), clean.proofFile);
  edit(f);
  const path = join(tmp, name);
  writeFileSync(path, formatPlotProofFile(f));
  return path;
}

beforeAll(async () => {
  ({ dir: ds, cleanup } = await commitCrop());
  tmp = mkdtempSync(join(tmpdir(), 'canopy-plot-prove-'));
  await runSetup({ profile: PROFILE, circuits: ['plot_window'], outDir: KEYS });
  clean = await provePlotFile({ plotFile: 'examples/plots/clean.geojson', datasetDir: ds, outFile: join(tmp, 'clean.proof.json'), keysDir: KEYS, profile: PROFILE });
});
afterAll(() => {
  cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

describe('provePlotFile', () => {
  describe('when the plot is deforestation-free (clean.geojson, 129 pixels)', () => {
    it('proves each of its 2 windows and writes the proof file, the opening and the secret', () => {
      expect(clean.windows.length).toBe(2);
      expect([clean.plot.pixels, clean.cutoffCode, clean.profile, clean.circuit]).toEqual([129, 21, 'demo', { id: 'plot_window', k: 0, treeDepth: 8 }]);
      expect(plotProofCompanions(clean.proofFile)).toEqual({ openingFile: clean.openingFile, ownerSecretFile: clean.ownerSecretFile });
      expect(clean.ownerSecretGenerated).toBe(true);
      expect(statSync(clean.openingFile).mode & 0o777, 'opening permissions').toBe(0o600);
      expect(statSync(clean.ownerSecretFile).mode & 0o777, 'owner secret permissions').toBe(0o600);
      const file = parsePlotProofFile(readFileSync(clean.proofFile, 'utf8'), 'clean');
      const entry = readManifest(KEYS).circuits.plot_window!;
      for (const w of file.windows) {
        expect(w.publicSignals.slice(1)).toEqual([clean.datasetRoot, '21']);
        expect(w.artifacts).toEqual({ zkey: { sha256: entry.files.zkey.sha256 }, vkey: { sha256: entry.files.vkey.sha256 } });
      }
      expect(file.windows.map((w) => w.publicSignals[0])).toEqual(clean.windows.map((w) => w.attestationLeaf));
    });

    it('keeps the geometry hash, salts, positions and counts out of the proof file', () => {
      const text = readFileSync(clean.proofFile, 'utf8');
      const opening = readJson<PlotOpeningFile>(clean.openingFile);
      for (const secret of [opening.plot.geometryHash, opening.owner.ownerKey, opening.mask.hash, ...opening.windows.flatMap((w) => [w.salt, w.windowMaskHash])]) expect(text).not.toContain(secret);
      expect(Object.keys(readJson<object>(clean.proofFile)).sort()).toEqual(['cutoffCode', 'cutoffYear', 'datasetRoot', 'format', 'windows']);
    });

    it('writes an opening from which each attestation leaf recomputes', async () => {
      const opening = readJson<PlotOpeningFile>(clean.openingFile);
      const { secret } = await readOwnerSecret(clean.ownerSecretFile);
      const { plots } = parsePlotGeoJson(JSON.parse(opening.plot.geometry));
      const geometryHash = plotGeometryHash(plots[0]!.geometry);
      expect(geometryHash.toString()).toBe(opening.plot.geometryHash);
      const mask = parsePlotMask(new Uint8Array(Buffer.from(opening.mask.bytes, 'base64')));
      expect(plotMaskHash(mask).toString()).toBe(opening.mask.hash);
      const dataset = await openDataset(ds);
      try {
        expect(mask).toEqual(rasterisePlot(plots[0]!.geometry, dataset.grid));
        const windows = windowsForMask(mask, dataset.grid, 0);
        expect(ownerKey(secret).toString()).toBe(opening.owner.ownerKey);
        expect(opening.windows.map((w) => w.attestationLeaf)).toEqual(clean.windows.map((w) => w.attestationLeaf));
        opening.windows.forEach((o, i) => {
          const w = windows[i]!;
          expect([o.blockIndex, o.pixelCount, o.windowMaskHash]).toEqual([w.blockIndex, w.pixelCount, windowMaskHash(w.mask).toString()]);
          const leaf = windowAttestationLeaf({
            geometryHash,
            datasetRoot: dataset.root,
            cutoffCode: 21,
            blockIndex: w.blockIndex,
            windowMaskHash: windowMaskHash(w.mask),
            pixelCount: w.pixelCount,
            ownerKey: ownerKey(secret),
            salt: BigInt(o.salt),
          });
          expect(leaf.toString(), `leaf of window ${i + 1}`).toBe(o.attestationLeaf);
        });
        expect(opening.windows.reduce((n, w) => n + w.pixelCount, 0)).toBe(129);
      } finally {
        await closeDataset(dataset);
      }
    });

    it('proves again with the same owner secret: same owner key, unlinkable leaves', async () => {
      const again = await provePlotFile({
        plotFile: 'examples/plots/clean.geojson',
        datasetDir: ds,
        outFile: join(tmp, 'again.json'),
        keysDir: KEYS,
        ownerSecretFile: clean.ownerSecretFile,
      });
      expect(again.ownerSecretGenerated).toBe(false);
      expect(again.ownerSecretFile).toBe(clean.ownerSecretFile);
      expect(existsSync(join(tmp, 'again.owner-secret'))).toBe(false);
      expect(readJson<PlotOpeningFile>(again.openingFile).owner.ownerKey).toBe(readJson<PlotOpeningFile>(clean.openingFile).owner.ownerKey);
      for (const w of again.windows) expect(clean.windows.map((x) => x.attestationLeaf)).not.toContain(w.attestationLeaf);
      expect((await verifyPlotProofFile({ proofFile: again.proofFile, keysDir: KEYS })).valid).toBe(true);
    });
  });

  describe('when the plot lost forest after the cut-off (loss.geojson)', () => {
    it('throws INVALID_INPUT naming the failing pixels and their year, and writes nothing', async () => {
      const out = join(tmp, 'loss.proof.json');
      await expect(provePlotFile({ plotFile: 'examples/plots/loss.geojson', datasetDir: ds, outFile: out, keysDir: KEYS })).rejects.toThrow(
        /^feature #0 \(id "DO-NEIBA-0002"\) is not deforestation-free, so nothing was proven: 32 pixels \(2\.34 ha\) lost forest after 31 Dec 2020 \(2023: 32 px\)$/,
      );
      for (const f of [out, ...Object.values(plotProofCompanions(out))]) expect(existsSync(f), f).toBe(false);
    });

    it('is provable at a cut-off after the loss: at cutoffCode 24 (31 Dec 2023) every window passes (witness level)', async () => {
      const c = await demoCircuit();
      const windows = await lossWindows();
      const failing = windows.filter((x) => x.failing.length > 0);
      expect(failing.length).toBeGreaterThan(0);
      // cutoffCode 24 (cut-off 31 Dec 2023): every window of the loss plot is provable.
      for (const { input } of failing) await calculateWitness(c, { ...input, cutoffCode: '24' });
    });
  });

  describe('when the owner secret file would overwrite one', () => {
    it('refuses before proving', async () => {
      const out = join(tmp, 'clash.proof.json');
      writeFileSync(plotProofCompanions(out).ownerSecretFile, '5\n');
      await expect(provePlotFile({ plotFile: 'examples/plots/clean.geojson', datasetDir: ds, outFile: out, keysDir: KEYS })).rejects.toThrow(/already exists and is never overwritten/);
      expect(existsSync(out)).toBe(false);
      expect(readFileSync(plotProofCompanions(out).ownerSecretFile, 'utf8')).toBe('5\n');
    });
  });

  describe('when the owner secret file is malformed', () => {
    it('throws INVALID_INPUT for 0, a non-canonical number and r', async () => {
      for (const [i, text] of ['0\n', '007\n', '21888242871839275222246405745257275088548364400416034343698204186575808495617'].entries()) {
        const f = join(tmp, `secret-${i}`);
        writeFileSync(f, text);
        await expect(readOwnerSecret(f)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      }
      const loose = join(tmp, 'loose-secret');
      writeFileSync(loose, '12345');
      chmodSync(loose, 0o644);
      expect(await readOwnerSecret(loose)).toEqual({ secret: 12345n, exposed: true });
    });
  });

  describe("when the dataset's tree depth is not the profile's", () => {
    it('throws INVALID_INPUT naming the profile that fits', async () => {
      await expect(provePlotFile({ plotFile: 'examples/plots/clean.geojson', datasetDir: ds, outFile: join(tmp, 'x.json'), keysDir: KEYS, profile: 'test' })).rejects.toThrow(
        /depth 8; profile test proves depth 4: use --profile demo$/,
      );
    });
  });

  describe('when the file holds several plots', () => {
    it('asks for --feature, and refuses an index it does not hold', async () => {
      const opts = { plotFile: 'examples/plots/cooperative.geojson', datasetDir: ds, outFile: join(tmp, 'coop.json'), keysDir: KEYS };
      await expect(provePlotFile(opts)).rejects.toThrow(/holds 5 plots: choose one with --feature 0\.\.4/);
      await expect(provePlotFile({ ...opts, feature: 7 })).rejects.toThrow(/has no feature #7/);
    });
  });
});

/** The demo profile's PlotWindow, as setup compiles it. */
async function demoCircuit(): Promise<CompiledCircuit> {
  return compileMain(mainSpec(loadConfig().circuits.plot_window!, PROFILE));
}

/** Witness inputs for every window of the loss plot at cutoffCode 21, with the pixels that fail it. */
async function lossWindows(): Promise<{ window: PlotWindow; input: ReturnType<typeof plotWindowWitnessInput>; failing: number[] }[]> {
  const { plots } = parsePlotGeoJson(JSON.parse(readFileSync('examples/plots/loss.geojson', 'utf8')));
  const dataset = await openDataset(ds);
  try {
    const mask = rasterisePlot(plots[0]!.geometry, dataset.grid);
    const out = [];
    for (const window of windowsForMask(mask, dataset.grid, 0)) {
      const tiles = await readTiles(dataset, window.tileX0, window.tileY0, 1, 1);
      const { layer } = await readWindow(dataset, { col0: window.col0, row0: window.row0, width: 16, height: 16 });
      const failing = [...window.mask.keys()].filter((p) => window.mask[p] === 1 && layer[p]! >= 21);
      const input = plotWindowWitnessInput({
        window,
        tiles,
        proof: await tileBlockProof(dataset, window.tileX0, window.tileY0, 0),
        cutoffCode: 21,
        geometryHash: plotGeometryHash(plots[0]!.geometry),
        ownerSecret: 11n,
        salt: 13n,
      });
      out.push({ window, input, failing });
    }
    return out;
  } finally {
    await closeDataset(dataset);
  }
}

describe('PlotWindow', () => {
  describe('when a window of the real crop holds one pixel lost after 2020 (demo profile)', () => {
    it('fails witness generation, and holds once that pixel leaves the mask', async () => {
      const c = await demoCircuit();
      const windows = await lossWindows();
      expect(windows.reduce((n, x) => n + x.failing.length, 0), 'failing pixels of the loss plot').toBe(32);
      for (const { input, failing } of windows) {
        if (failing.length === 0) {
          await calculateWitness(c, input);
          continue;
        }
        // Keep exactly one failing pixel: refused. Drop it too: accepted.
        const one = input.mask.slice();
        for (const p of failing.slice(1)) one[p] = '0';
        await expect(calculateWitness(c, { ...input, mask: one })).rejects.toMatchObject({ code: 'WITNESS_FAILED' });
        const none = one.slice();
        none[failing[0]!] = '0';
        if (none.includes('1')) await calculateWitness(c, { ...input, mask: none });
      }
    });
  });
});

describe('verifyPlotProofFile', () => {
  describe('when the proof file is untouched', () => {
    it('verifies every window, against the dataset too', async () => {
      const r = await verifyPlotProofFile({ proofFile: clean.proofFile, datasetDir: ds, keysDir: KEYS });
      expect(r).toMatchObject({ valid: true, windows: 2, circuit: 'plot_window', profile: 'demo', cutoffCode: 21, dataset: { root: clean.datasetRoot } });
      expect(r.attestationLeaves).toEqual(clean.windows.map((w) => w.attestationLeaf));
    });
  });

  describe('when the cut-off is changed', () => {
    it('a proof for cutoffCode 21 does not verify with public cutoffCode 22', async () => {
      const file = parsePlotProofFile(readFileSync(clean.proofFile, 'utf8'), 'clean');
      const vkey = await loadVerificationKey('plot_window', PROFILE, KEYS);
      const w = file.windows[0]!;
      expect(await verifyGroth16(vkey, w.publicSignals, w.proof)).toBe(true);
      expect(await verifyGroth16(vkey, [w.publicSignals[0]!, w.publicSignals[1]!, '22'], w.proof)).toBe(false);
      const path = tampered('cutoff22.json', (f) => {
        f.cutoffYear = 2021;
        f.cutoffCode = 22;
        for (const x of f.windows) x.publicSignals[2] = '22';
      });
      expect((await verifyPlotProofFile({ proofFile: path, keysDir: KEYS })).failure).toEqual({ window: 1, step: 'proof', reason: 'the Groth16 proof does not verify for its public signals' });
    });
  });

  describe('when the dataset is another', () => {
    it('fails the dataset step against another dataset, and the proof step for a rewritten root', async () => {
      const other = join(tmp, 'ds30');
      await commitDataset({ lossYear: LOSSYEAR, treeCover: TREECOVER, outDir: other, workers: 0, canopyThreshold: 30 });
      const r = await verifyPlotProofFile({ proofFile: clean.proofFile, datasetDir: other, keysDir: KEYS });
      expect(r.valid).toBe(false);
      expect(r.failure).toMatchObject({ window: 1, step: 'dataset' });
      const otherRoot = r.dataset!.root;
      const path = tampered('root.json', (f) => {
        f.datasetRoot = otherRoot;
        for (const x of f.windows) x.publicSignals[1] = otherRoot;
      });
      expect((await verifyPlotProofFile({ proofFile: path, datasetDir: other, keysDir: KEYS })).failure).toMatchObject({ window: 1, step: 'proof' });
    });
  });

  describe('when proofs or keys do not match', () => {
    it('names the first failing window: swapped proofs, another key, a repeated window', async () => {
      const swapped = tampered('swapped.json', (f) => {
        const p = f.windows[1]!.proof;
        f.windows[1]!.proof = f.windows[0]!.proof;
        f.windows[0]!.proof = p;
      });
      expect((await verifyPlotProofFile({ proofFile: swapped, keysDir: KEYS })).failure).toMatchObject({ window: 1, step: 'proof' });
      const secondOnly = tampered('second.json', (f) => {
        f.windows[1]!.publicSignals[0] = '5';
      });
      expect((await verifyPlotProofFile({ proofFile: secondOnly, keysDir: KEYS })).failure).toMatchObject({ window: 2, step: 'proof' });
      const key = tampered('key.json', (f) => {
        f.windows[1]!.artifacts.vkey.sha256 = '0'.repeat(64);
      });
      expect((await verifyPlotProofFile({ proofFile: key, keysDir: KEYS })).failure).toMatchObject({ window: 2, step: 'key' });
      const twice = tampered('twice.json', (f) => {
        f.windows[1] = f.windows[0]!;
      });
      expect((await verifyPlotProofFile({ proofFile: twice, keysDir: KEYS })).failure).toMatchObject({ window: 2, step: 'distinct' });
    });
  });

  describe('when the proof file is malformed', () => {
    it('throws INVALID_INPUT naming the field', async () => {
      const text = readFileSync(clean.proofFile, 'utf8');
      const bad: [string, string, RegExp][] = [
        ['extra.json', text.replace('"format"', '"extra": 1, "format"'), /exactly the keys/],
        ['leading-zero.json', text.replace(/"datasetRoot": "(\d+)"/, '"datasetRoot": "0$1"'), /datasetRoot: expected a canonical decimal/],
        ['code.json', text.replace('"cutoffCode": 21', '"cutoffCode": 22'), /cutoffCode: expected 21/],
        ['signals.json', text.replace(/"21"\n/, '"22"\n'), /publicSignals cutoffCode: expected the file's cutoffCode 21/],
        ['format.json', text.replace('canopy-plot-proof/1', 'canopy-plot-proof/2'), /format: expected "canopy-plot-proof\/1"/],
        ['notjson.json', text.slice(0, 100), /is not JSON/],
      ];
      for (const [name, body, message] of bad) {
        const path = join(tmp, name);
        writeFileSync(path, body);
        await expect(verifyPlotProofFile({ proofFile: path, keysDir: KEYS }), name).rejects.toThrow(message);
      }
      await expect(verifyPlotProofFile({ proofFile: join(tmp, 'missing.json'), keysDir: KEYS })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});

describe('parsePlotProofFile', () => {
  describe('when given what formatPlotProofFile wrote', () => {
    it('round-trips', () => {
      const text = readFileSync(clean.proofFile, 'utf8');
      expect(formatPlotProofFile(parsePlotProofFile(text, 'clean'))).toBe(text);
    });
  });
});

describe('canopy plot prove', () => {
  describe('when given every flag', () => {
    it('proves the point plot of the cooperative (--feature 4) with a given secret and prints JSON', async () => {
      const out = join(tmp, 'point.proof.json');
      const r = await canopy(
        'plot', 'prove', 'examples/plots/cooperative.geojson', '--dataset', ds, '--out', out, '--profile', 'demo',
        '--owner-secret-file', clean.ownerSecretFile, '--cutoff-year', '2020', '--feature', '4', '--keys', KEYS, '--json',
      );
      expect(r.code, r.err).toBe(0);
      const j = JSON.parse(r.out) as PlotProveResult;
      expect([j.plot.pixels, j.windows.length, j.ownerSecretGenerated, j.cutoffYear]).toEqual([1, 1, false, 2020]);
      expect(j.plot.label).toMatch(/^feature #4 /);
      expect(r.err).toMatch(/^feature #4 .*: 1 pixel in 1 window of 1 × 1 tiles \(profile demo, k = 0, tree depth 8\)\nwindow 1\/1: 1 pixel, proved in \d+\.\d s\n$/);
      const v = await canopy('plot', 'verify', out, '--dataset', ds, '--keys', KEYS);
      expect(v.code, v.err).toBe(0);
      expect(v.out).toMatch(/^valid: 1 window of plot_window \(profile demo\)\n {2}dataset root {3}\d+ = /);
    });
  });

  describe('when the plot is refused or the flags are bad', () => {
    it('exits 1 for a plot with loss after the cut-off, 2 for a bad --feature or --cutoff-year', async () => {
      const loss = await canopy('plot', 'prove', 'examples/plots/loss.geojson', '--dataset', ds, '--out', join(tmp, 'l.json'), '--keys', KEYS);
      expect(loss.code).toBe(1);
      expect(loss.err).toBe('canopy: INVALID_INPUT: feature #0 (id "DO-NEIBA-0002") is not deforestation-free, so nothing was proven: 32 pixels (2.34 ha) lost forest after 31 Dec 2020 (2023: 32 px)\n');
      for (const flags of [['--feature', 'x'], ['--feature', '-1'], ['--cutoff-year', '1999']]) {
        const r = await canopy('plot', 'prove', 'examples/plots/clean.geojson', '--dataset', ds, '--out', join(tmp, 'f.json'), ...flags);
        expect(r.code, flags.join(' ')).toBe(2);
      }
      const noOut = await canopy('plot', 'prove', 'examples/plots/clean.geojson', '--dataset', ds);
      expect([noOut.code, /required option '--out <file>'/.test(noOut.err)]).toEqual([2, true]);
    });
  });
});

describe('canopy plot verify', () => {
  describe('when a window fails', () => {
    it('exits 1 naming the window, the step and the reason; --json prints the result first', async () => {
      const path = tampered('cli-bad.json', (f) => {
        f.windows[1]!.publicSignals[0] = '5';
      });
      const r = await canopy('plot', 'verify', path, '--keys', KEYS, '--json');
      expect(r.code).toBe(1);
      expect(JSON.parse(r.out)).toMatchObject({ valid: false, failure: { window: 2, step: 'proof' } });
      expect(r.err).toBe(`canopy: PROOF_INVALID: ${path}: window 2 of 2 fails (proof): the Groth16 proof does not verify for its public signals\n`);
    });
  });

  describe('when every window verifies', () => {
    it('exits 0 and lists the leaves', async () => {
      const r = await canopy('plot', 'verify', clean.proofFile, '--keys', KEYS);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('(not compared with a dataset: pass --dataset)');
      for (const w of clean.windows) expect(r.out).toContain(`leaf ${w.attestationLeaf}`);
    });
  });
});

describe('plotProveOptionsFromFlags', () => {
  it('maps each flag to an option', () => {
    expect(plotProveOptionsFromFlags('f.geojson', { dataset: 'ds', out: 'p.json', profile: 'demo', cutoffYear: 2020 })).toEqual({
      plotFile: 'f.geojson',
      datasetDir: 'ds',
      outFile: 'p.json',
      profile: 'demo',
      cutoffYear: 2020,
    });
    expect(plotProveOptionsFromFlags('f.geojson', { dataset: 'ds', out: 'p.json', profile: 'test', cutoffYear: 2021, ownerSecretFile: 's', feature: 3, keys: 'k', json: true })).toEqual({
      plotFile: 'f.geojson',
      datasetDir: 'ds',
      outFile: 'p.json',
      profile: 'test',
      cutoffYear: 2021,
      ownerSecretFile: 's',
      feature: 3,
      keysDir: 'k',
    });
    expect(() => plotProveOptionsFromFlags('f.geojson', { dataset: 'ds', out: 'f.geojson', profile: 'demo', cutoffYear: 2020 })).toThrow(RangeError);
  });
});

describe('plotVerifyOptionsFromFlags', () => {
  it('maps each flag to an option', () => {
    expect(plotVerifyOptionsFromFlags('p.json', {})).toEqual({ proofFile: 'p.json' });
    expect(plotVerifyOptionsFromFlags('p.json', { dataset: 'ds', keys: 'k', json: true })).toEqual({ proofFile: 'p.json', datasetDir: 'ds', keysDir: 'k' });
  });
});

describe('parseFeatureIndex', () => {
  it('accepts 0..9999 written canonically', () => {
    expect(parseFeatureIndex('0')).toBe(0);
    expect(parseFeatureIndex('9999')).toBe(9999);
    for (const bad of ['', '-1', '01', '1.0', '10000', 'x']) expect(() => parseFeatureIndex(bad), bad).toThrow(/expected a feature index/);
  });
});
