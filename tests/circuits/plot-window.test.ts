// Tests of circuits/plot_window.circom with its JS twin core/circuits/plot-window.ts, on
// synthetic datasets built in memory (tests/circuits/_synthetic-dataset.ts) at the test
// profile's parameters (k = 0, tree depth 4), at k = 1 for blocks of several tiles and
// tiles past the grid, and at the production parameters (k = 2, depth 24) for a
// 2,000 ha plot split into windows.
//
// Soundness tests come in pairs (tests/circuits/_tamper.ts): a witness forged as a
// cheating prover would — honest everywhere except the statement under test, every hash
// recomputed — must fail, and only in the gadget that guards the statement
// (`expectRejectedBy`); the same forging procedure applied to a true statement must
// satisfy every constraint (the control), which shows the procedure leaves nothing stale.
//
// Constraints measured (circom 2.2.3, --O2), PlotWindow(k, treeDepth):
//   k = 0 (1 tile, 16 × 16 px):   depth 4 (test) 7 115   depth 8 (demo) 8 159
//   k = 1 (4 tiles, 32 × 32 px):  depth 4 22 811
//   k = 2 (16 tiles, 64 × 64 px): depth 24 (production) 93 101
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileMain, type CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { PROJECT_ROOT } from '../../circuits/toolchain/project-root.ts';
import { loadConfig } from '../../circuits/toolchain/config.ts';
import { BUNDLED_PTAU_POWER, ptauPowerFor } from '../../circuits/toolchain/ptau.ts';
import { mainSpec } from '../../circuits/toolchain/setup.ts';
import { calculateWitness, setSignal, signalIndexes } from '../../circuits/toolchain/witness.ts';
import {
  PLOT_WINDOW_PUBLIC_SIGNALS,
  plotWindowPublicSignals,
  plotWindowWitnessInput,
  windowAttestationLeaf,
  windowMaskElements,
  windowMaskHash,
  windowsForMask,
  windowSide,
  type PlotWindow,
  type PlotWindowInput,
} from '../../core/circuits/plot-window.ts';
import { DOMAIN_TAGS, hashTagged } from '../../core/domain.ts';
import { chainDigest } from '../../core/geo/_hash-chain.ts';
import { polygonsAreaM2, M2_PER_HA } from '../../core/geo/geodesic-area.ts';
import { parsePlotGeoJson, plotPolygons } from '../../core/geo/geojson.ts';
import { EMPTY_PLOT_MASK, maskFromPredicate, maskHas, maskPixelCount, type PlotMask } from '../../core/geo/plot-mask.ts';
import { rasterisePlot } from '../../core/geo/rasterise.ts';
import { ownerKey } from '../../core/lots/note.ts';
import { packBytes, unpackBytes } from '../../core/pack-bytes.ts';
import { mortonEncode } from '../../core/raster/morton.ts';
import { compileTemplate, expectSatisfied, expectWitnessFails, fr, honestWitness, R } from './_circuit-test.ts';
import { syntheticDataset, type SyntheticDataset } from './_synthetic-dataset.ts';
import { expectRejectedBy, recomputeComponent } from './_tamper.ts';

interface CircuitConfig {
  file: string;
  template: string;
  params: string[];
  publicInputs: string[];
  publicSignals: string[];
  profiles: Record<string, { k: number; treeDepth: number }>;
}
const CONFIG = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'circuits', 'circuits.json'), 'utf8')) as { circuits: Record<string, CircuitConfig> }).circuits.plot_window!;
const TEST = CONFIG.profiles.test!;
const DEMO = CONFIG.profiles.demo!;
const PRODUCTION = CONFIG.profiles.production!;

const CUTOFF = 21; // loss in 2021 or later fails: the EUDR cut-off 31 Dec 2020
const GEOMETRY = hashTagged('PLOT_GEOMETRY', [123n, 456n]);
const SECRET = hashTagged('SEQUENCE', [7n]);
const SALT = hashTagged('SEQUENCE', [9n]);

function compilePlotWindow(k: number, treeDepth: number): Promise<CompiledCircuit> {
  return compileMain({ name: `plot_window_${k}_${treeDepth}`, templateFile: CONFIG.file, template: CONFIG.template, params: [k, treeDepth], publicInputs: CONFIG.publicInputs });
}

// A 60 × 50 layer (4 × 4 tiles: tree depth 4, the test profile's) of values 0..20, all
// passing the cut-off, with a few pixels placed to fail: LOSS (23 = loss in 2023),
// NODATA (255), AT_CUTOFF (21, the first failing value) and BELOW (20, the last passing).
const W = 60;
const H = 50;
const LOSS = { col: 20, row: 20 };
const NODATA = { col: 22, row: 21 };
const AT_CUTOFF = { col: 24, row: 20 };
const BELOW = { col: 25, row: 20 };
function testLayer(): Uint8Array {
  const layer = new Uint8Array(W * H).map((_, i) => (i * 7) % 21);
  layer[LOSS.row * W + LOSS.col] = 23;
  layer[NODATA.row * W + NODATA.col] = 255;
  layer[AT_CUTOFF.row * W + AT_CUTOFF.col] = 21;
  layer[BELOW.row * W + BELOW.col] = 20;
  return layer;
}
// The plot leaves all four out; BELOW is the control pixel that may be added back.
const isSpecial = (c: number, r: number) => [LOSS, NODATA, AT_CUTOFF, BELOW].some((p) => p.col === c && p.row === r);

