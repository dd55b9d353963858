/**
 * `checkPlotDisclosure`: what `canopy audit disclosure` does with a plot disclosure
 * (prover/disclose/disclosure-file.ts) — check the plot a supplier declared against the
 * attestation the registry holds. Named checks, in order; the first that fails ends it:
 *
 *     geometry            the disclosed GeoJSON feature is a valid plot, its canonical form
 *                         (core/geo/plot-geometry.ts) is the disclosed geometry text, and
 *                         that text hashes to the disclosed geometry hash
 *     dataset             the auditor's dataset folder has the disclosed dataset root, tiles
 *                         of 16 pixels and the circuit's tree depth
 *     mask                the polygon rasterises (core/geo/rasterise.ts, pixel-centre rule)
 *                         on the dataset grid to exactly the disclosed mask, whose hash is the
 *                         disclosed one (the first differing pixel is named)
 *     windows             the mask splits (core/circuits/plot-window.ts windowsForMask) into
 *                         exactly the disclosed windows: position, block index, pixel count,
 *                         window mask hash; their pixels sum to the mask's
 *     leaves              each window's attestation leaf recomputes from the disclosed fields
 *                         (geometry hash, dataset root, cut-off, block, mask hash, pixel count,
 *                         owner key, salt)
 *     cutoff              the cut-off is the EUDR's: 31 Dec 2020, code 21
 *     checkpoint          the registry's latest checkpoint verifies with its key
 *     registry            each leaf is in the registry's plots tree, by a Poseidon proof
 *                         against that checkpoint's plots root
 *     entry               the entries that appended the leaves are plot-attestation entries,
 *                         each proven included in the checkpoint's log, whose windows, in
 *                         log order, are exactly the disclosed leaves, with the disclosed
 *                         dataset root and cut-off (one entry holds at most 40 windows, so a
 *                         larger plot is attested by several)
 *     proofs              each of their window proofs verifies with the auditor's pinned keys
 *     dataset-registered  the dataset entry of the root (GET /v1/datasets/:root), proven
 *                         included before the first attestation entry, records the SHA-256
 *                         of the auditor's dataset manifest
 *
 * What passing shows: the supplier's declared polygon is the one the registry's leaves
 * commit to, its pixels on the committed dataset are the ones proven to carry no loss
 * after the cut-off, and nothing of the plot was left out of the proofs. What it does not
 * show: that the goods grew there (docs/audit.md).
 * @module
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fieldToString, parseField } from '../../core/field.ts';
import { PLOT_WINDOW_TILE_SIZE, windowAttestationLeaf, windowMaskHash, windowsForMask } from '../../core/circuits/plot-window.ts';
import { parsePlotGeoJson, type PlotFeature } from '../../core/geo/geojson.ts';
import { canonicalPlotGeometry, plotGeometryHash } from '../../core/geo/plot-geometry.ts';
import { maskHas, maskPixelCount, parsePlotMask, type PlotMask, plotMaskHash, serialisePlotMask } from '../../core/geo/plot-mask.ts';
import { rasterisePlot } from '../../core/geo/rasterise.ts';
import { EUDR_CUTOFF_CODE } from '../../core/lots/public-parameters.ts';
import type { Checkpoint } from '../../core/note/checkpoint.ts';
import { withCurves } from '../../circuits/toolchain/snarkjs.ts';
import { closeDataset, type Dataset, openDataset } from '../../prover/dataset/read-window.ts';
import type { PlotDisclosure } from '../../prover/disclose/disclosure-file.ts';
import { signalValues } from '../../registry/log/circuit-signals.ts';
import type { AuditSource } from './audit-source.ts';
import { openCheckpointNote } from './_checkpoints.ts';
import { hashToBase64 } from './_hash-text.ts';
import type { ResolvedKey } from './pinned-keys.ts';
import { datasetEntry, DisclosureCheckError, leafOrigin, verifyEntryProofs } from './_registry-lookups.ts';

/** The checks of a plot disclosure, in order. */
export const PLOT_DISCLOSURE_CHECKS = ['geometry', 'dataset', 'mask', 'windows', 'leaves', 'cutoff', 'checkpoint', 'registry', 'entry', 'proofs', 'dataset-registered'] as const;

/** The EUDR cut-off year: loss after 31 Dec of it fails. */
export const EUDR_CUTOFF_YEAR = EUDR_CUTOFF_CODE + 1999;

/** One passed check, or the failed one. */
export interface DisclosureCheckResult {
  check: string;
  ok: boolean;
  detail: string;
}

