/**
 * The private opening of a plot proof, `canopy-plot-opening/1`: everything the prover
 * needs later to disclose an attested plot to an auditor, who recomputes from it the
 * geometry hash, the mask (from the geometry, core/geo/rasterise.ts), each window's mask
 * hash and attestation leaf, and finds those leaves in the plots tree. Written by
 * `canopy plot prove` beside the proof file with permissions 0600. It holds the salts
 * that hide the plot: whoever has it can link the plot to its leaves.
 *
 * Plain JSON, two-space indented, one trailing newline:
 *
 *     {
 *       "format": "canopy-plot-opening/1",
 *       "proofFile": "farm.proof.json",             the proof file it opens (base name)
 *       "plot": { "label": "feature #0 (id \"…\")",
 *                 "geometry": "<canonical GeoJSON text>", "geometryHash": "<decimal>" },
 *       "datasetRoot": "<decimal>", "cutoffYear": 2020, "cutoffCode": 21,
 *       "circuit": { "id": "plot_window", "profile": "demo", "k": 0, "treeDepth": 8 },
 *       "mask": { "col0": …, "row0": …, "width": …, "height": …, "pixels": 129,
 *                 "hash": "<plotMaskHash, decimal>", "bytes": "<base64 of serialisePlotMask>" },
 *       "owner": { "ownerKey": "<decimal>", "secretFile": "farm.proof.owner-secret" },
 *       "windows": [ { "blockLog2": 0, "tileX0": …, "tileY0": …, "blockIndex": …,
 *                      "pixelCount": …, "windowMaskHash": "<decimal>", "salt": "<decimal>",
 *                      "attestationLeaf": "<decimal>" }, … ]        proof file order
 *     }
 *
 * The owner secret itself is not in the opening, only where it is kept: an opening can be
 * handed to an auditor without handing over the power to spend what the plot backs.
 * @module
 */
import { typeError } from '../../core/assert.ts';

/** Format tag of the opening file. */
export const PLOT_OPENING_FORMAT = 'canopy-plot-opening/1';

/** One window of the opening, in the order of the proof file's windows. */
export interface PlotOpeningWindow {
  blockLog2: number;
  tileX0: number;
  tileY0: number;
  blockIndex: number;
  pixelCount: number;
  windowMaskHash: string;
  salt: string;
  attestationLeaf: string;
}

/**
 * A window's members in the order the files write them, whatever order the object has,
 * so one opening writes one text (also used by prover/disclose/disclosure-file.ts).
 * @example JSON.stringify(orderedOpeningWindow(w))
 */
export function orderedOpeningWindow(w: PlotOpeningWindow): PlotOpeningWindow {
  return {
    blockLog2: w.blockLog2,
    tileX0: w.tileX0,
    tileY0: w.tileY0,
    blockIndex: w.blockIndex,
    pixelCount: w.pixelCount,
    windowMaskHash: w.windowMaskHash,
    salt: w.salt,
    attestationLeaf: w.attestationLeaf,
  };
}

/** The opening file; see the module doc. */
export interface PlotOpeningFile {
  format: typeof PLOT_OPENING_FORMAT;
  proofFile: string;
  plot: { label: string; geometry: string; geometryHash: string };
  datasetRoot: string;
  cutoffYear: number;
  cutoffCode: number;
  circuit: { id: string; profile: string; k: number; treeDepth: number };
  mask: { col0: number; row0: number; width: number; height: number; pixels: number; hash: string; bytes: string };
  owner: { ownerKey: string; secretFile: string };
  windows: PlotOpeningWindow[];
}

/**
 * The text of an opening file (module doc), keys in the documented order.
 * @throws {TypeError} if `opening` is not an object
 * @example await writeFile(file, formatPlotOpeningFile(opening), { mode: 0o600 });
 */
export function formatPlotOpeningFile(opening: PlotOpeningFile): string {
  if (typeof opening !== 'object' || opening === null) typeError('opening', 'an opening object', opening);
  const o = opening;
  const ordered = {
    format: o.format,
    proofFile: o.proofFile,
    plot: { label: o.plot.label, geometry: o.plot.geometry, geometryHash: o.plot.geometryHash },
    datasetRoot: o.datasetRoot,
    cutoffYear: o.cutoffYear,
    cutoffCode: o.cutoffCode,
    circuit: { id: o.circuit.id, profile: o.circuit.profile, k: o.circuit.k, treeDepth: o.circuit.treeDepth },
    mask: { col0: o.mask.col0, row0: o.mask.row0, width: o.mask.width, height: o.mask.height, pixels: o.mask.pixels, hash: o.mask.hash, bytes: o.mask.bytes },
    owner: { ownerKey: o.owner.ownerKey, secretFile: o.owner.secretFile },
    windows: o.windows.map(orderedOpeningWindow),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