/** A round plot around (30, 25) that leaves out the failing pixels. */
function plotMask(): PlotMask {
  return maskFromPredicate({ col0: 0, row0: 0, width: W, height: H }, (c, r) => (c - 30) ** 2 + (r - 25) ** 2 < 300 && !isSpecial(c, r));
}

/** The window of `windows` holding grid pixel (col, row). */
function windowAt(windows: readonly PlotWindow[], col: number, row: number): PlotWindow {
  const w = windows.find((x) => col >= x.col0 && col < x.col0 + x.side && row >= x.row0 && row < x.row0 + x.side);
  if (!w) throw new Error(`no window holds (${col}, ${row})`);
  return w;
}

/** A copy of `window` with window pixel (col, row) of the grid set to `bit`. */
function withMaskBit(window: PlotWindow, col: number, row: number, bit: 0 | 1): PlotWindow {
  const mask = window.mask.slice();
  mask[(row - window.row0) * window.side + (col - window.col0)] = bit;
  let pixelCount = 0;
  for (const b of mask) pixelCount += b;
  return { ...window, mask, pixelCount };
}

function inputFor(ds: SyntheticDataset, window: PlotWindow, cutoffCode = CUTOFF): PlotWindowInput {
  const k = window.blockLog2;
  return plotWindowWitnessInput({
    window,
    tiles: ds.blockTiles(window.tileX0, window.tileY0, k),
    proof: ds.blockProof(window.tileX0, window.tileY0, k),
    cutoffCode,
    geometryHash: GEOMETRY,
    ownerSecret: SECRET,
    salt: SALT,
  });
}

function leafFor(root: bigint, window: PlotWindow, cutoffCode = CUTOFF): bigint {
  return windowAttestationLeaf({
    geometryHash: GEOMETRY,
    datasetRoot: root,
    cutoffCode,
    blockIndex: window.blockIndex,
    windowMaskHash: windowMaskHash(window.mask),
    pixelCount: window.pixelCount,
    ownerKey: ownerKey(SECRET),
    salt: SALT,
  });
}

/** Standalone compiles of the sub-templates a forgery recomputes. */
interface Parts {
  leaf: CompiledCircuit;
  maskHash: CompiledCircuit;
}

/** What a forgery changes in an honest k = 0 witness. */
interface Forgery {
  /** New mask values (not necessarily bits), row-major. */
  mask?: readonly bigint[];
  cutoffCode?: bigint;
  datasetRoot?: bigint;
  /** Pixel values the forged tile bytes now read as (the caller has set the byte bits). */
  values?: ReadonlyMap<number, bigint>;
}

/**
 * Writes a k = 0 witness as a cheating prover would: starts from an honest witness and
 * its input, applies `f`, and recomputes every pixel gadget, the cut-off range check, the
 * mask hash, the count's inverse and the leaf hash for the new values. Where the statement
 * is false no honest value exists: a pixel gadget then gets d as the constraint defines it
 * and the low 8 bits of d, the cut-off check the low 8 bits of cutoffCode.
 */