/** What a plot disclosure check found. JSON-safe. */
export interface PlotDisclosureReport {
  ok: boolean;
  kind: 'plot';
  checks: DisclosureCheckResult[];
  failure: { check: string; message: string } | null;
  plot: {
    /** `id` / `properties.name` of the declared feature, when it has them. */
    id: string | number | null;
    name: string | null;
    pixels: number;
    windows: number;
    datasetRoot: string;
    cutoffYear: number;
    /** The (first) attestation entry, every attestation entry, and the leaves' indexes in the plots tree, once found. */
    sequence: number | null;
    sequences: number[];
    leafIndexes: number[];
  };
  checkpoint: { size: number; rootHash: string } | null;
}

/** Options of `checkPlotDisclosure`. */
export interface PlotDisclosureCheckOptions {
  disclosure: PlotDisclosure;
  registry: AuditSource;
  registryKey: string;
  /** The auditor's resolved keys (pinned-keys.ts `resolveKeys`). */
  keys: ReadonlyMap<string, ResolvedKey>;
  /** The dataset folder (`canopy dataset commit`) whose root the plot was proven against. */
  datasetDir: string;
}

/**
 * Checks a plot disclosure (module comment).
 * @returns the report; `ok` false and `failure` naming the first failed check
 * @throws {CanopyError} for a dataset folder that cannot be read; {ApiError} for HTTP failures
 * @example await checkPlotDisclosure({ disclosure, registry: client, registryKey, keys, datasetDir: 'ds' })
 */
