/**
 * Disclosure files: what a supplier hands to an auditor or a competent authority so that
 * it can check a commitment in the registry against the facts behind it. Two kinds, both
 * plain JSON (two-space indented, one trailing newline), written with mode 0600 because
 * they reveal what the commitments hide. Neither ever holds an owner secret: a disclosure
 * lets its reader check, never spend.
 *
 * A plot (`canopy-plot-disclosure/1`), from a plot proof's opening (prover/plot/opening-file.ts):
 *
 *     { "format": "canopy-plot-disclosure/1",
 *       "plot": { "feature": <the GeoJSON Feature as the supplier declared it, id and
 *                             properties included>,
 *                 "geometry": "<canonical geometry text (core/geo/plot-geometry.ts)>",
 *                 "geometryHash": "<decimal>" },
 *       "datasetRoot": "<decimal>", "cutoffYear": 2020, "cutoffCode": 21,
 *       "circuit": { "id": "plot_window", "profile": "demo", "k": 0, "treeDepth": 8 },
 *       "mask": { "col0", "row0", "width", "height", "pixels", "hash": "<decimal>",
 *                 "bytes": "<base64 of serialisePlotMask>" },
 *       "owner": { "ownerKey": "<decimal>" },
 *       "windows": [ { "blockLog2", "tileX0", "tileY0", "blockIndex", "pixelCount",
 *                      "windowMaskHash": "<decimal>", "salt": "<decimal>",
 *                      "attestationLeaf": "<decimal>" }, … ] }
 *
 * A lot (`canopy-lot-disclosure/1`), a lot note's opening without the owner secret:
 *
 *     { "format": "canopy-lot-disclosure/1",
 *       "note": { "ownerKey", "commodity", "quantityGrams", "emissionsGramsCo2e": "<decimal>",
 *                 "deforestationFree": true|false, "salt": "<decimal>" },
 *       "commitment": "<decimal>" }
 *
 * `parseDisclosure` is strict: exactly these members, canonical decimals below r, integers
 * in range, the base64 canonical. Whether the values are TRUE is what the checks of
 * verifier/audit/check-plot-disclosure.ts and check-lot-disclosure.ts decide.
 * @module
 */