async function forge(c: CompiledCircuit, parts: Parts, input: PlotWindowInput, honest: readonly bigint[], f: Forgery): Promise<bigint[]> {
  const oldMask = input.mask.map(BigInt);
  const mask = f.mask ?? oldMask;
  const cutoff = f.cutoffCode ?? BigInt(input.cutoffCode);
  const root = f.datasetRoot ?? BigInt(input.datasetRoot);
  const values = unpackBytes(input.tiles[0]!.map(BigInt), 256);
  let w = honest.slice();
  w = setSignal(c, w, 'main.cutoffCode', cutoff);
  w = setSignal(c, w, 'main.datasetRoot', root);
  const index = signalIndexes(c);
  for (let b = 0; b < 8; b++) if (index.has(`main.cutoffRange.bits.out[${b}]`)) w = setSignal(c, w, `main.cutoffRange.bits.out[${b}]`, (cutoff >> BigInt(b)) & 1n);
  for (let p = 0; p < mask.length; p++) {
    const value = f.values?.get(p) ?? BigInt(values[p]!);
    if (mask[p] === oldMask[p] && cutoff === BigInt(input.cutoffCode) && !f.values?.has(p)) continue;
    w = setSignal(c, w, `main.mask[${p}]`, mask[p]!);
    const d = fr(mask[p]! * (cutoff - 1n - value));
    const prefix = `main.pixel[${p}].`;
    for (const [name] of index) {
      if (!name.startsWith(prefix)) continue;
      const suffix = name.slice(prefix.length);
      const bit = /^range\.bits\.out\[(\d)\]$/.exec(suffix);
      const v = suffix === 'd' ? d : suffix === 'value' ? fr(value) : suffix === 'mask' ? mask[p]! : suffix === 'bound' ? cutoff : bit ? (d >> BigInt(bit[1])) & 1n : undefined;
      if (v === undefined) throw new Error(`forge: no rule for ${name}`);
      w = setSignal(c, w, name, v);
    }
  }
  const count = mask.reduce((a, b) => a + b, 0n) % R;
  const maskInput = { mask: mask.map((m) => m.toString()) };
  w = await recomputeComponent(c, w, 'main.maskHash', parts.maskHash, maskInput);
  const maskHashValue = (await calculateWitness(parts.maskHash, maskInput))[1]!;
  if (signalIndexes(c).has('main.pixelCountInverse')) w = setSignal(c, w, 'main.pixelCountInverse', count === 0n ? 0n : modInverse(count));
  const leafInputs = [DOMAIN_TAGS.PLOT_ATTESTATION, GEOMETRY, root, cutoff, BigInt(input.blockIndex), maskHashValue, count, ownerKey(SECRET), SALT];
  w = await recomputeComponent(c, w, 'main.leaf', parts.leaf, { inputs: leafInputs.map(String) });
  w = setSignal(c, w, 'main.attestationLeaf', (await calculateWitness(parts.leaf, { inputs: leafInputs.map(String) }))[1]!);
  return w;
}

function modInverse(x: bigint): bigint {
  // Fermat: x^(r−2) mod r for x ≠ 0.
  let result = 1n;
  let base = ((x % R) + R) % R;
  let e = R - 2n;
  while (e > 0n) {
    if (e & 1n) result = (result * base) % R;
    base = (base * base) % R;
    e >>= 1n;
  }
  return result;
}

describe('PLOT_WINDOW_PUBLIC_SIGNALS', () => {
  describe('when compared with circuits/circuits.json', () => {
    it('equals publicSignals of plot_window: the output, then publicInputs', () => {
      expect([...PLOT_WINDOW_PUBLIC_SIGNALS]).toEqual(CONFIG.publicSignals);
      expect(PLOT_WINDOW_PUBLIC_SIGNALS.slice(1)).toEqual(CONFIG.publicInputs);
    });
  });
});

