/**
 * `disclosePlot`: what `canopy disclose plot` does — package an attested plot for an
 * auditor or a competent authority (disclosure-file.ts, `canopy-plot-disclosure/1`).
 *
 * Inputs: the plot proof file (public), its opening (private, prover/plot/opening-file.ts)
 * and the supplier's GeoJSON file. Steps, each refusing with INVALID_INPUT naming what
 * disagrees, so that a supplier never hands over a package that cannot check:
 *
 *     1 opening   parsed strictly; its windows' leaves are the proof file's, in order, with
 *                 the same dataset root and cut-off
 *     2 feature   the GeoJSON holds a feature whose canonical geometry is the opening's
 *                 (that feature, as declared, goes into the disclosure: its id and
 *                 properties tell the authority which plot it is)
 *     3 hashes    the geometry hash recomputes from the canonical text, the mask hash from
 *                 the mask bytes, and every window's leaf from the opening's fields
 *
 * What is copied: the feature, the canonical geometry and its hash, dataset root, cut-off,
 * circuit, mask, owner key, and per window its position, pixel count, mask hash, salt and
 * leaf. What is not: the owner secret and where it is kept (`owner.secretFile`), and the
 * proof file's name. The file is written with mode 0600.
 * @module
 */
import { assertString, rangeError, typeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { fieldToString, parseField } from '../../core/field.ts';
import { windowAttestationLeaf } from '../../core/circuits/plot-window.ts';
import { parsePlotGeoJson } from '../../core/geo/geojson.ts';
import { canonicalPlotGeometry, plotGeometryHash } from '../../core/geo/plot-geometry.ts';
import { parsePlotMask, plotMaskHash } from '../../core/geo/plot-mask.ts';
import { PLOT_OPENING_FORMAT, type PlotOpeningFile } from '../plot/opening-file.ts';
import { parsePlotProofFile } from '../plot/proof-file.ts';
import { formatDisclosure, PLOT_DISCLOSURE_FORMAT, type PlotDisclosure } from './disclosure-file.ts';
import { MAX_INPUT_BYTES, readInputText, writePrivate } from './_files.ts';

/** Options of `disclosePlot`; mirrors the flags of `canopy disclose plot`. */
export interface DisclosePlotOptions {
  /** The plot proof file (`canopy plot prove --out`). */
  proofFile: string;
  /** Its opening (`canopy plot prove` writes it beside the proof file as FILE.opening.json). */
  openingFile: string;
  /** The supplier's GeoJSON file holding the plot. */
  geojsonFile: string;
  /** Where to write the disclosure (mode 0600); omitted: nothing is written. */
  outFile?: string;
}

/**
 * Builds (and with `outFile` writes) a plot disclosure (module comment).
 * @throws {CanopyError} NOT_FOUND (a file missing); INVALID_INPUT (a file malformed, or the
 *   proof, opening and GeoJSON disagree); {TypeError|RangeError} for malformed options
 * @example const d = await disclosePlot({ proofFile: 'farm.proof.json', openingFile: 'farm.proof.opening.json', geojsonFile: 'farm.geojson', outFile: 'farm.disclosure.json' })
 */
export async function disclosePlot(options: DisclosePlotOptions): Promise<PlotDisclosure> {
  if (typeof options !== 'object' || options === null) typeError('options', 'DisclosePlotOptions', options);
  assertString(options.proofFile, 'proofFile', 4096);
  assertString(options.openingFile, 'openingFile', 4096);
  assertString(options.geojsonFile, 'geojsonFile', 4096);
  if (options.outFile !== undefined) assertString(options.outFile, 'outFile', 4096);
  const proof = parsePlotProofFile(await readInputText(options.proofFile), options.proofFile);
  const opening = parseOpening(await readInputText(options.openingFile), options.openingFile);
  const geojson = parseJson(await readInputText(options.geojsonFile), options.geojsonFile);
  const refuse = (why: string): never => {
    throw new CanopyError('INVALID_INPUT', `${options.openingFile}: ${why}`);
  };

  // 1 opening against the proof file.
  if (opening.datasetRoot !== proof.datasetRoot) refuse(`dataset root ${opening.datasetRoot}, the proof file's is ${proof.datasetRoot}`);
  if (opening.cutoffCode !== proof.cutoffCode || opening.cutoffYear !== proof.cutoffYear) refuse(`cut-off ${opening.cutoffYear} (${opening.cutoffCode}), the proof file's is ${proof.cutoffYear} (${proof.cutoffCode})`);
  const proofLeaves = proof.windows.map((w) => w.publicSignals[0]!);
  const openLeaves = opening.windows.map((w) => w.attestationLeaf);
  if (proofLeaves.join() !== openLeaves.join()) refuse(`its ${openLeaves.length} window leaves are not the ${proofLeaves.length} of ${options.proofFile}`);

  // 2 the declared feature with the attested geometry.
  const { plots } = parsePlotGeoJson(geojson);
  const plot = plots.find((p) => canonicalPlotGeometry(p.geometry) === opening.plot.geometry);
  if (plot === undefined) {
    throw new CanopyError('INVALID_INPUT', `${options.geojsonFile} holds no plot whose geometry is the attested one (${plots.length} ${plots.length === 1 ? 'plot' : 'plots'} compared with ${options.openingFile})`);
  }
  const feature = featureOf(geojson, plot.index);

  // 3 hashes.
  const geometryHash = plotGeometryHash(plot.geometry);
  if (fieldToString(geometryHash) !== opening.plot.geometryHash) refuse(`geometry hash ${opening.plot.geometryHash}, the geometry hashes to ${geometryHash}`);
  const mask = parsePlotMask(new Uint8Array(Buffer.from(opening.mask.bytes, 'base64')));
  if (fieldToString(plotMaskHash(mask)) !== opening.mask.hash) refuse('the mask bytes do not hash to mask.hash');
  const ownerKey = parseField(opening.owner.ownerKey, 'owner.ownerKey');
  opening.windows.forEach((w, i) => {
    const leaf = windowAttestationLeaf({
      geometryHash,
      datasetRoot: parseField(opening.datasetRoot, 'datasetRoot'),
      cutoffCode: opening.cutoffCode,
      blockIndex: w.blockIndex,
      windowMaskHash: parseField(w.windowMaskHash, `windows[${i}].windowMaskHash`),
      pixelCount: w.pixelCount,
      ownerKey,
      salt: parseField(w.salt, `windows[${i}].salt`),
    });
    if (fieldToString(leaf) !== w.attestationLeaf) refuse(`window ${i + 1}'s fields give leaf ${leaf}, not ${w.attestationLeaf}`);
  });

  const disclosure: PlotDisclosure = {
    format: PLOT_DISCLOSURE_FORMAT,
    plot: { feature, geometry: opening.plot.geometry, geometryHash: opening.plot.geometryHash },
    datasetRoot: opening.datasetRoot,
    cutoffYear: opening.cutoffYear,
    cutoffCode: opening.cutoffCode,
    circuit: { ...opening.circuit },
    mask: { ...opening.mask },
    owner: { ownerKey: opening.owner.ownerKey },
    windows: opening.windows.map((w) => ({ ...w })),
  };
  if (options.outFile !== undefined) await writePrivate(options.outFile, formatDisclosure(disclosure));
  return disclosure;
}

/** The feature at `index` of a plot GeoJSON document, as declared (a bare geometry is wrapped). */
function featureOf(doc: unknown, index: number): Record<string, unknown> {
  const d = doc as Record<string, unknown>;
  if (d.type === 'FeatureCollection') return (d.features as Record<string, unknown>[])[index]!;
  if (d.type === 'Feature') return d;
  return { type: 'Feature', geometry: d, properties: {} };
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CanopyError('INVALID_INPUT', `${source} is not JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** Parses an opening file strictly (prover/plot/opening-file.ts documents it). */
function parseOpening(text: string, source: string): PlotOpeningFile {
  const o = exact(parseJson(text, source), source, ['format', 'proofFile', 'plot', 'datasetRoot', 'cutoffYear', 'cutoffCode', 'circuit', 'mask', 'owner', 'windows']);
  if (o.format !== PLOT_OPENING_FORMAT) rangeError(`${source}.format`, JSON.stringify(PLOT_OPENING_FORMAT), o.format);
  assertString(o.proofFile, `${source}.proofFile`, 4096);
  const plot = exact(o.plot, `${source}.plot`, ['label', 'geometry', 'geometryHash']);
  assertString(plot.label, `${source}.plot.label`, 4096);
  assertString(plot.geometry, `${source}.plot.geometry`, MAX_INPUT_BYTES);
  parseField(plot.geometryHash, `${source}.plot.geometryHash`);
  parseField(o.datasetRoot, `${source}.datasetRoot`);
  const owner = exact(o.owner, `${source}.owner`, ['ownerKey', 'secretFile']);
  parseField(owner.ownerKey, `${source}.owner.ownerKey`);
  // The rest has the disclosure's own shape, which the disclosure parser checks in full.
  const candidate = {
    format: PLOT_DISCLOSURE_FORMAT,
    plot: { feature: {}, geometry: plot.geometry, geometryHash: plot.geometryHash },
    datasetRoot: o.datasetRoot,
    cutoffYear: o.cutoffYear,
    cutoffCode: o.cutoffCode,
    circuit: o.circuit,
    mask: o.mask,
    owner: { ownerKey: owner.ownerKey },
    windows: o.windows,
  };
  formatDisclosure(candidate as PlotDisclosure);
  return o as unknown as PlotOpeningFile;
}

function exact(value: unknown, title: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) typeError(title, 'object', value);
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!keys.includes(k)) rangeError(title, `only the members ${keys.join(', ')}`, `member ${JSON.stringify(k)}`);
  for (const k of keys) if (!Object.hasOwn(o, k)) typeError(`${title}.${k}`, 'a value', undefined);
  return o;
}