export async function checkPlotDisclosure(options: PlotDisclosureCheckOptions): Promise<PlotDisclosureReport> {
  const d = options.disclosure;
  const report: PlotDisclosureReport = {
    ok: false,
    kind: 'plot',
    checks: [],
    failure: null,
    plot: { id: null, name: null, pixels: d.mask.pixels, windows: d.windows.length, datasetRoot: d.datasetRoot, cutoffYear: d.cutoffYear, sequence: null, sequences: [], leafIndexes: [] },
    checkpoint: null,
  };
  const pass = (check: string, detail: string): void => void report.checks.push({ check, ok: true, detail });
  let ds: Dataset | null = null;
  try {
    // geometry
    let plot: PlotFeature;
    try {
      const { plots } = parsePlotGeoJson(d.plot.feature);
      if (plots.length !== 1) throw new Error(`${plots.length} plots in the feature`);
      plot = plots[0]!;
    } catch (e) {
      throw new DisclosureCheckError('geometry', `the disclosed feature is not a valid plot: ${(e as Error).message}`);
    }
    report.plot.id = plot.id ?? null;
    report.plot.name = plot.name ?? null;
    const canonical = canonicalPlotGeometry(plot.geometry);
    if (canonical !== d.plot.geometry) throw new DisclosureCheckError('geometry', `the declared feature's canonical geometry is not the committed one (first difference at character ${firstDifference(canonical, d.plot.geometry)})`);
    const geometryHash = plotGeometryHash(plot.geometry);
    if (fieldToString(geometryHash) !== d.plot.geometryHash) throw new DisclosureCheckError('geometry', `the geometry hashes to ${geometryHash}, not the disclosed ${d.plot.geometryHash}`);
    pass('geometry', `${plot.label} canonicalises to the committed geometry, hash ${d.plot.geometryHash}`);

    // dataset
    ds = await openDataset(options.datasetDir, { checkSources: 'never' });
    const datasetRoot = parseField(d.datasetRoot, 'datasetRoot');
    if (ds.root !== datasetRoot) throw new DisclosureCheckError('dataset', `${options.datasetDir} has root ${ds.root}, the plot was proven against ${d.datasetRoot}`);
    if (ds.tileSize !== PLOT_WINDOW_TILE_SIZE || ds.depth !== d.circuit.treeDepth) {
      throw new DisclosureCheckError('dataset', `${options.datasetDir} has ${ds.tileSize}-pixel tiles and depth ${ds.depth}; the circuit reads ${PLOT_WINDOW_TILE_SIZE}-pixel tiles at depth ${d.circuit.treeDepth}`);
    }
    pass('dataset', `${options.datasetDir} has root ${d.datasetRoot}`);

    // mask
    const rasterised = rasterisePlot(plot.geometry, ds.grid, plot.label);
    let disclosed: PlotMask;
    try {
      disclosed = parsePlotMask(new Uint8Array(Buffer.from(d.mask.bytes, 'base64')));
    } catch (e) {
      throw new DisclosureCheckError('mask', `the disclosed mask bytes are not a canonical mask: ${(e as Error).message}`);
    }
    const want = serialisePlotMask(rasterised);
    const got = serialisePlotMask(disclosed);
    if (Buffer.compare(Buffer.from(want), Buffer.from(got)) !== 0) throw new DisclosureCheckError('mask', `the polygon does not rasterise to the disclosed mask: ${maskDifference(rasterised, disclosed)}`);
    const header = { col0: disclosed.col0, row0: disclosed.row0, width: disclosed.width, height: disclosed.height, pixels: maskPixelCount(disclosed) };
    for (const k of ['col0', 'row0', 'width', 'height', 'pixels'] as const) {
      if (header[k] !== d.mask[k]) throw new DisclosureCheckError('mask', `mask.${k} is ${d.mask[k]}, the mask bytes say ${header[k]}`);
    }
    if (fieldToString(plotMaskHash(disclosed)) !== d.mask.hash) throw new DisclosureCheckError('mask', `the mask hashes to ${plotMaskHash(disclosed)}, not the disclosed ${d.mask.hash}`);
    pass('mask', `${header.pixels} pixels, exactly the rasterised polygon`);

    // windows
    const windows = windowsForMask(disclosed, ds.grid, d.circuit.k);
    if (windows.length !== d.windows.length) throw new DisclosureCheckError('windows', `the mask covers ${windows.length} windows of ${2 ** d.circuit.k} × ${2 ** d.circuit.k} tiles, the disclosure lists ${d.windows.length}`);
    const maskHashes = windows.map((w) => windowMaskHash(w.mask));
    windows.forEach((w, i) => {
      const o = d.windows[i]!;
      const fields = [
        ['blockLog2', w.blockLog2, o.blockLog2],
        ['tileX0', w.tileX0, o.tileX0],
        ['tileY0', w.tileY0, o.tileY0],
        ['blockIndex', w.blockIndex, o.blockIndex],
        ['pixelCount', w.pixelCount, o.pixelCount],
        ['windowMaskHash', fieldToString(maskHashes[i]!), o.windowMaskHash],
      ] as const;
      for (const [name, mine, theirs] of fields) if (mine !== theirs) throw new DisclosureCheckError('windows', `window ${i + 1}: ${name} is ${theirs}, the mask gives ${mine}`);
    });
    const sum = d.windows.reduce((n, w) => n + w.pixelCount, 0);
    if (sum !== header.pixels) throw new DisclosureCheckError('windows', `the windows hold ${sum} pixels, the mask ${header.pixels}`);
    pass('windows', `${windows.length} ${windows.length === 1 ? 'window' : 'windows'}, ${sum} pixels`);

    // leaves
    const ownerKey = parseField(d.owner.ownerKey, 'owner.ownerKey');
    const leaves = d.windows.map((w, i) => {
      const leaf = windowAttestationLeaf({
        geometryHash,
        datasetRoot,
        cutoffCode: d.cutoffCode,
        blockIndex: w.blockIndex,
        windowMaskHash: maskHashes[i]!,
        pixelCount: w.pixelCount,
        ownerKey,
        salt: parseField(w.salt, `windows[${i}].salt`),
      });
      if (fieldToString(leaf) !== w.attestationLeaf) throw new DisclosureCheckError('leaves', `window ${i + 1}: the disclosed fields give leaf ${leaf}, not ${w.attestationLeaf}`);
      return leaf;
    });
    pass('leaves', `${leaves.length} ${leaves.length === 1 ? 'leaf recomputes' : 'leaves recompute'} from the disclosed fields`);

    // cutoff
    if (d.cutoffCode !== EUDR_CUTOFF_CODE || d.cutoffYear !== EUDR_CUTOFF_YEAR) throw new DisclosureCheckError('cutoff', `cut-off ${d.cutoffYear} (code ${d.cutoffCode}), the EUDR's is ${EUDR_CUTOFF_YEAR} (code ${EUDR_CUTOFF_CODE})`);
    pass('cutoff', `31 Dec ${EUDR_CUTOFF_YEAR} (code ${EUDR_CUTOFF_CODE})`);

    // checkpoint
    let cp: Checkpoint;
    try {
      cp = openCheckpointNote(await options.registry.checkpointNote(), options.registryKey).checkpoint;
    } catch (e) {
      throw new DisclosureCheckError('checkpoint', (e as Error).message);
    }
    report.checkpoint = { size: cp.size, rootHash: hashToBase64(cp.rootHash) };
    pass('checkpoint', `size ${cp.size}, signed by ${options.registryKey.split('+')[0]}`);

    // registry
    const origins = [];
    for (const leaf of leaves) origins.push(await leafOrigin(options.registry, 'plots', leaf, cp));
    report.plot.leafIndexes = origins.map((o) => o.leafIndex);
    pass('registry', `plots leaves ${report.plot.leafIndexes.join(', ')} under the signed plots root`);

    // entry: one or more plot-attestation entries (at most MAX_PLOT_WINDOWS windows each), in log order.
    const bySequence = new Map(origins.map((o) => [o.sequence, o]));
    const entries = [...bySequence.keys()].sort((a, b) => a - b).map((s) => bySequence.get(s)!);
    const named = entries.length === 1 ? `entry ${entries[0]!.sequence}` : `entries ${entries.map((e) => e.sequence).join(', ')}`;
    for (const e of entries) if (e.entry.type !== 'plot-attestation') throw new DisclosureCheckError('entry', `entry ${e.sequence} is a ${e.entry.type}, not a plot-attestation`);
    const entryLeaves = entries.flatMap((e) => e.effects.plotsLeaves.map((l) => fieldToString(l)));
    if (entryLeaves.join() !== d.windows.map((w) => w.attestationLeaf).join()) throw new DisclosureCheckError('entry', `${named} attest ${entryLeaves.length} windows, not exactly the ${d.windows.length} disclosed in their order`);
    for (const e of entries) {
      if (e.entry.type !== 'plot-attestation') continue;
      for (const [i, w] of e.entry.body.windows.entries()) {
        const [root] = signalValues(w.publicSignals, 'datasetRoot');
        const [cutoff] = signalValues(w.publicSignals, 'cutoffCode');
        if (root !== datasetRoot || cutoff !== BigInt(d.cutoffCode)) throw new DisclosureCheckError('entry', `window ${i + 1} of entry ${e.sequence} is proven against root ${root} at cut-off ${cutoff}, not the disclosed ${d.datasetRoot} at ${d.cutoffCode}`);
      }
    }
    report.plot.sequence = entries[0]!.sequence;
    report.plot.sequences = entries.map((e) => e.sequence);
    pass('entry', `plot-attestation ${named}, included in the log of size ${cp.size}`);

    // proofs
    await withCurves(async () => {
      for (const e of entries) await verifyEntryProofs(e, options.keys);
    });
    const proofs = entries.reduce((n, e) => n + e.effects.proofs.length, 0);
    pass('proofs', `${proofs} window ${proofs === 1 ? 'proof verifies' : 'proofs verify'} with the pinned keys`);

    // dataset-registered
    const registered = await datasetEntry(options.registry, datasetRoot, entries[0]!.sequence, cp);
    const manifestSha256 = createHash('sha256').update(await readFile(join(ds.dir, 'manifest.json'))).digest('hex');
    if (registered.entry.type !== 'dataset' || registered.entry.body.manifestSha256 !== manifestSha256) {
      throw new DisclosureCheckError('dataset-registered', `dataset entry ${registered.sequence} records manifest SHA-256 ${registered.entry.type === 'dataset' ? registered.entry.body.manifestSha256 : '—'}, the auditor's dataset has ${manifestSha256}`);
    }
    pass('dataset-registered', `dataset entry ${registered.sequence} (${registered.entry.body.name})`);
    report.ok = true;
  } catch (e) {
    if (!(e instanceof DisclosureCheckError)) throw e;
    report.failure = { check: e.check, message: e.message };
    report.checks.push({ check: e.check, ok: false, detail: e.message });
  } finally {
    if (ds !== null) await closeDataset(ds);
  }
  return report;
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The first pixel (row-major over both windows) set in one mask and not the other. */
function maskDifference(rasterised: PlotMask, disclosed: PlotMask): string {
  const c0 = Math.min(rasterised.col0, disclosed.col0);
  const r0 = Math.min(rasterised.row0, disclosed.row0);
  const c1 = Math.max(rasterised.col0 + rasterised.width, disclosed.col0 + disclosed.width);
  const r1 = Math.max(rasterised.row0 + rasterised.height, disclosed.row0 + disclosed.height);
  for (let r = r0; r < r1; r++) {
    for (let c = c0; c < c1; c++) {
      const a = maskHas(rasterised, c, r);
      const b = maskHas(disclosed, c, r);
      if (a !== b) return `pixel (col ${c}, row ${r}) is ${a ? 'inside' : 'outside'} the polygon but ${b ? 'set' : 'not set'} in the disclosed mask`;
    }
  }
  return 'the masks differ';
}