describe('PlotWindow', () => {
  let c: CompiledCircuit;
  let parts: Parts;
  let ds: SyntheticDataset;
  let windows: PlotWindow[];
  let centre: PlotWindow; // the window of tile (1, 1), which holds the failing pixels
  beforeAll(async () => {
    c = await compilePlotWindow(TEST.k, TEST.treeDepth);
    parts = {
      leaf: await compileTemplate('node_modules/circomlib/circuits/poseidon.circom', 'Poseidon', [9]),
      maskHash: await compileTemplate('circuits/lib/window_mask_hash.circom', 'WindowMaskHash', [windowSide(TEST.k)]),
    };
    ds = syntheticDataset({ layer: testLayer(), width: W, height: H });
    expect(ds.depth, 'synthetic dataset depth').toBe(TEST.treeDepth);
    windows = windowsForMask(plotMask(), ds.grid, TEST.k);
    centre = windowAt(windows, LOSS.col, LOSS.row);
  });

  describe(`when compiled with the test profile (k = ${TEST.k}, depth ${TEST.treeDepth})`, () => {
    it('has 7115 constraints, 2 public inputs and 1 public output, and fits the bundled 2^14 powers of tau', () => {
      expect(c.constraints, 'constraints').toBe(7115);
      expect([c.publicInputs, c.publicOutputs]).toEqual([2, 1]);
      expect(ptauPowerFor(c.constraints, 3)).toBeLessThanOrEqual(BUNDLED_PTAU_POWER);
    });

    it(`has 8159 constraints with the demo profile (k = ${DEMO.k}, depth ${DEMO.treeDepth}), which fit 2^14 too`, async () => {
      // Compiled as setup compiles it (mainSpec), so the build is shared with the keys.
      const demo = await compileMain(mainSpec(loadConfig().circuits.plot_window!, 'demo'));
      expect(demo.constraints).toBe(8159);
      expect(ptauPowerFor(demo.constraints, 3)).toBeLessThanOrEqual(BUNDLED_PTAU_POWER);
    });

    it('puts attestationLeaf, datasetRoot, cutoffCode on wires 1..3', async () => {
      const w = await honestWitness(c, inputFor(ds, centre));
      expect(w.slice(1, 4).map(String)).toEqual(plotWindowPublicSignals(leafFor(ds.root, centre), ds.root, CUTOFF));
    });
  });

  describe('when every masked pixel passes', () => {
    it("accepts every window of the plot, each with the twin's attestation leaf", async () => {
      expect(windows.map((x) => x.blockIndex)).toEqual([1, 2, 3, 4, 6, 8, 9, 12]);
      for (const window of windows) {
        const w = await honestWitness(c, inputFor(ds, window));
        expect(w[1], `attestationLeaf of window ${window.blockIndex}`).toBe(leafFor(ds.root, window));
      }
    });

    it('accepts the last passing value (cutoffCode − 1 = 20) under the mask, and cutoffCode 255', async () => {
      await honestWitness(c, inputFor(ds, withMaskBit(centre, BELOW.col, BELOW.row, 1)));
      // 255 is the largest cut-off: everything but nodata passes, even the loss pixel.
      const w = await honestWitness(c, inputFor(ds, withMaskBit(centre, LOSS.col, LOSS.row, 1), 255));
      expect(w[3]).toBe(255n);
    });

    it('accepts a window of a single pixel', async () => {
      const single = maskFromPredicate({ col0: 0, row0: 0, width: W, height: H }, (col, row) => col === 59 && row === 49);
      const [only] = windowsForMask(single, ds.grid, TEST.k);
      expect([only!.blockIndex, only!.pixelCount]).toEqual([mortonEncode(3, 3), 1]);
      await honestWitness(c, inputFor(ds, only!));
    });
  });

  describe('when a masked pixel lost forest after the cut-off', () => {
    it('fails witness generation for 23 (loss in 2023) and for 21, the cut-off value itself', async () => {
      await expectWitnessFails(c, inputFor(ds, withMaskBit(centre, LOSS.col, LOSS.row, 1)));
      await expectWitnessFails(c, inputFor(ds, withMaskBit(centre, AT_CUTOFF.col, AT_CUTOFF.row, 1)));
    });

    it('rejects a forged witness in the pixel check alone; the same forgery on a passing pixel holds', async () => {
      const input = inputFor(ds, centre);
      const w = await honestWitness(c, input);
      for (const [pixel, ok] of [[LOSS, false], [AT_CUTOFF, false], [BELOW, true]] as const) {
        const p = (pixel.row - centre.row0) * centre.side + (pixel.col - centre.col0);
        const mask = input.mask.map(BigInt);
        mask[p] = 1n;
        const forged = await forge(c, parts, input, w, { mask });
        if (ok) await expectSatisfied(c, forged);
        else await expectRejectedBy(c, forged, [`main.pixel[${p}].`]);
      }
    });
  });

  describe('when a masked pixel is nodata (255)', () => {
    it('fails witness generation at every cut-off, 255 included', async () => {
      for (const cutoff of [CUTOFF, 255]) await expectWitnessFails(c, inputFor(ds, withMaskBit(centre, NODATA.col, NODATA.row, 1), cutoff));
    });
  });

  describe('when the mask is empty', () => {
    it('fails witness generation and a forged witness (pixelCount has no inverse)', async () => {
      const input = inputFor(ds, centre);
      await expectWitnessFails(c, { ...input, mask: input.mask.map(() => '0') });
      const w = await honestWitness(c, input);
      const empty = await forge(c, parts, input, w, { mask: input.mask.map(() => 0n) });
      await expectRejectedBy(c, empty, ['main.pixelCountInverse']);
      // Control: the same forgery keeping one pixel of the plot holds.
      const one = input.mask.map(() => 0n);
      one[input.mask.indexOf('1')] = 1n;
      await expectSatisfied(c, await forge(c, parts, input, w, { mask: one }));
    });
  });

  describe('when a mask entry is not a bit', () => {
    it('rejects 2 standing for the next pixel (the same packed elements) and r − 1', async () => {
      const input = inputFor(ds, centre);
      const w = await honestWitness(c, input);
      // BELOW (p, value 20) is outside the plot and p + 1 inside: mask[p] = 2 with
      // mask[p + 1] = 0 packs like the honest mask, and d = 2·(21 − 1 − 20) = 0.
      const p = (BELOW.row - centre.row0) * centre.side + (BELOW.col - centre.col0);
      expect([input.mask[p], input.mask[p + 1], p % 248 < 247]).toEqual(['0', '1', true]);
      const mask = input.mask.map(BigInt);
      mask[p] = 2n;
      mask[p + 1] = 0n;
      expect(windowMaskElements(Uint8Array.from(input.mask.map(Number)))).toEqual(packBits(mask));
      await expectWitnessFails(c, { ...input, mask: mask.map(String) });
      // The binary constraint mask·(mask − 1) = 0 mentions only the mask wire after --O2.
      await expectRejectedBy(c, await forge(c, parts, input, w, { mask }), [`main.mask[${p}]`, `main.pixel[${p}].`]);
      const minusOne = input.mask.map(BigInt);
      minusOne[p] = R - 1n;
      await expectWitnessFails(c, { ...input, mask: minusOne.map(String) });
    });
  });

  describe('when the cut-off code is out of range', () => {
    it('fails witness generation for 256, 277 and r − 1', async () => {
      const input = inputFor(ds, centre);
      for (const cutoff of [256n, 277n, R - 1n]) await expectWitnessFails(c, { ...input, cutoffCode: cutoff.toString() });
    });

    it('rejects cutoffCode 256, which would pass a masked nodata pixel, in the cut-off range check alone', async () => {
      const input = inputFor(ds, centre);
      const w = await honestWitness(c, input);
      const p = (NODATA.row - centre.row0) * centre.side + (NODATA.col - centre.col0);
      const mask = input.mask.map(BigInt);
      mask[p] = 1n;
      // 256 − 1 − 255 = 0: every pixel gadget holds, nodata included; only the range check is left.
      await expectRejectedBy(c, await forge(c, parts, input, w, { mask, cutoffCode: 256n }), ['main.cutoffRange.', 'main.cutoffCode']);
      // Control: at 255 the same forgery holds once nodata is left out of the mask.
      await expectSatisfied(c, await forge(c, parts, input, w, { cutoffCode: 255n }));
    });
  });

  describe('when the tile is not the dataset’s', () => {
    it('fails for a wrong sibling at every level, another dataset root and another block index', async () => {
      const input = inputFor(ds, centre);
      for (let l = 0; l < input.siblings.length; l++) {
        const siblings = input.siblings.slice();
        siblings[l] = fr(BigInt(siblings[l]!) + 1n).toString();
        await expectWitnessFails(c, { ...input, siblings });
      }
      const other = syntheticDataset({ layer: testLayer().map((v, i) => (i === 0 ? v ^ 1 : v)), width: W, height: H });
      await expectWitnessFails(c, { ...input, datasetRoot: other.root.toString() });
      // Block 3 is tile (1, 1); the same pixels claimed at tile (0, 1) (block 2).
      await expectWitnessFails(c, { ...input, blockIndex: '2' });
      await expectWitnessFails(c, { ...input, blockIndex: (BigInt(input.blockIndex) + (1n << BigInt(TEST.treeDepth))).toString() });
    });

    it("rejects a forged witness of another dataset's tile at the root check alone", async () => {
      // Dataset B differs from A in one pixel of another tile: the window's tile is
      // identical, its path is not. Prove B's window, then claim A's root.
      const layerB = testLayer();
      layerB[0] = (layerB[0]! + 1) % 21;
      const dsB = syntheticDataset({ layer: layerB, width: W, height: H });
      const input = inputFor(dsB, centre);
      const w = await honestWitness(c, input);
      await expectRejectedBy(c, await forge(c, parts, input, w, { datasetRoot: ds.root }), ['main.path.', 'main.datasetRoot']);
      await expectSatisfied(c, await forge(c, parts, input, w, { datasetRoot: dsB.root }));
    });
  });

  describe('when a pixel is altered without updating the root', () => {
    it('fails witness generation, and a forged witness at the root check alone', async () => {
      // The loss pixel rewritten to 5 in a copy of the dataset: a valid witness for that
      // copy's root, which then claims the real root.
      const altered = testLayer();
      altered[LOSS.row * W + LOSS.col] = 5;
      const dsAltered = syntheticDataset({ layer: altered, width: W, height: H });
      const window = withMaskBit(centre, LOSS.col, LOSS.row, 1);
      const input = inputFor(dsAltered, window);
      await expectWitnessFails(c, { ...input, datasetRoot: ds.root.toString() });
      const w = await honestWitness(c, input);
      await expectRejectedBy(c, await forge(c, parts, input, w, { datasetRoot: ds.root }), ['main.path.', 'main.datasetRoot']);
    });
  });

  describe('when the byte decomposition of a tile element is tampered with', () => {
    it('rejects the loss pixel read as 5 with the difference moved into the next byte, in the byte range check alone', async () => {
      // The plot: the loss pixel in, its east neighbour out (the neighbour will read as a
      // value far above 255, which an unmasked pixel may hold as far as the predicate goes).
      const window = withMaskBit(withMaskBit(centre, LOSS.col, LOSS.row, 1), LOSS.col + 1, LOSS.row, 0);
      const input = inputFor(ds, window, 255); // honest: at 255 the loss pixel passes
      const w0 = await honestWitness(c, input);
      const p = (LOSS.row - centre.row0) * centre.side + (LOSS.col - centre.col0); // byte p of the tile
      const [chunk, j] = [Math.floor(p / 31), p % 31];
      expect(j, 'the next byte is in the same element').toBeLessThan(30);
      // Byte j: 23 → 5 takes 18·256^j from the element; byte j + 1 gets 18/256 (mod r)
      // back, so the element, the tile leaf and the root are unchanged. Byte j's bits are
      // rewritten to 5's; byte j + 1 keeps its bits, and its top bit (which --O2 expresses
      // through the byte's value) can then be no bit at all.
      const carry = fr(18n * modInverse(256n));
      let w = w0.slice();
      const bits = (b: number) => `main.tile[0].unpack.unpack[${chunk}].range[${b}].bits.out`;
      for (let i = 0; i < 8; i++) if (signalIndexes(c).has(`${bits(j)}[${i}]`)) w = setSignal(c, w, `${bits(j)}[${i}]`, BigInt((5 >> i) & 1));
      const next = BigInt(unpackBytes(input.tiles[0]!.map(BigInt), 256)[p + 1]!);
      const values = new Map([[p, 5n], [p + 1, fr(next + carry)]]);
      const forged = await forge(c, parts, input, w, { cutoffCode: BigInt(CUTOFF), values });
      await expectRejectedBy(c, forged, [`main.tile[0].unpack.unpack[${chunk}].range[${j + 1}].`]);
    });
  });
});