import { assertArray, assertBoolean, assertInteger, assertString, rangeError, typeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { fieldToString, parseField } from '../../core/field.ts';
import type { LotNote } from '../../core/lots/note.ts';
import { orderedOpeningWindow, type PlotOpeningWindow } from '../plot/opening-file.ts';

/** Format tag of a plot disclosure. */
export const PLOT_DISCLOSURE_FORMAT = 'canopy-plot-disclosure/1';
/** Format tag of a lot disclosure. */
export const LOT_DISCLOSURE_FORMAT = 'canopy-lot-disclosure/1';
/** Largest disclosure file read, bytes. */
export const MAX_DISCLOSURE_BYTES = 64 << 20;

/** One proof window of a disclosed plot: the window of the plot's opening file, as is. */
export type DisclosedWindow = PlotOpeningWindow;

/** A plot disclosure; see the module comment. */
export interface PlotDisclosure {
  format: typeof PLOT_DISCLOSURE_FORMAT;
  plot: { feature: Record<string, unknown>; geometry: string; geometryHash: string };
  datasetRoot: string;
  cutoffYear: number;
  cutoffCode: number;
  circuit: { id: string; profile: string; k: number; treeDepth: number };
  mask: { col0: number; row0: number; width: number; height: number; pixels: number; hash: string; bytes: string };
  owner: { ownerKey: string };
  windows: DisclosedWindow[];
}

/** A lot disclosure; see the module comment. */
export interface LotDisclosure {
  format: typeof LOT_DISCLOSURE_FORMAT;
  note: { ownerKey: string; commodity: string; quantityGrams: string; emissionsGramsCo2e: string; deforestationFree: boolean; salt: string };
  commitment: string;
}

/** Either kind. */
export type Disclosure = PlotDisclosure | LotDisclosure;

/**
 * The lot note a lot disclosure opens, as bigints.
 * @throws {TypeError|RangeError} for a malformed disclosure
 * @example noteCommitment(disclosedNote(d)) === BigInt(d.commitment)
 */
export function disclosedNote(d: LotDisclosure): LotNote {
  const n = d.note;
  return {
    ownerKey: parseField(n.ownerKey, 'note.ownerKey'),
    commodity: parseField(n.commodity, 'note.commodity'),
    quantityGrams: parseField(n.quantityGrams, 'note.quantityGrams'),
    emissionsGramsCo2e: parseField(n.emissionsGramsCo2e, 'note.emissionsGramsCo2e'),
    deforestationFree: n.deforestationFree,
    salt: parseField(n.salt, 'note.salt'),
  };
}

/**
 * The note fields of a lot disclosure, as canonical decimals.
 * @throws {TypeError|RangeError} if a field is not a field element
 * @example lotDisclosureNote(note)
 */
export function lotDisclosureNote(note: LotNote): LotDisclosure['note'] {
  return {
    ownerKey: fieldToString(note.ownerKey, 'note.ownerKey'),
    commodity: fieldToString(note.commodity, 'note.commodity'),
    quantityGrams: fieldToString(note.quantityGrams, 'note.quantityGrams'),
    emissionsGramsCo2e: fieldToString(note.emissionsGramsCo2e, 'note.emissionsGramsCo2e'),
    deforestationFree: note.deforestationFree,
    salt: fieldToString(note.salt, 'note.salt'),
  };
}

/**
 * The text of a disclosure file (module comment), members in the documented order.
 * @throws {TypeError|RangeError} for a malformed disclosure
 * @example await writeFile(out, formatDisclosure(d), { mode: 0o600 })
 */
export function formatDisclosure(d: Disclosure): string {
  assertDisclosure(d, 'disclosure');
  if (d.format === LOT_DISCLOSURE_FORMAT) {
    const n = d.note;
    const ordered = {
      format: d.format,
      note: { ownerKey: n.ownerKey, commodity: n.commodity, quantityGrams: n.quantityGrams, emissionsGramsCo2e: n.emissionsGramsCo2e, deforestationFree: n.deforestationFree, salt: n.salt },
      commitment: d.commitment,
    };
    return `${JSON.stringify(ordered, null, 2)}\n`;
  }
  const m = d.mask;
  const ordered = {
    format: d.format,
    plot: { feature: d.plot.feature, geometry: d.plot.geometry, geometryHash: d.plot.geometryHash },
    datasetRoot: d.datasetRoot,
    cutoffYear: d.cutoffYear,
    cutoffCode: d.cutoffCode,
    circuit: { id: d.circuit.id, profile: d.circuit.profile, k: d.circuit.k, treeDepth: d.circuit.treeDepth },
    mask: { col0: m.col0, row0: m.row0, width: m.width, height: m.height, pixels: m.pixels, hash: m.hash, bytes: m.bytes },
    owner: { ownerKey: d.owner.ownerKey },
    windows: d.windows.map(orderedOpeningWindow),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/**
 * Parses a disclosure file's text strictly (module comment).
 * @throws {CanopyError} INVALID_INPUT if not JSON or too large; {TypeError|RangeError} naming the first bad member
 * @example parseDisclosure(await readFile(file, 'utf8'), file)
 */
export function parseDisclosure(text: string, source = 'disclosure'): Disclosure {
  assertString(text, 'text');
  if (text.length > MAX_DISCLOSURE_BYTES) throw new CanopyError('INVALID_INPUT', `${source}: more than ${MAX_DISCLOSURE_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CanopyError('INVALID_INPUT', `${source}: not JSON (${(e as Error).message})`, { cause: e });
  }
  assertDisclosure(json, 'disclosure');
  return json;
}

/**
 * Checks the shape of a disclosure (attacker-controlled).
 * @throws {TypeError|RangeError} naming the first bad member
 * @example assertDisclosure(JSON.parse(text), 'disclosure')
 */
export function assertDisclosure(value: unknown, title: string): asserts value is Disclosure {
  const format = (value as { format?: unknown } | null)?.format;
  if (format === LOT_DISCLOSURE_FORMAT) {
    const d = exact(value, title, ['format', 'note', 'commitment']);
    const n = exact(d.note, `${title}.note`, ['ownerKey', 'commodity', 'quantityGrams', 'emissionsGramsCo2e', 'deforestationFree', 'salt']);
    for (const k of ['ownerKey', 'commodity', 'quantityGrams', 'emissionsGramsCo2e', 'salt'] as const) parseField(n[k], `${title}.note.${k}`);
    assertBoolean(n.deforestationFree, `${title}.note.deforestationFree`);
    parseField(d.commitment, `${title}.commitment`);
    return;
  }
  if (format !== PLOT_DISCLOSURE_FORMAT) rangeError(`${title}.format`, `${JSON.stringify(PLOT_DISCLOSURE_FORMAT)} or ${JSON.stringify(LOT_DISCLOSURE_FORMAT)}`, format);
  const d = exact(value, title, ['format', 'plot', 'datasetRoot', 'cutoffYear', 'cutoffCode', 'circuit', 'mask', 'owner', 'windows']);
  const p = exact(d.plot, `${title}.plot`, ['feature', 'geometry', 'geometryHash']);
  exact(p.feature, `${title}.plot.feature`, null);
  assertString(p.geometry, `${title}.plot.geometry`, MAX_DISCLOSURE_BYTES);
  parseField(p.geometryHash, `${title}.plot.geometryHash`);
  parseField(d.datasetRoot, `${title}.datasetRoot`);
  assertInteger(d.cutoffYear, `${title}.cutoffYear`, 2000, 2253);
  assertInteger(d.cutoffCode, `${title}.cutoffCode`, 1, 255);
  const c = exact(d.circuit, `${title}.circuit`, ['id', 'profile', 'k', 'treeDepth']);
  assertString(c.id, `${title}.circuit.id`, 64);
  assertString(c.profile, `${title}.circuit.profile`, 64);
  assertInteger(c.k, `${title}.circuit.k`, 0, 4);
  assertInteger(c.treeDepth, `${title}.circuit.treeDepth`, 1, 32);
  const m = exact(d.mask, `${title}.mask`, ['col0', 'row0', 'width', 'height', 'pixels', 'hash', 'bytes']);
  for (const k of ['col0', 'row0', 'width', 'height', 'pixels'] as const) assertInteger(m[k], `${title}.mask.${k}`, 0, 0xffffffff);
  parseField(m.hash, `${title}.mask.hash`);
  assertString(m.bytes, `${title}.mask.bytes`, MAX_DISCLOSURE_BYTES);
  if (Buffer.from(m.bytes, 'base64').toString('base64') !== m.bytes) rangeError(`${title}.mask.bytes`, 'canonical base64', m.bytes.slice(0, 40));
  const o = exact(d.owner, `${title}.owner`, ['ownerKey']);
  parseField(o.ownerKey, `${title}.owner.ownerKey`);
  assertArray(d.windows, `${title}.windows`, 1, 64);
  d.windows.forEach((w, i) => {
    const t = `${title}.windows[${i}]`;
    const x = exact(w, t, ['blockLog2', 'tileX0', 'tileY0', 'blockIndex', 'pixelCount', 'windowMaskHash', 'salt', 'attestationLeaf']);
    assertInteger(x.blockLog2, `${t}.blockLog2`, 0, 4);
    for (const k of ['tileX0', 'tileY0', 'blockIndex', 'pixelCount'] as const) assertInteger(x[k], `${t}.${k}`, 0, 0xffffffff);
    for (const k of ['windowMaskHash', 'salt', 'attestationLeaf'] as const) parseField(x[k], `${t}.${k}`);
  });
}

function exact(value: unknown, title: string, keys: readonly string[] | null): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) typeError(title, 'object', value);
  const o = value as Record<string, unknown>;
  if (keys !== null) {
    for (const k of Object.keys(o)) if (!keys.includes(k)) rangeError(title, `only the members ${keys.join(', ')}`, `member ${JSON.stringify(k)}`);
    for (const k of keys) if (!Object.hasOwn(o, k)) typeError(`${title}.${k}`, 'a value', undefined);
  }
  return o;
}