/** windowMaskElements of mask values that need not be bits (Σ m_j · 2^j per 248). */
function packBits(mask: readonly bigint[]): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i * 248 < mask.length; i++) {
    let e = 0n;
    for (let j = 0; j < 248 && 248 * i + j < mask.length; j++) e += mask[248 * i + j]! << BigInt(j);
    out.push(e % R);
  }
  return out;
}

describe('PlotWindow', () => {
  // k = 1: blocks of 2 × 2 tiles. A 40 × 40 layer is 3 × 3 tiles (depth 4), so the block
  // of tiles (2..3, 0..1) holds two tiles past the grid, whose leaves are 0.
  describe('when k = 1 and the block reaches past the tile grid', () => {
    let c: CompiledCircuit;
    let ds: SyntheticDataset;
    let edge: PlotWindow;
    beforeAll(async () => {
      c = await compilePlotWindow(1, 4);
      ds = syntheticDataset({ layer: new Uint8Array(40 * 40).map((_, i) => i % 19), width: 40, height: 40 });
      const mask = maskFromPredicate({ col0: 0, row0: 0, width: 40, height: 40 }, (col, row) => col >= 20 && row >= 5);
      const windows = windowsForMask(mask, ds.grid, 1);
      expect(windows.map((x) => [x.tileX0, x.tileY0, x.blockIndex])).toEqual([[0, 0, 0], [2, 0, 1], [0, 2, 2], [2, 2, 3]]);
      edge = windows[1]!;
    });

    it('has 22811 constraints', () => {
      expect(c.constraints).toBe(22811);
    });

    it('accepts a mask inside the grid, with tiles in Morton order and tilePresent 0 past it', async () => {
      const input = inputFor(ds, edge);
      expect(input.tilePresent).toEqual(['1', '0', '1', '0']);
      const w = await honestWitness(c, input);
      expect(w[1]).toBe(leafFor(ds.root, edge));
    });

    it('fails for a masked pixel past the raster (nodata) and for a real tile marked absent', async () => {
      // Tiles 0..2 cover columns 0..47, of which 40..47 are padding (255) inside tile 2;
      // tile 3 (columns 48..63) is past the grid.
      await expectWitnessFails(c, inputFor(ds, withMaskBit(edge, 45, 10, 1)));
      await expectWitnessFails(c, inputFor(ds, withMaskBit(edge, 50, 10, 1)));
      const input = inputFor(ds, edge);
      const nodata = packBytes(new Uint8Array(256).fill(255)).map(String);
      const tiles = input.tiles.slice();
      tiles[0] = nodata;
      await expectWitnessFails(c, { ...input, tilePresent: ['0', '0', '1', '0'], tiles });
      await expectWitnessFails(c, { ...input, tilePresent: ['1', '0', '1', '2'] });
      // An absent tile whose bytes are not all 255.
      const fake = input.tiles.slice();
      fake[1] = packBytes(new Uint8Array(256)).map(String);
      await expectWitnessFails(c, { ...input, tiles: fake });
    });
  });
});

describe('PlotWindow', () => {
  // The 2,000 ha requirement at the production parameters (k = 2, depth 24). A Hansen
  // pixel near the equator is ≈ 0.077 ha, so 2,000 ha is ≈ 26,000 pixels: an irregular
  // octagon of 2,552 ha (33,220 pixels) on a 220 × 210-pixel synthetic raster placed deep
  // inside a depth-24 tree (tile offset (2048, 1024): the block index has high bits set).
  describe(`when a 2,000 ha plot is proven at the production parameters (k = ${PRODUCTION.k}, depth ${PRODUCTION.treeDepth})`, () => {
    let c: CompiledCircuit;
    let ds: SyntheticDataset;
    let mask: PlotMask;
    let windows: PlotWindow[];
    beforeAll(async () => {
      c = await compilePlotWindow(PRODUCTION.k, PRODUCTION.treeDepth);
      const width = 220;
      const height = 210;
      // Loss up to 2020 (1..20) everywhere but a 2023 clearing outside the plot.
      const layer = new Uint8Array(width * height).map((_, i) => (i * 13 + (i >> 7)) % 21);
      for (let r = 0; r < 6; r++) for (let col = 0; col < 6; col++) layer[(r + 2) * width + col + 2] = 23;
      const origin = { x: 2048, y: 1024 };
      ds = syntheticDataset({ layer, width, height, tileOffset: origin, depth: PRODUCTION.treeDepth, originLonMicro: -60_000_000, originLatMicro: 1_000_000 });
      const lon = (col: number) => (-60_000_000 + (origin.x * 16 + col) * 250) / 1e6;
      const lat = (row: number) => (1_000_000 - (origin.y * 16 + row) * 250) / 1e6;
      const ring = [[30, 6], [160, 10], [205, 62], [200, 160], [130, 204], [40, 198], [8, 130], [12, 40], [30, 6]].map(([col, row]) => [lon(col! + 0.3), lat(row! + 0.4)]);
      const { plots } = parsePlotGeoJson({ type: 'Polygon', coordinates: [ring] });
      const plot = plots[0]!;
      const ha = polygonsAreaM2(plotPolygons(plot.geometry)) / M2_PER_HA;
      expect(ha, 'plot area (ha)').toBeGreaterThan(2000);
      mask = rasterisePlot(plot.geometry, ds.grid);
      windows = windowsForMask(mask, ds.grid, PRODUCTION.k);
    });

    it('has 93101 constraints (fits a 2^17 powers of tau)', () => {
      expect(c.constraints).toBe(93101);
      expect(ptauPowerFor(c.constraints, 3)).toBe(17);
    });

    it('splits into windows whose masks are exactly the plot mask', () => {
      expect(windows.length).toBe(15);
      expect(windows.reduce((n, x) => n + x.pixelCount, 0)).toBe(maskPixelCount(mask));
      for (const x of windows) {
        for (let r = 0; r < x.side; r++) {
          for (let col = 0; col < x.side; col++) {
            expect(x.mask[r * x.side + col], `window ${x.blockIndex} pixel (${col}, ${r})`).toBe(maskHas(mask, x.col0 + col, x.row0 + r) ? 1 : 0);
          }
        }
      }
    });

    it('satisfies every constraint in every window, each leaf the twin’s', async () => {
      for (const window of windows) {
        const w = await honestWitness(c, inputFor(ds, window));
        expect(w[1], `attestationLeaf of window ${window.blockIndex}`).toBe(leafFor(ds.root, window));
      }
    });
  });
});

describe('windowMaskHash', () => {
  describe('when given a window mask of each size', () => {
    it('hashes S and the elements directly up to 14 elements, and chains them above', () => {
      const m16 = new Uint8Array(256);
      m16[0] = 1;
      m16[255] = 1;
      expect(windowMaskElements(m16)).toEqual([1n, 1n << 7n]);
      expect(windowMaskHash(m16)).toBe(hashTagged('PLOT_MASK', [16n, 1n, 128n]));
      const m64 = new Uint8Array(64 * 64).map((_, i) => (i % 3 === 0 ? 1 : 0));
      const e = windowMaskElements(m64);
      expect(e.length).toBe(17);
      expect(windowMaskHash(m64)).toBe(hashTagged('PLOT_MASK', [64n, chainDigest(e)]));
    });

    it('matches the circuit template for S = 16, 32 and 64', async () => {
      for (const side of [16, 32, 64]) {
        const circuit = await compileTemplate('circuits/lib/window_mask_hash.circom', 'WindowMaskHash', [side]);
        const mask = new Uint8Array(side * side).map((_, i) => ((i * 2654435761) >>> 7) & 1);
        const w = await calculateWitness(circuit, { mask: Array.from(mask, String) });
        expect(w[1], `WindowMaskHash(${side})`).toBe(windowMaskHash(mask));
      }
    });
  });

  describe('when given something else', () => {
    it('throws RangeError for a length that is no window and for a byte other than 0 or 1', () => {
      expect(() => windowMaskHash(new Uint8Array(255))).toThrow(RangeError);
      expect(() => windowMaskHash(new Uint8Array(256).fill(2))).toThrow(RangeError);
      expect(() => windowMaskHash([1, 0] as unknown as Uint8Array)).toThrow(TypeError);
    });
  });
});

describe('windowsForMask', () => {
  const grid = { originLonMicro: 0, originLatMicro: 0, pixelSizeMicro: 250, width: 100, height: 70 };

  describe('when the mask crosses block edges', () => {
    it('returns one window per touched block, in Morton order, with the plot pixels at their window positions', () => {
      const mask = maskFromPredicate({ col0: 0, row0: 0, width: 100, height: 70 }, (col, row) => (col === 15 && row === 31) || (col === 16 && row === 32) || (col === 70 && row === 3));
      const ws = windowsForMask(mask, grid, 0);
      expect(ws.map((x) => [x.tileX0, x.tileY0, x.blockIndex, x.pixelCount])).toEqual([
        [4, 0, mortonEncode(4, 0), 1],
        [0, 1, mortonEncode(0, 1), 1],
        [1, 2, mortonEncode(1, 2), 1],
      ].sort((a, b) => a[2]! - b[2]!));
      const w = ws.find((x) => x.tileX0 === 0)!;
      expect(w.mask[15 * 16 + 15]).toBe(1);
      const k1 = windowsForMask(mask, grid, 1);
      expect(k1.map((x) => [x.tileX0, x.tileY0, x.side, x.pixelCount])).toEqual([[0, 0, 32, 1], [0, 2, 32, 1], [4, 0, 32, 1]]);
    });
  });

  describe('when the mask is empty', () => {
    it('returns no window', () => {
      expect(windowsForMask(EMPTY_PLOT_MASK, grid, 0)).toEqual([]);
    });
  });

  describe('when given bad input', () => {
    it('throws RangeError for k outside 0..4 and a mask past the grid', () => {
      const mask = maskFromPredicate({ col0: 90, row0: 0, width: 20, height: 1 }, (col) => col === 15);
      expect(() => windowsForMask(mask, grid, 0)).toThrow(RangeError);
      const ok = maskFromPredicate({ col0: 0, row0: 0, width: 2, height: 1 }, () => true);
      expect(() => windowsForMask(ok, grid, 5)).toThrow(RangeError);
      expect(() => windowsForMask(ok, grid, -1)).toThrow(RangeError);
      expect(() => windowsForMask(ok, grid, 0.5)).toThrow(TypeError);
    });
  });
});

describe('plotWindowWitnessInput', () => {
  const ds = syntheticDataset({ layer: testLayer(), width: W, height: H });
  const windows = windowsForMask(plotMask(), ds.grid, 0);
  const window = windows[0]!;
  const args = () => ({
    window,
    tiles: ds.blockTiles(window.tileX0, window.tileY0, 0),
    proof: ds.blockProof(window.tileX0, window.tileY0, 0),
    cutoffCode: CUTOFF,
    geometryHash: GEOMETRY,
    ownerSecret: SECRET,
    salt: SALT,
  });

  describe('when the proof does not fit the tiles or the window', () => {
    it('throws INVALID_INPUT naming the mismatch', () => {
      const other = windows[1]!;
      expect(() => plotWindowWitnessInput({ ...args(), proof: ds.blockProof(other.tileX0, other.tileY0, 0) })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
      expect(() => plotWindowWitnessInput({ ...args(), tiles: ds.blockTiles(other.tileX0, other.tileY0, 0) })).toThrow(/hash to/);
      const p = ds.blockProof(window.tileX0, window.tileY0, 0);
      expect(() => plotWindowWitnessInput({ ...args(), proof: { ...p, siblings: [fr(p.siblings[0]! + 1n), ...p.siblings.slice(1)] } })).toThrow(/does not reach/);
    });
  });

  describe('when given hostile input', () => {
    it('throws TypeError or RangeError', () => {
      expect(() => plotWindowWitnessInput({ ...args(), cutoffCode: 256 })).toThrow(RangeError);
      expect(() => plotWindowWitnessInput({ ...args(), salt: R })).toThrow(RangeError);
      expect(() => plotWindowWitnessInput({ ...args(), ownerSecret: 1 as unknown as bigint })).toThrow(TypeError);
      expect(() => plotWindowWitnessInput({ ...args(), window: { ...window, pixelCount: window.pixelCount + 1 } })).toThrow(RangeError);
      expect(() => plotWindowWitnessInput({ ...args(), window: { ...window, blockIndex: window.blockIndex + 1 } })).toThrow(RangeError);
      expect(() => plotWindowWitnessInput({ ...args(), window: { ...window, mask: new Uint8Array(256) } })).toThrow(RangeError);
      expect(() => plotWindowWitnessInput({ ...args(), tiles: [] })).toThrow(RangeError);
      expect(() => plotWindowWitnessInput(null as never)).toThrow(TypeError);
    });
  });
});

describe('windowAttestationLeaf', () => {
  describe('when given the fields', () => {
    it('is Poseidon(TAG_PLOT_ATTESTATION, the eight fields in order)', () => {
      const a = { geometryHash: 1n, datasetRoot: 2n, cutoffCode: 21, blockIndex: 4, windowMaskHash: 5n, pixelCount: 6, ownerKey: 7n, salt: 8n };
      expect(windowAttestationLeaf(a)).toBe(hashTagged('PLOT_ATTESTATION', [1n, 2n, 21n, 4n, 5n, 6n, 7n, 8n]));
    });
  });

  describe('when a field is out of range', () => {
    it('throws RangeError for pixelCount 0 and cutoffCode 256, TypeError for a number where a field element goes', () => {
      const a = { geometryHash: 1n, datasetRoot: 2n, cutoffCode: 21, blockIndex: 4, windowMaskHash: 5n, pixelCount: 6, ownerKey: 7n, salt: 8n };
      expect(() => windowAttestationLeaf({ ...a, pixelCount: 0 })).toThrow(RangeError);
      expect(() => windowAttestationLeaf({ ...a, cutoffCode: 256 })).toThrow(RangeError);
      expect(() => windowAttestationLeaf({ ...a, salt: 8 as unknown as bigint })).toThrow(TypeError);
    });
  });
});
